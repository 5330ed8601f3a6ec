/*
 * Distributions: violins and histograms of samples (e.g. a virtual cohort's improvement at
 * each endpoint).
 *
 * Violin: Gaussian kernel density with Silverman's rule-of-thumb bandwidth
 * h = 0.9 · min(sd, IQR/1.34) · n^(-1/5) (Silverman, Density Estimation, 1986, eq. 3.31),
 * evaluated on 96 points between the smallest and the largest sample (no tails invented past
 * the data), scaled so the widest violin fills 80 % of its slot. Percentiles are the
 * program's one rule, Hyndman–Fan type 7 (Am Stat 1996;50:361), through
 * mn__quantile_sorted() (core/quantile.h), as the cohort's table (src/cohort/stats.c), so a
 * figure and the table of the same patients show the same percentiles (the table's to within
 * its sketch's half bin).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/quantile.h"
#include "report/plot_internal.h"

#define MN__KDE_POINTS 96

void mn_plot_dist_init(mn_plot_dist *dist)
{
    if (!dist)
        return;
    memset(dist, 0, sizeof *dist);
    dist->width_px = MN_PLOT_DEFAULT_WIDTH;
    dist->height_px = MN_PLOT_DEFAULT_HEIGHT;
}

double mn_plot_percentile_sorted(const double *sorted, int n, double p)
{
    if (!sorted || n < 1)
        return NAN;
    if (!(p > 0.0))
        return sorted[0];
    if (p >= 100.0)
        return sorted[n - 1];
    return mn__quantile_sorted(sorted, n, p / 100.0);
}

typedef struct {
    double *v; /* sorted finite samples (owned) */
    int n;
    double p5, p25, p50, p75, p95, mean, sd;
} group_stats;

static mn_status group_prepare(mn_ctx *ctx, const mn_plot_group *g, int gi, group_stats *s)
{
    memset(s, 0, sizeof *s);
    if (g->n < 0 || (g->n > 0 && !g->values))
        return mn__error(ctx, MN_EINVAL, "plot: group %d has no values array", gi);
    s->v = mn__malloc(sizeof(double) * (size_t)(g->n > 0 ? g->n : 1));
    if (!s->v)
        return mn__error(ctx, MN_ENOMEM, "plot: out of memory sorting group %d", gi);
    for (int i = 0; i < g->n; i++) {
        if (!mn__finite(g->values[i]))
            return mn__error(ctx, MN_ENUMERIC, "plot: group %d value %d is not finite", gi, i);
        s->v[s->n++] = g->values[i];
    }
    if (s->n < 1)
        return mn__error(ctx, MN_ERANGE, "plot: group %d has no value", gi);
    qsort(s->v, (size_t)s->n, sizeof(double), mn__cmp_double);
    double sum = 0.0, ss = 0.0;
    for (int i = 0; i < s->n; i++)
        sum += s->v[i];
    s->mean = sum / s->n;
    for (int i = 0; i < s->n; i++)
        ss += (s->v[i] - s->mean) * (s->v[i] - s->mean);
    s->sd = s->n > 1 ? sqrt(ss / (s->n - 1)) : 0.0;
    s->p5 = mn_plot_percentile_sorted(s->v, s->n, 5.0);
    s->p25 = mn_plot_percentile_sorted(s->v, s->n, 25.0);
    s->p50 = mn_plot_percentile_sorted(s->v, s->n, 50.0);
    s->p75 = mn_plot_percentile_sorted(s->v, s->n, 75.0);
    s->p95 = mn_plot_percentile_sorted(s->v, s->n, 95.0);
    return MN_OK;
}

/* Kernel density of a group at MN__KDE_POINTS points from its minimum to its maximum. */
static void group_kde(const group_stats *s, double *y, double *dens)
{
    double lo = s->v[0], hi = s->v[s->n - 1];
    double spread = fmin(s->sd, (s->p75 - s->p25) / 1.34);
    if (!(spread > 0.0))
        spread = s->sd;
    double h = 0.9 * spread * pow((double)s->n, -0.2);
    for (int k = 0; k < MN__KDE_POINTS; k++) {
        y[k] = lo + (hi - lo) * k / (MN__KDE_POINTS - 1);
        dens[k] = 0.0;
    }
    if (!(h > 0.0)) { /* all samples equal: a flat bar */
        for (int k = 0; k < MN__KDE_POINTS; k++)
            dens[k] = 1.0;
        return;
    }
    /* Samples are sorted: only those within 5 bandwidths of a point matter (exp(-12.5) is
     * below 4e-6 of the peak), which keeps large cohorts fast. */
    int first = 0;
    for (int k = 0; k < MN__KDE_POINTS; k++) {
        while (first < s->n && s->v[first] < y[k] - 5.0 * h)
            first++;
        double acc = 0.0;
        for (int i = first; i < s->n && s->v[i] <= y[k] + 5.0 * h; i++) {
            double u = (y[k] - s->v[i]) / h;
            acc += exp(-0.5 * u * u);
        }
        dens[k] = acc / (s->n * h * sqrt(2.0 * MN__PI));
    }
}

static mn_status dist_render(mn_ctx *ctx, const void *fig, mn_plot_format format, mn_writer write,
                             void *userdata, mn_writer data_write, void *data_userdata)
{
    const mn_plot_dist *d = fig;
    group_stats gs[MN_PLOT_MAX_GROUPS];
    mn__canvas cv;
    mn__frame f;
    mn__buf side;
    int w, h, ng = 0, opened = 0;
    mn_status st;
    double *counts = NULL;
    memset(gs, 0, sizeof gs);
    mn__buf_init(&side);
    if (!d || !write)
        return mn__error(ctx, MN_EINVAL, "plot: no distribution figure or no writer");
    if ((st = mn__plot_size(ctx, d->width_px, d->height_px, MN_PLOT_DEFAULT_WIDTH,
                            MN_PLOT_DEFAULT_HEIGHT, &w, &h)))
        return st;
    if (d->n_groups < 1 || d->n_groups > MN_PLOT_MAX_GROUPS)
        return mn__error(ctx, MN_ERANGE, "plot: %d groups (1 to %d)", d->n_groups,
                         MN_PLOT_MAX_GROUPS);
    if (d->bins < 0 || d->bins > 1000)
        return mn__error(ctx, MN_ERANGE, "plot: %d bins (0 to 1000)", d->bins);
    double vlo = INFINITY, vhi = -INFINITY;
    for (ng = 0; ng < d->n_groups; ng++) {
        st = group_prepare(ctx, &d->groups[ng], ng, &gs[ng]);
        if (st) {
            ng++;
            goto done;
        }
        vlo = fmin(vlo, gs[ng].v[0]);
        vhi = fmax(vhi, gs[ng].v[gs[ng].n - 1]);
    }
    if (d->has_threshold) {
        if (!mn__finite(d->threshold)) {
            st = mn__error(ctx, MN_ENUMERIC, "plot: threshold is not finite");
            goto done;
        }
        vlo = fmin(vlo, d->threshold);
        vhi = fmax(vhi, d->threshold);
    }
    memset(&f, 0, sizeof f);
    f.left = MN__MARGIN_LEFT;
    f.top = MN__MARGIN_TOP;
    f.width = w - MN__MARGIN_LEFT - MN__MARGIN_RIGHT;
    f.height = h - MN__MARGIN_TOP - MN__MARGIN_BOTTOM - (d->footnote ? MN__FOOTNOTE_EXTRA : 0.0);
    int bins = d->bins ? d->bins : 20;
    if (d->style == MN_DIST_HISTOGRAM) {
        counts = mn__calloc((size_t)bins * (size_t)ng, sizeof(double));
        if (!counts) {
            st = mn__error(ctx, MN_ENOMEM, "plot: out of memory for the histogram");
            goto done;
        }
        double bw = (vhi > vlo ? vhi - vlo : 1.0) / bins, cmax = 0.0;
        for (int g = 0; g < ng; g++) {
            for (int i = 0; i < gs[g].n; i++) {
                int b = (int)floor((gs[g].v[i] - vlo) / bw);
                if (b >= bins)
                    b = bins - 1; /* the maximum belongs to the last bin */
                if (b < 0)
                    b = 0;
                counts[(size_t)g * (size_t)bins + (size_t)b] += 100.0 / gs[g].n;
            }
            for (int b = 0; b < bins; b++)
                cmax = fmax(cmax, counts[(size_t)g * (size_t)bins + (size_t)b]);
        }
        mn__axis_nice(&f.x, vlo, vlo + bins * bw, 8);
        mn__axis_nice(&f.y, 0.0, cmax, 5);
    } else {
        mn__axis_nice(&f.y, vlo, vhi, 6);
        f.x.lo = -0.5;
        f.x.hi = ng - 0.5;
        f.x.step = 1.0;
    }

    if ((st = mn__canvas_open(&cv, ctx, format, w, h, write, userdata)))
        goto done;
    opened = 1;
    cairo_t *cr = cv.cr;
    mn__buf_printf(&side, "kind,group,index,x,y,px,py\n");
    if (d->style == MN_DIST_HISTOGRAM) {
        mn__draw_frame(cr, &f, w, h, d->title, d->x_label, d->y_label, d->footnote, 0);
        double bw = (vhi > vlo ? vhi - vlo : 1.0) / bins;
        for (int g = 0; g < ng; g++) {
            unsigned col = mn_plot_palette(g);
            const double *c = counts + (size_t)g * (size_t)bins;
            cairo_new_path(cr);
            cairo_move_to(cr, mn__px(&f, vlo), mn__py(&f, 0.0));
            for (int b = 0; b < bins; b++) {
                cairo_line_to(cr, mn__px(&f, vlo + b * bw), mn__py(&f, c[b]));
                cairo_line_to(cr, mn__px(&f, vlo + (b + 1) * bw), mn__py(&f, c[b]));
                double xc = vlo + (b + 0.5) * bw;
                mn__buf_printf(&side, "bin,%d,%d,%.17g,%.17g,%.3f,%.3f\n", g, b, xc, c[b],
                               mn__px(&f, xc), mn__py(&f, c[b]));
            }
            cairo_line_to(cr, mn__px(&f, vlo + bins * bw), mn__py(&f, 0.0));
            cairo_close_path(cr);
            mn__set_rgba(cr, col, 0.15);
            cairo_fill_preserve(cr);
            mn__set_rgb(cr, col);
            cairo_set_line_width(cr, 2.0);
            cairo_stroke(cr);
        }
        if (d->has_threshold) {
            double px = floor(mn__px(&f, d->threshold)) + 0.5;
            mn__set_rgb(cr, 0x000000);
            cairo_set_line_width(cr, 1.5);
            static const double dash[] = {6.0, 4.0};
            cairo_set_dash(cr, dash, 2, 0.0);
            cairo_move_to(cr, px, f.top);
            cairo_line_to(cr, px, f.top + f.height);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0.0);
            mn__text_halo(cr, px + 4.0, f.top + 8.0, d->threshold_label, MN__SMALL_PT, 0, 0.0, 0.5,
                          0x000000);
        }
        /* Legend row. */
        double x = 16.0;
        for (int g = 0; g < ng; g++) {
            const char *lab = d->groups[g].label ? d->groups[g].label : "";
            mn__set_rgba(cr, mn_plot_palette(g), 0.3);
            cairo_rectangle(cr, x, 45.0, 22.0, 14.0);
            cairo_fill_preserve(cr);
            mn__set_rgb(cr, mn_plot_palette(g));
            cairo_set_line_width(cr, 2.0);
            cairo_stroke(cr);
            x += 28.0 +
                 mn__text(cr, x + 28.0, 52.0, lab, MN__SMALL_PT, 0, 0.0, 0.5, MN__TEXT_GREY) + 14.0;
        }
    } else {
        /* Frame without x ticks: group labels go under each violin. */
        mn__frame axes = f;
        axes.x.step = 1e9; /* no numeric x ticks */
        axes.x.lo = -0.5;
        axes.x.hi = ng - 0.5;
        mn__draw_frame(cr, &axes, w, h, d->title, d->x_label, d->y_label, d->footnote, 0);
        double yk[MN__KDE_POINTS], dk[MN__KDE_POINTS], dmax[MN_PLOT_MAX_GROUPS], dm = 0.0;
        for (int g = 0; g < ng; g++) {
            group_kde(&gs[g], yk, dk);
            dmax[g] = 0.0;
            for (int k = 0; k < MN__KDE_POINTS; k++)
                dmax[g] = fmax(dmax[g], dk[k]);
            dm = fmax(dm, dmax[g]);
        }
        double slot = f.width / ng, half_max = 0.4 * slot;
        if (d->has_threshold) {
            double py = floor(mn__py(&f, d->threshold)) + 0.5;
            mn__set_rgb(cr, 0x000000);
            cairo_set_line_width(cr, 1.5);
            static const double dash[] = {6.0, 4.0};
            cairo_set_dash(cr, dash, 2, 0.0);
            cairo_move_to(cr, f.left, py);
            cairo_line_to(cr, f.left + f.width, py);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0.0);
            mn__text_halo(cr, f.left + f.width - 4.0, py - 10.0, d->threshold_label, MN__SMALL_PT,
                          0, 1.0, 0.5, 0x000000);
        }
        for (int g = 0; g < ng; g++) {
            const group_stats *s = &gs[g];
            double cx = mn__px(&f, (double)g);
            unsigned col = mn_plot_palette(0);
            group_kde(s, yk, dk);
            /* Scale by the largest density of all groups, so areas compare across groups;
             * a constant group has no density and gets a thin bar. */
            double scale = dm > 0.0 ? half_max / dm : 0.0;
            cairo_new_path(cr);
            for (int k = 0; k < MN__KDE_POINTS; k++)
                cairo_line_to(cr, cx + fmax(dk[k] * scale, 1.0), mn__py(&f, yk[k]));
            for (int k = MN__KDE_POINTS - 1; k >= 0; k--)
                cairo_line_to(cr, cx - fmax(dk[k] * scale, 1.0), mn__py(&f, yk[k]));
            cairo_close_path(cr);
            mn__set_rgba(cr, col, 0.30);
            cairo_fill_preserve(cr);
            mn__set_rgb(cr, col);
            cairo_set_line_width(cr, 1.5);
            cairo_stroke(cr);
            /* Whiskers p5–p95, box p25–p75, median bar, mean dot. */
            double bw = fmin(14.0, 0.15 * slot);
            mn__set_rgb(cr, 0x222222);
            cairo_set_line_width(cr, 1.5);
            cairo_move_to(cr, cx, mn__py(&f, s->p5));
            cairo_line_to(cr, cx, mn__py(&f, s->p95));
            cairo_stroke(cr);
            cairo_rectangle(cr, cx - bw / 2.0, mn__py(&f, s->p75), bw,
                            mn__py(&f, s->p25) - mn__py(&f, s->p75));
            cairo_fill(cr);
            mn__set_rgb(cr, 0xffffff);
            cairo_set_line_width(cr, 2.5);
            cairo_move_to(cr, cx - bw / 2.0, mn__py(&f, s->p50));
            cairo_line_to(cr, cx + bw / 2.0, mn__py(&f, s->p50));
            cairo_stroke(cr);
            cairo_new_path(cr);
            cairo_arc(cr, cx, mn__py(&f, s->mean), 3.0, 0.0, 2.0 * MN__PI);
            mn__set_rgb(cr, 0xD55E00);
            cairo_fill(cr);
            const char *lab = d->groups[g].label ? d->groups[g].label : "";
            mn__text(cr, cx, f.top + f.height + 9.0, lab, MN__TICK_PT, 0, 0.5, 0.0, MN__TEXT_GREY);
            const char *names[] = {"p5", "p25", "p50", "p75", "p95", "mean"};
            double vals[] = {s->p5, s->p25, s->p50, s->p75, s->p95, s->mean};
            for (int k = 0; k < 6; k++)
                mn__buf_printf(&side, "%s,%d,%d,%d,%.17g,%.3f,%.3f\n", names[k], g, k, g, vals[k],
                               cx, mn__py(&f, vals[k]));
        }
        mn__text(cr, 16.0, 52.0,
                 "violin: density · box: 25th–75th percentile · white bar: median · "
                 "whiskers: 5th–95th · dot: mean",
                 MN__SMALL_PT, 0, 0.0, 0.5, MN__TEXT_GREY);
    }

done:
    if (opened)
        st = mn__canvas_close(&cv, st);
    if (st == MN_OK)
        st = mn__sidecar_flush(ctx, &side, data_write, data_userdata);
    for (int g = 0; g < ng && g < MN_PLOT_MAX_GROUPS; g++)
        mn__free(gs[g].v);
    mn__free(counts);
    mn__buf_release(&side);
    return st;
}

mn_status mn_plot_dist_render(mn_ctx *ctx, const mn_plot_dist *dist, mn_plot_format format,
                              mn_writer write, void *userdata, mn_writer data_write,
                              void *data_userdata)
{
    return dist_render(ctx, dist, format, write, userdata, data_write, data_userdata);
}

mn_status mn_plot_dist_save(mn_ctx *ctx, const mn_plot_dist *dist, const char *path,
                            const char *data_path)
{
    if (!dist)
        return mn__error(ctx, MN_EINVAL, "plot: no distribution figure");
    return mn__plot_save(ctx, dist_render, dist, path, data_path);
}
