/*
 * The face and body diagram of a plan: a simple drawing of a face (and, when a body zone is
 * treated, of a body) with a numbered dot on each treated zone, coloured by its starting needle
 * depth and labelled with it. Written as a complete SVG document, so the same bytes serve as
 * zones.svg beside the figures and, base64-encoded, as an image inside the HTML report.
 */
#include <string.h>

#include "report/html_internal.h"

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

#define UNTREATED_COLOUR 0x767676u /* grey, 4.5:1 against white */

/* Colour of a zone's dot by its starting depth: shallow, medium, deep. */
static unsigned depth_colour(double mm)
{
    return mm <= 0.5 ? 0x56B4E9u : mm <= 1.5 ? 0x0072B2u : 0xD55E00u;
}

/* The first plan row treating the zone with this id, or -1; with @p booked, the first row
 * that is booked. */
static int first_row(const mn_plan *plan, const char *id, int booked)
{
    for (int i = 0; i < plan->n_zones; i++)
        if (plan->zones[i].zone && strcmp(plan->zones[i].zone->id, id) == 0 &&
            (!booked || !plan->zones[i].not_booked))
            return i;
    return -1;
}

static void diagram_dots(mn__buf *b, const mn_plan *plan, int body)
{
    for (size_t a = 0; a < sizeof anchors / sizeof anchors[0]; a++) {
        const zone_anchor *za = &anchors[a];
        int first = za->body == body ? first_row(plan, za->id, 0) : -1;
        if (first < 0)
            continue;
        /* The dot carries the first booked plan row for this zone: its number and start
         * depth. */
        int booked = first_row(plan, za->id, 1);
        if (booked >= 0)
            first = booked;
        const mn_plan_zone *z = &plan->zones[first];
        if (!mn_plan_treats(plan) || booked < 0) {
            /* Not treated (or not booked): the zone marked with its number, without a
             * setting. */
            for (int k = 0; k < za->n; k++)
                mn__buf_printf(b,
                               "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"12\" fill=\"#%06x\" "
                               "stroke=\"#fff\" stroke-width=\"2\" data-zone=\"%s\"/>"
                               "<text x=\"%.0f\" y=\"%.0f\" font-size=\"13\" "
                               "font-weight=\"bold\" fill=\"#fff\" "
                               "text-anchor=\"middle\">%d</text>",
                               za->x[k], za->y[k], UNTREATED_COLOUR, za->id, za->x[k],
                               za->y[k] + 4.5, first + 1);
            continue;
        }
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
            char mm[16];
            mn__depth_str(mm, sizeof mm, z->depth_start_mm);
            /* A white outline copy under the text keeps it readable on the drawing (drawn
             * twice rather than with paint-order, which not every renderer supports). */
            for (int pass = 0; pass < 2; pass++)
                mn__buf_printf(b,
                               "<text x=\"%.0f\" y=\"%.0f\" font-size=\"16\" "
                               "text-anchor=\"%s\" %s>%s mm</text>",
                               za->x[k] + (left ? -16.0 : 16.0), za->y[k] + 4.0,
                               left ? "end" : "start",
                               pass == 0 ? "fill=\"#fff\" stroke=\"#fff\" stroke-width=\"4\""
                                         : "fill=\"#222\"",
                               mm);
        }
    }
}

/* The face drawing in a 420 × 500 box. */
static void face_diagram(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<g fill=\"#f6e7dc\" stroke=\"#8a6f5e\" stroke-width=\"2\">"
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
    mn__html_put(b,
                 "<g fill=\"#f6e7dc\" stroke=\"#8a6f5e\" stroke-width=\"2\">"
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
        mn__buf_printf(b, "<text x=\"10\" y=\"26\" font-size=\"18\" font-weight=\"bold\">%s</text>",
                       mn_plan_treats(plan) ? "Zones and starting needle depths"
                                            : "Zones asked about (no treatment planned)");
    mn__buf_printf(b, "<g transform=\"translate(0,%.0f)\">", top);
    face_diagram(b, plan);
    if (body) {
        mn__html_put(b, "<g transform=\"translate(430,40)\">");
        body_diagram(b, plan);
        mn__html_put(b, "</g>");
    }
    mn__html_put(b, "</g></svg>\n");
}
