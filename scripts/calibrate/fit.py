"""The sampler of calibrate.py: emcee's affine-invariant ensemble over the priors' sampling
coordinates (ln of a log-normal constant, the value of a uniform one), with the C library's
log likelihood (mneedle's Context.likelihood, mn_evidence_loglik) on two processes, then the
convergence figures, the posterior file and the generated table of docs/models/healing.md.

Convergence, as docs/models/healing.md §4.3 states it:
  tau     the integrated autocorrelation time of each constant's chain after burn-in, emcee's
          estimator (Goodman & Weare 2010; Sokal's window, c = 5), averaged over walkers;
  accept  the mean acceptance fraction over walkers;
  R-hat   the split R-hat (Gelman et al. 2013, BDA3 §11.4): each walker's chain after burn-in
          cut in halves, the halves taken as chains, sqrt(((n-1)/n W + B/n) / W).
"""
import json
import math
import multiprocessing
import os
import statistics
import sys
import time

import numpy as np

import priors as P

_L = None  # the likelihood of a worker process
_PRIORS = None


def _init(names, studies, patients, priors):
    global _L, _PRIORS
    import mneedle
    ctx = mneedle.Context()
    _L = ctx.likelihood(names, studies=studies, bundled=False, patients=patients)
    _L._keep_ctx = ctx
    _PRIORS = priors


def log_prob(u):
    lp = P.log_prior(_PRIORS, u)
    if lp == -math.inf:
        return -math.inf
    x = [p.from_u(v) for p, v in zip(_PRIORS, u)]
    return lp + _L(x)


def load_studies(evidence_dir, role="calibration"):
    """The study files of one role in a directory, as objects, in file-name order."""
    out = []
    for name in sorted(os.listdir(evidence_dir)):
        if name.endswith(".json"):
            with open(os.path.join(evidence_dir, name), encoding="utf-8") as f:
                doc = json.load(f)
            if doc.get("role") == role:
                out.append(doc)
    return out


def split_rhat(chain):
    """Split R-hat per parameter of an emcee chain (steps, walkers, dim)."""
    n = chain.shape[0] // 2
    halves = np.concatenate([chain[:n], chain[n:2 * n]], axis=1)  # (n, 2 walkers, dim)
    means = halves.mean(axis=0)
    W = halves.var(axis=0, ddof=1).mean(axis=0)
    B = n * means.var(axis=0, ddof=1)
    var = (n - 1) / n * W + B / n
    return np.sqrt(var / W)


def sample(priors, studies, walkers, steps, burn_in, seed, patients=0, processes=2,
           progress=True, out=sys.stdout):
    """Runs emcee; returns (sampler, chain after burn-in (steps, walkers, dim), figures)."""
    import emcee
    names = [p.name for p in priors]
    dim = len(priors)
    if walkers < 2 * dim:
        raise ValueError(f"--walkers: at least {2 * dim} (twice the {dim} constants)")
    rng = np.random.default_rng(seed)
    start = np.column_stack([p.draw_u(rng, walkers) for p in priors])
    init_args = (names, studies, patients, priors)
    t0 = time.monotonic()
    if processes > 1:
        ctxmp = multiprocessing.get_context("fork")
        pool = ctxmp.Pool(processes, initializer=_init, initargs=init_args)
    else:
        _init(*init_args)
        pool = None
    try:
        sampler = emcee.EnsembleSampler(walkers, dim, log_prob, pool=pool,
                                        moves=[(emcee.moves.DEMove(), 0.8),
                                               (emcee.moves.DESnookerMove(), 0.2)])
        sampler.random_state = np.random.RandomState(seed).get_state()
        every = max(1, steps // 20)
        for i, _ in enumerate(sampler.sample(start, iterations=steps), 1):
            if progress and (i % every == 0 or i == steps):
                el = time.monotonic() - t0
                acc = float(np.mean(sampler.acceptance_fraction))
                print(f"  step {i:6d}/{steps}  {el / 60:6.1f} min  acceptance {acc:.2f}  "
                      f"eta {el / i * (steps - i) / 60:5.1f} min", file=out, flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    chain = sampler.get_chain(discard=burn_in)
    tau = emcee.autocorr.integrated_time(chain, tol=0)
    figures = {
        "tau": dict(zip(names, (float(t) for t in tau))),
        "tau_max": float(np.max(tau)),
        "steps_over_tau_max": float(chain.shape[0] / np.max(tau)),
        "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
        "rhat": dict(zip(names, (float(r) for r in split_rhat(chain)))),
        "minutes": (time.monotonic() - t0) / 60,
        "evaluations": walkers * steps,
    }
    figures["rhat_max"] = max(figures["rhat"].values())
    return sampler, chain, figures


def thin_draws(priors, sampler, burn_in, n_draws):
    """n_draws draws from the chain after burn-in, thinned evenly (every `thin` steps of every
    walker); returns (values (n_draws, dim), thin)."""
    chain = sampler.get_chain(discard=burn_in)
    steps, walkers, _ = chain.shape
    thin = max(1, steps * walkers // n_draws)
    flat = sampler.get_chain(discard=burn_in, thin=thin, flat=True)[-n_draws:]
    x = np.array([[p.from_u(v) for p, v in zip(priors, row)] for row in flat])
    return x, thin


def informing(priors, studies, draws, patients=0, threshold=1.0):
    """For each constant, the studies whose log likelihood moves by more than @p threshold
    when the constant alone goes from its prior's 5th to its 95th percentile (the others at
    their posterior medians): the studies that inform it."""
    import mneedle
    names = [p.name for p in priors]
    ctx = mneedle.Context()
    L = ctx.likelihood(names, studies=studies, bundled=False, patients=patients)
    med = list(np.median(draws, axis=0))
    out = {}
    for j, p in enumerate(priors):
        per = {}
        for q in (0.05, 0.95):
            x = list(med)
            x[j] = min(max(p.quantile(q), p.lo), p.hi)
            for t in L.terms(x):
                if t["applies"]:
                    per.setdefault(t["study"], []).append(t["loglik"])
        # per study: the sum over its terms at each end
        moved = []
        n_terms = {}
        for t in L.terms(med):
            if t["applies"]:
                n_terms[t["study"]] = n_terms.get(t["study"], 0) + 1
        for sid, vals in per.items():
            k = n_terms[sid]
            lo, hi = sum(vals[:k]), sum(vals[k:])
            if abs(hi - lo) > threshold:
                moved.append(sid)
        out[p.name] = sorted(moved)
    terms = L.terms(med)
    L.close()
    return out, terms


def table(priors, draws, informed, figures, prov, used):
    """The generated prior -> posterior table (markdown); @used: the ids of the studies with
    at least one endpoint in the likelihood."""
    lines = [
        "| constant | prior | prior median [90 %] | posterior median [90 %] | studies that "
        "inform it |",
        "| --- | --- | --- | --- | --- |",
    ]
    for j, p in enumerate(priors):
        q = np.quantile(draws[:, j], [0.05, 0.5, 0.95])
        pri = [p.quantile(0.05), p.quantile(0.5), p.quantile(0.95)]
        inf = ", ".join(informed.get(p.name, [])) or "none (posterior ≈ prior)"
        lines.append(f"| `{p.name}` | {p.describe()} | {_g(pri[1])} [{_g(pri[0])}, "
                     f"{_g(pri[2])}] | {_g(q[1])} [{_g(q[0])}, {_g(q[2])}] | {inf} |")
    s = prov["sampler"]
    lines += [
        "",
        f"Fitted on {len(prov['studies'])} calibration studies, of which {len(used)} reach the "
        f"likelihood ({', '.join(used)}; the others' endpoints have no observation model, "
        f"listed below) (evidence SHA-256 "
        f"`{prov['evidence_sha256'][:12]}…`) on {prov['date']}: emcee {s.get('version', '')}, "
        f"{s['walkers']} walkers × {s['steps']} steps, burn-in {s['burn_in']}, seed "
        f"{s['seed']}, {figures['minutes']:.1f} min on this machine's 2 cores. "
        f"Convergence: integrated autocorrelation time ≤ {figures['tau_max']:.0f} steps "
        f"(chain after burn-in {figures['steps_over_tau_max']:.0f} × τ), mean acceptance "
        f"fraction {figures['acceptance_fraction']:.2f}, split R-hat ≤ "
        f"{figures['rhat_max']:.3f}.",
    ]
    return "\n".join(lines)


def terms_table(terms):
    lines = ["| study | endpoint | time point | n | day | published | predicted (± sampling sd) "
             "| log likelihood |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for t in terms:
        if not t["applies"]:
            continue
        sd = f" ± {_g(t['spread'])}" if t["spread"] is not None else ""
        lines.append(f"| {t['study']} | {t['endpoint']} | {t['timepoint']} | {t['n']} | "
                     f"{t['day']} | {_g(t['observed'])} | {_g(t['predicted'])}{sd} | "
                     f"{t['loglik']:.2f} |")
    skipped = sorted({f"{t['study']}/{t['endpoint']}: {t['why_not']}" for t in terms
                      if not t["applies"]})
    lines += ["", f"Endpoints of the calibration studies without an observation model yet "
              f"({len(skipped)}; they do not enter the likelihood):", ""]
    lines += [f"* {s}" for s in skipped]
    return "\n".join(lines)


def _g(x):
    if x is None:
        return "–"
    return f"{x:.3g}"


def write_docs(path, text, begin, end):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        raise P.InputError(f"{path}: the markers of the generated table are missing")
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    new = head + begin + "\n" + text + "\n" + end + tail
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(tmp, path)


def run(a, priors, prov):
    import emcee
    import calibrate
    studies = load_studies(a.evidence)
    print(f"calibrate: {len(priors)} constants, {len(studies)} calibration studies, "
          f"{a.walkers} walkers x {a.steps} steps (burn-in {a.burn_in}), seed {a.seed}",
          flush=True)
    try:
        sampler, chain, fig = sample(priors, studies, a.walkers, a.steps, a.burn_in, a.seed,
                                     a.patients)
    except ValueError as e:
        print(f"calibrate: {e}", file=sys.stderr)
        return 2
    draws, thin = thin_draws(priors, sampler, a.burn_in, a.draws)
    print(f"calibrate: {fig['minutes']:.1f} min, {fig['evaluations']} likelihood evaluations")
    print(f"  integrated autocorrelation time (steps): " +
          ", ".join(f"{k} {v:.1f}" for k, v in fig["tau"].items()))
    print(f"  chain after burn-in / max tau: {fig['steps_over_tau_max']:.1f}"
          f"{'' if fig['steps_over_tau_max'] >= 50 else '  (below 50: run longer)'}")
    print(f"  mean acceptance fraction: {fig['acceptance_fraction']:.3f}")
    print(f"  split R-hat: " + ", ".join(f"{k} {v:.3f}" for k, v in fig["rhat"].items()))
    sampler_info = {"name": "emcee", "version": emcee.__version__, "walkers": a.walkers,
                    "steps": a.steps, "burn_in": a.burn_in, "thin": thin, "seed": a.seed,
                    "moves": "DEMove 0.8, DESnookerMove 0.2"}
    conv = {k: fig[k] for k in ("tau_max", "tau", "steps_over_tau_max", "acceptance_fraction",
                                "rhat_max", "rhat")}
    prov = {"source": "posterior", **prov, "sampler": sampler_info, "convergence": conv,
            "note": f"scripts/calibrate/calibrate.py; {fig['minutes']:.1f} min on 2 cores; "
                    f"virtual patients per term: {a.patients or 'the library default'}"}
    P.write_posterior(a.output, [p.name for p in priors], draws, prov)
    print(f"calibrate: {len(draws)} draws written to {a.output}")
    informed, terms = informing(priors, studies, draws, a.patients)
    used = sorted({t["study"] for t in terms if t["applies"]})
    text = table(priors, draws, informed, fig, prov, used) + "\n\n" + terms_table(terms)
    print(text)
    if a.docs:
        write_docs(a.docs, text, calibrate.TABLE_BEGIN, calibrate.TABLE_END)
        print(f"calibrate: table written to {a.docs}")
    return 0
