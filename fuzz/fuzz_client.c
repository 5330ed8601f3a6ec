/*
 * Fuzz target: a client file, then everything the screen and plan commands do with it.
 * Properties: a refused file gives an input-error status with a message; an accepted one
 * screens, plans (or is refused with MN_ERANGE and a reason) and writes JSON and text
 * without a numerical failure; the plan keeps the planner's safety invariants (no session
 * for a declined or deferred client, depths ordered inside the device's range, sessions in
 * date order and numbered from 1), and the client's own text reaches the HTML report
 * escaped.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "mneedle/plot.h"

/* "nan" or "inf" in the text is acceptable only when the client's own words put it there. */
static int fuzz_has_nan_inf(const char *s)
{
    for (; s[0] && s[1] && s[2]; s++) {
        char a = (char)tolower((unsigned char)s[0]), b = (char)tolower((unsigned char)s[1]),
             c = (char)tolower((unsigned char)s[2]);
        if ((a == 'n' && b == 'a' && c == 'n') || (a == 'i' && b == 'n' && c == 'f'))
            return 1;
    }
    return 0;
}

static int fuzz_words_from_client(const mn_client *c)
{
    return fuzz_has_nan_inf(c->name) || fuzz_has_nan_inf(c->currency);
}

static int fuzz_has_markup(const char *s)
{
    return strpbrk(s, "<>&\"'") != NULL;
}

/* The client's free text (name, currency) must reach the HTML report as text: the page's
 * markup is the same as for neutral words in their place. Checked only when the text holds a
 * markup character, since the report draws a figure and is slow. */
static void fuzz_html_escaped(mn_ctx *ctx, mn_plan *p)
{
    if (!fuzz_has_markup(p->client.name) && !fuzz_has_markup(p->client.currency))
        return;
    fuzz_sink raw = {0, 0, 0, 0}, neutral = {0, 0, 0, 0};
    fuzz_check(mn_plan_report_html(ctx, p, fuzz_sink_write, &raw) == MN_OK);
    snprintf(p->client.name, sizeof p->client.name, "%s", p->client.name[0] ? "Client" : "");
    snprintf(p->client.currency, sizeof p->client.currency, "%s",
             p->client.currency[0] ? "EUR" : "");
    fuzz_check(mn_plan_report_html(ctx, p, fuzz_sink_write, &neutral) == MN_OK);
    fuzz_check(raw.lt == neutral.lt && raw.gt == neutral.gt);
}

static void fuzz_plan_invariants(const mn_client *c, const mn_plan *p)
{
    const double eps = 1e-9;
    if (p->screening.decision == MN_DECISION_DEFER || p->screening.decision == MN_DECISION_DECLINE)
        fuzz_check(p->n_sessions == 0);
    fuzz_check(p->n_zones >= 1);
    for (int i = 0; i < p->n_zones; i++) {
        const mn_plan_zone *z = &p->zones[i];
        fuzz_check(z->depth_min_mm <= z->depth_start_mm + eps);
        fuzz_check(z->depth_start_mm <= z->depth_max_mm + eps);
        fuzz_check(z->depth_min_mm >= c->device->depth_min_mm - eps);
        fuzz_check(z->depth_max_mm <= c->device->depth_max_mm + eps);
        fuzz_check(z->depth_max_mm <= z->zone->clinical_max_mm + eps ||
                   (z->zone->facial && z->concern->deep_face_max_mm > 0 &&
                    z->depth_max_mm <= z->concern->deep_face_max_mm + eps));
    }
    for (int i = 0; i < p->n_sessions; i++) {
        fuzz_check(p->sessions[i].number == i + 1);
        fuzz_check(p->sessions[i].date >= c->start);
        if (i > 0)
            fuzz_check(p->sessions[i].date > p->sessions[i - 1].date);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_client c;
    mn_status st = mn_client_parse(ctx, "fuzz.json", (const char *)data, size, &c);
    if (st) {
        fuzz_check(mn_status_is_input_error(st));
        fuzz_check(mn_ctx_errcode(ctx) == st);
        fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
        return 0;
    }
    mn_screening s;
    fuzz_check(mn_screen(ctx, &c, &s) == MN_OK);
    fuzz_sink out = {0, 0, 0, 0};
    fuzz_check(mn_screening_write(ctx, &c, &s, 1, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(mn_screening_write(ctx, &c, &s, 0, fuzz_sink_write, &out) == MN_OK);

    mn_plan_options o;
    mn_plan_options_init(&o);
    o.years = 1 + (int)(size % 20); /* the whole --years range, 1-20 */
    mn_plan *p = NULL;
    st = mn_plan_build(ctx, &c, &o, &p);
    if (st && c.device->device_class == MN_DEVICE_HOME) {
        /* A home device is refused as a clinic device, naming the place. */
        fuzz_check(st == MN_EINVAL && p == NULL);
        fuzz_check(strstr(mn_ctx_errmsg(ctx), "$.clinic.device") != NULL);
        return 0;
    }
    if (st) {
        /* The other refusal the planner documents for a valid client: a zone the device
         * cannot needle safely. */
        fuzz_check(st == MN_ERANGE && p == NULL);
        fuzz_check(mn_ctx_errmsg(ctx)[0] != '\0');
        return 0;
    }
    fuzz_plan_invariants(&c, p);
    fuzz_check(mn_plan_write(ctx, p, 1, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(!out.nan_seen || fuzz_words_from_client(&c));
    fuzz_check(mn_plan_write(ctx, p, 0, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(!out.nan_seen || fuzz_words_from_client(&c));
    fuzz_html_escaped(ctx, p);
    mn_plan_free(p);
    return 0;
}
