"""How numbers, statuses and codes are written in the reports.

Rates as percentages with one decimal, counts with thousands separators, money in £
with the word "projected" nearby (the templates add it), and the three kinds of
"nothing" (no data, not yet measurable, nobody in the base) always in words, never
as 0 or a dash alone. Returned strings are plain text; the templates escape them.
"""

from __future__ import annotations

import datetime as dt
import math

STATUS_WORDS = {
    "no_data": "No data",
    "not_yet_measurable": "Not yet measurable",
    "empty_base": "Nobody in the base",
    "withheld": "[c]",
    "suppressed": "[c]",
}
STATUS_MEANINGS = {
    "No data": "the extract does not hold what this figure needs",
    "Not yet measurable": "the follow-up window of the period's cohort has not closed by the "
    "as-of date (or the date the data are complete to)",
    "Nobody in the base": "nobody qualified for the base in the period: not the same as 0",
    "[c]": "hidden by disclosure control",
}
NAMES = {
    "all": "Whole hub",
    "victim_support": "Victim Support (lead agency)",
    "hate_crime": "Hate crime service",
    "older_people": "Older people's service",
    "young_people": "Young people's service",
    "lgbt": "LGBT+ service",
    "witness_care": "Witness care",
    "nhs_mental_health": "NHS mental health",
    "wellbeing": "Victim wellbeing",
    "prevention": "Prevention",
    "nhs_demand": "NHS demand",
    "operations": "Hub operations",
    "value_for_money": "Value for money",
    "equity": "Fairness of reach",
    "public_values": "What the public values",
    "public_sphere": "What adds value to the public sphere",
    "short": "Short term (during support)",
    "medium": "Medium term (3 to 12 months after)",
    "long": "Long term (a year and more after)",
    "gender": "Gender",
    "age_band": "Age band",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
    "lgbt_characteristic": "LGBT+",
    "crime_type": "Crime type",
    "non_binary": "Non-binary",
    "antisocial_behaviour": "Anti-social behaviour",
    "burglary_residential": "Residential burglary",
    "stalking_harassment": "Stalking and harassment",
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
    "sexual_offence": "Sexual offence",
    "criminal_damage": "Criminal damage",
    "vehicle_crime": "Vehicle crime",
    "yes": "Yes",
    "no": "No",
    "unknown": "Not recorded",
    "0-17": "Under 18",
    "75+": "75 and over",
    "referred": "Referred",
    "contacted": "Contacted",
    "assessed": "Assessed",
    "supported": "Given a service",
    "completed": "Completed support",
    "first_contact": "First contact overdue",
    "agency_acceptance": "Agency acceptance overdue",
    "mental_health_contact": "NHS mental health contact overdue",
}


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def readable(code) -> str:
    if missing(code):
        return "Not recorded"
    text = str(code)
    return NAMES.get(text, text.replace("_", " ").capitalize())


def characteristic_name(code: str) -> str:
    return NAMES["lgbt_characteristic"] if code == "lgbt" else readable(code)


def characteristic_words(code: str) -> str:
    """The characteristic inside a sentence: 'age band', 'ethnic group', 'LGBT+'."""
    name = characteristic_name(code)
    return name if name.isupper() or "+" in name else name.lower()


NBSP = "\u00a0"


def parameter_value(value, unit: str) -> str:
    """A register value with its unit: '£16,900 per WELLBY', '35%', '2 working days',
    joined by no-break spaces so that a number never wraps away from its unit."""
    if missing(value):
        return "–"
    unit = str(unit or "")
    if unit.startswith("GBP"):
        text = f"{gbp(value)} {unit[3:].strip()}".strip()
    elif "share" in unit or "per year" in unit or "reduction" in unit:
        text = f"{float(value) * 100:.3g}%"
    else:
        text = f"{float(value):g} {unit}".strip()
    return text.replace(" ", NBSP)


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, str(status).replace("_", " ").capitalize())


def percent(value, digits: int = 1) -> str:
    if missing(value):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def count(value) -> str:
    if missing(value):
        return "–"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.1f}"


def gbp(value) -> str:
    """£ to three significant figures, in full (£264,000) or with m/bn above a million."""
    if missing(value):
        return "–"
    number = float(value)
    sign = "-" if number < 0 else ""
    amount = float(f"{abs(number):.3g}")
    if amount >= 1e9:
        return f"{sign}£{amount / 1e9:.3g}bn"
    if amount >= 1e6:
        return f"{sign}£{amount / 1e6:.3g}m"
    if amount >= 100:
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:.3g}"


def ratio(value) -> str:
    if missing(value):
        return "–"
    return f"£{float(value):.2f}"


def days(value) -> str:
    if missing(value):
        return "–"
    return f"{float(value):.1f} working days"


def value_text(value, unit: str) -> str:
    if unit == "rate":
        return percent(value)
    if unit == "gbp":
        return gbp(value)
    if unit == "ratio":
        return ratio(value)
    if unit == "median_working_days":
        return days(value)
    return count(value)


def change_text(current, previous, unit: str) -> str:
    """'+3.1 points', '-£12,000', '+4'; an en dash when either side is missing."""
    if missing(current) or missing(previous):
        return "–"
    difference = float(current) - float(previous)
    sign = "+" if difference > 0 else ("-" if difference < 0 else "±")
    size = abs(difference)
    if unit == "rate":
        return f"{sign}{size * 100:.1f} points"
    if unit == "gbp":
        return f"{sign}{gbp(size)}"
    if unit == "ratio":
        return f"{sign}£{size:.2f}"
    if unit == "median_working_days":
        return f"{sign}{size:.1f} days"
    return f"{sign}{count(size)}"


def interval_text(low, high) -> str:
    if missing(low) or missing(high):
        return "–"
    return f"{float(low) * 100:.1f}–{float(high) * 100:.1f}%"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"
