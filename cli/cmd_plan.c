/* placeholder */
#include <stdio.h>
#include "cli.h"
int mn_cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mneedle plan: not available yet\n");
    return MN_EXIT_RUNTIME;
}
