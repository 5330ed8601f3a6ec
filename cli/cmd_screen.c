/* mneedle screen CLIENT [--json] */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The label a rule gives the item, where its key says more or other than the rule reads. */
static const char *item_label(const mn_catalog *cat, const char *name)
{
    for (size_t i = 0; cat && i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *r = mn_catalog_rule_at(cat, i);
        if (r->input_label && !strcmp(r->flag, name))
            return r->input_label;
    }
    return NULL;
}

static void history_items(FILE *fp)
{
    /* Read from the built-in rules, so the list cannot fall behind them. */
    mn_ctx *ctx = NULL;
    if (mn_ctx_create(&ctx) != MN_OK) {
        mn_ctx_free(ctx);
        ctx = NULL;
    }
    const mn_catalog *cat = ctx ? mn_ctx_catalog(ctx) : NULL;
    for (int i = 0; i < MN_HISTORY_COUNT; i++) {
        const char *name = mn_history_name((mn_history_item)i);
        const char *label = item_label(cat, name);
        int numeric = mn_history_is_numeric((mn_history_item)i);
        if (label)
            fprintf(fp, "  %s (%s%s)\n", name, numeric ? "number: " : "", label);
        else
            fprintf(fp, "  %s%s\n", name, numeric ? " (number)" : "");
    }
    if (!ctx)
        return;
    fprintf(fp, "\nDated deferrals (the earliest date to re-screen is known):\n");
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *r = mn_catalog_rule_at(cat, i);
        if (r->severity == MN_SEVERITY_DEFER && r->defer_until_known)
            fprintf(fp, "  %s (%s%s)\n", r->code, r->flag,
                    r->ongoing_at_zero ? "; none at 0, while it goes on" : "");
    }
    mn_ctx_free(ctx);
}

static const cli_command command = {
    .name = "screen",
    .operand = "CLIENT",
    .operand_error = "expected one CLIENT file",
    .about =
        "Checks a client file for reasons not to needle, or to wait. Each finding has a\n"
        "stable code, a severity (decline, defer, caution) and a message the client can\n"
        "read. The decision is the most severe: decline > defer > proceed_with_caution >\n"
        "proceed. A deferral names the earliest date to re-screen when it is known (the\n"
        "dated deferrals, listed below from the rules).\n"
        "\n"
        "CLIENT is a JSON file (- for standard input), for example:\n"
        "  {\"client\": {\"age\": 46, \"sex\": \"female\", \"fitzpatrick\": 2},\n"
        "   \"concerns\": [{\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"forehead\"]}],\n"
        "   \"history\": {\"isotretinoin_months_ago\": 2, \"anticoagulants\": true},\n"
        "   \"lifestyle\": {\"smoker\": false, \"sun\": \"moderate\"},\n"
        "   \"clinic\": {\"device\": \"skinpen\", \"price_per_session\": 300,\n"
        "              \"currency\": \"GBP\", \"start\": \"2026-12-01\"}}\n"
        "Optional clinic.{name, phone, practitioner} put the clinic's identity and a \"call us\"\n"
        "number on the plan and its report (phone: digits with spaces + - . / ( ), 3 to 15\n"
        "digits).\n"
        "\n"
        "history is the health questionnaire. A file without it has not been screened: the\n"
        "client is deferred, with no date, until it is completed (MN-NO-HISTORY); \"history\":\n"
        "{} means asked, with nothing to declare.\n"
        "\n"
        "History items (booleans unless marked; an item absent means no or never; a number\n"
        "counts the months or weeks since the last dose or treatment, 0 while it goes on,\n"
        "counted back from history.date, \"YYYY-MM-DD\", the day the questions were answered,\n"
        "or when it is absent from today, UTC, or SOURCE_DATE_EPOCH's day; re-screen dates count\n"
        "from that day, not from clinic.start; isotretinoin or radiotherapy at 0, still going\n"
        "on, has no date yet):\n",
    .about_more = history_items,
    .footer = "All rules with their codes: mneedle catalog rules\n",
};

int cmd_screen(int argc, char **argv)
{
    cli_common o = {0};
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object: screening.decision, screening.findings[]"),
        CLI_OUTPUT(&o, "write to FILE atomically"),
        CLI_DATA(&o, "read catalogues (rules.json, ...) from DIR"),
        CLI_END,
    };
    const char *file;
    int code = cli_parse(&command, opts, argc, argv, stdout, &file);
    if (code != CLI_PARSED)
        return code;
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("screen", o.data, &code);
    if (!ctx)
        return code;
    mn_client client;
    mn_screening s;
    mn_status st = mn_client_load(ctx, file, &client);
    /* Without history.date, the answers are today's (or SOURCE_DATE_EPOCH's day). */
    if (!st && !(st = mn_date_today(ctx, &client.screen_date))) {
        client.has_screen_date = 1;
        if (!client.has_history_date) {
            client.history_date = client.screen_date;
            client.has_history_date = 1;
        }
    }
    if (!st)
        st = mn_screen(ctx, &client, &s);
    if (st) {
        code = cli_fail("screen", ctx, st);
    } else {
        mn_outfile *out = cli_output("screen", ctx, o.output, &code);
        if (out) {
            st = mn_screening_write(ctx, &client, &s, o.json, mn_outfile_writer, out);
            if (st) {
                code = cli_fail("screen", ctx, mn_outfile_fail(ctx, out, st));
            } else {
                code = cli_commit("screen", ctx, out);
            }
        }
    }
    mn_ctx_free(ctx);
    return code;
}
