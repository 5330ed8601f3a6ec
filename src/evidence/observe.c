/*
 * Observation models: what a published study would have measured, on its own scale, had its
 * patients followed the healing model. docs/models/observation.md states each map and its
 * noise; in short, for one endpoint and time point:
 *
 * 1. The virtual trial. The study's arm becomes a course for the healing model: its device
 *    class (pen: SkinPen; roller: the 192-needle roller), needle length (or the middle of the
 *    published range, or the middle of the concern's usual face/body range), passes (or the
 *    usual technique: 3 for a pen, 15 for a roller), sessions (or the mean, or the middle of
 *    the range) and interval; the site ("face" is the cheek); n patients drawn from the
 *    published population (age range or mean and SD, phototypes, share of women), each with
 *    the healing model's per-person variability.
 * 2. Each patient's states on the time point's day map to the scale, with rater noise:
 *      pct_improvement, patient_rating   improvement_pct + N(0, 12), within 0-100
 *      quartile_improvement (responders) the same rating against the endpoint's threshold
 *      goodman_baron_qualitative          grades improved: (3 - 1) x improvement/100 + N(0, 0.4)
 *      goodman_baron_quantitative         points fallen: baseline x improvement/100 + N(0, 2),
 *                                         baseline the published day-0 mean, else 14 (a
 *                                         level: the baseline less that, baseline needed)
 *      histometry_pct_change              collagen (or, for an epidermal endpoint, epidermis)
 *                                         change % + N(0, 10)
 *      erythema_days                      the model's days of visible redness after a session
 *      gais (responders)                  rated improvement + N(0, 12) >= 25 %: "improved"
 *      wrinkle_grade                      grades fallen: (baseline, else 3) x improvement/100
 *                                         + N(0, 0.5); change = -fallen; responders: >= 1
 *                                         whole grade
 *      scar_score                         an unnamed severity score: baseline x improvement/100
 *                                         + N(0, 0.15 baseline) fallen (baseline needed)
 *      pih_count                          patients with PIH over the course: per session the
 *                                         PIH law (healing/pih.c) of the session's settings,
 *                                         phototype, inflammation and susceptibility
 *      masi, gais levels                  not mapped, with the reason (pigment has no collagen
 *                                         projection; a GAIS level needs its coding)
 *    Each virtual trial takes one parameter draw (healing/draws.c), each patient a variability
 *    draw, so the interval is posterior-predictive once a posterior ships.
 * 3. The statistic the study published (a mean, a median, a count or a percentage of n) over
 *    the n patients, for n_trials virtual trials: its median and 5-95 % interval are the
 *    prediction for a trial of that size, sampling noise included.
 * Scales and quantities without a map are reported as not applying, with the reason.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/internal.h"
#include "healing/healing_internal.h"
#include "mneedle/evidence.h"
#include "mneedle/healing.h"

/* Rater and measurement noise, and the baselines assumed where a study does not publish one
 * [judgements; docs/models/observation.md gives the reasoning and ranges]. */
#define RATING_NOISE_PCT       12.0 /* a rated % improvement: raters differ by ~ a quartile */
#define GB_QUAL_BASELINE_GRADE 3.0  /* Goodman & Baron qualitative grade at enrolment */
#define GB_QUAL_NOISE_GRADES   0.4
#define GB_QUANT_BASELINE      14.0 /* Goodman & Baron quantitative score at enrolment */
#define GB_QUANT_NOISE         2.0
#define HISTOMETRY_NOISE_PCT   10.0 /* morphometry repeatability, points of % change */
#define WRINKLE_BASELINE_GRADE 3.0  /* Lemperle/wrinkle grade (0-5) at enrolment */
#define WRINKLE_NOISE_GRADES   0.5  /* raters of one wrinkle grade differ by ~half a grade */
#define GAIS_IMPROVED_PCT      25.0 /* rated improvement at which GAIS says "improved" */
#define SCORE_NOISE_FRACTION   0.15 /* a named-or-not severity score: rater sd, of baseline */
#define PEN_PASSES             3.0  /* usual pen technique (data/concerns.json passes) */
#define ROLLER_PASSES          15.0 /* usual rolling technique: ~250 punctures/cm2 (F46b) */
#define DEFAULT_AGE_MEAN       35.0 /* when a study gives no ages */
#define DEFAULT_AGE_SD         10.0
#define MAX_N                  2000 /* patients simulated per virtual trial at most */
#define MIXED_CONCERN          "fine-lines-wrinkles" /* stands in for mixed or none (below) */
#define COMPARE_DEFAULT_AFTER_DAYS                                                                 \
    30 /* a comparison "after the course": the usual final                                         \
          assessment a month after the last session */

typedef enum {
    MAP_NONE,
    MAP_RATING,
    MAP_GB_QUAL,
    MAP_GB_QUANT,
    MAP_HISTO,
    MAP_ERYTHEMA,
    MAP_GAIS,
    MAP_WRINKLE,
    MAP_SCORE,
    MAP_PIH,
    MAP_COMPARE
} map_kind;

static int has(const char *s, const char *word)
{
    return s && strstr(s, word) != NULL;
}

static double mid_range(const double r[2])
{
    return 0.5 * (r[0] + r[1]);
}

/* The first number in a responders' threshold (">= 50 % improvement", ">= 1 grade"). */
static double threshold_value(const char *t)
{
    if (!t)
        return NAN;
    for (const char *c = t; *c; c++)
        if (isdigit((unsigned char)*c))
            return strtod(c, NULL);
    return NAN;
}

/* The Student t quantile (df >= 1) by the Cornish-Fisher expansion about the normal one
 * (Abramowitz & Stegun 26.7.5; within 1 % for df >= 5); the normal quantile by
 * Acklam's rational approximation (relative error < 1.2e-9). */
static double normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -normal_quantile(1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static double t_quantile(double p, int df)
{
    double z = normal_quantile(p), z2 = z * z, n = df;
    return z + z * (z2 + 1) / (4 * n) + z * ((5 * z2 + 16) * z2 + 3) / (96 * n * n) +
           z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * n * n * n);
}

/* No prediction for this endpoint: a success with the reason recorded. */
static mn_status not_applies(mn_evidence_prediction *out, const char *why)
{
    out->applies = 0;
    out->why_not = why;
    return MN_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, int n, double q)
{
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return sorted[n - 1];
    return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

/* The study's site as a catalogue zone: "face" and facial wording are the cheek. */
static const mn_site *zone_of(const mn_catalog *cat, const mn_evidence_study *s)
{
    const mn_site *z = s->site ? mn_catalog_find_site(cat, s->site) : NULL;
    if (z)
        return z;
    if (!s->site || has(s->site, "face") || has(s->site, "cheek"))
        return mn_catalog_find_site(cat, "cheek");
    if (has(s->site, "neck"))
        return mn_catalog_find_site(cat, "neck");
    if (has(s->site, "abdomen") || has(s->site, "trunk"))
        return mn_catalog_find_site(cat, "abdomen");
    if (has(s->site, "arm"))
        return mn_catalog_find_site(cat, "upper-arm");
    if (has(s->site, "thigh"))
        return mn_catalog_find_site(cat, "thigh");
    return NULL;
}

static map_kind map_of(const mn_evidence_endpoint *e, const char **why)
{
    const char *sc = e->scale;
    mn_evidence_quantity q = e->quantity;
    *why = NULL;
    if (!strcmp(sc, "pct_improvement") || !strcmp(sc, "patient_rating") ||
        !strcmp(sc, "quartile_improvement")) {
        if (q == MN_EVIDENCE_IMPROVEMENT || q == MN_EVIDENCE_RESPONDERS)
            return MAP_RATING;
        if (q == MN_EVIDENCE_COMPARISON)
            return MAP_COMPARE;
    } else if (!strcmp(sc, "goodman_baron_qualitative")) {
        if (q == MN_EVIDENCE_IMPROVEMENT || q == MN_EVIDENCE_RESPONDERS)
            return MAP_GB_QUAL;
    } else if (!strcmp(sc, "goodman_baron_quantitative")) {
        if (q == MN_EVIDENCE_REDUCTION || q == MN_EVIDENCE_LEVEL)
            return MAP_GB_QUANT;
    } else if (!strcmp(sc, "histometry_pct_change")) {
        if (q == MN_EVIDENCE_PCT_CHANGE)
            return MAP_HISTO;
    } else if (!strcmp(sc, "erythema_days")) {
        if (q == MN_EVIDENCE_DURATION && e->unit && !strcmp(e->unit, "days"))
            return MAP_ERYTHEMA;
        if (q == MN_EVIDENCE_DURATION) {
            *why = "redness in hours: the model reads redness once a day, so it cannot resolve "
                   "a duration under a day";
            return MAP_NONE;
        }
    } else if (!strcmp(sc, "gais") || !strcmp(sc, "gais_responders")) {
        if (q == MN_EVIDENCE_RESPONDERS)
            return MAP_GAIS;
        *why = "a GAIS level needs the scale's coding (which end is better), which the study "
               "record does not give; only GAIS responders are mapped";
        return MAP_NONE;
    } else if (!strcmp(sc, "wrinkle_grade")) {
        if (q == MN_EVIDENCE_CHANGE || q == MN_EVIDENCE_REDUCTION || q == MN_EVIDENCE_RESPONDERS)
            return MAP_WRINKLE;
    } else if (!strcmp(sc, "scar_score")) {
        if (q == MN_EVIDENCE_LEVEL || q == MN_EVIDENCE_REDUCTION)
            return MAP_SCORE;
    } else if (!strcmp(sc, "pih_count")) {
        if (q == MN_EVIDENCE_EVENTS)
            return MAP_PIH;
    } else if (!strcmp(sc, "masi")) {
        *why = "MASI scores pigment: melasma does not follow dermal collagen and the model has "
               "no pigment response, so it projects no MASI";
        return MAP_NONE;
    } else {
        *why = "no observation model for this scale yet";
        return MAP_NONE;
    }
    *why = "no observation model for this quantity on this scale yet";
    return MAP_NONE;
}

/* The course of the arm, or a reason it cannot be built. */
static const char *arm_course(const mn_catalog *cat, const mn_evidence_study *s,
                              const mn_evidence_arm *a, const mn_concern *c, int one_session,
                              mn_healing_session *ss, int *n_sessions)
{
    if (!a->has_protocol)
        return "the arm has no needling protocol";
    const mn_device *d = NULL;
    double passes = a->passes > 0 ? a->passes : 0;
    if (a->device_class && !strcmp(a->device_class, "pen")) {
        d = mn_catalog_find_device(cat, "skinpen");
        passes = passes > 0 ? passes : PEN_PASSES;
    } else if (a->device_class && !strcmp(a->device_class, "roller")) {
        d = mn_catalog_find_device(cat, "dermaroller-192");
        passes = passes > 0 ? passes : ROLLER_PASSES;
    }
    if (!d)
        return "the device class is not a pen or a roller";
    double mm = a->needle_mm;
    if (!(mm > 0) && a->needle_mm_range[0] > 0)
        mm = mid_range(a->needle_mm_range);
    if (!(mm > 0)) {
        const mn_site *z = zone_of(cat, s);
        mm = mid_range(z && !z->facial ? c->body_depth_mm : c->face_depth_mm);
    }
    if (d->depth_step_mm > 0)
        mm = d->depth_step_mm * floor(mm / d->depth_step_mm + 0.5);
    mm = mm < d->depth_min_mm ? d->depth_min_mm : mm > d->depth_max_mm ? d->depth_max_mm : mm;
    int n = a->sessions;
    if (n <= 0 && a->sessions_mean > 0)
        n = (int)floor(a->sessions_mean + 0.5);
    if (n <= 0 && a->sessions_range[1] > 0)
        n = (a->sessions_range[0] + a->sessions_range[1] + 1) / 2;
    if (n <= 0 && one_session) /* redness after a session does not need the course */
        n = 1;
    if (n <= 0)
        return "the number of sessions is not published";
    if (n > 32)
        n = 32;
    double every = a->interval_days > 0 ? a->interval_days : c->interval_days;
    for (int i = 0; i < n; i++)
        ss[i] = (mn_healing_session){(int)floor(i * every + 0.5), d, mm, passes, 0};
    *n_sessions = n;
    return NULL;
}

static void draw_patient(const mn_evidence_population *pop, mn_rng *rng, mn_patient *p)
{
    double u = mn_rng_uniform(rng), z = mn_rng_normal(rng), v = mn_rng_uniform(rng);
    double w = mn_rng_uniform(rng);
    if (pop->age_range[0] > 0 && pop->age_range[1] >= pop->age_range[0])
        p->age_years = pop->age_range[0] + u * (pop->age_range[1] - pop->age_range[0]);
    else if (pop->age_mean > 0)
        p->age_years = pop->age_mean + z * (pop->age_sd > 0 ? pop->age_sd : DEFAULT_AGE_SD);
    else
        p->age_years = DEFAULT_AGE_MEAN + z * DEFAULT_AGE_SD;
    p->age_years = p->age_years < 18 ? 18 : p->age_years > 90 ? 90 : p->age_years;
    double female = pop->female >= 0 && pop->n > 0 ? (double)pop->female / pop->n : 0.8;
    p->sex = v < female ? MN_SEX_FEMALE : MN_SEX_MALE;
    int types[6], nt = 0;
    for (int k = 0; k < 6; k++)
        if (pop->phototypes & (1u << k))
            types[nt++] = k + 1;
    p->fitzpatrick = nt ? types[(int)(w * nt) < nt ? (int)(w * nt) : nt - 1] : 3;
    p->smoker = 0;
    p->sun = MN_SUN_MODERATE;
}

/* Whether a rating or grade change meets the responders' threshold. */
static int meets(double y, double thr)
{
    return y >= thr - 1e-9;
}

mn_status mn_evidence_observe(mn_ctx *ctx, const mn_evidence_study *s, int endpoint, int timepoint,
                              int n_trials, uint64_t seed, mn_evidence_prediction *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL prediction");
    memset(out, 0, sizeof *out);
    out->median = out->lo = out->hi = NAN;
    if (!ctx || !s || endpoint < 0 || endpoint >= s->n_endpoints || n_trials < 10 ||
        n_trials > 100000)
        return mn__error(ctx, MN_EINVAL, "evidence: bad observation arguments");
    const mn_evidence_endpoint *e = &s->endpoints[endpoint];
    if (timepoint < 0 || timepoint >= e->n_timepoints)
        return mn__error(ctx, MN_EINVAL, "evidence: %s/%s has no time point %d", s->id, e->id,
                         timepoint);
    const mn_evidence_timepoint *tp = &e->timepoints[timepoint];
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const char *why = NULL;
    map_kind map = map_of(e, &why);
    if (map == MAP_NONE)
        return not_applies(out, why);
    int concern_free = map == MAP_ERYTHEMA || map == MAP_HISTO || map == MAP_PIH;
    const mn_concern *c = mn_catalog_find_concern(cat, s->concern);
    /* Histology, redness and PIH do not depend on the concern (only the improvement does):
     * a study of mixed or no concern is read with the wrinkle concern's usual depth and
     * interval filling what it did not publish. */
    if (!c && concern_free)
        c = mn_catalog_find_concern(cat, MIXED_CONCERN);
    if (!c)
        return not_applies(out, "the study's concern is not one the model projects");
    if (!c->collagen_projection && !concern_free)
        return not_applies(out, "the concern does not follow dermal collagen");
    const mn_site *zone = zone_of(cat, s);
    if (!zone)
        return not_applies(out, "the study's site is not in the site atlas");
    if (e->vs_arm >= 0 && map != MAP_COMPARE)
        return not_applies(out, "between-arm quantities are not observed yet");
    mn_healing_session ss[32], ss2[32];
    int n_sessions = 0, n_sessions2 = 0;
    if ((why = arm_course(cat, s, &s->arms[e->arm], c, map == MAP_ERYTHEMA, ss, &n_sessions)))
        return not_applies(out, why);
    int last = ss[n_sessions - 1].day, day;
    if (map == MAP_COMPARE) {
        if (e->vs_arm < 0 || !s->design ||
            (strcmp(s->design, "split-face") && strcmp(s->design, "within-subject")))
            return not_applies(out, "only paired (split-face, within-subject) comparisons are "
                                    "observed");
        if (!(tp->have & MN_EVIDENCE_HAVE_SIGN) || !(tp->have & MN_EVIDENCE_HAVE_P) ||
            (tp->sign != MN_EVIDENCE_GREATER && tp->sign != MN_EVIDENCE_LESS))
            return not_applies(out, "a comparison needs a published direction and p value");
        if ((why = arm_course(cat, s, &s->arms[e->vs_arm], c, 0, ss2, &n_sessions2)))
            return not_applies(out, why);
        if (ss2[n_sessions2 - 1].day > last)
            last = ss2[n_sessions2 - 1].day;
    }
    if (map == MAP_ERYTHEMA || map == MAP_PIH) /* over the course: the day read is moot */
        day = last + 30;
    else if (map == MAP_COMPARE && tp->time == MN_EVIDENCE_TIME_UNKNOWN)
        day = last + COMPARE_DEFAULT_AFTER_DAYS;
    else if (tp->time == MN_EVIDENCE_TIME_FROM_FIRST)
        day = (int)floor(tp->time_value + 0.5);
    else if (tp->time == MN_EVIDENCE_TIME_AFTER_LAST)
        day = last + (int)floor(tp->time_value + 0.5);
    else
        return not_applies(out, "the time point's day is not known");
    if (day < 0 || day > MN_HEALING_MAX_DAYS)
        return not_applies(out, "the time point is outside the model's horizon");
    int counted = (tp->have & (MN_EVIDENCE_HAVE_COUNT | MN_EVIDENCE_HAVE_PCT)) != 0;
    int averaged =
        (tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN | MN_EVIDENCE_HAVE_VALUE)) !=
        0;
    if (!counted && !averaged && map != MAP_COMPARE)
        return not_applies(out, "no mean, median, count or percentage was published");
    double thr = threshold_value(e->threshold);
    /* GAIS "improved or better" and a wrinkle grade "improved" are the maps' own thresholds. */
    if (!(thr == thr) && map == MAP_GAIS)
        thr = GAIS_IMPROVED_PCT;
    if (!(thr == thr) && map == MAP_WRINKLE)
        thr = 1;
    if (map == MAP_PIH)
        thr = 1; /* a patient with an event */
    if (counted && !(thr == thr))
        return not_applies(out, "the responders' threshold has no number");
    int n = tp->n > 0                      ? tp->n
            : s->population.n_analysed > 0 ? s->population.n_analysed
                                           : s->population.n;
    if (n <= 0)
        return not_applies(out, "the number of patients is not published");
    n = n > MAX_N ? MAX_N : n;
    double baseline = map == MAP_WRINKLE ? WRINKLE_BASELINE_GRADE : GB_QUANT_BASELINE;
    if (map == MAP_GB_QUANT || map == MAP_WRINKLE || map == MAP_SCORE)
        for (int k = 0; k < e->n_timepoints; k++)
            if (e->timepoints[k].time == MN_EVIDENCE_TIME_FROM_FIRST &&
                e->timepoints[k].time_value == 0 && (e->timepoints[k].have & MN_EVIDENCE_HAVE_MEAN))
                baseline = e->timepoints[k].mean;
    int have_baseline = 0;
    for (int k = 0; k < e->n_timepoints; k++)
        if (e->timepoints[k].time == MN_EVIDENCE_TIME_FROM_FIRST &&
            e->timepoints[k].time_value == 0 && (e->timepoints[k].have & MN_EVIDENCE_HAVE_MEAN))
            have_baseline = 1;
    int level = (map == MAP_GB_QUANT || map == MAP_SCORE) && e->quantity == MN_EVIDENCE_LEVEL;
    if (map == MAP_SCORE && !have_baseline)
        return not_applies(out, "an unnamed score needs the published baseline");
    if (level && (!have_baseline || day == 0))
        return not_applies(out, have_baseline ? "the baseline itself"
                                              : "a level needs the published baseline");
    int epidermal = has(e->id, "epiderm") || has(e->notes, "epiderm");

    mn_status st = MN_OK;
    double *stat = mn__malloc(sizeof(double) * (size_t)n_trials);
    double *y = mn__malloc(sizeof(double) * (size_t)n);
    if (!stat || !y) {
        st = mn__error(ctx, MN_ENOMEM, "evidence: out of memory for the observation");
        goto done;
    }
    for (int t = 0; t < n_trials; t++) {
        /* One parameter draw per virtual trial, a variability draw per patient: the
         * posterior-predictive spread of what such a trial reports (healing/draws.c). */
        mn__healing_params par;
        mn__healing_param_draw(ctx, seed, (uint64_t)t, &par);
        for (int i = 0; i < n; i++) {
            mn_rng rng;
            mn_rng_init(&rng, seed, (uint64_t)t * (uint64_t)MAX_N + (uint64_t)i);
            mn_healing_scenario sc;
            draw_patient(&s->population, &rng, &sc.patient);
            mn_healing_variability v;
            mn_healing_variability_sample(&rng, &v);
            double noise = mn_rng_normal(&rng);
            sc.zone = zone;
            sc.concern = c;
            sc.sessions = ss;
            sc.n_sessions = n_sessions;
            sc.horizon_days = day > last ? day : last;
            mn_healing_sample o;
            mn_healing_summary sum;
            mn_healing_options ho;
            mn_healing_options_init(&ho);
            ho.search_limit_days = 0;
            if (map == MAP_PIH) { /* events over the course, by the PIH law (healing/pih.c) */
                double sd = MN__PIH_SUSCEPT_SD_LOG;
                double susceptibility = exp(sd * mn_rng_normal(&rng) - 0.5 * sd * sd);
                int event = 0;
                for (int k = 0; k < n_sessions; k++) {
                    mn_patient then = sc.patient;
                    then.age_years += ss[k].day / MN__DAYS_PER_YEAR;
                    double pk = mn__healing_pih_probability(&ss[k], zone, &then,
                                                            v.inflammation_scale, susceptibility);
                    event |= mn_rng_uniform(&rng) < pk;
                }
                y[i] = event;
                continue;
            }
            if ((st = mn__healing_run_params(ctx, &par, &sc, &v, &ho, &day, 1, &o,
                                             map == MAP_ERYTHEMA ? &sum : NULL)))
                goto done;
            if (map == MAP_COMPARE) { /* the same person's other side, rated separately */
                mn_healing_sample o2;
                sc.sessions = ss2;
                sc.n_sessions = n_sessions2;
                if ((st = mn__healing_run_params(ctx, &par, &sc, &v, &ho, &day, 1, &o2, NULL)))
                    goto done;
                double u1 = o.improvement_pct > 0 ? o.improvement_pct : 0;
                double u2 = o2.improvement_pct > 0 ? o2.improvement_pct : 0;
                y[i] = u1 - u2 + RATING_NOISE_PCT * (noise - mn_rng_normal(&rng));
                continue;
            }
            double u = o.improvement_pct > 0 ? o.improvement_pct : 0;
            switch (map) {
            case MAP_RATING:
                y[i] = u + RATING_NOISE_PCT * noise;
                y[i] = y[i] < 0 ? 0 : y[i] > 100 ? 100 : y[i];
                break;
            case MAP_GB_QUAL:
                y[i] = (GB_QUAL_BASELINE_GRADE - 1) * u / 100 + GB_QUAL_NOISE_GRADES * noise;
                if (counted)
                    y[i] = floor(y[i] + 0.5);
                break;
            case MAP_GB_QUANT: /* points fallen, or the level left */
                y[i] = baseline * u / 100 + GB_QUANT_NOISE * noise;
                if (level)
                    y[i] = baseline - y[i];
                break;
            case MAP_HISTO:
                y[i] = (epidermal ? o.epidermis_change_pct : o.collagen_change_pct) +
                       HISTOMETRY_NOISE_PCT * noise;
                break;
            case MAP_ERYTHEMA:
                y[i] = sum.erythema_days;
                break;
            case MAP_GAIS: /* the rated improvement, against the map's "improved" cut */
                y[i] = u + RATING_NOISE_PCT * noise;
                break;
            case MAP_WRINKLE: /* grades fallen; a change is the negative; responders: whole */
                y[i] = baseline * u / 100 + WRINKLE_NOISE_GRADES * noise;
                if (counted)
                    y[i] = floor(y[i] + 0.5);
                else if (e->quantity == MN_EVIDENCE_CHANGE)
                    y[i] = -y[i];
                break;
            case MAP_SCORE: /* a severity score falling in proportion to the improvement */
                y[i] = baseline * u / 100 + SCORE_NOISE_FRACTION * baseline * noise;
                if (level)
                    y[i] = baseline - y[i];
                break;
            default:
                y[i] = 0;
            }
        }
        if (map == MAP_COMPARE) { /* the paired t statistic of the trial */
            double m = 0, v2 = 0;
            for (int i = 0; i < n; i++)
                m += y[i];
            m /= n;
            for (int i = 0; i < n; i++)
                v2 += (y[i] - m) * (y[i] - m);
            double se = n > 1 ? sqrt(v2 / (n - 1) / n) : 0;
            stat[t] = se > 0 ? m / se : 0;
        } else if (counted) {
            int k = 0;
            for (int i = 0; i < n; i++)
                k += meets(y[i], thr);
            stat[t] = (tp->have & MN_EVIDENCE_HAVE_COUNT) ? k : 100.0 * k / n;
        } else if (!(tp->have & MN_EVIDENCE_HAVE_MEAN) && (tp->have & MN_EVIDENCE_HAVE_MEDIAN)) {
            qsort(y, (size_t)n, sizeof(double), cmp_double);
            stat[t] = n % 2 ? y[n / 2] : 0.5 * (y[n / 2 - 1] + y[n / 2]);
        } else {
            double m = 0;
            for (int i = 0; i < n; i++)
                m += y[i];
            stat[t] = m / n;
        }
    }
    qsort(stat, (size_t)n_trials, sizeof(double), cmp_double);
    out->applies = 1;
    out->n = n;
    out->day = day;
    out->n_trials = n_trials;
    out->counted = counted;
    out->median = quantile(stat, n_trials, 0.5);
    out->lo = quantile(stat, n_trials, 0.05);
    out->hi = quantile(stat, n_trials, 0.95);
    if (map == MAP_COMPARE) /* the t statistic the published direction and p imply */
        out->observed =
            (tp->sign == MN_EVIDENCE_GREATER ? 1 : -1) * t_quantile(1 - tp->p / 2, n - 1);
    else if (counted)
        out->observed = (tp->have & MN_EVIDENCE_HAVE_COUNT) ? (double)tp->count : tp->pct;
    else
        out->observed = (tp->have & MN_EVIDENCE_HAVE_MEAN)     ? tp->mean
                        : (tp->have & MN_EVIDENCE_HAVE_MEDIAN) ? tp->median
                                                               : tp->value;
done:
    mn__free(stat);
    mn__free(y);
    return st;
}

int mn_evidence_longest_followup_days(const mn_evidence *ev, const char **study_id)
{
    int best = -1;
    if (study_id)
        *study_id = NULL;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        for (int k = 0; k < s->n_endpoints; k++) {
            const mn_evidence_endpoint *e = &s->endpoints[k];
            if (e->family != MN_EVIDENCE_CLINICAL_SCALE && e->family != MN_EVIDENCE_HISTOLOGY)
                continue;
            const mn_evidence_arm *a = &s->arms[e->arm];
            if (!a->has_protocol)
                continue;
            /* The course's length, where the study says it: sessions and interval. */
            double course = NAN;
            int n = a->sessions > 0 ? a->sessions : a->sessions_range[0];
            if (n == 1)
                course = 0;
            else if (n > 1 && a->interval_days > 0)
                course = (n - 1) * a->interval_days;
            for (int t = 0; t < e->n_timepoints; t++) {
                const mn_evidence_timepoint *tp = &e->timepoints[t];
                double after = NAN;
                if (tp->time == MN_EVIDENCE_TIME_AFTER_LAST)
                    after = tp->time_value;
                else if (tp->time == MN_EVIDENCE_TIME_FROM_FIRST && course == course)
                    after = tp->time_value - course;
                if (after == after && after > best) {
                    best = (int)floor(after + 0.5);
                    if (study_id)
                        *study_id = s->id;
                }
            }
        }
    }
    return best;
}

/* The bundled evidence never changes within a process, so its follow-up is found once (the
 * planner asks for every plan). Only an int and a copy of the id are kept: nothing allocated
 * stays behind. */
static pthread_mutex_t followup_lock = PTHREAD_MUTEX_INITIALIZER;
static int followup_known;
static int followup_days_cached;
static char followup_study_cached[64];

mn_status mn_evidence_bundled_followup(mn_ctx *ctx, int *days, const char **study_id)
{
    if (!days || !study_id)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL follow-up arguments");
    *days = 0;
    *study_id = NULL;
    mn_status st = MN_OK;
    pthread_mutex_lock(&followup_lock);
    if (!followup_known) {
        mn_evidence *ev = NULL;
        st = mn_evidence_load(ctx, NULL, &ev);
        if (st == MN_OK) {
            const char *sid = NULL;
            int d = mn_evidence_longest_followup_days(ev, &sid);
            followup_days_cached = d > 0 ? d : 0;
            snprintf(followup_study_cached, sizeof followup_study_cached, "%s", sid ? sid : "");
            followup_known = 1;
        } else if (mn_status_is_input_error(st)) {
            /* A catalogue of the user's (--data) that lacks a concern the bundled studies
             * name: the follow-up is then not known, and nothing is said about it. */
            mn_ctx_clear_error(ctx);
            st = MN_OK;
        }
        mn_evidence_free(ev);
    }
    if (followup_known) {
        *days = followup_days_cached;
        *study_id = followup_study_cached[0] ? followup_study_cached : NULL;
    }
    pthread_mutex_unlock(&followup_lock);
    return st;
}
