/* mneedle absorb SCENARIO [--field] [--json] [--csv FILE] [--vtk FILE] [--plot DIR] */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The help's second half: the scenario file (one string literal would pass the 4095
 * characters ISO C requires compilers to accept). */
static void about_scenario(FILE *fp)
{
    fputs(
        "\n"
        "Example scenario:\n"
        "  {\"site\": \"cheek\", \"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": "
        "3},\n"
        "   \"device\": \"dermapen-4\", \"needle_mm\": 1.0, \"passes\": 2,\n"
        "   \"product\": {\"name\": \"ascorbic-acid\", \"concentration_mg_ml\": 150,\n"
        "               \"dose_ul_cm2\": 10},\n"
        "   \"occluded\": false, \"hours\": 24, \"report_hours\": [1, 6, 24]}\n"
        "  Use \"device\": \"none\" for intact skin; a molecule not in 'mneedle catalog products'\n"
        "  is given as \"product\": {\"mw\": 500, \"logp\": 1.0, ...}. Optional keys: glide_mm_s,\n"
        "  kp_model (\"potts-guy\" | \"updated\"), polar_route (true), seed,\n"
        "  setup (\"in-vivo\", default, or \"franz\": excised skin in a diffusion cell, no\n"
        "  blood flow, channels stay open, a sink receptor under the skin; adds receptor\n"
        "  amounts, fluxes, ratios and lag time),\n"
        "  field.{width_um, height_um, dx_um},\n"
        "  coverage_threshold_ug_ml, resolution (grid refinement, default 1),\n"
        "  product.solubility_mg_ml, product.hydrodynamic_radius_nm (a linear polymer's\n"
        "  Stokes radius; default a compact sphere of its mass),\n"
        "  environment.{skin_temperature_c, air_temperature_c,\n"
        "  relative_humidity, air_speed_m_s}, band_runs (default 32, 0 for none,\n"
        "  at most 1000).\n"
        "  Examples: examples/scenarios/absorb-*.json\n"
        "A needle length outside the device's range is refused (exit 2). One beyond the\n"
        "zone's depth caps (the planner's: the zone's clinical limit, CAP in 'mneedle\n"
        "catalog sites', and the anatomy cap, docs/clinic.md) runs, with a warning on stderr\n"
        "and in the JSON output's warnings[] ({code, path, message}; [] when there is none).\n"
        "A --field patch expected to hold less than one puncture at the device's density is\n"
        "refused (exit 2); one that samples none by chance runs, with a warning\n"
        "(field_no_puncture).\n",
        fp);
}

static const cli_command command = {
    .name = "absorb",
    .operand = "SCENARIO",
    .operand_error = "expected one SCENARIO file ('-' for stdin)",
    .about =
        "Simulates what a serum applied after needling does: how many punctures the device\n"
        "makes, how deep they really reach, how long they stay open, and how much of the\n"
        "product crosses the skin barrier compared with the same serum on intact skin.\n"
        "SCENARIO is a JSON file ('-' for standard input). All figures are simulations.\n"
        "\n"
        "What the numbers mean:\n"
        "  punctures_per_cm2    holes per cm2 for the device, passes and (pens) glide speed\n"
        "  channel_depth_um     effective depth: skin tents before it is pierced, so the tips\n"
        "                       reach 20-80 % of the set needle length (F40-F42)\n"
        "  channel.open_depth_um  what stays open after the needle is out (~10 % of the set\n"
        "                       length); channel.volume_ul_cm2, wall_area_cm2_per_cm2: the\n"
        "                       open cones per cm2\n"
        "  closure_half_life_h  the open channel area halves every this many hours: ~1.5 h open\n"
        "                       to air, ~20 h occluded (F53, F56), longer with age and darker "
        "skin;\n"
        "                       under a Franz cell the in-vivo figure (closure_applies false)\n"
        "  delivered_ug_cm2     amount that has crossed the stratum corneum (now in the viable\n"
        "                       epidermis or dermis, or cleared by dermal blood flow)\n"
        "  intact_ug_cm2        the same serum on unneedled skin (baseline)\n"
        "  enhancement          delivered / intact: computed, never assumed. Small lipophilic\n"
        "                       molecules gain little; hydrophilic and large ones gain a lot;\n"
        "                       intact_in_lag true where intact skin is still in its lag time\n"
        "                       and the ratio divides by next to nothing (text: \"in lag\")\n"
        "  coverage             fraction of dermal volume above the threshold concentration\n"
        "  surface_ug_cm2       still on the surface (dissolved in the film + dried solid)\n"
        "  flux_ug_cm2_h        mean delivery rate since the previous report hour\n"
        "  fraction_of_dose     surface, stratum corneum, viable epidermis, dermis, cleared\n"
        "  band                 10-90 % of delivered and enhancement over sampled parameters\n"
        "  franz                largest 0.1 h mean flux, lag time (if steady; lag_beyond_run\n"
        "                       where the flux still rises when the run ends), intact, ratio:\n"
        "                       across the stratum corneum, in vivo too; a Franz run adds the\n"
        "                       receptor's, and samples[].receptor_ug_cm2 (= cleared_ug_cm2)\n"
        "  mass_balance_error   |applied - (surface + skin + cleared)| / applied (expect < 1e-6)\n"
        "  cautions             where the model may mislead: molecules of MW >= 500\n"
        "                       simulated above the 2-22x measured for peptides; tips in the\n"
        "                       dermis (bleeding not modelled); MW or logP outside the intact\n"
        "                       regression's fitted range; a product above its solubility, or\n"
        "                       lipophilic (logP > 4) in the model's water film; a Franz\n"
        "                       receptor that could not stay a sink; a dried deposit the model\n"
        "                       no longer takes up (intact baseline may be understated)\n"
        "  safety_caution       on punctured skin: how much goes in says nothing of whether\n"
        "                       the product is safe in the dermis (null on intact skin)\n",
    .about_more = about_scenario,
    .footer =
        "Assumptions (details and sources: docs/models/transport.md):\n"
        "  - an aqueous film, well mixed; open to air its water evaporates, solutes concentrate\n"
        "    and precipitate above their solubility; occlusion stops evaporation;\n"
        "  - intact barrier: a lipid route from Potts-Guy (F65) or the updated regression\n"
        "    (F67) plus a size-dependent polar route (Wilschut et al. 1995); partition and\n"
        "    diffusivities from molecular size and logP by correlations with wide scatter;\n"
        "  - channels are open water-filled cones to the open depth; their open area closes by\n"
        "    the closure law shared with the healing model; perfused subcutis is a sink;\n"
        "  - unit cell: every channel identical, each with its share of skin; the 3D patch\n"
        "    uses the seeded field (pen stamps along strokes, roller holes along rows);\n"
        "  - \"occluded\" defaults to true (covered) when left out, and the report says so;\n"
        "    set \"occluded\": false for a serum left open to air, as clinics usually apply it.\n",
};

/* A run estimated to take longer than this says so before it starts (mn_absorb_estimate()). */
#define LONG_RUN_S 60.0

typedef struct {
    int last;       /* last percentage shown, -1 before the first */
    int bar;        /* 1: a bar redrawn in place (a terminal); 0: a line every 10 % */
    double start_s; /* monotonic clock at the start */
    int max_s;      /* --max-seconds, 0 = none */
} run_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *ud, double fraction)
{
    run_state *b = ud;
    int pct = (int)(fraction * 100);
    if (pct == b->last || (!b->bar && pct / 10 == b->last / 10 && b->last >= 0))
        return;
    b->last = pct;
    if (b->bar) {
        int filled = pct / 5;
        fprintf(stderr, "\r  simulating [%-20.*s] %3d%%", filled, "####################", pct);
        if (pct >= 100)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "mneedle absorb: %3d%% after %.0f s\n", pct / 10 * 10,
                now_s() - b->start_s);
    }
    fflush(stderr);
}

static int past_limit(void *ud)
{
    const run_state *b = ud;
    return b->max_s > 0 && now_s() - b->start_s > b->max_s;
}

/* "40 s", "12 min", "3.5 h". */
static void duration(double s, char *buf, size_t n)
{
    if (s < 120)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, n, "%.0f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
}

int cmd_absorb(int argc, char **argv)
{
    cli_common o = {0};
    int field = 0, progress = 0, max_seconds = 0;
    const char *csv = NULL, *vtk = NULL, *plot_dir = NULL, *file;
    const cli_option opts[] = {
        CLI_FLAG("field", &field,
                 "3D patch solver on a sampled puncture field (default 2 x 2 mm at\n10 um); "
                 "slower, shows heterogeneity; default is the unit cell"),
        CLI_JSON(&o, "one JSON object (DESIGN keys plus depth profile and physics)"),
        CLI_PATH("csv", 0, &csv, "FILE",
                 "depth profile over time (hour, depth, layer, concentration)"),
        CLI_PATH("vtk", 0, &vtk, "FILE", "final 3D concentration for ParaView (needs --field)"),
        CLI_PATH("plot", 0, &plot_dir, "DIR",
                 "figures into the existing DIR (PNG, SVG and a CSV of the plotted numbers "
                 "each): delivery (needled vs intact over time), depth_profile, field "
                 "(punctures seen from above), slice (with --field)"),
        CLI_DATA(&o, "read catalogue files from DIR"),
        CLI_OUTPUT(&o, "write the report to FILE atomically"),
        CLI_INT("max-seconds", &max_seconds, "S", 1, 604800,
                "stop a run that takes longer than S seconds of wall time: exit 1, nothing\n"
                "written (default: no limit)"),
        CLI_FLAG("progress", &progress,
                 "show progress on stderr: a line every 10 %; without it, a bar is shown\n"
                 "only for --field runs when stderr is a terminal"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &file);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    if (vtk && !field)
        return cli_usage_error("absorb", "--vtk needs --field (the 3D patch solver)");
    mn_ctx *ctx = cli_open("absorb", o.data, &code);
    if (!ctx)
        return code;
    mn_absorb_scenario s;
    mn_absorb_result r;
    mn_absorb_result_init(&r);
    mn_outfile *out = NULL, *csv_out = NULL, *vtk_out = NULL;
    mn_status st = mn_absorb_scenario_load(ctx, file, &s);
    if (st) {
        code = cli_fail("absorb", ctx, st);
        goto done;
    }
    /* Every output is checked before the run (a long run must not end in "cannot create"),
     * and none is written unless all can be. */
    if ((st = mn_outfile_batch_begin(ctx)) ||
        (st = mn_outfile_open(ctx, o.output ? o.output : "-", &out)) ||
        (csv && (st = mn_outfile_open(ctx, csv, &csv_out))) ||
        (vtk && (st = mn_outfile_open(ctx, vtk, &vtk_out))) ||
        (plot_dir && (st = mn_plot_dir_check(ctx, plot_dir)))) {
        code = cli_fail("absorb", ctx, st);
        goto done;
    }
    cli_warn("absorb", &s.warnings); /* it runs, as asked, but says so first */
    s.field = field;
    /* The work before it starts: a long run says so, and how to bound it. */
    mn_absorb_work work;
    if ((st = mn_absorb_estimate(ctx, &s, &work))) {
        code = cli_fail("absorb", ctx, st);
        goto done;
    }
    if (work.seconds > LONG_RUN_S) {
        char how_long[32];
        duration(work.seconds, how_long, sizeof how_long);
        fprintf(stderr,
                "mneedle absorb: this run is estimated at about %s (%.3g cells x %.0f time "
                "steps at ~%.0f ns a cell-step, measured on a 2-core machine)%s\n",
                how_long, work.cells, work.steps, MN_ABSORB_SECONDS_PER_CELL_STEP * 1e9,
                max_seconds ? "" : "; --max-seconds S stops it after S seconds");
    }
    int tty = cli_stderr_is_tty();
    run_state run = {-1, tty, now_s(), max_seconds};
    int show = progress || (tty && (field || work.seconds > LONG_RUN_S));
    st = mn_absorb_run_until(ctx, &s, show ? show_progress : NULL, past_limit, &run, &r);
    if (show && run.bar && run.last < 100 && run.last >= 0)
        fputc('\n', stderr);
    if (st == MN_ESTOPPED) {
        fprintf(stderr,
                "mneedle absorb: error: %s: stopped after --max-seconds %d (%s); nothing "
                "written\n",
                file, max_seconds, mn_ctx_errmsg(ctx));
        code = CLI_EXIT_RUNTIME;
        goto done;
    }
    if (st) {
        code = cli_fail("absorb", ctx, st);
        goto done;
    }
    cli_warn("absorb", &r.warnings);
    /* Figures first, so a bad --plot leaves no report either. */
    if (plot_dir && (st = mn_absorb_plot(ctx, &s, &r, plot_dir))) {
        code = cli_fail("absorb", ctx, st);
        goto done;
    }
    if (csv_out)
        st = mn_absorb_write_csv(ctx, &r, mn_outfile_writer, csv_out);
    if (!st && vtk_out)
        st = mn_absorb_write_vtk(ctx, &r, mn_outfile_writer, vtk_out);
    if (!st)
        st = o.json ? mn_absorb_write_json(ctx, &s, &r, mn_outfile_writer, out)
                    : mn_absorb_write_text(ctx, &s, &r, mn_outfile_writer, out);
    /* The side files first, then the report; a failure names its file and leaves none. */
    mn_outfile *outs[] = {csv_out, vtk_out, out};
    code = cli_finish_all("absorb", ctx, st, outs, 3);
    csv_out = vtk_out = out = NULL;
done:
    mn_outfile_abort(csv_out);
    mn_outfile_abort(vtk_out);
    mn_outfile_abort(out);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    mn_ctx_free(ctx);
    if (plot_dir)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}
