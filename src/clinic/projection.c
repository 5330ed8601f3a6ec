/*
 * The plan's projection and maintenance interval. Until the collagen model (src/healing) is
 * part of the build, the interval is the concerns' default and no curve is projected; the
 * note says so in the output.
 */
#include <stdio.h>

#include "clinic/plan_internal.h"
#include "core/internal.h"

#define MN_MAINT_MIN_DAYS 90
#define MN_MAINT_MAX_DAYS 365

int mn__plan_default_maintenance(const mn_plan *p)
{
    int m = MN_MAINT_MAX_DAYS;
    for (int k = 0; k < p->client.n_concerns; k++)
        if (p->client.concerns[k].concern->maintenance_days < m)
            m = p->client.concerns[k].concern->maintenance_days;
    return m < MN_MAINT_MIN_DAYS ? MN_MAINT_MIN_DAYS : m;
}

mn_status mn__plan_projection(mn_ctx *ctx, mn_plan *p)
{
    (void)ctx;
    p->maintenance_interval_days = mn__plan_default_maintenance(p);
    p->maintenance_from_model = 0;
    p->n_projection = 0;
    snprintf(p->projection_note, sizeof p->projection_note,
             "Maintenance every %d days is the usual interval for these concerns (clinics "
             "advise quarterly to yearly visits), not yet a model result: no collagen "
             "projection is available in this version.",
             p->maintenance_interval_days);
    return MN_OK;
}
