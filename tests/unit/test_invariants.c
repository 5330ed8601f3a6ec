/*
 * Numerical robustness as properties over generated inputs (10,000 per property; the
 * planner's safety properties are in test_plan_properties.c):
 *   - no NaN or infinity in any output: generated client files (through the parser, over the
 *     whole accepted range: fractional ages 18-100, start dates 1900-2999, prices to 1e6,
 *     every device, horizons 1-20 years) plan and screen, and every number in the JSON, read
 *     back, is finite; the text has no "nan" or "inf";
 *   - monotonicity where the physics demands it: a longer needle never reaches less deep, more
 *     passes never make fewer punctures, a deeper target never needs a shorter needle, older
 *     (thinner) skin never gets a deeper needle, a longer horizon never fewer sessions or a
 *     smaller total.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

/* 10,000 cases per property. Each plan runs the collagen projection (about 1 ms), so the
 * age and horizon comparisons, two more plans each, are made for every 4th client (2,500);
 * MN_PROPERTY_CASES changes the count, MN_PROPERTY_ALL=1 compares every client. */
#ifdef __SANITIZE_ADDRESS__
/* Under ASan (about 4x slower) a quarter of the same sequence: the sanitizer needs the paths,
 * the release run supplies the count. */
#define N_CASES_DEFAULT 2500
#else
#define N_CASES_DEFAULT 10000
#endif
static int N_CASES = N_CASES_DEFAULT;

MN_TEST_CONTEXT_FIXTURE

/* Counts the numbers in a JSON tree; fails on any that is not finite. */
static long check_numbers(json_t *v)
{
    long n = 0;
    size_t i;
    const char *key;
    json_t *e;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, key, e) n += check_numbers(e);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, e) n += check_numbers(e);
        break;
    case JSON_REAL:
    case JSON_INTEGER:
        assert_true(isfinite(json_number_value(v)));
        n++;
        break;
    default:
        break;
    }
    return n;
}

/* No "nan" or "inf" as a word in text (any case): what printf makes of a non-finite value. */
static void check_text(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (p != s && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
            continue;
        if (!strncasecmp(p, "nan", 3) || !strncasecmp(p, "inf", 3)) {
            char after = p[3];
            if (!isalnum((unsigned char)after) || !strncasecmp(p, "infinity", 8))
                fail_msg("non-finite number in the text output: \"%.40s\"", p);
        }
    }
}

/* A client file over the whole accepted range. Zones come from each concern's list. */
static void random_client_text(mn_rng *r, char *buf, size_t n)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    static const char *const sex[] = {"female", "male"};
    static const char *const sun[] = {"low", "moderate", "high"};
    static const char *const grade[] = {"mild", "moderate", "severe"};
    double age = 18 + 82 * mn_rng_uniform(r);
    int male = (int)mn_rng_int(r, 0, 1);
    int used = snprintf(buf, n,
                        "{\"client\": {\"age\": %.3f, \"sex\": \"%s\", \"fitzpatrick\": %ld},"
                        " \"lifestyle\": {\"smoker\": %s, \"sun\": \"%s\"}, \"concerns\": [",
                        age, sex[male], mn_rng_int(r, 1, 6),
                        mn_rng_uniform(r) < 0.3 ? "true" : "false", sun[mn_rng_int(r, 0, 2)]);
    int n_concerns = (int)mn_rng_int(r, 1, 3);
    const mn_concern *chosen[3] = {NULL, NULL, NULL};
    for (int k = 0; k < n_concerns; k++) {
        const mn_concern *c = mn_catalog_concern_at(
            cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_concern_count(cat) - 1));
        int dup = 0;
        for (int q = 0; q < k; q++)
            dup |= chosen[q] == c;
        if (dup)
            continue;
        chosen[k] = c;
        used += snprintf(buf + used, n - (size_t)used,
                         "%s{\"concern\": \"%s\", \"severity\": \"%s\", \"zones\": [",
                         k && chosen[0] ? ", " : "", c->id, grade[mn_rng_int(r, 0, 2)]);
        unsigned long taken = 0;
        int nz = (int)mn_rng_int(r, 1, c->n_zones < 5 ? c->n_zones : 5), written = 0;
        for (int z = 0; z < nz; z++) {
            int i = (int)mn_rng_int(r, 0, c->n_zones - 1);
            if (taken & (1ul << i))
                continue;
            taken |= 1ul << i;
            used += snprintf(buf + used, n - (size_t)used, "%s\"%s\"", written++ ? ", " : "",
                             c->zones[i]);
        }
        used += snprintf(buf + used, n - (size_t)used, "]}");
    }
    used += snprintf(buf + used, n - (size_t)used, "], \"history\": {");
    int written = 0;
    for (int i = 0; i < MN_HISTORY_COUNT; i++) {
        if (mn_rng_uniform(r) > 0.08)
            continue;
        if (mn_history_is_numeric((mn_history_item)i))
            used += snprintf(buf + used, n - (size_t)used, "%s\"%s\": %.2f", written++ ? ", " : "",
                             mn_history_name((mn_history_item)i), 1200 * pow(mn_rng_uniform(r), 3));
        else /* a male client marked pregnant is refused (docs/input-formats.md) */
            used += snprintf(
                buf + used, n - (size_t)used, "%s\"%s\": %s", written++ ? ", " : "",
                mn_history_name((mn_history_item)i),
                mn_rng_uniform(r) < 0.5 && !(male && i == MN_HISTORY_PREGNANT) ? "true" : "false");
    }
    const mn_device *d =
        mn_catalog_device_at(cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_device_count(cat) - 1));
    mn_date start;
    mn_date_from_ymd(1900, 1, 1, &start);
    start += (mn_date)mn_rng_int(r, 0, 401766); /* to 2999-12-31 (the bound is inclusive) */
    char date[11];
    snprintf(buf + used, n - (size_t)used,
             "}, \"clinic\": {\"device\": \"%s\", \"price_per_session\": %.2f,"
             " \"currency\": \"EUR\", \"start\": \"%s\"}}",
             d->id, mn_rng_uniform(r) < 0.05 ? 1e6 : 1000 * mn_rng_uniform(r),
             mn_date_format(start, date));
}

/* Builds the plan of a client with its age replaced. */
static mn_plan *plan_at_age(mn_client c, double age, int years)
{
    c.patient.age_years = age;
    mn_plan_options o;
    mn_plan_options_init(&o);
    o.band_draws = 0; /* the quick band: these are the planner's invariants, not its ranges */
    o.years = years;
    mn_plan *p = NULL;
    mn_status st = mn_plan_build(ctx, &c, &o, &p);
    assert_true(st == MN_OK || st == MN_ERANGE);
    return p;
}

/* The plan of a client at another age and horizon, checked against its plan @p p: older
 * (thinner) skin never gets a deeper needle, and a longer horizon never fewer sessions or a
 * smaller total. Returns 1 when both comparisons could be made. */
static int check_monotonic(const mn_client *c, const mn_plan *p, double older_age, int longer_years)
{
    mn_plan *old = plan_at_age(*c, older_age, p->options.years);
    mn_plan *longer = plan_at_age(*c, c->patient.age_years, longer_years);
    int compared = 0;
    if (old) {
        /* Zones are listed in the same order for the same concerns. */
        assert_int_equal(p->n_zones, old->n_zones);
        for (int z = 0; z < p->n_zones; z++)
            if (old->zones[z].depth_max_mm > p->zones[z].depth_max_mm + 1e-9)
                fail_msg("%s %s: %.2f mm at %.1f y but %.2f mm at %.1f y", p->zones[z].zone->id,
                         p->zones[z].concern->id, p->zones[z].depth_max_mm, c->patient.age_years,
                         old->zones[z].depth_max_mm, older_age);
        compared++;
    }
    if (longer && longer->screening.decision == p->screening.decision) {
        assert_true(longer->n_sessions >= p->n_sessions);
        assert_true(longer->horizon_total >= p->horizon_total - 1e-9);
        assert_int_equal(longer->n_course_sessions, p->n_course_sessions);
        compared++;
    }
    mn_plan_free(old);
    mn_plan_free(longer);
    return compared == 2;
}

/* One generated client, three plans: its own (every output number read back), the same
 * person older, and a longer horizon (monotonicity). */
static void test_generated_clients(void **state)
{
    (void)state;
    mn_rng r;
    mn_rng_init(&r, 20261122, 7);
    long numbers = 0, planned = 0, refused = 0, compared = 0;
    const char *all = getenv("MN_PROPERTY_ALL");
    int every = all && all[0] == '1';
    mn_test_text t = {0};
    for (int i = 0; i < N_CASES; i++) {
        char text[4096];
        random_client_text(&r, text, sizeof text);
        mn_client c;
        mn_status st = mn_client_parse(ctx, "gen.json", text, strlen(text), &c);
        if (st != MN_OK)
            fail_msg("case %d: generated client refused: %s\n%s", i, mn_ctx_errmsg(ctx), text);
        mn_plan_options o;
        mn_plan_options_init(&o);
        o.band_draws = 0; /* the quick band: the ranges are tested in test_healing.c */
        o.years = (int)mn_rng_int(&r, 1, 20);
        mn_plan *p = NULL;
        st = mn_plan_build(ctx, &c, &o, &p);
        if (c.device->device_class == MN_DEVICE_HOME) { /* not a clinic device: refused */
            assert_int_equal(st, MN_EINVAL);
            refused++;
            continue;
        }
        if (st == MN_ERANGE) { /* a zone the device cannot needle safely: documented */
            refused++;
            continue;
        }
        assert_int_equal(st, MN_OK);
        planned++;
        for (int json = 1; json >= 0; json--) {
            t.len = 0;
            assert_int_equal(mn_plan_write(ctx, p, json, mn_test_text_write, &t), MN_OK);
            assert_int_equal(
                mn_screening_write(ctx, &c, &p->screening, json, mn_test_text_write, &t), MN_OK);
            if (json) {
                /* Two JSON objects one after the other: read both. */
                json_error_t err;
                json_t *a = json_loadb(t.data, t.len, JSON_DISABLE_EOF_CHECK, &err);
                assert_non_null(a);
                numbers += check_numbers(a);
                json_t *b = json_loads(t.data + err.position, 0, &err);
                assert_non_null(b);
                numbers += check_numbers(b);
                json_decref(a);
                json_decref(b);
            } else {
                check_text(t.data);
            }
        }
        double older = c.patient.age_years + (100 - c.patient.age_years) * mn_rng_uniform(&r);
        int longer = (int)mn_rng_int(&r, o.years, 20);
        if (i % 4 == 0 || every)
            compared += check_monotonic(&c, p, older, longer);
        mn_plan_free(p);
    }
    free(t.data);
    printf("  %d clients: %ld planned, %ld refused (home device, or device too long for a zone), "
           "%ld numbers "
           "checked, %ld compared older and over a longer horizon\n",
           N_CASES, planned, refused, numbers, compared);
    assert_true(planned > N_CASES / 2);
    assert_true(compared > N_CASES / 8);
}

static void test_depth_monotonic_in_needle_length(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_rng r;
    mn_rng_init(&r, 1, 2);
    for (int i = 0; i < N_CASES; i++) {
        const mn_device *d = mn_catalog_device_at(
            cat, (size_t)mn_rng_int(&r, 0, (long)mn_catalog_device_count(cat) - 1));
        const mn_site *s = mn_catalog_site_at(
            cat, (size_t)mn_rng_int(&r, 0, (long)mn_catalog_site_count(cat) - 1));
        mn_patient pt;
        mn_patient_init(&pt);
        pt.age_years = 18 + 82 * mn_rng_uniform(&r);
        pt.sex = mn_rng_int(&r, 0, 1) ? MN_SEX_MALE : MN_SEX_FEMALE;
        mn_skin_layers l;
        assert_int_equal(mn_skin_layers_at(s, &pt, &l), MN_OK);
        double span = d->depth_max_mm - d->depth_min_mm;
        double a = d->depth_min_mm + span * mn_rng_uniform(&r);
        double b = d->depth_min_mm + span * mn_rng_uniform(&r);
        if (a > b) {
            double x = a;
            a = b;
            b = x;
        }
        double da = mn_device_effective_depth_um(d, a, &l),
               db = mn_device_effective_depth_um(d, b, &l);
        if (!(isfinite(da) && isfinite(db) && da >= 0 && da <= db + 1e-9))
            fail_msg("%s at %.4f mm reaches %.3f um, at %.4f mm %.3f um", d->id, a, da, b, db);
        /* Snapping never lengthens and keeps the order. */
        double sa = mn_device_snap_down(d, a), sb = mn_device_snap_down(d, b);
        assert_true(sa <= a + 1e-9 && sb <= b + 1e-9 && sa <= sb + 1e-12);
        /* A deeper target never needs a shorter needle. */
        double ta = 2000 * mn_rng_uniform(&r), tb = 2000 * mn_rng_uniform(&r);
        if (ta > tb) {
            double x = ta;
            ta = tb;
            tb = x;
        }
        assert_true(mn_device_needle_for_depth(d, ta) <= mn_device_needle_for_depth(d, tb) + 1e-9);
        /* More passes never make fewer punctures. */
        double pa = 1 + 5 * mn_rng_uniform(&r), pb = pa + 5 * mn_rng_uniform(&r);
        double na = mn_device_punctures_per_cm2(d, pa, 0),
               nb = mn_device_punctures_per_cm2(d, pb, 0);
        assert_true(isfinite(na) && isfinite(nb) && na >= 0 && na <= nb * (1 + 1e-12));
    }
}

int main(void)
{
    N_CASES = mn_test_property_cases(N_CASES);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_clients),
        cmocka_unit_test(test_depth_monotonic_in_needle_length),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
