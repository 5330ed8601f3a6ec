"""Ctrl-C during a long call (docs/python.md, "Interrupting a call"): absorb stops between time
steps, cohort between patients, sensitivity between model evaluations, and the call raises the
KeyboardInterrupt at once. The Context stays usable and nothing is left behind. Each case runs
in a child interpreter, so the signal cannot reach this test run."""
import os
import subprocess
import sys
import textwrap

from conftest import TREE

CHILD = textwrap.dedent("""
    import json, os, signal, sys, threading, time
    import mneedle

    # A shell starts a background job with SIGINT ignored, and Python then leaves it so: give
    # the child Python's own handler whatever it inherited.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def load(kind, name):
        with open(os.path.join(sys.argv[1], "examples", kind, name), encoding="utf-8") as f:
            return json.load(f)

    ctx = mneedle.Context()
    call = sys.argv[2]
    trial = load("trials", "el-domyati-2015-rejuvenation.json")
    spec_dir = os.path.join(sys.argv[1], "examples", "sensitivity")
    spec = load("sensitivity", "wrinkles-course.json")
    if call == "absorb":
        run = lambda: ctx.absorb(load("scenarios", "absorb-field-niacinamide.json"), field=True)
        again = lambda: ctx.absorb(load("scenarios", "absorb-vitc-pen.json"))["samples"][-1]["hour"]
    elif call == "cohort":
        run = lambda: ctx.cohort(trial, n=400000, threads=1)
        again = lambda: ctx.cohort(trial, n=300, threads=1)["n"]
    else:
        run = lambda: ctx.sensitivity(dict(spec, n=128), threads=2, spec_dir=spec_dir)
        small = {k: v for k, v in spec.items() if k != "morris"}
        again = lambda: len(ctx.sensitivity(dict(small, n=4, bootstrap=10),
                                            spec_dir=spec_dir)["outputs"])
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.monotonic()
    try:
        run()
        print("finished", round(time.monotonic() - t0, 3))
    except KeyboardInterrupt as e:
        c = e.__context__
        print("interrupted", round(time.monotonic() - t0, 3),
              c.status if isinstance(c, mneedle.MneedleError) else None)
    # The Context is not left locked or in error: the same call runs again.
    print("after", again())
""")


def child(call):
    out = subprocess.run([sys.executable, "-c", CHILD, TREE, call], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")


def stopped_soon(first):
    # Stopped by the library's stop (MN_ESTOPPED behind the KeyboardInterrupt), soon after the
    # signal at 0.3 s, where the whole run takes seconds.
    word, seconds, status = first.split()
    assert word == "interrupted" and status == "MN_ESTOPPED", first
    assert float(seconds) < 1.3, first


def test_ctrl_c_stops_absorb_between_time_steps():
    first, after = child("absorb")[:2]
    stopped_soon(first)
    assert after == "after 24.0"


def test_ctrl_c_stops_cohort_between_patients():
    # 400,000 patients on one thread: 17 s to the end, measured on a shared 2-core machine.
    first, after = child("cohort")[:2]
    stopped_soon(first)
    assert after == "after 300"


def test_ctrl_c_stops_sensitivity_between_evaluations():
    # N 128 of wrinkles-course.json (1,024 + 140 evaluations, each a simulate, a maintenance
    # projection and a 24 h absorb): 11 s to the end on two threads, measured as above.
    first, after = child("sensitivity")[:2]
    stopped_soon(first)
    assert after == "after 4"
