/*
 * The pieces of the plan's HTML report: small writing helpers (html_util.c) and the sections of
 * the page, each in a file named after what it renders; html_plan.c puts the page together.
 * Who calls whom runs one way: html_plan.c → the sections → html_util.c, plan_diagram.c and the
 * projection figure (plot_plan.c); none of those calls back up. Internal to src/report.
 */
#ifndef MN_REPORT_HTML_INTERNAL_H
#define MN_REPORT_HTML_INTERNAL_H

#include <stddef.h>

#include "core/internal.h"
#include "mneedle/clinic.h"
#include "report/plot_internal.h"

/* ---- html_util.c: writing helpers ---- */

/* Appends markup written here, as it is. */
void mn__html_put(mn__buf *b, const char *s);
/* Appends text from the input (names, catalogue text) with controls, line separators and
 * bidirectional overrides named as the text output names them ("<U+202E>") and & < > " '
 * escaped; NULL: nothing. */
void mn__html_esc(mn__buf *b, const char *s);
/* Escapes a short string from the input (a currency code), as mn__html_esc does, into @p buf
 * of @p n bytes, cutting it at a whole entity when it does not fit. Returns buf. */
const char *mn__html_esc_into(char *buf, size_t n, const char *s);
/* An amount with two decimals and its escaped currency ("120.00 EUR") into @p buf. Returns buf. */
const char *mn__html_money(char *buf, size_t n, double amount, const char *currency);
/* The short English name of a date's weekday ("Mon"). */
const char *mn__html_weekday(mn_date d);
/* Appends the base64 of a finished buffer (the body of a data: URI); a buffer that failed to
 * grow makes @p b fail too. */
void mn__html_base64(mn__buf *b, const mn__buf *data);

/* ---- next steps for a declined or deferred client (html_util.c), shared with plan_out.c ---- */

/* The advice of finding @p i of the plan's screening when it is a defer or decline finding
 * (only a decline finding for a declined client) and the first finding of its rule that has
 * advice; NULL otherwise. */
const char *mn__next_step(const mn_plan *plan, int i);
/* What to do when no finding carries advice of its own (for a defer or a decline). */
const char *mn__next_step_default(mn_decision d);

/* The zones finding @p f names, by their display names and joined ("Forehead, Periorbital /
 * eyelid, Cheek"), into @p buf (@p n bytes); "" for a rule of every zone. With a plan @p p that
 * books a session, only the zones it books: a caution is for the areas treated, and a zone
 * not booked is not; when the finding covers none of them, its zones with ", not booked".
 * Without a plan (the screen command, @p p NULL), or for a plan that books nothing, every
 * zone of the client's it covers. The text, the report and the screen command print it (the
 * JSON lists the ids, screening.findings[].zones). Returns buf. */
const char *mn__finding_zones(const mn_client *c, const mn_plan *p, const mn_finding *f, char *buf,
                              size_t n);

/* 1 when finding @p f is shown to the client: every finding of a plan that treats; only the
 * findings behind the decision (defer, decline) for one that does not. */
int mn__finding_shown(const mn_plan *plan, const mn_finding *f);
/* A "call us" box with the clinic's phone after @p lead ("Questions?"); nothing without a
 * phone in the client file. */
void mn__html_call_us(mn__buf *b, const mn_plan *plan, const char *lead);

/* ---- course spacing (html_util.c), shared with plan_out.c ---- */

/* The heading of the course spacing lines, without its colon: "Course spacing (days between a
 * zone's course sessions, as booked)". */
extern const char mn__course_spacing_heading[];
/* Writes into @p buf (@p size bytes; 1024 holds the longest) the course spacing of zone @p i and
 * of every later zone with the same spacing, on one line: "forehead, cheek: every 28 days (6
 * sessions)", or the gaps one by one where they differ from the interval; "" when an earlier
 * zone has the same spacing (its line names zone @p i). Zone ids are written as they are: the
 * caller escapes the line for its output. Returns buf. */
const char *mn__course_spacing_line(const mn_plan *plan, int i, char *buf, size_t size);

/* ---- references (html_util.c), shared with plan_out.c ---- */

/* Most references one plan lists. */
#define MN__MAX_PLAN_REFS 64
/* The references behind what the plan shows (the sources of the findings shown, and for a plan
 * that treats, of its concerns, device, zones and aftercare, and of the price range quoted
 * when no price is given), in order of first mention, each once. Returns how many (at most
 * MN__MAX_PLAN_REFS). */
int mn__plan_references(const mn_catalog *cat, const mn_plan *plan, const mn_reference **out);
/* The source of the typical price range quoted when the client file gives no price. */
extern const char mn__no_price_source[];

/* ---- the sections, in page order ---- */

/* html_screening.c: the decision in words ("Suitable to proceed") and its badge's CSS class. */
const char *mn__html_decision_words(mn_decision d);
const char *mn__html_decision_class(mn_decision d);
/* 1. Screening: the decision and the findings behind it. */
void mn__html_screening(mn__buf *b, const mn_plan *plan);
/* 2. What to do next, for a declined or deferred client in place of the treatment sections:
 * the advice, when to come back (defer) and the clinic's phone. */
void mn__html_next_steps(mn__buf *b, const mn_plan *plan);
/* 2. Zones and needle depths (html_zones.c). */
void mn__html_zones(mn__buf *b, const mn_plan *plan);
/* 3. Calendar (html_calendar.c). */
void mn__html_calendar(mn__buf *b, const mn_plan *plan);
/* 4. What to expect over time (html_projection.c); @p have_fig: @p fig is built. Fails only when
 * the figure cannot be drawn. */
mn_status mn__html_projection(mn_ctx *ctx, mn__buf *b, const mn_plan *plan,
                              const mn__plan_figure *fig, int have_fig);
/* 5. Cost and 6. Risks to know about (html_cost.c). */
void mn__html_cost(mn__buf *b, const mn_plan *plan);
void mn__html_risks(mn__buf *b, const mn_plan *plan);
/* A plan that treats but books nothing: that no session is booked and why, then the risk notes
 * that are not about a treatment (no PIH chance, cost, aftercare or calendar). */
void mn__html_nothing_booked(mn__buf *b, const mn_plan *plan);
/* Before your first visit: the pre-treatment checklist, dated (html_pretreatment.c); nothing
 * for a plan without sessions. */
void mn__html_pretreatment(mn__buf *b, const mn_plan *plan);
/* The aftercare sheet, on a page of its own when printed (html_aftercare.c). */
void mn__html_aftercare(mn__buf *b, const mn_plan *plan);
/* References: the full citations behind the plan, numbered, at the end (html_util.c). */
void mn__html_references(mn__buf *b, const mn_catalog *cat, const mn_plan *plan);

#endif
