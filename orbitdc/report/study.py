"""The study: what the report computes, once per set of inputs.

A :class:`Study` holds the architectures (with a scenario of ``data/scenarios/`` layered over
each that ships it, when one is named), overrides, Monte Carlo sample count and seed of one
report and returns the computations the notebooks show (``compare``, sweeps, the orbit over a
year, the Monte Carlo, the tornado, the year-by-year model), each computed once per Study, and
the report's sections built from them (:meth:`Study.show`).

Results written to ``output_dir/results/`` (NetCDF) by one notebook are read back by another
(the summary notebook reads the Monte Carlo the uncertainty notebook wrote and the year-by-year
model the trajectory notebook wrote) only when they carry
the same ``Study.key``: a SHA-256 over everything that determines them -- the scenario, the
content of each architecture (every parameter's value, unit, range, distribution and source), the
overrides, the sample count, the seed, the orbitdc version, and digests of the orbitdc source
code and of the data files (catalogs, defaults, atmosphere, orbit and radiation tables), the
user's own included (catalogs, references and scenarios of ``--data-dir``). A file
from an earlier run with another seed, other overrides, an edited YAML or another version of
orbitdc is ignored and the result is recomputed, never silently reused.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from .. import _version
from ..architectures import apply_where_available
from ..chain import build_inputs, compare, sweep, to_netcdf
from ..errors import OrbitdcError
from ..parameters import DATA_DIR, Architecture, suggest
from ..orbit import annual_eclipse
from ..trajectory import trajectory
from . import figures
from . import beliefs
from .record import answer, value_of
from .sections import FIGURES, SECTIONS
from .settings import settings
from .wording import title

#: Types of ``--set`` values the report accepts (one value per parameter, plain data).
_OK_TYPES = (bool, int, float, str)
#: Attribute of saved results holding the study's key (see the module docstring).
KEY_ATTR = "orbitdc_study_key"
#: The orbitdc package (its source code is part of the key).
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------
# Validation (before any kernel starts)
# --------------------------------------------------------------------------------------------
def validate(architectures: Sequence[str], overrides: Mapping[str, Any] | None = None,
             scenario: str | None = None) -> list[Architecture]:
    """Load the architectures (with ``scenario`` layered over each that ships it) and build their
    inputs with the overrides; raise OrbitdcError."""
    if not architectures:
        raise OrbitdcError("no architecture given")
    archs = apply_where_available(architectures, scenario)
    names = [a.name for a in archs]
    if len(set(names)) != len(names):
        raise OrbitdcError(f"architecture names repeat: {', '.join(names)}")
    overrides = dict(overrides or {})
    valid = sorted({p for a in archs for p in a.parameters})
    for name, value in overrides.items():
        if name not in valid:
            raise OrbitdcError(f"--set {name}: unknown parameter{suggest(name, valid)}; 'orbitdc show "
                               f"{archs[0].name}' lists the valid names")
        if isinstance(value, (list, tuple)):
            raise OrbitdcError(f"--set {name}: the report takes one value per parameter (sweep in a notebook instead)")
        if not isinstance(value, _OK_TYPES) or (isinstance(value, float) and not np.isfinite(value)):
            raise OrbitdcError(f"--set {name}: expected a number, a quantity such as '650 km', true/false or a name")
    for a in archs:
        build_inputs(a, {k: v for k, v in overrides.items() if k in a.parameters})
    return archs


# --------------------------------------------------------------------------------------------
# The key of a study: everything that determines its results
# --------------------------------------------------------------------------------------------
def _tree_digest(folder: Path, pattern: str, exclude: Sequence[str] = ()) -> str:
    """SHA-256 over the relative paths and contents of the files under ``folder`` (sorted)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob(pattern)):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or any(rel.startswith(e) for e in exclude) or "__pycache__" in rel:
            continue
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_and_data_digest() -> dict[str, str]:
    """Digests of the orbitdc source code and of the data files shared by all architectures
    (architectures themselves are hashed by content, see :func:`architecture_digest`)."""
    return {"code": _tree_digest(_PACKAGE_DIR, "*.py"),
            "data": _tree_digest(DATA_DIR, "*", exclude=("architectures/",))}


def user_data_digest() -> dict[str, str]:
    """Digests of the user's data folders (``--data-dir``, ``ORBITDC_DATA_DIR``): their catalogs,
    references and scenarios, which change results as the shipped data do (an edited user
    accelerator changes the radiator). Computed on every call: a user edits these files between
    runs. Architectures are hashed by content (:func:`architecture_digest`)."""
    from ..datadirs import layers

    out = {}
    for layer in layers():
        if layer.shipped:
            continue
        for sub in ("catalogs", "references", "scenarios"):
            folder = layer.folder(sub)
            if folder is not None and folder.is_dir():
                out[f"{layer.origin}/{sub}"] = _tree_digest(folder, "*")
    return out


def architecture_digest(arch: Architecture) -> str:
    """SHA-256 of an architecture's content: name, kind and every parameter (value, unit, range,
    distribution, source, note), whatever file or folder it was loaded from."""
    content = {
        "name": arch.name,
        "kind": arch.kind,
        "parameters": {k: p.model_dump(mode="json") for k, p in sorted(arch.parameters.items())},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def study_key(archs: Sequence[Architecture], overrides: Mapping[str, Any], samples: int, seed: int,
              scenario: str | None = None) -> str:
    """The key of a study's results (see the module docstring): equal keys, equal results."""
    content = {
        "scenario": scenario,
        "orbitdc_version": _version.__version__,
        **code_and_data_digest(),
        "user_data": user_data_digest(),
        "architectures": [architecture_digest(a) for a in archs],
        "overrides": {k: overrides[k] for k in sorted(overrides)},
        "samples": int(samples),
        "seed": int(seed),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=repr).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# The study
# --------------------------------------------------------------------------------------------
class Study:
    """The architectures and overrides of one report, with the computations the notebooks show.

    The computations return xarray results computed by orbitdc (``compare``, ``sweep``,
    ``monte_carlo``, ``sensitivity``, ``trajectory``) or :class:`orbitdc.report.figures.Missing`
    with the reason when one cannot be computed; :meth:`show` returns a section of the report
    (the notebooks' one door: ``study.show("answer")``). ``static``: the display mode of the
    figures (:func:`orbitdc.report.figures.setup`), set when given. Results saved with :meth:`save` carry ``key``; only results with the
    same key are read back (see the module docstring).
    """

    def __init__(self, architectures: Sequence[str], overrides: Mapping[str, Any] | None = None,
                 samples: int | None = None, seed: int | None = None, output_dir: str | Path = ".",
                 scenario: str | None = None, static: bool | None = None):
        if static is not None:  # a notebook: figures embedded (the HTML report) or interactive (JupyterLab)
            figures.setup(static=static)
        cfg = settings()
        self.settings = cfg
        self.overrides = dict(overrides or {})
        self.scenario = scenario
        self.archs = validate(list(architectures), self.overrides, scenario)
        self.names = [a.name for a in self.archs]
        self.samples = int(samples if samples is not None else cfg["defaults"]["samples"])
        self.seed = int(seed if seed is not None else cfg["defaults"]["seed"])
        self.output_dir = Path(output_dir)
        self.key = study_key(self.archs, self.overrides, self.samples, self.seed, scenario)
        self._cache: dict[str, Any] = {}

    # -- the report's sections
    def show(self, section: str, *args: Any):
        """A section of the report for this study, ready to display in a notebook: ``answer``,
        ``when``, ``summary``, ``stage`` (with the stage's name), ... (the names of
        :data:`orbitdc.report.sections.SECTIONS`)."""
        if section not in SECTIONS:
            raise OrbitdcError(f"no report section '{section}'; sections: {', '.join(SECTIONS)}")
        with _quiet():
            return SECTIONS[section](self, *args)

    def record(self, scenarios: bool = True) -> xr.Dataset:
        """The record: every number the report says about each architecture, computed once.

        :func:`orbitdc.report.record.answer` (the stated design, the Monte Carlo's shares and
        medians, what binds, the levers, the year-by-year answer) with each architecture's display
        name and company (coordinates ``title``, ``company``) and, from
        :func:`orbitdc.report.beliefs.whose_beliefs`, the median crossover year under each
        scenario it ships (``scenario_crossover_year``, ``scenario_design_feasible``,
        ``scenario_binding``, ``scenario_shipped`` over ``architecture`` x ``scenario``). The
        first screen, the summary table, the verdicts and the app's and CLI's words read it.
        ``scenarios=False``: without the scenario variables (the Monte Carlo table needs only the
        study's own answer, and so does not run the year-by-year model under every scenario)."""
        def run():
            rec = self.record(scenarios=False).copy()  # the cached record of the files stays as it is
            whose = beliefs.whose_beliefs(self)
            if isinstance(whose, xr.Dataset):
                names = list(rec["architecture"].values)
                plain = whose.reset_coords(["company", "ships_scenario"])
                pick = {v: plain[v].reset_coords(drop=True).reindex(architecture=names)
                        for v in ("crossover_year", "design_feasible", "binding_constraint", "ships_scenario")}
                rec["scenario_crossover_year"] = pick["crossover_year"].astype(float)
                rec["scenario_design_feasible"] = pick["design_feasible"].fillna(False).astype(bool)
                rec["scenario_binding"] = pick["binding_constraint"].fillna("").astype(str)
                rec["scenario_shipped"] = pick["ships_scenario"].fillna(False).astype(bool)
                rec.attrs.update(scenario_samples=int(whose.attrs.get("samples", 0)),
                                 feasibility_year=int(whose.attrs["feasibility_year"]),
                                 last_year=int(whose.attrs["last_year"]))
            return rec

        if not scenarios:  # the record of the study's own files, without the scenario runs
            return self._cached("record:files", lambda: answer(self).assign_coords(
                title=("architecture", [title(a.name, a.company) for a in self.archs]),
                company=("architecture", [a.company or "" for a in self.archs])))
        return self._cached("record", run)

    def save_whose_beliefs(self) -> list[Path]:
        """Save :func:`orbitdc.report.beliefs.whose_beliefs` (the year-by-year model under each
        scenario) under ``results/`` with the study's key: the year-by-year notebook computes it
        beside the trajectory, the summary notebook's :meth:`record` reads it back."""
        whose = beliefs.whose_beliefs(self)
        return self.save(whose, beliefs.WHOSE_BELIEFS_FILE) if isinstance(whose, xr.Dataset) else []

    def figure(self, name: str):
        """A figure of the report for this study as a HoloViews object (or
        :class:`~orbitdc.report.figures.Missing`), to restyle or save: the names of
        :data:`orbitdc.report.sections.FIGURES`."""
        if name not in FIGURES:
            raise OrbitdcError(f"no report figure '{name}'; figures: {', '.join(FIGURES)}")
        return FIGURES[name](self)

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
            with _quiet():
                self._cache[key] = fn()
        return self._cache[key]

    def save(self, ds: xr.Dataset | Mapping[str, xr.Dataset] | Any, name: str) -> list[Path]:
        """Write results as NetCDF under ``output_dir/results`` (orbitdc.chain.to_netcdf), each
        with the study's key in ``attrs[KEY_ATTR]``."""
        out = []
        if isinstance(ds, xr.Dataset):
            out.append(to_netcdf(ds.assign_attrs({KEY_ATTR: self.key}), self.output_dir / "results" / f"{name}.nc"))
        elif isinstance(ds, Mapping):
            for i, (arch, d) in enumerate(ds.items()):
                if isinstance(d, xr.Dataset):
                    d = d.assign_attrs({"architecture": arch, KEY_ATTR: self.key})
                    out.append(to_netcdf(d, self.output_dir / "results" / f"{name}_{i:02d}.nc"))
        return out

    def _read_saved(self, name: str, stacked: bool = False) -> dict[str, xr.Dataset] | xr.Dataset | None:
        """Results saved under ``name`` by a study with the same key: by architecture (files
        ``name_NN.nc``), or with ``stacked`` the one Dataset ``name.nc`` (None when absent). Files
        of another key are ignored (another seed, other overrides, other data or code)."""
        files = [self.output_dir / "results" / f"{name}.nc"] if stacked else sorted(
            (self.output_dir / "results").glob(f"{name}_*.nc"))
        found = {}
        for f in files:
            if not f.is_file():
                continue
            try:
                with xr.open_dataset(f) as d:
                    if d.attrs.get(KEY_ATTR) != self.key:
                        continue
                    if stacked:
                        return _restore_strings(d.load())
                    found[d.attrs.get("architecture")] = d.load()
            except (OSError, ValueError):  # unreadable or half-written by a killed run: recompute
                continue
        return None if stacked else found

    # -- computations
    def compare(self) -> xr.Dataset:
        return self._cached("compare", lambda: compare(self.archs, **self.overrides))

    def which_workloads(self) -> xr.Dataset | figures.Missing:
        """:func:`orbitdc.workload_table.which_workloads` of the study's space architectures: the
        stated design (nominal) under every workload of data/catalogs/workloads.csv, with the
        study's overrides (a ``workload`` override is what this table varies, so it is left out)."""
        def run():
            if not self.space:
                return figures.Missing("Which workloads?", "not computed: no space architecture")
            from ..workload_table import which_workloads

            own = {k: v for k, v in self.overrides.items() if k != "workload"}
            return which_workloads(self.space, **own)

        return self._cached("which_workloads", run)

    def launch_price_sweep(self) -> xr.Dataset | figures.Missing:
        """cost ratio over the launch-price grid of data/report.yaml, per space architecture."""
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
                return figures.Missing("Cost ratio vs launch price", "not computed: no space architecture has launch_price_per_kg (stage launch absent)")
            return xr.concat(parts, dim="architecture", join="outer", combine_attrs="drop_conflicts")

        return self._cached("launch_sweep", run)

    def radiator_sweep(self, parameter: str = "radiator_design_temperature") -> xr.Dataset | figures.Missing:
        """Radiator area over the radiator temperature range (the parameter's low..high) of each
        space architecture, at that temperature (``optimize_radiator_temperature`` off)."""
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
                return figures.Missing("Radiator area vs radiator temperature",
                                     f"not computed: no parameter '{parameter}' (stage thermal absent)")
            return xr.concat(parts, dim="architecture", join="outer", combine_attrs="drop_conflicts")

        return self._cached("radiator_sweep", run)

    def orbit_year(self) -> xr.Dataset | figures.Missing:
        """Beta angle and eclipse fraction over a year (:func:`orbitdc.orbit.annual_eclipse`)."""
        title = "Eclipse fraction and beta angle over a year"

        def run():
            parts = []
            cmp = self.compare()
            for a in self.space:
                sel = cmp.sel(architecture=a.name)
                sso = str(sel["orbit_type"].values) == "sso"
                yr = annual_eclipse(value_of(sel, "altitude", "km"),
                                    inclination=None if sso else value_of(sel, "inclination", "deg"),
                                    ltan=value_of(sel, "ltan", "h"), year=int(value_of(sel, "start_year")))
                yr = yr[["beta_angle", "eclipse_fraction"]]
                yr = yr.assign_coords(day_of_year=("time", np.arange(1, yr.sizes["time"] + 1)))
                yr = yr.swap_dims(time="day_of_year").drop_vars("time")
                parts.append(yr.expand_dims(architecture=[a.name]))
            if not parts:
                return figures.Missing(title, "not computed: no space architecture")
            return xr.concat(parts, dim="architecture")

        return self._cached("orbit_year", run)

    def monte_carlo(self, compute: bool = True) -> dict[str, xr.Dataset] | figures.Missing | None:
        """Monte Carlo results per space architecture (read from results/ if a study with the same
        key wrote them there); with ``compute=False``, None when they are not there yet."""
        if not compute and "monte_carlo" not in self._cache:
            found = self._read_monte_carlo()
            return found
        def run():
            found = self._read_monte_carlo()
            if found is not None:
                return found
            try:
                from ..uncertainty import monte_carlo
            except ImportError:
                return figures.Missing("Monte Carlo", "not computed: orbitdc.uncertainty (monte_carlo) absent")
            out = {}
            for a in self.space:
                out[a.name] = _call(monte_carlo, a, samples=self.samples, seed=self.seed, **self.own(a))
            return out

        return self._cached("monte_carlo", run)

    def _read_monte_carlo(self) -> dict[str, xr.Dataset] | None:
        found = self._read_saved("monte_carlo")
        if self.space and all(a.name in found for a in self.space) and all(
                found[a.name].sizes.get("sample") == self.samples for a in self.space):
            return {a.name: found[a.name] for a in self.space}
        return None

    def trajectory_years(self) -> range:
        """The calendar years of the year-by-year model (``figures.trajectory`` in data/report.yaml)."""
        cfg = self.settings["figures"]["trajectory"]
        return range(int(cfg["first_year"]), int(cfg["stop_year"]))

    def trajectory(self, samples: bool = True, years: Sequence[int] | None = None) -> xr.Dataset | figures.Missing:
        """The year-by-year model (:func:`orbitdc.trajectory`) of every space architecture (each
        against its own ground twin), stacked along ``architecture``, with the study's overrides:
        the Monte Carlo over the trend rates and ramps with the study's sample count and seed, or
        with ``samples=False`` the nominal run (every rate at its value). ``years``: the study's
        (:meth:`trajectory_years`) when None.

        Computed once per Study and years, and read back from ``results/`` when a notebook of a
        study with the same ``key`` saved it there (:meth:`save_trajectory`), so the report's
        notebooks share one trajectory."""
        title = "Year-by-year model"
        years = list(self.trajectory_years() if years is None else years)
        name = _trajectory_name(samples, years, self.trajectory_years())

        def run():
            if samples and self.samples < 2:
                return figures.Missing(title, f"not computed: the Monte Carlo needs at least 2 samples, got {self.samples}")
            if not self.space:
                return figures.Missing(title, "not computed: no space architecture (each carries its own ground twin)")
            found = self._read_saved(name, stacked=True)
            if found is not None and [int(y) for y in found["year"].values] == years:
                return found
            # the space architectures only: each cohort is priced against its own ground twin
            if samples:
                return trajectory(self.space, years, samples=self.samples, seed=self.seed, **self.overrides)
            return trajectory(self.space, years, **self.overrides)

        return self._cached(name, run)

    def save_trajectory(self, samples: bool = True, years: Sequence[int] | None = None) -> list[Path]:
        """Save :meth:`trajectory` under ``results/`` with the study's key (read back by the other
        notebooks of the same study instead of computed again)."""
        years = list(self.trajectory_years() if years is None else years)
        tr = self.trajectory(samples, years)
        if isinstance(tr, figures.Missing):
            return []
        return self.save(tr, _trajectory_name(samples, years, self.trajectory_years()))

    def sensitivity(self, output: str = "cost_ratio_vs_terrestrial") -> dict[str, Any] | figures.Missing:
        def run():
            try:
                from ..uncertainty import sensitivity
            except ImportError:
                return figures.Missing("Tornado", "not computed: orbitdc.uncertainty (sensitivity) absent")
            return {a.name: _call(sensitivity, a, output=output, **self.own(a)) for a in self.space}

        return self._cached(f"sensitivity:{output}", run)


def _call(fn, arch, **kw):
    """Call an uncertainty function, passing overrides only if it accepts them."""
    sig = inspect.signature(fn)
    takes_var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    kw = {k: v for k, v in kw.items() if takes_var_kw or k in sig.parameters}
    return fn(arch, **kw)


@contextlib.contextmanager
def _quiet():
    """No warning reaches a reader of the notebooks: numpy's floating-point notes on the NaN and
    infinite values the model uses on purpose (a design that does not close has no cost) and the
    RuntimeWarnings they raise are silenced while the study computes and shows (the report drops
    stderr anyway; JupyterLab would print them in red under the answer)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _trajectory_name(samples: bool, years: Sequence[int], default: Sequence[int]) -> str:
    """The name a trajectory is cached and saved under (the years when they are not the study's)."""
    name = "trajectory_monte_carlo" if samples else "trajectory"
    years = [int(y) for y in years]
    if years != [int(y) for y in default]:
        name += f"_{years[0]}_{years[-1]}_{len(years)}"
    return name


def _restore_strings(ds: xr.Dataset) -> xr.Dataset:
    """A Dataset read back from NetCDF with its text variables and coordinates as ``str`` (NetCDF
    gives them back as object arrays of bytes or str)."""
    for name in list(ds.variables):
        if ds[name].dtype.kind in "OS":
            ds[name] = ds[name].astype(str)
    return ds
