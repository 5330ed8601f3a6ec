/*
 * The request handler: one request in, one response out, no sockets. In order: the clock and
 * the session (from the cookie), the route, for a state-changing request the Origin /
 * Sec-Fetch-Site check, sign-in and role, then the CSRF synchronizer token; a database
 * handle from the pool with the signed-in user as the audit's actor; the page or API call;
 * the security headers on whatever came out (docs/serve.md, "Security").
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/server_internal.h"

void mn_server_config_init(mn_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->workers = 4;
    /* Sessions. OWASP's session management cheat sheet ("Session Expiration"): idle timeouts
     * of 2-5 minutes for high-value applications and 15-30 minutes for low-risk ones, and an
     * absolute timeout of 4 to 8 hours for an application used through an office day. The
     * absolute limit is the top of that range. The idle limit, 30 min, is a judgement above
     * OWASP's high-value range: a charting form opened before a treatment is sent after it,
     * and a session ended meanwhile loses what was typed; NIST SP 800-63B-4 (sec. 2.2.3,
     * AAL2): an inactivity timeout of no more than 1 h. --idle-minutes sets a shorter one. */
    cfg->idle_timeout_s = 30 * 60;
    cfg->absolute_timeout_s = 8 * 3600;
    cfg->max_sessions = 1024;
    /* The sign-in limit. OWASP's authentication cheat sheet ("Account Lockout"): the count of
     * failed sign-ins belongs to the account, not to the source address, and a lock-out is
     * set by a threshold, an observation window and a duration, which it leaves to the
     * application. Judgements: a name is locked after 5 failures in 15 minutes, until the 15
     * minutes have passed (so at most 5 guesses per name every 15 minutes, from any number of
     * addresses). An address is never locked (every browser of this computer comes from
     * 127.0.0.1): after 10 failures over every name in the window (two users' 5 each), its
     * tries are 30 s apart, at most 10 + 900 / 30 = 40 per 15 minutes. */
    cfg->login_max_failures = 5;
    cfg->login_window_s = 15 * 60;
    cfg->login_address_failures = 10;
    cfg->login_address_spacing_s = 30;
}

/* ---- the names the server answers to ---- */

int mn_server_address_is_loopback(const char *addr)
{
    unsigned char a[16];
    if (!addr)
        return 0;
    if (inet_pton(AF_INET, addr, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, addr, a) != 1)
        return 0;
    static const unsigned char one[16] = {[15] = 1};
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    return !memcmp(a, one, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
}

int mn_server_address_is_any(const char *addr)
{
    unsigned char a[16];
    if (!addr)
        return 0;
    static const unsigned char zero[16] = {0};
    if (inet_pton(AF_INET, addr, a) == 1)
        return !memcmp(a, zero, 4);
    return inet_pton(AF_INET6, addr, a) == 1 && !memcmp(a, zero, 16);
}

/* 1 when @p s (@p len bytes, not NUL-terminated) is an IPv6 address, read into @p a. */
static int ipv6_parse(const char *s, size_t len, unsigned char a[16])
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return inet_pton(AF_INET6, buf, a) == 1;
}

/* 1 when @p s (@p len bytes) is an IPv6 address. */
static int ipv6_literal(const char *s, size_t len)
{
    unsigned char a[16];
    return ipv6_parse(s, len, a);
}

int mn_server_host_name_ok(const char *name)
{
    if (!name || !name[0])
        return 0;
    size_t len = strlen(name);
    if (name[0] == '[')
        return len > 2 && name[len - 1] == ']' && ipv6_literal(name + 1, len - 2);
    if (ipv6_literal(name, len))
        return 1;
    if (len > 253)
        return 0;
    /* Dot-separated labels of letters, digits and '-', neither first nor last in a label (an
     * IPv4 address is such a name too). */
    for (const char *p = name;;) {
        size_t n = 0;
        while (isalnum((unsigned char)p[n]) || p[n] == '-')
            n++;
        if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-' || (p[n] && p[n] != '.'))
            return 0;
        if (!p[n])
            return 1;
        p += n + 1;
    }
}

/* @p name (mn_server_host_name_ok) as a Host names it: lower case, an IPv6 address in
 * brackets. */
static void host_copy(char *out, size_t size, const char *name)
{
    int bare6 = name[0] != '[' && strchr(name, ':');
    snprintf(out, size, "%s%s%s", bare6 ? "[" : "", name, bare6 ? "]" : "");
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

/* The name of a Host value (@p len bytes of @p name, the port left off) in the one form the
 * list keeps, into @p out: a name in lower case as given; an IPv6 address as inet_ntop writes
 * it, in brackets ([0:0:0:0:0:0:0:1] is [::1]), or in the dotted form when it is an IPv4
 * address mapped into IPv6 ([::ffff:127.0.0.1] and [::ffff:7f00:1] are 127.0.0.1: the same
 * address, reached the same way). A zone (RFC 6874's form in a URI: "%25" and the zone) is
 * left off once it is seen to be a zone's name (letters, digits, '-', '.', '_', '~'): the
 * address decides, and a zone on an address not ours names no name of ours. An
 * address is never a name a page of another site can make resolve elsewhere (DNS rebinding
 * needs a name), so its forms are the address's. Returns 0 when the value is no such name. */
static int host_canon(const char *name, size_t len, char *out, size_t size)
{
    if (len == 0 || len >= size)
        return 0;
    if (name[0] != '[') {
        for (size_t i = 0; i < len; i++)
            out[i] = (char)tolower((unsigned char)name[i]);
        out[len] = '\0';
        return 1;
    }
    if (len < 3 || name[len - 1] != ']')
        return 0;
    const char *in = name + 1;
    size_t in_len = len - 2;
    const char *pct = memchr(in, '%', in_len);
    if (pct) {
        size_t zone = in_len - (size_t)(pct - in) - 3;
        if (in_len < (size_t)(pct - in) + 4 || strncmp(pct, "%25", 3) || zone > 64)
            return 0;
        for (const char *z = pct + 3; z < in + in_len; z++)
            if (!isalnum((unsigned char)*z) && !strchr("-._~", *z))
                return 0;
        in_len = (size_t)(pct - in);
    }
    unsigned char a[16];
    if (!ipv6_parse(in, in_len, a))
        return 0;
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    char text[INET6_ADDRSTRLEN];
    if (!memcmp(a, mapped, 12)) {
        if (!inet_ntop(AF_INET, a + 12, text, sizeof text))
            return 0;
        return snprintf(out, size, "%s", text) < (int)size;
    }
    if (!inet_ntop(AF_INET6, a, text, sizeof text))
        return 0;
    return snprintf(out, size, "[%s]", text) < (int)size;
}

/* Adds @p name (as host_copy writes it) to @p h in host_canon's form. */
static void hosts_add(mn__hosts *h, const char *name)
{
    char *out = h->names[h->n++];
    if (!host_canon(name, strlen(name), out, sizeof h->names[0]))
        snprintf(out, sizeof h->names[0], "%s", name);
}

mn_status mn__server_listen_on(mn_server *srv, const char *bind, int port)
{
    mn__hosts *h = mn__calloc(1, sizeof *h);
    if (!h)
        return MN_ENOMEM;
    if (port > 0 && port <= 65535) {
        snprintf(h->port, sizeof h->port, "%d", port);
        h->bare_ok = port == (srv->cfg.tls ? 443 : 80);
    }
    int everywhere = mn_server_address_is_any(bind);
    if (everywhere || mn_server_address_is_loopback(bind)) {
        static const char *const local[] = {"127.0.0.1", "localhost", "[::1]"};
        for (int i = 0; i < 3; i++)
            hosts_add(h, local[i]);
    }
    if (!everywhere) {
        char name[sizeof h->names[0]];
        host_copy(name, sizeof name, bind);
        hosts_add(h, name);
    }
    for (int i = 0; i < srv->cfg.n_allow_hosts; i++)
        hosts_add(h, srv->allow_hosts[i]);
    h->older = __atomic_load_n(&srv->hosts, __ATOMIC_ACQUIRE);
    __atomic_store_n(&srv->hosts, h, __ATOMIC_RELEASE);
    return MN_OK;
}

/* 1 when the Host value @p host is one of @p h's: a name of the list (any case; an address in
 * any of its forms, host_canon), then ':' and the port exactly as the server writes it, or
 * nothing when the port is the scheme's default. */
static int host_answered(const mn__hosts *h, const char *host)
{
    if (!h->port[0])
        return 0;
    size_t name_len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
    if (host[0] == '[' && host[name_len - 1] != ']')
        return 0;
    const char *rest = host + name_len;
    if (!(rest[0] == ':' ? !strcmp(rest + 1, h->port) : !rest[0] && h->bare_ok))
        return 0;
    char name[sizeof h->names[0]];
    if (!host_canon(host, name_len, name, sizeof name))
        return 0;
    for (int i = 0; i < h->n; i++)
        if (!strcmp(h->names[i], name))
            return 1;
    return 0;
}

/* Writes the line of a refused Host (cfg.log): the first at once, then at most one a minute
 * (a page can send requests without end), each saying how many went unwritten before it.
 * The Host is quoted with anything but printable ASCII as \xHH, and cut short; the path is
 * never written (it can hold a client's id). */
static void log_refused_host(mn_server *srv, const char *host, const char *peer, long long now)
{
    if (!srv->cfg.log)
        return;
    pthread_mutex_lock(&srv->log_lock);
    if (srv->log_last && now - srv->log_last < 60 && now >= srv->log_last) {
        srv->log_held++;
        pthread_mutex_unlock(&srv->log_lock);
        return;
    }
    long long held = srv->log_held;
    srv->log_held = 0;
    srv->log_last = now;
    pthread_mutex_unlock(&srv->log_lock);
    char quoted[4 * 80 + 1], more[64] = "";
    size_t q = 0, n = 0;
    for (const unsigned char *p = (const unsigned char *)host; *p && n < 80; p++, n++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
            q += (size_t)snprintf(quoted + q, sizeof quoted - q, "\\x%02X", *p);
        else
            quoted[q++] = (char)*p;
    }
    quoted[q] = '\0';
    if (held)
        snprintf(more, sizeof more, "; %lld more since the last line", held);
    char line[512];
    snprintf(line, sizeof line,
             "refused a request for the host \"%s\"%s from %s: not a name this server answers "
             "to%s",
             quoted, host[n] ? " (cut short)" : "", peer && peer[0] ? peer : "?", more);
    srv->cfg.log(srv->cfg.log_userdata, line);
}

void mn_server_free(mn_server *srv)
{
    if (!srv)
        return;
    mn__auditor_stop(&srv->auditor); /* first: it logs what is still waiting */
    mn_store_close(srv->audit_store);
    mn_ctx_free(srv->audit_ctx);
    mn__plan_cache_release(&srv->plan_cache);
    mn__pdf_jobs_release(&srv->pdf_jobs);
    for (int i = 0; srv->workers && i < srv->n_workers; i++) {
        mn_store_close(srv->workers[i].store);
        mn_ctx_free(srv->workers[i].ctx);
    }
    mn__free(srv->workers);
    mn__sessions_release(&srv->sessions);
    if (srv->log_held && srv->cfg.log) {
        char line[160];
        snprintf(line, sizeof line,
                 "%lld more request%s for a host not this server's refused since the last line",
                 srv->log_held, srv->log_held == 1 ? "" : "s");
        srv->cfg.log(srv->cfg.log_userdata, line);
    }
    for (mn__hosts *h = srv->hosts, *older; h; h = older) {
        older = h->older;
        mn__free(h);
    }
    pthread_mutex_destroy(&srv->log_lock);
    pthread_mutex_destroy(&srv->pool_lock);
    pthread_cond_destroy(&srv->pool_free);
    mn__free(srv);
}

mn_status mn_server_create(mn_ctx *ctx, const mn_server_config *cfg, mn_server **out)
{
    if (!cfg || !out || !cfg->db_path)
        return mn__error(ctx, MN_EINVAL, "serve: no database given");
    *out = NULL;
    if (cfg->workers < 1 || cfg->workers > 64 || cfg->max_sessions < 1 || cfg->idle_timeout_s < 1 ||
        cfg->absolute_timeout_s < cfg->idle_timeout_s || cfg->login_max_failures < 1 ||
        cfg->login_window_s < 1 || cfg->login_address_failures < 1 ||
        cfg->login_address_spacing_s < 1 || cfg->n_allow_hosts < 0 ||
        cfg->n_allow_hosts > MN_SERVER_MAX_HOSTS || (cfg->n_allow_hosts && !cfg->allow_hosts))
        return mn__error(ctx, MN_EINVAL, "serve: a setting out of range");
    for (int i = 0; i < cfg->n_allow_hosts; i++)
        if (!cfg->allow_hosts[i] || !mn_server_host_name_ok(cfg->allow_hosts[i]))
            return mn__error(ctx, MN_EINVAL,
                             "serve: --allow-host: \"%.64s\" is not a host name or an IP address",
                             cfg->allow_hosts[i] ? cfg->allow_hosts[i] : "");
    if (strlen(cfg->db_path) >= sizeof((mn_server *)0)->db_path)
        return mn__error(ctx, MN_EINVAL, "serve: database path too long");
    mn_server *srv = mn__calloc(1, sizeof *srv);
    if (!srv)
        return mn__error(ctx, MN_ENOMEM, "serve: out of memory");
    srv->cfg = *cfg;
    snprintf(srv->db_path, sizeof srv->db_path, "%s", cfg->db_path);
    srv->cfg.db_path = srv->db_path;
    srv->cfg.data_dir = NULL; /* used here only: the contexts below, and the PDF jobs' copy */
    for (int i = 0; i < cfg->n_allow_hosts; i++)
        host_copy(srv->allow_hosts[i], sizeof srv->allow_hosts[i], cfg->allow_hosts[i]);
    srv->cfg.allow_hosts = NULL; /* copied above */
    pthread_mutex_init(&srv->log_lock, NULL);
    pthread_mutex_init(&srv->pool_lock, NULL);
    pthread_cond_init(&srv->pool_free, NULL);
    mn_status st =
        mn__sessions_init(&srv->sessions, cfg->max_sessions, cfg->idle_timeout_s,
                          cfg->absolute_timeout_s, cfg->login_max_failures, cfg->login_window_s,
                          cfg->login_address_failures, cfg->login_address_spacing_s);
    if (st) {
        mn__free(srv);
        return mn__error(ctx, st, "serve: cannot set up sessions");
    }
    randombytes_buf(srv->msg_key, sizeof srv->msg_key); /* sodium_init: by the sessions' */
    if (mn__pdf_jobs_init(&srv->pdf_jobs, cfg->data_dir)) {
        mn_server_free(srv);
        return mn__error(ctx, MN_EINVAL, "serve: data folder path too long");
    }
    srv->workers = mn__calloc((size_t)cfg->workers, sizeof *srv->workers);
    if (!srv->workers) {
        mn_server_free(srv);
        return mn__error(ctx, MN_ENOMEM, "serve: out of memory");
    }
    srv->n_workers = cfg->workers;
    for (int i = 0; i < cfg->workers; i++) {
        char err[1024] = "";
        mn__worker *w = &srv->workers[i];
        st = mn_ctx_create_with_data(&w->ctx, cfg->data_dir, err, sizeof err);
        if (st) {
            mn__error(ctx, st, "%s", err[0] ? err : mn_strerror(st));
            break;
        }
        if ((st = mn_store_open(w->ctx, srv->db_path, 0, 0, &w->store))) {
            mn__error(ctx, st, "%s", mn_ctx_errmsg(w->ctx));
            break;
        }
    }
    /* The audit writer: its own context and handle (audit.c). */
    if (!st) {
        char err[1024] = "";
        st = mn_ctx_create_with_data(&srv->audit_ctx, cfg->data_dir, err, sizeof err);
        if (st)
            mn__error(ctx, st, "%s", err[0] ? err : mn_strerror(st));
        else if ((st = mn_store_open(srv->audit_ctx, srv->db_path, 0, 0, &srv->audit_store)))
            mn__error(ctx, st, "%s", mn_ctx_errmsg(srv->audit_ctx));
        else if ((st = mn__auditor_start(&srv->auditor, srv->audit_ctx, srv->audit_store)))
            mn__error(ctx, st, "serve: cannot start the audit writer");
    }
    if (st) {
        mn_server_free(srv);
        return st;
    }
    mn__plan_cache_init(&srv->plan_cache, srv->workers[0].ctx);
    *out = srv;
    return MN_OK;
}

static mn__worker *worker_take(mn_server *srv)
{
    pthread_mutex_lock(&srv->pool_lock);
    mn__worker *w = NULL;
    for (;;) {
        for (int i = 0; i < srv->n_workers && !w; i++)
            if (!srv->workers[i].busy)
                w = &srv->workers[i];
        if (w)
            break;
        pthread_cond_wait(&srv->pool_free, &srv->pool_lock);
    }
    w->busy = 1;
    pthread_mutex_unlock(&srv->pool_lock);
    mn_ctx_clear_error(w->ctx);
    return w;
}

static void worker_give(mn_server *srv, mn__worker *w)
{
    pthread_mutex_lock(&srv->pool_lock);
    w->busy = 0;
    pthread_cond_signal(&srv->pool_free);
    pthread_mutex_unlock(&srv->pool_lock);
}

/* The cookie's name: under TLS the __Host- prefix (the browser then insists on Secure, Path=/
 * and no Domain, so no sibling host can set it). */
static const char *cookie_name(const mn_server *srv)
{
    return srv->cfg.tls ? "__Host-mneedle" : "mneedle";
}

/* The Origin / Sec-Fetch-Site check of a state-changing request (OWASP CSRF cheat sheet:
 * "verifying origin with standard headers"): a browser that says the request comes from
 * another site, or whose Origin is not this server's, is refused. A client that sends
 * neither (curl, scripts) passes here and still needs the token. */
static int same_origin(const mn_http_request *req, int tls)
{
    const char *site = mn__req_header(req, "Sec-Fetch-Site");
    /* A browser that sends Sec-Fetch-Site (every current one) is taken at its word, whatever
     * Origin says: under this server's Referrer-Policy no-referrer, a browser sends "Origin:
     * null" with the site's own forms. Without it, Origin must be this server's. */
    if (site)
        return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
    const char *origin = mn__req_header(req, "Origin");
    if (!origin)
        return 1;
    const char *host = mn__req_header(req, "Host");
    if (!host || !host[0])
        return 0;
    char want[512];
    snprintf(want, sizeof want, "%s://%s", tls ? "https" : "http", host);
    return strcmp(origin, want) == 0;
}

/* The routes (docs/serve.md lists them): method, pattern ('*' matches one path segment,
 * captured), the least role, and flags. */
enum {
    PUBLIC = 1,  /* no sign-in needed */
    NO_CSRF = 2, /* a POST that carries its own token (the sign-in form's) */
    API = 4      /* answers in JSON: 401 instead of a redirect to sign-in */
};
typedef struct {
    const char *method, *pattern;
    void (*run)(mn__call *c);
    mn_store_role role;
    int flags;
} route;

static const route routes[] = {
    {"GET", "/", mn__page_home, MN_ROLE_READONLY, 0},
    {"GET", "/signin", mn__page_signin, MN_ROLE_READONLY, PUBLIC},
    {"POST", "/signin", mn__post_signin, MN_ROLE_READONLY, PUBLIC | NO_CSRF},
    {"POST", "/signout", mn__post_signout, MN_ROLE_READONLY, 0},
    {"GET", "/style.css", mn__page_style, MN_ROLE_READONLY, PUBLIC},
    {"GET", "/clients", mn__page_clients, MN_ROLE_READONLY, 0},
    {"POST", "/clients", mn__post_client, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/new", mn__page_client_form, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*", mn__page_client, MN_ROLE_READONLY, 0},
    {"POST", "/clients/*", mn__post_client, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/edit", mn__page_client_form, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/plan", mn__page_plan, MN_ROLE_READONLY, 0},
    {"POST", "/clients/*/plan", mn__post_plan, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/report.html", mn__page_report, MN_ROLE_READONLY, 0},
    {"GET", "/clients/*/report.pdf", mn__page_report_pdf, MN_ROLE_READONLY, 0},
    {"GET", "/clients/*/export.ics", mn__page_export, MN_ROLE_READONLY, 0},
    {"GET", "/clients/*/export.fhir.json", mn__page_export, MN_ROLE_READONLY, 0},
    {"GET", "/clients/*/export.csv", mn__page_export, MN_ROLE_READONLY, 0},
    {"GET", "/clients/*/sessions/new", mn__page_session_form, MN_ROLE_PRACTITIONER, 0},
    {"POST", "/clients/*/sessions", mn__post_session, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/assessments/new", mn__page_assessment_form, MN_ROLE_PRACTITIONER, 0},
    {"POST", "/clients/*/assessments", mn__post_assessment, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/adverse-events/new", mn__page_adverse_event_form, MN_ROLE_PRACTITIONER, 0},
    {"POST", "/clients/*/adverse-events", mn__post_adverse_event, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/clients/*/replan", mn__page_replan, MN_ROLE_READONLY, 0},
    {"POST", "/clients/*/replan", mn__post_replan, MN_ROLE_PRACTITIONER, 0},
    {"GET", "/recall", mn__page_recall, MN_ROLE_READONLY, 0},
    {"GET", "/catalog", mn__page_catalog, MN_ROLE_READONLY, 0},
    {"GET", "/catalog/*", mn__page_catalog, MN_ROLE_READONLY, 0},
    {"GET", "/users", mn__page_users, MN_ROLE_ADMIN, 0},
    {"POST", "/users", mn__post_users, MN_ROLE_ADMIN, 0},
    {"POST", "/users/*/disable", mn__post_user_state, MN_ROLE_ADMIN, 0},
    {"POST", "/users/*/enable", mn__post_user_state, MN_ROLE_ADMIN, 0},
    {"POST", "/users/*/password", mn__post_user_password, MN_ROLE_ADMIN, 0},
    {"GET", "/account", mn__page_account, MN_ROLE_READONLY, 0},
    {"POST", "/account/password", mn__post_account_password, MN_ROLE_READONLY, 0},
    {"GET", "/api/v1/clients", mn__api, MN_ROLE_READONLY, API},
    {"GET", "/api/v1/clients/*", mn__api, MN_ROLE_READONLY, API},
    {"GET", "/api/v1/clients/*/history", mn__api, MN_ROLE_READONLY, API},
    {"GET", "/api/v1/clients/*/plan", mn__api, MN_ROLE_READONLY, API},
    {"POST", "/api/v1/clients/*/replan", mn__api, MN_ROLE_PRACTITIONER, API},
    {"GET", "/api/v1/recall", mn__api, MN_ROLE_READONLY, API},
    {"GET", "/api/v1/session", mn__api, MN_ROLE_READONLY, API},
    {"GET", "/api/v1/users", mn__api, MN_ROLE_ADMIN, API},
};
enum { N_ROUTES = sizeof routes / sizeof routes[0], MAX_PARAMS = 4, MAX_SEGMENTS = 8 };

/* The forms drawn again when a field holds what no record can keep (mn__form_bad_text); the
 * other routes answer an error page (or JSON) with the same words. */
static const struct {
    void (*run)(mn__call *c);
    mn__bad_text_refusal refuse;
} refusals[] = {
    {mn__post_client, mn__refuse_client_form},
    {mn__post_session, mn__refuse_session_form},
    {mn__post_assessment, mn__refuse_assessment_form},
    {mn__post_adverse_event, mn__refuse_adverse_event_form},
    {mn__post_users, mn__refuse_users_form},
    {mn__post_user_state, mn__refuse_users_form},
    {mn__post_user_password, mn__refuse_users_form},
    {mn__post_account_password, mn__refuse_account_form},
};

/* Splits a path into its decoded segments; 0 when it has too many, an empty one (but for
 * the root), a decoded '/' or NUL, or "." / "..". */
static int split(const char *path, char **seg, int *n)
{
    *n = 0;
    if (path[0] != '/')
        return 0;
    if (!strcmp(path, "/"))
        return 1;
    const char *p = path + 1;
    while (1) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!len || *n == MAX_SEGMENTS)
            return 0;
        for (size_t i = 0; i + 2 < len; i++)
            if (p[i] == '%' && p[i + 1] == '0' && p[i + 2] == '0')
                return 0;
        char *s = mn__url_decode(p, len, 0);
        if (!s)
            return 0;
        seg[(*n)++] = s;
        if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") || !s[0])
            return 0;
        if (!end)
            return 1;
        p = end + 1;
    }
}

/* 1 when the pattern's segments match; captures '*' segments into params. */
static int match(const char *pattern, char *const *seg, int n, const char **params, int *np)
{
    *np = 0;
    if (!strcmp(pattern, "/"))
        return n == 0;
    const char *p = pattern + 1;
    int i = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= n)
            return 0;
        if (len == 1 && *p == '*') {
            if (*np == MAX_PARAMS)
                return 0;
            params[(*np)++] = seg[i];
        } else if (strlen(seg[i]) != len || strncmp(seg[i], p, len)) {
            return 0;
        }
        i++;
        p = end ? end + 1 : p + len;
    }
    return i == n;
}

/* The headers every response carries (docs/serve.md, "Security"). */
static void security_headers(mn_http_response *r, const char *path, int tls)
{
    int report = strstr(path, "/report.html") != NULL;
    /* The report is a self-contained page with inline styles and data: images and no script
     * at all; every other page takes its one stylesheet and scripts from this server only. */
    mn__resp_header(r, "Content-Security-Policy",
                    report ? "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                             "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
                           : "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                             "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    mn__resp_header(r, "X-Content-Type-Options", "nosniff");
    mn__resp_header(r, "Referrer-Policy", "no-referrer");
    mn__resp_header(r, "X-Frame-Options", "DENY");
    mn__resp_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    /* Under TLS, browsers keep to HTTPS for this host for a year (OWASP HTTP Strict Transport
     * Security cheat sheet: max-age 31536000); no includeSubDomains, as the host may be an
     * address or a name the clinic does not own the subdomains of. */
    if (tls)
        mn__resp_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (!mn_http_response_header(r, "Cache-Control"))
        mn__resp_header(r, "Cache-Control", "no-store");
}

static void plain(mn__call *c, int status, const char *json_msg, const char *text)
{
    mn__buf b;
    mn__buf_init(&b);
    c->resp->status = status;
    if (json_msg) {
        mn__buf_printf(&b, "{\"error\": ");
        mn__srv_json_str(&b, json_msg);
        mn__buf_printf(&b, "}\n");
        mn__resp_body(c->resp, &b, "application/json");
    } else {
        mn__error_page(c, status, text, NULL);
    }
    mn__buf_release(&b);
}

/* A refusal before any page: plain text (421, 400). */
static void refuse_host(mn__call *c, int status, const char *text)
{
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "%s\n", text);
    c->resp->status = status;
    mn__resp_body(c->resp, &b, "text/plain; charset=utf-8");
    mn__buf_release(&b);
}

static void refuse_bad_text(mn__call *c, const route *rt, int api, const char *field,
                            const char *why)
{
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (refusals[i].run == rt->run) {
            refusals[i].refuse(c, field, why);
            return;
        }
    char msg[160];
    mn__bad_text_words(field, why, 0, msg, sizeof msg);
    plain(c, 422, api ? msg : NULL, msg);
}

/* The refusal of a query value that no page can take (mn__form_bad_text's @p why), naming the
 * value as the page's form does. */
static void bad_query_words(const char *name, const char *why, char *out, size_t size)
{
    static const struct {
        const char *name, *words;
    } known[] = {{"q", "search text"}, {"before", "date"}, {"next", "page to go to"}};
    const char *words = NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].name, name))
            words = known[i].words;
    /* Any other name is said only when it is a plain one: it came in the address too. */
    int plain_name = name[0] && strlen(name) <= 40;
    for (const char *p = name; plain_name && *p; p++)
        plain_name = isalnum((unsigned char)*p) || strchr("._-", *p);
    if (words)
        snprintf(out, size, "Nothing was shown: the %s (%s) %s; type it again.", words, name, why);
    else if (plain_name)
        snprintf(out, size, "Nothing was shown: the address's value %s %s.", name, why);
    else
        snprintf(out, size, "Nothing was shown: a value in the address %s.", why);
}

mn_status mn_server_handle(mn_server *srv, const mn_http_request *req, mn_http_response *resp)
{
    if (!srv || !req || !resp)
        return MN_EINVAL;
    memset(resp, 0, sizeof *resp);
    resp->status = 500;
    mn__call c = {.srv = srv, .req = req, .resp = resp};
    c.now = req->now ? req->now : (long long)time(NULL);
    const char *method = req->method ? req->method : "";
    const char *path = req->path ? req->path : "";
    int head = !strcmp(method, "HEAD");
    if (head)
        method = "GET";
    char *seg[MAX_SEGMENTS] = {0};
    int n_seg = 0;
    const char *params[MAX_PARAMS] = {0};
    int np = 0;
    const route *rt = NULL;
    /* First of all, once listening: a Host this server does not answer to (a page of another
     * site whose name was made to resolve to this address: DNS rebinding) is refused before
     * any page, the sign-in's included, and without a cookie. */
    const mn__hosts *hosts = __atomic_load_n(&srv->hosts, __ATOMIC_ACQUIRE);
    const char *host = hosts ? mn__req_header(req, "Host") : NULL;
    if (hosts && (!host || !host[0])) {
        refuse_host(&c, 400,
                    "This request names no host (its Host header is missing or empty); "
                    "nothing was done.");
        goto out;
    }
    if (hosts && !host_answered(hosts, host)) {
        refuse_host(&c, 421,
                    "This server does not answer to that name; nothing was done. Open "
                    "it by the address it printed when it started.");
        log_refused_host(srv, host, req->peer, c.now);
        goto out;
    }
    int path_known = 0;
    int path_ok = split(path, seg, &n_seg);
    if (path_ok)
        for (int i = 0; i < N_ROUTES; i++)
            if (match(routes[i].pattern, seg, n_seg, params, &np)) {
                path_known = 1;
                if (!strcmp(routes[i].method, method)) {
                    rt = &routes[i];
                    break;
                }
            }
    if (rt) /* match() again: the captures of the last pattern tried are not this one's */
        match(rt->pattern, seg, n_seg, params, &np);
    c.params = params;
    c.n_params = np;
    c.route = rt ? rt->pattern : "";
    /* JSON or a page, chosen on the path as the router read it (its decoded segments), never
     * on its spelling: "/%61pi/v1/clients" is the API's route, and its 401 is JSON. A path of
     * no route is the API's when its first segment is "api" ("/api/v1/clients/", its trailing
     * slash an empty segment, answers a JSON 404). */
    int api = rt ? (rt->flags & API) != 0 : n_seg > 0 && !strcmp(seg[0], "api");

    char cookie[80];
    mn__session sess;
    if (mn__req_cookie(req, cookie_name(srv), cookie, sizeof cookie) &&
        mn__session_find(&srv->sessions, cookie, c.now, &sess))
        c.sess = &sess;
    /* A session holds only while its user does, as the database says now: another server over
     * the same database may have disabled the user or set a new password since (users.c).
     * Checked for every route that needs a sign-in; the public ones (the stylesheet, the
     * sign-in form) read nothing of the record and stay clear of the database. */
    if (c.sess && rt && !(rt->flags & PUBLIC)) {
        c.w = worker_take(srv);
        if (!mn__session_current(&c))
            c.sess = NULL;
    }

    mn__form_parse(req->query, req->query ? strlen(req->query) : 0, &c.query);
    if (!rt) {
        if (path_known)
            plain(&c, 405, api ? "method not allowed" : NULL, "That action is not available here.");
        else
            plain(&c, 404, api ? "no such resource" : NULL, "There is no such page.");
        goto out;
    }
    int posting = strcmp(method, "GET") != 0;
    if (posting && !same_origin(req, srv->cfg.tls)) {
        plain(&c, 403, api ? "cross-origin request refused" : NULL,
              "Refused: the request did not come from this site's own pages.");
        goto out;
    }
    if (!(rt->flags & PUBLIC) && !c.sess) {
        if (api) {
            plain(&c, 401, "sign in first", NULL);
        } else {
            mn__buf next;
            mn__buf_init(&next);
            mn__buf_printf(&next, "/signin?next=");
            mn__srv_url(&next, posting ? "/clients" : path);
            mn__redirect(&c, next.data ? next.data : "/signin", NULL);
            mn__buf_release(&next);
        }
        goto out;
    }
    if (c.sess && c.sess->role < rt->role) {
        char msg[160];
        snprintf(msg, sizeof msg, "Your role (%s) does not allow this; it needs %s.",
                 mn_store_role_name(c.sess->role), mn_store_role_name(rt->role));
        plain(&c, 403, api ? msg : NULL, msg);
        goto out;
    }
    /* A query value is checked as a form's field is: a NUL byte would cut it short (a date
     * "2027-01-01%00junk" read as its first part, a search for its first word) and bytes not
     * UTF-8 are no text a page can show or a record holds. */
    const char *qwhy = NULL, *qbad = mn__form_bad_text(&c.query, &qwhy);
    if (qbad) {
        char msg[200];
        bad_query_words(qbad, qwhy, msg, sizeof msg);
        plain(&c, 400, api ? msg : NULL, msg);
        goto out;
    }
    if (posting) {
        const char *type = mn__req_header(req, "Content-Type");
        if (type && !strncasecmp(type, "application/x-www-form-urlencoded", 33)) {
            mn_status fst = mn__form_parse(req->body, req->body_len, &c.form);
            if (fst) {
                plain(&c, 413, api ? "form too large" : NULL, "The form has too many fields.");
                goto out;
            }
        }
        if (!(rt->flags & NO_CSRF)) {
            const char *tok = mn__form_get(&c.form, "csrf");
            if (!tok)
                tok = mn__req_header(req, "X-CSRF-Token");
            if (!mn__csrf_ok(c.sess, tok)) {
                plain(&c, 403, api ? "missing or wrong CSRF token" : NULL,
                      "Refused: the form's security token is missing or out of date. Reload "
                      "the page and try again.");
                goto out;
            }
        }
    }
    if (!c.w)
        c.w = worker_take(srv);
    mn_store_set_actor(c.w->store, c.sess ? c.sess->user : "web");
    /* The store's messages name what to do next in the words of where they are read: the
     * pages' forms and buttons, or, for the API (whose answers are the commands' JSON), the
     * commands' options. */
    mn_store_set_words(c.w->store, api ? MN_STORE_WORDS_COMMAND : MN_STORE_WORDS_WEB);
    /* Every form the server takes, the sign-in's included, is refused whole when a field holds
     * a NUL byte (which would cut the value short: a password would be checked by its first
     * part) or bytes not UTF-8; its route does not run. */
    const char *why = NULL, *bad = posting ? mn__form_bad_text(&c.form, &why) : NULL;
    if (bad)
        refuse_bad_text(&c, rt, api, bad, why);
    else
        rt->run(&c);
    /* A write to a client drops the plans kept for it (plan_cache.c; the key would miss them
     * anyway when the input changed, but they need not wait to be evicted). */
    if (posting && np > 0 &&
        (!strncmp(c.route, "/clients/", 9) || !strncmp(c.route, "/api/v1/clients/", 16)))
        mn__plan_cache_drop(&srv->plan_cache, params[0]);
out:
    if (c.w)
        worker_give(srv, c.w);
    /* The policy follows the matched route; a path no route matched gets the pages' policy,
     * whatever it spells (a 404 at ".../report.html" is not the report). */
    security_headers(resp, rt ? rt->pattern : "", srv->cfg.tls);
    if (head) {
        mn__free(resp->body);
        resp->body = NULL;
        resp->body_len = 0;
    }
    for (int i = 0; i < MAX_SEGMENTS; i++)
        mn__free(seg[i]);
    mn__form_release(&c.query);
    mn__form_release(&c.form);
    sodium_memzero(&sess, sizeof sess);
    return MN_OK;
}

/* ---- sign-in and sign-out ---- */

/* The sign-in form's own token: before a session exists, a random value in a cookie and in
 * the form (double submit), so a sign-in cannot be forged from another site either. */
static const char *signin_cookie(const mn_server *srv)
{
    return srv->cfg.tls ? "__Host-mneedle-signin" : "mneedle-signin";
}

static void set_cookie(mn__call *c, const char *name, const char *value, int max_age)
{
    char v[256];
    snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
             c->srv->cfg.tls ? "; Secure" : "", max_age == 0 ? "; Max-Age=0" : "");
    mn__resp_header(c->resp, "Set-Cookie", v);
}

void mn__page_signin(mn__call *c)
{
    unsigned char raw[16];
    char tok[MN__TOKEN_HEX];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
    set_cookie(c, signin_cookie(c->srv), tok, -1);
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Sign in", "signin");
    const char *msg = mn__page_message(c);
    if (msg) {
        mn__buf_printf(&b, "<p class=\"msg\" id=\"message\" role=\"status\">");
        mn__srv_esc(&b, msg);
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b,
                   "<form id=\"signin-form\" method=\"post\" action=\"/signin\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                   tok);
    const char *next = mn__form_get(&c->query, "next");
    if (next) {
        mn__buf_printf(&b, "<input type=\"hidden\" name=\"next\" value=\"");
        mn__srv_esc(&b, next);
        mn__buf_printf(&b, "\">");
    }
    mn__buf_printf(&b, "<p><label for=\"user\">User name</label> <input id=\"user\" name=\"user\" "
                       "autocomplete=\"username\" required></p>"
                       "<p><label for=\"password\">Password</label> <input id=\"password\" "
                       "name=\"password\" type=\"password\" autocomplete=\"current-password\" "
                       "required></p>"
                       "<p><button id=\"signin-submit\" type=\"submit\">Sign in</button></p>"
                       "</form>");
    mn__page_end(&b);
    mn__page_send(c, 200, &b);
}

/* Where to go after sign-in: a local path only (never another site: an open redirect). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/clients";
    /* No control character at all (a TAB or a line end in a Location header, or one a browser
     * drops to turn "/\t/evil" into "//evil"). */
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "/clients";
    return next;
}

void mn__post_signin(mn__call *c)
{
    char want[80];
    const char *tok = mn__form_get(&c->form, "csrf");
    if (!mn__req_cookie(c->req, signin_cookie(c->srv), want, sizeof want) || !tok ||
        strlen(tok) != strlen(want) || sodium_memcmp(tok, want, strlen(want)) != 0) {
        mn__redirect(c, "/signin",
                     "The sign-in form had expired or came from elsewhere; please sign in "
                     "again.");
        return;
    }
    const char *user = mn__form_str(&c->form, "user");
    const char *password = mn__form_str(&c->form, "password");
    const char *peer = c->req->peer && c->req->peer[0] ? c->req->peer : "?";
    int last, wait_s;
    if (!mn__login_begin(&c->srv->sessions, user, peer, c->now, &last, &wait_s)) {
        char words[120], after[16];
        mn__login_wait_words(wait_s, words, sizeof words);
        mn__error_page(c, 429, words, NULL);
        snprintf(after, sizeof after, "%d", wait_s);
        mn__resp_header(c->resp, "Retry-After", after);
        return;
    }
    mn_store_role role;
    mn_store_user_now now;
    mn_status st = mn_store_user_verify(c->w->ctx, c->w->store, user, password, &role);
    mn__login_end(&c->srv->sessions, user, peer, st == MN_OK, c->now);
    /* Audited with the name (a user's, else none) and the address; never the password. A
     * sign-in not logged is not made. */
    const char *from = c->req->peer && c->req->peer[0] ? c->req->peer : NULL;
    if (st == MN_EINVAL) {
        /* The failure that disables the user (MN_STORE_SIGNIN_FAILURES_DISABLE in a row) ends
         * its open sessions at once, as an admin's Disable does: a disabled user has no way
         * in, an open session included. */
        if (mn__signin_failure_log(c, user, last, NULL) < 0) {
            mn__error_page(c, 500, "Signing in failed.", mn_ctx_errmsg(c->w->ctx));
            return;
        }
        mn__redirect(c, "/signin", "Wrong user name or password.");
        return;
    }
    if (!st)
        st = mn_store_audit_signin(c->w->ctx, c->w->store, user, "signin", from, NULL);
    /* The generation the session begins under (mn__session_current). */
    if (!st)
        st = mn_store_user_state(c->w->ctx, c->w->store, user, &now);
    if (st) {
        mn__error_page(c, 500, "Signing in failed.", mn_ctx_errmsg(c->w->ctx));
        return;
    }
    /* A new session (and id) at every sign-in; an old one of this browser ends. */
    char old[80];
    if (mn__req_cookie(c->req, c->srv->cfg.tls ? "__Host-mneedle" : "mneedle", old, sizeof old))
        mn__session_end(&c->srv->sessions, old);
    mn__session s;
    mn__session_start(&c->srv->sessions, user, role, now.generation, c->now, &s);
    set_cookie(c, c->srv->cfg.tls ? "__Host-mneedle" : "mneedle", s.id, -1);
    set_cookie(c, signin_cookie(c->srv), "", 0);
    c->sess = &s; /* the message is for the page the new session opens */
    mn__redirect(c, safe_next(mn__form_get(&c->form, "next")), "Signed in.");
    c->sess = NULL;
    sodium_memzero(&s, sizeof s);
}

void mn__signed_out(mn__call *c)
{
    set_cookie(c, cookie_name(c->srv), "", 0);
    c->sess = NULL;
}

void mn__post_signout(mn__call *c)
{
    char id[80];
    if (mn__req_cookie(c->req, cookie_name(c->srv), id, sizeof id))
        mn__session_end(&c->srv->sessions, id);
    set_cookie(c, cookie_name(c->srv), "", 0);
    c->sess = NULL; /* the message is for the sign-in page, which has no session */
    mn__redirect(c, "/signin", "Signed out.");
}
