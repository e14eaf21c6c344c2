"""Tests of the compute payload (orbitdc/compute.py) against published and hand-derived values.

Sources cited per test: NVIDIA datasheets (DGX H100, GB200 NVL72), Suncatcher (Agüera y Arcas et
al. 2025, arXiv:2511.19468) for the TPU v6e radiation figures, Llama 3 (arXiv:2407.21783) for the
ground failure rate. Property tests use hypothesis; bad input must raise ParameterError naming
the parameter.
"""
from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitdc import chain, compute
from orbitdc.errors import ParameterError
from orbitdc.architectures import load_architecture
from orbitdc.catalogs import catalog_rows, load_catalog

# Orbit-stage outputs for a 650 km dawn-dusk SSO behind 10 mm Al (Suncatcher's orbit and shield;
# the dose is Suncatcher's requirement, ~750 rad(Si) in 5 years = 150 rad/yr). Synthetic, so these
# tests do not depend on the orbit stage.
ORBIT_650 = dict(period=97.73, eclipse_fraction=0.0385, max_eclipse_duration=19.75,
                 radiation_dose=150.0, shielding_thickness=10.0)


_BASE = chain.build_inputs(load_architecture("example-minimal"))


def synthetic(kind: str = "space", sweep: dict | None = None, **over) -> xr.Dataset:
    """Inputs of example-minimal plus synthetic orbit outputs; ``over`` replaces any variable and
    ``sweep`` gives swept parameters as the chain builds them (a dimension named after each)."""
    ds = chain.build_inputs(load_architecture("example-minimal"), sweep) if sweep else _BASE.copy()
    for k, v in {**ORBIT_650, **over}.items():
        ds[k] = xr.DataArray(np.str_(v) if isinstance(v, str) else v)
    # a catalog-backed parameter (accelerator_power, ...) follows a replaced choice: drop the
    # value of the old entry, so the stage reads the new entry's catalog value
    stale = [n for n, s in chain.parameter_specs().items()
             if s.catalog and s.catalog[2] in over and n not in over and n in ds]
    ds = ds.drop_vars(stale)
    ds.attrs["architecture_kind"] = kind
    return ds


# --------------------------------------------------------------------------------------------
# Catalog: the published numbers are the ones the sources give
# --------------------------------------------------------------------------------------------
NUMERIC_FIELDS = ("power", "peak_flops", "memory", "mass", "volume", "unit_price", "chips", "overhead_included",
                  "sdc_dose_per_event", "crash_dose_per_event", "tid_limit", "tid_hard_failure",
                  "max_junction_temperature", "max_case_temperature")


def test_catalog_has_required_entries_and_fields():
    cat = load_catalog("accelerators")
    for entry in ("h100-sxm", "b200", "gb200-superchip", "gb200-nvl72", "tpu-v6e", "generic"):
        assert entry in cat["entry"].values
    for field in NUMERIC_FIELDS:
        vals = cat[field].values
        assert np.isfinite(vals).all(), field
        assert (vals >= 0).all(), field
    # every row carries a source; estimates are tagged as assumptions
    for row in catalog_rows("accelerators"):
        assert row["source"]
        if row["entry"] == "tpu-v6e" and row["field"] in ("power", "mass", "volume", "unit_price"):
            assert "orbitdc-assumption" in row["source"]


def test_tpu_v6e_radiation_figures_are_suncatcher_values():
    """Suncatcher (arXiv:2511.19468, sec. 4.3; SECONDARY: confirmed as restated by public notes of
    the paper, not against its own text - the verification of suncatcher2025): SDC 14.4-20 rad(Si)
    per event per chip, crash 1 per 5 krad, HBM irregularities from 2 krad, no hard failure to 15 krad.
    A data check; the model's radiation terms are checked by hand in test_single_event_rate_suncatcher
    and test_availability_hand_derived."""
    rows = {r["field"]: r for r in catalog_rows("accelerators") if r["entry"] == "tpu-v6e"}
    assert 14.4 <= rows["sdc_dose_per_event"]["value"] <= 20
    assert (rows["sdc_dose_per_event"]["low"], rows["sdc_dose_per_event"]["high"]) == (14.4, 20)
    assert rows["crash_dose_per_event"]["value"] == 5000
    assert rows["tid_limit"]["value"] == 2000
    assert rows["tid_hard_failure"]["value"] == 15000
    assert "suncatcher2025" in rows["sdc_dose_per_event"]["source"]
    # Google Cloud TPU v6e docs: 918 TFLOPS BF16, 32 GB HBM per chip
    assert rows["peak_flops"]["value"] == pytest.approx(918e12)
    assert rows["memory"]["value"] == 32


def test_default_server_overhead_is_derived_from_sourced_rack_and_tray_power():
    """The default overhead is the GB200 NVL72 rack's IT power over its 36 superchips, both from
    sources independent of orbitdc (SECONDARY): 120 kW per rack (techradar-gb200-nvl72-2024, GTC
    2024) and 5.4 kW per compute tray of two superchips (fibermall-gb200-2024): 120 / (18 x 5.4) =
    1.235. The catalog figures are checked against those published numbers first, so the derivation
    cannot silently follow a catalog edit (it once followed an unsourced 132 kW rack)."""
    rack_kw, tray_kw = 120.0, 5.4  # the published figures, as quoted in the references
    cat = load_catalog("accelerators").set_index(entry="entry")
    assert float(cat["power"].sel(entry="gb200-nvl72")) == rack_kw * 1e3
    assert float(cat["power"].sel(entry="gb200-superchip")) == tray_kw * 1e3 / 2
    p = load_architecture("example-minimal").parameters["server_overhead"]
    assert p.canonical_value == pytest.approx(rack_kw / (18 * tray_kw), abs=0.005)  # 1.23, stated to 2 decimals
    # independent systems the range must hold: DGX H100 8 x 700 W in 10.2 kW (1.82), DGX B200 8 x
    # 1 kW in 14.3 kW (1.79) (vendor datasheets, unverified - see their references)
    assert p.canonical_low <= 10.2 / (8 * 0.7) <= p.canonical_high
    assert p.canonical_low <= 14.3 / 8.0 <= p.canonical_high


# --------------------------------------------------------------------------------------------
# Payload sizing (hand-derived)
# --------------------------------------------------------------------------------------------
def test_gb200_satellite_hand_derived():
    # 100 kW requested; superchip IT power 2.7 kW x 1.36 = 3.672 kW -> round(27.23) = 27 units
    ds = synthetic(accelerator="gb200-superchip", satellite_it_power=100.0, server_overhead=1.36,
                   compute_mass_factor=0.7)
    out = compute.run(ds)
    assert float(out["accelerators"]) == 27
    assert float(out["it_power"]) == pytest.approx(27 * 3.672)             # 99.144 kW
    assert float(out["peak_flops"]) == pytest.approx(27 * 5.0e15)          # 1.35e17 FLOP/s (dense BF16)
    assert float(out["compute_mass"]) == pytest.approx(27 * 37.8 * 0.7)    # 714.42 kg


def test_rack_entry_ignores_server_overhead_and_keeps_one_unit():
    ds = synthetic(accelerator="gb200-nvl72", satellite_it_power=50.0, server_overhead=1.5)
    out = compute.run(ds)
    assert float(out["accelerators"]) == 1                                 # at least one whole rack
    assert float(out["it_power"]) == pytest.approx(120.0)                  # rack power, no overhead


def test_accelerator_count_public_function_accepts_quantities():
    n = compute.accelerator_count(1 * u.MW, 700 * u.W, server_overhead=1.82)
    assert float(n) == round(1000 / (0.7 * 1.82))                          # 785 H100s per MW of IT
    assert n.attrs["units"] == "1"


def test_shielding_mass_hand_derived():
    # 1 m3 cube, 10 mm Al at 2,700 kg/m3: exact shell 2700 (1.02^3 - 1) = 165.26 kg;
    # thin-shell approximation A t rho = 6 x 0.01 x 2700 = 162 kg.
    m = compute.shielding_mass(1.0, 10.0, 2700.0)
    assert float(m) == pytest.approx(2700 * (1.02 ** 3 - 1), rel=1e-12)
    assert float(m) == pytest.approx(162.0, rel=0.025)
    assert m.attrs["units"] == "kg"
    # the default density comes from data/defaults/compute.yaml (Al 6061-T6, 2.70 g/cm3)
    assert float(compute.shielding_mass(1.0 * u.m**3, 1 * u.cm)) == pytest.approx(float(m))


def test_single_event_rate_suncatcher():
    # 150 rad(Si)/yr behind 10 mm Al (Suncatcher's 750 rad in 5 yr): one TPU v6e chip sees
    # 150/17 SDC + 150/5000 crashes per year = 8.85 /yr; the 14.4-20 rad range gives 7.5-10.4 /yr.
    # (Suncatcher's figures are SECONDARY - restated, not read in the paper; the rate law is the check.)
    r = compute.single_event_rate(150.0, 1, 17.0, 5000.0)
    assert float(r) * 365.25 == pytest.approx(150 / 17 + 150 / 5000, rel=1e-9)
    assert 7.5 < float(r) * 365.25 < 10.5
    assert r.attrs["units"] == "1/d"


def test_availability_hand_derived():
    # 100 chips, D = 150 rad/yr: l_sdc = 100*150/17 = 882.35/yr; l_crash = 100*(150/5000 + 0.05) = 8/yr.
    # stall = (882.35*1 + 8*(10+15)) / 525,960 min/yr = 0.0020579 -> A_events = 0.997946
    # A_hw = (1 - exp(-0.05*5)) / 0.25 = 0.884797 -> A = 0.88298
    a = compute.compute_availability(150.0, 100, sdc_dose_per_event=17.0, crash_dose_per_event=5000.0,
                                     sdc_recovery_time=1.0, restart_time=10.0, recompute_time=15.0,
                                     hardware_failure_rate=0.05, lifetime=5.0)
    stall = (100 * 150 / 17 * 1 + 8 * 25) / (365.25 * 1440)
    expected = 1 / (1 + stall) * (1 - math.exp(-0.25)) / 0.25
    assert float(a) == pytest.approx(expected, rel=1e-12)
    assert float(a) == pytest.approx(0.88298, abs=5e-5)
    # a job spanning 81 satellites (a Suncatcher cluster) stalls 81x as often
    a81 = compute.compute_availability(150.0, 100, sdc_dose_per_event=17.0, crash_dose_per_event=5000.0,
                                       sdc_recovery_time=1.0, restart_time=10.0, recompute_time=15.0,
                                       hardware_failure_rate=0.05, lifetime=5.0, job_span_satellites=81)
    assert float(a81) == pytest.approx(1 / (1 + 81 * stall) * (1 - math.exp(-0.25)) / 0.25, rel=1e-12)


def test_throttle_scales_availability_by_sunlit_fraction():
    base = compute.run(synthetic(eclipse_strategy="battery", eclipse_fraction=0.3))
    thr = compute.run(synthetic(eclipse_strategy="throttle", eclipse_fraction=0.3))
    assert float(thr["availability"]) == pytest.approx(0.7 * float(base["availability"]), rel=1e-12)


def test_total_dose_constraint():
    # Suncatcher's requirement (750 rad in 5 yr) stays below the 2 krad HBM threshold; 500 rad/yr does not.
    ok = compute.run(synthetic(accelerator="tpu-v6e", radiation_dose=150.0, mission_lifetime=5.0))
    bad = compute.run(synthetic(accelerator="tpu-v6e", radiation_dose=500.0, mission_lifetime=5.0))
    assert float(ok["lifetime_dose"]) == pytest.approx(750.0)
    assert not bool(ok["violates_total_ionizing_dose"])
    assert bool(bad["violates_total_ionizing_dose"])


def test_terrestrial_facility_is_one_unit():
    ds = synthetic(kind="terrestrial", target_it_power=1.0e6, terrestrial_availability=0.99)
    out = compute.run(ds)
    assert float(out["it_power"]) == 1.0e6                                  # 1 GW of IT
    assert float(out["availability"]) == 0.99
    assert float(out["shielding_mass"]) == 0.0
    assert float(out["accelerators"]) == round(1.0e6 / (2.7 * 1.23))       # GB200 superchips at the default overhead
    assert not bool(out["violates_total_ionizing_dose"])


def test_stage_through_chain_with_units():
    ds = synthetic()
    res = chain.run_stages(ds, "space", only=["compute"])
    for name, out in compute.OUTPUTS.items():
        assert name in res
        if not name.startswith("violates_"):
            assert res[name].attrs["units"] == chain.units.unit_string(out.unit)


def test_stage_broadcasts_over_swept_choice_and_numbers():
    ds = synthetic(sweep={"accelerator": ["h100-sxm", "b200", "tpu-v6e"]})
    ds["radiation_dose"] = xr.DataArray(np.array([50.0, 150.0, 600.0]), dims="dose")
    out = compute.run(ds)
    assert out["availability"].sizes == {"accelerator": 3, "dose": 3}
    # availability falls with dose for every accelerator
    assert (out["availability"].diff("dose") < 0).all()


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------
_p = load_architecture("example-minimal").parameters


def _rng(name):
    return st.floats(_p[name].canonical_low, _p[name].canonical_high, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(p1=st.floats(1.0, 1000.0), p2=st.floats(1.0, 1000.0), acc=st.sampled_from(
    ["h100-sxm", "b200", "gb200-superchip", "gb200-nvl72", "tpu-v6e", "generic"]),
    dose=st.floats(0.0, 1e5), thick=st.floats(0.0, 50.0), k=_rng("server_overhead"),
    fm=_rng("compute_mass_factor"), fv=_rng("compute_volume_factor"), h=_rng("hardware_failure_rate"),
    tsdc=_rng("sdc_recovery_time"), j=_rng("job_span_satellites"), life=st.floats(0.5, 50.0))
def test_more_it_power_never_less_mass_and_outputs_are_valid(p1, p2, acc, dose, thick, k, fm, fv, h, tsdc, j, life):
    lo, hi = sorted((p1, p2))
    over = dict(accelerator=acc, radiation_dose=dose, shielding_thickness=thick, server_overhead=k,
                compute_mass_factor=fm, compute_volume_factor=fv, hardware_failure_rate=h,
                sdc_recovery_time=tsdc, job_span_satellites=j, mission_lifetime=life)
    a = compute.run(synthetic(satellite_it_power=lo, **over))
    b = compute.run(synthetic(satellite_it_power=hi, **over))
    for key in ("it_power", "accelerators", "peak_flops", "compute_mass", "shielding_mass", "single_event_rate"):
        assert float(b[key]) >= float(a[key])
    for out in (a, b):
        for key, v in out.items():
            if key.startswith("violates_"):
                continue
            val = float(v)
            assert math.isfinite(val) and val >= 0, key
        assert 0 < float(out["availability"]) <= 1


@settings(max_examples=50, deadline=None)
@given(d1=st.floats(0.0, 1e5), d2=st.floats(0.0, 1e5), chips=st.floats(1, 1e4))
def test_availability_never_rises_with_dose(d1, d2, chips):
    lo, hi = sorted((d1, d2))
    kw = dict(sdc_dose_per_event=17.0, crash_dose_per_event=5000.0, sdc_recovery_time=1.0, restart_time=10.0,
              recompute_time=15.0, hardware_failure_rate=0.05, lifetime=5.0)
    assert float(compute.compute_availability(hi, chips, **kw)) <= float(compute.compute_availability(lo, chips, **kw))


@settings(max_examples=50, deadline=None)
@given(v=st.floats(0.0, 100.0), t1=st.floats(0.0, 100.0), t2=st.floats(0.0, 100.0))
def test_shielding_mass_monotone_in_thickness(v, t1, t2):
    lo, hi = sorted((t1, t2))
    assert float(compute.shielding_mass(v, hi)) >= float(compute.shielding_mass(v, lo)) >= 0


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [
    (lambda: compute.shielding_mass(-1.0, 10.0), "volume"),
    (lambda: compute.shielding_mass(1.0, -10.0), "thickness"),
    (lambda: compute.shielding_mass(1.0, 10.0, 0.0), "density"),
    (lambda: compute.single_event_rate(-5.0, 1, 17.0, 5000.0), "dose_rate"),
    (lambda: compute.single_event_rate(5.0, 1, 0.0, 5000.0), "sdc_dose_per_event"),
    (lambda: compute.accelerator_count(-100.0, 700.0), "satellite_it_power"),
    (lambda: compute.accelerator_count(100.0, 700.0, server_overhead=0.8), "server_overhead"),
    (lambda: compute.accelerator_count(100.0, np.nan), "unit_power"),
    (lambda: compute.compute_availability(150.0, 10, sdc_dose_per_event=17.0, crash_dose_per_event=5000.0,
                                          sdc_recovery_time=1.0, restart_time=10.0, recompute_time=15.0,
                                          hardware_failure_rate=0.05, lifetime=5.0, sunlit_fraction=1.5), "sunlit_fraction"),
    (lambda: compute.compute_availability(150.0, 10, sdc_dose_per_event=17.0, crash_dose_per_event=5000.0,
                                          sdc_recovery_time=1.0, restart_time=10.0, recompute_time=15.0,
                                          hardware_failure_rate=0.05, lifetime=0.0), "lifetime"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError) as exc:
        call()
    assert exc.value.parameter == name


def test_wrong_unit_is_refused():
    with pytest.raises(ParameterError) as exc:
        compute.shielding_mass(1.0 * u.kg, 10.0)
    assert exc.value.parameter == "volume"
