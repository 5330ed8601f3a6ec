/* The figures of the bullets of healing.md §4.3 under a posterior file. */
#include "common.h"
static mn_healing_scenario scen(const mn_healing_session *s, int n, int h)
{
    mn_patient p = {45, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE};
    mn_healing_scenario sc = {p,
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "fine-lines-wrinkles"),
                              s,
                              n,
                              h};
    return sc;
}
static mn_healing_summary summ(const char *dev, double mm, double passes)
{
    mn_healing_session s[6];
    course(s, 6, 28, dev, mm, passes);
    mn_healing_scenario sc = scen(s, 6, 900);
    mn_healing_summary sum;
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.params = constants;
    if (mn_healing_run(ctx, &sc, NULL, &ho, NULL, 0, NULL, &sum))
        abort();
    return sum;
}
static double at(int day, const mn_healing_variability *v)
{
    mn_healing_session s[6];
    course(s, 6, 28, "skinpen", 1.5, 3);
    mn_healing_scenario sc = scen(s, 6, 900);
    mn_healing_sample o;
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.params = constants;
    if (mn_healing_run(ctx, &sc, v, &ho, &day, 1, &o, NULL))
        abort();
    return o.improvement_pct;
}
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double q(double *v, int n, double p)
{
    return v[(int)(p * (n - 1) + 0.5)];
}
int main(int argc, char **argv)
{
    mn_posterior *post = setup(argc, argv);
    if (!post)
        return 1;
    mn_healing_params m;
    mn_posterior_params(ctx, post, MN_POSTERIOR_MEDIAN, &m);
    constants = &m;
    mn_healing_summary a = summ("skinpen", 0.25, 1), b = summ("skinpen", 0.5, 3),
                       c = summ("skinpen", 1.5, 3), d = summ("dermaroller-192", 0.5, 15),
                       e = summ("dermaroller-192", 1.5, 15);
    int last = 140;
    printf("medians: pen 0.25x1 %.1f, 0.5x3 %.1f, 1.5x3 %.1f; roller 0.5x15 %.1f, 1.5x15 %.1f\n",
           a.peak_improvement_pct, b.peak_improvement_pct, c.peak_improvement_pct,
           d.peak_improvement_pct, e.peak_improvement_pct);
    printf("1.5x3: peak %d d after last; %.1f at +30 -> %.1f at +90; durability %d d\n",
           c.peak_day - last, at(last + 30, NULL), at(last + 90, NULL), c.durability_days);
    int n = mn_posterior_draw_count(post);
    double *r = malloc(n * sizeof *r), *pd = malloc(n * sizeof *pd), *du = malloc(n * sizeof *du);
    for (int k = 0; k < n; k++) {
        mn_healing_params p;
        mn_posterior_params(ctx, post, k, &p);
        constants = &p;
        mn_healing_summary x = summ("skinpen", 0.25, 1), y = summ("skinpen", 1.5, 3);
        r[k] = x.peak_improvement_pct / y.peak_improvement_pct;
        pd[k] = y.peak_day - last;
        du[k] = y.durability_days < 0 ? 1e9 : y.durability_days;
    }
    qsort(r, n, sizeof *r, cmp);
    qsort(pd, n, sizeof *pd, cmp);
    qsort(du, n, sizeof *du, cmp);
    printf("over %d draws: ratio 0.25x1/1.5x3 %.2f (90%%: %.2f-%.2f); peak day after last %.0f "
           "(%.0f-%.0f); durability %.0f (%.0f-%.0f)\n",
           n, q(r, n, .5), q(r, n, .05), q(r, n, .95), q(pd, n, .5), q(pd, n, .05), q(pd, n, .95),
           q(du, n, .5), q(du, n, .05), q(du, n, .95));
    double y[800];
    int hi = 0, lo = 0;
    for (int i = 0; i < 800; i++) {
        mn_healing_params p;
        mn_posterior_params(ctx, post, i % n, &p);
        constants = &p;
        mn_rng rg;
        mn_rng_init(&rg, 7, (uint64_t)i);
        mn_healing_variability v;
        mn_healing_variability_sample(&rg, &v);
        y[i] = at(last + 90, &v);
        hi += y[i] > 75;
        lo += y[i] < 25;
    }
    qsort(y, 800, sizeof *y, cmp);
    printf("800 people 1.5x3 +90 d: p5 %.0f p10 %.0f median %.0f p90 %.0f p95 %.0f max %.0f; >75 "
           "%.0f%% <25 %.0f%%\n",
           q(y, 800, .05), q(y, 800, .1), q(y, 800, .5), q(y, 800, .9), q(y, 800, .95), y[799],
           hi / 8.0, lo / 8.0);
    return 0;
}
