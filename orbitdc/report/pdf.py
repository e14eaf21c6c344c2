"""``orbitdc report --pdf``: the HTML report printed to ``report.pdf`` by headless Chromium.

The page is opened from disk in Debian's ``chromium`` driven by ``chromedriver`` (selenium), with
the network cut (the page needs none: BokehJS is inline). Before printing, every figure must have
drawn its canvas (bokeh renders in JavaScript after load) and every ``<details>`` is opened, so the
appendix is in the PDF; then Chrome DevTools' ``Page.printToPDF`` writes A4 pages with the
backgrounds. Where Chromium or its driver is missing, :func:`find_chromium` raises an
:class:`~orbitdc.errors.OrbitdcError` before anything runs (the CLI prints one line, exit 2).
"""
from __future__ import annotations

import base64
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..errors import OrbitdcError

#: JavaScript: the number of figure containers and how many of them hold a canvas (bokeh draws
#: into a shadow root).
_CANVAS_JS = """
function count(root) {
  let n = root.querySelectorAll('canvas').length;
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) n += count(el.shadowRoot);
  return n;
}
const figs = [...document.querySelectorAll('div.orbitdc-figure')];
return [figs.length, figs.filter(f => count(f) > 0).length];
"""

#: Seconds to wait for the figures to draw before giving up.
FIGURE_TIMEOUT = 90


def find_chromium() -> tuple[str, str]:
    """Paths of Chromium (``chromium`` or ``chromium-browser``) and ``chromedriver`` on PATH, as
    the browser tests find them; OrbitdcError if either is absent."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", binary), ("chromedriver", driver))
               if not path or not Path(path).exists()]
    if missing:
        raise OrbitdcError(f"--pdf: {' and '.join(missing)} not found; install Chromium and its driver "
                           "(Debian: apt-get install chromium chromium-driver) or build the report without --pdf")
    try:
        import selenium  # noqa: F401
    except ModuleNotFoundError:
        raise OrbitdcError("--pdf: the Python package selenium is not installed (pip install selenium)") from None
    return str(binary), str(driver)


def print_pdf(page: Path, dest: Path, timeout: float = FIGURE_TIMEOUT) -> Path:
    """Print the HTML ``page`` to ``dest`` with headless Chromium (A4, backgrounds, figures drawn).

    ``dest`` is written only once the PDF is complete (a temporary file beside it, renamed)."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = find_chromium()
    profile = tempfile.mkdtemp(prefix="orbitdc-pdf-")
    opts = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--window-size=1280,900", f"--user-data-dir={profile}",
                "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"):
        opts.add_argument(arg)
    opts.binary_location = binary
    driver = None
    try:
        try:
            driver = webdriver.Chrome(options=opts, service=Service(driver_path))
        except WebDriverException as exc:
            raise OrbitdcError(f"--pdf: Chromium did not start ({str(exc.msg or exc).splitlines()[0]})") from None
        driver.set_page_load_timeout(120)
        driver.get(Path(page).resolve().as_uri())
        deadline = time.monotonic() + timeout
        total, drawn = driver.execute_script(_CANVAS_JS)
        while drawn < total and time.monotonic() < deadline:
            time.sleep(0.25)
            total, drawn = driver.execute_script(_CANVAS_JS)
        if drawn < total:
            raise OrbitdcError(f"--pdf: {total - drawn} of {total} figures did not draw in {timeout:.0f} s; "
                               "no PDF written")
        driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true);")
        time.sleep(0.5)  # let the opened sections lay out
        result = driver.execute_cdp_cmd("Page.printToPDF", {
            "printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69,  # A4 in inches
            "marginTop": 0.4, "marginBottom": 0.4, "marginLeft": 0.4, "marginRight": 0.4,
            "preferCSSPageSize": False, "scale": 0.75,
        })
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(base64.b64decode(result["data"]))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
