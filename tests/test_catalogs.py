"""Catalog values as overridable parameters (issue 12 item 1).

Every catalog-backed parameter (``ParameterSpec.catalog``) defaults to the catalog field of the
entry its choice parameter names, so nothing changes unless the user overrides it; an override
changes exactly what the field feeds. Hand-derived expectations:

* radiator mass = radiator area x areal density (thermal module docstring), the area does not
  depend on the areal density without a heat pump (no mass-optimal temperature trade), so
  ``radiator_areal_density=2.5`` gives ``radiator_mass = area x 2.5`` and nothing upstream moves;
* emitted flux ~ fin efficiency (``sigma eta_fin n eps (T^4 - T_s^4)``), so the emitted part of
  the net flux scales by the ratio of fin efficiencies;
* array area ~ 1 / cell efficiency (SMAD eq. 11-6: ``A = P / (eta S I_d ...)``);
* compute hardware cost = units x unit price; compute mass = units x unit mass x packaging factor.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import orbitdc as odc
from orbitdc import cli
from orbitdc.chain import parameter_specs
from orbitdc.errors import ArchitectureError, OrbitdcError
from orbitdc.catalogs import catalog_rows, unregister_catalog_dir

ARCH = "spacex-starlink-compute"  # no heat pump: radiator area does not depend on the areal density
UPSTREAM_OF_THERMAL = ("altitude", "eclipse_fraction", "radiation_dose", "it_power", "accelerators", "availability",
                       "solar_array_power", "solar_array_area", "solar_array_mass", "battery_mass",
                       "waste_heat", "radiator_area", "radiator_temperature")

CATALOG_PARAMETERS = {
    "radiator_areal_density": ("radiators", "areal_density", "radiator"),
    "radiator_fin_efficiency": ("radiators", "fin_efficiency", "radiator"),
    "solar_cell_efficiency": ("solar_cells", "efficiency", "solar_cell"),
    "solar_cell_temperature_coefficient": ("solar_cells", "temperature_coefficient", "solar_cell"),
    "accelerator_price": ("accelerators", "unit_price", "accelerator"),
    "accelerator_mass": ("accelerators", "mass", "accelerator"),
    "accelerator_power": ("accelerators", "power", "accelerator"),
    "accelerator_peak_flops": ("accelerators", "peak_flops", "accelerator"),
    "accelerator_tid_limit": ("accelerators", "tid_limit", "accelerator"),
    "vehicle_payload_leo": ("launch_vehicles", "payload_reference", "launch_vehicle"),
    "vehicle_price": ("launch_vehicles", "price", "launch_vehicle"),
    "vehicle_flights_per_year": ("launch_vehicles", "flights_per_year_planned", "launch_vehicle"),
}


@pytest.fixture(scope="module")
def base():
    return odc.evaluate(ARCH)


def _row(catalog, entry, field):
    return next(r for r in catalog_rows(catalog) if r["entry"] == entry and r["field"] == field)


def test_specs_declare_the_catalog_field():
    specs = parameter_specs()
    for name, cat in CATALOG_PARAMETERS.items():
        assert specs[name].catalog == cat, name


@pytest.mark.parametrize("name", sorted(CATALOG_PARAMETERS))
def test_default_is_the_chosen_entry_catalog_value(name):
    """The loaded parameter carries the catalog cell (value, range, sources) of the arch's entry."""
    arch = odc.load_architecture(ARCH)
    catalog, field, choice = CATALOG_PARAMETERS[name]
    entry = arch.parameters[choice].value
    p = arch.parameters[name]
    row = _row(catalog, entry, field)
    assert p.catalog_entry == entry
    assert (p.value, p.low, p.high) == (row["value"], row["low"], row["high"])
    assert p.sources == row["source"]
    assert p.origin == f"data/catalogs/{catalog}.csv"
    # issue 15: a catalog cell with a range is drawn by Monte Carlo, triangular(low, value, high)
    assert p.dist == ("triangular" if row["low"] < row["high"] else "fixed")


def test_defaults_change_nothing(base):
    """Overriding every catalog parameter with its own catalog value gives the same numbers, bit for bit."""
    arch = odc.load_architecture(ARCH)
    same = odc.evaluate(arch, **{n: arch.parameters[n].quantity for n in CATALOG_PARAMETERS})
    for var in ("satellite_mass", "cost_per_kw_year", "cost_ratio_vs_terrestrial", "payload_to_orbit", "deployment_years"):
        assert float(same[var]) == float(base[var]), var


def test_radiator_areal_density_scales_radiator_mass_only(base):
    ds = odc.evaluate(ARCH, radiator_areal_density=2.5)
    assert float(ds.radiator_mass) == pytest.approx(float(base.radiator_area) * 2.5, rel=1e-12)
    assert float(base.radiator_mass) == pytest.approx(float(base.radiator_area) * 3.5, rel=1e-12)  # catalog value
    for var in UPSTREAM_OF_THERMAL:
        np.testing.assert_array_equal(ds[var].values, base[var].values, err_msg=var)
    # downstream: the satellite is lighter by exactly the radiator mass saved, times the mass closure
    assert float(ds.satellite_mass) < float(base.satellite_mass)


@settings(max_examples=20, deadline=None)
@given(rho=st.floats(min_value=0.1, max_value=100.0))
def test_radiator_mass_is_area_times_areal_density(rho):
    ds = odc.evaluate(ARCH, radiator_areal_density=rho)
    assert float(ds.radiator_mass) == pytest.approx(float(ds.radiator_area) * rho, rel=1e-12)
    assert float(ds.radiator_areal_density) == rho


def test_fin_efficiency_scales_the_emitted_flux(base):
    ds = odc.evaluate(ARCH, radiator_fin_efficiency=0.5)
    emitted_base = float(base.radiator_net_flux + base.radiator_absorbed_flux)
    emitted = float(ds.radiator_net_flux + ds.radiator_absorbed_flux)
    assert emitted == pytest.approx(emitted_base * 0.5 / 0.85, rel=1e-12)
    assert float(ds.radiator_area) == pytest.approx(float(base.waste_heat) * 1e3 / float(ds.radiator_net_flux), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(eta=st.floats(min_value=0.05, max_value=0.6))
def test_array_area_scales_inversely_with_cell_efficiency(eta):
    base = odc.evaluate(ARCH)
    ds = odc.evaluate(ARCH, solar_cell_efficiency=eta)
    assert float(ds.solar_array_area) == pytest.approx(float(base.solar_array_area) * 0.30 / eta, rel=1e-10)
    assert float(ds.solar_array_mass) == float(base.solar_array_mass)  # mass from specific power, not area


def test_accelerator_price_changes_cost_not_mass(base):
    ds = odc.evaluate(ARCH, accelerator_price=30_000)
    assert float(ds.compute_hardware_cost) == pytest.approx(float(base.accelerators) * 30_000, rel=1e-12)
    assert float(ds.satellite_mass) == float(base.satellite_mass)
    assert float(ds.cost_per_kw_year) < float(base.cost_per_kw_year)
    # the terrestrial twin prices the same accelerators: its cost falls too
    assert float(ds.terrestrial_cost_per_kw_year) < float(base.terrestrial_cost_per_kw_year)


def test_accelerator_mass_scales_compute_mass(base):
    ds = odc.evaluate(ARCH, accelerator_mass=10.0)
    assert float(ds.compute_mass) == pytest.approx(float(base.accelerators) * 10.0 * float(base.compute_mass_factor), rel=1e-12)
    np.testing.assert_array_equal(ds.it_power.values, base.it_power.values)


def test_accelerator_power_changes_the_count(base):
    ds = odc.evaluate(ARCH, accelerator_power=2 * float(base.accelerator_power))
    assert float(ds.accelerators) <= float(base.accelerators) / 2 + 1


def test_vehicle_payload_changes_payload_to_orbit_not_the_satellite(base):
    ds = odc.evaluate(ARCH, vehicle_payload_leo="100 t")
    assert float(ds.payload_to_orbit) < float(base.payload_to_orbit)
    assert float(ds.satellite_mass) == float(base.satellite_mass)


def test_swept_choice_follows_the_catalog():
    ds = odc.evaluate(ARCH, radiator=["iss-hrs", "advanced-deployable"])
    np.testing.assert_array_equal(ds.radiator_areal_density.values, [14.5, 3.5])
    assert ds.radiator_areal_density.dims == ("radiator",)
    np.testing.assert_allclose(ds.radiator_mass.values, ds.radiator_area.values * [14.5, 3.5], rtol=1e-12)


def test_override_wins_over_a_swept_choice():
    ds = odc.evaluate(ARCH, radiator=["iss-hrs", "advanced-deployable"], radiator_areal_density=5.0)
    np.testing.assert_allclose(ds.radiator_mass.values, ds.radiator_area.values * 5.0, rtol=1e-12)


def test_set_in_an_architecture_file(tmp_path):
    path = tmp_path / "light.yaml"
    path.write_text(textwrap.dedent("""\
        name: light
        description: Starlink compute with a 2 kg/m2 radiator
        parameters:
          radiator_areal_density: {value: 2000, unit: g/m2, low: 1500, high: 2500, source: orbitdc-assumption}
        """))
    arch = odc.load_architecture(path)
    assert arch.parameters["radiator_areal_density"].canonical_value == 2.0
    assert arch.parameters["radiator_areal_density"].catalog_entry is None
    ds = odc.evaluate(arch)
    assert float(ds.radiator_mass) == pytest.approx(float(ds.radiator_area) * 2.0, rel=1e-12)
    # the file's own value holds when the choice is swept (the user's assumption, not the catalog's)
    sw = odc.evaluate(arch, radiator=["iss-hrs", "advanced-deployable"])
    assert float(sw.radiator_areal_density) == 2.0


@pytest.mark.parametrize("value, reason", [
    ("2.5 m", "cannot be converted"),
    ("-1", "out of range"),
    ("0", "out of range"),
])
def test_bad_override_is_an_architecture_error(value, reason):
    with pytest.raises(ArchitectureError, match=reason) as exc:
        odc.evaluate(ARCH, radiator_areal_density=value)
    assert exc.value.parameter == "radiator_areal_density"


def test_bad_file_value_names_file_and_parameter(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""\
        name: bad
        description: fin efficiency above 1
        parameters:
          radiator_fin_efficiency: {value: 1.2, unit: "1", low: 1.1, high: 1.3, source: orbitdc-assumption}
        """))
    with pytest.raises(ArchitectureError, match="out of range") as exc:
        odc.load_architecture(path)
    assert exc.value.parameter == "radiator_fin_efficiency" and "bad.yaml" in exc.value.file


def test_cli_set_and_bad_set(tmp_path, capsys):
    out = tmp_path / "o.nc"
    assert cli.main(["evaluate", ARCH, "--set", "radiator_areal_density=2.5 kg/m2", "-o", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()
    bad = tmp_path / "bad.nc"
    assert cli.main(["evaluate", ARCH, "--set", "radiator_areal_density=2.5 m", "-o", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "radiator_areal_density" in err[0] and "cannot be converted" in err[0]
    assert not bad.exists()


# ---- user catalog entries: a catalogs/ folder next to the user's architecture -----------------
RADIATOR_HEADER = "entry,field,value,unit,low,high,source,note\n"
MY_RADIATOR = (RADIATOR_HEADER
               + "my-radiator,description,Carbon-carbon fins,,,,orbitdc-assumption,\n"
               + "my-radiator,areal_density,1500,g/m2,1000,2000,orbitdc-assumption,assumed\n"
               + "my-radiator,fin_efficiency,0.8,1,0.7,0.9,orbitdc-assumption,assumed\n"
               + "my-radiator,sides,2,1,2,2,orbitdc-assumption,\n")


def _user_study(tmp_path: Path, csv_text: str) -> Path:
    (tmp_path / "catalogs").mkdir()
    (tmp_path / "catalogs" / "radiators.csv").write_text(csv_text)
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent("""\
        name: mine
        description: Starlink compute with my radiator
        parameters:
          radiator: {value: my-radiator, source: orbitdc-assumption}
        """))
    return path


@pytest.fixture
def study(tmp_path):
    yield tmp_path
    unregister_catalog_dir(tmp_path / "catalogs")


def test_user_catalog_entry(study):
    arch = odc.load_architecture(_user_study(study, MY_RADIATOR))
    p = arch.parameters["radiator_areal_density"]
    assert p.canonical_value == pytest.approx(1.5) and p.catalog_entry == "my-radiator"  # converted from g/m2
    ds = odc.evaluate(arch)
    assert float(ds.radiator_mass) == pytest.approx(float(ds.radiator_area) * 1.5, rel=1e-12)
    emitted = float(ds.radiator_net_flux + ds.radiator_absorbed_flux)
    ref = odc.evaluate(arch, radiator_fin_efficiency=0.85)
    assert emitted == pytest.approx(float(ref.radiator_net_flux + ref.radiator_absorbed_flux) * 0.8 / 0.85, rel=1e-12)


@pytest.mark.parametrize("row, reason", [
    ("my-radiator,areal_densty,1.5,kg/m2,1,2,orbitdc-assumption,\n", "unknown field 'areal_densty'"),
    ("my-radiator,areal_density,1.5,m,1,2,orbitdc-assumption,\n", "wrong dimension"),
    ("iss-hrs,areal_density,1.5,kg/m2,1,2,orbitdc-assumption,\n", "already in data/catalogs/radiators.csv"),
    ("my-radiator,areal_density,1.5,kg/m2,1,2,no-such-source,\n", "not a reference key"),
])
def test_bad_user_catalog(study, row, reason):
    path = _user_study(study, MY_RADIATOR + row)
    with pytest.raises(ArchitectureError, match=reason) as exc:
        odc.load_architecture(path)
    assert "catalogs/radiators.csv" in exc.value.file
    # nothing registered: the shipped catalog is unchanged
    assert "my-radiator" not in odc.catalogs.load_catalog("radiators")["entry"].values


def test_user_catalog_entry_must_give_every_field(study):
    text = "\n".join(line for line in MY_RADIATOR.splitlines() if ",sides," not in line) + "\n"
    with pytest.raises(ArchitectureError, match="lacks field"):
        odc.load_architecture(_user_study(study, text))


def test_user_catalog_out_of_domain(study):
    text = MY_RADIATOR.replace("0.8,1,0.7,0.9", "1.5,1,1.2,1.8")
    with pytest.raises(ArchitectureError, match="out of range") as exc:
        odc.load_architecture(_user_study(study, text))
    assert exc.value.parameter == "radiator_fin_efficiency"


def test_cli_user_catalog_error_is_one_line(study, capsys):
    path = _user_study(study, MY_RADIATOR + "my-radiator,colour,3,1,3,3,orbitdc-assumption,\n")
    assert cli.main(["show", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "radiators.csv" in err[0] and "colour" in err[0]


def test_orbitdc_error_is_raised_for_unknown_catalog_file(study):
    (study / "catalogs").mkdir()
    (study / "catalogs" / "heatpipes.csv").write_text(RADIATOR_HEADER)
    path = study / "x.yaml"
    path.write_text("name: x\ndescription: x\nparameters: {}\n")
    with pytest.raises(OrbitdcError, match="no shipped catalog"):
        odc.load_architecture(path)
