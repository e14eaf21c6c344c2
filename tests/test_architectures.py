"""The shipped architecture files: every number sourced, every assumption ranged and explained,
the four seed architectures on one comparison basis, and compare() returning every output of
DESIGN.md with feasibility per architecture.

Physics checks here are properties of the chain on these inputs (a battery carries the compute
through eclipses: more mass, more availability; the company's stated scale is a different, larger
system), not the chain's own numbers.
"""
from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import cli
from orbitdc.chain import SYSTEM_PARAMETERS, output_specs, parameter_specs
from orbitdc.architectures import ARCHITECTURE_DIR, load_architecture, load_defaults
from orbitdc.catalogs import CATALOG_DIR, catalog_rows
from orbitdc.parameters import load_references, read_yaml

SEED = ["spacex-starlink-compute", "blue-origin-orbital-dc", "openai-partnered-compute", "terrestrial-hyperscale"]
REFERENCE_DESIGNS = ["google-suncatcher", "starcloud-40mw", "ascend"]
VARIANTS = ["openai-stoke-nova"]
ALL = SEED + REFERENCE_DESIGNS + VARIANTS

# DESIGN.md, "Output variables of evaluate()": the contract compare() must return.
DESIGN_OUTPUTS = [
    "altitude", "inclination", "period",
    "eclipse_fraction", "max_eclipse_duration", "eclipse_days",
    "drag_delta_v", "radiation_dose",
    "it_power", "accelerators", "peak_flops", "availability",
    "solar_array_power", "solar_array_area", "solar_array_mass",
    "battery_energy", "battery_mass",
    "waste_heat", "radiator_area", "radiator_mass",
    "satellite_mass", "satellites", "total_mass", "specific_mass",
    "launch_price_per_kg", "launches", "launch_cost", "deployment_years", "launch_co2",
    "capex", "opex", "cost_per_kw_year", "cost_per_accelerator_hour",
    "cost_ratio_vs_terrestrial", "breakeven_launch_price",
    "feasible", "binding_constraint",
]


def test_the_shipped_architectures_are_listed():
    names = set(odc.list_architectures())
    assert set(ALL) <= names
    assert "example-minimal" in names


@pytest.mark.parametrize("name", ALL + ["example-minimal"])
def test_file_name_matches_architecture_name(name):
    assert load_architecture(name).name == name


# ---------------------------------------------------------------------------------------------
# Every number resolves to a reference (100 % of parameters, every catalog row)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(set(odc.list_architectures())))
def test_every_parameter_of_every_architecture_resolves_to_a_reference(name):
    refs = load_references()
    arch = load_architecture(name)
    assert set(arch.parameters) == set(parameter_specs(arch.kind))  # nothing missing, nothing unknown for its kind
    unresolved = [(p, k) for p, par in arch.parameters.items() for k in par.sources if k not in refs]
    assert unresolved == []
    # and every parameter shows a tag in `orbitdc show` (the table the CLI prints)
    assert all(row["tag"] for row in arch.table())


def test_every_default_resolves_to_a_reference():
    refs = load_references()
    defaults = load_defaults()
    assert [(n, k) for n, p in defaults.items() for k in p.sources if k not in refs] == []


@pytest.mark.parametrize("catalog", sorted(p.stem for p in CATALOG_DIR.glob("*.csv")))
def test_every_catalog_row_resolves_to_a_reference(catalog):
    refs = load_references()
    rows = catalog_rows(catalog)
    assert rows, f"catalog {catalog} is empty"
    assert [(r["entry"], r["field"], s) for r in rows for s in r["source"] if s not in refs] == []


@pytest.mark.parametrize("name", ALL)
def test_assumptions_are_ranged_and_explained(name):
    """A gap filled by orbitdc-assumption carries its rationale (note) and, if numeric, a range."""
    arch = load_architecture(name)
    for pname in arch.own:
        p = arch.parameters[pname]
        assert p.note and len(p.note) > 20, f"{name}.{pname}: no rationale in note"
        if "orbitdc-assumption" in p.sources and p.is_numeric and p.dist != "fixed":
            assert p.low < p.high, f"{name}.{pname}: an assumption needs a range"


@pytest.mark.parametrize("name", ALL)
def test_company_claims_are_tagged_claims(name):
    """Where a parameter rests only on the company's own statements, its references say 'claim'.

    The notes mark claims in words; the reference tags make it machine-readable: a parameter whose
    note says CLAIM cites at least one reference tagged claim (or a secondary report of one)."""
    arch = load_architecture(name)
    for pname in arch.own:
        p = arch.parameters[pname]
        if p.note and "CLAIM" in p.note:
            tags = {arch.references[k].tag for k in p.sources}
            assert tags & {"claim", "secondary"}, f"{name}.{pname} says CLAIM but cites {tags}"


# ---------------------------------------------------------------------------------------------
# One comparison basis
# ---------------------------------------------------------------------------------------------
def test_seed_architectures_share_the_comparison_basis():
    basis = load_defaults()
    for name in SEED:
        arch = load_architecture(name)
        for key in ("target_it_power", "start_year", "mission_lifetime"):
            assert key not in arch.own, f"{name} overrides the comparison basis ({key})"
            assert arch.parameters[key].canonical_value == basis[key].canonical_value


@pytest.mark.parametrize("name", SEED + REFERENCE_DESIGNS)
def test_each_architecture_records_its_stated_scale(name):
    arch = load_architecture(name)
    assert "stated_it_power" in SYSTEM_PARAMETERS
    assert "stated_it_power" in arch.own, f"{name} does not record its company's own scale"
    assert arch.parameters["stated_it_power"].note


def test_stated_scale_is_a_second_view_of_a_larger_system():
    """Evaluating SpaceX at its own stated scale (100 GW/yr) builds ~100x the satellites of 1 GW."""
    arch = load_architecture("spacex-starlink-compute")
    stated = arch.parameters["stated_it_power"].canonical_value
    basis = odc.evaluate(arch, stages_only=["orbit", "compute", "power", "thermal", "mass"])
    big = odc.evaluate(arch, target_it_power=stated, stages_only=["orbit", "compute", "power", "thermal", "mass"])
    ratio = float(big["satellites"] / basis["satellites"])
    assert ratio == pytest.approx(stated / arch.parameters["target_it_power"].canonical_value, rel=0.01)
    # per-satellite design does not depend on the fleet size
    assert float(big["satellite_mass"]) == pytest.approx(float(basis["satellite_mass"]))


# ---------------------------------------------------------------------------------------------
# compare(): the whole chain, every DESIGN.md output, feasibility per architecture
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_comparison():
    return odc.compare(SEED)


def test_compare_returns_every_design_output_along_architecture(seed_comparison):
    cmp = seed_comparison
    assert list(cmp["architecture"].values) == SEED
    missing = [v for v in DESIGN_OUTPUTS if v not in cmp]
    assert missing == []
    for v in DESIGN_OUTPUTS:
        assert "architecture" in cmp[v].dims, v
        if v not in ("feasible", "binding_constraint"):
            assert cmp[v].attrs.get("units") == output_specs()[v].unit or v in cmp.data_vars
    assert cmp["feasible"].dtype == bool
    assert cmp["binding_constraint"].dtype.kind in "UO"


def test_compare_space_outputs_are_finite_and_positive(seed_comparison):
    cmp = seed_comparison
    space = [a for a in SEED if a != "terrestrial-hyperscale"]
    for v in ("satellite_mass", "satellites", "total_mass", "specific_mass", "launches", "launch_cost",
              "capex", "cost_per_kw_year", "cost_ratio_vs_terrestrial", "availability", "radiator_area"):
        vals = cmp[v].sel(architecture=space).values.astype(float)
        assert np.all(np.isfinite(vals)) and np.all(vals > 0), (v, vals)
    assert np.all(cmp["availability"].sel(architecture=space).values <= 1)


def test_terrestrial_baseline_is_its_own_reference(seed_comparison):
    ground = seed_comparison.sel(architecture="terrestrial-hyperscale")
    assert float(ground["cost_ratio_vs_terrestrial"]) == pytest.approx(1.0)
    assert float(ground["cost_per_kw_year"]) > 0
    assert math.isnan(float(ground["satellite_mass"]))  # no orbit, no satellite


def test_binding_constraint_is_none_exactly_when_feasible(seed_comparison):
    feasible = seed_comparison["feasible"].values
    binding = seed_comparison["binding_constraint"].values.astype(str)
    assert np.all((binding == "none") == feasible)


# ---------------------------------------------------------------------------------------------
# SpaceX: both eclipse strategies run
# ---------------------------------------------------------------------------------------------
def test_spacex_eclipse_strategies_both_run_and_differ_physically():
    both = odc.evaluate("spacex-starlink-compute", eclipse_strategy=["throttle", "battery"])
    thr, bat = both.sel(eclipse_strategy="throttle"), both.sel(eclipse_strategy="battery")
    assert load_architecture("spacex-starlink-compute").parameters["eclipse_strategy"].value == "throttle"
    for ds in (thr, bat):
        assert np.isfinite(float(ds["cost_per_kw_year"])) and float(ds["satellite_mass"]) > 0
    # a battery that carries the compute through eclipse is heavier and delivers compute longer
    assert float(bat["battery_mass"]) > float(thr["battery_mass"])
    assert float(bat["satellite_mass"]) > float(thr["satellite_mass"])
    assert float(bat["availability"]) > float(thr["availability"])
    # the throttle idles the compute for exactly the eclipse fraction (A_thr = (1 - f_e) A_bat,
    # compute.py; all else equal), so the loss is f_e itself - not "about" it within 0.02 (at
    # f_e = 0.048 the former abs=0.02 allowed a 40 % error)
    lost = 1 - float(thr["availability"]) / float(bat["availability"])
    assert lost == pytest.approx(float(thr["eclipse_fraction"]), rel=1e-9)


def test_spacex_starlink_shell_override_sees_more_eclipse():
    """A 53 deg Starlink-like shell is eclipsed ~1/3 of the time; a dawn-dusk SSO a few percent."""
    both = odc.evaluate("spacex-starlink-compute", orbit_type=["sso", "inclined"],
                        stages_only=["orbit"])
    sso, shell = (float(both["eclipse_fraction"].sel(orbit_type=k)) for k in ("sso", "inclined"))
    assert float(both["altitude"]) == 550.0
    # hard physical ceiling: the beta = 0 fraction at 550 km, asin(R / (R + h)) / pi =
    # asin(6378.1366 / 6928.1366) / pi = 67.02 / 180 = 0.3723 (cylindrical shadow); any year
    # average is below it. The floor 0.25 is an orbitdc judgement (|beta| of a 53 deg orbit stays
    # below the 67 deg shadow limit most of the year), not a published figure.
    assert sso < 0.1 < 0.25 < shell < 0.3723


# ---------------------------------------------------------------------------------------------
# The CLI shows every parameter with unit, range, source and tag
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["spacex-starlink-compute", "terrestrial-hyperscale", "google-suncatcher"])
def test_show_lists_every_parameter_with_unit_range_source_and_tag(name):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["show", name]) == 0
    text = out.getvalue()
    arch = load_architecture(name)
    # A parameter's row starts at column 0; wrapped cells and, on a narrow terminal, the sources
    # continue on the lines below it, indented.
    lines: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.strip() and not line[0].isspace():
            current = line.split()[0] if line.split()[0] in arch.parameters else None
            if current:
                lines[current] = line
        elif current and line.strip():
            lines[current] += "\n" + line
    assert set(lines) == set(arch.parameters)
    for pname, p in arch.parameters.items():
        line = lines[pname]
        for key in p.sources:
            assert key in line, (pname, key)
        if p.is_numeric:
            assert (p.unit or "") in line
            assert f"{p.low:g}" in line.split() and f"{p.high:g}" in line.split()
        assert any(arch.references[k].tag in line for k in p.sources)


def test_readme_example_is_the_minimal_file():
    raw = read_yaml(ARCHITECTURE_DIR / "example-minimal.yaml")
    assert set(raw) == {"name", "description", "kind", "parameters"}
    readme = (ARCHITECTURE_DIR / "README.md").read_text(encoding="utf-8")
    assert "example-minimal" in readme
    for name in ALL:
        assert name in readme, f"README does not describe {name}"


def test_a_file_read_again_is_the_file_on_disk_and_the_callers_copy_is_its_own(tmp_path):
    """read_yaml keeps parsed documents by content (a file read again unchanged is parsed once):
    a caller's edits never reach the next reader, and a file rewritten within the same clock tick
    with the same size (a modification-time key would miss it) is read afresh."""
    f = tmp_path / "a.yaml"
    f.write_text("value: 100\nitems: [1, 2]\n", encoding="utf-8")
    first = read_yaml(f)
    first["value"] = -1
    first["items"].append(3)
    assert read_yaml(f) == {"value": 100, "items": [1, 2]}
    f.write_text("value: 200\nitems: [1, 2]\n", encoding="utf-8")  # same size, same inode
    assert read_yaml(f) == {"value": 200, "items": [1, 2]}


def test_every_shipped_data_file_parses_the_same_through_libyaml_and_pure_python():
    """read_yaml parses with libyaml where it safely can (orbitdc._yaml._fast_load): for every YAML
    file orbitdc ships, the document is the one PyYAML's pure-Python strict loader builds."""
    import yaml

    from orbitdc import _yaml
    from orbitdc.parameters import DATA_DIR

    files = sorted(DATA_DIR.rglob("*.yaml"))
    assert len(files) > 30
    for f in files:
        text = f.read_text(encoding="utf-8")
        fast, doc = _yaml._fast_load(text)
        assert fast, f"{f}: not read by libyaml"
        assert doc == yaml.load(text, Loader=_yaml._StrictLoader), f  # noqa: S506 - a SafeLoader


@pytest.mark.parametrize("text,refusal", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ("x: &a [1]\n" + "".join(f"y{i}: *a\n" for i in range(60)), "more than 50 YAML aliases"),
], ids=["duplicate-key", "deep-nesting", "alias-bound"])
def test_what_libyaml_may_not_read_goes_through_the_strict_loader(tmp_path, text, refusal):
    """A duplicate key, deep nesting or more aliases than the bound: not read by libyaml's fast
    path, and refused by read_yaml with the pure-Python strict loader's words."""
    from orbitdc import _yaml
    from orbitdc.errors import ArchitectureError

    assert _yaml._fast_load(text) == (False, None)
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ArchitectureError, match=refusal):
        read_yaml(f)


def test_the_loaded_architecture_cache_sees_files_edited_added_and_removed(tmp_path, monkeypatch):
    """load_architecture returns a cached copy while nothing it depends on changed; its stamp
    (the file, and every references / defaults / catalogs folder of every data layer) must notice
    an edited architecture file, a reference file added to a user's data folder, and its removal."""
    from orbitdc.datadirs import DATA_DIR_ENV
    from orbitdc.errors import OrbitdcError

    user = tmp_path / "mydata"
    (user / "references").mkdir(parents=True)
    monkeypatch.setenv(DATA_DIR_ENV, str(user))
    arch = tmp_path / "cached-arch.yaml"

    def write(power_mw: int, source: str) -> None:
        arch.write_text(f"name: cached-arch\ndescription: d\nkind: space\nparameters:\n"
                        f"  target_it_power: {{value: {power_mw}, unit: MW, low: 1, high: 1000, source: {source}}}\n",
                        encoding="utf-8")

    write(100, "orbitdc-assumption")
    assert load_architecture(arch).parameters["target_it_power"].canonical_value == pytest.approx(100_000)
    write(1000, "orbitdc-assumption")  # a longer file
    assert load_architecture(arch).parameters["target_it_power"].canonical_value == pytest.approx(1_000_000)
    write(100, "my-own-source")
    with pytest.raises(OrbitdcError, match="my-own-source"):
        load_architecture(arch)
    ref = user / "references" / "mine.yaml"
    ref.write_text("my-own-source:\n  title: My notes\n  author: me\n  year: 2026\n  url: https://example.org\n"
                   "  tag: assumption\n  verification: \"unverified: my notes\"\n", encoding="utf-8")
    assert load_architecture(arch).parameters["target_it_power"].source == "my-own-source"
    ref.unlink()
    with pytest.raises(OrbitdcError, match="my-own-source"):
        load_architecture(arch)
