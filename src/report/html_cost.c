/*
 * Sections 5 and 6 of the report: what the plan costs (per session, the course, maintenance per
 * year and the total over the plan's horizon, in the clinic's currency) and the risks to know
 * about (the risk of darker marks for this skin type, and the plan's risk notes).
 */
#include <stdio.h>

#include "clinic/plan_internal.h"
#include "report/html_internal.h"

/* One row of the cost table: a label cell and an amount cell, both of cell kind @p cell
 * ("td" or "th" for the total). */
static void cost_row(mn__buf *b, const char *cell, const char *label, double amount,
                     const char *currency)
{
    char m[64];
    mn__buf_printf(b, "<tr><%s>%s</%s><%s class=\"num\">%s</%s></tr>", cell, label, cell, cell,
                   mn__html_money(m, sizeof m, amount, currency), cell);
}

void mn__html_cost(mn__buf *b, const mn_plan *plan)
{
    char label[64];
    const char *cur = plan->client.currency;
    mn__html_put(b, "<section><h2>5. Cost</h2>");
    if (plan->n_sessions == 0) {
        mn__html_put(b, "<p>No cost: no session is booked.</p></section>");
        return;
    }
    const mn_client *c = &plan->client;
    int by_area = c->n_prices > 0 || c->has_face_price || c->has_body_price;
    if (!by_area && !c->has_course_price && c->price_per_session <= 0) {
        /* No price: never a figure in another currency than the client's. */
        mn__html_put(b, "<p>No price given; ask the clinic for its prices.</p></section>");
        return;
    }
    mn__html_put(b, "<table class=\"data\">");
    if (!by_area)
        cost_row(b, "td", "Per session", plan->per_session, cur);
    snprintf(label, sizeof label, "Course (%d sessions%s)", plan->n_course_sessions,
             c->has_course_price ? ", package" : "");
    cost_row(b, "td", label, plan->course_total, cur);
    cost_row(b, "td", "Maintenance per year", plan->maintenance_per_year, cur);
    snprintf(label, sizeof label, "Total over %d year%s", plan->options.years,
             plan->options.years == 1 ? "" : "s");
    cost_row(b, "th", label, plan->horizon_total, cur);
    mn__html_put(b, "</table></section>");
}

void mn__html_risks(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<section><h2>6. Risks to know about</h2>");
    if (plan->pih_grade[0]) {
        mn__html_put(b, "<p>Risk of darker marks after treatment (post-inflammatory "
                        "hyperpigmentation): <b>");
        mn__html_esc(b, mn_plan_pih_grade_words(plan->pih_grade));
        mn__html_put(b, "</b>.</p>");
    }
    int n = plan->n_risk_notes, room = (int)(sizeof plan->risk_notes / sizeof plan->risk_notes[0]);
    if (n > 0) {
        mn__html_put(b, "<ul>");
        for (int i = 0; i < n && i < room; i++) {
            mn__html_put(b, "<li>");
            mn__html_esc(b, plan->risk_notes[i]);
            mn__html_put(b, "</li>");
        }
        mn__html_put(b, "</ul>");
    }
    mn__html_put(b, "</section>");
}

void mn__html_nothing_booked(mn__buf *b, const mn_plan *plan)
{
    char why[1024];
    mn__html_put(b, "<section><h2>No session booked</h2><p>");
    mn__html_esc(b, mn__plan_nothing_booked_text(plan, why, sizeof why));
    mn__html_put(b, "</p></section>");
    int n = plan->n_risk_notes, room = (int)(sizeof plan->risk_notes / sizeof plan->risk_notes[0]);
    if (n <= 0)
        return;
    mn__html_put(b, "<section><h2>Good to know</h2><ul>");
    for (int i = 0; i < n && i < room; i++) {
        mn__html_put(b, "<li>");
        mn__html_esc(b, plan->risk_notes[i]);
        mn__html_put(b, "</li>");
    }
    mn__html_put(b, "</ul></section>");
}
