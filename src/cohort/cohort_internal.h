/*
 * Internals of the cohort module: exact accumulators and the percentile sketch (stats.c), the
 * run plan (the grid of days each patient is read on), and the engine that spreads patients
 * over threads and MPI ranks (engine.c) for any per-patient model (model.c is the healing
 * model; the unit tests also drive the engine with synthetic models).
 */
#ifndef MN_COHORT_INTERNAL_H
#define MN_COHORT_INTERNAL_H

#include <stdint.h>

#include "cohort/xsum.h"
#include "core/internal.h"
#include "core/json_in.h"
#include "healing/healing_internal.h" /* the PIH law (pih.c) */
#include "mneedle/cohort.h"

/* An exact sum as hi * 2^40 + lo, |lo| < 2^40 (canonical: 0 <= lo < 2^40). */
typedef struct {
    int64_t hi, lo;
} mn__xsum;

void mn__xsum_add(mn__xsum *s, double x);
void mn__xsum_merge(mn__xsum *s, const mn__xsum *other);
void mn__xsum_canonical(mn__xsum *s);
double mn__xsum_value(const mn__xsum *s); /* canonicalises a copy */

/* Percentile sketch: bins of MN_COHORT_BIN_PCT over [lo, hi), plus one under- and one
 * overflow bin (index 0 and n_bins + 1). */
typedef struct {
    double lo, hi, width;
    size_t n_bins; /* inner bins */
} mn__sketch_shape;

mn__sketch_shape mn__sketch_shape_make(double lo, double hi, double width);
size_t mn__sketch_bin(const mn__sketch_shape *s, double x); /* 0 .. n_bins + 1 */
/* The r-th smallest (1 <= r <= n) of the n counted values as the sketch holds it: the centre
 * of its bin (the range edge for the outer bins). */
double mn__sketch_at_rank(const mn__sketch_shape *s, const uint64_t *counts, uint64_t n,
                          uint64_t r);
/* The q-quantile (0 <= q <= 1) of the n counted values by the program's one rule
 * (mn__quantile_position(), Hyndman & Fan type 7) on the values mn__sketch_at_rank() gives;
 * 0 when n is 0. */
double mn__sketch_quantile(const mn__sketch_shape *s, const uint64_t *counts, uint64_t n, double q);

/* Layout of a rank's accumulators: flat arrays, so one MPI reduction merges each kind. */
/* Every histogram holds every patient but MN__Q_OBSERVED's and the two after it, which hold
 * those still in the trial (MN__C_OBSERVED of them): mn__cohort_q_completers(). */
enum {
    MN__Q_IMPROVEMENT = 0,
    MN__Q_COLLAGEN = 1,
    MN__Q_EPIDERMIS = 2,
    MN__Q_UNTREATED = 3,           /* untreated improvement */
    MN__Q_DIFFERENCE = 4,          /* treated minus untreated improvement */
    MN__Q_ITT = 5,                 /* improvement, last observation carried forward */
    MN__Q_OBSERVED = 6,            /* improvement of the patients still in the trial */
    MN__Q_OBSERVED_UNTREATED = 7,  /* their untreated improvement (the same completers: */
    MN__Q_OBSERVED_DIFFERENCE = 8, /* dropout is the patient's, in both arms) and difference */
    MN__Q_COUNT = 9
};
/* 1 for the histograms of the completers only (counted when the patient is still in). */
#define mn__cohort_q_completers(q) ((q) >= MN__Q_OBSERVED)
enum {
    MN__C_RESPONDERS = 0,
    MN__C_RESPONDERS75 = 1,
    MN__C_PIH = 2,
    MN__C_MAINTENANCE = 3,
    MN__C_DIFF_RESPONDERS = 4,
    MN__C_OBSERVED = 5,
    MN__C_OBSERVED_RESPONDERS = 6,
    MN__C_ITT_RESPONDERS = 7,
    MN__C_OBSERVED_RESPONDERS75 = 8, /* completers: > 75 %, PIH, maintenance (the completers */
    MN__C_OBSERVED_PIH = 9,          /* analysis of every count above) */
    MN__C_OBSERVED_MAINTENANCE = 10,
    MN__C_OBSERVED_DIFF_RESPONDERS = 11, /* completers whose difference is >= 50 points */
    MN__C_COUNT = 12
};
enum {
    MN__D_FEMALE = 0,
    MN__D_SMOKERS = 1,
    MN__D_FITZ = 2, /* 6 entries */
    MN__D_SUN = 8,  /* 3 entries */
    MN__D_COUNT = 11
};

typedef struct {
    int n_endpoints;
    mn__sketch_shape shape[MN__Q_COUNT];
    size_t hist_offset[MN__Q_COUNT]; /* within one endpoint's block of counts */
    size_t per_endpoint;             /* counts per endpoint: the histograms + MN__C_COUNT */
    size_t n_counts;                 /* per_endpoint * n_endpoints + MN__D_COUNT */
    uint64_t *counts;
    size_t n_sums; /* MN__Q_COUNT * n_endpoints + 1 (age) */
    mn__xsum *sums;
    size_t n_extrema; /* MN__Q_COUNT * n_endpoints */
    double *mins, *maxs;
    uint64_t n; /* patients counted */
} mn__cohort_stats;

mn_status mn__cohort_stats_init(mn__cohort_stats *st, int n_endpoints);
void mn__cohort_stats_release(mn__cohort_stats *st);
/* Adds one patient (demographics and every endpoint outcome). */
void mn__cohort_stats_add(mn__cohort_stats *st, const mn_cohort_patient_result *p,
                          const mn_cohort_outcome *outcomes);
/* Fills the result's endpoints and demographics from the (merged) stats. */
void mn__cohort_stats_finish(const mn__cohort_stats *st, const mn_cohort_trial *trial,
                             mn_cohort_result *out);

/* The days each patient is simulated on: a grid every maintenance_check_days from day 0 to
 * the horizon, merged with the endpoint days (sorted, unique). */
typedef struct {
    const mn_cohort_trial *trial;
    int *grid_days;
    int n_grid;
    int *endpoint_index; /* grid index of each endpoint */
    int last_session_day;
} mn__cohort_plan;

mn_status mn__cohort_plan_init(mn__cohort_plan *plan, const mn_cohort_trial *trial);
void mn__cohort_plan_release(mn__cohort_plan *plan);

/*
 * From a patient's improvement on the grid (and the collagen and epidermis changes, which
 * may be NULL in tests), fills the endpoint outcomes, the running peak and the maintenance
 * day. PIH flags come from res->pih_day. Pure function of its inputs.
 */
void mn__cohort_finish_patient(const mn__cohort_plan *plan, const double *improvement_pct,
                               const double *collagen_pct, const double *epidermis_pct,
                               mn_cohort_patient_result *res, mn_cohort_outcome *outcomes);

/*
 * A per-patient model: simulates patient @p index into res and outcomes (n_endpoints). Must
 * be a pure function of (plan, index) and thread-safe; @p scratch is this thread's buffer of
 * scratch_per_grid_day x plan->n_grid bytes. Returns MN_OK or a status (no context: the engine
 * names the patient).
 */
typedef mn_status (*mn__cohort_model_fn)(const mn__cohort_plan *plan, long index, void *scratch,
                                         mn_cohort_patient_result *res,
                                         mn_cohort_outcome *outcomes);

typedef struct {
    mn__cohort_model_fn run;
    size_t scratch_per_grid_day; /* scratch bytes per grid day (plan->n_grid of them) */
    const char *name;
} mn__cohort_model;

/* Runs @p model for every patient of @p trial (threads and ranks as opts say). */
typedef struct {
    int rank, size; /* this process's MPI rank and the ranks that took part */
    int threads;    /* OpenMP threads per process */
} mn__cohort_run_info;

/* Runs @p model for patients first_patient .. first_patient + n_patients - 1 of @p trial (a
 * slice; each patient still draws from its own stream) and adds them to @p stats, which the
 * caller initialised empty for the trial's endpoints; after it, @p stats holds the whole
 * slice on rank 0 (reduced over ranks). */
mn_status mn__cohort_engine_slice(mn_ctx *ctx, const mn_cohort_trial *trial,
                                  const mn_cohort_options *opts, const mn__cohort_model *model,
                                  long first_patient, long n_patients, mn__cohort_stats *stats,
                                  mn__cohort_run_info *info);

/* MN_ENUMERIC (named on the context) when a mean of a finished result is not finite. */
mn_status mn__cohort_check_means(mn_ctx *ctx, const mn_cohort_result *out);

mn_status mn__cohort_engine(mn_ctx *ctx, const mn_cohort_trial *trial,
                            const mn_cohort_options *opts, const mn__cohort_model *model,
                            mn_cohort_result *out);

/* Reads a trial from parsed JSON (trial.c; the loaders' body). */
mn_status mn__cohort_trial_from_json(const mn__jin *in, json_t *root, mn_cohort_trial *t);

/* A shard's part (part.c; written by src/report/cohort_part_out.c). */
#define MN__PART_FORMAT "mneedle-cohort-part"
/* 2: each patient takes a draw of the evidence fit's constants unless the trial says
 * "constants": "defaults"; a version-1 part's patients all took the defaults, so the two
 * cannot be merged. 3: the accumulators add the untreated arm, the difference and dropout
 * (MN__Q_UNTREATED.., MN__C_DIFF_RESPONDERS..). 4: the completers' > 75 %, PIH and
 * maintenance counts (MN__C_OBSERVED_RESPONDERS75..). 5: the completers' untreated arm and
 * difference (MN__Q_OBSERVED_UNTREATED, MN__Q_OBSERVED_DIFFERENCE,
 * MN__C_OBSERVED_DIFF_RESPONDERS). */
#define MN__PART_FORMAT_VERSION 5

struct mn_cohort_part {
    char src[256];       /* the part file, or "shard K/N" for one made here; for messages */
    char version[32];    /* mneedle version that ran the shard */
    json_t *trial;       /* the TRIAL file's JSON, as read (owned) */
    long n;              /* patients of the whole run (population.n after --n) */
    uint64_t seed;       /* the run's seed (after --seed) */
    int shard, n_shards; /* K (1-based) and N */
    long first, count;   /* the slice: patients first .. first + count - 1 */
    int ran;             /* stats hold the slice (run or loaded) */
    mn__cohort_stats stats;
    int has_csv;   /* carries the slice's per-patient CSV rows */
    mn__buf csv;   /* those rows (no header) */
    int csv_error; /* appending to csv ran out of memory */
};

/* The run identity: FNV-1a 64 of the trial's canonical JSON, n, seed, N and the version, as
 * 16 hex digits and a NUL. */
mn_status mn__cohort_part_run_id(const mn_cohort_part *p, char out[17]);

/* The healing model (model.c). */
extern const mn__cohort_model mn__cohort_healing_model;
/* Its patient @p index drawn from stream @p stream of the trial's seed, with the constants
 * @p given (NULL: the trial's rule, the posterior row of person @p index or the defaults);
 * the model's run is this with stream = index, given = NULL and pih_day_band = NULL.
 * @p scratch as the model's. @p pih_day_band (or NULL) gets the day PIH appears with every
 * session's PIH probability divided [0] and multiplied [1] by MN_PIH_BAND_FACTOR, the same
 * draws deciding (-1: none); the patient's other results do not depend on it. */
mn_status mn__cohort_patient_with(const mn__cohort_plan *plan, long index, uint64_t stream,
                                  const mn__healing_params *given, void *scratch,
                                  mn_cohort_patient_result *res, mn_cohort_outcome *outcomes,
                                  int pih_day_band[2]);

#endif
