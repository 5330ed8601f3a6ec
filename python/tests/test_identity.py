"""Each Python call returns exactly what the command prints with --json, on every bundled
example: the package runs the same library steps as the command (mneedle/_glue.c)."""
import datetime
import json
import os
import subprocess

import numpy as np
import pytest

import mneedle
from conftest import TREE, example, examples


def run_cli(cli, *args):
    out = subprocess.run([cli, *args, "--json"], capture_output=True, text=True, check=True)
    # Plans are dated alike by the command and the package (mn_date_today: today, or
    # SOURCE_DATE_EPOCH), so every key is compared, "prepared" included.
    return json.loads(out.stdout)


def test_package_is_the_installed_one():
    # The tests exercise the built wheel, not the source folder (which has no extension).
    assert os.path.exists(os.path.join(os.path.dirname(mneedle.__file__), "libmneedle.so.0"))
    with open(os.path.join(TREE, "CMakeLists.txt"), encoding="utf-8") as f:
        assert f"project(mneedle VERSION {mneedle.version()} " in f.read()


@pytest.mark.parametrize("name", examples("clients"))
def test_screen_and_plan_match_the_command(cli, name):
    client = example("clients", name)
    path = os.path.join(TREE, "examples", "clients", name)
    assert mneedle.screen(client) == run_cli(cli, "screen", path)
    assert mneedle.plan(client) == run_cli(cli, "plan", path)
    assert mneedle.plan(client, years=5) == run_cli(cli, "plan", path, "--years", "5")


@pytest.mark.parametrize("name", examples("clients"))
def test_plan_from_another_start_matches_the_command(cli, name, monkeypatch):
    # As tests/cli/plan_start.sh: the day the plan is prepared fixed by SOURCE_DATE_EPOCH
    # (2026-11-01), read by the library in this process as in the command's.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")
    client = example("clients", name)
    path = os.path.join(TREE, "examples", "clients", name)
    want = run_cli(cli, "plan", path, "--start", "earliest")
    got = mneedle.plan(client, start="earliest")
    assert got == want
    assert got["prepared"] == "2026-11-01" and got["client"]["start"] >= "2026-11-01"
    want = run_cli(cli, "plan", path, "--start", "2027-01-04", "--years", "3")
    assert mneedle.plan(client, years=3, start="2027-01-04") == want
    assert mneedle.plan(client, years=3, start=datetime.date(2027, 1, 4)) == want
    assert client == example("clients", name)  # the dict is not changed


@pytest.mark.parametrize("name", examples("scenarios", "simulate-"))
def test_simulate_matches_the_command(cli, name):
    path = os.path.join(TREE, "examples", "scenarios", name)
    got = mneedle.simulate(example("scenarios", name))
    traj = got.pop("trajectory")
    assert got == run_cli(cli, "simulate", path)
    # The trajectory holds the samples as arrays, nested objects flattened.
    days = [s["day"] for s in got["samples"]]
    assert isinstance(traj["day"], np.ndarray) and traj["day"].tolist() == days
    assert traj["untreated_improvement_pct"].tolist() == [
        s["untreated"]["improvement_pct"] for s in got["samples"]]
    got = mneedle.simulate(example("scenarios", name), band=8, seed=7, integrator="cvode")
    got.pop("trajectory")
    assert got == run_cli(cli, "simulate", path, "--band", "8", "--seed", "7",
                          "--integrator", "cvode")


def test_simulate_band_says_what_it_is(cli):
    # band=0 is no band (not the planner's quick band); band=1 one virtual person, whose own
    # values are no 10th-90th percentiles; from 2 the percentiles. The docstring, the labels
    # of the result and the command say the same.
    name = "simulate-wrinkles-course.json"
    sc = example("scenarios", name)
    doc = " ".join(mneedle.Context.simulate.__doc__.split())
    assert "``band=0`` is no band at all" in doc and "``band=1`` is one virtual person" in doc
    assert "(0: the quick band)" not in doc
    none = mneedle.simulate(sc, band=0)
    assert none["summary"]["range_people"] == 0
    assert none["summary"]["range_note"].startswith("no band") and "no band" in none["note"]
    one = mneedle.simulate(sc, band=1)
    assert one["summary"]["range_people"] == 1
    for text in (one["summary"]["range_note"], one["note"]):
        assert "one virtual person" in text and "10th-90th percentile band" not in text, text
        assert not text.startswith("10th-90th"), text
    one.pop("trajectory")
    assert one == run_cli(cli, "simulate", os.path.join(TREE, "examples", "scenarios", name),
                          "--band", "1")
    many = mneedle.simulate(sc, band=2)
    assert many["summary"]["range_note"].startswith("10th-90th percentiles")


@pytest.mark.parametrize("name", examples("scenarios", "absorb-"))
def test_absorb_matches_the_command(cli, name):
    path = os.path.join(TREE, "examples", "scenarios", name)
    got = mneedle.absorb(example("scenarios", name))
    traj = got.pop("trajectory")
    assert got == run_cli(cli, "absorb", path)
    assert traj["hour"].tolist() == [s["hour"] for s in got["samples"]]


def test_absorb_field_matches_the_command(cli):
    name = "absorb-field-niacinamide.json"
    got = mneedle.absorb(example("scenarios", name), field=True)
    got.pop("trajectory")
    assert got == run_cli(cli, "absorb", "--field",
                          os.path.join(TREE, "examples", "scenarios", name))
    # NumPy's bool (a mask's element) is True or False too; it was refused as "a bool_".
    got = mneedle.absorb(example("scenarios", name), field=np.array([False])[0])
    got.pop("trajectory")
    assert got == run_cli(cli, "absorb", os.path.join(TREE, "examples", "scenarios", name))


@pytest.mark.parametrize("name", examples("trials"))
def test_cohort_matches_the_command_for_any_thread_count(cli, name):
    path = os.path.join(TREE, "examples", "trials", name)
    want = run_cli(cli, "cohort", path, "--n", "600", "--seed", "11", "--threads", "1")
    trial = example("trials", name)
    assert mneedle.cohort(trial, threads=1, n=600, seed=11) == want
    assert mneedle.cohort(trial, threads=2, n=600, seed=11) == want
    assert mneedle.cohort(trial, threads=3, n=600, seed=11) == want


@pytest.mark.parametrize("trials", [0, 20])
def test_cohort_trials_match_the_command(cli, trials):
    # trials= is the command's --trials: 0 runs no intervals, 20 (the fewest) twenty virtual
    # trials.
    name = examples("trials")[0]
    path = os.path.join(TREE, "examples", "trials", name)
    want = run_cli(cli, "cohort", path, "--n", "40", "--seed", "3", "--threads", "1",
                   "--trials", str(trials))
    got = mneedle.cohort(example("trials", name), threads=1, n=40, seed=3, trials=trials)
    assert got == want
    assert got["trial_intervals"]["virtual_trials"] == trials
    assert got != mneedle.cohort(example("trials", name), threads=1, n=40, seed=3)


def test_cohort_control_and_dropout_match_the_command(cli):
    # control= and dropout= are the command's --control and --dropout; the caller's trial
    # object is not changed by them.
    name = examples("trials")[0]
    path = os.path.join(TREE, "examples", "trials", name)
    want = run_cli(cli, "cohort", path, "--n", "80", "--seed", "5", "--threads", "1",
                   "--trials", "0", "--control", "untreated", "--dropout", "0.1")
    trial = example("trials", name)
    before = json.dumps(trial, sort_keys=True)
    got = mneedle.cohort(trial, threads=1, n=80, seed=5, trials=0, control="untreated",
                         dropout=0.1)
    assert got == want
    assert json.dumps(trial, sort_keys=True) == before
    assert got != mneedle.cohort(trial, threads=1, n=80, seed=5, trials=0)


@pytest.mark.parametrize("what", ["devices", "sites", "concerns", "products", "rules"])
def test_catalog_matches_the_command(cli, what):
    assert mneedle.catalog(what) == run_cli(cli, "catalog", what)


def test_data_dir_is_used(tmp_path, cli):
    # A catalogue folder with one device renamed: the Context sees it, the built-in does not.
    with open(os.path.join(TREE, "data", "devices.json"), encoding="utf-8") as f:
        devices = json.load(f)
    text = json.dumps(devices)
    first = devices["devices"][0]["id"]
    (tmp_path / "devices.json").write_text(text.replace(f'"{first}"', '"test-pen-x"'))
    ctx = mneedle.Context(data_dir=str(tmp_path))
    assert ctx.data_dir == str(tmp_path)
    ids = json.dumps(ctx.catalog("devices"))
    assert "test-pen-x" in ids and "test-pen-x" not in json.dumps(mneedle.catalog("devices"))
    assert ctx.catalog("devices") == run_cli(cli, "catalog", "devices", "--data", str(tmp_path))
    ctx.close()
    # A pathlib folder is a directory name too, as for evidence() and validate().
    with mneedle.Context(data_dir=tmp_path) as ctx:
        assert ctx.catalog("devices") == run_cli(cli, "catalog", "devices", "--data",
                                                 str(tmp_path))
