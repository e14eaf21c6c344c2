"""Published analyses with their own assumptions (issue 12 item 6; issue 28): ``data/architectures/published/``
holds them, each is reproduced from the publication's own inputs and compared with its outputs, and
``orbitdc.reconcile`` walks term by term from the published figure to orbitdc's full TCO.

McCalip (mccalip2026, analyst; VERIFIED against the calculator's published source, static/js/math.js
at commit e59571e): at its default positions - 1 GW, 5 years, launch $500/kg, satellites $22/W at
36.5 W/kg, 27 kW satellites, 98 % sunlight, 2.5 %/yr cell degradation, 9 %/yr GPU replacement, ops
1 %/yr, NRE $1B - its code gives 39,731 satellites, 29.39 million kg, $51.1B ($51.10/W) in orbit and
$15.85B on the ground (spacedc-mdao restates the $51bn, SECONDARY). Suncatcher and Starcloud are
reproduced in tests/test_reproduction.py from data/published_claims.yaml.
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

import orbitdc as odc
from orbitdc.errors import OrbitdcError
from orbitdc.architectures import list_published
from orbitdc.datadirs import SHIPPED_DATA_DIR
from orbitdc.parameters import DATA_DIR, VERIFICATION_FORM, Reference, load_references, read_yaml
from orbitdc.reconciliation import VERIFICATION_ORDER, published_claim, verification_of
from orbitdc.report_sections import reconciliation_rows, reconciliation_summary

CLAIMS = read_yaml(DATA_DIR / "published_claims.yaml")["claims"]


def test_every_reference_has_a_verification_status():
    """Issue 28: every shipped reference says how the figures orbitdc takes from it were checked -
    'verified: <quoted source text>, <section/page>', 'secondary: <named report>' or 'unverified'.
    Tests and the report read it; a missing status fails here (the schema checks the form)."""
    refs = load_references(SHIPPED_DATA_DIR / "references")
    missing = sorted(k for k, r in refs.items() if r.verification is None)
    assert not missing, f"references without a verification status: {missing}"
    for key, r in refs.items():
        assert VERIFICATION_FORM.match(r.verification), key
        if r.verification_status == "verified":  # quoted text and where it stands
            assert "'" in r.verification or '"' in r.verification, key
    # every reference the published claims rest on carries a status the report can show
    for cid, c in CLAIMS.items():
        keys = [c["source"]] if isinstance(c["source"], str) else c["source"]
        assert all(refs[k].verification_status in ("verified", "secondary", "unverified") for k in keys), cid


def test_claims_are_never_better_verified_than_their_sources():
    """data/published_claims.yaml states each figure's verification; it cannot be stronger than the
    weakest of its source references, and the reconciliation and the report carry it."""
    for cid, c in CLAIMS.items():
        status = c.get("verification")
        assert status in VERIFICATION_ORDER, cid
        assert VERIFICATION_ORDER.index(status) >= VERIFICATION_ORDER.index(verification_of(c["source"])), cid
    w = odc.reconcile("mccalip-1gw")
    assert w.attrs["verification"] == "verified"
    rows = reconciliation_rows(w)
    assert rows[0]["step"] == "published figure (verified)"
    assert "verification: verified" in reconciliation_summary(w, "mass")
    assert odc.reconcile("starcloud-40mw").attrs["verification"] == "unverified"


#: the test files that anchor the physics and the published analyses to outside figures
ANCHOR_TESTS = ("test_published.py", "test_reproduction.py", "test_launch.py", "test_compute.py", "test_mass.py",
                "test_orbit.py", "test_thermal.py", "test_power.py", "test_economics.py")


def test_tests_against_unverified_references_say_so():
    """A test whose body cites an unverified reference (not an orbitdc assumption) names it
    'unverified' in its name or docstring, so a green run is not read as confirmation."""
    refs = load_references(SHIPPED_DATA_DIR / "references")
    unverified = {k for k, r in refs.items() if r.verification_status == "unverified" and r.tag != "assumption"}
    here = Path(__file__).parent
    silent = []
    for name in ANCHOR_TESTS:
        src = (here / name).read_text(encoding="utf-8")
        lines = src.splitlines()
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                body = "\n".join(lines[node.lineno - 1:node.end_lineno])
                cited = [k for k in unverified if re.search(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", body)]
                said = "unverified" in ((ast.get_docstring(node) or "") + node.name).lower()
                if cited and not said:
                    silent.append(f"{name}::{node.name} ({', '.join(sorted(cited))})")
    assert not silent, "tests citing unverified references without saying so: " + "; ".join(silent)


def test_a_user_reference_without_a_status_reads_as_unverified():
    r = Reference(title="t", author="a", year=2026, url="u", tag="claim")
    assert r.verification is None and r.verification_status == "unverified"
    with pytest.raises(ValueError, match="verification must be"):
        Reference(title="t", author="a", year=2026, url="u", tag="claim", verification="checked by me")


def test_published_folder():
    assert {"google-suncatcher", "starcloud-40mw", "mccalip-1gw", "starcloud-3"} <= set(list_published())
    assert set(list_published()) <= set(odc.list_architectures())
    for name in list_published():
        arch = odc.load_architecture(name)
        assert arch.path.parent.name == "published"


def _mccalip_calculator(i: dict) -> dict:
    """McCalip's calculateOrbital() (static/js/math.js, commit e59571e), written out from the
    publication's own equations with its inputs ``i`` (published_claims.yaml 'inputs'):
    mean capacity retention r = (1/N) sum_{y<N} (1 - d)^y; required power P = P_target / (r s);
    satellites n = ceil(P / P_sat); mass M = n P_sat / sigma; hardware H = c_W n P_sat;
    launch L = c_kg M; ops = f_ops H N; replacement = f_gpu H N; total = H + L + ops + repl + NRE."""
    v = {k: x["value"] for k, x in i.items()}
    years = int(v["period"])
    retention = sum((1 - v["cell_degradation"]) ** y for y in range(years)) / years
    p_req = v["capacity"] * 1e9 / (retention * v["sun_fraction"])
    n = math.ceil(p_req / (v["satellite_power"] * 1e3))
    mass = n * v["satellite_power"] * 1e3 / v["specific_power"]
    hw = v["satellite_cost_per_watt"] * n * v["satellite_power"] * 1e3
    launch = v["launch_price_per_kg"] * mass
    ops = hw * v["ops_fraction"] * years
    repl = hw * v["gpu_failure_rate"] * years
    return {"satellites": n, "mass_kg": mass, "hardware": hw, "launch": launch, "operations": ops,
            "replacement": repl, "total": hw + launch + ops + repl + v["nre"] * 1e9, "retention": retention}


def test_mccalip_reproduced_from_the_calculators_inputs():
    """From the published inputs to the published outputs, each to the digits it is stated to
    (3 significant figures; the satellite count exactly): not the headline's ratios fed back."""
    c = CLAIMS["mccalip-orbital-capex-1gw"]
    out = {k: x["value"] for k, x in c["outputs"].items()}
    got = _mccalip_calculator(c["inputs"])
    assert got["satellites"] == out["satellites"]
    assert got["mass_kg"] / 1e3 == pytest.approx(out["mass_to_leo"], abs=0.5)
    for key, name in (("hardware", "satellite_hardware"), ("launch", "launch"), ("operations", "operations"),
                      ("replacement", "gpu_replacement")):
        assert got[key] / 1e9 == pytest.approx(out[name], abs=0.005), key
    assert got["total"] == pytest.approx(c["value"], rel=0.05 / 51.1)
    # the ratio the second claim states is the ratio of the two published totals
    ratio = CLAIMS["mccalip-1gw"]
    assert got["total"] / (out["terrestrial_total"] * 1e9) == pytest.approx(ratio["value"], abs=0.005)
    # the page's static "$31.2B = $9.0B + $22.2B" is not the calculator's output at its defaults
    assert abs(got["total"] - 31.2e9) > 10e9


def test_mccalip_through_the_model_in_its_own_scope():
    """orbitdc on mccalip-1gw (the calculator's inputs): its top-down mass is the calculator's mass
    without the calculator's oversizing for sunlight and cell ageing, 1 / (0.98 x 0.9512) = 1.0727
    (orbitdc models eclipses and degradation in the power stage instead), and its per-kg prices are
    the calculator's $22/W and $500/kg."""
    c = CLAIMS["mccalip-orbital-capex-1gw"]
    got = _mccalip_calculator(c["inputs"])
    ds = odc.evaluate("mccalip-1gw")
    v = {k: x["value"] for k, x in c["inputs"].items()}
    orbitdc_kg = float(ds.total_mass) * 1000.0
    satellites = float(ds.satellites)
    # the same specific power; orbitdc's satellite carries whole accelerators (~26.6 kW of the 27)
    installed_kw = satellites * float(ds.it_power)
    assert orbitdc_kg == pytest.approx(installed_kw * 1e3 / v["specific_power"], rel=1e-9)
    assert installed_kw == pytest.approx(1e6, rel=1e-3)  # 1 GW, to whole satellites
    # the calculator installs 1 GW / (0.98 x 0.9512) = 1.0727 GW: the whole mass gap is that margin
    assert got["mass_kg"] / orbitdc_kg == pytest.approx(1.0 / (v["sun_fraction"] * got["retention"]), rel=2e-3)
    assert float(ds.bus_cost_per_kg) == pytest.approx(v["satellite_cost_per_watt"] * v["specific_power"], rel=2e-3)
    assert float(ds.launch_price_per_kg) == v["launch_price_per_kg"]
    assert float(ds.cost_breakdown.sel(cost_item="compute_hardware")) == 0.0  # GPUs excluded


@pytest.mark.parametrize("arch", ["google-suncatcher", "mccalip-1gw", "starcloud-40mw", "starcloud-3"])
def test_reconcile_adds_up(arch):
    w = odc.reconcile(arch)
    cid, c = published_claim(arch)
    steps = list(w["step"].values)
    assert steps[:6] == ["published", "published_arithmetic", "model_in_published_scope", "mass_basis", "finance",
                         "availability"]
    np.testing.assert_allclose(np.cumsum(w["change"].values), w["value"].values, rtol=1e-12)
    over = dict(c.get("overrides") or {})
    # orbitdc's full TCO: the publication's inputs, orbitdc's bottom-up mass, every cost item
    full = odc.evaluate(arch, **over, include_compute_hardware=True, cost_scope="full", mass_model="bottom_up")
    assert float(w["value"][-1]) == pytest.approx(float(full.cost_per_kw_year), rel=1e-9)
    assert w.attrs["claim"] == cid and w["value"].attrs["units"] == "USD/(kW yr)"
    for item in c["included"]:
        assert item not in steps


def test_reconcile_first_steps_by_hand():
    # McCalip: $51.1B over 1 GW (1e6 kW) and 5 years = 10,220 USD per kW-yr
    w = odc.reconcile("mccalip-1gw")
    assert float(w["value"].sel(step="published")) == pytest.approx(51.1e9 / (1e6 * 5), rel=1e-12)
    ds = odc.evaluate("mccalip-1gw", include_compute_hardware=True, discounting=False,
                      impose_availability=True, imposed_availability=1.0)
    cb = ds.cost_breakdown
    included = CLAIMS["mccalip-orbital-capex-1gw"]["included"]
    own = float(sum(cb.sel(cost_item=k) for k in included)) / (
        float(ds.it_power) * float(ds.satellites) * float(ds.mission_lifetime))
    assert float(w["value"].sel(step="model_in_published_scope")) == pytest.approx(own, rel=1e-9)
    # the publication's arithmetic on orbitdc's masses: launch and bus at the calculator's $500/kg and
    # $803/kg on orbitdc's 27.4 million kg, the other included items as orbitdc costs them
    mass_kg = float(ds.total_mass) * 1000.0
    per_kg = mass_kg * (float(ds.launch_price_per_kg) + float(ds.bus_cost_per_kg)) / (1e6 * 5)
    assert float(w["value"].sel(step="published_arithmetic")) > per_kg
    assert per_kg == pytest.approx((500 + 803) * 27.40e6 / 5e6, rel=2e-3)
    # Suncatcher's figure is already per kW-yr; its mass is bottom-up: the mass step is zero
    s = odc.reconcile("google-suncatcher")
    assert float(s["value"].sel(step="published")) == 810.0
    assert float(s["change"].sel(step="mass_basis")) == 0.0
    assert float(s["change"].sel(step="compute_hardware")) > 0


def test_reconcile_without_a_marked_claim():
    with pytest.raises(OrbitdcError, match="no claim marked"):
        odc.reconcile("terrestrial-hyperscale")


def test_starcloud_3_headline_in_its_own_scope():
    """200 kW in ~3 t = 15 kg/kW (the CEO's figures, data/published_claims.yaml 'starcloud-3'):
    the top-down mass reproduces it to the precision of the stated '~3 t' (one significant figure
    of the mass: 15 kg/kW to +-1/6)."""
    c = CLAIMS["starcloud-3"]
    i = c["inputs"]
    own = i["satellite_mass"]["value"] * 1000.0 / i["satellite_power"]["value"]
    assert own == pytest.approx(c["value"], rel=1e-12)
    ds = odc.evaluate("starcloud-3")
    assert float(ds.satellite_it_power) == i["satellite_power"]["value"]
    assert float(ds.specific_mass) == pytest.approx(c["value"], rel=1e-3)
    assert float(ds.launch_price_per_kg) == i["breakeven_launch_price"]["value"]
    # orbitdc's own bottom-up mass for the same satellite, beside the claim (a finding, not a fit)
    bottom_up = odc.evaluate("starcloud-3", mass_model="bottom_up")
    assert math.isfinite(float(bottom_up.specific_mass))


# ---------------------------------------------------------------------------------------------
# Integrated validation (issue 28): the end-to-end ratio against an independent published one,
# scopes mapped, not only against saved runs of this code (tests/test_chain_reference.py)
# ---------------------------------------------------------------------------------------------
def _mccalip_ground_scope() -> tuple[dict, dict]:
    """orbitdc's ground architecture on McCalip's ground inputs (his plant's capital per W, his fuel
    per MWh as the energy price, his PUE and load factor; no land or soft-cost share, which he does
    not have), undiscounted, fully available, GPUs excluded - and those inputs."""
    g = {k: x["value"] for k, x in CLAIMS["mccalip-1gw"]["inputs"].items()}
    over = dict(discounting=False, impose_availability=True, imposed_availability=1.0, include_compute_hardware=False,
                facility_capex=f"{g['ground_capex'] * 1000} USD/kW", facility_land_soft_fraction=0.0,
                electricity_price=f"{g['ground_energy_price']} USD/(MW h)", pue=g["ground_pue"],
                terrestrial_capacity_factor=g["ground_capacity_factor"])
    return over, g


def _capital_in_full_plus_energy(t) -> float:
    """McCalip's ground scope on orbitdc's ground cost items: the facility's capital charged in full
    within the period (orbitdc recovers it over the facility's life) plus the energy; no O&M,
    water or grid wait (he has none)."""
    cb = t.cost_breakdown
    return (float(cb.sel(cost_item="facility")) * float(t.facility_lifetime) / float(t.mission_lifetime)
            + float(cb.sel(cost_item="electricity")))


def test_ground_twin_reproduces_mccalips_ground_on_his_inputs():
    """orbitdc's ground cost model on McCalip's ground inputs gives his $15.85B (VERIFIED from his
    code: capital $14.66/W + fuel $1.19B over 5 years at 85 % load and PUE 1.2) to 0.5 % (hours in
    a year: orbitdc 8,766, his 8,760). orbitdc's own default ground twin is an AI hall (facility
    20 MUSD/MW plus land and soft costs, checked against Epoch AI's TCO shares in
    test_economics_beliefs): a different plant, not a different model."""
    over, g = _mccalip_ground_scope()
    t = odc.evaluate("terrestrial-hyperscale", **over)
    assert _capital_in_full_plus_energy(t) == pytest.approx(g["terrestrial_total"] * 1e9, rel=0.005)


def test_headline_ratio_against_mccalip_end_to_end_with_scopes_mapped():
    """McCalip's published end-to-end ratio, 3.22 (orbit $51.10/W against ground $15.85/W, GPUs
    excluded; VERIFIED from the calculator's code), against orbitdc's on the same inputs. Straight
    from the model, in his scope (undiscounted, fully available, GPUs excluded), orbitdc gives ~5.6:
    four conventions differ, each mapped here to his on orbitdc's own components -
    1. launch: he bills mass x $/kg; orbitdc bills whole flights at the reference-LEO capacity
       (derated to 650 km SSO, packing): 2.1x his bill;
    2. satellite hardware: he prices the whole satellite per W; orbitdc's bus leaves out the
       compute payload's mass (his GPUs are excluded from the cost, not from the mass);
    3. replacement: he replaces 9 %/yr of the hardware; orbitdc replaces whole satellites with
       their launch;
    4. ground: his is an on-site gas-fired plant ($14.66/W, fuel at $26.66/MWh) whose capital he
       charges in full within 5 years; orbitdc's default twin is an AI hall recovered over the
       facility's 20-year life, with O&M, water and the grid wait he leaves out - mapped by running
       orbitdc's ground model on his ground inputs (test above).
    Mapped, orbitdc's ratio is within the one convention left unmapped of his: he installs
    1 / (0.98 x 0.951) = 1.073 times the power for sunlight and cell ageing (orbitdc's top-down
    mass does not), so the tolerance is that 7.3 %, computed from his inputs."""
    c = CLAIMS["mccalip-orbital-capex-1gw"]
    v = {k: x["value"] for k, x in c["inputs"].items()}
    scope = dict(discounting=False, impose_availability=True, imposed_availability=1.0, include_compute_hardware=False)
    ds = odc.evaluate("mccalip-1gw", **scope)
    straight = float(ds.cost_ratio_vs_terrestrial)
    years, kg = float(ds.mission_lifetime), float(ds.total_mass) * 1000.0
    cb = ds.cost_breakdown
    hardware = kg * float(ds.bus_cost_per_kg)                                   # 2. the whole satellite
    space = (hardware * (1 + v["gpu_failure_rate"] * years)                     # 3. hardware replacement
             + kg * float(ds.launch_price_per_kg)                               # 1. per kg carried
             + float(cb.sel(cost_item="operations")) + float(cb.sel(cost_item="programme")))
    ground_over, _ = _mccalip_ground_scope()  # 4. his plant, capital in full within the period
    ground = _capital_in_full_plus_energy(odc.evaluate("terrestrial-hyperscale", **ground_over))
    mapped = space / ground
    published = CLAIMS["mccalip-1gw"]["value"]
    retention = sum((1 - v["cell_degradation"]) ** y for y in range(int(v["period"]))) / v["period"]
    oversize = 1.0 / (v["sun_fraction"] * retention) - 1.0
    assert oversize == pytest.approx(0.073, abs=0.001)
    assert abs(mapped / published - 1.0) <= oversize
    assert straight / published - 1.0 > 5 * oversize  # unmapped, the conventions move the ratio far more (~5.6)
