/*
 * HTTP pieces of the handler: raw request parsing (for the fuzzer and tests), forms and query
 * strings, headers and cookies, escaping by context, and responses.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/html_internal.h"
#include "server/server_internal.h"

int mn__hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* As mn__url_decode(), with the decoded length (NUL bytes included) in *out_len. */
static char *url_decode_len(const char *s, size_t len, int plus, size_t *out_len)
{
    char *out = mn__malloc(len + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = mn__hex_digit(s[i + 1])) >= 0 &&
            (lo = mn__hex_digit(s[i + 2])) >= 0) {
            out[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (plus && s[i] == '+') {
            out[k++] = ' ';
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    *out_len = k;
    return out;
}

char *mn__url_decode(const char *s, size_t len, int plus)
{
    size_t n;
    return url_decode_len(s, len, plus, &n);
}

void mn__form_release(mn__form *f)
{
    for (int i = 0; i < f->n; i++) {
        mn__free(f->names[i]);
        mn__free(f->values[i]);
    }
    mn__free(f->names);
    mn__free(f->values);
    mn__free(f->value_lens);
    memset(f, 0, sizeof *f);
}

mn_status mn__form_parse(const char *text, size_t len, mn__form *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !len)
        return MN_OK;
    int fields = 1;
    for (size_t i = 0; i < len; i++)
        fields += text[i] == '&';
    if (fields > MN__FORM_MAX_FIELDS)
        return MN_ELIMIT;
    out->names = mn__calloc((size_t)fields, sizeof *out->names);
    out->values = mn__calloc((size_t)fields, sizeof *out->values);
    out->value_lens = mn__calloc((size_t)fields, sizeof *out->value_lens);
    if (!out->names || !out->values || !out->value_lens) {
        mn__form_release(out);
        return MN_ENOMEM;
    }
    size_t start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && text[end] != '&')
            end++;
        if (end > start) {
            const char *eq = memchr(text + start, '=', end - start);
            size_t nlen = eq ? (size_t)(eq - (text + start)) : end - start;
            const char *v = eq ? eq + 1 : text + end;
            size_t vlen = eq ? (size_t)(text + end - v) : 0;
            char *name = mn__url_decode(text + start, nlen, 1);
            size_t value_len = 0;
            char *value = url_decode_len(v, vlen, 1, &value_len);
            if (!name || !value) {
                mn__free(name);
                mn__free(value);
                mn__form_release(out);
                return MN_ENOMEM;
            }
            out->names[out->n] = name;
            out->values[out->n] = value;
            out->value_lens[out->n] = value_len;
            out->n++;
        }
        start = end + 1;
    }
    return MN_OK;
}

const char *mn__form_get(const mn__form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return f->values[i];
    return NULL;
}

const char *mn__form_bad_text(const mn__form *f, const char **why)
{
    for (int i = 0; i < f->n; i++) {
        const char *problem = strlen(f->values[i]) != f->value_lens[i] ? "holds a NUL byte"
                              : !mn__utf8_valid(f->values[i], f->value_lens[i])
                                  ? "is not UTF-8 text"
                                  : NULL;
        if (problem) {
            *why = problem;
            return f->names[i];
        }
    }
    return NULL;
}

const char *mn__form_str(const mn__form *f, const char *name)
{
    const char *v = mn__form_get(f, name);
    return v ? v : "";
}

const char *mn__form_nth(const mn__form *f, const char *prefix, int k, const char *suffix)
{
    char name[64];
    snprintf(name, sizeof name, "%s%d%s", prefix, k, suffix);
    return mn__form_str(f, name);
}

const char *mn__req_header(const mn_http_request *req, const char *name)
{
    for (int i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && !strcasecmp(req->headers[i].name, name))
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

int mn__req_cookie(const mn_http_request *req, const char *name, char *out, size_t size)
{
    const char *h = mn__req_header(req, "Cookie");
    size_t nlen = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nlen && !strncmp(h, name, nlen) && h[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= size)
                return 0;
            memcpy(out, h + nlen + 1, vlen);
            out[vlen] = '\0';
            return 1;
        }
        h = end;
    }
    return 0;
}

void mn__srv_esc(mn__buf *b, const char *s)
{
    mn__html_esc(b, s ? s : "");
}

void mn__srv_esc_pre(mn__buf *b, const char *s)
{
    /* Line by line: the line breaks of a report shown in a <pre> stay line breaks, and
     * each line is escaped as any other text (controls within a line still named). */
    for (const char *p = s ? s : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = mn__malloc(len + 1);
        if (!line) {
            b->failed = 1;
            return;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        mn__html_esc(b, line);
        mn__free(line);
        if (!nl)
            break;
        mn__buf_append(b, "\n", 1);
        p = nl + 1;
    }
}

void mn__srv_url(mn__buf *b, const char *s)
{
    mn__srv_url_len(b, s, s ? strlen(s) : 0);
}

void mn__srv_url_len(mn__buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const char *end = s ? s + len : s; s && s < end; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            mn__buf_append(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            mn__buf_append(b, e, 3);
        }
    }
}

void mn__srv_json_str(mn__buf *b, const char *s)
{
    mn__buf_append(b, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            mn__buf_append(b, e, 2);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
            mn__buf_printf(b, "\\u%04x", c);
        } else {
            mn__buf_append(b, s, 1);
        }
    }
    mn__buf_append(b, "\"", 1);
}

void mn__resp_header(mn_http_response *r, const char *name, const char *value)
{
    if (r->n_headers >= MN_HTTP_MAX_HEADERS)
        return;
    snprintf(r->headers[r->n_headers].name, sizeof r->headers[0].name, "%s", name);
    snprintf(r->headers[r->n_headers].value, sizeof r->headers[0].value, "%s", value);
    r->n_headers++;
}

void mn__resp_body(mn_http_response *r, mn__buf *b, const char *content_type)
{
    mn__free(r->body);
    r->body = b->data;
    r->body_len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    for (int i = 0; i < r->n_headers; i++)
        if (!strcasecmp(r->headers[i].name, "Content-Type")) {
            snprintf(r->headers[i].value, sizeof r->headers[i].value, "%s", content_type);
            return;
        }
    mn__resp_header(r, "Content-Type", content_type);
}

char *mn__srv_dump(const json_t *v)
{
    size_t need = json_dumpb(v, NULL, 0, JSON_COMPACT);
    char *s = need ? mn__malloc(need + 1) : NULL;
    if (s) {
        json_dumpb(v, s, need, JSON_COMPACT);
        s[need] = '\0';
    }
    return s;
}

int mn__buf_writer(void *userdata, const char *buf, size_t len)
{
    mn__buf *b = userdata;
    mn__buf_append(b, buf, len);
    return b->failed;
}

const char *mn_http_response_header(const mn_http_response *resp, const char *name)
{
    for (int i = 0; resp && name && i < resp->n_headers; i++)
        if (!strcasecmp(resp->headers[i].name, name))
            return resp->headers[i].value;
    return NULL;
}

void mn_http_response_release(mn_http_response *resp)
{
    if (!resp)
        return;
    mn__free(resp->body);
    memset(resp, 0, sizeof *resp);
}

/* ---- raw requests ---- */

#define MAX_RAW_HEADERS 64

struct mn_http_parsed {
    mn_http_request req;
    mn_http_header headers[MAX_RAW_HEADERS];
    char *text; /* a copy of the head, cut into the strings above */
    char *body;
};

const mn_http_request *mn_http_parsed_request(const mn_http_parsed *p)
{
    return p ? &p->req : NULL;
}

void mn_http_parsed_free(mn_http_parsed *p)
{
    if (!p)
        return;
    mn__free(p->text);
    mn__free(p->body);
    mn__free(p);
}

/* Cuts the next line (ending in LF, an optional CR before it removed) off *pos; NULL at the
 * end of the head. */
static char *next_line(char **pos)
{
    char *s = *pos;
    if (!s)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        *pos = nl + 1;
    } else {
        *pos = NULL;
    }
    size_t n = strlen(s);
    if (n && s[n - 1] == '\r')
        s[n - 1] = '\0';
    return s;
}

mn_status mn_http_parse(mn_ctx *ctx, const char *raw, size_t len, mn_http_parsed **out)
{
    if (!raw || !out)
        return mn__error(ctx, MN_EINVAL, "http: no request");
    *out = NULL;
    /* The head ends at the first empty line. */
    size_t head = len, body_at = len;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] != '\n')
            continue;
        if (i + 1 < len && raw[i + 1] == '\n') {
            head = i;
            body_at = i + 2;
            break;
        }
        if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
            head = i;
            body_at = i + 3;
            break;
        }
    }
    if (memchr(raw, '\0', head))
        return mn__error(ctx, MN_EPARSE, "http: a NUL byte in the request head");
    mn_http_parsed *p = mn__calloc(1, sizeof *p);
    if (!p || !(p->text = mn__malloc(head + 1))) {
        mn__free(p);
        return mn__error(ctx, MN_ENOMEM, "http: out of memory");
    }
    memcpy(p->text, raw, head);
    p->text[head] = '\0';
    mn_status st = MN_OK;
    char *pos = p->text, *line = next_line(&pos);
    char *sp1 = line ? strchr(line, ' ') : NULL, *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) || sp1 == line) {
        st = mn__error(ctx, MN_EPARSE, "http: not a request line");
        goto fail;
    }
    *sp1 = *sp2 = '\0';
    p->req.method = line;
    p->req.path = sp1 + 1;
    char *q = strchr(sp1 + 1, '?');
    if (q) {
        *q = '\0';
        p->req.query = q + 1;
    }
    long long content_length = -1;
    while ((line = next_line(&pos)) != NULL) {
        char *colon = strchr(line, ':');
        if (!colon || colon == line) {
            st = mn__error(ctx, MN_EPARSE, "http: a header line without a name and ':'");
            goto fail;
        }
        if (p->req.n_headers == MAX_RAW_HEADERS) {
            st = mn__error(ctx, MN_ELIMIT, "http: more than %d headers", MAX_RAW_HEADERS);
            goto fail;
        }
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        p->headers[p->req.n_headers++] = (mn_http_header){line, v};
        if (!strcasecmp(line, "Content-Length")) {
            char *end;
            content_length = strtoll(v, &end, 10);
            if (end == v || *end || content_length < 0) {
                st = mn__error(ctx, MN_EPARSE, "http: a Content-Length that is not a number");
                goto fail;
            }
        }
    }
    p->req.headers = p->headers;
    size_t body_len = body_at < len ? len - body_at : 0;
    if (content_length >= 0) {
        if ((unsigned long long)content_length != body_len) {
            st = mn__error(ctx, MN_EPARSE, "http: Content-Length %lld, but %zu bytes follow",
                           content_length, body_len);
            goto fail;
        }
    }
    if (!(p->body = mn__malloc(body_len + 1))) {
        st = mn__error(ctx, MN_ENOMEM, "http: out of memory");
        goto fail;
    }
    if (body_len)
        memcpy(p->body, raw + body_at, body_len);
    p->body[body_len] = '\0';
    p->req.body = p->body;
    p->req.body_len = body_len;
    p->req.peer = "fuzz";
    *out = p;
    return MN_OK;
fail:
    mn_http_parsed_free(p);
    return st;
}
