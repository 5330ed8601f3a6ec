/*
 * Shared drawing pieces of the figures (plot.c, plot_map.c, plot_dist.c) and the HTML report:
 * a canvas bound to a writer, the house look (fonts, sizes, colours), nice axis ticks and
 * text helpers. Internal to src/report.
 */
#ifndef MN_REPORT_PLOT_INTERNAL_H
#define MN_REPORT_PLOT_INTERNAL_H

#include <cairo.h>

#include "core/consts.h"
#include "core/internal.h"
#include "mneedle/plot.h"

/* The house look, in pixels. */
#define MN__FONT      "DejaVu Sans"
#define MN__TITLE_PT  18.0
#define MN__LABEL_PT  14.0
#define MN__TICK_PT   12.0
#define MN__SMALL_PT  11.0
#define MN__LINE_W    2.5
#define MN__AXIS_GREY 0x444444u
#define MN__GRID_GREY 0xe3e3e3u
#define MN__TEXT_GREY 0x222222u
/* Longest figure directory name: a figure's path is built in 4096 bytes, and the longest
 * "/STEM.ext" of a figure is far under the 196 left. */
#define MN__PLOT_DIR_MAX   3900
#define MN__MARGIN_LEFT    84.0
#define MN__MARGIN_RIGHT   28.0
#define MN__MARGIN_TOP     78.0 /* title, then the legend row */
#define MN__LEGEND_ROW     18.0 /* the spacing of legend rows */
#define MN__MARGIN_BOTTOM  70.0 /* tick labels, axis label */
#define MN__FOOTNOTE_EXTRA 22.0

/* A drawing target. PNG is drawn on an image surface and encoded at the end; SVG streams. */
typedef struct {
    mn_ctx *ctx;
    mn_plot_format format;
    int width, height;
    cairo_surface_t *surface;
    cairo_t *cr;
    mn_writer write;
    void *userdata;
    int write_failed;
} mn__canvas;

/* Opens a white canvas. On failure nothing is left to close. */
mn_status mn__canvas_open(mn__canvas *cv, mn_ctx *ctx, mn_plot_format format, int width, int height,
                          mn_writer write, void *userdata);
/* Finishes the image into the writer and frees everything (also after a failure). */
mn_status mn__canvas_close(mn__canvas *cv, mn_status st);

/* A chart of improvement (% of baseline severity) over the days since the first session, with
 * its zero line: the axes every improvement figure shares (simulate's, the plan's projection,
 * the web workstation's), initialised as mn_plot_chart_init() does, with @p title and
 * @p footnote (static strings the chart keeps pointing at). */
void mn__improvement_chart_init(mn_plot_chart *chart, const char *title, const char *footnote);

/* Checks a requested size (0 = default) and stores the effective one in *w, *h. */
mn_status mn__plot_size(mn_ctx *ctx, int req_w, int req_h, int def_w, int def_h, int *w, int *h);

void mn__set_rgb(cairo_t *cr, unsigned rgb);
void mn__set_rgba(cairo_t *cr, unsigned rgb, double alpha);
/* Viridis colour for t in [0, 1] as 0xRRGGBB. */
unsigned mn__viridis(double t);

/* Text anchored at (x, y): ha 0 left, 0.5 centre, 1 right; va 0 top, 0.5 middle, 1 baseline.
 * Returns the text's width. */
double mn__text(cairo_t *cr, double x, double y, const char *s, double size, int bold, double ha,
                double va, unsigned rgb);
/* The same with a white halo so it stays readable over lines. */
double mn__text_halo(cairo_t *cr, double x, double y, const char *s, double size, int bold,
                     double ha, double va, unsigned rgb);
/* Text rotated by -90° (reading upwards), centred on (x, y). */
void mn__text_vertical(cairo_t *cr, double x, double y, const char *s, double size, unsigned rgb);
double mn__text_width(cairo_t *cr, const char *s, double size, int bold);

/* A linear axis with "nice" ticks (Heckbert, Graphics Gems 1990: steps 1, 2, 2.5, 5 × 10^k). */
typedef struct {
    double lo, hi; /* extended to whole steps */
    double step;
    int decimals; /* for tick labels */
} mn__axis;

/* Chooses ticks for [lo, hi] with about @p target intervals; widens a degenerate range. */
void mn__axis_nice(mn__axis *ax, double lo, double hi, int target);
/* Formats a tick value (no "-0"). */
void mn__axis_label(const mn__axis *ax, double v, char *buf, size_t n);

/* Plot area in pixels and the mapping from data to pixels. */
typedef struct {
    double left, top, width, height;
    mn__axis x, y;
    int y_down; /* 1: y grows downwards on screen (depth) */
} mn__frame;

double mn__px(const mn__frame *f, double x);
double mn__py(const mn__frame *f, double y);

/* Grid lines, axes, tick labels, axis labels, title and footnote in the house look. */
void mn__draw_frame(cairo_t *cr, const mn__frame *f, int width, int height, const char *title,
                    const char *x_label, const char *y_label, const char *footnote, int grid_x);

/* Bridges a cairo stream to an mn_writer; the closure is the canvas. */
cairo_status_t mn__cairo_write(void *closure, const unsigned char *data, unsigned int length);

/* Writes a finished sidecar buffer (or nothing when @p write is NULL). */
mn_status mn__sidecar_flush(mn_ctx *ctx, const mn__buf *b, mn_writer write, void *userdata);

/* Shared body of the *_save functions: renders to @p path atomically and the sidecar to
 * @p data_path, removing both on any failure. */
typedef mn_status (*mn__render_fn)(mn_ctx *ctx, const void *fig, mn_plot_format format,
                                   mn_writer write, void *userdata, mn_writer data_write,
                                   void *data_userdata);
mn_status mn__plot_save(mn_ctx *ctx, mn__render_fn render, const void *fig, const char *path,
                        const char *data_path);

/* Standard base64 (RFC 4648) of @p len bytes appended to @p b. */
void mn__base64_append(mn__buf *b, const unsigned char *data, size_t len);

/* The projection figure of a plan, with the arrays it borrows (plot_plan.c). */
typedef struct {
    mn_plot_chart chart;
    double *day, *improvement, *low, *high;
    mn_plot_marker *marks;
    char (*mark_text)[16];
    mn_plot_note notes[2];
    char note_text[2][64];
    int peak_index;     /* sample with the highest improvement, -1 if none */
    int baseline_index; /* first sample after the peak at or below 0 %, -1 if none */
    mn_date origin;     /* the date of day 0 */
    /* Every other projected zone's own curve (series 1...), on the plan's time axis. */
    double *zone_day, *zone_improvement;
    char series_text[MN_PLOT_MAX_SERIES][160];
    char footnote[512];
} mn__plan_figure;

mn_status mn__plan_figure_build(mn_ctx *ctx, const mn_plan *plan, mn__plan_figure *fig);
void mn__plan_figure_release(mn__plan_figure *fig);
/* The date day 0 of the projection refers to: the first session, else the clinic start. */
mn_date mn__plan_origin(const mn_plan *plan);
/* The face (and, when a body zone is treated, body) diagram (plan_diagram.c) with each zone's
 * number and starting depth, as a complete SVG document; each dot carries data-zone,
 * data-depth-start-mm and data-depth-max-mm. @p titled: with a title line on top. */
void mn__plan_diagram_svg(mn__buf *b, const mn_plan *plan, int titled);

#endif
