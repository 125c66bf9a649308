"""The source line under every chart: which hub records a theme's figures come from and
which build made them."""

from __future__ import annotations

from dashboard import formatting as fmt
from dashboard.data import View

SOURCE = "hub case records ({tables}), hubvalue build {build}"
THEME_TABLES = {
    "wellbeing": "assessments, exit surveys",
    "prevention": "services, police-recorded repeat crimes",
    "nhs_demand": "NHS contacts before and after support, agency referrals",
    "operations": "referrals, agency referrals, exit surveys",
    "value_for_money": "case records and the assumptions register",
    "equity": "referrals, victims and the comparison population",
}


def source_line(view: View, theme: str) -> str:
    return SOURCE.format(tables=THEME_TABLES.get(theme, "case records"),
                         build=fmt.md(view.build_value("build_id", "")))
