"""The export: executed notebooks -> one self-contained HTML page.

The page is the notebooks' outputs in report order (inputs, prompts, parameter cells and stderr
dropped; cells tagged ``report-appendix`` moved to the end), rendered by nbconvert's
``HTMLExporter`` with the ``orbitdc_report`` template (no CDN links) and BokehJS inline once in the
head. :func:`external_references` checks that nothing would be fetched from the network.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from . import plots

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

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
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
                if not cell.outputs:
                    continue
            target.append(cell)
    out.cells.extend(appendix)
    return out


def export_html(paths: Sequence[Path], dest: Path) -> Path:
    from nbconvert import HTMLExporter

    nb = combine(paths)
    exporter = HTMLExporter(template_name="orbitdc_report", extra_template_basedirs=[str(TEMPLATE_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body, _ = exporter.from_notebook_node(nb, resources={"orbitdc_head": plots.bokeh_js()})
    bad = external_references(body)
    if bad:
        raise RuntimeError(f"the report would load external resources: {bad[:3]}")
    dest.write_text(body, encoding="utf-8")
    return dest
