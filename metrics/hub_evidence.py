"""The hub's own evidence: the "hub evidence" scenario and projected against observed.

Spec: evidence.md, section 4. From the sums in marts.hub_evidence (one row per estimate,
referral group and month closed; x and y as that model describes):

* wellbeing drop-off: persistence = mean(follow-up - intake) / mean(exit - intake) over
  completed referrals with all three life_satisfaction scores; drop-off = 1 - persistence,
  clamped to [0, 1]; no value if mean(exit - intake) <= 0;
* NHS deadweight: R = sum(pre_6m - post_6m) / sum(pre_6m) for a group;
  deadweight_nhs = clamp(R_c / R_s, 0, 1), c the comparison group (declined or
  unable_to_contact), s the completed referrals; no value unless R_s > 0.

Each estimate needs `min_paired_n` referrals (in each group); below that it is not offered
and the reason says so. Intervals are 95 % delta-method intervals of a ratio of sums
(R = sum y / sum x has variance sum (y - R x)^2 / (n - 1) / (n mean(x)^2)), clamped like
the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from metrics.formatting import parameter_name

Z95 = 1.959963984540054
COMPARISON_CAVEAT = (
    "people who decline support or cannot be contacted differ from those who take it "
    "(they may have needed it less, or more), so this is a comparison, not a control group"
)
FOLLOW_UP_CAVEAT = (
    "only people who answered a follow-up a year or more after closing count; people who "
    "answer may be those who did better"
)


@dataclass(frozen=True)
class Sums:
    """Sums over referrals of x, y, x^2, y^2 and x y."""

    n: int = 0
    x: float = 0.0
    y: float = 0.0
    xx: float = 0.0
    yy: float = 0.0
    xy: float = 0.0

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.x + other.x, self.y + other.y,
                    self.xx + other.xx, self.yy + other.yy, self.xy + other.xy)


@dataclass(frozen=True)
class Estimate:
    """A setting estimated from the hub's records, or why there is none (value None)."""

    parameter: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    caveat: str
    reason: str = ""
    n_comparison: int | None = None


def sums_of(frame: pd.DataFrame, estimate: str, group: str,
            window_passed: bool | None = None) -> Sums:
    """Pool the rows of marts.hub_evidence for one estimate and referral group."""
    if frame is None or frame.empty:
        return Sums()
    rows = frame[(frame["estimate"] == estimate) & (frame["referral_group"] == group)]
    if window_passed is not None:
        rows = rows[rows["window_passed"] == window_passed]
    if rows.empty:
        return Sums()
    return Sums(int(rows["referrals"].sum()), *(float(rows[c].sum()) for c in (
        "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy")))


def ratio(s: Sums) -> tuple[float, float]:
    """(sum y / sum x, its delta-method variance); needs n >= 2 and sum x != 0."""
    r = s.y / s.x
    residual = s.yy - 2 * r * s.xy + r * r * s.xx  # sum of (y - r x)^2
    mean_x = s.x / s.n
    variance = max(residual, 0.0) / (s.n - 1) / (s.n * mean_x * mean_x)
    return r, variance


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def wellbeing_dropoff(s: Sums, min_n: int) -> Estimate:
    """drop-off = 1 - mean(follow-up - intake) / mean(exit - intake), clamped to [0, 1]."""
    name = "dropoff_wellbeing"
    if s.n < max(min_n, 2):
        return Estimate(name, None, None, None, s.n, FOLLOW_UP_CAVEAT,
                        f"only {s.n} people with life satisfaction at intake, exit and a "
                        f"follow-up a year on (at least {min_n} needed)")
    if s.x <= 0:
        return Estimate(name, None, None, None, s.n, FOLLOW_UP_CAVEAT,
                        "life satisfaction did not rise on average from intake to exit, so "
                        "there is nothing to drop off")
    persistence, variance = ratio(s)
    half = Z95 * math.sqrt(variance)
    return Estimate(name, _clamp(1 - persistence), _clamp(1 - persistence - half),
                    _clamp(1 - persistence + half), s.n, FOLLOW_UP_CAVEAT)


def nhs_deadweight(completed: Sums, comparison: Sums, min_n: int) -> Estimate:
    """deadweight_nhs = clamp(R_c / R_s, 0, 1): the comparison group's fall in NHS use as a
    share of the completed referrals' fall."""
    name = "deadweight_nhs"
    short = [f"{label} {s.n}" for label, s in (("completed", completed),
                                                ("comparison", comparison))
             if s.n < max(min_n, 2)]
    if short:
        return Estimate(name, None, None, None, completed.n, COMPARISON_CAVEAT,
                        f"too few people with comparable NHS records ({', '.join(short)}; "
                        f"at least {min_n} in each group needed)", comparison.n)
    if completed.x <= 0 or comparison.x <= 0:
        return Estimate(name, None, None, None, completed.n, COMPARISON_CAVEAT,
                        "no NHS contacts before support in a group", comparison.n)
    r_s, var_s = ratio(completed)
    r_c, var_c = ratio(comparison)
    if r_s <= 0:
        return Estimate(name, None, None, None, completed.n, COMPARISON_CAVEAT,
                        "NHS use did not fall for completed referrals, so no share of a "
                        "fall can be deadweight", comparison.n)
    value = r_c / r_s
    variance = var_c / r_s**2 + r_c**2 * var_s / r_s**4
    half = Z95 * math.sqrt(variance)
    return Estimate(name, _clamp(value), _clamp(value - half), _clamp(value + half),
                    completed.n, COMPARISON_CAVEAT, "", comparison.n)


def hub_estimates(frame: pd.DataFrame, min_n: int) -> dict[str, Estimate]:
    """The hub-evidence settings from marts.hub_evidence (every month up to the as-of)."""
    return {
        "dropoff_wellbeing": wellbeing_dropoff(
            sums_of(frame, "wellbeing_persistence", "completed"), min_n),
        "deadweight_nhs": nhs_deadweight(
            sums_of(frame, "nhs_change", "completed"),
            sums_of(frame, "nhs_change", "comparison"), min_n),
    }


def evidence_scenario(central: dict[str, float], frame: pd.DataFrame | None
                      ) -> tuple[dict[str, Estimate], dict[str, float] | None]:
    """The hub's estimates and the hub-evidence settings (None: not offered), the
    threshold being the register's min_paired_n (no row, no scenario)."""
    min_n = central.get("min_paired_n")
    if frame is None or min_n is None:
        return {}, None
    estimates = hub_estimates(frame, int(min_n))
    return estimates, hub_settings(central, estimates)


def describe(e: Estimate, register_central: float | None) -> str:
    """One estimate in words, with its n, interval and caveat (or why there is none)."""
    if e.value is None:
        return f"{parameter_name(e.parameter)}: not estimated ({e.reason})."
    groups = (f"{e.n} completed and {e.n_comparison} declined or not contactable"
              if e.n_comparison is not None else f"{e.n} people")
    shipped = (f"; register central {register_central:.2f}" if register_central is not None
               else "")  # to the estimate's own two decimals, to compare like with like
    return (f"{parameter_name(e.parameter)}: {e.value:.2f} (95% interval {e.low:.2f} to "
            f"{e.high:.2f}; n = {groups}{shipped}). Caveat: {e.caveat}.")


def hub_settings(central: dict[str, float], estimates: dict[str, Estimate]
                 ) -> dict[str, float] | None:
    """Every central setting except those the hub's records estimate; None when none can
    be estimated (the scenario is then not offered)."""
    found = {k: e.value for k, e in estimates.items() if e.value is not None}
    return {**central, **found} if found else None


@dataclass(frozen=True)
class Calibration:
    """Projected at closure against what the follow-ups imply, per month closed."""

    table: pd.DataFrame  # month, referrals, projected, observed, observed_low, observed_high
    projected: float
    observed: float
    observed_low: float
    observed_high: float
    n: int

    @property
    def verdict(self) -> str:
        if self.n == 0:
            return "no cohort's follow-up window has passed yet"
        if math.isnan(self.observed_low):
            return "too few referrals with later records to judge the projections"
        if self.projected > self.observed_high:
            return "projections ran high: the later records imply less than was projected"
        if self.projected < self.observed_low:
            return "projections ran low: the later records imply more than was projected"
        return "projections were within the interval of what the later records imply"


def _interval(s: Sums) -> tuple[float, float]:
    """95 % interval of sum y (n times the mean's interval)."""
    if s.n < 2:
        return math.nan, math.nan
    variance = max(s.yy - s.y * s.y / s.n, 0.0) / (s.n - 1)
    half = Z95 * math.sqrt(variance * s.n)
    return s.y - half, s.y + half


CALIBRATED = {
    # estimate in marts.hub_evidence -> (words, what "observed" is)
    "wellbeing_persistence": ("wellbeing", "the life satisfaction change at a follow-up a "
                              "year or more after closing"),
    "nhs_first_year": ("NHS", "the NHS contacts the post_12m records show, where the "
                       "first year was projected from six months"),
    "prevention": ("prevention", "the repeat crimes recorded within 12 months against the "
                   "register's repeat rate"),
}


def calibration(frame: pd.DataFrame, estimate: str, value_per_unit: float) -> Calibration:
    """For each month closed whose window has passed: the value projected (x) beside the
    value the later records imply (y), over the same referrals, both x `value_per_unit`
    (wellbeing: £ per point of life satisfaction after deadweight, attribution and the
    annuity; NHS: the share of gross £ kept after deadweight, attribution and the
    annuity)."""
    columns = ["month", "referrals", "projected", "observed", "observed_low", "observed_high"]
    rows = []
    total = Sums()
    if frame is not None and not frame.empty:
        passed = frame[(frame["estimate"] == estimate)
                       & (frame["referral_group"] == "completed") & frame["window_passed"]]
        for row in passed.sort_values("month").itertuples(index=False):
            s = Sums(int(row.referrals), row.sum_x, row.sum_y, row.sum_xx, row.sum_yy,
                     row.sum_xy)
            total = total + s
            low, high = _interval(s)
            rows.append([row.month, s.n, s.x * value_per_unit, s.y * value_per_unit,
                         low * value_per_unit, high * value_per_unit])
    low, high = _interval(total)
    return Calibration(pd.DataFrame(rows, columns=columns), total.x * value_per_unit,
                       total.y * value_per_unit, low * value_per_unit,
                       high * value_per_unit, total.n)


def wellbeing_calibration(frame: pd.DataFrame, value_per_point: float) -> Calibration:
    """The wellbeing value projected at closure (intake to exit) beside the value the
    follow-up a year on implies (intake to follow-up), over the same people."""
    return calibration(frame, "wellbeing_persistence", value_per_point)


def nhs_calibration(frame: pd.DataFrame, kept_share: float) -> Calibration:
    """The NHS value projected from six months (2 x the six-month change) beside the value
    the twelve-month records show, over the same referrals."""
    return calibration(frame, "nhs_first_year", kept_share)


def prevention_calibration(frame: pd.DataFrame) -> Calibration:
    """The crime cost in the total projected for referrals with target hardening beside
    what the repeat_crimes rows imply (the register's repeat rate less the repeats
    recorded within 12 months), valued at the same cost per crime."""
    return calibration(frame, "prevention", 1.0)
