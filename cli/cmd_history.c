/* mneedle history CLIENT [--json] [--db FILE] */
#include <stdio.h>

#include "cli.h"

static const cli_command command = {
    .name = "history",
    .operand = "CLIENT",
    .operand_error = "expected one client id",
    .about = "A client's timeline from the clinic record: the latest saved plan's visits against\n"
             "the sessions done (the k-th session done stands for the k-th planned visit: its\n"
             "date shift and each zone's depth and passes beside the plan's), overrides, scores\n"
             "over time and adverse events (including the recorded 'none'). A planned visit\n"
             "not done whose date has passed is marked overdue, with the days since. The\n"
             "health questionnaire's day and age today, as replan gives them. The read is\n"
             "logged in the audit log (the client and 'history', no health value), with\n"
             "--actor (default $MNEEDLE_ACTOR, else $USER).\n",
    .footer = "Example:\n"
              "  mneedle history --db clinic.db c-7k2m9q4xab\n",
};

int cmd_history(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *actor = NULL, *id;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_RECORD_DATA(&o),
        CLI_JSON(&o, "one JSON object (plan, questionnaire, planned[], sessions[], "
                     "assessments[], adverse_events[])"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_END,
    };
    int code = cli_parse(&command, opts, argc, argv, stdout, &id);
    if (code != CLI_PARSED)
        return code;
    return cli_client_report_run("history", CLI_REPORT_HISTORY, &o, db, actor, id);
}
