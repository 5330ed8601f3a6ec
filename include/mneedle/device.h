/*
 * mneedle device: what a setting does to the skin. Puncture density for a technique, the
 * effective channel depth actually reached, and the channel diameter. Model and sources:
 * docs/models/device.md.
 *
 * Effective depth. Skin deforms ("tents") before a needle pierces it, so a channel reaches
 * only a fraction f of the set needle length L (F40-F43):
 *     f(L) = clamp(f_max * L / (L + L_half), 0.2, 0.8)       depth = f(L) * L
 * with f_max, L_half per device (data/devices.json). Pens (perpendicular, motor-driven):
 * f_max 0.85, L_half 0.066 mm, fitted to ~460 of 600 um inserted by applicator (F42).
 * Rollers (oblique entry, hand pressure): f_max 0.6, L_half 1.5 mm, fitted to 152.5 um
 * channels from 770 um needles (F40a) and consistent with <50% below 1 mm (F41).
 * The clamp is the 0.2-0.8 band of DESIGN 3.2. Uncertainty: +/-0.1 in f (the spread between
 * F40a, F41 and F42 at similar lengths), reported by mn_device_depth_range_um().
 *
 * Density. Pens: needles * stroke rate / (glide speed * head width) per pass. Rollers: needles
 * / (pi * drum diameter * drum width) per pass (F46b: 15.3 /cm2 for 192 needles on 2x2 cm).
 * Channel diameter at the surface: half the needle's base diameter (F40b: 70.7 um for a
 * 140 um base).
 *
 * Thread safety: the device functions are pure functions of their arguments; the point field
 * touches only its own output and the context's error message, so threads with their own
 * contexts (or their own outputs and a NULL context) may call any of them at once.
 */
#ifndef MNEEDLE_DEVICE_H
#define MNEEDLE_DEVICE_H

#include "mneedle/catalog.h"
#include "mneedle/skin.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** Default pen glide speed in mm/s when a scenario gives none [ASSUMPTION: 2-5 cm/s by hand]. */
#define MN_DEFAULT_GLIDE_MM_S 40.0
/** Half-width of the uncertainty band on the depth fraction (see above). */
#define MN_DEPTH_FRACTION_UNCERTAINTY 0.1

/** Fraction of the set needle length a channel reaches (0.2–0.8). */
double mn_device_depth_fraction(const mn_device *device, double needle_mm);

/**
 * Effective channel depth in µm for a set needle length, bounded by the skin's full thickness
 * (epidermis + dermis + subcutis) when @p layers is not NULL.
 */
double mn_device_effective_depth_um(const mn_device *device, double needle_mm,
                                    const mn_skin_layers *layers);

/** Low and high ends of the effective depth in µm (fraction ± MN_DEPTH_FRACTION_UNCERTAINTY,
 * held to the same 0.2-0.8 band as the fraction itself), each bounded by the skin's full
 * thickness as the central depth is when @p layers is not NULL. */
void mn_device_depth_range_um(const mn_device *device, double needle_mm,
                              const mn_skin_layers *layers, double *lo_um, double *hi_um);

/**
 * The longest needle length in mm (not snapped to the device's step) whose effective depth
 * does not exceed @p depth_um. Returns 0 if even the shortest length exceeds it.
 */
double mn_device_needle_for_depth(const mn_device *device, double depth_um);

/**
 * Snaps a length down to one the device can be set to, after clamping it to the device range:
 * for a roller that lists its fixed lengths (lengths_mm), the longest of them not longer than
 * @p needle_mm; for a pen or stamp, its setting grid (depth_min + k * step).
 * @return the setting in mm; -1 if @p needle_mm is below the shortest setting.
 */
double mn_device_snap_down(const mn_device *device, double needle_mm);

/**
 * As mn_device_snap_down(), rounding up: the shortest setting (a roller's fixed length, or a
 * point of a pen's grid) not shorter than @p needle_mm; the shortest setting for anything
 * below it, never more than the longest setting.
 * @return the setting in mm; -1 if @p needle_mm is above the longest setting.
 */
double mn_device_snap_up(const mn_device *device, double needle_mm);

/*
 * Depth caps: how deep the planner lets a zone be needled (docs/clinic.md, "Depth"). The
 * planner uses them to choose depths; absorb, simulate and cohort, which take a needle length
 * from the user, warn when it is beyond them.
 */

/** The usual facial limit in mm; above it a concern needs a justified exception
 *  (concerns[].deep_face_max_mm, data/concerns.json). */
#define MN_FACE_DEFAULT_MAX_MM 1.5
/** The deep-face exception is for phototypes below this only. No study of the evidence set
 *  that treated phototypes IV-VI and gives its needle length went past 1.5 mm (Lotfi 2013,
 *  acne scars, and Lima 2017, melasma: phototypes III-IV at 1.5 mm, F05a, F29a); Dogra 2014
 *  (IV-V) and Ishfaq 2022 (IV-VI) give none in what was read, and Dogra saw PIH in 5 of 30.
 *  PIH follows deeper injury (F70). Holding darker skin to the usual facial limit, for every
 *  concern, is [JUDGEMENT]; MN-PIH-RISK (data/rules.json) then lowers it one step. */
#define MN_DEEP_FACE_BELOW_PHOTOTYPE 4
/** Safety margin kept between the effective depth and the bottom of the dermis: the larger of
 *  these [ASSUMPTION: the size of the +-0.1 depth-fraction uncertainty at 1.5 mm]. */
#define MN_DEPTH_MARGIN_MIN_UM          150.0
#define MN_DEPTH_MARGIN_DERMIS_FRACTION 0.2

typedef struct {
    double zone_mm;          /* the zone's clinical cap (sites[].clinical_max_mm), or the
                                concern's deep-face exception where it applies */
    int deep_face_exception; /* 1 when zone_mm is the concern's exception */
    int deep_face_withheld;  /* 1 when the exception would apply but the phototype is
                                MN_DEEP_FACE_BELOW_PHOTOTYPE or darker: zone_mm is the site's */
    double anatomy_depth_um; /* deepest effective depth allowed: epidermis + dermis - margin */
    double anatomy_mm;       /* longest length (not snapped) reaching no deeper than that */
} mn_depth_caps;

/**
 * The planner's caps for needling @p site of @p patient with @p device for @p concern (NULL
 * when there is none, as in absorb: then no deep-face exception). The exception applies on a
 * facial zone whose cap is already MN_FACE_DEFAULT_MAX_MM, with a clinical device, when the
 * concern names a deeper deep_face_max_mm, for phototypes below MN_DEEP_FACE_BELOW_PHOTOTYPE.
 * @return MN_OK; MN_EINVAL for NULL arguments or a patient the site atlas refuses.
 * Thread-safe (touches only its arguments).
 */
mn_status mn_device_depth_caps(const mn_device *device, const mn_site *site,
                               const mn_patient *patient, const mn_concern *concern,
                               mn_depth_caps *out);

/**
 * Punctures per cm² for @p passes passes. @p glide_mm_s is used for pens and stamps only
 * (<= 0 means MN_DEFAULT_GLIDE_MM_S).
 */
double mn_device_punctures_per_cm2(const mn_device *device, double passes, double glide_mm_s);

/** Channel diameter at the surface in µm. */
double mn_device_channel_diameter_um(const mn_device *device);

/*
 * Channels as they stay open, and how they close: one law, read by the transport model
 * (mn_absorb_params_compute) and the healing model (its barrier state). Equations, sources
 * and the evidence behind every factor: docs/models/device.md ("Open channels", "Closure").
 *
 * Three depths, each a different number: the set needle length L (the device's setting), the
 * effective depth (how deep the tip reached, mn_device_effective_depth_um: the injury the
 * healing model doses), and the open depth, what stays open as a fluid-filled channel once
 * the needle is out and the dermis has recoiled (dye histology and OCT):
 *     open depth = f_open * L, bounded by the effective depth,
 * f_open = 0.10 (range 0.046-0.20): 152.5 um for 770 um roller needles by dye and histology
 * (F40a, hairless rat, 0.198 L) and 70 um by in-vivo OCT for 1500 um needles at low energy
 * (Skin Res Technol 2019;25:482, doi:10.1111/srt.12676, human, 0.047 L;
 * histology: disruption only in the epidermis); the centre is their
 * geometric mean [judgement: two measurements]. The open channel is a cone (needles are
 * conical or pyramidal; the tip leaves no open width) of surface diameter
 * mn_device_channel_diameter_um() (F40b, after recoil) down to the open depth: its open area
 * falls as (1 - z / depth)^2, its volume is pi r0^2 depth / 3 and its wall area
 * pi r0 sqrt(r0^2 + depth^2) per puncture.
 */

/** Open-channel geometry of one setting (per puncture and per cm² at a density). */
typedef struct {
    double set_mm;              /* the needle's set length */
    double effective_depth_um;  /* tip reach (mn_device_effective_depth_um) */
    double open_depth_um;       /* open after recoil (f_open * L, <= effective depth) */
    double open_depth_lo_um;    /* f_open 0.046 */
    double open_depth_hi_um;    /* f_open 0.20 */
    double surface_diameter_um; /* open width at the surface */
    double volume_um3;          /* of one open cone */
    double wall_um2;            /* lateral wall of one open cone */
    double volume_ul_cm2;       /* at the density given */
    double wall_cm2_cm2;        /* wall area per cm² of skin */
} mn_channel_geometry;

/** Central, low and high fractions of the set length that stay open (see above). */
#define MN_OPEN_DEPTH_FRACTION    0.10
#define MN_OPEN_DEPTH_FRACTION_LO 0.046
#define MN_OPEN_DEPTH_FRACTION_HI 0.20

/**
 * Fills @p out for @p needle_mm at @p punctures_per_cm2 on skin with @p layers (NULL: no
 * bound by the skin's thickness). A length <= 0 gives an empty geometry (all zero).
 */
void mn_channel_geometry_at(const mn_device *device, double needle_mm, double punctures_per_cm2,
                            const mn_skin_layers *layers, mn_channel_geometry *out);

/** Closure of the open channels: area open = 2^(-t / half_life_h). */
typedef struct {
    double half_life_h;      /* central */
    double half_life_lo_h;   /* 10th percentile of the band */
    double half_life_hi_h;   /* 90th percentile */
    double base_h;           /* reference half-life (forearm, 25 y, phototype I-II) */
    double site_factor;      /* site's closure_factor (F56b) */
    double age_factor;       /* 1 + 0.01 (age - 25)+ [judgement on Kelchen 2016] */
    double phototype_factor; /* Ogunjimi 2020 by colour [mapping judgement] */
} mn_closure;

/** Reference half-lives (forearm, 25 y, phototype I-II) and their 10-90 % bands, in hours:
 *  occluded 20.2 h (F56b), open to air 1.5 h (F53a with F51a and F53b: device.md). */
#define MN_CLOSURE_OCCLUDED_H    20.2
#define MN_CLOSURE_OCCLUDED_LO_H 10.0
#define MN_CLOSURE_OCCLUDED_HI_H 41.0
#define MN_CLOSURE_OPEN_H        1.5
#define MN_CLOSURE_OPEN_LO_H     0.69
#define MN_CLOSURE_OPEN_HI_H     4.0

/**
 * The closure law: base half-life (occluded or open to air) x site x age x phototype, with
 * the band from the base's spread (the factors' own uncertainty is stated in device.md).
 * @p site may be NULL (factor 1). Pure function; thread-safe.
 */
void mn_channel_closure(const mn_site *site, const mn_patient *patient, int occluded,
                        mn_closure *out);

/*
 * Puncture point fields. A seeded sample of where the punctures of one treatment fall on a
 * rectangular patch, for the 3D transport solver and for plotting.
 *
 * Pens: each pass sweeps parallel strokes one head width apart (alternate passes turn by
 * 90 degrees, as clinicians cross-hatch); along a stroke the pen stamps every
 * glide / stroke_hz; each stamp places the cartridge's needles on a disk of the head width
 * (a fixed sunflower pattern per cartridge) with a hand tremor offset per stamp, so points
 * cluster along strokes. Rollers: each pass rolls the drum across the patch in parallel
 * tracks one drum width apart; a drum of R rows leaves a row of needles / R holes every
 * pi * diameter / R along the track (rows: 8 for the 192-needle MF8, F45a; assumed 8 for
 * other drums). Both reproduce mn_device_punctures_per_cm2() on average (tested).
 */

/** One puncture's centre on the patch, in µm from the patch's lower-left corner. */
typedef struct {
    double x_um;
    double y_um;
} mn_puncture;

/** A sampled point field (caller-owned; mn_puncture_field_init / _release). */
typedef struct {
    mn_puncture *points; /* n points, owned */
    size_t n;
    double width_um;  /* patch extent in x */
    double height_um; /* patch extent in y */
    uint64_t seed;
} mn_puncture_field;

/** Sets an empty field (no allocation). */
void mn_puncture_field_init(mn_puncture_field *f);

/** Frees the points and empties the field. NULL-safe. */
void mn_puncture_field_release(mn_puncture_field *f);

/**
 * Samples the punctures @p device makes with @p passes passes (fractional passes cover the
 * patch in part) at glide speed @p glide_mm_s (pens; <= 0 means MN_DEFAULT_GLIDE_MM_S) on a
 * patch of @p width_um x @p height_um, reproducibly from @p seed (counter-based RNG, so the
 * field is the same on every machine and thread count).
 *
 * @param out  receives the field; release it with mn_puncture_field_release().
 * @return MN_OK; MN_EINVAL for NULL pointers, non-positive sizes or passes outside 0-100;
 *         MN_ELIMIT if more than 50 million points would be placed; MN_ENOMEM.
 * Thread-safe for distinct @p out.
 */
mn_status mn_puncture_field_generate(mn_ctx *ctx, const mn_device *device, double passes,
                                     double glide_mm_s, double width_um, double height_um,
                                     uint64_t seed, mn_puncture_field *out);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
