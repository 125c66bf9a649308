"""The cases past a deadline as a manager reads them: the agency whose standard is missed
named in words, dates as dates and the time past the deadline in working days (the unit
of the standards themselves)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt

DATE_COLUMNS = ("start_date", "deadline_date")
DESCRIPTION = (
    "Working days past the deadline: working days (Monday to Friday, less the bank "
    "holidays of England and Wales) after the deadline up to and including the as-of "
    "date, as the standards count them; 0 means the deadline passed on the last working "
    "day before an as-of date that falls on a weekend or bank holiday. The responsible "
    "agency is the one whose standard is missed: the lead agency for a first contact, "
    "the receiving agency for an agency referral. Contains pseudonymous case ids: keep "
    "within the hub."
)


def shown(listed: pd.DataFrame) -> pd.DataFrame:
    """The list as displayed: agencies in words, dates as dates (no time of day)."""
    out = listed.copy()
    if "responsible_agency" in out.columns:
        out["responsible_agency"] = [fmt.readable(a) for a in out["responsible_agency"]]
    for column in DATE_COLUMNS:
        if column in out.columns:
            out[column] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in out[column]]
    return out


def column_config() -> dict:
    return {
        "start_date": st.column_config.DateColumn("Started", format="D MMM YYYY"),
        "deadline_date": st.column_config.DateColumn("Deadline", format="D MMM YYYY"),
        "working_days_past_deadline": st.column_config.NumberColumn(
            "Working days past the deadline", format="%d"),
    }
