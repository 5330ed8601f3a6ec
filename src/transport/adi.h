/*
 * The transport engine shared by both solvers: a tensor-product finite-volume grid (x, y, z;
 * x may be the radius of an axisymmetric cell), one scalar unknown per cell, backward-Euler
 * implicit time steps (below).
 *
 * Unknown: u, the concentration in an aqueous phase in equilibrium with the cell (µg/cm³).
 * The tissue holds K u per unit volume (K = tissue/water partition coefficient), so a jump in
 * K between layers is a jump in concentration with a continuous u: partitioning at every
 * interface comes for free. Flux between cells a, b across area A:
 *     F = A (u_a - u_b) / (h_a / (2 D_a K_a) + h_b / (2 D_b K_b))   (harmonic, exact in 1D)
 * Time stepping is backward Euler (M = diag(K V), A = the flux operator incl. sinks):
 *   grids one cell deep in y (the axisymmetric unit cell, the intact column) solve
 *   (M + dt A) u^{n+1} = M u^n exactly, by a banded Cholesky factorisation (bandwidth nx);
 *   3D grids split A = Ax + Ay + Az (Lie splitting) and solve each factor exactly by line
 *   (Thomas) solves: u^{n+1} = (M+dt Az)^-1 M (M+dt Ay)^-1 M (M+dt Ax)^-1 M u^n. O(N) per
 *   step; every factor is an M-norm contraction and an M-matrix inverse, so the scheme is
 *   unconditionally stable and positivity preserving for any heterogeneity (the Douglas
 *   delta form was tried first and is unstable at channel walls). The splitting error is
 *   first order in dt; the lattice test bounds it against the unsplit unit cell.
 * Both conserve mass to rounding: sum(M u) changes by exactly -dt * (sink terms at
 * u^{n+1}), which the engine tallies.
 * The donor film (well mixed, volume per area h_d) is one more unknown coupled to the top
 * cell of every column; the z sweep eliminates each column from the bottom up and solves the
 * donor's bordered equation exactly. On 3D grids a column's values are linear in the new
 * donor value u_d: u = v + u_d x, with x the column's response to the donor (shared by all
 * channel-free columns). The z sweep stores v and x, then solves for u_d; adding u_d x is
 * left to the next step's first pass, which reads u anyway (mn__adi_sync does it at once):
 * one pass over memory less per step.
 *
 * Channels: column c carries a channel to depth index kch[c] with area coverage cov[c]
 * (0-1); a cell inside it mixes open channel fluid (fraction phi * cov * zsh[k], K = 1,
 * D = D_aq) and tissue in parallel, zsh being the channel's taper with depth. When phi changes, u
 * is rescaled so the cell's mass is unchanged.
 */
#ifndef MN_TRANSPORT_ADI_H
#define MN_TRANSPORT_ADI_H

#include <stddef.h>

#include "core/internal.h"

#define MN__NLAYER   4   /* SC, VE, papillary dermis, reticular dermis */
#define MN__NCLS_MAX 256 /* column classes of a fast grid (mn__adi) */

typedef struct {
    int nx, ny, nz;
    size_t ncol, ncell;
    /* Geometry (µm): cell widths h, volume factors v, face-area factors af (index i is the
     * face between cells i-1 and i; af[0] and af[n] are unused). Cartesian: v = h, af = 1.
     * Axisymmetric x = r: v = pi (r_{i+1}^2 - r_i^2), af = 2 pi r_i. */
    double *hx, *vx, *afx;
    double *hy, *vy, *afy;
    double *hz;
    int *layer; /* per z cell */
    /* Tissue properties per layer: K, D*K (µm²/h), first-order clearance (1/h). */
    double lay_k[MN__NLAYER], lay_dk[MN__NLAYER], lay_kcl[MN__NLAYER];
    double ch_k, ch_dk;           /* open channel fluid */
    double lat_scale[MN__NLAYER]; /* multiplies lateral conductances (0: no lateral transport) */
    float *cov;                   /* per column, NULL = no channels */
    double *kc, *dkc; /* optional per-cell cache of K and D*K (small grids; mn__adi_cache) */
    int *kch;         /* per column */
    /* Per z cell: the open channel's share of its surface area at that depth (a cone's
     * (1 - z / depth)^2, averaged over the cell); NULL = 1 (a cylinder). Owned. */
    double *zsh;
    double phi;        /* open fraction of channel area now */
    double donor_h_um; /* donor film thickness (µl/cm² * 10) */
    int bottom_sink;   /* 1: zero concentration below the last cell */
    double area_um2;   /* sum over columns of vx * vy */
    /* State. */
    double *u, *d, *w; /* ncell + 1 each: the donor's value is u[ncell] */
    /* Pending donor term (3D grids): the true values are u + pend * x, where x is the
     * column's class's row of clx on a fast grid and the column's cells in w otherwise. */
    double pend;
    double *band, *bvec; /* direct solver (ny == 1) */
    /* Direct solver: the coefficients of M + dt A without dt, which change only with phi.
     * Per cell (engine index): dgx, dgz, the conductances of its faces to the next cell in x
     * and in z; dm, its mass factor K V. Per column: dgt, dgb, to the donor and to the sink.
     * Worked out at the first step (dcoef 0 -> 1); when phi changes, mn__adi_set_phi works
     * out again those of the channel cells and their faces, and drops the factor. fact_dt: the
     * step of the factor in band and the donor's response in bvec (0: none), reused by a step
     * of the same length. */
    double *dgx, *dgz, *dm, *dgt, *dgb;
    int dcoef;
    double fact_dt;
    /* Fast path for 3D grids with uniform lateral cells: tissue-only properties per z cell
     * (K, lateral x and y face conductances, vertical conductance to k-1 per unit area). */
    int fast;
    int klat; /* fast grids: the first z cell with lateral transport (0 otherwise) */
    double *fk, *ftx, *fty, *ftz;
    double *fidk; /* per z cell: 1 / (D K) of the tissue */
    double *pz;   /* 11 * nz: the sweeps' per-step constants (mn__z_prepare) */
    /* Classes of a fast grid's columns. Columns with the same channel (depth kch and
     * coverage cov) have the same cells and the same z-line matrix, so their properties and
     * z-sweep factors are worked out once per class and step, not per column: class 0 is
     * tissue, and the sampled fields have a handful of classes (cov in sixteenths). ccls[c]
     * is column c's class, crep[n] a column of class n; ncls classes (mn__classify: more than
     * MN__NCLS_MAX and the grid takes the general path). Per class, nz values each: clk and
     * clidk, K and 1 / (D K) at phi = cl_phi; clx, the pending donor term's response; clz,
     * the z sweep's factors (MN__ZF per cell, interleaved: adi.c); clc, 4 values per class. */
    unsigned short *ccls;
    size_t *crep;
    int ncls;
    double *clk, *clidk, *clx, *clz, *clc;
    double cl_phi;
    /* Per column of a 3D grid, worked out once for the current value of fast (cls_fast),
     * with the classes: zcls, its z sweep's path (MN__C_* in adi.c); ksx, ksy: the depth
     * down to which a lateral sweep along x or y takes the channel path (fast grids). */
    unsigned char *zcls;
    int *ksx, *ksy;
    int cls_fast;
    double removed; /* cumulative mass removed by clearance and the bottom sink (µg/cm³ µm³) */
    int threads;
    int isa;         /* the split step's variant: 0 baseline, 1 AVX2 (adi.c) */
    double *scratch; /* per-thread line scratch */
    size_t scratch_per_thread, scratch_props;
} mn__adi;

/* Allocates state for a grid whose geometry arrays the caller has set (the engine takes
 * ownership of hx, vx, afx, hy, vy, afy, hz, layer, cov, kch: all from mn__malloc).
 * Sets u = 0. The geometry and properties stay as set from the first step on; the open
 * fraction changes through mn__adi_set_phi only (the solvers hold what follows from them). */
mn_status mn__adi_alloc(mn__adi *g);
void mn__adi_free(mn__adi *g);

/* Enables (allocates) the per-cell property cache: faster for small grids, costs 16 bytes
 * a cell. The cache is refreshed by mn__adi_set_phi. */
mn_status mn__adi_cache(mn__adi *g);

/* Changes the open fraction, rescaling u in channel cells so mass is unchanged. */
void mn__adi_set_phi(mn__adi *g, double phi);

/* One backward-Euler step of dt hours: a direct banded solve when ny == 1 (unit cell,
 * intact column), the split line sweeps (O(N)) otherwise. After a split step u lacks the
 * pending donor term until mn__adi_sync or the next step (see above). */
void mn__adi_step(mn__adi *g, double dt_h);

/* Adds the pending donor term to u, so that u holds the values; the readers below call it. */
void mn__adi_sync(mn__adi *g);

/* Cell index. */
static inline size_t mn__adi_index(const mn__adi *g, size_t col, int k)
{
    return col * (size_t)g->nz + (size_t)k;
}

/* Partition coefficient and D*K of cell (col, k). */
static inline void mn__adi_cell(const mn__adi *g, size_t col, int k, double *kk, double *dk)
{
    if (g->kc) {
        size_t idx = col * (size_t)g->nz + (size_t)k;
        *kk = g->kc[idx];
        *dk = g->dkc[idx];
        return;
    }
    int L = g->layer[k];
    double k0 = g->lay_k[L], d0 = g->lay_dk[L];
    if (g->cov && k < g->kch[col]) {
        double psi = g->phi * (double)g->cov[col] * (g->zsh ? g->zsh[k] : 1.0);
        k0 += psi * (g->ch_k - k0);
        d0 += psi * (g->ch_dk - d0);
    }
    *kk = k0;
    *dk = d0;
}

/* Total mass in the tissue (µg/cm³ µm³), and per z cell into by_k (nz, may be NULL). */
double mn__adi_tissue_mass(mn__adi *g, double *by_k);

/* Donor mass (same units). */
double mn__adi_donor_mass(const mn__adi *g);

/* Volume fraction of the cells with layer >= min_layer whose tissue concentration K u
 * exceeds threshold. */
double mn__adi_coverage(mn__adi *g, int min_layer, double threshold);

/* Internals shared by adi.c and the split step (adi_split.c). */

/* Runs of this many neighbouring channel-free columns go through the z sweep together. */
#define MN__ZRUN 8
/* The z sweep's factors per cell of a class (clz), interleaved: mass, elimination factor,
 * 1 / reduced pivot, substitution factor, clearance tally factor, response to the donor. */
enum { MN__ZF_M, MN__ZF_RATIO, MN__ZF_BINV, MN__ZF_WW, MN__ZF_CL, MN__ZF_X, MN__ZF };
/* Column paths (zcls): channel-free on a fast grid, and the first of MN__ZRUN channel-free
 * columns in one row. */
enum { MN__C_PLAIN = 1, MN__C_RUN = 4 };

/* Conductance of the face between cells a and b (half widths h/2, D K each) of this area. */
static inline double mn__conductance(double area, double ha, double dka, double hb, double dkb)
{
    return area / (0.5 * ha / dka + 0.5 * hb / dkb);
}

/* Top (donor) and bottom (sink) conductances of column c, of this area. */
static inline double mn__top_g(const mn__adi *g, size_t c, double area)
{
    double kk, dk;
    mn__adi_cell(g, c, 0, &kk, &dk);
    return area * dk / (0.5 * g->hz[0]);
}

static inline double mn__bottom_g(const mn__adi *g, size_t c, double area)
{
    if (!g->bottom_sink)
        return 0;
    double kk, dk;
    mn__adi_cell(g, c, g->nz - 1, &kk, &dk);
    return area * dk / (0.5 * g->hz[g->nz - 1]);
}

/* Column c's class on a fast grid. */
static inline size_t mn__cls(const mn__adi *g, size_t c)
{
    return g->ccls ? g->ccls[c] : 0;
}

/* Where column c's response to the donor lies, which the pending term multiplies: its
 * class's row of clx if the last z sweep took the fast path, its cells in w if not. */
static inline const double *mn__pend_x(const mn__adi *g, size_t c)
{
    return g->cls_fast == 1 ? g->clx + mn__cls(g, c) * (size_t)g->nz : g->w + c * (size_t)g->nz;
}

/* The split step (3D grids) on a grid classified for its value of fast, in two builds of
 * one source: baseline, and AVX2 where the compiler can make it (MN_HAVE_AVX2_KERNEL). */
void mn__adi_split_base(mn__adi *g, double dt);
void mn__adi_split_avx2(mn__adi *g, double dt);

#endif
