"""The ``orbitdc`` command.

Every error caused by bad input (a file, a parameter, an override) is one line on stderr and exit
status 2: no traceback, and nothing is written.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import OrbitdcError

#: Outputs printed by ``orbitdc evaluate`` (those the chain produced, in this order).
KEY_OUTPUTS = (
    "altitude", "inclination", "period", "eclipse_fraction", "radiation_dose",
    "it_power", "accelerators", "availability",
    "solar_array_area", "radiator_area", "satellite_mass", "satellites", "total_mass", "specific_mass",
    "launch_price_per_kg", "launches", "launch_cost", "deployment_years",
    "capex", "opex", "cost_per_kw_year", "cost_ratio_vs_terrestrial", "breakeven_launch_price",
    "feasible", "binding_constraint",
)


def parse_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` from ``--set``: ``650 km``, ``650`` (canonical unit), ``a,b,c`` (a sweep),
    ``true``/``false`` (a flag) or a name (a choice). Values are literals, never code."""
    if "=" not in text:
        raise OrbitdcError(f"--set '{text}': expected name=value (e.g. altitude=650 km)")
    name, raw = (s.strip() for s in text.split("=", 1))
    if not name or not raw:
        raise OrbitdcError(f"--set '{text}': expected name=value (e.g. altitude=650 km)")
    parts = [p.strip() for p in raw.split(",")] if "," in raw else [raw]
    values = [_literal(p) for p in parts]
    return name, values if len(values) > 1 else values[0]


def _literal(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(text)
    except ValueError:
        pass
    # "650 km" stays a string: the chain parses it with astropy; a bare word is a choice
    return text


def _format_value(da) -> str:
    vals = np.asarray(da.values)
    unit = da.attrs.get("units", "")
    unit = "" if unit in ("1", "") else f" {unit}"
    if vals.ndim == 0:
        v = vals.item()
        if isinstance(v, (bool, np.bool_)) or isinstance(v, str):
            return str(v)
        return f"{v:.4g}{unit}"
    if vals.dtype.kind in "fiu":
        finite = vals[np.isfinite(vals)]
        if finite.size == 0:
            return "nan"
        return f"{np.min(finite):.4g} .. {np.median(finite):.4g} .. {np.max(finite):.4g}{unit}  (min .. median .. max of {vals.size})"
    uniq, counts = np.unique(vals.astype(str), return_counts=True)
    return ", ".join(f"{u} x{c}" for u, c in zip(uniq, counts))


def _cmd_list(args) -> int:
    from .parameters import list_architectures, load_architecture

    for name in list_architectures():
        arch = load_architecture(name)
        first = arch.description.splitlines()[0] if arch.description else ""
        print(f"{name:28s} {arch.kind:12s} {first}")
    return 0


def _cmd_show(args) -> int:
    from .parameters import load_architecture

    if getattr(args, "scenario", None):
        from .scenarios import describe_scenario

        print(describe_scenario(args.name, args.scenario))
        return 0
    arch = load_architecture(args.name)
    print(f"{arch.name} ({arch.kind})")
    print(arch.description)
    print()
    rows = arch.table()
    header = ("parameter", "value", "unit", "low", "high", "distribution", "role", "source", "tag")
    table = [header] + [tuple("" if r[h] is None else str(r[h]) for h in header) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print()
    print("References:")
    for key, ref in arch.references.items():
        print(f"  [{key}] ({ref.tag}) {ref.author} ({ref.year}). {ref.title}. {ref.url}")
    return 0


def _cmd_evaluate(args) -> int:
    from .chain import evaluate, to_netcdf

    overrides = dict(parse_assignment(s) for s in args.set or [])
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix not in (".nc", ".nc4"):
        raise OrbitdcError(f"--output '{out}': expected a NetCDF file name ending in .nc")
    ds = evaluate(args.name, **overrides)
    print(f"{ds.attrs['architecture']}: key outputs")
    for name in KEY_OUTPUTS:
        if name in ds:
            print(f"  {name:28s} {_format_value(ds[name])}")
    if out is not None:
        to_netcdf(ds, out)
        print(f"wrote {out}")
    return 0


def _cmd_report(args) -> int:
    try:
        from .report import main as report_main
    except ModuleNotFoundError as exc:
        if exc.name != "orbitdc.report":
            raise
        raise OrbitdcError("the report is not available in this version (orbitdc/report.py is missing)") from None
    return report_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orbitdc",
        description="Feasibility of AI data centres in orbit: evaluate architectures against the ground.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the shipped architectures", description="List the shipped architectures.")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="show an architecture's parameters with units, ranges and sources",
                       description="Show every parameter of an architecture with its unit, range, source and tag.")
    p.add_argument("name", help="architecture name or path to a YAML file")
    p.add_argument("--scenario", metavar="S", help="list what scenario S (proponent, base, skeptic) changes, with sources")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("evaluate", help="run the model chain for one architecture",
                       description="Run the model chain for one architecture and print the key outputs.")
    p.add_argument("name", help="architecture name or path to a YAML file")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a parameter, e.g. --set 'altitude=650 km' (a bare number is in the "
                        "parameter's canonical unit; a,b,c sweeps); repeatable")
    p.add_argument("-o", "--output", metavar="OUT.nc", help="write the full results as NetCDF (atomically)")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("report", help="run the notebooks and build the HTML feasibility report",
                       description="Run the parameterised notebooks with papermill and export the HTML report.")
    p.add_argument("architectures", nargs="*", metavar="ARCH", help="architectures to compare (default: the seed set)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    p.add_argument("--out", metavar="DIR", help="output folder (default reports/feasibility)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run in parallel (default 2)")
    p.add_argument("--samples", type=int, default=None, metavar="N", help="Monte Carlo samples")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="random seed")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OrbitdcError as exc:
        print(f"orbitdc: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("orbitdc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
