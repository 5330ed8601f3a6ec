/* Status to message and exit code, context and output helpers shared by the subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void cli_error_line(const char *fmt, ...)
{
    /* The message quotes the command line: what it echoes is named, never printed raw, as the
     * library's messages are (mn_escape_message). */
    char raw[1024], shown[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    mn_escape_message(shown, sizeof shown, raw);
    fprintf(stderr, "%s\n", shown);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error_line("mneedle %s: %s", cmd, msg);
    fprintf(stderr, "(see 'mneedle %s --help')\n", cmd);
    return CLI_EXIT_INPUT;
}

int cli_fail(const char *cmd, mn_ctx *ctx, mn_status st)
{
    const char *msg = ctx ? mn_ctx_errmsg(ctx) : "";
    fprintf(stderr, "mneedle %s: error: %s\n", cmd, msg[0] ? msg : mn_strerror(st));
    return mn_status_is_input_error(st) ? CLI_EXIT_INPUT : CLI_EXIT_RUNTIME;
}

mn_ctx *cli_open(const char *cmd, const char *data_dir, int *exit_code)
{
    mn_ctx *ctx = NULL;
    char err[1024] = "";
    mn_status st = mn_ctx_create_with_data(&ctx, data_dir, err, sizeof err);
    if (st) {
        fprintf(stderr, "mneedle %s: error: %s\n", cmd, err[0] ? err : mn_strerror(st));
        *exit_code = st == MN_ENOMEM || st == MN_EIO ? CLI_EXIT_RUNTIME : CLI_EXIT_INPUT;
        return NULL;
    }
    return ctx;
}

mn_ctx *cli_start(const char *cmd, int parsed, const cli_common *common, int *exit_code)
{
    *exit_code = parsed == CLI_PARSED ? CLI_EXIT_OK : parsed;
    return parsed == CLI_PARSED ? cli_open(cmd, common->data, exit_code) : NULL;
}

mn_outfile *cli_output(const char *cmd, mn_ctx *ctx, const char *path, int *exit_code)
{
    mn_outfile *out = NULL;
    mn_status st = mn_outfile_open(ctx, path ? path : "-", &out);
    if (st) {
        *exit_code = cli_fail(cmd, ctx, st);
        return NULL;
    }
    return out;
}

int cli_hold_outputs(const char *cmd, mn_ctx *ctx)
{
    mn_status st = mn_outfile_batch_begin(ctx);
    return st ? cli_fail(cmd, ctx, st) : CLI_EXIT_OK;
}

int cli_commit(const char *cmd, mn_ctx *ctx, mn_outfile *out)
{
    mn_outfile *outs[] = {out};
    return cli_finish_all(cmd, ctx, MN_OK, outs, 1);
}

int cli_finish_all(const char *cmd, mn_ctx *ctx, mn_status st, mn_outfile **outs, int n)
{
    for (int i = 0; !st && i < n; i++) {
        if (outs[i])
            st = mn_outfile_commit(ctx, outs[i]);
        outs[i] = NULL;
    }
    /* Every file complete: the held ones (figures, report, side files) go into place, and
     * only then is standard output printed (held by the batch when the command opened it
     * after cli_hold_outputs: mn_outfile_open), so a failed rename prints no answer beside its
     * error, and a failure to print puts the files back. */
    if (!st)
        st = mn_outfile_batch_commit(ctx);
    if (!st)
        return CLI_EXIT_OK;
    for (int i = 0; i < n; i++) {
        st = mn_outfile_fail(ctx, outs[i], st); /* a failed write names its file and reason */
        outs[i] = NULL;
    }
    mn_outfile_batch_abort(ctx); /* and no file of the run is left */
    return cli_fail(cmd, ctx, st);
}

int cli_finish_outputs(const char *cmd, mn_ctx *ctx, mn_status st, mn_outfile *report,
                       mn_outfile *side)
{
    mn_outfile *outs[] = {side, report};
    return cli_finish_all(cmd, ctx, st, outs, 2);
}

void cli_warn(const char *cmd, const mn_warnings *w)
{
    for (int i = 0; w && i < w->n && i < MN_MAX_WARNINGS; i++)
        fprintf(stderr, "mneedle %s: warning: %s: %s: %s\n", cmd, w->items[i].src, w->items[i].path,
                w->items[i].message);
    if (w && w->dropped > 0)
        fprintf(stderr, "mneedle %s: warning: %d more warnings not shown\n", cmd, w->dropped);
}

int cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO);
}
