/*
 * mneedle server: the web workstation of `mneedle serve` (docs/serve.md). Pages rendered on
 * the server over the clinic record (store.h), the same loaders and writers as the command
 * line, and a JSON API under /api/v1/ with the command line's JSON shapes.
 *
 * Two parts. The request handler (mn_server_handle) takes one request as a struct and gives
 * one response back, without sockets: routing, sessions, CSRF, roles, forms and pages, so
 * tests and the fuzzer call it directly. The daemon (mn_serve_start) puts it behind GNU
 * libmicrohttpd: a thread pool, connection and request-size limits, timeouts, TLS.
 *
 * Thread safety: mn_server_handle may be called from several threads at once; it takes a
 * database handle and context of its own pool for each request (store.h: one handle per
 * thread).
 */
#ifndef MNEEDLE_SERVER_H
#define MNEEDLE_SERVER_H

#include <stddef.h>

#include "mneedle/core.h"
#include "mneedle/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#pragma GCC visibility push(default)

typedef struct mn_server mn_server;

/** How the handler behaves; mn_server_config_init() gives the defaults of docs/serve.md. */
typedef struct {
    const char *db_path;         /* the clinic record (must exist, current schema) */
    const char *data_dir;        /* catalogues from DIR, or NULL for the built-in ones */
    int tls;                     /* 1 when served over TLS: cookies get Secure and __Host- */
    int workers;                 /* database handles in the pool (the daemon's threads); 1 to 64 */
    int idle_timeout_s;          /* a session ends after this long unused (default 30 min) */
    int absolute_timeout_s;      /* and this long after sign-in in any case (default 8 h) */
    int max_sessions;            /* signed-in sessions kept at once (default 1024) */
    int login_max_failures;      /* failed sign-ins for one user name before it is locked (5) */
    int login_window_s;          /* ...within this window, which is also the lock (15 min) */
    int login_address_failures;  /* failed sign-ins from one address in the window (10)... */
    int login_address_spacing_s; /* ...after which its tries are this far apart (30 s) */
    /* Names the daemon answers to besides its own address (and loopback's names when it
     * listens there): host names or IP addresses, as mn_server_host_name_ok() takes them;
     * copied by mn_server_create. At most MN_SERVER_MAX_HOSTS. */
    const char *const *allow_hosts;
    int n_allow_hosts;
    /* Where the server writes a line about a request it refused before any page (a Host not
     * its own): one line without its end, naming no path, no client and no health data.
     * NULL: nowhere. Called from the request's thread. */
    void (*log)(void *userdata, const char *line);
    void *log_userdata;
} mn_server_config;

/** Most names mn_server_config.allow_hosts may hold. */
#define MN_SERVER_MAX_HOSTS 16

/** 1 when @p name may be one of mn_server_config.allow_hosts: a host name (letters, digits and
 *  '-' in dot-separated labels of 1 to 63, 253 at most in all), an IPv4 address, or an IPv6
 *  address with or without its brackets; no port. */
int mn_server_host_name_ok(const char *name);

/** 1 when @p addr is an address of this computer only: 127.0.0.0/8, ::1, or an IPv4-mapped
 *  127.x (a name such as "localhost" is no address). */
int mn_server_address_is_loopback(const char *addr);

/** 1 when @p addr stands for every address of this computer (0.0.0.0, ::). */
int mn_server_address_is_any(const char *addr);

/** Fills @p cfg with the defaults (db_path NULL). */
void mn_server_config_init(mn_server_config *cfg);

/**
 * Creates a handler over the database @p cfg->db_path: opens @p cfg->workers store handles
 * and contexts (catalogues loaded once each).
 * @return MN_OK; MN_EINVAL (bad configuration, or no such database: the message names it);
 *         MN_EUNSUPPORTED (a database of an older schema: run mneedle db migrate); MN_ENOMEM;
 *         MN_EIO. The message goes to @p ctx.
 */
mn_status mn_server_create(mn_ctx *ctx, const mn_server_config *cfg, mn_server **out);

/** Frees a handler (NULL-safe). No request may be running. */
void mn_server_free(mn_server *srv);

/** A header of a request or a response. */
typedef struct {
    const char *name;
    const char *value;
} mn_http_header;

/** One request, as the daemon (or a test) hands it over. Strings need not outlive the call. */
typedef struct {
    const char *method; /* "GET", "POST", "HEAD", ... */
    const char *path;   /* the path without the query, percent-encoded as received */
    const char *query;  /* what follows '?', or NULL */
    const mn_http_header *headers;
    int n_headers;
    const char *body; /* the request body (forms: application/x-www-form-urlencoded) */
    size_t body_len;
    const char *peer; /* the client's address, for the sign-in limit ("" or NULL: unknown) */
    long long now;    /* seconds since 1970 (tests set the clock); 0: the real clock */
} mn_http_request;

/** Most headers a response carries. */
#define MN_HTTP_MAX_HEADERS 16

/** One response; release with mn_http_response_release(). */
typedef struct {
    int status; /* 200, 303, 400, 403, 404, 405, 413, 421, 429, 500, ... */
    struct {
        char name[40];
        char value[640];
    } headers[MN_HTTP_MAX_HEADERS];
    int n_headers;
    char *body; /* owned */
    size_t body_len;
} mn_http_response;

/**
 * Handles one request: always fills @p resp (a failure inside is a 500 page that says what
 * went wrong without personal data), with the security headers of docs/serve.md on every
 * response. Once mn_serve_start() has put the server on an address, a request whose Host is
 * not one the server answers to (its address and port, loopback's names when it listens
 * there, mn_server_config.allow_hosts) is refused first with 421, one without Host with 400;
 * called without the daemon, the handler answers whatever the Host.
 * @return MN_OK; MN_EINVAL for NULL arguments; MN_ENOMEM when no response could be made.
 */
mn_status mn_server_handle(mn_server *srv, const mn_http_request *req, mn_http_response *resp);

/** The value of a response header (first match, case-insensitive name), or NULL. */
const char *mn_http_response_header(const mn_http_response *resp, const char *name);

/** Frees the body of a response (NULL-safe) and clears it. */
void mn_http_response_release(mn_http_response *resp);

/** A request parsed from raw HTTP/1.1 bytes (mn_http_parse): the request and the storage
 *  its strings point into. */
typedef struct mn_http_parsed mn_http_parsed;

/**
 * Parses raw HTTP/1.x request bytes: the request line, header lines (CRLF or LF), then the
 * body (Content-Length bytes, or what follows). For the fuzzer and tests; the daemon does
 * its own parsing through libmicrohttpd.
 * @param out  receives the parse; read its request with mn_http_parsed_request(), free with
 *             mn_http_parsed_free().
 * @return MN_OK; MN_EPARSE (not a request line, a header without ':', a length that does not
 *         match); MN_ELIMIT (more than 64 headers); MN_ENOMEM.
 */
mn_status mn_http_parse(mn_ctx *ctx, const char *raw, size_t len, mn_http_parsed **out);
const mn_http_request *mn_http_parsed_request(const mn_http_parsed *p);
void mn_http_parsed_free(mn_http_parsed *p);

/* ---- the daemon (GNU libmicrohttpd) ---- */

typedef struct mn_serve_daemon mn_serve_daemon;

/** Where and how to listen; mn_serve_options_init() gives the defaults of docs/serve.md. */
typedef struct {
    const char *bind;               /* an IPv4 or IPv6 address (default "127.0.0.1") */
    int port;                       /* 0: a free port, reported by mn_serve_start */
    const char *tls_cert, *tls_key; /* PEM files; both or neither */
    int threads;                    /* the thread pool (default 32) */
    int max_connections;            /* at once (default 256) */
    int per_ip_connections;         /* at once from one address (default 64) */
    int timeout_s;                  /* an idle connection is closed after this (default 30 s) */
    size_t max_body_bytes;          /* a larger request body is refused with 413 (default 1 MiB) */
} mn_serve_options;

void mn_serve_options_init(mn_serve_options *opts);

/**
 * Starts serving @p srv (which must outlive the daemon) in background threads, and from then
 * on @p srv answers only requests whose Host is its own (mn_server_handle()); refused until
 * the port is known.
 * @param port_out  receives the port listened on (the chosen one for port 0); may be NULL.
 * @return MN_OK; MN_EINVAL (a bad address, or a certificate without its key: the message says
 *         which); MN_EIO (the port is taken, or a file cannot be read); MN_EUNSUPPORTED (TLS
 *         asked for and libmicrohttpd built without it).
 */
mn_status mn_serve_start(mn_ctx *ctx, mn_server *srv, const mn_serve_options *opts,
                         mn_serve_daemon **out, int *port_out);

/** Stops accepting, finishes the requests in flight and frees the daemon (NULL-safe). */
void mn_serve_stop(mn_serve_daemon *d);

/**
 * Makes a demonstration database at @p path (which must not exist): the bundled example
 * clients (examples/clients, embedded at build time) with a saved plan each where the planner
 * treats them, and one admin user "admin" with a fresh random password, written to
 * @p password (at least 33 bytes) to be shown once.
 * @return MN_OK; errors of mn_store_open() and the loaders.
 */
mn_status mn_server_demo_create(mn_ctx *ctx, const char *path, char *password, size_t size);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
