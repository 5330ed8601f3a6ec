/* mneedle record session|assessment|adverse-event FILE [--override REASON] [--db FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "record",
    .operand = "session|assessment|adverse-event FILE",
    .operand_error = "expected: session FILE, assessment FILE or adverse-event FILE",
    .about =
        "Records what was done, or how the skin responded, in the clinic record.\n"
        "FILE is JSON (one object or an array) or CSV (a header row naming the columns);\n"
        "docs/records.md lists the keys and columns.\n"
        "\n"
        "  session     date, device (and serial, cartridge_lot), zones [{zone, depth_mm,\n"
        "              passes}], serum and serum_lot, endpoint, reactions, and adverse_events:\n"
        "              [\"none\"] or [{event, severity, resolved}] (required: 'none' is a\n"
        "              record). Checked against the client's latest saved plan and the\n"
        "              device: a zone not planned, a depth beyond the plan's maximum for the\n"
        "              zone or outside the device's range, a zone deeper or with more passes\n"
        "              than the plan sets for the visit the session stands for, a zone more\n"
        "              than the plan's rise per visit (0.5 mm, or 0.25 mm where the plan rises\n"
        "              gently) above the zone's last session, a session sooner than a zone's\n"
        "              minimum interval ('mneedle catalog concerns', MIN GAP), or a\n"
        "              session of a client whose current record screens defer or decline,\n"
        "              whose record was edited after the plan was saved (save the plan again:\n"
        "              'mneedle plan ID --save'), or with an adverse event open (no resolved\n"
        "              date) that holds (severe; or an infection, a cold sore, PIH, tram-track\n"
        "              scarring or a granuloma, whatever its grade), or whose health\n"
        "              questionnaire was older than its validity on the session's date\n"
        "              ('mneedle catalog rules --json', MN-HISTORY-OLD; from history.date,\n"
        "              else the day the plan was saved: take it again, 'mneedle client update',\n"
        "              save the plan again),\n"
        "              is refused unless --override REASON, which is kept with the session\n"
        "              (the audit log names only the rule overridden). A session that\n"
        "              breaks no rule is recorded without the reason, which is not stored,\n"
        "              and a warning on stderr says so (override_not_needed). A zone done\n"
        "              lighter than the visit's setting is recorded with a warning on stderr\n"
        "              (settings_below_plan).\n"
        "  assessment  date, scale (an id of the scales catalogue, docs/records.md), score\n"
        "              (within the scale's range and steps), rater, zone, session (its\n"
        "              number), photos [{consent, sha256}]: a photo consent of the client and\n"
        "              the image's SHA-256, never the image.\n"
        "  adverse-event  an event on its own (reported at a follow-up or by phone): date it\n"
        "              began, session (its number, when it followed one), kind (an id of the\n"
        "              catalogue: prolonged-erythema, swelling, pain-or-sensitivity,\n"
        "              dryness-peeling, bruising, infection, herpes-simplex-reactivation,\n"
        "              allergic-reaction, post-inflammatory-hyperpigmentation,\n"
        "              tram-track-scarring, granuloma) or event (free text), severity (mild,\n"
        "              moderate or severe; required), resolved (date). event \"none\" records\n"
        "              that there were none. CSV columns: client, date, session, kind, event,\n"
        "              severity, resolved.\n"
        "\n"
        "The whole file is one transaction: a bad record gives exit 2, naming the file and the\n"
        "place ($[2].zones[0].depth_mm, or line 7 of a CSV), and nothing is recorded.\n",
    .footer = "Example:\n"
              "  mneedle record session --db clinic.db session.json\n"
              "  mneedle record session --db clinic.db --override \"client tolerated; scar "
              "tissue\" deep.json\n"
              "  mneedle record adverse-event --db clinic.db pih.json\n",
};

int cmd_record(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *actor = NULL, *override_reason = NULL;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_RECORD_DATA(&o),
        CLI_PATH("override", 0, &override_reason, "REASON",
                 "session: record a session off the plan (heavier than its visit, sooner than "
                 "the minimum interval, outside the plan or the device's range), for this "
                 "reason (kept with the session, erased with the client; name no one in it); a "
                 "session within the plan is recorded without it, with a warning"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    char **ops;
    int n_ops;
    int code = cli_parse_list(&command, opts, argc, argv, stdout, &ops, &n_ops);
    if (code != CLI_PARSED)
        return code;
    int session = !strcmp(ops[0], "session"), event = !strcmp(ops[0], "adverse-event");
    if ((!session && !event && strcmp(ops[0], "assessment")) || n_ops != 2)
        return cli_usage_error("record", "%s", command.operand_error);
    if (!session && override_reason)
        return cli_usage_error("record", "--override is for sessions");
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("record", o.data, &code);
    if (!ctx)
        return code;
    char *text = NULL;
    mn_store *store = cli_store_open("record", ctx, db, actor, 0, &code);
    size_t len;
    if (store && (text = cli_read_input("record", ops[1], &len, &code))) {
        const char *src = strcmp(ops[1], "-") ? ops[1] : "<stdin>";
        int n = 0;
        mn_warnings warnings = {0};
        mn_status st = session ? mn_store_record_sessions_warn(ctx, store, src, text, len,
                                                               override_reason, &n, &warnings)
                       : event ? mn_store_record_adverse_events(ctx, store, src, text, len, &n)
                               : mn_store_record_assessments(ctx, store, src, text, len, &n);
        cli_warn("record", &warnings); /* recorded, as done, but not as the planner books */
        if (st)
            code = cli_fail("record", ctx, st);
        else
            printf("recorded %d %s%s\n", n,
                   session ? "session"
                   : event ? "adverse event"
                           : "assessment",
                   n == 1 ? "" : "s");
    }
    free(text);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
