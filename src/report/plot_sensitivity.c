/*
 * The figure of `mneedle sensitivity --plot`: for each output a panel of paired bars, first
 * order S1 and total ST for every input, with their bootstrap intervals as whiskers, on one
 * index axis shared by the panels so they compare at a glance. House look of plot.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/plot_internal.h"

#define PANEL_HEAD   30.0  /* the output's name above its plot area */
#define PANEL_PLOT   190.0 /* plot area height with few outputs */
#define PANEL_MIN    100.0
#define PANEL_LABELS 100.0        /* input names under the bars, slanted */
#define LABEL_SLANT  (MN__PI / 5) /* 36 degrees */

static mn_status sens_render(mn_ctx *ctx, const void *fig, mn_plot_format format, mn_writer write,
                             void *userdata, mn_writer data_write, void *data_userdata)
{
    const mn_sens_result *r = fig;
    (void)data_write;
    (void)data_userdata;
    int k = r->n_inputs, m = r->n_outputs;
    double lo = 0, hi = 0.1; /* the axis always shows 0, and at least 0.1 */
    for (int i = 0; i < k * m; i++) {
        const mn_sobol_index *x = &r->sobol.index[i];
        lo = fmin(lo, fmin(x->first_order_lo, x->total_lo));
        hi = fmax(hi, fmax(x->first_order_hi, x->total_hi));
    }
    if (!mn__finite(lo) || !mn__finite(hi))
        return mn__error(ctx, MN_ENUMERIC, "plot: a sensitivity index is not finite");
    int w = MN_PLOT_DEFAULT_WIDTH;
    double top_extra = MN__MARGIN_TOP - 20.0, foot = MN__FOOTNOTE_EXTRA + 10.0;
    double plot_h = PANEL_PLOT;
    double fixed = top_extra + foot + m * (PANEL_HEAD + PANEL_LABELS);
    if (fixed + m * plot_h > MN_PLOT_MAX_SIZE)
        plot_h = fmax(PANEL_MIN, (MN_PLOT_MAX_SIZE - fixed) / m);
    int h = (int)ceil(fixed + m * plot_h);
    if (h > MN_PLOT_MAX_SIZE)
        return mn__error(ctx, MN_ELIMIT, "plot: %d outputs do not fit one figure", m);
    mn__canvas cv;
    mn_status st = mn__canvas_open(&cv, ctx, format, w, h, write, userdata);
    if (st)
        return st;
    cairo_t *cr = cv.cr;
    unsigned c_first = mn_plot_palette(0), c_total = mn_plot_palette(1);
    char note[160];
    snprintf(note, sizeof note,
             "bars: Sobol' indices (N = %ld, %ld runs) · whiskers: %g %% bootstrap interval",
             r->sobol.n_base, r->sobol.evaluations, 100 * r->sobol.confidence);
    for (int o = 0; o < m; o++) {
        mn__frame f;
        memset(&f, 0, sizeof f);
        f.left = MN__MARGIN_LEFT;
        f.width = w - MN__MARGIN_LEFT - MN__MARGIN_RIGHT;
        f.top = top_extra + o * (PANEL_HEAD + plot_h + PANEL_LABELS) + PANEL_HEAD;
        f.height = plot_h;
        mn__axis_nice(&f.y, lo, hi, plot_h < 150 ? 3 : 5);
        f.x.lo = -0.5;
        f.x.hi = k - 0.5;
        f.x.step = 1e9; /* no numeric x ticks: the inputs are named under their bars */
        mn__draw_frame(cr, &f, w, h, o == 0 ? "Which inputs move each output" : "", "",
                       "Sobol' index", o == m - 1 ? note : NULL, 0);
        char head[96];
        snprintf(head, sizeof head, "%s (%s)", r->output_names[o], r->output_units[o]);
        mn__text(cr, f.left, f.top - PANEL_HEAD / 2, head, MN__LABEL_PT, 1, 0.0, 0.5, 0x000000);
        if (!(r->sobol.variance[o] > 0))
            mn__text(cr, f.left + f.width - 4, f.top - PANEL_HEAD / 2,
                     "the output does not vary: every index is 0", MN__SMALL_PT, 0, 1.0, 0.5,
                     0x555555);
        double slot = f.width / k, bw = fmin(28.0, 0.32 * slot);
        double y0 = mn__py(&f, 0.0);
        for (int i = 0; i < k; i++) {
            const mn_sobol_index *x = &r->sobol.index[o * k + i];
            double cx = mn__px(&f, (double)i);
            const double val[2] = {x->first_order, x->total};
            const double elo[2] = {x->first_order_lo, x->total_lo};
            const double ehi[2] = {x->first_order_hi, x->total_hi};
            for (int b = 0; b < 2; b++) {
                double bx = cx + (b ? 0.5 : -0.5) * bw - bw / 2, py = mn__py(&f, val[b]);
                unsigned col = b ? c_total : c_first;
                cairo_rectangle(cr, bx, fmin(py, y0), bw, fabs(y0 - py));
                mn__set_rgba(cr, col, 0.85);
                cairo_fill(cr);
                /* The interval. */
                double wx = bx + bw / 2, wl = mn__py(&f, elo[b]), wh = mn__py(&f, ehi[b]);
                mn__set_rgb(cr, 0x222222);
                cairo_set_line_width(cr, 1.5);
                cairo_move_to(cr, wx, wl);
                cairo_line_to(cr, wx, wh);
                cairo_move_to(cr, wx - bw / 4, wl);
                cairo_line_to(cr, wx + bw / 4, wl);
                cairo_move_to(cr, wx - bw / 4, wh);
                cairo_line_to(cr, wx + bw / 4, wh);
                cairo_stroke(cr);
            }
            cairo_save(cr);
            cairo_translate(cr, cx, f.top + f.height + 10.0);
            cairo_rotate(cr, -LABEL_SLANT);
            mn__text(cr, 0, 0, r->input_names[i], MN__TICK_PT, 0, 1.0, 0.5, MN__TEXT_GREY);
            cairo_restore(cr);
        }
    }
    /* Legend row. */
    double lx = 16.0;
    const char *names[2] = {"S1 first order (alone)", "ST total (with interactions)"};
    for (int b = 0; b < 2; b++) {
        mn__set_rgba(cr, b ? c_total : c_first, 0.85);
        cairo_rectangle(cr, lx, 45.0, 22.0, 14.0);
        cairo_fill(cr);
        lx += 28.0 +
              mn__text(cr, lx + 28.0, 52.0, names[b], MN__SMALL_PT, 0, 0.0, 0.5, MN__TEXT_GREY) +
              14.0;
    }
    return mn__canvas_close(&cv, MN_OK);
}

mn_status mn_sens_plot_save(mn_ctx *ctx, const mn_sens_result *res, const char *path)
{
    if (!res || !path || !res->sobol.index || res->n_inputs < 1 || res->n_outputs < 1)
        return mn__error(ctx, MN_EINVAL, "plot: no sensitivity result");
    return mn__plot_save(ctx, sens_render, res, path, NULL);
}
