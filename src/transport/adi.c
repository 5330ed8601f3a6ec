/*
 * The implicit finite-volume engine (see adi.h for the scheme and why it conserves mass):
 * grids, open fraction, the direct step of single-row grids, the classes of a 3D grid's
 * columns, the readers of the field. The split step of 3D grids is in adi_split.c.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "transport/adi.h"

/* Grids smaller than this run on one thread (thread start-up would cost more). */
#define MN__PARALLEL_MIN_CELLS 200000

static int mn__imax(int a, int b)
{
    return a > b ? a : b;
}

/* Depth (in cells) down to which column c differs from plain tissue: its channel's depth,
 * or 0 without one. */
static int mn__kslow(const mn__adi *g, size_t c)
{
    return g->cov && g->cov[c] > 0 ? g->kch[c] : 0;
}

/* Whether column c is channel-free on a fast grid: its z sweep uses the shared constants. */
static int mn__plain(const mn__adi *g, size_t c)
{
    return g->fast && (!g->cov || g->cov[c] == 0);
}

/* The split step's variants (adi_split.c): the same arithmetic, element by element, so
 * results are identical; AVX2 where the build made it and the machine has it. */
static int mn__isa(void)
{
#if MN_HAVE_AVX2_KERNEL
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

mn_status mn__adi_alloc(mn__adi *g)
{
    assert(g->nx > 0 && g->ny > 0 && g->nz > 0);
    assert(g->hx && g->vx && g->afx && g->hy && g->vy && g->afy && g->hz && g->layer);
    assert(!g->cov || g->kch); /* a channel's coverage comes with its depth */
    g->ncol = (size_t)g->nx * (size_t)g->ny;
    g->ncell = g->ncol * (size_t)g->nz;
    g->area_um2 = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++)
            g->area_um2 += g->vx[i] * g->vy[j];
    g->threads = 1;
    g->isa = mn__isa();
#ifdef _OPENMP
    if (g->ncell >= MN__PARALLEL_MIN_CELLS)
        g->threads = omp_get_max_threads();
#endif
    /* The x sweep's Thomas factors for one plane, then the z sweep's: a run's eliminated
     * values, or the factors of a column on the general path. */
    g->scratch_props = (size_t)g->nx * (size_t)g->nz;
    g->scratch_per_thread =
        g->scratch_props + (MN__ZRUN > MN__ZF ? MN__ZRUN : MN__ZF) * (size_t)g->nz;
    g->u = mn__calloc(g->ncell + 1, sizeof(double));
    g->d = mn__calloc(g->ncell + 1, sizeof(double));
    g->w = mn__calloc(g->ncell + 1, sizeof(double));
    g->pend = 0;
    if (g->ny == 1) {
        g->band = mn__calloc(g->ncell * (size_t)(g->nx + 2), sizeof(double)); /* + 1 / diag */
        g->bvec = mn__calloc(g->ncell, sizeof(double));
        if (!g->band || !g->bvec)
            return MN_ENOMEM;
    }
    g->scratch = mn__calloc(g->scratch_per_thread * (size_t)g->threads, sizeof(double));
    g->cls_fast = -1; /* not worked out yet */
    if (g->ny > 1) {
        g->zcls = mn__calloc(g->ncol, 1);
        g->ksx = mn__calloc(g->ncol, sizeof(int));
        g->ksy = mn__calloc(g->ncol, sizeof(int));
        if (!g->zcls || !g->ksx || !g->ksy)
            return MN_ENOMEM;
        int uniform = 1;
        for (int i = 0; i < g->nx; i++)
            uniform &= g->hx[i] == g->hx[0] && g->vx[i] == g->hx[0] && g->afx[i + 1] == 1;
        for (int j = 0; j < g->ny; j++)
            uniform &= g->hy[j] == g->hy[0] && g->vy[j] == g->hy[0] && g->afy[j + 1] == 1;
        g->fk = mn__calloc((size_t)g->nz, sizeof(double));
        g->ftx = mn__calloc((size_t)g->nz, sizeof(double));
        g->fty = mn__calloc((size_t)g->nz, sizeof(double));
        g->ftz = mn__calloc((size_t)g->nz, sizeof(double));
        g->fidk = mn__calloc((size_t)g->nz, sizeof(double));
        g->pz = mn__calloc(11 * (size_t)g->nz, sizeof(double));
        if (!g->fk || !g->ftx || !g->fty || !g->ftz || !g->fidk || !g->pz)
            return MN_ENOMEM;
        g->fast = uniform;
        g->klat = 0;
        while (g->klat < g->nz && g->lat_scale[g->layer[g->klat]] == 0)
            g->klat++; /* the cells above have no lateral transport (the SC) */
        if (uniform) { /* the class tables (mn__classify) */
            size_t m = g->cov ? MN__NCLS_MAX : 1, mz = m * (size_t)g->nz;
            g->ccls = g->cov ? mn__calloc(g->ncol, sizeof *g->ccls) : NULL;
            g->crep = mn__calloc(m, sizeof *g->crep);
            g->clk = mn__calloc(mz, sizeof(double));
            g->clidk = mn__calloc(mz, sizeof(double));
            g->clz = mn__calloc(mz * MN__ZF, sizeof(double));
            g->clc = mn__calloc(m * 4, sizeof(double));
            if ((g->cov && !g->ccls) || !g->crep || !g->clk || !g->clidk || !g->clz || !g->clc)
                return MN_ENOMEM;
        }
        double dx = g->hx[0], dy = g->hy[0];
        for (int k = 0; k < g->nz; k++) {
            int L = g->layer[k];
            assert(L >= 0 && L < MN__NLAYER && g->lay_dk[L] > 0);
            double ls = g->lat_scale[L], dk = g->lay_dk[L];
            g->fk[k] = g->lay_k[L];
            g->fidk[k] = 1.0 / dk;
            g->ftx[k] = mn__conductance(ls * dy * g->hz[k], dx, dk, dx, dk);
            g->fty[k] = mn__conductance(ls * dx * g->hz[k], dy, dk, dy, dk);
            if (k > 0)
                g->ftz[k] =
                    mn__conductance(1.0, g->hz[k - 1], g->lay_dk[g->layer[k - 1]], g->hz[k], dk);
        }
    }
    /* The pending term's responses: per class on a fast grid (one row on others, unread). */
    g->clx = mn__calloc((g->ccls ? MN__NCLS_MAX : 1) * (size_t)g->nz, sizeof(double));
    if (!g->u || !g->d || !g->w || !g->clx || !g->scratch)
        return MN_ENOMEM;
    return MN_OK;
}

void mn__adi_free(mn__adi *g)
{
    if (!g)
        return;
    void *p[] = {g->hx,  g->vx,    g->afx,  g->hy,  g->vy,   g->afy,  g->hz,      g->layer, g->cov,
                 g->kch, g->kc,    g->dkc,  g->u,   g->d,    g->w,    g->scratch, g->fk,    g->ftx,
                 g->fty, g->ftz,   g->fidk, g->pz,  g->zcls, g->ksx,  g->ksy,     g->ccls,  g->crep,
                 g->clk, g->clidk, g->clz,  g->clc, g->clx,  g->band, g->bvec,    g->zsh};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        mn__free(p[i]);
    memset(g, 0, sizeof *g);
}

static void mn__adi_fill_cache(mn__adi *g)
{
    double *kc = g->kc, *dkc = g->dkc;
    g->kc = g->dkc = NULL; /* compute from the layers */
    for (size_t c = 0; c < g->ncol; c++)
        for (int k = 0; k < g->nz; k++) {
            size_t idx = mn__adi_index(g, c, k);
            mn__adi_cell(g, c, k, &kc[idx], &dkc[idx]);
        }
    g->kc = kc;
    g->dkc = dkc;
}

mn_status mn__adi_cache(mn__adi *g)
{
    assert(g->ncell > 0 && !g->kc && !g->dkc); /* after mn__adi_alloc, once */
    double *kc = mn__malloc(g->ncell * sizeof(double));
    double *dkc = mn__malloc(g->ncell * sizeof(double));
    if (!kc || !dkc) {
        mn__free(kc);
        mn__free(dkc);
        return MN_ENOMEM;
    }
    g->kc = kc;
    g->dkc = dkc;
    mn__adi_fill_cache(g);
    return MN_OK;
}

/* K of cell (c, k) at open fraction old over K at phi: the factor that keeps its mass when
 * phi changes. Leaves g->phi at phi. */
static double mn__phi_ratio(mn__adi *g, size_t c, int k, double old, double phi)
{
    double k_old, k_new, dk;
    g->phi = old;
    mn__adi_cell(g, c, k, &k_old, &dk);
    g->phi = phi;
    mn__adi_cell(g, c, k, &k_new, &dk);
    return k_old / k_new;
}

void mn__adi_set_phi(mn__adi *g, double phi)
{
    assert(phi >= 0 && phi <= 1); /* a fraction of the channels' area */
    if (phi == g->phi)
        return;
    if (!g->cov) {
        g->phi = phi;
        return;
    }
    double old = g->phi;
    double *kc = g->kc, *dkc = g->dkc;
    g->kc = g->dkc = NULL;
    /* The pending donor term's response (mn__adi) scales with u: a class's, or a column's. */
    const int by_class = g->pend != 0 && g->cls_fast == 1;
    for (size_t c = 0; c < g->ncol; c++) {
        if (g->cov[c] <= 0)
            continue;
        for (int k = 0; k < g->kch[c]; k++) {
            double r = mn__phi_ratio(g, c, k, old, phi);
            g->u[mn__adi_index(g, c, k)] *= r;
            if (g->pend != 0 && !by_class)
                g->w[mn__adi_index(g, c, k)] *= r;
        }
    }
    for (int n = 1; by_class && n < g->ncls; n++)
        for (int k = 0; k < g->kch[g->crep[n]]; k++)
            g->clx[(size_t)n * (size_t)g->nz + (size_t)k] *=
                mn__phi_ratio(g, g->crep[n], k, old, phi);
    g->phi = phi;
    g->kc = kc;
    g->dkc = dkc;
    if (kc)
        mn__adi_fill_cache(g);
}

/* y = -dt A v for v of ncell + 1 entries, the donor last: the direct step's right-hand side
 * when v = u^n. */
void mn__adi_apply(const mn__adi *g, double dt, const double *v, double *y)
{
    const int nx = g->nx, ny = g->ny, nz = g->nz;
    const double vd = v[g->ncell];
    double yd = 0;
#pragma omp parallel for schedule(static) reduction(+ : yd) num_threads(g->threads) if (g->threads > 1)
    for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
            size_t c = (size_t)j * (size_t)nx + (size_t)i;
            const double *u = v + c * (size_t)nz;
            double *r = y + c * (size_t)nz;
            double axy = g->vx[i] * g->vy[j];
            double dkprev = 0, kk, dk, kn = 0, dkn = 0;
            mn__adi_cell(g, c, 0, &kn, &dkn);
            for (int k = 0; k < nz; k++) {
                double kx, dkx, flux = 0, ls = g->lat_scale[g->layer[k]];
                kk = kn;
                dk = dkn;
                double uc = u[k];
                if (i > 0) {
                    mn__adi_cell(g, c - 1, k, &kx, &dkx);
                    flux += mn__conductance(ls * g->afx[i] * g->vy[j] * g->hz[k], g->hx[i - 1], dkx,
                                            g->hx[i], dk) *
                            (u[k - nz] - uc);
                }
                if (i < nx - 1) {
                    mn__adi_cell(g, c + 1, k, &kx, &dkx);
                    flux += mn__conductance(ls * g->afx[i + 1] * g->vy[j] * g->hz[k], g->hx[i], dk,
                                            g->hx[i + 1], dkx) *
                            (u[k + nz] - uc);
                }
                if (j > 0) {
                    size_t cn = c - (size_t)nx;
                    mn__adi_cell(g, cn, k, &kx, &dkx);
                    flux += mn__conductance(ls * g->afy[j] * g->vx[i] * g->hz[k], g->hy[j - 1], dkx,
                                            g->hy[j], dk) *
                            (v[cn * (size_t)nz + (size_t)k] - uc);
                }
                if (j < ny - 1) {
                    size_t cn = c + (size_t)nx;
                    mn__adi_cell(g, cn, k, &kx, &dkx);
                    flux += mn__conductance(ls * g->afy[j + 1] * g->vx[i] * g->hz[k], g->hy[j], dk,
                                            g->hy[j + 1], dkx) *
                            (v[cn * (size_t)nz + (size_t)k] - uc);
                }
                if (k > 0)
                    flux +=
                        mn__conductance(axy, g->hz[k - 1], dkprev, g->hz[k], dk) * (u[k - 1] - uc);
                if (k < nz - 1) {
                    mn__adi_cell(g, c, k + 1, &kn, &dkn);
                    flux += mn__conductance(axy, g->hz[k], dk, g->hz[k + 1], dkn) * (u[k + 1] - uc);
                }
                if (k == 0) {
                    double gt = mn__top_g(g, c, axy);
                    flux += gt * (vd - uc);
                    yd += gt * (uc - vd);
                }
                if (k == nz - 1)
                    flux -= mn__bottom_g(g, c, axy) * uc;
                double m = kk * axy * g->hz[k];
                flux -= g->lay_kcl[g->layer[k]] * m * uc;
                r[k] = dt * flux;
                dkprev = dk;
            }
        }
    }
    y[g->ncell] = dt * yd;
}

/* Whether columns c..c+MN__ZRUN-1 are all channel-free. */
static int mn__plain_run(const mn__adi *g, size_t c)
{
    for (size_t q = 0; q < MN__ZRUN; q++)
        if (!mn__plain(g, c + q))
            return 0;
    return 1;
}

void mn__adi_sync(mn__adi *g)
{
    if (g->pend == 0)
        return;
    const size_t nz = (size_t)g->nz;
    const double pend = g->pend;
    const long ncol = (long)g->ncol;
#pragma omp parallel for schedule(static) num_threads(g->threads) if (g->threads > 1)
    for (long c = 0; c < ncol; c++) {
        const double *x = mn__pend_x(g, (size_t)c);
        double *u = g->u + (size_t)c * nz;
        for (size_t k = 0; k < nz; k++)
            u[k] += pend * x[k];
    }
    g->pend = 0;
}

/* Mass removed over a step by clearance and the bottom sink, at u^{n+1} (backward Euler). */
static void mn__tally(mn__adi *g, double dt)
{
    const int nx = g->nx, ny = g->ny, nz = g->nz;
    double removed = 0;
#pragma omp parallel for schedule(static) reduction(+ : removed) num_threads(g->threads) if (g->threads > 1)
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            size_t c = (size_t)j * (size_t)nx + (size_t)i;
            const double *u = g->u + c * (size_t)nz;
            double axy = g->vx[i] * g->vy[j];
            int plain = g->fast && (!g->cov || g->cov[c] == 0);
            for (int k = 0; k < nz; k++) {
                double rate = g->lay_kcl[g->layer[k]];
                if (rate > 0) {
                    double kk, dk;
                    if (plain)
                        kk = g->fk[k];
                    else
                        mn__adi_cell(g, c, k, &kk, &dk);
                    removed += dt * rate * kk * axy * g->hz[k] * u[k];
                }
            }
            removed += dt * mn__bottom_g(g, c, axy) * u[nz - 1];
        }
    g->removed += removed;
}

/* Direct solve for a single-row grid (the unit cell and the intact column): banded Cholesky
 * of M + dt A ordered z-major (bandwidth nx), with the donor bordered in by two solves. */
static void mn__step_direct(mn__adi *g, double dt)
{
    const int nx = g->nx, nz = g->nz;
    const size_t n = g->ncell, bw = (size_t)nx, ld = bw + 1;
    double *L = g->band, *x = g->d, *y = g->bvec;
    assert(g->ny == 1 && L != NULL && y != NULL);
    mn__adi_apply(g, dt, g->u, g->w); /* rhs, engine order, donor last */
    /* Assemble the lower band: row (k, i) -> k * nx + i; L[row * ld + (col - row + bw)]. */
    memset(L, 0, n * ld * sizeof(double));
    for (int k = 0; k < nz; k++)
        for (int i = 0; i < nx; i++) {
            size_t row = (size_t)k * bw + (size_t)i;
            double kk, dk, kn, dkn, axy = g->vx[i] * g->vy[0];
            double ls = g->lat_scale[g->layer[k]];
            mn__adi_cell(g, (size_t)i, k, &kk, &dk);
            double m = kk * axy * g->hz[k];
            double diag = m + dt * g->lay_kcl[g->layer[k]] * m;
            if (i > 0) {
                mn__adi_cell(g, (size_t)i - 1, k, &kn, &dkn);
                double t = dt * mn__conductance(ls * g->afx[i] * g->hz[k], g->hx[i - 1], dkn,
                                                g->hx[i], dk);
                L[row * ld + bw - 1] = -t;
                diag += t;
            }
            if (i < nx - 1) {
                mn__adi_cell(g, (size_t)i + 1, k, &kn, &dkn);
                diag += dt * mn__conductance(ls * g->afx[i + 1] * g->hz[k], g->hx[i], dk,
                                             g->hx[i + 1], dkn);
            }
            if (k > 0) {
                mn__adi_cell(g, (size_t)i, k - 1, &kn, &dkn);
                double t = dt * mn__conductance(axy, g->hz[k - 1], dkn, g->hz[k], dk);
                L[row * ld + 0] = -t;
                diag += t;
            }
            if (k < nz - 1) {
                mn__adi_cell(g, (size_t)i, k + 1, &kn, &dkn);
                diag += dt * mn__conductance(axy, g->hz[k], dk, g->hz[k + 1], dkn);
            }
            if (k == 0)
                diag += dt * mn__top_g(g, (size_t)i, axy);
            if (k == nz - 1)
                diag += dt * mn__bottom_g(g, (size_t)i, axy);
            L[row * ld + bw] = diag;
        }
    /* Banded Cholesky in place; the reciprocals of the diagonal go after the band, so no
     * division is left in the inner loops. Dot products run on two accumulators. */
    double *invd = L + n * ld;
    for (size_t r = 0; r < n; r++) {
        size_t c0 = r > bw ? r - bw : 0;
        const double *Lr = L + r * ld + bw - r; /* Lr[q] = L(r, q) */
        for (size_t c = c0; c <= r; c++) {
            const double *Lc = L + c * ld + bw - c;
            double s0 = Lr[c], s1 = 0;
            size_t q = c > bw ? c - bw : 0;
            if (q < c0)
                q = c0;
            for (; q + 1 < c; q += 2) {
                s0 -= Lr[q] * Lc[q];
                s1 -= Lr[q + 1] * Lc[q + 1];
            }
            if (q < c)
                s0 -= Lr[q] * Lc[q];
            double sum = s0 + s1;
            if (c == r) {
                assert(sum > 0); /* M + dt A is symmetric positive definite */
                L[r * ld + bw] = sqrt(sum);
                invd[r] = 1.0 / L[r * ld + bw];
            } else {
                L[r * ld + (c + bw - r)] = sum * invd[c];
            }
        }
    }
    /* Right-hand sides: x <- tissue rhs (permuted), y <- dt g on the top row. */
    for (int k = 0; k < nz; k++)
        for (int i = 0; i < nx; i++) {
            x[(size_t)k * bw + (size_t)i] = g->w[mn__adi_index(g, (size_t)i, k)];
            y[(size_t)k * bw + (size_t)i] =
                k == 0 ? dt * mn__top_g(g, (size_t)i, g->vx[i] * g->vy[0]) : 0;
        }
    /* Both solved together: L z = rhs, then L^T z = z. */
    for (size_t r = 0; r < n; r++) {
        size_t c0 = r > bw ? r - bw : 0;
        const double *Lr = L + r * ld + bw - r;
        double sx = x[r], sy = y[r];
        for (size_t q = c0; q < r; q++) {
            sx -= Lr[q] * x[q];
            sy -= Lr[q] * y[q];
        }
        x[r] = sx * invd[r];
        y[r] = sy * invd[r];
    }
    for (size_t r = n; r-- > 0;) {
        double sx = x[r], sy = y[r];
        size_t c1 = r + bw < n - 1 ? r + bw : n - 1;
        for (size_t q = r + 1; q <= c1; q++) {
            double l = L[q * ld + (r + bw - q)];
            sx -= l * x[q];
            sy -= l * y[q];
        }
        x[r] = sx * invd[r];
        y[r] = sy * invd[r];
    }
    double sum_g = 0, gx = 0, gy = 0;
    for (int i = 0; i < nx; i++) {
        double gt = dt * mn__top_g(g, (size_t)i, g->vx[i] * g->vy[0]);
        sum_g += gt;
        gx += gt * x[i];
        gy += gt * y[i];
    }
    double md = g->donor_h_um * g->area_um2;
    assert(md + sum_g - gy > 0); /* the donor's Schur complement stays positive */
    double delta_d = (g->w[n] + gx) / (md + sum_g - gy);
    for (int k = 0; k < nz; k++)
        for (int i = 0; i < nx; i++) {
            size_t b = (size_t)k * bw + (size_t)i;
            g->u[mn__adi_index(g, (size_t)i, k)] += x[b] + delta_d * y[b];
        }
    g->u[n] += delta_d;
}

/* Assigns a fast grid's column classes (ccls, crep, ncls; mn__adi): 0 without a channel,
 * one per distinct channel depth and coverage otherwise. Returns 0 if there are more than
 * MN__NCLS_MAX. */
static int mn__classes(mn__adi *g)
{
    g->ncls = 1;
    if (!g->ccls)
        return 1;
    enum { H = 2 * MN__NCLS_MAX }; /* open addressing, at most half full */
    uint64_t key[H];
    int id[H];
    for (int h = 0; h < H; h++)
        id[h] = -1;
    uint64_t last = 0;
    int last_id = 0;
    for (size_t c = 0; c < g->ncol; c++) {
        if (!(g->cov[c] > 0)) {
            g->ccls[c] = 0;
            continue;
        }
        uint32_t bits;
        memcpy(&bits, &g->cov[c], sizeof bits);
        uint64_t kv = (uint64_t)(uint32_t)g->kch[c] << 32 | bits;
        if (!last_id || kv != last) {
            size_t h = (size_t)((kv * 0x9E3779B97F4A7C15u) >> 32) % H;
            while (id[h] >= 0 && key[h] != kv)
                h = (h + 1) % H;
            if (id[h] < 0) {
                if (g->ncls == MN__NCLS_MAX)
                    return 0;
                key[h] = kv;
                id[h] = g->ncls;
                g->crep[g->ncls++] = c;
            }
            last = kv;
            last_id = id[h];
        }
        g->ccls[c] = (unsigned short)last_id;
    }
    assert(g->ncls >= 1 && g->ncls <= MN__NCLS_MAX);
    return 1;
}

/* Works out the classes, zcls, ksx and ksy for the current value of fast; a grid with too
 * many classes takes the general path. */
static void mn__classify(mn__adi *g)
{
    const int nx = g->nx, ny = g->ny;
    assert(ny > 1 && g->zcls && g->ksx && g->ksy); /* 3D grids only */
    if (g->fast && !mn__classes(g))
        g->fast = 0;
    if (!g->fast)
        g->ncls = 0;
    g->cl_phi = NAN; /* the classes' properties: mn__cl_refresh */
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            size_t c = (size_t)j * (size_t)nx + (size_t)i;
            unsigned char cl = 0;
            if (mn__plain(g, c))
                cl |= MN__C_PLAIN;
            if (i + MN__ZRUN <= nx && mn__plain_run(g, c))
                cl |= MN__C_RUN;
            g->zcls[c] = cl;
            int kx = mn__imax(mn__kslow(g, c), g->klat), ky = kx;
            if (i > 0)
                kx = mn__imax(kx, mn__kslow(g, c - 1));
            if (i < nx - 1)
                kx = mn__imax(kx, mn__kslow(g, c + 1));
            if (j > 0)
                ky = mn__imax(ky, mn__kslow(g, c - (size_t)nx));
            if (j < ny - 1)
                ky = mn__imax(ky, mn__kslow(g, c + (size_t)nx));
            g->ksx[c] = kx;
            g->ksy[c] = ky;
        }
    g->cls_fast = g->fast;
}

void mn__adi_step(mn__adi *g, double dt_h)
{
    assert(dt_h > 0 && g->u != NULL);
    if (g->ny == 1) {
        mn__step_direct(g, dt_h);
        mn__tally(g, dt_h);
        return;
    }
    if (g->cls_fast != g->fast) {
        mn__adi_sync(g); /* where the pending term's response lies may change */
        mn__classify(g);
    }
#if MN_HAVE_AVX2_KERNEL
    if (g->isa == 1) {
        mn__adi_split_avx2(g, dt_h); /* tallies in its z sweep */
        return;
    }
#endif
    mn__adi_split_base(g, dt_h);
}

double mn__adi_tissue_mass(mn__adi *g, double *by_k)
{
    mn__adi_sync(g);
    assert(g->pend == 0);
    double total = 0;
    if (by_k)
        for (int k = 0; k < g->nz; k++)
            by_k[k] = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            size_t c = (size_t)j * (size_t)g->nx + (size_t)i;
            double axy = g->vx[i] * g->vy[j];
            for (int k = 0; k < g->nz; k++) {
                double kk, dk;
                mn__adi_cell(g, c, k, &kk, &dk);
                double m = kk * g->u[mn__adi_index(g, c, k)] * axy * g->hz[k];
                total += m;
                if (by_k)
                    by_k[k] += m;
            }
        }
    return total;
}

double mn__adi_donor_mass(const mn__adi *g)
{
    return g->u[g->ncell] * g->donor_h_um * g->area_um2;
}

double mn__adi_coverage(mn__adi *g, int min_layer, double threshold)
{
    mn__adi_sync(g);
    assert(min_layer >= 0 && min_layer < MN__NLAYER);
    double vol = 0, above = 0;
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            size_t c = (size_t)j * (size_t)g->nx + (size_t)i;
            double axy = g->vx[i] * g->vy[j];
            for (int k = 0; k < g->nz; k++) {
                if (g->layer[k] < min_layer)
                    continue;
                double kk, dk;
                mn__adi_cell(g, c, k, &kk, &dk);
                double v = axy * g->hz[k];
                vol += v;
                if (kk * g->u[mn__adi_index(g, c, k)] > threshold)
                    above += v;
            }
        }
    return vol > 0 ? above / vol : 0;
}
