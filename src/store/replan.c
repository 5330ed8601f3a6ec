/*
 * Replanning a client from their record.
 *
 * Remaining visits. The k-th session done stands for the k-th planned visit (history.c); the
 * visits left keep the plan's spacing from the last real date, and each zone's setting goes on
 * with the plan's titration, never below the last depth used there within the protocol (a
 * depth done off protocol is not carried on) and never above the plan's maximum for the site.
 *
 * Response. The stored plan's projection f(t) is the typical person's improvement (% of
 * baseline severity) t days after the first session. This client's is taken as g f(t), g their
 * response gain: the healing model's response_gain multiplier (healing.h), the one
 * inter-individual parameter that scales the improvement. Until the outcome model's
 * observation models replace it, the update is:
 *   prior      ln g ~ N(0, RESPONSE_GAIN_SD_LOG^2)     (healing.h: sd_log 0.35, F19, F26, F32)
 *   likelihood y_i ~ N(min(g f(t_i), 100), SCORE_SD_PCT^2)  for each score turned into improvement
 *   posterior  exact on a grid of ln g (GRID points over +-GRID_HALF_WIDTH)
 * where y_i = (baseline - score) / (baseline - best) x 100 on a scale whose lower scores are
 * better (or the mirror image on one whose higher are), the baseline being the last score on
 * or before the first session. Only severity scales are used (a change scale such as GAIS
 * rates improvement itself but not on this % scale). Scores taken 1 to SCORE_SETTLE_DAYS days
 * after a session are set aside: they rate the wound's swelling and redness, not the collagen
 * f describes. With each score the posterior narrows.
 * The client's improvement, its range and the likelihood's mean are bounded at 100 %: the
 * concern gone (IMPROVEMENT_MAX_PCT).
 *
 * Maintenance. Between the typical person's peak (day t_pk, improvement P) and their
 * maintenance day t_p, where they fall to the target fraction F of the peak, f is taken as an
 * exponential decline, f = P exp(-lambda (t - t_pk)) with lambda = ln(1/F) / (t_p - t_pk). The
 * client's g f falls to the same level F P at
 *   t_c = t_pk + (t_p - t_pk) ln(g / F) / ln(1 / F),
 * so a better responder is due later and a poorer one sooner; the interval moves by t_c - t_p
 * and stays within the clinic bounds of the projection (90 to 365 days, healing.h). The next
 * maintenance is due that interval after the course, or after the last maintenance visit done.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mneedle/device.h"
#include "mneedle/healing.h"
#include "store/store_internal.h"
#include "store/words.h"

/* sd of ln(response_gain) between people: healing.h, mn_healing_variability.response_gain
 * (0.35, from F19a/b, F26a/b, F32a). */
#define RESPONSE_GAIN_SD_LOG 0.35
/* Noise of one score once turned into improvement, in percentage points [judgement]: raters
 * disagree by about one grade on 4- to 10-grade scales, i.e. 10-25 % of the range; 10 points
 * is the optimistic end, so the band narrows as fast as the scores allow. docs/records.md. */
#define SCORE_SD_PCT 10.0
/* Improvement is a percentage of the baseline severity, so 100 is the concern gone: no client
 * improves by more, however high their response gain (definition; docs/records.md). */
#define IMPROVEMENT_MAX_PCT 100.0
/* Days after a session during which a score is set aside, not used [F70: expected transient
 * reactions to microneedling, erythema and oedema among them, last up to 7 days; Chu et al.,
 * Dermatol Surg 2021, a systematic review of 85 articles]. Swelling fills out lines and scars
 * and redness changes how they are rated, so such a score measures the wound, not the collagen
 * the projection follows. Set aside rather than down-weighted: no source gives a weight
 * [judgement]. A score on a session's own day counts as taken before it, as the baseline does.
 * docs/records.md. */
#define SCORE_SETTLE_DAYS 7
#define GRID              1201
#define GRID_HALF_WIDTH   3.0 /* ln g in [-3, 3]: gains from 0.05 to 20, far beyond the prior */

/* An open adverse event holds the visits left [JUDGEMENT]: no source found gives a rule for
 * needling again after an adverse event. Two kinds of open event hold:
 *  - one the clinician graded severe, whatever it is: the screening rules defer needling over
 *    an active infection (MN-INFECTION, seed article 001) and open wounds (MN-OPEN-WOUND, seed
 *    article 002), and the same caution is taken for any severe event;
 *  - one of a kind the catalogue marks "holds": "any-severity" (data/adverse_events.json gives
 *    each its reason in "holds_source"): an infection or a cold sore, which screening defers
 *    whatever their grade while active (MN-INFECTION, MN-COLD-SORE), and the persistent kinds
 *    (post-inflammatory hyperpigmentation, tram-track scarring, granuloma, F70), which another
 *    session's inflammation can only add to.
 * Each holds until its resolved date is recorded or a session is recorded with --override (a
 * clinician who judges a lighter session safe says why). The record is append-only: an event
 * is resolved by recording it again (the same event, the same date it began) with its
 * resolved date (resolved_later below). Other open events (mild or moderate, of a transient
 * kind or free text) are listed, not held on: they are expected to pass (F70: within 7 days). */
int mn__store_event_holds(mn_ctx *ctx, const char *event, const char *severity)
{
    if (!strcmp(severity, "severe"))
        return 1;
    const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(mn_ctx_catalog(ctx), event);
    return k && k->holds_any_severity;
}

/* An open event as a hold reason names it, "EVENT since DATE": with @p by_name (every text a
 * clinician reads: the commands' text, the workstation's pages) a kind by its name; without
 * (the JSON and CSV of the commands, which keep the ids) by the id it is recorded by. Free
 * text is itself either way. */
static void event_since(mn_ctx *ctx, int by_name, const char *event, const char *date, char *out,
                        size_t size)
{
    const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(mn_ctx_catalog(ctx), event);
    snprintf(out, size, "%.120s since %.10s", by_name && k ? k->name : event, date);
}

void mn__store_hold_reason(mn_ctx *ctx, const char *event, const char *severity, const char *what,
                           char *out, size_t size)
{
    const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(mn_ctx_catalog(ctx), event);
    if (!strcmp(severity, "severe") || !k)
        snprintf(out, size, "a severe adverse event is open: %s", what);
    else
        snprintf(out, size, "an open %s (%s) holds visits whatever its grade: %s", k->name,
                 severity, what);
}

mn_status mn__store_open_holding(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, const char *on,
                                 int *found, char *why, size_t size, char *why_text,
                                 size_t text_size)
{
    *found = 0;
    if (size)
        why[0] = '\0';
    if (why_text && text_size)
        why_text[0] = '\0';
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare_kept(
        ctx, s,
        "SELECT event, date, severity FROM (SELECT e.id, e.event, e.date, e.severity,"
        "  coalesce(e.resolved, (SELECT min(r.resolved) FROM adverse_events r"
        "   WHERE r.client = e.client AND r.event = e.event AND r.date = e.date)) AS res"
        " FROM adverse_events e WHERE e.client = ?1"
        "  AND e.event <> 'none' AND (?2 IS NULL OR e.date <= ?2))"
        " WHERE res IS NULL OR res > ?2 ORDER BY date, id",
        &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, client);
    if (on)
        sqlite3_bind_text(q, 2, on, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *event = (const char *)sqlite3_column_text(q, 0);
        const char *severity = (const char *)sqlite3_column_text(q, 2);
        if (!event || !severity || !mn__store_event_holds(ctx, event, severity))
            continue;
        char what[160];
        const char *date = (const char *)sqlite3_column_text(q, 1);
        event_since(ctx, s->words == MN_STORE_WORDS_WEB, event, date ? date : "", what,
                    sizeof what);
        mn__store_hold_reason(ctx, event, severity, what, why, size);
        if (why_text) {
            event_since(ctx, 1, event, date ? date : "", what, sizeof what);
            mn__store_hold_reason(ctx, event, severity, what, why_text, text_size);
        }
        *found = 1;
        break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = mn__store_fail(ctx, s, "cannot read adverse events");
    mn__store_done(s, q);
    return st;
}

mn_status mn__store_client_hold(mn_ctx *ctx, mn_store *s, const char *client_id, mn_date seen,
                                mn_date asked, int *held, char *why, size_t size, char *why_text,
                                size_t text_size, mn_store_screening *sc)
{
    *held = MN__HOLD_NONE;
    why[0] = why_text[0] = '\0';
    sqlite3_int64 num;
    int holding = 0;
    char ev[224], ev_text[320];
    mn_store_screening own;
    if (!sc)
        sc = &own;
    mn_status st = mn__store_client_num(ctx, s, client_id, &num);
    if (!st)
        st = mn__store_open_holding(ctx, s, num, NULL, &holding, ev, sizeof ev, ev_text,
                                    sizeof ev_text);
    if (!st)
        st = mn__store_client_screen_on(ctx, s, client_id, seen, asked, sc);
    if (st)
        return st;
    if (sc->decision_besides_age >= MN_DECISION_DEFER) {
        *held = MN__HOLD_SCREENING;
        snprintf(why, size, "screening of the client's current record: %s (%.180s)",
                 mn_decision_name(sc->decision_besides_age), sc->codes_besides_age);
        snprintf(why_text, text_size, "screening of the client's current record: %s (%.700s)",
                 mn_decision_name(sc->decision_besides_age), sc->names_besides_age);
    } else if (holding) {
        *held = MN__HOLD_EVENT;
        snprintf(why, size, "%s, with no resolved date", ev);
        snprintf(why_text, text_size, "%s, with no resolved date", ev_text);
    }
    return MN_OK;
}

/* 1 when event i of the history, recorded without a resolved date, was recorded again later
 * (the same event, the same date it began) with one: resolved since. */
static int resolved_later(const mn_store_history *h, int i)
{
    const mn_store_adverse_event *e = &h->events[i];
    for (int k = 0; k < h->n_events; k++)
        if (k != i && h->events[k].resolved && h->events[k].date == e->date &&
            !strcmp(h->events[k].event, e->event))
            return 1;
    return 0;
}

/* Slack for decimal input against computed settings, as record session allows (records.c). */
#define SETTING_SLACK 1e-6

/* The depth the plan gives @p zone at visit @p i (0-based; at or beyond its visits, its last):
 * that of the latest visit up to it treating the zone (a site listed for two concerns at a
 * visit: the lighter), -1 when none does. */
static double planned_depth(const mn_store_history *h, const char *zone, int i)
{
    if (i >= h->n_planned)
        i = h->n_planned - 1;
    for (; i >= 0; i--) {
        double d = -1;
        for (int z = 0; z < h->planned[i].n_settings; z++)
            if (!strcmp(h->planned[i].settings[z].zone, zone) &&
                (d < 0 || h->planned[i].settings[z].depth_mm < d))
                d = h->planned[i].settings[z].depth_mm;
        if (d >= 0)
            return d;
    }
    return -1;
}

/* 1 when planned visit @p i treats @p zone. */
static int visit_treats(const mn_store_history *h, const char *zone, int i)
{
    for (int z = 0; i < h->n_planned && z < h->planned[i].n_settings; z++)
        if (!strcmp(h->planned[i].settings[z].zone, zone))
            return 1;
    return 0;
}

/* 1 when session @p x treated @p zone, with the depth used there in *depth (may be NULL). */
static int session_treats(const mn_store_session *x, const char *zone, double *depth)
{
    for (int j = 0; j < x->n_zones; j++)
        if (!strcmp(x->zones[j].zone, zone)) {
            if (depth)
                *depth = x->zones[j].depth_mm;
            return 1;
        }
    return 0;
}

/* How far below the depth used a step-down asks the device to snap: any amount under its
 * smallest setting step, so mn_device_snap_down() gives the next shorter setting rather than
 * the same one (a tolerance, in mm; the bundled devices step by 0.1 mm or more, or by whole
 * needle lengths, data/devices.json). The same tolerance above the plan's rise keeps a sum of
 * settings on its own setting when snapped down. */
#define STEP_BELOW_USED_MM 1e-6

/* The rule (store_internal.h, docs/records.md "Replan"): after an event of a kind the
 * catalogue steps down after (data/adverse_events.json "after": "step-down", with its reason:
 * post-inflammatory hyperpigmentation, a judgement), the first visit on a zone the session it
 * followed treated is set one step of that session's device below the depth used there
 * (mn_device_snap_down: its depth step, or its next shorter needle length; at the shortest,
 * that setting), and the visits after it rise from there by the plan's own steps for the zone,
 * never back to the plan's depths. Read by replan (the visits left) and by record session (the
 * deepest a session may go without --override), so both hold the same setting. */
int mn__store_step_down(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                        mn_date on, mn__store_step *out)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    int n = 0; /* the sessions before the visit */
    while (n < h->n_sessions && n < visit && (!on || h->sessions[n].date < on))
        n++;
    int found = 0;
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        if (on && e->date > on)
            continue;
        const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(cat, e->event);
        if (!k || !k->step_down_after)
            continue;
        int s = e->session_number - 1;
        if (s < 0)
            for (int d = 0; d < n; d++)
                if (h->sessions[d].date <= e->date)
                    s = d;
        double used;
        if (s < 0 || s >= n || !session_treats(&h->sessions[s], zone, &used))
            continue;
        /* The first visit on the zone after it: a session since that treated it, else the
         * first visit left that treats it, else this one. */
        int first = -1;
        for (int d = s + 1; d < n && first < 0; d++)
            if (session_treats(&h->sessions[d], zone, NULL))
                first = d;
        for (int d = n; first < 0 && d < visit; d++)
            if (visit_treats(h, zone, d))
                first = d;
        if (first < 0)
            first = visit;
        const mn_device *dev = mn_catalog_find_device(cat, h->sessions[s].device);
        double down = dev ? mn_device_snap_down(dev, used - STEP_BELOW_USED_MM) : -1;
        double stepped = down > 0 ? down : used, max = stepped;
        if (first != visit) {
            double a = planned_depth(h, zone, first), b = planned_depth(h, zone, visit);
            if (a >= 0 && b > a)
                max += b - a;
            double snapped = dev ? mn_device_snap_down(dev, max + STEP_BELOW_USED_MM) : -1;
            if (snapped > 0)
                max = snapped;
        }
        if (!found || max < out->max_mm) {
            out->max_mm = max;
            out->stepped = stepped;
            out->used = used;
            out->session = s + 1;
            out->first_visit = first + 1;
            out->at_first = first == visit;
            out->shortest = !(down > 0);
            out->event_date = e->date;
            out->kind_name = k->name;
            found = 1;
        }
    }
    return found;
}

int mn_store_step_down_max(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                           mn_date on, double *max_mm)
{
    mn__store_step sd;
    if (!h || !zone || !max_mm || !mn__store_step_down(ctx, h, zone, visit, on, &sd))
        return 0;
    *max_mm = sd.max_mm;
    return 1;
}

/* Appends @p line to @p buf ("; " between). */
static void append_sentence(char *buf, size_t size, const char *line)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? "; " : "", line);
}

int mn_store_rise_max(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                      mn_store_rise *out)
{
    if (!h || !zone || !out)
        return 0;
    const mn_store_zone_rise *rise = NULL;
    for (int k = 0; k < h->n_rises; k++)
        if (!strcmp(h->rises[k].zone, zone))
            rise = &h->rises[k];
    if (!rise || rise->rise_mm <= 0)
        return 0;
    int n = h->n_sessions < visit ? h->n_sessions : visit, last = -1;
    double used = 0;
    for (int d = 0; d < n; d++)
        if (session_treats(&h->sessions[d], zone, &used))
            last = d;
    if (last < 0)
        return 0;
    session_treats(&h->sessions[last], zone, &used);
    /* This visit and each visit left before it that treats the zone: one rise each. */
    int visits = 1;
    for (int d = n; d < visit; d++)
        visits += visit_treats(h, zone, d);
    double max = used + visits * rise->rise_mm;
    const mn_device *dev = mn_catalog_find_device(mn_ctx_catalog(ctx), h->sessions[last].device);
    double snapped = dev ? mn_device_snap_down(dev, max + STEP_BELOW_USED_MM) : -1;
    out->max_mm = snapped > 0 ? snapped : max;
    out->rise_mm = rise->rise_mm;
    out->last_mm = used;
    out->last_date = h->sessions[last].date;
    out->last_session = last + 1;
    out->visits = visits;
    return 1;
}

/* Holds a visit left's setting on a zone to the plan's rise per visit above the last session
 * on it (mn_store_rise_max), saying so in r->rise_held at the first visit it holds. */
static void rise_after_last(mn_ctx *ctx, const mn_store_history *h, int k,
                            const mn_store_planned_visit *v, mn_store_setting *set,
                            mn_store_replan *r)
{
    mn_store_rise rise;
    if (!mn_store_rise_max(ctx, h, set->zone, k, &rise) ||
        set->depth_mm <= rise.max_mm + SETTING_SLACK)
        return;
    double was = set->depth_mm;
    set->depth_mm = rise.max_mm;
    char said[40], since[16], line[400];
    snprintf(said, sizeof said, "; %s: ", set->zone);
    if (!strncmp(r->rise_held, said + 2, strlen(said + 2)) || strstr(r->rise_held, said))
        return; /* said at its first such visit */
    snprintf(line, sizeof line,
             "%s: %.2f mm at visit %d, not %.2f mm: at most %.2f mm a visit above the %.2f mm "
             "of session %d (%s)",
             set->zone, set->depth_mm, v->number, was, rise.rise_mm, rise.last_mm,
             rise.last_session, mn_date_format(rise.last_date, since));
    append_sentence(r->rise_held, sizeof r->rise_held, line);
}

/* Sets a visit left's setting on a zone no deeper than the step-down after an adverse event
 * allows (mn__store_step_down), saying so in r->step_down at the step and in
 * r->step_down_carried at the first visit after it that the step keeps below its setting. */
static void step_down_after_event(mn_ctx *ctx, const mn_store_history *h, int k,
                                  const mn_store_planned_visit *v, mn_store_setting *set,
                                  mn_store_replan *r)
{
    mn__store_step sd;
    if (!mn__store_step_down(ctx, h, set->zone, k, 0, &sd))
        return;
    double was = set->depth_mm;
    if (set->depth_mm > sd.max_mm)
        set->depth_mm = sd.max_mm;
    char since[16], line[400];
    mn_date_format(sd.event_date, since);
    if (sd.at_first) {
        if (!sd.shortest)
            snprintf(line, sizeof line,
                     "%s: %.2f mm at visit %d, one setting below the %.2f mm of session %d, "
                     "after the %s recorded on %s",
                     set->zone, set->depth_mm, v->number, sd.used, sd.session, sd.kind_name, since);
        else
            snprintf(line, sizeof line,
                     "%s: %.2f mm at visit %d, as session %d (the device's shortest setting: no "
                     "step lower), after the %s recorded on %s",
                     set->zone, set->depth_mm, v->number, sd.session, sd.kind_name, since);
        append_sentence(r->step_down, sizeof r->step_down, line);
        return;
    }
    if (set->depth_mm >= was - SETTING_SLACK)
        return;
    char said[40];
    snprintf(said, sizeof said, "; %s: ", set->zone);
    if (!strncmp(r->step_down_carried, said + 2, strlen(said + 2)) ||
        strstr(r->step_down_carried, said))
        return; /* said at its first such visit */
    snprintf(line, sizeof line,
             "%s: %.2f mm at visit %d, not %.2f mm: rising by the plan's own steps from the "
             "%.2f mm it was stepped down to at visit %d after the %s recorded on %s",
             set->zone, set->depth_mm, v->number, was, sd.stepped, sd.first_visit, sd.kind_name,
             since);
    append_sentence(r->step_down_carried, sizeof r->step_down_carried, line);
}

/* f at day t, linear between samples, flat beyond them. */
static double interp(const mn_store_replan_sample *s, int n, double t)
{
    if (n == 0)
        return 0;
    if (t <= s[0].day)
        return s[0].population_pct;
    for (int i = 1; i < n; i++)
        if (t <= s[i].day) {
            double w = (t - s[i - 1].day) / (double)(s[i].day - s[i - 1].day);
            return s[i - 1].population_pct + w * (s[i].population_pct - s[i - 1].population_pct);
        }
    return s[n - 1].population_pct;
}

/* The client's improvement g f(t), bounded at the concern gone. */
static double client_improvement(double g, double f)
{
    double y = g * f;
    return y > IMPROVEMENT_MAX_PCT ? IMPROVEMENT_MAX_PCT : y;
}

/* The client's band on a day where the typical improvement is @p f and the plan's range
 * @p lo-@p hi: that range as ratios to f, scaled by the median gain @p g and narrowed on each
 * side by @p nlo and @p nhi (the posterior's spread of ln g over the prior's; 1 before any
 * score, giving the plan's range itself). Bounded at 100 % as the improvement is. */
static void band(double f, double lo, double hi, double g, double nlo, double nhi, double *low,
                 double *high)
{
    if (f <= 1e-9) { /* nothing to scale: the plan's range as it is (day 0) */
        *low = lo;
        *high = hi;
        return;
    }
    double c = g * f;
    double a = c * (1 - (1 - lo / f) * nlo), b = c * (1 + (hi / f - 1) * nhi);
    c = client_improvement(g, f);
    *low = a < c ? a : c;
    *high = b > IMPROVEMENT_MAX_PCT ? IMPROVEMENT_MAX_PCT : b < c ? c : b;
    if (*low > IMPROVEMENT_MAX_PCT)
        *low = IMPROVEMENT_MAX_PCT;
}

/* The posterior's 10th, 50th and 90th percentiles of g given the observations. */
static void update(const mn_store_replan_sample *f, int nf, const mn_store_replan_obs *obs, int n,
                   double q[3])
{
    static double logp[GRID];
    double best = -INFINITY;
    for (int k = 0; k < GRID; k++) {
        double u = -GRID_HALF_WIDTH + 2 * GRID_HALF_WIDTH * k / (GRID - 1);
        double lp = -u * u / (2 * RESPONSE_GAIN_SD_LOG * RESPONSE_GAIN_SD_LOG);
        double g = exp(u);
        for (int i = 0; i < n; i++) {
            double r = obs[i].improvement_pct - client_improvement(g, interp(f, nf, obs[i].day));
            lp -= r * r / (2 * SCORE_SD_PCT * SCORE_SD_PCT);
        }
        logp[k] = lp;
        if (lp > best)
            best = lp;
    }
    double total = 0;
    for (int k = 0; k < GRID; k++)
        total += exp(logp[k] - best);
    static const double levels[3] = {0.1, 0.5, 0.9};
    double cum = 0;
    int j = 0;
    for (int k = 0; k < GRID && j < 3; k++) {
        double p = exp(logp[k] - best) / total;
        while (j < 3 && cum + p >= levels[j]) {
            /* Within cell k, linearly: u of the level. */
            double w = p > 0 ? (levels[j] - cum) / p : 0;
            double u = -GRID_HALF_WIDTH + 2 * GRID_HALF_WIDTH * (k - 0.5 + w) / (GRID - 1);
            q[j++] = exp(u);
        }
        cum += p;
    }
    while (j < 3)
        q[j++] = exp(GRID_HALF_WIDTH);
}

/* The day the client's g f falls to F x the typical peak (see the top of the file). */
static double due_day(double g, double t_pk, double t_p, double F)
{
    if (t_p <= t_pk)
        return t_p;
    return t_pk + (t_p - t_pk) * log(g / F) / log(1 / F);
}

/* 1 when a zone's depth in a session was off the plan's protocol: deeper than the setting of
 * the visit the session stands for, a zone that visit does not treat, or a session recorded
 * with --override. A session beyond the plan's visits has no setting to compare with. */
static int off_protocol_depth(const mn_store_session *x, const mn_store_setting *z)
{
    if (x->override_reason[0])
        return 1;
    if (x->planned < 0)
        return 0;
    return !z->has_planned || z->depth_mm > z->planned_depth_mm + SETTING_SLACK;
}

/* The minimum interval between sessions on @p zone: the longest min_interval_days
 * (data/concerns.json) of the concerns the stored plan treats there, as the planner and record
 * session keep to (records.c); 0 when not known. */
static int zone_min_interval(mn_ctx *ctx, json_t *plan, const char *zone)
{
    int min = 0;
    json_t *zones = json_object_get(plan, "zones");
    for (size_t i = 0; i < json_array_size(zones); i++) {
        json_t *z = json_array_get(zones, i);
        const char *id = json_string_value(json_object_get(z, "zone"));
        const char *cid = json_string_value(json_object_get(z, "concern"));
        const mn_concern *c = id && cid && !strcmp(id, zone)
                                  ? mn_catalog_find_concern(mn_ctx_catalog(ctx), cid)
                                  : NULL;
        if (c && c->min_interval_days > min)
            min = c->min_interval_days;
    }
    return min;
}

/* The client's last session against the plan's setting for its visit (store.h). */
static void last_session(mn_ctx *ctx, const mn_store_history *h, json_t *plan, mn_store_replan *r)
{
    if (!h->n_sessions)
        return;
    int n = h->n_sessions;
    const mn_store_session *x = &h->sessions[n - 1];
    r->has_last_session = 1;
    r->last_number = n;
    r->last_visit = x->planned >= 0 ? h->planned[x->planned].number : 0;
    r->last_date = x->date;
    snprintf(r->last_override_reason, sizeof r->last_override_reason, "%s", x->override_reason);
    r->last_off_protocol = x->override_reason[0] != '\0';
    const int cap = (int)(sizeof r->deviations / sizeof r->deviations[0]);
    for (int j = 0; j < x->n_zones; j++) {
        const mn_store_setting *z = &x->zones[j];
        const char *kinds[3] = {NULL, NULL, NULL};
        int k = 0;
        if (x->planned >= 0 && !z->has_planned)
            kinds[k++] = "not_planned";
        if (z->has_planned && z->depth_mm > z->planned_depth_mm + SETTING_SLACK)
            kinds[k++] = "deeper";
        if (z->has_planned && z->passes > z->planned_passes + SETTING_SLACK)
            kinds[k++] = "more_passes";
        if (!k && z->has_planned &&
            (z->depth_mm < z->planned_depth_mm - SETTING_SLACK ||
             z->passes < z->planned_passes - SETTING_SLACK))
            kinds[k++] = "lighter";
        /* The zone's session before, closer than the minimum interval. */
        int min = zone_min_interval(ctx, plan, z->zone), gap = 0, sooner = 0;
        for (int d = n - 2; d >= 0 && min > 0 && !gap; d--)
            for (int i = 0; i < h->sessions[d].n_zones; i++)
                if (!strcmp(h->sessions[d].zones[i].zone, z->zone)) {
                    gap = (int)(x->date - h->sessions[d].date);
                    sooner = gap < min;
                    break;
                }
        for (int i = 0; i <= k && r->n_deviations < cap; i++) {
            const char *kind = i < k ? kinds[i] : sooner ? "sooner" : NULL;
            if (!kind)
                break;
            mn_store_replan_deviation *v = &r->deviations[r->n_deviations++];
            snprintf(v->zone, sizeof v->zone, "%s", z->zone);
            snprintf(v->kind, sizeof v->kind, "%s", kind);
            v->depth_mm = z->depth_mm;
            v->passes = z->passes;
            v->has_planned = z->has_planned;
            v->planned_depth_mm = z->planned_depth_mm;
            v->planned_passes = z->planned_passes;
            v->gap_days = gap;
            v->min_interval_days = min;
            if (strcmp(kind, "lighter"))
                r->last_off_protocol = 1;
        }
    }
    /* A zone the visit sets that the session left out: planned, not done (as history shows
     * it). Lighter than the plan, not off protocol; the zone's next visit rises from its
     * session before (mn_store_rise_max). */
    for (int j = 0; j < x->n_not_done && r->n_deviations < cap; j++) {
        mn_store_replan_deviation *v = &r->deviations[r->n_deviations++];
        snprintf(v->zone, sizeof v->zone, "%s", x->not_done[j].zone);
        snprintf(v->kind, sizeof v->kind, "%s", "not_done");
        v->has_planned = 1;
        v->planned_depth_mm = x->not_done[j].planned_depth_mm;
        v->planned_passes = x->not_done[j].planned_passes;
    }
}

static void *grow(void **arr, int *n, size_t elem)
{
    char *p = mn__realloc(*arr, (size_t)(*n + 1) * elem);
    if (!p)
        return NULL;
    *arr = p;
    memset(p + (size_t)*n * elem, 0, elem);
    return p + (size_t)(*n)++ * elem;
}

/* o[key] when it is a number, else @p fallback (a plan stored without that figure). */
static double number_or(json_t *o, const char *key, double fallback)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

/* Observations from the client's scores: the severity scale with the most scores. */
static mn_status observations(mn_ctx *ctx, const mn_store_history *h, mn_date first,
                              mn_store_replan *r)
{
    int best_n = 0;
    for (int i = 0; i < h->n_assessments; i++) {
        mn_scale sc;
        if (mn_store_scale_find(ctx, h->assessments[i].scale, &sc) || sc.change)
            continue;
        int n = 0;
        for (int k = 0; k < h->n_assessments; k++)
            n += !strcmp(h->assessments[k].scale, sc.id);
        if (n > best_n) {
            best_n = n;
            snprintf(r->scale, sizeof r->scale, "%s", sc.id);
        }
    }
    mn_ctx_clear_error(ctx);
    if (!best_n)
        return MN_OK;
    mn_scale sc;
    mn_status st = mn_store_scale_find(ctx, r->scale, &sc);
    if (st)
        return st;
    /* Baseline: the last score on or before the first session, else the first score. */
    int base = -1;
    for (int i = 0; i < h->n_assessments; i++) /* date order (history.c) */
        if (!strcmp(h->assessments[i].scale, sc.id) &&
            (base < 0 || h->assessments[i].date <= first))
            base = i;
    double b = h->assessments[base].score;
    double room = sc.higher_better ? sc.max - b : b - sc.min;
    if (room <= 0)
        return MN_OK; /* already at the best score: nothing to improve on this scale */
    for (int i = 0; i < h->n_assessments; i++) {
        const mn_store_assessment *a = &h->assessments[i];
        if (i == base || strcmp(a->scale, sc.id) || a->date <= h->assessments[base].date ||
            a->date <= first)
            continue;
        /* The last session before the score (sessions in date order, history.c). */
        mn_date before = 0;
        for (int k = 0; k < h->n_sessions && h->sessions[k].date < a->date; k++)
            before = h->sessions[k].date;
        if (before && a->date - before <= SCORE_SETTLE_DAYS) {
            r->n_set_aside++;
            continue;
        }
        mn_store_replan_obs *o = grow((void **)&r->obs, &r->n_obs, sizeof *o);
        if (!o)
            return mn__error(ctx, MN_ENOMEM, "replan: out of memory");
        o->date = a->date;
        o->day = (int)(a->date - first);
        o->score = a->score;
        o->improvement_pct = 100 * (sc.higher_better ? a->score - b : b - a->score) / room;
        o->predicted_pct = interp(r->samples, r->n_samples, o->day);
    }
    return MN_OK;
}

mn_status mn_store_replan_run(mn_ctx *ctx, mn_store *store, const char *client_id,
                              mn_store_replan **out)
{
    if (!store || !client_id || !out)
        return mn__error(ctx, MN_EINVAL, "replan: missing argument");
    *out = NULL;
    mn_store_history *h = NULL;
    mn_status st = mn_store_history_get(ctx, store, client_id, &h);
    if (st)
        return st;
    if (!h->plan_id || h->n_planned == 0) {
        mn_store_history_free(h);
        char next[200];
        return mn__error(
            ctx, MN_EINVAL, "%s: no stored plan with visits to replan from %s", client_id,
            mn__store_words_say(store->words, MN__SAY_NO_PLAN, client_id, next, sizeof next));
    }
    mn_store_replan *r = mn__calloc(1, sizeof *r);
    json_t *plan = NULL;
    if (!r) {
        st = mn__error(ctx, MN_ENOMEM, "replan: out of memory");
        goto done;
    }
    snprintf(r->client, sizeof r->client, "%s", client_id);
    r->plan_id = h->plan_id;
    r->n_done = h->n_sessions;
    r->obs_sd_pct = SCORE_SD_PCT;

    /* The stored plan's projection and maximum settings. */
    sqlite3_stmt *q;
    if ((st = mn__store_prepare(ctx, store, "SELECT plan_json FROM plans WHERE id = ?", &q)))
        goto done;
    sqlite3_bind_int64(q, 1, h->plan_id);
    if (sqlite3_step(q) == SQLITE_ROW) {
        json_error_t err;
        const char *text = (const char *)sqlite3_column_text(q, 0);
        plan = text ? json_loads(text, 0, &err) : NULL;
    }
    mn__store_done(store, q);
    if (!plan) {
        st = mn__error(ctx, MN_EINVAL, "%s: stored plan %ld cannot be read", client_id, h->plan_id);
        goto done;
    }
    json_t *proj = json_object_get(plan, "projection");
    json_t *samples = json_object_get(proj, "samples");
    /* A plan for concerns the model does not follow (melasma, hair loss) has no projection:
     * the visits left, their settings and any step down after an adverse event are worked out
     * all the same; the response, band and maintenance timing, which need one, are not. */
    r->has_projection = json_array_size(samples) >= 2;
    if (!r->has_projection) {
        const char *why = json_string_value(json_object_get(proj, "note"));
        snprintf(r->projection_note, sizeof r->projection_note, "%s",
                 why && why[0] ? why
                               : "The stored plan has no projection for the client's concerns.");
        samples = NULL;
    }
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *s = json_array_get(samples, i);
        mn_store_replan_sample *x = grow((void **)&r->samples, &r->n_samples, sizeof *x);
        if (!x) {
            st = mn__error(ctx, MN_ENOMEM, "replan: out of memory");
            goto done;
        }
        x->day = (int)json_integer_value(json_object_get(s, "day"));
        x->population_pct = json_number_value(json_object_get(s, "improvement_pct"));
        /* The plan's own range; a plan stored without one has the typical curve alone. */
        x->plan_low_pct = number_or(s, "low_pct", x->population_pct);
        x->plan_high_pct = number_or(s, "high_pct", x->population_pct);
    }
    json_t *pk = json_object_get(proj, "peak");
    if (json_is_number(json_object_get(proj, "peak_improvement_pct"))) {
        r->has_peak = 1;
        r->peak_day = (int)json_integer_value(json_object_get(pk, "day"));
        r->peak_typical_pct = json_number_value(json_object_get(proj, "peak_improvement_pct"));
        r->peak_low_pct = number_or(proj, "peak_improvement_pct_low", r->peak_typical_pct);
        r->peak_high_pct = number_or(proj, "peak_improvement_pct_high", r->peak_typical_pct);
    }
    json_t *val = json_object_get(proj, "validation");
    if (r->has_projection && json_is_integer(json_object_get(val, "checked"))) {
        r->has_validation = 1;
        r->validation_checked = (int)json_integer_value(json_object_get(val, "checked"));
        r->validation_inside = (int)json_integer_value(json_object_get(val, "inside"));
        r->validation_worse = (int)json_integer_value(json_object_get(val, "misses_over_promised"));
        r->validation_better =
            (int)json_integer_value(json_object_get(val, "misses_under_promised"));
        r->validation_studies = (int)json_integer_value(json_object_get(val, "studies"));
        r->validation_efficacy_checked =
            (int)json_integer_value(json_object_get(val, "efficacy_checked"));
        r->validation_efficacy_inside =
            (int)json_integer_value(json_object_get(val, "efficacy_inside"));
    }

    /* Visits left, re-dated from the last real one. */
    mn_date first = h->n_sessions ? h->sessions[0].date : h->planned[0].date;
    int n = h->n_sessions;
    long shift =
        n > 0 && n <= h->n_planned ? (long)(h->sessions[n - 1].date - h->planned[n - 1].date) : 0;
    /* Visits that would fall before today have not happened (or are not recorded yet): the
     * rest move on so the first is today at the earliest. */
    mn_date today;
    if ((st = mn__store_today(ctx, &today)))
        goto done;
    if (n < h->n_planned && h->planned[n].date + shift < today)
        shift = (long)(today - h->planned[n].date);
    json_t *psessions = json_object_get(plan, "sessions");
    for (int k = n; k < h->n_planned; k++) {
        const mn_store_planned_visit *pv = &h->planned[k];
        mn_store_planned_visit *v = grow((void **)&r->remaining, &r->n_remaining, sizeof *v);
        if (!v) {
            st = mn__error(ctx, MN_ENOMEM, "replan: out of memory");
            goto done;
        }
        v->number = pv->number;
        /* The plan's calendar rule (mn_plan_visit_date: a Sunday moves to the Monday), each
         * date counted from the one before as booked, so the plan's gaps never shrink. */
        v->date = k == n ? mn_plan_visit_date((mn_date)(pv->date + shift))
                         : mn_plan_visit_date((mn_date)(r->remaining[r->n_remaining - 2].date +
                                                        (pv->date - h->planned[k - 1].date)));
        v->maintenance = pv->maintenance;
        json_t *psettings = json_object_get(json_array_get(psessions, (size_t)k), "settings");
        for (int z = 0; z < pv->n_settings; z++) {
            mn_store_setting *set = grow((void **)&v->settings, &v->n_settings, sizeof *set);
            if (!set) {
                st = mn__error(ctx, MN_ENOMEM, "replan: out of memory");
                goto done;
            }
            *set = pv->settings[z];
            double max_mm =
                json_number_value(json_object_get(json_array_get(psettings, (size_t)z), "max_mm"));
            /* Never below the last depth used on this zone within the protocol, never above
             * the plan's maximum. A depth done off protocol (deeper than that visit's
             * setting, a zone it does not treat, or a session recorded with --override) is
             * not carried on: the plan's setting is kept (docs/records.md). */
            for (int d = h->n_sessions - 1; d >= 0; d--) {
                const mn_store_session *x = &h->sessions[d];
                int found = 0;
                for (int j = 0; j < x->n_zones; j++)
                    if (!strcmp(x->zones[j].zone, set->zone)) {
                        if (!off_protocol_depth(x, &x->zones[j]) &&
                            x->zones[j].depth_mm > set->depth_mm)
                            set->depth_mm = x->zones[j].depth_mm;
                        found = 1;
                    }
                if (found)
                    break;
            }
            if (max_mm > 0 && set->depth_mm > max_mm)
                set->depth_mm = max_mm;
            /* After an event that steps the zone down: the step, then the plan's rise from it. */
            double planned_mm = set->depth_mm;
            step_down_after_event(ctx, h, k, v, set, r);
            double stepped_mm = set->depth_mm;
            /* No more than the plan's rise per visit above the last session on the zone. */
            rise_after_last(ctx, h, k, v, set, r);
            /* Why the next visit is below the plan's setting, where it is: the step down, the
             * rise, or both. */
            if (k == n && set->depth_mm < pv->settings[z].depth_mm - SETTING_SLACK) {
                r->next_lowered |= stepped_mm < planned_mm - SETTING_SLACK;
                r->next_rise_held |= set->depth_mm < stepped_mm - SETTING_SLACK;
            }
        }
    }

    if (!r->has_projection) {
        snprintf(r->band_source, sizeof r->band_source, "none");
        snprintf(r->note, sizeof r->note,
                 "No projection: %.300s No response gain, range or maintenance date is worked out "
                 "from scores for this plan; the visits left keep the plan's spacing and "
                 "settings, stepped down where an adverse event calls for it.",
                 r->projection_note);
    } else {
        /* The response gain. */
        if ((st = observations(ctx, h, first, r)))
            goto done;
        double prior[3], post[3];
        update(r->samples, r->n_samples, NULL, 0, prior);
        update(r->samples, r->n_samples, r->obs, r->n_obs, post);
        r->prior_low = prior[0];
        r->prior_median = prior[1];
        r->prior_high = prior[2];
        r->gain_low = post[0];
        r->gain_median = post[1];
        r->gain_high = post[2];
        /* The band: the stored plan's own 10-90 % range (the one 'mneedle plan' shows), so
         * before any score replan and plan give the same range. With scores, that range is
         * recentred on the client's median gain and each side narrowed by the ratio of the
         * posterior's to the prior's spread of ln g on that side (a derivation: the plan's range
         * read as the spread the prior of g stands for; no score, ratio 1, the plan's range). */
        double narrow_lo = log(post[1] / post[0]) / log(prior[1] / prior[0]),
               narrow_hi = log(post[2] / post[1]) / log(prior[2] / prior[1]);
        double g_band = post[1];
        if (!r->n_obs) /* no score: the plan's range exactly, not its grid approximation */
            g_band = narrow_lo = narrow_hi = 1;
        snprintf(r->band_source, sizeof r->band_source, "%s", r->n_obs ? "plan_updated" : "plan");
        for (int i = 0; i < r->n_samples; i++) {
            mn_store_replan_sample *x = &r->samples[i];
            x->client_pct = client_improvement(post[1], x->population_pct);
            band(x->population_pct, x->plan_low_pct, x->plan_high_pct, g_band, narrow_lo, narrow_hi,
                 &x->client_low_pct, &x->client_high_pct);
        }
        if (r->has_peak) {
            r->peak_pct = client_improvement(post[1], r->peak_typical_pct);
            band(r->peak_typical_pct, r->peak_low_pct, r->peak_high_pct, g_band, narrow_lo,
                 narrow_hi, &r->peak_low_pct, &r->peak_high_pct);
        }

        /* Maintenance from the client's response. */
        mn_projection_options popt;
        mn_projection_options_init(&popt);
        r->population_interval_days =
            (int)json_integer_value(json_object_get(proj, "maintenance_interval_days"));
        mn_date course_end = 0;
        int has_course_end = 0;
        for (int k = 0; k < h->n_planned; k++)
            if (!h->planned[k].maintenance) {
                course_end = k < h->n_sessions ? h->sessions[k].date : r->remaining[k - n].date;
                has_course_end = 1;
            }
        if (has_course_end && r->population_interval_days > 0) {
            /* Days of the projection count from the first planned visit. */
            int last_course = 0;
            for (int k = 0; k < h->n_planned; k++)
                if (!h->planned[k].maintenance)
                    last_course = k;
            double course_end_day = h->planned[last_course].date - h->planned[0].date;
            double t_p = course_end_day + r->population_interval_days, t_pk = course_end_day,
                   peak = -INFINITY;
            for (int i = 0; i < r->n_samples; i++)
                if (r->samples[i].day >= course_end_day && r->samples[i].day <= t_p &&
                    r->samples[i].population_pct > peak) {
                    peak = r->samples[i].population_pct;
                    t_pk = r->samples[i].day;
                }
            double F = popt.target_fraction;
            int iv[3];
            for (int j = 0; j < 3; j++) {
                double g = j == 0 ? post[1] : j == 1 ? post[0] : post[2];
                double interval = r->population_interval_days + (due_day(g, t_pk, t_p, F) - t_p);
                if (interval < popt.min_interval_days)
                    interval = popt.min_interval_days;
                if (interval > popt.max_interval_days)
                    interval = popt.max_interval_days;
                iv[j] = (int)lround(interval);
            }
            r->client_interval_days = iv[0];
            r->has_maintenance = 1;
            /* The next maintenance follows the course, or the last maintenance visit done: a
             * client who came back is due one interval after that visit (timed from the course,
             * the date would lie before it, and recall would never list them again). */
            mn_date base = course_end;
            if (h->n_sessions > last_course + 1 && h->sessions[h->n_sessions - 1].date > base)
                base = h->sessions[h->n_sessions - 1].date;
            r->maintenance_due = base + iv[0];
            r->maintenance_early = base + iv[1];
            r->maintenance_late = base + iv[2];
            /* The maintenance visits left follow the client's interval, not the typical one. */
            mn_date next = r->maintenance_due;
            for (int k = 0; k < r->n_remaining; k++)
                if (r->remaining[k].maintenance) {
                    r->remaining[k].date = next;
                    next += iv[0];
                }
        }
        char set_aside[160] = "";
        if (r->n_set_aside)
            snprintf(set_aside, sizeof set_aside,
                     " %d score%s taken 1 to %d days after a session set aside: swelling and "
                     "redness, not collagen (Chu et al., Dermatol Surg 2021, a systematic "
                     "review).",
                     r->n_set_aside, r->n_set_aside == 1 ? "" : "s", SCORE_SETTLE_DAYS);
        snprintf(r->note, sizeof r->note,
                 "%d score%s on %s used; response gain %.2f (10-90 %%: %.2f-%.2f) against the "
                 "typical person's 1 (%.2f-%.2f before any score).%s Scores are assumed to carry "
                 "+-%.0f points of noise (a judgement: raters disagree by about one grade); the "
                 "maintenance date assumes the decline "
                 "after the peak is exponential.",
                 r->n_obs, r->n_obs == 1 ? "" : "s", r->scale[0] ? r->scale : "no severity scale",
                 post[1], post[0], post[2], prior[0], prior[2], set_aside, SCORE_SD_PCT);
    }

    /* Holds: the client's record as it is now, screened again with the library's rules (a
     * pregnancy or a recent isotretinoin course recorded after the plan was saved), on the
     * replan's day: answers older than the questionnaire's validity on that day (rules.json's
     * history_older_months rule, MN-HISTORY-OLD) defer as they do in plan and screen. Their
     * day is history.date, else the day the plan was saved (plan counts undated answers as
     * given the day it is prepared). A defer or decline books nothing further: no visit, and
     * no new maintenance date. */
    mn_date asked = today;
    if (h->plan_created[0] && mn_date_parse(h->plan_created, &asked))
        asked = today;
    if ((st = mn__store_client_screen_on(ctx, store, client_id, today, asked, &r->screening)))
        goto done;
    /* The reason twice: hold_reason for the JSON, which keeps the rules' codes and (for the
     * commands) the events' ids, and hold_reason_text, which every text prints: the rules and
     * the events by their names. */
    if (r->screening.decision >= MN_DECISION_DEFER) {
        r->held = 1;
        snprintf(r->hold_reason, sizeof r->hold_reason,
                 "screening of the client's current record: %s (%s)",
                 mn_decision_name(r->screening.decision), r->screening.codes);
        snprintf(r->hold_reason_text, sizeof r->hold_reason_text,
                 "screening of the client's current record: %s (%s)",
                 mn_decision_name(r->screening.decision), r->screening.names);
    }
    /* Open adverse events (no resolved date); the first that holds holds the visits (above). */
    int holding = -1;
    for (int i = 0; i < h->n_events; i++) {
        const mn_store_adverse_event *e = &h->events[i];
        if (e->resolved || !strcmp(e->event, "none") || resolved_later(h, i))
            continue;
        mn_store_adverse_event *o = grow((void **)&r->open_events, &r->n_open_events, sizeof *o);
        if (!o) {
            st = mn__error(ctx, MN_ENOMEM, "replan: out of memory");
            goto done;
        }
        *o = *e;
        if (holding < 0 && mn__store_event_holds(ctx, e->event, e->severity))
            holding = r->n_open_events - 1;
    }
    if (holding >= 0) {
        const mn_store_adverse_event *o = &r->open_events[holding];
        char since[16], what[160], why[320];
        for (int text = 0; text < 2; text++) {
            char *reason = text ? r->hold_reason_text : r->hold_reason;
            size_t size = text ? sizeof r->hold_reason_text : sizeof r->hold_reason;
            event_since(ctx, text || store->words == MN_STORE_WORDS_WEB, o->event,
                        mn_date_format(o->date, since), what, sizeof what);
            mn__store_hold_reason(ctx, o->event, o->severity, what, why, sizeof why);
            size_t used = strlen(reason);
            snprintf(reason + used, size - used, "%s%s, with no resolved date", used ? "; " : "",
                     why);
        }
        r->held = 1;
    }
    /* A plan made from an earlier record (the client's planning input edited since it was
     * saved: a phototype, a concern, a contraindication) holds too: its depths and spacing
     * are not the current record's, so none of them is booked until a plan is saved again. */
    r->plan_stale = h->plan_stale;
    snprintf(r->plan_created, sizeof r->plan_created, "%s", h->plan_created);
    snprintf(r->plan_device, sizeof r->plan_device, "%s", h->plan_device);
    if (h->plan_stale == 1) {
        char next[200];
        mn__store_words_say(store->words, MN__SAY_STALE_HOLD, client_id, next, sizeof next);
        for (int text = 0; text < 2; text++) {
            char *reason = text ? r->hold_reason_text : r->hold_reason;
            size_t size = text ? sizeof r->hold_reason_text : sizeof r->hold_reason;
            size_t used = strlen(reason);
            snprintf(reason + used, size - used,
                     "%sthe stored plan (plan %ld, saved %s) was made from an earlier record of "
                     "the client, edited since: save the plan again %s",
                     used ? "; " : "", h->plan_id, h->plan_created, next);
        }
        r->held = 1;
    }
    if (r->held) {
        r->step_down[0] = '\0';
        r->step_down_carried[0] = '\0';
        r->rise_held[0] = '\0';
        r->next_rise_held = 0;
        r->n_held = r->n_remaining;
        mn__store_planned_free(r->remaining, r->n_remaining);
        r->remaining = NULL;
        r->n_remaining = 0;
        r->has_maintenance = 0;
    }

    /* The last session against the plan, and whether the next visit keeps the plan's
     * settings for it. */
    last_session(ctx, h, plan, r);
    r->next_keeps_plan = -1;
    if (r->n_remaining) {
        const mn_store_planned_visit *v = &r->remaining[0], *pv = &h->planned[n];
        r->next_keeps_plan = v->n_settings == pv->n_settings;
        for (int z = 0; z < v->n_settings && z < pv->n_settings; z++) {
            double dd = v->settings[z].depth_mm - pv->settings[z].depth_mm;
            r->next_raised |= dd > SETTING_SLACK;
            if (fabs(dd) > SETTING_SLACK ||
                fabs(v->settings[z].passes - pv->settings[z].passes) > SETTING_SLACK)
                r->next_keeps_plan = 0;
        }
    }

    /* The client's maintenance date, for recall, in one audited transaction. */
    if (r->has_maintenance) {
        char day[16], reason[200];
        mn_date_format(r->maintenance_due, day);
        snprintf(reason, sizeof reason,
                 "replan: client's response gain %.2f from %d score%s (interval %d days)",
                 r->gain_median, r->n_obs, r->n_obs == 1 ? "" : "s", r->client_interval_days);
        sqlite3_int64 num;
        if ((st = mn__store_begin(ctx, store)))
            goto done;
        st = mn__store_client_num(ctx, store, client_id, &num);
        if (!st)
            st = mn__store_set_maintenance(ctx, store, num, day, reason);
        st = mn__store_end(ctx, store, st);
    }
done:
    json_decref(plan);
    mn_store_history_free(h);
    if (st) {
        mn_store_replan_free(r);
        return st;
    }
    *out = r;
    return MN_OK;
}

void mn_store_replan_free(mn_store_replan *r)
{
    if (!r)
        return;
    mn__store_planned_free(r->remaining, r->n_remaining);
    mn__free(r->open_events);
    mn__free(r->obs);
    mn__free(r->samples);
    mn__free(r);
}

mn_status mn_store_recall_list(mn_ctx *ctx, mn_store *store, mn_date due_before,
                               mn_store_recall **out, int *n)
{
    if (!store || !out || !n)
        return mn__error(ctx, MN_EINVAL, "recall: missing argument");
    *out = NULL;
    *n = 0;
    char day[16];
    mn_date_format(due_before, day);
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, store,
        MN__STORE_DUE_CTE "SELECT id, due, why, last FROM mn_due WHERE due <= ? ORDER BY due, id",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        mn_store_recall *r = grow((void **)out, n, sizeof *r);
        if (!r) {
            st = mn__error(ctx, MN_ENOMEM, "recall: out of memory");
            break;
        }
        const char *t;
        snprintf(r->client, sizeof r->client, "%s", (const char *)sqlite3_column_text(q, 0));
        mn_date_parse((const char *)sqlite3_column_text(q, 1), &r->due);
        mn__store_col_text(q, 2, r->reason, sizeof r->reason);
        snprintf(r->reason_text, sizeof r->reason_text, "%s", r->reason);
        t = (const char *)sqlite3_column_text(q, 3);
        r->has_last_session = t && !mn_date_parse(t, &r->last_session);
    }
    mn__store_done(store, q);
    if (!st && rc != SQLITE_DONE)
        st = mn__store_fail(ctx, store, "cannot list recalls");
    /* Course visits overdue: the client's next planned visit (the k-th session done stands
     * for the k-th planned visit, history.c) is a course visit dated before today. */
    mn_date today;
    if (!st)
        st = mn__store_today(ctx, &today);
    if (!st) {
        char now[16];
        mn_date_format(today, now);
        st = mn__store_prepare(
            ctx, store,
            "SELECT id, d, nv, (SELECT count(*) FROM json_each(j, '$.sessions') e"
            "  WHERE e.key >= done AND json_extract(e.value, '$.phase') <> 'maintenance'), last"
            " FROM (SELECT id, j, done, last,"
            "  json_extract(j, '$.sessions[' || done || '].date') AS d,"
            "  json_extract(j, '$.sessions[' || done || '].phase') AS ph,"
            "  json_extract(j, '$.sessions[' || done || '].number') AS nv"
            "  FROM (SELECT c.id AS id, pl.plan_json AS j,"
            "   (SELECT count(*) FROM sessions s WHERE s.client = c.num) AS done,"
            "   (SELECT max(date) FROM sessions s WHERE s.client = c.num) AS last"
            "   FROM clients c JOIN plans pl"
            "   ON pl.id = (SELECT max(id) FROM plans p WHERE p.client = c.num)))"
            " WHERE ph <> 'maintenance' AND d < ?1 ORDER BY d, id",
            &q);
        if (!st) {
            sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
            while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
                mn_store_recall *r = grow((void **)out, n, sizeof *r);
                if (!r) {
                    st = mn__error(ctx, MN_ENOMEM, "recall: out of memory");
                    break;
                }
                const char *t;
                char pd[16];
                snprintf(r->client, sizeof r->client, "%s",
                         (const char *)sqlite3_column_text(q, 0));
                mn_date_parse((const char *)sqlite3_column_text(q, 1), &r->due);
                r->status = MN_STORE_RECALL_OVERDUE;
                r->visit_number = sqlite3_column_int(q, 2);
                r->days_overdue = (int)(today - r->due);
                r->course_visits_left = sqlite3_column_int(q, 3);
                t = (const char *)sqlite3_column_text(q, 4);
                r->has_last_session = t && !mn_date_parse(t, &r->last_session);
                snprintf(r->reason, sizeof r->reason,
                         "course visit %d planned %s not done: %d day%s overdue, %d course "
                         "visit%s left",
                         r->visit_number, mn_date_format(r->due, pd), r->days_overdue,
                         r->days_overdue == 1 ? "" : "s", r->course_visits_left,
                         r->course_visits_left == 1 ? "" : "s");
                snprintf(r->reason_text, sizeof r->reason_text, "%s", r->reason);
            }
            mn__store_done(store, q);
            if (!st && rc != SQLITE_DONE)
                st = mn__store_fail(ctx, store, "cannot list overdue visits");
        }
    }
    /* A client due (or overdue) whose current record screens defer or decline, or with an
     * adverse event open that holds (mn__store_event_holds), is on hold, not due: each client
     * listed is screened again (only those listed, so the cost follows the list's length), and
     * listed once on hold. */
    int kept = 0;
    for (int i = 0; !st && i < *n; i++) {
        mn_store_recall *r = &(*out)[i];
        int again = 0;
        for (int k = 0; k < kept; k++)
            again |=
                !strcmp((*out)[k].client, r->client) && (*out)[k].status == MN_STORE_RECALL_ON_HOLD;
        if (again)
            continue; /* on hold already, from its maintenance */
        mn_store_screening sc;
        sqlite3_int64 num;
        int held = 0;
        char why[240], why_text[1000];
        mn__store_plan_input pin;
        if ((st = mn__store_client_num(ctx, store, r->client, &num)) ||
            (st = mn__store_plan_input_get(ctx, store, num, &pin)))
            break;
        /* Screened on the day the client would be seen (the due day, or today once it is
         * past), so the questionnaire's age then counts (the history_older_months rule, from
         * history.date, else the day the plan was saved, as replan counts it). */
        mn_date seen = r->status == MN_STORE_RECALL_DUE && r->due > today ? r->due : today;
        mn_date asked = seen;
        if (pin.plan && mn_date_parse(pin.created, &asked))
            asked = seen;
        if ((st = mn__store_client_hold(ctx, store, r->client, seen, asked, &held, why, sizeof why,
                                        why_text, sizeof why_text, &sc)))
            break;
        r->questionnaire = sc.questionnaire;
        /* A plan made from an earlier record of the client (stale, as replan and record
         * session hold on it): its visits and depths are not the current record's, so the
         * client is not called in on them; the plan is made again first. */
        char stale[160] = "";
        r->plan_stale = pin.plan && pin.stale == 1;
        if (r->plan_stale)
            snprintf(stale, sizeof stale,
                     "plan out of date: re-plan before booking (plan %lld, saved %s, was made "
                     "from an earlier record of the client)",
                     (long long)pin.plan, pin.created);
        /* The questionnaire's age alone does not hold: answers are renewed when the client
         * is called in, so the client is listed as before and marked (below). The reason in
         * the JSON's words (codes) and in a text's (names), as replan's. */
        if (held) {
            r->status = MN_STORE_RECALL_ON_HOLD;
            snprintf(r->reason, sizeof r->reason, "on hold: %s", why);
            snprintf(r->reason_text, sizeof r->reason_text, "on hold: %s", why_text);
        } else if (stale[0]) {
            r->status = MN_STORE_RECALL_ON_HOLD;
            r->reason[0] = '\0';
            r->reason_text[0] = '\0';
        }
        if (stale[0]) {
            size_t used = strlen(r->reason);
            snprintf(r->reason + used, sizeof r->reason - used, "%s%s", used ? "; " : "", stale);
            used = strlen(r->reason_text);
            snprintf(r->reason_text + used, sizeof r->reason_text - used, "%s%s", used ? "; " : "",
                     stale);
        }
        if (sc.questionnaire.out_of_date) {
            char said[256];
            snprintf(r->rescreen, sizeof r->rescreen,
                     "questionnaire out of date: re-screen before booking (%s)",
                     mn_store_questionnaire_words(&sc.questionnaire, said, sizeof said));
        }
        if (kept != i)
            (*out)[kept] = *r;
        kept++;
    }
    if (!st)
        *n = kept;
    if (st) {
        mn__free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void mn_store_recall_free(mn_store_recall *list)
{
    mn__free(list);
}
