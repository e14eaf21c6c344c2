"""``orbitdc app`` serves only its own resources: no URL makes the server import a module.

Panel's ``/components/<module>/<class>/<attribute>/<file>`` route (``ComponentResourceHandler``)
calls ``importlib.import_module`` on the module the URL names, so a plain GET - which any web page
the user visits can send to localhost - imported, and so ran, any module on the server's import
path (issue 24: ``this`` printed on the server, a planted module executed). The app now answers
that route through :func:`orbitdc.app.component_resource_module`, which never imports.

How "nothing is imported" is observed, in a real ``orbitdc app`` process:

* a module planted on the server's ``PYTHONPATH`` writes a marker file when it is imported;
* the server runs with ``PYTHONPROFILEIMPORTTIME=1``, so CPython logs every module it imports
  (first time only) to stderr: a requested stdlib module must be absent from that log before the
  requests (else the case could not fail) and still absent after them;
* ``this`` prints the Zen of Python when imported: it must not reach the server's output.
"""
from __future__ import annotations

import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_support import free_port, server_process
from orbitdc import app as odc_app

pytestmark = pytest.mark.slow

ARCH = "spacex-starlink-compute"
PLANTED = "odc_planted_module"
PLANTED_PANEL_LOOKALIKE = "panel_planted"  # starts with "panel" but is not Panel
#: stdlib modules the app never imports by itself (checked below from the import log)
STDLIB = ("this", "wave", "mailbox", "xml.dom.minidom", "http.server", "turtle", "smtplib")


def _orbitdc_cmd() -> list[str]:
    script = Path(sys.executable).with_name("orbitdc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "orbitdc.cli"]


def _plant(folder: Path, name: str, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n"
        "class Comp:\n    css = ['a.css']\n")
    (folder / "a.css").write_text("body {}\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import os

    root = tmp_path_factory.mktemp("planted")
    markers = {name: root / f"{name}.imported" for name in (PLANTED, PLANTED_PANEL_LOOKALIKE)}
    for name, marker in markers.items():
        _plant(root / "path", name, marker)
    repo = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(repo), str(root / "path")]),
               PYTHONPROFILEIMPORTTIME="1", PYTHONUNBUFFERED="1")
    port = free_port()
    cmd = _orbitdc_cmd() + ["app", ARCH, "--port", str(port)]
    with server_process(cmd, ready_text="orbitdc app: serving", port=port, timeout=180, env=env) as log:
        yield f"http://127.0.0.1:{port}", log, markers


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _imported(log: Path) -> set[str]:
    """Modules CPython logged as imported (``import time: self | cumulative | name``)."""
    out = set()
    for line in log.read_text(errors="replace").splitlines():
        m = re.match(r"import time:\s+\d+\s*\|\s*\d+\s*\|\s*(\S+)\s*$", line)
        if m:
            out.add(m.group(1))
    return out


def _component_urls(module: str) -> list[str]:
    """Paths that reached ``importlib.import_module(module)`` in Panel's handler."""
    quoted = "".join(f"%{ord(c):02X}" for c in module)
    return [f"/components/{module}/Comp/css/a.css",
            f"/components/{module}/Comp/_resources/css/a.css",
            f"/components/{module}/Comp/__css__/a.css",
            f"/components/{module}/X/y/z",
            f"/components/{quoted}/Comp/css/a.css"]


def test_component_urls_import_nothing(served):
    base, log, markers = served
    # the cases can fail: none of these modules was imported before the requests
    before = _imported(log)
    assert before, "the server's import log is empty: PYTHONPROFILEIMPORTTIME did not reach it"
    assert "panel" in before and "orbitdc.app" in before
    for name in STDLIB:
        assert name not in before, f"{name} was already imported at start: this case could not fail"
    assert not any(m.exists() for m in markers.values())

    statuses = {}
    for module in (PLANTED, PLANTED_PANEL_LOOKALIKE) + STDLIB:
        for path in _component_urls(module):
            statuses[path] = _get(base + path)[0]
    assert all(code in (403, 404) for code in statuses.values()), statuses

    after = _imported(log)
    assert not (after & {PLANTED, PLANTED_PANEL_LOOKALIKE, *STDLIB}), sorted(after - before)
    assert not any(m.exists() for m in markers.values()), "a planted module ran"
    text = log.read_text(errors="replace")
    assert "The Zen of Python" not in text
    assert "Traceback" not in text


def test_panel_modules_not_yet_loaded_are_not_imported(served):
    base, log, _ = served
    candidates = ["panel.command", "panel.io.jupyter_server_extension", "panel.io.fastapi"]
    before = _imported(log)
    fresh = [m for m in candidates if m not in before]
    assert fresh, "every candidate was loaded already: pick others"
    for module in fresh:
        for path in _component_urls(module):
            assert _get(base + path)[0] in (403, 404)
    assert not (_imported(log) & set(fresh))


def test_the_app_itself_still_serves(served):
    base, _, _ = served
    status, body = _get(base + "/")
    assert status == 200 and b"bokeh" in body.lower()
    status, body = _get(base + "/static/extensions/panel/panel.min.js")
    assert status == 200 and len(body) > 100_000


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT"])
def test_the_app_stops_cleanly_on_a_signal(name):
    """README: "Ctrl-C stops it". SIGINT or SIGTERM stops the server at once with exit status 0
    and one line saying so (no traceback, no process left behind)."""
    import os
    import signal
    import subprocess
    import time

    port = free_port()
    proc = subprocess.Popen(_orbitdc_cmd() + ["app", ARCH, "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, text=True)
    try:
        out = ""
        deadline = time.monotonic() + 180
        while "orbitdc app: serving" not in out and time.monotonic() < deadline and proc.poll() is None:
            out += proc.stdout.readline()
        assert "orbitdc app: serving" in out, out
        proc.send_signal(getattr(signal, name))
        assert proc.wait(timeout=30) == 0
        rest = proc.stdout.read()
        assert f"orbitdc app: stopped ({name})" in rest and "Traceback" not in rest, rest
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ----------------------------------------------------------------------------------------------
# The rule itself, in this process
# ----------------------------------------------------------------------------------------------
def test_rule_accepts_only_loaded_panel_classes(monkeypatch):
    import types

    import panel.widgets  # noqa: F401 - loaded, as in the server

    assert odc_app.component_resource_module("panel.widgets", "FloatSlider") is sys.modules["panel.widgets"]
    assert odc_app.component_resource_module("panel.widgets", "no_such_class") is None
    assert odc_app.component_resource_module("panel.widgets", "__name__") is None  # not a class
    assert odc_app.component_resource_module("panelx", "FloatSlider") is None
    assert odc_app.component_resource_module("this", "s") is None
    # a panel module that is not loaded is refused, and still not loaded afterwards
    monkeypatch.delitem(sys.modules, "panel.template.fast.list", raising=False)
    assert odc_app.component_resource_module("panel.template.fast.list", "FastListTemplate") is None
    assert "panel.template.fast.list" not in sys.modules
    # a module-level __getattr__ (lazy import) is never consulted
    lazy = types.ModuleType("panel._odc_lazy")
    calls = []
    lazy.__getattr__ = lambda name: calls.append(name) or type(name, (), {})
    monkeypatch.setitem(sys.modules, "panel._odc_lazy", lazy)
    assert odc_app.component_resource_module("panel._odc_lazy", "Anything") is None
    assert calls == []


def test_route_still_serves_a_listed_panel_resource():
    """A Panel component's own listed file (a template's stylesheet) is still served, through
    Panel's own checks; an unlisted file of the same component is refused."""
    import asyncio

    from panel.io.resources import component_resource_path
    from panel.template import FastListTemplate
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError
    from tornado.httpserver import HTTPServer
    from tornado.web import Application

    path = "/" + component_resource_path(FastListTemplate, "_css", FastListTemplate._css[1])

    async def fetch_all():
        server = HTTPServer(Application([odc_app._component_route()]))
        port = free_port()
        server.listen(port, address="127.0.0.1")
        client = AsyncHTTPClient()
        out = []
        try:
            for p in (path, path.replace("fast_list_template.css", "../../base.py"),
                      "/components/this/s/css/x"):
                try:
                    r = await client.fetch(f"http://127.0.0.1:{port}{p}")
                    out.append((r.code, r.body))
                except HTTPClientError as exc:
                    out.append((exc.code, b""))
        finally:
            server.stop()
        return out

    listed, unlisted, this = asyncio.run(fetch_all())
    assert listed == (200, Path(FastListTemplate._css[1]).read_bytes())
    assert unlisted[0] in (403, 404)
    assert this[0] == 404
