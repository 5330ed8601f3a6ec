/*
 * The plan as one self-contained HTML page a clinic can hand to a client: the page itself (head,
 * styles, the client's header, the summary cards, the footer) and the entry point that runs the
 * sections in order. Each section is rendered by a file named after it (html_screening.c,
 * html_zones.c, html_calendar.c, html_projection.c, html_cost.c, html_pretreatment.c,
 * html_aftercare.c).
 *
 * Self-contained: styles are inline, the projection figure is a PNG in a data: URI and the
 * face/body diagram an SVG one; the page refers to nothing outside itself, so it opens offline
 * and can be archived or e-mailed as one file. Printed on A4, no box splits across pages
 * (break-inside:avoid) and the aftercare sheet is one page of its own, set compactly so it fits
 * (tests/cli/report_browser.sh measures both); screen-only parts are hidden on paper. Nothing
 * depends on the clock: the same plan gives the same bytes (the date it was prepared is the
 * caller's, in the plan's options). A declined or deferred client's page carries no treatment
 * content: the screening, then what to do next and when to come back.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/consts.h"
#include "report/html_internal.h"

/* Text on the Okabe-Ito fills is black wherever white would fall below WCAG 2's 4.5:1 for
 * normal text (white on the green #009E73 is 3.4:1, on the vermillion #D55E00 3.9:1; black
 * is 6.1 and 5.4); only the blue #0072B2 keeps white (5.2:1). axe-core checks the page in
 * the browser tests (tests/e2e/). */
static const char css[] =
    "<style>"
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;margin:0;background:#fff;"
    "line-height:1.45}"
    "main{max-width:980px;margin:0 auto;padding:24px 28px}"
    "h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:32px 0 10px;"
    "border-bottom:2px solid #0072B2;padding-bottom:4px}"
    "h3{font-size:16px;margin:18px 0 6px}"
    ".sub{color:#555;margin:0 0 16px}"
    ".sim{background:#fff4e0;border-left:6px solid #E69F00;padding:10px 14px;margin:14px 0}"
    ".cards{display:flex;flex-wrap:wrap;margin:16px -6px}"
    ".card{flex:1 1 170px;border:1px solid #ddd;border-radius:8px;padding:10px 14px;"
    "margin:6px}"
    ".card b{display:block;font-size:20px}.card span{color:#555;font-size:13px}"
    ".card .badge{font-size:14px;color:#000}"
    ".badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#000;"
    "font-weight:bold}"
    ".ok{background:#009E73}.caution{background:#E69F00;color:#000}.defer{background:#56B4E9;"
    "color:#000}.decline{background:#D55E00}"
    "table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#f2f5f8}td.num{text-align:right;white-space:nowrap}"
    ".zones{display:flex;align-items:flex-start;flex-wrap:wrap}"
    ".zones>div{margin-left:20px}th.why{width:38%}"
    ".diagram{width:460px;max-width:100%;height:auto;flex:0 0 auto}"
    ".legend span{display:inline-block;width:12px;height:12px;border-radius:6px;"
    "margin:0 4px 0 12px;vertical-align:middle}"
    ".months{display:flex;flex-wrap:wrap}table.month{width:auto;margin:6px 10px 6px 0;"
    "font-size:12px}table.month td,table.month th{width:22px;padding:2px;text-align:center;"
    "border:1px solid #e3e3e3}table.month th{background:#fff}"
    "td.cv{background:#0072B2;color:#fff;font-weight:bold}"
    "td.mv{background:#D55E00;color:#000;font-weight:bold}"
    "figure{margin:10px 0}figure img{width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:13px;color:#555}"
    ".answer{font-size:16px;background:#eef6fb;border-left:6px solid #0072B2;"
    "padding:10px 14px}"
    ".grid td.on{background:#0072B2;color:#fff}.grid td.avoid.on{background:#D55E00;color:#000}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".grid td{width:34px;text-align:center}.grid td.what{width:auto;text-align:left}"
    ".flags{border:2px solid #D55E00;border-radius:8px;padding:8px 14px}"
    ".tick{display:inline-block;width:13px;height:13px;border:1.5px solid #333;"
    "margin-right:6px;vertical-align:-2px}"
    "footer{color:#666;font-size:12px;margin-top:36px;border-top:1px solid #ddd;"
    "padding-top:8px}"
    ".box{border-radius:8px;padding:8px 14px;margin:10px 0}"
    ".call{background:#e8f6f0;border:2px solid #009E73}.call .phone{white-space:nowrap}"
    ".advice{background:#eef6fb;border-left:6px solid #0072B2;padding-left:30px}"
    ".comeback{background:#fff4e0;border-left:6px solid #E69F00}"
    ".refs{font-size:13px;color:#333}.refs li{margin:3px 0}"
    "td,th,li,p{overflow-wrap:anywhere}"
    ".box,.card,.answer,.flags,.sim,figure,tr,li,h3,.zones{break-inside:avoid;"
    "page-break-inside:avoid}"
    "@media (max-width:600px){main{padding:12px}h1{font-size:22px}"
    "table.data,table.data tbody,table.data tr,table.data td,table.data th{display:block;"
    "width:auto}table.data tr{border:1px solid #ccc;margin:6px 0}"
    "table.data td,table.data th{border:0;border-top:1px solid #eee}"
    "table.data td.num{text-align:left;white-space:normal}"
    "table.data tr.head{display:none}th.why{width:auto}"
    ".grid td{width:auto;padding:2px 1px;font-size:11px}.grid th{padding:2px 1px;"
    "font-size:11px}.grid td.what{font-size:12px}.zones>div{margin-left:0}}";

/* The rest of the same style element, for paper: A4, and the aftercare sheet on a page of its
 * own (a separate string: C99 promises string literals up to 4095 bytes). */
static const char css_print[] =
    "@page{size:A4;margin:14mm 12mm}"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}.noprint{display:none}"
    "table{font-size:8.5pt}h2{font-size:15pt;margin-top:18px;break-after:avoid}"
    ".sheet{page-break-before:always;break-before:page;page-break-after:always;"
    "break-after:page}.sheet p{margin:4px 0}.sheet h2{margin-top:0}.grid{font-size:8pt}"
    ".grid td,.grid th{padding:1px 3px}.grid td{width:16px}.grid td.what{width:auto}"
    ".grid th{white-space:nowrap;overflow-wrap:normal}"
    ".sheet h3{margin:6px 0 2px}.sheet ul{margin:2px 0}.sheet .flags{padding:2px 10px}"
    ".sheet .box{margin:6px 0;padding:4px 10px}"
    "tr,figure,.card,.answer{break-inside:avoid}.zones{display:block}"
    ".zones>div{margin-left:0}.diagram{width:360px}"
    ".card b{font-size:14pt}}"
    "</style>";

/* "Prepared on DATE by CLINIC (PRACTITIONER) · Telephone PHONE", as far as known. */
static void clinic_line(mn__buf *b, const mn_plan *plan)
{
    const mn_client *c = &plan->client;
    char d1[16];
    if (!plan->options.has_prepared && !c->clinic_name[0] && !c->practitioner[0] &&
        !c->clinic_phone[0])
        return;
    mn__html_put(b, "<p class=\"sub clinic\">");
    const char *sep = "";
    if (plan->options.has_prepared || c->clinic_name[0] || c->practitioner[0]) {
        mn__html_put(b, "Prepared");
        if (plan->options.has_prepared)
            mn__buf_printf(b, " on %s", mn_date_format(plan->options.prepared, d1));
        if (c->clinic_name[0]) {
            mn__html_put(b, " by <b>");
            mn__html_esc(b, c->clinic_name);
            mn__html_put(b, "</b>");
        }
        if (c->practitioner[0]) {
            mn__html_put(b, c->clinic_name[0] ? " (" : " by ");
            mn__html_esc(b, c->practitioner);
            mn__html_put(b, c->clinic_name[0] ? ")" : "");
        }
        sep = " · ";
    }
    if (c->clinic_phone[0]) {
        mn__buf_printf(b, "%sTelephone <b class=\"phone\">", sep);
        mn__html_esc(b, c->clinic_phone);
        mn__html_put(b, "</b>");
    }
    mn__html_put(b, "</p>");
}

static void client_header(mn__buf *b, const mn_plan *plan)
{
    const mn_client *c = &plan->client;
    char d1[16];
    mn__html_put(b, "<header><h1>Microneedling plan");
    if (c->name[0]) {
        mn__html_put(b, " for ");
        mn__html_esc(b, c->name);
    }
    mn__html_put(b, "</h1><p class=\"sub\">");
    mn__buf_printf(b, "Age %.0f · %s · skin phototype %d (Fitzpatrick) · %s · sun exposure %s",
                   c->patient.age_years, mn_sex_name(c->patient.sex), c->patient.fitzpatrick,
                   c->patient.smoker ? "smoker" : "non-smoker", mn_sun_name(c->patient.sun));
    if (c->device && mn_plan_treats(plan)) { /* the device and dates are treatment content */
        mn__html_put(b, " · device: ");
        mn__html_esc(b, c->device->name);
        mn__buf_printf(b, " · plan start %s", mn_date_format(c->start, d1));
    }
    mn__html_put(b, "</p>");
    clinic_line(b, plan);
    for (int i = 0; i < plan->warnings.n; i++) {
        mn__html_put(b, "<p class=\"flags warning\"><b>Warning:</b> ");
        mn__html_esc(b, plan->warnings.items[i].message);
        mn__html_put(b, ".</p>");
    }
    mn__html_put(b, "</header>");
    if (!mn_plan_books(plan))
        return;
    mn__html_put(
        b, "<div class=\"sim\"><b>This is a simulation, not a promise.</b> The dates, depths and "
           "costs below are a plan. The projected results come from a computer model of skin "
           "healing and collagen, calibrated on published studies; real results vary from "
           "person to person and are not guaranteed.</div>");
}

static void summary_cards(mn__buf *b, const mn_plan *plan, int have_fig)
{
    char d1[16], m[64], cur[64];
    mn__html_put(b, "<div class=\"cards\">");
    mn__buf_printf(b, "<div class=\"card\"><span>Screening</span><b><span class=\"badge %s\">",
                   mn__html_decision_class(plan->screening.decision));
    mn__html_esc(b, mn__html_decision_words(plan->screening.decision));
    mn__html_put(b, "</span></b></div>");
    if (plan->n_sessions > 0) {
        mn__buf_printf(b,
                       "<div class=\"card\"><span>Course</span><b>%d session%s</b>"
                       "<span>first on %s</span></div>",
                       plan->n_course_sessions, plan->n_course_sessions == 1 ? "" : "s",
                       mn_date_format(plan->sessions[0].date, d1));
        if (plan->maintenance_interval_days > 0)
            mn__buf_printf(b,
                           "<div class=\"card\"><span>Maintenance</span><b>every %d days</b>"
                           "<span>about every %.0f months</span></div>",
                           plan->maintenance_interval_days,
                           plan->maintenance_interval_days / MN__DAYS_PER_MONTH);
        mn__buf_printf(b,
                       "<div class=\"card\"><span>Course cost</span><b>%s</b>"
                       "<span>then about %.0f %s a year</span></div>",
                       mn__html_money(m, sizeof m, plan->course_total, plan->client.currency),
                       plan->maintenance_per_year,
                       mn__html_esc_into(cur, sizeof cur, plan->client.currency));
    }
    /* The median of the people drawn from the fit leads, as in the text, with their range and
     * the typical person's figure beside it: the typical person of the default constants can
     * lie at the top of the range (docs/models/healing.md §4.3), and a card is read alone. */
    if (have_fig && plan->has_lasting && plan->n_sessions > 0) {
        if (plan->lasting_band_draws > 0 && isfinite(plan->lasting_peak_median_pct))
            mn__buf_printf(b,
                           "<div class=\"card\"><span>Projected best improvement</span>"
                           "<b>%.0f %%</b><span>median person; plausible range %.0f–%.0f %%; "
                           "the model's typical person %.0f %% (simulation)</span></div>",
                           plan->lasting_peak_median_pct, plan->lasting_peak_low_pct,
                           plan->lasting_peak_high_pct, plan->lasting_peak_pct);
        else
            mn__buf_printf(b,
                           "<div class=\"card\"><span>Projected best improvement</span>"
                           "<b>%.0f %%</b><span>plausible range %.0f–%.0f %% (simulation)</span>"
                           "</div>",
                           plan->lasting_peak_pct, plan->lasting_peak_low_pct,
                           plan->lasting_peak_high_pct);
    }
    mn__html_put(b, "</div>");
}

mn_status mn_plan_report_html(mn_ctx *ctx, const mn_plan *plan, mn_writer write, void *userdata)
{
    if (!plan || !write)
        return mn__error(ctx, MN_EINVAL, "report: no plan or no writer");
    mn__buf b;
    mn__plan_figure fig;
    int have_fig = 0;
    mn_status st = MN_OK;
    mn__buf_init(&b);
    memset(&fig, 0, sizeof fig);
    fig.peak_index = fig.baseline_index = -1;
    if (plan->n_projection > 0) {
        if ((st = mn__plan_figure_build(ctx, plan, &fig)))
            goto done;
        have_fig = 1;
    }
    mn__html_put(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>Microneedling plan");
    if (plan->client.name[0]) {
        mn__html_put(&b, " – ");
        mn__html_esc(&b, plan->client.name);
    }
    mn__html_put(&b, "</title>");
    mn__html_put(&b, css);
    mn__html_put(&b, css_print);
    mn__html_put(&b, "</head><body><main>");
    client_header(&b, plan);
    summary_cards(&b, plan, have_fig);
    mn__html_screening(&b, plan);
    if (mn_plan_treats(plan) && !mn_plan_books(plan)) {
        mn__html_zones(&b, plan);
        mn__html_nothing_booked(&b, plan);
    } else if (mn_plan_treats(plan)) {
        mn__html_zones(&b, plan);
        mn__html_calendar(&b, plan);
        if ((st = mn__html_projection(ctx, &b, plan, &fig, have_fig)))
            goto done;
        mn__html_cost(&b, plan);
        mn__html_risks(&b, plan);
        mn__html_pretreatment(&b, plan);
        mn__html_aftercare(&b, plan);
    } else {
        /* No treatment content for a declined or deferred client: why (the screening), what
         * to do and when to come back. */
        mn__html_next_steps(&b, plan);
    }
    mn__html_references(&b, mn_ctx_catalog(ctx), plan);
    mn__buf_printf(&b,
                   "<footer>Prepared with mneedle %s, an open-source planning and simulation "
                   "tool for microneedling. Depths, dates and costs follow the clinic's "
                   "rules; projections are simulations from published calibration data and "
                   "are not a promise of results. Bring any question to your "
                   "practitioner.</footer>",
                   mn_version());
    mn__html_put(&b, "</main></body></html>\n");
    if ((st = mn__buf_status(&b))) {
        st = mn__error(ctx, MN_ENOMEM, "report: out of memory building the page");
        goto done;
    }
    if (write(userdata, b.data, b.len) != 0)
        st = mn__error(ctx, MN_EIO, "report: cannot write the page");
done:
    mn__plan_figure_release(&fig);
    mn__buf_release(&b);
    return st;
}
