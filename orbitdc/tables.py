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

from . import plots
from .errors import OrbitdcError
from .report_settings import threshold
from .study import Study, value_of
from .verdicts import fmt, missing_cell, summary_rows

def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, caption: str = "",
               cls: str = "orbitdc-table") -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def HTML(text: str):
    from IPython.display import HTML as _HTML

    return _HTML(text)


def summary_html(study: Study) -> str:
    rows = summary_rows(study)
    cfg = study.settings["thresholds"]
    notes = "".join(f"<li><code>{esc(k)}</code> = {esc(v['value'])} {esc(v['unit'] if v['unit'] != '1' else '')}: {esc(v['note'])} "
                    f"[{esc(', '.join(v['source']) if isinstance(v['source'], list) else v['source'])}]</li>"
                    for k, v in cfg.items())
    return (table_html(rows, caption="Executive summary (nominal values; interval from Monte Carlo)")
            + f"<p>Verdict thresholds (data/report.yaml):</p><ul>{notes}</ul>"
            + f"<p>Monte Carlo: {esc(study.samples)} samples per architecture, seed {esc(study.seed)}; each sample "
            + "is the best design for its world (design variables optimised per sample, uncertain parameters and "
            + "the catalog values in use drawn with the correlations of data/correlations.yaml). "
            + f"Scenario: {esc(getattr(study, 'scenario', None) or 'none (the architecture files as written)')}. "
            + f"Overrides: {esc(json.dumps(study.overrides) if study.overrides else 'none')}.</p>")


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
        row = {"output": name, "unit": "" if out.unit == "1" else out.unit, "meaning": out.long_name}
        for a in study.names:
            da = cmp[name].sel(architecture=a)
            if da.dtype.kind in "fiub":
                v = value_of(cmp.sel(architecture=a), name)
                if da.ndim:
                    row[a] = f"{fmt(v)} (median over {' x '.join(da.dims)})" if np.isfinite(v) else "n/a"
                else:
                    row[a] = fmt(v) if da.dtype.kind != "b" else str(bool(da.values))
            else:
                row[a] = ", ".join(sorted(set(np.asarray(da.values).astype(str).ravel())))
        rows.append(row)
    return HTML(table_html(rows, caption=f"Stage {stage}: outputs"))


def methods_html(stage: str):
    """The stage's equations and sources: its module and public function docstrings."""
    import importlib

    try:
        mod = importlib.import_module(f"orbitdc.{stage}")
    except ModuleNotFoundError:
        return HTML(plots.Missing(f"Methods: {stage}", f"not available: stage {stage} absent").html())
    parts = [f"<pre class='orbitdc-doc'>{esc(inspect.getdoc(mod) or '')}</pre>"]
    for name, fn in inspect.getmembers(mod, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != mod.__name__ or name == "run" or not fn.__doc__:
            continue
        parts.append(f"<details><summary><code>orbitdc.{esc(stage)}.{esc(name)}</code></summary>"
                     f"<pre class='orbitdc-doc'>{esc(inspect.getdoc(fn))}</pre></details>")
    return HTML("\n".join(parts))


def all_methods_html():
    """Methods of every stage in chain order (module and function docstrings: equations, sources)."""
    from .chain import STAGE_MODULES

    parts = []
    for m in STAGE_MODULES:
        stage = m.rsplit(".", 1)[1]
        parts.append(f"<h3>{esc(stage)}</h3>" + methods_html(stage).data)
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
            rows.append({"architecture": arch, "output": var, "unit": "" if unit == "1" else unit, "p10": fmt(p10),
                         "median": fmt(p50), "p90": fmt(p90), "finite samples": f"{v.size}/{n}"})
        extra = []
        if "feasible" in d:
            extra.append(f"feasible in {fmt(100 * float(np.mean(np.asarray(d['feasible'].values, dtype=bool))))}% of samples")
        if "cost_ratio_vs_terrestrial" in d:
            r = np.asarray(d["cost_ratio_vs_terrestrial"].values, dtype=float)
            extra.append(f"cost ratio <= {fmt(parity)} in {fmt(100 * float(np.mean(r <= parity)))}% of samples")
        if extra:
            rows.append({"architecture": arch, "output": "; ".join(extra)})
    return HTML(table_html(rows, ("architecture", "output", "unit", "p10", "median", "p90", "finite samples"),
                           caption=f"Monte Carlo ({study.samples} samples, seed {study.seed})"))


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

    rows = []
    cache: dict[str, Any] = {}
    cmp = study.compare()
    for c in study.settings["claims"]:
        arch = c["architecture"]
        if arch not in study.names:  # only the architectures of this report
            continue
        row = {"source": c["source"], "claim": c["claim"], "architecture": arch, "variable": c["variable"],
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
    return HTML(table_html(rows, caption="Published claims against this model (each architecture at its own defaults)")
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
