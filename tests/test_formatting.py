"""How the report writes numbers, quantities, booleans and names (orbitdc.formatting, issue 16).

Every expected text is derived by hand: the SI prefix is the power of 1000 that puts the mantissa
in [1, 1000) (BIPM SI Brochure, 9th ed., table 7: k 1e3, M 1e6, G 1e9, T 1e12, P 1e15, E 1e18,
Z 1e21, Y 1e24, R 1e27, Q 1e30), rounded to three significant digits.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orbitdc import formatting as f
from orbitdc.report import tables, wording


@pytest.mark.parametrize("value,unit,text", [
    (6.52e10, "USD", "USD 65.2 B"),            # 65.2e9: B(illion) as the financial press writes it
    (1.36e21, "FLOP/s", "1.36 ZFLOP/s"),       # 1.36e21 = 1.36 x 1000^7 -> zetta
    (5e5, "kW", "500 MW"),                      # 5e5 kW = 5e8 W = 500 x 1e6
    (2.5e6, "kW", "2.5 GW"),                    # 2.5e9 W
    (1.31e10, "kW h", "13.1 TWh"),              # 1.31e13 Wh
    (12345, "kg", "12.3 t"),                    # 12,345 kg = 12.345 t -> 3 digits
    (3.2e9, "kg", "3.2 Mt"),                    # 3.2e6 t = 3.2 megatonnes
    (450, "kg", "450 kg"),                      # below a tonne: kilograms
    (999.96, "W", "1 kW"),                      # rounds to 1,000 W: carried to the next prefix
    (1.36e40, "FLOP/s", "1.36e40 FLOP/s"),      # beyond quetta (1e30): no prefix fits
    (120, "m2", "120 m²"),
    (3.1e9, "USD/yr", "USD 3.1 B/yr"),
    (542.3, "USD", "USD 542"),
    (2000, "USD/kg", "2,000 USD/kg"),
    (0.25, "1", "0.25"),
    (41.7, "g/(kW h)", "41.7 g/kWh"),
    (1440, "rad_Si", "1,440 rad(Si)"),
    (float("nan"), "USD", "n/a"),
    (float("inf"), "kW", "n/a"),
])
def test_quantity(value, unit, text):
    assert f.quantity(value, unit) == text


@pytest.mark.parametrize("value,text", [
    (5.0, "5"), (10.83, "10.8"), (1.4449, "1.44"), (1705.1, "1,705"), (0.25, "0.25"), (341.02, "341"),
    (2.3e7, "23 million"), (4.56e9, "4.56 billion"), (7.1e12, "7.1 trillion"),
    (1e25, "1e25"), (1.36e21, "1.36e21"),       # no word fits: scientific, without '+' or padding zeros
    (5e-5, "5e-5"), (0, "0"), (-1234.4, "-1,234"),
    (True, "yes"), (False, "no"), (np.bool_(True), "yes"),
    (float("nan"), "n/a"), ("text", "text"),
])
def test_number(value, text):
    assert f.number(value) == text


def test_one_boolean_style_in_tables():
    """A boolean cell reads yes/no, never True/False or 0/1."""
    html = tables.table_html([{"closes": True, "other": np.bool_(False)}])
    assert "<td>yes</td>" in html and "<td>no</td>" in html
    assert "True" not in html and "False" not in html


def test_table_cells_use_the_same_numbers():
    html = tables.table_html([{"x": 6.52e10, "y": 1705.1}])
    assert "<td>65.2 billion</td>" in html and "<td>1,705</td>" in html and "e+" not in html


def test_fmt_and_num_delegate():
    """wording.fmt / wording.num (used by the report's other modules) write numbers the same way."""
    assert wording.fmt(6.52e10) == f.number(6.52e10) == "65.2 billion"
    assert wording.num(1705.1) == "1,705"
    assert wording.fmt(float("inf")) == "n/a"


def test_year_has_no_separator():
    assert f.year(2031.0) == "2031" and f.year(float("nan")) == "n/a"


def test_labels_are_words_not_identifiers():
    """Outputs and parameters are named by their declared long name; identifiers inside a long
    name come out in words."""
    from orbitdc.chain import output_specs, parameter_specs

    ident = re.compile(r"\b[a-z]+_[a-z_]+\b")
    for name in [*output_specs(), *parameter_specs()]:
        text = f.label(name)
        assert not ident.search(text), (name, text)
        assert text[:1] == text[:1].upper()
    assert f.label("radiator_area") == f.sentence_case(output_specs()["radiator_area"].long_name)
    assert f.label_with_unit("radiator_area") == f.label("radiator_area") + " [m²]"
    assert f.label("not_a_variable") == "Not a variable"


def test_words_replaces_identifiers():
    assert f.words("present value over mission_lifetime") == "present value over mission lifetime"


@given(st.floats(min_value=1e-3, max_value=1e30, allow_nan=False))
def test_engineering_mantissa_in_range(v):
    """With a prefixable unit the mantissa is in [1, 1000) and reads back to v within the
    rounding to three significant digits."""
    text = f.quantity(v, "W")
    m = re.fullmatch(r"([\d,.]+) ([fpnµmkMGTPEZYRQ]?)W", text)
    assert m, text
    mant = float(m.group(1).replace(",", ""))
    assert 1 <= mant < 1000
    power = {v2: k for k, v2 in f.SI_PREFIXES.items()}[m.group(2)]
    assert math.isclose(mant * 10 ** power, v, rel_tol=5e-3)
