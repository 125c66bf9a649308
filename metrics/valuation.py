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
  hardening x repeat rate x prevention effect x (1 - displacement_prevention) x unit cost,
  shown for information; only the parts the other terms do not count enter the total:
  crime_cost_response_<crime_type> (police and criminal justice) and
  crime_cost_residual_<crime_type> (the other non-overlapping components);
* total = wellbeing + NHS + crime response + crime residual; value per pound = total /
  funding;
* public-sector savings = NHS + crime response; social value = wellbeing + crime
  residual (HM Treasury Green Book; spec evidence.md section 4), each per £1 of funding,
  and the share of the total resting on the wellbeing value.

A(T, d, r) = sum for t = 0 .. T-1 of (1 - d)^t / (1 + r)^t, T a whole number of years
(metrics.register.annuity_factor, the one Python copy of the SQL's rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from metrics.formatting import month_words, percent, ratio, readable, status_label
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


CRIME_RESPONSE_STEP = "Crime response (saving)"
CRIME_OTHER_STEP = "Crime, other (social value)"
# which part of the total each parameter moves (the tornado labels its bars with it)
SAVINGS, SOCIAL = "public-sector savings", "social value"


def part_moved(name: str) -> str:
    """The part of the total a parameter moves: savings, social value or both."""
    if name in NHS_PARAMETERS or name.startswith("crime_cost_response_"):
        return SAVINGS
    if name in WELLBEING_PARAMETERS or name.startswith("crime_cost_residual_"):
        return SOCIAL
    return "both"  # the prevention settings scale both crime parts


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
    crime_residual: float  # the crime cost in the total: response + other components
    total: float
    per_pound: float
    prevention_estimate: float
    residual_missing: tuple[str, ...]  # crime types with neither row: out of the total
    crime_response: float = 0.0  # police and criminal justice: a public-sector saving
    crime_other: float = 0.0  # other non-overlapping components: social value
    funding: float = math.nan
    response_missing: tuple[str, ...] = ()
    other_missing: tuple[str, ...] = ()

    @property
    def savings(self) -> float:
        """Public-sector savings: NHS cost avoided + police and criminal justice costs."""
        return self.nhs + self.crime_response

    @property
    def social(self) -> float:
        """Social value: the wellbeing value + the other non-overlapping crime costs."""
        return self.wellbeing + self.crime_other

    @property
    def savings_per_pound(self) -> float:
        return self.savings / self.funding if self.funding else math.nan

    @property
    def social_per_pound(self) -> float:
        return self.social / self.funding if self.funding else math.nan

    @property
    def wellbeing_share(self) -> float:
        """The share of the total that rests on the wellbeing value (NaN if no total)."""
        return self.wellbeing / self.total if self.total else math.nan


@dataclass(frozen=True)
class _Crime:
    estimate: float = 0.0
    cost: float = 0.0
    response: float = 0.0
    other: float = 0.0
    missing: tuple[str, ...] = ()  # neither row
    response_missing: tuple[str, ...] = ()
    other_missing: tuple[str, ...] = ()


def _crime(inputs: Inputs, s: dict[str, float]) -> _Crime:
    estimate = cost = response = other = 0.0
    no_response, no_other = set(), set()
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
        if f"crime_cost_response_{crime_type}" in s:
            response += spared * s[f"crime_cost_response_{crime_type}"]
        else:
            no_response.add(crime_type)
        if f"crime_cost_residual_{crime_type}" in s:
            other += spared * s[f"crime_cost_residual_{crime_type}"]
        else:
            no_other.add(crime_type)
    return _Crime(estimate, cost, response, other, tuple(sorted(no_response & no_other)),
                  tuple(sorted(no_response)), tuple(sorted(no_other)))


def _prevention(inputs: Inputs, s: dict[str, float]) -> tuple[float, float, float, list[str]]:
    """(victims spared, full crime cost, the part in the total, crime types left out)."""
    crime = _crime(inputs, s)
    return crime.estimate, crime.cost, crime.response + crime.other, list(crime.missing)


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
    crime = _crime(inputs, s)
    residual = crime.response + crime.other
    total = wellbeing + nhs + residual
    per_pound = total / inputs.funding if inputs.funding else math.nan
    return Result(wellbeing, nhs, crime.cost, residual, total, per_pound, crime.estimate,
                  crime.missing, crime.response, crime.other,
                  inputs.funding if inputs.funding else math.nan,
                  crime.response_missing, crime.other_missing)


def waterfall(inputs: Inputs, s: dict[str, float]) -> list[tuple[str, float, str]]:
    """From gross first-year value to net public value, step by step."""
    w1, n1 = wellbeing_first_year(inputs, s), nhs_first_year(inputs, s)
    dw_w, dw_n = s["deadweight_wellbeing"], s["deadweight_nhs"]
    at_w, at_n = s["attribution_wellbeing"], s["attribution_nhs"]
    net_w, net_n = w1 * (1 - dw_w) * at_w, n1 * (1 - dw_n) * at_n
    t_w, t_n = math.floor(s["benefit_years_wellbeing"]), math.floor(s["benefit_years_nhs"])
    flat_w, flat_n = annuity(s, "wellbeing", 0.0), annuity(s, "nhs", 0.0)
    disc_w, disc_n = annuity(s, "wellbeing"), annuity(s, "nhs")
    crime = _crime(inputs, s)
    steps = [
        ("Gross change (year 1)", w1 + n1, "absolute"),
        ("Deadweight", -(w1 * dw_w + n1 * dw_n), "relative"),
        ("Attribution", -(w1 * (1 - dw_w) * (1 - at_w) + n1 * (1 - dw_n) * (1 - at_n)),
         "relative"),
        ("Later years", net_w * (t_w - 1) + net_n * (t_n - 1), "relative"),
        ("Drop-off", -(net_w * (t_w - flat_w) + net_n * (t_n - flat_n)), "relative"),
        ("Discounting", -(net_w * (flat_w - disc_w) + net_n * (flat_n - disc_n)), "relative"),
        (CRIME_RESPONSE_STEP, crime.response, "relative"),
        (CRIME_OTHER_STEP, crime.other, "relative"),
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
             *sorted(n for n in base if n.startswith(("repeat_rate_", "crime_cost_residual_",
                                                      "crime_cost_response_")))]
    for name in dict.fromkeys(names):
        if name not in low or low[name] == high[name]:
            continue
        low_total = compute(inputs, {**base, name: low[name]}).total
        high_total = compute(inputs, {**base, name: high[name]}).total
        rows.append({"parameter": name, "low_setting": low[name], "high_setting": high[name],
                     "low_total": low_total, "high_total": high_total,
                     "swing": abs(high_total - low_total), "moves": part_moved(name)})
    frame = pd.DataFrame(rows, columns=["parameter", "low_setting", "high_setting",
                                        "low_total", "high_total", "swing", "moves"])
    frame = frame[frame["swing"] > 0] if not frame.empty else frame
    frame.attrs["central_total"] = central_total
    return frame.sort_values("swing", ascending=False).reset_index(drop=True)


def split_text(r: Result) -> str:
    """The savings/social split of one result in words (the page and the reports)."""
    return (f"{ratio(r.savings_per_pound)} of public-sector savings and "
            f"{ratio(r.social_per_pound)} of social value per £1 of funding; "
            f"{percent(r.wellbeing_share, 0)} of the total rests on the wellbeing value")


def crime_types_left_out(r: Result) -> list[str]:
    """Sentences naming the crime types a part of the crime cost leaves out, and why."""
    out = []
    if r.residual_missing:
        out.append(f"no sourced response or other crime cost for {_types(r.residual_missing)}: "
                   "their crime costs stay out of the total")
    only_response = sorted(set(r.other_missing) - set(r.residual_missing))
    if only_response:
        out.append(f"no other non-overlapping cost for {_types(only_response)}")
    only_other = sorted(set(r.response_missing) - set(r.residual_missing))
    if only_other:
        out.append(f"no police and criminal justice cost for {_types(only_other)}")
    return out


def _types(types) -> str:
    return ", ".join(readable(str(t)).lower() for t in types)


def value_per_point(s: dict[str, float]) -> float:
    """The wellbeing value of one point of life satisfaction (after deadweight,
    attribution and the annuity): what the calibration multiplies changes by."""
    return compute(Inputs(life_satisfaction_change=1.0), s).wellbeing


def nhs_kept_share(s: dict[str, float]) -> float:
    """The share of the gross first-year NHS £ the value keeps (after deadweight,
    attribution and the annuity): what the NHS calibration multiplies £ by."""
    return (1 - s["deadweight_nhs"]) * s["attribution_nhs"] * annuity(s, "nhs")
