/*
 * Heat maps of a regular grid: a puncture field seen from above, a slice of a concentration
 * field. Cells are painted with the viridis map (perceptually uniform and readable with every
 * common colour-vision deficiency; van der Walt & Smith 2015) with nearest-neighbour sampling,
 * so each cell is one flat block and no value is invented between cells. Both axes use the
 * same scale (one micrometre is as long across as down), so shapes are not distorted.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "report/plot_internal.h"

#define MN__MAX_CELLS 4000000L
#define MN__BAR_W     18.0
#define MN__BAR_GAP   20.0
#define MN__BAR_SPACE 110.0 /* colour bar, its ticks and its label */

void mn_plot_heatmap_init(mn_plot_heatmap *map)
{
    if (!map)
        return;
    memset(map, 0, sizeof *map);
    map->width_px = MN_PLOT_DEFAULT_WIDTH;
    map->height_px = 600;
}

static mn_status map_check(mn_ctx *ctx, const mn_plot_heatmap *m, double *vlo, double *vhi)
{
    if (m->nx < 1 || m->ny < 1 || !m->values)
        return mn__error(ctx, MN_EINVAL, "plot: heat map needs nx, ny >= 1 and values");
    if ((long)m->nx * (long)m->ny > MN__MAX_CELLS)
        return mn__error(ctx, MN_ELIMIT, "plot: heat map of %d×%d cells is over %ld; downsample",
                         m->nx, m->ny, MN__MAX_CELLS);
    if (!(m->x1 > m->x0) || !(m->y1 > m->y0) || !mn__finite(m->x0) || !mn__finite(m->x1) ||
        !mn__finite(m->y0) || !mn__finite(m->y1))
        return mn__error(ctx, MN_ERANGE, "plot: heat map extent is empty or not finite");
    if (m->n_points < 0 || (m->n_points > 0 && (!m->point_x || !m->point_y)))
        return mn__error(ctx, MN_EINVAL, "plot: overlay points given without their arrays");
    *vlo = INFINITY;
    *vhi = -INFINITY;
    long n = (long)m->nx * (long)m->ny;
    for (long k = 0; k < n; k++) {
        double v = m->values[k];
        if (!mn__finite(v))
            return mn__error(ctx, MN_ENUMERIC, "plot: heat map cell %ld is not finite", k);
        if (v < *vlo)
            *vlo = v;
        if (v > *vhi)
            *vhi = v;
    }
    for (int i = 0; i < m->n_points; i++)
        if (!mn__finite(m->point_x[i]) || !mn__finite(m->point_y[i]))
            return mn__error(ctx, MN_ENUMERIC, "plot: overlay point %d is not finite", i);
    if (m->v_min != m->v_max) {
        if (!(m->v_max > m->v_min))
            return mn__error(ctx, MN_ERANGE, "plot: colour range [%g, %g] is empty", m->v_min,
                             m->v_max);
        *vlo = m->v_min;
        *vhi = m->v_max;
    }
    if (m->has_threshold && !mn__finite(m->threshold))
        return mn__error(ctx, MN_ENUMERIC, "plot: heat map threshold is not finite");
    return MN_OK;
}

static mn_status map_render(mn_ctx *ctx, const void *fig, mn_plot_format format, mn_writer write,
                            void *userdata, mn_writer data_write, void *data_userdata)
{
    const mn_plot_heatmap *m = fig;
    mn__canvas cv;
    mn__frame f;
    mn__buf side;
    int w, h;
    double vlo = 0.0, vhi = 1.0;
    mn_status st;
    cairo_surface_t *cells = NULL;
    if (!m || !write)
        return mn__error(ctx, MN_EINVAL, "plot: no heat map or no writer");
    if ((st = mn__plot_size(ctx, m->width_px, m->height_px, MN_PLOT_DEFAULT_WIDTH, 600, &w, &h)))
        return st;
    if ((st = map_check(ctx, m, &vlo, &vhi)))
        return st;

    /* Equal scales: fit the extent's aspect ratio into the space left by the colour bar. */
    double avail_w = w - MN__MARGIN_LEFT - MN__MARGIN_RIGHT - MN__BAR_SPACE;
    double avail_h = h - 52.0 - MN__MARGIN_BOTTOM - (m->footnote ? MN__FOOTNOTE_EXTRA : 0.0);
    double ex = m->x1 - m->x0, ey = m->y1 - m->y0;
    double scale = fmin(avail_w / ex, avail_h / ey);
    memset(&f, 0, sizeof f);
    f.width = ex * scale;
    f.height = ey * scale;
    f.left = MN__MARGIN_LEFT;
    f.top = 52.0;
    f.y_down = m->y_down;
    mn__axis_nice(&f.x, m->x0, m->x1, 6);
    mn__axis_nice(&f.y, m->y0, m->y1, 6);
    /* The grid's extent is the axis range, exactly; ticks at whole steps inside it. */
    f.x.lo = m->x0;
    f.x.hi = m->x1;
    f.y.lo = m->y0;
    f.y.hi = m->y1;

    mn__buf_init(&side);
    if ((st = mn__canvas_open(&cv, ctx, format, w, h, write, userdata)))
        return st;
    cairo_t *cr = cv.cr;

    cells = cairo_image_surface_create(CAIRO_FORMAT_RGB24, m->nx, m->ny);
    if (cairo_surface_status(cells) != CAIRO_STATUS_SUCCESS) {
        st = mn__error(ctx, MN_ENOMEM, "plot: cannot allocate a %d×%d image", m->nx, m->ny);
        goto done;
    }
    cairo_surface_flush(cells);
    unsigned char *pix = cairo_image_surface_get_data(cells);
    int stride = cairo_image_surface_get_stride(cells);
    mn__buf_printf(&side, "kind,index,x,y,value,px,py\n");
    double dx = ex / m->nx, dy = ey / m->ny;
    for (int j = 0; j < m->ny; j++) {
        /* Image row 0 is the top of the picture. */
        int row = m->y_down ? j : m->ny - 1 - j;
        uint32_t *line = (uint32_t *)(void *)(pix + (size_t)row * (size_t)stride);
        for (int i = 0; i < m->nx; i++) {
            double v = m->values[(size_t)j * (size_t)m->nx + (size_t)i];
            line[i] = (uint32_t)mn__viridis((v - vlo) / (vhi - vlo));
            if (data_write) {
                double cx = m->x0 + (i + 0.5) * dx, cy = m->y0 + (j + 0.5) * dy;
                mn__buf_printf(&side, "cell,%ld,%.17g,%.17g,%.17g,%.3f,%.3f\n", (long)j * m->nx + i,
                               cx, cy, v, mn__px(&f, cx), mn__py(&f, cy));
            }
        }
    }
    cairo_surface_mark_dirty(cells);

    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.width, f.height);
    cairo_clip(cr);
    cairo_translate(cr, f.left, f.top);
    cairo_scale(cr, f.width / m->nx, f.height / m->ny);
    cairo_set_source_surface(cr, cells, 0.0, 0.0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);

    /* Overlay points: white-edged dark dots, readable on every viridis colour. */
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.width, f.height);
    cairo_clip(cr);
    double r = m->n_points > 400 ? 1.8 : 3.0;
    for (int i = 0; i < m->n_points; i++) {
        double px = mn__px(&f, m->point_x[i]), py = mn__py(&f, m->point_y[i]);
        cairo_new_path(cr);
        cairo_arc(cr, px, py, r, 0.0, 2.0 * MN__PI);
        mn__set_rgb(cr, 0xffffff);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 0.8);
        mn__set_rgb(cr, 0x000000);
        cairo_stroke(cr);
        mn__buf_printf(&side, "point,%d,%.17g,%.17g,,%.3f,%.3f\n", i, m->point_x[i], m->point_y[i],
                       px, py);
    }
    cairo_restore(cr);

    /* Axes (ticks only at whole steps inside the extent). */
    {
        mn__frame ticks = f;
        ticks.x.lo = ceil(m->x0 / f.x.step - 1e-9) * f.x.step;
        ticks.x.hi = floor(m->x1 / f.x.step + 1e-9) * f.x.step;
        ticks.y.lo = ceil(m->y0 / f.y.step - 1e-9) * f.y.step;
        ticks.y.hi = floor(m->y1 / f.y.step + 1e-9) * f.y.step;
        char buf[64];
        double bottom = f.top + f.height;
        cairo_set_line_width(cr, 1.0);
        mn__set_rgb(cr, MN__AXIS_GREY);
        cairo_rectangle(cr, f.left - 0.5, f.top - 0.5, f.width + 1.0, f.height + 1.0);
        cairo_stroke(cr);
        for (double v = ticks.x.lo; v <= ticks.x.hi + f.x.step * 1e-6; v += f.x.step) {
            double px = floor(mn__px(&f, v)) + 0.5;
            mn__set_rgb(cr, MN__AXIS_GREY);
            cairo_move_to(cr, px, bottom);
            cairo_line_to(cr, px, bottom + 5.0);
            cairo_stroke(cr);
            mn__axis_label(&f.x, v, buf, sizeof buf);
            mn__text(cr, px, bottom + 9.0, buf, MN__TICK_PT, 0, 0.5, 0.0, MN__TEXT_GREY);
        }
        for (double v = ticks.y.lo; v <= ticks.y.hi + f.y.step * 1e-6; v += f.y.step) {
            double py = floor(mn__py(&f, v)) + 0.5;
            mn__set_rgb(cr, MN__AXIS_GREY);
            cairo_move_to(cr, f.left - 5.0, py);
            cairo_line_to(cr, f.left, py);
            cairo_stroke(cr);
            mn__axis_label(&f.y, v, buf, sizeof buf);
            mn__text(cr, f.left - 8.0, py, buf, MN__TICK_PT, 0, 1.0, 0.5, MN__TEXT_GREY);
        }
        mn__text(cr, f.left + f.width / 2.0, bottom + 34.0, m->x_label, MN__LABEL_PT, 0, 0.5, 0.0,
                 MN__TEXT_GREY);
        mn__text_vertical(cr, 22.0, f.top + f.height / 2.0, m->y_label, MN__LABEL_PT,
                          MN__TEXT_GREY);
        mn__text(cr, 16.0, 26.0, m->title, MN__TITLE_PT, 1, 0.0, 0.5, 0x000000);
        if (m->footnote)
            mn__text(cr, 16.0, h - 12.0, m->footnote, MN__SMALL_PT, 0, 0.0, 1.0, 0x555555);
    }

    /* Colour bar with its own nice ticks. */
    {
        double bx = f.left + f.width + MN__BAR_GAP, by = f.top, bh = f.height;
        for (int k = 0; k < (int)bh; k++) {
            mn__set_rgb(cr, mn__viridis(1.0 - (k + 0.5) / bh));
            cairo_rectangle(cr, bx, by + k, MN__BAR_W, 1.0);
            cairo_fill(cr);
        }
        mn__set_rgb(cr, MN__AXIS_GREY);
        cairo_set_line_width(cr, 1.0);
        cairo_rectangle(cr, bx - 0.5, by - 0.5, MN__BAR_W + 1.0, bh + 1.0);
        cairo_stroke(cr);
        mn__axis bar;
        char buf[64];
        mn__axis_nice(&bar, vlo, vhi, 5);
        for (double v = ceil(vlo / bar.step - 1e-9) * bar.step; v <= vhi + bar.step * 1e-6;
             v += bar.step) {
            double py = floor(by + bh - (v - vlo) / (vhi - vlo) * bh) + 0.5;
            mn__set_rgb(cr, MN__AXIS_GREY);
            cairo_move_to(cr, bx + MN__BAR_W, py);
            cairo_line_to(cr, bx + MN__BAR_W + 4.0, py);
            cairo_stroke(cr);
            mn__axis_label(&bar, v, buf, sizeof buf);
            mn__text(cr, bx + MN__BAR_W + 7.0, py, buf, MN__TICK_PT, 0, 0.0, 0.5, MN__TEXT_GREY);
        }
        if (m->has_threshold && m->threshold >= vlo && m->threshold <= vhi) {
            double py = by + bh - (m->threshold - vlo) / (vhi - vlo) * bh;
            mn__set_rgb(cr, 0xD55E00);
            cairo_set_line_width(cr, 2.5);
            cairo_move_to(cr, bx - 6.0, py);
            cairo_line_to(cr, bx + MN__BAR_W + 2.0, py);
            cairo_stroke(cr);
            if (m->threshold_label)
                mn__text_halo(cr, bx - 8.0, py, m->threshold_label, MN__SMALL_PT, 0, 1.0, 0.5,
                              0xD55E00);
        }
        cairo_save(cr);
        cairo_translate(cr, bx + MN__BAR_W + 64.0, by + bh / 2.0);
        cairo_rotate(cr, MN__PI / 2.0);
        mn__text(cr, 0.0, 0.0, m->value_label, MN__LABEL_PT, 0, 0.5, 0.5, MN__TEXT_GREY);
        cairo_restore(cr);
    }

done:
    if (cells)
        cairo_surface_destroy(cells);
    st = mn__canvas_close(&cv, st);
    if (st == MN_OK)
        st = mn__sidecar_flush(ctx, &side, data_write, data_userdata);
    mn__buf_release(&side);
    return st;
}

mn_status mn_plot_heatmap_render(mn_ctx *ctx, const mn_plot_heatmap *map, mn_plot_format format,
                                 mn_writer write, void *userdata, mn_writer data_write,
                                 void *data_userdata)
{
    return map_render(ctx, map, format, write, userdata, data_write, data_userdata);
}

mn_status mn_plot_heatmap_save(mn_ctx *ctx, const mn_plot_heatmap *map, const char *path,
                               const char *data_path)
{
    if (!map)
        return mn__error(ctx, MN_EINVAL, "plot: no heat map");
    return mn__plot_save(ctx, map_render, map, path, data_path);
}
