#!/usr/bin/python3
"""Writes docs/sensitivity-healing.md and its figures: Sobol' indices of the reference course's
peak, durability and maintenance interval over the posterior of the healing model, from three
committed SPECs run by `mneedle sensitivity` (nothing here computes an index; this only lays
out the command's JSON).

  examples/sensitivity/healing-posterior.json         each calibrated constant from its
                                                      marginal (independent sample)
  examples/sensitivity/healing-posterior-person.json  the posterior as one grouped input beside
                                                      the between-person multipliers
  examples/sensitivity/healing-posterior-joint.json   whole draws alone: the posterior's own
                                                      mean and variance of each output

usage: scripts/sensitivity_healing.py [--mneedle BIN] [--out DIR]
  BIN defaults to build/release/mneedle, DIR to docs/ (the page and its two figures).
tests/cli/sensitivity_healing_doc.sh runs it into a temporary folder and fails when the
committed page or figures differ.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

TREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPECS = {
    "marginal": "examples/sensitivity/healing-posterior.json",
    "person": "examples/sensitivity/healing-posterior-person.json",
    "joint": "examples/sensitivity/healing-posterior-joint.json",
}
FIGURES = {"marginal": "sensitivity-healing.svg", "person": "sensitivity-healing-person.svg"}
PAGE = "sensitivity-healing.md"
# method.posterior.file when the SPEC draws from the posterior built into the binary
# (MN_SENS_BUNDLED_POSTERIOR, docs/sensitivity.md): the page calls it by name, as the command's
# text does, since an installed copy has no file of that path.
BUNDLED_POSTERIOR = "data/posterior/healing.json (bundled)"
LABEL = {
    "peak_improvement_pct": "Peak improvement",
    "durability_days": "Durability",
    "maintenance_interval_days": "Maintenance interval",
}
# What each constant is (docs/models/healing.md section 4).
MEANING = {
    "response_max": "maximal collagen response R_max",
    "dose_half_sat": "dose half-saturation D_half",
    "epi_gain": "epidermal gain",
    "improvement_scale": "improvement scale x_c",
    "col3_visible_weight": "collagen III visible weight",
    "col3_tau_d": "collagen III lifetime",
    "col1_young_tau_d": "young collagen I lifetime",
    "col1_long_fraction": "fraction becoming long-lived",
}


def run(mneedle, name, work, out):
    spec = os.path.join(TREE, SPECS[name])
    result = os.path.join(work, name + ".json")
    cmd = [mneedle, "sensitivity", "--json", "-o", result, spec]
    if name in FIGURES:
        cmd += ["--plot", os.path.join(out, FIGURES[name])]
    subprocess.run(cmd, check=True)
    with open(result) as f:
        return json.load(f)


def num(x, digits=3):
    s = f"{x:.{digits}f}"
    return "0.000" if s in ("-0.000",) else s.replace("-", "−")


def index_table(res):
    lines = []
    for out in res["outputs"]:
        sd = out["variance"] ** 0.5
        lines.append(f"**{LABEL[out['name']]}** (`{out['name']}`, {out['unit']}): mean "
                     f"{out['mean']:.4g}, standard deviation {sd:.3g}.")
        lines.append("")
        lines.append("| input | S1 | S1 95 % interval | ST | ST 95 % interval |")
        lines.append("|---|---|---|---|---|")
        rows = sorted(out["inputs"], key=lambda i: -i["total"])
        for i in rows:
            lo1, hi1 = i["first_order_ci"]
            lo, hi = i["total_ci"]
            lines.append(f"| `{i['name']}` | {num(i['first_order'])} | [{num(lo1)}, {num(hi1)}] "
                         f"| {num(i['total'])} | [{num(lo)}, {num(hi)}] |")
        lines.append("")
    return lines


def input_table(res):
    lines = ["| constant | what | lowest | median | highest |", "|---|---|---|---|---|"]
    for i in res["inputs"]:
        lo, med, hi = i["parameters"]
        lines.append(f"| `{i['name']}` | {MEANING.get(i['name'], '')} ({i['unit']}) | {lo:.4g} | "
                     f"{med:.4g} | {hi:.4g} |")
    return lines


def interactions(out):
    return sum(i["total"] - i["first_order"] for i in out["inputs"])


def correlations(post):
    """Pairs of constants with |r| >= 0.3 over the posterior's draws, strongest first."""
    name = post["file"].replace(" (bundled)", "")
    path = name if os.path.isabs(name) else os.path.join(TREE, name)
    with open(path) as f:
        d = json.load(f)
    names, draws = d["parameters"], d["draws"]
    n = len(draws)
    cols = [[row[j] for row in draws] for j in range(len(names))]
    mean = [sum(c) / n for c in cols]
    sd = [(sum((x - m) ** 2 for x in c) / n) ** 0.5 for c, m in zip(cols, mean)]
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if sd[i] > 0 and sd[j] > 0:
                cov = sum((x - mean[i]) * (y - mean[j]) for x, y in zip(cols[i], cols[j])) / n
                r = cov / (sd[i] * sd[j])
                if abs(r) >= 0.3:
                    pairs.append((names[i], names[j], r))
    return sorted(pairs, key=lambda p: -abs(p[2]))


def posterior_name(file):
    """The posterior as the page names it: the bundled one by name, another by its file."""
    return "the bundled posterior" if file == BUNDLED_POSTERIOR else f"`{file}`"


def page(res):
    a, b, c = res["marginal"], res["person"], res["joint"]
    post = a["method"]["posterior"]
    m = a["method"]
    with open(os.path.join(TREE, "examples/scenarios/simulate-wrinkles-course.json")) as f:
        course = json.load(f)["_about"]
    L = [
        "# Sensitivity of the healing model over its posterior",
        "",
        "<!-- Generated by scripts/sensitivity_healing.py from the SPECs in examples/sensitivity/;",
        "     tests/cli/sensitivity_healing_doc.sh fails when this page is not its output. -->",
        "",
        "Which of the healing model's calibrated constants move the three numbers a client asks",
        "about — how much better, for how long, and when to come back — given what the evidence",
        "says about those constants (the posterior of [models/healing.md](models/healing.md)",
        "§4.1–4.2). The numbers are Sobol' first-order (S1) and total (ST) indices computed by",
        "`mneedle sensitivity` ([sensitivity.md](sensitivity.md) gives the method and how to read",
        "them). They describe the model, not patients: a large index says the projection depends",
        "on that constant, which is where better evidence would narrow it most.",
        "",
        "Regenerate (after a new posterior, a model change, or a change to the SPECs):",
        "",
        "```sh",
        "scripts/sensitivity_healing.py --mneedle build/release/mneedle   # writes docs/",
        "```",
        "",
        "## Reference course and posterior",
        "",
        f"- Course: `examples/scenarios/simulate-wrinkles-course.json`: {course}",
        f"- Posterior: {posterior_name(post['file'])}, source `{post['source']}`, {post['date']}, "
        f"{post['draws']} draws of {post['constants']} constants.",
        "- Outputs: the course's peak improvement (% of baseline severity), its durability (days",
        "  from the peak until improvement falls below half the peak; censored at the end of the",
        "  40-year search), and the maintenance interval the model chooses for it (days, 90–365 on",
        "  a 7-day grid).",
        f"- Sampling: {m['bootstrap']} bootstrap resamples for the "
        f"{100 * m['confidence']:.0f} % intervals, seed {m['seed']}; N and the number of model",
        "  runs are given with each section. The constants the posterior does not draw keep the",
        "  library's defaults; the person is the typical one (every between-person multiplier 1)",
        "  except where section 2 varies them.",
        "",
        "## 1. Each constant over its posterior marginal",
        "",
        f"SPEC `{SPECS['marginal']}`, N = {m['n']} ({m['evaluations']} model runs). Each",
        "constant is drawn from its marginal over the draws, independently of the others",
        "(Sobol' indices need independent inputs): the posterior's correlations between",
        "constants are **not** kept (section 3 measures what that changes).",
        "",
    ]
    L += input_table(a)
    L += ["", f"![S1 and ST of the three outputs, 95 % intervals]({FIGURES['marginal']})", ""]
    L += index_table(a)
    inter = ", ".join(f"{LABEL[o['name']].lower()} {num(interactions(o), 2)}"
                      for o in a["outputs"])
    L += [
        "`epi_gain` acts only on the epidermis, which feeds none of the three outputs: its",
        "indices are 0 by the model's structure, a check that the analysis sees only what the",
        "model does. What the constants do together rather than one at a time, Σ ST − Σ S1: "
        f"{inter}. The maintenance interval's 7-day grid and 365-day bound add steps that a",
        "single constant seldom crosses alone.",
        "",
        "## 2. Parameter uncertainty beside the spread between people",
        "",
        f"SPEC `{SPECS['person']}`, N = {b['method']['n']} ({b['method']['evaluations']} model",
        "runs). The posterior as **one grouped input** (`posterior`: each",
        "coordinate picks a whole draw, so the constants vary together with their correlations",
        "kept; J. Jacques, C. Lavergne, N. Devictor, Reliab. Eng. Syst. Saf. 91 (2006)",
        "1126–1134), beside the between-person multipliers of `mn_healing_variability` with the",
        "log-normal spreads healing.h gives each (severity_scale, the widest, is not a SPEC",
        "input). The index of `posterior` is the share due to what the evidence leaves",
        "uncertain; those of the multipliers, the share due to how people differ.",
        "",
        f"![S1 and ST with the posterior grouped, 95 % intervals]({FIGURES['person']})",
        "",
    ]
    L += index_table(b)
    L += [
        "## 3. What the independent sample changes",
        "",
        f"SPEC `{SPECS['joint']}` runs whole draws alone (N = {c['method']['n']}), so its mean",
        "and standard deviation of each output are the posterior's own. Against them, those of",
        "the independent sample of section 1:",
        "",
        "| output | mean, whole draws | mean, independent | sd, whole draws | sd, independent | sd ratio |",
        "|---|---|---|---|---|---|",
    ]
    for oj, oa in zip(c["outputs"], a["outputs"]):
        sj, sa = oj["variance"] ** 0.5, oa["variance"] ** 0.5
        ratio = f"{sa / sj:.2f}" if sj > 0 else "—"
        L.append(f"| {LABEL[oj['name']]} ({oj['unit']}) | {oj['mean']:.4g} | {oa['mean']:.4g} | "
                 f"{sj:.3g} | {sa:.3g} | {ratio} |")
    L += [
        "",
        "A ratio far from 1 says that the independent sample spreads the output differently from",
        "the posterior: it pairs freely constants that the studies constrained together. The",
        f"strongest correlations between the constants over the {post['draws']} draws (Pearson, "
        "|r| ≥ 0.3):",
        "",
    ]
    L += [f"- `{x}` and `{y}`: r = {num(r, 2)}" for x, y, r in correlations(post)]
    L += [
        "",
        "Section 1's indices rank how the model responds to each constant across its posterior",
        "range; the grouped index of section 2 is the one that splits the posterior's own spread.",
        "Per-constant indices that keep the dependence (Mara, Tarantola and Annoni, Environ.",
        "Model. Softw. 72 (2015) 173–183) are not computed.",
        "",
    ]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mneedle", default=os.path.join(TREE, "build/release/mneedle"))
    ap.add_argument("--out", default=os.path.join(TREE, "docs"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        res = {name: run(a.mneedle, name, work, a.out) for name in SPECS}
    text = page(res)
    tmp = os.path.join(a.out, PAGE + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(a.out, PAGE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
