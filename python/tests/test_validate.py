"""validate() and evidence() are the commands' JSON, and --evidence's malformed files raise
InputError naming the file and the JSON path."""
import json
import subprocess

import pytest

import mneedle


def test_validate_is_the_command(cli):
    got = mneedle.validate()
    cli = json.loads(subprocess.run([cli, "validate", "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    assert got == cli
    assert got["checked"] == len(got["endpoints"]) > 0


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
