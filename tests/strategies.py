"""Hypothesis strategies for small, valid hub extracts.

``extracts()`` draws ``(tables, as_of, coverage)`` where ``tables`` maps a
contract table name to a list of row dicts that obey the contract: unique keys,
every parent present, date orders (reported <= referral <= contact, assessment,
closure; sent <= outcome), closure_reason present if and only if closed_date is,
no date after the as-of date, at most one intake and one exit per referral, one
survey per referral, one health_use row per (referral, window). Rows are what
``tests.support.warehouse_from_rows`` accepts.

Dates cluster where the definitions have edges: bank holidays and the days
around them, month ends, the as-of date, and exactly 365/366 days or six months
after a referral or closure. Optional tables may be left out and optional
columns dropped from every row, so ``no_data`` is exercised too.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from metrics import calendar, contract
from metrics.reference_data import swemwbs_conversion

# As-of dates at edges: month ends, just after Christmas and New Year, Easter,
# a late-summer bank holiday, the first working day after a long weekend.
AS_OF_DATES = (
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 4),
    dt.date(2026, 12, 29),
    dt.date(2027, 3, 31),
    dt.date(2027, 3, 30),
    dt.date(2027, 2, 28),
    dt.date(2026, 8, 31),
    dt.date(2026, 9, 1),
    dt.date(2027, 6, 1),
    dt.date(2027, 1, 1),
    # Leap days in the windows: 2023-03-01 + 365 days = 2024-02-29, one year later is
    # 2024-03-01; 2023-08-31 + 6 months = 2024-02-29.
    dt.date(2024, 3, 1),
    dt.date(2024, 2, 29),
    dt.date(2025, 3, 1),
    # A month's last day + 6 calendar months, where 183 days would fall later.
    dt.date(2026, 10, 30),
    dt.date(2027, 5, 30),
)
AS_OF_RANGE = (dt.date(2024, 1, 1), dt.date(2027, 12, 31))
SPAN_DAYS = 820  # referrals reach back far enough for 12-month windows to close

METRIC_BY_RAW = dict(
    zip(swemwbs_conversion()["raw"].tolist(), swemwbs_conversion()["metric"].tolist(), strict=True)
)
HOLIDAYS = tuple(calendar.bank_holidays(2021, 2028))


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    ends = []
    year, month = first.year, first.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        end = following - dt.timedelta(days=1)
        if end > last:
            return ends
        if end >= first:
            ends.append(end)
        year, month = following.year, following.month


def edge_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """Bank holidays and the two days either side, month ends and the day after, in range."""
    around = [h + dt.timedelta(days=k) for h in HOLIDAYS for k in range(-2, 3)]
    around += [e + dt.timedelta(days=k) for e in _month_ends(first, last) for k in (0, 1)]
    return sorted({d for d in around if first <= d <= last})


def dates_between(first: dt.date, last: dt.date) -> st.SearchStrategy[dt.date]:
    """A date in [first, last], often at an edge."""
    edges = edge_dates(first, last)
    uniform = st.dates(min_value=first, max_value=last)
    if not edges:
        return uniform
    return st.one_of(uniform, st.sampled_from(edges))


@st.composite
def later_date(draw, start: dt.date, as_of: dt.date, steps=(0, 1, 2, 3, 4, 5, 7, 10)):
    """start + a small step (edges of 'within N working days'), or None if past as_of."""
    step = draw(st.sampled_from(steps))
    day = start + dt.timedelta(days=step)
    return day if day <= as_of else None


def _maybe(draw, strategy, none_share: float = 0.25):
    """A value from the strategy, or None about none_share of the time."""
    if draw(st.integers(0, 99)) < none_share * 100:
        return None
    return draw(strategy)


def _drop_absent_columns(rows: list[dict], table: str, keep: dict[str, bool]) -> list[dict]:
    optional = [c.name for c in contract.TABLES_BY_NAME[table].columns if c.optional_column]
    dropped = {c for c in optional if not keep.get(c, True)}
    return [{k: v for k, v in row.items() if k not in dropped} for row in rows]


@st.composite
def _referral(draw, index: int, victim_ids: list[str], as_of: dt.date, focus: list) -> dict:
    # Referrals bunch around a few focus dates, so cohort months hold several people.
    where = draw(st.integers(0, 7))
    if where == 0:
        referral_date = draw(dates_between(as_of - dt.timedelta(days=SPAN_DAYS), as_of))
    elif where == 1:  # just before the as-of date: deadlines pending, passed or due on it
        referral_date = as_of - dt.timedelta(days=draw(st.integers(0, 6)))
    else:
        near = draw(st.sampled_from(focus)) + dt.timedelta(days=draw(st.integers(0, 25)))
        referral_date = min(near, as_of)
    reported = None
    if draw(st.booleans()):
        reported = referral_date - dt.timedelta(days=draw(st.sampled_from((0, 1, 2, 3, 4, 6))))
    crime_date = None
    if reported is not None and draw(st.booleans()):
        crime_date = reported - dt.timedelta(days=draw(st.integers(0, 10)))
    consent = None
    if draw(st.booleans()):
        # Usually after the report (the police waited for it), now and then after the referral.
        anchor = reported if reported is not None else referral_date
        consent = min(anchor + dt.timedelta(days=draw(st.integers(-1, 5))), as_of)
    first_contact = _maybe(draw, later_date(referral_date, as_of), 0.3)
    assessment = _maybe(draw, later_date(referral_date, as_of, steps=(0, 3, 9, 20)), 0.4)
    closed = None
    if draw(st.integers(0, 4)) > 0:
        closed_step = draw(
            st.one_of(st.integers(0, 400), st.sampled_from((0, 1, 27, 28, 30, 31, 59, 90)))
        )
        closed = referral_date + dt.timedelta(days=closed_step)
        if closed > as_of:
            closed = None
    return {
        "referral_id": f"r{index}",
        "victim_id": draw(st.sampled_from(victim_ids)),
        "crime_type": draw(st.sampled_from(contract.CRIME_TYPES)),
        "hate_crime": draw(st.booleans()),
        "domestic_abuse": draw(st.booleans()),
        "enhanced_rights": draw(st.booleans()),
        "source": draw(st.sampled_from(("police",) * 3 + contract.REFERRAL_SOURCES)),
        "crime_date": crime_date,
        "reported_date": reported,
        "consent_date": consent,
        "referral_date": referral_date,
        "first_contact_date": first_contact,
        "assessment_date": assessment,
        "closed_date": closed,
        "closure_reason": (
            None
            if closed is None
            else draw(st.sampled_from(("support_completed",) * 6 + contract.CLOSURE_REASONS[1:]))
        ),
    }


def _score(draw, low: int, high: int):
    # The top of a 1..5 scale is drawn often: "both at 5" counts as a positive change.
    if high == 5 and draw(st.integers(0, 3)) == 0:
        return 5
    return _maybe(draw, st.integers(low, high), 0.2)


@st.composite
def _assessment(draw, referral: dict, stage: str, as_of: dt.date, index: int) -> dict | None:
    anchor = referral["referral_date"]
    if stage in ("exit", "follow_up") and referral["closed_date"] is not None:
        anchor = referral["closed_date"]
    day = anchor + dt.timedelta(days=draw(st.integers(0, 400 if stage == "follow_up" else 30)))
    if day > as_of:
        return None
    swemwbs = _maybe(draw, st.integers(7, 35), 0.3)
    metric = None
    if swemwbs is None and draw(st.booleans()):
        metric = draw(st.sampled_from(sorted(METRIC_BY_RAW.values())))
    elif swemwbs is not None and draw(st.integers(0, 3)) == 0:
        # Stored beside the raw sum: usually its conversion, now and then not.
        metric = METRIC_BY_RAW[swemwbs]
        if draw(st.integers(0, 2)) == 0:
            metric = draw(st.sampled_from(sorted(METRIC_BY_RAW.values())))
    return {
        "assessment_id": f"a{index}",
        "referral_id": referral["referral_id"],
        "stage": stage,
        "assessment_date": day,
        "swemwbs": swemwbs,
        "swemwbs_metric": metric,
        "life_satisfaction": _maybe(draw, st.integers(0, 10)),
        "health_wellbeing": _score(draw, 1, 5),
        "safety": _score(draw, 1, 5),
        "coping": _score(draw, 1, 5),
        "information_choices": _score(draw, 1, 5),
        "daily_activities": _score(draw, 1, 5),
    }


@st.composite
def _health_row(draw, referral: dict, window: str, source: str) -> dict:
    row = {"referral_id": referral["referral_id"], "window": window, "source": source}
    for column in contract.NHS_CONTACT_COLUMNS:
        row[column] = _maybe(draw, st.integers(0, 4), 0.2)
    return row


@st.composite
def _service(draw, referral: dict, as_of: dt.date, index: int) -> dict | None:
    # The contract does not tie start_date to the referral: now and then it comes first.
    start = referral["referral_date"] + dt.timedelta(
        days=draw(st.sampled_from((-3, 0, 1, 2, 5, 14, 30, 45)))
    )
    if start > as_of:
        return None
    end = _maybe(draw, later_date(start, as_of, steps=(0, 7, 30)), 0.4)
    return {
        "service_id": f"s{index}",
        "referral_id": referral["referral_id"],
        "agency": draw(st.sampled_from(contract.AGENCIES)),
        "service_type": draw(st.sampled_from(("target_hardening",) * 4 + contract.SERVICE_TYPES)),
        "start_date": start,
        "end_date": end,
        "cost_gbp": _maybe(draw, st.sampled_from((0.0, 12.5, 150.0)), 0.5),
    }


@st.composite
def _agency_referral(draw, referral: dict, as_of: dt.date, index: int) -> dict | None:
    sent = referral["referral_date"] + dt.timedelta(days=draw(st.integers(0, 10)))
    if sent > as_of:
        return None
    outcome = draw(st.sampled_from(contract.AGENCY_OUTCOMES))
    outcome_date = None
    if outcome != "pending":
        outcome_date = sent + dt.timedelta(days=draw(st.integers(0, 9)))
        if outcome_date > as_of:
            outcome = "pending"
            outcome_date = None
    return {
        "agency_referral_id": f"ar{index}",
        "referral_id": referral["referral_id"],
        "agency": draw(st.sampled_from(contract.AGENCIES)),
        "sent_date": sent,
        "outcome": outcome,
        "outcome_date": outcome_date,
        "first_contact_date": _maybe(draw, later_date(sent, as_of), 0.5),
        "ended_date": None,
    }


@st.composite
def _exit_survey(draw, referral: dict, as_of: dt.date) -> dict | None:
    anchor = referral["closed_date"] or referral["referral_date"]
    day = anchor + dt.timedelta(days=draw(st.integers(-2, 20)))  # no order rule in the contract
    if day > as_of:
        return None
    goals_set = _maybe(draw, st.integers(0, 4), 0.2)
    achieved = None
    if goals_set is not None:
        achieved = _maybe(draw, st.integers(0, goals_set), 0.2)
    return {
        "referral_id": referral["referral_id"],
        "survey_date": day,
        "satisfaction": _maybe(draw, st.integers(1, 5), 0.2),
        "listened_to": _maybe(draw, st.integers(1, 5), 0.2),
        "family_benefited": _maybe(draw, st.sampled_from(contract.YES_NO_UNKNOWN), 0.2),
        "goals_set": goals_set,
        "goals_achieved": achieved,
    }


@st.composite
def _repeat_crimes(draw, referrals: list[dict], victim_ids: list[str], as_of: dt.date):
    first = as_of - dt.timedelta(days=SPAN_DAYS)
    crimes = []
    for _ in range(draw(st.integers(0, 3))):
        crimes.append((draw(st.sampled_from(victim_ids)), draw(dates_between(first, as_of))))
    # Crimes at the window's edges: same day, 365 and 366 days after a referral.
    for referral in referrals:
        if draw(st.booleans()):
            step = draw(st.sampled_from((0, 1, 200, 364, 365, 365, 366, 366)))
            day = referral["referral_date"] + dt.timedelta(days=step)
            if day <= as_of:
                crimes.append((referral["victim_id"], day))
    return [
        {
            "crime_ref": f"c{i}",
            "victim_id": victim_id,
            "crime_date": day,
            "crime_type": draw(st.sampled_from(contract.CRIME_TYPES)),
        }
        for i, (victim_id, day) in enumerate(crimes)
    ]


@st.composite
def _coverage(draw, as_of: dt.date) -> dict[str, dt.date] | None:
    if draw(st.booleans()):
        return None
    coverage = {}
    for table in ("repeat_crimes", "health_use"):
        if draw(st.booleans()):
            back = draw(st.sampled_from((0, 1, 15, 30, 31, 45, 61, 92)))
            coverage[table] = as_of - dt.timedelta(days=back)
    return coverage or None


def _optional_columns(draw, table: str) -> dict[str, bool]:
    """Which optional columns are in the file (most of the time, all of them)."""
    optional = [c.name for c in contract.TABLES_BY_NAME[table].columns if c.optional_column]
    if draw(st.integers(0, 3)) > 0:
        return dict.fromkeys(optional, True)
    keep = {name: draw(st.booleans()) for name in optional}
    if table == "referrals":  # closure_reason is present if and only if closed_date is
        keep["closure_reason"] = keep["closed_date"]
    return keep


@st.composite
def extracts(draw, max_referrals: int = 12):
    """(tables, as_of, coverage): a small valid extract and its build settings."""
    as_of = draw(st.one_of(st.sampled_from(AS_OF_DATES), st.dates(*AS_OF_RANGE)))
    # Mostly one victim per referral or two, so a repeat crime decides one referral's outcome.
    victim_ids = [f"v{i}" for i in range(draw(st.integers(1, max_referrals)))]
    first = as_of - dt.timedelta(days=SPAN_DAYS)
    focus = draw(st.lists(dates_between(first, as_of), min_size=1, max_size=3))
    n_referrals = draw(st.integers(1, max_referrals))
    referrals = [draw(_referral(i, victim_ids, as_of, focus)) for i in range(n_referrals)]

    assessments, health, services, agency_referrals, surveys = [], [], [], [], []
    for referral in referrals:
        for stage in ("intake", "exit", "review", "follow_up"):
            if draw(st.integers(0, 7)) > (0 if stage in ("intake", "exit") else 5):
                row = draw(_assessment(referral, stage, as_of, len(assessments)))
                if row is not None:
                    assessments.append(row)
        if draw(st.booleans()):
            source = draw(st.sampled_from(contract.HEALTH_SOURCES))
            for window in contract.HEALTH_WINDOWS:
                if draw(st.integers(0, 4)) > 0:
                    other = draw(st.integers(0, 5)) == 0  # now and then not comparable
                    row_source = draw(st.sampled_from(contract.HEALTH_SOURCES)) if other else source
                    health.append(draw(_health_row(referral, window, row_source)))
        for _ in range(draw(st.integers(0, 2))):
            row = draw(_service(referral, as_of, len(services)))
            if row is not None:
                services.append(row)
        if draw(st.integers(0, 2)) == 0:
            row = draw(_agency_referral(referral, as_of, len(agency_referrals)))
            if row is not None:
                agency_referrals.append(row)
        if draw(st.booleans()):
            row = draw(_exit_survey(referral, as_of))
            if row is not None:
                surveys.append(row)

    victims = [
        {
            "victim_id": victim_id,
            "age_band": draw(st.sampled_from(contract.AGE_BANDS)),
            "gender": draw(st.sampled_from(contract.GENDERS)),
            "ethnic_group": draw(st.sampled_from(contract.ETHNIC_GROUPS)),
            "disability": draw(st.sampled_from(contract.YES_NO_UNKNOWN)),
            "lgbt": draw(st.sampled_from(contract.YES_NO_UNKNOWN)),
        }
        for victim_id in victim_ids
    ]
    tables = {
        "victims": victims,
        "referrals": _drop_absent_columns(
            referrals, "referrals", _optional_columns(draw, "referrals")
        ),
    }
    optional_tables = {
        "assessments": assessments,
        "health_use": health,
        "services": services,
        "agency_referrals": agency_referrals,
        "exit_surveys": surveys,
        "repeat_crimes": draw(_repeat_crimes(referrals, victim_ids, as_of)),
    }
    for name, rows in optional_tables.items():
        if draw(st.integers(0, 5)) > 0:  # present most of the time
            tables[name] = _drop_absent_columns(rows, name, _optional_columns(draw, name))
    return tables, as_of, draw(_coverage(as_of))
