/*
 * Screening: every rule in data/rules.json applied to the client. The aggregate decision is
 * the most severe finding: decline > defer > proceed_with_caution > proceed (DESIGN 3.6). A
 * deferral names the earliest re-screen date when every deferring finding knows one.
 *
 * The screening day (mn_client.screen_date: the plan's preparation day, or today for screen)
 * bounds the answers: a history.date after it is an input error, answers older than the
 * validity of rules.json's history_older_months rule defer until they are taken again, and a
 * re-screen date already past becomes that day ("re-screen now"), never a date in the past.
 */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "data/catalog_internal.h"
#include "mneedle/clinic.h"

const char *mn_decision_name(mn_decision d)
{
    switch (d) {
    case MN_DECISION_PROCEED:
        return "proceed";
    case MN_DECISION_CAUTION:
        return "proceed_with_caution";
    case MN_DECISION_DEFER:
        return "defer";
    case MN_DECISION_DECLINE:
        return "decline";
    }
    return "unknown";
}

/* Fills @p f's zones with every treated zone among the rule's zones, once each, in the
 * client's order; returns 0 when the rule names zones and the client treats none of them (the
 * rule does not apply), else 1. A rule without zones applies everywhere and names none. */
static int mn__rule_zones(const mn_rule *r, const mn_client *c, mn_finding *f)
{
    f->n_zones = 0;
    f->zone = NULL;
    if (r->n_zones == 0)
        return 1;
    for (int i = 0; i < c->n_concerns; i++)
        for (int z = 0; z < c->concerns[i].n_zones; z++)
            for (int k = 0; k < r->n_zones; k++) {
                if (strcmp(c->concerns[i].zones[z]->id, r->zones[k]))
                    continue;
                int seen = 0;
                for (int m = 0; m < f->n_zones; m++)
                    seen |= f->zones[m] == r->zones[k];
                if (!seen && f->n_zones < MN_MAX_ZONES)
                    f->zones[f->n_zones++] = r->zones[k];
            }
    f->zone = f->n_zones ? f->zones[0] : NULL;
    return f->n_zones > 0;
}

mn_status mn_screen(mn_ctx *ctx, const mn_client *client, mn_screening *out)
{
    if (!ctx || !client || !out)
        return mn__error(ctx, MN_EINVAL, "mn_screen: NULL argument");
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    memset(out, 0, sizeof *out);
    out->decision = MN_DECISION_PROCEED;
    int all_known = 1, any_defer = 0;
    /* Months and weeks ago count back from the day the answers were given, not from the
     * planned start, so a re-screen date does not move with the start. */
    mn_date asked = client->has_history_date ? client->history_date : client->start;
    int today_known = client->has_screen_date;
    mn_date today = client->screen_date;
    if (client->has_history && client->has_history_date && today_known && asked > today) {
        char a[11], t[11];
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.history.date: %s is after %s, the day of this screening; "
                         "expected the day the questions were answered, on or before it",
                         client->src[0] ? client->src : "client", mn_date_format(asked, a),
                         mn_date_format(today, t));
    }
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *r = mn_catalog_rule_at(cat, i);
        int hit = 0, has_until = 0, idx = -1, ongoing = 0;
        mn_date until = 0;
        if (r->kind == MN_RULE_FLAG || r->kind == MN_RULE_MONTHS_AGO ||
            r->kind == MN_RULE_WEEKS_AGO || r->kind == MN_RULE_MONTHS_AGO_AT_LEAST) {
            idx = mn_history_find(r->flag);
            if (idx < 0 || mn_history_is_numeric((mn_history_item)idx) != (r->kind != MN_RULE_FLAG))
                return mn__error(ctx, MN_EPARSE,
                                 "rules.json: rule %s refers to \"%s\", which is not a %s history "
                                 "item",
                                 r->code, r->flag, r->kind == MN_RULE_FLAG ? "boolean" : "numeric");
        }
        switch (r->kind) {
        case MN_RULE_FLAG:
            hit = client->history_set[idx] && client->history[idx] != 0;
            if (hit && mn__rule_defer_days(cat, r) > 0) {
                has_until = 1;
                until = asked + mn__rule_defer_days(cat, r);
            }
            break;
        case MN_RULE_MONTHS_AGO:
            hit = client->history_set[idx] && client->history[idx] < r->threshold;
            ongoing = hit && r->ongoing_at_zero && client->history[idx] == 0;
            if (hit && !ongoing) {
                /* Whole months left, rounded up, so the wait is never cut short. */
                has_until = 1;
                until = mn_date_add_months(asked, (int)ceil(r->threshold - client->history[idx]));
            }
            break;
        case MN_RULE_WEEKS_AGO:
            hit = client->history_set[idx] && client->history[idx] < r->threshold;
            ongoing = hit && r->ongoing_at_zero && client->history[idx] == 0;
            if (hit && !ongoing) {
                has_until = 1;
                until = asked + (mn_date)ceil((r->threshold - client->history[idx]) * 7);
            }
            break;
        case MN_RULE_PHOTOTYPE_GE:
            hit = client->patient.fitzpatrick >= (int)r->threshold;
            break;
        case MN_RULE_AGE_GE:
            hit = client->patient.age_years >= r->threshold;
            break;
        case MN_RULE_AGE_LT:
            hit = client->patient.age_years < r->threshold;
            break;
        case MN_RULE_MONTHS_AGO_AT_LEAST:
            hit = client->history_set[idx] && client->history[idx] >= r->threshold;
            break;
        case MN_RULE_HISTORY_OLDER_MONTHS:
            /* Older than the validity: the answers are renewed now, so the date is today. */
            hit = client->has_history && today_known &&
                  today > mn_date_add_months(asked, (int)r->threshold);
            if (hit && r->severity == MN_SEVERITY_DEFER) {
                has_until = 1;
                until = today;
            }
            break;
        case MN_RULE_SMOKER:
            hit = client->patient.smoker;
            break;
        case MN_RULE_NO_HISTORY:
            /* Never asked is not "asked, and the answer was no". */
            hit = !client->has_history;
            break;
        }
        if (hit && r->unless) {
            int u = mn_history_find(r->unless);
            if (u < 0 || mn_history_is_numeric((mn_history_item)u))
                return mn__error(ctx, MN_EPARSE,
                                 "rules.json: rule %s: unless \"%s\" is not a boolean history "
                                 "item",
                                 r->code, r->unless);
            hit = !(client->history_set[u] && client->history[u] != 0);
        }
        if (!hit)
            continue;
        mn_finding found = {0};
        if (!mn__rule_zones(r, client, &found))
            continue;
        if (out->n_findings >= MN_MAX_FINDINGS)
            return mn__error(ctx, MN_ELIMIT, "more than %d screening findings", MN_MAX_FINDINGS);
        mn_finding *f = &out->findings[out->n_findings++];
        *f = found;
        f->rule = r;
        f->code = r->code;
        f->severity = r->severity;
        f->message = r->message;
        f->has_until = has_until && r->severity == MN_SEVERITY_DEFER;
        f->until = until;
        f->ongoing = ongoing;
        f->passed = f->has_until && today_known && until <= today;
        mn_decision d = r->severity == MN_SEVERITY_DECLINE ? MN_DECISION_DECLINE
                        : r->severity == MN_SEVERITY_DEFER ? MN_DECISION_DEFER
                                                           : MN_DECISION_CAUTION;
        if (d > out->decision)
            out->decision = d;
        if (r->severity == MN_SEVERITY_DEFER) {
            any_defer = 1;
            if (!f->has_until)
                all_known = 0;
            else if (f->until > out->rescreen)
                out->rescreen = f->until;
        }
    }
    out->has_rescreen = out->decision == MN_DECISION_DEFER && any_defer && all_known;
    if (!out->has_rescreen)
        out->rescreen = 0;
    out->has_day = today_known;
    out->day = today_known ? today : 0;
    /* A wait already over by the screening day: check again now, not on a day gone by. */
    if (out->has_rescreen && today_known && out->rescreen <= today) {
        out->rescreen = today;
        out->rescreen_now = 1;
    }
    return MN_OK;
}
