"""Tests of the power stage (orbitdc/power.py) against published and hand-derived values.

Sources cited per test: SMAD 3rd ed. (Wertz & Larson 1999) ch. 11 and its FireSat example; the ISS
solar array wing (NASA/Lockheed Martin: 32,800 cells of 8 x 8 cm, 14.2 %, ~31 kW, ~1,100 kg);
iROSA (NASA/Redwire: ~20 kW, ~340 kg, ~182 W/m2); Kopp & Lean 2011 (1,361 W/m2); Suncatcher
(arXiv:2511.19468) for the ~20.4 kg/kW Starlink-class basis implied by its launched-power price.
"""
from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import chain, compute, power
from orbitdc.errors import ParameterError
from orbitdc.architectures import load_architecture
from orbitdc.catalogs import load_catalog
from orbitdc.parameters import DEFAULTS_DIR, read_yaml

ORBIT_650 = dict(period=97.73, eclipse_fraction=0.0385, max_eclipse_duration=19.75,
                 radiation_dose=150.0, shielding_thickness=10.0)
_ARCH = load_architecture("example-minimal")
_BASE = chain.build_inputs(_ARCH)
_p = _ARCH.parameters


def synthetic(**over) -> xr.Dataset:
    """example-minimal inputs + synthetic orbit outputs (650 km dawn-dusk, 10 mm Al) + overrides."""
    ds = _BASE.copy()
    for k, v in {**ORBIT_650, **over}.items():
        ds[k] = xr.DataArray(np.str_(v) if isinstance(v, str) else v)
    ds.attrs["architecture_kind"] = "space"
    return ds


def with_compute(**over) -> xr.Dataset:
    ds = synthetic(**over)
    return ds.assign(compute.run(ds))


# --------------------------------------------------------------------------------------------
# SMAD 3rd ed. FireSat (sec. 11.4, solar-array design steps): 110 W day and night, 700 km, 5 years,
# PEAK-POWER TRACKING X_e = 0.60, X_d = 0.80 (not direct energy transfer), silicon 14.8 %, I_d 0.77,
# worst sun angle 23.5 deg, 3.75 %/yr. The table/page number was not verified against the book: these
# inputs are as restated by a public reproduction of SMAD's FireSat steps
# (github.com/alpersanli/SOLAR-ARRAY-DESIGN-PROCESS, solararraydp2.py); an earlier version of this test
# gave FireSat the direct-energy-transfer efficiencies 0.65/0.85, which are SMAD's generic DET values
# (the library defaults), not FireSat's. The orbit times follow by hand from 700 km:
# T = 2 pi sqrt(a^3/mu) = 98.8 min and, with a cylindrical shadow at beta = 0, T_e = T asin(R/a)/pi = 35.3 min.
# --------------------------------------------------------------------------------------------
def test_smad_eq_11_5_firesat_hand_derived():
    # FireSat, peak-power tracking:
    # P_sa = (110*35.3/0.60 + 110*63.5/0.80) / 63.5 = (6471.667 + 8731.250) / 63.5 = 239.42 W
    p = power.solar_array_power_required(0.110, 0.110, 98.8 - 35.3, 35.3,
                                         daylight_path_efficiency=0.80, eclipse_path_efficiency=0.60)
    assert float(p) * 1e3 == pytest.approx(239.42, abs=0.01)
    assert p.attrs["units"] == "kW"
    # the same loads with SMAD's direct-energy-transfer efficiencies X_e = 0.65, X_d = 0.85:
    # P_sa = (110*35.3/0.65 + 110*63.5/0.85) / 63.5 = (5973.85 + 8217.65) / 63.5 = 223.49 W
    q = power.solar_array_power_required(0.110, 0.110, 63.5, 35.3,
                                         daylight_path_efficiency=0.85, eclipse_path_efficiency=0.65)
    assert float(q) * 1e3 == pytest.approx(223.49, abs=0.01)
    # defaults of the path efficiencies are SMAD's direct-energy-transfer values (from the data)
    assert float(power.solar_array_power_required(0.110, 0.110, 63.5, 35.3)) == pytest.approx(float(q))


def test_smad_firesat_array_area_hand_derived():
    # SMAD 3rd ed. sec. 11.4 design steps: silicon 14.8 %, 1,367 W/m2 (SMAD's solar constant),
    # P_o = 202.3 W/m2; inherent degradation I_d = 0.77 and worst sun angle 23.5 deg:
    # P_BOL = 202.3 * 0.77 * cos 23.5 = 142.86 W/m2; silicon 3.75 %/yr over 5 yr:
    # L_d = 0.9625^5 = 0.82605, P_EOL = 118.01 W/m2; A = 239.42 / 118.01 = 2.029 m2.
    losses = 1 - 0.77 * math.cos(math.radians(23.5))
    a = power.solar_array_area(239.42 * u.W, 0.148, solar_flux=1367.0, losses=losses,
                               degradation_per_year=0.0375, years=5)
    assert float(a) == pytest.approx(2.029, rel=2e-3)
    assert a.attrs["units"] == "m2"


# --------------------------------------------------------------------------------------------
# ISS and iROSA arrays (NASA)
# --------------------------------------------------------------------------------------------
def test_iss_wing_area_from_smad_inherent_degradation():
    # ISS solar array wing: 2 blankets x 82 panels x 200 cells = 32,800 silicon cells of 8 x 8 cm
    # (209.9 m2 of cells), 14.2 % BOL, ~31 kW. SMAD's nominal inherent degradation (0.77) on the
    # cell area must reproduce the wing power: A = 31,000 / (1361 * 0.142 * 0.77) = 208.3 m2.
    cell_area = 32_800 * 0.08 ** 2
    a = power.solar_array_area(31 * u.kW, 0.142, losses=1 - 0.77)
    assert float(a) == pytest.approx(cell_area, rel=0.02)


def test_published_array_specific_powers_and_defaults():
    # ISS wing (nasa-iss-saw) ~31 kW / ~1,100 kg = 28.2 W/kg; iROSA (nasa-irosa) ~20 kW / ~340 kg
    # = 58.8 W/kg. (The former asserts on this arithmetic of literals tested no model code.)
    iss, irosa = 31_000 / 1_100, 20_000 / 340
    # mass from specific power: an iROSA-class wing delivering 20 kW at BOL weighs 340 kg
    assert float(power.solar_array_mass(20 * u.kW, irosa)) == pytest.approx(340.0)
    # the defaults span the flown arrays: ISS at the low end, the nominal beyond iROSA (assumed next generation)
    sp = _p["array_specific_power"]
    assert sp.canonical_low <= iss and sp.canonical_value >= irosa


def test_default_array_areal_power_vs_irosa():
    # iROSA: ~20 kW from ~110 m2 of wing = ~182 W/m2 with XTJ-class III-V cells (whole wing,
    # booms included). The default III-V array at BOL must beat that (finer packing assumed, no
    # booms counted) and stay below the bare-cell limit S * eta = 1361 * 0.30 = 408 W/m2.
    ds = with_compute()
    out = power.run(ds)
    areal_bol = float(out["solar_array_bol_power"]) * 1e3 / float(out["solar_array_area"])
    eta = float(load_catalog("solar_cells").set_index(entry="entry")["efficiency"].sel(entry="iii-v-triple-junction"))
    assert 182 < areal_bol < 1361 * eta
    # hand-derived: 1361 * 0.30 * 0.85 * (1 - 0.0022 * 32) * 0.99 * 0.90 = 284.8 W/m2
    assert areal_bol == pytest.approx(1361 * 0.30 * 0.85 * (1 - 0.0022 * (333.15 - 301.15)) * 0.99 * 0.90, rel=1e-9)


def test_solar_flux_default_and_seasonal_range():
    doc = read_yaml(DEFAULTS_DIR / "power.yaml")["parameters"]["solar_flux"]
    assert doc["value"] == 1361  # Kopp & Lean 2011
    # the default solar_flux of solar_array_area is the data value, not a literal
    assert float(power.solar_array_area(1361 * 0.3, 0.3)) == pytest.approx(1.0)
    # seasonal range: 1/r^2 with e = 0.0167 gives 1361 (1 -/+ e)^-2 = 1407.6 / 1316.7 W/m2 (+3.4 / -3.3 %)
    assert doc["high"] == pytest.approx(1361 / (1 - 0.0167) ** 2, rel=2e-3)
    assert doc["low"] == pytest.approx(1361 / (1 + 0.0167) ** 2, rel=2e-3)


# --------------------------------------------------------------------------------------------
# Battery (hand-derived)
# --------------------------------------------------------------------------------------------
def test_battery_hand_derived():
    # 5 years at 700 km (98.8 min): N = 525,960/98.8 * 5 = 26,617 cycles;
    # DoD = (26,617 / 2,000)^(-1/1.7) = 0.2182; FireSat's 110 W for 35.3 min through
    # sqrt(0.92) = 0.9592: E = 0.11 * 35.3/60 / (0.2182 * 0.9592) = 0.3092 kW h.
    cycles = 365.25 * 1440 / 98.8 * 5
    dod = power.depth_of_discharge(cycles, cycle_life_full_depth=2000, exponent=1.7, max_depth=0.8)
    assert float(dod) == pytest.approx(0.2182, abs=2e-4)
    e = power.battery_energy(110 * u.W, 35.3 * u.min, dod, 0.92)
    assert float(e) == pytest.approx(0.3092, abs=5e-4)
    assert e.attrs["units"] == "kW h"
    # few cycles: the cap applies
    assert float(power.depth_of_discharge(100, cycle_life_full_depth=2000, exponent=1.7, max_depth=0.8)) == 0.8


def test_stage_energy_balance_and_strategies():
    bat = power.run(with_compute(eclipse_strategy="battery"))
    thr = power.run(with_compute(eclipse_strategy="throttle"))
    ds = with_compute()
    p_it = float(ds["it_power"])
    t_e, t_d = 19.75, 97.73 - 19.75
    for out, p_e in ((bat, p_it * 1.05), (thr, p_it * 0.05)):
        p_d = p_it * 1.05
        p_sa = float(out["solar_array_power"])
        # eq. 11-5 by hand
        assert p_sa == pytest.approx((p_e * t_e / 0.65 + p_d * t_d / 0.85) / t_d, rel=1e-12)
        # energy per orbit: array = loads + losses
        assert p_sa * t_d == pytest.approx(p_d * t_d + p_e * t_e + float(out["power_system_loss"]) * t_d, rel=1e-12)
        assert float(out["bus_power"]) == pytest.approx(0.05 * p_it)
    # throttling: smaller array and a battery for the bus only (20x smaller at 5 % bus load)
    assert float(thr["solar_array_power"]) < float(bat["solar_array_power"])
    assert float(thr["battery_energy"]) == pytest.approx(float(bat["battery_energy"]) / 21, rel=1e-12)


def test_stage_broadcasts_over_sweeps():
    ds = chain.build_inputs(_ARCH, {"solar_cell": ["iii-v-triple-junction", "silicon", "thin-film"]})
    for k, v in ORBIT_650.items():
        ds[k] = xr.DataArray(v)
    ds["max_eclipse_duration"] = xr.DataArray([0.0, 20.0, 35.0], dims="eclipse")
    ds = ds.assign(compute.run(ds))
    out = power.run(ds)
    assert out["solar_array_area"].sizes == {"solar_cell": 3, "eclipse": 3}
    # lower efficiency -> more area, for every eclipse
    area = out["solar_array_area"]
    assert (area.sel(solar_cell="silicon") > area.sel(solar_cell="iii-v-triple-junction")).all()
    assert float(out["battery_energy"].sel(eclipse=0)) == 0.0


# --------------------------------------------------------------------------------------------
# Suncatcher's Starlink-class basis: ~20.4 kg per kW of the satellite's power, whole satellite
# --------------------------------------------------------------------------------------------
def test_suncatcher_basis_comparison():
    # Suncatcher-like point: TPU v6e, 650 km dawn-dusk SSO (max eclipse 19.75 min of 97.73),
    # compute throttled in eclipse, 10 mm Al, 5-year life, defaults otherwise.
    def part(sp):
        ds = with_compute(accelerator="tpu-v6e", eclipse_strategy="throttle", array_specific_power=sp)
        p = power.run(ds)
        return {k: float(v) / float(ds["it_power"]) for k, v in (
            ("compute", ds["compute_mass"]), ("shielding", ds["shielding_mass"]),
            ("array", p["solar_array_mass"]), ("battery", p["battery_mass"]))}

    # hand-derived array part per kW of IT: P_sa = (0.05*19.75/0.65 + 1.05*77.98/0.85)/77.98
    # = 1.2548 kW; BOL / 0.99^5 = 1.3194 kW; at iROSA's 59 W/kg: 22.4 kg/kW.
    p_sa = (0.05 * 19.75 / 0.65 + 1.05 * (97.73 - 19.75) / 0.85) / (97.73 - 19.75)
    irosa = part(59.0)
    assert irosa["array"] == pytest.approx(p_sa / 0.99 ** 5 * 1000 / 59.0, rel=1e-9)
    # Suncatcher's whole-satellite basis, from its own launched-power price (suncatcher2025, via
    # data/published_claims.yaml): $14,700 per kW-yr x 5 yr / $3,600 per kg = 20.4 kg/kW, per kW of
    # the satellite's power, which the paper counts as compute power.
    basis = 14_700 * 5 / 3_600
    # FINDING: with flown (iROSA) arrays the array alone (22.4 kg/kW) exceeds that whole-satellite basis.
    assert irosa["array"] > basis
    # With the default next-generation array (100 W/kg): array part by hand 1.3194 kW * 1000 / 100
    # = 13.19 kg/kW. FINDING: compute + shielding + array + battery per kW of IT already exceed the
    # basis, before radiators, structure, attitude control, propulsion and margin (see test_mass.py).
    # (This replaces a 15-25 kg/kW "within 25 %" band that hid the excess.)
    nominal = part(100.0)
    assert nominal["array"] == pytest.approx(p_sa / 0.99 ** 5 * 1000 / 100.0, rel=1e-9)
    assert sum(nominal.values()) > basis


# --------------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------------
def _rng(name):
    return st.floats(_p[name].canonical_low, _p[name].canonical_high, allow_nan=False)


_STAGE_PARAMS = {name: _rng(name) for name, spec in power.PARAMETERS.items()
                 if spec.kind == "number" and _p[name].canonical_low < _p[name].canonical_high}


@settings(max_examples=40, deadline=None)
@given(p1=st.floats(1.0, 2000.0), p2=st.floats(1.0, 2000.0), t_e=st.floats(0.0, 40.0), period=st.floats(88.0, 130.0),
       cell=st.sampled_from(["iii-v-triple-junction", "silicon", "thin-film"]),
       strategy=st.sampled_from(["battery", "throttle"]), life=st.floats(0.5, 30.0),
       params=st.fixed_dictionaries(_STAGE_PARAMS))
def test_more_it_power_never_less_area_or_mass_and_all_valid(p1, p2, t_e, period, cell, strategy, life, params):
    lo, hi = sorted((p1, p2))
    common = dict(max_eclipse_duration=t_e, period=period, solar_cell=cell, eclipse_strategy=strategy,
                  mission_lifetime=life, **params)
    a = power.run(synthetic(it_power=lo, **common))
    b = power.run(synthetic(it_power=hi, **common))
    for key in ("solar_array_power", "solar_array_area", "solar_array_mass", "battery_energy", "battery_mass",
                "power_system_loss", "bus_power"):
        assert float(b[key]) >= float(a[key]) * (1 - 1e-12), key
    for out in (a, b):
        for key, v in out.items():
            val = float(v)
            assert math.isfinite(val) and val >= 0, key
        assert 0 < float(out["battery_depth_of_discharge"]) <= 1


@settings(max_examples=40, deadline=None)
@given(e1=st.floats(0.0, 40.0), e2=st.floats(0.0, 40.0), strategy=st.sampled_from(["battery", "throttle"]),
       it=st.floats(1.0, 2000.0))
def test_longer_eclipse_never_needs_less_battery_or_array(e1, e2, strategy, it):
    lo, hi = sorted((e1, e2))
    a = power.run(synthetic(it_power=it, max_eclipse_duration=lo, eclipse_strategy=strategy))
    b = power.run(synthetic(it_power=it, max_eclipse_duration=hi, eclipse_strategy=strategy))
    for key in ("battery_energy", "battery_mass", "solar_array_power", "solar_array_area", "solar_array_mass"):
        assert float(b[key]) >= float(a[key]) * (1 - 1e-12), key


@settings(max_examples=50, deadline=None)
@given(p=st.floats(0.0, 1e9), eta=st.floats(0.01, 1.0), pf=st.floats(0.01, 1.0), loss=st.floats(0.0, 0.99),
       d=st.floats(0.0, 0.2), years=st.floats(0.0, 30.0))
def test_area_is_finite_nonnegative_and_grows_with_losses(p, eta, pf, loss, d, years):
    a = float(power.solar_array_area(p, eta, packing_factor=pf, losses=loss, degradation_per_year=d, years=years))
    a2 = float(power.solar_array_area(p, eta, packing_factor=pf, losses=min(loss + 0.005, 0.995), degradation_per_year=d, years=years))
    assert math.isfinite(a) and a >= 0 and a2 >= a


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, name", [
    (dict(power=1000.0, efficiency=0.0), "efficiency"),
    (dict(power=1000.0, efficiency=1.2), "efficiency"),
    (dict(power=-1000.0, efficiency=0.3), "power"),
    (dict(power=1000.0, efficiency=0.3, solar_flux=0.0), "solar_flux"),
    (dict(power=1000.0, efficiency=0.3, packing_factor=0.0), "packing_factor"),
    (dict(power=1000.0, efficiency=0.3, losses=1.0), "losses"),
    (dict(power=1000.0, efficiency=0.3, degradation_per_year=-0.1), "degradation_per_year"),
    (dict(power=1000.0, efficiency=0.3, years=-1.0), "years"),
    (dict(power=[1000.0, np.nan], efficiency=0.3), "power"),
])
def test_solar_array_area_bad_input(kwargs, name):
    with pytest.raises(ParameterError) as exc:
        power.solar_array_area(**kwargs)
    assert exc.value.parameter == name
    assert name in str(exc.value)


@pytest.mark.parametrize("call, name", [
    (lambda: power.solar_array_power_required(-1.0, 1.0, 60.0, 30.0), "daylight_load"),
    (lambda: power.solar_array_power_required(1.0, 1.0, 0.0, 30.0), "daylight_duration"),
    (lambda: power.solar_array_power_required(1.0, 1.0, 60.0, 30.0, eclipse_path_efficiency=0.0), "eclipse_path_efficiency"),
    (lambda: power.battery_energy(1.0, 30.0, 0.0), "depth_of_discharge"),
    (lambda: power.battery_energy(1.0, -30.0, 0.5), "eclipse_duration"),
    (lambda: power.depth_of_discharge(100.0, cycle_life_full_depth=2000, exponent=1.7, max_depth=1.5), "max_depth"),
    (lambda: power.solar_array_mass(1000.0, 0.0), "specific_power"),
    (lambda: power.solar_array_area(1 * u.kg, 0.3), "power"),
])
def test_other_bad_input(call, name):
    with pytest.raises(ParameterError) as exc:
        call()
    assert exc.value.parameter == name


def test_bad_override_through_evaluate_names_parameter():
    import orbitdc

    with pytest.raises(orbitdc.ArchitectureError) as exc:
        orbitdc.evaluate("example-minimal", packing_factor=1.5, stages_only=["orbit", "compute", "power"])
    assert exc.value.parameter == "packing_factor"
