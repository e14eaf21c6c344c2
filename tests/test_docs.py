"""The documentation site (issue 26): every module documented, every equation convertible.

``make docs`` (CI runs it) builds docs/ with Sphinx, warnings as errors and every internal
reference checked; these tests check, without building, what would otherwise only fail there.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import orbitdc
from orbitdc import methods
from orbitdc.stages import MODULES

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS))
import api_modules  # noqa: E402  (docs/api_modules.py: the API reference's one list of modules)


def _public_modules() -> set[str]:
    names = {"orbitdc"}
    for m in pkgutil.walk_packages(orbitdc.__path__, "orbitdc."):
        if not any(part.startswith("_") for part in m.name.split(".")[1:]):
            names.add(m.name)
    return names


def test_every_public_module_is_in_the_api_reference_or_on_the_chain_pages():
    """A new or moved module must be added to docs/api_modules.py (or say why it is left out)."""
    stages = {m.__name__ for m in MODULES}
    covered = set(api_modules.listed()) | set(api_modules.NOT_DOCUMENTED) | stages
    assert _public_modules() - covered == set(), "add these to docs/api_modules.py"
    assert not set(api_modules.listed()) & stages, "stage modules are documented on the chain pages"


def test_every_listed_module_exists():
    for name in api_modules.listed():
        importlib.import_module(name)
    assert len(api_modules.listed()) == len(set(api_modules.listed()))


_ROLE = re.compile(r":math:`([^`]+)`")


def _directive_blocks(doc: str):
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)\.\. math::\s*(.*)$", line)
        if not m:
            continue
        indent, body = len(m.group(1)), [m.group(2)] if m.group(2).strip() else []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            if not nxt.strip().startswith(":"):  # options such as :label:
                body.append(nxt.strip())
        text = "\n".join(body).strip()
        yield from (p for p in text.split("\n\n") if p.strip())


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_equation_of_the_chain_converts_to_mathml(module):
    """The docs and the report's Methods render the stage modules' equations with docutils'
    LaTeX-to-MathML converter; one it cannot read would be raw LaTeX in the report and a build
    error in the docs. Checked here for every ``:math:`` role and ``.. math::`` block of the stage
    modules and their public functions (the report's Methods text: orbitdc.tables.methods_html)."""
    from docutils.utils.math import latex2mathml, unichar2tex

    docs = [inspect.getdoc(module) or ""]
    docs += [inspect.getdoc(f) or "" for name, f in inspect.getmembers(module, inspect.isfunction)
             if not name.startswith("_") and f.__module__ == module.__name__]
    inline = [e for d in docs for e in _ROLE.findall(methods.report_part(d))]
    display = [e for d in docs for e in _directive_blocks(methods.report_part(d))]
    assert inline or display, f"{module.__name__} documents no equation"
    for tex, block in [*((t, False) for t in inline), *((t, True) for t in display)]:
        mathml = latex2mathml.tex2mathml(tex.translate(unichar2tex.uni2tex_table), as_block=block)
        assert mathml.startswith("<math"), tex


def test_docs_build_offline_with_warnings_as_errors_in_make_and_ci():
    """`make docs` builds with -W and nitpicky reference checks; CI runs it (with the report's
    executed notebooks); the build fetches nothing: no intersphinx, MathML instead of MathJax."""
    makefile = (DOCS.parent / "Makefile").read_text()
    assert re.search(r"^docs:.*\n\t\$\(PY\) -m sphinx -b html -W --keep-going -n", makefile, re.M)
    assert "make -C \"$ROOT\" docs" in (DOCS.parent / ".ci" / "run").read_text()
    conf = (DOCS / "conf.py").read_text()
    assert 'html_math_renderer = "mathml"' in conf and "sphinx.ext.intersphinx" not in conf
    assert 'nb_execution_mode = "off"' in conf and "nitpicky = True" in conf
