"""The report's Methods: the stage modules' docstrings (reStructuredText) rendered to HTML.

Docstrings are the single source of the equations and their sources (the code documents itself);
this module turns them into HTML for a reader with docutils: headings, lists, emphasis, literal
blocks as code, and equations (``:math:`...``` roles and ``.. math::`` blocks, LaTeX) typeset as
MathML by docutils itself at build time -- nothing is fetched or run in the browser, and Chromium
renders MathML natively.

Sphinx's cross-reference roles (``:func:``, ``:mod:``, ``:class:`` ...) are not docutils roles;
they are registered here to render as code (``~a.b.c`` shows ``c``), so no raw role reaches the page.

Developer notes stay out of the report: a docstring's text from a reST comment line
``.. developer notes`` on is dropped (the comment itself is invisible in ``help()`` too).
"""
from __future__ import annotations

import inspect
import re
from functools import lru_cache

from ..stages import MODULES
from . import figures
from .tables import HTML, esc

#: A docstring's text from this reST comment on is for developers, not for the report.
DEVELOPER_MARKER = re.compile(r"^\s*\.\. developer notes\s*$", re.M | re.I)

_SPHINX_ROLES = ("mod", "func", "class", "meth", "attr", "data", "obj", "exc", "const", "py:func", "py:mod",
                 "py:class", "ref", "doc", "term")


@lru_cache(maxsize=1)
def _register_roles() -> None:
    from docutils import nodes
    from docutils.parsers.rst import roles

    def code_role(name, rawtext, text, lineno, inliner, options=None, content=None):
        target = text.strip()
        shown = target[1:].rsplit(".", 1)[-1] if target.startswith("~") else target
        shown = re.sub(r"\s*<[^>]*>$", "", shown)  # `title <target>` -> title
        return [nodes.literal(rawtext, shown)], []

    for role in _SPHINX_ROLES:
        roles.register_local_role(role, code_role)


def report_part(doc: str) -> str:
    """The part of a docstring meant for readers (everything before ``.. developer notes``)."""
    m = DEVELOPER_MARKER.search(doc or "")
    return (doc or "")[: m.start()] if m else (doc or "")


def rst_html(text: str, heading_level: int = 4) -> str:
    """reStructuredText -> an HTML fragment (body only): section titles from ``<h{heading_level}>``
    down, equations as MathML, Sphinx roles as code. Markup errors do not stop the report: the
    text is still rendered (docutils reports are silenced, bad spans show as plain text)."""
    from docutils.core import publish_parts

    _register_roles()
    settings = {
        "math_output": "MathML",
        "report_level": 5,          # no system messages in the page
        "halt_level": 5,
        "initial_header_level": heading_level,
        "doctitle_xform": False,    # a docstring's first section title stays a section title
        "sectsubtitle_xform": False,
        "syntax_highlight": "none",
        "embed_stylesheet": False,
        "input_encoding": "unicode",
        "file_insertion_enabled": False,
        "raw_enabled": False,
    }
    parts = publish_parts(source=text, writer="html5", settings_overrides=settings)
    body = parts["body"]
    # problematic spans (markup docutils could not parse) keep their text, without the error link
    body = re.sub(r'<a href="#system-message[^"]*"[^>]*>(.*?)</a>', r"\1", body, flags=re.S)
    return code_identifiers(body)


_IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")


def code_identifiers(fragment: str) -> str:
    """Set the code names a docstring mentions in prose without back-quotes (``it_power``,
    ``P_sa``) as code, so a reader sees at once that they are names in the model, not words."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(fragment, "html.parser")
    for text in list(soup.find_all(string=_IDENTIFIER)):
        parent = text.parent
        if parent is None or parent.find_parent(["code", "pre", "math"]) or parent.name in ("code", "pre", "math") \
                or "literal" in (parent.get("class") or []) or parent.find_parent(class_="literal"):
            continue
        pieces, last = [], 0
        for m in _IDENTIFIER.finditer(str(text)):
            pieces.append(NavigableString(str(text)[last:m.start()]))
            code = soup.new_tag("code")
            code.string = m.group(0)
            pieces.append(code)
            last = m.end()
        pieces.append(NavigableString(str(text)[last:]))
        for piece in pieces:
            text.insert_before(piece)
        text.extract()
    return str(soup)


def docstring_html(doc: str, heading_level: int = 4) -> str:
    """A docstring for the report: its reader part (:func:`report_part`) rendered by :func:`rst_html`."""
    return rst_html(inspect.cleandoc(report_part(doc)), heading_level)


# --------------------------------------------------------------------------------------------
# The Methods appendix: every stage's equations and sources
# --------------------------------------------------------------------------------------------


#: The stage modules by name, in chain order (:data:`orbitdc.stages.MODULES`).
STAGE_MODULE_OBJECTS = {m.__name__.rsplit(".", 1)[1]: m for m in MODULES}


def methods_html(stage: str):
    """The stage's equations and sources, rendered from its module docstring and its public
    functions' docstrings (reST -> HTML, equations -> MathML)."""
    mod = STAGE_MODULE_OBJECTS.get(stage)
    if mod is None:
        return HTML(figures.Missing(f"Methods: {stage}", f"not available: no stage {stage}").html())
    parts = [f"<div class='orbitdc-doc'>{docstring_html(inspect.getdoc(mod) or '', heading_level=4)}</div>"]
    functions = []
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != mod.__name__ or name == "run" or not fn.__doc__:
            continue
        doc = inspect.getdoc(fn) or ""
        functions.append(f"<details class='orbitdc-function'><summary><code>{esc(name)}</code></summary>"
                         f"<div class='orbitdc-doc'>{docstring_html(doc, heading_level=5)}</div></details>")
    if functions:
        parts.append(f"<details class='orbitdc-functions'><summary>Functions of this stage ({len(functions)}), "
                     f"with their equations and sources</summary>{''.join(functions)}</details>")
    return HTML("\n".join(parts))


#: Stage module -> heading of its Methods section.
STAGE_TITLES = {"orbit": "Orbit and environment", "compute": "Compute payload", "power": "Power",
                "thermal": "Thermal", "mass": "Mass budget", "launch": "Launch", "economics": "Economics"}


def all_methods_html():
    """Methods of every stage in chain order (module and function docstrings: equations, sources)."""
    parts = []
    for stage in STAGE_MODULE_OBJECTS:
        title = STAGE_TITLES.get(stage, stage.replace("_", " ").capitalize())
        parts.append(f"<h3 id='methods-{esc(stage)}'>{esc(title)}</h3>" + methods_html(stage).data)
    return HTML("\n".join(parts))
