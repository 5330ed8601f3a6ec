/*
 * mneedle: plan and model microneedling. Dispatches to one subcommand per file (cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const mn_cli_command mn_commands[] = {
    {"catalog", mn_cmd_catalog, "list devices, sites, concerns or products"},
    {"screen", mn_cmd_screen, "check a client for contraindications"},
    {"plan", mn_cmd_plan, "plan a client's course: depths, dates, aftercare, cost"},
    {"simulate", mn_cmd_simulate, "simulate healing and collagen over years for one scenario"},
    {"absorb", mn_cmd_absorb, "simulate serum delivery through needled skin"},
    {"cohort", mn_cmd_cohort, "run a virtual trial over a sampled population"},
};

static void mn_usage(FILE *fp)
{
    fprintf(fp, "usage: mneedle <command> [options] [FILE]\n"
                "       mneedle --help | --version\n\n"
                "mneedle models and plans microneedling (collagen induction therapy).\n"
                "Projections are simulations with stated uncertainty, not promised results.\n\n"
                "Commands:\n");
    for (size_t i = 0; i < sizeof mn_commands / sizeof mn_commands[0]; i++)
        fprintf(fp, "  %-10s %s\n", mn_commands[i].name, mn_commands[i].summary);
    fprintf(fp, "\nEvery command takes --help. FILE may be - for standard input.\n"
                "Common options: --json (one JSON object on stdout), --output FILE (written\n"
                "atomically), --data DIR (override the built-in catalogues).\n\n"
                "Examples:\n"
                "  mneedle catalog concerns\n"
                "  mneedle screen examples/clients/amelia-wrinkles.json\n"
                "  mneedle plan examples/clients/amelia-wrinkles.json --years 2\n\n"
                "Exit codes: 0 success, 1 runtime failure, 2 bad input or usage.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        mn_usage(stderr);
        return MN_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            for (size_t i = 0; i < sizeof mn_commands / sizeof mn_commands[0]; i++)
                if (!strcmp(argv[2], mn_commands[i].name)) {
                    char *args[] = {argv[2], "--help", NULL};
                    return mn_commands[i].run(2, args);
                }
        }
        mn_usage(stdout);
        return MN_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("mneedle %s\n", mn_version());
        return MN_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof mn_commands / sizeof mn_commands[0]; i++)
        if (!strcmp(cmd, mn_commands[i].name))
            return mn_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mneedle: '%s' is not a command; see 'mneedle --help'\n", cmd);
    return MN_EXIT_INPUT;
}
