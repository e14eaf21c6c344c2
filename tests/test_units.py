"""orbitdc.units: astropy units at the edge, canonical floats inside (round trips, offsets,
DataArrays with units, parsed strings, domain checks)."""
import astropy.units as u
import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc import units


# ---------------------------------------------------------------------------------- units
def test_money_flop_and_dose_units_parse_after_import():
    assert u.Unit("USD/kg").is_equivalent(u.Unit("MUSD/t"))
    # 1 USD/kg = 1000 USD/t
    assert (1 * u.Unit("USD/kg")).to_value(u.Unit("USD/t")) == pytest.approx(1000.0)
    assert (1 * u.Unit("USD/(kW yr)")).to_value(u.Unit("USD/(MW yr)")) == pytest.approx(1000.0)
    # TPU v6e: 918 TFLOPS bf16 (REFERENCES.md) = 9.18e14 FLOP/s
    assert (918 * u.Unit("TFLOP/s")).to_value(u.Unit("FLOP/s")) == pytest.approx(9.18e14)
    # 1 rad = 0.01 Gy (definition); astropy's plain "rad" is a radian, hence rad_Si
    assert (1 * units.rad_Si).to_value(u.Gy) == pytest.approx(0.01)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_quantity_round_trip_through_canonical_floats_and_dataarray(x):
    q = x * u.MW
    plain = units.strip(q, "kW", "power")
    assert plain == pytest.approx(x * 1000.0, rel=1e-12, abs=1e-300)
    da = units.wrap(plain, "kW", "power")
    assert da.attrs == {"units": "kW", "long_name": "power"}
    back = units.to_quantity(da).to(u.MW)
    assert back.value == pytest.approx(x, rel=1e-12, abs=1e-300)


def test_dataarray_with_units_is_converted_and_keeps_dims():
    da = xr.DataArray([500.0, 650.0], dims="altitude", attrs={"units": "km"})
    m = units.strip(da, "m", "altitude")
    assert m.dims == ("altitude",)
    np.testing.assert_allclose(m.values, [500e3, 650e3])


def test_temperature_conversion_uses_the_offset():
    # 20 degC = 293.15 K (a scale factor alone would give 20 K)
    assert units.strip(20 * u.deg_C, "K", "temperature") == pytest.approx(293.15)
    da = xr.DataArray([0.0, 100.0], attrs={"units": "deg_C"})
    np.testing.assert_allclose(units.strip(da, "K", "t").values, [273.15, 373.15])


def test_string_quantity_is_parsed():
    assert units.strip("650 km", "m", "altitude") == pytest.approx(650_000.0)
    with pytest.raises(odc.ParameterError) as info:
        units.strip("650 kg", "m", "altitude")
    assert info.value.parameter == "altitude"


def test_check_domain_names_the_parameter_and_the_bound():
    units.check_domain("efficiency", np.array([0.3, 0.5]), 0.0, 1.0, lo_open=True)  # inside: no error
    with pytest.raises(odc.ParameterError) as info:
        units.check_domain("efficiency", np.array([0.3, 1.2]), 0.0, 1.0, lo_open=True)
    assert info.value.parameter == "efficiency" and "<= 1" in str(info.value)
    with pytest.raises(odc.ParameterError, match=r"> 0"):
        units.check_domain("efficiency", xr.DataArray([0.0]), 0.0, 1.0, lo_open=True)
    with pytest.raises(odc.ParameterError, match="finite"):
        units.check_domain("power", [np.nan], 0.0)
