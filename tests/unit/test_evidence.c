/* Evidence base: the bundled studies load as published, and each kind of malformed study file
 * is refused with an input-error status and a message naming the file and the JSON path. */
#include "mn_test.h"

MN_TEST_CONTEXT_FIXTURE

/* The bundled validation summary reads, and is consistent: inside and misses within checked.
 * (That it is `mneedle validate`'s own counts is tests/cli/validate.sh.) */
/* The largest measured change per layer: human studies only (aust2011's animal epidermis,
 * +140 %, would otherwise win), a mean or a single published value; bundled and direct agree. */
static void test_largest_change(void **state)
{
    (void)state;
    mn_evidence *ev = NULL;
    assert_int_equal(mn_evidence_load(ctx, NULL, &ev), MN_OK);
    const char *sid = NULL;
    assert_true(fabs(mn_evidence_largest_change_pct(ev, 0, &sid) - 53.2) < 1e-9);
    assert_string_equal(sid, "lotfi2013");
    assert_true(fabs(mn_evidence_largest_change_pct(ev, 1, &sid) - 50.0) < 1e-9);
    assert_string_equal(sid, "lotfi2013");
    double pct = 0;
    assert_int_equal(mn_evidence_bundled_largest_change(ctx, 1, &pct, &sid), MN_OK);
    assert_true(fabs(pct - 50.0) < 1e-9);
    assert_int_equal(mn_evidence_bundled_largest_change(ctx, 1, NULL, &sid), MN_EINVAL);
    assert_true(mn_evidence_largest_change_pct(NULL, 0, &sid) < 0 && !sid);
    mn_evidence_free(ev);
}

/* A study as text a reader sees names it: from its citation, first author and year, or the
 * title it opens with when no author was read; never its id. The bundled lookup gives the
 * same, and words of its own for an id it does not know. */
static void test_cite(void **state)
{
    (void)state;
    mn_evidence *ev = NULL;
    assert_int_equal(mn_evidence_load(ctx, NULL, &ev), MN_OK);
    static const char *const want[][2] = {
        {"aust2008", "Aust et al. 2008"},
        {"ablon2018", "Ablon 2018"},
        {"alster2020scars", "Alster and Li 2020"},
        {"alchalabi2020", "Al Chalabi et al. 2020"},
        {"lotfi2013", "Lotfi et al. 2013"},
        {"dermapen_depth_splitface",
         "\"Evaluation of microneedling depth of penetration in management of atrophic acne "
         "scars: a split-face...\""},
        {"isfahan2023_striae", "\"[Microneedling for striae alba: 32 patients]\" (2023)"},
        /* its citation says the year was not read; the year beside that is not the article's */
        {"alqarqaz_jcd", "Al Qarqaz et al."},
    };
    char buf[200];
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const mn_evidence_study *s = mn_evidence_find(ev, want[k][0]);
        assert_non_null(s);
        assert_string_equal(mn_evidence_cite(s, buf, sizeof buf), want[k][1]);
    }
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        mn_evidence_cite(s, buf, sizeof buf);
        assert_true(buf[0] && !strstr(buf, s->id));
    }
    int days = 0;
    const char *sid = NULL;
    assert_int_equal(mn_evidence_bundled_followup(ctx, &days, &sid), MN_OK);
    assert_string_equal(mn_evidence_bundled_cite(sid), "Aust et al. 2008");
    /* Two studies one name would give are told apart by a letter, in the order of their ids. */
    assert_string_equal(mn_evidence_bundled_cite("alster2020scars"), "Alster and Li 2020a");
    assert_string_equal(mn_evidence_bundled_cite("alster2020striae"), "Alster and Li 2020b");
    assert_string_equal(mn_evidence_bundled_cite("lotfi2013"), "Lotfi et al. 2013");
    assert_string_equal(mn_evidence_bundled_cite("no-such-study"), "a study in the evidence base");
    assert_string_equal(mn_evidence_bundled_cite(NULL), "a study in the evidence base");
    assert_string_equal(mn_evidence_cite(NULL, buf, sizeof buf), "");
    mn_evidence_free(ev);
}

static void test_validation_summary(void **state)
{
    (void)state;
    mn_validation_summary v;
    assert_int_equal(mn_evidence_validation_summary(ctx, &v), MN_OK);
    assert_true(v.checked > 0);
    assert_true(v.inside >= 0 && v.worse >= 0 && v.better >= 0);
    assert_true(v.inside + v.worse + v.better <= v.checked);
    assert_true(v.studies >= 1 && v.studies <= v.checked);
    assert_true(v.efficacy_inside <= v.efficacy_checked && v.efficacy_checked <= v.checked);
    assert_true(v.efficacy_inside <= v.inside);
    assert_int_equal(mn_evidence_validation_summary(ctx, NULL), MN_EINVAL);
}

static void test_bundled_studies(void **state)
{
    (void)state;
    mn_evidence *ev = NULL;
    assert_int_equal(mn_evidence_load(ctx, NULL, &ev), MN_OK);
    size_t n = mn_evidence_count(ev);
    assert_true(n >= 20);
    int roles[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        assert_false(s->user);
        assert_non_null(strstr(s->source, "(embedded) data/evidence/"));
        roles[s->role]++;
        assert_ptr_equal(mn_evidence_find(ev, s->id), s);
    }
    assert_true(3 * roles[MN_EVIDENCE_VALIDATION] >= (int)n);

    /* Values land where the file puts them (Alam 2014: reduction with a 95 % CI; Dogra 2014:
     * 5 PIH events of 30; Ablon 2018: a 99 % CI at day 150). */
    const mn_evidence_study *a = mn_evidence_find(ev, "alam2014");
    assert_non_null(a);
    assert_int_equal(a->role, MN_EVIDENCE_VALIDATION);
    assert_int_equal(a->population.n, 20);
    assert_int_equal(a->population.n_analysed, 15);
    const mn_evidence_endpoint *e = &a->endpoints[0];
    assert_string_equal(e->scale, "goodman_baron_quantitative");
    assert_int_equal(e->quantity, MN_EVIDENCE_REDUCTION);
    assert_string_equal(a->arms[e->arm].id, "needling");
    assert_int_equal(e->n_timepoints, 2);
    assert_int_equal(e->timepoints[1].time, MN_EVIDENCE_TIME_FROM_FIRST);
    assert_close(e->timepoints[1].time_value, 180, 0, 0);
    assert_close(e->timepoints[1].mean, 3.4, 0, 1e-12);
    assert_close(e->timepoints[1].ci95[0], 0.2, 0, 1e-12);
    assert_close(e->timepoints[1].ci95[1], 6.5, 0, 1e-12);
    assert_true(e->timepoints[1].have & MN_EVIDENCE_HAVE_CI95);
    assert_false(e->timepoints[1].have & MN_EVIDENCE_HAVE_SD);
    assert_true(isnan(e->timepoints[1].sd));
    assert_true(isnan(a->arms[0].needle_mm)); /* not published in what was read */

    const mn_evidence_study *d = mn_evidence_find(ev, "dogra2014");
    assert_non_null(d);
    assert_int_equal(d->population.phototypes, (1u << 3) | (1u << 4)); /* IV and V */
    int found = 0;
    for (int k = 0; k < d->n_endpoints; k++)
        if (d->endpoints[k].family == MN_EVIDENCE_PIH) {
            assert_int_equal(d->endpoints[k].timepoints[0].count, 5);
            assert_int_equal(d->endpoints[k].timepoints[0].n, 30);
            found = 1;
        }
    assert_true(found);

    const mn_evidence_study *b = mn_evidence_find(ev, "ablon2018");
    assert_non_null(b);
    assert_close(b->endpoints[0].timepoints[0].ci99[1], 1.34, 0, 1e-12);
    assert_close(b->arms[0].interval_days, 30, 0, 0);
    mn_evidence_free(ev);
}

/* A small study with the parts each case changes. */
typedef struct {
    const char *pop, *concern, *needle, *arm2, *family, *arm, *quantity, *tp;
    mn_status want;
    const char *msg; /* in the message after "t.json: " */
} study_case;

static char *study_text(const study_case *c)
{
    char *buf = malloc(4096);
    assert_non_null(buf);
    snprintf(buf, 4096,
             "{\"id\": \"t1\", \"citation\": \"c\", \"url\": \"u\", \"role\": \"calibration\","
             " \"design\": \"case-series\", \"population\": {\"n\": 10%s}, \"concern\": \"%s\","
             " \"arms\": [{\"id\": \"a\", \"protocol\": {\"device_class\": \"pen\", \"needle_mm\": "
             "%s}}%s], \"endpoints\": [{\"id\": \"e\", \"family\": \"%s\", \"scale\": \"masi\","
             " \"arm\": \"%s\", \"quantity\": \"%s\", \"unit\": \"score\", \"direction\":"
             " \"lower_better\", \"timepoints\": [{%s}]}], \"verified\": \"abstract only\","
             " \"unverified\": []}",
             c->pop, c->concern, c->needle, c->arm2, c->family, c->arm, c->quantity, c->tp);
    return buf;
}

#define OKTP "\"day_from_first\": 0, \"mean\": 3, \"sd\": 1"

static void test_study_files_checked(void **state)
{
    (void)state;
    const study_case cases[] = {
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level", OKTP, MN_OK, NULL},
        {"", "none", "1.5", "", "clinical_scale", "a", "duration", "\"value\": 2", MN_OK, NULL},
        {"", "acne", "1.5", "", "clinical_scale", "a", "level", OKTP, MN_ENOTFOUND,
         "$.concern: \"acne\" is not a concern"},
        {"", "acne-scars", "9", "", "clinical_scale", "a", "level", OKTP, MN_ERANGE,
         "$.arms[0].protocol.needle_mm: 9 is out of range"},
        {"", "acne-scars", "\"1.5\"", "", "clinical_scale", "a", "level", OKTP, MN_ETYPE,
         "$.arms[0].protocol.needle_mm: expected a number"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "b", "level", OKTP, MN_ENOTFOUND,
         "$.endpoints[0].arm: \"b\" is not an arm of this study"},
        {"", "acne-scars", "1.5", "", "histo", "a", "level", OKTP, MN_ERANGE,
         "$.endpoints[0].family: expected one of histology"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"day_after_last\": 3, \"mean\": 1", MN_ERANGE,
         "$.endpoints[0].timepoints[0]: more than one time"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level", "\"mean\": 1", MN_ERANGE,
         "$.endpoints[0].timepoints[0]: no time"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"n\": 5", MN_ERANGE, "$.endpoints[0].timepoints[0]: no value"},
        {"", "acne-scars", "1.5", "", "pih", "a", "events",
         "\"time_unknown\": true, \"n\": 5, \"count\": 6", MN_ERANGE,
         "$.endpoints[0].timepoints[0].count: 6 is more than n (5)"},
        {"", "acne-scars", "1.5", "", "pih", "a", "events", "\"time_unknown\": true, \"count\": 1",
         MN_ERANGE, "$.endpoints[0].timepoints[0].count: a count needs the n"},
        {"", "acne-scars", "1.5", "", "pih", "a", "events", "\"time_unknown\": false, \"pct\": 1",
         MN_ERANGE, "$.endpoints[0].timepoints[0].time_unknown: expected true"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"mean\": 3, \"sd\": -1", MN_ERANGE,
         "$.endpoints[0].timepoints[0].sd: -1 is out of range"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"mean\": 1, \"ci95\": [2, 1]", MN_ERANGE,
         "$.endpoints[0].timepoints[0].ci95: [2, 1] is not in order"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"mean\": 3, \"mean_sd\": 1", MN_ENOTFOUND,
         "$.endpoints[0].timepoints[0].mean_sd: unknown key"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "comparison",
         "\"day_from_first\": 0, \"mean\": 1", MN_ERANGE, "a comparison needs \"sign\""},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         "\"day_from_first\": 0, \"mean\": 1, \"bound\": \"at_most\"", MN_ERANGE,
         "$.endpoints[0].timepoints[0].bound: a bound qualifies \"value\""},
        {"", "acne-scars", "1.5", ", {\"id\": \"a\", \"control\": true}", "clinical_scale", "a",
         "level", OKTP, MN_ERANGE, "$.arms[1].id: \"a\" is already the id of $.arms[0]"},
        {"", "acne-scars", "1.5", ", {\"id\": \"b\", \"control\": true, \"protocol\": {}}",
         "clinical_scale", "a", "level", OKTP, MN_ERANGE,
         "$.arms[1].protocol: a control arm has no needling protocol"},
        {"", "acne-scars", "1.5", ", {\"id\": \"b\"}", "clinical_scale", "a", "level", OKTP,
         MN_ETYPE, "$.arms[1].protocol: missing"},
        {", \"n_analysed\": 11", "acne-scars", "1.5", "", "clinical_scale", "a", "level", OKTP,
         MN_ERANGE, "$.population.n_analysed: 11 is more than n (10)"},
        {", \"phototypes\": [\"VII\"]", "acne-scars", "1.5", "", "clinical_scale", "a", "level",
         OKTP, MN_ERANGE, "$.population.phototypes[0]: \"VII\" is not a phototype"},
        {"", "acne-scars", "1.5", "", "clinical_scale", "a", "difference", OKTP, MN_ERANGE,
         "$.endpoints[0]: a difference is between two arms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const study_case *c = &cases[i];
        mn_evidence *ev = NULL;
        assert_int_equal(mn_evidence_create(ctx, &ev), MN_OK);
        char *text = study_text(c);
        mn_ctx_clear_error(ctx);
        mn_status st = mn_evidence_parse(ctx, ev, "t.json", text, strlen(text));
        if (st != c->want || (c->msg && !strstr(mn_ctx_errmsg(ctx), c->msg)))
            print_error("case %zu: status %s, message \"%s\"; expected %s and \"%s\"\n", i,
                        mn_status_name(st), mn_ctx_errmsg(ctx), mn_status_name(c->want),
                        c->msg ? c->msg : "");
        assert_int_equal(st, c->want);
        if (c->msg) {
            assert_true(mn_status_is_input_error(st));
            assert_non_null(strstr(mn_ctx_errmsg(ctx), c->msg));
            assert_int_equal(strncmp(mn_ctx_errmsg(ctx), "t.json: ", 8), 0);
            assert_int_equal(mn_evidence_count(ev), 0); /* nothing half-added */
        } else {
            assert_int_equal(mn_evidence_count(ev), 1);
            assert_true(mn_evidence_at(ev, 0)->user);
        }
        free(text);
        mn_evidence_free(ev);
    }
}

static void test_ids_and_sources(void **state)
{
    (void)state;
    study_case ok = {"",  "acne-scars", "1.5", "",    "clinical_scale",
                     "a", "level",      OKTP,  MN_OK, NULL};
    char *text = study_text(&ok);
    mn_evidence *ev = NULL;
    assert_int_equal(mn_evidence_create(ctx, &ev), MN_OK);
    assert_int_equal(mn_evidence_parse(ctx, ev, "one.json", text, strlen(text)), MN_OK);
    /* The same id again is refused, naming where the first came from; the set keeps one. */
    assert_int_equal(mn_evidence_parse(ctx, ev, "two.json", text, strlen(text)), MN_ERANGE);
    assert_non_null(
        strstr(mn_ctx_errmsg(ctx), "two.json: $.id: \"t1\" is already the id of one.json"));
    assert_int_equal(mn_evidence_count(ev), 1);
    free(text);

    /* Without doi, pmid or url a study cannot be found again: refused. */
    const char *nolink = "{\"id\": \"t2\", \"citation\": \"c\", \"role\": \"validation\","
                         " \"design\": \"rct\", \"population\": {}, \"concern\": \"none\","
                         " \"arms\": [{\"id\": \"a\", \"control\": true}], \"endpoints\": [],"
                         " \"verified\": \"secondary\", \"unverified\": []}";
    assert_int_equal(mn_evidence_parse(ctx, ev, "n.json", nolink, strlen(nolink)), MN_ETYPE);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "n.json: $: no doi, pmid or url"));
    assert_int_equal(mn_evidence_parse(ctx, ev, "e.json", "", 0), MN_EPARSE);
    assert_int_equal(mn_evidence_parse(ctx, ev, "x.json", "[1]", 3), MN_ETYPE);
    assert_int_equal(mn_evidence_count(ev), 1);
    assert_string_equal(mn_evidence_role_name(MN_EVIDENCE_VALIDATION), "validation");
    assert_string_equal(mn_evidence_family_name(MN_EVIDENCE_CHANNEL_CLOSURE), "channel_closure");
    assert_string_equal(mn_evidence_quantity_name(MN_EVIDENCE_PCT_REDUCTION), "pct_reduction");
    mn_evidence_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_studies), cmocka_unit_test(test_validation_summary),
        cmocka_unit_test(test_largest_change),  cmocka_unit_test(test_study_files_checked),
        cmocka_unit_test(test_ids_and_sources), cmocka_unit_test(test_cite),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
