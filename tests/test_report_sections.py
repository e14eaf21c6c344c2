"""Report sections of issues 12 and 14 (orbitdc/report_sections.py): the reconciliation waterfalls
of the published analyses (Starcloud's white paper and Starcloud-3 added), the costing convention
of each architecture, and the first screen's year-by-year chart."""
from __future__ import annotations

import holoviews as hv
import numpy as np
import pytest
import xarray as xr

import orbitdc as odc
from orbitdc.report import beliefs, figures, published, wording
from orbitdc.parameters import DATA_DIR, read_yaml

CLAIMS = read_yaml(DATA_DIR / "published_claims.yaml")["claims"]
HOURS_PER_YEAR = 365.25 * 24  # Julian year, as astropy's yr


def _waterfall(values, labels) -> xr.Dataset:
    values = np.asarray(values, dtype=float)
    change = np.diff(values, prepend=0.0)
    return xr.Dataset({"value": ("step", values), "change": ("step", change), "label": ("step", labels)},
                      coords={"step": [f"s{i}" for i in range(values.size)]},
                      attrs={"architecture": "a", "source": "src", "included": "satellite_bus, launch", "claim": "c"})


def test_waterfall_rows_and_sentence_by_hand():
    w = _waterfall([100.0, 150.0, 120.0, 1200.0], ["published", "own scope", "finance", "adds compute hardware"])
    rows = published.reconciliation_rows(w)
    assert [r["change [USD/(kW yr)]"] for r in rows] == ["100", "+50", "-30", "+1,080"]
    assert [r["running figure [USD/(kW yr)]"] for r in rows] == ["100", "150", "120", "1,200"]
    assert rows[0]["step"] == "published figure"
    text = published.reconciliation_summary(w, "mass")
    # 1,200 / 100 = 12 times; the largest step is +1,080
    assert "the published figure is 100 USD per kW-yr in its own scope (satellite bus, launch)" in text
    assert "is 1,200 USD per kW-yr, 12 times as much" in text
    assert "The largest step is 'adds compute hardware' (+1,080)" in text


def test_starcloud_white_paper_headline_and_published_step():
    """Starcloud (2024): array $2M + launch $5M + shielding $1.2M = $8.2M over 10 years for 40 MW,
    stated to 2 significant figures; per kW-yr 8.2e6 / (40,000 kW x 10 yr) = USD 20.5."""
    c = CLAIMS["starcloud-space-total-40mw"]
    i = c["inputs"]
    assert (i["solar_array"]["value"] + i["launch"]["value"] + i["shielding"]["value"]) * 1e6 == pytest.approx(c["value"], abs=0.05e6)
    w = odc.reconcile("starcloud-40mw")
    assert w.attrs["claim"] == "starcloud-space-total-40mw"
    assert float(w["value"].sel(step="published")) == pytest.approx(8.2e6 / (40_000 * 10), rel=1e-12)
    # the array and shielding are parts of the satellite: both included items stay out of the added steps
    assert "satellite_bus" not in list(w["step"].values) and "launch" not in list(w["step"].values)


def test_starcloud_3_published_step_is_the_ground_energy_it_competes_with():
    """Competing with a ground paying 0.05 USD/kWh: 0.05 x 8,766 h = 438.3 USD per kW-yr; the
    claim's own scope is launch at 500 USD/kg, undiscounted, 100 % available."""
    w = odc.reconcile("starcloud-3")
    assert float(w["value"].sel(step="published")) == pytest.approx(0.05 * HOURS_PER_YEAR, rel=1e-12)
    ds = odc.evaluate("starcloud-3", include_compute_hardware=True, cost_scope="full", discounting=False,
                      impose_availability=True, imposed_availability=1.0)
    launch = float(ds.cost_breakdown.sel(cost_item="launch"))
    kwyr, total = float(ds.cost_per_kw_year), float(ds.cost_breakdown.sum())
    assert float(w["value"].sel(step="model_in_published_scope")) == pytest.approx(kwyr * launch / total, rel=1e-9)
    # the claim's 15 kg/kW at 500 USD/kg over the 5-year life is 1,500 USD per kW-yr of launch before
    # packing into whole flights and delivery losses: the model's own-scope figure is at least that
    assert float(w["value"].sel(step="model_in_published_scope")) >= 500 * 15 / 5


def test_published_waterfalls_cover_every_published_analysis():
    w = published.published_waterfalls()
    assert set(w) >= {"google-suncatcher", "mccalip-1gw", "starcloud-40mw", "starcloud-3"}
    assert all(isinstance(x, xr.Dataset) for x in w.values())
    html = published.reconciliation_html({"starcloud-3": w["starcloud-3"], "nothing": "not computed: no claim"}).data
    assert f'id="{published.RECONCILIATION_ANCHOR}"' in html and "starcloud-3" in html and "not computed: no claim" in html
    assert "within the claim" not in html


def test_costing_convention_per_architecture():
    names = ["spacex-starlink-compute", "terrestrial-hyperscale"]
    rows = published.costing_rows(names)
    assert [r["architecture"] for r in rows] == ["SpaceX — compute in Starlink satellites"]  # the ground has no bus
    assert rows[0]["costing convention"] == odc.load_architecture("spacex-starlink-compute").parameters["costing"].value
    assert published.costing_rows(names, {"costing": "subsystem"})[0]["costing convention"] == "subsystem"
    assert published.costing_rows(names, {"costing": "subsystem"})[0]["what it means"].startswith("per subsystem")


def test_when_figure():
    figures.setup(static=True)
    assert isinstance(figures.when_figure(figures.Missing("t", "r")), figures.Missing)
    tr = odc.trajectory(["example-minimal", "terrestrial-hyperscale"], range(2026, 2031), samples=4, seed=1)
    fig = figures.when_figure(tr)
    import holoviews as hv

    assert isinstance(fig, hv.Layout) and len(fig) == 2  # cost ratio by year above IT power by year


def test_claims_table_lists_only_the_report_architectures(tmp_path):
    from orbitdc.report import Study
    from orbitdc.report.published import claims_html

    study = Study(["spacex-starlink-compute", "terrestrial-hyperscale"], samples=4, seed=1, output_dir=tmp_path)
    html = claims_html(study).data
    own = [c for c in study.settings["claims"] if c["architecture"] == "spacex-starlink-compute"]
    others = [c for c in study.settings["claims"] if c["architecture"] not in study.names]
    assert own and others
    assert html.count("<tr>") == 1 + len(own)  # header + one row per claim on this report's architectures
    assert all(c["claim"].replace("'", "&#x27;") not in html for c in others)
    assert f'href="#{published.RECONCILIATION_ANCHOR}"' in html
    assert "within the claim" not in html
    ratio = float(study.compare()["cost_ratio_vs_terrestrial"].sel(architecture="spacex-starlink-compute"))
    from orbitdc.report.wording import fmt

    assert f"{fmt(ratio)}x (nominal)" in html


def test_waterfall_figure_bars_span_each_step():
    figures.setup(static=True)
    w = _waterfall([100.0, 150.0, 120.0, 1200.0], ["published", "own scope", "finance", "adds compute hardware"])
    w.attrs["ground_cost_per_kw_year"] = 900.0
    fig = figures.waterfall_figure(w)
    rects = [el for el in fig if isinstance(el, hv.Rectangles)]
    rises, falls = rects
    # rises: 0 -> 100, 100 -> 150, 120 -> 1,200; the fall: 150 -> 120 (horizontal bars, steps top to bottom)
    np.testing.assert_array_equal(rises.dframe()["cost"].values, [0.0, 100.0, 120.0])
    np.testing.assert_array_equal(rises.dframe()["x1"].values, [100.0, 150.0, 1200.0])
    np.testing.assert_array_equal(falls.dframe()["cost"].values, [120.0])
    np.testing.assert_array_equal(falls.dframe()["x1"].values, [150.0])
    # the ground's full cost per kW-yr as a labelled reference line
    assert [el.data for el in fig if isinstance(el, hv.VLine)] == [900.0]
    assert any("the ground: 900" in el.text for el in fig if isinstance(el, hv.Text))
    assert isinstance(published.waterfalls_figure({"x": "not computed: none"}), figures.Missing)


def test_a_step_without_change_says_which_step_it_is():
    w = _waterfall([100.0, 150.0, 150.0], ["published", "own scope", "(already bottom-up)"])
    w = w.assign_coords(step=["published", "model_in_published_scope", "mass_basis"])
    assert published.reconciliation_rows(w)[2]["step"] == "mass basis: already bottom-up"
    assert published.reconciliation_rows(w)[2]["change [USD/(kW yr)]"] == "+0"


def test_costing_of_an_architecture_loaded_from_a_file(tmp_path):
    """A report on a user's file (not findable by name) still says its costing convention."""
    from orbitdc.report import Study

    f = tmp_path / "my-design.yaml"
    f.write_text("name: my-design\ndescription: a user file\nkind: space\nparameters:\n"
                 "  target_it_power: {value: 100, unit: MW, low: 50, high: 200, source: orbitdc-assumption}\n",
                 encoding="utf-8")
    study = Study([str(f), "terrestrial-hyperscale"], samples=4, seed=1, output_dir=tmp_path)
    html = published.costing_html(study).data
    assert "my design" in html and "mass-based" in html  # a user's file without a title: its name in words


def test_which_workloads_says_what_evaluate_gives_for_each_workload():
    """The report's "which workloads?" tables (issue 27): one row per space architecture, each
    workload's cost ratio the one ``orbitdc.evaluate`` gives for that workload (the stated design,
    nominal), the workload the architecture's file leads with marked as the report's cost ratio,
    and the orbit-commons figures beside it; the ground twin has no row."""
    import re

    import orbitdc as odc
    from orbitdc.report import Study, tables
    from orbitdc.report.wording import ratio_text, title

    arch = "spacex-starlink-compute"
    study = Study([arch, "terrestrial-hyperscale"], {}, samples=2, seed=1)
    html = tables.workloads_html(study).data
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", html)
    names = [r[0] for r in rows]
    assert names.count(title(arch)) == 2 and not any("errestrial" in n for n in names)  # two tables, space only
    cells = re.findall(r"<td>(.*?)</td>", rows[0][1])
    workloads = ["inference", "training", "batch"]
    assert len(cells) == len(workloads)
    for w, cell in zip(workloads, cells):
        ratio = float(odc.evaluate(arch, workload=w)["cost_ratio_vs_terrestrial"])
        assert cell.startswith(ratio_text(ratio)), (w, cell, ratio)
        assert ("the report&#x27;s cost ratio" in cell) == (w == "inference")  # the default workload
    assert "avoidance manoeuvres a year" in html and "share of the shell" in html


def test_which_workloads_without_a_space_architecture_says_why():
    from orbitdc.report import Study, tables

    html = tables.workloads_html(Study(["terrestrial-hyperscale"], {}, samples=2, seed=1)).data
    assert "no space architecture" in html
