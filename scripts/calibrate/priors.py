"""The priors of the healing model's uncertain constants (data/priors/healing.json) and the
posterior file (data/posterior/healing.json): reading, checking, drawing and writing.

Shared by calibrate.py (the fit) and the sampler-recovery test (python/tests/test_calibrate.py).
Only NumPy and the standard library: emcee and the mneedle package are the callers' business.

A prior is sampled in an unconstrained coordinate: ln(value) for a log-normal prior, the value
itself for a uniform one. log_prior() is the log density in that coordinate (the log-normal's
density in ln(value) is a normal one), -inf outside the bounds.
"""
import hashlib
import json
import math
import os

import numpy as np

FORMAT_VERSION = 1
KINDS = ("lognormal", "uniform")


class InputError(ValueError):
    """A malformed input file: the message names the file and the JSON path."""


def _num(path, where, obj, key, lo=-math.inf, hi=math.inf):
    if key not in obj:
        raise InputError(f"{path}: {where}.{key}: missing; expected a number")
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"{path}: {where}.{key}: expected a number, got {json.dumps(v)}")
    if not lo <= v <= hi:
        raise InputError(f"{path}: {where}.{key}: {v} is outside {lo}-{hi}")
    return float(v)


class Prior:
    """One constant's prior: kind, parameters, bounds on the value, and the stated reason."""

    def __init__(self, name, kind, a, b, lo, hi, reason):
        self.name, self.kind, self.a, self.b = name, kind, a, b
        self.lo, self.hi, self.reason = lo, hi, reason

    def to_u(self, x):
        return math.log(x) if self.kind == "lognormal" else x

    def from_u(self, u):
        return math.exp(u) if self.kind == "lognormal" else u

    def log_density_u(self, u):
        x = self.from_u(u)
        if not self.lo <= x <= self.hi:
            return -math.inf
        if self.kind == "lognormal":
            z = (u - math.log(self.a)) / self.b
            return -0.5 * z * z
        return 0.0

    def draw_u(self, rng, size):
        """Draws in the sampling coordinate, inside the bounds (rejection)."""
        out = np.empty(size)
        filled = 0
        while filled < size:
            if self.kind == "lognormal":
                u = rng.normal(math.log(self.a), self.b, size)
            else:
                u = rng.uniform(self.a, self.b, size)
            x = np.exp(u) if self.kind == "lognormal" else u
            ok = u[(x >= self.lo) & (x <= self.hi)]
            k = min(len(ok), size - filled)
            out[filled:filled + k] = ok[:k]
            filled += k
        return out

    def quantile(self, q):
        """The prior's q quantile (ignoring truncation, which lies beyond the 0.1 % tails)."""
        if self.kind == "lognormal":
            from statistics import NormalDist
            return self.a * math.exp(self.b * NormalDist().inv_cdf(q))
        return self.a + q * (self.b - self.a)

    def describe(self):
        if self.kind == "lognormal":
            return f"log-normal, median {self.a:g}, sd of ln {self.b:g}"
        return f"uniform {self.a:g}-{self.b:g}"


def load_priors(path):
    """Reads and checks a priors file; returns the list of Prior in file order."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}:{e.colno}: {e.msg}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: $: expected an object")
    for k in doc:
        if k not in ("comment", "model", "parameters"):
            raise InputError(f"{path}: $.{k}: unknown key; expected comment, model, parameters")
    if doc.get("model") != "healing":
        raise InputError(f"{path}: $.model: expected \"healing\"")
    params = doc.get("parameters")
    if not isinstance(params, list) or not params:
        raise InputError(f"{path}: $.parameters: expected a non-empty array")
    out, seen = [], set()
    for i, p in enumerate(params):
        where = f"$.parameters[{i}]"
        if not isinstance(p, dict):
            raise InputError(f"{path}: {where}: expected an object")
        allowed = {"name", "prior", "median", "sd_log", "lo", "hi", "bounds", "reason"}
        for k in p:
            if k not in allowed:
                raise InputError(f"{path}: {where}.{k}: unknown key")
        name = p.get("name")
        if not isinstance(name, str) or not name:
            raise InputError(f"{path}: {where}.name: expected the name of a model constant")
        if name in seen:
            raise InputError(f"{path}: {where}.name: \"{name}\" is listed twice")
        seen.add(name)
        reason = p.get("reason")
        if not isinstance(reason, str) or not reason:
            raise InputError(f"{path}: {where}.reason: every prior states its reason")
        kind = p.get("prior")
        if kind not in KINDS:
            raise InputError(f"{path}: {where}.prior: expected one of {', '.join(KINDS)}")
        if kind == "lognormal":
            a = _num(path, where, p, "median", 1e-12)
            b = _num(path, where, p, "sd_log", 1e-6, 10)
            bounds = p.get("bounds")
            if (not isinstance(bounds, list) or len(bounds) != 2 or
                    not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                            for x in bounds) or not 0 < bounds[0] < a < bounds[1]):
                raise InputError(f"{path}: {where}.bounds: expected [lo, hi] with "
                                 f"0 < lo < median < hi")
            lo, hi = float(bounds[0]), float(bounds[1])
        else:
            a = _num(path, where, p, "lo")
            b = _num(path, where, p, "hi")
            if not a < b:
                raise InputError(f"{path}: {where}.hi: must be above lo")
            lo, hi = a, b
        out.append(Prior(name, kind, a, b, lo, hi, reason))
    return out


def log_prior(priors, u):
    s = 0.0
    for p, x in zip(priors, u):
        s += p.log_density_u(x)
        if s == -math.inf:
            return s
    return s


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def evidence_hash(evidence_dir, role="calibration"):
    """SHA-256 over the study files of one role, in file-name order: for each, its name, a
    newline, its bytes and a newline (docs/models/healing.md §4.2). Returns (hash, ids)."""
    h = hashlib.sha256()
    ids = []
    for name in sorted(os.listdir(evidence_dir)):
        if not name.endswith(".json"):
            continue
        full = os.path.join(evidence_dir, name)
        with open(full, "rb") as f:
            data = f.read()
        if json.loads(data).get("role") != role:
            continue
        h.update(name.encode() + b"\n" + data + b"\n")
        ids.append(name[:-5])
    return h.hexdigest(), ids


def write_posterior(path, names, draws, provenance):
    """Writes a posterior file atomically (a temporary file beside it, then a rename)."""
    doc = {
        "model": "healing",
        "format": FORMAT_VERSION,
        "parameters": list(names),
        "draws": [[float(f"{v:.6g}") for v in row] for row in draws],
        "provenance": provenance,
    }
    text = json.dumps(doc, indent=1)
    # One draw per line keeps the file readable and its diffs small.
    text = _compact_rows(text)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _compact_rows(text):
    doc = json.loads(text)
    draws = doc.pop("draws")
    head = json.dumps(doc, indent=1)
    rows = ",\n  ".join(json.dumps(r) for r in draws)
    # Put the draws after the parameters, before the provenance.
    parts = head.split('\n "provenance"')
    return parts[0] + '\n "draws": [\n  ' + rows + '\n ],\n "provenance"' + parts[1]
