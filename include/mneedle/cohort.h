/*
 * mneedle cohort: virtual trials. A TRIAL file describes a population (age range, sex,
 * phototype range, smoker fraction, sun-exposure mix) and a protocol (device, needle length,
 * passes, session days); N virtual patients are sampled from it, each with inter-individual
 * variability on the healing model's uncertain parameters (mn_healing_variability), the
 * protocol is simulated for each with mn_healing_run() (the same model `simulate` uses), and
 * the outcome distributions are reported at each endpoint day. Model, distributions and their
 * sources: docs/models/cohort.md.
 *
 * Determinism. Patient i draws every random number from stream i of the trial's seed
 * (mn_rng_init(&r, seed, i)), and every statistic is reduced exactly: counts are integers,
 * means are sums of fixed-point values (2^-20 of a percentage point) in two 64-bit
 * integers, percentiles come from integer-count histograms. So the same seed gives
 * bit-identical results for any number of OpenMP threads and MPI ranks.
 *
 * Memory does not grow with N: percentiles come from fixed-bin histograms (a bounded
 * sketch) whose error is at most half a bin (MN_COHORT_BIN_PCT / 2 percentage points) for
 * values inside the sketch range; values outside it are counted and reported.
 *
 * Results are simulations of a model with stated, partly thin evidence, not predictions of
 * what a real trial will find.
 *
 * Thread safety: mn_cohort_run() runs its patients on OpenMP threads of its own
 * (mn_cohort_options.threads) and calls the callbacks on the calling thread only; do not
 * call it on one context from several threads. Loading, sampling and writing touch only their
 * arguments (one context per thread). The MPI functions belong to the main thread.
 */
#ifndef MNEEDLE_COHORT_H
#define MNEEDLE_COHORT_H

#include <stdint.h>

#include "mneedle/healing.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

#define MN_COHORT_MAX_ENDPOINTS 64
#define MN_COHORT_MAX_SESSIONS  200
#define MN_COHORT_MAX_N         1000000000L /* 10^9 patients */
/** Seed of a trial file that gives none (any fixed value would do: runs must repeat). */
#define MN_COHORT_DEFAULT_SEED 1
/** Longest trial name ("name"), bytes with the NUL: the same limit as a client's name
 *  (MN_CLIENT_NAME_LEN, clinic.h). A longer name is refused, never cut. */
#define MN_COHORT_NAME_LEN 256
/** Width of a percentile-sketch bin in percentage points; the error of a reported
 *  percentile inside the sketch range is at most half of it. */
#define MN_COHORT_BIN_PCT 0.05
/** Sketch ranges, in percent of baseline: improvement (% of baseline severity) and the
 *  collagen and epidermis changes. Values outside are counted as out of range. */
#define MN_COHORT_IMPROVEMENT_LO_PCT (-100.0)
#define MN_COHORT_IMPROVEMENT_HI_PCT 100.0
#define MN_COHORT_CHANGE_LO_PCT      (-100.0)
#define MN_COHORT_CHANGE_HI_PCT      400.0
/** Sketch range of the treated-minus-untreated difference in improvement: each arm's
 *  improvement lies in [-100, 100), so their difference in (-200, 200). */
#define MN_COHORT_DIFFERENCE_LO_PCT (-200.0)
#define MN_COHORT_DIFFERENCE_HI_PCT 200.0
/** Confidence level of the order-statistic intervals reported around each percentile
 *  (mn_cohort_dist.p5_ci, ...): the usual 95 % [convention]. */
#define MN_COHORT_PERCENTILE_CI_LEVEL 0.95
/** Largest dropout probability per visit ($.dropout_per_visit): below 1, so the first later
 *  visit keeps someone on average. */
#define MN_COHORT_MAX_DROPOUT 0.99

/** Whether an untreated arm is reported beside the treated one ($.control). */
typedef enum {
    MN_COHORT_CONTROL_NONE = 0,     /* "none" (default): the treated arm alone */
    MN_COHORT_CONTROL_UNTREATED = 1 /* "untreated": the same virtual patients untreated (the
                                       model's untreated twin: ageing, sun and smoking only),
                                       and each patient's treated-minus-untreated difference */
} mn_cohort_control;

typedef enum {
    MN_COHORT_SEX_FEMALE = 0, /* every patient female */
    MN_COHORT_SEX_MALE = 1,   /* every patient male */
    MN_COHORT_SEX_ANY = 2     /* female with probability female_fraction */
} mn_cohort_sex;

/** Which values of the healing model's uncertain constants the patients take ($.constants). */
typedef enum {
    MN_COHORT_CONSTANTS_FIT = 0,     /* "evidence-fit" (default): patient i takes a draw of the
                                        bundled posterior (data/posterior/healing.json), by the
                                        rule the bands of simulate and plan use, so the cohort's
                                        spread holds parameter uncertainty beside the patients'
                                        variability; the library's defaults when none is bundled */
    MN_COHORT_CONSTANTS_DEFAULTS = 1 /* "defaults": every patient the library's default
                                        constants (src/healing/params.c), as before the fit */
} mn_cohort_constants;

/** Inclusion criteria and mix of the sampled population. */
typedef struct {
    long n;                 /* patients, 1..MN_COHORT_MAX_N */
    double age_lo, age_hi;  /* years, uniform in [lo, hi], 18 <= lo <= hi <= 100 */
    mn_cohort_sex sex;      /* "female", "male" or "any" */
    double female_fraction; /* for MN_COHORT_SEX_ANY (default 0.5) */
    int fitzpatrick_lo;     /* phototypes, uniform integer in [lo, hi], 1..6 */
    int fitzpatrick_hi;     /* */
    double smoker_fraction; /* 0..1 */
    double sun_fraction[3]; /* low, moderate, high; sums to 1 (default all moderate) */
} mn_cohort_population;

/** A virtual trial: population, protocol, endpoints, seed. */
typedef struct {
    char name[MN_COHORT_NAME_LEN]; /* optional "name"; "" when absent */
    mn_cohort_population population;
    const mn_site *zone;       /* catalogue entries, owned by the context */
    const mn_concern *concern; /* */
    const mn_device *device;   /* */
    double needle_mm;          /* set length, inside the device's range */
    double passes;             /* per session, (0, 100] */
    mn_healing_session sessions[MN_COHORT_MAX_SESSIONS]; /* sorted by day */
    int n_sessions;                                      /* 1..MN_COHORT_MAX_SESSIONS */
    int endpoint_days[MN_COHORT_MAX_ENDPOINTS];          /* sorted, unique */
    int n_endpoints;                                     /* 1..MN_COHORT_MAX_ENDPOINTS */
    int horizon_days;              /* max(last endpoint, last session), set by the loader */
    uint64_t seed;                 /* 0..2^53-1 in the file (JSON numbers are doubles) */
    double maintenance_fraction;   /* a patient needs maintenance once improvement falls below
                                      this fraction of his/her peak after the course (0.8,
                                      the planner's target, DESIGN 3.5), once that peak
                                      is at least MN_GAIS_IMPROVED_PCT (evidence.h) */
    int maintenance_check_days;    /* spacing of the grid on which the running peak and the
                                      fall below it are checked (7) */
    mn_warnings warnings;          /* set by the loader: protocol.needle_mm beyond the zone's
                                      depth caps (mn_device_depth_caps()) for the population's
                                      thinnest skin; the trial runs, and the command warns */
    mn_cohort_constants constants; /* optional "constants": "evidence-fit" (default) or
                                      "defaults" */
    mn_cohort_control control;     /* optional "control": "none" (default) or "untreated" */
    double dropout_per_visit;      /* optional "dropout_per_visit", 0..MN_COHORT_MAX_DROPOUT
                                      (default 0): the chance that a patient still in the
                                      trial misses a visit after the first and leaves for good;
                                      a user's input, not a sourced figure. Visits are the
                                      session days and endpoint days (one visit per day) */
} mn_cohort_trial;

/** Sets defaults: n 1000, age 18-100, any sex (0.5), phototypes 1-6, no smokers, all
 *  moderate sun, seed 1, maintenance 0.8 checked weekly, no control arm, no dropout; no zone,
 *  protocol or endpoints. */
void mn_cohort_trial_init(mn_cohort_trial *t);

/**
 * Reads and validates a TRIAL file ("-" for standard input): population.{n, age:[lo,hi],
 * sex, female_fraction, fitzpatrick:[lo,hi], smoker_fraction, sun}, zone, concern,
 * protocol.{device, needle_mm, passes, session_days[]}, endpoints_days[], seed, and the
 * optional maintenance_fraction, maintenance_check_days, name, constants, control ("none" or
 * "untreated") and dropout_per_visit (0..MN_COHORT_MAX_DROPOUT). `sun` is "low", "moderate",
 * "high" or an object of fractions {"low": .2, "moderate": .5, "high": .3}. Keys starting with
 * '_' and "comment" are allowed anywhere (for the published result of the trial). Problems
 * are named with the file and JSON path (`t.json: $.protocol.needle_mm: 3.5 mm is outside
 * dermaroller-192's range 0.25-2.5 mm`).
 * @param out  caller's struct (about 9 KiB).
 * @return MN_OK; MN_EINVAL (cannot open), MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND,
 *         MN_ELIMIT, MN_ENOMEM.
 */
mn_status mn_cohort_trial_load(mn_ctx *ctx, const char *path, mn_cohort_trial *out);

/** As mn_cohort_trial_load() from text in memory; @p src names it in messages. */
mn_status mn_cohort_trial_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                mn_cohort_trial *out);

/**
 * Draws patient @p index's demographics (age, sex, phototype, smoker, sun) from the
 * population, consuming exactly 5 draws of @p rng. Thread-safe (touches only its arguments).
 */
void mn_cohort_patient_sample(const mn_cohort_population *pop, mn_rng *rng, mn_patient *out);

/** One patient's outcome at one endpoint. */
typedef struct {
    double improvement_pct;           /* clinical improvement, % of baseline severity */
    double collagen_change_pct;       /* papillary collagen vs day 0 */
    double epidermis_change_pct;      /* viable-epidermis thickness vs day 0 */
    int pih;                          /* 1 when PIH has occurred on or before this day */
    int maintenance_due;              /* 1 when improvement has fallen below maintenance_fraction x
                                         the running peak, a peak of at least MN_GAIS_IMPROVED_PCT,
                                         on or before this day */
    double untreated_improvement_pct; /* the same patient untreated (the untreated twin) */
    int observed;                     /* 1 when the patient is still in the trial on this day
                                         (always, without dropout) */
    double itt_improvement_pct;       /* intention to treat, last observation carried forward:
                                         improvement_pct when observed, else the value at the
                                         last endpoint observed, else 0 (baseline) */
} mn_cohort_outcome;

/** One simulated patient: who, how he/she varies, and the outcomes (for per-patient CSV). */
typedef struct {
    long index; /* 0-based; the rng stream */
    mn_patient patient;
    mn_healing_variability variability;
    double pih_probability_per_session; /* the drawn per-session probability */
    int pih_day;                        /* day of the session after which PIH appeared, or -1 */
    double peak_improvement_pct;        /* over the maintenance grid, to the horizon */
    int peak_day;
    int maintenance_day;               /* first grid day below the maintenance threshold, or -1 */
    int dropped_out;                   /* 1 when the patient left the trial (dropout) */
    int dropout_day;                   /* the first visit missed, when dropped_out */
    const mn_cohort_outcome *outcomes; /* n_endpoints entries; valid during the callback */
} mn_cohort_patient_result;

/** Called for each patient in index order, on rank 0 only, on the calling thread. A nonzero
 *  return stops the run with MN_ESTOPPED (the caller's stop, as mn_stop_fn: a row it could not
 *  write, or a cancel), the result left empty; the patients of the block being run are
 *  finished first (1024 at most per rank, some tens of milliseconds). */
typedef int (*mn_cohort_patient_fn)(void *userdata, const mn_cohort_trial *trial,
                                    const mn_cohort_patient_result *patient);
/** Called on rank 0 after each block of patients (done <= total). */
typedef void (*mn_cohort_progress_fn)(void *userdata, long done, long total);

typedef struct {
    int threads; /* OpenMP threads per process; 0 = the OpenMP default, or, under MPI, the
                    cores of the node divided by the ranks on it */
    int use_mpi; /* 1 (default): when MPI is initialised (mn_cohort_mpi_begin) and has more
                    than one rank, patients are shared among the ranks */
    mn_cohort_patient_fn on_patient; /* per-patient results (CSV), or NULL */
    void *patient_userdata;
    mn_cohort_progress_fn on_progress; /* or NULL */
    void *progress_userdata;
} mn_cohort_options;

/** A sentence for the output: which constants the trial's patients take ("constants"), and,
 *  for the evidence fit, how many posterior draws there are. Static storage; never NULL. */
const char *mn_cohort_constants_note(const mn_cohort_trial *trial);

/** Fills the defaults: the default thread count (threads 0), MPI used when initialised
 *  (use_mpi 1), no callbacks. @p opts must not be NULL. */
void mn_cohort_options_init(mn_cohort_options *opts);

/** Distribution of one quantity over the cohort at one endpoint. */
typedef struct {
    double mean;         /* exact to 2^-20 percentage points */
    double p5, p50, p95; /* Hyndman & Fan type 7, as every percentile the program reports */
    double min, max;
    long out_of_range; /* values outside the sketch range (percentiles may then be clipped) */
    long count;        /* values counted (n, or those observed) */
    /* Monte-Carlo error of the percentiles: a MN_COHORT_PERCENTILE_CI_LEVEL confidence
     * interval of each, from the order statistics (binomial method, core: Conover 1999 3.2,
     * Hahn & Meeker 1991 5.2); NaN for an end that count values cannot give. */
    double p5_ci[2], p50_ci[2], p95_ci[2];
} mn_cohort_dist;

typedef struct {
    int day;
    mn_cohort_dist improvement_pct;
    mn_cohort_dist collagen_change_pct;
    mn_cohort_dist epidermis_change_pct;
    long responders_50pct; /* patients with improvement >= 50 % */
    long responders_75pct; /* patients with improvement > 75 % (F19b, F26b report it) */
    long pih_cases;        /* patients with PIH on or before this day */
    long maintenance_due;  /* patients needing maintenance by this day */
    /* The untreated arm (filled whatever the trial's control; reported with "untreated"):
     * the same patients untreated, and each patient's treated minus untreated improvement. */
    mn_cohort_dist untreated_improvement_pct;
    mn_cohort_dist difference_improvement_pct;
    long difference_responders_50pct; /* patients whose difference is >= 50 points */
    /* Dropout (the figures above are every patient's, as if none left): */
    long observed;                           /* patients still in the trial on this day */
    mn_cohort_dist observed_improvement_pct; /* over those (count = observed) */
    long observed_responders_50pct;
    long observed_responders_75pct;     /* completers with improvement > 75 % */
    long observed_pih_cases;            /* completers with PIH on or before this day */
    long observed_maintenance_due;      /* completers needing maintenance by this day */
    mn_cohort_dist itt_improvement_pct; /* all n, last observation carried forward */
    long itt_responders_50pct;
    /* The untreated arm and the difference over the same completers (a patient who leaves
     * leaves both arms: they are the same person, treated and untreated), filled as the
     * untreated arm above; the untreated_ and difference_ figures above are every patient's. */
    mn_cohort_dist observed_untreated_improvement_pct;  /* count = observed */
    mn_cohort_dist observed_difference_improvement_pct; /* count = observed */
    long observed_difference_responders_50pct; /* completers whose difference is >= 50 points */
} mn_cohort_endpoint;

/** The fewest patients for which both ends of the MN_COHORT_PERCENTILE_CI_LEVEL intervals of
 *  the 5th and 95th percentiles exist (72: 0.95^n must be within 2.5 %); with fewer, one end
 *  of each is NaN and the outputs warn. Thread-safe. */
long mn_cohort_percentile_ci_min_n(void);

/** Trial-level intervals (mn_cohort_intervals_run(), below). */
typedef struct mn_cohort_intervals mn_cohort_intervals;

/** What the cohort looked like (realised, not requested). */
typedef struct {
    double mean_age_years;
    long female;
    long smokers;
    long fitzpatrick[6]; /* count per phototype 1..6 */
    long sun[3];         /* low, moderate, high */
} mn_cohort_demographics;

typedef struct {
    long n;
    uint64_t seed;
    int n_endpoints;
    mn_cohort_endpoint endpoints[MN_COHORT_MAX_ENDPOINTS];
    mn_cohort_demographics demographics;
    int ranks;     /* MPI processes that took part (1 without MPI) */
    int threads;   /* OpenMP threads per process */
    double wall_s; /* wall time of the run (not part of the deterministic output) */
    const mn_cohort_intervals *intervals; /* NULL (the runs leave it so), or set by the caller
                                             for mn_cohort_write() to report */
} mn_cohort_result;

/**
 * Runs the virtual trial. Under MPI (after mn_cohort_mpi_begin() with several ranks) every
 * rank must call it with the same trial and options; each simulates its share and the
 * result is complete on rank 0 (other ranks get only n, seed and the endpoint days).
 * @return MN_OK; MN_EINVAL (NULL or inconsistent arguments, message says which); MN_ENOMEM;
 *         MN_ENUMERIC (a model result was not finite: the patient is named); MN_ESTOPPED
 *         (the patient callback asked to stop; @p out is then empty); MN_EIO (the MPI
 *         reduction failed). Under MPI a failure on any rank fails every rank.
 * Thread-safety: uses OpenMP internally; do not call it from several threads at once with the
 * same context. Memory: O(threads + endpoints x sketch bins), independent of N.
 */
mn_status mn_cohort_run(mn_ctx *ctx, const mn_cohort_trial *trial, const mn_cohort_options *opts,
                        mn_cohort_result *out);

/**
 * Trial-level intervals: what a trial of the TRIAL's size could report. The figures of
 * mn_cohort_run() pool n patients who each take their own draw of the constants, so the
 * uncertainty of the constants averages out of them and they carry no sampling error of a
 * trial's n. Here each of n_trials virtual trials takes ONE draw of the constants (the
 * bundled posterior's row for trial k of the seed, by the rule of mn_cohort_run(); the
 * defaults for every trial with "constants": "defaults"), and, when that draw carries a
 * between-study spread (study_sd_log > 0), one responsiveness factor on its patients'
 * improvement, as `mneedle validate` does (src/evidence/observe.c); its n patients each draw
 * their own demographics, variability and PIH from streams of their own (not the main run's).
 * The interval of a statistic is the 5th to 95th percentile of its n_trials values by the
 * program's one percentile rule (Hyndman & Fan's type 7, as the cohort's own percentiles and
 * simulate's ranges): a 90 % model interval for one typical study on the model's scale
 * (no rater noise, no dropout, and no between-study spread while the draws carry none, as the
 * bundled posterior's do), narrower than what published trials report. Each end lies between
 * two neighbouring virtual trials' figures. The PIH
 * rate has a second interval, pih_rate_with_law_band: the same trials with every session's PIH
 * probability divided by MN_PIH_BAND_FACTOR (its low end) and multiplied by it (its high end),
 * the band the PIH law states for itself (healing.h), the same uniform draws deciding; it
 * holds both the trials' spread and the law's. Deterministic for any thread count.
 */
/** The intervals run from the MN_COHORT_INTERVAL_TAIL_PCT-th to the
 *  (100 - MN_COHORT_INTERVAL_TAIL_PCT)-th percentile of the virtual trials: 90 %. */
#define MN_COHORT_INTERVAL_TAIL_PCT 5
/** Fewest virtual trials behind an interval: 100 / MN_COHORT_INTERVAL_TAIL_PCT (rounded up),
 *  20. Derivation: each 5 % tail holds at least one whole trial only when 0.05 M >= 1, that is
 *  M >= 1 / 0.05 = 20. With fewer, the 5 % tail holds less than one trial:
 *  the "5th to 95th percentile" would be the range of the M trials whatever the percentile
 *  asked, which holds on average only (M - 1) / (M + 1) of what another trial reports (one
 *  third for M = 2), not 90 %. */
#define MN_COHORT_MIN_TRIALS ((100 + MN_COHORT_INTERVAL_TAIL_PCT - 1) / MN_COHORT_INTERVAL_TAIL_PCT)
/** Virtual trials by default (`mneedle cohort --trials`): 200 puts the 5th and 95th
 *  percentiles 10 trials from each end [judgement: a stable 90 % interval for a run of
 *  seconds]. */
#define MN_COHORT_DEFAULT_TRIALS 200
/** Patients (virtual trials x n) above which the default gives no intervals: about two
 *  minutes on 2 cores at the measured ~20,000 patients/s (docs/models/cohort.md). */
#define MN_COHORT_INTERVALS_MAX_PATIENTS 4000000L
/** Most virtual trials one run may ask for. */
#define MN_COHORT_MAX_TRIALS 100000

typedef struct {
    double lo, hi;
} mn_cohort_interval;

typedef struct {
    int day;
    mn_cohort_interval mean_improvement_pct;   /* the trial's mean improvement, % */
    mn_cohort_interval responders_50pct;       /* fraction of its patients >= 50 % */
    mn_cohort_interval responders_75pct;       /* fraction > 75 % */
    mn_cohort_interval pih_rate;               /* fraction with PIH by the day, by the PIH law
                                                  as stated: the trials' spread alone */
    mn_cohort_interval pih_rate_with_law_band; /* the same with the law's own band: low end of
                                                  the trials at every session's probability /
                                                  MN_PIH_BAND_FACTOR, high end at x it */
    int trials_with_completers; /* virtual trials with a patient still in on the day (all
                                   of them without dropout); with dropout each statistic is
                                   over a trial's completers, and a trial with none is left
                                   out (every end 0 when none has any) */
} mn_cohort_endpoint_interval;

struct mn_cohort_intervals {
    int n_trials; /* virtual trials run (0: none) */
    long n;       /* patients in each */
    double level; /* 0.9 */
    int n_draws;  /* distinct parameter draws available (0: every trial the defaults) */
    int n_endpoints;
    mn_cohort_endpoint_interval endpoints[MN_COHORT_MAX_ENDPOINTS];
};

/** The default number of virtual trials for a trial of @p n patients:
 *  MN_COHORT_DEFAULT_TRIALS, or 0 when that many trials of n patients would exceed
 *  MN_COHORT_INTERVALS_MAX_PATIENTS. */
int mn_cohort_default_trials(long n);

/**
 * Runs @p n_trials virtual trials of trial->population.n patients each (above) and fills
 * @p out; n_trials 0 fills only n and the days. @p threads as mn_cohort_options.threads (0:
 * the OpenMP default); @p on_progress (or NULL) is called on the calling thread with the
 * trials done. @return MN_OK; MN_EINVAL (arguments; n_trials neither 0 nor
 * MN_COHORT_MIN_TRIALS..MN_COHORT_MAX_TRIALS); MN_ENOMEM; MN_ENUMERIC (a patient's result was
 * not finite).
 */
mn_status mn_cohort_intervals_run(mn_ctx *ctx, const mn_cohort_trial *trial, int n_trials,
                                  int threads, mn_cohort_progress_fn on_progress,
                                  void *progress_userdata, mn_cohort_intervals *out);

/**
 * Shards: a run split over independent jobs (a cluster's job array) instead of MPI ranks.
 * Shard K of N (1 <= K <= N) runs patients floor((K-1) n / N) to floor(K n / N) - 1, each
 * from its own random stream exactly as in a single run, and keeps the slice's exact
 * accumulators (integer counts, fixed-point sums, minima and maxima) in a part; merging the N
 * parts gives a result bit-identical to one run of all n patients, for any N (slices may be
 * uneven, and empty when N > n). The part file format is described in docs/cluster.md.
 */
typedef struct mn_cohort_part mn_cohort_part;

/** Most shards one run may be split into. */
#define MN_COHORT_MAX_SHARDS 1000000

/** Reads "K/N" (decimal digits only, 1 <= K <= N <= MN_COHORT_MAX_SHARDS). Returns 1 and
 *  stores K and N, or 0 (then *k and *n are untouched). Thread-safe. */
int mn_cohort_shard_parse(const char *text, int *k, int *n);

/** The slice of shard @p k of @p n_shards over @p n_patients: its first patient and its count
 *  (0 when n_shards > n_patients leaves it empty). @return MN_OK, or MN_EINVAL when not
 *  1 <= k <= n_shards <= MN_COHORT_MAX_SHARDS or n_patients < 0. Thread-safe. */
mn_status mn_cohort_shard_range(long n_patients, int k, int n_shards, long *first, long *count);

/**
 * Loads the TRIAL file @p path ("-" for standard input) into @p trial, as
 * mn_cohort_trial_load() does, and creates the part of shard @p k of @p n_shards, which keeps
 * the file's JSON so that merging can rebuild the trial. The caller may then change
 * trial->population.n and trial->seed (command-line overrides) before mn_cohort_part_run().
 * @param with_csv  1: the part also carries the slice's per-patient CSV rows, appended
 *                  through mn_cohort_part_csv_writer() from the run's patient callback.
 * @return MN_OK; the loader's errors; MN_EINVAL for a bad k or n_shards; MN_ENOMEM.
 */
mn_status mn_cohort_part_create(mn_ctx *ctx, const char *path, int k, int n_shards, int with_csv,
                                mn_cohort_trial *trial, mn_cohort_part **out);

/**
 * Runs the part's slice of @p trial (the trial mn_cohort_part_create() filled, n and seed
 * possibly overridden) as mn_cohort_run() runs a whole cohort: opts->on_patient sees the
 * slice's patients in order, opts->on_progress counts them. Under MPI every rank calls it and
 * the part is complete on rank 0. @p info_out, when not NULL, gets the ranks, threads and wall
 * time (as in mn_cohort_result; its statistics are not filled).
 * @return as mn_cohort_run(); MN_EINVAL when the part has already run.
 */
mn_status mn_cohort_part_run(mn_ctx *ctx, mn_cohort_part *part, const mn_cohort_trial *trial,
                             const mn_cohort_options *opts, mn_cohort_result *info_out);

/** An mn_writer that appends to the per-patient CSV rows of a part created with with_csv
 *  (pass the part as userdata, e.g. to mn_cohort_csv_row()). Returns 0, or -1 out of memory
 *  or when the part carries no CSV. */
int mn_cohort_part_csv_writer(void *part, const char *buf, size_t len);

/**
 * Reads a part file written by mn_cohort_part_write() and checks it: the format and its
 * version, the shard and its slice, the accumulators' sizes and totals, and each per-patient
 * row (the CSV's columns, a finite number or a listed name in each cell: docs/cluster.md).
 * Problems name the file and the JSON path (and the row and column). Any size (the part may
 * carry per-patient rows): the whole file is held in memory.
 * @return MN_OK; MN_EINVAL (cannot open), MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOMEM.
 */
mn_status mn_cohort_part_load(mn_ctx *ctx, const char *path, mn_cohort_part **out);

/** Frees a part (NULL is allowed). */
void mn_cohort_part_free(mn_cohort_part *part);

/** K, N and the slice of a part (any pointer may be NULL). */
void mn_cohort_part_shard(const mn_cohort_part *part, int *k, int *n_shards, long *first,
                          long *count);

/**
 * Merges the parts of one run into the result a single run would give, and rebuilds its
 * trial. The parts may come in any order but must be all N shards of one run: the same
 * mneedle version, TRIAL file, n, seed and N, each shard once. Parts of different runs, a
 * duplicate or a missing shard are MN_EINVAL with a message naming the parts and what
 * differs. @p ctx must hold the catalogues the shards ran with.
 * @return MN_OK; MN_EINVAL; the trial loader's errors; MN_ENUMERIC; MN_ENOMEM.
 */
mn_status mn_cohort_merge(mn_ctx *ctx, mn_cohort_part *const *parts, int n_parts,
                          mn_cohort_trial *trial, mn_cohort_result *out);

/**
 * Writes the per-patient CSV rows the parts carry, in patient order (after
 * mn_cohort_csv_header()), as a single run's --csv would. Call after mn_cohort_merge()
 * accepted the same parts. @return MN_OK; MN_EINVAL naming a part made without them; MN_EIO.
 */
mn_status mn_cohort_merge_csv(mn_ctx *ctx, mn_cohort_part *const *parts, int n_parts,
                              mn_writer write, void *userdata);

/**
 * The number of tasks the launcher or the scheduler says it started, and the variable that
 * says so (OMPI_COMM_WORLD_SIZE, PMI_SIZE, SLURM_STEP_NUM_TASKS, then SLURM_NTASKS); 1 and
 * NULL when none says more than one. A process that sees more tasks here than MPI ranks is
 * one of several identical copies (a build without MPI, or srun without --mpi).
 */
long mn_cohort_launcher_tasks(const char **var);

/**
 * MPI. mn_cohort_mpi_begin() initialises MPI only when the process was started by an MPI
 * launcher (mpirun/mpiexec: Open MPI, MPICH or a PMI-based launcher), so the same binary runs
 * alone without one; it returns this process's rank and the number of ranks (0 and 1 without
 * MPI or when the build has none). mn_cohort_mpi_end() finalises MPI if it was initialised.
 * Call both from the main thread, once per process.
 * @return MN_OK; MN_EUNSUPPORTED when started by a launcher but built without MPI (then
 *         *rank and *size still say 0 and 1); MN_EIO when MPI_Init fails.
 */
mn_status mn_cohort_mpi_begin(int *argc, char ***argv, int *rank, int *size);
/** Finalises MPI when it was initialised and not yet finalised; does nothing otherwise (also
 *  in builds without MPI). Call once, from the main thread, after the last mn_cohort_run(). */
void mn_cohort_mpi_end(void);
/** 1 when this build has MPI support. */
int mn_cohort_mpi_built(void);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
