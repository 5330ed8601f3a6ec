/*
 * Seeded puncture point fields: where the punctures of one treatment fall on a patch.
 * The geometry (pen stamps clustered along strokes, roller holes along rows) is described in
 * include/mneedle/device.h and docs/models/device.md. Every point is drawn from the
 * counter-based generator with the pass number as the stream, so a field depends only on its
 * inputs and seed.
 */
#include <assert.h>
#include <math.h>

#include "core/consts.h"
#include "core/internal.h"
#include "mneedle/device.h"
#include "mneedle/rng.h"

/* Golden angle for the sunflower (Vogel 1979) layout of a cartridge's needles on its face. */
#define MN_GOLDEN_ANGLE 2.39996322972865332
/* Hand tremor of a pen stamp about its nominal place, 1 SD in µm [ASSUMPTION: physiological
 * hand tremor is of the order of 0.1 mm; no measurement on needling pens found]. */
#define MN_PEN_TREMOR_UM 100.0
/* Skid of a roller hole about its nominal place, 1 SD in µm [ASSUMPTION]. */
#define MN_ROLLER_SKID_UM 20.0
/* Rows of needles on a drum: 8 for the 192-needle MF8 (F45a), assumed for every drum. */
#define MN_ROLLER_ROWS 8
/* Refuse fields larger than this (memory guard: 50 M points is 800 MB). */
#define MN_FIELD_MAX_POINTS 50000000.0

typedef struct {
    mn_puncture_field *f;
    size_t cap;
    int failed;
} field_builder;

static void field_add(field_builder *b, double x_um, double y_um)
{
    mn_puncture_field *f = b->f;
    if (b->failed || x_um < 0 || y_um < 0 || x_um >= f->width_um || y_um >= f->height_um)
        return;
    assert(f->n <= b->cap);
    if (f->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        mn_puncture *p = mn__realloc(f->points, cap * sizeof *p);
        if (!p) {
            b->failed = 1;
            return;
        }
        f->points = p;
        b->cap = cap;
    }
    f->points[f->n].x_um = x_um;
    f->points[f->n].y_um = y_um;
    f->n++;
}

void mn_puncture_field_init(mn_puncture_field *f)
{
    if (!f)
        return;
    f->points = NULL;
    f->n = 0;
    f->width_um = f->height_um = 0;
    f->seed = 0;
}

void mn_puncture_field_release(mn_puncture_field *f)
{
    if (!f)
        return;
    mn__free(f->points);
    mn_puncture_field_init(f);
}

/* Maps a point given in a pass's own frame (s along the stroke, t across) to the patch:
 * even passes run along x, odd passes along y (cross-hatching). */
static void field_put(field_builder *b, int pass, double s_um, double t_um)
{
    if (pass % 2 == 0)
        field_add(b, s_um, t_um);
    else
        field_add(b, t_um, s_um);
}

static void pen_pass(field_builder *b, const mn_device *d, int pass, double keep, double glide_mm_s,
                     mn_rng *rng)
{
    assert(keep > 0 && keep <= 1); /* the share of a pass that is made */
    double len = pass % 2 == 0 ? b->f->width_um : b->f->height_um;
    double across = pass % 2 == 0 ? b->f->height_um : b->f->width_um;
    double head_um = d->head_width_mm * 1000.0;
    double step_um = glide_mm_s * 1000.0 / d->stroke_hz; /* distance between stamps */
    double radius_um = 0.5 * head_um;
    if (!(step_um > 0) || !isfinite(step_um) || !(head_um > 0))
        return; /* a device without a stroke rate or head width stamps nothing */
    double track0 = -radius_um + head_um * mn_rng_uniform(rng);
    for (double t = track0; t < across + radius_um; t += head_um) {
        double s0 = -radius_um + step_um * mn_rng_uniform(rng);
        for (double s = s0; s < len + radius_um; s += step_um) {
            /* A fractional pass keeps each stamp with probability `keep`. */
            if (keep < 1.0 && mn_rng_uniform(rng) >= keep)
                continue;
            double ds = MN_PEN_TREMOR_UM * mn_rng_normal(rng);
            double dt = MN_PEN_TREMOR_UM * mn_rng_normal(rng);
            for (int n = 0; n < d->needles; n++) {
                double rho = radius_um * sqrt((n + 0.5) / d->needles);
                double ang = n * MN_GOLDEN_ANGLE;
                field_put(b, pass, s + ds + rho * cos(ang), t + dt + rho * sin(ang));
            }
        }
    }
}

static void roller_pass(field_builder *b, const mn_device *d, int pass, double keep, mn_rng *rng)
{
    assert(keep > 0 && keep <= 1);
    double len = pass % 2 == 0 ? b->f->width_um : b->f->height_um;
    double across = pass % 2 == 0 ? b->f->height_um : b->f->width_um;
    double drum_w = d->drum_width_mm * 1000.0;
    int per_row = d->needles / MN_ROLLER_ROWS;
    if (per_row < 1)
        per_row = 1;
    double row_step = MN__PI * d->drum_diameter_mm * 1000.0 / MN_ROLLER_ROWS;
    if (!(row_step > 0) || !(drum_w > 0))
        return;
    double track0 = -drum_w * mn_rng_uniform(rng);
    for (double t = track0; t < across; t += drum_w) {
        double s0 = -row_step * mn_rng_uniform(rng);
        for (double s = s0; s < len + row_step; s += row_step) {
            if (keep < 1.0 && mn_rng_uniform(rng) >= keep)
                continue;
            for (int q = 0; q < per_row; q++) {
                double tq = t + (q + 0.5) * drum_w / per_row;
                field_put(b, pass, s + MN_ROLLER_SKID_UM * mn_rng_normal(rng),
                          tq + MN_ROLLER_SKID_UM * mn_rng_normal(rng));
            }
        }
    }
}

mn_status mn_puncture_field_generate(mn_ctx *ctx, const mn_device *d, double passes,
                                     double glide_mm_s, double width_um, double height_um,
                                     uint64_t seed, mn_puncture_field *out)
{
    if (!d || !out)
        return mn__error(ctx, MN_EINVAL, "puncture field: NULL device or output");
    mn_puncture_field_init(out);
    if (!(width_um > 0) || !(height_um > 0) || !(passes >= 0) || passes > 100)
        return mn__error(ctx, MN_EINVAL,
                         "puncture field: patch %g x %g um with %g passes; expected positive "
                         "sizes and 0-100 passes",
                         width_um, height_um, passes);
    if (!(glide_mm_s > 0))
        glide_mm_s = MN_DEFAULT_GLIDE_MM_S;
    double expect =
        mn_device_punctures_per_cm2(d, passes, glide_mm_s) * width_um * height_um * 1e-8;
    if (!(expect <= MN_FIELD_MAX_POINTS))
        return mn__error(ctx, MN_ELIMIT,
                         "puncture field: about %.3g punctures expected; at most %.0f allowed",
                         expect, MN_FIELD_MAX_POINTS);
    out->width_um = width_um;
    out->height_um = height_um;
    out->seed = seed;
    field_builder b = {out, 0, 0};
    int whole = (int)ceil(passes);
    for (int p = 0; p < whole; p++) {
        mn_rng rng;
        mn_rng_init(&rng, seed, (uint64_t)p);
        double keep = passes - p >= 1.0 ? 1.0 : passes - p;
        if (d->kind == MN_DEVICE_ROLLER)
            roller_pass(&b, d, p, keep, &rng);
        else
            pen_pass(&b, d, p, keep, glide_mm_s, &rng);
    }
    assert(b.failed || out->n <= b.cap);
    if (b.failed) {
        mn_puncture_field_release(out);
        return mn__error(ctx, MN_ENOMEM, "puncture field: out of memory");
    }
    return MN_OK;
}
