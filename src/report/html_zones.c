/*
 * Section 2 of the report, zones and needle depths: the face/body diagram (plan_diagram.c)
 * embedded as an SVG image with its colour legend, a note on how the needle setting is used,
 * and one table row per plan zone with its concern, needle setting (start and range),
 * effective depth, passes and the reason for them.
 */
#include <math.h>

#include "clinic/plan_internal.h"
#include "report/html_internal.h"

/* The diagram goes in as an SVG image (a data: URI): every renderer, print engines included,
 * sizes an <img> reliably, where inline SVG in a flex box is not. */
static void diagram(mn__buf *b, const mn_plan *plan)
{
    mn__buf svg;
    mn__buf_init(&svg);
    mn__plan_diagram_svg(&svg, plan, 0);
    mn__html_put(b, "<div class=\"zones\"><img class=\"diagram\" alt=\"Face and body diagram: "
                    "each treated zone is numbered as in the table, with its starting needle "
                    "depth\" src=\"data:image/svg+xml;base64,");
    mn__html_base64(b, &svg);
    mn__buf_release(&svg);
    mn__html_put(b, "\">");
    mn__html_put(b, "<div style=\"flex:1 1 300px\"><p class=\"legend\">Dot colour = starting depth:"
                    "<span style=\"background:#56B4E9\"></span>up to 0.5 mm"
                    "<span style=\"background:#0072B2\"></span>0.5–1.5 mm"
                    "<span style=\"background:#D55E00\"></span>over 1.5 mm</p>"
                    "<p>Needle length is set per zone: it starts at the lower setting and is "
                    "raised only if the skin tolerates it, never past the maximum. The effective "
                    "depth is how deep the needles really reach (skin gives way under the "
                    "needle, so it is less than the setting).</p></div></div>");
}

static void zone_table(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<table class=\"data\"><tr "
                    "class=\"head\"><th>#</th><th>Zone</th><th>Concern</th><th>Needle setting "
                    "(mm)<br>start · range</th><th>Effective depth (µm)</th><th>Passes</th><th "
                    "class=\"why\">Why</th></tr>");
    for (int i = 0; i < plan->n_zones; i++) {
        const mn_plan_zone *z = &plan->zones[i];
        mn__buf_printf(b, "<tr><td>%d</td><td>", i + 1);
        mn__html_esc(b, z->zone ? z->zone->name : "?");
        mn__html_put(b, "</td><td>");
        mn__html_esc(b, z->concern ? z->concern->name : "?");
        if (z->not_booked) /* no setting is used: the why cell says why */
            mn__html_put(b, "</td><td class=\"num\">not booked</td><td class=\"num\">–</td>"
                            "<td class=\"num\">–</td><td>");
        else {
            /* The range the course uses, up to the deepest setting it reaches, and the zone's
             * own maximum where the course stops short of it (as the text plan). */
            double top = z->course_max_mm;
            mn__buf_printf(b, "</td><td class=\"num\"><b>%.2f</b> · %.2f–%.2f", z->depth_start_mm,
                           fmin(z->depth_min_mm, top), top);
            if (top < z->depth_max_mm - 1e-9)
                mn__buf_printf(b, " (max %.2f)", z->depth_max_mm);
            mn__buf_printf(b,
                           "</td><td class=\"num\">%.0f–%.0f</td><td class=\"num\">%.0f</td>"
                           "<td>",
                           z->effective_depth_um, z->course_effective_max_um, z->passes);
        }
        mn__html_esc(b, z->why);
        if (z->adjusted[0]) {
            mn__html_put(b, "<br><b>");
            mn__html_esc(b, z->adjusted);
            mn__html_put(b, "</b>");
        }
        if (mn__plan_site_shared(plan, i)) {
            char lo[16], hi[16];
            mn__buf_printf(
                b,
                "<br>Treated for more than one concern: one setting per visit, %s–%s mm, set by ",
                mn__depth_str(lo, sizeof lo, z->site_start_mm),
                mn__depth_str(hi, sizeof hi, z->site_max_mm));
            mn__html_esc(b, z->set_by ? z->set_by->name : "?");
            mn__html_put(b, " (the safer maximum); the calendar gives the setting per visit.");
        }
        mn__html_put(b, "</td></tr>");
    }
    mn__html_put(b, "</table>");
}

void mn__html_zones(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<section><h2>2. Zones and needle depths</h2>");
    if (plan->n_zones == 0) {
        mn__html_put(b, "<p>No zone to treat.</p></section>");
        return;
    }
    diagram(b, plan);
    zone_table(b, plan);
    /* Where the passes come from, when they are not the concerns' (src/clinic/plan.c). */
    const mn_device *dev = plan->client.device;
    if (dev && dev->kind == MN_DEVICE_ROLLER) {
        mn__buf_printf(b, "<p>Passes: %g over each zone, the usual rolling for the ", dev->passes);
        mn__html_esc(b, dev->name);
        mn__html_put(b, " (device catalogue); a pen would make each concern's usual passes.</p>");
    }
    mn__html_put(b, "</section>");
}
