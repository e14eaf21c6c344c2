"""The first screen (issue 16): one paragraph per architecture generated from an answer Dataset,
never written in advance. Tested against hand-built Datasets (an infeasible design, one that is
never cheaper, one that is cheaper, an uncertain one, one without Monte Carlo, the baseline), so
every number in the sentences is checked against numbers computed by hand here; and once on a
real small study, checking the Dataset against the Monte Carlo it summarises."""
from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

from orbitdc.report import Study, record, wording
from orbitdc.report.record import ANSWER_VARIABLES
from orbitdc.report.wording import first_screen, num

BASE = dict(
    kind="space", samples=400, p_feasible=1.0, p_cheaper=0.0, ratio_nominal=2.0, ratio_median=2.2, ratio_low=1.6,
    ratio_high=3.1, feasible_nominal=True, binding_nominal="none", binding_common="none", binding_share=0.0,
    bound_launches=np.nan, bound_deployment_years=np.nan, bound_mission_lifetime=np.nan, bound_lifetime_dose=np.nan,
    launch_vehicle="falcon-9", launches=100.0, deployment_years=2.0, mission_lifetime=5.0, lifetime_dose=1000.0,
    dose_tolerance=2000.0, launch_price_per_kg=1500.0, breakeven_launch_price=np.nan, breakeven_unreachable=False,
    cost_per_kw_year=20000.0, driver="", driver_label="", driver_unit="", driver_value=np.nan, driver_best=np.nan,
    driver_best_ratio=np.nan,
)

ROWS = {
    # the Blue Origin case: nominal deployment 1,705 launches over 71 years on New Glenn,
    # 5-year design life -> 1705 / 5 = 341 flights a year needed; 1705 / 71 = 24.0 a year available
    "infeasible-cadence": dict(
        p_feasible=0.0, p_cheaper=0.0, ratio_median=np.nan, ratio_low=np.nan, ratio_high=np.nan, ratio_nominal=4.13,
        feasible_nominal=False, binding_nominal="deployment_time", binding_common="total_ionizing_dose",
        binding_share=0.69, bound_lifetime_dose=5240.0, bound_mission_lifetime=5.35, launch_vehicle="new-glenn",
        launches=1705.0, deployment_years=71.0, breakeven_unreachable=True,
        driver="bus_cost_per_kg", driver_label="satellite bus cost per kg", driver_unit="USD/kg", driver_value=2500.0,
        driver_best=1000.0, driver_best_ratio=3.35),
    # never cheaper: feasible, but costs other than launch exceed the ground
    "never-cheaper": dict(p_feasible=0.95, p_cheaper=0.0, breakeven_unreachable=True, ratio_median=3.89,
                          ratio_low=2.9, ratio_high=5.1, ratio_nominal=2.75),
    # cheaper with confidence: 93 % of samples cheaper; break-even 612 USD/kg vs 1,500 applied
    "cheap": dict(p_feasible=0.97, p_cheaper=0.93, ratio_median=0.71, ratio_low=0.52, ratio_high=0.94,
                  ratio_nominal=0.8, breakeven_launch_price=612.0,
                  driver="launch_price_per_kg", driver_label="launch price per kg", driver_unit="USD/kg",
                  driver_value=1500.0, driver_best=200.0, driver_best_ratio=0.55),
    # uncertain on both counts
    "uncertain": dict(p_feasible=0.5, p_cheaper=0.3, ratio_median=1.1, ratio_low=0.7, ratio_high=1.8),
    # no Monte Carlo
    "nominal-only": dict(samples=0, p_feasible=np.nan, p_cheaper=np.nan, ratio_median=np.nan, ratio_low=np.nan,
                         ratio_high=np.nan, ratio_nominal=1.7),
    "ground": dict(kind="terrestrial", samples=0, ratio_nominal=1.0, cost_per_kw_year=8600.0),
}


@pytest.fixture(scope="module")
def text() -> dict[str, str]:
    rows = [{**BASE, **r} for r in ROWS.values()]
    ds = xr.Dataset({k: ("architecture", [r[k] for r in rows]) for k in ANSWER_VARIABLES},
                    coords={"architecture": list(ROWS)}, attrs={"cost_ratio_parity": 1.0, "interval_probability": 0.8})
    return first_screen(ds)


def test_every_architecture_has_a_paragraph(text):
    assert list(text) == list(ROWS)
    for name, paragraph in text.items():
        assert paragraph.startswith(name)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", paragraph), paragraph  # no identifiers as text


def test_infeasible_design_says_what_binds_with_numbers(text):
    t = text["infeasible-cadence"]
    assert "infeasible -- the design closes in 0 % of 400 Monte Carlo samples" in t
    assert "the nominal design does not close (launch cadence)" in t
    assert "the 1,705 launches of the initial deployment take 71 years" in t
    assert f"({num(1705 / 71)} a year)" in t and num(1705 / 71) == "24"
    assert "New Glenn would need ~341 flights a year" in t
    # what binds first in most samples, with the medians of those samples
    assert "In 69 % of the samples what binds first is radiation" in t
    assert "5.24 krad(Si), exceeds the hardware's tolerance of 2 krad(Si)" in t and "5.35-year life" in t
    assert "no feasible sample has a cost (nominal 4.13x)" in t
    assert "No launch price, even free launch, would make it cheaper" in t
    assert ("satellite bus cost per kg: at 1,000 USD/kg, the favourable end of its range (stated 2,500 USD/kg), "
            "the nominal cost ratio would be 3.35x instead of 4.13x, still above parity") in t


def test_never_cheaper_design(text):
    t = text["never-cheaper"]
    assert "never-cheaper: feasible -- the design closes in 95 % of 400" in t
    assert "It is not cheaper than the ground: cheaper in 0 % of the samples" in t
    assert "median cost 3.89x the ground's over the feasible samples (80 % interval 2.9-5.1x; nominal 2.75x)" in t
    assert "No launch price, even free launch" in t
    assert "What binds" not in t  # nothing binds


def test_cheaper_design_names_the_break_even_price(text):
    t = text["cheap"]
    assert "It is cheaper than the ground: cheaper in 93 % of the samples" in t
    assert "match the ground at a launch price of 612 USD/kg (applied today: 1,500 USD/kg)" in t
    assert "at 200 USD/kg" in t and "would be 0.55x instead of 0.8x, reaching parity with the ground" in t


def test_uncertain_design(text):
    t = text["uncertain"]
    assert "feasible only under favourable assumptions -- the design closes in 50 %" in t
    assert "It is possibly cheaper than the ground: cheaper in 30 % of the samples" in t


def test_without_monte_carlo_values_are_labelled_nominal(text):
    t = text["nominal-only"]
    assert "feasible at nominal values (no Monte Carlo)" in t and "cost 1.7x the ground's (nominal)" in t


def test_baseline(text):
    assert text["ground"] == "ground is the ground baseline every ratio is measured against: 8,600 USD per kW-year of IT (nominal)."


@pytest.mark.parametrize("p,sure", [(0.9, "feasible --"), (0.8999, "only under favourable"), (0.1, "infeasible --"),
                                    (0.1001, "only under favourable")])
def test_verdict_thresholds_follow_the_interval_probability(p, sure):
    """interval_probability 0.8 -> statements need 90 % of the samples (the whole 80 % interval)."""
    row = {**BASE, "p_feasible": p}
    ds = xr.Dataset({k: ("architecture", [row[k]]) for k in ANSWER_VARIABLES}, coords={"architecture": ["a"]},
                    attrs={"cost_ratio_parity": 1.0, "interval_probability": 0.8})
    assert sure in first_screen(ds)["a"]


@pytest.mark.parametrize("x,text", [(5.0, "5"), (10.83, "10.8"), (1.4449, "1.44"), (1705.1, "1,705"), (0.25, "0.25"),
                                    (341.02, "341"), (float("nan"), "n/a")])
def test_numbers_in_sentences(x, text):
    assert num(x) == text


def test_display_names():
    assert wording.display_name("new-glenn") == "New Glenn"
    assert wording.display_name("falcon-9") == "Falcon 9"


@pytest.mark.slow
def test_answer_summarises_the_monte_carlo(tmp_path):
    study = Study(["example-minimal", "terrestrial-hyperscale"], samples=64, seed=5, output_dir=tmp_path)
    ans = record.answer(study)
    mc = study.monte_carlo()["example-minimal"]
    ok = np.broadcast_to(np.asarray(mc["feasible"].values, dtype=bool), (64,))
    ratio = np.broadcast_to(np.asarray(mc["cost_ratio_vs_terrestrial"].values, dtype=float), (64,))
    a = ans.sel(architecture="example-minimal")
    assert int(a["samples"]) == 64
    assert float(a["p_feasible"]) == ok.mean()
    assert float(a["p_cheaper"]) == (ok & np.isfinite(ratio) & (ratio < 1.0)).mean()
    good = ratio[ok & np.isfinite(ratio)]
    if good.size:
        assert float(a["ratio_median"]) == pytest.approx(np.median(good))
    tor = study.sensitivity()["example-minimal"]
    assert str(a["driver"].values) == str(tor["parameter"].values[0])
    assert float(a["ratio_nominal"]) == pytest.approx(float(study.compare()["cost_ratio_vs_terrestrial"].sel(architecture="example-minimal")))
    assert str(ans["kind"].sel(architecture="terrestrial-hyperscale").values) == "terrestrial"
    text = first_screen(ans)
    assert text["example-minimal"].startswith("example-minimal: ")
    assert "64 Monte Carlo samples" in text["example-minimal"]


def test_table_verdict_uses_the_same_words_as_the_first_screen():
    """SpaceX's case in issue 16: nominally feasible, feasible in 7.5 % of the samples."""
    row = {**BASE, "p_feasible": 0.075, "p_cheaper": 0.0, "feasible_nominal": True}
    assert wording.short_verdict(row, 0.8) == ("infeasible (closes in 8 % of 400 samples; nominal design closes); "
                                                "not cheaper than the ground (cheaper in 0 % of the samples)")
    row = {**BASE, "p_feasible": 0.155, "feasible_nominal": False, "binding_nominal": "deployment_time"}
    assert wording.short_verdict(row, 0.8).startswith(
        "feasible only under favourable assumptions (closes in 16 % of 400 samples; nominal design: launch cadence)")
