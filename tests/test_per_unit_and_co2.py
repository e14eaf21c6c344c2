"""Per-accelerator metrics normalised to a stated unit, and the ground's grid CO2 (issue 16).

* ``cost_per_h100_hour``: the annual cost over the delivered peak counted in H100 SXMs (dense BF16
  peak 989 TFLOP/s, NVIDIA H100 datasheet, as data/catalogs/accelerators.csv holds it), so a design
  of single GPUs and one of 72-GPU racks compare: with H100s themselves it equals the cost per
  accelerator-hour, and it is the cost per PFLOP/s-hour times 0.989 PFLOP/s.
* ``grid_co2_per_kwh``: grid carbon intensity x PUE (every kWh of IT draws PUE kWh from the grid),
  with intensities by region and year in data/catalogs/grid_carbon_intensity.csv.
"""
from __future__ import annotations

import numpy as np
import pytest

import orbitdc as odc
from orbitdc import economics
from orbitdc.errors import ParameterError
from orbitdc.parameters import read_yaml, DATA_DIR


def test_reference_h100_from_the_catalog():
    assert economics.reference_peak_flops() == pytest.approx(989e12, rel=1e-12)


@pytest.mark.parametrize("arch", ["spacex-starlink-compute", "openai-partnered-compute", "terrestrial-hyperscale"])
def test_cost_per_h100_hour_is_the_pflop_hour_cost_in_h100_units(arch):
    ds = odc.evaluate(arch)
    assert float(ds.cost_per_h100_hour) == pytest.approx(float(ds.cost_per_pflop_hour) * 0.989, rel=1e-12)
    assert ds.cost_per_h100_hour.attrs["units"] == "USD/h"


def test_with_h100s_one_accelerator_is_one_h100_equivalent():
    ds = odc.evaluate("terrestrial-hyperscale", accelerator="h100-sxm")
    assert float(ds.cost_per_h100_hour) == pytest.approx(float(ds.cost_per_accelerator_hour), rel=1e-12)


def test_a_rack_and_its_gpus_compare_per_h100_hour():
    """One GB200 NVL72 rack is 72 GPUs: per accelerator-hour it looks ~36x a GB200 superchip (2 GPUs)
    dearer, per H100-equivalent hour the two differ only by their costs, not by what 'one' means."""
    rack = odc.evaluate("terrestrial-hyperscale", accelerator="gb200-nvl72")
    chip = odc.evaluate("terrestrial-hyperscale", accelerator="gb200-superchip")
    per_acc = float(rack.cost_per_accelerator_hour) / float(chip.cost_per_accelerator_hour)
    per_h100 = float(rack.cost_per_h100_hour) / float(chip.cost_per_h100_hour)
    assert per_acc > 10
    assert 0.3 < per_h100 < 3


def test_ground_grid_co2_by_hand():
    # 300 g/kWh x PUE 1.2 = 360 g per kWh of IT energy
    ds = odc.evaluate("terrestrial-hyperscale", grid_carbon_intensity=300, pue=1.2)
    assert float(ds.grid_co2_per_kwh) == pytest.approx(360.0, rel=1e-12)
    assert ds.grid_co2_per_kwh.attrs["units"] == "g/(kW h)"


def test_space_and_ground_use_one_grid_value():
    """The default grid intensity (data/defaults/launch.yaml) is the table's world 2023 value, and
    a space design's ground twin draws the same grid as the terrestrial baseline."""
    default = read_yaml(DATA_DIR / "defaults" / "launch.yaml")["parameters"]["grid_carbon_intensity"]["value"]
    assert default == economics.grid_carbon_intensity_of("world", 2023) == 480
    space = odc.evaluate("spacex-starlink-compute")
    ground = odc.evaluate("terrestrial-hyperscale", pue=float(space.pue))
    assert float(space.grid_co2_per_kwh) == pytest.approx(float(ground.grid_co2_per_kwh), rel=1e-12)


def test_grid_intensity_table_by_region_and_year():
    assert economics.grid_carbon_intensity_of("china", 2023) == 582
    assert economics.grid_carbon_intensity_of("india", 2023) == 713
    # the table's sourced US (EIA 2023: 1,532 Mt CO2 / 4,183,271 GWh = 366 g/kWh, direct CO2)
    assert economics.grid_carbon_intensity_of("united-states", 2023) == 366
    # linear between 480 (2023, Ember) and the assumed 410 (2030): 2026.5 is half-way -> 445
    assert economics.grid_carbon_intensity_of("world", 2026.5) == pytest.approx(445.0, rel=1e-12)
    with pytest.raises(ParameterError, match="outside the years"):
        economics.grid_carbon_intensity_of("world", 2040)
    with pytest.raises(ParameterError, match="unknown region 'mars'"):
        economics.grid_carbon_intensity_of("mars", 2023)


def test_the_co2_chart_has_a_ground_bar():
    from orbitdc.report import figures as plots

    cmp = odc.compare(["spacex-starlink-compute", "terrestrial-hyperscale"])
    v, var = plots.co2_value(cmp.sel(architecture="terrestrial-hyperscale"))
    assert var == "grid_co2_per_kwh" and np.isfinite(v) and v > 0


def test_co2_ratio_vs_the_ground_by_hand():
    """In orbit the CO2 per kWh of IT is the launch's; on the ground, the grid's x PUE: with a
    300 g/kWh grid and PUE 1.25 the ground emits 375 g per kWh of IT."""
    space = odc.evaluate("spacex-starlink-compute", grid_carbon_intensity=300, pue=1.25)
    assert float(space.co2_ratio_vs_terrestrial) == pytest.approx(float(space.launch_co2_per_kwh) / 375.0, rel=1e-12)
    ground = odc.evaluate("terrestrial-hyperscale")
    assert float(ground.co2_ratio_vs_terrestrial) == 1.0
