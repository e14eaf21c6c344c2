"""orbitdc.plots: each figure from hand-made results with known numbers.

The figures draw and normalise only; these tests check the normalisations against hand-derived
values (e.g. 2,000 kg over 100 kW = 20 kg/kW), that every axis carries its unit, that a missing
input gives a plain "not computed" message naming the variable and its stage, and that every
figure renders to a standalone bokeh fragment without any URL.
"""
from __future__ import annotations

import re

import holoviews as hv
import numpy as np
import pytest
import xarray as xr

from orbitdc.report import figures as plots

ARCHS = ["alpha", "beta"]


def _da(values, unit, dims=("architecture",), coords=None):
    return xr.DataArray(np.asarray(values, dtype=float), dims=dims, coords=coords, attrs={"units": unit})


@pytest.fixture(scope="module", autouse=True)
def _backend():
    plots.setup(static=True)


@pytest.fixture()
def cmp():
    sub = ["compute", "structure"]
    return xr.Dataset(
        {
            "it_power": _da([100.0, 200.0], "kW"),  # per satellite
            "target_it_power": _da([1e6, 1e6], "kW"),
            "satellite_mass": _da([2000.0, 5000.0], "kg"),
            "total_mass": _da([20000.0, 25000.0], "t"),
            "mass_breakdown": _da([[1500.0, 500.0], [4000.0, 1000.0]], "kg", ("architecture", "subsystem")),
            "solar_array_area": _da([400.0, 1000.0], "m2"),
            "radiator_area": _da([300.0, 500.0], "m2"),
            "cost_breakdown": _da([[3e9, 1e9], [2e9, 2e9]], "USD", ("architecture", "cost_item")),
            "start_year": _da([2030, 2032], "1"),
            "deployment_years": _da([4.0, 12.0], "yr"),
            "launch_co2_per_kwh": _da([30.0, np.nan], "g/(kW h)"),
            "grid_carbon_intensity": _da([400.0, 0.4], "kg/(MW h)"),
        },
        coords={"architecture": ARCHS, "subsystem": sub, "cost_item": ["launch", "hardware"]},
    )


def _bars_values(obj) -> dict[tuple, float]:
    df = obj.dframe()
    kd = [d.name for d in obj.kdims]
    return {tuple(r[k] for k in kd): float(r[obj.vdims[0].name]) for _, r in df.iterrows()}


def _units_on_axes(obj) -> list[str]:
    """Pretty labels of every dimension of every element (HoloViews puts units in brackets)."""
    labels = []
    for el in obj.traverse(lambda x: x, [hv.element.Element]):
        labels += [d.pprint_label for d in el.dimensions()[:2] + list(el.vdims[:1])]
    return labels


def test_mass_budget_per_kw_hand_values(cmp):
    fig = plots.mass_budget(cmp)
    vals = _bars_values(fig)
    # breakdown sums to satellite_mass, so it is per satellite: divide by it_power per satellite
    assert vals[("alpha", "compute")] == pytest.approx(1500 / 100)
    assert vals[("alpha", "structure")] == pytest.approx(500 / 100)
    assert vals[("beta", "compute")] == pytest.approx(4000 / 200)
    assert "mass per kW of IT (kg/kW)" in _units_on_axes(fig)


def test_cost_stack_per_kw_hand_values(cmp):
    vals = _bars_values(plots.cost_stack(cmp))
    assert vals[("alpha", "launch")] == pytest.approx(3e9 / 1e6)  # USD / kW of target IT power
    assert vals[("beta", "hardware")] == pytest.approx(2e9 / 1e6)


def test_area_per_mw_hand_values(cmp):
    vals = _bars_values(plots.area_per_mw(cmp))
    assert vals[("alpha", "solar array")] == pytest.approx(400 / 0.1)  # m2 per MW: 100 kW = 0.1 MW
    assert vals[("beta", "radiator")] == pytest.approx(500 / 0.2)


def test_co2_uses_first_available_variable_and_converts(cmp):
    fig = plots.co2_per_kwh(cmp)
    vals = _bars_values(fig)
    from orbitdc.formatting import label

    # bars are named by the architecture (display name); what is counted, in words, is a value dimension
    assert vals[("alpha",)] == pytest.approx(30.0)
    # beta has no launch CO2: falls back to the grid intensity, 0.4 kg/MWh = 0.4 g/kWh
    assert vals[("beta",)] == pytest.approx(0.4)
    counted = dict(zip(fig.dimension_values(0), fig.dimension_values("counted")))
    assert counted["alpha"] == label("launch_co2_per_kwh", capital=False) and counted["beta"] == label("grid_carbon_intensity", capital=False)


def test_deployment_timeline_segments(cmp):
    mc = {"alpha": xr.Dataset({"deployment_years": _da(np.linspace(2, 6, 101), "yr", ("sample",))})}
    fig = plots.deployment_timeline(cmp, mc)
    segs = fig.Segments.I.dframe()
    assert segs.iloc[0]["x1"] == pytest.approx(2034.0)  # 2030 + 4 yr
    assert segs.iloc[1]["x1"] == pytest.approx(2044.0)
    spans = fig.Segments.II.dframe()
    assert spans.iloc[0]["start"] == pytest.approx(2030 + 2.4)  # 10th percentile of 2..6
    assert spans.iloc[0]["x1"] == pytest.approx(2030 + 5.6)


def test_cost_vs_launch_price_marks_breakeven():
    prices = np.geomspace(10, 10000, 7)
    ratio = np.vstack([0.5 + prices / 1000, 2 + prices / 1000])
    sw = xr.Dataset({"cost_ratio_vs_terrestrial": (("architecture", "launch_price_per_kg"), ratio, {"units": "1"})},
                    coords={"architecture": ARCHS, "launch_price_per_kg": prices})
    cmp = xr.Dataset({"breakeven_launch_price": _da([500.0, np.nan], "USD/kg")}, coords={"architecture": ARCHS})
    fig = plots.cost_vs_launch_price(sw, cmp)
    scatters = [el for el in fig if isinstance(el, hv.Scatter)]
    assert len(scatters) == 1  # beta never breaks even: no marker
    assert scatters[0].dframe().iloc[0].tolist() == pytest.approx([500.0, 1.0])
    assert any(isinstance(el, hv.HLine) and el.data == 1.0 for el in fig)
    labels = _units_on_axes(fig)
    assert "launch price (USD/kg)" in labels


def test_tornado_orders_by_swing():
    tor = xr.Dataset(
        {"low": ("parameter", [0.9, 0.5, 1.0], {"units": "1"}), "high": ("parameter", [1.1, 2.5, 1.0], {"units": "1"}),
         "baseline": ((), 1.0)},
        coords={"parameter": ["a", "launch_price_per_kg", "c"]},
    )
    fig = plots.tornado(tor)
    ticks = fig.opts.get().kwargs["yticks"]
    from orbitdc.chain import parameter_specs

    # widest swing (the launch price) on top (last); bars named by the parameter's long name without
    # its explanation in parentheses, broken over two lines when long -- never cut
    from orbitdc.formatting import short_label

    assert parameter_specs()["launch_price_per_kg"].long_name.startswith("launch price per kg")
    assert [t[1] for t in ticks][:2] == ["C", "A"]
    assert ticks[2][1].replace("\n", " ") == short_label("launch_price_per_kg", capital=True)
    assert "…" not in ticks[2][1] and all(len(line) <= 44 for line in ticks[2][1].split("\n"))


def test_cost_ratio_distribution_shares_sum_to_one():
    rng = np.random.default_rng(0)
    mc = {a: xr.Dataset({"cost_ratio_vs_terrestrial": ("sample", rng.lognormal(0, 0.3, 500))}) for a in ARCHS}
    fig = plots.cost_ratio_distribution(mc)
    for h in (el for el in fig if isinstance(el, hv.Histogram)):
        assert h.dimension_values(1).sum() == pytest.approx(1.0)


def test_eclipse_year_has_both_panels():
    days = np.arange(1, 366)
    yr = xr.Dataset(
        {"beta_angle": (("architecture", "day_of_year"), np.tile(np.sin(days / 58) * 60, (2, 1)), {"units": "deg"}),
         "eclipse_fraction": (("architecture", "day_of_year"), np.full((2, 365), 0.3), {"units": "1"})},
        coords={"architecture": ARCHS, "day_of_year": days},
    )
    fig = plots.eclipse_year(yr)
    labels = _units_on_axes(fig)
    assert "beta angle (deg)" in labels and "day of year (d)" in labels


def test_missing_inputs_say_not_computed_and_why(cmp):
    res = plots.mass_budget(cmp.drop_vars("mass_breakdown"))
    assert isinstance(res, plots.Missing)
    assert "not computed" in res.reason and "mass_breakdown" in res.reason
    assert isinstance(plots.cost_ratio_distribution(None), plots.Missing)
    assert isinstance(plots.tornado(None), plots.Missing)
    assert isinstance(plots.radiator_vs_temperature(cmp), plots.Missing)  # no temperature dimension
    html = plots.to_html(res)
    assert 'class="orbitdc-missing"' in html


def test_missing_message_is_escaped():
    m = plots.Missing("<b>t</b>", "<script>alert(1)</script>")
    assert "<script>" not in m.html() and "&lt;script&gt;" in m.html()


def test_every_figure_renders_standalone_without_urls(cmp):
    figs = [plots.mass_budget(cmp), plots.cost_stack(cmp), plots.area_per_mw(cmp), plots.co2_per_kwh(cmp),
            plots.deployment_timeline(cmp)]
    for fig in figs:
        html = plots.to_html(fig)
        assert 'class="orbitdc-figure"' in html
        assert not re.search(r"<script[^>]+src=", html)


def test_bokeh_js_is_inline_only():
    js = plots.bokeh_js()
    assert len(js) > 100_000  # BokehJS itself
    assert not re.search(r"<script[^>]+src=", js)


# --------------------------------------------------------------------------------------------
# The year-by-year model
# --------------------------------------------------------------------------------------------
def _trajectory_mc():
    """Two architectures' Monte Carlo with known samples (10 per year, 3 years). alpha's sorted
    samples put the inverted-CDF 10/50/90 % (the 1st, 5th and 9th of 10) at 3/4/5 in 2030, 2/3/4
    in 2035 and 0.8/1.5/2.5 in 2040, where its largest sample has no cost (NaN: never cheaper, so
    last); its crossover years [2036, 2037, 2037, 2038, 2038, 2039, never x4] have the median 2038
    (the 5th). beta never crosses."""
    years = [2030, 2035, 2040]
    a30 = [3.0, 3.2, 3.4, 3.6, 4.0, 4.2, 4.4, 4.6, 5.0, 5.5]
    a35 = [2.0, 2.2, 2.4, 2.6, 3.0, 3.2, 3.4, 3.6, 4.0, 4.5]
    a40 = [0.8, 0.9, 1.0, 1.2, 1.5, 1.7, 1.9, 2.1, 2.5, np.nan]
    alpha = np.array([a30, a35, a40]).T            # sample x year
    beta = alpha + 5.0
    ratio = np.stack([alpha, beta])                # architecture x sample x year
    cross = np.array([[2036, 2037, 2037, 2038, 2038, 2039] + [np.nan] * 4, [np.nan] * 10], dtype=float)
    online = np.array([[0.0, 5e5, 1e6], [0.0, 1e5, 2e5]])
    return xr.Dataset(
        {
            "cost_ratio_vs_terrestrial": (("architecture", "sample", "year"), ratio, {"units": "1"}),
            "crossover_year": (("architecture", "sample"), cross, {"units": "1"}),
            "it_power_online": (("architecture", "sample", "year"), np.tile(online[:, None, :], (1, 10, 1)), {"units": "kW"}),
            "it_power_target": (("architecture",), np.array([1e6, 1e6]), {"units": "kW"}),
        },
        coords={"architecture": ARCHS, "year": years, "sample": np.arange(10),
                "architecture_kind": ("architecture", ["space", "space"])},
    )


def test_cost_ratio_by_year_band_median_and_crossover():
    """The median and band are the record's statistic over the samples (a sample without a cost is
    never cheaper), the crossover its median year, labelled; parity drawn and labelled."""
    fig = plots.cost_ratio_by_year(_trajectory_mc())
    areas = [el for el in fig if isinstance(el, hv.Area)]
    curves = [el for el in fig if type(el) is hv.Curve]  # (an Area is a Curve too)
    marks = [el for el in fig if isinstance(el, hv.Scatter)]
    assert len(areas) == 2 and len(curves) == 2
    band = areas[0].dframe()
    assert list(band.iloc[:, 1]) == [3.0, 2.0, 0.8] and list(band.iloc[:, 2]) == [5.0, 4.0, 2.5]
    assert list(curves[0].dframe().iloc[:, 1]) == [4.0, 3.0, 1.5]  # the median
    assert curves[0].label == "alpha: cheaper from 2038" and curves[1].label == "beta: not cheaper by 2040"
    # the diamond sits on the median curve at the median crossover year: 3.0 + (1.5 - 3.0) x 3/5 = 2.1
    (x, y), = marks[0].dframe().values
    assert x == 2038.0 and y == pytest.approx(2.1)
    assert any(isinstance(el, hv.HLine) and el.data == 1.0 for el in fig)
    texts = [el.text for el in fig if isinstance(el, hv.Text)]
    assert "parity with the ground" in texts and any("2038" in s for s in texts)
    # one colour per architecture, the same as in every other chart
    assert curves[0].opts.get().kwargs["color"] == plots.colour("alpha") != plots.colour("beta")


def test_it_power_by_year_in_gw_against_target():
    fig = plots.it_power_by_year(_trajectory_mc())
    curves = [el for el in fig if isinstance(el, hv.Curve)]
    by_label = {el.label: el for el in curves if el.label}
    assert list(by_label["alpha"].dframe().iloc[:, 1]) == pytest.approx([0.0, 0.5, 1.0])  # kW -> GW, median of samples
    targets = [el for el in curves if not el.label]
    assert list(targets[1].dframe().iloc[:, 1]) == pytest.approx([1.0, 1.0, 1.0])
    assert "GW" in " ".join(_units_on_axes(fig))
    # the year axes of the year charts are the same
    assert fig.opts.get().kwargs["xlim"] == plots.cost_ratio_by_year(_trajectory_mc()).opts.get().kwargs["xlim"] == (2030, 2040)


def test_trajectory_figures_missing_and_standalone():
    assert isinstance(plots.cost_ratio_by_year(None), plots.Missing)
    assert isinstance(plots.it_power_by_year(xr.Dataset()), plots.Missing)
    html_ = plots.to_html(plots.cost_ratio_by_year(_trajectory_mc()))
    assert "bk-root" in html_ or "data-root-id" in html_
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html_)
