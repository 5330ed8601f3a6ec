/* Pieces of the planner shared between plan.c and projection.c. */
#ifndef MN_CLINIC_PLAN_INTERNAL_H
#define MN_CLINIC_PLAN_INTERNAL_H

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

#endif
