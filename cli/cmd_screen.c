/* placeholder */
#include <stdio.h>
#include "cli.h"
int mn_cmd_screen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mneedle screen: not available yet\n");
    return MN_EXIT_RUNTIME;
}
