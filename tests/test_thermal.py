"""Thermal stage: radiator physics against hand-derived and published values, properties, bad input.

Sources cited per test. Stefan-Boltzmann constant sigma = 5.670374419e-8 W m^-2 K^-4 (CODATA 2018).
"""
import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import architectures, catalogs, thermal
from orbitdc.errors import ParameterError

SIGMA = 5.670374419e-8  # CODATA 2018, written out here so the tests do not trust the module's value


# ------------------------------------------------------------------------------------------
# A synthetic Dataset standing in for the upstream stages (orbit, compute, power)
# ------------------------------------------------------------------------------------------
_DEFAULTS = architectures.load_defaults()


def _defaults():
    # catalog-backed parameters (radiator_areal_density, ...) have no default: the stage reads
    # the catalog value of the chosen radiator when they are absent
    return {k: xr.DataArray(_DEFAULTS[k].canonical_value) for k, s in thermal.PARAMETERS.items() if s.catalog is None}


# power stage stand-in: 105 kW of load day and night (battery strategy), 20 min eclipses in a
# 97.7 min orbit, SMAD path efficiencies X_d = 0.85, X_e = 0.65 -> array power by SMAD eq. 11-5
P_SA = (105.0 * 20.0 / 0.65 + 105.0 * 77.7 / 0.85) / 77.7
UPSTREAM = dict(it_power=100.0, bus_power=5.0, power_system_loss=8.0, solar_array_area=500.0,
                solar_array_mass=900.0, battery_mass=300.0, solar_array_power=P_SA, solar_flux=1361.0,
                altitude=650.0, eclipse_fraction=0.2, period=97.7, max_eclipse_duration=20.0,
                daylight_path_efficiency=0.85, eclipse_path_efficiency=0.65, eclipse_strategy="battery",
                chip_max_temperature=345.0, albedo_orbit_factor=0.2)


def synth(**kw):
    v = _defaults()
    v.update({k: xr.DataArray(x) for k, x in UPSTREAM.items()})
    v.update({k: x if isinstance(x, xr.DataArray) else xr.DataArray(x) for k, x in kw.items()})
    return xr.Dataset(v)


def run(**kw):
    return xr.Dataset({k: xr.DataArray(v) for k, v in thermal.run(synth(**kw)).items()})


# ------------------------------------------------------------------------------------------
# Stefan-Boltzmann fluxes (hand-derived)
# ------------------------------------------------------------------------------------------
def test_black_body_at_300K_radiates_459_W_per_m2_per_side():
    # sigma * 300^4 = 5.670374e-8 * 8.1e9 = 459.30 W/m2 (any heat-transfer text, e.g. Incropera 7th ed. ch. 12)
    q1 = thermal.radiator_flux(300.0, 1.0, sides=1)
    assert float(q1) == pytest.approx(459.30, abs=0.01)
    assert float(thermal.radiator_flux(300.0, 1.0, sides=2)) == pytest.approx(918.60, abs=0.02)
    assert q1.attrs["units"] == "W/m2"


def test_earth_effective_temperature_flux_matches_earth_ir():
    # A 255 K black body emits 239.8 W/m2: the Earth's effective temperature and its ~237-240 W/m2
    # outgoing long-wave flux (Gilmore 2002 ch. 2) are the same fact seen twice.
    assert float(thermal.radiator_flux(255.0, 1.0, sides=1)) == pytest.approx(239.76, abs=0.01)


def test_two_sided_z93_panel_at_100C_and_sink_and_fin_efficiency():
    # 2 * 0.92 * sigma * 373.15^4 = 2022.85 W/m2 (hand-derived)
    assert float(thermal.radiator_flux(373.15, 0.92)) == pytest.approx(2022.85, abs=0.05)
    # sink at 250 K: sigma (300^4 - 250^4) = 237.80 W/m2
    assert float(thermal.radiator_flux(300.0, 1.0, sides=1, sink_temperature=250.0)) == pytest.approx(237.80, abs=0.01)
    # fin efficiency scales emission only; absorbed flux is subtracted per m2 of panel
    q = thermal.radiator_flux(300.0, 1.0, sides=1, fin_efficiency=0.5, absorbed_flux=100.0)
    assert float(q) == pytest.approx(0.5 * 459.30 - 100.0, abs=0.01)


def test_radiator_flux_accepts_quantities_and_dataarrays():
    q = thermal.radiator_flux(26.85 * u.deg_C, 1.0, sides=1)
    assert float(q) == pytest.approx(459.30, abs=0.01)
    T = xr.DataArray([300.0, 400.0], dims="t", attrs={"units": "K"})
    q = thermal.radiator_flux(T, 1.0, sides=1)
    assert q.dims == ("t",)
    np.testing.assert_allclose(q.values, SIGMA * np.array([300.0, 400.0]) ** 4, rtol=1e-9)


def test_radiator_area_for_1_MW_at_300K():
    # 1 MW, two-sided black body at 300 K, no environment: 1e6 / 918.60 = 1088.6 m2 (hand-derived)
    A = thermal.radiator_area(1000.0, 300.0, 1.0, sides=2)
    assert float(A) == pytest.approx(1e6 / (2 * SIGMA * 300.0**4), rel=1e-9)
    assert float(A) == pytest.approx(1088.6, abs=0.1)


# ------------------------------------------------------------------------------------------
# Environment
# ------------------------------------------------------------------------------------------
def _numerical_view_factor(altitude_km, normal_elevation_deg, n=1200):
    """View factor plate -> sphere by direct quadrature of (1/pi) int cos(theta) dOmega over the
    directions that hit the Earth (independent of the closed forms)."""
    R = 6378.1
    d = R + altitude_km
    half = np.arcsin(R / d)  # angular radius of the Earth seen from the satellite
    # directions around the nadir: angle psi from nadir, azimuth phi
    psi = (np.arange(n) + 0.5) / n * half
    phi = (np.arange(2 * n) + 0.5) / (2 * n) * 2 * np.pi
    P, F = np.meshgrid(psi, phi, indexing="ij")
    # unit vectors, z = nadir
    v = np.stack([np.sin(P) * np.cos(F), np.sin(P) * np.sin(F), np.cos(P)])
    e = np.radians(normal_elevation_deg)  # elevation of the plate normal towards nadir (90 = facing nadir)
    nrm = np.array([np.cos(e), 0.0, np.sin(e)])
    cos_t = np.clip(np.tensordot(nrm, v, axes=1), 0.0, None)
    dOmega = np.sin(P) * (half / n) * (2 * np.pi / (2 * n))
    return float((cos_t * dOmega).sum() / np.pi)


@pytest.mark.parametrize("altitude", [400.0, 650.0, 1200.0])
def test_earth_view_factors_match_direct_integration(altitude):
    F_nadir = float(thermal.earth_view_factor(altitude, "nadir_facing"))
    F_edge = float(thermal.earth_view_factor(altitude, "edge_on"))
    assert F_nadir == pytest.approx(_numerical_view_factor(altitude, 90.0), rel=2e-3)
    assert F_edge == pytest.approx(_numerical_view_factor(altitude, 0.0), rel=2e-3)


def test_earth_view_factor_limits_and_a_hand_value():
    # 650 km, facing nadir: (R / (R + h))^2 = (6378.1 / 7028.1)^2 = 0.82358
    assert float(thermal.earth_view_factor(650.0, "nadir_facing")) == pytest.approx(0.82358, abs=1e-4)
    # on the ground a horizontal plate sees the whole ground (1), a vertical plate half of it (0.5)
    assert float(thermal.earth_view_factor(1e-6, "nadir_facing")) == pytest.approx(1.0, abs=1e-6)
    assert float(thermal.earth_view_factor(1e-6, "edge_on")) == pytest.approx(0.5, abs=1e-3)


def test_environmental_flux_hand_value():
    # alpha 0.25, eps 0.92, S 1361, cos 0.1 sunlit all orbit, F 0.48, IR 237, albedo 0.30, factor 0.2:
    # 0.25*1361*0.1 + 0.48*(0.92*237 + 0.25*0.30*1361*0.2) = 34.025 + 0.48*(218.04 + 20.415) = 148.483
    q = thermal.environmental_heat_flux(0.25, 0.92, solar_flux=1361.0, solar_cosine=0.1, sunlit_fraction=1.0,
                                        earth_ir_flux=237.0, earth_albedo=0.30, albedo_factor=0.2,
                                        earth_view_factor=0.48)
    assert float(q) == pytest.approx(148.483, abs=1e-3)
    assert q.attrs["units"] == "W/m2"


def test_defaults_carry_the_published_environment_numbers():
    """UNVERIFIED anchors: Gilmore 2002 (gilmore2002) is not in the searchable copies; a data check, the
    radiator physics is checked by hand elsewhere in this file."""
    d = architectures.load_defaults()
    # Gilmore 2002 (gilmore2002) ch. 2 and appendix: Earth IR ~237 W/m2, albedo ~0.30 (orbit means),
    # Z-93 eps ~0.92, alpha ~0.15 new. The 0.36 end-of-life absorptance is cited in the data only to
    # a REFERENCES.md that is not in the repository: checked here as the data's value, source unverified.
    assert d["earth_ir_flux"].canonical_value == 237
    assert d["earth_albedo"].canonical_value == pytest.approx(0.30)
    assert d["radiator_emissivity"].canonical_value == pytest.approx(0.92)
    assert d["radiator_absorptivity"].canonical_low == pytest.approx(0.15)
    assert d["radiator_absorptivity"].canonical_high == pytest.approx(0.36)


# ------------------------------------------------------------------------------------------
# ISS radiators (NASA ATCS overview; Oren and Howell 1995)
# ------------------------------------------------------------------------------------------
def test_iss_radiator_catalog_matches_published_mass_and_size():
    # nasa-iss-atcs-overview: one HRS radiator ORU is about 1,120 kg over about 23 m x 3.4 m of
    # panel -> 1120 / 78.2 = 14.32 kg/m2. Precision of "about 23 m" and "3.4 m" (half a unit in
    # the last digit: 2.2 % and 1.5 %) gives +-4 % at most. (The former extra check of the 14-17.5
    # kg/m2 band cited a REFERENCES.md that is not in the repository; dropped.)
    published = 1120.0 / (23.0 * 3.4)
    rows = [r for r in catalogs.catalog_rows("radiators") if r["entry"] == "iss-hrs" and r["field"] == "areal_density"]
    (row,) = rows
    assert row["low"] <= published <= row["high"]
    assert row["value"] == pytest.approx(published, rel=0.04)


def test_iss_heat_rejection_is_within_what_the_physics_allows():
    # ISS HRS (nasa-iss-atcs-overview): 70 kW from six ORUs of ~78 m2 each -> 149 W/m2 of panel. A two-sided Z-93 panel at a
    # cold ammonia-loop temperature (~275 K) in a 400 km orbit with an end-of-life absorptivity
    # and sun on one face still nets more than that: the published capacity is physically attainable
    # (the ISS design margin covers hot-case attitudes), while a 200 K panel could not do it.
    need = 70e3 / (6 * 23.0 * 3.4)
    F = 2 * float(thermal.earth_view_factor(400.0, "edge_on"))
    q_abs = thermal.environmental_heat_flux(0.36, 0.92, solar_flux=1361.0, solar_cosine=0.3, earth_ir_flux=237.0,
                                            earth_albedo=0.30, albedo_factor=0.32, earth_view_factor=F)
    q_warm = float(thermal.radiator_flux(275.0, 0.92, sides=2, fin_efficiency=0.9, absorbed_flux=q_abs))
    q_cold = float(thermal.radiator_flux(200.0, 0.92, sides=2, fin_efficiency=0.9, absorbed_flux=q_abs))
    assert q_warm > need > q_cold


# ------------------------------------------------------------------------------------------
# Heat pump and optimal temperature
# ------------------------------------------------------------------------------------------
def test_carnot_heat_pump_cop_and_work():
    # Carnot cooling COP = T_c / (T_h - T_c) = 300 / 30 = 10; at 40% of Carnot, 4; 100 kW needs 25 kW
    assert float(thermal.heat_pump_cop(300.0, 330.0, 1.0)) == pytest.approx(10.0)
    assert float(thermal.heat_pump_power(100.0, 300.0, 330.0, 0.4)) == pytest.approx(25.0)
    assert float(thermal.heat_pump_power(100.0, 300.0, 290.0, 0.4)) == 0.0


def _brute_force_optimum(Tc, rho, k, eta, eps=0.92, sides=2, fin=0.9, q_abs=100.0, lift=300.0):
    T = np.linspace(Tc, Tc + lift, 300001)
    x = (T - Tc) / (eta * Tc)
    q = fin * sides * eps * SIGMA * T**4 - q_abs
    mass_per_W = rho * (1 + x) / q + k * x  # k in kg/W
    return T[np.argmin(mass_per_W)], T[1] - T[0]


@pytest.mark.parametrize("rho,k_kg_per_kW,eta", [(15.0, 5.0, 0.5), (30.0, 10.0, 0.4), (3.5, 30.0, 0.4), (15.0, 2.0, 0.6)])
def test_optimal_radiator_temperature_matches_grid_minimum(rho, k_kg_per_kW, eta):
    Tc = 320.0
    T = thermal.optimal_radiator_temperature(Tc, 0.92, radiator_areal_density=rho, heat_pump_specific_mass=k_kg_per_kW,
                                             power_specific_mass=0.0, carnot_fraction=eta, sides=2, fin_efficiency=0.9,
                                             absorbed_flux=100.0, max_lift=300.0)
    T_grid, step = _brute_force_optimum(Tc, rho, k_kg_per_kW / 1000.0, eta)
    assert float(T) == pytest.approx(T_grid, abs=2 * step)
    assert float(T) >= Tc


def test_optimal_temperature_without_heat_pump_is_the_passive_limit_and_lift_is_capped():
    kw = dict(radiator_areal_density=30.0, heat_pump_specific_mass=1.0, power_specific_mass=0.0, carnot_fraction=0.6)
    assert float(thermal.optimal_radiator_temperature(320.0, 0.92, heat_pump=False, **kw)) == 320.0
    capped = thermal.optimal_radiator_temperature(320.0, 0.92, max_lift=10.0, **kw)
    free = thermal.optimal_radiator_temperature(320.0, 0.92, **kw)
    assert float(free) > 330.0
    assert float(capped) == pytest.approx(330.0)


def test_optimal_temperature_is_vectorised():
    rho = xr.DataArray([3.5, 15.0, 30.0], dims="rho")
    Tc = xr.DataArray([300.0, 330.0], dims="tc")
    T = thermal.optimal_radiator_temperature(Tc, 0.92, radiator_areal_density=rho, heat_pump_specific_mass=5.0,
                                             power_specific_mass=0.0, carnot_fraction=0.5, max_lift=300.0)
    assert set(T.dims) == {"rho", "tc"}
    for i, r in enumerate(rho.values):
        for j, t in enumerate(Tc.values):
            single = thermal.optimal_radiator_temperature(t, 0.92, radiator_areal_density=r, heat_pump_specific_mass=5.0,
                                                          power_specific_mass=0.0, carnot_fraction=0.5, max_lift=300.0)
            assert float(T.isel(rho=i, tc=j)) == pytest.approx(float(single), rel=1e-9)
    # heavier radiators make lifting pay more: the optimum rises with areal density
    assert np.all(np.diff(T.transpose("tc", "rho").values, axis=1) >= 0)


# ------------------------------------------------------------------------------------------
# The stage on synthetic upstream data
# ------------------------------------------------------------------------------------------
def test_stage_waste_heat_is_it_plus_bus_plus_losses_and_the_array_is_not_the_radiator():
    out = run()
    assert float(out.waste_heat) == pytest.approx(100.0 + 5.0 + 8.0)
    # the solar array's own absorbed sunlight is not in the waste heat (the array radiates it)
    assert float(run(solar_array_area=5000.0).waste_heat) == float(out.waste_heat)
    # area = Q / net flux, mass = area x catalog areal density
    assert float(out.radiator_area) == pytest.approx(113e3 / float(out.radiator_net_flux))
    rho = catalogs.load_catalog("radiators")["areal_density"].sel(entry="advanced-deployable")
    assert float(out.radiator_mass) == pytest.approx(float(out.radiator_area) * float(rho))


def test_stage_radiator_runs_at_chip_limit_minus_loop_drop():
    out = run(chip_max_temperature=345.0, coolant_temperature_drop=20.0)
    assert float(out.radiator_temperature) == pytest.approx(325.0)
    assert not bool(out.violates_radiator_temperature)


def test_asking_for_a_radiator_hotter_than_the_chip_allows_is_flagged():
    T = xr.DataArray([300.0, 325.0, 330.0, 400.0], dims="radiator_design_temperature")
    out = run(optimize_radiator_temperature=False, radiator_design_temperature=T)
    np.testing.assert_array_equal(out.violates_radiator_temperature.values, [False, False, True, True])
    np.testing.assert_allclose(out.radiator_temperature.values, T.values)
    # a heat pump allows up to the limit + max lift, at the price of work and extra array
    out = run(optimize_radiator_temperature=False, radiator_design_temperature=T, heat_pump=True, heat_pump_max_lift=80.0)
    np.testing.assert_array_equal(out.violates_radiator_temperature.values, [False, False, False, False])
    W = out.heat_pump_power.values
    assert W[0] == W[1] == 0.0
    # W = Q_c (T_h - T_c) / (eta T_c) with Q_c = 113 kW, T_c = 325 K, eta = 0.4 (default)
    assert W[3] == pytest.approx(113.0 * 75.0 / (0.4 * 325.0))
    np.testing.assert_allclose(out.waste_heat.values, 113.0 + W)
    # the heat pump runs through eclipses like the compute (battery strategy), so its supply costs
    # exactly what the 105 kW load's does per kW: array and battery scale linearly (SMAD eq. 11-5)
    assert out.heat_pump_array_area.values[3] == pytest.approx(W[3] * 500.0 / 105.0)
    assert out.heat_pump_array_mass.values[3] == pytest.approx(W[3] * (900.0 + 300.0) / 105.0)


def test_throttled_compute_spares_the_heat_pump_battery_and_eclipse_array():
    kw = dict(optimize_radiator_temperature=False, radiator_design_temperature=360.0, heat_pump=True)
    batt = run(**kw)
    thr = run(eclipse_strategy="throttle", **kw)
    # same array sizing inputs: in daylight only, 1 kW of work needs 1 / X_d = 1.176 kW of array
    per_kw_area = float(thr.heat_pump_array_area / thr.heat_pump_power)
    assert per_kw_area == pytest.approx(500.0 / P_SA / 0.85)
    assert per_kw_area < float(batt.heat_pump_array_area / batt.heat_pump_power)
    assert float(thr.heat_pump_array_mass / thr.heat_pump_power) == pytest.approx(900.0 / P_SA / 0.85)


def test_environment_hotter_than_the_radiator_can_emit_is_flagged_not_nan():
    out = run(optimize_radiator_temperature=False, radiator_design_temperature=180.0)
    assert bool(out.violates_radiator_heat_balance)
    assert np.isinf(float(out.radiator_area)) and not np.isnan(float(out.radiator_mass))


def test_stage_broadcasts_over_swept_choices_and_numbers():
    out = run(radiator=xr.DataArray(["iss-hrs", "advanced-deployable"], dims="radiator"),
              it_power=xr.DataArray([10.0, 100.0, 1000.0], dims="it_power"))
    assert set(out.radiator_mass.dims) == {"radiator", "it_power"}
    ratio = out.radiator_mass.sel(radiator="iss-hrs") / out.radiator_mass.sel(radiator="advanced-deployable")
    # same temperature and coating; fin efficiency 0.9 vs 0.85 and 14.5 vs 3.5 kg/m2
    np.testing.assert_allclose(ratio.values, (14.5 / 0.9) / (3.5 / 0.85) * np.ones(3), rtol=0.05)


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(T1=st.floats(250.0, 600.0), dT=st.floats(0.0, 200.0), eps=st.floats(0.05, 1.0), q_abs=st.floats(0.0, 150.0))
def test_a_hotter_radiator_never_needs_more_area(T1, dT, eps, q_abs):
    q1 = float(thermal.radiator_flux(T1, eps, absorbed_flux=q_abs))
    if q1 <= 0:
        return  # not a working radiator at T1
    A1 = float(thermal.radiator_area(100.0, T1, eps, absorbed_flux=q_abs))
    A2 = float(thermal.radiator_area(100.0, T1 + dT, eps, absorbed_flux=q_abs))
    assert A2 <= A1


def _uniform_in_default_range(data, name):
    p = _DEFAULTS[name]
    return data.draw(st.floats(p.canonical_low, p.canonical_high))


NUMERIC = [k for k, s in thermal.PARAMETERS.items() if s.kind == "number" and s.catalog is None]


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_no_nan_inf_or_negative_anywhere_in_the_default_ranges(data):
    kw = {k: _uniform_in_default_range(data, k) for k in NUMERIC}
    kw.update(radiator=data.draw(st.sampled_from(["iss-hrs", "advanced-deployable"])),
              radiator_orientation=data.draw(st.sampled_from(list(thermal.ORIENTATIONS))),
              heat_pump=data.draw(st.booleans()), optimize_radiator_temperature=data.draw(st.booleans()),
              it_power=data.draw(st.floats(1.0, 1e4)), altitude=data.draw(st.floats(300.0, 2000.0)),
              eclipse_fraction=data.draw(st.floats(0.0, 0.4)), chip_max_temperature=data.draw(st.floats(330.0, 370.0)))
    if not kw["optimize_radiator_temperature"]:
        kw["radiator_design_temperature"] = kw["chip_max_temperature"] - kw["coolant_temperature_drop"]
    out = run(**kw)
    for name in ("waste_heat", "radiator_area", "radiator_mass", "radiator_temperature", "heat_pump_power",
                 "heat_pump_mass", "heat_pump_array_mass", "heat_pump_array_area"):
        v = out[name].values
        assert np.all(np.isfinite(v)) and np.all(v >= 0), name
    assert not bool(out.violates_radiator_temperature)
    assert not bool(out.violates_radiator_heat_balance)


@settings(max_examples=40, deadline=None)
@given(p1=st.floats(1.0, 1e4), factor=st.floats(1.0, 10.0), heat_pump=st.booleans())
def test_more_it_power_never_means_less_radiator_mass(p1, factor, heat_pump):
    # upstream scales with IT power (bus and losses as fixed fractions)
    def at(p):
        return run(it_power=p, bus_power=0.05 * p, power_system_loss=0.08 * p, solar_array_power=1.05 * p / 0.85, solar_array_mass=9.0 * p,
                   solar_array_area=5.0 * p, heat_pump=heat_pump, radiator="iss-hrs")
    a, b = at(p1), at(p1 * factor)
    assert float(b.radiator_mass) + float(b.heat_pump_mass) >= float(a.radiator_mass) + float(a.heat_pump_mass) - 1e-9


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("eps", [1.1, 0.0, -0.2, np.nan])
def test_bad_emissivity_is_a_parameter_error(eps):
    with pytest.raises(ParameterError) as err:
        thermal.radiator_flux(300.0, eps)
    assert err.value.parameter == "emissivity"
    with pytest.raises(ParameterError) as err:
        thermal.radiator_area(10.0, 300.0, eps)
    assert err.value.parameter == "emissivity"


def test_radiator_colder_than_sink_is_a_parameter_error():
    with pytest.raises(ParameterError) as err:
        thermal.radiator_flux(200.0, 0.9, sink_temperature=250.0)
    assert err.value.parameter == "temperature"
    assert "sink" in err.value.reason


def test_other_bad_inputs_name_their_parameter():
    cases = [
        (lambda: thermal.radiator_flux(-5.0, 0.9), "temperature"),
        (lambda: thermal.radiator_flux(300.0, 0.9, sides=3), "sides"),
        (lambda: thermal.radiator_area(10.0, 150.0, 0.9, absorbed_flux=500.0), "temperature"),
        (lambda: thermal.earth_view_factor(650.0, "sideways"), "orientation"),
        (lambda: thermal.earth_view_factor(-1.0), "altitude"),
        (lambda: thermal.heat_pump_cop(300.0, 290.0, 0.5), "hot_temperature"),
        (lambda: thermal.heat_pump_cop(300.0, 330.0, 1.5), "carnot_fraction"),
        (lambda: thermal.environmental_heat_flux(1.3, 0.9, solar_flux=1361, earth_ir_flux=237, earth_albedo=0.3,
                                                 albedo_factor=0.2, earth_view_factor=0.5), "absorptivity"),
        (lambda: thermal.max_radiator_temperature(340.0, 400.0), "coolant_temperature_drop"),
        (lambda: thermal.radiator_mass(10.0, 0.0), "areal_density"),
        (lambda: thermal.radiator_flux(300.0 * u.m, 0.9), "temperature"),
    ]
    for call, name in cases:
        with pytest.raises(ParameterError) as err:
            call()
        assert err.value.parameter == name
