"""'Under whose beliefs?' on the first screen (orbitdc.report.beliefs.scenario_outcomes / wording.whose_sentence /
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
from orbitdc.report import beliefs, figures, published, wording


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
    assert wording.whose_sentence(_hand_built(), "acme-orbital") == (
        "Acme — acme orbital: Under Acme's own figures (proponent scenario), its new capacity becomes cheaper than the "
        "ground in 2044; under the base figures, it does not by 2050; under the skeptics' figures, its 2030 "
        "satellite does not close (launch: a satellite is heavier than what the Starship can carry).")


def test_sentence_without_any_crossing_says_what_does_not_happen():
    ds = _hand_built()
    ds["crossover_within_horizon"][:] = False
    ds["crossover_year"][:] = np.nan
    text = wording.whose_sentence(ds, "acme-orbital")
    # the first clause that does not cross says what does not happen; nothing says a year
    assert text.startswith("Acme — acme orbital: Under Acme's own figures (proponent scenario), its new capacity does "
                           "not become cheaper than the ground by 2050; under the base figures, it does not by 2050")
    assert "2044" not in text


def test_sentence_skips_a_scenario_not_shipped():
    ds = _hand_built()
    ds["ships_scenario"][0, 1] = False
    assert "base figures" not in wording.whose_sentence(ds, "acme-orbital")


def test_rows_are_words_and_numbers_in_report_style():
    rows = beliefs.whose_rows(_hand_built())
    assert [r["figures"] for r in rows] == ["proponent", "base", "skeptic"]
    assert rows[0]["cost ratio 2035"] == formatting.number(1.2) == "1.2"
    assert rows[0]["cheaper from"] == "2044" and rows[1]["cheaper from"] == "not by 2050"
    # the design's feasibility in the words of every other verdict (wording.feasibility_word)
    assert rows[2]["cost ratio 2030"] == "no design" and rows[2]["2030 design"] == "infeasible: launch mass"
    assert rows[0]["2030 design"] == "feasible"
    assert rows[2]["target power reached"] == "not by 2050"


def test_html_has_no_identifiers_and_describes_each_scenario():
    html = beliefs.whose_html(_hand_built()).data
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    for words in ("proponent scenario: What Acme states", "base scenario: The file as written",
                  "skeptic scenario: What critics assume"):
        assert words in text
    assert "uses the architecture files as written" in text


@pytest.fixture(scope="module")
def outcomes():
    return beliefs.scenario_outcomes(["spacex-starlink-compute", "terrestrial-hyperscale"], range(2026, 2051),
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


def test_with_samples_the_outcomes_are_medians_over_the_samples():
    """The report's one statistic: the median over all samples, a sample that does not get cheaper
    counting as never cheaper -- for the crossover year and the cost ratio in a year, checked against
    the trajectory's own samples here."""
    out = beliefs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030, 2040],
                                    samples=16, seed=7)
    tr = odc.trajectory(odc.load_architecture("spacex-starlink-compute", scenario="constrained-ground"),
                        range(2026, 2051), samples=16, seed=7)
    got = out.sel(architecture="spacex-starlink-compute", scenario="constrained-ground")
    cross = np.sort(np.where(np.isfinite(tr["crossover_year"].values), tr["crossover_year"].values, np.inf))
    want = cross[7]  # the 8th of 16 sorted values (inverted CDF): inf when more than half do not cross
    assert (float(got["crossover_year"]) == want) if np.isfinite(want) else np.isnan(float(got["crossover_year"]))
    r = tr["cost_ratio_vs_terrestrial"].sel(year=2040).values
    assert float(got["cost_ratio_in_year"].sel(year=2040)) == np.sort(np.where(np.isfinite(r), r, np.inf))[7]
    assert out.attrs["samples"] == 16


def test_override_applies_on_top_of_each_scenario():
    """A launch price override replaces every scenario's launch price: the proponent and skeptic
    cohorts then differ only by the scenarios' other values, and the proponent's ratio moves."""
    base = beliefs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030])
    over = beliefs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030],
                                {"launch_price_per_kg": 1000.0})
    tr = odc.trajectory(odc.load_architecture("spacex-starlink-compute", scenario="proponent"),
                        range(2026, 2051), launch_price_per_kg=1000.0)
    got = float(over["cost_ratio_in_year"].sel(architecture="spacex-starlink-compute", scenario="proponent", year=2030))
    assert got == float(tr["cost_ratio_vs_terrestrial"].sel(year=2030))
    assert got > float(base["cost_ratio_in_year"].sel(architecture="spacex-starlink-compute", scenario="proponent", year=2030))
    assert over.attrs["overrides"] == "launch_price_per_kg"


def test_study_caches_and_starts_from_the_file_when_built_with_a_scenario():
    from orbitdc.report import Study

    st = Study(["spacex-starlink-compute"], samples=4, seed=3, scenario="skeptic")
    ds = beliefs.whose_beliefs(st)
    assert beliefs.whose_beliefs(st) is ds
    assert ds.attrs["study_scenario"] == "skeptic" and ds.attrs["samples"] == 4
    # the study's Monte Carlo (its sample count and seed), from the file as written
    plain = beliefs.scenario_outcomes(["spacex-starlink-compute"], range(2026, 2051), [2030, 2035, 2040],
                                      samples=4, seed=3)
    xr.testing.assert_identical(ds.drop_attrs(), plain.drop_attrs())
    assert "skeptic figures" in beliefs.whose_html(ds).data


def test_percent_is_the_report_style():
    assert [formatting.percent(p) for p in (0.0, 0.004, 0.3125, 0.996, 1.0, float("nan"))] == \
        ["0 %", "0.4 %", "31 %", "99.6 %", "100 %", "n/a"]


# ---- which belief gives which answer (issue 22: the inputs that move the answer, beside sources)
@pytest.fixture(scope="module")
def spacex_beliefs(outcomes):
    return beliefs.belief_inputs(outcomes)


def test_belief_inputs_are_the_shift_of_putting_one_input_back(spacex_beliefs):
    """Each listed shift is, by its definition, evaluate under the scenario minus evaluate under the
    scenario with that one input at the architecture file's own value; recomputed here from the
    public API, and the listed inputs are the largest shifts (sorted by size)."""
    from orbitdc.architectures import apply_scenario, load_architecture

    rows = [r for r in spacex_beliefs if r["architecture"] == "spacex-starlink-compute"]
    assert {r["scenario"] for r in rows} >= {"proponent", "skeptic"} and "base" not in {r["scenario"] for r in rows}
    proponent = next(r for r in rows if r["scenario"] == "proponent")
    assert 1 <= len(proponent["inputs"]) <= beliefs.TOP_BELIEFS
    base = load_architecture("spacex-starlink-compute")
    applied = apply_scenario(base, "proponent")
    full = float(odc.evaluate(applied)["cost_ratio_vs_terrestrial"])
    shifts = []
    for row in proponent["inputs"]:
        name = row["input"].replace(" ", "_")
        undone = dict(applied.parameters)
        undone[name] = base.parameters[name]
        without = type(applied)(**{**applied.__dict__, "parameters": undone})
        shift = full - float(odc.evaluate(without)["cost_ratio_vs_terrestrial"])
        assert row["moves the cost ratio by"] == f"{shift:+.2f}"
        shifts.append(abs(shift))
    assert shifts == sorted(shifts, reverse=True)


def test_the_party_is_quoted_only_for_its_own_statements(spacex_beliefs):
    from orbitdc.architectures import load_scenario, load_architecture

    sc = load_scenario(load_architecture("spacex-starlink-compute"), "proponent")
    for r in spacex_beliefs:
        if (r["architecture"], r["scenario"]) != ("spacex-starlink-compute", "proponent"):
            continue
        for row in r["inputs"]:
            stated = sc.attribution_of("parameters", row["input"].replace(" ", "_")) == "statement"
            assert (row["whose"] == f"stated by {sc.party}") == stated
        assert r["attribution"].startswith("Under ") and "base values (no statement)" in r["attribution"]
    # a critique's values are the critique's, never the company's
    skeptic = next(r for r in spacex_beliefs if (r["architecture"], r["scenario"]) == ("spacex-starlink-compute", "skeptic"))
    assert skeptic["inputs"] and not any("SpaceX" in row["whose"] for row in skeptic["inputs"])


def test_belief_inputs_are_shown_folded_in_words(outcomes, spacex_beliefs):
    import json

    ds = outcomes.copy()
    ds.attrs["belief_inputs"] = json.dumps(spacex_beliefs)
    html = beliefs.whose_html(ds).data
    part = html[html.index("<details>"):]
    assert "Which belief gives which answer" in part and "proponent scenario" in part
    text = re.sub(r"<[^>]+>", " ", part)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)
