"""Which month counts a person-level outcome: the cohort month rule, read from the
catalogue.

An outcome counted per record has, in `data/indicator_catalogue.csv`, the mart it is
counted from (`record_table`), its base and success flag columns there, and its
`cohort_month`: outcomes at and after the end of support count in the month the referral
closed, the family survey in its survey month, the revictimisation and timeliness
outcomes in the month of referral, homes made safer in the month of the first target
hardening, and the agency standards in the month the agency referral was sent. The
queries, the reports and the published release read these tables; the SQL models read
the same catalogue column for the indicator tables.
"""

from __future__ import annotations

from metrics.catalogue import COHORT_COLUMNS, read_catalogue


def _outcomes(table: str) -> dict[str, tuple[str, str, str]]:
    catalogue = read_catalogue()
    rows = catalogue[catalogue["record_table"] == table]
    return {
        row.indicator_id: (row.base_flag, row.success_flag, COHORT_COLUMNS[row.cohort_month])
        for row in rows.itertuples(index=False)
    }


# indicator -> (base flag, success flag, cohort month column) in marts.fct_referrals
REFERRAL_OUTCOMES = _outcomes("fct_referrals")
# indicator -> (base flag, success flag, cohort month column) in the agency referrals mart
AGENCY_REFERRAL_OUTCOMES = _outcomes("agency_referrals")
PERSON_OUTCOMES = {**REFERRAL_OUTCOMES, **AGENCY_REFERRAL_OUTCOMES}


def cohort_month(indicator: str) -> str:
    """The month column of the indicator's cohort (KeyError for one not counted per record)."""
    return PERSON_OUTCOMES[indicator][2]
