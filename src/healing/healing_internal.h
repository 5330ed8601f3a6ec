/*
 * Healing internals shared by the model, its integrators, the projection and the calibration
 * tool (scripts/calibrate/). Equations: model.c; parameters and their sources: params.c; the
 * matrix exponential: expm.c.
 */
#ifndef MN_HEALING_INTERNAL_H
#define MN_HEALING_INTERNAL_H

#include "core/internal.h"
#include "mneedle/healing.h"
#include "mneedle/posterior.h"

/* States of the per-zone cascade, ordered so that each depends only on earlier ones (the rate
 * matrix is lower triangular). All are relative to the zone's day-0 content. */
enum {
    MN__H_INJURY,     /* injury signal (DAMPs, platelets) */
    MN__H_INFLAM,     /* inflammation; erythema is a saturating function of it */
    MN__H_BARRIER,    /* open fraction of the latest session's channels */
    MN__H_EPI_WOUND,  /* un-renewed fraction of the latest session's epidermal defects */
    MN__H_GROWTH,     /* growth-factor signal reaching the dermis */
    MN__H_FIB_ACTIVE, /* activated, proliferating fibroblasts */
    MN__H_FIB_MATRIX, /* matrix-producing fibroblasts */
    MN__H_COL3,       /* new collagen III */
    MN__H_COL1_YOUNG, /* young (not yet cross-linked) collagen I */
    MN__H_COL1_LONG,  /* long-lived collagen I */
    MN__H_EPI_THICK,  /* epidermal thickening */
    MN__H_NSTATE
};

/* The model's constants; mn__healing_params_default() holds the calibrated values. */
typedef struct {
    double injury_half_life_d;
    double erythema_tau_d;
    double erythema_half_sat;
    double epi_renewal_rate_d;
    double growth_half_life_d;
    double fib_active_tau_d;
    double fib_matrix_tau_d;
    double col3_tau_d;
    double col3_mature_fraction;
    double col1_young_tau_d;
    double col1_long_fraction;
    double col1_long_half_life_y;
    double epi_turnover_tau_d;
    double epi_gain;
    double reticular_weight;
    double injury_reach_um;
    double ref_papillary_um;
    double dose_half_sat;
    double response_max;
    double response_age_loss_per_decade;
    double smoker_response;
    double smoker_degradation;
    double synthesis_age_loss_per_decade;
    double degradation_age_gain_per_decade;
    double uv_degradation[3];
    double col3_visible_weight;
    double improvement_scale;
    double study_sd_log;      /* read by the observation models only (src/evidence/observe.c) */
    double rating_offset_pct; /* likewise */
} mn__healing_params;

void mn__healing_params_default(mn__healing_params *p);

/* The internal set of a caller's public one (NULL: the defaults). Returns -1, leaving @p out
 * untouched, when @p p was not filled by mn_healing_params_default(). */
int mn__healing_params_from(const mn_healing_params *p, mn__healing_params *out);

/* mn_healing_band() with the model's constants @p par (NULL: the defaults). */
mn_status mn__healing_band_params(mn_ctx *ctx, const mn_healing_params *par,
                                  const mn_healing_scenario *sc, const int *report_days,
                                  int n_report, int draws, uint64_t seed, double q_lo, double q_hi,
                                  double *low_pct, double *high_pct);

/* Log-normal sd of the per-person response gain (mn_healing_variability.response_gain; its
 * sources in healing.h): shared by the variability draws and the projection's quick band. */
#define MN__RESPONSE_GAIN_SD_LOG 0.35
/* Log-normal sd of the per-person severity of the concern (severity_scale, healing.h). */
#define MN__SEVERITY_SD_LOG 0.8

/* Runs with explicit parameters (the calibration tool varies them). Same contract as
 * mn_healing_run(). */
mn_status mn__healing_run_params(mn_ctx *ctx, const mn__healing_params *par,
                                 const mn_healing_scenario *sc, const mn_healing_variability *var,
                                 const mn_healing_options *opts, const int *report_days,
                                 int n_report, mn_healing_sample *samples,
                                 mn_healing_summary *summary);

/* As mn__healing_run_params() with default options and no samples, writing for every day
 * 0..horizon the visible collagen the sessions added (v3 C3 + Cy + CL, a fraction of day-0
 * papillary collagen) into @p added and the untreated twin's change (C(t)/C(0) - 1) into
 * @p twin (either may be NULL), for the person @p var (NULL: the typical person). Used by the
 * projection, which superposes sessions. */
mn_status mn__healing_series(mn_ctx *ctx, const mn__healing_params *par,
                             const mn_healing_scenario *sc, const mn_healing_variability *var,
                             double *added, double *twin);

/* As mn__healing_series() for the person @p var (NULL: the typical person), also filling
 * @p summary when not NULL (the search past the horizon included). */
mn_status mn__healing_series_var(mn_ctx *ctx, const mn__healing_params *par,
                                 const mn_healing_scenario *sc, const mn_healing_variability *var,
                                 double *added, double *twin, mn_healing_summary *summary);

/* Adds the warning interval_below_concern_minimum to @p w when some of the @p n sessions (in
 * day order) are closer than @p concern's min_interval_days: one warning, at the first such
 * session, counting them all, naming @p src and the path @p array_path[i] (then .@p key unless
 * @p key is NULL). Shared by the readers of healing scenarios and trials, so both say the same. */
void mn__healing_interval_warn(const mn_healing_session *sessions, size_t n,
                               const mn_concern *concern, const char *src, const char *array_path,
                               const char *key, mn_warnings *w);

/* Validates a scenario as mn_healing_run() does (model.c): zone and concern, the patient's
 * ranges, the horizon, the sessions (device, day order, needle in the device's range, passes);
 * the message on @p ctx (may be NULL) names the field. */
mn_status mn__healing_check_scenario(mn_ctx *ctx, const mn_healing_scenario *sc);

/* Peak redness (mn_healing_session_erythema) of the PIH law's reference session, a 1.5 mm
 * 192-needle roller x 15 passes on a 35-year-old's cheek (pih.c; test_cohort recomputes it). */
#define MN__PIH_REF_ERYTHEMA 0.176
/* Log-normal sd of a person's PIH susceptibility (mean 1) [ASSUMPTION, pih.c]. */
#define MN__PIH_SUSCEPT_SD_LOG 0.7

/* A chance of PIH (0-1) as a percentage the way every output writes it, to one significant
 * figure ("0.3", "5", "20"), the precision the law's factor-of-two band supports, so
 * `simulate` and the plan give the same figure in the same digits. Writes into @p buf (@p n
 * bytes) and returns it. */
const char *mn__pih_percent_str(double probability, char *buf, size_t n);

/* Nonzero when the bundled study @p id is one whose PIH counts or reports set the PIH law
 * (pih.c): its PIH endpoints cannot validate the law. */
int mn__pih_law_source(const char *id);

/* The per-session PIH probability of session @p s for person @p p with inflammation
 * multiplier @p inflammation_scale and susceptibility @p susceptibility (pih.c: the law, its
 * evidence and assumptions). */
double mn__healing_pih_probability(const mn_healing_session *s, const mn_site *zone,
                                   const mn_patient *p, double inflammation_scale,
                                   double susceptibility);

/* Hours of visible redness after session @p s given from rest to the person @p v (and
 * @p patient) with the constants @p par: the time after the session at which its erythema
 * index I/(I + I_half) falls back below the visible level (model.c, ERYTHEMA_SEEN), from the
 * closed form of the injury-inflammation pair (no day grid); 0 when it never reaches it.
 * docs/models/observation.md states the map that reads it. @return -1 for a session that
 * cannot be evaluated. */
double mn__healing_redness_hours(const mn__healing_params *par, const mn_healing_session *s,
                                 const mn_site *zone, const mn_patient *patient,
                                 const mn_healing_variability *v);

/* Parameter draw @p k of the stream @p seed (draws.c): the model's parameters for one virtual
 * person of a band. Every band and range takes its parameters from here, so switching the
 * source (point values, prior, posterior) happens in one function: today a row of the bundled
 * posterior (data/posterior/healing.json), the first draws of a stream each a different row,
 * the same seed always the same rows. @p ctx may be NULL.
 * @return MN_OK; MN_ENOMEM (the rows are built on first use). */
mn_status mn__healing_param_draw(mn_ctx *ctx, uint64_t seed, uint64_t k, mn__healing_params *par);
/* As mn__healing_param_draw(), the rows those of @p post (the same rule), or of the bundled
 * posterior when @p post is NULL. MN_EINVAL for a posterior without draws. */
mn_status mn__healing_param_draw_from(mn_ctx *ctx, const mn_posterior *post, uint64_t seed,
                                      uint64_t k, mn__healing_params *par);

/* How many distinct parameter draws mn__healing_param_draw() has (0 when no posterior is
 * bundled and every draw holds the library's defaults: no parameter uncertainty in the
 * ranges), -1 out of memory; @p source (may be NULL) receives where they came from. */
int mn__healing_param_draws(mn_ctx *ctx, mn_posterior_source *source);

/* The collagen-III injection (G) one session gives this person at @p age_y, typical
 * multipliers: the amplitude by which the session's collagen response scales. */
double mn__healing_session_response(const mn__healing_params *par, const mn_healing_session *s,
                                    const mn_site *zone, const mn_patient *patient, double age_y);
/* The same for a person whose effective channel depth is @p depth_scale times the typical
 * (mn_healing_variability.depth_fraction_scale); the person's response gain multiplies every
 * session alike, so it is left out here too. */
double mn__healing_session_response_scaled(const mn__healing_params *par,
                                           const mn_healing_session *s, const mn_site *zone,
                                           const mn_patient *patient, double age_y,
                                           double depth_scale);

/* 1 when session @p s reaches the dermis of @p zone in @p patient, for a person whose effective
 * channel depth is @p depth_scale times the typical: its dermal dose (mn_healing_dermal_dose)
 * is above 0; otherwise 0 (the needle stays in the epidermis, or the skin's layers are not
 * known). mn_healing_project refuses a course whose last session does not (MN_ERANGE). */
int mn__healing_reaches_dermis(const mn__healing_params *par, const mn_healing_session *s,
                               const mn_site *zone, const mn_patient *patient, double depth_scale);
/* The same test as mn_healing_project makes it of a course whose last session is @p last, with
 * the constants and person of @p opts (NULL: the defaults and the typical person), so a caller
 * given its MN_ERANGE can tell an epidermis-only setting (0) from the model's other refusals.
 * 1 for arguments that mn_healing_project refuses first (NULL, constants not filled). */
int mn__healing_project_reaches_dermis(const mn_patient *patient, const mn_site *zone,
                                       const mn_device *device, const mn_course_session *last,
                                       const mn_projection_options *opts);

/* With the longest maintenance bound binding (interval_bound_side +1), whether the model's own
 * interval (interval_unbounded_days, searched past the bound) is no longer than the interval
 * chosen: the course then holds the target just to the bound and no further, so the bound and
 * the model agree, and no output may call the bound "not the model's need". */
int mn__healing_bound_agrees(int unbounded_days, int chosen_days);

/* Untreated dermal collagen at @p age_y relative to the level at 25 y, for a person of this
 * lifestyle and site (the twin's ageing law, exposed for tests and calibration). */
double mn__healing_untreated_collagen(const mn__healing_params *par, const mn_patient *patient,
                                      const mn_site *zone, double ageing_rate, double age_y);

/* The improvement (% of baseline severity) at visible collagen change @p x for a concern of
 * response weight @p weight in a person whose concern needs @p severity times the typical
 * collagen (mn_healing_variability.severity_scale): 100 w x / (w x + x_c severity) above 0,
 * continued linearly below (worse than before treatment), floored at -100 (model.c). */
double mn__healing_improvement(const mn__healing_params *par, double weight, double severity,
                               double x);

/* The collagen-response gain of a person at @p age_y (1 at 25 y for a non-smoker). */
double mn__healing_response_gain(const mn__healing_params *par, const mn_patient *patient,
                                 double age_y);

/* The per-person linear system: rates (per day) and the couplings, x' = A x. */
typedef struct {
    double a[MN__H_NSTATE][MN__H_NSTATE];
} mn__healing_matrix;

/* A dense N x N matrix of the cascade; the propagators keep only its lower triangle. */
typedef double mn__healing_mat[MN__H_NSTATE][MN__H_NSTATE];

/* c = a b for lower-triangular a and b (c lower triangular, its upper part zeroed). @p c must
 * not alias @p a or @p b. */
void mn__healing_tri_mul(mn__healing_mat a, mn__healing_mat b, mn__healing_mat c);

/* out = exp(A h) for lower-triangular @p A and step @p h (days); relative error < 1e-13
 * (expm.c names the method). @p out must not alias @p A. */
void mn__healing_expm(mn__healing_mat A, double h, mn__healing_mat out);

/* The reference integrator: advances x' = A x from t0 to t1 (days) with CVODE. A handle
 * keeps CVODE's memory across calls so resets at sessions are cheap. */
typedef struct mn__healing_cvode mn__healing_cvode;
mn_status mn__healing_cvode_create(mn_ctx *ctx, const mn__healing_matrix *m, double rtol,
                                   mn__healing_cvode **out);
/* Sets the state at time t (after a session's jump). */
mn_status mn__healing_cvode_reset(mn__healing_cvode *cv, double t, const double *x);
mn_status mn__healing_cvode_advance(mn_ctx *ctx, mn__healing_cvode *cv, double t1, double *x);
void mn__healing_cvode_free(mn__healing_cvode *cv);

#endif
