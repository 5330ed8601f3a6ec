/*
 * The split step of the 3D engine (see adi.h for the scheme and why it conserves mass): the
 * x sweep, the y sweep with the z sweep fused into its backward pass, their kernels. Threads
 * share planes (x sweep) or the columns of every row (y and z); the innermost loops walk the
 * contiguous z index, or neighbouring columns in a z recurrence, so every pass streams memory
 * once. Compiled once as it is and, on x86-64, once more for AVX2 (adi_split_avx2.c, which
 * names its entry point through MN__SPLIT_STEP); adi.c picks one at run time.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "transport/adi.h"

#ifndef MN__SPLIT_STEP
#define MN__SPLIT_STEP mn__adi_split_base
#endif

/* Columns outside runs go through the z sweep this many at a time: independent recurrences
 * hide each other's latency (a step is a multiply and an add, ~6 cycles). 8 was slower than
 * 4: the pointers no longer fit the registers. */
#define MN__ZBATCH 4
/* Per class (clc): top conductance, its reduced share, bottom sink, r2 (mn__zpre). */
enum { MN__CC_GT, MN__CC_GG, MN__CC_GB, MN__CC_R2 };

static int mn__thread(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Forward elimination (Thomas) of cells k0..nz-1 of one column on a lateral (x or y) line,
 * where the column and both neighbours are tissue on a uniform grid, so each depth has one
 * mass pm[k] and one face term tf[k] (dt times the conductance). The right-hand side is
 * pm (u + pend x2) (the x sweep adds the pending donor term as it reads u: mn__adi), or
 * pm d when u is NULL. dprev and cprev are the previous column's reduced values and factors (NULL
 * at the start of the line); right is 0 at its end. On return d holds the reduced values and cp the
 * factors -tr / pivot. The arithmetic is the general path's, in the same order; the loops carry no
 * dependence between depths, so they vectorise. */
static void mn__lat_line(int k0, int nz, const double *restrict pm, const double *restrict tf,
                         const double *restrict u, const double *restrict x2, double pend,
                         const double *restrict dprev, const double *restrict cprev, int right,
                         double *restrict d, double *restrict cp)
{
    if (cprev && right) { /* inside the line: nearly every column, so the rhs is fused in */
        if (u) {
            for (int k = k0; k < nz; k++) {
                double t = tf[k];
                double inv = 1.0 / (pm[k] + t + t + t * cprev[k]);
                cp[k] = -t * inv;
                d[k] = (pm[k] * (u[k] + pend * x2[k]) + t * dprev[k]) * inv;
            }
        } else {
            for (int k = k0; k < nz; k++) {
                double t = tf[k];
                double inv = 1.0 / (pm[k] + t + t + t * cprev[k]);
                cp[k] = -t * inv;
                d[k] = (pm[k] * d[k] + t * dprev[k]) * inv;
            }
        }
        return;
    }
    if (u)
        for (int k = k0; k < nz; k++)
            d[k] = pm[k] * (u[k] + pend * x2[k]);
    else
        for (int k = k0; k < nz; k++)
            d[k] = pm[k] * d[k];
    if (cprev) {
        for (int k = k0; k < nz; k++) {
            double t = tf[k];
            double inv = 1.0 / (pm[k] + t + t * cprev[k]);
            cp[k] = 0;
            d[k] = (d[k] + t * dprev[k]) * inv;
        }
    } else if (right) {
        for (int k = k0; k < nz; k++) {
            double t = tf[k];
            double inv = 1.0 / (pm[k] + t);
            cp[k] = -t * inv;
            d[k] = d[k] * inv;
        }
    } else {
        for (int k = k0; k < nz; k++) {
            cp[k] = 0;
            d[k] = d[k] / pm[k];
        }
    }
}

/* Refreshes the classes' K and 1 / (D K) (clk, clidk) when phi has changed. */
static void mn__cl_refresh(mn__adi *g)
{
    if (g->cls_fast != 1 || g->cl_phi == g->phi)
        return;
    assert(g->ncls >= 1 && g->ncls <= MN__NCLS_MAX);
    const size_t nz = (size_t)g->nz;
    for (size_t k = 0; k < nz; k++) { /* class 0: tissue */
        g->clk[k] = g->fk[k];
        g->clidk[k] = g->fidk[k];
    }
    for (int n = 1; n < g->ncls; n++)
        for (size_t k = 0; k < nz; k++) {
            double dk;
            mn__adi_cell(g, g->crep[n], (int)k, &g->clk[(size_t)n * nz + k], &dk);
            g->clidk[(size_t)n * nz + k] = 1.0 / dk;
        }
    g->cl_phi = g->phi;
}

/* K and 1 / (D K) of column c's cells on a fast grid: its class's. Pointers, not copies: a
 * copy per column cost more than the sweep's arithmetic on it. */
static const double *mn__col_idk(const mn__adi *g, size_t c, const double **kk)
{
    size_t off = mn__cls(g, c) * (size_t)g->nz;
    if (kk)
        *kk = g->clk + off;
    return g->clidk + off;
}

/* mn__lat_line for cells k0..ks-1 that a channel, in the column or a neighbour, makes differ
 * from tissue (fast grids). kk and idc: the column's K and 1 / (D K); idl and idr: the
 * neighbours' 1 / (D K) (NULL past the ends of the line, and then dprev, cprev are unused);
 * u, x2, pend: as in mn__lat_line; pv: cell volume per depth; fa: dt times face area over half a
 * cell width, so that a face's dt * conductance is fa / (1/(DK) + 1/(DK) of the two cells).
 * Vectorises like mn__lat_line. */
static void mn__lat_line_ch(int k0, int ks, const double *restrict kk, const double *restrict idc,
                            const double *restrict idl, const double *restrict idr,
                            const double *restrict pv, const double *restrict fa,
                            const double *restrict u, const double *restrict x2, double pend,
                            const double *restrict dprev, const double *restrict cprev,
                            double *restrict d, double *restrict cp)
{
    if (u)
        for (int k = k0; k < ks; k++)
            d[k] = kk[k] * pv[k] * (u[k] + pend * x2[k]);
    else
        for (int k = k0; k < ks; k++)
            d[k] = kk[k] * pv[k] * d[k];
    /* With tl = fa / al and tr = fa / ar (al, ar: the faces' summed 1/(DK)), the pivot
     * m + tl + tr + tl cprev times al ar is n = m al ar + fa (ar + al + ar cprev): one
     * division per cell instead of three, cp = -tr / pivot = -fa al / n and
     * d = (rhs + tl dprev) / pivot = ar (rhs al + fa dprev) / n. */
    if (idl && idr) {
        for (int k = k0; k < ks; k++) {
            double al = idl[k] + idc[k], ar = idr[k] + idc[k];
            double r = 1.0 / (kk[k] * pv[k] * al * ar + fa[k] * (ar + al + ar * cprev[k]));
            cp[k] = -fa[k] * al * r;
            d[k] = ar * (d[k] * al + fa[k] * dprev[k]) * r;
        }
    } else if (idl) {
        for (int k = k0; k < ks; k++) {
            double al = idl[k] + idc[k];
            double r = 1.0 / (kk[k] * pv[k] * al + fa[k] * (1.0 + cprev[k]));
            cp[k] = 0;
            d[k] = (d[k] * al + fa[k] * dprev[k]) * r;
        }
    } else if (idr) {
        for (int k = k0; k < ks; k++) {
            double ar = idr[k] + idc[k];
            double r = 1.0 / (kk[k] * pv[k] * ar + fa[k]);
            cp[k] = -fa[k] * r;
            d[k] = d[k] * ar * r;
        }
    } else {
        for (int k = k0; k < ks; k++) {
            cp[k] = 0;
            d[k] = d[k] / (kk[k] * pv[k]);
        }
    }
}

/* mn__lat_line_ch on column c of a lateral line whose neighbours are c - step and c + step
 * (has_l, has_r: whether they exist); back: the distance in cells to the previous column's
 * values and factors. */
static void mn__lat_ch(const mn__adi *g, size_t c, size_t step, int has_l, int has_r, int k0,
                       int ks, const double *pv, const double *fa, const double *u,
                       const double *x2, double pend, ptrdiff_t back, double *dd, double *cp)
{
    const double *kk, *idc = mn__col_idk(g, c, &kk);
    const double *idl = has_l ? mn__col_idk(g, c - step, NULL) : NULL;
    const double *idr = has_r ? mn__col_idk(g, c + step, NULL) : NULL;
    mn__lat_line_ch(k0, ks, kk, idc, idl, idr, pv, fa, u, x2, pend, has_l ? dd - back : NULL,
                    has_l ? cp - back : NULL, dd, cp);
}

/* The general path's forward elimination of cells 0..ks-1 of column c, at index n of a
 * lateral line of nn cells whose neighbours are c - step and c + step: cell widths h, volume
 * factors v and face-area factors af along the line, width vt across it; the right-hand side
 * M (u + pend x2), or M d when u is NULL; dprev and cprev, the previous column's reduced values
 * and factors (NULL at the start of the line); into d and cp (mn__lat_line). */
static void mn__lat_general(const mn__adi *g, double dt, size_t c, size_t step, int n, int nn,
                            const double *h, const double *v, const double *af, double vt, int ks,
                            const double *u, const double *x2, double pend, const double *dprev,
                            const double *cprev, double *d, double *cp)
{
    for (int k = 0; k < ks; k++) {
        double kk, dk, kn, dkn;
        mn__adi_cell(g, c, k, &kk, &dk);
        double area = vt * g->hz[k];
        double larea = area * g->lat_scale[g->layer[k]];
        double m = kk * v[n] * area;
        double tl = 0, tr = 0;
        if (dprev) {
            mn__adi_cell(g, c - step, k, &kn, &dkn);
            tl = dt * mn__conductance(af[n] * larea, h[n - 1], dkn, h[n], dk);
        }
        if (n < nn - 1) {
            mn__adi_cell(g, c + step, k, &kn, &dkn);
            tr = dt * mn__conductance(af[n + 1] * larea, h[n], dk, h[n + 1], dkn);
        }
        double b = m + tl + tr;
        double rhs = m * (u ? u[k] + pend * x2[k] : d[k]);
        if (dprev) {
            double denom = b + tl * cprev[k];
            cp[k] = -tr / denom;
            d[k] = (rhs + tl * dprev[k]) / denom;
        } else {
            cp[k] = -tr / b;
            d[k] = rhs / b;
        }
    }
}

/* (M + dt Ax) z = M uin, plane by plane; lines along x solved for all depths at once. */
static void mn__sweep_x(mn__adi *g, double dt, double *z, const double *uin)
{
    const int nx = g->nx, ny = g->ny, nz = g->nz;
    if (nx < 2) { /* only the mass matrix: z = M^-1 M uin */
        memcpy(z, uin, g->ncell * sizeof(double));
        for (size_t c = 0; c < g->ncol && g->pend != 0; c++) {
            const double *x = mn__pend_x(g, c);
            for (int k = 0; k < nz; k++)
                z[c * (size_t)nz + (size_t)k] += g->pend * x[k];
        }
        return;
    }
    const double *pm = g->pz, *tf = g->pz + 5 * (size_t)nz; /* see mn__z_prepare */
    const double *pv = g->pz + 7 * (size_t)nz, *fax = pv + nz;
#pragma omp parallel for schedule(static) num_threads(g->threads) if (g->threads > 1)
    for (int j = 0; j < ny; j++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        double *cp = g->scratch + (size_t)t * g->scratch_per_thread; /* nx * nz */
        size_t c0 = (size_t)j * (size_t)nx;
        for (int i = 0; i < nx; i++) {
            size_t c = c0 + (size_t)i;
            double *dd = z + c * (size_t)nz;
            const double *uu = uin + c * (size_t)nz;
            double *cpi = cp + (size_t)i * (size_t)nz;
            /* The last step's donor term (mn__adi) is added as u is read: u + pend x. */
            const double pend = g->pend;
            const double *x2 = pend == 0 ? g->clx : mn__pend_x(g, c); /* finite either way */
            /* Cells below every channel of this column and its two neighbours are tissue
             * on both sides: per-depth constants, vectorised (mn__lat_line). */
            int ks = nz, k0 = g->fast ? g->klat : 0;
            if (g->fast) {
                ks = g->ksx[c]; /* mn__classify */
                /* No lateral transport above k0: the line solve is the identity there (its
                 * factors, 0, are never read). */
                for (int k = 0; k < k0; k++)
                    dd[k] = uu[k] + pend * x2[k];
            }
            if (g->fast && ks > k0)
                mn__lat_ch(g, c, 1, i > 0, i < nx - 1, k0, ks, pv, fax, uu, x2, pend, nz, dd, cpi);
            if (!g->fast)
                mn__lat_general(g, dt, c, 1, i, nx, g->hx, g->vx, g->afx, g->vy[j], ks, uu, x2,
                                pend, i > 0 ? dd - nz : NULL, i > 0 ? cpi - nz : NULL, dd, cpi);
            if (ks < nz)
                mn__lat_line(ks, nz, pm, tf, uu, x2, pend, i > 0 ? dd - nz : NULL,
                             i > 0 ? cpi - nz : NULL, i < nx - 1, dd, cpi);
        }
        int kb = g->fast ? g->klat : 0; /* the factors above are 0 */
        for (int i = nx - 2; i >= 0; i--) {
            double *dd = z + (c0 + (size_t)i) * (size_t)nz;
            const double *cpi = cp + (size_t)i * (size_t)nz;
            for (int k = kb; k < nz; k++)
                dd[k] -= cpi[k] * dd[k + nz];
        }
    }
}

/* The z sweep's per-step constants: columns without channel on a uniform grid all have the
 * same matrix, eliminated once (pm: mass, pratio: elimination factor, pbinv: 1 / reduced
 * pivot, pww: substitution factor, pcl: dt * clearance * K * h per unit area for the tally,
 * px2: the response to the donor, pgb: dt * the bottom sink's conductance, pr2: what
 * clearance and the sink remove from px2), so each such column costs three multiply-add
 * chains and no division. */
typedef struct {
    double *pm, *pratio, *pbinv, *pww, *pcl, *px2;
    double pgt, pgg, pgb, pr2;
} mn__zpre;

/* Sums over columns: the donor's bordered equation (g, ggg, gd0), and the mass that
 * clearance and the bottom sink remove over the step, r1 + u_d r2 (mn__adi). */
typedef struct {
    double g, ggg, gd0, r1, r2;
} mn__zsum;

static void mn__z_prepare(mn__adi *g, double dt, mn__zpre *zp)
{
    const int nz = g->nz;
    zp->pm = g->pz;
    zp->pratio = zp->pm + nz;
    zp->pbinv = zp->pratio + nz;
    zp->pww = zp->pbinv + nz;
    zp->pcl = zp->pww + nz;
    zp->px2 = zp->pcl + 6 * (size_t)nz; /* after the lateral constants */
    zp->pgt = zp->pgg = zp->pgb = zp->pr2 = 0;
    if (!g->fast)
        return;
    /* The lateral sweeps': dt * face conductances in tissue (tx, ty); cell volumes (pv); dt *
     * face area / half width (fax, fay: mn__lat_line_ch). */
    double *tx = zp->pcl + nz, *ty = tx + nz, *pv = ty + nz, *fax = pv + nz, *fay = fax + nz;
    double dx = g->hx[0], dy = g->hy[0];
    for (int k = 0; k < nz; k++) {
        double ls = g->lat_scale[g->layer[k]];
        tx[k] = dt * g->ftx[k];
        ty[k] = dt * g->fty[k];
        pv[k] = dx * dy * g->hz[k];
        fax[k] = dt * (ls * dy * g->hz[k]) / (0.5 * dx);
        fay[k] = dt * (ls * dx * g->hz[k]) / (0.5 * dy);
    }
    double axy = g->vx[0] * g->vy[0], t_down = 0, bp_next = 0;
    for (int k = nz - 1; k >= 0; k--) {
        double t_up = dt * axy * g->ftz[k];
        double m = g->fk[k] * axy * g->hz[k];
        double b = m + t_up + t_down + dt * g->lay_kcl[g->layer[k]] * m;
        if (k == nz - 1 && g->bottom_sink)
            b += dt * axy * g->lay_dk[g->layer[k]] / (0.5 * g->hz[k]);
        if (k == 0) {
            zp->pgt = dt * axy * g->lay_dk[g->layer[0]] / (0.5 * g->hz[0]);
            b += zp->pgt;
        }
        zp->pratio[k] = k < nz - 1 ? t_down / bp_next : 0;
        b -= zp->pratio[k] * t_down;
        zp->pm[k] = m;
        zp->pbinv[k] = 1.0 / b;
        zp->pww[k] = -t_up / b;
        zp->pcl[k] = dt * g->lay_kcl[g->layer[k]] * g->fk[k] * g->hz[k];
        if (k == 0)
            zp->pgg = zp->pgt / b;
        bp_next = b;
        t_down = t_up;
    }
    if (g->bottom_sink)
        zp->pgb = dt * axy * g->lay_dk[g->layer[nz - 1]] / (0.5 * g->hz[nz - 1]);
    double x = zp->pgg, cl = zp->pcl[0] * x;
    zp->px2[0] = x;
    for (int k = 1; k < nz; k++) {
        x = -zp->pww[k] * x;
        zp->px2[k] = x;
        cl += zp->pcl[k] * x;
    }
    zp->pr2 = axy * cl + zp->pgb * x;
}

/* The z sweep's factors of column c (x index i, y index j) into rec (nz records of MN__ZF)
 * and cc (MN__CC_*), by the same elimination as the shared constants but from the column's
 * own cells: a class's on a fast grid (crep), any column's on the general path. */
static void mn__z_factors(const mn__adi *g, double dt, size_t c, int i, int j, double *rec,
                          double *cc)
{
    const int nz = g->nz;
    const double axy = g->vx[i] * g->vy[j];
    double t_down = 0, bp_next = 0, kk, dk, kn, dkn;
    mn__adi_cell(g, c, nz - 1, &kn, &dkn);
    for (int k = nz - 1; k >= 0; k--) {
        kk = kn;
        dk = dkn;
        double t_up = 0; /* dt * conductance to cell k-1 */
        if (k > 0) {
            mn__adi_cell(g, c, k - 1, &kn, &dkn);
            t_up = dt * mn__conductance(axy, g->hz[k - 1], dkn, g->hz[k], dk);
        }
        double m = kk * axy * g->hz[k];
        double b = m + t_up + t_down + dt * g->lay_kcl[g->layer[k]] * m;
        if (k == nz - 1)
            b += dt * mn__bottom_g(g, c, axy);
        if (k == 0) {
            cc[MN__CC_GT] = dt * mn__top_g(g, c, axy);
            b += cc[MN__CC_GT];
        }
        /* Row k+1, already reduced to b' d[k+1] - t_down d[k] = f', eliminated. */
        double ratio = k < nz - 1 ? t_down / bp_next : 0;
        b -= ratio * t_down;
        double *r = rec + (size_t)k * MN__ZF;
        r[MN__ZF_M] = m;
        r[MN__ZF_RATIO] = ratio;
        r[MN__ZF_BINV] = 1.0 / b;
        r[MN__ZF_WW] = -t_up / b;
        r[MN__ZF_CL] = dt * g->lay_kcl[g->layer[k]] * kk * g->hz[k];
        if (k == 0)
            cc[MN__CC_GG] = cc[MN__CC_GT] / b;
        bp_next = b;
        t_down = t_up;
    }
    cc[MN__CC_GB] = dt * mn__bottom_g(g, c, axy);
    double x = cc[MN__CC_GG], cl = rec[MN__ZF_CL] * x;
    rec[MN__ZF_X] = x;
    for (int k = 1; k < nz; k++) {
        double *r = rec + (size_t)k * MN__ZF;
        x = -r[MN__ZF_WW] * x;
        r[MN__ZF_X] = x;
        cl += r[MN__ZF_CL] * x;
    }
    cc[MN__CC_R2] = axy * cl + cc[MN__CC_GB] * x;
}

/* The class tables (clz, clc) for this step: class 0 from the shared constants, the others
 * from a column of the class. */
static void mn__z_classes(mn__adi *g, double dt, const mn__zpre *zp)
{
    const size_t nz = (size_t)g->nz;
    assert(g->fast && g->clz && g->clc && g->ncls <= MN__NCLS_MAX);
    for (size_t k = 0; k < nz; k++) {
        double *r = g->clz + k * MN__ZF;
        r[MN__ZF_M] = zp->pm[k];
        r[MN__ZF_RATIO] = zp->pratio[k];
        r[MN__ZF_BINV] = zp->pbinv[k];
        r[MN__ZF_WW] = zp->pww[k];
        r[MN__ZF_CL] = zp->pcl[k];
        r[MN__ZF_X] = zp->px2[k];
    }
    g->clc[MN__CC_GT] = zp->pgt;
    g->clc[MN__CC_GG] = zp->pgg;
    g->clc[MN__CC_GB] = zp->pgb;
    g->clc[MN__CC_R2] = zp->pr2;
    for (int n = 1; n < g->ncls; n++)
        mn__z_factors(g, dt, g->crep[n], 0, 0, g->clz + (size_t)n * nz * MN__ZF,
                      g->clc + 4 * (size_t)n);
}

/* The z sweep on n (1..MN__ZBATCH) columns cc[], each with its factors rec[] and cf[]
 * (mn__z_factors), in place on their values: eliminate from the bottom up, add the columns'
 * terms to the donor's sums, substitute from the top down (the values without the donor
 * term: mn__adi), adding what clearance and the bottom sink remove. Interleaved, so that the
 * columns' recurrences overlap; inlined, so that for a constant n the per-column values live
 * in registers. axy: the columns' area. */
static inline __attribute__((always_inline)) void mn__z_elim_n(int nz, double axy, double *const *d,
                                                               const double *const *rec,
                                                               const double *const *cf, int n,
                                                               mn__zsum *sum)
{
    double f[MN__ZBATCH];
    for (int q = 0; q < n; q++) {
        const double *r = rec[q] + (size_t)(nz - 1) * MN__ZF;
        f[q] = r[MN__ZF_M] * d[q][nz - 1];
        d[q][nz - 1] = f[q] * r[MN__ZF_BINV];
    }
    for (int k = nz - 2; k >= 0; k--)
        for (int q = 0; q < n; q++) {
            const double *r = rec[q] + (size_t)k * MN__ZF;
            f[q] = r[MN__ZF_M] * d[q][k] + r[MN__ZF_RATIO] * f[q];
            d[q][k] = f[q] * r[MN__ZF_BINV];
        }
    double cl[MN__ZBATCH];
    for (int q = 0; q < n; q++) {
        sum->g += cf[q][MN__CC_GT];
        sum->ggg += cf[q][MN__CC_GT] * cf[q][MN__CC_GG];
        sum->gd0 += cf[q][MN__CC_GT] * d[q][0];
        f[q] = d[q][0];
        cl[q] = rec[q][MN__ZF_CL] * f[q];
    }
    for (int k = 1; k < nz; k++)
        for (int q = 0; q < n; q++) {
            const double *r = rec[q] + (size_t)k * MN__ZF;
            f[q] = d[q][k] - r[MN__ZF_WW] * f[q];
            d[q][k] = f[q];
            cl[q] += r[MN__ZF_CL] * f[q];
        }
    for (int q = 0; q < n; q++) {
        sum->r1 += axy * cl[q] + cf[q][MN__CC_GB] * f[q]; /* f: the bottom cell */
        sum->r2 += cf[q][MN__CC_R2];
    }
}

/* The z sweep on n (1..MN__ZBATCH) columns cc[] of a fast grid, with their classes'
 * factors: whole batches interleaved, a remainder one by one. */
static void mn__z_elim_cls(mn__adi *g, const size_t *cc, int n, double *z, mn__zsum *sum)
{
    const size_t nz = (size_t)g->nz;
    const double axy = g->vx[0] * g->vy[0];
    double *d[MN__ZBATCH];
    const double *rec[MN__ZBATCH], *cf[MN__ZBATCH];
    for (int q = 0; q < n; q++) {
        size_t m = mn__cls(g, cc[q]);
        d[q] = z + cc[q] * nz;
        rec[q] = g->clz + m * nz * MN__ZF;
        cf[q] = g->clc + 4 * m;
    }
    if (n == MN__ZBATCH) {
        mn__z_elim_n((int)nz, axy, d, rec, cf, MN__ZBATCH, sum);
        return;
    }
    for (int q = 0; q < n; q++)
        mn__z_elim_n((int)nz, axy, d + q, rec + q, cf + q, 1, sum);
}

/* The z sweep on column c (x index i, y index j) of a grid without the fast path, in place
 * on dd: its factors (into t's scratch), the sweep, and its response to the donor into w
 * (the pending term: mn__adi). */
static void mn__z_elim(mn__adi *g, double dt, size_t c, int i, int j, double *dd, mn__zsum *sum)
{
    const int nz = g->nz;
    double *rec = g->scratch + (size_t)mn__thread() * g->scratch_per_thread + g->scratch_props;
    double cf[4];
    mn__z_factors(g, dt, c, i, j, rec, cf);
    const double *r = rec, *f = cf;
    mn__z_elim_n(nz, g->vx[i] * g->vy[j], &dd, &r, &f, 1, sum);
    double *x = g->w + c * (size_t)nz;
    for (int k = 0; k < nz; k++)
        x[k] = rec[(size_t)k * MN__ZF + MN__ZF_X];
}

/* MN__VW doubles in one SIMD register (GCC and Clang vector extension): 2 with SSE2, 4 where
 * the kernel is compiled for AVX2. */
#ifdef __AVX2__
#define MN__VW 4
#else
#define MN__VW 2
#endif
typedef double mn__vd __attribute__((vector_size(8 * MN__VW)));
typedef double mn__vdu __attribute__((vector_size(8 * MN__VW), aligned(8))); /* unaligned */

/* MN__ZRUN neighbouring channel-free columns c, c+1, ... through the z sweep, MN__VW to a
 * register: MN__ZRUN / MN__VW independent register recurrences, each step of one serving
 * MN__VW columns. Same arithmetic, element by element, as mn__z_elim_n with class 0. */
static void mn__z_elim_run(mn__adi *g, const mn__zpre *zp, size_t c, double *z, mn__zsum *sum)
{
    enum { H = MN__ZRUN / MN__VW };
    const size_t nz = (size_t)g->nz;
    const double *pm = zp->pm, *pratio = zp->pratio, *pbinv = zp->pbinv;
    double *b = z + c * nz;
    /* The eliminated values wait in scratch, depth-major (tb[k][column]), so that the
     * substitution reads each register's columns with one load. */
    double *tb = g->scratch + (size_t)mn__thread() * g->scratch_per_thread + g->scratch_props;
    mn__vd f[H], cl[H]; /* from 0: the first steps of both recurrences add exact zeros */
    for (size_t h = 0; h < H; h++)
        f[h] = cl[h] = (mn__vd){0};
    for (int k = (int)nz - 1; k >= 0; k--) {
        const double m = pm[k], r = k < (int)nz - 1 ? pratio[k] : 0, bi = pbinv[k];
        for (size_t h = 0; h < H; h++) {
            mn__vd dv;
            for (size_t q = 0; q < MN__VW; q++)
                dv[q] = b[(MN__VW * h + q) * nz + (size_t)k];
            f[h] = m * dv + r * f[h];
            *(mn__vdu *)(tb + (size_t)k * MN__ZRUN + MN__VW * h) = f[h] * bi;
        }
    }
    double d0 = 0;
    for (size_t q = 0; q < MN__ZRUN; q++)
        d0 += tb[q];
    sum->g += MN__ZRUN * zp->pgt;
    sum->ggg += MN__ZRUN * zp->pgt * zp->pgg;
    sum->gd0 += zp->pgt * d0;
    /* Back substitution into the columns, with what clearance and the sink remove. */
    const double *ww = zp->pww, *pcl = zp->pcl;
    for (size_t k = 0; k < nz; k++) {
        const double w = k > 0 ? ww[k] : 0, r = pcl[k];
        for (size_t h = 0; h < H; h++) {
            mn__vd dv = *(const mn__vdu *)(tb + k * MN__ZRUN + MN__VW * h);
            f[h] = dv - w * f[h];
            for (size_t q = 0; q < MN__VW; q++)
                b[(MN__VW * h + q) * nz + k] = f[h][q];
            cl[h] += r * f[h];
        }
    }
    double scl = 0, sp = 0;
    for (size_t h = 0; h < H; h++)
        for (size_t q = 0; q < MN__VW; q++) {
            scl += cl[h][q];
            sp += f[h][q]; /* the bottom cells */
        }
    sum->r1 += g->vx[0] * g->vy[0] * scl + zp->pgb * sp;
    sum->r2 += MN__ZRUN * zp->pr2;
}

/* Columns of a fast grid waiting for the z sweep, of any classes. */
typedef struct {
    size_t cc[MN__ZBATCH];
    int n;
} mn__zbatch;

/* The z sweep on the columns i0..i1-1 of row j: on a fast grid, runs of channel-free
 * neighbours together, the others MN__ZBATCH at a time through the batch (in the order met,
 * wherever the channels fall; the caller flushes the rest); on others, one by one.
 * Meanwhile it asks for the same columns of the next row's values and factors (pf_d, pf_w,
 * unless NULL), as many at each step as it sweeps: a core streams memory only while it
 * asks (one core reaches half the triad of two), and this arithmetic would otherwise leave
 * memory idle. */
static void mn__z_elim_row(mn__adi *g, double dt, const mn__zpre *zp, int i0, int i1, int j,
                           double *z, mn__zbatch *b, mn__zsum *sum, const double *pf_d,
                           const double *pf_w)
{
    size_t nx = (size_t)g->nx, nz = (size_t)g->nz;
    const char *pd = (const char *)pf_d, *pw = (const char *)pf_w;
    size_t done = 0; /* bytes of each asked for so far */
    for (int i = i0; i < i1; i++) {
        size_t c = (size_t)j * nx + (size_t)i;
        /* As many of the next row's columns as this step will sweep here. */
        size_t want = (size_t)(i - i0 + (i + MN__ZRUN <= i1 ? MN__ZRUN : 1)) * nz * sizeof(double);
        for (; pd && done < want; done += 64) {
            __builtin_prefetch(pd + done, 1, 3); /* to be written */
            __builtin_prefetch(pw + done, 0, 3);
        }
        if (!g->fast) {
            mn__z_elim(g, dt, c, i, j, z + c * nz, sum);
        } else if (i + MN__ZRUN <= i1 && (g->zcls[c] & MN__C_RUN)) { /* mn__classify */
            mn__z_elim_run(g, zp, c, z, sum);
            i += MN__ZRUN - 1;
        } else {
            b->cc[b->n++] = c;
            if (b->n == MN__ZBATCH) {
                mn__z_elim_cls(g, b->cc, b->n, z, sum);
                b->n = 0;
            }
        }
    }
}

/* The end of the z sweep: the donor's bordered equation gives its new value u_d, which
 * becomes the pending donor term (mn__adi); the mass removed over the step is r1 + u_d r2.
 * The values (z) become u, with u_d. No pass over memory. */
static void mn__z_close(mn__adi *g, const mn__zsum *sum, double rd, double *z)
{
    /* (M_d + sum g - sum g gg) u_d = rd + sum g d0 (dt folded in). */
    double md = g->donor_h_um * g->area_um2;
    assert(md + sum->g - sum->ggg > 0); /* the donor's bordered pivot stays positive */
    double ud = (rd + sum->gd0) / (md + sum->g - sum->ggg);
    g->removed += sum->r1 + ud * sum->r2;
    g->d = g->u;
    g->u = z;
    g->u[g->ncell] = ud;
    g->pend = ud;
    /* The classes' responses, which the pending term multiplies (on other grids, in w). */
    for (size_t q = 0; q < (size_t)g->ncls * (size_t)g->nz; q++)
        g->clx[q] = g->clz[q * MN__ZF + MN__ZF_X];
}

/* (M + dt Ay) d2 = M d1, each thread solving the y lines of its share of the columns
 * together, row by row; the z sweep follows on each row as soon as its y solve is
 * final (while it is still in cache), adding to *zs: one pass over memory less. */
static void mn__sweep_y(mn__adi *g, double dt, double *z, const mn__zpre *zp, mn__zsum *zs)
{
    const int nx = g->nx, ny = g->ny, nz = g->nz;
    assert(g->threads >= 1 && ny > 1);
    /* Each thread sweeps whole rows of its share of the columns: long contiguous runs. */
    int bcols = (nx + g->threads - 1) / g->threads;
    int nblocks = (nx + bcols - 1) / bcols;
    const double *pm = g->pz, *ty = g->pz + 6 * (size_t)nz; /* see mn__z_prepare */
    const double *pv = g->pz + 7 * (size_t)nz, *fay = pv + 2 * (size_t)nz;
    const ptrdiff_t row = (ptrdiff_t)nx * nz; /* one row of cells */
    double sg = 0, sggg = 0, sgd0 = 0, sr1 = 0, sr2 = 0;
#pragma omp parallel for schedule(static) reduction(+ : sg, sggg, sgd0, sr1, sr2) num_threads(g->threads) if (g->threads > 1)
    for (int bI = 0; bI < nblocks; bI++) {
        /* The Thomas factors go to w, cell by cell: the z sweep writes its own factors there
         * only for rows whose factors the backward pass has used. */
        double *cp = g->w;
        int i0 = bI * bcols;
        int i1 = i0 + bcols < nx ? i0 + bcols : nx;
        mn__zsum loc = {0, 0, 0, 0, 0};
        for (int j = 0; j < ny && ny > 1; j++) {
            for (int i = i0; i < i1; i++) {
                size_t c = (size_t)j * (size_t)nx + (size_t)i;
                double *dd = z + c * (size_t)nz;
                double *cpj = cp + c * (size_t)nz;
                int ks = nz, k0 = g->fast ? g->klat : 0; /* above k0: the identity */
                if (g->fast)
                    ks = g->ksy[c]; /* mn__classify */
                if (g->fast && ks > k0)
                    mn__lat_ch(g, c, (size_t)nx, j > 0, j < ny - 1, k0, ks, pv, fay, NULL, NULL, 0,
                               row, dd, cpj);
                if (!g->fast)
                    mn__lat_general(g, dt, c, (size_t)nx, j, ny, g->hy, g->vy, g->afy, g->vx[i], ks,
                                    NULL, NULL, 0, j > 0 ? dd - row : NULL,
                                    j > 0 ? cpj - row : NULL, dd, cpj);
                if (ks < nz)
                    mn__lat_line(ks, nz, pm, ty, NULL, NULL, 0, j > 0 ? dd - row : NULL,
                                 j > 0 ? cpj - row : NULL, j < ny - 1, dd, cpj);
            }
        }
        /* Back substitution; row j+1 is final once row j has used it, so its z sweep runs
         * then (one row behind), and row 0's at the end, fetching row j-1 for the next
         * substitution as it goes; channel-free columns go four at a time, through a batch
         * that carries over from row to row. */
        mn__zbatch batch = {{0}, 0};
        for (int j = ny - 1; j >= -1; j--) {
            if (j >= 0 && j < ny - 1) {
                const int kb = g->fast ? g->klat : 0; /* the factors above are 0 */
                for (int i = i0; i < i1; i++) {
                    size_t c = (size_t)j * (size_t)nx + (size_t)i;
                    double *dd = z + c * (size_t)nz;
                    const double *cpj = cp + c * (size_t)nz;
                    for (int k = kb; k < nz; k++)
                        dd[k] -= cpj[k] * dd[(ptrdiff_t)k + row];
                }
            }
            if (j + 1 < ny) { /* summed by row, then rows: sums of ~1e3 terms */
                mn__zsum rs = {0, 0, 0, 0, 0};
                size_t next = (size_t)(j - 1) * (size_t)nx + (size_t)i0; /* row j-1 */
                mn__z_elim_row(g, dt, zp, i0, i1, j + 1, z, &batch, &rs,
                               j > 0 ? z + next * (size_t)nz : NULL,
                               j > 0 ? cp + next * (size_t)nz : NULL);
                loc.g += rs.g;
                loc.ggg += rs.ggg;
                loc.gd0 += rs.gd0;
                loc.r1 += rs.r1;
                loc.r2 += rs.r2;
            }
        }
        mn__z_elim_cls(g, batch.cc, batch.n, z, &loc); /* what is left in the batch */
        sg += loc.g;
        sggg += loc.ggg;
        sgd0 += loc.gd0;
        sr1 += loc.r1;
        sr2 += loc.r2;
    }
    zs->g += sg;
    zs->ggg += sggg;
    zs->gd0 += sgd0;
    zs->r1 += sr1;
    zs->r2 += sr2;
}

/* Split step for 3D grids (Lie splitting, see adi.h), on a grid that mn__classify has
 * worked out for its current value of fast: exact backward-Euler solves along x
 * (from M u^n), y and z lines in turn, the last writing u^{n+1}. Each factor
 * (M + dt A_i)^{-1} M is a contraction in the M-norm and an M-matrix inverse, so the step is
 * unconditionally stable, keeps concentrations non-negative and conserves mass, whatever the
 * heterogeneity; its splitting error is first order in dt. O(N). */
void MN__SPLIT_STEP(mn__adi *g, double dt)
{
    assert(g->ny > 1 && dt > 0);
    assert(g->cls_fast == g->fast); /* mn__classify ran for this value of fast */
    /* x sweep reads M u^n directly; the donor's right-hand side M_d u_d passes to z. */
    g->d[g->ncell] = g->donor_h_um * g->area_um2 * g->u[g->ncell];
    mn__zpre zp;
    mn__z_prepare(g, dt, &zp); /* also the lateral sweeps' constants */
    if (g->fast)
        mn__z_classes(g, dt, &zp);
    mn__cl_refresh(g);
    mn__sweep_x(g, dt, g->d, g->u); /* adds the last step's donor term as it reads u */
    /* y sweep with the z sweep fused in (its tally too); the donor's term is left pending:
     * three passes over memory per step (x, y forward, y back and z). */
    mn__zsum sum = {0, 0, 0, 0, 0};
    const double rd = g->d[g->ncell];
    mn__sweep_y(g, dt, g->d, &zp, &sum);
    mn__z_close(g, &sum, rd, g->d);
}
