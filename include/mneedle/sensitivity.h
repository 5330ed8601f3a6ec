/*
 * mneedle sensitivity: global sensitivity analysis of any model output. Which inputs move an
 * output, alone (first-order Sobol' index S1) and with their interactions (total index ST), and
 * a cheap screening of the same question (Morris elementary effects).
 *
 * Method (docs/sensitivity.md):
 * - Sampling: Saltelli's scheme. Two N x k matrices A and B come from the first 2k dimensions
 *   of the Sobol' sequence (points 1..N; point 0, the origin, is skipped), built from the
 *   direction numbers of Joe and Kuo (new-joe-kuo-6.21201; S. Joe, F. Y. Kuo, "Constructing
 *   Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
 *   2635-2654), unscrambled. A_B^(i) is A with column i from B. The unit-cube points go
 *   through each input's quantile function. N (k + 2) model evaluations.
 * - Estimators (A. Saltelli et al., "Variance based sensitivity analysis of model output.
 *   Design and estimator for the total sensitivity index", Comput. Phys. Commun. 181 (2010)
 *   259-270, table 2): V = variance of f over A and B together;
 *   first order  S1_i = (1/N) sum_j (f(B)_j - m) (f(A_B^(i))_j - f(A)_j) / V (Saltelli 2010,
 *                (b), with f(B) centred on m, the mean over A and B: saltelli.c says why);
 *   total        ST_i = (1/2N) sum_j (f(A)_j - f(A_B^(i))_j)^2 / V      (Jansen 1999, (f)).
 * - Confidence intervals: percentile bootstrap over the N rows (B. Efron, R. Tibshirani, "An
 *   introduction to the bootstrap", 1993, ch. 13), the same resample for every index.
 * - Morris (M. D. Morris, Technometrics 33 (1991) 161-174; mu* from F. Campolongo, J. Cariboni,
 *   A. Saltelli, Environ. Model. Softw. 22 (2007) 1509-1518): r one-at-a-time trajectories on a
 *   p-level grid with step Delta = p / (2 (p - 1)); elementary effect
 *   EE_i = (f(x + Delta e_i) - f(x)) / Delta in unit-cube units; mu, mu* (mean of |EE|) and
 *   sigma per input. r (k + 1) evaluations.
 *
 * Determinism: every evaluation's input point is a function of its index (the Sobol' point, or
 * a trajectory drawn before any evaluation), results are stored by index and reduced in index
 * order, and bootstrap resample b draws from stream b of the seed. So results are bit-identical
 * for any number of OpenMP threads.
 *
 * Thread safety: mn_sobol_run() and mn_morris_run() call the model from OpenMP threads of
 * their own, several at once; the model function must be safe for that. Everything else
 * touches only its arguments.
 */
#ifndef MNEEDLE_SENSITIVITY_H
#define MNEEDLE_SENSITIVITY_H

#include <stdint.h>

#include "mneedle/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

#define MN_SOBOL_MAX_DIMS          64 /* rows of the direction-number table (sobol.c) */
#define MN_SENS_MAX_INPUTS         32 /* Saltelli uses two dimensions per input */
#define MN_SENS_MAX_OUTPUTS        16
#define MN_SENS_MAX_BASE           (1L << 22) /* N; N (k + 2) evaluations */
#define MN_SENS_MAX_BOOTSTRAP      10000
#define MN_SENS_DEFAULT_BOOTSTRAP  500
#define MN_SENS_DEFAULT_CONFIDENCE 0.95
#define MN_MORRIS_MAX_TRAJECTORIES 10000
#define MN_MORRIS_DEFAULT_LEVELS                                                                   \
    4 /* Saltelli et al., "Global sensitivity analysis: the                                        \
         primer" (2008) 3.3: p = 4 with Delta = p/(2(p-1)) */
/* Morris steps through an unbounded distribution (normal, lognormal) between these quantiles,
 * so that the grid's ends are finite: the central 99 % of the distribution. */
#define MN_MORRIS_TAIL 0.005

/**
 * Fills @p out[0..dims-1] with point @p index of the Sobol' sequence (Gray-code order, as
 * Joe and Kuo's generator and SciPy's qmc.Sobol(scramble=False) give it; index 0 is the
 * origin). Coordinates are multiples of 2^-32 in [0, 1); for index >= 1 none is 0.
 * @return MN_OK; MN_EINVAL for dims outside 1..MN_SOBOL_MAX_DIMS, index >= 2^32 or NULL.
 * Thread-safety: pure.
 */
mn_status mn_sobol_point(int dims, uint64_t index, double *out);

/** How one input varies. */
typedef enum {
    MN_SENS_UNIFORM = 0,    /* a = low, b = high (a < b) */
    MN_SENS_NORMAL = 1,     /* a = mean, b = standard deviation (> 0) */
    MN_SENS_LOGNORMAL = 2,  /* a = median (> 0), b = standard deviation of the log (> 0) */
    MN_SENS_TRIANGULAR = 3, /* a = low, c = mode, b = high (a <= c <= b, a < b) */
    MN_SENS_EMPIRICAL = 4   /* a sample: values[0..n_values-1], sorted ascending, finite,
                               n_values >= 2; the quantile is linear between order statistics
                               (as mn_posterior_quantile()). a, b, c are not used by the
                               quantile; mn_sens_run() sets them to the lowest, highest and
                               median values for the writers */
} mn_sens_dist_kind;

typedef struct {
    mn_sens_dist_kind kind;
    double a, b, c;       /* parameters, in the input's own unit (see mn_sens_dist_kind) */
    const double *values; /* MN_SENS_EMPIRICAL: the sorted sample, borrowed (else NULL) */
    int n_values;         /* MN_SENS_EMPIRICAL: its size (else 0) */
} mn_sens_dist;

/** 1 when @p d is a distribution the kinds above allow, else 0. NULL-safe (0). */
int mn_sens_dist_valid(const mn_sens_dist *d);

/** The value of @p d with cumulative probability @p u (0 < u < 1; 0 and 1 give the bounds of a
 *  bounded distribution (uniform, triangular, empirical) and +-infinity otherwise). The normal
 * quantile is Acklam's rational approximation refined by one Halley step against erfc (relative
 * error ~1e-15). Thread-safety: pure. */
double mn_sens_dist_quantile(const mn_sens_dist *d, double u);

/**
 * A model under analysis: writes its n_outputs outputs for one input point @p x (n_inputs
 * values, in the inputs' own units) into @p y. Returns MN_OK, or an mn_status error code (the run
 * then stops with that status and the index of the first failing evaluation in the message). Called
 * from several threads at once: it must only read @p userdata.
 */
typedef int (*mn_sens_fn)(const void *userdata, const double *x, double *y);

/** What to analyse: the inputs' distributions and the model. Caller-owned. */
typedef struct {
    int n_inputs;              /* 1..MN_SENS_MAX_INPUTS */
    const mn_sens_dist *dists; /* n_inputs distributions, borrowed */
    int n_outputs;             /* 1..MN_SENS_MAX_OUTPUTS */
    mn_sens_fn fn;
    const void *userdata;
} mn_sens_problem;

typedef struct {
    long n_base;       /* N, Saltelli's base sample (1..MN_SENS_MAX_BASE; a power of 2 keeps
                          the Sobol' points balanced) */
    int bootstrap;     /* resamples for the intervals (MN_SENS_DEFAULT_BOOTSTRAP; 0 = none:
                          the intervals are then the estimate itself) */
    double confidence; /* interval level, in (0, 1) (MN_SENS_DEFAULT_CONFIDENCE) */
    uint64_t seed;     /* bootstrap resamples */
    int threads;       /* OpenMP threads; 0 = OpenMP's default */
    mn_stop_fn stop;   /* or NULL: asked on the calling thread before each evaluation it takes
                          and each bootstrap resample; nonzero ends the run with MN_ESTOPPED
                          (the evaluations already started on other threads finish first) */
    void *stop_userdata;
} mn_sobol_options;

/** Defaults: N 1024, MN_SENS_DEFAULT_BOOTSTRAP resamples, 95 %, seed 1, threads 0, no stop. */
void mn_sobol_options_init(mn_sobol_options *o);

/** One input's indices for one output. */
typedef struct {
    double first_order, total;
    double first_order_lo, first_order_hi; /* bootstrap interval at the confidence level */
    double total_lo, total_hi;
} mn_sobol_index;

typedef struct {
    int n_inputs, n_outputs;
    long n_base, evaluations; /* N and N (k + 2) */
    int bootstrap;
    double confidence;
    mn_sobol_index *index; /* [output * n_inputs + input], owned */
    double *mean;          /* per output, over A and B; owned */
    double *variance;      /* per output (V above); 0 means the output did not vary, and its
                              indices are then all 0 */
    /* Per output, over all N (k + 2) evaluations: the larger of the shares that equal its
     * lowest value and its highest, and that value. Many ties at an extreme are how an output
     * clipped or censored at a bound shows (a maintenance interval held at its 12-month bound,
     * a durability at the end of the search); owned. */
    double *bound_share, *bound_value;
} mn_sobol_result;

/** Releases what a result owns (NULL-safe) and zeroes it. */
void mn_sobol_result_release(mn_sobol_result *r);

/**
 * Sobol' first-order and total indices of every output to every input, with bootstrap
 * intervals (method above).
 * @param ctx  for error messages (may be NULL).
 * @param o    NULL for the defaults.
 * @param out  receives the result; release with mn_sobol_result_release().
 * @return MN_OK; MN_EINVAL (a problem or option out of range, an invalid distribution); the
 *         model's status when an evaluation fails; MN_ENUMERIC when an output is not finite;
 *         MN_ESTOPPED when o->stop asked to stop; MN_ENOMEM. On failure @p out is zeroed.
 * Memory: N (k + 2) x outputs doubles for the evaluations, bootstrap x k x outputs x 2 for the
 * intervals. Thread-safety: see the top of this header.
 */
mn_status mn_sobol_run(mn_ctx *ctx, const mn_sens_problem *p, const mn_sobol_options *o,
                       mn_sobol_result *out);

typedef struct {
    int trajectories; /* r, 2..MN_MORRIS_MAX_TRAJECTORIES (default 20) */
    int levels;       /* p, an even number 4..16 (MN_MORRIS_DEFAULT_LEVELS) */
    uint64_t seed;    /* trajectories' starting points, directions and orders (1) */
    int threads;      /* 0 = OpenMP's default */
    mn_stop_fn stop;  /* or NULL: as mn_sobol_options.stop, before each evaluation */
    void *stop_userdata;
} mn_morris_options;

void mn_morris_options_init(mn_morris_options *o);

/** One input's elementary effects on one output, in output units per unit-cube Delta (the
 *  whole range of a bounded input is 1; of an unbounded one its central 99 %). */
typedef struct {
    double mu, mu_star, sigma; /* mean, mean of |EE|, standard deviation (r - 1 divisor) */
} mn_morris_effect;

typedef struct {
    int n_inputs, n_outputs, trajectories, levels;
    long evaluations;         /* r (k + 1) */
    mn_morris_effect *effect; /* [output * n_inputs + input], owned */
} mn_morris_result;

void mn_morris_result_release(mn_morris_result *r);

/**
 * Morris elementary effects of every output to every input.
 * @return as mn_sobol_run(). Thread-safety: see the top of this header.
 */
mn_status mn_morris_run(mn_ctx *ctx, const mn_sens_problem *p, const mn_morris_options *o,
                        mn_morris_result *out);

/*
 * A SPEC file: the analysis of mneedle's own models (`mneedle sensitivity SPEC`,
 * docs/sensitivity.md). It names the outputs, the inputs with their distributions, the base
 * scenarios the inputs change, N, the bootstrap and the seed:
 *
 *   scenario   a simulate SCENARIO (object, or a file name relative to the SPEC's folder);
 *              needed by peak_improvement_pct, durability_days, maintenance_interval_days
 *   absorb     an absorb SCENARIO (the same forms); needed by delivered_24h_ug_cm2
 *   outputs[]  names from mn_sens_output_names()
 *   inputs[]   {name, uniform: [low, high] | normal: [mean, sd] | lognormal: [median, sd_log]
 *              | triangular: [low, mode, high] | from: "posterior"}; names from
 *              mn_sens_input_names(), or a constant of the healing model
 *              (mn_healing_param_name(), set through mn_healing_options.params and
 *              mn_projection_options.params), or "posterior"
 *   posterior  the posterior file the inputs `from: "posterior"` are drawn from (a file name
 *              relative to the SPEC's folder; default the bundled data/posterior/healing.json)
 *   n          N (default 1024), bootstrap (500), confidence (0.95), seed (1)
 *   morris     optional {trajectories (20), levels (4)}: Morris effects as well
 *
 * A constant `from: "posterior"` takes the marginal of its draws (MN_SENS_EMPIRICAL): the
 * constants so drawn are sampled independently of each other, as Sobol' indices assume, and the
 * posterior's correlations between them are not kept. The input named "posterior" with
 * `from: "posterior"` is one grouped input instead: its coordinate picks a whole draw, every
 * constant of the file together, correlations kept (docs/sensitivity.md, "Inputs from the
 * posterior").
 *
 * Every input's whole distribution (its 2^-32 and 1 - 2^-32 quantiles: the extreme Sobol'
 * coordinates) must lie in the range the models accept for it, so no evaluation can fail on
 * a bad value; an input must enter at least one requested output.
 */
#define MN_SENS_NAME_LEN     40
#define MN_SENS_MAX_SESSIONS 100 /* sessions of a SPEC's simulate scenario */

typedef struct mn_sens_spec mn_sens_spec;

/** Names accepted in a SPEC's outputs[] and inputs[] (NULL-terminated, static). */
const char *const *mn_sens_output_names(void);
const char *const *mn_sens_input_names(void);

/**
 * Reads and checks a SPEC file ("-" for standard input). Every problem is named with the file
 * and the JSON path (`spec.json: $.inputs[2].uniform: ...`), a problem inside an embedded
 * scenario with the path through it (`$.scenario.patient.age`), one inside a scenario file
 * with that file's name.
 * @param out  receives the SPEC; free with mn_sens_spec_free().
 * @return MN_OK; MN_EINVAL (cannot open), MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND,
 *         MN_ELIMIT, MN_ENOMEM.
 */
mn_status mn_sens_spec_load(mn_ctx *ctx, const char *path, mn_sens_spec **out);

/** As mn_sens_spec_load() from text in memory; @p src names it in messages, and scenario file
 *  names are relative to the current folder. */
mn_status mn_sens_spec_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                             mn_sens_spec **out);

/** As mn_sens_spec_parse(), with the SPEC's file names (scenario, absorb, posterior) relative
 *  to the folder @p dir, as mn_sens_spec_load() makes them relative to the SPEC file's folder
 *  (NULL or "": the current folder; an absolute name stays as it is).
 *  @return mn_sens_spec_load()'s; MN_ELIMIT for a folder name of 4094 bytes or more. */
mn_status mn_sens_spec_parse_in(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                const char *dir, mn_sens_spec **out);

/** Frees a SPEC. NULL-safe. */
void mn_sens_spec_free(mn_sens_spec *spec);

/** A SPEC's results, self-contained for the writers. Caller-owned; release with
 *  mn_sens_result_release(). */
typedef struct {
    int n_inputs, n_outputs;
    char input_names[MN_SENS_MAX_INPUTS][MN_SENS_NAME_LEN];
    char input_units[MN_SENS_MAX_INPUTS][MN_SENS_NAME_LEN];
    mn_sens_dist dists[MN_SENS_MAX_INPUTS];
    char output_names[MN_SENS_MAX_OUTPUTS][MN_SENS_NAME_LEN];
    char output_units[MN_SENS_MAX_OUTPUTS][MN_SENS_NAME_LEN];
    uint64_t seed;
    mn_sobol_result sobol;
    int has_morris;
    mn_morris_result morris;
    /* Inputs drawn from a posterior file (SPEC inputs `from: "posterior"`): */
    int input_from_posterior[MN_SENS_MAX_INPUTS]; /* 1: a constant's marginal (its dists[] is
                                                     MN_SENS_EMPIRICAL with values NULL:
                                                     the result keeps only a, b, c and
                                                     n_values); 2: the grouped input
                                                     "posterior" (dists[] uniform over the
                                                     draw index); 0: not from the posterior */
    int n_from_posterior;                         /* how many inputs have a nonzero entry */
    char posterior_file[256];                     /* the file, or MN_SENS_BUNDLED_POSTERIOR */
    char posterior_source[16]; /* its provenance.source: "posterior", "prior", "synthetic" */
    char posterior_date[16];   /* its provenance.date */
    int posterior_draws;       /* its number of draws */
    int posterior_params;      /* its number of constants */
} mn_sens_result;

/* mn_sens_result.posterior_file (and `method.posterior.file` under --json) for the posterior
 * built into the library: the source-tree path it was embedded from, kept as provenance. An
 * installed copy has no such file, so the text output and messages say "the bundled
 * posterior" instead. */
#define MN_SENS_BUNDLED_POSTERIOR "data/posterior/healing.json (bundled)"

/**
 * Runs a SPEC: Sobol' indices (and Morris effects when the SPEC asks) of each output to each
 * input, every evaluation a run of the healing model (mn_healing_run, the maintenance
 * projection mn_healing_maintenance_person for the same person) and/or the transport model
 * (mn_absorb_run, unit cell, 24 h) on the base scenario with the inputs set.
 * @param threads  OpenMP threads (0 = OpenMP's default); the result does not depend on it.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM; a model's status (with the failing inputs in the
 *         message). Thread-safety: uses OpenMP threads of its own; one call per context.
 */
mn_status mn_sens_run(mn_ctx *ctx, const mn_sens_spec *spec, int threads, mn_sens_result *out);

/**
 * As mn_sens_run(), asking @p stop (may be NULL) with @p userdata on the calling thread before
 * each model evaluation that thread takes and each bootstrap resample (mn_sobol_options.stop):
 * a nonzero answer ends the run with MN_ESTOPPED, @p out left empty (as after any failure), and
 * a message saying how far it got. For a wall-clock limit or a cancel button (an interpreter's
 * Ctrl-C); a stop asked but never given leaves the result as mn_sens_run()'s, bit for bit.
 */
mn_status mn_sens_run_until(mn_ctx *ctx, const mn_sens_spec *spec, int threads, mn_stop_fn stop,
                            void *userdata, mn_sens_result *out);

/** Releases what a result owns (NULL-safe). */
void mn_sens_result_release(mn_sens_result *r);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
