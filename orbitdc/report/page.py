"""The export: executed notebooks -> one self-contained HTML page.

The page is the notebooks' outputs in report order (inputs, prompts, parameter cells and stderr
dropped; cells tagged ``report-appendix`` moved to the end), rendered by nbconvert's
``HTMLExporter`` with the ``orbitdc_report`` template (no CDN links) and BokehJS inline once in the
head. :func:`external_references` checks that nothing would be fetched from the network.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from . import figures

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
#: Cell tag of the cells moved to the appendix (nbconvert writes it as the class ``celltag_<tag>``).
APPENDIX_TAG = "orbitdc-appendix"

_EXTERNAL = re.compile(r"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?[\"']?\s*(?:https?:)?//", re.I)


def external_references(text: str) -> list[str]:
    """External script/stylesheet/media references in an HTML page (must be none)."""
    return [m.group(0)[:120] for m in _EXTERNAL.finditer(text)] + [m.group(0) for m in _CSS_IMPORT.finditer(text)]


def combine(paths: Sequence[Path]):
    """One notebook of the executed notebooks' cells (parameter cells and stderr dropped)."""
    import nbformat

    out = nbformat.v4.new_notebook()
    out.metadata["title"] = "orbitdc feasibility report"
    appendix = []
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        target = out.cells
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & {"parameters", "injected-parameters"}:
                continue
            if "report-appendix" in tags:  # from here on, this notebook's cells go to the end of the page
                target = appendix
            if target is appendix:  # marked, so the page can fold the appendix (see navigation)
                cell.setdefault("metadata", {}).setdefault("tags", [])
                if APPENDIX_TAG not in cell.metadata["tags"]:
                    cell.metadata["tags"] = [*cell.metadata["tags"], APPENDIX_TAG]
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
                if not cell.outputs:
                    continue
            target.append(cell)
    out.cells.extend(appendix)
    return out


def export_html(paths: Sequence[Path], dest: Path, provenance: Mapping[str, Any] | None = None) -> Path:
    """The executed notebooks -> ``dest`` (one page): nbconvert with the orbitdc template, then
    :func:`navigation` (contents, folded appendix, footer with ``provenance``)."""
    from nbconvert import HTMLExporter

    nb = combine(paths)
    exporter = HTMLExporter(template_name="orbitdc_report", extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body, _ = exporter.from_notebook_node(nb, resources={"orbitdc_head": figures.bokeh_js()})
    body = navigation(body, provenance)
    bad = external_references(body)
    if bad:
        raise RuntimeError(f"the report would load external resources: {bad[:3]}")
    dest.write_text(body, encoding="utf-8")
    return dest


def _heading_text(h) -> str:
    """A heading's text without nbconvert's pilcrow anchor link."""
    return "".join(t for t in h.find_all(string=True) if not (t.parent.name == "a" and "anchor-link" in (t.parent.get("class") or []))).strip()


def navigation(page: str, provenance: Mapping[str, Any] | None = None) -> str:
    """Make the page navigable: a table of contents of the sections (links to their headings'
    anchors) after the title, each appendix section (assumptions, methods, claims, limitations)
    folded in a ``<details>`` whose summary is its heading, and a footer with the orbitdc version,
    the date, the git commit and the Monte Carlo seed (from ``provenance``)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    main = soup.find("main") or soup.body
    if main is None:
        return page
    cells = [c for c in main.find_all("div", recursive=False) if "jp-Cell" in (c.get("class") or [])]
    # the appendix: group its cells by section heading (h2), fold each group
    mark = f"celltag_{APPENDIX_TAG}"  # on the cell (code) or on its rendered markdown (markdown cells)
    appendix = [c for c in cells if mark in (c.get("class") or []) or c.find(class_=mark) is not None]
    groups: list[list] = []
    for c in appendix:
        if c.find("h2") is not None or not groups:
            groups.append([c])
        else:
            groups[-1].append(c)
    if groups:
        title = soup.new_tag("h2", id="Appendix")
        title.string = "Appendix"
        groups[0][0].insert_before(title)
    for group in groups:
        h2 = group[0].find("h2")
        details = soup.new_tag("details", attrs={"class": "orbitdc-appendix"})
        summary = soup.new_tag("summary")
        details.append(summary)
        group[0].insert_before(details)
        if h2 is not None:
            summary.append(h2.extract())
        else:
            summary.string = "More"
        for c in group:
            details.append(c.extract())
    # the contents: every h2 of the page, in order (the appendix ones included)
    headings = [h for h in main.find_all("h2") if h.get("id")]
    first = next((c for c in cells if c.find("h1") is not None), None)
    if headings:
        # folded to one line under the title: the first screen is the answer, not a table of contents
        nav = soup.new_tag("nav", attrs={"class": "orbitdc-toc", "id": "contents", "aria-label": "Contents"})
        fold = soup.new_tag("details")
        label = soup.new_tag("summary")
        label.string = f"Contents ({len(headings)} sections)"
        fold.append(label)
        nav.append(fold)
        ol = soup.new_tag("ol")
        for h in headings:
            li = soup.new_tag("li")
            a = soup.new_tag("a", href=f"#{h['id']}")
            a.string = _heading_text(h)
            li.append(a)
            ol.append(li)
        fold.append(ol)
        if first is not None:
            first.insert_after(nav)
        else:
            main.insert(0, nav)
    main.append(BeautifulSoup(footer_html(provenance), "html.parser"))
    script = soup.new_tag("script")
    script.string = OPEN_TARGET_JS
    main.append(script)
    return str(soup)


#: A link to a section inside a folded part (the appendix) opens it: every ``<details>`` around the
#: target, and the one whose summary the target is, are opened before the page scrolls there.
OPEN_TARGET_JS = """
(function () {
  function openTo(id) {
    var el = id && document.getElementById(decodeURIComponent(id));
    if (!el) return;
    var s = el.closest('summary');
    if (s && s.parentElement.tagName === 'DETAILS') s.parentElement.open = true;
    for (var d = el.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
    el.scrollIntoView();
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[href^="#"]');
    if (a) { openTo(a.getAttribute('href').slice(1)); }
  });
  window.addEventListener('hashchange', function () { openTo(location.hash.slice(1)); });
  if (location.hash) openTo(location.hash.slice(1));
})();
"""


def footer_html(provenance: Mapping[str, Any] | None) -> str:
    """The page footer: orbitdc version, date, git commit, Monte Carlo seed and samples."""
    import html as _html

    p = dict(provenance or {})
    if not p:
        return '<footer class="orbitdc-footer">orbitdc feasibility report</footer>'
    commit = p.get("git_commit")
    commit_text = (f"git commit {commit[:12]}" + (" with uncommitted changes" if p.get("git_dirty") else "")
                   if commit else "git commit unknown (not built from a checkout)")
    date = str(p.get("end_time") or p.get("start_time") or "")
    date_text = date[:16].replace("T", " ") + " UTC" if date else "date unknown"
    parts = [f"orbitdc {p.get('orbitdc_version', '?')}", f"built {date_text}", commit_text,
             f"Monte Carlo seed {p.get('seed')}, {p.get('samples')} samples per architecture",
             'full record: <a href="provenance.json">provenance.json</a>']
    safe = [_html.escape(x) if not x.startswith("full record") else x for x in parts]
    return '<footer class="orbitdc-footer"><p>' + " · ".join(safe) + "</p></footer>"
