/*
 * mneedle transport: what a serum applied after needling does. A finite dose sits on the
 * skin; it crosses the intact stratum corneum slowly and the open channels quickly; the
 * channels close over hours to days; the dermis clears what reaches it. Model, equations and
 * sources: docs/models/transport.md. Every figure is a simulation, not a measurement.
 *
 * Two solvers share one physics and one discretisation (flux-conservative finite volumes,
 * implicit in time, alternating-direction line solves, O(N) per step):
 *   - unit cell (default): axisymmetric r-z around one channel, cell radius from the puncture
 *     density, plus any intact area the cells do not reach; milliseconds per 24 h;
 *   - 3D patch (field = 1): the seeded puncture field (mn_puncture_field_generate) on a
 *     laterally resolved grid; shows heterogeneity (coverage).
 *
 * Life cycle: mn_absorb_scenario_init -> fill or mn_absorb_scenario_load -> mn_absorb_run ->
 * read the mn_absorb_result -> mn_absorb_result_release and mn_absorb_scenario_release.
 *
 * Thread safety: one context per thread. mn_absorb_run() may use OpenMP threads of its own:
 * the solver spreads a grid of 200,000 cells or more (in practice the 3D patch) over
 * omp_get_max_threads() threads (OMP_NUM_THREADS bounds it); smaller grids run on the calling
 * thread. The other functions use no threads and touch only their arguments and the context.
 */
#ifndef MNEEDLE_TRANSPORT_H
#define MNEEDLE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mneedle/catalog.h"
#include "mneedle/device.h"
#include "mneedle/skin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** Intact stratum corneum permeability law. */
typedef enum {
    MN_KP_POTTS_GUY = 0, /* log kp[cm/s] = -6.3 + 0.71 logP - 0.0061 MW (F65) */
    MN_KP_UPDATED = 1    /* log kp[cm/h] = -2.55 + 0.65 logP - 0.0085 MW (F67) */
} mn_kp_model;

/** Where the intact-skin regressions were fitted (F65: MW 18-750, log Kow -3 to 6; F67: MW
 *  18-584). Outside, kp is extrapolated (docs/models/transport.md) and runs print a caution. */
#define MN_KP_POTTS_GUY_MW_MAX 750.0
#define MN_KP_UPDATED_MW_MAX   584.0
#define MN_KP_MW_MIN           18.0
#define MN_KP_LOGP_MIN         -3.0
#define MN_KP_LOGP_MAX         6.0

/** Limits on a scenario (checked by the loader and by mn_absorb_run). */
#define MN_ABSORB_MAX_HOURS       720.0 /* 30 days */
#define MN_ABSORB_MAX_REPORTS     1000
#define MN_ABSORB_MIN_MW          18.0
#define MN_ABSORB_MAX_MW          100000.0
#define MN_ABSORB_MIN_LOGP        -8.0
#define MN_ABSORB_MAX_LOGP        10.0
#define MN_ABSORB_DEFAULT_SEED    20260101u
#define MN_ABSORB_FIELD_MAX_CELLS 200000000.0 /* refuse 3D grids larger than this */
/* The room the film dries in, unless a scenario says (docs/models/transport.md, "The film"):
 * skin surface 32 °C; a clinic room at 22 °C and 50 % relative humidity and still indoor air
 * (< 0.2 m/s is the comfort limit of ISO 7730) [ASSUMPTION: typical indoor conditions]. */
/* Melting point assumed by the general solubility equation where a product gives no
 * solubility (Jain & Yalkowsky 2001; docs/models/transport.md, "The film") [ASSUMPTION]. */
#define MN_ABSORB_GSE_MP_C          125.0
#define MN_ABSORB_BAND_RUNS         32   /* sampled unit-cell runs behind the 10-90 % band */
#define MN_ABSORB_MAX_BAND_RUNS     1000 /* at most this many; why: src/transport/scenario.c */
#define MN_ABSORB_SKIN_TEMP_C       32.0
#define MN_ABSORB_AIR_TEMP_C        22.0
#define MN_ABSORB_RELATIVE_HUMIDITY 0.5
#define MN_ABSORB_AIR_SPEED_M_S     0.1

/** An absorb scenario (caller-owned; init fills defaults, release frees report_hours). */
typedef struct {
    const mn_site *site;     /* required; owned by the context's catalogue */
    mn_patient patient;      /* age, sex, phototype */
    const mn_device *device; /* NULL = intact skin ("none") */
    double needle_mm;        /* set needle length */
    double passes;           /* passes over the area (fractional allowed) */
    double glide_mm_s;       /* pens: hand speed; <= 0 means MN_DEFAULT_GLIDE_MM_S */
    char product_name[64];   /* catalogue id, or "custom" */
    double mw;               /* g/mol */
    double logp;             /* octanol/water */
    double concentration_mg_ml;
    double dose_ul_cm2;
    int occluded;         /* 1: covered (channels close slowly); 0: open to air */
    double hours;         /* simulated time */
    double *report_hours; /* n_report ascending times in (0, hours], owned */
    size_t n_report;
    mn_kp_model kp_model;
    int polar_route;       /* 1 (default): add the size-dependent polar pathway to kp */
    int field;             /* 1: 3D patch solver */
    double field_width_um; /* patch size for the 3D solver (default 2000 x 2000) */
    double field_height_um;
    double field_dx_um;              /* lateral cell size (default 10) */
    uint64_t seed;                   /* puncture field seed */
    double coverage_threshold_ug_ml; /* <= 0: 0.1 % of the applied concentration */
    double resolution; /* grid and time-step refinement factor, 1 = default (0.25-16) */
    /* The applied film (docs/models/transport.md, "The film"): */
    double solubility_mg_ml;  /* in the vehicle (water); <= 0: the product's, else estimated */
    double skin_temp_c;       /* skin surface (default 32) */
    double air_temp_c;        /* room air (default 22) */
    double relative_humidity; /* 0-1 (default 0.5) */
    double air_speed_m_s;     /* over the skin (default 0.1, still indoor air) */
    int band_runs; /* unit-cell runs with sampled parameters for the 10-90 % band (default 32;
                      0: no band) */
    mn_warnings warnings; /* set by the loader: needle_mm beyond the site's depth caps
                             (mn_device_depth_caps()); the run goes ahead, the command warns */
    char source[256];     /* the file it was read from, as errors name it ("<stdin>"); set by
                             the loader, so problems found only when the run starts (the 3D
                             grid limit) name the file too. Empty: "absorb scenario" */
    double hydrodynamic_radius_nm; /* Stokes radius in water; <= 0: the product's, else a
                                      sphere of MW x 0.75 cm³/g */
    int franz;            /* 1: in vitro, excised skin in a Franz cell ("setup": "franz"): no dermal
                             blood flow, no barrier repair (channels stay open), a sink receptor under
                             the dermis (docs/models/transport.md, "Franz cell") */
    int occluded_default; /* 1: the scenario left out "occluded", so the default (occluded)
                             applies; set by the loader, the text report says so */
} mn_absorb_scenario;

/** Fills defaults: forearm-like nothing (site NULL), 40-year-old woman type 2, intact skin,
 *  caffeine-like molecule unset (mw 0), 10 µl/cm², occluded, 24 h, Potts-Guy, unit cell,
 *  2 x 2 mm patch at 10 µm, default seed, resolution 1. */
void mn_absorb_scenario_init(mn_absorb_scenario *s);

/** Frees report_hours. NULL-safe. */
void mn_absorb_scenario_release(mn_absorb_scenario *s);

/**
 * Reads a scenario file (DESIGN 4 keys: site, patient.{age, sex, fitzpatrick}, device or
 * "none", needle_mm, passes, product.{name | mw, logp, concentration_mg_ml, dose_ul_cm2},
 * occluded, hours, report_hours[]; optional: glide_mm_s, kp_model ("potts-guy"|"updated"),
 * polar_route (bool, default true), setup ("in-vivo" | "franz"), product.solubility_mg_ml,
 * product.hydrodynamic_radius_nm, environment.{skin_temperature_c, air_temperature_c,
 * relative_humidity, air_speed_m_s}, band_runs, seed, field.{width_um, height_um, dx_um},
 * coverage_threshold_ug_ml, resolution).
 * "-" reads standard input.
 *
 * @return MN_OK; MN_EIO; MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND, MN_ELIMIT with the file
 *         and the JSON path in the context's message. On failure @p s is left initialised and
 *         empty (release is still safe).
 */
mn_status mn_absorb_scenario_load(mn_ctx *ctx, const char *path, mn_absorb_scenario *s);

/** As mn_absorb_scenario_load() from text in memory; @p src names it in messages. */
mn_status mn_absorb_scenario_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                   mn_absorb_scenario *s);

/** Molecule and tissue parameters the physics derives from a scenario (all documented in
 *  docs/models/transport.md with their sources). Units: µm, h, µg/cm³. */
typedef struct {
    double kp_cm_h;             /* intact SC permeability: lipid + polar routes in parallel */
    double kp_lipid_cm_h;       /* lipid route (F65 or F67 regression) */
    double kp_polar_cm_h;       /* polar (aqueous pore/appendage) route, 0 if disabled */
    int kp_outside_range;       /* 1: MW or logP outside the regression's fitted range */
    double k_sc_w;              /* SC/water partition coefficient */
    double k_ve_w;              /* viable epidermis/water */
    double k_de_w;              /* dermis/water */
    double d_aq_um2_h;          /* free aqueous diffusivity (Stokes-Einstein, 32 °C) */
    double d_sc_um2_h;          /* effective SC diffusivity, D = kp h / K */
    double d_ve_um2_h;          /* viable epidermis */
    double d_de_um2_h;          /* dermis */
    double clearance_per_h;     /* first-order dermal clearance */
    double closure_half_life_h; /* open channel area halves every this many hours */
    double punctures_per_cm2;
    double channel_depth_um;    /* effective depth: the tip's reach (device law, bounded) */
    double channel_depth_lo_um; /* depth uncertainty band */
    double channel_depth_hi_um;
    double channel_diameter_um; /* at the surface */
    double open_depth_um;       /* depth that stays open after recoil (the transport channel) */
    double open_depth_lo_um;    /* its band (mn_channel_geometry_at) */
    double open_depth_hi_um;
    double channel_volume_ul_cm2;  /* open cones per cm² of skin */
    double channel_wall_cm2_cm2;   /* their wall area per cm² */
    double closure_half_life_lo_h; /* 10-90 % band of the closure half-life */
    double closure_half_life_hi_h;
    double cell_radius_um;       /* unit-cell radius from the density (0 if intact) */
    double cell_area_fraction;   /* area the unit cells cover (the rest is intact) */
    double solubility_ug_ml;     /* the solute's solubility in the film */
    int solubility_estimated;    /* 1: from the general solubility equation, not the product */
    double evaporation_ul_cm2_h; /* water lost from the film, 0 when occluded */
    double dose_ug_cm2;          /* applied amount */
    double donor_conc_ug_ml;     /* applied concentration */
    mn_skin_layers layers;
    double hydrodynamic_radius_nm; /* Stokes radius behind d_aq (the product's or a sphere's) */
    int radius_from_product;       /* 1: a measured or derived radius, not the sphere's */
    int franz;                     /* 1: in vitro (no clearance, channels stay open) */
    int solubility_capped; /* 1: the estimate was above the model's 1,000 mg/ml and was capped */
} mn_absorb_params;

/**
 * Derives the parameters of a scenario without solving anything.
 * @return MN_OK; MN_EINVAL for a scenario without site or molecule, or out-of-range values.
 */
mn_status mn_absorb_params_compute(mn_ctx *ctx, const mn_absorb_scenario *s, mn_absorb_params *out);

/** The largest MW the lipid-route regression was fitted on (750 Potts-Guy, 584 updated). */
double mn_absorb_kp_mw_max(mn_kp_model model);

/** The largest lipid-route kp (cm/h) the regression gives inside its fitted range: at its
 *  smallest MW (18) and largest log Kow (MN_KP_LOGP_MAX), 25.5 cm/h for Potts-Guy and 15.7 for
 *  the updated one. A kp beyond it is the regression carried past its data. Thread-safe. */
double mn_absorb_kp_fitted_max_cm_h(mn_kp_model model);

/** Closure: the fraction of the initial channel area still open at @p t_h (2^(-t/t½)). */
double mn_absorb_open_fraction(const mn_absorb_params *p, double t_h);

/** One reported time. Amounts per cm² of treated skin. */
typedef struct {
    double hour;
    double delivered_ug_cm2; /* crossed the SC: in VE + dermis + cleared + below the dermis */
    double intact_ug_cm2;    /* the same on intact skin (baseline) */
    double enhancement;      /* delivered / intact (an output, never an input) */
    double donor_ug_cm2;     /* dissolved in the film still on the surface */
    double solid_ug_cm2;     /* precipitated or dried on the surface */
    double surface_ug_cm2;   /* on the surface: dissolved + solid */
    double film_ul_cm2;      /* liquid film left */
    double sc_ug_cm2;        /* in the stratum corneum */
    double ve_ug_cm2;        /* in the viable epidermis */
    double dermis_ug_cm2;    /* in the dermis */
    double cleared_ug_cm2;   /* taken away by dermal blood flow and the lower boundary */
    double open_fraction;    /* channel area still open */
    double coverage;         /* fraction of dermal volume above the coverage threshold */
    double intact_coverage;  /* the same on intact skin */
    double flux_ug_cm2_h;    /* mean rate of delivery since the previous report hour (or 0) */
    double intact_flux_ug_cm2_h;
    double delivered_lo_ug_cm2; /* 10-90 % band over sampled parameters (= delivered if none) */
    double delivered_hi_ug_cm2;
    double enhancement_lo; /* 10-90 % band of the enhancement */
    double enhancement_hi;
    /* Franz cell only (0 in vivo): cumulative amount in the receptor under the dermis,
     * needled and intact, the mean receptor flux since the previous report hour, the
     * receptor ratio (= the ratio of mean fluxes from 0 to this hour) with its 10-90 % band,
     * and the ratio of what the skin holds below the SC (VE + dermis), needled / intact. */
    double receptor_ug_cm2;
    double intact_receptor_ug_cm2;
    double receptor_flux_ug_cm2_h;
    double intact_receptor_flux_ug_cm2_h;
    double receptor_ratio, receptor_ratio_lo, receptor_ratio_hi;
    double intact_skin_ug_cm2; /* VE + dermis of intact skin */
    double skin_ratio, skin_ratio_lo, skin_ratio_hi;
} mn_absorb_sample;

/** Results of a run (caller-owned; mn_absorb_result_init / _release). */
typedef struct {
    mn_absorb_params params;
    int solver_field; /* 1 if the 3D patch solver ran */
    size_t n_samples;
    mn_absorb_sample *samples;    /* n_samples, at the scenario's report hours */
    size_t n_depth;               /* depth cells */
    double *depth_top_um;         /* n_depth + 1 cell faces from the skin surface */
    int *depth_layer;             /* n_depth: 0 SC, 1 VE, 2 papillary, 3 reticular dermis */
    double *profile_ug_ml;        /* n_samples x n_depth: mean tissue concentration by depth */
    double *intact_profile_ug_ml; /* the same for intact skin */
    double mass_balance_error;    /* max over the run of |mass in - mass accounted| / dose */
    /* Flux summaries (docs/models/transport.md, Outputs), from the run sampled every 0.1 h
     * whatever the report hours: the largest mean flux over one such interval, the hour it
     * ends, and the lag time t - Q/J of the steady segment around it (a number even where
     * there is none: *_lag_steady says whether it is a lag time). */
    double max_flux_ug_cm2_h, max_flux_hour, lag_time_h;
    double intact_max_flux_ug_cm2_h, intact_max_flux_hour, intact_lag_time_h;
    double flux_enhancement; /* max flux / intact max flux */
    size_t band_runs;        /* runs behind the band (0: none) */
    double coverage_threshold_ug_ml;
    size_t steps;        /* time steps taken, both runs */
    size_t steps_intact; /* of which the intact column's (the rest: unit cell or 3D patch) */
    /* 3D patch only (empty otherwise): */
    mn_puncture_field field;
    size_t nx, ny; /* lateral cells; volume below is nx * ny * n_depth */
    double dx_um;
    float *volume_ug_ml; /* final tissue concentration, index (j * nx + i) * n_depth + k */
    double field_bytes;  /* memory the 3D solver held */
    /* Franz cell only: the receptor's largest mean flux, needled and intact, the hour its
     * interval ends, the lag time there (t - Q/J), and the ratio of the two fluxes. */
    double receptor_max_flux_ug_cm2_h, receptor_max_flux_hour, receptor_lag_time_h;
    double intact_receptor_max_flux_ug_cm2_h, intact_receptor_max_flux_hour,
        intact_receptor_lag_time_h;
    double receptor_flux_ratio;
    /* What the run found that the scenario's loader could not (added to s->warnings in the
     * outputs): a sampled 3D patch that holds no puncture by chance ("field_no_puncture"). */
    mn_warnings warnings;
    /* The hour each largest-flux interval above begins, and whether a steady segment (flux
     * within 5 % of its largest over 1 h or more, after a rise) stands behind its lag time:
     * where it is 0 the text prints no lag time (a finite dose whose flux peaks and falls, or
     * one largest from the start). Hours of the internal flux sampling: flux_grid_h. */
    double max_flux_from_hour, intact_max_flux_from_hour;
    double receptor_max_flux_from_hour, intact_receptor_max_flux_from_hour;
    int lag_steady, intact_lag_steady, receptor_lag_steady, intact_receptor_lag_steady;
    double flux_grid_h;
    /* Whether each flux above is still rising when the run ends, too soon for a steady state
     * (2.24 of the lag times it gives: docs/models/transport.md, Outputs): then its lag time
     * is not defined within the run, *_lag_steady is 0, and the lag time above is a lower
     * bound on it. */
    int lag_beyond_run, intact_lag_beyond_run, receptor_lag_beyond_run,
        intact_receptor_lag_beyond_run;
} mn_absorb_result;

/** Empties a result (zero counts, NULL arrays, an empty puncture field) without allocating, so
 *  mn_absorb_result_release() is safe on it. NULL-safe. mn_absorb_run() calls it itself. */
void mn_absorb_result_init(mn_absorb_result *r);
/** Frees every array a result owns (samples, depth grid, profiles, 3D volume, puncture field)
 *  and empties it again. NULL-safe; safe to call twice. */
void mn_absorb_result_release(mn_absorb_result *r);

/** Progress callback: @p fraction of the simulated time done (0-1). May be NULL. */
typedef void (*mn_progress_fn)(void *userdata, double fraction);

/**
 * Cost of one cell over one time step of the solvers (s), for mn_absorb_estimate(): the whole
 * 3D run of bench/bench_absorb (a 2 x 2 mm patch at 10 um, 24 h, OpenMP on both cores of the
 * project's 2-core machine) took 58 ns per cell-step while the machine was shared (load ~16);
 * the kernel's best step alone, 12 ns. The unit cell and the intact column cost about the same
 * per cell. Machines and loads differ by a few times: the estimate says whether a run takes
 * seconds or hours, no more.
 */
#define MN_ABSORB_SECONDS_PER_CELL_STEP 5e-8

/** The work of a run, known before it starts (mn_absorb_estimate()). */
typedef struct {
    double cells;      /* cells of the main grid: the 3D patch, the unit cell, or (intact skin
                          only) the intact column */
    double steps;      /* time steps the main grid takes */
    double cell_steps; /* cells x steps of both runs (intact column and main grid) */
    double seconds;    /* cell_steps x MN_ABSORB_SECONDS_PER_CELL_STEP */
} mn_absorb_work;

/**
 * Estimates the work of mn_absorb_run() on @p s without running it: the grids' sizes and the
 * exact number of time steps (the same step schedule the run takes). Refuses, as the run does,
 * a 3D grid over MN_ABSORB_FIELD_MAX_CELLS (MN_ELIMIT, naming s->source and $.field).
 * @return MN_OK; the errors of mn_absorb_run() for a bad scenario; MN_ENOMEM.
 * Cheap (allocates the small grids only). Thread-safe for distinct contexts.
 */
mn_status mn_absorb_estimate(mn_ctx *ctx, const mn_absorb_scenario *s, mn_absorb_work *out);

/**
 * Runs a scenario: the intact-skin baseline, then the unit cell or (s->field) the 3D patch.
 * @param out  filled on success; release with mn_absorb_result_release().
 * @return MN_OK; MN_EINVAL or MN_ERANGE for a bad scenario; MN_ELIMIT for a 3D grid over
 *         MN_ABSORB_FIELD_MAX_CELLS; MN_ENOMEM; MN_ENUMERIC if a non-finite value appears.
 * Thread-safe for distinct contexts; the 3D solver uses OpenMP threads.
 */
mn_status mn_absorb_run(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                        void *userdata, mn_absorb_result *out);

/**
 * As mn_absorb_run(), asking @p stop (may be NULL) with @p userdata after every time step: a
 * nonzero answer ends the run with MN_ESTOPPED, @p out left empty, and a message saying how far
 * it got. For a wall-clock limit (mneedle absorb --max-seconds) or a cancel button.
 */
mn_status mn_absorb_run_until(mn_ctx *ctx, const mn_absorb_scenario *s, mn_progress_fn progress,
                              mn_stop_fn stop, void *userdata, mn_absorb_result *out);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
