/*
 * The standard figures of `simulate`, `absorb` and `cohort`, from plain arrays, and the
 * assembly of those arrays from a simulate or absorb result. Each figure goes out as PNG, SVG
 * and a CSV of the drawn data, through the figure functions of plot.c, plot_map.c and
 * plot_dist.c, so all of them share one look.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/plot_internal.h"

/* Field raster for the top view: cells per side (4 µm cells on a 1 cm² field would be too
 * many for a picture; 400 × 400 resolves 100 µm channels to a few cells on 1 cm). */
#define MN__FIELD_CELLS 400

mn_status mn_plot_dir_check(mn_ctx *ctx, const char *dir)
{
    struct stat sb;
    if (!dir || !dir[0])
        return mn__error(ctx, MN_EINVAL, "plot: no directory");
    if (stat(dir, &sb) != 0)
        return mn__error(ctx, MN_EINVAL, "%s: cannot use as the figure directory: %s", dir,
                         strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return mn__error(ctx, MN_EINVAL, "%s: not a directory", dir);
    if (strlen(dir) > MN__PLOT_DIR_MAX)
        return mn__error(ctx, MN_EINVAL, "%s: directory name too long", dir);
    /* As mn_outfile_open() checks a file's directory, with its message. */
    if (access(dir, W_OK | X_OK) != 0)
        return mn__error(ctx, MN_EIO, "%s: cannot create a file there: %s", dir, strerror(errno));
    return MN_OK;
}

/* STEM.png with STEM.csv, then STEM.svg. */
static mn_status save_three(mn_ctx *ctx, mn__render_fn render, const void *fig, const char *dir,
                            const char *stem)
{
    char img[4096], data[4096];
    snprintf(img, sizeof img, "%s/%s.png", dir, stem);
    snprintf(data, sizeof data, "%s/%s.csv", dir, stem);
    mn_status st = mn__plot_save(ctx, render, fig, img, data);
    if (st)
        return st;
    snprintf(img, sizeof img, "%s/%s.svg", dir, stem);
    return mn__plot_save(ctx, render, fig, img, NULL);
}

static mn_status chart_fn(mn_ctx *ctx, const void *fig, mn_plot_format f, mn_writer w, void *u,
                          mn_writer dw, void *du)
{
    return mn_plot_chart_render(ctx, fig, f, w, u, dw, du);
}

static mn_status map_fn(mn_ctx *ctx, const void *fig, mn_plot_format f, mn_writer w, void *u,
                        mn_writer dw, void *du)
{
    return mn_plot_heatmap_render(ctx, fig, f, w, u, dw, du);
}

static mn_status dist_fn(mn_ctx *ctx, const void *fig, mn_plot_format f, mn_writer w, void *u,
                         mn_writer dw, void *du)
{
    return mn_plot_dist_render(ctx, fig, f, w, u, dw, du);
}

/* ---------------------------------------------------------------------------------------- */
/* simulate                                                                                 */

/* Linear interpolation of y(x) at x0 on increasing x; NAN outside. */
static double interp(const double *x, const double *y, int n, double x0)
{
    for (int i = 0; i + 1 < n; i++)
        if (x0 >= x[i] && x0 <= x[i + 1]) {
            double t = x[i + 1] > x[i] ? (x0 - x[i]) / (x[i + 1] - x[i]) : 0.0;
            return y[i] + t * (y[i + 1] - y[i]);
        }
    return n == 1 && x0 == x[0] ? y[0] : NAN;
}

mn_status mn_plot_healing_save(mn_ctx *ctx, const mn_plot_healing *h, const char *dir)
{
    mn_status st;
    if (!h)
        return mn__error(ctx, MN_EINVAL, "plot: no healing results");
    if ((st = mn_plot_dir_check(ctx, dir)))
        return st;
    if (h->n < 1 || !h->day || !h->improvement_pct)
        return mn__error(ctx, MN_EINVAL, "plot: healing results need days and improvement");
    if (h->n_sessions < 0 || (h->n_sessions > 0 && !h->session_day) || h->n_maintenance < 0 ||
        (h->n_maintenance > 0 && !h->maintenance_day))
        return mn__error(ctx, MN_EINVAL, "plot: session or maintenance days missing");
    int nm = h->n_sessions + h->n_maintenance;
    mn_plot_marker *marks = mn__calloc((size_t)(nm > 0 ? nm : 1), sizeof *marks);
    double *zero = mn__calloc((size_t)h->n, sizeof(double));
    char(*text)[16] = mn__calloc((size_t)(nm > 0 ? nm : 1), sizeof *text);
    if (!marks || !zero || !text) {
        st = mn__error(ctx, MN_ENOMEM, "plot: out of memory");
        goto done;
    }
    for (int i = 0; i < h->n_sessions; i++) {
        snprintf(text[i], sizeof text[i], "%d", i + 1);
        marks[i] = (mn_plot_marker){h->session_day[i], text[i], MN_MARK_SESSION};
    }
    for (int i = 0; i < h->n_maintenance; i++) {
        snprintf(text[h->n_sessions + i], sizeof text[0], "M%d", i + 1);
        marks[h->n_sessions + i] =
            (mn_plot_marker){h->maintenance_day[i], text[h->n_sessions + i], MN_MARK_MAINTENANCE};
    }

    /* Improvement, treated against the untreated twin (0 by definition). */
    mn_plot_chart c;
    mn_plot_note notes[2];
    char note_text[2][64];
    int nn = 0;
    mn__improvement_chart_init(&c, "Improvement: treated vs untreated twin",
                               "Simulation, not a promise. Lines: sessions; dashed: maintenance "
                               "(M).");
    c.series[0] = (mn_plot_series){
        "treated", h->day, h->improvement_pct, h->improvement_low_pct, h->improvement_high_pct,
        h->n,      0,      MN_LINE_SOLID};
    c.series[1] =
        (mn_plot_series){"untreated twin", h->day, zero, NULL, NULL, h->n, 1, MN_LINE_DASHED};
    c.n_series = 2;
    c.markers = marks;
    c.n_markers = nm;
    if (h->peak_day >= 0.0) {
        double y = interp(h->day, h->improvement_pct, h->n, h->peak_day);
        if (mn__finite(y)) {
            snprintf(note_text[nn], sizeof note_text[nn], "peak %.0f %% (day %.0f)", y,
                     h->peak_day);
            notes[nn] = (mn_plot_note){h->peak_day, y, note_text[nn]};
            nn++;
        }
    }
    if (h->back_to_baseline_day >= 0.0) {
        double y = interp(h->day, h->improvement_pct, h->n, h->back_to_baseline_day);
        if (mn__finite(y)) {
            snprintf(note_text[nn], sizeof note_text[nn], "back to baseline (day %.0f)",
                     h->back_to_baseline_day);
            notes[nn] = (mn_plot_note){h->back_to_baseline_day, y, note_text[nn]};
            nn++;
        }
    }
    c.notes = notes;
    c.n_notes = nn;
    if ((st = save_three(ctx, chart_fn, &c, dir, "improvement")))
        goto done;

    if (h->collagen_change_pct) {
        mn_plot_chart_init(&c);
        c.title = "Dermal collagen: treated vs untreated twin";
        c.x_label = "days since the first session";
        c.y_label = "collagen change from day 0 (%)";
        c.footnote = "Simulation, not a promise. The twin ages without treatment.";
        c.y_zero_line = 1;
        c.series[0] = (mn_plot_series){"treated", h->day, h->collagen_change_pct, NULL, NULL,
                                       h->n,      0,      MN_LINE_SOLID};
        c.n_series = 1;
        if (h->twin_collagen_change_pct) {
            c.series[1] = (mn_plot_series){
                "untreated twin", h->day, h->twin_collagen_change_pct, NULL, NULL, h->n, 1,
                MN_LINE_DASHED};
            c.n_series = 2;
        }
        c.markers = marks;
        c.n_markers = nm;
        if ((st = save_three(ctx, chart_fn, &c, dir, "collagen")))
            goto done;
    }

    if (h->erythema) {
        /* The first week after the first session. */
        double d0 = h->n_sessions > 0 ? h->session_day[0] : h->day[0];
        int lo = -1, hi = -1;
        for (int i = 0; i < h->n; i++)
            if (h->day[i] >= d0 && h->day[i] <= d0 + 7.0) {
                if (lo < 0)
                    lo = i;
                hi = i;
            }
        if (lo >= 0) {
            mn_plot_chart_init(&c);
            c.title = "Redness (erythema) in the first week";
            c.x_label = "days since the first session";
            c.y_label = "erythema (0 = none, 1 = peak)";
            c.footnote = "Simulation, not a promise. Usually gone in 1–3 days, at most about "
                         "a week.";
            c.x_min = d0;
            c.x_max = d0 + 7.0;
            c.series[0] =
                (mn_plot_series){"erythema",  h->day + lo, h->erythema + lo,    NULL, NULL,
                                 hi - lo + 1, 3,           MN_LINE_SOLID_POINTS};
            c.n_series = 1;
            if ((st = save_three(ctx, chart_fn, &c, dir, "erythema")))
                goto done;
        }
    }
    st = MN_OK;
done:
    mn__free(marks);
    mn__free(zero);
    mn__free(text);
    return st;
}

/*
 * The figures of `simulate --plot`: daily curves from day 0 to the horizon, or on to the return
 * to baseline (no further session) when the summary found it after the horizon, so the figure
 * can label it. The suggested maintenance is marked at its first visit (M1); the curve is the
 * course alone, as in the numbers of the report.
 */
mn_status mn_healing_plot(mn_ctx *ctx, const mn_healing_scenario *sc,
                          const mn_healing_options *opts, const mn_healing_summary *summary,
                          const mn_healing_projection *maintenance, int band_draws, uint64_t seed,
                          const char *dir)
{
    if (!sc || !summary || band_draws < 0)
        return mn__error(ctx, MN_EINVAL, "plot: no simulation to draw");
    mn_healing_scenario ext = *sc;
    if (summary->back_to_baseline_day > sc->horizon_days) {
        int margin =
            summary->back_to_baseline_day / 10 > 30 ? summary->back_to_baseline_day / 10 : 30;
        long h = (long)summary->back_to_baseline_day + margin;
        ext.horizon_days = h > MN_HEALING_MAX_DAYS ? MN_HEALING_MAX_DAYS : (int)h;
    }
    int n = ext.horizon_days + 1, ns = sc->n_sessions;
    mn_status st = MN_OK;
    mn_healing_sample *daily = mn__malloc(sizeof *daily * (size_t)n);
    double *v = mn__malloc(sizeof *v * (size_t)n * 7 + sizeof *v * (size_t)(ns + 1));
    if (!daily || !v) {
        st = mn__error(ctx, MN_ENOMEM, "plot: out of memory for the simulation figures");
        goto done;
    }
    double *day = v, *imp = v + n, *lo = v + 2 * n, *hi = v + 3 * n, *col = v + 4 * n,
           *twin = v + 5 * n, *ery = v + 6 * n, *sday = v + 7 * n, mday;
    if ((st = mn_healing_run(ctx, &ext, NULL, opts, NULL, n, daily, NULL)))
        goto done;
    if (band_draws > 0 &&
        (st = mn_healing_band(ctx, &ext, NULL, n, band_draws, seed, MN_BAND_QUANTILE_LOW,
                              MN_BAND_QUANTILE_HIGH, lo, hi)))
        goto done;
    for (int i = 0; i < n; i++) {
        day[i] = daily[i].day;
        imp[i] = daily[i].improvement_pct;
        col[i] = daily[i].collagen_change_pct;
        twin[i] = daily[i].untreated_collagen_change_pct;
        ery[i] = daily[i].erythema;
    }
    for (int i = 0; i < ns; i++)
        sday[i] = sc->sessions[i].day;
    mn_plot_healing h = {0};
    h.day = day;
    h.n = n;
    h.improvement_pct = imp;
    h.improvement_low_pct = band_draws > 0 ? lo : NULL;
    h.improvement_high_pct = band_draws > 0 ? hi : NULL;
    h.collagen_change_pct = col;
    h.twin_collagen_change_pct = twin;
    h.erythema = ery;
    h.session_day = sday;
    h.n_sessions = ns;
    if (maintenance && maintenance->maintenance_interval_days > 0 && ns > 0) {
        mday = maintenance->maintenance_first_day; /* on the scenario's days */
        if (mday <= ext.horizon_days) {
            h.maintenance_day = &mday;
            h.n_maintenance = 1;
        }
    }
    h.peak_day = ns > 0 ? summary->peak_day : -1;
    h.back_to_baseline_day = ns > 0 ? summary->back_to_baseline_day : -1;
    st = mn_plot_healing_save(ctx, &h, dir);
done:
    mn__free(daily);
    mn__free(v);
    return st;
}

/* ---------------------------------------------------------------------------------------- */
/* absorb                                                                                   */

mn_status mn_plot_absorb_save(mn_ctx *ctx, const mn_plot_absorb *a, const char *dir)
{
    mn_status st;
    double *field = NULL;
    if (!a)
        return mn__error(ctx, MN_EINVAL, "plot: no absorb results");
    if ((st = mn_plot_dir_check(ctx, dir)))
        return st;
    mn_plot_chart c;
    if (a->n > 0 && a->hour && a->delivered_ug_cm2) {
        mn_plot_chart_init(&c);
        c.title = "Delivered amount over time";
        c.x_label = "time after application (h)";
        c.y_label = "delivered into skin (µg/cm²)";
        c.footnote = "Simulation. Needled: through the channels and the intact skin between "
                     "them; intact: no needling.";
        c.series[0] = (mn_plot_series){"needled skin", a->hour, a->delivered_ug_cm2, NULL, NULL,
                                       a->n,           0,       MN_LINE_SOLID};
        c.n_series = 1;
        if (a->intact_ug_cm2) {
            c.series[1] = (mn_plot_series){"intact skin", a->hour, a->intact_ug_cm2, NULL, NULL,
                                           a->n,          1,       MN_LINE_DASHED};
            c.n_series = 2;
        }
        if ((st = save_three(ctx, chart_fn, &c, dir, "delivery")))
            return st;
    }
    if (a->n_profiles > 0 && a->n_depth > 0 && a->depth_um && a->profile && a->profile_hour) {
        if (a->n_profiles > MN_PLOT_MAX_SERIES)
            return mn__error(ctx, MN_EINVAL, "plot: %d depth profiles (at most %d)", a->n_profiles,
                             MN_PLOT_MAX_SERIES);
        char labels[MN_PLOT_MAX_SERIES][32], ylab[96];
        mn_plot_chart_init(&c);
        c.title = "Concentration against depth";
        c.x_label = "depth below the surface (µm)";
        snprintf(ylab, sizeof ylab, "concentration (%s)",
                 a->concentration_unit ? a->concentration_unit : "µg/ml");
        c.y_label = ylab;
        c.footnote = "Simulation. One line per chosen time after application.";
        for (int k = 0; k < a->n_profiles; k++) {
            snprintf(labels[k], sizeof labels[k], "%g h", a->profile_hour[k]);
            c.series[k] = (mn_plot_series){
                labels[k], a->depth_um,  a->profile + (size_t)k * (size_t)a->n_depth,
                NULL,      NULL,         a->n_depth,
                k,         MN_LINE_SOLID};
        }
        c.n_series = a->n_profiles;
        if ((st = save_three(ctx, chart_fn, &c, dir, "depth_profile")))
            return st;
    }
    if (a->n_punctures > 0 && a->puncture_x_um && a->puncture_y_um) {
        if (!(a->field_w_um > 0.0) || !(a->field_h_um > 0.0) || !(a->channel_radius_um >= 0.0))
            return mn__error(ctx, MN_EINVAL, "plot: puncture field needs a positive size");
        /* Rasterise the channel discs: cell value 1 where the skin is open. */
        int nx = MN__FIELD_CELLS, ny = MN__FIELD_CELLS;
        if (a->field_h_um < a->field_w_um)
            ny = (int)fmax(1.0, round(MN__FIELD_CELLS * a->field_h_um / a->field_w_um));
        else
            nx = (int)fmax(1.0, round(MN__FIELD_CELLS * a->field_w_um / a->field_h_um));
        field = mn__calloc((size_t)nx * (size_t)ny, sizeof(double));
        if (!field)
            return mn__error(ctx, MN_ENOMEM, "plot: out of memory for the field");
        double dx = a->field_w_um / nx, dy = a->field_h_um / ny, r = a->channel_radius_um;
        long open = 0;
        for (int p = 0; p < a->n_punctures; p++) {
            double px = a->puncture_x_um[p], py = a->puncture_y_um[p];
            if (!mn__finite(px) || !mn__finite(py)) {
                mn__free(field);
                return mn__error(ctx, MN_ENUMERIC, "plot: puncture %d is not finite", p);
            }
            int i0 = (int)floor((px - r) / dx), i1 = (int)floor((px + r) / dx);
            int j0 = (int)floor((py - r) / dy), j1 = (int)floor((py + r) / dy);
            for (int j = j0 > 0 ? j0 : 0; j <= j1 && j < ny; j++)
                for (int i = i0 > 0 ? i0 : 0; i <= i1 && i < nx; i++) {
                    double cx = (i + 0.5) * dx - px, cy = (j + 0.5) * dy - py;
                    /* Every channel marks at least the cell it is in, so none disappears. */
                    int inside = cx * cx + cy * cy <= r * r ||
                                 (i == (int)floor(px / dx) && j == (int)floor(py / dy));
                    double *cell = &field[(size_t)j * (size_t)nx + (size_t)i];
                    if (inside && *cell == 0.0) {
                        *cell = 1.0;
                        open++;
                    }
                }
        }
        char foot[160];
        snprintf(foot, sizeof foot,
                 "%d punctures; open area %.1f %% of the patch (channel radius %.0f µm).",
                 a->n_punctures, 100.0 * (double)open / ((double)nx * ny), r);
        mn_plot_heatmap m;
        mn_plot_heatmap_init(&m);
        m.title = "Puncture field seen from above";
        m.x_label = "x (µm)";
        m.y_label = "y (µm)";
        m.value_label = "open channel (1) or intact (0)";
        m.footnote = foot;
        m.values = field;
        m.nx = nx;
        m.ny = ny;
        m.x0 = 0.0;
        m.x1 = a->field_w_um;
        m.y0 = 0.0;
        m.y1 = a->field_h_um;
        m.v_min = 0.0;
        m.v_max = 1.0;
        m.point_x = a->puncture_x_um;
        m.point_y = a->puncture_y_um;
        m.n_points = a->n_punctures;
        st = save_three(ctx, map_fn, &m, dir, "field");
        mn__free(field);
        if (st)
            return st;
    }
    if (a->slice && a->slice_nx > 0 && a->slice_nz > 0) {
        char vlab[96];
        mn_plot_heatmap m;
        mn_plot_heatmap_init(&m);
        m.title = "Concentration in a vertical slice";
        m.x_label = "x (µm)";
        m.y_label = "depth (µm)";
        snprintf(vlab, sizeof vlab, "concentration (%s)",
                 a->concentration_unit ? a->concentration_unit : "µg/ml");
        m.value_label = vlab;
        m.footnote = "Simulation (3D patch).";
        m.values = a->slice;
        m.nx = a->slice_nx;
        m.ny = a->slice_nz;
        m.x0 = 0.0;
        m.x1 = a->slice_w_um;
        m.y0 = 0.0;
        m.y1 = a->slice_depth_um;
        m.y_down = 1;
        if (a->effective_concentration > 0.0) {
            m.has_threshold = 1;
            m.threshold = a->effective_concentration;
            m.threshold_label = "effective";
        }
        if ((st = save_three(ctx, map_fn, &m, dir, "slice")))
            return st;
    }
    return MN_OK;
}

/* Report hours whose depth profiles the absorb figure shows, at most. */
#define ABSORB_PROFILES 6

/*
 * The figures of `absorb --plot`: delivered amount against time, needled and intact; the depth
 * profile at up to ABSORB_PROFILES of the report hours; the punctures from above (the 3D run's
 * field, or for the unit cell a field sampled the same way on a 5 x 5 mm patch); and with
 * the 3D solver a vertical slice through the middle of the patch.
 */
mn_status mn_absorb_plot(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                         const char *dir)
{
    if (!s || !r)
        return mn__error(ctx, MN_EINVAL, "plot: no absorb result to draw");
    size_t n = r->n_samples, nd = r->n_depth;
    mn_status st = MN_OK;
    double *hour = mn__calloc(n ? n : 1, sizeof(double));
    double *del = mn__calloc(n ? n : 1, sizeof(double));
    double *intact = mn__calloc(n ? n : 1, sizeof(double));
    double *depth = mn__calloc(nd ? nd : 1, sizeof(double));
    double *prof = mn__calloc(ABSORB_PROFILES * (nd ? nd : 1), sizeof(double));
    double *px = NULL, *py = NULL, *slice = NULL;
    double phour[ABSORB_PROFILES];
    mn_puncture_field own;
    mn_puncture_field_init(&own);
    if (!hour || !del || !intact || !depth || !prof)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        hour[i] = r->samples[i].hour;
        del[i] = r->samples[i].delivered_ug_cm2;
        intact[i] = r->samples[i].intact_ug_cm2;
    }
    for (size_t k = 0; k < nd; k++)
        depth[k] = 0.5 * (r->depth_top_um[k] + r->depth_top_um[k + 1]);
    /* Up to ABSORB_PROFILES report hours, spread over the run (always the last). */
    int np = n < ABSORB_PROFILES ? (int)n : ABSORB_PROFILES;
    for (int q = 0; q < np; q++) {
        size_t idx = np == 1 ? n - 1 : (size_t)q * (n - 1) / (size_t)(np - 1);
        phour[q] = r->samples[idx].hour;
        memcpy(prof + (size_t)q * nd, r->profile_ug_ml + idx * nd, nd * sizeof(double));
    }
    mn_plot_absorb a;
    memset(&a, 0, sizeof a);
    a.hour = hour;
    a.n = (int)n;
    a.delivered_ug_cm2 = del;
    a.intact_ug_cm2 = intact;
    a.depth_um = depth;
    a.n_depth = (int)nd;
    a.profile = prof;
    a.profile_hour = phour;
    a.n_profiles = nd ? np : 0;
    a.concentration_unit = "µg/ml";
    const mn_puncture_field *f = NULL;
    if (r->solver_field) {
        f = &r->field;
    } else if (s->device && r->params.punctures_per_cm2 > 0) {
        st = mn_puncture_field_generate(ctx, s->device, s->passes, s->glide_mm_s, 5000, 5000,
                                        s->seed, &own);
        if (st)
            goto done;
        f = &own;
    }
    if (f && f->n > 0) {
        px = mn__calloc(f->n, sizeof(double));
        py = mn__calloc(f->n, sizeof(double));
        if (!px || !py)
            goto oom;
        for (size_t i = 0; i < f->n; i++) {
            px[i] = f->points[i].x_um;
            py[i] = f->points[i].y_um;
        }
        a.puncture_x_um = px;
        a.puncture_y_um = py;
        a.n_punctures = (int)f->n;
        a.field_w_um = f->width_um;
        a.field_h_um = f->height_um;
        a.channel_radius_um = 0.5 * r->params.channel_diameter_um;
    }
    if (r->solver_field && r->volume_ug_ml && r->nx > 0 && r->ny > 0 && nd > 0) {
        size_t jm = r->ny / 2;
        slice = mn__calloc(r->nx * nd, sizeof(double));
        if (!slice)
            goto oom;
        for (size_t k = 0; k < nd; k++)
            for (size_t i = 0; i < r->nx; i++)
                slice[k * r->nx + i] = r->volume_ug_ml[(jm * r->nx + i) * nd + k];
        a.slice = slice;
        a.slice_nx = (int)r->nx;
        a.slice_nz = (int)nd;
        a.slice_w_um = (double)r->nx * r->dx_um;
        a.slice_depth_um = r->depth_top_um[nd];
        a.effective_concentration = r->coverage_threshold_ug_ml;
    }
    st = mn_plot_absorb_save(ctx, &a, dir);
    goto done;
oom:
    st = mn__error(ctx, MN_ENOMEM, "plot: out of memory for the absorb figures");
done:
    mn__free(hour);
    mn__free(del);
    mn__free(intact);
    mn__free(depth);
    mn__free(prof);
    mn__free(px);
    mn__free(py);
    mn__free(slice);
    mn_puncture_field_release(&own);
    return st;
}

/* ---------------------------------------------------------------------------------------- */
/* cohort                                                                                   */

mn_status mn_plot_cohort_save(mn_ctx *ctx, const mn_plot_cohort *co, const char *dir)
{
    mn_status st;
    if (!co)
        return mn__error(ctx, MN_EINVAL, "plot: no cohort results");
    if ((st = mn_plot_dir_check(ctx, dir)))
        return st;
    if (co->n_endpoints < 1 || !co->endpoint_day)
        return mn__error(ctx, MN_EINVAL, "plot: cohort results need endpoints");
    if (co->n_endpoints > MN_PLOT_MAX_GROUPS)
        return mn__error(ctx, MN_EINVAL, "plot: %d endpoints (at most %d in one figure)",
                         co->n_endpoints, MN_PLOT_MAX_GROUPS);
    char labels[MN_PLOT_MAX_GROUPS][32], thr[64];
    if (co->improvement_pct && co->n_patients > 0) {
        mn_plot_dist d;
        mn_plot_dist_init(&d);
        d.title = "Improvement across the virtual cohort";
        d.x_label = "endpoint (days after the first session)";
        d.y_label = "improvement (% of baseline severity)";
        d.footnote = "Simulated patients, not a trial result.";
        for (int e = 0; e < co->n_endpoints; e++) {
            snprintf(labels[e], sizeof labels[e], "day %.0f", co->endpoint_day[e]);
            d.groups[e] =
                (mn_plot_group){labels[e], co->improvement_pct + (size_t)e * (size_t)co->n_patients,
                                co->n_patients};
        }
        d.n_groups = co->n_endpoints;
        if (co->responder_threshold_pct > 0.0) {
            d.has_threshold = 1;
            d.threshold = co->responder_threshold_pct;
            snprintf(thr, sizeof thr, "responder: ≥ %.0f %%", co->responder_threshold_pct);
            d.threshold_label = thr;
        }
        if ((st = save_three(ctx, dist_fn, &d, dir, "improvement_distribution")))
            return st;
    }
    if (co->responder_fraction) {
        double pct[MN_PLOT_MAX_GROUPS];
        for (int e = 0; e < co->n_endpoints; e++)
            pct[e] = 100.0 * co->responder_fraction[e];
        char ylab[96];
        mn_plot_chart c;
        mn_plot_chart_init(&c);
        c.title = "Responder rate";
        c.x_label = "days after the first session";
        snprintf(ylab, sizeof ylab, "patients improved ≥ %.0f %% (%%)",
                 co->responder_threshold_pct);
        c.y_label = ylab;
        c.footnote = "Simulated patients, not a trial result.";
        c.y_min = 0.0;
        c.y_max = 100.0;
        c.series[0] = (mn_plot_series){"responders", co->endpoint_day, pct, NULL,
                                       NULL,         co->n_endpoints,  0,   MN_LINE_SOLID_POINTS};
        c.n_series = 1;
        if ((st = save_three(ctx, chart_fn, &c, dir, "responders")))
            return st;
    }
    return MN_OK;
}
