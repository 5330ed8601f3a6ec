/*
 * Observation models: what a published study would have measured, on its own scale, had its
 * patients followed the healing model. docs/models/observation.md states each map and its
 * noise; in short, for one endpoint and time point:
 *
 * 1. The virtual trial. The study's arm becomes a course for the healing model: its device
 *    class (pen: SkinPen; roller: the 192-needle roller), needle length (or the middle of the
 *    published range, or the middle of the concern's usual face/body range), passes (or the
 *    usual technique: a pen the concern's passes, data/concerns.json, as a plan gives it; a
 *    roller its own, data/devices.json), sessions (or the mean, or the middle of
 *    the range) and interval; the site ("face" is the cheek); n patients drawn from the
 *    published population (age range or mean and SD, phototypes, share of women), each with
 *    the healing model's per-person variability.
 * 2. Each patient's states on the time point's day map to the scale, with rater noise:
 *      pct_improvement, patient_rating   improvement_pct + the global rating's offset
 *                                         (rating_offset_pct) + N(0, 12), within 0-100
 *      quartile_improvement (responders) the same rating against the endpoint's threshold
 *      goodman_baron_qualitative          grades improved: (3 - 1) x improvement/100 + N(0, 0.4);
 *                                         a level: the published day-0 mean b less
 *                                         (b - 1) x improvement/100, + N(0, 0.4), within 1-4
 *      goodman_baron_quantitative         points fallen: baseline x improvement/100 + N(0, 2),
 *                                         baseline the published day-0 mean, else 14 (a
 *                                         level: the baseline less that, baseline needed)
 *      histometry_pct_change              collagen (or, for an epidermal endpoint, epidermis)
 *                                         change % + N(0, 10)
 *      erythema_days (in days)            the model's days of visible redness after a session
 *      erythema_days (in hours)           hours after the last session until its redness falls
 *                                         below the visible level, from the closed form of the
 *                                         injury-inflammation pair (healing/model.c)
 *      tewl_recovery, pore_closure        the closure law's half-life for the person x 2.89,
 *        (impedance; in hours)            the half-lives a barrier measurement needs to read a
 *                                         site closed (F56b); not for the studies that set
 *                                         the law, nor for pores seen by dye or OCT
 *      gais (responders)                  improvement + offset + N(0, 12) >= 25 %: "improved"
 *      wrinkle_grade                      grades fallen: (baseline, else 3) x improvement/100
 *                                         + N(0, 0.5); change = -fallen; responders: >= 1
 *                                         whole grade
 *      scar_score                         an unnamed severity score: baseline x improvement/100
 *                                         + N(0, 0.15 baseline) fallen (baseline needed)
 *      ecca                               the same: a weighted sum of scar extents (0-540)
 *                                         whose fall is in proportion (baseline needed)
 *      pih_count                          patients with PIH over the course: per session the
 *                                         PIH law (healing/pih.c) of the session's settings,
 *                                         phototype, inflammation and susceptibility
 *      a paired comparison (split-face)   the trial's paired t statistic of the two sides'
 *                                         rated improvements, against the t the published
 *                                         direction and p imply
 *      masi, gais levels                  not mapped, with the reason (pigment has no collagen
 *                                         projection; a GAIS level needs its coding)
 *    Each virtual trial takes one parameter draw (healing/draws.c), each patient a variability
 *    draw, so the interval is posterior-predictive where draws.c draws from the posterior.
 * 3. The statistic the study published (a mean, a median, a count or a percentage of n) over
 *    the n patients, for n_trials virtual trials: its median and 5-95 % interval are the
 *    prediction for a trial of that size, sampling noise included.
 * Scales and quantities without a map are reported as not applying, with the reason.
 */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/internal.h"
#include "core/normal.h"
#include "core/quantile.h"
#include "device/closure.h"
#include "healing/healing_internal.h"
#include "mneedle/device.h"
#include "mneedle/evidence.h"
#include "mneedle/healing.h"

/* Rater and measurement noise, and the baselines assumed where a study does not publish one
 * [judgements; docs/models/observation.md gives the reasoning and ranges]. */
#define RATING_NOISE_PCT       12.0 /* a rated % improvement: raters differ by ~ a quartile */
#define GB_QUAL_BASELINE_GRADE 3.0  /* Goodman & Baron qualitative grade at enrolment */
#define GB_QUAL_NOISE_GRADES   0.4
/* The qualitative scale's grades (Goodman & Baron, Dermatol Surg 2006;32:1458-66): 1 macular,
 * 2 mild, 3 moderate, 4 severe; the best a treated scar can reach is 1. */
#define GB_QUAL_BEST_GRADE     1.0
#define GB_QUAL_WORST_GRADE    4.0
#define GB_QUANT_BASELINE      14.0 /* Goodman & Baron quantitative score at enrolment */
#define GB_QUANT_NOISE         2.0
#define HISTOMETRY_NOISE_PCT   10.0 /* morphometry repeatability, points of % change */
#define WRINKLE_BASELINE_GRADE 3.0  /* Lemperle/wrinkle grade (0-5) at enrolment */
#define WRINKLE_NOISE_GRADES   0.5  /* raters of one wrinkle grade differ by ~half a grade */
#define SCORE_NOISE_FRACTION   0.15 /* a named-or-not severity score: rater sd, of baseline */
#define DEFAULT_AGE_MEAN       35.0 /* when a study gives no ages */
#define DEFAULT_AGE_SD         10.0
#define MAX_N                  2000 /* patients simulated per virtual trial at most */
/* The stream of a virtual trial's responsiveness draw: above every patient's (trial t's
 * patients take t x MAX_N + i, t < 100,000). */
#define STUDY_EFFECT_STREAM 0x7374756479000000ull /* "study" */
#define MIXED_CONCERN       "fine-lines-wrinkles" /* stands in for mixed or none (below) */
/* A comparison "after the course" with no day: the usual final assessment, a month after the
 * last session [judgement]; redness and PIH are read over the course, the same month after. */
#define COURSE_READ_AFTER_DAYS 30

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
    MAP_COMPARE,
    MAP_ERYTHEMA_HOURS,
    MAP_CLOSURE
} map_kind;

static double normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static int has(const char *s, const char *word)
{
    return s && strstr(s, word) != NULL;
}

/* A histometric endpoint of the epidermis rather than the papillary collagen. */
static int epidermal_endpoint(const mn_evidence_endpoint *e)
{
    return has(e->id, "epiderm") || has(e->notes, "epiderm");
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

/* No prediction for this endpoint: a success with the reason recorded. */
static mn_status not_applies(mn_evidence_prediction *out, const char *why)
{
    out->applies = 0;
    out->why_not = why;
    return MN_OK;
}

/* The Student t quantile (df >= 1) by the Cornish-Fisher expansion about the normal one
 * (Abramowitz & Stegun 26.7.5; within 1 % for df >= 5); the normal quantile is core/normal.c's. */
static double t_quantile(double p, int df)
{
    double z = mn__normal_quantile(p), z2 = z * z, n = df;
    return z + z * (z2 + 1) / (4 * n) + z * ((5 * z2 + 16) * z2 + 3) / (96 * n * n) +
           z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * n * n * n);
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
        if (q == MN_EVIDENCE_DISTRIBUTION && strcmp(sc, "quartile_improvement")) {
            *why = "rating categories whose cut-offs the study record does not give (a VAS's "
                   "'good' or 'excellent response'): which rated improvements fall in them "
                   "cannot be derived";
            return MAP_NONE;
        }
    } else if (!strcmp(sc, "goodman_baron_qualitative")) {
        if (q == MN_EVIDENCE_IMPROVEMENT || q == MN_EVIDENCE_RESPONDERS || q == MN_EVIDENCE_LEVEL)
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
        if (q == MN_EVIDENCE_DURATION && e->unit && !strcmp(e->unit, "hours"))
            return MAP_ERYTHEMA_HOURS;
    } else if (!strcmp(sc, "tewl_recovery") || !strcmp(sc, "pore_closure")) {
        if (q == MN_EVIDENCE_DURATION && e->unit && !strcmp(e->unit, "hours"))
            return MAP_CLOSURE;
        if (q == MN_EVIDENCE_COMPARISON) {
            *why = "the barrier the model opens is the channels' area at the surface (needle "
                   "count x width, docs/models/device.md), which the study record does not give "
                   "for these arrays, and the model's surface width does not follow the needle's "
                   "length; a p published only as a bound (p < x) gives no t statistic either";
            return MAP_NONE;
        }
    } else if (!strcmp(sc, "erythema_index")) {
        *why = "redness in the model is the injury dose, the area the needles open (needle count "
               "x width) times the depth they reach; the study record gives neither count nor "
               "width for these arrays, and a p published only as a bound (p < x) gives no t "
               "statistic to compare with";
        return MAP_NONE;
    } else if (!strcmp(sc, "profilometry")) {
        *why = "a replica's micro-relief measures surface roughness at tens of micrometres, "
               "which the model does not carry: it projects dermal collagen and a concern's "
               "rated severity, and nothing in it says how much roughness a unit of collagen "
               "removes; the day of the replica is not published either";
        return MAP_NONE;
    } else if (!strcmp(sc, "gais") || !strcmp(sc, "gais_responders")) {
        if (q == MN_EVIDENCE_RESPONDERS)
            return MAP_GAIS;
        *why = "a GAIS level needs the scale's coding (which end is better), which the study "
               "record does not give; only GAIS responders are mapped";
        return MAP_NONE;
    } else if (!strcmp(sc, "wrinkle_grade")) {
        /* An "improvement" in grades is the grades fallen, as a reduction. */
        if (q == MN_EVIDENCE_CHANGE || q == MN_EVIDENCE_REDUCTION || q == MN_EVIDENCE_IMPROVEMENT ||
            q == MN_EVIDENCE_RESPONDERS)
            return MAP_WRINKLE;
    } else if (!strcmp(sc, "scar_score") || !strcmp(sc, "ecca")) {
        /* ECCA (Dreno et al., Dermatology 2007;214:46-51) weights the semi-quantitative extent
         * (0-3) of each scar type (15 for V-shaped, 20 U, 25 M, 30 elastolysis, 40 hypertrophic, 50
         * keloid or bridge): a sum of severities without a fixed enrolment level, mapped as a
         * severity score. */
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
        /* the usual pen technique for the concern (data/concerns.json passes), as a plan
         * takes it for a pen */
        passes = passes > 0 ? passes : c->passes;
    } else if (a->device_class && !strcmp(a->device_class, "roller")) {
        d = mn_catalog_find_device(cat, "dermaroller-192");
        /* the roller's usual rolling technique (data/devices.json passes, F46a) */
        passes = passes > 0 || !d ? passes : d->passes;
    }
    if (!d && a->device_class && !strcmp(a->device_class, "array"))
        return "an array's needle count and width are not in the study record, and the injury "
               "the model doses (its redness, its collagen) is the area the needles open times "
               "the depth they reach";
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

/* The band of improvement (%) a quartile category names: poor/minimal/slight 0-25, fair/
 * moderate 25-50, good 50-75, excellent/very good 75-100 (the quartile scale of
 * docs/evidence.md). Returns 0 for a label that is not one of them. */
static int category_band(const char *label, double *lo, double *hi)
{
    static const struct {
        const char *word;
        double lo, hi;
    } bands[] = {{"very good", 75, 100}, {"excellent", 75, 100}, {"good", 50, 75},
                 {"moderate", 25, 50},   {"fair", 25, 50},       {"minimal", 0, 25},
                 {"slight", 0, 25},      {"poor", 0, 25},        {"none", 0, 25}};
    for (size_t i = 0; label && i < sizeof bands / sizeof bands[0]; i++)
        if (!strcmp(label, bands[i].word)) {
            *lo = bands[i].lo;
            *hi = bands[i].hi;
            return 1;
        }
    return 0;
}

/* Everything an endpoint's observation model needs that does not depend on the patient or the
 * model's constants: the map, the course (and the other side's, for a paired comparison), the
 * day, the statistic and the scale's baseline. */
typedef struct {
    map_kind map;
    const mn_evidence_timepoint *tp;
    const mn_concern *concern;
    const mn_site *zone;
    mn_healing_session ss[32], ss2[32];
    int n_sessions, n_sessions2, last, day;
    int counted, distribution;
    int range;    /* a duration published as a range only: the typical patient lies in it */
    int occluded; /* closure: the arm's sites were occluded */
    double thr;
    int n;
    double baseline;
    int level, epidermal, change;
    /* A global rating's offset (rating_offset_pct) of the constants in use: set by the caller
     * with the constants, since the plan itself does not depend on them. */
    double offset;
} obs_plan;

static int concern_free(map_kind m)
{
    return m == MAP_ERYTHEMA || m == MAP_HISTO || m == MAP_PIH || m == MAP_ERYTHEMA_HOURS ||
           m == MAP_CLOSURE;
}

/* Builds the plan of one endpoint at one time point, or returns why there is none. */
static const char *plan_of(const mn_catalog *cat, const mn_evidence_study *s, int endpoint,
                           int timepoint, int allow_distribution, obs_plan *o)
{
    const mn_evidence_endpoint *e = &s->endpoints[endpoint];
    const mn_evidence_timepoint *tp = &e->timepoints[timepoint];
    const char *why = NULL;
    memset(o, 0, sizeof *o);
    o->tp = tp;
    int distribution = allow_distribution && e->quantity == MN_EVIDENCE_DISTRIBUTION &&
                       !strcmp(e->scale, "quartile_improvement");
    map_kind map = distribution ? MAP_RATING : map_of(e, &why);
    if (map == MAP_NONE)
        return why;
    o->map = map;
    o->distribution = distribution;
    if (s->design && !strcmp(s->design, "animal"))
        return "an animal study: the model's skin is human skin (the site atlas), and no map "
               "carries an animal's dermis or epidermis to it";
    const mn_concern *c = mn_catalog_find_concern(cat, s->concern);
    /* Histology, redness and PIH do not depend on the concern (only the improvement does):
     * a study of mixed or no concern is read with the wrinkle concern's usual depth and
     * interval filling what it did not publish. */
    if (!c && concern_free(map))
        c = mn_catalog_find_concern(cat, MIXED_CONCERN);
    if (!c && s->concern && !strcmp(s->concern, "mixed"))
        return "the study pooled concerns whose projections differ, and its record does not "
               "give their shares";
    if (!c)
        return "the study's concern is not one the model projects";
    if (!c->collagen_projection && !concern_free(map))
        return "the concern does not follow dermal collagen";
    if (c->projection_withheld && !concern_free(map))
        return "the concern's projection is withheld (projection_withheld in the concern "
               "catalogue)";
    o->concern = c;
    o->zone = zone_of(cat, s);
    if (!o->zone)
        return "the study's site is not in the site atlas";
    if (e->vs_arm >= 0 && map != MAP_COMPARE)
        return "between-arm quantities are not observed yet";
    /* A calibration study may keep its term (the law has no calibrated constant, so it moves
     * no draw); a validation study cannot check the law its count set. */
    if (map == MAP_PIH && s->role == MN_EVIDENCE_VALIDATION && mn__pih_law_source(s->id))
        return "its PIH count set the PIH law's reference rate (src/healing/pih.c; "
               "docs/models/cohort.md): a study used to set a law cannot validate it";
    if (map == MAP_CLOSURE) {
        /* The closure law has no device term: a closure time needs no course. */
        if (mn__closure_law_source(s->id))
            return "its closure times set the channel-closure law that the healing and "
                   "transport models both read (a calibration study of that law, "
                   "docs/models/device.md): a study used to set a law cannot validate it, and "
                   "the healing fit does not move the law";
        if (!strcmp(e->scale, "pore_closure") && !has(e->notes, "impedance") &&
            !has(s->notes, "impedance"))
            return "pores seen by dye or imaging close later than the barrier (kalluri2011: "
                   "12-18 h against TEWL 4-5 h in the same skin); the closure law is the "
                   "barrier's (impedance, TEWL), and nothing in the model says how much of a "
                   "channel a dye or OCT still shows";
        const mn_evidence_arm *a = &s->arms[e->arm];
        for (int k = 0; k < a->n_adjuncts; k++)
            o->occluded |= has(a->adjuncts[k], "occlu");
    } else {
        if ((why = arm_course(cat, s, &s->arms[e->arm], c,
                              map == MAP_ERYTHEMA || map == MAP_ERYTHEMA_HOURS, o->ss,
                              &o->n_sessions)))
            return why;
        o->last = o->ss[o->n_sessions - 1].day;
    }
    if (map == MAP_COMPARE) {
        if (e->vs_arm < 0 || !s->design ||
            (strcmp(s->design, "split-face") && strcmp(s->design, "within-subject")))
            return "only paired (split-face, within-subject) comparisons are observed";
        if (!(tp->have & MN_EVIDENCE_HAVE_SIGN) || !(tp->have & MN_EVIDENCE_HAVE_P) ||
            (tp->sign != MN_EVIDENCE_GREATER && tp->sign != MN_EVIDENCE_LESS))
            return "a comparison needs a published direction and p value";
        if (tp->p_below)
            return "a comparison's p published as a bound (p < x) gives no t statistic";
        if ((why = arm_course(cat, s, &s->arms[e->vs_arm], c, 0, o->ss2, &o->n_sessions2)))
            return why;
        if (o->ss2[o->n_sessions2 - 1].day > o->last)
            o->last = o->ss2[o->n_sessions2 - 1].day;
    }
    if (map == MAP_CLOSURE) /* hours after the session: no day of the course */
        o->day = 0;
    else if (map == MAP_ERYTHEMA || map == MAP_PIH || map == MAP_ERYTHEMA_HOURS)
        o->day = o->last + COURSE_READ_AFTER_DAYS; /* over the course: the day read is moot */
    else if (map == MAP_COMPARE && tp->time == MN_EVIDENCE_TIME_UNKNOWN)
        o->day = o->last + COURSE_READ_AFTER_DAYS;
    else if (tp->time == MN_EVIDENCE_TIME_FROM_FIRST)
        o->day = (int)floor(tp->time_value + 0.5);
    else if (tp->time == MN_EVIDENCE_TIME_AFTER_LAST)
        o->day = o->last + (int)floor(tp->time_value + 0.5);
    else
        return "the time point's day is not known";
    if (o->day < 0 || o->day > MN_HEALING_MAX_DAYS)
        return "the time point is outside the model's horizon";
    if (distribution) {
        if (!(tp->have & (MN_EVIDENCE_HAVE_COUNTS | MN_EVIDENCE_HAVE_PCTS)))
            return "no counts or percentages per category were published";
        for (int k = 0; k < e->n_categories; k++) {
            double lo, hi;
            if (!category_band(e->categories[k], &lo, &hi))
                return "a category is not a quartile of improvement";
        }
    } else if (map != MAP_COMPARE) {
        o->counted = (tp->have & (MN_EVIDENCE_HAVE_COUNT | MN_EVIDENCE_HAVE_PCT)) != 0;
        int averaged = (tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN |
                                    MN_EVIDENCE_HAVE_VALUE)) != 0;
        /* A duration published only as a range ("3-6 hours"): the typical patient's. */
        o->range = !o->counted && !averaged && (tp->have & MN_EVIDENCE_HAVE_RANGE) &&
                   (map == MAP_ERYTHEMA_HOURS || map == MAP_CLOSURE);
        averaged |= o->range;
        if (!o->counted && !averaged)
            return "no mean, median, count or percentage was published";
        o->thr = threshold_value(e->threshold);
        /* GAIS "improved or better" and a wrinkle grade "improved" are the maps' own
         * thresholds; a PIH count counts patients with an event. */
        if (!(o->thr == o->thr) && map == MAP_GAIS)
            o->thr = MN_GAIS_IMPROVED_PCT;
        if (!(o->thr == o->thr) && map == MAP_WRINKLE)
            o->thr = 1;
        if (map == MAP_PIH)
            o->thr = 1;
        if (o->counted && !(o->thr == o->thr))
            return "the responders' threshold has no number";
        if (map == MAP_PIH && !o->counted)
            return "PIH needs a count or percentage of patients";
    }
    int n = tp->n > 0                      ? tp->n
            : s->population.n_analysed > 0 ? s->population.n_analysed
                                           : s->population.n;
    if (n <= 0)
        return "the number of patients is not published";
    if (map == MAP_COMPARE && n < 2)
        return "a paired comparison needs at least two patients";
    o->n = n > MAX_N ? MAX_N : n;
    o->baseline = map == MAP_WRINKLE ? WRINKLE_BASELINE_GRADE : GB_QUANT_BASELINE;
    int have_baseline = 0;
    for (int k = 0; k < e->n_timepoints; k++)
        if (e->timepoints[k].time == MN_EVIDENCE_TIME_FROM_FIRST &&
            e->timepoints[k].time_value == 0 && (e->timepoints[k].have & MN_EVIDENCE_HAVE_MEAN)) {
            have_baseline = 1;
            if (map == MAP_GB_QUANT || map == MAP_WRINKLE || map == MAP_SCORE ||
                (map == MAP_GB_QUAL && e->quantity == MN_EVIDENCE_LEVEL))
                o->baseline = e->timepoints[k].mean;
        }
    if (map == MAP_SCORE && !have_baseline)
        return "a severity score without a fixed scale needs the published baseline";
    o->level = (map == MAP_GB_QUANT || map == MAP_SCORE || map == MAP_GB_QUAL) &&
               e->quantity == MN_EVIDENCE_LEVEL;
    if (o->level && (!have_baseline || o->day == 0))
        return have_baseline ? "the baseline itself" : "a level needs the published baseline";
    o->change = map == MAP_WRINKLE && e->quantity == MN_EVIDENCE_CHANGE;
    o->epidermal = epidermal_endpoint(e);
    return NULL;
}

/* One virtual patient's state before the study's responsiveness and the rating: the
 * improvement of the endpoint's side (u1) and, for a comparison, of the other side (u2), each
 * >= 0; the histometric change a histology endpoint reads (h); the rater's standard normal
 * draw (z; for a comparison the first side's less the other's). Maps the study effect does not
 * touch (redness, closure, PIH) give their value and rated value directly (fixed). */
typedef struct {
    double u1, u2, h, z;
    int fixed;
    double fixed_u, fixed_y;
} obs_state;

/* Whether a study's responsiveness (study_sd_log) acts on a map: those read from the
 * improvement or the histometric change, not the closed forms nor the days of redness. */
static int study_scaled(map_kind m)
{
    return !(m == MAP_ERYTHEMA || m == MAP_PIH || m == MAP_ERYTHEMA_HOURS || m == MAP_CLOSURE);
}

/* One virtual patient of a plan: drawn from the study's population with the healing model's
 * per-person variability (stream @p stream of @p seed), run with the constants @p par, into
 * @p ps (above); rate() maps it to the scale. @p runs (if not NULL) counts the healing model's
 * runs it took. */
static mn_status patient(mn_ctx *ctx, const mn_evidence_study *s, const obs_plan *o,
                         const mn__healing_params *par, uint64_t seed, uint64_t stream,
                         obs_state *ps, int *runs)
{
    mn_rng rng;
    mn_rng_init(&rng, seed, stream);
    mn_healing_scenario sc;
    draw_patient(&s->population, &rng, &sc.patient);
    mn_healing_variability v;
    mn_healing_variability_sample(&rng, &v);
    memset(ps, 0, sizeof *ps);
    ps->z = mn_rng_normal(&rng);
    if (o->map == MAP_CLOSURE) { /* the closure law's half-life, read at the barrier's cut */
        mn_closure cl;
        mn_channel_closure(o->zone, &sc.patient, o->occluded, &cl);
        ps->fixed = 1;
        ps->fixed_u = ps->fixed_y =
            cl.half_life_h * v.closure_scale * mn__closure_half_lives_to_closed();
        return MN_OK;
    }
    if (o->map == MAP_ERYTHEMA_HOURS) { /* the last session's redness, in closed form */
        double h =
            mn__healing_redness_hours(par, &o->ss[o->n_sessions - 1], o->zone, &sc.patient, &v);
        if (h < 0)
            return mn__error(ctx, MN_EINVAL, "evidence: %s: the session cannot be evaluated",
                             s->id);
        ps->fixed = 1;
        ps->fixed_u = ps->fixed_y = h;
        return MN_OK;
    }
    if (o->map == MAP_PIH) { /* events over the course, by the PIH law (healing/pih.c) */
        double sd = MN__PIH_SUSCEPT_SD_LOG;
        double susceptibility = exp(sd * mn_rng_normal(&rng) - 0.5 * sd * sd);
        double none = 1;
        for (int k = 0; k < o->n_sessions; k++) {
            mn_patient then = sc.patient;
            then.age_years += o->ss[k].day / MN__DAYS_PER_YEAR;
            none *= 1 - mn__healing_pih_probability(&o->ss[k], o->zone, &then, v.inflammation_scale,
                                                    susceptibility);
        }
        ps->fixed = 1;
        ps->fixed_u = 1 - none;
        ps->fixed_y = mn_rng_uniform(&rng) < ps->fixed_u;
        return MN_OK;
    }
    sc.zone = o->zone;
    sc.concern = o->concern;
    sc.sessions = o->ss;
    sc.n_sessions = o->n_sessions;
    sc.horizon_days = o->day > o->last ? o->day : o->last;
    mn_healing_sample smp;
    mn_healing_summary sum;
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.search_limit_days = 0;
    int day = o->day;
    mn_status st = mn__healing_run_params(ctx, par, &sc, &v, &ho, &day, 1, &smp,
                                          o->map == MAP_ERYTHEMA ? &sum : NULL);
    if (st)
        return st;
    if (runs)
        ++*runs;
    ps->u1 = smp.improvement_pct > 0 ? smp.improvement_pct : 0;
    if (o->map == MAP_ERYTHEMA) {
        ps->fixed = 1;
        ps->fixed_u = ps->u1;
        ps->fixed_y = sum.erythema_days;
    } else if (o->map == MAP_HISTO) {
        ps->h = o->epidermal ? smp.epidermis_change_pct : smp.collagen_change_pct;
    } else if (o->map == MAP_COMPARE) { /* the same person's other side, rated separately */
        mn_healing_sample smp2;
        sc.sessions = o->ss2;
        sc.n_sessions = o->n_sessions2;
        if ((st = mn__healing_run_params(ctx, par, &sc, &v, &ho, &day, 1, &smp2, NULL)))
            return st;
        if (runs)
            ++*runs;
        ps->u2 = smp2.improvement_pct > 0 ? smp2.improvement_pct : 0;
        ps->z -= mn_rng_normal(&rng);
    }
    return MN_OK;
}

/* A side's improvement in a study of responsiveness @p f, within 0-100 (f = 1 leaves it). */
static double responsive(double u, double f)
{
    if (f == 1)
        return u;
    u *= f;
    return u > 100 ? 100 : u;
}

/* Maps a patient's state @p ps, in a study whose responsiveness multiplies the improvement and
 * the histometric change by @p f, to the scale: @p u receives the improvement the likelihood's
 * chances read (for a comparison the first side's less the other's; for PIH the chance of an
 * event over the course), @p y the rated value. */
static void rate(const obs_plan *o, const obs_state *ps, double f, double *u, double *y)
{
    if (ps->fixed) {
        *u = ps->fixed_u;
        *y = ps->fixed_y;
        return;
    }
    *u = responsive(ps->u1, f);
    double z = ps->z;
    switch (o->map) {
    case MAP_RATING:
        *y = *u + o->offset + RATING_NOISE_PCT * z;
        *y = *y < 0 ? 0 : *y > 100 ? 100 : *y;
        break;
    case MAP_GB_QUAL:
        if (o->level) { /* the grade left, between the best and the worst grade */
            *y = o->baseline - (o->baseline - GB_QUAL_BEST_GRADE) * *u / 100 +
                 GB_QUAL_NOISE_GRADES * z;
            *y = *y < GB_QUAL_BEST_GRADE    ? GB_QUAL_BEST_GRADE
                 : *y > GB_QUAL_WORST_GRADE ? GB_QUAL_WORST_GRADE
                                            : *y;
            break;
        }
        *y = (GB_QUAL_BASELINE_GRADE - GB_QUAL_BEST_GRADE) * *u / 100 + GB_QUAL_NOISE_GRADES * z;
        if (o->counted)
            *y = floor(*y + 0.5);
        break;
    case MAP_GB_QUANT: /* points fallen, or the level left */
        *y = o->baseline * *u / 100 + GB_QUANT_NOISE * z;
        if (o->level)
            *y = o->baseline - *y;
        break;
    case MAP_HISTO:
        *y = ps->h * f + HISTOMETRY_NOISE_PCT * z;
        break;
    case MAP_GAIS: /* the rated improvement, against the map's "improved" cut */
        *y = *u + o->offset + RATING_NOISE_PCT * z;
        break;
    case MAP_WRINKLE: /* grades fallen; a change is the negative; responders: whole grades */
        *y = o->baseline * *u / 100 + WRINKLE_NOISE_GRADES * z;
        if (o->counted)
            *y = floor(*y + 0.5);
        else if (o->change)
            *y = -*y;
        break;
    case MAP_SCORE: /* a severity score falling in proportion to the improvement */
        *y = o->baseline * *u / 100 + SCORE_NOISE_FRACTION * o->baseline * z;
        if (o->level)
            *y = o->baseline - *y;
        break;
    case MAP_COMPARE: /* the two sides rated separately */
        *u -= responsive(ps->u2, f);
        *y = *u + RATING_NOISE_PCT * z;
        break;
    default:
        *y = 0;
    }
}

/* The t statistic a paired comparison's published direction and p imply (two-sided). */
static double compare_t(const obs_plan *o)
{
    const mn_evidence_timepoint *tp = o->tp;
    return (tp->sign == MN_EVIDENCE_GREATER ? 1 : -1) * t_quantile(1 - tp->p / 2, o->n - 1);
}

static double observed_value(const obs_plan *o)
{
    const mn_evidence_timepoint *tp = o->tp;
    if (o->map == MAP_COMPARE)
        return compare_t(o);
    if (o->counted)
        return (tp->have & MN_EVIDENCE_HAVE_COUNT) ? (double)tp->count : tp->pct;
    if (o->range)
        return mid_range(tp->range);
    return (tp->have & MN_EVIDENCE_HAVE_MEAN)     ? tp->mean
           : (tp->have & MN_EVIDENCE_HAVE_MEDIAN) ? tp->median
                                                  : tp->value;
}

static int median_only(const mn_evidence_timepoint *tp)
{
    return !(tp->have & MN_EVIDENCE_HAVE_MEAN) && (tp->have & MN_EVIDENCE_HAVE_MEDIAN);
}

/* A value published as a bound ("at most 2 days"): 1 at most, -1 at least, 0 an estimate. */
static int bound_of(const obs_plan *o)
{
    const mn_evidence_timepoint *tp = o->tp;
    if (o->counted || o->map == MAP_COMPARE || !(tp->have & MN_EVIDENCE_HAVE_VALUE) ||
        (tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN)))
        return 0;
    return tp->bound == MN_EVIDENCE_AT_MOST ? 1 : tp->bound == MN_EVIDENCE_AT_LEAST ? -1 : 0;
}

/* The mean of n values into @p m; returns the sum of squared deviations from it. */
static double mean_ss(const double *y, int n, double *m)
{
    double s = 0, v = 0;
    for (int i = 0; i < n; i++)
        s += y[i];
    s /= n;
    for (int i = 0; i < n; i++)
        v += (y[i] - s) * (y[i] - s);
    *m = s;
    return v;
}

/* The paired t statistic of n values. */
static double paired_t(const double *y, int n)
{
    double m, v = mean_ss(y, n, &m);
    double se = n > 1 ? sqrt(v / (n - 1) / n) : 0;
    return se > 0 ? m / se : 0;
}

/* mn_evidence_observe_params() (@p params given) and mn_evidence_observe_posterior() (@p
 * params NULL: each trial a draw of @p post, or of the bundled posterior when it is NULL). */
static mn_status observe(mn_ctx *ctx, const mn_evidence_study *s, int endpoint, int timepoint,
                         int n_trials, uint64_t seed, const mn_healing_params *params,
                         const mn_posterior *post, mn_evidence_prediction *out)
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
    mn__healing_params given;
    if (params && mn__healing_params_from(params, &given))
        return mn__error(ctx, MN_EINVAL,
                         "evidence: the parameters were not filled by "
                         "mn_healing_params_default()");
    obs_plan o;
    const char *why = plan_of(mn_ctx_catalog(ctx), s, endpoint, timepoint, 0, &o);
    if (why)
        return not_applies(out, why);
    int n = o.n;
    mn_status st = MN_OK;
    double *stat = mn__malloc(sizeof(double) * (size_t)n_trials);
    double *y = mn__malloc(sizeof(double) * (size_t)n);
    if (!stat || !y) {
        st = mn__error(ctx, MN_ENOMEM, "evidence: out of memory for the observation");
        goto done;
    }
    for (int t = 0; t < n_trials; t++) {
        /* One parameter draw per virtual trial (healing/draws.c) unless the constants are
         * given, a variability draw per patient: the posterior-predictive spread of what such
         * a trial reports. */
        mn__healing_params drawn;
        const mn__healing_params *par = &given;
        if (!params) {
            if ((st = mn__healing_param_draw_from(ctx, post, seed, (uint64_t)t, &drawn)))
                goto done;
            par = &drawn;
        }
        o.offset = par->rating_offset_pct;
        /* The trial's responsiveness (study_sd_log), shared by its patients. */
        double f = 1;
        if (par->study_sd_log > 0 && study_scaled(o.map)) {
            mn_rng rng;
            mn_rng_init(&rng, seed, STUDY_EFFECT_STREAM + (uint64_t)t);
            f = exp(par->study_sd_log * mn_rng_normal(&rng));
        }
        for (int i = 0; i < n; i++) {
            obs_state ps;
            double u;
            if ((st = patient(ctx, s, &o, par, seed, (uint64_t)t * (uint64_t)MAX_N + (uint64_t)i,
                              &ps, NULL)))
                goto done;
            rate(&o, &ps, f, &u, &y[i]);
        }
        if (o.map == MAP_COMPARE) {
            stat[t] = paired_t(y, n);
        } else if (o.counted) {
            int k = 0;
            for (int i = 0; i < n; i++)
                k += meets(y[i], o.thr);
            stat[t] = (o.tp->have & MN_EVIDENCE_HAVE_COUNT) ? k : 100.0 * k / n;
        } else if (median_only(o.tp) || o.range) {
            qsort(y, (size_t)n, sizeof(double), mn__cmp_double);
            stat[t] = n % 2 ? y[n / 2] : 0.5 * (y[n / 2 - 1] + y[n / 2]);
        } else {
            double m = 0;
            for (int i = 0; i < n; i++)
                m += y[i];
            stat[t] = m / n;
        }
    }
    qsort(stat, (size_t)n_trials, sizeof(double), mn__cmp_double);
    out->applies = 1;
    out->n = n;
    out->day = o.day;
    out->n_trials = n_trials;
    out->counted = o.counted;
    out->median = mn__quantile_sorted(stat, n_trials, 0.5);
    out->lo = mn__quantile_sorted(stat, n_trials, 0.05);
    out->hi = mn__quantile_sorted(stat, n_trials, 0.95);
    out->observed = observed_value(&o);
done:
    mn__free(stat);
    mn__free(y);
    return st;
}

mn_status mn_evidence_observe_params(mn_ctx *ctx, const mn_evidence_study *s, int endpoint,
                                     int timepoint, int n_trials, uint64_t seed,
                                     const mn_healing_params *params, mn_evidence_prediction *out)
{
    return observe(ctx, s, endpoint, timepoint, n_trials, seed, params, NULL, out);
}

mn_status mn_evidence_observe_posterior(mn_ctx *ctx, const mn_evidence_study *s, int endpoint,
                                        int timepoint, int n_trials, uint64_t seed,
                                        const mn_posterior *post, mn_evidence_prediction *out)
{
    return observe(ctx, s, endpoint, timepoint, n_trials, seed, NULL, post, out);
}

mn_status mn_evidence_observe(mn_ctx *ctx, const mn_evidence_study *s, int endpoint, int timepoint,
                              int n_trials, uint64_t seed, mn_evidence_prediction *out)
{
    return observe(ctx, s, endpoint, timepoint, n_trials, seed, NULL, NULL, out);
}

/*
 * The likelihood (docs/models/observation.md, "Likelihood"). For each endpoint and time point
 * with an observation model, P virtual patients (common random numbers: stream i of the
 * options' seed for patient i, whatever the constants) give the model's per-patient values on
 * the study's scale; the published statistic of a trial of the study's size n is then:
 *   a mean        ~ Normal(m, s^2/n + s^2/P)        m, s^2: mean and variance over the P
 *   a median      ~ Normal(m, (pi/2) s^2/n + s^2/P)  (the large-sample variance of a median)
 *   a count k     ~ Binomial(n, p), p the mean over patients of the chance that the rated
 *                  value meets the threshold given the patient's state (normal rater noise:
 *                  smooth in the constants)
 *                  (wrinkle grades: Phi((b u/100 - (t - 1/2))/0.5); PIH: the patient's chance
 *                  of an event over the course, which no calibrated constant moves)
 *   counts per quartile category ~ Multinomial(n, p_1..p_K, p_rest) likewise, the patients
 *                  not in a listed category forming the rest.
 *   a paired t    ~ Normal(sqrt(n) m/s, 1 + n/P)      m, s: of the P patients' differences
 *   a bound       the chance of its side: log Phi(+-(x - m)/sigma), sigma as for a mean
 *   a range only  (a duration) the chance that the typical patient lies in it:
 *                 log(Phi((b - m)/sigma) - Phi((a - m)/sigma)), sigma as for a median
 * Percentages become counts of n. The s^2/P and the smooth chances keep the finite set of
 * virtual patients from showing in the posterior.
 */
#define LOGLIK_DEFAULT_PATIENTS 64
#define LOGLIK_DEFAULT_SEED     0x6c696b656c69ULL /* fixed: the same patients for every call */
#define P_FLOOR                 1e-9              /* smallest chance a category or count is given */
#define MAX_CATS                17
/* The study effect (study_sd_log) is integrated out on a grid of its standard normal z from -6
 * to 6 by 0.1, trapezoidal weights phi(z) normalised to 1: spectrally accurate for a smooth
 * integrand, within 1 % while a study's likelihood in ln f is no narrower than a tenth of
 * study_sd_log (the trapezoid's error on a normal of sd s in steps h is about
 * exp(-2 pi^2 s^2/h^2)); the tails beyond 6 sd hold under 1e-8 of the weight. */
#define EFFECT_Z_MAX  6.0
#define EFFECT_Z_STEP 0.1
#define EFFECT_NODES  121 /* 2 EFFECT_Z_MAX / EFFECT_Z_STEP + 1 */

void mn_evidence_loglik_options_init(mn_evidence_loglik_options *o)
{
    o->patients = LOGLIK_DEFAULT_PATIENTS;
    o->seed = LOGLIK_DEFAULT_SEED;
    o->role = MN_EVIDENCE_CALIBRATION;
    o->all_roles = 0;
}

/* The chance that a patient in state u is rated at or above threshold @p thr. */
static double p_meets(const obs_plan *o, double u, double thr)
{
    switch (o->map) {
    case MAP_RATING: /* clamp(u + offset + 12 z, 0, 100) >= thr */
        if (thr <= 0)
            return 1;
        if (thr > 100)
            return 0;
        return normal_cdf((u + o->offset - thr) / RATING_NOISE_PCT);
    case MAP_GAIS: /* u + offset + 12 z >= thr */
        return normal_cdf((u + o->offset - thr) / RATING_NOISE_PCT);
    case MAP_GB_QUAL: /* round(2 u/100 + 0.4 z) >= thr */
        return normal_cdf(((GB_QUAL_BASELINE_GRADE - GB_QUAL_BEST_GRADE) * u / 100 - (thr - 0.5)) /
                          GB_QUAL_NOISE_GRADES);
    case MAP_WRINKLE: /* round(baseline u/100 + 0.5 z) >= thr */
        return normal_cdf((o->baseline * u / 100 - (thr - 0.5)) / WRINKLE_NOISE_GRADES);
    case MAP_PIH: /* u is the patient's chance of an event over the course */
        return u;
    default:
        return 0;
    }
}

static double clamp_p(double p)
{
    return p < P_FLOOR ? P_FLOOR : p > 1 - P_FLOOR ? 1 - P_FLOOR : p;
}

static double log_choose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/* One term's log likelihood from the P patients' improvements @p u and rated values @p y (the
 * table above); fills @p term's predicted, spread and observed. */
static double term_ll(const obs_plan *pl, const mn_evidence_endpoint *ep, int P, const double *u,
                      const double *y, mn_evidence_loglik_term *term)
{
    const mn_evidence_timepoint *tp = pl->tp;
    double n = pl->n, ll;
    if (pl->distribution) {
        /* Quartile categories: the chance of each band, then the rest. */
        double pc[MAX_CATS], rest = 1, lo = 0, hi = 100, kept = 0;
        int K = ep->n_categories < MAX_CATS - 1 ? ep->n_categories : MAX_CATS - 1;
        ll = 0;
        for (int k = 0; k < K; k++) {
            category_band(ep->categories[k], &lo, &hi);
            double sum = 0;
            for (int i = 0; i < P; i++)
                sum += (lo <= 0 ? 1 : normal_cdf((u[i] + pl->offset - lo) / RATING_NOISE_PCT)) -
                       (hi >= 100 ? 0 : normal_cdf((u[i] + pl->offset - hi) / RATING_NOISE_PCT));
            pc[k] = clamp_p(sum / P);
            rest -= sum / P;
            double c = (tp->have & MN_EVIDENCE_HAVE_COUNTS)
                           ? tp->cat_values[k]
                           : floor(tp->cat_values[k] * n / 100 + 0.5);
            ll += c * log(pc[k]) - lgamma(c + 1);
            kept += c;
        }
        double r = n - kept > 0 ? n - kept : 0;
        ll += r * log(clamp_p(rest)) - lgamma(r + 1) + lgamma(n + 1);
        term->counted = 1;
        term->predicted = 100 * (1 - rest); /* % in the listed categories */
        term->observed = 100 * kept / n;
    } else if (pl->counted) {
        double p = 0;
        for (int i = 0; i < P; i++)
            p += p_meets(pl, u[i], pl->thr);
        p = clamp_p(p / P);
        double k = (tp->have & MN_EVIDENCE_HAVE_COUNT) ? (double)tp->count
                                                       : floor(tp->pct * n / 100 + 0.5);
        k = k > n ? n : k;
        ll = log_choose(n, k) + k * log(p) + (n - k) * log1p(-p);
        term->counted = 1;
        term->predicted = (tp->have & MN_EVIDENCE_HAVE_COUNT) ? p * n : 100 * p;
        term->spread = (tp->have & MN_EVIDENCE_HAVE_COUNT) ? sqrt(n * p * (1 - p))
                                                           : 100 * sqrt(p * (1 - p) / n);
        term->observed = observed_value(pl);
    } else {
        double m, v = mean_ss(y, P, &m) / (P - 1);
        double x = observed_value(pl), mean, var;
        if (pl->map == MAP_COMPARE) {
            /* The paired t of n patients: about Normal(sqrt(n) m/s, 1), and the P patients'
             * estimate of sqrt(n) m/s varies by about n/P. */
            double sd = sqrt(v > 1e-12 ? v : 1e-12);
            mean = sqrt(n) * m / sd;
            var = 1 + n / P;
        } else {
            mean = m;
            var = (median_only(tp) || pl->range ? MN__PI / 2 : 1) * v / n + v / P;
        }
        var = var > 1e-12 ? var : 1e-12;
        int bound = bound_of(pl);
        if (bound) /* only a side of the value: the chance of that side */
            ll = log(clamp_p(normal_cdf(bound * (x - mean) / sqrt(var))));
        else if (pl->range) /* the typical patient inside the published range */
            ll = log(clamp_p(normal_cdf((tp->range[1] - mean) / sqrt(var)) -
                             normal_cdf((tp->range[0] - mean) / sqrt(var))));
        else
            ll = -0.5 * ((x - mean) * (x - mean) / var + log(2 * MN__PI * var));
        term->predicted = mean;
        term->spread = sqrt(var);
        term->observed = x;
    }
    return ll;
}

/* The log of the sum of exp(a[k]) over @p k items, without overflow. */
static double log_sum_exp(const double *a, int k)
{
    double top = a[0], sum = 0;
    for (int i = 1; i < k; i++)
        top = a[i] > top ? a[i] : top;
    for (int i = 0; i < k; i++)
        sum += exp(a[i] - top);
    return top + log(sum);
}

/* A study's term j at responsiveness f: its patients rated, then term_ll() on a scratch term. */
static double term_ll_at(const obs_plan *pl, const mn_evidence_endpoint *ep, int P,
                         const obs_state *ps, double f, double *u, double *y)
{
    for (int i = 0; i < P; i++)
        rate(pl, &ps[i], f, &u[i], &y[i]);
    mn_evidence_loglik_term scratch;
    return term_ll(pl, ep, P, u, y, &scratch);
}

mn_status mn_evidence_loglik(mn_ctx *ctx, const mn_evidence *ev, const mn_healing_params *params,
                             const mn_evidence_loglik_options *opts, double *loglik,
                             mn_evidence_loglik_term *terms, int max_terms, int *n_terms)
{
    mn_evidence_loglik_options o;
    if (opts)
        o = *opts;
    else
        mn_evidence_loglik_options_init(&o);
    if (!ctx || !ev || !loglik || (max_terms > 0 && !terms) || max_terms < 0 || o.patients < 2 ||
        o.patients > MAX_N)
        return mn__error(ctx, MN_EINVAL, "evidence: bad likelihood arguments");
    *loglik = 0;
    if (n_terms)
        *n_terms = 0;
    mn__healing_params par;
    if (mn__healing_params_from(params, &par))
        return mn__error(ctx, MN_EINVAL, "evidence: bad likelihood arguments");
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    int P = o.patients, nt = 0, cap = 0;
    double total = 0;
    mn_status st = MN_OK;
    /* The study effect's grid: z_k = -Z .. Z by the step, weights phi(z_k) normalised to 1. */
    double lw[EFFECT_NODES], node[EFFECT_NODES], wsum = 0;
    for (int k = 0; k < EFFECT_NODES; k++) {
        double z = -EFFECT_Z_MAX + EFFECT_Z_STEP * k;
        node[k] = z;
        lw[k] = exp(-0.5 * z * z);
        wsum += lw[k];
    }
    for (int k = 0; k < EFFECT_NODES; k++)
        lw[k] = log(lw[k] / wsum);
    double *u = mn__malloc(sizeof(double) * (size_t)P);
    double *y = mn__malloc(sizeof(double) * (size_t)P);
    double *acc = mn__malloc(sizeof(double) * EFFECT_NODES);
    obs_plan *plans = NULL;
    obs_state *states = NULL;
    mn_evidence_loglik_term *sterms = NULL;
    double *own = NULL;
    if (!u || !y || !acc) {
        st = mn__error(ctx, MN_ENOMEM, "evidence: out of memory for the likelihood");
        goto done;
    }
    for (size_t si = 0; si < mn_evidence_count(ev); si++) {
        const mn_evidence_study *s = mn_evidence_at(ev, si);
        if (!o.all_roles && s->role != o.role)
            continue;
        int ns = 0, scaled = 0;
        for (int e = 0; e < s->n_endpoints; e++)
            ns += s->endpoints[e].n_timepoints;
        if (ns > cap) {
            mn__free(plans);
            mn__free(states);
            mn__free(sterms);
            mn__free(own);
            plans = mn__malloc(sizeof *plans * (size_t)ns);
            states = mn__malloc(sizeof *states * (size_t)ns * (size_t)P);
            sterms = mn__malloc(sizeof *sterms * (size_t)ns);
            own = mn__malloc(sizeof *own * (size_t)ns * EFFECT_NODES);
            cap = ns;
            if (!plans || !states || !sterms || !own) {
                cap = 0;
                st = mn__error(ctx, MN_ENOMEM, "evidence: out of memory for the likelihood");
                goto done;
            }
        }
        /* The study's terms: their patients run once, at the typical responsiveness. */
        double base = 0;
        int j = 0;
        for (int e = 0; e < s->n_endpoints; e++) {
            const mn_evidence_endpoint *ep = &s->endpoints[e];
            for (int t = 0; t < ep->n_timepoints; t++, j++) {
                obs_plan *pl = &plans[j];
                mn_evidence_loglik_term *term = &sterms[j];
                const char *why = plan_of(cat, s, e, t, 1, pl);
                memset(term, 0, sizeof *term);
                term->study = s;
                term->endpoint = e;
                term->timepoint = t;
                term->why_not = why;
                term->predicted = term->spread = term->observed = NAN;
                if (why)
                    continue;
                pl->offset = par.rating_offset_pct;
                obs_state *ps = &states[(size_t)j * (size_t)P];
                for (int i = 0; i < P; i++)
                    if ((st = patient(ctx, s, pl, &par, o.seed, (uint64_t)i, &ps[i],
                                      &term->healing_runs)))
                        goto done;
                term->applies = 1;
                term->n = pl->n;
                term->day = pl->day;
                for (int i = 0; i < P; i++)
                    rate(pl, &ps[i], 1, &u[i], &y[i]);
                double ll = term_ll(pl, ep, P, u, y, term);
                if (!mn__finite(ll)) {
                    st = mn__error(ctx, MN_ENUMERIC, "evidence: non-finite likelihood of %s/%s",
                                   s->id, ep->id);
                    goto done;
                }
                term->loglik = ll;
                base += ll;
                scaled |= study_scaled(pl->map);
            }
        }
        if (!scaled || par.study_sd_log <= 0) {
            total += base;
        } else {
            /* The study's responsiveness f = exp(sd z), shared by its terms, integrated out:
             * log sum_k w_k prod_j L_j(f_k); each term's own loglik integrates it alone. */
            for (int k = 0; k < EFFECT_NODES; k++)
                acc[k] = lw[k];
            j = 0;
            for (int e = 0; e < s->n_endpoints; e++) {
                const mn_evidence_endpoint *ep = &s->endpoints[e];
                for (int t = 0; t < ep->n_timepoints; t++, j++) {
                    if (!sterms[j].applies)
                        continue;
                    double *oj = &own[(size_t)j * EFFECT_NODES];
                    for (int k = 0; k < EFFECT_NODES; k++) {
                        double ll =
                            study_scaled(plans[j].map)
                                ? term_ll_at(&plans[j], ep, P, &states[(size_t)j * (size_t)P],
                                             exp(par.study_sd_log * node[k]), u, y)
                                : sterms[j].loglik;
                        if (!mn__finite(ll)) {
                            st = mn__error(ctx, MN_ENUMERIC,
                                           "evidence: non-finite likelihood of %s/%s", s->id,
                                           ep->id);
                            goto done;
                        }
                        acc[k] += ll;
                        oj[k] = lw[k] + ll;
                    }
                    sterms[j].loglik = log_sum_exp(oj, EFFECT_NODES);
                }
            }
            total += log_sum_exp(acc, EFFECT_NODES);
        }
        for (int k = 0; k < ns; k++, nt++)
            if (nt < max_terms)
                terms[nt] = sterms[k];
    }
    *loglik = total;
    if (n_terms)
        *n_terms = nt;
done:
    mn__free(u);
    mn__free(y);
    mn__free(acc);
    mn__free(plans);
    mn__free(states);
    mn__free(sterms);
    mn__free(own);
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

double mn_evidence_largest_change_pct(const mn_evidence *ev, int epidermal, const char **study_id)
{
    double best = -1;
    if (study_id)
        *study_id = NULL;
    for (size_t i = 0; ev && i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        if (s->design && !strcmp(s->design, "animal"))
            continue;
        for (int k = 0; k < s->n_endpoints; k++) {
            const mn_evidence_endpoint *e = &s->endpoints[k];
            if (e->family != MN_EVIDENCE_HISTOLOGY || !e->scale ||
                strcmp(e->scale, "histometry_pct_change") || !s->arms[e->arm].has_protocol ||
                epidermal_endpoint(e) != !!epidermal)
                continue;
            for (int t = 0; t < e->n_timepoints; t++) {
                const mn_evidence_timepoint *tp = &e->timepoints[t];
                /* A mean, or the one value published (exact or a lower bound). */
                double v =
                    (tp->have & MN_EVIDENCE_HAVE_MEAN) ? tp->mean
                    : ((tp->have & MN_EVIDENCE_HAVE_VALUE) && tp->bound != MN_EVIDENCE_AT_MOST)
                        ? tp->value
                        : -1;
                if (v > best) {
                    best = v;
                    if (study_id)
                        *study_id = s->id;
                }
            }
        }
    }
    return best;
}

double mn_evidence_shallowest_needle_mm(const mn_evidence *ev, const char *concern,
                                        const char **study_id)
{
    double best = -1;
    if (study_id)
        *study_id = NULL;
    for (size_t i = 0; concern && i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        if (!s->concern || strcmp(s->concern, concern) ||
            (s->design && !strcmp(s->design, "animal")))
            continue;
        for (int k = 0; k < s->n_arms; k++) {
            const mn_evidence_arm *a = &s->arms[k];
            double mm = a->needle_mm == a->needle_mm ? a->needle_mm : a->needle_mm_range[0];
            if (a->has_protocol && mm == mm && mm > 0 && (best < 0 || mm < best)) {
                best = mm;
                if (study_id)
                    *study_id = s->id;
            }
        }
    }
    return best;
}

int mn_evidence_count_studies(const mn_evidence *ev, const char *concern)
{
    int n = 0;
    for (size_t i = 0; concern && i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        n += s->concern && !strcmp(s->concern, concern) &&
             !(s->design && !strcmp(s->design, "animal"));
    }
    return n;
}

/* The bundled evidence never changes within a process, so what the planner asks of it for
 * every plan (the longest follow-up; the shallowest needle length and the number of human
 * studies per concern) is found once, under one lock, and only plain copies are kept: nothing
 * allocated stays behind. The table
 * holds one row per concern the bundled studies name (a handful; its size is a bound on the
 * bundled base, checked when it is filled). */
#define SHALLOW_MAX 32
static pthread_mutex_t bundled_lock = PTHREAD_MUTEX_INITIALIZER;
static int bundled_known;
static int followup_days_cached;
static char followup_study_cached[64];
static double largest_cached[2];         /* collagen, epidermis: -1 none */
static char largest_study_cached[2][64]; /* its study */
static int n_shallow;
static struct {
    char concern[64], study[64];
    double mm;
    int studies;
} shallow[SHALLOW_MAX];
/* Every bundled study's id and the name text gives it (mn_evidence_cite()), for
 * mn_evidence_bundled_cite(); the bound is checked when it is filled. */
#define CITE_MAX 96
static int n_cites;
static struct {
    char id[64], cite[160];
} cites[CITE_MAX];

/* Two bundled studies the same name would give ("Alster and Li 2020" wrote on scars and on
 * striae) are told apart as a reference list does, by a letter after the year, "2020a" and
 * "2020b", in the order of their ids (the studies' own order, as the evidence base lists them).
 * A name with no year takes the letter after a space. */
static void disambiguate_cites(void)
{
    char letter[CITE_MAX] = {0};
    for (int i = 0; i < n_cites; i++) {
        int same = 0, rank = 0;
        for (int k = 0; k < n_cites; k++)
            if (k != i && !strcmp(cites[k].cite, cites[i].cite)) {
                same++;
                rank += strcmp(cites[k].id, cites[i].id) < 0;
            }
        assert(rank < 26); /* far fewer bundled studies share a name */
        if (same)
            letter[i] = (char)('a' + rank);
    }
    for (int i = 0; i < n_cites; i++) {
        size_t len = strlen(cites[i].cite);
        int year_last = len > 0 && isdigit((unsigned char)cites[i].cite[len - 1]);
        if (letter[i] && len + 3 < sizeof cites[i].cite)
            snprintf(cites[i].cite + len, sizeof cites[i].cite - len, "%s%c", year_last ? "" : " ",
                     letter[i]);
    }
}

/* Fills the facts above once; called with bundled_lock held. A catalogue of the user's
 * (--data) that lacks a concern the bundled studies name leaves them not known, and nothing is
 * said about them. */
static mn_status bundled_facts(mn_ctx *ctx)
{
    if (bundled_known)
        return MN_OK;
    mn_evidence *ev = NULL;
    mn_status st = mn_evidence_load(ctx, NULL, &ev);
    if (st == MN_OK) {
        const char *sid = NULL;
        int d = mn_evidence_longest_followup_days(ev, &sid);
        followup_days_cached = d > 0 ? d : 0;
        snprintf(followup_study_cached, sizeof followup_study_cached, "%s", sid ? sid : "");
        for (int epi = 0; epi < 2; epi++) {
            largest_cached[epi] = mn_evidence_largest_change_pct(ev, epi, &sid);
            snprintf(largest_study_cached[epi], sizeof largest_study_cached[epi], "%s",
                     sid ? sid : "");
        }
        n_shallow = 0;
        for (size_t i = 0; i < mn_evidence_count(ev); i++) {
            const char *c = mn_evidence_at(ev, i)->concern;
            int seen = 0;
            for (int k = 0; c && k < n_shallow; k++)
                seen |= !strcmp(shallow[k].concern, c);
            if (!c || seen)
                continue;
            assert(n_shallow < SHALLOW_MAX); /* the bundled base names fewer concerns */
            shallow[n_shallow].mm = mn_evidence_shallowest_needle_mm(ev, c, &sid);
            shallow[n_shallow].studies = mn_evidence_count_studies(ev, c);
            snprintf(shallow[n_shallow].concern, sizeof shallow[n_shallow].concern, "%s", c);
            snprintf(shallow[n_shallow].study, sizeof shallow[n_shallow].study, "%s",
                     sid ? sid : "");
            n_shallow++;
        }
        n_cites = 0;
        for (size_t i = 0; i < mn_evidence_count(ev); i++) {
            const mn_evidence_study *s = mn_evidence_at(ev, i);
            assert(n_cites < CITE_MAX); /* the bundled base holds fewer studies */
            snprintf(cites[n_cites].id, sizeof cites[n_cites].id, "%s", s->id);
            mn_evidence_cite(s, cites[n_cites].cite, sizeof cites[n_cites].cite);
            n_cites++;
        }
        disambiguate_cites();
        bundled_known = 1;
    } else if (mn_status_is_input_error(st)) {
        mn_ctx_clear_error(ctx);
        st = MN_OK;
    }
    mn_evidence_free(ev);
    return st;
}

mn_status mn_evidence_bundled_followup(mn_ctx *ctx, int *days, const char **study_id)
{
    if (!days || !study_id)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL follow-up arguments");
    *days = 0;
    *study_id = NULL;
    pthread_mutex_lock(&bundled_lock);
    mn_status st = bundled_facts(ctx);
    if (bundled_known) {
        *days = followup_days_cached;
        *study_id = followup_study_cached[0] ? followup_study_cached : NULL;
    }
    pthread_mutex_unlock(&bundled_lock);
    return st;
}

mn_status mn_evidence_bundled_largest_change(mn_ctx *ctx, int epidermal, double *pct,
                                             const char **study_id)
{
    if (!pct || !study_id)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL largest-change arguments");
    *pct = -1;
    *study_id = NULL;
    pthread_mutex_lock(&bundled_lock);
    mn_status st = bundled_facts(ctx);
    if (bundled_known) {
        *pct = largest_cached[!!epidermal];
        *study_id = largest_study_cached[!!epidermal][0] ? largest_study_cached[!!epidermal] : NULL;
    }
    pthread_mutex_unlock(&bundled_lock);
    return st;
}

mn_status mn_evidence_bundled_shallowest(mn_ctx *ctx, const char *concern, double *mm,
                                         const char **study_id)
{
    if (!concern || !mm || !study_id)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL needle-length arguments");
    *mm = -1;
    *study_id = NULL;
    pthread_mutex_lock(&bundled_lock);
    mn_status st = bundled_facts(ctx);
    for (int k = 0; bundled_known && k < n_shallow; k++)
        if (!strcmp(shallow[k].concern, concern) && shallow[k].mm > 0) {
            *mm = shallow[k].mm;
            *study_id = shallow[k].study[0] ? shallow[k].study : NULL;
        }
    pthread_mutex_unlock(&bundled_lock);
    return st;
}

/* 1 when [s, e) is one author as a citation lists them: words, the last 1-4 capitals (the
 * initials: "Aust MC", "Al Chalabi QS", "Freiherr von Dalwig-Nolda D"). */
static int author_item(const char *s, const char *e)
{
    const char *last = NULL;
    for (const char *q = s; q < e; q++) {
        if (isdigit((unsigned char)*q) || strchr(";:()[]\"", *q))
            return 0;
        if (*q == ' ')
            last = q;
    }
    if (!last || last == s || e - last - 1 < 1 || e - last - 1 > 4)
        return 0;
    for (const char *q = last + 1; q < e; q++)
        if (*q < 'A' || *q > 'Z')
            return 0;
    return 1;
}

/* What a citation writes where its year could not be read from the source (an evidence file
 * may add what else it knows, "year not read; news reports 2018": that year is not the
 * article's). */
static const char year_not_read[] = "year not read";

/* The first year from 1900 to 2099 in @p s (four digits standing alone), or NULL; its length
 * is 4. A citation that says its year was not read has none. */
static const char *first_year(const char *s)
{
    if (strstr(s, year_not_read))
        return NULL;
    for (const char *q = s; *q; q++)
        if ((q[0] == '1' && q[1] == '9') || (q[0] == '2' && q[1] == '0'))
            if (isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]) &&
                !isdigit((unsigned char)q[4]) && (q == s || !isdigit((unsigned char)q[-1])))
                return q;
    return NULL;
}

const char *mn_evidence_cite(const mn_evidence_study *s, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!s || !s->citation)
        return buf;
    const char *c = s->citation, *stop = strstr(c, ". ");
    const char *head_end = stop ? stop : c + strlen(c);
    /* The authors: comma-separated items up to the first full stop, "et al" among them. */
    struct {
        const char *s, *e;
    } first = {NULL, NULL}, second = {NULL, NULL};
    int items = 0, etal = 0, authors = 1;
    for (const char *p = c; authors && p < head_end;) {
        const char *comma = memchr(p, ',', (size_t)(head_end - p));
        const char *e = comma ? comma : head_end;
        while (p < e && *p == ' ')
            p++;
        if (e - p == 5 && !strncmp(p, "et al", 5))
            etal = 1;
        else if (author_item(p, e) && !etal) {
            const char *surname_end = e;
            while (surname_end > p && surname_end[-1] != ' ')
                surname_end--;
            if (items == 0)
                first.s = p, first.e = surname_end - 1;
            else if (items == 1)
                second.s = p, second.e = surname_end - 1;
            items++;
        } else
            authors = 0;
        p = comma ? comma + 1 : head_end;
    }
    authors = authors && items > 0;
    const char *year = first_year(authors ? head_end : c);
    char y[8] = "";
    if (year)
        snprintf(y, sizeof y, "%.4s", year);
    if (authors) {
        if (items == 1 && !etal)
            snprintf(buf, size, "%.*s%s%s", (int)(first.e - first.s), first.s, *y ? " " : "", y);
        else if (items == 2 && !etal)
            snprintf(buf, size, "%.*s and %.*s%s%s", (int)(first.e - first.s), first.s,
                     (int)(second.e - second.s), second.s, *y ? " " : "", y);
        else
            snprintf(buf, size, "%.*s et al.%s%s", (int)(first.e - first.s), first.s, *y ? " " : "",
                     y);
        return buf;
    }
    /* No authors read: the title, cut at a word past 90 characters. */
    size_t len = (size_t)(head_end - c), cut = len;
    if (len > 90) {
        cut = 90;
        while (cut < len && c[cut] != ' ')
            cut++;
    }
    snprintf(buf, size, "\"%.*s%s\"%s%s%s", (int)cut, c, cut < len ? "..." : "", *y ? " (" : "", y,
             *y ? ")" : "");
    return buf;
}

const char *mn_evidence_bundled_cite(const char *study_id)
{
    static const char unknown[] = "a study in the evidence base";
    const char *out = unknown;
    if (!study_id || !study_id[0])
        return out;
    pthread_mutex_lock(&bundled_lock);
    for (int k = 0; bundled_known && k < n_cites; k++)
        if (!strcmp(cites[k].id, study_id))
            out = cites[k].cite;
    pthread_mutex_unlock(&bundled_lock);
    return out;
}

mn_status mn_evidence_bundled_studies(mn_ctx *ctx, const char *concern, int *n)
{
    if (!concern || !n)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL study-count arguments");
    *n = -1;
    pthread_mutex_lock(&bundled_lock);
    mn_status st = bundled_facts(ctx);
    if (bundled_known) {
        *n = 0; /* a concern the bundled studies never name */
        for (int k = 0; k < n_shallow; k++)
            if (!strcmp(shallow[k].concern, concern))
                *n = shallow[k].studies;
    }
    pthread_mutex_unlock(&bundled_lock);
    return st;
}
