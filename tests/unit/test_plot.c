/*
 * Figures: the files are valid PNG/SVG of the requested size, the drawn series are the input
 * series (through the CSV sidecar), and the pixels at the sidecar's coordinates carry the
 * series' colours, so the picture and the numbers agree.
 *
 * Set MN_PLOT_KEEP=DIR to keep the figures for a look.
 */
#include <cairo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"
#include "report/plot_internal.h"

static uint32_t be32(const char *bytes)
{
    const unsigned char *p = (const unsigned char *)bytes;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the PNG signature and that the first chunk is IHDR with the given size. */
static void assert_png(const mn_test_text *m, uint32_t w, uint32_t h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(m->len > 33);
    assert_memory_equal(m->data, sig, 8);
    assert_int_equal(be32(m->data + 8), 13);
    assert_memory_equal(m->data + 12, "IHDR", 4);
    assert_int_equal(be32(m->data + 16), w);
    assert_int_equal(be32(m->data + 20), h);
}

/* Checks the SVG's root element and its width, height and viewBox. */
static void assert_svg(const mn_test_text *m, int w, int h)
{
    char want[128];
    const char *s = m->data;
    assert_non_null(s);
    assert_non_null(strstr(s, "<?xml"));
    const char *root = strstr(s, "<svg");
    assert_non_null(root);
    const char *end = strchr(root, '>');
    assert_non_null(end);
    size_t n = (size_t)(end - root);
    char head[1024];
    assert_true(n < sizeof head);
    memcpy(head, root, n);
    head[n] = 0;
    snprintf(want, sizeof want, "width=\"%dpx\"", w);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "height=\"%dpx\"", h);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", w, h);
    assert_non_null(strstr(head, want));
    assert_non_null(strstr(s, "</svg>"));
}

typedef struct {
    const unsigned char *p;
    size_t left;
} memread;

static cairo_status_t mem_read(void *closure, unsigned char *data, unsigned int length)
{
    memread *r = closure;
    if (length > r->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->p, length);
    r->p += length;
    r->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *decode_png(const mn_test_text *m)
{
    memread r = {(const unsigned char *)m->data, m->len};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(mem_read, &r);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

static unsigned pixel(cairo_surface_t *s, double px, double py)
{
    int x = (int)px, y = (int)py;
    assert_true(x >= 0 && y >= 0 && x < cairo_image_surface_get_width(s) &&
                y < cairo_image_surface_get_height(s));
    const unsigned char *d = cairo_image_surface_get_data(s);
    const uint32_t *row =
        (const uint32_t *)(const void *)(d + (size_t)y * (size_t)cairo_image_surface_get_stride(s));
    return row[x] & 0xffffffu;
}

static int colour_close(unsigned a, unsigned b, int tol)
{
    for (int sh = 0; sh <= 16; sh += 8) {
        int ca = (int)((a >> sh) & 0xffu), cb = (int)((b >> sh) & 0xffu);
        if (abs(ca - cb) > tol)
            return 0;
    }
    return 1;
}

/* One parsed sidecar row. */
typedef struct {
    char kind[16];
    int series, index;
    double x, y, px, py;
} row;

/* Parses `kind,series,index,x,y,px,py` rows (empty fields become -1 / NAN). */
static int parse_rows(const mn_test_text *m, row *rows, int max)
{
    int n = 0;
    char *text = strdup(m->data);
    assert_non_null(text);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    assert_non_null(line); /* header */
    while ((line = strtok_r(NULL, "\n", &save)) && n < max) {
        row *r = &rows[n++];
        char *f[7];
        int k = 0;
        char *p = line;
        f[k++] = p;
        while (*p && k < 7) {
            if (*p == ',') {
                *p = 0;
                f[k++] = p + 1;
            }
            p++;
        }
        assert_int_equal(k, 7);
        snprintf(r->kind, sizeof r->kind, "%s", f[0]);
        r->series = f[1][0] ? atoi(f[1]) : -1;
        r->index = atoi(f[2]);
        r->x = f[3][0] ? strtod(f[3], NULL) : NAN;
        r->y = f[4][0] ? strtod(f[4], NULL) : NAN;
        r->px = f[5][0] ? strtod(f[5], NULL) : NAN;
        r->py = f[6][0] ? strtod(f[6], NULL) : NAN;
    }
    free(text);
    return n;
}

#define NPTS 60

/* A treated and an untreated curve with a band, sessions, maintenance and a note. */
static void make_chart(mn_plot_chart *c, double *x, double *treated, double *lo, double *hi,
                       double *untreated, mn_plot_marker *marks, mn_plot_note *note)
{
    mn_plot_chart_init(c);
    for (int i = 0; i < NPTS; i++) {
        x[i] = i * 30.0;
        treated[i] = 40.0 * (1.0 - exp(-x[i] / 120.0)) * exp(-x[i] / 900.0);
        lo[i] = treated[i] * 0.7;
        hi[i] = treated[i] * 1.3;
        untreated[i] = -x[i] / 365.0 * 2.0;
    }
    c->title = "Improvement over time (test)";
    c->x_label = "days since the first session";
    c->y_label = "improvement (%)";
    c->footnote = "Simulation, not a promise.";
    c->y_zero_line = 1;
    c->series[0] = (mn_plot_series){"treated", x, treated, lo, hi, NPTS, -1, MN_LINE_SOLID};
    c->series[1] =
        (mn_plot_series){"untreated twin", x, untreated, NULL, NULL, NPTS, -1, MN_LINE_DASHED};
    c->n_series = 2;
    for (int k = 0; k < 4; k++)
        marks[k] = (mn_plot_marker){k * 35.0, NULL, MN_MARK_SESSION};
    marks[4] = (mn_plot_marker){480.0, "M1", MN_MARK_MAINTENANCE};
    c->markers = marks;
    c->n_markers = 5;
    *note = (mn_plot_note){1650.0, treated[55], "back to baseline"};
    c->notes = note;
    c->n_notes = 1;
}

static void test_chart_png_matches_series(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    double x[NPTS], t[NPTS], lo[NPTS], hi[NPTS], u[NPTS];
    mn_plot_marker marks[5];
    mn_plot_note note;
    mn_plot_chart c;
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    c.width_px = 640;
    c.height_px = 420;
    c.series[1].style = MN_LINE_SOLID_POINTS; /* a dashed line has gaps at some samples */
    mn_test_text img = {0}, side = {0};
    assert_int_equal(mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &img,
                                          mn_test_text_write, &side),
                     MN_OK);
    assert_png(&img, 640, 420);
    mn_test_keep("chart.png", img.data, img.len);

    row rows[4 * NPTS + 16];
    int n = parse_rows(&side, rows, (int)(sizeof rows / sizeof rows[0]));
    int seen[2] = {0, 0}, bands = 0, markers = 0, notes = 0;
    cairo_surface_t *s = decode_png(&img);
    for (int k = 0; k < n; k++) {
        const row *r = &rows[k];
        if (strcmp(r->kind, "line") == 0) {
            const double *want = r->series == 0 ? t : u;
            assert_true(r->series == 0 || r->series == 1);
            /* Exactly the input numbers (printed with 17 digits, read back). */
            assert_true(r->x == x[r->index]);
            assert_true(r->y == want[r->index]);
            seen[r->series]++;
            /* Pixel mapping is linear and increasing in x, decreasing in y. */
            if (r->index > 0) {
                const row *p = &rows[k - 1];
                assert_true(r->px > p->px);
            }
        } else if (strncmp(r->kind, "band_", 5) == 0) {
            assert_true(r->y == (r->kind[5] == 'l' ? lo : hi)[r->index]);
            bands++;
        } else if (strcmp(r->kind, "marker") == 0) {
            markers++;
        } else if (strcmp(r->kind, "note") == 0) {
            assert_true(r->x == note.x && r->y == note.y);
            notes++;
        }
    }
    assert_int_equal(seen[0], NPTS);
    assert_int_equal(seen[1], NPTS);
    assert_int_equal(bands, 2 * NPTS);
    assert_int_equal(markers, 5);
    assert_int_equal(notes, 1);
    /* The untreated line is drawn where the sidecar says, in the second palette colour: check
     * points away from markers, notes and the other curve (x from 600 to 1500 days). */
    int checked = 0;
    for (int k = 0; k < n; k++) {
        const row *r = &rows[k];
        if (strcmp(r->kind, "line") != 0 || r->series != 1 || r->x < 600 || r->x > 1500)
            continue;
        assert_true(colour_close(pixel(s, r->px, r->py), mn_plot_palette(1), 60) ||
                    colour_close(pixel(s, r->px + 1, r->py), mn_plot_palette(1), 60) ||
                    colour_close(pixel(s, r->px - 1, r->py), mn_plot_palette(1), 60) ||
                    colour_close(pixel(s, r->px, r->py + 1), mn_plot_palette(1), 60) ||
                    colour_close(pixel(s, r->px, r->py - 1), mn_plot_palette(1), 60));
        checked++;
    }
    assert_true(checked >= 20);
    /* …and the treated curve in the first colour, 20 px above nothing of its own colour. */
    for (int k = 0; k < n; k++) {
        const row *r = &rows[k];
        if (strcmp(r->kind, "line") != 0 || r->series != 0 || r->x < 300 || r->x > 1200)
            continue;
        assert_true(colour_close(pixel(s, r->px, r->py), mn_plot_palette(0), 60));
    }
    cairo_surface_destroy(s);
    mn_test_text_free(&img);
    mn_test_text_free(&side);
    mn_ctx_free(ctx);
}

static void test_chart_svg_and_files(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    double x[NPTS], t[NPTS], lo[NPTS], hi[NPTS], u[NPTS];
    mn_plot_marker marks[5];
    mn_plot_note note;
    mn_plot_chart c;
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    mn_test_text svg = {0};
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_SVG, mn_test_text_write, &svg, NULL, NULL), MN_OK);
    assert_svg(&svg, MN_PLOT_DEFAULT_WIDTH, MN_PLOT_DEFAULT_HEIGHT);
    mn_test_keep("chart.svg", svg.data, svg.len);
    mn_test_text_free(&svg);

    /* Files: the extension picks the format; the sidecar lands beside it. */
    char dir[] = "/tmp/mn_plot_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char png[256], csv[256], bad[256];
    snprintf(png, sizeof png, "%s/a.PNG", dir);
    snprintf(csv, sizeof csv, "%s/a.csv", dir);
    snprintf(bad, sizeof bad, "%s/a.jpg", dir);
    assert_int_equal(mn_plot_chart_save(ctx, &c, png, csv), MN_OK);
    struct stat sb;
    assert_int_equal(stat(png, &sb), 0);
    assert_true(sb.st_size > 1000);
    assert_int_equal(stat(csv, &sb), 0);
    assert_int_equal(mn_plot_chart_save(ctx, &c, bad, NULL), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "a.jpg"));
    assert_int_not_equal(stat(bad, &sb), 0);
    /* A failing chart leaves neither file behind. */
    t[3] = NAN;
    char png2[256], csv2[256];
    snprintf(png2, sizeof png2, "%s/b.svg", dir);
    snprintf(csv2, sizeof csv2, "%s/b.csv", dir);
    assert_int_equal(mn_plot_chart_save(ctx, &c, png2, csv2), MN_ENUMERIC);
    assert_int_not_equal(stat(png2, &sb), 0);
    assert_int_not_equal(stat(csv2, &sb), 0);
    unlink(png);
    unlink(csv);
    rmdir(dir);
    mn_ctx_free(ctx);
}

static void test_chart_rejects_bad_input(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    double x[NPTS], t[NPTS], lo[NPTS], hi[NPTS], u[NPTS];
    mn_plot_marker marks[5];
    mn_plot_note note;
    mn_plot_chart c;
    mn_test_text img = {0};
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    c.width_px = 50;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ERANGE);
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    c.series[0].y_high = NULL;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_EINVAL);
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    c.n_series = MN_PLOT_MAX_SERIES + 1;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ERANGE);
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    c.x_min = 10;
    c.x_max = 5;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_SVG, mn_test_text_write, &img, NULL, NULL),
        MN_ERANGE);
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    hi[7] = INFINITY;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_SVG, mn_test_text_write, &img, NULL, NULL),
        MN_ENUMERIC);
    assert_int_equal(img.len, 0); /* nothing written on a refused chart */
    /* A writer that fails part-way is an I/O error, for both formats. */
    make_chart(&c, x, t, lo, hi, u, marks, &note);
    mn_test_text failing = {0};
    failing.fail_after = 100;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &failing, NULL, NULL),
        MN_EIO);
    mn_test_text_free(&failing);
    failing.fail_after = 100;
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_SVG, mn_test_text_write, &failing, NULL, NULL),
        MN_EIO);
    mn_test_text_free(&failing);
    /* An empty chart has nothing to draw. */
    mn_plot_chart_init(&c);
    assert_int_equal(
        mn_plot_chart_render(ctx, &c, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ERANGE);
    mn_test_text_free(&img);
    mn_ctx_free(ctx);
}

static void test_heatmap(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    enum { NX = 40, NY = 30 };
    static double v[NX * NY];
    double px[3] = {100.0, 500.0, 900.0}, py[3] = {100.0, 400.0, 700.0};
    /* A gradient along x with its maximum in the last column. */
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++)
            v[j * NX + i] = i + 0.01 * j;
    mn_plot_heatmap m;
    mn_plot_heatmap_init(&m);
    m.title = "Puncture field (test)";
    m.x_label = "x (µm)";
    m.y_label = "depth (µm)";
    m.value_label = "concentration (µg/ml)";
    m.values = v;
    m.nx = NX;
    m.ny = NY;
    m.x0 = 0;
    m.x1 = 1000;
    m.y0 = 0;
    m.y1 = 750;
    m.y_down = 1;
    m.point_x = px;
    m.point_y = py;
    m.n_points = 3;
    m.has_threshold = 1;
    m.threshold = 20;
    m.threshold_label = "effective";
    mn_test_text img = {0}, side = {0};
    assert_int_equal(mn_plot_heatmap_render(ctx, &m, MN_PLOT_PNG, mn_test_text_write, &img,
                                            mn_test_text_write, &side),
                     MN_OK);
    assert_png(&img, MN_PLOT_DEFAULT_WIDTH, 600);
    mn_test_keep("heatmap.png", img.data, img.len);
    cairo_surface_t *s = decode_png(&img);
    /* Count cells and check colours at the cell centres: first column is viridis(0), last is
     * viridis near 1 (#440154 and #fde725 are the ends of the published map). */
    char *text = strdup(side.data);
    int cells = 0, points = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int idx;
        double cx, cy, val, qx, qy;
        if (sscanf(line, "cell,%d,%lf,%lf,%lf,%lf,%lf", &idx, &cx, &cy, &val, &qx, &qy) == 6) {
            assert_true(val == v[idx]);
            int i = idx % NX, j = idx / NX;
            assert_close(cx, (i + 0.5) * 1000.0 / NX, 1e-12, 1e-9);
            assert_close(cy, (j + 0.5) * 750.0 / NY, 1e-12, 1e-9);
            /* y grows downwards: a deeper row is lower in the image. */
            if (j > 0)
                assert_true(qy > 0);
            if (i == 0 && j == NY / 2)
                assert_true(colour_close(pixel(s, qx, qy), 0x440154, 12));
            if (i == NX - 1 && j == 0)
                assert_true(colour_close(pixel(s, qx, qy), 0xfde725, 12));
            cells++;
        } else if (strncmp(line, "point,", 6) == 0) {
            points++;
        }
    }
    assert_int_equal(cells, NX * NY);
    assert_int_equal(points, 3);
    free(text);
    cairo_surface_destroy(s);
    mn_test_text_free(&img);
    mn_test_text_free(&side);
    assert_int_equal(
        mn_plot_heatmap_render(ctx, &m, MN_PLOT_SVG, mn_test_text_write, &img, NULL, NULL), MN_OK);
    assert_svg(&img, MN_PLOT_DEFAULT_WIDTH, 600);
    mn_test_text_free(&img);
    v[5] = NAN;
    assert_int_equal(
        mn_plot_heatmap_render(ctx, &m, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ENUMERIC);
    v[5] = 0;
    m.nx = 0;
    assert_int_equal(
        mn_plot_heatmap_render(ctx, &m, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_EINVAL);
    m.nx = 3000;
    m.ny = 3000;
    assert_int_equal(
        mn_plot_heatmap_render(ctx, &m, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ELIMIT);
    mn_test_text_free(&img);
    mn_ctx_free(ctx);
}

static void test_percentiles(void **state)
{
    (void)state;
    /* Type 7, the program's one rule, as the cohort's table: NumPy's np.percentile([1, 2, 3,
     * 4], [0, 25, 50, 90, 100]) (method "linear") = 1, 1.75, 2.5, 3.7, 4. */
    const double v[] = {1, 2, 3, 4};
    assert_close(mn_plot_percentile_sorted(v, 4, 0), 1.0, 0, 0);
    assert_close(mn_plot_percentile_sorted(v, 4, 25), 1.75, 1e-12, 0);
    assert_close(mn_plot_percentile_sorted(v, 4, 50), 2.5, 1e-12, 0);
    assert_close(mn_plot_percentile_sorted(v, 4, 90), 3.7, 1e-12, 0);
    assert_close(mn_plot_percentile_sorted(v, 4, 100), 4.0, 0, 0);
    assert_true(isnan(mn_plot_percentile_sorted(v, 0, 50)));
    /* 1..20: the 95th is at 0.95 x 19 = 18.05 past the first, 19.05; the 5th 1.95. */
    double w[20];
    for (int i = 0; i < 20; i++)
        w[i] = i + 1;
    assert_close(mn_plot_percentile_sorted(w, 20, 95), 19.05, 1e-12, 0);
    assert_close(mn_plot_percentile_sorted(w, 20, 5), 1.95, 1e-12, 0);
}

static void test_distributions(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    enum { N = 101 };
    double a[N], b[N];
    /* Shuffled 0..100 (the plot sorts its own copy) and a skewed group. */
    for (int i = 0; i < N; i++) {
        a[i] = (double)((i * 37) % N);
        b[i] = 60.0 + 30.0 * (i / 100.0) * (i / 100.0);
    }
    mn_plot_dist d;
    mn_plot_dist_init(&d);
    d.title = "Improvement at each endpoint (test)";
    d.x_label = "endpoint";
    d.y_label = "improvement (%)";
    d.groups[0] = (mn_plot_group){"day 90", a, N};
    d.groups[1] = (mn_plot_group){"day 180", b, N};
    d.n_groups = 2;
    d.has_threshold = 1;
    d.threshold = 50;
    d.threshold_label = "responder: ≥ 50 %";
    mn_test_text img = {0}, side = {0};
    assert_int_equal(mn_plot_dist_render(ctx, &d, MN_PLOT_PNG, mn_test_text_write, &img,
                                         mn_test_text_write, &side),
                     MN_OK);
    assert_png(&img, MN_PLOT_DEFAULT_WIDTH, MN_PLOT_DEFAULT_HEIGHT);
    mn_test_keep("violin.png", img.data, img.len);
    row rows[32];
    int n = parse_rows(&side, rows, 32);
    assert_int_equal(n, 12);
    for (int k = 0; k < n; k++) {
        const row *r = &rows[k];
        if (r->series == 0) {
            /* 0..100: the p-th percentile is p itself; the mean is 50. */
            double want = strcmp(r->kind, "mean") == 0 ? 50.0 : atof(r->kind + 1);
            assert_close(r->y, want, 0, 1e-9);
        }
    }
    assert_string_equal(rows[8].kind, "p50"); /* second group, third row */
    assert_close(rows[8].y, 60.0 + 30.0 * 0.25, 0, 1e-9);
    mn_test_text_free(&img);
    mn_test_text_free(&side);

    d.style = MN_DIST_HISTOGRAM;
    d.bins = 10;
    d.x_label = "improvement (%)";
    d.y_label = "patients (%)";
    assert_int_equal(mn_plot_dist_render(ctx, &d, MN_PLOT_SVG, mn_test_text_write, &img,
                                         mn_test_text_write, &side),
                     MN_OK);
    assert_svg(&img, MN_PLOT_DEFAULT_WIDTH, MN_PLOT_DEFAULT_HEIGHT);
    mn_test_keep("hist.svg", img.data, img.len);
    n = parse_rows(&side, rows, 32);
    assert_int_equal(n, 20);
    double total[2] = {0, 0};
    for (int k = 0; k < n; k++)
        total[rows[k].series] += rows[k].y;
    assert_close(total[0], 100.0, 1e-12, 0);
    assert_close(total[1], 100.0, 1e-12, 0);
    /* Group 0 spans 0..100 in 10 bins of 10: 10 values per bin except the last (11). */
    assert_close(rows[0].y, 100.0 * 10 / N, 1e-12, 0);
    assert_close(rows[9].y, 100.0 * 11 / N, 1e-12, 0);
    mn_test_text_free(&img);
    mn_test_text_free(&side);

    a[4] = NAN;
    assert_int_equal(
        mn_plot_dist_render(ctx, &d, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL),
        MN_ENUMERIC);
    a[4] = 1;
    d.groups[1].n = 0;
    assert_int_equal(
        mn_plot_dist_render(ctx, &d, MN_PLOT_PNG, mn_test_text_write, &img, NULL, NULL), MN_ERANGE);
    mn_test_text_free(&img);
    mn_ctx_free(ctx);
}

static void test_palette_distinct(void **state)
{
    (void)state;
    /* Okabe–Ito blue and vermillion first; every colour distinct; index wraps. */
    assert_int_equal(mn_plot_palette(0), 0x0072B2);
    assert_int_equal(mn_plot_palette(1), 0xD55E00);
    assert_int_equal(mn_plot_palette(MN_PLOT_PALETTE_SIZE), mn_plot_palette(0));
    assert_int_equal(mn_plot_palette(-1), mn_plot_palette(MN_PLOT_PALETTE_SIZE - 1));
    for (int i = 0; i < MN_PLOT_PALETTE_SIZE; i++)
        for (int j = i + 1; j < MN_PLOT_PALETTE_SIZE; j++)
            assert_int_not_equal(mn_plot_palette(i), mn_plot_palette(j));
}

/* Automatic ranges widen to whole ticks, but not by a whole step below zero for a range that
 * dips below it by a rounding-level amount: a plan's day 0, read 12 hours after its session,
 * is a few thousandths of a percent below zero (Amelia's band: -0.0199 %). A real negative
 * (2 % below zero) keeps its step, as does a range dipping below another tick. */
static void test_axis_starts_at_zero_for_a_hair_below(void **state)
{
    (void)state;
    mn__axis ax;
    mn__axis_nice(&ax, -0.0199, 84.3, 6);
    assert_close(ax.step, 20, 0, 1e-12);
    assert_close(ax.lo, 0, 0, 1e-12);
    assert_close(ax.hi, 100, 0, 1e-12);
    mn__axis_nice(&ax, -2.0, 84.3, 6);
    assert_close(ax.lo, -20, 0, 1e-12);
    mn__axis_nice(&ax, 19.99, 84.3, 6);
    assert_close(ax.lo, 0, 0, 1e-12);
    mn__axis_nice(&ax, 0.0, 84.3, 6);
    assert_close(ax.lo, 0, 0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chart_png_matches_series),
        cmocka_unit_test(test_chart_svg_and_files),
        cmocka_unit_test(test_chart_rejects_bad_input),
        cmocka_unit_test(test_heatmap),
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_palette_distinct),
        cmocka_unit_test(test_axis_starts_at_zero_for_a_hair_below),
    };
    return mn_test_plots_done(cmocka_run_group_tests(tests, NULL, NULL));
}
