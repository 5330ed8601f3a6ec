"""Parameter sweep: needle length x passes -> peak improvement (healing model) and serum
delivered at 6 h (transport model), as a two-panel figure and a CSV.

    python3 sweep.py [--out DIR] [--quick]

The base cases are the bundled examples simulate-wrinkles-course.json (a six-session SkinPen
course) and absorb-peptide-roller.json (a peptide serum after a 192-needle roller); each grid point changes only the
needle length and the passes of every session. A roller is made in fixed lengths, so the
lengths swept are those of the roller's catalogue entry from 0.5 to 2 mm (all of them inside
the SkinPen's range too). Results are model simulations, not promises.
"""
import argparse
import copy
import csv
import json
import os

import matplotlib
import numpy as np

import mneedle

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "..", "..", "examples", "scenarios")
HOUR = 6.0  # a report hour of absorb-peptide-roller.json, while delivery still differs


def load(name):
    with open(os.path.join(SCENARIOS, name), encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=".", help="folder for sweep.png and sweep.csv")
    ap.add_argument("--quick", action="store_true", help="a 3 x 3 grid instead of 5 x 5")
    args = ap.parse_args()
    heal, serum = load("simulate-wrinkles-course.json"), load("absorb-peptide-roller.json")
    ctx = mneedle.Context()
    roller = next(d for d in ctx.catalog("devices")["devices"] if d["id"] == serum["device"])
    needles = np.array([mm for mm in roller["lengths_mm"] if 0.5 <= mm <= 2.0])
    if args.quick:
        needles = needles[[0, len(needles) // 2, -1]]
    passes = np.arange(1, 4 if args.quick else 6)
    peak = np.zeros((len(needles), len(passes)))
    delivered = np.zeros_like(peak)
    for i, mm in enumerate(needles):
        for j, p in enumerate(passes):
            sc = copy.deepcopy(heal)
            for s in sc["sessions"]:
                s["needle_mm"], s["passes"] = float(mm), int(p)
            peak[i, j] = ctx.simulate(sc, band=0)["summary"]["peak_improvement_pct"]
            ab = dict(serum, needle_mm=float(mm), passes=int(p))
            t = ctx.absorb(ab)["trajectory"]
            delivered[i, j] = np.interp(HOUR, t["hour"], t["delivered_ug_cm2"])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "sweep.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["needle_mm", "passes", "peak_improvement_pct", "delivered_6h_ug_cm2"])
        for i, mm in enumerate(needles):
            for j, p in enumerate(passes):
                w.writerow([f"{mm:.3f}", p, f"{peak[i, j]:.4f}", f"{delivered[i, j]:.4f}"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, z, title in ((axes[0], peak, "Peak improvement (%)"),
                         (axes[1], delivered, "Peptide delivered at 6 h (µg/cm²)")):
        for j, p in enumerate(passes):
            ax.plot(needles, z[:, j], marker="o", label=f"{p} pass{'es' if p > 1 else ''}")
        ax.set_xlabel("Needle length (mm)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False)
    fig.suptitle("Needle length × passes (model simulation, not a promised result)")
    fig.savefig(os.path.join(args.out, "sweep.png"), dpi=120)
    best = np.unravel_index(np.argmax(peak), peak.shape)
    print(f"peak improvement {peak.min():.1f}-{peak.max():.1f} %, highest at "
          f"{needles[best[0]]:.2f} mm x {passes[best[1]]} passes; delivered at 6 h "
          f"{delivered.min():.2f}-{delivered.max():.2f} ug/cm2")


if __name__ == "__main__":
    main()
