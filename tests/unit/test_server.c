/*
 * The web workstation's request handler, called without sockets (server.h): routing, forms,
 * sessions and their timeouts, the CSRF token and the origin check, roles, the sign-in limit,
 * security headers, escaping, audited reads, and charting against the plan's caps. A database
 * is made for the file in a temporary folder, with one user of each role and one example
 * client with a saved plan.
 */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "mn_test.h"
#include "server/server_internal.h"
#include "store/store_internal.h"

static mn_ctx *ctx;
static mn_server *srv;
static char dir[256], db[300];

/* The test clock: sessions and the sign-in limit see only this. */
static const long long T0 = 1900000000LL;

static const char *const PASSWORD = "correct horse battery";

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mn_server_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir) || mn_ctx_create(&ctx))
        return -1;
    snprintf(db, sizeof db, "%s/clinic.db", dir);
    mn_store *store;
    if (mn_store_open(ctx, db, MN_STORE_CREATE, 0, &store))
        return -1;
    size_t len;
    char *text = mn_test_read_file(MN_SOURCE_DIR "/examples/clients/amelia-wrinkles.json", &len);
    char id[MN_STORE_ID_LEN];
    int bad = !text || mn_store_user_add(ctx, store, "ada", MN_ROLE_ADMIN, PASSWORD) ||
              mn_store_user_add(ctx, store, "pia", MN_ROLE_PRACTITIONER, PASSWORD) ||
              mn_store_user_add(ctx, store, "rob", MN_ROLE_READONLY, PASSWORD) ||
              mn_store_client_add(ctx, store, "amelia.json", text, len, "amelia", id);
    free(text);
    mn_store_close(store);
    if (bad)
        return -1;
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    cfg.db_path = db;
    cfg.workers = 2;
    return mn_server_create(ctx, &cfg, &srv) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mn_server_free(srv);
    mn_ctx_free(ctx);
    mn_plot_global_cleanup();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One request. @p cookie: the session id or NULL; @p extra: one more header as "Name: value"
 * or NULL. The body, when given, is a form. */
static void request(const char *method, const char *path, const char *query, const char *cookie,
                    const char *body, const char *extra, long long now, mn_http_response *r)
{
    mn_http_header h[6];
    int n = 0;
    char c[160], xname[3][64], xvalue[3][128];
    if (cookie) {
        snprintf(c, sizeof c, "mneedle=%s", cookie);
        h[n++] = (mn_http_header){"Cookie", c};
    }
    if (body)
        h[n++] = (mn_http_header){"Content-Type", "application/x-www-form-urlencoded"};
    h[n++] = (mn_http_header){"Host", "127.0.0.1:8080"};
    /* extra: up to three "Name: value" headers, separated by newlines */
    for (int k = 0; extra && *extra && k < 3; k++) {
        const char *colon = strchr(extra, ':');
        size_t len = strcspn(colon + 2, "\n");
        snprintf(xname[k], sizeof xname[k], "%.*s", (int)(colon - extra), extra);
        snprintf(xvalue[k], sizeof xvalue[k], "%.*s", (int)len, colon + 2);
        h[n++] = (mn_http_header){xname[k], xvalue[k]};
        extra = colon + 2 + len + (colon[2 + len] == '\n');
    }
    mn_http_request req = {method,      path, query, h, n, body, body ? strlen(body) : 0,
                           "192.0.2.1", now};
    assert_int_equal(mn_server_handle(srv, &req, r), MN_OK);
}

/* One request whose answer must have @p status, and contain @p has and not @p lacks (either
 * may be NULL). */
static void expect(const char *method, const char *path, const char *sid, const char *body,
                   long long now, int status, const char *has, const char *lacks)
{
    mn_http_response r;
    request(method, path, NULL, sid, body, NULL, now, &r);
    assert_int_equal(r.status, status);
    if (has)
        assert_non_null(strstr(r.body, has));
    if (lacks)
        assert_null(r.body ? strstr(r.body, lacks) : NULL);
    mn_http_response_release(&r);
}

/* The value of cookie @p name set by a response ("" when it sets none). */
static const char *set_cookie(const mn_http_response *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; i < r->n_headers; i++) {
        size_t k = strlen(name);
        if (!strcmp(r->headers[i].name, "Set-Cookie") && !strncmp(r->headers[i].value, name, k) &&
            r->headers[i].value[k] == '=') {
            snprintf(out, n, "%.*s", (int)strcspn(r->headers[i].value + k + 1, ";"),
                     r->headers[i].value + k + 1);
        }
    }
    return out;
}

/* The value of the first hidden csrf field of a page. */
static void csrf_of(const mn_http_response *r, char out[64])
{
    out[0] = '\0';
    const char *p = r->body ? strstr(r->body, "name=\"csrf\" value=\"") : NULL;
    if (p)
        snprintf(out, 64, "%.*s", 32, p + strlen("name=\"csrf\" value=\""));
}

/* Signs @p user in with @p password at time @p now; returns the status of the POST and the
 * session id in @p sid ("" when none). */
static int sign_in(const char *user, const char *password, long long now, char sid[64])
{
    mn_http_response r;
    request("GET", "/signin", NULL, NULL, NULL, NULL, now, &r);
    char tok[64], form[256], cookie[160], hdr[200];
    set_cookie(&r, "mneedle-signin", tok, sizeof tok);
    mn_http_response_release(&r);
    snprintf(form, sizeof form, "csrf=%s&user=%s&password=%s", tok, user, password);
    snprintf(cookie, sizeof cookie, "x; mneedle-signin=%s", tok);
    (void)cookie;
    /* The sign-in cookie goes with the request as a browser would send it. */
    mn_http_header h[3] = {{"Cookie", NULL},
                           {"Content-Type", "application/x-www-form-urlencoded"},
                           {"Host", "127.0.0.1:8080"}};
    snprintf(hdr, sizeof hdr, "mneedle-signin=%s", tok);
    h[0].value = hdr;
    mn_http_request req = {"POST", "/signin", NULL, h, 3, form, strlen(form), "192.0.2.1", now};
    assert_int_equal(mn_server_handle(srv, &req, &r), MN_OK);
    set_cookie(&r, "mneedle", sid, 64);
    int status = r.status;
    mn_http_response_release(&r);
    return status;
}

/* The CSRF token of a signed-in session: from a page's form. */
static void token_of(const char *sid, long long now, char tok[64])
{
    mn_http_response r;
    request("GET", "/clients", NULL, sid, NULL, NULL, now, &r);
    assert_int_equal(r.status, 200);
    csrf_of(&r, tok);
    assert_int_equal(strlen(tok), 32);
    mn_http_response_release(&r);
}

/* Signs pia, the practitioner, in at T0 and takes her session's CSRF token, as the tests
 * that post forms begin. */
static void sign_in_practitioner(char sid[64], char tok[64])
{
    assert_int_equal(sign_in("pia", PASSWORD, T0, sid), 303);
    token_of(sid, T0, tok);
}

/* A GET by @p sid at T0 that must answer 200 with a page holding each of the strings that
 * follow, up to a NULL; a failure names the page and the missing string, since its line is
 * this function's. */
static void expect_page(const char *path, const char *sid, ...)
{
    mn_http_response r;
    request("GET", path, NULL, sid, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    va_list has;
    va_start(has, sid);
    for (const char *s; (s = va_arg(has, const char *));)
        if (!strstr(r.body, s))
            fail_msg("GET %s: no %s", path, s);
    va_end(has);
    mn_http_response_release(&r);
}

/* The count @p sql (a `SELECT count(*)`) gives on a read-only handle of its own, its `?`
 * bound in order to the text arguments that follow, up to a NULL. */
static int count_rows(const char *sql, ...)
{
    sqlite3 *h;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    va_list ap;
    va_start(ap, sql);
    int rc = SQLITE_OK;
    const char *v;
    for (int i = 1; rc == SQLITE_OK && (v = va_arg(ap, const char *)); i++)
        rc = sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    va_end(ap);
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* Stores the Amelia example once more, under client id @p id, for a test of its own. */
static void add_amelia_as(const char *id)
{
    mn_store *store;
    size_t len = 0;
    char *text = mn_test_read_file(MN_SOURCE_DIR "/examples/clients/amelia-wrinkles.json", &len);
    char got[MN_STORE_ID_LEN];
    assert_non_null(text);
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_client_add(ctx, store, "amelia.json", text, len, id, got), MN_OK);
    mn_store_close(store);
    free(text);
}

/* The number of reads in the audit log. */
static int audit_reads(void)
{
    return count_rows("SELECT count(*) FROM audit WHERE action = 'read'", (const char *)NULL);
}

/* The number of reads in the audit log by @p actor and labelled @p what. */
static int reads_by(const char *actor, const char *what)
{
    return count_rows("SELECT count(*) FROM audit WHERE action = 'read' AND actor = ? "
                      "AND detail = ?",
                      actor, what, (const char *)NULL);
}

/* The audit log's chain holds (db check): through @p store, or a handle of its own on the
 * test database when NULL. */
static void assert_audit_chain_holds(mn_store *store)
{
    mn_store *own = NULL;
    mn_store_check_result chk;
    if (!store)
        assert_int_equal(mn_store_open(ctx, db, 0, 0, &own), MN_OK);
    assert_int_equal(mn_store_check(ctx, store ? store : own, &chk), MN_OK);
    assert_true(chk.audit_ok);
    mn_store_close(own);
}

/* The sessions a client has, for count_rows() with the client's id. */
#define SESSIONS_OF_CLIENT                                                                         \
    "SELECT count(*) FROM sessions s JOIN clients c ON c.num = s.client WHERE c.id = ?"

/* The charting form of one SkinPen session on the forehead with no adverse event, signed with
 * @p tok: what most session tests post, at their own date, needle length and passes. */
static void forehead_session(char *buf, size_t size, const char *tok, const char *date,
                             const char *depth_mm, int passes)
{
    snprintf(buf, size,
             "csrf=%s&date=%s&device=skinpen&zone0=forehead&depth0=%s&passes0=%d"
             "&adverse_events=none",
             tok, date, depth_mm, passes);
}

static void test_forms(void **state)
{
    (void)state;
    mn__form f;
    const char *q = "a=1&b=x+y%21&empty=&flag&%zz=%4";
    assert_int_equal(mn__form_parse(q, strlen(q), &f), MN_OK);
    assert_int_equal(f.n, 5);
    assert_string_equal(mn__form_str(&f, "a"), "1");
    assert_string_equal(mn__form_str(&f, "b"), "x y!");
    assert_string_equal(mn__form_str(&f, "empty"), "");
    assert_non_null(mn__form_get(&f, "flag"));
    assert_string_equal(mn__form_str(&f, "%zz"), "%4"); /* broken escapes stay as they are */
    assert_null(mn__form_get(&f, "missing"));
    mn__form_release(&f);
    /* More fields than the limit: refused, not truncated. */
    size_t n = 2 * (MN__FORM_MAX_FIELDS + 1);
    char *many = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(many + i, "a&", 2);
    many[n] = '\0';
    assert_int_equal(mn__form_parse(many, n, &f), MN_ELIMIT);
    free(many);
    /* Escaping by context. */
    mn__buf b;
    mn__buf_init(&b);
    mn__srv_esc(&b, "<a href=\"x\">&'");
    mn__buf_append(&b, "|", 1);
    mn__srv_url(&b, "a b/c?d&e");
    mn__buf_append(&b, "|", 1);
    mn__srv_json_str(&b, "</script>\"\n");
    mn__buf_append(&b, "", 1);
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;|a%20b%2Fc%3Fd%26e|"
                                "\"\\u003c/script\\u003e\\\"\\u000a\"");
    mn__buf_release(&b);
}

static void test_raw_parse(void **state)
{
    (void)state;
    const char raw[] = "POST /signin?next=%2Fclients HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                       "\r\na=b";
    mn_http_parsed *p;
    assert_int_equal(mn_http_parse(ctx, raw, sizeof raw - 1, &p), MN_OK);
    const mn_http_request *req = mn_http_parsed_request(p);
    assert_string_equal(req->method, "POST");
    assert_string_equal(req->path, "/signin");
    assert_string_equal(req->query, "next=%2Fclients");
    assert_int_equal(req->n_headers, 2);
    assert_int_equal(req->body_len, 3);
    mn_http_parsed_free(p);
    const char *bad[] = {"GET /\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
                         "GET / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mn_http_parse(ctx, bad[i], strlen(bad[i]), &p), MN_EPARSE);
        assert_null(p);
    }
}

static void test_routing(void **state)
{
    (void)state;
    mn_http_response r;
    expect("GET", "/no-such-page", NULL, NULL, T0, 404, NULL, NULL);
    /* Without a session: pages redirect to sign-in with the way back, the API says 401. */
    request("GET", "/clients/amelia", NULL, NULL, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(mn_http_response_header(&r, "Location"),
                        "/signin?next=%2Fclients%2Famelia");
    mn_http_response_release(&r);
    expect("GET", "/api/v1/clients", NULL, NULL, T0, 401, "\"error\"", NULL);
    /* JSON or a page is chosen on the path as the router reads it (decoded), not as spelt:
     * an API path with an encoded letter is the API's; a page's, the page's. */
    static const char *const api_spelt[] = {"/%61pi/v1/clients", "/api/v1/%63lients",
                                            "/%61%70%69/v1/session"};
    for (size_t i = 0; i < sizeof api_spelt / sizeof api_spelt[0]; i++) {
        request("GET", api_spelt[i], NULL, NULL, NULL, NULL, T0, &r);
        assert_int_equal(r.status, 401);
        assert_string_equal(mn_http_response_header(&r, "Content-Type"), "application/json");
        mn_http_response_release(&r);
    }
    request("GET", "/%61pi/v1/nothing", NULL, NULL, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(mn_http_response_header(&r, "Content-Type"), "application/json");
    mn_http_response_release(&r);
    request("GET", "/%63lients", NULL, NULL, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(mn_http_response_header(&r, "Location"), "/signin?next=%2F%2563lients");
    mn_http_response_release(&r);
    /* A known path with a method it does not take. */
    expect("DELETE", "/clients", NULL, NULL, T0, 405, NULL, NULL);
    /* Encoded slashes, dot segments and NULs are not paths of this server. */
    const char *odd[] = {"/clients/a%2Fb", "/clients/..", "/clients/%00",
                         "//clients",      "clients",     "/clients/x/../../users"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        request("GET", odd[i], NULL, NULL, NULL, NULL, T0, &r);
        assert_int_equal(r.status, 404);
        mn_http_response_release(&r);
    }
    /* Public: the stylesheet and the sign-in page; HEAD has no body. */
    request("HEAD", "/style.css", NULL, NULL, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_null(r.body);
    mn_http_response_release(&r);
}

static void assert_security_headers(const mn_http_response *r)
{
    const char *csp = mn_http_response_header(r, "Content-Security-Policy");
    assert_non_null(csp);
    assert_null(strstr(csp, "unsafe-inline') script")); /* never inline script */
    assert_null(strstr(csp, "script-src 'unsafe"));
    assert_string_equal(mn_http_response_header(r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(mn_http_response_header(r, "Referrer-Policy"), "no-referrer");
}

static void test_sessions(void **state)
{
    (void)state;
    char sid[64], sid2[64];
    /* A wrong password: back to the form, no session. */
    assert_int_equal(sign_in("pia", "wrong password", T0, sid), 303);
    assert_string_equal(sid, "");
    assert_int_equal(sign_in("pia", PASSWORD, T0, sid), 303);
    assert_int_equal(strlen(sid), 32);
    assert_int_equal(sign_in("pia", PASSWORD, T0, sid2), 303);
    assert_string_not_equal(sid, sid2); /* a new id at every sign-in */
    mn_http_response r;
    request("GET", "/clients", NULL, sid, NULL, NULL, T0 + 60, &r);
    assert_int_equal(r.status, 200);
    assert_security_headers(&r);
    assert_string_equal(mn_http_response_header(&r, "Cache-Control"), "no-store");
    assert_non_null(strstr(r.body, "id=\"client-list\""));
    mn_http_response_release(&r);
    /* A forged cookie is no session. */
    request("GET", "/clients", NULL, "0123456789abcdef0123456789abcdef", NULL, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    /* Idle timeout: used at T0+60, so alive just before T0+60+idle, gone at it. */
    int idle = 30 * 60;
    request("GET", "/clients", NULL, sid, NULL, NULL, T0 + 60 + idle - 1, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    expect("GET", "/clients", sid2, NULL, T0 + idle, 303, NULL, NULL);
    /* Absolute timeout: kept busy, it still ends 8 h after sign-in (the top of OWASP's range
     * for a working day, mn_server_config_init). */
    long long t = T0 + 60 + idle - 1;
    while (t + idle / 2 < T0 + 8 * 3600) {
        t += idle / 2;
        expect("GET", "/clients", sid, NULL, t, 200, NULL, NULL);
    }
    expect("GET", "/clients", sid, NULL, T0 + 8 * 3600 - 1, 200, NULL, NULL);
    request("GET", "/clients", NULL, sid, NULL, NULL, T0 + 8 * 3600, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    /* Sign-out ends the session. */
    char tok[64];
    assert_int_equal(sign_in("rob", PASSWORD, T0, sid), 303);
    token_of(sid, T0, tok);
    char form[96];
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/signout", sid, form, T0, 303, NULL, NULL);
    expect("GET", "/clients", sid, NULL, T0, 303, NULL, NULL);
}

static void test_csrf_and_origin(void **state)
{
    (void)state;
    char sid[64], tok[64], form[160];
    sign_in_practitioner(sid, tok);
    mn_http_response r;
    /* No token, a wrong token: refused, nothing saved. */
    request("POST", "/clients/amelia/plan", NULL, sid, "x=1", NULL, T0, &r);
    assert_int_equal(r.status, 403);
    assert_security_headers(&r);
    mn_http_response_release(&r);
    request("POST", "/clients/amelia/plan", NULL, sid, "csrf=0123456789abcdef0123456789abcdef",
            NULL, T0, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    snprintf(form, sizeof form, "csrf=%s", tok);
    /* The right token from another site: refused by the origin check. */
    request("POST", "/clients/amelia/plan", NULL, sid, form, "Origin: http://evil.example", T0, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    request("POST", "/clients/amelia/plan", NULL, sid, form, "Sec-Fetch-Site: cross-site", T0, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    /* A browser that says cross-site is refused even when Origin looks right; "Origin: null"
     * (an opaque origin) without Sec-Fetch-Site is refused. */
    request("POST", "/clients/amelia/plan", NULL, sid, form,
            "Origin: http://127.0.0.1:8080\nSec-Fetch-Site: cross-site", T0, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    request("POST", "/clients/amelia/plan", NULL, sid, form, "Origin: null", T0, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    /* The token of another session is no good either. */
    char sid2[64], tok2[64], form2[160];
    assert_int_equal(sign_in("ada", PASSWORD, T0, sid2), 303);
    token_of(sid2, T0, tok2);
    snprintf(form2, sizeof form2, "csrf=%s", tok2);
    expect("POST", "/clients/amelia/plan", sid, form2, T0, 403, NULL, NULL);
    mn_store *store;
    mn_store_client c;
    assert_int_equal(mn_store_open(ctx, db, MN_STORE_READONLY, 0, &store), MN_OK);
    assert_int_equal(mn_store_client_get(ctx, store, "amelia", &c), MN_OK);
    assert_int_equal(c.n_plans, 0);
    mn_store_client_release(&c);
    /* Same origin and the right token: saved. */
    request("POST", "/clients/amelia/plan", NULL, sid, form, "Origin: http://127.0.0.1:8080", T0,
            &r);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(mn_http_response_header(&r, "Location"), "/clients/amelia?msg=Plan"));
    mn_http_response_release(&r);
    assert_int_equal(mn_store_client_get(ctx, store, "amelia", &c), MN_OK);
    assert_int_equal(c.n_plans, 1);
    mn_store_client_release(&c);
    /* What a browser sends for the site's own form under Referrer-Policy: no-referrer:
     * "Origin: null" with "Sec-Fetch-Site: same-origin". Accepted. */
    request("POST", "/clients/amelia/plan", NULL, sid, form,
            "Origin: null\nSec-Fetch-Site: same-origin", T0, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    assert_int_equal(mn_store_client_get(ctx, store, "amelia", &c), MN_OK);
    assert_int_equal(c.n_plans, 2);
    mn_store_client_release(&c);
    mn_store_close(store);
    /* The sign-in form's own token: a POST without the matching cookie is turned back. */
    char body[128];
    snprintf(body, sizeof body, "csrf=%s&user=pia&password=%s", tok, PASSWORD);
    mn_http_header h[1] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    mn_http_request req = {"POST", "/signin", NULL, h, 1, body, strlen(body), "192.0.2.9", T0};
    assert_int_equal(mn_server_handle(srv, &req, &r), MN_OK);
    assert_int_equal(r.status, 303);
    char none[64];
    assert_string_equal(set_cookie(&r, "mneedle", none, sizeof none), "");
    mn_http_response_release(&r);
}

static void test_roles(void **state)
{
    (void)state;
    char rob[64], pia[64], ada[64], tok[64], form[512];
    assert_int_equal(sign_in("rob", PASSWORD, T0, rob), 303);
    assert_int_equal(sign_in("pia", PASSWORD, T0, pia), 303);
    assert_int_equal(sign_in("ada", PASSWORD, T0, ada), 303);
    mn_http_response r;
    /* Read-only reads, and cannot chart, even with a valid token. */
    request("GET", "/clients/amelia", NULL, rob, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "id=\"chart-session\"")); /* no link to what it cannot do */
    mn_http_response_release(&r);
    expect("GET", "/clients/amelia/sessions/new", rob, NULL, T0, 403, NULL, NULL);
    token_of(rob, T0, tok);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&zone0=forehead&depth0=0.5&passes0=2"
             "&adverse_events=none",
             tok);
    expect("POST", "/clients/amelia/sessions", rob, form, T0, 403, "read-only", NULL);
    /* Users: admins only. */
    expect("GET", "/users", pia, NULL, T0, 403, NULL, NULL);
    request("GET", "/users", NULL, ada, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<td>rob</td><td>read-only</td>"));
    assert_null(strstr(r.body, "$argon2id$")); /* never a hash */
    mn_http_response_release(&r);
    /* API: read-only cannot replan. */
    mn_http_header h[2] = {{"Cookie", NULL}, {"X-CSRF-Token", tok}};
    char cookie[80];
    snprintf(cookie, sizeof cookie, "mneedle=%s", rob);
    h[0].value = cookie;
    mn_http_request req = {"POST", "/api/v1/clients/amelia/replan", NULL, h, 2, "", 0, "x", T0};
    assert_int_equal(mn_server_handle(srv, &req, &r), MN_OK);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
}

/* Charting: a depth beyond the plan's cap is refused unless a reason is given. */
static void test_charting(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    sign_in_practitioner(pia, tok);
    /* The plan was saved in test_csrf_and_origin; the form is pre-filled from it. Reading
     * the record for it is audited as charting. */
    int charts = reads_by("pia", "chart");
    expect_page("/clients/amelia/sessions/new", pia, "name=\"zone0\" value=\"forehead\"",
                "name=\"device\" value=\"skinpen\"", NULL);
    assert_int_equal(reads_by("pia", "chart"), charts + 1);
    /* Adverse events are stated each time: the box starts empty, and a session without
     * them is refused beside the box, nothing recorded. */
    expect("GET", "/clients/amelia/sessions/new", pia, NULL, T0, 200,
           "name=\"adverse_events\" rows=\"3\" required></textarea>", NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&zone0=forehead&depth0=0.5&passes0=3"
             "&adverse_events=",
             tok);
    expect("POST", "/clients/amelia/sessions", pia, form, T0, 422,
           "id=\"error-adverse_events\" role=\"alert\">form: $.adverse_events: expected", NULL);
    assert_int_equal(count_rows("SELECT count(*) FROM sessions", (const char *)NULL), 0);
    forehead_session(form, sizeof form, tok, "2026-12-01", "2.5", 2);
    expect("POST", "/clients/amelia/sessions", pia, form, T0, 422, "id=\"error\"", NULL);
    /* The refusal points to the form's box, not to the command's option. */
    expect("POST", "/clients/amelia/sessions", pia, form, T0, 422,
           "(give a reason in the Override reason box to record it anyway)", "--override");
    size_t n = strlen(form);
    snprintf(form + n, sizeof form - n, "&override=thick+scar+tissue%%2C+tolerated");
    mn_http_response r;
    request("POST", "/clients/amelia/sessions", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(mn_http_response_header(&r, "Location"), "override"));
    mn_http_response_release(&r);
}

/* Text from the record reaches pages escaped; reads are audited with the user. */
static void test_escaping_and_audit(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    sign_in_practitioner(pia, tok);
    snprintf(form, sizeof form,
             "csrf=%s&id=xss&client.name=%%3Cscript%%3Ealert(1)%%3C%%2Fscript%%3E&client.age=40"
             "&client.sex=female&client.fitzpatrick=2&concern0.concern=fine-lines-wrinkles"
             "&concern0.zones=forehead&concern0.severity=mild&clinic.start=2026-12-01",
             tok);
    expect("POST", "/clients", pia, form, T0, 303, NULL, NULL);
    expect("GET", "/clients", pia, NULL, T0, 200, "&lt;script&gt;alert(1)&lt;/script&gt;",
           "<script>");
    /* A bad field: the loader's message beside it, nothing stored. */
    snprintf(form, sizeof form,
             "csrf=%s&id=bad&client.age=400&client.sex=female&client.fitzpatrick=2"
             "&concern0.concern=fine-lines-wrinkles&concern0.zones=forehead",
             tok);
    expect("POST", "/clients", pia, form, T0, 422, "id=\"error-client.age\"", NULL);
    expect("GET", "/clients/bad", pia, NULL, T0, 404, NULL, NULL);
    /* The client page's read is in the audit log under pia's name, and the chain holds. */
    expect("GET", "/clients/xss", pia, NULL, T0, 200, NULL, NULL);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT actor, detail FROM audit WHERE action = 'read' "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "pia");
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "page");
    sqlite3_finalize(q);
    sqlite3_close(h);
    /* The JSON API writes '<', '>' and '&' in strings as \\u escapes (docs/serve.md). */
    {
        mn_http_response jr;
        request("GET", "/api/v1/clients/xss", "identity=1", pia, NULL, NULL, T0, &jr);
        assert_int_equal(jr.status, 200);
        assert_non_null(strstr(jr.body, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
        assert_null(strstr(jr.body, "<"));
        mn_http_response_release(&jr);
        request("GET", "/api/v1/clients", "identity=1", pia, NULL, NULL, T0, &jr);
        assert_int_equal(jr.status, 200);
        assert_null(strstr(jr.body, "<"));
        mn_http_response_release(&jr);
    }
    assert_audit_chain_holds(NULL);
}

/* The number of audit entries matching @p where (an SQL condition on the audit table). */
/* @p n failed sign-ins in a row of user @p name from address @p ip, as the store logs them. */
static void failed_signins(mn_store *store, const char *name, const char *ip, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(mn_store_audit_signin(ctx, store, name, "signin-failed", ip, NULL), MN_OK);
}

static int audit_count(const char *where)
{
    sqlite3 *h;
    sqlite3_stmt *q;
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE %s", where);
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* Five wrong passwords for a name, then even the right one waits for the window. Each try is
 * audited with the name and the address, the lockout once; no password is in the log. */
static void test_signin_limit(void **state)
{
    (void)state;
    char sid[64];
    long long t = T0 + 100000;
    for (int i = 0; i < 5; i++)
        assert_int_equal(sign_in("ada", "not the password", t + i, sid), 303);
    assert_int_equal(sign_in("ada", PASSWORD, t + 10, sid), 429);
    assert_string_equal(sid, "");
    /* Another user from the same address is not held: every browser of this computer comes
     * from 127.0.0.1, so one name's failures must not lock the others out. */
    assert_int_equal(sign_in("rob", PASSWORD, t + 11, sid), 303);
    assert_int_equal(strlen(sid), 32);
    /* After the window, the right password works again. */
    int before = audit_count("action = 'signin' AND actor = 'ada'");
    assert_int_equal(sign_in("ada", PASSWORD, t + 15 * 60 + 1, sid), 303);
    assert_int_equal(strlen(sid), 32);
    assert_int_equal(audit_count("action = 'signin' AND actor = 'ada' AND detail = '192.0.2.1'"),
                     before + 1);
    assert_int_equal(audit_count("action = 'signin-failed' AND actor = 'ada' AND entity = "
                                 "'users:1' AND detail = '192.0.2.1'"),
                     5);
    assert_int_equal(audit_count("action = 'locked' AND actor = 'ada'"), 1);
    /* A name that is no user: logged as none, never as typed (it may be a password). */
    assert_int_equal(sign_in("hunter2-typed-here", PASSWORD, t + 40 * 60, sid), 303);
    assert_int_equal(audit_count("action = 'signin-failed' AND actor = 'unknown' AND entity = "
                                 "'users:0'"),
                     1);
    assert_int_equal(audit_count("instr(actor || detail || entity, 'hunter2') OR "
                                 "instr(actor || detail, 'the password') OR "
                                 "instr(detail, 'horse')"),
                     0);
    assert_audit_chain_holds(NULL);
}

/* Guesses in flight together: each is counted when it starts, before its password is checked,
 * so twenty at once (none finished) get five checks, not twenty; a success clears the count. */
static void test_signin_limit_in_flight(void **state)
{
    (void)state;
    mn__sessions s;
    assert_int_equal(mn__sessions_init(&s, 16, 1800, 28800, 5, 900, 10, 30), MN_OK);
    int checked = 0, wait_s = -1;
    for (int i = 0; i < 20; i++)
        checked += mn__login_begin(&s, "ada", "192.0.2.7", T0, NULL, NULL);
    assert_int_equal(checked, 5);
    /* The other address, same name: held by the name's count, for the rest of its window. */
    assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.8", T0 + 100, NULL, &wait_s), 0);
    assert_int_equal(wait_s, 800);
    /* After the window, one check; its success clears the count. */
    assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.7", T0 + 901, NULL, NULL), 1);
    mn__login_end(&s, "ada", "192.0.2.7", 1, T0 + 901);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.7", T0 + 902, NULL, NULL), 1);
        mn__login_end(&s, "ada", "192.0.2.7", 0, T0 + 902);
    }
    int last = 0;
    assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.7", T0 + 902, &last, NULL), 1);
    assert_int_equal(last, 1); /* the fifth: its failure locks the name */
    assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.7", T0 + 902, NULL, NULL), 0);
    mn__sessions_release(&s);
}

/* The address is never locked: failures of one name from an address do not hold another name
 * from it (every browser of this computer is 127.0.0.1). Past 10 failures over every name in
 * the window, its tries are spaced 30 s apart, for every name, which bounds a spray of one
 * password over many names; a success of one name does not lift that. */
static void test_signin_address_spacing(void **state)
{
    (void)state;
    mn__sessions s;
    assert_int_equal(mn__sessions_init(&s, 16, 1800, 28800, 5, 900, 10, 30), MN_OK);
    const char *addr = "127.0.0.1";
    char name[32];
    int wait_s = -1;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(mn__login_begin(&s, "ada", addr, T0, NULL, NULL), 1);
        mn__login_end(&s, "ada", addr, 0, T0);
    }
    assert_int_equal(mn__login_begin(&s, "ada", addr, T0, NULL, NULL), 0); /* ada locked */
    assert_int_equal(mn__login_begin(&s, "rob", addr, T0, NULL, NULL), 1); /* rob is not */
    mn__login_end(&s, "rob", addr, 1, T0);
    /* A spray: five more names, one failure each, reach the address's 10. */
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "spray%d", i);
        assert_int_equal(mn__login_begin(&s, name, addr, T0 + 1, NULL, NULL), 1);
        mn__login_end(&s, name, addr, 0, T0 + 1);
    }
    /* Now 30 s apart, whichever the name; another address is not slowed. */
    assert_int_equal(mn__login_begin(&s, "rob", addr, T0 + 2, NULL, &wait_s), 0);
    assert_int_equal(wait_s, 29);
    assert_int_equal(mn__login_begin(&s, "rob", "192.0.2.1", T0 + 2, NULL, NULL), 1);
    mn__login_end(&s, "rob", "192.0.2.1", 1, T0 + 2);
    assert_int_equal(mn__login_begin(&s, "rob", addr, T0 + 31, NULL, NULL), 1);
    mn__login_end(&s, "rob", addr, 1, T0 + 31); /* a success: the address stays slowed */
    assert_int_equal(mn__login_begin(&s, "pia", addr, T0 + 32, NULL, &wait_s), 0);
    assert_int_equal(wait_s, 29);
    /* Tried every second for two minutes: four tries, 30 s apart. */
    int tried = 0;
    for (long long t = T0 + 61; t < T0 + 181; t++)
        if (mn__login_begin(&s, "spray9", addr, t, NULL, NULL)) {
            mn__login_end(&s, "spray9", addr, 0, t);
            tried++;
        }
    assert_int_equal(tried, 4);
    /* The window over, the address starts again (but ada's lock ran out with it too). */
    assert_int_equal(mn__login_begin(&s, "pia", addr, T0 + 901, NULL, NULL), 1);
    mn__login_end(&s, "pia", addr, 1, T0 + 901);
    mn__sessions_release(&s);
}

/* An IPv6 client is counted by its /64 (a host holds a whole /64 and can use any address in
 * it): ten failures over ten addresses of one /64 slow the eleventh address of it, not an
 * address of the next /64; an IPv4 address mapped into IPv6 counts as the IPv4 one. */
static void test_signin_ipv6_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *key;
    } keys[] = {{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "a:2001:db8:1:2::/64"},
                {"2001:DB8:1:2::1", "a:2001:db8:1:2::/64"},
                {"fe80::1%eth0", "a:fe80::/64"},
                {"::1", "a:::/64"},
                {"::ffff:192.0.2.1", "a:192.0.2.1"},
                {"192.0.2.1", "a:192.0.2.1"},
                {"", "a:?"},
                {NULL, "a:?"}};
    char key[80];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        mn__login_addr_key(keys[i].addr, key, sizeof key);
        if (strcmp(key, keys[i].key))
            fail_msg("%s: key %s, not %s", keys[i].addr ? keys[i].addr : "(none)", key,
                     keys[i].key);
    }
    mn__sessions s;
    assert_int_equal(mn__sessions_init(&s, 16, 1800, 28800, 5, 900, 10, 30), MN_OK);
    char name[32], addr[64];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "n%d", i);
        snprintf(addr, sizeof addr, "2001:db8:1:2:%x::%x", i + 1, 7 * i + 3);
        assert_int_equal(mn__login_begin(&s, name, addr, T0, NULL, NULL), 1);
        mn__login_end(&s, name, addr, 0, T0);
    }
    int wait_s = -1;
    assert_int_equal(mn__login_begin(&s, "rob", "2001:db8:1:2:ffff::1", T0 + 1, NULL, &wait_s), 0);
    assert_int_equal(wait_s, 29);
    assert_int_equal(mn__login_begin(&s, "rob", "2001:db8:1:3::1", T0 + 1, NULL, NULL), 1);
    mn__login_end(&s, "rob", "2001:db8:1:3::1", 1, T0 + 1);
    /* The mapped form of an IPv4 address shares that address's count. */
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "m%d", i);
        const char *a = i % 2 ? "::ffff:192.0.2.9" : "192.0.2.9";
        assert_int_equal(mn__login_begin(&s, name, a, T0 + 2, NULL, NULL), 1);
        mn__login_end(&s, name, a, 0, T0 + 2);
    }
    assert_int_equal(mn__login_begin(&s, "rob", "192.0.2.9", T0 + 3, NULL, NULL), 0);
    mn__sessions_release(&s);
}

/* Why user @p name is disabled, as the store lists it (-1: no such user). */
static int disabled_by(mn_store *store, const char *name)
{
    mn_store_user *users = NULL;
    int n = 0, by = -1;
    assert_int_equal(mn_store_user_list(ctx, store, &users, &n), MN_OK);
    for (int i = 0; i < n; i++)
        if (!strcmp(users[i].name, name))
            by = users[i].disabled ? (int)users[i].disabled_by : (int)MN_STORE_DISABLED_NONE;
    mn_store_user_list_free(users);
    return by;
}

/* MN_STORE_SIGNIN_FAILURES_DISABLE failed sign-ins in a row disable the user until an admin
 * enables it (NIST SP 800-63B, 5.2.2), with an entry; a sign-in between starts the count
 * again, and so does the admin's enabling. The count is the audit log's, so no restart of the
 * server resets it. The failure that disables says so (its sessions are to end), no other
 * does; the user list says why a user is disabled, the lock or an admin; the ending of
 * sessions is logged on the user's row. */
static void test_signin_failures_disable(void **state)
{
    (void)state;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "hard", MN_ROLE_PRACTITIONER, PASSWORD), MN_OK);
    mn_store_role role;
    int now_disabled = -1;
    enum { N = MN_STORE_SIGNIN_FAILURES_DISABLE };
    failed_signins(store, "hard", "192.0.2.5", N - 1);
    assert_int_equal(mn_store_audit_signin(ctx, store, "hard", "signin", "192.0.2.5", NULL), MN_OK);
    for (int i = 0; i < N - 1; i++) {
        assert_int_equal(
            mn_store_audit_signin(ctx, store, "hard", "signin-failed", "192.0.2.5", &now_disabled),
            MN_OK);
        assert_int_equal(now_disabled, 0);
    }
    assert_int_equal(mn_store_user_verify(ctx, store, "hard", PASSWORD, &role), MN_OK);
    assert_int_equal(disabled_by(store, "hard"), MN_STORE_DISABLED_NONE);
    char disabled[200];
    snprintf(disabled, sizeof disabled,
             "action = 'update' AND actor = 'hard' AND detail = 'disabled: %d failed sign-ins in "
             "a row'",
             N);
    assert_int_equal(audit_count(disabled), 0);
    assert_int_equal(
        mn_store_audit_signin(ctx, store, "hard", "signin-failed", "192.0.2.5", &now_disabled),
        MN_OK);
    assert_int_equal(now_disabled, 1);
    assert_int_equal(mn_store_user_verify(ctx, store, "hard", PASSWORD, &role), MN_EINVAL);
    assert_int_equal(audit_count(disabled), 1);
    assert_int_equal(disabled_by(store, "hard"), MN_STORE_DISABLED_FAILURES);
    /* Failing on (a disabled user's tries fail too) adds no second entry, ends nothing more. */
    assert_int_equal(
        mn_store_audit_signin(ctx, store, "hard", "signin-failed", "192.0.2.5", &now_disabled),
        MN_OK);
    assert_int_equal(now_disabled, 0);
    assert_int_equal(audit_count(disabled), 1);
    /* The ending of its sessions, logged on its row, with the actor given (the handle's own
     * actor stays); no such user, no entry. */
    assert_int_equal(mn_store_audit_sessions_ended(ctx, store, "hard", 2,
                                                   "locked after 100 failed sign-ins", "hard"),
                     MN_OK);
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'hard' AND entity = "
                                 "(SELECT 'users:' || id FROM users WHERE name = 'hard') AND "
                                 "detail = '2 ended: locked after 100 failed sign-ins'"),
                     1);
    assert_int_equal(mn_store_audit_sessions_ended(ctx, store, "nobody", 0, "x", NULL),
                     MN_ENOTFOUND);
    /* The admin enables it: it signs in, and its count starts again. */
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "hard", 0, NULL), MN_OK);
    assert_int_equal(disabled_by(store, "hard"), MN_STORE_DISABLED_NONE);
    assert_int_equal(
        mn_store_audit_signin(ctx, store, "hard", "signin-failed", "192.0.2.5", &now_disabled),
        MN_OK);
    assert_int_equal(now_disabled, 0);
    assert_int_equal(mn_store_user_verify(ctx, store, "hard", PASSWORD, &role), MN_OK);
    /* Disabled by an admin this time: the list says so. */
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "hard", 1, NULL), MN_OK);
    assert_int_equal(disabled_by(store, "hard"), MN_STORE_DISABLED_ADMIN);
    mn_store_close(store);
    assert_audit_chain_holds(NULL);
}

static int post_form(const char *path, const char *sid, const char *fields, long long now,
                     char loc[512]);

/* The lock over requests, as a browser meets it: a user signed in, then
 * MN_STORE_SIGNIN_FAILURES_DISABLE wrong passwords for that name (spaced so the 15-minute
 * limit of the name and the spacing of the address let each one be checked, the session used
 * meanwhile so it stays open). Up to the last one the session works; the failure that disables
 * the user ends it at once (its next request is signed out, page and API alike), and the
 * ending is logged. The users page and its API say why the user is disabled, and the admin's
 * Disable ends sessions and logs it in the same way. */
static void test_signin_failures_end_sessions(void **state)
{
    (void)state;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "lena", MN_ROLE_PRACTITIONER, PASSWORD), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "otto", MN_ROLE_READONLY, PASSWORD), MN_OK);
    mn_store_close(store);
    enum { N = MN_STORE_SIGNIN_FAILURES_DISABLE };
    const long long t = T0 + 10 * 86400; /* clear of the other tests' sign-ins */
    char lena[64], second[64], tried[64], ada[64];
    assert_int_equal(sign_in("lena", PASSWORD, t, lena), 303);
    assert_int_equal(sign_in("lena", PASSWORD, t, second), 303);
    assert_int_equal(strlen(lena), 32);
    /* 181 s apart: five tries of the name in its 15-minute window, never the address's ten. */
    long long at = t;
    for (int i = 0; i < N; i++) {
        at = t + 1 + 181LL * i;
        expect("GET", "/clients", lena, NULL, at, 200, NULL, NULL);
        expect("GET", "/clients", second, NULL, at, 200, NULL, NULL);
        assert_int_equal(sign_in("lena", "not the password", at, tried), 303);
        assert_string_equal(tried, "");
    }
    assert_true(at - t < 8 * 3600); /* within the session's absolute limit */
    /* Both sessions end with the hundredth failure: signed out, page and API. */
    expect("GET", "/clients", lena, NULL, at, 303, NULL, NULL);
    expect("GET", "/clients", second, NULL, at, 303, NULL, NULL);
    expect("GET", "/api/v1/session", lena, NULL, at, 401, NULL, NULL);
    assert_int_equal(sign_in("lena", PASSWORD, at + 3600, tried), 303);
    assert_string_equal(tried, "");
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'lena' AND detail = "
                                 "'2 ended: locked after 100 failed sign-ins'"),
                     1);
    /* The admin's page and API say why. */
    assert_int_equal(sign_in("ada", PASSWORD, at + 3600, ada), 303);
    expect("GET", "/users", ada, NULL, at + 3600, 200,
           "id=\"state-lena\">disabled <span class=\"why\" id=\"why-lena\">(locked after 100 "
           "failed sign-ins)</span>",
           NULL);
    mn_http_response r;
    request("GET", "/api/v1/users", NULL, ada, NULL, NULL, at + 3600, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "{\"name\": \"lena\", \"role\": \"practitioner\", "));
    assert_non_null(strstr(r.body, "\"state\": \"disabled\", \"disabled_reason\": "
                                   "\"failed-sign-ins\"}"));
    assert_non_null(strstr(r.body, "\"state\": \"active\", \"disabled_reason\": null}"));
    assert_null(strstr(r.body, "$argon2"));
    mn_http_response_release(&r);
    /* Only for admins. */
    char pia[64];
    assert_int_equal(sign_in("pia", PASSWORD, at + 3600, pia), 303);
    expect("GET", "/api/v1/users", pia, NULL, at + 3600, 403, NULL, NULL);
    /* An admin's Disable: the user's session ends at once, logged with the admin as actor. */
    char otto[64], loc[512];
    assert_int_equal(sign_in("otto", PASSWORD, at + 3600, otto), 303);
    expect("GET", "/clients", otto, NULL, at + 3600, 200, NULL, NULL);
    assert_int_equal(post_form("/users/otto/disable", ada, "", at + 3600, loc), 303);
    expect("GET", "/clients", otto, NULL, at + 3600, 303, NULL, NULL);
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'ada' AND detail = "
                                 "'1 ended: disabled by an admin'"),
                     1);
    expect("GET", "/users", ada, NULL, at + 3600, 200,
           "id=\"state-otto\">disabled <span class=\"why\" id=\"why-otto\">(by an "
           "admin)</span>",
           NULL);
    /* Enabled again, each signs in with the same password; no password in the log. */
    assert_int_equal(post_form("/users/lena/enable", ada, "", at + 3600, loc), 303);
    assert_int_equal(post_form("/users/otto/enable", ada, "", at + 3600, loc), 303);
    assert_int_equal(sign_in("lena", PASSWORD, at + 3601, lena), 303);
    assert_int_equal(strlen(lena), 32);
    expect("GET", "/users", ada, NULL, at + 3601, 200, "id=\"state-lena\">active</td>", NULL);
    assert_int_equal(audit_count("instr(detail, 'the password') OR instr(detail, 'horse')"), 0);
    assert_audit_chain_holds(NULL);
}

/* The failure that disables a user ends its sessions even when an entry logged after it (the
 * "locked" of the try that reached the sign-in limit) cannot be written: the user is disabled
 * by then, and a disabled user keeps no way in. */
static void test_signin_lock_ends_sessions_when_a_later_entry_fails(void **state)
{
    (void)state;
    enum { N = MN_STORE_SIGNIN_FAILURES_DISABLE };
    const long long t = T0 + 20 * 86400; /* clear of the other tests' sign-ins */
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "kurt", MN_ROLE_READONLY, PASSWORD), MN_OK);
    char kurt[64], tried[64];
    assert_int_equal(sign_in("kurt", PASSWORD, t, kurt), 303);
    assert_int_equal(strlen(kurt), 32);
    /* All but the last five failures straight into the log; those five are sign-ins, the fifth
     * reaching both the name's limit ("locked") and the hundredth failure. */
    failed_signins(store, "kurt", "192.0.2.1", N - 5);
    mn_store_close(store);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "CREATE TRIGGER no_locked BEFORE INSERT ON audit WHEN "
                                  "NEW.action = 'locked' AND NEW.actor = 'kurt' BEGIN SELECT "
                                  "RAISE(ABORT, 'refused'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sign_in("kurt", "not the password", t + 1, tried), 303);
        expect("GET", "/clients", kurt, NULL, t + 1, 200, NULL, NULL);
    }
    assert_int_equal(sign_in("kurt", "not the password", t + 1, tried), 500);
    assert_int_equal(sqlite3_exec(h, "DROP TRIGGER no_locked", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    expect("GET", "/clients", kurt, NULL, t + 1, 303, NULL, NULL);
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'kurt' AND detail = "
                                 "'1 ended: locked after 100 failed sign-ins'"),
                     1);
    assert_audit_chain_holds(NULL);
}

/* Signs @p user in at @p now (a session id of 32 hex digits in @p sid) and checks that the
 * session reads a page. */
static void signed_in(const char *user, const char *password, long long now, char sid[64])
{
    assert_int_equal(sign_in(user, password, now, sid), 303);
    assert_int_equal(strlen(sid), 32);
    expect("GET", "/clients", sid, NULL, now, 200, NULL, NULL);
}

/* The "sessions-ended" entries on user @p user's row by @p actor with @p detail. */
static int sessions_ended(const char *user, const char *actor, const char *detail)
{
    return count_rows("SELECT count(*) FROM audit WHERE action = 'sessions-ended' AND entity = "
                      "(SELECT 'users:' || id FROM users WHERE name = ?) AND actor = ? AND "
                      "detail = ?",
                      user, actor, detail, (const char *)NULL);
}

/* A user changed outside this server (by another `mneedle serve` over the same database: here a
 * handle of the store of its own) loses its sessions in this one at their next request, page
 * and API alike: a Disable, the lock of MN_STORE_SIGNIN_FAILURES_DISABLE failed sign-ins, a
 * password reset by an admin or changed by the user, a Disable undone before the session came
 * back. The ending is logged on the user's row once for all its sessions, in the words and with
 * the actor of the change, as when this server makes it; other users' sessions go on, and so
 * does the session of one who changes their own password here. */
static void test_changes_outside_end_sessions(void **state)
{
    (void)state;
    const long long t = T0 + 30 * 86400; /* clear of the other tests' sign-ins */
    static const char *const names[] = {"dora", "lars", "rita", "cleo", "finn"};
    enum { N_USERS = sizeof names / sizeof names[0] };
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    for (int i = 0; i < N_USERS; i++)
        assert_int_equal(mn_store_user_add(ctx, store, names[i], MN_ROLE_PRACTITIONER, PASSWORD),
                         MN_OK);
    char sid[N_USERS][64], dora2[64], ada[64], pia[64];
    for (int i = 0; i < N_USERS; i++)
        signed_in(names[i], PASSWORD, t, sid[i]);
    signed_in("dora", PASSWORD, t, dora2);
    signed_in("ada", PASSWORD, t, ada);
    signed_in("pia", PASSWORD, t, pia);

    /* Disabled by an admin elsewhere: both of dora's sessions end with her next request. */
    assert_int_equal(mn_store_set_actor(store, "ada"), MN_OK);
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "dora", 1, NULL), MN_OK);
    expect("GET", "/clients", sid[0], NULL, t + 1, 303, NULL, NULL);
    expect("GET", "/api/v1/session", dora2, NULL, t + 1, 401, NULL, NULL);
    assert_int_equal(sessions_ended("dora", "ada", "2 ended: disabled by an admin"), 1);

    /* Locked by failed sign-ins elsewhere: the user's own name is the actor. */
    failed_signins(store, "lars", "192.0.2.7", MN_STORE_SIGNIN_FAILURES_DISABLE);
    expect("GET", "/api/v1/session", sid[1], NULL, t + 2, 401, NULL, NULL);
    assert_int_equal(sessions_ended("lars", "lars", "1 ended: locked after 100 failed sign-ins"),
                     1);

    /* A password reset by an admin elsewhere: the new password signs in here, and that session
     * holds. */
    assert_int_equal(mn_store_user_set_password(ctx, store, "rita", "another passphrase"), MN_OK);
    expect("GET", "/clients", sid[2], NULL, t + 3, 303, NULL, NULL);
    assert_int_equal(sessions_ended("rita", "ada", "1 ended: password reset by an admin"), 1);
    assert_int_equal(sign_in("rita", PASSWORD, t + 3, sid[2]), 303);
    assert_string_equal(sid[2], "");
    signed_in("rita", "another+passphrase", t + 3, sid[2]);
    expect("GET", "/clients", sid[2], NULL, t + 4, 200, NULL, NULL);

    /* The user's own new password, set elsewhere. */
    assert_int_equal(mn_store_set_actor(store, "cleo"), MN_OK);
    assert_int_equal(mn_store_user_set_password(ctx, store, "cleo", "another passphrase"), MN_OK);
    expect("GET", "/clients", sid[3], NULL, t + 5, 303, NULL, NULL);
    assert_int_equal(sessions_ended("cleo", "cleo", "1 ended: password changed by the user"), 1);

    /* Disabled and enabled again before the session's next request: it ends all the same. */
    assert_int_equal(mn_store_set_actor(store, "ada"), MN_OK);
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "finn", 1, NULL), MN_OK);
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "finn", 0, NULL), MN_OK);
    expect("GET", "/clients", sid[4], NULL, t + 6, 303, NULL, NULL);
    assert_int_equal(
        sessions_ended("finn", "ada", "1 ended: disabled and enabled again by an admin"), 1);
    signed_in("finn", PASSWORD, t + 6, sid[4]);
    mn_store_close(store);

    /* The others' sessions went on throughout. */
    expect("GET", "/clients", ada, NULL, t + 7, 200, NULL, NULL);
    expect("GET", "/clients", pia, NULL, t + 7, 200, NULL, NULL);
    /* Their own new password here: the session that set it goes on, the other one ends. */
    char ada2[64], loc[512];
    signed_in("ada", PASSWORD, t + 7, ada2);
    assert_int_equal(post_form("/users/ada/password", ada, "password=a+new+passphrase", t + 7, loc),
                     303);
    expect("GET", "/users", ada, NULL, t + 8, 200, NULL, NULL);
    expect("GET", "/clients", ada2, NULL, t + 8, 303, NULL, NULL);
    assert_int_equal(
        post_form("/users/ada/password", ada, "password=correct+horse+battery", t + 8, loc), 303);
    expect("GET", "/users", ada, NULL, t + 9, 200, NULL, NULL);
    /* Each ending once: the requests after found nothing more to end. */
    assert_int_equal(audit_count("action = 'sessions-ended' AND detail LIKE '0 ended%' AND entity "
                                 "IN (SELECT 'users:' || id FROM users WHERE name IN ('dora', "
                                 "'lars', 'rita', 'cleo', 'finn'))"),
                     0);
    assert_audit_chain_holds(NULL);
}

/* An admin's Disable of a user disabled already by the lock of failed sign-ins (the Disable
 * button of a page opened before the lock) keeps the lock as the reason, on the page and in the
 * API, and logs the admin's action beside it; enabled and disabled by an admin, the reason is
 * the admin's. The reason is the row's own (schema 5), not searched for in the audit log. */
static void test_disable_keeps_the_lock(void **state)
{
    (void)state;
    const long long t = T0 + 31 * 86400;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "nora", MN_ROLE_READONLY, PASSWORD), MN_OK);
    failed_signins(store, "nora", "192.0.2.8", MN_STORE_SIGNIN_FAILURES_DISABLE);
    mn_store_close(store);
    char ada[64], loc[512];
    signed_in("ada", PASSWORD, t, ada);
    static const char lock[] = "id=\"state-nora\">disabled <span class=\"why\" id=\"why-nora\">"
                               "(locked after 100 failed sign-ins)</span>";
    expect("GET", "/users", ada, NULL, t, 200, lock, NULL);
    assert_int_equal(post_form("/users/nora/disable", ada, "", t, loc), 303);
    expect("GET", "/users", ada, NULL, t, 200, lock, NULL);
    assert_non_null(strstr(loc, "nora%20was%20disabled%20already%20%28locked%20after%20100%20"
                                "failed%20sign-ins%29%2C%20and%20stays%20so."));
    mn_http_response r;
    request("GET", "/api/v1/users", NULL, ada, NULL, NULL, t, &r);
    assert_int_equal(r.status, 200);
    const char *row = strstr(r.body, "{\"name\": \"nora\"");
    assert_non_null(row);
    const char *why = strstr(row, "\"disabled_reason\": \"failed-sign-ins\"}");
    assert_true(why && why < strchr(row, '}'));
    mn_http_response_release(&r);
    assert_int_equal(audit_count("action = 'update' AND actor = 'ada' AND detail = 'disabled "
                                 "again (disabled already: 100 failed sign-ins in a row)'"),
                     1);
    assert_int_equal(count_rows("SELECT count(*) FROM users WHERE name = ? AND disabled_why = ?",
                                "nora", "failed-sign-ins", (const char *)NULL),
                     1);
    /* Enabled, then disabled by the admin: now the admin's reason. */
    assert_int_equal(post_form("/users/nora/enable", ada, "", t, loc), 303);
    assert_int_equal(post_form("/users/nora/disable", ada, "", t, loc), 303);
    expect("GET", "/users", ada, NULL, t, 200,
           "id=\"state-nora\">disabled <span class=\"why\" id=\"why-nora\">(by an admin)</span>",
           NULL);
    assert_int_equal(count_rows("SELECT count(*) FROM users WHERE name = ? AND disabled_why = ?",
                                "nora", "admin", (const char *)NULL),
                     1);
    assert_audit_chain_holds(NULL);
}

/* An admin's Enable of a user who is active (the button of a page opened before another
 * admin enabled it, or a forged form) changes nothing: no audit entry says "enabled", so the
 * user's count of failed sign-ins in a row, which such an entry would start again, goes on,
 * and the lock comes at the MN_STORE_SIGNIN_FAILURES_DISABLE-th failure as it would have. The
 * page says the user was active already. The Enable of a locked user does start the count
 * again. */
static void test_enable_of_an_active_user_changes_nothing(void **state)
{
    (void)state;
    const long long t = T0 + 33 * 86400;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "olga", MN_ROLE_PRACTITIONER, PASSWORD), MN_OK);
    failed_signins(store, "olga", "192.0.2.10", MN_STORE_SIGNIN_FAILURES_DISABLE - 1);
    mn_store_user_now before;
    assert_int_equal(mn_store_user_state(ctx, store, "olga", &before), MN_OK);
    char ada[64], loc[512];
    signed_in("ada", PASSWORD, t, ada);
    const char *olga_entries = "entity IN (SELECT 'users:' || id FROM users WHERE name = 'olga')";
    char where[256];
    snprintf(where, sizeof where, "action = 'update' AND %s", olga_entries);
    int updates = audit_count(where);
    assert_int_equal(post_form("/users/olga/enable", ada, "", t, loc), 303);
    assert_non_null(strstr(loc, "/users?msg=User%20olga%20was%20active%20already%3B%20nothing%20"
                                "was%20changed."));
    assert_int_equal(audit_count(where), updates);
    mn_store_user_now after;
    assert_int_equal(mn_store_user_state(ctx, store, "olga", &after), MN_OK);
    assert_int_equal(after.disabled, 0);
    assert_int_equal(after.generation, before.generation);
    /* In the store too: nothing written, and "was" says it was not disabled. */
    mn_store_disabled_by was = MN_STORE_DISABLED_ADMIN;
    assert_int_equal(mn_store_set_actor(store, "ada"), MN_OK);
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "olga", 0, &was), MN_OK);
    assert_int_equal(was, MN_STORE_DISABLED_NONE);
    assert_int_equal(audit_count(where), updates);
    /* The next failure is the last of the count: the lock. */
    int locked = 0;
    assert_int_equal(
        mn_store_audit_signin(ctx, store, "olga", "signin-failed", "192.0.2.10", &locked), MN_OK);
    assert_int_equal(locked, 1);
    assert_int_equal(disabled_by(store, "olga"), MN_STORE_DISABLED_FAILURES);
    /* Enabling the locked user is a change: logged, with the reason it had, and the count
     * starts again. */
    assert_int_equal(mn_store_user_set_disabled(ctx, store, "olga", 0, &was), MN_OK);
    assert_int_equal(was, MN_STORE_DISABLED_FAILURES);
    assert_int_equal(audit_count("action = 'update' AND detail = 'enabled' AND entity IN (SELECT "
                                 "'users:' || id FROM users WHERE name = 'olga')"),
                     1);
    assert_int_equal(
        mn_store_audit_signin(ctx, store, "olga", "signin-failed", "192.0.2.10", &locked), MN_OK);
    assert_int_equal(locked, 0);
    mn_store_close(store);
    /* Through the page: the admin's Enable of a disabled user says it enabled it. */
    assert_int_equal(post_form("/users/olga/disable", ada, "", t, loc), 303);
    assert_int_equal(post_form("/users/olga/enable", ada, "", t, loc), 303);
    assert_non_null(strstr(loc, "/users?msg=User%20olga%20enabled."));
    assert_audit_chain_holds(NULL);
}

/* A user disabled under schema 4 (whose row keeps no reason) is still listed with the reason
 * its audit entry gives once the file is migrated, and the chain of the audit log holds over
 * the migration (the rows' hashes are what they were); a Disable after writes the kept reason
 * to the row, audited. */
static void test_reason_of_a_user_disabled_before_schema_5(void **state)
{
    (void)state;
    char old[320];
    snprintf(old, sizeof old, "%s/v4.db", dir);
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, old, MN_STORE_CREATE, 4, &s), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, s, "lockd", MN_ROLE_READONLY, PASSWORD), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, s, "offd", MN_ROLE_READONLY, PASSWORD), MN_OK);
    /* As the mneedle of schema 4 disabled them: the flag and the entry that says why. */
    static const struct {
        const char *name, *detail;
    } was[] = {{"lockd", "disabled: 100 failed sign-ins in a row"}, {"offd", "disabled"}};
    for (int i = 0; i < 2; i++) {
        char sql[120];
        snprintf(sql, sizeof sql, "UPDATE users SET disabled = 1 WHERE name = '%s'", was[i].name);
        assert_int_equal(mn__store_begin(ctx, s), MN_OK);
        assert_int_equal(mn__store_exec(ctx, s, sql), MN_OK);
        sqlite3_int64 id = 0;
        sqlite3_stmt *q;
        assert_int_equal(
            sqlite3_prepare_v2(s->db, "SELECT id FROM users WHERE name = ?", -1, &q, NULL),
            SQLITE_OK);
        sqlite3_bind_text(q, 1, was[i].name, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        assert_int_equal(
            mn__store_end(ctx, s, mn__store_audit(ctx, s, "update", "users", id, was[i].detail)),
            MN_OK);
    }
    mn_store_close(s);
    assert_int_equal(mn_store_open(ctx, old, MN_STORE_ANY_SCHEMA, 0, &s), MN_OK);
    int from = 0;
    assert_int_equal(mn_store_migrate(ctx, s, &from), MN_OK);
    assert_int_equal(from, 4);
    assert_int_equal(mn_store_schema_version(s), 5);
    assert_int_equal(disabled_by(s, "lockd"), MN_STORE_DISABLED_FAILURES);
    assert_int_equal(disabled_by(s, "offd"), MN_STORE_DISABLED_ADMIN);
    assert_audit_chain_holds(s);
    /* An admin's Disable now keeps the lock, and writes it to the row. */
    mn_store_disabled_by by = MN_STORE_DISABLED_NONE;
    assert_int_equal(mn_store_set_actor(s, "ada"), MN_OK);
    assert_int_equal(mn_store_user_set_disabled(ctx, s, "lockd", 1, &by), MN_OK);
    assert_int_equal(by, MN_STORE_DISABLED_FAILURES);
    assert_int_equal(disabled_by(s, "lockd"), MN_STORE_DISABLED_FAILURES);
    mn_store_user_now now;
    assert_int_equal(mn_store_user_state(ctx, s, "lockd", &now), MN_OK);
    assert_int_equal(now.disabled_by, MN_STORE_DISABLED_FAILURES);
    assert_int_equal(now.generation, 1);
    assert_audit_chain_holds(s);
    mn_store_close(s);
}

/* The account page's wrong current password that is the user's
 * MN_STORE_SIGNIN_FAILURES_DISABLE-th failed sign-in in a row locks the user: that answer says
 * so (403, "locked", the form gone, the cookie ended), not merely that the password was wrong,
 * and the session has ended for pages and API alike, logged. The try before it is the usual
 * 422 beside the field. */
static void test_account_page_lock(void **state)
{
    (void)state;
    const long long t = T0 + 32 * 86400;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_user_add(ctx, store, "ines", MN_ROLE_PRACTITIONER, PASSWORD), MN_OK);
    mn_store_close(store);
    char ines[64], tok[64], form[256];
    signed_in("ines", PASSWORD, t, ines);
    /* All but two failures in the log, then two on the page. */
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    failed_signins(store, "ines", "192.0.2.9", MN_STORE_SIGNIN_FAILURES_DISABLE - 2);
    mn_store_close(store);
    token_of(ines, t, tok);
    snprintf(form, sizeof form,
             "csrf=%s&current=not+the+password&password=a+new+passphrase&confirm=a+new+passphrase",
             tok);
    expect("POST", "/account/password", ines, form, t + 1, 422, "id=\"error-current\"", NULL);
    mn_http_response r;
    request("POST", "/account/password", NULL, ines, form, NULL, t + 2, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "your account is now locked, and you are signed out"));
    assert_null(strstr(r.body, "id=\"password-change\""));
    assert_null(strstr(r.body, "id=\"signout-form\""));
    char cookie[64];
    set_cookie(&r, "mneedle", cookie, sizeof cookie);
    assert_string_equal(cookie, "");
    int cleared = 0;
    for (int i = 0; i < r.n_headers; i++)
        cleared |= !strcmp(r.headers[i].name, "Set-Cookie") &&
                   !strncmp(r.headers[i].value, "mneedle=;", 9) &&
                   strstr(r.headers[i].value, "Max-Age=0") != NULL;
    assert_true(cleared);
    mn_http_response_release(&r);
    expect("GET", "/clients", ines, NULL, t + 2, 303, NULL, NULL);
    expect("GET", "/api/v1/session", ines, NULL, t + 2, 401, NULL, NULL);
    assert_int_equal(sessions_ended("ines", "ines", "1 ended: locked after 100 failed sign-ins"),
                     1);
    assert_int_equal(count_rows("SELECT count(*) FROM users WHERE name = ? AND disabled = 1 AND "
                                "disabled_why = ?",
                                "ines", "failed-sign-ins", (const char *)NULL),
                     1);
    assert_audit_chain_holds(NULL);
}

/* A route's handler acts on the route the path was matched to, whose segments are read
 * decoded, never on the path as sent: "/api/v1/user%73" is the users' list (for an admin
 * only, signed in), "/users/NAME/%64isable" a Disable, "report%2Ehtml" the report under its
 * own policy. */
static void test_routes_act_as_matched(void **state)
{
    (void)state;
    const long long t = T0 + 21 * 86400;
    char ada[64], rob[64], loc[512];
    assert_int_equal(sign_in("ada", PASSWORD, t, ada), 303);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    expect("GET", "/api/v1/users", NULL, NULL, t, 401, "sign in first", "\"users\"");
    expect("GET", "/api/v1/user%73", NULL, NULL, t, 401, "sign in first", "\"users\"");
    expect("GET", "/api/v1/user%73", rob, NULL, t, 403, NULL, "\"users\"");
    expect("GET", "/api/v1/user%73", ada, NULL, t, 200, "{\"users\": [", "$argon2");
    expect("GET", "/api/v1/%73ession", rob, NULL, t, 200, "\"user\": \"rob\"", NULL);
    expect("GET", "/api/v1/client%73", rob, NULL, t, 200, "amelia", NULL);
    /* The report's own policy and an export's format follow the route too. */
    mn_http_response r;
    request("GET", "/clients/amelia/report%2Ehtml", NULL, rob, NULL, NULL, t, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(mn_http_response_header(&r, "Content-Security-Policy"), "default-src 'none'"));
    mn_http_response_release(&r);
    /* A path no route matches is no report, whatever it spells: the pages' own policy. */
    request("GET", "/nowhere/report.html", NULL, rob, NULL, NULL, t, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(
        strstr(mn_http_response_header(&r, "Content-Security-Policy"), "default-src 'self'"));
    mn_http_response_release(&r);
    request("GET", "/clients/amelia/export.%69cs", NULL, rob, NULL, NULL, t, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(mn_http_response_header(&r, "Content-Type"), "text/calendar"));
    mn_http_response_release(&r);
    assert_int_equal(post_form("/users/rob/%64isable", ada, "", t, loc), 303);
    assert_non_null(strstr(loc, "disabled"));
    expect("GET", "/clients", rob, NULL, t, 303, NULL, NULL);
    assert_int_equal(post_form("/users/rob/enable", ada, "", t, loc), 303);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_int_equal(strlen(rob), 32);
}

/* A lock outlives a flood of new names and addresses that fills every record. */
static void test_signin_lock_outlives_flood(void **state)
{
    (void)state;
    mn__sessions s;
    assert_int_equal(mn__sessions_init(&s, 16, 1800, 28800, 5, 900, 10, 30), MN_OK);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(mn__login_begin(&s, "ada", "192.0.2.1", T0, NULL, NULL), 1);
        mn__login_end(&s, "ada", "192.0.2.1", 0, T0);
    }
    char name[32], addr[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "n%d", i);
        snprintf(addr, sizeof addr, "198.51.%d.%d", i / 250, i % 250);
        if (mn__login_begin(&s, name, addr, T0 + 1, NULL, NULL))
            mn__login_end(&s, name, addr, 0, T0 + 1);
    }
    assert_int_equal(mn__login_begin(&s, "ada", "203.0.113.1", T0 + 2, NULL, NULL), 0);
    mn__sessions_release(&s);
}

/* The lines a server under test writes (mn_server_config.log). */
static char logged[4][600];
static int n_logged;

static void log_capture(void *userdata, const char *line)
{
    (void)userdata;
    if (n_logged < 4)
        snprintf(logged[n_logged], sizeof logged[0], "%s", line);
    n_logged++;
}

/* The status of a GET (or @p method) of /signin to @p s with Host @p host (NULL: none). */
static int host_status(mn_server *s, const char *method, const char *host, long long now)
{
    mn_http_header h[1] = {{"Host", host}};
    mn_http_request req = {method, "/signin", NULL, h, host ? 1 : 0, NULL, 0, "127.0.0.1", now};
    mn_http_response r;
    assert_int_equal(mn_server_handle(s, &req, &r), MN_OK);
    int status = r.status;
    if (status == 421 || status == 400) {
        /* Plain words, the security headers, no cookie, nothing of a page. */
        assert_string_equal(mn_http_response_header(&r, "Content-Type"),
                            "text/plain; charset=utf-8");
        assert_null(mn_http_response_header(&r, "Set-Cookie"));
        assert_security_headers(&r);
        if (!strcmp(method, "HEAD"))
            assert_int_equal(r.body_len, 0);
        else
            assert_non_null(strstr(r.body, status == 421
                                               ? "This server does not answer to that name"
                                               : "This request names no host"));
    }
    mn_http_response_release(&r);
    return status;
}

/* DNS rebinding: once listening, the server answers only to its own names (docs/serve.md,
 * "Where it listens"). */
static void test_host_names(void **state)
{
    (void)state;
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    cfg.db_path = db;
    cfg.workers = 1;
    cfg.log = log_capture;
    n_logged = 0;
    mn_server *s;
    assert_int_equal(mn_server_create(ctx, &cfg, &s), MN_OK);
    /* Called without the daemon: any Host. */
    assert_int_equal(host_status(s, "GET", "rebind.example:8080", T0), 200);
    assert_int_equal(host_status(s, "GET", NULL, T0), 200);
    /* Listening, its port not known yet: nothing. */
    assert_int_equal(mn__server_listen_on(s, "127.0.0.1", 0), MN_OK);
    assert_int_equal(host_status(s, "GET", "127.0.0.1:8080", T0), 421);
    assert_int_equal(mn__server_listen_on(s, "127.0.0.1", 8080), MN_OK);
    /* Loopback's addresses in their other forms: IPv4 mapped into IPv6 (as typed, and as a
     * browser writes it), IPv6 written out, with a zone (RFC 6874's %25 form). */
    static const char *const yes[] = {"127.0.0.1:8080",          "localhost:8080",
                                      "LOCALHOST:8080",          "[::1]:8080",
                                      "[::ffff:127.0.0.1]:8080", "[::FFFF:7f00:1]:8080",
                                      "[0:0:0:0:0:0:0:1]:8080",  "[::1%25lo]:8080",
                                      "[::1%25eth0.1]:8080"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (host_status(s, "GET", yes[i], T0) != 200)
            fail_msg("Host %s refused", yes[i]);
    static const char *const no[] = {"rebind.example:8080",
                                     "rebind.example",
                                     "localhost",
                                     "127.0.0.1",
                                     "[::1]",
                                     "localhost:80",
                                     "localhost:08080",
                                     "localhost:8080:8080",
                                     "localhost.:8080",
                                     "127.0.0.1:8080.rebind.example",
                                     "127.0.0.2:8080",
                                     "[::1:8080",
                                     "[::1]8080",
                                     "::1:8080",
                                     "localhost:",
                                     ":8080",
                                     "localhost :8080",
                                     "localhost:8080 ",
                                     "[::ffff:127.0.0.1]",
                                     "[::ffff:127.0.0.2]:8080",
                                     "[::ffff:192.0.2.1]:8080",
                                     "[::ffff:7f00:2]:8080",
                                     "[127.0.0.1]:8080",
                                     "[fe80::1%25eth0]:8080",
                                     "[fe80::1%eth0]:8080",
                                     "[::2%25lo]:8080",
                                     "[::1%25]:8080",
                                     "[::1%]:8080",
                                     "[::1%lo]:8080",
                                     "[::1%2lo]:8080",
                                     "[::1%25l/o]:8080",
                                     "[::1%25l%o]:8080",
                                     "[::1 %25lo]:8080",
                                     "[%25lo]:8080"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (host_status(s, "GET", no[i], T0 + 1) != 421)
            fail_msg("Host %s answered", no[i]);
    assert_int_equal(host_status(s, "HEAD", "rebind.example:8080", T0 + 1), 421);
    assert_int_equal(host_status(s, "POST", "rebind.example:8080", T0 + 1), 421);
    assert_int_equal(host_status(s, "GET", NULL, T0 + 1), 400);
    assert_int_equal(host_status(s, "GET", "", T0 + 1), 400);
    /* The first refusal (while the port was not known) is written at once; the next minute's
     * are counted into the next line, the rest when the server ends. Never a path. */
    assert_int_equal(n_logged, 1);
    assert_string_equal(logged[0], "refused a request for the host \"127.0.0.1:8080\" from "
                                   "127.0.0.1: not a name this server answers to");
    assert_int_equal(host_status(s, "GET", "evil\"\x01\xc3\xa9:8080", T0 + 61), 421);
    assert_int_equal(n_logged, 2);
    int held = (int)(sizeof no / sizeof no[0]) + 2;
    char want[600];
    snprintf(want, sizeof want,
             "refused a request for the host \"evil\\x22\\x01\\xC3\\xA9:8080\" from 127.0.0.1: not "
             "a name this server answers to; %d more since the last line",
             held);
    assert_string_equal(logged[1], want);
    assert_int_equal(host_status(s, "GET", "rebind.example:8080", T0 + 62), 421);
    mn_server_free(s);
    assert_int_equal(n_logged, 3);
    assert_string_equal(logged[2],
                        "1 more request for a host not this server's refused since the last line");
    /* On a network, under TLS at 443: its address and the names given, bare or with the
     * port; loopback's names are not its own. */
    const char *const names[] = {"Clinic.Example", "2001:db8::1", "[2001:db8::2]"};
    cfg.allow_hosts = names;
    cfg.n_allow_hosts = 3;
    cfg.tls = 1;
    cfg.log = NULL;
    assert_int_equal(mn_server_create(ctx, &cfg, &s), MN_OK);
    assert_int_equal(mn__server_listen_on(s, "192.0.2.10", 443), MN_OK);
    static const char *const net_yes[] = {
        "clinic.example", "clinic.example:443", "192.0.2.10",          "192.0.2.10:443",
        "[2001:db8::1]",  "[2001:DB8::2]:443",  "[::ffff:192.0.2.10]", "[2001:0db8:0:0::1]:443"};
    for (size_t i = 0; i < sizeof net_yes / sizeof net_yes[0]; i++)
        if (host_status(s, "GET", net_yes[i], T0) != 200)
            fail_msg("Host %s refused", net_yes[i]);
    static const char *const net_no[] = {
        "localhost:443",     "127.0.0.1",          "[::1]:443", "www.clinic.example",
        "clinic.example:80", "2001:db8::1",        "example",   "[::ffff:127.0.0.1]:443",
        "[::1%25lo]:443",    "[::ffff:192.0.2.11]"};
    for (size_t i = 0; i < sizeof net_no / sizeof net_no[0]; i++)
        if (host_status(s, "GET", net_no[i], T0) != 421)
            fail_msg("Host %s answered", net_no[i]);
    mn_server_free(s);
    /* On every address: loopback's names and the names given. */
    cfg.n_allow_hosts = 1;
    cfg.tls = 0;
    assert_int_equal(mn_server_create(ctx, &cfg, &s), MN_OK);
    assert_int_equal(mn__server_listen_on(s, "::", 80), MN_OK);
    assert_int_equal(host_status(s, "GET", "clinic.example", T0), 200);
    assert_int_equal(host_status(s, "GET", "localhost", T0), 200);
    assert_int_equal(host_status(s, "GET", "[::]", T0), 421);
    mn_server_free(s);
    /* A name that is no host name is refused when the server is made. */
    const char *const bad[] = {"clinic.example:8080"};
    cfg.allow_hosts = bad;
    assert_int_equal(mn_server_create(ctx, &cfg, &s), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "--allow-host"));
    static const char *const names_ok[] = {"a",    "clinic-1.example", "192.0.2.1", "::1", "[::1]",
                                           "x.y.z"};
    static const char *const names_bad[] = {"",    "-a",  "a-",   "a..b",  ".a", "a.",  "a b",
                                            "a/b", "a:1", "[::1", "[a.b]", "é",  "a_b", "user@a"};
    for (size_t i = 0; i < sizeof names_ok / sizeof names_ok[0]; i++)
        if (!mn_server_host_name_ok(names_ok[i]))
            fail_msg("%s refused", names_ok[i]);
    for (size_t i = 0; i < sizeof names_bad / sizeof names_bad[0]; i++)
        if (mn_server_host_name_ok(names_bad[i]))
            fail_msg("%s taken", names_bad[i]);
}

/* Users in the store: hashing, verification, a rehash of an old hash. */
static void test_users(void **state)
{
    (void)state;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    mn_store_role role = MN_ROLE_ADMIN;
    assert_int_equal(mn_store_user_verify(ctx, store, "rob", PASSWORD, &role), MN_OK);
    assert_int_equal(role, MN_ROLE_READONLY);
    /* A known name and an unknown one cost one Argon2id run each (counted, not timed), against
     * hashes of the same limits. */
    long runs = store->pwhash_runs;
    assert_int_equal(mn_store_user_verify(ctx, store, "rob", "wrong one", &role), MN_EINVAL);
    assert_int_equal(store->pwhash_runs - runs, 1);
    runs = store->pwhash_runs;
    assert_int_equal(mn_store_user_verify(ctx, store, "nobody", PASSWORD, &role), MN_EINVAL);
    assert_int_equal(store->pwhash_runs - runs, 1);
    assert_int_equal(crypto_pwhash_str_needs_rehash(mn__store_dummy_pwhash,
                                                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    assert_int_equal(mn_store_user_add(ctx, store, "rob", MN_ROLE_ADMIN, PASSWORD), MN_EINVAL);
    assert_int_equal(mn_store_user_add(ctx, store, "short", MN_ROLE_ADMIN, "1234567"), MN_EINVAL);
    assert_int_equal(mn_store_user_add(ctx, store, "bad name", MN_ROLE_ADMIN, PASSWORD), MN_EINVAL);
    /* A hash made with weaker limits is replaced at the next sign-in. */
    char weak[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str(weak, PASSWORD, strlen(PASSWORD), crypto_pwhash_OPSLIMIT_MIN,
                                       crypto_pwhash_MEMLIMIT_MIN),
                     0);
    mn_store_close(store);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(h, "UPDATE users SET pwhash = ? WHERE name = 'pia'", -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_text(q, 1, weak, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    /* db check sees the edit made outside mneedle... */
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    mn_store_check_result chk;
    assert_int_equal(mn_store_check(ctx, store, &chk), MN_OK);
    assert_false(chk.audit_ok);
    /* ...and sign-in replaces the weak hash (audited, so the check holds again). */
    assert_int_equal(mn_store_user_verify(ctx, store, "pia", PASSWORD, &role), MN_OK);
    assert_int_equal(
        sqlite3_prepare_v2(h, "SELECT pwhash FROM users WHERE name = 'pia'", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_not_equal((const char *)sqlite3_column_text(q, 0), weak);
    assert_int_equal(crypto_pwhash_str_needs_rehash((const char *)sqlite3_column_text(q, 0),
                                                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    assert_audit_chain_holds(store);
    mn_store_close(store);
}

/* Several reads in one transaction: each with its own actor (none: the handle's, as the
 * commands log theirs); an unknown client fails alone. */
static void test_audit_batch(void **state)
{
    (void)state;
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_set_actor(store, "owner"), MN_OK);
    int before = audit_reads();
    mn_store_audit_entry e[4] = {{"pia", "amelia", "page", MN_EIO},
                                 {NULL, "amelia", "history", MN_EIO},
                                 {"rob", "nobody", "page", MN_EIO},
                                 {"rob", "amelia", "plan", MN_EIO}};
    assert_int_equal(mn_store_audit_reads(ctx, store, e, 4), MN_OK);
    assert_int_equal(e[0].status, MN_OK);
    assert_int_equal(e[1].status, MN_OK);
    assert_int_equal(e[2].status, MN_ENOTFOUND);
    assert_int_equal(e[3].status, MN_OK);
    assert_int_equal(audit_reads(), before + 3);
    /* The handle's own actor is back: its next entry is its own. */
    assert_int_equal(mn_store_audit_read(ctx, store, "amelia", "show"), MN_OK);
    sqlite3 *h;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT actor || ':' || detail FROM audit WHERE action = "
                                        "'read' ORDER BY seq DESC LIMIT 4",
                                        -1, &q, NULL),
                     SQLITE_OK);
    const char *want[] = {"owner:show", "rob:plan", "owner:history", "pia:page"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), want[i]);
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    assert_audit_chain_holds(store);
    mn_store_close(store);
}

typedef struct {
    mn_server *server;
    const char *sid;
    int status;
    int answered;
} page_reader;

static void *read_page(void *arg)
{
    page_reader *p = arg;
    char cookie[160];
    snprintf(cookie, sizeof cookie, "mneedle=%s", p->sid);
    mn_http_header h[2] = {{"Cookie", cookie}, {"Host", "127.0.0.1:8080"}};
    mn_http_request req = {"GET", "/clients/amelia", NULL, h, 2, NULL, 0, "192.0.2.1", T0};
    mn_http_response r;
    if (mn_server_handle(p->server, &req, &r) == MN_OK)
        p->status = r.status;
    __atomic_store_n(&p->answered, 1, __ATOMIC_SEQ_CST);
    mn_http_response_release(&r);
    return NULL;
}

static int queued(mn__auditor *a)
{
    int n = 0;
    pthread_mutex_lock(&a->lock);
    for (const mn__audit_req *r = a->head; r; r = r->next)
        n++;
    pthread_mutex_unlock(&a->lock);
    return n;
}

static long long taken(mn__auditor *a)
{
    pthread_mutex_lock(&a->lock);
    long long n = a->taken;
    pthread_mutex_unlock(&a->lock);
    return n;
}

/* Concurrent reads are committed together, and none is answered before its entry is
 * committed: while another connection holds the database's write lock, every page waits. */
static void test_group_commit(void **state)
{
    (void)state;
    enum { READERS = 6 };
    mn_server *main_srv = srv;
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    cfg.db_path = db;
    cfg.workers = READERS;
    assert_int_equal(mn_server_create(ctx, &cfg, &srv), MN_OK);
    char pia[64];
    assert_int_equal(sign_in("pia", PASSWORD, T0, pia), 303);
    int before = audit_reads();
    long long commits0 = srv->auditor.commits;

    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    page_reader rd[READERS];
    pthread_t th[READERS];
    const struct timespec tick = {0, 10000000}; /* 10 ms */
    /* The first read: the writer takes it and waits for the lock... */
    long long taken0 = srv->auditor.taken;
    rd[0] = (page_reader){srv, pia, 0, 0};
    assert_int_equal(pthread_create(&th[0], NULL, read_page, &rd[0]), 0);
    for (int ms = 0; taken(&srv->auditor) == taken0 && ms < 20000; ms += 10)
        nanosleep(&tick, NULL);
    assert_int_equal(taken(&srv->auditor), taken0 + 1);
    /* ...while the others queue behind it. */
    for (int i = 1; i < READERS; i++) {
        rd[i] = (page_reader){srv, pia, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, read_page, &rd[i]), 0);
    }
    for (int ms = 0; queued(&srv->auditor) < READERS - 1 && ms < 20000; ms += 10)
        nanosleep(&tick, NULL);
    assert_int_equal(queued(&srv->auditor), READERS - 1);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(__atomic_load_n(&rd[i].answered, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(audit_reads(), before);
    assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(rd[i].status, 200);
    }
    /* Six entries in two commits: the one that waited for the lock, then the five queued. */
    assert_int_equal(audit_reads(), before + READERS);
    assert_int_equal(srv->auditor.commits - commits0, 2);
    mn_server_free(srv);
    srv = main_srv;
}

/* The plan API's answer is kept and served again until the client's input changes: a write
 * through another handle (as a command would make) gives a new key, and a write through the
 * server drops the client's entries. */
static void test_plan_cache(void **state)
{
    (void)state;
    char rob[64], pia[64], tok[64], form[128];
    assert_int_equal(sign_in("rob", PASSWORD, T0, rob), 303);
    mn__plan_cache *pc = &srv->plan_cache;
    long long hits = pc->hits, misses = pc->misses;
    mn_http_response r;
    request("GET", "/api/v1/clients/amelia/plan", NULL, rob, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    char *first = strdup(r.body);
    mn_http_response_release(&r);
    assert_int_equal(pc->misses, misses + 1);
    request("GET", "/api/v1/clients/amelia/plan", NULL, rob, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, first);
    mn_http_response_release(&r);
    assert_int_equal(pc->hits, hits + 1);
    int reads = audit_reads();

    /* Another handle changes the client's input: the next answer is made again, and differs. */
    mn_store *store;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    size_t len = 0;
    char *older = mn_test_read_file(MN_SOURCE_DIR "/examples/clients/amelia-wrinkles.json", &len);
    char *age = older ? strstr(older, "\"age\": 46") : NULL;
    assert_non_null(age);
    memcpy(age, "\"age\": 62", 9);
    assert_int_equal(mn_store_client_update(ctx, store, "amelia", "update.json", older, len),
                     MN_OK);
    free(older);
    mn_store_close(store);
    request("GET", "/api/v1/clients/amelia/plan", NULL, rob, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_string_not_equal(r.body, first);
    assert_non_null(strstr(r.body, "62"));
    mn_http_response_release(&r);
    assert_int_equal(pc->misses, misses + 2);
    assert_int_equal(pc->hits, hits + 1);
    /* Every answer, kept or made, was audited. */
    assert_int_equal(audit_reads(), reads + 1);
    free(first);

    /* A write through the server drops what was kept for the client. */
    int kept = 0;
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS; i++)
        kept += pc->slots[i].data && !strcmp(pc->slots[i].id, "amelia");
    assert_true(kept > 0);
    sign_in_practitioner(pia, tok);
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/amelia/plan", pia, form, T0, 303, NULL, NULL);
    kept = 0;
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS; i++)
        kept += pc->slots[i].data && !strcmp(pc->slots[i].id, "amelia");
    assert_int_equal(kept, 0);
}

/* A POST of a form with the session's token; returns the status, the Location in @p loc. */
static int post_form(const char *path, const char *sid, const char *fields, long long now,
                     char loc[512])
{
    char tok[64], form[512];
    token_of(sid, now, tok);
    snprintf(form, sizeof form, "csrf=%s%s%s", tok, fields[0] ? "&" : "", fields);
    mn_http_response r;
    request("POST", path, NULL, sid, form, NULL, now, &r);
    const char *l = mn_http_response_header(&r, "Location");
    snprintf(loc, 512, "%s", l ? l : "");
    int status = r.status;
    mn_http_response_release(&r);
    return status;
}

/* The number of audit entries on users with @p detail by @p actor. */
static int user_changes(const char *actor, const char *detail)
{
    return count_rows("SELECT count(*) FROM audit WHERE entity LIKE 'users:%' "
                      "AND actor = ? AND detail = ?",
                      actor, detail, (const char *)NULL);
}

/* The admin's user page: disable (the user's sessions end, sign-in refused), enable, reset
 * a password; only for admins, with the token; audited. */
static void test_user_admin(void **state)
{
    (void)state;
    const long long t = T0 + 86400; /* clear of the other tests' sign-in failures */
    char ada[64], rob[64], pia[64], loc[512];
    assert_int_equal(sign_in("ada", PASSWORD, t, ada), 303);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_int_equal(sign_in("pia", PASSWORD, t, pia), 303);
    mn_http_response r;
    request("GET", "/users", NULL, ada, NULL, NULL, t, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "id=\"user-disable-rob\""));
    assert_non_null(strstr(r.body, "id=\"user-password-rob\""));
    assert_null(strstr(r.body, "$argon2"));
    mn_http_response_release(&r);
    expect("GET", "/users", pia, NULL, t, 403, NULL, NULL);
    /* Without the token, or by a practitioner: refused. */
    request("POST", "/users/rob/disable", NULL, ada, "x=1", NULL, t, &r);
    assert_int_equal(r.status, 403);
    mn_http_response_release(&r);
    assert_int_equal(post_form("/users/rob/disable", pia, "", t, loc), 403);
    expect("GET", "/clients", rob, NULL, t, 200, NULL, NULL);

    /* Disabled: rob's session ends and rob cannot sign in. */
    int disabled0 = user_changes("ada", "disabled");
    assert_int_equal(post_form("/users/rob/disable", ada, "", t, loc), 303);
    assert_non_null(strstr(loc, "1%20session%20ended"));
    expect("GET", "/clients", rob, NULL, t, 303, NULL, NULL);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_string_equal(rob, "");
    assert_int_equal(user_changes("ada", "disabled"), disabled0 + 1);
    request("GET", "/users", NULL, ada, NULL, NULL, t, &r);
    assert_non_null(strstr(r.body, "id=\"state-rob\">disabled"));
    assert_non_null(strstr(r.body, "id=\"user-enable-rob\""));
    mn_http_response_release(&r);
    /* Not oneself; not a user who does not exist. */
    assert_int_equal(post_form("/users/ada/disable", ada, "", t, loc), 422);
    assert_int_equal(post_form("/users/nobody/disable", ada, "", t, loc), 404);
    /* Enabled again: the same password works. */
    assert_int_equal(post_form("/users/rob/enable", ada, "", t, loc), 303);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_int_equal(strlen(rob), 32);

    /* A reset: rob's sessions end, the old password no longer works, the new one does. */
    assert_int_equal(post_form("/users/rob/password", ada, "password=short", t, loc), 422);
    assert_int_equal(post_form("/users/rob/password", ada, "password=a+new+passphrase", t, loc),
                     303);
    assert_non_null(strstr(loc, "1%20session%20ended"));
    expect("GET", "/clients", rob, NULL, t, 303, NULL, NULL);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_string_equal(rob, "");
    assert_int_equal(sign_in("rob", "a new passphrase", t, rob), 303);
    assert_int_equal(strlen(rob), 32);
    assert_true(user_changes("ada", "password") >= 1);
    /* The ending of rob's sessions is logged on his row, the admin as the actor; never the
     * password. */
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'ada' AND entity = "
                                 "(SELECT 'users:' || id FROM users WHERE name = 'rob') AND "
                                 "detail = '1 ended: password reset by an admin'"),
                     1);

    /* Rob changes his own password: the current one is checked, the two new ones must agree,
     * and his other session ends while this one stays. */
    char other[64];
    assert_int_equal(sign_in("rob", "a new passphrase", t, other), 303);
    expect("GET", "/account", rob, NULL, t, 200, "id=\"password-change\"", NULL);
    assert_int_equal(post_form("/account/password", rob,
                               "current=wrong+one+here&password="
                               "back+to+the+first&confirm=back+to+the+first",
                               t, loc),
                     422);
    request("GET", "/account", NULL, rob, NULL, NULL, t, &r);
    mn_http_response_release(&r);
    char tok[64], form[256];
    token_of(rob, t, tok);
    snprintf(form, sizeof form,
             "csrf=%s&current=a+new+passphrase&password=correct+horse+battery&confirm=other", tok);
    expect("POST", "/account/password", rob, form, t, 422, "id=\"error-confirm\"", NULL);
    snprintf(form, sizeof form,
             "csrf=%s&current=a+new+passphrase&password=correct+horse+battery"
             "&confirm=correct+horse+battery",
             tok);
    expect("POST", "/account/password", rob, form, t, 303, NULL, NULL);
    expect("GET", "/clients", rob, NULL, t, 200, NULL, NULL);
    expect("GET", "/clients", other, NULL, t, 303, NULL, NULL);
    assert_int_equal(audit_count("action = 'sessions-ended' AND actor = 'rob' AND entity = "
                                 "(SELECT 'users:' || id FROM users WHERE name = 'rob') AND "
                                 "detail = '1 ended: password changed by the user'"),
                     1);
    assert_int_equal(sign_in("rob", PASSWORD, t, rob), 303);
    assert_int_equal(strlen(rob), 32);
    assert_true(user_changes("rob", "password") >= 1);
    assert_int_equal(audit_count("instr(detail, 'passphrase') OR instr(detail, 'horse')"), 0);
    /* The log's chain holds over all of it. */
    assert_audit_chain_holds(NULL);
}

/* The PDF report answers at once: the PDF when it was made within a moment, else 202 with a
 * page that says it is being prepared and refreshes itself; asking again gets the PDF (or,
 * without WeasyPrint, the message why not). */
static void test_report_pdf(void **state)
{
    (void)state;
    char rob[64];
    assert_int_equal(sign_in("rob", PASSWORD, T0, rob), 303);
    int reads = audit_reads();
    mn_http_response r;
    int waits = 0;
    const struct timespec tick = {0, 200000000}; /* 200 ms */
    for (;;) {
        request("GET", "/clients/amelia/report.pdf", NULL, rob, NULL, NULL, T0, &r);
        if (r.status != 202)
            break;
        assert_non_null(strstr(r.body, "<main id=\"report-wait\">"));
        assert_non_null(strstr(r.body, "<meta http-equiv=\"refresh\" content=\"2\">"));
        assert_non_null(strstr(r.body, "id=\"progress\""));
        assert_null(strstr(r.body, "<script"));
        mn_http_response_release(&r);
        assert_true(++waits < 600); /* two minutes at most */
        nanosleep(&tick, NULL);
    }
    if (r.status == 200) {
        assert_int_equal(memcmp(r.body, "%PDF-", 5), 0);
        assert_string_equal(mn_http_response_header(&r, "Content-Type"), "application/pdf");
    } else {
        assert_int_equal(r.status, 501); /* no WeasyPrint here */
        assert_non_null(strstr(r.body, "WeasyPrint"));
    }
    mn_http_response_release(&r);
    /* One job, one audited read, however often the page asked. */
    assert_int_equal(audit_reads(), reads + 1);
    /* The job was handed over and forgotten: the next request starts another. */
    for (int i = 0; i < MN__PDF_JOBS; i++)
        assert_int_equal(srv->pdf_jobs.slots[i].used, 0);
    expect("GET", "/clients/nobody/report.pdf", rob, NULL, T0, 404, NULL, NULL);
}

/* The client form takes more than three concerns (up to the loader's limit), shows a group
 * for each stored one and an empty one, and places an error in the fourth beside its field. */
static void test_client_form_concerns(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024];
    sign_in_practitioner(pia, tok);
    const char *base = "&client.age=40&client.sex=female&client.fitzpatrick=2"
                       "&clinic.start=2026-12-01"
                       "&concern0.concern=fine-lines-wrinkles&concern0.zones=forehead"
                       "&concern0.severity=mild&concern1.concern=acne-scars"
                       "&concern1.zones=cheek&concern1.severity=moderate"
                       "&concern2.concern=hyperpigmentation&concern2.zones=cheek"
                       "&concern2.severity=mild&concern3.concern=texture-tone";
    mn_http_response r;
    /* A bad zone in the fourth concern: the message beside concern3.zones, nothing stored. */
    snprintf(form, sizeof form, "csrf=%s&id=four%s&concern3.zones=elbow&concern3.severity=mild",
             tok, base);
    request("POST", "/clients", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "id=\"error-concern3.zones\""));
    assert_non_null(strstr(r.body, "id=\"fs-concern4\"")); /* the posted four and one more */
    mn_http_response_release(&r);
    snprintf(form, sizeof form, "csrf=%s&id=four%s&concern3.zones=cheek&concern3.severity=mild",
             tok, base);
    expect("POST", "/clients", pia, form, T0, 303, NULL, NULL);
    mn_store *store;
    char *input = NULL;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_client_input(ctx, store, "four", &input), MN_OK);
    mn_store_close(store);
    assert_non_null(strstr(input, "texture-tone"));
    free(input);
    /* The edit form holds all four, and one empty group for a fifth. */
    request("GET", "/clients/four/edit", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "name=\"concern3.concern\" value=\"texture-tone\""));
    assert_non_null(strstr(r.body, "id=\"fs-concern4\""));
    assert_null(strstr(r.body, "id=\"fs-concern5\""));
    mn_http_response_release(&r);
}

/* An adverse event on its own: the form lists the client's sessions and the catalogue's kinds;
 * "other" sends the free text, an empty one is refused beside the event field, a kind with
 * text too is refused as a pair (the library's rule), and what is recorded reaches the client
 * page escaped. */
static void test_adverse_event_form(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    sign_in_practitioner(pia, tok);
    /* Session 1 was charted in test_charting. The form lists the sessions, a read of the
     * record audited under its own label. */
    int reads = reads_by("pia", "adverse-event");
    expect_page("/clients/amelia/adverse-events/new", pia,
                "<option value=\"1\">session 1 on 2026-12-01</option>",
                "<option value=\"swelling\">", "<option value=\"other\">", NULL);
    assert_int_equal(reads_by("pia", "adverse-event"), reads + 1);
    const char *base = "&date=2026-12-02&session=1&severity=mild";
    mn_http_response r;
    snprintf(form, sizeof form, "csrf=%s%s&kind=other&event=", tok, base);
    expect("POST", "/clients/amelia/adverse-events", pia, form, T0, 422,
           "id=\"error-event\" role=\"alert\">form: $.event: name the event", NULL);
    snprintf(form, sizeof form, "csrf=%s%s&kind=swelling&event=itching", tok, base);
    expect("POST", "/clients/amelia/adverse-events", pia, form, T0, 422, "not both", NULL);
    snprintf(form, sizeof form, "csrf=%s%s&kind=other&event=%%3Cb%%3Eitching%%3C%%2Fb%%3E", tok,
             base);
    request("POST", "/clients/amelia/adverse-events", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    const char *adv_loc = "/clients/amelia?msg=Adverse%20event%20recorded.&sig=";
    assert_int_equal(strncmp(mn_http_response_header(&r, "Location"), adv_loc, strlen(adv_loc)), 0);
    mn_http_response_release(&r);
    mn_store *store;
    mn_store_history *h = NULL;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_history_get(ctx, store, "amelia", &h), MN_OK);
    mn_store_close(store);
    int found = 0;
    for (int i = 0; i < h->n_events; i++)
        if (!strcmp(h->events[i].event, "<b>itching</b>")) {
            found++;
            assert_int_equal(h->events[i].session_number, 1);
            assert_string_equal(h->events[i].severity, "mild");
            assert_string_equal(h->events[i].kind_name, "");
        }
    mn_store_history_free(h);
    assert_int_equal(found, 1); /* the refused two recorded nothing */
    expect("GET", "/clients/amelia", pia, NULL, T0, 200,
           "<td>&lt;b&gt;itching&lt;/b&gt;</td><td>mild</td><td>not recorded</td>", "<b>itching");
}

/* A labelled input row is the same markup on every form: label, input with id f-NAME, its
 * type where it has one, the value escaped, and a placed error right after the input. */
static void test_form_rows(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    sign_in_practitioner(pia, tok);
    expect_page("/clients/new", pia,
                "<p><label for=\"f-id\">Client id (empty: a new random one)</label> <input "
                "id=\"f-id\" name=\"id\" value=\"\"></p>",
                NULL);
    expect_page("/clients/amelia/edit", pia,
                "<p><label for=\"f-concern0.concern\">Concern (catalogue id)</label> <input "
                "id=\"f-concern0.concern\" name=\"concern0.concern\" "
                "value=\"fine-lines-wrinkles\"></p>",
                NULL);
    expect_page("/clients/amelia/assessments/new", pia,
                "<p><label for=\"f-rater\">Rater</label> <input id=\"f-rater\" name=\"rater\" "
                "type=\"text\" value=\"pia\"></p>",
                NULL);
    /* A refused session comes back with what was typed, escaped. */
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&serial=%%3Cb%%3E&zone0=forehead&depth0=9"
             "&passes0=2&adverse_events=none",
             tok);
    expect("POST", "/clients/amelia/sessions", pia, form, T0, 422,
           "<p><label for=\"f-serial\">Device serial</label> <input id=\"f-serial\" "
           "name=\"serial\" value=\"&lt;b&gt;\"></p>",
           NULL);
    /* A placed error sits between the input and the end of its row. */
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-02&kind=swelling&severity=mild&resolved=2026-99-01", tok);
    expect("POST", "/clients/amelia/adverse-events", pia, form, T0, 422,
           "<p><label for=\"f-resolved\">Date it resolved (optional)</label> <input "
           "id=\"f-resolved\" name=\"resolved\" type=\"date\" value=\"2026-99-01\"> <span "
           "class=\"field-error\" id=\"error-resolved\" role=\"alert\">form: $.resolved: ",
           NULL);
    snprintf(form, sizeof form,
             "csrf=%s&id=rows&client.age=40&client.sex=female&client.fitzpatrick=2"
             "&concern0.concern=acne-scars&concern0.zones=cheek&concern0.severity=bad"
             "&clinic.start=2026-12-01",
             tok);
    expect("POST", "/clients", pia, form, T0, 422,
           "<input id=\"f-concern0.severity\" name=\"concern0.severity\" value=\"bad\"> <span "
           "class=\"field-error\" id=\"error-concern0.severity\" role=\"alert\">",
           NULL);
}

/* The client page's timeline: each visit's planned settings and the settings used, one zone
 * a line, the override reason after them (test_charting charted visit 1 beyond the cap). */
static void test_timeline(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    sign_in_practitioner(pia, tok);
    /* Zones by the catalogue's names (data/sites.json), not their ids; the zones the visit
     * booked that the session left out, planned and not done (docs/records.md, History). */
    expect_page("/clients/amelia", pia,
                "<td>Forehead 0.50 mm &times; 3<br>Periorbital / eyelid 0.50 mm &times; 3<br>"
                "Cheek 0.50 mm &times; 3<br></td><td>2026-12-01",
                "<td>Forehead 2.50 mm &times; 2<br><i>not done: Periorbital / eyelid (planned "
                "0.50 mm &times; 3)</i><br><i>not done: Cheek (planned 0.50 mm &times; 3)</i><br>"
                "<i>override: thick scar tissue, tolerated</i></td></tr>",
                /* The device the saved plan's depths are settings of. */
                "<p id=\"plan-device\">Planned for SkinPen (Crown Aesthetics): its depths are "
                "settings of that device.</p>",
                NULL);
    /* A score and an adverse event of a kind: the scale, the zone and the kind by the
     * catalogues' names too (data/scales.json, data/adverse_events.json). */
    add_amelia_as("labels");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/labels/plan", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form,
             "csrf=%s&scale=allergan-fine-lines&date=2026-11-20&score=2&rater=pia"
             "&zone=periorbital",
             tok);
    expect("POST", "/clients/labels/assessments", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form, "csrf=%s&date=2026-11-21&kind=dryness-peeling&severity=mild", tok);
    expect("POST", "/clients/labels/adverse-events", pia, form, T0, 303, NULL, NULL);
    mn_http_response r;
    request("GET", "/clients/labels", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "<td>2026-11-20</td><td>Allergan Fine Lines Scale</td>"
                        "<td>Periorbital / eyelid</td>") ||
        !strstr(r.body, "<td>Dryness, flaking or peeling</td>"))
        fail_msg("the client page's labels: %s", strstr(r.body, "<h2>Scores"));
    const char *tables = strstr(r.body, "id=\"timeline\"");
    assert_non_null(tables);
    static const char *const ids[] = {">forehead", ">periorbital", ">allergan-fine-lines",
                                      ">dryness-peeling"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strstr(tables, ids[i]))
            fail_msg("the client page shows the id %s", ids[i] + 1);
    mn_http_response_release(&r);
}

/* Each read of a record is audited under its own label (the client page, the API's history,
 * an export), and only once the record was found; a saved plan or client sends the browser
 * to the client's page with the message. */
static void test_read_labels_and_redirects(void **state)
{
    (void)state;
    char pia[64], tok[64], loc[512];
    sign_in_practitioner(pia, tok);
    static const struct {
        const char *path, *label;
    } reads[] = {{"/clients/amelia", "page"},
                 {"/api/v1/clients/amelia/history", "history"},
                 {"/clients/amelia/export.csv", "export"}};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        int before = reads_by("pia", reads[i].label);
        expect("GET", reads[i].path, pia, NULL, T0, 200, NULL, NULL);
        assert_int_equal(reads_by("pia", reads[i].label), before + 1);
    }
    int all = audit_reads();
    expect("GET", "/api/v1/clients/nobody/history", pia, NULL, T0, 404, NULL, NULL);
    expect("GET", "/clients/nobody/export.csv", pia, NULL, T0, 404, NULL, NULL);
    expect("GET", "/clients/nobody", pia, NULL, T0, 404, NULL, NULL);
    assert_int_equal(audit_reads(), all);
    assert_int_equal(post_form("/clients/amelia/plan", pia, "", T0, loc), 303);
    const char *plan_loc = "/clients/amelia?msg=Plan%20saved%20%28plan%20";
    assert_int_equal(strncmp(loc, plan_loc, strlen(plan_loc)), 0);
    assert_non_null(strstr(loc, "%29.&sig="));
    assert_int_equal(post_form("/clients", pia,
                               "id=redir&client.age=40&client.sex=female&client.fitzpatrick=2"
                               "&concern0.concern=acne-scars&concern0.zones=cheek"
                               "&clinic.start=2026-12-01",
                               T0, loc),
                     303);
    assert_int_equal(strncmp(loc, "/clients/redir?msg=Client%20added.&sig=", 39), 0);
    assert_int_equal(post_form("/clients/redir", pia,
                               "client.age=41&client.sex=female&client.fitzpatrick=2"
                               "&concern0.concern=acne-scars&concern0.zones=cheek"
                               "&clinic.start=2026-12-01",
                               T0, loc),
                     303);
    assert_int_equal(strncmp(loc, "/clients/redir?msg=Client%20saved.&sig=", 39), 0);
}

/* Runs @p sql on the test database through a handle of its own. */
static void exec_sql(const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_busy_timeout(h, 5000), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* A record is shown only once its read is in the audit log: with the log refusing reads, each
 * page that reads a client's timeline answers an error and shows nothing of the client; once
 * the log takes them again, the same pages answer. */
static void test_read_shown_only_when_audited(void **state)
{
    (void)state;
    char pia[64], tok[64];
    sign_in_practitioner(pia, tok);
    exec_sql("CREATE TRIGGER test_refuse_reads BEFORE INSERT ON audit WHEN NEW.action = 'read'"
             " BEGIN SELECT RAISE(ABORT, 'reads refused by the test'); END;");
    int all = audit_reads();
    expect("GET", "/clients/amelia", pia, NULL, T0, 500, "cannot be read", "client-summary");
    expect("GET", "/api/v1/clients/amelia/history", pia, NULL, T0, 500, NULL, "\"planned\"");
    /* The API's answer to a failure of the database is general: neither the database's path
     * nor the database's own message. */
    mn_http_response r;
    request("GET", "/api/v1/clients/amelia/history", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(r.body, "{\"error\": \"the server could not answer this request\"}\n");
    mn_http_response_release(&r);
    expect("GET", "/clients/amelia/export.csv", pia, NULL, T0, 500, NULL, "amelia,");
    expect("GET", "/clients/amelia/sessions/new", pia, NULL, T0, 500, "cannot be read",
           "session-chart");
    exec_sql("DROP TRIGGER test_refuse_reads;");
    assert_int_equal(audit_reads(), all);
    expect("GET", "/clients/amelia", pia, NULL, T0, 200, "client-summary", NULL);
    expect("GET", "/api/v1/clients/amelia/history", pia, NULL, T0, 200, "\"planned\"", NULL);
    assert_int_equal(audit_reads(), all + 2);
    assert_audit_chain_holds(NULL);
}

/* The client's stored name and planning input, for comparing before and after a save. */
static void client_state(const char *id, char name[MN_CLIENT_NAME_LEN], char **input)
{
    mn_store *store;
    mn_store_client cl;
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_client_get(ctx, store, id, &cl), MN_OK);
    snprintf(name, MN_CLIENT_NAME_LEN, "%s", cl.name);
    mn_store_client_release(&cl);
    assert_int_equal(mn_store_client_input(ctx, store, id, input), MN_OK);
    mn_store_close(store);
}

/* What the client form cannot carry into a record is refused with 422 beside its field and
 * changes nothing: a NUL byte (once cut short), bytes that are not UTF-8 (once dropped) and a
 * concern group beyond the form's last (once left out). */
static void test_client_form_refuses_what_it_cannot_keep(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024], loc[512];
    sign_in_practitioner(pia, tok);
    const char *base = "client.age=40&client.sex=female&client.fitzpatrick=2"
                       "&clinic.start=2026-12-01&concern0.concern=acne-scars"
                       "&concern0.zones=cheek";
    snprintf(form, sizeof form, "id=texts&client.name=Ann+Lee&%s", base);
    assert_int_equal(post_form("/clients", pia, form, T0, loc), 303);
    char name[MN_CLIENT_NAME_LEN], *input = NULL;
    client_state("texts", name, &input);
    assert_string_equal(name, "Ann Lee");
    static const struct {
        const char *fields, *field, *says;
    } bad[] = {
        {"client.name=Ann%00Evil", "client.name", "this field holds a NUL byte"},
        {"client.name=Ann+%FF%FELee", "client.name", "this field is not UTF-8 text"},
        {"client.name=Ann+Lee&identity.phone=%C3%28", "identity.phone", "not UTF-8"},
        {"client.name=Ann+Lee&concern1.zones=chin%00", "concern1.zones", "NUL byte"},
        {"client.name=Ann+Lee&concern8.concern=hyperpigmentation&concern8.zones=cheek",
         "concern8.concern", "at most 8 concerns"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(form, sizeof form, "csrf=%s&%s&%s", tok, base, bad[i].fields);
        mn_http_response r;
        request("POST", "/clients/texts", NULL, pia, form, NULL, T0, &r);
        assert_int_equal(r.status, 422);
        char span[96];
        snprintf(span, sizeof span, "id=\"error-%s\" role=\"alert\">", bad[i].field);
        const char *at = strstr(r.body, span);
        if (!at || !strstr(at, bad[i].says))
            fail_msg("%s: no %s with %s", bad[i].fields, span, bad[i].says);
        mn_http_response_release(&r);
        char after[MN_CLIENT_NAME_LEN], *input_after = NULL;
        client_state("texts", after, &input_after);
        assert_string_equal(after, "Ann Lee");
        assert_string_equal(input_after, input);
        free(input_after);
    }
    free(input);
}

/* Appends to @p out the fields of form @p form_id in @p page as a browser posts them
 * unchanged: each input's value and each select's chosen option, percent-encoded (values
 * with markup characters are not expected here). */
static void form_as_posted(const char *page, const char *form_id, char *out, size_t size)
{
    char mark[64];
    snprintf(mark, sizeof mark, "<form id=\"%s\"", form_id);
    const char *p = strstr(page, mark), *end = p ? strstr(p, "</form>") : NULL;
    assert_non_null(end);
    size_t used = strlen(out);
    while ((p = strstr(p, " name=\"")) && p < end) {
        p += 7;
        size_t nlen = strcspn(p, "\"");
        const char *tag = p;
        while (tag > page && *tag != '<')
            tag--;
        const char *v = "", *vend = v;
        if (!strncmp(tag, "<select", 7)) {
            const char *close = strstr(p, "</select>"), *sel = strstr(p, "<option selected>");
            if (sel && sel < close) {
                v = sel + strlen("<option selected>");
                vend = strchr(v, '<');
            }
        } else {
            const char *val = strstr(p, " value=\""), *gt = strchr(p, '>');
            if (val && val < gt) {
                v = val + 8;
                vend = strchr(v, '"');
            }
        }
        used += (size_t)snprintf(out + used, size - used, "%s%.*s=", used ? "&" : "", (int)nlen, p);
        for (const char *c = v; c < vend && used + 4 < size; c++)
            used +=
                (size_t)snprintf(out + used, size - used,
                                 isalnum((unsigned char)*c) || strchr("-_.", *c) ? "%c" : "%%%02X",
                                 (unsigned char)*c);
        assert_true(used + 4 < size);
    }
}

/* An edit merges the form into the stored planning input: keys the form has no field for
 * (zone prices, "comment" and "_" keys) stay, a value the form shows in short (a price with
 * cents) is not rewritten, so a form saved unchanged changes nothing; a changed field changes
 * only itself. */
static void test_client_edit_keeps_what_it_does_not_show(void **state)
{
    (void)state;
    const char *record =
        "{\"client\": {\"name\": \"Kept Keys\", \"age\": 52, \"sex\": \"female\", "
        "\"fitzpatrick\": 3, \"_note\": \"kept\"}, \"concerns\": [{\"concern\": \"acne-scars\", "
        "\"zones\": [\"cheek\", \"forehead\"], \"severity\": 2, \"comment\": \"rolling\"}], "
        "\"history\": {\"date\": \"2026-11-20\", \"pregnant\": false, \"comment\": \"intake\"}, "
        "\"lifestyle\": {\"smoker\": false, \"sun\": \"low\"}, \"clinic\": {\"device\": "
        "\"skinpen\", \"price_per_session\": 123456.75, \"currency\": \"GBP\", \"start\": "
        "\"2026-12-01\", \"prices\": {\"cheek\": 150, \"face\": 120.5}, \"comment\": \"agreed\"}}";
    mn_store *store;
    char id[MN_STORE_ID_LEN];
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(
        mn_store_client_add(ctx, store, "kept.json", record, strlen(record), "kept", id), MN_OK);
    mn_store_close(store);
    char name[MN_CLIENT_NAME_LEN], *before = NULL, *after = NULL;
    client_state("kept", name, &before);
    assert_non_null(strstr(before, "\"prices\""));
    char pia[64], tok[64];
    sign_in_practitioner(pia, tok);
    mn_http_response r;
    request("GET", "/clients/kept/edit", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    static char form[8192];
    form[0] = '\0';
    form_as_posted(r.body, "client-edit", form, sizeof form);
    mn_http_response_release(&r);
    assert_non_null(strstr(form, "csrf="));
    request("POST", "/clients/kept", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    client_state("kept", name, &after);
    assert_string_equal(after, before);
    assert_string_equal(name, "Kept Keys");
    free(after);
    /* One field changed: that field only. */
    char *age = strstr(form, "client.age=52");
    assert_non_null(age);
    age[strlen("client.age=5")] = '3';
    request("POST", "/clients/kept", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    client_state("kept", name, &after);
    char *want = strdup(before);
    char *at = strstr(want, "\"age\":52");
    assert_non_null(at);
    at[strlen("\"age\":5")] = '3';
    assert_string_equal(after, want);
    free(want);
    free(after);
    free(before);
    /* An empty lifestyle, and no clinic name, saved unchanged: still as they were. */
    const char *bare = "{\"client\": {\"age\": 30, \"sex\": \"male\", \"fitzpatrick\": 4}, "
                       "\"concerns\": [{\"concern\": \"acne-scars\", \"zones\": [\"cheek\"]}], "
                       "\"lifestyle\": {}, \"clinic\": {\"start\": \"2026-12-01\"}}";
    assert_int_equal(mn_store_open(ctx, db, 0, 0, &store), MN_OK);
    assert_int_equal(mn_store_client_add(ctx, store, "bare.json", bare, strlen(bare), "bare", id),
                     MN_OK);
    mn_store_close(store);
    client_state("bare", name, &before);
    request("GET", "/clients/bare/edit", NULL, pia, NULL, NULL, T0, &r);
    form[0] = '\0';
    form_as_posted(r.body, "client-edit", form, sizeof form);
    mn_http_response_release(&r);
    request("POST", "/clients/bare", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 303);
    mn_http_response_release(&r);
    client_state("bare", name, &after);
    assert_string_equal(after, before);
    free(after);
    free(before);
}

/* A GET of @p location (path and query) by @p sid at T0: 1 when the page shows a message
 * holding @p text in its message paragraph. */
static int shows_message(const char *location, const char *sid, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s", location);
    char *q = strchr(path, '?');
    if (q)
        *q++ = '\0';
    mn_http_response r;
    request("GET", path, q, sid, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    const char *m = strstr(r.body, "id=\"message\" role=\"status\">");
    int shown = m && strstr(m, text) && strstr(m, text) < strstr(m, "</p>");
    if (!m)
        assert_null(strstr(r.body, text)); /* nor anywhere else */
    mn_http_response_release(&r);
    return shown;
}

/* A page shows as the server's message only what this server wrote for the session: text
 * typed into a link's msg, a signature changed, or another session's message, is not shown. */
static void test_messages_are_the_servers(void **state)
{
    (void)state;
    char pia[64], tok[64], rob[64], loc[512];
    sign_in_practitioner(pia, tok);
    assert_int_equal(sign_in("rob", PASSWORD, T0, rob), 303);
    assert_int_equal(shows_message("/clients?msg=Call+the+clinic+on+555", pia, "Call the"), 0);
    assert_int_equal(
        shows_message("/signin?msg=Your+account+is+locked&sig=00112233445566778899aabbccddeeff",
                      NULL, "locked"),
        0);
    assert_int_equal(post_form("/clients/amelia/plan", pia, "", T0, loc), 303);
    assert_int_equal(shows_message(loc, pia, "Plan saved"), 1);
    assert_int_equal(shows_message(loc, rob, "Plan saved"), 0);
    char forged[600];
    snprintf(forged, sizeof forged, "%s", loc);
    char *sig = strstr(forged, "&sig=") + 5;
    sig[0] = sig[0] == '0' ? '1' : '0';
    assert_int_equal(shows_message(forged, pia, "Plan saved"), 0);
    /* The same signature over other text. */
    snprintf(forged, sizeof forged, "/clients/amelia?msg=Plan+saved+(plan+999).%s",
             strstr(loc, "&sig="));
    assert_int_equal(shows_message(forged, pia, "Plan saved"), 0);
    /* A wrong sign-in's message reaches the sign-in page, which has no session. */
    mn_http_response r;
    request("GET", "/signin", NULL, NULL, NULL, NULL, T0, &r);
    char stok[64], form[256], hdr[128];
    set_cookie(&r, "mneedle-signin", stok, sizeof stok);
    mn_http_response_release(&r);
    snprintf(form, sizeof form, "csrf=%s&user=rob&password=wrong-password", stok);
    snprintf(hdr, sizeof hdr, "mneedle-signin=%s", stok);
    mn_http_header h[3] = {{"Cookie", hdr},
                           {"Content-Type", "application/x-www-form-urlencoded"},
                           {"Host", "127.0.0.1:8080"}};
    mn_http_request req = {"POST", "/signin", NULL, h, 3, form, strlen(form), "192.0.2.9", T0};
    assert_int_equal(mn_server_handle(srv, &req, &r), MN_OK);
    assert_int_equal(r.status, 303);
    snprintf(loc, sizeof loc, "%s", mn_http_response_header(&r, "Location"));
    mn_http_response_release(&r);
    assert_int_equal(shows_message(loc, NULL, "Wrong user name or password."), 1);
}

/* The client form as the edit page sends back examples/clients/amelia-wrinkles.json, with an
 * email added and phototype @p fitzpatrick. */
static void amelia_form(char *out, size_t size, const char *tok, int fitzpatrick)
{
    snprintf(out, size,
             "csrf=%s&client.name=Amelia+%%28example%%29&client.age=46&client.sex=female"
             "&client.fitzpatrick=%d&identity.email=amelia%%40example.org"
             "&lifestyle.smoker=no&lifestyle.sun=moderate&clinic.device=skinpen"
             "&clinic.start=2026-12-01&clinic.price_per_session=300"
             "&clinic.currency=GBP&concern0.concern=fine-lines-wrinkles"
             "&concern0.zones=forehead%%2C+periorbital%%2C+cheek"
             "&concern0.severity=moderate&history.asked=yes",
             tok, fitzpatrick);
}

/* A plan made from an earlier record: the client's form edited after the plan was saved (the
 * phototype) makes it stale. The client page and the charting form say so, a session is
 * refused (422, the reason above the form, nothing stored), the re-plan holds; saving the
 * plan again clears it. Saving the form with the planning input as it was (a new email only)
 * does not make it stale (docs/records.md, "The planning input of a plan"). */
static void test_stale_plan(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024], session[512];
    sign_in_practitioner(pia, tok);
    add_amelia_as("stale");
    expect("POST", "/clients/stale/plan", pia, "", T0, 403, NULL, NULL); /* no token */
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/stale/plan", pia, form, T0, 303, NULL, NULL);
    expect("GET", "/clients/stale", pia, NULL, T0, 200, "client-summary", "id=\"plan-stale\"");
    /* Amelia's record as the edit form sends it back, with an email added: not stale. */
    amelia_form(form, sizeof form, tok, 2);
    expect("POST", "/clients/stale", pia, form, T0, 303, NULL, NULL);
    expect("GET", "/clients/stale", pia, NULL, T0, 200, "client-summary", "id=\"plan-stale\"");
    /* The phototype edited (II -> V): stale. */
    amelia_form(form, sizeof form, tok, 5);
    expect("POST", "/clients/stale", pia, form, T0, 303, NULL, NULL);
    expect_page("/clients/stale", pia, "id=\"plan-stale\"", "made from an earlier record", NULL);
    expect_page("/clients/stale/sessions/new", pia, "id=\"plan-stale\"", NULL);
    forehead_session(session, sizeof session, tok, "2026-12-01", "0.5", 3);
    const char *count = SESSIONS_OF_CLIENT;
    expect("POST", "/clients/stale/sessions", pia, session, T0, 422,
           "was made from an earlier record of client stale", NULL);
    assert_int_equal(count_rows(count, "stale", (const char *)NULL), 0);
    expect("POST", "/clients/stale/replan", pia, form, T0, 200, "STALE PLAN", NULL);
    /* Saved again, the plan is type V's: the old plan's 0.5 mm is now beyond it, and the
     * new plan's own setting is recorded. */
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/stale/plan", pia, form, T0, 303, NULL, NULL);
    expect("GET", "/clients/stale", pia, NULL, T0, 200, "client-summary", "id=\"plan-stale\"");
    expect("POST", "/clients/stale/sessions", pia, session, T0, 422, "beyond the plan",
           "earlier record");
    forehead_session(session, sizeof session, tok, "2026-12-01", "0.25", 3);
    expect("POST", "/clients/stale/sessions", pia, session, T0, 303, NULL, NULL);
    assert_int_equal(count_rows(count, "stale", (const char *)NULL), 1);
    assert_audit_chain_holds(NULL);
}

/* A health questionnaire older than its validity (data/rules.json's history_older_months rule;
 * undated answers count from the day the plan was saved): the client page and the charting
 * form say so with its day and age, a session that day is refused (422, nothing stored), and
 * recall lists the client still, marked to be re-screened (docs/records.md, Holds). */
static void test_questionnaire_out_of_date(void **state)
{
    (void)state;
    char pia[64], tok[64], form[128], session[512];
    const char *was = getenv("SOURCE_DATE_EPOCH");
    char saved[32] = "";
    if (was)
        snprintf(saved, sizeof saved, "%s", was);
    setenv("SOURCE_DATE_EPOCH", "1806624000", 1); /* 2027-04-02: the plan saved */
    sign_in_practitioner(pia, tok);
    add_amelia_as("oldq");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/oldq/plan", pia, form, T0, 303, NULL, NULL);
    expect("GET", "/clients/oldq", pia, NULL, T0, 200, "client-summary",
           "id=\"questionnaire-stale\"");
    setenv("SOURCE_DATE_EPOCH", "1822694400", 1); /* 2027-10-05: 6 months and 3 days on */
    expect_page("/clients/oldq", pia, "id=\"questionnaire-stale\"",
                "counted from the day the plan was saved, 2027-04-02: 6 months and 3 days old "
                "on 2027-10-05",
                NULL);
    expect_page("/clients/oldq/sessions/new", pia, "id=\"questionnaire-stale\"", NULL);
    forehead_session(session, sizeof session, tok, "2027-10-05", "0.5", 3);
    const char *count = SESSIONS_OF_CLIENT;
    expect("POST", "/clients/oldq/sessions", pia, session, T0, 422,
           "the health questionnaire was out of date on the day of this session", NULL);
    assert_int_equal(count_rows(count, "oldq", (const char *)NULL), 0);
    mn_http_response r;
    request("GET", "/recall", "before=2029-01-01", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "id=\"recall-rescreen\""));
    assert_non_null(strstr(r.body, "questionnaire out of date: re-screen before booking"));
    mn_http_response_release(&r);
    if (saved[0])
        setenv("SOURCE_DATE_EPOCH", saved, 1);
    else
        unsetenv("SOURCE_DATE_EPOCH");
}

/* A failure of the server itself (the database) answers an HTML page in general terms only,
 * as the API does: neither the database's path nor its own message, on a page or a form
 * drawn again. */
static void test_html_failures_are_general(void **state)
{
    (void)state;
    char pia[64], tok[64], ada[64], form[512];
    sign_in_practitioner(pia, tok);
    assert_int_equal(sign_in("ada", PASSWORD, T0, ada), 303);
    static const char *const pages[] = {"/clients/amelia", "/clients/amelia/edit",
                                        "/clients/amelia/sessions/new", "/clients/amelia/plan",
                                        "/clients/amelia/adverse-events/new"};
    exec_sql("CREATE TRIGGER test_refuse_reads BEFORE INSERT ON audit WHEN NEW.action = 'read'"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
             "CREATE TRIGGER test_refuse_edits BEFORE UPDATE ON clients"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
             "CREATE TRIGGER test_refuse_users BEFORE INSERT ON users"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
    mn_http_response r;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        request("GET", pages[i], NULL, pia, NULL, NULL, T0, &r);
        if (r.status != 500 || strstr(r.body, dir) || strstr(r.body, "refused by the test") ||
            !strstr(r.body, "the server could not answer this request"))
            fail_msg("GET %s: %d, %s", pages[i], r.status, r.body);
        mn_http_response_release(&r);
    }
    /* A form drawn again after the store failed: the client form, the users page. */
    snprintf(form, sizeof form,
             "csrf=%s&client.age=41&client.sex=female&client.fitzpatrick=2"
             "&concern0.concern=fine-lines-wrinkles&concern0.zones=forehead",
             tok);
    request("POST", "/clients/amelia", NULL, pia, form, NULL, T0, &r);
    if (r.status != 500 || strstr(r.body, dir) || strstr(r.body, "refused by the test") ||
        !strstr(r.body, "the server could not answer this request"))
        fail_msg("POST /clients/amelia: %d, %s", r.status, r.body);
    mn_http_response_release(&r);
    char atok[64];
    token_of(ada, T0, atok);
    snprintf(form, sizeof form, "csrf=%s&name=newbie&role=read-only&password=%s", atok,
             "a long enough password");
    request("POST", "/users", NULL, ada, form, NULL, T0, &r);
    if (r.status != 500 || strstr(r.body, dir) || strstr(r.body, "refused by the test") ||
        !strstr(r.body, "the server could not answer this request"))
        fail_msg("POST /users: %d, %s", r.status, r.body);
    mn_http_response_release(&r);
    exec_sql("DROP TRIGGER test_refuse_reads; DROP TRIGGER test_refuse_edits;"
             "DROP TRIGGER test_refuse_users;");
    expect("GET", "/clients/amelia", pia, NULL, T0, 200, "client-summary", NULL);
}

/* Every form the server takes refuses a field holding a NUL byte or bytes not UTF-8 with 422
 * and the same words, and stores nothing: the sign-in (a password cut short at the NUL would
 * be checked by its first part), the session, score and adverse-event forms, the users and
 * account forms, a form with nothing to store, and a form posted to the API. */
static void test_every_form_refuses_bad_text(void **state)
{
    (void)state;
    char pia[64], tok[64], ada[64], atok[64], sid[64], form[512];
    assert_int_equal(sign_in("pia", "correct horse battery%00anything", T0, sid), 422);
    assert_string_equal(sid, "");
    sign_in_practitioner(pia, tok);
    assert_int_equal(sign_in("ada", PASSWORD, T0, ada), 303);
    token_of(ada, T0, atok);
    static const struct {
        const char *path, *fields, *says;
        int admin;
    } bad[] = {
        {"/clients/amelia/sessions",
         "date=2026-12-01&device=skinpen&serial=SN%001&zone0=forehead&depth0=0.5&passes0=3"
         "&adverse_events=none",
         "field serial holds a NUL byte", 0},
        {"/clients/amelia/sessions",
         "date=2026-12-01&device=skinpen&zone0=forehead&depth0=0.5&passes0=3"
         "&adverse_events=redness%FF%3B+mild",
         "field adverse_events is not UTF-8 text", 0},
        {"/clients/amelia/assessments", "scale=gais&date=2026-12-20&score=2&rater=Dr%C3%28",
         "field rater is not UTF-8", 0},
        {"/clients/amelia/adverse-events",
         "date=2026-12-03&kind=other&event=itch%00ing&severity=mild", "field event holds a NUL", 0},
        {"/clients/amelia/replan", "note=%FE", "field note is not UTF-8", 0},
        {"/users", "name=eve%00admin&role=admin&password=a+long+enough+password",
         "field name holds a NUL byte", 1},
        {"/users/rob/password", "password=a+long+enough+password%00", "field password holds", 1},
        {"/account/password",
         "current=correct+horse+battery%00x&password=another+long+one&confirm=another+long+one",
         "id=\"error-current\">this field holds a NUL byte", 0},
    };
    int sessions = count_rows("SELECT count(*) FROM sessions", (const char *)NULL),
        scores = count_rows("SELECT count(*) FROM assessments", (const char *)NULL),
        events = count_rows("SELECT count(*) FROM adverse_events", (const char *)NULL),
        users = count_rows("SELECT count(*) FROM users", (const char *)NULL),
        changes =
            count_rows("SELECT count(*) FROM audit WHERE action != 'read'", (const char *)NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *who = bad[i].admin ? ada : pia;
        snprintf(form, sizeof form, "csrf=%s&%s", bad[i].admin ? atok : tok, bad[i].fields);
        mn_http_response r;
        request("POST", bad[i].path, NULL, who, form, NULL, T0, &r);
        if (r.status != 422 || !strstr(r.body, bad[i].says))
            fail_msg("POST %s %s: %d, no \"%s\" in %s", bad[i].path, bad[i].fields, r.status,
                     bad[i].says, r.body);
        mn_http_response_release(&r);
    }
    /* The API answers in JSON, with the same words. */
    char hdr[160];
    snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", tok);
    mn_http_response r;
    request("POST", "/api/v1/clients/amelia/replan", NULL, pia, "note=%00", hdr, T0, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "{\"error\": \"Nothing was saved: the form's field note holds"));
    mn_http_response_release(&r);
    assert_int_equal(count_rows("SELECT count(*) FROM sessions", (const char *)NULL), sessions);
    assert_int_equal(count_rows("SELECT count(*) FROM assessments", (const char *)NULL), scores);
    assert_int_equal(count_rows("SELECT count(*) FROM adverse_events", (const char *)NULL), events);
    assert_int_equal(count_rows("SELECT count(*) FROM users", (const char *)NULL), users);
    assert_int_equal(
        count_rows("SELECT count(*) FROM audit WHERE action != 'read'", (const char *)NULL),
        changes);
    /* The same password whole still signs in. */
    assert_int_equal(sign_in("pia", PASSWORD, T0, sid), 303);
}

/* A query value is checked as a form's field is: a NUL byte or bytes not UTF-8 in the search
 * (q) or the recall date (before) are refused with 400 and a page naming the value, so a date
 * "2027-01-01%00junk" is not read as its first part nor a search as its first word; the API
 * answers the same words in JSON. */
static void test_query_refuses_bad_text(void **state)
{
    (void)state;
    char pia[64], tok[64];
    sign_in_practitioner(pia, tok);
    static const struct {
        const char *path, *query, *says;
    } bad[] = {
        {"/clients", "q=amelia%00zzz", "the search text (q) holds a NUL byte; type it again."},
        {"/clients", "q=am%FF", "the search text (q) is not UTF-8 text; type it again."},
        {"/recall", "before=2027-01-01%00junk", "the date (before) holds a NUL byte"},
        {"/recall", "before=%C3%28", "the date (before) is not UTF-8 text"},
        {"/clients/amelia", "x%FF=1&view=%00", "the address&#39;s value view holds a NUL byte."},
        {"/api/v1/recall", "before=2027-01-01%00",
         "{\"error\": \"Nothing was shown: the date (before) holds a NUL byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mn_http_response r;
        request("GET", bad[i].path, bad[i].query, pia, NULL, NULL, T0, &r);
        if (r.status != 400 || !strstr(r.body, bad[i].says))
            fail_msg("GET %s?%s: %d, no \"%s\" in %s", bad[i].path, bad[i].query, r.status,
                     bad[i].says, r.body);
        mn_http_response_release(&r);
    }
    /* Text that is UTF-8 still searches and filters. */
    mn_http_response r;
    request("GET", "/clients", "q=ameli", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "href=\"/clients/amelia\""));
    mn_http_response_release(&r);
    request("GET", "/clients", "q=caf%C3%A9", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    request("GET", "/recall", "before=2027-01-01", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
}

/* Where sign-in leads: a local path, never one with a control character (a TAB, which a
 * browser drops, would make "/\t/evil.example" the other site "//evil.example"). */
static void test_signin_next_refuses_controls(void **state)
{
    (void)state;
    static const struct {
        const char *next, *to;
    } cases[] = {{"%2Fclients%2Famelia", "/clients/amelia?"},
                 {"%2F%09%2Fevil.example", "/clients?"},
                 {"%2Fclients%09x", "/clients?"},
                 {"%2Fclients%7Fx", "/clients?"},
                 {"%2F%2Fevil.example", "/clients?"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mn_http_response r;
        request("GET", "/signin", NULL, NULL, NULL, NULL, T0 + 3600000, &r);
        char tok[64], form[300], hdr[120];
        set_cookie(&r, "mneedle-signin", tok, sizeof tok);
        mn_http_response_release(&r);
        snprintf(form, sizeof form, "csrf=%s&user=rob&password=%s&next=%s", tok, PASSWORD,
                 cases[i].next);
        snprintf(hdr, sizeof hdr, "Cookie: mneedle-signin=%s", tok);
        request("POST", "/signin", NULL, NULL, form, hdr, T0 + 3600000, &r);
        assert_int_equal(r.status, 303);
        const char *loc = mn_http_response_header(&r, "Location");
        assert_non_null(loc);
        if (strncmp(loc, cases[i].to, strlen(cases[i].to)))
            fail_msg("next=%s: Location %s, not %s...", cases[i].next, loc, cases[i].to);
        mn_http_response_release(&r);
    }
}

/* Answers that disclose several clients' identities at once log each client: the API's client
 * list with identity=1 (one "identity" read per client), and a search of the client list (one
 * "search" read per client it shows, none for one it does not). */
static void test_identity_lists_audited(void **state)
{
    (void)state;
    char pia[64], tok[64];
    sign_in_practitioner(pia, tok);
    int clients = audit_count("action = 'insert' AND entity LIKE 'clients:%'") -
                  audit_count("action = 'erase' AND entity LIKE 'clients:%'");
    assert_true(clients >= 1);
    int before = audit_count("action = 'read' AND detail = 'identity' AND actor = 'pia'");
    mn_http_response r;
    request("GET", "/api/v1/clients", "identity=1", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    assert_int_equal(audit_count("action = 'read' AND detail = 'identity' AND actor = 'pia'"),
                     before + clients);
    /* Without identity=1 the list is pseudonymous: nothing logged per client. */
    before = audit_count("action = 'read' AND actor = 'pia'");
    request("GET", "/api/v1/clients", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    assert_int_equal(audit_count("action = 'read' AND actor = 'pia'"), before);
    static const char amelia_search[] =
        "action = 'read' AND detail = 'search' AND actor = 'pia' AND entity = (SELECT "
        "'clients:' || num FROM clients WHERE id = 'amelia')";
    before = audit_count("action = 'read' AND detail = 'search' AND actor = 'pia'");
    int amelia = audit_count(amelia_search);
    request("GET", "/clients", "q=ameli", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    assert_int_equal(audit_count(amelia_search), amelia + 1);
    int found = audit_count("action = 'read' AND detail = 'search' AND actor = 'pia'") - before;
    assert_true(found >= 1);
    /* A search that shows no client logs none. */
    request("GET", "/clients", "q=no-such-client-zz", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    assert_int_equal(audit_count("action = 'read' AND detail = 'search' AND actor = 'pia'"),
                     before + found);
    assert_audit_chain_holds(NULL);
}

/* A replan and the recall list show clients' records: the API's replan and the Re-plan page
 * log a "replan" read of the client, the recall page and the API's recall one "recall" read
 * per client they list (each once), as the commands do (docs/records.md, "The audit log"). */
static void test_replan_recall_audited(void **state)
{
    (void)state;
    char pia[64], tok[64], form[256], hdr[160];
    sign_in_practitioner(pia, tok);
    add_amelia_as("reread");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/reread/plan", pia, form, T0, 303, NULL, NULL);
    static const char replans[] =
        "action = 'read' AND detail = 'replan' AND actor = 'pia' AND entity = (SELECT "
        "'clients:' || num FROM clients WHERE id = 'reread')";
    static const char recalls[] =
        "action = 'read' AND detail = 'recall' AND actor = 'pia' AND entity = (SELECT "
        "'clients:' || num FROM clients WHERE id = 'reread')";
    int before = audit_count(replans);
    snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", tok);
    mn_http_response r;
    request("POST", "/api/v1/clients/reread/replan", NULL, pia, "", hdr, T0, &r);
    assert_int_equal(r.status, 200);
    mn_http_response_release(&r);
    assert_int_equal(audit_count(replans), before + 1);
    expect("POST", "/clients/reread/replan", pia, form, T0, 200, "Re-planned", NULL);
    assert_int_equal(audit_count(replans), before + 2);
    /* A replan refused (no such client) logs nothing. */
    int reads = audit_count("action = 'read'");
    request("POST", "/api/v1/clients/nobody/replan", NULL, pia, "", hdr, T0, &r);
    assert_int_equal(r.status, 404);
    mn_http_response_release(&r);
    assert_int_equal(audit_count("action = 'read'"), reads);
    /* The recall page far enough ahead lists the client (maintenance due), once. */
    before = audit_count(recalls);
    reads = audit_count("action = 'read' AND detail = 'recall'");
    request("GET", "/recall", "before=2999-12-31", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "/clients/reread\""));
    int listed = 0;
    for (const char *p = r.body; (p = strstr(p, "<tr")); p++)
        listed += strncmp(p, "<tr>", 4) == 0 || strncmp(p, "<tr ", 4) == 0;
    mn_http_response_release(&r);
    assert_int_equal(audit_count(recalls), before + 1);
    int got = audit_count("action = 'read' AND detail = 'recall'") - reads;
    assert_true(got >= 1 && got < listed); /* each client once; the header rows too */
    /* The API's recall: every client it lists, each once (none due today is none logged). */
    reads = audit_count("action = 'read' AND detail = 'recall'");
    request("GET", "/api/v1/recall", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    int clients = 0;
    for (const char *p = r.body; (p = strstr(p, "\"client\": ")); p++)
        clients++;
    mn_http_response_release(&r);
    int api_logged = audit_count("action = 'read' AND detail = 'recall'") - reads;
    assert_true(api_logged <= clients && (clients == 0) == (api_logged == 0));
    assert_audit_chain_holds(NULL);
}

/* A form's value is percent-decoded once, with the form: a '%' typed in an adverse event line
 * or a concern's zones stays a '%' ("%41" is kept, not read as "A"). */
static void test_form_values_decoded_once(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024];
    sign_in_practitioner(pia, tok);
    add_amelia_as("once");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/once/plan", pia, form, T0, 303, NULL, NULL);
    /* Typed: "erythema %41; mild" and "swelling 100%25" (sent as %2541 and %2525). */
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&zone0=forehead&depth0=0.5&passes0=3"
             "&adverse_events=erythema+%%2541%%3B+mild%%0D%%0Aswelling+100%%2525%%3B+mild"
             "&override=checking+the+form",
             tok);
    expect("POST", "/clients/once/sessions", pia, form, T0, 303, NULL, NULL);
    const char *events = "SELECT count(*) FROM adverse_events e JOIN clients c ON c.num = "
                         "e.client WHERE c.id = 'once' AND e.event = ?";
    assert_int_equal(count_rows(events, "erythema %41", (const char *)NULL), 1);
    assert_int_equal(count_rows(events, "swelling 100%25", (const char *)NULL), 1);
    /* Zones typed "forehead%2C cheek": "forehead%2C" is no zone (it was read as "forehead,"). */
    snprintf(form, sizeof form,
             "csrf=%s&id=twice&client.age=40&client.sex=female&client.fitzpatrick=2"
             "&clinic.start=2026-12-01&concern0.concern=fine-lines-wrinkles"
             "&concern0.zones=forehead%%252C+cheek",
             tok);
    expect("POST", "/clients", pia, form, T0, 422, "id=\"error-concern0.zones\"", NULL);
    assert_int_equal(
        count_rows("SELECT count(*) FROM clients WHERE id = 'twice'", (const char *)NULL), 0);
}

/* The re-plan shown on the web names the form's box and the plan page, not the command's
 * options: a session recorded with an override reason, the plan's own range, a stale plan. */
static void test_replan_in_the_forms_words(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024];
    sign_in_practitioner(pia, tok);
    add_amelia_as("words");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/words/plan", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&zone0=forehead&depth0=2.5&passes0=2"
             "&adverse_events=none&override=thick+scar+tissue",
             tok);
    expect("POST", "/clients/words/sessions", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/words/replan", pia, form, T0, 200,
           "recorded with an override reason (&quot;thick scar tissue&quot;)", "--override");
    expect("POST", "/clients/words/replan", pia, form, T0, 200, "as the plan page gives it",
           "mneedle plan");
    /* The phototype edited: the plan is stale, and is saved again on the plan page. */
    amelia_form(form, sizeof form, tok, 5);
    expect("POST", "/clients/words", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/words/replan", pia, form, T0, 200,
           "Save the plan again on the client&#39;s plan page, then replan.", "--save&#39;), then");
}

/* A POST whose answer must have @p status and hold each of the strings that follow, up to a
 * NULL, and none of the command's words for what to do next (its options, its commands):
 * the pages name their own boxes and pages. */
static void expect_in_pages_words(const char *path, const char *sid, const char *form, int status,
                                  ...)
{
    mn_http_response r;
    request("POST", path, NULL, sid, form, NULL, T0, &r);
    if (r.status != status)
        fail_msg("POST %s %s: %d, not %d: %s", path, form, r.status, status, r.body);
    const char *text = r.status == 303 ? mn_http_response_header(&r, "Location") : r.body;
    va_list has;
    va_start(has, status);
    for (const char *s; (s = va_arg(has, const char *));)
        if (!strstr(text, s))
            fail_msg("POST %s: no \"%s\" in %s", path, s, text);
    va_end(has);
    static const char *const command_words[] = {"--override", "--save", "mneedle ", "mneedle%20"};
    for (size_t i = 0; i < sizeof command_words / sizeof command_words[0]; i++)
        if (strstr(text, command_words[i]))
            fail_msg("POST %s: the command's \"%s\" in %s", path, command_words[i], text);
    mn_http_response_release(&r);
}

/* An override reason given for a session that breaks no rule is not stored, and the page says
 * so rather than that it was kept. */
static void test_override_not_needed(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024];
    sign_in_practitioner(pia, tok);
    add_amelia_as("unneeded");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/unneeded/plan", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&zone0=forehead&depth0=0.5&passes0=3"
             "&adverse_events=none&override=just+in+case",
             tok);
    expect_in_pages_words("/clients/unneeded/sessions", pia, form, 303,
                          "Session%20recorded.%20Warning", "reason%20was%20not%20stored", NULL);
    assert_int_equal(count_rows("SELECT count(*) FROM sessions s JOIN clients c ON c.num = "
                                "s.client WHERE c.id = 'unneeded' AND s.override_reason IS NULL",
                                (const char *)NULL),
                     1);
}

/* Every refusal a form shows names the page's own action (the Override reason box, the
 * client's plan page, the adverse-event form, the catalogue page), built so by the store for
 * the web (mn_store_set_words), while the API and the commands keep the commands' words:
 * a session heavier than the plan, with a reason too long, on an unknown device or zone,
 * against a stale plan and a record that screens defer, with an adverse event open that
 * holds; a lighter session's warning; the re-plan of a stale plan and of a client with none. */
static void test_refusals_in_the_pages_words(void **state)
{
    (void)state;
    char pia[64], tok[64], form[2048], session[512];
    sign_in_practitioner(pia, tok);
    add_amelia_as("said");
    snprintf(form, sizeof form, "csrf=%s", tok);
    /* No plan yet: the re-plan says where one is saved. */
    expect_in_pages_words("/clients/said/replan", pia, form, 422,
                          "no stored plan with visits to replan from (save one on the "
                          "client&#39;s plan page first)",
                          NULL);
    expect("POST", "/clients/said/plan", pia, form, T0, 303, NULL, NULL);
    /* Heavier than the plan: a reason in the box records it. */
    forehead_session(session, sizeof session, tok, "2026-12-01", "2.5", 2);
    expect_in_pages_words("/clients/said/sessions", pia, session, 422,
                          "(give a reason in the Override reason box to record it anyway)", NULL);
    char too_long[400];
    memset(too_long, 'x', 300);
    too_long[300] = '\0';
    snprintf(form, sizeof form, "%s&override=%s", session, too_long);
    expect_in_pages_words("/clients/said/sessions", pia, form, 422,
                          "Override reason: give a reason of 1 to 250 bytes", NULL);
    /* Unknown names: the catalogue page lists the known ones. */
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=no-such-pen&zone0=forehead&depth0=0.5&passes0=3"
             "&adverse_events=none",
             tok);
    expect_in_pages_words("/clients/said/sessions", pia, form, 422,
                          "unknown device &quot;no-such-pen&quot; (the Catalogues page lists "
                          "the devices)",
                          NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-12-01&device=skinpen&zone0=elbow&depth0=0.5&passes0=3"
             "&adverse_events=none",
             tok);
    expect_in_pages_words("/clients/said/sessions", pia, form, 422,
                          "unknown zone &quot;elbow&quot; (the Catalogues page lists the sites)",
                          NULL);
    /* Lighter than the visit's setting: recorded, the warning in the page's words. */
    forehead_session(form, sizeof form, tok, "2026-11-20", "0.25", 3);
    expect_in_pages_words("/clients/said/sessions", pia, form, 303,
                          "lighter%20needs%20no%20override%20reason", NULL);
    /* A severe adverse event open: it holds until recorded resolved on the form. */
    snprintf(form, sizeof form, "csrf=%s&date=2026-11-22&kind=swelling&severity=severe", tok);
    expect("POST", "/clients/said/adverse-events", pia, form, T0, 303, NULL, NULL);
    forehead_session(session, sizeof session, tok, "2026-12-01", "0.5", 3);
    expect_in_pages_words("/clients/said/sessions", pia, session, 422,
                          "with no resolved date (Record an adverse event records it resolved: "
                          "the same kind and start date, with the date it resolved)",
                          NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2026-11-22&kind=swelling&severity=severe&resolved=2026-11-25", tok);
    expect("POST", "/clients/said/adverse-events", pia, form, T0, 303, NULL, NULL);
    /* The record edited to screen defer (a pregnancy): the plan is stale too. */
    amelia_form(form, sizeof form, tok, 2);
    size_t n = strlen(form);
    snprintf(form + n, sizeof form - n, "&history.pregnant=yes");
    expect("POST", "/clients/said", pia, form, T0, 303, NULL, NULL);
    expect_in_pages_words("/clients/said/sessions", pia, session, 422,
                          "edited since; save the plan again on the client&#39;s plan page "
                          "(Plan and report, then Save this plan to the record)",
                          "gives defer (pregnancy; the Re-plan page lists the findings)",
                          "(give a reason in the Override reason box to record it anyway)", NULL);
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect_in_pages_words("/clients/said/replan", pia, form, 200,
                          "edited since: save the plan again on the client&#39;s plan page.",
                          "Save the plan again on the client&#39;s plan page, then replan.", NULL);
    /* The API answers the commands' JSON, in the commands' words. */
    char hdr[160];
    snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", tok);
    mn_http_response r;
    request("POST", "/api/v1/clients/said/replan", NULL, pia, "", hdr, T0, &r);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "save the plan again ('mneedle plan said --save')") ||
        !strstr(r.body, "defer (MN-PREGNANT)"))
        fail_msg("the API's hold reason: %s", r.body);
    mn_http_response_release(&r);
    /* The page names the rule that holds (the JSON keeps its code). */
    snprintf(form, sizeof form, "csrf=%s", tok);
    request("POST", "/clients/said/replan", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "current record: defer (pregnancy)") ||
        !strstr(r.body, "Pregnancy (defer): ") || strstr(r.body, "MN-"))
        fail_msg("the re-plan page names a rule by its code: %s", r.body);
    mn_http_response_release(&r);
}

/* The charting form holds a zone to the plan's rise per visit above its last session, as record
 * session does (docs/records.md, "Off-protocol sessions"): after a visit done lighter than
 * planned, the next is pre-filled at the rise with the reason beside it, the plan's deeper
 * setting is refused in the page's words (422, nothing stored), and the pre-filled one is
 * recorded. */
static void test_rise_per_visit(void **state)
{
    (void)state;
    char pia[64], tok[64], form[512];
    const char *was = getenv("SOURCE_DATE_EPOCH");
    char saved[32] = "";
    if (was)
        snprintf(saved, sizeof saved, "%s", was);
    setenv("SOURCE_DATE_EPOCH", "1814400000", 1); /* 2027-07-01: every visit below is past */
    sign_in_practitioner(pia, tok);
    add_amelia_as("rise");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/rise/plan", pia, form, T0, 303, NULL, NULL);
    /* Amelia's cheek: 0.50, 0.50, 0.75, 1.00 mm; visit 3 done at 0.25 mm. */
    static const char *const done[][2] = {
        {"2026-12-01", "0.5"}, {"2026-12-29", "0.5"}, {"2027-01-26", "0.25"}};
    for (size_t i = 0; i < sizeof done / sizeof done[0]; i++) {
        snprintf(form, sizeof form,
                 "csrf=%s&date=%s&device=skinpen&zone0=cheek&depth0=%s&passes0=3"
                 "&adverse_events=none",
                 tok, done[i][0], done[i][1]);
        expect("POST", "/clients/rise/sessions", pia, form, T0, 303, NULL, NULL);
    }
    expect_page("/clients/rise/sessions/new", pia, "value=\"0.75\"",
                "class=\"rise-held\">at most 0.75 mm: 0.50 mm a visit above the 0.25 mm of the "
                "session of 2027-01-26",
                NULL);
    const char *count = SESSIONS_OF_CLIENT;
    snprintf(form, sizeof form,
             "csrf=%s&date=2027-02-23&device=skinpen&zone0=cheek&depth0=1.0&passes0=3"
             "&adverse_events=none",
             tok);
    expect_in_pages_words("/clients/rise/sessions", pia, form, 422,
                          "cheek 1.00 mm is deeper than the 0.75 mm allowed after the session of "
                          "2027-01-26 on it",
                          "(give a reason in the Override reason box to record it anyway)", NULL);
    assert_int_equal(count_rows(count, "rise", (const char *)NULL), 3);
    snprintf(form, sizeof form,
             "csrf=%s&date=2027-02-23&device=skinpen&zone0=cheek&depth0=0.75&passes0=3"
             "&adverse_events=none",
             tok);
    expect("POST", "/clients/rise/sessions", pia, form, T0, 303, NULL, NULL);
    assert_int_equal(count_rows(count, "rise", (const char *)NULL), 4);
    if (saved[0])
        setenv("SOURCE_DATE_EPOCH", saved, 1);
    else
        unsetenv("SOURCE_DATE_EPOCH");
}

/* The workstation's words where the commands' used to show: a session refused for an out of
 * date questionnaire says what to do on the pages, an unknown zone on the client form where the
 * known ones are listed, and the recall page lists the clients on hold and overdue itself, an
 * open adverse event by its kind's name, never its id. */
static void test_web_words_not_the_commands(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024], session[512];
    const char *was = getenv("SOURCE_DATE_EPOCH");
    char saved[32] = "";
    if (was)
        snprintf(saved, sizeof saved, "%s", was);
    setenv("SOURCE_DATE_EPOCH", "1806624000", 1); /* 2027-04-02: the plans saved */
    sign_in_practitioner(pia, tok);
    /* An unknown zone on the client form. */
    amelia_form(form, sizeof form, tok, 2);
    char *cheek = strstr(form, "cheek");
    assert_non_null(cheek);
    memcpy(cheek, "elbow", 5);
    expect_in_pages_words("/clients", pia, form, 422,
                          "unknown zone &quot;elbow&quot; (the Catalogues page lists the sites)",
                          NULL);
    /* A post-inflammatory hyperpigmentation open holds the client: recall lists them on hold
     * by the kind's name. */
    add_amelia_as("words-held");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/words-held/plan", pia, form, T0, 303, NULL, NULL);
    snprintf(form, sizeof form,
             "csrf=%s&date=2027-03-01&kind=post-inflammatory-hyperpigmentation&severity=mild", tok);
    expect("POST", "/clients/words-held/adverse-events", pia, form, T0, 303, NULL, NULL);
    add_amelia_as("words-late");
    snprintf(form, sizeof form, "csrf=%s", tok);
    expect("POST", "/clients/words-late/plan", pia, form, T0, 303, NULL, NULL);
    mn_http_response r;
    request("GET", "/recall", "before=2027-04-02", pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    const char *held = strstr(r.body, "id=\"recall-held-list\"");
    const char *late = strstr(r.body, "id=\"recall-overdue-list\"");
    if (!held || !late || !strstr(held, "/clients/words-held\"") ||
        !strstr(held, "Post-inflammatory hyperpigmentation (PIH) since 2027-03-01") ||
        !strstr(late, "/clients/words-late\"") || strstr(r.body, "mneedle ") ||
        strstr(r.body, "post-inflammatory-hyperpigmentation"))
        fail_msg("the recall page: %s", r.body);
    mn_http_response_release(&r);
    /* The re-plan page holds on it by the same name. */
    snprintf(form, sizeof form, "csrf=%s", tok);
    request("POST", "/clients/words-held/replan", NULL, pia, form, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "ON HOLD: an open Post-inflammatory hyperpigmentation (PIH) (mild) holds "
                        "visits whatever its grade: Post-inflammatory hyperpigmentation (PIH) "
                        "since 2027-03-01") ||
        strstr(r.body, "post-inflammatory-hyperpigmentation"))
        fail_msg("the re-plan page: %s", r.body);
    mn_http_response_release(&r);
    /* The questionnaire out of date: a session that day is refused saying what to do here. */
    setenv("SOURCE_DATE_EPOCH", "1822694400", 1); /* 2027-10-05: 6 months and 3 days on */
    forehead_session(session, sizeof session, tok, "2027-10-05", "0.5", 3);
    expect_in_pages_words("/clients/words-late/sessions", pia, session, 422,
                          "the health questionnaire was out of date on the day of this session",
                          "enter the new answers and their date with Edit client, and save the "
                          "plan again on the client&#39;s plan page",
                          NULL);
    if (saved[0])
        setenv("SOURCE_DATE_EPOCH", saved, 1);
    else
        unsetenv("SOURCE_DATE_EPOCH");
}

/* The client form asks every history item the screening rules read (data/rules.json), each
 * as a yes/no or a number as the rule reads it, so a new client can be given any of them;
 * the items added last reach the stored record. */
static void test_client_form_asks_the_catalogues_history(void **state)
{
    (void)state;
    char pia[64], tok[64], form[1024], want[160];
    sign_in_practitioner(pia, tok);
    mn_http_response r;
    request("GET", "/clients/new", NULL, pia, NULL, NULL, T0, &r);
    assert_int_equal(r.status, 200);
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    int asked = 0;
    for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
        const mn_rule *rule = mn_catalog_rule_at(cat, i);
        const char *names[] = {rule->flag, rule->unless};
        for (int k = 0; k < 2; k++) {
            int item = names[k] ? mn_history_find(names[k]) : -1;
            if (item < 0)
                continue;
            snprintf(want, sizeof want,
                     mn_history_is_numeric((mn_history_item)item)
                         ? "<input id=\"f-history.%s\" name=\"history.%s\" inputmode=\"decimal\""
                         : "<select id=\"f-history.%s\" name=\"history.%s\">",
                     names[k], names[k]);
            if (!strstr(r.body, want))
                fail_msg("rule %s: the form does not ask %s", rule->code, want);
            asked++;
        }
    }
    mn_http_response_release(&r);
    assert_true(asked >= 25);
    snprintf(form, sizeof form,
             "csrf=%s&id=asked&client.age=40&client.sex=female&client.fitzpatrick=2"
             "&clinic.start=2026-12-01&concern0.concern=fine-lines-wrinkles"
             "&concern0.zones=forehead&history.date=2026-11-30"
             "&history.peel_or_laser_weeks_ago=3&history.connective_tissue_disease=yes"
             "&history.local_anaesthetic_allergy=no"
             "&history.g6pd_deficiency_or_methaemoglobinaemia=yes"
             "&history.class3_antiarrhythmic=no&history.radiotherapy_months_ago=14",
             tok);
    expect("POST", "/clients", pia, form, T0, 303, NULL, NULL);
    char name[MN_CLIENT_NAME_LEN], *input = NULL;
    client_state("asked", name, &input);
    static const char *const stored[] = {
        "\"peel_or_laser_weeks_ago\":3",       "\"connective_tissue_disease\":true",
        "\"local_anaesthetic_allergy\":false", "\"g6pd_deficiency_or_methaemoglobinaemia\":true",
        "\"class3_antiarrhythmic\":false",     "\"radiotherapy_months_ago\":14"};
    for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++)
        if (!strstr(input, stored[i]))
            fail_msg("no %s in %s", stored[i], input);
    free(input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_raw_parse),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_csrf_and_origin),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_charting),
        cmocka_unit_test(test_escaping_and_audit),
        cmocka_unit_test(test_signin_limit),
        cmocka_unit_test(test_signin_limit_in_flight),
        cmocka_unit_test(test_signin_address_spacing),
        cmocka_unit_test(test_signin_lock_outlives_flood),
        cmocka_unit_test(test_signin_ipv6_prefix),
        cmocka_unit_test(test_signin_failures_disable),
        cmocka_unit_test(test_signin_failures_end_sessions),
        cmocka_unit_test(test_signin_lock_ends_sessions_when_a_later_entry_fails),
        cmocka_unit_test(test_changes_outside_end_sessions),
        cmocka_unit_test(test_disable_keeps_the_lock),
        cmocka_unit_test(test_enable_of_an_active_user_changes_nothing),
        cmocka_unit_test(test_reason_of_a_user_disabled_before_schema_5),
        cmocka_unit_test(test_account_page_lock),
        cmocka_unit_test(test_host_names),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_audit_batch),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_plan_cache),
        cmocka_unit_test(test_user_admin),
        cmocka_unit_test(test_routes_act_as_matched),
        cmocka_unit_test(test_report_pdf),
        cmocka_unit_test(test_client_form_concerns),
        cmocka_unit_test(test_adverse_event_form),
        cmocka_unit_test(test_form_rows),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_read_labels_and_redirects),
        cmocka_unit_test(test_read_shown_only_when_audited),
        cmocka_unit_test(test_client_form_refuses_what_it_cannot_keep),
        cmocka_unit_test(test_client_edit_keeps_what_it_does_not_show),
        cmocka_unit_test(test_messages_are_the_servers),
        cmocka_unit_test(test_stale_plan),
        cmocka_unit_test(test_html_failures_are_general),
        cmocka_unit_test(test_every_form_refuses_bad_text),
        cmocka_unit_test(test_query_refuses_bad_text),
        cmocka_unit_test(test_form_values_decoded_once),
        cmocka_unit_test(test_override_not_needed),
        cmocka_unit_test(test_replan_in_the_forms_words),
        cmocka_unit_test(test_replan_recall_audited),
        cmocka_unit_test(test_refusals_in_the_pages_words),
        cmocka_unit_test(test_client_form_asks_the_catalogues_history),
        cmocka_unit_test(test_questionnaire_out_of_date),
        cmocka_unit_test(test_rise_per_visit),
        cmocka_unit_test(test_web_words_not_the_commands),
        cmocka_unit_test(test_identity_lists_audited),
        cmocka_unit_test(test_signin_next_refuses_controls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
