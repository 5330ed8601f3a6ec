/*
 * The calls the Python package makes, one per command: each takes the input as JSON text (the
 * same object as the command's file), runs what the command runs through the public API only,
 * and writes the command's --json output into a growing buffer. Shared by the cffi extension
 * (python/mneedle/_build.py) and the C side of the Python-call benchmark (bench/).
 */
#ifndef MNPY_GLUE_H
#define MNPY_GLUE_H

#include <mneedle/mneedle.h>

typedef struct {
    char *data; /* NUL-terminated output, malloc'd; NULL before the first write */
    size_t len, cap;
} mnpy_buf;

/** An mn_writer appending to an mnpy_buf passed as userdata. */
int mnpy_buf_write(void *userdata, const char *buf, size_t len);
/** Frees the buffer's data and empties it. */
void mnpy_buf_free(mnpy_buf *b);

mn_status mnpy_screen(mn_ctx *ctx, const char *src, const char *text, size_t len, mnpy_buf *out);
/** As `mneedle plan --json --years YEARS [--start START]`: @p start NULL keeps the client's
 *  clinic.start; "earliest" or a YYYY-MM-DD date replaces it (MN_EINVAL, with no message, for
 *  anything else: the package checks it first). */
mn_status mnpy_plan(mn_ctx *ctx, const char *src, const char *text, size_t len, int years,
                    const char *start, mnpy_buf *out);
/** As `mneedle simulate --json --band BAND --seed SEED --integrator NAME`. */
mn_status mnpy_simulate(mn_ctx *ctx, const char *src, const char *text, size_t len, int band,
                        uint64_t seed, const char *integrator, mnpy_buf *out);
/** As `mneedle absorb --json [--field]`; @p stop (may be NULL) is asked after every time step,
 *  as by mn_absorb_run_until() (the package's Ctrl-C). */
mn_status mnpy_absorb(mn_ctx *ctx, const char *src, const char *text, size_t len, int field,
                      mn_stop_fn stop, void *stop_userdata, mnpy_buf *out);
/** As `mneedle cohort --json [--threads N] [--n N] [--seed S] [--trials M]`; 0 keeps the
 *  default or the trial's value, @p seed_given says whether @p seed overrides the trial's, and
 *  @p trials < 0 runs the command's default number of virtual trials for the intervals
 *  (mn_cohort_default_trials()), 0 none. @p stop (may be
 *  NULL) is asked after every patient, as the run's per-patient callback (the package's
 *  Ctrl-C): nonzero ends the run with MN_ESTOPPED. */
mn_status mnpy_cohort(mn_ctx *ctx, const char *src, const char *text, size_t len, int threads,
                      long n, int seed_given, uint64_t seed, int trials, mn_stop_fn stop,
                      void *stop_userdata, mnpy_buf *out);
/** As `mneedle sensitivity --json [--threads N]` (0: OpenMP's default); file names in the SPEC
 *  are relative to @p spec_dir, as the command's are to the SPEC file's folder (NULL: the
 *  current folder). @p stop (may be NULL) is asked before every evaluation the calling thread
 *  takes, as by mn_sens_run_until() (the package's Ctrl-C). */
mn_status mnpy_sensitivity(mn_ctx *ctx, const char *src, const char *text, size_t len, int threads,
                           const char *spec_dir, mn_stop_fn stop, void *stop_userdata,
                           mnpy_buf *out);
/** The observation model of one endpoint of a study (the object of a study file,
 *  docs/evidence.md): mn_evidence_observe_params() with @p endpoint named by id and the
 *  @p n_names constants @p names set to @p values (the library's defaults otherwise), as JSON
 *  {applies, why_not, n, day, n_trials, counted, median, lo, hi, observed}. */
mn_status mnpy_observe(mn_ctx *ctx, const char *src, const char *text, size_t len,
                       const char *endpoint, int timepoint, int n_trials, uint64_t seed,
                       int n_names, const char *const *names, const double *values, mnpy_buf *out);

/** A likelihood over a set of studies (mn_evidence_loglik) with constants given by name: the
 *  bundled studies (and @p evidence_dir's, if not NULL) when @p bundled, plus @p n_texts
 *  study files given as text; @p patients and @p seed 0 keep the library's defaults. */
typedef struct mnpy_lik mnpy_lik;
mn_status mnpy_lik_create(mn_ctx *ctx, int bundled, const char *evidence_dir, int n_texts,
                          const char *const *srcs, const char *const *texts, const size_t *lens,
                          int n_names, const char *const *names, int patients, uint64_t seed,
                          int all_roles, mnpy_lik **out);
/** The log likelihood for @p values (one per name, in the order given at creation). */
mn_status mnpy_lik_eval(mn_ctx *ctx, const mnpy_lik *L, const double *values, double *loglik);
/** Its terms as a JSON array of {study, endpoint, timepoint, applies, why_not, n, day, counted,
 *  loglik, predicted, spread, observed}. */
mn_status mnpy_lik_terms(mn_ctx *ctx, const mnpy_lik *L, const double *values, mnpy_buf *out);
void mnpy_lik_free(mnpy_lik *L);
/** As `mneedle evidence --json [--evidence DIR]` (@p evidence_dir NULL: the bundled studies
 *  alone). */
mn_status mnpy_evidence(mn_ctx *ctx, const char *evidence_dir, mnpy_buf *out);
/** As `mneedle validate --json [--evidence DIR] [--posterior FILE]` (either NULL: not given). */
mn_status mnpy_validate(mn_ctx *ctx, const char *evidence_dir, const char *posterior_file,
                        mnpy_buf *out);
/** As `mneedle catalog WHAT --json`. */
mn_status mnpy_catalog(mn_ctx *ctx, const char *what, mnpy_buf *out);

#endif
