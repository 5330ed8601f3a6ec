/*
 * Shared pieces of the mneedle command line: the subcommands, the option table every one of
 * them parses with (options.c), and the one place that turns statuses into messages and exit
 * codes (0 ok, 1 runtime, 2 input).
 *
 * Names: cli_ for what cli/ files share (declared here), cmd_ for the subcommands, short
 * static names inside a file. The library's mn_ names are never defined here.
 */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
#include <stdio.h>

#include "mneedle/mneedle.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_RUNTIME = 1, CLI_EXIT_INPUT = 2 };

/* Subcommands, one file each (cmd_NAME.c); argv[0] is the command's name. */
int cmd_catalog(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_absorb(int argc, char **argv);
int cmd_cohort(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_replan(int argc, char **argv);
int cmd_recall(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/*
 * Options, in the spirit of git's parse-options: each command lists its options once, in a
 * table of typed rows ended by CLI_END; the table both parses argv and writes the "Options:"
 * block and the usage line of --help, so the two cannot disagree.
 */
typedef enum {
    CLI_OPT_FLAG,   /* no value; sets an int to 1 */
    CLI_OPT_PATH,   /* a file or directory name, stored as given (const char *) */
    CLI_OPT_INT,    /* a whole number in [min, max] (int) */
    CLI_OPT_SEED,   /* a random seed, 0 to CLI_SEED_MAX (cli_seed) */
    CLI_OPT_CHOICE, /* one of a few names, read by the row's parse function */
} cli_option_type;

/* Seeds are echoed in JSON, whose numbers are doubles: every seed fits one exactly. */
#define CLI_SEED_MAX 9007199254740991LL /* 2^53 - 1 */

/* A seed option: the value, and whether the command line gave one. */
typedef struct {
    uint64_t value;
    int given;
} cli_seed;

typedef struct {
    const char *name; /* long name without the dashes; NULL ends a table */
    char short_name;  /* one-letter name, or 0 */
    cli_option_type type;
    void *value;      /* where the value goes; its type follows from the row's type */
    const char *arg;  /* the value's name in --help ("FILE", "N"); NULL for flags */
    const char *help; /* one line of help; --help wraps it */
    long min, max;    /* CLI_OPT_INT: the accepted range */
    int (*parse)(const char *arg, void *value); /* CLI_OPT_CHOICE: 1 if arg is a choice */
    const char *choices; /* CLI_OPT_CHOICE: the names, for the message ("exact or cvode") */
} cli_option;

/* The rows, one macro per type; each checks the type of the place the value goes. */
#define CLI_CHECK_(T, p) ((void *)(1 ? (p) : (T *)0))
#define CLI_FLAG(name, v, help)                                                                    \
    {                                                                                              \
        name, 0, CLI_OPT_FLAG, CLI_CHECK_(int, v), NULL, help, 0, 0, NULL, NULL                    \
    }
#define CLI_PATH(name, short_name, v, arg, help)                                                   \
    {                                                                                              \
        name, short_name, CLI_OPT_PATH, CLI_CHECK_(const char *, v), arg, help, 0, 0, NULL, NULL   \
    }
#define CLI_INT(name, v, arg, min, max, help)                                                      \
    {                                                                                              \
        name, 0, CLI_OPT_INT, CLI_CHECK_(int, v), arg, help, min, max, NULL, NULL                  \
    }
#define CLI_SEED(name, v, help)                                                                    \
    {                                                                                              \
        name, 0, CLI_OPT_SEED, CLI_CHECK_(cli_seed, v), "S", help, 0, 0, NULL, NULL                \
    }
#define CLI_CHOICE(name, v, arg, parse, choices, help)                                             \
    {                                                                                              \
        name, 0, CLI_OPT_CHOICE, v, arg, help, 0, 0, parse, choices                                \
    }
#define CLI_END                                                                                    \
    {                                                                                              \
        NULL, 0, CLI_OPT_FLAG, NULL, NULL, NULL, 0, 0, NULL, NULL                                  \
    }

/* What every command takes besides --help (which the parser adds to each table itself). */
typedef struct {
    int json;           /* --json: one JSON object instead of text */
    const char *output; /* -o, --output FILE: written atomically; NULL for standard output */
    const char *data;   /* --data DIR: catalogues from DIR; NULL for the built-in copies */
} cli_common;

/* Their rows: the names and types are fixed here, the help line is the command's. */
#define CLI_JSON(common, help)   CLI_FLAG("json", &(common)->json, help)
#define CLI_OUTPUT(common, help) CLI_PATH("output", 'o', &(common)->output, "FILE", help)
#define CLI_DATA(common, help)   CLI_PATH("data", 0, &(common)->data, "DIR", help)
/* The record commands' --db FILE and --data DIR (their catalogues include the scales and the
 * kinds of adverse event). */
#define CLI_DB(v)                                                                                  \
    CLI_PATH("db", 0, v, "FILE", "the database (default $MNEEDLE_DB, else mneedle.db)")
#define CLI_RECORD_DATA(common)                                                                    \
    CLI_DATA(common, "read catalogues (devices, sites, scales, ...) from DIR instead of the "      \
                     "built-in copies")

/* A command as --help and the messages present it. Every command takes one operand, but for
 * those parsed with cli_parse_list (one or more). */
typedef struct {
    const char *name;             /* "plan" */
    const char *operand;          /* the operand in the usage line ("CLIENT") */
    const char *operand_error;    /* the message when there is not exactly one operand */
    const char *usage_more;       /* further usage lines, each ending in a newline, or NULL */
    const char *about;            /* prose between the usage and the options */
    void (*about_more)(FILE *fp); /* prose made at run time, after about; or NULL */
    const char *footer;           /* prose after the options (examples), or NULL */
} cli_command;

/* cli_parse's answer when the command should go on. */
#define CLI_PARSED (-1)

/*
 * Parses argv (argv[0] is the command's name) against the rows of opts, storing each value
 * where its row says; options and the operand may come in any order. --help (-h) writes the
 * help to help_out (NULL: nowhere). Returns CLI_PARSED with *operand set, or the exit code to
 * return at once: CLI_EXIT_OK after --help, CLI_EXIT_INPUT (with the message) for an unknown
 * option, a missing or bad value, or not exactly one operand.
 */
int cli_parse(const cli_command *cmd, const cli_option *opts, int argc, char **argv, FILE *help_out,
              const char **operand);

/* As cli_parse, for a command that takes no operand (cmd->operand is ""). */
int cli_parse_none(const cli_command *cmd, const cli_option *opts, int argc, char **argv,
                   FILE *help_out);

/* As cli_parse, for a command that takes one or more operands (cmd->operand names them, e.g.
 * "PART..."): on CLI_PARSED, *operands points at the *n_operands (>= 1) of them, in order. */
int cli_parse_list(const cli_command *cmd, const cli_option *opts, int argc, char **argv,
                   FILE *help_out, char ***operands, int *n_operands);

/* Prints "mneedle CMD: MESSAGE" to stderr and returns CLI_EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line to stderr, with what it quotes from the input named as the library's messages name
 * it ("<U+001B>"): mn_escape_message. */
void cli_error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the context's last error (or the status text) and returns the exit code for it. */
int cli_fail(const char *cmd, mn_ctx *ctx, mn_status st);

/* Creates a context, honouring --data DIR (NULL for the embedded catalogues). On failure
 * prints the reason and stores the exit code in *exit_code. */
mn_ctx *cli_open(const char *cmd, const char *data_dir, int *exit_code);

/* The start of a command whose options were parsed into @p common: with @p parsed (the parser's
 * return) not CLI_PARSED, NULL and that exit code (after --help or a bad option); otherwise
 * cli_open() with common->data, *exit_code CLI_EXIT_OK when the context is created. */
mn_ctx *cli_start(const char *cmd, int parsed, const cli_common *common, int *exit_code);

/* Opens the output (--output FILE, atomic; NULL or "-" for stdout). */
mn_outfile *cli_output(const char *cmd, mn_ctx *ctx, const char *path, int *exit_code);

/* Commits an output opened by cli_output, as cli_finish_all with that one; returns the exit
 * code. */
int cli_commit(const char *cmd, mn_ctx *ctx, mn_outfile *out);

/* For a command with several outputs, before it writes any: opens the context's batch
 * (mn_outfile_batch_begin), so every file committed from then on, figures and reports
 * included, stays under its temporary name until cli_finish_all (or cli_commit) puts them all
 * in place; a failure before that, or mn_ctx_free(), removes them. Returns the exit code
 * (CLI_EXIT_OK, or the failure printed). */
int cli_hold_outputs(const char *cmd, mn_ctx *ctx);

/* Ends a command that writes a report and, maybe, a side file (--csv): with @p st MN_OK commits
 * @p side and then @p report, so a failed commit leaves the report unwritten; otherwise removes
 * both. A failure is printed, naming the file when a write to it failed. Both outputs are
 * consumed (either may be NULL); returns the exit code. */
int cli_finish_outputs(const char *cmd, mn_ctx *ctx, mn_status st, mn_outfile *report,
                       mn_outfile *side);

/* Ends a command that writes several outputs, each opened (and so checked) before anything was
 * written: with @p st MN_OK commits outs[0], outs[1], ... in that order (side files first, the
 * report last), stopping at the first that fails, then the batch of cli_hold_outputs (every
 * file renamed into place together, and after them standard output printed, when it was
 * opened after cli_hold_outputs: nothing is printed unless every file is in place, and a
 * failure to print undoes the renames). On any failure the rest, the batch, and all of them when
 * @p st is not MN_OK, are abandoned: no file of the run is left and earlier files are as they
 * were. A failure is printed, naming the file when a write to it failed. Every entry is
 * consumed and set to NULL (NULL entries are skipped); returns the exit code. */
int cli_finish_all(const char *cmd, mn_ctx *ctx, mn_status st, mn_outfile **outs, int n);

/* Writes a cohort's summary (text or JSON) to *out, then commits the CSV (when *csv_out is not
 * NULL) and *out, in that order: a failure leaves neither target changed and the file named.
 * Both outputs are consumed (set to NULL) whatever happens; returns the exit code. Shared by
 * `cohort` and `merge`, whose outputs must be the same bytes. Before writing it runs the
 * trial-level intervals (mn_cohort_intervals_run()): @p n_trials virtual trials, or, when
 * negative, mn_cohort_default_trials(); @p progress: a progress line on stderr. */
int cli_cohort_finish(const char *cmd, mn_ctx *ctx, const mn_cohort_trial *trial,
                      mn_cohort_result *res, int json, int n_trials, int threads, int progress,
                      mn_outfile **csv_out, mn_outfile **out);

/* 1 if stderr is a terminal (for progress bars). */
int cli_stderr_is_tty(void);

/** Prints each warning of an input ("mneedle CMD: warning: FILE: PATH: ...") on stderr. */
void cli_warn(const char *cmd, const mn_warnings *w);

/* The clinic record (records.c). The database: --db FILE, else $MNEEDLE_DB, else mneedle.db in
 * the current folder. */
const char *cli_db_path(const char *option);

/* Opens the record database (flags of store.h) and sets the audit's actor: --actor, else
 * $MNEEDLE_ACTOR, else $USER, else the login name of the account, else "unknown". On failure
 * prints the reason, stores the exit code and returns NULL. */
mn_store *cli_store_open(const char *cmd, mn_ctx *ctx, const char *db, const char *actor, int flags,
                         int *exit_code);

/* Logs in the audit log that the store's actor read the @p n clients @p ids (@p what: the
 * view, as mn_store_audit_read takes it; no health value), in one transaction. A command calls
 * it once what it shows is made and before it is shown (outputs held: cli_hold_outputs), so a
 * read that fails logs nothing and one that cannot be logged shows nothing. Returns the exit
 * code (CLI_EXIT_OK when every entry is logged), having printed why otherwise. */
int cli_audit_reads(const char *cmd, mn_ctx *ctx, mn_store *store, const char *const *ids, int n,
                    const char *what);

/* The reports on one client of the record. */
typedef enum {
    CLI_REPORT_HISTORY, /* mn_store_history_get, the read audited ("history") */
    CLI_REPORT_REPLAN   /* mn_store_replan_run, which stores the maintenance date; the read
                           audited ("replan") */
} cli_client_report;

/* Opens the catalogues (o->data, --data) and the record (with the audit's actor @p actor),
 * makes client @p id's report and writes it to the output o asks for (--json, -o FILE,
 * atomically), the read logged before it is shown; returns the exit code. */
int cli_client_report_run(const char *cmd, cli_client_report report, const cli_common *o,
                          const char *db, const char *actor, const char *id);

/* Reads a whole input file ("-": standard input), up to MN_MAX_INPUT_BYTES, NUL-terminated;
 * the caller frees it. On failure prints why, stores the exit code and returns NULL. */
char *cli_read_input(const char *cmd, const char *path, size_t *len, int *exit_code);

#endif
