/*
 * The ranges users see (posterior-predictive bands of peak, durability and maintenance
 * interval, healing.h mn_healing_projection) and the PIH behaviour on scenarios the fit did not
 * see. The depth, remodelling and spread behaviours are in test_healing.c
 * (test_depth_and_density, test_remodelling_after_course, test_response_spread).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "healing/healing_internal.h"
#include "mn_test.h"
#include "mneedle/mneedle.h"

static mn_ctx *ctx;
static const mn_catalog *cat;

static int setup(void **state)
{
    (void)state;
    if (mn_ctx_create(&ctx))
        return -1;
    cat = mn_ctx_catalog(ctx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mn_ctx_free(ctx);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of sorted v (linear interpolation, as the library's). */
static double quantile(const double *v, int n, double p)
{
    double pos = p * (n - 1);
    int i = (int)floor(pos);
    return i >= n - 1 ? v[n - 1] : v[i] + (pos - i) * (v[i + 1] - v[i]);
}

/* The projection's ranges are the 10th-90th percentiles of each virtual person's own peak and
 * durability, computed by superposition: the same people run directly through
 * mn__healing_run_params() (stream b of the seed, parameter draw b) give the same quantiles.
 * A slip in the superposition (a missed amplitude, the gain counted twice, the wrong seed)
 * moves them apart. */
static void test_ranges_are_the_people(void **state)
{
    (void)state;
    const mn_device *pen = mn_catalog_find_device(cat, "skinpen");
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    const mn_concern *c = mn_catalog_find_concern(cat, "acne-scars");
    mn_patient p = {38, MN_SEX_MALE, 4, 0, MN_SUN_MODERATE};
    mn_course_session course[4] = {{0, 1.5, 3}, {28, 1.5, 3}, {56, 2.0, 3}, {84, 2.0, 3}};
    mn_projection_options o;
    mn_projection_options_init(&o);
    o.band_draws = 48;
    mn_healing_projection pr;
    assert_int_equal(mn_healing_project(ctx, &p, cheek, c, pen, course, 4, &o, &pr), MN_OK);
    double peaks[48], durs[48];
    mn_healing_session ss[4];
    for (int i = 0; i < 4; i++)
        ss[i] = (mn_healing_session){course[i].day, pen, course[i].needle_mm, course[i].passes, 0};
    int sim_days = 84 + 2 * o.max_interval_days + 90;
    for (int b = 0; b < 48; b++) {
        mn_rng rng;
        mn_rng_init(&rng, o.seed, (uint64_t)b);
        mn_healing_variability v;
        mn_healing_variability_sample(&rng, &v);
        mn__healing_params par;
        mn__healing_param_draw(ctx, o.seed, (uint64_t)b, &par);
        mn_healing_scenario sc = {p, cheek, c, ss, 4, sim_days};
        mn_healing_summary sum;
        assert_int_equal(mn__healing_run_params(ctx, &par, &sc, &v, NULL, NULL, 0, NULL, &sum),
                         MN_OK);
        peaks[b] = sum.peak_improvement_pct;
        durs[b] = sum.durability_days >= 0 ? (double)sum.durability_days : (double)INFINITY;
    }
    qsort(peaks, 48, sizeof(double), cmp_double);
    qsort(durs, 48, sizeof(double), cmp_double);
    assert_close(pr.peak_low_pct, quantile(peaks, 48, 0.1), 1e-6, 0);
    assert_close(pr.peak_high_pct, quantile(peaks, 48, 0.9), 1e-6, 0);
    assert_close(pr.durability_low_days, quantile(durs, 48, 0.1), 0, 8.0);
    double dhi = quantile(durs, 48, 0.9);
    if (isfinite(dhi))
        assert_close(pr.durability_high_days, dhi, 0, 8.0);
    else
        assert_int_equal(pr.durability_high_days, -1);
    /* Ordered around the typical person, and wide enough to mean something. */
    assert_true(pr.peak_low_pct <= pr.peak_improvement_pct &&
                pr.peak_improvement_pct <= pr.peak_high_pct);
    assert_true(pr.peak_high_pct - pr.peak_low_pct > 10);
    assert_true(pr.durability_low_days > 0 && pr.durability_low_days <= pr.durability_days);
    assert_true(pr.maintenance_interval_low_days >= o.min_interval_days &&
                pr.maintenance_interval_low_days <= pr.maintenance_interval_high_days &&
                pr.maintenance_interval_high_days <= o.max_interval_days);
    mn_healing_projection_release(&pr);

    /* No band: the typical person's values; the quick band: its two people's ends. */
    o.band_draws = -1;
    assert_int_equal(mn_healing_project(ctx, &p, cheek, c, pen, course, 4, &o, &pr), MN_OK);
    assert_true(pr.peak_low_pct == pr.peak_improvement_pct &&
                pr.durability_low_days == pr.durability_days &&
                pr.maintenance_interval_high_days == pr.maintenance_interval_days);
    mn_healing_projection_release(&pr);
    o.band_draws = 0;
    assert_int_equal(mn_healing_project(ctx, &p, cheek, c, pen, course, 4, &o, &pr), MN_OK);
    assert_true(pr.peak_low_pct < pr.peak_improvement_pct &&
                pr.peak_improvement_pct < pr.peak_high_pct);
    mn_healing_projection_release(&pr);
}

/* The longest follow-up after a course in the bundled evidence base is computed from it, and
 * a user's study that follows patients longer moves it. */
static void test_followup_from_evidence(void **state)
{
    (void)state;
    mn_evidence *ev = NULL;
    assert_int_equal(mn_evidence_load(ctx, NULL, &ev), MN_OK);
    const char *sid = NULL;
    int days = mn_evidence_longest_followup_days(ev, &sid);
    assert_true(days > 0 && sid != NULL);
    const char *later = "{\"id\": \"long\", \"citation\": \"A long follow-up.\", \"url\": "
                        "\"https://example.org/long\", \"role\": \"validation\", \"design\": "
                        "\"case-series\", \"population\": {\"n\": 10}, \"concern\": "
                        "\"acne-scars\", \"arms\": [{\"id\": \"pen\", \"protocol\": "
                        "{\"device_class\": \"pen\", \"sessions\": 3, \"interval_days\": 30}}], "
                        "\"endpoints\": [{\"id\": \"r\", \"family\": \"clinical_scale\", "
                        "\"scale\": \"pct_improvement\", \"arm\": \"pen\", \"quantity\": "
                        "\"improvement\", \"unit\": \"%\", \"direction\": \"higher_better\", "
                        "\"timepoints\": [{\"day_from_first\": 1060, \"n\": 10, \"mean\": 40}]}], "
                        "\"verified\": \"full text\", \"unverified\": []}";
    assert_int_equal(mn_evidence_parse(ctx, ev, "long.json", later, strlen(later)), MN_OK);
    assert_int_equal(mn_evidence_longest_followup_days(ev, &sid), 1000);
    assert_string_equal(sid, "long");
    mn_evidence_free(ev);
}

/* PIH per session (healing/pih.c) is higher for darker phototypes, deeper needles and more
 * passes, on settings outside the pooled roller studies it rests on. */
static void test_pih_behaviour(void **state)
{
    (void)state;
    const mn_device *pen = mn_catalog_find_device(cat, "skinpen");
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    mn_patient p = {35, MN_SEX_FEMALE, 4, 0, MN_SUN_MODERATE};
    mn_healing_session s = {0, pen, 1.0, 2, 0};
    double prev = 0;
    for (int k = 1; k <= 6; k++) {
        p.fitzpatrick = k;
        double pk = mn__healing_pih_probability(&s, cheek, &p, 1, 1);
        assert_true(pk > prev);
        prev = pk;
    }
    p.fitzpatrick = 5;
    const double mm[] = {0.25, 0.5, 1.0, 1.5};
    prev = 0;
    for (int i = 0; i < 4; i++) {
        mn_healing_session d = {0, pen, mm[i], 1, 0};
        double pd = mn__healing_pih_probability(&d, cheek, &p, 1, 1);
        assert_true(pd > prev);
        prev = pd;
    }
    mn_healing_session one = {0, pen, 0.5, 1, 0}, three = {0, pen, 0.5, 3, 0};
    assert_true(mn__healing_pih_probability(&three, cheek, &p, 1, 1) >
                mn__healing_pih_probability(&one, cheek, &p, 1, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_are_the_people),
        cmocka_unit_test(test_followup_from_evidence),
        cmocka_unit_test(test_pih_behaviour),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
