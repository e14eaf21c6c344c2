"""User data outside the package, layered over the shipped data with the same strict validation:
``--data-dir DIR`` / ``ORBITDC_DATA_DIR`` (architectures, references, catalog entries) and
``./architectures`` in the working directory. Nothing shadows silently: the same architecture
name, reference key or catalog entry in two files is an error naming both files."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import orbitdc as odc
from orbitdc import cli
from orbitdc.errors import ArchitectureError, OrbitdcError
from orbitdc.architectures import ARCHITECTURE_DIR
from orbitdc.catalogs import catalog_rows, load_catalog
from orbitdc.parameters import load_references

MY_ARCH = """\
name: {name}
description: A user's own design, citing a user's own reference.
company: Example Space Ltd
kind: space
parameters:
  target_it_power:
    value: 20
    unit: MW
    low: 10
    high: 40
    source: my-own-study
"""
MY_REF = """\
my-own-study:
  title: Our own internal sizing study
  author: Example Space Ltd
  year: 2026
  url: https://example.org/study
  tag: analyst
"""


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    """A data folder of the user's, and a clean working directory."""
    data = tmp_path / "mydata"
    (data / "architectures").mkdir(parents=True)
    (data / "references").mkdir()
    (data / "architectures" / "my-design.yaml").write_text(MY_ARCH.format(name="my-design"))
    (data / "references" / "mine.yaml").write_text(MY_REF)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("ORBITDC_DATA_DIR", raising=False)
    return data


def run(argv, capsys):
    status = cli.main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_environment_variable_layers_a_user_folder_over_the_shipped_data(user_dir, monkeypatch):
    assert "my-design" not in odc.list_architectures()
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(user_dir))
    assert "my-design" in odc.list_architectures() and "google-suncatcher" in odc.list_architectures()
    arch = odc.load_architecture("my-design")
    assert arch.origin == str(user_dir.resolve()) and arch.company == "Example Space Ltd"
    assert "my-own-study" in arch.references and "my-own-study" in load_references()
    ds = odc.evaluate("my-design")
    assert float(ds["target_it_power"]) == 20_000.0  # 20 MW in the canonical kW


def test_data_dir_option_lists_evaluates_and_says_where_each_comes_from(user_dir, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    status, out, err = run(["--data-dir", str(user_dir), "list"], capsys)
    assert status == 0 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert str(user_dir.resolve()) in rows["my-design"] and "Example Space Ltd" in rows["my-design"]
    assert "shipped" in rows["google-suncatcher"]
    # the option also goes after the command, and does not leak into the next command
    status, out, _ = run(["evaluate", "my-design", "--data-dir", str(user_dir)], capsys)
    assert status == 0 and "my-design" in out and "as stated" in out  # the reader's block (orbitdc.report.wording)
    status, _, err = run(["evaluate", "my-design"], capsys)
    assert status == 2 and "unknown architecture 'my-design'" in err
    status, out, _ = run(["show", "my-design", "--data-dir", str(user_dir)], capsys)
    assert status == 0 and f"from {user_dir.resolve()}" in out


def test_architectures_in_the_working_directory(user_dir, capsys, monkeypatch):
    here = Path.cwd() / "architectures"
    here.mkdir()
    (here / "local-one.yaml").write_text(MY_ARCH.format(name="local-one").replace("source: my-own-study", "source: orbitdc-assumption"))
    status, out, _ = run(["list"], capsys)
    assert status == 0
    row = next(line for line in out.splitlines() if line.startswith("local-one"))
    assert "./architectures" in row
    assert odc.load_architecture("local-one").origin == "./architectures"


def test_a_user_architecture_with_a_shipped_name_is_an_error_naming_both_files(user_dir, capsys):
    shutil.copy(ARCHITECTURE_DIR / "example-minimal.yaml", user_dir / "architectures" / "example-minimal.yaml")
    status, _, err = run(["--data-dir", str(user_dir), "list"], capsys)
    assert status == 2 and len(err.splitlines()) == 1
    assert "data/architectures/example-minimal.yaml" in err
    assert str(user_dir.resolve() / "architectures" / "example-minimal.yaml") in err
    status, _, err = run(["--data-dir", str(user_dir), "evaluate", "example-minimal"], capsys)
    assert status == 2 and "defined twice" in err


def test_a_clash_between_the_working_directory_and_a_user_folder_names_both(user_dir, monkeypatch):
    (Path.cwd() / "architectures").mkdir()
    shutil.copy(user_dir / "architectures" / "my-design.yaml", Path.cwd() / "architectures" / "my-design.yaml")
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(user_dir))
    with pytest.raises(ArchitectureError) as info:
        odc.list_architectures()
    assert "architectures/my-design.yaml (./architectures)" in str(info.value)
    assert str(user_dir.resolve()) in str(info.value)


def test_a_reference_key_defined_twice_names_both_files(user_dir, monkeypatch):
    (user_dir / "references" / "again.yaml").write_text(MY_REF.replace("my-own-study", "suncatcher2025"))
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(user_dir))
    with pytest.raises(ArchitectureError) as info:
        load_references()
    text = str(info.value)
    assert "suncatcher2025" in text and "again.yaml" in text and "data/references/" in text


def test_user_catalog_entries_are_added_and_may_not_replace_shipped_ones(user_dir, monkeypatch):
    (user_dir / "catalogs").mkdir()
    shipped = load_catalog("accelerators")
    # a user entry gives every field the shipped entries all give (issue 12's rule): copy one
    # shipped entry's fields and change its power
    import csv
    import io

    template = str(shipped["entry"].values[0])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in catalog_rows("accelerators"):
        if r["entry"] != template:
            continue
        value, low, high = (500, 450, 550) if r["field"] == "power" else (r["value"], r["low"], r["high"])
        writer.writerow(["my-asic", r["field"], value, r["unit"], "" if low is None else low, "" if high is None else high,
                         "my-own-study", "our own chip"])
    row = buf.getvalue()
    (user_dir / "catalogs" / "accelerators.csv").write_text("entry,field,value,unit,low,high,source,note\n" + row)
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(user_dir))
    cat = load_catalog("accelerators")
    assert "my-asic" in cat["entry"].values and cat.sizes["entry"] == shipped.sizes["entry"] + 1
    assert float(cat["power"].sel(entry="my-asic")) == 500.0
    first = str(shipped["entry"].values[0])
    (user_dir / "catalogs" / "accelerators.csv").write_text(
        "entry,field,value,unit,low,high,source,note\n" + row.replace("my-asic", first))
    with pytest.raises(ArchitectureError) as info:
        load_catalog("accelerators")
    assert first in str(info.value) and "data/catalogs/accelerators.csv" in str(info.value)
    assert str(user_dir.resolve() / "catalogs" / "accelerators.csv") in str(info.value)


def test_user_files_get_the_same_strict_validation(user_dir, monkeypatch, capsys):
    (user_dir / "architectures" / "broken.yaml").write_text(
        MY_ARCH.format(name="broken").replace("unit: MW", "unit: kg"))
    status, _, err = run(["--data-dir", str(user_dir), "show", "broken"], capsys)
    assert status == 2 and "broken.yaml" in err and "wrong dimension" in err
    (user_dir / "architectures" / "misnamed.yaml").write_text(MY_ARCH.format(name="something-else"))
    status, _, err = run(["--data-dir", str(user_dir), "show", "misnamed"], capsys)
    assert status == 2 and "must equal the file name 'misnamed'" in err
    (user_dir / "architectures" / "dangling.yaml").write_text(
        MY_ARCH.format(name="dangling").replace("source: my-own-study", "source: nobody-wrote-this"))
    status, _, err = run(["--data-dir", str(user_dir), "show", "dangling"], capsys)
    assert status == 2 and "nobody-wrote-this" in err


def test_a_missing_user_folder_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(["--data-dir", str(tmp_path / "nope"), "list"], capsys)
    assert status == 2 and "does not exist" in err
    monkeypatch.setenv("ORBITDC_DATA_DIR", str(tmp_path / "nope"))
    with pytest.raises(OrbitdcError, match="ORBITDC_DATA_DIR"):
        odc.list_architectures()


def test_report_gets_a_user_architecture_by_path_and_the_data_folder_in_its_environment(user_dir, capsys, monkeypatch):
    """The report's notebook kernels run in another folder: a user's architecture reaches them by
    its absolute path, the user folder through ORBITDC_DATA_DIR (inherited by the kernels)."""
    from orbitdc import report

    seen = {}

    def fake_main(args):
        seen["architectures"] = list(args.architectures)
        seen["env"] = __import__("os").environ.get("ORBITDC_DATA_DIR")
        return 0

    monkeypatch.setattr(report, "main", fake_main)
    status, _, err = run(["--data-dir", str(user_dir), "report", "my-design", "terrestrial-hyperscale",
                          "--samples", "4", "--out", "r"], capsys)
    assert status == 0, err
    assert seen["architectures"] == [str((user_dir / "architectures" / "my-design.yaml").resolve()), "terrestrial-hyperscale"]
    assert seen["env"] == str(user_dir.resolve())
    assert "ORBITDC_DATA_DIR" not in __import__("os").environ, "restored after the command"
