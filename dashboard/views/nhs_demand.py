"""NHS demand: trends by month, splits by agency, crime type and enhanced rights."""

from dashboard import theme

theme.render(
    "nhs_demand", "NHS demand",
    "Health and wellbeing, mental health referrals seen promptly, and NHS contacts before "
    "and after support. The before and after figures have no comparison group: contacts "
    "often fall back anyway after a crime (regression to the mean), which is why the "
    "valuation applies deadweight.",
)
