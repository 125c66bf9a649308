"""How numbers, statuses, codes and dates are written: the one place these rules live.

The dashboard (`dashboard/formatting.py` adds Markdown and HTML escaping), the reports
(`metrics/report/text.py` adds report-only wording) and the public release all use it.

* counts with thousands separators (`1,234`; a fraction keeps one decimal);
* money in £ to three significant figures, rounded half up: `£156`, `£49.3`, `£60.0k`,
  `£1.91m`, `£2.00bn` (£999.5 reads `£1.00k`, £9,995 `£10.0k`, £999,500 `£1.00m`);
* percentages with one decimal (`58.3%`) unless a caller asks for fewer;
* a missing value is an en dash (`–`), never `£0` or `0`; a status is a word ("No
  data", "Not yet measurable", "Nobody in the base"), never a number;
* codes become words through one table (`NAMES`): `unknown` (and a missing code) is
  "Not recorded" everywhere.

Returned strings are plain text: callers escape them for Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

NO_VALUE = "–"  # a figure that has no value (missing, not yet measurable, no base)
SUPPRESSED_MARK = "[c]"  # a table cell hidden by disclosure control
NOT_RECORDED = "Not recorded"

STATUS_WORDS = {
    "no_data": "No data",
    "not_yet_measurable": "Not yet measurable",
    "empty_base": "Nobody in the base",
    "suppressed": "Suppressed (small number)",
    "withheld": "Suppressed (small number)",
    "not_published": "Not published",
}
STATUS_MEANINGS = {
    "no_data": "the extract does not hold what this figure needs",
    "not_yet_measurable": "the follow-up window of the period's cohort has not closed by the "
    "as-of date (or the date the data are complete to)",
    "empty_base": "nobody qualified for the base in the period: not the same as 0",
    "suppressed": "too few people to publish without risk of identifying someone",
    "withheld": "too few people to publish without risk of identifying someone",
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
    "unknown": NOT_RECORDED,
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
    "recorded_victims": "police-recorded victims",
    "residents": "residents",
}
# words for the column names a reader sees in a table (the data downloads keep the names)
COLUMN_NAMES = {
    "table_name": "Table",
    "file_name": "File",
    "column_name": "Column",
    "rows_read": "Rows read",
    "rows_loaded": "Rows loaded",
    "rows_quarantined": "Rows quarantined",
    "rows_with_value": "Rows with a value",
    "share_with_value": "Share with a value",
    "in_file": "Column in the file",
    "has_values": "Has values",
    "present": "File in the extract",
    "kind": "Kind",
    "rule": "Rule",
    "rows": "Rows",
    "indicator_id": "Indicator",
    "requires": "Measures needed",
    "agency": "Agency",
    "status": "Status",
    "numerator": "Count",
    "denominator": "Base",
    "ci_low": "95% interval from",
    "ci_high": "95% interval to",
    "referral_id": "Referral id",
    "agency_referral_id": "Agency referral id",
    "responsible_agency": "Responsible agency",
    "start_date": "Started",
    "deadline_date": "Deadline",
    "working_days_past_deadline": "Working days past the deadline",
    "days_past_deadline": "Calendar days past the deadline",
    "stage": "Stage",
}
PARAMETER_PREFIXES = (("unit_cost_", "Unit cost: "), ("repeat_rate_", "Repeat rate: "),
                      ("crime_cost_residual_", "Residual crime cost: "),
                      ("crime_cost_", "Crime cost: "))
PARAMETER_NAMES = {"wellby_value_gbp": "Value of a WELLBY (£)",
                   "situational_prevention_effect": "Prevention effect",
                   "situational_prevention_effect_burglary": "Prevention effect, burglary",
                   "displacement_prevention": "Displacement"}
NBSP = "\u00a0"


def missing(value) -> bool:
    """None, NaN (or a value that reads as NaN)."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


# --- words for codes and statuses -----------------------------------------------------------


def readable(code) -> str:
    """A readable name for a code such as `nhs_mental_health` (plain text, not escaped)."""
    if missing(code):
        return NOT_RECORDED
    text = str(code)
    return NAMES.get(text, text.replace("_", " ").capitalize())


def column_name(name) -> str:
    """Words for a column name such as `rows_read` ("Rows read")."""
    text = str(name)
    return COLUMN_NAMES.get(text, text.replace("_", " ").capitalize())


def characteristic_name(code: str) -> str:
    return NAMES["lgbt_characteristic"] if code == "lgbt" else readable(code)


def characteristic_words(code: str) -> str:
    """The characteristic inside a sentence: 'age band', 'ethnic group', 'LGBT+'."""
    name = characteristic_name(code)
    return name if name.isupper() or "+" in name else name.lower()


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


def status_label(status: str) -> str:
    """The words for a status: 'No data', 'Not yet measurable', 'Nobody in the base'."""
    return STATUS_WORDS.get(status, str(status).replace("_", " ").capitalize())


def status_cell(status: str) -> str:
    """What a table cell shows for a status: its words, or `[c]` where disclosure control
    hid the figure."""
    if status in ("suppressed", "withheld"):
        return SUPPRESSED_MARK
    return status_label(status)


# --- numbers --------------------------------------------------------------------------------


HALF_PENNY = 0.005


def _three_figures(amount: float) -> Decimal:
    """A non-negative amount rounded half up to three significant figures."""
    exact = Decimal(repr(float(amount)))
    if exact == 0:
        return exact
    step = Decimal(1).scaleb(exact.adjusted() - 2)
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def gbp(value) -> str:
    """£ to three significant figures: £156, £49.3, £60.0k, £1.91m, £2.00bn; `–` if missing.

    The amount is rounded first and the unit chosen from the rounded amount, so £999.5 is
    £1.00k and £999,500 is £1.00m. Below £1,000 trailing zeros are dropped (£12, £0.5)."""
    if missing(value):
        return NO_VALUE
    number = float(value)
    if abs(number) < HALF_PENNY:
        # Sums of gains and losses that cancel leave floating-point dust (1e-10): no pounds
        # figure is finer than a penny, so anything under half a penny is £0, never £0.0000…
        return "£0"
    sign = "-" if number < 0 else ""
    amount = _three_figures(abs(number))
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"),
                         (Decimal(10) ** 3, "k")):
        if amount >= size:
            scaled = amount / size
            decimals = max(0, 3 - len(str(int(scaled))))
            return f"{sign}£{scaled:,.{decimals}f}{suffix}"
    text = format(amount.normalize(), "f") if amount else "0"
    return f"{sign}£{text}"


def percent(value, digits: int = 1) -> str:
    """A share as a percentage: 0.583 -> '58.3%'; `–` if missing."""
    if missing(value):
        return NO_VALUE
    return f"{float(value) * 100:.{digits}f}%"


def count(value) -> str:
    """1234 -> '1,234'; a fraction keeps one decimal ('2.5'); `–` if missing."""
    if missing(value):
        return NO_VALUE
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.1f}"


def ratio(value) -> str:
    """£ of value per £ of funding: '£1.23'."""
    if missing(value):
        return NO_VALUE
    return f"£{float(value):,.2f}"


def days(value) -> str:
    if missing(value):
        return NO_VALUE
    return f"{float(value):,.1f} working days"


def value_text(value, unit: str) -> str:
    """A figure in its unit (rate, gbp, ratio, median_working_days; else a count)."""
    if unit == "rate":
        return percent(value)
    if unit == "gbp":
        return gbp(value)
    if unit == "ratio":
        return ratio(value)
    if unit == "median_working_days":
        return days(value)
    return count(value)


def change_text(current, previous, unit: str) -> str | None:
    """'+3.1 points', '-£12.0k', '+4' on the earlier figure; '±' when the change shows as
    nothing at the precision written; None when either side is missing."""
    if missing(current) or missing(previous):
        return None
    difference = float(current) - float(previous)
    size = abs(difference)
    if unit == "rate":
        text = f"{size * 100:.1f} points"
        shown = round(size * 100, 1)
    elif unit == "gbp":
        text, shown = gbp(size), float(_three_figures(size))
    elif unit == "ratio":
        text, shown = ratio(size), round(size, 2)
    elif unit == "median_working_days":
        text, shown = f"{size:,.1f} days", round(size, 1)
    else:
        text = count(size)
        shown = size if float(size).is_integer() else round(size, 1)
    sign = "±" if shown == 0 else ("+" if difference > 0 else "-")
    return f"{sign}{text}"


def interval_text(low, high) -> str:
    """A 95% interval of a rate: '12.3–45.6%'."""
    if missing(low) or missing(high):
        return NO_VALUE
    return f"{float(low) * 100:.1f}–{float(high) * 100:.1f}%"


def parameter_value(value, unit: str) -> str:
    """A register value with its unit: '£16.9k per WELLBY', '35%', '2 working days',
    joined by no-break spaces so that a number never wraps away from its unit."""
    if missing(value):
        return NO_VALUE
    unit = str(unit or "")
    if unit.startswith("GBP"):
        text = f"{gbp(value)} {unit[3:].strip()}".strip()
    elif "share" in unit or "per year" in unit or "reduction" in unit:
        text = f"{float(value) * 100:.3g}%"
    else:
        text = f"{float(value):g} {unit}".strip()
    return text.replace(" ", NBSP)


def money_note(price_year: str) -> str:
    return f"projected, £ at {price_year} prices" if price_year else "projected"


# --- dates ----------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """'7 December 2026'."""
    return f"{day.day} {day.strftime('%B %Y')}"


def short_date(day: dt.date) -> str:
    """'28 Aug 2026'."""
    return f"{day.day} {day.strftime('%b %Y')}"


def month_words(months) -> str:
    """Months in words, runs of consecutive months joined: 'Dec 2025 to Apr 2026 and Jun
    2026' (each month a date, or anything pandas reads as one)."""
    import pandas as pd

    stamps = sorted({pd.Timestamp(m).to_period("M") for m in months})
    runs: list[list] = []
    for month in stamps:
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return " and ".join(
        run[0].strftime("%b %Y") if len(run) == 1
        else f"{run[0].strftime('%b %Y')} to {run[-1].strftime('%b %Y')}" for run in runs
    )
