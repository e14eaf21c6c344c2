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
from . import figures, record
from .record import lifetime_dose, value_of
from .settings import threshold
from .wording import binding_limit_words, first_screen, fmt, missing_cell, short_verdict, verdict, when_cells



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


# --------------------------------------------------------------------------------------------
# The executive summary
# --------------------------------------------------------------------------------------------


def _q(mc: Mapping[str, xr.Dataset] | Any, arch: str, var: str, prob: float) -> tuple[float, float]:
    if not isinstance(mc, Mapping) or arch not in mc or var not in mc[arch]:
        return float("nan"), float("nan")
    v = np.asarray(mc[arch][var].values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if not v.size:
        return float("nan"), float("nan")
    tail = (1 - prob) / 2
    lo, hi = np.quantile(v, [tail, 1 - tail])
    return float(lo), float(hi)


def summary_rows(study: Any) -> list[dict[str, str]]:
    """The executive summary: one row per architecture, every cell computed."""
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    ans = record.answer(study) if isinstance(mc, Mapping) and mc else None
    pct = int(round(100 * threshold("interval_probability")))
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        interval = _q(mc, a.name, "cost_ratio_vs_terrestrial", threshold("interval_probability"))
        ratio = value_of(sel, "cost_ratio_vs_terrestrial")
        row = {"architecture": a.name, "kind": a.kind, "verdict": verdict(sel, a.kind, interval)}
        if ans is not None and a.kind == "space" and int(ans["samples"].sel(architecture=a.name)) > 0:
            # the same words as the first screen: from the Monte Carlo, not the nominal point
            row["verdict"] = short_verdict({k: ans[k].sel(architecture=a.name).item() for k in ans.data_vars
                                            if ans[k].dims == ("architecture",)}, threshold("interval_probability"))
        if np.isfinite(ratio):
            # The nominal point (every parameter at its stated value) can sit outside the Monte
            # Carlo interval when ranges are skewed, so the sample median is shown beside it.
            median = _q(mc, a.name, "cost_ratio_vs_terrestrial", 0.0)[0]
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = (
                f"{fmt(ratio)} nominal; Monte Carlo median {fmt(median)} [{fmt(interval[0])} - {fmt(interval[1])}]"
                if np.isfinite(interval[0]) else f"{fmt(ratio)} [no Monte Carlo]")
        else:
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = missing_cell("cost_ratio_vs_terrestrial")
        space = a.kind == "space"
        if ans is not None and "crossover_median" in ans:  # the year-by-year model (issue 14)
            row.update(when_cells(ans, a.name))

        def cell(value, unit, var):
            return f"{fmt(value)} {unit}".strip() if np.isfinite(value) else (missing_cell(var) if space else "n/a")

        be = value_of(sel, "breakeven_launch_price", "USD/kg")
        by = value_of(sel, "breakeven_year")
        if space and "breakeven_launch_price" in sel:
            unreachable = bool(np.all(np.asarray(sel["breakeven_unreachable"].values))) if "breakeven_unreachable" in sel else False
            row["break-even launch price (year)"] = ("none: costs other than launch already exceed the ground" if unreachable or not np.isfinite(be)
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
                    row[k] = "n/a (terrestrial)"
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


MC_OUTPUTS = ("cost_ratio_vs_terrestrial", "cost_per_kw_year", "breakeven_launch_price", "specific_mass",
              "total_mass", "launches", "deployment_years", "radiator_area", "solar_array_area")


def mc_table(study: Any):
    """Monte Carlo percentiles of the key outputs and the share of feasible/competitive samples."""
    mc = study.monte_carlo()
    if isinstance(mc, figures.Missing):
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


def assumptions_html(study: Any):
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


def limitations_html(study: Any):
    items = list(study.settings["limitations"])
    items.append(f"Monte Carlo intervals come from {study.samples} samples per architecture (seed {study.seed}).")
    return HTML("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


# --------------------------------------------------------------------------------------------
# The first screen and the year-by-year tables
# --------------------------------------------------------------------------------------------


def answer_html(study: Any):
    """The first screen: one generated paragraph per architecture (:func:`orbitdc.report.wording.first_screen`)."""
    paragraphs = first_screen(record.answer(study))
    return HTML("<div class='orbitdc-answer'>" + "".join(f"<p>{esc(t)}</p>" for t in paragraphs.values()) + "</div>")


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
