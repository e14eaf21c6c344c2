"""orbitdc app: time from a slider move to the updated numbers on screen (target <= 150 ms).

Starts ``orbitdc app spacex-starlink-compute`` on a free localhost port, opens it in headless
Chromium with the network cut (tests/browser_support.py), and moves the launch price slider with
the keyboard, alternately right and left, MOVES times. Each move is timed inside the browser, from
the keydown event to the mutation of the page that carries the new update number (the server
sends the cost ratio, the charts, the URL and that number in one message), so the figure covers
the browser -> server -> chain -> browser round trip and the DOM update. The server's own share
(``evaluate`` and building the update) is read from the page.

Run: ``.venv/bin/python benchmarks/bench_app.py`` (needs chromium and chromedriver).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import FIND_JS, free_port, offline_chromium, server_process  # noqa: E402

from _results import record  # noqa: E402

ARCH = "spacex-starlink-compute"
PARAM = "launch_price_per_kg"
MOVES = 30
TARGET_MS = 150.0

WATCH_JS = FIND_JS + """
const count = find(document, '[data-odc="update-count"]');
const before = count.textContent;
window.__odc = {t0: null, t1: null};
const obs = new MutationObserver(() => {
  const now = find(document, '[data-odc="update-count"]');
  if (now && now.textContent !== before && window.__odc.t1 === null) {
    window.__odc.t1 = performance.now(); obs.disconnect();
  }
});
obs.observe(count.getRootNode(), {subtree: true, childList: true, characterData: true});
window.addEventListener('keydown', () => { if (window.__odc.t0 === null) window.__odc.t0 = performance.now(); },
                        {capture: true, once: true});
"""


def _text(driver, key):
    return driver.execute_script(FIND_JS + "const e = find(document, arguments[0]); return e ? e.textContent : null;",
                                 f'[data-odc="{key}"]')


def main() -> int:
    import shutil

    if not ((shutil.which("chromium") or shutil.which("chromium-browser")) and shutil.which("chromedriver")):
        record("orbitdc app: slider move -> numbers on screen", None, "ms", f"<= {TARGET_MS:.0f}",
               "not run: needs chromium and chromedriver (apt-get install chromium chromium-driver)")
        return 0
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    script = Path(sys.executable).with_name("orbitdc")
    cmd = ([str(script)] if script.exists() else [sys.executable, "-m", "orbitdc.cli"])
    port = free_port()
    with server_process(cmd + ["app", ARCH, "--port", str(port)], ready_text="orbitdc app: serving", port=port,
                        timeout=180), offline_chromium() as driver:
        driver.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(driver, 60, poll_frequency=0.2).until(lambda d: _text(d, "update-count"))
        handle = driver.execute_script(
            FIND_JS + "const host = find(document, arguments[0]); return host.shadowRoot.querySelector('.noUi-handle');",
            f".odc-param-{PARAM}")
        end_to_end, server, evaluate = [], [], []
        for i in range(MOVES):
            driver.execute_script(WATCH_JS)
            handle.send_keys(Keys.ARROW_RIGHT if i % 2 == 0 else Keys.ARROW_LEFT)
            WebDriverWait(driver, 30, poll_frequency=0.01).until(lambda d: d.execute_script("return window.__odc.t1"))
            r = driver.execute_script("return window.__odc")
            end_to_end.append(r["t1"] - r["t0"])
            server.append(float(_text(driver, "server-ms")))
            evaluate.append(float(_text(driver, "eval-ms")))
            time.sleep(0.2)  # let the page settle: one move at a time

    def p90(xs):
        return sorted(xs)[int(0.9 * (len(xs) - 1))]

    how = f"{ARCH}, {MOVES} keyboard moves of {PARAM}, headless Chromium, offline"
    record(f"orbitdc app: slider move -> numbers on screen (median of {MOVES})", statistics.median(end_to_end), "ms",
           f"<= {TARGET_MS:.0f}", f"{how}; p90 {p90(end_to_end):.0f} ms, max {max(end_to_end):.0f} ms")
    record(f"orbitdc app: of which on the server (median of {MOVES})", statistics.median(server), "ms", None,
           f"p90 {p90(server):.0f} ms")
    record(f"orbitdc app: of which orbitdc.evaluate (median of {MOVES})", statistics.median(evaluate), "ms", None,
           f"p90 {p90(evaluate):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
