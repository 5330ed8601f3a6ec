/*
 * Section 1 of the report, the screening: the decision as a coloured badge, a sentence saying
 * what it means for booking (with the date to check again when treatment is deferred), and the
 * table of findings behind it with their level and zone (for a client who is not treated, only
 * the findings behind the decision); for such a client, in place of the treatment sections,
 * what to do next and when to come back. The decision's words and badge class are shared with
 * the summary cards at the top of the page.
 */
#include "report/html_internal.h"

const char *mn__html_decision_words(mn_decision d)
{
    switch (d) {
    case MN_DECISION_PROCEED:
        return "Suitable to proceed";
    case MN_DECISION_CAUTION:
        return "Suitable with precautions";
    case MN_DECISION_DEFER:
        return "Not now: treatment deferred";
    case MN_DECISION_DECLINE:
        return "Not suitable: treatment declined";
    }
    return "Unknown";
}

const char *mn__html_decision_class(mn_decision d)
{
    switch (d) {
    case MN_DECISION_PROCEED:
        return "ok";
    case MN_DECISION_CAUTION:
        return "caution";
    case MN_DECISION_DEFER:
        return "defer";
    default:
        return "decline";
    }
}

/* A finding's level in one word, which is also its badge's CSS class. */
static const char *severity_word(mn_severity s)
{
    return s == MN_SEVERITY_DECLINE ? "decline" : s == MN_SEVERITY_DEFER ? "defer" : "caution";
}

/* What the decision means for booking. Only a questionnaire that was taken is said to have
 * been reviewed: a client never asked has no answers to clear them. */
static void meaning(mn__buf *b, const mn_plan *plan)
{
    char d1[16];
    const mn_screening *s = &plan->screening;
    switch (s->decision) {
    case MN_DECISION_PROCEED:
        mn__html_put(b, plan->client.has_history
                            ? "Nothing in the health questionnaire stands in the way of treatment."
                            : "No health questionnaire is on file; no screening finding applies.");
        break;
    case MN_DECISION_CAUTION:
        mn__html_put(b, "Treatment can go ahead with the precautions listed below.");
        break;
    case MN_DECISION_DEFER:
        mn__html_put(b, "Treatment should wait; no session is booked.");
        if (s->has_rescreen && s->rescreen_now)
            mn__html_put(b, " The wait is over: check again now, with the answers taken again.");
        else if (s->has_rescreen)
            mn__buf_printf(b, " Earliest date to check again: <b>%s</b>.",
                           mn_date_format(s->rescreen, d1));
        break;
    case MN_DECISION_DECLINE:
        mn__html_put(b, "Microneedling is not advised; no session is booked.");
        break;
    }
}

static void findings(mn__buf *b, const mn_plan *plan)
{
    char d1[16];
    const mn_screening *s = &plan->screening;
    mn__html_put(b, "<table class=\"data findings\"><tr "
                    "class=\"head\"><th>Finding</th><th>Level</th><th>Zone</th>"
                    "</tr>");
    for (int i = 0; i < s->n_findings; i++) {
        const mn_finding *f = &s->findings[i];
        if (!mn__finding_shown(plan, f))
            continue;
        mn__html_put(b, "<tr><td>");
        mn__html_esc(b, f->message);
        if (f->has_until && f->passed && s->has_day && f->until < s->day)
            mn__buf_printf(b, " <i>(this wait ended on %s: check again now)</i>",
                           mn_date_format(f->until, d1));
        else if (f->has_until && f->passed)
            mn__html_put(b, " <i>(check again now)</i>");
        else if (f->has_until)
            mn__buf_printf(b, " <i>(until %s)</i>", mn_date_format(f->until, d1));
        mn__buf_printf(b, "</td><td><span class=\"badge %s\">%s</span></td><td>",
                       severity_word(f->severity), severity_word(f->severity));
        char zones[512];
        mn__html_esc(b, f->n_zones ? mn__finding_zones(&plan->client, plan, f, zones, sizeof zones)
                                   : "all");
        mn__html_put(b, "</td></tr>");
    }
    mn__html_put(b, "</table>");
}

void mn__html_screening(mn__buf *b, const mn_plan *plan)
{
    const mn_screening *s = &plan->screening;
    mn__html_put(b, "<section><h2>1. Screening</h2><p>");
    mn__buf_printf(b, "<span class=\"badge %s\">", mn__html_decision_class(s->decision));
    mn__html_esc(b, mn__html_decision_words(s->decision));
    mn__html_put(b, "</span> ");
    meaning(b, plan);
    mn__html_put(b, "</p>");
    if (s->n_findings > 0)
        findings(b, plan);
    mn__html_put(b, "</section>");
}

void mn__html_next_steps(mn__buf *b, const mn_plan *plan)
{
    char d1[16];
    const mn_screening *s = &plan->screening;
    mn__html_put(b, "<section class=\"next\"><h2>2. What to do next</h2><p>No treatment is "
                    "planned, so this plan has no needle settings, sessions, aftercare, cost or "
                    "projection. Areas you asked about: ");
    for (int i = 0; i < plan->n_zones; i++) {
        mn__html_put(b, i ? ", " : "");
        mn__html_esc(b, plan->zones[i].zone->name);
        mn__html_put(b, " (");
        mn__html_esc(b, plan->zones[i].concern->name);
        mn__html_put(b, ")");
    }
    mn__html_put(b, ".</p><ul class=\"box advice\">");
    int any = 0;
    for (int i = 0; i < s->n_findings; i++) {
        const char *a = mn__next_step(plan, i);
        if (a) {
            mn__html_put(b, "<li>");
            mn__html_esc(b, a);
            mn__html_put(b, "</li>");
            any = 1;
        }
    }
    if (!any) {
        mn__html_put(b, "<li>");
        mn__html_esc(b, mn__next_step_default(s->decision));
        mn__html_put(b, "</li>");
    }
    mn__html_put(b, "</ul>");
    if (s->decision == MN_DECISION_DEFER) {
        mn__html_put(b, "<p class=\"box comeback\"><b>When to come back:</b> ");
        if (s->has_rescreen && s->rescreen_now)
            mn__html_put(b, "now: the wait is over, and your answers are to be taken again.");
        else if (s->has_rescreen)
            mn__buf_printf(b, "on or after <b>%s</b>, to be checked again.",
                           mn_date_format(s->rescreen, d1));
        else
            mn__html_put(b, "when the advice above says you can, to be checked again (no date "
                            "can be given yet).");
        mn__html_put(b, "</p>");
    }
    mn__html_call_us(b, plan, "Questions about this decision?");
    mn__html_put(b, "</section>");
}
