/*
 * The context's error state: the last status and its detailed message. Creating and freeing a
 * context loads and frees the catalogues, so that lives one layer up, in src/data/context.c;
 * core itself depends on nothing else of ours.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

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
