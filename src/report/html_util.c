/*
 * Small helpers every part of the HTML report writes with: markup as it is, text from the input
 * escaped, money with its currency, weekday names, and base64 for images embedded as data: URIs.
 * They only append to a buffer; a buffer that failed stays failed and is reported once by the
 * page.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "report/html_internal.h"

/* The entity that stands for @p c in HTML text and attribute values, or NULL when c stands for
 * itself. */
static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void mn__html_put(mn__buf *b, const char *s)
{
    mn__buf_append(b, s, strlen(s));
}

/* Appends s with the entities of entity(). */
static void put_entities(mn__buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        const char *rep = entity(s[i]);
        if (rep)
            mn__html_put(b, rep);
        else
            mn__buf_append(b, s + i, 1);
    }
}

/* Text from the input is shown as the text output shows it: controls, line separators and
 * bidirectional overrides named ("<U+202E>", escape.c), since a browser would otherwise
 * reorder or hide the rest of the line (CVE-2021-42574); then entities. */
void mn__html_esc(mn__buf *b, const char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    size_t need = mn__escape(NULL, 0, s, len, MN__ESC_TEXT);
    if (need == len) {
        put_entities(b, s, len);
        return;
    }
    char *named = mn__malloc(need + 1);
    if (!named) {
        b->failed = 1;
        return;
    }
    mn__escape(named, need + 1, s, len, MN__ESC_TEXT);
    put_entities(b, named, need);
    mn__free(named);
}

const char *mn__html_esc_into(char *buf, size_t n, const char *s)
{
    char named[256]; /* a short string (a currency code), cut at a whole name */
    mn__escape(named, sizeof named, s ? s : "", s ? strlen(s) : 0, MN__ESC_TEXT);
    size_t k = 0;
    for (const char *p = named; *p; p++) {
        const char *rep = entity(*p);
        size_t r = rep ? strlen(rep) : 1;
        if (k + r >= n)
            break;
        memcpy(buf + k, rep ? rep : p, r);
        k += r;
    }
    buf[k] = '\0';
    return buf;
}

const char *mn__html_money(char *buf, size_t n, double amount, const char *currency)
{
    int k = snprintf(buf, n, "%.2f ", amount);
    if (k > 0 && (size_t)k < n)
        mn__html_esc_into(buf + k, n - (size_t)k, currency);
    return buf;
}

const char *mn__html_weekday(mn_date d)
{
    static const char *names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int w = mn_date_weekday(d);
    return names[w >= 0 && w < 7 ? w : 0];
}

void mn__html_base64(mn__buf *b, const mn__buf *data)
{
    if (data->failed)
        b->failed = 1;
    else
        mn__base64_append(b, (const unsigned char *)data->data, data->len);
}

const char *mn__next_step(const mn_plan *plan, int i)
{
    const mn_screening *s = &plan->screening;
    assert(i >= 0 && i < s->n_findings);
    const mn_finding *f = &s->findings[i];
    /* A declined client is not asked to come back: a deferring finding's advice (book again
     * after the birth, bring a specialist's clearance) would contradict the decline. */
    mn_severity need = s->decision == MN_DECISION_DECLINE ? MN_SEVERITY_DECLINE : MN_SEVERITY_DEFER;
    if (f->severity < need || !f->rule || !f->rule->advice)
        return NULL;
    for (int k = 0; k < i; k++)
        if (s->findings[k].rule == f->rule)
            return NULL;
    return f->rule->advice;
}

const char *mn__next_step_default(mn_decision d)
{
    return d == MN_DECISION_DECLINE
               ? "Ask your doctor or a dermatologist about other treatments for your skin."
               : "Book a new consultation once the reasons above no longer apply.";
}

/* The client's site with id @p id (a finding names the zones of the client's concerns). */
static const mn_site *client_site(const mn_client *c, const char *id)
{
    for (int k = 0; k < c->n_concerns; k++)
        for (int z = 0; z < c->concerns[k].n_zones; z++)
            if (!strcmp(c->concerns[k].zones[z]->id, id))
                return c->concerns[k].zones[z];
    return NULL;
}

/* 1 when plan @p p books a session on the site with id @p id. */
static int site_booked(const mn_plan *p, const char *id)
{
    for (int i = 0; i < p->n_zones; i++)
        if (!p->zones[i].not_booked && !strcmp(p->zones[i].zone->id, id))
            return 1;
    return 0;
}

const char *mn__finding_zones(const mn_client *c, const mn_plan *p, const mn_finding *f, char *buf,
                              size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    int booked_only = p && mn_plan_books(p), any = 0;
    for (int i = 0; booked_only && i < f->n_zones; i++)
        any |= site_booked(p, f->zones[i]);
    for (int i = 0; i < f->n_zones && used < n; i++) {
        if (booked_only && any && !site_booked(p, f->zones[i]))
            continue;
        const mn_site *s = client_site(c, f->zones[i]);
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", s ? s->name : f->zones[i]);
        if (w < 0)
            break;
        used += (size_t)w < n - used ? (size_t)w : n - used - 1;
    }
    if (booked_only && !any && used > 0 && used < n)
        snprintf(buf + used, n - used, ", not booked");
    return buf;
}

int mn__finding_shown(const mn_plan *plan, const mn_finding *f)
{
    /* A deferred client comes back: the cautions say what will be needed then (an antiviral
     * before perioral sessions, sun protection). A declined one does not. */
    return mn_plan_treats(plan) || f->severity >= MN_SEVERITY_DEFER ||
           plan->screening.decision == MN_DECISION_DEFER;
}

void mn__html_call_us(mn__buf *b, const mn_plan *plan, const char *lead)
{
    const mn_client *c = &plan->client;
    if (!c->clinic_phone[0])
        return;
    mn__html_put(b, "<p class=\"box call\">");
    mn__html_esc(b, lead);
    mn__html_put(b, " Call us on <b class=\"phone\">");
    mn__html_esc(b, c->clinic_phone);
    mn__html_put(b, "</b>");
    if (c->clinic_name[0]) {
        mn__html_put(b, " (");
        mn__html_esc(b, c->clinic_name);
        mn__html_put(b, ")");
    }
    mn__html_put(b, ".</p>");
}

const char mn__course_spacing_heading[] =
    "Course spacing (days between a zone's course sessions, as booked)";

/* Whether zones @p a and @p b have the same course spacing (written on one line). */
static int same_spacing(const mn_plan_zone *a, const mn_plan_zone *b)
{
    if (a->course_interval_days != b->course_interval_days || a->n_course_gaps != b->n_course_gaps)
        return 0;
    for (int k = 0; k < a->n_course_gaps; k++)
        if (a->course_gaps_days[k] != b->course_gaps_days[k])
            return 0;
    return 1;
}

/* "every N days" where every gap is the interval, else the gaps one by one with the interval
 * they aim at and why a gap is longer (src/clinic/plan.c: a session waits up to half its
 * interval to share a visit already booked, and a Sunday moves to the Monday). */
const char *mn__course_spacing_line(const mn_plan *plan, int i, char *buf, size_t size)
{
    assert(buf && size > 0 && i >= 0 && i < plan->n_zones);
    size_t k = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (k < size) {                                                                            \
            int w_ = snprintf(buf + k, size - k, __VA_ARGS__);                                     \
            k = w_ < 0 ? size : k + (size_t)w_;                                                    \
        }                                                                                          \
    } while (0)
    buf[0] = '\0';
    const mn_plan_zone *z = &plan->zones[i];
    if (z->not_booked) /* no course: its zone line says why */
        return buf;
    for (int e = 0; e < i; e++)
        if (!plan->zones[e].not_booked && same_spacing(&plan->zones[e], z))
            return buf;
    for (int e = i, n = 0; e < plan->n_zones; e++)
        if (!plan->zones[e].not_booked && same_spacing(&plan->zones[e], z) &&
            (e == i || plan->zones[e].zone != z->zone))
            PUT("%s%s", n++ ? ", " : "", plan->zones[e].zone->name);
    int even = 1;
    for (int g = 0; g < z->n_course_gaps; g++)
        even &= z->course_gaps_days[g] == z->course_interval_days;
    if (z->n_course_gaps == 0) {
        PUT(": one course session");
    } else if (even) {
        PUT(": every %d days (%d sessions)", z->course_interval_days, z->course_sessions);
    } else {
        PUT(": ");
        for (int g = 0; g < z->n_course_gaps; g++)
            PUT("%s%d", g ? ", " : "", z->course_gaps_days[g]);
        PUT(" days (%d sessions; the interval is %d days, longer where a session waits to share "
            "a visit or moves off a Sunday)",
            z->course_sessions, z->course_interval_days);
    }
#undef PUT
    return buf;
}

const char mn__no_price_source[] = "seed article 003 (typical price of one session)";

/* Adds the references @p source cites to @p out (n so far), each once. */
static void add_refs(const mn_catalog *cat, const char *source, const mn_reference **out, int *n)
{
    const mn_reference *found[MN__MAX_PLAN_REFS];
    size_t k = mn_catalog_cite(cat, source, found, MN__MAX_PLAN_REFS, NULL);
    for (size_t i = 0; i < k && i < MN__MAX_PLAN_REFS; i++) {
        int seen = 0;
        for (int j = 0; j < *n; j++)
            seen |= out[j] == found[i] || strcmp(out[j]->citation, found[i]->citation) == 0;
        if (!seen && *n < MN__MAX_PLAN_REFS)
            out[(*n)++] = found[i];
    }
}

int mn__plan_references(const mn_catalog *cat, const mn_plan *plan, const mn_reference **out)
{
    int n = 0;
    const mn_screening *s = &plan->screening;
    for (int i = 0; i < s->n_findings; i++)
        if (mn__finding_shown(plan, &s->findings[i]) && s->findings[i].rule)
            add_refs(cat, s->findings[i].rule->source, out, &n);
    if (!mn_plan_treats(plan))
        return n;
    for (int k = 0; k < plan->client.n_concerns; k++)
        add_refs(cat, plan->client.concerns[k].concern->source, out, &n);
    if (plan->client.device)
        add_refs(cat, plan->client.device->source, out, &n);
    for (int z = 0; z < plan->n_zones; z++)
        add_refs(cat, plan->zones[z].zone->source, out, &n);
    for (int i = 0; i < plan->n_aftercare; i++)
        add_refs(cat, plan->aftercare[i].item->source, out, &n);
    add_refs(cat, plan->risk_sources, out, &n); /* the note on lasting adverse events */
    if (plan->client.price_per_session <= 0 && plan->client.n_prices == 0 &&
        !plan->client.has_course_price && strcmp(plan->client.currency, "USD") == 0)
        add_refs(cat, mn__no_price_source, out, &n); /* the USD range is quoted */
    return n;
}

void mn__html_references(mn__buf *b, const mn_catalog *cat, const mn_plan *plan)
{
    const mn_reference *refs[MN__MAX_PLAN_REFS];
    int n = mn__plan_references(cat, plan, refs);
    if (n == 0)
        return;
    mn__html_put(b, "<section class=\"refs\"><h2>References</h2><p>The published studies and "
                    "articles behind the rules, settings and advice in this plan.</p><ol>");
    for (int i = 0; i < n; i++) {
        mn__html_put(b, "<li>");
        mn__html_esc(b, refs[i]->citation);
        mn__html_put(b, "</li>");
    }
    mn__html_put(b, "</ol></section>");
}
