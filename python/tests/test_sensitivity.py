"""mneedle.sensitivity: the command's numbers from a dict, the same for any thread count, and
every bad SPEC an InputError naming the place."""
import copy
import json
import os
import subprocess

import numpy as np
import pytest

import mneedle
from conftest import TREE, example


def small_spec():
    return {
        "scenario": example("scenarios", "simulate-wrinkles-course.json"),
        "outputs": ["peak_improvement_pct", "durability_days"],
        "inputs": [{"name": "needle_mm", "uniform": [0.5, 2.0]},
                   {"name": "age", "triangular": [25, 40, 65]},
                   {"name": "response_gain", "lognormal": [1.0, 0.35]}],
        "n": 32, "bootstrap": 50, "seed": 3,
        "morris": {"trajectories": 4},
    }


def same_as_the_command(cli, tmp_path, spec):
    """mneedle.sensitivity(SPEC), checked equal to `mneedle sensitivity --json` on the same SPEC."""
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    want = json.loads(subprocess.run([cli, "sensitivity", "--json", str(path)], check=True,
                                     capture_output=True, text=True).stdout)
    got = mneedle.sensitivity(spec)
    assert got == want
    return got


def test_matches_the_command(cli, tmp_path):
    got = same_as_the_command(cli, tmp_path, small_spec())
    peak = {i["name"]: i for i in got["outputs"][0]["inputs"]}
    assert peak["response_gain"]["total"] > 0.5 > peak["needle_mm"]["total"]
    assert set(peak["age"]["morris"]) == {"mu", "mu_star", "sigma"}


def test_the_same_for_any_thread_count():
    spec = small_spec()
    assert mneedle.sensitivity(spec, threads=1) == mneedle.sensitivity(spec, threads=2)


def test_scenario_files_are_relative_to_the_current_folder(monkeypatch):
    spec = small_spec()
    spec["scenario"] = "scenarios/simulate-wrinkles-course.json"
    monkeypatch.chdir(os.path.join(TREE, "examples"))
    assert mneedle.sensitivity(spec) == mneedle.sensitivity(small_spec())


def test_file_names_are_relative_to_spec_dir_as_the_command_makes_them(cli, tmp_path,
                                                                        monkeypatch):
    """A SPEC file read with json.load, run from another folder: its file names (scenario,
    absorb, posterior) resolve from spec_dir as the command resolves them from the SPEC's own
    folder, not from the current one."""
    elsewhere = tmp_path / "x" / "elsewhere"  # where ../scenarios does not exist
    elsewhere.mkdir(parents=True)
    (tmp_path / "specs").mkdir()
    (tmp_path / "scenarios").mkdir()
    for name in ("simulate-wrinkles-course.json", "absorb-peptide-roller.json"):
        (tmp_path / "scenarios" / name).write_text(
            json.dumps(example("scenarios", name)))
    with open(os.path.join(TREE, "data", "posterior", "healing.json"), encoding="utf-8") as f:
        (tmp_path / "post.json").write_text(f.read())
    spec = small_spec()
    spec["scenario"] = "../scenarios/simulate-wrinkles-course.json"
    spec["absorb"] = "../scenarios/absorb-peptide-roller.json"
    spec["outputs"].append("delivered_24h_ug_cm2")
    spec["posterior"] = "../post.json"
    spec["inputs"].append({"name": "col1_long_fraction", "from": "posterior"})
    path = tmp_path / "specs" / "spec.json"
    path.write_text(json.dumps(spec))
    monkeypatch.chdir(elsewhere)
    want = json.loads(subprocess.run([cli, "sensitivity", "--json", str(path)], check=True,
                                     capture_output=True, text=True).stdout)
    with open(path, encoding="utf-8") as f:
        loaded = json.load(f)

    def same(got):
        # The method names the posterior file as it was opened (through spec_dir): the same
        # file, named from the current folder.
        file, want_file = got["method"]["posterior"].pop("file"), want["method"]["posterior"]["file"]
        assert os.path.samefile(file, want_file), (file, want_file)
        got["method"]["posterior"]["file"] = want_file
        return got == want

    assert mneedle.sensitivity(loaded, spec_dir=path.parent) == want
    assert same(mneedle.sensitivity(loaded, spec_dir=str(path.parent) + "/"))
    monkeypatch.chdir(tmp_path / "specs")  # a relative spec_dir is from the current folder
    assert same(mneedle.sensitivity(loaded, spec_dir="."))
    assert same(mneedle.sensitivity(loaded))  # None: the current folder
    monkeypatch.chdir(elsewhere)
    e = bad(loaded)  # from here, the names lead nowhere
    assert "simulate-wrinkles-course.json" in str(e)
    for d in ("", str(tmp_path / "missing"), str(path)):
        assert "spec_dir" in str(bad(loaded, spec_dir=d))
    assert "spec_dir" in str(bad(loaded, spec_dir=3))


def bad(spec, **kw):
    with pytest.raises(mneedle.InputError) as info:
        mneedle.sensitivity(spec, **kw)
    return info.value


def test_bad_specs_name_the_place():
    spec = small_spec()
    spec["outputs"] = ["peak"]
    e = bad(spec)
    assert e.path == "$.outputs[0]" and e.source == "spec" and "unknown output" in e.message
    spec = small_spec()
    spec["scenario"]["patient"]["age"] = 300
    assert bad(spec).path == "$.scenario.patient.age"
    spec = small_spec()
    spec["inputs"][0]["uniform"] = [0.5, 3.0]
    e = bad(spec)
    assert e.path == "$.inputs[0]" and "would range over" in e.message
    spec = small_spec()
    spec["inputs"][1]["triangular"] = [25, "40", 65]
    assert bad(spec).path == "$.inputs[1].triangular[1]"
    spec = small_spec()
    spec["inputs"] = np.array([1, 2])
    e = bad(spec)
    assert e.path == "$.inputs" and "NumPy array" in e.message
    spec = small_spec()
    spec["n"] = float("nan")
    assert bad(spec).path == "$.n"
    for kw in (dict(threads="2"), dict(threads=-1), dict(threads=1.5)):
        assert "threads" in str(bad(small_spec(), **kw))
    for doc in ("{}", None, [small_spec()]):
        assert bad(doc).path == "$"
    spec = copy.deepcopy(small_spec())
    del spec["scenario"]
    assert bad(spec).path == "$.scenario"


def posterior_spec():
    return {
        "scenario": example("scenarios", "simulate-wrinkles-course.json"),
        "outputs": ["peak_improvement_pct", "durability_days", "maintenance_interval_days"],
        "inputs": [{"name": "col1_young_tau_d", "from": "posterior"},
                   {"name": "col1_long_fraction", "from": "posterior"}],
        "n": 16, "bootstrap": 20, "seed": 3,
    }


def test_inputs_from_the_posterior(cli, tmp_path):
    """The same SPEC keys as the command: constants from the posterior's marginals, and the
    grouped input "posterior", with the posterior named in the method."""
    spec = posterior_spec()
    got = same_as_the_command(cli, tmp_path, spec)
    assert got["method"]["posterior"]["draws"] > 1
    assert "not kept" in got["method"]["posterior"]["dependence"]
    first = got["inputs"][0]
    assert first["from"] == "posterior" and first["distribution"] == "empirical"
    low, median, high = first["parameters"]
    assert low < median < high
    durability = {i["name"]: i for i in got["outputs"][1]["inputs"]}
    assert durability["col1_long_fraction"]["total"] > 0.2
    spec["inputs"] = [{"name": "posterior", "from": "posterior"},
                      {"name": "response_gain", "lognormal": [1.0, 0.35]}]
    got = mneedle.sensitivity(spec)
    assert got["inputs"][0]["from"] == "posterior" and got["inputs"][0]["unit"] == "draw"
    assert "correlations kept" in got["method"]["posterior"]["dependence"]


def test_bad_posterior_inputs_name_the_place(tmp_path):
    spec = posterior_spec()
    spec["inputs"][0]["name"] = "young_collagen"
    e = bad(spec)
    assert e.path == "$.inputs[0].name" and "unknown input 'young_collagen'" in e.message
    spec = posterior_spec()
    spec["inputs"][0]["name"] = "injury_reach_um"
    e = bad(spec)
    assert e.path == "$.inputs[0].name" and "has no draws of 'injury_reach_um'" in e.message
    spec = posterior_spec()
    spec["inputs"][0]["from"] = "prior"
    assert bad(spec).path == "$.inputs[0].from"
    spec = posterior_spec()
    spec["inputs"][0]["name"] = "age"
    e = bad(spec)
    assert e.path == "$.inputs[0].from" and "not a constant" in e.message
    spec = posterior_spec()
    spec["inputs"].append({"name": "posterior", "from": "posterior"})
    e = bad(spec)
    assert e.path == "$.inputs[2].name" and "drawn by the input 'posterior'" in e.message
    post = tmp_path / "post.json"
    post.write_text('{"model": "healing", "format": 1, "parameters": ["response_max"], '
                    '"draws": [[0.2], ["x"]], "provenance": {"source": "prior", '
                    '"date": "2026-01-01", "evidence_sha256": "0000000000000000000000000000000000000000000000000000000000000000"}}')
    spec = posterior_spec()
    spec["posterior"] = str(post)
    e = bad(spec)
    assert e.path == "$.posterior" and "$.draws[1][0]" in e.message
