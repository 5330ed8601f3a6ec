"""Ctrl-C during a long call (docs/python.md, "Interrupting a call"): absorb stops between time
steps and raises the KeyboardInterrupt at once; the calls without a stop in the library
(cohort, sensitivity, simulate) raise it when the library returns, their result dropped. Either
way the Context stays usable and nothing is left behind. Each case runs in a child interpreter,
so the signal cannot reach this test run."""
import os
import subprocess
import sys
import textwrap

from conftest import TREE

CHILD = textwrap.dedent("""
    import json, os, signal, sys, threading, time
    import mneedle

    def load(kind, name):
        with open(os.path.join(sys.argv[1], "examples", kind, name), encoding="utf-8") as f:
            return json.load(f)

    ctx = mneedle.Context()
    call = sys.argv[2]
    if call == "absorb":
        run = lambda: ctx.absorb(load("scenarios", "absorb-field-niacinamide.json"), field=True)
    else:
        run = lambda: ctx.cohort(load("trials", "el-domyati-2015-rejuvenation.json"), n=60000,
                                 threads=1)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.monotonic()
    try:
        run()
        print("finished")
    except KeyboardInterrupt as e:
        c = e.__context__
        print("interrupted", round(time.monotonic() - t0, 3),
              c.status if isinstance(c, mneedle.MneedleError) else None)
    # The Context is not left locked or in error.
    out = ctx.absorb(load("scenarios", "absorb-vitc-pen.json"))
    print("after", out["samples"][-1]["hour"])
""")


def child(call):
    out = subprocess.run([sys.executable, "-c", CHILD, TREE, call], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")


def test_ctrl_c_stops_absorb_between_time_steps():
    first, after = child("absorb")[:2]
    word, seconds, status = first.split()
    # Stopped by the library's stop (MN_ESTOPPED behind the KeyboardInterrupt), soon after the
    # signal at 0.3 s: the whole run takes seconds.
    assert word == "interrupted" and status == "MN_ESTOPPED", first
    assert float(seconds) < 1.3, first
    assert after == "after 24.0"


def test_ctrl_c_during_cohort_is_raised_when_the_library_returns():
    first, after = child("cohort")[:2]
    assert first.startswith("interrupted ") and first.endswith(" None"), first
    assert after == "after 24.0"
