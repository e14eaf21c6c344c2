"""How the report writes numbers, quantities, booleans and names: one place for every table, plot
and sentence (issue 16).

* :func:`number` -- a plain number for a reader: three significant digits, thousands separators,
  whole numbers from 1,000 up, ``12.3 million`` / ``4.5 billion`` / ``7.1 trillion`` for large
  counts, and ``1.36e21`` only where no word fits; ``n/a`` when not finite.
* :func:`quantity` -- a number with its unit, in engineering form: the SI prefix that puts the
  mantissa in [1, 1000) for power, energy and computing rate (``1.36 ZFLOP/s``, ``2.5 GW``,
  ``13.1 TWh``), tonnes and kilotonnes for masses, ``USD 65.2 B`` for money; ``1.36e21`` with the
  unit only where no prefix fits. Units are written for reading (``m²``, ``kWh``, ``rad(Si)``).
* :func:`significant` -- a gauge's number (the app's live outputs): ``digits`` significant figures
  in fixed notation, trailing zeros kept (``1.00``), so a number does not change width as a
  slider moves; ``''`` when not finite.
* :func:`boolean` -- ``yes`` / ``no``, the one style for booleans.
* :func:`label` -- the human name of a chain output or parameter (its ``long_name`` from the
  stage declarations), never the identifier; :func:`label_with_unit` adds the unit in brackets.

No world numbers live here: only how numbers are written.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

#: SI prefixes by power of ten (engineering notation: multiples of 3).
SI_PREFIXES = {-15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P",
               18: "E", 21: "Z", 24: "Y", 27: "R", 30: "Q"}

#: Units written with an SI prefix: unit as the chain gives it -> (base unit, factor to the base).
PREFIXABLE = {
    "W": ("W", 1.0), "kW": ("W", 1e3), "MW": ("W", 1e6), "GW": ("W", 1e9),
    "W h": ("Wh", 1.0), "kW h": ("Wh", 1e3), "MW h": ("Wh", 1e6), "GW h": ("Wh", 1e9),
    "Wh": ("Wh", 1.0), "kWh": ("Wh", 1e3), "MWh": ("Wh", 1e6), "GWh": ("Wh", 1e9),
    "J": ("J", 1.0), "FLOP/s": ("FLOP/s", 1.0), "PFLOP/s": ("FLOP/s", 1e15), "FLOP": ("FLOP", 1.0),
    "Hz": ("Hz", 1.0), "bit/s": ("bit/s", 1.0),
}

#: Money: ``USD 65.2 B``; suffixes by power of ten (the financial press's k / M / B / T).
MONEY_SUFFIXES = {3: "k", 6: "M", 9: "B", 12: "T"}

#: Units as a reader writes them (the chain's spelling is pint/astropy-friendly, not readable).
UNIT_TEXT = {
    "1": "", "m2": "m²", "m3": "m³", "km2": "km²", "W/m2": "W/m²", "m2/MW": "m²/MW", "m2/kg": "m²/kg",
    "kg/m2": "kg/m²", "kg/m3": "kg/m³", "USD/m2": "USD/m²", "USD/m3": "USD/m³",
    "kW h": "kWh", "MW h": "MWh", "W h": "Wh", "rad_Si": "rad(Si)", "rad_Si/yr": "rad(Si)/yr",
    "krad_Si": "krad(Si)", "deg": "°", "USD/(kW yr)": "USD/(kW·yr)", "USD/(kW h)": "USD/kWh",
    "g/(kW h)": "g/kWh", "L/(kW h)": "L/kWh", "USD s/(PFLOP h)": "USD per PFLOP/s-hour",
    "m/(s yr)": "m/s per yr",
}


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def scientific(v: float, digits: int = 3) -> str:
    """``1.36e21``: mantissa with ``digits`` significant digits, exponent without ``+`` or zeros."""
    mant, exp = f"{v:.{max(1, digits) - 1}e}".split("e")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def _sig(v: float, digits: int) -> str:
    """``v`` to ``digits`` significant digits in fixed notation, thousands separated, no trailing zeros."""
    if v == 0:
        return "0"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    text = f"{round(v, decimals):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number(x: Any, digits: int = 3) -> str:
    """A number for a reader (see the module docstring); ``n/a`` if not finite, ``str(x)`` if not
    a number. Booleans are written ``yes`` / ``no``."""
    if isinstance(x, bool) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") == "b"):
        return boolean(x)
    v = _finite(x)
    if v is None:
        return "n/a" if _is_number(x) else str(x)
    a = abs(v)
    if a == 0:
        return "0"
    if a < 1e-3:
        return scientific(v, digits)
    if a < 1e3:
        return _sig(v, digits)
    if a < 1e6:
        return f"{v:,.0f}"
    for power, word in ((12, "trillion"), (9, "billion"), (6, "million")):
        if a >= 10 ** power and a < 10 ** (power + 3):
            return f"{_sig(v / 10 ** power, digits)} {word}"
    return scientific(v, digits)


def _is_number(x: Any) -> bool:
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def significant(x: Any, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures in fixed notation with thousands separators and the
    trailing zeros kept (``2.747 -> '2.75'``, ``0.04931 -> '0.0493'``, ``41234 -> '41,234'``,
    ``1 -> '1.00'``); ``''`` if not finite (a live output never shows NaN)."""
    v = _finite(x)
    if v is None:
        return ""
    if v == 0:
        return "0"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    text = f"{v:,.{decimals}f}"
    # rounding may carry into a new digit (9.996 -> '10.00'): one decimal fewer then
    if decimals and len(text.replace(",", "").replace("-", "").replace(".", "").lstrip("0")) > digits:
        text = f"{v:,.{decimals - 1}f}"
    return text


def year(x: Any) -> str:
    """A calendar year (``2031``, no thousands separator); ``n/a`` if not finite."""
    v = _finite(x)
    return "n/a" if v is None else f"{v:.0f}"


def percent(p: Any) -> str:
    """A probability (0..1) as a percentage: ``0 %`` and ``100 %`` only when exact, else at least
    one significant digit (``0.4 %``, ``31 %``, ``99.6 %``); ``n/a`` if not finite."""
    v = _finite(p)
    if v is None:
        return "n/a"
    if v in (0.0, 1.0):
        return f"{100 * v:.0f} %"
    v = 100 * v
    return f"{v:.0f} %" if 1 <= v <= 99 else f"{v:.1g} %" if v < 1 else f"{v:.3g} %"


def boolean(x: Any) -> str:
    """``yes`` / ``no`` (one style for booleans everywhere in the report)."""
    return "yes" if bool(x) else "no"


def unit_text(unit: str | None) -> str:
    """A unit as a reader writes it: ``m2`` -> ``m²``, ``kW h`` -> ``kWh``, ``1`` -> ``''``."""
    if unit is None:
        return ""
    return UNIT_TEXT.get(str(unit), str(unit))


def _engineering(v: float, base: str, digits: int) -> str:
    exp = 3 * int(math.floor(math.log10(abs(v)) / 3)) if v else 0
    # rounding to `digits` can carry the mantissa to 1000 (999.96 -> 1,000): move one prefix up
    if v and abs(float(_sig(v / 10 ** exp, digits).replace(",", ""))) >= 1000:
        exp += 3
    if exp not in SI_PREFIXES:
        return f"{scientific(v, digits)} {base}"
    return f"{_sig(v / 10 ** exp, digits)} {SI_PREFIXES[exp]}{base}"


def money(x: Any, per: str = "", digits: int = 3) -> str:
    """``USD 65.2 B`` (``per``: ``/yr`` -> ``USD 3.1 B/yr``); ``n/a`` if not finite."""
    v = _finite(x)
    if v is None:
        return "n/a"
    a = abs(v)
    exp = 3 * int(math.floor(math.log10(a) / 3)) if a >= 1e3 else 0
    if exp and abs(float(_sig(v / 10 ** exp, digits).replace(",", ""))) >= 1000:
        exp += 3
    if exp > 12:
        return f"USD {scientific(v, digits)}{per}"
    mantissa = _sig(v / 10 ** exp, digits) if exp else _sig(v, digits) if a >= 1 else number(v, digits)
    suffix = f" {MONEY_SUFFIXES[exp]}" if exp else ""
    return f"USD {mantissa}{suffix}{per}"


def quantity(x: Any, unit: str | None = "1", digits: int = 3) -> str:
    """A number with its unit in engineering form (see the module docstring); ``n/a`` if not finite."""
    if isinstance(x, bool):
        return boolean(x)
    v = _finite(x)
    if v is None:
        return "n/a" if _is_number(x) else str(x)
    unit = "1" if unit in (None, "") else str(unit)
    if unit == "USD":
        return money(v, "", digits)
    if unit == "USD/yr":
        return money(v, "/yr", digits)
    if unit in PREFIXABLE and v != 0:
        base, factor = PREFIXABLE[unit]
        return _engineering(v * factor, base, digits)
    if unit in ("kg", "t") and v != 0:
        kg = v * (1e3 if unit == "t" else 1.0)
        if abs(kg) < 1e3:
            return f"{_sig(kg, digits)} kg"
        return _engineering(kg / 1e3, "t", digits)
    text = unit_text(unit)
    if text == "°":
        return f"{number(v, digits)}°"
    return f"{number(v, digits)} {text}".rstrip()


def is_year(name: str) -> bool:
    """Is this output or parameter a calendar year (``start_year``, ``breakeven_year``)?"""
    n = str(name)
    return n == "year" or (n.endswith("_year") and "per_" not in n)


def value(name: str, x: Any, unit: str | None = None) -> str:
    """The value of a named parameter or output for a table or a sentence: a year as a year
    (``2030``, never ``2,030``), a flag as ``yes`` / ``no``, a choice as words, a quantity in
    engineering form with its unit (:func:`quantity`); ``''`` for None (no empty ``None`` cells)."""
    if x is None:
        return ""
    if isinstance(x, bool) or _kind(name) == "flag":
        try:
            return boolean(bool(float(x)) if not isinstance(x, str) else x.lower() in ("true", "yes", "1"))
        except (TypeError, ValueError):
            return str(x)
    if isinstance(x, str):
        return words(x.replace("-", " ")) if _kind(name) == "choice" else x
    if is_year(name):
        return year(x)
    return quantity(x, unit if unit not in (None, "") else "1")


@lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    from .stages import parameter_specs

    return {n: s.kind for n, s in parameter_specs().items()}


def _kind(name: str) -> str:
    return _kinds().get(str(name), "number")


@lru_cache(maxsize=1)
def _specs() -> dict[str, tuple[str, str]]:
    """Name -> (long_name, unit) of every chain output and parameter."""
    from .stages import output_specs, parameter_specs

    out: dict[str, tuple[str, str]] = {}
    for name, spec in parameter_specs().items():
        out[name] = (spec.long_name, spec.unit)
    for name, spec in output_specs().items():
        out[name] = (spec.long_name or out.get(name, ("", ""))[0], spec.unit)
    return out


def sentence_case(text: str) -> str:
    """First letter upper case, the rest as written (``IT power`` stays ``IT power``)."""
    return text[:1].upper() + text[1:] if text else text


def short_label(name: str, long_name: str | None = None, capital: bool = False) -> str:
    """:func:`label` without its explanations in parentheses, for a sentence: ``launch price per kg
    of payload capacity to the vehicle's reference LEO``."""
    text = re.sub(r"\s*\([^()]*\)", "", label(name, long_name, capital)).strip()
    return text or label(name, long_name, capital)


def label(name: str, long_name: str | None = None, capital: bool = True) -> str:
    """The human name of an output or parameter: ``long_name`` if given, else the one the stage
    declares, else the identifier with spaces for underscores (never an identifier)."""
    text = long_name or _specs().get(str(name), ("", ""))[0] or str(name)
    text = words(text)
    return sentence_case(text) if capital else text


_IDENTIFIER = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")


def words(text: str) -> str:
    """Identifiers inside a text in words: ``over mission_lifetime`` -> ``over mission lifetime``
    (declared long names sometimes name another variable)."""
    return _IDENTIFIER.sub(lambda m: m.group(0).replace("_", " "), str(text))


def unit_of(name: str) -> str:
    """The canonical unit a stage declares for an output or parameter ('' if none)."""
    return _specs().get(str(name), ("", "1"))[1]


def label_with_unit(name: str, unit: str | None = None, long_name: str | None = None, capital: bool = True) -> str:
    """``Radiator area [m²]``: :func:`label` with the unit (declared one if ``unit`` is None)."""
    text = unit_text(unit_of(name) if unit is None else unit)
    return label(name, long_name, capital) + (f" [{text}]" if text else "")
