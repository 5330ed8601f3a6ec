/*
 * Section 3 of the report, the calendar: one table row per visit (date with its weekday, course
 * or maintenance, the zones treated with their needle setting at that visit, numbing and
 * treatment minutes, price), each zone's course spacing as the text plan gives it, then a month
 * grid for every month with a visit, the visit days filled in and numbered.
 */
#include "report/html_internal.h"

/* The zones visit @p s treats with their needle setting at this visit ("Cheek 1.25 mm ·
 * 3 passes"), one per body site (the planner's settings: a site listed for two concerns is
 * needled once, at one setting). */
static void visit_zones(mn__buf *b, const mn_plan *plan, const mn_plan_session *s)
{
    for (int k = 0; k < s->n_settings; k++) {
        char d[16];
        const mn_plan_setting *set = &s->settings[k];
        const mn_plan_zone *z = &plan->zones[set->zone];
        if (k)
            mn__html_put(b, "<br>");
        mn__html_esc(b, z->zone ? z->zone->name : "?");
        mn__buf_printf(b, " <b>%s mm</b> · %g passes", mn__depth_str(d, sizeof d, set->depth_mm),
                       set->passes);
    }
}

static void visit_table(mn__buf *b, const mn_plan *plan)
{
    char d1[16], m[64];
    mn__html_put(b,
                 "<table><tr><th>#</th><th>Date</th><th>Visit</th><th>Zones and needle setting</th>"
                 "<th>Numbing (min)</th><th>Treatment (min)</th><th>Price</th></tr>");
    for (int i = 0; i < plan->n_sessions; i++) {
        const mn_plan_session *s = &plan->sessions[i];
        mn__buf_printf(b, "<tr><td>%d</td><td>%s %s</td><td>%s</td><td>", s->number,
                       mn__html_weekday(s->date), mn_date_format(s->date, d1),
                       s->phase == MN_PHASE_MAINTENANCE ? "maintenance" : "course");
        visit_zones(b, plan, s);
        mn__buf_printf(b, "</td><td class=\"num\">%.0f", s->numbing_min);
        if (s->numbing_in_turns)
            /* the note wraps, where the figure beside it does not (td.num) */
            mn__buf_printf(b,
                           "<br><span style=\"white-space:normal\">(%.0f cm&sup2;: numb in "
                           "turns, at most %.0f cm&sup2; at a time)</span>",
                           s->numbing_area_cm2, MN_PLAN_NUMBING_MAX_CM2);
        mn__buf_printf(b,
                       "</td><td class=\"num\">%.0f</td>"
                       "<td class=\"num\">%s</td></tr>",
                       s->treatment_min,
                       mn__html_money(m, sizeof m, s->price, plan->client.currency));
    }
    mn__html_put(b, "</table>");
}

/* The days between each zone's course sessions as booked, in the text plan's words
 * (mn__course_spacing_line(), html_util.c). */
static void course_spacing(mn__buf *b, const mn_plan *plan)
{
    char line[1024];
    mn__html_put(b, "<p class=\"spacing\">");
    mn__html_esc(b, mn__course_spacing_heading);
    mn__html_put(b, ":</p><ul class=\"spacing\">");
    for (int i = 0; i < plan->n_zones; i++) {
        if (!mn__course_spacing_line(plan, i, line, sizeof line)[0])
            continue;
        mn__html_put(b, "<li>");
        mn__html_esc(b, line);
        mn__html_put(b, "</li>");
    }
    mn__html_put(b, "</ul>");
}

/* The visit on day @p t, or NULL. */
static const mn_plan_session *visit_on(const mn_plan *plan, mn_date t)
{
    for (int k = 0; k < plan->n_sessions; k++)
        if (plan->sessions[k].date == t)
            return &plan->sessions[k];
    return NULL;
}

/* The grid of one month (Monday first), its visits filled in: course in blue, maintenance in
 * vermillion, each with its number. */
static void month_grid(mn__buf *b, const mn_plan *plan, int y, int m)
{
    static const char *months[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
    mn_date first;
    if (mn_date_from_ymd(y, m, 1, &first) != MN_OK)
        return;
    mn_date next = mn_date_add_months(first, 1);
    mn__buf_printf(b, "<table class=\"month\"><tr><th colspan=\"7\">%s %d</th></tr><tr>",
                   months[(m - 1) % 12], y);
    mn__html_put(b, "<td>Mo</td><td>Tu</td><td>We</td><td>Th</td><td>Fr</td><td>Sa</td>"
                    "<td>Su</td></tr><tr>");
    int col = mn_date_weekday(first);
    for (int k = 0; k < col; k++)
        mn__html_put(b, "<td></td>");
    for (mn_date t = first; t < next; t++) {
        const mn_plan_session *hit = visit_on(plan, t);
        int dd;
        mn_date_to_ymd(t, NULL, NULL, &dd);
        if (hit)
            mn__buf_printf(b, "<td class=\"%s\" title=\"visit %d\">%d</td>",
                           hit->phase == MN_PHASE_MAINTENANCE ? "mv" : "cv", hit->number, dd);
        else
            mn__buf_printf(b, "<td>%d</td>", dd);
        if (++col == 7 && t + 1 < next) {
            mn__html_put(b, "</tr><tr>");
            col = 0;
        }
    }
    mn__html_put(b, "</tr></table>");
}

/* A grid each time the month changes from one visit to the next, then the legend. */
static void month_grids(mn__buf *b, const mn_plan *plan)
{
    int last_y = -1, last_m = -1;
    mn__html_put(b, "<div class=\"months\">");
    for (int i = 0; i < plan->n_sessions; i++) {
        int y, m, d;
        mn_date_to_ymd(plan->sessions[i].date, &y, &m, &d);
        if (y == last_y && m == last_m)
            continue;
        last_y = y;
        last_m = m;
        month_grid(b, plan, y, m);
    }
    mn__html_put(b, "</div><p class=\"legend\"><span style=\"background:#0072B2\"></span>course "
                    "session<span style=\"background:#D55E00\"></span>maintenance visit</p>");
}

void mn__html_calendar(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<section><h2>3. Calendar</h2>");
    if (plan->n_sessions == 0) {
        mn__html_put(b, "<p>No session is booked (see the screening above).</p></section>");
        return;
    }
    visit_table(b, plan);
    course_spacing(b, plan);
    if (plan->sessions[0].numbing_min > 0)
        mn__buf_printf(b,
                       "<p>Arrive with clean skin; the numbing cream goes on intact skin for the "
                       "time shown before needling starts, never after it (not on open skin), "
                       "on at most %.0f cm&sup2; at a time.</p>",
                       MN_PLAN_NUMBING_MAX_CM2);
    else
        mn__html_put(b, "<p>Arrive with clean skin; no numbing cream is used (see the "
                        "screening above).</p>");
    month_grids(b, plan);
    mn__html_put(b, "</section>");
}
