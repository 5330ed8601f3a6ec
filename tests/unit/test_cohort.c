/*
 * Virtual cohorts: exact order-independent sums, the percentile sketch against exact order
 * statistics, population sampling, the trial loader's errors, the engine's determinism over
 * thread counts (synthetic models with known answers), shards (their slices, and slices of
 * the engine adding up to the whole run exactly) and the healing model's behaviour.
 */
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "cohort/cohort_internal.h"
#include "core/quantile.h"
#include "mneedle/mneedle.h"

MN_TEST_CONTEXT_FIXTURE

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_xsum_order_independent(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double v[N];
    mn_rng r;
    mn_rng_init(&r, 7, 0);
    long double exact = 0;
    for (int i = 0; i < N; i++) {
        /* Mixed magnitudes and signs, where naive double sums depend on order. */
        v[i] = (mn_rng_uniform(&r) - 0.3) * (i % 7 == 0 ? 1e5 : 1.0);
        exact += (long double)v[i];
    }
    mn__xsum fwd = {0, 0}, rev = {0, 0}, a = {0, 0}, b = {0, 0};
    for (int i = 0; i < N; i++)
        mn__xsum_add(&fwd, v[i]);
    for (int i = N - 1; i >= 0; i--)
        mn__xsum_add(&rev, v[i]);
    for (int i = 0; i < N; i++)
        mn__xsum_add(i % 3 ? &a : &b, v[i]);
    mn__xsum_merge(&b, &a);
    mn__xsum_canonical(&fwd);
    mn__xsum_canonical(&rev);
    mn__xsum_canonical(&b);
    assert_true(fwd.hi == rev.hi && fwd.lo == rev.lo);
    assert_true(fwd.hi == b.hi && fwd.lo == b.lo);
    /* Each value is rounded to 2^-21 at most: the sum is exact to N * 2^-21. */
    assert_close(mn__xsum_value(&fwd), (double)exact, 0, N * ldexp(1, -21) + 1e-6);
    /* Negative totals are canonical too. */
    mn__xsum s = {0, 0};
    mn__xsum_add(&s, -3.25);
    assert_close(mn__xsum_value(&s), -3.25, 0, 0);
}

static void test_sketch_quantiles_within_half_bin(void **state)
{
    (void)state;
    enum { N = 5001 };
    static double v[N];
    mn__sketch_shape s = mn__sketch_shape_make(-100, 100, MN_COHORT_BIN_PCT);
    uint64_t *h = calloc(s.n_bins + 2, sizeof *h);
    assert_non_null(h);
    mn_rng r;
    mn_rng_init(&r, 3, 1);
    for (int i = 0; i < N; i++) {
        v[i] = 40 + 15 * mn_rng_normal(&r);
        h[mn__sketch_bin(&s, v[i])]++;
    }
    qsort(v, N, sizeof v[0], cmp_double);
    const double qs[] = {0.05, 0.5, 0.95, 0.001, 1.0};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        double want = mn__quantile_sorted(v, N, qs[k]); /* the one rule, type 7 */
        assert_close(mn__sketch_quantile(&s, h, N, qs[k]), want, 0, MN_COHORT_BIN_PCT / 2 + 1e-9);
    }
    /* Outside the range: counted in the outer bins, reported at the edge. */
    assert_int_equal(mn__sketch_bin(&s, -250), 0);
    assert_int_equal(mn__sketch_bin(&s, 100), s.n_bins + 1);
    assert_int_equal(mn__sketch_bin(&s, -100), 1);
    free(h);
}

static void test_patient_sampling_matches_population(void **state)
{
    (void)state;
    mn_cohort_population pop;
    mn_cohort_trial t;
    mn_cohort_trial_init(&t);
    pop = t.population;
    pop.age_lo = 45;
    pop.age_hi = 65;
    pop.sex = MN_COHORT_SEX_ANY;
    pop.female_fraction = 0.7;
    pop.fitzpatrick_lo = 3;
    pop.fitzpatrick_hi = 5;
    pop.smoker_fraction = 0.25;
    pop.sun_fraction[0] = 0.2;
    pop.sun_fraction[1] = 0.5;
    pop.sun_fraction[2] = 0.3;
    enum { N = 30000 };
    long female = 0, smokers = 0, fitz[7] = {0}, sun[3] = {0};
    double age_sum = 0;
    for (long i = 0; i < N; i++) {
        mn_rng r;
        mn_patient p;
        mn_rng_init(&r, 11, (uint64_t)i);
        mn_cohort_patient_sample(&pop, &r, &p);
        assert_int_equal(r.counter, 5); /* the documented draw count */
        assert_true(p.age_years >= 45 && p.age_years <= 65);
        assert_true(p.fitzpatrick >= 3 && p.fitzpatrick <= 5);
        female += p.sex == MN_SEX_FEMALE;
        smokers += p.smoker;
        fitz[p.fitzpatrick]++;
        sun[p.sun]++;
        age_sum += p.age_years;
    }
    /* ~5 standard errors: sqrt(0.25/N) = 0.0029 */
    assert_close((double)female / N, 0.7, 0, 0.014);
    assert_close((double)smokers / N, 0.25, 0, 0.013);
    assert_close((double)sun[0] / N, 0.2, 0, 0.012);
    assert_close((double)sun[2] / N, 0.3, 0, 0.013);
    for (int k = 3; k <= 5; k++)
        assert_close((double)fitz[k] / N, 1.0 / 3, 0, 0.014);
    assert_close(age_sum / N, 55, 0, 0.2);
    /* A fixed sex and zero fractions are never violated. */
    pop.sex = MN_COHORT_SEX_MALE;
    pop.smoker_fraction = 0;
    pop.sun_fraction[0] = 0;
    pop.sun_fraction[1] = 0;
    pop.sun_fraction[2] = 1;
    for (long i = 0; i < 2000; i++) {
        mn_rng r;
        mn_patient p;
        mn_rng_init(&r, 12, (uint64_t)i);
        mn_cohort_patient_sample(&pop, &r, &p);
        assert_int_equal(p.sex, MN_SEX_MALE);
        assert_int_equal(p.smoker, 0);
        assert_int_equal(p.sun, MN_SUN_HIGH);
    }
}

/* A valid trial to mutate: printf format with the mutable parts as arguments. */
static char trial_text[2048];
static const char *make_trial(const char *population, const char *protocol, const char *extra)
{
    snprintf(trial_text, sizeof trial_text,
             "{\"population\": %s, \"zone\": \"cheek\", \"concern\": \"acne-scars\", "
             "\"protocol\": %s, \"endpoints_days\": [0, 30, 176, 365]%s}",
             population ? population
                        : "{\"n\": 200, \"age\": [18, 35], \"sex\": \"any\", \"fitzpatrick\": "
                          "[3, 4], \"smoker_fraction\": 0.2}",
             protocol ? protocol
                      : "{\"device\": \"dermaroller-192\", \"needle_mm\": 1.5, \"passes\": 15, "
                        "\"session_days\": [0, 30, 60, 90, 120]}",
             extra ? extra : "");
    return trial_text;
}

static mn_status parse(const char *text, mn_cohort_trial *t)
{
    return mn_cohort_trial_parse(ctx, "t.json", text, strlen(text), t);
}

static void expect_error(const char *text, mn_status want, const char *fragment)
{
    static mn_cohort_trial t;
    mn_status st = parse(text, &t);
    if (st != want || !strstr(mn_ctx_errmsg(ctx), fragment)) {
        print_error("got %s \"%s\", wanted %s with \"%s\"\n", mn_status_name(st),
                    mn_ctx_errmsg(ctx), mn_status_name(want), fragment);
        fail();
    }
}

static void test_trial_parse(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    assert_int_equal(parse(make_trial(NULL, NULL, ", \"seed\": 99"), &t), MN_OK);
    assert_int_equal(t.population.n, 200);
    assert_int_equal(t.n_sessions, 5);
    assert_int_equal(t.sessions[4].day, 120);
    assert_true(t.sessions[2].device == t.device && t.sessions[2].needle_mm == 1.5);
    assert_int_equal(t.n_endpoints, 4);
    assert_int_equal(t.horizon_days, 365);
    assert_true(t.seed == 99);
    assert_string_equal(t.zone->id, "cheek");
    assert_true(t.population.sun_fraction[MN_SUN_MODERATE] == 1);

    const char *sun_mix = "{\"n\": 10, \"age\": [18, 35], \"sex\": \"female\", \"fitzpatrick\": "
                          "[1, 6], \"smoker_fraction\": 0, \"sun\": {\"low\": 0.25, \"high\": "
                          "0.75}}";
    assert_int_equal(parse(make_trial(sun_mix, NULL, NULL), &t), MN_OK);
    assert_true(t.population.sun_fraction[0] == 0.25 && t.population.sun_fraction[2] == 0.75);
    assert_int_equal(t.population.sex, MN_COHORT_SEX_FEMALE);

    expect_error("{", MN_EPARSE, "t.json:1:");
    char unknown_zone[2048];
    snprintf(unknown_zone, sizeof unknown_zone, "%s", make_trial(NULL, NULL, NULL));
    memcpy(strstr(unknown_zone, "\"cheek\""), "\"elbow\"", 7);
    expect_error(unknown_zone, MN_ENOTFOUND, "$.zone: unknown zone \"elbow\"");
    expect_error(make_trial(NULL,
                            "{\"device\": \"dermaroller-192\", \"needle_mm\": 3.5, \"passes\": "
                            "15, \"session_days\": [0]}",
                            NULL),
                 MN_ERANGE, "$.protocol.needle_mm: 3.5 mm is outside dermaroller-192");
    expect_error(make_trial(NULL,
                            "{\"device\": \"laser\", \"needle_mm\": 1, \"passes\": 1, "
                            "\"session_days\": [0]}",
                            NULL),
                 MN_ENOTFOUND, "$.protocol.device: unknown device \"laser\"");
    expect_error(make_trial(NULL,
                            "{\"device\": \"skinpen\", \"needle_mm\": 1, \"passes\": 1, "
                            "\"session_days\": [0, 60, 30]}",
                            NULL),
                 MN_ERANGE, "$.protocol.session_days[2]");
    expect_error(make_trial("{\"n\": 10, \"age\": [50, 30], \"sex\": \"any\", \"fitzpatrick\": "
                            "[1, 6], \"smoker_fraction\": 0}",
                            NULL, NULL),
                 MN_ERANGE, "$.population.age");
    expect_error(make_trial("{\"n\": 10, \"age\": [30, 50], \"sex\": \"any\", \"fitzpatrick\": "
                            "[1, 7], \"smoker_fraction\": 0}",
                            NULL, NULL),
                 MN_ERANGE, "$.population.fitzpatrick[1]");
    expect_error(make_trial("{\"n\": 10, \"age\": [30, 50], \"sex\": \"other\", "
                            "\"fitzpatrick\": [1, 6], \"smoker_fraction\": 0}",
                            NULL, NULL),
                 MN_ENOTFOUND, "$.population.sex");
    expect_error(make_trial("{\"n\": 10, \"age\": [30, 50], \"sex\": \"any\", \"fitzpatrick\": "
                            "[1, 6], \"smoker_fraction\": 0, \"sun\": {\"low\": 0.5}}",
                            NULL, NULL),
                 MN_ERANGE, "add up to 0.5");
    expect_error(make_trial("{\"n\": 0, \"age\": [30, 50], \"sex\": \"any\", \"fitzpatrick\": "
                            "[1, 6], \"smoker_fraction\": 0}",
                            NULL, NULL),
                 MN_ERANGE, "$.population.n");
    expect_error(make_trial(NULL, NULL, ", \"seed\": 1.5"), MN_ETYPE, "$.seed");
    expect_error(make_trial(NULL, NULL, ", \"colour\": 1"), MN_ENOTFOUND, "$.colour: unknown key");
    /* Stretch marks are not treated on the eyelids: the zone is named. */
    const char *bad_zone = "{\"population\": {\"n\": 10, \"age\": [30, 50], \"sex\": \"any\", "
                           "\"fitzpatrick\": [1, 6], \"smoker_fraction\": 0}, \"zone\": "
                           "\"periorbital\", \"concern\": \"stretch-marks\", \"protocol\": "
                           "{\"device\": \"skinpen\", \"needle_mm\": 1, \"passes\": 1, "
                           "\"session_days\": [0]}, \"endpoints_days\": [30]}";
    expect_error(bad_zone, MN_ERANGE, "$.zone");
}

/* Synthetic models with known answers: improvement uniform on [0, 100) from the patient's
 * stream, collagen = improvement / 2; patient `fail_at` fails. */
static long fail_at = -1;

static mn_status synthetic_model(const mn__cohort_plan *plan, long index, void *scratch,
                                 mn_cohort_patient_result *res, mn_cohort_outcome *outcomes)
{
    double *imp = scratch, *col = imp + plan->n_grid;
    mn_rng r;
    mn_rng_init(&r, plan->trial->seed, (uint64_t)index);
    mn_cohort_patient_sample(&plan->trial->population, &r, &res->patient);
    double peak = 100 * mn_rng_uniform(&r);
    for (int g = 0; g < plan->n_grid; g++) {
        /* rises to the peak at day 100, then decays with a 200-day half-life */
        double d = plan->grid_days[g];
        imp[g] = d <= 100 ? peak * d / 100 : peak * exp2(-(d - 100) / 200);
        col[g] = imp[g] / 2;
    }
    res->pih_day = index % 10 == 0 ? 50 : -1;
    mn__cohort_finish_patient(plan, imp, col, NULL, res, outcomes);
    return index == fail_at ? MN_ENUMERIC : MN_OK;
}

static const mn__cohort_model synthetic = {synthetic_model, 2 * sizeof(double), "synthetic"};

static void synthetic_trial(mn_cohort_trial *t, long n)
{
    mn_cohort_trial_init(t);
    t->population.n = n;
    t->n_sessions = 1;
    t->sessions[0].day = 0;
    t->n_endpoints = 3;
    t->endpoint_days[0] = 100;
    t->endpoint_days[1] = 200;
    t->endpoint_days[2] = 400;
    t->horizon_days = 400;
    t->seed = 5;
}

typedef struct {
    long next;
    int bad;
    double imp_at_100[3000];
} order_check;

static int check_order(void *ud, const mn_cohort_trial *t, const mn_cohort_patient_result *p)
{
    order_check *c = ud;
    (void)t;
    c->bad |= p->index != c->next;
    if (p->index < 3000)
        c->imp_at_100[p->index] = p->outcomes[0].improvement_pct;
    c->next++;
    return 0;
}

typedef struct {
    long last, calls;
    int bad;
} progress_check;

static void check_progress(void *ud, long done, long total)
{
    progress_check *c = ud;
    c->bad |= done < c->last || done > total;
    c->last = done;
    c->calls++;
}

static void test_engine_deterministic_and_exact(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    static mn_cohort_result r1, r2, r3;
    static order_check oc;
    progress_check pc = {0, 0, 0};
    mn_cohort_options o;
    synthetic_trial(&t, 2500); /* not a multiple of the block size */
    mn_cohort_options_init(&o);
    o.threads = 1;
    o.on_patient = check_order;
    o.patient_userdata = &oc;
    o.on_progress = check_progress;
    o.progress_userdata = &pc;
    memset(&oc, 0, sizeof oc);
    assert_int_equal(mn__cohort_engine(ctx, &t, &o, &synthetic, &r1), MN_OK);
    assert_int_equal(oc.next, 2500);
    assert_false(oc.bad);
    assert_false(pc.bad);
    assert_int_equal(pc.last, 2500);
    o.on_patient = NULL;
    o.on_progress = NULL;
    o.threads = 2;
    assert_int_equal(mn__cohort_engine(ctx, &t, &o, &synthetic, &r2), MN_OK);
    o.threads = 3;
    assert_int_equal(mn__cohort_engine(ctx, &t, &o, &synthetic, &r3), MN_OK);
    assert_int_equal(r1.n, 2500);
    assert_memory_equal(r1.endpoints, r2.endpoints, sizeof r1.endpoints);
    assert_memory_equal(r1.endpoints, r3.endpoints, sizeof r1.endpoints);
    assert_memory_equal(&r1.demographics, &r3.demographics, sizeof r1.demographics);

    /* Against the exact statistics of the same values. */
    static double v[2500];
    double sum = 0;
    long resp = 0, resp75 = 0, improved = 0;
    for (int i = 0; i < 2500; i++) {
        v[i] = oc.imp_at_100[i];
        sum += v[i];
        resp += v[i] >= 50;
        resp75 += v[i] > 75;
        improved += v[i] >= MN_GAIS_IMPROVED_PCT;
    }
    qsort(v, 2500, sizeof v[0], cmp_double);
    const mn_cohort_endpoint *e = &r1.endpoints[0];
    assert_int_equal(e->day, 100);
    assert_close(e->improvement_pct.mean, sum / 2500, 0, 1e-5);
    /* type 7: 0.05 x 2499 = 124.95, 0.5 x 2499 = 1249.5, 0.95 x 2499 = 2374.05 */
    assert_close(e->improvement_pct.p5, 0.05 * v[124] + 0.95 * v[125], 0,
                 MN_COHORT_BIN_PCT / 2 + 1e-9);
    assert_close(e->improvement_pct.p50, 0.5 * v[1249] + 0.5 * v[1250], 0,
                 MN_COHORT_BIN_PCT / 2 + 1e-9);
    assert_close(e->improvement_pct.p95, 0.95 * v[2374] + 0.05 * v[2375], 0,
                 MN_COHORT_BIN_PCT / 2 + 1e-9);
    assert_close(e->collagen_change_pct.mean, sum / 5000, 0, 1e-5);
    assert_int_equal(e->responders_50pct, resp);
    assert_int_equal(e->responders_75pct, resp75);
    assert_int_equal(e->pih_cases, 250); /* every tenth patient, from day 50 */
    /* Day 200: half a half-life past the peak, 2^-0.5 = 0.707 < 0.8: every patient whose
     * peak (day 100) reached "improved" is due, the others have nothing to maintain; day 100
     * is the peak: none. */
    assert_int_equal(e->maintenance_due, 0);
    assert_true(improved > 0 && improved < 2500);
    assert_int_equal(r1.endpoints[1].maintenance_due, improved);
    assert_close(r1.endpoints[1].improvement_pct.mean, sum / 2500 * exp2(-0.5), 0, 1e-4);
}

/* Shards: every patient in exactly one slice, slices in order and within one patient of each
 * other, for every n <= 300 and N <= 320 (N > n included), and no overflow at the limits. */
static void test_shard_range(void **state)
{
    (void)state;
    long first, count;
    for (long n = 0; n <= 300; n++)
        for (int sh = 1; sh <= 320; sh++) {
            long next = 0, lo = n, hi = 0;
            for (int k = 1; k <= sh; k++) {
                assert_int_equal(mn_cohort_shard_range(n, k, sh, &first, &count), MN_OK);
                assert_int_equal(first, next);
                assert_true(count >= 0);
                next = first + count;
                lo = count < lo ? count : lo;
                hi = count > hi ? count : hi;
            }
            assert_int_equal(next, n);
            assert_true(hi - lo <= 1);
        }
    assert_int_equal(mn_cohort_shard_range(MN_COHORT_MAX_N, MN_COHORT_MAX_SHARDS,
                                           MN_COHORT_MAX_SHARDS, &first, &count),
                     MN_OK);
    assert_int_equal(first + count, MN_COHORT_MAX_N);
    assert_int_equal(mn_cohort_shard_range(10, 0, 4, &first, &count), MN_EINVAL);
    assert_int_equal(mn_cohort_shard_range(10, 5, 4, &first, &count), MN_EINVAL);
    assert_int_equal(mn_cohort_shard_range(10, 1, 0, &first, &count), MN_EINVAL);
    assert_int_equal(mn_cohort_shard_range(-1, 1, 1, &first, &count), MN_EINVAL);

    int k = -7, nn = -7;
    static const char *const bad[] = {"0/4",  "5/4",   "1/0",  "x",         "4",
                                      "1/",   "/4",    "-1/4", "+1/4",      " 1/4",
                                      "1/4 ", "1/2/3", "",     "1/1000001", "99999999999/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(mn_cohort_shard_parse(bad[i], &k, &nn));
        assert_int_equal(k, -7); /* untouched */
    }
    assert_false(mn_cohort_shard_parse(NULL, &k, &nn));
    assert_true(mn_cohort_shard_parse("3/16", &k, &nn));
    assert_int_equal(k, 3);
    assert_int_equal(nn, 16);
    assert_true(mn_cohort_shard_parse("1000000/1000000", &k, &nn));
    assert_true(mn_cohort_shard_parse("007/08", &k, &nn));
    assert_int_equal(k, 7);
}

/* The engine's slices, their accumulators added as merge adds them, give the whole run's
 * result bit for bit: slices that cross block boundaries, uneven ones, empty ones. */
static void test_engine_slices_merge_exactly(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    static mn_cohort_result whole, merged;
    mn_cohort_options o;
    mn__cohort_run_info info;
    synthetic_trial(&t, 2500);
    mn_cohort_options_init(&o);
    o.threads = 2;
    assert_int_equal(mn__cohort_engine(ctx, &t, &o, &synthetic, &whole), MN_OK);
    static const int shards[] = {1, 2, 3, 7, 2503};
    for (size_t i = 0; i < sizeof shards / sizeof shards[0]; i++) {
        mn__cohort_stats total, part;
        assert_int_equal(mn__cohort_stats_init(&total, t.n_endpoints), MN_OK);
        for (int k = shards[i]; k >= 1; k--) { /* any order */
            long first, count;
            assert_int_equal(mn_cohort_shard_range(t.population.n, k, shards[i], &first, &count),
                             MN_OK);
            assert_int_equal(mn__cohort_stats_init(&part, t.n_endpoints), MN_OK);
            assert_int_equal(
                mn__cohort_engine_slice(ctx, &t, &o, &synthetic, first, count, &part, &info),
                MN_OK);
            assert_int_equal(part.n, (uint64_t)count);
            for (size_t c = 0; c < total.n_counts; c++)
                total.counts[c] += part.counts[c];
            for (size_t c = 0; c < total.n_sums; c++)
                mn__xsum_merge(&total.sums[c], &part.sums[c]);
            for (size_t c = 0; c < total.n_extrema; c++) {
                total.mins[c] = part.mins[c] < total.mins[c] ? part.mins[c] : total.mins[c];
                total.maxs[c] = part.maxs[c] > total.maxs[c] ? part.maxs[c] : total.maxs[c];
            }
            total.n += part.n;
            mn__cohort_stats_release(&part);
        }
        for (size_t c = 0; c < total.n_sums; c++)
            mn__xsum_canonical(&total.sums[c]);
        memset(&merged, 0, sizeof merged);
        mn__cohort_stats_finish(&total, &t, &merged);
        mn__cohort_stats_release(&total);
        assert_int_equal(merged.n, whole.n);
        assert_memory_equal(merged.endpoints, whole.endpoints, sizeof whole.endpoints);
        assert_memory_equal(&merged.demographics, &whole.demographics, sizeof whole.demographics);
    }
    /* A slice outside the trial is refused. */
    mn__cohort_stats st;
    assert_int_equal(mn__cohort_stats_init(&st, t.n_endpoints), MN_OK);
    assert_int_equal(mn__cohort_engine_slice(ctx, &t, &o, &synthetic, 2000, 501, &st, &info),
                     MN_EINVAL);
    mn__cohort_stats_release(&st);
}

static void test_engine_names_first_failing_patient(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    static mn_cohort_result r;
    mn_cohort_options o;
    synthetic_trial(&t, 3000);
    mn_cohort_options_init(&o);
    o.threads = 2;
    fail_at = 1700;
    mn_status st = mn__cohort_engine(ctx, &t, &o, &synthetic, &r);
    fail_at = -1;
    assert_int_equal(st, MN_ENUMERIC);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "patient 1700"));
}

/* Asks to stop once it has seen patient `at` (and counts its calls). */
typedef struct {
    long at, calls;
} stop_at;

static int stop_at_patient(void *ud, const mn_cohort_trial *t, const mn_cohort_patient_result *p)
{
    stop_at *s = ud;
    (void)t;
    s->calls++;
    return p->index == s->at;
}

/* A per-patient callback that asks to stop ends the run with MN_ESTOPPED (the caller's stop,
 * not an I/O error: exit 1 from the command, as before), after the patient it was shown and
 * no other, with an empty result: no statistics of the patients run so far. */
static void test_engine_stopped_by_the_patient_callback(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    static mn_cohort_result r, empty;
    mn_cohort_options o;
    stop_at s = {1500, 0};
    synthetic_trial(&t, 3000);
    mn_cohort_options_init(&o);
    o.threads = 2;
    o.on_patient = stop_at_patient;
    o.patient_userdata = &s;
    memset(&r, 0x5a, sizeof r);
    mn_status st = mn__cohort_engine(ctx, &t, &o, &synthetic, &r);
    assert_int_equal(st, MN_ESTOPPED);
    assert_false(mn_status_is_input_error(st));
    assert_int_equal(s.calls, 1501);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "stopped by the per-patient callback at patient "
                                               "1500 of 3000"));
    assert_int_equal(r.n, 0);
    assert_int_equal(r.n_endpoints, 0);
    assert_memory_equal(r.endpoints, empty.endpoints, sizeof r.endpoints);
    assert_memory_equal(&r.demographics, &empty.demographics, sizeof r.demographics);
    /* The context runs the next trial as usual. */
    o.on_patient = NULL;
    assert_int_equal(mn__cohort_engine(ctx, &t, &o, &synthetic, &r), MN_OK);
    assert_int_equal(r.n, 3000);
}

/* Two sessions (days 0 and 60), a maintenance check every 30 days and endpoints at days 45
 * and 400: the grid 0 30 45 60 90 ... 390 400. */
static void two_visit_trial(mn_cohort_trial *t)
{
    synthetic_trial(t, 1);
    t->sessions[0].day = 0;
    t->sessions[1].day = 60;
    t->n_sessions = 2;
    t->maintenance_check_days = 30;
    t->n_endpoints = 2;
    t->endpoint_days[0] = 45;
    t->endpoint_days[1] = 400;
}

static void test_maintenance_rule(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    mn__cohort_plan plan;
    two_visit_trial(&t);
    assert_int_equal(mn__cohort_plan_init(&plan, &t), MN_OK);
    /* grid: 0 30 45 60 90 ... 390 400 */
    assert_int_equal(plan.grid_days[2], 45);
    assert_int_equal(plan.grid_days[plan.n_grid - 1], 400);
    double imp[32];
    assert_true(plan.n_grid <= 32);
    /* A dip before the last session does not count; after it, the first fall below 0.8 of
     * the running peak does. */
    for (int g = 0; g < plan.n_grid; g++) {
        int d = plan.grid_days[g];
        imp[g] = d == 45 ? 10 : d < 200 ? 40 + d / 10.0 : 60 - (d - 200) / 5.0;
    }
    mn_cohort_patient_result res;
    mn_cohort_outcome out[2];
    memset(&res, 0, sizeof res);
    res.pih_day = 60;
    mn__cohort_finish_patient(&plan, imp, NULL, NULL, &res, out);
    assert_int_equal(res.peak_day, 180);
    assert_close(res.peak_improvement_pct, 58, 0, 1e-12);
    /* 0.8 * 58 = 46.4; 60 - (d - 200) / 5 < 46.4 first at d = 270 */
    assert_int_equal(res.maintenance_day, 270);
    assert_int_equal(out[0].maintenance_due, 0);
    assert_int_equal(out[1].maintenance_due, 1);
    assert_int_equal(out[0].pih, 0);
    assert_int_equal(out[1].pih, 1);
    assert_close(out[0].improvement_pct, 10, 0, 0);
    /* The same course at a tenth of the effect peaks at 5.8 %, below what a rater calls
     * "improved" (MN_GAIS_IMPROVED_PCT): the same relative fall is no maintenance. */
    for (int g = 0; g < plan.n_grid; g++)
        imp[g] /= 10;
    memset(&res, 0, sizeof res);
    mn__cohort_finish_patient(&plan, imp, NULL, NULL, &res, out);
    assert_close(res.peak_improvement_pct, 5.8, 0, 1e-12);
    assert_int_equal(res.maintenance_day, -1);
    assert_int_equal(out[1].maintenance_due, 0);
    mn__cohort_plan_release(&plan);
}

/* The real model on small cohorts. */
static void run_trial(const char *text, int threads, mn_cohort_result *r)
{
    static mn_cohort_trial t;
    mn_cohort_options o;
    assert_int_equal(parse(text, &t), MN_OK);
    mn_cohort_options_init(&o);
    o.threads = threads;
    mn_status st = mn_cohort_run(ctx, &t, &o, r);
    if (st)
        print_error("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
}

static void test_healing_cohort(void **state)
{
    (void)state;
    static mn_cohort_result a, b, dark, fair, shallow;
    run_trial(make_trial(NULL, NULL, NULL), 1, &a);
    run_trial(make_trial(NULL, NULL, NULL), 2, &b);
    assert_memory_equal(a.endpoints, b.endpoints, sizeof a.endpoints);
    assert_int_equal(a.n, 200);
    /* Day 0: nothing has happened yet (read at noon of the first session's day). */
    assert_close(a.endpoints[0].improvement_pct.mean, 0, 0, 5);
    /* Collagen builds over the course and improvement is highest 8 weeks after it. */
    assert_true(a.endpoints[2].collagen_change_pct.mean > a.endpoints[1].collagen_change_pct.mean);
    assert_true(a.endpoints[2].improvement_pct.mean > a.endpoints[1].improvement_pct.mean);
    assert_true(a.endpoints[2].improvement_pct.p5 < a.endpoints[2].improvement_pct.p50);
    assert_true(a.endpoints[2].improvement_pct.p50 < a.endpoints[2].improvement_pct.p95);
    /* PIH and maintenance are cumulative. */
    for (int e = 1; e < a.n_endpoints; e++) {
        assert_true(a.endpoints[e].pih_cases >= a.endpoints[e - 1].pih_cases);
        assert_true(a.endpoints[e].maintenance_due >= a.endpoints[e - 1].maintenance_due);
    }
    /* Darker phototypes get more PIH than fair ones for the same protocol. */
    const char *pop_dark = "{\"n\": 400, \"age\": [18, 35], \"sex\": \"any\", \"fitzpatrick\": "
                           "[5, 6], \"smoker_fraction\": 0}";
    const char *pop_fair = "{\"n\": 400, \"age\": [18, 35], \"sex\": \"any\", \"fitzpatrick\": "
                           "[1, 2], \"smoker_fraction\": 0}";
    run_trial(make_trial(pop_dark, NULL, NULL), 2, &dark);
    run_trial(make_trial(pop_fair, NULL, NULL), 2, &fair);
    assert_true(dark.endpoints[3].pih_cases > 2 * fair.endpoints[3].pih_cases + 5);
    /* A shallower needle builds less collagen. */
    run_trial(make_trial(NULL,
                         "{\"device\": \"dermaroller-192\", \"needle_mm\": 0.5, \"passes\": 15, "
                         "\"session_days\": [0, 30, 60, 90, 120]}",
                         NULL),
              2, &shallow);
    assert_true(shallow.endpoints[2].collagen_change_pct.mean <
                a.endpoints[2].collagen_change_pct.mean);
    assert_true(shallow.endpoints[3].pih_cases <= a.endpoints[3].pih_cases);
}

/* PIH follows the session's inflammation: deeper and more passes inflame more (and so raise
 * the PIH probability), and the reference redness the law divides by is that of its reference
 * session. */
static void test_pih_by_depth_and_passes(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    mn_patient p = {35, MN_SEX_FEMALE, 4, 0, MN_SUN_MODERATE};
    const mn_device *roller = mn_catalog_find_device(cat, "dermaroller-192");
    const mn_device *pen = mn_catalog_find_device(cat, "skinpen");
    mn_healing_session ref = {0, roller, 1.5, 15, 0};
    assert_close(mn_healing_session_erythema(&ref, cheek, &p, 1), MN__PIH_REF_ERYTHEMA, 0, 0.005);
    double prev = 0;
    for (double mm = 0.5; mm <= 2.5; mm += 0.5) {
        mn_healing_session s = {0, pen, mm, 1, 0};
        double e = mn_healing_session_erythema(&s, cheek, &p, 1);
        assert_true(e > prev);
        prev = e;
    }
    prev = 0;
    for (double passes = 1; passes <= 8; passes *= 2) {
        mn_healing_session s = {0, pen, 1.0, passes, 0};
        double e = mn_healing_session_erythema(&s, cheek, &p, 1);
        assert_true(e > prev && e < 1);
        prev = e;
    }
    mn_healing_session s = {0, pen, 1.0, 2, 0};
    assert_true(mn_healing_session_erythema(&s, cheek, &p, 1.5) >
                mn_healing_session_erythema(&s, cheek, &p, 1));
    assert_close(mn_healing_session_erythema(&s, cheek, &p, 0), -1, 0, 0);
}

/* A patient is the same whatever the size of the cohort: stream i of the seed. */
typedef struct {
    double imp[8];
    int pih_day;
} patient_snapshot;

static int snapshot_patient(void *ud, const mn_cohort_trial *t, const mn_cohort_patient_result *p)
{
    patient_snapshot *s = ud;
    (void)t;
    if (p->index == 7) {
        for (int e = 0; e < t->n_endpoints; e++)
            s->imp[e] = p->outcomes[e].improvement_pct;
        s->pih_day = p->pih_day;
    }
    return 0;
}

static void test_patient_independent_of_cohort_size(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    static mn_cohort_result r;
    patient_snapshot small, big;
    mn_cohort_options o;
    memset(&small, 0, sizeof small);
    memset(&big, 0xff, sizeof big);
    assert_int_equal(parse(make_trial(NULL, NULL, NULL), &t), MN_OK);
    mn_cohort_options_init(&o);
    o.on_patient = snapshot_patient;
    t.population.n = 10;
    o.patient_userdata = &small;
    assert_int_equal(mn_cohort_run(ctx, &t, &o, &r), MN_OK);
    t.population.n = 1500;
    o.patient_userdata = &big;
    o.threads = 2;
    assert_int_equal(mn_cohort_run(ctx, &t, &o, &r), MN_OK);
    assert_memory_equal(small.imp, big.imp, (size_t)t.n_endpoints * sizeof small.imp[0]);
    assert_int_equal(small.pih_day, big.pih_day);
}

/* Trial-level intervals: n_trials virtual trials, each ONE draw of the constants shared by
 * its patients. */
static void run_intervals(const char *text, long n, int trials, int threads,
                          mn_cohort_intervals *iv, mn_cohort_result *point)
{
    static mn_cohort_trial t;
    assert_int_equal(parse(text, &t), MN_OK);
    t.population.n = n;
    mn_status st = mn_cohort_intervals_run(ctx, &t, trials, threads, NULL, NULL, iv);
    if (st)
        print_error("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
    assert_int_equal(iv->n_trials, trials);
    assert_int_equal(iv->n, n);
    if (point) {
        mn_cohort_options o;
        mn_cohort_options_init(&o);
        assert_int_equal(mn_cohort_run(ctx, &t, &o, point), MN_OK);
    }
}

static double width(const mn_cohort_interval *v)
{
    return v->hi - v->lo;
}

static void test_trial_intervals(void **state)
{
    (void)state;
    static mn_cohort_intervals small, small2, big, dflt_small, dflt_big;
    static mn_cohort_result point;
    static char fit[4096], dflt[4096];
    enum { M = 40, DAY176 = 2 };
    snprintf(fit, sizeof fit, "%s", make_trial(NULL, NULL, NULL));
    snprintf(dflt, sizeof dflt, "%s", make_trial(NULL, NULL, ", \"constants\": \"defaults\""));
    run_intervals(fit, 20, M, 1, &small, NULL);
    run_intervals(fit, 20, M, 2, &small2, NULL);
    /* The same for any thread count. */
    assert_memory_equal(small.endpoints, small2.endpoints, sizeof small.endpoints);
    run_intervals(fit, 300, M, 2, &big, &point);
    run_intervals(dflt, 20, M, 2, &dflt_small, NULL);
    run_intervals(dflt, 300, M, 2, &dflt_big, NULL);
    const mn_cohort_endpoint_interval *s = &small.endpoints[DAY176], *b = &big.endpoints[DAY176];
    const mn_cohort_endpoint_interval *ds = &dflt_small.endpoints[DAY176],
                                      *db = &dflt_big.endpoints[DAY176];
    assert_int_equal(b->day, 176);
    assert_true(big.n_draws > 1 && dflt_big.n_draws == 0);
    print_message("day 176 mean: fit n=20 %.1f-%.1f, n=300 %.1f-%.1f; defaults n=20 %.1f-%.1f, "
                  "n=300 %.1f-%.1f; point (n=300) %.1f\n",
                  s->mean_improvement_pct.lo, s->mean_improvement_pct.hi,
                  b->mean_improvement_pct.lo, b->mean_improvement_pct.hi,
                  ds->mean_improvement_pct.lo, ds->mean_improvement_pct.hi,
                  db->mean_improvement_pct.lo, db->mean_improvement_pct.hi,
                  point.endpoints[DAY176].improvement_pct.mean);
    /* Narrower as n grows: the sampling error shrinks. */
    assert_true(width(&b->mean_improvement_pct) < width(&s->mean_improvement_pct));
    assert_true(width(&b->responders_50pct) < width(&s->responders_50pct));
    assert_true(width(&db->mean_improvement_pct) < 0.5 * width(&ds->mean_improvement_pct));
    /* The pooled figures of a run of the same size lie inside. */
    const mn_cohort_endpoint *pe = &point.endpoints[DAY176];
    assert_true(pe->improvement_pct.mean > b->mean_improvement_pct.lo &&
                pe->improvement_pct.mean < b->mean_improvement_pct.hi);
    double r50 = (double)pe->responders_50pct / (double)point.n;
    assert_true(r50 > b->responders_50pct.lo && r50 < b->responders_50pct.hi);
    for (int e = 0; e < big.n_endpoints; e++) {
        const mn_cohort_endpoint_interval *x = &big.endpoints[e];
        assert_true(x->mean_improvement_pct.lo <= x->mean_improvement_pct.hi);
        assert_true(x->responders_75pct.lo <= x->responders_75pct.hi);
        assert_true(x->pih_rate.lo >= 0 && x->pih_rate.hi <= 1);
    }
    /* At the defaults only people and sampling vary: narrower than with the posterior's
     * draws, by more at the larger n, where the constants' uncertainty dominates. */
    assert_true(width(&db->mean_improvement_pct) < 0.5 * width(&b->mean_improvement_pct));
    assert_true(width(&ds->mean_improvement_pct) < width(&s->mean_improvement_pct));
    /* 0 runs none; 1 is refused (and every count below MN_COHORT_MIN_TRIALS, below). */
    static mn_cohort_trial t;
    static mn_cohort_intervals none;
    assert_int_equal(parse(fit, &t), MN_OK);
    assert_int_equal(mn_cohort_intervals_run(ctx, &t, 0, 1, NULL, NULL, &none), MN_OK);
    assert_int_equal(none.n_trials, 0);
    assert_int_equal(mn_cohort_intervals_run(ctx, &t, 1, 1, NULL, NULL, &none), MN_EINVAL);
    assert_int_equal(mn_cohort_default_trials(2000), MN_COHORT_DEFAULT_TRIALS);
    assert_int_equal(mn_cohort_default_trials(MN_COHORT_INTERVALS_MAX_PATIENTS), 0);
}

/* The one percentile rule (core/quantile.h): type 7, and the cohort's sketch reads it off
 * its bins, so for values on bin centres the sketch gives exactly what the sorted values give
 * (a nearest-rank sketch would not: 0.05 x 199 = 9.95 mixes the 10th and 11th values). */
static void test_one_quantile_rule(void **state)
{
    (void)state;
    long i;
    double f;
    mn__quantile_position(20, 0.95, &i, &f);
    assert_int_equal(i, 18);
    assert_close(f, 0.05, 1e-12, 0);
    mn__quantile_position(4, 1, &i, &f);
    assert_int_equal(i, 3);
    assert_close(f, 0, 0, 0);
    const double v4[] = {1, 2, 3, 4};
    assert_close(mn__quantile_sorted(v4, 4, 0.9), 3.7, 1e-12, 0);
    assert_close(mn__quantile_sorted(v4, 4, 0.5), 2.5, 1e-12, 0);
    mn__sketch_shape s = mn__sketch_shape_make(-100, 100, MN_COHORT_BIN_PCT);
    uint64_t *h = calloc(s.n_bins + 2, sizeof *h);
    static double v[1000];
    assert_non_null(h);
    mn_rng r;
    mn_rng_init(&r, 5, 2);
    const long sizes[] = {1, 2, 7, 20, 199, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        long n = sizes[k];
        memset(h, 0, (s.n_bins + 2) * sizeof *h);
        for (long j = 0; j < n; j++) {
            /* a bin centre: the sketch holds it exactly */
            long bin = (long)(mn_rng_uniform(&r) * 1000) + 2000;
            v[j] = -100 + ((double)bin + 0.5) * MN_COHORT_BIN_PCT;
            h[mn__sketch_bin(&s, v[j])]++;
        }
        qsort(v, (size_t)n, sizeof v[0], cmp_double);
        const double qs[] = {0, 0.05, 0.1, 0.5, 0.9, 0.95, 1};
        for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++)
            assert_close(mn__sketch_quantile(&s, h, (uint64_t)n, qs[q]),
                         mn__quantile_sorted(v, (int)n, qs[q]), 1e-12, 1e-9);
    }
    free(h);
}

/* P(B <= k) for B ~ Binomial(n, q), each term from its logarithm. */
static double binom_cdf(long n, double q, long k)
{
    double cum = 0, nn = (double)n;
    for (long j = 0; j <= k && j <= n; j++) {
        double jj = (double)j;
        cum += exp(lgamma(nn + 1) - lgamma(jj + 1) - lgamma(nn - jj + 1) + jj * log(q) +
                   (nn - jj) * log1p(-q));
    }
    return cum;
}

/* The order-statistic interval of a percentile (Conover 1999, 3.2): the textbook ranks for the
 * median of 100 (40th and 61st), coverage at least the level and no rank that could move
 * inwards, open ends below the computed minimum n, and the normal branch continuing the exact
 * one. */
static void test_percentile_ci_ranks(void **state)
{
    (void)state;
    long lo, hi;
    assert_int_equal(mn__quantile_ci_ranks(100, 0.5, 0.95, &lo, &hi), 1);
    assert_int_equal(lo, 40);
    assert_int_equal(hi, 61);
    const long sizes[] = {72, 100, 200, 1000, 5000};
    const double qs[] = {0.05, 0.5, 0.95};
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
        for (size_t b = 0; b < 3; b++) {
            long n = sizes[a];
            double q = qs[b];
            assert_int_equal(mn__quantile_ci_ranks(n, q, 0.95, &lo, &hi), 1);
            assert_true(lo >= 1 && lo < hi && hi <= n);
            double cover = binom_cdf(n, q, hi - 1) - binom_cdf(n, q, lo - 1);
            if (cover < 0.95 - 1e-9)
                fail_msg("n %ld q %g: ranks %ld-%ld cover %g", n, q, lo, hi, cover);
            /* the tails are each within 2.5 %, and one rank further in would not be */
            assert_true(binom_cdf(n, q, lo - 1) <= 0.025 + 1e-12);
            assert_true(binom_cdf(n, q, lo) > 0.025);
            assert_true(1 - binom_cdf(n, q, hi - 1) <= 0.025 + 1e-12);
            assert_true(1 - binom_cdf(n, q, hi - 2) > 0.025);
        }
    assert_int_equal(mn__quantile_ci_min_n(0.05, 0.95), 72);
    assert_int_equal(mn__quantile_ci_min_n(0.95, 0.95), 72);
    assert_int_equal(mn__quantile_ci_ranks(71, 0.05, 0.95, &lo, &hi), 0);
    assert_int_equal(lo, 0);
    assert_true(hi > 0);
    assert_int_equal(mn__quantile_ci_ranks(71, 0.95, 0.95, &lo, &hi), 0);
    assert_int_equal(hi, 0);
    long lo2, hi2;
    mn__quantile_ci_ranks(MN__QUANTILE_CI_EXACT_MAX, 0.05, 0.95, &lo, &hi);
    mn__quantile_ci_ranks(MN__QUANTILE_CI_EXACT_MAX + 1, 0.05, 0.95, &lo2, &hi2);
    assert_true(labs(lo2 - lo) <= 1 && labs(hi2 - hi) <= 1);
}

/* Too few virtual trials for the 5-95 % interval are refused: fewer than 20 leave less than
 * one trial in each 5 % tail. The ends lie within the trials' own range. */
static void test_trial_intervals_refused(void **state)
{
    (void)state;
    static mn_cohort_intervals iv;
    static mn_cohort_trial t;
    enum { N = 20 };
    run_intervals(make_trial(NULL, NULL, NULL), N, 23, 2, &iv, NULL);
    for (int e = 0; e < iv.n_endpoints; e++) {
        const mn_cohort_endpoint_interval *x = &iv.endpoints[e];
        const mn_cohort_interval *share[] = {&x->responders_50pct, &x->responders_75pct,
                                             &x->pih_rate, &x->pih_rate_with_law_band};
        for (size_t k = 0; k < sizeof share / sizeof share[0]; k++)
            assert_true(share[k]->lo >= 0 && share[k]->lo <= share[k]->hi && share[k]->hi <= 1);
    }
    assert_int_equal(MN_COHORT_MIN_TRIALS, 20);
    assert_int_equal(parse(make_trial(NULL, NULL, NULL), &t), MN_OK);
    t.population.n = N;
    const int refused[] = {1, 2, MN_COHORT_MIN_TRIALS - 1, -1, MN_COHORT_MAX_TRIALS + 1};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        assert_int_equal(mn_cohort_intervals_run(ctx, &t, refused[k], 1, NULL, NULL, &iv),
                         MN_EINVAL);
        assert_non_null(strstr(mn_ctx_errmsg(ctx), "0 (none) or 20 to"));
    }
    assert_int_equal(mn_cohort_intervals_run(ctx, &t, MN_COHORT_MIN_TRIALS, 1, NULL, NULL, &iv),
                     MN_OK);
}

/* Last observation carried forward, on known values: a patient who leaves before the day-400
 * visit keeps the day-45 value there (observed only at day 45); one who leaves before the
 * day-45 visit is carried at baseline, 0 %; one who stays is his or her own value. */
static void test_itt_last_observation_carried_forward(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    mn__cohort_plan plan;
    two_visit_trial(&t);
    assert_int_equal(mn__cohort_plan_init(&plan, &t), MN_OK);
    double imp[32];
    assert_true(plan.n_grid <= 32);
    for (int g = 0; g < plan.n_grid; g++)
        imp[g] = plan.grid_days[g] == 45 ? 12 : plan.grid_days[g] == 400 ? 55 : 30;
    const int dropout_day[] = {-1, 60, 45};
    const double itt45[] = {12, 12, 0}, itt400[] = {55, 12, 0};
    const int seen45[] = {1, 1, 0}, seen400[] = {1, 0, 0};
    for (int k = 0; k < 3; k++) {
        mn_cohort_patient_result res;
        mn_cohort_outcome out[2];
        memset(&res, 0, sizeof res);
        res.pih_day = -1;
        res.dropped_out = dropout_day[k] >= 0;
        res.dropout_day = dropout_day[k];
        mn__cohort_finish_patient(&plan, imp, NULL, NULL, &res, out);
        assert_int_equal(out[0].observed, seen45[k]);
        assert_int_equal(out[1].observed, seen400[k]);
        assert_close(out[0].itt_improvement_pct, itt45[k], 0, 0);
        assert_close(out[1].itt_improvement_pct, itt400[k], 0, 0);
        assert_close(out[1].improvement_pct, 55, 0, 0); /* the full-adherence value stays */
    }
    mn__cohort_plan_release(&plan);
}

/* The untreated arm is the same patients untreated: identical with or without the option (it
 * only chooses what is reported), it only ages (no gain), and each patient's difference
 * averages to the difference of the arms' means. */
static void test_untreated_arm_and_difference(void **state)
{
    (void)state;
    static mn_cohort_result a, c;
    run_trial(make_trial(NULL, NULL, NULL), 2, &a);
    run_trial(make_trial(NULL, NULL, ", \"control\": \"untreated\""), 1, &c);
    assert_memory_equal(a.endpoints, c.endpoints, sizeof a.endpoints);
    for (int e = 0; e < c.n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &c.endpoints[e];
        assert_true(ep->untreated_improvement_pct.max <= 1e-9);
        assert_close(ep->difference_improvement_pct.mean,
                     ep->improvement_pct.mean - ep->untreated_improvement_pct.mean, 0, 1e-5);
        assert_true(ep->difference_improvement_pct.p5 <= ep->difference_improvement_pct.p50);
        assert_int_equal(ep->difference_improvement_pct.count, c.n);
    }
    /* A year after the start the treated arm is ahead of the untreated one. */
    assert_true(c.endpoints[2].difference_improvement_pct.p50 > 5);
    assert_true(c.endpoints[3].untreated_improvement_pct.mean < 0);
    expect_error(make_trial(NULL, NULL, ", \"control\": \"placebo\""), MN_ERANGE, "$.control");
}

/* Dropout: none by default (everyone observed, the ITT figures the treated ones); with it the
 * patients still in fall visit by visit, the dropouts are carried forward from their last
 * endpoint (or baseline), and the treated figures, which assume every patient completes, do not
 * change. */
static void test_dropout(void **state)
{
    (void)state;
    static mn_cohort_result a, d;
    run_trial(make_trial(NULL, NULL, NULL), 2, &a);
    for (int e = 0; e < a.n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &a.endpoints[e];
        assert_int_equal(ep->observed, a.n);
        assert_close(ep->itt_improvement_pct.mean, ep->improvement_pct.mean, 0, 0);
        assert_close(ep->observed_improvement_pct.p50, ep->improvement_pct.p50, 0, 0);
        assert_int_equal(ep->itt_responders_50pct, ep->responders_50pct);
        /* the completers' untreated arm and difference: every patient's without dropout */
        assert_memory_equal(&ep->observed_untreated_improvement_pct, &ep->untreated_improvement_pct,
                            sizeof(mn_cohort_dist));
        assert_memory_equal(&ep->observed_difference_improvement_pct,
                            &ep->difference_improvement_pct, sizeof(mn_cohort_dist));
        assert_int_equal(ep->observed_difference_responders_50pct, ep->difference_responders_50pct);
    }
    run_trial(make_trial(NULL, NULL, ", \"dropout_per_visit\": 0.1"), 2, &d);
    /* visits: days 0 (first, always), 30, 60, 90, 120, 176, 365: the day-30 endpoint is the
     * first later visit, day 176 the fifth, day 365 the sixth */
    const int later_visits[] = {0, 1, 5, 6};
    for (int e = 0; e < d.n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &d.endpoints[e], *full = &a.endpoints[e];
        assert_memory_equal(&ep->improvement_pct, &full->improvement_pct, sizeof(mn_cohort_dist));
        double nn = (double)d.n, expect = nn * pow(0.9, later_visits[e]);
        double sd = sqrt(expect * (1 - expect / nn));
        assert_close((double)ep->observed, expect, 0, 4 * sd + 1);
        assert_int_equal(ep->observed_improvement_pct.count, ep->observed);
        if (e > 0)
            assert_true(ep->observed <= d.endpoints[e - 1].observed);
        assert_true(ep->itt_responders_50pct <= full->responders_50pct);
    }
    assert_true(d.endpoints[3].observed < d.n);
    /* The completers' counts: every patient's without dropout, and with it a share of those
     * still in (PIH and maintenance counted among them only). */
    long completer_r75 = 0, all_r75 = 0;
    for (int e = 0; e < d.n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &d.endpoints[e], *full = &a.endpoints[e];
        assert_int_equal(full->observed_responders_75pct, full->responders_75pct);
        assert_int_equal(full->observed_pih_cases, full->pih_cases);
        assert_int_equal(full->observed_maintenance_due, full->maintenance_due);
        assert_true(ep->observed_responders_75pct <= ep->observed_responders_50pct);
        assert_true(ep->observed_pih_cases <= ep->pih_cases);
        assert_true(ep->observed_pih_cases <= ep->observed);
        assert_true(ep->observed_maintenance_due <= ep->maintenance_due);
        completer_r75 += ep->observed_responders_75pct;
        all_r75 += ep->responders_75pct;
    }
    assert_true(completer_r75 < all_r75); /* some responders left before a later endpoint */
    /* The untreated arm and the difference over the same completers (one who leaves leaves
     * both arms): counted over the patients still in, the difference's mean the difference of
     * the completers' means, and the all-patient figures unchanged by dropout. */
    int moved = 0;
    for (int e = 0; e < d.n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &d.endpoints[e], *full = &a.endpoints[e];
        assert_memory_equal(&ep->untreated_improvement_pct, &full->untreated_improvement_pct,
                            sizeof(mn_cohort_dist));
        assert_memory_equal(&ep->difference_improvement_pct, &full->difference_improvement_pct,
                            sizeof(mn_cohort_dist));
        assert_int_equal(ep->observed_untreated_improvement_pct.count, ep->observed);
        assert_int_equal(ep->observed_difference_improvement_pct.count, ep->observed);
        assert_close(ep->observed_difference_improvement_pct.mean,
                     ep->observed_improvement_pct.mean -
                         ep->observed_untreated_improvement_pct.mean,
                     0, 1e-5);
        assert_true(ep->observed_difference_responders_50pct <= ep->observed);
        assert_true(ep->observed_difference_responders_50pct <= full->difference_responders_50pct);
        moved +=
            ep->observed_difference_improvement_pct.mean != full->difference_improvement_pct.mean &&
            ep->observed_untreated_improvement_pct.mean != full->untreated_improvement_pct.mean;
    }
    assert_true(moved > 0); /* the completers are not every patient */
    /* ITT carries the day-176 value for those lost before day 365, and 0 % for those lost
     * before day 30: its mean is below the completers' at the year's end */
    assert_true(d.endpoints[3].itt_improvement_pct.mean <
                d.endpoints[3].observed_improvement_pct.mean);
    expect_error(make_trial(NULL, NULL, ", \"dropout_per_visit\": 1"), MN_ERANGE,
                 "$.dropout_per_visit");
}

/* Trial-level intervals with dropout: each virtual trial's figures are over its completers
 * at the endpoint (a completers analysis), so they differ from the no-dropout intervals but
 * stay shares and means of those analysed (a share of all n would fall with the completers);
 * a day on which a trial has nobody left leaves that trial out. */
static void test_trial_intervals_completers(void **state)
{
    (void)state;
    static mn_cohort_intervals all, done, few;
    run_intervals(make_trial(NULL, NULL, NULL), 200, 20, 2, &all, NULL);
    run_intervals(make_trial(NULL, NULL, ", \"dropout_per_visit\": 0.3"), 200, 20, 2, &done, NULL);
    for (int e = 0; e < all.n_endpoints; e++) {
        assert_int_equal(all.endpoints[e].trials_with_completers, 20);
        assert_int_equal(done.endpoints[e].trials_with_completers, 20);
    }
    /* day 176, the fifth visit after the first: about 0.7^5 = 17 % of the 200 still in */
    const mn_cohort_endpoint_interval *a = &all.endpoints[2], *d = &done.endpoints[2];
    assert_true(memcmp(&a->mean_improvement_pct, &d->mean_improvement_pct,
                       sizeof a->mean_improvement_pct) != 0);
    assert_true(d->mean_improvement_pct.lo < a->mean_improvement_pct.hi &&
                d->mean_improvement_pct.hi > a->mean_improvement_pct.lo);
    assert_true(d->responders_50pct.lo < a->responders_50pct.hi &&
                d->responders_50pct.hi > a->responders_50pct.lo);
    /* two patients, nine in ten leaving at each visit: most trials have nobody by day 365 */
    run_intervals(make_trial(NULL, NULL, ", \"dropout_per_visit\": 0.9"), 2, 20, 1, &few, NULL);
    const mn_cohort_endpoint_interval *f = &few.endpoints[3];
    assert_true(f->trials_with_completers < 20);
    assert_true(f->mean_improvement_pct.lo == f->mean_improvement_pct.lo &&
                f->mean_improvement_pct.hi == f->mean_improvement_pct.hi);
}

/* The PIH interval with the law's own band (MN_PIH_BAND_FACTOR): the same trials, every
 * session's probability divided (low end) and multiplied (high end) by the factor, so it holds
 * the interval of the law as stated and is wider where PIH is common enough to move. */
static void test_trial_intervals_pih_band(void **state)
{
    (void)state;
    static mn_cohort_intervals iv;
    run_intervals(make_trial("{\"n\": 60, \"age\": [25, 45], \"sex\": \"any\", "
                             "\"fitzpatrick\": [5, 6], \"smoker_fraction\": 0.2, \"sun\": "
                             "\"high\"}",
                             "{\"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3, "
                             "\"session_days\": [0, 30, 60, 90, 120]}",
                             NULL),
                  60, 40, 2, &iv, NULL);
    for (int e = 0; e < iv.n_endpoints; e++) {
        const mn_cohort_endpoint_interval *x = &iv.endpoints[e];
        const mn_cohort_interval *p = &x->pih_rate, *b = &x->pih_rate_with_law_band;
        print_message("day %d: PIH %.3f-%.3f, with the law's band %.3f-%.3f\n", x->day, p->lo,
                      p->hi, b->lo, b->hi);
        assert_true(b->lo <= p->lo && b->hi >= p->hi && b->lo >= 0 && b->hi <= 1);
    }
    const mn_cohort_endpoint_interval *last = &iv.endpoints[iv.n_endpoints - 1];
    assert_true(last->pih_rate.lo > 0); /* common enough here for both ends to move */
    assert_true(last->pih_rate_with_law_band.lo < last->pih_rate.lo);
    assert_true(last->pih_rate_with_law_band.hi > last->pih_rate.hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xsum_order_independent),
        cmocka_unit_test(test_sketch_quantiles_within_half_bin),
        cmocka_unit_test(test_patient_sampling_matches_population),
        cmocka_unit_test(test_trial_parse),
        cmocka_unit_test(test_engine_deterministic_and_exact),
        cmocka_unit_test(test_shard_range),
        cmocka_unit_test(test_engine_slices_merge_exactly),
        cmocka_unit_test(test_engine_names_first_failing_patient),
        cmocka_unit_test(test_engine_stopped_by_the_patient_callback),
        cmocka_unit_test(test_maintenance_rule),
        cmocka_unit_test(test_healing_cohort),
        cmocka_unit_test(test_pih_by_depth_and_passes),
        cmocka_unit_test(test_patient_independent_of_cohort_size),
        cmocka_unit_test(test_trial_intervals),
        cmocka_unit_test(test_one_quantile_rule),
        cmocka_unit_test(test_percentile_ci_ranks),
        cmocka_unit_test(test_trial_intervals_refused),
        cmocka_unit_test(test_itt_last_observation_carried_forward),
        cmocka_unit_test(test_untreated_arm_and_difference),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_trial_intervals_completers),
        cmocka_unit_test(test_trial_intervals_pih_band),
    };
    return cmocka_run_group_tests_name("cohort", tests, setup, teardown);
}
