/* Posterior files (posterior.h) and the healing model's constants by name (healing.h): the
 * bundled posterior loads and turns into parameter sets the model runs with; a set changes the
 * model's output exactly where its constants say; each kind of malformed posterior file is
 * refused with an input-error status and a message naming the file and the JSON path. */
#include <stdio.h>

#include "mn_test.h"

MN_TEST_CONTEXT_FIXTURE

static const char *const HASH = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void test_params_by_name(void **state)
{
    (void)state;
    mn_healing_params p;
    mn_healing_params_default(&p);
    int n = mn_healing_param_count();
    assert_true(n >= 8);
    for (int i = 0; i < n; i++) {
        const char *name = mn_healing_param_name(i);
        assert_non_null(name);
        assert_int_equal(mn_healing_param_find(name), i);
        double lo, hi, v = mn_healing_params_get(&p, name);
        assert_true(mn_healing_param_range(i, &lo, &hi));
        assert_true(v >= lo && v <= hi); /* every default lies in its own range */
    }
    assert_null(mn_healing_param_name(n));
    assert_int_equal(mn_healing_param_find("no_such_constant"), -1);
    assert_int_equal(mn_healing_params_set(ctx, &p, "dose_half_sat", 2.5), MN_OK);
    assert_close(mn_healing_params_get(&p, "dose_half_sat"), 2.5, 0, 0);
    assert_int_equal(mn_healing_params_set(ctx, &p, "col1_long_fraction", 1.5), MN_ERANGE);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "col1_long_fraction"));
    assert_int_equal(mn_healing_params_set(ctx, &p, "dose_half_sat", NAN), MN_ERANGE);
    assert_close(mn_healing_params_get(&p, "dose_half_sat"), 2.5, 0, 0); /* unchanged */
    assert_int_equal(mn_healing_params_set(ctx, &p, "nope", 1), MN_ENOTFOUND);
    mn_healing_params blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(mn_healing_params_set(ctx, &blank, "dose_half_sat", 1), MN_EINVAL);
    assert_true(isnan(mn_healing_params_get(&blank, "dose_half_sat")));
}

/* A scenario run with the defaults passed explicitly equals the run without them; raising the
 * maximal response raises the collagen gain in proportion (the cascade is linear in it), and a
 * set never filled is refused. */
static void test_params_reach_the_model(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_healing_session s[3];
    for (int i = 0; i < 3; i++)
        s[i] = (mn_healing_session){28 * i, mn_catalog_find_device(cat, "skinpen"), 1.0, 3, 0};
    mn_healing_scenario sc = {{40, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE},
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "fine-lines-wrinkles"),
                              s,
                              3,
                              400};
    int day = 200;
    mn_healing_sample a, b, c;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, &day, 1, &a, NULL), MN_OK);
    mn_healing_params p;
    mn_healing_params_default(&p);
    mn_healing_options o;
    mn_healing_options_init(&o);
    o.params = &p;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &o, &day, 1, &b, NULL), MN_OK);
    assert_close(b.collagen_change_pct, a.collagen_change_pct, 0, 0);
    double r = mn_healing_params_get(&p, "response_max");
    assert_int_equal(mn_healing_params_set(ctx, &p, "response_max", 2 * r), MN_OK);
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &o, &day, 1, &c, NULL), MN_OK);
    double added = a.collagen3_pct + a.collagen1_pct;
    assert_true(added > 1);
    assert_close(c.collagen3_pct + c.collagen1_pct, 2 * added, 1e-9, 1e-9);
    mn_healing_params blank;
    memset(&blank, 0, sizeof blank);
    o.params = &blank;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &o, &day, 1, &c, NULL), MN_EINVAL);
}

static void test_bundled_posterior(void **state)
{
    (void)state;
    mn_posterior *p = NULL;
    assert_int_equal(mn_posterior_load(ctx, NULL, &p), MN_OK);
    int np = mn_posterior_param_count(p), nd = mn_posterior_draw_count(p);
    assert_true(np >= 1 && nd >= 100);
    const mn_posterior_provenance *pv = mn_posterior_provenance_of(p);
    assert_non_null(pv->date);
    assert_int_equal((int)strlen(pv->evidence_sha256), 64);
    for (int j = 0; j < np; j++) {
        assert_true(mn_healing_param_find(mn_posterior_param_name(p, j)) >= 0);
        double q05 = mn_posterior_quantile(p, j, 0.05), q50 = mn_posterior_quantile(p, j, 0.5);
        double q95 = mn_posterior_quantile(p, j, 0.95);
        assert_true(q05 <= q50 && q50 <= q95);
        /* The median set holds each constant's median, the others at their defaults. */
        mn_healing_params m;
        assert_int_equal(mn_posterior_params(ctx, p, MN_POSTERIOR_MEDIAN, &m), MN_OK);
        assert_close(mn_healing_params_get(&m, mn_posterior_param_name(p, j)), q50, 0, 0);
        assert_int_equal(mn_posterior_params(ctx, p, nd - 1, &m), MN_OK);
        assert_close(mn_healing_params_get(&m, mn_posterior_param_name(p, j)),
                     mn_posterior_value(p, nd - 1, j), 0, 0);
    }
    mn_healing_params m;
    assert_int_equal(mn_posterior_params(ctx, p, nd, &m), MN_EINVAL);
    assert_true(isnan(mn_posterior_value(p, nd, 0)));
    mn_posterior_free(p);
}

/* A small file: two constants, three draws. %s slots: parameters, draws, provenance. */
static mn_status parse(const char *params, const char *draws, const char *prov)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"model\": \"healing\", \"format\": 1, \"parameters\": %s, \"draws\": %s, "
             "\"provenance\": %s}",
             params, draws, prov);
    mn_posterior *p = NULL;
    mn_status st = mn_posterior_parse(ctx, "post.json", text, strlen(text), &p);
    if (st == MN_OK) {
        assert_non_null(p);
        assert_int_equal(mn_posterior_draw_count(p), 3);
        assert_close(mn_posterior_quantile(p, 0, 0.5), 1.0, 0, 1e-12);
    } else {
        assert_null(p);
    }
    mn_posterior_free(p);
    return st;
}

#define refused(got, want, place) refused_at(got, want, place, __LINE__)
static void refused_at(mn_status got, mn_status want, const char *place, int line)
{
    if (got != want)
        fail_msg("line %d: status %d, expected %d (%s)", line, got, want, mn_ctx_errmsg(ctx));
    assert_true(mn_status_is_input_error(got));
    const char *m = mn_ctx_errmsg(ctx);
    if (!strstr(m, "post.json") || !strstr(m, place))
        fail_msg("message \"%s\" does not name post.json and %s", m, place);
}

static void test_malformed_posteriors(void **state)
{
    (void)state;
    const char *params = "[\"dose_half_sat\", \"col1_long_fraction\"]";
    const char *draws = "[[0.5, 0.1], [1.0, 0.2], [2.0, 0.3]]";
    char prov[512], fit[1024];
    snprintf(prov, sizeof prov,
             "{\"source\": \"prior\", \"date\": \"2026-12-04\", \"evidence_sha256\": \"%s\"}",
             HASH);
    snprintf(fit, sizeof fit,
             "{\"source\": \"posterior\", \"date\": \"2026-12-04\", \"evidence_sha256\": \"%s\", "
             "\"sampler\": {\"name\": \"emcee\", \"walkers\": 32, \"steps\": 100, \"burn_in\": "
             "50}, \"convergence\": {\"tau_max\": 12.5, \"tau\": {\"dose_half_sat\": 12.5}, "
             "\"acceptance_fraction\": 0.3, \"rhat_max\": 1.01}}",
             HASH);
    assert_int_equal(parse(params, draws, prov), MN_OK);
    assert_int_equal(parse(params, draws, fit), MN_OK);

    refused(parse("[\"dose_half_sat\", \"nope\"]", draws, prov), MN_ENOTFOUND, "$.parameters[1]");
    refused(parse("[\"dose_half_sat\", \"dose_half_sat\"]", draws, prov), MN_ERANGE,
            "$.parameters[1]");
    refused(parse("[]", draws, prov), MN_ERANGE, "$.parameters");
    refused(parse(params, "[[0.5, 0.1], [1.0], [2.0, 0.3]]", prov), MN_ERANGE, "$.draws[1]");
    refused(parse(params, "[[0.5, 0.1], [1.0, 1.2], [2.0, 0.3]]", prov), MN_ERANGE,
            "$.draws[1][1]");
    refused(parse(params, "[[0.5, 0.1], [1.0, \"x\"], [2.0, 0.3]]", prov), MN_ETYPE,
            "$.draws[1][1]");
    refused(parse(params, "[[0.5, 0.1], 7, [2.0, 0.3]]", prov), MN_ETYPE, "$.draws[1]");
    refused(parse(params, draws, "{\"source\": \"guess\", \"date\": \"2026-12-04\"}"), MN_ERANGE,
            "$.provenance.source");
    refused(parse(params, draws,
                  "{\"source\": \"prior\", \"date\": \"2026-12-04\", \"evidence_sha256\": "
                  "\"abc\"}"),
            MN_ERANGE, "$.provenance.evidence_sha256");
    char bad[1024];
    snprintf(bad, sizeof bad,
             "{\"source\": \"posterior\", \"date\": \"2026-12-04\", \"evidence_sha256\": \"%s\"}",
             HASH);
    refused(parse(params, draws, bad), MN_ETYPE, "$.provenance.sampler"); /* a fit names it */
    snprintf(bad, sizeof bad,
             "{\"source\": \"prior\", \"date\": \"2026-02-30\", \"evidence_sha256\": \"%s\"}",
             HASH);
    refused(parse(params, draws, bad), MN_ERANGE, "$.provenance.date");
    snprintf(bad, sizeof bad,
             "{\"source\": \"prior\", \"date\": \"2026-12-04\", \"evidence_sha256\": \"%s\", "
             "\"convergence\": {\"rhat\": {\"epi_gain\": 1.0}}}",
             HASH);
    refused(parse(params, draws, bad), MN_ENOTFOUND, "$.provenance.convergence.rhat");
    snprintf(bad, sizeof bad,
             "{\"source\": \"prior\", \"date\": \"2026-12-04\", \"evidence_sha256\": \"%s\", "
             "\"extra\": 1}",
             HASH);
    refused(parse(params, draws, bad), MN_ENOTFOUND, "$.provenance.extra");

    mn_posterior *p = NULL;
    const char *wrong = "{\"model\": \"transport\", \"format\": 1}";
    refused(mn_posterior_parse(ctx, "post.json", wrong, strlen(wrong), &p), MN_ERANGE, "$.model");
    const char *broken = "{\"model\": \"healing\",";
    assert_int_equal(mn_posterior_parse(ctx, "post.json", broken, strlen(broken), &p), MN_EPARSE);
    assert_null(p);
    assert_int_equal(mn_posterior_load(ctx, "/nonexistent/post.json", &p), MN_EINVAL);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_by_name),
        cmocka_unit_test(test_params_reach_the_model),
        cmocka_unit_test(test_bundled_posterior),
        cmocka_unit_test(test_malformed_posteriors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
