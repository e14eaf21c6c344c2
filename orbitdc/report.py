"""The feasibility report: run the notebooks with papermill, export one self-contained HTML page.

``orbitdc report [ARCH ...] [--set name=value ...] [--out reports/NAME] [--jobs N]``

1. Validate everything before any kernel starts: the architectures load through orbitdc's own
   validation, every ``--set`` name must be a parameter of at least one selected architecture (an
   unknown name lists the valid ones), and the inputs are built with the overrides
   (:func:`orbitdc.chain.build_inputs`), so a bad value is an :class:`~orbitdc.errors.OrbitdcError`
   (exit 2) and nothing runs.
2. Run the notebooks in ``notebooks/`` with papermill in a temporary folder beside the target:
   the stage notebooks (01-05) in parallel up to ``--jobs``, then ``00_feasibility_report`` (which
   reads the Monte Carlo results 05 wrote). Parameters are injected by papermill as Python literals
   (strings are escaped data, never code); they are plain JSON types checked here first.
3. Export one HTML page (nbconvert ``HTMLExporter``, ``exclude_input=True``, a template without
   CDN links), with BokehJS inline once in the head, and check it references no external script or
   stylesheet. Write ``provenance.json``. Move the folder into place at the end: a failing or killed
   run leaves any previous report untouched.

The summary, tables and verdicts are computed here from the results and the thresholds in
``data/report.yaml``; the notebooks only call these functions and :mod:`orbitdc.plots`.
"""
from __future__ import annotations

import html
import inspect
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from . import plots, units
from .errors import OrbitdcError
from .parameters import NOTEBOOK_DIR, Architecture, load_architecture, parse_assignment
from .report_settings import SETTINGS_FILE, settings, threshold  # noqa: F401  (moved down for plots)

#: The checkout (for the git commit in provenance.json) or, installed from a wheel, the package.
ROOT = NOTEBOOK_DIR.parent
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DEFAULT_OUT = Path("reports") / "feasibility"

#: Stage notebooks: independent of each other, run in parallel.
STAGE_NOTEBOOKS = ("05_uncertainty", "01_orbit_environment", "02_power_thermal", "03_launch_logistics", "04_economics")
#: The comparison across architectures: runs last (reads 05's Monte Carlo results).
SUMMARY_NOTEBOOK = "00_feasibility_report"
#: Order of the sections in the HTML page.
PAGE_ORDER = (SUMMARY_NOTEBOOK, "01_orbit_environment", "02_power_thermal", "03_launch_logistics",
              "04_economics", "05_uncertainty")

_OK_TYPES = (bool, int, float, str)


# --------------------------------------------------------------------------------------------
# Validation (before any kernel starts)
# --------------------------------------------------------------------------------------------
def validate(architectures: Sequence[str], overrides: Mapping[str, Any] | None = None) -> list[Architecture]:
    """Load the architectures and build their inputs with the overrides; raise OrbitdcError."""
    from .chain import build_inputs

    if not architectures:
        raise OrbitdcError("no architecture given")
    archs = [load_architecture(a) for a in architectures]
    names = [a.name for a in archs]
    if len(set(names)) != len(names):
        raise OrbitdcError(f"architecture names repeat: {', '.join(names)}")
    overrides = dict(overrides or {})
    valid = sorted({p for a in archs for p in a.parameters})
    for name, value in overrides.items():
        if name not in valid:
            raise OrbitdcError(f"--set {name}: unknown parameter; valid names: {', '.join(valid)}")
        if isinstance(value, (list, tuple)):
            raise OrbitdcError(f"--set {name}: the report takes one value per parameter (sweep in a notebook instead)")
        if not isinstance(value, _OK_TYPES) or (isinstance(value, float) and not np.isfinite(value)):
            raise OrbitdcError(f"--set {name}: expected a number, a quantity such as '650 km', true/false or a name")
    for a in archs:
        build_inputs(a, {k: v for k, v in overrides.items() if k in a.parameters})
    return archs


def literal_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check that notebook parameters are plain JSON data (so papermill injects literals only)."""
    def ok(v):
        if isinstance(v, _OK_TYPES) or v is None:
            return not (isinstance(v, float) and not np.isfinite(v))
        if isinstance(v, (list, tuple)):
            return all(ok(x) for x in v)
        if isinstance(v, dict):
            return all(isinstance(k, str) and ok(x) for k, x in v.items())
        return False

    for k, v in params.items():
        if not ok(v):
            raise OrbitdcError(f"notebook parameter '{k}': {v!r} is not plain data")
    return json.loads(json.dumps(dict(params)))


# --------------------------------------------------------------------------------------------
# The study: what every notebook computes (through orbitdc), cached per kernel
# --------------------------------------------------------------------------------------------
class Study:
    """The architectures and overrides of one report, with the computations the notebooks show.

    Every method returns xarray results computed by orbitdc (``compare``, ``sweep``,
    ``monte_carlo``, ``sensitivity``) or :class:`orbitdc.plots.Missing` when a stage or function
    does not exist yet.
    """

    def __init__(self, architectures: Sequence[str], overrides: Mapping[str, Any] | None = None,
                 samples: int | None = None, seed: int | None = None, output_dir: str | Path = "."):
        cfg = settings()
        self.settings = cfg
        self.overrides = dict(overrides or {})
        self.archs = validate(list(architectures), self.overrides)
        self.names = [a.name for a in self.archs]
        self.samples = int(samples if samples is not None else cfg["defaults"]["samples"])
        self.seed = int(seed if seed is not None else cfg["defaults"]["seed"])
        self.output_dir = Path(output_dir)
        self._cache: dict[str, Any] = {}

    # -- helpers
    @property
    def space(self) -> list[Architecture]:
        return [a for a in self.archs if a.kind == "space"]

    @property
    def terrestrial(self) -> list[Architecture]:
        return [a for a in self.archs if a.kind == "terrestrial"]

    def own(self, arch: Architecture) -> dict[str, Any]:
        return {k: v for k, v in self.overrides.items() if k in arch.parameters}

    def _cached(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def save(self, ds: xr.Dataset | Mapping[str, xr.Dataset] | Any, name: str) -> list[Path]:
        """Write results as NetCDF under ``output_dir/results`` (orbitdc.chain.to_netcdf)."""
        from .chain import to_netcdf

        out = []
        if isinstance(ds, xr.Dataset):
            out.append(to_netcdf(ds, self.output_dir / "results" / f"{name}.nc"))
        elif isinstance(ds, Mapping):
            for i, (arch, d) in enumerate(ds.items()):
                if isinstance(d, xr.Dataset):
                    d = d.assign_attrs(architecture=arch)
                    out.append(to_netcdf(d, self.output_dir / "results" / f"{name}_{i:02d}.nc"))
        return out

    # -- computations
    def compare(self) -> xr.Dataset:
        from .chain import compare

        return self._cached("compare", lambda: compare(self.archs, **self.overrides))

    def launch_price_sweep(self) -> xr.Dataset | plots.Missing:
        """cost ratio over the launch-price grid of data/report.yaml, per space architecture."""
        from .chain import sweep

        def run():
            g = self.settings["figures"]["launch_price_grid"]
            prices = np.geomspace(float(g["low"]), float(g["high"]), int(g["points"]))
            parts = []
            for a in self.space:
                if "launch_price_per_kg" not in a.parameters:
                    continue
                own = {k: v for k, v in self.own(a).items() if k != "launch_price_per_kg"}
                parts.append(sweep(a, launch_price_per_kg=prices, **own).expand_dims(architecture=[a.name]))
            if not parts:
                return plots.Missing("Cost ratio vs launch price", "not computed: no space architecture has launch_price_per_kg (stage launch absent)")
            return xr.concat(parts, dim="architecture", join="outer", combine_attrs="drop_conflicts")

        return self._cached("launch_sweep", run)

    def radiator_sweep(self, parameter: str = "radiator_design_temperature") -> xr.Dataset | plots.Missing:
        """Radiator area over the radiator temperature range (the parameter's low..high) of each
        space architecture, at that temperature (``optimize_radiator_temperature`` off)."""
        from .chain import sweep

        def run():
            parts = []
            for a in self.space:
                p = a.parameters.get(parameter)
                if p is None or p.canonical_low is None:
                    continue
                lo, hi = p.canonical_low, p.canonical_high
                if lo == hi:
                    lo, hi = 0.8 * lo, 1.2 * hi
                temps = np.linspace(lo, hi, 15)
                own = {k: v for k, v in self.own(a).items() if k != parameter}
                if "optimize_radiator_temperature" in a.parameters:
                    own["optimize_radiator_temperature"] = False
                parts.append(sweep(a, **{parameter: temps}, **own).expand_dims(architecture=[a.name]))
            if not parts:
                return plots.Missing("Radiator area vs radiator temperature",
                                     f"not computed: no parameter '{parameter}' (stage thermal absent)")
            return xr.concat(parts, dim="architecture", join="outer", combine_attrs="drop_conflicts")

        return self._cached("radiator_sweep", run)

    def orbit_year(self) -> xr.Dataset | plots.Missing:
        """Beta angle and eclipse fraction over a year (orbitdc.orbit.annual_eclipse)."""
        title = "Eclipse fraction and beta angle over a year"

        def run():
            try:
                from . import orbit
            except ModuleNotFoundError:
                return plots.Missing(title, "not computed: stage orbit absent")
            fn = getattr(orbit, "annual_eclipse", None)
            if fn is None:
                return plots.Missing(title, "not computed: orbitdc.orbit.annual_eclipse absent")
            parts = []
            cmp = self.compare()
            for a in self.space:
                sel = cmp.sel(architecture=a.name)
                sso = str(sel["orbit_type"].values) == "sso"
                yr = fn(_get(sel, "altitude", "km"), inclination=None if sso else _get(sel, "inclination", "deg"),
                        ltan=_get(sel, "ltan", "h"), year=int(_get(sel, "start_year")))
                yr = yr[["beta_angle", "eclipse_fraction"]]
                yr = yr.assign_coords(day_of_year=("time", np.arange(1, yr.sizes["time"] + 1)))
                yr = yr.swap_dims(time="day_of_year").drop_vars("time")
                parts.append(yr.expand_dims(architecture=[a.name]))
            if not parts:
                return plots.Missing(title, "not computed: no space architecture")
            return xr.concat(parts, dim="architecture")

        return self._cached("orbit_year", run)

    def monte_carlo(self, compute: bool = True) -> dict[str, xr.Dataset] | plots.Missing | None:
        """Monte Carlo results per space architecture (read from results/ if 05 wrote them);
        with ``compute=False``, None when they are not there yet."""
        if not compute and "monte_carlo" not in self._cache:
            found = self._read_monte_carlo()
            return found
        def run():
            found = self._read_monte_carlo()
            if found is not None:
                return found
            try:
                from .uncertainty import monte_carlo
            except ImportError:
                return plots.Missing("Monte Carlo", "not computed: orbitdc.uncertainty (monte_carlo) absent")
            out = {}
            for a in self.space:
                out[a.name] = _call(monte_carlo, a, samples=self.samples, seed=self.seed, **self.own(a))
            return out

        return self._cached("monte_carlo", run)

    def _read_monte_carlo(self) -> dict[str, xr.Dataset] | None:
        found = {}
        for f in sorted((self.output_dir / "results").glob("monte_carlo_*.nc")):
            with xr.open_dataset(f) as d:
                found[d.attrs.get("architecture")] = d.load()
        if self.space and all(a.name in found for a in self.space) and all(
                found[a.name].sizes.get("sample") == self.samples for a in self.space):
            return {a.name: found[a.name] for a in self.space}
        return None

    def sensitivity(self, output: str = "cost_ratio_vs_terrestrial") -> dict[str, Any] | plots.Missing:
        def run():
            try:
                from .uncertainty import sensitivity
            except ImportError:
                return plots.Missing("Tornado", "not computed: orbitdc.uncertainty (sensitivity) absent")
            return {a.name: _call(sensitivity, a, output=output, **self.own(a)) for a in self.space}

        return self._cached(f"sensitivity:{output}", run)


def _call(fn, arch, **kw):
    """Call an uncertainty function, passing overrides only if it accepts them."""
    sig = inspect.signature(fn)
    takes_var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    kw = {k: v for k, v in kw.items() if takes_var_kw or k in sig.parameters}
    return fn(arch, **kw)


# --------------------------------------------------------------------------------------------
# Tables (HTML, every piece of text escaped)
# --------------------------------------------------------------------------------------------
def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def fmt(x: Any, digits: int = 3) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not np.isfinite(v):
        return "n/a"
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        return f"{v:.{digits}g}"
    return f"{v:,.{max(0, digits - 1 - int(np.floor(np.log10(abs(v)))))}f}"


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


def _get(sel: xr.Dataset, name: str, unit: str | None = None) -> float:
    if name not in sel:
        return float("nan")
    da = sel[name]
    if unit is not None and da.attrs.get("units") is not None:
        da = plots.values_in(da, unit)
    try:
        v = np.asarray(da.values, dtype=float)
    except (TypeError, ValueError):
        return float("nan")
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


def _missing_cell(name: str) -> str:
    return f"not computed ({name} absent: {plots._stage_of(name)})"


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


def verdict(sel: xr.Dataset, kind: str, ratio_interval: tuple[float, float]) -> str:
    """Verdict wording from computed results and the thresholds in data/report.yaml."""
    if kind == "terrestrial":
        return "baseline (the comparison reference)"
    if "feasible" not in sel:
        return "not computed (no stage produced constraints)"
    feasible = bool(np.all(np.asarray(sel["feasible"].values)))
    if not feasible:
        binding = ", ".join(sorted(set(np.asarray(sel["binding_constraint"].values).astype(str).ravel()) - {"none"}))
        return f"infeasible: binding constraint {binding}"
    parity = threshold("cost_ratio_parity")
    pct = int(round(100 * threshold("interval_probability")))
    lo, hi = ratio_interval
    ratio = _get(sel, "cost_ratio_vs_terrestrial")
    if not np.isfinite(ratio):
        cost = "cost not computed (stage economics absent)"
    elif np.isfinite(lo) and np.isfinite(hi):
        if hi <= parity:
            cost = f"cost-competitive (whole {pct}% interval <= {fmt(parity)}x the ground)"
        elif lo > parity:
            cost = f"not cost-competitive (whole {pct}% interval > {fmt(parity)}x the ground)"
        else:
            cost = f"cost uncertain ({pct}% interval spans {fmt(parity)}x the ground)"
    else:
        cost = ("cost-competitive" if ratio <= parity else "not cost-competitive") + " at nominal values (no Monte Carlo)"
    notes = []
    dose, tol = lifetime_dose(sel)
    if np.isfinite(dose) and np.isfinite(tol) and dose / tol > threshold("radiation_margin"):
        notes.append(f"dose over life {fmt(dose / tol)}x the hardware tolerance")
    years = _get(sel, "deployment_years", "yr")
    if np.isfinite(years) and years > threshold("max_deployment_years"):
        notes.append(f"slow deployment ({fmt(years)} yr > {fmt(threshold('max_deployment_years'))} yr)")
    return "feasible; " + cost + ("; " + "; ".join(notes) if notes else "")


def lifetime_dose(sel: xr.Dataset) -> tuple[float, float]:
    """(dose over the mission life, hardware tolerance) in rad_Si; NaN where not computed.

    The dose is the compute stage's ``lifetime_dose`` (else ``radiation_dose`` x
    ``mission_lifetime``); the tolerance is ``radiation_tolerance`` if a stage gives it, else the
    accelerator catalog's ``tid_limit`` for the architecture's accelerator."""
    dose = _get(sel, "lifetime_dose", "rad_Si")
    if not np.isfinite(dose):
        dose = _get(sel, "radiation_dose", "rad_Si/yr") * _get(sel, "mission_lifetime", "yr")
    tol = _get(sel, "radiation_tolerance", "rad_Si")
    if not np.isfinite(tol) and "accelerator" in sel:
        from .parameters import catalog_value

        try:
            tol = float(catalog_value("accelerators", "tid_limit", str(sel["accelerator"].values), "rad_Si"))
        except (OrbitdcError, KeyError, ValueError):
            tol = float("nan")
    return dose, tol


def summary_rows(study: Study) -> list[dict[str, str]]:
    """The executive summary: one row per architecture, every cell computed."""
    cmp = study.compare()
    mc = study.monte_carlo() if study.space else {}
    pct = int(round(100 * threshold("interval_probability")))
    rows = []
    for a in study.archs:
        sel = cmp.sel(architecture=a.name)
        interval = _q(mc, a.name, "cost_ratio_vs_terrestrial", threshold("interval_probability"))
        ratio = _get(sel, "cost_ratio_vs_terrestrial")
        row = {"architecture": a.name, "kind": a.kind, "verdict": verdict(sel, a.kind, interval)}
        if np.isfinite(ratio):
            # The nominal point (every parameter at its stated value) can sit outside the Monte
            # Carlo interval when ranges are skewed, so the sample median is shown beside it.
            median = _q(mc, a.name, "cost_ratio_vs_terrestrial", 0.0)[0]
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = (
                f"{fmt(ratio)} nominal; Monte Carlo median {fmt(median)} [{fmt(interval[0])} - {fmt(interval[1])}]"
                if np.isfinite(interval[0]) else f"{fmt(ratio)} [no Monte Carlo]")
        else:
            row[f"cost ratio vs terrestrial [{pct}% interval]"] = _missing_cell("cost_ratio_vs_terrestrial")
        space = a.kind == "space"

        def cell(value, unit, var):
            return f"{fmt(value)} {unit}".strip() if np.isfinite(value) else (_missing_cell(var) if space else "n/a")

        be = _get(sel, "breakeven_launch_price", "USD/kg")
        by = _get(sel, "breakeven_year")
        if space and "breakeven_launch_price" in sel:
            unreachable = bool(np.all(np.asarray(sel["breakeven_unreachable"].values))) if "breakeven_unreachable" in sel else False
            row["break-even launch price (year)"] = ("none: costs other than launch already exceed the ground" if unreachable or not np.isfinite(be)
                                                     else f"{fmt(be)} USD/kg ({fmt(by, 4) if np.isfinite(by) else 'year n/a'})")
        else:
            row["break-even launch price (year)"] = cell(be, "USD/kg", "breakeven_launch_price")
        row["mass per MW of IT"] = cell(_get(sel, "specific_mass", "t/MW"), "t/MW", "specific_mass")
        gw = _get(sel, "target_it_power", "GW")
        row["launches per GW"] = cell(_get(sel, "launches") / gw, "", "launches")
        mw = _get(sel, "it_power", "MW")
        row["array area per MW"] = cell(_get(sel, "solar_array_area", "m2") / mw, "m2/MW", "solar_array_area")
        row["radiator area per MW"] = cell(_get(sel, "radiator_area", "m2") / mw, "m2/MW", "radiator_area")
        row["eclipse fraction"] = cell(_get(sel, "eclipse_fraction"), "", "eclipse_fraction")
        dose, tol = lifetime_dose(sel)
        if np.isfinite(dose):
            row["dose over life vs tolerance"] = (f"{fmt(dose / 1000)} krad(Si) vs {fmt(tol / 1000)} krad(Si)" if np.isfinite(tol)
                                                  else f"{fmt(dose / 1000)} krad(Si) vs tolerance not computed (radiation_tolerance absent)")
        else:
            row["dose over life vs tolerance"] = cell(dose, "", "radiation_dose")
        row["deployment"] = cell(_get(sel, "deployment_years", "yr"), "yr", "deployment_years")
        co2, var = plots.co2_value(sel)
        row["CO2 per kWh"] = f"{fmt(co2)} g/kWh ({var})" if var else "not computed (no CO2 output)"
        if not space:  # the baseline: the space-only columns do not apply
            for k in list(row)[3:]:
                if k.startswith("cost ratio"):
                    row[k] = "1 (the reference)"
                elif k != "CO2 per kWh":
                    row[k] = "n/a (terrestrial)"
        rows.append(row)
    return rows


def summary_html(study: Study) -> str:
    rows = summary_rows(study)
    cfg = study.settings["thresholds"]
    notes = "".join(f"<li><code>{esc(k)}</code> = {esc(v['value'])} {esc(v['unit'] if v['unit'] != '1' else '')}: {esc(v['note'])} "
                    f"[{esc(', '.join(v['source']) if isinstance(v['source'], list) else v['source'])}]</li>"
                    for k, v in cfg.items())
    return (table_html(rows, caption="Executive summary (nominal values; interval from Monte Carlo)")
            + f"<p>Verdict thresholds (data/report.yaml):</p><ul>{notes}</ul>"
            + f"<p>Monte Carlo: {esc(study.samples)} samples per architecture, seed {esc(study.seed)}. "
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
                v = _get(cmp.sel(architecture=a), name)
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


def claims_html(study: Study):
    """Published claims against the model's results for the architecture that reproduces them."""
    from .chain import evaluate

    rows = []
    cache: dict[str, Any] = {}
    for c in study.settings["claims"]:
        arch = c["architecture"]
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
        v = _get(ds, c["variable"], c["unit"]) if c["variable"] in ds else float("nan")
        if not np.isfinite(v):
            row["model"] = _missing_cell(c["variable"])
        else:
            lo, hi = float(c["low"]), float(c["high"])
            where = "within the claim" if lo <= v <= hi else (f"{fmt(v / hi)}x above the claim" if v > hi else f"{fmt(lo / v)}x below the claim")
            row["model"] = f"{fmt(v)} ({where})"
        rows.append(row)
    return HTML(table_html(rows, caption="Published claims against this model (each architecture at its own defaults)"))


def limitations_html(study: Study):
    from .chain import STAGE_MODULES, stages

    present = {s.name for s in stages()}
    absent = [m.rsplit(".", 1)[1] for m in STAGE_MODULES if m.rsplit(".", 1)[1] not in present]
    items = list(study.settings["limitations"])
    if absent:
        items.insert(0, f"Model stages absent from this build (their outputs are reported as not computed): {', '.join(absent)}.")
    items.append(f"Monte Carlo intervals come from {study.samples} samples per architecture (seed {study.seed}).")
    return HTML("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


# --------------------------------------------------------------------------------------------
# Running the notebooks
# --------------------------------------------------------------------------------------------
class NotebookFailed(Exception):
    """A notebook failed: its name, the cell (1-based, as in notebooks/, without papermill's
    injected cell), the cell's first line, and the error."""

    def __init__(self, notebook: str, cell: int | None, first_line: str, ename: str, evalue: str):
        self.notebook, self.cell, self.ename, self.evalue = notebook, cell, ename, evalue
        where = f"cell {cell} ({first_line!r})" if cell is not None else "kernel startup"
        super().__init__(f"notebook {notebook} failed at {where}: {ename}: {evalue}")


def _source_cell(executed: Path, index: int | None) -> tuple[int | None, str]:
    """The failing cell -> (1-based cell number in the source notebook, its first line).

    Found in the executed copy as the cell holding the error output; papermill's injected
    parameters cell and its error-marker cells are not counted (they are not in notebooks/)."""
    added = {"injected-parameters", "papermill-error-cell-tag"}
    try:
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells
        pos = next(i for i, c in enumerate(cells) if c.cell_type == "code"
                   and any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    except Exception:  # the executed copy may be incomplete; papermill's index is still useful
        return (index + 1 if index is not None else None), ""
    number = 1 + sum(1 for c in cells[:pos] if not added & set(c.metadata.get("tags", [])))
    src = cells[pos].source.strip()
    return number, (src.splitlines()[0][:80] if src else "")


def _run_notebook(src: str, dst: str, params: dict, cwd: str) -> dict:
    """Execute one notebook with papermill (in a worker process); report failure as data."""
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)
    t0 = time.time()
    try:
        pm.execute_notebook(src, dst, parameters=params, cwd=cwd, progress_bar=False, log_output=False,
                            kernel_name="python3")
    except pm.PapermillExecutionError as exc:
        evalue = str(exc.evalue).splitlines()[0] if exc.evalue else ""
        return {"ok": False, "cell": exc.cell_index, "exec_count": exc.exec_count, "ename": exc.ename, "evalue": evalue}
    except Exception as exc:  # kernel died, bad notebook
        return {"ok": False, "cell": None, "exec_count": None, "ename": type(exc).__name__, "evalue": str(exc).splitlines()[0] if str(exc) else ""}
    return {"ok": True, "seconds": time.time() - t0}


def _worker_main(argv: Sequence[str]) -> int:
    """``python -m orbitdc.report SRC DST CWD PARAMS.json RESULT.json``: one notebook, in its own
    process (so a failing run can stop the others at once)."""
    src, dst, cwd, params_file, result_file = argv
    params = json.loads(Path(params_file).read_text(encoding="utf-8"))
    res = _run_notebook(src, dst, params, cwd)
    Path(result_file).write_text(json.dumps(res), encoding="utf-8")
    return 0


class _Job:
    def __init__(self, name: str, notebooks_dir: Path, workdir: Path, params_file: Path):
        self.name = name
        self.result_file = workdir / ".orbitdc-run" / f"{name}.json"
        self.log_file = workdir / ".orbitdc-run" / f"{name}.log"
        src, dst = notebooks_dir / f"{name}.ipynb", workdir / "notebooks" / f"{name}.ipynb"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "orbitdc.report", str(src), str(dst), str(workdir), str(params_file), str(self.result_file)],
            cwd=str(workdir), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.log_file, "wb"), start_new_session=True)

    def result(self) -> dict | None:
        if self.proc.poll() is None:
            return None
        if self.result_file.exists():
            return json.loads(self.result_file.read_text(encoding="utf-8"))
        lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()] if self.log_file.exists() else []
        last = next((ln for ln in reversed(lines) if not ln.startswith((" ", "[", "Traceback"))), "")
        return {"ok": False, "cell": None, "ename": "WorkerDied",
                "evalue": f"exit status {self.proc.returncode}" + (f"; {last.strip()}" if last else "")}

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)  # the worker and its kernel (same session)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def run_notebooks(workdir: Path, params: dict, jobs: int, notebooks_dir: Path | None = None,
                  progress: bool = True) -> dict[str, float]:
    """Run the stage notebooks in parallel (up to ``jobs``), then the summary notebook (after
    05_uncertainty, whose Monte Carlo results it reads). The first failure stops every run."""
    from tqdm import tqdm

    notebooks_dir = Path(notebooks_dir or NOTEBOOK_DIR)
    missing = [n for n in (*STAGE_NOTEBOOKS, SUMMARY_NOTEBOOK) if not (notebooks_dir / f"{n}.ipynb").exists()]
    if missing:
        raise OrbitdcError(f"notebooks missing from {notebooks_dir}: {', '.join(missing)}")
    (workdir / "notebooks").mkdir(parents=True, exist_ok=True)
    (workdir / ".orbitdc-run").mkdir(parents=True, exist_ok=True)
    params_file = workdir / ".orbitdc-run" / "parameters.json"
    params_file.write_text(json.dumps(params), encoding="utf-8")
    queue = list(STAGE_NOTEBOOKS)
    running: list[_Job] = []
    times: dict[str, float] = {}
    bar = tqdm(total=len(queue) + 1, desc="orbitdc report", unit="step", file=sys.stderr, disable=not progress)
    try:
        while queue or running:
            # the summary notebook waits for 05_uncertainty; others start as slots free up
            while queue and len(running) < max(1, jobs):
                nxt = next((n for n in queue if n != SUMMARY_NOTEBOOK or "05_uncertainty" in times), None)
                if nxt is None:
                    break
                queue.remove(nxt)
                running.append(_Job(nxt, notebooks_dir, workdir, params_file))
            time.sleep(0.2)
            for job in list(running):
                res = job.result()
                if res is None:
                    continue
                running.remove(job)
                if not res["ok"]:
                    raise NotebookFailed(f"{job.name}.ipynb", *_source_cell(workdir / "notebooks" / f"{job.name}.ipynb", res.get("cell")),
                                         res["ename"], res["evalue"])
                times[job.name] = round(res["seconds"], 2)
                bar.set_postfix_str(job.name)
                bar.update(1)
                if job.name == "05_uncertainty":
                    queue.append(SUMMARY_NOTEBOOK)
    finally:
        for job in running:
            job.stop()
        bar.close()
    shutil.rmtree(workdir / ".orbitdc-run", ignore_errors=True)
    return times


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# Provenance and the atomic build
# --------------------------------------------------------------------------------------------
PROVENANCE_PACKAGES = ("numpy", "scipy", "xarray", "astropy", "boinor", "pymsis", "radbelt", "pydantic", "dask",
                       "SALib", "holoviews", "bokeh", "papermill", "nbconvert", "nbformat", "netCDF4")


def provenance(params: dict, start: datetime, end: datetime, notebook_seconds: Mapping[str, float]) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    pkgs = {}
    for p in PROVENANCE_PACKAGES:
        try:
            pkgs[p] = version(p)
        except PackageNotFoundError:
            pkgs[p] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {
        "orbitdc_version": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": pkgs,
        "parameters": params,
        "seed": params.get("seed"),
        "samples": params.get("samples"),
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
        "notebook_seconds": dict(notebook_seconds),
    }


def _is_report_dir(path: Path) -> bool:
    return (path / "provenance.json").exists() or (path.is_dir() and not any(path.iterdir()))


def build(architectures: Sequence[str], overrides: Mapping[str, Any] | None = None, out: str | Path = DEFAULT_OUT,
          jobs: int = 2, samples: int | None = None, seed: int | None = None,
          notebooks_dir: str | Path | None = None, progress: bool = True) -> Path:
    """Validate, run the notebooks, export ``index.html``; move the folder into place at the end.

    Raises OrbitdcError for bad input (before anything runs) and :class:`NotebookFailed` when a
    notebook fails; in both cases any previous report at ``out`` is left untouched.
    """
    start = datetime.now(timezone.utc)
    cfg = settings()
    out = Path(out)
    if out.exists() and (not out.is_dir() or not _is_report_dir(out)):
        raise OrbitdcError(f"--out {out}: exists and is not an orbitdc report folder (no provenance.json); refusing to replace it")
    if jobs < 1:
        raise OrbitdcError(f"--jobs {jobs}: must be at least 1")
    if samples is not None and samples < 2:
        raise OrbitdcError(f"--samples {samples}: must be at least 2")
    overrides = dict(overrides or {})
    archs = validate(list(architectures), overrides)
    arch_args = [str(Path(a).resolve()) if (Path(str(a)).suffix in (".yaml", ".yml") or "/" in str(a)) else str(a)
                 for a in architectures]
    params = literal_parameters({
        "architectures": arch_args,
        "overrides": overrides,
        "samples": int(samples if samples is not None else cfg["defaults"]["samples"]),
        "seed": int(seed if seed is not None else cfg["defaults"]["seed"]),
        "output_dir": ".",
        "static_html": True,
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent)).resolve()
    os.chmod(work, 0o755)
    try:
        times = run_notebooks(work, params, jobs, Path(notebooks_dir or NOTEBOOK_DIR).resolve(), progress=progress)
        export_html([work / "notebooks" / f"{n}.ipynb" for n in PAGE_ORDER if (work / "notebooks" / f"{n}.ipynb").exists()],
                    work / "index.html")
        params["architecture_names"] = [a.name for a in archs]
        prov = provenance(params, start, datetime.now(timezone.utc), times)
        (work / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
        # swap into place: the previous report is removed only once the new one is complete
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "report")
        os.rename(work, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out


def main(args) -> int:
    """``orbitdc report``: exit 0 on success, 1 when a notebook fails (message names the notebook
    and the cell), 2 for bad input (raised as OrbitdcError, printed by the CLI)."""
    cfg = settings()
    archs = list(args.architectures or cfg["defaults"]["architectures"])
    overrides = dict(parse_assignment(s) for s in (args.set or []))
    out = Path(args.out) if args.out else DEFAULT_OUT
    try:
        path = build(archs, overrides, out=out, jobs=args.jobs, samples=args.samples, seed=args.seed,
                     progress=sys.stderr.isatty() or bool(os.environ.get("ORBITDC_PROGRESS", "1") == "1"))
    except NotebookFailed as exc:
        if exc.ename in ("OrbitdcError", "ArchitectureError", "ParameterError"):
            raise OrbitdcError(str(exc)) from None
        print(f"orbitdc: error: {exc} (previous report, if any, left untouched)", file=sys.stderr)
        return 1
    print(f"wrote {path / 'index.html'}")
    return 0


if __name__ == "__main__":  # a notebook worker (see run_notebooks)
    sys.exit(_worker_main(sys.argv[1:]))
