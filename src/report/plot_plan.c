/*
 * The figures of a plan: improvement over time with its uncertainty band, sessions and
 * maintenance visits marked, the peak (and, when it happens, the return to baseline) labelled.
 * The numbers are the plan's projection samples exactly; nothing is smoothed or re-computed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report/plot_internal.h"

mn_date mn__plan_origin(const mn_plan *plan)
{
    if (plan->n_sessions > 0)
        return plan->sessions[0].date;
    return plan->client.start;
}

void mn__plan_figure_release(mn__plan_figure *fig)
{
    if (!fig)
        return;
    mn__free(fig->day);
    mn__free(fig->improvement);
    mn__free(fig->low);
    mn__free(fig->high);
    mn__free(fig->marks);
    mn__free(fig->mark_text);
    mn__free(fig->zone_day);
    mn__free(fig->zone_improvement);
    memset(fig, 0, sizeof *fig);
}

/* One marker a session: its number for the course, M1, M2, ... for maintenance visits. */
static void session_marks(mn__plan_figure *fig, const mn_plan *plan)
{
    int maint = 0;
    for (int k = 0; k < plan->n_sessions; k++) {
        const mn_plan_session *s = &plan->sessions[k];
        fig->marks[k].x = (double)(s->date - fig->origin);
        if (s->phase == MN_PHASE_MAINTENANCE) {
            fig->marks[k].kind = MN_MARK_MAINTENANCE;
            snprintf(fig->mark_text[k], sizeof fig->mark_text[k], "M%d", ++maint);
        } else {
            fig->marks[k].kind = MN_MARK_SESSION;
            snprintf(fig->mark_text[k], sizeof fig->mark_text[k], "%d", s->number);
        }
        fig->marks[k].label = fig->mark_text[k];
    }
}

/* Labels on the curve: the peak when there is a gain (the plan's one peak figure, at its
 * day, as the text, JSON and report give it), and the return to baseline. Returns how many. */
static int curve_notes(mn__plan_figure *fig, const mn_plan *plan)
{
    int n = 0, pk = fig->peak_index, bl = fig->baseline_index;
    double peak_day = plan->has_lasting ? plan->lasting_peak_day : fig->day[pk];
    double peak = plan->has_lasting ? plan->lasting_peak_pct : fig->improvement[pk];
    if (peak > 0.0) {
        snprintf(fig->note_text[n], sizeof fig->note_text[n], "peak %.0f %%", peak);
        fig->notes[n] = (mn_plot_note){peak_day, peak, fig->note_text[n]};
        n++;
    }
    if (bl >= 0) {
        snprintf(fig->note_text[n], sizeof fig->note_text[n], "back to baseline (day %.0f)",
                 fig->day[bl]);
        fig->notes[n] = (mn_plot_note){fig->day[bl], fig->improvement[bl], fig->note_text[n]};
        n++;
    }
    return n;
}

/* Series 1...: every projected zone but the one of the shaded curve, in plan-zone order (as
 * projection.zones[] lists them), each its own palette colour; after the palette's six other
 * colours come round, dashed. Zones beyond the chart's series are named in the footnote. */
static mn_status zone_series(mn_ctx *ctx, const mn_plan *plan, mn__plan_figure *fig)
{
    mn_plot_chart *c = &fig->chart;
    size_t total = 0;
    for (int k = 0; k < plan->n_zone_projections; k++)
        if (!plan->zone_projections[k].sets_interval)
            total += (size_t)plan->zone_projections[k].n_samples;
    if (total == 0)
        return MN_OK;
    fig->zone_day = mn__malloc(total * sizeof(double));
    fig->zone_improvement = mn__malloc(total * sizeof(double));
    if (!fig->zone_day || !fig->zone_improvement)
        return mn__error(ctx, MN_ENOMEM, "plot: out of memory for the zones' curves");
    size_t at = 0;
    int left_out = 0;
    for (int k = 0; k < plan->n_zone_projections; k++) {
        const mn_plan_zone_projection *zp = &plan->zone_projections[k];
        if (zp->sets_interval || zp->n_samples < 1)
            continue;
        if (c->n_series >= MN_PLOT_MAX_SERIES) {
            left_out++;
            continue;
        }
        const mn_plan_zone *z = &plan->zones[zp->zone];
        int s = c->n_series++, other = s - 1; /* 0, 1, ... among the other zones */
        for (int i = 0; i < zp->n_samples; i++) {
            fig->zone_day[at + (size_t)i] = zp->first_day + zp->samples[i].day;
            fig->zone_improvement[at + (size_t)i] = zp->samples[i].improvement_pct;
        }
        snprintf(fig->series_text[s], sizeof fig->series_text[s], "%s (%s)", z->zone->name,
                 z->concern->name);
        c->series[s] =
            (mn_plot_series){fig->series_text[s],
                             fig->zone_day + at,
                             fig->zone_improvement + at,
                             NULL,
                             NULL,
                             zp->n_samples,
                             1 + other % (MN_PLOT_PALETTE_SIZE - 1),
                             other < MN_PLOT_PALETTE_SIZE - 1 ? MN_LINE_SOLID : MN_LINE_DASHED};
        at += (size_t)zp->n_samples;
    }
    if (left_out > 0) {
        size_t len = strlen(fig->footnote);
        snprintf(fig->footnote + len, sizeof fig->footnote - len,
                 " %d more projected zone%s not drawn: see the plan's zone lines.", left_out,
                 left_out == 1 ? "" : "s");
    }
    return MN_OK;
}

mn_status mn__plan_figure_build(mn_ctx *ctx, const mn_plan *plan, mn__plan_figure *fig)
{
    memset(fig, 0, sizeof *fig);
    fig->peak_index = fig->baseline_index = -1;
    if (!plan)
        return mn__error(ctx, MN_EINVAL, "plot: no plan");
    int n = plan->n_projection;
    if (n < 1 || !plan->projection)
        return mn__error(ctx, MN_ERANGE, "plot: the plan has no projection to draw");
    size_t nn = (size_t)n, nm = (size_t)(plan->n_sessions > 0 ? plan->n_sessions : 1);
    fig->day = mn__malloc(nn * sizeof(double));
    fig->improvement = mn__malloc(nn * sizeof(double));
    fig->low = mn__malloc(nn * sizeof(double));
    fig->high = mn__malloc(nn * sizeof(double));
    fig->marks = mn__calloc(nm, sizeof *fig->marks);
    fig->mark_text = mn__calloc(nm, sizeof *fig->mark_text);
    if (!fig->day || !fig->improvement || !fig->low || !fig->high || !fig->marks ||
        !fig->mark_text) {
        mn__plan_figure_release(fig);
        return mn__error(ctx, MN_ENOMEM, "plot: out of memory for the projection figure");
    }
    fig->origin = mn__plan_origin(plan);
    for (int i = 0; i < n; i++) {
        const mn_projection_sample *s = &plan->projection[i];
        fig->day[i] = s->day;
        fig->improvement[i] = s->improvement_pct;
        /* The band always contains the central line, even if a model rounds it apart. */
        fig->low[i] = s->low_pct < s->improvement_pct ? s->low_pct : s->improvement_pct;
        fig->high[i] = s->high_pct > s->improvement_pct ? s->high_pct : s->improvement_pct;
    }
    /* The curve's landmarks were found once, with the projection (healing.h). */
    fig->peak_index = plan->projection_peak >= 0 ? plan->projection_peak : 0;
    fig->baseline_index = plan->projection_baseline;
    session_marks(fig, plan);

    mn_plot_chart *c = &fig->chart;
    int zones = plan->n_zone_projections > 1 && plan->lasting_zone >= 0;
    snprintf(fig->footnote, sizeof fig->footnote, "%s",
             zones ? "Simulation, not a promise: band = plausible range; every zone with the "
                     "visits booked. Lines: sessions; dashed: maintenance (M)."
                   : "Simulation from the mneedle collagen model, not a promise: shaded band = "
                     "plausible range. Lines: sessions; dashed: maintenance (M).");
    mn__improvement_chart_init(c, "Projected improvement over time", fig->footnote);
    const char *label = "projected improvement (band: uncertainty)";
    if (zones) {
        const mn_plan_zone *z = &plan->zones[plan->lasting_zone];
        snprintf(fig->series_text[0], sizeof fig->series_text[0],
                 "%s (%s), sets the interval (band: uncertainty)", z->zone->name, z->concern->name);
        label = fig->series_text[0];
    }
    c->series[0] = (mn_plot_series){label, fig->day, fig->improvement, fig->low, fig->high,
                                    n,     0,        MN_LINE_SOLID};
    c->n_series = 1;
    if (zones) {
        mn_status st = zone_series(ctx, plan, fig);
        if (st) {
            mn__plan_figure_release(fig);
            return st;
        }
    }
    c->markers = fig->marks;
    c->n_markers = plan->n_sessions;
    c->notes = fig->notes;
    c->n_notes = curve_notes(fig, plan);
    return MN_OK;
}

mn_status mn_plan_plot(mn_ctx *ctx, const mn_plan *plan, const char *dir)
{
    char path[4096], data[4096];
    if (!plan)
        return mn__error(ctx, MN_EINVAL, "plot: no plan or no directory");
    mn_status check = mn_plot_dir_check(ctx, dir);
    if (check)
        return check;
    /* The zone diagram always; the projection when the plan has one. */
    mn__buf svg;
    mn__buf_init(&svg);
    mn__plan_diagram_svg(&svg, plan, 1);
    mn_status st = mn__buf_status(&svg);
    snprintf(path, sizeof path, "%s/zones.svg", dir);
    if (st)
        st = mn__error(ctx, MN_ENOMEM, "plot: out of memory drawing the zones");
    else
        st = mn_write_file_atomic(ctx, path, svg.data, svg.len);
    mn__buf_release(&svg);
    if (st || plan->n_projection < 1)
        return st;
    mn__plan_figure fig;
    if ((st = mn__plan_figure_build(ctx, plan, &fig)))
        return st;
    snprintf(path, sizeof path, "%s/projection.png", dir);
    snprintf(data, sizeof data, "%s/projection.csv", dir);
    st = mn_plot_chart_save(ctx, &fig.chart, path, data);
    if (!st) {
        snprintf(path, sizeof path, "%s/projection.svg", dir);
        st = mn_plot_chart_save(ctx, &fig.chart, path, NULL);
    }
    mn__plan_figure_release(&fig);
    return st;
}
