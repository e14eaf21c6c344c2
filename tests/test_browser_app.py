"""``orbitdc app`` in a real browser: the command runs as a subprocess on a free localhost port and
headless Chromium, cut off from the network (tests/browser_support.py), drives it with selenium.

What is checked, as issue 11 asks:
* the page renders with nothing requested from outside 127.0.0.1 and no console error;
* moving a slider (the keyboard on its handle, as a user would) changes the displayed cost ratio
  to what ``orbitdc.evaluate`` gives with the same override, to the displayed precision;
* an infeasible setting shows the binding constraint in words, never NaN or a traceback;
* the URL holds the state: opening it again restores the sliders and the numbers;
* "download this design" writes a YAML file that ``orbitdc show`` loads and that evaluates to
  the same numbers as the overrides.
Every wait is explicit, with a timeout; the server's process group is always killed.
"""
from __future__ import annotations

import math
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

import orbitdc as odc
from browser_support import (FIND_JS, console_errors, external_requests, free_port, offline_chromium,
                             server_process)
from orbitdc import app as odc_app

pytestmark = pytest.mark.slow

# spacex-starlink-compute closes at its nominal values, and its tornado puts launch_price_per_kg
# and bus_cost_per_kg among the first sliders; shielding_thickness at its low end (2 mm) breaks
# the total-dose constraint (the dose behind 2 mm of Al exceeds the HBM limit).
ARCH = "spacex-starlink-compute"
OTHER = "google-suncatcher"
WAIT = 60  # seconds: every explicit wait


def _orbitdc_cmd() -> list[str]:
    script = Path(sys.executable).with_name("orbitdc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "orbitdc.cli"]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    cmd = _orbitdc_cmd() + ["app", ARCH, OTHER, "--port", str(port)]
    with server_process(cmd, ready_text="orbitdc app: serving", port=port, timeout=180):
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(server, downloads):
    with offline_chromium(download_dir=downloads) as driver:
        yield driver


# ----------------------------------------------------------------------------------------------
# Page helpers
# ----------------------------------------------------------------------------------------------
def _text(driver, key: str) -> str | None:
    return driver.execute_script(FIND_JS + "const e = find(document, arguments[0]); return e ? e.textContent : null;",
                                 f'[data-odc="{key}"]')


def _handle(driver, param: str):
    """The noUiSlider handle (a focusable element) of the slider of ``param``."""
    return driver.execute_script(
        FIND_JS + "const host = find(document, arguments[0]); return host && host.shadowRoot ? "
        "host.shadowRoot.querySelector('.noUi-handle') : null;", f".odc-param-{param}")


def _slider_shown_value(driver, param: str) -> str | None:
    return driver.execute_script(
        FIND_JS + "const host = find(document, arguments[0]); const v = host && host.shadowRoot ? "
        "host.shadowRoot.querySelector('.bk-slider-value') : null; return v ? v.textContent : null;",
        f".odc-param-{param}")


def _query(driver) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def _open(driver, url: str) -> None:
    """Load ``url`` and wait until the first result is on screen and written to the URL."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: _text(d, "cost-ratio") or _text(d, "cost-ratio-words"))
    WebDriverWait(driver, WAIT, poll_frequency=0.2).until(lambda d: "architecture" in _query(d))


def _wait_query(driver, param: str, expected: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT, poll_frequency=0.1).until(
        lambda d: _query(d).get(param) == expected,
        message=f"URL never showed {param}={expected!r} (it has {_query(driver)})")


def _press(driver, param: str, key, times: int = 1) -> None:
    handle = _handle(driver, param)
    assert handle is not None, f"no slider for {param}"
    for _ in range(times):
        handle.send_keys(key)


def _quantity(text: str) -> tuple[float, str]:
    value, _, unit = text.partition(" ")
    return float(value), unit


def _assert_shown_equals(shown: str, expected: float) -> None:
    """``shown`` (e.g. '2.83' or '1,234') equals ``expected`` to the precision it is shown with."""
    number = float(shown.replace(",", ""))
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert math.isfinite(expected)
    assert abs(number - expected) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9), (shown, expected)


def _page_text(driver) -> str:
    return driver.execute_script(
        FIND_JS + "return findAll(document, '[data-odc], .bk-slider-title, .odc-problem').map(e => e.textContent).join(' | ');")


# ----------------------------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------------------------
def test_page_renders_offline_with_the_nominal_design(server, browser):
    _open(browser, server)
    assert _query(browser) == {"architecture": ARCH}
    _assert_shown_equals(_text(browser, "cost-ratio"), float(odc.evaluate(ARCH)["cost_ratio_vs_terrestrial"]))
    nominal = odc.evaluate(ARCH)
    if bool(nominal["feasible"]):
        assert _text(browser, "feasibility").startswith("Feasible")
    else:  # the default SpaceX fleet needs 5.3 years for 1 GW from 2030, more than a 5-year life
        shown = _text(browser, "feasibility")
        assert shown.startswith("Infeasible"), shown
        assert str(nominal["binding_constraint"].values).replace("_", " ") in shown
    canvases = browser.execute_script(FIND_JS + "return findAll(document, 'canvas').length;")
    assert canvases >= 3  # the cost breakdown, the mass budget, the cost ratio by year
    from orbitdc.trajectory import trajectory
    from selenium.webdriver.support.ui import WebDriverWait

    years = odc_app.describe_years(trajectory(ARCH)).words
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(lambda d: _text(d, "years") == years,
                                                           message=f"years: {_text(browser, 'years')!r} != {years!r}")
    assert external_requests(browser) == []
    assert console_errors(browser) == []


def test_slider_move_gives_the_cost_ratio_of_evaluate(server, browser):
    from selenium.webdriver.common.keys import Keys

    _open(browser, f"{server}?architecture={ARCH}")
    knob = odc_app.knobs(odc.load_architecture(ARCH))["launch_price_per_kg"]
    before = _text(browser, "cost-ratio")
    _press(browser, "launch_price_per_kg", Keys.ARROW_RIGHT, times=3)
    moved = knob.clean(knob.value + 3 * knob.step)
    _wait_query(browser, "launch_price_per_kg", knob.query_text(moved))
    value, unit = _quantity(_query(browser)["launch_price_per_kg"])
    assert (value, unit) == (moved, "USD/kg")
    assert float(_slider_shown_value(browser, "launch_price_per_kg").replace(",", "")) == moved
    expected = odc.evaluate(ARCH, launch_price_per_kg=f"{value} {unit}")
    shown = _text(browser, "cost-ratio")
    _assert_shown_equals(shown, float(expected["cost_ratio_vs_terrestrial"]))
    assert shown != before  # 3 steps of the launch price move the third significant figure
    assert external_requests(browser) == []
    assert console_errors(browser) == []


def test_infeasible_setting_shows_the_binding_constraint(server, browser):
    from selenium.webdriver.common.keys import Keys

    knob = odc_app.knobs(odc.load_architecture(ARCH))["shielding_thickness"]
    # a parameter in the link gets a slider even when it is not at the top of the tornado
    # from 2031 the default fleet deploys SpaceX's 1 GW within a satellite's life (from 2030 it
    # does not), so the page starts from a design that closes
    _open(browser, f"{server}?architecture={ARCH}&shielding_thickness=5+mm&start_year=2031")
    assert bool(odc.evaluate(ARCH, shielding_thickness="5 mm", start_year=2031)["feasible"])
    assert _text(browser, "feasibility").startswith("Feasible")
    _press(browser, "shielding_thickness", Keys.HOME)
    _wait_query(browser, "shielding_thickness", knob.query_text(knob.low))
    expected = odc.evaluate(ARCH, shielding_thickness=f"{knob.low} {knob.unit}", start_year=2031)
    assert not bool(expected["feasible"]) and str(expected["binding_constraint"].values) == "total_ionizing_dose"
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, WAIT, poll_frequency=0.1).until(lambda d: _text(d, "feasibility").startswith("Infeasible"))
    words = _text(browser, "feasibility")
    assert "Binding constraint: total ionizing dose" in words
    assert odc_app.constraint_words()["total_ionizing_dose"] in words
    text = _page_text(browser)
    assert not re.search(r"\bnan\b", text, re.I) and "Traceback" not in text, text
    assert console_errors(browser) == []


def test_url_round_trips_the_state(server, browser):
    from selenium.webdriver.common.keys import Keys

    _open(browser, f"{server}?architecture={ARCH}")
    knobs = odc_app.knobs(odc.load_architecture(ARCH))
    lp, bus = knobs["launch_price_per_kg"], knobs["bus_cost_per_kg"]
    _press(browser, "launch_price_per_kg", Keys.ARROW_RIGHT, times=2)
    _wait_query(browser, "launch_price_per_kg", lp.query_text(lp.value + 2 * lp.step))
    _press(browser, "bus_cost_per_kg", Keys.ARROW_LEFT, times=2)
    _wait_query(browser, "bus_cost_per_kg", bus.query_text(bus.value - 2 * bus.step))
    link = browser.current_url
    state = {p: (_slider_shown_value(browser, p), _query(browser)[p]) for p in ("launch_price_per_kg", "bus_cost_per_kg")}
    shown = {k: _text(browser, k) for k in ("cost-ratio", "feasibility", "breakeven")}

    browser.switch_to.new_window("tab")
    try:
        _open(browser, link)
        assert _query(browser) == _query_of(link)
        assert {p: (_slider_shown_value(browser, p), _query(browser)[p]) for p in state} == state
        assert {k: _text(browser, k) for k in shown} == shown
    finally:
        browser.close()
        browser.switch_to.window(browser.window_handles[0])


def _query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def test_downloaded_design_loads_and_evaluates_to_the_same_numbers(server, browser, downloads):
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, f"{server}?architecture={ARCH}&launch_price_per_kg=340+USD%2Fkg&bus_cost_per_kg=800+USD%2Fkg")
    shown = _text(browser, "cost-ratio")
    button = browser.execute_script(
        FIND_JS + "const host = find(document, '.odc-download'); return host && host.shadowRoot ? "
        "host.shadowRoot.querySelector('button') : null;")
    assert button is not None
    target = downloads / f"{ARCH}-design.yaml"
    button.click()
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(
        lambda d: target.exists() and not list(downloads.glob("*.crdownload")),
        message=f"no download in {downloads}: {list(downloads.iterdir())}")

    show = subprocess.run(_orbitdc_cmd() + ["show", str(target)], capture_output=True, text=True, timeout=120)
    assert show.returncode == 0, show.stderr
    assert show.stdout.startswith(f"{ARCH}-design (space")
    assert re.search(r"^launch_price_per_kg\s+340(\.0)?\s+USD/kg", show.stdout, re.M)

    from_file = odc.evaluate(target)
    from_overrides = odc.evaluate(ARCH, launch_price_per_kg="340 USD/kg", bus_cost_per_kg="800 USD/kg")
    for name, var in from_overrides.data_vars.items():
        if var.dtype.kind in "fc":
            np.testing.assert_allclose(from_file[name].values, var.values, rtol=1e-12, err_msg=name)
        else:
            assert np.array_equal(from_file[name].values, var.values), name
    _assert_shown_equals(shown, float(from_file["cost_ratio_vs_terrestrial"]))


def test_architecture_choice_is_in_the_url(server, browser):
    _open(browser, f"{server}?architecture={OTHER}")
    assert _query(browser) == {"architecture": OTHER}
    _assert_shown_equals(_text(browser, "cost-ratio"), float(odc.evaluate(OTHER)["cost_ratio_vs_terrestrial"]))
    # google-suncatcher does not close at its own values: the constraint is named, in words
    words = _text(browser, "feasibility")
    expected = str(odc.evaluate(OTHER)["binding_constraint"].values)
    assert words.startswith("Infeasible") and expected.replace("_", " ") in words


def test_scenario_from_the_link(server, browser):
    _open(browser, f"{server}?architecture={ARCH}&scenario=skeptic")
    assert _query(browser) == {"architecture": ARCH, "scenario": "skeptic"}
    expected = odc.evaluate(ARCH, scenario="skeptic")
    _assert_shown_equals(_text(browser, "cost-ratio"), float(expected["cost_ratio_vs_terrestrial"]))
    knob = odc_app.knobs(odc.load_architecture(ARCH, scenario="skeptic"))
    top = odc_app.top_parameters(odc.load_architecture(ARCH, scenario="skeptic"))[0]
    shown = float(_slider_shown_value(browser, top).replace(",", ""))
    assert abs(shown - knob[top].value) <= 0.5 * 10.0 ** -knob[top].decimals  # the scenario's value


def test_bad_link_is_explained_not_fatal(server, browser):
    _open(browser, f"{server}?architecture={ARCH}&altitude=9+km&no_such_parameter=1")
    problems = _page_text(browser)
    assert "altitude" in problems and "outside the range from data" in problems
    assert "no_such_parameter" in problems
    _assert_shown_equals(_text(browser, "cost-ratio"), float(odc.evaluate(ARCH)["cost_ratio_vs_terrestrial"]))
