"""Malformed shared links to ``orbitdc app`` (issue 24): a real server, plain HTTP and a real
browser. A link whose values cannot be used opens with the default state and a one-line notice per
problem: never an HTTP 500, never a blank page, never a traceback in the server's log.

Two layers do it: the page handler redirects a link Panel's own URL parser would fail on (a
5,000-digit number: ``int()`` refuses over 4,300 digits; ``²``: a digit ``int()`` refuses) to a
cleaned link carrying ``dropped=KEY`` (:func:`orbitdc.app.clean_link`), and
:func:`orbitdc.app.parse_query` turns every value it cannot use into a notice.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

import orbitdc as odc
from browser_support import FIND_JS, console_errors, external_requests, free_port, offline_chromium, server_process
from corpus_support import SPACEX

pytestmark = pytest.mark.slow

WAIT = 60
LINKS = {
    "list-literal": "launch_price_per_kg=" + quote("[1,2]"),
    "5000-digits": "launch_price_per_kg=" + "9" * 5000,
    "60000-digits": "launch_price_per_kg=" + "1" * 60_000,
    "superscript-two": "launch_price_per_kg=" + quote("²"),
    "json-object": "launch_price_per_kg=" + quote("{\"a\": [[[[1]]]]}"),
    "unknown-names": "architecture=nope&scenario=optimist&warp_factor=9",
    "escapes": "architecture=" + quote("\x1b[2J\u202eevil") + "&launch_price_per_kg=" + quote("\x07"),
    "script": "dropped=" + quote("<script>document.title='owned'</script>") + "&launch_price_per_kg=" + quote("<img src=x onerror=alert(1)>"),
    "many-keys": "&".join(f"k{i}=1" for i in range(300)),
    "bad-percent": "launch_price_per_kg=%ZZ%FF",
}


def _orbitdc_cmd() -> list[str]:
    script = Path(sys.executable).with_name("orbitdc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "orbitdc.cli"]


@pytest.fixture(scope="module")
def served():
    port = free_port()
    with server_process(_orbitdc_cmd() + ["app", SPACEX, "--port", str(port)], ready_text="orbitdc app: serving",
                        port=port, timeout=180) as log:
        yield f"http://127.0.0.1:{port}/", log


@pytest.mark.parametrize("name", list(LINKS))
def test_a_malformed_link_is_served_not_a_500(served, name):
    base, log = served
    try:
        with urllib.request.urlopen(base + "?" + LINKS[name], timeout=120) as resp:
            status, final, body = resp.status, resp.url, resp.read()
    except urllib.error.HTTPError as exc:
        pytest.fail(f"HTTP {exc.code} for the link {name}")
    assert status == 200 and b"bokeh" in body.lower()
    if name in ("5000-digits", "60000-digits", "superscript-two", "many-keys"):
        assert "dropped=" in final  # cleaned before Panel read it
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and " 500 " not in text, text[-2000:]


@pytest.fixture(scope="module")
def browser(served):
    with offline_chromium() as driver:
        yield driver


def _text(driver, key: str) -> str | None:
    return driver.execute_script(FIND_JS + "const e = find(document, arguments[0]); return e ? e.textContent : null;",
                                 f'[data-odc="{key}"]')


def _problems(driver) -> list[str]:
    return driver.execute_script(FIND_JS + "return findAll(document, '.odc-problem').map(e => e.textContent);")


def _query(driver) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


@pytest.mark.parametrize("name", ["list-literal", "5000-digits", "superscript-two", "escapes", "script"])
def test_a_malformed_link_opens_the_default_design_with_a_notice(served, browser, name):
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = served
    browser.get(base + "?" + LINKS[name])
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(lambda d: _text(d, "cost-ratio"))
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(lambda d: _problems(d))
    problems = _problems(browser)
    assert problems and all("\n" not in p and len(p) < 400 for p in problems), problems
    assert any("ignored" in p or "could not be read" in p or "showing" in p for p in problems), problems
    shown = float(_text(browser, "cost-ratio").replace(",", ""))
    nominal = float(odc.evaluate(SPACEX)["cost_ratio_vs_terrestrial"])
    assert abs(shown - nominal) <= 0.01 * nominal  # the default design
    # the app writes the design it shows back into the address bar: nothing malformed stays there
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(lambda d: _query(d).get("architecture") == SPACEX)
    assert "launch_price_per_kg" not in _query(browser) and "dropped" not in _query(browser)
    assert browser.title != "owned"
    assert not external_requests(browser)
    errors = [e for e in console_errors(browser) if "favicon" not in e["message"]]
    assert not errors, errors
