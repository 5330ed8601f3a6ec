/* A growable text buffer; errors are sticky so call sites stay linear. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

void mn__buf_init(mn__buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void mn__buf_release(mn__buf *b)
{
    mn__free(b->data);
    mn__buf_init(b);
}

static int reserve(mn__buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    assert(cap > b->len + extra);
    char *p = mn__realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void mn__buf_append(mn__buf *b, const char *s, size_t n)
{
    assert(s != NULL || n == 0);
    if (reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mn__buf_printf(mn__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        mn__buf_append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    int again = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    assert(again == n); /* the same format and arguments give the same length */
    (void)again;
    b->len += (size_t)n;
}

mn_status mn__buf_status(const mn__buf *b)
{
    return b->failed ? MN_ENOMEM : MN_OK;
}

int mn__finite(double x)
{
    return isfinite(x);
}
