/*
 * Making user-supplied text safe to show: every character that could forge a line, hide one
 * or move the cursor (C0 and C1 controls, DEL, the line and paragraph separators, the
 * bidirectional overrides and isolates of Unicode's "Trojan Source" class, CVE-2021-42574)
 * and every byte that is not valid UTF-8 is written as a visible name: "<U+001B>",
 * "<byte 0xA0>". Error messages also name the characters that print as nothing or as a plain
 * space (no-break and zero-width spaces, the byte-order mark, the soft hyphen), since a name
 * that "looks right" but does not match is the usual reason for the error.
 *
 * Every text writer prints through mn__buf_textf() (buf.c), which shows each %s argument
 * escaped; the HTML report's text goes through mn__html_esc() (report/html_util.c), which names
 * the same characters before it writes entities; mn__error() passes every message through
 * mn__escape(). JSON output keeps every string exact: the encoder escapes C0 controls, and
 * mn__write_json_safe() writes the other characters named here as \u escapes, so a JSON file
 * shown in a terminal cannot hide a line either.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

/* Decodes one UTF-8 sequence at s (n bytes left): its code point and length, or -1 when the
 * bytes are not a valid, shortest-form sequence (RFC 3629 §4). */
static long decode(const unsigned char *s, size_t n, size_t *used)
{
    unsigned char c = s[0];
    long cp;
    size_t k;
    if (c < 0x80) {
        *used = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        k = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        k = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        k = 4;
    } else
        return -1;
    if (n < k)
        return -1;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *used = k;
    return cp;
}

size_t mn__utf8_valid_prefix(const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, used;
    while (i < len && decode(s + i, len - i, &used) >= 0)
        i += used;
    return i;
}

int mn__utf8_valid(const char *src, size_t len)
{
    return mn__utf8_valid_prefix(src, len) == len;
}

/* Characters that reorder or break lines, or control the terminal: never shown raw. */
static int is_control(long cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

/* Characters that print as nothing or as an ordinary space: named in error messages. */
static int is_invisible(long cp)
{
    return cp == 0xA0 || cp == 0xAD || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200D) ||
           cp == 0x202F || cp == 0x205F || (cp >= 0x2060 && cp <= 0x2064) || cp == 0x3000 ||
           cp == 0xFEFF || cp == 0x3164 || cp == 0xFFA0;
}

size_t mn__escape(char *dst, size_t cap, const char *src, size_t len, int mode)
{
    assert(src != NULL && (dst != NULL || cap == 0));
    const unsigned char *s = (const unsigned char *)src;
    size_t need = 0, written = 0;
    int full = cap == 0; /* once a piece does not fit, nothing more is written */
    for (size_t i = 0; i < len;) {
        size_t used = 1;
        long cp = decode(s + i, len - i, &used);
        char name[24];
        const char *piece = (const char *)s + i;
        size_t plen = used;
        if (cp < 0) {
            plen = (size_t)snprintf(name, sizeof name, "<byte 0x%02X>", s[i]);
            piece = name;
        } else if ((mode != MN__ESC_BYTES && is_control(cp)) ||
                   (mode == MN__ESC_ERROR && is_invisible(cp))) {
            plen = (size_t)snprintf(name, sizeof name, "<U+%04lX>", (unsigned long)cp);
            piece = name;
        }
        if (!full && written + plen < cap) {
            memcpy(dst + written, piece, plen);
            written += plen;
        } else
            full = 1;
        need += plen;
        i += used;
    }
    if (cap)
        dst[written] = '\0';
    return need;
}

const char *mn__name_shown(char *dst, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t len = strlen(name), cut = 0;
    if (len <= MN__NAME_SHOWN_MAX) {
        memcpy(dst, name, len + 1);
        return dst;
    }
    /* Whole characters up to the limit (a byte that is not UTF-8 counts as one). */
    for (;;) {
        size_t used = 1;
        decode(s + cut, len - cut, &used);
        if (cut + used > MN__NAME_SHOWN_MAX)
            break;
        cut += used;
    }
    memcpy(dst, name, cut);
    memcpy(dst + cut, "...", sizeof "...");
    return dst;
}

int mn__write_json_safe(mn_writer write, void *userdata, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = 0;
    for (size_t i = 0; i < len;) {
        size_t used = 1;
        long cp = s[i] < 0x7F ? s[i] : decode(s + i, len - i, &used);
        if (cp < 0x7F || !is_control(cp)) { /* invalid bytes (never from the encoder) pass */
            i += used;
            continue;
        }
        char u[24];
        snprintf(u, sizeof u, "\\u%04lX", (unsigned long)cp);
        if ((i > start && write(userdata, text + start, i - start) != 0) ||
            write(userdata, u, 6) != 0)
            return -1;
        i += used;
        start = i;
    }
    return len > start ? write(userdata, text + start, len - start) : 0;
}

size_t mn_escape_message(char *dst, size_t cap, const char *src)
{
    if (!src)
        src = "";
    return mn__escape(cap ? dst : NULL, dst ? cap : 0, src, strlen(src), MN__ESC_ERROR);
}
