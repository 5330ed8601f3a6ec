/* Client parsing, screening dates and the plan's JSON contract (DESIGN §4). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clinic/plan_internal.h"
#include "mn_test.h"
#include "mneedle/mneedle.h"

MN_TEST_CONTEXT_FIXTURE

static const char *client_json(const char *history, const char *concerns, const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"client\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"
             " \"concerns\": %s, \"history\": {%s},"
             " \"clinic\": {\"device\": \"skinpen\", \"price_per_session\": 300,"
             " \"currency\": \"GBP\", \"start\": \"2027-03-01\"%s}}",
             concerns, history, extra);
    return buf;
}

#define WRINKLES "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\", \"forehead\"]}]"

static void test_parse_ok_and_aliases(void **state)
{
    (void)state;
    mn_client c;
    const char *t =
        client_json("\"anticoagulants\": true, \"isotretinoin_months_ago\": null", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_string_equal(c.concerns[0].concern->id, "fine-lines-wrinkles");
    assert_int_equal(c.concerns[0].n_zones, 2);
    assert_int_equal(c.concerns[0].grade, MN_SEVERITY_MODERATE);
    assert_true(c.history_set[MN_HISTORY_ANTICOAGULANTS]);
    assert_false(c.history_set[MN_HISTORY_ISOTRETINOIN_MONTHS_AGO]);
    assert_string_equal(c.device->id, "skinpen");
}

static void test_parse_errors_name_the_place(void **state)
{
    (void)state;
    struct {
        const char *history, *concerns, *want;
        mn_status st;
    } cases[] = {
        {"", "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\", 3]}]",
         "t.json: $.concerns[0].zones[1]: expected a zone name, got a number", MN_ETYPE},
        {"", "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\"], \"severity\": \"awful\"}]",
         "t.json: $.concerns[0].severity: unknown value \"awful\"", MN_ENOTFOUND},
        {"", "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\"], \"severity\": 4}]",
         "$.concerns[0].severity: 4 is out of range", MN_ERANGE},
        {"", "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\", \"cheek\"]}]",
         "zone \"cheek\" is listed twice", MN_ERANGE},
        {"",
         "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\"]}, {\"concern\": "
         "\"fine-lines-wrinkles\", \"zones\": [\"neck\"]}]",
         "is listed twice", MN_ERANGE},
        {"\"radiotherapy_months_ago\": true", WRINKLES,
         "$.history.radiotherapy_months_ago: expected a number", MN_ETYPE},
        {"", "{\"concern\": \"wrinkles\"}", "$.concerns: expected an array", MN_ETYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mn_client c;
        const char *t = client_json(cases[i].history, cases[i].concerns, "");
        mn_status st = mn_client_parse(ctx, "t.json", t, strlen(t), &c);
        if (st != cases[i].st || !strstr(mn_ctx_errmsg(ctx), cases[i].want))
            fail_msg("case %zu: status %s, message \"%s\"; wanted %s and \"%s\"", i,
                     mn_status_name(st), mn_ctx_errmsg(ctx), mn_status_name(cases[i].st),
                     cases[i].want);
        assert_true(mn_status_is_input_error(st));
    }
}

static void test_defer_dates(void **state)
{
    (void)state;
    struct {
        const char *history;
        const char *until;
    } cases[] = {
        {"\"isotretinoin_months_ago\": 2", "2027-07-01"},     /* 6 - 2 = 4 months */
        {"\"isotretinoin_months_ago\": 5.5", "2027-04-01"},   /* 0.5 left, rounded up */
        {"\"radiotherapy_months_ago\": 3", "2027-12-01"},     /* 12 - 3 = 9 months */
        {"\"filler_or_threads_weeks_ago\": 1", "2027-03-08"}, /* 1 week left */
        {"\"botulinum_toxin_weeks_ago\": 0.5", "2027-03-12"}, /* 1.5 weeks: 10.5 days up */
        {"\"recent_sunburn_or_tan\": true", "2027-03-15"},    /* 14 days */
        {"\"isotretinoin_months_ago\": 2, \"radiotherapy_months_ago\": 3", "2027-12-01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mn_client c;
        mn_screening s;
        const char *t = client_json(cases[i].history, WRINKLES, "");
        assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
        assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
        assert_int_equal(s.decision, MN_DECISION_DEFER);
        assert_true(s.has_rescreen);
        char buf[11];
        assert_string_equal(mn_date_format(s.rescreen, buf), cases[i].until);
    }
    /* Isotretinoin stopped 6 months ago or more: no finding at all. */
    mn_client c;
    mn_screening s;
    const char *t = client_json("\"isotretinoin_months_ago\": 6", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
    assert_int_equal(s.decision, MN_DECISION_PROCEED);
    /* A deferral with no known date (pregnancy) leaves the date unknown even beside one
     * that has a date. */
    t = client_json("\"pregnant\": true, \"isotretinoin_months_ago\": 1", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
    assert_false(s.has_rescreen);
}

/* Diabetes: uncontrolled defers with no date (until a doctor confirms control); controlled is
 * a caution that still plans sessions (docs/screening.md). */
static void test_diabetes_control(void **state)
{
    (void)state;
    mn_client c;
    mn_screening s;
    const char *t = client_json("\"controlled_diabetes\": true", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
    assert_int_equal(s.decision, MN_DECISION_CAUTION);
    assert_int_equal(s.n_findings, 1);
    assert_string_equal(s.findings[0].code, "MN-DIABETES-CONTROLLED");
    mn_plan *p = NULL;
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    assert_true(p->n_sessions > 0);
    mn_plan_free(p);
    t = client_json("\"uncontrolled_diabetes\": true", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
    assert_int_equal(s.decision, MN_DECISION_DEFER);
    assert_false(s.has_rescreen);
}

/* Months and weeks ago count from the day the history was taken (history.date, else the day
 * the plan is prepared), so the re-screen date does not move with the planned start; a drug
 * still taken (0 months ago) has no date at all (docs/screening.md). */
static void test_defer_dates_anchor(void **state)
{
    (void)state;
    char buf[11];
    mn_client c;
    mn_screening s;
    const char *t =
        client_json("\"date\": \"2026-12-01\", \"isotretinoin_months_ago\": 2, "
                    "\"recent_sunburn_or_tan\": true, \"filler_or_threads_weeks_ago\": 1",
                    WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_true(c.has_history_date);
    for (int k = 0; k < 2; k++) {
        mn_date_from_ymd(k ? 2027 : 2026, k ? 6 : 12, k ? 1 : 10, &c.start);
        assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
        assert_true(s.has_rescreen);
        assert_string_equal(mn_date_format(s.rescreen, buf), "2027-04-01");
        for (int i = 0; i < s.n_findings; i++)
            if (!strcmp(s.findings[i].code, "MN-SUNBURN"))
                assert_string_equal(mn_date_format(s.findings[i].until, buf), "2026-12-15");
            else if (!strcmp(s.findings[i].code, "MN-FILLER"))
                assert_string_equal(mn_date_format(s.findings[i].until, buf), "2026-12-08");
    }
    /* Without history.date, a plan counts from the day it is prepared, whatever its start. */
    t = client_json("\"isotretinoin_months_ago\": 2", WRINKLES, "");
    mn_plan_options o;
    mn_plan_options_init(&o);
    o.band_draws = -1;
    o.has_prepared = 1;
    mn_date_from_ymd(2026, 11, 1, &o.prepared);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
        mn_date_from_ymd(2026 + k, k ? 3 : 12, k ? 1 : 10, &c.start);
        mn_plan *p = NULL;
        assert_int_equal(mn_plan_build(ctx, &c, &o, &p), MN_OK);
        assert_true(p->screening.has_rescreen);
        assert_string_equal(mn_date_format(p->screening.rescreen, buf), "2027-03-01");
        mn_plan_free(p);
    }
    /* Still taking it, or radiotherapy still going on: deferred, with no date. */
    const char *ongoing[] = {"\"isotretinoin_months_ago\": 0", "\"radiotherapy_months_ago\": 0"};
    for (int k = 0; k < 2; k++) {
        t = client_json(ongoing[k], WRINKLES, "");
        assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
        assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
        assert_int_equal(s.decision, MN_DECISION_DEFER);
        assert_false(s.has_rescreen);
        assert_false(s.findings[0].has_until);
        assert_true(s.findings[0].ongoing);
    }
    /* A filler given this week is an event, not a course: its date is known. */
    t = client_json("\"filler_or_threads_weeks_ago\": 0", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
    assert_true(s.has_rescreen);
}

static void test_plan_json_contract(void **state)
{
    (void)state;
    mn_client c;
    const char *t = client_json("", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    mn_plan *p;
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    mn_test_text out = {0};
    assert_int_equal(mn_plan_write(ctx, p, 1, mn_test_text_write, &out), MN_OK);
    json_error_t err;
    json_t *root = json_loads(out.data, 0, &err);
    assert_non_null(root);
    const char *paths[] = {"screening", "zones", "sessions", "aftercare", "cost", "projection"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_non_null(json_object_get(root, paths[i]));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(root, "screening"), "decision")),
        "proceed");
    json_t *z0 = json_array_get(json_object_get(root, "zones"), 0);
    assert_string_equal(json_string_value(json_object_get(z0, "zone")), "cheek");
    assert_string_equal(json_string_value(json_object_get(z0, "concern")), "fine-lines-wrinkles");
    json_t *depth = json_object_get(z0, "depth_mm");
    assert_true(json_is_number(json_object_get(depth, "min")));
    assert_true(json_is_number(json_object_get(depth, "max")));
    assert_true(json_is_number(json_object_get(depth, "start")));
    json_t *sessions = json_object_get(root, "sessions");
    /* Moderate wrinkles: the concern's default of 6 monthly sessions, then maintenance. */
    assert_int_equal(p->n_course_sessions, 6);
    json_t *s0 = json_array_get(sessions, 0);
    assert_int_equal(json_integer_value(json_object_get(s0, "number")), 1);
    assert_string_equal(json_string_value(json_object_get(s0, "date")), "2027-03-01");
    assert_string_equal(json_string_value(json_object_get(s0, "phase")), "course");
    json_t *last = json_array_get(sessions, json_array_size(sessions) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "phase")), "maintenance");
    json_t *cost = json_object_get(root, "cost");
    assert_close(json_number_value(json_object_get(cost, "per_session")), 300, 0, 1e-9);
    assert_close(json_number_value(json_object_get(cost, "course_total")), 1800, 0, 1e-9);
    assert_true(json_is_number(json_object_get(cost, "maintenance_per_year")));
    assert_string_equal(json_string_value(json_object_get(cost, "currency")), "GBP");
    json_t *proj = json_object_get(root, "projection");
    assert_true(json_is_array(json_object_get(proj, "samples")));
    assert_true(json_is_integer(json_object_get(proj, "maintenance_interval_days")));
    assert_true(json_array_size(json_object_get(root, "aftercare")) > 5);
    json_decref(root);
    free(out.data);
    mn_plan_free(p);
}

static void test_grade_sets_course_length(void **state)
{
    (void)state;
    const char *grades[] = {"mild", "moderate", "severe"};
    int want[] = {3, 6, 6}; /* fine-lines-wrinkles: sessions min 3, default 6, max 6 */
    for (int g = 0; g < 3; g++) {
        char concerns[256];
        snprintf(concerns, sizeof concerns,
                 "[{\"concern\": \"wrinkles\", \"zones\": [\"cheek\"], \"severity\": \"%s\"}]",
                 grades[g]);
        mn_client c;
        const char *t = client_json("", concerns, "");
        assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
        mn_plan *p;
        assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
        assert_int_equal(p->n_course_sessions, want[g]);
        mn_plan_free(p);
    }
}

static void test_home_device_refused(void **state)
{
    (void)state;
    mn_client c;
    const char *t = client_json("", "[{\"concern\": \"acne-scars\", \"zones\": [\"cheek\"]}]", "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    c.device = mn_catalog_find_device(mn_ctx_catalog(ctx), "home-roller");
    assert_int_equal(c.device->device_class, MN_DEVICE_HOME);
    mn_plan *p = (mn_plan *)&c; /* must be reset to NULL */
    /* A home device is not a clinic device: refused as bad input, naming file and place. */
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_EINVAL);
    assert_null(p);
    assert_true(mn_status_is_input_error(mn_ctx_errcode(ctx)));
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "t.json: $.clinic.device"));
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "home device, not a clinic device"));
    /* Screening still runs for it: home use is a screening question, not a planning one. */
    mn_screening s;
    assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
}

/* clinic.prices and clinic.course_price: read, and refused with the file and the place. */
static void test_prices_loader(void **state)
{
    (void)state;
    mn_client c;
    const char *t = client_json(
        "", WRINKLES,
        ", \"prices\": {\"cheek\": 150, \"face\": 200, \"body\": 90}, \"course_price\": 1000");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(c.n_prices, 1);
    assert_string_equal(c.prices[0].site->id, "cheek");
    assert_close(c.prices[0].price, 150, 0, 0);
    assert_true(c.has_face_price && c.has_body_price && c.has_course_price);
    assert_close(c.face_price, 200, 0, 0);
    assert_close(c.body_price, 90, 0, 0);
    assert_close(c.course_price, 1000, 0, 0);
    /* Absent: no prices, no package. */
    t = client_json("", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_true(c.n_prices == 0 && !c.has_face_price && !c.has_body_price && !c.has_course_price);

    struct {
        const char *extra, *want;
        mn_status st;
    } cases[] = {
        {", \"prices\": 5", "t.json: $.clinic.prices: expected an object", MN_ETYPE},
        {", \"prices\": {\"cheeks2\": 5}", "t.json: $.clinic.prices.cheeks2: unknown zone",
         MN_ENOTFOUND},
        {", \"prices\": {\"cheek\": \"ten\"}", "t.json: $.clinic.prices.cheek: expected a number",
         MN_ETYPE},
        {", \"prices\": {\"face\": -1}", "t.json: $.clinic.prices.face: -1 is out of range",
         MN_ERANGE},
        {", \"prices\": {\"cheek\": 1, \"cheeks\": 2}",
         "$.clinic.prices.cheeks: zone \"cheek\" is priced twice", MN_ERANGE},
        {", \"course_price\": -5", "t.json: $.clinic.course_price: -5 is out of range", MN_ERANGE},
        {", \"course_price\": true", "t.json: $.clinic.course_price: expected a number", MN_ETYPE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t = client_json("", WRINKLES, cases[i].extra);
        mn_status st = mn_client_parse(ctx, "t.json", t, strlen(t), &c);
        if (st != cases[i].st || !strstr(mn_ctx_errmsg(ctx), cases[i].want))
            fail_msg("case %zu: status %s, message \"%s\"; wanted %s and \"%s\"", i,
                     mn_status_name(st), mn_ctx_errmsg(ctx), mn_status_name(cases[i].st),
                     cases[i].want);
        assert_true(mn_status_is_input_error(st));
    }
    /* A treated zone left without any price (no zone, group or per-session price). */
    static char buf[1024];
    snprintf(
        buf, sizeof buf,
        "{\"client\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2}, \"concerns\": %s,"
        " \"clinic\": {\"prices\": {\"cheek\": 100}, \"start\": \"2027-03-01\"}}",
        WRINKLES);
    assert_int_equal(mn_client_parse(ctx, "t.json", buf, strlen(buf), &c), MN_ERANGE);
    assert_non_null(
        strstr(mn_ctx_errmsg(ctx), "t.json: $.clinic.prices: no price for the forehead"));
}

/* Zone and group prices and a course package: each visit costs what its zones cost, the
 * course what the package costs, and the totals are the sums over the visits booked. */
static void test_prices_in_plan(void **state)
{
    (void)state;
    mn_client c;
    const char *t = client_json("", WRINKLES, ", \"prices\": {\"cheek\": 150, \"face\": 200}");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    mn_plan *p = NULL;
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    double total = 0;
    for (int i = 0; i < p->n_sessions; i++) {
        assert_close(p->sessions[i].price, 150 + 200, 0, 1e-9); /* cheek + the rest of the face */
        total += p->sessions[i].price;
    }
    assert_close(p->horizon_total, total, 0, 1e-9);
    assert_close(p->maintenance_per_year, 350 * p->maintenance_visits_per_year, 0, 1e-6);
    mn_plan_free(p);
    t = client_json("", WRINKLES, ", \"course_price\": 1200");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    assert_close(p->course_total, 1200, 0, 1e-9);
    for (int i = 0; i < p->n_sessions; i++)
        assert_close(p->sessions[i].price,
                     p->sessions[i].phase == MN_PHASE_COURSE ? 1200.0 / p->n_course_sessions : 300,
                     0, 1e-9);
    mn_plan_free(p);
}

/* Every source key any catalogue names resolves to a full citation (data/references.json),
 * and the key reader finds the forms the catalogues use. */
static void test_references_resolve(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_reference *r[8];
    size_t unknown = 0, total = 0;
    assert_int_equal(
        mn_catalog_cite(cat, "F25, Harris 2015; seed articles 001, 004 and 002", r, 8, &unknown),
        4);
    assert_int_equal(unknown, 0);
    assert_string_equal(r[0]->key, "F25");
    assert_string_equal(r[1]->key, "seed 001");
    assert_string_equal(r[2]->key, "seed 004");
    assert_string_equal(r[3]->key, "seed 002");
    assert_int_equal(mn_catalog_cite(cat, "F25 and F25; seed 003; DESIGN 3.6", r, 8, &unknown), 2);
    assert_int_equal(mn_catalog_cite(cat, "F9999 (no such row); XF25; F25x2", r, 8, &unknown), 0);
    assert_int_equal(unknown, 1); /* F9999: named, not in the catalogue */
#define MN__ALL_SOURCES(kind)                                                                      \
    for (size_t i = 0; i < mn_catalog_##kind##_count(cat); i++) {                                  \
        const char *src = mn_catalog_##kind##_at(cat, i)->source;                                  \
        total += mn_catalog_cite(cat, src, NULL, 0, &unknown);                                     \
        if (unknown)                                                                               \
            print_message("unresolved source key in %s: %s\n", #kind, src);                        \
        assert_int_equal(unknown, 0);                                                              \
    }
    MN__ALL_SOURCES(device)
    MN__ALL_SOURCES(site)
    MN__ALL_SOURCES(concern)
    MN__ALL_SOURCES(product)
    MN__ALL_SOURCES(rule)
    MN__ALL_SOURCES(aftercare)
#undef MN__ALL_SOURCES
    assert_true(total > 40);
}

/* Builds @p concerns' plan and its text and report into @p text and @p html. */
static mn_plan *plan_with_outputs(const char *concerns, mn_test_text *text, mn_test_text *html)
{
    mn_client c;
    const char *t = client_json("", concerns, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    mn_plan *p;
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    assert_int_equal(mn_plan_write(ctx, p, 0, mn_test_text_write, text), MN_OK);
    assert_int_equal(mn_plan_report_html(ctx, p, mn_test_text_write, html), MN_OK);
    return p;
}

/* A maintenance interval raised to the shortest the plan books (hair loss: a 60-day default,
 * booked every 90 days) is said in the words of mn__plan_raised_text() in the projection's
 * note, the text plan's schedule and the report; an interval the model or the concerns'
 * usual one set gets none of them. */
static void test_raised_maintenance_words(void **state)
{
    (void)state;
    static const char *const concerns[] = {
        /* the model projects the wrinkles, not the hair loss, whose 90 days are shorter */
        "[{\"concern\": \"hair-loss\", \"zones\": [\"scalp\"]},"
        " {\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"neck\"], \"severity\": \"mild\"}]",
        /* nothing the model projects */
        "[{\"concern\": \"hair-loss\", \"zones\": [\"scalp\"]}]",
        /* the model sets the interval */
        WRINKLES};
    static const mn__raised_wording note[] = {MN__RAISED_NOTE_UNPROJECTED, MN__RAISED_NOTE,
                                              MN__RAISED_NOTE};
    for (int k = 0; k < 3; k++) {
        mn_test_text text = {0}, html = {0};
        mn_plan *p = plan_with_outputs(concerns[k], &text, &html);
        char words[256];
        int raised = k < 2;
        assert_int_equal(p->has_lasting, k != 1);
        assert_int_equal(mn__plan_maintenance_raised(p), raised);
        if (raised) {
            assert_int_equal(p->maintenance_interval_days, MN_MAINTENANCE_MIN_DAYS);
            assert_int_equal(p->maintenance_default_days, 60); /* data/concerns.json */
            assert_non_null(
                strstr(p->projection_note, mn__plan_raised_text(p, note[k], words, sizeof words)));
            assert_non_null(strstr(words, "60 days"));
            assert_non_null(strstr(
                text.data, mn__plan_raised_text(p, MN__RAISED_SCHEDULE, words, sizeof words)));
            /* The report's answer states the booked interval where a curve is shown; without
             * one it gives the note (escaped), never the concern's usual interval. */
            if (p->has_lasting)
                assert_non_null(strstr(
                    html.data, mn__plan_raised_text(p, MN__RAISED_REPORT, words, sizeof words)));
            assert_null(strstr(html.data, "the usual interval for this concern"));
        } else {
            assert_int_equal(p->maintenance_from_model, 1);
            for (int w = MN__RAISED_NOTE; w <= MN__RAISED_REPORT; w++)
                assert_string_equal(mn__plan_raised_text(p, (mn__raised_wording)w, words, 8), "");
            assert_null(strstr(text.data, "the shortest the plan books"));
            assert_null(strstr(html.data, "the shortest this plan books"));
        }
        free(text.data);
        free(html.data);
        mn_plan_free(p);
    }
}

/* The earliest start (plan --start earliest): the day the plan is prepared plus the longest
 * lead of the client's steps before the first visit (data/aftercare.json: for this client the
 * peel-and-laser step, whose wait is screening rule MN-PEEL-LASER's 4.3 weeks read as 31 whole
 * days), whatever the client's own start; the day itself for a
 * deferred client (no steps); refused without a preparation date. */
/* The PIH grade names every label a band reaches (clinic.h): a band inside one category gets
 * its label, one across a cut-off both, one across both cut-offs the two ends; the words say
 * "to" where the id has a hyphen. The dermatologist's pair, 0.99 % and 1.2 % with the law's
 * factor-of-two band, get one grade though their middles fall either side of 1 in 100. */
static void test_pih_grade(void **state)
{
    (void)state;
    assert_string_equal(mn_plan_pih_grade(0.001, 0.004), "low");
    assert_string_equal(mn_plan_pih_grade(0.02, 0.08), "moderate");
    assert_string_equal(mn_plan_pih_grade(0.12, 0.4), "high");
    assert_string_equal(mn_plan_pih_grade(0.0049, 0.0196), "low-moderate");
    assert_string_equal(mn_plan_pih_grade(0.029, 0.11), "moderate-high");
    assert_string_equal(mn_plan_pih_grade(0.005, 0.2), "low-high");
    /* A cut-off itself belongs to the category it opens, as for the label. */
    assert_string_equal(mn_plan_pih_grade(MN_PLAN_PIH_MODERATE, MN_PLAN_PIH_MODERATE), "moderate");
    assert_string_equal(mn_plan_pih_label(0.0099), "low");
    assert_string_equal(mn_plan_pih_label(0.012), "moderate");
    assert_string_equal(mn_plan_pih_grade(0.0099 / 2, 0.0099 * 2),
                        mn_plan_pih_grade(0.012 / 2, 0.012 * 2));
    assert_string_equal(mn_plan_pih_grade_words("low-moderate"), "low to moderate");
    assert_string_equal(mn_plan_pih_grade_words("moderate-high"), "moderate to high");
    assert_string_equal(mn_plan_pih_grade_words("low-high"), "low to high");
    assert_string_equal(mn_plan_pih_grade_words("none"), "none");
    assert_string_equal(mn_plan_pih_grade_words("high"), "high");
}

static void test_earliest_start(void **state)
{
    (void)state;
    mn_client c;
    mn_plan_options o;
    mn_plan_options_init(&o);
    assert_int_equal(mn_date_parse("2027-01-01", &o.prepared), MN_OK);
    o.has_prepared = 1;
    mn_date day = 0;
    char buf[11];
    const char *t = client_json("", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_plan_earliest_start(ctx, &c, &o, &day), MN_OK);
    assert_string_equal(mn_date_format(day, buf), "2027-02-01");
    c.start += 400; /* not read */
    assert_int_equal(mn_plan_earliest_start(ctx, &c, &o, &day), MN_OK);
    assert_string_equal(mn_date_format(day, buf), "2027-02-01");
    /* Planned from it, every step starts on or after the day the plan is prepared. */
    c.start = day;
    mn_plan *p = NULL;
    assert_int_equal(mn_plan_build(ctx, &c, &o, &p), MN_OK);
    assert_true(p->n_pretreatment > 0);
    assert_int_equal(p->pretreatment[0].from, o.prepared);
    assert_int_equal(p->warnings.n, 0);
    mn_plan_free(p);
    t = client_json("\"pregnant\": true", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    assert_int_equal(mn_plan_earliest_start(ctx, &c, &o, &day), MN_OK);
    assert_int_equal(day, o.prepared);
    o.has_prepared = 0;
    assert_int_equal(mn_plan_earliest_start(ctx, &c, &o, &day), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "prepared"));
    assert_int_equal(mn_plan_earliest_start(ctx, &c, NULL, &day), MN_EINVAL);
}

/* A library caller's out-of-range years are refused with the option's own name ("years"),
 * not the command line's flag: Python and C callers never typed "--years". */
static void test_years_out_of_range(void **state)
{
    (void)state;
    mn_client c;
    const char *t = client_json("", WRINKLES, "");
    assert_int_equal(mn_client_parse(ctx, "t.json", t, strlen(t), &c), MN_OK);
    mn_plan_options o;
    mn_plan_options_init(&o);
    mn_plan *p = NULL;
    int bad[] = {0, 21};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.years = bad[i];
        assert_int_equal(mn_plan_build(ctx, &c, &o, &p), MN_ERANGE);
        assert_null(p);
        const char *msg = mn_ctx_errmsg(ctx);
        assert_non_null(strstr(msg, "years"));
        assert_null(strstr(msg, "--years"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok_and_aliases),
        cmocka_unit_test(test_years_out_of_range),
        cmocka_unit_test(test_parse_errors_name_the_place),
        cmocka_unit_test(test_defer_dates),
        cmocka_unit_test(test_defer_dates_anchor),
        cmocka_unit_test(test_plan_json_contract),
        cmocka_unit_test(test_grade_sets_course_length),
        cmocka_unit_test(test_references_resolve),
        cmocka_unit_test(test_diabetes_control),
        cmocka_unit_test(test_home_device_refused),
        cmocka_unit_test(test_prices_loader),
        cmocka_unit_test(test_prices_in_plan),
        cmocka_unit_test(test_raised_maintenance_words),
        cmocka_unit_test(test_earliest_start),
        cmocka_unit_test(test_pih_grade),
    };
    return cmocka_run_group_tests_name("clinic", tests, setup, teardown);
}
