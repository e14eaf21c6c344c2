"""HTML tables and text blocks the notebooks display: the executive summary, stage outputs, Monte
Carlo percentiles, assumptions, methods, published claims, limitations.

Every piece of text is escaped (:func:`esc`); the numbers come from a :class:`~orbitdc.study.Study`
and the words from :mod:`orbitdc.verdicts`.
"""
from __future__ import annotations

import html
import inspect
import json
from typing import Any, Mapping, Sequence

import numpy as np

from . import formatting, plots
from .errors import OrbitdcError
from .report_settings import threshold
from .study import Study, value_of
from .verdicts import fmt, missing_cell, summary_rows

def esc(x: Any) -> str:
    """Text for HTML: escaped; an object with ``__html__`` (markupsafe.Markup) is already HTML."""
    if hasattr(x, "__html__"):
        return x.__html__()
    return html.escape(str(x), quote=True)


def cell_text(x: Any) -> str:
    """A table cell: numbers and booleans through :func:`orbitdc.formatting.number` (one style:
    ``yes``/``no``, ``1,705``, ``12.3 million``), text as it is."""
    if isinstance(x, (bool, np.bool_, int, float, np.integer, np.floating)) and not isinstance(x, str):
        return formatting.number(x)
    return x


def named(text: str, identifier: str):
    """A cell showing ``text`` with the identifier it stands for as a tooltip (title attribute)."""
    from markupsafe import Markup

    return Markup('<span title="{}">{}</span>').format(identifier, text)


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, caption: str = "",
               cls: str = "orbitdc-table", headers: Mapping[str, str] | None = None) -> str:
    """An HTML table of ``rows`` (mappings column -> value), every text escaped; numbers and
    booleans written by :func:`cell_text`; ``headers`` maps a column key to the heading shown."""
    columns = list(columns or (rows[0].keys() if rows else []))
    headers = dict(headers or {})
    head = "".join(f"<th>{esc(headers.get(c, c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell_text(r.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="orbitdc-table-wrap"><table class="{cls}">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def HTML(text: str):
    from IPython.display import HTML as _HTML

    return _HTML(text)


def summary_html(study: Study) -> str:
    rows = summary_rows(study)
    cfg = study.settings["thresholds"]
    notes = "".join(f"<li>{esc(threshold_words(k, v))} [source: {esc(', '.join(v['source']) if isinstance(v['source'], list) else v['source'])}]</li>"
                    for k, v in cfg.items())
    overrides = ("; ".join(f"{formatting.label(k, capital=False)} set to {v}" for k, v in study.overrides.items())
                 if study.overrides else "none")
    # one column per architecture, one row per quantity: a dozen quantities side by side would not fit
    # 1,280 px, while a handful of architectures does (issue 16)
    names = [r["architecture"] for r in rows]
    quantities = [k for k in dict.fromkeys(k for r in rows for k in r) if k != "architecture"]
    by_quantity = [{"quantity": q, **{n: r.get(q, "") for n, r in zip(names, rows)}} for q in quantities]
    return (table_html(by_quantity, columns=["quantity", *names],
                       caption="Executive summary (nominal values; interval from Monte Carlo)", cls="orbitdc-table orbitdc-summary")
            + f"<p>How the verdicts are decided:</p><ul>{notes}</ul>"
            + f"<p>Monte Carlo: {esc(formatting.number(study.samples))} samples per architecture, seed {esc(study.seed)}; each sample "
            + "is the best design for its world (design variables optimised per sample, uncertain parameters and "
            + "the catalog values in use drawn with the rank correlations of the data files). "
            + f"Scenario: {esc(getattr(study, 'scenario', None) or 'none (the architecture files as written)')}. "
            + f"Values changed from the data files: {esc(overrides)}.</p>")


def threshold_words(key: str, entry: Mapping[str, Any]) -> str:
    """A verdict threshold of data/report.yaml in words: its note (what it means) and its value
    with unit, never the YAML key."""
    value = entry["value"]
    unit = entry.get("unit", "1")
    shown = (f"{formatting.number(100 * float(value))} %" if unit == "1" and 0 < float(value) < 1
             else formatting.quantity(value, unit))
    note = " ".join(formatting.words(str(entry.get("note", ""))).split())
    return f"{formatting.label(key)}: {shown}. {note}".strip()


def summary(study: Study):
    """The executive summary table and the thresholds behind its verdicts (displayable HTML)."""
    return HTML(summary_html(study))


def stage_table(study: Study, stage: str):
    """Every output of ``stage`` for every architecture, with units (HTML), or Missing."""
    from .chain import stages

    st = next((s for s in stages() if s.name == stage), None)
    if st is None:
        return HTML(plots.Missing(f"Stage {stage}", f"not computed: stage {stage} absent (orbitdc/{stage}.py not written)").html())
    cmp = study.compare()
    rows = []
    for name, out in st.outputs.items():
        if name not in cmp:
            continue
        # every value carries its unit (engineering form), so there is no separate unit column
        row = {"output": named(formatting.label(name, out.long_name), name)}
        for a in study.names:
            da = cmp[name].sel(architecture=a)
            if da.dtype.kind in "fiub":
                row[a] = _output_cell(da, out.unit)
            else:
                row[a] = ", ".join(formatting.words(v) for v in sorted(set(np.asarray(da.values).astype(str).ravel())))
        rows.append(row)
    return HTML(table_html(rows, ("output", *study.names), caption=f"Stage {stage}: outputs",
                           headers={"output": "quantity"}))


def _output_cell(da, unit: str) -> str:
    """One architecture's value of an output: a boolean as yes/no; a breakdown (cost items,
    subsystems) as its sum; over a design dimension, the median, said so in words."""
    v = np.asarray(da.values)
    if da.dtype.kind == "b":
        return formatting.boolean(np.all(v)) if v.size and (np.all(v) or not np.any(v)) else \
            f"yes in {formatting.number(100 * float(np.mean(v)))} % of the points"
    labelled = [d for d in da.dims if d in ("cost_item", "subsystem")]
    if labelled:
        other = [d for d in da.dims if d not in labelled]
        total = da.astype(float).sum(labelled)
        total = float(total.median(other)) if other else float(total)
        what = " and ".join(d.replace("_", " ") + "s" for d in labelled)
        return (f"{formatting.quantity(total, unit)} (sum over the {what})" if np.isfinite(total) else "n/a")
    f = v.astype(float)
    if not np.isfinite(f).any():
        return "n/a" if not np.isinf(f).any() else "unbounded (design does not close)"
    value = float(np.nanmedian(f)) if np.isfinite(f).all() else float(np.median(f))
    text = formatting.quantity(value, unit)
    if da.ndim and f.size > 1:
        text += " (median over " + " and ".join(d.replace("_", " ") for d in da.dims) + ")"
    return text


def methods_html(stage: str):
    """The stage's equations and sources, rendered from its module docstring and its public
    functions' docstrings (:mod:`orbitdc.methods`: reST -> HTML, equations -> MathML)."""
    from .methods import docstring_html
    from .stages import MODULES

    mod = next((m for m in MODULES if m.__name__ == f"orbitdc.{stage}"), None)  # the stage list, by name
    if mod is None:
        return HTML(plots.Missing(f"Methods: {stage}", f"not available: stage {stage} absent").html())
    parts = [f"<div class='orbitdc-doc'>{docstring_html(inspect.getdoc(mod) or '', heading_level=4)}</div>"]
    functions = []
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != mod.__name__ or name == "run" or not fn.__doc__:
            continue
        doc = inspect.getdoc(fn) or ""
        first = doc.strip().split("\n\n", 1)[0].replace("\n", " ")
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
    from .chain import STAGE_MODULES

    parts = []
    for m in STAGE_MODULES:
        stage = m.rsplit(".", 1)[1]
        title = STAGE_TITLES.get(stage, stage.replace("_", " ").capitalize())
        parts.append(f"<h3 id='methods-{esc(stage)}'>{esc(title)}</h3>" + methods_html(stage).data)
    return HTML("\n".join(parts))


MC_OUTPUTS = ("cost_ratio_vs_terrestrial", "cost_per_kw_year", "breakeven_launch_price", "specific_mass",
              "total_mass", "launches", "deployment_years", "radiator_area", "solar_array_area")


def mc_table(study: Study):
    """Monte Carlo percentiles of the key outputs and the share of feasible/competitive samples."""
    mc = study.monte_carlo()
    if isinstance(mc, plots.Missing):
        return HTML(mc.html())
    rows = []
    parity = threshold("cost_ratio_parity")
    for arch, d in mc.items():
        n = d.sizes.get("sample", 0)
        for var in MC_OUTPUTS:
            if var not in d:
                continue
            v = np.asarray(d[var].values, dtype=float).ravel()
            v = v[np.isfinite(v)]
            if not v.size:
                continue
            p10, p50, p90 = np.quantile(v, [0.1, 0.5, 0.9])
            unit = d[var].attrs.get("units", "")
            rows.append({"architecture": arch, "output": named(formatting.label(var), var),
                         "unit": formatting.unit_text(unit), "p10": formatting.quantity(p10, unit),
                         "median": formatting.quantity(p50, unit), "p90": formatting.quantity(p90, unit),
                         "finite samples": f"{v.size:,} of {n:,}"})
        extra = []
        if "feasible" in d:
            extra.append(f"feasible in {fmt(100 * float(np.mean(np.asarray(d['feasible'].values, dtype=bool))))} % of samples")
        if "cost_ratio_vs_terrestrial" in d:
            r = np.asarray(d["cost_ratio_vs_terrestrial"].values, dtype=float)
            extra.append(f"cost at most {fmt(parity)}x the ground's in {fmt(100 * float(np.mean(r <= parity)))} % of samples")
        if extra:
            rows.append({"architecture": arch, "output": "; ".join(extra)})
    return HTML(table_html(rows, ("architecture", "output", "p10", "median", "p90", "finite samples"),
                           caption=f"Monte Carlo ({formatting.number(study.samples)} samples, seed {study.seed})",
                           headers={"output": "quantity", "p10": "10th percentile", "p90": "90th percentile"}))


def assumptions_html(study: Study):
    """Every parameter of every architecture with its value, range, source and tag."""
    cols = ("parameter", "value", "unit", "low", "high", "distribution", "source", "tag", "note")
    parts = []
    for a in study.archs:
        rows = a.table()
        for r in rows:
            if r["parameter"] in study.own(a):
                r["value"] = f"{r['value']} -> override {study.overrides[r['parameter']]}"
        parts.append(f"<details><summary>{esc(a.name)} ({esc(a.kind)}, {len(rows)} parameters)</summary>"
                     f"<p>{esc(a.description)}</p>{table_html(rows, cols)}</details>")
    refs = {k: r for a in study.archs for k, r in a.references.items()}
    ref_rows = [{"key": k, "tag": r.tag, "reference": f"{r.author} ({r.year}). {r.title}. {r.url}", "note": r.note or ""}
                for k, r in sorted(refs.items())]
    tags: dict[str, int] = {}
    for a in study.archs:
        for r in a.table():
            for t in str(r["tag"]).split(", "):
                tags[t] = tags.get(t, 0) + 1
    tag_text = ", ".join(f"{t}: {n}" for t, n in sorted(tags.items()))
    return HTML("".join(parts) + f"<p>Parameters by source tag (all architectures): {esc(tag_text)}.</p>"
                + table_html(ref_rows, caption="References"))


#: Anchor of the reconciliation section (orbitdc.report_sections builds it; the claims table points to it).
RECONCILIATION_ANCHOR = "published-reconciliation"


def claims_html(study: Study):
    """Published claims on the architectures of this report against the model's results, with
    orbitdc's full-cost ratio beside each (a claim's metric inside its range is not a confirmation:
    the reconciliation of the published analyses, :mod:`orbitdc.report_sections`, walks from each
    published figure to the full cost)."""
    from .chain import evaluate
    from .reconciliation import verification_of  # how the claim's source was checked (issue 28)

    rows = []
    cache: dict[str, Any] = {}
    cmp = study.compare()
    for c in study.settings["claims"]:
        arch = c["architecture"]
        if arch not in study.names:  # only the architectures of this report
            continue
        row = {"source": c["source"], "verification": verification_of(c["source"]), "claim": c["claim"], "architecture": arch,
               "variable": named(formatting.label(c["variable"]), c["variable"]),
               "claimed": f"{fmt(c['low'])}" + ("" if c["low"] == c["high"] else f" - {fmt(c['high'])}") + f" {c['unit'] if c['unit'] != '1' else ''}"}
        try:
            if arch not in cache:
                cache[arch] = evaluate(arch)
            ds = cache[arch]
        except OrbitdcError as exc:
            row["model"] = f"not computed: {exc}"
            rows.append(row)
            continue
        v = value_of(ds, c["variable"], c["unit"]) if c["variable"] in ds else float("nan")
        if not np.isfinite(v):
            row["model"] = missing_cell(c["variable"])
        else:
            lo, hi = float(c["low"]), float(c["high"])
            where = ("inside the claimed range on this metric alone" if lo <= v <= hi
                     else (f"{fmt(v / hi)}x the top of the claim" if v > hi else f"{fmt(v / lo)}x the bottom of the claim"))
            row["model"] = f"{fmt(v)} ({where})"
        full = value_of(cmp.sel(architecture=arch), "cost_ratio_vs_terrestrial")
        row["orbitdc full cost vs ground"] = f"{fmt(full)}x (nominal)" if np.isfinite(full) else "n/a"
        rows.append(row)
    pointer = (f'<p>Only claims on the architectures of this report are listed. For the published analyses '
               f'(Suncatcher, Starcloud, McCalip), the <a href="#{RECONCILIATION_ANCHOR}">reconciliation with published '
               f'analyses</a> walks from each published figure, term by term, to orbitdc\'s full cost of ownership.</p>')
    if not rows:
        return HTML("<p>No published claim concerns the architectures of this report.</p>" + pointer)
    return HTML(table_html(rows, caption="Published claims against this model (each architecture at its own defaults)",
                           headers={"variable": "quantity"})
                + pointer)


def limitations_html(study: Study):
    from .chain import STAGE_MODULES, stages

    present = {s.name for s in stages()}
    absent = [m.rsplit(".", 1)[1] for m in STAGE_MODULES if m.rsplit(".", 1)[1] not in present]
    items = list(study.settings["limitations"])
    if absent:
        items.insert(0, f"Model stages absent from this build (their outputs are reported as not computed): {', '.join(absent)}.")
    items.append(f"Monte Carlo intervals come from {study.samples} samples per architecture (seed {study.seed}).")
    return HTML("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def answer_html(study: Study):
    """The first screen: one generated paragraph per architecture (:func:`orbitdc.verdicts.first_screen`)."""
    from .verdicts import answer, first_screen

    paragraphs = first_screen(answer(study))
    return HTML("<div class='orbitdc-answer'>" + "".join(f"<p>{esc(t)}</p>" for t in paragraphs.values()) + "</div>")


def _limit_words(code: str) -> str:
    """A trajectory's ``binding_limit`` code in words: ``launch:new-glenn`` -> ``New Glenn flights``."""
    from .verdicts import display_name

    code = str(code)
    if code.startswith("launch:"):
        return f"{display_name(code.split(':', 1)[1])} flights"
    return {"before_start": "not started yet", "none": "none (target met)",
            "production": "satellite production"}.get(code, code.replace("_", " "))


def binding_limit_table(tr):
    """What limited the satellites launched each year (a trajectory's ``binding_limit``), one row
    per year and one column per architecture, in words (HTML); nothing when absent."""
    if tr is None or "binding_limit" not in tr:
        return None
    da = tr["binding_limit"]
    archs = [str(a) for a in da["architecture"].values] if "architecture" in da.dims else [str(tr.attrs.get("architecture", ""))]
    if "architecture" in da.dims:  # architectures with no fleet (the ground) have no limit to show
        archs = [a for a in archs if set(np.asarray(da.sel(architecture=a).values).astype(str).ravel()) - {"nan", "None", ""}]
    rows = []
    for y in da["year"].values:
        row: dict[str, Any] = {"year": formatting.year(y)}
        for a in archs:
            v = da.sel(year=y, architecture=a) if "architecture" in da.dims else da.sel(year=y)
            row[a] = _limit_words(np.asarray(v.values).ravel()[0])
        rows.append(row)
    return HTML(table_html(rows, ("year", *archs), caption="What limited the satellites launched each year (nominal)"))
