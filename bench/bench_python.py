"""The Python call beside the C call, for `simulate` (DESIGN 8: the Python call <= 1.1 x the C
call), measured in one run.

The C call is mnpy_simulate() (python/mneedle/_glue.c): it parses the scenario's JSON text,
runs the model, its band and the maintenance projection, and writes the command's JSON into a
buffer. The Python call is mneedle.Context.simulate(): it checks and serialises the dict, makes
that C call, parses the JSON back and builds the NumPy trajectory. Both are timed in this
process, in alternating blocks (so a busy machine slows both alike), as thread CPU time, best
of the blocks; the C call is made through cffi with the text prepared beforehand, which adds
the cost of one foreign call (under a microsecond). bench_pycall, the same C call timed from a
C program, is printed beside it as a cross-check.

usage: python3 bench_python.py BENCH_PYCALL SCENARIO [REPEATS]   (bench_python.sh runs it)
"""
import json
import subprocess
import sys
import time

import mneedle
from mneedle._mneedle import ffi, lib

BAR = 1.10  # DESIGN 8: the Python call <= 1.1 x the C call
BLOCKS = 15


def c_program_us(exe, scenario, band, reps):
    out = subprocess.run([exe, scenario, str(band), str(reps)], capture_output=True, text=True,
                         check=True).stdout
    return float(out.split()[1])


def measure(ctx, doc, band, reps):
    text = json.dumps(doc).encode()

    def c_call():
        buf = ffi.new("mnpy_buf *")
        st = lib.mnpy_simulate(ctx._ptr, b"scenario", text, len(text), band,
                               mneedle.BAND_DEFAULT_SEED, b"exact", buf)
        out = ffi.string(buf.data, buf.len)
        lib.mnpy_buf_free(buf)
        assert st == 0 and out
        return out

    def py_call():
        return ctx.simulate(doc, band=band)

    best = {c_call: float("inf"), py_call: float("inf")}
    for _ in range(BLOCKS):
        for f in (c_call, py_call):
            t0 = time.thread_time()
            for _ in range(reps):
                f()
            best[f] = min(best[f], (time.thread_time() - t0) / reps)
    return 1e6 * best[c_call], 1e6 * best[py_call]


def main():
    exe, scenario = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with open(scenario, encoding="utf-8") as f:
        doc = json.load(f)
    ctx = mneedle.Context()
    print(f"bench_python: simulate {scenario.rsplit('/', 1)[-1]}, CPU time per call, best of "
          f"{BLOCKS} alternating blocks")
    print(f"  {'band':>20}  {'C us':>8}  {'Python us':>9}  {'Python/C':>8}  {'added':>7}  "
          f"{'C program us':>12}")
    verdict = None
    # band 64 is the default call (as `mneedle simulate`); band 0 the lightest (no band: the
    # typical person alone), where the fixed cost of the Python side weighs most.
    for band, what, n in ((64, "64 draws (default)", reps), (0, "no band", 8 * reps)):
        c, p = measure(ctx, doc, band, n)
        ref = c_program_us(exe, scenario, band, n)
        ratio = p / c
        if band == 64:
            verdict = ratio <= BAR
        print(f"  {what:>20}  {c:8.1f}  {p:9.1f}  {ratio:8.3f}  {100 * (ratio - 1):+6.1f} %  "
              f"{ref:12.1f}")
    print(f"  Python side: {p - c:.0f} us per call (checking and serialising the dict, parsing "
          f"the JSON back, the trajectory arrays)")
    print(f"  target: the default call <= {BAR:.2f} x the C call: "
          f"{'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
