"""Helpers for the browser tests: a headless Chromium that can reach only this machine, a
subprocess server that is always killed, and JavaScript that looks through shadow roots.

The network is cut for the browser in two independent ways, and localhost still works:

* ``--proxy-server`` points at a port on 127.0.0.1 where nothing listens, so every request that
  goes through the proxy fails; Chromium never proxies loopback addresses (its implicit bypass
  rules), so the servers under test stay reachable;
* ``--host-resolver-rules`` maps every host name except ``localhost`` to "not found".

Every request the page makes is recorded from Chrome's performance log (DevTools
``Network.requestWillBeSent``), so a test can assert that nothing outside 127.0.0.1 was even
asked for - a CDN request fails here, and must not be made at all.

Chromium: Debian's ``chromium`` and ``chromium-driver`` (installed by ``.ci/run``); without them
the browser tests are skipped locally and fail in CI (``CI`` set).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlparse

import pytest

#: JavaScript: ``find(root, selector)`` - the first match in the document or any shadow root.
FIND_JS = """
function find(root, sel) {
  const hit = root.querySelector(sel);
  if (hit) return hit;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { const r = find(el.shadowRoot, sel); if (r) return r; }
  }
  return null;
}
function findAll(root, sel, out) {
  out = out || [];
  out.push(...root.querySelectorAll(sel));
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) findAll(el.shadowRoot, sel, out);
  return out;
}
"""

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def chromium() -> tuple[str, str]:
    """Paths of Chromium and chromedriver (skip locally, fail in CI, when missing)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (binary and driver):
        if os.environ.get("CI"):
            pytest.fail("Chromium and chromedriver are required in CI (apt-get install chromium chromium-driver)")
        pytest.skip("no Chromium/chromedriver here: apt-get install chromium chromium-driver to run the browser tests")
    return binary, driver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def offline_chromium(download_dir: Path | None = None, width: int = 1400, height: int = 1100) -> Iterator:
    """A headless Chromium WebDriver that can reach 127.0.0.1/localhost and nothing else."""
    binary, driver_path = chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    dead = socket.socket()  # bound, never listening: connections to it are refused
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    profile = tempfile.mkdtemp(prefix="orbitdc-chromium-")
    opts = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", f"--window-size={width},{height}",
                f"--proxy-server=http://127.0.0.1:{dead_port}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    if download_dir is not None:
        opts.add_experimental_option("prefs", {
            "download.default_directory": str(download_dir), "download.prompt_for_download": False,
            "download.directory_upgrade": True, "safebrowsing.enabled": False,
        })
    opts.binary_location = binary
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(driver_path))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    driver.requested_urls = []  # filled by requests(driver)
    try:
        if download_dir is not None:
            driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(download_dir)})
        yield driver
    finally:
        try:
            driver.quit()
        finally:
            dead.close()
            shutil.rmtree(profile, ignore_errors=True)


def requests(driver) -> list[str]:
    """Every URL the browser asked for so far (accumulated across calls)."""
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            driver.requested_urls.append(msg["params"]["request"]["url"])
        elif msg.get("method") == "Network.webSocketCreated":
            driver.requested_urls.append(msg["params"]["url"])
    return list(driver.requested_urls)


def external_requests(driver) -> list[str]:
    """URLs requested from anywhere but this machine (http, https, ws, wss)."""
    out = []
    for url in requests(driver):
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            out.append(url[:160])
    return out


def console_errors(driver) -> list[dict]:
    """SEVERE entries of the browser console (failed resources are logged there too)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@contextlib.contextmanager
def server_process(cmd: Sequence[str], ready_text: str | None = None, port: int | None = None,
                   timeout: float = 120, env: dict | None = None, cwd: Path | None = None) -> Iterator[Path]:
    """Run ``cmd`` in its own process group until the block ends, then kill the whole group.

    Ready when ``ready_text`` appears in its output or ``port`` accepts connections; a process
    that exits early or is not ready in ``timeout`` seconds fails the test with its output.
    Yields the path of the log file (stdout and stderr).
    """
    log_dir = Path(tempfile.mkdtemp(prefix="orbitdc-server-"))
    log_path = log_dir / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{cmd[0]} exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            up = False
            if ready_text is not None:
                up = ready_text in log_path.read_text(errors="replace")
            if port is not None and (ready_text is None or up):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    up = True
                except OSError:
                    up = False
            if up:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{cmd[0]} not ready after {timeout:.0f} s:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield log_path
    finally:
        _kill_group(proc)
        shutil.rmtree(log_dir, ignore_errors=True)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after 10 s."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    else:  # the leader is gone; children it left in the group go too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
