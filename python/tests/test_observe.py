"""The observation model from Python: the same numbers as the library's, for a bundled study
and for a changed copy of it (the prediction follows the protocol), and bad arguments refused."""
import json
import os

import pytest

import mneedle


def lotfi(tree):
    with open(os.path.join(tree, "data", "evidence", "lotfi2013.json"), encoding="utf-8") as f:
        return json.load(f)


def test_observe_histology(tree):
    ctx = mneedle.Context()
    study = lotfi(tree)
    p = ctx.observe(study, "papillary_collagen", trials=100, seed=3)
    assert p["applies"] and not p["counted"]
    assert p["n"] == 30 and p["day"] == 4 * 30 + 56
    assert p["lo"] < p["median"] < p["hi"] and p["observed"] == 53.2
    assert p == ctx.observe(study, "papillary_collagen", trials=100, seed=3)
    shallow = json.loads(json.dumps(study))
    shallow["arms"][0]["protocol"]["needle_mm"] = 0.5
    q = ctx.observe(shallow, "papillary_collagen", trials=100, seed=3)
    assert q["median"] < 0.8 * p["median"]


def test_observe_refuses(tree):
    ctx = mneedle.Context()
    study = lotfi(tree)
    p = ctx.observe(study, "clinical_response_rolling_boxcar", trials=20)
    assert not p["applies"] and p["why_not"] and p["median"] is None
    with pytest.raises(mneedle.InputError) as info:
        ctx.observe(study, "no_such_endpoint", trials=20)
    # The message says which argument and what it could have been, not "unknown name".
    assert str(info.value).startswith("study: endpoint: expected the id of one of the study's")
    assert "papillary_collagen" in info.value.message and "'no_such_endpoint'" in str(info.value)
    with pytest.raises(mneedle.InputError):
        ctx.observe(study, "papillary_collagen", trials=5)
    broken = dict(study, role="both")
    with pytest.raises(mneedle.InputError):
        ctx.observe(broken, "papillary_collagen", trials=20)


def test_likelihood(tree):
    """The Python likelihood is the library's: deterministic, one term per endpoint and time
    point of the calibration studies, worse far from the constants Lotfi's histology fits, and
    bad names or values refused."""
    ctx = mneedle.Context()
    L = ctx.likelihood(["response_max"])
    a = L([0.62])
    assert a == L([0.62])
    assert L([0.1]) < a - 5
    terms = L.terms([0.62])
    assert abs(sum(t["loglik"] for t in terms if t["applies"]) - a) < 1e-6
    assert any(t["study"] == "lotfi2013" and t["applies"] for t in terms)
    assert all(t["why_not"] for t in terms if not t["applies"])
    only = ctx.likelihood(["response_max"], studies=[lotfi(tree)], bundled=False)
    assert {t["study"] for t in only.terms([0.62])} == {"lotfi2013"}
    with pytest.raises(mneedle.InputError):
        L([-1.0])
    with pytest.raises(mneedle.InputError):
        L([0.6, 1.0])
    with pytest.raises(mneedle.InputError):
        ctx.likelihood(["no_such_constant"])
    with pytest.raises(mneedle.InputError):
        ctx.observe(lotfi(tree), "papillary_collagen", trials=20, params={"epi_gain": "x"})


def test_likelihood_arguments_of_the_wrong_kind(tree, tmp_path):
    """Arguments of the wrong kind raise InputError naming the argument, not TypeError or
    AttributeError from inside the package, and a refused Likelihood leaves no 'Exception
    ignored' behind when it is collected; a pathlib folder is a directory name."""
    import gc
    import pathlib
    import sys

    ctx = mneedle.Context()
    hook, unraisable = sys.unraisablehook, []
    sys.unraisablehook = unraisable.append
    try:
        for kw, where in [(dict(names="response_max"), "names"), (dict(names=5), "names"),
                          (dict(names=["response_max"], studies=5), "studies"),
                          (dict(names=["response_max"], evidence_dir=3), "evidence_dir"),
                          # An empty name is no folder; it was taken for none, silently.
                          (dict(names=["response_max"], evidence_dir=""), "evidence_dir"),
                          (dict(names=["response_max"], evidence_dir="a\0b"), "evidence_dir"),
                          # Without the bundled studies the folder's were dropped, silently.
                          (dict(names=["response_max"], evidence_dir=str(tmp_path),
                                bundled=False), "evidence_dir")]:
            with pytest.raises(mneedle.InputError) as info:
                ctx.likelihood(**kw)
            assert str(info.value).startswith(where + ":")
            del info
            gc.collect()
    finally:
        sys.unraisablehook = hook
    assert not unraisable
    bad = dict(lotfi(tree), id=float("nan"))
    with pytest.raises(mneedle.InputError) as info:
        ctx.likelihood(["response_max"], studies=[bad], bundled=False)
    assert str(info.value).startswith("studies[0]: $.id:")
    (tmp_path / "mystudy2020.json").write_text(json.dumps(dict(lotfi(tree), id="mystudy2020")))
    L = ctx.likelihood(["response_max", "dose_half_sat"], evidence_dir=pathlib.Path(tmp_path))
    assert L([0.62, 1.0]) == ctx.likelihood(["response_max", "dose_half_sat"],
                                            evidence_dir=str(tmp_path))([0.62, 1.0])
    for values, where in [("ab", "values:"), (None, "values:"), (0.6, "values:"),
                          (["a", 1.0], "values[0] (response_max):"),
                          ([0.6, None], "values[1] (dose_half_sat):")]:
        with pytest.raises(mneedle.InputError) as info:
            L(values)
        assert str(info.value).startswith(where)
    assert L((0.62, 1.0)) == L([0.62, 1.0])


def test_an_integer_too_large_for_a_double_is_an_input_error(tree):
    # float(10**400) raised OverflowError from inside the package.
    ctx = mneedle.Context()
    with pytest.raises(mneedle.InputError) as info:
        ctx.observe(lotfi(tree), "papillary_collagen", trials=10, params={"response_max": 10**5000})
    assert str(info.value).startswith("params: 'response_max': expected a number within")
    with pytest.raises(mneedle.InputError) as info:
        ctx.likelihood(["response_max"])([10**400])
    assert str(info.value).startswith("values[0] (response_max): expected a number within")


def test_the_likelihood_docstring_names_every_key_of_a_term():
    # help(Likelihood) listed eight of a term's twelve keys (not study, endpoint, timepoint,
    # counted), the ones needed to tell the terms apart.
    terms = mneedle.Context().likelihood(["response_max"]).terms([0.62])
    doc = " ".join(mneedle.Likelihood.__doc__.split())
    for key in terms[0]:
        assert key + "," in doc or key + ")" in doc, key
