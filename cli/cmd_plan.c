/* mneedle plan CLIENT [--json] [--years N] [--plot DIR] [--report FILE.html|.pdf] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The plan's JSON collected in memory, for the clinic record. */
typedef struct {
    char *data;
    size_t len, cap;
} membuf;

static int membuf_write(void *userdata, const char *buf, size_t len)
{
    membuf *m = userdata;
    if (m->len + len + 1 > m->cap) {
        size_t cap = (m->cap ? 2 * m->cap : 65536) + len;
        char *grown = realloc(m->data, cap);
        if (!grown)
            return 1;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, buf, len);
    m->len += len;
    m->data[m->len] = '\0';
    return 0;
}

/* --start: a date, or "earliest" (the first day every step before the first visit can still be
 * kept, found once the plan knows which steps this client has). */
typedef struct {
    int given, earliest;
    mn_date date;
} start_opt;

_Static_assert(MN_DATE_MIN_YEAR == 1900 && MN_DATE_MAX_YEAR == 2999,
               "--start's message names the supported dates");

static int parse_start(const char *arg, void *value)
{
    start_opt *s = value;
    s->given = 1;
    s->earliest = !strcmp(arg, "earliest");
    return s->earliest || mn_date_parse(arg, &s->date) == MN_OK;
}

static const cli_command command = {
    .name = "plan",
    .operand = "CLIENT",
    .operand_error = "expected one CLIENT file",
    .about =
        "Plans a client's microneedling: screening, needle depth for each zone, a dated course\n"
        "and maintenance calendar, day-by-day aftercare, session times, cost and risks.\n"
        "\n"
        "How depths are chosen: the concern's usual range for the zone, capped by the zone's\n"
        "clinic limit (eyelids and forehead 0.5 mm), by anatomy (the channel must stay inside\n"
        "the dermis of that site for this age and sex, with a margin) and by the device's range;\n"
        "treatment starts at the low end. Each zone's line says which limit applied and why.\n"
        "Scars may go past the usual 1.5 mm on the cheeks, chin and jawline for phototypes\n"
        "I-III only ('mneedle catalog concerns', DEEP FACE): darker skin stays within 1.5 mm\n"
        "on the face, whatever the concern.\n"
        "Settings are ones the device has: a pen's step, or a length a roller is sold in.\n"
        "Passes: a pen makes the concern's usual passes ('mneedle catalog concerns', PASSES),\n"
        "a roller its own ('mneedle catalog devices', PASSES: the rolling technique of the\n"
        "roller studies).\n"
        "\n"
        "Findings that call for gentler treatment change it, as 'mneedle catalog rules' shows\n"
        "(a caution's 'adjusts:' line): blood thinners lower the start and the maximum;\n"
        "phototypes IV-VI lower both, space course sessions further apart, and add\n"
        "pre-treatment steps (a test patch for V-VI). Each changed zone says why; never below\n"
        "the device's shortest setting. The plan lists what to stop or start before the first\n"
        "visit, with dates.\n"
        "\n"
        "The device must be a clinic device: a home device (class home in 'mneedle catalog\n"
        "devices') is refused (exit 2). A client's own home needling is a screening question.\n"
        "\n"
        "A declined or deferred client gets no treatment content (no depths, sessions,\n"
        "aftercare, cost or projection): the plan says why, what to do, and when to come back.\n"
        "Sessions for one zone are never closer than the minimum interval of the concerns\n"
        "treated there.\n"
        "\n"
        "The plan states the date it was prepared: today (UTC), or SOURCE_DATE_EPOCH (seconds\n"
        "since 1970) when set, so the same input gives the same output. Its dates count from\n"
        "the client's clinic.start; --start replaces it for this plan (the file is not\n"
        "changed): 'earliest' is the day it is prepared plus the longest lead of this client's\n"
        "steps before the first visit (two weeks without sun or peels, for most), so every\n"
        "step can still be kept. A start before the day it is prepared draws a warning.\n"
        "\n"
        "CLIENT: see 'mneedle screen --help' for the file format and examples/clients/.\n"
        "With --save, CLIENT is a client id of the clinic record ('mneedle client add'): the\n"
        "plan is made from the stored input and stored as produced (its JSON, this mneedle's\n"
        "version and the catalogues' hash); sessions are then checked against it. The read\n"
        "is logged in the audit log too (the client and 'plan', no health value).\n",
    .footer = "Examples:\n"
              "  mneedle plan examples/clients/amelia-wrinkles.json --start earliest --years 3\n"
              "  mneedle plan examples/clients/maya-striae-melasma.json --start earliest --report "
              "maya.html\n"
              "\n"
              "Projections are simulations with uncertainty, never promised results.\n",
};

int cmd_plan(int argc, char **argv)
{
    cli_common o = {0};
    const char *plot_dir = NULL, *report = NULL, *file, *db = NULL, *actor = NULL;
    int save = 0;
    start_opt start = {0};
    mn_plan_options popts;
    mn_plan_options_init(&popts);
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object (screening, zones, sessions, pretreatment, aftercare, cost, "
                     "projection, risk)"),
        CLI_INT("years", &popts.years, "N", 1, 20,
                "horizon for maintenance and the total cost (1-20, default 2)"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_DATA(&o, "read catalogues from DIR instead of the built-in copies"),
        CLI_PATH("plot", 0, &plot_dir, "DIR",
                 "write the figures into DIR (an existing directory): zones.svg; projection.png, "
                 ".svg and .csv with the plotted numbers, when the plan has a projection"),
        CLI_PATH("report", 0, &report, "FILE",
                 "write a self-contained HTML report (screening, zones on a face diagram, "
                 "calendar, projection, cost, printable aftercare sheet); FILE.pdf prints it to "
                 "PDF with weasyprint (Debian package)"),
        CLI_CHOICE("start", &start, "DATE", parse_start,
                   "YYYY-MM-DD from 1900-01-01 to 2999-12-31, or earliest",
                   "plan from DATE (YYYY-MM-DD) instead of the client's clinic.start, or from the "
                   "earliest day every step before the first visit can still be kept"),
        CLI_FLAG("save", &save, "CLIENT is a client id of the clinic record; store the plan there"),
        CLI_PATH("db", 0, &db, "FILE", "with --save: the database (default $MNEEDLE_DB)"),
        CLI_PATH("actor", 0, &actor, "NAME", "with --save: who the audit log names"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &file);
    if (code != CLI_PARSED)
        return code;
    if (!save && (db || actor))
        return cli_usage_error("plan", "--%s goes with --save (storing the plan in the record)",
                               db ? "db" : "actor");
    if (save && start.given)
        return cli_usage_error("plan",
                               "--start does not go with --save: the stored plan must count from "
                               "the client's stored start; change it with 'mneedle client update'");
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("plan", o.data, &code);
    if (!ctx)
        return code;
    mn_client client;
    mn_plan *plan = NULL;
    mn_store *store = NULL;
    mn_outfile *out = NULL;
    char *input = NULL;
    membuf saved = {0}, text = {0};
    if (save && !(store = cli_store_open("plan", ctx, db, actor, 0, &code))) {
        mn_ctx_free(ctx);
        return code;
    }
    /* Every output is checked before anything is stored or written, and none is written unless
     * all can be. */
    mn_status st = mn_outfile_batch_begin(ctx);
    if (!st)
        st = mn_outfile_open(ctx, o.output ? o.output : "-", &out);
    if (!st && report)
        st = mn_plan_report_check(ctx, report);
    if (!st && plot_dir)
        st = mn_plot_dir_check(ctx, plot_dir);
    /* The plan is dated today, or SOURCE_DATE_EPOCH's day for reproducible outputs. */
    if (!st)
        st = mn_date_today(ctx, &popts.prepared);
    popts.has_prepared = st == MN_OK;
    if (!st && store) {
        st = mn_store_client_input(ctx, store, file, &input);
        char src[80];
        snprintf(src, sizeof src, "client %s", file);
        if (!st)
            st = mn_client_parse(ctx, src, input, strlen(input), &client);
    } else if (!st) {
        st = mn_client_load(ctx, file, &client);
    }
    if (!st && start.given && !start.earliest)
        client.start = start.date;
    if (!st && start.earliest)
        st = mn_plan_earliest_start(ctx, &client, &popts, &client.start);
    if (!st)
        st = mn_plan_build(ctx, &client, &popts, &plan);
    if (!st)
        cli_warn("plan", &plan->warnings); /* also in the plan itself, for -o and --json */
    /* The plan as it will be printed, in memory. A file (-o) gets it now, in its temporary
     * file, so a full disk stops the run before the report and figures are written; standard
     * output, which is not atomic, only once they are. */
    int to_file = o.output && strcmp(o.output, "-") != 0;
    if (!st)
        st = mn_plan_write(ctx, plan, o.json, membuf_write, &text);
    if (!st && to_file && mn_outfile_writer(out, text.data, text.len))
        st = MN_EIO; /* cli_finish_all names the file and the reason */
    /* Stored before any output, so a failure to store leaves no output either. */
    if (!st && store) {
        st = mn_plan_write(ctx, plan, 1, membuf_write, &saved);
        long plan_id = 0;
        if (!st)
            st = mn_store_plan_save_input(ctx, store, file, saved.data, saved.len, input, &plan_id);
        if (!st)
            fprintf(stderr, "mneedle plan: saved as plan %ld\n", plan_id);
        /* The plan shows the client's stored record: the read is logged ("plan", as the
         * workstation logs its plan view) before anything is shown; one that cannot be logged
         * shows nothing (the plan stays stored, with its own entry). */
        if (!st)
            st = mn_store_audit_read(ctx, store, file, "plan");
    }
    /* The figures, the report, then the plan. (In this order the figures' bytes do not depend
     * on whether a report is asked for: cairo numbers its surfaces per process.) */
    if (!st && plot_dir)
        st = mn_plan_plot(ctx, plan, plot_dir);
    if (!st && report)
        st = mn_plan_report_save(ctx, plan, report);
    if (!st && !to_file && mn_outfile_writer(out, text.data, text.len))
        st = MN_EIO;
    code = cli_finish_all("plan", ctx, st, &out, 1);
    mn_plan_free(plan);
    free(input);
    free(saved.data);
    free(text.data);
    mn_store_close(store);
    mn_ctx_free(ctx);
    if (plot_dir || report)
        mn_plot_global_cleanup(); /* font caches of the figures, for leak checkers */
    return code;
}
