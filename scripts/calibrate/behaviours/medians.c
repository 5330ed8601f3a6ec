/* Behaviours of test_healing.c under a posterior file's medians and across 64 of its draws. */
#include "common.h"
static mn_healing_scenario scen(mn_patient p, const char *zone, const char *concern,
                                const mn_healing_session *s, int n, int h)
{
    mn_healing_scenario sc = {
        p, mn_catalog_find_site(cat, zone), mn_catalog_find_concern(cat, concern), s, n, h};
    return sc;
}
static mn_patient person(double age)
{
    mn_patient p = {age, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE};
    return p;
}
static mn_healing_sample at_day(const mn_healing_scenario *sc, int day,
                                const mn_healing_variability *v)
{
    mn_healing_sample o;
    memset(&o, 0, sizeof o);
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.params = constants;
    if (mn_healing_run(ctx, sc, v, &ho, &day, 1, &o, NULL))
        abort();
    return o;
}
static double course_peak(const char *dev, double mm, double passes)
{
    mn_healing_session s[6];
    course(s, 6, 28, dev, mm, passes);
    mn_healing_scenario sc = scen(person(45), "cheek", "fine-lines-wrinkles", s, 6, 900);
    mn_healing_summary sum;
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.params = constants;
    if (mn_healing_run(ctx, &sc, NULL, &ho, NULL, 0, NULL, &sum))
        abort();
    return sum.peak_improvement_pct;
}
static void spread_of(const char *dev, double mm, double passes, int people, int c[4])
{
    mn_healing_session s[4];
    course(s, 4, 28, dev, mm, passes);
    mn_healing_scenario sc = scen(person(35), "cheek", "fine-lines-wrinkles", s, 4, 300);
    memset(c, 0, 4 * sizeof c[0]);
    for (int i = 0; i < people; i++) {
        mn_rng r;
        mn_rng_init(&r, 7, (uint64_t)i);
        mn_healing_variability v;
        mn_healing_variability_sample(&r, &v);
        double y = at_day(&sc, 84 + 90, &v).improvement_pct;
        c[0] += y < 25;
        c[1] += y < 50;
        c[2] += y > 75;
        c[3] += y > 85;
    }
}
static double lotfi(void)
{
    mn_healing_session s[5];
    course(s, 5, 30, "dermaroller-192", 1.5, 15);
    mn_patient p = {25, MN_SEX_FEMALE, 3, 0, MN_SUN_MODERATE};
    mn_healing_scenario sc = scen(p, "cheek", "acne-scars", s, 5, 400);
    return at_day(&sc, 176, NULL).collagen_change_pct;
}
static void remod(double r[3])
{
    mn_healing_session s[4];
    course(s, 4, 30, "skinpen", 1.0, 2);
    mn_healing_scenario sc = scen(person(40), "cheek", "acne-scars", s, 4, 900);
    int last = s[3].day;
    r[0] = at_day(&sc, last, NULL).improvement_pct;
    r[1] = at_day(&sc, last + 90, NULL).improvement_pct;
    r[2] = at_day(&sc, last + 180, NULL).improvement_pct;
}
static void row(const char *label, int people, int *ok)
{
    double sh = course_peak("skinpen", 0.25, 1), dp = course_peak("skinpen", 1.5, 3);
    int st[4], md[4];
    spread_of("skinpen", 1.5, 2, people, st);
    spread_of("dermaroller-192", 1.0, 15, people, md);
    double r[3];
    remod(r);
    double col = lotfi();
    int depth = sh < 0.85 * dp && sh<dp - 12, top = st[2]> people / 2 && st[3] > people / 5;
    int rem = r[1] > r[0] + 3 && r[2] > 0.95 * r[1],
        mod = md[0] * 100 >= people && md[2] * 20 >= people, lot = col > 48.2 && col < 58.2;
    if (label)
        printf(
            "%s: depth %.1f vs %.1f (%s); top >75 %.0f%% >85 %.0f%% (%s); lotfi collagen %+.1f; "
            "remodelling %.1f -> %.1f -> %.1f (%s); moderate roller <25 %.0f%% >75 %.0f%% (%s)\n",
            label, sh, dp, depth ? "holds" : "fails", 100.0 * st[2] / people,
            100.0 * st[3] / people, top ? "holds" : "fails", col, r[0], r[1], r[2],
            rem ? "holds" : "fails", 100.0 * md[0] / people, 100.0 * md[2] / people,
            mod ? "holds" : "fails");
    if (ok) {
        ok[0] += depth;
        ok[1] += top;
        ok[2] += lot;
        ok[3] += rem;
        ok[4] += mod;
    }
}
int main(int argc, char **argv)
{
    mn_posterior *post = setup(argc, argv);
    if (!post)
        return 1;
    row("defaults", 2000, NULL);
    mn_healing_params m;
    mn_posterior_params(ctx, post, MN_POSTERIOR_MEDIAN, &m);
    constants = &m;
    row("posterior medians", 2000, NULL);
    int n = mn_posterior_draw_count(post), ok[5] = {0};
    for (int k = 0; k < 64; k++) {
        mn_healing_params d;
        mn_posterior_params(ctx, post, (int)((long)k * n / 64), &d);
        constants = &d;
        row(NULL, 300, ok);
    }
    printf("across 64 draws (300 people for spreads): depth %d, top %d, lotfi within 5: %d, "
           "remodelling %d, moderate roller %d\n",
           ok[0], ok[1], ok[2], ok[3], ok[4]);
    return 0;
}
