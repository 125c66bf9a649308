"""Plotly figures in the UK Government Analysis Function style.

One template (AF categorical palette, large readable type, light grid) for
every chart. Nothing is encoded by colour alone: series carry text labels,
and months without a value are drawn as hatched, labelled bars ("No data",
"Not yet measurable", "Nobody in the base", "Suppressed"), never as a 0.
Every data value that becomes a label is escaped (`formatting.plain`).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting as fmt

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
LIGHT_GREY = "#BFBFBF"
CATEGORICAL = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE]
STATUS_PATTERNS = {
    "no_data": "x",
    "not_yet_measurable": "/",
    "empty_base": ".",
    "suppressed": "\\",
    "not_published": "-",
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=CATEGORICAL,
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0B0C0C"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"showgrid": False, "linecolor": DARK_GREY, "ticks": "outside",
               "tickcolor": DARK_GREY, "automargin": True},
        yaxis={"gridcolor": "#E5E5E5", "zerolinecolor": DARK_GREY, "linecolor": DARK_GREY,
               "automargin": True},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
        margin={"l": 60, "r": 20, "t": 30, "b": 40},
        hoverlabel={"font": {"family": "Arial, Helvetica, sans-serif"}},
    )
)


def _figure(height: int = 340) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, height=height,
                      margin={"l": 60, "r": 20, "t": 30, "b": 40, "autoexpand": True})
    return fig


def _axis_format(unit: str) -> dict:
    if unit == "rate":
        return {"tickformat": ".0%", "rangemode": "tozero"}
    if unit in ("gbp", "ratio"):
        return {"tickprefix": "£", "tickformat": "~s" if unit == "gbp" else ".2f"}
    return {"rangemode": "tozero"}


def _value_label(value, unit: str) -> str:
    return fmt.value_text(value, unit)


def _status_bars(fig: go.Figure, x: list, statuses: list[str], height: float,
                 horizontal: bool = False) -> None:
    """Hatched, labelled bars where there is no value, one trace per status."""
    for status, pattern in STATUS_PATTERNS.items():
        where = [i for i, s in enumerate(statuses) if s == status]
        if not where:
            continue
        label = fmt.status_label(status)
        positions = [x[i] for i in where]
        sizes = [height] * len(where)
        bar = {
            "name": label,
            "marker": {"color": "rgba(191,191,191,0.35)",
                       "line": {"color": DARK_GREY, "width": 0.5},
                       "pattern": {"shape": pattern, "fgcolor": DARK_GREY, "size": 6,
                                   "solidity": 0.25}},
            "text": [label] * len(where),
            "textposition": "inside",
            "insidetextanchor": "middle",
            "textfont": {"size": 11, "color": "#0B0C0C"},
            "hovertemplate": f"{label}<extra></extra>",
            "showlegend": True,
        }
        if horizontal:
            fig.add_trace(go.Bar(y=positions, x=sizes, orientation="h", **bar))
        else:
            fig.add_trace(go.Bar(x=positions, y=sizes, textangle=-90, **bar))


def trend(frame: pd.DataFrame, unit: str, name: str, benchmark: tuple[str, float] | None = None,
          scenarios: bool = False) -> go.Figure:
    """A monthly (or quarterly) trend of one indicator.

    `frame`: period_start, status, value, and for rates ci_low/ci_high, for money
    value_low/value_high. Rates get 95 % Wilson intervals as error bars; money a
    low-to-high band; periods without a value hatched bars with their status."""
    fig = _figure()
    data = frame.sort_values("period_start")
    x = list(pd.to_datetime(data["period_start"]))
    ok = data["status"] == "ok"
    values = data["value"].where(ok)
    finite = [v for v in values if not fmt.missing(v)]
    top = 1.0 if unit == "rate" else (max(max(finite), 0) * 1.15 if finite else 1.0)
    if unit != "rate" and finite and min(finite) < 0:
        top = max(top, abs(min(finite)) * 0.3)
    if scenarios and {"value_low", "value_high"} <= set(data.columns):
        fig.add_trace(go.Scatter(
            x=x, y=data["value_high"].where(ok), mode="lines", line={"width": 0},
            showlegend=False, hoverinfo="skip", connectgaps=False))
        fig.add_trace(go.Scatter(
            x=x, y=data["value_low"].where(ok), mode="lines", line={"width": 0},
            fill="tonexty", fillcolor="rgba(18,67,109,0.15)", name="Low to high scenario",
            hoverinfo="skip", connectgaps=False))
    error = None
    if unit == "rate" and {"ci_low", "ci_high"} <= set(data.columns):
        error = {
            "type": "data", "symmetric": False,
            "array": (data["ci_high"] - data["value"]).where(ok),
            "arrayminus": (data["value"] - data["ci_low"]).where(ok),
            "color": DARK_GREY, "thickness": 1, "width": 3,
        }
    hover = [
        f"{fmt.plain(pd.Timestamp(p).strftime('%b %Y'))}: {_value_label(v, unit)}"
        + (f" (base {fmt.count(d)})" if unit == "rate" and not fmt.missing(d) else "")
        for p, v, d in zip(data["period_start"], values, data.get("denominator", values),
                           strict=True)
    ]
    fig.add_trace(go.Scatter(
        x=x, y=values, mode="lines+markers", name=fmt.plain(name), showlegend=False,
        line={"color": DARK_BLUE, "width": 2.5}, marker={"size": 7, "symbol": "circle"},
        error_y=error, connectgaps=False, hovertext=hover, hoverinfo="text"))
    if benchmark is not None:
        label, level = benchmark
        fig.add_hline(y=level, line={"color": ORANGE, "dash": "dash", "width": 2},
                      annotation_text=fmt.plain(label), annotation_position="bottom right",
                      annotation_font={"color": "#0B0C0C", "size": 12})
    _status_bars(fig, x, list(data["status"]), top)
    fig.update_yaxes(**_axis_format(unit))
    if unit == "rate":
        fig.update_yaxes(range=[0, 1.02])
    fig.update_layout(barmode="overlay", bargap=0.15, hovermode="closest")
    return fig


def shade_period(fig: go.Figure, first, last) -> None:
    """Shade the months from `first` to `last` (month starts) and label them."""
    x0 = pd.Timestamp(first) - pd.Timedelta(days=15)
    x1 = pd.Timestamp(last) + pd.DateOffset(months=1) - pd.Timedelta(days=15)
    fig.add_shape(type="rect", xref="x", yref="paper", x0=x0, x1=x1, y0=0, y1=1,
                  fillcolor="rgba(40,161,151,0.10)", line={"width": 0}, layer="below")
    fig.add_annotation(x=x0, xref="x", y=1, yref="paper", text="selected period",
                       showarrow=False, xanchor="left", yanchor="top",
                       font={"size": 11, "color": "#0B0C0C"})


def bars(frame: pd.DataFrame, category: str, unit: str, label_column: str | None = None,
         highlight: str | None = None) -> go.Figure:
    """Horizontal bars of one indicator by category (agency, crime type, ...).

    `frame`: category, status, value (and ci_low/ci_high for rates). Categories
    without a value get a hatched bar with their status, never a 0 bar."""
    data = frame.reset_index(drop=True)
    names = [fmt.plain(v) for v in (data[label_column] if label_column else data[category])]
    fig = _figure(height=max(220, 46 * len(data) + 80))
    ok = data["status"] == "ok"
    values = data["value"].where(ok)
    finite = [v for v in values if not fmt.missing(v)]
    top = 1.0 if unit == "rate" else (max(max(finite), 0) * 1.1 if finite else 1.0)
    colours = [DARK_BLUE if highlight is None or c != highlight else ORANGE
               for c in data[category]]
    error = None
    if unit == "rate" and {"ci_low", "ci_high"} <= set(data.columns):
        error = {"type": "data", "symmetric": False,
                 "array": (data["ci_high"] - data["value"]).where(ok),
                 "arrayminus": (data["value"] - data["ci_low"]).where(ok),
                 "color": DARK_GREY, "thickness": 1.2, "width": 4}
    text = [_value_label(v, unit) if not fmt.missing(v) else "" for v in values]
    fig.add_trace(go.Bar(
        y=names, x=values, orientation="h", marker={"color": colours}, error_x=error,
        text=text, textposition="inside", insidetextanchor="start",
        textfont={"color": ["#0B0C0C" if c == ORANGE else "white" for c in colours]},
        name="Value", showlegend=False,
        hovertemplate="%{y}: %{text}<extra></extra>"))
    _status_bars(fig, names, list(data["status"]), top, horizontal=True)
    fig.update_xaxes(**_axis_format(unit))
    if unit == "rate":
        fig.update_xaxes(range=[0, 1.1])
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_layout(barmode="overlay", bargap=0.3)
    return fig


def distribution(frame: pd.DataFrame, x_title: str) -> go.Figure:
    """Counts of people by change in score (later minus intake); labels on every bar."""
    data = frame.sort_values("change")
    fig = _figure(height=300)
    patterns = ["" if c > 0 else ("." if c == 0 else "/") for c in data["change"]]
    colours = [TURQUOISE if c > 0 else (LIGHT_GREY if c == 0 else DARK_PINK)
               for c in data["change"]]
    text = [fmt.count(v) if not fmt.missing(v) else "[c]" for v in data["people"]]
    fig.add_trace(go.Bar(
        x=[f"{c:+g}" if c else "0" for c in data["change"]], y=data["people"].fillna(0),
        marker={"color": colours, "pattern": {"shape": patterns, "fgcolor": "white",
                                              "fillmode": "overlay"}},
        text=text, textposition="outside", cliponaxis=False, showlegend=False,
        hovertemplate="change %{x}: %{text} people<extra></extra>"))
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text="People", rangemode="tozero")
    return fig


def waterfall(steps: list[tuple[str, float, str]], price_note: str) -> go.Figure:
    """From gross value to net: steps are (label, amount, 'absolute'|'relative'|'total');
    a total's amount is the running sum (Plotly draws it, the label shows it)."""
    fig = _figure(height=380)
    fig.add_trace(go.Waterfall(
        x=[fmt.plain(s[0]).replace(" (", "<br>(").replace("Net public value",
                                                           "Net public<br>value")
           for s in steps],
        y=[0.0 if s[2] == "total" else s[1] for s in steps],
        measure=[s[2] for s in steps],
        text=[fmt.gbp(s[1]) for s in steps], textposition="outside", cliponaxis=False,
        increasing={"marker": {"color": TURQUOISE}},
        decreasing={"marker": {"color": DARK_PINK}},
        totals={"marker": {"color": DARK_BLUE}},
        connector={"line": {"color": DARK_GREY, "width": 1}},
        hovertemplate="%{x}: %{text}<extra></extra>", showlegend=False))
    fig.update_yaxes(tickprefix="£", tickformat="~s", title_text=fmt.plain(price_note))
    fig.update_xaxes(tickangle=0)
    return fig


def tornado(frame: pd.DataFrame, central: float) -> go.Figure:
    """Sensitivity: total value with each parameter at its low and its high setting.

    `frame`: parameter, low_total, high_total (others at central), sorted widest first,
    and optionally moves (the part of the total the parameter moves: its label names it).
    Each bar runs from the central total to the total at that setting."""
    data = frame.reset_index(drop=True)
    names = [fmt.plain(fmt.parameter_name(p)) for p in data["parameter"]]
    if "moves" in data:
        names = [f"{name} ({part})" for name, part in zip(names, data["moves"], strict=True)]
    fig = _figure(height=max(260, 34 * len(data) + 110))
    for column, label, colour, pattern in (
            ("low_total", "Low setting", DARK_PINK, "/"),
            ("high_total", "High setting", TURQUOISE, "")):
        ends = data[column]
        fig.add_trace(go.Bar(
            y=names, x=(ends - central).abs(), base=[min(e, central) for e in ends],
            orientation="h", name=label,
            marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "white",
                                                 "fillmode": "overlay"}},
            text=[fmt.gbp(v) for v in ends], textposition="inside", insidetextanchor="middle",
            textfont={"color": "white"}, cliponaxis=False,
            hovertemplate="%{y}, " + label.lower() + ": %{text}<extra></extra>"))
    fig.add_vline(x=central, line={"color": DARK_GREY, "width": 2},
                  annotation_text=f"central {fmt.gbp(central)}", annotation_position="top")
    fig.update_xaxes(tickprefix="£", tickformat="~s")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay", margin={"t": 50})
    return fig


def funnel(frame: pd.DataFrame) -> go.Figure:
    """The referral funnel: stage, people (count), share of referrals received and (if
    given) the status that says why a stage has no count."""
    fig = _figure(height=320)
    statuses = frame["status"] if "status" in frame.columns else ["no_data"] * len(frame)
    fig.add_trace(go.Funnel(
        y=[fmt.plain(s) for s in frame["stage"]], x=frame["count"].fillna(0),
        text=[f"{fmt.count(c)} ({fmt.percent(s)})" if not fmt.missing(c)
              else fmt.status_label(status if status != "ok" else "no_data")
              for c, s, status in zip(frame["count"], frame["share"], statuses, strict=True)],
        textinfo="text", marker={"color": DARK_BLUE}, connector={"fillcolor": "#E5E5E5"},
        hovertemplate="%{y}: %{text}<extra></extra>"))
    return fig


def reach(frame: pd.DataFrame) -> go.Figure:
    """Reach ratio by category with 95 % intervals and the line of proportionate reach."""
    data = frame.reset_index(drop=True)
    names = [fmt.plain(n) for n in data["label"]]
    fig = _figure(height=max(220, 40 * len(data) + 80))
    ok = data["status"] == "ok"
    fig.add_trace(go.Scatter(
        y=names, x=data["reach_ratio"].where(ok), mode="markers+text",
        marker={"color": DARK_BLUE, "size": 11, "symbol": "diamond"},
        text=[f"{v:.2f}" if not fmt.missing(v) else "" for v in data["reach_ratio"].where(ok)],
        textposition="top center",
        error_x={"type": "data", "symmetric": False,
                 "array": (data["ci_high"] - data["reach_ratio"]).where(ok),
                 "arrayminus": (data["reach_ratio"] - data["ci_low"]).where(ok),
                 "color": DARK_GREY, "thickness": 1.2, "width": 4},
        name="Reach ratio (95% interval)", hovertemplate="%{y}: %{text}<extra></extra>"))
    finite = [v for v in data["ci_high"].where(ok) if not fmt.missing(v)]
    top = max(finite + [2.0]) * 1.05
    _status_bars(fig, names, list(data["status"]), top, horizontal=True)
    fig.add_vline(x=1, line={"color": ORANGE, "dash": "dash", "width": 2},
                  annotation_text="1 = reached in proportion", annotation_position="top")
    fig.update_xaxes(rangemode="tozero", title_text="Reach ratio")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay", margin={"t": 40})
    return fig


def sparkline_values(frame: pd.DataFrame) -> list[float | None]:
    """Values for a metric sparkline: None where a month has no value (a gap, not 0)."""
    data = frame.sort_values("period_start")
    return [None if s != "ok" or fmt.missing(v) else float(v)
            for s, v in zip(data["status"], data["value"], strict=True)]


def finite(values) -> list[float]:
    return [float(v) for v in values if not fmt.missing(v) and math.isfinite(float(v))]


def calibration(frame: pd.DataFrame, price_note: str) -> go.Figure:
    """Projected against observed, per month closed: `frame` has month, projected,
    observed, observed_low and observed_high (the observed value's 95 % interval)."""
    fig = _figure(height=340)
    months = pd.to_datetime(frame["month"])
    fig.add_trace(go.Scatter(
        x=months, y=frame["observed"], mode="markers", name="What the later records imply",
        marker={"color": TURQUOISE, "size": 9},
        error_y={"type": "data", "symmetric": False,
                 "array": frame["observed_high"] - frame["observed"],
                 "arrayminus": frame["observed"] - frame["observed_low"],
                 "color": TURQUOISE},
        hovertemplate="%{x|%b %Y}: observed %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=months, y=frame["projected"], mode="markers", name="Projected at closure",
        marker={"color": DARK_BLUE, "size": 9, "symbol": "diamond"},
        hovertemplate="%{x|%b %Y}: projected %{y:,.0f}<extra></extra>"))
    fig.update_yaxes(tickprefix="£", tickformat="~s", title_text=fmt.plain(price_note))
    fig.update_layout(legend={"orientation": "h", "y": -0.15})
    return fig
