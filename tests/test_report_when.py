"""The first screen's "in which year, with what probability" (issues 14 and 16): the year-by-year
numbers come from a Monte Carlo trajectory and are templated into the sentences and the executive
summary. Tested against hand-built trajectory Datasets whose probabilities and crossover quantiles
are chosen here, so every number in the text is known in advance: one architecture that crosses
(median 2038, 80 % interval 2033 to beyond the horizon), one that never does, one whose median does
not cross although some samples do, and the ground."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from orbitdc.report.record import ANSWER_VARIABLES, TRAJECTORY_ANSWER_VARIABLES, trajectory_answer
from orbitdc.report.wording import crossover_words, first_screen, when_cells

from test_verdicts import BASE

YEARS = np.arange(2026, 2051)
NAMES = ["crosses", "never", "few-cross", "ground"]


def _trajectory() -> xr.Dataset:
    """A summarised trajectory Monte Carlo over four architectures (what _summarize returns)."""
    p = np.zeros((4, YEARS.size))
    # "crosses": P(cheaper) rises linearly from 0 in 2030 to 1 in 2046 -> 0.3125 in 2035, 0.625 in 2040
    p[0] = np.clip((YEARS - 2030) / 16, 0, 1)
    # "few-cross": 5 % of the samples cheaper from 2045 on
    p[2] = np.where(YEARS >= 2045, 0.05, 0.0)
    p[3] = np.nan
    cq = np.array([[2033, 2038, np.nan], [np.nan] * 3, [np.nan] * 3, [np.nan] * 3])
    within = np.array([0.85, 0.0, 0.05, 0.0])
    return xr.Dataset(
        {"probability_space_cheaper": (("architecture", "year"), p),
         "crossover_year_quantile": (("architecture", "quantile"), cq),
         "probability_crossover_within_horizon": ("architecture", within),
         "cost_ratio_vs_terrestrial": (("architecture", "year", "sample"), np.ones((4, YEARS.size, 200)))},
        coords={"architecture": NAMES, "year": YEARS, "quantile": [0.1, 0.5, 0.9],
                "architecture_kind": ("architecture", ["space", "space", "space", "terrestrial"])})


@pytest.fixture(scope="module")
def ans() -> xr.Dataset:
    rows = [{**BASE, **({"kind": "terrestrial", "samples": 0} if n == "ground" else {})} for n in NAMES]
    base = xr.Dataset({k: ("architecture", [r[k] for r in rows]) for k in ANSWER_VARIABLES},
                      coords={"architecture": NAMES}, attrs={"cost_ratio_parity": 1.0, "interval_probability": 0.8})
    out = base.merge(trajectory_answer(_trajectory(), [2030, 2035, 2040]))
    out.attrs.update(cost_ratio_parity=1.0, interval_probability=0.8, horizon_last_year=2050)
    return out


def test_trajectory_answer_reads_the_milestone_years(ans):
    assert set(TRAJECTORY_ANSWER_VARIABLES) <= set(ans.data_vars)
    np.testing.assert_allclose(ans["p_cheaper_in_year"].sel(architecture="crosses"), [0.0, 5 / 16, 10 / 16])
    np.testing.assert_allclose(ans["p_cheaper_in_year"].sel(architecture="few-cross"), [0.0, 0.0, 0.0])
    assert float(ans["crossover_median"].sel(architecture="crosses")) == 2038
    assert float(ans["crossover_low"].sel(architecture="crosses")) == 2033
    assert np.isnan(float(ans["crossover_high"].sel(architecture="crosses")))
    assert int(ans["trajectory_samples"].sel(architecture="crosses")) == 200
    # the ground has no space cohort: nothing to quote
    assert int(ans["trajectory_samples"].sel(architecture="ground")) == 0
    assert np.isnan(ans["p_cheaper_in_year"].sel(architecture="ground")).all()


def test_a_milestone_outside_the_trajectory_is_not_invented():
    t = trajectory_answer(_trajectory(), [2030, 2055])
    assert np.isnan(float(t["p_cheaper_in_year"].sel(architecture="crosses", milestone_year=2055)))


def test_first_screen_says_in_which_year_with_what_probability(ans):
    text = first_screen(ans)
    t = text["crosses"]
    # 5/16 = 31.25 % -> "31 %", 10/16 = 62.5 % -> "62 %" (round half to even)
    assert ("the chance of being cheaper than the ground is 0 % in 2030, 31 % in 2035 and 62 % in 2040; "
            "median crossover year 2038 (80 % interval 2033 to beyond 2050).") in t
    assert "200 samples of the trend rates" in t
    assert "0 % in 2030, 0 % in 2035 and 0 % in 2040; no sample becomes cheaper by 2050, the last year computed." in text["never"]
    assert "median crossover year beyond 2050 (only 5 % of the samples cross by then)." in text["few-cross"]
    assert "Year by year" not in text["ground"]


def test_summary_cells(ans):
    assert when_cells(ans, "crosses") == {
        "P(cheaper than ground) 2030 / 2035 / 2040": "0 % / 31 % / 62 %",
        "crossover year (median, 80 %)": "2038 (80 % interval 2033 to beyond 2050)"}
    assert when_cells(ans, "never")["crossover year (median, 80 %)"] == "not within the horizon (to 2050)"
    assert when_cells(ans, "ground") == {"P(cheaper than ground) 2030 / 2035 / 2040": "n/a",
                                         "crossover year (median, 80 %)": "n/a"}


def test_crossover_words_with_a_finite_interval():
    r = {"crossover_median": 2037.0, "crossover_low": 2031.0, "crossover_high": 2044.0, "p_crossover_within_horizon": 1.0}
    assert crossover_words(r, 2050) == "2037 (80 % interval 2031 to 2044)"


def test_without_trajectory_the_first_screen_is_unchanged():
    rows = [{**BASE}]
    ds = xr.Dataset({k: ("architecture", [r[k] for r in rows]) for k in ANSWER_VARIABLES}, coords={"architecture": ["a"]},
                    attrs={"cost_ratio_parity": 1.0, "interval_probability": 0.8})
    assert "Year by year" not in first_screen(ds)["a"]


def test_study_computes_the_trajectory_once_with_its_seed(tmp_path):
    from orbitdc.report import Study

    study = Study(["example-minimal", "terrestrial-hyperscale"], samples=8, seed=5, output_dir=tmp_path)
    tr = study.trajectory()
    assert study.trajectory() is tr  # cached with the study
    # the space architectures only (each carries its own ground twin)
    assert tr.sizes["sample"] == 8 and list(tr["architecture"].values) == ["example-minimal"]
    assert int(tr["year"].values[0]) == 2026 and int(tr["year"].values[-1]) == 2050  # data/report.yaml
    from orbitdc.trajectory import trajectory

    again = trajectory("example-minimal", range(2026, 2051), samples=8, seed=5)
    np.testing.assert_array_equal(tr["probability_space_cheaper"].sel(architecture="example-minimal").values,
                                  again["probability_space_cheaper"].values)


def test_answer_of_a_study_with_the_ground(tmp_path):
    from orbitdc.report import record
    from orbitdc.report import Study

    study = Study(["example-minimal", "terrestrial-hyperscale"], samples=8, seed=5, output_dir=tmp_path)
    ans = record.answer(study)
    assert int(ans["trajectory_samples"].sel(architecture="terrestrial-hyperscale")) == 0
    assert int(ans["trajectory_samples"].sel(architecture="example-minimal")) == 8
    p = study.trajectory()["probability_space_cheaper"].sel(architecture="example-minimal", year=[2030, 2035, 2040])
    np.testing.assert_array_equal(ans["p_cheaper_in_year"].sel(architecture="example-minimal").values, p.values)
    text = first_screen(ans)
    assert "Year by year" in text["example-minimal"] and "Year by year" not in text["terrestrial-hyperscale"]


def test_the_year_by_year_median_counts_a_sample_without_cost_as_never_cheaper():
    """The median cost ratio of a milestone year's capacity (the two-models table) is the record's
    statistic: over 5 samples 0.8, 1.2, NaN, 2.0, inf the sorted counted values are 0.8, 1.2, 2.0,
    inf, inf, whose inverted-CDF median is the third, 2.0; the nominal trajectory's value is quoted
    beside it as it is."""
    tr = _trajectory().isel(sample=slice(0, 5)).copy(deep=True)
    ratio = tr["cost_ratio_vs_terrestrial"].values
    ratio[0, YEARS.tolist().index(2035), :] = [0.8, 1.2, np.nan, 2.0, np.inf]
    tr["cost_ratio_vs_terrestrial"] = (("architecture", "year", "sample"), ratio)
    nominal = xr.Dataset({"cost_ratio_vs_terrestrial": (("architecture", "year"), np.full((3, YEARS.size), 1.5))},
                         coords={"architecture": NAMES[:3], "year": YEARS})
    t = trajectory_answer(tr, [2030, 2035], nominal)
    assert float(t["ratio_in_year_median"].sel(architecture="crosses", milestone_year=2035)) == 2.0
    assert float(t["ratio_in_year_median"].sel(architecture="crosses", milestone_year=2030)) == 1.0
    assert float(t["ratio_in_year_nominal"].sel(architecture="never", milestone_year=2035)) == 1.5
    assert np.isnan(float(t["ratio_in_year_nominal"].sel(architecture="ground", milestone_year=2035)))
    assert np.isnan(float(t["ratio_in_year_median"].sel(architecture="ground", milestone_year=2035)))
