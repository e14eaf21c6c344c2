"""The ``orbitdc`` command (also ``python -m orbitdc``).

``orbitdc list | show | evaluate | report | notebooks``, with ``--data-dir DIR`` for the user's own
architectures, references and catalog entries (see :mod:`orbitdc.datadirs`).

The error contract: bad input (a file, a parameter, an override, an option, an output path) is
one line on stderr and exit status 2, with no traceback, nothing written and nothing deleted.
Any other failure is one line and exit status 1 (``ORBITDC_DEBUG=1`` shows the traceback); a
closed pipe (``orbitdc list | head -1``) ends quietly. Text from files (names, descriptions) is
printed with control characters escaped, so a file cannot send terminal escape sequences.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from .errors import OrbitdcError
from ._text import terminal_lines, terminal_text

# The command parses its arguments and answers --version, --help and `list` before it imports
# the model: numpy, xarray and the stages load inside the commands that compute.

#: Outputs printed by ``orbitdc evaluate`` (those the chain produced, in this order).
KEY_OUTPUTS = (
    "altitude", "inclination", "period", "eclipse_fraction", "radiation_dose",
    "it_power", "accelerators", "availability",
    "solar_array_area", "radiator_area", "satellite_mass", "satellites", "total_mass", "specific_mass",
    "launch_price_per_kg", "launches", "launch_cost", "deployment_years",
    "capex", "opex", "cost_per_kw_year", "cost_ratio_vs_terrestrial", "breakeven_launch_price",
    "feasible", "binding_constraint",
)
#: Rows of a sweep's table printed to the terminal (all of them go to ``-o FILE.csv``).
MAX_TABLE_ROWS = 100
#: Width used when the output is not a terminal and COLUMNS is not set.
FALLBACK_WIDTH = 100


class UsageError(OrbitdcError):
    """A command line argparse refused (one line, exit status 2, like any bad input)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage + message on two lines; we want one
        command = self.prog.removeprefix("orbitdc").strip()
        raise UsageError(f"{command + ': ' if command else ''}{message} (see '{self.prog} --help')")


# --------------------------------------------------------------------------------------------
# Text that is safe on a terminal, and tables that fit it
# --------------------------------------------------------------------------------------------
#: Text from files or users, made safe for a terminal (one function: :mod:`orbitdc.validation`).
safe = terminal_text


def terminal_width() -> int:
    return max(40, shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns)


def render_table(header: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None,
                 wrap: Sequence[str] = (), align_right: Sequence[str] = (), truncate: Sequence[str] = (),
                 minimum: dict[str, int] | None = None) -> list[str]:
    """The lines of :func:`render_rows`."""
    return [line for group in render_rows(header, rows, width, wrap, align_right, truncate, minimum) for line in group]


def render_rows(header: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None,
                wrap: Sequence[str] = (), align_right: Sequence[str] = (), truncate: Sequence[str] = (),
                minimum: dict[str, int] | None = None) -> list[list[str]]:
    """Aligned columns separated by two spaces, fitted to ``width``: the ``wrap`` columns are
    wrapped onto several lines (between words: a source key is never cut), the ``truncate``
    columns cut with an ellipsis, widest first. A table that cannot shrink further is left wider
    than ``width`` rather than cut mid-word."""
    width = width or terminal_width()
    table = [[safe(c) for c in header]] + [["" if c is None else safe(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    floor = {}
    for i, h in enumerate(header):
        if h in truncate:
            floor[i] = min(widths[i], (minimum or {}).get(h, max(len(h), 12)))
        elif h in wrap:
            floor[i] = max([len(h)] + [len(w) for r in table[1:] for w in r[i].split()])
    while sum(widths) + 2 * (len(widths) - 1) > width:
        candidates = [i for i in floor if widths[i] > floor[i]]
        if not candidates:
            break
        i = max(candidates, key=lambda k: widths[k] - floor[k])
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        widths[i] = max(floor[i], widths[i] - excess)
    groups = []
    for r, row in enumerate(table):
        lines: list[str] = []
        groups.append(lines)
        cells = []
        for i, cell in enumerate(row):
            if len(cell) <= widths[i]:
                cells.append([cell])
            elif header[i] in truncate:
                cells.append([cell[: widths[i] - 1] + "…"])
            else:
                cells.append(textwrap.wrap(cell, widths[i], break_on_hyphens=False, break_long_words=False) or [""])
        for k in range(max(len(c) for c in cells)):
            parts = []
            for i, c in enumerate(cells):
                text = c[k] if k < len(c) else ""
                parts.append(text.rjust(widths[i]) if header[i] in align_right and r > 0 else text.ljust(widths[i]))
            lines.append("  ".join(parts).rstrip())
    return groups


def _number(v: float) -> str:
    """A number as ``--raw`` prints it (machine-readable: four significant digits, e-notation)."""
    return f"{v:.4g}"


def _reader_value(name: str, da) -> str:
    """An output for a reader (:func:`orbitdc.formatting.value`: engineering notation with the
    unit, a year as a year, yes/no, a choice in words); over a sweep, min .. median .. max."""
    import numpy as np

    from . import formatting

    vals = np.asarray(da.values)
    unit = da.attrs.get("units", "1")
    if vals.ndim == 0:
        v = vals.item()
        return formatting.value(name, v.replace("_", " ") if isinstance(v, str) else v, unit)
    if vals.dtype.kind in "fiu":
        finite = vals[np.isfinite(vals)]
        if finite.size == 0:
            return "n/a"
        return (f"{formatting.value(name, np.min(finite), unit)} .. {formatting.value(name, np.median(finite), unit)} .. "
                f"{formatting.value(name, np.max(finite), unit)}  (min .. median .. max of {vals.size:,})")
    uniq, counts = np.unique(vals.astype(str), return_counts=True)
    return ", ".join(f"{formatting.value(name, u)} x{c}" for u, c in zip(uniq, counts))


def _format_value(da) -> str:
    import numpy as np

    vals = np.asarray(da.values)
    unit = da.attrs.get("units", "")
    unit = "" if unit in ("1", "") else f" {unit}"
    if vals.ndim == 0:
        v = vals.item()
        if isinstance(v, (bool, np.bool_)) or isinstance(v, str):
            return str(v)
        return f"{_number(v)}{unit}"
    if vals.dtype.kind in "fiu":
        finite = vals[np.isfinite(vals)]
        if finite.size == 0:
            return "nan"
        return (f"{_number(np.min(finite))} .. {_number(np.median(finite))} .. {_number(np.max(finite))}{unit}"
                f"  (min .. median .. max of {vals.size})")
    uniq, counts = np.unique(vals.astype(str), return_counts=True)
    return ", ".join(f"{u} x{c}" for u, c in zip(uniq, counts))


def _power(kw: float) -> str:
    """A power in kW in engineering form (1e6 kW -> '1 GW'; :func:`orbitdc.formatting.quantity`)."""
    from . import formatting

    return formatting.quantity(kw, "kW")


def _cell(v: Any, name: str = "", unit: str = "1", raw: bool = True) -> str:
    """A sweep table's cell: machine-readable with ``raw`` (``True``, ``4.4e+06``), else for a reader
    (:func:`orbitdc.formatting.value`)."""
    import numpy as np

    if not raw:
        from . import formatting

        return formatting.value(name, v.item() if hasattr(v, "item") else v, unit)
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating, int, np.integer)):
        return _number(float(v))
    return str(v)


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------
#: Power units of an architecture file's ``target_it_power`` that ``orbitdc list`` reads without
#: loading astropy (to kW); any other unit sends the file through the full loader.
_KW_PER = {"W": 1e-3, "kW": 1.0, "MW": 1e3, "GW": 1e6, "TW": 1e9}


def _header_row(name: str, path: Path, layer, default_kw: float | None) -> tuple | None:
    """The ``list`` row of a shipped architecture from its YAML header alone (name, kind, company,
    description, target IT power), or None when anything there is unusual (then the full loader
    reads it). Shipped files are validated in full by the test suite; a user's file never takes
    this path: ``list`` validates it as ``evaluate`` would."""
    from ._yaml import read_yaml

    raw = read_yaml(path)
    if not isinstance(raw, dict) or raw.get("name") != name or not isinstance(raw.get("description"), str):
        return None
    kind, company = raw.get("kind", "space"), raw.get("company", "")
    params = raw.get("parameters")
    if kind not in ("space", "terrestrial") or not isinstance(company, str) or not isinstance(params, dict):
        return None
    power = params.get("target_it_power")
    if power is None:
        kw = default_kw
    elif isinstance(power, dict) and isinstance(power.get("value"), (int, float)) and power.get("unit") in _KW_PER:
        kw = float(power["value"]) * _KW_PER[power["unit"]]
    else:
        return None
    if kw is None:
        return None
    return (name, kind, company or "-", _power(kw), layer.origin, " ".join(raw["description"].split()))


def _default_it_power_kw() -> float | None:
    from ._yaml import read_yaml
    from .datadirs import SHIPPED_DATA_DIR

    power = (read_yaml(SHIPPED_DATA_DIR / "defaults" / "system.yaml").get("parameters") or {}).get("target_it_power")
    if isinstance(power, dict) and isinstance(power.get("value"), (int, float)) and power.get("unit") in _KW_PER:
        return float(power["value"]) * _KW_PER[power["unit"]]
    return None


def _validated_row(name: str, path: Path, layer) -> tuple:
    from .architectures import load_architecture

    arch = load_architecture(path)
    power = arch.parameters.get("target_it_power")
    first = " ".join(arch.description.split())
    return (name, arch.kind, arch.company or "-", _power(float(power.canonical_value)) if power is not None else "-",
            layer.origin, first)


def _cmd_list(args) -> int:
    from .datadirs import architecture_files

    rows = []
    default_kw = _default_it_power_kw()
    for name, (path, layer) in sorted(architecture_files().items()):
        row = _header_row(name, path, layer, default_kw) if layer.shipped else None
        rows.append(row if row is not None else _validated_row(name, path, layer))
    header = ("NAME", "KIND", "COMPANY", "IT POWER", "FROM", "DESCRIPTION")
    for line in render_table(header, rows, align_right=("IT POWER",), truncate=("DESCRIPTION", "FROM", "COMPANY"),
                             minimum={"DESCRIPTION": 30, "FROM": 16, "COMPANY": 12}):
        print(line)
    return 0


def _cmd_show(args) -> int:
    from .architectures import load_architecture

    if getattr(args, "scenario", None):
        from .scenarios import describe_scenario

        # the scenario file's text (description, party, notes) escaped line by line (orbitdc._text)
        print(terminal_lines(describe_scenario(args.name, args.scenario)))
        return 0
    width = terminal_width()
    arch = load_architecture(args.name)
    title = f"{arch.name} ({arch.kind}" + (f", {arch.company}" if arch.company else "") + ")"
    if arch.origin and arch.origin != "shipped":
        title += f"  from {arch.origin}"
    print(safe(title))
    for paragraph in arch.description.split("\n\n"):
        print(textwrap.fill(safe(" ".join(paragraph.split())), width))
    print()
    rows = arch.table()

    def text(v):
        return "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))

    header = ("parameter", "value", "unit", "low", "high", "distribution", "role", "source", "tag")
    table = [tuple(text(r[h]) for h in header) for r in rows]
    wide = render_table(header, table, width=10**6)
    if max(len(line) for line in wide) <= width:
        lines = wide
    else:  # too narrow for one line per parameter: sources and tags on the next line(s)
        groups = render_rows(header[:5], [row[:5] for row in table], width, wrap=("value",))
        lines = groups[0]
        for row, group in zip(rows, groups[1:]):
            lines.extend(group)
            keys = arch.parameters[row["parameter"]].sources
            cited = ", ".join(f"{k} ({arch.references[k].tag})" for k in keys)
            lines.append(textwrap.fill(safe(f"{row['distribution'] or 'fixed'}; role: {row['role']}; source: {cited}"), width, initial_indent="    ",
                                       subsequent_indent="      ", break_long_words=False, break_on_hyphens=False))
    for line in lines:
        print(line)
    print()
    print("References:")
    for key, ref in arch.references.items():
        entry = safe(f"[{key}] ({ref.tag}) {ref.author} ({ref.year}). {ref.title}. {ref.url}")
        print(textwrap.fill(entry, width, initial_indent="  ", subsequent_indent="      ",
                            break_long_words=False, break_on_hyphens=False))
    return 0


def _parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` items parsed; a name given twice is refused (the last would win
    silently)."""
    from .arguments import parse_assignment

    overrides: dict[str, Any] = {}
    for text in items or []:
        name, value = parse_assignment(text)
        if name in overrides:
            raise OrbitdcError(f"--set {name}: given twice")
        overrides[name] = value
    return overrides


def _overrides(args, architectures) -> dict[str, Any]:
    """``--set`` items parsed and their names checked against the architectures (with a
    "did you mean" for a mistyped name) before anything runs."""
    from .parameters import suggest

    overrides = _parse_sets(args.set)
    known = sorted({p for a in architectures for p in a.parameters})
    for name in overrides:
        if name not in known:
            where = architectures[0].name if len(architectures) == 1 else "the architectures"
            raise OrbitdcError(f"--set {name}: not a parameter of {where}{suggest(name, known)}; "
                               f"'orbitdc show {architectures[0].name}' lists its {len(architectures[0].parameters)} "
                               "parameters (valid names)")
    return overrides


def _cmd_evaluate(args) -> int:
    from .chain import evaluate
    from .outputs import check_output_path, write_dataset
    from .architectures import load_architecture

    out = check_output_path(args.output) if args.output is not None else None
    arch = load_architecture(args.name, scenario=args.scenario)
    overrides = _overrides(args, [arch])
    ds = evaluate(arch, **overrides)
    raw = bool(getattr(args, "raw", False))
    from .outputs import design_dims

    # one design point: the reader's block (a sweep whose every point has the same verdict still
    # prints one row per point)
    if (ds["feasible"].ndim == 0 and raw) or not design_dims(ds):
        scenario = f", scenario '{args.scenario}'" if args.scenario else ""
        if raw:
            print(safe(f"{ds.attrs['architecture']}{scenario}: key outputs"))
            for name in KEY_OUTPUTS:
                if name in ds:
                    print(f"  {name:28s} {safe(_format_value(ds[name]))}")
        else:
            for line in evaluate_lines(ds, scenario):
                print(line)
    else:
        for line in sweep_table(ds, raw=raw):
            print(line)
    if out is not None:
        write_dataset(ds, out)
        print(safe(f"wrote {out}"))
    return 0


def _parse_years(text: str) -> range | list[int]:
    """``2026-2050`` or ``2030,2035,2040`` -> calendar years (counted before any list is built)."""
    from .validation import parse_years_text

    return parse_years_text(text)


def _cmd_trajectory(args) -> int:
    from .outputs import check_output_path, write_netcdf
    from .trajectory import trajectory

    out = check_output_path(args.output, formats=("netcdf",)) if args.output is not None else None
    overrides = _parse_sets(args.set)
    if args.scenario is not None:
        from .architectures import load_architecture

        load_architecture(args.name, scenario=args.scenario)  # a bad name: one line before anything runs
    years = _parse_years(args.years)
    frozen: Any = False
    if args.frozen is not None:
        frozen = True if args.frozen == "all" else [t.strip() for t in args.frozen.split(",") if t.strip()]
        if frozen != True and not frozen:  # noqa: E712 - True, or a non-empty list of names
            raise OrbitdcError(f"--frozen '{safe(args.frozen)}': expected all or trend names separated by commas")
    tr = trajectory(args.name, years, frozen=frozen, fleet=args.fleet, samples=args.samples,
                    seed=args.seed if args.seed is not None else 0, scenario=args.scenario, **overrides)
    for line in trajectory_lines(tr, args.scenario):
        print(line)
    if out is not None:
        write_netcdf(tr, out, make_folder=False)
        print(safe(f"wrote {out}"))
    return 0


def evaluate_lines(ds, scenario: str = "") -> list[str]:
    """``orbitdc evaluate`` for a reader: the architecture by its display name, its verdict in the
    report's words (:func:`orbitdc.report.wording.feasibility_word`), then one aligned row per key
    output -- its long name, its value in engineering notation with the unit, and the name to type
    (``--set``, ``-o`` columns, Python)."""
    from . import formatting
    from .report.wording import BREAKEVEN_UNREACHABLE, binding_words, constraint_name, cost_word, feasibility_word, title

    name = str(ds.attrs.get("architecture", ""))
    feasible = bool(ds["feasible"].values)
    binding = str(ds["binding_constraint"].values) if "binding_constraint" in ds else "none"
    lines = [safe(f"{title(name)} ({name}{scenario}), as stated:")]
    if ds.attrs.get("architecture_kind", "space") == "space" and "cost_ratio_vs_terrestrial" in ds:
        ratio = float(ds["cost_ratio_vs_terrestrial"])
        lines.append(safe(f"  {feasibility_word(feasible, None, binding)}; {cost_word(ratio)} "
                          f"({formatting.number(ratio)}x the ground's cost per kW-year)"))
        if not feasible and binding != "none":  # what binds, with its numbers (the report's sentence)
            row = {k: (ds[k].item() if ds[k].ndim == 0 else None) for k in
                   ("launches", "deployment_years", "mission_lifetime", "lifetime_dose", "dose_tolerance", "launch_vehicle")
                   if k in ds}
            lines.append(safe(f"  {binding_words(row, binding)}"))
    rows = [(formatting.short_label(k, capital=True), _reader_value(k, ds[k]), k) for k in KEY_OUTPUTS if k in ds]
    if binding != "none":
        rows = [(q, constraint_name(binding) if k == "binding_constraint" else v, k) for q, v, k in rows]
    if "breakeven_unreachable" in ds and ds["breakeven_unreachable"].ndim == 0 and bool(ds["breakeven_unreachable"]):
        rows = [(q, BREAKEVEN_UNREACHABLE if k == "breakeven_launch_price" else v, k) for q, v, k in rows]
    lines += ["  " + line for line in render_table(("quantity", "value", "name"), rows, width=10**6,
                                                   align_right=("value",))]
    return lines


def trajectory_lines(tr, scenario: str | None = None) -> list[str]:
    """What ``orbitdc trajectory`` prints: per year the cost ratio of a new cohort (the median
    over the samples of a Monte Carlo), the IT power online and the binding limit, then the
    crossover year (its 10/50/90 % over the samples)."""
    import numpy as np

    mc = "sample" in tr.dims
    point = {d: 0 for d in tr.dims if d not in ("year", "vehicle", "sample", "quantile")}
    sel = tr.isel(point) if point else tr
    lines = []
    if point:
        lines.append(safe(f"(first point of: {', '.join(point)})"))
    if mc:
        ratio = sel["cost_ratio_vs_terrestrial_quantile"].sel(quantile=0.5)
        head = "cost ratio (median)"  # and the median IT online, the most common limit
    else:
        ratio = sel["cost_ratio_vs_terrestrial"]
        head = "cost ratio"
    which = f", scenario '{scenario}'" if scenario else ""
    lines.append(safe(f"{tr.attrs['architecture']}{which}: year  {head}  IT online [GW]  binding limit"))

    def per_year(name, i):  # over the samples: the median number, the most common text
        values = np.asarray(sel[name].isel(year=i).values).ravel()
        if values.dtype.kind in "fiu":
            return float(np.nanmedian(values)) if np.isfinite(values).any() else float("nan")
        kinds, counts = np.unique(values.astype(str), return_counts=True)
        return str(kinds[np.argmax(counts)])

    open_years: list[int] = []
    binding: list[str] = []
    for i, y in enumerate(sel["year"].values):
        online = per_year("it_power_online", i) / 1e6 if "it_power_online" in sel else float("nan")
        limit = per_year("binding_limit", i) if "binding_limit" in sel else ""
        if "design_feasible" in sel and not bool(np.asarray(sel["design_feasible"].isel(year=i).values).all()):
            constraint = per_year("binding_constraint", i) if "binding_constraint" in sel else "a constraint"
            limit = f"does not close: {constraint}"  # the cohort's satellite: no cost to compare
            open_years.append(int(y))
            binding.append(constraint)
        lines.append(safe(f"  {int(y)}  {float(ratio.isel(year=i)):{len(head)}.3f}  {online:14.3f}  {limit}"))
    if open_years:
        from .stages import output_specs

        constraint = max(set(binding), key=binding.count)
        spec = output_specs().get(f"violates_{constraint}")
        words = f" ({spec.long_name})" if spec is not None else ""
        when = f"{open_years[0]}" + (f"-{open_years[-1]}" if len(open_years) > 1 else "")
        lines.append(safe(f"the satellite does not close in {when}: binding constraint {constraint}{words}; "
                          "the cost ratio is infinite there (orbitdc evaluate shows the mass budget)"))
    if mc:
        q = np.asarray(sel["crossover_year_quantile"].values, dtype=float).ravel()
        txt = [f"{v:.0f}" if np.isfinite(v) else "none" for v in q[:3]]
        lines.append(f"crossover year (10/50/90 % of {tr.attrs.get('samples', tr.sizes['sample']):,} samples): "
                     f"{' / '.join(txt)}  (none: not within the years shown)")
    else:
        cross = sel["crossover_year"]
        lines.append(f"crossover year: {float(cross):.0f}" if bool(sel["crossover_within_horizon"])
                     else "crossover year: none within the years shown")
    return lines


def sweep_table(ds, width: int | None = None, max_rows: int = MAX_TABLE_ROWS, raw: bool = False) -> list[str]:
    """A sweep's key outputs value by value: one row per design point (the swept values first);
    outputs that do not vary are listed once above; columns that do not fit the width go to a
    second table with the swept values repeated. For a reader, columns are headed by long names
    and values written in engineering notation with their units; with ``raw``, machine names and
    numbers (e-notation)."""
    import numpy as np

    from .outputs import design_dims

    width = width or terminal_width()
    dims = design_dims(ds)
    sizes = [ds.sizes[d] for d in dims]
    n = int(np.prod(sizes))
    lines = [safe(f"{ds.attrs.get('architecture', '')}: {n} design points ({' x '.join(f'{d} {s}' for d, s in zip(dims, sizes))})")]
    constant = [k for k in KEY_OUTPUTS if k in ds and k not in dims and not set(ds[k].dims) & set(dims)]
    varying = [k for k in KEY_OUTPUTS if k in ds and k not in dims and set(ds[k].dims) & set(dims)]
    if constant:
        from . import formatting

        lines.append("the same for every design point:")
        if raw:
            lines += [f"  {k:28s} {safe(_format_value(ds[k]))}" for k in constant]
        else:
            lines += ["  " + line for line in render_table(
                ("quantity", "value", "name"), [(formatting.short_label(k, capital=True), _reader_value(k, ds[k]), k) for k in constant],
                width=10**6, align_right=("value",))[1:]]
    shown = min(n, max_rows)
    template = ds["feasible"].broadcast_like(ds[list(dims)[0]]) if dims else ds["feasible"]
    for d in dims[1:]:
        template = template.broadcast_like(ds[d])
    template = template.transpose(*dims)

    def column(da):
        return da.broadcast_like(template).transpose(*dims).values.reshape(n)[:shown]

    def head(name, da):
        unit = da.attrs.get("units", "1")
        if not raw:
            from . import formatting

            return formatting.short_label(name, capital=True)
        return name if da.dtype.kind in "bUSO" or unit in ("", "1") else f"{name} [{unit}]"

    keys = [(head(d, ds[d]), column(ds[d]), d, ds[d].attrs.get("units", "1")) for d in dims]
    cols = [(head(k, ds[k]), column(ds[k]), k, ds[k].attrs.get("units", "1")) for k in varying]
    key_width = sum(max(len(h), 10) + 2 for h, *_ in keys)
    groups, current, used = [], [], key_width
    for h, values, name, unit in cols:
        w = max(len(h), max((len(_cell(v, name, unit, raw)) for v in values), default=0)) + 2
        if current and used + w > width:
            groups.append(current)
            current, used = [], key_width
        current.append((h, values, name, unit))
        used += w
    if current:
        groups.append(current)
    for group in groups or [[]]:
        header = [h for h, *_ in keys] + [h for h, *_ in group]
        rows = [[_cell(v[i], n, u, raw) for _, v, n, u in keys + group] for i in range(shown)]
        lines.append("")
        lines += render_table(header, rows, width=10**6, align_right=[h for h, v, *_ in keys + group if v.dtype.kind in "fiu"])
    if shown < n:
        lines.append(f"... {n - shown} more design points: write them all with -o FILE.csv (or .nc, .parquet)")
    return lines


def _cmd_report(args) -> int:
    from .architectures import load_architecture
    from .arguments import check_samples, check_seed

    from .extras import require

    require("report", "orbitdc report")  # before anything is checked, loaded or written
    from .report import DEFAULT_OUT
    from .report import main as report_main
    # Everything a notebook kernel would otherwise find 10 s into the run is checked here first.
    if args.seed is not None:
        check_seed(args.seed, "--seed")
    if args.samples is not None:
        from .uncertainty import MAX_IN_MEMORY_SAMPLES

        check_samples(args.samples, MAX_IN_MEMORY_SAMPLES, "--samples")
    if args.jobs < 1:
        raise OrbitdcError(f"--jobs {args.jobs}: must be at least 1")
    check_report_folder(args.out if args.out is not None else str(DEFAULT_OUT))
    if args.pdf:
        from .report.pdf import find_chromium

        find_chromium()
    if args.architectures:
        archs = [load_architecture(a) for a in args.architectures]
    else:
        from .report.settings import settings

        archs = [load_architecture(a) for a in settings()["defaults"]["architectures"]]
    if args.scenario is not None:
        from .scenarios import apply_where_available

        archs = apply_where_available(archs, args.scenario)  # a bad name: one line before any kernel starts
    _overrides(args, archs)
    if args.architectures:
        # the notebook kernels run elsewhere: give them a user's architecture by its path
        args.architectures = [a if arch.origin in (None, "shipped") else str(Path(arch.path).resolve())
                              for a, arch in zip(args.architectures, archs)]
    return report_main(args)


def check_report_folder(text: str) -> Path:
    """``--out DIR`` of the report: not empty, not a file, under a folder that exists or can be
    created and can be written."""
    if not str(text).strip():
        raise OrbitdcError("--out '': empty folder name")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise OrbitdcError(f"--out {text}: is a file, not a folder")
    ancestor = path.parent if str(path.parent) else Path(".")
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OrbitdcError(f"--out {text}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OrbitdcError(f"--out {text}: folder {ancestor} is not writable")
    return path


def _cmd_notebooks(args) -> int:
    from .datadirs import SHIPPED_NOTEBOOK_DIR, is_regular_file
    from .outputs import check_output_folder, write_bytes

    dest = check_output_folder(args.folder, "notebooks")
    sources = [p for p in sorted(SHIPPED_NOTEBOOK_DIR.glob("*.ipynb")) if is_regular_file(p)]
    if not sources:
        raise OrbitdcError(f"no notebooks found in {SHIPPED_NOTEBOOK_DIR}")
    dest.mkdir(parents=True, exist_ok=True)
    copied, same, kept = [], [], []
    for src in sources:
        target = dest / src.name
        data = src.read_bytes()
        if os.path.lexists(target):  # a file, a folder, a link (even to nothing): never replaced
            (same if not target.is_symlink() and target.is_file() and target.read_bytes() == data else kept).append(src.name)
            continue
        try:  # atomic and exclusive: never replaces a file, even one that appears meanwhile
            write_bytes(target, data, replace=False)
        except FileExistsError:
            kept.append(src.name)
            continue
        copied.append(src.name)
    for label, names in (("copied", copied), ("already up to date", same),
                         ("kept (yours differ from the shipped ones; not overwritten)", kept)):
        if names:
            print(safe(f"{label}: {', '.join(names)}"))
    from .extras import missing

    hint = " (JupyterLab is the 'notebooks' extra: pip install 'orbitdc[notebooks]')" if missing("notebooks") else ""
    print(safe(f"open them with: jupyter lab {dest}{hint}"))
    return 0


def _cmd_app(args) -> int:
    from .extras import require

    require("app", "orbitdc app")  # before the app module (Panel) is imported
    from .app import serve

    from .validation import check_address, check_port

    from .interrupts import Interrupted

    check_port(args.port)
    check_address(args.address)
    try:
        serve(args.architectures, port=args.port, address=args.address, show=args.show,
              ready=lambda url: print(f"orbitdc app: serving {url} (Ctrl-C stops it)", flush=True))
        how = "SIGINT"  # serve returns only when Panel's own Ctrl-C handler has stopped the server
    except (Interrupted, KeyboardInterrupt) as exc:
        how = str(exc) if isinstance(exc, Interrupted) else "SIGINT"
    # Stopping is the app's normal end ("Ctrl-C stops it"): exit status 0. The server has stopped
    # (serve's finally) and the app writes nothing, so end at once, as the default SIGTERM did: the
    # interpreter's final garbage collection of the server's threads and native libraries was seen
    # to hang after a SIGTERM on a loaded machine.
    print(f"orbitdc app: stopped ({how})", flush=True)
    sys.stderr.flush()
    os._exit(0)


# --------------------------------------------------------------------------------------------
# The parser and the entry point
# --------------------------------------------------------------------------------------------
def _version() -> str:
    from ._version import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    data_dir_help = ("a folder of your own architectures/, references/, catalogs/ (and scenarios/), "
                     "layered over the shipped data (also: ORBITDC_DATA_DIR)")
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_dir_help)

    parser = _Parser(
        prog="orbitdc",
        description="Feasibility of AI data centres in orbit: evaluate architectures against the ground.",
        epilog="Bad input is one line on stderr and exit status 2; nothing is written.",
    )
    parser.add_argument("--version", action="version", version=f"orbitdc {_version()}")
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=data_dir_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", parents=[common], help="list the architectures (shipped and yours)",
                       description="List the architectures: name, kind, company, IT power, where each comes from.")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", parents=[common], help="show an architecture's parameters with units, ranges and sources",
                       description="Show every parameter of an architecture with its unit, range, source and tag.")
    p.add_argument("name", help="architecture name or path to a YAML file")
    p.add_argument("--scenario", metavar="S", help="list what scenario S (proponent, base, skeptic, ...) changes - parameters, "
                                                 "trends, fleet plan - with sources, tags and whose each value is")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("evaluate", parents=[common], help="run the model chain for one architecture",
                       description="Run the model chain for one architecture and print the key outputs "
                                   "(a sweep prints one row per design point).")
    p.add_argument("name", help="architecture name or path to a YAML file")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a parameter, e.g. --set 'altitude=650 km' (a bare number is in the "
                        "parameter's canonical unit; 'a,b,c' sweeps, e.g. 'altitude=550 km,650 km'); repeatable")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the full results: .nc (NetCDF), .csv (one row per design point, units in the "
                        "header) or .parquet; written atomically")
    p.add_argument("--scenario", metavar="S", help="layer scenario S of data/scenarios/ (proponent, base, skeptic) over the architecture")
    p.add_argument("--raw", action="store_true",
                   help="print machine names and plain numbers (e-notation) instead of long names and engineering notation")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("trajectory", parents=[common], help="the year-by-year model: fleet build-up, trends, crossover year",
                       description="Run the year-by-year model of one architecture (orbitdc.trajectory).")
    p.add_argument("name", help="architecture name or path to a YAML file")
    p.add_argument("--years", default="2026-2050", metavar="FIRST-LAST", help="calendar years (default 2026-2050)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a chain or trend parameter (repeatable)")
    p.add_argument("--frozen", metavar="all|TREND,...", help="keep trends at today's values (all, or names)")
    p.add_argument("--fleet", metavar="FLEET.yaml", help="a fleet plan instead of the architecture's (data/fleets/)")
    p.add_argument("--samples", type=int, default=None, metavar="N", help="Monte Carlo over the trend rates")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="random seed (default 0)")
    p.add_argument("-o", "--output", metavar="OUT.nc", help="write the full result as NetCDF (atomically)")
    p.add_argument("--scenario", metavar="S", help="layer scenario S of data/scenarios/ (proponent, base, skeptic) over the architecture")
    p.set_defaults(func=_cmd_trajectory)

    p = sub.add_parser("report", parents=[common], help="run the notebooks and build the HTML feasibility report",
                       description="Run the parameterised notebooks with papermill and export the HTML report.")
    p.add_argument("architectures", nargs="*", metavar="ARCH", help="architectures to compare (default: the seed set)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    p.add_argument("--out", metavar="DIR", help="output folder (default reports/feasibility)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run in parallel (default 2)")
    p.add_argument("--samples", type=int, default=None, metavar="N",
                   help="Monte Carlo samples per architecture (default in data/report.yaml; fewer is faster)")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="random seed, 0 to 2**63-1")
    p.add_argument("--scenario", metavar="S", help="layer scenario S of data/scenarios/ (proponent, base, skeptic) "
                                                   "over every architecture that has it (the ground baseline has none)")
    p.add_argument("--pdf", action="store_true",
                   help="also write report.pdf next to index.html (headless Chromium: Debian's chromium + chromium-driver)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("notebooks", parents=[common], help="copy the notebooks into a folder to open in JupyterLab",
                       description="Copy the notebooks into FOLDER (created if missing). A notebook already there "
                                   "is never overwritten.")
    p.add_argument("folder", metavar="FOLDER")
    p.set_defaults(func=_cmd_notebooks)

    p = sub.add_parser("app", parents=[common], help="explore designs with sliders in the browser (a local Panel server)",
                       description="Serve the interactive app on this machine: sliders for the parameters that "
                                   "matter most, the whole chain recomputed on every move. Works offline.")
    p.add_argument("architectures", nargs="*", metavar="ARCH",
                   help="architectures offered (names or YAML paths; default: every shipped one)")
    p.add_argument("--port", type=int, default=5006, metavar="N", help="port to listen on (default 5006; 0 picks a free one)")
    p.add_argument("--address", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--show", action="store_true", help="open the app in the default web browser")
    p.set_defaults(func=_cmd_app)
    return parser


@contextmanager
def _user_data(data_dir: str | None) -> Iterator[None]:
    """``--data-dir`` (checked: a readable folder) and ``ORBITDC_DATA_DIR``, made absolute once,
    here at the entry point, and exported as ORBITDC_DATA_DIR for this command and so for the
    report's notebook kernels (which run in another folder, where a relative path names nothing);
    the environment is restored afterwards."""
    from .datadirs import DATA_DIR_ENV, absolute_data_dirs, check_folder, user_data_dirs

    before = os.environ.get(DATA_DIR_ENV)
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not str(data_dir).strip() or not check_folder(path, "--data-dir"):
            raise OrbitdcError(f"--data-dir '{safe(data_dir)}': does not exist")
        value = str(path.resolve())
    else:
        value = absolute_data_dirs(before)
    try:
        if value is not None:
            os.environ[DATA_DIR_ENV] = value
            user_data_dirs()  # every folder checked now: one line before any work
        yield
    finally:
        if before is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = before


def _error(message: str) -> None:
    print(f"orbitdc: error: {safe(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status (0 ok, 1 failure, 2 bad input, 130 interrupted)."""
    from .interrupts import Interrupted, interrupts_raise

    try:
        # SIGTERM/SIGHUP (and SIGINT) raise, so that whatever is being written is cleaned up
        with interrupts_raise(only_default=True):
            args = build_parser().parse_args(argv)
            with _user_data(getattr(args, "data_dir", None)):
                status = int(args.func(args) or 0)
            sys.stdout.flush()
        return status
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except OrbitdcError as exc:
        _error(str(exc))
        return 2
    except Interrupted as exc:
        _error(f"interrupted by {exc}; nothing half-written was left")
        return exc.exit_status
    except BrokenPipeError:
        # the reader went away (orbitdc list | head -1): stop quietly, as other Unix tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except OSError as exc:  # a fault outside orbitdc: full disk, vanished folder, ...
        if os.environ.get("ORBITDC_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 1
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("ORBITDC_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (ORBITDC_DEBUG=1 shows the traceback; please report it)")
        return 1


def __getattr__(name: str):
    if name == "parse_assignment":  # re-exported: it used to live here (loaded on first use)
        from .arguments import parse_assignment

        return parse_assignment
    raise AttributeError(f"module 'orbitdc.cli' has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
