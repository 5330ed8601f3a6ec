/*
 * The daemon: GNU libmicrohttpd (LGPL-2.1+, linked dynamically) in front of the handler.
 * A pool of threads polling with epoll where the system has it, a cap on connections in
 * total and per address, an idle timeout, a cap on the request body (413 beyond it), and TLS
 * through libmicrohttpd's GnuTLS when a certificate and key are given. Each request's headers,
 * query and body are collected into an mn_http_request and handed to mn_server_handle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/server_internal.h"

struct mn_serve_daemon {
    struct MHD_Daemon *mhd;
    mn_server *srv;
    size_t max_body;
    char *cert, *key;
};

/* What one request gathers between libmicrohttpd's calls: its path as the client sent it
 * (raw_path), then its body. */
typedef struct {
    char *path; /* percent-encoded, without the query */
    int started;
    mn__buf body;
    int too_large;
} upload;

/* Most headers and query arguments a request may bring; the rest are ignored. */
enum { MAX_HEADERS = 64 };

typedef struct {
    mn_http_header h[MAX_HEADERS];
    int n;
} header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    header_list *l = cls;
    if (l->n < MAX_HEADERS)
        l->h[l->n++] = (mn_http_header){key, value ? value : ""};
    return MHD_YES;
}

/* The two bytes a %00 is decoded to: an overlong NUL, which is never UTF-8 text. */
static const char NUL_MARK[] = "\xC0\x80";

/* libmicrohttpd decodes the path and the query's names and values in place before the
 * handler sees them. The handler takes the path as sent (raw_path) and decodes it once
 * itself, so this decoding reaches the query's names and values only, and a NUL byte decoded
 * into one would end it there. Every %HH is decoded as libmicrohttpd would (a % without two
 * hex digits after it stays as it is), except %00, which becomes NUL_MARK, which collect_arg
 * turns back into the NUL that the handler's field checks refuse by name. (In the path it
 * left libmicrohttpd's copy unusable as well: no route and no id takes those bytes.) Three
 * bytes become at most two, as libmicrohttpd requires. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? mn__hex_digit(r[1]) : -1;
        int lo = hi >= 0 ? mn__hex_digit(r[2]) : -1;
        if (lo < 0) {
            *w++ = *r++;
            continue;
        }
        if (hi == 0 && lo == 0) {
            memcpy(w, NUL_MARK, 2);
            w += 2;
        } else {
            *w++ = (char)(hi * 16 + lo);
        }
        r += 3;
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Appends s (len bytes) to q encoded, with each NUL_MARK the unescaper left turned back into
 * the NUL byte it stood for. */
static void append_arg(mn__buf *q, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (memcmp(s + i, NUL_MARK, 2))
            continue;
        mn__srv_url_len(q, s + from, i - from);
        mn__srv_url_len(q, "", 1);
        from = ++i + 1;
    }
    mn__srv_url_len(q, s + from, len - from);
}

/* Query arguments come decoded from libmicrohttpd; the handler reads a query string, so they
 * are encoded again, each whole by its length: a NUL byte (%00) stays in the value, for the
 * handler to refuse it as it refuses one in a form, instead of ending the value there. */
static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    mn__buf *q = cls;
    if (q->len)
        mn__buf_append(q, "&", 1);
    append_arg(q, key, key_size);
    mn__buf_append(q, "=", 1);
    append_arg(q, value ? value : "", value ? value_size : 0);
    return MHD_YES;
}

/* The request's URI as the client sent it, before libmicrohttpd decodes it: the path (up to
 * the query) is kept for the handler, which decodes it once (mn_http_request.path). The path
 * libmicrohttpd hands on_request is decoded already, and decoding it again would make
 * "%2573tyle.css" "style.css" and "%252e%252e" "..". Returns the request's upload (NULL when
 * out of memory: on_request then drops the connection). */
static void *raw_path(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    upload *u = mn__calloc(1, sizeof *u);
    if (!u)
        return NULL;
    mn__buf_init(&u->body);
    size_t len = uri ? strcspn(uri, "?#") : 0;
    u->path = mn__malloc(len + 1);
    if (!u->path) {
        mn__free(u);
        return NULL;
    }
    memcpy(u->path, uri ? uri : "", len);
    u->path[len] = '\0';
    return u;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    upload *u = *con_cls;
    if (u) {
        mn__buf_release(&u->body);
        mn__free(u->path);
        mn__free(u);
        *con_cls = NULL;
    }
}

static enum MHD_Result send_plain(struct MHD_Connection *conn, unsigned status, const char *text)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    mn_serve_daemon *d = cls;
    (void)url; /* decoded already: the handler takes the path as sent (raw_path) */
    upload *u = *con_cls;
    if (!u)
        return MHD_NO; /* raw_path ran out of memory */
    if (!u->started) {
        u->started = 1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (u->body.len + *upload_data_size > d->max_body)
            u->too_large = 1;
        else
            mn__buf_append(&u->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (u->too_large)
        return send_plain(conn, 413, "The request is larger than this server accepts.\n");
    if (mn__buf_status(&u->body))
        return send_plain(conn, 500, "Out of memory.\n");

    header_list hl = {.n = 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hl);
    mn__buf query;
    mn__buf_init(&query);
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &query);
    char peer[INET6_ADDRSTRLEN] = "";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                      sizeof peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer,
                      sizeof peer);
    }
    mn_http_request req = {
        .method = method,
        .path = u->path,
        .query = query.len ? query.data : NULL,
        .headers = hl.h,
        .n_headers = hl.n,
        .body = u->body.data ? u->body.data : "",
        .body_len = u->body.len,
        .peer = peer,
    };
    mn_http_response resp;
    mn_status st = mn_server_handle(d->srv, &req, &resp);
    mn__buf_release(&query);
    if (st)
        return send_plain(conn, 500, "Out of memory.\n");
    struct MHD_Response *r = MHD_create_response_from_buffer(
        resp.body_len, resp.body ? resp.body : (char *)"", MHD_RESPMEM_MUST_COPY);
    if (!r) {
        mn_http_response_release(&resp);
        return MHD_NO;
    }
    for (int i = 0; i < resp.n_headers; i++)
        MHD_add_response_header(r, resp.headers[i].name, resp.headers[i].value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    mn_http_response_release(&resp);
    return ret;
}

void mn_serve_options_init(mn_serve_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->bind = "127.0.0.1";
    opts->port = 8080;
    /* A request holds its thread while it waits for its audit entry's commit (audit.c), and
     * a thread's other connections wait with it; one thread per connection of a busy
     * workstation (32 at once: the load the issue's bench puts on it) lets the waiting
     * requests share one commit instead of queuing. About 0.5 MiB each (a database handle
     * and a context). */
    opts->threads = 32;
    opts->max_connections = 256;
    opts->per_ip_connections = 64;
    opts->timeout_s = 30;
    opts->max_body_bytes = 1u << 20; /* a client record or a form is a few kB */
}

/* Reads a PEM file whole. */
static mn_status read_pem(mn_ctx *ctx, const char *path, char **out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return mn__error(ctx, MN_EIO, "%s: cannot open: %s", path, strerror(errno));
    mn__buf b;
    mn__buf_init(&b);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0 && b.len < (1u << 20))
        mn__buf_append(&b, chunk, got);
    int err = ferror(fp);
    fclose(fp);
    mn__buf_append(&b, "", 1);
    if (err || mn__buf_status(&b) || b.len < 2) {
        mn__buf_release(&b);
        return mn__error(ctx, MN_EIO, "%s: cannot read", path);
    }
    *out = b.data;
    return MN_OK;
}

mn_status mn_serve_start(mn_ctx *ctx, mn_server *srv, const mn_serve_options *opts,
                         mn_serve_daemon **out, int *port_out)
{
    if (!srv || !opts || !out)
        return mn__error(ctx, MN_EINVAL, "serve: nothing to serve");
    *out = NULL;
    if (!opts->tls_cert != !opts->tls_key)
        return mn__error(ctx, MN_EINVAL, "serve: --tls-cert and --tls-key go together");
    if (opts->port < 0 || opts->port > 65535 || opts->threads < 1 || opts->threads > 64 ||
        opts->max_connections < 1 || opts->per_ip_connections < 1 || opts->timeout_s < 1)
        return mn__error(ctx, MN_EINVAL, "serve: a setting out of range");
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    const char *bind = opts->bind ? opts->bind : "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)opts->port);
    } else if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)opts->port);
        flags |= MHD_USE_IPv6;
    } else {
        return mn__error(ctx, MN_EINVAL, "serve: --bind: \"%.64s\" is not an IPv4 or IPv6 address",
                         bind);
    }
    /* From here on the handler answers only its own Host values; none until the port is
     * known (port 0 picks it below). */
    if (mn__server_listen_on(srv, bind, 0))
        return mn__error(ctx, MN_ENOMEM, "serve: out of memory");
    mn_serve_daemon *d = mn__calloc(1, sizeof *d);
    if (!d)
        return mn__error(ctx, MN_ENOMEM, "serve: out of memory");
    d->srv = srv;
    d->max_body = opts->max_body_bytes;
    mn_status st = MN_OK;
    if (opts->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            mn__free(d);
            return mn__error(ctx, MN_EUNSUPPORTED, "serve: this libmicrohttpd has no TLS");
        }
        if ((st = read_pem(ctx, opts->tls_cert, &d->cert)) ||
            (st = read_pem(ctx, opts->tls_key, &d->key))) {
            mn_serve_stop(d);
            return st;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {d->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, d->cert},
        {d->key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, d->key},
        {MHD_OPTION_END, 0, NULL},
    };
    d->mhd = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opts->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)opts->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)opts->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opts->timeout_s,
        /* headers and the request line of one request (libmicrohttpd's default is 32 kB) */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_NOTIFY_COMPLETED, completed,
        NULL, MHD_OPTION_URI_LOG_CALLBACK, raw_path, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
        NULL, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!d->mhd) {
        int err = errno;
        mn_serve_stop(d);
        return mn__error(ctx, MN_EIO, "serve: cannot listen on %s port %d%s%s%s", bind, opts->port,
                         err ? " (" : "", err ? strerror(err) : "", err ? ")" : "");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
    int port = info ? info->port : opts->port;
    if (mn__server_listen_on(srv, bind, port)) {
        mn_serve_stop(d);
        return mn__error(ctx, MN_ENOMEM, "serve: out of memory");
    }
    if (port_out)
        *port_out = port;
    *out = d;
    return MN_OK;
}

void mn_serve_stop(mn_serve_daemon *d)
{
    if (!d)
        return;
    if (d->mhd)
        MHD_stop_daemon(d->mhd);
    if (d->key)
        memset(d->key, 0, strlen(d->key));
    mn__free(d->cert);
    mn__free(d->key);
    mn__free(d);
}
