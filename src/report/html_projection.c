/*
 * Section 4 of the report, what to expect over time: the projection figure (plot_plan.c) drawn
 * as a PNG and embedded in the page, and the plain-language answer to "how long will it last?"
 * read off the same curve: when the improvement peaks and how high, whether and how it is kept
 * (maintenance) or when it fades, and where it stands at the end of the plan. A plan without a
 * projection gets the answer from its own note, without invented numbers.
 */
#include <math.h>
#include <stdio.h>

#include "clinic/plan_internal.h"
#include "report/html_internal.h"
#include "report/validation_note.h"

static const char question[] = "<div class=\"answer\"><b>How long will it last?</b> ";
static const char nothing_to_last[] = "No treatment is planned, so there is no result to last.";

/* The fraction of the peak that maintenance keeps (the plan's option, 0.8 when unset). */
static double target_fraction(const mn_plan *plan)
{
    return plan->options.target_fraction > 0 ? plan->options.target_fraction
                                             : MN_MAINTENANCE_TARGET_FRACTION;
}

/* The first maintenance visit of the plan, or -1 when none is booked. */
static int first_maintenance(const mn_plan *plan)
{
    for (int i = 0; i < plan->n_sessions; i++)
        if (plan->sessions[i].phase == MN_PHASE_MAINTENANCE)
            return i;
    return -1;
}

/* "This plan books a maintenance session every N days (about M months)" and @p then. */
static void books_maintenance(mn__buf *b, const mn_plan *plan, const char *then)
{
    mn__buf_printf(b,
                   "This plan books a maintenance session every <b>%d days</b> (about %.0f "
                   "months)%s",
                   plan->maintenance_interval_days,
                   plan->maintenance_interval_days / MN__DAYS_PER_MONTH, then);
}

/* Whether the result is kept, and how: by maintenance the model timed, by maintenance at the
 * concern's usual interval, or not at all (then when it falls below the target). */
static void permanence(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig, double target)
{
    if (first_maintenance(plan) >= 0 && plan->maintenance_interval_days > 0) {
        mn__html_put(b, "The result is <b>not permanent</b>: new collagen is slowly broken "
                        "down and skin keeps ageing. ");
        if (plan->maintenance_from_model)
            mn__buf_printf(b,
                           "In the model, a maintenance session every <b>%d days</b> (about "
                           "%.0f months) keeps it at or above %.0f %% of its best. ",
                           plan->maintenance_interval_days,
                           plan->maintenance_interval_days / MN__DAYS_PER_MONTH, target * 100.0);
        else if (mn__plan_maintenance_raised(plan)) {
            char raised[160], then[200];
            snprintf(then, sizeof then, ", %s. ",
                     mn__plan_raised_text(plan, MN__RAISED_REPORT, raised, sizeof raised));
            books_maintenance(b, plan, then);
        } else
            books_maintenance(b, plan, ", the usual interval for this concern. ");
        return;
    }
    int below = plan->projection_below_target;
    if (below >= 0)
        mn__buf_printf(b,
                       "The result is <b>not permanent</b>: it falls below %.0f %% of its best "
                       "about <b>%.0f months</b> after the first session. ",
                       target * 100.0, fig->day[below] / MN__DAYS_PER_MONTH);
}

/* The plain-language answer to "how long will it last?", from the curve. */
static void lasting_answer(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig,
                           const mn_validation_summary *v)
{
    int n = plan->n_projection;
    double target = target_fraction(plan);
    mn__html_put(b, question);
    if (plan->n_sessions == 0 || !plan->has_lasting || !(plan->lasting_peak_pct > 0.0)) {
        mn__html_put(b, nothing_to_last);
        mn__html_put(b, "</div>");
        return;
    }
    /* The people simulated from the fit lead, with their median and range; the typical
     * person takes the model's default constants, whose curve the chart follows, and can lie
     * at the top of the range (docs/models/healing.md §4.3), as the text says. */
    if (plan->lasting_band_draws > 0 && isfinite(plan->lasting_peak_median_pct))
        mn__buf_printf(b,
                       "In the simulation the improvement is greatest about <b>%.0f weeks</b> "
                       "after the first session. Half of the people simulated from the fit to "
                       "the published studies peak above <b>%.0f %%</b> (plausible range "
                       "%.0f–%.0f %%); the model's typical person, whose curve the chart "
                       "follows, reaches <b>%.0f %%</b>%s. ",
                       plan->lasting_peak_day / 7.0, plan->lasting_peak_median_pct,
                       plan->lasting_peak_low_pct, plan->lasting_peak_high_pct,
                       plan->lasting_peak_pct,
                       mn__plan_typical_at_top(plan->lasting_peak_pct, plan->lasting_peak_high_pct)
                           ? ", the top of that range: an upper figure, not the usual result"
                           : "");
    else
        mn__buf_printf(b,
                       "In the simulation the improvement is greatest about <b>%.0f weeks</b> "
                       "after the first session, at <b>%.0f %%</b> (plausible range %.0f–%.0f "
                       "%%). ",
                       plan->lasting_peak_day / 7.0, plan->lasting_peak_pct,
                       plan->lasting_peak_low_pct, plan->lasting_peak_high_pct);
    permanence(b, plan, fig, target);
    if (fig->baseline_index >= 0)
        mn__buf_printf(b,
                       "In this projection the gain is gone (back to the starting level) "
                       "about <b>%.1f years</b> after the first session. ",
                       fig->day[fig->baseline_index] / MN__DAYS_PER_YEAR);
    const mn_projection_sample *last = &plan->projection[n - 1];
    mn__buf_printf(b,
                   "At the end of the plan (%.1f years) the simulation gives %.0f %% (range "
                   "%.0f–%.0f %%). ",
                   last->day / MN__DAYS_PER_YEAR, last->improvement_pct, fig->low[n - 1],
                   fig->high[n - 1]);
    if (plan->projection_note_text[0]) {
        mn__html_esc(b, plan->projection_note_text);
        mn__html_put(b, " ");
    }
    /* How far the model has been borne out, in the text plan's words (validation_note.h). */
    char said[400];
    if (mn__validation_sentence(v, said, sizeof said)[0]) {
        mn__html_put(b, "<b>");
        mn__html_esc(b, said);
        mn__html_put(b, "</b> ");
    }
    mn__html_put(b, "<i>These are model estimates with wide uncertainty, not a promise.</i></div>");
}

/* Each treated zone without a projection, with its reason, as list items. */
static void unprojected_items(mn__buf *b, const mn_plan *plan)
{
    char line[1024];
    for (int k = 0; k < plan->n_zones_not_projected; k++) {
        mn__html_put(b, "<li>");
        mn__html_esc(b, mn__plan_zone_unprojected_text(plan, &plan->zones_not_projected[k], line,
                                                       sizeof line));
        mn__html_put(b, "</li>");
    }
}

/* More than one zone treated: which one the shaded curve shows, each projected zone on its
 * own (its curve is in the figure too), and each zone not projected with its reason. */
/* "every other projected zone's own curve is drawn beside it" only when it is: the figure
 * leaves out a zone it could not simulate at the booked interval, and zones past its series
 * (plot_plan.c). */
static void others_drawn(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig)
{
    int others = plan->n_zone_projections - 1, drawn = fig->chart.n_series - 1;
    if (drawn >= others)
        mn__buf_textf(b, "every other projected zone's own curve is drawn beside it, named in "
                         "the legend");
    else
        mn__buf_textf(b,
                      "%d of the %d other projected zones are drawn beside it, named in the "
                      "legend (the lines below give every zone)",
                      drawn > 0 ? drawn : 0, others);
}

static void zone_answers(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig)
{
    if (plan->n_zone_projections + plan->n_zones_not_projected < 2)
        return;
    char line[1024];
    const mn_plan_zone *z = &plan->zones[plan->lasting_zone];
    mn__html_put(b, "<div class=\"answer\"><b>Each treated zone.</b> The shaded curve above is "
                    "the ");
    mn__html_esc(b, z->zone->name);
    mn__html_put(b, " (");
    mn__html_esc(b, z->concern->name);
    if (plan->n_zone_projections > 1) {
        mn__html_put(b, "), the zone with the shortest maintenance interval, which sets ");
        mn__html_esc(b, mn__plan_sets_interval_text(plan));
        mn__html_put(b, "; ");
        others_drawn(b, plan, fig);
    } else {
        mn__html_put(b, "), the only zone projected");
    }
    mn__html_put(b, ". Each zone on its own, simulated");
    if (plan->n_zones_not_projected)
        mn__html_put(b, " where the model projects it");
    mn__html_put(b, ":<ul>");
    for (int k = 0; k < plan->n_zone_projections; k++) {
        mn__html_put(b, "<li>");
        mn__html_esc(b, mn__plan_zone_projection_text(plan, &plan->zone_projections[k], 1, line,
                                                      sizeof line));
        mn__html_put(b, "</li>");
    }
    unprojected_items(b, plan);
    mn__html_put(b, "</ul><i>A simulation, not a promise.</i></div>");
}

/* No curve to show: the answer from the plan's own note, without inventing numbers. */
static void answer_without_curve(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, question);
    if (plan->n_sessions == 0) {
        mn__html_put(b, nothing_to_last);
    } else {
        mn__html_put(b, "The result is <b>not permanent</b>: the collagen a course builds is "
                        "slowly broken down like the rest, and skin keeps ageing. ");
        if (plan->maintenance_interval_days > 0)
            books_maintenance(b, plan, " to keep the gain. ");
        mn__html_esc(b, plan->projection_note_text);
        if (plan->n_zones_not_projected > 1) {
            mn__html_put(b, "<ul>");
            unprojected_items(b, plan);
            mn__html_put(b, "</ul>");
        }
    }
    mn__html_put(b, " <i>No simulated curve is shown for this plan.</i></div>");
}

/* An mn_writer appending to an mn__buf, for the PNG rendered in memory. */
static int to_buf(void *userdata, const char *data, size_t len)
{
    mn__buf *b = userdata;
    mn__buf_append(b, data, len);
    return b->failed ? -1 : 0;
}

mn_status mn__html_projection(mn_ctx *ctx, mn__buf *b, const mn_plan *plan,
                              const mn__plan_figure *fig, int have_fig)
{
    mn__html_put(b, "<section><h2>4. What to expect over time</h2>");
    mn_validation_summary v;
    mn_status vst = mn_evidence_validation_summary(ctx, &v);
    if (vst)
        return vst;
    if (!have_fig) {
        answer_without_curve(b, plan);
        mn__html_put(b, "</section>");
        return MN_OK;
    }
    mn__buf png;
    mn__buf_init(&png);
    mn_status st = mn_plot_chart_render(ctx, &fig->chart, MN_PLOT_PNG, to_buf, &png, NULL, NULL);
    if (st == MN_EIO && png.failed) /* the writer failed because the buffer could not grow */
        st = mn__error(ctx, MN_ENOMEM, "out of memory drawing the projection figure");
    if (st == MN_OK) {
        mn__html_put(b, "<figure><img alt=\"Projected improvement over time, with its "
                        "uncertainty band, sessions and maintenance visits\" "
                        "src=\"data:image/png;base64,");
        mn__html_base64(b, &png);
        mn__html_put(b, "\"><figcaption>Simulated improvement of the treated concern (% of how "
                        "it was before treatment), with the plausible range shaded. Vertical "
                        "lines are sessions; dashed lines are maintenance visits (M). ");
        if (plan->n_zone_projections > 1)
            mn__html_put(b, "The shaded curve is the zone that sets the maintenance interval; "
                            "other projected zones are lines named in the legend. ");
        mn__html_put(b, "A simulation, not a promise.</figcaption></figure>");
        lasting_answer(b, plan, fig, &v);
        zone_answers(b, plan, fig);
        mn__html_put(b, "</section>");
    }
    mn__buf_release(&png);
    return st;
}
