/* Pieces of the absorb solvers that tests and benchmarks drive directly. */
#ifndef MN_TRANSPORT_ABSORB_INTERNAL_H
#define MN_TRANSPORT_ABSORB_INTERNAL_H

#include "mneedle/transport.h"
#include "transport/adi.h"

/* Share of the applied film volume at which it counts as dried (the film's floor: the
 * engine keeps this much liquid so the surface concentration stays defined). */
#define MN_FILM_DRY_FRACTION 1e-3

/* The hydrated stratum corneum's water share by volume, its partition coefficient for a
 * hydrophilic solute [ASSUMPTION, ~30 % water: props.c]; the film also uses it for the water
 * the SC holds under a drying film (absorb.c). */
#define MN_SC_WATER_SHARE 0.3

/* The hour a film open to air reaches that floor, thinning linearly at the scenario's
 * evaporation rate; HUGE_VAL when nothing evaporates (occluded). */
double mn__absorb_film_dry_h(const mn_absorb_scenario *s, const mn_absorb_params *p);

/* Per-sample series of one grid run, amounts in µg/cm², profile in µg/ml (n x nz). */
typedef struct {
    size_t n;
    int nz;
    double *donor, *sc, *ve, *dermis, *cleared, *coverage, *open_fraction;
    double *solid, *film; /* on the surface as solid (µg/cm²); liquid film left (µl/cm²) */
    double *profile;
    double mass_balance_error;
    size_t steps;
    /* The cumulative amount that crossed the SC (VE + dermis + cleared) and the amount cleared
     * (a Franz cell's receptor), in µg/cm², at the nf + 1 hours of mn__absorb_flux_grid_h(),
     * interpolated linearly between the march's steps: the flux summary's sampling, which does
     * not depend on the report hours. */
    size_t nf;
    double *fq, *fr;
} mn__series;

/* The flux summary samples the run every MN_FLUX_GRID_H hours from 0 to the scenario's hours
 * (the last interval may be shorter) [JUDGEMENT: a tenth of an hour is finer than the
 * clinic's hourly report hours and than a Franz cell's usual sampling, and 720 h still makes
 * only 7,200 samples]. */
#define MN_FLUX_GRID_H 0.1
/* Intervals of that grid over @p hours, and the hour of sample @p i (0 ... n). */
size_t mn__absorb_flux_grid_n(double hours);
double mn__absorb_flux_grid_h(double hours, size_t i);

/* Builds the depth grid for the layers and a channel depth (0 = none): hz, layer (owned by
 * the caller, from mn__malloc), nz, and kch = cells above the channel's bottom. */
mn_status mn__absorb_zgrid(const mn_skin_layers *layers, double channel_depth_um, double resolution,
                           double **hz, int **layer, int *nz, int *kch);

/* Sets the layer properties of an engine from the parameters. */
void mn__absorb_set_physics(mn__adi *g, const mn_absorb_params *p, double dose_ul_cm2);

/* Runs an engine through the scenario's times, recording the series (allocated here,
 * freed by mn__series_release). */
/* As mn__absorb_march(), asking @p stop (may be NULL) after every step (MN_ESTOPPED). */
mn_status mn__absorb_march_until(mn_ctx *ctx, mn__adi *g, const mn_absorb_scenario *s,
                                 const mn_absorb_params *p, double threshold,
                                 mn_progress_fn progress, void *userdata, mn_stop_fn stop,
                                 void *stop_ud, mn__series *out);
mn_status mn__absorb_march(mn_ctx *ctx, mn__adi *g, const mn_absorb_scenario *s,
                           const mn_absorb_params *p, double threshold, mn_progress_fn progress,
                           void *userdata, mn__series *out);
void mn__series_release(mn__series *s);

/* Refuses a 3D grid of @p nx x @p ny x @p nz cells over MN_ABSORB_FIELD_MAX_CELLS with
 * MN_ELIMIT, naming the scenario's file and $.field like any input error. */
mn_status mn__absorb_field_limit(mn_ctx *ctx, const mn_absorb_scenario *s, int nx, int ny, int nz);

/* The 3D patch solver on a given point field (the regular lattice in tests, the sampled
 * field in mn_absorb_run). Fills the engine (caller frees with mn__adi_free). */
mn_status mn__absorb_field_grid(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_params *p,
                                const mn_puncture_field *f, mn__adi *g);

/* The axisymmetric unit cell of radius p->cell_radius_um around one channel. */
mn_status mn__absorb_cell_grid(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_params *p,
                               mn__adi *g);

/* One column of intact skin. */
mn_status mn__absorb_intact_grid(mn_ctx *ctx, const mn_absorb_scenario *s,
                                 const mn_absorb_params *p, mn__adi *g);

#endif
