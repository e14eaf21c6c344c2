"""``orbitdc app``: drag a parameter and watch the whole chain answer.

A Panel application served by ``pn.serve`` (a Bokeh server) on 127.0.0.1, with every resource
(BokehJS, Panel's JavaScript and stylesheets) served by that same server: it works with no
network. One browser session holds one design:

* an **architecture** (the shipped ones, or YAML files given on the command line);
* **sliders** for the parameters that matter most for that architecture - the top of its tornado
  (:func:`orbitdc.sensitivity`, one-at-a-time swing of ``cost_ratio_vs_terrestrial``) - plus any
  the user adds. Each slider is labelled with its unit, spans the parameter's ``low``..``high``
  from data, and shows its sources, their tags and the note on hover;
* **live outputs**, recomputed by :func:`orbitdc.evaluate` on every move: the cost ratio against
  the ground, the cost breakdown and the mass budget per kW of IT, feasibility with the binding
  constraint in words, the break-even launch price; then, a moment later, the cost ratio of a new
  cohort by year and the crossover year (:func:`orbitdc.trajectory`); on demand, a quick Monte
  Carlo band (:func:`orbitdc.monte_carlo` with the slider values held fixed).

The design lives in the URL (``?architecture=NAME&PARAM=VALUE UNIT&...``), so a link reproduces
it, and "download this design" writes an architecture YAML file (the format of
``data/architectures/*.yaml``) that ``orbitdc show`` loads and :func:`orbitdc.evaluate` turns
into the same numbers.

Everything that turns results into words or numbers on screen lives in plain functions, tested
without a browser: the words in :mod:`orbitdc.report.wording` (:func:`~orbitdc.report.wording.describe_design`,
:func:`~orbitdc.report.wording.describe_years`, :func:`~orbitdc.report.wording.monte_carlo_words`: the report's wording), the numbers in
:mod:`orbitdc.formatting`, the sliders and the URL here (:func:`knobs`, :func:`design_yaml`,
:func:`parse_query`); :class:`DesignApp` only wires them to widgets. A scenario layer (issue 15:
``data/scenarios/``) will slot in as one more choice beside the architecture: a design is
evaluated through :meth:`DesignApp.inputs`, the one place that will apply it, and the URL
reserves the key ``scenario``.
"""
from __future__ import annotations

import io
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlencode

import numpy as np
import yaml

from . import units
from .errors import ArchitectureError, OrbitdcError
from .architectures import list_architectures, load_architecture
from . import formatting
from .formatting import significant  # noqa: F401  (the app's numbers: orbitdc.formatting)
from .parameters import Architecture, read_yaml
from .report.settings import threshold
from .report.wording import (  # noqa: F401  (the app's words: orbitdc.report.wording, as the report's)
    MC_SAMPLES, MC_SEED, DesignSummary, YearSummary, constraint_words, describe_design, describe_years, lever_name,
    title,
    monte_carlo_words,
)

log = logging.getLogger(__name__)

#: Sliders shown for an architecture before the user adds any: the top of its tornado.
TOP_SLIDERS = 6
#: Slider resolution: about this many steps between a parameter's low and high (rounded to a
#: 1-2-5 step so that slider values print cleanly).
SLIDER_STEPS = 200
#: Significant figures of the numbers on screen (the browser test compares to this precision).
SIGNIFICANT = 3
#: Query keys that are not parameters.
RESERVED_KEYS = ("architecture", "scenario")


def _nice_step(span: float, steps: int = SLIDER_STEPS) -> float:
    """The smallest 1-2-5 x 10^k step giving at most ``steps`` steps over ``span``."""
    raw = span / steps
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        step = m * 10.0 ** exp
        if step >= raw * (1 - 1e-12):
            return float(f"{step:.12g}")
    return float(f"{10.0 ** (exp + 1):.12g}")  # pragma: no cover - m=10 always succeeds


def _decimals(step: float) -> int:
    return max(0, -int(math.floor(math.log10(step) + 1e-9)))


# --------------------------------------------------------------------------------------------
# Knobs: what a slider needs to know about a parameter, from data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Knob:
    """One numeric parameter as a slider: its range from data and its provenance.

    ``value``/``low``/``high`` are in ``unit``, the unit the architecture (or defaults) file
    writes; ``canonical_unit`` is the unit the chain reads. ``canonical`` converts exactly as
    the YAML loader does, so a value set here, written by :func:`design_yaml` and loaded back
    gives the same float.
    """

    name: str
    label: str
    unit: str
    canonical_unit: str
    value: float
    low: float
    high: float
    step: float
    description: str

    @property
    def decimals(self) -> int:
        return _decimals(self.step)

    def clean(self, value: float) -> float:
        """A slider value as it is stored in the URL and the YAML file (12 significant digits:
        drops the binary noise of ``low + k * step`` without moving a value on the grid)."""
        return float(f"{float(value):.12g}")

    def canonical(self, value: float) -> float:
        return float(units.convert(value, units.parse_unit(self.unit, self.name),
                                   units.parse_unit(self.canonical_unit, self.name), self.name))

    def query_text(self, value: float) -> str:
        """``'300 USD/kg'`` (the unit keeps a link unambiguous), or ``'0.3'`` for a plain ratio."""
        v = f"{self.clean(value):.12g}"
        return v if self.unit in ("", "1") else f"{v} {self.unit}"

    def parse(self, text: str, clamp: bool = False) -> float:
        """A query value (``'300 USD/kg'``, ``'0.3 t/kg'`` or a bare number in ``unit``) in
        ``unit``; an OrbitdcError naming the parameter if it is not a number, has the wrong
        dimension or lies outside the range from data (with ``clamp``, brought to the nearer end
        of the range instead)."""
        from .validation import check_value_text, echo

        text = check_value_text(text, self.name)
        q = units.quantity_from_string(text.strip(), self.name)
        if not q.isscalar:
            raise ArchitectureError(f"'{echo(text, 30)}' is not one number (a slider holds one value)", parameter=self.name)
        if q.unit == units.parse_unit("1") and self.unit not in ("", "1"):
            value = float(q.value)  # a bare number: the slider's unit
        else:
            value = float(units.convert(q.value, q.unit, units.parse_unit(self.unit, self.name), self.name))
        if not math.isfinite(value):
            raise ArchitectureError(f"'{echo(text, 30)}' is not a finite number", parameter=self.name)
        tol = 1e-9 * max(abs(self.low), abs(self.high), 1.0)
        if not clamp and not (self.low - tol <= value <= self.high + tol):
            raise ArchitectureError(
                f"{value:g} {self.unit} is outside the range from data [{self.low:g}, {self.high:g}] {self.unit}",
                parameter=self.name)
        return min(max(value, self.low), self.high)


def _describe_parameter(arch: Architecture, name: str, long_name: str) -> str:
    """Markdown for a slider's hover: what it is, its sources with tags, its range and note."""
    p = arch.parameters[name]
    refs = []
    for key in p.sources:
        ref = arch.references.get(key)
        refs.append(f"{key} ({ref.tag}): {ref.author} ({ref.year}), {ref.title}" if ref else key)
    unit = p.unit or "1"
    lines = [
        f"**{formatting.sentence_case(long_name)}** (in a link or `--set`: `{name}`)",
        f"Range from data: {p.low:g} to {p.high:g} {unit} ({p.dist}); value in {p.origin or 'the data'}: "
        f"{p.value:g} {unit}.",
        "Sources: " + "; ".join(refs) + ".",
    ]
    if p.note:
        lines.append(f"Note: {p.note.strip()}")
    return "\n\n".join(lines)


def knobs(arch: Architecture) -> dict[str, Knob]:
    """A :class:`Knob` for every numeric parameter of ``arch`` that has a range (low < high)."""
    from .chain import parameter_specs

    specs = parameter_specs()
    out: dict[str, Knob] = {}
    for name, p in sorted(arch.parameters.items()):
        spec = specs[name]
        if spec.kind != "number" or p.low is None or p.high is None or not p.low < p.high:
            continue
        unit = p.unit or "1"
        long_name = spec.long_name or name.replace("_", " ")
        shown_unit = "" if unit == "1" else f" [{formatting.unit_text(unit)}]"
        step = _nice_step(float(p.high) - float(p.low))
        out[name] = Knob(
            name=name, label=f"{lever_name(formatting.short_label(name, long_name, capital=True))}{shown_unit}", unit=unit,
            canonical_unit=spec.unit,
            value=float(p.value), low=float(p.low), high=float(p.high), step=step,
            description=_describe_parameter(arch, name, long_name),
        )
    return out


def top_parameters(arch: Architecture, n: int = TOP_SLIDERS) -> list[str]:
    """The ``n`` parameters with the largest tornado swing of the cost ratio (sliders first shown)."""
    return list(_tornado_order(str(arch.path), getattr(arch, "scenario", None) or ""))[:n]


@lru_cache(maxsize=64)
def _tornado_order(path: str, scenario: str) -> tuple[str, ...]:
    from .uncertainty import sensitivity

    arch = load_architecture(path, scenario=scenario or None)
    tor = sensitivity(arch, output="cost_ratio_vs_terrestrial", method="tornado")
    swing = np.asarray(tor["swing"].values, dtype=float)
    names = [str(p) for p, s in zip(tor["parameter"].values, swing) if np.isfinite(s) and s > 0]
    sliders = knobs(arch)
    return tuple(p for p in names if p in sliders)


# --------------------------------------------------------------------------------------------
# The design as a YAML architecture file
# --------------------------------------------------------------------------------------------
USER_SOURCE = "orbitdc-app-user-setting"


def _with_unit(value: float, unit: str) -> str:
    return f"{value:g}" if unit in ("", "1") else f"{value:g} {unit}"


def _file_entry(p, raw_entry: Mapping[str, Any] | None, note: str | None) -> dict[str, Any]:
    """A parameter as written in an architecture file (the file's own ``role`` kept)."""
    entry: dict[str, Any] = {k: v for k, v in (raw_entry or {}).items() if k == "role"}
    entry["value"] = p.value
    if p.unit is not None:
        entry["unit"] = p.unit
    if p.low is not None or p.high is not None:
        entry["low"], entry["high"] = p.low, p.high
    if p.distribution:
        entry["distribution"] = p.distribution
    entry["source"] = p.source if isinstance(p.source, str) else list(p.source)
    if note:
        entry["note"] = note
    return entry


def scenario_parameters(arch: Architecture) -> list[str]:
    """The parameters ``arch``'s scenario changes (none without a scenario)."""
    if not getattr(arch, "scenario", None) or arch.path is None:
        return []
    base = load_architecture(arch.path)
    fields = ("value", "unit", "low", "high", "distribution", "source", "note")
    return [n for n, p in arch.parameters.items()
            if n in base.parameters and any(getattr(p, f) != getattr(base.parameters[n], f) for f in fields)]


def design_yaml(arch: Architecture, values: Mapping[str, float]) -> str:
    """An architecture file for ``arch`` (with its scenario, if any) and ``values`` (parameter ->
    value in the knob's unit).

    The architecture's own file is copied (its parameters, description, company and kind); the
    parameters its scenario changes are written with the scenario's values, ranges and sources;
    every set parameter is written with its value, the unit, low and high from data, the original
    distribution and source keys plus ``USER_SOURCE``, and a note saying what the data had.
    Loading it (``orbitdc show``) and evaluating it gives the numbers the app showed.
    """
    sliders = knobs(arch)
    raw: dict[str, Any] = {}
    if arch.path is not None and Path(arch.path).exists():
        raw = read_yaml(Path(arch.path)) or {}
    raw_params: dict[str, Any] = dict(raw.get("parameters") or {})
    params: dict[str, Any] = dict(raw_params)
    scenario = getattr(arch, "scenario", None)
    for name in scenario_parameters(arch):
        p = arch.parameters[name]
        note = f"From scenario '{scenario}' of {arch.name} ({p.origin})." + (f" {p.note.strip()}" if p.note else "")
        params[name] = _file_entry(p, raw_params.get(name), note)
    changed = []
    for name, value in values.items():
        if name not in sliders:
            raise ArchitectureError("not a numeric parameter with a range in this architecture", parameter=name)
        k = sliders[name]
        p = arch.parameters[name]
        value = k.clean(value)
        entry = _file_entry(p, raw_params.get(name), None)
        entry.update(value=value, unit=k.unit, low=k.low, high=k.high)
        entry["source"] = [*p.sources, USER_SOURCE] if USER_SOURCE not in p.sources else list(p.sources)
        entry["note"] = (f"Set to {_with_unit(value, k.unit)} in orbitdc app; {p.origin or 'the data'} has "
                         f"{_with_unit(p.value, k.unit)} ({', '.join(p.sources)}), range {k.low:g} to {k.high:g}."
                         + (f" Original note: {p.note.strip()}" if p.note else ""))
        params[name] = entry
        changed.append(f"{name} = {_with_unit(value, k.unit)}")
    description = (raw.get("description") or arch.description or "").strip()
    origin = f"'{arch.name}'" + (f" with its '{scenario}' scenario" if scenario else "")
    header = (f"Design made in orbitdc app from {origin}"
              + (f": {'; '.join(changed)}." if changed else " (no slider moved)."))
    doc: dict[str, Any] = {"name": f"{arch.name}-design", "description": f"{header}\n{description}"}
    if raw.get("company"):
        doc["company"] = raw["company"]
    doc["kind"] = raw.get("kind", arch.kind)
    doc["parameters"] = params
    # Check by loading: any parameter the file would not reproduce (e.g. a catalog value that a
    # scenario's choice of entry leaves as it was) is written out with the value the app used.
    expected = {n: (sliders[n].canonical(v) if n in sliders else None) for n, v in values.items()}
    for attempt in range(3):
        loaded = _load_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), doc["name"])
        missing = [n for n, p in arch.parameters.items()
                   if not _same_parameter(loaded.parameters.get(n), p, expected.get(n))]
        if not missing:
            break
        if attempt == 2:
            raise OrbitdcError(f"cannot write a file reproducing this design: {', '.join(missing)} would differ")
        for n in missing:
            p = arch.parameters[n]
            params[n] = _file_entry(p, raw_params.get(n), (
                f"Written out by orbitdc app so that this file gives the numbers the app showed (the value "
                f"comes from {p.origin or 'the data'})." + (f" {p.note.strip()}" if p.note else "")))
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# Written by orbitdc app. Keep the file name {doc['name']}.yaml (an architecture's name is its",
             f"# file name). Check it with: orbitdc show {doc['name']}.yaml"]
    if doc["kind"] == "space":
        from .fleet import fleet_path

        lines.append(f"# Year by year, with {arch.name}'s fleet plan as in the app: orbitdc trajectory "
                     f"{doc['name']}.yaml --fleet {_display_path(fleet_path(arch))}")
    return "\n".join(lines) + "\n" + text


def _load_text(text: str, name: str) -> Architecture:
    """Load architecture YAML text as a file named after it (the loader's rule)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="orbitdc-design-") as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return load_architecture(path)


def _same_parameter(loaded, p, override: float | None) -> bool:
    """Does a loaded parameter give the chain what the app used (``override``: a slider's
    canonical value, which replaces ``p``'s)?"""
    if loaded is None:
        return False
    if override is not None:
        return loaded.canonical_value == override
    return (loaded.canonical_value == p.canonical_value and loaded.canonical_low == p.canonical_low
            and loaded.canonical_high == p.canonical_high and loaded.dist == p.dist)


def _display_path(path: Path) -> str:
    from .parameters import _rel

    return _rel(Path(path))


# --------------------------------------------------------------------------------------------
# The URL: architecture and slider values
# --------------------------------------------------------------------------------------------
_SCENARIO_CACHE: dict[tuple[str, str, str], Architecture] = {}


def with_scenario(arch: Architecture, scenario: str | None) -> Architecture:
    """``arch`` with a scenario (``data/scenarios/``) layered over it, or ``arch`` itself."""
    if not scenario:
        return arch
    from .scenarios import apply_scenario

    key = (str(arch.path), arch.name, scenario)
    if key not in _SCENARIO_CACHE:
        _SCENARIO_CACHE[key] = apply_scenario(arch, scenario)
    return _SCENARIO_CACHE[key]


def scenarios_of(arch: Architecture) -> list[str]:
    from .scenarios import list_scenarios

    return list_scenarios(arch)


@dataclass
class Query:
    """A design as read from a URL."""

    architecture: str
    scenario: str | None
    values: dict[str, float]
    problems: list[str]


#: Most keys a link may carry (each a slider at most; the rest is not read).
MAX_QUERY_KEYS = 200


def parse_query(args: Mapping[str, Any], choices: Mapping[str, Architecture], default: str) -> Query:
    """The design in URL arguments (a mapping of key -> str, bytes or a list of them, as
    ``pn.state.session_args``): architecture, scenario and slider values in the knobs' units.

    Anything that cannot be used - an unknown architecture, scenario or parameter, a value that
    does not parse (a list ``[1,2]``, a 5,000-digit number, text longer than
    :data:`orbitdc.validation.MAX_VALUE_TEXT`) or lies outside the range from data - is skipped
    and described in ``problems`` (one line each, the user's text cut short): the page shows the
    default for it and a notice, never a blank page or a server error.
    """
    from .validation import echo

    def first(v):
        v = v[-1] if isinstance(v, (list, tuple)) and v else v
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)

    problems: list[str] = []
    name = first(args["architecture"]) if "architecture" in args else default
    if name not in choices:
        problems.append(f"architecture '{echo(name)}' is not one of {', '.join(choices)}; showing '{default}'")
        name = default
    scenario = first(args["scenario"]) if "scenario" in args else None
    if scenario is not None:
        try:
            known = scenarios_of(choices[name])
        except OrbitdcError as exc:  # a user's scenario folder that cannot be read
            known, unreadable = [], f"{echo(exc, 200)}"
        else:
            unreadable = ""
        if scenario not in known:
            problems.append(f"scenario '{echo(scenario)}' cannot be used: {unreadable}: ignored" if unreadable else
                            f"scenario '{echo(scenario)}' is not one of {', '.join(known) or 'none'} for '{name}': ignored")
            scenario = None
    sliders = knobs(with_scenario(choices[name], scenario))
    values: dict[str, float] = {}
    for i, (key, raw) in enumerate(args.items()):
        if i >= MAX_QUERY_KEYS:
            problems.append(f"the link has more than {MAX_QUERY_KEYS} values: the rest are ignored")
            break
        key = first(key)
        if key == DROPPED_KEY:
            problems.append(f"the link's value of {echo(first(raw), 200)} could not be read (too long or "
                            "malformed): the default is shown")
            continue
        if key in RESERVED_KEYS:
            continue
        if key not in sliders:
            problems.append(f"'{echo(key)}' is not a numeric parameter with a range in '{name}': ignored")
            continue
        try:
            values[key] = sliders[key].parse(first(raw))
        except OrbitdcError as exc:
            problems.append(f"{exc}: ignored")
        except (TypeError, ValueError, ArithmeticError) as exc:  # a parser's own failure: still one line
            problems.append(f"parameter '{key}': '{echo(first(raw), 30)}' cannot be read ({type(exc).__name__}): ignored")
    return Query(name, scenario, values, problems)


def build_query(architecture: str, values: Mapping[str, float], sliders: Mapping[str, Knob],
                scenario: str | None = None) -> str:
    """The URL query (``?architecture=...&scenario=...&param=value+unit``) for a design."""
    items = [("architecture", architecture)] + ([("scenario", scenario)] if scenario else [])
    items += [(k, sliders[k].query_text(v)) for k, v in values.items()]
    return "?" + urlencode(items)


# --------------------------------------------------------------------------------------------
# The Panel application
# --------------------------------------------------------------------------------------------
#: The architecture the app opens on (when offered): the one most of the news is about.
DEFAULT_ARCHITECTURE = "spacex-starlink-compute"


def _words(item: str) -> str:
    return str(item).replace("_", " ")


def _bar_chart(title: str, x_label: str, factors: Sequence[str], unit: str):
    """A horizontal bar chart (bokeh) whose data the app replaces in place on every update: items
    in words, the axis in plain thousands (never ``1.200e+5``), as wide as its container."""
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool, NumeralTickFormatter
    from bokeh.plotting import figure

    words = [_words(f) for f in factors]
    source = ColumnDataSource({"item": words, "value": [0.0] * len(factors)})
    fig = figure(y_range=FactorRange(*reversed(words)), height=50 + 22 * max(len(factors), 3),
                 sizing_mode="stretch_width", min_width=280, title=title, x_axis_label=x_label,
                 toolbar_location=None, tools="")
    fig.hbar(y="item", right="value", height=0.7, source=source, color="#0072B2")
    fig.add_tools(HoverTool(tooltips=[("", "@item"), ("", f"@value{{0,0.[00]}} {unit}")]))
    fig.xaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.x_range.start = 0
    return fig, source


def _year_chart(parity: float):
    """Cost ratio by year of a new cohort (bokeh), replaced in place when the design changes: the
    line, a Monte Carlo band (filled on demand), the parity line labelled, the crossover marked
    and labelled; the vertical axis always reaches parity."""
    from bokeh.models import ColumnDataSource, HoverTool, Label, NumeralTickFormatter, Span
    from bokeh.plotting import figure

    source = ColumnDataSource({"year": [], "ratio": []})
    band = ColumnDataSource({"year": [], "low": [], "high": []})
    cross = ColumnDataSource({"year": [], "ratio": [], "text": []})
    fig = figure(height=280, sizing_mode="stretch_width", min_width=280,
                 title="Cost of a new cohort vs the ground",
                 x_axis_label="year", y_axis_label="cost ratio vs the ground", toolbar_location=None, tools="")
    fig.varea("year", "low", "high", source=band, fill_alpha=0.2, fill_color="#0072B2",
              legend_label="Monte Carlo, 80 % of samples")
    fig.line("year", "ratio", source=source, line_width=2.5, color="#0072B2", legend_label="cost ratio (as stated)")
    fig.scatter("year", "ratio", source=cross, size=13, marker="diamond", color="#0072B2", line_color="black")
    fig.text("year", "ratio", text="text", source=cross, x_offset=8, y_offset=-4, text_font_size="11px")
    fig.add_layout(Span(location=parity, dimension="width", line_dash="dashed", line_color="black"))
    fig.add_layout(Label(x=5, y=parity, x_units="screen", y_units="data", text="parity with the ground",
                         text_font_size="10px", y_offset=2))
    fig.y_range.start = 0  # parity (1) is always on the axis
    fig.yaxis.formatter = NumeralTickFormatter(format="0.[00]")
    fig.legend.location = "top_right"
    fig.legend.label_text_font_size = "10px"
    fig.add_tools(HoverTool(tooltips=[("year", "@year"), ("cost ratio", "@ratio{0.00}")]))
    return fig, source, band, cross


#: The scenarios in a few words (whose figures they hold).
_SCENARIO_WORDS = {"proponent": "the company's own figures", "skeptic": "the published critiques' figures",
                   "constrained-ground": "a ground that waits years for power"}


class DesignApp:
    """One browser session: the widgets, the outputs and the wiring between them."""

    def __init__(self, choices: Mapping[str, Architecture], query: Mapping[str, Any] | None = None,
                 location: Any = None):
        import panel as pn

        self.pn = pn
        self.choices = dict(choices)
        self.location = location
        default = DEFAULT_ARCHITECTURE if DEFAULT_ARCHITECTURE in self.choices else next(iter(self.choices))
        q = parse_query(query or {}, self.choices, default)
        # offered by their display names (data/report.yaml); the URL keeps the name to type
        self.arch_select = pn.widgets.Select(
            name="architecture", options={title(n, a.company): n for n, a in self.choices.items()}, value=q.architecture,
            sizing_mode="stretch_width", max_width=420)
        # Scenarios (data/scenarios/<architecture>/): sourced values layered over the file; the
        # choice is hidden for an architecture that has none.
        self.scenario_select = pn.widgets.Select(name="scenario (whose figures)", sizing_mode="stretch_width",
                                                 max_width=420, css_classes=["odc-scenario"])
        self._scenario_options(q.architecture, q.scenario)
        wide = dict(sizing_mode="stretch_width", max_width=420)
        self.add_select = pn.widgets.Select(name="add a slider", options={"": ""}, value="", **wide)
        self.reset_button = pn.widgets.Button(name="reset the sliders", **wide)
        self.download = pn.widgets.FileDownload(callback=self._download_bytes, filename="design.yaml",
                                                label="download this design (YAML)", color="primary",
                                                css_classes=["odc-download"], **wide)
        self.mc_button = pn.widgets.Button(name=f"Monte Carlo band ({MC_SAMPLES:,} samples)",
                                           css_classes=["odc-mc-button"], **wide)
        self.sliders_box = pn.Column(sizing_mode="stretch_width", max_width=420)
        out = dict(sizing_mode="stretch_width")
        self.notice = pn.pane.HTML("", css_classes=["odc-notice"], **out)
        self.ratio_pane = pn.pane.HTML("", css_classes=["odc-ratio"], **out)
        self.feasibility_pane = pn.pane.HTML("", css_classes=["odc-feasibility"], **out)
        self.breakeven_pane = pn.pane.HTML("", css_classes=["odc-breakeven"], **out)
        self.mc_pane = pn.pane.HTML("", css_classes=["odc-mc"], **out)
        self.timing_pane = pn.pane.HTML("", css_classes=["odc-timing"], **out)
        self.mass_words_pane = pn.pane.HTML("", **out)
        self.charts = pn.FlexBox(flex_wrap="wrap", sizing_mode="stretch_width")
        self.year_fig, self.year_source, self.year_band, self.year_cross = _year_chart(threshold("cost_ratio_parity"))
        self.years_pane = pn.pane.HTML("", css_classes=["odc-years"], **out)
        self.years_box = pn.Column(pn.pane.Bokeh(self.year_fig, sizing_mode="stretch_width"), self.years_pane, **out)
        self.sliders: dict[str, Any] = {}
        self.last_ms = float("nan")
        self._pending = False
        self._years_pending = False
        self._changing = False
        self.updates = 0

        self.arch_select.param.watch(self._on_architecture, "value")
        self.scenario_select.param.watch(self._on_scenario, "value")
        self.add_select.param.watch(self._on_add, "value")
        self.reset_button.on_click(self._on_reset)
        self.mc_button.on_click(self._on_monte_carlo)
        self._problems = q.problems
        self._set_architecture(q.architecture, q.values)
        if location is not None:
            # The browser's own location reaches the server after the page has loaded and would
            # overwrite a URL written before: write it on load, and again whenever the location
            # the browser reports is not the design's.
            location.param.watch(self._on_location, "search")
            pn.state.onload(self._write_url)

    # -- state ---------------------------------------------------------------------------------
    @property
    def scenario(self) -> str | None:
        return self.scenario_select.value or None

    @property
    def arch(self) -> Architecture:
        """The chosen architecture with the chosen scenario layered over it."""
        return with_scenario(self.choices[self.arch_select.value], self.scenario)

    def values(self) -> dict[str, float]:
        """Slider values that differ from the file (parameter -> value in the knob's unit)."""
        out = {}
        for name, w in self.sliders.items():
            v = self.knobs[name].clean(w.value)
            if v != self.knobs[name].clean(self.knobs[name].value):
                out[name] = v
        return out

    def inputs(self) -> tuple[Architecture, dict[str, float]]:
        """The architecture (its scenario applied) and the chain overrides (canonical units) of
        the current design: what every output is computed from."""
        return self.arch, {k: self.knobs[k].canonical(v) for k, v in self.values().items()}

    def _scenario_options(self, name: str, scenario: str | None) -> None:
        names = scenarios_of(self.choices[name])
        # "base" is the architecture file as written: one entry for both, not two
        label = "base: the architecture file as written"
        self.scenario_select.options = {label: "", **{f"{n}: {_SCENARIO_WORDS.get(n, 'figures of data/scenarios/')}": n
                                                      for n in names if n != "base"}}
        self.scenario_select.value = "" if scenario in (None, "base") else scenario
        self.scenario_select.visible = bool(names)

    # -- building ------------------------------------------------------------------------------
    def _set_architecture(self, name: str, values: Mapping[str, float]) -> None:
        arch = with_scenario(self.choices[name], self.scenario)
        self.knobs = knobs(arch)
        shown = list(dict.fromkeys([*top_parameters(arch), *values]))
        self.sliders = {}
        self.sliders_box.objects = []
        for p in shown:
            self._add_slider(p, values.get(p))
        self._refresh_add_options()
        ds = self._evaluate()
        summary = describe_design(ds) if ds is not None else None
        self._build_charts(summary)
        self.download.filename = f"{arch.name}-design.yaml"
        self._update(ds)
        self._schedule_years()

    def _add_slider(self, name: str, value: float | None = None) -> None:
        pn = self.pn
        k = self.knobs[name]
        fmt = "0,0" + ("." + "0" * k.decimals if k.decimals else "")
        w = pn.widgets.FloatSlider(
            name=k.label, start=k.low, end=k.high, step=k.step, value=k.value if value is None else value,
            format=fmt, sizing_mode="stretch_width", min_width=220, css_classes=["odc-slider", f"odc-param-{name}"],
        )
        w.param.watch(self._on_slider, "value")
        self.sliders[name] = w
        # sliders take no description in Panel 1.9: the sources and tags go in a hover icon beside it
        tip = pn.widgets.TooltipIcon(value=k.description, width=20, margin=(22, 0, 0, 0))
        self.sliders_box.append(pn.Row(w, tip, margin=0, sizing_mode="stretch_width"))

    def _refresh_add_options(self) -> None:
        rest = sorted((self.knobs[p].label, p) for p in self.knobs if p not in self.sliders)
        self.add_select.options = {"": "", **dict(rest)}  # long names with units; the value is the name
        self.add_select.value = ""

    def _build_charts(self, summary: DesignSummary | None) -> None:
        pn = self.pn
        self.cost_fig = self.mass_fig = None
        panes = []
        if summary is not None and summary.cost_items:
            self.cost_fig, self.cost_source = _bar_chart(
                "Cost per kW of IT (present value)", "USD per kW of IT",
                [i for i, _ in summary.cost_items], "USD/kW")
            panes.append(pn.pane.Bokeh(self.cost_fig))
        if summary is not None and summary.mass_items:
            self.mass_fig, self.mass_source = _bar_chart(
                "Mass per kW of IT (a satellite)", "kg per kW of IT",
                [i for i, _ in summary.mass_items], "kg/kW")
            panes.append(pn.Column(pn.pane.Bokeh(self.mass_fig), self.mass_words_pane))
        elif summary is not None:
            panes.append(self.mass_words_pane)
        self.charts.objects = panes

    # -- events --------------------------------------------------------------------------------
    def _on_architecture(self, event) -> None:
        self._problems = []
        self._changing = True  # one rebuild, not one for the architecture and one for the scenario
        try:
            self._scenario_options(event.new, None)
        finally:
            self._changing = False
        self._set_architecture(event.new, {})

    def _on_scenario(self, event) -> None:
        if self._changing:
            return
        self._problems = []
        # the sliders keep their values (the URL keeps them too): a scenario changes the data
        # under the design, not the design
        kept = self.values()
        new = knobs(with_scenario(self.choices[self.arch_select.value], self.scenario))
        self._set_architecture(self.arch_select.value,
                               {k: min(max(v, new[k].low), new[k].high) for k, v in kept.items() if k in new})

    def _on_add(self, event) -> None:
        if event.new and event.new in self.knobs and event.new not in self.sliders:
            self._add_slider(event.new)
            self._refresh_add_options()

    def _on_reset(self, event) -> None:
        self._problems = []
        self._set_architecture(self.arch_select.value, {})

    def _on_slider(self, event) -> None:
        # Coalesce: a drag sends many values while one evaluation runs; evaluate once per tick
        # with the latest values instead of once per value (pn.state.execute runs the refresh
        # on the server's next tick, or at once outside a server).
        if self._pending:
            return
        self._pending = True
        self.pn.state.execute(self._refresh, schedule=True)

    def _refresh(self) -> None:
        self._pending = False
        self._update(self._evaluate())
        self._schedule_years()

    def _schedule_years(self) -> None:
        # The year-by-year model takes longer than one evaluate: it runs after the numbers above
        # are on screen, in its own tick, and once for a burst of moves.
        if not self._years_pending:
            self._years_pending = True
            self.pn.state.execute(self._refresh_years, schedule=True)

    def _refresh_years(self) -> None:
        from .trajectory import trajectory

        self._years_pending = False
        arch, overrides = self.inputs()
        try:
            y = describe_years(trajectory(arch, **overrides))
            words = y.words
        except OrbitdcError as exc:
            y, words = None, f"no year-by-year result for this design: {exc}"
        except Exception as exc:  # never a traceback on screen; the log has it
            log.exception("trajectory failed")
            y, words = None, f"no year-by-year result ({type(exc).__name__}); see the server log"
        with self.pn.io.hold():
            self.year_source.data = ({"year": y.years, "ratio": y.ratio} if y is not None
                                     else {"year": [], "ratio": []})
            # the band belonged to the design before: drawn again on demand
            self.year_band.data = {"year": [], "low": [], "high": []}
            cross = y.crossover if y is not None else float("nan")
            at = (float(np.interp(cross, y.years, np.nan_to_num(y.ratio, nan=1.0))) if math.isfinite(cross) else None)
            self.year_cross.data = ({"year": [cross], "ratio": [at], "text": [f"cheaper from {cross:.0f}"]}
                                               if at is not None else {"year": [], "ratio": [], "text": []})
            self.years_pane.object = f'<p data-odc="years">{_esc(words)}</p>'

    def _on_monte_carlo(self, event) -> None:
        arch, overrides = self.inputs()
        self.mc_pane.object = "<p>Monte Carlo running...</p>"
        try:
            words = monte_carlo_words(arch, overrides)
            self._draw_band(arch, overrides)
        except OrbitdcError as exc:
            words = f"Monte Carlo not possible: {exc}"
        except Exception as exc:  # never a traceback on screen; the log has it
            log.exception("Monte Carlo failed")
            words = f"Monte Carlo failed ({type(exc).__name__}); see the server log."
        self.mc_pane.object = f'<p data-odc="mc">{_esc(words)}</p>'

    def _draw_band(self, arch: Architecture, overrides: Mapping[str, float]) -> None:
        """The year chart's Monte Carlo band: 10 to 90 % of the cost ratio of a new cohort over
        :data:`MC_SAMPLES` samples of the trend rates and ramps (the slider values held), the
        report's statistic (a sample without a cost counts as never cheaper; shown up to the top
        of the axis)."""
        from .report.record import year_quantiles
        from .trajectory import trajectory

        tr = trajectory(arch, samples=MC_SAMPLES, seed=MC_SEED, **overrides)
        q = year_quantiles(tr["cost_ratio_vs_terrestrial"], [0.1, 0.9])
        low = np.asarray(q.sel(quantile=0.1).values, dtype=float).reshape(-1)
        high = np.asarray(q.sel(quantile=0.9).values, dtype=float).reshape(-1)
        top = float(np.nanmax(np.where(np.isfinite(high), high, np.nan))) if np.isfinite(high).any() else 10.0
        self.year_band.data = {"year": [int(y) for y in tr["year"].values],
                                          "low": np.where(np.isfinite(low), low, top).tolist(),
                                          "high": np.where(np.isfinite(high), high, top).tolist()}

    def _download_bytes(self) -> io.BytesIO:
        return io.BytesIO(design_yaml(self.arch, self.values()).encode("utf-8"))

    # -- evaluation and display -----------------------------------------------------------------
    def _evaluate(self):
        from .chain import evaluate

        arch, overrides = self.inputs()
        t0 = time.perf_counter()
        try:
            ds = evaluate(arch, **overrides)
            self._error = None
        except OrbitdcError as exc:
            ds, self._error = None, str(exc)
        except Exception as exc:  # never a traceback on screen; the log has it
            log.exception("evaluate failed")
            ds, self._error = None, f"internal error ({type(exc).__name__}: {exc}); see the server log"
        self._eval_ms = 1e3 * (time.perf_counter() - t0)
        return ds

    def _update(self, ds) -> None:
        t0 = time.perf_counter()
        with self.pn.io.hold():
            problems = list(self._problems)
            if self._error:
                problems.append(self._error)
            self.notice.object = "".join(f'<p class="odc-problem" style="color:#a33">{_esc(p)}</p>' for p in problems)
            self.mc_pane.object = ""
            if ds is None:
                self.ratio_pane.object = '<p data-odc="cost-ratio-words">No result for this design (see the message above).</p>'
                self.feasibility_pane.object = self.breakeven_pane.object = ""
            else:
                s = describe_design(ds)
                colour = "#2a7" if s.feasible else "#a33"
                self.ratio_pane.object = (
                    f'<div style="font-size:15px">cost ratio vs ground</div>'
                    f'<div style="font-size:34px;font-weight:600"><span data-odc="cost-ratio">{_esc(s.cost_ratio_text)}</span></div>'
                    f'<div data-odc="cost-ratio-words">{_esc(s.cost_ratio_words)}</div>'
                    f'<div data-odc="cost-dollars" style="color:#333">{_esc(s.cost_words)}</div>')
                self.feasibility_pane.object = (f'<p data-odc="feasibility" style="color:{colour};font-weight:600">'
                                                f'{_esc(s.feasibility_words)}</p>')
                self.breakeven_pane.object = (f'<p>break-even launch price: <span data-odc="breakeven">'
                                              f'{_esc(s.breakeven_words)}</span></p>')
                self.mass_words_pane.object = f'<p data-odc="mass-words">{_esc(s.mass_words)}</p>'
                if self.cost_fig is not None and [_words(i) for i, _ in s.cost_items] == list(self.cost_source.data["item"]):
                    self.cost_source.data = {"item": [_words(i) for i, _ in s.cost_items], "value": [v for _, v in s.cost_items]}
                if self.mass_fig is not None and [_words(i) for i, _ in s.mass_items] == list(self.mass_source.data["item"]):
                    self.mass_source.data = {"item": [_words(i) for i, _ in s.mass_items], "value": [v for _, v in s.mass_items]}
            self._write_url()
            self.last_ms = self._eval_ms + 1e3 * (time.perf_counter() - t0)
            self.updates += 1
            # the update number changes every time, so a browser (or a benchmark) can tell
            # that this update arrived even when no number on screen changed
            self.timing_pane.object = (f'<p style="color:#777;font-size:12px">update '
                                       f'<span data-odc="update-count">{self.updates}</span>: evaluated in '
                                       f'<span data-odc="eval-ms">{self._eval_ms:.0f}</span> ms, server side '
                                       f'<span data-odc="server-ms">{self.last_ms:.0f}</span> ms</p>')

    def _write_url(self) -> None:
        if self.location is not None:
            query = build_query(self.arch_select.value, self.values(), self.knobs, self.scenario)
            if self.location.search != query:
                self.location.search = query

    def _on_location(self, event) -> None:
        if event.new != build_query(self.arch_select.value, self.values(), self.knobs, self.scenario):
            self.pn.state.execute(self._write_url, schedule=True)

    def layout(self):
        pn = self.pn
        intro = pn.pane.HTML(
            "<h2 style='margin:4px 0'>orbitdc: an AI data centre in orbit against the ground</h2>"
            "<p style='margin:2px 0;color:#555'>Move a slider: the whole chain (orbit, compute, power, thermal, "
            "mass, launch, economics) answers. Hover the (?) by a slider for its sources. The link in the "
            "address bar reproduces this design.</p>", sizing_mode="stretch_width")
        # side by side on a desktop, stacked on a phone: a wrapping flex box, the controls at most
        # 420 px wide, the outputs taking the rest (at least 300 px); nothing wider than the window
        controls = pn.Column(self.arch_select, self.scenario_select, self.sliders_box, self.add_select, self.reset_button,
                             self.download, sizing_mode="stretch_width", max_width=420, min_width=280,
                             styles={"flex": "1 1 330px"})
        outputs = pn.Column(self.notice, self.ratio_pane, self.feasibility_pane, self.breakeven_pane,
                            self.years_box, self.mc_button, self.mc_pane, self.charts, self.timing_pane,
                            sizing_mode="stretch_width", min_width=280, styles={"flex": "3 1 480px"})
        return pn.Column(intro, pn.FlexBox(controls, outputs, flex_wrap="wrap", sizing_mode="stretch_width"),
                         sizing_mode="stretch_width", styles={"max-width": "1260px"})


# --------------------------------------------------------------------------------------------
# The small live panel of the notebooks (JupyterLab, interactive mode only)
# --------------------------------------------------------------------------------------------
LIVE_PARAMETERS = ("launch_price_per_kg", "bus_cost_per_kg")
#: Points of the cost-ratio curve drawn across the launch price slider's range.
LIVE_CURVE_POINTS = 60


def live_panel(archs: Sequence[str | Path | Architecture], overrides: Mapping[str, Any] | None = None):
    """A Panel layout for a notebook: launch price and bus cost sliders for one of ``archs``
    (ranges from data), the cost ratio against the ground along the launch price at the chosen
    bus cost (a HoloViews DynamicMap: one :func:`orbitdc.sweep` call per move) and the design's
    cost ratio, feasibility and break-even in words. ``overrides`` (the notebook's) apply too.

    Needs a live kernel (JupyterLab); the static report does not show it.
    """
    import holoviews as hv
    import panel as pn

    from .chain import evaluate, sweep

    overrides = dict(overrides or {})
    loaded = [load_architecture(a) for a in archs]
    space = [a for a in loaded if set(LIVE_PARAMETERS) <= set(knobs(a))]
    if not space:
        return pn.pane.HTML("<p>No architecture here has a launch price and a bus cost to vary.</p>")
    by_name = {a.name: a for a in space}
    arch_w = pn.widgets.Select(label="architecture", options=list(by_name), width=260)

    def slider(name: str) -> Any:
        return pn.widgets.FloatSlider(label=name, start=0, end=1, value=0, width=260,
                                      css_classes=["odc-slider", f"odc-param-{name}"])

    sliders = {n: slider(n) for n in LIVE_PARAMETERS}

    def configure(name: str) -> None:
        ks = knobs(by_name[name])
        for n, w in sliders.items():
            k = ks[n]
            own = overrides.get(n)
            value = k.value if own is None else k.parse(str(own), clamp=True)
            w.param.update(label=k.label, start=k.low, end=k.high, step=k.step, value=value,
                           format="0,0" + ("." + "0" * k.decimals if k.decimals else ""))

    configure(arch_w.value)
    arch_w.param.watch(lambda e: configure(e.new), "value")

    def _design(name: str, launch: float, bus: float) -> tuple[Architecture, dict[str, Any]]:
        arch = by_name[name]
        ks = knobs(arch)
        ov = {k: v for k, v in overrides.items() if k in arch.parameters and k not in LIVE_PARAMETERS}
        ov.update(launch_price_per_kg=ks["launch_price_per_kg"].canonical(launch),
                  bus_cost_per_kg=ks["bus_cost_per_kg"].canonical(bus))
        return arch, ov

    def figure(name: str, launch: float, bus: float):
        arch, ov = _design(name, launch, bus)
        k = knobs(arch)["launch_price_per_kg"]
        prices = np.geomspace(k.low, k.high, LIVE_CURVE_POINTS) if k.low > 0 else np.linspace(k.low, k.high, LIVE_CURVE_POINTS)
        sweep_ov = {**ov, "launch_price_per_kg": [k.canonical(p) for p in prices]}
        ratio = np.asarray(sweep(arch, **sweep_ov)["cost_ratio_vs_terrestrial"].values, dtype=float).reshape(-1)
        point = describe_design(evaluate(arch, **ov)).cost_ratio
        x = hv.Dimension("launch_price", label="launch price", unit=k.unit)
        y = hv.Dimension("cost_ratio", label="cost ratio vs ground")
        finite = np.isfinite(ratio)
        curve = hv.Curve((prices[finite], ratio[finite]), x, y)
        marker = hv.Scatter([(launch, point)] if math.isfinite(point) else [], x, y).opts(size=10, color="black")
        parity = hv.HLine(threshold("cost_ratio_parity")).opts(color="grey", line_dash="dashed")
        return (curve * marker * parity).opts(width=520, height=300, logx=k.low > 0, show_grid=True,
                                              title=f"{name}: cost ratio along the launch price (bus cost fixed)",
                                              framewise=True)

    def words(name: str, launch: float, bus: float) -> str:
        arch, ov = _design(name, launch, bus)
        try:
            s = describe_design(evaluate(arch, **ov))
        except OrbitdcError as exc:
            return f'<p class="odc-problem">{_esc(str(exc))}</p>'
        return (f'<p>cost ratio vs ground: <b data-odc="cost-ratio">{_esc(s.cost_ratio_text)}</b></p>'
                f'<p data-odc="feasibility">{_esc(s.feasibility_words)}</p>'
                f'<p>break-even launch price: {_esc(s.breakeven_words)}</p>')

    inputs = (arch_w, sliders["launch_price_per_kg"], sliders["bus_cost_per_kg"])
    plot = hv.DynamicMap(pn.bind(figure, *inputs))
    # The words go in a StaticText (a bokeh Div whose text alone is sent on a change), not an
    # HTML pane: in a notebook with pn.config.inline, Panel 1.9.4 re-sends all of an HTML pane's
    # properties when its text changes, stylesheets included, as cdn.holoviz.org links - which
    # fail offline. (A HoloViews Div is no better: its updates lose their HTML markup.)
    text = pn.widgets.StaticText(value=pn.bind(words, *inputs), width=360, css_classes=["odc-live-words"])
    return pn.Column(pn.Row(*inputs), pn.Row(pn.pane.HoloViews(plot, css_classes=["odc-live-plot"]), text),
                     css_classes=["odc-live-panel"])


def _esc(text: str) -> str:
    import html

    return html.escape(str(text), quote=True)


def load_choices(archs: Sequence[str | Path] | None = None) -> dict[str, Architecture]:
    """The architectures offered, by name: those given (names or YAML paths), else every shipped
    one. Raises an OrbitdcError for a bad file and for two architectures with the same name."""
    names = list(archs) if archs else list_architectures()
    out: dict[str, Architecture] = {}
    for a in names:
        arch = load_architecture(a)
        if arch.name in out:
            raise OrbitdcError(f"two architectures are named '{arch.name}' ({a} and {out[arch.name].path})")
        out[arch.name] = arch
    if not out:
        raise OrbitdcError("no architecture to show")
    return out


def session(choices: Mapping[str, Architecture]) -> Any:
    """The Panel layout of one browser session (reads and writes the URL through pn.state)."""
    import panel as pn

    app = DesignApp(choices, query=pn.state.session_args or {}, location=pn.state.location)
    if pn.state.curdoc is not None:  # a phone lays the page out at its own width (stacked), not at 980 px
        pn.state.curdoc.template = _viewport_template()
    return app.layout()


@lru_cache(maxsize=1)
def _viewport_template():
    """Panel's page template with the viewport meta tag it lacks: without it a phone renders the
    page 980 px wide and shrinks it, so the stacked layout for narrow screens would never apply."""
    from panel.io.resources import _env

    return _env.from_string('{% extends base %}\n{% block inner_head %}\n'
                            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                            '{{ super() }}\n{% endblock %}')


#: The only package whose components' resources the server hands out through Panel's
#: ``/components/<module>/<class>/<attribute>/<file>`` route (the widgets and panes come from
#: Panel; orbitdc defines no component with files of its own).
COMPONENT_PACKAGES = ("panel",)


def component_resource_module(module_name: str, class_name: str) -> Any | None:
    """The module of a ``/components/<module>/<class>/...`` request, or None to refuse it.

    Panel's own handler (``panel.io.server.ComponentResourceHandler``) calls
    ``importlib.import_module`` on whatever module the URL names, so a plain GET - which any web
    page the user visits can send to localhost - imports, and so runs, any module on the import
    path. Here nothing is ever imported: the module must already be loaded (``sys.modules``) and
    belong to one of :data:`COMPONENT_PACKAGES`, and the class must be a class defined in that
    module's namespace (read from ``vars``, so a module-level ``__getattr__`` that imports lazily
    is never called). Panel's handler then serves only files listed on that class.
    """
    import sys

    if not any(module_name == pkg or module_name.startswith(pkg + ".") for pkg in COMPONENT_PACKAGES):
        return None
    module = sys.modules.get(module_name)
    if module is None:
        return None
    component = vars(module).get(class_name)
    if not isinstance(component, type):
        return None
    return module


def _component_route() -> tuple[str, type, dict]:
    """A tornado route for ``/components/(.*)`` that answers 404 unless
    :func:`component_resource_module` accepts the module and class, then defers to Panel's
    handler (which checks that the file is listed on the component). ``pn.serve`` puts the
    routes it is given before its own, so this one is matched first."""
    from panel.io.resources import COMPONENT_PATH
    from panel.io.server import ComponentResourceHandler
    from tornado.web import HTTPError

    class OwnComponentResources(ComponentResourceHandler):
        def parse_url_path(self, path: str) -> str:
            parts = path.split("/")
            if len(parts) < 4 or component_resource_module(parts[0], parts[1]) is None:
                raise HTTPError(404)
            return super().parse_url_path(path)

    return (f"/{COMPONENT_PATH}(.*)", OwnComponentResources, {})


#: Reserved query key naming values a link carried that could not be read at all (too long, or
#: text Panel's own URL parser fails on); set by the redirect of :func:`clean_link`.
DROPPED_KEY = "dropped"


def clean_link(query: str) -> tuple[str, list[str]] | None:
    """A shared link's query string (without ``?``) made safe to open, or None if it already is.

    Before a session is created, the server reads the whole query with Panel's parser
    (``panel.util.parse_query``: ``int()`` of digit strings, ``json``/``literal_eval`` of ``[``/``{``
    text), which fails - an HTTP 500, a blank page - on a 5,000-digit number or a digit it cannot
    convert (``²``). Values that are too long (:data:`orbitdc.validation.MAX_VALUE_TEXT`), keys
    beyond :data:`MAX_QUERY_KEYS` and values that parser fails on are dropped; the result is the
    kept query plus ``dropped=KEY,...`` (which :func:`parse_query` turns into the notice), and the
    dropped keys."""
    from urllib.parse import parse_qsl

    from panel.util import parse_query as panel_parse_query

    from .validation import MAX_VALUE_TEXT, echo

    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="replace", max_num_fields=None)
    except ValueError:
        return "", ["(the whole query)"]
    values = [(k, v) for k, v in pairs if k != DROPPED_KEY]  # an earlier notice is replaced, not kept
    room = MAX_QUERY_KEYS - 1  # and one key for the notice
    kept, dropped = [], []
    for i, (key, value) in enumerate(values):
        if i >= room:
            dropped.append(f"{len(values) - room} more values")
            break
        if len(key) > MAX_VALUE_TEXT or len(value) > MAX_VALUE_TEXT:
            dropped.append(echo(key, 40))
            continue
        try:
            panel_parse_query("?" + urlencode([(key, value)]))
        except Exception:  # whatever Panel's parser raises on this value: the link is cleaned, not the server
            dropped.append(echo(key, 40))
            continue
        kept.append((key, value))
    if not dropped:
        return None
    return urlencode(kept + [(DROPPED_KEY, ",".join(dropped))]), dropped


def _guard_links(server: Any) -> None:
    """Make the app's page handler redirect a link :func:`clean_link` has to clean to the cleaned
    link, before any session code (Panel's or the app's) reads it. Raises RuntimeError if the
    page handler is not found (a Panel release that routes pages differently): the app refuses to
    serve rather than serve unguarded."""
    from panel.io.server import DocHandler

    class GuardedDocHandler(DocHandler):
        async def get(self, *args, **kwargs):
            cleaned = clean_link(self.request.query) if self.request.query else None
            if cleaned is not None:
                self.redirect(self.request.path + "?" + cleaned[0])
                return
            return await super().get(*args, **kwargs)

    replaced = 0
    for rule in server._tornado.wildcard_router.rules:  # bokeh's tornado Application (no public accessor)
        if isinstance(rule.target, type) and issubclass(rule.target, DocHandler):
            rule.target = GuardedDocHandler
            replaced += 1
    if not replaced:
        raise RuntimeError("orbitdc app: Panel's page handler was not found; cannot guard shared links")


def serve(archs: Sequence[str | Path] | None = None, port: int = 5006, address: str = "127.0.0.1",
          show: bool = False, ready: Callable[[str], None] | None = None) -> None:
    """Serve the app (blocking) on ``address:port``; resources come from this server. A bad
    address or port is an OrbitdcError before anything is loaded."""
    import panel as pn

    from .validation import check_address, check_port

    port = check_port(port, "port")
    address = check_address(address, "address")

    choices = load_choices(archs)
    first = choices.get(DEFAULT_ARCHITECTURE) or next(iter(choices.values()))
    top_parameters(first)  # warm the tornado cache of the first page
    pn.extension()
    origin = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    try:
        server = pn.serve({"/": lambda: session(choices)}, port=port, address=address, websocket_origin=origin,
                          show=show, title="orbitdc app", start=False, extra_patterns=[_component_route()])
    except OSError as exc:
        raise OrbitdcError(f"cannot listen on {address}:{port}: {exc.strerror or exc}") from None
    _guard_links(server)
    server.start()
    url = f"http://{address}:{server.port}/"
    if ready is not None:
        ready(url)
    try:
        server.io_loop.start()
    finally:
        server.stop()
