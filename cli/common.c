/* Status to message and exit code, context and output helpers shared by the subcommands. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

int mn_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mneedle %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'mneedle %s --help')\n", cmd);
    return MN_EXIT_INPUT;
}

int mn_cli_parse_common(const char *cmd, int argc, char **argv, void (*help)(void),
                        mn_cli_common *o)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"data", required_argument, NULL, 'd'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    o->json = 0;
    o->data = o->output = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            o->json = 1;
            break;
        case 'd':
            o->data = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'h':
            help();
            return MN_EXIT_OK;
        default:
            return mn_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

int mn_cli_fail(const char *cmd, mn_ctx *ctx, mn_status st)
{
    const char *msg = ctx ? mn_ctx_errmsg(ctx) : "";
    fprintf(stderr, "mneedle %s: error: %s\n", cmd, msg[0] ? msg : mn_strerror(st));
    return mn_status_is_input_error(st) ? MN_EXIT_INPUT : MN_EXIT_RUNTIME;
}

mn_ctx *mn_cli_open(const char *cmd, const char *data_dir, int *exit_code)
{
    mn_ctx *ctx = NULL;
    char err[1024] = "";
    mn_status st = mn_ctx_create_with_data(&ctx, data_dir, err, sizeof err);
    if (st) {
        fprintf(stderr, "mneedle %s: error: %s\n", cmd, err[0] ? err : mn_strerror(st));
        *exit_code = st == MN_ENOMEM || st == MN_EIO ? MN_EXIT_RUNTIME : MN_EXIT_INPUT;
        return NULL;
    }
    return ctx;
}

mn_outfile *mn_cli_output(const char *cmd, mn_ctx *ctx, const char *path, int *exit_code)
{
    mn_outfile *out = NULL;
    mn_status st = mn_outfile_open(ctx, path ? path : "-", &out);
    if (st) {
        *exit_code = mn_cli_fail(cmd, ctx, st);
        return NULL;
    }
    return out;
}

int mn_cli_commit(const char *cmd, mn_ctx *ctx, mn_outfile *out)
{
    mn_status st = mn_outfile_commit(ctx, out);
    return st ? mn_cli_fail(cmd, ctx, st) : MN_EXIT_OK;
}

int mn_cli_stderr_is_tty(void)
{
    return isatty(STDERR_FILENO);
}
