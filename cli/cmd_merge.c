/* mneedle merge PART... [--json] [--csv FILE] [--output FILE] [--data DIR]: the parts of a
 * cohort run split with `mneedle cohort TRIAL --shard K/N`, combined into the single run's
 * output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command command = {
    .name = "merge",
    .operand = "PART...",
    .operand_error = "expected the part files of one run (written by 'mneedle cohort TRIAL "
                     "--shard K/N')",
    .about =
        "Combines the N part files of a virtual trial split with 'mneedle cohort TRIAL --shard\n"
        "K/N' into the trial's result. The output (text, --json, and --csv when the shards ran\n"
        "with --patients) is byte for byte what one 'mneedle cohort TRIAL' run would write:\n"
        "each patient keeps his or her own random stream and the statistics add exactly.\n"
        "\n"
        "The parts must be all N shards of one run (same TRIAL file, n, seed, N and mneedle\n"
        "version), each once, in any order; otherwise nothing is written and the exit code is\n"
        "2. Give --data DIR when the shards ran with it.\n",
    .footer = "Example:\n"
              "  for k in 1 2 3 4; do\n"
              "    mneedle cohort examples/trials/lotfi-2013-acne-scars.json --shard $k/4 \\\n"
              "      -o part-$k.json\n"
              "  done\n"
              "  mneedle merge part-*.json --json\n",
};

int cmd_merge(int argc, char **argv)
{
    cli_common o = {0};
    const char *csv = NULL;
    char **files = NULL;
    int n_files = 0;
    const cli_option opts[] = {
        CLI_JSON(&o, "one JSON object, as 'mneedle cohort --json' writes it"),
        CLI_PATH("csv", 0, &csv, "FILE",
                 "per-patient results, as 'mneedle cohort --csv' writes them ('-' = stdout); "
                 "the shards must have run with --patients"),
        CLI_DATA(&o, "read catalogue files from DIR instead of the built-in copies"),
        CLI_OUTPUT(&o, "write the result to FILE atomically instead of standard output"),
        CLI_END,
    };
    int code = cli_parse_list(&command, opts, argc, argv, stdout, &files, &n_files);
    if (code != CLI_PARSED)
        return code;
    if (csv && o.output && strcmp(csv, "-") && !strcmp(csv, o.output))
        return cli_usage_error("merge", "--csv and --output name the same file");
    if (csv && !strcmp(csv, "-") && (!o.output || !strcmp(o.output, "-")))
        return cli_usage_error("merge", "--csv - needs --output FILE for the summary");

    mn_ctx *ctx = cli_open("merge", o.data, &code);
    if (!ctx)
        return code;
    code = CLI_EXIT_OK;
    mn_cohort_part **parts = calloc((size_t)n_files, sizeof *parts);
    mn_cohort_trial *trial = malloc(sizeof *trial);
    mn_cohort_result *res = malloc(sizeof *res);
    mn_outfile *out = NULL, *csv_out = NULL;
    mn_status st;
    if (!parts || !trial || !res) {
        fprintf(stderr, "mneedle merge: out of memory\n");
        code = CLI_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 0; i < n_files; i++)
        if ((st = mn_cohort_part_load(ctx, files[i], &parts[i]))) {
            code = cli_fail("merge", ctx, st);
            goto done;
        }
    if ((st = mn_cohort_merge(ctx, parts, n_files, trial, res))) {
        code = cli_fail("merge", ctx, st);
        goto done;
    }
    cli_warn("merge", &trial->warnings); /* the trial's, as one run would give */
    /* Both outputs are temporary files until every byte is written: a failure leaves none. */
    if ((code = cli_hold_outputs("merge", ctx)) ||
        !(out = cli_output("merge", ctx, o.output, &code)))
        goto done;
    if (csv) {
        if (!(csv_out = cli_output("merge", ctx, csv, &code)))
            goto done;
        if ((st = mn_cohort_csv_header(ctx, mn_outfile_writer, csv_out)) ||
            (st = mn_cohort_merge_csv(ctx, parts, n_files, mn_outfile_writer, csv_out))) {
            code = cli_fail("merge", ctx, mn_outfile_fail(ctx, csv_out, st));
            csv_out = NULL;
            goto done;
        }
    }
    code = cli_cohort_finish("merge", ctx, trial, res, o.json, -1, 0, 0, &csv_out, &out);
done:
    mn_outfile_abort(csv_out);
    mn_outfile_abort(out);
    for (int i = 0; parts && i < n_files; i++)
        mn_cohort_part_free(parts[i]);
    free(parts);
    free(trial);
    free(res);
    mn_ctx_free(ctx);
    return code;
}
