/*
 * Small helpers every part of the HTML report writes with: markup as it is, text from the input
 * escaped, money with its currency, weekday names, and base64 for images embedded as data: URIs.
 * They only append to a buffer; a buffer that failed stays failed and is reported once by the
 * page.
 */
#include <stdio.h>
#include <string.h>

#include "report/html_internal.h"

/* The entity that stands for @p c in HTML text and attribute values, or NULL when c stands for
 * itself. */
static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void mn__html_put(mn__buf *b, const char *s)
{
    mn__buf_append(b, s, strlen(s));
}

void mn__html_esc(mn__buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        const char *rep = entity(*s);
        if (rep)
            mn__html_put(b, rep);
        else
            mn__buf_append(b, s, 1);
    }
}

const char *mn__html_esc_into(char *buf, size_t n, const char *s)
{
    size_t k = 0;
    for (; s && *s; s++) {
        const char *rep = entity(*s);
        size_t r = rep ? strlen(rep) : 1;
        if (k + r >= n)
            break;
        memcpy(buf + k, rep ? rep : s, r);
        k += r;
    }
    buf[k] = '\0';
    return buf;
}

const char *mn__html_money(char *buf, size_t n, double amount, const char *currency)
{
    int k = snprintf(buf, n, "%.2f ", amount);
    if (k > 0 && (size_t)k < n)
        mn__html_esc_into(buf + k, n - (size_t)k, currency);
    return buf;
}

const char *mn__html_weekday(mn_date d)
{
    static const char *names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int w = mn_date_weekday(d);
    return names[w >= 0 && w < 7 ? w : 0];
}

void mn__html_base64(mn__buf *b, const mn__buf *data)
{
    if (data->failed)
        b->failed = 1;
    else
        mn__base64_append(b, (const unsigned char *)data->data, data->len);
}
