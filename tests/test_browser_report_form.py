"""The report as a reader sees it (issue 16): a small real report (two architectures, 16 Monte
Carlo samples) built with ``--pdf``, opened in headless Chromium at 1280x800 with the network cut.

Checked, as the issue's Tests section asks:
* the tables fit the page: no horizontal overflow (``scrollWidth <= clientWidth``);
* every figure has drawn a canvas;
* no identifier-shaped text (``[a-z]+_[a-z_]+``) in the visible body outside code (``code``,
  ``pre``, docutils literals, MathML) and the assumptions appendix -- with every other folded
  section opened, so Methods, claims and limitations are read too;
* every internal link (``href="#..."``) resolves to an element of the page;
* no raw reStructuredText (double back-quotes, ``:func:``-style roles) anywhere in the page;
* the contents, the folded appendix and the footer (version, date, commit, seed) are there;
* ``report.pdf`` exists, has more than one page, and its text holds the first screen's sentences
  (read with pypdf: pure Python, so no system package beyond Chromium is needed).

Chromium: Debian's ``chromium`` and ``chromium-driver`` (installed by .ci/run); without them the
test is skipped locally and fails in CI.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata

import pytest

from browser_support import chromium, offline_chromium
from orbitdc import report

pytestmark = pytest.mark.slow

ARCHS = ["spacex-starlink-compute", "terrestrial-hyperscale"]
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    chromium()  # skip (locally) or fail (CI) before spending a minute on the build
    out = tmp_path_factory.mktemp("form") / "report"
    report.build(ARCHS, {}, out=out, jobs=2, samples=16, seed=5, progress=False, pdf=True)
    return out


@pytest.fixture(scope="module")
def page(built):
    with offline_chromium(width=1280, height=800) as driver:
        driver.set_window_size(1280, 800)
        driver.get((built / "index.html").resolve().as_uri())
        deadline = time.time() + 60
        while time.time() < deadline:
            total, drawn = driver.execute_script(_CANVAS_JS)
            if total and drawn == total:
                break
            time.sleep(0.5)
        yield driver


_CANVAS_JS = """
function count(root) {
  let n = root.querySelectorAll('canvas').length;
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) n += count(el.shadowRoot);
  return n;
}
const figs = [...document.querySelectorAll('div.orbitdc-figure')];
return [figs.length, figs.filter(f => count(f) > 0).length];
"""


def test_tables_fit_the_page(page):
    widths = page.execute_script("""
        return [...document.querySelectorAll('div.orbitdc-table-wrap')]
          .filter(w => !w.closest('details:not([open])'))
          .map(w => [w.querySelector('caption') ? w.querySelector('caption').textContent : '',
                     w.scrollWidth, w.clientWidth]);
    """)
    assert widths, "no table on the page"
    wide = [w for w in widths if w[1] > w[2]]
    assert wide == [], f"tables wider than the page (caption, scrollWidth, clientWidth): {wide}"
    # the executive summary (the answer table) in particular
    summary = page.execute_script("const t = document.querySelector('table.orbitdc-summary');"
                                  "const w = t.closest('div.orbitdc-table-wrap'); return [w.scrollWidth, w.clientWidth];")
    assert summary[0] <= summary[1]


def test_every_figure_has_a_canvas(page):
    total, drawn = page.execute_script(_CANVAS_JS)
    assert total >= 8 and drawn == total, (total, drawn)


def test_no_identifiers_in_visible_text(page):
    page.execute_script("""
        for (const d of document.querySelectorAll('details')) {
          const h = d.querySelector(':scope > summary h2');
          if (!(h && h.id === 'Assumptions')) d.open = true;
        }""")
    texts = page.execute_script("""
        const skip = 'code, pre, kbd, samp, math, script, style, .docutils.literal, .orbitdc-figure';
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let n;
        while ((n = walker.nextNode())) {
          const el = n.parentElement;
          if (!el || el.closest(skip)) continue;
          const d = el.closest('details');
          if (d && !d.open) continue;                       // the assumptions appendix (folded)
          if (!el.checkVisibility()) continue;
          if (n.textContent.trim()) out.push(n.textContent);
        }
        return out;
    """)
    found = sorted({m for t in texts for m in IDENTIFIER.findall(t)})
    assert found == [], f"identifiers in the visible text: {found[:30]}"
    page.execute_script("document.querySelectorAll('details').forEach(d => d.open = false);")


def test_internal_anchors_resolve(page):
    missing = page.execute_script("""
        return [...document.querySelectorAll('a[href^="#"]')]
          .map(a => a.getAttribute('href').slice(1))
          .filter(id => id && !document.getElementById(decodeURIComponent(id)));
    """)
    links = page.execute_script("return document.querySelectorAll('nav.orbitdc-toc a').length")
    assert links >= 10 and missing == [], missing


def test_no_raw_restructuredtext(page):
    text = page.execute_script("return document.body.textContent")
    for raw in ("``", ":func:", ":mod:", ":class:", ":data:", ":math:", ".. math::"):
        assert raw not in text, raw
    assert page.execute_script("return document.querySelectorAll('main math').length") > 0  # equations typeset
    # laid out as MathML (a stylesheet's plain `display: block` would stack the parts as boxes)
    displays = page.execute_script("return [...document.querySelectorAll('math[display=block]')]"
                                   ".map(m => getComputedStyle(m).display)")
    assert displays and set(displays) == {"block math"}, set(displays)


def test_navigation_and_footer(built, page):
    prov = json.loads((built / "provenance.json").read_text())
    footer = page.execute_script("return document.querySelector('footer.orbitdc-footer').innerText")
    assert f"orbitdc {prov['orbitdc_version']}" in footer and f"seed {prov['seed']}" in footer
    assert prov["end_time"][:10] in footer
    if prov["git_commit"]:
        assert prov["git_commit"][:12] in footer
    folded = page.execute_script("return [...document.querySelectorAll('details.orbitdc-appendix > summary h2')]"
                                 ".map(h => h.textContent.replace('¶', '').trim())")
    assert {"Assumptions", "Methods", "Limitations"} <= set(folded)
    text = (built / "index.html").read_text(encoding="utf-8")
    assert "parameters cell" not in text  # a static page cannot be re-run


def test_pdf(built, page):
    from pypdf import PdfReader

    pdf = built / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    reader = PdfReader(str(pdf))
    assert len(reader.pages) > 1
    def squeeze(text: str) -> str:
        # the PDF's text layer breaks lines (inside hyphenated names too) and uses ligatures (ﬁ):
        # compare without whitespace, after compatibility normalisation
        return "".join(unicodedata.normalize("NFKC", text).split())

    text = squeeze(" ".join(p.extract_text() or "" for p in reader.pages[:4]))
    paragraphs = page.execute_script("return [...document.querySelectorAll('div.orbitdc-answer p')].map(p => p.innerText)")
    assert paragraphs
    for para in paragraphs:
        for sentence in para.split(". ")[:2]:  # the first screen's first sentences
            assert squeeze(sentence) in text, sentence
    manifest = json.loads((built / "orbitdc-manifest.json").read_text())
    assert "report.pdf" in json.dumps(manifest)  # recorded as orbitdc's, so a rebuild may replace it
