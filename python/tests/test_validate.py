"""validate() and evidence() are the commands' JSON, and --evidence's malformed files raise
InputError naming the file and the JSON path."""
import json
import os
import subprocess

import pytest

import mneedle


def test_validate_is_the_command(cli):
    got = mneedle.validate()
    cli = json.loads(subprocess.run([cli, "validate", "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    assert got == cli
    assert got["checked"] == len(got["endpoints"]) > 0


def test_posterior_file(cli, tree, tmp_path):
    """A posterior of one's own: the same rows as the command's --posterior, the bundled file
    given by path the same predictions as the bundled posterior, a broken file refused."""
    bundled = os.path.join(tree, "data", "posterior", "healing.json")
    post = json.load(open(bundled))
    post["parameters"].append("study_sd_log")
    for d in post["draws"]:
        d.append(0.4)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps(post))
    got = mneedle.validate(posterior=mine)
    want = json.loads(subprocess.run([cli, "validate", "--json", "--posterior", str(mine)],
                                     check=True, capture_output=True, text=True).stdout)
    assert got == want and got["posterior"] == str(mine)
    plain = mneedle.validate()
    same = mneedle.validate(posterior=bundled)
    assert same["endpoints"] == plain["endpoints"] and plain["posterior"] is None
    assert got["endpoints"] != plain["endpoints"]
    (tmp_path / "bad.json").write_text('{"model": "healing", "format": 1}')
    with pytest.raises(mneedle.InputError) as e:
        mneedle.validate(posterior=tmp_path / "bad.json")
    assert "bad.json" in str(e.value)
    with pytest.raises(mneedle.InputError):
        mneedle.validate(posterior=3)


def test_evidence_dir(tmp_path):
    study = {"id": "mine", "citation": "An audit.", "url": "https://example.org/a",
             "role": "validation", "design": "case-series", "population": {"n": 10},
             "concern": "acne-scars",
             "arms": [{"id": "pen", "protocol": {"device_class": "pen", "needle_mm": 1.5,
                                                   "sessions": 3, "interval_days": 28}}],
             "endpoints": [{"id": "r", "family": "clinical_scale", "scale": "pct_improvement",
                            "arm": "pen", "quantity": "improvement", "unit": "%",
                            "direction": "higher_better",
                            "timepoints": [{"day_after_last": 90, "n": 10, "mean": 50}]}],
             "verified": "full text", "unverified": []}
    (tmp_path / "mine.json").write_text(json.dumps(study))
    v = mneedle.validate(str(tmp_path))
    assert [e for e in v["endpoints"] if e["study"] == "mine"]
    assert mneedle.evidence(tmp_path)["counts"]["user"] == 1
    study["endpoints"][0]["timepoints"][0]["mean"] = "fifty"
    (tmp_path / "mine.json").write_text(json.dumps(study))
    with pytest.raises(mneedle.InputError) as e:
        mneedle.validate(str(tmp_path))
    assert "mine.json" in str(e.value) and "timepoints[0].mean" in str(e.value)
