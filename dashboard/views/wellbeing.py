"""Victim wellbeing: trends by month, splits by agency, crime type and enhanced rights."""

from dashboard import theme

theme.render(
    "wellbeing", "Victim wellbeing",
    "How the people the hub supports fare: their wellbeing, coping and knowledge of their "
    "choices by the end of support, whether the gains last, and what the wellbeing gained "
    "is worth to society.",
)
