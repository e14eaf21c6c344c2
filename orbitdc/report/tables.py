"""HTML tables and text blocks the notebooks display: the executive summary, stage outputs, Monte
Carlo percentiles, assumptions, limitations, the first screen's paragraphs.

Every piece of text is escaped (:func:`esc`); the numbers come from a
:class:`~orbitdc.report.study.Study` and :mod:`orbitdc.report.record`, the words from
:mod:`orbitdc.report.wording`, the number style from :mod:`orbitdc.formatting`.
"""
from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from .. import formatting
from ..stages import stages
from . import figures
from .record import lifetime_dose, value_of
from .settings import threshold
from .wording import (BREAKEVEN_UNREACHABLE, models_rows, models_sentence, binding_limit_words, could_it_work, first_screen, fmt, levers_sentence, median_ratio_words,
                      missing_cell, ratio_text, short_verdict, title, verdict, when_cells, when_sentence)



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
    """Displayable HTML, in a box JupyterLab's MathJax leaves alone: a ``$`` in a note (``$200/kg``)
    stays a dollar, never the start of a formula (the report's page has no MathJax at all)."""
    from IPython.display import HTML as _HTML

    return _HTML(f'<div class="tex2jax_ignore mathjax_ignore">{text}</div>')


# --------------------------------------------------------------------------------------------
# The executive summary
# --------------------------------------------------------------------------------------------


def summary_rows(study: Any) -> list[dict[str, str]]:
    """The executive summary: one row per architecture, every cell computed; the verdict and the
    cost ratio are the record's (:meth:`orbitdc.report.study.Study.record`), in the first screen's
    words, so the summary cannot say anything else."""
    cmp = study.compare()
    rec = study.record() if study.space else None
    pct = int(round(100 * threshold("interval_probability")))
    head = f"cost ratio vs the ground (median, {pct} % of samples)"
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        ratio = value_of(sel, "cost_ratio_vs_terrestrial")
        r = ({k: rec[k].sel(architecture=a.name).item() for k in rec.data_vars if rec[k].dims == ("architecture",)}
             if rec is not None else None)
        row = {"architecture": a.name, "kind": a.kind}
        if r is not None and a.kind == "space":
            row["verdict"] = short_verdict(r)
            row[head] = (median_ratio_words(r).replace(" the ground's cost", "") if np.isfinite(ratio) or r["samples"]
                         else missing_cell("cost_ratio_vs_terrestrial"))
        else:
            row["verdict"] = verdict(sel, a.kind)
            row[head] = (f"{fmt(ratio)} as stated (no Monte Carlo)" if np.isfinite(ratio)
                         else missing_cell("cost_ratio_vs_terrestrial"))
        if rec is not None and "crossover_median" in rec:  # the year-by-year model (issue 14)
            row.update(when_cells(rec, a.name))
        space = a.kind == "space"

        def cell(value, unit, var):
            return f"{fmt(value)} {unit}".strip() if np.isfinite(value) else (missing_cell(var) if space else "n/a")

        be = value_of(sel, "breakeven_launch_price", "USD/kg")
        by = value_of(sel, "breakeven_year")
        if space and "breakeven_launch_price" in sel:
            unreachable = bool(np.all(np.asarray(sel["breakeven_unreachable"].values))) if "breakeven_unreachable" in sel else False
            row["break-even launch price (year)"] = (BREAKEVEN_UNREACHABLE if unreachable or not np.isfinite(be)
                                                     else f"{fmt(be)} USD/kg ({formatting.year(by) if np.isfinite(by) else 'year n/a'})")
        else:
            row["break-even launch price (year)"] = cell(be, "USD/kg", "breakeven_launch_price")
        row["mass per MW of IT"] = cell(value_of(sel, "specific_mass", "t/MW"), "t/MW", "specific_mass")
        gw = value_of(sel, "target_it_power", "GW")
        row["launches per GW"] = cell(value_of(sel, "launches") / gw, "", "launches")
        mw = value_of(sel, "it_power", "MW")
        row["array area per MW"] = cell(value_of(sel, "solar_array_area", "m2") / mw, "m²/MW", "solar_array_area")
        row["radiator area per MW"] = cell(value_of(sel, "radiator_area", "m2") / mw, "m²/MW", "radiator_area")
        row["eclipse fraction"] = cell(value_of(sel, "eclipse_fraction"), "", "eclipse_fraction")
        dose, tol = lifetime_dose(sel)
        if np.isfinite(dose):
            row["dose over life vs tolerance"] = (f"{fmt(dose / 1000)} krad(Si) vs {fmt(tol / 1000)} krad(Si)" if np.isfinite(tol)
                                                  else f"{fmt(dose / 1000)} krad(Si) vs tolerance not computed (radiation_tolerance absent)")
        else:
            row["dose over life vs tolerance"] = cell(dose, "", "radiation_dose")
        row["deployment"] = cell(value_of(sel, "deployment_years", "yr"), "yr", "deployment_years")
        co2, var = figures.co2_value(sel)
        row["CO2 per kWh"] = (f"{fmt(co2)} g/kWh ({formatting.label(var, capital=False)})" if var
                              else "not computed (no CO2 output)")
        if not space:  # the baseline: the space-only columns do not apply
            for k in list(row)[3:]:
                if k.startswith("cost ratio"):
                    row[k] = "1 (the reference)"
                elif k != "CO2 per kWh":
                    row[k] = "n/a (the ground)"
        rows.append(row)
    return rows


def summary_html(study: Any) -> str:
    rows = summary_rows(study)
    cfg = study.settings["thresholds"]
    notes = "".join(f"<li>{esc(threshold_words(k, v))} [source: {esc(', '.join(v['source']) if isinstance(v['source'], list) else v['source'])}]</li>"
                    for k, v in cfg.items())
    overrides = ("; ".join(f"{formatting.label(k, capital=False)} set to {v}" for k, v in study.overrides.items())
                 if study.overrides else "none")
    # one column per architecture, one row per quantity: a dozen quantities side by side would not fit
    # 1,280 px, while a handful of architectures does (issue 16)
    names = [r["architecture"] for r in rows]
    quantities = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in ("architecture", "kind")]
    by_quantity = [{"quantity": q, **{n: r.get(q, "") for n, r in zip(names, rows)}} for q in quantities]
    heads = {a.name: _short_title(a) for a in study.archs}
    return (table_html(by_quantity, columns=["quantity", *names], headers=heads,
                       caption="Executive summary (the stated designs; verdict and cost ratio from the Monte Carlo)",
                       cls="orbitdc-table orbitdc-summary")
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


def summary(study: Any):
    """The executive summary table and the thresholds behind its verdicts (displayable HTML)."""
    return HTML(summary_html(study))


# --------------------------------------------------------------------------------------------
# Stage outputs, Monte Carlo, assumptions, limitations
# --------------------------------------------------------------------------------------------


def stage_table(study: Any, stage: str):
    """Every output of ``stage`` for every architecture, with units (HTML), or Missing."""
    st = next((s for s in stages() if s.name == stage), None)
    if st is None:
        return HTML(figures.Missing(f"Stage {stage}", f"not computed: stage {stage} absent (orbitdc/{stage}.py not written)").html())
    cmp = study.compare()
    rows = []
    for name, out in st.outputs.items():
        if name not in cmp:
            continue
        # every value carries its unit (engineering form), so there is no separate unit column
        row = {"output": named(formatting.label(name, out.long_name), name)}
        for a in study.names:
            da = cmp[name].sel(architecture=a)
            if formatting.is_year(name) and da.dtype.kind in "fiu":
                row[a] = formatting.year(np.nanmedian(np.asarray(da.values, dtype=float)))
            elif da.dtype.kind in "fiub":
                row[a] = _output_cell(da, out.unit)
            else:
                row[a] = ", ".join(formatting.words(v.replace("-", " ")) for v in
                                   sorted(set(np.asarray(da.values).astype(str).ravel())))
        rows.append(row)
    heads = {a.name: _short_title(a) for a in study.archs}
    return HTML(table_html(rows, ("output", *study.names), caption=f"Stage {stage}: outputs of the stated designs",
                           headers={"output": "quantity", **heads}))


def _short_title(arch: Any) -> str:
    """An architecture's display name for a column heading (the part before the dash)."""
    return title(arch.name, arch.company).split(" — ")[0]


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


MC_OUTPUTS = ("cost_ratio_vs_terrestrial", "cost_per_kw_year", "breakeven_launch_price", "specific_mass",
              "total_mass", "launches", "deployment_years", "radiator_area", "solar_array_area")


def mc_table(study: Any):
    """Monte Carlo percentiles of the key outputs, with the record's share of samples that close and
    that are cheaper than the ground. The cost ratio's percentiles are the record's statistic (over
    all samples, a design that does not close counting as never cheaper); every other quantity's
    are over the samples where it is finite (said in the last column)."""
    mc = study.monte_carlo()
    if isinstance(mc, figures.Missing):
        return HTML(mc.html())
    rec = study.record(scenarios=False)  # the shares and medians only: no scenario runs needed here
    rows = []
    for arch, d in mc.items():
        n = d.sizes.get("sample", 0)
        shown = title(arch)
        feasible = (np.broadcast_to(np.asarray(d["feasible"].values, dtype=bool), (n,)) if "feasible" in d
                    else np.ones(n, dtype=bool))
        for var in MC_OUTPUTS:
            if var not in d:
                continue
            v = np.broadcast_to(np.asarray(d[var].values, dtype=float), (n,)) if d[var].size == n else \
                np.asarray(d[var].values, dtype=float).ravel()
            unit = d[var].attrs.get("units", "")
            if var == "cost_ratio_vs_terrestrial":
                r = rec.sel(architecture=arch)
                p10, p50, p90 = (float(r[k]) for k in ("ratio_low", "ratio_median", "ratio_high"))
                counted = f"all {n:,}; the {n - int((feasible & np.isfinite(v)).sum()):,} that do not close count as never cheaper"
                cells = [ratio_text(x) for x in (p10, p50, p90)]
            else:
                fin = v[np.isfinite(v)]
                if not fin.size:
                    continue
                p10, p50, p90 = np.quantile(fin, [0.1, 0.5, 0.9])
                counted = f"the {fin.size:,} of {n:,} where it is finite"
                cells = [formatting.quantity(x, unit) for x in (p10, p50, p90)]
            rows.append({"architecture": shown, "output": named(formatting.label(var), var),
                         "p10": cells[0], "median": cells[1], "p90": cells[2], "samples counted": counted})
        r = rec.sel(architecture=arch)
        rows.append({"architecture": shown, "output": f"closes in {formatting.percent(float(r['p_feasible']))} of the "
                     f"samples; cheaper than the ground in {formatting.percent(float(r['p_cheaper']))}"})
    return HTML(table_html(rows, ("architecture", "output", "p10", "median", "p90", "samples counted"),
                           caption=f"Monte Carlo ({formatting.number(study.samples)} samples, seed {study.seed})",
                           headers={"output": "quantity", "p10": "10th percentile", "p90": "90th percentile"}))


def assumption_rows(study: Any, arch: Any) -> list[dict[str, str]]:
    """One row per parameter of ``arch`` for a reader: the long name, the value with its unit (a
    year as a year, a flag as yes/no), the range (empty when there is none: never ``None``), the
    source keys with their tags, and the note; a value the report overrides says so."""
    rows = []
    for r in arch.table():
        name, unit = r["parameter"], r["unit"]
        shown = formatting.value(name, r["value"], unit)
        if name in study.own(arch):
            shown += f" (set for this report: {study.overrides[name]})"
        rng = ""
        if r["low"] is not None and r["high"] is not None and r["low"] != r["high"]:
            rng = f"{formatting.value(name, r['low'], unit)} to {formatting.value(name, r['high'], unit)}"
            if r["distribution"] and r["distribution"] not in ("triangular", "fixed"):
                rng += f" ({r['distribution']})"
        rows.append({"parameter": named(formatting.label(name), name), "value": shown, "range": rng,
                     "source": f"{r['source']} ({r['tag']})", "note": r["note"]})
    return rows


def assumptions_csv(study: Any) -> str:
    """Every parameter of every architecture as CSV (architecture, parameter, value, unit, low,
    high, distribution, source, tag, note): the full Assumptions table for a spreadsheet, and for
    the PDF, which prints a summary and points to this file instead of 30 pages of table."""
    import csv
    import io

    out = io.StringIO()
    cols = ("architecture", "parameter", "value", "unit", "low", "high", "distribution", "source", "tag", "note")
    w = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for a in study.archs:
        for r in a.table():
            w.writerow({**{k: ("" if v is None else v) for k, v in r.items()}, "architecture": a.name})
    return out.getvalue()


def assumptions_html(study: Any):
    """Every parameter of every architecture with its value, range, source and tag (one folded
    table per architecture), the count of parameters by source tag, and the references. The full
    table is also written as ``assumptions.csv`` beside the page (the PDF links to it)."""
    (study.output_dir / "assumptions.csv").write_text(assumptions_csv(study), encoding="utf-8")
    parts = ['<p>The full table is also in <a href="assumptions.csv">assumptions.csv</a> (every column, for a '
             'spreadsheet).</p>']
    for a in study.archs:
        rows = assumption_rows(study, a)
        parts.append(f'<details class="orbitdc-assumptions-full"><summary>{esc(title(a.name, a.company))} '
                     f"({len(rows)} parameters)</summary><p>{esc(a.description)}</p>"
                     f"{table_html(rows, ('parameter', 'value', 'range', 'source', 'note'), cls='orbitdc-table orbitdc-assumptions')}"
                     "</details>")
    refs = {k: r for a in study.archs for k, r in a.references.items()}
    ref_rows = [{"key": k, "tag": r.tag, "reference": f"{r.author} ({r.year}). {r.title}. {r.url}", "note": r.note or ""}
                for k, r in sorted(refs.items())]
    tags: dict[str, int] = {}
    for a in study.archs:
        for r in a.table():
            for tg in str(r["tag"]).split(", "):
                tags[tg] = tags.get(tg, 0) + 1
    tag_text = ", ".join(f"{tg}: {n}" for tg, n in sorted(tags.items()))
    return HTML("".join(parts) + f"<p>Parameters by source tag (all architectures): {esc(tag_text)}.</p>"
                + '<details class="orbitdc-assumptions-full"><summary>References</summary>'
                + table_html(ref_rows, caption="References") + "</details>")


def limitations_html(study: Any):
    items = list(study.settings["limitations"])
    items.append(f"Monte Carlo intervals come from {study.samples} samples per architecture (seed {study.seed}).")
    return HTML("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


# --------------------------------------------------------------------------------------------
# The first screen and the year-by-year tables
# --------------------------------------------------------------------------------------------


def answer_html(study: Any):
    """The first screen: one sentence per question -- could it work (a line per space
    architecture), when would it beat the ground (its own, the base and the skeptics' figures), what
    would have to be true (the levers that move it most) -- from the record
    (:meth:`~orbitdc.report.study.Study.record`), then each architecture's paragraph folded
    (:func:`orbitdc.report.wording.first_screen`). Each piece carries ``data-architecture`` /
    ``data-part`` so a test can set it against the record."""
    rec = study.record()
    space = [str(a) for a in rec["architecture"].values if str(rec["kind"].sel(architecture=a).values) == "space"]
    lines = "".join(f'<li data-architecture="{esc(a)}" data-part="could-it-work">{esc(could_it_work(rec, a))}</li>'
                    for a in space)
    parts = ['<div class="orbitdc-answer">',
             f'<p class="odc-question"><strong>Could it work?</strong></p><ul class="odc-lines">{lines}</ul>']
    when = when_sentence(rec)
    if when:
        parts.append(f'<p data-part="when"><strong>When would it beat the ground?</strong> {esc(when)}</p>')
    levers = levers_sentence(rec)
    if levers:
        parts.append(f'<p data-part="levers"><strong>What would have to be true?</strong> {esc(levers)}</p>')
    parts.append("</div>")
    paragraphs = first_screen(rec)
    parts.append('<details class="orbitdc-more"><summary>Each architecture in detail: what binds, the year by '
                 'year chances, the single change that matters most</summary>'
                 + "".join(f'<p data-architecture="{esc(a)}" data-part="detail">{esc(t)}</p>' for a, t in paragraphs.items())
                 + f'<p class="odc-note">Every cost ratio quoted from the Monte Carlo is {esc(rec.attrs["ratio_statistic"])}; '
                 'a design is "feasible" when it closes as stated and in most samples (the words say which when the two '
                 'differ).</p></details>')
    return HTML("".join(parts))


def models_html(study: Any):
    """The two models side by side (issue 25: one answer, or two explicitly told apart): why the
    static answer ("could it work?") and the year-by-year answer differ
    (:func:`orbitdc.report.wording.models_sentence`), then per space architecture the stated
    design's verdict and cost ratio, its Monte Carlo median, and the cost ratio of the capacity
    built in each milestone year, from the record."""
    rec = study.record()
    rows = models_rows(rec)
    if not rows:
        return HTML("")
    years = [int(y) for y in rec["milestone_year"].values] if "milestone_year" in rec.dims else []
    n = int(rec["samples"].max()) if "samples" in rec else 0
    headers = {"architecture": "architecture", "static": "could it work? the design as stated",
               "static_mc": f"its Monte Carlo: median of {n:,} samples" if n else "its Monte Carlo",
               **{f"year_{y}": f"year by year: capacity built in {y} (rates at their values; median)" for y in years}}
    return HTML(f'<p data-part="models">{esc(models_sentence(rec))}</p>'
                + table_html(rows, list(headers), caption="The two models side by side: cost relative to the ground",
                             headers=headers))


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
            row[a] = binding_limit_words(np.asarray(v.values).ravel()[0])
        rows.append(row)
    return HTML(table_html(rows, ("year", *archs), caption="What limited the satellites launched each year (nominal)"))


# --------------------------------------------------------------------------------------------
# Which workloads? (issue 27)
# --------------------------------------------------------------------------------------------
def workloads_html(study: Any):
    """Which workloads? Two tables from :meth:`~orbitdc.report.study.Study.which_workloads`: per
    space architecture, the cost relative to the ground per useful output of each workload
    (inference, training, batch) with the share of the compute the links let it use; and the
    orbit-commons figures (avoidance manoeuvres a satellite makes a year, its collision probability
    a year before avoidance, the constellation's share of its shell's sustainable capacity)."""
    ds = study.which_workloads()
    if isinstance(ds, figures.Missing):
        return HTML(ds.html())
    workloads = [str(w) for w in ds["workload"].values]
    led = {a.name: str(a.parameters["workload"].value) if "workload" in a.parameters else "inference" for a in study.space}
    rows, commons = [], []
    for arch in ds["architecture"].values:
        t = ds.sel(architecture=arch)
        row: dict[str, Any] = {"architecture": title(str(arch))}
        for w in workloads:
            ratio = float(t["cost_ratio_vs_terrestrial"].sel(workload=w))
            cell = ratio_text(ratio)
            if "usable_compute_fraction" in t:
                cell += f" (links let it use {formatting.percent(float(t['usable_compute_fraction'].sel(workload=w)))})"
            if w == led.get(str(arch)):
                cell += "; the report's cost ratio"
            row[w] = cell
        rows.append(row)
        c: dict[str, Any] = {"architecture": title(str(arch))}
        if "avoidance_manoeuvres_per_year" in t:
            c["manoeuvres"] = formatting.significant(float(t["avoidance_manoeuvres_per_year"]), 2)
        if "collision_probability_per_year" in t:
            c["collision"] = formatting.percent(float(t["collision_probability_per_year"]))
        if "shell_capacity_fraction" in t:
            frac = float(t["shell_capacity_fraction"])
            c["shell"] = formatting.percent(frac) + (" (more than the shell holds)" if frac > 1 else "")
        commons.append(c)
    intro = ("A kilowatt in orbit is not the same product as a kilowatt on the ground: what reaches the "
             "satellite and comes back down goes through its links. Per useful output (tokens served, "
             "training runs, batch work), the stated design of each architecture costs, relative to the "
             "same compute on the ground (nominal values):")
    head = {w: w for w in workloads}  # the caption says what the cells are: short headings fit a phone
    out = f"<p>{esc(intro)}</p>" + table_html(
        rows, ["architecture", *workloads], headers=head,
        caption="Cost per useful output relative to the ground, by workload (the stated design, nominal)")
    cols = ["architecture"] + [k for k in ("manoeuvres", "collision", "shell") if any(k in c for c in commons)]
    out += table_html(commons, cols, caption="The orbit commons, per satellite and constellation",
                      headers={"manoeuvres": "avoidance manoeuvres a year",
                               "collision": "collision probability a year (before avoidance)",
                               "shell": "share of the shell's capacity"})
    return HTML(out)

