"""The real report end to end: every notebook executed with papermill on small parameters, the
HTML self-contained (no external script or stylesheet, user text escaped), and a real headless
Chromium, with the network disabled, rendering every figure without a console error.

The architecture under test is a temporary YAML file passed by path whose name (and so file
name) contains ``<script>``: it must come out escaped everywhere. Chromium: Debian's ``chromium`` and
``chromium-driver`` (installed by .ci/run); without them the browser test is skipped locally and
fails in CI.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from orbitdc import report

pytestmark = pytest.mark.slow

# The name must equal the file name (so no '/'): an unclosed <script> is injection enough.
HOSTILE = "<script>alert('x')<\\script>-odc"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    arch = tmp / f"{HOSTILE}.yaml"
    arch.write_text(
        "name: \"" + HOSTILE.replace("\\", "\\\\").replace('"', '\\"') + "\"\n"
        "description: A copy of the minimal example whose name tries to inject a script.\n"
        "kind: space\n"
        "parameters:\n"
        "  target_it_power: {value: 100, unit: MW, low: 50, high: 200, source: orbitdc-assumption}\n",
        encoding="utf-8",
    )
    out = tmp / "out"
    t0 = time.time()
    report.build([str(arch), "terrestrial-hyperscale"], {"launch_price_per_kg": 800}, out=out, jobs=2, samples=16,
                 seed=3, progress=False)
    return out, time.time() - t0


def test_every_notebook_executed_by_papermill(built):
    out, _ = built
    for name in report.PAGE_ORDER:
        nb = nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)
        pm = nb.metadata["papermill"]
        assert pm["exception"] is None or pm["exception"] is False
        assert pm["parameters"]["samples"] == 16 and pm["parameters"]["seed"] == 3
        assert pm["parameters"]["overrides"] == {"launch_price_per_kg": 800}
        assert all(c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip())


def test_results_and_provenance(built):
    out, _ = built
    import xarray as xr

    with xr.open_dataset(out / "results" / "compare.nc") as ds:
        assert list(ds["architecture"].values) == [HOSTILE, "terrestrial-hyperscale"]
        assert float(ds["launch_price_per_kg"].sel(architecture=HOSTILE)) == 800  # the override reached the model
    mc = sorted((out / "results").glob("monte_carlo_*.nc"))
    assert mc
    with xr.open_dataset(mc[0]) as d:
        assert d.sizes["sample"] == 16
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["parameters"]["architecture_names"] == [HOSTILE, "terrestrial-hyperscale"]
    assert prov["packages"]["holoviews"] and prov["packages"]["bokeh"]


def test_html_has_no_external_script_or_stylesheet(built):
    out, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert report.external_references(text) == []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", text, re.I):
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", tag, re.I), tag


def test_user_text_is_escaped(built):
    out, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in text
    assert "&lt;script&gt;alert(" in text  # shown, as text, in the tables


def test_report_sections_present(built):
    out, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    for heading in ("Executive summary", "Orbit and environment", "Power and thermal", "Mass, launch and deployment",
                    "Economics", "Uncertainty and sensitivity", "Assumptions", "Methods",
                    "Comparison with published claims", "Limitations"):
        assert f">{heading}<" in text, heading
    # sections in the order of the issue: summary first, stages, then the appendix
    assert text.index(">Executive summary<") < text.index(">Orbit and environment<") < text.index(">Assumptions<")


def _chromium():
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (binary and driver):
        if os.environ.get("CI"):
            pytest.fail("Chromium and chromedriver are required in CI (apt-get install chromium chromium-driver)")
        pytest.skip("no Chromium/chromedriver here: apt-get install chromium chromium-driver to run the browser test")
    return binary, driver


def test_browser_renders_every_figure_offline(built):
    binary, driver_path = _chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    out, _ = built
    opts = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        opts.add_argument(arg)
    profile = tempfile.mkdtemp(prefix="orbitdc-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.binary_location = binary
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(driver_path))
    try:
        driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        driver.get((out / "index.html").resolve().as_uri())
        count_js = """
            function count(root) {
              let n = root.querySelectorAll('canvas').length;
              for (const el of root.querySelectorAll('*')) if (el.shadowRoot) n += count(el.shadowRoot);
              return n;
            }
            return [...document.querySelectorAll('div.orbitdc-figure')].map(count);
        """
        deadline = time.time() + 60
        canvases = driver.execute_script(count_js)
        while time.time() < deadline and (not canvases or min(canvases) == 0):
            time.sleep(0.5)
            canvases = driver.execute_script(count_js)
        expected = (out / "index.html").read_text(encoding="utf-8").count('class="orbitdc-figure"')
        assert expected >= 8  # the figures of the issue that the present stages can draw
        assert len(canvases) == expected
        assert min(canvases) > 0, f"figures without a canvas: {canvases}"
        assert driver.execute_script("return window.Bokeh.documents.length") >= expected
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
