/* mneedle replan CLIENT [--json] [--db FILE] */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "replan",
    .operand = "CLIENT",
    .operand_error = "expected one client id",
    .about =
        "Replans a client from the clinic record (docs/records.md):\n"
        "- the visits left of the latest saved plan, re-dated from the sessions actually done\n"
        "  (the plan's spacing kept from the last real date), each zone's setting going on with\n"
        "  the plan's titration, never below the last depth used and never above the plan's\n"
        "  maximum; a setting done off protocol (heavier than its visit, or recorded with\n"
        "  --override) is not carried on, and the last visit is shown against the plan;\n"
        "- the client's response gain (the healing model's multiplier on the typical person's\n"
        "  improvement) updated from their own scores on a severity scale: a Bayesian update\n"
        "  from the model's population spread; the 10-90 % band is the plan's own until a\n"
        "  score is used, then narrows as scores come in\n"
        "  (a score taken in the week after a session rates its swelling and redness, not\n"
        "  collagen, and is set aside; the note says how many were);\n"
        "- a maintenance date from that response: later for a better responder, sooner for a\n"
        "  poorer one, within 90-365 days. It is stored for 'mneedle recall'.\n"
        "The client's current record is screened again: while it screens defer or decline\n"
        "(a pregnancy or an isotretinoin course recorded since the plan), the client is on\n"
        "hold: the findings are printed and nothing is booked. Adverse events with no\n"
        "resolved date are listed; one graded severe, or an infection, a cold sore, PIH,\n"
        "tram-track scarring or a granuloma whatever its grade (docs/records.md, \"Holds\"),\n"
        "holds the client the same way. A plan made from an earlier record (the\n"
        "client's record edited since it was saved) is STALE: the client is held too until\n"
        "the plan is saved again ('mneedle plan ID --save'). A health questionnaire older\n"
        "than its validity today ('mneedle catalog rules --json', MN-HISTORY-OLD; from\n"
        "history.date, else the day the plan was saved) holds too: its day and age are printed\n"
        "(JSON: questionnaire).\n"
        "Projections are simulations with stated uncertainty, not promised results.\n",
    .footer = "Example:\n"
              "  mneedle replan --db clinic.db c-7k2m9q4xab\n",
};

int cmd_replan(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *actor = NULL, *id;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_RECORD_DATA(&o),
        CLI_JSON(&o, "one JSON object (plan_stale, remaining, response, screening, "
                     "questionnaire, open_adverse_events, hold, "
                     "observations, projection, maintenance, band_source, peak, validation, "
                     "last_session, next_visit_keeps_plan)"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &id);
    if (code != CLI_PARSED)
        return code;
    return cli_client_report_run("replan", CLI_REPORT_REPLAN, &o, db, actor, id);
}
