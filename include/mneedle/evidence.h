/*
 * mneedle evidence: the published studies the outcome model is calibrated on and validated
 * against (data/evidence/, one JSON file per study; the format is docs/evidence.md).
 *
 * A study records its design, population, the protocol of each arm and, per endpoint, the
 * values exactly as published (mean with SD, SE or a confidence interval, median with IQR,
 * counts, a bound, or only a direction and p value) at each time point. Each study has a role:
 * MN_EVIDENCE_CALIBRATION (may be fitted to) or MN_EVIDENCE_VALIDATION (never fitted to;
 * compared with the model's prediction). The bundled split is declared in data/evidence/SPLIT.
 *
 * The bundled studies are embedded in the library at build time; mn_evidence_load() adds a
 * user's own from a directory. Every file is validated as strictly as any input: a problem is
 * refused with an input-error status and a message naming the file and the JSON path.
 *
 * Absent numbers are NaN (doubles) or 0 (counts that cannot be 0), as each field says; the
 * `have` bits of a time point say which values were published.
 *
 * Thread safety: a loaded mn_evidence is read-only and may be shared between threads; loading
 * uses the context's error state (one context per thread).
 */
#ifndef MNEEDLE_EVIDENCE_H
#define MNEEDLE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "mneedle/core.h"
#include "mneedle/healing.h"
#include "mneedle/posterior.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** Most studies in one set (bundled and user's together). */
#define MN_EVIDENCE_MAX_STUDIES 1000

/** Rated improvement (% of baseline severity) at which a Global Aesthetic Improvement Scale
 *  rater says "improved" [judgement, docs/models/observation.md: a visible change a rater
 *  would not call marked, about the first quartile of rated improvement, the quartile scale's
 *  lowest band "poor/minimal" being 0-25 %]. The observation model maps GAIS responders with
 *  it (src/evidence/observe.c); a virtual cohort counts a patient as needing maintenance only
 *  after a peak at or above it (docs/models/cohort.md, Maintenance). */
#define MN_GAIS_IMPROVED_PCT 25.0

typedef enum { MN_EVIDENCE_CALIBRATION, MN_EVIDENCE_VALIDATION } mn_evidence_role;

/** Endpoint families (docs/evidence.md). */
typedef enum {
    MN_EVIDENCE_HISTOLOGY,
    MN_EVIDENCE_CLINICAL_SCALE,
    MN_EVIDENCE_DEPTH_COMPARISON,
    MN_EVIDENCE_PIH,
    MN_EVIDENCE_ERYTHEMA,
    MN_EVIDENCE_CHANNEL_CLOSURE,
    MN_EVIDENCE_FAMILY_COUNT
} mn_evidence_family;

/** What an endpoint's values are (docs/evidence.md, `quantity`). */
typedef enum {
    MN_EVIDENCE_LEVEL,
    MN_EVIDENCE_CHANGE,        /* value at the time - baseline */
    MN_EVIDENCE_REDUCTION,     /* baseline - value at the time */
    MN_EVIDENCE_PCT_CHANGE,    /* (value - baseline) / baseline x 100 */
    MN_EVIDENCE_PCT_REDUCTION, /* (baseline - value) / baseline x 100 */
    MN_EVIDENCE_IMPROVEMENT,   /* rated improvement, positive is better */
    MN_EVIDENCE_RESPONDERS,    /* patients meeting the endpoint's threshold */
    MN_EVIDENCE_DISTRIBUTION,  /* patients per category */
    MN_EVIDENCE_EVENTS,        /* patients with the event */
    MN_EVIDENCE_DURATION,      /* time until the event, in the endpoint's unit */
    MN_EVIDENCE_DIFFERENCE,    /* arm - vs_arm */
    MN_EVIDENCE_RATIO,         /* arm / vs_arm */
    MN_EVIDENCE_COMPARISON,    /* only a direction (sign) and p were published */
    MN_EVIDENCE_QUANTITY_COUNT
} mn_evidence_quantity;

/** When a time point was measured. */
typedef enum {
    MN_EVIDENCE_TIME_NONE,             /* a duration endpoint: the value is itself a time */
    MN_EVIDENCE_TIME_FROM_FIRST,       /* days from the first session (0: baseline) */
    MN_EVIDENCE_TIME_AFTER_LAST,       /* days after the last session */
    MN_EVIDENCE_TIME_HOURS_AFTER_LAST, /* hours after the (only or last) session */
    MN_EVIDENCE_TIME_UNKNOWN           /* not stated in what was read */
} mn_evidence_time;

/** Bits of mn_evidence_timepoint.have: which values were published. */
enum {
    MN_EVIDENCE_HAVE_N = 1 << 0,
    MN_EVIDENCE_HAVE_MEAN = 1 << 1,
    MN_EVIDENCE_HAVE_SD = 1 << 2,
    MN_EVIDENCE_HAVE_SE = 1 << 3,
    MN_EVIDENCE_HAVE_CI95 = 1 << 4,
    MN_EVIDENCE_HAVE_CI99 = 1 << 5,
    MN_EVIDENCE_HAVE_MEDIAN = 1 << 6,
    MN_EVIDENCE_HAVE_IQR = 1 << 7,
    MN_EVIDENCE_HAVE_RANGE = 1 << 8,
    MN_EVIDENCE_HAVE_VALUE = 1 << 9,
    MN_EVIDENCE_HAVE_COUNT = 1 << 10,
    MN_EVIDENCE_HAVE_PCT = 1 << 11,
    MN_EVIDENCE_HAVE_COUNTS = 1 << 12, /* per category, in cat_values */
    MN_EVIDENCE_HAVE_PCTS = 1 << 13,   /* % per category, in cat_values */
    MN_EVIDENCE_HAVE_P = 1 << 14,
    MN_EVIDENCE_HAVE_SIGN = 1 << 15
};

typedef enum { MN_EVIDENCE_EXACT, MN_EVIDENCE_AT_MOST, MN_EVIDENCE_AT_LEAST } mn_evidence_bound;
typedef enum {
    MN_EVIDENCE_SIGN_NONE,
    MN_EVIDENCE_GREATER,
    MN_EVIDENCE_LESS,
    MN_EVIDENCE_NO_DIFFERENCE
} mn_evidence_sign;

/** One time point of an endpoint, values as published (unit: the endpoint's). */
typedef struct {
    mn_evidence_time time;
    double time_value;     /* days or hours per `time`; NaN for NONE and UNKNOWN */
    const char *time_note; /* or NULL */
    unsigned have;         /* MN_EVIDENCE_HAVE_* bits */
    int n;                 /* participants (or sites) behind the values, 0 if not given */
    double mean, sd, se, ci95[2], ci99[2], median, iqr[2], range[2], value, pct, p;
    long count;               /* with n */
    mn_evidence_bound bound;  /* how to read `value` */
    mn_evidence_sign sign;    /* for MN_EVIDENCE_COMPARISON */
    int p_below;              /* 1: p was published as "p < value" */
    const double *cat_values; /* counts or % per category (HAVE_COUNTS / HAVE_PCTS) */
    int n_cat_values;         /* = the endpoint's n_categories */
} mn_evidence_timepoint;

typedef struct {
    const char *id;
    mn_evidence_family family;
    const char *scale;    /* a scale id of docs/evidence.md ("goodman_baron_quantitative") */
    int arm;              /* index into the study's arms */
    int vs_arm;           /* the other arm, or -1 */
    const char *subgroup; /* or NULL */
    mn_evidence_quantity quantity;
    const char *unit;              /* "score", "%", "patients", "days", "hours", "um", ... */
    int direction;                 /* +1 higher is better, -1 lower is better, 0 neither */
    const char *threshold;         /* responders: the definition; or NULL */
    const char *const *categories; /* distribution: ordered labels */
    int n_categories;
    const mn_evidence_timepoint *timepoints;
    int n_timepoints;
    const char *notes; /* or NULL */
} mn_evidence_endpoint;

typedef struct {
    const char *id;
    int control;             /* untreated or sham: no protocol */
    int comparator;          /* an active treatment that is not needling: no protocol */
    const char *description; /* or NULL */
    int has_protocol;
    const char *device;        /* as published, or NULL */
    const char *device_class;  /* "pen", "roller", "stamp", "array", or NULL */
    double needle_mm;          /* NaN if not published */
    double needle_mm_range[2]; /* NaN if not published */
    int passes;                /* 0 if not published */
    int sessions;              /* 0 if not published (see sessions_range) */
    int sessions_range[2];     /* 0 if not published */
    double sessions_mean;      /* NaN if not published */
    double interval_days;      /* NaN if not published */
    const char *const *adjuncts;
    int n_adjuncts;
} mn_evidence_arm;

typedef struct {
    int n;                                 /* enrolled; 0 if not given in what was read */
    int n_analysed;                        /* 0 if not given */
    double age_mean, age_sd, age_range[2]; /* years; NaN if not given */
    int female, male;                      /* -1 if not given */
    unsigned phototypes;                   /* bit k-1 set: Fitzpatrick type k included */
    const char *species;                   /* animal designs; or NULL */
} mn_evidence_population;

typedef struct {
    const char *id;
    const char *source; /* where it was read: "(embedded) data/evidence/x.json" or a path */
    int user;           /* 1 if it came from the user's directory */
    const char *citation;
    const char *doi, *pmid, *url; /* each may be NULL, not all three */
    mn_evidence_role role;
    const char *design; /* "split-face", "rct", "case-series", "cohort", "within-subject",
                           "animal" */
    mn_evidence_population population;
    const char *concern; /* a concern id, "none" or "mixed" */
    const char *site;    /* or NULL */
    const mn_evidence_arm *arms;
    int n_arms;
    const mn_evidence_endpoint *endpoints;
    int n_endpoints;
    const char *verified; /* "full text", "abstract only", "secondary" */
    const char *const *unverified;
    int n_unverified;
    const char *notes; /* or NULL */
} mn_evidence_study;

/** A set of studies (opaque). */
typedef struct mn_evidence mn_evidence;

/**
 * Loads the bundled studies (embedded at build time) and, when @p user_dir is not NULL, every
 * `*.json` file in it (each must be named after its id: `mystudy.json` holds `"id":
 * "mystudy"`). Ids must be unique over both. The concern ids are checked against the
 * context's catalogue.
 * @param ctx       a context (its catalogue is used; errors are recorded on it).
 * @param user_dir  a directory of study files, or NULL for the bundled studies alone.
 * @param out       receives the set; free with mn_evidence_free().
 * @return MN_OK; MN_EINVAL (not a directory, no study file in it, cannot open a file),
 *         MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND (unknown concern, arm or key value),
 *         MN_ELIMIT (too many studies or elements), MN_ENOMEM. On failure *out is NULL and
 *         the message names the file and the JSON path.
 */
mn_status mn_evidence_load(mn_ctx *ctx, const char *user_dir, mn_evidence **out);

/** An empty set, to which mn_evidence_parse() adds studies. @return MN_OK or MN_ENOMEM. */
mn_status mn_evidence_create(mn_ctx *ctx, mn_evidence **out);

/**
 * Validates one study from text in memory and adds it to @p ev (as a user's study). On
 * failure @p ev is unchanged.
 * @param src  the name used in messages ("mystudy.json").
 * @return as mn_evidence_load(), and MN_EINVAL for a NULL argument.
 */
mn_status mn_evidence_parse(mn_ctx *ctx, mn_evidence *ev, const char *src, const char *text,
                            size_t len);

/** Frees a set (NULL is allowed). Every pointer into it becomes invalid. */
void mn_evidence_free(mn_evidence *ev);

/** Number of studies (0 for NULL). */
size_t mn_evidence_count(const mn_evidence *ev);

/** Study @p i (0 <= i < count), in load order: bundled by id, then the user's by file name. */
const mn_evidence_study *mn_evidence_at(const mn_evidence *ev, size_t i);

/** The study with this id, or NULL. */
const mn_evidence_study *mn_evidence_find(const mn_evidence *ev, const char *id);

/** Names as written in the files: "calibration", "histology", "pct_change", ... */
const char *mn_evidence_role_name(mn_evidence_role role);
const char *mn_evidence_family_name(mn_evidence_family family);
const char *mn_evidence_quantity_name(mn_evidence_quantity quantity);

/**
 * What the healing model predicts a study would have published for one endpoint at one time
 * point, for a virtual trial of the same design and size (docs/models/observation.md).
 */
typedef struct {
    int applies;         /* 0: no observation model for this endpoint (why_not says why) */
    const char *why_not; /* static text, or NULL */
    int n;               /* patients per virtual trial (the published n) */
    int day;             /* day from the first session the states were read on */
    int n_trials;        /* virtual trials behind the interval */
    int counted;         /* 1: the statistic is a count (or % of n), 0: a mean or median */
    double median;       /* median of the statistic over the virtual trials */
    double lo, hi;       /* its 5th and 95th percentiles: the 90 % prediction interval */
    double observed;     /* the published value it compares with */
} mn_evidence_prediction;

/**
 * Runs the observation model of @p endpoint (index into the study's endpoints) at
 * @p timepoint: @p n_trials virtual trials of the study's size, patients drawn from its
 * population with the healing model's per-person variability, each patient's states mapped to
 * the endpoint's scale with rater noise, and the published statistic computed per trial.
 * Deterministic for a given @p seed. Endpoints without a map (scale, quantity, concern, site or
 * protocol the model cannot represent) give applies = 0 and the reason, with MN_OK.
 * @param n_trials  10-100000 (a few hundred give the interval to about a percentile).
 * @return MN_OK; MN_EINVAL (NULL or out-of-range arguments); MN_ENOMEM; errors of
 *         mn_healing_run().
 * Thread-safety: re-entrant with one context per thread.
 */
mn_status mn_evidence_observe(mn_ctx *ctx, const mn_evidence_study *s, int endpoint, int timepoint,
                              int n_trials, uint64_t seed, mn_evidence_prediction *out);

/** As mn_evidence_observe(), with the healing model's constants @p params (NULL: the library's
 *  defaults; e.g. a posterior draw, mn_posterior_params()). */
mn_status mn_evidence_observe_params(mn_ctx *ctx, const mn_evidence_study *s, int endpoint,
                                     int timepoint, int n_trials, uint64_t seed,
                                     const mn_healing_params *params, mn_evidence_prediction *out);

/*
 * The likelihood of the evidence given the healing model's constants: how probable each
 * study's published summary is for a trial of its design and size had its patients followed
 * the model (docs/models/observation.md, "Likelihood"). The calibration (scripts/calibrate/)
 * samples the posterior with it.
 */
typedef struct {
    int patients;  /* virtual patients per endpoint and time point (64; 2-2000) */
    uint64_t seed; /* their draws: the same patients for every call (a fixed default), so the
                      likelihood is a smooth, deterministic function of the constants */
    mn_evidence_role role; /* the studies of this role (MN_EVIDENCE_CALIBRATION) */
    int all_roles;         /* 1: every study, whatever its role */
} mn_evidence_loglik_options;

/** Fills the defaults given beside each field. */
void mn_evidence_loglik_options_init(mn_evidence_loglik_options *o);

/** One endpoint at one time point of the likelihood. */
typedef struct {
    const mn_evidence_study *study;
    int endpoint, timepoint; /* indices into the study */
    int applies;             /* 0: no observation model (why_not says why); not in the sum */
    const char *why_not;     /* static text, or NULL */
    int n, day;              /* the trial's size and the day read (from the first session) */
    int counted;             /* 1: a count, % of n, or counts per category */
    double loglik;           /* its log likelihood (natural log); with a between-study
                                spread (the constant study_sd_log > 0) the study's
                                responsiveness integrated out for this term alone: the sum
                                integrates it over the study's terms together, so for a
                                study of several such terms it is not their sum */
    double predicted;        /* the statistic's expected value for a trial of size n in a
                                study of typical responsiveness (for
                                categories: % of patients in the listed categories) */
    double spread;           /* its sampling sd for a trial of size n (NaN for categories) */
    double observed;         /* the published value, same unit */
    int healing_runs;        /* the healing model's runs behind the term: one per virtual
                                patient, two for a paired comparison, none for the closed forms
                                (channel closure, redness in hours, PIH counts) */
} mn_evidence_loglik_term;

/**
 * The log likelihood of the studies of @p ev selected by @p opts (the calibration studies by
 * default) given the constants @p params (NULL: the library's defaults): the sum over every
 * endpoint and time point that has an observation model. Deterministic for given options.
 * @param opts      NULL for the defaults.
 * @param loglik    receives the sum (natural log).
 * @param terms     caller's array of @p max_terms, filled in study, endpoint, time point order
 *                  (including those that do not apply); may be NULL when max_terms is 0.
 * @param n_terms   receives how many terms there are (may exceed max_terms); may be NULL.
 * @return MN_OK; MN_EINVAL (NULL or out-of-range arguments, an unfilled @p params);
 *         MN_ENOMEM; MN_ENUMERIC (a non-finite term: constants far outside any sense).
 * Cost: the terms' healing_runs, about patients per mapped endpoint and time point
 * (bench/bench_loglik.c).
 * Thread-safety: re-entrant with one context per thread.
 */
mn_status mn_evidence_loglik(mn_ctx *ctx, const mn_evidence *ev, const mn_healing_params *params,
                             const mn_evidence_loglik_options *opts, double *loglik,
                             mn_evidence_loglik_term *terms, int max_terms, int *n_terms);

/** As mn_evidence_observe(), each virtual trial taking its parameters from a draw of @p post
 *  (a posterior file loaded with mn_posterior_load(): a user's fit), its rows chosen by the
 *  rule the bundled posterior's are; @p post NULL is mn_evidence_observe() itself. */
mn_status mn_evidence_observe_posterior(mn_ctx *ctx, const mn_evidence_study *s, int endpoint,
                                        int timepoint, int n_trials, uint64_t seed,
                                        const mn_posterior *post, mn_evidence_prediction *out);

/** One row of a validation: one endpoint of one validation study at one time point. */
typedef struct {
    const mn_evidence_study *study; /* borrowed from the set */
    int endpoint, timepoint;        /* indices into the study */
    mn_evidence_prediction pred;    /* pred.applies 0: not checked (pred.why_not) */
    int inside;                     /* 1: the observed value lies in [pred.lo, pred.hi] */
} mn_validation_row;

/** The model against every validation study (mneedle validate, docs/validation.md). */
typedef struct {
    mn_validation_row *rows; /* owned; free with mn_validation_release() */
    int n_rows;
    int n_studies; /* validation studies in the set */
    int n_checked; /* rows with a prediction */
    int n_inside;  /* of those, observed inside the 90 % interval */
    int n_trials;  /* virtual trials behind each interval */
    uint64_t seed;
    const char *posterior_file; /* where the parameter draws came from, for the report: NULL
                                   the bundled posterior; set by the caller of
                                   mn_evidence_validate_posterior() (not owned) */
} mn_validation;

/**
 * Runs every time point of every endpoint of every `validation` study of @p ev through its
 * observation model (mn_evidence_observe(): median and 90 % interval for a trial of that size)
 * and marks whether the published value lies inside. Baselines (day 0 from the first session)
 * are skipped: there is nothing to predict. Rows whose endpoint has no map stay, unchecked,
 * with the reason. Calibration studies are never included.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM; errors of mn_evidence_observe(). On failure *out is
 *         zeroed.
 */
mn_status mn_evidence_validate(mn_ctx *ctx, const mn_evidence *ev, int n_trials, uint64_t seed,
                               mn_validation *out);

/** As mn_evidence_validate(), each virtual trial's parameters a draw of @p post
 *  (mn_evidence_observe_posterior(); NULL: the bundled posterior), so that a fit of one's own
 *  is validated before it replaces the bundled one. out->posterior_file is left NULL: a caller
 *  that loaded @p post from a file names it there for the report. */
mn_status mn_evidence_validate_posterior(mn_ctx *ctx, const mn_evidence *ev,
                                         const mn_posterior *post, int n_trials, uint64_t seed,
                                         mn_validation *out);

/** Frees a validation's rows (NULL-safe) and zeroes it. */
void mn_validation_release(mn_validation *v);

/** Virtual trials and seed `mneedle validate` uses (so docs/validation.md is reproducible). */
#define MN_VALIDATE_TRIALS 400
#define MN_VALIDATE_SEED   20240101u

/**
 * The longest follow-up in @p ev: the most days after the last session of a needling arm at
 * which a clinical scale or histology was measured (time points given from the first session
 * count when the study publishes its sessions and interval, so the course's length is known).
 * Beyond it, how long a result lasts is the model's extrapolation, not something a study saw.
 * @param study_id  receives the id of the study that measured it (may be NULL).
 * @return days, or -1 when no study measured after a course.
 */
int mn_evidence_longest_followup_days(const mn_evidence *ev, const char **study_id);

/**
 * mn_evidence_longest_followup_days() of the bundled evidence, found once per process and kept
 * (the bundled studies never change; nothing allocated is kept).
 * @param days      receives the days (0: not known, e.g. when a catalogue given with --data
 *                  lacks a concern the bundled studies name).
 * @param study_id  receives the study's id (static storage) or NULL.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM.
 * Thread-safety: safe from any thread.
 */
mn_status mn_evidence_bundled_followup(mn_ctx *ctx, int *days, const char **study_id);

/**
 * The largest change in papillary collagen (@p epidermal 0) or in the epidermis (1) any human
 * study in @p ev published as a histometric % change after needling (a mean, or the one value
 * published, exact or a lower bound): above it, a
 * simulated change is the model's extrapolation. An endpoint is epidermal when its id or notes
 * say "epiderm", as the observation model reads it (docs/models/observation.md).
 * @param study_id  receives the id of the study that measured it (may be NULL).
 * @return the % change, or -1 when no human study published one.
 */
double mn_evidence_largest_change_pct(const mn_evidence *ev, int epidermal, const char **study_id);

/**
 * mn_evidence_largest_change_pct() of the bundled evidence, found once per process and kept.
 * @param pct       receives the % change (-1: none published or not known).
 * @param study_id  receives the study's id (static storage) or NULL.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM.
 * Thread-safety: safe from any thread.
 */
mn_status mn_evidence_bundled_largest_change(mn_ctx *ctx, int epidermal, double *pct,
                                             const char **study_id);

/**
 * The shallowest needle length any human study of @p concern in @p ev used, on an arm that
 * publishes it (its needle length, or the low end of its range): below it, a projection for the
 * concern runs the model's dose response at depths no study of that concern measured.
 * @param study_id  receives the id of the study that used it (may be NULL).
 * @return mm, or -1 when no study of the concern publishes a needle length.
 */
double mn_evidence_shallowest_needle_mm(const mn_evidence *ev, const char *concern,
                                        const char **study_id);

/**
 * mn_evidence_shallowest_needle_mm() of the bundled evidence, found once per process for every
 * concern its studies name and kept (nothing allocated is kept).
 * @param mm        receives the needle length in mm (-1: no study of the concern publishes one,
 *                  or not known, as for mn_evidence_bundled_followup()).
 * @param study_id  receives the study's id (static storage) or NULL.
 * @return MN_OK; MN_EINVAL; MN_ENOMEM.
 * Thread-safety: safe from any thread.
 */
mn_status mn_evidence_bundled_shallowest(mn_ctx *ctx, const char *concern, double *mm,
                                         const char **study_id);

/**
 * How text a reader sees names study @p s, never by its id: from its citation, the first
 * author's surname and the year ("Ablon 2018", "Alster and Li 2020", "Aust et al. 2008") when
 * the citation opens with its authors ("Surname INITIALS, ..., et al."), else the title it
 * opens with, in quotes and cut at a word past 90 characters, and the year in brackets. The
 * year is the first from 1900 to 2099 after the authors (or anywhere, after a title).
 * @return buf (NUL-terminated; "" for @p s NULL).
 */
const char *mn_evidence_cite(const mn_evidence_study *s, char *buf, size_t size);

/**
 * mn_evidence_cite() of the bundled study @p study_id, one of the ids the mn_evidence_bundled_*
 * functions give (they load the bundled evidence first).
 * @return static storage: the study's name for a reader, or "a study in the evidence base"
 *         when @p study_id is NULL, empty or not a bundled study. Never NULL.
 * Thread-safety: safe from any thread.
 */
const char *mn_evidence_bundled_cite(const char *study_id);

/**
 * How many human studies (design other than "animal") of @p concern @p ev holds. None: a
 * projection for the concern is the collagen model with the catalogue's judged response weight
 * for it, not a response any study measured.
 * @return the count; 0 for a concern no study names, or @p concern NULL.
 */
int mn_evidence_count_studies(const mn_evidence *ev, const char *concern);

/**
 * mn_evidence_count_studies() of the bundled evidence, found once per process for every concern
 * its studies name and kept (a concern they never name has 0).
 * @param n  receives the count (-1: not known, as for mn_evidence_bundled_followup()).
 * @return MN_OK; MN_EINVAL; MN_ENOMEM.
 * Thread-safety: safe from any thread.
 */
mn_status mn_evidence_bundled_studies(mn_ctx *ctx, const char *concern, int *n);

/** How the bundled model fares against the bundled validation studies: the counts
 * `mneedle validate` gives (docs/validation.md), kept in data/posterior/healing-validation.json
 * (tests/cli/validate.sh checks that they are the command's), so a projection can say how far
 * its figures have been borne out without running the validation. */
typedef struct {
    int checked; /* endpoint time points checked */
    int inside;  /* inside the model's 90 % interval */
    int worse;   /* misses whose published result is worse than the interval: it promised more */
    int better;  /* misses whose published result is better: it promised less */
    int studies; /* validation studies the checked time points come from */
    int efficacy_checked; /* of those checked, the efficacy results (histology, clinical scales,
                             depth or pass comparisons; the rest are safety and recovery) */
    int efficacy_inside;  /* of those, inside the interval */
} mn_validation_summary;

/**
 * Reads the bundled validation summary (embedded at build time).
 * @return MN_OK; MN_EINVAL (NULL out); MN_ENOTFOUND (none bundled); an input error (malformed:
 *         the message names the file and the JSON path).
 * Thread-safety: safe from any thread (one context per thread).
 */
mn_status mn_evidence_validation_summary(mn_ctx *ctx, mn_validation_summary *out);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
