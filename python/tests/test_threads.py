"""Long runs release the GIL, so other Python threads keep running; separate Contexts run in
parallel threads with the same results; cohort(threads=N) gives the same answer for any N."""
import threading
import time

import mneedle
from conftest import example, examples


def test_the_gil_is_released_during_a_long_run():
    trial = example("trials", examples("trials")[0])
    ctx = mneedle.Context()
    # Time a short run, then size the run the loop watches to about 0.6 s of work on this
    # machine and build (a sanitizer build is several times slower per patient).
    probe = 100
    start = time.perf_counter()
    ctx.cohort(trial, n=probe, threads=1)
    one = time.perf_counter() - start
    n = max(probe, int(probe * 0.6 / max(one, 1e-3)))
    done = threading.Event()
    ticks = []

    def run():
        try:
            ctx.cohort(trial, n=n, threads=1)
        finally:
            done.set()
    t = threading.Thread(target=run)
    t.start()
    begin = time.perf_counter()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.002)
    t.join()
    took = time.perf_counter() - begin
    gaps = [b - a for a, b in zip([begin] + ticks, ticks)]
    # Holding the GIL would stop this loop for the whole call: one gap as long as the run.
    assert took > 0.2, f"the run was too short to tell ({took:.3f} s)"
    assert len(ticks) > 20 and max(gaps) < took / 2, (len(ticks), max(gaps), took)


def test_contexts_on_threads_agree():
    sc = example("scenarios", examples("scenarios", "simulate-")[0])
    want = mneedle.Context().simulate(sc, band=16)
    results = [None] * 4

    def run(i):
        results[i] = mneedle.Context().simulate(sc, band=16)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert r["summary"] == want["summary"] and r["samples"] == want["samples"]


def test_one_context_shared_by_threads_is_safe():
    ctx = mneedle.Context()
    client = example("clients", "amelia-wrinkles.json")
    want = ctx.plan(client)
    errors = []

    def run():
        try:
            for _ in range(5):
                assert ctx.plan(client) == want
                bad = dict(client, client={"age": "x"})
                try:
                    ctx.plan(bad)
                except mneedle.InputError as e:
                    assert e.path.startswith("$.client")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_cohort_threads():
    trial = example("trials", examples("trials")[0])
    one = mneedle.cohort(trial, n=600, threads=1)
    assert mneedle.cohort(trial, n=600, threads=4) == one
    assert mneedle.cohort(trial, n=600) == one



def _gomp_settings(env):
    """The OpenMP runtime's own settings in a fresh interpreter that imports mneedle (libgomp
    prints them when it is loaded if OMP_DISPLAY_ENV is set), and OMP_WAIT_POLICY afterwards."""
    import os
    import subprocess
    import sys
    env = dict(env, OMP_DISPLAY_ENV="verbose")
    run = subprocess.run(
        [sys.executable, "-c", "import os, mneedle; print(os.environ['OMP_WAIT_POLICY'])"],
        env=env, capture_output=True, text=True, check=True)
    shown = {}
    for line in run.stderr.splitlines():
        if "=" in line:
            key, _, value = line.strip().partition(" = ")
            shown[key] = value
    return shown, run.stdout.strip()


def test_threads_wait_passively_unless_the_user_says_otherwise():
    """Unset, the package sets OMP_WAIT_POLICY=passive before libgomp loads: the runtime then
    spins 0 turns before sleeping (its default, unset, is 300,000). A value the user set wins."""
    import os
    import pytest
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    shown, seen = _gomp_settings(env)
    if "GOMP_SPINCOUNT" not in shown:
        pytest.skip("the OpenMP runtime prints no settings (not libgomp)")
    assert seen == "passive"
    assert shown["OMP_WAIT_POLICY"] == "'PASSIVE'" and shown["GOMP_SPINCOUNT"] == "'0'", shown
    shown, seen = _gomp_settings(dict(env, OMP_WAIT_POLICY="active"))
    assert seen == "active"
    assert shown["OMP_WAIT_POLICY"] == "'ACTIVE'", shown
