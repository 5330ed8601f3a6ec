/*
 * Creating and freeing a context: the context owns the loaded catalogues, so its lifecycle
 * belongs to the data layer. The error state it carries is core's (src/core/ctx.c).
 * Declared in include/mneedle/core.h (create, free) and include/mneedle/catalog.h
 * (mn_ctx_catalog), where users look for them.
 */
#include <stdio.h>

#include "core/internal.h"
#include "data/catalog_internal.h"

mn_status mn_ctx_create_with_data(mn_ctx **out, const char *data_dir, char *errbuf,
                                  size_t errbuf_len)
{
    if (out == NULL)
        return MN_EINVAL;
    *out = NULL;
    mn_ctx *ctx = mn__calloc(1, sizeof *ctx);
    if (!ctx) {
        if (errbuf && errbuf_len)
            snprintf(errbuf, errbuf_len, "out of memory");
        return MN_ENOMEM;
    }
    mn_status st = mn__catalog_load(ctx, data_dir, &ctx->catalog);
    if (st) {
        if (errbuf && errbuf_len)
            snprintf(errbuf, errbuf_len, "%s", ctx->errmsg[0] ? ctx->errmsg : mn_strerror(st));
        mn_ctx_free(ctx);
        return st;
    }
    *out = ctx;
    return MN_OK;
}

mn_status mn_ctx_create(mn_ctx **out)
{
    return mn_ctx_create_with_data(out, NULL, NULL, 0);
}

void mn_ctx_free(mn_ctx *ctx)
{
    if (!ctx)
        return;
    mn__outbatch_free(ctx); /* outputs never committed: their temporary files go */
    mn__catalog_free(ctx->catalog);
    mn__free(ctx);
}

const mn_catalog *mn_ctx_catalog(const mn_ctx *ctx)
{
    return ctx ? ctx->catalog : NULL;
}
