/*
 * The context's error state: the last status and its detailed message. Creating and freeing a
 * context loads and frees the catalogues, so that lives one layer up, in src/data/context.c;
 * core itself depends on nothing else of ours.
 */
#include <assert.h>
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

/* Writes the escaped form of raw[0..len) to @p dst (@p cap bytes), marked as mark_cut() does
 * when it does not fit, or when @p raw_cut says the text was cut before it was escaped. What
 * the input quotes is named, never shown raw (escape.c). */
static void put_escaped(char *dst, size_t cap, const char *raw, size_t len, int raw_cut)
{
    if (mn__escape(dst, cap, raw, len, MN__ESC_ERROR) >= cap || raw_cut)
        mark_cut(dst, cap);
}

/* printf into @p dst (@p cap bytes, at most a context's message) as put_escaped() shows it. */
static void put_message(char *dst, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void put_message(char *dst, size_t cap, const char *fmt, va_list ap)
{
    char raw[sizeof((mn_ctx *)NULL)->errmsg];
    assert(cap <= sizeof raw);
    int n = vsnprintf(raw, cap, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    put_escaped(dst, cap, raw, len, n > 0 && (size_t)n >= cap);
}

mn_status mn__error(mn_ctx *ctx, mn_status status, const char *fmt, ...)
{
    if (ctx) {
        va_list ap;
        va_start(ap, fmt);
        put_message(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
        va_end(ap);
        ctx->errcode = status;
    }
    return status;
}

/* A warning's src, path and message are cut as an error's message is: visibly, after a whole
 * character. */
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
    put_escaped(it->src, sizeof it->src, src, strlen(src), 0);
    if ((size_t)snprintf(it->path, sizeof it->path, "%s", path) >= sizeof it->path)
        mark_cut(it->path, sizeof it->path); /* the loader's own keys: copied as they are */
    va_list ap;
    va_start(ap, fmt);
    put_message(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
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
