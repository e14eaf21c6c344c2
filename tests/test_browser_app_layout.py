"""``orbitdc app`` as issue 25 asks, in headless Chromium with the network cut: it opens on SpaceX,
its year chart marks parity (and the crossover when there is one), the Monte Carlo band is drawn,
the ground's and space's cost per kW-year are in dollars beside the ratio, a scenario switch keeps
the slider values (and the URL), "base" is offered once, the page fits 1280 px and a 390 px phone
(stacked). How fast a slider move answers (target 150 ms) is measured by benchmarks/bench_app.py,
not by a timed test.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from browser_support import FIND_JS, free_port, offline_chromium, server_process
from test_browser_app import WAIT, _open, _orbitdc_cmd, _text

pytestmark = pytest.mark.slow

ARCHS = ["blue-origin-orbital-dc", "spacex-starlink-compute"]  # SpaceX not first: the app still opens on it


@pytest.fixture(scope="module")
def server():
    port = free_port()
    with server_process(_orbitdc_cmd() + ["app", *ARCHS, "--port", str(port)], ready_text="orbitdc app: serving",
                        port=port, timeout=180):
        yield f"http://127.0.0.1:{port}/"


def _query(driver) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def _emulate(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


#: The year chart's glyph data from BokehJS: [renderer type, number of points] of every glyph renderer.
_YEAR_CHART_JS = """
const out = {};
for (const doc of Bokeh.documents) for (const m of doc.all_models) {
  if (m.type === 'Figure' && m.title && m.title.text.startsWith('Cost of a new cohort')) {
    out.spans = m.center.filter(c => c.type === 'Span').map(s => s.location);
    out.labels = m.center.filter(c => c.type === 'Label').map(l => l.text);
    out.glyphs = m.renderers.filter(r => r.data_source).map(r => [r.glyph.type, r.data_source.get_length()]);
  }
}
return out;
"""


def test_opens_on_spacex_with_parity_and_dollars(server):
    with offline_chromium() as driver:
        _open(driver, server)
        assert _query(driver)["architecture"] == "spacex-starlink-compute"
        dollars = _text(driver, "cost-dollars")
        assert dollars.startswith("space USD ") and ", the ground USD " in dollars and "per kW-year" in dollars
        chart = driver.execute_script(_YEAR_CHART_JS)
        assert chart["spans"] == [1.0] and "parity with the ground" in chart["labels"]
        glyphs = dict((g, n) for g, n in chart["glyphs"])
        assert glyphs["Line"] > 20  # the years
        assert glyphs["VArea"] == 0  # no band before it is asked for


def test_the_monte_carlo_band_is_drawn(server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with offline_chromium() as driver:
        _open(driver, server)
        WebDriverWait(driver, WAIT).until(lambda d: _text(d, "years"))
        button = driver.execute_script(FIND_JS + "const h = find(document, '.odc-mc-button');"
                                       "return h && h.shadowRoot ? h.shadowRoot.querySelector('button') : h;")
        (button or driver.find_element(By.CSS_SELECTOR, ".odc-mc-button button")).click()
        WebDriverWait(driver, WAIT * 3, poll_frequency=0.5).until(lambda d: _text(d, "mc"))
        band = dict((g, n) for g, n in driver.execute_script(_YEAR_CHART_JS)["glyphs"])["VArea"]
        assert band > 20


def test_a_scenario_switch_keeps_the_sliders_and_base_is_offered_once(server):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with offline_chromium() as driver:
        # a parameter the skeptic scenario does not change (its launch price and bus cost it does:
        # a value outside the scenario's range would be brought to its nearer end)
        _open(driver, server + "?architecture=spacex-starlink-compute&mission_lifetime=6+yr")
        assert _query(driver)["mission_lifetime"] == "6 yr"
        options = driver.execute_script(FIND_JS + "const s = find(document, '.odc-scenario select');"
                                        "return s ? [...s.options].map(o => o.textContent) : null;")
        if options is None:  # Panel renders its Select in a shadow root
            options = driver.execute_script(FIND_JS + "const h = find(document, '.odc-scenario');"
                                            "return [...h.shadowRoot.querySelectorAll('option')].map(o => o.textContent);")
        assert sum(o.startswith("base") for o in options) == 1 and not any(o.startswith("none") for o in options)
        select = driver.execute_script(FIND_JS + "const h = find(document, '.odc-scenario');"
                                       "return h.shadowRoot ? h.shadowRoot.querySelector('select') : h.querySelector('select');")
        select.send_keys("s")  # skeptic
        select.send_keys(Keys.ENTER)
        WebDriverWait(driver, WAIT).until(lambda d: _query(d).get("scenario") == "skeptic")
        assert _query(driver).get("mission_lifetime") == "6 yr"


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_the_page_fits_the_screen(server, width, height):
    with offline_chromium() as driver:
        _emulate(driver, width, height)
        _open(driver, server)
        time.sleep(2)
        got = driver.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
        assert got[0] <= got[1], got
        if width < 600:  # stacked: the outputs below the controls
            tops = driver.execute_script(FIND_JS + "return ['.odc-ratio', '.odc-scenario'].map(s => "
                                         "find(document, s).getBoundingClientRect().top)")
            assert tops[0] > tops[1]
