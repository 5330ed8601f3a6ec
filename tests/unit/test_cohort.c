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
        size_t rank = (size_t)ceil(qs[k] * N); /* nearest rank, 1-based */
        double want = v[rank - 1];
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
    assert_close(e->improvement_pct.p5, v[124], 0, MN_COHORT_BIN_PCT / 2 + 1e-9);
    assert_close(e->improvement_pct.p50, v[1249], 0, MN_COHORT_BIN_PCT / 2 + 1e-9);
    assert_close(e->improvement_pct.p95, v[2374], 0, MN_COHORT_BIN_PCT / 2 + 1e-9);
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

static void test_maintenance_rule(void **state)
{
    (void)state;
    static mn_cohort_trial t;
    mn__cohort_plan plan;
    synthetic_trial(&t, 1);
    t.sessions[0].day = 0;
    t.sessions[1].day = 60;
    t.n_sessions = 2;
    t.maintenance_check_days = 30;
    t.n_endpoints = 2;
    t.endpoint_days[0] = 45;
    t.endpoint_days[1] = 400;
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

/* The rank every cohort percentile takes (core/quantile.h): ceil(q n), not rounded up when
 * q n is whole but its double product lands a unit above. */
static void test_nearest_rank(void **state)
{
    (void)state;
    assert_int_equal(mn__nearest_rank(20, 0.95), 19);
    assert_int_equal(mn__nearest_rank(20, 0.05), 1);
    assert_int_equal(mn__nearest_rank(19, 0.95), 19);
    assert_int_equal(mn__nearest_rank(200, 0.05), 10);
    assert_int_equal(mn__nearest_rank(200, 0.95), 190);
    assert_int_equal(mn__nearest_rank(201, 0.95), 191);
    assert_int_equal(mn__nearest_rank(4, 0), 1);
    assert_int_equal(mn__nearest_rank(4, 1), 4);
    for (long n = 1; n < 5000; n++) /* integer arithmetic for whole percents */
        for (int pct = 1; pct < 100; pct += 7)
            if (mn__nearest_rank(n, pct / 100.0) != (pct * n + 99) / 100)
                fail_msg("n %ld, %d %%: rank %ld", n, pct, mn__nearest_rank(n, pct / 100.0));
    const double v[] = {1, 2, 3, 4};
    assert_close(mn__quantile_nearest_sorted(v, 4, 0.9), 4, 0, 0);
    assert_close(mn__quantile_nearest_sorted(v, 4, 0.5), 2, 0, 0);
}

/* Every end of a trial-level interval is one virtual trial's own figure: a proportion of n
 * patients is k/n, never between two trials' (4.8 % of 20 patients). Too few trials for the
 * 5-95 % interval are refused: fewer than 20 leave its ends the smallest and largest trial. */
static void test_trial_intervals_nearest_rank(void **state)
{
    (void)state;
    static mn_cohort_intervals iv;
    static mn_cohort_trial t;
    enum { N = 20 };
    const int trials[] = {40, 23, 20};
    for (size_t m = 0; m < sizeof trials / sizeof trials[0]; m++) {
        run_intervals(make_trial(NULL, NULL, NULL), N, trials[m], 2, &iv, NULL);
        for (int e = 0; e < iv.n_endpoints; e++) {
            const mn_cohort_endpoint_interval *x = &iv.endpoints[e];
            const mn_cohort_interval *share[] = {&x->responders_50pct, &x->responders_75pct,
                                                 &x->pih_rate, &x->pih_rate_with_law_band};
            for (size_t k = 0; k < sizeof share / sizeof share[0]; k++)
                for (int end = 0; end < 2; end++) {
                    double v = end ? share[k]->hi : share[k]->lo, count = v * N;
                    if (fabs(count - round(count)) > 1e-9)
                        fail_msg("%d trials, day %d, interval %zu: %.17g is not k/%d", trials[m],
                                 x->day, k, v, N);
                }
        }
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
        cmocka_unit_test(test_nearest_rank),
        cmocka_unit_test(test_trial_intervals_nearest_rank),
        cmocka_unit_test(test_trial_intervals_pih_band),
    };
    return cmocka_run_group_tests_name("cohort", tests, setup, teardown);
}
