/*
 * The plan's projection and maintenance interval, from the healing model (src/healing): the
 * course of each zone is simulated with maintenance at the interval that keeps improvement at
 * or above the target fraction of its peak (bounded to 3-12 months); a plan without sessions
 * keeps the concerns' default interval and says so.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/consts.h"
#include "mneedle/evidence.h"
#include "mneedle/healing.h"

#include "clinic/plan_internal.h"
#include "core/internal.h"
#include "healing/healing_internal.h"

/* The shortest default maintenance interval of the client's concerns (of those the model does
 * not project when @p unprojected_only), before the clinic's 3-12 month bounds. */
static int shortest_default(const mn_plan *p, int unprojected_only)
{
    int m = MN_MAINTENANCE_MAX_DAYS;
    for (int k = 0; k < p->client.n_concerns; k++) {
        const mn_concern *c = p->client.concerns[k].concern;
        if ((!unprojected_only || !mn_concern_projected(c)) && c->maintenance_days < m)
            m = c->maintenance_days;
    }
    return m;
}

int mn__plan_default_maintenance(const mn_plan *p)
{
    int m = shortest_default(p, 0);
    return m < MN_MAINTENANCE_MIN_DAYS ? MN_MAINTENANCE_MIN_DAYS : m;
}

int mn__plan_maintenance_raised(const mn_plan *p)
{
    return !p->maintenance_from_model && p->maintenance_default_days > 0 &&
           p->maintenance_default_days < p->maintenance_interval_days;
}

const char *mn__plan_raised_text(const mn_plan *p, mn__raised_wording where, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!mn__plan_maintenance_raised(p))
        return buf;
    int booked = p->maintenance_interval_days, own = p->maintenance_default_days;
    switch (where) {
    case MN__RAISED_NOTE:
        snprintf(buf, size,
                 "the shortest maintenance interval the plan books (the concerns' default, %d "
                 "days, is shorter)",
                 own);
        break;
    case MN__RAISED_NOTE_UNPROJECTED:
        snprintf(buf, size,
                 "its zones' visits follow the shortest maintenance interval the plan books, %d "
                 "days, which is shorter than the model's (its own default, %d days, is shorter "
                 "still)",
                 booked, own);
        break;
    case MN__RAISED_SCHEDULE:
        snprintf(buf, size,
                 "the shortest the plan books (the concern's default, %d days, is shorter)", own);
        break;
    case MN__RAISED_REPORT:
        snprintf(buf, size,
                 "the shortest this plan books (this concern's default, %d days, is shorter)", own);
        break;
    }
    return buf;
}

/* Why the booked interval is what it is, when no model set it: the concerns' usual interval,
 * or the plan's shortest maintenance interval when their default is shorter still. */
static const char *default_reason(const mn_plan *p, char *buf, size_t size)
{
    if (!mn__plan_maintenance_raised(p))
        return "the usual interval for these concerns";
    return mn__plan_raised_text(p, MN__RAISED_NOTE, buf, size);
}

const char *mn__plan_sets_interval_text(const mn_plan *p)
{
    return p->maintenance_from_model ? "the plan's maintenance interval"
                                     : "the maintenance interval of the zones the model projects";
}

void mn__plan_unmeasured_text(const mn_concern *c, int studies, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    if (studies == 0)
        snprintf(buf, size,
                 " No study in the evidence base measured %s: this figure is the collagen model "
                 "with a judged response weight (%.2g), not a measured response.",
                 c->name, c->response_weight);
}

/* "half of it is lost about ... after the peak" in @p buf: in months, or with @p coarse to the
 * half-year when the day it ends lies beyond the evidence's longest follow-up after the
 * course that ends on @p last_day. */
static void half_lost(const mn_plan *p, int peak_day, int days, int last_day, int coarse, char *buf,
                      size_t size)
{
    char d[32];
    if (coarse && mn__beyond_followup(peak_day + days - last_day, p->evidence_followup_days)) {
        mn__extrapolated_duration(days, d, sizeof d);
        snprintf(buf, size, "half of it is lost about %s after the peak", d);
    } else {
        snprintf(buf, size, "half of it is lost about %.0f months after the peak",
                 days / MN__DAYS_PER_MONTH);
    }
}

int mn__plan_typical_at_top(double typical_pct, double high_pct)
{
    /* As printed, whole per cent: a typical figure printed as the range's top is at it. */
    return floor(typical_pct + 0.5) >= floor(high_pct + 0.5);
}

/* Writes into @p buf the words that follow the typical person's peak @p typical_pct when it
 * lies at the top of the people's range (mn__plan_typical_at_top()), else "". */
static void upper_figure_text(double typical_pct, double high_pct, char *buf, size_t size)
{
    snprintf(buf, size, "%s",
             mn__plan_typical_at_top(typical_pct, high_pct)
                 ? " (the top of that range: read it as an upper figure, not the usual result)"
                 : "");
}

const char *mn__plan_zone_projection_text(const mn_plan *p, const mn_plan_zone_projection *zp,
                                          int coarse, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    const mn_plan_zone *z = &p->zones[zp->zone];
    char half[80], need[200], depth[200] = "";
    if (zp->durability_days >= 0)
        half_lost(p, zp->peak_day, zp->durability_days, zp->last_course_day, coarse, half,
                  sizeof half);
    else
        snprintf(half, sizeof half, "more than half of it holds for decades");
    double keep = 100 * p->options.target_fraction;
    if (zp->interval_bound_side < 0)
        snprintf(need, sizeof need,
                 "even maintenance every %d days (the 3-month bound) does not keep it at %.0f %% "
                 "of its peak",
                 zp->maintenance_interval_days, keep);
    else if (zp->interval_bound_side > 0)
        snprintf(
            need, sizeof need,
            "on its own it needs maintenance every %d days to stay at or above %.0f %% of "
            "its peak (the 12-month bound; %s)",
            zp->maintenance_interval_days, keep,
            mn__healing_bound_agrees(zp->interval_unbounded_days, zp->maintenance_interval_days)
                ? "the model's own interval is the same"
                : "by the model it could wait longer");
    else
        snprintf(need, sizeof need,
                 "on its own it needs maintenance every %d days to stay at or above %.0f %% of "
                 "its peak",
                 zp->maintenance_interval_days, keep);
    if (zp->depth_extrapolated) {
        char shallowest[16], at[16];
        snprintf(depth, sizeof depth,
                 " No study of %s in the evidence base needled shallower than %s mm (%s); at "
                 "%s mm this is the model's extrapolation.",
                 z->concern->name,
                 mn__depth_str(shallowest, sizeof shallowest, zp->evidence_shallowest_mm),
                 mn_evidence_bundled_cite(zp->evidence_shallowest_study),
                 mn__depth_str(at, sizeof at, z->course_max_mm));
    }
    char measured[256] = "";
    mn__plan_unmeasured_text(z->concern, zp->evidence_studies, measured, sizeof measured);
    char sets[120] = "";
    if (zp->sets_interval)
        snprintf(sets, sizeof sets, " Its interval is the shortest, so it sets %s.",
                 mn__plan_sets_interval_text(p));
    /* The people drawn from the evidence fit first, their median and range, then the typical
     * person of the default constants, whose curve the durability and interval follow: the
     * posterior puts the response lower than the defaults do (docs/models/healing.md 4.3), so
     * the typical figure can sit at the top of the range, and a client reads the first figure. */
    if (isfinite(zp->peak_median_pct)) {
        char top[80];
        upper_figure_text(zp->peak_pct, zp->peak_high_pct, top, sizeof top);
        snprintf(buf, size,
                 "%s (%s): peaks at about %.0f %% for the median person drawn from the evidence "
                 "fit (range %.0f-%.0f %%); the model's typical person peaks at %.0f %%%s around "
                 "day %d; %s; %s.%s%s%s",
                 z->zone->name, z->concern->name, zp->peak_median_pct, zp->peak_low_pct,
                 zp->peak_high_pct, zp->peak_pct, top, zp->peak_day, half, need, sets, depth,
                 measured);
    } else
        snprintf(
            buf, size,
            "%s (%s): peaks at about %.0f %% (range %.0f-%.0f %%) around day %d; %s; %s.%s%s%s",
            z->zone->name, z->concern->name, zp->peak_pct, zp->peak_low_pct, zp->peak_high_pct,
            zp->peak_day, half, need, sets, depth, measured);
    return buf;
}

void mn__plan_zone_projections_release(mn_plan *p)
{
    for (int k = 0; p->zone_projections && k < p->n_zone_projections; k++)
        mn__free(p->zone_projections[k].samples);
    mn__free(p->zone_projections);
    p->zone_projections = NULL;
    p->n_zone_projections = 0;
    mn__free(p->zones_not_projected);
    p->zones_not_projected = NULL;
    p->n_zones_not_projected = 0;
}

const char *mn__plan_unprojected_reason_id(mn_unprojected_reason r)
{
    switch (r) {
    case MN_UNPROJECTED_CONCERN:
        return "concern_not_collagen";
    case MN_UNPROJECTED_EPIDERMIS:
        return "epidermis";
    case MN_UNPROJECTED_NO_COURSE:
        return "no_course";
    case MN_UNPROJECTED_WITHHELD:
        return "withheld";
    case MN_UNPROJECTED_BELOW_STUDIED:
        return "below_studied_depth";
    case MN_UNPROJECTED_MODEL:
        break;
    }
    return "model";
}

/* The reason alone, after "not projected: " (and in the note when no zone is projected). */
static const char *unprojected_reason_text(const mn_plan *p, const mn_plan_zone_unprojected *u,
                                           char *buf, size_t size)
{
    const mn_plan_zone *z = &p->zones[u->zone];
    switch (u->reason) {
    case MN_UNPROJECTED_CONCERN:
        snprintf(buf, size,
                 "%s does not follow dermal collagen, the only response the model simulates "
                 "(it has none for pigment or hair), so nothing is projected for it at any depth",
                 z->concern->name);
        break;
    case MN_UNPROJECTED_EPIDERMIS: {
        char at[16];
        snprintf(buf, size,
                 "at %s mm with the %s the needle stays in the epidermis, where the collagen "
                 "model does not act",
                 mn__depth_str(at, sizeof at, u->needle_mm),
                 p->client.device ? p->client.device->name : "device");
        break;
    }
    case MN_UNPROJECTED_NO_COURSE: {
        char at[16], studied[16];
        if (z->not_booked && u->studied_mm > 0 &&
            z->depth_max_mm >= MN_PLAN_PROJECT_MIN_STUDIED_FRACTION * u->studied_mm - 1e-9)
            /* unbooked for what its course reaches (plan.c unbook_short_courses) */
            snprintf(buf, size,
                     "not booked: its course would stay under half the %s mm the studies of "
                     "this concern used (its line says why), and no study reaches that shallow, "
                     "so the evidence gives no figure for it",
                     mn__depth_str(studied, sizeof studied, u->studied_mm));
        else if (z->not_booked && u->studied_mm > 0)
            snprintf(buf, size,
                     "not booked: it allows at most %s mm, less than half the %s mm the "
                     "studies of this concern used, and no study reaches that shallow, so the "
                     "evidence gives no figure for it",
                     mn__depth_str(at, sizeof at, z->depth_max_mm),
                     mn__depth_str(studied, sizeof studied, u->studied_mm));
        else
            snprintf(buf, size, "no course session treats it");
        break;
    }
    case MN_UNPROJECTED_MODEL:
        snprintf(buf, size, "%s", u->detail);
        break;
    case MN_UNPROJECTED_WITHHELD:
        snprintf(buf, size, "%s", z->concern->projection_withheld);
        break;
    case MN_UNPROJECTED_BELOW_STUDIED: {
        char at[16], studied[16];
        snprintf(
            buf, size,
            "at %s mm it is needled at less than half the shallowest setting of any study "
            "of %s in the evidence base (%s mm, %.160s), so the model's dose response would run "
            "where nothing measured informs it",
            mn__depth_str(at, sizeof at, u->needle_mm), z->concern->name,
            mn__depth_str(studied, sizeof studied, u->studied_mm),
            mn_evidence_bundled_cite(u->detail));
        break;
    }
    }
    return buf;
}

const char *mn__plan_zone_unprojected_text(const mn_plan *p, const mn_plan_zone_unprojected *u,
                                           char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    char why[384];
    const mn_plan_zone *z = &p->zones[u->zone];
    snprintf(buf, size, "%s (%s): not projected: %s.", z->zone->name, z->concern->name,
             unprojected_reason_text(p, u, why, sizeof why));
    return buf;
}

#define ZONE_COURSE_MAX MN__PLAN_ZONE_COURSE_MAX

/* Zone @p i's course (plan_internal.h). */
int mn__plan_zone_course(const mn_plan *p, int i, mn_course_session *course, mn_date *first)
{
    int n = 0;
    for (int s = 0; s < p->n_sessions && n < ZONE_COURSE_MAX; s++) {
        const mn_plan_session *ps = &p->sessions[s];
        if (ps->phase != MN_PHASE_COURSE || !(ps->zone_mask & (1u << i)))
            continue;
        if (n == 0)
            *first = ps->date;
        course[n].day = (int)(ps->date - *first);
        course[n].needle_mm = p->zones[i].site_start_mm;
        course[n].passes = p->zones[i].site_passes;
        for (int k = 0; k < ps->n_settings; k++)
            if (p->zones[ps->settings[k].zone].zone == p->zones[i].zone) {
                course[n].needle_mm = ps->settings[k].depth_mm;
                course[n].passes = ps->settings[k].passes;
            }
        n++;
    }
    return n;
}

/* The curve of every projected zone but the one that sets the interval, simulated again with
 * maintenance at the interval the plan books for them all (@p interval), so each zone's curve
 * means what the plan's does: that zone's course and the maintenance visits on the calendar.
 * A typical person, no band (the figure draws none for them). */
static mn_status zone_curves_as_booked(mn_ctx *ctx, mn_plan *p, int interval)
{
    for (int k = 0; k < p->n_zone_projections; k++) {
        mn_plan_zone_projection *zp = &p->zone_projections[k];
        if (zp->sets_interval)
            continue;
        mn_course_session course[ZONE_COURSE_MAX];
        mn_date first = 0;
        int n = mn__plan_zone_course(p, zp->zone, course, &first);
        mn_projection_options o;
        mn_projection_options_init(&o);
        o.target_fraction = p->options.target_fraction;
        o.horizon_days = p->options.years * 365;
        o.step_days = 30;
        o.band_draws = -1;
        o.min_interval_days = o.max_interval_days = interval;
        mn_healing_projection proj;
        mn_status st =
            mn_healing_project(ctx, &p->client.patient, p->zones[zp->zone].zone,
                               p->zones[zp->zone].concern, p->client.device, course, n, &o, &proj);
        if (st == MN_ERANGE) { /* not expected (it held at its own interval): drawn by none */
            mn_ctx_clear_error(ctx);
            mn__free(zp->samples);
            zp->samples = NULL;
            zp->n_samples = 0;
            continue;
        }
        if (st)
            return st;
        mn__free(zp->samples);
        zp->samples = proj.samples; /* taken over: release frees NULL */
        zp->n_samples = proj.n_samples;
        proj.samples = NULL;
        mn_healing_projection_release(&proj);
    }
    return MN_OK;
}

/* Sessions are planned but no zone is projected: say why for every zone the concern alone
 * does not explain (the note of the concerns that do not follow collagen stands otherwise). */
/* Whether the day the skin is back at its starting level (or the top of its range) lies
 * beyond the evidence base's longest follow-up after the course (-1: beyond the search, so
 * beyond it too): that part is the model's extrapolation, as lasting_extrapolated says of the
 * durability. */
static int baseline_extrapolated(int day, int high_day, int last_course_day, int followup_days)
{
    if (followup_days <= 0 || day == 0) /* 0: no gain, nothing to return from */
        return 0;
    int top = day < 0 || high_day < 0 ? -1 : (high_day > day ? high_day : day);
    return top < 0 || top - last_course_day > followup_days;
}

/* The 10-90 % range of the day the skin is back at its starting level, in years after the
 * first session, with the share of people not back within the 40 years searched
 * (healing.h). Empty when nobody had a gain to lose. */
static void baseline_range_text(int lo, int hi, double beyond, char *buf, size_t size)
{
    char rest[96] = "";
    if (beyond > 0 && lo >= 0)
        snprintf(rest, sizeof rest, "; %.0f %% of them are not back within the 40 years searched",
                 100 * beyond);
    if (lo == 0 && hi == 0)
        buf[0] = '\0';
    else if (lo >= 0 && hi >= 0)
        snprintf(buf, size,
                 "; the skin is back at its starting level %.0f-%.0f years after the "
                 "first session%s",
                 lo / MN__DAYS_PER_YEAR, hi / MN__DAYS_PER_YEAR, rest);
    else if (lo >= 0)
        snprintf(buf, size,
                 "; the skin is back at its starting level from %.0f years after "
                 "the first session to beyond the 40 years searched%s",
                 lo / MN__DAYS_PER_YEAR, rest);
    else
        snprintf(buf, size,
                 "; %.0f %% of them are not back at their starting level within the "
                 "40 years searched",
                 100 * beyond);
}

static void no_zone_note(mn_plan *p, const char *skipped, size_t ns)
{
    int other = 0;
    for (int k = 0; k < p->n_zones_not_projected; k++)
        other += p->zones_not_projected[k].reason != MN_UNPROJECTED_CONCERN;
    if (!other)
        return;
    char why[160], one[384];
    size_t len = (size_t)snprintf(p->projection_note, sizeof p->projection_note,
                                  "No improvement curve is projected: ");
    for (int k = 0, said = 0; k < p->n_zones_not_projected && len < sizeof p->projection_note;
         k++) {
        const mn_plan_zone_unprojected *u = &p->zones_not_projected[k];
        if (u->reason == MN_UNPROJECTED_CONCERN)
            continue;
        const mn_plan_zone *z = &p->zones[u->zone];
        int w = snprintf(p->projection_note + len, sizeof p->projection_note - len,
                         "%sfor the %s (%s), %s", said++ ? "; " : "", z->zone->name,
                         z->concern->name, unprojected_reason_text(p, u, one, sizeof one));
        len = w < 0 ? sizeof p->projection_note : len + (size_t)w;
    }
    if (ns && len < sizeof p->projection_note) {
        int w = snprintf(p->projection_note + len, sizeof p->projection_note - len,
                         "; and %s does not follow dermal collagen", skipped);
        len = w < 0 ? sizeof p->projection_note : len + (size_t)w;
    }
    if (len < sizeof p->projection_note)
        snprintf(p->projection_note + len, sizeof p->projection_note - len,
                 ". Maintenance every %d days is %s.", p->maintenance_interval_days,
                 default_reason(p, why, sizeof why));
}

/* The text's note is the JSON's where no duration in it was made coarse (projection_note_text
 * still empty: the note was written before the figures, or has none). */
static void text_note(mn_plan *p)
{
    if (!p->projection_note_text[0])
        snprintf(p->projection_note_text, sizeof p->projection_note_text, "%s", p->projection_note);
}

mn_status mn__plan_projection(mn_ctx *ctx, mn_plan *p)
{
    char why[160];
    p->maintenance_interval_days = mn__plan_default_maintenance(p);
    p->maintenance_default_days = shortest_default(p, 0);
    p->maintenance_from_model = 0;
    p->n_projection = 0;
    p->projection_peak = p->projection_below_target = p->projection_baseline = -1;
    p->has_lasting = 0;
    p->lasting_zone = -1;
    p->lasting_interval_days = 0;
    p->lasting_interval_bounded = p->lasting_interval_bound_side = 0;
    p->lasting_interval_unbounded_days = 0;
    p->lasting_interval_at_longest_fraction = 0;
    p->evidence_studies = -1;
    mn__plan_zone_projections_release(p);
    snprintf(p->projection_note, sizeof p->projection_note,
             "No sessions are planned, so no collagen projection is made; maintenance every %d "
             "days is %s.",
             p->maintenance_interval_days, default_reason(p, why, sizeof why));
    p->projection_note_text[0] = '\0';
    if (p->n_sessions == 0 || !p->client.device) {
        text_note(p);
        return MN_OK;
    }
    /* Concerns that do not follow dermal collagen (pigment, hair) get no curve (skipped), nor
     * those whose projection is withheld (withheld; each zone says why). */
    char skipped[256] = "", withheld[256] = "";
    size_t ns = 0, nw = 0;
    int usual = MN_MAINTENANCE_MAX_DAYS; /* the shortest usual interval of those concerns */
    for (int k = 0; k < p->client.n_concerns; k++) {
        const mn_concern *c = p->client.concerns[k].concern;
        if (mn_concern_projected(c))
            continue;
        char *list = c->collagen_projection ? withheld : skipped;
        size_t *n = c->collagen_projection ? &nw : &ns;
        if (*n < sizeof skipped) {
            int w = snprintf(list + *n, sizeof skipped - *n, "%s%s", *n ? " and " : "", c->name);
            *n = w < 0 ? sizeof skipped : *n + (size_t)w;
        }
        usual = c->maintenance_days < usual ? c->maintenance_days : usual;
    }
    usual = usual < MN_MAINTENANCE_MIN_DAYS ? MN_MAINTENANCE_MIN_DAYS : usual;
    if (ns)
        snprintf(p->projection_note, sizeof p->projection_note,
                 "The model does not project %s: it does not follow dermal collagen, so no "
                 "improvement curve is shown for it; maintenance every %d days is %s.",
                 skipped, p->maintenance_interval_days, default_reason(p, why, sizeof why));
    /* One projection per zone from the healing model (include/mneedle/healing.h); the zone
     * that needs maintenance soonest sets the plan's interval and is the curve shown. Every
     * projected zone keeps its own figures (zone_projections). */
    mn_healing_projection best;
    int best_zone = -1, last_course_day = 0;
    int zone_last_day[MN_MAX_ZONES];
    const int band_draws = p->options.band_draws;
    mn_status st = MN_OK;
    memset(&best, 0, sizeof best);
    if (p->n_zones > 0 &&
        (!(p->zone_projections = mn__calloc((size_t)p->n_zones, sizeof *p->zone_projections)) ||
         !(p->zones_not_projected =
               mn__calloc((size_t)p->n_zones, sizeof *p->zones_not_projected))))
        return mn__error(ctx, MN_ENOMEM, "out of memory for the zones' projections");
    for (int i = 0; i < p->n_zones && i < MN_MAX_ZONES; i++) {
        mn_course_session course[ZONE_COURSE_MAX];
        mn_date first = 0;
        int n = mn__plan_zone_course(p, i, course, &first);
        mn_plan_zone_unprojected *u = &p->zones_not_projected[p->n_zones_not_projected];
        u->zone = i;
        const mn_concern *cz = p->zones[i].concern;
        if (!mn_concern_projected(cz) || n == 0) {
            u->reason = !cz->collagen_projection  ? MN_UNPROJECTED_CONCERN
                        : cz->projection_withheld ? MN_UNPROJECTED_WITHHELD
                                                  : MN_UNPROJECTED_NO_COURSE;
            if (u->reason == MN_UNPROJECTED_NO_COURSE && p->zones[i].not_booked) {
                /* Not booked: its line says why (the bound the planner applied), not only that
                 * no session treats it. */
                double studied = -1;
                const char *sid = NULL;
                if ((st = mn_evidence_bundled_shallowest(ctx, cz->id, &studied, &sid)))
                    goto done;
                u->studied_mm = studied > 0 ? studied : 0;
            }
            p->n_zones_not_projected++;
            continue;
        }
        {
            double studied = -1, deepest = 0;
            const char *sid = NULL;
            if ((st = mn_evidence_bundled_shallowest(ctx, cz->id, &studied, &sid)))
                goto done;
            for (int s = 0; s < n; s++)
                deepest = fmax(deepest, course[s].needle_mm);
            if (studied > 0 && deepest < MN_PLAN_PROJECT_MIN_STUDIED_FRACTION * studied - 1e-9) {
                u->reason = MN_UNPROJECTED_BELOW_STUDIED;
                u->needle_mm = deepest;
                u->studied_mm = studied;
                snprintf(u->detail, sizeof u->detail, "%s", sid ? sid : "unnamed");
                p->n_zones_not_projected++;
                continue;
            }
        }
        mn_projection_options o;
        mn_projection_options_init(&o);
        o.target_fraction = p->options.target_fraction;
        o.horizon_days = p->options.years * 365;
        o.step_days = 30;
        o.band_draws = band_draws;
        mn_healing_projection proj;
        st = mn_healing_project(ctx, &p->client.patient, p->zones[i].zone, p->zones[i].concern,
                                p->client.device, course, n, &o, &proj);
        if (st == MN_ERANGE) { /* nothing to project, and why (src/healing/project.c) */
            const char *msg = mn_ctx_errmsg(ctx);
            if (!mn__healing_project_reaches_dermis(&p->client.patient, p->zones[i].zone,
                                                    p->client.device, &course[n - 1], &o)) {
                u->reason = MN_UNPROJECTED_EPIDERMIS;
                u->needle_mm = course[n - 1].needle_mm; /* the deepest: the model's test */
            } else {
                u->reason = MN_UNPROJECTED_MODEL;
                snprintf(u->detail, sizeof u->detail, "%s", msg ? msg : "the model refused it");
            }
            p->n_zones_not_projected++;
            mn_ctx_clear_error(ctx);
            st = MN_OK;
            continue;
        }
        if (st)
            goto done;
        mn_plan_zone_projection *zp = &p->zone_projections[p->n_zone_projections];
        zone_last_day[p->n_zone_projections++] = course[n - 1].day;
        zp->zone = i;
        /* Every track starts on the first visit (plan.c), but the figure need not assume it. */
        zp->first_day = (int)(first - p->sessions[0].date);
        if (proj.n_samples > 0) {
            zp->samples = mn__malloc((size_t)proj.n_samples * sizeof *zp->samples);
            if (!zp->samples) {
                mn_healing_projection_release(&proj);
                st = mn__error(ctx, MN_ENOMEM, "out of memory for the zones' projections");
                goto done;
            }
            memcpy(zp->samples, proj.samples, (size_t)proj.n_samples * sizeof *zp->samples);
            zp->n_samples = proj.n_samples;
        }
        zp->peak_pct = proj.peak_improvement_pct;
        zp->peak_low_pct = proj.peak_low_pct;
        zp->peak_high_pct = proj.peak_high_pct;
        zp->peak_median_pct = band_draws > 0 ? proj.peak_median_pct : NAN;
        zp->peak_day = proj.peak_day;
        zp->durability_days = proj.durability_days;
        zp->durability_low_days = proj.durability_low_days;
        zp->durability_high_days = proj.durability_high_days;
        zp->back_to_baseline_day = proj.back_to_baseline_day;
        zp->back_to_baseline_low_day = proj.back_to_baseline_low_day;
        zp->back_to_baseline_high_day = proj.back_to_baseline_high_day;
        zp->baseline_beyond_fraction = proj.baseline_beyond_fraction;
        zp->maintenance_interval_days = proj.maintenance_interval_days;
        zp->interval_bound_side = proj.interval_bound_side;
        zp->interval_unbounded_days = proj.interval_unbounded_days;
        zp->evidence_shallowest_mm = -1;
        zp->evidence_studies = -1;
        if (best_zone < 0 || proj.maintenance_interval_days < best.maintenance_interval_days) {
            mn_healing_projection_release(&best);
            best = proj;
            best_zone = i;
            last_course_day = course[n - 1].day;
        } else {
            mn_healing_projection_release(&proj);
        }
    }
    if (best_zone < 0) {
        no_zone_note(p, skipped, ns);
        goto done;
    }
    p->projection = best.samples;
    p->n_projection = best.n_samples;
    best.samples = NULL;
    p->projection_peak = best.peak_sample;
    p->projection_below_target = best.below_target_sample;
    p->projection_baseline = best.baseline_sample;
    p->maintenance_interval_days = best.maintenance_interval_days;
    p->maintenance_default_days = best.maintenance_interval_days;
    p->maintenance_from_model = 1;
    p->has_lasting = 1;
    p->lasting_peak_pct = best.peak_improvement_pct;
    p->lasting_peak_low_pct = best.peak_low_pct;
    p->lasting_peak_high_pct = best.peak_high_pct;
    p->lasting_peak_median_pct = best.peak_median_pct;
    p->lasting_peak_range_widened = best.peak_range_widened;
    p->lasting_peak_day = best.peak_day;
    p->lasting_durability_days = best.durability_days;
    p->lasting_back_to_baseline_day = best.back_to_baseline_day;
    p->lasting_durability_low_days = best.durability_low_days;
    p->lasting_durability_high_days = best.durability_high_days;
    p->lasting_back_to_baseline_low_day = best.back_to_baseline_low_day;
    p->lasting_back_to_baseline_high_day = best.back_to_baseline_high_day;
    p->lasting_baseline_beyond_fraction = best.baseline_beyond_fraction;
    p->maintenance_interval_low_days = best.maintenance_interval_low_days;
    p->maintenance_interval_high_days = best.maintenance_interval_high_days;
    p->lasting_band_draws = band_draws;
    p->lasting_zone = best_zone;
    p->lasting_interval_days = best.maintenance_interval_days;
    p->lasting_interval_bounded = best.interval_bounded;
    p->lasting_interval_bound_side = best.interval_bound_side;
    p->lasting_interval_unbounded_days = best.interval_unbounded_days;
    p->lasting_interval_at_longest_fraction = best.interval_at_longest_fraction;
    /* How far the evidence base followed patients after a course (docs/evidence.md). */
    {
        const char *sid = NULL;
        int f = 0;
        if ((st = mn_evidence_bundled_followup(ctx, &f, &sid)))
            goto done;
        p->evidence_followup_days = f;
        snprintf(p->evidence_followup_study, sizeof p->evidence_followup_study, "%s",
                 sid ? sid : "");
        int d = best.durability_days, hi = best.durability_high_days;
        p->lasting_extrapolated =
            p->evidence_followup_days > 0 &&
            (d < 0 || hi < 0 ||
             best.peak_day + (hi > d ? hi : d) - last_course_day > p->evidence_followup_days);
        p->lasting_baseline_extrapolated =
            baseline_extrapolated(best.back_to_baseline_day, best.back_to_baseline_high_day,
                                  last_course_day, p->evidence_followup_days);
    }
    /* How shallow the evidence base needled this concern (docs/evidence.md). */
    {
        const char *sid = NULL;
        double mm = -1;
        if ((st = mn_evidence_bundled_shallowest(ctx, p->zones[best_zone].concern->id, &mm, &sid)))
            goto done;
        p->evidence_shallowest_mm = mm;
        snprintf(p->evidence_shallowest_study, sizeof p->evidence_shallowest_study, "%s",
                 sid ? sid : "");
        p->depth_extrapolated = mm > 0 && p->zones[best_zone].course_max_mm < mm - 1e-9;
    }
    /* Whether any study measured this concern at all (docs/models/healing.md). */
    if ((st = mn_evidence_bundled_studies(ctx, p->zones[best_zone].concern->id,
                                          &p->evidence_studies)))
        goto done;
    /* The same cautions for every projected zone, from its own course, depth and concern. */
    for (int k = 0; k < p->n_zone_projections; k++) {
        mn_plan_zone_projection *zp = &p->zone_projections[k];
        const mn_plan_zone *z = &p->zones[zp->zone];
        const char *sid = NULL;
        double mm = -1;
        zp->sets_interval = zp->zone == best_zone;
        zp->last_course_day = zone_last_day[k];
        int d = zp->durability_days, hi = zp->durability_high_days;
        zp->durability_extrapolated =
            p->evidence_followup_days > 0 &&
            (d < 0 || hi < 0 ||
             zp->peak_day + (hi > d ? hi : d) - zone_last_day[k] > p->evidence_followup_days);
        zp->baseline_extrapolated =
            baseline_extrapolated(zp->back_to_baseline_day, zp->back_to_baseline_high_day,
                                  zone_last_day[k], p->evidence_followup_days);
        if ((st = mn_evidence_bundled_shallowest(ctx, z->concern->id, &mm, &sid)))
            goto done;
        zp->evidence_shallowest_mm = mm;
        snprintf(zp->evidence_shallowest_study, sizeof zp->evidence_shallowest_study, "%s",
                 sid ? sid : "");
        zp->depth_extrapolated = mm > 0 && z->course_max_mm < mm - 1e-9;
        if ((st = mn_evidence_bundled_studies(ctx, z->concern->id, &zp->evidence_studies)))
            goto done;
    }
    if ((st = zone_curves_as_booked(ctx, p, best.maintenance_interval_days)))
        goto done;
    /* Twice: the JSON's note, then the text's (coarse: mn_plan.projection_note_text). */
    for (int coarse = 0; coarse < 2; coarse++) {
        char *note = coarse ? p->projection_note_text : p->projection_note;
        char half[80] = "", base[64] = "";
        if (p->lasting_durability_days >= 0)
            half_lost(p, p->lasting_peak_day, p->lasting_durability_days, last_course_day, coarse,
                      half, sizeof half);
        else
            snprintf(half, sizeof half, "it holds more than half for decades");
        if (p->lasting_back_to_baseline_day >= 0)
            snprintf(base, sizeof base, ", back to the pre-treatment level after ~%.0f years",
                     p->lasting_back_to_baseline_day / MN__DAYS_PER_YEAR);
        /* Which bound binds: the interval is the clinic's bound, not the model's (healing.h). */
        char bound[160] = "";
        if (best.interval_bound_side < 0)
            snprintf(
                bound, sizeof bound,
                " as far as it can: it is the shortest the 3-12 month bounds allow, and it does "
                "not hold that share");
        else if (best.interval_bound_side == 0)
            snprintf(bound, sizeof bound,
                     " (the model's own interval, inside the %.0f-%.0f month bounds)",
                     MN_MAINTENANCE_MIN_DAYS / MN__DAYS_PER_MONTH,
                     MN_MAINTENANCE_MAX_DAYS / MN__DAYS_PER_MONTH);
        else if (best.interval_bound_side > 0 &&
                 mn__healing_bound_agrees(best.interval_unbounded_days,
                                          best.maintenance_interval_days))
            snprintf(
                bound, sizeof bound,
                " (the 12-month bound, and the model agrees: its own interval is also %d days)",
                best.interval_unbounded_days);
        else if (best.interval_bound_side > 0 && best.interval_unbounded_days > 0)
            snprintf(bound, sizeof bound,
                     " (the 12-month bound, not the model's need: by the model %d days between "
                     "sessions would)",
                     best.interval_unbounded_days);
        else if (best.interval_bound_side > 0)
            snprintf(bound, sizeof bound,
                     " (the 12-month bound, not the model's need: by the model sessions more than "
                     "%d years apart would)",
                     MN_MAINTENANCE_SEARCH_MAX_DAYS / 365);
        /* The typical person takes the default constants, the range's people the fitted
         * posterior: their median beside it (docs/models/healing.md, Ranges). */
        char peak[320];
        if (band_draws > 0 && isfinite(best.peak_median_pct)) {
            char top[80];
            upper_figure_text(p->lasting_peak_pct, p->lasting_peak_high_pct, top, sizeof top);
            snprintf(peak, sizeof peak,
                     "improvement peaks at about %.0f %% for the median person drawn from the "
                     "evidence fit (plausible range %.0f-%.0f %%); the model's typical person, "
                     "whose curve the figures below follow, peaks at about %.0f %%%s",
                     best.peak_median_pct, p->lasting_peak_low_pct, p->lasting_peak_high_pct,
                     p->lasting_peak_pct, top);
        } else
            snprintf(peak, sizeof peak,
                     "improvement peaks at about %.0f %% (plausible range %.0f-%.0f %%)",
                     p->lasting_peak_pct, p->lasting_peak_low_pct, p->lasting_peak_high_pct);
        snprintf(note, sizeof p->projection_note,
                 "Simulation for the %s (%s), not a promised result: %s around day %d after the "
                 "first session; without maintenance %s%s. Maintenance every %d days keeps it at "
                 "or above %.0f %% of the peak%s.",
                 p->zones[best_zone].zone->name, p->zones[best_zone].concern->name, peak,
                 p->lasting_peak_day, half, base, best.maintenance_interval_days,
                 100 * p->options.target_fraction, bound);
        /* The ranges between virtual people, and where the evidence stops. */
        {
            size_t len = strlen(note);
            char dur[128] = "", lo[32], hi[32];
            int lo_far =
                coarse && mn__beyond_followup(p->lasting_peak_day + p->lasting_durability_low_days -
                                                  last_course_day,
                                              p->evidence_followup_days);
            int hi_far =
                coarse && mn__beyond_followup(p->lasting_peak_day +
                                                  p->lasting_durability_high_days - last_course_day,
                                              p->evidence_followup_days);
            if (lo_far)
                mn__extrapolated_duration(p->lasting_durability_low_days, lo, sizeof lo);
            else
                snprintf(lo, sizeof lo, "%.0f months",
                         p->lasting_durability_low_days / MN__DAYS_PER_MONTH);
            if (hi_far)
                mn__extrapolated_duration(p->lasting_durability_high_days, hi, sizeof hi);
            else
                snprintf(hi, sizeof hi, "%.0f months",
                         p->lasting_durability_high_days / MN__DAYS_PER_MONTH);
            if (p->lasting_durability_low_days >= 0 && p->lasting_durability_high_days >= 0 &&
                (lo_far || hi_far))
                snprintf(dur, sizeof dur, "half of the gain is lost %s to %s after the peak", lo,
                         hi);
            else if (p->lasting_durability_low_days >= 0 && p->lasting_durability_high_days >= 0)
                snprintf(dur, sizeof dur,
                         "half of the gain is lost %.0f-%.0f months after the peak",
                         p->lasting_durability_low_days / MN__DAYS_PER_MONTH,
                         p->lasting_durability_high_days / MN__DAYS_PER_MONTH);
            else if (p->lasting_durability_low_days >= 0)
                snprintf(dur, sizeof dur,
                         "half of the gain is lost from %s after the peak to beyond 40 years", lo);
            else
                snprintf(dur, sizeof dur, "more than half of the gain holds for decades");
            /* Room for the longest form with any double the format could print (gcc's
             * bound at -O1 is 514 bytes), so no build warns of a cut. */
            char back[520];
            baseline_range_text(p->lasting_back_to_baseline_low_day,
                                p->lasting_back_to_baseline_high_day,
                                p->lasting_baseline_beyond_fraction, back, sizeof back);
            snprintf(
                note + len, sizeof p->projection_note - len,
                " Between people (10-90 %%): %s%s, and the maintenance that keeps each one's own "
                "%.0f %% comes every %d-%d days.",
                dur, back, 100 * p->options.target_fraction, p->maintenance_interval_low_days,
                p->maintenance_interval_high_days);
            /* The top of that range may be the longest bound rather than those people's need. */
            len = strlen(note);
            if (best.interval_at_longest_fraction > 0)
                snprintf(note + len, sizeof p->projection_note - len,
                         " For %.0f %% of them it is held at the %.0f-month bound, not their need: "
                         "by the "
                         "model they could wait longer.",
                         100 * best.interval_at_longest_fraction,
                         MN_MAINTENANCE_MAX_DAYS / MN__DAYS_PER_MONTH);
            len = strlen(note);
            if (p->lasting_extrapolated || p->lasting_baseline_extrapolated)
                snprintf(note + len, sizeof p->projection_note - len,
                         " No study in the evidence base measured results beyond %.0f months after "
                         "a course (the longest follow-up: %s), so %s beyond %.0f months %s the "
                         "model's extrapolation.",
                         p->evidence_followup_days / MN__DAYS_PER_MONTH,
                         mn_evidence_bundled_cite(p->evidence_followup_study),
                         !p->lasting_baseline_extrapolated ? "durability"
                         : p->lasting_extrapolated         ? "durability and the return to the "
                                                             "pre-treatment level"
                                                   : "the return to the pre-treatment level",
                         p->evidence_followup_days / MN__DAYS_PER_MONTH,
                         p->lasting_extrapolated && p->lasting_baseline_extrapolated ? "are"
                                                                                     : "is");
        }
        if (p->depth_extrapolated) {
            size_t len = strlen(note);
            char shallowest[16], at[16];
            snprintf(note + len, sizeof p->projection_note - len,
                     " No study of %s in the evidence base needled shallower than %s mm (%s); at "
                     "%s mm this projection runs the model's dose response below the depths "
                     "studied, an extrapolation.",
                     p->zones[best_zone].concern->name,
                     mn__depth_str(shallowest, sizeof shallowest, p->evidence_shallowest_mm),
                     mn_evidence_bundled_cite(p->evidence_shallowest_study),
                     mn__depth_str(at, sizeof at, p->zones[best_zone].course_max_mm));
        }
        {
            size_t len = strlen(note);
            mn__plan_unmeasured_text(p->zones[best_zone].concern, p->evidence_studies, note + len,
                                     sizeof p->projection_note - len);
        }
    }
    if (ns || nw) {
        size_t len = strlen(p->projection_note);
        int own = shortest_default(p, 1); /* before the bounds: usual is after them */
        int shorter_than_model = usual < best.maintenance_interval_days;
        if (shorter_than_model) {
            p->maintenance_interval_days = usual;
            p->maintenance_default_days = own;
            p->maintenance_from_model = 0;
        }
        char shorter[200] = "", raised[200];
        if (mn__plan_maintenance_raised(p))
            snprintf(shorter, sizeof shorter, ", and %s",
                     mn__plan_raised_text(p, MN__RAISED_NOTE_UNPROJECTED, raised, sizeof raised));
        else if (shorter_than_model)
            snprintf(shorter, sizeof shorter,
                     ", and its usual maintenance interval, shorter, sets its own zones' visits");
        char whynot[sizeof skipped + sizeof withheld + 128]; /* both lists and the words */
        if (ns && nw)
            snprintf(whynot, sizeof whynot,
                     "does not project %s: it does not follow dermal collagen; and it gives no "
                     "figure for %s (its zones say why)",
                     skipped, withheld);
        else if (ns)
            snprintf(whynot, sizeof whynot,
                     "does not project %s: it does not follow dermal collagen", skipped);
        else
            snprintf(whynot, sizeof whynot, "gives no figure for %s (its zones say why)", withheld);
        snprintf(p->projection_note + len, sizeof p->projection_note - len, " The model %s%s.",
                 whynot, shorter);
        len = strlen(p->projection_note_text);
        if (len) /* empty: the note has no durations, and is copied whole below */
            snprintf(p->projection_note_text + len, sizeof p->projection_note_text - len,
                     " The model %s%s.", whynot, shorter);
    }
done:
    text_note(p);
    mn_healing_projection_release(&best);
    return st;
}
