/* The context: catalogues plus the last error. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "data/catalog_internal.h"

mn_status mn__error(mn_ctx *ctx, mn_status status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
        va_end(ap);
        ctx->errcode = status;
    }
    return status;
}

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
    mn__catalog_free(ctx->catalog);
    mn__free(ctx);
}

const char *mn_ctx_errmsg(const mn_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

mn_status mn_ctx_errcode(const mn_ctx *ctx)
{
    return ctx ? ctx->errcode : MN_EINVAL;
}

void mn_ctx_clear_error(mn_ctx *ctx)
{
    if (ctx) {
        ctx->errcode = MN_OK;
        ctx->errmsg[0] = '\0';
    }
}

const mn_catalog *mn_ctx_catalog(const mn_ctx *ctx)
{
    return ctx ? ctx->catalog : NULL;
}
