"""The study's cached results (issue 13 #2): results saved in ``output_dir/results`` are read back
only by a study with the same key (architecture content, overrides, samples, seed, orbitdc
version, code and data digests); any other study recomputes. Two studies with different seeds in
the same folder must give different results."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import orbitdc
import orbitdc._version
from orbitdc import study as study_mod
from orbitdc import uncertainty
from orbitdc.architectures import ARCHITECTURE_DIR
from orbitdc.study import KEY_ATTR, Study

ARCH = "example-minimal"
N = 12


def _saved_study(folder: Path, **kw) -> Study:
    s = Study([ARCH], samples=kw.pop("samples", N), seed=kw.pop("seed", 1), output_dir=folder, **kw)
    s.save(s.monte_carlo(), "monte_carlo")
    return s


def _no_compute(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("recomputed although a result with the same key was saved")

    monkeypatch.setattr(uncertainty, "monte_carlo", boom)


def test_different_seed_in_the_same_folder_gives_different_results(tmp_path):
    first = _saved_study(tmp_path, seed=1).monte_carlo()[ARCH]
    second = Study([ARCH], samples=N, seed=2, output_dir=tmp_path).monte_carlo()[ARCH]
    assert second.attrs["monte_carlo_seed"] == 2
    assert not np.array_equal(first["capex"].values, second["capex"].values)  # (target_it_power is a design choice, not drawn)
    direct = uncertainty.monte_carlo(ARCH, samples=N, seed=2)
    np.testing.assert_array_equal(second["target_it_power"].values, direct["target_it_power"].values)
    np.testing.assert_array_equal(second["capex"].values, direct["capex"].values)


def test_different_overrides_in_the_same_folder_are_recomputed(tmp_path):
    _saved_study(tmp_path)
    other = Study([ARCH], {"launch_price_per_kg": 500}, samples=N, seed=1, output_dir=tmp_path).monte_carlo()[ARCH]
    assert np.all(np.asarray(other["launch_price_per_kg"].values) == 500)


def test_different_sample_count_is_recomputed(tmp_path):
    _saved_study(tmp_path)
    other = Study([ARCH], samples=N + 4, seed=1, output_dir=tmp_path).monte_carlo()[ARCH]
    assert other.sizes["sample"] == N + 4


def test_same_key_reads_the_saved_results(tmp_path, monkeypatch):
    first = _saved_study(tmp_path).monte_carlo()[ARCH]
    _no_compute(monkeypatch)
    again = Study([ARCH], samples=N, seed=1, output_dir=tmp_path)
    got = again.monte_carlo()[ARCH]
    np.testing.assert_array_equal(got["capex"].values, first["capex"].values)
    assert got.attrs[KEY_ATTR] == again.key


def test_edited_architecture_file_is_recomputed(tmp_path):
    """Same name, same seed, other content: the key follows the content, not the name."""
    (tmp_path / "arch").mkdir()
    yaml_file = tmp_path / "arch" / f"{ARCH}.yaml"  # a file name must equal its architecture name
    shutil.copy(ARCHITECTURE_DIR / f"{ARCH}.yaml", yaml_file)
    a = Study([str(yaml_file)], samples=N, seed=1, output_dir=tmp_path)
    a.save(a.monte_carlo(), "monte_carlo")
    yaml_file.write_text(yaml_file.read_text().replace("high: 200", "high: 400"))
    b = Study([str(yaml_file)], samples=N, seed=1, output_dir=tmp_path)
    assert a.key != b.key
    wide = b.monte_carlo()[ARCH]["target_it_power"].values
    assert wide.max() > 200  # drawn from the new range, not read from the old run (MW)


def test_other_orbitdc_version_is_recomputed(tmp_path, monkeypatch):
    old = _saved_study(tmp_path)
    monkeypatch.setattr(orbitdc._version, "__version__", "999.0")  # where the modules read it
    new = Study([ARCH], samples=N, seed=1, output_dir=tmp_path)
    assert new.key != old.key
    assert new._read_monte_carlo() is None


def test_key_covers_code_and_data(monkeypatch):
    base = Study([ARCH], samples=N, seed=1).key
    study_mod.code_and_data_digest.cache_clear()
    monkeypatch.setattr(study_mod, "code_and_data_digest", lambda: {"code": "edited", "data": "same"})
    assert Study([ARCH], samples=N, seed=1).key != base


def test_key_is_stable_and_order_free_in_overrides():
    a = Study([ARCH], {"altitude": "650 km", "launch_price_per_kg": 500}, samples=N, seed=1)
    b = Study([ARCH], {"launch_price_per_kg": 500, "altitude": "650 km"}, samples=N, seed=1)
    assert a.key == b.key and len(a.key) == 64


def test_compute_false_ignores_results_of_another_study(tmp_path):
    _saved_study(tmp_path, seed=1)
    assert Study([ARCH], samples=N, seed=2, output_dir=tmp_path).monte_carlo(compute=False) is None
    assert Study([ARCH], samples=N, seed=1, output_dir=tmp_path).monte_carlo(compute=False) is not None


def test_results_without_a_key_are_not_reused(tmp_path):
    """Files of an earlier orbitdc (no key) or written by hand are never read back."""
    res = tmp_path / "results"
    res.mkdir()
    fake = uncertainty.monte_carlo(ARCH, samples=N, seed=1, launch_price_per_kg=12345)
    fake.assign_attrs(architecture=ARCH).to_netcdf(res / "monte_carlo_00.nc")
    got = Study([ARCH], samples=N, seed=1, output_dir=tmp_path).monte_carlo()[ARCH]
    assert not np.any(np.asarray(got["launch_price_per_kg"].values) == 12345)


def test_half_written_results_file_is_recomputed(tmp_path):
    _saved_study(tmp_path)
    f = next((tmp_path / "results").glob("monte_carlo_*.nc"))
    f.write_bytes(f.read_bytes()[:100])  # a run killed while writing
    got = Study([ARCH], samples=N, seed=1, output_dir=tmp_path).monte_carlo()[ARCH]
    assert got.sizes["sample"] == N
    with pytest.raises((OSError, ValueError)):
        xr.open_dataset(f).load()
