/*
 * The option table of cli.h: parsing argv against a command's rows (with getopt_long, so
 * options may follow the operand, take "--name=value" and be abbreviated while unambiguous)
 * and writing --help from the same rows.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Rows a table may hold; getopt_long wants its own array, built here on the stack. */
#define MAX_ROWS 32

/* getopt_long answers a long-only row i with FIRST_ROW + i, beyond any one-letter name. */
#define FIRST_ROW 256

/* --help is wrapped to this many columns. */
#define WIDTH 90

/* The one integer parser: a whole number in [lo, hi], nothing before or after it but the
 * leading blanks and sign strtoll takes. Returns 1 and stores it, or 0. */
static int parse_whole(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Stores the value of row o; returns CLI_EXIT_OK or, with the message, CLI_EXIT_INPUT. */
static int store(const char *cmd, const cli_option *o, const char *arg)
{
    long long v;
    switch (o->type) {
    case CLI_OPT_FLAG:
        *(int *)o->value = 1;
        return CLI_EXIT_OK;
    case CLI_OPT_PATH:
        *(const char **)o->value = arg;
        return CLI_EXIT_OK;
    case CLI_OPT_INT:
        if (!parse_whole(arg, o->min, o->max, &v))
            return cli_usage_error(cmd, "--%s: expected a whole number from %ld to %ld, got '%s'",
                                   o->name, o->min, o->max, arg);
        *(int *)o->value = (int)v;
        return CLI_EXIT_OK;
    case CLI_OPT_SEED:
        if (!parse_whole(arg, 0, CLI_SEED_MAX, &v))
            return cli_usage_error(cmd, "--%s: expected a whole number from 0 to 2^53-1, got '%s'",
                                   o->name, arg);
        ((cli_seed *)o->value)->value = (uint64_t)v;
        ((cli_seed *)o->value)->given = 1;
        return CLI_EXIT_OK;
    case CLI_OPT_CHOICE:
        if (!o->parse(arg, o->value))
            return cli_usage_error(cmd, "--%s: expected %s, got '%s'", o->name, o->choices, arg);
        return CLI_EXIT_OK;
    }
    return CLI_EXIT_OK;
}

/* "-o, --output FILE" or "--json": how the options block names row o. */
static void row_spec(const cli_option *o, char *buf, size_t size)
{
    char s[8] = "";
    if (o->short_name)
        snprintf(s, sizeof s, "-%c, ", o->short_name);
    snprintf(buf, size, "%s--%s%s%s", s, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* Writes text from column indent on, breaking lines between words before WIDTH (and at a
 * newline in text) and going on at the same column. */
static void wrap(FILE *fp, const char *text, size_t indent)
{
    size_t col = indent;
    int newline = 0;
    while (*text) {
        size_t word = strcspn(text, " \n");
        if (col > indent && (newline || col + 1 + word > WIDTH)) {
            fprintf(fp, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', fp);
            col++;
        }
        fwrite(text, 1, word, fp);
        col += word;
        text += word;
        newline = text[strspn(text, " ")] == '\n';
        text += strspn(text, " \n");
    }
}

static void print_help(FILE *fp, const cli_command *cmd, const cli_option *opts)
{
    char spec[96], item[112];
    size_t col = (size_t)fprintf(fp, "usage: mneedle %s%s%s", cmd->name, cmd->operand[0] ? " " : "",
                                 cmd->operand);
    size_t indent = strlen("usage: mneedle  ") + strlen(cmd->name), width = 0;
    for (const cli_option *o = opts; o->name; o++) {
        int len = snprintf(item, sizeof item, "[--%s%s%s]", o->name, o->arg ? " " : "",
                           o->arg ? o->arg : "");
        if (col + 1 + (size_t)len > WIDTH)
            col = (size_t)fprintf(fp, "\n%*s%s", (int)indent, "", item) - 1;
        else
            col += (size_t)fprintf(fp, " %s", item);
        row_spec(o, spec, sizeof spec);
        if (strlen(spec) > width)
            width = strlen(spec);
    }
    fprintf(fp, "\n%s\n%s", cmd->usage_more ? cmd->usage_more : "", cmd->about);
    if (cmd->about_more)
        cmd->about_more(fp);
    fputs("\nOptions:\n", fp);
    for (const cli_option *o = opts; o->name; o++) {
        row_spec(o, spec, sizeof spec);
        fprintf(fp, "  %-*s  ", (int)width, spec);
        wrap(fp, o->help, width + 4);
        fputc('\n', fp);
    }
    if (cmd->footer)
        fprintf(fp, "\n%s", cmd->footer);
}

/* Parses the options of argv; returns CLI_PARSED with the operands from optind on, or the exit
 * code to return at once. */
static int parse_rows(const cli_command *cmd, const cli_option *opts, int argc, char **argv,
                      FILE *help_out)
{
    struct option longs[MAX_ROWS + 2];
    char shorts[2 * MAX_ROWS + 3] = ":h"; /* ':' first: a missing value is told apart */
    size_t n = 0, ns = strlen(shorts);
    for (; opts[n].name; n++) {
        assert(n < MAX_ROWS);
        assert(opts[n].type != CLI_OPT_INT || (opts[n].min >= INT_MIN && opts[n].max <= INT_MAX));
        int has_arg = opts[n].type != CLI_OPT_FLAG;
        longs[n] = (struct option){opts[n].name, has_arg ? required_argument : no_argument, NULL,
                                   FIRST_ROW + (int)n};
        if (opts[n].short_name) {
            shorts[ns++] = opts[n].short_name;
            if (has_arg)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    longs[n] = (struct option){"help", no_argument, NULL, 'h'};
    longs[n + 1] = (struct option){NULL, 0, NULL, 0};

    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const cli_option *o = NULL;
        if (c == 'h') {
            if (help_out)
                print_help(help_out, cmd, opts);
            return CLI_EXIT_OK;
        }
        if (c == ':')
            return cli_usage_error(cmd->name, "missing value for '%s'", argv[optind - 1]);
        if (c >= FIRST_ROW)
            o = &opts[c - FIRST_ROW];
        else
            for (size_t i = 0; i < n && !o; i++)
                if (c != '?' && opts[i].short_name == c)
                    o = &opts[i];
        if (!o)
            return cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
        int code = store(cmd->name, o, optarg);
        if (code != CLI_EXIT_OK)
            return code;
    }
    return CLI_PARSED;
}

int cli_parse(const cli_command *cmd, const cli_option *opts, int argc, char **argv, FILE *help_out,
              const char **operand)
{
    int code = parse_rows(cmd, opts, argc, argv, help_out);
    if (code != CLI_PARSED)
        return code;
    if (optind != argc - 1)
        return cli_usage_error(cmd->name, "%s", cmd->operand_error);
    *operand = argv[optind];
    return CLI_PARSED;
}

int cli_parse_none(const cli_command *cmd, const cli_option *opts, int argc, char **argv,
                   FILE *help_out)
{
    int code = parse_rows(cmd, opts, argc, argv, help_out);
    if (code != CLI_PARSED)
        return code;
    if (optind != argc)
        return cli_usage_error(cmd->name, "%s", cmd->operand_error);
    return CLI_PARSED;
}

int cli_parse_list(const cli_command *cmd, const cli_option *opts, int argc, char **argv,
                   FILE *help_out, char ***operands, int *n_operands)
{
    int code = parse_rows(cmd, opts, argc, argv, help_out);
    if (code != CLI_PARSED)
        return code;
    if (optind >= argc)
        return cli_usage_error(cmd->name, "%s", cmd->operand_error);
    *operands = argv + optind;
    *n_operands = argc - optind;
    return CLI_PARSED;
}
