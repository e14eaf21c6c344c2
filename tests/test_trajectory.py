"""The year-by-year model (orbitdc.trajectory): frozen == evaluate, trend equations by hand,
the accelerator post-scaling against the chain, monotonicity, conservation, bad input."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc import fleet as fl
from orbitdc.trajectory import TREND_PARAMETERS, TRENDS, hardware_cost_terms, trend_parameters
from orbitdc.errors import ArchitectureError, OrbitdcError

SPACEX = "spacex-starlink-compute"


@pytest.fixture(scope="module")
def spacex():
    return odc.load_architecture(SPACEX)


@pytest.fixture(scope="module")
def nominal(spacex):
    return odc.trajectory(spacex)


# --------------------------------------------------------------------------------------------
# Frozen trends reproduce the static chain exactly
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,year", [(SPACEX, 2026), (SPACEX, 2041), ("google-suncatcher", 2035),
                                       ("starcloud-40mw", 2030), ("terrestrial-hyperscale", 2033)])
def test_frozen_cohort_equals_evaluate_for_that_year(name, year):
    tr = odc.trajectory(name, years=[year], frozen=True)
    ev = odc.evaluate(name, start_year=year)
    for var in ("cost_per_kw_year", "terrestrial_cost_per_kw_year", "cost_ratio_vs_terrestrial"):
        assert float(tr[var].item()) == pytest.approx(float(ev[var]), rel=1e-9, abs=0), var


def test_frozen_over_many_years_equals_one_vectorised_evaluate(spacex):
    # The chain's orbit stage takes the eclipse statistics of the earliest start_year of a call, so
    # the reference is evaluate over the same years in one call (per-year calls differ by ~1e-5).
    years = list(range(2026, 2051))
    tr = odc.trajectory(spacex, years=years, frozen=True)
    ev = odc.evaluate(spacex, start_year=years)
    for var in ("cost_per_kw_year", "cost_ratio_vs_terrestrial"):
        ref = ev[var].broadcast_like(ev["start_year"]).values
        assert np.allclose(tr[var].values, ref, rtol=1e-9, atol=0), var


def test_frozen_two_vehicle_cohort_is_the_share_weighted_evaluate():
    # Blue Origin in 2031: the 7x2 share falls linearly from 1 (2029) to 0.3 (2032) -> 1 - 0.7 x 2/3;
    # the 9x4 carries the rest at its own start price (600 USD/kg in data/fleets).
    tr = odc.trajectory("blue-origin-orbital-dc", years=[2031], frozen=True)
    s7 = 1.0 - 0.7 * 2.0 / 3.0
    a = odc.evaluate("blue-origin-orbital-dc", start_year=2031)
    b = odc.evaluate("blue-origin-orbital-dc", start_year=2031, launch_vehicle="new-glenn-9x4", launch_price_per_kg=600.0)
    expect = s7 * float(a["cost_per_kw_year"]) + (1 - s7) * float(b["cost_per_kw_year"])
    assert float(tr["cost_per_kw_year"].item()) == pytest.approx(expect, rel=1e-9)


def test_each_trend_can_be_frozen_alone(spacex):
    tr = odc.trajectory(spacex, years=[2030, 2040], frozen=["launch_price", "electricity_price"])
    assert np.all(tr["launch_price_per_kg"].values == 200.0)
    assert np.all(tr["electricity_price"].values == pytest.approx(0.08))
    assert tr.attrs["frozen_trends"] == "launch_price, electricity_price"


# --------------------------------------------------------------------------------------------
# Trend equations by hand (values from data/trends and the SpaceX architecture file)
# --------------------------------------------------------------------------------------------
def test_trend_paths_hand_values(nominal):
    y = nominal.sel(year=2035)
    # electricity: 0.08 USD/kWh x (1 - 0.003)^10
    assert float(y["electricity_price"]) == pytest.approx(0.08 * 0.997 ** 10, rel=1e-12)
    # grid wait: 4 yr (data/defaults, JLL) + 0.1 yr/yr x 10 yr = 5 yr (below the 10-yr cap)
    assert float(y["grid_connection_delay"]) == pytest.approx(5.0, rel=1e-12)
    # capacity premium: min(0.02 x 10, 0.2) = 0.2 on the AI hall's 20 MUSD/MW = 20,000 USD/kW (issue 22)
    assert float(y["facility_capex"]) == pytest.approx(20_000 * 1.2, rel=1e-12)
    # accelerator price per kW: ((1 - 0.28)(1 + 0.35))^10
    assert float(y["accelerator_price_factor"]) == pytest.approx((0.72 * 1.35) ** 10, rel=1e-12)
    # array specific power: 100 W/kg x 1.035^10 (below the 300 W/kg ceiling)
    assert float(y["array_specific_power"]) == pytest.approx(100 * 1.035 ** 10, rel=1e-12)
    assert float(nominal.sel(year=2050)["grid_connection_delay"]) == pytest.approx(6.5, rel=1e-12)


def test_launch_price_follows_wright_on_the_vehicles_launched_mass(nominal, spacex):
    # price(y) = floor + (c_s - floor)(M(y)/M(s))^b with M the mass flown before the year (reported),
    # s = start_year 2030, c_s = 200 USD/kg (integrated: price = cost), floor 20, 20 % per doubling.
    lp = nominal["launch_price_per_kg"].sel(vehicle="starship-target")
    m = nominal["cumulative_launched_mass_by_vehicle"].sel(vehicle="starship-target")
    m_s = float(m.sel(year=2030))
    for y in (2031, 2040, 2050):
        expect = 20 + 180 * (float(m.sel(year=y)) / m_s) ** np.log2(0.8)
        assert float(lp.sel(year=y)) == pytest.approx(expect, rel=1e-12)
    assert np.all(lp.sel(year=slice(2026, 2030)).values == 200.0)  # before the start: the start price
    # the basis grows by other customers' flights (30 % of Starship's) plus the programme's own mass
    own = nominal["launched_mass_per_year"].sel(year=2031)
    others = 0.3 * 150.0 * (100 + (180 - 100) * (2031 - 2030) / 5)  # ramp 100 (2030) -> 180 (2035) flights
    assert float(m.sel(year=2032) - m.sel(year=2031)) == pytest.approx(float(own) + others, rel=1e-12)


def test_bus_cost_is_the_cohort_average_on_the_learning_curve(nominal, spacex):
    # 2030, the first cohort: from the experience base Q_ref = 5,000 t, it builds n x bus mass.
    ev = odc.evaluate(spacex, array_specific_power=float(nominal["array_specific_power"].sel(year=2030)))
    bus_kg = float(nominal["satellite_mass"].sel(year=2030)) - float(ev["compute_mass"])
    built = float(nominal["satellites_built"].sel(year=2030))
    q_ref = 5_000_000.0
    expect = fl.wright_average_cost(1000.0, q_ref, q_ref + built * bus_kg, q_ref, 0.15)
    assert float(nominal["bus_cost_per_kg"].sel(year=2030)) == pytest.approx(expect, rel=1e-9)
    assert float(nominal["bus_cost_per_kg"].sel(year=2026)) == 1000.0  # nothing built yet


# --------------------------------------------------------------------------------------------
# The accelerator post-scaling, checked against the chain itself
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("over", [{}, {"space_compute_lifetime": 3.0},
                                  {"space_compute_lifetime": 3.0, "on_orbit_servicing": True}])
def test_hardware_cost_terms_match_the_chain(spacex, over):
    # A hardware price x 1.5 made through the chain's own parameters: space_hardware_premium scales
    # the space hardware alone, server_cost_fraction both sides (GB200 superchip: servers not included).
    f = 1.5
    ds = odc.evaluate(spacex, **over)
    d_space, d_ground = hardware_cost_terms(ds)
    prem = float(ds["space_hardware_premium"])
    up = odc.evaluate(spacex, space_hardware_premium=f * (1 + prem) - 1, **over)
    own = float(hardware_cost_terms(ds, cross=False)[0])  # the space hardware alone (issue 22's margin moves with the ground's)
    assert float(up["cost_per_kw_year"]) == pytest.approx(float(ds["cost_per_kw_year"]) + (f - 1) * own, rel=1e-9)
    assert float(up["terrestrial_cost_per_kw_year"]) == pytest.approx(float(ds["terrestrial_cost_per_kw_year"]), rel=1e-12)
    scf = float(ds["server_cost_fraction"])
    both = odc.evaluate(spacex, server_cost_fraction=f * (1 + scf) - 1, **over)
    assert float(both["cost_per_kw_year"]) == pytest.approx(float(ds["cost_per_kw_year"]) + (f - 1) * float(d_space), rel=1e-9)
    assert float(both["terrestrial_cost_per_kw_year"]) == pytest.approx(
        float(ds["terrestrial_cost_per_kw_year"]) + (f - 1) * float(d_ground), rel=1e-9)


def test_hardware_cost_terms_terrestrial():
    ds = odc.evaluate("terrestrial-hyperscale")
    d_space, d_ground = hardware_cost_terms(ds)
    both = odc.evaluate("terrestrial-hyperscale", server_cost_fraction=2.0 * (1 + float(ds["server_cost_fraction"])) - 1)
    assert float(both["cost_per_kw_year"]) == pytest.approx(float(ds["cost_per_kw_year"]) + float(d_ground), rel=1e-9)
    assert float(d_space) == float(d_ground)


# --------------------------------------------------------------------------------------------
# Monotonicity
# --------------------------------------------------------------------------------------------
def test_faster_launch_learning_never_delays_the_crossover(spacex):
    # a setting where some cohorts cross: cheaper bus, dearer ground power and a longer grid wait
    # costed as an idle building (with on-site bridge power, issue 22, the wait is cheap)
    # (the bus at 700 USD/kg: with losses counted once, issue 22, 300 USD/kg crosses at every rate)
    tr = odc.trajectory(spacex, launch_learning_rate=[0.05, 0.15, 0.25, 0.35], bus_cost_per_kg=700.0,
                        electricity_price=0.15, grid_connection_delay=5.0, time_to_power_valuation="interest")
    ratio = tr["cost_ratio_vs_terrestrial"].transpose("launch_learning_rate", "year").values
    assert np.all(np.diff(ratio, axis=0) <= 1e-12 * ratio[1:])  # never dearer with faster learning
    cross = np.nan_to_num(tr["crossover_year"].values, nan=9999.0)  # never = after any year
    assert np.all(np.diff(cross) <= 0)
    assert (cross < 9999).any() and (cross == 9999).any()  # the case does exercise a crossover


def test_higher_cadence_never_lowers_it_online(spacex):
    tr = odc.trajectory(spacex, launch_cadence_share=[0.2, 0.5, 0.7, 1.0])
    online = tr["it_power_online"].transpose("launch_cadence_share", "year").values
    assert np.all(np.diff(online, axis=0) >= -1e-9 * online[1:])
    assert online[0, -1] < online[-1, -1]  # and it matters here


# --------------------------------------------------------------------------------------------
# Fleet outputs through the public function
# --------------------------------------------------------------------------------------------
def test_conservation_and_bounds_in_the_result(nominal):
    n = nominal
    assert np.allclose(n["satellites_built"], n["satellites_in_service"] + n["satellites_retired"] + n["satellites_failed"],
                       rtol=1e-12, atol=1e-9)
    assert np.allclose(n["launched_mass"], n["mass_in_service"] + n["mass_retired"] + n["mass_failed"], rtol=1e-12, atol=1e-9)
    it_sat = float(odc.evaluate(SPACEX)["it_power"])
    assert np.allclose(n["it_power_online"], n["satellites_in_service"] * it_sat, rtol=1e-12)
    assert np.all(n["satellites_in_service"] <= n["satellites_target"] * (1 + 1e-12))
    assert np.allclose(n["launches_per_year"], n["launches_per_year_by_vehicle"].sum("vehicle"), rtol=1e-12)
    labels = set(np.unique(n["binding_limit"].values))
    assert labels <= {"before_start", "none", "production", "launch:starship-target"}
    assert np.all(n["binding_limit"].sel(year=slice(2026, 2029)).values == "before_start")
    reached = float(n["target_reached_year"])
    assert n["satellites_in_service"].sel(year=reached) >= n["satellites_target"] * (1 - 1e-9)
    assert np.all(n["satellites_in_service"].sel(year=slice(2026, reached - 1)) < n["satellites_target"])


def test_satellites_retire_with_their_compute_unless_serviced(spacex):
    # compute life 3 yr < satellite life 5 yr: without servicing the 2030 cohort retires in 2033
    # (it served 2030, 2031, 2032); with servicing in 2035.
    plain = odc.trajectory(spacex, years=range(2030, 2037), space_compute_lifetime=3.0)
    served = odc.trajectory(spacex, years=range(2030, 2037), space_compute_lifetime=3.0, on_orbit_servicing=True)
    r1 = plain["satellites_retired"].values
    r2 = served["satellites_retired"].values
    assert r1[2] == 0 and r1[3] > 0
    assert np.all(r2[:5] == 0) and r2[5] > 0


def test_compare_stacks_architectures():
    tr = odc.trajectory([SPACEX, "terrestrial-hyperscale"], years=[2030, 2040])
    assert list(tr["architecture"].values) == [SPACEX, "terrestrial-hyperscale"]
    assert np.allclose(tr["cost_ratio_vs_terrestrial"].sel(architecture="terrestrial-hyperscale"), 1.0, rtol=1e-12)
    assert np.isnan(tr["it_power_online"].sel(architecture="terrestrial-hyperscale")).all()


# --------------------------------------------------------------------------------------------
# Monte Carlo over the trend rates
# --------------------------------------------------------------------------------------------
def test_monte_carlo_summaries(spacex):
    mc = odc.trajectory(spacex, years=range(2026, 2051, 4), samples=64, seed=3)
    again = odc.trajectory(spacex, years=range(2026, 2051, 4), samples=64, seed=3)
    assert np.array_equal(mc["cost_ratio_vs_terrestrial"].values, again["cost_ratio_vs_terrestrial"].values)
    assert mc.sizes["sample"] == 64
    q = mc["cost_ratio_vs_terrestrial_quantile"].transpose("quantile", "year").values
    assert np.all(np.diff(q, axis=0) >= 0)
    ratio = mc["cost_ratio_vs_terrestrial"]
    assert np.allclose(mc["probability_space_cheaper"], (ratio <= 1).mean("sample"))
    assert float(mc["probability_crossover_within_horizon"]) == pytest.approx(float(mc["crossover_within_horizon"].mean()))
    # drawn rates stay in their data ranges and vary
    d = mc["drawn_accelerator_price_decline_rate"].values
    assert d.min() >= 0.2 and d.max() <= 0.36 and np.ptp(d) > 0.05
    assert np.ptp(mc["drawn_launch_learning_rate"].values) > 0.05
    # the quantile over samples of the ratio agrees with numpy's
    assert np.allclose(q[1], np.quantile(ratio.transpose("year", "sample").values, 0.5, axis=1))


# --------------------------------------------------------------------------------------------
# Bad input: one ArchitectureError naming the parameter
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw,name", [
    ({"years": range(2020, 2030)}, "years"),
    ({"years": range(2050, 2070)}, "years"),
    ({"years": [2030, 2029]}, "years"),
    ({"years": [2030.5]}, "years"),
    ({"frozen": ["launch_cost"]}, "frozen"),
    ({"no_such_parameter": 1.0}, "no_such_parameter"),
    ({"accelerator_price_decline_rate": 1.5}, "accelerator_price_decline_rate"),
    ({"launch_vehicle": ["new-glenn", "starship-target"]}, "launch_vehicle"),
    ({"samples": 1}, "samples"),
    ({"start_year": 2021}, "start_year"),
])
def test_bad_input_names_the_parameter(spacex, kw, name):
    with pytest.raises(ArchitectureError) as exc:
        odc.trajectory(spacex, **kw)
    assert exc.value.parameter == name
    assert "\n" not in str(exc.value)


def test_sweeping_an_input_the_trajectory_computes_by_year_is_refused(spacex):
    # launch_price_per_kg is an input of the chain and an output of the trajectory (the learning
    # curve, year by year): a sweep of it gave xarray's "found in both data_vars and coords".
    with pytest.raises(OrbitdcError) as exc:
        odc.trajectory(spacex, years=range(2026, 2031), launch_price_per_kg=[100, 500])
    assert "launch_price_per_kg" in str(exc.value) and "\n" not in str(exc.value)


def test_a_swept_trajectory_parameter_has_its_unit_on_the_coordinate(spacex):
    tr = odc.trajectory(spacex, years=range(2026, 2031), altitude=[550, 650])
    assert tr["altitude"].attrs["units"] == "km"
    np.testing.assert_array_equal(tr["altitude"].values, [550.0, 650.0])


def test_bad_fleet_plans_name_the_ramp(spacex):
    pt = lambda y, v: {"year": y, "value": v, "low": v, "high": v, "source": "orbitdc-assumption"}  # noqa: E731
    doc = {"description": "x", "production": {"unit": "t/yr", "points": [pt(2025, 1000), pt(2030, 500)]},
           "vehicles": {"architecture": {"share": {"unit": "1", "points": [pt(2025, 1)]}, "cadence": "catalog"}}}
    with pytest.raises(ArchitectureError) as exc:
        odc.trajectory(spacex, fleet=doc)
    assert exc.value.parameter == "production" and "decrease" in exc.value.reason
    doc["production"]["points"] = [pt(2025, 1000)]
    doc["vehicles"]["architecture"]["share"]["points"] = [pt(2025, 0.8)]
    with pytest.raises(ArchitectureError) as exc:
        odc.trajectory(spacex, fleet=doc)
    assert "share" in exc.value.parameter and "sum to 0.8" in exc.value.reason


def test_cli_trajectory_bad_input_exit_2(capsys, tmp_path):
    from orbitdc.cli import main

    out = tmp_path / "t.nc"
    assert main(["trajectory", SPACEX, "--years", "2020-2030", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "years" in err and "Traceback" not in err
    assert not out.exists()


def test_cli_trajectory_writes_netcdf(capsys, tmp_path):
    from orbitdc.cli import main

    out = tmp_path / "t.nc"
    assert main(["trajectory", SPACEX, "--years", "2030-2032", "--set", "launch_price_per_kg=300", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2031" in text and "crossover" in text
    back = xr.open_dataset(out)
    assert list(back["year"].values) == [2030, 2031, 2032]
    back.close()


def test_trend_data_have_sources_and_ranges():
    params = trend_parameters()
    assert set(params) == set(TREND_PARAMETERS)
    refs = odc.parameters.load_references()
    for name, p in params.items():
        assert p.sources and all(k in refs for k in p.sources), name
        assert p.canonical_low <= p.canonical_value <= p.canonical_high, name
        assert p.note, name


def test_radiator_trend_is_active_now_the_chain_has_the_parameter(nominal):
    # issue 12 made radiator_areal_density a chain parameter: the trend is passed to the chain
    assert "radiator_areal_density" in odc.chain.parameter_specs()
    assert "radiator_areal_density" not in nominal.attrs.get("trends_inactive", "")


def test_orbitdc_error_for_empty_compare():
    with pytest.raises(OrbitdcError):
        odc.trajectory([])


@pytest.mark.parametrize("name", [SPACEX, "openai-partnered-compute", "terrestrial-hyperscale"])
def test_accelerator_trend_alone_is_the_post_scaling(name):
    # every other trend frozen: the cohort of 2035 is evaluate(start_year=2035) with the hardware
    # price factor ((1 - 0.28)(1 + 0.35))^(2035 - 2025) applied through hardware_cost_terms
    others = [t for t in TRENDS if t != "accelerator_price"]
    tr = odc.trajectory(name, years=[2035], frozen=others)
    ev = odc.evaluate(name, start_year=2035)
    f = (0.72 * 1.35) ** 10
    d_space, d_ground = hardware_cost_terms(ev)
    ground = float(ev["terrestrial_cost_per_kw_year"]) + (f - 1) * float(d_ground)
    assert float(tr["terrestrial_cost_per_kw_year"].item()) == pytest.approx(ground, rel=1e-9)
    if "vehicle" in tr.dims and tr.sizes["vehicle"] > 1:
        # a fleet of several vehicles: each vehicle's cohort (its own launch price from the fleet plan,
        # the architecture's where the plan gives none), mixed by the plan's shares of the year
        from orbitdc import fleet as fl

        plan = fl.load_fleet(odc.load_architecture(name), None)
        share = plan.shares(np.array([2035]))[0]
        space = 0.0
        for s, v in zip(share, plan.vehicles):
            price = {} if v.launch_price_per_kg is None else {"launch_price_per_kg": v.launch_price_per_kg.value}
            ev_v = odc.evaluate(name, start_year=2035, launch_vehicle=v.vehicle, **price)
            space += s * (float(ev_v["cost_per_kw_year"]) + (f - 1) * float(hardware_cost_terms(ev_v)[0]))
    else:
        space = float(ev["cost_per_kw_year"]) + (f - 1) * float(d_space)
    assert float(tr["cost_per_kw_year"].item()) == pytest.approx(space, rel=1e-9)
