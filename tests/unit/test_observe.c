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

/* The prediction at the library's default constants: sampling and rater noise and the
 * between-person spread only (the posterior's parameter spread does not shrink with n). */
static mn_evidence_prediction observe(const mn_evidence_study *s, int endpoint, int trials)
{
    mn_healing_params defaults;
    mn_healing_params_default(&defaults);
    mn_evidence_prediction p;
    assert_int_equal(mn_evidence_observe_params(ctx, s, endpoint, 0, trials, 11, &defaults, &p),
                     MN_OK);
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
    /* Without given constants each virtual trial takes a parameter draw of the bundled
     * posterior (healing/draws.c): for a large trial, where sampling noise is small, that
     * spread dominates and the interval is wider than at fixed constants. */
    mn_evidence_prediction post;
    assert_int_equal(
        mn_evidence_observe(ctx, mn_evidence_find(e320, "synthetic"), 0, 0, 200, 11, &post), MN_OK);
    assert_true(post.applies && post.hi - post.lo > 1.5 * (b.hi - b.lo));
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
    /* One healing run per virtual patient of a mapped term, none for the unmapped one. */
    mn_evidence_loglik_options d;
    mn_evidence_loglik_options_init(&d);
    assert_int_equal(t[0].healing_runs, d.patients);
    assert_int_equal(t[1].healing_runs, d.patients);
    assert_int_equal(t[2].healing_runs, 0);

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

/* A study from its parts: design, phototypes (a JSON list), concern, arms and endpoints (JSON
 * text), n patients. */
/* A study of @p n people under the id @p id, built from its parts. */
static const mn_evidence_study *custom_id(mn_evidence **ev, const char *id, const char *design,
                                          const char *types, const char *concern, const char *arms,
                                          const char *endpoints, int n)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"id\": \"%s\", \"citation\": \"a test\", \"url\": \"https://example.org\","
             " \"role\": \"validation\", \"design\": \"%s\","
             " \"population\": {\"n\": %d, \"age_range\": [25, 45], \"phototypes\": %s},"
             " \"concern\": \"%s\", \"site\": \"face\", \"arms\": [%s], \"endpoints\": [%s],"
             " \"verified\": \"full text\", \"unverified\": []}",
             id, design, n, types, concern, arms, endpoints);
    assert_int_equal(mn_evidence_create(ctx, ev), MN_OK);
    mn_status st = mn_evidence_parse(ctx, *ev, "custom.json", text, strlen(text));
    if (st)
        print_error("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
    return mn_evidence_find(*ev, id);
}

static const mn_evidence_study *custom(mn_evidence **ev, const char *design, const char *types,
                                       const char *concern, const char *arms, const char *endpoints,
                                       int n)
{
    return custom_id(ev, "custom", design, types, concern, arms, endpoints, n);
}

#define PEN_ARM(id, mm)                                                                            \
    "{\"id\": \"" id "\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": " mm            \
    ", \"sessions\": 4, \"interval_days\": 30}}"
#define ROLLER_ARM(id, mm)                                                                         \
    "{\"id\": \"" id "\", \"protocol\": {\"device_class\": \"roller\", \"needle_mm\": " mm         \
    ", \"passes\": 15, \"sessions\": 5, \"interval_days\": 30}}"
/* Appends an endpoint on arm "a" to @p buf (JSON text, comma-separated). */
static void endpoint(char *buf, size_t size, const char *id, const char *scale,
                     const char *quantity, const char *unit, const char *extra, const char *tp)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len,
             "%s{\"id\": \"%s\", \"family\": \"clinical_scale\", \"scale\": \"%s\", \"arm\": "
             "\"a\", \"quantity\": \"%s\", \"unit\": \"%s\", \"direction\": \"higher_better\"%s,"
             " \"timepoints\": [%s]}",
             len ? ", " : "", id, scale, quantity, unit, extra, tp);
}

/* Wrinkle grades: a change is minus the grades fallen (the same patients give exactly the
 * negative), the baseline grade scales the fall, whole-grade responders fall with the
 * threshold, and an "improvement" in grades is the fall itself. */
static void test_wrinkle_grades(void **state)
{
    (void)state;
    mn_evidence *ev, *ev4;
    char eps[4096] = "";
    const char *at90 = "{\"day_after_last\": 90, \"mean\": 1}";
    const char *count90 = "{\"day_after_last\": 90, \"n\": 31, \"count\": 5}";
    endpoint(eps, sizeof eps, "fall", "wrinkle_grade", "reduction", "score", "", at90);
    endpoint(eps, sizeof eps, "change", "wrinkle_grade", "change", "score", "",
             "{\"day_after_last\": 90, \"mean\": -1}");
    endpoint(eps, sizeof eps, "improved", "wrinkle_grade", "responders", "patients",
             ", \"threshold\": \"grade improved\"", count90);
    endpoint(eps, sizeof eps, "improved2", "wrinkle_grade", "responders", "patients",
             ", \"threshold\": \">= 2 grades\"", count90);
    endpoint(eps, sizeof eps, "better", "wrinkle_grade", "improvement", "score", "", at90);
    const mn_evidence_study *s = custom(&ev, "case-series", "[\"III\"]", "fine-lines-wrinkles",
                                        PEN_ARM("a", "1.5"), eps, 31);
    mn_evidence_prediction fall = observe(s, 0, 100), change = observe(s, 1, 100);
    mn_evidence_prediction r1 = observe(s, 2, 100), r2 = observe(s, 3, 100);
    mn_evidence_prediction better = observe(s, 4, 100);
    assert_true(fall.applies && change.applies && r1.applies && r2.applies && better.applies);
    assert_true(fall.median > 0.2 && fall.median < 3);
    assert_close(change.median, -fall.median, 1e-12, 1e-12);
    assert_close(change.lo, -fall.hi, 1e-12, 1e-12);
    assert_close(better.median, fall.median, 1e-12, 1e-12);
    assert_true(r1.counted && r1.lo >= 0 && r1.hi <= 31);
    assert_true(r2.median < r1.median);
    /* A published day-0 grade of 4.5 instead of the assumed 3. */
    char eps4[1024] = "";
    endpoint(eps4, sizeof eps4, "fall", "wrinkle_grade", "reduction", "score", "",
             "{\"day_from_first\": 0, \"mean\": 4.5}, {\"day_after_last\": 90, \"mean\": 1}");
    const mn_evidence_study *s4 = custom(&ev4, "case-series", "[\"III\"]", "fine-lines-wrinkles",
                                         PEN_ARM("a", "1.5"), eps4, 31);
    mn_evidence_prediction fall4;
    mn_healing_params defaults;
    mn_healing_params_default(&defaults);
    assert_int_equal(mn_evidence_observe_params(ctx, s4, 0, 1, 100, 11, &defaults, &fall4), MN_OK);
    assert_true(fall4.applies);
    assert_close(fall4.median / fall.median, 1.5, 0.1, 0);
    mn_evidence_free(ev);
    mn_evidence_free(ev4);
}

/* GAIS: responders are "improved or better" at a rated 25 %, so never fewer than those rated
 * >= 50 % among the same patients; a GAIS level is not mapped and says why. */
static void test_gais(void **state)
{
    (void)state;
    mn_evidence *ev;
    char eps[4096] = "";
    const char *count30 = "{\"day_after_last\": 30, \"n\": 40, \"count\": 20}";
    endpoint(eps, sizeof eps, "gais", "gais", "responders", "patients",
             ", \"threshold\": \"improved\"", count30);
    endpoint(eps, sizeof eps, "r50", "quartile_improvement", "responders", "patients",
             ", \"threshold\": \">= 50 % improvement\"", count30);
    endpoint(eps, sizeof eps, "level", "gais", "level", "score", "",
             "{\"day_after_last\": 30, \"mean\": 3}");
    const mn_evidence_study *s = custom(&ev, "case-series", "[\"II\", \"III\"]",
                                        "fine-lines-wrinkles", PEN_ARM("a", "1.5"), eps, 40);
    mn_evidence_prediction g = observe(s, 0, 100), r = observe(s, 1, 100), l = observe(s, 2, 50);
    assert_true(g.applies && g.counted && r.applies);
    assert_true(g.lo >= r.lo && g.median >= r.median && g.hi >= r.hi);
    assert_true(g.median > r.median); /* the 25-50 % band is not empty */
    assert_false(l.applies);
    assert_non_null(strstr(l.why_not, "coding"));
    mn_evidence_free(ev);
}

/* Two endpoints (@p eps, JSON text) of 30 acne-scar patients of phototype IV after a roller
 * course, each observed at its second time point (100 trials, posterior draws): both apply. */
static void observe_scar_pair(const char *eps, mn_evidence **ev, mn_evidence_prediction *first,
                              mn_evidence_prediction *second)
{
    const mn_evidence_study *s =
        custom(ev, "case-series", "[\"IV\"]", "acne-scars", ROLLER_ARM("a", "1.5"), eps, 30);
    assert_int_equal(mn_evidence_observe(ctx, s, 0, 1, 100, 11, first), MN_OK);
    assert_int_equal(mn_evidence_observe(ctx, s, 1, 1, 100, 11, second), MN_OK);
    assert_true(first->applies && second->applies);
}

/* The same patients with one score endpoint published without its baseline (only @p tp, after
 * the course): no prediction, and the reason names the baseline. */
static void assert_needs_baseline(const char *id, const char *scale, const char *quantity,
                                  const char *tp)
{
    mn_evidence *bare;
    char eps[1024] = "";
    endpoint(eps, sizeof eps, id, scale, quantity, "score", "", tp);
    mn_evidence_prediction none = observe(
        custom(&bare, "case-series", "[\"IV\"]", "acne-scars", ROLLER_ARM("a", "1.5"), eps, 30), 0,
        50);
    assert_false(none.applies);
    assert_non_null(strstr(none.why_not, "baseline"));
    mn_evidence_free(bare);
}

/* An unnamed scar score: a level is the published baseline less the fall (exactly, per
 * trial), and without a baseline there is no prediction. */
static void test_scar_score(void **state)
{
    (void)state;
    mn_evidence *ev;
    char eps[4096] = "";
    const char *tps =
        "{\"day_from_first\": 0, \"mean\": 12}, {\"day_after_last\": 30, \"mean\": 7}";
    endpoint(eps, sizeof eps, "level", "scar_score", "level", "score", "", tps);
    endpoint(eps, sizeof eps, "fall", "scar_score", "reduction", "score", "", tps);
    mn_evidence_prediction level, fall;
    observe_scar_pair(eps, &ev, &level, &fall);
    assert_close(level.median, 12 - fall.median, 1e-9, 1e-9);
    assert_close(level.hi, 12 - fall.lo, 1e-9, 1e-9);
    assert_true(fall.median > 0.5 && fall.median < 12);
    assert_needs_baseline("level", "scar_score", "level", "{\"day_after_last\": 30, \"mean\": 7}");
    mn_evidence_free(ev);
}

/* Goodman & Baron qualitative mean grade (a level): the published baseline less a fall toward
 * grade 1, so it lies between 1 and that baseline, rises with the baseline, stays within the
 * scale's grades 1-4 for every trial, and without a published baseline is not predicted. */
static void test_goodman_baron_level(void **state)
{
    (void)state;
    mn_evidence *ev;
    char eps[4096] = "";
    endpoint(eps, sizeof eps, "mild", "goodman_baron_qualitative", "level", "score", "",
             "{\"day_from_first\": 0, \"mean\": 2.5}, {\"day_after_last\": 30, \"mean\": 2}");
    endpoint(eps, sizeof eps, "severe", "goodman_baron_qualitative", "level", "score", "",
             "{\"day_from_first\": 0, \"mean\": 3.8}, {\"day_after_last\": 30, \"mean\": 2}");
    mn_evidence_prediction mild, severe;
    observe_scar_pair(eps, &ev, &mild, &severe);
    assert_false(mild.counted);
    assert_true(mild.median > 1 && mild.median < 2.5);
    assert_true(severe.median > mild.median && severe.median < 3.8);
    assert_true(mild.lo >= 1 && severe.hi <= 4);
    assert_close(mild.observed, 2, 1e-12, 0);
    mn_evidence_free(ev);
    assert_needs_baseline("level", "goodman_baron_qualitative", "level",
                          "{\"day_after_last\": 30, \"mean\": 2}");
}

/* ECCA is read as a severity score: with the same patients its fall is the scar score's
 * scaled by the ratio of the published baselines (120 against 12), and without a published
 * baseline it is not mapped, saying why. */
static void test_ecca(void **state)
{
    (void)state;
    mn_evidence *ev;
    char eps[4096] = "";
    endpoint(eps, sizeof eps, "score", "scar_score", "reduction", "score", "",
             "{\"day_from_first\": 0, \"mean\": 12}, {\"day_after_last\": 60, \"mean\": 4}");
    endpoint(eps, sizeof eps, "ecca", "ecca", "reduction", "score", "",
             "{\"day_from_first\": 0, \"mean\": 120}, {\"day_after_last\": 60, \"mean\": 40}");
    mn_evidence_prediction score, ecca;
    observe_scar_pair(eps, &ev, &score, &ecca);
    assert_close(ecca.median, 10 * score.median, 1e-9, 1e-9);
    assert_close(ecca.hi, 10 * score.hi, 1e-9, 1e-9);
    assert_true(ecca.median > 5 && ecca.median < 120);
    assert_needs_baseline("ecca", "ecca", "reduction", "{\"day_after_last\": 60, \"mean\": 30}");
    mn_evidence_free(ev);
}

/* PIH counts follow the PIH law: more events in darker phototypes and with a deeper course,
 * none of it moved by the healing model's calibrated constants (the likelihood term is the
 * same at two sets of constants); the time point does not matter. */
static void test_pih_counts(void **state)
{
    (void)state;
    mn_evidence *light, *dark, *shallow;
    const char *eps = "{\"id\": \"pih\", \"family\": \"pih\", \"scale\": \"pih_count\", \"arm\":"
                      " \"a\", \"quantity\": \"events\", \"unit\": \"patients\", \"direction\":"
                      " \"lower_better\", \"timepoints\": [{\"time_unknown\": true, \"n\": 200,"
                      " \"count\": 0}]}";
    mn_evidence_prediction l = observe(custom(&light, "case-series", "[\"I\", \"II\"]",
                                              "acne-scars", ROLLER_ARM("a", "1.5"), eps, 200),
                                       0, 100);
    const mn_evidence_study *ds = custom(&dark, "case-series", "[\"V\", \"VI\"]", "acne-scars",
                                         ROLLER_ARM("a", "1.5"), eps, 200);
    mn_evidence_prediction d = observe(ds, 0, 100);
    mn_evidence_prediction sh = observe(custom(&shallow, "case-series", "[\"V\", \"VI\"]",
                                               "acne-scars", ROLLER_ARM("a", "0.5"), eps, 200),
                                        0, 100);
    assert_true(l.applies && d.applies && sh.applies && d.counted);
    assert_true(d.median > 3 * l.median + 1);
    assert_true(sh.median < d.median);
    assert_true(d.lo >= 0 && d.hi <= 200);
    /* A validation study whose count set the law (Dogra 2014) is not checked on it. */
    mn_evidence *source;
    mn_evidence_prediction ps =
        observe(custom_id(&source, "dogra2014", "case-series", "[\"IV\", \"V\"]", "acne-scars",
                          ROLLER_ARM("a", "1.5"), eps, 200),
                0, 20);
    assert_false(ps.applies);
    assert_non_null(strstr(ps.why_not, "set the PIH law"));
    mn_evidence_free(source);

    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    o.all_roles = 1;
    mn_healing_params a, b;
    mn_healing_params_default(&a);
    mn_healing_params_default(&b);
    assert_int_equal(mn_healing_params_set(ctx, &b, "response_max", 0.05), MN_OK);
    mn_evidence_loglik_term ta, tb;
    double lla, llb;
    int n;
    assert_int_equal(mn_evidence_loglik(ctx, dark, &a, &o, &lla, &ta, 1, &n), MN_OK);
    assert_int_equal(mn_evidence_loglik(ctx, dark, &b, &o, &llb, &tb, 1, &n), MN_OK);
    assert_true(ta.applies && ta.counted);
    assert_int_equal(ta.healing_runs, 0); /* the PIH law needs no healing run */
    assert_close(lla, llb, 0, 0);
    /* The likelihood's expected count (64 patients) near the trials' median count (200). */
    assert_close(ta.predicted, d.median, 0.2, 1);
    assert_true(lla < log(0.5)); /* 0 of 200 is unlikely when events are expected */
    mn_evidence_free(light);
    mn_evidence_free(dark);
    mn_evidence_free(shallow);
}

#define COMPARE(vs, sign, pbound)                                                                  \
    "{\"id\": \"cmp\", \"family\": \"depth_comparison\", \"scale\": \"pct_improvement\", "         \
    "\"arm\": \"a\", \"vs_arm\": \"" vs "\", \"quantity\": \"comparison\", \"unit\": \"%\", "      \
    "\"direction\": \"higher_better\", \"timepoints\": [{\"time_unknown\": true, \"n\": 15, "      \
    "\"sign\": \"" sign "\", \"p\": 0.05" pbound "}]}"

/* A split-face comparison of 1.5 mm against 0.25 mm: the paired t is positive (depth helps),
 * negative with the sides swapped; the observed t is the one the direction and p imply;
 * the likelihood prefers the direction the model predicts; an unpaired design and a p given
 * as a bound are not mapped. */
static void test_paired_comparison(void **state)
{
    (void)state;
    mn_evidence *ev, *sw, *cs, *below;
    const char *arms = PEN_ARM("a", "1.5") "," PEN_ARM("b", "0.25");
    const char *arms_swapped = PEN_ARM("a", "0.25") "," PEN_ARM("b", "1.5");
    const mn_evidence_study *s =
        custom(&ev, "split-face", "[\"III\"]", "acne-scars", arms, COMPARE("b", "greater", ""), 15);
    mn_evidence_prediction t = observe(s, 0, 100);
    assert_true(t.applies && !t.counted);
    assert_true(t.median > 2);
    assert_close(t.observed, 2.1448, 0.01, 0); /* t(0.975, 14) */
    mn_evidence_prediction tsw = observe(custom(&sw, "split-face", "[\"III\"]", "acne-scars",
                                                arms_swapped, COMPARE("b", "greater", ""), 15),
                                         0, 100);
    assert_true(tsw.median < -2);
    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    o.all_roles = 1;
    double right, wrong;
    mn_evidence_loglik_term both;
    assert_int_equal(mn_evidence_loglik(ctx, ev, NULL, &o, &right, &both, 1, NULL), MN_OK);
    assert_int_equal(both.healing_runs, 2 * o.patients); /* each side of each patient */
    assert_int_equal(mn_evidence_loglik(ctx, sw, NULL, &o, &wrong, NULL, 0, NULL), MN_OK);
    assert_true(right > wrong + 1);
    mn_evidence_prediction u = observe(custom(&cs, "case-series", "[\"III\"]", "acne-scars", arms,
                                              COMPARE("b", "greater", ""), 15),
                                       0, 50);
    assert_false(u.applies);
    assert_non_null(strstr(u.why_not, "paired"));
    mn_evidence_prediction pb =
        observe(custom(&below, "split-face", "[\"III\"]", "acne-scars", arms,
                       COMPARE("b", "greater", ", \"p_bound\": \"below\""), 15),
                0, 50);
    assert_false(pb.applies);
    mn_evidence_free(ev);
    mn_evidence_free(sw);
    mn_evidence_free(cs);
    mn_evidence_free(below);
}

/* A value published as a bound enters the likelihood as the chance of its side: a ceiling far
 * above the prediction costs nothing, far below it costs much; an animal study and redness in
 * hours are not mapped. */
static void test_bounds_and_refusals(void **state)
{
    (void)state;
    mn_evidence *hi_ev, *lo_ev, *animal, *hours;
#define HISTO_BOUND(v)                                                                             \
    "{\"id\": \"epidermis\", \"family\": \"histology\", \"scale\": \"histometry_pct_change\", "    \
    "\"arm\": \"a\", \"quantity\": \"pct_change\", \"unit\": \"%\", \"direction\": "               \
    "\"higher_better\", \"timepoints\": [{\"day_after_last\": 30, \"n\": 20, \"value\": " v        \
    ", \"bound\": \"at_most\"}]}"
    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    o.all_roles = 1;
    double ll_hi, ll_lo;
    mn_evidence_loglik_term t;
    custom(&hi_ev, "case-series", "[\"III\"]", "acne-scars", ROLLER_ARM("a", "1.5"),
           HISTO_BOUND("5000"), 20);
    custom(&lo_ev, "case-series", "[\"III\"]", "acne-scars", ROLLER_ARM("a", "1.5"),
           HISTO_BOUND("-50"), 20);
    assert_int_equal(mn_evidence_loglik(ctx, hi_ev, NULL, &o, &ll_hi, &t, 1, NULL), MN_OK);
    assert_true(t.applies && t.predicted > 0);
    assert_true(ll_hi > -1e-6 && ll_hi <= 0);
    assert_int_equal(mn_evidence_loglik(ctx, lo_ev, NULL, &o, &ll_lo, NULL, 0, NULL), MN_OK);
    assert_true(ll_lo < -10);
    mn_evidence_prediction a = observe(custom(&animal, "animal", "[\"III\"]", "acne-scars",
                                              ROLLER_ARM("a", "1.5"), HISTO_BOUND("50"), 20),
                                       0, 50);
    assert_false(a.applies);
    assert_non_null(strstr(a.why_not, "animal"));
    /* Redness of an array: its needle count and width are not in a study record. */
    const char *red = "{\"id\": \"red\", \"family\": \"erythema\", \"scale\": \"erythema_days\","
                      " \"arm\": \"a\", \"quantity\": \"duration\", \"unit\": \"hours\","
                      " \"direction\": \"lower_better\", \"timepoints\": [{\"value\": 6}]}";
    mn_evidence_prediction h = observe(
        custom(&hours, "case-series", "[\"III\"]", "none",
               "{\"id\": \"a\", \"protocol\": {\"device_class\": \"array\", \"needle_mm\": 0.4,"
               " \"sessions\": 1}}",
               red, 20),
        0, 50);
    assert_false(h.applies);
    assert_non_null(strstr(h.why_not, "needle count"));
    mn_evidence_free(hi_ev);
    mn_evidence_free(lo_ev);
    mn_evidence_free(animal);
    mn_evidence_free(hours);
#undef HISTO_BOUND
}

/* A study of one endpoint on arm "a" (JSON @p arm), with its own @p id and population. */
static const mn_evidence_study *one(mn_evidence **ev, const char *id, const char *population,
                                    const char *arm, const char *endpoints)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"id\": \"%s\", \"citation\": \"a test\", \"url\": \"https://example.org\","
             " \"role\": \"calibration\", \"design\": \"within-subject\", \"population\": %s,"
             " \"concern\": \"none\", \"site\": \"face\", \"arms\": [%s], \"endpoints\": [%s],"
             " \"verified\": \"full text\", \"unverified\": []}",
             id, population, arm, endpoints);
    assert_int_equal(mn_evidence_create(ctx, ev), MN_OK);
    mn_status st = mn_evidence_parse(ctx, *ev, "one.json", text, strlen(text));
    if (st)
        print_error("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
    return mn_evidence_find(*ev, id);
}

#define DURATION(id, family, scale, unit, tp)                                                      \
    "{\"id\": \"" id "\", \"family\": \"" family "\", \"scale\": \"" scale "\", \"arm\": \"a\", "  \
    "\"quantity\": \"duration\", \"unit\": \"" unit "\", \"direction\": \"none\", "                \
    "\"notes\": \"impedance\", \"timepoints\": [" tp "]}"
#define ONE_PATIENT "{\"n\": 1, \"age_range\": [30, 50], \"phototypes\": [\"III\"]}"

/* Redness in hours: the closed form agrees with the model's own day grid (the day map reads
 * redness at midday, so a patient red for D days has redness ending between D - 1/2 and
 * D + 1/2 days after the session), grows with depth, and a duration published as a range
 * is likelier where it holds the prediction. */
static void test_erythema_hours(void **state)
{
    (void)state;
    mn_evidence *ev, *shallow, *ranged;
    const char *eps =
        DURATION("h", "erythema", "erythema_days", "hours", "{\"value\": 6}") ", " DURATION(
            "d", "erythema", "erythema_days", "days", "{\"value\": 1}");
    /* n = 1: each trial's statistic is one patient's, the same patient in both endpoints, so
     * the order statistics of hours and days belong to the same people. */
    const mn_evidence_study *s = one(&ev, "red", ONE_PATIENT,
                                     "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\","
                                     " \"needle_mm\": 2.5, \"passes\": 5, \"sessions\": 1}}",
                                     eps);
    mn_evidence_prediction h = observe(s, 0, 51), d = observe(s, 1, 51);
    assert_true(h.applies && d.applies);
    assert_true(d.median >= 1); /* deep enough to stay red past the first day */
    assert_true(fabs(h.median / 24 - d.median) <= 0.5 + 1e-9);
    assert_true(fabs(h.lo / 24 - d.lo) <= 0.5 + 1e-9);
    assert_true(fabs(h.hi / 24 - d.hi) <= 0.5 + 1e-9);
    /* Shallower needles: less injury, shorter redness, never negative. */
    const mn_evidence_study *l = one(&shallow, "red", ONE_PATIENT,
                                     "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\","
                                     " \"needle_mm\": 0.25, \"passes\": 1, \"sessions\": 1}}",
                                     eps);
    mn_evidence_prediction hl = observe(l, 0, 51);
    assert_true(hl.applies && hl.lo >= 0 && hl.median < h.median && hl.hi < h.hi);
    /* A published range: the likelihood is higher for a range around the prediction. */
    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    double ll_near, ll_far;
    char ep[1024], tp[128];
    snprintf(tp, sizeof tp, "{\"n\": 20, \"range\": [%.3f, %.3f]}", 0.8 * h.median,
             1.25 * h.median);
    snprintf(ep, sizeof ep, DURATION("h", "erythema", "erythema_days", "hours", "%s"), tp);
    one(&ranged, "red", "{\"n\": 20}",
        "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": 2.5,"
        " \"passes\": 5, \"sessions\": 1}}",
        ep);
    mn_evidence_loglik_term t;
    assert_int_equal(mn_evidence_loglik(ctx, ranged, NULL, &o, &ll_near, &t, 1, NULL), MN_OK);
    assert_true(t.applies && ll_near > -3);
    assert_int_equal(t.healing_runs, 0); /* redness in hours is a closed form */
    mn_evidence_free(ranged);
    snprintf(tp, sizeof tp, "{\"n\": 20, \"range\": [%.3f, %.3f]}", 4 * h.median, 8 * h.median);
    snprintf(ep, sizeof ep, DURATION("h", "erythema", "erythema_days", "hours", "%s"), tp);
    one(&ranged, "red", "{\"n\": 20}",
        "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": 2.5,"
        " \"passes\": 5, \"sessions\": 1}}",
        ep);
    assert_int_equal(mn_evidence_loglik(ctx, ranged, NULL, &o, &ll_far, NULL, 0, NULL), MN_OK);
    assert_true(ll_far < ll_near - 10);
    mn_evidence_free(ev);
    mn_evidence_free(shallow);
    mn_evidence_free(ranged);
}

/* Closure times: the closure law read at the barrier's cut. The same patients give exactly
 * the law's ratios: occlusion (20.2 h against 1.5 h), phototype VI against I (1.32); an open
 * site of a young adult closes in hours, not days; a study that set the law, and pores seen
 * by dye, are refused with the reason. */
static void test_closure_times(void **state)
{
    (void)state;
    mn_evidence *open_ev, *occ_ev, *dark_ev, *source, *dye;
    const char *tewl = DURATION("c", "channel_closure", "tewl_recovery", "hours", "{\"value\": 4}");
    const char *pop_i = "{\"n\": 15, \"age_range\": [25, 25], \"phototypes\": [\"I\"]}";
    const char *pop_vi = "{\"n\": 15, \"age_range\": [25, 25], \"phototypes\": [\"VI\"]}";
    const char *arm =
        "{\"id\": \"a\", \"protocol\": {\"device_class\": \"array\", \"sessions\": 1}}";
    const char *occluded = "{\"id\": \"a\", \"protocol\": {\"device_class\": \"array\","
                           " \"sessions\": 1, \"adjuncts\": [\"occlusion\"]}}";
    mn_evidence_prediction po = observe(one(&open_ev, "c", pop_i, arm, tewl), 0, 41);
    mn_evidence_prediction pc = observe(one(&occ_ev, "c", pop_i, occluded, tewl), 0, 41);
    mn_evidence_prediction pd = observe(one(&dark_ev, "c", pop_vi, arm, tewl), 0, 41);
    assert_true(po.applies && pc.applies && pd.applies);
    assert_true(fabs(pc.median / po.median - MN_CLOSURE_OCCLUDED_H / MN_CLOSURE_OPEN_H) < 1e-9);
    assert_true(fabs(pd.median / po.median - 1.32) < 1e-9);
    assert_true(po.median > MN_CLOSURE_OPEN_H && po.median < 6 * MN_CLOSURE_OPEN_H);
    assert_true(po.lo < po.median && po.median < po.hi);
    mn_evidence_prediction ps = observe(one(&source, "ogunjimi2020", pop_i, arm, tewl), 0, 20);
    assert_false(ps.applies);
    assert_non_null(strstr(ps.why_not, "cannot validate it"));
    const char *dye_ep = "{\"id\": \"c\", \"family\": \"channel_closure\", \"scale\": "
                         "\"pore_closure\", \"arm\": \"a\", \"quantity\": \"duration\", \"unit\": "
                         "\"hours\", \"direction\": \"none\", \"notes\": \"calcein imaging\", "
                         "\"timepoints\": [{\"value\": 12, \"bound\": \"at_most\"}]}";
    mn_evidence_prediction py = observe(one(&dye, "c", pop_i, arm, dye_ep), 0, 20);
    assert_false(py.applies);
    assert_non_null(strstr(py.why_not, "dye"));
    mn_evidence_free(open_ev);
    mn_evidence_free(occ_ev);
    mn_evidence_free(dark_ev);
    mn_evidence_free(source);
    mn_evidence_free(dye);
}
#undef DURATION
#undef ONE_PATIENT

/* A Goodman & Baron reduction of n = 20 after three shallow pen sessions, its baseline @p b
 * (the day-0 mean, which is also a fall of b on day 0), published as a mean fall of 3 points a
 * month after the course. */
static const mn_evidence_study *gb_study(mn_evidence **ev, double b)
{
    char eps[2048] = "", tps[256];
    snprintf(tps, sizeof tps,
             "{\"day_from_first\": 0, \"n\": 20, \"mean\": %.17g}, {\"day_after_last\": 30, "
             "\"n\": 20, \"mean\": 3}",
             b);
    endpoint(eps, sizeof eps, "fall", "goodman_baron_quantitative", "reduction", "score", "", tps);
    return custom(ev, "case-series", "[\"III\"]", "acne-scars",
                  "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": 0.5, "
                  "\"passes\": 1, \"sessions\": 3, \"interval_days\": 30}}",
                  eps, 20);
}

/* The likelihood of the studies of @p ev (every role) at constants @p p. */
static double loglik_all(mn_evidence *ev, const mn_healing_params *p, mn_evidence_loglik_term *t,
                         int max, int *n)
{
    mn_evidence_loglik_options o;
    mn_evidence_loglik_options_init(&o);
    o.all_roles = 1;
    double ll;
    assert_int_equal(mn_evidence_loglik(ctx, ev, p, &o, &ll, t, max, n), MN_OK);
    return ll;
}

/* The between-study spread (study_sd_log): a study's responsiveness f = exp(sd z), z standard
 * normal, multiplies every patient's improvement. On the Goodman & Baron fall (baseline x
 * improvement/100 + rater noise) a study of responsiveness f reads exactly as one of baseline
 * b f, so the likelihood with the spread, the effect integrated out, must equal the integral
 * over z of the likelihoods at no spread of studies whose baseline is b exp(sd z): computed
 * here on a grid of its own (finer and wider than the library's). With the spread the
 * validation interval widens around the same median; PIH counts do not move; a spread of 1e-9
 * is no spread. */
static void test_study_effect(void **state)
{
    (void)state;
    const double b = 12, sd = 0.1, step = 0.05, zmax = 7;
    mn_healing_params none, spread;
    mn_healing_params_default(&none);
    spread = none;
    assert_int_equal(mn_healing_params_set(ctx, &spread, "study_sd_log", sd), MN_OK);
    mn_evidence *ev;
    gb_study(&ev, b);
    mn_evidence_loglik_term t[4];
    int n = 0;
    double with = loglik_all(ev, &spread, t, 4, &n), without = loglik_all(ev, &none, NULL, 0, NULL);
    assert_int_equal(n, 2);
    /* The day-0 fall (against b: next to nothing has fallen yet) applies too. */
    assert_true(t[0].applies && t[1].applies);
    double top = -INFINITY, terms[2 * 7 * 20 + 1], w[2 * 7 * 20 + 1], wsum = 0;
    int k = 0;
    for (double z = -zmax; z <= zmax + 1e-9; z += step, k++) {
        mn_evidence *at;
        gb_study(&at, b * exp(sd * z));
        mn_evidence_loglik_term tt[2];
        loglik_all(at, &none, tt, 2, NULL);
        terms[k] = tt[1].loglik; /* the month-after fall */
        w[k] = exp(-0.5 * z * z);
        wsum += w[k];
        top = terms[k] > top ? terms[k] : top;
        mn_evidence_free(at);
    }
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += w[i] / wsum * exp(terms[i] - top);
    double direct = t[0].loglik + top + log(sum);
    /* Within 0.01: the day-0 fall is read on the session's day, when the improvement is
     * already about 4 % (a fall of 0.5 points), so it moves with f a little, which the direct
     * sum leaves out (about 1e-3 here). A grid unnormalised or f misread would miss by more
     * than 0.1. */
    assert_close(with, direct, 0, 0.01);
    assert_true(fabs(with - without) > 0.05); /* the spread matters here */
    /* Each term's own integral: the day-0 term hardly moves with f, so the two sum to about
     * the study's joint integral. */
    assert_close(t[0].loglik + t[1].loglik, with, 0, 0.01);

    mn_healing_params tiny = none;
    assert_int_equal(mn_healing_params_set(ctx, &tiny, "study_sd_log", 1e-9), MN_OK);
    assert_close(loglik_all(ev, &tiny, NULL, 0, NULL), without, 1e-6, 0);

    /* Validation: the interval widens around the typical study's median. */
    const mn_evidence_study *s = mn_evidence_find(ev, "custom");
    mn_evidence_prediction a, c;
    assert_int_equal(mn_evidence_observe_params(ctx, s, 0, 1, 400, 3, &none, &a), MN_OK);
    assert_true(mn_healing_params_set(ctx, &spread, "study_sd_log", 0.4) == MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, s, 0, 1, 400, 3, &spread, &c), MN_OK);
    assert_true(c.hi - c.lo > 1.5 * (a.hi - a.lo));
    assert_true(c.lo < a.median && a.median < c.hi);
    assert_close(c.median, a.median, 0.15, 0);
    mn_evidence_free(ev);

    /* PIH counts are not read from the improvement: the spread leaves them alone. */
    char eps[1024] = "";
    endpoint(eps, sizeof eps, "pih", "pih_count", "events", "patients", "",
             "{\"time_unknown\": true, \"n\": 40, \"count\": 2}");
    const mn_evidence_study *ps =
        custom(&ev, "case-series", "[\"IV\", \"V\"]", "acne-scars", PEN_ARM("a", "1.5"), eps, 40);
    assert_int_equal(mn_evidence_observe_params(ctx, ps, 0, 0, 200, 3, &none, &a), MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, ps, 0, 0, 200, 3, &spread, &c), MN_OK);
    assert_close(c.lo, a.lo, 0, 0);
    assert_close(c.hi, a.hi, 0, 0);
    assert_close(loglik_all(ev, &spread, NULL, 0, NULL), loglik_all(ev, &none, NULL, 0, NULL), 0,
                 0);
    mn_evidence_free(ev);
}

/* A global rating's offset (rating_offset_pct): it moves what the global ratings read (a
 * quartile rating's responders, up with a positive offset and down with a negative one, in the
 * observation and in the likelihood's chance of the published count) and nothing else: the
 * same study's histometry is the same prediction to the last digit. */
static void test_rating_offset(void **state)
{
    (void)state;
    mn_evidence *ev;
    const mn_evidence_study *s = study(&ev, 30, 1.5);
    mn_healing_params none, up, down;
    mn_healing_params_default(&none);
    up = down = none;
    assert_int_equal(mn_healing_params_set(ctx, &up, "rating_offset_pct", 20), MN_OK);
    assert_int_equal(mn_healing_params_set(ctx, &down, "rating_offset_pct", -20), MN_OK);
    mn_evidence_prediction h0, h1, r0, r1, r2;
    assert_int_equal(mn_evidence_observe_params(ctx, s, 0, 0, 200, 5, &none, &h0), MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, s, 0, 0, 200, 5, &up, &h1), MN_OK);
    assert_close(h1.median, h0.median, 0, 0);
    assert_close(h1.lo, h0.lo, 0, 0);
    assert_close(h1.hi, h0.hi, 0, 0);
    assert_int_equal(mn_evidence_observe_params(ctx, s, 1, 0, 200, 5, &none, &r0), MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, s, 1, 0, 200, 5, &up, &r1), MN_OK);
    assert_int_equal(mn_evidence_observe_params(ctx, s, 1, 0, 200, 5, &down, &r2), MN_OK);
    assert_true(r1.median > r0.median && r0.median > r2.median);
    /* The likelihood's chance of the count: higher with the offset up. */
    mn_evidence_loglik_term t0[8], t1[8];
    int n0 = 0, n1 = 0;
    loglik_all(ev, &none, t0, 8, &n0);
    loglik_all(ev, &up, t1, 8, &n1);
    assert_int_equal(n0, n1);
    int seen = 0;
    for (int k = 0; k < n0; k++) {
        if (!t0[k].applies)
            continue;
        if (t0[k].endpoint == 0) {
            assert_close(t1[k].loglik, t0[k].loglik, 0, 0);
        } else {
            assert_true(t1[k].predicted > t0[k].predicted);
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    mn_evidence_free(ev);
}

/* A pen arm that does not publish its passes is needled at the concern's usual passes
 * (data/concerns.json), as a plan needles it: for a concern of two passes the prediction is
 * the one with "passes": 2 written in, and not the one with 3. */
static void test_pen_passes_from_concern(void **state)
{
    (void)state;
    const mn_concern *c = mn_catalog_find_concern(mn_ctx_catalog(ctx), "texture-tone");
    assert_non_null(c);
    assert_close(c->passes, 2, 0, 0);
    char eps[1024] = "";
    endpoint(eps, sizeof eps, "fall", "wrinkle_grade", "reduction", "score", "",
             "{\"day_after_last\": 90, \"mean\": 1}");
    const char *arms[3] = {
        PEN_ARM("a", "1.5"),
        "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": 1.5,"
        " \"passes\": 2, \"sessions\": 4, \"interval_days\": 30}}",
        "{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": 1.5,"
        " \"passes\": 3, \"sessions\": 4, \"interval_days\": 30}}"};
    mn_evidence_prediction p[3];
    for (int i = 0; i < 3; i++) {
        mn_evidence *ev;
        p[i] = observe(custom(&ev, "case-series", "[\"III\"]", "texture-tone", arms[i], eps, 31), 0,
                       100);
        assert_true(p[i].applies);
        mn_evidence_free(ev);
    }
    assert_close(p[0].median, p[1].median, 0, 0);
    assert_close(p[0].hi, p[1].hi, 0, 0);
    assert_true(p[0].median != p[2].median);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_shrinks_with_size),
        cmocka_unit_test(test_follows_protocol_and_threshold),
        cmocka_unit_test(test_unmapped_endpoints_say_why),
        cmocka_unit_test(test_loglik_peaks_at_the_truth),
        cmocka_unit_test(test_bundled_studies),
        cmocka_unit_test(test_wrinkle_grades),
        cmocka_unit_test(test_gais),
        cmocka_unit_test(test_scar_score),
        cmocka_unit_test(test_goodman_baron_level),
        cmocka_unit_test(test_ecca),
        cmocka_unit_test(test_pih_counts),
        cmocka_unit_test(test_paired_comparison),
        cmocka_unit_test(test_pen_passes_from_concern),
        cmocka_unit_test(test_bounds_and_refusals),
        cmocka_unit_test(test_erythema_hours),
        cmocka_unit_test(test_closure_times),
        cmocka_unit_test(test_study_effect),
        cmocka_unit_test(test_rating_offset),
    };
    return cmocka_run_group_tests_name("observe", tests, setup, teardown);
}
