/*
 * Figures on cairo: the canvas, the house look, nice axes, and line charts with shaded bands,
 * vertical markers and labelled points. Heat maps are in plot_map.c, distributions in
 * plot_dist.c.
 *
 * Palette: Okabe & Ito (2008), "Color Universal Design", the eight colours chosen to stay
 * distinct under protanopia, deuteranopia and tritanopia (reproduced in Wong, Nat Methods
 * 2011;8:441). Yellow (#F0E442) is left out because it is unreadable as a thin line on white.
 * Ticks: Heckbert, "Nice numbers for graph labels", Graphics Gems (1990).
 */
#include <cairo-svg.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report/plot_internal.h"

static const unsigned okabe_ito[MN_PLOT_PALETTE_SIZE] = {
    0x0072B2, /* blue */
    0xD55E00, /* vermillion */
    0x009E73, /* bluish green */
    0xCC79A7, /* reddish purple */
    0xE69F00, /* orange */
    0x56B4E9, /* sky blue */
    0x000000, /* black */
};

unsigned mn_plot_palette(int index)
{
    int i = index % MN_PLOT_PALETTE_SIZE;
    if (i < 0)
        i += MN_PLOT_PALETTE_SIZE;
    return okabe_ito[i];
}

/* Viridis at t = 0, 1/8, …, 1 (matplotlib's _viridis_data sampled at nine points). */
static const unsigned viridis9[9] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                                     0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};

unsigned mn__viridis(double t)
{
    if (!(t > 0.0))
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    double s = t * 8.0;
    int i = (int)floor(s);
    if (i >= 8)
        i = 7;
    double f = s - i;
    unsigned a = viridis9[i], b = viridis9[i + 1], out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (double)((a >> sh) & 0xffu), cb = (double)((b >> sh) & 0xffu);
        unsigned c = (unsigned)lround(ca + f * (cb - ca));
        out |= (c & 0xffu) << sh;
    }
    return out;
}

void mn_plot_global_cleanup(void)
{
    cairo_debug_reset_static_data();
    /* fontconfig is cairo's dependency, not ours: look FcFini up rather than link it. */
    void *self = dlopen(NULL, RTLD_NOW);
    if (!self)
        return;
    void *sym = dlsym(self, "FcFini");
    if (sym) {
        void (*fini)(void);
        memcpy(&fini, &sym, sizeof fini);
        fini();
    }
    dlclose(self);
}

mn_status mn_plot_format_from_path(mn_ctx *ctx, const char *path, mn_plot_format *out)
{
    if (!path || !out)
        return mn__error(ctx, MN_EINVAL, "plot: no file name");
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".png") == 0) {
        *out = MN_PLOT_PNG;
        return MN_OK;
    }
    if (dot && strcasecmp(dot, ".svg") == 0) {
        *out = MN_PLOT_SVG;
        return MN_OK;
    }
    return mn__error(ctx, MN_EINVAL, "%s: a figure's file name must end in .png or .svg", path);
}

void mn__set_rgb(cairo_t *cr, unsigned rgb)
{
    mn__set_rgba(cr, rgb, 1.0);
}

void mn__set_rgba(cairo_t *cr, unsigned rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xffu) / 255.0, ((rgb >> 8) & 0xffu) / 255.0,
                          (rgb & 0xffu) / 255.0, alpha);
}

cairo_status_t mn__cairo_write(void *closure, const unsigned char *data, unsigned int length)
{
    mn__canvas *cv = closure;
    if (cv->write_failed)
        return CAIRO_STATUS_WRITE_ERROR;
    if (length && cv->write(cv->userdata, (const char *)data, length) != 0) {
        cv->write_failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

mn_status mn__plot_size(mn_ctx *ctx, int req_w, int req_h, int def_w, int def_h, int *w, int *h)
{
    *w = req_w ? req_w : def_w;
    *h = req_h ? req_h : def_h;
    if (*w < MN_PLOT_MIN_SIZE || *w > MN_PLOT_MAX_SIZE || *h < MN_PLOT_MIN_SIZE ||
        *h > MN_PLOT_MAX_SIZE)
        return mn__error(ctx, MN_ERANGE, "plot: size %d×%d px is outside %d–%d px", *w, *h,
                         MN_PLOT_MIN_SIZE, MN_PLOT_MAX_SIZE);
    return MN_OK;
}

mn_status mn__canvas_open(mn__canvas *cv, mn_ctx *ctx, mn_plot_format format, int width, int height,
                          mn_writer write, void *userdata)
{
    memset(cv, 0, sizeof *cv);
    cv->ctx = ctx;
    cv->format = format;
    cv->width = width;
    cv->height = height;
    cv->write = write;
    cv->userdata = userdata;
    if (format == MN_PLOT_PNG) {
        cv->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    } else if (format == MN_PLOT_SVG) {
        cv->surface = cairo_svg_surface_create_for_stream(mn__cairo_write, cv, width, height);
        if (cairo_surface_status(cv->surface) == CAIRO_STATUS_SUCCESS)
            cairo_svg_surface_set_document_unit(cv->surface, CAIRO_SVG_UNIT_PX);
    } else {
        return mn__error(ctx, MN_EINVAL, "plot: unknown format %d", (int)format);
    }
    if (cairo_surface_status(cv->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(cv->surface);
        cv->surface = NULL;
        return mn__error(ctx, MN_ENOMEM, "plot: cannot create a %d×%d surface", width, height);
    }
    cv->cr = cairo_create(cv->surface);
    if (cairo_status(cv->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cv->cr);
        cairo_surface_destroy(cv->surface);
        cv->cr = NULL;
        cv->surface = NULL;
        return mn__error(ctx, MN_ENOMEM, "plot: cannot create a drawing context");
    }
    mn__set_rgb(cv->cr, 0xffffff);
    cairo_paint(cv->cr);
    cairo_set_line_join(cv->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cv->cr, CAIRO_LINE_CAP_ROUND);
    return MN_OK;
}

mn_status mn__canvas_close(mn__canvas *cv, mn_status st)
{
    if (!cv->surface)
        return st;
    cairo_status_t cs = cairo_status(cv->cr);
    cairo_destroy(cv->cr);
    cv->cr = NULL;
    if (st == MN_OK && cs != CAIRO_STATUS_SUCCESS)
        st = mn__error(cv->ctx, MN_ENOMEM, "plot: drawing failed: %s", cairo_status_to_string(cs));
    if (st == MN_OK && cv->format == MN_PLOT_PNG) {
        cairo_surface_flush(cv->surface);
        cs = cairo_surface_write_to_png_stream(cv->surface, mn__cairo_write, cv);
        if (cs != CAIRO_STATUS_SUCCESS)
            st = cv->write_failed ? mn__error(cv->ctx, MN_EIO, "plot: cannot write the PNG")
                                  : mn__error(cv->ctx, MN_ENOMEM, "plot: PNG encoding failed: %s",
                                              cairo_status_to_string(cs));
    }
    if (cv->format == MN_PLOT_SVG)
        cairo_surface_finish(cv->surface); /* streams the document out */
    cs = cairo_surface_status(cv->surface);
    if (st == MN_OK && (cv->write_failed || cs != CAIRO_STATUS_SUCCESS))
        st = mn__error(cv->ctx, cv->write_failed ? MN_EIO : MN_ENOMEM, "plot: cannot write the %s",
                       cv->format == MN_PLOT_SVG ? "SVG" : "PNG");
    cairo_surface_destroy(cv->surface);
    cv->surface = NULL;
    return st;
}

double mn__text_width(cairo_t *cr, const char *s, double size, int bold)
{
    cairo_text_extents_t te;
    cairo_select_font_face(cr, MN__FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

static void place_text(cairo_t *cr, double x, double y, const char *s, double size, int bold,
                       double ha, double va, double *ox, double *oy, double *w)
{
    cairo_font_extents_t fe;
    *w = mn__text_width(cr, s, size, bold);
    cairo_font_extents(cr, &fe);
    *ox = x - ha * *w;
    /* va 0: top of capitals at y; 0.5: middle of capitals; 1: baseline. */
    double cap = fe.ascent * 0.75;
    *oy = y + (1.0 - va) * cap;
}

double mn__text(cairo_t *cr, double x, double y, const char *s, double size, int bold, double ha,
                double va, unsigned rgb)
{
    double ox, oy, w;
    if (!s || !s[0])
        return 0.0;
    place_text(cr, x, y, s, size, bold, ha, va, &ox, &oy, &w);
    mn__set_rgb(cr, rgb);
    cairo_move_to(cr, ox, oy);
    cairo_show_text(cr, s);
    return w;
}

double mn__text_halo(cairo_t *cr, double x, double y, const char *s, double size, int bold,
                     double ha, double va, unsigned rgb)
{
    double ox, oy, w;
    if (!s || !s[0])
        return 0.0;
    place_text(cr, x, y, s, size, bold, ha, va, &ox, &oy, &w);
    cairo_save(cr);
    cairo_move_to(cr, ox, oy);
    cairo_text_path(cr, s);
    mn__set_rgb(cr, 0xffffff);
    cairo_set_line_width(cr, 4.0);
    cairo_stroke(cr);
    cairo_restore(cr);
    mn__set_rgb(cr, rgb);
    cairo_move_to(cr, ox, oy);
    cairo_show_text(cr, s);
    return w;
}

void mn__text_vertical(cairo_t *cr, double x, double y, const char *s, double size, unsigned rgb)
{
    if (!s || !s[0])
        return;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -MN__PI / 2.0);
    mn__text(cr, 0.0, 0.0, s, size, 0, 0.5, 0.5, rgb);
    cairo_restore(cr);
}

void mn__axis_nice(mn__axis *ax, double lo, double hi, int target)
{
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
    double rough = (hi - lo) / (target > 0 ? target : 5);
    double mag = pow(10.0, floor(log10(rough)));
    double norm = rough / mag, nice;
    int extra = 0;
    if (norm <= 1.0)
        nice = 1.0;
    else if (norm <= 2.0)
        nice = 2.0;
    else if (norm <= 2.5) {
        nice = 2.5;
        extra = 1;
    } else if (norm <= 5.0)
        nice = 5.0;
    else
        nice = 10.0;
    ax->step = nice * mag;
    /* A small tolerance keeps a value that is a whole step (within rounding) from adding one. */
    ax->lo = floor(lo / ax->step + 1e-9) * ax->step;
    /* Nor does a range that dips below zero by less than half a percent of a step (judgement:
     * about a quarter of a pixel at the default size, where a step is some 55 px) add one below
     * zero: a plan's or a simulation's day 0 is read 12 hours after its session, when half a
     * day of ageing leaves the improvement a few thousandths of a percent below zero
     * (docs/models/healing.md, section 2), and a whole empty step of negative improvement
     * would show what no reader could see in the curve. */
    if (lo < 0 && lo > -0.005 * ax->step && ax->lo < 0)
        ax->lo = 0;
    ax->hi = ceil(hi / ax->step - 1e-9) * ax->step;
    int d = -(int)floor(log10(ax->step) + 1e-9) + extra;
    ax->decimals = d > 0 ? d : 0;
}

void mn__axis_label(const mn__axis *ax, double v, char *buf, size_t n)
{
    if (fabs(v) < ax->step * 1e-6)
        v = 0.0;
    snprintf(buf, n, "%.*f", ax->decimals, v);
}

double mn__px(const mn__frame *f, double x)
{
    return f->left + (x - f->x.lo) / (f->x.hi - f->x.lo) * f->width;
}

double mn__py(const mn__frame *f, double y)
{
    double t = (y - f->y.lo) / (f->y.hi - f->y.lo);
    return f->y_down ? f->top + t * f->height : f->top + f->height - t * f->height;
}

void mn__draw_frame(cairo_t *cr, const mn__frame *f, int width, int height, const char *title,
                    const char *x_label, const char *y_label, const char *footnote, int grid_x)
{
    char buf[64];
    double bottom = f->top + f->height, right = f->left + f->width;
    cairo_save(cr);
    cairo_set_line_width(cr, 1.0);
    /* Grid and tick labels. */
    int ny = (int)lround((f->y.hi - f->y.lo) / f->y.step);
    for (int i = 0; i <= ny && ny <= 100; i++) {
        double v = f->y.lo + i * f->y.step, py = floor(mn__py(f, v)) + 0.5;
        mn__set_rgb(cr, MN__GRID_GREY);
        cairo_move_to(cr, f->left, py);
        cairo_line_to(cr, right, py);
        cairo_stroke(cr);
        mn__axis_label(&f->y, v, buf, sizeof buf);
        mn__text(cr, f->left - 8.0, py, buf, MN__TICK_PT, 0, 1.0, 0.5, MN__TEXT_GREY);
    }
    int nx = (int)lround((f->x.hi - f->x.lo) / f->x.step);
    for (int i = 0; i <= nx && nx <= 100 && f->x.step <= f->x.hi - f->x.lo; i++) {
        double v = f->x.lo + i * f->x.step, px = floor(mn__px(f, v)) + 0.5;
        if (grid_x) {
            mn__set_rgb(cr, MN__GRID_GREY);
            cairo_move_to(cr, px, f->top);
            cairo_line_to(cr, px, bottom);
            cairo_stroke(cr);
        }
        mn__set_rgb(cr, MN__AXIS_GREY);
        cairo_move_to(cr, px, bottom);
        cairo_line_to(cr, px, bottom + 5.0);
        cairo_stroke(cr);
        mn__axis_label(&f->x, v, buf, sizeof buf);
        mn__text(cr, px, bottom + 9.0, buf, MN__TICK_PT, 0, 0.5, 0.0, MN__TEXT_GREY);
    }
    /* Axes: left and bottom lines only, the rest is left open. */
    mn__set_rgb(cr, MN__AXIS_GREY);
    cairo_move_to(cr, f->left + 0.5, f->top);
    cairo_line_to(cr, f->left + 0.5, bottom + 0.5);
    cairo_line_to(cr, right, bottom + 0.5);
    cairo_stroke(cr);
    mn__text(cr, f->left + f->width / 2.0, bottom + 34.0, x_label, MN__LABEL_PT, 0, 0.5, 0.0,
             MN__TEXT_GREY);
    mn__text_vertical(cr, 22.0, f->top + f->height / 2.0, y_label, MN__LABEL_PT, MN__TEXT_GREY);
    mn__text(cr, 16.0, 26.0, title, MN__TITLE_PT, 1, 0.0, 0.5, 0x000000);
    if (footnote)
        mn__text(cr, 16.0, height - 12.0, footnote, MN__SMALL_PT, 0, 0.0, 1.0, 0x555555);
    (void)width;
    cairo_restore(cr);
}

mn_status mn__sidecar_flush(mn_ctx *ctx, const mn__buf *b, mn_writer write, void *userdata)
{
    if (!write)
        return MN_OK;
    if (mn__buf_status(b))
        return mn__error(ctx, MN_ENOMEM, "plot: out of memory building the data sidecar");
    if (b->len && write(userdata, b->data, b->len) != 0)
        return mn__error(ctx, MN_EIO, "plot: cannot write the data sidecar");
    return MN_OK;
}

mn_status mn__plot_save(mn_ctx *ctx, mn__render_fn render, const void *fig, const char *path,
                        const char *data_path)
{
    mn_plot_format format = MN_PLOT_PNG;
    mn_status st = mn_plot_format_from_path(ctx, path, &format);
    if (st)
        return st;
    mn_outfile *img = NULL, *data = NULL;
    if ((st = mn_outfile_open(ctx, path, &img)))
        return st;
    if (data_path && (st = mn_outfile_open(ctx, data_path, &data))) {
        mn_outfile_abort(img);
        return st;
    }
    st = render(ctx, fig, format, mn_outfile_writer, img, data ? mn_outfile_writer : NULL, data);
    if (st) {
        st = mn_outfile_fail(ctx, data, st); /* a failed write names its file and reason */
        return mn_outfile_fail(ctx, img, st);
    }
    if (data && (st = mn_outfile_commit(ctx, data))) {
        mn_outfile_abort(img);
        return st;
    }
    return mn_outfile_commit(ctx, img);
}

void mn__base64_append(mn__buf *b, const unsigned char *data, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[4];
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        quad[0] = tab[(v >> 18) & 63u];
        quad[1] = tab[(v >> 12) & 63u];
        quad[2] = i + 1 < len ? tab[(v >> 6) & 63u] : '=';
        quad[3] = i + 2 < len ? tab[v & 63u] : '=';
        mn__buf_append(b, quad, 4);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Line charts                                                                              */

void mn_plot_chart_init(mn_plot_chart *chart)
{
    if (!chart)
        return;
    memset(chart, 0, sizeof *chart);
    chart->width_px = MN_PLOT_DEFAULT_WIDTH;
    chart->height_px = MN_PLOT_DEFAULT_HEIGHT;
    for (int i = 0; i < MN_PLOT_MAX_SERIES; i++)
        chart->series[i].colour = -1;
}

void mn__improvement_chart_init(mn_plot_chart *chart, const char *title, const char *footnote)
{
    mn_plot_chart_init(chart);
    chart->title = title;
    chart->x_label = "days since the first session";
    chart->y_label = "improvement (% of baseline severity)";
    chart->footnote = footnote;
    chart->y_zero_line = 1;
}

static void widen(double v, double *lo, double *hi)
{
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

static mn_status chart_check(mn_ctx *ctx, const mn_plot_chart *c, double *xlo, double *xhi,
                             double *ylo, double *yhi)
{
    if (c->n_series < 0 || c->n_series > MN_PLOT_MAX_SERIES)
        return mn__error(ctx, MN_ERANGE, "plot: %d series (at most %d)", c->n_series,
                         MN_PLOT_MAX_SERIES);
    if (c->n_markers < 0 || (c->n_markers > 0 && !c->markers) || c->n_notes < 0 ||
        (c->n_notes > 0 && !c->notes))
        return mn__error(ctx, MN_EINVAL, "plot: markers or notes given without their array");
    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    for (int s = 0; s < c->n_series; s++) {
        const mn_plot_series *se = &c->series[s];
        if (se->n < 0 || (se->n > 0 && (!se->x || !se->y)))
            return mn__error(ctx, MN_EINVAL, "plot: series %d has no data arrays", s);
        if ((se->y_low == NULL) != (se->y_high == NULL))
            return mn__error(ctx, MN_EINVAL, "plot: series %d has a band with only one edge", s);
        for (int i = 0; i < se->n; i++) {
            if (!mn__finite(se->x[i]) || !mn__finite(se->y[i]) ||
                (se->y_low && (!mn__finite(se->y_low[i]) || !mn__finite(se->y_high[i]))))
                return mn__error(ctx, MN_ENUMERIC, "plot: series %d point %d is not finite", s, i);
            widen(se->x[i], xlo, xhi);
            widen(se->y[i], ylo, yhi);
            if (se->y_low) {
                widen(se->y_low[i], ylo, yhi);
                widen(se->y_high[i], ylo, yhi);
            }
        }
    }
    for (int i = 0; i < c->n_markers; i++) {
        if (!mn__finite(c->markers[i].x))
            return mn__error(ctx, MN_ENUMERIC, "plot: marker %d is not finite", i);
        widen(c->markers[i].x, xlo, xhi);
    }
    for (int i = 0; i < c->n_notes; i++) {
        if (!mn__finite(c->notes[i].x) || !mn__finite(c->notes[i].y))
            return mn__error(ctx, MN_ENUMERIC, "plot: note %d is not finite", i);
        widen(c->notes[i].x, xlo, xhi);
        widen(c->notes[i].y, ylo, yhi);
    }
    if (c->x_min != c->x_max) {
        if (!(c->x_max > c->x_min) || !mn__finite(c->x_min) || !mn__finite(c->x_max))
            return mn__error(ctx, MN_ERANGE, "plot: x range [%g, %g] is empty", c->x_min, c->x_max);
        *xlo = c->x_min;
        *xhi = c->x_max;
    }
    if (c->y_min != c->y_max) {
        if (!(c->y_max > c->y_min) || !mn__finite(c->y_min) || !mn__finite(c->y_max))
            return mn__error(ctx, MN_ERANGE, "plot: y range [%g, %g] is empty", c->y_min, c->y_max);
        *ylo = c->y_min;
        *yhi = c->y_max;
    }
    if (!(*xhi >= *xlo) || !(*yhi >= *ylo))
        return mn__error(ctx, MN_ERANGE, "plot: nothing to draw (no finite point)");
    return MN_OK;
}

static void set_dash(cairo_t *cr, mn_line_style style)
{
    static const double dashed[] = {9.0, 6.0}, dotted[] = {0.1, 5.0};
    if (style == MN_LINE_DASHED)
        cairo_set_dash(cr, dashed, 2, 0.0);
    else if (style == MN_LINE_DOTTED)
        cairo_set_dash(cr, dotted, 2, 0.0);
    else
        cairo_set_dash(cr, NULL, 0, 0.0);
}

/* Legend rows under the title: a short line sample and the label for each labelled series.
 * Returns how many rows it takes; with @p draw 0 it only measures them. */
static int draw_legend(cairo_t *cr, const mn_plot_chart *c, double x0, double y, double right,
                       int draw)
{
    double x = x0;
    int rows = 0;
    for (int s = 0; s < c->n_series; s++) {
        const mn_plot_series *se = &c->series[s];
        if (!se->label || !se->label[0])
            continue;
        double w = mn__text_width(cr, se->label, MN__SMALL_PT, 0) + 44.0;
        if (x + w > right && x > x0) {
            x = x0;
            y += MN__LEGEND_ROW;
            rows++;
        }
        rows += rows == 0;
        if (!draw) {
            x += w + 10.0;
            continue;
        }
        unsigned col = mn_plot_palette(se->colour >= 0 ? se->colour : s);
        if (se->y_low) {
            mn__set_rgba(cr, col, 0.2);
            cairo_rectangle(cr, x, y - 7.0, 28.0, 14.0);
            cairo_fill(cr);
        }
        mn__set_rgb(cr, col);
        cairo_set_line_width(cr, MN__LINE_W);
        if (se->style != MN_LINE_POINTS) {
            set_dash(cr, se->style);
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + 28.0, y);
            cairo_stroke(cr);
            set_dash(cr, MN_LINE_SOLID);
        }
        if (se->style == MN_LINE_POINTS || se->style == MN_LINE_SOLID_POINTS) {
            cairo_arc(cr, x + 14.0, y, 4.0, 0.0, 2.0 * MN__PI);
            cairo_fill(cr);
        }
        mn__text(cr, x + 34.0, y, se->label, MN__SMALL_PT, 0, 0.0, 0.5, MN__TEXT_GREY);
        x += w + 10.0;
    }
    return rows;
}

static mn_status chart_render(mn_ctx *ctx, const void *fig, mn_plot_format format, mn_writer write,
                              void *userdata, mn_writer data_write, void *data_userdata)
{
    const mn_plot_chart *c = fig;
    mn__canvas cv;
    mn__buf side;
    mn__frame f;
    int w, h;
    double xlo = 0.0, xhi = 0.0, ylo = 0.0, yhi = 0.0;
    mn_status st;
    if (!c || !write)
        return mn__error(ctx, MN_EINVAL, "plot: no chart or no writer");
    if ((st = mn__plot_size(ctx, c->width_px, c->height_px, MN_PLOT_DEFAULT_WIDTH,
                            MN_PLOT_DEFAULT_HEIGHT, &w, &h)))
        return st;
    if ((st = chart_check(ctx, c, &xlo, &xhi, &ylo, &yhi)))
        return st;
    memset(&f, 0, sizeof f);
    /* Automatic ranges widen to whole ticks; an explicit range is kept exactly. */
    mn__axis_nice(&f.x, xlo, xhi, 8);
    if (c->x_min != c->x_max) {
        f.x.lo = xlo;
        f.x.hi = xhi;
    }
    mn__axis_nice(&f.y, ylo, yhi, 6);
    if (c->y_min != c->y_max) {
        f.y.lo = ylo;
        f.y.hi = yhi;
    }
    f.left = MN__MARGIN_LEFT;
    f.top = MN__MARGIN_TOP;
    f.width = w - MN__MARGIN_LEFT - MN__MARGIN_RIGHT;
    f.height = h - MN__MARGIN_TOP - MN__MARGIN_BOTTOM - (c->footnote ? MN__FOOTNOTE_EXTRA : 0.0);

    mn__buf_init(&side);
    if ((st = mn__canvas_open(&cv, ctx, format, w, h, write, userdata)))
        return st;
    cairo_t *cr = cv.cr;
    /* The top margin holds two legend rows; a longer legend moves the plot down. */
    int rows = draw_legend(cr, c, 16.0, 52.0, (double)w - MN__MARGIN_RIGHT, 0);
    if (rows > 2) {
        double more = (rows - 2) * MN__LEGEND_ROW;
        if (more > f.height / 2)
            more = f.height / 2;
        f.top += more;
        f.height -= more;
    }
    mn__draw_frame(cr, &f, w, h, c->title, c->x_label, c->y_label, c->footnote, 0);
    mn__buf_printf(&side, "kind,series,index,x,y,px,py\n");

    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top - 2.0, f.width + 2.0, f.height + 4.0);
    cairo_clip(cr);
    if (c->y_zero_line && f.y.lo < 0.0 && f.y.hi > 0.0) {
        mn__set_rgb(cr, 0x888888);
        cairo_set_line_width(cr, 1.0);
        cairo_move_to(cr, f.left, floor(mn__py(&f, 0.0)) + 0.5);
        cairo_line_to(cr, f.left + f.width, floor(mn__py(&f, 0.0)) + 0.5);
        cairo_stroke(cr);
    }
    /* Markers behind the data. */
    double last_label_px = -1e9;
    for (int i = 0; i < c->n_markers; i++) {
        const mn_plot_marker *m = &c->markers[i];
        double px = floor(mn__px(&f, m->x)) + 0.5;
        unsigned col = m->kind == MN_MARK_MAINTENANCE ? 0x000000u : 0x777777u;
        mn__set_rgb(cr, col);
        cairo_set_line_width(cr, m->kind == MN_MARK_MAINTENANCE ? 1.5 : 1.0);
        set_dash(cr, m->kind == MN_MARK_SESSION ? MN_LINE_SOLID : MN_LINE_DASHED);
        cairo_move_to(cr, px, f.top + 16.0);
        cairo_line_to(cr, px, f.top + f.height);
        cairo_stroke(cr);
        set_dash(cr, MN_LINE_SOLID);
        if (m->label && m->label[0] && px - last_label_px >= 18.0) {
            /* Left-aligned at the left edge, where a centred label would be clipped. */
            mn__text(cr, px, f.top + 2.0, m->label, MN__SMALL_PT, 0, px < f.left + 8.0 ? 0.0 : 0.5,
                     0.0, col);
            last_label_px = px;
        }
        mn__buf_printf(&side, "marker,,%d,%.17g,,%.3f,\n", i, m->x, px);
    }
    /* Bands first, so every line is drawn over every band. */
    for (int s = 0; s < c->n_series; s++) {
        const mn_plot_series *se = &c->series[s];
        if (!se->y_low || se->n < 1)
            continue;
        unsigned col = mn_plot_palette(se->colour >= 0 ? se->colour : s);
        mn__set_rgba(cr, col, 0.18);
        cairo_move_to(cr, mn__px(&f, se->x[0]), mn__py(&f, se->y_high[0]));
        for (int i = 1; i < se->n; i++)
            cairo_line_to(cr, mn__px(&f, se->x[i]), mn__py(&f, se->y_high[i]));
        for (int i = se->n - 1; i >= 0; i--)
            cairo_line_to(cr, mn__px(&f, se->x[i]), mn__py(&f, se->y_low[i]));
        cairo_close_path(cr);
        cairo_fill(cr);
        for (int i = 0; i < se->n; i++) {
            mn__buf_printf(&side, "band_low,%d,%d,%.17g,%.17g,%.3f,%.3f\n", s, i, se->x[i],
                           se->y_low[i], mn__px(&f, se->x[i]), mn__py(&f, se->y_low[i]));
            mn__buf_printf(&side, "band_high,%d,%d,%.17g,%.17g,%.3f,%.3f\n", s, i, se->x[i],
                           se->y_high[i], mn__px(&f, se->x[i]), mn__py(&f, se->y_high[i]));
        }
    }
    for (int s = 0; s < c->n_series; s++) {
        const mn_plot_series *se = &c->series[s];
        unsigned col = mn_plot_palette(se->colour >= 0 ? se->colour : s);
        mn__set_rgb(cr, col);
        cairo_set_line_width(cr, MN__LINE_W);
        if (se->style != MN_LINE_POINTS && se->n > 0) {
            set_dash(cr, se->style);
            cairo_move_to(cr, mn__px(&f, se->x[0]), mn__py(&f, se->y[0]));
            for (int i = 1; i < se->n; i++)
                cairo_line_to(cr, mn__px(&f, se->x[i]), mn__py(&f, se->y[i]));
            cairo_stroke(cr);
            set_dash(cr, MN_LINE_SOLID);
        }
        for (int i = 0; i < se->n; i++) {
            double px = mn__px(&f, se->x[i]), py = mn__py(&f, se->y[i]);
            if (se->style == MN_LINE_POINTS || se->style == MN_LINE_SOLID_POINTS) {
                cairo_new_path(cr);
                cairo_arc(cr, px, py, 4.0, 0.0, 2.0 * MN__PI);
                cairo_fill(cr);
            }
            mn__buf_printf(&side, "line,%d,%d,%.17g,%.17g,%.3f,%.3f\n", s, i, se->x[i], se->y[i],
                           px, py);
        }
    }
    cairo_restore(cr);
    /* Notes over everything, allowed to spill out of the plot area. */
    for (int i = 0; i < c->n_notes; i++) {
        const mn_plot_note *n = &c->notes[i];
        double px = mn__px(&f, n->x), py = mn__py(&f, n->y);
        cairo_new_path(cr);
        mn__set_rgb(cr, 0x000000);
        cairo_set_line_width(cr, 2.0);
        cairo_arc(cr, px, py, 7.0, 0.0, 2.0 * MN__PI);
        cairo_stroke(cr);
        if (n->text && n->text[0]) {
            double tw = mn__text_width(cr, n->text, MN__SMALL_PT, 1);
            int left = px + 14.0 + tw > f.left + f.width;
            double tx = left ? px - 12.0 : px + 12.0, ty = py - 22.0;
            if (ty < f.top + 14.0)
                ty = py + 22.0;
            cairo_set_line_width(cr, 1.0);
            cairo_move_to(cr, px + (left ? -5.0 : 5.0), py + (ty < py ? -5.0 : 5.0));
            cairo_line_to(cr, tx, ty);
            cairo_stroke(cr);
            mn__text_halo(cr, tx, ty, n->text, MN__SMALL_PT, 1, left ? 1.0 : 0.0, 0.5, 0x000000);
        }
        mn__buf_printf(&side, "note,,%d,%.17g,%.17g,%.3f,%.3f\n", i, n->x, n->y, px, py);
    }
    draw_legend(cr, c, 16.0, 52.0, (double)w - MN__MARGIN_RIGHT, 1);

    st = mn__canvas_close(&cv, MN_OK);
    if (st == MN_OK)
        st = mn__sidecar_flush(ctx, &side, data_write, data_userdata);
    mn__buf_release(&side);
    return st;
}

mn_status mn_plot_chart_render(mn_ctx *ctx, const mn_plot_chart *chart, mn_plot_format format,
                               mn_writer write, void *userdata, mn_writer data_write,
                               void *data_userdata)
{
    return chart_render(ctx, chart, format, write, userdata, data_write, data_userdata);
}

mn_status mn_plot_chart_save(mn_ctx *ctx, const mn_plot_chart *chart, const char *path,
                             const char *data_path)
{
    if (!chart)
        return mn__error(ctx, MN_EINVAL, "plot: no chart");
    return mn__plot_save(ctx, chart_render, chart, path, data_path);
}
