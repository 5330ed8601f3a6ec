/*
 * Screening and plan output: JSON with the keys of DESIGN §4 (and more), and text a
 * clinician can hand to a client.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clinic/plan_internal.h"
#include "core/json_out.h"
#include "mneedle/clinic.h"
#include "mneedle/report.h"
#include "report/html_internal.h"
#include "report/validation_note.h"

/* Schedule lines fit an 80-column terminal: a visit's settings go under it, indented. */
#define SCHEDULE_WIDTH  79
#define SCHEDULE_INDENT "        "

/* Rounds values that would print as "-0" (whole percent) to zero. */
static double no_neg_zero(double x)
{
    return fabs(x) < 0.5 ? 0.0 : x;
}

/* 1 when a projection sample's range was widened to include the projected person
 * (mn_healing_project keeps low <= improvement <= high, moving an end onto the person where
 * the band's 10-90 % range left it out): the person then sits exactly on one end of a range
 * that is not a single point in whole percent, the text's rounding. */
static int sample_range_widened(const mn_projection_sample *s)
{
    return floor(s->low_pct + 0.5) < floor(s->high_pct + 0.5) &&
           (s->improvement_pct == s->high_pct || s->improvement_pct == s->low_pct);
}

static const char *aftercare_kind(mn_aftercare_kind k)
{
    switch (k) {
    case MN_AFTERCARE_DO:
        return "do";
    case MN_AFTERCARE_AVOID:
        return "avoid";
    case MN_AFTERCARE_EXPECT:
        return "expect";
    case MN_AFTERCARE_RED_FLAG:
        return "red_flag";
    }
    return "do";
}

static json_t *screening_json(mn__jout *j, const mn_screening *s)
{
    char buf[11];
    json_t *o = json_object();
    mn__jput_str(j, o, "decision", mn_decision_name(s->decision));
    if (s->decision == MN_DECISION_DEFER) {
        mn__jput(j, o, "rescreen_date",
                 s->has_rescreen ? json_string(mn_date_format(s->rescreen, buf)) : json_null());
        mn__jput(j, o, "rescreen_now", json_boolean(s->rescreen_now));
    }
    json_t *arr = mn__jput(j, o, "findings", json_array());
    for (int i = 0; i < s->n_findings; i++) {
        const mn_finding *f = &s->findings[i];
        json_t *e = mn__jpush(j, arr, json_object());
        mn__jput_str(j, e, "code", f->code);
        mn__jput_str(j, e, "severity", mn_severity_name(f->severity));
        mn__jput_str(j, e, "message", f->message);
        if (f->zone) { /* "zone", the first, as before; "zones", every one the rule covers */
            mn__jput_str(j, e, "zone", f->zone);
            json_t *zs = mn__jput(j, e, "zones", json_array());
            for (int k = 0; k < f->n_zones; k++)
                mn__jpush(j, zs, json_string(f->zones[k]));
        }
        if (f->has_until) {
            mn__jput_str(j, e, "until", mn_date_format(f->until, buf));
            mn__jput(j, e, "passed", json_boolean(f->passed));
        }
        mn__jput_str(j, e, "source", f->rule->source);
    }
    if (!o)
        j->status = MN_ENOMEM;
    return o;
}

static const char *decision_sentence(mn_decision d)
{
    switch (d) {
    case MN_DECISION_PROCEED:
        return "You can be treated.";
    case MN_DECISION_CAUTION:
        return "You can be treated, with the precautions below.";
    case MN_DECISION_DEFER:
        return "Not yet: treatment has to wait.";
    case MN_DECISION_DECLINE:
        return "We cannot offer microneedling.";
    }
    return "";
}

/* One finding of the screening's listing: with its rule code (@p codes), or as the client's
 * plan words it. */
static void finding_text(mn__buf *b, const mn_plan *p, const mn_client *c, const mn_screening *s,
                         const mn_finding *f, int codes)
{
    char buf[11], zones[512];
    mn__finding_zones(c, p, f, zones, sizeof zones);
    if (codes) {
        mn__buf_textf(b, "  [%s] %s%s%s%s\n", mn_severity_name(f->severity), f->code,
                      zones[0] ? " (" : "", zones, zones[0] ? ")" : "");
        mn__buf_textf(b, "      %s\n", f->message);
    } else {
        mn__buf_textf(b, "  - %s%s%s%s\n", zones[0] ? "(" : "", zones, zones[0] ? ") " : "",
                      f->message);
    }
    if (f->has_until && f->passed && s->has_day && f->until < s->day)
        mn__buf_textf(b, "      Check again now: this wait ended on %s.\n",
                      mn_date_format(f->until, buf));
    else if (f->has_until && f->passed)
        mn__buf_textf(b, "      Check again now.\n");
    else if (f->has_until)
        mn__buf_textf(b, "      Not before %s.\n", mn_date_format(f->until, buf));
    else if (f->ongoing)
        mn__buf_textf(b, "      No date yet: the wait counts from the last dose or treatment.\n");
}

/* The screening in words; @p codes: with each finding's rule code (the clinician's screen
 * command), or without (the client's plan). */
static void screening_text(mn__buf *b, const mn_plan *p, const mn_client *c, const mn_screening *s,
                           int codes)
{
    char buf[11], words[32];
    /* The decision in words ("proceed with caution"); the JSON keeps its name. */
    snprintf(words, sizeof words, "%s", mn_decision_name(s->decision));
    for (char *q = words; *q; q++)
        if (*q == '_')
            *q = ' ';
    mn__buf_textf(b, "Screening: %s\n  %s\n", words, decision_sentence(s->decision));
    if (s->decision == MN_DECISION_DEFER) {
        if (s->has_rescreen && s->rescreen_now)
            mn__buf_textf(b,
                          "  Check again now (%s): no wait below runs past today, and the "
                          "answers are to be taken again before any treatment.\n",
                          mn_date_format(s->rescreen, buf));
        else if (s->has_rescreen)
            mn__buf_textf(b, "  Earliest date to check again: %s\n",
                          mn_date_format(s->rescreen, buf));
        else
            mn__buf_textf(b, "  No date can be given yet: check again once each condition below "
                             "has resolved or been met.\n");
    }
    /* A deferred plan lists what defers it, then the cautions for when the client comes
     * back (mn__finding_shown); every other listing keeps the screening's order. */
    int split = p && !mn_plan_treats(p) && s->decision == MN_DECISION_DEFER, heading = 0;
    for (int i = 0; i < s->n_findings; i++)
        if ((!p || mn__finding_shown(p, &s->findings[i])) &&
            (!split || s->findings[i].severity >= MN_SEVERITY_DEFER))
            finding_text(b, p, c, s, &s->findings[i], codes);
    for (int i = 0; split && i < s->n_findings; i++) {
        if (s->findings[i].severity >= MN_SEVERITY_DEFER || !mn__finding_shown(p, &s->findings[i]))
            continue;
        if (!heading++)
            mn__buf_textf(b, "  For when you come back:\n");
        finding_text(b, p, c, s, &s->findings[i], codes);
    }
    if (s->n_findings == 0)
        mn__buf_textf(b, c->has_history ? "  No contraindications found in the history given.\n"
                                        : "  No health questionnaire was given.\n");
}

static mn_status emit_text(mn_ctx *ctx, mn__buf *b, mn_writer write, void *ud)
{
    mn_status st = mn__buf_status(b);
    if (st)
        st = mn__error(ctx, st, "out of memory writing the output");
    else
        st = mn__write_str(ctx, write, ud, b->data ? b->data : "", b->len);
    mn__buf_release(b);
    return st;
}

mn_status mn_screening_write(mn_ctx *ctx, const mn_client *client, const mn_screening *s, int json,
                             mn_writer write, void *userdata)
{
    if (!ctx || !client || !s || !write)
        return mn__error(ctx, MN_EINVAL, "mn_screening_write: NULL argument");
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = json_object();
        mn__jput_str(&j, root, "version", mn_version());
        mn__jput(&j, root, "screening", screening_json(&j, s));
        return mn__json_finish(ctx, &j, root, "screening", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    screening_text(&b, NULL, client, s, 1);
    return emit_text(ctx, &b, write, userdata);
}

/* What a declined or deferred client can do: the advice of the findings behind the decision
 * and, for a defer, the date to come back (null when it cannot be known yet). */
static json_t *next_steps_json(mn__jout *j, const mn_plan *p)
{
    char buf[11];
    const mn_screening *s = &p->screening;
    json_t *o = json_object();
    json_t *advice = mn__jput(j, o, "advice", json_array());
    int any = 0;
    for (int i = 0; i < s->n_findings; i++) {
        const char *a = mn__next_step(p, i);
        if (a) {
            mn__jpush(j, advice, json_string(a));
            any = 1;
        }
    }
    if (!any)
        mn__jpush(j, advice, json_string(mn__next_step_default(s->decision)));
    if (s->decision == MN_DECISION_DEFER)
        mn__jput(j, o, "come_back",
                 s->has_rescreen ? json_string(mn_date_format(s->rescreen, buf)) : json_null());
    if (!o)
        j->status = MN_ENOMEM;
    return o;
}

/* references[]: {key, citation} behind what the plan shows (as in the text and the report). */
static void references_json(mn__jout *j, json_t *root, const mn_catalog *cat, const mn_plan *p)
{
    const mn_reference *refs[MN__MAX_PLAN_REFS];
    int n = mn__plan_references(cat, p, refs);
    json_t *arr = mn__jput(j, root, "references", json_array());
    for (int i = 0; i < n; i++) {
        json_t *e = mn__jpush(j, arr, json_object());
        mn__jput_str(j, e, "key", refs[i]->key);
        mn__jput_str(j, e, "citation", refs[i]->citation);
    }
}

/* A day count, or null for "not found within the span searched" (-1). */
static void put_day_or_null(mn__jout *j, json_t *obj, const char *key, int day)
{
    mn__jput(j, obj, key, day >= 0 ? json_integer(day) : json_null());
}

/* back_to_baseline_day's 10-90 % range (null: that percentile beyond the 40 years searched)
 * and the share of the range's people not back within the search. */
static void put_baseline_range(mn__jout *j, json_t *obj, int low, int high, double beyond)
{
    put_day_or_null(j, obj, "back_to_baseline_day_low", low);
    put_day_or_null(j, obj, "back_to_baseline_day_high", high);
    mn__jput_num(j, obj, "back_to_baseline_beyond_fraction", beyond);
}

/* The peak's median over the band's people (null without drawn people) and whether its range
 * was widened to hold the typical person's peak (simulate's summary names). */
static void put_median(mn__jout *j, json_t *obj, const mn_plan *p)
{
    int has = p->lasting_band_draws > 0 && isfinite(p->lasting_peak_median_pct);
    mn__jput(j, obj, "peak_improvement_pct_median",
             has ? json_real(p->lasting_peak_median_pct) : json_null());
    mn__jput_bool(j, obj, "peak_range_widened", p->lasting_peak_range_widened);
}

/* 1 when the client file prices the treatment in any way. */
static int priced(const mn_client *c)
{
    return c->price_per_session > 0 || c->n_prices > 0 || c->has_face_price || c->has_body_price ||
           c->has_course_price;
}

/* What to say without a price: the typical range of seed article 003 is in US dollars, so it
 * is quoted only to a client whose currency is USD; never a currency other than the client's.
 * @p json: the note for the JSON (names the keys and the source). */
static const char *no_price_note(const mn_client *c, int json)
{
    int usd = strcmp(c->currency, "USD") == 0;
    if (json)
        return usd ? "No price in the client file (clinic.price_per_session, clinic.prices); a "
                     "single session typically costs 250-700 USD (seed article 003)."
                   : "No price in the client file (clinic.price_per_session, clinic.prices).";
    return usd ? "No price given. A session typically costs 250-700 USD; ask the clinic for "
                 "its prices."
               : "No price given; ask the clinic for its prices.";
}

/* summary: the projection's figures under simulate's summary names and meanings
 * (simulate_out.c), so one reader serves both; every value is one the plan computed with its
 * projection (docs/clinic.md, "Summary"). Without a projection (no session, or only concerns
 * the model does not project) it says so and gives the interval the visits follow. */
/* maintenance_interval_bound's value for an interval_bound_side (docs/clinic.md, Summary). */
static const char *bound_name(int side)
{
    return side > 0 ? "longest" : side < 0 ? "shortest" : "none";
}

static void summary_json(mn__jout *j, json_t *root, const mn_plan *p)
{
    json_t *sum = mn__jput(j, root, "summary", json_object());
    mn__jput_bool(j, sum, "projection_applies", p->has_lasting);
    mn__jput_int(j, sum, "scheduled_maintenance_interval_days", p->maintenance_interval_days);
    /* true when the shortest interval the plan books raised it above the concerns' default,
     * which the note states (mn__plan_raised_text) */
    mn__jput_bool(j, sum, "scheduled_maintenance_interval_raised", mn__plan_maintenance_raised(p));
    mn__jput_str(j, sum, "maintenance_source",
                 p->maintenance_from_model ? "model" : "concern_default");
    if (!p->has_lasting)
        return;
    mn__jput_str(j, sum, "zone", p->zones[p->lasting_zone].zone->id);
    mn__jput_str(j, sum, "concern", p->zones[p->lasting_zone].concern->id);
    mn__jput_num(j, sum, "peak_improvement_pct", p->lasting_peak_pct);
    mn__jput_int(j, sum, "peak_day", p->lasting_peak_day);
    put_day_or_null(j, sum, "durability_days", p->lasting_durability_days);
    put_day_or_null(j, sum, "back_to_baseline_day", p->lasting_back_to_baseline_day);
    mn__jput_num(j, sum, "peak_improvement_pct_low", p->lasting_peak_low_pct);
    mn__jput_num(j, sum, "peak_improvement_pct_high", p->lasting_peak_high_pct);
    put_median(j, sum, p);
    put_day_or_null(j, sum, "durability_days_low", p->lasting_durability_low_days);
    put_day_or_null(j, sum, "durability_days_high", p->lasting_durability_high_days);
    put_baseline_range(j, sum, p->lasting_back_to_baseline_low_day,
                       p->lasting_back_to_baseline_high_day, p->lasting_baseline_beyond_fraction);
    mn__jput_num(j, sum, "target_fraction", p->options.target_fraction);
    mn__jput_int(j, sum, "maintenance_interval_days", p->lasting_interval_days);
    mn__jput_int(j, sum, "maintenance_interval_days_low", p->maintenance_interval_low_days);
    mn__jput_int(j, sum, "maintenance_interval_days_high", p->maintenance_interval_high_days);
    mn__jput_bool(j, sum, "maintenance_interval_bounded", p->lasting_interval_bounded);
    mn__jput_str(j, sum, "maintenance_interval_bound", bound_name(p->lasting_interval_bound_side));
    if (p->lasting_interval_bound_side > 0)
        put_day_or_null(j, sum, "maintenance_interval_unbounded_days",
                        p->lasting_interval_unbounded_days);
    mn__jput_num(j, sum, "maintenance_interval_at_longest_fraction",
                 p->lasting_interval_at_longest_fraction);
    mn__jput_int(j, sum, "range_people", p->lasting_band_draws > 0 ? p->lasting_band_draws : 2);
    mn__jput_str(j, sum, "range_note", mn_healing_range_note(p->lasting_band_draws));
    if (p->evidence_followup_days > 0) {
        mn__jput_int(j, sum, "evidence_followup_days", p->evidence_followup_days);
        mn__jput_bool(j, sum, "durability_extrapolated", p->lasting_extrapolated);
        mn__jput_bool(j, sum, "baseline_extrapolated", p->lasting_baseline_extrapolated);
    }
    if (p->evidence_shallowest_mm > 0) {
        mn__jput_num(j, sum, "evidence_shallowest_needle_mm", p->evidence_shallowest_mm);
        mn__jput_str(j, sum, "evidence_shallowest_study", p->evidence_shallowest_study);
        mn__jput_str(j, sum, "evidence_shallowest_cite",
                     mn_evidence_bundled_cite(p->evidence_shallowest_study));
        mn__jput_bool(j, sum, "depth_extrapolated", p->depth_extrapolated);
    }
    if (p->evidence_studies >= 0)
        mn__jput_int(j, sum, "evidence_studies", p->evidence_studies);
}

/* projection.zones[]: every projected zone's own figures, under the summary's names
 * (docs/clinic.md, "Each zone"); present whenever the model projects a curve. */
static void zone_projections_json(mn__jout *j, json_t *proj, const mn_plan *p)
{
    if (!p->has_lasting)
        return;
    json_t *zones = mn__jput(j, proj, "zones", json_array());
    for (int k = 0; k < p->n_zone_projections; k++) {
        const mn_plan_zone_projection *zp = &p->zone_projections[k];
        char line[1024];
        json_t *e = mn__jpush(j, zones, json_object());
        mn__jput_str(j, e, "zone", p->zones[zp->zone].zone->id);
        mn__jput_str(j, e, "concern", p->zones[zp->zone].concern->id);
        mn__jput_bool(j, e, "sets_maintenance_interval", zp->sets_interval);
        mn__jput_num(j, e, "peak_improvement_pct", zp->peak_pct);
        mn__jput_num(j, e, "peak_improvement_pct_low", zp->peak_low_pct);
        mn__jput_num(j, e, "peak_improvement_pct_high", zp->peak_high_pct);
        mn__jput(j, e, "peak_improvement_pct_median",
                 isfinite(zp->peak_median_pct) ? json_real(zp->peak_median_pct) : json_null());
        mn__jput_int(j, e, "peak_day", zp->peak_day);
        put_day_or_null(j, e, "durability_days", zp->durability_days);
        put_day_or_null(j, e, "durability_days_low", zp->durability_low_days);
        put_day_or_null(j, e, "durability_days_high", zp->durability_high_days);
        put_day_or_null(j, e, "back_to_baseline_day", zp->back_to_baseline_day);
        put_baseline_range(j, e, zp->back_to_baseline_low_day, zp->back_to_baseline_high_day,
                           zp->baseline_beyond_fraction);
        mn__jput_int(j, e, "maintenance_interval_days", zp->maintenance_interval_days);
        mn__jput_str(j, e, "maintenance_interval_bound", bound_name(zp->interval_bound_side));
        if (zp->interval_bound_side > 0)
            put_day_or_null(j, e, "maintenance_interval_unbounded_days",
                            zp->interval_unbounded_days);
        if (p->evidence_followup_days > 0) {
            mn__jput_bool(j, e, "durability_extrapolated", zp->durability_extrapolated);
            mn__jput_bool(j, e, "baseline_extrapolated", zp->baseline_extrapolated);
        }
        if (zp->evidence_shallowest_mm > 0) {
            mn__jput_num(j, e, "evidence_shallowest_needle_mm", zp->evidence_shallowest_mm);
            mn__jput_str(j, e, "evidence_shallowest_study", zp->evidence_shallowest_study);
            mn__jput_str(j, e, "evidence_shallowest_cite",
                         mn_evidence_bundled_cite(zp->evidence_shallowest_study));
            mn__jput_bool(j, e, "depth_extrapolated", zp->depth_extrapolated);
        }
        if (zp->evidence_studies >= 0)
            mn__jput_int(j, e, "evidence_studies", zp->evidence_studies);
        mn__jput_str(j, e, "note", mn__plan_zone_projection_text(p, zp, 0, line, sizeof line));
        /* The zone's own curve, as projection.samples (days since the plan's first session);
         * the figure's series beside the shaded one. */
        json_t *samples = mn__jput(j, e, "samples", json_array());
        for (int i = 0; i < zp->n_samples; i++) {
            json_t *x = mn__jpush(j, samples, json_object());
            mn__jput_int(j, x, "day", zp->first_day + zp->samples[i].day);
            mn__jput_num(j, x, "improvement_pct", zp->samples[i].improvement_pct);
            mn__jput_num(j, x, "low_pct", zp->samples[i].low_pct);
            mn__jput_num(j, x, "high_pct", zp->samples[i].high_pct);
        }
    }
}

/* projection.zones_not_projected[]: every treated zone without a projection and why
 * (docs/clinic.md, "Each zone"); present whenever one is. */
static void zones_not_projected_json(mn__jout *j, json_t *proj, const mn_plan *p)
{
    if (p->n_zones_not_projected < 1)
        return;
    json_t *zones = mn__jput(j, proj, "zones_not_projected", json_array());
    for (int k = 0; k < p->n_zones_not_projected; k++) {
        const mn_plan_zone_unprojected *u = &p->zones_not_projected[k];
        char line[1024];
        json_t *e = mn__jpush(j, zones, json_object());
        mn__jput_str(j, e, "zone", p->zones[u->zone].zone->id);
        mn__jput_str(j, e, "concern", p->zones[u->zone].concern->id);
        mn__jput_str(j, e, "reason", mn__plan_unprojected_reason_id(u->reason));
        if (u->reason == MN_UNPROJECTED_EPIDERMIS || u->reason == MN_UNPROJECTED_BELOW_STUDIED)
            mn__jput_num(j, e, "needle_mm", u->needle_mm);
        if (u->reason == MN_UNPROJECTED_BELOW_STUDIED) {
            mn__jput_num(j, e, "evidence_shallowest_mm", u->studied_mm);
            mn__jput_str(j, e, "evidence_shallowest_study", u->detail);
            mn__jput_str(j, e, "evidence_shallowest_cite", mn_evidence_bundled_cite(u->detail));
        }
        mn__jput_str(j, e, "note", mn__plan_zone_unprojected_text(p, u, line, sizeof line));
    }
}

static json_t *plan_json(mn__jout *j, const mn_catalog *cat, const mn_plan *p,
                         const mn_validation_summary *v)
{
    char buf[11];
    json_t *root = json_object();
    mn__jput_str(j, root, "kind", "mneedle.plan");
    mn__jput_str(j, root, "version", mn_version());
    json_t *cl = mn__jput(j, root, "client", json_object());
    if (p->client.name[0])
        mn__jput_str(j, cl, "name", p->client.name);
    mn__jput_num(j, cl, "age", p->client.patient.age_years);
    mn__jput_str(j, cl, "sex", mn_sex_name(p->client.patient.sex));
    mn__jput_int(j, cl, "fitzpatrick", p->client.patient.fitzpatrick);
    mn__jput_str(j, cl, "device", p->client.device->id);
    mn__jput_str(j, cl, "start", mn_date_format(p->client.start, buf));
    if (p->options.has_prepared)
        mn__jput_str(j, root, "prepared", mn_date_format(p->options.prepared, buf));
    if (p->client.clinic_name[0] || p->client.clinic_phone[0] || p->client.practitioner[0]) {
        json_t *clinic = mn__jput(j, root, "clinic", json_object());
        if (p->client.clinic_name[0])
            mn__jput_str(j, clinic, "name", p->client.clinic_name);
        if (p->client.clinic_phone[0])
            mn__jput_str(j, clinic, "phone", p->client.clinic_phone);
        if (p->client.practitioner[0])
            mn__jput_str(j, clinic, "practitioner", p->client.practitioner);
    }

    mn__jput_warnings(j, root, &p->warnings);
    mn__jput(j, root, "screening", screening_json(j, &p->screening));
    int treats = mn_plan_treats(p);
    if (!treats)
        mn__jput(j, root, "next_steps", next_steps_json(j, p));
    /* Whether any session is booked: false, with the reason, for a plan every zone of which is
     * not booked (aftercare empty, cost zero, no PIH chance); absent when it does not treat. */
    if (treats) {
        mn__jput_bool(j, root, "booked", mn_plan_books(p));
        if (!mn_plan_books(p)) {
            char why[1024];
            mn__jput_str(j, root, "booked_note", mn__plan_nothing_booked_text(p, why, sizeof why));
        }
    }

    json_t *zones = mn__jput(j, root, "zones", json_array());
    for (int i = 0; i < p->n_zones; i++) {
        const mn_plan_zone *z = &p->zones[i];
        json_t *e = mn__jpush(j, zones, json_object());
        mn__jput_str(j, e, "zone", z->zone->id);
        mn__jput_str(j, e, "concern", z->concern->id);
        if (!treats)
            continue; /* no depths for a client who is not treated (DESIGN §8) */
        /* false: below the concern's usual range, no session treats it (why says so); its
         * depths are the setting it would have had */
        mn__jput_bool(j, e, "booked", !z->not_booked);
        json_t *d = mn__jput(j, e, "depth_mm", json_object());
        mn__jput_num(j, d, "min", z->depth_min_mm);
        mn__jput_num(j, d, "max", z->depth_max_mm);
        mn__jput_num(j, d, "start", z->depth_start_mm);
        /* The deepest setting the course reaches at the rise per visit below: under the
         * site's maximum when the course is too short to get there (why says so). */
        mn__jput_num(j, d, "course_max", z->course_max_mm);
        mn__jput_bool(j, e, "course_reaches_max", z->course_max_mm >= z->site_max_mm - 1e-9);
        mn__jput_num(j, e, "rise_per_visit_mm", z->rise_mm);
        json_t *ed = mn__jput(j, e, "effective_depth_um", json_object());
        mn__jput_num(j, ed, "start", round(z->effective_depth_um));
        mn__jput_num(j, ed, "max", round(z->effective_depth_max_um));
        mn__jput_num(j, ed, "course_max", round(z->course_effective_max_um));
        mn__jput_num(j, e, "anatomy_cap_mm", round(z->anatomy_cap_mm * 100) / 100);
        mn__jput_str(j, e, "limited_by", z->limited_by);
        mn__jput_num(j, e, "passes", z->passes);
        mn__jput_str(j, e, "why", z->why);
        /* The concern whose maximum sets this site's one setting per visit. */
        mn__jput_str(j, e, "set_by", z->set_by->id);
        json_t *adj = mn__jput(j, e, "adjusted_by", json_array());
        for (int k = 0; k < z->n_adjusted_by; k++)
            mn__jpush(j, adj, json_string(z->adjusted_by[k]->code));
        if (z->n_adjusted_by > 0) {
            json_t *base = mn__jput(j, e, "unadjusted_depth_mm", json_object());
            mn__jput_num(j, base, "start", z->base_start_mm);
            mn__jput_num(j, base, "max", z->base_max_mm);
            mn__jput_str(j, e, "unadjusted_limited_by", z->base_limited_by);
            mn__jput_int(j, e, "interval_add_days", z->interval_add_days);
            mn__jput(j, e, "held_at_device_min", json_boolean(z->held_at_device_min));
            mn__jput_str(j, e, "adjusted", z->adjusted);
        }
        /* The course's spacing: the interval it aims at and every gap as booked. */
        mn__jput_int(j, e, "course_interval_days", z->course_interval_days);
        json_t *gaps = mn__jput(j, e, "course_gaps_days", json_array());
        for (int k = 0; k < z->n_course_gaps; k++)
            mn__jpush(j, gaps, json_integer(z->course_gaps_days[k]));
        /* This zone's course's chance of PIH by the PIH law, as `simulate` gives it for that
         * course (summary.pih_probability{,_low,_high}). */
        mn__jput_num(j, e, "pih_probability", z->pih_probability);
        mn__jput_num(j, e, "pih_probability_low", z->pih_probability_low);
        mn__jput_num(j, e, "pih_probability_high", z->pih_probability_high);
    }

    json_t *sessions = mn__jput(j, root, "sessions", json_array());
    for (int i = 0; i < p->n_sessions; i++) {
        const mn_plan_session *s = &p->sessions[i];
        json_t *e = mn__jpush(j, sessions, json_object());
        mn__jput_int(j, e, "number", s->number);
        mn__jput_str(j, e, "date", mn_date_format(s->date, buf));
        mn__jput_str(j, e, "phase", s->phase == MN_PHASE_COURSE ? "course" : "maintenance");
        json_t *zl = mn__jput(j, e, "zones", json_array());
        for (int z = 0; z < p->n_zones; z++)
            if (s->site_mask & (1u << z))
                mn__jpush(j, zl, json_string(p->zones[z].zone->id));
        mn__jput_num(j, e, "numbing_min", s->numbing_min);
        mn__jput_num(j, e, "numbing_area_cm2", s->numbing_area_cm2);
        mn__jput(j, e, "numbing_in_turns", json_boolean(s->numbing_in_turns));
        mn__jput_num(j, e, "treatment_min", s->treatment_min);
        mn__jput_num(j, e, "price", s->price);
        json_t *sl = mn__jput(j, e, "settings", json_array());
        for (int k = 0; k < s->n_settings; k++) {
            const mn_plan_setting *set = &s->settings[k];
            json_t *o = mn__jpush(j, sl, json_object());
            mn__jput_str(j, o, "zone", p->zones[set->zone].zone->id);
            mn__jput_str(j, o, "concern", set->concern->id);
            mn__jput_num(j, o, "depth_mm", set->depth_mm);
            mn__jput_num(j, o, "passes", set->passes);
            mn__jput_num(j, o, "max_mm", set->max_mm);
            mn__jput_int(j, o, "course_step", set->course_step);
        }
    }

    json_t *pre = mn__jput(j, root, "pretreatment", json_array());
    for (int i = 0; i < p->n_pretreatment; i++) {
        const mn_plan_pretreatment *t = &p->pretreatment[i];
        json_t *e = mn__jpush(j, pre, json_object());
        mn__jput_str(j, e, "id", t->item->id);
        mn__jput_int(j, e, "days_before", t->item->days_before);
        mn__jput_str(j, e, "from", mn_date_format(t->from, buf));
        mn__jput_str(j, e, "text", t->text);
        /* The test patch's settings: the deepest each booked site's course reaches. */
        if (t->item->states_settings) {
            json_t *ts = mn__jput(j, e, "settings", json_array());
            for (int z = 0; z < p->n_zones; z++) {
                const mn_plan_zone *pz = &p->zones[z];
                int first = 1;
                for (int k = 0; k < z; k++)
                    first &= p->zones[k].zone != pz->zone || p->zones[k].not_booked;
                if (pz->not_booked || !first || pz->course_sessions == 0)
                    continue;
                json_t *o = mn__jpush(j, ts, json_object());
                mn__jput_str(j, o, "zone", pz->zone->id);
                mn__jput_num(j, o, "depth_mm", pz->course_max_mm);
            }
        }
        mn__jput_str(j, e, "source", t->item->source);
    }

    json_t *after = mn__jput(j, root, "aftercare", json_array());
    for (int i = 0; i < p->n_aftercare; i++) {
        const mn_plan_aftercare *a = &p->aftercare[i];
        json_t *e = mn__jpush(j, after, json_object());
        mn__jput_str(j, e, "id", a->item->id);
        mn__jput_str(j, e, "kind", aftercare_kind(a->item->kind));
        mn__jput_int(j, e, "day_from", a->day_from);
        mn__jput_int(j, e, "day_to", a->day_to);
        if (a->ongoing)
            mn__jput(j, e, "ongoing", json_true());
        mn__jput_str(j, e, "text", a->item->text);
    }
    if (!treats) {
        /* Cost, projection and risks belong to a treatment that is not given: absent. */
        references_json(j, root, cat, p);
        if (!root)
            j->status = MN_ENOMEM;
        return root;
    }

    json_t *cost = mn__jput(j, root, "cost", json_object());
    mn__jput_num(j, cost, "per_session", p->per_session);
    mn__jput_num(j, cost, "course_total", p->course_total);
    mn__jput_num(j, cost, "maintenance_per_year", round(p->maintenance_per_year * 100) / 100);
    mn__jput_num(j, cost, "horizon_total", p->horizon_total);
    mn__jput_int(j, cost, "horizon_years", p->options.years);
    mn__jput_str(j, cost, "currency", p->client.currency);
    mn__jput_num(j, cost, "maintenance_visits_per_year",
                 round(p->maintenance_visits_per_year * 100) / 100);
    if (p->client.has_course_price)
        mn__jput_num(j, cost, "course_price", p->client.course_price);
    if (!priced(&p->client))
        mn__jput_str(j, cost, "note", no_price_note(&p->client, 1));

    json_t *proj = mn__jput(j, root, "projection", json_object());
    json_t *samples = mn__jput(j, proj, "samples", json_array());
    for (int i = 0; i < p->n_projection; i++) {
        json_t *e = mn__jpush(j, samples, json_object());
        mn__jput_int(j, e, "day", p->projection[i].day);
        mn__jput_num(j, e, "improvement_pct", p->projection[i].improvement_pct);
        mn__jput_num(j, e, "low_pct", p->projection[i].low_pct);
        mn__jput_num(j, e, "high_pct", p->projection[i].high_pct);
    }
    if (p->has_lasting) {
        /* How long will it last: the projection's one set of figures (clinic.h). */
        json_t *pk = mn__jput(j, proj, "peak", json_object());
        mn__jput_int(j, pk, "day", p->lasting_peak_day);
        mn__jput_num(j, pk, "improvement_pct", p->lasting_peak_pct);
        mn__jput_num(j, pk, "low_pct", p->lasting_peak_low_pct);
        mn__jput_num(j, pk, "high_pct", p->lasting_peak_high_pct);
        mn__jput(j, proj, "durability_days",
                 p->lasting_durability_days >= 0 ? json_integer(p->lasting_durability_days)
                                                 : json_null());
        mn__jput(j, proj, "back_to_baseline_day",
                 p->lasting_back_to_baseline_day >= 0
                     ? json_integer(p->lasting_back_to_baseline_day)
                     : json_null());
        mn__jput_num(j, proj, "target_fraction", p->options.target_fraction);
        /* The 10-90 % ranges (DESIGN §8): peak, durability and the interval each virtual
         * person would need; peak.low_pct/high_pct are the peak's range too. */
        mn__jput_num(j, proj, "peak_improvement_pct", p->lasting_peak_pct);
        mn__jput_num(j, proj, "peak_improvement_pct_low", p->lasting_peak_low_pct);
        mn__jput_num(j, proj, "peak_improvement_pct_high", p->lasting_peak_high_pct);
        put_median(j, proj, p);
        mn__jput(j, proj, "durability_days_low",
                 p->lasting_durability_low_days >= 0 ? json_integer(p->lasting_durability_low_days)
                                                     : json_null());
        mn__jput(j, proj, "durability_days_high",
                 p->lasting_durability_high_days >= 0
                     ? json_integer(p->lasting_durability_high_days)
                     : json_null());
        put_baseline_range(j, proj, p->lasting_back_to_baseline_low_day,
                           p->lasting_back_to_baseline_high_day,
                           p->lasting_baseline_beyond_fraction);
        mn__jput_int(j, proj, "maintenance_interval_days_low", p->maintenance_interval_low_days);
        mn__jput_int(j, proj, "maintenance_interval_days_high", p->maintenance_interval_high_days);
        mn__jput_str(j, proj, "range_note", mn_healing_range_note(p->lasting_band_draws));
        mn__jput_validation(j, proj, v);
        if (p->evidence_followup_days > 0) {
            mn__jput_int(j, proj, "evidence_followup_days", p->evidence_followup_days);
            mn__jput_bool(j, proj, "durability_extrapolated", p->lasting_extrapolated);
            mn__jput_bool(j, proj, "baseline_extrapolated", p->lasting_baseline_extrapolated);
        }
        if (p->evidence_shallowest_mm > 0) {
            mn__jput_num(j, proj, "evidence_shallowest_needle_mm", p->evidence_shallowest_mm);
            mn__jput_str(j, proj, "evidence_shallowest_study", p->evidence_shallowest_study);
            mn__jput_str(j, proj, "evidence_shallowest_cite",
                         mn_evidence_bundled_cite(p->evidence_shallowest_study));
            mn__jput_bool(j, proj, "depth_extrapolated", p->depth_extrapolated);
        }
        if (p->evidence_studies >= 0)
            mn__jput_int(j, proj, "evidence_studies", p->evidence_studies);
    }
    mn__jput_int(j, proj, "maintenance_interval_days", p->maintenance_interval_days);
    mn__jput_str(j, proj, "maintenance_source",
                 p->maintenance_from_model ? "model" : "concern_default");
    mn__jput_str(j, proj, "note", p->projection_note);
    zone_projections_json(j, proj, p);
    zones_not_projected_json(j, proj, p);
    summary_json(j, root, p);

    json_t *risk = mn__jput(j, root, "risk", json_object());
    /* "pih" stays the label; its figures: the chance over the course's visits, their band,
     * the phototype, and the cut-offs the label reads (MN_PLAN_PIH_*, clinic.h). */
    mn__jput_str(j, risk, "pih", p->pih_risk);
    /* The grade the text and report show: every category the band reaches (clinic.h). A new
     * key, so "pih" keeps its values and meaning for those who read it. */
    mn__jput_str(j, risk, "pih_grade", p->pih_grade);
    mn__jput_num(j, risk, "pih_probability", p->pih_probability);
    mn__jput_num(j, risk, "pih_probability_low", p->pih_probability_low);
    mn__jput_num(j, risk, "pih_probability_high", p->pih_probability_high);
    mn__jput_int(j, risk, "pih_phototype", p->client.patient.fitzpatrick);
    json_t *cut = mn__jput(j, risk, "pih_cutoffs", json_object());
    mn__jput_num(j, cut, "moderate", MN_PLAN_PIH_MODERATE);
    mn__jput_num(j, cut, "high", MN_PLAN_PIH_HIGH);
    char note[1280];
    snprintf(note, sizeof note,
             "chance of post-inflammatory hyperpigmentation after at least one course visit, "
             "for the typical person of this phototype, by the PIH law "
             "(docs/models/cohort.md), whose rate is per person and visit: each visit counts "
             "once, at the chance of one session on the site it treats with the highest "
             "(zones[].pih_probability is each zone's course, as simulate reports it): an "
             "order of magnitude, a factor of %g either way (the "
             "low and high values); the chance is for the whole course, not per visit; pih is "
             "the middle value's label, low below pih_cutoffs.moderate, high from "
             "pih_cutoffs.high; pih_grade, which the text and report show, names every label "
             "the band reaches (low-moderate when it straddles pih_cutoffs.moderate, "
             "moderate-high when it straddles pih_cutoffs.high), since the law cannot tell "
             "figures inside its band apart (docs/clinic.md)",
             MN_PIH_BAND_FACTOR);
    if (!mn_plan_books(p))
        snprintf(note, sizeof note,
                 "no session is booked (every zone is not booked, zones[].booked), so no one is "
                 "needled: there is no treatment risk to grade (pih is none, pih_grade too) "
                 "and the chance is 0");
    mn__jput_str(j, risk, "pih_note", note);
    json_t *notes = mn__jput(j, risk, "notes", json_array());
    for (int i = 0; i < p->n_risk_notes; i++)
        mn__jpush(j, notes, json_string(p->risk_notes[i]));
    references_json(j, root, cat, p);
    if (!root)
        j->status = MN_ENOMEM;
    return root;
}

/* "Prepared on DATE by CLINIC (PRACTITIONER). Questions: call us on PHONE." as far as known. */
static void clinic_text(mn__buf *b, const mn_plan *p)
{
    char buf[11];
    const mn_client *c = &p->client;
    int any = p->options.has_prepared || c->clinic_name[0] || c->practitioner[0];
    if (any)
        mn__buf_textf(b, "Prepared");
    if (p->options.has_prepared)
        mn__buf_textf(b, " on %s", mn_date_format(p->options.prepared, buf));
    if (c->clinic_name[0])
        mn__buf_textf(b, " by %s", c->clinic_name);
    if (c->practitioner[0])
        mn__buf_textf(b, "%s%s%s", c->clinic_name[0] ? " (" : " by ", c->practitioner,
                      c->clinic_name[0] ? ")" : "");
    if (any)
        mn__buf_textf(b, ".");
    if (c->clinic_phone[0])
        mn__buf_textf(b, "%sQuestions: call us on %s.", any ? " " : "", c->clinic_phone);
    if (any || c->clinic_phone[0])
        mn__buf_textf(b, "\n");
}

/* A plan that treats but books nothing: it says so, and why, in place of the aftercare, cost
 * and projection a booked plan has. */
static void nothing_booked_text(mn__buf *b, const mn_plan *p)
{
    char why[1024];
    mn__buf_textf(b, "\nNo session booked\n  %s\n",
                  mn__plan_nothing_booked_text(p, why, sizeof why));
}

/* A declined or deferred client: the areas asked about, what to do and when to come back. */
static void next_steps_text(mn__buf *b, const mn_plan *p)
{
    char buf[11];
    const mn_screening *s = &p->screening;
    mn__buf_textf(b, "\nAreas you asked about:");
    for (int i = 0; i < p->n_zones; i++)
        mn__buf_textf(b, "%s %s (%s)", i ? "," : "", p->zones[i].zone->name,
                      p->zones[i].concern->name);
    mn__buf_textf(b, "\nNo treatment is planned, so this plan has no needle settings, sessions, "
                     "aftercare, cost or projection.\n");
    mn__buf_textf(b, "\nWhat to do next\n");
    int any = 0;
    for (int i = 0; i < s->n_findings; i++) {
        const char *a = mn__next_step(p, i);
        if (a) {
            mn__buf_textf(b, "  - %s\n", a);
            any = 1;
        }
    }
    if (!any)
        mn__buf_textf(b, "  - %s\n", mn__next_step_default(s->decision));
    if (s->decision == MN_DECISION_DEFER) {
        if (s->has_rescreen && s->rescreen_now)
            mn__buf_textf(b, "  Come back to be checked again now: the wait is over, and your "
                             "answers are to be taken again.\n");
        else if (s->has_rescreen)
            mn__buf_textf(b, "  Come back to be checked again on or after %s.\n",
                          mn_date_format(s->rescreen, buf));
        else
            mn__buf_textf(b, "  No date can be given yet: come back to be checked again when the "
                             "advice above says you can.\n");
    }
    if (p->client.clinic_phone[0])
        mn__buf_textf(b, "  Questions? Call us on %s.\n", p->client.clinic_phone);
}

/* The full citations behind the plan, numbered, at its end. */
static void references_text(mn__buf *b, const mn_catalog *cat, const mn_plan *p)
{
    const mn_reference *refs[MN__MAX_PLAN_REFS];
    int n = mn__plan_references(cat, p, refs);
    if (n > 0)
        mn__buf_textf(b, "\nReferences\n");
    for (int i = 0; i < n; i++)
        mn__buf_textf(b, "  %2d. %s\n", i + 1, refs[i]->citation);
}

/* The days between each zone's course sessions as booked, zones with the same spacing on one
 * line (mn__course_spacing_line(), the report's words too). */
static void course_spacing_text(mn__buf *b, const mn_plan *p)
{
    char line[1024];
    mn__buf_textf(b, "  %s:\n", mn__course_spacing_heading);
    for (int i = 0; i < p->n_zones; i++)
        if (mn__course_spacing_line(p, i, line, sizeof line)[0])
            mn__buf_textf(b, "    %s\n", line);
}

static void plan_text(mn__buf *b, const mn_catalog *cat, const mn_plan *p,
                      const mn_validation_summary *v)
{
    char buf[11], buf2[11];
    const mn_client *c = &p->client;
    mn__buf_textf(b, "mneedle plan%s%s\n", c->name[0] ? " for " : "", c->name);
    clinic_text(b, p);
    mn__buf_textf(b, "Client: %.0f y, %s, Fitzpatrick %d%s", c->patient.age_years,
                  mn_sex_name(c->patient.sex), c->patient.fitzpatrick,
                  c->patient.smoker ? ", smoker" : "");
    if (mn_plan_treats(p)) /* the device is treatment content */
        mn__buf_textf(b, "; device %s; start %s", c->device->name, mn_date_format(c->start, buf));
    mn__buf_textf(b, "\n");
    for (int i = 0; i < p->warnings.n; i++)
        mn__buf_textf(b, "Warning: %s.\n", p->warnings.items[i].message);
    mn__buf_textf(b, "\n");
    screening_text(b, p, &p->client, &p->screening, 0);
    if (!mn_plan_treats(p)) {
        next_steps_text(b, p);
        references_text(b, cat, p);
        return;
    }

    /* Each zone by its name and its concern's, then its settings on a line of their own (a
     * zone not booked has none: its line says why). */
    mn__buf_textf(b, "\nZones and needle depth\n");
    for (int i = 0; i < p->n_zones; i++) {
        const mn_plan_zone *z = &p->zones[i];
        char from[16], to[16], start[16], max[16], more[48] = "";
        mn__buf_textf(b, "  %s: %s\n", z->zone->name, z->concern->name);
        /* A setting prints as the JSON gives it (1.75, 0.25, 1.5), never rounded. The depth is
         * what the course does, up to the deepest setting it reaches; the zone's own maximum
         * follows where the course stops short of it (its line says why), so no setting the
         * course never uses reads as part of it. */
        double top = z->course_max_mm;
        if (top < z->depth_max_mm - 1e-9)
            snprintf(more, sizeof more, " (at most %s mm)",
                     mn__depth_str(max, sizeof max, z->depth_max_mm));
        double from_mm = fmin(z->depth_min_mm, top);
        mn__depth_str(from, sizeof from, from_mm);
        mn__depth_str(to, sizeof to, top);
        mn__depth_str(start, sizeof start, z->depth_start_mm);
        if (z->not_booked)
            ;
        else if (!strcmp(from, to) && !strcmp(start, to)) /* one setting all through */
            mn__buf_textf(b, "      needle %s mm%s; the channels reach about %.0f um\n", to, more,
                          z->course_effective_max_um);
        else
            mn__buf_textf(b,
                          "      needle %s-%s mm%s, starting at %s mm; the channels reach "
                          "about %.0f-%.0f um\n",
                          from, to, more, start, z->effective_depth_um, z->course_effective_max_um);
        mn__buf_textf(b, "      %s\n", z->why);
        if (mn__plan_site_shared(p, i)) {
            char lo[16], hi[16];
            mn__buf_textf(b,
                          "      Treated for more than one concern: one setting per visit, "
                          "%s-%s mm, set by %s (the safer maximum).\n",
                          mn__depth_str(lo, sizeof lo, z->site_start_mm),
                          mn__depth_str(hi, sizeof hi, z->site_max_mm), z->set_by->name);
        }
        if (z->adjusted[0])
            mn__buf_textf(b, "      %s\n", z->adjusted);
    }

    if (p->n_pretreatment > 0) {
        mn__buf_textf(b, "\nBefore your first visit (%s)\n",
                      mn_date_format(p->sessions[0].date, buf));
        for (int i = 0; i < p->n_pretreatment; i++) {
            const mn_plan_pretreatment *t = &p->pretreatment[i];
            if (t->item->days_before == 0)
                mn__buf_textf(b, "  on the day      %s\n", t->text);
            else
                mn__buf_textf(b, "  from %s  %s\n", mn_date_format(t->from, buf2), t->text);
        }
    }

    if (p->n_sessions > 0) {
        char why[160];
        if (p->maintenance_from_model)
            snprintf(why, sizeof why, "set by the collagen model");
        else if (mn__plan_maintenance_raised(p))
            mn__plan_raised_text(p, MN__RAISED_SCHEDULE, why, sizeof why);
        else
            snprintf(why, sizeof why, "the usual interval");
        mn__buf_textf(b, "\nSchedule (%d course session%s, then maintenance)\n",
                      p->n_course_sessions, p->n_course_sessions == 1 ? "" : "s");
        course_spacing_text(b, p);
        mn__buf_textf(b, "  Maintenance: the most frequent every %d days, %s.\n",
                      p->maintenance_interval_days, why);
        /* Where the passes come from, when they are not the concerns' (src/clinic/plan.c). */
        if (c->device->kind == MN_DEVICE_ROLLER)
            mn__buf_textf(b,
                          "  Passes: %g per zone, this roller's usual count (device catalogue);"
                          "\n    a pen would make each concern's usual passes.\n",
                          c->device->passes);
        if (p->sessions[0].numbing_min > 0)
            mn__buf_textf(b,
                          "  Numbing: the cream goes on intact skin for the time shown, before "
                          "needling,\n    never after it (not on open skin), on at most "
                          "%.0f cm2 at a time.\n",
                          MN_PLAN_NUMBING_MAX_CM2);
        else
            mn__buf_textf(b, "  Numbing: none (see the screening above).\n");
        for (int i = 0; i < p->n_sessions; i++) {
            const mn_plan_session *s = &p->sessions[i];
            static const char *const wd[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
            char numb[48];
            if (s->numbing_min > 0)
                snprintf(numb, sizeof numb, "numbing %.0f min before", s->numbing_min);
            else
                snprintf(numb, sizeof numb, "no numbing");
            mn__buf_textf(b, "  %2d  %s %s  %-11s  %s + treatment %.0f min\n", s->number,
                          wd[mn_date_weekday(s->date)], mn_date_format(s->date, buf),
                          s->phase == MN_PHASE_COURSE ? "course" : "maintenance", numb,
                          s->treatment_min);
            if (s->numbing_in_turns)
                mn__buf_textf(b,
                              "      Numb at most %.0f cm2 at a time: this visit treats %.0f cm2, "
                              "so numb\n      and treat the areas in turns, or split the "
                              "visit.\n",
                              MN_PLAN_NUMBING_MAX_CM2, s->numbing_area_cm2);
            /* The settings under the visit, wrapped to an 80-column terminal. */
            int col = 0;
            for (int k = 0; k < s->n_settings; k++) {
                char d[16], piece[96];
                const mn_plan_setting *set = &s->settings[k];
                int n = snprintf(piece, sizeof piece, "%s %s mm (%g passes)%s",
                                 p->zones[set->zone].zone->name,
                                 mn__depth_str(d, sizeof d, set->depth_mm), set->passes,
                                 k + 1 < s->n_settings ? ";" : "");
                if (n < 0)
                    n = 0;
                if (col > 0 && col + 1 + n > SCHEDULE_WIDTH) {
                    mn__buf_textf(b, "\n");
                    col = 0;
                }
                mn__buf_textf(b, "%s%s", col ? " " : SCHEDULE_INDENT, piece);
                col += col ? 1 + n : (int)strlen(SCHEDULE_INDENT) + n;
            }
            if (col)
                mn__buf_textf(b, "\n");
        }
    }

    if (!mn_plan_books(p)) {
        nothing_booked_text(b, p);
        if (p->n_risk_notes > 0)
            mn__buf_textf(b, "\nGood to know\n");
        for (int i = 0; i < p->n_risk_notes; i++)
            mn__buf_textf(b, "  - %s\n", p->risk_notes[i]);
        references_text(b, cat, p);
        return;
    }

    mn__buf_textf(b, "\nAftercare after each session (day 0 = treatment day)\n");
    static const char *const heads[] = {"Do", "Avoid", "What to expect", "Call us if"};
    for (int kind = 0; kind < 4; kind++) {
        int any = 0;
        for (int i = 0; i < p->n_aftercare; i++) {
            const mn_plan_aftercare *a = &p->aftercare[i];
            if ((int)a->item->kind != kind)
                continue;
            if (!any)
                mn__buf_textf(b, "  %s:\n", heads[kind]);
            any = 1;
            if (a->ongoing)
                mn__buf_textf(b, "    every day, all through the course and after it: %s\n",
                              a->item->text);
            else if (a->day_from == a->day_to)
                mn__buf_textf(b, "    day %d      %s\n", a->day_from, a->item->text);
            else
                mn__buf_textf(b, "    days %d-%-3d %s\n", a->day_from, a->day_to, a->item->text);
        }
    }

    if (c->clinic_phone[0])
        mn__buf_textf(b, "  Call us on %s if anything worries you.\n", c->clinic_phone);

    mn__buf_textf(b, "\nCost (%s)\n", c->currency);
    if (priced(c)) {
        if (c->price_per_session > 0 && c->n_prices == 0 && !c->has_face_price &&
            !c->has_body_price)
            mn__buf_textf(b, "  per session %.2f; ", p->per_session);
        else
            mn__buf_textf(b, "  priced per area treated; ");
        mn__buf_textf(b,
                      "course %.2f%s; maintenance about %.2f a year (%.1f visits); "
                      "%d-year total %.2f\n",
                      p->course_total, c->has_course_price ? " (package)" : "",
                      p->maintenance_per_year, p->maintenance_visits_per_year, p->options.years,
                      p->horizon_total);
    } else {
        mn__buf_textf(b, "  %s\n", no_price_note(c, 0));
    }

    mn__buf_textf(b, "\nHow long will it last?\n");
    /* More than one zone treated and one projected: each on its own line (those not projected
     * with their reason), then the detail of the one whose curve is shown (the note and the
     * samples below). Without a curve the note says why, then each zone's reason. */
    char line[1024];
    int listed = p->n_zone_projections + p->n_zones_not_projected > 1;
    if (listed && p->has_lasting) {
        mn__buf_textf(b,
                      "  Each treated zone, simulated%s (not a promised "
                      "result):\n",
                      p->n_zones_not_projected ? " where the model projects it" : "");
        for (int k = 0; k < p->n_zone_projections; k++)
            mn__buf_textf(
                b, "  - %s\n",
                mn__plan_zone_projection_text(p, &p->zone_projections[k], 1, line, sizeof line));
        for (int k = 0; k < p->n_zones_not_projected; k++)
            mn__buf_textf(
                b, "  - %s\n",
                mn__plan_zone_unprojected_text(p, &p->zones_not_projected[k], line, sizeof line));
        if (p->n_zone_projections > 1)
            mn__buf_textf(b,
                          "  In detail, the %s (%s), whose interval is the shortest and sets %s:\n",
                          p->zones[p->lasting_zone].zone->name,
                          p->zones[p->lasting_zone].concern->name, mn__plan_sets_interval_text(p));
        else
            mn__buf_textf(b, "  In detail, the %s (%s), the only zone projected:\n",
                          p->zones[p->lasting_zone].zone->name,
                          p->zones[p->lasting_zone].concern->name);
    }
    mn__buf_textf(b, "  %s\n", p->projection_note_text);
    if (p->has_lasting) {
        char said[400];
        mn__buf_textf(b, "  %s\n", mn__validation_sentence(v, said, sizeof said));
    }
    if (listed && !p->has_lasting) {
        mn__buf_textf(b, "  Each treated zone:\n");
        for (int k = 0; k < p->n_zones_not_projected; k++)
            mn__buf_textf(
                b, "  - %s\n",
                mn__plan_zone_unprojected_text(p, &p->zones_not_projected[k], line, sizeof line));
    }
    if (p->n_projection > 0) {
        /* Every ~3 months and the last sample: the JSON and the figure carry them all. */
        int last_day = -1000, starred = 0;
        for (int i = 0; i < p->n_projection; i++) {
            const mn_projection_sample *s = &p->projection[i];
            if (s->day - last_day < 84 && i != p->n_projection - 1)
                continue;
            last_day = s->day;
            int widened = sample_range_widened(s);
            starred |= widened;
            /* Whole percent, as the report and the figure give them (the JSON has all). */
            mn__buf_textf(b, "    day %4d: %3.0f %% improvement (range %.0f-%.0f %%)%s\n", s->day,
                          no_neg_zero(s->improvement_pct), no_neg_zero(s->low_pct),
                          no_neg_zero(s->high_pct), widened ? "*" : "");
        }
        if (starred)
            mn__buf_textf(b, "    *: the typical person lies outside the range of the people drawn "
                             "from the evidence fit\n      on that day; the range is widened to "
                             "reach it.\n");
    }
    mn__buf_textf(b, "\nRisks\n");
    for (int i = 0; i < p->n_risk_notes; i++)
        mn__buf_textf(b, "  - %s\n", p->risk_notes[i]);
    if (p->n_sessions > 0) {
        const mn_plan_session *last = &p->sessions[p->n_sessions - 1];
        mn__buf_textf(b,
                      "\nPlanned visits run from %s to %s. Results are a simulation with "
                      "uncertainty, not a promise.\n",
                      mn_date_format(p->sessions[0].date, buf), mn_date_format(last->date, buf2));
    }
    references_text(b, cat, p);
}

mn_status mn_plan_write(mn_ctx *ctx, const mn_plan *plan, int json, mn_writer write, void *userdata)
{
    if (!ctx || !plan || !write)
        return mn__error(ctx, MN_EINVAL, "mn_plan_write: NULL argument");
    /* How far the model has been borne out, said beside the projection (validation_note.h). */
    mn_validation_summary v;
    mn_status st = mn_evidence_validation_summary(ctx, &v);
    if (st)
        return st;
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = plan_json(&j, mn_ctx_catalog(ctx), plan, &v);
        return mn__json_finish(ctx, &j, root, "plan", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    plan_text(&b, mn_ctx_catalog(ctx), plan, &v);
    return emit_text(ctx, &b, write, userdata);
}
