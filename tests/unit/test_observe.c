/*
 * Observation models (src/evidence/observe.c): a virtual trial of a study's design and size,
 * each patient's states mapped to the study's scale with rater noise, the published statistic
 * per trial. Checked as statistics: sampling noise shrinks with the trial's size as 1/sqrt(n),
 * the prediction follows the protocol (depth) and the threshold, the result is reproducible,
 * and endpoints without a map say why instead of inventing a number.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

static mn_ctx *ctx;

static int setup(void **state)
{
    (void)state;
    return mn_ctx_create(&ctx) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mn_ctx_free(ctx);
    return 0;
}

/* A study of n patients: a roller at @p mm, 5 monthly sessions, acne scars on the face, with a
 * histology endpoint (papillary collagen % change 8 weeks after the last session, a mean) and
 * two responders endpoints (rated improvement >= 50 % and > 75 %, counts at the same visit),
 * and an endpoint on a scale without a map. */
static const mn_evidence_study *study(mn_evidence **ev, int n, double mm)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"id\": \"synthetic\", \"citation\": \"a test\", \"url\": \"https://example.org\","
             " \"role\": \"validation\", \"design\": \"case-series\","
             " \"population\": {\"n\": %d, \"age_range\": [20, 40], \"phototypes\": [\"III\"]},"
             " \"concern\": \"acne-scars\", \"site\": \"face\","
             " \"arms\": [{\"id\": \"a\", \"protocol\": {\"device_class\": \"roller\","
             " \"needle_mm\": %g, \"passes\": 15, \"sessions\": 5, \"interval_days\": 30}}],"
             " \"endpoints\": ["
             "  {\"id\": \"collagen\", \"family\": \"histology\", \"scale\":"
             " \"histometry_pct_change\", \"arm\": \"a\", \"quantity\": \"pct_change\", \"unit\":"
             " \"%%\", \"direction\": \"higher_better\", \"timepoints\": [{\"day_after_last\": 56,"
             " \"n\": %d, \"mean\": 50}]},"
             "  {\"id\": \"r50\", \"family\": \"clinical_scale\", \"scale\":"
             " \"quartile_improvement\", \"arm\": \"a\", \"quantity\": \"responders\", \"unit\":"
             " \"patients\", \"direction\": \"higher_better\", \"threshold\": \">= 50 %%"
             " improvement\", \"timepoints\": [{\"day_after_last\": 56, \"n\": %d, \"count\": 1}]},"
             "  {\"id\": \"r75\", \"family\": \"clinical_scale\", \"scale\":"
             " \"quartile_improvement\", \"arm\": \"a\", \"quantity\": \"responders\", \"unit\":"
             " \"patients\", \"direction\": \"higher_better\", \"threshold\": \"> 75 %%"
             " improvement\", \"timepoints\": [{\"day_after_last\": 56, \"n\": %d, \"count\": 1}]},"
             "  {\"id\": \"masi\", \"family\": \"clinical_scale\", \"scale\": \"masi\", \"arm\":"
             " \"a\", \"quantity\": \"level\", \"unit\": \"score\", \"direction\":"
             " \"lower_better\", \"timepoints\": [{\"day_after_last\": 56, \"mean\": 3}]}],"
             " \"verified\": \"full text\", \"unverified\": []}",
             n, mm, n, n, n);
    assert_int_equal(mn_evidence_create(ctx, ev), MN_OK);
    mn_status st = mn_evidence_parse(ctx, *ev, "synthetic.json", text, strlen(text));
    if (st)
        print_error("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
    return mn_evidence_find(*ev, "synthetic");
}

static mn_evidence_prediction observe(const mn_evidence_study *s, int endpoint, int trials)
{
    mn_evidence_prediction p;
    assert_int_equal(mn_evidence_observe(ctx, s, endpoint, 0, trials, 11, &p), MN_OK);
    return p;
}

/* Sampling noise: the 90 % interval of a mean over n patients narrows as 1/sqrt(n). */
static void test_interval_shrinks_with_size(void **state)
{
    (void)state;
    mn_evidence *e20, *e320;
    mn_evidence_prediction a = observe(study(&e20, 20, 1.5), 0, 200);
    mn_evidence_prediction b = observe(study(&e320, 320, 1.5), 0, 200);
    assert_true(a.applies && b.applies);
    assert_int_equal(a.n, 20);
    assert_int_equal(a.day, 120 + 56);
    assert_true(a.lo < a.median && a.median < a.hi);
    double ratio = (a.hi - a.lo) / (b.hi - b.lo);
    assert_true(ratio > 2.5 && ratio < 6.0); /* sqrt(16) = 4 */
    assert_close(a.median, b.median, 0.1, 0);
    assert_close(a.observed, 50, 0, 0);
    assert_false(a.counted);
    mn_evidence_free(e20);
    mn_evidence_free(e320);
}

/* The prediction follows the protocol and the threshold; the same seed gives the same
 * numbers. */
static void test_follows_protocol_and_threshold(void **state)
{
    (void)state;
    mn_evidence *deep_ev, *shallow_ev;
    const mn_evidence_study *deep = study(&deep_ev, 30, 1.5);
    const mn_evidence_study *shallow = study(&shallow_ev, 30, 0.5);
    mn_evidence_prediction d = observe(deep, 0, 100), s = observe(shallow, 0, 100);
    assert_true(s.median < 0.8 * d.median);
    mn_evidence_prediction r50 = observe(deep, 1, 100), r75 = observe(deep, 2, 100);
    assert_true(r50.applies && r50.counted && r75.applies);
    assert_true(r50.lo >= 0 && r50.hi <= 30);
    assert_true(r75.median < r50.median);
    mn_evidence_prediction again = observe(deep, 1, 100);
    assert_close(again.median, r50.median, 0, 0);
    assert_close(again.lo, r50.lo, 0, 0);
    mn_evidence_free(deep_ev);
    mn_evidence_free(shallow_ev);
}

/* No map, no number: the reason is given instead. */
static void test_unmapped_endpoints_say_why(void **state)
{
    (void)state;
    mn_evidence *ev;
    const mn_evidence_study *s = study(&ev, 30, 1.5);
    mn_evidence_prediction p = observe(s, 3, 50);
    assert_false(p.applies);
    assert_non_null(p.why_not);
    assert_true(isnan(p.median));
    assert_int_equal(mn_evidence_observe(ctx, s, 9, 0, 50, 1, &p), MN_EINVAL);
    assert_int_equal(mn_evidence_observe(ctx, s, 0, 3, 50, 1, &p), MN_EINVAL);
    assert_int_equal(mn_evidence_observe(ctx, s, 0, 0, 1, 1, &p), MN_EINVAL);
    mn_evidence_free(ev);
}

/* A calibration study like study() with its collagen mean and responder count given. */
static const mn_evidence_study *fit_study(mn_evidence **ev, int n, double mean, int count)
{
    char text[4096];
    snprintf(
        text, sizeof text,
        "{\"id\": \"fit\", \"citation\": \"a test\", \"url\": \"https://example.org\","
        " \"role\": \"calibration\", \"design\": \"case-series\","
        " \"population\": {\"n\": %d, \"age_range\": [20, 40], \"phototypes\": [\"III\"]},"
        " \"concern\": \"acne-scars\", \"site\": \"face\","
        " \"arms\": [{\"id\": \"a\", \"protocol\": {\"device_class\": \"roller\","
        " \"needle_mm\": 1.5, \"passes\": 15, \"sessions\": 5, \"interval_days\": 30}}],"
        " \"endpoints\": ["
        "  {\"id\": \"collagen\", \"family\": \"histology\", \"scale\":"
        " \"histometry_pct_change\", \"arm\": \"a\", \"quantity\": \"pct_change\", \"unit\":"
        " \"%%\", \"direction\": \"higher_better\", \"timepoints\": [{\"day_after_last\": 56,"
        " \"n\": %d, \"mean\": %.4f}]},"
        "  {\"id\": \"r50\", \"family\": \"clinical_scale\", \"scale\":"
        " \"quartile_improvement\", \"arm\": \"a\", \"quantity\": \"responders\", \"unit\":"
        " \"patients\", \"direction\": \"higher_better\", \"threshold\": \">= 50 %%"
        " improvement\", \"timepoints\": [{\"day_after_last\": 56, \"n\": %d, \"count\": %d}]},"
        "  {\"id\": \"masi\", \"family\": \"clinical_scale\", \"scale\": \"masi\", \"arm\":"
        " \"a\", \"quantity\": \"level\", \"unit\": \"score\", \"direction\":"
        " \"lower_better\", \"timepoints\": [{\"day_after_last\": 56, \"mean\": 3}]}],"
        " \"verified\": \"full text\", \"unverified\": []}",
        n, n, mean, n, count);
    assert_int_equal(mn_evidence_create(ctx, ev), MN_OK);
    assert_int_equal(mn_evidence_parse(ctx, *ev, "fit.json", text, strlen(text)), MN_OK);
    return mn_evidence_find(*ev, "fit");
}

/* The likelihood of a study generated by the observation model at a known maximal response
 * peaks there: over a grid of response_max, the best value is the truth or a neighbour, and
 * half or twice the truth are far less likely. It is deterministic, lists every term (the
 * unmapped one with its reason), and selects studies by role. */
static void test_loglik_peaks_at_the_truth(void **state)
{
    (void)state;
    const double truth = 0.9, grid[] = {0.45, 0.6, 0.75, 0.9, 1.1, 1.35, 1.8};
    mn_healing_params p;
    mn_healing_params_default(&p);
    assert_int_equal(mn_healing_params_set(ctx, &p, "response_max", truth), MN_OK);
    mn_evidence *gen;
    const mn_evidence_study *g = fit_study(&gen, 40, 0, 0);
    mn_evidence_prediction hist, resp;
    assert_int_equal(mn_evidence_observe_params(ctx, g, 0, 0, 200, 5, &p, &hist), MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, g, 1, 0, 200, 5, &p, &resp), MN_OK);
    mn_evidence *ev;
    const mn_evidence_study *s = fit_study(&ev, 40, hist.median, (int)floor(resp.median + 0.5));
    (void)s;
    double ll[7], best = -INFINITY;
    int arg = -1;
    for (int i = 0; i < 7; i++) {
        assert_int_equal(mn_healing_params_set(ctx, &p, "response_max", grid[i]), MN_OK);
        assert_int_equal(mn_evidence_loglik(ctx, ev, &p, NULL, &ll[i], NULL, 0, NULL), MN_OK);
        if (ll[i] > best) {
            best = ll[i];
            arg = i;
        }
    }
    assert_true(arg >= 2 && arg <= 4); /* 0.75, 0.9 or 1.1 */
    assert_true(ll[0] < ll[3] - 5 && ll[6] < ll[3] - 5);

    mn_evidence_loglik_term t[8];
    int n = 0;
    double a, b;
    assert_int_equal(mn_healing_params_set(ctx, &p, "response_max", truth), MN_OK);
    assert_int_equal(mn_evidence_loglik(ctx, ev, &p, NULL, &a, t, 8, &n), MN_OK);
    assert_int_equal(mn_evidence_loglik(ctx, ev, &p, NULL, &b, NULL, 0, NULL), MN_OK);
    assert_close(a, b, 0, 0);
    assert_int_equal(n, 3);
    assert_true(t[0].applies && !t[0].counted && t[1].applies && t[1].counted);
    assert_false(t[2].applies);
    assert_non_null(t[2].why_not);
    assert_close(t[0].loglik + t[1].loglik, a, 1e-12, 1e-12);
    assert_close(t[0].observed, hist.median, 1e-3, 1e-3);
    assert_true(t[0].spread > 0 && t[0].predicted > 10);

    /* Role: the default options take calibration studies only; study() is a validation one. */
    mn_evidence *val;
    study(&val, 30, 1.5);
    assert_int_equal(mn_evidence_loglik(ctx, val, &p, NULL, &a, NULL, 0, &n), MN_OK);
    assert_int_equal(n, 0);
    assert_close(a, 0, 0, 0);
    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    o.all_roles = 1;
    assert_int_equal(mn_evidence_loglik(ctx, val, &p, &o, &a, NULL, 0, &n), MN_OK);
    assert_int_equal(n, 4);
    assert_true(a < 0);
    o.patients = 1;
    assert_int_equal(mn_evidence_loglik(ctx, val, &p, &o, &a, NULL, 0, &n), MN_EINVAL);
    mn_healing_params blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(mn_evidence_loglik(ctx, ev, &blank, NULL, &a, NULL, 0, &n), MN_EINVAL);
    mn_evidence_free(gen);
    mn_evidence_free(ev);
    mn_evidence_free(val);
}

/* Every bundled endpoint either gets an ordered interval or a reason. */
static void test_bundled_studies(void **state)
{
    (void)state;
    mn_evidence *ev;
    assert_int_equal(mn_evidence_load(ctx, NULL, &ev), MN_OK);
    int applies = 0, total = 0;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        for (int e = 0; e < s->n_endpoints; e++)
            for (int t = 0; t < s->endpoints[e].n_timepoints; t++) {
                mn_evidence_prediction p;
                assert_int_equal(mn_evidence_observe(ctx, s, e, t, 20, 3, &p), MN_OK);
                total++;
                if (p.applies) {
                    applies++;
                    assert_true(p.lo <= p.median && p.median <= p.hi && isfinite(p.hi));
                } else {
                    assert_non_null(p.why_not);
                }
            }
    }
    assert_true(applies >= 4 && applies < total);
    mn_evidence_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_shrinks_with_size),
        cmocka_unit_test(test_follows_protocol_and_threshold),
        cmocka_unit_test(test_unmapped_endpoints_say_why),
        cmocka_unit_test(test_loglik_peaks_at_the_truth),
        cmocka_unit_test(test_bundled_studies),
    };
    return cmocka_run_group_tests_name("observe", tests, setup, teardown);
}
