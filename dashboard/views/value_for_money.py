"""Value for money: projected public value in low, central and high scenarios, the steps
from gross change to net value, sensitivity to each assumption, and a what-if editor."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import charts, period_cells
from dashboard import formatting as fmt
from dashboard.data import current
from dashboard.indicators import figures
from dashboard.sources import source_line
from dashboard.ui import chart_block, guarded, page_header, table_block
from metrics import hub_evidence, valuation
from metrics.formatting import month_words
from metrics.period import month_range

OVERRIDES_KEY = "vfm_overrides"
WHAT_IF_OPEN = "vfm_what_if_open"
EDITABLE = {
    "Wellbeing": valuation.WELLBEING_PARAMETERS,
    "NHS demand": valuation.NHS_PARAMETERS,
    "Prevention": valuation.PREVENTION_PARAMETERS,
}

view = current()
price_year = view.build_value("price_base_year") or ""
page_header(
    view, "Value for money",
    "What the hub's outcomes are worth to the public purse and to society, **projected** "
    f"at closure and shown in low, central and high scenarios, in £ at {fmt.md(price_year)} "
    "prices. Public value is co-created, so it is shown for the whole hub only. Every "
    "assumption is listed with its source below; change one to see the figures move "
    "(nothing is saved).",
)
if view.filters.agency != "all":
    st.info("Value for money is for the whole hub only: the agency filter does not apply here.")

params = guarded(view, "parameters")
catalogue = guarded(view, "catalogue")
if params is None or catalogue is None:
    st.stop()

if not view.money:
    st.warning("Monetisation is switched off (sidebar). The projected values on this page "
               "are hidden; the outcomes they rest on are on the theme pages.")
    st.stop()

hub = view.filters.__class__(view.filters.first, view.filters.last, "all", "all")
summary = guarded(view, "indicator_summary", hub)

built = figures(summary, catalogue) if summary is not None else {}
total_id = "public_value_total_gbp"
period_words = view.period.title()
total_built = built.get(total_id)
if total_built is not None and not total_built.shown:
    # evidence.md, section 2: never only a status where an earlier window of the same
    # length is measurable: the page shows the latest such window, and says so
    window = period_cells.latest_whole_window(total_id, guarded(view, "indicator_trend", hub),
                                              view)
    st.markdown(f"**{fmt.md(total_built.title)}: {fmt.status_label(total_built.status)}** "
                f"for {view.period.title()}")
    st.caption(fmt.md(fmt.STATUS_MEANINGS.get(total_built.status, "")))
    if window is None:
        st.stop()
    hub = replace(hub, first=window.first, last=window.last)
    period_words = month_words(month_range(window.first, window.last).month_list)
    summary = guarded(view, "indicator_summary", hub)
    built = figures(summary, catalogue) if summary is not None else {}
    st.info(fmt.md(
        f"Shown below instead: the latest {view.period.months} months in which every part "
        f"of the value is measurable, {period_words}. "
        "Every figure, chart and download on this page counts those months."))

if view.audience == "public":
    cols = st.columns(3)
    for col, indicator in zip(cols, ("public_value_total_gbp", "value_per_pound",
                                     "wellbeing_social_value_gbp"), strict=True):
        figure = built.get(indicator)
        if figure is None:
            continue
        with col, st.container(border=True):
            st.markdown(f"**{fmt.md(figure.title)}**")
            if figure.shown:
                st.metric(fmt.md(figure.title), figure.value_text(),
                          label_visibility="collapsed")
                st.caption(fmt.md(f"{figure.base_text()}; {fmt.money_note(price_year)}"))
            else:
                st.markdown(f"**{fmt.status_label(figure.status)}**")
                st.caption(fmt.md(fmt.STATUS_MEANINGS.get(figure.status, "")))
    st.header("Assumptions and their sources", divider="gray")
    table_block(view, name="vfm_parameters", title="Every assumption the valuation uses",
                subtitle=f"Money at {fmt.md(price_year)} prices (uprated with GDP deflators)",
                data=params, description="Low, central and high settings with their sources.",
                source="hubvalue assumptions register", excel=False, show="lazy",
                label=f"Show the {len(params)} assumptions")
    st.stop()

inputs_frame = guarded(view, "valuation_inputs", hub)
if inputs_frame is None:
    st.stop()
inputs = valuation.inputs_from(inputs_frame)

# --- what-if editor ---
overrides: dict[str, float] = st.session_state.setdefault(OVERRIDES_KEY, {})
register = {n: r for n, r in zip(params["name"], params.itertuples(index=False), strict=True)}
# the editor's inputs are drawn only while it is open (its state is kept in the session)
with st.expander("Change an assumption (what-if; nothing is saved)", expanded=bool(overrides),
                 key=WHAT_IF_OPEN, on_change="rerun") as editor:
    if editor.open:
        with st.form("vfm_what_if"):
            chosen: dict[str, float] = {}
            for group, names in EDITABLE.items():
                st.markdown(f"**{group}**")
                cols = st.columns(3)
                for i, name in enumerate(n for n in names if n in register):
                    row = register[name]
                    with cols[i % 3]:
                        chosen[name] = st.number_input(
                            fmt.md(fmt.parameter_name(name)),
                            value=float(overrides.get(name, row.central)),
                            help=fmt.md(
                                f"Register: low {fmt.parameter_value(row.low, row.unit)}, "
                                f"central {fmt.parameter_value(row.central, row.unit)}, "
                                f"high {fmt.parameter_value(row.high, row.unit)}. "
                                f"Source: {row.source}"),
                            key=f"vfm_{name}", format="%g",
                        )
            apply, reset = st.columns([1, 5])
            applied = apply.form_submit_button("Apply")
            cleared = reset.form_submit_button("Back to the register")
        if applied:
            wanted = {n: v for n, v in chosen.items() if v != float(register[n].central)}
            problem = valuation.settings_problem(valuation.settings(params, "central", wanted))
            if problem:
                st.error(f"Not applied: {fmt.md(problem)}")
            else:
                st.session_state[OVERRIDES_KEY] = wanted
                st.rerun()
        if cleared:
            st.session_state[OVERRIDES_KEY] = {}
            for name in chosen:
                st.session_state.pop(f"vfm_{name}", None)
            st.rerun()

central = valuation.settings(params, "central", overrides)
results = {
    "low": valuation.compute(inputs, valuation.settings(params, "low")),
    "central": valuation.compute(inputs, central),
    "high": valuation.compute(inputs, valuation.settings(params, "high")),
}
if overrides:
    changed = ", ".join(f"{fmt.md(fmt.parameter_name(n))} = {v:g}"
                        for n, v in overrides.items())
    st.warning(f"What-if: central scenario with your changes ({changed}). "
               "Low and high stay as in the register. Nothing is saved.")

period_months = len(pd.period_range(hub.first, hub.last, freq="M"))
months_text = valuation.months_counted(inputs, period_months)
# the same label as the scorecard's would be wrong here: these figures count fewer months
counted = (f"{len(inputs.months)} of {period_months} months" if inputs.months
           else f"0 of {period_months} months")

# --- a hub's own register (build --assumptions) ---
hub_register = guarded(view, "register_overrides")
if hub_register is not None and not hub_register.empty:
    st.warning(
        f"This warehouse was built with the hub's own register: "
        f"{len(hub_register)} assumption{'s' if len(hub_register) != 1 else ''} differ from "
        "the shipped register (" + ", ".join(
            f"{fmt.md(fmt.parameter_name(r.name))} {r.central:g} (shipped "
            f"{r.shipped_central:g})" for r in hub_register.itertuples())
        + "); every figure below uses them. Methods lists each beside its source.")

# --- the hub's own evidence: a fourth scenario ---
evidence_frame = guarded(view, "hub_evidence")
estimates, hub_settings = hub_evidence.evidence_scenario(
    valuation.settings(params, "central"), evidence_frame)
if hub_settings is not None:
    results["hub evidence"] = valuation.compute(inputs, hub_settings)

# --- headline figures (recomputed) ---
c1, c2, c3 = st.columns(3)
with c1, st.container(border=True):
    st.markdown(f"**Projected public value, {counted}**" + (" (what-if)" if overrides else ""))
    st.metric("Projected public value", fmt.gbp(results["central"].total),
              label_visibility="collapsed")
    st.caption(f"low {fmt.gbp(results['low'].total)}, high {fmt.gbp(results['high'].total)}; "
               f"{fmt.money_note(price_year)}; {months_text}")
with c2, st.container(border=True):
    st.markdown(f"**Public value per £1 of funding, {counted}**")
    st.metric("Value per pound", fmt.ratio(results["central"].per_pound),
              label_visibility="collapsed")
    st.caption(f"low {fmt.ratio(results['low'].per_pound)}, high "
               f"{fmt.ratio(results['high'].per_pound)}; funding {fmt.gbp(inputs.funding)} "
               f"over the same {len(inputs.months)} months")
with c3, st.container(border=True):
    st.markdown("**Who it rests on**")
    st.metric("People", f"{fmt.count(inputs.wellbeing_people)} + {fmt.count(inputs.nhs_people)}",
              label_visibility="collapsed")
    st.caption(f"people with life satisfaction at intake and exit + people with comparable "
               f"NHS records; {months_text}")

central_result = results["central"]
s1, s2, s3 = st.columns(3)
with s1, st.container(border=True):
    st.markdown(f"**Public-sector savings per £1, {counted}**")
    st.metric("Savings per pound", fmt.ratio(central_result.savings_per_pound),
              label_visibility="collapsed")
    st.caption(f"{fmt.gbp(central_result.savings)}: NHS cost avoided "
               f"{fmt.gbp(central_result.nhs)} + police and criminal justice costs of crimes "
               f"prevented {fmt.gbp(central_result.crime_response)}; low "
               f"{fmt.ratio(results['low'].savings_per_pound)}, high "
               f"{fmt.ratio(results['high'].savings_per_pound)}. Not cash: demand avoided")
with s2, st.container(border=True):
    st.markdown(f"**Social value per £1, {counted}**")
    st.metric("Social value per pound", fmt.ratio(central_result.social_per_pound),
              label_visibility="collapsed")
    st.caption(f"{fmt.gbp(central_result.social)}: wellbeing (WELLBY) "
               f"{fmt.gbp(central_result.wellbeing)} + other crime costs avoided "
               f"{fmt.gbp(central_result.crime_other)}; low "
               f"{fmt.ratio(results['low'].social_per_pound)}, high "
               f"{fmt.ratio(results['high'].social_per_pound)}. Not a saving to any budget")
with s3, st.container(border=True):
    st.markdown("**Share resting on the wellbeing value**")
    st.metric("Wellbeing share", fmt.percent(central_result.wellbeing_share, 0),
              label_visibility="collapsed")
    st.caption("of the central total: the part that rests on the WELLBY value and the "
               "wellbeing deadweight and attribution assumptions; low "
               f"{fmt.percent(results['low'].wellbeing_share, 0)}, high "
               f"{fmt.percent(results['high'].wellbeing_share, 0)}")
left_out = valuation.crime_types_left_out(central_result)
crime_rows = params[params["name"].str.startswith(("crime_cost_response_",
                                                   "crime_cost_residual_"))]
unverified = crime_rows[crime_rows["status"] != "verified"]
st.caption(fmt.md(
    "Crime costs count only the parts the wellbeing and NHS terms do not: police and "
    "criminal justice (savings) and anticipation (social value, high scenario only); "
    "physical and emotional "
    "harm (in the wellbeing value) and health services (in the NHS value) are left out. "
    + (f"{len(unverified)} of the {len(crime_rows)} crime cost rows are unverified "
       "(read second-hand, not in the Home Office publication): see Methods. "
       if len(unverified) else "")
    + ("; ".join(left_out).capitalize() + "." if left_out else "")))

# --- scenarios, with the hub's own evidence ---
scenario_names = [s for s in ("low", "central", "high", "hub evidence") if s in results]
scenario_table = pd.DataFrame([
    {"measure": label, **{name: getter(results[name]) for name in scenario_names}}
    for label, getter in (
        ("Public-sector savings (£)", lambda r: r.savings),
        ("Social value (£)", lambda r: r.social),
        ("Total public value (£)", lambda r: r.total),
        ("Savings per £1", lambda r: r.savings_per_pound),
        ("Social value per £1", lambda r: r.social_per_pound),
        ("Share on the wellbeing value", lambda r: r.wellbeing_share),
    )
])
shown = scenario_table.copy()
for name in scenario_names:
    shown[name] = [fmt.gbp(v) if "(£)" in m else fmt.percent(v, 0) if "Share" in m
                   else fmt.ratio(v) for m, v in zip(shown["measure"], shown[name],
                                                     strict=True)]
estimate_rows = [hub_evidence.describe(e, valuation.settings(params, "central").get(name))
                 for name, e in estimates.items()]
table_block(
    view, name="vfm_scenarios",
    title="Savings and social value in each scenario"
    + (", with the hub's own evidence" if hub_settings is not None else ""),
    subtitle=f"Whole hub; {period_words}, {counted}; {fmt.money_note(price_year)}",
    data=scenario_table, source=source_line(view, "value_for_money"),
    description=fmt.md(
        "Low, central and high use the register's settings. "
        + ("Hub evidence: every central setting except those the hub's own records "
           "estimate (all referrals up to the as-of date; never replaces central). "
           if hub_settings is not None else
           "The hub-evidence scenario is not offered: none of its settings could be "
           "estimated from the hub's records. ")
        + " ".join(estimate_rows)
        + (" With a benefit period of one year (central), drop-off changes nothing."
           if valuation.settings(params, "central").get("benefit_years_wellbeing") == 1
           else "")),
    shown=shown, show="static",
)

# --- projected against observed ---
if evidence_frame is not None:
    central_settings = valuation.settings(params, "central")
    checks = {
        "wellbeing": (hub_evidence.wellbeing_calibration(
            evidence_frame, valuation.value_per_point(central_settings)),
            "Wellbeing value projected at closure against what the follow-ups a year on imply",
            "people with life satisfaction at intake, exit and a follow-up 365 to 730 days "
            "after closing",
            "Projected: the intake-to-exit change valued as the page values it. Observed: the "
            "same people's intake-to-follow-up change valued the same way, with its 95% "
            "interval. Only people who answered a follow-up count, and they may be those "
            "who did better."),
        "NHS": (hub_evidence.nhs_calibration(
            evidence_frame, valuation.nhs_kept_share(central_settings)),
            "NHS value projected from six months against what the twelve-month records show",
            "completed referrals with comparable NHS records for the whole first year",
            "Projected: twice the six-month change in NHS contacts (the rule used where the "
            "second six months are not yet known), valued as the page values it. Observed: "
            "the change the twelve-month records show, valued the same way, with its 95% "
            "interval."),
        "prevention": (hub_evidence.prevention_calibration(evidence_frame),
            "Crime costs projected for homes made safer against what the repeat crimes imply",
            "referrals with target hardening whose 12-month repeat window is complete",
            "Projected: victims spared a repeat (the register's repeat rate x the prevention "
            "effect) x the crime cost in the total. Observed: the register's repeat rate "
            "less the repeats recorded within 12 months, valued the same way (the repeat "
            "rate stands for what would have happened), with its 95% interval."),
    }
    for label, (check, title, who, how) in checks.items():
        st.markdown("**" + fmt.md(f"Projected against observed ({label}): {check.verdict}.")
                    + "**")
        if not check.n:
            continue
        chart_block(
            view, name=f"vfm_calibration_{label.lower()}", title=title,
            subtitle=fmt.md(
                f"By month closed, every month whose window has passed, up to the as-of "
                f"date; {check.n} {who}; central settings; {fmt.money_note(price_year)}"),
            figure=charts.calibration(check.table, f"£ ({price_year} prices)"),
            data=check.table, base=fmt.md(
                f"{check.n} referrals; projected {fmt.gbp(check.projected)}, observed "
                f"{fmt.gbp(check.observed)} (95% interval {fmt.gbp(check.observed_low)} to "
                f"{fmt.gbp(check.observed_high)})"),
            source=source_line(view, "value_for_money"),
            description=how,
        )

# --- waterfall ---
steps = valuation.waterfall(inputs, central)
waterfall_table = pd.DataFrame([(s[0], s[1]) for s in steps], columns=["step", "amount_gbp"])
chart_block(
    view, name="vfm_waterfall",
    title=f"From {fmt.gbp(steps[0][1])} of gross first-year change to "
          f"{fmt.gbp(results['central'].total)} of net public value (projected): "
          f"{fmt.gbp(results['central'].savings)} of public-sector savings and "
          f"{fmt.gbp(results['central'].social)} of social value",
    subtitle=f"Central scenario{' with your changes' if overrides else ''}; whole hub; "
             f"{period_words}, {counted}; {fmt.money_note(price_year)}",
    figure=charts.waterfall(steps, f"£ ({price_year} prices)"),
    data=waterfall_table,
    description=(
        "Gross change is the first year's change in life satisfaction valued in WELLBYs plus "
        "the change in NHS contacts valued at unit costs. Deadweight removes what would have "
        "happened anyway; attribution removes the share owed to others; later years add the "
        "benefit period, less drop-off and discounting (Green Book rates). Crime costs "
        "avoided enter only for the parts the other two do not already count: police and "
        "criminal justice (a public-sector saving) and other costs (social value)."
        + (f" No crime cost beyond harm and health in the register for: "
           f"{fmt.md(', '.join(fmt.readable(c) for c in results['central'].residual_missing))}"
           "; those costs stay out of the total." if results["central"].residual_missing
           else "")),
    base=months_text, source=source_line(view, "value_for_money"),
)

# --- tornado ---
sensitivity = valuation.tornado(inputs, params, overrides)
if not sensitivity.empty:
    top = sensitivity.iloc[0]
    chart_block(
        view, name="vfm_tornado",
        title=f"The total is most sensitive to "
              f"{fmt.md(fmt.parameter_name(top['parameter']).lower())}: "
              f"{fmt.gbp(min(top['low_total'], top['high_total']))} to "
              f"{fmt.gbp(max(top['low_total'], top['high_total']))}",
        subtitle="Total projected public value with one assumption at a time at its low and "
                 "its high setting, the others central; each label names the part it moves "
                 "(public-sector savings, social value or both)",
        figure=charts.tornado(sensitivity, results["central"].total),
        data=sensitivity, base=months_text, source="hubvalue assumptions register",
        description="Each bar runs from the total with the assumption at its low setting to "
                    "the total at its high setting. Assumptions with one setting (no range) "
                    "are not shown.",
    )

# --- components ---
components = pd.DataFrame([
    {"component": "Wellbeing (WELLBY)", **{s: r.wellbeing for s, r in results.items()}},
    {"component": "NHS cost avoided", **{s: r.nhs for s, r in results.items()}},
    {"component": "Crime cost avoided (all)",
     **{s: r.crime_cost_avoided for s, r in results.items()}},
    {"component": "Crime: police and criminal justice (savings, in the total)",
     **{s: r.crime_response for s, r in results.items()}},
    {"component": "Crime: other costs (social value, in the total)",
     **{s: r.crime_other for s, r in results.items()}},
    {"component": "Public-sector savings", **{s: r.savings for s, r in results.items()}},
    {"component": "Social value", **{s: r.social for s, r in results.items()}},
    {"component": "Total public value", **{s: r.total for s, r in results.items()}},
])
table_block(
    view, name="vfm_components", title="Projected value by component, in each scenario",
    subtitle=f"Whole hub; {period_words}, {counted}; {fmt.money_note(price_year)}",
    data=components, source=source_line(view, "value_for_money"),
    description=f"The period {months_text}. "
                "The crime cost avoided is shown in full for information; only its police "
                "and criminal justice part and its other non-overlapping part (anticipation, high "
                "scenario only) "
                "enter the total, because the wellbeing and NHS terms already count harm and "
                "health services.",
    shown=components.assign(**{s: [fmt.gbp(v) for v in components[s]] for s in results}),
    show="static",
)

used = params[params["name"].isin([n for names in EDITABLE.values() for n in names])
              | params["name"].str.startswith(("crime_cost_", "repeat_rate_"))]
used = used[["name", "central", "low", "high", "unit", "source", "status", "price_year",
             "base_year", "uprate_factor", "note"]]
table_block(
    view, name="vfm_parameters", title="Every assumption the valuation uses, with its source",
    subtitle=f"Money uprated to {fmt.md(price_year)} prices with HM Treasury GDP deflators",
    data=used.reset_index(drop=True), source="hubvalue assumptions register",
    description="Status says whether the figure was checked against its source (verified), "
                "not yet (unverified), or is a local assumption to be set by the hub.",
    column_config={c: st.column_config.NumberColumn(c, format="%.4g")
                   for c in ("central", "low", "high", "uprate_factor")},
    show="lazy", label=f"Show the {len(used)} assumptions",
)
