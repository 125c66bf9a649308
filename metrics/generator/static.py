"""The small tables that do not come from case records: funding and the comparison population.

Both scale with the hub's referral volume: about 55 GBP of grant per referral (a hub with 1,800
referrals a month gets about 100k GBP a month), and a population of police-recorded victims
and residents sized from the referrals of a year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from metrics import contract
from metrics.generator import shape
from metrics.generator.period import ExtractSpan
from metrics.generator.tables import schema

INT32_MAX = 2**31 - 1


def _financial_year(month: dt.date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def funding_table(rng: np.random.Generator, period: ExtractSpan, referrals: int) -> pa.Table:
    monthly_total = referrals / period.months * shape.FUNDING_PER_REFERRAL_GBP
    months = period.month_starts()
    years = sorted({_financial_year(m) for m in months})
    low, high = shape.FUNDING_YEAR_CHANGE
    year_factor = rng.uniform(low, high, size=(len(years), len(contract.AGENCIES)))
    chance, top_low, top_high = shape.FUNDING_MARCH_TOP_UP
    top_up = np.where(
        rng.random((len(years), len(contract.AGENCIES))) < chance,
        rng.uniform(top_low, top_high, size=(len(years), len(contract.AGENCIES))),
        0.0,
    )
    month_column, agency_column, amounts = [], [], []
    for month in months:
        year = years.index(_financial_year(month))
        for a, agency in enumerate(contract.AGENCIES):
            amount = monthly_total * shape.FUNDING_SHARES[agency] * year_factor[year, a]
            if month.month == 3:
                amount *= 1 + top_up[year, a]
            month_column.append(f"{month:%Y-%m}")
            agency_column.append(agency)
            amounts.append(float(round(amount)))
    return pa.Table.from_arrays(
        [pa.array(month_column), pa.array(agency_column), pa.array(amounts, pa.float64())],
        schema=schema("funding"),
    )


def population_table(rng: np.random.Generator, referrals_per_year: float) -> pa.Table:
    recorded = referrals_per_year * shape.RECORDED_VICTIMS_PER_REFERRAL
    residents = recorded * shape.RESIDENTS_PER_RECORDED_VICTIM
    bases, characteristics, categories, people = [], [], [], []
    for basis, total, shares_by_characteristic in (
        ("recorded_victims", recorded, shape.RECORDED_VICTIM_SHARES),
        ("residents", residents, shape.RESIDENT_SHARES),
    ):
        for characteristic, codes in contract.CHARACTERISTICS.items():
            shares = shares_by_characteristic[characteristic]
            for category in codes:
                if category == "unknown":
                    continue
                jitter = rng.uniform(0.97, 1.03)
                bases.append(basis)
                characteristics.append(characteristic)
                categories.append(category)
                people.append(min(int(round(total * shares[category] * jitter)), INT32_MAX))
    return pa.Table.from_arrays(
        [
            pa.array(bases),
            pa.array(characteristics),
            pa.array(categories),
            pa.array(people, pa.int32()),
        ],
        schema=schema("population"),
    )
