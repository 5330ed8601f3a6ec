/*
 * The plan as one self-contained HTML page a clinic can hand to a client.
 *
 * Self-contained: styles are inline, the projection figure is a PNG in a data: URI and the
 * face/body diagram is inline SVG written here; the page refers to nothing outside itself, so
 * it opens offline and can be archived or e-mailed as one file. The aftercare sheet starts on
 * a new page when printed (CSS page-break rules), and screen-only parts are hidden on paper.
 * Nothing depends on the clock: the same plan gives the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/consts.h"
#include "report/plot_internal.h"

/* ---------------------------------------------------------------------------------------- */
/* Small HTML helpers                                                                       */

static void esc(mn__buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&':
            mn__buf_append(b, "&amp;", 5);
            break;
        case '<':
            mn__buf_append(b, "&lt;", 4);
            break;
        case '>':
            mn__buf_append(b, "&gt;", 4);
            break;
        case '"':
            mn__buf_append(b, "&quot;", 6);
            break;
        case '\'':
            mn__buf_append(b, "&#39;", 5);
            break;
        default:
            mn__buf_append(b, s, 1);
        }
    }
}

static void put(mn__buf *b, const char *s)
{
    mn__buf_append(b, s, strlen(s));
}

static const char *date_str(mn_date d, char *buf)
{
    return mn_date_format(d, buf);
}

static const char *weekday_name(mn_date d)
{
    static const char *names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int w = mn_date_weekday(d);
    return names[w >= 0 && w < 7 ? w : 0];
}

static const char *decision_words(mn_decision d)
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

static const char *decision_class(mn_decision d)
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

static const char *severity_word(mn_severity s)
{
    return s == MN_SEVERITY_DECLINE ? "decline" : s == MN_SEVERITY_DEFER ? "defer" : "caution";
}

/* A short string from the input (the currency code), escaped into @p buf for inline use. */
static const char *esc_short(char *buf, size_t n, const char *s)
{
    size_t k = 0;
    for (; s && *s; s++) {
        const char *rep = *s == '&'    ? "&amp;"
                          : *s == '<'  ? "&lt;"
                          : *s == '>'  ? "&gt;"
                          : *s == '"'  ? "&quot;"
                          : *s == '\'' ? "&#39;"
                                       : NULL;
        size_t r = rep ? strlen(rep) : 1;
        if (k + r >= n)
            break;
        memcpy(buf + k, rep ? rep : s, r);
        k += r;
    }
    buf[k] = '\0';
    return buf;
}

static const char *money(char *buf, size_t n, double v, const char *cur)
{
    int k = snprintf(buf, n, "%.2f ", v);
    if (k > 0 && (size_t)k < n)
        esc_short(buf + k, n - (size_t)k, cur);
    return buf;
}

/* ---------------------------------------------------------------------------------------- */
/* Face and body diagram                                                                    */

typedef struct {
    const char *id;
    int body; /* 0: face diagram, 1: body diagram */
    double x[2], y[2];
    int n; /* 1 or 2 anchors (left and right) */
} zone_anchor;

/* Anchors on the two drawings below (viewBox units). */
static const zone_anchor anchors[] = {
    {"scalp", 0, {210, 0}, {62, 0}, 1},        {"forehead", 0, {210, 0}, {112, 0}, 1},
    {"glabella", 0, {210, 0}, {162, 0}, 1},    {"periorbital", 0, {150, 270}, {214, 214}, 2},
    {"nose", 0, {210, 0}, {228, 0}, 1},        {"cheek", 0, {140, 280}, {262, 262}, 2},
    {"perioral", 0, {210, 0}, {282, 0}, 1},    {"chin", 0, {210, 0}, {336, 0}, 1},
    {"jawline", 0, {112, 308}, {306, 306}, 2}, {"neck", 0, {210, 0}, {392, 0}, 1},
    {"decolletage", 0, {210, 0}, {468, 0}, 1}, {"upper-arm", 1, {52, 168}, {128, 128}, 2},
    {"back", 1, {110, 0}, {140, 0}, 1},        {"abdomen", 1, {110, 0}, {205, 0}, 1},
    {"buttock", 1, {110, 0}, {258, 0}, 1},     {"thigh", 1, {88, 132}, {310, 310}, 2},
    {"hand", 1, {26, 194}, {262, 262}, 2},
};

static const zone_anchor *anchor_for(const char *id)
{
    for (size_t i = 0; i < sizeof anchors / sizeof anchors[0]; i++)
        if (id && strcmp(anchors[i].id, id) == 0)
            return &anchors[i];
    return NULL;
}

/* Colour of a zone's dot by its starting depth: shallow, medium, deep. */
static unsigned depth_colour(double mm)
{
    return mm <= 0.5 ? 0x56B4E9u : mm <= 1.5 ? 0x0072B2u : 0xD55E00u;
}

/* The number of the first plan zone with this zone id, or 0. */
static int zone_number(const mn_plan *plan, const char *id, int *first)
{
    for (int i = 0; i < plan->n_zones; i++)
        if (plan->zones[i].zone && strcmp(plan->zones[i].zone->id, id) == 0) {
            *first = i;
            return i + 1;
        }
    return 0;
}

static void diagram_dots(mn__buf *b, const mn_plan *plan, int body)
{
    for (size_t a = 0; a < sizeof anchors / sizeof anchors[0]; a++) {
        const zone_anchor *za = &anchors[a];
        int first = -1;
        if (za->body != body || !zone_number(plan, za->id, &first))
            continue;
        /* The dot carries the first plan row for this zone: its number and start depth. */
        const mn_plan_zone *z = &plan->zones[first];
        unsigned col = depth_colour(z->depth_start_mm);
        for (int k = 0; k < za->n; k++) {
            mn__buf_printf(b,
                           "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"12\" fill=\"#%06x\" "
                           "stroke=\"#fff\" stroke-width=\"2\" data-zone=\"%s\" "
                           "data-depth-start-mm=\"%.17g\" data-depth-max-mm=\"%.17g\"/>"
                           "<text x=\"%.0f\" y=\"%.0f\" font-size=\"13\" font-weight=\"bold\" "
                           "fill=\"#fff\" text-anchor=\"middle\">%d</text>",
                           za->x[k], za->y[k], col, za->id, z->depth_start_mm, z->depth_max_mm,
                           za->x[k], za->y[k] + 4.5, first + 1);
            int left = za->n == 2 && k == 0;
            /* A white outline copy under the text keeps it readable on the drawing (drawn
             * twice rather than with paint-order, which not every renderer supports). */
            for (int pass = 0; pass < 2; pass++)
                mn__buf_printf(b,
                               "<text x=\"%.0f\" y=\"%.0f\" font-size=\"16\" "
                               "text-anchor=\"%s\" %s>%.2g mm</text>",
                               za->x[k] + (left ? -16.0 : 16.0), za->y[k] + 4.0,
                               left ? "end" : "start",
                               pass == 0 ? "fill=\"#fff\" stroke=\"#fff\" stroke-width=\"4\""
                                         : "fill=\"#222\"",
                               z->depth_start_mm);
        }
    }
}

/* The face drawing in a 420 × 500 box. */
static void face_diagram(mn__buf *b, const mn_plan *plan)
{
    put(b, "<g fill=\"#f6e7dc\" stroke=\"#8a6f5e\" stroke-width=\"2\">"
           "<path d=\"M30,500 Q50,430 165,418 L255,418 Q370,430 390,500 Z\"/>"
           "<rect x=\"165\" y=\"330\" width=\"90\" height=\"95\"/>"
           "<ellipse cx=\"88\" cy=\"215\" rx=\"16\" ry=\"34\"/>"
           "<ellipse cx=\"332\" cy=\"215\" rx=\"16\" ry=\"34\"/>"
           "<ellipse cx=\"210\" cy=\"200\" rx=\"122\" ry=\"162\"/></g>"
           "<g fill=\"none\" stroke=\"#8a6f5e\" stroke-width=\"2\">"
           "<path d=\"M128,172 Q155,160 182,170 M238,170 Q265,160 292,172\"/>"
           "<ellipse cx=\"158\" cy=\"192\" rx=\"20\" ry=\"8\"/>"
           "<ellipse cx=\"262\" cy=\"192\" rx=\"20\" ry=\"8\"/>"
           "<path d=\"M210,196 L197,250 Q210,258 223,250\"/>"
           "<path d=\"M180,300 Q210,314 240,300\"/></g>");
    diagram_dots(b, plan, 0);
}

static int has_body_zone(const mn_plan *plan)
{
    for (int i = 0; i < plan->n_zones; i++) {
        const zone_anchor *za = plan->zones[i].zone ? anchor_for(plan->zones[i].zone->id) : NULL;
        if (za && za->body)
            return 1;
    }
    return 0;
}

/* The body drawing in a 220 × 420 box. */
static void body_diagram(mn__buf *b, const mn_plan *plan)
{
    put(b, "<g fill=\"#f6e7dc\" stroke=\"#8a6f5e\" stroke-width=\"2\">"
           "<circle cx=\"110\" cy=\"40\" r=\"26\"/>"
           "<path d=\"M70,80 L150,80 L160,240 L60,240 Z\"/>"
           "<path d=\"M70,84 L40,190 L28,250 L14,250 L26,186 L56,84 Z\"/>"
           "<path d=\"M150,84 L180,190 L192,250 L206,250 L194,186 L164,84 Z\"/>"
           "<path d=\"M62,240 L106,240 L100,410 L76,410 Z\"/>"
           "<path d=\"M114,240 L158,240 L144,410 L120,410 Z\"/></g>"
           "<text x=\"110\" y=\"430\" font-size=\"12\" fill=\"#555\" text-anchor=\"middle\">"
           "back and buttock: on the rear</text>");
    diagram_dots(b, plan, 1);
}

void mn__plan_diagram_svg(mn__buf *b, const mn_plan *plan, int titled)
{
    int body = has_body_zone(plan);
    double w = body ? 660.0 : 420.0, top = titled ? 50.0 : 0.0;
    mn__buf_printf(b,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0fpx\" "
                   "height=\"%.0fpx\" viewBox=\"0 0 %.0f %.0f\" "
                   "font-family=\"DejaVu Sans, Arial, sans-serif\">"
                   "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>",
                   w, 510.0 + top, w, 510.0 + top);
    if (titled)
        put(b, "<text x=\"10\" y=\"26\" font-size=\"18\" font-weight=\"bold\">"
               "Zones and starting needle depths</text>");
    mn__buf_printf(b, "<g transform=\"translate(0,%.0f)\">", top);
    face_diagram(b, plan);
    if (body) {
        put(b, "<g transform=\"translate(430,40)\">");
        body_diagram(b, plan);
        put(b, "</g>");
    }
    put(b, "</g></svg>\n");
}

/* ---------------------------------------------------------------------------------------- */
/* Sections                                                                                 */

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
    ".card .badge{font-size:14px;color:#fff}.card .caution,.card .defer{color:#000}"
    ".badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;"
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
    "td.mv{background:#D55E00;color:#fff;font-weight:bold}"
    "figure{margin:10px 0}figure img{width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:13px;color:#555}"
    ".answer{font-size:16px;background:#eef6fb;border-left:6px solid #0072B2;"
    "padding:10px 14px}"
    ".grid td.on{background:#0072B2;color:#fff}.grid td.avoid.on{background:#D55E00}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".grid td{width:34px;text-align:center}.grid td.what{width:auto;text-align:left}"
    ".flags{border:2px solid #D55E00;border-radius:8px;padding:8px 14px}"
    ".box{display:inline-block;width:13px;height:13px;border:1.5px solid #333;"
    "margin-right:6px;vertical-align:-2px}"
    "footer{color:#666;font-size:12px;margin-top:36px;border-top:1px solid #ddd;"
    "padding-top:8px}"
    "@page{size:A4;margin:14mm 12mm}"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}.noprint{display:none}"
    "table{font-size:8.5pt}h2{font-size:15pt;margin-top:18px;break-after:avoid}"
    ".sheet{page-break-before:always;break-before:page}"
    "tr,figure,.card,.answer{break-inside:avoid}.zones{display:block}"
    ".zones>div{margin-left:0}.diagram{width:360px}"
    ".card b{font-size:14pt}}"
    "</style>";

static void section_header(mn__buf *b, const mn_plan *plan)
{
    const mn_client *c = &plan->client;
    char d1[16];
    put(b, "<header><h1>Microneedling plan");
    if (c->name[0]) {
        put(b, " for ");
        esc(b, c->name);
    }
    put(b, "</h1><p class=\"sub\">");
    mn__buf_printf(b, "Age %.0f · %s · skin phototype %d (Fitzpatrick) · %s · sun exposure %s",
                   c->patient.age_years, mn_sex_name(c->patient.sex), c->patient.fitzpatrick,
                   c->patient.smoker ? "smoker" : "non-smoker", mn_sun_name(c->patient.sun));
    if (c->device) {
        put(b, " · device: ");
        esc(b, c->device->name);
    }
    mn__buf_printf(b, " · plan start %s</p></header>", date_str(c->start, d1));
    put(b, "<div class=\"sim\"><b>This is a simulation, not a promise.</b> The dates, depths and "
           "costs below are a plan. The projected results come from a computer model of skin "
           "healing and collagen, calibrated on published studies; real results vary from "
           "person to person and are not guaranteed.</div>");
}

static void section_cards(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig, int have_fig)
{
    char d1[16], m[64], cur[64];
    put(b, "<div class=\"cards\">");
    mn__buf_printf(b, "<div class=\"card\"><span>Screening</span><b><span class=\"badge %s\">",
                   decision_class(plan->screening.decision));
    esc(b, decision_words(plan->screening.decision));
    put(b, "</span></b></div>");
    if (plan->n_sessions > 0) {
        mn__buf_printf(b,
                       "<div class=\"card\"><span>Course</span><b>%d session%s</b>"
                       "<span>first on %s</span></div>",
                       plan->n_course_sessions, plan->n_course_sessions == 1 ? "" : "s",
                       date_str(plan->sessions[0].date, d1));
        if (plan->maintenance_interval_days > 0)
            mn__buf_printf(b,
                           "<div class=\"card\"><span>Maintenance</span><b>every %d days</b>"
                           "<span>about every %.0f months</span></div>",
                           plan->maintenance_interval_days,
                           plan->maintenance_interval_days / MN__DAYS_PER_MONTH);
        mn__buf_printf(b,
                       "<div class=\"card\"><span>Course cost</span><b>%s</b>"
                       "<span>then about %.0f %s a year</span></div>",
                       money(m, sizeof m, plan->course_total, plan->client.currency),
                       plan->maintenance_per_year,
                       esc_short(cur, sizeof cur, plan->client.currency));
    }
    if (have_fig && fig->peak_index >= 0 && plan->n_sessions > 0) {
        const mn_projection_sample *p = &plan->projection[fig->peak_index];
        mn__buf_printf(b,
                       "<div class=\"card\"><span>Projected best improvement</span>"
                       "<b>%.0f %%</b><span>plausible range %.0f–%.0f %% (simulation)</span>"
                       "</div>",
                       p->improvement_pct, fig->low[fig->peak_index], fig->high[fig->peak_index]);
    }
    put(b, "</div>");
}

static void section_screening(mn__buf *b, const mn_plan *plan)
{
    const mn_screening *s = &plan->screening;
    char d1[16];
    put(b, "<section><h2>1. Screening</h2><p>");
    mn__buf_printf(b, "<span class=\"badge %s\">", decision_class(s->decision));
    esc(b, decision_words(s->decision));
    put(b, "</span> ");
    switch (s->decision) {
    case MN_DECISION_PROCEED:
        put(b, "Nothing in the health questionnaire stands in the way of treatment.");
        break;
    case MN_DECISION_CAUTION:
        put(b, "Treatment can go ahead with the precautions listed below.");
        break;
    case MN_DECISION_DEFER:
        put(b, "Treatment should wait; no session is booked.");
        if (s->has_rescreen)
            mn__buf_printf(b, " Earliest date to check again: <b>%s</b>.",
                           date_str(s->rescreen, d1));
        break;
    case MN_DECISION_DECLINE:
        put(b, "Microneedling is not advised; no session is booked.");
        break;
    }
    put(b, "</p>");
    if (s->n_findings > 0) {
        put(b, "<table><tr><th>Finding</th><th>Level</th><th>Zone</th><th>Code</th></tr>");
        for (int i = 0; i < s->n_findings; i++) {
            const mn_finding *f = &s->findings[i];
            put(b, "<tr><td>");
            esc(b, f->message);
            if (f->has_until)
                mn__buf_printf(b, " <i>(until %s)</i>", date_str(f->until, d1));
            mn__buf_printf(b, "</td><td><span class=\"badge %s\">%s</span></td><td>",
                           f->severity == MN_SEVERITY_DECLINE ? "decline"
                           : f->severity == MN_SEVERITY_DEFER ? "defer"
                                                              : "caution",
                           severity_word(f->severity));
            esc(b, f->zone ? f->zone : "all");
            put(b, "</td><td>");
            esc(b, f->code);
            put(b, "</td></tr>");
        }
        put(b, "</table>");
    }
    put(b, "</section>");
}

static void section_zones(mn__buf *b, const mn_plan *plan)
{
    put(b, "<section><h2>2. Zones and needle depths</h2>");
    if (plan->n_zones == 0) {
        put(b, "<p>No zone to treat.</p></section>");
        return;
    }
    /* The diagram goes in as an SVG image (a data: URI): every renderer, print engines
     * included, sizes an <img> reliably, where inline SVG in a flex box is not. */
    mn__buf svg;
    mn__buf_init(&svg);
    mn__plan_diagram_svg(&svg, plan, 0);
    put(b, "<div class=\"zones\"><img class=\"diagram\" alt=\"Face and body diagram: each "
           "treated zone is numbered as in the table, with its starting needle depth\" "
           "src=\"data:image/svg+xml;base64,");
    if (svg.failed)
        b->failed = 1;
    else
        mn__base64_append(b, (const unsigned char *)svg.data, svg.len);
    mn__buf_release(&svg);
    put(b, "\">");
    put(b, "<div style=\"flex:1 1 300px\"><p class=\"legend\">Dot colour = starting depth:"
           "<span style=\"background:#56B4E9\"></span>up to 0.5 mm"
           "<span style=\"background:#0072B2\"></span>0.5–1.5 mm"
           "<span style=\"background:#D55E00\"></span>over 1.5 mm</p>"
           "<p>Needle length is set per zone: it starts at the lower setting and is raised "
           "only if the skin tolerates it, never past the maximum. The effective depth is how "
           "deep the needles really reach (skin gives way under the needle, so it is less "
           "than the setting).</p></div></div>");
    put(b, "<table><tr><th>#</th><th>Zone</th><th>Concern</th><th>Needle setting (mm)<br>"
           "start · range</th><th>Effective depth (µm)</th><th>Passes</th><th "
           "class=\"why\">Why</th></tr>");
    for (int i = 0; i < plan->n_zones; i++) {
        const mn_plan_zone *z = &plan->zones[i];
        mn__buf_printf(b, "<tr><td>%d</td><td>", i + 1);
        esc(b, z->zone ? z->zone->name : "?");
        put(b, "</td><td>");
        esc(b, z->concern ? z->concern->name : "?");
        mn__buf_printf(b,
                       "</td><td class=\"num\"><b>%.2f</b> · %.2f–%.2f</td>"
                       "<td class=\"num\">%.0f–%.0f</td><td class=\"num\">%.0f</td><td>",
                       z->depth_start_mm, z->depth_min_mm, z->depth_max_mm, z->effective_depth_um,
                       z->effective_depth_max_um, z->passes);
        esc(b, z->why);
        put(b, "</td></tr>");
    }
    put(b, "</table></section>");
}

static void zone_list(mn__buf *b, const mn_plan *plan, unsigned mask)
{
    int first = 1;
    for (int i = 0; i < plan->n_zones && i < 32; i++) {
        if (!(mask & (1u << i)))
            continue;
        if (!first)
            put(b, ", ");
        esc(b, plan->zones[i].zone ? plan->zones[i].zone->name : "?");
        first = 0;
    }
}

/* Month grids (Monday first) for every month with a visit, visits filled in: course in blue,
 * maintenance in vermillion, each with its number. */
static void month_grids(mn__buf *b, const mn_plan *plan)
{
    static const char *months[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
    int last_y = -1, last_m = -1;
    put(b, "<div class=\"months\">");
    for (int i = 0; i < plan->n_sessions; i++) {
        int y, m, d;
        mn_date_to_ymd(plan->sessions[i].date, &y, &m, &d);
        if (y == last_y && m == last_m)
            continue;
        last_y = y;
        last_m = m;
        mn_date first;
        if (mn_date_from_ymd(y, m, 1, &first) != MN_OK)
            continue;
        mn_date next = mn_date_add_months(first, 1);
        mn__buf_printf(b, "<table class=\"month\"><tr><th colspan=\"7\">%s %d</th></tr><tr>",
                       months[(m - 1) % 12], y);
        put(b, "<td>Mo</td><td>Tu</td><td>We</td><td>Th</td><td>Fr</td><td>Sa</td><td>Su</td>"
               "</tr><tr>");
        int col = mn_date_weekday(first);
        for (int k = 0; k < col; k++)
            put(b, "<td></td>");
        for (mn_date t = first; t < next; t++) {
            const mn_plan_session *hit = NULL;
            for (int k = 0; k < plan->n_sessions && !hit; k++)
                if (plan->sessions[k].date == t)
                    hit = &plan->sessions[k];
            int dd;
            mn_date_to_ymd(t, NULL, NULL, &dd);
            if (hit)
                mn__buf_printf(b, "<td class=\"%s\" title=\"visit %d\">%d</td>",
                               hit->phase == MN_PHASE_MAINTENANCE ? "mv" : "cv", hit->number, dd);
            else
                mn__buf_printf(b, "<td>%d</td>", dd);
            if (++col == 7 && t + 1 < next) {
                put(b, "</tr><tr>");
                col = 0;
            }
        }
        put(b, "</tr></table>");
    }
    put(b, "</div><p class=\"legend\"><span style=\"background:#0072B2\"></span>course session"
           "<span style=\"background:#D55E00\"></span>maintenance visit</p>");
}

static void section_calendar(mn__buf *b, const mn_plan *plan)
{
    char d1[16], m[64];
    put(b, "<section><h2>3. Calendar</h2>");
    if (plan->n_sessions == 0) {
        put(b, "<p>No session is booked (see the screening above).</p></section>");
        return;
    }
    put(b, "<table><tr><th>#</th><th>Date</th><th>Visit</th><th>Zones</th>"
           "<th>Numbing (min)</th><th>Treatment (min)</th><th>Price</th></tr>");
    for (int i = 0; i < plan->n_sessions; i++) {
        const mn_plan_session *s = &plan->sessions[i];
        mn__buf_printf(b, "<tr><td>%d</td><td>%s %s</td><td>%s</td><td>", s->number,
                       weekday_name(s->date), date_str(s->date, d1),
                       s->phase == MN_PHASE_MAINTENANCE ? "maintenance" : "course");
        zone_list(b, plan, s->zone_mask);
        mn__buf_printf(b,
                       "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
                       "<td class=\"num\">%s</td></tr>",
                       s->numbing_min, s->treatment_min,
                       money(m, sizeof m, s->price, plan->client.currency));
    }
    put(b, "</table><p>Arrive with clean skin; the numbing cream needs the time shown before "
           "the treatment starts.</p>");
    month_grids(b, plan);
    put(b, "</section>");
}

/* The plain-language answer to "how long will it last?". */
static void lasting_answer(mn__buf *b, const mn_plan *plan, const mn__plan_figure *fig)
{
    int n = plan->n_projection, pk = fig->peak_index;
    double peak = fig->improvement[pk];
    double target = plan->options.target_fraction > 0 ? plan->options.target_fraction : 0.8;
    put(b, "<div class=\"answer\"><b>How long will it last?</b> ");
    if (plan->n_sessions == 0 || !(peak > 0.0)) {
        put(b, "No treatment is planned, so there is no result to last.</div>");
        return;
    }
    mn__buf_printf(b,
                   "In the simulation the improvement is greatest about <b>%.0f weeks</b> after "
                   "the first session, at <b>%.0f %%</b> (plausible range %.0f–%.0f %%). ",
                   fig->day[pk] / 7.0, peak, fig->low[pk], fig->high[pk]);
    /* When does it fall below the target fraction of the peak (before any maintenance)? */
    int below = -1;
    for (int i = pk + 1; i < n; i++)
        if (fig->improvement[i] < target * peak) {
            below = i;
            break;
        }
    int first_maint = -1;
    for (int i = 0; i < plan->n_sessions; i++)
        if (plan->sessions[i].phase == MN_PHASE_MAINTENANCE) {
            first_maint = i;
            break;
        }
    if (first_maint >= 0 && plan->maintenance_interval_days > 0 && plan->maintenance_from_model) {
        mn__buf_printf(b,
                       "The result is <b>not permanent</b>: new collagen is slowly broken down "
                       "and skin keeps ageing. In the model, a maintenance session every "
                       "<b>%d days</b> (about %.0f months) keeps it at or above %.0f %% of its "
                       "best. ",
                       plan->maintenance_interval_days,
                       plan->maintenance_interval_days / MN__DAYS_PER_MONTH, target * 100.0);
    } else if (first_maint >= 0 && plan->maintenance_interval_days > 0) {
        mn__buf_printf(b,
                       "The result is <b>not permanent</b>: new collagen is slowly broken down "
                       "and skin keeps ageing. This plan books a maintenance session every "
                       "<b>%d days</b> (about %.0f months), the usual interval for this "
                       "concern. ",
                       plan->maintenance_interval_days,
                       plan->maintenance_interval_days / MN__DAYS_PER_MONTH);
    } else if (below >= 0) {
        mn__buf_printf(b,
                       "The result is <b>not permanent</b>: it falls below %.0f %% of its best "
                       "about <b>%.0f months</b> after the first session. ",
                       target * 100.0, fig->day[below] / MN__DAYS_PER_MONTH);
    }
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
    if (plan->projection_note[0]) {
        esc(b, plan->projection_note);
        put(b, " ");
    }
    put(b, "<i>These are model estimates with wide uncertainty, not a promise.</i></div>");
}

static int buf_writer(void *userdata, const char *data, size_t len)
{
    mn__buf *b = userdata;
    mn__buf_append(b, data, len);
    return b->failed ? -1 : 0;
}

static mn_status section_projection(mn_ctx *ctx, mn__buf *b, const mn_plan *plan,
                                    const mn__plan_figure *fig, int have_fig)
{
    put(b, "<section><h2>4. What to expect over time</h2>");
    if (!have_fig) {
        /* No curve to show: answer from the plan's own note, without inventing numbers. */
        put(b, "<div class=\"answer\"><b>How long will it last?</b> ");
        if (plan->n_sessions == 0) {
            put(b, "No treatment is planned, so there is no result to last.");
        } else {
            put(b, "The result is <b>not permanent</b>: the collagen a course builds is slowly "
                   "broken down like the rest, and skin keeps ageing. ");
            if (plan->maintenance_interval_days > 0)
                mn__buf_printf(b,
                               "This plan books a maintenance session every <b>%d days</b> "
                               "(about %.0f months) to keep the gain. ",
                               plan->maintenance_interval_days,
                               plan->maintenance_interval_days / MN__DAYS_PER_MONTH);
            esc(b, plan->projection_note);
        }
        put(b, " <i>No simulated curve is shown for this plan.</i></div></section>");
        return MN_OK;
    }
    mn__buf png;
    mn__buf_init(&png);
    mn_status st =
        mn_plot_chart_render(ctx, &fig->chart, MN_PLOT_PNG, buf_writer, &png, NULL, NULL);
    if (st == MN_EIO && png.failed) /* the writer failed because the buffer could not grow */
        st = mn__error(ctx, MN_ENOMEM, "out of memory drawing the projection figure");
    if (st == MN_OK) {
        put(b, "<figure><img alt=\"Projected improvement over time, with its uncertainty band, "
               "sessions and maintenance visits\" src=\"data:image/png;base64,");
        mn__base64_append(b, (const unsigned char *)png.data, png.len);
        put(b, "\"><figcaption>Simulated improvement of the treated concern (% of how it was "
               "before treatment), with the plausible range shaded. Vertical lines are "
               "sessions; dashed lines are maintenance visits (M). A simulation, not a "
               "promise.</figcaption></figure>");
        lasting_answer(b, plan, fig);
        put(b, "</section>");
    }
    mn__buf_release(&png);
    return st;
}

static void section_cost(mn__buf *b, const mn_plan *plan)
{
    char m[64];
    const char *cur = plan->client.currency;
    put(b, "<section><h2>5. Cost</h2>");
    if (plan->n_sessions == 0) {
        put(b, "<p>No cost: no session is booked.</p></section>");
        return;
    }
    put(b, "<table>");
    mn__buf_printf(b, "<tr><td>Per session</td><td class=\"num\">%s</td></tr>",
                   money(m, sizeof m, plan->per_session, cur));
    mn__buf_printf(b, "<tr><td>Course (%d sessions)</td><td class=\"num\">%s</td></tr>",
                   plan->n_course_sessions, money(m, sizeof m, plan->course_total, cur));
    mn__buf_printf(b, "<tr><td>Maintenance per year</td><td class=\"num\">%s</td></tr>",
                   money(m, sizeof m, plan->maintenance_per_year, cur));
    mn__buf_printf(b, "<tr><th>Total over %d year%s</th><th class=\"num\">%s</th></tr>",
                   plan->options.years, plan->options.years == 1 ? "" : "s",
                   money(m, sizeof m, plan->horizon_total, cur));
    put(b, "</table></section>");
}

static void section_risk(mn__buf *b, const mn_plan *plan)
{
    put(b, "<section><h2>6. Risks to know about</h2>");
    if (plan->pih_risk[0]) {
        put(b, "<p>Risk of darker marks after treatment (post-inflammatory "
               "hyperpigmentation): <b>");
        esc(b, plan->pih_risk);
        put(b, "</b>.</p>");
    }
    if (plan->n_risk_notes > 0) {
        put(b, "<ul>");
        for (int i = 0; i < plan->n_risk_notes && i < 6; i++) {
            put(b, "<li>");
            esc(b, plan->risk_notes[i]);
            put(b, "</li>");
        }
        put(b, "</ul>");
    }
    put(b, "</section>");
}

#define SHEET_DAYS 8 /* day 0 (treatment) to day 7 */

static void day_range(mn__buf *b, int from, int to)
{
    if (from == 0 && to == 0)
        put(b, "treatment day");
    else if (from == to)
        mn__buf_printf(b, "day %d", from);
    else if (from == 0)
        mn__buf_printf(b, "treatment day to day %d", to);
    else
        mn__buf_printf(b, "days %d–%d", from, to);
}

static void section_aftercare(mn__buf *b, const mn_plan *plan)
{
    put(b, "<section class=\"sheet\"><h2>Aftercare sheet</h2><p>Keep this page. Day 0 is the "
           "day of each treatment; follow it again after every session.");
    if (plan->client.name[0]) {
        put(b, " For: <b>");
        esc(b, plan->client.name);
        put(b, "</b>.");
    }
    put(b, "</p>");
    static const struct {
        mn_aftercare_kind kind;
        const char *title, *cls;
    } groups[] = {{MN_AFTERCARE_DO, "Do", "do"}, {MN_AFTERCARE_AVOID, "Avoid", "avoid"}};
    put(b, "<table class=\"grid\"><tr><th class=\"what\">What</th>");
    for (int d = 0; d < SHEET_DAYS; d++)
        mn__buf_printf(b, "<th>%s%d</th>", d == 0 ? "Day " : "", d);
    put(b, "<th>later</th></tr>");
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        mn__buf_printf(b, "<tr><th colspan=\"%d\">%s</th></tr>", SHEET_DAYS + 2, groups[g].title);
        for (int i = 0; i < plan->n_aftercare; i++) {
            const mn_plan_aftercare *a = &plan->aftercare[i];
            if (!a->item || a->item->kind != groups[g].kind)
                continue;
            put(b, "<tr><td class=\"what\"><span class=\"box\"></span>");
            esc(b, a->item->text);
            put(b, " <i>(");
            day_range(b, a->day_from, a->day_to);
            put(b, ")</i></td>");
            for (int d = 0; d < SHEET_DAYS; d++) {
                int on = d >= a->day_from && d <= a->day_to;
                mn__buf_printf(b, "<td class=\"%s%s\">%s</td>", groups[g].cls, on ? " on" : "",
                               on ? "&#10003;" : "");
            }
            mn__buf_printf(b, "<td class=\"%s%s\"></td></tr>", groups[g].cls,
                           a->day_to >= SHEET_DAYS ? " on" : "");
        }
    }
    put(b, "</table>");
    int any = 0;
    for (int i = 0; i < plan->n_aftercare; i++) {
        const mn_plan_aftercare *a = &plan->aftercare[i];
        if (!a->item || a->item->kind != MN_AFTERCARE_EXPECT)
            continue;
        if (!any)
            put(b, "<h3>What is normal</h3><ul>");
        any = 1;
        put(b, "<li>");
        esc(b, a->item->text);
        put(b, " <i>(");
        day_range(b, a->day_from, a->day_to);
        put(b, ")</i></li>");
    }
    if (any)
        put(b, "</ul>");
    any = 0;
    for (int i = 0; i < plan->n_aftercare; i++) {
        const mn_plan_aftercare *a = &plan->aftercare[i];
        if (!a->item || a->item->kind != MN_AFTERCARE_RED_FLAG)
            continue;
        if (!any)
            put(b, "<div class=\"flags\"><h3>Call the clinic if</h3><ul>");
        any = 1;
        put(b, "<li>");
        esc(b, a->item->text);
        put(b, "</li>");
    }
    if (any)
        put(b, "</ul></div>");
    put(b, "</section>");
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
    put(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Microneedling plan");
    if (plan->client.name[0]) {
        put(&b, " – ");
        esc(&b, plan->client.name);
    }
    put(&b, "</title>");
    put(&b, css);
    put(&b, "</head><body><main>");
    section_header(&b, plan);
    section_cards(&b, plan, &fig, have_fig);
    section_screening(&b, plan);
    section_zones(&b, plan);
    section_calendar(&b, plan);
    if ((st = section_projection(ctx, &b, plan, &fig, have_fig)))
        goto done;
    section_cost(&b, plan);
    section_risk(&b, plan);
    section_aftercare(&b, plan);
    mn__buf_printf(&b,
                   "<footer>Prepared with mneedle %s, an open-source planning and simulation "
                   "tool for microneedling. Depths, dates and costs follow the clinic's "
                   "rules; projections are simulations from published calibration data and "
                   "are not a promise of results. Bring any question to your "
                   "practitioner.</footer>",
                   mn_version());
    put(&b, "</main></body></html>\n");
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
