"""Issue 15: design variables are chosen (optimize), uncertain parameters are drawn (monte_carlo).

The hand-derived optimum: the thinnest aluminium shield that keeps the lifetime dose under the
accelerator's total-dose limit at one orbit, read off the dose grid by hand.
"""
from __future__ import annotations

import math
import shutil
import time

import numpy as np
import pandas as pd
import pytest

import orbitdc as odc
from orbitdc import architectures, cli, design, parameters
from orbitdc import uncertainty as unc
from orbitdc.errors import ArchitectureError, OrbitdcError, ParameterError

SPACEX = "spacex-starlink-compute"


# --------------------------------------------------------------------------------------------
# Roles in data
# --------------------------------------------------------------------------------------------
def test_every_default_declares_a_role_and_architectures_inherit_it():
    defaults = architectures.load_defaults()
    assert all(p.role in ("design", "uncertain") for p in defaults.values())
    arch = odc.load_architecture(SPACEX)
    # altitude is written in the architecture file without a role: it inherits 'design'
    assert "altitude" in arch.own and arch.parameters["altitude"].role == "design"
    assert arch.parameters["launch_price_per_kg"].role == "uncertain"
    # the list of decisions (altitude, shielding, node time, satellite size, job span,
    # dispenser count) are design variables
    for name in ("altitude", "shielding_thickness", "ltan", "satellite_it_power", "job_span_satellites",
                 "dispenser_capacity"):
        assert name in arch.design_variables(), name


def test_a_default_without_role_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "defaults"
    shutil.copytree(parameters.DEFAULTS_DIR, folder)
    text = (folder / "orbit.yaml").read_text()
    (folder / "orbit.yaml").write_text(text.replace("  altitude:\n    role: design\n", "  altitude:\n", 1))
    monkeypatch.setattr(parameters, "DEFAULTS_DIR", folder)
    with pytest.raises(ArchitectureError, match="altitude.*role"):
        architectures.load_defaults()


def test_an_architecture_may_declare_its_own_role(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("name: a\ndescription: x\nparameters:\n  altitude:\n    value: 600\n    unit: km\n    low: 500\n"
                 "    high: 700\n    role: uncertain\n    source: orbitdc-assumption\n")
    arch = odc.load_architecture(f)
    assert arch.parameters["altitude"].role == "uncertain"
    assert "altitude" in {m.name for m in unc.marginals(arch)}
    f.write_text(f.read_text().replace("role: uncertain", "role: maybe"))
    with pytest.raises(ArchitectureError, match="altitude"):
        odc.load_architecture(f)


def test_show_prints_the_role(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "2000")  # wide enough for one line per parameter (narrower: on the source line)
    assert cli.main(["show", SPACEX]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("parameter"))
    assert "role" in header.split()
    alt = next(line for line in out.splitlines() if line.startswith("altitude "))
    assert " design " in alt


def test_monte_carlo_nominal_holds_design_variables_and_records_the_choice():
    mc = odc.monte_carlo(SPACEX, 200, seed=0, design="nominal")
    assert mc.attrs["design"] == "nominal"
    for name in ("shielding_thickness", "satellite_it_power", "dispenser_capacity"):
        assert "sample" not in mc[name].dims, name
    drawn = set(mc.attrs["drawn_parameters"].split(", "))
    assert "launch_price_per_kg" in drawn and "altitude" not in drawn
    sampled = odc.monte_carlo(SPACEX, 200, seed=0, design="sampled")
    assert sampled.attrs["design"] == "sampled" and "sample" in sampled["shielding_thickness"].dims
    # common random numbers: an uncertain parameter's draws do not depend on the design mode
    np.testing.assert_array_equal(mc["launch_price_per_kg"].values, sampled["launch_price_per_kg"].values)
    with pytest.raises(ParameterError, match="design"):
        odc.monte_carlo(SPACEX, 10, design="best")


# --------------------------------------------------------------------------------------------
# optimize: a two-variable problem with a hand-derived optimum
# --------------------------------------------------------------------------------------------
def _hand_thinnest_shield(altitude_km: float, inclination_deg: float, limit_rad: float, life_yr: float) -> float:
    """The shield thickness where dose(t) * life = limit, by hand from data/radiation/dose_grid.csv.

    At a grid altitude and inclination the model interpolates log-dose linearly in log-thickness
    between the table's nodes (orbit.radiation_dose_kernel); so between the two nodes t1 < t2 that
    bracket the target rate D* = limit / life:
        ln t* = ln t1 + (ln t2 - ln t1) * ln(D1 / D*) / ln(D1 / D2).
    """
    tab = pd.read_csv(parameters.DATA_DIR / "radiation" / "dose_grid.csv", comment="#")
    rows = tab[(tab.altitude_km == altitude_km) & (tab.inclination_deg == inclination_deg)].sort_values("al_thickness_mm")
    t = rows.al_thickness_mm.to_numpy()
    d = rows.total_dose_rad_si_per_yr.to_numpy()
    target = limit_rad / life_yr
    i = int(np.nonzero(d <= target)[0][0])  # first node below the target rate
    t1, t2, d1, d2 = t[i - 1], t[i], d[i - 1], d[i]
    return math.exp(math.log(t1) + (math.log(t2) - math.log(t1)) * math.log(d1 / target) / math.log(d1 / d2))


def test_optimize_finds_the_thinnest_shield_that_meets_the_dose_limit():
    # 600 km, 50 deg, 5 years, the GB200's 2 krad(Si) HBM limit (data/catalogs/accelerators.csv):
    # the target rate 400 rad/yr falls between the 4 mm (557 rad/yr) and 5 mm (387 rad/yr) nodes.
    limit = odc.load_catalog("accelerators")["tid_limit"].sel(entry="gb200-superchip").item()
    assert limit == 2000
    expected = _hand_thinnest_shield(600.0, 50.0, limit, 5.0)
    assert 4.8 < expected < 5.0  # 4.90 mm by hand
    c0 = time.process_time()
    opt = odc.optimize(SPACEX, objective="satellite_mass", over=["shielding_thickness", "isl_terminals"],
                       altitude=600, orbit_type="inclined", inclination=50, mission_lifetime=5)
    assert time.process_time() - c0 < 1.0
    # satellite mass grows with shield and with laser terminals; the dose limit stops the shield
    assert float(opt["optimal_shielding_thickness"]) == pytest.approx(expected, rel=0.005)
    assert float(opt["optimal_isl_terminals"]) == pytest.approx(3.0)  # the lower bound
    assert float(opt["shielding_thickness"]) == float(opt["optimal_shielding_thickness"])
    assert "total_ionizing_dose" in opt.attrs["binding_constraints"].split(", ")
    assert opt.attrs["optimum_feasible"] == 1 and bool(opt["feasible"])
    assert float(opt["lifetime_dose"]) <= limit


# From 2030 the default SpaceX fleet needs 5.3 years for its 1 GW, longer than a satellite's 5-year
# life (violates_deployment_time since issue 28's heavier racks and lower Starship payload); from
# 2031 the cadence has grown enough (4.8 years). The optimiser's premise is a nominal that closes.
YEAR_IT_DEPLOYS = 2031


def test_optimize_three_design_variables_is_fast_and_no_worse_than_nominal():
    nominal = odc.evaluate(SPACEX, start_year=YEAR_IT_DEPLOYS)
    c0 = time.process_time()
    opt = odc.optimize(SPACEX, over=["altitude", "shielding_thickness", "satellite_it_power"], start_year=YEAR_IT_DEPLOYS)
    assert time.process_time() - c0 < 1.0  # issue 15: <= 1 s for 3 design variables
    assert bool(opt["feasible"]) and bool(nominal["feasible"])
    # the nominal design is one admissible design: the optimum cannot cost more
    assert float(opt["cost_per_kw_year"]) <= float(nominal["cost_per_kw_year"])
    assert opt.attrs["design"] == "optimal" and opt.attrs["objective"] == "cost_per_kw_year"
    for name in ("altitude", "shielding_thickness", "satellite_it_power"):
        p = odc.load_architecture(SPACEX).parameters[name]
        assert p.canonical_low <= float(opt[f"optimal_{name}"]) <= p.canonical_high


def test_optimize_refuses_bad_input():
    with pytest.raises(ParameterError, match="objective"):
        odc.optimize(SPACEX, objective="happiness")
    with pytest.raises(ParameterError, match="orbit_type"):
        odc.optimize(SPACEX, over=["orbit_type"])
    with pytest.raises(ParameterError, match="constraints"):
        odc.optimize(SPACEX, over=["altitude"], constraints=["gravity"])
    with pytest.raises(ParameterError, match="altitude"):
        odc.optimize(SPACEX, over=["altitude"], altitude=600)
    with pytest.raises(OrbitdcError):
        odc.optimize(SPACEX, over=["altitude"], launch_price_per_kg=[100, 200])


# --------------------------------------------------------------------------------------------
# monte_carlo(design="optimal")
# --------------------------------------------------------------------------------------------
def test_optimal_design_per_sample_never_violates_a_constraint_a_design_can_always_meet():
    """Total dose depends on the design (altitude, shield, life) and the catalog's limit only, and
    adding shield always meets it: with design="optimal" no sample violates it, while drawing the
    design variables as uncertainties puts most SpaceX samples there (issue 15: 82 %)."""
    sampled = odc.monte_carlo(SPACEX, 400, seed=0, design="sampled")
    assert float(sampled["violates_total_ionizing_dose"].mean()) > 0.5
    mc = odc.monte_carlo(SPACEX, 400, seed=0, design="optimal")
    assert mc.attrs["design"] == "optimal"
    assert float(np.asarray(mc["violates_total_ionizing_dose"]).mean()) == 0.0
    # each sample's design is one row of the table, and it is its best admissible one
    assert "sample" in mc["shielding_thickness"].dims and "design_candidate" in mc
    assert float(mc["feasible"].mean()) >= float(odc.monte_carlo(SPACEX, 400, seed=0, design="nominal")["feasible"].mean())


def test_the_default_monte_carlo_builds_the_best_design_in_each_world():
    """Issue 15: by default each sample is the best design an engineer would build in its world.
    The total-dose limit is met by adding shield whatever the world, so no sample violates it --
    even though the accelerator's dose limit is now drawn from its catalog range (GB200: 700 to
    6,000 rad(Si), data/catalogs/accelerators.csv), and the samples with the lowest drawn limit
    are met by a thicker shield than those with the highest."""
    mc = odc.monte_carlo(SPACEX, 1000, seed=4)
    assert mc.attrs["design"] == "optimal"
    assert "accelerator_tid_limit" in mc.attrs["drawn_parameters"].split(", ")
    assert float(np.asarray(mc["violates_total_ionizing_dose"]).mean()) == 0.0
    assert np.all(np.asarray(mc["lifetime_dose"]) <= np.asarray(mc["accelerator_tid_limit"]) * (1 + 1e-12))
    limit = np.asarray(mc["accelerator_tid_limit"])
    shield = np.asarray(mc["shielding_thickness"])
    low, high = limit <= np.quantile(limit, 0.1), limit >= np.quantile(limit, 0.9)
    assert shield[low].mean() > shield[high].mean()
    # a list override cannot be crossed with per-sample optimal designs: one line saying what to do
    with pytest.raises(ParameterError, match="design='nominal'"):
        odc.monte_carlo(SPACEX, 10, launch_price_per_kg=[100, 200])


def test_optimal_design_monte_carlo_does_not_depend_on_chunking():
    eager = odc.monte_carlo(SPACEX, 300, seed=5, design="optimal", over=["altitude", "shielding_thickness"])
    lazy = odc.monte_carlo(SPACEX, 300, seed=5, design="optimal", over=["altitude", "shielding_thickness"],
                           chunks=(120, 180)).compute(scheduler="synchronous")
    for name in ("cost_per_kw_year", "altitude", "shielding_thickness", "design_candidate", "feasible"):
        np.testing.assert_array_equal(np.asarray(eager[name].values), np.asarray(lazy[name].values), err_msg=name)


def test_verdict_probabilities_use_the_optimal_design_by_default():
    v = odc.verdict_probabilities(SPACEX, 300, seed=0)
    mc = odc.monte_carlo(SPACEX, 300, seed=0, design="optimal")
    assert v.attrs["design"] == "optimal"
    assert float(v["p_feasible"]) == pytest.approx(float(mc["feasible"].mean()))
    ratio = mc["cost_ratio_vs_terrestrial"].values
    assert float(v["p_cheaper"]) == pytest.approx(float(np.mean(ratio < 1.0)))
    assert float(v["p_feasible_and_cheaper"]) <= min(float(v["p_feasible"]), float(v["p_cheaper"]))
    assert float(unc.probability_feasible(mc)) == float(v["p_feasible"])


# --------------------------------------------------------------------------------------------
# Issue 26: the screened design choice of large runs against the exhaustive search
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def screened_and_exhaustive():
    """One run of 6,000 samples twice: with the screen (the threshold lowered from 20,000 for a
    test-sized run; the screen itself is learnt exactly as in a large run, on 2,048 + 2,048
    independent worlds) and with every sample evaluated at every candidate."""
    n = 6_000
    old = unc.SCREEN_MIN_SAMPLES
    try:
        unc.SCREEN_MIN_SAMPLES = 1_000
        screened = odc.monte_carlo(SPACEX, n, seed=11)
        unc.SCREEN_MIN_SAMPLES = 10**12
        exhaustive = odc.monte_carlo(SPACEX, n, seed=11)
    finally:
        unc.SCREEN_MIN_SAMPLES = old
    return screened, exhaustive


def test_the_screen_gives_the_exhaustive_answer_within_its_stated_tolerance(screened_and_exhaustive):
    """The stated tolerance (README, orbitdc.design.DesignScreen): every sample is as feasible as
    with the exhaustive search (a sample whose screened candidates are all inadmissible is
    evaluated at every candidate, and repaired exactly as before), the total dose is violated by
    the same samples as with the exhaustive search, and the objective of an admissible sample's
    design exceeds the exhaustive search's best by at most 0.5 % on average and 3 % at the 99th
    percentile (it can never be lower: the screen only leaves candidates out). Measured on 8,192 held-out worlds of three seeds: mean 0.10-0.15 %,
    99th percentile 1.9-2.0 %; the largest single regret seen was 11.5 % (a world whose best row is
    one few worlds use), so no bound on the maximum is stated."""
    s, e = screened_and_exhaustive
    assert s.attrs["design_screen"].startswith("each sample evaluated at")
    assert e.attrs["design_screen"].startswith("none")
    np.testing.assert_array_equal(s["feasible"].values, e["feasible"].values)
    np.testing.assert_array_equal(s["design_repaired"].values, e["design_repaired"].values)
    # the dose limit: violated by the same samples (here one world of 6,000 whose drawn limit no
    # table row nor the repair meets, exactly as before the screen existed)
    np.testing.assert_array_equal(s["violates_total_ionizing_dose"].values, e["violates_total_ionizing_dose"].values)
    assert float(s["violates_total_ionizing_dose"].mean()) <= 1 / 3000
    obj = s.attrs["design_objective"]
    a, b = s[obj].values, e[obj].values
    infeasible = ~e["feasible"].values
    np.testing.assert_array_equal(a[infeasible], b[infeasible])  # evaluated at every candidate
    regret = a / b - 1.0
    assert regret.min() >= 0.0
    assert regret.mean() <= 0.005
    assert np.quantile(regret, 0.99) <= 0.03
    # so the answers a report gives agree: the median cost ratio within 0.5 %, P(cheaper) within
    # 0.2 percentage points (a sample's cost can only rise, by the regret above)
    ra, rb = s["cost_ratio_vs_terrestrial"].values, e["cost_ratio_vs_terrestrial"].values
    assert np.median(ra) == pytest.approx(np.median(rb), rel=0.005)
    assert 0.0 <= np.mean(rb < 1.0) - np.mean(ra < 1.0) <= 0.002


def test_the_screen_records_its_own_check_against_the_exhaustive_search(screened_and_exhaustive):
    s, _ = screened_and_exhaustive
    check = s.attrs["design_screen_check"]
    assert check.startswith("2048 held-out worlds")
    # the run's own held-out check states the same tolerance the test above holds it to
    mean = float(check.split("regret mean ")[1].split(" %")[0])
    p99 = float(check.split("99th percentile ")[1].split(" %")[0])
    assert mean <= 0.5 and p99 <= 3.0


def test_the_screened_choice_does_not_depend_on_chunking(monkeypatch):
    monkeypatch.setattr(unc, "SCREEN_MIN_SAMPLES", 1_000)
    eager = odc.monte_carlo(SPACEX, 2_500, seed=3)
    lazy = odc.monte_carlo(SPACEX, 2_500, seed=3, chunks=(700, 1800)).compute(scheduler="threads")
    assert eager.attrs["design_screen_check"] == lazy.attrs["design_screen_check"]
    for name in eager.data_vars:
        np.testing.assert_array_equal(eager[name].values, lazy[name].transpose(*eager[name].dims).values, err_msg=name)


def test_learn_screen_on_a_hand_made_table():
    """Three worlds, four rows: row 2 is best in world 0, row 3 in world 1 and 2; row 1 violates a
    constraint everywhere. With one first-pass row and one follow-up the greedy cover takes the
    row of least summed regret first (3), then for the worlds it wins the row that most reduces
    their regret (2, for world 0)."""
    obj = np.array([[10.0, 5.0, 8.0, 9.0], [10.0, 5.0, 9.5, 9.0], [10.0, 5.0, 9.9, 9.0]])
    nv = np.array([[0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]])
    reg = design.regret(obj, nv)
    np.testing.assert_allclose(reg[0], [10 / 8 - 1, 1.0, 0.0, 9 / 8 - 1])
    screen = design.learn_screen(obj, nv, obj, nv, passes=(1, 1))
    assert screen.first.tolist() == [3] and screen.passes == (1, 1)
    assert screen.follow[0][3].tolist() == [2]
    best, evaluated = screen.choose(obj, nv)
    assert best.tolist() == [2, 3, 3] and evaluated.tolist() == [2, 2, 2]
    assert screen.check["exact_share"] == 1.0 and screen.check["mean_regret"] == 0.0
    # a world whose screened rows are all inadmissible is evaluated at every row
    nv2 = np.array([[0, 1, 1, 1]])
    best, evaluated = screen.choose(np.array([[10.0, 5.0, 8.0, 9.0]]), nv2)
    assert best.tolist() == [0] and evaluated.tolist() == [4]
