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
        g->dgx = mn__calloc(g->ncell, sizeof(double));
        g->dgz = mn__calloc(g->ncell, sizeof(double));
        g->dm = mn__calloc(g->ncell, sizeof(double));
        g->dgt = mn__calloc((size_t)g->nx, sizeof(double));
        g->dgb = mn__calloc((size_t)g->nx, sizeof(double));
        if (!g->band || !g->bvec || !g->dgx || !g->dgz || !g->dm || !g->dgt || !g->dgb)
            return MN_ENOMEM;
        g->dcoef = 0;
        g->fact_dt = 0;
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
    void *p[] = {g->hx,   g->vx,   g->afx,  g->hy,  g->vy,    g->afy, g->hz,   g->layer,
                 g->cov,  g->kch,  g->kc,   g->dkc, g->u,     g->d,   g->w,    g->scratch,
                 g->fk,   g->ftx,  g->fty,  g->ftz, g->fidk,  g->pz,  g->zcls, g->ksx,
                 g->ksy,  g->ccls, g->crep, g->clk, g->clidk, g->clz, g->clc,  g->clx,
                 g->band, g->bvec, g->zsh,  g->dgx, g->dgz,   g->dm,  g->dgt,  g->dgb};
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

/* A single-row grid's coefficients (mn__adi: dgx ... dgb) of cell (i, k) and of its faces to
 * the next cells in x and z; its face areas carry vy[0] (1 on the grids built here). */
static void mn__direct_coef(mn__adi *g, int i, int k)
{
    const size_t c = (size_t)i, idx = mn__adi_index(g, c, k);
    double kk, dk, kn, dkn, axy = g->vx[i] * g->vy[0];
    mn__adi_cell(g, c, k, &kk, &dk);
    g->dm[idx] = kk * axy * g->hz[k];
    if (i < g->nx - 1) {
        mn__adi_cell(g, c + 1, k, &kn, &dkn);
        g->dgx[idx] =
            mn__conductance(g->lat_scale[g->layer[k]] * g->afx[i + 1] * g->vy[0] * g->hz[k],
                            g->hx[i], dk, g->hx[i + 1], dkn);
    }
    if (k < g->nz - 1) {
        mn__adi_cell(g, c, k + 1, &kn, &dkn);
        g->dgz[idx] = mn__conductance(axy, g->hz[k], dk, g->hz[k + 1], dkn);
    }
    if (k == 0)
        g->dgt[i] = mn__top_g(g, c, axy);
    if (k == g->nz - 1)
        g->dgb[i] = mn__bottom_g(g, c, axy);
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
    /* Only the channel cells' K and D K follow phi: their cached values, then on a single-row
     * grid that has stepped the direct solver's coefficients of their faces (the face above a
     * channel cell is its channel neighbour's; the one to its left may be a tissue cell's). */
    for (size_t c = 0; kc && c < g->ncol; c++)
        for (int k = 0; g->cov[c] > 0 && k < g->kch[c]; k++) {
            size_t idx = mn__adi_index(g, c, k);
            mn__adi_cell(g, c, k, &kc[idx], &dkc[idx]);
        }
    g->kc = kc;
    g->dkc = dkc;
    if (g->dcoef) {
        for (size_t c = 0; c < g->ncol; c++)
            for (int k = 0; g->cov[c] > 0 && k < g->kch[c]; k++) {
                mn__direct_coef(g, (int)c, k);
                if (c > 0 && !(g->cov[c - 1] > 0 && k < g->kch[c - 1]))
                    mn__direct_coef(g, (int)c - 1, k);
            }
        g->fact_dt = 0;
    }
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

/* removed plus what column (i, j) lost over a step (mn__tally), cell by cell. */
static inline double mn__tally_column(const mn__adi *g, double dt, int i, int j, double removed)
{
    const int nz = g->nz;
    size_t c = (size_t)j * (size_t)g->nx + (size_t)i;
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
    return removed + dt * mn__bottom_g(g, c, axy) * u[nz - 1];
}

/* Mass removed over a step by clearance and the bottom sink, at u^{n+1} (backward Euler).
 * On one thread without an OpenMP region: entering one cost more than the sum on the unit
 * cell; a single thread's reduction is the same sum in the same order. */
static void mn__tally(mn__adi *g, double dt)
{
    const int nx = g->nx, ny = g->ny;
    double removed = 0;
    if (g->threads > 1) {
#pragma omp parallel for schedule(static) reduction(+ : removed) num_threads(g->threads)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                removed = mn__tally_column(g, dt, i, j, removed);
    } else {
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                removed = mn__tally_column(g, dt, i, j, removed);
    }
    g->removed += removed;
}

/* Two doubles in one SIMD register (GCC and Clang vector extension; SSE2 on x86-64), and its
 * unaligned form for loads. */
typedef double mn__v2 __attribute__((vector_size(16)));
typedef double mn__v2u __attribute__((vector_size(16), aligned(8)));

/* The banded Cholesky factor's entry (r, c), c <= r, before the division by L(c, c) (or the
 * square root on the diagonal): A(r, c) - sum over q < c of L(r, q) L(c, q), where L holds A
 * in row r from column c on. Two accumulators, even and odd terms from the band's first
 * column: the two lanes of one register, element by element the scalar arithmetic. */
static inline double mn__chol_entry(const double *L, size_t ld, size_t bw, size_t r, size_t c)
{
    const double *Lr = L + r * ld + bw - r, *Lc = L + c * ld + bw - c; /* Lr[q] = L(r, q) */
    mn__v2 s = {Lr[c], 0};
    size_t q = r > bw ? r - bw : 0;
    for (; q + 1 < c; q += 2)
        s -= *(const mn__v2u *)(Lr + q) * *(const mn__v2u *)(Lc + q);
    double s0 = s[0];
    if (q < c)
        s0 -= Lr[q] * Lc[q];
    return s0 + s[1];
}

/* w = -dt A u, the direct step's right-hand side (donor last), from the held coefficients:
 * per cell, the fluxes from its neighbours in x, then z, the donor, the sink, clearance. */
static void mn__direct_rhs(mn__adi *g, double dt)
{
    const int nx = g->nx, nz = g->nz;
    const double vd = g->u[g->ncell];
    double yd = 0;
    for (int i = 0; i < nx; i++) {
        const size_t c0 = (size_t)i * (size_t)nz;
        const double *u = g->u + c0, *gx = g->dgx + c0, *gz = g->dgz + c0, *m = g->dm + c0;
        double *r = g->w + c0;
        for (int k = 0; k < nz; k++) {
            double flux = 0, uc = u[k];
            if (i > 0)
                flux += gx[k - nz] * (u[k - nz] - uc);
            if (i < nx - 1)
                flux += gx[k] * (u[k + nz] - uc);
            if (k > 0)
                flux += gz[k - 1] * (u[k - 1] - uc);
            if (k < nz - 1)
                flux += gz[k] * (u[k + 1] - uc);
            if (k == 0) {
                double gt = g->dgt[i];
                flux += gt * (vd - uc);
                yd += gt * (uc - vd);
            }
            if (k == nz - 1)
                flux -= g->dgb[i] * uc;
            flux -= g->lay_kcl[g->layer[k]] * m[k] * uc;
            r[k] = dt * flux;
        }
    }
    g->w[g->ncell] = dt * yd;
}

/* Forward substitution's column c (L z = rhs in place, for z1 and, when not NULL, z2):
 * z[c] is final once divided by L(c, c); L(r, c) z[c] then comes off each z[r] below it in
 * the band. Column by column, each z[r] takes its terms for q from the band's first column up,
 * the order of the row-by-row sum, which waited for the row before at every row. */
static inline void mn__forward_column(const double *L, size_t ld, size_t bw, size_t n, size_t c,
                                      double *z1, double *z2)
{
    const double *invd = L + n * ld;
    size_t r1 = c + bw < n - 1 ? c + bw : n - 1;
    double a1 = z1[c] * invd[c];
    z1[c] = a1;
    if (z2) {
        double a2 = z2[c] * invd[c];
        z2[c] = a2;
        for (size_t r = c + 1; r <= r1; r++) {
            double l = L[r * ld + (c + bw - r)];
            z1[r] -= l * a1;
            z2[r] -= l * a2;
        }
    } else {
        for (size_t r = c + 1; r <= r1; r++)
            z1[r] -= L[r * ld + (c + bw - r)] * a1;
    }
}

/* Assembles M + dt A in the band (z-major rows, bandwidth nx), factors it in place and does
 * the forward substitution for z1 and z2 (mn__forward_column) as the columns are done. */
static void mn__direct_factor(mn__adi *g, double dt, double *z1, double *z2)
{
    const int nx = g->nx, nz = g->nz;
    const size_t n = g->ncell, bw = (size_t)nx, ld = bw + 1;
    double *L = g->band;
    /* The lower band: row (k, i) -> k * nx + i; L[row * ld + (col - row + bw)]. */
    memset(L, 0, n * ld * sizeof(double));
    for (int k = 0; k < nz; k++)
        for (int i = 0; i < nx; i++) {
            size_t row = (size_t)k * bw + (size_t)i, idx = mn__adi_index(g, (size_t)i, k);
            double m = g->dm[idx];
            double diag = m + dt * g->lay_kcl[g->layer[k]] * m;
            if (i > 0) {
                double t = dt * g->dgx[idx - (size_t)nz];
                L[row * ld + bw - 1] = -t;
                diag += t;
            }
            if (i < nx - 1)
                diag += dt * g->dgx[idx];
            if (k > 0) {
                double t = dt * g->dgz[idx - 1];
                L[row * ld + 0] = -t;
                diag += t;
            }
            if (k < nz - 1)
                diag += dt * g->dgz[idx];
            if (k == 0)
                diag += dt * g->dgt[i];
            if (k == nz - 1)
                diag += dt * g->dgb[i];
            L[row * ld + bw] = diag;
        }
    /* Banded Cholesky in place; the reciprocals of the diagonal go after the band, so no
     * division is left in the inner loops. Dot products run on two accumulators. Column by
     * column: L(r, c) needs row r left of c and row c up to c (mn__chol_entry), so once
     * L(c, c) is known the entries below it in the band are independent of each other and
     * the processor overlaps their dot products; row by row, each entry waited for the one
     * before it. Every entry is the same sum in the same order either way. The forward
     * substitution's work fills the time each column waits for its square root. */
    double *invd = L + n * ld;
    for (size_t c = 0; c < n; c++) {
        double sum = mn__chol_entry(L, ld, bw, c, c);
        assert(sum > 0); /* M + dt A is symmetric positive definite */
        L[c * ld + bw] = sqrt(sum);
        invd[c] = 1.0 / L[c * ld + bw];
        size_t r1 = c + bw < n - 1 ? c + bw : n - 1;
        for (size_t r = c + 1; r <= r1; r++)
            L[r * ld + (c + bw - r)] = mn__chol_entry(L, ld, bw, r, c) * invd[c];
        mn__forward_column(L, ld, bw, n, c, z1, z2);
    }
}

/* Backward substitution, L^T z = z in place, for z1 and, when not NULL, z2 at once (their
 * chains of dependent operations overlap): row by row, q from r + 1 up. */
static void mn__direct_backward(const mn__adi *g, double *z1, double *z2)
{
    const size_t n = g->ncell, bw = (size_t)g->nx, ld = bw + 1;
    const double *L = g->band, *invd = L + n * ld;
    for (size_t r = n; r-- > 0;) {
        size_t c1 = r + bw < n - 1 ? r + bw : n - 1;
        double s1 = z1[r], s2 = z2 ? z2[r] : 0;
        for (size_t q = r + 1; q <= c1; q++) {
            double l = L[q * ld + (r + bw - q)];
            s1 -= l * z1[q];
            if (z2)
                s2 -= l * z2[q];
        }
        z1[r] = s1 * invd[r];
        if (z2)
            z2[r] = s2 * invd[r];
    }
}

/* Direct solve for a single-row grid (the unit cell and the intact column): banded Cholesky
 * of M + dt A ordered z-major (bandwidth nx), with the donor bordered in by two solves: the
 * tissue's right-hand side x, and y, the tissue's response to the donor, which like the factor
 * depends only on the matrix, so a step as long as the last one on unchanged coefficients
 * (the intact column once its step is capped) reuses both. */
static void mn__step_direct(mn__adi *g, double dt)
{
    const int nx = g->nx, nz = g->nz;
    const size_t n = g->ncell, bw = (size_t)nx;
    double *x = g->d, *y = g->bvec;
    assert(g->ny == 1 && g->band != NULL && y != NULL);
    if (!g->dcoef) {
        for (int i = 0; i < nx; i++)
            for (int k = 0; k < nz; k++)
                mn__direct_coef(g, i, k);
        g->dcoef = 1;
        g->fact_dt = 0;
    }
    mn__direct_rhs(g, dt);
    /* x <- tissue rhs (permuted). */
    for (int k = 0; k < nz; k++)
        for (int i = 0; i < nx; i++)
            x[(size_t)k * bw + (size_t)i] = g->w[mn__adi_index(g, (size_t)i, k)];
    if (g->fact_dt != dt) {
        /* y <- dt g on the top row; both through the new factor. */
        for (int k = 0; k < nz; k++)
            for (int i = 0; i < nx; i++)
                y[(size_t)k * bw + (size_t)i] = k == 0 ? dt * g->dgt[i] : 0;
        mn__direct_factor(g, dt, x, y);
        mn__direct_backward(g, x, y);
        g->fact_dt = dt;
    } else { /* y is held */
        for (size_t c = 0; c < n; c++)
            mn__forward_column(g->band, bw + 1, bw, n, c, x, NULL);
        mn__direct_backward(g, x, NULL);
    }
    double sum_g = 0, gx = 0, gy = 0;
    for (int i = 0; i < nx; i++) {
        double gt = dt * g->dgt[i];
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
