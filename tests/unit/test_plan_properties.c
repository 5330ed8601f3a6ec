/*
 * Safety of the plan as a correctness property (DESIGN 6), checked exhaustively where the
 * space is small and over 10,000 generated clients where it is not:
 *   - no depth beyond the zone's cap, the anatomy cap or the device's range, on the grid;
 *   - no session for a declined or deferred client, and every rule that applies is found;
 *   - no two sessions treating a zone closer than the minimum interval of its concerns;
 *   - every finding's code is documented in docs/screening.md;
 *   - the client's text and report carry no internal code (rule codes, F rows, DESIGN);
 *   - every rule whose catalogue entry promises an adjustment (its adjust block) changes the
 *     plan exactly as promised against the twin client without the rule's condition, and the
 *     plan says so (adjusted_by, the plain-words note, the pre-treatment list);
 *   - every depth given for a roller is one of the lengths the catalogue lists for it;
 *   - every zone and every visit's setting is needled with the device's passes for a roller
 *     (data/devices.json) and the concern's for a pen (data/concerns.json);
 *   - a home-class device is refused as a clinic device;
 *   - a declined or deferred plan carries no treatment content (depths, sessions, aftercare,
 *     cost, projection, risks) in the structure, the JSON, the text or the HTML report, and
 *     says what to do next (and, for a defer with a known date, when to come back).
 * The checks recompute each bound independently from the catalogue and the public device
 * and skin functions rather than reading the planner's own fields.
 */
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

#define N_CLIENTS 10000

MN_TEST_CONTEXT_FIXTURE

/* Independent statement of the depth bounds a zone must respect. */

/* Plan options with the quick band (two virtual people): the properties here are the
 * planner's, not its ranges (those are tested in test_healing.c), and 64 draws per zone over
 * thousands of generated clients would take minutes. */
/* Maintenance visits of different concerns closer than this merge into one
 * (src/clinic/plan.c, MN_MAINTENANCE_GAP_DAYS). */
#define MAINTENANCE_MERGE_DAYS 28

static const mn_plan_options *quick(void)
{
    static mn_plan_options o;
    mn_plan_options_init(&o);
    o.band_draws = 0;
    return &o;
}

/* Zones whose deep-face exception the phototype withheld, over the generated clients. */
static int held_for_phototype;

/* Zones set past their device's evaluated settings, over the generated clients. */
static int beyond_evaluated;

static void check_zone_bounds(const mn_client *c, const mn_plan_zone *z)
{
    const mn_device *d = c->device;
    const mn_site *s = z->zone;
    const double eps = 1e-9;
    /* A zone set past what the device's regulatory evaluation covered says so, and only
     * then (data/devices.json evaluated_max_mm). */
    int past = d->evaluated_by && z->depth_max_mm > d->evaluated_max_mm + eps;
    assert_int_equal(past, d->evaluated_by && strstr(z->why, d->evaluated_by) != NULL);
    if (past)
        beyond_evaluated++;
    /* Ordered, within the device range and on its setting grid. */
    assert_true(z->depth_min_mm <= z->depth_start_mm + eps);
    assert_true(z->depth_start_mm <= z->depth_max_mm + eps);
    assert_true(z->depth_min_mm >= d->depth_min_mm - eps);
    assert_true(z->depth_max_mm <= d->depth_max_mm + eps);
    if (d->n_lengths > 0) { /* a roller: every depth is a length sold */
        const double v[3] = {z->depth_min_mm, z->depth_start_mm, z->depth_max_mm};
        assert_int_equal(d->kind, MN_DEVICE_ROLLER);
        for (int i = 0; i < 3; i++) {
            int listed = 0;
            for (int k = 0; k < d->n_lengths; k++)
                listed |= v[i] == d->lengths_mm[k];
            if (!listed)
                fail_msg("%s: %.6g mm is not one of its lengths", d->id, v[i]);
        }
    } else if (d->depth_step_mm > 0) {
        double k = (z->depth_max_mm - d->depth_min_mm) / d->depth_step_mm;
        assert_close(k, floor(k + 0.5), 0, 1e-6);
        k = (z->depth_min_mm - d->depth_min_mm) / d->depth_step_mm;
        assert_close(k, floor(k + 0.5), 0, 1e-6);
    }
    /* Zone cap: the clinic limit, raised only by a concern's stated exception on a facial
     * zone already allowed 1.5 mm, only with a clinical device, and only for phototypes I-III:
     * darker skin stays within the 1.5 mm the studies in phototypes IV-VI used, whatever the
     * concern (docs/clinic.md, "Depth per zone"). */
    double cap = s->clinical_max_mm;
    int dark = c->patient.fitzpatrick >= 4;
    int deep = s->facial && s->clinical_max_mm >= 1.5 && z->concern->deep_face_max_mm > cap &&
               d->device_class == MN_DEVICE_CLINICAL;
    if (deep && !dark)
        cap = z->concern->deep_face_max_mm;
    assert_true(z->depth_max_mm <= cap + eps);
    if (dark && s->facial && z->depth_max_mm > 1.5 + eps)
        fail_msg("%s (%s), phototype %d: %.3g mm, past 1.5 mm", s->id, z->concern->id,
                 c->patient.fitzpatrick, z->depth_max_mm);
    /* ... and where that held the zone (no tighter bound did), the plan says so. */
    if (deep && dark && strcmp(z->base_limited_by, "anatomy") &&
        strcmp(z->base_limited_by, "device")) {
        assert_string_equal(z->base_limited_by, "phototype");
        /* (a zone not booked says that instead: check_booking) */
        if (!z->not_booked && !strstr(z->why, "not used for phototypes IV-VI"))
            fail_msg("%s: the phototype held it, but the plan does not say so: %s", s->id, z->why);
        held_for_phototype++;
    }
    if (z->concern->dark_phototype_max_mm > 0 &&
        c->patient.fitzpatrick >= z->concern->dark_phototype_from)
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
    case MN_RULE_NO_HISTORY:
        hit = !c->has_history;
        break;
    case MN_RULE_AGE_LT:
        hit = c->patient.age_years < r->threshold;
        break;
    case MN_RULE_MONTHS_AGO_AT_LEAST:
        hit = idx >= 0 && c->history_set[idx] && c->history[idx] >= r->threshold;
        break;
    case MN_RULE_HISTORY_OLDER_MONTHS:
        hit = c->has_history && c->has_history_date && c->has_screen_date &&
              c->screen_date > mn_date_add_months(c->history_date, (int)r->threshold);
        break;
    }
    if (hit && r->unless) { /* a more severe rule covers the case */
        int u = mn_history_find(r->unless);
        assert_true(u >= 0);
        hit = !(c->history_set[u] && c->history[u] != 0);
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

/* A rule covers a zone when it names no zones or names this one. */
static int covers(const mn_rule *r, const mn_site *site)
{
    if (r->n_zones == 0)
        return 1;
    for (int q = 0; q < r->n_zones; q++)
        if (!strcmp(r->zones[q], site->id))
            return 1;
    return 0;
}

/* The plan's client with the zones the plan does not book left out (plan zones follow the
 * client's concerns and their zones in order): their concerns shape no schedule. */
static void booked_client(const mn_plan *p, mn_client *out)
{
    *out = p->client;
    int pz = 0;
    for (int k = 0; k < out->n_concerns; k++) {
        mn_client_concern *cc = &out->concerns[k];
        int n = 0;
        for (int z = 0; z < p->client.concerns[k].n_zones; z++, pz++)
            if (!p->zones[pz].not_booked)
                cc->zones[n++] = p->client.concerns[k].zones[z];
        cc->n_zones = n;
    }
    assert_int_equal(pz, p->n_zones);
}

/* What the catalogue promises for a zone of this client: the sum of the adjust blocks of the
 * rules that apply to the client and cover the zone. */
static mn_rule_adjust promised(const mn_client *c, const mn_site *site)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_rule_adjust sum;
    memset(&sum, 0, sizeof sum);
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *r = mn_catalog_rule_at(cat, i);
        if (!r->adjust.present || !rule_applies(r, c) || !covers(r, site))
            continue;
        sum.present++;
        sum.start_mm += r->adjust.start_mm;
        sum.max_mm += r->adjust.max_mm;
        sum.interval_days += r->adjust.interval_days;
    }
    return sum;
}

/* The course interval of a site: the longest usual interval of its concerns (never below their
 * minimum), before any finding lengthens it. */
static int course_interval(const mn_client *c, const mn_site *site)
{
    int m = 0;
    for (int k = 0; k < c->n_concerns; k++)
        for (int z = 0; z < c->concerns[k].n_zones; z++)
            if (c->concerns[k].zones[z] == site) {
                const mn_concern *cc = c->concerns[k].concern;
                int iv = cc->interval_days > cc->min_interval_days ? cc->interval_days
                                                                   : cc->min_interval_days;
                if (iv > m)
                    m = iv;
            }
    return m;
}

/* A promised depth change applied to an unadjusted depth: down to a setting the device has,
 * never below its shortest one. */
static double lowered(const mn_device *d, double base_mm, double delta_mm, int *held)
{
    double v = mn_device_snap_down(d, base_mm + delta_mm);
    if (v < 0) {
        *held |= delta_mm < 0;
        return d->depth_min_mm;
    }
    return v;
}

/* Zones whose adjusting rule gives their concern a reason of its own (concern_reasons,
 * data/rules.json: hair loss on a darker scalp), seen over the generated clients. */
static int own_reason_zones;

/* The reason an adjust block gives a zone treated for @p concern, restated from the catalogue:
 * the concern's entry in concern_reasons, else the block's reason. */
static const char *reason_for(const mn_rule_adjust *a, const mn_concern *concern)
{
    for (int i = 0; i < a->n_concern_reasons; i++)
        if (!strcmp(a->concern_reasons[i].concern, concern->id))
            return a->concern_reasons[i].reason;
    return a->reason;
}

/* Every zone's final range is its unadjusted range changed exactly as the catalogue promises,
 * and the zone says which findings changed it. */
static void check_adjusted(const mn_plan *p)
{
    const mn_client *c = &p->client;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    for (int i = 0; i < p->n_zones; i++) {
        const mn_plan_zone *z = &p->zones[i];
        mn_rule_adjust a = promised(c, z->zone);
        int held = 0;
        double max = lowered(c->device, z->base_max_mm, a.max_mm, &held);
        double start = lowered(c->device, z->base_start_mm, a.start_mm, &held);
        if (start > max)
            start = max;
        assert_true(z->depth_max_mm == max);
        assert_true(z->depth_start_mm == start);
        assert_true(z->depth_min_mm <= start);
        assert_int_equal(z->interval_add_days, a.interval_days);
        assert_int_equal(z->held_at_device_min, held);
        assert_int_equal(z->n_adjusted_by, a.present);
        /* A zone not booked has no settings and no sessions, so it offers none: its line is
         * empty, and where the findings set its bound its why names their reasons instead,
         * whole (never cut at the buffer's end). */
        assert_int_equal(z->adjusted[0] != '\0', a.present > 0 && !z->not_booked);
        int gentler = z->not_booked && !strcmp(z->limited_by, "precautions");
        if (z->not_booked) {
            const char *end = "Ask us about other ways to treat it.";
            size_t lw = strlen(z->why), le = strlen(end);
            assert_true(lw > le && !strcmp(z->why + lw - le, end));
            assert_null(strstr(z->why, "instead of"));
            assert_null(strstr(z->why, "between course sessions"));
            assert_int_equal(strstr(z->why, "It is lowered because") != NULL, gentler);
        }
        for (int k = 0; k < z->n_adjusted_by; k++) {
            assert_true(z->adjusted_by[k]->adjust.present);
            assert_true(rule_applies(z->adjusted_by[k], c));
            /* Client-facing words, not internal codes. */
            assert_null(strstr(z->adjusted, z->adjusted_by[k]->code));
            assert_null(strstr(z->why, z->adjusted_by[k]->code));
            const mn_rule_adjust *x = &z->adjusted_by[k]->adjust;
            if (!z->not_booked && reason_for(x, z->concern) != x->reason) {
                /* Its own reason in place of the block's, never both. */
                assert_null(strstr(z->adjusted, x->reason));
                own_reason_zones++;
            }
            if (!z->not_booked)
                assert_non_null(
                    strstr(z->adjusted, reason_for(&z->adjusted_by[k]->adjust, z->concern)));
            else if (gentler)
                assert_non_null(strstr(z->why, reason_for(&z->adjusted_by[k]->adjust, z->concern)));
        }
        if (held && !z->not_booked)
            assert_non_null(strstr(z->adjusted, "shortest setting"));
        /* Every "X mm instead of Y mm" names a change: X differs from Y. */
        for (const char *q = z->adjusted; (q = strstr(q, " mm instead of ")) != NULL; q++) {
            const char *b = q;
            while (b > z->adjusted && b[-1] != ' ')
                b--;
            double was = strtod(q + strlen(" mm instead of "), NULL), now = strtod(b, NULL);
            if (now == was)
                fail_msg("%s: \"%s\" names no change", z->zone->id, z->adjusted);
        }
    }
    /* Pre-treatment: every client's items, those an applying rule's block or a treated concern
     * names (melasma's sun protection and pigment care, at every phototype) and those whose
     * on_rule applies, each for its phototypes; none without a session. */
    for (size_t i = 0; i < mn_catalog_pretreatment_count(cat); i++) {
        const mn_pretreatment *t = mn_catalog_pretreatment_at(cat, i);
        int named = 0, on_rule = 0; /* on_rule: the rule it names applies */
        for (size_t k = 0; k < mn_catalog_rule_count(cat); k++) {
            const mn_rule *r = mn_catalog_rule_at(cat, k);
            if (!rule_applies(r, c))
                continue;
            for (int q = 0; q < r->adjust.n_pretreatment; q++)
                named |= !strcmp(r->adjust.pretreatment[q], t->id);
            on_rule |= t->on_rule && !strcmp(r->code, t->on_rule);
        }
        for (int k = 0; k < c->n_concerns; k++)
            for (int q = 0; q < c->concerns[k].concern->n_pretreatment; q++)
                named |= !strcmp(c->concerns[k].concern->pretreatment[q], t->id);
        int want = p->n_sessions > 0 && (!t->on_finding || named) && (!t->on_rule || on_rule) &&
                   c->patient.fitzpatrick >= t->min_phototype;
        int got = 0;
        for (int k = 0; k < p->n_pretreatment; k++)
            if (p->pretreatment[k].item == t) {
                got = 1;
                assert_true(p->pretreatment[k].from ==
                            p->sessions[0].date - (mn_date)t->days_before);
            }
        if (got != want)
            fail_msg("pre-treatment %s: %s", t->id, want ? "missing" : "not promised");
    }
    /* ... in date order, the earliest first; items due the same day in catalogue order. */
    for (int k = 1; k < p->n_pretreatment; k++) {
        const mn_plan_pretreatment *a = &p->pretreatment[k - 1], *b = &p->pretreatment[k];
        if (a->from > b->from || (a->from == b->from && a->item > b->item))
            fail_msg("pre-treatment %s listed before %s, out of date order", a->item->id,
                     b->item->id);
    }
}

/* Whether session @p s treats @p site (under any of the plan zones at that site). */
static int treats_site(const mn_plan *p, const mn_plan_session *s, const mn_site *site)
{
    for (int k = 0; k < p->n_zones; k++)
        if ((s->zone_mask & (1u << k)) && p->zones[k].zone == site)
            return 1;
    return 0;
}

static void check_schedule(const mn_plan *p)
{
    const mn_client *c = &p->client;
    mn_client booked;
    booked_client(p, &booked);
    if (p->screening.decision >= MN_DECISION_DEFER) {
        assert_int_equal(p->n_sessions, 0);
        assert_true(p->course_total == 0 && p->horizon_total == 0);
        return;
    }
    int any_booked = 0;
    for (int z = 0; z < p->n_zones; z++)
        any_booked |= !p->zones[z].not_booked;
    if (!any_booked) { /* nothing is booked: no visit, nothing charged (check_booking) */
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
        if (p->zones[z].not_booked)
            continue;
        int min_gap = max_min_interval(&booked, site);
        int course_gap = course_interval(&booked, site) + promised(c, site).interval_days;
        mn_date last_course = 0;
        int seen_course = 0;
        mn_date last = 0;
        int seen = 0;
        for (int i = 0; i < p->n_sessions; i++) {
            if (!treats_site(p, &p->sessions[i], site))
                continue;
            if (seen)
                assert_true(p->sessions[i].date - last >= min_gap);
            last = p->sessions[i].date;
            seen = 1;
            /* Course visits keep the course interval, lengthened by the findings' blocks. */
            if (p->sessions[i].phase != MN_PHASE_COURSE)
                continue;
            if (seen_course && p->sessions[i].date - last_course < course_gap)
                fail_msg("%s: course visits %d days apart, promised at least %d", site->id,
                         (int)(p->sessions[i].date - last_course), course_gap);
            last_course = p->sessions[i].date;
            seen_course = 1;
        }
        assert_true(seen);
    }
    assert_true(p->maintenance_interval_days >= 90 && p->maintenance_interval_days <= 365);
}

/* The course spacing each zone gets is the spacing the plan states for it: the days between its
 * course visits (those where its site's setting is a course step), gap by gap, are
 * zones[].course_gaps_days; the interval it aims at, zones[].course_interval_days, is the
 * concerns' (never below their minimum) plus the findings' blocks; no gap is below it or below
 * the minimum interval, nor longer than the half interval a session may wait to share a visit
 * (plus a Sunday moved to the Monday). Returns how many zones had a gap above their interval. */
static int check_course_spacing(const mn_plan *p)
{
    if (!mn_plan_treats(p))
        return 0;
    int longer = 0;
    mn_client booked;
    booked_client(p, &booked);
    for (int z = 0; z < p->n_zones; z++) {
        const mn_plan_zone *pz = &p->zones[z];
        const mn_site *site = pz->zone;
        if (pz->not_booked) /* no course (check_booking) */
            continue;
        int interval = course_interval(&booked, site) + promised(&p->client, site).interval_days;
        assert_int_equal(pz->course_interval_days, interval);
        mn_date last = 0;
        int n = 0, seen = 0, above = 0;
        for (int i = 0; i < p->n_sessions; i++) {
            const mn_plan_session *s = &p->sessions[i];
            int course = 0;
            for (int k = 0; k < s->n_settings; k++)
                if (p->zones[s->settings[k].zone].zone == site && s->settings[k].course_step > 0)
                    course = 1;
            if (!course)
                continue;
            if (seen) {
                int gap = s->date - last;
                if (n >= pz->n_course_gaps || pz->course_gaps_days[n] != gap)
                    fail_msg("%s: course visits %d days apart, the plan states %d (gap %d of %d)",
                             site->id, gap, n < pz->n_course_gaps ? pz->course_gaps_days[n] : -1,
                             n + 1, pz->n_course_gaps);
                assert_true(gap >= interval && gap >= max_min_interval(&booked, site));
                assert_true(gap <= interval + interval / 2 + 1);
                above |= gap > interval;
                n++;
            }
            last = s->date;
            seen = 1;
        }
        assert_int_equal(n, pz->n_course_gaps);
        assert_int_equal(pz->n_course_gaps, pz->course_sessions - 1);
        longer += above;
    }
    return longer;
}

/* The interval the projection states is the one its zones keep: when a concern the model does
 * not project (hair loss, melasma) sets a shorter plan interval for its own zones, each zone
 * whose concerns all follow collagen is maintained at the model's interval for them
 * (lasting_interval_days), brought forward at most the 28 days that merge visits, never later
 * (a Sunday moves to the Monday). Returns how many such gaps it checked. */
static int check_projected_zone_maintenance(const mn_plan *p)
{
    int m = p->lasting_interval_days, checked = 0;
    if (p->maintenance_from_model || m <= 0)
        return 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_site *site = p->zones[z].zone;
        int projected = 1;
        for (int k = 0; k < p->client.n_concerns; k++)
            for (int j = 0; j < p->client.concerns[k].n_zones; j++)
                if (p->client.concerns[k].zones[j] == site)
                    projected &= mn_concern_projected(p->client.concerns[k].concern);
        if (!projected)
            continue;
        mn_date last = 0;
        int seen = 0;
        for (int i = 0; i < p->n_sessions; i++) {
            if (!treats_site(p, &p->sessions[i], site))
                continue;
            if (seen && p->sessions[i].phase == MN_PHASE_MAINTENANCE) {
                int gap = (int)(p->sessions[i].date - last);
                if (gap > m + 1 || gap < m - MAINTENANCE_MERGE_DAYS - 1)
                    fail_msg("%s: maintenance %d days after its last visit, the projection "
                             "states %d",
                             site->id, gap, m);
                checked++;
            }
            last = p->sessions[i].date;
            seen = 1;
        }
    }
    return checked;
}

/* One calendar: no two maintenance visits closer than 28 days (the maintenance of different
 * concerns is merged), and the cost is the sum over the visits booked. */
/* Every plan zone of a treating plan with a course is either projected (its concern one the
 * model projects) or listed as not projected with the reason its concern gives: a concern that
 * does not follow collagen, or one whose projection is withheld, is never given a figure.
 * Returns how many withheld zones it saw; counts in @p below those not projected because they
 * are needled far below the studies of their concern. */
/* The deepest needle length a plan zone's site gets in the course (0 when none). */
static double course_deepest_mm(const mn_plan *p, int z)
{
    double deepest = 0;
    for (int i = 0; i < p->n_sessions; i++)
        for (int k = 0; k < p->sessions[i].n_settings; k++) {
            const mn_plan_setting *set = &p->sessions[i].settings[k];
            if (p->sessions[i].phase == MN_PHASE_COURSE &&
                p->zones[set->zone].zone == p->zones[z].zone)
                deepest = fmax(deepest, set->depth_mm);
        }
    return deepest;
}

/* A zone whose deepest setting lies below half the shallowest needle length of any study of
 * its concern (the bound below which the projection gives no figure, for a concern the model
 * projects) is not booked: no visit treats it, it has no course, no PIH chance and no price,
 * and its line says so and that the evidence does not reach that depth (absent evidence, never
 * called evidence that needling does not help); every other zone is booked and
 * never says so. Returns the zones not booked. */
static int check_booking(const mn_plan *p)
{
    int not_booked = 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_plan_zone *pz = &p->zones[z];
        double studied = -1;
        const char *sid = NULL;
        assert_int_equal(mn_evidence_bundled_shallowest(ctx, pz->concern->id, &studied, &sid),
                         MN_OK);
        int projected = mn_concern_projected(pz->concern) && studied > 0;
        int below = projected && pz->depth_max_mm < 0.5 * studied - 1e-9;
        /* Booked on its maximum, a zone is still not booked when its course cannot climb to
         * half the studies' needle length (plan.c unbook_short_courses): what the course
         * reaches is what the projection reads. A booked zone's course reaches that far. */
        int short_course = pz->not_booked && !below;
        if (short_course) {
            assert_true(projected);
            assert_non_null(strstr(pz->why, "this course would reach at most"));
        }
        if (below && !pz->not_booked)
            fail_msg("%s (%s): at most %g mm against %g mm studied, but booked", pz->zone->id,
                     pz->concern->id, pz->depth_max_mm, studied);
        if (projected && !pz->not_booked && pz->course_sessions > 0 &&
            pz->course_max_mm < 0.5 * studied - 1e-9)
            fail_msg("%s (%s): its course reaches %g mm against %g mm studied, but booked",
                     pz->zone->id, pz->concern->id, pz->course_max_mm, studied);
        below |= short_course;
        int said = strstr(pz->why, "Not booked:") != NULL &&
                   strstr(pz->why, "evidence does not reach this depth") != NULL;
        assert_null(strstr(pz->why, "no improvement"));
        assert_int_equal(said, below);
        if (!below) {
            if (p->n_sessions > 0)
                assert_true(pz->course_sessions > 0);
            continue;
        }
        not_booked++;
        assert_int_equal(pz->course_sessions, 0);
        assert_int_equal(pz->n_course_gaps, 0);
        assert_true(pz->pih_probability == 0 && pz->pih_probability_high == 0);
        for (int i = 0; i < p->n_sessions; i++) {
            assert_false(p->sessions[i].zone_mask & (1u << z));
            for (int k = 0; k < p->sessions[i].n_settings; k++)
                assert_true(p->sessions[i].settings[k].zone != z);
        }
        for (int k = 0; k < p->n_zone_projections; k++)
            assert_true(p->zone_projections[k].zone != z);
    }
    return not_booked;
}

static int check_zone_projection_reasons(const mn_plan *p, int *below)
{
    int withheld = 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_concern *c = p->zones[z].concern;
        int proj = 0, unproj = -1;
        for (int k = 0; k < p->n_zone_projections; k++)
            proj += p->zone_projections[k].zone == z;
        for (int k = 0; k < p->n_zones_not_projected; k++)
            if (p->zones_not_projected[k].zone == z)
                unproj = (int)p->zones_not_projected[k].reason;
        if (p->n_sessions == 0 || !mn_plan_treats(p)) {
            assert_int_equal(proj, 0);
            continue;
        }
        if (proj && !mn_concern_projected(c))
            fail_msg("%s (%s) is projected, but its concern is not one the model projects",
                     p->zones[z].zone->id, c->id);
        if (!proj && unproj < 0)
            fail_msg("%s (%s): neither projected nor listed as not projected", p->zones[z].zone->id,
                     c->id);
        if (!c->collagen_projection)
            assert_int_equal(unproj, MN_UNPROJECTED_CONCERN);
        else if (c->projection_withheld) {
            assert_int_equal(unproj, MN_UNPROJECTED_WITHHELD);
            withheld++;
        }
        /* A zone needled at less than MN_PLAN_PROJECT_MIN_STUDIED_FRACTION of the shallowest
         * setting any study of its concern used gets no figure, and says so; every other
         * collagen zone of the concern keeps its projection. */
        double studied = -1;
        const char *sid = NULL;
        assert_int_equal(mn_evidence_bundled_shallowest(ctx, c->id, &studied, &sid), MN_OK);
        double deepest = course_deepest_mm(p, z);
        int far = studied > 0 && deepest < MN_PLAN_PROJECT_MIN_STUDIED_FRACTION * studied - 1e-9;
        if (far && proj)
            fail_msg("%s (%s) at %g mm is projected, below half of %g mm studied",
                     p->zones[z].zone->id, c->id, deepest, studied);
        if (unproj == MN_UNPROJECTED_BELOW_STUDIED) {
            assert_true(far);
            (*below)++;
        }
    }
    return withheld;
}

static void check_calendar(const mn_plan *p)
{
    mn_date last_maint = 0;
    int seen = 0;
    double course = 0, total = 0;
    for (int i = 0; i < p->n_sessions; i++) {
        const mn_plan_session *s = &p->sessions[i];
        total += s->price;
        if (s->phase == MN_PHASE_COURSE) {
            course += s->price;
            continue;
        }
        if (seen)
            assert_true(s->date - last_maint >= MAINTENANCE_MERGE_DAYS);
        last_maint = s->date;
        seen = 1;
    }
    assert_close(p->horizon_total, total, 0, 1e-9);
    assert_close(p->course_total, course, 0, 1e-9);
    if (p->n_sessions > 0) {
        /* Merged maintenance never needs more visits than the tracks apart (each at least
         * every 90 days, and at most one per concern-zone) nor fewer than one a year. */
        assert_true(p->maintenance_visits_per_year >= 1 - 1e-9);
        assert_true(p->maintenance_visits_per_year <= 365.0 / MAINTENANCE_MERGE_DAYS + 1e-9);
        const mn_client *c = &p->client;
        if (c->n_prices == 0 && !c->has_face_price && !c->has_body_price)
            assert_close(p->maintenance_per_year,
                         p->maintenance_visits_per_year * c->price_per_session, 0, 1e-6);
        if (c->has_course_price)
            assert_close(p->course_total, c->course_price, 0, 1e-6);
        /* A visit costs at most every price that could apply to it, once each. */
        double most = c->price_per_session + c->face_price * c->has_face_price +
                      c->body_price * c->has_body_price;
        for (int k = 0; k < c->n_prices; k++)
            most += c->prices[k].price;
        for (int i = 0; i < p->n_sessions; i++)
            if (p->sessions[i].phase == MN_PHASE_MAINTENANCE || !c->has_course_price)
                assert_true(p->sessions[i].price >= 0 && p->sessions[i].price <= most + 1e-9);
    }
}

/* The device's longest setting at or below @p aim (its shortest when none is), walked from its
 * catalogue entry: a roller's lengths sold, or a pen's grid from its shortest setting. */
static double setting_at_or_below(const mn_device *d, double aim)
{
    double best = d->depth_min_mm;
    if (d->n_lengths > 0) {
        for (int k = 0; k < d->n_lengths; k++)
            if (d->lengths_mm[k] <= aim + 1e-9 && d->lengths_mm[k] > best)
                best = d->lengths_mm[k];
    } else if (d->depth_step_mm > 0) {
        for (int j = 0; d->depth_min_mm + j * d->depth_step_mm <= aim + 1e-9; j++)
            best = d->depth_min_mm + j * d->depth_step_mm;
    }
    return best;
}

/* The largest gap between neighbouring settings of the device from @p lo to @p hi. */
static double widest_gap(const mn_device *d, double lo, double hi)
{
    if (d->n_lengths == 0)
        return d->depth_step_mm;
    double gap = 0;
    for (int k = 1; k < d->n_lengths; k++)
        if (d->lengths_mm[k - 1] >= lo - 1e-9 && d->lengths_mm[k] <= hi + 1e-9)
            gap = fmax(gap, d->lengths_mm[k] - d->lengths_mm[k - 1]);
    return gap;
}

/* Titration: course step k of n aims at start + (max - start)(k - 1)/(n - 1), but at most
 * @p rise above step k - 1, and takes the device's longest setting not past that (never below
 * step k - 1), so the course climbs in near-equal strides where the rise allows, and never by
 * more than the rise. Returns bit 0 when the strides are not all equal (snapping shows), bit 1
 * when the rise keeps the course below its maximum. */
static int check_even_course(const mn_device *d, const double *depth, int n, double start,
                             double max, double rise)
{
    int even = 1; /* every setting at its even aim: the rise never bound */
    double prev = start;
    for (int k = 1; k <= n; k++) {
        double aim = n > 1 ? start + (max - start) * (k - 1) / (n - 1) : start;
        double want = k == 1 ? start : fmax(setting_at_or_below(d, fmin(aim, prev + rise)), prev);
        assert_close(depth[k - 1], want, 0, 1e-6);
        even &= fabs(want - fmax(setting_at_or_below(d, aim), start)) < 1e-6;
        prev = want;
    }
    int below = n > 1 && depth[n - 1] < max - 1e-6;
    if (below)
        assert_false(even); /* only the rise keeps a course below its maximum */
    if (!even)
        return below ? 2 : 0;
    double lo = 1e9, hi = -1e9;
    for (int k = 1; k < n; k++) {
        lo = fmin(lo, depth[k] - depth[k - 1]);
        hi = fmax(hi, depth[k] - depth[k - 1]);
    }
    /* Each setting lies less than one gap below its aim, so two strides differ by less than
     * one step on a pen's even grid, and by less than two of the widest gaps on a roller's
     * uneven lengths (dermaroller-540 from 0.2 to 0.75 mm in three: 0.2, 0.25, 0.75, the
     * middle aim 0.475 mm falling just short of 0.5). */
    double gap = widest_gap(d, start, max);
    if (n > 1)
        assert_true(hi - lo <= (d->n_lengths > 0 ? 2 * gap : gap) + 1e-6);
    return n > 2 && hi - lo > 1e-6;
}

/* The most a site's needle length may rise from one visit to the next, recomputed from the
 * catalogue: the gentle step where a booked concern of the site or a finding that adjusted one
 * of its zones asks for it (gentle_rise), else the usual one (clinic.h). */
static double site_rise(const mn_plan *p, const mn_site *site)
{
    int gentle = 0;
    for (int k = 0; k < p->n_zones; k++) {
        if (p->zones[k].zone != site || p->zones[k].not_booked)
            continue;
        gentle |= p->zones[k].concern->gentle_rise;
        for (int r = 0; r < p->zones[k].n_adjusted_by; r++)
            gentle |= p->zones[k].adjusted_by[r]->adjust.gentle_rise;
    }
    return gentle ? MN_PLAN_RISE_GENTLE_MM : MN_PLAN_RISE_MM;
}

/* One setting per site and visit: within the safer cap of the site's concerns and the device's
 * range, on its grid, titrating upward evenly through the course from the site's start to its
 * maximum (check_even_course), and maintenance at the last course setting, or at the first where
 * a concern of the site says so (maintenance_at_start, data/concerns.json); from any visit of
 * the site to its next, the needle length rises by at most the site's rise (site_rise). Returns
 * bit 0 when a site is shared by two concerns, bit 1 when a course titrates (its last setting
 * deeper than its first), bit 2 when a course's strides are uneven from snapping to the grid,
 * bit 3 when the rise keeps a course below the site's maximum, bit 4 when a course rises by
 * the gentle step. */
static int check_settings(const mn_plan *p)
{
    const mn_device *d = p->client.device;
    const double eps = 1e-9;
    int kinds = 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_site *site = p->zones[z].zone;
        if (p->zones[z].not_booked) /* no setting of its own (check_booking) */
            continue;
        /* The site's bounds, recomputed from its booked zones: the smallest maximum (its
         * concern sets the setting), and the deepest start held within it. */
        double cap = 1e9, start = 0;
        const mn_concern *by = NULL;
        int listed = 0, at_start = 0;
        for (int k = 0; k < p->n_zones; k++)
            if (p->zones[k].zone == site && !p->zones[k].not_booked) {
                listed++;
                at_start |= p->zones[k].concern->maintenance_at_start;
                if (p->zones[k].depth_max_mm < cap) {
                    cap = p->zones[k].depth_max_mm;
                    by = p->zones[k].concern;
                }
                if (p->zones[k].depth_start_mm > start)
                    start = p->zones[k].depth_start_mm;
            }
        if (start > cap)
            start = cap;
        if (listed > 1 && p->n_sessions > 0)
            kinds |= 1;
        const double rise = site_rise(p, site);
        assert_close(p->zones[z].rise_mm, rise, 0, 1e-12);
        double last = -1, course[64], before = -1; /* before: the site's previous visit */
        int steps = 0, in_course = 1;
        for (int i = 0; i < p->n_sessions; i++) {
            const mn_plan_session *s = &p->sessions[i];
            const mn_plan_setting *set = NULL;
            for (int k = 0; k < s->n_settings; k++)
                if (p->zones[s->settings[k].zone].zone == site) {
                    assert_null(set); /* one setting per site and visit */
                    set = &s->settings[k];
                }
            int treats = 0;
            for (int k = 0; k < p->n_zones; k++)
                if ((s->zone_mask & (1u << k)) && p->zones[k].zone == site)
                    treats = 1;
            assert_int_equal(set != NULL, treats);
            if (!set)
                continue;
            /* The invariant the titration exists for: no visit needles deeper than the rise
             * beyond the site's previous visit, course or maintenance. */
            if (before >= 0)
                assert_true(set->depth_mm - before <= rise + 1e-6);
            before = set->depth_mm;
            assert_true(s->site_mask & (1u << set->zone));
            assert_ptr_equal(set->concern, by);
            assert_true(set->depth_mm <= cap + eps && set->max_mm <= cap + eps);
            assert_true(set->depth_mm >= start - eps);
            assert_true(set->depth_mm >= d->depth_min_mm - eps);
            assert_true(set->depth_mm <= d->depth_max_mm + eps);
            if (d->n_lengths > 0) { /* a roller: one of the lengths it is sold in */
                int sold = 0;
                for (int k = 0; k < d->n_lengths; k++)
                    sold |= set->depth_mm == d->lengths_mm[k];
                assert_true(sold);
            } else if (d->depth_step_mm > 0) {
                double k = (set->depth_mm - d->depth_min_mm) / d->depth_step_mm;
                assert_close(k, floor(k + 0.5), 0, 1e-6);
            }
            if (set->course_step > 0) {
                assert_true(in_course); /* no course session after maintenance began */
                assert_int_equal(set->course_step, ++steps);
                if (steps == 1)
                    assert_close(set->depth_mm, start, 0, eps);
                else
                    assert_true(set->depth_mm >= last - eps); /* never lowered */
                if (steps > 1 && set->depth_mm > start + eps)
                    kinds |= 2;
                last = set->depth_mm;
                assert_true(steps <= 64);
                course[steps - 1] = last;
            } else {
                in_course = 0;
                assert_true(steps > 0);
                /* the last course setting, or the first */
                assert_close(set->depth_mm, at_start ? start : last, 0, eps);
            }
        }
        if (p->n_sessions > 0) {
            assert_int_equal(steps, p->zones[z].course_sessions);
            /* The course ends at the deepest setting it reaches: the site's maximum, or below it
             * where the rise per visit does not get there (check_even_course). */
            assert_close(p->zones[z].course_max_mm, steps > 0 ? last : start, 0, 1e-9);
            int even = check_even_course(d, course, steps, start, cap, rise);
            if (steps > 1 && !(even & 2))
                assert_close(last, cap, 0, 1e-6);
            if (even & 1)
                kinds |= 4;
            if (even & 2)
                kinds |= 8;
            if (rise < MN_PLAN_RISE_MM && last > start + 1e-9)
                kinds |= 16;
        }
    }
    return kinds;
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
        /* A zone-specific finding names every treated zone its rule covers, each once, in
         * the client's order; zone is the first of them. */
        for (int f = 0; f < s->n_findings; f++) {
            const mn_finding *fd = &s->findings[f];
            if (fd->rule != r)
                continue;
            int n = 0;
            for (int q = 0; q < c->n_concerns; q++)
                for (int z = 0; z < c->concerns[q].n_zones; z++) {
                    const char *id = c->concerns[q].zones[z]->id;
                    int covered = 0, seen = 0;
                    for (int k = 0; k < r->n_zones; k++)
                        covered |= !strcmp(r->zones[k], id);
                    for (int m = 0; m < n; m++)
                        seen |= !strcmp(fd->zones[m], id);
                    if (!covered || seen)
                        continue;
                    assert_true(n < fd->n_zones);
                    assert_string_equal(fd->zones[n], id);
                    n++;
                }
            assert_int_equal(fd->n_zones, r->n_zones ? n : 0);
            if (fd->n_zones)
                assert_ptr_equal(fd->zone, fd->zones[0]);
            else
                assert_null(fd->zone);
        }
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
        /* Counted from the day the history was taken, not from the start. */
        assert_true(s->rescreen > (c->has_history_date ? c->history_date : c->start) ||
                    (s->rescreen_now && s->rescreen == c->screen_date));
        /* Never a day already gone: a wait over by the screening day is "now". */
        if (c->has_screen_date) {
            assert_true(s->rescreen >= c->screen_date);
            assert_int_equal(s->rescreen_now, s->rescreen == c->screen_date);
        }
    } else {
        assert_false(s->rescreen_now);
    }
    for (int f = 0; f < s->n_findings; f++)
        assert_int_equal(s->findings[f].passed, s->findings[f].has_until && c->has_screen_date &&
                                                    s->findings[f].until <= c->screen_date);
}

static void random_client(mn_rng *r, mn_client *c)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    memset(c, 0, sizeof *c);
    /* Some minors: screening turns them away (MN-MINOR); the planner must never plan them. */
    c->patient.age_years =
        mn_rng_uniform(r) < 0.03 ? (double)mn_rng_int(r, 0, 17) : (double)mn_rng_int(r, 18, 100);
    c->patient.sex = mn_rng_int(r, 0, 1) ? MN_SEX_MALE : MN_SEX_FEMALE;
    c->patient.fitzpatrick = (int)mn_rng_int(r, 1, 6);
    c->patient.smoker = mn_rng_uniform(r) < 0.2;
    c->patient.sun = (mn_sun)mn_rng_int(r, 0, 2);
    do /* clinic devices: a home device is refused (test_home_device_refused) */
        c->device = mn_catalog_device_at(
            cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_device_count(cat) - 1));
    while (c->device->device_class == MN_DEVICE_HOME);
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
    if (mn_rng_uniform(r) < 0.3) { /* prices as clinics give them: per zone, group, package */
        for (int k = 0; k < c->n_concerns; k++)
            for (int z = 0; z < c->concerns[k].n_zones; z++)
                if (mn_rng_uniform(r) < 0.5 && c->n_prices < MN_MAX_PRICES) {
                    int dup = 0;
                    for (int q = 0; q < c->n_prices; q++)
                        dup |= c->prices[q].site == c->concerns[k].zones[z];
                    if (dup)
                        continue;
                    c->prices[c->n_prices].site = c->concerns[k].zones[z];
                    c->prices[c->n_prices++].price = (double)mn_rng_int(r, 50, 400);
                }
        c->has_face_price = mn_rng_uniform(r) < 0.5;
        c->face_price = (double)mn_rng_int(r, 100, 500);
        c->has_body_price = mn_rng_uniform(r) < 0.5;
        c->body_price = (double)mn_rng_int(r, 100, 500);
        c->has_course_price = mn_rng_uniform(r) < 0.5;
        c->course_price = (double)mn_rng_int(r, 500, 3000);
    }
    for (int h = 0; h < MN_HISTORY_COUNT; h++) {
        if (mn_rng_uniform(r) >= 0.06)
            continue;
        c->history_set[h] = 1;
        c->history[h] =
            mn_history_is_numeric((mn_history_item)h) ? (double)mn_rng_int(r, 0, 24) : 1;
    }
    /* Most files carry the health questionnaire (many with nothing to declare); some were
     * never asked, and a file without one has no history items. */
    c->has_history = mn_rng_uniform(r) >= 0.1;
    if (!c->has_history)
        memset(c->history_set, 0, sizeof c->history_set);
    /* Half the files date their answers, from the start back to two years before it. */
    if (c->has_history && mn_rng_uniform(r) < 0.5) {
        c->has_history_date = 1;
        c->history_date = c->start - (mn_date)mn_rng_int(r, 0, 730);
    }
}

/* Numbing at every visit: none when a finding rules the cream out, else the visit's sites'
 * areas, numbed in turns exactly when they pass the leaflet's 600 cm2 (EMLA's SmPC). Returns 1
 * when a visit of the plan is numbed in turns. */
static int check_numbing(const mn_plan *p)
{
    int ruled_out = 0, turns = 0;
    for (int f = 0; f < p->screening.n_findings; f++)
        ruled_out |= p->screening.findings[f].rule->no_numbing;
    for (int i = 0; i < p->n_sessions; i++) {
        const mn_plan_session *s = &p->sessions[i];
        double area = 0;
        for (int k = 0; k < s->n_settings; k++)
            area += p->zones[s->settings[k].zone].zone->area_cm2;
        if (ruled_out) {
            assert_true(s->numbing_min == 0 && s->numbing_area_cm2 == 0);
            assert_false(s->numbing_in_turns);
            continue;
        }
        assert_true(s->numbing_min > 0);
        assert_true(fabs(s->numbing_area_cm2 - area) < 1e-9);
        assert_int_equal(s->numbing_in_turns, area > 600.0);
        turns |= s->numbing_in_turns;
    }
    return turns;
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

/* @p text as words: every character but a letter, a digit or a hyphen is a space, runs of
 * spaces one, with a space at each end, so a word is found as " word ". A copy the caller
 * frees. */
static char *words_of(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(n + 3), *o = out;
    assert_non_null(out);
    *o++ = ' ';
    for (const char *t = text; *t; t++) {
        int word = isalnum((unsigned char)*t) || *t == '-' || (*t & 0x80);
        if (word)
            *o++ = *t;
        else if (o[-1] != ' ')
            *o++ = ' ';
    }
    if (o[-1] != ' ')
        *o++ = ' ';
    *o = '\0';
    return out;
}

/* The words of the catalogues under data/ (the top-level files: aftercare, rules, references,
 * adverse events...), read once: the prose a plan quotes from them. */
static const char *catalogue_words(void)
{
    static char *all;
    if (all)
        return all;
    static const char *const files[] = {"adverse_events", "aftercare", "concerns",
                                        "devices",        "products",  "references",
                                        "rules",          "scales",    "sites"};
    size_t len = 0;
    all = calloc(1, 1);
    assert_non_null(all);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/data/%s.json", MN_SOURCE_DIR, files[i]);
        char *raw = mn_test_read_file(path, NULL);
        assert_non_null(raw);
        char *w = words_of(raw);
        size_t n = strlen(w);
        char *grown = realloc(all, len + n + 1);
        assert_non_null(grown);
        all = grown;
        memcpy(all + len, w, n + 1);
        len += n;
        free(w);
        free(raw);
    }
    return all;
}

/* The English the planner writes around a word that is also a zone's or a concern's id ("come
 * back", "back to the pre-treatment level", "post-inflammatory hyperpigmentation"): the word
 * there is not the id. */
static const char *const english[] = {" come back ", " back to ", " back at ",
                                      " post-inflammatory hyperpigmentation "};

/* 1 when the word at @p at of @p w (words_of()) is part of a zone's or a concern's name there. */
static int in_a_name(const char *w, const char *at)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    size_t n_sites = mn_catalog_site_count(cat), n = n_sites + mn_catalog_concern_count(cat);
    int inside = 0;
    for (size_t i = 0; i < n && !inside; i++) {
        char *name = words_of(i < n_sites ? mn_catalog_site_at(cat, i)->name
                                          : mn_catalog_concern_at(cat, i - n_sites)->name);
        size_t len = strlen(name);
        for (const char *h = strstr(w, name); h && !inside; h = strstr(h + 1, name))
            inside = at >= h && at < h + len;
        free(name);
    }
    return inside;
}

/* The first zone or concern id in @p text (a client-facing text, or a page's visible text), or
 * NULL. An id is a whole word, in its case, as the catalogue spells it
 * (names are capitalised: "Cheek", "Atrophic acne scars (rolling, boxcar)"). A word that is
 * also an id is not one where it sits in catalogue prose the plan quotes (the word, the one
 * before and the one after, as in data/: "the treated scalp for", "another hair-loss lotion")
 * or in the English above. */
static const char *catalogue_id(const char *text)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const char *data = catalogue_words();
    char *w = words_of(text);
    const char *found = NULL;
    size_t n_sites = mn_catalog_site_count(cat), n = n_sites + mn_catalog_concern_count(cat);
    for (size_t i = 0; i < n && !found; i++) {
        const char *want = i < n_sites ? mn_catalog_site_at(cat, i)->id
                                       : mn_catalog_concern_at(cat, i - n_sites)->id;
        size_t len = strlen(want);
        for (const char *t = strstr(w, want); t && !found; t = strstr(t + 1, want)) {
            if (t[-1] != ' ' || t[len] != ' ') /* not a whole word (w starts with a space) */
                continue;
            if (in_a_name(w, t)) /* "Back of hand": the name, not the id "hand" */
                continue;
            /* The word with its neighbours, " before id after ". */
            const char *from = t - 1, *to = t + len + 1;
            while (from > w && from[-1] != ' ')
                from--;
            if (from > w)
                from--;
            while (*to && *to != ' ')
                to++;
            char around[256];
            snprintf(around, sizeof around, "%.*s ", (int)(to - from), from);
            int quoted = strstr(data, around) != NULL;
            for (size_t e = 0; e < sizeof english / sizeof english[0] && !quoted; e++) {
                const char *hit = strstr(around, english[e]);
                quoted = hit && (size_t)(t - from) >= (size_t)(hit - around) + 1 &&
                         (size_t)(t - from) < (size_t)(hit - around) + strlen(english[e]) - 1;
            }
            if (!quoted) {
                found = want;
                print_message("zone or concern id \"%s\" in: ...%s...\n", want, around);
            }
        }
    }
    free(w);
    return found;
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
        const char *code = internal_code(v), *id = catalogue_id(v);
        if (code)
            print_message("internal code in the %s: %.40s\n", kind ? "report" : "text", code);
        assert_null(code);
        if (id)
            print_message("an id, not a name, in the %s: %s\n", kind ? "report" : "text", id);
        assert_null(id);
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
        /* A deferred client is told the cautions for when she comes back (the report's
         * table escapes quotes, so only the text is searched); a declined one is not. */
        for (int i = 0; kind == 0 && i < s->n_findings; i++) {
            const mn_finding *f = &s->findings[i];
            if (f->severity >= MN_SEVERITY_DEFER)
                continue;
            if (s->decision == MN_DECISION_DEFER) {
                assert_non_null(strstr(t, f->message));
                assert_non_null(strstr(t, "For when you come back:"));
            } else {
                assert_null(strstr(t, f->message));
            }
        }
        free(t);
    }
}

/* A treated plan shows the content the check above looks for, so that check can fail. */
static void check_treatment_shown(const mn_plan *p)
{
    char *t = written(p, 0);
    assert_non_null(strstr(t, "Aftercare after each session"));
    assert_non_null(strstr(t, "\nCost ("));
    if (p->n_sessions > 0) /* none when no zone is booked (check_booking) */
        assert_non_null(strstr(t, "\nSchedule ("));
    assert_non_null(strstr(t, "Zones and needle depth\n"));
    assert_null(strstr(t, "What to do next"));
    free(t);
}

/* 1 when the screening has a finding of the rule @p code. */
static int finding(const mn_plan *p, const char *code)
{
    for (int i = 0; i < p->screening.n_findings; i++)
        if (!strcmp(p->screening.findings[i].code, code))
            return 1;
    return 0;
}

static const mn_plan_aftercare *aftercare_item(const mn_plan *p, const char *id)
{
    for (int i = 0; i < p->n_aftercare; i++)
        if (!strcmp(p->aftercare[i].item->id, id))
            return &p->aftercare[i];
    return NULL;
}

static int pretreatment_item(const mn_plan *p, const char *id)
{
    for (int i = 0; i < p->n_pretreatment; i++)
        if (!strcmp(p->pretreatment[i].item->id, id))
            return 1;
    return 0;
}

/* The aftercare of a treated plan (docs/clinic.md "Aftercare"): nothing goes on the treated
 * skin on the treatment day, so no "do" item from day 0 applies a product; the items that hold
 * until the next session last until each zone is treated again (its shortest gap, at most 28
 * days); a client on blood thinners is not told bleeding stops at once; a client primed with
 * pigment skincare is told when to restart it; a history of cold sores with a facial zone gives
 * the caution and the antiviral step; and no zone is said to be "usually" needled from a depth
 * above its clinic limit. @return 1 when the plan had a zone whose usual range lies above its
 * limit. */
static int check_aftercare(const mn_plan *p)
{
    static const char *const products[] = {"moistur", "serum", "cream", "SPF",
                                           "lotion",  "apply", "Apply", NULL};
    assert_non_null(aftercare_item(p, "nothing-on-day-0"));
    for (int i = 0; i < p->n_aftercare; i++) {
        const mn_plan_aftercare *a = &p->aftercare[i];
        if (a->item->kind == MN_AFTERCARE_DO && a->day_from == 0)
            for (int k = 0; products[k]; k++)
                if (strstr(a->item->text, products[k])) {
                    print_error("a product on the treatment day: %s\n", a->item->text);
                    fail();
                }
        if (a->item->day_to >= 0 || a->ongoing)
            continue;
        for (int z = 0; z < p->n_zones; z++) {
            int gap = 28, last = -1;
            for (int k = 0; k < p->n_sessions; k++) {
                if (!(p->sessions[k].zone_mask & (1u << z)))
                    continue;
                if (last >= 0 && (int)(p->sessions[k].date - p->sessions[last].date) < gap)
                    gap = (int)(p->sessions[k].date - p->sessions[last].date);
                last = k;
            }
            if (a->day_to < gap - 1) {
                print_error("%s ends on day %d; the %s is treated again after %d days\n",
                            a->item->id, a->day_to, p->zones[z].zone->id, gap);
                fail();
            }
        }
    }
    if (finding(p, "MN-ANTICOAGULANT"))
        for (int i = 0; i < p->n_aftercare; i++)
            assert_null(strstr(p->aftercare[i].item->text, "stops almost at once"));
    if (pretreatment_item(p, "pigment-prime"))
        assert_non_null(aftercare_item(p, "pigment-restart"));
    int facial = 0, above = 0;
    for (int z = 0; z < p->n_zones; z++)
        facial |= p->zones[z].zone->facial;
    if (facial && p->client.history[MN_HISTORY_HERPES_SIMPLEX_HISTORY] != 0) {
        assert_true(finding(p, "MN-HSV-PERIORAL"));
        assert_true(pretreatment_item(p, "antiviral"));
    }
    for (int z = 0; z < p->n_zones; z++) {
        const char *u = strstr(p->zones[z].why, "usually ");
        double lo, hi;
        char here[8] = "";
        if (u && sscanf(u, "usually %lf-%lf mm %4s", &lo, &hi, here) == 3 &&
            !strcmp(here, "here") && lo > p->zones[z].zone->clinical_max_mm + 1e-9) {
            print_error("%s: %s\n", p->zones[z].zone->id, p->zones[z].why);
            fail();
        }
        above += p->zones[z].concern->body_depth_mm[0] > p->zones[z].zone->clinical_max_mm &&
                 !p->zones[z].zone->facial;
    }
    return above > 0;
}

/* The plan's PIH label, restated from its source: the SmPC frequency categories (European
 * Commission guideline, 2009, section 4.8) read as low (< 1 in 100), moderate (common, 1 in
 * 100 to < 1 in 10) and high (very common, >= 1 in 10), docs/clinic.md. */
static const char *pih_label(double probability)
{
    return probability >= 0.10 ? "high" : probability >= 0.01 ? "moderate" : "low";
}

/* A percentage as `simulate` writes its PIH figures (src/report/simulate_out.c's text): one
 * significant figure, the precision the law's factor-of-two band supports. */
static void pih_pct(double probability, char *buf, size_t n)
{
    double v = 100 * probability;
    if (!(v > 0)) {
        snprintf(buf, n, "0");
        return;
    }
    double unit = pow(10, floor(log10(v)));
    double rounded = floor(v / unit + 0.5) * unit;
    int decimals = (int)-floor(log10(rounded) + 1e-9);
    snprintf(buf, n, "%.*f", decimals > 0 ? decimals : 0, rounded);
}

/* The grade the text shows: every label the band reaches (docs/clinic.md, Risk notes), and
 * the same in words. */
static void pih_grade(double low, double high, char *id, char *words, size_t n)
{
    const char *a = pih_label(low), *b = pih_label(high);
    if (!strcmp(a, b)) {
        snprintf(id, n, "%s", a);
        snprintf(words, n, "%s", a);
    } else {
        snprintf(id, n, "%s-%s", a, b);
        snprintf(words, n, "%s to %s", a, b);
    }
}

/* A treated plan's PIH risk is the PIH law's for the course it books, the figure `simulate`
 * gives (mn_healing_pih_risk()), rebuilt here from the public calendar alone: each zone's
 * course visits (phase course, the zone's bit set), days from the first, at the setting of the
 * zone's site on that visit, with the client's device. The plan's figure counts each course
 * visit once for the person, at the highest one-session chance among the sites it sets, and
 * combines the visits as the law combines sessions (docs/clinic.md, Risk notes): it is at
 * least every zone's figure and at most the sites taken as independent, which it falls below
 * as soon as one visit needles two sites with a chance above zero. Its label follows the
 * cut-offs; its note gives the chance in the digits simulate uses. Returns 1 when some zone's
 * figure is above zero. */
/* A plan that treats but books no zone (every zone far below its concern's studies): no visit,
 * aftercare, pre-treatment, charge or PIH chance, and no PIH or lasting-effects note. */
static void check_nothing_booked(const mn_plan *p)
{
    for (int z = 0; z < p->n_zones; z++)
        assert_true(p->zones[z].not_booked);
    assert_int_equal(p->n_sessions, 0);
    assert_int_equal(p->n_aftercare, 0);
    assert_int_equal(p->n_pretreatment, 0);
    assert_true(p->course_total == 0 && p->maintenance_per_year == 0 && p->horizon_total == 0);
    assert_true(p->pih_probability == 0);
    /* No one is needled: the label says there is no treatment risk, not that it is low. */
    assert_string_equal(p->pih_risk, "none");
    assert_string_equal(p->pih_grade, "none");
    for (int i = 0; i < p->n_risk_notes; i++) {
        assert_null(strstr(p->risk_notes[i], "Pigmentation (PIH) risk"));
        assert_null(strstr(p->risk_notes[i], "Lasting effects"));
    }
}

static int check_pih(const mn_plan *p)
{
    double independent[3] = {1, 1, 1}; /* 1 - the sites combined as independent */
    double zone_max = 0;
    int any = 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_plan_zone *pz = &p->zones[z];
        mn_healing_session ss[64];
        int n = 0;
        mn_date first = 0;
        for (int i = 0; i < p->n_sessions; i++) {
            const mn_plan_session *s = &p->sessions[i];
            if (s->phase != MN_PHASE_COURSE || !(s->zone_mask & (1u << z)))
                continue;
            const mn_plan_setting *set = NULL;
            for (int k = 0; k < s->n_settings; k++)
                if (p->zones[s->settings[k].zone].zone == pz->zone)
                    set = &s->settings[k];
            assert_non_null(set); /* a visit that treats a zone sets its site */
            assert_true(n < 64);
            if (n == 0)
                first = s->date;
            ss[n++] = (mn_healing_session){(int)(s->date - first), p->client.device, set->depth_mm,
                                           set->passes, 0};
        }
        int horizon = n > 0 && ss[n - 1].day > 0 ? ss[n - 1].day : 1;
        mn_healing_scenario sc = {p->client.patient, pz->zone, pz->concern, ss, n, horizon};
        mn_healing_pih law;
        assert_int_equal(mn_healing_pih_risk(ctx, &sc, &law), MN_OK);
        if (fabs(pz->pih_probability - law.probability) > 1e-12 * (1 + law.probability))
            fail_msg("%s (%s): the plan's PIH chance %.10g, the law's for its course %.10g",
                     pz->zone->id, pz->concern->id, pz->pih_probability, law.probability);
        assert_close(pz->pih_probability_low, law.probability_low, 0, 1e-12);
        assert_close(pz->pih_probability_high, law.probability_high, 0, 1e-12);
        any |= law.probability > 0;
        zone_max = fmax(zone_max, law.probability);
        int counted = pz->not_booked; /* each needled site once, by a zone booked there */
        for (int k = 0; k < z; k++)
            counted |= p->zones[k].zone == pz->zone && !p->zones[k].not_booked;
        if (counted)
            continue;
        independent[0] *= 1 - law.probability;
        independent[1] *= 1 - law.probability_low;
        independent[2] *= 1 - law.probability_high;
    }
    /* Per visit: the highest chance of one session among the sites the visit sets. */
    double none[3] = {1, 1, 1};
    int shared_visit = 0; /* a course visit needles two sites with a chance above 1e-9 */
    for (int i = 0; i < p->n_sessions; i++) {
        const mn_plan_session *s = &p->sessions[i];
        if (s->phase != MN_PHASE_COURSE)
            continue;
        double visit[3] = {0, 0, 0};
        int positive = 0;
        for (int k = 0; k < s->n_settings; k++) {
            const mn_plan_setting *set = &s->settings[k];
            mn_healing_session one = {0, p->client.device, set->depth_mm, set->passes, 0};
            mn_healing_scenario sc = {p->client.patient,
                                      p->zones[set->zone].zone,
                                      p->zones[set->zone].concern,
                                      &one,
                                      1,
                                      1};
            mn_healing_pih law;
            assert_int_equal(mn_healing_pih_risk(ctx, &sc, &law), MN_OK);
            positive += law.probability > 1e-9; /* a chance the doubles can still tell */
            visit[0] = fmax(visit[0], law.probability);
            visit[1] = fmax(visit[1], law.probability_low);
            visit[2] = fmax(visit[2], law.probability_high);
        }
        shared_visit |= positive > 1;
        for (int b = 0; b < 3; b++)
            none[b] *= 1 - visit[b];
    }
    if (fabs(p->pih_probability - (1 - none[0])) > 1e-12)
        fail_msg("the plan's PIH chance %.10g, its course visits each counted once %.10g (the "
                 "sites taken as independent: %.10g)",
                 p->pih_probability, 1 - none[0], 1 - independent[0]);
    assert_close(p->pih_probability_low, 1 - none[1], 0, 1e-12);
    assert_close(p->pih_probability_high, 1 - none[2], 0, 1e-12);
    assert_true(p->pih_probability >= zone_max - 1e-12);
    assert_true(p->pih_probability <= 1 - independent[0] + 1e-12);
    if (shared_visit)
        assert_true(p->pih_probability < 1 - independent[0]);
    assert_string_equal(p->pih_risk, pih_label(p->pih_probability));
    /* The grade names every label the band reaches, so it holds the middle's label too: a
     * figure the law cannot tell from one across a cut-off is never graded apart from it. */
    char grade[32], words[32];
    pih_grade(p->pih_probability_low, p->pih_probability_high, grade, words, sizeof grade);
    assert_string_equal(p->pih_grade, grade);
    assert_non_null(strstr(p->pih_grade, p->pih_risk));
    char mid[16], lo[16], hi[16], want[160];
    pih_pct(p->pih_probability, mid, sizeof mid);
    pih_pct(p->pih_probability_low, lo, sizeof lo);
    pih_pct(p->pih_probability_high, hi, sizeof hi);
    assert_true(p->n_risk_notes >= 1);
    snprintf(want, sizeof want, "Pigmentation (PIH) risk %s: about %s in 100 people like you",
             words, mid);
    if (strncmp(p->risk_notes[0], want, strlen(want)))
        fail_msg("PIH note: want \"%s\", got \"%s\"", want, p->risk_notes[0]);
    snprintf(want, sizeof want, "a factor of 2 either way (%s-%s in 100)", lo, hi);
    assert_non_null(strstr(p->risk_notes[0], want));
    /* The figure is the course's, and the line says so. */
    int visits = 0;
    for (int i = 0; i < p->n_sessions; i++)
        visits += p->sessions[i].phase == MN_PHASE_COURSE;
    snprintf(want, sizeof want, "during this course of %d visit%s", visits, visits == 1 ? "" : "s");
    assert_non_null(strstr(p->risk_notes[0], want));
    assert_non_null(strstr(p->risk_notes[0], "a chance for the whole course, not for each visit"));
    return any;
}

/* The passes of a zone of concern @p cc with the client's device, from the catalogue: a
 * roller's own count, a pen's (or stamp's) from the concern. */
static double expected_passes(const mn_device *d, const mn_concern *cc)
{
    if (d->kind == MN_DEVICE_ROLLER) {
        assert_true(d->passes > 0);
        return d->passes;
    }
    return cc->passes;
}

/* Every zone's passes and every visit's setting's: the device's for a roller, the concern's
 * (the one whose maximum sets the site) for a pen. Adds the zones checked to @p roller and
 * @p pen. */
static void check_passes(const mn_plan *p, long *roller, long *pen)
{
    const mn_device *d = p->client.device;
    for (int z = 0; z < p->n_zones; z++) {
        assert_close(p->zones[z].passes, expected_passes(d, p->zones[z].concern), 0, 0);
        *(d->kind == MN_DEVICE_ROLLER ? roller : pen) += 1;
    }
    for (int i = 0; i < p->n_sessions; i++)
        for (int k = 0; k < p->sessions[i].n_settings; k++) {
            const mn_plan_setting *set = &p->sessions[i].settings[k];
            assert_close(set->passes, expected_passes(d, set->concern), 0, 0);
        }
}

static void test_generated_clients(void **state)
{
    (void)state;
    mn_rng r;
    mn_rng_init(&r, 20261122, 0);
    int decided[4] = {0, 0, 0, 0}, refused = 0, shared = 0, titrated = 0, uneven = 0;
    int rise_bound = 0, gentle = 0;
    int projected_gaps = 0, withheld = 0, longer_gaps = 0, below_studied = 0, never_asked = 0;
    long roller_zones = 0, pen_zones = 0;
    int pih_some = 0, pih_labels[3] = {0, 0, 0}, not_booked = 0, above_limit = 0,
        nothing_booked = 0, pih_straddles = 0;
    own_reason_zones = 0;
    int in_turns = 0, stale = 0, minors = 0;
    held_for_phototype = 0;
    for (int i = 0; i < N_CLIENTS; i++) {
        mn_client c;
        random_client(&r, &c);
        mn_plan_options o;
        mn_plan_options_init(&o);
        o.band_draws = 0; /* the quick band: these are the planner's properties, not its ranges */
        o.years = (int)mn_rng_int(&r, 1, 5);
        /* Most plans are prepared on a day: up to two months before the start, never before
         * the answers were given (an answer dated after it is an input error). */
        if (mn_rng_uniform(&r) < 0.8) {
            o.has_prepared = 1;
            o.prepared = c.start - (mn_date)mn_rng_int(&r, 0, 60);
            if (c.has_history_date && c.history_date > o.prepared)
                c.history_date = o.prepared;
        }
        mn_plan *p = NULL;
        mn_status st = mn_plan_build(ctx, &c, &o, &p);
        if (st == MN_ERANGE) { /* a zone this device cannot needle safely: refused, not planned */
            refused++;
            continue;
        }
        assert_int_equal(st, MN_OK);
        check_screening(&p->client, &p->screening);
        for (int z = 0; z < p->n_zones; z++)
            check_zone_bounds(&c, &p->zones[z]);
        check_schedule(p);
        check_calendar(p);
        longer_gaps += check_course_spacing(p);
        projected_gaps += check_projected_zone_maintenance(p);
        withheld += check_zone_projection_reasons(p, &below_studied);
        int kinds = check_settings(p);
        shared += (kinds & 1) != 0;
        titrated += (kinds & 2) != 0;
        uneven += (kinds & 4) != 0;
        rise_bound += (kinds & 8) != 0;
        gentle += (kinds & 16) != 0;
        check_adjusted(p);
        check_passes(p, &roller_zones, &pen_zones);
        in_turns += check_numbing(p);
        stale += p->screening.rescreen_now;
        minors += c.patient.age_years < 18;
        if (c.patient.age_years < 18) /* never a plan for a minor */
            assert_false(mn_plan_treats(p));
        if (mn_plan_treats(p) && !mn_plan_books(p)) {
            not_booked += check_booking(p);
            check_nothing_booked(p);
            nothing_booked++;
            check_no_codes(p);
        } else if (mn_plan_treats(p)) {
            not_booked += check_booking(p);
            pih_some += check_pih(p);
            above_limit += check_aftercare(p);
            pih_labels[!strcmp(p->pih_risk, "low")        ? 0
                       : !strcmp(p->pih_risk, "moderate") ? 1
                                                          : 2]++;
            pih_straddles += strchr(p->pih_grade, '-') != NULL;
            if (decided[0] + decided[1] < 200) { /* a sample: the writers are slower */
                check_treatment_shown(p);
                check_no_codes(p);
            }
        } else {
            check_no_treatment(p);
            check_no_codes(p);
        }
        decided[p->screening.decision]++;
        never_asked += !c.has_history;
        mn_plan_free(p);
    }
    /* The generator must exercise every decision, or the properties prove little; and files
     * with and without the health questionnaire. */
    for (int d = 0; d < 4; d++)
        assert_true(decided[d] > 100);
    assert_true(never_asked > 100 && never_asked < N_CLIENTS - 100);
    /* ... and visits numbed in turns, answers to take again now, and minors. */
    printf("visits numbed in turns: %d plans; re-screen now: %d; minors: %d\n", in_turns, stale,
           minors);
    assert_true(in_turns > 100 && stale > 100 && minors > 100);
    /* ... and sites shared by two concerns, courses that titrate, and courses whose even aims
     * fall between grid steps (where evenness is tested against the snapping). */
    assert_true(shared > 100 && titrated > 1000 && uneven > 100);
    /* ... and courses the rise per visit keeps below their maximum (short courses: melasma's
     * two sessions), and courses that climb by the gentle step (pigment, phototypes IV-VI). */
    printf("plans with a course held below its maximum by the rise per visit: %d; with a "
           "course climbing by the gentle step: %d\n",
           rise_bound, gentle);
    assert_true(rise_bound > 100 && gentle > 100);
    /* Zones whose course waits to share a visit, so a gap exceeds its interval: none since
     * melasma's course is monthly, as the intervals one client's zones can have (7 and 28
     * days, or 21 and 42 with the 14 days added for darker skin) divide one another, so a
     * due date always finds its visit; check_course_spacing still bounds any such gap. */
    printf("zones with a course gap above their interval: %d\n", longer_gaps);
    /* Clients with a concern the model does not project beside one it does. */
    printf("projected zones' maintenance gaps checked: %d\n", projected_gaps);
    assert_true(projected_gaps > 50);
    /* ... and zones whose concern's projection is withheld (ice-pick scars). */
    printf("zones with a withheld projection: %d\n", withheld);
    assert_true(withheld > 50);
    /* ... and zones far below the studies of their concern, not booked (Ravi's forehead). */
    printf("zones not booked, far below the studied depths: %d\n", not_booked);
    assert_true(not_booked > 100);
    printf("plans that treat and book no zone: %d\n", nothing_booked);
    /* Such zones are no longer booked, so a zone the projection leaves out as far below the
     * studies (check_zone_projection_reasons) is now one whose course stays under its maximum;
     * none is projected there either way. */
    printf("zones not projected, far below the studied depths: %d\n", below_studied);
    /* ... and zones set past their device's evaluated settings (SkinPen above 1.5 mm). */
    printf("zones beyond the device's evaluated settings: %d\n", beyond_evaluated);
    assert_true(beyond_evaluated > 50);
    /* ... and zones needled by rollers and by pens, whose passes come from different places. */
    printf("zones' passes checked: %ld with a roller, %ld with a pen\n", roller_zones, pen_zones);
    /* ... and darker-skinned zones the phototype held to 1.5 mm, whose reason is checked. */
    printf("zones held to 1.5 mm for phototypes IV-VI: %d\n", held_for_phototype);
    assert_true(held_for_phototype > 100);
    assert_true(roller_zones > 1000 && pen_zones > 1000);
    /* ... and treated plans with a PIH chance, given every label. */
    printf("treated plans with a PIH chance: %d; labelled low %d, moderate %d, high %d\n", pih_some,
           pih_labels[0], pih_labels[1], pih_labels[2]);
    assert_true(pih_some > 1000);
    /* ... and treated plans with a body zone whose concern's usual range lies above its limit
     * (laxity on a neck), whose "usually" wording is checked. */
    printf("treated plans with a zone below its concern's usual body range: %d\n", above_limit);
    assert_true(above_limit > 100);
    for (int k = 0; k < 3; k++)
        assert_true(pih_labels[k] > 100);
    /* ... and bands that straddle a cut-off, graded across it; and scalps the PIH rule adjusts
     * with the hair-loss reason of its own. */
    printf("PIH grades straddling a cut-off: %d; zones with a concern's own adjust reason: %d\n",
           pih_straddles, own_reason_zones);
    assert_true(pih_straddles > 100);
    assert_true(own_reason_zones > 10);
    print_message("  %d clients: proceed %d, caution %d, defer %d, decline %d, refused %d; "
                  "%d titrate, %d with unequal strides (snapped to the grid)\n",
                  N_CLIENTS, decided[0], decided[1], decided[2], decided[3], refused, titrated,
                  uneven);
}

/* The client with rule @p r's condition made true (@p on) or false, all else kept. The
 * phototype twin is phototype II, as the issue compares "the same client in phototype I-II";
 * the flagged one keeps its phototype when it already qualifies. */
static void with_condition(const mn_rule *r, mn_rng *rng, mn_client *c, int on)
{
    int idx = mn_history_find(r->flag);
    switch (r->kind) {
    case MN_RULE_FLAG:
        assert_true(idx >= 0);
        c->history_set[idx] = (unsigned char)on;
        c->history[idx] = on;
        break;
    case MN_RULE_MONTHS_AGO:
    case MN_RULE_WEEKS_AGO:
        assert_true(idx >= 0);
        c->history_set[idx] = (unsigned char)on;
        c->history[idx] = 0;
        break;
    case MN_RULE_PHOTOTYPE_GE:
        if (on && c->patient.fitzpatrick < r->threshold)
            c->patient.fitzpatrick = (int)mn_rng_int(rng, (long)r->threshold, 6);
        if (!on)
            c->patient.fitzpatrick = r->threshold > 2 ? 2 : (int)r->threshold - 1;
        break;
    case MN_RULE_AGE_GE:
        if (on && c->patient.age_years < r->threshold)
            c->patient.age_years = r->threshold;
        if (!on)
            c->patient.age_years = r->threshold - 1;
        break;
    case MN_RULE_SMOKER:
        c->patient.smoker = on;
        break;
    case MN_RULE_NO_HISTORY:
        c->has_history = !on;
        break;
    case MN_RULE_AGE_LT:
        if (on && c->patient.age_years >= r->threshold)
            c->patient.age_years = r->threshold - 1;
        if (!on && c->patient.age_years < r->threshold)
            c->patient.age_years = r->threshold;
        break;
    case MN_RULE_MONTHS_AGO_AT_LEAST:
        assert_true(idx >= 0);
        c->history_set[idx] = (unsigned char)on;
        c->history[idx] = r->threshold;
        break;
    case MN_RULE_HISTORY_OLDER_MONTHS:
        c->has_screen_date = on;
        c->screen_date = mn_date_add_months(c->history_date, (int)r->threshold) + 1;
        break;
    }
}

/* For every rule whose catalogue entry promises an adjustment: over generated clients, the
 * client with the rule's condition and its twin without it get plans that differ exactly as
 * the rule's adjust block says, read from the catalogue: each covered zone's maximum and start
 * lower by the block's amounts (snapped down to the device's settings, held at its shortest
 * one), its course interval longer, its pre-treatment items added, and the finding named on
 * the zone; zones the rule does not cover are unchanged. */
static void test_adjust_twins(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_rng r;
    mn_rng_init(&r, 20261203, 0);
    int n_adjust = 0;
    long compared[16] = {0}, lower_max[16] = {0}, held[16] = {0}, on_roller[16] = {0};
    for (size_t ri = 0; ri < mn_catalog_rule_count(cat); ri++)
        n_adjust += mn_catalog_rule_at(cat, ri)->adjust.present;
    assert_true(n_adjust >= 2); /* anticoagulants and darker phototypes at least */
    for (int i = 0; i < N_CLIENTS; i++) {
        mn_client base;
        random_client(&r, &base);
        int a = 0;
        for (size_t ri = 0; ri < mn_catalog_rule_count(cat); ri++) {
            const mn_rule *rule = mn_catalog_rule_at(cat, ri);
            if (!rule->adjust.present)
                continue;
            mn_client with = base, twin = base;
            with_condition(rule, &r, &with, 1);
            with_condition(rule, &r, &twin, 0);
            assert_false(rule_applies(rule, &twin));
            mn_plan *pw = NULL, *pt = NULL;
            mn_status sw = mn_plan_build(ctx, &with, quick(), &pw);
            mn_status stw = mn_plan_build(ctx, &twin, quick(), &pt);
            if (sw == MN_ERANGE || stw == MN_ERANGE) { /* a zone this device cannot needle */
                mn_plan_free(pw);
                mn_plan_free(pt);
                a++;
                continue;
            }
            assert_int_equal(sw, MN_OK);
            assert_int_equal(stw, MN_OK);
            check_adjusted(pw);
            check_adjusted(pt);
            assert_int_equal(pw->n_zones, pt->n_zones);
            int applies = rule_applies(rule, &with);
            for (int z = 0; z < pw->n_zones; z++) {
                const mn_plan_zone *zw = &pw->zones[z], *zt = &pt->zones[z];
                const mn_device *d = with.device;
                assert_ptr_equal(zw->zone, zt->zone);
                int covered = applies && covers(rule, zw->zone);
                /* The unadjusted range is the twin's, except where the condition itself is a
                 * cap input (for phototypes IV-VI: a concern's own lower cap, and no deep-face
                 * exception above the zone's clinic limit). */
                double base_max = zt->base_max_mm;
                if (rule->kind == MN_RULE_PHOTOTYPE_GE && with.patient.fitzpatrick >= 4 &&
                    twin.patient.fitzpatrick < 4) {
                    const mn_site *s = zw->zone;
                    const mn_concern *cc = zw->concern;
                    double cap = base_max;
                    if (cc->dark_phototype_max_mm > 0 &&
                        with.patient.fitzpatrick >= cc->dark_phototype_from)
                        cap = mn_device_snap_down(d, cc->dark_phototype_max_mm);
                    if (s->facial && s->clinical_max_mm >= 1.5 &&
                        cc->deep_face_max_mm > s->clinical_max_mm &&
                        d->device_class == MN_DEVICE_CLINICAL &&
                        mn_device_snap_down(d, s->clinical_max_mm) < cap)
                        cap = mn_device_snap_down(d, s->clinical_max_mm);
                    if (cap < base_max)
                        base_max = cap;
                }
                double base_start = zt->base_start_mm < base_max ? zt->base_start_mm : base_max;
                assert_true(zw->base_max_mm == base_max);
                assert_true(zw->base_start_mm == base_start);
                /* The twin's sum of blocks plus this rule's block, where it covers the zone. */
                mn_rule_adjust s = promised(&twin, zt->zone);
                double dmax = s.max_mm + (covered ? rule->adjust.max_mm : 0);
                double dstart = s.start_mm + (covered ? rule->adjust.start_mm : 0);
                int h = 0;
                double max = lowered(d, base_max, dmax, &h);
                double start = lowered(d, base_start, dstart, &h);
                if (start > max)
                    start = max;
                assert_true(zw->depth_max_mm == max);
                assert_true(zw->depth_start_mm == start);
                assert_int_equal(zw->interval_add_days,
                                 zt->interval_add_days +
                                     (covered ? rule->adjust.interval_days : 0));
                int named = 0;
                for (int k = 0; k < zw->n_adjusted_by; k++)
                    named |= zw->adjusted_by[k] == rule;
                assert_int_equal(named, covered);
                for (int k = 0; k < zt->n_adjusted_by; k++)
                    assert_true(zt->adjusted_by[k] != rule);
                if (covered) {
                    compared[a]++;
                    lower_max[a] += zw->depth_max_mm < zt->depth_max_mm;
                    held[a] += zw->held_at_device_min;
                    on_roller[a] += d->n_lengths > 0;
                    /* Never deeper than the twin: an adjustment only makes a plan gentler. */
                    assert_true(zw->depth_max_mm <= zt->depth_max_mm);
                    assert_true(zw->depth_start_mm <= zt->depth_start_mm);
                } else if (rule->kind != MN_RULE_PHOTOTYPE_GE) {
                    assert_true(zw->depth_max_mm == zt->depth_max_mm);
                    assert_true(zw->depth_start_mm == zt->depth_start_mm);
                }
            }
            /* The rule's pre-treatment items are in the flagged plan when it is treated. */
            if (applies && pw->n_sessions > 0)
                for (int q = 0; q < rule->adjust.n_pretreatment; q++) {
                    int found = 0;
                    for (int k = 0; k < pw->n_pretreatment; k++)
                        found |=
                            !strcmp(pw->pretreatment[k].item->id, rule->adjust.pretreatment[q]);
                    const mn_pretreatment *t = NULL;
                    for (size_t k = 0; k < mn_catalog_pretreatment_count(cat); k++)
                        if (!strcmp(mn_catalog_pretreatment_at(cat, k)->id,
                                    rule->adjust.pretreatment[q]))
                            t = mn_catalog_pretreatment_at(cat, k);
                    assert_non_null(t);
                    assert_int_equal(found, with.patient.fitzpatrick >= t->min_phototype);
                }
            mn_plan_free(pw);
            mn_plan_free(pt);
            a++;
        }
    }
    /* Each promised adjustment was exercised, changed plans, met the device floor, and ran
     * on rollers, or the comparison proves little. */
    for (int a = 0; a < n_adjust && a < 16; a++) {
        print_message("  adjust block %d: %ld zones compared, %ld with a lower maximum, %ld held "
                      "at the device minimum, %ld on rollers\n",
                      a, compared[a], lower_max[a], held[a], on_roller[a]);
        assert_true(compared[a] > 1000 && lower_max[a] > 100 && held[a] > 10 && on_roller[a] > 100);
    }
}

/* A home-class device is not a clinic device: the planner refuses it for any client. */
static void test_home_device_refused(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_rng r;
    mn_rng_init(&r, 7, 0);
    int homes = 0;
    for (size_t di = 0; di < mn_catalog_device_count(cat); di++) {
        const mn_device *d = mn_catalog_device_at(cat, di);
        if (d->device_class != MN_DEVICE_HOME)
            continue;
        homes++;
        for (int i = 0; i < 200; i++) {
            mn_client c;
            random_client(&r, &c);
            c.device = d;
            snprintf(c.src, sizeof c.src, "gen.json");
            mn_plan *p = (mn_plan *)&c;
            assert_int_equal(mn_plan_build(ctx, &c, quick(), &p), MN_EINVAL);
            assert_null(p);
            assert_non_null(strstr(mn_ctx_errmsg(ctx), "gen.json: $.clinic.device"));
            assert_non_null(strstr(mn_ctx_errmsg(ctx), "home device"));
        }
    }
    assert_true(homes > 0);
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
                        c.has_history = 1;
                        c.device = mn_catalog_device_at(cat, di);
                        mn_date_from_ymd(2027, 3, 1, &c.start);
                        c.n_concerns = 1;
                        c.concerns[0].concern = cc;
                        c.concerns[0].grade = MN_SEVERITY_MODERATE;
                        c.concerns[0].zones[0] = mn_catalog_find_site(cat, cc->zones[zi]);
                        c.concerns[0].n_zones = 1;
                        mn_plan *p = NULL;
                        mn_status st = mn_plan_build(ctx, &c, quick(), &p);
                        if (c.device->device_class == MN_DEVICE_HOME) {
                            assert_int_equal(st, MN_EINVAL);
                            continue;
                        }
                        if (st == MN_ERANGE)
                            continue;
                        assert_int_equal(st, MN_OK);
                        check_zone_bounds(&c, &p->zones[0]);
                        check_schedule(p);
                        check_settings(p);
                        check_calendar(p);
                        check_adjusted(p);
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
        c.has_history = 1;
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

/* Every bundled client's text plan and report name zones and concerns by their names, as the
 * generated clients' do (check_no_codes): the examples are what a clinic reads first. */
static void test_bundled_clients_named(void **state)
{
    (void)state;
    DIR *dir = opendir(MN_SOURCE_DIR "/examples/clients");
    assert_non_null(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        char path[768];
        snprintf(path, sizeof path, "%s/examples/clients/%s", MN_SOURCE_DIR, e->d_name);
        mn_client c;
        assert_int_equal(mn_client_load(ctx, path, &c), MN_OK);
        mn_plan *p = NULL;
        assert_int_equal(mn_plan_build(ctx, &c, quick(), &p), MN_OK);
        check_no_codes(p);
        mn_plan_free(p);
        n++;
    }
    closedir(dir);
    assert_true(n >= 7); /* the bundled clients were found */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_rule_alone),       cmocka_unit_test(test_codes_documented),
        cmocka_unit_test(test_depth_caps_exhaustive), cmocka_unit_test(test_generated_clients),
        cmocka_unit_test(test_adjust_twins),          cmocka_unit_test(test_home_device_refused),
        cmocka_unit_test(test_bundled_clients_named),
    };
    return cmocka_run_group_tests_name("plan_properties", tests, setup, teardown);
}
