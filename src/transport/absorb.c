/*
 * The absorb solvers: grids for the intact column, the axisymmetric unit cell and the 3D
 * patch, the time march that records what the results report, and mn_absorb_run that puts
 * them together. Physics: transport/props.c; numerics: transport/adi.c.
 *
 * Depth grid: the domain is SC + viable epidermis + papillary + reticular dermis, with zero
 * concentration below (the perfused subcutis, a sink). Each layer is split into cells of at
 * most 2.5 µm (SC, at least 6 cells), 10 µm (VE), 25 µm (papillary) and 100 µm (reticular),
 * divided by the resolution factor, with a face at the channel bottom. A channel deeper than
 * the dermis reaches the sink.
 *
 * The film: the donor is a well-mixed liquid film of the applied volume. Open to air its
 * water evaporates at the rate props.c derives (occluded: none); before each step the film
 * thins by evaporation with its dissolved mass kept, so it concentrates; anything above the
 * solubility precipitates on the surface as solid, and solid redissolves while liquid is
 * left. Once the film holds less water than the stratum corneum under it (the SC's water
 * share, 0.3, times its thickness: ~4 um, 0.4 ul/cm2, on the cheek) it no longer wets the SC
 * as a solution: it concentrates no further in solution, and what evaporation would
 * concentrate above the level it had there joins the deposit [ASSUMPTION: a film near dryness
 * has little water to exchange with the SC's water, which the polar route and the SC's water
 * partition need; no measurement of where a drying aqueous film stops exchanging was found].
 * When the film is down to 0.1 % of its applied volume it has dried: what is still dissolved
 * in it joins the solid on the surface (a dry deposit is not taken up), and the thin film
 * left, a numerical floor that keeps the surface concentration defined, exchanges with the
 * skin from zero. Before, that floor stayed a saturated solution: for a solute whose
 * solubility is estimated at the 1,000 mg/ml cap it held up to 10 ug/cm2 in 0.01 ul/cm2 (the
 * whole of a 1 mg/ml x 10 ul/cm2 dose), which the SC's water share drew in for the rest of
 * the run: acetyl hexapeptide-8 on intact cheek took up 59 times more open to air than
 * occluded (2.75 against 0.0465 ug/cm2 at 24 h, 70 % of the dose in the SC). The film empties into
 * the channels only by diffusion into their fluid and their walls, so what goes in is bounded by
 * the channels' volume and the tissue's uptake. While it evaporates, steps are at most 1/25 of the
 * time it takes to dry, thin it by at most a quarter of what is left, and one ends on the moment it
 * dries (time_step).
 *
 * Time steps: 3e-3 h at the start (the SC's early transient), growing by 1.3 per step to at
 * most 1 h (0.25 h for the intact column, whose SC lag phase sets the baseline), and to a quarter
 * of the closure half-life while channels are more than 1 % open, all divided by the resolution
 * factor; steps land on every report hour, and the march goes on to the scenario's hours.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/internal.h"
#include "core/quantile.h"
#include "mneedle/rng.h"
#include "transport/absorb_internal.h"

/* Per-area amounts: (µg/cm³ µm³) / µm² = µg/cm³ µm = 1e-4 µg/cm². */
#define MN_UGCM3_UM_TO_UG_CM2 1e-4
/* Intact deliveries below this are reported as this when forming the enhancement ratio, so
 * the ratio stays finite for molecules that do not cross intact skin at all. */
#define MN_INTACT_FLOOR_UG_CM2 1e-20

static const double dz_max_um[MN__NLAYER] = {2.5, 10.0, 25.0, 100.0};
static const int layer_min_cells[MN__NLAYER] = {6, 3, 2, 3};

mn_status mn__absorb_zgrid(const mn_skin_layers *layers, double channel_depth_um, double resolution,
                           double **hz_out, int **layer_out, int *nz_out, int *kch_out)
{
    assert(layers != NULL && hz_out != NULL && layer_out != NULL && nz_out != NULL &&
           kch_out != NULL);
    double thick[MN__NLAYER] = {layers->sc_um, layers->ve_um, layers->papillary_um,
                                layers->reticular_um};
    if (!(resolution > 0))
        resolution = 1;
    /* Count first, then fill. */
    int count = 0;
    double top = 0;
    for (int pass = 0; pass < 2; pass++) {
        int n = 0;
        top = 0;
        int kch = 0;
        for (int L = 0; L < MN__NLAYER; L++) {
            assert(thick[L] > 0); /* every layer has a thickness (atlas.c) */
            double bottom = top + thick[L];
            double cuts[3] = {top, bottom, bottom};
            int ncut = 2;
            if (channel_depth_um > top + 1e-9 && channel_depth_um < bottom - 1e-9) {
                cuts[1] = channel_depth_um;
                cuts[2] = bottom;
                ncut = 3;
            }
            for (int sgm = 0; sgm + 1 < ncut; sgm++) {
                double len = cuts[sgm + 1] - cuts[sgm];
                int cells = (int)ceil(len * resolution / dz_max_um[L]);
                int min_cells = (int)ceil(layer_min_cells[L] * resolution * len / thick[L]);
                if (cells < min_cells)
                    cells = min_cells;
                if (NEVER(cells < 1)) /* len > 0: the channel cut lies inside the layer */
                    cells = 1;
                for (int m = 0; m < cells; m++) {
                    if (pass == 1) {
                        (*hz_out)[n] = len / cells;
                        (*layer_out)[n] = L;
                    }
                    n++;
                }
                if (channel_depth_um >= cuts[sgm + 1] - 1e-9)
                    kch = n;
            }
            top = bottom;
        }
        if (pass == 0) {
            count = n;
            *hz_out = mn__malloc((size_t)count * sizeof(double));
            *layer_out = mn__malloc((size_t)count * sizeof(int));
            if (!*hz_out || !*layer_out) {
                mn__free(*hz_out);
                mn__free(*layer_out);
                *hz_out = NULL;
                *layer_out = NULL;
                return MN_ENOMEM;
            }
        } else {
            assert(n == count && n > 0 && kch >= 0 && kch <= n); /* both passes cut alike */
            *nz_out = n;
            *kch_out = channel_depth_um > 0 ? kch : 0;
        }
    }
    return MN_OK;
}

void mn__absorb_set_physics(mn__adi *g, const mn_absorb_params *p, double dose_ul_cm2)
{
    /* Floors keep D*K positive (a conductance of exactly zero divides by zero) for molecules
     * that effectively do not cross the SC; 1e-200 µm²/h is far below any physical value. */
    assert(p->k_sc_w > 0 && p->k_ve_w > 0 && p->k_de_w > 0 && dose_ul_cm2 > 0);
    double d_sc = p->d_sc_um2_h > 1e-200 ? p->d_sc_um2_h : 1e-200;
    g->lay_k[0] = p->k_sc_w;
    g->lay_dk[0] = d_sc * p->k_sc_w;
    g->lay_k[1] = p->k_ve_w;
    g->lay_dk[1] = p->d_ve_um2_h * p->k_ve_w;
    g->lay_k[2] = g->lay_k[3] = p->k_de_w;
    g->lay_dk[2] = g->lay_dk[3] = p->d_de_um2_h * p->k_de_w;
    g->lay_kcl[0] = g->lay_kcl[1] = 0;
    g->lay_kcl[2] = g->lay_kcl[3] = p->clearance_per_h;
    /* No lateral transport inside the SC: lateral SC diffusion is negligible (D_sc K is 5-10
     * orders below the aqueous value), and dropping it keeps the channel wall in the SC from
     * coupling the stiffest cells sideways; both solvers drop it so they share one physics. */
    g->lat_scale[0] = 0;
    g->lat_scale[1] = g->lat_scale[2] = g->lat_scale[3] = 1;
    g->ch_k = 1.0;
    g->ch_dk = p->d_aq_um2_h;
    g->donor_h_um = dose_ul_cm2 * 10.0; /* 1 µl/cm² = 1e-3 cm = 10 µm */
    g->bottom_sink = 1;
}

static mn_status alloc_axis(size_t n, double **h, double **v, double **af)
{
    *h = mn__calloc(n, sizeof(double));
    *v = mn__calloc(n, sizeof(double));
    *af = mn__calloc(n + 1, sizeof(double));
    return *h && *v && *af ? MN_OK : MN_ENOMEM;
}

static mn_status unit_axis(double **h, double **v, double **af)
{
    mn_status st = alloc_axis(1, h, v, af);
    if (st)
        return st;
    (*h)[0] = (*v)[0] = 1;
    return MN_OK;
}

mn_status mn__absorb_intact_grid(mn_ctx *ctx, const mn_absorb_scenario *s,
                                 const mn_absorb_params *p, mn__adi *g)
{
    memset(g, 0, sizeof *g);
    int kch;
    /* One column is cheap: four times the depth resolution, so that the SC resolves the
     * short pulse of a film concentrating as it dries. */
    double zres = 4 * (s->resolution > 0 ? s->resolution : 1);
    mn_status st = mn__absorb_zgrid(&p->layers, 0, zres, &g->hz, &g->layer, &g->nz, &kch);
    if (!st)
        st = unit_axis(&g->hx, &g->vx, &g->afx);
    if (!st)
        st = unit_axis(&g->hy, &g->vy, &g->afy);
    g->nx = g->ny = 1;
    mn__absorb_set_physics(g, p, s->dose_ul_cm2);
    if (!st)
        st = mn__adi_alloc(g);
    if (st)
        return mn__error(ctx, st, "absorb: out of memory for the intact-skin grid");
    g->u[g->ncell] = p->donor_conc_ug_ml;
    return MN_OK;
}

/* Widths of n cells over a length len growing geometrically from first width h0 (or shrinking
 * where n cells of h0 would overrun len). Where they would have to shrink by more than half
 * from each cell to the next (a ring much narrower than h0, as when dense needling and the
 * band's wider channels leave the unit cell little skin outside its channel), the cells are
 * equal instead: the ratio would otherwise fall towards 0 and leave cells of 1e-20 um, on
 * which the solve is no longer finite. */
#define GEOMETRIC_MIN_RATIO 0.5
static void geometric(double *h, int n, double h0, double len)
{
    assert(n > 0 && h0 > 0 && len > 0);
    double at_min = 0, w_min = h0;
    for (int m = 0; m < n; m++, w_min *= GEOMETRIC_MIN_RATIO)
        at_min += w_min;
    if (at_min >= len) {
        for (int m = 0; m < n; m++)
            h[m] = len / n;
        return;
    }
    double lo = 1e-3, hi = 10.0;
    for (int it = 0; it < 200; it++) {
        double q = 0.5 * (lo + hi), sum = 0, w = h0;
        for (int m = 0; m < n; m++, w *= q)
            sum += w;
        if (sum > len)
            hi = q;
        else
            lo = q;
    }
    double q = 0.5 * (lo + hi), w = h0, sum = 0;
    for (int m = 0; m < n; m++, w *= q) {
        h[m] = w;
        sum += w;
    }
    for (int m = 0; m < n; m++)
        h[m] *= len / sum; /* exact total */
}

/* Releases a grid whose set-up failed and records why. */
static mn_status grid_fail(mn_ctx *ctx, mn__adi *g, mn_status st, const char *what)
{
    mn__adi_free(g);
    return mn__error(ctx, st, "absorb: out of memory for the %s grid", what);
}

/* The last steps every punctured grid shares once its geometry is laid out: the physics,
 * the solver's arrays (and its cached coefficients for the unit cell) and the donor. */
static mn_status grid_finish(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_params *p,
                             mn__adi *g, int cache, const char *what)
{
    g->phi = 1;
    /* The open channel is a cone (device.h): its share of a cell's area at depth z is
     * (1 - z / depth)^2, averaged over the cell exactly, so its volume is pi r0^2 depth / 3. */
    g->zsh = mn__calloc((size_t)g->nz, sizeof(double));
    if (!g->zsh)
        return grid_fail(ctx, g, MN_ENOMEM, what);
    double top = 0, depth = p->open_depth_um;
    for (int k = 0; k < g->nz; k++) {
        double a = top / depth, b = (top + g->hz[k]) / depth;
        if (b <= 1 + 1e-12) {
            double qa = 1 - a, qb = b < 1 ? 1 - b : 0;
            g->zsh[k] = (qa * qa * qa - qb * qb * qb) / (3 * (b - a));
        }
        top += g->hz[k];
    }
    mn__absorb_set_physics(g, p, s->dose_ul_cm2);
    mn_status st = mn__adi_alloc(g);
    if (!st && cache)
        st = mn__adi_cache(g);
    if (st)
        return grid_fail(ctx, g, st, what);
    g->u[g->ncell] = p->donor_conc_ug_ml;
    return MN_OK;
}

mn_status mn__absorb_cell_grid(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_params *p,
                               mn__adi *g)
{
    memset(g, 0, sizeof *g);
    double res = s->resolution > 0 ? s->resolution : 1;
    double r0 = 0.5 * p->channel_diameter_um, rc = p->cell_radius_um;
    int n_in = (int)ceil(3 * res), n_out = (int)ceil(9 * res);
    /* Only punctured skin gets a unit cell, and its radius is at least 1.05 channel radii
     * (props.c). */
    assert(r0 > 0 && rc > r0 && p->open_depth_um > 0);
    int kch;
    mn_status st =
        mn__absorb_zgrid(&p->layers, p->open_depth_um, res, &g->hz, &g->layer, &g->nz, &kch);
    g->nx = n_in + n_out;
    g->ny = 1;
    if (!st)
        st = alloc_axis((size_t)g->nx, &g->hx, &g->vx, &g->afx);
    if (!st)
        st = unit_axis(&g->hy, &g->vy, &g->afy);
    if (!st) {
        g->cov = mn__calloc((size_t)g->nx, sizeof(float));
        g->kch = mn__calloc((size_t)g->nx, sizeof(int));
        if (!g->cov || !g->kch)
            st = MN_ENOMEM;
    }
    if (st)
        return grid_fail(ctx, g, st, "unit-cell");
    for (int i = 0; i < n_in; i++)
        g->hx[i] = r0 / n_in;
    geometric(g->hx + n_in, n_out, r0 / n_in, rc - r0);
    double r = 0;
    for (int i = 0; i < g->nx; i++) {
        g->afx[i] = 2 * MN__PI * r;
        double r1 = r + g->hx[i];
        g->vx[i] = MN__PI * (r1 * r1 - r * r);
        r = r1;
        g->cov[i] = i < n_in ? 1.0f : 0.0f;
        g->kch[i] = i < n_in ? kch : 0;
    }
    g->afx[g->nx] = 2 * MN__PI * r;
    return grid_finish(ctx, s, p, g, 1, "unit-cell");
}

mn_status mn__absorb_field_limit(mn_ctx *ctx, const mn_absorb_scenario *s, int nx, int ny, int nz)
{
    double cells = (double)nx * ny * nz;
    if (cells <= MN_ABSORB_FIELD_MAX_CELLS)
        return MN_OK;
    /* Like every input error: the file and the place (the patch's keys decide the size). */
    return mn__error(ctx, MN_ELIMIT,
                     "%s: $.field: the 3D grid would have %.3g cells (%d x %d laterally x %d in "
                     "depth); at most %.3g: use a larger $.field.dx_um (now %g um) or a smaller "
                     "$.field.width_um x height_um (now %g x %g um)",
                     s->source[0] ? s->source : "absorb scenario", cells, nx, ny, nz,
                     MN_ABSORB_FIELD_MAX_CELLS, s->field_dx_um, s->field_width_um,
                     s->field_height_um);
}

mn_status mn__absorb_field_grid(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_params *p,
                                const mn_puncture_field *f, mn__adi *g)
{
    memset(g, 0, sizeof *g);
    double dx = s->field_dx_um;
    int nx = (int)lround(f->width_um / dx), ny = (int)lround(f->height_um / dx);
    if (nx < 1 || ny < 1)
        return mn__error(ctx, MN_EINVAL, "absorb: patch smaller than one cell");
    int kch;
    mn_status st = mn__absorb_zgrid(&p->layers, p->open_depth_um, s->resolution, &g->hz, &g->layer,
                                    &g->nz, &kch);
    if (st)
        return mn__error(ctx, st, "absorb: out of memory for the depth grid");
    if ((st = mn__absorb_field_limit(ctx, s, nx, ny, g->nz))) {
        mn__adi_free(g);
        return st;
    }
    g->nx = nx;
    g->ny = ny;
    st = alloc_axis((size_t)nx, &g->hx, &g->vx, &g->afx);
    if (!st)
        st = alloc_axis((size_t)ny, &g->hy, &g->vy, &g->afy);
    size_t ncol = (size_t)nx * (size_t)ny;
    if (!st) {
        g->cov = mn__calloc(ncol, sizeof(float));
        g->kch = mn__calloc(ncol, sizeof(int));
        if (!g->cov || !g->kch)
            st = MN_ENOMEM;
    }
    if (st)
        return grid_fail(ctx, g, st, "3D");
    for (int i = 0; i < nx; i++) {
        g->hx[i] = g->vx[i] = dx;
        g->afx[i] = 1;
    }
    g->afx[nx] = 1;
    for (int j = 0; j < ny; j++) {
        g->hy[j] = g->vy[j] = dx;
        g->afy[j] = 1;
    }
    g->afy[ny] = 1;
    /* Area each channel covers in each column, by 4 x 4 sub-samples; overlapping channels
     * add up to at most the whole column. */
    double r0 = 0.5 * p->channel_diameter_um;
    if (kch > 0 && r0 > 0) {
        for (size_t n = 0; n < f->n; n++) {
            double cx = f->points[n].x_um, cy = f->points[n].y_um;
            int i0 = (int)floor((cx - r0) / dx), i1 = (int)floor((cx + r0) / dx);
            int j0 = (int)floor((cy - r0) / dx), j1 = (int)floor((cy + r0) / dx);
            for (int j = j0 < 0 ? 0 : j0; j <= j1 && j < ny; j++)
                for (int i = i0 < 0 ? 0 : i0; i <= i1 && i < nx; i++) {
                    int inside = 0;
                    for (int sy = 0; sy < 4; sy++)
                        for (int sx = 0; sx < 4; sx++) {
                            double px = (i + (sx + 0.5) / 4) * dx - cx;
                            double py = (j + (sy + 0.5) / 4) * dx - cy;
                            inside += px * px + py * py <= r0 * r0;
                        }
                    if (!inside)
                        continue;
                    size_t c = (size_t)j * (size_t)nx + (size_t)i;
                    float cv = g->cov[c] + (float)inside / 16.0f;
                    g->cov[c] = cv > 1.0f ? 1.0f : cv;
                    g->kch[c] = kch;
                }
        }
    }
    return grid_finish(ctx, s, p, g, 0, "3D");
}

void mn__series_release(mn__series *s)
{
    double *p[] = {s->donor,         s->sc,      s->ve,    s->dermis, s->cleared, s->coverage,
                   s->open_fraction, s->profile, s->solid, s->film,   s->fq,      s->fr};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        mn__free(p[i]);
    memset(s, 0, sizeof *s);
}

/* The film on the surface (engine units: µm, µg/cm³ µm³). */
typedef struct {
    double h0, floor, evap_um_h, dry_h, sol, solid;
    double wet_um; /* below this thickness the film no longer wets the SC (see the top) */
    double c_wet;  /* its concentration when it reached wet_um (HUGE_VAL before) */
} film_state;

/* The hour the film open to air reaches its dry floor (HUGE_VAL occluded): it thins
 * linearly, h(t) = h0 - e t, to MN_FILM_DRY_FRACTION of h0. time_step() lands a step on it. */
double mn__absorb_film_dry_h(const mn_absorb_scenario *s, const mn_absorb_params *p)
{
    if (!(p->evaporation_ul_cm2_h > 0))
        return HUGE_VAL;
    return s->dose_ul_cm2 * (1 - MN_FILM_DRY_FRACTION) / p->evaporation_ul_cm2_h;
}

/* The hour a film open to air thins to the water the SC holds under it (film_state.wet_um),
 * HUGE_VAL occluded or applied thinner; time_step() lands a step on it, so that the level the
 * film keeps from then on does not depend on where steps fall. */
static double film_wet_h(const mn_absorb_scenario *s, const mn_absorb_params *p)
{
    double wet_ul = MN_SC_WATER_SHARE * p->layers.sc_um / 10.0; /* 10 um = 1 ul/cm2 */
    if (!(p->evaporation_ul_cm2_h > 0) || s->dose_ul_cm2 <= wet_ul)
        return HUGE_VAL;
    return (s->dose_ul_cm2 - wet_ul) / p->evaporation_ul_cm2_h;
}

static void film_init(mn__adi *g, const mn_absorb_scenario *s, const mn_absorb_params *p,
                      film_state *f)
{
    f->h0 = g->donor_h_um;
    f->floor = MN_FILM_DRY_FRACTION * f->h0;
    f->evap_um_h = p->evaporation_ul_cm2_h * 10.0; /* 1 µl/cm² = 10 µm */
    f->dry_h = mn__absorb_film_dry_h(s, p);
    f->sol = p->solubility_ug_ml;
    f->solid = 0;
    f->wet_um = MN_SC_WATER_SHARE * p->layers.sc_um;
    f->c_wet = HUGE_VAL;
    double ud = g->u[g->ncell];
    if (ud > f->sol) { /* applied above its solubility: the excess is a suspension */
        f->solid = (ud - f->sol) * g->donor_h_um * g->area_um2;
        g->u[g->ncell] = f->sol;
    }
    if (f->evap_um_h > 0 && f->h0 <= f->wet_um) /* applied thinner than that already */
        f->c_wet = g->u[g->ncell];
}

/* The film over the step ending at hour @p t1, before the transport step: evaporation to
 * its thickness at t1, h0 - e t1 (the floor from the drying hour on, which a step ends on
 * exactly); below wet_um no concentration beyond c_wet, and at the floor nothing left
 * dissolved (see the top); then precipitation or dissolution at the solubility. Mass in film
 * + solid is unchanged. */
static void film_step(mn__adi *g, film_state *f, double t1)
{
    double area = g->area_um2, h = g->donor_h_um, ud = g->u[g->ncell];
    if (f->evap_um_h > 0 && h > f->floor) {
        double h1 = t1 >= f->dry_h - 1e-12 ? f->floor : f->h0 - f->evap_um_h * t1;
        if (h1 < f->floor)
            h1 = f->floor;
        if (h1 < f->wet_um * (1 - 1e-9) && f->c_wet == HUGE_VAL) /* its level at wet_um */
            f->c_wet = (ud * h / f->wet_um < f->sol ? ud * h / f->wet_um : f->sol);
        ud *= h / h1;
        h = h1;
        g->donor_h_um = h1;
        if (ud > f->c_wet) {
            f->solid += (ud - f->c_wet) * h * area;
            ud = f->c_wet;
        }
        if (h1 <= f->floor) { /* dried */
            f->solid += ud * h * area;
            ud = 0;
        }
    }
    if (ud > f->sol) {
        f->solid += (ud - f->sol) * h * area;
        ud = f->sol;
    } else if (f->solid > 0 && h > f->floor && h >= f->wet_um) {
        double take = (f->sol - ud) * h * area;
        if (take > f->solid)
            take = f->solid;
        f->solid -= take;
        ud += take / (h * area);
    }
    g->u[g->ncell] = ud;
}

static void record(mn__adi *g, mn__series *out, size_t m, double m0, double threshold, double *by_k,
                   const film_state *f)
{
    assert(m < out->n && by_k != NULL && m0 > 0);
    double per_area = MN_UGCM3_UM_TO_UG_CM2 / g->area_um2;
    double tissue = mn__adi_tissue_mass(g, by_k);
    double sums[MN__NLAYER] = {0, 0, 0, 0};
    for (int k = 0; k < g->nz; k++) {
        sums[g->layer[k]] += by_k[k];
        out->profile[m * (size_t)g->nz + (size_t)k] = by_k[k] / (g->area_um2 * g->hz[k]);
    }
    double donor = mn__adi_donor_mass(g);
    out->donor[m] = donor * per_area;
    out->sc[m] = sums[0] * per_area;
    out->ve[m] = sums[1] * per_area;
    out->dermis[m] = (sums[2] + sums[3]) * per_area;
    out->cleared[m] = g->removed * per_area;
    out->coverage[m] = mn__adi_coverage(g, 2, threshold);
    out->open_fraction[m] = g->cov ? g->phi : 0;
    out->solid[m] = f->solid * per_area;
    out->film[m] = g->donor_h_um / 10.0;
    double err = fabs(donor + f->solid + tissue + g->removed - m0) / m0;
    /* Each step conserves mass to rounding (adi.h); a larger error is a bug in the solver.
     * NaN passes: the caller reports non-finite values as MN_ENUMERIC. */
    assert(!(err > 1e-6));
    if (!(err <= out->mass_balance_error)) /* also catches NaN */
        out->mass_balance_error = err;
}

/* The march's step from hour @p t: it grows by MN_STEP_GROWTH a step from MN_FIRST_STEP_H, up
 * to a cap (1 h on a punctured grid, 0.25 h on the intact column, whose small steps resolve
 * the stratum corneum's lag phase, and half the closure half-life while channels are open),
 * all divided by the resolution factor, and lands exactly on the next report hour. The march
 * and mn_absorb_estimate() both take it, so the estimate counts the steps the run takes. */
#define MN_FIRST_STEP_H 3e-3
#define MN_STEP_GROWTH  1.3
/* While the film evaporates, a step thins it by at most this share of what is left, so that
 * it concentrates by at most 1 / (1 - 0.25) = 1.33x in one step before the transport step
 * takes anything out (film_step runs first). Without it the step that reached the dry floor
 * (1/25 of the drying time, 4 % of the applied volume, ending at 0.1 %) concentrated the film
 * up to 40x at once, and what that pushed over the solubility stayed as a dry deposit: HA
 * 5 kDa at 10 mg/ml, 10 ul/cm2, Dermapen 4 at 0.25 mm x 2, open to air, left 0.37 ug/cm2
 * solid at 24 h with report hours [0.25, 1, 24] and none with [1, 24]; at 100 mg/ml 7-9 % of
 * the dose, and 17-32 ug/cm2 still at resolution 4. A numerical choice, not a physical value,
 * and a trade between the report-hour dependence it leaves and the steps it costs. Where the
 * film dries slowly into few channels (dermaroller 192 x 5 on the cheek, open, 24 h: HA 5 kDa
 * 10 mg/ml at 0.25 and 2 mm, vitamin C 15 % at 0.5 mm), against a reference at resolution 4
 * with a share of 0.02 (47.59, 76.35 and 867.8 ug/cm2), resolution 1 delivers 0.97, 0.71 and
 * 3.6 % of the dose less with 0.25 and 1.75, 1.39 and 2.5 % less with 0.1: the ordinary step
 * error, about the same either way. The two report-hour sets differ by at most 0.15 % of the
 * dose with 0.25 (the 2 mm roller) and 0.04 % with 0.1; both pen cases above agree to 1e-7.
 * 0.25 costs ln(0.4 / 0.001) / -ln(0.75) = 21 steps to the floor below 40 % of the volume,
 * 0.1 costs 57, where the 25-step cap took 10: 224 steps in all for these cases (intact
 * column and unit cell together) against 290 with 0.1 and 196 before, which kept the
 * open-to-air unit cell within its 5 ms (bench_absorb: 4.5-4.6 ms best against 6.3-7.5 ms
 * with 0.1, load average 2), timed before the direct solver held its factor between steps
 * (about 2 ms best since: docs/models/transport.md, Performance). */
#define MN_FILM_THIN_STEP 0.25
/* The 3D patch's split step moves solute from the film into a channel only in its z sweep
 * and out through the channel's wall only in its lateral sweeps, so in one step a channel
 * passes into the tissue beside it at most what it holds. While the film still feeds the
 * channels that throttles uptake through narrow channels: on a hexagonal lattice at the
 * default steps the 3D patch delivered 12 % less than the unit cell (exact in time: one
 * direct solve) at 1 h through the pen's 101 um cones and 60 % less through 40 um cones,
 * unchanged by a finer grid, and 1.8 % and 7 % less with steps of 0.01 and 0.002 h: a
 * splitting error. So while the film drains, 3D steps are capped at the time the tissue
 * takes to diffuse across a channel's surface radius, r0^2 / D, and that lasts
 * MN_SPLIT_DRAIN_SPAN times the film's drainage time through the openings' access
 * conductance, h_film / (n 4 r0 D K) (a disk of radius r0 on a half-space conducts 4 r0 D
 * K), both with the larger of the viable epidermis' and dermis' D and K. */
#define MN_SPLIT_DRAIN_SPAN 10.0
static double split_cap_h(const mn_absorb_scenario *s, const mn_absorb_params *p, double t)
{
    double r0 = 0.5 * p->channel_diameter_um;
    double d = p->d_ve_um2_h > p->d_de_um2_h ? p->d_ve_um2_h : p->d_de_um2_h;
    double k = p->k_ve_w > p->k_de_w ? p->k_ve_w : p->k_de_w;
    double n_um2 = p->punctures_per_cm2 * 1e-8;
    if (!(r0 > 0 && d > 0 && n_um2 > 0))
        return HUGE_VAL;
    double drain_h = s->dose_ul_cm2 * 10.0 / (n_um2 * 4 * r0 * d * k);
    return t < MN_SPLIT_DRAIN_SPAN * drain_h ? r0 * r0 / d : HUGE_VAL;
}

/* kind: 0 intact column, 1 unit cell (direct solve), 2 3D patch (split step). */
static double time_step(const mn_absorb_scenario *s, const mn_absorb_params *p, int kind, double t,
                        double *dt, double next_report)
{
    int punctured = kind > 0;
    double res = s->resolution > 0 ? s->resolution : 1;
    double dt_max = (punctured ? 1.0 : 0.25) / res;
    double phi_now = punctured ? mn_absorb_open_fraction(p, t) : 0;
    if (!p->franz && phi_now > 0.01 && p->closure_half_life_h / 2 / res < dt_max)
        dt_max = p->closure_half_life_h / 2 / res;
    /* While the film evaporates (it thins linearly: film_step), at least 25 steps until it
     * is dry; each step thins it by at most MN_FILM_THIN_STEP of what is left (a cap on this
     * step only, so that the steps after drying grow from the 25-step cap as before), and a
     * step ends on the drying hour. */
    double dry_h = mn__absorb_film_dry_h(s, p), thin_cap = HUGE_VAL;
    if (t < dry_h - 1e-12) {
        double e = p->evaporation_ul_cm2_h;
        double cap = 0.04 * s->dose_ul_cm2 / e / res;
        if (cap < dt_max)
            dt_max = cap;
        thin_cap = MN_FILM_THIN_STEP * (s->dose_ul_cm2 - e * t) / e / res;
        if (dry_h < next_report)
            next_report = dry_h;
        double wet_h = film_wet_h(s, p);
        if (t < wet_h - 1e-12 && wet_h < next_report)
            next_report = wet_h;
    }
    if (kind == 2 && phi_now > 0.01) {
        double cap = split_cap_h(s, p, t) / res;
        if (cap < dt_max)
            dt_max = cap;
    }
    if (*dt > dt_max)
        *dt = dt_max;
    double step = *dt < thin_cap ? *dt : thin_cap;
    if (t + step >= next_report - 1e-12)
        step = next_report - t;
    return step;
}

/* The steps time_step() takes over the scenario's report hours and on to its hours (the flux
 * summary samples the whole run). */
static double count_steps(const mn_absorb_scenario *s, const mn_absorb_params *p, int kind)
{
    double res = s->resolution > 0 ? s->resolution : 1;
    double t = 0, dt = MN_FIRST_STEP_H / res, steps = 0;
    size_t next = 0;
    while (next < s->n_report || t < s->hours - 1e-12) {
        t += time_step(s, p, kind, t, &dt, next < s->n_report ? s->report_hours[next] : s->hours);
        steps++;
        while (next < s->n_report && t >= s->report_hours[next] - 1e-12)
            next++;
        dt *= MN_STEP_GROWTH;
    }
    return steps;
}

mn_status mn__absorb_march(mn_ctx *ctx, mn__adi *g, const mn_absorb_scenario *s,
                           const mn_absorb_params *p, double threshold, mn_progress_fn progress,
                           void *userdata, mn__series *out)
{
    return mn__absorb_march_until(ctx, g, s, p, threshold, progress, userdata, NULL, NULL, out);
}

mn_status mn__absorb_march_until(mn_ctx *ctx, mn__adi *g, const mn_absorb_scenario *s,
                                 const mn_absorb_params *p, double threshold,
                                 mn_progress_fn progress, void *userdata, mn_stop_fn stop,
                                 void *stop_ud, mn__series *out)
{
    memset(out, 0, sizeof *out);
    size_t n = s->n_report;
    out->n = n;
    out->nz = g->nz;
    double **arrs[] = {&out->donor,         &out->sc,      &out->ve,
                       &out->dermis,        &out->cleared, &out->coverage,
                       &out->open_fraction, &out->solid,   &out->film};
    for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++)
        if (!(*arrs[i] = mn__calloc(n ? n : 1, sizeof(double))))
            goto nomem;
    out->profile = mn__calloc((n ? n : 1) * (size_t)g->nz, sizeof(double));
    double *by_k = mn__calloc((size_t)g->nz, sizeof(double));
    if (!out->profile || !by_k) {
        mn__free(by_k);
        goto nomem;
    }
    double res = s->resolution > 0 ? s->resolution : 1;
    double m0 = mn__adi_donor_mass(g) + mn__adi_tissue_mass(g, NULL);
    film_state film;
    film_init(g, s, p, &film);
    double t = 0, dt = MN_FIRST_STEP_H / res;
    size_t next = 0, nf = mn__absorb_flux_grid_n(s->hours), fi = 1;
    out->nf = nf;
    out->fq = mn__calloc(nf + 1, sizeof(double));
    out->fr = mn__calloc(nf + 1, sizeof(double));
    if (!out->fq || !out->fr) {
        mn__free(by_k);
        goto nomem;
    }
    double per_area = MN_UGCM3_UM_TO_UG_CM2 / g->area_um2, q_prev = 0, r_prev = 0;
    while (next < n || t < s->hours - 1e-12) {
        int kind = g->cov == NULL ? 0 : g->ny > 1 ? 2 : 1; /* ny == 1: the direct solve */
        double step = time_step(s, p, kind, t, &dt, next < n ? s->report_hours[next] : s->hours);
        assert(step > 0); /* a report hour within 1e-12 h of t was recorded below */
        if (g->cov)
            mn__adi_set_phi(g, mn_absorb_open_fraction(p, t + step));
        film_step(g, &film, t + step);
        mn__adi_step(g, step);
        out->steps++;
        t += step;
        if (!isfinite(g->u[g->ncell])) {
            mn__free(by_k);
            mn__series_release(out);
            return mn__error(ctx, MN_ENUMERIC, "absorb: the solution became non-finite at %g h", t);
        }
        /* The flux grid's samples in (t - step, t], linear in between (an implicit step moves
         * its amount at one rate). */
        double t0 = t - step, q = 0, rr = g->removed * per_area;
        mn__adi_tissue_mass(g, by_k);
        for (int k = 0; k < g->nz; k++)
            if (g->layer[k] > 0)
                q += by_k[k] * per_area;
        q += rr;
        for (; fi <= nf && mn__absorb_flux_grid_h(s->hours, fi) <= t + 1e-12; fi++) {
            double w = (mn__absorb_flux_grid_h(s->hours, fi) - t0) / step;
            w = w < 0 ? 0 : w > 1 ? 1 : w;
            out->fq[fi] = q_prev + w * (q - q_prev);
            out->fr[fi] = r_prev + w * (rr - r_prev);
        }
        q_prev = q;
        r_prev = rr;
        while (next < n && t >= s->report_hours[next] - 1e-12)
            record(g, out, next++, m0, threshold, by_k, &film);
        if (progress)
            progress(userdata, t / s->hours);
        if (stop && (next < n || t < s->hours - 1e-12) && stop(stop_ud)) {
            mn__free(by_k);
            mn__series_release(out);
            return mn__error(ctx, MN_ESTOPPED, "absorb: stopped at %.3g of %g simulated hours", t,
                             s->hours);
        }
        dt *= MN_STEP_GROWTH;
    }
    for (; fi <= nf; fi++) { /* the last sample lies on the last step (to rounding) */
        out->fq[fi] = q_prev;
        out->fr[fi] = r_prev;
    }
    mn__free(by_k);
    return MN_OK;
nomem:
    mn__series_release(out);
    return mn__error(ctx, MN_ENOMEM, "absorb: out of memory for the results");
}

void mn_absorb_result_init(mn_absorb_result *r)
{
    if (!r)
        return;
    memset(r, 0, sizeof *r);
    mn_puncture_field_init(&r->field);
}

void mn_absorb_result_release(mn_absorb_result *r)
{
    if (!r)
        return;
    mn__free(r->samples);
    mn__free(r->depth_top_um);
    mn__free(r->depth_layer);
    mn__free(r->profile_ug_ml);
    mn__free(r->intact_profile_ug_ml);
    mn__free(r->volume_ug_ml);
    mn_puncture_field_release(&r->field);
    mn_absorb_result_init(r);
}

/* The checks every entry point makes before it sizes or runs anything. */
static mn_status check_scenario(mn_ctx *ctx, const mn_absorb_scenario *s)
{
    if (!(s->hours > 0 && s->hours <= MN_ABSORB_MAX_HOURS) || s->n_report < 1 || !s->report_hours)
        return mn__error(ctx, MN_EINVAL, "absorb: need 0 < hours <= %g and report hours",
                         MN_ABSORB_MAX_HOURS);
    for (size_t i = 0; i < s->n_report; i++)
        if (!(s->report_hours[i] > 0 && s->report_hours[i] <= s->hours) ||
            (i > 0 && !(s->report_hours[i] > s->report_hours[i - 1])))
            return mn__error(ctx, MN_ERANGE,
                             "absorb: report hours must increase within (0, hours]");
    if (s->field && !(s->field_dx_um >= 1 && s->field_width_um > 0 && s->field_height_um > 0))
        return mn__error(ctx, MN_ERANGE, "absorb: 3D patch needs dx >= 1 um and a positive size");
    return MN_OK;
}

/* Progress split between the intact run (first 2 %) and the main run. */
typedef struct {
    mn_progress_fn fn;
    void *ud;
    double lo, span;
} progress_map;

static void progress_mapped(void *ud, double fraction)
{
    progress_map *m = ud;
    if (m->fn)
        m->fn(m->ud, m->lo + m->span * fraction);
}

/* Multipliers on the uncertain parameters for one run of the band (1 = as computed). */
typedef struct {
    double closure, open_depth, tissue_d, kp, k_sc, clearance, evaporation, diameter;
} perturbation;

static void perturb(mn_absorb_params *p, const perturbation *m)
{
    p->closure_half_life_h *= m->closure;
    p->open_depth_um *= m->open_depth;
    if (p->open_depth_um > p->channel_depth_um)
        p->open_depth_um = p->channel_depth_um;
    p->d_ve_um2_h *= m->tissue_d;
    p->d_de_um2_h *= m->tissue_d;
    p->kp_cm_h *= m->kp;
    p->kp_lipid_cm_h *= m->kp;
    p->kp_polar_cm_h *= m->kp;
    p->k_sc_w *= m->k_sc;
    p->d_sc_um2_h = p->kp_cm_h * 1e4 * p->layers.sc_um / p->k_sc_w;
    p->clearance_per_h *= m->clearance;
    p->evaporation_ul_cm2_h *= m->evaporation;
    p->channel_diameter_um *= m->diameter;
    /* The unit cell stays wider than its channel (props.c). */
    if (p->cell_radius_um > 0 && 0.5 * p->channel_diameter_um * 1.05 >= p->cell_radius_um)
        p->channel_diameter_um = p->cell_radius_um / 0.53;
}

static mn_status run_core(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                          mn_stop_fn stop, void *userdata, mn_absorb_result *r,
                          const perturbation *pert);

/* A log-normal multiplier with median `mid` whose 10th and 90th percentiles are lo and hi. */
static double draw(mn_rng *rng, double mid, double lo, double hi)
{
    double sigma = log(hi / lo) / (2 * 1.2815515655446004);
    return mid * exp(sigma * mn_rng_normal(rng));
}

/* The 10-90 % band: unit-cell runs with the uncertain parameters drawn from their stated
 * ranges (docs/models/transport.md, "Band"), reproducibly from the scenario's seed. */
static mn_status band(mn_ctx *ctx, const mn_absorb_scenario *s, mn_absorb_result *r)
{
    size_t n = (size_t)s->band_runs, ns = r->n_samples;
    const mn_absorb_params *p = &r->params;
    double *del = mn__calloc(n * ns, sizeof(double)), *enh = mn__calloc(n * ns, sizeof(double));
    double *rec = mn__calloc(n * ns, sizeof(double)), *skn = mn__calloc(n * ns, sizeof(double));
    double *col = mn__calloc(n, sizeof(double));
    if (!del || !enh || !rec || !skn || !col) {
        mn__free(del);
        mn__free(enh);
        mn__free(rec);
        mn__free(skn);
        mn__free(col);
        return mn__error(ctx, MN_ENOMEM, "absorb: out of memory for the band");
    }
    mn_absorb_scenario one = *s;
    one.field = 0;
    mn_rng rng;
    mn_rng_init(&rng, s->seed, 17);
    mn_status st = MN_OK;
    for (size_t b = 0; b < n && !st; b++) {
        perturbation m;
        m.closure = draw(&rng, 1, p->closure_half_life_lo_h / p->closure_half_life_h,
                         p->closure_half_life_hi_h / p->closure_half_life_h);
        m.open_depth = p->open_depth_um > 0 ? draw(&rng, 1, p->open_depth_lo_um / p->open_depth_um,
                                                   p->open_depth_hi_um / p->open_depth_um)
                                            : 1;
        m.tissue_d = draw(&rng, 1, 0.1, 2.5);        /* 0.02-0.5 D_aq around 0.2 (props.c) */
        m.kp = draw(&rng, 1, 1.0 / 3.0, 3.0);        /* scatter ~x3 (F65, F67, polar route) */
        m.k_sc = draw(&rng, 1, 0.4, 2.5);            /* x2.5 (Nitsche & Kasting 2018) */
        m.clearance = draw(&rng, 1, 1.0 / 3.0, 3.3); /* blood flow 1-10 vs 3 ml/min/100 g */
        m.evaporation = draw(&rng, 0.71, 0.5, 1.0);  /* the rate is an upper estimate */
        m.diameter = draw(&rng, 1, 0.82, 1.18);      /* F40b: 70.7 +/- 9.9 um */
        mn_absorb_result t;
        st = run_core(ctx, &one, NULL, NULL, NULL, &t, &m);
        if (!st)
            for (size_t k = 0; k < ns; k++) {
                del[k * n + b] = t.samples[k].delivered_ug_cm2;
                enh[k * n + b] = t.samples[k].enhancement;
                rec[k * n + b] = t.samples[k].receptor_ratio;
                skn[k * n + b] = t.samples[k].skin_ratio;
            }
        mn_absorb_result_release(&t);
    }
    for (size_t k = 0; k < ns && !st; k++) {
        mn_absorb_sample *x = &r->samples[k];
        memcpy(col, del + k * n, n * sizeof(double));
        qsort(col, n, sizeof(double), mn__cmp_double);
        x->delivered_lo_ug_cm2 = mn__quantile_sorted(col, s->band_runs, 0.1);
        x->delivered_hi_ug_cm2 = mn__quantile_sorted(col, s->band_runs, 0.9);
        memcpy(col, enh + k * n, n * sizeof(double));
        qsort(col, n, sizeof(double), mn__cmp_double);
        x->enhancement_lo = mn__quantile_sorted(col, s->band_runs, 0.1);
        x->enhancement_hi = mn__quantile_sorted(col, s->band_runs, 0.9);
        memcpy(col, rec + k * n, n * sizeof(double));
        qsort(col, n, sizeof(double), mn__cmp_double);
        x->receptor_ratio_lo = mn__quantile_sorted(col, s->band_runs, 0.1);
        x->receptor_ratio_hi = mn__quantile_sorted(col, s->band_runs, 0.9);
        memcpy(col, skn + k * n, n * sizeof(double));
        qsort(col, n, sizeof(double), mn__cmp_double);
        x->skin_ratio_lo = mn__quantile_sorted(col, s->band_runs, 0.1);
        x->skin_ratio_hi = mn__quantile_sorted(col, s->band_runs, 0.9);
    }
    mn__free(del);
    mn__free(enh);
    mn__free(rec);
    mn__free(skn);
    mn__free(col);
    if (!st)
        r->band_runs = n;
    return st;
}

size_t mn__absorb_flux_grid_n(double hours)
{
    double n = ceil(hours / MN_FLUX_GRID_H - 1e-9);
    return n < 1 ? 1 : (size_t)n;
}

double mn__absorb_flux_grid_h(double hours, size_t i)
{
    double t = (double)i * MN_FLUX_GRID_H;
    return t < hours && i < mn__absorb_flux_grid_n(hours) ? t : hours;
}

/* A steady segment of the cumulative amount Q(t): the intervals around the largest mean flux
 * whose flux stays within MN_STEADY_FLUX_TOL of it, over at least MN_STEADY_MIN_INTERVALS of
 * the flux grid [JUDGEMENT: a slope that varies by under 5 % over an hour or more reads as a
 * straight line on a Franz plot; an analytic membrane's flux is within 5 % of its steady value
 * from about 2.2 lag times on, so an infinite dose run to several lag times has one. Derived
 * from the plane-sheet membrane solution (Crank, The Mathematics of Diffusion, 2nd ed., ch. 4): the
 * flux's leading transient term is 2 exp(-pi^2 D t / h^2) of the steady flux, 0.05 at
 * D t / h^2 = ln(40) / pi^2 = 0.374, and the lag time is h^2 / (6 D), so t = 2.24 lag times]. */
#define MN_STEADY_FLUX_TOL      0.05
#define MN_STEADY_MIN_INTERVALS 10
/* The run time, in lag times, from which that membrane's flux is within MN_STEADY_FLUX_TOL of
 * steady: 6 ln(40) / pi^2 = 2.24 [DERIVED above]. A flux largest in the run's last interval is
 * still rising when the run ends, and its segment within 5 % of that largest flux is no steady
 * state unless the run lasts this many of the lag times it gives: intact HA 5 kDa on the pen
 * at 0.5 mm read 9.5, 13, 15.5, 17 and 18 h in runs of 12, 18, 24, 30 and 36 h, and 18.5 h
 * from 48 h on, where its flux peaks at 41.6 h. While the flux rises the cumulative amount is
 * convex, so the t - Q/J read from such a run is a lower bound on the lag time (the chord's
 * intercept lies before the tangent's, and the tangent's moves later as t grows). */
#define MN_STEADY_FROM_LAG_TIMES (6.0 * log(40.0) / (MN__PI * MN__PI))

/* Largest mean flux over the flux grid's intervals (it runs from `from` to `hour`) and the
 * lag time t - Q/J of the steady segment around it (the Franz-cell construction: the steady
 * line extended to the time axis). *steady is 1 only where that segment exists and begins
 * after a rise (a > 0): a finite dose whose flux peaks and falls has no steady line, and a
 * flux largest from the start gives t - Q/J = 0 by construction, not as a result. A flux still
 * rising when the run ends stands on a steady line only if the run is long enough for one
 * (MN_STEADY_FROM_LAG_TIMES); where it is not, *beyond is 1: the lag time is not defined
 * within the run, and *lag is a lower bound on it. */
static void flux_summary(const double *q, size_t nf, double hours, double *jmax, double *from,
                         double *hour, double *lag, int *steady, int *beyond)
{
    *jmax = *from = *hour = *lag = 0;
    *steady = *beyond = 0;
    size_t best = 0;
    for (size_t i = 0; i < nf; i++) {
        double dt = mn__absorb_flux_grid_h(hours, i + 1) - mn__absorb_flux_grid_h(hours, i);
        double j = dt > 0 ? (q[i + 1] - q[i]) / dt : 0;
        if (j > *jmax) {
            *jmax = j;
            best = i;
        }
    }
    if (!(*jmax > 0))
        return;
    *from = mn__absorb_flux_grid_h(hours, best);
    *hour = mn__absorb_flux_grid_h(hours, best + 1);
    size_t a = best, b = best + 1;
    double floor_j = (1 - MN_STEADY_FLUX_TOL) * *jmax;
    while (a > 0 && (q[a] - q[a - 1]) / (mn__absorb_flux_grid_h(hours, a) -
                                         mn__absorb_flux_grid_h(hours, a - 1)) >=
                        floor_j)
        a--;
    while (b < nf && (q[b + 1] - q[b]) / (mn__absorb_flux_grid_h(hours, b + 1) -
                                          mn__absorb_flux_grid_h(hours, b)) >=
                         floor_j)
        b++;
    double ta = mn__absorb_flux_grid_h(hours, a), tb = mn__absorb_flux_grid_h(hours, b);
    double js = (q[b] - q[a]) / (tb - ta), t = ta - q[a] / js;
    *lag = t > 0 ? t : 0;
    /* A segment that runs to the run's end may not have levelled off: a steady state takes
     * MN_STEADY_FROM_LAG_TIMES lag times to reach. */
    int to_end = b == nf;
    *steady = a > 0 && b - a >= MN_STEADY_MIN_INTERVALS && *lag > 0 &&
              !(to_end && hours < MN_STEADY_FROM_LAG_TIMES * *lag);
    /* Still rising: the segment's later half carries more flux than its earlier half (one
     * interval alone can dip: the amounts are linear within each solver step). */
    int rising = 0;
    if (to_end && b - a >= 2) {
        size_t m = a + (b - a) / 2;
        double tm = mn__absorb_flux_grid_h(hours, m);
        rising = (q[b] - q[m]) / (tb - tm) > (q[m] - q[a]) / (tm - ta);
    } else if (to_end) {
        rising = best + 1 == nf;
    }
    *beyond = a > 0 && rising && !*steady;
}

/* A 3D patch stands for the device's punctures only if it holds some: one expected to hold
 * less than one puncture at the device's density (punctures per cm2 x patch area) would report
 * intact skin as the needled result, so it is refused as bad input, with the smallest square
 * patch that holds one on average. */
static mn_status field_holds_punctures(mn_ctx *ctx, const mn_absorb_scenario *s,
                                       const mn_absorb_params *p)
{
    const double um2_per_cm2 = 1e8;
    double area_um2 = s->field_width_um * s->field_height_um;
    double expect = p->punctures_per_cm2 * area_um2 / um2_per_cm2;
    if (!(p->punctures_per_cm2 > 0) || expect >= 1)
        return MN_OK;
    double side_um = ceil(sqrt(um2_per_cm2 / p->punctures_per_cm2));
    return mn__error(ctx, MN_ERANGE,
                     "%s: $.field.width_um x $.field.height_um: a %g x %g um patch holds %.2g "
                     "punctures on average at this device's %.0f punctures/cm2; expected a patch "
                     "that holds at least one: at least %.0f um2, e.g. %.0f x %.0f um",
                     s->source[0] ? s->source : "absorb scenario", s->field_width_um,
                     s->field_height_um, expect, p->punctures_per_cm2,
                     um2_per_cm2 / p->punctures_per_cm2, side_um, side_um);
}

mn_status mn_absorb_estimate(mn_ctx *ctx, const mn_absorb_scenario *s, mn_absorb_work *out)
{
    if (!s || !out)
        return mn__error(ctx, MN_EINVAL, "absorb: NULL scenario or estimate");
    memset(out, 0, sizeof *out);
    mn_status st = check_scenario(ctx, s);
    if (st)
        return st;
    mn_absorb_params p;
    if ((st = mn_absorb_params_compute(ctx, s, &p)))
        return st;
    if (s->field && (st = field_holds_punctures(ctx, s, &p)))
        return st;
    mn__adi g;
    if ((st = mn__absorb_intact_grid(ctx, s, &p, &g)))
        return st;
    double intact_cells = (double)g.ncell, intact_steps = count_steps(s, &p, 0);
    mn__adi_free(&g);
    out->cells = intact_cells;
    out->steps = intact_steps;
    out->cell_steps = intact_cells * intact_steps;
    if (p.punctures_per_cm2 > 0 && p.open_depth_um > 0) {
        double cells;
        int kind = 1;
        if (s->field) {
            /* Sized as mn__absorb_field_grid() sizes it, without building it. */
            int nx = (int)lround(s->field_width_um / s->field_dx_um);
            int ny = (int)lround(s->field_height_um / s->field_dx_um);
            double *hz = NULL;
            int *layer = NULL, nz = 0, kch = 0;
            if ((st = mn__absorb_zgrid(&p.layers, p.open_depth_um, s->resolution, &hz, &layer, &nz,
                                       &kch)))
                return mn__error(ctx, st, "absorb: out of memory for the depth grid");
            mn__free(hz);
            mn__free(layer);
            if ((st = mn__absorb_field_limit(ctx, s, nx, ny, nz)))
                return st;
            cells = (double)nx * ny * nz;
            kind = ny > 1 ? 2 : 1; /* the engine's direct solve takes one row */
        } else {
            if ((st = mn__absorb_cell_grid(ctx, s, &p, &g)))
                return st;
            cells = (double)g.ncell;
            mn__adi_free(&g);
        }
        out->cells = cells;
        out->steps = count_steps(s, &p, kind);
        out->cell_steps += cells * out->steps;
    }
    out->seconds = out->cell_steps * MN_ABSORB_SECONDS_PER_CELL_STEP;
    return MN_OK;
}

mn_status mn_absorb_run(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                        void *userdata, mn_absorb_result *r)
{
    return mn_absorb_run_until(ctx, s, progress, NULL, userdata, r);
}

mn_status mn_absorb_run_until(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                              mn_stop_fn stop, void *userdata, mn_absorb_result *r)
{
    mn_status st = run_core(ctx, s, progress, stop, userdata, r, NULL);
    if (st)
        return st;
    for (size_t m = 0; m < r->n_samples; m++) {
        mn_absorb_sample *x = &r->samples[m];
        double t0 = m ? r->samples[m - 1].hour : 0;
        double q0 = m ? r->samples[m - 1].delivered_ug_cm2 : 0;
        double i0 = m ? r->samples[m - 1].intact_ug_cm2 : 0;
        double r0 = m ? r->samples[m - 1].receptor_ug_cm2 : 0;
        double ri0 = m ? r->samples[m - 1].intact_receptor_ug_cm2 : 0;
        x->flux_ug_cm2_h = (x->delivered_ug_cm2 - q0) / (x->hour - t0);
        x->intact_flux_ug_cm2_h = (x->intact_ug_cm2 - i0) / (x->hour - t0);
        x->receptor_flux_ug_cm2_h = (x->receptor_ug_cm2 - r0) / (x->hour - t0);
        x->intact_receptor_flux_ug_cm2_h = (x->intact_receptor_ug_cm2 - ri0) / (x->hour - t0);
        x->delivered_lo_ug_cm2 = x->delivered_hi_ug_cm2 = x->delivered_ug_cm2;
        x->enhancement_lo = x->enhancement_hi = x->enhancement;
        x->receptor_ratio_lo = x->receptor_ratio_hi = x->receptor_ratio;
        x->skin_ratio_lo = x->skin_ratio_hi = x->skin_ratio;
    }
    if (r->params.franz) {
        r->receptor_flux_ratio = r->receptor_max_flux_ug_cm2_h /
                                 (r->intact_receptor_max_flux_ug_cm2_h > MN_INTACT_FLOOR_UG_CM2
                                      ? r->intact_receptor_max_flux_ug_cm2_h
                                      : MN_INTACT_FLOOR_UG_CM2);
    }
    r->flux_enhancement = r->intact_max_flux_ug_cm2_h > MN_INTACT_FLOOR_UG_CM2
                              ? r->max_flux_ug_cm2_h / r->intact_max_flux_ug_cm2_h
                              : r->max_flux_ug_cm2_h / MN_INTACT_FLOOR_UG_CM2;
    if (s->band_runs > 0 && (st = band(ctx, s, r))) {
        mn_absorb_params keep = r->params;
        mn_absorb_result_release(r);
        r->params = keep;
    }
    return st;
}

static mn_status run_core(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                          mn_stop_fn stop, void *userdata, mn_absorb_result *r,
                          const perturbation *pert)
{
    if (!s || !r)
        return mn__error(ctx, MN_EINVAL, "absorb: NULL scenario or result");
    mn_absorb_result_init(r);
    mn_status st = check_scenario(ctx, s);
    if (st)
        return st;
    if (s->field) { /* refuse a grid over the limit before any work */
        mn_absorb_work w;
        if ((st = mn_absorb_estimate(ctx, s, &w)))
            return st;
    }
    st = mn_absorb_params_compute(ctx, s, &r->params);
    if (st)
        return st;
    if (pert)
        perturb(&r->params, pert);
    const mn_absorb_params *p = &r->params;
    double threshold =
        s->coverage_threshold_ug_ml > 0 ? s->coverage_threshold_ug_ml : 1e-3 * p->donor_conc_ug_ml;
    r->coverage_threshold_ug_ml = threshold;
    mn__adi gi, gm;
    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    mn__series si, sm;
    memset(&si, 0, sizeof si);
    memset(&sm, 0, sizeof sm);
    int punctured = p->punctures_per_cm2 > 0 && p->open_depth_um > 0;
    progress_map map = {progress, userdata, 0, punctured ? 0.02 : 1.0};
    st = mn__absorb_intact_grid(ctx, s, p, &gi);
    if (!st)
        st = mn__absorb_march_until(ctx, &gi, s, p, threshold, progress_mapped, &map, stop,
                                    userdata, &si);
    if (st)
        goto done;
    double f_cell = 0;
    if (punctured) {
        map.lo = 0.02;
        map.span = 0.98;
        if (s->field) {
            st = mn_puncture_field_generate(ctx, s->device, s->passes, s->glide_mm_s,
                                            s->field_width_um, s->field_height_um, s->seed,
                                            &r->field);
            if (!st && r->field.n == 0) /* possible by chance when few are expected */
                mn__warn(&r->warnings, "field_no_puncture", s->source[0] ? s->source : "-",
                         "$.field",
                         "the sampled %g x %g um patch (seed %llu) holds no puncture, though "
                         "%.2g are expected on average at %.0f punctures/cm2: its results are "
                         "those of intact skin; use a larger patch or another seed",
                         s->field_width_um, s->field_height_um, (unsigned long long)s->seed,
                         p->punctures_per_cm2 * s->field_width_um * s->field_height_um * 1e-8,
                         p->punctures_per_cm2);
            if (!st)
                st = mn__absorb_field_grid(ctx, s, p, &r->field, &gm);
            f_cell = 1;
            r->solver_field = 1;
        } else {
            st = mn__absorb_cell_grid(ctx, s, p, &gm);
            f_cell = p->cell_area_fraction;
        }
        if (!st)
            st = mn__absorb_march_until(ctx, &gm, s, p, threshold, progress_mapped, &map, stop,
                                        userdata, &sm);
        if (st)
            goto done;
    }
    /* Results: the punctured run (on its area fraction) plus intact skin for the rest. The
     * intact run's depth grid has no channel face, so profiles are mapped by depth. */
    const mn__adi *gd = punctured ? &gm : &gi;
    size_t n = s->n_report, nz = (size_t)gd->nz;
    r->n_samples = n;
    r->n_depth = nz;
    r->samples = mn__calloc(n, sizeof *r->samples);
    r->depth_top_um = mn__calloc(nz + 1, sizeof(double));
    r->depth_layer = mn__calloc(nz, sizeof(int));
    r->profile_ug_ml = mn__calloc(n * nz, sizeof(double));
    r->intact_profile_ug_ml = mn__calloc(n * nz, sizeof(double));
    if (!r->samples || !r->depth_top_um || !r->depth_layer || !r->profile_ug_ml ||
        !r->intact_profile_ug_ml) {
        st = mn__error(ctx, MN_ENOMEM, "absorb: out of memory for the results");
        goto done;
    }
    for (size_t k = 0; k < nz; k++) {
        r->depth_top_um[k + 1] = r->depth_top_um[k] + gd->hz[k];
        r->depth_layer[k] = gd->layer[k];
    }
    assert(f_cell >= 0 && f_cell <= 1);
    for (size_t m = 0; m < n; m++) {
        mn_absorb_sample *x = &r->samples[m];
        double fi = 1 - f_cell;
        x->hour = s->report_hours[m];
        x->intact_ug_cm2 = si.ve[m] + si.dermis[m] + si.cleared[m];
        x->intact_coverage = si.coverage[m];
        x->donor_ug_cm2 = si.donor[m];
        x->solid_ug_cm2 = si.solid[m];
        x->film_ul_cm2 = si.film[m];
        x->sc_ug_cm2 = si.sc[m];
        x->ve_ug_cm2 = si.ve[m];
        x->dermis_ug_cm2 = si.dermis[m];
        x->cleared_ug_cm2 = si.cleared[m];
        x->coverage = si.coverage[m];
        if (punctured) {
            x->donor_ug_cm2 = f_cell * sm.donor[m] + fi * si.donor[m];
            x->solid_ug_cm2 = f_cell * sm.solid[m] + fi * si.solid[m];
            x->film_ul_cm2 = f_cell * sm.film[m] + fi * si.film[m];
            x->sc_ug_cm2 = f_cell * sm.sc[m] + fi * si.sc[m];
            x->ve_ug_cm2 = f_cell * sm.ve[m] + fi * si.ve[m];
            x->dermis_ug_cm2 = f_cell * sm.dermis[m] + fi * si.dermis[m];
            x->cleared_ug_cm2 = f_cell * sm.cleared[m] + fi * si.cleared[m];
            x->coverage = f_cell * sm.coverage[m] + fi * si.coverage[m];
            x->open_fraction = sm.open_fraction[m];
        }
        x->delivered_ug_cm2 = x->ve_ug_cm2 + x->dermis_ug_cm2 + x->cleared_ug_cm2;
        x->surface_ug_cm2 = x->donor_ug_cm2 + x->solid_ug_cm2;
        x->enhancement =
            x->delivered_ug_cm2 /
            (x->intact_ug_cm2 > MN_INTACT_FLOOR_UG_CM2 ? x->intact_ug_cm2 : MN_INTACT_FLOOR_UG_CM2);
        if (p->franz) { /* no clearance: all that was removed crossed into the receptor */
            x->receptor_ug_cm2 = x->cleared_ug_cm2;
            x->intact_receptor_ug_cm2 = si.cleared[m];
            x->receptor_ratio =
                x->receptor_ug_cm2 / (x->intact_receptor_ug_cm2 > MN_INTACT_FLOOR_UG_CM2
                                          ? x->intact_receptor_ug_cm2
                                          : MN_INTACT_FLOOR_UG_CM2);
            x->intact_skin_ug_cm2 = si.ve[m] + si.dermis[m];
            double skin = x->ve_ug_cm2 + x->dermis_ug_cm2;
            x->skin_ratio =
                skin / (x->intact_skin_ug_cm2 > MN_INTACT_FLOOR_UG_CM2 ? x->intact_skin_ug_cm2
                                                                       : MN_INTACT_FLOOR_UG_CM2);
        }
        /* Depth profiles: intact values at each cell's centre depth. */
        size_t ki = 0;
        double top_i = 0;
        for (size_t k = 0; k < nz; k++) {
            double mid = 0.5 * (r->depth_top_um[k] + r->depth_top_um[k + 1]);
            while (ki + 1 < (size_t)gi.nz && top_i + gi.hz[ki] < mid)
                top_i += gi.hz[ki++];
            double ci = si.profile[m * (size_t)gi.nz + ki];
            r->intact_profile_ug_ml[m * nz + k] = ci;
            r->profile_ug_ml[m * nz + k] =
                punctured ? f_cell * sm.profile[m * nz + k] + fi * ci : ci;
        }
        double vals[] = {x->delivered_ug_cm2, x->intact_ug_cm2, x->enhancement, x->coverage};
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++)
            if (!isfinite(vals[v])) {
                st = mn__error(ctx, MN_ENUMERIC, "absorb: non-finite result at %g h", x->hour);
                goto done;
            }
    }
    /* The flux summaries, on the run's own sampling (mn__absorb_flux_grid_h). */
    size_t nf = si.nf;
    double *fq = mn__calloc(nf + 1, sizeof(double)), *fr = mn__calloc(nf + 1, sizeof(double));
    if (!fq || !fr) {
        mn__free(fq);
        mn__free(fr);
        st = mn__error(ctx, MN_ENOMEM, "absorb: out of memory for the flux summary");
        goto done;
    }
    assert(!punctured || sm.nf == nf);
    for (size_t i = 0; i <= nf; i++) {
        fq[i] = punctured ? f_cell * sm.fq[i] + (1 - f_cell) * si.fq[i] : si.fq[i];
        fr[i] = punctured ? f_cell * sm.fr[i] + (1 - f_cell) * si.fr[i] : si.fr[i];
    }
    r->flux_grid_h = MN_FLUX_GRID_H;
    flux_summary(fq, nf, s->hours, &r->max_flux_ug_cm2_h, &r->max_flux_from_hour, &r->max_flux_hour,
                 &r->lag_time_h, &r->lag_steady, &r->lag_beyond_run);
    flux_summary(si.fq, nf, s->hours, &r->intact_max_flux_ug_cm2_h, &r->intact_max_flux_from_hour,
                 &r->intact_max_flux_hour, &r->intact_lag_time_h, &r->intact_lag_steady,
                 &r->intact_lag_beyond_run);
    if (p->franz) {
        flux_summary(fr, nf, s->hours, &r->receptor_max_flux_ug_cm2_h,
                     &r->receptor_max_flux_from_hour, &r->receptor_max_flux_hour,
                     &r->receptor_lag_time_h, &r->receptor_lag_steady, &r->receptor_lag_beyond_run);
        flux_summary(si.fr, nf, s->hours, &r->intact_receptor_max_flux_ug_cm2_h,
                     &r->intact_receptor_max_flux_from_hour, &r->intact_receptor_max_flux_hour,
                     &r->intact_receptor_lag_time_h, &r->intact_receptor_lag_steady,
                     &r->intact_receptor_lag_beyond_run);
    }
    mn__free(fq);
    mn__free(fr);
    r->mass_balance_error = si.mass_balance_error;
    if (punctured && sm.mass_balance_error > r->mass_balance_error)
        r->mass_balance_error = sm.mass_balance_error;
    r->steps = si.steps + sm.steps;
    r->steps_intact = si.steps;
    if (r->solver_field) {
        r->nx = (size_t)gm.nx;
        r->ny = (size_t)gm.ny;
        r->dx_um = s->field_dx_um;
        /* u, d, w; per column cov, kch, ksx, ksy, zcls, ccls; scratch (class tables: kB). */
        r->field_bytes = (double)gm.ncell * 3 * sizeof(double) +
                         (double)gm.ncol * (sizeof(float) + 3 * sizeof(int) + 1 + sizeof *gm.ccls) +
                         (double)gm.scratch_per_thread * gm.threads * sizeof(double);
        r->volume_ug_ml = mn__malloc(gm.ncell * sizeof(float));
        if (!r->volume_ug_ml) {
            st = mn__error(ctx, MN_ENOMEM, "absorb: out of memory for the 3D volume");
            goto done;
        }
        mn__adi_sync(&gm); /* the last step's donor term, if not yet added */
        for (size_t c = 0; c < gm.ncol; c++)
            for (int k = 0; k < gm.nz; k++) {
                double kk, dk;
                mn__adi_cell(&gm, c, k, &kk, &dk);
                size_t idx = mn__adi_index(&gm, c, k);
                r->volume_ug_ml[idx] = (float)(kk * gm.u[idx]);
            }
    }
done:
    mn__series_release(&si);
    mn__series_release(&sm);
    mn__adi_free(&gi);
    mn__adi_free(&gm);
    if (st) {
        mn_absorb_params keep = r->params;
        mn_absorb_result_release(r);
        r->params = keep;
    }
    return st;
}
