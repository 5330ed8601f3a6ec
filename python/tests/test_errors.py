"""Bad input from Python raises mneedle.InputError naming the JSON path, whatever its kind:
values the library refuses, Python types that are not JSON, arguments of the wrong type. The
interpreter never crashes (a crash would end this test run)."""
import datetime
import json
import math
import os
import random

import numpy as np
import pytest

import mneedle
from conftest import TREE, example, examples

SCENARIO = "simulate-wrinkles-course.json"


def bad(call, *args, **kw):
    with pytest.raises(mneedle.InputError) as info:
        call(*args, **kw)
    return info.value


def test_a_string_for_a_number_names_the_path():
    sc = example("scenarios", SCENARIO)
    sc["patient"]["age"] = "forty"
    e = bad(mneedle.simulate, sc)
    assert e.path == "$.patient.age" and e.source == "scenario"
    assert "expected a number" in e.message and "string" in e.message
    assert str(e) == f"scenario: $.patient.age: {e.message}"
    assert e.status == "MN_ETYPE"


def test_a_value_out_of_range_and_an_unknown_name():
    sc = example("scenarios", SCENARIO)
    sc["sessions"][1]["needle_mm"] = 9.0
    assert bad(mneedle.simulate, sc).path == "$.sessions[1].needle_mm"
    client = example("clients", "amelia-wrinkles.json")
    client["concerns"][0]["zones"] = ["elbow-of-nowhere"]
    e = bad(mneedle.plan, client)
    assert e.path == "$.concerns[0].zones[0]" and e.source == "client"
    trial = example("trials", examples("trials")[0])
    trial["mystery"] = 1
    assert bad(mneedle.cohort, trial).source == "trial"
    # trials= as --trials: fewer than 20 (a 5-95 % interval's ends would be the smallest and
    # largest trial), negative and non-integers refused.
    del trial["mystery"]
    for trials in (1, 2, 19, -1, 2.5, True):
        assert "trials" in bad(mneedle.cohort, trial, n=10, trials=trials).message
    assert "0 (no intervals) or 20 to" in bad(mneedle.cohort, trial, n=10, trials=2).message


def test_cohort_n_beyond_the_library_names_the_argument():
    # n above the library's 10^9 patients: the argument and its range, no C function's name.
    trial = example("trials", examples("trials")[0])
    for n in (2_000_000_000, 10**9 + 1, 2e9):
        e = bad(mneedle.cohort, trial, n=n)
        assert e.message.startswith("n: expected a whole number from 1 to 1000000000"), e.message
        assert "mn_" not in e.message and "load it" not in e.message, e.message


def test_a_numpy_array_where_a_list_is_expected():
    sc = example("scenarios", SCENARIO)
    sc["report_days"] = np.array([0, 30, 60])
    e = bad(mneedle.simulate, sc)
    assert e.path == "$.report_days" and "NumPy array" in e.message and ".tolist()" in e.message
    sc["report_days"] = (0, 30, 60)
    assert bad(mneedle.simulate, sc).path == "$.report_days"
    # NumPy scalars are numbers and are accepted.
    sc["report_days"] = [np.int64(0), np.int32(30), np.float64(60.0)]
    ok = mneedle.simulate(sc, band=0)
    assert [s["day"] for s in ok["samples"]] == [0, 30, 60]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_non_finite_numbers(value):
    sc = example("scenarios", SCENARIO)
    sc["sessions"][0]["passes"] = value
    e = bad(mneedle.simulate, sc)
    assert e.path == "$.sessions[0].passes" and "finite" in e.message


@pytest.mark.parametrize("doc", ["{}", b"{}", [], None, 3, np.zeros(2)])
def test_the_input_must_be_a_dict(doc):
    for call in (mneedle.screen, mneedle.plan, mneedle.simulate, mneedle.absorb, mneedle.cohort):
        e = bad(call, doc)
        assert e.path == "$" and "expected a dict" in e.message


def test_keys_and_objects():
    sc = example("scenarios", SCENARIO)
    sc["patient"][3] = "x"
    assert bad(mneedle.simulate, sc).path == "$.patient"
    sc = example("scenarios", SCENARIO)
    sc["patient"]["when"] = object()
    assert bad(mneedle.simulate, sc).path == "$.patient.when"
    assert "expected an object" in bad(mneedle.simulate, {"patient": []}).message


def nested(levels, inner=None):
    v = inner
    for _ in range(levels):
        v = [v]
    return v


@pytest.mark.parametrize("levels", [200, 600, 5000])
def test_a_deeply_nested_value_names_the_place(levels):
    # It raised RecursionError (Python's walk of the value, or json.dumps) instead.
    client = example("clients", "amelia-wrinkles.json")
    client["history"]["notes"] = nested(levels)
    e = bad(mneedle.plan, client)
    assert e.source == "client" and "nested deeper than" in e.message
    assert e.path.startswith("$.history.notes[0][0]") and e.path.endswith("[0]")
    sc = example("scenarios", SCENARIO)
    sc["sessions"][0] = {"a": nested(levels, {"b": 1})}
    e = bad(mneedle.simulate, sc)
    assert e.source == "scenario" and e.path.startswith("$.sessions[0].a[0]")
    e = bad(mneedle.Context().likelihood, ["response_max"], studies=[{"id": "x", "d": nested(levels)}])
    assert e.source == "studies[0]" and e.path.startswith("$.d[0]")


def test_a_value_that_contains_itself():
    sc = example("scenarios", SCENARIO)
    sc["patient"]["self"] = sc["patient"]
    e = bad(mneedle.simulate, sc)
    assert e.path.startswith("$.patient.self.self") and "contain itself" in e.message


def test_nesting_within_the_limit_reaches_the_library():
    # Shallower than the limit, the library's own message for the key.
    client = example("clients", "amelia-wrinkles.json")
    client["history"]["notes"] = nested(40)
    e = bad(mneedle.plan, client)
    assert e.path == "$.history.notes" and "nested" not in e.message


@pytest.mark.parametrize("kw", [dict(band="64"), dict(band=-1), dict(band=1.5), dict(band=True),
                                dict(seed="1"), dict(seed=-1), dict(seed=2 ** 60),
                                dict(integrator="rk4"), dict(integrator=None)])
def test_simulate_options(kw):
    e = bad(mneedle.simulate, example("scenarios", SCENARIO), **kw)
    assert list(kw)[0] in str(e)


@pytest.mark.parametrize("kw", [dict(threads="2"), dict(threads=-1), dict(threads=2.0),
                                dict(n=0), dict(n="10"), dict(seed=1.5),
                                dict(control="placebo"), dict(dropout=1.5),
                                dict(dropout="0.1")])
def test_cohort_options(kw):
    e = bad(mneedle.cohort, example("trials", examples("trials")[0]), **kw)
    assert list(kw)[0] in str(e)


def test_other_arguments():
    bad(mneedle.plan, example("clients", "amelia-wrinkles.json"), years=0)
    bad(mneedle.plan, example("clients", "amelia-wrinkles.json"), years="2")
    bad(mneedle.absorb, example("scenarios", "absorb-vitc-pen.json"), field=1)
    bad(mneedle.catalog, "needles")
    bad(mneedle.Context, data_dir=3)


@pytest.mark.parametrize("start", ["2027-02-30", "2027-1-4", "20270104", "soonest", "",
                                   "1899-12-31", 20270104, datetime.date(1066, 10, 14),
                                   datetime.datetime(2027, 1, 4, 9, 30)])
def test_a_bad_start(start):
    # As the command's --start: a real YYYY-MM-DD date of the years 1900-2999, or "earliest".
    e = bad(mneedle.plan, example("clients", "amelia-wrinkles.json"), start=start)
    assert str(e).startswith("start: expected a date") and "earliest" in str(e)


def test_an_empty_file_or_folder_name_names_the_argument(tmp_path):
    # The library refuses "" by what it is ("evidence directory: the name is empty"), not by
    # the argument's name (and likelihood took it for none).
    for call, kw in [(mneedle.Context, dict(data_dir="")), (mneedle.evidence, dict(evidence="")),
                     (mneedle.validate, dict(evidence="")),
                     (mneedle.validate, dict(posterior="")),
                     (mneedle.sensitivity, dict(spec={}, spec_dir=""))]:
        e = bad(call, **kw)
        name = [k for k in kw if k != "spec"][0]
        assert str(e) == f"{name}: expected a {'file' if name == 'posterior' else 'directory'} " \
                         f"name, got an empty string"


def test_a_bad_data_dir(tmp_path):
    e = bad(mneedle.Context, data_dir=str(tmp_path / "missing"))
    assert "missing" in str(e)
    (tmp_path / "devices.json").write_text('{"devices": [{"id": 7}]}')
    e = bad(mneedle.Context, data_dir=str(tmp_path))
    assert "devices.json" in str(e) and e.path is not None and e.path.startswith("$.devices[0]")


def test_a_closed_context():
    ctx = mneedle.Context()
    ctx.close()
    ctx.close()
    with pytest.raises(mneedle.MneedleError):
        ctx.simulate(example("scenarios", SCENARIO))


def mutations(doc, rng):
    """Copies of doc with one leaf replaced by a value of another kind."""
    leaves = []

    def walk(v, path):
        if isinstance(v, dict):
            for k in v:
                walk(v[k], path + [k])
        elif isinstance(v, list):
            for i in range(len(v)):
                walk(v[i], path + [i])
        leaves.append(path)
    walk(doc, [])
    choices = ["x", "", -1, 0, 1e308, -1e308, 2 ** 63, True, None, [], {}, [1, "a"], {"a": 1},
               1.5, "2026-02-30", "\u00a0", np.array([1.0]), (1,), math.nan, 10 ** 30]
    for _ in range(150):
        d = json.loads(json.dumps(doc))
        path = rng.choice(leaves)
        if not path:
            continue
        target = d
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = rng.choice(choices)
        yield d


@pytest.mark.parametrize("call,kind,prefix", [
    (mneedle.screen, "clients", ""), (mneedle.plan, "clients", ""),
    (lambda d: mneedle.simulate(d, band=2), "scenarios", "simulate-"),
    (mneedle.absorb, "scenarios", "absorb-"),
    (lambda d: mneedle.cohort(d, n=50, threads=1), "trials", "")])
def test_mutated_inputs_never_crash(call, kind, prefix):
    rng = random.Random(20261203)
    refused = 0
    for name in examples(kind, prefix):
        for d in mutations(example(kind, name), rng):
            try:
                out = call(d)
                assert isinstance(out, dict)
            except mneedle.InputError as e:
                refused += 1
                assert e.message
    assert refused > 0


def test_a_closed_context_is_refused_by_every_call():
    # A closed Context's catalogue listing was empty instead of an error, and a Likelihood
    # made on it raised "invalid argument" as if the values were wrong.
    ctx = mneedle.Context()
    L = ctx.likelihood(["response_max"])
    ctx.close()
    for call in (lambda: ctx.catalog("devices"), lambda: L([0.6]), lambda: L.terms([0.6])):
        with pytest.raises(mneedle.MneedleError) as info:
            call()
        assert not isinstance(info.value, mneedle.InputError) and "closed" in str(info.value)


def test_a_file_that_is_not_json_names_its_line_and_column(tmp_path, cli):
    # The library's "FILE:LINE:COL: malformed JSON" lost LINE:COL on the way to InputError.
    import subprocess

    (tmp_path / "broken2020.json").write_text('{\n  "id": "broken2020",\n  "year": 20x\n}\n')
    e = bad(mneedle.evidence, str(tmp_path))
    out = subprocess.run([cli, "evidence", "--evidence", str(tmp_path)], capture_output=True,
                         text=True)
    assert out.returncode == 2 and out.stderr.strip().endswith(str(e))
    assert e.source.endswith("broken2020.json") and (e.line, e.column) == (3, 13)
    assert str(e).startswith(f"{e.source}:3:13: ")
    (tmp_path / "devices.json").write_text('{"devices": [}')
    e = bad(mneedle.Context, data_dir=str(tmp_path))
    assert e.source.endswith("devices.json") and e.line == 1 and e.column is not None
    # A message with a JSON path has no line.
    sc = example("scenarios", SCENARIO)
    sc["patient"]["age"] = "forty"
    e = bad(mneedle.simulate, sc)
    assert e.line is None and e.column is None and str(e).startswith("scenario: $.patient.age:")


@pytest.mark.parametrize("value,words", [
    (2 ** 63, "64-bit range"), (-2 ** 63 - 1, "64-bit range"), ("a\x00b", "NUL"),
    ("\udc80", "lone surrogate")])
def test_what_python_writes_but_the_parser_refuses_names_the_path(value, words):
    # These were "scenario:1:208: malformed JSON: too big integer": a line and column of the
    # text the package wrote, which the caller never saw, and no JSON path.
    sc = example("scenarios", SCENARIO)
    sc["patient"]["sex"] = value
    e = bad(mneedle.simulate, sc)
    assert e.path == "$.patient.sex" and words in e.message and e.line is None
    assert str(e).startswith("scenario: $.patient.sex: ")
    sc = example("scenarios", SCENARIO)
    sc["patient"]["s\x00x"] = 1
    e = bad(mneedle.simulate, sc)
    assert e.path == "$.patient" and "key 's\\x00x'" in e.message
    with open(os.path.join(TREE, "data", "evidence", "lotfi2013.json"), encoding="utf-8") as f:
        study = json.load(f)
    study["year"] = value
    e = bad(mneedle.Context().likelihood, ["response_max"], studies=[study], bundled=False)
    assert e.path == "$.year" and words in e.message


def test_the_type_in_a_message_reads_as_english():
    # "got a int", "got a NoneType" read as mistakes in the message itself.
    assert str(bad(mneedle.validate, posterior=5)) == "posterior: expected a file name, got an int"
    assert str(bad(mneedle.simulate, None)).endswith("got None")
    assert bad(mneedle.simulate, example("scenarios", SCENARIO), band=2.0).message.endswith(
        "got a float")
