"""How numbers, statuses and data values are written on the dashboard.

Rates as %, money in £ with the price year and the word "projected", counts
with thousands separators. "No data", "Not yet measurable", "No one in the
base" and 0 always read differently. `md` escapes a data value before it goes
into Markdown, `plain` before it goes into a Plotly label (Plotly renders a
subset of HTML).
"""

from __future__ import annotations

import html
import math
import re

STATUS_LABELS = {
    "no_data": "No data",
    "not_yet_measurable": "Not yet measurable",
    "empty_base": "No one in the base",
    "suppressed": "Suppressed (small number)",
    "not_published": "Not published",
}
STATUS_EXPLANATIONS = {
    "no_data": "the extract does not hold the measure this needs",
    "not_yet_measurable": "the cohort's observation window has not closed by the as-of date",
    "empty_base": "nobody qualified for the base in this period",
    "suppressed": "too few people to publish without risk of identifying someone",
    "not_published": "not in the public release: not a count of people, or the quarter "
    "is not published",
}
UNIT_WORDS = {
    "rate": "rate",
    "count": "count",
    "gbp": "£, projected",
    "ratio": "£ of public value per £ of funding",
    "median_working_days": "median working days",
    "sum_contacts": "NHS contacts",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def md(value) -> str:
    """A data value made safe for Markdown: every special character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def plain(value) -> str:
    """A data value made safe for a Plotly label or hover text."""
    return html.escape(str(value), quote=True)


def rate(value, digits: int = 0) -> str:
    if missing(value):
        return "–"
    return f"{value * 100:.{digits}f}%"


def count(value) -> str:
    if missing(value):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def gbp(value, digits: int = 3) -> str:
    """£ with k/m abbreviations to about three significant figures."""
    if missing(value):
        return "–"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    for threshold, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if amount >= threshold:
            scaled = amount / threshold
            decimals = max(0, digits - len(str(int(scaled))))
            return f"{sign}£{scaled:.{decimals}f}{suffix}"
    return f"{sign}£{amount:,.0f}"


def ratio(value) -> str:
    if missing(value):
        return "–"
    return f"£{value:,.2f}"


def value_text(value, unit: str) -> str:
    if unit == "rate":
        return rate(value)
    if unit == "gbp":
        return gbp(value)
    if unit == "ratio":
        return ratio(value)
    if unit == "median_working_days":
        return "–" if missing(value) else f"{value:,.1f} working days"
    return count(value)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def change_text(current, previous, unit: str) -> str | None:
    """'+3.1 points', '-£12k', '+4' on the previous period; None when either is missing."""
    if missing(current) or missing(previous):
        return None
    difference = current - previous
    shown = round(difference * 100, 1) if unit == "rate" else round(difference, 2)
    sign = "+" if shown > 0 else ("-" if shown < 0 else "±")
    if unit == "rate":
        return f"{sign}{abs(difference) * 100:.1f} points"
    if unit == "gbp":
        return f"{sign}{gbp(abs(difference))}"
    if unit == "ratio":
        return f"{sign}£{abs(difference):,.2f}"
    if unit == "median_working_days":
        return f"{sign}{abs(difference):,.1f} days"
    return f"{sign}{count(abs(difference))}"


def money_note(price_year: str) -> str:
    return f"projected, £ at {price_year} prices" if price_year else "projected"


NAMES = {
    "all": "Whole hub",
    "victim_support": "Victim Support (lead agency)",
    "hate_crime": "Hate crime service",
    "older_people": "Older people's service",
    "young_people": "Young people's service",
    "lgbt": "LGBT+ service",
    "witness_care": "Witness care",
    "nhs_mental_health": "NHS mental health",
    "public_values": "What the public values",
    "public_sphere": "What adds value to the public sphere",
    "nhs_demand": "NHS demand",
    "value_for_money": "Value for money",
    "antisocial_behaviour": "Anti-social behaviour",
    "burglary_residential": "Residential burglary",
    "stalking_harassment": "Stalking and harassment",
    "ethnic_group": "Ethnic group",
    "age_band": "Age band",
    "lgbt_characteristic": "LGBT+",
    "recorded_victims": "police-recorded victims",
    "residents": "residents",
}


def readable(code) -> str:
    """A readable name for a code such as `nhs_mental_health` (plain text, not escaped)."""
    if missing(code):
        return "Unknown"
    text = str(code)
    return NAMES.get(text, text.replace("_", " ").capitalize())


PARAMETER_PREFIXES = (("unit_cost_", "Unit cost: "), ("repeat_rate_", "Repeat rate: "),
                      ("crime_cost_residual_", "Residual crime cost: "),
                      ("crime_cost_", "Crime cost: "))
PARAMETER_NAMES = {"wellby_value_gbp": "Value of a WELLBY (£)",
                   "situational_prevention_effect": "Prevention effect",
                   "situational_prevention_effect_burglary": "Prevention effect, burglary",
                   "displacement_prevention": "Displacement"}


def parameter_name(code: str) -> str:
    """A register parameter's name for people: 'unit_cost_gp_appointments' -> 'Unit cost:
    gp appointments', 'deadweight_nhs' -> 'Deadweight (NHS)' (plain text, not escaped)."""
    if code in PARAMETER_NAMES:
        return PARAMETER_NAMES[code]
    for prefix, words in PARAMETER_PREFIXES:
        if code.startswith(prefix):
            return words + readable(code[len(prefix):]).lower()
    for suffix, words in (("_nhs", " (NHS)"), ("_wellbeing", " (wellbeing)"),
                          ("_health", " (health)")):
        if code.endswith(suffix):
            return readable(code[: -len(suffix)]) + words
    return readable(code)
