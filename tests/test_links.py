"""Links and workloads (issue 27): link budgets against published worked examples, the ring
all-reduce against its textbook formula, and properties of the workload fit.

Sources: data/references/links.yaml (keys in the comments).
"""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orbitdc as odc
from orbitdc import links, workloads
from orbitdc.errors import OrbitdcError
from orbitdc.catalogs import catalog_lookup

SPACE = [a for a in odc.list_architectures() if odc.load_architecture(a).kind == "space"]


# ------------------------------------------------------------------------------------------
# Link budgets against published worked examples
# ------------------------------------------------------------------------------------------
def test_optical_link_budget_matches_the_worked_example():
    # isl-link-budget-worked-example (after Majumdar and Ricklin 2008): 1550 nm, 7,000 km,
    # 33 dBm (1.995 W) transmitter, 10 cm apertures at both ends, 50 % optical efficiency and
    # 3 dB loss at each end: received power -41.83 dBm and 51 photons per bit at 10 Gbit/s.
    # By hand: G = (pi 0.1 / 1.55e-6)^2 = 4.108e10 (106.14 dB); each end 106.14 - 3.01 - 3 = 100.13 dB;
    # free-space loss 20 log10(4 pi 7e6 / 1.55e-6) = 275.08 dB; 33 + 100.13 - 275.08 + 100.13 = -41.83 dBm.
    p_t = 10 ** (33 / 10) / 1000.0
    p_r = links.received_optical_power(p_t, 1550.0, 0.1, 0.1, 7000.0, tx_efficiency=0.5, rx_efficiency=0.5,
                                       tx_loss=3.0, rx_loss=3.0)
    assert 10 * np.log10(float(p_r) * 1000.0) == pytest.approx(-41.827, abs=0.005)
    assert float(links.photons_per_bit(p_r, 1550.0, 10e9)) == pytest.approx(51.3, abs=0.5)  # the notebook prints int 51


def test_received_power_falls_as_the_inverse_square_of_the_distance():
    near = float(links.received_optical_power(1.0, 1550.0, 0.08, 0.08, 1000.0))
    far = float(links.received_optical_power(1.0, 1550.0, 0.08, 0.08, 4000.0))
    assert near / far == pytest.approx(16.0, rel=1e-12)


def test_a_terminal_carries_its_stated_rate_at_its_stated_range():
    # tesat-scot80-mda-2024: SCOT80 carries 10 Gbps "up to 8,000 km"; dlr-scot80: up to 100 Gbit/s
    r0 = catalog_lookup("optical_terminals", "rate", "tesat-scot80", "bit/s")
    d0 = catalog_lookup("optical_terminals", "reference_range", "tesat-scot80", "km")
    cap = catalog_lookup("optical_terminals", "max_rate", "tesat-scot80", "bit/s")
    assert (r0, d0, cap) == (10e9, 8000.0, 100e9)
    assert float(links.isl_rate(8000.0, r0, d0, cap)) == pytest.approx(10e9)
    # half the distance: four times the received power, four times the rate (photons per bit fixed)
    assert float(links.isl_rate(4000.0, r0, d0, cap)) == pytest.approx(40e9)
    # close in the transceiver's own cap binds
    assert float(links.isl_rate(100.0, r0, d0, cap)) == pytest.approx(100e9)


def test_rf_gateway_capacity_matches_the_worked_example():
    # pekhterev2021-starlink-bandwidth: 2,000 MHz x 2 polarizations x 5.11 bit/s/Hz (64QAM FEC 8/9);
    # the product is 20.44 Gbit/s, the article prints 20.22 Gbit/s (a 1.1 % slip in the source)
    c = float(links.rf_link_capacity(2000.0, 2, 5.11))
    assert c == pytest.approx(20.44e9, rel=1e-12)
    assert c == pytest.approx(20.22e9, rel=0.011)
    # the catalog's rate is the function of the catalog's own fields
    f = {k: catalog_lookup("ground_links", k, "rf-ka-gateway", u) for k, u in
         (("bandwidth", "MHz"), ("polarizations", "1"), ("spectral_efficiency", "bit/(s Hz)"), ("rate", "bit/s"))}
    assert float(links.rf_link_capacity(f["bandwidth"], f["polarizations"], f["spectral_efficiency"])) == pytest.approx(f["rate"])


def test_site_diversity_hand_case():
    # dstg-ogs-network: 69 % per site; three independent sites: 1 - 0.31^3 = 0.970209
    assert float(links.site_diversity_availability(0.69, 3)) == pytest.approx(0.970209, rel=1e-12)
    assert float(links.site_diversity_availability(0.69, 1)) == pytest.approx(0.69)


def test_user_latency_adds_the_hops_at_the_speed_of_light():
    # 2 hops of 1,000 km there and back: 4,000 km / 299,792.458 km/s = 13.34 ms
    assert float(links.user_latency(4.0, 2, 1000.0)) == pytest.approx(4.0 + 13.3426, abs=1e-3)
    ds = odc.evaluate("spacex-starlink-compute", isl_hops_to_ground=0.0)
    assert float(ds.user_latency) == pytest.approx(float(ds.round_trip_latency))


# ------------------------------------------------------------------------------------------
# Workloads: textbook formulas and hand cases
# ------------------------------------------------------------------------------------------
def test_ring_allreduce_bytes_against_the_textbook_formula():
    # patarasuk-yuan-2009: each node moves 2 (N - 1) / N of the buffer. 70e9 parameters in BF16
    # (2 bytes) = 140 GB of gradients; over 4 nodes each sends 2 x 3 / 4 x 140 GB = 210 GB.
    g = 70e9 * 2
    assert float(workloads.ring_allreduce_bytes(g, 4)) == pytest.approx(210e9, rel=1e-12)
    assert float(workloads.ring_allreduce_bytes(g, 1)) == 0.0
    assert float(workloads.ring_allreduce_bytes(g, 2)) == pytest.approx(g)  # 2 x 1/2
    assert float(workloads.ring_allreduce_bytes(g, 1e6)) == pytest.approx(2 * g, rel=1e-5)  # -> 2G


def test_tokens_per_second_reproduces_the_azure_claim_it_is_derived_from():
    # azure-gb200-mlperf-2025: 865,000 tokens/s on Llama 2 70B on one GB200 NVL72 (1.8e17 FLOP/s
    # dense BF16, data/catalogs/accelerators.csv): the catalog's 0.67 is that run's efficiency
    eta = catalog_lookup("workloads", "flops_efficiency", "inference", "1")
    peak = catalog_lookup("accelerators", "peak_flops", "gb200-nvl72", "FLOP/s")
    assert float(workloads.tokens_per_second(peak, eta, 2, 70e9)) == pytest.approx(865_000, rel=0.01)


def test_training_step_efficiency_hand_case():
    # 10 s of computing, 15 s of all-reduce, nothing hidden: 10 / 25; half hidden: 10 / (10 + 10)
    assert float(workloads.training_step_efficiency(10.0, 15.0)) == pytest.approx(0.4)
    assert float(workloads.training_step_efficiency(10.0, 15.0, 0.5)) == pytest.approx(0.5)
    assert float(workloads.training_step_efficiency(10.0, 3.0, 0.5)) == 1.0  # fully hidden


def test_cost_per_million_tokens_hand_case():
    # 10,000 USD per delivered kW-yr; an NVL72 rack: 1.8e17 FLOP/s on 132 kW; Llama 2 70B forward
    # pass at 0.67: tokens per kW-yr = 1.8e17 / 132 x 0.67 / 1.4e11 x 31,557,600 s = 2.059e11,
    # so 1e10 / 2.059e11 ... per million: 10,000 / 2.059e5 = 0.04856 USD
    c = float(workloads.cost_per_million_tokens(10_000.0, 1.8e17 / 132.0, 0.67, 2, 70e9))
    tokens_per_kw_year = 1.8e17 / 132.0 * 0.67 / 1.4e11 * 31_557_600.0
    assert c == pytest.approx(10_000.0 / tokens_per_kw_year * 1e6, rel=1e-12)
    assert c == pytest.approx(0.04856, rel=1e-3)


def test_chain_training_fraction_is_the_step_efficiency_of_its_ring():
    # the links stage's training fit, recomputed by hand from its own inputs and outputs
    ds = odc.evaluate("spacex-starlink-compute", workload="training")
    n = min(81.0, float(ds.satellites))
    grad_bits = 8 * 2 * float(ds.model_parameters)
    t_comm = 2 * (n - 1) / n * grad_bits / (float(ds.isl_capacity) / 2)
    t_comp = 6 * float(ds.model_parameters) * 16e6 / (n * float(ds.peak_flops) * float(ds.workload_flops_efficiency))
    assert float(ds.allreduce_time) == pytest.approx(t_comm, rel=1e-12)
    assert float(ds.step_compute_time) == pytest.approx(t_comp, rel=1e-12)
    assert float(ds.usable_compute_fraction) == pytest.approx(t_comp / (t_comp + t_comm), rel=1e-12)
    assert float(ds.usable_compute_fraction) < 0.5  # Starlink-class lasers cannot feed an 81-satellite ring
    # Suncatcher-class formation links (10 Tbps a terminal at close range) nearly can
    close = odc.evaluate("spacex-starlink-compute", workload="training", isl_terminal="suncatcher-formation",
                         isl_link_distance=0.5)
    assert float(close.usable_compute_fraction) > 0.9


def test_inference_uses_all_of_the_compute_with_the_default_links():
    for arch in SPACE:
        ds = odc.evaluate(arch)
        assert float(ds.usable_compute_fraction) == 1.0, arch
        # tokens x 32 bits: megabits for a 100 kW satellite; Starcloud's 40 MW monolith needs
        # 8.4 Gbit/s, 41 % of one Ka gateway (the one design where the ground link comes close)
        assert float(ds.ground_traffic_demand) == pytest.approx(float(ds.tokens_per_second) * 32.0), arch
        assert float(ds.ground_traffic_demand) < float(ds.downlink_capacity), arch


# ------------------------------------------------------------------------------------------
# Mass and power the links add
# ------------------------------------------------------------------------------------------
def test_default_links_add_the_mass_the_model_counted_before():
    # backward compatible default: four 10 kg laser terminals, the Ka gateway carried by the bus
    ds = odc.evaluate("example-minimal")
    assert float(ds.link_mass) == pytest.approx(4 * 10.0)
    assert float(ds.mass_breakdown.sel(subsystem="isl_terminals")) == pytest.approx(float(ds.link_mass))


def test_an_optical_downlink_terminal_adds_its_mass_to_the_budget():
    base = odc.evaluate("example-minimal")
    opt = odc.evaluate("example-minimal", downlink="optical-tbird-class", downlink_terminals=2.0)
    m_dl = catalog_lookup("ground_links", "mass", "optical-tbird-class", "kg")
    assert float(opt.link_mass) - float(base.link_mass) == pytest.approx(2 * m_dl)
    assert float(opt.satellite_mass) > float(base.satellite_mass) + 2 * m_dl  # structure and margin grow with it


def test_terminals_follow_the_chosen_terminal_and_its_mass():
    ds = odc.evaluate("example-minimal", isl_terminal="tesat-scot80")
    assert float(ds.isl_terminal_mass) == pytest.approx(11.9)
    assert float(ds.link_power) == pytest.approx(4 * 0.08)


def test_link_power_beyond_the_bus_allowance_is_a_violation():
    ok = odc.evaluate("example-minimal")
    assert not bool(ok.violates_link_power)
    heavy = odc.evaluate("example-minimal", isl_terminals=60.0, isl_terminal="suncatcher-formation")
    assert float(heavy.link_power) > float(heavy.bus_power)
    assert bool(heavy.violates_link_power) and not bool(heavy.feasible)


def test_bad_link_inputs_are_refused_with_the_parameter_named():
    with pytest.raises(OrbitdcError, match="isl_link_distance"):
        odc.evaluate("example-minimal", isl_link_distance=0.0)
    with pytest.raises(OrbitdcError, match="isl_terminal"):
        odc.evaluate("example-minimal", isl_terminal="no-such-terminal")
    with pytest.raises(OrbitdcError, match="workload"):
        odc.evaluate("example-minimal", workload="mining")


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------
LINKS = st.fixed_dictionaries({
    "arch": st.sampled_from(SPACE),
    "isl_terminal": st.sampled_from(["starlink-laser", "tesat-scot80", "suncatcher-formation"]),
    "isl_link_distance": st.floats(0.1, 5400.0),
    "downlink": st.sampled_from(["rf-ka-gateway", "optical-tbird-class"]),
    "ground_sites": st.floats(1.0, 10.0),
    "ground_contact_fraction": st.floats(0.05, 1.0),
    "workload": st.sampled_from(["inference", "training", "batch"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINKS, st.integers(0, 8).map(float), st.integers(0, 8).map(float), st.floats(1.0, 4.0))
def test_more_link_capacity_never_lowers_usable_compute(case, isl_terminals, downlink_terminals, factor):
    # more terminals of both kinds, and neighbours closer in: the usable share never falls
    arch = case.pop("arch")
    base = odc.evaluate(arch, isl_terminals=isl_terminals, downlink_terminals=downlink_terminals, **case)
    more = dict(case, isl_link_distance=case["isl_link_distance"] / factor)
    bigger = odc.evaluate(arch, isl_terminals=isl_terminals * factor, downlink_terminals=downlink_terminals * factor, **more)
    assert float(bigger.isl_capacity) >= float(base.isl_capacity)
    assert float(bigger.downlink_capacity) >= float(base.downlink_capacity)
    assert float(bigger.usable_compute_fraction) >= float(base.usable_compute_fraction) - 1e-12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINKS, st.integers(0, 8).map(float), st.integers(1, 8).map(float))
def test_inference_fit_is_never_below_training_fit_for_the_same_links(case, isl_terminals, downlink_terminals):
    # Scope: a ground link of at least one terminal (any catalog terminal carries gigabits, a
    # satellite's tokens need megabits). Below that the order can reverse: per FLOP inference moves
    # three times the tokens training does (2N against 6N FLOPs a token), so a link too thin to
    # carry inference's tokens starves it first.
    arch = case.pop("arch")
    case.pop("workload")
    ds = odc.evaluate(arch, isl_terminals=isl_terminals, downlink_terminals=downlink_terminals,
                      workload=["inference", "training"], **case)
    u = ds.usable_compute_fraction
    assert float(u.sel(workload="inference")) >= float(u.sel(workload="training"))


@settings(max_examples=20, deadline=None)
@given(st.floats(0.01, 1e4), st.floats(0.01, 1e4), st.floats(1e9, 1e13), st.floats(1e3, 1e4), st.floats(1.0, 1e3))
def test_isl_rate_never_rises_with_distance_and_never_exceeds_its_cap(d1, d2, r0, d0, cap_factor):
    cap = r0 * cap_factor
    lo, hi = sorted((d1, d2))
    r_lo = float(links.isl_rate(lo, r0, d0, cap))
    r_hi = float(links.isl_rate(hi, r0, d0, cap))
    assert r_hi <= r_lo <= cap


def test_stage_runs_on_a_dataset_and_keeps_dimensions():
    ds = odc.evaluate("example-minimal", isl_link_distance=[1.0, 100.0, 5000.0])
    assert ds.isl_capacity.dims == ("isl_link_distance",)
    assert bool((ds.isl_capacity.diff("isl_link_distance") <= 0).all())
    assert isinstance(ds.usable_compute_fraction, xr.DataArray)


# ------------------------------------------------------------------------------------------
# The cost ratio is per useful output of the chosen workload
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("valuation", ["interest", "margin"])
def test_cost_ratio_is_per_useful_output_of_the_workload(valuation):
    ds = odc.evaluate("spacex-starlink-compute", workload=["inference", "training", "batch"],
                      time_to_power_valuation=valuation)
    ratio, u = ds.cost_ratio_vs_terrestrial, ds.usable_compute_fraction
    # the links leave training a share U of the compute: its bill is spread over U times the
    # kW-yr inference delivers. The default cost view ('interest': idle capital at its financing
    # cost) bills the same whatever the workload; the 'margin' view's bill moves a little too
    # (idle useful capacity forgoes margin, and only U of the capacity is useful)
    ut = float(u.sel(workload="training"))
    bills = ds.annual_cost.sel(workload=["inference", "training"]).values
    if valuation == "interest":
        assert bills[1] == pytest.approx(bills[0], rel=1e-12)
    else:
        assert bills[1] < bills[0]
    assert ut < 1.0
    kw_delivered = float(ds.annual_cost.sel(workload="inference") / ds.cost_per_kw_year.sel(workload="inference"))
    assert float(ds.cost_per_kw_year.sel(workload="training")) == pytest.approx(
        float(ds.annual_cost.sel(workload="training")) / (kw_delivered * ut), rel=1e-12)
    assert float(ratio.sel(workload="training")) > float(ratio.sel(workload="inference"))
    # the token costs carry the same ratio, workload by workload
    np.testing.assert_allclose((ds.cost_per_million_tokens / ds.terrestrial_cost_per_million_tokens).values,
                               ratio.values, rtol=1e-12)
    # a training run's cost is given for the training workload only
    run = ds.cost_per_training_run
    assert np.isnan(float(run.sel(workload="inference"))) and float(run.sel(workload="training")) > 0


def test_the_ground_twin_costs_its_tokens_like_the_space_twins_ground_side():
    ground = odc.evaluate("terrestrial-hyperscale")
    assert float(ground.cost_ratio_vs_terrestrial) == 1.0
    assert float(ground.cost_per_million_tokens) == pytest.approx(float(ground.terrestrial_cost_per_million_tokens))


def test_which_workloads_table_for_the_report():
    from orbitdc.workload_table import which_workloads, which_workloads_rows

    t = which_workloads(["spacex-starlink-compute", "starcloud-40mw", "terrestrial-hyperscale"])
    assert set(t.cost_ratio_vs_terrestrial.dims) == {"architecture", "workload"}
    assert list(t.workload.values) == ["inference", "training", "batch"]
    r = t.cost_ratio_vs_terrestrial
    for arch in ("spacex-starlink-compute", "starcloud-40mw"):
        assert float(r.sel(architecture=arch, workload="training")) >= float(r.sel(architecture=arch, workload="inference"))
    # one 40 MW satellite needs no ring: training costs what inference does
    assert float(r.sel(architecture="starcloud-40mw", workload="training")) == pytest.approx(
        float(r.sel(architecture="starcloud-40mw", workload="inference")))
    np.testing.assert_allclose(r.sel(architecture="terrestrial-hyperscale").values, 1.0)
    # the market view (time to power at the forgone margin, issue 22) per workload too: the same
    # order of workloads, 1 for the ground twin, and the cost view under the 'margin' valuation
    m = t.market_cost_ratio_vs_terrestrial
    assert set(m.dims) == {"architecture", "workload"}
    np.testing.assert_allclose(m.sel(architecture="terrestrial-hyperscale").values, 1.0)
    assert float(m.sel(architecture="spacex-starlink-compute", workload="training")) > float(
        m.sel(architecture="spacex-starlink-compute", workload="inference"))
    by_margin = which_workloads(["spacex-starlink-compute"], time_to_power_valuation="margin")
    np.testing.assert_allclose(by_margin.cost_ratio_vs_terrestrial.values,
                               m.sel(architecture=["spacex-starlink-compute"]).values, rtol=1e-12)
    rows = which_workloads_rows(t)
    assert [row["architecture"] for row in rows] == list(t.architecture.values)
    assert rows[0]["market_cost_ratio_training"] == float(m.sel(architecture="spacex-starlink-compute", workload="training"))
    assert np.isnan(rows[-1]["avoidance_manoeuvres_per_year"])  # the ground has no orbit
