/* What medians.c and figures.c share: the context, the catalogue, the constants under test
 * (NULL: the library's defaults), a course of equal sessions, and loading the posterior file
 * named on the command line (the bundled one without it). */
#ifndef MN_BEHAVIOURS_COMMON_H
#define MN_BEHAVIOURS_COMMON_H
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "mneedle/mneedle.h"
#include "mneedle/posterior.h"
#include "mneedle/rng.h"
static mn_ctx *ctx;
static const mn_catalog *cat;
static const mn_healing_params *constants;
static void course(mn_healing_session *s, int n, int every, const char *dev, double mm,
                   double passes)
{
    for (int i = 0; i < n; i++)
        s[i] = (mn_healing_session){every * i, mn_catalog_find_device(cat, dev), mm, passes, 0};
}
/* Creates the context and loads the posterior; on failure prints why and returns NULL. */
static mn_posterior *setup(int argc, char **argv)
{
    mn_posterior *post;
    if (mn_ctx_create(&ctx)) {
        fprintf(stderr, "behaviours: cannot create a context\n");
        return NULL;
    }
    cat = mn_ctx_catalog(ctx);
    if (mn_posterior_load(ctx, argc > 1 ? argv[1] : NULL, &post)) {
        fprintf(stderr, "%s\n", mn_ctx_errmsg(ctx));
        return NULL;
    }
    return post;
}
#endif
