/*
 * Uncertainty bands (virtual copies of one person drawn from the variability spreads) and the
 * planner's projection: course, then maintenance at the longest interval in the clinic's
 * bounds (3-12 months, DESIGN 3.5) that keeps improvement >= a target fraction of the
 * course's peak.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "healing/healing_internal.h"

#define MN_INTERVAL_STEP_DAYS 7

static int mn_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double mn_quantile(const double *sorted, int n, double q)
{
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return sorted[n - 1];
    double f = pos - i;
    return sorted[i] * (1 - f) + sorted[i + 1] * f;
}

mn_status mn_healing_band(mn_ctx *ctx, const mn_healing_scenario *sc, const int *report_days,
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
        if ((st = mn_healing_run(ctx, sc, &v, NULL, report_days, n_report, smp, NULL)))
            goto done;
        for (int d = 0; d < n_report; d++)
            vals[(size_t)d * (size_t)draws + (size_t)i] = smp[d].improvement_pct;
    }
    for (int d = 0; d < n_report; d++) {
        memcpy(col, vals + (size_t)d * (size_t)draws, sizeof(double) * (size_t)draws);
        qsort(col, (size_t)draws, sizeof(double), mn_cmp_double);
        low_pct[d] = mn_quantile(col, draws, q_lo);
        high_pct[d] = mn_quantile(col, draws, q_hi);
    }
done:
    mn__free(vals);
    mn__free(col);
    mn__free(smp);
    return st;
}

void mn_projection_options_init(mn_projection_options *opts)
{
    opts->target_fraction = 0.8;
    opts->horizon_days = 730;
    opts->step_days = 7;
    opts->min_interval_days = 90;
    opts->max_interval_days = 365;
    opts->band_draws = 64;
    opts->seed = 20131001u; /* fixed, so the same plan always shows the same band */
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
static int mn_build_sessions(const mn_course_session *course, int n_course, const mn_device *device,
                             int interval, int horizon, mn_healing_session *out, int max_out)
{
    int n = 0;
    for (int i = 0; i < n_course && n < max_out; i++)
        out[n++] =
            (mn_healing_session){course[i].day, device, course[i].needle_mm, course[i].passes, 0};
    if (interval > 0) {
        const mn_course_session *last = &course[n_course - 1];
        for (int d = last->day + interval; d <= horizon && n < max_out; d += interval)
            out[n++] = (mn_healing_session){d, device, last->needle_mm, last->passes, 0};
    }
    return n;
}

/* Lowest daily improvement from @p from_day to the horizon. */
static double mn_min_from(const mn_healing_sample *daily, int horizon, int from_day)
{
    double m = 1e300;
    for (int d = from_day; d <= horizon; d++)
        if (daily[d].improvement_pct < m)
            m = daily[d].improvement_pct;
    return m;
}

mn_status mn_healing_project(mn_ctx *ctx, const mn_patient *patient, const mn_site *zone,
                             const mn_concern *concern, const mn_device *device,
                             const mn_course_session *course, int n_course,
                             const mn_projection_options *opts, mn_healing_projection *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "healing: NULL projection");
    memset(out, 0, sizeof *out);
    if (!patient || !zone || !concern || !device || !course || n_course < 1 ||
        n_course > MN_HEALING_MAX_SESSIONS)
        return mn__error(ctx, MN_EINVAL,
                         "healing: projection needs a patient, zone, concern, "
                         "device and 1-%d course sessions",
                         MN_HEALING_MAX_SESSIONS);
    mn_projection_options o;
    if (opts)
        o = *opts;
    else
        mn_projection_options_init(&o);
    if (!(o.target_fraction > 0 && o.target_fraction < 1) || o.horizon_days < 1 ||
        o.horizon_days > MN_HEALING_MAX_DAYS || o.step_days < 1 || o.min_interval_days < 1 ||
        o.max_interval_days < o.min_interval_days || o.band_draws < 0 || o.band_draws > 100000)
        return mn__error(ctx, MN_EINVAL, "healing: projection options out of range");
    for (int i = 1; i < n_course; i++)
        if (course[i].day < course[i - 1].day)
            return mn__error(ctx, MN_EINVAL, "healing: course sessions must be sorted by day");
    int last_day = course[n_course - 1].day;
    /* Long enough to see the course's peak and two maintenance cycles at the longest
     * interval. */
    int horizon = o.horizon_days;
    int window = last_day + 3 * o.max_interval_days;
    if (window > MN_HEALING_MAX_DAYS)
        window = MN_HEALING_MAX_DAYS;
    if (last_day > window)
        return mn__error(ctx, MN_EINVAL, "healing: course longer than %d days",
                         MN_HEALING_MAX_DAYS);
    int sim_days = horizon > window ? horizon : window;

    mn_status st = MN_OK;
    int max_sessions = n_course + sim_days / o.min_interval_days + 1;
    if (max_sessions > MN_HEALING_MAX_SESSIONS)
        max_sessions = MN_HEALING_MAX_SESSIONS;
    mn_healing_session *sessions = mn__malloc(sizeof *sessions * (size_t)max_sessions);
    mn_healing_sample *daily = mn__malloc(sizeof *daily * (size_t)(sim_days + 1));
    int n_samples = horizon / o.step_days + 1 + (horizon % o.step_days ? 1 : 0);
    int *days = mn__malloc(sizeof *days * (size_t)n_samples);
    double *lo = mn__malloc(sizeof *lo * (size_t)(n_samples + 1));
    double *hi = mn__malloc(sizeof *hi * (size_t)(n_samples + 1));
    mn_projection_sample *ps = mn__calloc((size_t)n_samples, sizeof *ps);
    if (!sessions || !daily || !days || !lo || !hi || !ps) {
        st = mn__error(ctx, MN_ENOMEM, "healing: out of memory for the projection");
        goto fail;
    }
    mn_healing_scenario sc = {*patient, zone, concern, sessions, 0, sim_days};

    /* The course alone: its peak and how long it lasts. */
    sc.n_sessions =
        mn_build_sessions(course, n_course, device, 0, sim_days, sessions, max_sessions);
    mn_healing_summary sum;
    if ((st = mn_healing_run(ctx, &sc, NULL, NULL, NULL, sim_days + 1, daily, &sum)))
        goto fail;
    out->peak_improvement_pct = sum.peak_improvement_pct;
    out->peak_day = sum.peak_day;
    out->durability_days = sum.durability_days;
    out->back_to_baseline_day = sum.back_to_baseline_day;
    double target = o.target_fraction * sum.peak_improvement_pct;

    /* The longest interval that holds the target from the peak through the window. */
    int chosen = -1;
    for (int T = o.max_interval_days; T >= o.min_interval_days; T -= MN_INTERVAL_STEP_DAYS) {
        sc.n_sessions =
            mn_build_sessions(course, n_course, device, T, sim_days, sessions, max_sessions);
        if ((st = mn_healing_run(ctx, &sc, NULL, NULL, NULL, sim_days + 1, daily, NULL)))
            goto fail;
        if (mn_min_from(daily, sim_days, sum.peak_day) >= target) {
            chosen = T;
            break;
        }
    }
    if (chosen < 0) {
        chosen = o.min_interval_days;
        out->interval_bounded = 1;
    } else if (chosen == o.max_interval_days) {
        /* Would the course hold even longer without maintenance? Then the bound binds. */
        if (mn_min_from(daily, sim_days, sum.peak_day) > target &&
            (sum.durability_days < 0 || sum.peak_day + sum.durability_days > last_day + chosen))
            out->interval_bounded = 1;
    }
    out->maintenance_interval_days = chosen;
    out->maintenance_first_day = last_day + chosen;

    /* The projection shown: course and maintenance over the planner's horizon. */
    sc.horizon_days = horizon;
    sc.n_sessions =
        mn_build_sessions(course, n_course, device, chosen, horizon, sessions, max_sessions);
    for (int i = 0; i < n_samples; i++)
        days[i] = i * o.step_days <= horizon ? i * o.step_days : horizon;
    if ((st = mn_healing_run(ctx, &sc, NULL, NULL, NULL, horizon + 1, daily, NULL)))
        goto fail;
    out->min_improvement_after_peak_pct =
        mn_min_from(daily, horizon, sum.peak_day < horizon ? sum.peak_day : horizon);
    if (o.band_draws > 0) {
        if ((st = mn_healing_band(ctx, &sc, days, n_samples, o.band_draws, o.seed, 0.1, 0.9, lo,
                                  hi)))
            goto fail;
    }
    for (int i = 0; i < n_samples; i++) {
        ps[i].day = days[i];
        ps[i].improvement_pct = daily[days[i]].improvement_pct;
        ps[i].low_pct = o.band_draws > 0 ? lo[i] : ps[i].improvement_pct;
        ps[i].high_pct = o.band_draws > 0 ? hi[i] : ps[i].improvement_pct;
        /* The band is of the draws; the typical person lies inside it by construction of the
         * spreads, but keep the reported interval ordered if a draw set is small. */
        if (ps[i].low_pct > ps[i].improvement_pct)
            ps[i].low_pct = ps[i].improvement_pct;
        if (ps[i].high_pct < ps[i].improvement_pct)
            ps[i].high_pct = ps[i].improvement_pct;
    }
    /* The band of the course's peak. */
    out->peak_low_pct = out->peak_high_pct = out->peak_improvement_pct;
    if (o.band_draws > 0 && sum.peak_day <= sim_days) {
        sc.horizon_days = sim_days;
        sc.n_sessions =
            mn_build_sessions(course, n_course, device, 0, sim_days, sessions, max_sessions);
        if ((st = mn_healing_band(ctx, &sc, &sum.peak_day, 1, o.band_draws, o.seed, 0.1, 0.9, lo,
                                  hi)))
            goto fail;
        out->peak_low_pct = lo[0] < out->peak_improvement_pct ? lo[0] : out->peak_improvement_pct;
        out->peak_high_pct = hi[0] > out->peak_improvement_pct ? hi[0] : out->peak_improvement_pct;
    }
    out->samples = ps;
    out->n_samples = n_samples;
    ps = NULL;
fail:
    mn__free(sessions);
    mn__free(daily);
    mn__free(days);
    mn__free(lo);
    mn__free(hi);
    mn__free(ps);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}
