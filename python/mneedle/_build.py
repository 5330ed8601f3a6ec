"""cffi build script (API mode): compiles mneedle._mneedle, the glue of _glue.c linked against
libmneedle.so. Where the library and headers are: $MNEEDLE_INCLUDEDIR and $MNEEDLE_LIBDIR if
set, else pkg-config's `mneedle` (an installed copy, `cmake --install`), else this source tree
(../include and ../build/release)."""
import os
import subprocess

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))


def _pkg_config(variable):
    try:
        out = subprocess.run(["pkg-config", "--variable=" + variable, "mneedle"],
                             capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def locate():
    """Returns (include_dir, lib_dir) of the mneedle library to build against."""
    inc = os.environ.get("MNEEDLE_INCLUDEDIR") or _pkg_config("includedir")
    lib = os.environ.get("MNEEDLE_LIBDIR") or _pkg_config("libdir")
    inc = inc or os.path.join(TREE, "include")
    lib = lib or os.path.join(TREE, "build", "release")
    for path, what in ((os.path.join(inc, "mneedle", "mneedle.h"), "headers"),
                       (os.path.join(lib, "libmneedle.so"), "shared library")):
        if not os.path.exists(path):
            raise RuntimeError(f"mneedle {what} not found at {path}: build and install mneedle "
                               "(cmake --install), or set MNEEDLE_INCLUDEDIR/MNEEDLE_LIBDIR")
    return inc, lib


CDEF = """
typedef struct mn_ctx mn_ctx;
typedef int... mn_status;
typedef struct { char *data; size_t len; ...; } mnpy_buf;
#define MN_COHORT_MAX_TRIALS ...
#define MN_COHORT_MIN_TRIALS ...
#define MN_COHORT_MAX_N ...

mn_status mn_ctx_create(mn_ctx **out);
mn_status mn_ctx_create_with_data(mn_ctx **out, const char *data_dir, char *errbuf,
                                  size_t errbuf_len);
void mn_ctx_free(mn_ctx *ctx);
const char *mn_ctx_errmsg(const mn_ctx *ctx);
void mn_ctx_clear_error(mn_ctx *ctx);
const char *mn_strerror(mn_status status);
const char *mn_status_name(mn_status status);
int mn_status_is_input_error(mn_status status);
const char *mn_version(void);

void mnpy_buf_free(mnpy_buf *b);
mn_status mnpy_screen(mn_ctx *ctx, const char *src, const char *text, size_t len, mnpy_buf *out);
mn_status mnpy_plan(mn_ctx *ctx, const char *src, const char *text, size_t len, int years,
                    const char *start, mnpy_buf *out);
mn_status mnpy_simulate(mn_ctx *ctx, const char *src, const char *text, size_t len, int band,
                        uint64_t seed, const char *integrator, mnpy_buf *out);
typedef int (*mn_stop_fn)(void *userdata);
mn_status mnpy_absorb(mn_ctx *ctx, const char *src, const char *text, size_t len, int field,
                      mn_stop_fn stop, void *stop_userdata, mnpy_buf *out);
extern "Python" int mnpy_py_stop(void *userdata);
int mnpy_stop_check(void *userdata);
mn_status mnpy_cohort(mn_ctx *ctx, const char *src, const char *text, size_t len, int threads,
                      long n, int seed_given, uint64_t seed, int trials, mn_stop_fn stop,
                      void *stop_userdata, mnpy_buf *out);
mn_status mnpy_sensitivity(mn_ctx *ctx, const char *src, const char *text, size_t len,
                           int threads, const char *spec_dir, mn_stop_fn stop,
                           void *stop_userdata, mnpy_buf *out);
mn_status mnpy_catalog(mn_ctx *ctx, const char *what, mnpy_buf *out);
mn_status mnpy_evidence(mn_ctx *ctx, const char *evidence_dir, mnpy_buf *out);
mn_status mnpy_validate(mn_ctx *ctx, const char *evidence_dir, const char *posterior_file,
                        mnpy_buf *out);
mn_status mnpy_observe(mn_ctx *ctx, const char *src, const char *text, size_t len,
                       const char *endpoint, int timepoint, int n_trials, uint64_t seed,
                       int n_names, const char *const *names, const double *values,
                       mnpy_buf *out);
typedef struct mnpy_lik mnpy_lik;
mn_status mnpy_lik_create(mn_ctx *ctx, int bundled, const char *evidence_dir, int n_texts,
                          const char *const *srcs, const char *const *texts, const size_t *lens,
                          int n_names, const char *const *names, int patients, uint64_t seed,
                          int all_roles, mnpy_lik **out);
mn_status mnpy_lik_eval(mn_ctx *ctx, const mnpy_lik *L, const double *values, double *loglik);
mn_status mnpy_lik_terms(mn_ctx *ctx, const mnpy_lik *L, const double *values, mnpy_buf *out);
void mnpy_lik_free(mnpy_lik *L);
"""

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
_inc, _lib = locate()
# Ctrl-C during absorb, cohort and sensitivity: the library asks mnpy_stop_check on the calling
# thread after every time step (absorb), patient (cohort) or before every evaluation that thread
# takes (sensitivity); at most every MNPY_STOP_EVERY_S seconds it calls mnpy_py_stop, Python
# code (the package's), which runs the interpreter's pending signal handlers, so a
# KeyboardInterrupt stops the run.
# [JUDGEMENT] 20 ms: an interrupt felt at once (well under a tenth of a second), and at most
# 50 calls into Python a second, a cost too small to measure beside the models' own work.
PREAMBLE = r"""
#include <time.h>

#include "_glue.h"

#define MNPY_STOP_EVERY_S 0.02

static int mnpy_py_stop(void *userdata);

/* userdata: a double, the monotonic time of the last call into Python (0 before the first). */
static int mnpy_stop_check(void *userdata)
{
    double *last = userdata;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    if (now - *last < MNPY_STOP_EVERY_S)
        return 0;
    *last = now;
    return mnpy_py_stop(userdata);
}
"""

ffibuilder.set_source(
    "mneedle._mneedle",
    PREAMBLE,
    sources=[os.path.relpath(os.path.join(HERE, "_glue.c"))],
    include_dirs=[HERE, _inc],
    library_dirs=[_lib],
    libraries=["mneedle"],
    # The wheel carries libmneedle.so.0 beside the extension (setup.py), found through $ORIGIN.
    extra_link_args=["-Wl,-rpath,$ORIGIN"],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
