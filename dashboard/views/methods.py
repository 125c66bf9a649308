"""Methods: every indicator's definition (from the catalogue) and every assumption with its
source (from the register), generated from the warehouse so they match the figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard.data import current
from dashboard.definitions import definitions_html
from dashboard.stats import min_paired_n
from dashboard.ui import guarded, page_header, table_block
from metrics import register_listing as listing

THEME_ORDER = ["wellbeing", "prevention", "nhs_demand", "value_for_money", "operations",
               "equity"]

view = current()
page_header(
    view, "Methods",
    "How each figure is defined and which assumptions the projections use. Everything on "
    "this page is generated from the indicator catalogue and the assumptions register of "
    "this build.",
)

st.header("Reading the figures", divider="gray")
least_paired = min_paired_n(guarded(view, "parameters"))
st.markdown(
    "- **Rates** are shares of a base of people or cases, shown as % with the base and a 95% "
    "Wilson interval.\n"
    "- **No data**: the extract does not hold the measure. **Not yet measurable**: the "
    "cohort's observation window has not closed by the as-of date. **Nobody in the base**: "
    "nobody qualified that period. None of these is 0.\n"
    "- **Cohort month**: outcomes are counted in the month the case closed (or the survey, "
    "referral or target hardening month, as each definition says).\n"
    "- **Agency rows** count every referral the agency was involved in, so agencies can add "
    "up to more than the whole hub. Monetised value is for the whole hub only.\n"
    "- **Projected money** is in £ at the price base year "
    f"({fmt.md(view.build_value('price_base_year') or 'the as-of financial year')}), uprated "
    "with HM Treasury GDP deflators, in low, central and high scenarios.\n"
    "- **Before and after NHS figures** have no comparison group; the valuation applies "
    "deadweight for regression to the mean.\n"
    + (f"- **Pre/post means** are not shown for fewer than {least_paired} paired people "
       "(assumptions register: min_paired_n)." if least_paired is not None else
       "- **Pre/post means** are not shown: the assumptions register of this build has no "
       "minimum number of paired people (min_paired_n).")
)
if view.audience == "public":
    st.markdown(
        "- **Disclosure control** (this view): the figures are the hub's published "
        "quarterly tables, fixed when the warehouse was built. Counts are of people; 1 to 7 "
        "people (1 to 9 in a cut by a sensitive characteristic or crime type) are hidden, "
        "every other count is rounded to the nearest 5 and rates come from the rounded "
        "figures; further figures are hidden until an automated audit shows that no hidden "
        "figure can be worked out from this release or the quarter's earlier ones. A "
        "quarter's figures change only in a scheduled revision. Money is rounded to 3 "
        "significant figures and shown only with 8 or more people behind it; other "
        "figures are not published."
    )
elif view.audience == "pcc":
    st.markdown(
        "- **Disclosure control** (this view): counts of 1 to 7 people (1 to 9 in a cut by a "
        "sensitive characteristic, agency or crime type) are suppressed; counts are rounded "
        "to the nearest 5 and rates computed from the rounded figures; money is rounded to 3 "
        "significant figures and shown only with 8 or more people behind it."
    )

notes = guarded(view, "methods_notes")
if notes is not None and not notes.empty:
    paired, extrapolated = notes["nhs_paired"].iloc[0], notes["nhs_extrapolated"].iloc[0]
    st.markdown(
        f"- **NHS first-year change**: of {fmt.count(paired)} people with comparable before "
        f"and after NHS records, {fmt.count(extrapolated)} had no complete 12-month record; "
        "their months 7 to 12 were assumed like months 1 to 6."
    )

catalogue = guarded(view, "catalogue")
if catalogue is not None:
    st.header("Indicator definitions", divider="gray")
    for theme in THEME_ORDER:
        rows = catalogue[catalogue["theme"] == theme]
        if rows.empty:
            continue
        st.subheader(fmt.readable(theme))
        st.html(definitions_html(rows))
    table_block(view, name="catalogue", title="The indicator catalogue",
                subtitle="Every indicator of this build", data=catalogue,
                source="hubvalue indicator catalogue",
                description="The same definitions as above, as a table.", excel=False,
                show="lazy", label="Show the catalogue as a table")



def crime_parts(params: pd.DataFrame, options: pd.DataFrame | None) -> None:
    """Which crime cost rows enter the total, as savings or social value, and which crime
    types are left out of each part (spec: evidence.md section 4)."""
    rows = params[params["name"].str.startswith(("crime_cost_response_",
                                                 "crime_cost_residual_"))]
    st.subheader("Crime costs in the total")
    st.markdown(
        "The Home Office unit costs of crime include physical and emotional harm (counted by "
        "the wellbeing value) and health services (counted by the NHS value), so only two "
        "parts enter the total: **police and criminal justice** response costs "
        "(`crime_cost_response_<crime type>`, a public-sector saving) and the **other "
        "non-overlapping** components (`crime_cost_residual_<crime type>`, social value: "
        "anticipation, in the high scenario only, because households and insurers do not "
        "spend less when one victim is spared a repeat; property and lost output are not "
        "separable in the source used). "
        "A crime type without a row is left out of that part.")
    types = sorted({n.split("_", 3)[3] for n in rows["name"]})
    recorded = set() if options is None else set(
        options.loc[options["kind"] == "crime_type", "value"])
    left_out = sorted(recorded - set(types))
    if left_out:
        st.markdown(fmt.md(
            "Crime types in the records left out of both parts (no sourced unit cost): "
            + ", ".join(fmt.readable(t) for t in left_out) + "."))
    if not rows.empty:
        unverified = rows[rows["status"] != "verified"]
        st.markdown(fmt.md(
            f"{len(unverified)} of the {len(rows)} rows are unverified: read second-hand, not "
            "in the Home Office publication. Each row's source and note say where from."))
        st.dataframe(rows[["name", "low", "central", "high", "price_year", "status",
                           "source", "note"]], hide_index=True)


def register_overrides(overrides: pd.DataFrame | None, build: pd.DataFrame | None) -> None:
    """A hub's own register: every override beside the shipped value (the listing every
    report prints, metrics.register_listing), or the sentence that there is none."""
    if overrides is None:
        return
    st.subheader("The hub's own register")
    row = build.iloc[0] if build is not None and len(build) else pd.Series(dtype=object)
    file_name, sha256 = (("" if fmt.missing(row.get(c)) else str(row.get(c)))
                         for c in ("assumptions_file", "assumptions_sha256"))
    st.markdown(fmt.md(listing.summary(overrides, file_name, sha256)))
    if not overrides.empty:
        st.dataframe(listing.frame(overrides), hide_index=True)
        st.caption(listing.NOTE)


params = guarded(view, "parameters")
if params is not None:
    st.header("Assumptions register", divider="gray")
    table_block(
        view, name="parameters", title=f"{len(params)} assumptions, each with its source",
        subtitle="Low, central and high settings; money uprated to the price base year",
        data=params, source="hubvalue assumptions register",
        description="The low column holds the setting that gives the lower value (so a "
                    "deadweight's low column is its highest share). Status: verified against "
                    "the source, unverified, or a local assumption for the hub to set.",
        excel=False, show="lazy", label=f"Show the {len(params)} assumptions",
    )
    residuals = params[params["name"].str.startswith("crime_cost_residual_")]
    if residuals.empty:
        st.info("The register has no residual crime costs (crime_cost_residual_<crime type>), "
                "so no crime cost avoided enters the total public value: only wellbeing and "
                "NHS value do.")
    crime_parts(params, guarded(view, "filter_options"))
    register_overrides(guarded(view, "register_overrides"), guarded(view, "build_info"))
