/*
 * Cohort statistics that do not depend on the order patients are added in, so threads and
 * MPI ranks can merge them in any order and still give bit-identical results:
 *   - exact sums: each value is rounded to a fixed point of 2^-20 of its unit and added in
 *     integer arithmetic (two 64-bit words), so the mean is exact to 2^-20 whatever the order;
 *   - percentiles from integer-count histograms of MN_COHORT_BIN_PCT-wide bins: each order
 *     statistic is read as the centre of the bin holding it, within half a bin of it
 *     (MN_COHORT_BIN_PCT / 2 = 0.025 percentage points) for values in range, and the
 *     percentile is the program's one rule on them (Hyndman & Fan type 7, core/quantile.h),
 *     so it too is within half a bin of the patients' own;
 *   - for each percentile, a confidence interval of its Monte-Carlo error from the order
 *     statistics (mn__quantile_ci_ranks(), the binomial method);
 *   - min and max (exact in any order).
 * Memory is fixed by the number of endpoints and bins, not by the number of patients.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "cohort/cohort_internal.h"
#include "core/quantile.h"

#define MN__XSUM_BASE ((int64_t)1 << 40)
/* Values beyond this magnitude are clamped before conversion so llround stays defined; the
 * sketch counts them out of range long before (percentages of a few hundred at most). */
#define MN__XSUM_CLAMP 1e9

static void xsum_normalise(mn__xsum *s)
{
    if (s->lo >= MN__XSUM_BASE || s->lo <= -MN__XSUM_BASE) {
        int64_t carry = s->lo / MN__XSUM_BASE;
        s->lo -= carry * MN__XSUM_BASE;
        s->hi += carry;
    }
    assert(s->lo > -MN__XSUM_BASE && s->lo < MN__XSUM_BASE);
}

void mn__xsum_add(mn__xsum *s, double x)
{
    if (NEVER(x != x)) /* models report a non-finite value as MN_ENUMERIC; stay defined */
        x = 0;
    if (x > MN__XSUM_CLAMP)
        x = MN__XSUM_CLAMP;
    if (x < -MN__XSUM_CLAMP)
        x = -MN__XSUM_CLAMP;
    s->lo += (int64_t)llround(ldexp(x, MN__XSUM_FRAC_BITS));
    xsum_normalise(s);
}

void mn__xsum_merge(mn__xsum *s, const mn__xsum *other)
{
    s->hi += other->hi;
    s->lo += other->lo;
    xsum_normalise(s);
}

void mn__xsum_canonical(mn__xsum *s)
{
    xsum_normalise(s);
    if (s->lo < 0) {
        s->lo += MN__XSUM_BASE;
        s->hi -= 1;
    }
    assert(s->lo >= 0 && s->lo < MN__XSUM_BASE);
}

double mn__xsum_value(const mn__xsum *s)
{
    mn__xsum c = *s;
    mn__xsum_canonical(&c);
    return ldexp((double)c.hi, 40 - MN__XSUM_FRAC_BITS) + ldexp((double)c.lo, -MN__XSUM_FRAC_BITS);
}

mn__sketch_shape mn__sketch_shape_make(double lo, double hi, double width)
{
    assert(width > 0 && hi > lo);
    mn__sketch_shape s;
    s.lo = lo;
    s.hi = hi;
    s.width = width;
    s.n_bins = (size_t)llround((hi - lo) / width);
    return s;
}

size_t mn__sketch_bin(const mn__sketch_shape *s, double x)
{
    if (!(x >= s->lo))
        return 0;
    if (x >= s->hi)
        return s->n_bins + 1;
    double b = floor((x - s->lo) / s->width);
    size_t i = (size_t)b + 1;
    return i > s->n_bins ? s->n_bins : i; /* x just below hi may round up */
}

double mn__sketch_quantile(const mn__sketch_shape *s, const uint64_t *counts, uint64_t n, double q)
{
    assert(q >= 0 && q <= 1);
    if (n == 0)
        return 0;
    long i;
    double f;
    mn__quantile_position((long)n, q, &i, &f);
    double x = mn__sketch_at_rank(s, counts, n, (uint64_t)i + 1);
    if (f == 0)
        return x;
    return x * (1 - f) + mn__sketch_at_rank(s, counts, n, (uint64_t)i + 2) * f;
}

double mn__sketch_at_rank(const mn__sketch_shape *s, const uint64_t *counts, uint64_t n,
                          uint64_t rank)
{
    assert(rank >= 1 && rank <= n);
    (void)n;
    uint64_t cum = 0;
    for (size_t i = 0; i < s->n_bins + 2; i++) {
        cum += counts[i];
        if (cum >= rank) {
            if (i == 0)
                return s->lo;
            if (i == s->n_bins + 1)
                return s->hi;
            return s->lo + ((double)(i - 1) + 0.5) * s->width;
        }
    }
    assert(0 && "the histogram holds fewer than n values");
    return s->hi;
}

mn_status mn__cohort_stats_init(mn__cohort_stats *st, int n_endpoints)
{
    assert(n_endpoints >= 1 && n_endpoints <= MN_COHORT_MAX_ENDPOINTS);
    memset(st, 0, sizeof *st);
    st->n_endpoints = n_endpoints;
    st->shape[MN__Q_IMPROVEMENT] = mn__sketch_shape_make(
        MN_COHORT_IMPROVEMENT_LO_PCT, MN_COHORT_IMPROVEMENT_HI_PCT, MN_COHORT_BIN_PCT);
    st->shape[MN__Q_COLLAGEN] =
        mn__sketch_shape_make(MN_COHORT_CHANGE_LO_PCT, MN_COHORT_CHANGE_HI_PCT, MN_COHORT_BIN_PCT);
    st->shape[MN__Q_EPIDERMIS] = st->shape[MN__Q_COLLAGEN];
    st->shape[MN__Q_UNTREATED] = st->shape[MN__Q_IMPROVEMENT];
    st->shape[MN__Q_DIFFERENCE] = mn__sketch_shape_make(
        MN_COHORT_DIFFERENCE_LO_PCT, MN_COHORT_DIFFERENCE_HI_PCT, MN_COHORT_BIN_PCT);
    st->shape[MN__Q_ITT] = st->shape[MN__Q_IMPROVEMENT];
    st->shape[MN__Q_OBSERVED] = st->shape[MN__Q_IMPROVEMENT];
    st->shape[MN__Q_OBSERVED_UNTREATED] = st->shape[MN__Q_UNTREATED];
    st->shape[MN__Q_OBSERVED_DIFFERENCE] = st->shape[MN__Q_DIFFERENCE];
    size_t off = 0;
    for (int q = 0; q < MN__Q_COUNT; q++) {
        st->hist_offset[q] = off;
        off += st->shape[q].n_bins + 2;
    }
    st->per_endpoint = off + MN__C_COUNT;
    st->n_counts = st->per_endpoint * (size_t)n_endpoints + MN__D_COUNT;
    st->n_sums = (size_t)MN__Q_COUNT * (size_t)n_endpoints + 1;
    st->n_extrema = (size_t)MN__Q_COUNT * (size_t)n_endpoints;
    st->counts = mn__calloc(st->n_counts, sizeof *st->counts);
    st->sums = mn__calloc(st->n_sums, sizeof *st->sums);
    st->mins = mn__malloc(st->n_extrema * sizeof *st->mins + 1);
    st->maxs = mn__malloc(st->n_extrema * sizeof *st->maxs + 1);
    if (!st->counts || !st->sums || !st->mins || !st->maxs) {
        mn__cohort_stats_release(st);
        return MN_ENOMEM;
    }
    for (size_t i = 0; i < st->n_extrema; i++) {
        st->mins[i] = HUGE_VAL;
        st->maxs[i] = -HUGE_VAL;
    }
    return MN_OK;
}

void mn__cohort_stats_release(mn__cohort_stats *st)
{
    mn__free(st->counts);
    mn__free(st->sums);
    mn__free(st->mins);
    mn__free(st->maxs);
    memset(st, 0, sizeof *st);
}

void mn__cohort_stats_add(mn__cohort_stats *st, const mn_cohort_patient_result *p,
                          const mn_cohort_outcome *outcomes)
{
    assert(p->patient.fitzpatrick >= 1 && p->patient.fitzpatrick <= 6);
    assert(p->patient.sun >= MN_SUN_LOW && p->patient.sun <= MN_SUN_HIGH);
    uint64_t *demo = st->counts + st->per_endpoint * (size_t)st->n_endpoints;
    demo[MN__D_FEMALE] += p->patient.sex == MN_SEX_FEMALE;
    demo[MN__D_SMOKERS] += p->patient.smoker != 0;
    demo[MN__D_FITZ + (p->patient.fitzpatrick - 1)]++;
    demo[MN__D_SUN + (int)p->patient.sun]++;
    mn__xsum_add(&st->sums[st->n_sums - 1], p->patient.age_years);
    for (int e = 0; e < st->n_endpoints; e++) {
        const mn_cohort_outcome *o = &outcomes[e];
        uint64_t *c = st->counts + st->per_endpoint * (size_t)e;
        double diff = o->improvement_pct - o->untreated_improvement_pct;
        const double v[MN__Q_COUNT] = {o->improvement_pct,
                                       o->collagen_change_pct,
                                       o->epidermis_change_pct,
                                       o->untreated_improvement_pct,
                                       diff,
                                       o->itt_improvement_pct,
                                       o->improvement_pct,
                                       o->untreated_improvement_pct,
                                       diff};
        for (int q = 0; q < MN__Q_COUNT; q++) {
            size_t k = (size_t)e * MN__Q_COUNT + (size_t)q;
            if (mn__cohort_q_completers(q) && !o->observed)
                continue;
            c[st->hist_offset[q] + mn__sketch_bin(&st->shape[q], v[q])]++;
            mn__xsum_add(&st->sums[k], v[q]);
            if (v[q] < st->mins[k])
                st->mins[k] = v[q];
            if (v[q] > st->maxs[k])
                st->maxs[k] = v[q];
        }
        uint64_t *tail = c + st->per_endpoint - MN__C_COUNT;
        tail[MN__C_RESPONDERS] += o->improvement_pct >= 50.0;
        tail[MN__C_RESPONDERS75] += o->improvement_pct > 75.0;
        tail[MN__C_PIH] += o->pih != 0;
        tail[MN__C_MAINTENANCE] += o->maintenance_due != 0;
        tail[MN__C_DIFF_RESPONDERS] += diff >= 50.0;
        tail[MN__C_OBSERVED] += o->observed != 0;
        tail[MN__C_OBSERVED_RESPONDERS] += o->observed && o->improvement_pct >= 50.0;
        tail[MN__C_ITT_RESPONDERS] += o->itt_improvement_pct >= 50.0;
        tail[MN__C_OBSERVED_RESPONDERS75] += o->observed && o->improvement_pct > 75.0;
        tail[MN__C_OBSERVED_PIH] += o->observed && o->pih != 0;
        tail[MN__C_OBSERVED_MAINTENANCE] += o->observed && o->maintenance_due != 0;
        tail[MN__C_OBSERVED_DIFF_RESPONDERS] += o->observed && diff >= 50.0;
    }
    st->n++;
}

/* The confidence interval of the q-quantile of the n values the sketch holds: the order
 * statistics at mn__quantile_ci_ranks(); NaN for an open end. */
static void percentile_ci(const mn__sketch_shape *s, const uint64_t *h, uint64_t n, double q,
                          double ci[2])
{
    long lo = 0, hi = 0;
    ci[0] = ci[1] = NAN;
    if (n == 0)
        return;
    mn__quantile_ci_ranks((long)n, q, MN_COHORT_PERCENTILE_CI_LEVEL, &lo, &hi);
    if (lo > 0)
        ci[0] = mn__sketch_at_rank(s, h, n, (uint64_t)lo);
    if (hi > 0)
        ci[1] = mn__sketch_at_rank(s, h, n, (uint64_t)hi);
}

long mn_cohort_percentile_ci_min_n(void)
{
    return mn__quantile_ci_min_n(0.05, MN_COHORT_PERCENTILE_CI_LEVEL);
}

static void dist_finish(const mn__cohort_stats *st, int e, int q, mn_cohort_dist *d)
{
    const uint64_t *h = st->counts + st->per_endpoint * (size_t)e + st->hist_offset[q];
    const uint64_t *tail = st->counts + st->per_endpoint * (size_t)(e + 1) - MN__C_COUNT;
    size_t k = (size_t)e * MN__Q_COUNT + (size_t)q;
    const mn__sketch_shape *s = &st->shape[q];
    uint64_t n = mn__cohort_q_completers(q) ? tail[MN__C_OBSERVED] : st->n;
    d->count = (long)n;
    d->mean = n ? mn__xsum_value(&st->sums[k]) / (double)n : 0;
    d->p5 = mn__sketch_quantile(s, h, n, 0.05);
    d->p50 = mn__sketch_quantile(s, h, n, 0.50);
    d->p95 = mn__sketch_quantile(s, h, n, 0.95);
    percentile_ci(s, h, n, 0.05, d->p5_ci);
    percentile_ci(s, h, n, 0.50, d->p50_ci);
    percentile_ci(s, h, n, 0.95, d->p95_ci);
    d->min = n ? st->mins[k] : 0;
    d->max = n ? st->maxs[k] : 0;
    d->out_of_range = (long)(h[0] + h[s->n_bins + 1]);
    assert(d->p5 <= d->p50 && d->p50 <= d->p95);
}

void mn__cohort_stats_finish(const mn__cohort_stats *st, const mn_cohort_trial *trial,
                             mn_cohort_result *out)
{
    out->n = (long)st->n;
    out->seed = trial->seed;
    out->n_endpoints = st->n_endpoints;
    for (int e = 0; e < st->n_endpoints; e++) {
        mn_cohort_endpoint *ep = &out->endpoints[e];
        const uint64_t *tail = st->counts + st->per_endpoint * (size_t)(e + 1) - MN__C_COUNT;
        ep->day = trial->endpoint_days[e];
        dist_finish(st, e, MN__Q_IMPROVEMENT, &ep->improvement_pct);
        dist_finish(st, e, MN__Q_COLLAGEN, &ep->collagen_change_pct);
        dist_finish(st, e, MN__Q_EPIDERMIS, &ep->epidermis_change_pct);
        dist_finish(st, e, MN__Q_UNTREATED, &ep->untreated_improvement_pct);
        dist_finish(st, e, MN__Q_DIFFERENCE, &ep->difference_improvement_pct);
        dist_finish(st, e, MN__Q_ITT, &ep->itt_improvement_pct);
        dist_finish(st, e, MN__Q_OBSERVED, &ep->observed_improvement_pct);
        dist_finish(st, e, MN__Q_OBSERVED_UNTREATED, &ep->observed_untreated_improvement_pct);
        dist_finish(st, e, MN__Q_OBSERVED_DIFFERENCE, &ep->observed_difference_improvement_pct);
        ep->observed_difference_responders_50pct = (long)tail[MN__C_OBSERVED_DIFF_RESPONDERS];
        ep->difference_responders_50pct = (long)tail[MN__C_DIFF_RESPONDERS];
        ep->observed = (long)tail[MN__C_OBSERVED];
        ep->observed_responders_50pct = (long)tail[MN__C_OBSERVED_RESPONDERS];
        ep->itt_responders_50pct = (long)tail[MN__C_ITT_RESPONDERS];
        ep->observed_responders_75pct = (long)tail[MN__C_OBSERVED_RESPONDERS75];
        ep->observed_pih_cases = (long)tail[MN__C_OBSERVED_PIH];
        ep->observed_maintenance_due = (long)tail[MN__C_OBSERVED_MAINTENANCE];
        ep->responders_50pct = (long)tail[MN__C_RESPONDERS];
        ep->responders_75pct = (long)tail[MN__C_RESPONDERS75];
        ep->pih_cases = (long)tail[MN__C_PIH];
        ep->maintenance_due = (long)tail[MN__C_MAINTENANCE];
    }
    const uint64_t *demo = st->counts + st->per_endpoint * (size_t)st->n_endpoints;
    mn_cohort_demographics *d = &out->demographics;
    d->mean_age_years = st->n ? mn__xsum_value(&st->sums[st->n_sums - 1]) / (double)st->n : 0;
    d->female = (long)demo[MN__D_FEMALE];
    d->smokers = (long)demo[MN__D_SMOKERS];
    for (int i = 0; i < 6; i++)
        d->fitzpatrick[i] = (long)demo[MN__D_FITZ + i];
    for (int i = 0; i < 3; i++)
        d->sun[i] = (long)demo[MN__D_SUN + i];
}
