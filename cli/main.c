/*
 * mneedle: plan and model microneedling. Dispatches to one subcommand per file (cmd_*.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * Threads and ranks that wait without spinning. Between parallel regions an OpenMP thread
 * spins before it sleeps (libgomp: 300,000 turns by default, for ever with OMP_WAIT_POLICY=
 * active), and an Open MPI rank waiting for a message polls. On a machine shared with other
 * jobs that spinning takes the cores the work needs: a small 3D step ran in 13-15 ms on two
 * threads against 1.3 ms on one while another job held a core. So the command waits
 * passively unless the user says otherwise:
 *   - OMP_WAIT_POLICY=passive (libgomp then sleeps at once). libgomp reads it once, when it is
 *     loaded, before main(): the command sets it and starts itself again (execv of
 *     /proc/self/exe, same arguments, same process id and open files), once;
 *   - OMPI_MCA_mpi_yield_when_idle=1 (Open MPI yields the core while it polls; read at
 *     MPI_Init, which comes later, so setting it is enough). MPICH has no such switch.
 * A value the user has set, to anything, is kept. docs/cluster.md says how to override.
 */
static void wait_passively(char **argv)
{
    if (!getenv("OMPI_MCA_mpi_yield_when_idle"))
        setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    if (getenv("OMP_WAIT_POLICY"))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 0) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* No /proc (or exec refused): run on with the runtime's own policy. */
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"catalog", cmd_catalog, "list devices, sites, concerns or products"},
    {"screen", cmd_screen, "check a client for contraindications"},
    {"plan", cmd_plan, "plan a client's course: depths, dates, aftercare, cost"},
    {"simulate", cmd_simulate, "simulate healing and collagen over years for one scenario"},
    {"absorb", cmd_absorb, "simulate serum delivery through needled skin"},
    {"cohort", cmd_cohort, "run a virtual trial over a sampled population"},
    {"merge", cmd_merge, "merge the parts of a cohort run split with cohort --shard"},
    {"sensitivity", cmd_sensitivity, "which inputs move which outputs: Sobol' indices, Morris"},
    {"evidence", cmd_evidence, "list the published studies the outcome model is checked on"},
    {"validate", cmd_validate, "the model against the studies it was not fitted to"},
    {"client", cmd_client, "add, show, list, update or erase a client of the clinic record"},
    {"record", cmd_record, "record sessions done and follow-up scores against the plan"},
    {"history", cmd_history, "a client's timeline: plan against actual, scores, adverse events"},
    {"replan", cmd_replan, "replan a client from the visits done and their own scores"},
    {"recall", cmd_recall, "clients due for model-timed maintenance (text, CSV, iCalendar)"},
    {"export", cmd_export, "export records: iCalendar, HL7 FHIR R4 Bundle, CSV"},
    {"import", cmd_import, "import a CSV client list into the clinic record (with --dry-run)"},
    {"serve", cmd_serve, "the web workstation: chart, plan, recall (try: serve --demo)"},
    {"db", cmd_db, "create, check, back up, restore or migrate the clinic database"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: mneedle <command> [options] [FILE]\n"
                "       mneedle --help | --version\n\n"
                "mneedle models and plans microneedling (collagen induction therapy).\n"
                "Projections are simulations with stated uncertainty, not promised results.\n\n"
                "Commands:\n");
    int width = 0; /* the longest name, so that every summary starts in one column */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if ((int)strlen(commands[i].name) > width)
            width = (int)strlen(commands[i].name);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
    fprintf(fp,
            "\nEvery command takes --help. FILE may be - for standard input.\n"
            "Common options (each command's --help lists its own): --json (one JSON object\n"
            "on stdout), --output FILE (written atomically), --data DIR (override the\n"
            "built-in catalogues).\n\n"
            "Examples:\n"
            "  mneedle catalog concerns\n"
            "  mneedle screen examples/clients/amelia-wrinkles.json\n"
            "  mneedle plan examples/clients/amelia-wrinkles.json --start earliest --years 2\n\n"
            "The examples/ and docs/ paths named in the help and the outputs are the source\n"
            "tree's; 'cmake --install' puts both in %s.\n\n"
            "Exit codes: 0 success, 1 runtime failure, 2 bad input or usage.\n"
            "Threads wait passively: OMP_WAIT_POLICY=passive and\n"
            "OMPI_MCA_mpi_yield_when_idle=1 unless set (docs/cluster.md).\n",
            MN_DOCDIR);
}

int main(int argc, char **argv)
{
    wait_passively(argv);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_INPUT;
    }
    mn_outfile_cleanup_on_signals(); /* Ctrl-C leaves no temporary file behind */
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *args[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, args);
                }
        }
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("mneedle %s\n", mn_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error_line("mneedle: '%s' is not a command; see 'mneedle --help'", cmd);
    return CLI_EXIT_INPUT;
}
