/* mneedle plan CLIENT [--json] [--years N] [--plot DIR] [--report FILE.html|.pdf] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char mn_plan_help[] =
    "usage: mneedle plan CLIENT [--json] [--years N] [--output FILE] [--data DIR]\n"
    "                           [--plot DIR] [--report FILE.html|FILE.pdf]\n"
    "\n"
    "Plans a client's microneedling: screening, needle depth for each zone, a dated course\n"
    "and maintenance calendar, day-by-day aftercare, session times, cost and risks.\n"
    "\n"
    "How depths are chosen: the concern's usual range for the zone, capped by the zone's\n"
    "clinic limit (eyelids and forehead 0.5 mm), by anatomy (the channel must stay inside\n"
    "the dermis of that site for this age and sex, with a margin) and by the device's range;\n"
    "treatment starts at the low end. Each zone's line says which limit applied and why.\n"
    "\n"
    "A declined or deferred client gets no sessions. Sessions for one zone are never closer\n"
    "than the minimum interval of the concerns treated there.\n"
    "\n"
    "CLIENT: see 'mneedle screen --help' for the file format and examples/clients/.\n"
    "\n"
    "Options:\n"
    "  --json             one JSON object (screening, zones, sessions, aftercare, cost,\n"
    "                     projection, risk)\n"
    "  --years N          horizon for maintenance and the total cost (1-20, default 2)\n"
    "  -o, --output FILE  write to FILE atomically\n"
    "  --data DIR         read catalogues from DIR instead of the built-in copies\n"
    "  --plot DIR         write the figures into DIR (zones.svg; projection.png, .svg and\n"
    "                     .csv with the plotted numbers, when the plan has a projection)\n"
    "  --report FILE      write a self-contained HTML report (screening, zones on a face\n"
    "                     diagram, calendar, projection, cost, printable aftercare sheet);\n"
    "                     FILE.pdf prints it to PDF with weasyprint (Debian package)\n"
    "\n"
    "Example:\n"
    "  mneedle plan examples/clients/amelia-wrinkles.json --years 3\n"
    "\n"
    "Projections are simulations with uncertainty, never promised results.\n";

int mn_cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},         {"years", required_argument, NULL, 'y'},
        {"data", required_argument, NULL, 'd'},   {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {"plot", required_argument, NULL, 'p'},
        {"report", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    int json = 0, c, code = MN_EXIT_OK;
    const char *data = NULL, *output = NULL, *plot_dir = NULL, *report = NULL;
    mn_plan_options popts;
    mn_plan_options_init(&popts);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'y': {
            char *end;
            long y = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || y < 1 || y > 20)
                return mn_cli_usage_error("plan",
                                          "--years: expected a whole number from 1 to "
                                          "20, got '%s'",
                                          optarg);
            popts.years = (int)y;
            break;
        }
        case 'd':
            data = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'p':
            plot_dir = optarg;
            break;
        case 'r':
            report = optarg;
            break;
        case 'h':
            fputs(mn_plan_help, stdout);
            return MN_EXIT_OK;
        default:
            return mn_cli_usage_error("plan", "unknown option or missing value '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return mn_cli_usage_error("plan", "expected one CLIENT file");
    mn_ctx *ctx = mn_cli_open("plan", data, &code);
    if (!ctx)
        return code;
    mn_client client;
    mn_plan *plan = NULL;
    mn_status st = mn_client_load(ctx, argv[optind], &client);
    if (!st)
        st = mn_plan_build(ctx, &client, &popts, &plan);
    /* Figures and report first, so a failure there leaves no plan output either. */
    if (!st && plot_dir)
        st = mn_plan_plot(ctx, plan, plot_dir);
    if (!st && report)
        st = mn_plan_report_save(ctx, plan, report);
    if (st) {
        code = mn_cli_fail("plan", ctx, st);
    } else {
        mn_outfile *out = mn_cli_output("plan", ctx, output, &code);
        if (out) {
            st = mn_plan_write(ctx, plan, json, mn_outfile_writer, out);
            if (st) {
                mn_outfile_abort(out);
                code = mn_cli_fail("plan", ctx, st);
            } else {
                code = mn_cli_commit("plan", ctx, out);
            }
        }
    }
    mn_plan_free(plan);
    mn_ctx_free(ctx);
    if (plot_dir || report)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}
