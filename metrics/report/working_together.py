"""The working-together section of the monthly meeting pack and of the PCC review
(evidence.md, sections 5 and 6): do the agencies work as one service, and where does it
break? Where does the hub reach?

* the three working-together rates for the whole hub (the catalogue's `by_area`
  indicators: cases worked on by two or more agencies, redirected referrals picked up
  within 10 working days, people who felt listened to at exit) with base and interval;
* the flow of agency referrals from the lead agency to each partner over the period
  (sent, accepted, declined, redirected, withdrawn, pending, median working days to
  acceptance) and a sentence on where it breaks (the partner accepting the smallest
  share; redirected referrals no agency picked up in time);
* by area: people referred and the three rates for every area among the victims (an
  area with nobody in a base is said so, never 0), and the areas whose rate lies below
  the whole hub's beyond chance (95% Wilson interval wholly below it); in the PCC review,
  whose area counts are rounded, the range of the areas shown instead.

The reads are the dashboard's (`metrics.queries`) with the report's audience: the
manager pack sees exact counts; the PCC review gets them disclosure-controlled (small
areas and cuts by a sensitive partner hidden and rounded), as on the PCC dashboard.
"""

from __future__ import annotations

import pandas as pd

from metrics import queries
from metrics.catalogue import catalogue, flagged
from metrics.disclosure.rules import ROUNDING_BASE, SENSITIVE_THRESHOLD, THRESHOLD
from metrics.report import text as fmt
from metrics.report.content import Context, base_cell, figure_row, interval_cell, value_cell
from metrics.report.render import Cell, Section, Table

RATES = flagged("by_area")  # the working-together rates, in catalogue order
# the rate counted by the redirect's outcome month: redirected referrals picked up in time
REDIRECTS = next(
    (r["indicator_id"] for r in catalogue().to_dict("records")
     if r["indicator_id"] in RATES and r["cohort_month"] == "redirect"), None)
LEAD = "victim_support"
NOT_RECORDED = "unknown"
FLOW_OUTCOMES = queries.FLOW_OUTCOMES


def _shown(value, hidden: str) -> Cell:
    if value is None or pd.isna(value):
        return Cell(hidden, "status")
    return Cell(fmt.count(value), "number")


def _days(value) -> Cell:
    if value is None or pd.isna(value):
        return Cell(fmt.NO_VALUE, "status")
    return Cell(fmt.days(value), "number")


def rates_table(ctx: Context, current: pd.DataFrame) -> Table:
    rows = []
    for indicator in RATES:
        row = figure_row(current, indicator)
        rows.append([Cell(ctx.title(indicator)), value_cell(row, "rate"),
                     base_cell(row, "rate"), interval_cell(row, "rate")])
    return Table(
        "working_together_rates",
        f"Working together: the whole hub, {ctx.period.title()}",
        ["Indicator", "Value", "Base", "95% interval"],
        rows,
        notes=[f"Source: {ctx.source}."],
    )


def flow_table(ctx: Context, flow: pd.DataFrame, hidden: str) -> Table:
    rows = []
    for r in flow.sort_values("to_agency").itertuples():
        rows.append([
            Cell(fmt.readable(r.to_agency)),
            _shown(r.sent, hidden),
            *(_shown(getattr(r, o), hidden) for o in FLOW_OUTCOMES),
            _days(r.median_days_to_acceptance),
        ])
    sent = flow["sent"].sum(min_count=1)
    some_hidden = flow["sent"].isna().any()
    return Table(
        "working_together_flow",
        f"Agency referrals from the lead agency to each partner, {ctx.period.title()}",
        ["Partner", "Sent", *(o.capitalize() for o in FLOW_OUTCOMES),
         "Median working days to acceptance"],
        rows,
        notes=[
            f"Base: {fmt.count(sent) if pd.notna(sent) else hidden} agency referrals sent in "
            "the period (month sent)"
            + (" to the partners whose count is shown" if some_hidden else "")
            + ". Pending: no outcome by the as-of date. Working days exclude weekends and "
            "bank holidays.",
            f"Source: {ctx.source}.",
        ],
    )


def where_it_breaks(ctx: Context, current: pd.DataFrame, flow: pd.DataFrame) -> list[str]:
    """Sentences: the partner accepting the smallest share of what it was sent, and the
    redirected referrals no agency picked up within 10 working days."""
    out = []
    partners = flow[(flow["to_agency"] != LEAD) & flow["sent"].notna()
                    & flow["accepted"].notna() & (flow["sent"] > 0)]
    share = partners["accepted"] / partners["sent"]
    if not partners.empty and share.min() == 1:
        out.append("Every partner accepted every referral it was sent (of those shown).")
    elif not partners.empty:
        low = partners.loc[share.idxmin()]
        out.append(
            f"Where it breaks: {fmt.readable(low['to_agency'])} accepted the smallest share "
            f"of the referrals it was sent ({fmt.percent(share.min())}, "
            f"{fmt.count(low['accepted'])} of {fmt.count(low['sent'])}); the "
            "others declined, redirected, withdrawn or pending are in the table.")
    row = figure_row(current, REDIRECTS) if REDIRECTS else None
    if row is not None and row["status"] == "ok" and row["denominator"]:
        missed = row["denominator"] - row["numerator"]
        out.append(
            f"{fmt.count(missed)} of {fmt.count(row['denominator'])} redirected referrals "
            "were not picked up by another agency within 10 working days." if missed else
            f"Every redirected referral ({fmt.count(row['denominator'])}) was picked up by "
            "another agency within 10 working days.")
    return out


def _area_rates(con, audience: str, filters: queries.Filters) -> dict[str, pd.DataFrame]:
    return {i: queries.collaboration_by_area(con, audience, filters, indicator=i)
            for i in RATES}


def _rate_cell(row: pd.Series | None, hidden: str) -> Cell:
    if row is None:
        return Cell(fmt.status_word("no_data"), "status")
    if row["status"] == "suppressed":
        return Cell(hidden, "status")
    if row["status"] != "ok":
        return Cell(fmt.status_word(row["status"]), "status")
    return Cell(f"{fmt.percent(row['value'])} of {fmt.count(row['denominator'])}", "rate")


def area_table(ctx: Context, reach: pd.DataFrame, rates: dict[str, pd.DataFrame],
               hidden: str) -> Table:
    by_area = {i: frame.set_index("area") for i, frame in rates.items()}
    rows = []
    for r in reach.itertuples():
        label = fmt.readable(r.area) if r.area == NOT_RECORDED else r.area
        cells = [Cell(label), _shown(r.persons, hidden)]
        for indicator in RATES:
            frame = by_area[indicator]
            cells.append(_rate_cell(frame.loc[r.area] if r.area in frame.index else None,
                                    hidden))
        rows.append(cells)
    return Table(
        "working_together_areas",
        f"By area: people referred and the working-together rates, {ctx.period.title()}",
        ["Area", "People referred", *(ctx.title(i) for i in RATES)],
        rows,
        notes=[
            "By the area on the victim's record; every area among the hub's victims is "
            "listed ('Not recorded': no area on the record). A rate reads 'value of base'; "
            "an area with nobody in a base says so, never 0.",
            f"Base: {fmt.count(reach['total_persons'].iloc[0])} people referred in the "
            "period. "
            f"Source: {ctx.source}.",
        ],
    )


def _range_text(ctx: Context, indicator: str, frame: pd.DataFrame, hub: pd.Series) -> str:
    """With rounded counts (PCC) an interval is not exact: the range of the areas shown."""
    shown = frame[(frame["status"] == "ok") & (frame["area"] != NOT_RECORDED)]
    whole = f"the whole hub {fmt.percent(hub['value'])}"
    if shown.empty:
        return f"{ctx.title(indicator)}: no area shown (small numbers); {whole}."
    low, high = shown.loc[shown["value"].idxmin()], shown.loc[shown["value"].idxmax()]
    if len(shown) == 1:
        return (f"{ctx.title(indicator)}: {fmt.percent(low['value'])} in {low['area']}, the "
                f"only area shown; {whole}.")
    return (f"{ctx.title(indicator)}: from {fmt.percent(low['value'])} ({low['area']}) to "
            f"{fmt.percent(high['value'])} ({high['area']}) across the {len(shown)} areas "
            f"shown; {whole}.")


def area_highlights(ctx: Context, current: pd.DataFrame, reach: pd.DataFrame,
                    rates: dict[str, pd.DataFrame], exact: bool = True) -> list[str]:
    """Where the hub reaches, and for each rate the areas below the whole hub beyond
    chance (exact counts) or the range of the areas shown (rounded counts)."""
    out = []
    recorded = reach[(reach["area"] != NOT_RECORDED) & reach["persons"].notna()]
    if not recorded.empty and recorded["persons"].max() > 0:
        top = recorded.loc[recorded["persons"].idxmax()]
        nobody = int((recorded["persons"] == 0).sum())
        out.append(
            f"Most people referred came from {top['area']} ({fmt.count(top['persons'])}, "
            f"{fmt.percent(top['share'])})"
            + (f"; nobody was referred from {nobody} area{'s' if nobody > 1 else ''}."
               if nobody else "; people were referred from every area."))
    for indicator, frame in rates.items():
        hub = figure_row(current, indicator)
        if hub is None or hub["status"] != "ok":
            continue
        if not exact:
            out.append(_range_text(ctx, indicator, frame, hub))
            continue
        below = []
        for r in frame[(frame["status"] == "ok") & (frame["area"] != NOT_RECORDED)].itertuples():
            interval = queries.wilson_interval(r.numerator, r.denominator)
            if interval and interval[1] < hub["value"]:
                below.append(f"{r.area} ({fmt.percent(r.value)} of {fmt.count(r.denominator)})")
        if below:
            out.append(f"{ctx.title(indicator)}: below the whole hub "
                       f"({fmt.percent(hub['value'])}) beyond chance in " + ", ".join(below)
                       + ".")
        else:
            out.append(f"{ctx.title(indicator)}: no area below the whole hub "
                       f"({fmt.percent(hub['value'])}) beyond chance.")
    return out


def section(ctx: Context, current: pd.DataFrame, audience: str) -> Section:
    """The working-together section of a report for `audience` (manager or pcc)."""
    hidden = fmt.status_word("suppressed") if audience == "pcc" else fmt.NO_VALUE
    filters = queries.Filters(ctx.period.first, ctx.period.last)
    paragraphs = [
        "The hub is one service from several agencies: Victim Support assesses, then passes "
        "people on to the partners. Do the agencies work as one service, where does it "
        "break, and where does the hub reach?"
    ]
    blocks: list = [rates_table(ctx, current)]
    try:
        flow = queries.agency_flow(con := ctx.con, audience, filters)
        reach = queries.referrals_by_area(con, audience, filters)
        rates = _area_rates(con, audience, filters)
    except queries.NotInWarehouse:
        paragraphs.append("The warehouse has no working-together tables: rebuild it with "
                          "this version of hubvalue.")
        return Section("working_together", "Working together", paragraphs, blocks)
    paragraphs += where_it_breaks(ctx, current, flow) if not flow.empty else [
        "No agency referrals were sent in the period."]
    if not flow.empty:
        blocks.append(flow_table(ctx, flow, hidden))
    if (reach["area"] != NOT_RECORDED).any():
        paragraphs += area_highlights(ctx, current, reach, rates, audience == "manager")
        blocks.append(area_table(ctx, reach, rates, hidden))
    else:
        paragraphs.append("No victim has an area recorded: no figures by area.")
    if audience == "pcc":
        paragraphs.append(
            "Counts by area and for the flow to a sensitive partner are disclosure-controlled: "
            f"counts under {THRESHOLD} (under {SENSITIVE_THRESHOLD} "
            f"for a sensitive partner) hidden as {hidden}, the rest rounded to the nearest "
            f"{ROUNDING_BASE}.")
    return Section("working_together", "Working together", paragraphs, blocks)

