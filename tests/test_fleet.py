"""Fleet bookkeeping (orbitdc.fleet): hand-derived fleets, Wright's law, ramps, conservation.

The closed forms are derived in the comments; the property tests check the bookkeeping identities
(built = in service + retired + failed, for satellites and mass) over random inputs.
"""
from __future__ import annotations

import math

import numpy as np
import yaml
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc import fleet as fl
from orbitdc.errors import ArchitectureError

YEARS = np.arange(2025, 2041)


def _kernel(**kw):
    """One point, one vehicle, everything but what the test sets generous."""
    T = YEARS.size
    args = dict(years=YEARS, start_year=2025, target=1e12, life=5.0, failure_rate=0.0, launch_failure=0.0,
                satellite_mass=np.full(T, 1000.0), production=np.full(T, 1e12), shares=np.ones((T, 1)),
                cadence=np.full((T, 1), 1e12), available_share=np.ones(1), per_launch=np.full((T, 1), 10.0))
    args.update(kw)
    return fl.fleet_kernel(**args)


# --------------------------------------------------------------------------------------------
# Wright's law (Wright 1936: unit cost falls by the learning rate with each doubling)
# --------------------------------------------------------------------------------------------
def test_wright_doublings_hand_value():
    # 1,000 t -> 8,000 t is three doublings; at 20 % per doubling the unit cost is 0.8^3 = 0.512 of it.
    assert fl.wright_unit_cost(1000.0, 8000.0, 1000.0, 0.2) == pytest.approx(512.0, rel=1e-12)
    # 2.5 doublings (x 2^2.5 = 5.657) at 15 %: 0.85^2.5 = 0.666112...
    assert fl.wright_unit_cost(1.0, 2 ** 2.5, 1.0, 0.15) == pytest.approx(0.85 ** 2.5, rel=1e-12)


def test_learned_launch_price_hand_value():
    # USD 500/kg market price at a 1.5 margin is a USD 200/kg cost; 7,000 -> 28,000 t launched is two
    # doublings: cost 20 + (200 - 20) x 0.8^2 = 135.2 USD/kg, price x 2.5 = 338 USD/kg.
    assert fl.learned_launch_price(500.0, 28_000.0, 7_000.0, 0.2, 20.0, 1.5, False) == pytest.approx(338.0, rel=1e-12)
    # vertically integrated: the price is the cost
    assert fl.learned_launch_price(200.0, 28_000.0, 7_000.0, 0.2, 20.0, 1.5, True) == pytest.approx(135.2, rel=1e-12)
    # at or below the floor there is nothing to learn
    assert fl.learned_launch_price(15.0, 1e9, 7_000.0, 0.2, 20.0, 0.0, True) == 15.0


def test_wright_average_hand_value():
    # Average unit cost over cumulative 100 -> 300 (x = 2) from c = 1,000 at 100, 15 % per doubling:
    # b + 1 = log2(0.85) + 1 = 0.765535; 1,000 (3^0.765535 - 1) / (0.765535 x 2) = 861.32
    assert fl.wright_average_cost(1000.0, 100.0, 300.0, 100.0, 0.15) == pytest.approx(861.3224392, rel=1e-9)
    # no production: the unit cost at the start; no learning: the reference cost
    assert fl.wright_average_cost(1000.0, 400.0, 400.0, 100.0, 0.15) == pytest.approx(1000 * 4 ** np.log2(0.85), rel=1e-12)
    assert fl.wright_average_cost(1000.0, 100.0, 300.0, 100.0, 0.0) == pytest.approx(1000.0, rel=1e-12)


# --------------------------------------------------------------------------------------------
# A fleet with a fixed life and failure rate (closed form)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("life", [3.0, 5.0])
def test_fixed_life_and_failure_rate_closed_form(life):
    # C = 100 satellites a year reach orbit from 2025 on (production-limited, target never reached),
    # 10 % fail each year, each serves `life` years. After N years of launches (year 2025 + N - 1):
    #   in service  = C sum_{a=0}^{min(N, L)-1} 0.9^a = C (1 - 0.9^min(N, L)) / 0.1
    #   retired     = C (N - L) 0.9^L                       (each cohort's survivors, once N > L)
    #   failed      = C N - in service - retired
    C, lam, L = 100.0, 0.1, life
    out = _kernel(production=np.full(YEARS.size, C * 1000.0 / 1000.0), failure_rate=lam, life=L)
    for N in (1, 3, 5, 9, 16):
        t = N - 1
        in_service = C * (1 - (1 - lam) ** min(N, L)) / lam
        retired = C * max(N - L, 0) * (1 - lam) ** L
        assert out["in_service"][t] == pytest.approx(in_service, rel=1e-12)
        assert out["retired"][t] == pytest.approx(retired, rel=1e-12, abs=1e-9)
        assert out["failed"][t] == pytest.approx(C * N - in_service - retired, rel=1e-12, abs=1e-9)
        assert out["built"][t] == pytest.approx(C * N, rel=1e-12)


def test_fractional_life_retires_the_last_fraction_a_year_later():
    # life 2.5 yr, no failures: a cohort of C counts fully at ages 0 and 1, half at age 2, none at 3.
    out = _kernel(production=np.r_[100.0, np.zeros(YEARS.size - 1)], life=2.5)
    assert list(out["in_service"][:4]) == pytest.approx([100.0, 100.0, 50.0, 0.0])
    assert list(out["retired"][:4]) == pytest.approx([0.0, 0.0, 50.0, 100.0])


def test_target_is_filled_then_replacements_follow_retirements_and_failures():
    # Target 1,000, 400 a year can be built (400 t/yr of 1 t satellites), 4-yr life, 5 %/yr failures:
    #   2025: 400 fly -> 400;  2026: old 380, 400 fly -> 780;  2027: old 361 + 380 = 741, 259 fly -> 1,000
    #   2028: old 342.95 + 361 + 246.05 = 950, 50 fly -> 1,000
    #   2029: the 2025 cohort retires (its 400 x 0.95^4 = 325.8025 survivors);
    #         old 342.95 + 233.7475 + 47.5 = 624.1975, 375.8025 fly -> 1,000
    #   failed by 2029: 400 (1 - 0.95^4) + 400 (1 - 0.95^3) + 259 (1 - 0.95^2) + 50 x 0.05 = 159.0
    out = _kernel(target=1000.0, production=np.full(YEARS.size, 400.0), life=4.0, failure_rate=0.05)
    assert list(out["to_orbit"][:5]) == pytest.approx([400.0, 400.0, 259.0, 50.0, 375.8025], rel=1e-12)
    assert list(out["in_service"][:5]) == pytest.approx([400.0, 780.0, 1000.0, 1000.0, 1000.0], rel=1e-12)
    assert out["retired"][4] == pytest.approx(325.8025, rel=1e-12)
    assert out["failed"][4] == pytest.approx(159.0, rel=1e-12)
    assert out["binding"][1] == fl.PRODUCTION and out["binding"][2] == fl.NONE


# --------------------------------------------------------------------------------------------
# Two vehicles with fixed shares and cadence ramps (hand-derived launches per year)
# --------------------------------------------------------------------------------------------
def test_two_vehicle_cadence_ramp_launches_per_year():
    # Vehicle A: 60 % of the satellites, 10 -> 30 flights a year over 2025-2035 (linear), half of
    # them available, 20 satellites per launch. Vehicle B: 40 %, a flat 8 flights a year, all
    # available, 5 per launch. No launch failures, unlimited production and target.
    # In 2030 A flies 20 a year -> 10 available x 20 = 200 satellites, enough for 200 / 0.6 = 333.3
    # in total; B: 8 x 5 = 40 satellites, enough for 40 / 0.4 = 100: B binds, 100 satellites fly,
    # A carries 60 in 3 launches, B 40 in 8 launches.
    years = np.arange(2025, 2036)
    T = years.size
    a = fl.Ramp("A.cadence", "1/yr", np.array([2025.0, 2035.0]), np.array([10.0, 30.0]), np.array([10.0, 30.0]),
                np.array([10.0, 30.0]), may_decrease=False)
    cad = np.stack([a.at(years), np.full(T, 8.0)], axis=1)
    out = fl.fleet_kernel(years, 2025, 1e12, 50.0, 0.0, 0.0, np.full(T, 1000.0), np.full(T, 1e12),
                          np.tile([0.6, 0.4], (T, 1)), cad, np.array([0.5, 1.0]), np.tile([20.0, 5.0], (T, 1)))
    i = 2030 - 2025
    assert out["to_orbit"][i] == pytest.approx(100.0, rel=1e-12)
    assert list(out["launches"][i]) == pytest.approx([3.0, 8.0], rel=1e-12)
    assert out["binding"][i] == fl.LAUNCH + 1  # vehicle B
    # In 2025 A flies 10: 5 x 20 = 100 -> 166.7 in total; B 40 -> 100 still binds.
    # Were B's share 0.1 (A 0.9): A allows 100 / 0.9 = 111.1, B 40 / 0.1 = 400 -> A binds.
    out2 = fl.fleet_kernel(years, 2025, 1e12, 50.0, 0.0, 0.0, np.full(T, 1000.0), np.full(T, 1e12),
                           np.tile([0.9, 0.1], (T, 1)), cad, np.array([0.5, 1.0]), np.tile([20.0, 5.0], (T, 1)))
    assert out2["to_orbit"][0] == pytest.approx(100.0 / 0.9, rel=1e-12)
    assert list(out2["launches"][0]) == pytest.approx([5.0, 100.0 / 0.9 * 0.1 / 5.0], rel=1e-12)
    assert out2["binding"][0] == fl.LAUNCH + 0


def test_launch_failures_rebuild_and_count_as_failed():
    # 10 % of launches lose their payload: 90 of every 100 built reach orbit; the lost 10 are failures.
    out = _kernel(production=np.full(YEARS.size, 100.0), launch_failure=0.1, life=50.0)
    assert out["to_orbit"][0] == pytest.approx(90.0, rel=1e-12)
    assert out["built"][0] == pytest.approx(100.0, rel=1e-12)
    assert out["failed"][0] == pytest.approx(10.0, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Conservation and bounds (property tests)
# --------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(
    T=st.integers(2, 30),
    start=st.integers(0, 10),
    target=st.floats(1.0, 1e5),
    life=st.floats(0.5, 15.0),
    lam=st.floats(0.0, 0.5),
    pf=st.floats(0.0, 0.3),
    V=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_conservation_of_satellites_and_mass(T, start, target, life, lam, pf, V, seed):
    rng = np.random.default_rng(seed)
    years = np.arange(2025, 2025 + T)
    mass = rng.uniform(50.0, 20_000.0, T)
    prod = np.sort(rng.uniform(0.0, 1e5, T))
    shares = np.tile(rng.dirichlet(np.ones(V)), (T, 1))
    cad = np.sort(rng.uniform(0.0, 200.0, (T, V)), axis=0)
    av = rng.uniform(0.05, 1.0, V)
    spl = rng.integers(0, 60, (T, V)).astype(float)
    out = fl.fleet_kernel(years, 2025 + start, target, life, lam, pf, mass, prod, shares, cad, av, spl)
    built = out["built"]
    assert np.allclose(built, out["in_service"] + out["retired"] + out["failed"], rtol=1e-12, atol=1e-9)
    assert np.allclose(out["launched_mass"], out["mass_in_service"] + out["mass_retired"] + out["mass_failed"],
                       rtol=1e-12, atol=1e-9)
    # launched mass is the sum over cohorts of satellites built x their mass
    assert np.allclose(out["launched_mass"], np.cumsum(out["built_per_year"] * mass) / 1000.0, rtol=1e-12, atol=1e-12)
    # never more than the target, the factory or the vehicles allow; nothing before the start
    assert np.all(out["in_service"] <= target * (1 + 1e-12) + 1e-9)
    assert np.all(out["to_orbit"] <= out["production_capacity"] * (1 + 1e-12) + 1e-12)
    assert np.all(out["to_orbit"] <= out["launch_capacity"] * (1 + 1e-12) + 1e-12)
    assert np.all(out["to_orbit"][: start] == 0.0)
    for k in ("in_service", "retired", "failed", "built"):
        assert np.all(out[k] >= -1e-9), k
    assert np.all(np.diff(built) >= -1e-9) and np.all(np.diff(out["retired"]) >= -1e-9)


@settings(max_examples=150, deadline=None)
@given(
    T=st.integers(2, 25), start=st.integers(0, 5), life=st.floats(0.5, 30.0), lam=st.floats(0.0, 0.3),
    k=st.floats(1.0, 4.0), V=st.integers(1, 3), seed=st.integers(0, 2**32 - 1),
)
def test_higher_cadence_never_lowers_satellites_in_service(T, start, life, lam, k, V, seed):
    # With capacities that do not fall over time - as in the model: cadence and production ramps may
    # not decrease (drawn ones are kept non-decreasing) and satellites per launch only grow as
    # satellites get lighter - multiplying every cadence by k >= 1 never lowers the satellites in
    # service in any year. (With a capacity that falls, a faster build-up could retire in a wave
    # that the later, lower capacity refills more slowly.)
    rng = np.random.default_rng(seed)
    years = np.arange(2025, 2025 + T)
    args = dict(years=years, start_year=2025 + start, target=rng.uniform(10, 1e4), life=life, failure_rate=lam,
                launch_failure=rng.uniform(0, 0.1), satellite_mass=np.sort(rng.uniform(100, 5000, T))[::-1],
                production=np.sort(rng.uniform(0, 1e4, T)), shares=np.tile(rng.dirichlet(np.ones(V)), (T, 1)),
                available_share=rng.uniform(0.1, 1.0, V), per_launch=np.sort(rng.integers(1, 30, (T, V)), axis=0).astype(float))
    cad = np.sort(rng.uniform(0, 100, (T, V)), axis=0)
    low = fl.fleet_kernel(cadence=cad, **args)["in_service"]
    high = fl.fleet_kernel(cadence=cad * k, **args)["in_service"]
    assert np.all(high >= low * (1 - 1e-12) - 1e-9)


# --------------------------------------------------------------------------------------------
# Ramps and fleet files
# --------------------------------------------------------------------------------------------
def test_ramp_interpolation_and_drawn_quantiles():
    r = fl.Ramp("x", "1/yr", np.array([2025.0, 2035.0]), np.array([10.0, 30.0]), np.array([5.0, 20.0]),
                np.array([20.0, 60.0]), may_decrease=False)
    assert list(r.at([2020, 2025, 2030, 2035, 2050])) == pytest.approx([10, 10, 20, 30, 30])
    q = np.array([0.0, 0.25, 0.5, 1.0])
    drawn = r.at([2025, 2030], q)  # (T, samples)
    assert list(drawn[0]) == pytest.approx([5.0, 7.5, 10.0, 20.0])
    assert list(drawn[1]) == pytest.approx([12.5, 16.25, 20.0, 40.0])  # halfway between the 2025 and 2035 knots


def _fleet_doc(**vehicles):
    pt = lambda year, v: {"year": year, "value": v, "low": v, "high": v, "source": "orbitdc-assumption"}  # noqa: E731
    return {
        "description": "test",
        "production": {"unit": "t/yr", "points": [pt(2025, 1e9)]},
        "vehicles": {name: {"share": {"unit": "1", "points": [pt(y, s) for y, s in spec["share"]]},
                            "cadence": {"unit": "1/yr", "points": [pt(y, c) for y, c in spec["cadence"]]},
                            **({"launch_price_per_kg": {"value": 500, "unit": "USD/kg", "low": 400, "high": 600,
                                                        "source": "orbitdc-assumption"}} if name != "architecture" else {})}
                     for name, spec in vehicles.items()},
    }


def test_a_decreasing_cadence_is_refused_naming_the_ramp():
    arch = odc.load_architecture("spacex-starlink-compute")
    doc = _fleet_doc(architecture={"share": [(2025, 1.0)], "cadence": [(2025, 50), (2030, 20)]})
    with pytest.raises(ArchitectureError) as exc:
        fl.load_fleet(arch, doc)
    assert "starship-target.cadence" in str(exc.value) and "decrease" in str(exc.value)


def test_shares_that_do_not_sum_to_one_are_refused():
    arch = odc.load_architecture("spacex-starlink-compute")
    doc = _fleet_doc(architecture={"share": [(2025, 0.7)], "cadence": [(2025, 50)]},
                     **{"new-glenn": {"share": [(2025, 0.2), (2030, 0.3)], "cadence": [(2025, 10)]}})
    with pytest.raises(ArchitectureError) as exc:
        fl.load_fleet(arch, doc)
    assert "share" in str(exc.value) and "0.9" in str(exc.value)


def test_unknown_vehicle_and_missing_price_are_refused():
    arch = odc.load_architecture("spacex-starlink-compute")
    doc = _fleet_doc(**{"no-such-rocket": {"share": [(2025, 1.0)], "cadence": [(2025, 5)]}})
    with pytest.raises(ArchitectureError, match="no-such-rocket"):
        fl.load_fleet(arch, doc)
    doc = _fleet_doc(architecture={"share": [(2025, 0.5)], "cadence": [(2025, 5)]},
                     **{"new-glenn": {"share": [(2025, 0.5)], "cadence": [(2025, 5)]}})
    del doc["vehicles"]["new-glenn"]["launch_price_per_kg"]
    with pytest.raises(ArchitectureError, match="launch_price_per_kg"):
        fl.load_fleet(arch, doc)


def test_shipped_fleet_files_load_and_share_to_one():
    for name in odc.list_architectures():
        arch = odc.load_architecture(name)
        if arch.kind != "space":
            continue
        plan = fl.load_fleet(arch)
        assert np.allclose(plan.shares(np.arange(2025, 2061)).sum(axis=1), 1.0)
        for v in plan.vehicles:
            assert np.all(np.diff(v.cadence.value) >= 0)
        assert np.all(np.diff(plan.production.value) >= 0)


# --------------------------------------------------------------------------------------------
# Fleets that re-plan (issue 23): fill shares, a stated order, cadence growth after the plan
# --------------------------------------------------------------------------------------------
def _two_vehicles(target, mode, order=None):
    # vehicle A flies 2 flights a year, B 100; 10 satellites a flight; half the satellites each
    years = np.arange(2025, 2027)
    T = years.size
    return fl.fleet_kernel(years, 2025, target, 50.0, 0.0, 0.0, np.full(T, 1000.0), np.full(T, 1e12),
                           np.full((T, 2), 0.5), np.array([[2.0, 100.0]] * T), np.ones(2), np.full((T, 2), 10.0),
                           mode=mode, fill_order=order)


def test_fixed_shares_stop_at_the_binding_vehicle_hand_case():
    # A carries 20 satellites a year = its half of 40: the year flies 40 (A 20, B 20), A binds
    out = _two_vehicles(1000.0, "fixed")
    assert out["to_orbit"][0] == pytest.approx(40.0, rel=1e-12)
    np.testing.assert_allclose(out["satellites_by_vehicle"][0], [20.0, 20.0], rtol=1e-12)
    assert out["binding"][0] == fl.LAUNCH + 0


def test_fill_moves_the_binding_vehicles_excess_hand_case():
    # fill: A carries its 20 (of its 500), B its 500 and A's 480 excess = 980; the 1,000 fly in the
    # first year; launches 2 and 98; nothing binds
    out = _two_vehicles(1000.0, "fill")
    assert out["to_orbit"][0] == pytest.approx(1000.0, rel=1e-12)
    np.testing.assert_allclose(out["satellites_by_vehicle"][0], [20.0, 980.0], rtol=1e-12)
    np.testing.assert_allclose(out["launches"][0], [2.0, 98.0], rtol=1e-12)
    assert out["binding"][0] == fl.NONE
    # 2,000 wanted: both vehicles full (20 + 1,000), the launch limit of all vehicles binds
    big = _two_vehicles(2000.0, "fill")
    assert big["to_orbit"][0] == pytest.approx(1020.0, rel=1e-12) and big["binding"][0] == fl.LAUNCH + 2
    for out in (big, _two_vehicles(2000.0, "fixed")):  # satellites and launches conserved exactly
        np.testing.assert_allclose(out["satellites_by_vehicle"].sum(axis=1), out["built_per_year"], rtol=1e-12)
        np.testing.assert_allclose((out["launches"] * 10.0).sum(axis=1), out["built_per_year"], rtol=1e-12)


def test_fill_follows_the_stated_order():
    # three vehicles can put 50, 120 and 120 satellites in orbit; 250 wanted, a third (83.3) each:
    # A flies its 50 and its excess of 33.3 goes to the first vehicle of the order with spare flights
    years = np.arange(2025, 2026)
    caps = np.array([[5.0, 12.0, 12.0]])  # flights; 10 satellites each -> 50, 120, 120
    run = lambda order: fl.fleet_kernel(years, 2025, 250.0, 50.0, 0.0, 0.0, np.full(1, 1000.0), np.full(1, 1e12),  # noqa: E731
                                        np.full((1, 3), 1 / 3), caps, np.ones(3), np.full((1, 3), 10.0),
                                        mode="fill", fill_order=order)
    a_first_c = run([0, 2, 1])["satellites_by_vehicle"][0]
    np.testing.assert_allclose(a_first_c, [50.0, 250 / 3, 250 / 3 + (250 / 3 - 50.0)], rtol=1e-12)
    a_first_b = run([0, 1, 2])["satellites_by_vehicle"][0]
    np.testing.assert_allclose(a_first_b, [50.0, 250 / 3 + (250 / 3 - 50.0), 250 / 3], rtol=1e-12)


def test_cadence_grows_after_the_last_point():
    r = fl.Ramp("A.cadence", "1/yr", np.array([2025.0, 2030.0]), np.array([10.0, 100.0]), np.array([5.0, 50.0]),
                np.array([20.0, 200.0]), may_decrease=False, growth=(0.1, 0.0, 0.2))
    # 100 flights in 2030, +10 %/yr: 121 in 2032; before the last point the ramp is unchanged
    np.testing.assert_allclose(r.at([2027, 2030, 2032]), [46.0, 100.0, 121.0], rtol=1e-12)
    # drawn at q = 0 (every low, growth 0 %): flat at 50 after 2030; q = 1: 200 x 1.2^2
    np.testing.assert_allclose(r.at([2032], q=np.array([0.0, 1.0])), [[50.0, 288.0]], rtol=1e-12)


def test_fleet_files_state_shares_order_and_growth():
    arch = odc.load_architecture("openai-partnered-compute")
    doc = yaml.safe_load(fl.fleet_path(arch).read_text())
    doc.update(shares="fill", fill_order=["new-glenn", "architecture"])
    doc["vehicles"]["new-glenn"]["cadence"] = {"unit": "1/yr", "points": [
        {"year": 2025, "value": 2, "low": 2, "high": 2, "source": "orbitdc-assumption"}],
        "growth": {"value": 0.1, "unit": "1/yr", "low": 0.0, "high": 0.2, "source": "spaceq-2025-launch-cadence"}}
    plan = fl.load_fleet(arch, doc)
    assert plan.shares_mode == "fill" and [plan.vehicles[i].vehicle for i in plan.fill_order] == ["new-glenn", "starship-target"]
    assert plan.vehicles[plan.vehicle_names.index("new-glenn")].cadence.growth == (0.1, 0.0, 0.2)
    for bad, words in ((dict(fill_order=["falcon-9"]), "fill_order"), (dict(shares="greedy"), "shares")):
        with pytest.raises(ArchitectureError) as exc:
            fl.load_fleet(arch, {**doc, **bad})
        assert words in (exc.value.parameter or "") + exc.value.reason and "\n" not in str(exc.value)
    doc["vehicles"]["new-glenn"]["cadence"]["growth"]["high"] = 1.5
    with pytest.raises(ArchitectureError) as exc:
        fl.load_fleet(arch, doc)
    assert exc.value.parameter == "new-glenn.cadence.growth"


def test_the_trajectory_fills_with_the_vehicle_that_has_spare_flights():
    # OpenAI's plan gives New Glenn 30 % of the satellites: with fixed shares its few flights cap the
    # whole fleet; with fill the rest flies on Starship, and each year's satellites are conserved
    arch = odc.load_architecture("openai-partnered-compute")
    doc = yaml.safe_load(fl.fleet_path(arch).read_text())
    fixed = odc.trajectory(arch, years=range(2026, 2041))
    filled = odc.trajectory(arch, years=range(2026, 2041), fleet={**doc, "shares": "fill"})
    assert float(filled["it_power_online"].sel(year=2040)) > 3 * float(fixed["it_power_online"].sel(year=2040))
    assert str(fixed["binding_limit"].sel(year=2034).values) == "launch:new-glenn"
    np.testing.assert_allclose(filled["satellites_launched_by_vehicle"].sum("vehicle"), filled["satellites_built_per_year"],
                               rtol=1e-12)
    per_launch = filled["satellites_per_launch"].broadcast_like(filled["launches_per_year_by_vehicle"])
    np.testing.assert_allclose((filled["launches_per_year_by_vehicle"] * per_launch).sum("vehicle"),
                               filled["satellites_built_per_year"], rtol=1e-12)
    assert filled.attrs["fleet_shares"].startswith("fill")


def test_frozen_launch_cadence_holds_the_plan_after_its_last_point():
    # SpaceX's Starship plan ends at 180 flights in 2035: frozen, 180 every later year; else
    # +5 %/yr (launch_cadence_growth_rate, data/defaults/launch.yaml): 180 x 1.05^5 in 2040
    flat = odc.trajectory("spacex-starlink-compute", years=[2035, 2040], frozen=["launch_cadence"])
    grown = odc.trajectory("spacex-starlink-compute", years=[2035, 2040])
    share = float(odc.evaluate("spacex-starlink-compute")["launch_cadence_share"])
    f = lambda tr, y: float(tr["flights_available_by_vehicle"].sel(year=y).item()) / share  # noqa: E731
    assert f(flat, 2035) == pytest.approx(180.0, rel=1e-12) and f(flat, 2040) == pytest.approx(180.0, rel=1e-12)
    assert f(grown, 2040) == pytest.approx(180.0 * 1.05 ** 5, rel=1e-12)


def test_a_catalog_cadence_plans_the_chains_vehicle_flights_per_year():
    # ASCEND flies on Ariane 64: 1 flight in 2025 to 5 planned in 2027 (catalog), of which it uses
    # launch_cadence_share 0.3. The chain's vehicle_flights_per_year = 400 is the planned point of
    # the fleet's ramp too, as it is evaluate's: 2026 is halfway, 0.3 x (1 + 399/2) = 60.15;
    # 2027 0.3 x 400 = 120; then +5 %/yr (launch_cadence_growth_rate): 2029 0.3 x 400 x 1.05^2
    tr = odc.trajectory("ascend", years=range(2025, 2030), vehicle_flights_per_year=400.0)
    np.testing.assert_allclose(tr["flights_available_by_vehicle"].values.ravel(),
                               [0.3, 60.15, 120.0, 126.0, 0.3 * 400 * 1.05 ** 2], rtol=1e-12)
    # the default is the catalog's own planned point (5 flights in 2027: 1.5 available)
    plain = odc.trajectory("ascend", years=[2027])
    assert float(plain["flights_available_by_vehicle"].item()) == pytest.approx(1.5, rel=1e-12)
    # and evaluate's deployment flies its launches on the same cadence: 400 planned flights from
    # 2027, 0.3 of them, growing 5 %/yr after 2027
    ev = odc.evaluate("ascend", vehicle_flights_per_year=400.0)
    n, start = float(ev["launches"]), float(ev["start_year"])
    flown = lambda y: 0.3 * 400 * (1.05 ** (y - 2027) - 1) / math.log(1.05)  # noqa: E731  (after 2027)
    assert flown(start + float(ev["deployment_years"])) - flown(start) == pytest.approx(n, rel=1e-9)
