/* mneedle simulate: not built yet; the subcommand's own file replaces this one. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int mn_cmd_simulate(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: mneedle simulate FILE\n\nNot available in this version of mneedle.\n");
        return MN_EXIT_OK;
    }
    fprintf(stderr, "mneedle simulate: not available in this version of mneedle\n");
    return MN_EXIT_RUNTIME;
}
