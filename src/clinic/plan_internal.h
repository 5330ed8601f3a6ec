/* Pieces of the planner shared between plan.c and projection.c, and the words about its
 * maintenance interval that the projection's note and the writers (src/report) share. */
#ifndef MN_CLINIC_PLAN_INTERNAL_H
#define MN_CLINIC_PLAN_INTERNAL_H

#include <stddef.h>

#include "mneedle/clinic.h"

/* Maintenance interval from the concerns' defaults (data/concerns.json), the shortest of the
 * plan's concerns, bounded to 90-365 days (clinics: every 3-12 months, DESIGN 3.5). */
int mn__plan_default_maintenance(const mn_plan *p);

/* Fills p->projection, p->n_projection, p->projection_note and, when a model sets it,
 * p->maintenance_interval_days (with p->maintenance_from_model = 1). Called after the
 * course has been scheduled (p->sessions holds course and provisional maintenance visits;
 * course visits have phase MN_PHASE_COURSE). The planner re-schedules maintenance if the
 * interval changes. */
mn_status mn__plan_projection(mn_ctx *ctx, mn_plan *p);

/* Room for one zone's course sessions: a course follows its concern's session count. */
#define MN__PLAN_ZONE_COURSE_MAX MN_CONCERN_MAX_SESSIONS

/* Plan zone @p i's course sessions as booked (at most MN__PLAN_ZONE_COURSE_MAX; each at the
 * site's setting of that visit), days counted from its first, whose date goes to @p first:
 * the course the projection simulates for the zone. Returns how many (0: none). */
int mn__plan_zone_course(const mn_plan *p, int i, mn_course_session *course, mn_date *first);

/* 1 when plan zone @p i is booked and another booked zone of the plan is on its site, so the
 * two share one setting per visit (site_settings in plan.c); a zone not booked shares none,
 * having no visit. The text plan and the report say "Treated for more than one concern" by it. */
int mn__plan_site_shared(const mn_plan *p, int i);

/* 1 when the shortest maintenance interval the plan books (MN_MAINTENANCE_MIN_DAYS, 3 months)
 * raised p->maintenance_interval_days above its concerns' own default
 * (p->maintenance_default_days; hair loss: 60 days, booked every 90); 0 when the collagen
 * model or the concerns' usual interval set it. */
int mn__plan_maintenance_raised(const mn_plan *p);

/* Where the words that say so stand; each place words them for its sentence. */
typedef enum {
    /* the projection's note, of all the plan's concerns: "the shortest maintenance interval the
     * plan books (the concerns' default, 60 days, is shorter)" */
    MN__RAISED_NOTE,
    /* the projection's note, of the concerns the model does not project, whose interval is
     * shorter than the model's: "its zones' visits follow the shortest maintenance interval
     * the plan books, 90 days, which is shorter than the model's (its own default, 60 days, is
     * shorter still)" */
    MN__RAISED_NOTE_UNPROJECTED,
    /* the text plan's schedule: "the shortest the plan books (the concern's default, 60 days,
     * is shorter)" */
    MN__RAISED_SCHEDULE,
    /* the report's answer to "how long will it last?": "the shortest this plan books (this
     * concern's default, 60 days, is shorter)" */
    MN__RAISED_REPORT
} mn__raised_wording;

/* Writes into @p buf (@p size bytes) the words of @p where that say the plan's maintenance
 * interval was raised to the shortest it books, with both intervals; "" when it was not
 * (mn__plan_maintenance_raised()). Returns buf. */
const char *mn__plan_raised_text(const mn_plan *p, mn__raised_wording where, char *buf,
                                 size_t size);

/* " No study in the evidence base measured CONCERN: ..." when @p studies is 0 (no human study
 * of the concern in the bundled evidence), else "": the projection is the collagen model with
 * the concern's judged response_weight, not a measured response. Always NUL-terminates. */
void mn__plan_unmeasured_text(const mn_concern *c, int studies, char *buf, size_t size);

/* Writes into @p buf (@p size bytes) one zone's projection in a sentence or two: its peak, range
 * and day, how long half of it lasts, the maintenance it needs on its own (and the bound that
 * binds it), whether it sets the interval, and the depth caution where its setting lies below
 * the studies', and mn__plan_unmeasured_text()'s sentence where no study measured its
 * concern. Starts with the zone and concern ("cheek (acne-scars): "). @p coarse (the text's
 * and the report's, not the JSON's) gives a durability that ends beyond the evidence's
 * longest follow-up to the half-year, as mn_plan.projection_note_text does. Returns buf. */
const char *mn__plan_zone_projection_text(const mn_plan *p, const mn_plan_zone_projection *zp,
                                          int coarse, char *buf, size_t size);

/* Writes into @p buf (@p size bytes) why a treated zone is not projected, in a sentence that
 * starts with the zone and concern ("forehead (melasma): not projected: "). Returns buf. */
/* The plan's sentence when it books nothing (mn_plan_books() 0 for a plan that treats): that
 * no session is booked, and why, naming the areas; the same words in the text, the report and
 * the JSON's booked_note. Returns buf. */
const char *mn__plan_nothing_booked_text(const mn_plan *p, char *buf, size_t size);
const char *mn__plan_zone_unprojected_text(const mn_plan *p, const mn_plan_zone_unprojected *u,
                                           char *buf, size_t size);
/* The JSON word for a reason: "concern_not_collagen", "withheld", "epidermis", "no_course",
 * "model", "below_studied_depth". */
const char *mn__plan_unprojected_reason_id(mn_unprojected_reason r);
/* Frees every zone's projection (their samples included) and the zones not projected. */
void mn__plan_zone_projections_release(mn_plan *p);

/* "the plan's maintenance interval", or, when a concern the model does not project books its
 * own zones more often, "the maintenance interval of the zones the model projects": what the
 * zone whose curve is shown sets. */
const char *mn__plan_sets_interval_text(const mn_plan *p);

/* Nonzero when the typical person's peak @p typical_pct lies at the top of the people's
 * range, within the printed rounding (whole per cent) of its upper end @p high_pct: the text
 * and the report then call it an upper figure (projection.c). */
int mn__plan_typical_at_top(double typical_pct, double high_pct);

#endif
