"""Tests of the launch stage (orbitdc/launch.py): physics against textbook and published values,
properties with hypothesis, bad input, and the stage on synthetic upstream Datasets."""
from __future__ import annotations

import math
import warnings

import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import orbitdc.launch as L
from orbitdc.errors import OrbitdcError, ParameterError
from orbitdc.catalogs import catalog_rows, load_catalog
from orbitdc.parameters import DATA_DIR, load_references, read_yaml

warnings.filterwarnings("ignore", message=".*contiguous arrays.*")


# --------------------------------------------------------------------------------------------
# Hohmann transfer: textbook example and poliastro/boinor's Maneuver.hohmann
# --------------------------------------------------------------------------------------------
def test_hohmann_vallado_example_6_1():
    # Vallado (2013), Example 6-1: 191.34411 km -> 35,781.34857 km altitude (LEO to GEO):
    # dv_a = 2.457038 km/s, dv_b = 1.478187 km/s, total 3.935224 km/s.
    dv = L.hohmann_delta_v(191.34411, 35781.34857)
    assert dv.attrs["units"] == "m/s"
    # Vallado quotes mm/s; his R = 6378.137 km vs our 6378.1366 km moves the answer by < 1 mm/s,
    # so 0.01 m/s (not the former 1 m/s) is what the source's precision supports.
    assert float(dv) == pytest.approx(3935.224, abs=0.01)
    mu, re, _ = L._earth()
    dva, dvb = L._hohmann(re + 191.34411, re + 35781.34857, mu)
    assert dva * 1000 == pytest.approx(2457.038, abs=0.01)
    assert dvb * 1000 == pytest.approx(1478.187, abs=0.01)


@pytest.mark.slow  # the first call compiles boinor's numba kernels (~25 s)
@pytest.mark.parametrize("h1,h2", [(200, 650), (300, 550), (500, 1400), (800, 400), (191.34411, 35781.34857)])
def test_hohmann_closed_form_agrees_with_poliastro_maneuver(h1, h2):
    assert float(L.hohmann_delta_v(h1 * u.km, h2 * u.km)) == pytest.approx(L.hohmann_delta_v_poliastro(h1, h2), rel=1e-9)


def test_hohmann_accepts_quantities_and_is_symmetric():
    a = float(L.hohmann_delta_v(200 * u.km, 0.65 * u.Mm))
    b = float(L.hohmann_delta_v(650, 200))
    assert a == pytest.approx(b, rel=1e-12)


def test_extra_delta_v_components_by_hand():
    mu, re, omega = L._earth()
    # same inclination, altitude raise only: equals the Hohmann delta-v
    dv = float(L.extra_delta_v(200, 51.6, 650, 51.6, 28.5))
    assert dv == pytest.approx(float(L.hohmann_delta_v(200, 650)), rel=1e-9)
    # inclination change at the same altitude from a due-east reference: launch-azimuth term by hand
    v = math.sqrt(mu / (re + 400)) * 1000
    w = omega * re * 1000
    vs = w * math.cos(math.radians(28.5))
    expect = math.sqrt(v**2 - 2 * v * w * math.cos(math.radians(97.0)) + vs**2) - math.sqrt(
        v**2 - 2 * v * w * math.cos(math.radians(28.5)) + vs**2)
    assert float(L.extra_delta_v(400, 28.5, 400, 97.0, 28.5)) == pytest.approx(expect, rel=1e-9)
    # first order in omega R / v: dv ~ omega R (cos i_ref - cos i) = 7.2921e-5 * 6378.1366 km
    # * (cos 28.5 + sin 7.0) = 0.46510 km/s * 1.00069 = 465.4 m/s; the neglected terms are of
    # relative order omega R / v = 465 / 7669 = 6 %. (The former check bounded the test's own
    # arithmetic, not the model.)
    assert float(L.extra_delta_v(400, 28.5, 400, 97.0, 28.5)) == pytest.approx(465.4, rel=0.06)
    # an inclination below the site latitude costs a plane change 2 v sin(di/2)
    pc = float(L.extra_delta_v(400, 28.5, 400, 18.5, 28.5))
    assert pc == pytest.approx(2 * v * math.sin(math.radians(5.0)), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Payload to the target orbit
# --------------------------------------------------------------------------------------------
def _sso_rows():
    cat = load_catalog("launch_vehicles")
    return [str(e) for e in cat.entry.values if np.isfinite(cat["payload_sso"].sel(entry=e))]


def _validation():
    """data/validation/launch_payloads.yaml: published payloads to other orbits, in or out of the fit."""
    return read_yaml(DATA_DIR / "validation" / "launch_payloads.yaml")["payloads"]


def _published_spread(entries) -> float:
    """The data's own spread: the largest relative difference between two publications of the same
    vehicle's payload to the same orbit (the larger over the smaller, minus one)."""
    by_case: dict[tuple, list[float]] = {}
    for e in entries.values():
        case = (e["vehicle"], e["altitude"]["value"], e["inclination"]["value"])
        by_case.setdefault(case, []).append(e["payload"]["value"])
    return max(max(v) / min(v) - 1.0 for v in by_case.values() if len(v) > 1)


def test_catalog_has_published_sso_payloads():
    assert {"electron", "ariane-62"} <= set(_sso_rows())


@pytest.mark.parametrize("vehicle", ["electron", "ariane-62"])
def test_calibration_reproduces_its_own_points(vehicle):
    """NOT a validation: the effective Isp is solved in closed form so that each calibrated vehicle
    reproduces its published SSO payload (Electron 200 kg to 500 km SSO, Rocket Lab; Ariane 62 ~7 t,
    ArianeGroup), so this only checks the closed form and its inverse agree (to rounding). The
    model is validated out of sample in test_payload_model_out_of_sample."""
    cat = load_catalog("launch_vehicles")
    row = cat.sel(entry=vehicle)
    got = float(L.payload_to_orbit(vehicle, float(row.sso_altitude), float(row.sso_inclination)))
    assert got == pytest.approx(float(row.payload_sso) * 1000, rel=1e-9)


def test_reference_payloads_reproduced_at_reference_orbit():
    cat = load_catalog("launch_vehicles")
    for v in cat.entry.values:
        row = cat.sel(entry=v)
        got = float(L.payload_to_orbit(str(v), float(row.reference_altitude), float(row.reference_inclination)))
        assert got == pytest.approx(float(row.payload_reference) * 1000, rel=1e-9), v


def test_validation_data_are_sourced_and_consistent_with_the_catalog():
    refs = load_references()
    cat = load_catalog("launch_vehicles")
    entries = _validation()
    for name, e in entries.items():
        keys = [e["source"]] if isinstance(e["source"], str) else e["source"]
        assert keys and all(k in refs for k in keys), name
        assert e["vehicle"] in L.vehicles(), name
        if e["in_fit"]:  # the figure the calibration uses is the catalog's payload_sso
            row = cat.sel(entry=e["vehicle"])
            assert float(row.payload_sso) == e["payload"]["value"], name
            assert float(row.sso_altitude) == e["altitude"]["value"], name
    assert any(not e["in_fit"] and e["vehicle"] not in L.upper_stage_calibration()["factors"]
               for e in entries.values()), "no vehicle held entirely out of the fit"


def test_payload_model_out_of_sample():
    """Validation on a vehicle not used in the fit: Ariane 64's 14.9 t to SSO (User's Manual, as
    cited by Wikipedia; SECONDARY) from its 21.65 t reference LEO payload and the Isp factor
    calibrated on Ariane 62 alone. Residual -0.7 % (14.79 t predicted). The tolerance is the data's
    own spread, computed from the file: Ariane 62's SSO payload is published as 7.0 t (ArianeGroup)
    and 6.45 t (the User's Manual), 8.5 % apart; a model cannot be held closer to a figure than two
    publications of that figure agree. (With Electron in the factor, as before the kick-stage fix,
    the prediction was 15.54 t, +4.3 %.)"""
    entries = _validation()
    tol = _published_spread(entries)
    assert 0.05 < tol < 0.10  # 8.5 %: a data check, so a changed file is noticed
    held_out = {k: e for k, e in entries.items() if not e["in_fit"]}
    residuals = {}
    for name, e in held_out.items():
        got = float(L.payload_to_orbit(e["vehicle"], e["altitude"]["value"], e["inclination"]["value"])) / 1000
        residuals[name] = got / e["payload"]["value"] - 1.0
        assert abs(residuals[name]) <= tol + 1e-9, (name, got, e["payload"]["value"])
    assert residuals["ariane-64-sso-users-manual"] == pytest.approx(-0.0075, abs=0.005)


def test_kick_stage_vehicle_does_not_set_the_isp_factor():
    """Electron's payloads are delivered by its Curie kick stage (rocketlab-kick-stage): its
    calibrated Isp stands for two stages, 346 s against the second stage's 343 s vacuum Isp, so it
    is kept for Electron alone and left out of the factor applied to uncalibrated vehicles."""
    cal = L.upper_stage_calibration()
    names = list(cal["entries"])
    assert bool(cal["kick_stage"][names.index("electron")]) and bool(cal["calibrated"][names.index("electron")])
    assert "electron" not in cal["factors"] and "ariane-62" in cal["factors"]
    assert cal["isp_factor"] == pytest.approx(cal["factors"]["ariane-62"], rel=1e-12)
    cat = load_catalog("launch_vehicles")
    assert float(L.effective_isp("electron")) > float(cat["upper_stage_isp"].sel(entry="electron"))


def test_payload_falls_with_altitude_and_inclination_and_is_vectorised():
    names = xr.DataArray(list(L.vehicles()), dims="launch_vehicle")
    alts = xr.DataArray([400.0, 650.0, 1200.0], dims="altitude")
    p = L.payload_to_orbit(names, alts, 53.0)
    assert p.dims == ("launch_vehicle", "altitude") or set(p.dims) == {"launch_vehicle", "altitude"}
    assert p.attrs["units"] == "kg"
    assert bool((p.diff("altitude") <= 1e-9).all())
    sso = L.payload_to_orbit(names, 650.0, 98.0)
    assert bool((sso <= L.payload_to_orbit(names, 650.0, 53.0) + 1e-9).all())


def test_payload_zero_when_beyond_the_stage():
    # 20 km/s more than the reference mission is beyond any single stage: payload 0
    assert float(L.payload_after_delta_v(1000, 20000, 350, 100_000, 0.05)) == 0.0
    # no extra delta-v: the reference payload back
    assert float(L.payload_after_delta_v(1000, 0, 350, 100_000, 0.05)) == pytest.approx(1000, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Packing
# --------------------------------------------------------------------------------------------
BIG = 1e9  # volume/dispenser limits out of the way


def _spl(payload, m, volume=BIG, rho=1000.0, eta=1.0, disp=BIG, asm=False):
    return float(L.satellites_per_launch(payload, m, volume, rho, eta, disp, asm))


def test_packing_exactly_full_and_one_kilogram_over():
    assert _spl(10_000, 1_000) == 10  # exactly full
    assert _spl(10_000, 1_000.1) == 9  # 10 satellites are 1 kg over the payload
    assert _spl(1_000, 1_001) == 0  # one satellite 1 kg over: does not fit at all


def test_packing_volume_limited():
    # 100 m3 x 0.5 x 200 kg/m3 = 10 t of stowed satellite: 10 of 1 t, though the mass allows 50
    assert _spl(50_000, 1_000, volume=100, rho=200, eta=0.5) == 10


def test_packing_dispenser_limited():
    assert _spl(50_000, 100, disp=60) == 60


def test_on_orbit_assembly_splits_into_modules():
    # a 25 t satellite on a 10 t vehicle: 3 modules, one launch each
    assert _spl(10_000, 25_000, asm=True) == pytest.approx(1 / 3)
    assert _spl(10_000, 25_000, asm=False) == 0
    n = L.launches_needed(4, 1 / 3)
    assert float(n) == 12


def test_launches_and_replacements_by_hand():
    assert float(L.launches_needed(1009, 13)) == 78  # ceil(1009/13)
    assert float(L.launches_needed(1009, 13, 0.02)) == pytest.approx(78 / 0.98)
    assert float(L.launches_needed(10, 0)) == math.inf
    r = L.replacement_launches_per_year(1000, 20, 0.02)
    assert float(r) == pytest.approx(1.0) and r.attrs["units"] == "1/yr"
    r2 = L.replacement_launches_per_year(1000, 20, 0.02, mission_lifetime=5)
    assert float(r2) == pytest.approx(1000 * (0.02 + 0.2) / 20)


@settings(max_examples=60, deadline=None)
@given(m1=st.floats(1, 50_000), dm=st.floats(0, 50_000), n=st.integers(1, 10_000),
       payload=st.floats(1_000, 200_000), rho=st.floats(50, 1000))
def test_more_mass_never_needs_fewer_launches(m1, dm, n, payload, rho):
    def launches(m):
        spl = L.satellites_per_launch(payload, m, 300.0, rho, 0.5, 100, True)
        return float(L.launches_needed(n, spl))

    assert launches(m1 + dm) >= launches(m1)


# --------------------------------------------------------------------------------------------
# Price: Wright's law, market vs internal, cadence, break-even year
# --------------------------------------------------------------------------------------------
def test_wright_doublings_by_hand():
    # 20 % per doubling (Suncatcher): 1, 2, 3 doublings -> 0.8, 0.64, 0.512 of the start price
    p = L.learning_curve_price(1000, [200, 400, 800], 100, 0.2)
    np.testing.assert_allclose(p.values, [800, 640, 512], rtol=1e-12)
    assert p.attrs["units"] == "USD/kg"
    # with a floor only the part above it learns: 100 + 900 x 0.8 = 820
    assert float(L.learning_curve_price(1000, 200, 100, 0.2, floor=100)) == pytest.approx(820)
    # no learning: flat
    assert float(L.learning_curve_price(1000, 12_800, 100, 0.0)) == pytest.approx(1000)


@settings(max_examples=60, deadline=None)
@given(lr1=st.floats(0, 0.95), dlr=st.floats(0, 0.04), ratio=st.floats(1, 1e4), floor=st.floats(0, 500))
def test_higher_learning_rate_never_gives_higher_price(lr1, dlr, ratio, floor):
    a = float(L.learning_curve_price(1000, 10 * ratio, 10, lr1, floor=floor))
    b = float(L.learning_curve_price(1000, 10 * ratio, 10, lr1 + dlr, floor=floor))
    assert b <= a + 1e-9
    assert floor - 1e-9 <= b <= 1000 + 1e-9


def test_market_price_vs_internal_cost():
    assert float(L.market_price(100, 1.5)) == pytest.approx(250)
    assert float(L.market_price(100, 1.5, vertically_integrated=True)) == pytest.approx(100)


def test_cumulative_flights_by_hand():
    # ramp 10 -> 30 flights/yr over 2025-2027, then 30/yr held flat (growth 0): 20 + 20 (ramp)
    # + 30 per year after
    f = L.cumulative_flights([2025, 2026, 2027, 2029], 10, 30, 2025, 2027, growth_rate=0.0)
    np.testing.assert_allclose(f.values, [0, 15, 40, 100])
    # growing 5 %/yr after the plan (launch_cadence_growth_rate's default, the trajectory's fleet
    # model): 40 + 30 (1.05^2 - 1) / ln 1.05 = 40 + 30 x 2.04959 after two years
    g = L.cumulative_flights([2027, 2029], 10, 30, 2025, 2027)
    np.testing.assert_allclose(g.values, [40, 40 + 30 * (1.05 ** 2 - 1) / math.log(1.05)], rtol=1e-12)
    # the deployment time inverts it: 61.49 flights after 2027 at 100 % share take two years
    n = 30 * (1.05 ** 2 - 1) / math.log(1.05)
    assert float(L.deployment_years(n, 2027, 10, 30, 2025, 2027, 1.0)) == pytest.approx(2.0, rel=1e-12)
    assert float(L.deployment_years(n, 2027, 10, 30, 2025, 2027, 1.0, cadence_growth_rate=0.0)) == pytest.approx(n / 30, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(f0=st.floats(0.0, 50.0), f1=st.floats(0.1, 500.0), span=st.floats(0.0, 15.0), g=st.floats(0.0, 0.5),
       flights=st.floats(0.0, 1e5))
def test_cumulative_flights_and_its_inverse_round_trip_with_growth(f0, f1, span, g, flights):
    # the closed-form inverse (the deployment time, the break-even year) finds the year at which
    # the ramp-then-growth cadence has flown the flights, and more flights never take less time
    from orbitdc._launch_vehicles import _cum_flights, _inverse_cum_flights
    y0, y1 = 2025.0, 2025.0 + span
    year = _inverse_cum_flights(np.float64(flights), f0, f1, y0, y1, g)
    assert np.isfinite(year)
    assert float(_cum_flights(year, f0, f1, y0, y1, g)) == pytest.approx(flights, rel=1e-9, abs=1e-6)
    assert _inverse_cum_flights(np.float64(flights * 1.5 + 1.0), f0, f1, y0, y1, g) >= year
    # growth never slows a deployment down
    assert year <= _inverse_cum_flights(np.float64(flights), f0, f1, y0, y1, 0.0) + 1e-9


def test_year_price_reaches_round_trips_launch_price_by_year():
    kw = dict(initial_price=1000, learning_rate=0.2, initial_cumulative_mass=1000, mass_per_flight=100,
              flights_per_year_today=10, flights_per_year_planned=100, reference_year=2025, planned_year=2030,
              floor=20, margin=0.5)
    years = np.array([2026.5, 2029.0, 2034.0, 2040.0])
    prices = L.launch_price_by_year(years, **kw)
    back = L.year_price_reaches(prices, **kw)
    np.testing.assert_allclose(back.values, years, atol=1e-6)
    # by hand: 1 doubling of 1000 t needs 10 flights = the first year (10 -> 28 flights/yr ramp gives
    # 10 + 9 = 19 flights in year one, so 10 flights come at t with 10 t + 9 t^2 = 10 -> t = 0.6258)
    c0 = 1000 / 1.5
    target_cost = 20 + (c0 - 20) * 0.8
    y = float(L.year_price_reaches(target_cost * 1.5, **kw))
    assert y == pytest.approx(2025 + (-10 + math.sqrt(100 + 360)) / 18, abs=1e-9)


def test_year_price_reaches_never_and_already():
    kw = dict(initial_price=1000, learning_rate=0.2, initial_cumulative_mass=1000, mass_per_flight=100,
              flights_per_year_today=10, flights_per_year_planned=10, reference_year=2025, planned_year=2025,
              floor=50)
    out = L.year_price_reaches([2000, 1000, 50, 10, np.nan], **kw).values
    assert out[0] == 2025 and out[1] == 2025
    assert np.isinf(out[2]) and np.isinf(out[3])
    assert np.isnan(out[4])
    assert np.isinf(float(L.year_price_reaches(500, **{**kw, "learning_rate": 0.0})))


def test_vertical_integration_reaches_a_price_sooner():
    kw = dict(vehicle="starship-target", learning_rate=0.2, floor=20, margin=1.0)
    integrated = float(L.year_price_reaches(200, vertically_integrated=True, **kw))
    market = float(L.year_price_reaches(200, vertically_integrated=False, **kw))
    assert integrated <= market


def test_year_price_reaches_from_a_chain_dataset():
    ds = _synthetic()
    y = L.year_price_reaches(xr.DataArray([100.0, 300.0], dims="p"), ds)
    assert y.dims == ("p",) and bool((y >= 2025).all())


# --------------------------------------------------------------------------------------------
# Emissions
# --------------------------------------------------------------------------------------------
def test_propellant_co2_from_stoichiometry():
    # kg CO2 per kg propellant = carbon mass fraction x 44.009/12.011 / (1 + O/F)
    # (IUPAC standard atomic weights C 12.011, O 15.999)
    cat = load_catalog("propellants")
    ratio = (12.011 + 2 * 15.999) / 12.011
    for kind in ("rp1", "methane", "hydrogen"):
        row = cat.sel(entry=kind)
        expect = float(row.fuel_carbon_mass_fraction) * ratio / (1 + float(row.oxidiser_to_fuel_ratio))
        # the catalog stores the factor to 3 decimals: half a unit in the last digit
        assert float(L.propellant_co2_factor(kind)) == pytest.approx(expect, abs=5e-4), kind
    # CH4 + 2 O2 at O/F 3.6: 12.011 / 16.043 = 0.74868 kg C per kg CH4; x 3.6640 / 4.6 = 0.5963
    assert float(L.propellant_co2_factor("methane")) == pytest.approx(0.5963, abs=5e-4)
    assert float(L.propellant_co2_factor("hydrogen")) == 0.0


def test_co2_per_launch_falcon9_by_hand():
    """UNVERIFIED inputs (launch-vehicle-secondary-data: encyclopaedic propellant loads, rows not re-read):
    the check is the stoichiometry applied to them, also checked alone in test_propellant_co2_from_stoichiometry."""
    # 488 t of RP-1/LOX (launch-vehicle-secondary-data: ~396 t first + ~93 t second stage) x 0.937
    # kg/kg (0.8593 x 3.6641 / 3.36, stoichiometry above) = 457.3 t CO2
    assert float(L.co2_per_launch("falcon9-reusable")) == pytest.approx(488 * 0.937, rel=1e-9)
    # Ariane 62: hydrogen (0) + solids 284 t x 0.42
    assert float(L.co2_per_launch("ariane-62")) == pytest.approx(284 * 0.42, rel=1e-9)


def test_launch_co2_per_kwh_by_hand():
    # 1,000 t over 1 MW for 5 years (43,830 MWh): 22.8 g/kWh
    g = L.launch_co2_per_kwh(1000, 1000, 5)
    assert float(g) == pytest.approx(1e9 / (1000 * 5 * 8766), rel=1e-12)
    assert g.attrs["units"] == "g/(kW h)"


# --------------------------------------------------------------------------------------------
# The stage on synthetic upstream Datasets
# --------------------------------------------------------------------------------------------
def _synthetic(**kw) -> xr.Dataset:
    base = dict(
        launch_vehicle=np.str_("starship-target"), launch_price_per_kg=500.0, launch_margin=1.5,
        vertically_integrated_launch=np.bool_(False), launch_learning_rate=0.2, launch_price_floor_per_kg=20.0,
        launch_cadence_share=0.3, launch_failure_probability=0.0, satellite_failure_rate=0.02,
        satellite_stowed_density=250.0, fairing_packing_efficiency=0.5, dispenser_capacity=100.0,
        on_orbit_assembly=np.bool_(False), grid_carbon_intensity=480.0, target_it_power=1e5, start_year=2030.0,
        mission_lifetime=5.0, altitude=650.0, inclination=98.0, satellite_mass=2000.0, satellites=1000.0,
    )
    base.update(kw)
    return xr.Dataset({k: v if isinstance(v, xr.DataArray) else xr.DataArray(v) for k, v in base.items()})


def test_stage_outputs_by_hand():
    ds = _synthetic()
    out = L.run(ds)
    for name in L.STAGE.outputs:
        assert name in out, name
    payload = float(L.payload_to_orbit("starship-target", 650, 98))
    vol = float(L.fairing_volume("starship-target"))
    spl = min(math.floor(payload / 2000), math.floor(vol * 0.5 * 250 / 2000), 100)
    assert float(out["satellites_per_launch"]) == spl
    launches = math.ceil(1000 / spl)
    assert float(out["launches"]) == launches
    # price per kg of capacity to the reference LEO: a Starship flight costs 150 t x 500 USD/kg
    # (catalog payload_reference), whatever it carries to 650 km SSO (issue 12)
    assert float(out["launch_cost"]) == pytest.approx(launches * 150_000.0 * 500)
    assert float(out["replacement_launches_per_year"]) == pytest.approx(1000 * 0.02 / spl)
    co2 = float(L.co2_per_launch("starship-target")) * (launches + 1000 * 0.02 / spl * 5)
    assert float(out["launch_co2"]) == pytest.approx(co2)
    assert float(out["launch_co2_per_kwh"]) == pytest.approx(co2 * 1e6 / (1e5 * 5 * 8766))
    assert not bool(out["violates_launch_mass"])
    assert 0 < float(out["deployment_years"]) < 30
    assert out["payload_to_orbit"].attrs["launch_vehicle"] == "starship-target"


def test_stage_flags_heavy_satellite_unless_assembled():
    ds = _synthetic(launch_vehicle=np.str_("electron"), satellite_mass=2000.0, satellites=10.0)
    out = L.run(ds)
    assert bool(out["violates_launch_mass"]) and np.isinf(float(out["launches"]))
    out2 = L.run(_synthetic(launch_vehicle=np.str_("electron"), satellite_mass=2000.0, satellites=10.0,
                            on_orbit_assembly=np.bool_(True)))
    assert not bool(out2["violates_launch_mass"])
    assert float(out2["modules_per_satellite"]) > 1 and np.isfinite(float(out2["launches"]))


def test_stage_volume_flag():
    out = L.run(_synthetic(launch_vehicle=np.str_("falcon9-reusable"), satellite_mass=10_000.0,
                           satellite_stowed_density=10.0))
    assert bool(out["violates_launch_volume"]) and not bool(out["violates_launch_mass"])


def test_stage_vectorised_over_swept_vehicles_and_sample():
    names = xr.DataArray(["falcon9-reusable", "starship-target", "new-glenn"], dims="launch_vehicle")
    mass = xr.DataArray(np.linspace(500, 5000, 7), dims="sample")
    out = L.run(_synthetic(launch_vehicle=names, satellite_mass=mass))
    assert set(out["launches"].dims) == {"launch_vehicle", "sample"}
    assert bool(np.isfinite(out["launches"]).all())
    assert bool((out["launches"].diff("sample") >= 0).all())


def test_stage_without_upstream_gives_nan_not_invented():
    ds = _synthetic().drop_vars(["satellite_mass", "satellites", "altitude", "inclination"])
    out = L.run(ds)
    assert np.isnan(float(out["launches"])) and not bool(out["violates_launch_mass"])


def test_deployment_timeline_reaches_capacity():
    ds = _synthetic()
    out = L.run(ds)
    full = ds.assign(launches=out["launches"])
    tl = L.deployment_timeline(full, years=np.arange(2030, 2061))
    assert tl.dims == ("year",) and tl.attrs["units"] == "kW"
    assert bool((tl.diff("year") >= 0).all())
    assert float(tl.sel(year=2030)) == 0.0
    done = 2030 + float(out["deployment_years"])
    assert float(tl.sel(year=math.ceil(done))) == pytest.approx(1e5)


def test_deployment_years_by_hand():
    # 30 flights at 30 % of a constant 100 flights/yr (no growth after the plan): one year
    assert float(L.deployment_years(30, 2030, 100, 100, 2025, 2025, 0.3, cadence_growth_rate=0.0)) == pytest.approx(1.0)
    # growing 5 %/yr from 2025 (the default): 100 flights from 2030 end at T with
    # 1.05^T = 1.05^5 + ln(1.05) (100 flights / 100 per year), T - 5 years
    t_end = math.log(1.05 ** 5 + math.log(1.05)) / math.log(1.05)
    # (a plan whose planned year is today is a ramp of 1e-9 yr: hence 1e-8)
    assert float(L.deployment_years(30, 2030, 100, 100, 2025, 2025, 0.3)) == pytest.approx(t_end - 5.0, rel=1e-8)
    assert np.isinf(float(L.deployment_years(30, 2030, 0, 0, 2025, 2025, 0.3)))


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
def test_unknown_vehicle_lists_known_ones():
    with pytest.raises(ParameterError) as exc:
        L.payload_to_orbit("saturn-v", 500, 53)
    assert exc.value.parameter == "launch_vehicle"
    assert "falcon9-reusable" in str(exc.value) and "starship-target" in str(exc.value)


@pytest.mark.parametrize("lr", [-0.1, 1.0, 1.5])
def test_learning_rate_outside_unit_interval(lr):
    with pytest.raises(ParameterError) as exc:
        L.learning_curve_price(1000, 200, 100, lr)
    assert exc.value.parameter == "launch_learning_rate"


def test_negative_cadence_and_bad_years():
    with pytest.raises(ParameterError) as exc:
        L.cumulative_flights(2030, -5, 10, 2025, 2030)
    assert exc.value.parameter == "flights_per_year_today"
    with pytest.raises(ParameterError) as exc:
        L.deployment_years(10, 2030, 10, 10, 2025, 2030, 0.0)
    assert exc.value.parameter == "launch_cadence_share"
    with pytest.raises(ParameterError) as exc:
        L.cumulative_flights(2030, 5, 10, 2030, 2025)
    assert exc.value.parameter == "planned_year"


def test_bad_units_and_masses():
    with pytest.raises(ParameterError):
        L.hohmann_delta_v(200 * u.kg, 300)
    with pytest.raises(ParameterError) as exc:
        L.satellites_per_launch(1000, -1, 10, 100, 0.5, 10)
    assert exc.value.parameter == "satellite_mass"
    with pytest.raises(ParameterError) as exc:
        L.propellant_co2_factor("unobtainium")
    assert "rp1" in str(exc.value)


def test_chain_override_of_unknown_vehicle_is_refused():
    import orbitdc as odc

    with pytest.raises(OrbitdcError) as exc:
        odc.evaluate("example-minimal", launch_vehicle="saturn-v")
    assert "launch_vehicle" in str(exc.value)


def test_stage_broadcasts_inputs_on_separate_dimensions():
    # satellite mass, altitude and vehicle each swept along their own dimension (a full grid)
    ds = _synthetic(launch_vehicle=xr.DataArray(["electron", "falcon9-reusable"], dims="launch_vehicle"),
                    satellite_mass=xr.DataArray([100.0, 5000.0], dims="satellite_mass"),
                    altitude=xr.DataArray([500.0, 900.0], dims="altitude"))
    out = L.run(ds)
    for name in ("launches", "violates_launch_mass", "satellites_per_launch", "deployment_years"):
        assert set(out[name].dims) == {"launch_vehicle", "satellite_mass", "altitude"}, name
    heavy = out["violates_launch_mass"].sel(launch_vehicle="electron", satellite_mass=5000.0)
    assert bool(heavy.all())


def test_price_by_year_learning_rate_defaults_to_the_data_file():
    # Suncatcher's ~20 % per doubling is launch_learning_rate in data/defaults/launch.yaml.
    from orbitdc.parameters import default_value

    lr = default_value("launch", "launch_learning_rate", "1")
    a = L.launch_price_by_year([2030, 2040], "starship-target")
    b = L.launch_price_by_year([2030, 2040], "starship-target", learning_rate=lr)
    np.testing.assert_array_equal(a.values, b.values)


def test_price_per_kg_at_orbit_hand_value():
    # A whole flight costs the same wherever it goes: $500/kg quoted on a 100 t reference payload
    # is $50M a flight; if only 80 t reach the target orbit, capacity there costs 50e6/80e3 = $625/kg.
    p = L.price_per_kg_at_orbit(500, 100_000, 80_000)
    assert float(p) == pytest.approx(625.0, rel=1e-12)
    assert p.attrs["units"] == "USD/kg"


def test_effective_isp_lies_below_the_vacuum_isp():
    """Gravity, steering and drag losses make the effective Isp of the derating model smaller than
    the final stage's vacuum Isp. Checked where it can fail: on every vehicle calibrated on a
    published payload without a kick stage (Ariane 62 now), whose Isp is solved from data and is
    not below the vacuum Isp by construction; and on the vehicles that take the factor."""
    cal = L.upper_stage_calibration()
    cat = load_catalog("launch_vehicles")
    free = [n for n, c, k in zip(cal["entries"], cal["calibrated"], cal["kick_stage"]) if c and not k]
    assert free  # at least one vehicle's Isp comes from data
    for name, calibrated, kick in zip(cal["entries"], cal["calibrated"], cal["kick_stage"]):
        if not kick:  # a kick-stage vehicle's Isp stands for two stages (next tests)
            vac = float(cat["upper_stage_isp"].sel(entry=name))
            eff = float(L.effective_isp(name))
            assert 0.5 * vac < eff < vac, (name, eff, vac)


@given(frac=st.floats(0.0, 1.0), eps=st.floats(0.0, 1.0), mass=st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_calibrated_isp_stays_below_vacuum_over_the_data_ranges(frac, eps, mass):
    """The same property over the catalog's own ranges for Ariane 62's published SSO payload
    (6.45-7.2 t), its upper-stage mass and dry fraction (at its reference orbit): the calibration
    gives 289-406 s against Vinci's 457 s. (For Electron the same ranges give 281-494 s: a two-point
    fit through a kick-stage delivery does not pin an Isp, hence the flag.)"""
    rows = {r["field"]: r for r in catalog_rows("launch_vehicles") if r["entry"] == "ariane-62"}

    def span(field, x):
        return rows[field]["low"] + x * (rows[field]["high"] - rows[field]["low"])

    m_sso, m_stage, e = span("payload_sso", frac) * 1000, span("upper_stage_mass", mass) * 1000, span("upper_stage_dry_fraction", eps)
    v = {f: rows[f]["value"] for f in ("reference_altitude", "reference_inclination", "sso_altitude", "sso_inclination",
                                       "site_latitude", "payload_reference", "upper_stage_isp")}
    dv = L._extra_delta_v(v["reference_altitude"], v["reference_inclination"], v["sso_altitude"], v["sso_inclination"],
                          v["site_latitude"])
    ratio = np.log(L._stage_ratio(m_stage, e, m_sso) / L._stage_ratio(m_stage, e, v["payload_reference"] * 1000))
    assert float(dv / ratio / L.G0) < v["upper_stage_isp"]
