"""The notebooks in JupyterLab with no network (issue 11, part 2): every figure renders.

JupyterLab runs on a free localhost port (with a token, no browser, ``--allow-root`` when the
tests run as root) over a temporary copy of ``notebooks/`` (the parameters cell keeps its values
except ``samples``, cut to keep the run short). Headless Chromium, cut off from everything but
localhost (tests/browser_support.py), opens each notebook, runs every cell from the Run menu and
checks that:

* every figure output (a cell showing a figure of :data:`orbitdc.report.sections.FIGURES`) holds a
  bokeh canvas, or says plainly why the figure is missing (``orbitdc.report.figures.Missing``);
* the live panel of 00_feasibility_report renders and answers a slider move with the cost ratio
  ``orbitdc.evaluate`` gives (so the kernel <-> browser comms work offline too);
* nothing was requested from outside 127.0.0.1 and the console has no error (a CDN request for
  BokehJS, Panel or a stylesheet would be both).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest

import orbitdc as odc
from browser_support import FIND_JS, console_errors, external_requests, free_port, offline_chromium, server_process
from orbitdc import app as odc_app
from orbitdc.report.sections import FIGURES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
# Opened and run in JupyterLab: the feasibility report (the live panel: kernel <-> browser comms)
# and the year-by-year notebook (its own chart types). Every notebook is executed by papermill and
# its figures drawn in a browser by the report tests (test_browser_report*); what JupyterLab adds
# (its renderer, the offline bokeh extension) is the same for the others, whose ~3 minutes on one
# worker were the tail of CI's end-to-end step. The year-by-year notebook runs first: it saves the
# trajectory and the scenario runs under results/ (the study's key), and the feasibility report reads
# them there, as in `orbitdc report` (builder.SUMMARY_READS) instead of computing them again.
IN_LAB = sorted((name for name in NOTEBOOKS if name.startswith(("00_", "06_"))), key=lambda n: not n.startswith("06_"))
TOKEN = "orbitdc-test-token"
SAMPLES = 16     # Monte Carlo samples per architecture in the copies (the rendering is what is tested)
RUN_TIMEOUT = 600  # seconds for one notebook to run on a loaded 2-core machine
WAIT = 90


def _lab_settings(settings: Path) -> None:
    """User settings of the test's JupyterLab: render every cell (no windowing, so that all outputs
    are in the DOM) and never offer to fetch news."""
    for plugin, body in {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                             "checkForUpdates": False},
    }.items():
        path = settings / plugin
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    work.mkdir()
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        lines = params.source.splitlines()
        assert any(line.startswith("samples = ") for line in lines), name
        params.source = "\n".join(f"samples = {SAMPLES}" if line.startswith("samples = ") else line for line in lines)
        nbformat.write(nb, work / name)
    _lab_settings(root / "settings")
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(root / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"), IPYTHONDIR=str(root / "ipython"))
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter) if jupyter.exists() else shutil.which("jupyter"), "lab", "--no-browser",
           f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it
    with server_process(cmd, ready_text="is running at", port=port, timeout=180, env=env, cwd=work):
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def browser(lab):
    with offline_chromium(width=1400, height=1000) as driver:
        yield driver


def _accept_dialogs(driver) -> None:
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-button.jp-mod-accept"):
        button.click()  # "Select Kernel": the notebook's own (Python 3)


def _kernel_idle(driver) -> bool:
    """The notebook's kernel is connected and idle (the status bar reads 'Python 3 (ipykernel) |
    Idle'; the toolbar's indicator alone also says idle while no kernel is attached yet)."""
    _accept_dialogs(driver)
    return bool(driver.execute_script(
        "const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        "const bar = document.querySelector('#jp-main-statusbar');"
        "return s !== null && s.getAttribute('data-status') === 'idle' && bar !== null"
        "       && /ipykernel\\) \\| Idle/.test(bar.textContent);"))


def _started(driver) -> bool:
    return any(p != "[ ]:" for p in _prompts(driver))


def _all_cells_ran(driver) -> bool:
    prompts = _prompts(driver)
    return bool(prompts) and all(p[:1] == "[" and p[1:-2].isdigit() for p in prompts)


#: What a figure cell of the notebooks says (``study.show("<a figure of the report>")``).
FIGURE_CELLS = [f'study.show("{name}")' for name in FIGURES]
FIGURES_JS = FIND_JS + """
return [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell')]
  .filter(c => arguments[0].some(m => (c.querySelector('.jp-InputArea-editor')?.textContent || '').includes(m)))
  .map(c => {
    const out = c.querySelector('.jp-OutputArea');
    return {canvases: out ? findAll(out, 'canvas').length : 0,
            missing: out ? out.querySelectorAll('.orbitdc-missing').length : 0,
            text: out ? out.textContent.slice(0, 200) : ''};
  });
"""


def _run_notebook(driver, base: str, name: str) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    # ?reset: a fresh workspace, so the notebooks opened before do not come back as hidden tabs
    driver.get(f"{base}lab/tree/{name}?reset&token={TOKEN}")
    WebDriverWait(driver, WAIT, poll_frequency=0.5).until(
        lambda d: d.execute_script("return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell').length > 0"))
    WebDriverWait(driver, WAIT, poll_frequency=0.5).until(_kernel_idle, message="the kernel never became idle")
    for attempt in range(3):  # Run > Run All Cells; again if the click fell between two dialogs
        _accept_dialogs(driver)
        driver.find_element(By.XPATH, "//li[contains(@class,'lm-MenuBar-item')][.//div[text()='Run']]").click()
        WebDriverWait(driver, 10).until(
            EC.element_to_be_clickable((By.CSS_SELECTOR, ".lm-Menu li[data-command='runmenu:run-all']"))).click()
        try:
            WebDriverWait(driver, 30, poll_frequency=0.3).until(_started)
            break
        except TimeoutException:
            if attempt == 2:
                pytest.fail(f"{name}: Run All Cells did not start; prompts: {_prompts(driver)}")
    # Done when every code cell has its execution number - or stopped early at a failing cell.
    try:
        WebDriverWait(driver, RUN_TIMEOUT, poll_frequency=0.5).until(lambda d: _all_cells_ran(d) or _errors(d))
    except TimeoutException:
        pytest.fail(f"{name} did not finish in {RUN_TIMEOUT} s; prompts: {_prompts(driver)}")
    errors = _errors(driver)
    assert errors == [], f"{name}: a cell failed: {errors[0][:2000]}"


def _prompts(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
        ".map(e => e.textContent.trim());")


def _errors(driver) -> list[str]:
    """Error outputs (a traceback is rendered with the error mime type in JupyterLab)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-OutputArea-output')]"
        ".filter(e => ['application/vnd.jupyter.stderr'].includes(e.getAttribute('data-mime-type')) "
        "             || e.classList.contains('jp-mod-error') || e.querySelector('.ansi-red-fg'))"
        ".map(e => e.textContent).filter(t => /Error|Traceback/.test(t));")


@pytest.mark.parametrize("name", IN_LAB)
def test_notebook_figures_render_offline_in_jupyterlab(lab, browser, name):
    from selenium.webdriver.support.ui import WebDriverWait

    _run_notebook(browser, lab, name)
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    expected = sum(c.source.count(m) for c in source.cells if c.cell_type == "code" for m in FIGURE_CELLS)
    assert expected >= 1

    def rendered(d):
        figs = d.execute_script(FIGURES_JS, FIGURE_CELLS)
        return figs if len(figs) == expected and all(f["canvases"] > 0 or f["missing"] for f in figs) else False

    try:
        figures = WebDriverWait(browser, WAIT, poll_frequency=0.5).until(rendered)
    except Exception:
        pytest.fail(f"{name}: figure outputs without a canvas: {browser.execute_script(FIGURES_JS, FIGURE_CELLS)}")
    assert any(f["canvases"] for f in figures), f"{name}: no figure drawn at all: {figures}"
    if any("live_panel(" in c.source for c in source.cells if c.cell_type == "code"):
        _check_live_panel(browser, name)
    assert external_requests(browser) == []
    assert console_errors(browser) == []


def test_the_live_panel_is_in_the_feasibility_report_notebook():
    nb = nbformat.read(ROOT / "notebooks" / "00_feasibility_report.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "live_panel(" in c.source]
    assert len(cells) == 1 and "if not static_html:" in cells[0].source  # interactive mode only


def _shown_equals(shown: str, expected: float) -> bool:
    """``shown`` ('2.83', '1,234') equals ``expected`` to the precision it is shown with."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown.replace(",", "")) - expected) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def _check_live_panel(browser, name: str) -> None:
    """The live panel (00_feasibility_report): it renders, and a launch price slider move gives
    the cost ratio of evaluate - the kernel and the page talk through comms, offline."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    panel = FIND_JS + "return findAll(document, '.odc-live-panel').length;"
    WebDriverWait(browser, WAIT, poll_frequency=0.5).until(lambda d: d.execute_script(panel))
    live_canvases = FIND_JS + ("const p = find(document, '.odc-live-panel'); "
                               "return p ? findAll(p.shadowRoot || p, 'canvas').length : 0;")
    WebDriverWait(browser, WAIT, poll_frequency=0.5).until(lambda d: d.execute_script(live_canvases),
                                                           message="the live panel has no canvas")
    ratio_js = FIND_JS + "const e = find(document, '.odc-live-words'); const r = e && find(e.shadowRoot || e, '[data-odc=\"cost-ratio\"]'); return r ? r.textContent : null;"
    WebDriverWait(browser, WAIT, poll_frequency=0.5).until(lambda d: d.execute_script(ratio_js))

    # The first architecture of the notebook's parameters cell that has both sliders.
    params = next(c for c in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
                  if "parameters" in c.metadata.get("tags", []))
    scope: dict = {}
    exec(params.source, scope)  # noqa: S102 - our own notebook's literal parameters
    arch = next(a for a in scope["architectures"]
                if set(odc_app.LIVE_PARAMETERS) <= set(odc_app.knobs(odc.load_architecture(a))))
    knob = odc_app.knobs(odc.load_architecture(arch))["launch_price_per_kg"]
    nominal = browser.execute_script(ratio_js)
    expected_nominal = float(odc.evaluate(arch, **scope["overrides"])["cost_ratio_vs_terrestrial"])
    assert _shown_equals(nominal, expected_nominal), (nominal, expected_nominal)

    handle = browser.execute_script(
        FIND_JS + "const p = find(document, '.odc-live-panel'); const host = find(p.shadowRoot || p, '.odc-param-launch_price_per_kg');"
        "return host && host.shadowRoot ? host.shadowRoot.querySelector('.noUi-handle') : null;")
    assert handle is not None
    expected = float(odc.evaluate(arch, **{**scope["overrides"], "launch_price_per_kg": f"{knob.high} {knob.unit}"})
                     ["cost_ratio_vs_terrestrial"])

    def shows_expected(d):
        shown = d.execute_script(ratio_js)
        return bool(shown) and shown != nominal and _shown_equals(shown, expected)

    # A move made while the output's comm to the kernel is still opening (pyviz_comms opens it
    # asynchronously once the output is drawn) is lost; no user is that fast, so the move is made
    # again (Home, End) if the first gets no answer within 20 s - at most three times.
    for attempt in range(3):
        if attempt:
            handle.send_keys(Keys.HOME)
        handle.send_keys(Keys.END)
        try:
            WebDriverWait(browser, 20, poll_frequency=0.2).until(shows_expected)
            break
        except Exception:
            continue
    try:
        WebDriverWait(browser, WAIT, poll_frequency=0.2).until(shows_expected)
    except Exception:
        slider = browser.execute_script(
            FIND_JS + "const p = find(document, '.odc-live-panel'); const host = find(p.shadowRoot || p, '.odc-param-launch_price_per_kg');"
            "return host.shadowRoot.querySelector('.bk-slider-value')?.textContent;")
        pytest.fail(f"live panel shows {browser.execute_script(ratio_js)} with the slider at {slider}, evaluate gives "
                    f"{expected}; console: {[str(e)[:300] for e in browser.get_log('browser')]}")
    time.sleep(1)  # let the figure's update arrive too, then check nothing was fetched for it
    assert browser.execute_script(live_canvases) > 0
    assert external_requests(browser) == []
    assert console_errors(browser) == []
