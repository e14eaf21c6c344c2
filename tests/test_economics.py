"""Economics: finance formulas, published figures, the terrestrial baseline, break-even, properties.

Hand values are derived in the comments; published values cite their source. The stage is tested on
synthetic Datasets carrying the agreed upstream variable names (compute, mass, launch), so these
tests do not depend on the other stages' progress.
"""
from __future__ import annotations

import math
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import orbitdc  # noqa: F401  (enables USD)
from orbitdc import economics as econ
from orbitdc import units
from orbitdc.errors import ParameterError
from orbitdc.parameters import read_yaml

DEFAULTS = Path(econ.__file__).resolve().parent.parent / "data" / "defaults" / "economics.yaml"

H = 8766.0  # hours in a Julian year (365.25 d x 24 h), the year of astropy.units.yr


# --------------------------------------------------------------------------------------------
# A synthetic Dataset: economics defaults + a Starlink-like upstream
# --------------------------------------------------------------------------------------------
def _defaults() -> dict[str, float]:
    raw = read_yaml(DEFAULTS)["parameters"]
    out = {}
    for name, p in raw.items():
        spec = econ.PARAMETERS[name]
        if spec.kind == "flag":  # on_orbit_servicing, discounting, ...
            out[name] = bool(p["value"])
            continue
        if spec.kind != "number":  # a choice (costing): the stage's default convention applies when absent
            continue
        out[name] = float(units.convert(p["value"], p["unit"], spec.unit, name))
    return out


def synthetic(kind="space", **over) -> xr.Dataset:
    """1,000 satellites of 100 kW IT (100 accelerators of 1 kW each), 20.5 kg/kW, $500/kg."""
    v = {
        **_defaults(),
        "target_it_power": 100_000.0,
        "mission_lifetime": 5.0,
        "start_year": 2030.0,
        "satellites": 1000.0,
        "it_power": 100.0,
        "accelerators": 100.0,
        "peak_flops": 100 * 2.5e15,
        "availability": 0.95,
        "terrestrial_availability": 0.9998,
        "satellite_mass": 2050.0,
        "compute_mass": 300.0,
        "specific_mass": 20.5,
        "launch_price_per_kg": 500.0,
        "space_commissioning_time": 0.5,
        "satellite_failure_rate": 0.02,
    }
    v.update(over)
    if kind == "terrestrial":
        for k in ("satellites", "satellite_mass", "compute_mass", "specific_mass", "launch_price_per_kg",
                  "satellite_failure_rate"):
            v.pop(k, None)
        if "it_power" not in over:  # one "unit" is the whole facility
            v["it_power"] = v["target_it_power"]
        if "accelerators" not in over:
            v["accelerators"] = v["target_it_power"] / 1.0  # 1 kW accelerators
    else:
        if "launch_cost" not in over:
            v["launch_cost"] = (xr.DataArray(v["satellite_mass"]) * v["satellites"]) * v["launch_price_per_kg"]
    ds = xr.Dataset({k: (val if isinstance(val, xr.DataArray) else xr.DataArray(val)) for k, val in v.items()})
    ds.attrs["architecture_kind"] = kind
    return ds


PRICE = 30_000.0  # USD per accelerator for the synthetic cases


def run(ds, price=PRICE):
    return econ.costs(ds, price_per_accelerator=price)


# --------------------------------------------------------------------------------------------
# Finance formulas against hand values
# --------------------------------------------------------------------------------------------
def test_crf_8_percent_10_years():
    # Short, Packey & Holt (1995) NREL/TP-462-5173 eq. 4-7: CRF = d(1+d)^N/((1+d)^N - 1);
    # 0.08 * 1.08**10 / (1.08**10 - 1) = 0.08 * 2.158925 / 1.158925 = 0.149029
    crf = econ.capital_recovery_factor(0.08, 10)
    assert float(crf) == pytest.approx(0.14903, abs=5e-6)
    assert crf.attrs["units"] == "1/yr"


def test_crf_monthly_mortgage():
    # The textbook 30-year mortgage: $100,000 at 6 % nominal, monthly, pays $599.55 a month,
    # i.e. 12 * 599.55 / 100,000 = 0.071946 per year.
    crf = econ.capital_recovery_factor(0.06, 30, periods_per_year=12)
    assert float(crf) == pytest.approx(12 * 599.55 / 100_000, rel=1e-5)


def test_crf_accepts_quantities_and_zero_rate():
    assert float(econ.capital_recovery_factor(0 * u.percent, 4 * u.yr)) == pytest.approx(0.25, rel=1e-12)
    assert float(econ.capital_recovery_factor(8 * u.percent, (3652.5 * u.day))) == pytest.approx(0.14903, abs=5e-6)


@settings(max_examples=50, deadline=None)
@given(r=st.floats(0.001, 0.5), n=st.floats(0.5, 60), dn=st.floats(0.1, 20))
def test_crf_properties(r, n, dn):
    crf = float(econ.capital_recovery_factor(r, n))
    assert crf > 1.0 / n  # positive interest: the payment exceeds straight-line repayment
    assert crf > r  # and exceeds the interest alone
    assert float(econ.capital_recovery_factor(r, n + dn)) < crf  # longer life, lower payment
    assert float(econ.capital_recovery_factor(r * 1.1, n)) > crf  # dearer money, higher payment
    assert float(econ.capital_recovery_factor(r, 1.0)) == pytest.approx(1.0 + r, rel=1e-12)  # one year: repay with interest
    assert float(econ.capital_recovery_factor(r, 50.0 / r)) == pytest.approx(r, rel=1e-6)  # perpetuity: (1+r)^(-50/r) < e^-49


def test_crf_vectorised():
    r = xr.DataArray([0.0, 0.05, 0.1], dims="space_wacc")
    n = xr.DataArray([5.0, 10.0], dims="years")
    crf = econ.capital_recovery_factor(r, n)
    assert crf.shape == (3, 2)
    assert float(crf.isel(space_wacc=0, years=0)) == pytest.approx(0.2)
    assert np.all(np.isfinite(crf.values))


def test_idle_capital_hand_value():
    # 1 M$ idle for 3 years at 10 %: 1e6 * (1.1**3 - 1) = 331,000 $
    assert float(econ.idle_capital_cost(1e6, 0.10, 3)) == pytest.approx(331_000.0, rel=1e-12)
    assert float(econ.idle_capital_cost(1e6, 0.10, 0)) == 0.0


def test_annualised_cost():
    # 1,000 $ at 8 % over 10 years: 149.03 $/yr
    assert float(econ.annualised_cost(1000, 0.08, 10)) == pytest.approx(149.03, abs=0.01)


# --------------------------------------------------------------------------------------------
# Published figures
# --------------------------------------------------------------------------------------------
def test_suncatcher_launched_power_price():
    # Aguera y Arcas et al. 2025 (arXiv:2511.19468), Suncatcher: launched power price of a
    # Starlink-like satellite (~20.5 kg/kW, 5-year life) about $14,700/kW-yr at ~$3,600/kg and
    # $810/kW-yr at $200/kg. Hand: 3600 * 20.5 / 5 = 14,760; 200 * 20.5 / 5 = 820.
    hi = econ.launched_power_price(20.5, 3600, 5)
    lo = econ.launched_power_price(20.5 * u.kg / u.kW, 200 * units.USD / u.kg, 5 * u.yr)
    assert float(hi) == pytest.approx(14_760, rel=1e-12)
    assert float(lo) == pytest.approx(820, rel=1e-12)
    assert hi.attrs["units"] == "USD/(kW yr)"
    # The paper's figures, to their stated precision (half a unit in the last digit): 14,700 -> 14,650
    # to 14,750 needs 20.35-20.49 kg/kW; 810 -> 805 to 815 needs 20.12-20.37 kg/kW. One mass, 20.36
    # kg/kW (inside both), reproduces both with the same formula m p / L - so the formula is the
    # paper's. FINDING: the 20.5 kg/kW used above (data/published_claims.yaml) gives $820, outside
    # the rounding of "$810"; the paper's own figures imply ~20.36 kg/kW. (Formerly hidden by rel=0.02.)
    assert float(econ.launched_power_price(20.36, 3600, 5)) == pytest.approx(14_700, abs=50)
    assert float(econ.launched_power_price(20.36, 200, 5)) == pytest.approx(810, abs=5)
    assert not float(lo) == pytest.approx(810, abs=5)


def test_suncatcher_terrestrial_band():
    # Suncatcher: terrestrial power spend $570-3,000 per kW-yr for $0.06-0.25/kWh and PUE 1.09-1.4.
    # Hand: 0.06 * 8766 * 1.09 = 573.3; 0.25 * 8766 * 1.4 = 3,068.1.
    lo = float(econ.terrestrial_power_cost(0.06, 1.09))
    hi = float(econ.terrestrial_power_cost(0.25 * units.USD / (u.kW * u.h), 1.4, 1 * u.yr))
    assert lo == pytest.approx(0.06 * H * 1.09, rel=1e-12)
    assert hi == pytest.approx(0.25 * H * 1.4, rel=1e-12)
    assert lo == pytest.approx(570, abs=5)  # "570": two significant figures
    # The paper rounds the top to "3,000" (one significant figure): 3,068 rounds to it.
    assert round(hi, -3) == 3000


def test_starcloud_terrestrial_energy():
    # Starcloud white paper (2024): a 40 MW terrestrial cluster over 10 years spends $140M on
    # energy at $0.04/kWh. Hand: 40,000 kW * 87,660 h * 0.04 $/kWh = $140.26M (PUE 1: cooling is
    # a separate $7M line in their table).
    cost = econ.terrestrial_energy_cost(40 * u.MW, 0.04, 1.0, 10 * u.yr)
    assert float(cost) == pytest.approx(140e6, abs=0.5e6)  # "$140M": to the nearest million
    assert cost.attrs["units"] == "USD"


def test_wright_bus_cost_hand_values():
    # Wright (1936): c(Q) = c_ref (Q/Q_ref)^b, b = log2(0.8) for 20 % per doubling. Building as much
    # again as the reference (x = 1): average factor ((2)^(b+1) - 1)/(b+1) with 2^(b+1) = 1.6:
    # 0.6 / (1 + log2 0.8) = 0.884865.
    avg = econ.bus_cost_per_kg(5000 * u.t, 1000, 5000 * u.t, 0.2)
    assert float(avg) == pytest.approx(1000 * 0.6 / (1 + math.log2(0.8)), rel=1e-10)
    assert float(econ.bus_cost_per_kg(5000 * u.t, 1000, 5000 * u.t, 0.0)) == pytest.approx(1000)  # no learning
    assert float(econ.bus_cost_per_kg(0, 1000, 5000 * u.t, 0.2)) == pytest.approx(1000)  # first kg costs the reference


# --------------------------------------------------------------------------------------------
# The stage on synthetic Datasets
# --------------------------------------------------------------------------------------------
def test_terrestrial_hardware_only_hand_value():
    # 1,000 accelerators at $30,000 with nothing else: annual = 3e7 * CRF(8 %, 5 yr)
    # = 3e7 * 0.2504565 = 7.5137e6 $/yr over 1,000 kW at availability 1 -> 7,513.7 $/kW-yr.
    zero = {k: 0.0 for k in ("server_cost_fraction", "facility_capex", "facility_om_rate", "electricity_price",
                             "water_usage", "grid_connection_delay")}
    ds = synthetic("terrestrial", target_it_power=1000.0, it_power=1000.0, accelerators=1000.0, availability=1.0,
                   terrestrial_wacc=0.08, terrestrial_compute_lifetime=5.0, pue=1.0, **zero)
    out = run(ds)
    assert float(out["cost_per_kw_year"]) == pytest.approx(3e7 * 0.08 * 1.08**5 / (1.08**5 - 1) / 1000, rel=1e-10)
    assert float(out["cost_per_kw_year"]) == pytest.approx(7513.7, rel=1e-4)
    assert float(out["cost_ratio_vs_terrestrial"]) == 1.0
    assert np.isnan(float(out["breakeven_launch_price"]))


def test_terrestrial_energy_only_matches_band():
    # Electricity alone at $0.06/kWh, PUE 1.09, availability 1: Suncatcher's 573 $/kW-yr.
    zero = {k: 0.0 for k in ("server_cost_fraction", "facility_capex", "facility_om_rate", "water_usage",
                             "grid_connection_delay")}
    ds = synthetic("terrestrial", availability=1.0, electricity_price=0.06, pue=1.09, **zero)
    out = run(ds, price=0.0)
    assert float(out["cost_per_kw_year"]) == pytest.approx(0.06 * 1.09 * H, rel=1e-12)


def test_space_outputs_finite_positive_and_breakdown_sums():
    out = run(synthetic())
    for k in ("capex", "opex", "cost_per_kw_year", "cost_per_accelerator_hour", "cost_per_pflop_hour",
              "terrestrial_cost_per_kw_year", "cost_ratio_vs_terrestrial", "launched_power_price"):
        val = float(out[k])
        assert math.isfinite(val) and val > 0, k
    # launched power price of the synthetic satellite: 20.5 kg/kW * 500 $/kg / 5 yr = 2,050 $/kW-yr
    assert float(out["launched_power_price"]) == pytest.approx(2050.0)
    # the breakdown is the present value over mission_lifetime: sum * CRF = annual cost
    crf = float(econ.capital_recovery_factor(_defaults()["space_wacc"], 5.0))
    assert float(out["cost_breakdown"].sum("cost_item")) * crf == pytest.approx(float(out["annual_cost"]), rel=1e-12)
    assert list(out["cost_breakdown"].cost_item.values) == list(econ.COST_ITEMS)
    # launch capital appears at its face value (it is recovered over the mission lifetime)
    launch = float(out["cost_breakdown"].sel(cost_item="launch"))
    assert launch == pytest.approx(2050.0 * 1000 * 500.0, rel=1e-12)


def test_per_unit_metrics_are_consistent():
    out = run(synthetic())
    annual = float(out["annual_cost"])
    # 100,000 accelerators at 95 % availability, 8,766 h/yr
    assert float(out["cost_per_accelerator_hour"]) == pytest.approx(annual / (1e5 * 0.95 * H), rel=1e-12)
    # 1000 sats * 250 PFLOP/s = 250,000 PFLOP/s
    assert float(out["cost_per_pflop_hour"]) == pytest.approx(annual / (2.5e5 * 0.95 * H), rel=1e-12)
    assert float(out["cost_per_kw_year"]) == pytest.approx(annual / (1e5 * 0.95), rel=1e-12)


# Launch-friendly assumptions under which a positive break-even exists: same finance on both sides,
# no insurance, no failures, no hardware premium, cheap bus, availability 0.99.
FRIENDLY = dict(space_hardware_premium=0.0, bus_cost_per_kg=400.0, insurance_rate=0.0, satellite_failure_rate=0.0,
                space_wacc=0.08, terrestrial_wacc=0.08, availability=0.99)


def test_breakeven_price_equalises_costs():
    out = run(synthetic(**FRIENDLY))
    p_star = float(out["breakeven_launch_price"])
    assert math.isfinite(p_star) and p_star > 0
    assert not bool(out["breakeven_unreachable"])
    again = run(synthetic(**FRIENDLY, launch_price_per_kg=p_star))
    assert float(again["cost_ratio_vs_terrestrial"]) == pytest.approx(1.0, rel=1e-9)
    # and the ratio moves the right way on either side of it
    cheaper = run(synthetic(**FRIENDLY, launch_price_per_kg=0.5 * p_star))
    dearer = run(synthetic(**FRIENDLY, launch_price_per_kg=2.0 * p_star))
    assert float(cheaper["cost_ratio_vs_terrestrial"]) < 1.0 < float(dearer["cost_ratio_vs_terrestrial"])
    # the break-even price does not depend on the price it was computed at (affine cost)
    assert float(dearer["breakeven_launch_price"]) == pytest.approx(p_star, rel=1e-9)


def test_breakeven_with_insurance_failures_and_deployment():
    # every launch-dependent term (insurance, replacement launches, idle capital) enters the slope
    kw = dict(FRIENDLY, bus_cost_per_kg=100.0, insurance_rate=0.02, satellite_failure_rate=0.01, space_commissioning_time=1.0)
    p_star = float(run(synthetic(**kw))["breakeven_launch_price"])
    assert math.isfinite(p_star) and p_star > 0
    assert float(run(synthetic(**kw, launch_price_per_kg=p_star))["cost_ratio_vs_terrestrial"]) == pytest.approx(1.0, rel=1e-9)


def test_breakeven_unreachable_when_hardware_alone_costs_more():
    # A 5x space-qualification premium on hardware: even free launch cannot beat the ground.
    out = run(synthetic(space_hardware_premium=5.0))
    p_star = float(out["breakeven_launch_price"])
    assert p_star < 0  # signed (issue 12): the provider would have to pay this per kg
    assert bool(out["breakeven_unreachable"])
    free = run(synthetic(space_hardware_premium=5.0, launch_price_per_kg=1e-9))
    assert float(free["cost_ratio_vs_terrestrial"]) > 1.0
    # the cost ratio is affine in the price: extrapolated to p_star it is exactly 1
    r0 = float(free["cost_ratio_vs_terrestrial"])
    r1 = float(run(synthetic(space_hardware_premium=5.0, launch_price_per_kg=1000.0))["cost_ratio_vs_terrestrial"])
    assert r0 + (r1 - r0) * (p_star - 1e-9) / (1000.0 - 1e-9) == pytest.approx(1.0, rel=1e-9)


def test_breakeven_closed_form_public():
    price, unreachable = econ.breakeven_launch_price(xr.DataArray([100.0, 300.0]), 2.0, 200.0)
    # (200 - 100) / 2 = 50; (200 - 300) / 2 = -50 (signed, issue 12), flagged unreachable
    np.testing.assert_allclose(price.values, [50.0, -50.0])
    assert bool(unreachable.values[1]) and not bool(unreachable.values[0])


def test_grid_delay_raises_ground_cost():
    # without bridge power, delay adds the idle facility capital: F((1+r)^d - 1) * CRF(r,
    # facility_lifetime), F the construction plus land and soft costs (issue 22): the cost view
    # (time_to_power_valuation 'interest', the default) counts interest on the waiting building
    a = run(synthetic("terrestrial", grid_connection_delay=0.0, on_site_power_available=False))
    b = run(synthetic("terrestrial", grid_connection_delay=4.0, on_site_power_available=False))
    d = _defaults()
    assert read_yaml(DEFAULTS)["parameters"]["time_to_power_valuation"]["value"] == "interest"
    fac = d["facility_capex"] * 100_000.0 * (1.0 + d["facility_land_soft_fraction"])
    crf = float(econ.capital_recovery_factor(d["terrestrial_wacc"], d["facility_lifetime"]))
    extra = fac * (1.08**4 - 1) * crf
    assert d["terrestrial_wacc"] == 0.08
    assert (float(b["annual_cost"]) - float(a["annual_cost"])) == pytest.approx(extra, rel=1e-10)
    # with bridge power available, the developer pays it where it is cheaper than the idle interest:
    # 2,000 USD/kW (CBRE's 1-3 MUSD/MW) x 100 MW x CRF against ~8,000 USD/kW of interest over 4 years
    c = run(synthetic("terrestrial", grid_connection_delay=4.0))
    bridge = d["on_site_power_capex"] * 100_000.0 * crf
    assert bridge < extra and bool(c["grid_wait_bridged"])
    assert (float(c["annual_cost"]) - float(a["annual_cost"])) == pytest.approx(bridge, rel=1e-10)


def test_commissioning_time_costs_idle_capital():
    # a satellite's capital (hardware, bus, launch, insured) waits space_commissioning_time before
    # earning: extra annual cost = insured capital x ((1+r)^t - 1) x CRF(r, mission_lifetime)
    a = run(synthetic(space_commissioning_time=0.0, space_wacc=0.10))
    b = run(synthetic(space_commissioning_time=1.0, space_wacc=0.10))
    bd = a["cost_breakdown"]
    insured = float(bd.sel(cost_item=["compute_hardware", "satellite_bus", "launch", "insurance"]).sum())
    # the bus, launch and insurance items are at face value (life = mission_lifetime); the hardware
    # item is annualised over min(refresh, mission) = 5 yr = mission_lifetime here, so also face value
    extra = insured * 0.10 * float(econ.capital_recovery_factor(0.10, 5.0))
    assert float(b["annual_cost"]) - float(a["annual_cost"]) == pytest.approx(extra, rel=1e-10)
    assert float(a["cost_breakdown"].sel(cost_item="deployment_finance")) == 0.0


def test_missing_upstream_gives_nan_not_invented():
    ds = synthetic().drop_vars(["launch_cost", "satellite_mass"])
    out = run(ds)
    assert np.isnan(float(out["cost_per_kw_year"]))
    assert math.isfinite(float(out["terrestrial_cost_per_kw_year"]))  # the ground side needs no launch


# --------------------------------------------------------------------------------------------
# Property tests (vectorised over a swept dimension)
# --------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    prices=st.lists(st.floats(1.0, 20_000.0), min_size=2, max_size=8),
    premium=st.floats(0.0, 2.0),
    fail=st.floats(0.0, 0.2),
    wacc=st.floats(0.0, 0.3),
)
def test_cheaper_launch_never_raises_space_cost(prices, premium, fail, wacc):
    p = xr.DataArray(np.sort(np.asarray(prices)), dims="launch_price_per_kg")
    out = run(synthetic(launch_price_per_kg=p, space_hardware_premium=premium, satellite_failure_rate=fail, space_wacc=wacc))
    for k in ("cost_per_kw_year", "capex", "opex", "cost_ratio_vs_terrestrial"):
        vals = out[k].values
        assert np.all(np.isfinite(vals)) and np.all(vals > 0), k
        assert np.all(np.diff(vals) >= -1e-9 * vals[1:]), k
    # the ground side does not depend on the launch price
    assert np.ptp(np.broadcast_to(out["terrestrial_cost_per_kw_year"].values, p.shape)) == 0


@settings(max_examples=40, deadline=None)
@given(
    prices=st.lists(st.floats(0.0, 0.5), min_size=2, max_size=8),
    pue=st.floats(1.0, 2.0),
    delay=st.floats(0.0, 7.0),
    kind=st.sampled_from(["space", "terrestrial"]),
)
def test_higher_electricity_price_never_lowers_ground_cost(prices, pue, delay, kind):
    e = xr.DataArray(np.sort(np.asarray(prices)), dims="electricity_price")
    out = run(synthetic(kind, electricity_price=e, pue=pue, grid_connection_delay=delay))
    vals = np.broadcast_to(out["terrestrial_cost_per_kw_year"].values, e.shape)
    assert np.all(np.isfinite(vals)) and np.all(vals > 0)
    assert np.all(np.diff(vals) >= 0)
    if kind == "space":  # cheaper ground power can only make space look relatively dearer
        ratio = out["cost_ratio_vs_terrestrial"].values
        assert np.all(np.diff(ratio) <= 1e-12 * ratio[1:])


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(0.0, 0.5), x=st.floats(0.0, 1e3))
def test_bus_learning_only_lowers_cost(lr, x):
    avg = float(econ.bus_cost_per_kg(x * 1000.0, 1000.0, 1000.0, lr))
    assert 0 < avg <= 1000.0 * (1 + 1e-12)
    assert avg >= 1000.0 * (1 + x) ** math.log2(1 - lr) * (1 - 1e-12)  # not below the last unit's cost


# --------------------------------------------------------------------------------------------
# Bad input: clear errors naming the parameter
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [-1.0, -1.5, float("nan")])
def test_crf_bad_rate(rate):
    with pytest.raises(ParameterError) as exc:
        econ.capital_recovery_factor(rate, 10)
    assert exc.value.parameter == "rate"


@pytest.mark.parametrize("years", [0.0, -3.0])
def test_crf_bad_years(years):
    with pytest.raises(ParameterError) as exc:
        econ.capital_recovery_factor(0.08, years)
    assert exc.value.parameter == "years"


def test_other_bad_inputs():
    with pytest.raises(ParameterError) as exc:
        econ.launched_power_price(20.5, 3600, 0)
    assert exc.value.parameter == "lifetime"
    with pytest.raises(ParameterError) as exc:
        econ.capital_recovery_factor(0.08, 10, periods_per_year=0)
    assert exc.value.parameter == "periods_per_year"
    with pytest.raises(ParameterError) as exc:
        econ.terrestrial_power_cost(0.08, 0.9)
    assert exc.value.parameter == "pue"
    with pytest.raises(ParameterError) as exc:
        econ.bus_cost_per_kg(1, 1000, 1000, 1.0)
    assert exc.value.parameter == "learning_rate"
    with pytest.raises(ParameterError) as exc:
        econ.idle_capital_cost(1e6, -1.0, 2)
    assert exc.value.parameter == "rate"
    with pytest.raises(ParameterError) as exc:
        econ.launched_power_price(20.5 * u.kg, 3600, 5)  # kg is not kg/kW
    assert exc.value.parameter == "specific_mass"


@pytest.mark.parametrize("name,value", [("space_wacc", -1.0), ("terrestrial_wacc", -2.0),
                                         ("terrestrial_compute_lifetime", 0.0), ("facility_lifetime", 0.0),
                                         ("pue", 0.8), ("bus_learning_rate", 1.0)])
def test_stage_specs_refuse_bad_values(name, value):
    with pytest.raises(ParameterError) as exc:
        econ.PARAMETERS[name].check_array(name, [value])
    assert exc.value.parameter == name


def test_defaults_cover_every_parameter_with_sources():
    raw = read_yaml(DEFAULTS)["parameters"]
    # grid_carbon_intensity is the launch stage's parameter too (one value for both sides): its
    # default lives once, in data/defaults/launch.yaml
    from orbitdc import launch

    shared = {k for k in econ.PARAMETERS if k in launch.PARAMETERS and launch.PARAMETERS[k] == econ.PARAMETERS[k]}
    assert shared == {"grid_carbon_intensity"}
    assert set(raw) == set(econ.PARAMETERS) - shared
    for name, p in raw.items():
        assert p.get("source") and p.get("note"), name
        if econ.PARAMETERS[name].kind == "flag":  # a switch has no range
            assert isinstance(p["value"], bool), name
        elif econ.PARAMETERS[name].kind == "number":
            assert p["low"] <= p["value"] <= p["high"], name


# --------------------------------------------------------------------------------------------
# Compute obsolescence (issue 14): a satellite retires with its compute unless it is serviced
# --------------------------------------------------------------------------------------------
def _bare(**over):
    """The synthetic system at zero WACC with every secondary cost off: annual = capital / life."""
    zero = dict(space_wacc=0.0, insurance_rate=0.0, space_commissioning_time=0.0, satellite_failure_rate=0.0,
                ground_segment_cost=0.0, satellite_operations_cost=0.0, ground_bandwidth_cost=0.0,
                space_hardware_premium=0.0, server_cost_fraction=0.0, bus_learning_rate=0.0)
    return synthetic(**{**zero, **over})


def test_short_compute_life_retires_the_satellite_hand_value():
    # Hand derivation (r = 0, so CRF(0, T) = 1/T): 1,000 satellites of 100 accelerators at $30,000
    # -> H = 3.0e9; bus (2,050 - 300) kg x 1,000 x $1,000/kg -> B = 1.75e9; launch 2,050 kg x 1,000
    # x $500/kg -> L = 1.025e9. Compute life 3 yr, satellite life 5 yr, no servicing: everything is
    # recovered over min(3, 5) = 3 yr -> (3.0 + 1.75 + 1.025)e9 / 3 = 1.925e9 USD/yr, per kW of IT
    # delivered (100,000 kW x 0.95): 20,263.157... USD/(kW yr). (Before the fix bus and launch were
    # spread over 5 yr: 1.0e9 + 0.555e9 = 1.555e9 USD/yr, i.e. a shorter compute life looked cheaper.)
    out = run(_bare(space_compute_lifetime=3.0, mission_lifetime=5.0))
    assert float(out["annual_cost"]) == pytest.approx(1.925e9, rel=1e-12)
    assert float(out["cost_per_kw_year"]) == pytest.approx(1.925e9 / (100_000 * 0.95), rel=1e-12)


def test_serviced_compute_swaps_hand_value():
    # Same system with on_orbit_servicing at $5,000/kg of compute delivered: the bus lives 5 yr;
    # compute bought at t = 0 and t = 3 (k = ceil(5/3) - 1 = 1 swap, G = 2 generations at r = 0),
    # recovered over the 5-yr bus life: H G / 5 = 1.2e9; the swap delivers 300 kg x 1,000 satellites
    # at $5,000/kg = 1.5e9 once -> 1.5e9 (G - 1) / 5 = 0.3e9; bus + launch 2.775e9 / 5 = 0.555e9.
    # Total 2.055e9 USD/yr.
    out = run(_bare(space_compute_lifetime=3.0, mission_lifetime=5.0, on_orbit_servicing=True,
                    servicing_cost_per_kg=5000.0))
    assert float(out["annual_cost"]) == pytest.approx(2.055e9, rel=1e-12)


def test_servicing_equals_level_refresh_when_lives_divide():
    # 10-yr bus, 5-yr compute, 8 % WACC, free swaps: generations at 0 and 5 yr recovered over 10 yr
    # give exactly CRF(8 %, 5 yr) per unit of hardware (annuity identity: (1 + x) CRF(10) = CRF(5),
    # x = 1.08^-5), i.e. the level cost of hardware renewed every 5 years.
    gens, crf10 = econ._compute_generations(xr.DataArray(0.08), xr.DataArray(5.0), xr.DataArray(10.0))
    assert float(gens * crf10) == pytest.approx(float(econ._crf(0.08, 5.0)), rel=1e-12)
    assert float(gens) == pytest.approx(1.0 + 1.08 ** -5, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    lives=st.lists(st.floats(0.5, 20.0), min_size=2, max_size=6, unique=True),
    t_sat=st.floats(1.0, 15.0),
    wacc=st.floats(0.0, 0.3),
    serviced=st.booleans(),
    swap_cost=st.floats(0.0, 20_000.0),
)
def test_shorter_compute_life_never_lowers_space_cost(lives, t_sat, wacc, serviced, swap_cost):
    # Nothing else changes (the ground baseline held at one compute life): a shorter compute life
    # never makes the space system cheaper, so never lowers its cost ratio against that baseline.
    t_hw = xr.DataArray(np.sort(np.asarray(lives)), dims="space_compute_lifetime")
    out = run(synthetic(space_compute_lifetime=t_hw, mission_lifetime=t_sat, space_wacc=wacc,
                        on_orbit_servicing=serviced, servicing_cost_per_kg=swap_cost))
    space = out["cost_per_kw_year"].values
    assert np.all(np.isfinite(space))
    assert np.all(np.diff(space) <= 1e-12 * space[:-1])  # non-increasing in the compute life


@pytest.mark.parametrize("name", ["spacex-starlink-compute", "blue-origin-orbital-dc", "openai-partnered-compute",
                                  "google-suncatcher", "starcloud-40mw", "ascend"])
def test_shorter_compute_life_never_lowers_the_ratio_of_shipped_architectures(name):
    # Both sides change with space_compute_lifetime here. Up to the satellite life a shorter
    # compute life raises the space cost (its whole capital now turns over faster) by a larger
    # share than the ground's (whose hardware is only part of its cost), so the ratio never falls.
    # (Beyond the satellite life only the ground gains from a longer compute life: the ratio then
    # rises with it, which is real, not an artefact.)
    import orbitdc as odc

    arch = odc.load_architecture(name)
    t_sat = float(arch.parameters["mission_lifetime"].canonical_value)
    lives = list(np.linspace(0.5, t_sat, 10))
    ratio = odc.sweep(arch, space_compute_lifetime=lives)["cost_ratio_vs_terrestrial"].values
    assert np.all(np.diff(ratio) <= 1e-12 * ratio[:-1])
