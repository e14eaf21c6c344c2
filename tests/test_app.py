"""orbitdc app without a browser: the functions that turn data into sliders, results into words,
a design into a URL and a YAML file, and the session object that wires them (tests/
test_browser_app.py drives the real thing in Chromium)."""
from __future__ import annotations

import functools
import math
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc import app
from orbitdc.cli import main
from orbitdc.errors import OrbitdcError

ARCH = "spacex-starlink-compute"


@pytest.fixture(scope="module")
def arch():
    return odc.load_architecture(ARCH)


@pytest.fixture(scope="module")
def knobs(arch):
    return app.knobs(arch)


# ----------------------------------------------------------------------------------------------
# Numbers on screen
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x, text", [
    (2.747389, "2.75"), (0.049312, "0.0493"), (41234.4, "41,234"), (9.996, "10.0"), (0.0, "0"),
    (-3.14159, "-3.14"), (123.456, "123"), (1.0, "1.00"),
])
def test_significant_figures(x, text):
    assert app.significant(x) == text


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf, None])
def test_significant_never_prints_nan(x):
    assert app.significant(x) == ""


@given(st.floats(min_value=1e-6, max_value=1e9), st.floats(min_value=1e-3, max_value=1e3))
def test_nice_step_is_1_2_5_and_gives_at_most_the_target_steps(low, width):
    span = width * low + 1e-9
    step = app._nice_step(span)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 5, 10))
    assert span / step <= app.SLIDER_STEPS * (1 + 1e-9)
    assert span / step > app.SLIDER_STEPS / 2.5 * (1 - 1e-9)  # the next finer 1-2-5 step would give too many


# ----------------------------------------------------------------------------------------------
# Knobs: ranges, units and sources from data
# ----------------------------------------------------------------------------------------------
def test_knob_range_unit_and_value_come_from_the_architecture_file(knobs):
    # data/architectures/spacex-starlink-compute.yaml: launch_price_per_kg 200 USD/kg in [10, 1000]
    k = knobs["launch_price_per_kg"]
    assert (k.value, k.low, k.high, k.unit) == (200.0, 10.0, 1000.0, "USD/kg")
    assert k.label == "launch_price_per_kg [USD/kg]"
    assert k.step == 5.0  # (1000 - 10) / 200 = 4.95 -> 5


def test_every_knob_is_consistent_with_the_loader(arch, knobs):
    assert len(knobs) > 20
    for name, k in knobs.items():
        p = arch.parameters[name]
        assert k.low < k.high and k.low <= k.value <= k.high, name
        # the same conversion as the YAML loader, bit for bit (so a downloaded design matches)
        assert k.canonical(k.value) == p.canonical_value, name
        assert (k.canonical(k.low), k.canonical(k.high)) == (p.canonical_low, p.canonical_high), name
        for key in p.sources:
            assert f"{key} ({arch.references[key].tag})" in k.description, (name, key)


def test_a_knob_in_another_unit_than_the_chain(knobs, arch):
    # target_it_power is written in GW or MW in files but read in kW by the chain
    k = knobs["target_it_power"]
    assert k.canonical_unit == "kW"
    assert k.canonical(k.value) == arch.parameters["target_it_power"].canonical_value


def test_knob_parse(knobs):
    k = knobs["shielding_thickness"]  # mm, [2, 10]
    assert k.parse("0.35 cm") == pytest.approx(3.5, rel=1e-15)
    assert k.parse("4") == 4.0  # a bare number is in the slider's unit
    with pytest.raises(OrbitdcError, match=r"outside the range from data \[2, 10\] mm"):
        k.parse("1 mm")
    assert k.parse("1 mm", clamp=True) == 2.0
    with pytest.raises(OrbitdcError, match="shielding_thickness"):
        k.parse("3 kg")
    with pytest.raises(OrbitdcError):
        k.parse("nan mm")


def test_top_sliders_follow_the_tornado(arch):
    tor = odc.sensitivity(arch, output="cost_ratio_vs_terrestrial")
    sliders = app.knobs(arch)
    expected = [str(p) for p, s in zip(tor.parameter.values, tor.swing.values) if str(p) in sliders and s > 0]
    assert app.top_parameters(arch) == expected[:app.TOP_SLIDERS]


# ----------------------------------------------------------------------------------------------
# Results in words: never NaN
# ----------------------------------------------------------------------------------------------
def _strings(summary: app.DesignSummary) -> list[str]:
    return [v for v in vars(summary).values() if isinstance(v, str)]


@pytest.mark.parametrize("name", odc.list_architectures())
def test_summary_of_every_shipped_architecture_has_no_nan(name):
    ds = odc.evaluate(name)
    s = app.describe_design(ds)
    for text in _strings(s):
        assert not re.search(r"\bnan\b|\binf\b", text, re.I), text
    assert s.feasible == bool(ds["feasible"])
    if s.kind == "space":
        _close_to_shown(s.cost_ratio_text, float(ds["cost_ratio_vs_terrestrial"]))
        total = sum(v for _, v in s.cost_items) * float(ds["target_it_power"])
        assert total == pytest.approx(float(ds["cost_breakdown"].sum()), rel=1e-12)


def _close_to_shown(shown: str, value: float) -> None:
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert abs(float(shown.replace(",", "")) - value) <= 0.5 * 10.0 ** -decimals


def test_infeasible_design_names_the_binding_constraint_in_words():
    ds = odc.evaluate(ARCH, shielding_thickness="2 mm")  # the dose behind 2 mm of Al exceeds the HBM limit
    assert str(ds["binding_constraint"].values) == "total_ionizing_dose"
    s = app.describe_design(ds)
    assert not s.feasible
    assert s.feasibility_words.startswith("Infeasible. Binding constraint: total ionizing dose - ")
    assert app.constraint_words()["total_ionizing_dose"] in s.feasibility_words


@pytest.mark.parametrize("value, text", [(math.inf, "infinite"), (math.nan, "not defined")])
def test_a_cost_ratio_that_is_not_a_number_is_said_in_words(value, text):
    # The chain prices a design that never delivers its target at inf (issue 13); NaN is not
    # expected from it, but must not reach the screen either.
    ds = odc.evaluate(ARCH, shielding_thickness="2 mm")
    ds["cost_ratio_vs_terrestrial"] = ds["cost_ratio_vs_terrestrial"].copy(data=value)
    s = app.describe_design(ds)
    assert s.cost_ratio_text == text
    assert "total ionizing dose" in s.cost_ratio_words
    for t in _strings(s):
        assert not re.search(r"\bnan\b|\binf\b", t, re.I), t


def test_breakeven_in_words():
    # At the nominal values the non-launch costs of spacex-starlink-compute already exceed the
    # ground's (breakeven_unreachable): words, not NaN.
    ds = odc.evaluate(ARCH)
    # signed break-even (issue 12): a negative price with the flag set, never NaN for a buildable design
    assert bool(ds["breakeven_unreachable"]) and float(ds["breakeven_launch_price"]) < 0
    assert app.describe_design(ds).breakeven_words.startswith("none: costs other than launch")
    terrestrial = app.describe_design(odc.evaluate("terrestrial-hyperscale"))
    assert terrestrial.breakeven_words.startswith("not applicable")
    assert terrestrial.cost_ratio_text == "1.00"


def test_monte_carlo_words_quote_the_quantiles_of_monte_carlo(arch):
    fixed = {"launch_price_per_kg": 300.0}
    words = app.monte_carlo_words(arch, fixed, samples=64, seed=5)
    # the app's band holds the design variables (its words say so): design="nominal", not the default
    mc = odc.monte_carlo(arch, samples=64, seed=5, design="nominal", **fixed)
    r = np.asarray(mc["cost_ratio_vs_terrestrial"].values, dtype=float)
    lo, med, hi = np.quantile(r[np.isfinite(r)], [0.1, 0.5, 0.9])  # data/report.yaml: 80 % interval
    assert f"80 % interval {app.significant(lo)} to {app.significant(hi)} (median {app.significant(med)})" in words
    assert "64 samples" in words


def test_cost_ratio_by_year_in_words():
    import xarray as xr

    # hand-built: the cohort gets cheaper, crosses parity in 2028, and the last year has no
    # finite cost (inf from the chain: a design that never delivers)
    tr = xr.Dataset(
        {"cost_ratio_vs_terrestrial": ("year", [1.5, 1.1, 0.9, math.inf]),
         "crossover_year": ((), 2028.0),
         "design_feasible": ("year", [True, True, True, False])},
        coords={"year": [2026, 2027, 2028, 2029]}, attrs={"architecture_kind": "space"})
    y = app.describe_years(tr, parity=1.0)
    assert y.years == [2026, 2027, 2028, 2029]
    assert y.ratio[:3] == [1.5, 1.1, 0.9] and math.isnan(y.ratio[3])
    assert y.words == ("a new space cohort costs at most the ground's from 2028 (cohort of 2026: 1.50; of 2028: "
                       "0.900); no finite cost in 1 of the years 2026-2029; the cohort's satellite does not close "
                       "in 1 of them.")


def test_cost_ratio_by_year_of_the_trajectory():
    from orbitdc.trajectory import trajectory

    tr = trajectory(ARCH, launch_price_per_kg=300.0)
    y = app.describe_years(tr)
    r = tr["cost_ratio_vs_terrestrial"].values
    assert y.ratio == list(r) and y.years == list(tr["year"].values)
    assert f"cohort of {y.years[0]}: {app.significant(r[0])}; of {y.years[-1]}: {app.significant(r[-1])}" in y.words
    assert app.describe_years(trajectory("terrestrial-hyperscale")).words.startswith("the terrestrial baseline")


# ----------------------------------------------------------------------------------------------
# The URL
# ----------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _choices():
    return app.load_choices([ARCH, "google-suncatcher"])


@pytest.fixture(scope="module")
def choices():
    return _choices()


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_query_round_trips(data):
    choices = _choices()
    sliders = app.knobs(choices[ARCH])
    names = data.draw(st.lists(st.sampled_from(sorted(sliders)), max_size=5, unique=True))
    values = {}
    for n in names:
        k = sliders[n]
        steps = int((k.high - k.low) // k.step)
        values[n] = k.clean(k.low + data.draw(st.integers(0, steps)) * k.step)
    query = app.build_query(ARCH, values, sliders)
    args = {k: [v[-1].encode()] for k, v in parse_qs(urlparse(query).query).items()}
    q = app.parse_query(args, choices, "google-suncatcher")
    assert (q.architecture, q.scenario, q.problems) == (ARCH, None, [])
    assert q.values == pytest.approx(values, rel=1e-12)


def test_bad_query_is_explained_and_skipped(choices):
    args = {"architecture": [b"no-such"], "altitude": [b"9 km"], "bogus": [b"1"], "scenario": [b"optimist"]}
    q = app.parse_query(args, choices, ARCH)
    assert (q.architecture, q.scenario, q.values) == (ARCH, None, {})
    text = " | ".join(q.problems)
    assert "architecture 'no-such' is not one of" in text
    assert "altitude" in text and "outside the range from data" in text
    assert "'bogus' is not a numeric parameter" in text
    # the list is the architecture's scenarios, whatever they are (issue 22 added some)
    known = ", ".join(app.scenarios_of(choices[ARCH]))
    assert {"base", "proponent", "skeptic"} <= set(known.split(", "))
    assert f"scenario 'optimist' is not one of {known}" in text


def test_query_with_a_scenario(choices):
    # data/scenarios/spacex-starlink-compute/proponent.yaml sets launch_price_per_kg to 10 USD/kg
    # (Musk's claim) with its own range: the sliders take the scenario's values and ranges
    args = {"architecture": [ARCH.encode()], "scenario": [b"proponent"], "bus_cost_per_kg": [b"600 USD/kg"]}
    q = app.parse_query(args, choices, ARCH)
    assert (q.scenario, q.values, q.problems) == ("proponent", {"bus_cost_per_kg": 600.0}, [])
    arch = app.with_scenario(choices[ARCH], "proponent")
    assert app.knobs(arch)["launch_price_per_kg"].value == odc.load_architecture(ARCH, scenario="proponent").parameters["launch_price_per_kg"].value
    query = app.build_query(ARCH, q.values, app.knobs(arch), "proponent")
    assert query == "?architecture=spacex-starlink-compute&scenario=proponent&bus_cost_per_kg=600+USD%2Fkg"


# ----------------------------------------------------------------------------------------------
# The downloaded design
# ----------------------------------------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(st.data())
def test_design_yaml_loads_back_to_the_same_numbers(tmp_path_factory, data):
    arch = odc.load_architecture(ARCH)
    sliders = app.knobs(arch)
    names = data.draw(st.lists(st.sampled_from(sorted(sliders)), min_size=1, max_size=4, unique=True))
    values = {}
    for n in names:
        k = sliders[n]
        values[n] = k.clean(k.low + data.draw(st.integers(0, int((k.high - k.low) // k.step))) * k.step)
    path = tmp_path_factory.mktemp("design") / f"{ARCH}-design.yaml"  # a file is named after its architecture
    path.write_text(app.design_yaml(arch, values), encoding="utf-8")
    loaded = odc.load_architecture(path)
    for n, v in values.items():
        assert loaded.parameters[n].value == v and "orbitdc-app-user-setting" in loaded.parameters[n].sources
    a = odc.evaluate(loaded)
    b = odc.evaluate(arch, **{n: sliders[n].canonical(v) for n, v in values.items()})
    for name, var in b.data_vars.items():
        if var.dtype.kind in "fc":
            np.testing.assert_array_equal(a[name].values, var.values, err_msg=name)
        else:
            assert np.array_equal(a[name].values, var.values), name


def test_design_yaml_passes_orbitdc_show(arch, tmp_path):
    path = tmp_path / f"{ARCH}-design.yaml"
    path.write_text(app.design_yaml(arch, {"bus_cost_per_kg": 800.0}), encoding="utf-8")
    script = Path(sys.executable).with_name("orbitdc")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "orbitdc.cli"]
    res = subprocess.run(cmd + ["show", str(path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert re.search(r"^bus_cost_per_kg\s+800(\.0)?\s+USD/kg", res.stdout, re.M)


@pytest.mark.parametrize("scenario", ["proponent", "skeptic"])
def test_design_yaml_of_a_scenario_loads_back_to_the_same_numbers(tmp_path, scenario):
    arch = app.with_scenario(odc.load_architecture(ARCH), scenario)
    changed = app.scenario_parameters(arch)
    assert changed  # the scenario files change several values (data/scenarios/spacex-starlink-compute/)
    k = app.knobs(arch)["space_wacc"]
    values = {"space_wacc": k.clean(k.low + 3 * k.step)}
    path = tmp_path / f"{ARCH}-design.yaml"
    path.write_text(app.design_yaml(arch, values), encoding="utf-8")
    loaded = odc.load_architecture(path)
    for n in changed:
        if n in values:  # the slider's value replaces the scenario's (the proponent sets space_wacc too);
            continue     # the evaluations below compare the numbers it gives
        assert loaded.parameters[n].value == arch.parameters[n].value, n
        assert loaded.parameters[n].sources == arch.parameters[n].sources, n
    a = odc.evaluate(loaded)
    b = odc.evaluate(ARCH, scenario=scenario, space_wacc=k.canonical(values["space_wacc"]))
    for name, var in b.data_vars.items():
        if var.dtype.kind in "fc":
            np.testing.assert_array_equal(a[name].values, var.values, err_msg=name)
        else:
            assert np.array_equal(a[name].values, var.values), name


def test_design_yaml_year_by_year_with_the_fleet_named_in_its_header(tmp_path):
    from orbitdc.fleet import fleet_path
    from orbitdc.trajectory import trajectory

    arch = app.with_scenario(odc.load_architecture(ARCH), "skeptic")
    k = app.knobs(arch)["launch_price_per_kg"]
    text = app.design_yaml(arch, {"launch_price_per_kg": k.high})
    fleet = re.search(r"--fleet (\S+)", text.splitlines()[2]).group(1)
    assert Path(fleet).name == fleet_path(arch).name
    path = tmp_path / f"{ARCH}-design.yaml"
    path.write_text(text, encoding="utf-8")
    a = trajectory(path, fleet=fleet_path(arch))
    b = trajectory(arch, launch_price_per_kg=k.canonical(k.high))
    np.testing.assert_array_equal(a["cost_ratio_vs_terrestrial"].values, b["cost_ratio_vs_terrestrial"].values)


def test_session_with_a_scenario(choices):
    session = app.DesignApp(choices, query={"architecture": [ARCH.encode()], "scenario": [b"skeptic"]})
    assert session.scenario == "skeptic" and session.scenario_select.visible
    expected = float(odc.evaluate(ARCH, scenario="skeptic")["cost_ratio_vs_terrestrial"])
    _close_to_shown(re.search(r'data-odc="cost-ratio">([^<]+)<', session.ratio_pane.object).group(1), expected)
    session.arch_select.value = "google-suncatcher"  # another architecture: its own scenarios, none chosen
    assert session.scenario is None
    assert list(session.scenario_select.options.values()) == ["", *odc.list_scenarios("google-suncatcher")]
    session.scenario_select.value = "proponent"
    expected = float(odc.evaluate("google-suncatcher", scenario="proponent")["cost_ratio_vs_terrestrial"])
    _close_to_shown(re.search(r'data-odc="cost-ratio">([^<]+)<', session.ratio_pane.object).group(1), expected)


def test_design_yaml_refuses_a_parameter_without_a_range(arch):
    with pytest.raises(OrbitdcError, match="orbit_type"):
        app.design_yaml(arch, {"orbit_type": 1.0})


# ----------------------------------------------------------------------------------------------
# The session object, in process
# ----------------------------------------------------------------------------------------------
def test_session_follows_a_slider_and_writes_the_url(choices):
    from panel.io.location import Location

    loc = Location()  # what pn.state.location is in a server session
    session = app.DesignApp(choices, query={"architecture": [ARCH.encode()]}, location=loc)
    k = session.knobs["launch_price_per_kg"]
    session.sliders["launch_price_per_kg"].value = k.value + 7 * k.step
    expected = float(odc.evaluate(ARCH, launch_price_per_kg=k.value + 7 * k.step)["cost_ratio_vs_terrestrial"])
    shown = re.search(r'data-odc="cost-ratio">([^<]+)<', session.ratio_pane.object).group(1)
    _close_to_shown(shown, expected)
    assert loc.search == app.build_query(ARCH, {"launch_price_per_kg": k.value + 7 * k.step}, session.knobs)
    assert session.last_ms > 0
    # the year-by-year chart follows the same design
    from orbitdc.trajectory import trajectory

    tr = trajectory(ARCH, launch_price_per_kg=k.value + 7 * k.step)
    assert list(session.year_source.data["ratio"]) == list(tr["cost_ratio_vs_terrestrial"].values)
    assert app.describe_years(tr).words.replace("'", "&#x27;") in session.years_pane.object
    # the browser reporting another location (its own, right after the page loads) is answered
    # with the design's
    loc.search = ""
    assert loc.search == app.build_query(ARCH, {"launch_price_per_kg": k.value + 7 * k.step}, session.knobs)


def test_session_switches_architecture_and_resets(choices):
    session = app.DesignApp(choices, query={"architecture": [ARCH.encode()], "bus_cost_per_kg": [b"800 USD/kg"]})
    assert session.values() == {"bus_cost_per_kg": 800.0}
    session.arch_select.value = "google-suncatcher"
    assert session.values() == {}
    assert list(session.sliders) == app.top_parameters(choices["google-suncatcher"])
    assert "Infeasible" in session.feasibility_pane.object  # suncatcher does not close at its own values


def test_session_shows_errors_as_one_line(choices, monkeypatch):
    session = app.DesignApp(choices, query={"architecture": [ARCH.encode()]})

    def boom(*a, **k):
        raise OrbitdcError("parameter 'x': something is wrong")

    monkeypatch.setattr("orbitdc.chain.evaluate", boom)
    session.sliders["launch_price_per_kg"].value = session.knobs["launch_price_per_kg"].high
    assert "parameter &#x27;x&#x27;: something is wrong" in session.notice.object
    assert "No result for this design" in session.ratio_pane.object

    def crash(*a, **k):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr("orbitdc.chain.evaluate", crash)
    session.sliders["launch_price_per_kg"].value = session.knobs["launch_price_per_kg"].low
    assert "internal error (ZeroDivisionError: bug)" in session.notice.object
    assert "Traceback" not in session.notice.object


# ----------------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------------
def test_cli_app_bad_architecture_is_one_line_exit_2(capsys):
    assert main(["app", "no-such-architecture", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("orbitdc: error: unknown architecture 'no-such-architecture'")


def test_cli_app_bad_port_is_one_line_exit_2(capsys):
    assert main(["app", ARCH, "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["orbitdc: error: --port 70000: expected a port number from 0 to 65535"]


def test_cli_app_busy_port_is_one_line_exit_2(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert main(["app", ARCH, "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"orbitdc: error: cannot listen on 127.0.0.1:{port}")


def test_live_panel_builds_for_the_report_architectures():
    panel = app.live_panel(["spacex-starlink-compute", "terrestrial-hyperscale"], {"launch_price_per_kg": 5000})
    arch_w, launch, bus = panel[0]
    assert arch_w.options == ["spacex-starlink-compute"]  # the terrestrial baseline launches nothing
    k = app.knobs(odc.load_architecture(ARCH))["launch_price_per_kg"]
    assert (launch.start, launch.end, launch.value) == (k.low, k.high, k.high)  # 5000 brought into range
