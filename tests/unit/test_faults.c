/*
 * Fault injection (Lua's failing allocator, SQLite's malloc tests): for each representative
 * call of every public entry point, count the allocations it makes, then run it again once
 * for every N, with the Nth allocation failing. Every run must
 *   - return MN_ENOMEM (not a parse error: jansson 2.14's lexer drops bytes when its buffer
 *     cannot grow, and src/core/json_in.c turns any failed allocation during a parse into
 *     MN_ENOMEM rather than trust what it returned),
 *   - leave no allocation behind once the caller has freed what it owns (the allocator
 *     counts live blocks; ASan's leak checker sees the same under the asan preset),
 *   - and never crash.
 * Two modes: only the Nth allocation fails ("transient"), or the Nth and every later one
 * fails ("exhausted"), which exercises the clean-up paths after a first failure.
 *
 * The allocator is process-wide (mn_set_allocator routes jansson's allocations as well), so
 * the counters below are plain statics of this test program.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"
#include "mneedle/plot.h"
#include "mneedle/cohort.h"
#include "mneedle/healing.h"
#include "mneedle/transport.h"

static long alloc_count;  /* allocations attempted since the last reset */
static long alloc_live;   /* blocks handed out and not yet freed */
static long fail_at;      /* 1-based index of the allocation that fails; 0: none */
static int fail_rest;     /* 1: every allocation after fail_at fails too */
static long failures_hit; /* allocations refused since the last reset */

static int should_fail(void)
{
    alloc_count++;
    if (fail_at > 0 && (alloc_count == fail_at || (fail_rest && alloc_count > fail_at))) {
        failures_hit++;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p)
        alloc_live++;
    return p;
}

static void *t_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        alloc_live++;
    return p;
}

static void t_free(void *ptr)
{
    if (ptr)
        alloc_live--;
    free(ptr);
}

static const mn_allocator counting = {t_malloc, t_realloc, t_free};

static void arm(long n, int rest)
{
    alloc_count = 0;
    failures_hit = 0;
    fail_at = n;
    fail_rest = rest;
}

/* Shared state of the calls under test: a context made with the normal allocator, a client
 * and a plan made beforehand for the calls that take them. */
typedef struct {
    mn_ctx *ctx;
    mn_client client, declined;
    mn_plan *plan;
    char *client_text;
    size_t client_len;
    char data_dir[256];
    char out_path[300];
    char absorb_path[300]; /* a short absorb scenario: the solver's work is not the point */
} fixture;

static fixture fx;

/* A writer that collects output in memory in a fixed buffer (so the only allocations counted
 * are the library's); run_case() empties it before each call and compares it with the output
 * of the run without a failure. */
typedef struct {
    char buf[1 << 22];
    size_t len;
} sink;

static sink out_sink, baseline;

static int sink_write(void *userdata, const char *buf, size_t len)
{
    sink *s = userdata;
    size_t n = len < sizeof s->buf - s->len ? len : sizeof s->buf - s->len;
    memcpy(s->buf + s->len, buf, n);
    s->len += n;
    return 0;
}

/* cairo numbers the surfaces of an SVG ("surface136") in the order the process made them, so
 * two drawings of the same figure differ in those digits: SVG goes through this writer, which
 * turns every run of digits into one '#', and the PNG of the same figure compares every byte. */
static int sink_write_svg(void *userdata, const char *buf, size_t len)
{
    sink *s = userdata;
    for (size_t i = 0; i < len; i++) {
        int digit = buf[i] >= '0' && buf[i] <= '9';
        if (digit && s->len > 0 && s->buf[s->len - 1] == '#')
            continue; /* a run of digits becomes one '#' */
        sink_write(s, digit ? "#" : buf + i, 1);
    }
    return 0;
}

/* Each call returns its status; it frees whatever it made, so that live blocks return to
 * zero. */
typedef mn_status (*call_fn)(void);

static mn_status call_ctx_create(void)
{
    mn_ctx *c = NULL;
    mn_status st = mn_ctx_create(&c);
    assert_true(st == MN_OK ? c != NULL : c == NULL);
    mn_ctx_free(c);
    return st;
}

static mn_status call_ctx_create_with_data(void)
{
    mn_ctx *c = NULL;
    char err[256] = "";
    mn_status st = mn_ctx_create_with_data(&c, fx.data_dir, err, sizeof err);
    if (st)
        assert_true(err[0] != '\0');
    mn_ctx_free(c);
    return st;
}

static mn_status call_client_parse(void)
{
    mn_client c;
    return mn_client_parse(fx.ctx, "amelia.json", fx.client_text, fx.client_len, &c);
}

static mn_status call_client_load(void)
{
    mn_client c;
    return mn_client_load(fx.ctx, MN_SOURCE_DIR "/examples/clients/maya-striae-melasma.json", &c);
}

static mn_status call_plan_build(void)
{
    mn_plan *p = NULL;
    mn_plan_options o;
    mn_plan_options_init(&o);
    o.years = 5;
    mn_status st = mn_plan_build(fx.ctx, &fx.client, &o, &p);
    assert_true(st == MN_OK ? p != NULL : p == NULL);
    mn_plan_free(p);
    return st;
}

static mn_status call_plan_build_declined(void)
{
    mn_plan *p = NULL;
    mn_plan_options o;
    mn_plan_options_init(&o);
    mn_status st = mn_plan_build(fx.ctx, &fx.declined, &o, &p);
    mn_plan_free(p);
    return st;
}

static mn_status call_plan_write_json(void)
{
    return mn_plan_write(fx.ctx, fx.plan, 1, sink_write, &out_sink);
}

static mn_status call_plan_write_text(void)
{
    return mn_plan_write(fx.ctx, fx.plan, 0, sink_write, &out_sink);
}

static mn_status call_screening_write_json(void)
{
    return mn_screening_write(fx.ctx, &fx.client, &fx.plan->screening, 1, sink_write, &out_sink);
}

static mn_status call_screening_write_text(void)
{
    return mn_screening_write(fx.ctx, &fx.client, &fx.plan->screening, 0, sink_write, &out_sink);
}

static mn_status call_catalog_json(void)
{
    static const char *const what[] = {"devices", "sites", "concerns", "products", "rules"};
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
        mn_status st = mn_report_catalog(fx.ctx, what[i], 1, sink_write, &out_sink);
        if (st)
            return st;
    }
    return MN_OK;
}

static mn_status call_catalog_text(void)
{
    static const char *const what[] = {"devices", "sites", "concerns", "products", "rules"};
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
        mn_status st = mn_report_catalog(fx.ctx, what[i], 0, sink_write, &out_sink);
        if (st)
            return st;
    }
    return MN_OK;
}

static mn_status call_write_file_atomic(void)
{
    static const char text[] = "{\"ok\": true}\n";
    mn_status st = mn_write_file_atomic(fx.ctx, fx.out_path, text, sizeof text - 1);
    unlink(fx.out_path);
    return st;
}

static mn_status call_plan_report_html(void)
{
    return mn_plan_report_html(fx.ctx, fx.plan, sink_write, &out_sink);
}

/* The figures land in files: their bytes, read back, are the call's output. */
static mn_status call_plan_plot(void)
{
    static const char *const names[] = {"zones.svg", "projection.png", "projection.svg",
                                        "projection.csv"};
    mn_status st = mn_plan_plot(fx.ctx, fx.plan, fx.data_dir);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", fx.data_dir, names[i]);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        char chunk[4096];
        size_t n;
        int svg = strstr(names[i], ".svg") != NULL;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            (svg ? sink_write_svg : sink_write)(&out_sink, chunk, n);
        fclose(fp);
        unlink(path);
    }
    return st;
}

/* A chart with everything a figure can carry: two series, a band, markers and a note, drawn
 * as PNG and SVG with its CSV sidecar. */
static mn_status call_chart_render(void)
{
    static const double x[] = {0, 30, 60, 120, 365, 730}, y[] = {0, 12, 25, 31, 22, 9};
    static const double lo[] = {0, 8, 18, 22, 12, 2}, hi[] = {0, 16, 32, 40, 30, 16};
    static const mn_plot_marker marks[] = {
        {0, "1", MN_MARK_SESSION}, {30, "2", MN_MARK_SESSION}, {365, "M1", MN_MARK_MAINTENANCE}};
    static const mn_plot_note note = {120, 31, "peak"};
    mn_plot_chart c;
    mn_plot_chart_init(&c);
    c.title = "Improvement";
    c.x_label = "days";
    c.y_label = "improvement (%)";
    c.footnote = "Simulation, not a promise.";
    c.series[0] = (mn_plot_series){"treated", x, y, lo, hi, 6, -1, MN_LINE_SOLID};
    c.series[1] = (mn_plot_series){"twin", x, lo, NULL, NULL, 6, -1, MN_LINE_DASHED};
    c.n_series = 2;
    c.markers = marks;
    c.n_markers = 3;
    c.notes = &note;
    c.n_notes = 1;
    for (int f = 0; f < 2; f++) {
        mn_status st =
            mn_plot_chart_render(fx.ctx, &c, f ? MN_PLOT_SVG : MN_PLOT_PNG,
                                 f ? sink_write_svg : sink_write, &out_sink, sink_write, &out_sink);
        if (st)
            return st;
    }
    return MN_OK;
}

static mn_status call_heatmap_render(void)
{
    static double v[12 * 8];
    static const double px[] = {0.2, 0.5, 0.8}, py[] = {0.1, 0.4, 0.7};
    for (int i = 0; i < 12 * 8; i++)
        v[i] = (double)(i % 12) * (double)(i / 12);
    mn_plot_heatmap m;
    mn_plot_heatmap_init(&m);
    m.title = "Concentration";
    m.x_label = "x (mm)";
    m.y_label = "depth (mm)";
    m.value_label = "c (ug/ml)";
    m.values = v;
    m.nx = 12;
    m.ny = 8;
    m.x0 = 0;
    m.x1 = 1;
    m.y0 = 0;
    m.y1 = 1;
    m.y_down = 1;
    m.point_x = px;
    m.point_y = py;
    m.n_points = 3;
    m.has_threshold = 1;
    m.threshold = 20;
    m.threshold_label = "effective";
    return mn_plot_heatmap_render(fx.ctx, &m, MN_PLOT_SVG, sink_write_svg, &out_sink, sink_write,
                                  &out_sink);
}

static mn_status call_dist_render(void)
{
    static const double a[] = {10, 20, 25, 30, 31, 40, 52, 60}, b[] = {5, 8, 9, 15, 22, 23};
    mn_status st = MN_OK;
    for (int style = 0; style < 2 && !st; style++) {
        mn_plot_dist d;
        mn_plot_dist_init(&d);
        d.title = "Improvement at the endpoints";
        d.x_label = style ? "improvement (%)" : "endpoint";
        d.y_label = style ? "patients (%)" : "improvement (%)";
        d.style = style ? MN_DIST_HISTOGRAM : MN_DIST_VIOLIN;
        d.groups[0] = (mn_plot_group){"day 90", a, 8};
        d.groups[1] = (mn_plot_group){"day 365", b, 6};
        d.n_groups = 2;
        st = mn_plot_dist_render(fx.ctx, &d, MN_PLOT_PNG, sink_write, &out_sink, sink_write,
                                 &out_sink);
    }
    return st;
}

/* The scenario and trial loaders, and each model run through its writers, as the simulate,
 * absorb and cohort commands do. */
#define EX_SCN MN_SOURCE_DIR "/examples/scenarios/"

static mn_status call_simulate(void)
{
    mn_healing_input *in = malloc(sizeof *in);
    mn_healing_sample samples[64];
    double lo[64], hi[64];
    mn_healing_summary summary;
    assert_non_null(in);
    mn_status st = mn_healing_scenario_load(fx.ctx, EX_SCN "simulate-wrinkles-course.json", in);
    if (!st) {
        assert_true(in->n_report_days <= 64);
        st = mn_healing_run(fx.ctx, &in->scenario, NULL, NULL, in->report_days, in->n_report_days,
                            samples, &summary);
    }
    if (!st)
        st = mn_healing_band(fx.ctx, &in->scenario, in->report_days, in->n_report_days, 8, 1, 0.1,
                             0.9, lo, hi);
    if (!st) {
        mn_healing_result res = {&in->scenario,
                                 samples,
                                 in->n_report_days,
                                 lo,
                                 hi,
                                 8,
                                 &summary,
                                 NULL,
                                 MN_HEALING_EXACT,
                                 &in->warnings,
                                 0,
                                 NULL,
                                 0,
                                 NULL,
                                 0,
                                 0,
                                 NULL,
                                 NULL};
        st = mn_healing_write(fx.ctx, &res, 1, sink_write, &out_sink);
        if (!st)
            st = mn_healing_write(fx.ctx, &res, 0, sink_write, &out_sink);
    }
    free(in);
    return st;
}

static mn_status call_absorb(void)
{
    mn_absorb_scenario s;
    mn_absorb_result r;
    mn_absorb_scenario_init(&s);
    mn_absorb_result_init(&r);
    mn_status st = mn_absorb_scenario_load(fx.ctx, fx.absorb_path, &s);
    if (!st)
        st = mn_absorb_run(fx.ctx, &s, NULL, NULL, &r);
    if (!st)
        st = mn_absorb_write_json(fx.ctx, &s, &r, sink_write, &out_sink);
    if (!st)
        st = mn_absorb_write_text(fx.ctx, &s, &r, sink_write, &out_sink);
    if (!st)
        st = mn_absorb_write_csv(fx.ctx, &r, sink_write, &out_sink);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return st;
}

static mn_status call_cohort(void)
{
    mn_cohort_trial *t = malloc(sizeof *t);
    mn_cohort_result *r = malloc(sizeof *r);
    assert_true(t && r);
    mn_status st = mn_cohort_trial_load(
        fx.ctx, MN_SOURCE_DIR "/examples/trials/lotfi-2013-acne-scars.json", t);
    if (!st) {
        t->population.n = 50;
        mn_cohort_options o;
        mn_cohort_options_init(&o);
        o.threads = 1;
        o.use_mpi = 0;
        st = mn_cohort_run(fx.ctx, t, &o, r);
    }
    if (!st)
        st = mn_cohort_write(fx.ctx, t, r, 1, sink_write, &out_sink);
    if (!st)
        st = mn_cohort_write(fx.ctx, t, r, 0, sink_write, &out_sink);
    free(t);
    free(r);
    return st;
}

/* What the CLI's plan command does after creating its context (call_ctx_create covers that
 * part): load a client file, plan, write the JSON. */
static mn_status call_pipeline(void)
{
    mn_client cl;
    mn_plan *p = NULL;
    mn_plan_options o;
    mn_plan_options_init(&o);
    mn_status st =
        mn_client_load(fx.ctx, MN_SOURCE_DIR "/examples/clients/ravi-acne-scars.json", &cl);
    if (!st)
        st = mn_plan_build(fx.ctx, &cl, &o, &p);
    if (!st) {
        st = mn_plan_write(fx.ctx, p, 1, sink_write, &out_sink);
    }
    mn_plan_free(p);
    return st;
}

typedef struct {
    const char *name;
    call_fn fn;
    /* 1: the call's whole effect is its output, so a run that survives a failed allocation
     * (an optional buffer, say) passes when its output is byte for byte the baseline's. */
    int output_only;
} fault_case;

static long total_runs;

static void run_case(const fault_case *c)
{
    clock_t t0 = clock();
    /* Baseline: no failure; count the allocations. */
    mn_set_allocator(&counting);
    arm(0, 0);
    long live0 = alloc_live;
    out_sink.len = 0;
    mn_status st = c->fn();
    memcpy(baseline.buf, out_sink.buf, out_sink.len);
    baseline.len = out_sink.len;
    long n_alloc = alloc_count;
    mn_set_allocator(NULL);
    if (st != MN_OK)
        fail_msg("%s: failed with no fault injected: %s", c->name, mn_status_name(st));
    assert_int_equal(alloc_live, live0);
    assert_true(n_alloc > 0);
    /* Every N when only the Nth fails; when all later ones fail too, every N up to 1000 and
     * every 7th beyond (every N with MN_FAULTS_FULL=1), to keep the ASan run short. */
    const char *full = getenv("MN_FAULTS_FULL");
    long runs = 0, survived = 0;
    for (int rest = 0; rest <= 1; rest++) {
        for (long n = 1; n <= n_alloc; n++) {
            if (rest && n > 1000 && n % 7 != 0 && !(full && full[0] == '1'))
                continue;
            runs++;
            mn_set_allocator(&counting);
            arm(n, rest);
            out_sink.len = 0;
            st = c->fn();
            long hit = failures_hit;
            mn_set_allocator(NULL);
            total_runs++;
            if (hit == 0)
                fail_msg("%s: allocation %ld of %ld was never requested", c->name, n, n_alloc);
            if (st == MN_OK && c->output_only && out_sink.len == baseline.len &&
                memcmp(out_sink.buf, baseline.buf, baseline.len) == 0)
                survived++;
            else if (st != MN_ENOMEM)
                fail_msg("%s: allocation %ld of %ld failed (%s) but the call returned %s%s",
                         c->name, n, n_alloc, rest ? "and all later" : "alone", mn_status_name(st),
                         st == MN_OK && c->output_only ? " with a different output" : "");
            if (alloc_live != live0)
                fail_msg("%s: allocation %ld failed (%s): %ld block(s) leaked", c->name, n,
                         rest ? "and all later" : "alone", alloc_live - live0);
        }
    }
    printf("  %-28s %6ld allocations, %6ld runs with one failing", c->name, n_alloc, runs);
    if (survived)
        printf(", %ld with the same output", survived);
    printf(" (%.1f s)\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

static int setup(void **state)
{
    (void)state;
    if (mn_ctx_create(&fx.ctx) != MN_OK)
        return -1;
    fx.client_text =
        mn_test_read_file(MN_SOURCE_DIR "/examples/clients/amelia-wrinkles.json", &fx.client_len);
    if (!fx.client_text)
        return -1;
    if (mn_client_parse(fx.ctx, "amelia.json", fx.client_text, fx.client_len, &fx.client) ||
        mn_client_load(fx.ctx, MN_SOURCE_DIR "/examples/clients/george-keloid.json", &fx.declined))
        return -1;
    mn_plan_options o;
    mn_plan_options_init(&o);
    if (mn_plan_build(fx.ctx, &fx.client, &o, &fx.plan))
        return -1;
    /* A data directory that overrides two catalogues (the rest come from the embedded copy). */
    snprintf(fx.data_dir, sizeof fx.data_dir, "/tmp/mn_faults_%ld", (long)getpid());
    snprintf(fx.out_path, sizeof fx.out_path, "%s/out.json", fx.data_dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/data/sites.json %s/data/rules.json %s/",
             fx.data_dir, MN_SOURCE_DIR, MN_SOURCE_DIR, fx.data_dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(fx.absorb_path, sizeof fx.absorb_path, "%s/absorb.json", fx.data_dir);
    FILE *sc = fopen(fx.absorb_path, "wb");
    if (!sc)
        return -1;
    fputs("{\"site\": \"cheek\", \"patient\": {\"age\": 45, \"sex\": \"female\", "
          "\"fitzpatrick\": 3}, \"device\": \"dermapen-4\", \"needle_mm\": 1.0, \"passes\": 2, "
          "\"product\": {\"name\": \"ascorbic-acid\", \"concentration_mg_ml\": 150, "
          "\"dose_ul_cm2\": 10}, \"occluded\": false, \"hours\": 1, \"report_hours\": [0.5, 1],"
          " \"resolution\": 0.25}",
          sc);
    return fclose(sc) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx.data_dir);
    if (system(cmd) != 0)
        return -1;
    mn_plan_free(fx.plan);
    mn_ctx_free(fx.ctx);
    free(fx.client_text);
    mn_plot_global_cleanup(); /* fontconfig's caches, so LeakSanitizer sees only real leaks */
    printf("  %ld runs with an injected allocation failure, none crashed or leaked\n", total_runs);
    return 0;
}

#define FAULT_TEST(fn_name, call, output_only)                                                     \
    static void fn_name(void **state)                                                              \
    {                                                                                              \
        (void)state;                                                                               \
        const fault_case c = {#call, call, output_only};                                           \
        run_case(&c);                                                                              \
    }

FAULT_TEST(test_ctx_create, call_ctx_create, 0)
FAULT_TEST(test_ctx_create_with_data, call_ctx_create_with_data, 0)
FAULT_TEST(test_client_parse, call_client_parse, 0)
FAULT_TEST(test_client_load, call_client_load, 0)
FAULT_TEST(test_plan_build, call_plan_build, 0)
FAULT_TEST(test_plan_build_declined, call_plan_build_declined, 0)
FAULT_TEST(test_plan_write_json, call_plan_write_json, 1)
FAULT_TEST(test_plan_write_text, call_plan_write_text, 1)
FAULT_TEST(test_screening_write_json, call_screening_write_json, 1)
FAULT_TEST(test_screening_write_text, call_screening_write_text, 1)
FAULT_TEST(test_catalog_json, call_catalog_json, 1)
FAULT_TEST(test_catalog_text, call_catalog_text, 1)
FAULT_TEST(test_write_file_atomic, call_write_file_atomic, 0)
FAULT_TEST(test_pipeline, call_pipeline, 0)
FAULT_TEST(test_plan_report_html, call_plan_report_html, 1)
FAULT_TEST(test_plan_plot, call_plan_plot, 1)
FAULT_TEST(test_chart_render, call_chart_render, 1)
FAULT_TEST(test_heatmap_render, call_heatmap_render, 1)
FAULT_TEST(test_dist_render, call_dist_render, 1)
FAULT_TEST(test_simulate, call_simulate, 0)
FAULT_TEST(test_absorb, call_absorb, 0)
FAULT_TEST(test_cohort, call_cohort, 0)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx_create),
        cmocka_unit_test(test_ctx_create_with_data),
        cmocka_unit_test(test_client_parse),
        cmocka_unit_test(test_client_load),
        cmocka_unit_test(test_plan_build),
        cmocka_unit_test(test_plan_build_declined),
        cmocka_unit_test(test_plan_write_json),
        cmocka_unit_test(test_plan_write_text),
        cmocka_unit_test(test_screening_write_json),
        cmocka_unit_test(test_screening_write_text),
        cmocka_unit_test(test_catalog_json),
        cmocka_unit_test(test_catalog_text),
        cmocka_unit_test(test_write_file_atomic),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_plan_report_html),
        cmocka_unit_test(test_plan_plot),
        cmocka_unit_test(test_chart_render),
        cmocka_unit_test(test_heatmap_render),
        cmocka_unit_test(test_dist_render),
        cmocka_unit_test(test_simulate),
        cmocka_unit_test(test_absorb),
        cmocka_unit_test(test_cohort),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
