"""The value-for-money section the PCC review and the manager pack share (spec:
evidence.md section 4): public-sector savings and social value apart, each per £1 of
funding, the share resting on the wellbeing value, the hub-evidence scenario with its n,
projected against observed, the crime costs left out, and a hub's own register beside
the shipped one. Recomputed from marts.valuation_inputs with metrics.valuation, as the
dashboard's value-for-money page does, so the two show the same figures."""

from __future__ import annotations

import pandas as pd

from metrics import hub_evidence, valuation
from metrics import register_listing as listing
from metrics.catalogue import value_indicator
from metrics.formatting import month_words
from metrics.period import add_months, month_range
from metrics.period_figures import latest_whole_window
from metrics.report import data
from metrics.report import text as fmt
from metrics.report.content import Context
from metrics.report.overrides import table as overrides_table
from metrics.report.render import Cell, Section, Table

# how far back the section looks for a measurable window when the period has none
LOOK_BACK_MONTHS = 60

MEASURES = (
    ("Public-sector savings", "money", lambda r: r.savings),
    ("Social value", "money", lambda r: r.social),
    ("Total public value", "money", lambda r: r.total),
    ("Savings per £1 of funding", "ratio", lambda r: r.savings_per_pound),
    ("Social value per £1 of funding", "ratio", lambda r: r.social_per_pound),
    ("Share resting on the wellbeing value", "share", lambda r: r.wellbeing_share),
)


def _cell(value: float, kind: str) -> Cell:
    if kind == "money":
        return Cell(fmt.gbp(value), "money")
    if kind == "ratio":
        return Cell(fmt.ratio(value), "number")
    return Cell(fmt.percent(value, 0), "number")


def _latest_window(ctx: Context, period):
    """The latest window of the period's length, ending no later than it, in which every
    month of the value-for-money total is measurable (or None)."""
    rows = data.indicator_rows(ctx.con, add_months(period.last, -LOOK_BACK_MONTHS),
                               period.last)
    return latest_whole_window(rows[rows["agency"] == "all"], value_indicator("total"),
                               len(period.month_list), period.last)


def latest_total_words(ctx: Context, period) -> str:
    """'; latest measurable 3 months (Feb 2026 to Apr 2026): £92.3k' for the value total of
    a period not yet measurable (the months the value section counts instead), or ''."""
    window = _latest_window(ctx, period)
    if window is None:
        return ""
    rows = data.indicator_rows(ctx.con, window.first, window.last)
    mine = rows[(rows["agency"] == "all") & (rows["indicator_id"] == value_indicator("total"))
                & (rows["status"] == "ok")]
    months = month_range(window.first, window.last).month_list
    return (f"; latest measurable {len(months)} months "
            f"({month_words(months)}): {fmt.gbp(mine['value'].sum())}")


def section(ctx: Context) -> Section:
    """The value-for-money evidence section for the report's period."""
    period = ctx.period
    params = data.parameters(ctx.con)
    inputs = valuation.inputs_from(data.valuation_inputs(ctx.con, period.first, period.last))
    stand_in = ""
    if not inputs.months:
        # evidence.md, section 2: not only a status where an earlier window of the same
        # length is measurable: the section counts the latest such window, and says so
        window = _latest_window(ctx, period)
        if window is not None:
            stand_in = (f"{period.title()} is not yet measurable (no month has every "
                        f"component measurable); this section counts instead the latest "
                        f"{len(period.month_list)} months in which every part of the value "
                        f"is measurable, {month_words(month_range(window.first, window.last).month_list)}. ")
            period = month_range(window.first, window.last)
            inputs = valuation.inputs_from(data.valuation_inputs(ctx.con, period.first,
                                                                 period.last))
    months_text = valuation.months_counted(inputs, len(period.month_list))
    central = valuation.settings(params, "central")
    results = {s: valuation.compute(inputs, valuation.settings(params, s))
               for s in ("low", "central", "high")}
    evidence = data.hub_evidence(ctx.con)
    estimates, hub_settings = hub_evidence.evidence_scenario(central, evidence)
    if hub_settings is not None:
        results["hub evidence"] = valuation.compute(inputs, hub_settings)
    checks = {
        "wellbeing": hub_evidence.wellbeing_calibration(
            evidence, valuation.value_per_point(central)),
        "NHS": hub_evidence.nhs_calibration(evidence, valuation.nhs_kept_share(central)),
        "prevention": hub_evidence.prevention_calibration(evidence),
    }
    base_year = ctx.build.price_base_year or "base-year"

    paragraphs = [
        f"{stand_in}Recomputed for {period.title()}; this section {months_text}.",
    ]
    if inputs.months:
        paragraphs.append(
            f"Central scenario: {valuation.split_text(results['central'])}. Public-sector "
            "savings are NHS cost avoided and the police and criminal justice costs of "
            "crimes prevented (demand avoided, not cash); social value is the wellbeing "
            "(WELLBY) value and the other crime costs that the wellbeing and NHS terms do "
            "not already count.")
    left_out = valuation.crime_types_left_out(results["central"])
    if left_out:
        paragraphs.append("Crime costs: " + "; ".join(left_out) + ".")
    crime_rows = params[params["name"].str.startswith(("crime_cost_response_",
                                                       "crime_cost_residual_"))]
    unverified = crime_rows[crime_rows["status"] != "verified"]
    if len(unverified):
        paragraphs.append(
            f"{len(unverified)} of the {len(crime_rows)} crime cost rows in the total are "
            "unverified (read second-hand, to be confirmed against the Home Office "
            "publication); their sources are in the parameters table.")
    paragraphs.append(
        "Hub evidence scenario: " + (
            "every central setting except those the hub's own records estimate "
            "(never replacing central). " if hub_settings is not None else
            "not offered: none of its settings could be estimated. ")
        + " ".join(hub_evidence.describe(e, central.get(name)) for name, e in estimates.items())
        + (" With a benefit period of one year (central), drop-off changes nothing."
           if central.get("benefit_years_wellbeing") == 1 else ""))
    for label, check in checks.items():
        paragraphs.append(
            f"Projected against observed ({label}, {check.n} referrals in cohorts whose "
            f"window has passed): {check.verdict}"
            + (f" (projected {fmt.gbp(check.projected)}, observed {fmt.gbp(check.observed)}, "
               f"95% interval {fmt.gbp(check.observed_low)} to "
               f"{fmt.gbp(check.observed_high)})" if check.n else "") + ".")

    names = list(results)
    scenarios = Table(
        "value_split",
        f"Savings and social value per scenario (projected, £ at {base_year} prices)",
        ["Measure", *[n.capitalize() for n in names]],
        [[Cell(label), *[_cell(getter(results[n]), kind) for n in names]]
         for label, kind, getter in MEASURES],
        [f"Counts {len(inputs.months)} of the period's {len(period.month_list)} months "
         "(those where every component is measurable)."],
    )
    blocks: list = [scenarios]
    for label, check in checks.items():
        if not check.n:
            continue
        blocks.append(Table(
            f"value_calibration_{label.lower()}",
            f"{label[0].upper()}{label[1:]} value projected against what the later records "
            "imply",
            ["Month closed", "Referrals", "Projected", "Observed", "95% interval"],
            [[Cell(pd.Timestamp(r.month).strftime("%b %Y")), Cell(fmt.count(r.referrals),
                                                                 "number"),
              Cell(fmt.gbp(r.projected), "money"), Cell(fmt.gbp(r.observed), "money"),
              Cell(f"{fmt.gbp(r.observed_low)} to {fmt.gbp(r.observed_high)}")]
             for r in check.table.itertuples(index=False)],
            [f"Verdict: {check.verdict}."],
        ))
    overrides = data.register_overrides(ctx.con)
    if not overrides.empty:
        paragraphs.append(listing.summary(overrides))
        blocks.append(overrides_table(overrides))
    return Section("value_evidence", "Value for money: savings, social value and evidence",
                   paragraphs, blocks)
