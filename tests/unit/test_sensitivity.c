/* Global sensitivity: the Sobol' sequence against an independent implementation and its
 * stratification, the quantile functions as inverses of their CDFs, Sobol' indices of the
 * Ishigami function against its analytic values, Morris effects of a linear function,
 * bit-identical results for 1 and 2 threads, a caller's stop (MN_ESTOPPED, nothing kept), the
 * maintenance interval of a SPEC answering to the person's multipliers, and the text table's
 * columns lining up for any index. */
#include <omp.h>

#include "mn_test.h"
#include "mneedle/healing.h"
#include "mneedle/posterior.h"
#include "mneedle/sensitivity.h"

#define PI 3.14159265358979323846

static void test_sobol_matches_scipy(void **state)
{
    (void)state;
    /* scipy.stats.qmc.Sobol(64, scramble=False) (SciPy 1.10, the same Joe-Kuo table): points
     * 1000 and 54321 after fast_forward, dimensions 1, 2, 3, 10, 33 and 64. They exercise the
     * recurrence beyond the initial direction numbers of every polynomial degree used. */
    static const int dims[] = {0, 1, 2, 9, 32, 63};
    static const struct {
        uint64_t index;
        double x[6];
    } want[] = {
        {1, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}},
        {2, {0.75, 0.25, 0.25, 0.75, 0.25, 0.75}},
        {5, {0.875, 0.875, 0.125, 0.125, 0.375, 0.625}},
        {1000,
         {0.2197265625, 0.0966796875, 0.5185546875, 0.0693359375, 0.2958984375, 0.4462890625}},
        {54321,
         {0.5800323486328125, 0.5904998779296875, 0.7326812744140625, 0.4934234619140625,
          0.9213104248046875, 0.5161590576171875}},
    };
    double x[MN_SOBOL_MAX_DIMS];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(mn_sobol_point(MN_SOBOL_MAX_DIMS, want[i].index, x), MN_OK);
        for (int d = 0; d < 6; d++)
            assert_true(x[dims[d]] == want[i].x[d]);
    }
    assert_int_equal(mn_sobol_point(0, 1, x), MN_EINVAL);
    assert_int_equal(mn_sobol_point(MN_SOBOL_MAX_DIMS + 1, 1, x), MN_EINVAL);
    assert_int_equal(mn_sobol_point(2, (uint64_t)1 << 32, x), MN_EINVAL);
}

static void test_sobol_is_stratified(void **state)
{
    (void)state;
    /* The first 2^m points put exactly one point in each interval [j/2^m, (j+1)/2^m) of every
     * dimension (a (0, m, 1)-net), and, in dimensions 1-2, in each 2^a x 2^(m-a) box. */
    enum { M = 10, N = 1 << M };
    static int count[MN_SOBOL_MAX_DIMS][N];
    static int box[M + 1][N];
    memset(count, 0, sizeof count);
    memset(box, 0, sizeof box);
    double x[MN_SOBOL_MAX_DIMS];
    for (int i = 0; i < N; i++) {
        assert_int_equal(mn_sobol_point(MN_SOBOL_MAX_DIMS, (uint64_t)i, x), MN_OK);
        for (int d = 0; d < MN_SOBOL_MAX_DIMS; d++) {
            assert_true(x[d] >= 0 && x[d] < 1);
            assert_true(i == 0 || x[d] > 0);
            count[d][(int)(x[d] * N)]++;
        }
        for (int a = 0; a <= M; a++)
            box[a][((int)(x[0] * (1 << a)) << (M - a)) + (int)(x[1] * (1 << (M - a)))]++;
    }
    for (int d = 0; d < MN_SOBOL_MAX_DIMS; d++)
        for (int j = 0; j < N; j++)
            assert_int_equal(count[d][j], 1);
    for (int a = 0; a <= M; a++)
        for (int j = 0; j < N; j++)
            assert_int_equal(box[a][j], 1);
}

static double normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

static void test_quantiles_invert_their_cdfs(void **state)
{
    (void)state;
    mn_sens_dist n = {MN_SENS_NORMAL, 2.0, 3.0, 0, NULL, 0},
                 ln = {MN_SENS_LOGNORMAL, 1.5, 0.4, 0, NULL, 0};
    /* Above z = 3 the CDF's own rounding (1 - u near 1e-3 and below) would dominate; the
     * upper tail is the lower one mirrored in the code. */
    for (double z = -8; z <= 3; z += 0.01) {
        assert_close(mn_sens_dist_quantile(&n, normal_cdf(z)), 2.0 + 3.0 * z, 1e-12, 1e-12);
        assert_close(mn_sens_dist_quantile(&ln, normal_cdf(z)), 1.5 * exp(0.4 * z), 1e-12, 0);
    }
    assert_true(mn_sens_dist_quantile(&n, 0.5) == 2.0);
    mn_sens_dist u = {MN_SENS_UNIFORM, -1, 3, 0, NULL, 0},
                 t = {MN_SENS_TRIANGULAR, 0, 4, 1, NULL, 0};
    assert_close(mn_sens_dist_quantile(&u, 0.25), 0.0, 0, 1e-15);
    /* Triangular CDF: (x-a)^2 / ((b-a)(c-a)) below the mode, 1 - (b-x)^2/((b-a)(b-c)) above. */
    for (double x = 0.05; x < 4; x += 0.05) {
        double F = x <= 1 ? x * x / 4.0 : 1 - (4 - x) * (4 - x) / 12.0;
        assert_close(mn_sens_dist_quantile(&t, F), x, 1e-12, 1e-12);
    }
    assert_true(mn_sens_dist_valid(&n) && mn_sens_dist_valid(&t) && mn_sens_dist_valid(&u));
    mn_sens_dist bad[] = {
        {MN_SENS_UNIFORM, 1, 1, 0, NULL, 0},        {MN_SENS_NORMAL, 0, 0, 0, NULL, 0},
        {MN_SENS_LOGNORMAL, -1, 1, 0, NULL, 0},     {MN_SENS_TRIANGULAR, 0, 1, 2, NULL, 0},
        {MN_SENS_UNIFORM, 0, INFINITY, 0, NULL, 0}, {(mn_sens_dist_kind)9, 0, 1, 0, NULL, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(mn_sens_dist_valid(&bad[i]));
    assert_false(mn_sens_dist_valid(NULL));
}

/* An empirical sample: the quantile is linear between order statistics (as
 * mn_posterior_quantile), so its levels k / (n - 1) give back the sorted values; a sample that
 * is unsorted, too small, missing or not finite is refused. */
static void test_empirical_quantile(void **state)
{
    (void)state;
    static const double v[] = {1, 2, 4, 8}, unsorted[] = {1, 4, 2, 8}, inf[] = {1, INFINITY};
    mn_sens_dist e = {MN_SENS_EMPIRICAL, 0, 0, 0, v, 4};
    assert_true(mn_sens_dist_valid(&e));
    for (int k = 0; k < 4; k++)
        assert_true(mn_sens_dist_quantile(&e, k / 3.0) == v[k]);
    assert_close(mn_sens_dist_quantile(&e, 0.5), 3.0, 0, 1e-15);
    assert_close(mn_sens_dist_quantile(&e, 0.75), 5.0, 0, 1e-15);
    mn_sens_dist bad[] = {{MN_SENS_EMPIRICAL, 0, 0, 0, unsorted, 4},
                          {MN_SENS_EMPIRICAL, 0, 0, 0, v, 1},
                          {MN_SENS_EMPIRICAL, 0, 0, 0, NULL, 4},
                          {MN_SENS_EMPIRICAL, 0, 0, 0, inf, 2}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(mn_sens_dist_valid(&bad[i]));
}

/* Ishigami and Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi). Output
 * 0 is f; output 1 is a constant (zero variance); output 2 is f + 10^4, the same variance
 * around a large mean. */
static const double ISHI_A = 7, ISHI_B = 0.1;

static int ishigami(const void *userdata, const double *x, double *y)
{
    (void)userdata;
    double s2 = sin(x[1]);
    y[0] = sin(x[0]) + ISHI_A * s2 * s2 + ISHI_B * pow(x[2], 4) * sin(x[0]);
    y[1] = 42;
    y[2] = y[0] + 1e4;
    return MN_OK;
}

static const mn_sens_dist ISHI_DISTS[3] = {{MN_SENS_UNIFORM, -PI, PI, 0, NULL, 0},
                                           {MN_SENS_UNIFORM, -PI, PI, 0, NULL, 0},
                                           {MN_SENS_UNIFORM, -PI, PI, 0, NULL, 0}};

static void test_ishigami_indices(void **state)
{
    (void)state;
    /* Analytic variances (Sobol' and Levitan 1999; Saltelli et al., the primer (2008) 4.9):
     * V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2, V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V3 = 0,
     * V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225, and no other interaction. */
    double a = ISHI_A, b = ISHI_B, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
    double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    double V1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), V2 = a * a / 8;
    double V13 = 8 * b * b * pi8 / 225;
    double s1[3] = {V1 / V, V2 / V, 0}, st[3] = {(V1 + V13) / V, V2 / V, V13 / V};

    mn_sens_problem p = {3, ISHI_DISTS, 3, ishigami, NULL};
    mn_sobol_options o;
    mn_sobol_options_init(&o);
    o.n_base = 1 << 14;
    o.bootstrap = 1000;
    o.confidence = 0.99; /* six intervals at once: 99 % each keeps the joint level near 94 % */
    o.seed = 20260101;
    mn_sobol_result r;
    assert_int_equal(mn_sobol_run(NULL, &p, &o, &r), MN_OK);
    assert_int_equal(r.evaluations, (long)o.n_base * 5);
    assert_close(r.variance[0], V, 0.02, 0);
    assert_close(r.mean[0], a / 2, 0, 0.05);
    for (int i = 0; i < 3; i++) {
        const mn_sobol_index *x = &r.index[i];
        print_message("x%d: S1 %.4f [%.4f, %.4f] (analytic %.4f)  ST %.4f [%.4f, %.4f] "
                      "(analytic %.4f)\n",
                      i + 1, x->first_order, x->first_order_lo, x->first_order_hi, s1[i], x->total,
                      x->total_lo, x->total_hi, st[i]);
        /* The analytic value inside the interval, and the interval narrow enough that a wrong
         * estimator (first order for total: 0.31 for 0.56 on x1) cannot pass. */
        assert_true(x->first_order_lo <= s1[i] && s1[i] <= x->first_order_hi);
        assert_true(x->total_lo <= st[i] && st[i] <= x->total_hi);
        assert_true(x->first_order_lo <= x->first_order && x->first_order <= x->first_order_hi);
        assert_true(x->first_order_hi - x->first_order_lo < 0.1);
        assert_true(x->total_hi - x->total_lo < 0.1);
    }
    /* The constant output: zero variance, every index 0. */
    assert_true(r.variance[1] == 0);
    for (int i = 0; i < 3; i++)
        assert_true(r.index[3 + i].first_order == 0 && r.index[3 + i].total_hi == 0);
    /* A shift does not change the indices or their intervals (the first-order sum is centred;
     * uncentred, the 10^4 mean would widen its interval to about +-20). */
    for (int i = 0; i < 3; i++) {
        assert_close(r.index[6 + i].first_order, r.index[i].first_order, 0, 1e-6);
        assert_close(r.index[6 + i].first_order_hi, r.index[i].first_order_hi, 0, 1e-6);
        assert_close(r.index[6 + i].total, r.index[i].total, 0, 1e-6);
    }
    mn_sobol_result_release(&r);
    mn_sobol_result_release(&r);
}

static void test_sobol_is_the_same_for_any_thread_count(void **state)
{
    (void)state;
    mn_sens_problem p = {3, ISHI_DISTS, 3, ishigami, NULL};
    mn_sobol_options o;
    mn_sobol_options_init(&o);
    o.n_base = 1000;
    o.bootstrap = 200;
    mn_sobol_result r1, r2;
    o.threads = 1;
    assert_int_equal(mn_sobol_run(NULL, &p, &o, &r1), MN_OK);
    o.threads = 2;
    assert_int_equal(mn_sobol_run(NULL, &p, &o, &r2), MN_OK);
    assert_memory_equal(r1.index, r2.index, sizeof *r1.index * 9);
    assert_memory_equal(r1.variance, r2.variance, sizeof(double) * 3);
    o.seed = 2; /* another bootstrap seed moves the intervals, not the estimates */
    mn_sobol_result r3;
    assert_int_equal(mn_sobol_run(NULL, &p, &o, &r3), MN_OK);
    assert_true(r3.index[0].first_order == r1.index[0].first_order);
    assert_true(r3.index[0].first_order_lo != r1.index[0].first_order_lo);
    mn_sobol_result_release(&r1);
    mn_sobol_result_release(&r2);
    mn_sobol_result_release(&r3);

    mn_morris_options mo;
    mn_morris_options_init(&mo);
    mn_morris_result m1, m2;
    mo.threads = 1;
    assert_int_equal(mn_morris_run(NULL, &p, &mo, &m1), MN_OK);
    mo.threads = 2;
    assert_int_equal(mn_morris_run(NULL, &p, &mo, &m2), MN_OK);
    assert_memory_equal(m1.effect, m2.effect, sizeof *m1.effect * 9);
    mn_morris_result_release(&m1);
    mn_morris_result_release(&m2);
}

/* y0 = 2 x0 - 3 x1 + 0 x2 (+ x2 x0 in y1): linear effects are exact elementary effects. */
static int linear(const void *userdata, const double *x, double *y)
{
    (void)userdata;
    y[0] = 2 * x[0] - 3 * x[1];
    y[1] = x[0] * x[2];
    return MN_OK;
}

static void test_morris_linear_effects(void **state)
{
    (void)state;
    mn_sens_dist d[3] = {{MN_SENS_UNIFORM, 0, 1, 0, NULL, 0},
                         {MN_SENS_UNIFORM, 10, 14, 0, NULL, 0},
                         {MN_SENS_UNIFORM, -1, 1, 0, NULL, 0}};
    mn_sens_problem p = {3, d, 2, linear, NULL};
    mn_morris_options o;
    mn_morris_options_init(&o);
    o.trajectories = 30;
    mn_morris_result r;
    assert_int_equal(mn_morris_run(NULL, &p, &o, &r), MN_OK);
    assert_int_equal(r.evaluations, 30 * 4);
    /* Effects per whole range (unit-cube units): 2 x 1, -3 x 4, 0; no spread. */
    double want[3] = {2, -12, 0};
    for (int i = 0; i < 3; i++) {
        assert_close(r.effect[i].mu, want[i], 1e-9, 1e-9);
        assert_close(r.effect[i].mu_star, fabs(want[i]), 1e-9, 1e-9);
        assert_close(r.effect[i].sigma, 0, 0, 1e-9);
    }
    /* x0 x2: x1 has no effect; x0 and x2 do, with spread (the effect depends on the other),
     * and mu* > |mu| since the sign changes across the range. */
    assert_true(r.effect[3 + 1].mu_star == 0);
    assert_true(r.effect[3 + 0].sigma > 0.1 && r.effect[3 + 2].sigma > 0.1);
    assert_true(r.effect[3 + 0].mu_star > fabs(r.effect[3 + 0].mu));
    mn_morris_result_release(&r);
}

/* *userdata 0: a range error above x0 = 0.9; 1: a NaN above x1 = 0.95. */
static int failing(const void *userdata, const double *x, double *y)
{
    int mode = *(const int *)userdata;
    y[0] = x[0];
    if (mode == 0 && x[0] > 0.9)
        return MN_ERANGE;
    if (mode == 1 && x[1] > 0.95)
        y[0] = NAN;
    return MN_OK;
}

static void test_failures_are_reported_alike(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_sens_dist d[2] = {{MN_SENS_UNIFORM, 0, 1, 0, NULL, 0}, {MN_SENS_UNIFORM, 0, 1, 0, NULL, 0}};
    int mode = 0;
    mn_sens_problem p = {2, d, 1, failing, &mode};
    mn_sobol_options o;
    mn_sobol_options_init(&o);
    o.n_base = 256;
    char first[1024];
    mn_sobol_result r;
    o.threads = 1;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ERANGE);
    assert_null(r.index);
    snprintf(first, sizeof first, "%s", mn_ctx_errmsg(ctx));
    assert_non_null(strstr(first, "evaluation"));
    o.threads = 2;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ERANGE);
    assert_string_equal(mn_ctx_errmsg(ctx), first);
    mode = 1;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ENUMERIC);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "not a finite number"));
    /* Arguments. */
    o.n_base = 0;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_EINVAL);
    o.n_base = 16;
    o.confidence = 1;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_EINVAL);
    d[0].b = 0;
    assert_int_equal(mn_sobol_run(ctx, &p, NULL, &r), MN_EINVAL);
    mode = 0;
    mn_morris_options mo;
    mn_morris_options_init(&mo);
    mo.levels = 5;
    d[0].b = 1;
    mn_morris_result m;
    assert_int_equal(mn_morris_run(ctx, &p, &mo, &m), MN_EINVAL);
    mn_ctx_free(ctx);
}

/* A stop that answers nonzero on its `at`-th question; the model counts its evaluations. */
static int stop_asks, stop_at_ask, model_calls;

/* Set once the stop has answered yes; while hold_others is set, threads other than the calling
 * one wait for it in their first evaluation, so how far they get before the stop does not
 * depend on how the machine schedules them. */
static int stop_answered, hold_others;

static int stop_on_ask(void *userdata)
{
    (void)userdata;
    int stop = ++stop_asks == stop_at_ask;
    if (stop) {
#pragma omp atomic write
        stop_answered = 1;
    }
    return stop;
}

static int counted_ishigami(const void *userdata, const double *x, double *y)
{
#pragma omp atomic update
    model_calls++;
    if (hold_others && omp_get_thread_num() != 0) {
        double until = omp_get_wtime() + 10; /* a bound, so a broken stop fails, not hangs */
        for (;;) {
            int answered;
#pragma omp atomic read
            answered = stop_answered;
            if (answered || omp_get_wtime() > until)
                break;
        }
    }
    return ishigami(userdata, x, y);
}

/* A caller's stop ends a run with MN_ESTOPPED and an empty result, before the evaluations it
 * would have run (with one thread: exactly those asked before the stop) or during the
 * bootstrap; a stop that never answers changes nothing, bit for bit. */
static void test_a_stop_ends_the_run_with_nothing(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_sens_problem p = {3, ISHI_DISTS, 3, counted_ishigami, NULL};
    mn_sobol_options o;
    mn_sobol_options_init(&o);
    o.n_base = 512;
    o.bootstrap = 50;
    o.stop = stop_on_ask;
    mn_sobol_result r, plain;
    long n_eval = 512 * (3 + 2);

    o.threads = 1;
    stop_asks = model_calls = 0;
    stop_at_ask = 50;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ESTOPPED);
    assert_int_equal(model_calls, 49);
    assert_null(r.index);
    assert_null(r.mean);
    assert_int_equal(r.n_outputs, 0);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "stopped by the caller near evaluation 50 of 2560"));

    o.threads = 2; /* stopped on the calling thread; the other ends the evaluation it is in
                      (held there until the stop answers) and starts no other */
    stop_asks = model_calls = stop_answered = 0;
    hold_others = 1;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ESTOPPED);
    hold_others = 0;
    assert_true(model_calls <= 50);
    assert_null(r.index);

    o.threads = 1; /* every evaluation done, the first bootstrap resample not */
    stop_asks = model_calls = 0;
    stop_at_ask = (int)n_eval + 1;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_ESTOPPED);
    assert_int_equal(model_calls, n_eval);
    assert_null(r.index);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "during the bootstrap"));

    stop_at_ask = -1; /* never */
    o.threads = 2;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &r), MN_OK);
    o.stop = NULL;
    assert_int_equal(mn_sobol_run(ctx, &p, &o, &plain), MN_OK);
    assert_memory_equal(r.index, plain.index, sizeof *r.index * 9);
    mn_sobol_result_release(&r);
    mn_sobol_result_release(&plain);

    mn_morris_options mo;
    mn_morris_options_init(&mo);
    mn_morris_result m;
    mo.threads = 1;
    mo.stop = stop_on_ask;
    stop_asks = model_calls = 0;
    stop_at_ask = 10;
    assert_int_equal(mn_morris_run(ctx, &p, &mo, &m), MN_ESTOPPED);
    assert_int_equal(model_calls, 9);
    assert_null(m.effect);
    assert_int_equal(m.n_outputs, 0);

    /* A SPEC: mn_sens_run_until() leaves the result as empty as after any failure. */
    static const char spec[] =
        "{\"scenario\": {\"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"
        "  \"zone\": \"cheek\", \"concern\": \"fine-lines-wrinkles\","
        "  \"sessions\": [{\"day\": 0, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": "
        "3}],"
        "  \"horizon_days\": 365},"
        " \"outputs\": [\"peak_improvement_pct\"],"
        " \"inputs\": [{\"name\": \"response_gain\", \"lognormal\": [1.0, 0.35]}],"
        " \"n\": 64, \"bootstrap\": 20, \"seed\": 1, \"morris\": {\"trajectories\": 4}}";
    mn_sens_spec *sp;
    assert_int_equal(mn_sens_spec_parse(ctx, "spec", spec, strlen(spec), &sp), MN_OK);
    mn_sens_result sr;
    stop_asks = 0;
    stop_at_ask = 5;
    assert_int_equal(mn_sens_run_until(ctx, sp, 2, stop_on_ask, NULL, &sr), MN_ESTOPPED);
    assert_int_equal(sr.n_inputs, 0);
    assert_int_equal(sr.n_outputs, 0);
    assert_null(sr.sobol.index);
    assert_false(sr.has_morris);
    assert_null(sr.morris.effect);
    assert_int_equal(mn_sens_run_until(ctx, sp, 2, NULL, NULL, &sr), MN_OK);
    assert_int_equal(sr.sobol.evaluations, 64 * 3);
    mn_sens_result_release(&sr);
    mn_sens_spec_free(sp);
    mn_ctx_free(ctx);
}

/* The maintenance interval is the sampled person's: the retention of young collagen (how long
 * the course's gain lasts) moves it, while the channel-closure time, which enters only the
 * barrier and no collagen state, has exactly zero indices. */
static void test_maintenance_interval_answers_to_the_person(void **state)
{
    (void)state;
    static const char spec[] =
        "{\"scenario\": {\"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"
        "  \"zone\": \"cheek\", \"concern\": \"fine-lines-wrinkles\","
        "  \"sessions\": [{\"day\": 0, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3},"
        "   {\"day\": 28, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3},"
        "   {\"day\": 56, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3}],"
        "  \"horizon_days\": 730},"
        " \"outputs\": [\"maintenance_interval_days\"],"
        " \"inputs\": [{\"name\": \"retention_scale\", \"lognormal\": [1.0, 0.35]},"
        "  {\"name\": \"closure_scale\", \"uniform\": [0.5, 3.0]}],"
        " \"n\": 64, \"bootstrap\": 200, \"seed\": 1}";
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_sens_spec *s;
    assert_int_equal(mn_sens_spec_parse(ctx, "spec", spec, strlen(spec), &s), MN_OK);
    mn_sens_result r;
    assert_int_equal(mn_sens_run(ctx, s, 2, &r), MN_OK);
    assert_true(r.sobol.variance[0] > 0);
    const mn_sobol_index *retention = &r.sobol.index[0], *closure = &r.sobol.index[1];
    assert_true(retention->total_lo > 0.5);
    assert_true(retention->first_order_lo > 0.2);
    assert_true(closure->first_order == 0 && closure->total == 0);
    assert_true(closure->total_lo == 0 && closure->total_hi == 0);
    mn_sens_result_release(&r);
    mn_sens_spec_free(s);
    mn_ctx_free(ctx);
}

#define POSTERIOR_SCENARIO                                                                         \
    "{\"scenario\": {\"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"         \
    "  \"zone\": \"cheek\", \"concern\": \"fine-lines-wrinkles\","                                 \
    "  \"sessions\": [{\"day\": 0, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3},"   \
    "   {\"day\": 28, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3}],"               \
    "  \"horizon_days\": 730},"

static mn_status run_spec(mn_ctx *ctx, const char *spec, mn_sens_result *r)
{
    mn_sens_spec *s;
    mn_status st = mn_sens_spec_parse(ctx, "spec", spec, strlen(spec), &s);
    if (!st)
        st = mn_sens_run(ctx, s, 2, r);
    mn_sens_spec_free(s);
    return st;
}

/* Constants drawn from the posterior reach the model through its parameter set, in the run and
 * in the maintenance projection: the young collagen's lifetime moves all three outputs, the
 * long-lived fraction the durability, while the epidermal gain, which feeds no collagen state,
 * has exactly zero indices (it would not, were the constants not passed, for none would then
 * vary). The result describes each input as the posterior's marginal. */
static void test_posterior_marginals_reach_the_model(void **state)
{
    (void)state;
    static const char spec[] = POSTERIOR_SCENARIO
        " \"outputs\": [\"peak_improvement_pct\", \"durability_days\","
        "  \"maintenance_interval_days\"],"
        " \"inputs\": [{\"name\": \"col1_young_tau_d\", \"from\": \"posterior\"},"
        "  {\"name\": \"col1_long_fraction\", \"from\": \"posterior\"},"
        "  {\"name\": \"epi_gain\", \"from\": \"posterior\"}],"
        " \"n\": 128, \"bootstrap\": 100, \"seed\": 3}";
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_posterior *post;
    assert_int_equal(mn_posterior_load(ctx, NULL, &post), MN_OK);
    mn_sens_result r;
    assert_int_equal(run_spec(ctx, spec, &r), MN_OK);
    assert_int_equal(r.n_from_posterior, 3);
    assert_int_equal(r.posterior_draws, mn_posterior_draw_count(post));
    for (int o = 0; o < 3; o++) {
        assert_true(r.sobol.variance[o] > 0);
        assert_true(r.sobol.index[o * 3 + 0].total_lo > 0.01);
        const mn_sobol_index *epi = &r.sobol.index[o * 3 + 2];
        assert_true(epi->first_order == 0 && epi->total == 0 && epi->total_hi == 0);
    }
    assert_true(r.sobol.index[1 * 3 + 1].total_lo > 0.2); /* durability: long-lived fraction */
    int j = mn_posterior_param_find(post, "col1_young_tau_d");
    assert_int_equal(r.input_from_posterior[0], 1);
    assert_int_equal(r.dists[0].kind, MN_SENS_EMPIRICAL);
    assert_true(r.dists[0].a == mn_posterior_quantile(post, j, 0));
    assert_true(r.dists[0].b == mn_posterior_quantile(post, j, 1));
    assert_true(r.dists[0].c == mn_posterior_quantile(post, j, 0.5));
    assert_null(r.dists[0].values);
    mn_sens_result_release(&r);
    mn_posterior_free(post);
    mn_ctx_free(ctx);
}

/* The grouped input "posterior" runs whole draws: over a base sample that visits every draw
 * about equally often, the output's mean is the mean over the draws computed directly, draw by
 * draw, with mn_posterior_params() and mn_healing_run(). */
static void test_posterior_grouped_runs_whole_draws(void **state)
{
    (void)state;
    static const char spec[] =
        POSTERIOR_SCENARIO " \"outputs\": [\"peak_improvement_pct\"],"
                           " \"inputs\": [{\"name\": \"posterior\", \"from\": \"posterior\"},"
                           "  {\"name\": \"needle_mm\", \"uniform\": [1.49, 1.51]}],"
                           " \"n\": 4096, \"bootstrap\": 0, \"seed\": 3}";
    static const char scenario[] =
        "{\"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"
        "  \"zone\": \"cheek\", \"concern\": \"fine-lines-wrinkles\","
        "  \"sessions\": [{\"day\": 0, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3},"
        "   {\"day\": 28, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3}],"
        "  \"horizon_days\": 730}";
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_posterior *post;
    assert_int_equal(mn_posterior_load(ctx, NULL, &post), MN_OK);
    mn_healing_input *in = malloc(sizeof *in);
    assert_non_null(in);
    assert_int_equal(mn_healing_scenario_parse(ctx, "scn", scenario, strlen(scenario), in), MN_OK);
    double sum = 0, sum2 = 0;
    int nd = mn_posterior_draw_count(post);
    for (int k = 0; k < nd; k++) {
        mn_healing_params par;
        mn_healing_options o;
        mn_healing_summary smr;
        assert_int_equal(mn_posterior_params(ctx, post, k, &par), MN_OK);
        mn_healing_options_init(&o);
        o.params = &par;
        assert_int_equal(mn_healing_run(ctx, &in->scenario, NULL, &o, NULL, 0, NULL, &smr), MN_OK);
        sum += smr.peak_improvement_pct;
        sum2 += smr.peak_improvement_pct * smr.peak_improvement_pct;
    }
    double mean = sum / nd, sd = sqrt(sum2 / nd - mean * mean);
    mn_sens_result r;
    assert_int_equal(run_spec(ctx, spec, &r), MN_OK);
    assert_int_equal(r.input_from_posterior[0], 2);
    assert_true(sd > 1);                               /* the draws differ */
    assert_close(r.sobol.mean[0], mean, 0, 0.02 * sd); /* equal weights, up to stratification */
    assert_close(sqrt(r.sobol.variance[0]), sd, 0.05, 0);
    assert_true(r.sobol.index[0].total > 0.95); /* the draws, not the needle's 0.02 mm */
    mn_sens_result_release(&r);
    free(in);
    mn_posterior_free(post);
    mn_ctx_free(ctx);
}

/* The text table keeps its columns for indices of any size: noisy estimates from few
 * evaluations can lie far outside 0..1 (here -12.5, 123.4 and -0.0001), and a long input name.
 * Every row of the table is as long as its header, with its brackets and commas in the same
 * places; the usual table (numbers within -9.999..99.999, names up to 22) keeps its widths. */
static void test_text_table_fits_its_widest_index(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    static mn_sens_result r; /* large: not on the stack */
    memset(&r, 0, sizeof r);
    r.n_inputs = 3;
    r.n_outputs = 2;
    snprintf(r.input_names[0], sizeof r.input_names[0], "a");
    snprintf(r.input_names[1], sizeof r.input_names[1], "b");
    snprintf(r.input_names[2], sizeof r.input_names[2], "an_input_with_a_long_name_x");
    for (int i = 0; i < 3; i++)
        r.dists[i] = (mn_sens_dist){.kind = MN_SENS_UNIFORM, .a = 0, .b = 1};
    snprintf(r.output_names[0], sizeof r.output_names[0], "noisy");
    snprintf(r.output_names[1], sizeof r.output_names[1], "usual");
    snprintf(r.output_units[0], sizeof r.output_units[0], "u");
    snprintf(r.output_units[1], sizeof r.output_units[1], "u");
    mn_sobol_index index[6] = {
        {-12.5, 0.4, -30.25, 2.0, 0.1, 0.9},    {0.2, 123.4, 0.1, 0.3, 100.0, 150.0},
        {-0.0001, 0.5, -0.2, 0.2, 0.45, 0.55},  {0.5, 0.6, 0.4, 0.6, 0.5, 0.7},
        {-0.01, 0.02, -0.05, 0.03, 0.01, 0.03}, {0.3, 0.35, 0.25, 0.35, 0.3, 0.4}};
    double mean[2] = {1, 2}, variance[2] = {0.5, 0.25};
    r.sobol = (mn_sobol_result){.n_inputs = 3,
                                .n_outputs = 2,
                                .n_base = 8,
                                .evaluations = 40,
                                .bootstrap = 10,
                                .confidence = 0.95,
                                .index = index,
                                .mean = mean,
                                .variance = variance};
    mn_test_text out = {0};
    assert_int_equal(mn_sens_write(ctx, &r, 0, mn_test_text_write, &out), MN_OK);
    int tables = 0;
    for (char *line = strtok(out.data, "\n"), *head = NULL, want[256]; line;
         line = strtok(NULL, "\n")) {
        if (!strncmp(line, "  input ", 8)) {
            head = line;
            want[0] = '\0';
            tables++;
            continue;
        }
        if (!head || strncmp(line, "  ", 2)) {
            head = NULL;
            continue;
        }
        assert_int_equal(strlen(line), strlen(head));
        char marks[256] = "";
        size_t m = 0;
        for (size_t i = 0; line[i] && m < sizeof marks - 1; i++)
            if (strchr("[,]", line[i]))
                m += (size_t)snprintf(marks + m, sizeof marks - m, "%c%zu ", line[i], i);
        if (!want[0])
            snprintf(want, sizeof want, "%s", marks);
        assert_string_equal(marks, want);
        /* Both tables widen the name column to the long name; the first widens its number
         * columns to its widest numbers ("-30.250", "150.000": 7 wide), the second keeps the
         * usual 24 (numbers 6 wide). */
        size_t name = strlen(r.input_names[2]);
        assert_int_equal(strlen(line), 2 + name + 2 * (1 + (tables == 1 ? 3 * 7 + 6 : 24)));
    }
    assert_int_equal(tables, 2);
    free(out.data);
    mn_ctx_free(ctx);
}

/* A SPEC given as text with the folder of its file: its file names resolve from that folder, as
 * mn_sens_spec_load() resolves them from the file's, with or without the final '/'; an
 * absolute name stays as it is. */
static void test_spec_text_with_its_folder(void **state)
{
    (void)state;
    static const char spec[] =
        "{\"scenario\": \"../scenarios/simulate-wrinkles-course.json\","
        " \"outputs\": [\"peak_improvement_pct\"],"
        " \"inputs\": [{\"name\": \"needle_mm\", \"uniform\": [0.5, 2.0]}], \"n\": 8}";
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_sens_spec *s = NULL;
    const char *dirs[] = {MN_SOURCE_DIR "/examples/sensitivity",
                          MN_SOURCE_DIR "/examples/sensitivity/"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mn_sens_spec_parse_in(ctx, "spec", spec, strlen(spec), dirs[i], &s),
                         MN_OK);
        mn_sens_spec_free(s);
    }
    /* From elsewhere the name leads nowhere; the message names the file tried. */
    assert_int_not_equal(
        mn_sens_spec_parse_in(ctx, "spec", spec, strlen(spec), MN_SOURCE_DIR "/data", &s), MN_OK);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "/data/../scenarios/"));
    char abs[1024];
    snprintf(abs, sizeof abs,
             "{\"scenario\": \"%s/examples/scenarios/simulate-wrinkles-course.json\","
             " \"outputs\": [\"peak_improvement_pct\"],"
             " \"inputs\": [{\"name\": \"needle_mm\", \"uniform\": [0.5, 2.0]}], \"n\": 8}",
             MN_SOURCE_DIR);
    assert_int_equal(mn_sens_spec_parse_in(ctx, "spec", abs, strlen(abs), "/nonexistent", &s),
                     MN_OK);
    mn_sens_spec_free(s);
    /* A folder name too long to hold is refused, naming the limit, and nothing is returned. */
    static char longdir[5000];
    memset(longdir, 'a', sizeof longdir - 1);
    s = NULL;
    assert_int_equal(mn_sens_spec_parse_in(ctx, "spec", abs, strlen(abs), longdir, &s), MN_ELIMIT);
    assert_null(s);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "folder name is longer than"));
    mn_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_text_with_its_folder),
        cmocka_unit_test(test_sobol_matches_scipy),
        cmocka_unit_test(test_sobol_is_stratified),
        cmocka_unit_test(test_quantiles_invert_their_cdfs),
        cmocka_unit_test(test_empirical_quantile),
        cmocka_unit_test(test_ishigami_indices),
        cmocka_unit_test(test_sobol_is_the_same_for_any_thread_count),
        cmocka_unit_test(test_morris_linear_effects),
        cmocka_unit_test(test_failures_are_reported_alike),
        cmocka_unit_test(test_a_stop_ends_the_run_with_nothing),
        cmocka_unit_test(test_maintenance_interval_answers_to_the_person),
        cmocka_unit_test(test_posterior_marginals_reach_the_model),
        cmocka_unit_test(test_posterior_grouped_runs_whole_draws),
        cmocka_unit_test(test_text_table_fits_its_widest_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
