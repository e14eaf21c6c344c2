"""Reproduce published figures from the publications' own inputs, compare with their outputs, then
show what the full orbitdc model gives for the same cases and which terms the publications left out.

Sources (data/references; verification status in brackets): Aguera y Arcas et al. 2025, "Towards a
future space-based, highly scalable AI infrastructure system design" (Project Suncatcher),
arXiv:2511.19468 [preprint; SECONDARY - the figures are restated with section numbers by public notes
of the paper, its own text was not read] - a Starlink V2 Mini of 575 kg and 28 kW over 5 years:
launched power price ~$14,700 per kW-yr at ~$3,600/kg and ~$810 at $200/kg; terrestrial power spend
$570-3,000 per kW-yr from $0.06-0.25/kWh at PUE 1.09-1.4. Starcloud 2024, "Why we should train AI in
space" [claim; UNVERIFIED - the white paper was not in the searchable copies] - 40 MW for 10 years:
$140M of energy at $0.04/kWh ($167M on the ground in total) against $8.2M in space (array $2M, one
100 t launch $5M, shielding $1.2M). Starcloud-3 [claim; SECONDARY - TechCrunch interview as
summarised]: 200 kW in ~3 t, competitive with a ground paying ~$0.05/kWh at ~$500/kg. The published
figures and their inputs are read from data/published_claims.yaml, where each carries its source
key; the tolerance is the issue's 2 %. None of these is the only check of a model: each model step
has its own hand-derived tests (test_economics, test_mass, test_launch).
"""
from __future__ import annotations

import math
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

import orbitdc as odc
from orbitdc import economics, units
from orbitdc.chain import build_inputs, output_specs, run_stages
from orbitdc.architectures import load_architecture
from orbitdc.parameters import DATA_DIR, load_references, read_yaml

CLAIMS_FILE = DATA_DIR / "published_claims.yaml"
TOL = 0.02  # the 2 %
USD_PER_KWH = units.parse_unit("USD/(kW h)")


@pytest.fixture(scope="module")
def claims():
    return read_yaml(CLAIMS_FILE)["claims"]


def q(entry) -> u.Quantity:
    """An input of published_claims.yaml as an astropy Quantity."""
    return u.Quantity(entry["value"], units.parse_unit(entry["unit"]))


def overrides(claim) -> dict:
    return dict(claim.get("overrides") or {})


# ---------------------------------------------------------------------------------------------
# The claims table itself: sources resolve, units parse, names are real
# ---------------------------------------------------------------------------------------------
def test_published_claims_are_sourced_and_well_formed(claims):
    refs = load_references()
    outputs = output_specs()
    mass_items = set(odc.evaluate("google-suncatcher", stages_only=["orbit", "compute", "power", "thermal", "mass"])
                     ["mass_breakdown"]["subsystem"].values)
    cost_items = set(economics.COST_ITEMS)
    assert len(claims) >= 10
    for cid, c in claims.items():
        keys = [c["source"]] if isinstance(c["source"], str) else c["source"]
        assert all(k in refs for k in keys), cid
        units.parse_unit(c["unit"])
        assert c["quantity"] is None or c["quantity"] in outputs, (cid, c["quantity"])
        load_architecture(c["architecture"])
        for name, inp in (c.get("inputs") or {}).items():
            isrc = [inp["source"]] if isinstance(inp["source"], str) else inp["source"]
            assert all(k in refs for k in isrc), (cid, name)
            units.parse_unit(inp["unit"])
        for term in c.get("model_adds", []) + c.get("included", []):
            assert term in cost_items | mass_items, (cid, term)
        if "low" in c:
            assert c["low"] <= c["value"] <= c["high"], cid


@pytest.mark.parametrize("cid", ["suncatcher-launched-power-price-today", "starcloud-space-total-40mw",
                                 "spacex-100kw-per-tonne"])
def test_claim_overrides_run_the_model(claims, cid):
    c = claims[cid]
    ds = odc.evaluate(c["architecture"], **overrides(c))
    assert c["quantity"] in ds
    assert np.all(np.isfinite(ds[c["quantity"]].values))


# ---------------------------------------------------------------------------------------------
# Suncatcher: launched power price, with the paper's own assumptions
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid", ["suncatcher-launched-power-price-today", "suncatcher-launched-power-price-2035"])
def test_suncatcher_launched_power_price_function(claims, cid):
    c = claims[cid]
    i = c["inputs"]
    specific_mass = q(i["satellite_mass"]) / q(i["satellite_power"])  # the paper's inputs: 575 kg / 28 kW = 20.5 kg/kW
    lpp = economics.launched_power_price(specific_mass, q(i["launch_price_per_kg"]), q(i["lifetime"]))
    assert lpp.attrs["units"] == "USD/(kW yr)"
    assert float(lpp) == pytest.approx(c["value"], rel=TOL)


@pytest.mark.parametrize("cid", ["suncatcher-launched-power-price-today", "suncatcher-launched-power-price-2035"])
def test_suncatcher_launched_power_price_through_the_chain(claims, cid):
    """google-suncatcher overridden to the paper's assumptions: its launch price and life, and its
    mass basis (a Starlink V2 Mini of 575 kg and 28 kW, 20.5 kg/kW) in place of orbitdc's bottom-up
    mass; the economics stage of the chain then gives the paper's figure."""
    c = claims[cid]
    i = c["inputs"]
    arch = load_architecture(c["architecture"])
    ds = build_inputs(arch, overrides(c))
    assert float(ds["launch_price_per_kg"]) == pytest.approx(i["launch_price_per_kg"]["value"])
    ds["specific_mass"] = units.strip(q(i["satellite_mass"]) / q(i["satellite_power"]), "kg/kW")  # the paper's mass basis
    out = run_stages(ds, arch.kind, only=["economics"])
    assert float(out["launched_power_price"]) == pytest.approx(c["value"], rel=TOL)


def test_suncatcher_full_model_for_the_same_case(claims):
    """The full chain on google-suncatcher at the paper's prices: the same metric with orbitdc's
    own mass per kW of IT, and the complete levelised cost beside it."""
    today, later = claims["suncatcher-launched-power-price-today"], claims["suncatcher-launched-power-price-2035"]
    prices = [today["inputs"]["launch_price_per_kg"]["value"], later["inputs"]["launch_price_per_kg"]["value"]]
    ds = odc.evaluate("google-suncatcher", launch_price_per_kg=prices, mission_lifetime="5 yr")
    lpp = ds["launched_power_price"].values
    m = float(ds["specific_mass"])
    # the metric is the paper's formula applied to the model's mass
    assert np.allclose(lpp, m * np.asarray(prices) / 5.0, rtol=1e-9)
    # the model's mass is the sum of its subsystems (the terms the paper's basis folds into one number)
    parts = ds["mass_breakdown"].sum("subsystem")
    assert float(parts) == pytest.approx(float(ds["satellite_mass"]), rel=1e-6)
    # the full levelised cost includes every cost item, so it is above the launch-only metric
    full = ds["cost_per_kw_year"].values
    assert np.all(full > lpp)
    breakdown = ds["cost_breakdown"]
    for item in today["model_adds"]:
        assert item in breakdown["cost_item"].values
    assert float(breakdown.sel(cost_item="compute_hardware").isel(launch_price_per_kg=1)) > 0


def test_suncatcher_terrestrial_power_band(claims):
    c = claims["suncatcher-terrestrial-power-spend"]
    i = c["inputs"]
    lo = economics.terrestrial_power_cost(i["electricity_price"]["low"] * USD_PER_KWH, i["pue"]["low"])
    hi = economics.terrestrial_power_cost(i["electricity_price"]["high"] * USD_PER_KWH, i["pue"]["high"])
    assert float(lo) == pytest.approx(c["low"], rel=TOL)
    # hand: 0.25 $/kWh x 8,766 h x 1.4 = $3,068.1; the paper writes "3,000" (one significant
    # figure), so this end misses the 2 % by 2.3 % - a documented exception, not a fit.
    assert float(hi) == pytest.approx(0.25 * 8766 * 1.4, rel=1e-12)
    assert float(hi) == pytest.approx(c["high"], rel=0.03)


# ---------------------------------------------------------------------------------------------
# Starcloud: the white paper's arithmetic, then the full model
# ---------------------------------------------------------------------------------------------
def test_starcloud_terrestrial_energy(claims):
    c = claims["starcloud-terrestrial-energy-40mw"]
    i = c["inputs"]
    cost = economics.terrestrial_energy_cost(q(i["it_power"]), q(i["electricity_price"]), i["pue"]["value"], q(i["duration"]))
    assert float(cost) == pytest.approx(c["value"], rel=TOL)


def test_starcloud_terrestrial_total_is_the_sum_of_its_terms(claims):
    c = claims["starcloud-terrestrial-total-40mw"]
    total = sum(q(v).to_value(u.Unit("MUSD")) for v in c["inputs"].values())
    assert total * 1e6 == pytest.approx(c["value"], rel=TOL)


def test_starcloud_space_total_from_their_inputs(claims):
    """$8.2M = array + launched mass x the price their arithmetic implies + shielding."""
    c = claims["starcloud-space-total-40mw"]
    i = c["inputs"]
    implied_price = (q(i["launch"]) / q(i["launched_mass"])).to(units.parse_unit("USD/kg"))
    assert implied_price.value == pytest.approx(50.0, rel=1e-9)  # $5M / 100 t
    # the architecture's launch price is the one their arithmetic implies
    arch = load_architecture("starcloud-40mw")
    assert arch.parameters["launch_price_per_kg"].canonical_value == pytest.approx(implied_price.value)
    launch = (q(i["launched_mass"]) * implied_price).to(u.Unit("MUSD"))
    total = q(i["solar_array"]) + launch + q(i["shielding"])
    assert total.to_value(units.parse_unit("USD")) == pytest.approx(c["value"], rel=TOL)
    # and the ratio they quote: ground / space ~ 20x
    ratio = claims["starcloud-terrestrial-total-40mw"]["value"] / c["value"]
    assert 1 / ratio == pytest.approx(claims["starcloud-ratio"]["value"], rel=TOL)


def test_starcloud_full_model_for_the_same_case(claims):
    """The same 40 MW with the paper's launch price, life and electricity price, sized bottom-up.
    Starcloud's white paper (starcloud2024) and Nanjangud's re-sizing are UNVERIFIED (not in the
    searchable copies): the model terms are checked on their own in test_mass / test_economics."""
    c = claims["starcloud-space-total-40mw"]
    ds = odc.evaluate(c["architecture"], **overrides(c))
    claimed_mass = q(c["inputs"]["launched_mass"]).to_value(u.t)
    # implied specific mass of the paper: 100 t / 40 MW = 2.5 kg/kW; the model sizes every subsystem
    mass = float(ds["total_mass"])
    assert mass > 0 and np.isfinite(mass)
    breakdown = ds["mass_breakdown"]
    for item in claims["starcloud-launched-mass-40mw"]["model_adds"]:
        assert item in breakdown["subsystem"].values
    # the terms the paper leaves out are each non-negative and together make the model's capex
    cost = ds["cost_breakdown"]
    assert np.all(cost.values >= 0)
    assert float(ds["capex"]) > 0
    # the launch bill is the launched mass times the same $/kg: more mass, proportionally more launch
    billed_per_kg = float(ds["launch_cost"]) / float(ds["launch_price_per_kg"])
    assert billed_per_kg >= mass * 1000 * 0.999
    # FINDING (was computed and then only checked to be finite): the terms Starcloud's 100 t does
    # include (published_claims.yaml "included": solar_array, shielding) already weigh more in the
    # model than the whole claimed station, before the radiators, compute, structure and margin it
    # leaves out. (For scale: Nanjangud 2025, nanjangud2025-starcloud-launches, puts the station at
    # ~1,700 t with ISS-class hardware.)
    assert claimed_mass == pytest.approx(100.0)
    included = float(breakdown.sel(subsystem=["solar_array", "shielding"]).sum()) * float(ds["satellites"]) / 1000.0
    assert included > claimed_mass
    assert mass > included


# ---------------------------------------------------------------------------------------------
# Starcloud-3: "competitive with a ground paying ~$0.05/kWh once launch reaches ~$500/kg"
# ---------------------------------------------------------------------------------------------
def test_starcloud_3_competitiveness_claim_from_its_own_inputs(claims):
    """FINDING: the claim's own inputs do not give its output. Launch alone costs
    3,000 kg x 500 USD/kg / 200 kW = 7,500 USD per kW; the ground's electricity at 0.05 USD/kWh is
    0.05 x 8,766 h = 438 USD per kW-yr, so launch alone matches it only after 17.1 years (the claim
    states no life; the comparison basis is 5 years, Suncatcher's too). Over 5 years the price that
    competes is 438 x 5 / 15 = 146 USD/kg. orbitdc in the same launch-versus-electricity scope,
    undiscounted and fully available, agrees within its whole-flight billing and packing (under
    half the claimed price), and with every cost counted no positive launch price breaks even."""
    c = claims["starcloud-3-competitive-at-500"]
    i = c["inputs"]
    per_kw = (q(i["satellite_mass"]) * q(i["launch_price_per_kg"]) / q(i["satellite_power"])).to_value(units.parse_unit("USD/kW"))
    assert per_kw == pytest.approx(7500.0, rel=1e-12)
    ground = float(economics.terrestrial_power_cost(q(i["electricity_price"]).value * USD_PER_KWH, 1.0))
    assert ground == pytest.approx(0.05 * 8766, rel=1e-3)
    years_to_compete = per_kw / ground
    assert years_to_compete == pytest.approx(17.1, abs=0.1)
    life = 5.0
    competing_price = ground * life / (q(i["satellite_mass"]).to_value(u.kg) / q(i["satellite_power"]).to_value(u.kW))
    assert competing_price == pytest.approx(146.1, abs=0.5)
    assert competing_price < 0.5 * i["launch_price_per_kg"]["value"]
    scope = dict(cost_scope="launch_vs_energy", discounting=False, impose_availability=True, imposed_availability=1.0,
                 pue=1.0, mission_lifetime="5 yr")
    model = odc.evaluate("starcloud-3", **scope)
    assert 0.5 * competing_price < float(model["breakeven_launch_price"]) < 0.5 * i["launch_price_per_kg"]["value"]
    full = odc.evaluate("starcloud-3")
    assert bool(full["breakeven_unreachable"]) and float(full["breakeven_launch_price"]) < 0
