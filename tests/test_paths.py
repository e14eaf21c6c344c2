"""Paths over the years (orbitdc.paths, issue 23): interpolation by hand, a path equal to the
trend reproduces the trend, Python / DataArray / command line agree, bad paths are one-line
errors (exit 2 from the CLI), evaluate takes the value at start_year, cohorts of different sizes
are booked exactly."""
from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc import fleet as fl
from orbitdc.errors import ArchitectureError, ParameterError
from orbitdc.paths import as_path, interpolation, parse_path_text

SPACEX = "spacex-starlink-compute"
PRICE = {2026: 1500.0, 2030: 165.0, 2035: 15.0}


# --------------------------------------------------------------------------------------------
# Interpolation, by hand
# --------------------------------------------------------------------------------------------
def test_log_linear_between_the_years_and_flat_outside():
    p = as_path("launch_price_per_kg", PRICE, "USD/kg")
    assert p.kind == "log"
    # halfway 2026 -> 2030 (2028): the geometric mean sqrt(1500 x 165) = 497.49 USD/kg
    assert p.at(2028) == pytest.approx(math.sqrt(1500 * 165), rel=1e-12)
    # a quarter of the way 2030 -> 2035 (2031.25): 165 (15/165)^0.25 = 90.14
    assert p.at(2031.25) == pytest.approx(165 * (15 / 165) ** 0.25, rel=1e-12)
    # the given values exactly; held flat outside, with the warning saying so
    np.testing.assert_array_equal(p.at([2026, 2030, 2035]), [1500.0, 165.0, 15.0])
    np.testing.assert_array_equal(p.at([2020, 2050]), [1500.0, 15.0])
    assert p.outside(2025, 2050) == ("launch_price_per_kg: held at its 2026 value before 2026 and held at its 2035 "
                                     "value after 2035 (path given 2026-2035)")
    assert p.outside(2026, 2035) is None


def test_linear_for_quantities_that_are_not_prices():
    p = as_path("utilisation", {2026: 0.5, 2030: 0.9}, "1")
    assert p.kind == "linear"
    assert p.at(2027) == pytest.approx(0.6, rel=1e-12)  # 0.5 + (0.9 - 0.5)/4


@pytest.mark.parametrize("name,unit,kind", [("launch_price_per_kg", "USD/kg", "log"), ("bus_cost_per_kg", "USD/kg", "log"),
                                            ("electricity_price", "USD/(kW h)", "log"), ("facility_capex", "USD/kW", "log"),
                                            ("satellite_specific_power", "W/kg", "log"), ("array_specific_power", "W/kg", "log"),
                                            ("satellite_it_power", "kW", "linear"), ("pue", "1", "linear"),
                                            ("grid_connection_delay", "yr", "linear")])
def test_the_interpolation_is_stated_per_parameter(name, unit, kind):
    assert interpolation(name, unit) == kind


# --------------------------------------------------------------------------------------------
# evaluate: the value at start_year
# --------------------------------------------------------------------------------------------
def test_evaluate_takes_the_value_at_start_year():
    ev = odc.evaluate(SPACEX, launch_price_per_kg=PRICE, variables=["launch_price_per_kg", "cost_ratio_vs_terrestrial"])
    assert float(ev["launch_price_per_kg"]) == 165.0  # SpaceX's start_year is 2030
    plain = odc.evaluate(SPACEX, launch_price_per_kg=165.0, variables=["cost_ratio_vs_terrestrial"])
    assert float(ev["cost_ratio_vs_terrestrial"]) == float(plain["cost_ratio_vs_terrestrial"])
    late = odc.evaluate(SPACEX, launch_price_per_kg=PRICE, start_year=[2028, 2040], variables=["launch_price_per_kg"])
    np.testing.assert_allclose(late["launch_price_per_kg"].values, [math.sqrt(1500 * 165), 15.0], rtol=1e-12)
    assert "held at its 2035 value after 2035" in late.attrs["path_warnings"]


# --------------------------------------------------------------------------------------------
# The trajectory: a path is the per-year input and replaces the trend
# --------------------------------------------------------------------------------------------
def test_a_path_equal_to_the_trend_reproduces_the_trend_exactly():
    # electricity 0.08 USD/kWh x (1 - 0.003)^(y - 2025) and array specific power 100 W/kg x 1.035^(y - 2025)
    # (data/trends, the SpaceX file; below the 300 W/kg ceiling): given as paths on every year of the
    # fleet's grid, the trajectory is the trend's, number for number
    years = np.arange(2025, 2051)
    age = (years - 2025).astype(float)
    elec = {int(y): v for y, v in zip(years, 0.08 * (1.0 + -0.003) ** age)}
    array = {int(y): v for y, v in zip(years, 100.0 * (1.0 + 0.035) ** age)}
    trend = odc.trajectory(SPACEX)
    path = odc.trajectory(SPACEX, electricity_price=elec, array_specific_power=array)
    for var in trend.data_vars:
        a, b = trend[var].values, path[var].values
        if a.dtype.kind in "fc":
            np.testing.assert_array_equal(a, b, err_msg=var)
        else:
            assert np.array_equal(a, b), var
    assert "electricity_price" in path.attrs["paths"] and "path_warnings" not in path.attrs


def test_python_dataarray_and_command_line_give_the_same_trajectory(tmp_path):
    from orbitdc.cli import main
    from orbitdc.arguments import parse_assignment

    da = xr.DataArray(list(PRICE.values()), dims="year", coords={"year": list(PRICE)}, attrs={"units": "USD/kg"})
    name, cli_value = parse_assignment("launch_price_per_kg=2026:1500,2030:165,2035:15")
    assert name == "launch_price_per_kg" and cli_value == PRICE
    a = odc.trajectory(SPACEX, years=range(2026, 2041), launch_price_per_kg=PRICE)
    b = odc.trajectory(SPACEX, years=range(2026, 2041), launch_price_per_kg=da)
    c = odc.trajectory(SPACEX, years=range(2026, 2041), launch_price_per_kg=cli_value)
    xr.testing.assert_identical(a, b)
    xr.testing.assert_identical(a, c)
    out = tmp_path / "t.nc"
    assert main(["trajectory", SPACEX, "--years", "2026-2040", "--set", "launch_price_per_kg=2026:1500,2030:165,2035:15",
                 "-o", str(out)]) == 0
    with xr.open_dataset(out) as back:
        np.testing.assert_array_equal(back["cost_ratio_vs_terrestrial"].values, a["cost_ratio_vs_terrestrial"].values)
    # the price the own vehicle pays is the path (not a learning curve): 497.49 in 2028
    assert float(a["launch_price_per_kg"].sel(year=2028).item()) == pytest.approx(math.sqrt(1500 * 165), rel=1e-12)


def test_a_launch_price_path_prices_the_vehicles_it_priced():
    # Blue Origin: the 7x2 is priced by the architecture's launch_price_per_kg (now the path); the
    # 9x4 keeps its own fleet-plan price on its learning curve
    tr = odc.trajectory("blue-origin-orbital-dc", years=range(2030, 2041), launch_price_per_kg={2030: 800, 2040: 100})
    lp = tr["launch_price_per_kg"]
    assert float(lp.sel(year=2035, vehicle="new-glenn")) == pytest.approx(800 * (100 / 800) ** 0.5, rel=1e-12)
    learned = odc.trajectory("blue-origin-orbital-dc", years=range(2030, 2041))["launch_price_per_kg"]
    np.testing.assert_array_equal(lp.sel(vehicle="new-glenn-9x4").values, learned.sel(vehicle="new-glenn-9x4").values)


# --------------------------------------------------------------------------------------------
# Bad paths: one line, naming the parameter; exit 2 from the command line
# --------------------------------------------------------------------------------------------
BAD = [({2030: 165, 2026: 1500}, "increase"), ({2030: 165}, "at least two years"),
       ({2026: 1500, 2030: float("nan")}, "finite"), ({2026: 1500, 2070: 165}, "outside the years"),
       ({2026: 1500, 2030.5: 165}, "whole"), ({2026: 1500, 2030: -1}, "> 0"), ({}, "empty")]


@pytest.mark.parametrize("path,words", BAD)
def test_bad_paths_are_one_line_errors(path, words):
    with pytest.raises(ArchitectureError) as exc:
        odc.trajectory(SPACEX, launch_price_per_kg=path)
    assert exc.value.parameter == "launch_price_per_kg" and words in exc.value.reason and "\n" not in str(exc.value)


@pytest.mark.parametrize("text", ["2030:165,2026:1500", "2030:165", "2026:1500,2030:nan", "2026:1500,2070:165",
                                  "2026:1500,2030", "2026:1500,2026:300"])
def test_bad_paths_from_the_command_line_exit_2(text, capsys, tmp_path):
    from orbitdc.cli import main

    out = tmp_path / "t.nc"
    assert main(["trajectory", SPACEX, "--years", "2026-2040", "--set", f"launch_price_per_kg={text}", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "launch_price_per_kg" in err and "Traceback" not in err
    assert not out.exists()


def test_paths_the_trajectory_cannot_take_are_refused():
    for kw, name in [({"mission_lifetime": {2026: 5, 2030: 6}}, "mission_lifetime"),
                     ({"electricity_price_change_rate": {2026: 0.0, 2030: 0.1}}, "electricity_price_change_rate"),
                     ({"start_year": {2026: 2030, 2030: 2031}}, "start_year")]:
        with pytest.raises(ArchitectureError) as exc:
            odc.trajectory(SPACEX, **kw)
        assert exc.value.parameter == name and "\n" not in str(exc.value)


def test_parse_path_text():
    assert parse_path_text("2026:1500,2030:165 USD/kg") == {2026: 1500.0, 2030: "165 USD/kg"}
    assert parse_path_text("650 km,700 km") is None  # a sweep, not a path
    with pytest.raises(ParameterError):
        parse_path_text("2026:1,x")


# --------------------------------------------------------------------------------------------
# Satellites that change size: each cohort keeps its own
# --------------------------------------------------------------------------------------------
def test_cohorts_keep_their_size_hand_case():
    # 10 kW wanted each year; satellites of 1 kW in 2025, 2 kW after; each serves one year-end,
    # no failures, no limits. 2025: 10 satellites (10 kW). 2026: they retire, 10 kW / 2 kW = 5
    # satellites fly. 2027: those retire, 5 more. The 2025 cohort is never counted at 2 kW.
    years = np.arange(2025, 2028)
    T = years.size
    out = fl.fleet_kernel(years, 2025, np.array([10.0, 5.0, 5.0]), 1.0, 0.0, 0.0, np.full(T, 1000.0), np.full(T, 1e12),
                          np.ones((T, 1)), np.full((T, 1), 1e12), np.ones(1), np.full((T, 1), 10.0),
                          unit_power=np.array([1.0, 2.0, 2.0]))
    np.testing.assert_allclose(out["to_orbit"], [10.0, 5.0, 5.0], rtol=1e-12)
    np.testing.assert_allclose(out["in_service"], [10.0, 5.0, 5.0], rtol=1e-12)
    np.testing.assert_allclose(out["power_in_service"], [10.0, 10.0, 10.0], rtol=1e-12)
    np.testing.assert_allclose(out["retired"], [0.0, 10.0, 15.0], rtol=1e-12)


def test_a_constant_size_path_is_the_scalar_trajectory():
    a = odc.trajectory(SPACEX, years=range(2026, 2041))
    b = odc.trajectory(SPACEX, years=range(2026, 2041), satellite_it_power={2025: 100.0, 2060: 100.0})
    for var in ("it_power_online", "satellites_in_service", "cost_ratio_vs_terrestrial", "launch_price_per_kg"):
        np.testing.assert_allclose(b[var].values, a[var].values, rtol=1e-12, err_msg=var)


def test_growing_satellites_conserve_satellites_and_reach_the_target():
    tr = odc.trajectory(SPACEX, years=range(2026, 2051), satellite_it_power={2026: 100.0, 2040: 300.0})
    assert tr["satellites_target"].dims == ("year",)
    np.testing.assert_allclose(tr["satellites_built"], tr["satellites_in_service"] + tr["satellites_retired"]
                               + tr["satellites_failed"], rtol=1e-12, atol=1e-9)
    assert float(tr["it_power_online"].sel(year=2050)) >= 1e6 * (1 - 1e-9)  # the 1 GW target
    # later, bigger cohorts: fewer satellites for the same IT power
    assert float(tr["satellites_in_service"].sel(year=2050)) < float(tr["satellites_in_service"].sel(year=2036))


# --------------------------------------------------------------------------------------------
# Paths in YAML: the same mapping under value:, with low/high paths or a relative range
# --------------------------------------------------------------------------------------------
_SHIPPED = odc.architectures.ARCHITECTURE_DIR / f"{SPACEX}.yaml"
_PRICE_ENTRY = """  launch_price_per_kg:
    value: 200
    unit: USD/kg
    low: 10
    high: 1000
    distribution: loguniform
"""


def _spacex_with(tmp_path, entry: str):
    """The shipped SpaceX file with the first lines of its launch_price_per_kg entry replaced (its
    source and note stay): a user's copy."""
    text = _SHIPPED.read_text()
    assert _PRICE_ENTRY in text
    path = tmp_path / f"{SPACEX}.yaml"
    path.write_text(text.replace(_PRICE_ENTRY, entry))
    return path


def test_a_yaml_path_is_the_python_path(tmp_path):
    path = _spacex_with(tmp_path, "  launch_price_per_kg:\n    value: {2026: 1500, 2030: 165, 2035: 15}\n"
                                  "    unit: USD/kg\n    low: {2026: 1000, 2030: 100, 2035: 8}\n"
                                  "    high: {2026: 2500, 2030: 300, 2035: 40}\n")
    arch = odc.load_architecture(path)
    p = arch.parameters["launch_price_per_kg"]
    # evaluate and the static Monte Carlo see the path at start_year (2030): 165 in [100, 300]
    assert (p.canonical_value, p.canonical_low, p.canonical_high) == (165.0, 100.0, 300.0)
    assert float(odc.evaluate(arch, variables=["launch_price_per_kg"])["launch_price_per_kg"]) == 165.0
    at_2028 = odc.evaluate(arch, start_year=2028, variables=["launch_price_per_kg"])["launch_price_per_kg"]
    assert float(at_2028) == pytest.approx(math.sqrt(1500 * 165), rel=1e-12)
    a = odc.trajectory(arch, years=range(2026, 2041))
    b = odc.trajectory(SPACEX, years=range(2026, 2041), launch_price_per_kg=PRICE)
    for var in b.data_vars:
        np.testing.assert_array_equal(a[var].values, b[var].values, err_msg=var)


def test_a_relative_range_on_a_yaml_path(tmp_path):
    path = _spacex_with(tmp_path, "  launch_price_per_kg:\n    value: {2026: 1500, 2030: 165, 2035: 15}\n"
                                  "    unit: USD/kg\n    relative_range: 0.5\n")
    p = odc.load_architecture(path).parameters["launch_price_per_kg"]
    assert (p.canonical_value, p.canonical_low, p.canonical_high) == (165.0, 82.5, 247.5)


@pytest.mark.parametrize("entry,words", [
    ("value: {2030: 165, 2026: 1500}\n    unit: USD/kg\n", "increase"),
    ("value: {2030: 165}\n    unit: USD/kg\n", "at least two years"),
    ("value: {2026: 1500, 2030: .nan}\n    unit: USD/kg\n", "finite"),
    ("value: {2026: 1500, 2030: 165}\n    unit: USD/kg\n    low: {2026: 1000, 2031: 100}\n    high: {2026: 2000, 2030: 300}\n",
     "same years"),
    ("value: {2026: 1500, 2030: 165}\n    unit: USD/kg\n    low: {2026: 1600, 2030: 100}\n    high: {2026: 2000, 2030: 300}\n",
     "outside its range"),
    ("value: {2026: 1500, 2030: 165}\n    unit: kg\n", "wrong dimension"),
    ("value: 200\n    unit: USD/kg\n    relative_range: 0.2\n", "relative_range"),
])
def test_bad_yaml_paths_name_the_file_and_parameter(tmp_path, entry, words):
    path = _spacex_with(tmp_path, "  launch_price_per_kg:\n    " + entry)  # the file's source and note follow
    with pytest.raises(ArchitectureError) as exc:
        odc.load_architecture(path)
    assert exc.value.parameter == "launch_price_per_kg" and words in exc.value.reason, exc.value.reason
    assert "\n" not in str(exc.value) and SPACEX in str(exc.value)
