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
    with pytest.raises(mneedle.MneedleError):
        ctx.observe(study, "no_such_endpoint", trials=20)
    with pytest.raises(mneedle.InputError):
        ctx.observe(study, "papillary_collagen", trials=5)
    broken = dict(study, role="both")
    with pytest.raises(mneedle.InputError):
        ctx.observe(broken, "papillary_collagen", trials=20)
