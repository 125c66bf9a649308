"""How the reports write values: the shared rules of `metrics.formatting`.

Rates as percentages with one decimal, counts with thousands separators, money in £ to
three significant figures with the word "projected" nearby (the templates add it), and
the three kinds of "nothing" (no data, not yet measurable, nobody in the base) always in
words, never as 0 or a dash alone; a table cell hidden by disclosure control reads `[c]`
(`status_word`). Returned strings are plain text; the templates escape them.
"""

from __future__ import annotations

from metrics.formatting import (
    NAMES,
    NBSP,
    NO_VALUE,
    STATUS_MEANINGS,
    STATUS_WORDS,
    change_text,
    characteristic_name,
    characteristic_words,
    count,
    days,
    gbp,
    interval_text,
    long_date,
    missing,
    parameter_value,
    percent,
    ratio,
    readable,
    short_date,
    status_label,
    value_text,
)
from metrics.formatting import status_cell as status_word

__all__ = ["NAMES", "NBSP", "NO_VALUE", "STATUS_MEANINGS", "STATUS_WORDS", "change_text",
           "characteristic_name", "characteristic_words", "count", "days", "gbp",
           "interval_text", "long_date", "missing", "parameter_value", "percent", "ratio",
           "readable", "short_date", "status_label", "status_word", "value_text"]
