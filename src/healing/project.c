/*
 * Uncertainty bands (virtual copies of one person drawn from the variability spreads) and the
 * planner's projection: course, then maintenance at the longest interval in the clinic's
 * bounds (3-12 months, DESIGN 3.5) that keeps improvement >= a target fraction of the
 * course's peak. The maintenance `simulate` reports is the same projection of a scenario's
 * sessions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/quantile.h"
#include "healing/healing_internal.h"

#define MN_INTERVAL_STEP_DAYS 7
#define MN_Z90                1.2815515655446004 /* 90th percentile of the standard normal */

/* A person's response gain and severity of the concern (mn_healing_variability), as the
 * projection's quick band shifts them from the person projected (options.person). */
typedef struct {
    double gain, severity;
} person_scale;

static const person_scale unshifted = {1.0, 1.0};

mn_status mn_healing_band(mn_ctx *ctx, const mn_healing_scenario *sc, const int *report_days,
                          int n_report, int draws, uint64_t seed, double q_lo, double q_hi,
                          double *low_pct, double *high_pct)
{
    return mn__healing_band_params(ctx, NULL, sc, report_days, n_report, draws, seed, q_lo, q_hi,
                                   low_pct, high_pct);
}

mn_status mn__healing_band_params(mn_ctx *ctx, const mn_healing_params *par,
                                  const mn_healing_scenario *sc, const int *report_days,
                                  int n_report, int draws, uint64_t seed, double q_lo, double q_hi,
                                  double *low_pct, double *high_pct)
{
    if (!sc || draws < 1 || draws > 100000 || n_report < 0 || !(q_lo >= 0 && q_lo <= q_hi) ||
        !(q_hi <= 1) || (n_report > 0 && (!low_pct || !high_pct)))
        return mn__error(ctx, MN_EINVAL, "healing: bad band arguments");
    if (n_report == 0)
        return MN_OK;
    mn_status st = MN_OK;
    double *vals = mn__malloc(sizeof(double) * (size_t)draws * (size_t)n_report);
    double *col = mn__malloc(sizeof(double) * (size_t)draws);
    mn_healing_sample *smp = mn__malloc(sizeof *smp * (size_t)n_report);
    if (!vals || !col || !smp) {
        st = mn__error(ctx, MN_ENOMEM, "healing: out of memory for the band");
        goto done;
    }
    for (int i = 0; i < draws; i++) {
        mn_rng rng;
        mn_rng_init(&rng, seed, (uint64_t)i);
        mn_healing_variability v;
        mn_healing_variability_sample(&rng, &v);
        mn__healing_params p;
        if (par && mn__healing_params_from(par, &p)) {
            st =
                mn__error(ctx, MN_EINVAL,
                          "healing: a parameter set must be filled by mn_healing_params_default()");
            goto done;
        }
        if (!par && (st = mn__healing_param_draw(ctx, seed, (uint64_t)i, &p)))
            goto done;
        if ((st = mn__healing_run_params(ctx, &p, sc, &v, NULL, report_days, n_report, smp, NULL)))
            goto done;
        for (int d = 0; d < n_report; d++)
            vals[(size_t)d * (size_t)draws + (size_t)i] = smp[d].improvement_pct;
    }
    for (int d = 0; d < n_report; d++) {
        memcpy(col, vals + (size_t)d * (size_t)draws, sizeof(double) * (size_t)draws);
        qsort(col, (size_t)draws, sizeof(double), mn__cmp_double);
        low_pct[d] = mn__quantile_sorted(col, draws, q_lo);
        high_pct[d] = mn__quantile_sorted(col, draws, q_hi);
    }
done:
    mn__free(vals);
    mn__free(col);
    mn__free(smp);
    return st;
}

void mn_projection_options_init(mn_projection_options *opts)
{
    opts->target_fraction = MN_MAINTENANCE_TARGET_FRACTION;
    opts->horizon_days = 730;
    opts->step_days = 7;
    opts->min_interval_days = MN_MAINTENANCE_MIN_DAYS;
    opts->max_interval_days = MN_MAINTENANCE_MAX_DAYS;
    opts->band_draws = 64;
    opts->seed = MN_BAND_DEFAULT_SEED; /* fixed, so the same plan always shows the same band */
    opts->params = NULL;
    opts->person = NULL;
}

void mn_healing_projection_release(mn_healing_projection *p)
{
    if (!p)
        return;
    mn__free(p->samples);
    memset(p, 0, sizeof *p);
}

/* Fills sessions: the course, then maintenance every @p interval days (0 = none) from the last
 * course session, up to @p horizon. Returns the count. */
static int build_sessions(const mn_course_session *course, int n_course, const mn_device *device,
                          int interval, int horizon, mn_healing_session *out, int max_out)
{
    int n = 0;
    for (int i = 0; i < n_course && n < max_out && course[i].day <= horizon; i++)
        out[n++] =
            (mn_healing_session){course[i].day, device, course[i].needle_mm, course[i].passes, 0};
    if (interval > 0) {
        const mn_course_session *last = &course[n_course - 1];
        for (int d = last->day + interval; d <= horizon && n < max_out; d += interval)
            out[n++] = (mn_healing_session){d, device, last->needle_mm, last->passes, 0};
    }
    return n;
}

/* Superposition: the visible collagen change on each day 0..days-1 is the twin's drift plus
 * each session's response, a shifted copy of one session's response @p unit scaled by the
 * session's amplitude (its collagen-III injection over the unit session's). Exact, since the
 * cascade is linear in its states. Writes the improvement (or, with @p gain_scale, the
 * improvement when every session's response is scaled by it: the response-gain band). */
typedef struct {
    const mn__healing_params *par;
    const mn_healing_scenario *sc;
    const double *unit, *twin;
    double *course_sum; /* the course sessions' added collagen, every day */
    double gain0;       /* response gain at the first session's age */
    double severity;    /* the person's severity_scale (mn_healing_variability) */
    double depth_scale; /* the person's depth_fraction_scale */
    int days;
} superposition;

/* Fills S->course_sum from the course sessions (the first @p n of @p ss). */
static void sum_course(superposition *S, const mn_healing_session *ss, int n, double unit_amplitude)
{
    for (int d = 0; d < S->days; d++)
        S->course_sum[d] = 0;
    for (int i = 0; i < n; i++) {
        double a = mn__healing_session_response_scaled(
                       S->par, &ss[i], S->sc->zone, &S->sc->patient,
                       S->sc->patient.age_years + ss[i].day / MN__DAYS_PER_YEAR, S->depth_scale) /
                   unit_amplitude;
        for (int d = ss[i].day; d < S->days; d++)
            S->course_sum[d] += a * S->unit[d - ss[i].day];
    }
}

/* Improvement on days 0..upto-1: the twin, the course, and maintenance sessions (at the unit
 * session's settings) on @p maint_days, in the person @p ps (every session's response scaled
 * by its gain, the improvement scale by its severity). */
static void superpose(const superposition *S, const int *maint_days, int n_maint, person_scale ps,
                      double *imp, int upto)
{
    if (upto > S->days)
        upto = S->days;
    for (int d = 0; d < upto; d++)
        imp[d] = S->course_sum[d];
    for (int i = 0; i < n_maint; i++) {
        int t = maint_days[i];
        double a = mn__healing_response_gain(S->par, &S->sc->patient,
                                             S->sc->patient.age_years + t / MN__DAYS_PER_YEAR) /
                   S->gain0;
        for (int d = t; d < upto; d++)
            imp[d] += a * S->unit[d - t];
    }
    for (int d = 0; d < upto; d++)
        imp[d] = mn__healing_improvement(S->par, S->sc->concern->response_weight,
                                         ps.severity * S->severity, S->twin[d] + ps.gain * imp[d]);
}

/* Maintenance days every @p interval after @p last_day, before @p end. */
static int maintenance_days(int last_day, int interval, int end, int *out, int max_out)
{
    int n = 0;
    for (int d = last_day + interval; interval > 0 && d < end && n < max_out; d += interval)
        out[n++] = d;
    return n;
}

static double min_from(const double *imp, int days, int from_day)
{
    double m = 1e300;
    for (int d = from_day; d < days; d++)
        if (imp[d] < m)
            m = imp[d];
    return m;
}

/* The longest maintenance interval (on a 7-day grid from the shortest) that holds
 * target_fraction x the course's peak from the peak through the window, for the person @p ps
 * whose course alone is summarised by @p sum; the shortest when none holds. Sets *bounded
 * when the bounds bind: -1 when even the shortest does not hold the target, +1 when the
 * course holds it past the longest, else 0. More frequent maintenance never lowers the improvement,
 * so the intervals that hold form a prefix of the grid: bisect it. @p mdays and @p imp are scratch
 * (max_sessions and sim_days + 1 entries). */
static int choose_interval(const superposition *S, person_scale ps, int last_day,
                           const mn_projection_options *o, const mn_healing_summary *sum,
                           int sim_days, int *mdays, int max_sessions, double *imp, int *bounded)
{
    double target = o->target_fraction * sum->peak_improvement_pct;
    int n_grid = (o->max_interval_days - o->min_interval_days) / MN_INTERVAL_STEP_DAYS + 1;
    int holds_lo = -1, fails_hi = n_grid;
    int mid = n_grid - 1;
    while (fails_hi - holds_lo > 1) {
        int T = o->min_interval_days + mid * MN_INTERVAL_STEP_DAYS;
        /* Two cycles at this interval and the response to the second. */
        int upto = last_day + 2 * T + 91;
        upto = upto < sim_days + 1 ? upto : sim_days + 1;
        int n = maintenance_days(last_day, T, upto, mdays, max_sessions);
        superpose(S, mdays, n, ps, imp, upto);
        if (min_from(imp, upto, sum->peak_day) >= target)
            holds_lo = mid;
        else
            fails_hi = mid;
        mid = (holds_lo + fails_hi) / 2;
        if (mid < 0)
            mid = 0;
    }
    *bounded = 0;
    if (holds_lo < 0) {
        *bounded = -1;
        return o->min_interval_days;
    }
    int chosen = o->min_interval_days + holds_lo * MN_INTERVAL_STEP_DAYS;
    /* The course alone holds the target past the longest interval: the bound binds. */
    if (holds_lo == n_grid - 1 &&
        (sum->durability_days < 0 || sum->peak_day + sum->durability_days > last_day + chosen))
        *bounded = 1;
    return chosen;
}

/* Scratch of one person's run (sized as in mn_healing_project). */
typedef struct {
    mn_healing_session *sessions;
    double *unit, *twin, *course_sum, *imp;
    int *mdays;
} person_work;

/* What one virtual person's course gives: its peak, durability (-1: beyond the search) and
 * the maintenance interval chosen for that person. */
typedef struct {
    double peak;
    int durability, interval;
    int bound;    /* choose_interval()'s side: +1 when the longest interval binds */
    int baseline; /* back to baseline: the first day after the peak at or below 0 (-1: beyond
                     the search; 0 when the course gives no gain, as mn_healing_run()) */
} person_outcome;

/* The course for the person (@p par, @p var): its summary, its own maintenance interval, and
 * its curve on @p days with maintenance every @p typical_interval days (the plan's), written
 * to @p curve. Exact: the course and each maintenance session superpose. */
static mn_status person_run(mn_ctx *ctx, const mn__healing_params *par,
                            const mn_healing_variability *var, const mn_patient *patient,
                            const mn_site *zone, const mn_concern *concern, const mn_device *device,
                            const mn_course_session *course, int n_course,
                            const mn_projection_options *o, int sim_days, int max_sessions,
                            int typical_interval, const int *days, int n_samples, person_work *w,
                            double *curve, person_outcome *res)
{
    /* One session alone on day 0 for this person: every schedule superposes shifted,
     * scaled copies of it (its amplitude: the collagen-III injection at this person's
     * effective depth and the session's age; the rest of the cascade is the same linear
     * system for every session of one person). */
    mn_healing_scenario sc = {*patient, zone, concern, w->sessions, 1, sim_days};
    w->sessions[0] = (mn_healing_session){0, device, course[n_course - 1].needle_mm,
                                          course[n_course - 1].passes, 0};
    mn_status st = mn__healing_series_var(ctx, par, &sc, var, w->unit, w->twin, NULL);
    if (st)
        return st;
    double ds = var->depth_fraction_scale;
    double unit_amp = mn__healing_session_response_scaled(par, &w->sessions[0], zone, patient,
                                                          patient->age_years, ds);
    for (int d = 0; d <= sim_days; d++)
        w->course_sum[d] = 0;
    for (int i = 0; i < n_course && course[i].day <= sim_days && unit_amp > 0; i++) {
        mn_healing_session si = {course[i].day, device, course[i].needle_mm, course[i].passes, 0};
        double a =
            mn__healing_session_response_scaled(
                par, &si, zone, patient, patient->age_years + si.day / MN__DAYS_PER_YEAR, ds) /
            unit_amp;
        for (int d = si.day; d <= sim_days; d++)
            w->course_sum[d] += a * w->unit[d - si.day];
    }
    superposition S = {
        par,     &sc,           w->unit,
        w->twin, w->course_sum, mn__healing_response_gain(par, patient, patient->age_years),
        1.0, /* the person's severity is in ps */
        ds,      sim_days + 1};
    person_scale ps = {1.0, var->severity_scale}; /* the gain is inside the runs */
    int last_day = course[n_course - 1].day, bounded;
    /* The course alone: its peak (the first of equals) and the first day after it below half
     * of it, as mn_healing_run()'s summary finds them; past the window, the run's search. */
    superpose(&S, NULL, 0, ps, w->imp, sim_days + 1);
    mn_healing_summary sum;
    memset(&sum, 0, sizeof sum);
    sum.peak_improvement_pct = -1e300;
    for (int d = 0; d <= sim_days; d++)
        if (w->imp[d] > sum.peak_improvement_pct) {
            sum.peak_improvement_pct = w->imp[d];
            sum.peak_day = d;
        }
    sum.durability_days = -1;
    for (int d = sum.peak_day + 1; d <= sim_days; d++)
        if (w->imp[d] < 0.5 * sum.peak_improvement_pct) {
            sum.durability_days = d - sum.peak_day;
            break;
        }
    sum.back_to_baseline_day = -1;
    if (sum.peak_improvement_pct <= 1e-9)
        sum.back_to_baseline_day = 0; /* no gain, as mn_healing_run()'s summary */
    for (int d = sum.peak_day + 1; d <= sim_days && sum.back_to_baseline_day < 0; d++)
        if (w->imp[d] <= 0)
            sum.back_to_baseline_day = d;
    if (sum.durability_days < 0 || sum.back_to_baseline_day < 0) {
        mn_healing_summary run;
        sc.n_sessions =
            build_sessions(course, n_course, device, 0, sim_days, w->sessions, max_sessions);
        sc.horizon_days = last_day + MN__DAYS_PER_COMMON_YEAR < sim_days
                              ? last_day + MN__DAYS_PER_COMMON_YEAR
                              : sim_days;
        mn_healing_options ho;
        mn_healing_options_init(&ho);
        if (sum.durability_days >= 0) {
            /* Only the baseline is missing: run to just past the peak (the run finds the same
             * peak) and search from there as far as the year-on horizon's search reaches (the
             * typical person's), at most MN_HEALING_MAX_DAYS past the peak, in fewer daily
             * steps. */
            int end = sc.horizon_days + ho.search_limit_days;
            sc.horizon_days = (sum.peak_day > last_day ? sum.peak_day : last_day) + 1;
            ho.search_limit_days = end - sc.horizon_days;
        }
        if ((st = mn__healing_run_params(ctx, par, &sc, var, &ho, NULL, 0, NULL, &run)))
            return st;
        if (sum.durability_days < 0)
            sum.durability_days = run.durability_days;
        if (sum.back_to_baseline_day < 0)
            sum.back_to_baseline_day = run.back_to_baseline_day;
        sc.horizon_days = sim_days;
    }
    res->peak = sum.peak_improvement_pct;
    res->durability = sum.durability_days;
    res->baseline = sum.back_to_baseline_day;
    res->interval = choose_interval(&S, ps, last_day, o, &sum, sim_days, w->mdays, max_sessions,
                                    w->imp, &bounded);
    res->bound = bounded;
    /* The curve on the sample days alone (the superposition of superpose(), day by day). */
    int n = maintenance_days(last_day, typical_interval, sim_days + 1, w->mdays, max_sessions);
    for (int i = 0; i < n_samples; i++) {
        int d = days[i];
        double x = w->course_sum[d];
        for (int k = 0; k < n && w->mdays[k] <= d; k++)
            x += mn__healing_response_gain(par, patient,
                                           patient->age_years + w->mdays[k] / MN__DAYS_PER_YEAR) /
                 S.gain0 * w->unit[d - w->mdays[k]];
        curve[i] = mn__healing_improvement(par, concern->response_weight, ps.severity,
                                           w->twin[d] + ps.gain * x);
    }
    return MN_OK;
}

/* The band's ends over @p n values (the 10th and 90th percentiles; with two, their min and
 * max). Sorts @p v. Infinite values sort last. */
static void range_of(double *v, int n, double *lo, double *hi)
{
    qsort(v, (size_t)n, sizeof(double), mn__cmp_double);
    if (n == 2) {
        *lo = v[0];
        *hi = v[1];
        return;
    }
    *lo = mn__quantile_sorted(v, n, MN_BAND_QUANTILE_LOW);
    *hi = mn__quantile_sorted(v, n, MN_BAND_QUANTILE_HIGH);
}

/* The landmarks of the curve shown: its peak, where it falls below the target and where it is
 * back to baseline (healing.h). */
static void mark_samples(mn_healing_projection *out, double target_fraction)
{
    const mn_projection_sample *s = out->samples;
    int pk = 0;
    for (int i = 1; i < out->n_samples; i++)
        if (s[i].improvement_pct > s[pk].improvement_pct)
            pk = i;
    out->peak_sample = pk;
    out->below_target_sample = out->baseline_sample = -1;
    for (int i = pk + 1; i < out->n_samples; i++)
        if (s[i].improvement_pct < target_fraction * s[pk].improvement_pct) {
            out->below_target_sample = i;
            break;
        }
    for (int i = pk + 1; i < out->n_samples; i++)
        if (s[pk].improvement_pct > 0.0 && s[i].improvement_pct <= 0.0) {
            out->baseline_sample = i;
            break;
        }
}

static mn_status project(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                         const mn_concern *concern, const mn_device *device,
                         const mn_course_session *course, int n_course,
                         const mn_projection_options *opts, int beyond, mn_healing_projection *out);

/* The one session that every schedule superposes: the course's last session's settings, on
 * day 0. */
static mn_healing_session unit_session(const mn_device *device, const mn_course_session *last)
{
    return (mn_healing_session){0, device, last->needle_mm, last->passes, 0};
}

int mn__healing_bound_agrees(int unbounded_days, int chosen_days)
{
    return unbounded_days > 0 && unbounded_days <= chosen_days;
}

int mn__healing_project_reaches_dermis(const mn_patient *patient, const mn_site *zone,
                                       const mn_device *device, const mn_course_session *last,
                                       const mn_projection_options *opts)
{
    mn_projection_options o;
    if (opts)
        o = *opts;
    else
        mn_projection_options_init(&o);
    mn__healing_params par;
    if (!patient || !zone || !device || !last || mn__healing_params_from(o.params, &par))
        return 1;
    mn_healing_variability person;
    if (o.person)
        person = *o.person;
    else
        mn_healing_variability_init(&person);
    mn_healing_session s = unit_session(device, last);
    return mn__healing_reaches_dermis(&par, &s, zone, patient, person.depth_fraction_scale);
}

mn_status mn_healing_project(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                             const mn_concern *concern, const mn_device *device,
                             const mn_course_session *course, int n_course,
                             const mn_projection_options *opts, mn_healing_projection *out)
{
    return project(ctx, patient, zone, concern, device, course, n_course, opts, 1, out);
}

/* The model's own interval when the longest bound binds: the same search on the grid from the
 * longest bound up to MN_MAINTENANCE_SEARCH_MAX_DAYS (or as far as two cycles and the
 * response to the second fit in the model's days), for the person projected, without a band.
 * -1 when the course holds the target past that too. */
static mn_status interval_beyond(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                                 const mn_concern *concern, const mn_device *device,
                                 const mn_course_session *course, int n_course,
                                 const mn_projection_options *o, int chosen, int *out)
{
    int last_day = course[n_course - 1].day;
    int limit = (MN_HEALING_MAX_DAYS - 90 - last_day) / 2;
    if (limit > MN_MAINTENANCE_SEARCH_MAX_DAYS)
        limit = MN_MAINTENANCE_SEARCH_MAX_DAYS;
    *out = -1;
    if (limit < chosen + MN_INTERVAL_STEP_DAYS)
        return MN_OK;
    mn_projection_options far = *o;
    far.min_interval_days = chosen; /* holds: the grid goes on from it */
    far.max_interval_days = limit;
    far.band_draws = -1;
    mn_healing_projection u;
    mn_status st = project(ctx, patient, zone, concern, device, course, n_course, &far, 0, &u);
    if (st)
        return st;
    *out = u.interval_bound_side > 0 ? -1 : u.maintenance_interval_days;
    mn_healing_projection_release(&u);
    return MN_OK;
}

static mn_status project(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                         const mn_concern *concern, const mn_device *device,
                         const mn_course_session *course, int n_course,
                         const mn_projection_options *opts, int beyond, mn_healing_projection *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "healing: NULL projection");
    memset(out, 0, sizeof *out);
    if (!patient || !zone || !concern || !device || !course || n_course < 1 ||
        n_course > MN_HEALING_MAX_SESSIONS)
        return mn__error(ctx, MN_EINVAL,
                         "healing: projection needs a patient, zone, concern, device and 1-%d "
                         "course sessions",
                         MN_HEALING_MAX_SESSIONS);
    mn_projection_options o;
    if (opts)
        o = *opts;
    else
        mn_projection_options_init(&o);
    if (!(o.target_fraction > 0 && o.target_fraction < 1) || o.horizon_days < 1 ||
        o.horizon_days > MN_HEALING_MAX_DAYS || o.step_days < 1 || o.min_interval_days < 1 ||
        o.max_interval_days < o.min_interval_days || o.band_draws < -1 || o.band_draws > 100000)
        return mn__error(ctx, MN_EINVAL, "healing: projection options out of range");
    if (course[0].day < 0)
        return mn__error(ctx, MN_EINVAL, "healing: course session on day %d, before day 0",
                         course[0].day);
    for (int i = 1; i < n_course; i++)
        if (course[i].day < course[i - 1].day)
            return mn__error(ctx, MN_EINVAL, "healing: course sessions must be sorted by day");
    int last_day = course[n_course - 1].day;
    /* Long enough to see the course's peak and two maintenance cycles at the longest interval
     * with the response to the second (~3 months), and the planner's horizon. */
    int horizon = o.horizon_days;
    int sim_days = last_day + 2 * o.max_interval_days + 90;
    if (sim_days < horizon)
        sim_days = horizon;
    if (sim_days > MN_HEALING_MAX_DAYS)
        return mn__error(ctx, MN_ERANGE,
                         "healing: no maintenance can be timed after a session on day %d: two "
                         "cycles of up to %d days and the response to the second would run past "
                         "the model's %d-day limit",
                         last_day, o.max_interval_days, MN_HEALING_MAX_DAYS);
    mn__healing_params par;
    if (mn__healing_params_from(o.params, &par))
        return mn__error(ctx, MN_EINVAL,
                         "healing: options.params was not filled by mn_healing_params_default()");
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.params = o.params;
    mn_healing_variability person;
    if (o.person)
        person = *o.person;
    else
        mn_healing_variability_init(&person);

    mn_status st = MN_OK;
    int max_sessions = n_course + sim_days / o.min_interval_days + 1;
    if (max_sessions > MN_HEALING_MAX_SESSIONS)
        max_sessions = MN_HEALING_MAX_SESSIONS;
    int n_samples = horizon / o.step_days + 1 + (horizon % o.step_days ? 1 : 0);
    size_t nd = (size_t)sim_days + 1;
    mn_healing_session *sessions = mn__malloc(sizeof *sessions * (size_t)max_sessions);
    double *unit = mn__malloc(sizeof(double) * nd);
    double *twin = mn__malloc(sizeof(double) * nd);
    double *imp = mn__malloc(sizeof(double) * nd);
    double *typical = mn__malloc(sizeof(double) * nd);
    double *course_sum = mn__malloc(sizeof(double) * nd);
    int *mdays = mn__malloc(sizeof(int) * (size_t)max_sessions);
    int *days = mn__malloc(sizeof *days * (size_t)n_samples);
    double *lo = mn__malloc(sizeof *lo * (size_t)(n_samples + 1));
    double *hi = mn__malloc(sizeof *hi * (size_t)(n_samples + 1));
    mn_projection_sample *ps = mn__calloc((size_t)n_samples, sizeof *ps);
    if (!sessions || !unit || !twin || !imp || !typical || !course_sum || !mdays || !days || !lo ||
        !hi || !ps) {
        st = mn__error(ctx, MN_ENOMEM, "healing: out of memory for the projection");
        goto fail;
    }
    mn_healing_scenario sc = {*patient, zone, concern, sessions, 0, sim_days};

    /* One session alone on day 0 (the last course session's settings): its response and the
     * untreated twin, every day; every schedule is then a superposition of shifted copies. */
    sessions[0] = unit_session(device, &course[n_course - 1]);
    sc.n_sessions = 1;
    if ((st = mn__healing_series(ctx, &par, &sc, &person, unit, twin)))
        goto fail;
    if (!mn__healing_reaches_dermis(&par, &sessions[0], zone, patient,
                                    person.depth_fraction_scale)) {
        st = mn__error(ctx, MN_ERANGE,
                       "healing: %.2f mm with %s does not reach the dermis of the %s, so there is "
                       "no collagen response to project",
                       course[n_course - 1].needle_mm, device->id, zone->id);
        goto fail;
    }
    double unit_amplitude = mn__healing_session_response_scaled(
        &par, &sessions[0], zone, patient, patient->age_years, person.depth_fraction_scale);
    if (!(unit_amplitude > 0)) { /* constants (opts.params) with no collagen response at all */
        st = mn__error(ctx, MN_ERANGE,
                       "healing: %.2f mm with %s reaches the dermis of the %s, but the model's "
                       "constants give it no collagen response to project",
                       course[n_course - 1].needle_mm, device->id, zone->id);
        goto fail;
    }
    superposition S = {&par,
                       &sc,
                       unit,
                       twin,
                       course_sum,
                       mn__healing_response_gain(&par, patient, patient->age_years),
                       person.severity_scale,
                       person.depth_fraction_scale,
                       sim_days + 1};
    sc.n_sessions = build_sessions(course, n_course, device, 0, sim_days, sessions, max_sessions);
    sum_course(&S, sessions, n_course, unit_amplitude);

    /* The course alone, run directly for its summary (peak, durability past the window). */
    sc.n_sessions = build_sessions(course, n_course, device, 0, sim_days, sessions, max_sessions);
    int year_on = last_day + MN__DAYS_PER_COMMON_YEAR;
    sc.horizon_days = year_on < sim_days ? year_on : sim_days;
    mn_healing_summary sum;
    if ((st = mn_healing_run(ctx, &sc, &person, &ho, NULL, 0, NULL, &sum)))
        goto fail;
    sc.horizon_days = sim_days;
    out->peak_improvement_pct = sum.peak_improvement_pct;
    out->peak_day = sum.peak_day;
    out->durability_days = sum.durability_days;
    out->back_to_baseline_day = sum.back_to_baseline_day;

    int chosen = choose_interval(&S, unshifted, last_day, &o, &sum, sim_days, mdays, max_sessions,
                                 imp, &out->interval_bound_side);
    out->interval_bounded = out->interval_bound_side != 0;
    out->interval_at_longest_fraction = out->interval_bound_side > 0;
    out->maintenance_interval_days = chosen;
    out->maintenance_first_day = last_day + chosen;
    if (out->interval_bound_side > 0 && beyond &&
        (st = interval_beyond(ctx, patient, zone, concern, device, course, n_course, &o, chosen,
                              &out->interval_unbounded_days)))
        goto fail;

    /* The curve shown: course and maintenance over the planner's horizon. */
    int n_maint = maintenance_days(last_day, chosen, sim_days + 1, mdays, max_sessions);
    superpose(&S, mdays, n_maint, unshifted, typical, sim_days + 1);
    int from = sum.peak_day < horizon ? sum.peak_day : horizon;
    out->min_improvement_after_peak_pct = min_from(typical, horizon + 1, from);
    for (int i = 0; i < n_samples; i++)
        days[i] = i * o.step_days <= horizon ? i * o.step_days : horizon;
    out->peak_low_pct = out->peak_high_pct = out->peak_improvement_pct;
    out->peak_median_pct = NAN;
    out->peak_range_widened = 0;
    out->durability_low_days = out->durability_high_days = out->durability_days;
    out->back_to_baseline_low_day = out->back_to_baseline_high_day = out->back_to_baseline_day;
    out->baseline_beyond_fraction = out->back_to_baseline_day < 0;
    out->maintenance_interval_low_days = out->maintenance_interval_high_days = chosen;
    if (o.band_draws >= 0) {
        /* Posterior-predictive ranges: each virtual person (a parameter draw times a
         * variability draw, draws.c) gets the course's peak, durability and own maintenance
         * interval, and the curve with the typical person's maintenance; the 10th and 90th
         * percentiles over them are the ranges. The quick band (band_draws 0) has two people:
         * the response gain and the severity of the concern, the two largest sources of
         * spread (the other multipliers at 1), at the 10th and 90th percentiles of
         * ln(gain / severity), normal with sd s = sqrt(sg^2 + ss^2), each at its most likely
         * point on that percentile (ln gain = z sg^2 / s, ln severity = -z ss^2 / s); their
         * curves are exact by superposition, and the ranges are their two ends. */
        int nb = o.band_draws > 0 ? o.band_draws : 2;
        person_work w = {sessions, unit, twin, course_sum, imp, mdays};
        double *peaks = mn__malloc(sizeof(double) * (size_t)nb * 5);
        double *curves = mn__malloc(sizeof(double) * (size_t)nb * (size_t)n_samples);
        if (!peaks || !curves) {
            mn__free(peaks);
            mn__free(curves);
            st = mn__error(ctx, MN_ENOMEM, "healing: out of memory for the band");
            goto fail;
        }
        double *durs = peaks + nb, *ints = peaks + 2 * nb, *col = peaks + 3 * nb,
               *bases = peaks + 4 * nb;
        int base_beyond = 0;
        double sg = MN__RESPONSE_GAIN_SD_LOG, ss = MN__SEVERITY_SD_LOG;
        int at_longest = 0;
        double sd = sqrt(sg * sg + ss * ss);
        for (int b = 0; b < nb && !st; b++) {
            mn__healing_params pb;
            mn_healing_variability vb;
            if (o.band_draws > 0) {
                mn_rng rng;
                mn_rng_init(&rng, o.seed, (uint64_t)b);
                mn_healing_variability_sample(&rng, &vb);
                if (o.params) /* the caller's set: between-person spread alone */
                    pb = par;
                else if ((st = mn__healing_param_draw(ctx, o.seed, (uint64_t)b, &pb)))
                    break;
            } else {
                double z = b == 0 ? -MN_Z90 : MN_Z90;
                pb = par;
                mn_healing_variability_init(&vb);
                vb.response_gain = exp(z * sg * sg / sd);
                vb.severity_scale = exp(-z * ss * ss / sd);
            }
            person_outcome pr = {0, 0, 0, 0, 0};
            st = person_run(ctx, &pb, &vb, patient, zone, concern, device, course, n_course, &o,
                            sim_days, max_sessions, chosen, days, n_samples, &w,
                            curves + (size_t)b * (size_t)n_samples, &pr);
            peaks[b] = pr.peak;
            durs[b] = pr.durability >= 0 ? (double)pr.durability : (double)INFINITY;
            ints[b] = pr.interval;
            at_longest += pr.bound > 0;
            bases[b] = pr.baseline >= 0 ? (double)pr.baseline : (double)INFINITY;
            base_beyond += pr.baseline < 0;
        }
        out->interval_at_longest_fraction = (double)at_longest / nb;
        if (!st) {
            for (int i = 0; i < n_samples; i++) {
                for (int b = 0; b < nb; b++)
                    col[b] = curves[(size_t)b * (size_t)n_samples + (size_t)i];
                range_of(col, nb, &lo[i], &hi[i]);
            }
            range_of(peaks, nb, &out->peak_low_pct, &out->peak_high_pct);
            if (o.band_draws > 0) /* peaks sorted by range_of */
                out->peak_median_pct = mn__quantile_sorted(peaks, nb, 0.5);
            out->peak_range_widened = out->peak_low_pct > out->peak_improvement_pct ||
                                      out->peak_high_pct < out->peak_improvement_pct;
            double dlo, dhi, ilo, ihi;
            range_of(durs, nb, &dlo, &dhi);
            range_of(ints, nb, &ilo, &ihi);
            out->durability_low_days = isfinite(dlo) ? (int)floor(dlo + 0.5) : -1;
            out->durability_high_days = isfinite(dhi) ? (int)floor(dhi + 0.5) : -1;
            double blo, bhi;
            range_of(bases, nb, &blo, &bhi);
            out->back_to_baseline_low_day = isfinite(blo) ? (int)floor(blo + 0.5) : -1;
            out->back_to_baseline_high_day = isfinite(bhi) ? (int)floor(bhi + 0.5) : -1;
            out->baseline_beyond_fraction = (double)base_beyond / nb;
            out->maintenance_interval_low_days = (int)floor(ilo + 0.5);
            out->maintenance_interval_high_days = (int)floor(ihi + 0.5);
        }
        mn__free(peaks);
        mn__free(curves);
        if (st)
            goto fail;
    }
    if (out->peak_low_pct > out->peak_improvement_pct)
        out->peak_low_pct = out->peak_improvement_pct;
    if (out->peak_high_pct < out->peak_improvement_pct)
        out->peak_high_pct = out->peak_improvement_pct;
    for (int i = 0; i < n_samples; i++) {
        ps[i].day = days[i];
        ps[i].improvement_pct = typical[days[i]];
        ps[i].low_pct = o.band_draws >= 0 ? lo[i] : ps[i].improvement_pct;
        ps[i].high_pct = o.band_draws >= 0 ? hi[i] : ps[i].improvement_pct;
        /* Keep the interval ordered around the typical person (a small draw set may not
         * bracket it). */
        if (ps[i].low_pct > ps[i].improvement_pct)
            ps[i].low_pct = ps[i].improvement_pct;
        if (ps[i].high_pct < ps[i].improvement_pct)
            ps[i].high_pct = ps[i].improvement_pct;
        if (!mn__finite(ps[i].improvement_pct) || !mn__finite(ps[i].low_pct) ||
            !mn__finite(ps[i].high_pct)) {
            st = mn__error(ctx, MN_ENUMERIC, "healing: non-finite projection on day %d", days[i]);
            goto fail;
        }
    }
    out->samples = ps;
    out->n_samples = n_samples;
    ps = NULL;
    out->target_fraction = o.target_fraction;
    mark_samples(out, o.target_fraction);
fail:
    mn__free(sessions);
    mn__free(unit);
    mn__free(twin);
    mn__free(imp);
    mn__free(typical);
    mn__free(course_sum);
    mn__free(mdays);
    mn__free(days);
    mn__free(lo);
    mn__free(hi);
    mn__free(ps);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}

/* simulate's maintenance: the scenario's sessions as a course (healing.h). */
mn_status mn_healing_maintenance(mn_ctx *ctx, const mn_healing_scenario *sc, int band_draws,
                                 uint64_t seed, mn_healing_projection *out)
{
    return mn_healing_maintenance_person(ctx, sc, NULL, band_draws, seed, out);
}

mn_status mn_healing_maintenance_person(mn_ctx *ctx, const mn_healing_scenario *sc,
                                        const mn_healing_variability *person, int band_draws,
                                        uint64_t seed, mn_healing_projection *out)
{
    return mn_healing_maintenance_params(ctx, sc, person, NULL, band_draws, seed, out);
}

mn_status mn_healing_maintenance_params(mn_ctx *ctx, const mn_healing_scenario *sc,
                                        const mn_healing_variability *person,
                                        const mn_healing_params *params, int band_draws,
                                        uint64_t seed, mn_healing_projection *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "healing: NULL projection");
    memset(out, 0, sizeof *out);
    if (!sc || (sc->n_sessions > 0 && !sc->sessions))
        return mn__error(ctx, MN_EINVAL, "healing: NULL scenario");
    if (sc->n_sessions == 0)
        return MN_OK;
    const mn_device *dev = sc->sessions[0].device;
    for (int i = 1; i < sc->n_sessions; i++)
        if (sc->sessions[i].device != dev)
            return MN_OK;
    mn_course_session *course = mn__malloc(sizeof *course * (size_t)sc->n_sessions);
    if (!course)
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory for the maintenance");
    /* On the scenario's own days, so the person's age at each session, the untreated twin's
     * drift before the course and the band all match what the scenario simulates. */
    for (int i = 0; i < sc->n_sessions; i++) {
        course[i].day = sc->sessions[i].day;
        course[i].needle_mm = sc->sessions[i].needle_mm;
        course[i].passes = sc->sessions[i].passes;
    }
    mn_projection_options po;
    mn_projection_options_init(&po);
    po.band_draws = band_draws;
    po.seed = seed;
    po.step_days = 30;
    po.horizon_days = sc->horizon_days; /* the scenario's, not the planner's two years */
    po.person = person;
    po.params = params;
    mn_status st = mn_healing_project(ctx, &sc->patient, sc->zone, sc->concern, dev, course,
                                      sc->n_sessions, &po, out);
    mn__free(course);
    if (st == MN_ERANGE) { /* the needle stays in the epidermis: no maintenance to time */
        mn_ctx_clear_error(ctx);
        st = MN_OK;
    }
    return st;
}
