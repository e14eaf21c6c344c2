"""'Under whose beliefs?' on the first screen (report_sections.scenario_outcomes / whose_sentence /
whose_rows / whose_html): the sentences are checked against hand-built Datasets (a scenario that
crosses, one that never does, one whose design does not close), the numbers against
orbitdc.trajectory itself."""
from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc import formatting
from orbitdc import report_sections as rs


def _hand_built() -> xr.Dataset:
    """One architecture ("acme-orbital", company Acme), three scenarios over 2030/2035/2040, horizon 2050:
    proponent crosses in 2044; base never does; skeptic's 2030 design is too heavy for its vehicle."""
    dims = ("architecture", "scenario")
    one = lambda *v: np.array([v])  # noqa: E731
    return xr.Dataset(
        {"cost_ratio_in_year": (dims + ("year",), np.array([[[1.5, 1.2, 1.05], [3.0, 2.2, 1.9],
                                                             [np.nan, np.nan, np.nan]]])),
         "crossover_year": (dims, one(2044.0, np.nan, np.nan)),
         "crossover_within_horizon": (dims, one(True, False, False)),
         "target_reached_year": (dims, one(2033.0, 2036.0, np.nan)),
         "design_feasible": (dims, one(True, True, False)),
         "binding_constraint": (dims, one("none", "none", "launch_mass")),
         "binding_words": (dims, one("", "", "launch: a satellite is heavier than what the Starship can carry")),
         "scenario_description": (dims, one("What Acme states.", "The file as written.", "What critics assume."))},
        coords={"architecture": ["acme-orbital"], "scenario": ["proponent", "base", "skeptic"],
                "year": [2030, 2035, 2040], "company": ("architecture", ["Acme"]),
                "ships_scenario": (dims, one(True, True, True))},
        attrs={"last_year": 2050, "feasibility_year": 2030, "overrides": "none", "study_scenario": "none"})


def test_sentence_crosses_never_and_infeasible():
    assert rs.whose_sentence(_hand_built(), "acme-orbital") == (
        "acme-orbital: Under Acme's own figures (proponent scenario), its new capacity becomes cheaper than the "
        "ground in 2044; under the base figures, it does not by 2050; under the skeptics' figures, its 2030 "
        "satellite does not close (launch: a satellite is heavier than what the Starship can carry).")


def test_sentence_without_any_crossing_says_what_does_not_happen():
    ds = _hand_built()
    ds["crossover_within_horizon"][:] = False
    ds["crossover_year"][:] = np.nan
    text = rs.whose_sentence(ds, "acme-orbital")
    # the first clause that does not cross says what does not happen; nothing says a year
    assert text.startswith("acme-orbital: Under Acme's own figures (proponent scenario), its new capacity does "
                           "not become cheaper than the ground by 2050; under the base figures, it does not by 2050")
    assert "2044" not in text


def test_sentence_skips_a_scenario_not_shipped():
    ds = _hand_built()
    ds["ships_scenario"][0, 1] = False
    assert "base figures" not in rs.whose_sentence(ds, "acme-orbital")


def test_rows_are_words_and_numbers_in_report_style():
    rows = rs.whose_rows(_hand_built())
    assert [r["figures"] for r in rows] == ["proponent", "base", "skeptic"]
    assert rows[0]["cost ratio 2035"] == formatting.number(1.2) == "1.2"
    assert rows[0]["cheaper from"] == "2044" and rows[1]["cheaper from"] == "not by 2050"
    assert rows[2]["cost ratio 2030"] == "no design" and rows[2]["2030 design"] == "no: launch mass"
    assert rows[2]["target power reached"] == "not by 2050"


def test_html_has_no_identifiers_and_describes_each_scenario():
    html = rs.whose_html(_hand_built()).data
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    for words in ("proponent scenario: What Acme states", "base scenario: The file as written",
                  "skeptic scenario: What critics assume"):
        assert words in text
    assert "uses the architecture files as written" in text


@pytest.fixture(scope="module")
def outcomes():
    return rs.scenario_outcomes(["spacex-starlink-compute", "terrestrial-hyperscale"], range(2026, 2051),
                                [2030, 2035, 2040])


def test_spacex_proponent_crossover_is_the_trajectory_s(outcomes):
    tr = odc.trajectory(odc.load_architecture("spacex-starlink-compute", scenario="proponent"))
    got = outcomes.sel(architecture="spacex-starlink-compute", scenario="proponent")
    # SpaceX's own figures (issue 22: AI1 top-down, base where SpaceX stated nothing; the cost view
    # of time to power) cross in 2035; whatever the year, the section's is the trajectory's (NaN: not by 2050)
    want = float(tr["crossover_year"])
    np.testing.assert_equal(float(got["crossover_year"]), want)
    np.testing.assert_array_equal(got["cost_ratio_in_year"].values,
                                  tr["cost_ratio_vs_terrestrial"].sel(year=[2030, 2035, 2040]).values)
    # the ground has no scenarios and no cohort to cross over: left out
    assert list(outcomes["architecture"].values) == ["spacex-starlink-compute"]
    assert list(outcomes["scenario"].values) == ["proponent", "base", "skeptic", "constrained-ground",
                                                 "skeptic-turyshev"]


def test_a_crossing_scenario_is_the_trajectory_s(outcomes):
    # the constrained ground (Northern Virginia's 7-year grid wait from the region table, no bridge
    # power, the market view) is a shipped case that crosses
    tr = odc.trajectory(odc.load_architecture("spacex-starlink-compute", scenario="constrained-ground"))
    want = float(tr["crossover_year"])
    got = outcomes.sel(architecture="spacex-starlink-compute", scenario="constrained-ground")
    assert np.isfinite(want) and float(got["crossover_year"]) == want


def test_override_applies_on_top_of_each_scenario():
    """A launch price override replaces every scenario's launch price: the proponent and skeptic
    cohorts then differ only by the scenarios' other values, and the proponent's ratio moves."""
    base = rs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030])
    over = rs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030],
                                {"launch_price_per_kg": 1000.0})
    tr = odc.trajectory(odc.load_architecture("spacex-starlink-compute", scenario="proponent"),
                        range(2026, 2051), launch_price_per_kg=1000.0)
    got = float(over["cost_ratio_in_year"].sel(architecture="spacex-starlink-compute", scenario="proponent", year=2030))
    assert got == float(tr["cost_ratio_vs_terrestrial"].sel(year=2030))
    assert got > float(base["cost_ratio_in_year"].sel(architecture="spacex-starlink-compute", scenario="proponent", year=2030))
    assert over.attrs["overrides"] == "launch_price_per_kg"


def test_study_caches_and_starts_from_the_file_when_built_with_a_scenario():
    from orbitdc.study import Study

    st = Study(["spacex-starlink-compute"], samples=2, scenario="skeptic")
    ds = rs.whose_beliefs(st)
    assert rs.whose_beliefs(st) is ds
    assert ds.attrs["study_scenario"] == "skeptic"
    plain = rs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030, 2035, 2040])
    xr.testing.assert_identical(ds.drop_attrs(), plain.drop_attrs())
    assert "skeptic figures" in rs.whose_html(ds).data


def test_percent_is_the_report_style():
    assert [formatting.percent(p) for p in (0.0, 0.004, 0.3125, 0.996, 1.0, float("nan"))] == \
        ["0 %", "0.4 %", "31 %", "99.6 %", "100 %", "n/a"]
