#!/usr/bin/env python3
"""Bayesian calibration of the healing model's uncertain constants on the calibration studies of
the evidence base, end to end (docs/models/healing.md §4).

    scripts/calibrate/calibrate.py [--prior-only] [--walkers N] [--steps N] [--seed S] ...

Reads the priors (data/priors/healing.json) and the evidence (data/evidence/, the studies whose
role is `calibration`), samples the posterior with emcee's affine-invariant ensemble sampler
(the log likelihood is the C library's mn_evidence_loglik() through the mneedle Python
package), prints progress and the convergence figures (integrated autocorrelation time,
acceptance fraction, split R-hat over walkers), and writes the posterior file
(data/posterior/healing.json: a few hundred draws with their provenance) and the prior ->
posterior table of docs/models/healing.md (between its generated-table markers).

--prior-only writes draws from the priors alone (provenance source "prior"), no fit.
Run it with Debian's /usr/bin/python3 and the mneedle package importable (scripts/calibrate/
fit.sh builds and installs it into a temporary virtual environment, then runs this script).
Exit codes: 0 done, 1 runtime failure, 2 bad input (the message names the file and place).
"""
import argparse
import datetime
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import priors as P  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
TABLE_BEGIN = "<!-- calibrate.py: prior-posterior table begin (generated; do not edit) -->"
TABLE_END = "<!-- calibrate.py: prior-posterior table end -->"


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--priors", default=os.path.join(ROOT, "data/priors/healing.json"))
    ap.add_argument("--evidence", default=os.path.join(ROOT, "data/evidence"),
                    help="the evidence directory whose calibration studies are fitted (the "
                         "bundled ones by default)")
    ap.add_argument("--output", default=os.path.join(ROOT, "data/posterior/healing.json"))
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs/models/healing.md"),
                    help="the document whose generated table is rewritten ('' for none)")
    ap.add_argument("--prior-only", action="store_true",
                    help="draw from the priors alone; no evidence is used")
    ap.add_argument("--walkers", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--burn-in", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=400, help="draws kept in the posterior file")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--patients", type=int, default=0,
                    help="virtual patients per endpoint in the likelihood (0: the library's "
                         "default)")
    a = ap.parse_args(argv)
    for name, lo in (("walkers", 4), ("steps", 10), ("draws", 10)):
        if getattr(a, name) < lo:
            ap.error(f"--{name.replace('_', '-')}: at least {lo}")
    if not 0 <= a.burn_in < a.steps:
        ap.error("--burn-in: from 0 to below --steps")
    if a.walkers < 2 * 8:
        pass  # checked against the number of constants once the priors are read
    return a


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


def prior_draws(priors, n, seed):
    rng = np.random.default_rng(seed)
    u = np.column_stack([p.draw_u(rng, n) for p in priors])
    return np.array([[p.from_u(x) for p, x in zip(priors, row)] for row in u])


def main(argv=None):
    a = parse_args(argv)
    try:
        priors = P.load_priors(a.priors)
        ev_hash, ids = P.evidence_hash(a.evidence)
    except P.InputError as e:
        print(f"calibrate: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"calibrate: {a.evidence}: {e.strerror}", file=sys.stderr)
        return 2
    names = [p.name for p in priors]
    prov = {
        "date": today(),
        "evidence_sha256": ev_hash,
        "priors_sha256": P.sha256_file(a.priors),
        "studies": ids,
    }
    if a.prior_only:
        draws = prior_draws(priors, a.draws, a.seed)
        prov = {"source": "prior", **prov,
                "note": "Drawn from the priors alone (data/priors/healing.json); no evidence "
                        "was used. The studies listed are those a fit would use."}
        P.write_posterior(a.output, names, draws, prov)
        print(f"calibrate: {a.draws} draws from the priors written to {a.output}")
        return 0
    import fit  # the sampler; needs emcee and the mneedle package
    return fit.run(a, priors, prov)


if __name__ == "__main__":
    sys.exit(main())
