/*
 * mneedle healing: the wound response to each session (days to weeks) and dermal collagen over
 * years, against an untreated twin of the same person. Model, parameters and their sources:
 * docs/models/healing.md and the comment block at the top of src/healing/model.c.
 *
 * Shape of the model (all states per zone, relative to the day-0 content of that zone):
 *   per session, an injury dose from the device model (punctures/cm2 x channel area x depth
 *   reached in papillary and reticular dermis, mn_device_*() and mn_skin_layers_at()) drives a
 *   linear cascade
 *     injury -> inflammation (erythema)          hours to days
 *     channels open -> closed (barrier)          hours
 *     epidermal wound -> renewed                 ~5 days (F09)
 *     growth factors -> activated fibroblasts -> matrix-producing fibroblasts
 *                                                 day ~5 to ~8 weeks (F11)
 *     -> collagen III -> young collagen I -> long-lived collagen I
 *                                                 remodelling 8 weeks to ~1 year (F11),
 *                                                 long-lived half-life ~15 years (F31)
 *     new papillary matrix -> epidermal thickening (F05a)
 *   and the untreated twin follows dC/dt = S(age) - k(age) C (synthesis falling with age, F32;
 *   degradation ~15-year half-life, F31, faster with age, UV and smoking, F34, F36, F38).
 *   Clinical improvement (% of baseline severity) is a saturating function of the visible
 *   papillary collagen change since day 0 times the concern's response_weight
 *   (data/concerns.json): 100 w x / (w x + x_c), below 100 for every concern.
 *
 * The cascade is linear in its states with constant rates for one person, so it is integrated
 * exactly (matrix exponential of the triangular system, computed once per person) rather
 * than approximately; tests/unit/test_healing.c shows it agrees with SUNDIALS CVODE (which
 * is kept as a selectable reference integrator) and bench/bench_simulate.c that it is faster.
 *
 * Results are simulations with an uncertainty band, not promised outcomes.
 *
 * Thread safety: re-entrant throughout. The functions keep no state, use no threads of their
 * own, and accept a NULL context where noted, so a cohort may call them from many threads at
 * once; with a context, one context per thread.
 */
#ifndef MNEEDLE_HEALING_H
#define MNEEDLE_HEALING_H

#include "mneedle/catalog.h"
#include "mneedle/rng.h"
#include "mneedle/skin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** Longest scenario in days (40 years) and most sessions in one scenario. */
#define MN_HEALING_MAX_DAYS     14610
#define MN_HEALING_MAX_SESSIONS 1000

/**
 * Maintenance scheduling (DESIGN §3.5): the model picks the longest interval that keeps
 * improvement at or above MN_MAINTENANCE_TARGET_FRACTION of the course's peak, bounded to what
 * clinics do, every 3 to 12 months (seed articles 000 and 001: "quarterly ... once or twice a
 * year"). The young-collagen lifetime is no longer fitted to this target (docs/models/healing.md
 * section 4): with the default constants the six-session wrinkle course of
 * examples/scenarios/simulate-wrinkles-course.json keeps 80 % of its peak for ~18 months (547
 * days after its peak), so its interval sits at the 12-month bound.
 */
#define MN_MAINTENANCE_MIN_DAYS        90  /* 3 months */
#define MN_MAINTENANCE_MAX_DAYS        365 /* 12 months */
#define MN_MAINTENANCE_TARGET_FRACTION 0.8 /* of the course's peak improvement */
/* When the longest bound binds, how far past it the model's own interval is searched
 * (mn_healing_projection.interval_unbounded_days): 10 years. */
#define MN_MAINTENANCE_SEARCH_MAX_DAYS 3653

/**
 * Uncertainty bands give the 10th and 90th percentiles over virtual people (the "10–90 %
 * ranges" of DESIGN §8), drawn with a fixed default seed so the same input always shows the
 * same band (the value itself is arbitrary).
 */
#define MN_BAND_QUANTILE_LOW  0.1
#define MN_BAND_QUANTILE_HIGH 0.9
#define MN_BAND_DEFAULT_SEED  20131001u

/** One needling session of a zone. */
typedef struct {
    int day;                 /* offset from day 0, >= 0; sessions are given at the start of
                                their day, and a report day d is read at t = d + 0.5 day */
    const mn_device *device; /* catalogue entry (owned by the context) */
    double needle_mm;        /* set needle length, within the device's range */
    double passes;           /* passes over the zone, > 0 */
    double glide_mm_s;       /* pens: glide speed, <= 0 for MN_DEFAULT_GLIDE_MM_S */
} mn_healing_session;

/** What to simulate: one person, one zone, one concern, a list of sessions. */
typedef struct {
    mn_patient patient;
    const mn_site *zone;
    const mn_concern *concern;
    const mn_healing_session *sessions; /* sorted by day (ties allowed); borrowed */
    int n_sessions;                     /* 0 is allowed: the untreated twin alone */
    int horizon_days;                   /* last day simulated, 1..MN_HEALING_MAX_DAYS */
} mn_healing_scenario;

/**
 * Inter-individual variability: multipliers on the model's uncertain parameters, all 1 for the
 * typical person. A virtual cohort draws them per patient (mn_healing_variability_sample()).
 * The spreads below are log-normal standard deviations (sd of ln multiplier) with their
 * sources or reasoning; docs/models/healing.md explains each.
 */
typedef struct {
    double response_gain;        /* collagen deposited per unit injury. sd_log 0.35: the
                                    spread of fibroblast output between donors (F32a:
                                    82+-16 ng/ml, CV ~0.2) and of the histological gain */
    double depth_fraction_scale; /* effective channel depth. sd_log 0.15: +-0.1 on a 0.6-0.8
                                    depth fraction (device.h, F40-F42) */
    double closure_scale;        /* channel-closure time. sd_log 0.5: closure half-life
                                    20-26 +- 12-15 h between people (F56b) */
    double ageing_rate;          /* speed of the untreated decline (synthesis loss and extra
                                    degradation with age). sd_log 0.25: dermal thinning varies
                                    between people at a given age (F34a, F74e) [judgement] */
    double inflammation_scale;   /* erythema intensity and duration. sd_log 0.3: redness lasts
                                    3-6 h in some series and up to 2-3 days in others (F80,
                                    F54, F70) */
    double remodelling_scale;    /* time collagen III takes to mature. sd_log 0.3: remodelling
                                    8 weeks to ~1 year (F11) */
    double retention_scale;      /* lifetime of young collagen I before it is either
                                    degraded or becomes long-lived. sd_log 0.35: results last
                                    'several months to a few years' (seed articles) */
    double epidermal_gain;       /* epidermal thickening per unit new matrix. sd_log 0.3:
                                    +50 % (F05a) to +40 % spinosum (Aust, F64 note) */
    double severity_scale;       /* how much new collagen this person's concern needs for
                                    the same visible change (deeper scars and wrinkles need
                                    more): multiplies the improvement scale. sd_log 0.8
                                    [judgement, range 0.4-1.0]: with the response gain, wide
                                    enough for the fair or poor responders (10 % in F05c)
                                    and the > 75 % responders (20 % in F05c, 28-65 % in
                                    F19b, F26a/b) of one course, while the histological gain
                                    stays as narrow as F32a's */
} mn_healing_variability;

/** Sets every multiplier to 1. */
void mn_healing_variability_init(mn_healing_variability *v);

/**
 * Draws a person's multipliers from the documented log-normal spreads, each clamped to
 * [exp(-3 sd), exp(3 sd)] so no draw is absurd. Consumes a fixed number of draws (18), so a
 * patient's stream gives the same multipliers whatever else is drawn. Thread-safe (touches
 * only *rng and *out).
 */
void mn_healing_variability_sample(mn_rng *rng, mn_healing_variability *out);

/** Moves every multiplier @p z standard deviations in the direction that raises (z > 0) or
 *  lowers (z < 0) the improvement; used for the pessimistic/optimistic ends of a band. */
void mn_healing_variability_shift(double z, mn_healing_variability *out);

/** The model's outputs on one day. Percentages are changes relative to day 0. */
typedef struct {
    int day;
    double collagen_change_pct;           /* papillary-dermis collagen (all types) vs day 0 (F05b's
                                             measure) */
    double epidermis_change_pct;          /* viable-epidermis thickness vs day 0 */
    double improvement_pct;               /* clinical improvement of the concern, % of baseline
                                             severity; negative = worse than before treatment */
    double erythema;                      /* redness index 0-1 (0.1 = barely visible) */
    double barrier_open_fraction;         /* fraction of the latest session's channels still open */
    double epidermal_wound_fraction;      /* fraction of the needled epidermis not yet renewed */
    double collagen_deposition_pct_day;   /* new collagen laid down by activated fibroblasts, % of
                                             day-0 papillary collagen per day */
    double collagen3_pct;                 /* new collagen III, % of day-0 papillary collagen */
    double collagen1_pct;                 /* new collagen I (young + long-lived), same unit */
    double untreated_collagen_change_pct; /* the untreated twin */
    double untreated_epidermis_change_pct; /* the untreated twin */
    double untreated_improvement_pct;      /* the untreated twin (<= 0: it only ages) */
} mn_healing_sample;

/** The answer to "how long will it last?". Days are offsets from day 0; -1 means "not found
 *  within the search limit" (see mn_healing_options.search_limit_days). */
typedef struct {
    double peak_improvement_pct;
    int peak_day;
    int durability_days;           /* from the peak until improvement < half the peak */
    int back_to_baseline_day;      /* first day after the peak with collagen at or below its
                                      day-0 level (improvement <= 0) */
    int durability_beyond_horizon; /* 1 when durability was found by simulating past the
                                      horizon with no further session */
    int baseline_beyond_horizon;   /* same for back_to_baseline_day */
    int erythema_days; /* longest run of visible redness (erythema >= 0.1) after a session, in
                          report days counted from the session's day (0 = never visible) */
    double final_collagen_change_pct;           /* at the horizon */
    double final_untreated_collagen_change_pct; /* at the horizon */
} mn_healing_summary;

/** Integrators, found by name (mn_healing_integrator_parse). */
typedef enum {
    MN_HEALING_EXACT = 0, /* matrix exponential of the linear cascade; allocation-free */
    MN_HEALING_CVODE = 1  /* SUNDIALS CVODE (BDF, dense Newton); the reference; allocates */
} mn_healing_integrator;

/** "exact" or "cvode" -> enum; returns 1 on success, 0 for an unknown name. */
int mn_healing_integrator_parse(const char *name, mn_healing_integrator *out);
/** The name of an integrator: "cvode" for MN_HEALING_CVODE, "exact" otherwise (the inverse of
 *  mn_healing_integrator_parse()). Static storage. */
const char *mn_healing_integrator_name(mn_healing_integrator integrator);

/*
 * The model's constants by name. The library runs with its defaults (src/healing/params.c, each
 * beside its source) unless a caller passes a set of its own through mn_healing_options.params
 * or mn_projection_options.params: a draw of the calibrated posterior (posterior.h,
 * mn_posterior_params()), a sensitivity sample, a user's fit. Names and what each means:
 * docs/models/healing.md §4.
 */

/** Room for the constants (the set is a block of doubles; its layout is the library's). */
#define MN_HEALING_PARAM_SLOTS 48

/** A full set of the healing model's constants. Fill it with mn_healing_params_default()
 *  before use (a set that was not filled is refused with MN_EINVAL); change entries by name
 *  with mn_healing_params_set(). Plain data: copy it with `=`. */
typedef struct {
    unsigned magic; /* set by mn_healing_params_default() */
    double slot[MN_HEALING_PARAM_SLOTS];
} mn_healing_params;

/** Fills @p p with the library's defaults. @p p must not be NULL. */
void mn_healing_params_default(mn_healing_params *p);

/** How many constants may be set by name (mn_healing_param_name() lists them). */
int mn_healing_param_count(void);

/** The name of constant @p i (0 <= i < count), e.g. "dose_half_sat", or NULL. Static. */
const char *mn_healing_param_name(int i);

/** The index of the constant named @p name, or -1 when there is none. */
int mn_healing_param_find(const char *name);

/** The range a value of constant @p i must lie in (inclusive); returns 0 for a bad index. */
int mn_healing_param_range(int i, double *lo, double *hi);

/**
 * Sets constant @p name of @p p to @p value.
 * @return MN_OK; MN_EINVAL (NULL, or @p p not filled by mn_healing_params_default());
 *         MN_ENOTFOUND (no constant of that name); MN_ERANGE (value outside
 *         mn_healing_param_range() or not finite). The message (on @p ctx, which may be NULL)
 *         names the constant. On failure @p p is unchanged.
 */
mn_status mn_healing_params_set(mn_ctx *ctx, mn_healing_params *p, const char *name, double value);

/** The value of constant @p name in @p p (NaN for an unknown name or an unfilled set). */
double mn_healing_params_get(const mn_healing_params *p, const char *name);

typedef struct {
    mn_healing_integrator integrator; /* MN_HEALING_EXACT */
    double cvode_rtol;                /* relative tolerance for CVODE (1e-8) */
    int search_limit_days; /* how far past the horizon the summary may look for the durability
                              and baseline crossings (default 40 years; 0 = only within the
                              horizon) */
    const mn_healing_params *params; /* the model's constants; NULL: the library's defaults
                                        (the pointer must stay valid during the call) */
} mn_healing_options;

/** Fills the defaults: the exact integrator, CVODE's relative tolerance 1e-8 (used only when
 *  it is chosen), a search limit of 40 years (14,600 days) past the horizon and the library's
 *  constants (params NULL). @p opts must not be NULL. */
void mn_healing_options_init(mn_healing_options *opts);

/**
 * Simulates a scenario for one person: the treated zone and its untreated twin.
 *
 * @param ctx        context for error messages; may be NULL (then only the status reports
 *                   the failure), so a cohort thread need not own one.
 * @param sc         the scenario; sessions must be sorted by day and lie within the horizon,
 *                   with needle lengths inside each device's range and passes in (0, 100].
 * @param var        multipliers, or NULL for the typical person (all 1).
 * @param opts       options, or NULL for the defaults (exact integrator).
 * @param report_days days to report, each in [0, horizon_days], in any order; or NULL to
 *                   report every day 0..horizon_days (then @p n_report must be
 *                   horizon_days + 1): the daily trajectory.
 * @param n_report   number of entries of @p report_days and of @p samples (may be 0).
 * @param samples    caller's buffer of @p n_report samples (may be NULL when n_report is 0).
 * @param summary    receives the summary; may be NULL (then no search past the horizon).
 * @return MN_OK; MN_EINVAL for NULL or inconsistent arguments or an invalid scenario (the
 *         message says which field); MN_ENUMERIC if a non-finite value appeared; MN_ENOCONV or
 *         MN_ENOMEM from the CVODE integrator only.
 * Thread-safety: re-entrant; with the exact integrator it allocates nothing and touches only
 * its arguments, so any number of threads may call it at once (each with its own ctx or NULL).
 * Cost: ~10-50 us for 5 years and 10 sessions (bench/bench_simulate.c).
 */
mn_status mn_healing_run(mn_ctx *ctx, const mn_healing_scenario *sc,
                         const mn_healing_variability *var, const mn_healing_options *opts,
                         const int *report_days, int n_report, mn_healing_sample *samples,
                         mn_healing_summary *summary);

/**
 * The dermal dose of one session on one zone of one person: the dermal volume inside the wound
 * zones of the channels (each channel's dermal segment widened by the ~100 um reach of the
 * wound response, and closed under its tip by a hemisphere; overlapping zones counted once),
 * papillary dermis weighted 1 and reticular 0.5, per 200 um of reference papillary dermis
 * (dimensionless; 0 while the needle stays in the epidermis). docs/models/healing.md §1. Exposed
 * for tests and for the planner's notes.
 * @param depth_scale multiplies the effective depth (variability; 1 for the typical person).
 * @return the dose (>= 0), or -1 for NULL arguments.
 */
double mn_healing_dermal_dose(const mn_healing_session *s, const mn_site *zone,
                              const mn_patient *patient, double depth_scale);

/**
 * The peak redness (erythema index 0-1, 0.1 barely visible) of one session alone: the
 * inflammation its injury dose (channel area x depth reached, so deeper and more passes inflame
 * more) raises in this person, with the inflammation multiplier @p inflammation_scale (1 for
 * the typical person). The cohort's PIH law scales with it (docs/models/cohort.md).
 * @return the index, or -1 for NULL arguments or a scale <= 0.
 */
double mn_healing_session_erythema(const mn_healing_session *s, const mn_site *zone,
                                   const mn_patient *patient, double inflammation_scale);

/**
 * The PIH law's band: its documentation (docs/models/cohort.md, "Post-inflammatory
 * hyperpigmentation") says to treat its rate as an order of magnitude with a factor-of-two
 * band either way; mn_healing_pih_risk() gives that band.
 */
#define MN_PIH_BAND_FACTOR 2.0

/** The chance of post-inflammatory hyperpigmentation (PIH) over a scenario's sessions. */
typedef struct {
    int fitzpatrick;         /* the phototype it was computed for: the scenario's */
    double probability;      /* chance of PIH after at least one session, 0-1, for the
                                typical person: 1 - prod(1 - p_k) over the sessions, each
                                p_k the PIH law at the session's device, needle length and
                                passes, the patient's phototype, sun and day-0 age,
                                inflammation and susceptibility 1 (their means) */
    double probability_low;  /* the same with every p_k divided by MN_PIH_BAND_FACTOR */
    double probability_high; /* ... multiplied by it (the law's cap of 0.5 per session
                                kept) */
    double session_max;      /* the largest p_k (0 without sessions) */
} mn_healing_pih;

/**
 * The PIH risk of a scenario's course by the library's PIH law (src/healing/pih.c; its evidence,
 * assumptions and band: docs/models/cohort.md), the law the virtual cohort's pih_rate draws
 * from. The law rests on thin evidence (about 1 % per session pooled from roller studies in
 * phototypes III-V at 1.5 mm); its phototype gradient, depth law and susceptibility spread are
 * assumptions, so the result is an order of magnitude with the band above, not a measured rate.
 * With no session every probability is 0.
 * @return MN_OK; MN_EINVAL for NULL arguments or a scenario mn_healing_run() refuses (the
 *         message, on @p ctx which may be NULL, says which field); *out is then zeroed.
 * Thread-safety: re-entrant; allocates nothing. Deterministic (no draw).
 */
mn_status mn_healing_pih_risk(mn_ctx *ctx, const mn_healing_scenario *sc, mn_healing_pih *out);

/**
 * The uncertainty band of a scenario's improvement: @p draws virtual copies of the person with
 * multipliers from mn_healing_variability_sample() (stream i of @p seed for copy i), and the
 * @p q_lo and @p q_hi quantiles (e.g. 0.1 and 0.9) of improvement_pct on each report day.
 * @param report_days as for mn_healing_run() (NULL = every day, n_report = horizon + 1).
 * @param low_pct, high_pct caller's buffers of @p n_report values.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM (it allocates draws x n_report doubles); MN_ENUMERIC.
 * Thread-safety: re-entrant. Deterministic for a given seed.
 */
mn_status mn_healing_band(mn_ctx *ctx, const mn_healing_scenario *sc, const int *report_days,
                          int n_report, int draws, uint64_t seed, double q_lo, double q_hi,
                          double *low_pct, double *high_pct);

/*
 * Projection for the clinic planner: the planned course, then maintenance sessions at the
 * interval the model chooses, simulated over a horizon with a low/high band.
 */

/** A planned course session (the device is the plan's). */
typedef struct {
    int day;          /* offset from the first session (day 0) */
    double needle_mm; /* set length */
    double passes;
} mn_course_session;

typedef struct {
    double target_fraction; /* maintenance keeps improvement >= this x peak (0.8) */
    int horizon_days;       /* projection horizon (730) */
    int step_days;          /* spacing of projection samples (7) */
    int min_interval_days;  /* shortest maintenance interval allowed (90) */
    int max_interval_days;  /* longest (365) */
    int band_draws;         /* virtual patients for the band (64): 10th-90th percentiles over
                               them. 0 = the quick band: the response gain alone at its 10th
                               and 90th percentiles (the largest single spread; the others at
                               1), exact by superposition and nearly free; -1 = no band */
    uint64_t seed;          /* for the band draws (fixed default, so plans are reproducible) */
    const mn_healing_params *params;      /* the model's constants; NULL: the library's defaults */
    const mn_healing_variability *person; /* whom to project: NULL for the typical person
                                             (every multiplier 1), else this person's
                                             multipliers (a cohort draw, a sensitivity
                                             sample); borrowed for the call. The quick band
                                             is then around this person; a band of draws
                                             (band_draws > 0) stays the population's */
} mn_projection_options;

/** Fills the defaults given beside each field: target 0.8 of the peak, a 730-day horizon
 *  sampled every 7 days, maintenance every 90 to 365 days, a band of 64 draws, a fixed seed
 *  (so the same plan always shows the same band) and the typical person. @p opts must not be
 *  NULL. */
void mn_projection_options_init(mn_projection_options *opts);

/** One day of a projection: the person's improvement (the typical person unless
 *  mn_projection_options.person says otherwise) and its band (% of baseline severity, as
 *  mn_healing_sample.improvement_pct). */
typedef struct {
    int day;
    double improvement_pct;
    double low_pct, high_pct; /* uncertainty band */
} mn_projection_sample;

typedef struct {
    mn_projection_sample *samples; /* day, improvement_pct (the person projected), low_pct,
                                      high_pct (10th and 90th percentiles over the band draws), with
                                      maintenance; owned, free with
                                      mn_healing_projection_release() */
    int n_samples;
    int maintenance_interval_days; /* in [min, max]; the longest that holds the target */
    int maintenance_first_day;     /* day of the first maintenance session */
    double target_fraction;        /* the share of the peak maintenance keeps (the option) */
    int interval_bounded;          /* 1 when the model wanted a shorter or longer interval
                                      than the bounds allow (then the target may not hold,
                                      or holds with margin) */
    double peak_improvement_pct;   /* course alone, the person projected */
    double peak_low_pct, peak_high_pct;
    int peak_day;
    int durability_days;                   /* course alone: peak until half the peak (-1: > 40 y) */
    int back_to_baseline_day;              /* course alone (-1: > 40 y) */
    double min_improvement_after_peak_pct; /* with maintenance, over the horizon */
    /* Landmarks of the curve shown (samples, with maintenance), as indices into samples, so
     * writers and figures label them without searching the curve again: */
    int peak_sample;         /* the highest improvement (the first of equals) */
    int below_target_sample; /* the first after the peak below target_fraction x the peak's
                                improvement; -1: none */
    int baseline_sample;     /* the first after the peak at or below 0 (back to baseline), when
                                the peak is above 0; -1: none */
    /* Posterior-predictive ranges (10th-90th percentiles over the band's virtual people, each
     * a parameter draw times a variability draw; the quick band's two people give its two
     * ends; no band: the typical person's values). peak_low_pct/peak_high_pct above are the
     * peak's range: each person's own peak. */
    int durability_low_days, durability_high_days; /* -1: beyond the 40 years searched */
    /* The median of the band's people's peaks (NAN with the quick band or none), beside the
     * projected person's peak_improvement_pct, which takes the library's default constants:
     * the two differ where the bundled posterior disagrees with the defaults
     * (docs/models/healing.md §4.3). peak_range_widened: 1 when the projected person's peak lay
     * outside the band's 10-90 % range and the range was widened to include it. */
    double peak_median_pct;
    int peak_range_widened;
    int maintenance_interval_low_days, maintenance_interval_high_days; /* each person's own
                                                                          interval, in the
                                                                          bounds */
    /* Which bound binds, and what the model wants past it. interval_bound_side: 0 the interval
     * is the model's own; -1 even the shortest interval does not hold the target (the
     * interval is the shortest); +1 the course holds the target longer than the longest
     * interval (the interval is the longest, a clinic's habit, not the model's need). Then
     * interval_unbounded_days is the model's own interval, searched on the same grid up to
     * MN_MAINTENANCE_SEARCH_MAX_DAYS (or as far as the model's days allow), -1 when the target
     * holds past that too; 0 otherwise. interval_at_longest_fraction: the share of the band's
     * virtual people whose own interval is held at the longest bound (their interval in the
     * ranges is that bound, their own is longer). */
    int interval_bound_side;
    int interval_unbounded_days;
    double interval_at_longest_fraction;
    /* back_to_baseline_day's 10-90 % range over the same virtual people (each person's first
     * day after their peak at or below their starting level, searched as far as
     * back_to_baseline_day is: -1 where the percentile lies beyond that search), and the share
     * of them who are not back within it. No band: the projected person's values. */
    int back_to_baseline_low_day, back_to_baseline_high_day;
    double baseline_beyond_fraction;
} mn_healing_projection;

/** What the ranges of a projection with @p band_draws (its option) hold, in one sentence:
 *  which virtual people, and whether parameter uncertainty is in them (-1: none; 0: the quick
 *  band; 1: one virtual person, no percentiles; more: the 10th-90th percentiles over them).
 *  Static storage. */
const char *mn_healing_range_note(int band_draws);

/** Releases what a projection owns (NULL-safe) and zeroes it. */
void mn_healing_projection_release(mn_healing_projection *p);

/**
 * Projects a planned course for one zone and chooses the maintenance interval: the longest
 * interval in [min_interval_days, max_interval_days] (on a 7-day grid from the shortest) such
 * that, with
 * maintenance sessions at the last course session's needle length and passes every interval
 * from (last course session + interval), the person's (opts->person; the typical person by
 * default) improvement stays >= target_fraction x the course's peak from the peak to the
 * horizon. If even the shortest
 * interval does not hold it, the shortest is returned and interval_bounded is set.
 *
 * @param course     sessions sorted by day; 1..MN_HEALING_MAX_SESSIONS. A plan's course starts
 *                   on day 0; a later first day is a course that starts after the person's
 *                   day 0 (the patient's age is at day 0, the untreated twin drifts from it).
 *                   Course sessions after the horizon are simulated but not in the band.
 * @param opts       NULL for the defaults.
 * @param out        receives the projection; release with mn_healing_projection_release().
 * @return MN_OK; MN_EINVAL (NULL arguments, empty or unsorted course, needle length outside
 *         the device range, options out of range); MN_ERANGE when the last session leaves no
 *         room for two cycles at max_interval_days and ~3 months of response before
 *         MN_HEALING_MAX_DAYS, or its needle stays in the epidermis; MN_ENOMEM; MN_ENUMERIC.
 * Thread-safety: re-entrant (uses only its arguments); allocates the samples.
 * The person's curve is exact: the model is linear in its states, so the course and each
 * maintenance session superpose (tests check this against a direct run, for the typical person
 * and for others).
 * Cost: ~0.2 ms with the quick band, a few ms with 64 draws (bench/bench_simulate.c).
 */
mn_status mn_healing_project(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                             const mn_concern *concern, const mn_device *device,
                             const mn_course_session *course, int n_course,
                             const mn_projection_options *opts, mn_healing_projection *out);

/**
 * The model's maintenance for a simulated scenario (what `mneedle simulate` reports): its
 * sessions, taken as a course, projected by mn_healing_project() with the default options
 * except the scenario's horizon_days, samples every 30 days and the band of @p band_draws
 * virtual people drawn with @p seed (0: the quick band). The projection's days are the
 * scenario's (day 0 is the scenario's day 0, not the first session).
 * There is none, and @p out is left zeroed (maintenance_interval_days 0, no samples), when the
 * scenario has no session, when its sessions use more than one device, when the last
 * session's needle stays in the epidermis, or when the last session is too close to
 * MN_HEALING_MAX_DAYS to simulate two maintenance cycles of up to a year after it (after day
 * 13,790 with the default bounds); then no error is left in @p ctx either.
 * @param out  receives the projection; release with mn_healing_projection_release().
 * @return MN_OK (also when there is none); MN_EINVAL for NULL arguments or a scenario
 *         mn_healing_project() refuses; MN_ENOMEM; MN_ENUMERIC.
 * Thread-safety: re-entrant (uses only its arguments); allocates.
 */
mn_status mn_healing_maintenance(mn_ctx *ctx, const mn_healing_scenario *sc, int band_draws,
                                 uint64_t seed, mn_healing_projection *out);

/**
 * As mn_healing_maintenance() for the person @p person (NULL: the typical person, which is
 * mn_healing_maintenance()): the interval that holds this person's improvement, whose peak
 * and decline follow their multipliers (mn_projection_options.person). What a sensitivity
 * analysis of the maintenance interval varies.
 * Thread-safety: re-entrant (uses only its arguments); allocates.
 */
mn_status mn_healing_maintenance_person(mn_ctx *ctx, const mn_healing_scenario *sc,
                                        const mn_healing_variability *person, int band_draws,
                                        uint64_t seed, mn_healing_projection *out);

/**
 * As mn_healing_maintenance_person() with the model's constants @p params (NULL: the library's
 * defaults, which is mn_healing_maintenance_person()), passed to the projection as
 * mn_projection_options.params: the interval of one posterior draw or one sensitivity sample
 * of the constants. With a band (@p band_draws > 0) the band's people keep @p params and vary
 * only their multipliers (mn_projection_options.params says so).
 * @return as mn_healing_maintenance(); MN_EINVAL also for a set not filled by
 *         mn_healing_params_default().
 * Thread-safety: re-entrant (uses only its arguments); allocates.
 */
mn_status mn_healing_maintenance_params(mn_ctx *ctx, const mn_healing_scenario *sc,
                                        const mn_healing_variability *person,
                                        const mn_healing_params *params, int band_draws,
                                        uint64_t seed, mn_healing_projection *out);

/*
 * Reading a SCENARIO file (DESIGN §4): patient.{age, sex, fitzpatrick, smoker, sun}, zone,
 * concern, sessions[].{day, device, needle_mm, passes}, report_days[], horizon_days.
 */
typedef struct {
    mn_healing_scenario scenario; /* sessions point into this struct */
    mn_healing_session sessions[MN_HEALING_MAX_SESSIONS];
    int report_days[MN_MAX_ARRAY_LEN]; /* sorted, unique */
    int n_report_days;
    int report_days_given; /* 0: defaults were chosen (see mn_healing_scenario_load) */
    mn_warnings warnings;  /* sessions whose needle length is beyond the zone's depth caps
                              (mn_device_depth_caps()): they run, and the command warns; one
                              warning per kind of cap, at the first such session */
} mn_healing_input;

/**
 * Reads and validates a SCENARIO file ("-" for standard input). Every problem is named with the
 * file and the JSON path (`scn.json: $.sessions[2].needle_mm: 3.5 is outside skinpen's range
 * 0.25-2.5 mm`). When report_days is absent, the defaults are days 0, 1, 3, 7, 28, 90, 180,
 * 365 and then yearly up to the horizon, plus the horizon.
 * @param out  caller's struct (large: allocate it, ~40 KiB).
 * @return MN_OK; MN_EINVAL (cannot open), MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND,
 *         MN_ELIMIT, MN_ENOMEM.
 */
mn_status mn_healing_scenario_load(mn_ctx *ctx, const char *path, mn_healing_input *out);

/** As mn_healing_scenario_load() from text in memory; @p src names it in messages. */
mn_status mn_healing_scenario_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                    mn_healing_input *out);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
