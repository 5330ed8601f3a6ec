/*
 * Shared pieces of the mneedle command line: the subcommand table, option helpers and the
 * one place that turns statuses into messages and exit codes (0 ok, 1 runtime, 2 input).
 */
#ifndef MN_CLI_H
#define MN_CLI_H

#include <stdio.h>

#include "mneedle/mneedle.h"

enum { MN_EXIT_OK = 0, MN_EXIT_RUNTIME = 1, MN_EXIT_INPUT = 2 };

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} mn_cli_command;

/* Subcommands, one file each. */
int mn_cmd_catalog(int argc, char **argv);
int mn_cmd_screen(int argc, char **argv);
int mn_cmd_plan(int argc, char **argv);
int mn_cmd_simulate(int argc, char **argv);
int mn_cmd_absorb(int argc, char **argv);
int mn_cmd_cohort(int argc, char **argv);

/* The options of a command that takes nothing else: --json, --data DIR, -o/--output FILE
 * and --help. */
typedef struct {
    int json;
    const char *data, *output;
} mn_cli_common;

/* Parses them from argv into *o, --help through help(). Returns -1 to go on (optind then
 * indexes the first operand), or the exit code to return at once: 0 after the help, 2 (with
 * the message) for an unknown option. */
int mn_cli_parse_common(const char *cmd, int argc, char **argv, void (*help)(void),
                        mn_cli_common *o);

/* Prints "mneedle CMD: MESSAGE" to stderr and returns MN_EXIT_INPUT. */
int mn_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the context's last error (or the status text) and returns the exit code for it. */
int mn_cli_fail(const char *cmd, mn_ctx *ctx, mn_status st);

/* Creates a context, honouring --data DIR (NULL for the embedded catalogues). On failure
 * prints the reason and stores the exit code in *exit_code. */
mn_ctx *mn_cli_open(const char *cmd, const char *data_dir, int *exit_code);

/* Opens the output (--output FILE, atomic; NULL or "-" for stdout). */
mn_outfile *mn_cli_output(const char *cmd, mn_ctx *ctx, const char *path, int *exit_code);

/* Commits an output opened by mn_cli_output; returns the exit code. */
int mn_cli_commit(const char *cmd, mn_ctx *ctx, mn_outfile *out);

/* 1 if stderr is a terminal (for progress bars). */
int mn_cli_stderr_is_tty(void);

#endif
