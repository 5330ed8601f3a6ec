/* Core: status codes, dates, atomic output, catalogue loading. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    /* A directory that does not exist is an I/O error with the path in the message. */
    assert_int_equal(mn_write_file_atomic(ctx, "/nonexistent-dir/x", "a", 1), MN_EIO);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_messages),
        cmocka_unit_test(test_dates_round_trip),
        cmocka_unit_test(test_dates_reject_bad),
        cmocka_unit_test(test_add_months_clamps),
        cmocka_unit_test(test_atomic_write_replaces_whole_file),
        cmocka_unit_test(test_catalogues_load),
        cmocka_unit_test(test_data_dir_override_errors),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
