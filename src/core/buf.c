/* A growable text buffer; errors are sticky so call sites stay linear. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

void mn__buf_vprintf(mn__buf *b, const char *fmt, va_list ap)
{
    va_list again_ap;
    va_copy(again_ap, ap);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        b->failed = 1;
    } else if ((size_t)n < sizeof small) {
        mn__buf_append(b, small, (size_t)n);
    } else if (!reserve(b, (size_t)n)) {
        int again = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again_ap);
        assert(again == n); /* the same format and arguments give the same length */
        (void)again;
        b->len += (size_t)n;
    }
    va_end(again_ap);
}

void mn__buf_printf(mn__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mn__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* One conversion of mn__buf_textf other than %s, formatted as printf does. The spec is not a
 * literal: it is one conversion copied out of the caller's format, which the format attribute
 * of mn__buf_textf has checked at compile time, so clang's non-literal warning is silenced here
 * alone. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#endif
static void put_conv(mn__buf *b, const char *spec, ...)
{
    va_list ap;
    va_start(ap, spec);
    mn__buf_vprintf(b, spec, ap);
    va_end(ap);
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

/* %s of mn__buf_textf: the first @p prec bytes of s (all when prec < 0), escaped, padded to
 * @p width bytes on the left (or on the right with @p left), as printf pads. */
static void put_text(mn__buf *b, const char *s, int left, int width, int prec)
{
    if (!s)
        s = "(null)";
    size_t len = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
    size_t need = mn__escape(NULL, 0, s, len, MN__ESC_TEXT);
    size_t pad = width > 0 && (size_t)width > need ? (size_t)width - need : 0;
    for (size_t i = 0; !left && i < pad; i++)
        mn__buf_append(b, " ", 1);
    if (need == len) {
        mn__buf_append(b, s, len); /* nothing to name */
    } else if (!reserve(b, need)) {
        mn__escape(b->data + b->len, need + 1, s, len, MN__ESC_TEXT);
        b->len += need;
    }
    for (size_t i = 0; left && i < pad; i++)
        mn__buf_append(b, " ", 1);
}

/* Length modifiers of a printf conversion that mn__buf_textf takes. */
enum { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T, LEN_LD };

void mn__buf_textf(mn__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            mn__buf_append(b, p, strlen(p));
            break;
        }
        mn__buf_append(b, p, (size_t)(pct - p));
        const char *q = pct + 1;
        int left = 0, width = 0, prec = -1, stars[2], nstar = 0;
        for (; *q && strchr("-+ #0", *q); q++)
            left |= *q == '-';
        if (*q == '*') {
            width = stars[nstar++] = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            q++;
        } else {
            for (; *q >= '0' && *q <= '9'; q++)
                width = width * 10 + (*q - '0');
        }
        if (*q == '.') {
            q++;
            prec = 0;
            if (*q == '*') {
                prec = stars[nstar++] = va_arg(ap, int);
                q++;
            } else {
                for (; *q >= '0' && *q <= '9'; q++)
                    prec = prec * 10 + (*q - '0');
            }
        }
        int len = LEN_NONE;
        if (q[0] == 'h' && q[1] == 'h')
            len = LEN_HH, q += 2;
        else if (q[0] == 'l' && q[1] == 'l')
            len = LEN_LL, q += 2;
        else if (*q == 'h')
            len = LEN_H, q++;
        else if (*q == 'l')
            len = LEN_L, q++;
        else if (*q == 'z')
            len = LEN_Z, q++;
        else if (*q == 'j')
            len = LEN_J, q++;
        else if (*q == 't')
            len = LEN_T, q++;
        else if (*q == 'L')
            len = LEN_LD, q++;
        char conv = *q ? *q++ : '\0';
        char spec[48];
        size_t slen = (size_t)(q - pct);
        assert(slen < sizeof spec);
        if (slen >= sizeof spec) {
            b->failed = 1;
            break;
        }
        memcpy(spec, pct, slen);
        spec[slen] = '\0';
        p = q;
/* The spec with its '*' arguments, then the value. */
#define PUT(type)                                                                                  \
    do {                                                                                           \
        type v_ = va_arg(ap, type);                                                                \
        if (nstar == 0)                                                                            \
            put_conv(b, spec, v_);                                                                 \
        else if (nstar == 1)                                                                       \
            put_conv(b, spec, stars[0], v_);                                                       \
        else                                                                                       \
            put_conv(b, spec, stars[0], stars[1], v_);                                             \
    } while (0)
        switch (conv) {
        case '%':
            mn__buf_append(b, "%", 1);
            break;
        case 's':
            put_text(b, va_arg(ap, const char *), left, width, prec);
            break;
        case 'c':
        case 'd':
        case 'i':
            if (len == LEN_L)
                PUT(long);
            else if (len == LEN_LL)
                PUT(long long);
            else if (len == LEN_Z || len == LEN_T)
                PUT(ptrdiff_t);
            else if (len == LEN_J)
                PUT(intmax_t);
            else
                PUT(int);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (len == LEN_L)
                PUT(unsigned long);
            else if (len == LEN_LL)
                PUT(unsigned long long);
            else if (len == LEN_Z || len == LEN_T)
                PUT(size_t);
            else if (len == LEN_J)
                PUT(uintmax_t);
            else
                PUT(unsigned);
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            if (len == LEN_LD)
                PUT(long double);
            else
                PUT(double);
            break;
        case 'p':
            PUT(void *);
            break;
        default: /* %n or a malformed spec: the format attribute catches these at compile time */
            assert(0 && "mn__buf_textf: unsupported conversion");
            b->failed = 1;
            p = "";
            break;
        }
#undef PUT
    }
    va_end(ap);
}

mn_status mn__buf_status(const mn__buf *b)
{
    return b->failed ? MN_ENOMEM : MN_OK;
}

int mn__finite(double x)
{
    return isfinite(x);
}
