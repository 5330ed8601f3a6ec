/*
 * The standard figures of simulate, absorb and cohort: every file is written, images are
 * valid and of the expected size, and the CSV sidecars hold the input numbers.
 * Set MN_PLOT_KEEP=DIR to keep the figures for a look.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    const char *keep = getenv("MN_PLOT_KEEP");
    if (keep) {
        snprintf(dir, sizeof dir, "%s", keep);
        return 0;
    }
    snprintf(dir, sizeof dir, "/tmp/mn_plotres_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("MN_PLOT_KEEP"))
        return 0;
    const char *stems[] = {"improvement",   "collagen", "erythema", "delivery",
                           "depth_profile", "field",    "slice",    "improvement_distribution",
                           "responders"};
    const char *ext[] = {"png", "svg", "csv"};
    char p[256];
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
        for (size_t k = 0; k < 3; k++) {
            snprintf(p, sizeof p, "%s/%s.%s", dir, stems[i], ext[k]);
            unlink(p);
        }
    return rmdir(dir);
}

static char *slurp(const char *stem, const char *ext, size_t *len)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s.%s", dir, stem, ext);
    return mn_test_read_file(p, len);
}

static void assert_png_size(const char *stem, unsigned w, unsigned h)
{
    size_t n;
    unsigned char *d = (unsigned char *)slurp(stem, "png", &n);
    assert_non_null(d);
    assert_true(n > 24);
    assert_memory_equal(d, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(d + 12, "IHDR", 4);
    assert_int_equal((unsigned)d[16] << 24 | d[17] << 16 | d[18] << 8 | d[19], w);
    assert_int_equal((unsigned)d[20] << 24 | d[21] << 16 | d[22] << 8 | d[23], h);
    free(d);
    char *svg = slurp(stem, "svg", NULL);
    assert_non_null(svg);
    char want[64];
    snprintf(want, sizeof want, "width=\"%upx\" height=\"%upx\"", w, h);
    assert_non_null(strstr(svg, want));
    free(svg);
}

/* Values of column `y` of the rows `kind,series,...` for one series, in order. */
static int csv_series(const char *csv, const char *kind, int series, double *x, double *y, int max)
{
    int n = 0;
    char *copy = strdup(csv), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char k[32];
        int s, i;
        double xv, yv;
        if (sscanf(l, "%31[^,],%d,%d,%lf,%lf", k, &s, &i, &xv, &yv) == 5 && strcmp(k, kind) == 0 &&
            s == series && n < max) {
            x[n] = xv;
            y[n] = yv;
            n++;
        }
    }
    free(copy);
    return n;
}

/* Asserts that line @p series of @p csv holds exactly @p n points, in order, with the values
 * @p want_y and (unless NULL) the abscissae @p want_x. */
static void assert_line(const char *csv, int series, const double *want_x, const double *want_y,
                        int n)
{
    double *x = malloc(sizeof *x * (size_t)n), *y = malloc(sizeof *y * (size_t)n);
    assert_true(x && y);
    assert_int_equal(csv_series(csv, "line", series, x, y, n), n);
    for (int i = 0; i < n; i++) {
        if (want_x)
            assert_true(x[i] == want_x[i]);
        assert_true(y[i] == want_y[i]);
    }
    free(x);
    free(y);
}

static void test_healing(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    enum { N = 200 };
    double day[N], imp[N], col[N], twin[N], ery[N], zero[N] = {0}, x[N], y[N];
    for (int i = 0; i < N; i++) {
        day[i] = i < 40 ? i * 0.25 : 10.0 + (i - 40) * 12.0; /* dense first week */
        imp[i] = 30.0 * (1 - exp(-day[i] / 60.0)) - day[i] * 0.02;
        col[i] = 10.0 * (1 - exp(-day[i] / 90.0)) - day[i] * 0.004;
        twin[i] = -day[i] * 0.004;
        ery[i] = day[i] < 8 ? exp(-day[i] / 1.5) : 0.0;
    }
    double sessions[] = {0, 28, 56}, maint[] = {400, 800};
    mn_plot_healing h = {0};
    h.day = day;
    h.n = N;
    h.improvement_pct = imp;
    h.collagen_change_pct = col;
    h.twin_collagen_change_pct = twin;
    h.erythema = ery;
    h.session_day = sessions;
    h.n_sessions = 3;
    h.maintenance_day = maint;
    h.n_maintenance = 2;
    h.peak_day = 190.0;
    h.back_to_baseline_day = 1450.0;
    assert_int_equal(mn_plot_healing_save(ctx, &h, dir), MN_OK);
    assert_png_size("improvement", 800, 500);
    assert_png_size("collagen", 800, 500);
    assert_png_size("erythema", 800, 500);
    char *csv = slurp("improvement", "csv", NULL);
    assert_line(csv, 0, day, imp, N);
    assert_line(csv, 1, NULL, zero, N); /* the twin is the zero line */
    assert_non_null(strstr(csv, "note,,0,190,"));
    assert_non_null(strstr(csv, "note,,1,1450,"));
    int markers = 0;
    for (const char *p = strstr(csv, "\nmarker,"); p; p = strstr(p + 1, "\nmarker,"))
        markers++;
    assert_int_equal(markers, 5);
    free(csv);
    csv = slurp("collagen", "csv", NULL);
    assert_line(csv, 1, NULL, twin, N);
    free(csv);
    /* Erythema: only the first week (days 0–7 of the dense samples: 0, 0.25, …, 7). */
    csv = slurp("erythema", "csv", NULL);
    int n = csv_series(csv, "line", 0, x, y, N);
    assert_int_equal(n, 29);
    for (int i = 0; i < n; i++)
        assert_true(x[i] >= 0.0 && x[i] <= 7.0 && y[i] == ery[i]);
    free(csv);
    /* Bad input. */
    h.n_sessions = 2;
    h.session_day = NULL;
    assert_int_equal(mn_plot_healing_save(ctx, &h, dir), MN_EINVAL);
    h.session_day = sessions;
    imp[3] = NAN;
    assert_int_equal(mn_plot_healing_save(ctx, &h, dir), MN_ENUMERIC);
    assert_int_equal(mn_plot_healing_save(ctx, &h, "/nonexistent/dir"), MN_EINVAL);
    mn_ctx_free(ctx);
}

static void test_absorb(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    enum { NT = 25, ND = 50, NP = 3, NPUN = 100, SX = 60, SZ = 40 };
    double hour[NT], del[NT], intact[NT], depth[ND], prof[NP * ND], ph[NP] = {1, 4, 24};
    double px[NPUN], py[NPUN], slice[SX * SZ];
    for (int i = 0; i < NT; i++) {
        hour[i] = i;
        del[i] = 5.0 * (1 - exp(-i / 3.0));
        intact[i] = 0.05 * i;
    }
    for (int k = 0; k < NP; k++)
        for (int i = 0; i < ND; i++) {
            depth[i] = i * 20.0;
            prof[k * ND + i] = 100.0 * exp(-depth[i] / (100.0 * (k + 1)));
        }
    /* 10 × 10 punctures 1 mm apart on a 1 cm patch: no two discs overlap. */
    for (int p = 0; p < NPUN; p++) {
        px[p] = 500.0 + 1000.0 * (p % 10);
        py[p] = 500.0 + 1000.0 * (p / 10);
    }
    for (int k = 0; k < SZ; k++)
        for (int i = 0; i < SX; i++)
            slice[k * SX + i] = exp(-k / 10.0) * (1.0 + 0.5 * cos(i / 5.0));
    mn_plot_absorb a = {0};
    a.hour = hour;
    a.n = NT;
    a.delivered_ug_cm2 = del;
    a.intact_ug_cm2 = intact;
    a.depth_um = depth;
    a.n_depth = ND;
    a.profile = prof;
    a.profile_hour = ph;
    a.n_profiles = NP;
    a.puncture_x_um = px;
    a.puncture_y_um = py;
    a.n_punctures = NPUN;
    a.field_w_um = 10000.0;
    a.field_h_um = 10000.0;
    a.channel_radius_um = 100.0;
    a.slice = slice;
    a.slice_nx = SX;
    a.slice_nz = SZ;
    a.slice_w_um = 1200.0;
    a.slice_depth_um = 800.0;
    a.effective_concentration = 0.5;
    assert_int_equal(mn_plot_absorb_save(ctx, &a, dir), MN_OK);
    assert_png_size("delivery", 800, 500);
    assert_png_size("depth_profile", 800, 500);
    assert_png_size("field", 800, 600);
    assert_png_size("slice", 800, 600);
    char *csv = slurp("delivery", "csv", NULL);
    assert_line(csv, 0, hour, del, NT);
    assert_line(csv, 1, NULL, intact, NT);
    free(csv);
    csv = slurp("depth_profile", "csv", NULL);
    for (int k = 0; k < NP; k++)
        assert_line(csv, k, depth, prof + k * ND, ND);
    free(csv);
    /* Field: every puncture listed; the open area is the discs' area (100 × π × 100² µm² on
     * 1 cm² = 3.14 %) within the raster's resolution (25 µm cells). */
    csv = slurp("field", "csv", NULL);
    int points = 0;
    long cells = 0, open = 0;
    char *save = NULL;
    for (char *l = strtok_r(csv, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int idx;
        double cx, cy, v;
        if (sscanf(l, "point,%d,%lf,%lf", &idx, &cx, &cy) == 3) {
            assert_true(cx == px[idx] && cy == py[idx]);
            points++;
        } else if (sscanf(l, "cell,%d,%lf,%lf,%lf", &idx, &cx, &cy, &v) == 4) {
            cells++;
            open += v == 1.0;
        }
    }
    assert_int_equal(points, NPUN);
    assert_int_equal(cells, 400L * 400L);
    assert_close((double)open / (double)cells, NPUN * 3.14159265 * 1e4 / 1e8, 0.08, 0);
    free(csv);
    /* The field figure's footnote states the same open area. */
    char *svg = slurp("field", "svg", NULL);
    assert_non_null(svg);
    free(svg);
    /* Too many profiles for one figure. */
    a.n_profiles = MN_PLOT_MAX_SERIES + 1;
    assert_int_equal(mn_plot_absorb_save(ctx, &a, dir), MN_EINVAL);
    mn_ctx_free(ctx);
}

static void test_cohort(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    enum { NE = 3, NPAT = 1001 };
    static double imp[NE * NPAT];
    double days[NE] = {90, 180, 365}, resp[NE], x[16], y[16];
    for (int e = 0; e < NE; e++) {
        int above = 0;
        for (int i = 0; i < NPAT; i++) {
            /* 0..100 % spread, shifted per endpoint: percentiles are known exactly. */
            double v = (double)((i * 7919) % NPAT) / (NPAT - 1) * 100.0 - 10.0 * e;
            imp[e * NPAT + i] = v;
            above += v >= 50.0;
        }
        resp[e] = (double)above / NPAT;
    }
    mn_plot_cohort c = {days, NE, imp, NPAT, resp, 50.0};
    assert_int_equal(mn_plot_cohort_save(ctx, &c, dir), MN_OK);
    assert_png_size("improvement_distribution", 800, 500);
    assert_png_size("responders", 800, 500);
    char *csv = slurp("improvement_distribution", "csv", NULL);
    for (int e = 0; e < NE; e++) {
        /* p50 of 0..100 shifted by -10e is 50 - 10e. */
        assert_int_equal(csv_series(csv, "p50", e, x, y, 16), 1);
        assert_close(y[0], 50.0 - 10.0 * e, 0, 1e-9);
        assert_int_equal(csv_series(csv, "p5", e, x, y, 16), 1);
        assert_close(y[0], 5.0 - 10.0 * e, 0, 1e-9);
    }
    free(csv);
    csv = slurp("responders", "csv", NULL);
    assert_int_equal(csv_series(csv, "line", 0, x, y, 16), NE);
    for (int e = 0; e < NE; e++)
        assert_close(y[e], 100.0 * resp[e], 1e-12, 0);
    free(csv);
    c.n_endpoints = 0;
    assert_int_equal(mn_plot_cohort_save(ctx, &c, dir), MN_EINVAL);
    mn_ctx_free(ctx);
}

/* The figures of a simulated scenario: the typical person's daily curve from day 0, a marker
 * per session and one for the first maintenance visit; and of an absorb run: the delivered
 * amount at every sample. */
static void test_from_results(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_device *dev = mn_catalog_find_device(cat, "skinpen");
    mn_healing_session s[3];
    for (int i = 0; i < 3; i++)
        s[i] = (mn_healing_session){28 * i, dev, 1.5, 3, 0};
    mn_patient p = {45, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE};
    mn_healing_scenario sc = {p,
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "fine-lines-wrinkles"),
                              s,
                              3,
                              730};
    int d0 = 0;
    mn_healing_sample o;
    mn_healing_summary sum;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, &d0, 1, &o, &sum), MN_OK);
    mn_healing_projection m;
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, 1, &m), MN_OK);
    assert_true(m.maintenance_first_day > 56 && m.maintenance_first_day <= 730);
    assert_int_equal(mn_healing_plot(ctx, &sc, NULL, &sum, &m, 0, 1, dir), MN_OK);
    enum { MAXD = MN_HEALING_MAX_DAYS + 1 };
    double *x = malloc(sizeof *x * MAXD), *y = malloc(sizeof *y * MAXD);
    mn_healing_sample *daily = malloc(sizeof *daily * MAXD);
    assert_true(x && y && daily);
    char *csv = slurp("improvement", "csv", NULL);
    int n = csv_series(csv, "line", 0, x, y, MAXD);
    assert_true(n >= 731);
    sc.horizon_days = n - 1;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, n, daily, NULL), MN_OK);
    for (int i = 0; i < n; i++)
        assert_true(x[i] == i && y[i] == daily[i].improvement_pct);
    int markers = 0;
    for (const char *q = strstr(csv, "\nmarker,"); q; q = strstr(q + 1, "\nmarker,"))
        markers++;
    assert_int_equal(markers, 4);
    free(csv);
    assert_int_equal(mn_healing_plot(ctx, &sc, NULL, NULL, &m, 0, 1, dir), MN_EINVAL);
    mn_healing_projection_release(&m);
    free(x);
    free(y);
    free(daily);

    mn_absorb_scenario as;
    mn_absorb_result r;
    mn_absorb_result_init(&r);
    assert_int_equal(
        mn_absorb_scenario_load(ctx, MN_SOURCE_DIR "/examples/scenarios/absorb-vitc-pen.json", &as),
        MN_OK);
    assert_int_equal(mn_absorb_run(ctx, &as, NULL, NULL, &r), MN_OK);
    assert_int_equal(mn_absorb_plot(ctx, &as, &r, dir), MN_OK);
    double hx[64], hy[64];
    csv = slurp("delivery", "csv", NULL);
    assert_true(r.n_samples > 0 && r.n_samples <= 64);
    assert_int_equal(csv_series(csv, "line", 0, hx, hy, 64), (int)r.n_samples);
    for (size_t i = 0; i < r.n_samples; i++)
        assert_true(hx[i] == r.samples[i].hour && hy[i] == r.samples[i].delivered_ug_cm2);
    free(csv);
    assert_int_equal(mn_absorb_plot(ctx, &as, NULL, dir), MN_EINVAL);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&as);
    mn_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healing),
        cmocka_unit_test(test_absorb),
        cmocka_unit_test(test_cohort),
        cmocka_unit_test(test_from_results),
    };
    return mn_test_plots_done(cmocka_run_group_tests(tests, setup, teardown));
}
