/* Core: status codes, the normal quantile, quantiles of sorted values, dates, atomic output,
 * catalogue loading, the table of input ranges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/normal.h"
#include "core/quantile.h"
#include "data/ranges.h"
#include "mn_test.h"
#include "mneedle/mneedle.h"

static void test_status_messages(void **state)
{
    (void)state;
    assert_string_equal(mn_strerror(MN_OK), "success");
    assert_string_equal(mn_status_name(MN_ERANGE), "MN_ERANGE");
    assert_string_equal(mn_strerror((mn_status)-999), "unknown status");
    assert_true(mn_status_is_input_error(MN_EPARSE));
    assert_true(mn_status_is_input_error(MN_ENOTFOUND));
    assert_false(mn_status_is_input_error(MN_ENOMEM));
    assert_false(mn_status_is_input_error(MN_ENOCONV));
}

/* The normal quantile inverts the normal CDF (from erfc) to ~1e-13 across the central form,
 * both tails and their break points (0.02425), is odd about 1/2 (where 1 - u is exact enough to
 * tell), and gives the two-sided 5 % and 1 % points of every table of the normal distribution
 * (1.959963985, 2.575829304). */
static void test_normal_quantile(void **state)
{
    (void)state;
    const double u[] = {1e-300, 1e-12, 1e-6, 0.001, 0.02,   0.02425, 0.0243, 0.1,     0.3,
                        0.5,    0.7,   0.9,  0.975, 0.9757, 0.98,    0.999,  1 - 1e-9};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        double z = mn__normal_quantile(u[i]);
        double back = 0.5 * erfc(-z / sqrt(2.0));
        assert_close(back, u[i], 1e-13, 0);
        if (u[i] >= 1e-6 && u[i] <= 1 - 1e-6)
            assert_close(mn__normal_quantile(1 - u[i]), -z, 1e-9, 1e-15);
    }
    assert_true(mn__normal_quantile(0.5) == 0.0);
    assert_close(mn__normal_quantile(0.975), 1.959963985, 1e-9, 0);
    assert_close(mn__normal_quantile(0.995), 2.575829304, 1e-9, 0);
    assert_true(isinf(mn__normal_quantile(0)) && mn__normal_quantile(0) < 0);
    assert_true(isinf(mn__normal_quantile(1)) && mn__normal_quantile(1) > 0);
}

/* Sorting and quantiles of sorted values: the comparison sorts ascending with the infinities
 * at the ends; a quantile is linear between the order statistics at q (n - 1) (the median of
 * 1..4 is 2.5, the 10th percentile of 0..10 is 1), gives the ends at q = 0 and 1 and the one
 * value of a single draw, and an infinite neighbour with a positive weight gives infinity. */
static void test_quantile_sorted(void **state)
{
    (void)state;
    double v[] = {3, -INFINITY, 1, 4, INFINITY, 2, 1};
    qsort(v, sizeof v / sizeof v[0], sizeof(double), mn__cmp_double);
    const double sorted[] = {-INFINITY, 1, 1, 2, 3, 4, INFINITY};
    assert_memory_equal(v, sorted, sizeof v);
    const double a[] = {1, 2, 3, 4};
    assert_true(mn__quantile_sorted(a, 4, 0) == 1);
    assert_true(mn__quantile_sorted(a, 4, 1) == 4);
    assert_true(mn__quantile_sorted(a, 4, 0.5) == 2.5);
    assert_close(mn__quantile_sorted(a, 4, 0.9), 3.7, 1e-15, 0);
    double t[11];
    for (int i = 0; i < 11; i++)
        t[i] = i;
    assert_close(mn__quantile_sorted(t, 11, 0.1), 1, 1e-15, 0);
    assert_close(mn__quantile_sorted(t, 11, 0.25), 2.5, 1e-15, 0);
    const double one = 7;
    assert_true(mn__quantile_sorted(&one, 1, 0.3) == 7);
    const double tail[] = {1, 2, INFINITY};
    assert_true(isinf(mn__quantile_sorted(tail, 3, 0.75)));
    assert_true(mn__quantile_sorted(tail, 3, 0.25) == 1.5);
}

static void test_dates_round_trip(void **state)
{
    (void)state;
    /* Every day from 1900 to 2999 converts to parts and back, and consecutive days differ by
     * one: this covers every month length and leap rule. */
    mn_date d0, d1;
    assert_int_equal(mn_date_from_ymd(1900, 1, 1, &d0), MN_OK);
    assert_int_equal(mn_date_from_ymd(2999, 12, 31, &d1), MN_OK);
    int y, m, d;
    for (mn_date t = d0; t <= d1; t++) {
        mn_date back;
        mn_date_to_ymd(t, &y, &m, &d);
        assert_int_equal(mn_date_from_ymd(y, m, d, &back), MN_OK);
        assert_int_equal(back, t);
    }
    mn_date epoch;
    assert_int_equal(mn_date_parse("1970-01-01", &epoch), MN_OK);
    assert_int_equal(epoch, 0);
    assert_int_equal(mn_date_weekday(epoch), 3); /* Thursday */
    mn_date x;
    assert_int_equal(mn_date_parse("2026-11-22", &x), MN_OK);
    assert_int_equal(mn_date_weekday(x), 6); /* Sunday */
    char buf[11];
    assert_string_equal(mn_date_format(x, buf), "2026-11-22");
}

static void test_dates_reject_bad(void **state)
{
    (void)state;
    mn_date x;
    const char *bad[] = {"2025-02-29",  "2024-13-01", "2024-00-10", "2024-04-31",
                         "24-01-01",    "2024/01/01", "2024-1-01",  "",
                         "2024-01-01x", "abcd-ef-gh", "1899-12-31", "3000-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(mn_date_parse(bad[i], &x), MN_OK);
    assert_int_equal(mn_date_parse("2024-02-29", &x), MN_OK);
    /* A real date outside the supported years is out of range, not malformed: the readers
     * say which (src/core/json_in.c). */
    assert_int_equal(mn_date_parse("1800-01-01", &x), MN_ERANGE);
    assert_int_equal(mn_date_parse("1899-12-31", &x), MN_ERANGE);
    assert_int_equal(mn_date_parse("3000-01-01", &x), MN_ERANGE);
    assert_int_equal(mn_date_parse("1896-02-29", &x), MN_ERANGE); /* a leap year */
    assert_int_equal(mn_date_parse("1899-02-29", &x), MN_EPARSE); /* no such day */
    assert_int_equal(mn_date_parse("2025-02-29", &x), MN_EPARSE);
    assert_int_equal(mn_date_parse("1900-01-01", &x), MN_OK);
    assert_int_equal(mn_date_parse("2999-12-31", &x), MN_OK);
}

static void test_add_months_clamps(void **state)
{
    (void)state;
    mn_date a, want;
    mn_date_parse("2025-01-31", &a);
    mn_date_parse("2025-02-28", &want);
    assert_int_equal(mn_date_add_months(a, 1), want);
    mn_date_parse("2026-01-31", &want);
    assert_int_equal(mn_date_add_months(a, 12), want);
}

static void test_atomic_write_replaces_whole_file(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    char dir[] = "/tmp/mn-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    assert_int_equal(mn_write_file_atomic(ctx, path, "old\n", 4), MN_OK);
    /* An aborted write leaves the old content and no temporary file behind. */
    mn_outfile *f;
    assert_int_equal(mn_outfile_open(ctx, path, &f), MN_OK);
    mn_outfile_writer(f, "partial", 7);
    mn_outfile_abort(f);
    FILE *fp = fopen(path, "r");
    char buf[16] = "";
    assert_non_null(fp);
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "old\n");
    assert_int_equal(mn_write_file_atomic(ctx, path, "new\n", 4), MN_OK);
    /* Permissions follow the umask like fopen(), not mkstemp's 0600. */
    struct stat sb;
    mode_t mask = umask(022);
    assert_int_equal(mn_write_file_atomic(ctx, path, "new\n", 4), MN_OK);
    umask(mask);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    fp = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "new\n");
    /* A directory that does not exist is a wrong name (MN_EINVAL, exit 2), with the path in the
     * message. */
    assert_int_equal(mn_write_file_atomic(ctx, "/nonexistent-dir/x", "a", 1), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "/nonexistent-dir/x"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    mn_ctx_free(ctx);
}

static void test_catalogues_load(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    /* The contract names of DESIGN §4 all resolve. */
    const char *zones[] = {"forehead", "glabella", "periorbital", "nose",    "cheek",
                           "perioral", "chin",     "jawline",     "neck",    "decolletage",
                           "scalp",    "abdomen",  "thigh",       "buttock", "upper-arm",
                           "back",     "hand"};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        assert_non_null(mn_catalog_find_site(cat, zones[i]));
    const char *concerns[] = {
        "fine-lines-wrinkles", "acne-scars",        "ice-pick-scars", "surgical-scars",
        "stretch-marks",       "hyperpigmentation", "melasma",        "large-pores",
        "texture-tone",        "skin-laxity",       "hair-loss"};
    for (size_t i = 0; i < sizeof concerns / sizeof concerns[0]; i++)
        assert_non_null(mn_catalog_find_concern(cat, concerns[i]));
    const char *devices[] = {"skinpen",         "dermapen-4",      "exceed",
                             "dermaroller-192", "dermaroller-540", "home-roller"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        assert_non_null(mn_catalog_find_device(cat, devices[i]));
    /* Aliases and spelling variants. */
    assert_ptr_equal(mn_catalog_find_site(cat, "Upper_Arm"),
                     mn_catalog_find_site(cat, "upper-arm"));
    assert_ptr_equal(mn_catalog_find_concern(cat, "striae"),
                     mn_catalog_find_concern(cat, "stretch-marks"));
    assert_null(mn_catalog_find_site(cat, "elbow"));
    assert_null(mn_catalog_find_device(cat, "none"));
    /* Every entry has a source. */
    for (size_t i = 0; i < mn_catalog_site_count(cat); i++)
        assert_true(strlen(mn_catalog_site_at(cat, i)->source) > 10);
    for (size_t i = 0; i < mn_catalog_device_count(cat); i++)
        assert_true(strlen(mn_catalog_device_at(cat, i)->source) > 10);
    mn_ctx_free(ctx);
}

static void test_data_dir_override_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/mn-data-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/devices.json", dir);
    FILE *fp = fopen(path, "w");
    fputs("{\"devices\": [{\"id\": \"x\"}]}", fp);
    fclose(fp);
    mn_ctx *ctx = NULL;
    char err[1024];
    mn_status st = mn_ctx_create_with_data(&ctx, dir, err, sizeof err);
    assert_true(mn_status_is_input_error(st));
    assert_null(ctx);
    assert_non_null(strstr(err, "devices.json"));
    assert_non_null(strstr(err, "$.devices[0]"));
    unlink(path);
    /* An empty directory falls back to the embedded catalogues. */
    assert_int_equal(mn_ctx_create_with_data(&ctx, dir, err, sizeof err), MN_OK);
    mn_ctx_free(ctx);
    rmdir(dir);
}

static void test_input_ranges_complete(void **state)
{
    (void)state;
    /* Every quantity has a row (a row left out of the designated initialiser would be all
     * zeros), a source, and a range that admits something. */
    for (int q = 0; q < MN__IN_COUNT; q++) {
        const mn__input_range *r = &mn__input_ranges[q];
        assert_non_null(r->name);
        assert_non_null(r->source);
        assert_true(strlen(r->source) > 0);
        assert_true(r->lo < r->hi);
    }
    /* Every embedded device's depths lie inside both needle ranges, so a needle length is
     * refused against the chosen device (the message a user can act on), and every device
     * can be used in absorb. */
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    const mn__input_range *any = &mn__input_ranges[MN__IN_NEEDLE_MM];
    const mn__input_range *tr = &mn__input_ranges[MN__IN_NEEDLE_MM_TRANSPORT];
    const mn_device *d;
    int n = 0;
    for (size_t i = 0; (d = mn_catalog_device_at(mn_ctx_catalog(ctx), i)) != NULL; i++, n++) {
        assert_true(d->depth_min_mm >= any->lo && d->depth_max_mm <= any->hi);
        assert_true(d->depth_min_mm >= tr->lo && d->depth_max_mm <= tr->hi);
    }
    assert_true(n > 0);
    mn_ctx_free(ctx);
}

static void test_input_range_reader(void **state)
{
    (void)state;
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn__jin in = {ctx, "t.json"};
    json_t *obj = json_pack("{s:f, s:f, s:i}", "passes", 30.0, "too_many", 30.5, "fitz", 7);
    assert_non_null(obj);
    double x = 0;
    long k = 0;
    int here = 0;
    assert_int_equal(mn__jnum_in(&in, obj, "$", "passes", 1, MN__IN_PASSES, &x, &here), MN_OK);
    assert_true(here);
    assert_true(x == 30.0);
    assert_int_equal(mn__jnum_in(&in, obj, "$", "too_many", 1, MN__IN_PASSES, &x, NULL), MN_ERANGE);
    assert_string_equal(mn_ctx_errmsg(ctx),
                        "t.json: $.too_many: 30.5 is out of range; expected 0.1 to 30");
    assert_int_equal(mn__jint_in(&in, obj, "$", "fitz", 1, MN__IN_FITZPATRICK, &k, NULL),
                     MN_ERANGE);
    assert_int_equal(mn__jnum_in(&in, obj, "$", "absent", 0, MN__IN_SEED, &x, &here), MN_OK);
    assert_false(here);
    json_decref(obj);
    mn_ctx_free(ctx);
}

static void test_absorb_needle_within_device(void **state)
{
    (void)state;
    /* absorb checks the needle against the device, as simulate and cohort do: the home
     * roller reaches 0.5 mm, so 1 mm is refused although the transport model covers it. */
    char path[] = "/tmp/mn-absorb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"site\": \"cheek\", \"device\": \"home-roller\", \"needle_mm\": 1, "
                       "\"passes\": 2, \"product\": {\"name\": \"caffeine\"}}";
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    mn_ctx *ctx = NULL;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    mn_absorb_scenario s;
    assert_int_equal(mn_absorb_scenario_load(ctx, path, &s), MN_ERANGE);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "$.needle_mm: 1 mm is outside home-roller's range"));
    mn_absorb_scenario_release(&s);
    unlink(path);
    mn_ctx_free(ctx);
}

/* mn__buf_textf formats as printf does, except that each %s argument is shown escaped: its
 * width pads the escaped text, its precision cuts the string before escaping. */
static void test_text_printf_escapes_strings(void **state)
{
    (void)state;
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "[%-8s|%8s] %5.1f%% %d %ld %lld %zu %u %x %c %g %.*s|%s\n", "a\nb", "c",
                  58.449, -3, 70000L, 1LL << 40, (size_t)7, 9u, 255u, 'z', 0.25, 3, "ab\x1b[31m",
                  "\xe2\x80\xae\xff");
    assert_int_equal(mn__buf_status(&b), MN_OK);
    char want[256];
    snprintf(want, sizeof want, "[%-8s|%8s] %5.1f%% %d %ld %lld %zu %u %x %c %g %s|%s\n",
             "a<U+000A>b", "c", 58.449, -3, 70000L, 1LL << 40, (size_t)7, 9u, 255u, 'z', 0.25,
             "ab<U+001B>", "<U+202E><byte 0xFF>");
    assert_string_equal(b.data, want);
    /* Plain text, longer than the formatter's small buffer, passes unchanged. */
    mn__buf_release(&b);
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mn__buf_textf(&b, "%s%*s|", big, -3, "y");
    assert_int_equal(b.len, sizeof big - 1 + 4);
    assert_string_equal(b.data + sizeof big - 1, "y  |");
    mn__buf_release(&b);
}

/* MN__ESC_BYTES names only the bytes that are not UTF-8 and keeps every character, controls
 * and overrides included (a CSV cell); escaping text already escaped changes nothing, so a
 * string built from escaped parts may be printed through mn__buf_textf again. */
static void test_escape_modes(void **state)
{
    (void)state;
    const char *s = "a\x1b[31m\xe2\x80\xae\xff\n\xc2\xa0z";
    char out[128], again[128];
    size_t len = strlen(s);
    assert_int_equal(mn__escape(out, sizeof out, s, len, MN__ESC_BYTES),
                     strlen("a\x1b[31m\xe2\x80\xae<byte 0xFF>\n\xc2\xa0z"));
    assert_string_equal(out, "a\x1b[31m\xe2\x80\xae<byte 0xFF>\n\xc2\xa0z");
    mn__escape(out, sizeof out, s, len, MN__ESC_TEXT);
    assert_string_equal(out, "a<U+001B>[31m<U+202E><byte 0xFF><U+000A>\xc2\xa0z");
    mn__escape(again, sizeof again, out, strlen(out), MN__ESC_TEXT);
    assert_string_equal(again, out);
    /* Plain text is its own escape in every mode. */
    const char *plain = "caf\xc3\xa9 1,2";
    for (int mode = MN__ESC_TEXT; mode <= MN__ESC_BYTES; mode++)
        assert_int_equal(mn__escape(NULL, 0, plain, strlen(plain), mode), strlen(plain));
}

/* A name from the input in a message: whole up to MN__NAME_SHOWN_MAX bytes, else cut at a
 * whole character (a byte that is not UTF-8 counting as one) and marked "...". */
static void test_name_shown(void **state)
{
    (void)state;
    char shown[MN__NAME_SHOWN_SIZE], name[3 * MN__NAME_SHOWN_MAX];
    assert_string_equal(mn__name_shown(shown, "zone"), "zone");
    memset(name, 'x', MN__NAME_SHOWN_MAX);
    name[MN__NAME_SHOWN_MAX] = '\0';
    assert_string_equal(mn__name_shown(shown, name), name); /* at the limit: whole */
    strcat(name, "y");
    mn__name_shown(shown, name);
    assert_int_equal(strlen(shown), MN__NAME_SHOWN_MAX + 3);
    assert_memory_equal(shown, name, MN__NAME_SHOWN_MAX);
    assert_string_equal(shown + MN__NAME_SHOWN_MAX, "...");
    /* One byte short of the limit, then a two-byte character: cut before it. */
    memset(name, 'x', MN__NAME_SHOWN_MAX - 1);
    strcpy(name + MN__NAME_SHOWN_MAX - 1, "\xc3\xa9tail");
    mn__name_shown(shown, name);
    assert_int_equal(strlen(shown), MN__NAME_SHOWN_MAX - 1 + 3);
    assert_string_equal(shown + MN__NAME_SHOWN_MAX - 1, "...");
    /* A byte that is not UTF-8 is one character. */
    memset(name, '\xff', MN__NAME_SHOWN_MAX + 5);
    name[MN__NAME_SHOWN_MAX + 5] = '\0';
    mn__name_shown(shown, name);
    assert_int_equal(strlen(shown), MN__NAME_SHOWN_MAX + 3);
}

/* A message longer than the context holds ends with a visible "...", never cut silently. */
static void test_error_cut_visibly(void **state)
{
    (void)state;
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    char *name = malloc(4000);
    assert_non_null(name);
    memset(name, 'q', 3999);
    name[3999] = '\0';
    mn__error(ctx, MN_EPARSE, "f.csv:2: %s: expected something", name);
    const char *m = mn_ctx_errmsg(ctx);
    assert_true(strncmp(m, "f.csv:2: qqq", 12) == 0);
    assert_string_equal(m + strlen(m) - 3, "...");
    /* Cut by escaping (each control named as 8 bytes): marked too. */
    memset(name, '\x01', 1000);
    name[1000] = '\0';
    mn__error(ctx, MN_EPARSE, "f.csv:2: %s", name);
    m = mn_ctx_errmsg(ctx);
    assert_string_equal(m + strlen(m) - 3, "...");
    /* A message that fits is as written. */
    mn__error(ctx, MN_EPARSE, "f.csv:2: short");
    assert_string_equal(mn_ctx_errmsg(ctx), "f.csv:2: short");
    free(name);
    mn_ctx_free(ctx);
}

/* A warning longer than its fields hold is cut as an error is: after a whole UTF-8 character,
 * ending with a visible "...", never silently (mn_warning's message, src and path). */
static void test_warning_cut_visibly(void **state)
{
    (void)state;
    static mn_warnings w; /* 8 warnings of about 700 bytes: not on the stack */
    memset(&w, 0, sizeof w);
    char text[2 * sizeof w.items[0].message + 2], src[2 * sizeof w.items[0].src];
    /* Two-byte characters, and one byte before them, so that either cut point falls inside a
     * character: the first of a pair, or the second. */
    for (int lead = 0; lead < 2; lead++) {
        size_t at = 0;
        if (lead)
            text[at++] = 'x';
        while (at + 2 < sizeof text) {
            memcpy(text + at, "\xc3\xa9", 2);
            at += 2;
        }
        text[at] = '\0';
        mn__warn(&w, "code", "f.json", "$.x", "%s", text);
        const char *m = w.items[w.n - 1].message;
        assert_true(strlen(m) < sizeof w.items[0].message);
        assert_true(strlen(m) > sizeof w.items[0].message / 2);
        assert_string_equal(m + strlen(m) - 3, "...");
        assert_true(mn__utf8_valid(m, strlen(m)));
        assert_memory_equal(m, text, strlen(m) - 3);
    }
    /* Cut by escaping (each control named as 8 bytes): marked too. */
    memset(text, '\x01', sizeof w.items[0].message / 2);
    text[sizeof w.items[0].message / 2] = '\0';
    mn__warn(&w, "code", "f.json", "$.x", "%s", text);
    const char *m = w.items[w.n - 1].message;
    assert_true(strncmp(m, "<U+0001>", 8) == 0);
    assert_string_equal(m + strlen(m) - 3, "...");
    /* A file name and a path longer than their fields: their ends marked the same way. */
    memset(src, 's', sizeof src - 1);
    src[sizeof src - 1] = '\0';
    mn__warn(&w, "code", src, src, "short");
    const mn_warning *it = &w.items[w.n - 1];
    assert_int_equal(strlen(it->src), sizeof it->src - 1);
    assert_string_equal(it->src + strlen(it->src) - 3, "...");
    assert_int_equal(strlen(it->path), sizeof it->path - 1);
    assert_string_equal(it->path + strlen(it->path) - 3, "...");
    assert_string_equal(it->message, "short");
    /* A warning that fits is as written. */
    mn__warn(&w, "code", "f.json", "$.sessions[2].day", "day %d is close", 35);
    it = &w.items[w.n - 1];
    assert_string_equal(it->src, "f.json");
    assert_string_equal(it->path, "$.sessions[2].day");
    assert_string_equal(it->message, "day 35 is close");
    assert_int_equal(w.dropped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_messages),
        cmocka_unit_test(test_text_printf_escapes_strings),
        cmocka_unit_test(test_escape_modes),
        cmocka_unit_test(test_name_shown),
        cmocka_unit_test(test_error_cut_visibly),
        cmocka_unit_test(test_warning_cut_visibly),
        cmocka_unit_test(test_dates_round_trip),
        cmocka_unit_test(test_dates_reject_bad),
        cmocka_unit_test(test_add_months_clamps),
        cmocka_unit_test(test_atomic_write_replaces_whole_file),
        cmocka_unit_test(test_catalogues_load),
        cmocka_unit_test(test_data_dir_override_errors),
        cmocka_unit_test(test_input_ranges_complete),
        cmocka_unit_test(test_input_range_reader),
        cmocka_unit_test(test_absorb_needle_within_device),
        cmocka_unit_test(test_normal_quantile),
        cmocka_unit_test(test_quantile_sorted),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
