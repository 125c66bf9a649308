"""Value for money recomputed from the warehouse's per-month sums with any parameter changed.

The warehouse computes the monetised indicators with the register as built; the value
for money page lets a user change a parameter and see the figures move, without saving
anything. Every monetised figure is linear in a per-referral quantity, so sums over the
referrals of a period are enough (metrics.queries.valuation_inputs):

* wellbeing = sum(life satisfaction change) x wellby_value_gbp x (1 - deadweight_wellbeing)
  x attribution_wellbeing x A(benefit_years_wellbeing, dropoff_wellbeing,
  discount_rate_health);
* NHS = sum over contact types of sum(first-year change) x unit_cost_<type>
  x (1 - deadweight_nhs) x attribution_nhs x A(benefit_years_nhs, dropoff_nhs,
  discount_rate);
* crime avoided = sum over (crime type, domestic abuse) of referrals with target
  hardening x repeat rate x prevention effect x (1 - displacement_prevention) x unit cost;
  only the register's crime_cost_residual_<crime_type> enters the total;
* total = wellbeing + NHS + residual crime cost; value per pound = total / funding.

A(T, d, r) = sum for t = 0 .. T-1 of (1 - d)^t / (1 + r)^t, T a whole number of years
(metrics.register.annuity_factor, the one Python copy of the SQL's rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from metrics.formatting import month_words, status_label
from metrics.register import annuity_factor

NHS_CONTACT_TYPES = ("gp_appointments", "ae_attendances", "mental_health_crisis_contacts",
                     "ambulance_callouts", "nonelective_admissions")
SCENARIOS = ("low", "central", "high")
# why a month is left out: the first of these statuses any component has that month (the
# order the pooled status of a period follows)
EXCLUDED_ORDER = ("no_data", "not_yet_measurable", "empty_base")
# the parameters the valuation reads (the tornado varies each in turn)
WELLBEING_PARAMETERS = ("wellby_value_gbp", "deadweight_wellbeing", "attribution_wellbeing",
                        "dropoff_wellbeing", "benefit_years_wellbeing", "discount_rate_health")
NHS_PARAMETERS = ("deadweight_nhs", "attribution_nhs", "dropoff_nhs", "benefit_years_nhs",
                  "discount_rate", *(f"unit_cost_{t}" for t in NHS_CONTACT_TYPES))
PREVENTION_PARAMETERS = ("situational_prevention_effect", "situational_prevention_effect_burglary",
                         "displacement_prevention", "repeat_rate_domestic_abuse",
                         "repeat_rate_default")


# each benefit's annuity arguments: (years, drop-off, discount rate)
ANNUITY_SETTINGS = {
    "wellbeing": ("benefit_years_wellbeing", "dropoff_wellbeing", "discount_rate_health"),
    "nhs": ("benefit_years_nhs", "dropoff_nhs", "discount_rate"),
}


def annuity(s: dict[str, float], benefit: str, rate: float | None = None) -> float:
    """A(T, d, r) of the benefit from the settings (another discount rate if given)."""
    years, dropoff, discount = ANNUITY_SETTINGS[benefit]
    return annuity_factor(s[years], s[dropoff], s[discount] if rate is None else rate)


def settings_problem(s: dict[str, float]) -> str | None:
    """Why these settings cannot be valued (None if they can): the annuity's rules."""
    for benefit, names in ANNUITY_SETTINGS.items():
        try:
            annuity(s, benefit)
        except (TypeError, ValueError) as exc:
            return f"{', '.join(names)}: {exc}"
    return None


@dataclass(frozen=True)
class Inputs:
    """Sums over the months the total covers (every component measurable)."""

    life_satisfaction_change: float = 0.0
    wellbeing_people: int = 0
    nhs_change: dict = field(default_factory=dict)  # contact type -> sum of first-year change
    nhs_people: int = 0
    hardened: dict = field(default_factory=dict)  # (crime_type, domestic_abuse) -> referrals
    funding: float = 0.0
    months: tuple = ()
    months_excluded: tuple = ()
    why_excluded: dict = field(default_factory=dict)  # month left out -> its status


def _first_status(statuses) -> str:
    present = set(statuses)
    return next((s for s in EXCLUDED_ORDER if s in present), sorted(present)[0])


def inputs_from(frame: pd.DataFrame) -> Inputs:
    """Sum the per-month rows of valuation_inputs over the months where every monetised
    component is measurable (the months public_value_total_gbp counts)."""
    if frame.empty:
        return Inputs()
    months = sorted(frame["month"].unique())
    components = frame[frame["component"] != "funding"]
    not_ok = components[components["status"] != "ok"]
    bad = set(not_ok["month"])
    why = {month: _first_status(rows["status"]) for month, rows in not_ok.groupby("month")}
    kept = [m for m in months if m not in bad]
    if "status" in set(frame["component"]):
        # only months the warehouse has a status for (the indicator spine)
        spine = set(frame.loc[frame["component"] == "status", "month"])
        kept = [m for m in kept if m in spine]
    data = frame[frame["month"].isin(kept)]
    wellbeing = data[data["component"] == "wellbeing"]
    nhs = data[data["component"] == "nhs"]
    prevention = data[data["component"] == "prevention"]
    funding = data[data["component"] == "funding"]
    hardened: dict[tuple[str, bool], int] = {}
    for item, n in zip(prevention["item"], prevention["amount"], strict=True):
        crime_type, _, flag = str(item).partition("|")
        key = (crime_type, flag == "domestic_abuse")
        hardened[key] = hardened.get(key, 0) + int(n)
    nhs_people = nhs.groupby("month")["referrals"].max().sum() if not nhs.empty else 0
    return Inputs(
        life_satisfaction_change=float(wellbeing["amount"].sum()),
        wellbeing_people=int(wellbeing["referrals"].sum()),
        nhs_change={t: float(nhs.loc[nhs["item"] == t, "amount"].sum())
                    for t in NHS_CONTACT_TYPES},
        nhs_people=int(nhs_people),
        hardened=hardened,
        funding=float(funding["amount"].sum()),
        months=tuple(kept),
        months_excluded=tuple(sorted(bad)),
        why_excluded=why,
    )


def months_counted(inputs: Inputs, period_months: int) -> str:
    """The label every recomputed figure carries: which months of the period it counts
    (only those where every monetised component is measurable) and which it leaves out."""
    if not inputs.months:
        return f"none of the period's {period_months} months has every component measurable"
    text = (f"counts {len(inputs.months)} of the period's {period_months} months "
            f"({month_words(inputs.months)}), where every component is measurable")
    for status in EXCLUDED_ORDER:
        left_out = [m for m in inputs.months_excluded
                    if inputs.why_excluded.get(m, "not_yet_measurable") == status]
        if left_out:
            text += f"; left out, {status_label(status).lower()}: {month_words(left_out)}"
    return text


def settings(params: pd.DataFrame, scenario: str = "central",
             overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Parameter name -> value for one scenario column, with the user's changes on top."""
    values = {name: float(v) for name, v in zip(params["name"], params[scenario], strict=True)}
    values.update(overrides or {})
    return values


@dataclass(frozen=True)
class Result:
    wellbeing: float
    nhs: float
    crime_cost_avoided: float
    crime_residual: float
    total: float
    per_pound: float
    prevention_estimate: float
    residual_missing: tuple[str, ...]


def _prevention(inputs: Inputs, s: dict[str, float]) -> tuple[float, float, float, list[str]]:
    estimate = cost = residual = 0.0
    missing = set()
    for (crime_type, domestic_abuse), n in inputs.hardened.items():
        if domestic_abuse:
            repeat = s["repeat_rate_domestic_abuse"]
        else:
            repeat = s.get(f"repeat_rate_{crime_type}", s["repeat_rate_default"])
        effect = (s["situational_prevention_effect_burglary"]
                  if crime_type == "burglary_residential"
                  else s["situational_prevention_effect"])
        spared = n * repeat * effect * (1 - s["displacement_prevention"])
        estimate += spared
        cost += spared * s.get(f"crime_cost_{crime_type}", s["crime_cost_default"])
        if f"crime_cost_residual_{crime_type}" in s:
            residual += spared * s[f"crime_cost_residual_{crime_type}"]
        else:
            missing.add(crime_type)
    return estimate, cost, residual, sorted(missing)


def wellbeing_first_year(inputs: Inputs, s: dict[str, float]) -> float:
    return inputs.life_satisfaction_change * s["wellby_value_gbp"]


def nhs_first_year(inputs: Inputs, s: dict[str, float]) -> float:
    return sum(inputs.nhs_change.get(t, 0.0) * s[f"unit_cost_{t}"] for t in NHS_CONTACT_TYPES)


def compute(inputs: Inputs, s: dict[str, float]) -> Result:
    wellbeing = (wellbeing_first_year(inputs, s) * (1 - s["deadweight_wellbeing"])
                 * s["attribution_wellbeing"]
                 * annuity(s, "wellbeing"))
    nhs = (nhs_first_year(inputs, s) * (1 - s["deadweight_nhs"]) * s["attribution_nhs"]
           * annuity(s, "nhs"))
    estimate, cost, residual, missing = _prevention(inputs, s)
    total = wellbeing + nhs + residual
    per_pound = total / inputs.funding if inputs.funding else math.nan
    return Result(wellbeing, nhs, cost, residual, total, per_pound, estimate, tuple(missing))


def waterfall(inputs: Inputs, s: dict[str, float]) -> list[tuple[str, float, str]]:
    """From gross first-year value to net public value, step by step."""
    w1, n1 = wellbeing_first_year(inputs, s), nhs_first_year(inputs, s)
    dw_w, dw_n = s["deadweight_wellbeing"], s["deadweight_nhs"]
    at_w, at_n = s["attribution_wellbeing"], s["attribution_nhs"]
    net_w, net_n = w1 * (1 - dw_w) * at_w, n1 * (1 - dw_n) * at_n
    t_w, t_n = math.floor(s["benefit_years_wellbeing"]), math.floor(s["benefit_years_nhs"])
    flat_w, flat_n = annuity(s, "wellbeing", 0.0), annuity(s, "nhs", 0.0)
    disc_w, disc_n = annuity(s, "wellbeing"), annuity(s, "nhs")
    _, _, residual, _ = _prevention(inputs, s)
    steps = [
        ("Gross change (year 1)", w1 + n1, "absolute"),
        ("Deadweight", -(w1 * dw_w + n1 * dw_n), "relative"),
        ("Attribution", -(w1 * (1 - dw_w) * (1 - at_w) + n1 * (1 - dw_n) * (1 - at_n)),
         "relative"),
        ("Later years", net_w * (t_w - 1) + net_n * (t_n - 1), "relative"),
        ("Drop-off", -(net_w * (t_w - flat_w) + net_n * (t_n - flat_n)), "relative"),
        ("Discounting", -(net_w * (flat_w - disc_w) + net_n * (flat_n - disc_n)), "relative"),
        ("Crime costs (residual)", residual, "relative"),
    ]
    steps.append(("Net public value", sum(s[1] for s in steps), "total"))
    return steps


def tornado(inputs: Inputs, params: pd.DataFrame, overrides: dict[str, float] | None = None
            ) -> pd.DataFrame:
    """Total value with each parameter in turn at its low and its high setting (the others
    central, with the user's changes), widest swing first. Parameters whose low and high
    settings are equal are left out."""
    base = settings(params, "central", overrides)
    low = settings(params, "low")
    high = settings(params, "high")
    central_total = compute(inputs, base).total
    rows = []
    names = [*WELLBEING_PARAMETERS, *NHS_PARAMETERS, *PREVENTION_PARAMETERS,
             *sorted(n for n in base if n.startswith(("repeat_rate_", "crime_cost_residual_")))]
    for name in dict.fromkeys(names):
        if name not in low or low[name] == high[name]:
            continue
        low_total = compute(inputs, {**base, name: low[name]}).total
        high_total = compute(inputs, {**base, name: high[name]}).total
        rows.append({"parameter": name, "low_setting": low[name], "high_setting": high[name],
                     "low_total": low_total, "high_total": high_total,
                     "swing": abs(high_total - low_total)})
    frame = pd.DataFrame(rows, columns=["parameter", "low_setting", "high_setting",
                                        "low_total", "high_total", "swing"])
    frame = frame[frame["swing"] > 0] if not frame.empty else frame
    frame.attrs["central_total"] = central_total
    return frame.sort_values("swing", ascending=False).reset_index(drop=True)
