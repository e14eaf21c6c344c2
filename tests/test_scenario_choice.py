"""Issue 15: how a user picks a scenario -- the API (evaluate, monte_carlo, trajectory), the command
line (orbitdc evaluate | trajectory | report --scenario S) and the report's Study, whose cache key
must tell scenarios apart."""
from __future__ import annotations

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import cli
from orbitdc.errors import OrbitdcError
from orbitdc.report import Study

SPACEX = "spacex-starlink-compute"
GROUND = "terrestrial-hyperscale"


def test_api_takes_a_scenario_everywhere():
    # data/scenarios/spacex-starlink-compute/proponent.yaml: launch at Musk's ~$10/kg
    ev = odc.evaluate(SPACEX, scenario="proponent")
    assert float(ev["launch_price_per_kg"]) == 10.0 and ev.attrs["scenario"] == "proponent"
    mc = odc.monte_carlo(SPACEX, 64, seed=0, scenario="proponent", design="nominal")
    assert mc["launch_price_per_kg"].values.min() >= 10.0 and mc.attrs["scenario"] == "proponent"
    tr = odc.trajectory(SPACEX, range(2030, 2033), scenario="proponent")
    base = odc.trajectory(SPACEX, range(2030, 2033))
    assert tr.attrs["scenario"] == "proponent"
    # the claimed $10/kg launch and $500/kg bus make every year cheaper than the file's values
    assert np.all(tr["cost_ratio_vs_terrestrial"].values < base["cost_ratio_vs_terrestrial"].values)


def test_trajectory_of_a_comparison_layers_the_scenario_where_it_exists():
    """The ground baseline ships no scenario: it stays as it is, the space architecture changes."""
    both = odc.trajectory([SPACEX, GROUND], range(2030, 2032), scenario="skeptic")
    alone = odc.trajectory(SPACEX, range(2030, 2032), scenario="skeptic")
    np.testing.assert_array_equal(both["cost_ratio_vs_terrestrial"].sel(architecture=SPACEX).values,
                                  alone["cost_ratio_vs_terrestrial"].values)
    ground = odc.trajectory(GROUND, range(2030, 2032))
    np.testing.assert_array_equal(both["cost_per_kw_year"].sel(architecture=GROUND).values,
                                  ground["cost_per_kw_year"].values)


@pytest.mark.parametrize("bad", ["propnent", "sceptic"])
def test_a_mistyped_scenario_is_one_line_with_a_suggestion(bad):
    with pytest.raises(OrbitdcError, match="did you mean"):
        odc.evaluate(SPACEX, scenario=bad)
    with pytest.raises(OrbitdcError, match="did you mean"):
        odc.trajectory([SPACEX, GROUND], range(2030, 2032), scenario=bad)


def test_cli_evaluate_and_trajectory_take_scenario(capsys):
    assert cli.main(["evaluate", SPACEX, "--scenario", "proponent"]) == 0
    out = capsys.readouterr().out
    assert "scenario 'proponent'" in out
    assert "launch_price_per_kg" in out and "10 USD/kg" in out
    assert cli.main(["trajectory", SPACEX, "--years", "2030-2031", "--scenario", "skeptic"]) == 0
    assert "scenario 'skeptic'" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["evaluate", SPACEX], ["trajectory", SPACEX], ["report", SPACEX, GROUND]])
def test_cli_bad_scenario_exits_2_with_one_line(command, capsys, tmp_path):
    extra = ["--out", str(tmp_path / "r")] if command[0] == "report" else []
    assert cli.main(command + extra + ["--scenario", "propnent"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "unknown scenario 'propnent'" in err and "did you mean proponent" in err
    assert "Traceback" not in err and captured.out == ""
    assert not (tmp_path / "r").exists()  # nothing written


def test_study_applies_the_scenario_and_keys_on_it(tmp_path):
    plain = Study([SPACEX, GROUND], samples=8, seed=1, output_dir=tmp_path)
    pro = Study([SPACEX, GROUND], samples=8, seed=1, output_dir=tmp_path, scenario="proponent")
    base = Study([SPACEX, GROUND], samples=8, seed=1, output_dir=tmp_path, scenario="base")
    assert pro.archs[0].parameters["launch_price_per_kg"].canonical_value == 10.0
    assert pro.archs[1].parameters == plain.archs[1].parameters  # the ground has no scenario
    # 'base' changes no value, yet its results are labelled with the scenario: its own key
    assert len({plain.key, pro.key, base.key}) == 3
    assert Study([SPACEX, GROUND], samples=8, seed=1, output_dir=tmp_path, scenario="proponent").key == pro.key
    with pytest.raises(OrbitdcError, match="did you mean skeptic"):
        Study([SPACEX], samples=8, seed=1, scenario="skeptik")
