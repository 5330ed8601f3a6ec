/*
 * Safety of the plan as a correctness property (DESIGN 6), checked exhaustively where the
 * space is small and over 10,000 generated clients where it is not:
 *   - no depth beyond the zone's cap, the anatomy cap or the device's range, on the grid;
 *   - no session for a declined or deferred client, and every rule that applies is found;
 *   - no two sessions treating a zone closer than the minimum interval of its concerns;
 *   - every finding's code is documented in docs/screening.md;
 *   - the client's text and report carry no internal code (rule codes, F rows, DESIGN);
 *   - a declined or deferred plan carries no treatment content (depths, sessions, aftercare,
 *     cost, projection, risks) in the structure, the JSON, the text or the HTML report, and
 *     says what to do next (and, for a defer with a known date, when to come back).
 * The checks recompute each bound independently from the catalogue and the public device
 * and skin functions rather than reading the planner's own fields.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

#define N_CLIENTS 10000

MN_TEST_CONTEXT_FIXTURE

/* Independent statement of the depth bounds a zone must respect. */
static void check_zone_bounds(const mn_client *c, const mn_plan_zone *z)
{
    const mn_device *d = c->device;
    const mn_site *s = z->zone;
    const double eps = 1e-9;
    /* Ordered, within the device range and on its setting grid. */
    assert_true(z->depth_min_mm <= z->depth_start_mm + eps);
    assert_true(z->depth_start_mm <= z->depth_max_mm + eps);
    assert_true(z->depth_min_mm >= d->depth_min_mm - eps);
    assert_true(z->depth_max_mm <= d->depth_max_mm + eps);
    if (d->depth_step_mm > 0) {
        double k = (z->depth_max_mm - d->depth_min_mm) / d->depth_step_mm;
        assert_close(k, floor(k + 0.5), 0, 1e-6);
        k = (z->depth_min_mm - d->depth_min_mm) / d->depth_step_mm;
        assert_close(k, floor(k + 0.5), 0, 1e-6);
    }
    /* Zone cap: the clinic limit, raised only by a concern's stated exception on a facial
     * zone already allowed 1.5 mm, and only with a clinical device. */
    double cap = s->clinical_max_mm;
    if (s->facial && s->clinical_max_mm >= 1.5 && z->concern->deep_face_max_mm > cap &&
        d->device_class == MN_DEVICE_CLINICAL)
        cap = z->concern->deep_face_max_mm;
    assert_true(z->depth_max_mm <= cap + eps);
    if (z->concern->dark_phototype_max_mm > 0 && c->patient.fitzpatrick >= 4)
        assert_true(z->depth_max_mm <= z->concern->dark_phototype_max_mm + eps);
    if (!strcmp(s->id, "periorbital") || !strcmp(s->id, "forehead"))
        assert_true(z->depth_max_mm <= 0.5 + eps);
    if (s->facial && z->depth_max_mm > 1.5 + eps) {
        assert_non_null(z->concern->deep_reason);
        assert_non_null(strstr(z->why, "Above the usual 1.5 mm"));
    }
    /* Anatomy: the effective depth at the deepest setting stays inside the dermis with the
     * stated margin (max(150 um, 20% of the dermis)). */
    mn_skin_layers l;
    assert_int_equal(mn_skin_layers_at(s, &c->patient, &l), MN_OK);
    double dermis = l.papillary_um + l.reticular_um;
    double margin = dermis * 0.2 > 150 ? dermis * 0.2 : 150;
    double reach = mn_device_effective_depth_um(d, z->depth_max_mm, NULL);
    assert_true(reach <= l.sc_um + l.ve_um + dermis - margin + 1e-6);
}

static int max_min_interval(const mn_client *c, const mn_site *site)
{
    int m = 0;
    for (int k = 0; k < c->n_concerns; k++)
        for (int z = 0; z < c->concerns[k].n_zones; z++)
            if (c->concerns[k].zones[z] == site && c->concerns[k].concern->min_interval_days > m)
                m = c->concerns[k].concern->min_interval_days;
    return m;
}

static void check_schedule(const mn_plan *p)
{
    const mn_client *c = &p->client;
    if (p->screening.decision >= MN_DECISION_DEFER) {
        assert_int_equal(p->n_sessions, 0);
        assert_true(p->course_total == 0 && p->horizon_total == 0);
        return;
    }
    assert_true(p->n_sessions > 0);
    mn_date horizon = mn_date_add_months(c->start, 12 * p->options.years);
    for (int i = 0; i < p->n_sessions; i++) {
        assert_true(p->sessions[i].date >= c->start);
        assert_true(i == 0 || p->sessions[i].date > p->sessions[i - 1].date);
        assert_true(p->sessions[i].phase == MN_PHASE_COURSE || p->sessions[i].date <= horizon);
        assert_true(p->sessions[i].zone_mask != 0);
        assert_int_not_equal(mn_date_weekday(p->sessions[i].date), 6);
        /* The visit's sites: within its zones, each treated site exactly once. */
        unsigned zm = p->sessions[i].zone_mask, sm = p->sessions[i].site_mask;
        assert_int_equal(sm & ~zm, 0);
        for (int z = 0; z < p->n_zones; z++) {
            if (!(zm & (1u << z)))
                continue;
            int listed = 0;
            for (int k = 0; k < p->n_zones; k++)
                if ((sm & (1u << k)) && p->zones[k].zone == p->zones[z].zone)
                    listed++;
            assert_int_equal(listed, 1);
        }
    }
    /* Minimum interval per treated site, whatever concerns share it. */
    for (int z = 0; z < p->n_zones; z++) {
        const mn_site *site = p->zones[z].zone;
        int min_gap = max_min_interval(c, site);
        mn_date last = 0;
        int seen = 0;
        for (int i = 0; i < p->n_sessions; i++) {
            int treats = 0;
            for (int k = 0; k < p->n_zones; k++)
                if ((p->sessions[i].zone_mask & (1u << k)) && p->zones[k].zone == site)
                    treats = 1;
            if (!treats)
                continue;
            if (seen)
                assert_true(p->sessions[i].date - last >= min_gap);
            last = p->sessions[i].date;
            seen = 1;
        }
        assert_true(seen);
    }
    assert_true(p->maintenance_interval_days >= 90 && p->maintenance_interval_days <= 365);
}

/* Whether a rule's condition holds for a client, stated independently of the screener. */
static int rule_applies(const mn_rule *r, const mn_client *c)
{
    int idx = mn_history_find(r->flag);
    int hit = 0;
    switch (r->kind) {
    case MN_RULE_FLAG:
        hit = idx >= 0 && c->history_set[idx] && c->history[idx] != 0;
        break;
    case MN_RULE_MONTHS_AGO:
    case MN_RULE_WEEKS_AGO:
        hit = idx >= 0 && c->history_set[idx] && c->history[idx] < r->threshold;
        break;
    case MN_RULE_PHOTOTYPE_GE:
        hit = c->patient.fitzpatrick >= r->threshold;
        break;
    case MN_RULE_AGE_GE:
        hit = c->patient.age_years >= r->threshold;
        break;
    case MN_RULE_SMOKER:
        hit = c->patient.smoker;
        break;
    }
    if (!hit || r->n_zones == 0)
        return hit;
    for (int k = 0; k < c->n_concerns; k++)
        for (int z = 0; z < c->concerns[k].n_zones; z++)
            for (int q = 0; q < r->n_zones; q++)
                if (!strcmp(c->concerns[k].zones[z]->id, r->zones[q]))
                    return 1;
    return 0;
}

static void check_screening(const mn_client *c, const mn_screening *s)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_decision want = MN_DECISION_PROCEED;
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *r = mn_catalog_rule_at(cat, i);
        int found = 0;
        for (int f = 0; f < s->n_findings; f++)
            if (s->findings[f].rule == r)
                found = 1;
        assert_int_equal(found, rule_applies(r, c));
        if (found) {
            mn_decision d = r->severity == MN_SEVERITY_DECLINE ? MN_DECISION_DECLINE
                            : r->severity == MN_SEVERITY_DEFER ? MN_DECISION_DEFER
                                                               : MN_DECISION_CAUTION;
            if (d > want)
                want = d;
        }
    }
    assert_int_equal(s->decision, want);
    if (s->has_rescreen) {
        assert_int_equal(s->decision, MN_DECISION_DEFER);
        assert_true(s->rescreen > c->start);
    }
}

static void random_client(mn_rng *r, mn_client *c)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    memset(c, 0, sizeof *c);
    c->patient.age_years = (double)mn_rng_int(r, 18, 100);
    c->patient.sex = mn_rng_int(r, 0, 1) ? MN_SEX_MALE : MN_SEX_FEMALE;
    c->patient.fitzpatrick = (int)mn_rng_int(r, 1, 6);
    c->patient.smoker = mn_rng_uniform(r) < 0.2;
    c->patient.sun = (mn_sun)mn_rng_int(r, 0, 2);
    c->device =
        mn_catalog_device_at(cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_device_count(cat) - 1));
    c->price_per_session = (double)mn_rng_int(r, 0, 700);
    strcpy(c->currency, "GBP");
    mn_date_from_ymd(2026, 1, 1, &c->start);
    c->start += (mn_date)mn_rng_int(r, 0, 3000);
    int n = (int)mn_rng_int(r, 1, 3);
    for (int k = 0; k < n; k++) {
        const mn_concern *cc = mn_catalog_concern_at(
            cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_concern_count(cat) - 1));
        int dup = 0;
        for (int q = 0; q < c->n_concerns; q++)
            dup |= c->concerns[q].concern == cc;
        if (dup)
            continue;
        mn_client_concern *x = &c->concerns[c->n_concerns++];
        x->concern = cc;
        x->grade = (mn_grade)mn_rng_int(r, 1, 3);
        int nz = (int)mn_rng_int(r, 1, cc->n_zones < 4 ? cc->n_zones : 4);
        for (int z = 0; z < nz; z++) {
            const mn_site *s =
                mn_catalog_find_site(cat, cc->zones[mn_rng_int(r, 0, cc->n_zones - 1)]);
            int zdup = 0;
            for (int q = 0; q < x->n_zones; q++)
                zdup |= x->zones[q] == s;
            if (!zdup)
                x->zones[x->n_zones++] = s;
        }
    }
    for (int h = 0; h < MN_HISTORY_COUNT; h++) {
        if (mn_rng_uniform(r) >= 0.06)
            continue;
        c->history_set[h] = 1;
        c->history[h] =
            mn_history_is_numeric((mn_history_item)h) ? (double)mn_rng_int(r, 0, 24) : 1;
    }
}

/* 1 when @p text gives a length in millimetres ("0.5 mm", "1.5mm"): a needle setting. */
static int has_mm_figure(const char *text)
{
    for (const char *m = strstr(text, "mm"); m; m = strstr(m + 1, "mm")) {
        const char *d = m;
        if (d > text && d[-1] == ' ')
            d--;
        if (d > text && isdigit((unsigned char)d[-1]))
            return 1;
    }
    return 0;
}

/* The client-facing words of @p text: for a page (@p html), what is outside tags and the style
 * sheet (data: URIs and colours live there); a copy the caller frees. */
static char *visible_text(const char *text, int html)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1), *o = out;
    assert_non_null(out);
    for (const char *t = text; *t;) {
        if (html && strncmp(t, "<style", 6) == 0) {
            const char *end = strstr(t, "</style>");
            t = end ? end + 8 : t + strlen(t);
        } else if (html && *t == '<') {
            const char *end = strchr(t, '>');
            t = end ? end + 1 : t + strlen(t);
            *o++ = ' ';
        } else {
            *o++ = *t++;
        }
    }
    *o = '\0';
    return out;
}

/* The first internal code in @p text, or NULL: a rule code ("MN-PIH-RISK"), a row of the
 * literature table ("F25"), a design reference, a seed article number or a data mark. */
static const char *internal_code(const char *text)
{
    static const char *const marks[] = {"DESIGN",      "seed article", "seeds/",    "[ASSUMED",
                                        "[ASSUMPTION", "[EVIDENCE",    "[ESTIMATE", "UNVERIFIED"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(text, marks[i]))
            return strstr(text, marks[i]);
    for (const char *t = text; *t; t++) {
        int start = t == text || !isalnum((unsigned char)t[-1]);
        if (start && t[0] == 'F' && isdigit((unsigned char)t[1]))
            return t;
        if (start && strncmp(t, "MN-", 3) == 0 && isupper((unsigned char)t[3]))
            return t;
    }
    return NULL;
}

/* Plan @p p written as text (@p kind 0), JSON (1) or the HTML report (2), in memory; the
 * caller frees it. */
static char *written(const mn_plan *p, int kind)
{
    mn_test_text t = {0};
    mn_status st = kind == 2 ? mn_plan_report_html(ctx, p, mn_test_text_write, &t)
                             : mn_plan_write(ctx, p, kind, mn_test_text_write, &t);
    assert_int_equal(st, MN_OK);
    assert_non_null(t.data);
    return t.data;
}

/* Client-facing text and report of plan @p p carry no internal code. */
static void check_no_codes(const mn_plan *p)
{
    for (int kind = 0; kind <= 2; kind += 2) {
        char *t = written(p, kind);
        char *v = visible_text(t, kind == 2);
        const char *code = internal_code(v);
        if (code)
            print_message("internal code in the %s: %.40s\n", kind ? "report" : "text", code);
        assert_null(code);
        free(v);
        free(t);
    }
}

/* A declined or deferred plan: no treatment content anywhere, and the next steps said. */
static void check_no_treatment(const mn_plan *p)
{
    char date[11];
    assert_int_equal(p->n_sessions, 0);
    assert_int_equal(p->n_aftercare, 0);
    assert_int_equal(p->n_projection, 0);
    assert_true(p->per_session == 0 && p->course_total == 0 && p->horizon_total == 0);
    assert_int_equal(p->n_risk_notes, 0);
    const mn_screening *s = &p->screening;
    int dated = s->decision == MN_DECISION_DEFER && s->has_rescreen;
    if (dated)
        mn_date_format(s->rescreen, date);

    char *js = written(p, 1);
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "sessions")), 0);
    assert_int_equal(json_array_size(json_object_get(root, "aftercare")), 0);
    assert_null(json_object_get(root, "cost"));
    assert_null(json_object_get(root, "projection"));
    assert_null(json_object_get(root, "risk"));
    json_t *zones = json_object_get(root, "zones");
    assert_int_equal(json_array_size(zones), (size_t)p->n_zones);
    for (size_t i = 0; i < json_array_size(zones); i++) /* only zone and concern */
        assert_int_equal(json_object_size(json_array_get(zones, i)), 2);
    json_t *next = json_object_get(root, "next_steps");
    assert_true(json_array_size(json_object_get(next, "advice")) >= 1);
    json_t *back = json_object_get(next, "come_back");
    if (s->decision == MN_DECISION_DEFER)
        assert_non_null(back);
    else
        assert_null(back);
    if (dated)
        assert_string_equal(json_string_value(back), date);
    json_decref(root);
    free(js);

    for (int kind = 0; kind <= 2; kind += 2) { /* text, then HTML */
        char *t = written(p, kind);
        const char *body = kind ? strstr(t, "</style>") : t; /* the page's @page margins */
        assert_non_null(body);
        assert_false(has_mm_figure(body));
        assert_null(strstr(t, kind ? "Aftercare sheet" : "Aftercare after each session"));
        assert_null(strstr(t, "How long will it last"));
        assert_null(strstr(t, kind ? "Cost</h2>" : "\nCost ("));
        assert_null(strstr(t, kind ? "Calendar</h2>" : "\nSchedule ("));
        assert_null(strstr(t, kind ? "Risks to know about" : "\nRisks\n"));
        assert_null(strstr(t, kind ? "Zones and needle depths" : "Zones and needle depth\n"));
        assert_non_null(strstr(t, "What to do next"));
        if (dated)
            assert_non_null(strstr(t, date));
        free(t);
    }
}

/* A treated plan shows the content the check above looks for, so that check can fail. */
static void check_treatment_shown(const mn_plan *p)
{
    char *t = written(p, 0);
    assert_non_null(strstr(t, "Aftercare after each session"));
    assert_non_null(strstr(t, "\nCost ("));
    assert_non_null(strstr(t, "\nSchedule ("));
    assert_non_null(strstr(t, "Zones and needle depth\n"));
    assert_null(strstr(t, "What to do next"));
    free(t);
}

static void test_generated_clients(void **state)
{
    (void)state;
    mn_rng r;
    mn_rng_init(&r, 20261122, 0);
    int decided[4] = {0, 0, 0, 0}, refused = 0;
    for (int i = 0; i < N_CLIENTS; i++) {
        mn_client c;
        random_client(&r, &c);
        mn_plan_options o;
        mn_plan_options_init(&o);
        o.years = (int)mn_rng_int(&r, 1, 5);
        mn_plan *p = NULL;
        mn_status st = mn_plan_build(ctx, &c, &o, &p);
        if (st == MN_ERANGE) { /* a zone this device cannot needle safely: refused, not planned */
            refused++;
            continue;
        }
        assert_int_equal(st, MN_OK);
        check_screening(&c, &p->screening);
        for (int z = 0; z < p->n_zones; z++)
            check_zone_bounds(&c, &p->zones[z]);
        check_schedule(p);
        if (mn_plan_treats(p)) {
            if (decided[0] + decided[1] < 200) { /* a sample: the writers are slower */
                check_treatment_shown(p);
                check_no_codes(p);
            }
        } else {
            check_no_treatment(p);
            check_no_codes(p);
        }
        decided[p->screening.decision]++;
        mn_plan_free(p);
    }
    /* The generator must exercise every decision, or the properties prove little. */
    for (int d = 0; d < 4; d++)
        assert_true(decided[d] > 100);
    print_message("  %d clients: proceed %d, caution %d, defer %d, decline %d, refused %d\n",
                  N_CLIENTS, decided[0], decided[1], decided[2], decided[3], refused);
}

/* Exhaustive over device x concern x zone x age x sex: every depth choice is bounded. */
static void test_depth_caps_exhaustive(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    long checked = 0;
    for (size_t di = 0; di < mn_catalog_device_count(cat); di++)
        for (size_t ci = 0; ci < mn_catalog_concern_count(cat); ci++) {
            const mn_concern *cc = mn_catalog_concern_at(cat, ci);
            for (int zi = 0; zi < cc->n_zones; zi++)
                for (int age = 18; age <= 100; age += 1)
                    for (int sex = 0; sex < 2; sex++) {
                        mn_client c;
                        memset(&c, 0, sizeof c);
                        c.patient.age_years = age;
                        c.patient.sex = (mn_sex)sex;
                        c.patient.fitzpatrick = 2 + 3 * sex; /* phototypes II and V */
                        c.device = mn_catalog_device_at(cat, di);
                        mn_date_from_ymd(2027, 3, 1, &c.start);
                        c.n_concerns = 1;
                        c.concerns[0].concern = cc;
                        c.concerns[0].grade = MN_SEVERITY_MODERATE;
                        c.concerns[0].zones[0] = mn_catalog_find_site(cat, cc->zones[zi]);
                        c.concerns[0].n_zones = 1;
                        mn_plan *p = NULL;
                        mn_status st = mn_plan_build(ctx, &c, NULL, &p);
                        if (st == MN_ERANGE)
                            continue;
                        assert_int_equal(st, MN_OK);
                        check_zone_bounds(&c, &p->zones[0]);
                        check_schedule(p);
                        mn_plan_free(p);
                        checked++;
                    }
        }
    assert_true(checked > 10000);
}

/* Each history input alone triggers exactly its rule; the decision follows its severity. */
static void test_each_rule_alone(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    for (int h = 0; h < MN_HISTORY_COUNT; h++) {
        mn_client c;
        memset(&c, 0, sizeof c);
        c.patient.age_years = 40;
        c.patient.fitzpatrick = 2;
        c.device = mn_catalog_find_device(cat, "skinpen");
        mn_date_from_ymd(2027, 3, 1, &c.start);
        c.n_concerns = 1;
        c.concerns[0].concern = mn_catalog_find_concern(cat, "texture-tone");
        c.concerns[0].zones[0] = mn_catalog_find_site(cat, "perioral");
        c.concerns[0].n_zones = 1;
        c.history_set[h] = 1;
        c.history[h] = mn_history_is_numeric((mn_history_item)h) ? 0.5 : 1;
        mn_screening s;
        assert_int_equal(mn_screen(ctx, &c, &s), MN_OK);
        /* Every history input has at least one rule. */
        int found = 0;
        for (int f = 0; f < s.n_findings; f++)
            found |= !strcmp(s.findings[f].rule->flag, mn_history_name((mn_history_item)h));
        if (!found)
            fail_msg("history item %s triggers no rule", mn_history_name((mn_history_item)h));
        check_screening(&c, &s);
        if (s.decision == MN_DECISION_DEFER && mn_history_is_numeric((mn_history_item)h)) {
            assert_true(s.has_rescreen);
        }
    }
}

static void test_codes_documented(void **state)
{
    (void)state;
    FILE *fp = fopen(MN_SOURCE_DIR "/docs/screening.md", "r");
    assert_non_null(fp);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, fp);
    doc[n] = '\0';
    fclose(fp);
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const char *code = mn_catalog_rule_at(cat, i)->code;
        if (!strstr(doc, code))
            fail_msg("rule code %s is not documented in docs/screening.md", code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule_alone),
        cmocka_unit_test(test_codes_documented),
        cmocka_unit_test(test_depth_caps_exhaustive),
        cmocka_unit_test(test_generated_clients),
    };
    return cmocka_run_group_tests_name("plan_properties", tests, setup, teardown);
}
