"""The Methods page's list of indicator definitions, from catalogue rows (HTML, every
value escaped)."""

from __future__ import annotations

import html

import pandas as pd

from dashboard import formatting as fmt


def definitions_html(rows: pd.DataFrame) -> str:
    """The theme's indicators as one list of collapsible definitions (HTML, every value
    escaped): one element for the whole theme draws far faster than one expander each."""
    items = []
    for row in rows.to_dict("records"):
        where = ", ".join(fmt.readable(v) for v in (row.get("horizon"), row.get("dimension"))
                          if isinstance(v, str) and v)
        meta = (f"id {row['indicator_id']} · unit {row['unit']} · "
                f"{str(row['direction']).replace('_', ' ')}"
                + (f" · {where}" if where else "") + f" · source: {row['source']}")
        why = row.get("dimension_why")
        why_html = (f"<p><em>Why in this dimension:</em> {html.escape(why)}</p>"
                    if isinstance(why, str) and why else "")
        items.append(
            f"<details><summary>{html.escape(str(row['title']))}</summary>"
            f"<p>{html.escape(str(row['definition']))}</p>{why_html}"
            f"<p><small>{html.escape(meta)}</small></p></details>")
    return f'<div class="hv-definitions">{"".join(items)}</div>'
