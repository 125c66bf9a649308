"""A hub's own register beside the shipped one, as a report table: the manager pack, the
PCC review (from ref.overrides) and the public bulletin (from published.overrides) print
the same listing (metrics.register_listing)."""

from __future__ import annotations

import pandas as pd

from metrics import register_listing as listing
from metrics.report.render import Cell, Table


def table(overrides: pd.DataFrame) -> Table:
    return Table(
        "register_overrides",
        "The hub's own register beside the shipped one",
        list(listing.HEADERS),
        [[Cell(text) for text in row] for row in listing.rows(overrides)],
        [listing.NOTE],
        csv_name="register_overrides",
    )
