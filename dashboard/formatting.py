"""How the dashboard writes values: the shared rules of `metrics.formatting` (numbers,
money, percentages, statuses, words for codes) plus escaping for the page.

`md` escapes a data value before it goes into Markdown, `plain` before it goes into a
Plotly label (Plotly renders a subset of HTML).
"""

from __future__ import annotations

import html
import re

from metrics.formatting import (
    NAMES,
    NO_VALUE,
    STATUS_MEANINGS,
    STATUS_WORDS,
    UNIT_WORDS,
    change_text,
    column_name,
    count,
    gbp,
    missing,
    money_note,
    parameter_name,
    parameter_value,
    percent,
    ratio,
    readable,
    status_label,
    value_text,
)

__all__ = ["NAMES", "NO_VALUE", "STATUS_MEANINGS", "STATUS_WORDS", "UNIT_WORDS",
           "change_text", "column_name", "count", "gbp", "md", "missing", "money_note", "parameter_name",
           "parameter_value", "percent", "plain", "ratio", "readable", "status_label", "value_text"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(value) -> str:
    """A data value made safe for Markdown: every special character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def plain(value) -> str:
    """A data value made safe for a Plotly label or hover text."""
    return html.escape(str(value), quote=True)
