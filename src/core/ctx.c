/*
 * The context's error state: the last status and its detailed message. Creating and freeing a
 * context loads and frees the catalogues, so that lives one layer up, in src/data/context.c;
 * core itself depends on nothing else of ours.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

/* A message cut to fit @p cap bytes ends with a visible "...", put after a whole character
 * (never inside a UTF-8 sequence), so a reader knows there was more. */
static void mark_cut(char *msg, size_t cap)
{
    size_t len = strlen(msg);
    if (len + sizeof "..." > cap)
        len = cap - sizeof "...";
    while (len > 0 && ((unsigned char)msg[len] & 0xC0) == 0x80)
        len--;
    memcpy(msg + len, "...", sizeof "...");
}

mn_status mn__error(mn_ctx *ctx, mn_status status, const char *fmt, ...)
{
    if (ctx) {
        /* Messages quote the input: a stray control or invisible character is named, never
         * printed raw (escape.c). */
        char raw[sizeof ctx->errmsg];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
        size_t need = mn__escape(ctx->errmsg, sizeof ctx->errmsg, raw, len, MN__ESC_ERROR);
        if ((n > 0 && (size_t)n >= sizeof raw) || need >= sizeof ctx->errmsg)
            mark_cut(ctx->errmsg, sizeof ctx->errmsg);
        ctx->errcode = status;
    }
    return status;
}

void mn__warn(mn_warnings *w, const char *code, const char *src, const char *path, const char *fmt,
              ...)
{
    if (!w)
        return;
    if (w->n >= MN_MAX_WARNINGS) {
        w->dropped++;
        return;
    }
    mn_warning *it = &w->items[w->n++];
    snprintf(it->code, sizeof it->code, "%s", code);
    snprintf(it->path, sizeof it->path, "%s", path);
    mn__escape(it->src, sizeof it->src, src, strlen(src), MN__ESC_ERROR);
    /* As errors: what the input quotes is escaped, never printed raw. */
    char raw[sizeof it->message];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1;
    mn__escape(it->message, sizeof it->message, raw, len, MN__ESC_ERROR);
}

const char *mn_ctx_errmsg(const mn_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

mn_status mn_ctx_errcode(const mn_ctx *ctx)
{
    return ctx ? ctx->errcode : MN_EINVAL;
}

void mn_ctx_set_private_outputs(mn_ctx *ctx, int on)
{
    if (ctx)
        ctx->private_outputs = on != 0;
}

void mn_ctx_clear_error(mn_ctx *ctx)
{
    if (ctx) {
        ctx->errcode = MN_OK;
        ctx->errmsg[0] = '\0';
    }
}
