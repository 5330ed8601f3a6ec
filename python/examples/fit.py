"""Fitting one scenario to your own measurements with scipy.optimize.

    python3 fit.py [--measurements FILE.csv] [--out DIR]

FILE.csv has columns day,improvement (your own scale: a wrinkle score's improvement, a
photographic grading, ...) for one client treated with the course of the scenario
(simulate-wrinkles-course.json: six SkinPen sessions at 1.5 mm). The fit finds the two numbers
that make the model's improvement curve go through your points: the skin's effective age
(biological rather than calendar age) and the scale from the model's improvement (% of baseline
severity) to yours. It prints them with standard errors from the Jacobian and draws the fit.

The bundled measurements.csv is illustrative, not data: it was made with this model (age 58,
scale 0.8) plus noise, so that the fit's answer is known; replace it with yours.
"""
import argparse
import copy
import csv
import json
import os

import matplotlib
import numpy as np
from scipy.optimize import least_squares

import mneedle

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "..", "examples", "scenarios", "simulate-wrinkles-course.json")
AGE_RANGE = (18.0, 100.0)  # the scenario format's range of patient.age


def read(path):
    days, values = [], []
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            days.append(int(row["day"]))
            values.append(float(row["improvement"]))
    order = np.argsort(days)
    return np.asarray(days)[order], np.asarray(values)[order]


def model(ctx, base, days, age):
    sc = copy.deepcopy(base)
    sc["patient"]["age"] = float(age)
    sc["report_days"] = [int(d) for d in days]
    return ctx.simulate(sc, band=0)["trajectory"]["improvement_pct"]


def fit(ctx, base, days, values):
    """least_squares over (age, scale); returns the parameters, their standard errors and the
    residual standard deviation."""
    def residuals(x):
        return x[1] * model(ctx, base, days, x[0]) - values
    r = least_squares(residuals, x0=[45.0, 1.0], bounds=([AGE_RANGE[0], 0.0], [AGE_RANGE[1], 10.0]),
                      diff_step=[1e-2, 1e-4])
    dof = max(len(values) - 2, 1)
    sigma = np.sqrt(2 * r.cost / dof)
    cov = np.linalg.pinv(r.jac.T @ r.jac) * sigma ** 2
    return r.x, np.sqrt(np.diag(cov)), sigma


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--measurements", default=os.path.join(HERE, "measurements.csv"))
    ap.add_argument("--scenario", default=SCENARIO)
    ap.add_argument("--out", default=".", help="folder for fit.png")
    args = ap.parse_args()
    with open(args.scenario, encoding="utf-8") as f:
        base = json.load(f)
    days, values = read(args.measurements)
    ctx = mneedle.Context()
    (age, scale), (age_se, scale_se), sigma = fit(ctx, base, days, values)
    print(f"effective age {age:.1f} ± {age_se:.1f} years, scale {scale:.3f} ± {scale_se:.3f}, "
          f"residual SD {sigma:.2f}")
    grid = np.unique(np.concatenate([np.linspace(0, base["horizon_days"], 120).astype(int), days]))
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    ax.plot(grid, scale * model(ctx, base, grid, age), label=f"model, age {age:.0f}")
    ax.plot(days, values, "o", label="measurements")
    ax.set_xlabel("Day")
    ax.set_ylabel("Improvement (your scale)")
    ax.set_title("Fit of the wrinkle course to measurements (model simulation)")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    os.makedirs(args.out, exist_ok=True)
    fig.savefig(os.path.join(args.out, "fit.png"), dpi=120)
    return age, scale


if __name__ == "__main__":
    main()
