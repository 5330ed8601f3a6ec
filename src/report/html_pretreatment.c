/*
 * Before the first visit: what to stop, avoid or start, each from its date (counted back from
 * the first visit), as a checklist with a box to tick. Every client's items come first, then
 * those a finding added (darker skin: strict sun protection, pigment-calming skincare, a test
 * patch). A plan without sessions has none and shows nothing.
 */
#include "report/html_internal.h"

void mn__html_pretreatment(mn__buf *b, const mn_plan *plan)
{
    if (plan->n_pretreatment == 0 || plan->n_sessions == 0)
        return;
    char d1[16], d2[16];
    mn__buf_printf(b,
                   "<section class=\"pre\"><h2>Before your first visit</h2><p>Your first "
                   "treatment is on <b>%s %s</b>. Please follow these steps from the date "
                   "shown; tick each one off.</p><table><tr><th>From</th><th>What to do</th>"
                   "</tr>",
                   mn__html_weekday(plan->sessions[0].date),
                   mn_date_format(plan->sessions[0].date, d1));
    for (int i = 0; i < plan->n_pretreatment; i++) {
        const mn_plan_pretreatment *t = &plan->pretreatment[i];
        mn__html_put(b, "<tr><td class=\"num\">");
        if (t->item->days_before == 0)
            mn__html_put(b, "on the day");
        else
            mn__buf_printf(b, "%s<br>(%d days before)", mn_date_format(t->from, d2),
                           t->item->days_before);
        mn__html_put(b, "</td><td><span class=\"box\"></span>");
        mn__html_esc(b, t->text);
        mn__html_put(b, "</td></tr>");
    }
    mn__html_put(b, "</table></section>");
}
