"""Sphinx extension of the orbitdc documentation: MathML equations and the generated pages.

Equations
    ``html_math_renderer = "mathml"``: every ``:math:`` role and ``.. math::`` block is turned
    into MathML at build time by docutils' own LaTeX converter
    (``docutils.utils.math.latex2mathml``), the converter the report's Methods appendix uses
    (:mod:`orbitdc.methods`, ``math_output: MathML``). Browsers render MathML natively: no
    JavaScript, no web font, nothing fetched. An equation the converter cannot read is a build
    warning, so ``-W`` stops the build on it (the report would show its LaTeX source instead).

Generated pages (written into the source tree before Sphinx reads it, all git-ignored)
    * ``api/``: one page per module of ``api_modules.API_SECTIONS`` (``automodule`` with its
      members) and an index; the package root's page lists the public names with links to the
      modules that define them.
    * ``chain/``: one page per stage module of :data:`orbitdc.stages.MODULES`, in chain order:
      the module docstring (the stage's equations and sources) and its public functions -- the same
      docstrings, in the same order, as the report's Methods appendix.
    * ``cli/``: ``orbitdc --help`` and each command's ``--help``, from :func:`orbitdc.cli.build_parser`.
    * ``gallery/``: the notebooks, with the outputs of a report run when one is given (see
      ``conf.py``: ``ORBITDC_DOCS_NOTEBOOKS``), else as they are in git (outputs stripped);
      ``_static_generated/``: BokehJS for their figures, loaded by the gallery pages only.
"""
from __future__ import annotations

import importlib
import inspect
import io
import json
import os
import re
import shutil
import sys
from contextlib import redirect_stdout
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

GENERATED = ("api", "chain", "cli", "gallery")


# --------------------------------------------------------------------------------------------
# MathML
# --------------------------------------------------------------------------------------------
def _mathml(self, node, latex: str, block: bool) -> str:
    from docutils.utils.math import MathError, latex2mathml, unichar2tex

    code = latex.translate(unichar2tex.uni2tex_table)  # as docutils' HTML writer does
    try:
        return latex2mathml.tex2mathml(code, as_block=block)
    except MathError as err:
        logger.warning("equation not convertible to MathML (%s): %s", err, latex, location=node)
        return f"<code>{self.encode(latex)}</code>"


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math"))
    self.body.append(_mathml(self, node, node.astext(), block=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node.get("number"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    # a ``.. math::`` block with blank lines holds several equations: one <math> each
    for part in [p for p in node.astext().split("\n\n") if p.strip()]:
        self.body.append(_mathml(self, node, part, block=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# --------------------------------------------------------------------------------------------
# Generated pages
# --------------------------------------------------------------------------------------------
def _write(path: Path, text: str) -> None:
    """Write only when the text changed (Sphinx rebuilds what changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _api_pages(src: Path) -> None:
    sys.path.insert(0, str(src))
    from api_modules import API_SECTIONS

    out = src / "api"
    index = [_title("API reference"), "",
             "Every public module, generated from its docstrings (``docs/api_modules.py`` lists them).",
             "The stage modules, with their equations, are on the :doc:`model chain </chain/index>` pages.", ""]
    for section, modules in API_SECTIONS:
        index += [_title(section, "-"), ".. toctree::", "   :maxdepth: 1", ""]
        index += [f"   {m}" for m in modules] + [""]
        for m in modules:
            _write(out / f"{m}.rst", _module_page(m))
    _write(out / "index.rst", "\n".join(index))


def _module_page(name: str) -> str:
    if name == "orbitdc":
        # each public name, linked to the module that defines and documents it (the references
        # ``orbitdc.evaluate`` etc. resolve there: :func:`_public_alias`)
        import orbitdc

        rows = []
        for public in orbitdc.__all__:
            if public.startswith("__"):
                continue
            obj = getattr(orbitdc, public)
            role = "exc" if inspect.isclass(obj) and issubclass(obj, BaseException) else (
                "class" if inspect.isclass(obj) else "func")
            first = (inspect.getdoc(obj) or "").strip().split("\n\n", 1)[0].replace("\n", " ")
            rows.append(f"* :{role}:`orbitdc.{public}` -- {first}")
        return "\n".join([_title("orbitdc"), "", ".. automodule:: orbitdc", "   :no-members:", "",
                          _title("Public names", "-"), "",
                          "Each is defined, and documented, in the module it links to.", "", *rows, ""])
    return "\n".join([_title(name), "", f".. automodule:: {name}", "   :members:", "   :show-inheritance:",
                      "   :ignore-module-all:", ""])


def _chain_pages(src: Path) -> None:
    from orbitdc.stages import MODULES

    out = src / "chain"
    names = []
    for mod in MODULES:
        short = mod.__name__.rsplit(".", 1)[1]
        names.append(short)
        _write(out / f"{short}.rst", "\n".join([
            _title(f"Stage {MODULES.index(mod) + 1}: {short}"), "",
            f".. automodule:: {mod.__name__}", "   :members:", "   :ignore-module-all:", ""]))
    # the chain's index: the hand-written introduction (chain_intro.md), then the stages in order
    intro = (src / "chain_intro.md").read_text(encoding="utf-8")
    _write(out / "index.md", intro.rstrip() + "\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(names) + "\n```\n")


def _cli_pages(src: Path) -> None:
    from orbitdc import cli

    parser = cli.build_parser()
    out = src / "cli"
    texts = {"orbitdc": parser.format_help()}
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        texts[name] = p.format_help()
    for name, text in texts.items():
        _write(out / f"{name}.txt", text)
    _write(out / "commands.inc", "\n".join(
        [f"* ``{n}``: :ref:`cli-{n}`" for n in sub.choices] + [""] +
        [line for n in sub.choices for line in (f".. _cli-{n}:", "", _title(f"orbitdc {n}", "-"), "",
                                                 f".. literalinclude:: cli/{n}.txt", "   :language: text", "")]))


def _gallery(src: Path, executed: Path | None) -> None:
    """The notebooks into ``gallery/`` (with outputs from ``executed`` when given) and its index."""
    from orbitdc.datadirs import SHIPPED_NOTEBOOK_DIR as NOTEBOOKS_DIR

    out = src / "gallery"
    out.mkdir(exist_ok=True)
    names = sorted(p.name for p in Path(NOTEBOOKS_DIR).glob("*.ipynb"))
    origin = "as they are in git (outputs stripped): build the docs after a report run to show outputs"
    for name in names:
        src_nb = (executed / name) if executed and (executed / name).exists() else Path(NOTEBOOKS_DIR) / name
        target = out / name
        if not target.exists() or target.read_bytes() != src_nb.read_bytes():
            shutil.copyfile(src_nb, target)
    if executed:
        prov = executed.parent / "provenance.json"
        info = json.loads(prov.read_text()) if prov.exists() else {}
        origin = ("with the outputs of the report run " + ", ".join(
            f"{k} {info[k]}" for k in ("samples", "seed", "orbitdc_version", "start_time") if k in info)).rstrip()
    _write(out / "origin.txt", origin + "\n")


def _napoleon_for_callables_only(app) -> None:
    """Napoleon reads the first line of an attribute's, a constant's (``#:``) or a property's
    docstring as ``type: description`` when it has a colon; orbitdc writes prose there ("Log-standard
    deviation of the lognormal: ln(high/low) / (2 z95)"). Those docstrings have no NumPy sections
    for napoleon to translate, so its handler is skipped for them."""
    from sphinx.ext.napoleon import _process_docstring

    listeners = app.events.listeners.get("autodoc-process-docstring", [])
    for i, listener in enumerate(listeners):
        if listener.handler is _process_docstring:
            def handler(app_, what, name, obj, options, lines, _napoleon=listener.handler):
                if what not in ("attribute", "data", "property"):
                    _napoleon(app_, what, name, obj, options, lines)

            listeners[i] = listener._replace(handler=handler)


_SHAPE_STAR = re.compile(r"\*(?=[A-Z]\b)")


def _literal_shape_stars(app, what, name, obj, options, lines) -> None:
    """NumPy shape notation in docstrings (``(T, V, *P)``: "then the points' axes") is text, not
    the start of an emphasis: its star is escaped before napoleon and docutils read it."""
    for i, line in enumerate(lines):
        if "*" in line:
            lines[i] = _SHAPE_STAR.sub(r"\\*", line)


def _bokeh_js(src: Path) -> list[str]:
    """BokehJS (the components the report inlines, :func:`orbitdc.plots.bokeh_js`) as local files
    for the gallery's figures: the notebooks' outputs hold each figure's embedding script, the
    report's page holds BokehJS once; here the gallery pages load it from ``_static``."""
    from bokeh.resources import Resources

    res = Resources(mode="inline", components=["bokeh", "bokeh-gl", "bokeh-widgets"])
    names = []
    for i, js in enumerate(res.js_raw):
        name = f"orbitdc-bokeh-{i}.js"
        _write(src / "_static_generated" / name, js)
        names.append(name)
    return names


def _gallery_scripts(app, pagename, templatename, context, doctree) -> None:
    if pagename.startswith("gallery/"):
        for name in app.env.orbitdc_bokeh_js:
            app.add_js_file(name)


def generate(app) -> None:
    src = Path(app.srcdir)
    _api_pages(src)
    _chain_pages(src)
    _cli_pages(src)
    executed = os.environ.get("ORBITDC_DOCS_NOTEBOOKS") or app.config.orbitdc_notebooks
    path = Path(executed) if executed else None
    if path is not None and not path.is_dir():
        logger.warning("ORBITDC_DOCS_NOTEBOOKS=%s is not a folder of executed notebooks", executed)
        path = None
    _gallery(src, path)
    app.env.orbitdc_bokeh_js = _bokeh_js(src)
    if "_static_generated" not in app.config.html_static_path:
        app.config.html_static_path.append("_static_generated")


def _aliases() -> dict[str, str]:
    """``orbitdc.<name>`` -> where it is defined (``orbitdc.chain.evaluate``, ...)."""
    import orbitdc
    from orbitdc import errors

    out = {f"orbitdc.{n}": f"{m}.{n}" for n, m in orbitdc._PUBLIC.items()}
    out.update({f"orbitdc.{n}": f"orbitdc.errors.{n}" for n in dir(errors) if n.endswith("Error")})
    return out


def _public_alias(app, env, node, contnode):
    """A reference to a public name as users write it (``orbitdc.evaluate``, also
    ``orbitdc.trajectory``, which names a module too) resolves to the object in its module."""
    if node.get("refdomain") != "py":
        return None
    target = _aliases().get(node.get("reftarget", ""))
    if target is None:
        return None
    domain = env.get_domain("py")
    node = node.deepcopy()
    node["reftarget"] = target
    return domain.resolve_xref(env, node.get("refdoc", ""), app.builder, node["reftype"], target, node, contnode)


def setup(app):
    app.add_config_value("orbitdc_notebooks", "", "env")
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    app.connect("builder-inited", generate)
    app.connect("builder-inited", _napoleon_for_callables_only)
    app.connect("autodoc-process-docstring", _literal_shape_stars, priority=100)  # before napoleon (500)
    app.connect("missing-reference", _public_alias)
    app.connect("html-page-context", _gallery_scripts)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
