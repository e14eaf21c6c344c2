"""Mass-budget stage: rocket equation, disposal burn, exact closure, published mass bases, properties.

g0 = 9.80665 m/s2 (standard gravity, exact); mu_E = 398600.4 km3/s2 and R_E = 6378.1 km (IAU 2015
nominal values, as in astropy).
"""
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import architectures, mass, thermal
from orbitdc.errors import ParameterError

_DEFAULTS = architectures.load_defaults()

UPSTREAM = dict(it_power=100.0, bus_power=5.0, power_system_loss=8.0, solar_array_area=500.0,
                solar_array_mass=900.0, battery_mass=0.0, solar_array_power=105.0 / 0.85, solar_flux=1361.0,
                altitude=650.0, eclipse_fraction=0.0, period=97.7, max_eclipse_duration=0.0,
                daylight_path_efficiency=0.85, eclipse_path_efficiency=0.65, eclipse_strategy="battery",
                chip_max_temperature=345.0, drag_delta_v=10.0,
                compute_mass=800.0, shielding_mass=200.0, mission_lifetime=5.0, target_it_power=1e6,
                albedo_orbit_factor=0.2)  # orbit stand-in: cos(beta)/pi at |beta| ~ 51 deg


def synth(**kw):
    # catalog-backed parameters (radiator_areal_density, ...) are absent: the stage reads the
    # chosen radiator's catalog values
    v = {k: xr.DataArray(_DEFAULTS[k].canonical_value) for k, s in {**thermal.PARAMETERS, **mass.PARAMETERS}.items()
         if s.catalog is None}
    v.update({k: xr.DataArray(x) for k, x in UPSTREAM.items()})
    v.update({k: x if isinstance(x, xr.DataArray) else xr.DataArray(x) for k, x in kw.items()})
    return xr.Dataset(v)


def run(**kw):
    """thermal then mass on a synthetic upstream Dataset."""
    ds = synth(**kw)
    ds = ds.assign({k: xr.DataArray(v) for k, v in thermal.run(ds).items()})
    return ds.assign({k: xr.DataArray(v) for k, v in mass.run(ds).items()})


# ------------------------------------------------------------------------------------------
# Hand-derived values
# ------------------------------------------------------------------------------------------
def test_rocket_equation_hand_value():
    # 1000 m/s at Isp 300 s on 1000 kg final mass: 1000 (exp(1000 / (9.80665 * 300)) - 1) = 404.81 kg
    # (Tsiolkovsky; SMAD 1999 eq. 17-7)
    assert float(mass.propellant_mass(1000.0, 1000.0, 300.0)) == pytest.approx(404.81, abs=0.01)
    assert float(mass.propellant_mass(1000.0, 0.0, 300.0)) == 0.0


def test_disposal_delta_v_hand_values():
    # First Hohmann burn from a 650 km circular orbit (r1 = 7028.1 km, v1 = 7.5310 km/s) to a
    # 50 km perigee (rp = 6428.1 km): v1 (1 - sqrt(2 rp / (r1 + rp))) = 169.8 m/s (Curtis sec. 6.2)
    assert float(mass.disposal_delta_v(650.0, 50.0)) == pytest.approx(169.8, abs=0.1)
    # to a 200 km perigee: 125.6 m/s
    assert float(mass.disposal_delta_v(650.0, 200.0)) == pytest.approx(125.6, abs=0.1)
    # already below the target perigee: nothing to do
    assert float(mass.disposal_delta_v(180.0, 200.0)) == 0.0


def test_closed_form_equals_a_fixed_point_iteration():
    # Independent algorithm: iterate the budget until it stops moving.
    F, s, a, h, t, g, dv, isp = 2000.0, 0.18, 0.05, 0.04, 0.3, 0.2, 400.0, 1500.0
    r = np.exp(dv / (9.80665 * isp)) - 1
    M = F
    for _ in range(500):
        B = M / ((1 + g) * (1 + r))
        P = r * (1 + g) * B
        B_new = F + (s + a + h) * B + t * P
        M = (1 + g) * (1 + r) * B_new
    out = mass.close_mass_budget(F, structure_fraction=s, attitude_control_fraction=a, propulsion_hardware_fraction=h,
                                 tank_fraction=t, growth_margin=g, delta_v=dv, isp=isp)
    assert float(out.satellite_mass) == pytest.approx(M, rel=1e-10)
    assert not bool(out.violates_mass_closure)


def test_closure_impossible_is_flagged_with_infinite_mass_not_nan():
    # fractions summing to one: no finite satellite carries its own structure
    out = mass.close_mass_budget(1000.0, structure_fraction=0.6, attitude_control_fraction=0.3,
                                 propulsion_hardware_fraction=0.1, tank_fraction=0.1, growth_margin=0.2,
                                 delta_v=100.0, isp=1500.0)
    assert bool(out.violates_mass_closure)
    assert np.isinf(float(out.satellite_mass)) and not np.isnan(float(out.satellite_mass))
    # propellant exploding: 10 km/s on hydrazine (exp(4.5) - 1 = 89 kg per kg) with tanks at 0.08 kg/kg
    out = mass.close_mass_budget(1000.0, structure_fraction=0.2, attitude_control_fraction=0.05,
                                 propulsion_hardware_fraction=0.02, tank_fraction=0.08, growth_margin=0.2,
                                 delta_v=10_000.0, isp=225.0)
    assert bool(out.violates_mass_closure)


def test_satellites_is_a_whole_number_without_rounding_up_exact_divisions():
    assert float(mass.satellites_needed(1e6, 100.0)) == 10_000
    assert float(mass.satellites_needed(1e6, 300.0)) == 3334
    assert float(mass.satellites_needed(50.0, 100.0)) == 1


# ------------------------------------------------------------------------------------------
# The stage
# ------------------------------------------------------------------------------------------
def test_stage_parts_add_up_to_the_total_and_outputs_are_consistent():
    out = run()
    bd = out.mass_breakdown
    assert list(bd.subsystem.values) == list(mass.SUBSYSTEMS)
    assert float(bd.sum("subsystem")) == pytest.approx(float(out.satellite_mass), rel=1e-12)
    assert float(bd.sel(subsystem="compute")) == 800.0
    assert float(bd.sel(subsystem="radiator")) == pytest.approx(float(out.radiator_mass))
    assert float(bd.sel(subsystem="isl_terminals")) == pytest.approx(4 * 10.0)
    assert float(bd.sel(subsystem="propellant")) == float(out.propellant_mass)
    assert float(bd.sel(subsystem="structure")) == float(out.structure_mass)
    assert float(out.satellites) == 10_000
    assert float(out.total_mass) == pytest.approx(10_000 * float(out.satellite_mass) / 1000.0)
    assert float(out.specific_mass) == pytest.approx(float(out.satellite_mass) / 100.0)
    # lifetime delta-v: drag make-up over the mission plus the disposal burn
    assert float(out.mission_delta_v) == pytest.approx(10.0 * 5.0 + float(mass.disposal_delta_v(650.0, 200.0)))
    # propellant by the rocket equation on the dry mass, with the catalog Isp of hall-argon (2500 s)
    assert float(out.propellant_mass) == pytest.approx(float(out.dry_mass) * np.expm1(float(out.mission_delta_v) / (9.80665 * 2500.0)))


def test_stage_breakdown_broadcasts_over_sweeps():
    out = run(it_power=xr.DataArray([10.0, 100.0], dims="it_power"),
              thruster=xr.DataArray(["hall-argon", "chemical-monoprop"], dims="thruster"))
    assert set(out.mass_breakdown.dims) == {"subsystem", "it_power", "thruster"}
    xr.testing.assert_allclose(out.mass_breakdown.sum("subsystem"), out.satellite_mass.transpose(*out.mass_breakdown.sum("subsystem").dims))
    # chemical propulsion needs ~10x the propellant of a 2500 s Hall thruster for the same delta-v
    p = out.propellant_mass.sel(it_power=100.0)
    assert float(p.sel(thruster="chemical-monoprop")) > 8 * float(p.sel(thruster="hall-argon"))


def test_stage_flags_closure_failure():
    # 300 km at solar maximum: drag make-up of ~1 km/s per year, 7 years, hydrazine
    out = run(drag_delta_v=1000.0, mission_lifetime=7.0, thruster="chemical-monoprop")
    assert bool(out.violates_mass_closure)
    assert np.isinf(float(out.satellite_mass))
    assert not np.isnan(out.mass_breakdown.values).any()


# ------------------------------------------------------------------------------------------
# Published mass bases
# ------------------------------------------------------------------------------------------
def _starlink_class(**kw):
    """A satellite built from light, flight-proven-class parts, per kW of IT (inputs cited inline).

    - compute 5 kg/kW (liquid-cooled accelerator boards without terrestrial chassis; the low end of
      the accelerators catalog's per-unit masses, ~8-16 kg per 0.7-1 kW),
    - array at ~100 W/kg end of life for IT + bus (between iROSA's 59 W/kg and thin-film claims),
    - no battery (dawn-dusk orbit), 5 % bus power, 8 % power-system losses,
    - 650 km SSO, ~10 m/s per year of drag make-up (low solar activity), argon Hall thrusters.
    """
    p = kw.pop("it_power", 20.0)
    base = dict(it_power=p, bus_power=0.05 * p, power_system_loss=0.08 * p, solar_array_power=1.05 * p / 0.85, compute_mass=5.0 * p, shielding_mass=0.5 * p,
                solar_array_mass=1.05 * p * 1000.0 / 100.0, solar_array_area=1.05 * p * 1000.0 / 200.0,
                battery_mass=0.0, isl_terminals=3.0, albedo_orbit_factor=0.0, radiator_solar_cosine=0.0)
    base.update(kw)
    return run(**base)


def _per_kw_of_array(out, it_power):
    """Wet satellite mass per kW of solar-array power (the array delivers IT + 5 % bus through the
    0.85 daylight path: 1.05 P_IT / 0.85, as set in _starlink_class)."""
    return float(out.satellite_mass) / (1.05 * it_power / 0.85)


# IT power that makes the array exactly the V2 Mini's ~28 kW: 28 * 0.85 / 1.05 = 22.667 kW
_V2MINI_ARRAY_KW = 28.0
_V2MINI_IT_KW = _V2MINI_ARRAY_KW * 0.85 / 1.05


def test_starlink_class_satellite_matches_the_v2_minis_mass_per_kw_of_array():
    """UNVERIFIED anchor: the V2 Mini's ~800 kg (starlink-v2mini-2023) and ~28 kW (nanjangud2025-suncatcher;
    Suncatcher's own 575 kg / 28 kW is SECONDARY and lighter) are not confirmed; the mass model is also
    checked by hand (test_rocket_equation_hand_value, test_closed_form_equals_a_fixed_point_iteration)."""
    # Published basis: a Starlink V2 Mini is "about 800 kg" (starlink-v2mini-2023, FCC filings) with
    # "~28 kW" of array (nanjangud2025-suncatcher; two 52.5 m2 wings): 800 / 28 = 28.6 kg per kW of
    # ARRAY power. Both figures are quoted to their rounding, so the band is the rounding interval:
    # mass 750-850 kg, power 27.5-28.5 kW -> 750 / 28.5 = 26.3 to 850 / 27.5 = 30.9 kg/kW.
    # The band is fixed by the sources' precision alone, not by the model's answer.
    # Like for like: the quantity is mass per kW of array (not of IT), and the satellite carries the
    # default 20 % growth allowance: AIAA S-120A's allowance is the expected growth of a basic
    # estimate to the as-flown mass, so the estimate WITH it is the prediction of a flown mass
    # (dropping it would compare a knowingly-low estimate with flown hardware).
    out = _starlink_class(it_power=_V2MINI_IT_KW)
    assert float(_DEFAULTS["mass_growth_margin"].canonical_value) == 0.20
    assert 26.3 <= _per_kw_of_array(out, _V2MINI_IT_KW) <= 30.9


def test_growth_margin_is_twenty_percent_of_the_basic_dry_mass():
    # AIAA S-120A allowance on the basic dry mass B (mass.py docstring: D = (1 + g) B). Hand value of
    # how B itself moves with g, through the argon tanks only: B = F / (1 - s - a - h - t r (1 + g)),
    # r = expm1(dv / (g0 Isp)) with dv = 10 m/s/yr * 5 yr + 125.6 m/s disposal (test above) = 175.6
    # m/s and Isp 2500 s: r = expm1(175.6 / 24516.6) = 0.007188; t = 0.3, s + a + h = 0.18 + 0.05
    # + 0.04 = 0.27. D(0.2) / D(0) = 1.2 (0.73 - 0.3 * 0.007188) / (0.73 - 0.3 * 0.007188 * 1.2)
    # = 1.2 * 0.727844 / 0.727412 = 1.20071.
    with_margin, without = _starlink_class(), _starlink_class(mass_growth_margin=0.0)
    assert float(with_margin.dry_mass) / float(without.dry_mass) == pytest.approx(1.20071, abs=2e-5)


def test_finding_the_model_is_heavier_than_suncatchers_own_launched_power_basis():
    # FINDING (documented disagreement, not a pass band). Suncatcher's own launched-power prices
    # (suncatcher2025; data/published_claims.yaml) imply the mass per kW it launches:
    #   $14,700 per kW-yr x 5 yr / $3,600 per kg = 20.4 kg/kW;  $810 x 5 / $200 = 20.3 kg/kW,
    # i.e. ~570 kg for a 28 kW satellite - lighter than the ~800 kg V2 Mini its basis cites (28.6
    # kg/kW). The model, closing a light-parts compute satellite (test above, ~29.3 kg per kW of
    # array), sides with the V2 Mini's flown mass: ~1.4x Suncatcher's implied figure per kW of
    # array, and a further 1.05 / 0.85 = 1.235x per kW of IT (bus load and conversion losses), ~1.8x.
    # If a model change ever brings these within 15 % of 20.4 kg/kW, revisit this finding.
    suncatcher_kg_per_kw = 14_700 * 5 / 3_600
    assert suncatcher_kg_per_kw == pytest.approx(20.4, abs=0.05)
    out = _starlink_class(it_power=_V2MINI_IT_KW)
    per_array = _per_kw_of_array(out, _V2MINI_IT_KW)
    assert per_array > 1.15 * suncatcher_kg_per_kw
    # per kW of IT the same satellite is heavier by exactly the array-to-IT power ratio 1.05 / 0.85
    assert float(out.specific_mass) == pytest.approx(per_array * 1.05 / 0.85, rel=1e-12)


def test_iss_class_hardware_moves_the_satellite_towards_the_critics_numbers():
    # Turyshev (arXiv:2604.27197): 34-59 kg/kW in total at 1 MW with today's hardware. With ISS
    # radiators (14.5 kg/m2) and ISS-class arrays (~28 W/kg) the same satellite must get much heavier.
    light = float(_starlink_class().specific_mass)
    heavy = float(_starlink_class(radiator="iss-hrs", solar_array_mass=1.05 * 20.0 * 1000.0 / 28.0).specific_mass)
    assert heavy > 1.5 * light
    assert heavy >= 34.0


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
NUMERIC = [k for k, s in mass.PARAMETERS.items() if s.kind == "number" and s.catalog is None]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_parts_sum_to_total_and_nothing_is_nan_inf_or_negative_in_the_default_ranges(data):
    kw = {k: data.draw(st.floats(_DEFAULTS[k].canonical_low, _DEFAULTS[k].canonical_high)) for k in NUMERIC}
    p = data.draw(st.floats(1.0, 5000.0))
    kw.update(thruster=data.draw(st.sampled_from(["hall-argon", "hall-xenon", "gridded-ion", "chemical-biprop"])),
              it_power=p, bus_power=0.05 * p, power_system_loss=0.08 * p, solar_array_power=1.05 * p / 0.85,
              compute_mass=data.draw(st.floats(1.0, 20.0)) * p, shielding_mass=data.draw(st.floats(0.0, 5.0)) * p,
              solar_array_mass=data.draw(st.floats(3.0, 40.0)) * p, battery_mass=data.draw(st.floats(0.0, 10.0)) * p,
              altitude=data.draw(st.floats(400.0, 1500.0)), drag_delta_v=data.draw(st.floats(0.0, 100.0)),
              mission_lifetime=data.draw(st.floats(4.0, 7.0)), heat_pump=data.draw(st.booleans()))
    out = run(**kw)
    assert not bool(out.violates_mass_closure)
    for name in ("satellite_mass", "satellites", "total_mass", "specific_mass", "propellant_mass", "structure_mass",
                 "mass_breakdown"):
        v = out[name].values
        assert np.all(np.isfinite(v)) and np.all(v >= 0), name
    assert float(out.mass_breakdown.sum("subsystem")) == pytest.approx(float(out.satellite_mass), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(p1=st.floats(1.0, 5000.0), factor=st.floats(1.0, 10.0), kg_per_kw=st.floats(3.0, 40.0))
def test_more_it_power_never_means_less_satellite_mass(p1, factor, kg_per_kw):
    def at(p):
        return run(it_power=p, bus_power=0.05 * p, power_system_loss=0.08 * p, solar_array_power=1.05 * p / 0.85, compute_mass=5.0 * p,
                   solar_array_mass=kg_per_kw * p, solar_array_area=5.0 * p)
    assert float(at(p1 * factor).satellite_mass) >= float(at(p1).satellite_mass) * (1 - 1e-12)


@settings(max_examples=50, deadline=None)
@given(F=st.floats(0.0, 1e6), s=st.floats(0.0, 0.4), a=st.floats(0.0, 0.1), h=st.floats(0.0, 0.1),
       t=st.floats(0.0, 0.5), g=st.floats(0.0, 0.5), dv=st.floats(0.0, 3000.0), isp=st.floats(200.0, 3500.0))
def test_closure_parts_add_up_whenever_it_closes(F, s, a, h, t, g, dv, isp):
    out = mass.close_mass_budget(F, structure_fraction=s, attitude_control_fraction=a, propulsion_hardware_fraction=h,
                                 tank_fraction=t, growth_margin=g, delta_v=dv, isp=isp)
    if bool(out.violates_mass_closure):
        assert np.isinf(float(out.satellite_mass))
        return
    parts = F + out.structure_mass + out.attitude_control_mass + out.propulsion_dry_mass + out.growth_margin_mass + out.propellant_mass
    assert float(parts) == pytest.approx(float(out.satellite_mass), rel=1e-10, abs=1e-9)
    assert float(out.satellite_mass) >= F


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------
def test_bad_inputs_name_their_parameter():
    ok = dict(structure_fraction=0.2, attitude_control_fraction=0.05, propulsion_hardware_fraction=0.04,
              tank_fraction=0.1, growth_margin=0.2, delta_v=100.0, isp=1500.0)
    for name, bad in (("structure_fraction", 1.0), ("structure_fraction", -0.1), ("growth_margin", -0.1),
                      ("isp", 0.0), ("delta_v", -5.0), ("tank_fraction", np.nan)):
        with pytest.raises(ParameterError) as err:
            mass.close_mass_budget(100.0, **{**ok, name: bad})
        assert err.value.parameter == name
    with pytest.raises(ParameterError) as err:
        mass.close_mass_budget(-1.0, **ok)
    assert err.value.parameter == "fixed_mass"
    with pytest.raises(ParameterError) as err:
        mass.propellant_mass(100.0, 100.0, -300.0)
    assert err.value.parameter == "isp"
    with pytest.raises(ParameterError) as err:
        mass.satellites_needed(1e6, 0.0)
    assert err.value.parameter == "it_power"
    with pytest.raises(ParameterError) as err:
        mass.disposal_delta_v(-10.0, 50.0)
    assert err.value.parameter == "altitude"
