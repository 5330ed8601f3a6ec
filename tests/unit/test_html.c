/*
 * The plan's HTML report and figures: self-contained (no outside reference), every section
 * present, text escaped, the embedded projection figure a valid PNG, and the plotted numbers
 * (CSV sidecar, SVG data attributes) equal to the plan's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

static const char client_json[] =
    "{\"client\": {\"name\": \"<b>Ann & Co</b>\", \"age\": 52, \"sex\": \"female\","
    " \"fitzpatrick\": 2},"
    " \"concerns\": [{\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"cheek\", \"forehead\"],"
    " \"severity\": \"moderate\"},"
    " {\"concern\": \"stretch-marks\", \"zones\": [\"abdomen\"], \"severity\": \"mild\"}],"
    " \"history\": {}, \"lifestyle\": {\"smoker\": false, \"sun\": \"moderate\"},"
    " \"clinic\": {\"device\": \"skinpen\", \"price_per_session\": 350, \"currency\": \"EUR\","
    " \"start\": \"2027-03-01\"}}";

static const char declined_json[] =
    "{\"client\": {\"age\": 30, \"sex\": \"female\", \"fitzpatrick\": 3},"
    " \"concerns\": [{\"concern\": \"acne-scars\", \"zones\": [\"cheek\"]}],"
    " \"history\": {\"active_infection_at_site\": true},"
    " \"clinic\": {\"start\": \"2027-03-01\"}}";

typedef struct {
    mn_ctx *ctx;
    mn_client client;
    mn_plan *plan;
} fixture;

static void build(fixture *f, const char *json)
{
    mn_plan_options o;
    assert_int_equal(mn_ctx_create(&f->ctx), MN_OK);
    assert_int_equal(mn_client_parse(f->ctx, "client.json", json, strlen(json), &f->client), MN_OK);
    mn_plan_options_init(&o);
    assert_int_equal(mn_plan_build(f->ctx, &f->client, &o, &f->plan), MN_OK);
}

static void teardown_fixture(fixture *f)
{
    mn_plan_free(f->plan);
    mn_ctx_free(f->ctx);
}

/* A synthetic projection (rise over the course, slow decline, back below zero) used while the
 * plan's own projection is empty or to test the figure path whatever the model gives. */
#define NPROJ 40
static void fake_projection(mn_projection_sample *s)
{
    for (int i = 0; i < NPROJ; i++) {
        double d = i * 30.0;
        double y = 35.0 * (1.0 - exp(-d / 90.0)) - d * 0.04;
        s[i] = (mn_projection_sample){(int)d, y, y - 8.0, y + 8.0};
    }
}

/* Fails on any reference that would need the network or another file. */
static void assert_self_contained(const char *html)
{
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    assert_null(strstr(html, "//cdn"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    /* Every src= is a data: URI. */
    for (const char *p = strstr(html, "src=\""); p; p = strstr(p + 1, "src=\""))
        assert_int_equal(strncmp(p + 5, "data:", 5), 0);
    assert_null(strstr(html, "href=\""));
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes the first data URI with this prefix ("data:image/png;base64,"); returns the byte
 * count and a NUL-terminated copy in *out. */
static size_t embedded(const char *html, const char *prefix, unsigned char **out)
{
    const char *p = strstr(html, prefix);
    assert_non_null(p);
    p += strlen(prefix);
    const char *end = strchr(p, '"');
    assert_non_null(end);
    size_t n = (size_t)(end - p);
    assert_int_equal(n % 4, 0);
    unsigned char *buf = malloc(n / 4 * 3 + 4);
    assert_non_null(buf);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++)
            v[j] = p[i + j] == '=' ? 0 : b64val(p[i + j]);
        for (int j = 0; j < 4; j++)
            assert_true(v[j] >= 0);
        unsigned w =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        buf[k++] = (unsigned char)(w >> 16);
        if (p[i + 2] != '=')
            buf[k++] = (unsigned char)(w >> 8);
        if (p[i + 3] != '=')
            buf[k++] = (unsigned char)w;
    }
    buf[k] = 0;
    *out = buf;
    return k;
}

static void test_report_sections_and_escaping(void **state)
{
    (void)state;
    fixture f;
    build(&f, client_json);
    mn_test_text t = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_OK);
    const char *h = t.data;
    assert_non_null(h);
    assert_int_equal(strncmp(h, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(h, "</html>"));
    assert_self_contained(h);
    /* The client's name is text, never markup. */
    assert_non_null(strstr(h, "&lt;b&gt;Ann &amp; Co&lt;/b&gt;"));
    assert_null(strstr(h, "<b>Ann"));
    assert_non_null(strstr(h, "simulation, not a promise"));
    assert_non_null(strstr(h, "How long will it last?"));
    assert_non_null(strstr(h, "1. Screening"));
    assert_non_null(strstr(h, "2. Zones and needle depths"));
    assert_non_null(strstr(h, "3. Calendar"));
    assert_non_null(strstr(h, "5. Cost"));
    assert_non_null(strstr(h, "Aftercare sheet"));
    assert_non_null(strstr(h, "page-break-before:always"));
    /* Every session's date is in the calendar, and the course total in the cost table. */
    assert_true(f.plan->n_sessions > 0);
    for (int i = 0; i < f.plan->n_sessions; i++) {
        char d[16];
        assert_non_null(strstr(h, mn_date_format(f.plan->sessions[i].date, d)));
    }
    /* The month grids fill one cell per visit: course (cv) and maintenance (mv). */
    int cv = 0, mv = 0, course = 0;
    for (const char *q = strstr(h, "<td class=\"cv\""); q; q = strstr(q + 1, "<td class=\"cv\""))
        cv++;
    for (const char *q = strstr(h, "<td class=\"mv\""); q; q = strstr(q + 1, "<td class=\"mv\""))
        mv++;
    for (int i = 0; i < f.plan->n_sessions; i++)
        course += f.plan->sessions[i].phase == MN_PHASE_COURSE;
    assert_int_equal(cv, course);
    assert_int_equal(mv, f.plan->n_sessions - course);
    char money[64];
    snprintf(money, sizeof money, "%.2f EUR", f.plan->course_total);
    assert_non_null(strstr(h, money));
    /* Every aftercare item's text is on the sheet. */
    for (int i = 0; i < f.plan->n_aftercare; i++)
        if (!strchr(f.plan->aftercare[i].item->text, '\'') &&
            !strchr(f.plan->aftercare[i].item->text, '&'))
            assert_non_null(strstr(h, f.plan->aftercare[i].item->text));
    /* The embedded diagram is an SVG with a dot per treated zone at the plan's start depth. */
    unsigned char *svg = NULL;
    embedded(h, "data:image/svg+xml;base64,", &svg);
    assert_non_null(strstr((char *)svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for (int i = 0; i < f.plan->n_zones; i++) {
        char attr[160];
        snprintf(attr, sizeof attr, "data-zone=\"%s\" data-depth-start-mm=\"%.17g\"",
                 f.plan->zones[i].zone->id, f.plan->zones[i].depth_start_mm);
        assert_non_null(strstr((char *)svg, attr));
    }
    free(svg);
    /* Same plan, same bytes. */
    mn_test_text t2 = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t2), MN_OK);
    assert_int_equal(t.len, t2.len);
    assert_memory_equal(t.data, t2.data, t.len);
    free(t.data);
    free(t2.data);
    teardown_fixture(&f);
}

static void test_report_with_projection(void **state)
{
    (void)state;
    fixture f;
    build(&f, client_json);
    mn_projection_sample s[NPROJ];
    fake_projection(s);
    mn_projection_sample *own = f.plan->projection;
    int own_n = f.plan->n_projection;
    f.plan->projection = s;
    f.plan->n_projection = NPROJ;
    /* Writers format the landmarks the projection stored; set them for the fake curve as
     * mn_healing_project() defines them (healing.h). */
    int own_peak = f.plan->projection_peak, own_below = f.plan->projection_below_target,
        own_base = f.plan->projection_baseline;
    int pk = 0;
    for (int i = 1; i < NPROJ; i++)
        if (s[i].improvement_pct > s[pk].improvement_pct)
            pk = i;
    f.plan->projection_peak = pk;
    f.plan->projection_below_target = f.plan->projection_baseline = -1;
    for (int i = NPROJ - 1; i > pk; i--) {
        if (s[i].improvement_pct < f.plan->options.target_fraction * s[pk].improvement_pct)
            f.plan->projection_below_target = i;
        if (s[pk].improvement_pct > 0.0 && s[i].improvement_pct <= 0.0)
            f.plan->projection_baseline = i;
    }
    /* ... and the "how long will it last" figures it computed with them (clinic.h), here
     * those of the fake curve's peak. */
    mn_plan own_lasting = *f.plan;
    f.plan->has_lasting = 1;
    f.plan->lasting_peak_pct = s[pk].improvement_pct;
    f.plan->lasting_peak_low_pct = s[pk].low_pct;
    f.plan->lasting_peak_high_pct = s[pk].high_pct;
    f.plan->lasting_peak_day = s[pk].day;
    f.plan->lasting_durability_days = f.plan->lasting_back_to_baseline_day = -1;
    f.plan->lasting_peak_median_pct = NAN; /* the fake curve has no people drawn: typical only */
    mn_test_text t = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_OK);
    assert_self_contained(t.data);
    mn_test_keep("report-projection.html", t.data, t.len); /* MN_PLOT_KEEP=DIR: a look */
    unsigned char *png = NULL;
    size_t n = embedded(t.data, "data:image/png;base64,", &png);
    assert_true(n > 1000);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_memory_equal(png, sig, 8);
    assert_memory_equal(png + 12, "IHDR", 4);
    assert_int_equal((png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19]),
                     MN_PLOT_DEFAULT_WIDTH);
    assert_int_equal((png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23]),
                     MN_PLOT_DEFAULT_HEIGHT);
    free(png);
    /* The plain-language answer and the summary card quote the plan's peak and its range. */
    char want[160];
    snprintf(want, sizeof want, "at <b>%.0f %%</b> (plausible range %.0f–%.0f %%)",
             s[pk].improvement_pct, s[pk].low_pct, s[pk].high_pct);
    assert_non_null(strstr(t.data, want));
    snprintf(want, sizeof want, "<b>%.0f %%</b><span>plausible range %.0f–%.0f %%",
             s[pk].improvement_pct, s[pk].low_pct, s[pk].high_pct);
    assert_non_null(strstr(t.data, want));
    assert_non_null(strstr(t.data, "not permanent"));
    free(t.data);
    /* With people drawn from the fit their median leads, card and answer, and a typical
     * person at the top of their range is called an upper figure. */
    f.plan->lasting_band_draws = 64;
    f.plan->lasting_peak_median_pct = 0.5 * (s[pk].low_pct + s[pk].high_pct);
    f.plan->lasting_peak_high_pct = s[pk].improvement_pct;
    t = (mn_test_text){0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_OK);
    snprintf(want, sizeof want, "<b>%.0f %%</b><span>median person; plausible range %.0f–%.0f %%",
             f.plan->lasting_peak_median_pct, s[pk].low_pct, s[pk].improvement_pct);
    assert_non_null(strstr(t.data, want));
    snprintf(want, sizeof want, "peak above <b>%.0f %%</b>", f.plan->lasting_peak_median_pct);
    assert_non_null(strstr(t.data, want));
    assert_non_null(strstr(t.data, "an upper figure, not the usual result"));
    free(t.data);
    f.plan->projection = own;
    f.plan->n_projection = own_n;
    f.plan->projection_peak = own_peak;
    f.plan->projection_below_target = own_below;
    f.plan->projection_baseline = own_base;
    f.plan->has_lasting = own_lasting.has_lasting;
    f.plan->lasting_peak_pct = own_lasting.lasting_peak_pct;
    f.plan->lasting_peak_low_pct = own_lasting.lasting_peak_low_pct;
    f.plan->lasting_peak_high_pct = own_lasting.lasting_peak_high_pct;
    f.plan->lasting_peak_day = own_lasting.lasting_peak_day;
    f.plan->lasting_durability_days = own_lasting.lasting_durability_days;
    f.plan->lasting_back_to_baseline_day = own_lasting.lasting_back_to_baseline_day;
    f.plan->lasting_peak_median_pct = own_lasting.lasting_peak_median_pct;
    f.plan->lasting_band_draws = own_lasting.lasting_band_draws;
    teardown_fixture(&f);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static char *slurp(const char *path)
{
    char *s = mn_test_read_file(path, NULL);
    assert_non_null(s);
    return s;
}

static void test_plan_plot_files(void **state)
{
    (void)state;
    fixture f;
    build(&f, client_json);
    char dir[] = "/tmp/mn_html_XXXXXX", p[256];
    assert_non_null(mkdtemp(dir));
    /* Without projection samples: the zone diagram only. */
    mn_projection_sample *own = f.plan->projection;
    int own_n = f.plan->n_projection;
    f.plan->n_projection = 0;
    assert_int_equal(mn_plan_plot(f.ctx, f.plan, dir), MN_OK);
    snprintf(p, sizeof p, "%s/projection.png", dir);
    assert_false(file_exists(p));
    snprintf(p, sizeof p, "%s/zones.svg", dir);
    char *svg = slurp(p);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, "</svg>"));
    int dots = 0;
    for (const char *q = strstr(svg, "data-zone=\""); q; q = strstr(q + 1, "data-zone=\""))
        dots++;
    /* cheek is drawn on both sides, forehead and abdomen once. */
    assert_int_equal(dots, 4);
    free(svg);

    mn_projection_sample s[NPROJ];
    fake_projection(s);
    f.plan->projection = s;
    f.plan->n_projection = NPROJ;
    assert_int_equal(mn_plan_plot(f.ctx, f.plan, dir), MN_OK);
    snprintf(p, sizeof p, "%s/projection.svg", dir);
    assert_true(file_exists(p));
    snprintf(p, sizeof p, "%s/projection.csv", dir);
    char *csv = slurp(p);
    /* Line rows are the projection samples, exactly and in order. */
    int lines = 0, markers = 0;
    char *save = NULL;
    for (char *l = strtok_r(csv, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int series, idx;
        double x, y, px, py;
        /* Series 0 is the plan's curve; other projected zones follow as series 1... */
        if (sscanf(l, "line,%d,%d,%lf,%lf,%lf,%lf", &series, &idx, &x, &y, &px, &py) == 6 &&
            series == 0) {
            assert_int_equal(idx, lines);
            assert_true(x == s[idx].day);
            assert_true(y == s[idx].improvement_pct);
            lines++;
        } else if (strncmp(l, "marker,", 7) == 0) {
            markers++;
        }
    }
    assert_int_equal(lines, NPROJ);
    assert_int_equal(markers, f.plan->n_sessions);
    free(csv);
    const char *names[] = {"zones.svg", "projection.png", "projection.svg", "projection.csv"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    /* A missing directory is the caller's error, named in the message. */
    snprintf(p, sizeof p, "%s/missing", dir);
    assert_int_equal(mn_plan_plot(f.ctx, f.plan, p), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(f.ctx), "missing"));
    rmdir(dir);
    f.plan->projection = own;
    f.plan->n_projection = own_n;
    teardown_fixture(&f);
}

static void test_declined_report(void **state)
{
    (void)state;
    fixture f;
    build(&f, declined_json);
    assert_int_equal(f.plan->n_sessions, 0);
    mn_test_text t = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_OK);
    assert_self_contained(t.data);
    assert_non_null(strstr(t.data, "no session is booked"));
    assert_non_null(strstr(t.data, "What to do next"));
    /* No treatment content: no depths, projection, cost, risks or aftercare sheet. */
    assert_null(strstr(t.data, "How long will it last"));
    assert_null(strstr(t.data, "Needle setting"));
    assert_null(strstr(t.data, "Aftercare sheet"));
    assert_null(strstr(t.data, "Cost</h2>"));
    assert_null(strstr(t.data, "Risks to know about"));
    assert_null(strstr(t.data, "data:image/png"));
    free(t.data);
    teardown_fixture(&f);
}

static int failing_write(void *ud, const char *buf, size_t len)
{
    (void)ud;
    (void)buf;
    (void)len;
    return -1;
}

static void test_report_errors(void **state)
{
    (void)state;
    fixture f;
    build(&f, client_json);
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, failing_write, NULL), MN_EIO);
    assert_int_equal(mn_plan_report_html(f.ctx, NULL, failing_write, NULL), MN_EINVAL);
    /* A projection with a NaN cannot reach the page. */
    mn_projection_sample s[NPROJ];
    fake_projection(s);
    s[5].improvement_pct = NAN;
    mn_projection_sample *own = f.plan->projection;
    int own_n = f.plan->n_projection;
    f.plan->projection = s;
    f.plan->n_projection = NPROJ;
    mn_test_text t = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_ENUMERIC);
    assert_null(t.data);
    f.plan->projection = own;
    f.plan->n_projection = own_n;
    teardown_fixture(&f);
}

static void test_report_save(void **state)
{
    (void)state;
    fixture f;
    build(&f, client_json);
    char dir[] = "/tmp/mn_save_XXXXXX", p[256];
    assert_non_null(mkdtemp(dir));
    snprintf(p, sizeof p, "%s/r.txt", dir);
    assert_int_equal(mn_plan_report_save(f.ctx, f.plan, p), MN_EINVAL);
    assert_false(file_exists(p));
    snprintf(p, sizeof p, "%s/r.HTML", dir);
    assert_int_equal(mn_plan_report_save(f.ctx, f.plan, p), MN_OK);
    char *h = slurp(p);
    mn_test_text t = {0};
    assert_int_equal(mn_plan_report_html(f.ctx, f.plan, mn_test_text_write, &t), MN_OK);
    assert_string_equal(h, t.data); /* the file is the page, byte for byte */
    free(h);
    free(t.data);
    unlink(p);
    /* PDF without weasyprint on PATH: MN_EUNSUPPORTED, a message saying how to get it, and no
     * file (tests/cli/report_pdf.sh checks a real PDF when weasyprint is installed). */
    const char *path_env = getenv("PATH");
    char *saved = path_env ? strdup(path_env) : NULL;
    setenv("PATH", "/nonexistent", 1);
    snprintf(p, sizeof p, "%s/r.pdf", dir);
    mn_status st = mn_plan_report_save(f.ctx, f.plan, p);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    assert_int_equal(st, MN_EUNSUPPORTED);
    assert_non_null(strstr(mn_ctx_errmsg(f.ctx), "weasyprint"));
    assert_false(file_exists(p));
    assert_int_equal(rmdir(dir), 0); /* no temporary file left behind either way */
    teardown_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_sections_and_escaping),
        cmocka_unit_test(test_report_with_projection),
        cmocka_unit_test(test_plan_plot_files),
        cmocka_unit_test(test_declined_report),
        cmocka_unit_test(test_report_errors),
        cmocka_unit_test(test_report_save),
    };
    return mn_test_plots_done(cmocka_run_group_tests(tests, NULL, NULL));
}
