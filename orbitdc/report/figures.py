"""HoloViews figures (bokeh backend) for the notebooks and the feasibility report.

Every function takes results already computed by orbitdc (``evaluate``/``compare``/``sweep``/
``monte_carlo``/``sensitivity`` Datasets) and returns a HoloViews object whose axes carry units.
No model logic lives here: a figure only selects, normalises (per MW of IT, per kW) and draws.

When an input a figure needs is absent (a model stage not written yet, an output a stage does not
produce for an architecture), the function returns :class:`Missing` with the reason, e.g.
``not computed: radiator_area absent (stage thermal absent)``: the report says so plainly instead
of drawing something made up.

Two display modes, chosen once per notebook with :func:`setup`:

* interactive (JupyterLab): ``hv.extension('bokeh', inline=True)`` with ``pn.config.inline``;
  :func:`show` returns the figure wrapped in a Panel pane, so that BokehJS, Panel's JavaScript
  and every stylesheet come from the notebook itself and figures render with no network;
* static (the HTML report): :func:`show` embeds each figure as a standalone bokeh document
  (``bokeh.embed.components``); the report puts BokehJS inline once in the page head
  (:func:`bokeh_js`), so the HTML needs no network.
"""
from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from .. import formatting

from .record import CO2_VARIABLES, co2_value, median_year, values_in, year_quantiles
from .settings import settings, threshold
from .wording import RECONCILIATION_STEPS, missing_reason, title

_STATIC = False
_WIDTH = 720
_HEIGHT = 360

#: Colours of the parts of a stacked bar (cost items, subsystems): 20 distinct, none repeated.
PART_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
                "#dbdb8d", "#9edae5")

#: One colour per architecture in every chart (Okabe-Ito, distinguishable with colour-blindness):
#: the seed architectures and the ground fixed, any other in the order of ``titles`` in
#: data/report.yaml, then by name.
ARCHITECTURE_COLOURS = {"spacex-starlink-compute": "#0072B2", "blue-origin-orbital-dc": "#D55E00",
                        "openai-partnered-compute": "#009E73", "terrestrial-hyperscale": "#666666"}
_MORE_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#882255", "#117733", "#999933", "#332288", "#AA4499")


def colour(name: str) -> str:
    """The colour of an architecture, the same in every chart of the report and the app."""
    name = str(name)
    if name in ARCHITECTURE_COLOURS:
        return ARCHITECTURE_COLOURS[name]
    known = [t for t in (settings().get("titles") or {}) if t not in ARCHITECTURE_COLOURS]
    i = known.index(name) if name in known else len(known) + sum(map(ord, name))
    return _MORE_COLOURS[i % len(_MORE_COLOURS)]


def title_of(name: str) -> str:
    """An architecture's display name in a chart (:func:`orbitdc.report.wording.title`)."""
    return title(name)


def _short_title(name: str) -> str:
    """A display name short enough for an axis: the part before the dash (``SpaceX``), or the
    whole name when it has none."""
    return title_of(name).split(" — ")[0]


class Missing:
    """A figure or table that could not be computed, with the reason (shown instead of a plot)."""

    def __init__(self, title: str, reason: str):
        self.title = title
        self.reason = reason

    def __repr__(self) -> str:
        return f"{self.title}: {self.reason}"

    def html(self) -> str:
        return (f'<div class="orbitdc-missing"><strong>{html.escape(self.title)}</strong>: '
                f"{html.escape(self.reason)}</div>")

    def _repr_html_(self) -> str:
        return self.html()


# --------------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------------
def setup(static: bool = False) -> None:
    """Choose the display mode: interactive HoloViews (JupyterLab) or static embedding (report)."""
    global _STATIC
    import holoviews as hv

    _STATIC = bool(static)
    if _STATIC:
        hv.renderer("bokeh")  # loads the backend without emitting notebook JavaScript
        hv.Store.set_current_backend("bokeh")
    else:
        import panel as pn

        # Offline: BokehJS and Panel's JavaScript go into the notebook itself (inline=True), and
        # pn.config.inline makes Panel swap the stylesheets its models reference on
        # cdn.holoviz.org for their inline text. The defaults load both from the CDN, and
        # without a network every figure in JupyterLab stays blank (issue 11).
        pn.config.inline = True
        hv.extension("bokeh", logo=False, inline=True)


def bokeh_js() -> str:
    """BokehJS as inline ``<script>`` tags (no URL): put once in the report's ``<head>``."""
    from bokeh.resources import Resources

    res = Resources(mode="inline", components=["bokeh", "bokeh-gl", "bokeh-widgets"])
    return "\n".join(f'<script type="text/javascript">\n{js}\n</script>' for js in res.js_raw)


def to_html(obj: Any) -> str:
    """A figure as a standalone HTML fragment (bokeh div + script; BokehJS not included)."""
    if isinstance(obj, Missing):
        return obj.html()
    import holoviews as hv
    from bokeh.embed import components

    model = hv.render(obj, backend="bokeh")
    script, div = components(model)
    return f'<div class="orbitdc-figure">{div}</div>\n{script}'


def show(obj: Any):
    """Display a figure: a Panel pane of the HoloViews object (interactive) or embedded HTML
    (static report).

    Interactive figures go through ``pn.panel``: its notebook rendering replaces the stylesheets
    Panel's models reference on cdn.holoviz.org with their inline text when
    ``pn.config.inline`` is set, while HoloViews' own display hook (holoviews 1.23) leaves them
    as CDN links, which fail offline. The figure stays interactive (zoom, hover) either way.
    """
    from IPython.display import HTML

    if isinstance(obj, Missing):
        return HTML(obj.html())
    if _STATIC:
        return HTML(to_html(obj))
    import panel as pn

    return pn.panel(obj)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def check(ds: xr.Dataset | None, names: Sequence[str], title: str) -> Missing | None:
    """:class:`Missing` naming the absent variables and why, or None when all are present."""
    if ds is None:
        return Missing(title, "not computed: no results")
    absent = [n for n in names if n not in ds or bool(np.all(np.isnan(_float(ds[n]))))]
    if not absent:
        return None
    return Missing(title, "not computed: " + "; ".join(f"{n} absent ({missing_reason(n)})" for n in absent))


def _float(da: xr.DataArray) -> np.ndarray:
    try:
        return np.asarray(da.values, dtype=float)
    except (TypeError, ValueError):
        return np.zeros(1)


def _dim(name: str, label: str, unit: str | None = None):
    import holoviews as hv

    return hv.Dimension(name, label=label, unit=unit if unit not in (None, "", "1") else None)


def _archs(ds: xr.Dataset, var: str) -> list[str]:
    """Architectures for which ``var`` has at least one finite value."""
    if "architecture" not in ds.dims:
        return [str(ds.attrs.get("architecture", "architecture"))]
    keep = []
    for a in ds["architecture"].values:
        v = _float(ds[var].sel(architecture=a))
        if np.isfinite(v).any():
            keep.append(str(a))
    return keep


def _opts(obj, **kw):
    # Sized to the container (phone and desktop): the width follows the page, the height is fixed.
    # No toolbar (printed in the PDF, and noise to a reader); hover stays active without it.
    base = dict(responsive=True, height=_HEIGHT, min_width=280, tools=["hover"], show_grid=True, toolbar=None,
                fontscale=1.0)
    base.update(kw)
    base.pop("width", None)
    return obj.opts(**base)


#: Runs in the browser when a figure's plot area changes width: as many legend columns as fit
#: (at most the number asked for), the figure taller by a line per extra row, so a phone gets a
#: legend in one column instead of one cut at the right.
_FIT_LEGEND_JS = """
const n = Math.max(1, Math.min(cols, Math.floor(fig.inner_width / column_width)));
for (const legend of fig.below) {
  if (legend.ncols === undefined || legend.ncols === n) continue;
  legend.ncols = n;
  fig.height = height + 22 * (Math.ceil(entries / n) - Math.ceil(entries / cols));
}
"""


def _legend_fit(cols: int):
    """A plot hook for a legend under the plot in ``cols`` columns that fits its figure: without
    its outer margin (bokeh sizes the panel below the frame for the legend's box but not for its
    margin, 10 px, which the canvas then cut off), and with as many columns as the plot's width
    holds, at most ``cols`` (:data:`_FIT_LEGEND_JS`; a column's width estimated from the longest
    label)."""

    def hook(plot, element) -> None:
        from bokeh.models import CustomJS

        fig = plot.state
        legends = [legend for legend in fig.below if type(legend).__name__ == "Legend"]
        for legend in fig.legend:
            legend.margin = 0
        labels: list[str] = []
        for legend in legends:
            for item in legend.items:
                label = item.label if isinstance(item.label, dict) else {"value": getattr(item.label, "value", item.label)}
                if "field" in label and item.renderers:  # one item per category of the data (stacked bars)
                    labels += sorted({str(v) for v in item.renderers[0].data_source.data.get(label["field"], [])})
                else:
                    labels.append(str(label.get("value", "")))
        if not legends or not labels:
            return
        for legend in legends:
            legend.ncols, legend.nrows = cols, "auto"
        column_width = 7 * max(len(t) for t in labels) + 40  # ~7 px a character at the legend's font, the glyph, gaps
        fig.js_on_change("inner_width", CustomJS(args=dict(fig=fig, cols=cols, column_width=column_width, entries=len(labels),
                                                           height=int(fig.height)), code=_FIT_LEGEND_JS))

    return hook


def _legend_below(n_items: int, cols: int = 3) -> dict[str, Any]:
    """Options putting a legend under the plot in ``cols`` columns: inside the figure's box (bokeh
    makes room for it, :func:`_legend_fit`), never cut, however many items; the height grows by
    one line per row."""
    rows = -(-n_items // cols)
    return {"legend_position": "bottom", "legend_cols": cols, "height": _HEIGHT + 22 * rows, "hooks": [_legend_fit(cols)]}


def log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks of a log axis where the data lie: 1-2-5 steps of each decade between ``low`` and
    ``high`` (widened to the enclosing 1-2-5 values), labelled in plain numbers, with more steps
    (1-2-3-5-7) when the range spans less than a decade, so a range inside 1-10 still has
    several labelled ticks (bokeh's LogTicker labels decades only)."""
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 or high <= 0:
        return []
    low, high = min(low, high), max(low, high)
    steps = (1, 2, 3, 5, 7) if high / low < 10 else (1, 2, 5) if high / low < 1e4 else (1,)
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    values = sorted({m * 10.0 ** e for e in range(first, last + 1) for m in steps})
    below = [v for v in values if v <= low]
    above = [v for v in values if v >= high]
    lo_tick = below[-1] if below else values[0]
    hi_tick = above[0] if above else values[-1]
    return [(v, formatting.number(v)) for v in values if lo_tick <= v <= hi_tick]


def _label(name: str, capital: bool = False) -> str:
    return formatting.label(name, capital=capital)


def _scalar(da: xr.DataArray) -> float:
    v = _float(da)
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def cost_vs_launch_price(sw: xr.Dataset | None, cmp: xr.Dataset | None = None, parity: float = 1.0):
    """Cost ratio vs terrestrial against launch price, one curve per architecture, on log axes
    with ticks where the curves lie; the parity line; each architecture's launch price as applied
    today (circle, from ``cmp``) and its break-even launch price (diamond, from ``cmp``, else the
    sweep) where one exists. The title names only the marks that are drawn."""
    import holoviews as hv

    title = "Cost ratio vs launch price"
    miss = check(sw, ["cost_ratio_vs_terrestrial"], title)
    if miss:
        return miss
    if "launch_price_per_kg" not in sw.dims:
        return Missing(title, "not computed: the sweep has no launch_price_per_kg dimension")
    x = _dim("launch_price_per_kg", "launch price", "USD/kg")
    y = _dim("cost_ratio_vs_terrestrial", "cost relative to the ground", "1")
    prices = sw["launch_price_per_kg"].values.astype(float)
    layers, ys, xs = [], [parity], list(prices)
    drawn_be = drawn_now = False
    for a in _archs(sw, "cost_ratio_vs_terrestrial"):
        sel = sw.sel(architecture=a) if "architecture" in sw.dims else sw
        ratio = sel["cost_ratio_vs_terrestrial"]
        extra = [d for d in ratio.dims if d != "launch_price_per_kg"]
        ratio = _float(ratio.median(extra) if extra else ratio)
        ok = np.isfinite(ratio) & (ratio > 0)
        ys.extend(ratio[ok])
        # the company alone in the legend: the colour is the architecture's everywhere, and a phone has no room
        layers.append(hv.Curve((prices, ratio), x, y, label=_short_title(a)).opts(color=colour(a), line_width=2))
        ref = cmp.sel(architecture=a) if cmp is not None and "architecture" in cmp.dims and a in cmp["architecture"].values else None
        if ref is not None and "launch_price_per_kg" in ref:
            now = _scalar(values_in(ref["launch_price_per_kg"], "USD/kg"))
            if np.isfinite(now) and now > 0 and ok.sum() >= 2:
                at = float(np.exp(np.interp(np.log(now), np.log(prices[ok]), np.log(ratio[ok]))))
                # unlabelled (no legend entry per architecture): the title says what the circle is
                layers.append(hv.Scatter([(now, at)], x, y).opts(size=9, marker="circle", color="black"))
                drawn_now = True
                xs.append(now)
        src = cmp if cmp is not None and "breakeven_launch_price" in cmp else sel
        if "breakeven_launch_price" in src:
            be = src["breakeven_launch_price"]
            be = be.sel(architecture=a) if "architecture" in be.dims and a in be["architecture"].values else be
            be = _scalar(be)
            if np.isfinite(be) and be > 0:
                layers.append(hv.Scatter([(be, parity)], x, y).opts(size=11, marker="diamond", color=colour(a)))
                drawn_be = True
                xs.append(be)
    layers.append(hv.HLine(parity).opts(color="black", line_dash="dashed"))
    marks = ["dashed: parity"] + (["circle: launch price today"] if drawn_now else []) + (
        ["diamond: break-even price"] if drawn_be else [])
    ys = np.asarray(ys, dtype=float)
    ylo, yhi = float(np.nanmin(ys)), float(np.nanmax(ys))
    xt, yt = log_ticks(min(xs), max(xs)), log_ticks(ylo, yhi)
    return _opts(hv.Overlay(layers), title=title + " (" + "; ".join(marks) + ")",
                 logx=True, logy=True, **_legend_below(len(_archs(sw, "cost_ratio_vs_terrestrial")), 2),
                 xticks=xt or None, yticks=yt or None, xlim=(min(xs) / 1.08, max(xs) * 1.08),
                 ylim=(min(ylo, parity) / 1.15, max(yhi, parity) * 1.15))


def _stacked(records: list[tuple[str, str, float]], group_label: str, vdim, title: str):
    import holoviews as hv

    from bokeh.models import NumeralTickFormatter

    # parts in words (cost items and subsystems are identifiers in the Dataset); architectures by
    # display name on the vertical axis (long names stay readable); one colour per part, none repeated
    records = [(_short_title(a), str(part).replace("_", " "), v) for a, part, v in records]
    parts = list(dict.fromkeys(r[1] for r in records))
    cmap = {part: PART_COLOURS[i % len(PART_COLOURS)] for i, part in enumerate(parts)}
    bars = hv.Bars(records, [_dim("architecture", "architecture"), _dim("part", group_label)], vdim)
    n_archs = len({r[0] for r in records})
    legend = _legend_below(len(parts), 3)
    legend["height"] += 40 * max(0, n_archs - 3)
    return _opts(bars, title=title, stacked=True, invert_axes=True, cmap=cmap, **legend,
                 xformatter=NumeralTickFormatter(format="0,0.[00]"))


def mass_budget(cmp: xr.Dataset | None):
    """Stacked mass budget per architecture, per kW of IT (mass_breakdown / IT power)."""
    title = "Mass budget per kW of IT"
    miss = check(cmp, ["mass_breakdown", "it_power"], title)
    if miss:
        return miss
    mb = values_in(cmp["mass_breakdown"], "kg")
    other = [d for d in mb.dims if d not in ("architecture", "subsystem")]
    if "subsystem" not in mb.dims:
        return Missing(title, "not computed: mass_breakdown has no subsystem dimension")
    records = []
    for a in _archs(cmp, "mass_breakdown"):
        m = mb.sel(architecture=a) if "architecture" in mb.dims else mb
        m = m.median(other) if other else m
        total = float(m.sum("subsystem"))
        sel = cmp.sel(architecture=a) if "architecture" in cmp.dims else cmp
        # per satellite (sums to satellite_mass) or for the whole system (sums to total_mass)
        per_system = "satellite_mass" in sel and "total_mass" in sel and abs(total - _scalar(values_in(sel["total_mass"], "kg"))) < abs(total - _scalar(values_in(sel["satellite_mass"], "kg")))
        power = _scalar(values_in(sel["target_it_power"] if per_system else sel["it_power"], "kW"))
        for s in m["subsystem"].values:
            records.append((a, str(s), float(m.sel(subsystem=s)) / power))
    return _stacked(records, "subsystem", _dim("mass_per_kw", "mass per kW of IT", "kg/kW"), title)


def cost_stack(cmp: xr.Dataset | None):
    """Stacked cost items per architecture, per kW of IT (cost_breakdown / target IT power)."""
    title = "Cost breakdown per kW of IT (present value over the mission life)"
    miss = check(cmp, ["cost_breakdown", "target_it_power"], title)
    if miss:
        return miss
    cb = values_in(cmp["cost_breakdown"], "USD")
    if "cost_item" not in cb.dims:
        return Missing(title, "not computed: cost_breakdown has no cost_item dimension")
    other = [d for d in cb.dims if d not in ("architecture", "cost_item")]
    records = []
    for a in _archs(cmp, "cost_breakdown"):
        c = cb.sel(architecture=a) if "architecture" in cb.dims else cb
        c = c.median(other) if other else c
        sel = cmp.sel(architecture=a) if "architecture" in cmp.dims else cmp
        power = _scalar(values_in(sel["target_it_power"], "kW"))
        for item in c["cost_item"].values:
            records.append((a, str(item), float(c.sel(cost_item=item)) / power))
    return _stacked(records, "cost item", _dim("cost_per_kw", "cost per kW of IT", "USD/kW"), title)


def eclipse_year(yr: xr.Dataset | Missing | None):
    """Beta angle and eclipse fraction over a year, one curve per architecture."""
    import holoviews as hv

    title = "Eclipse fraction and beta angle over a year"
    if isinstance(yr, Missing):
        return yr
    miss = check(yr, ["beta_angle", "eclipse_fraction"], title)
    if miss:
        return miss
    day = [d for d in yr["beta_angle"].dims if d != "architecture"][0]
    x = _dim(day, "day of year", "d")
    beta, ecl = [], []
    for a in _archs(yr, "beta_angle"):
        sel = yr.sel(architecture=a) if "architecture" in yr.dims else yr
        days = np.arange(1, sel.sizes[day] + 1, dtype=float)
        beta.append(hv.Curve((days, _float(values_in(sel["beta_angle"], "deg"))), x,
                             _dim("beta_angle", "beta angle", "deg"), label=_short_title(a)).opts(color=colour(a)))
        ecl.append(hv.Curve((days, _float(sel["eclipse_fraction"])), x,
                            _dim("eclipse_fraction", "eclipse fraction of the orbit", "1"), label=_short_title(a)).opts(color=colour(a)))
    n = len(beta)
    return (_opts(hv.Overlay(beta), title="Beta angle over a year", **{**_legend_below(n, 3), "height": 260 + 22 * -(-n // 3)})
            + _opts(hv.Overlay(ecl), title="Eclipse fraction over a year", **{**_legend_below(n, 3), "height": 260 + 22 * -(-n // 3)})).cols(1).opts(toolbar=None)


def radiator_vs_temperature(sw: xr.Dataset | None, temperature_dim: str = "radiator_design_temperature"):
    """Radiator area per MW of IT against radiator temperature, one curve per architecture."""
    import holoviews as hv

    title = "Radiator area vs radiator temperature"
    if isinstance(sw, Missing):
        return sw
    miss = check(sw, ["radiator_area", "it_power"], title)
    if miss:
        return miss
    if temperature_dim not in sw.dims:
        return Missing(title, f"not computed: the sweep has no {temperature_dim} dimension")
    x = _dim(temperature_dim, "radiator temperature", "K")
    y = _dim("radiator_area_per_mw", "radiator area per MW of IT", "m2/MW")
    temps = values_in(sw[temperature_dim], "K").values
    curves, values = [], []
    for a in _archs(sw, "radiator_area"):
        sel = sw.sel(architecture=a) if "architecture" in sw.dims else sw
        per = values_in(sel["radiator_area"], "m2") / values_in(sel["it_power"], "MW")
        extra = [d for d in per.dims if d != temperature_dim]
        per = per.median(extra) if extra else per
        curves.append(hv.Curve((temps, _float(per)), x, y, label=_short_title(a)).opts(color=colour(a), line_width=2))
        values.extend(v for v in _float(per) if np.isfinite(v) and v > 0)
    ticks = log_ticks(min(values), max(values)) if values else []
    return _opts(hv.Overlay(curves), title=title, logy=True, legend_position="top_right", yticks=ticks or None)


def area_per_mw(cmp: xr.Dataset | None):
    """Solar array and radiator area per MW of IT, stacked per architecture."""
    title = "Array and radiator area per MW of IT"
    miss = check(cmp, ["solar_array_area", "radiator_area", "it_power"], title)
    if miss:
        return miss
    records = []
    for a in _archs(cmp, "solar_array_area"):
        sel = cmp.sel(architecture=a) if "architecture" in cmp.dims else cmp
        mw = values_in(sel["it_power"], "MW")
        for var, label in (("solar_array_area", "solar array"), ("radiator_area", "radiator"),
                           ("heat_pump_array_area", "heat-pump array")):
            if var in sel:
                records.append((a, label, _scalar(values_in(sel[var], "m2") / mw)))
    return _stacked(records, "area", _dim("area_per_mw", "area per MW of IT", "m2/MW"), title)


def deployment_timeline(cmp: xr.Dataset | None, mc: Mapping[str, xr.Dataset] | None = None):
    """Deployment period per architecture, from start_year to start_year + deployment_years
    (thick bar: nominal; thin bar: the Monte Carlo interval of the end year, of the width set by
    ``interval_probability`` in data/report.yaml, as in the report's summary)."""
    import holoviews as hv

    prob = threshold("interval_probability")
    tail = (1.0 - prob) / 2.0

    title = "Deployment timeline"
    miss = check(cmp, ["deployment_years", "start_year"], title)
    if miss:
        return miss
    archs = _archs(cmp, "deployment_years")
    segs, spans, ticks = [], [], []
    for i, a in enumerate(archs):
        sel = cmp.sel(architecture=a) if "architecture" in cmp.dims else cmp
        start = _scalar(sel["start_year"])
        years = _scalar(values_in(sel["deployment_years"], "yr"))
        segs.append((start, i, start + years, i, colour(a)))
        ticks.append((i, _short_title(a)))
        m = (mc or {}).get(a)
        if m is not None and "deployment_years" in m:
            q = np.nanquantile(_float(values_in(m["deployment_years"], "yr")), [tail, 1.0 - tail])
            spans.append((start + q[0], i + 0.25, start + q[1], i + 0.25))
    x0, y0 = _dim("start", "calendar year", None), _dim("y", "architecture")
    layers = [hv.Segments(segs, [x0, y0, "x1", "y1"], vdims=["colour"]).opts(line_width=14, color="colour")]
    if spans:
        layers.append(hv.Segments(spans, [x0, y0, "x1", "y1"]).opts(line_width=3, color="black"))
    return _opts(hv.Overlay(layers), title=title + f" (bar: nominal; thin: {round(100 * prob)}% interval of the end)",
                 yticks=ticks, ylim=(-0.7, len(archs) - 0.3), tools=[], height=max(200, 70 * len(archs) + 80))


#: The colours of a tornado, said in its title (it has no legend).
TORNADO_KEY = "blue: parameter at its low end; red: at its high end; line: as stated"


def tornado(tor: xr.Dataset | Missing | None, output: str = "cost_ratio_vs_terrestrial", top: int = 12):
    """Tornado: the output at each parameter's low and high value, widest swing on top."""
    import holoviews as hv

    title = f"Tornado: {_label(output)}"
    if isinstance(tor, Missing):
        return tor
    if tor is None:
        return Missing(title, "not computed: no sensitivity results (orbitdc.sensitivity absent)")
    lo_name = next((n for n in ("low", "output_low", "at_low") if n in tor), None)
    hi_name = next((n for n in ("high", "output_high", "at_high") if n in tor), None)
    if lo_name is None or hi_name is None or "parameter" not in tor.dims:
        return Missing(title, "not computed: sensitivity result lacks a parameter dimension with low/high outputs")
    lo, hi = _float(tor[lo_name]), _float(tor[hi_name])
    base_name = next((n for n in ("baseline", "base", "nominal") if n in tor), None)
    base = tor.attrs.get("base", tor[base_name].item() if base_name else np.nanmedian(np.r_[lo, hi]))
    base = float(base)
    names = [str(p) for p in tor["parameter"].values]
    swing = np.abs(hi - lo)
    order = [i for i in np.argsort(-np.nan_to_num(swing)) if np.isfinite(swing[i])][:top][::-1]
    unit = tor[lo_name].attrs.get("units", "1")
    y = _dim("parameter", "parameter")
    x = _dim("value", _label(output), unit)
    segs_lo = [(base, i, lo[j], i) for i, j in enumerate(order)]
    segs_hi = [(base, i, hi[j], i) for i, j in enumerate(order)]
    ticks = [(i, _tornado_label(names[j])) for i, j in enumerate(order)]
    layers = [
        hv.Segments(segs_lo, [x, y, "x1", "y1"], label="parameter at low").opts(line_width=12, color="#1f77b4"),
        hv.Segments(segs_hi, [x, y, "x1", "y1"], label="parameter at high").opts(line_width=12, color="#d62728"),
        hv.VLine(base).opts(color="black"),
    ]
    # the two colours said in the title, no legend: the bars' long labels leave a phone's plot too
    # narrow for one under it
    return _opts(hv.Overlay(layers), title=title + f" ({TORNADO_KEY}, {formatting.number(base)})", yticks=ticks,
                 tools=[], show_legend=False, height=max(260, 38 * len(order) + 88))


def _tornado_label(name: str, limit: int = 44) -> str:
    """A tornado bar's label: the parameter's long name without its explanations, on two lines
    when longer than ``limit`` characters (broken between words: never cut)."""
    text = formatting.short_label(name, capital=True)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, min(len(text) - 1, max(limit, len(text) // 2) + 1))
    return text if cut <= 0 else text[:cut] + "\n" + text[cut + 1:]


def tornados(results: Mapping[str, Any] | Missing | None, output: str = "cost_ratio_vs_terrestrial"):
    """One tornado per architecture (a mapping name -> sensitivity result), stacked."""
    import holoviews as hv

    if isinstance(results, Missing):
        return results
    if not results:
        return Missing(f"Tornado: {_label(output)}", "not computed: no space architecture")
    figs = {a: tornado(t, output) for a, t in results.items()}
    # short titles: the long name of the output is the x axis' label (a long title is cut off)
    shown = [f.opts(title=f"{_short_title(a)}: widest swing on top ({TORNADO_KEY})") for a, f in figs.items()
             if not isinstance(f, Missing)]
    if not shown:
        return next(iter(figs.values()))
    return hv.Layout(shown).cols(1).opts(toolbar=None)  # no toolbar: printed in the PDF, noise on the page


def cost_ratio_distribution(mc: Mapping[str, xr.Dataset] | None, parity: float = 1.0):
    """Monte Carlo histograms of the cost ratio vs terrestrial, one per architecture, of the samples
    whose design closes (the others have no cost: the legend says how many of how many are drawn,
    and they count as never cheaper in every median the report quotes)."""
    import holoviews as hv

    title = "Monte Carlo: cost relative to the ground, samples that close"
    if not mc:
        return Missing(title, "not computed: no Monte Carlo results (orbitdc.monte_carlo absent or no space architecture)")
    samples, counts = {}, {}
    for a, d in mc.items():
        if "cost_ratio_vs_terrestrial" not in d:
            continue
        v = _float(d["cost_ratio_vs_terrestrial"]).ravel()
        ok = (np.broadcast_to(_float(d["feasible"]).astype(bool).ravel(), v.shape) if "feasible" in d
              else np.ones(v.size, dtype=bool))
        keep = ok & np.isfinite(v) & (v > 0)
        counts[a] = (int(keep.sum()), int(v.size))
        if keep.any():
            samples[a] = v[keep]
    if not samples:
        said = "; ".join(f"{title_of(a)}: none of {n:,} samples closes" for a, (_, n) in counts.items())
        return Missing(title, f"not drawn: {said}" if said else "not computed: cost_ratio_vs_terrestrial absent (stage economics absent)")
    allv = np.concatenate(list(samples.values()))
    lo, hi = float(allv.min()), float(allv.max())
    log = hi / lo > 20
    edges = np.geomspace(lo, hi * 1.0001, 40) if log else np.linspace(lo, hi * 1.0001 + 1e-12, 40)
    x = _dim("cost_ratio_vs_terrestrial", "cost relative to the ground", "1")
    ydim = _dim("share", "share of all samples", "1")
    layers = []
    for a, v in samples.items():
        kept, n = counts[a]
        hist, _ = np.histogram(v, bins=edges)
        layers.append(hv.Histogram((edges, hist / n), kdims=[x], vdims=[ydim],
                                   label=f"{_short_title(a)} ({kept:,} of {n:,} close)").opts(alpha=0.5, color=colour(a)))
    layers.append(hv.VLine(parity).opts(color="black", line_dash="dashed"))
    xlim = (min(lo, parity) / 1.1, max(hi, parity) * 1.1) if log else (min(lo, parity) - 0.05 * (hi - lo + 1e-9),
                                                                     max(hi, parity) + 0.05 * (hi - lo + 1e-9))
    extra = {"xticks": log_ticks(*xlim) or None} if log else {}
    # the company alone: a title does not wrap, and the full name cut with no end says nothing
    missing = [f"{title_of(a).split(' — ')[0]}: none of {n:,} closes" for a, (k, n) in counts.items() if not k]
    shown_title = title + " (dashed: parity)" + (f"; {'; '.join(missing)}" if missing else "")
    return _opts(hv.Overlay(layers), title=shown_title, logx=log, xlim=xlim, **extra)


def co2_per_kwh(cmp: xr.Dataset | None):
    """CO2 per kWh of IT energy: each space architecture's launch emissions against the grid."""
    import holoviews as hv

    title = "CO2 per kWh of IT energy"
    if cmp is None:
        return Missing(title, "not computed: no results")
    records = []
    archs = [str(a) for a in cmp["architecture"].values] if "architecture" in cmp.dims else [cmp.attrs.get("architecture", "")]
    for a in archs:
        sel = cmp.sel(architecture=a) if "architecture" in cmp.dims else cmp
        v, var = co2_value(sel)
        if var is not None:
            records.append((_short_title(a), v, _label(var), colour(a)))
    if not records:
        return Missing(title, "not computed: " + "; ".join(f"{n} absent" for n in CO2_VARIABLES)
                       + " (stage launch or the grid-intensity parameter absent)")
    # horizontal bars: the names stay readable at any width; what is counted is in the hover
    bars = hv.Bars(records, _dim("architecture", "architecture"),
                   [_dim("co2", "CO2 per kWh", "g/(kW h)"), _dim("counted", "what is counted"), "colour"])
    return _opts(bars, title=title + " (hover: what is counted)", invert_axes=True, color="colour",
                 height=max(200, 60 * len(records) + 90))


__all__ = [
    "Missing", "area_per_mw", "bokeh_js", "check", "co2_per_kwh", "co2_value", "cost_ratio_distribution", "cost_stack",
    "cost_vs_launch_price", "deployment_timeline", "eclipse_year", "mass_budget", "radiator_vs_temperature",
    "setup", "show", "to_html", "tornado", "tornados",
]


# --------------------------------------------------------------------------------------------
# The year-by-year model (orbitdc.trajectory)
# --------------------------------------------------------------------------------------------
def _trajectories(tr: xr.Dataset | Mapping[str, xr.Dataset] | None) -> dict[str, xr.Dataset]:
    """Name -> one architecture's trajectory, from a Dataset (``architecture`` dimension or not)
    or a mapping of them."""
    if tr is None:
        return {}
    if not isinstance(tr, xr.Dataset):  # a mapping name -> Dataset (a Dataset is a Mapping too)
        return {str(k): v for k, v in tr.items() if isinstance(v, xr.Dataset)}
    if "architecture" in tr.dims:
        out = {}
        for a in tr["architecture"].values:
            d = tr.sel(architecture=a)
            if "architecture_kind" in d.coords:
                d = d.assign_attrs(architecture_kind=str(d["architecture_kind"].values))
            out[str(a)] = d
        return out
    return {str(tr.attrs.get("architecture", "architecture")): tr}


def cost_ratio_by_year(tr: xr.Dataset | Mapping[str, xr.Dataset] | None, parity: float = 1.0):
    """Cohort cost ratio vs terrestrial by year, one curve per space architecture in its colour:
    the median over the Monte Carlo samples with the 10-90 % band (80 % of the samples), both the
    record's statistic (a sample without a finite cost counting as never cheaper), else the nominal
    ratio; the parity line, labelled; each median crossover year marked and labelled (the legend
    says it, or that there is none by the last year). The years span the trajectory's (every year
    chart of the report shares them)."""
    import holoviews as hv

    title = "Cost of the capacity built each year, relative to the ground"
    runs = {a: d for a, d in _trajectories(tr).items() if d.attrs.get("architecture_kind", "space") == "space"
            and "cost_ratio_vs_terrestrial" in d and np.isfinite(_float(d["cost_ratio_vs_terrestrial"])).any()}
    if not runs:
        return Missing(title, "not computed: no trajectory of a space architecture (orbitdc.trajectory)")
    x = _dim("year", "year")
    y = _dim("cost_ratio_vs_terrestrial", "cost relative to the ground", "1")
    layers, shown, labels = [], [], []
    first = min(float(d["year"].values[0]) for d in runs.values())
    last = max(float(d["year"].values[-1]) for d in runs.values())
    for a, d in runs.items():
        years = d["year"].values.astype(float)
        c = colour(a)
        ratio = d["cost_ratio_vs_terrestrial"]
        if "sample" in ratio.dims:
            q = year_quantiles(ratio, [0.1, 0.5, 0.9])
            extra = [dim for dim in q.dims if dim not in ("quantile", "year")]
            q = q.max(extra) if extra else q  # one architecture: no other dimension left
            lo, mid, hi = (_float(q.sel(quantile=v)) for v in (0.1, 0.5, 0.9))
            band_hi = np.where(np.isfinite(hi), hi, np.nan)
            layers.append(hv.Area((years, lo, band_hi), x, [y, "y2"]).opts(alpha=0.18, color=c, line_alpha=0))
            cross = float(median_year(d["crossover_year"])) if "crossover_year" in d else float("nan")
        else:
            extra = [dim for dim in ratio.dims if dim != "year"]
            mid = _float(ratio.median(extra) if extra else ratio)
            cross = _scalar(d["crossover_year"]) if "crossover_year" in d else float("nan")
        name = _short_title(a)
        label = f"{name}: cheaper from {cross:.0f}" if np.isfinite(cross) else f"{name}: not cheaper by {last:.0f}"
        mid = np.where(np.isfinite(mid), mid, np.nan)
        layers.append(hv.Curve((years, mid), x, y, label=label).opts(color=c, line_width=2.5))
        shown.extend(v for v in np.ravel(mid) if np.isfinite(v) and v > 0)
        if np.isfinite(cross):
            at = float(np.interp(cross, years, np.nan_to_num(mid, nan=parity)))
            layers.append(hv.Scatter([(cross, at)], x, y).opts(size=12, marker="diamond", color=c, line_color="black"))
            labels.append((cross, at, f"{cross:.0f}", c))
    lo, hi = (min(min(shown), parity), max(max(shown), parity)) if shown else (parity / 2, parity * 2)
    layers.append(hv.HLine(parity).opts(color="black", line_dash="dashed", line_width=1.5))
    layers.append(hv.Text(first + 0.3, parity, "parity with the ground", halign="left", valign="bottom",
                          fontsize=9))
    for cx, cy, text, c in labels:
        layers.append(hv.Text(cx, cy, f" {text}", halign="left", valign="top", fontsize=10).opts(color=c))
    return _opts(hv.Overlay(layers), title=title, logy=True, legend_position="top_right",
                 ylim=(lo / 1.2, hi * 1.25), yticks=log_ticks(lo, hi) or None, xlim=(first, last))


def _year_text(v: float) -> str:
    return f"{v:.0f}" if np.isfinite(v) else "beyond"


def it_power_by_year(tr: xr.Dataset | Mapping[str, xr.Dataset] | None):
    """IT power in service by year against the target, one curve per space architecture (the
    median over Monte Carlo samples when there are some), with the binding limit in the hover."""
    import holoviews as hv

    title = "IT power online by year"
    runs = {a: d for a, d in _trajectories(tr).items() if "it_power_online" in d and np.isfinite(_float(d["it_power_online"])).any()}
    if not runs:
        return Missing(title, "not computed: no fleet build-up (orbitdc.trajectory of a space architecture)")
    x = _dim("year", "year")
    y = _dim("it_power_online", "IT power online", "GW")
    layers = []
    for a, d in runs.items():
        years = d["year"].values.astype(float)
        online = values_in(d["it_power_online"], "GW")
        extra = [dim for dim in online.dims if dim != "year"]
        online = online.median(extra) if extra else online
        target = _scalar(values_in(d["it_power_target"], "GW")) if "it_power_target" in d else float("nan")
        layers.append(hv.Curve((years, _float(online)), x, y, label=_short_title(a)).opts(color=colour(a), line_width=2))
        if np.isfinite(target):
            layers.append(hv.Curve((years, np.full(years.size, target)), x, y).opts(line_dash="dotted", color=colour(a)))
    first = min(float(d["year"].values[0]) for d in runs.values())
    last = max(float(d["year"].values[-1]) for d in runs.values())
    return _opts(hv.Overlay(layers), title=title + " (dotted: the target)", legend_position="bottom_right",
                 xlim=(first, last), height=300)


def parity_contour(par: xr.Dataset | None, levels: int = 8):
    """The parity surface of :func:`orbitdc.parity`: the solved parameter's value at cost ratio 1.

    Two grid parameters: filled image of that value with contour lines (``hv.operation.contours``)
    and the title's sentence from ``attrs['conditions']``; one grid parameter: a curve. NaN (no
    parity in the bracket) is left blank.
    """
    import holoviews as hv

    title = "What would have to be true: parity surface (cost ratio 1)"
    if par is None:
        return Missing(title, "not computed: no parity result")
    solve = par.attrs.get("solved_parameter")
    name = f"parity_{solve}"
    if name in par and not np.isfinite(par[name].values).any():  # computed: no parity anywhere
        return Missing(title, par.attrs.get("conditions", "no parity within the ranges"))
    miss = check(par, [name], title)
    if miss:
        return miss
    var = par[name]
    z = _dim(name, f"{_label(solve)} at parity", var.attrs.get("units"))
    grid = list(var.dims)
    if len(grid) == 1:
        x = _dim(grid[0], _label(grid[0]), par[grid[0]].attrs.get("units"))
        obj = hv.Curve((par[grid[0]].values, _float(var)), x, z)
        return _opts(obj, title=title, width=_WIDTH, height=_HEIGHT)
    gx, gy = grid[1], grid[0]
    x = _dim(gx, _label(gx), par[gx].attrs.get("units"))
    y = _dim(gy, _label(gy), par[gy].attrs.get("units"))
    img = hv.QuadMesh((par[gx].values, par[gy].values, _float(var.transpose(gy, gx))), [x, y], z)
    lines = hv.operation.contours(hv.Image((par[gx].values, par[gy].values, np.nan_to_num(_float(var.transpose(gy, gx)), nan=np.nanmax(_float(var)))), [x, y], z), levels=levels)
    return _opts(img.opts(colorbar=True, cmap="viridis") * lines.opts(color="white"), title=title,
                 width=_WIDTH, height=_HEIGHT)


def when_figure(tr: xr.Dataset | Missing | None):
    """The first screen's chart: the cohort cost ratio by year for each space architecture (median,
    80 % band, parity line, crossover year marked) above the IT power online by year against the
    target (:func:`orbitdc.report.figures.cost_ratio_by_year`, :func:`orbitdc.report.figures.it_power_by_year`)."""
    if isinstance(tr, Missing):
        return tr
    ratio, power = cost_ratio_by_year(tr), it_power_by_year(tr)
    shown = [f for f in (ratio, power) if not isinstance(f, Missing)]
    if not shown:
        return Missing("When would it beat the ground?", f"{ratio.reason}; {power.reason}")
    if len(shown) == 1:
        return shown[0]
    return (ratio + power).cols(1).opts(toolbar=None)


def headline(tr: xr.Dataset | Missing | None):
    """The first screen's chart: the cost of the capacity built each year relative to the ground
    (:func:`cost_ratio_by_year`), median and 80 % band, parity and crossovers labelled."""
    if isinstance(tr, Missing):
        return tr
    return cost_ratio_by_year(tr).opts(height=270)  # the first screen (1280x800) holds it whole below the answers


# --------------------------------------------------------------------------------------------
# The reconciliation with published analyses (orbitdc.reconcile)
# --------------------------------------------------------------------------------------------
def waterfall_figure(w: xr.Dataset):
    """One waterfall of :func:`orbitdc.reconcile`: a bar per step from the running figure before it
    to the one after (the first from zero), in USD per kW-yr, steps from top to bottom with their
    names on the axis; rises and falls in two colours; the ground's full cost per kW-yr as a
    labelled reference line where the reconciliation gives it."""
    import holoviews as hv

    values = np.asarray(w["value"].values, dtype=float)
    before = np.concatenate([[0.0], values[:-1]])
    n = values.size
    ypos = np.arange(n, dtype=float)[::-1]  # the published figure on top
    up = values >= before
    x = _dim("cost", "USD per kW-yr")
    yd = _dim("step", "step")
    layers = []
    for mask, c, name in ((up, "#c0504d", "raises the figure"), (~up, "#4f81bd", "lowers it")):
        rects = [(min(before[i], values[i]), ypos[i] - 0.38, max(before[i], values[i]), ypos[i] + 0.38)
                 for i in np.flatnonzero(mask)]
        if rects:
            layers.append(hv.Rectangles(rects, kdims=[x, yd, "x1", "y1"], label=name).opts(color=c, line_color=None))
    ticks = [(float(ypos[i]), RECONCILIATION_STEPS.get(str(s), str(s).replace("_", " ")))
             for i, s in enumerate(w["step"].values)]
    ground = float(w.attrs.get("ground_cost_per_kw_year", np.nan))
    if np.isfinite(ground):
        layers.append(hv.VLine(ground).opts(color="black", line_dash="dashed", line_width=1.5))
        layers.append(hv.Text(ground, n - 0.45, f" the ground: {formatting.number(ground)}", halign="left",
                              valign="top", fontsize=9))
    title = f"{title_of(w.attrs['architecture'])}: published figure to orbitdc's full cost"
    return _opts(hv.Overlay(layers), title=title, yticks=ticks, tools=[], legend_position="bottom_right",
                 height=max(260, 30 * n + 90), ylim=(-0.6, n - 0.4))


def waterfalls(waterfalls: Mapping[str, xr.Dataset | str]):
    """The waterfalls of :func:`orbitdc.reconcile` (name -> Dataset, or the reason it was not
    computed), one above the other, or Missing when none was computed."""
    import holoviews as hv

    figs = [waterfall_figure(w) for w in waterfalls.values() if isinstance(w, xr.Dataset)]
    if not figs:
        return Missing("Reconciliation waterfalls", "not computed: " + "; ".join(map(str, waterfalls.values())))
    return hv.Layout(figs).cols(1).opts(toolbar=None)
