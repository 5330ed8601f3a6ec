/* mneedle serve [--db FILE] [--bind ADDR] [--port N] [--allow-host NAME]...
 *               [--tls-cert F --tls-key F] [--demo]
 *               | --add-user NAME --role ROLE  (password from standard input) */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Writes @p s seconds in the largest whole unit ("8 hours", "15 minutes", "30 seconds"). */
static void duration(FILE *fp, int s)
{
    if (s % 3600 == 0)
        fprintf(fp, "%d hour%s", s / 3600, s == 3600 ? "" : "s");
    else if (s % 60 == 0)
        fprintf(fp, "%d minute%s", s / 60, s == 60 ? "" : "s");
    else
        fprintf(fp, "%d second%s", s, s == 1 ? "" : "s");
}

/* The session and sign-in limits in --help, from mn_server_config_init, their one source
 * (its comments give where each comes from). */
static void limits_help(FILE *fp)
{
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    fprintf(fp, "\nSessions: a session ends after ");
    duration(fp, cfg.idle_timeout_s);
    fprintf(fp, " unused (--idle-minutes) and ");
    duration(fp, cfg.absolute_timeout_s);
    fprintf(fp,
            " after\nits sign-in whatever happens; restarting the server ends every session.\n"
            "Sign-in limit: a user name is locked after %d failed sign-ins within ",
            cfg.login_max_failures);
    duration(fp, cfg.login_window_s);
    fprintf(fp,
            ",\nfrom any address, until that time has passed since the first; a success "
            "starts the\ncount again. An address is never locked: after %d failed sign-ins "
            "over every name\nin that time its tries are ",
            cfg.login_address_failures);
    duration(fp, cfg.login_address_spacing_s);
    fprintf(fp,
            " apart (an IPv6 address counted by its /64).\nAfter %d failed sign-ins in a row "
            "a user is disabled until an admin enables it\nagain (/users); its open sessions "
            "end at once.\n",
            MN_STORE_SIGNIN_FAILURES_DISABLE);
}

static const cli_command command = {
    .name = "serve",
    .operand = "",
    .operand_error = "takes no operand (the database is --db FILE)",
    .about =
        "The web workstation over the clinic record: sign in, find a client, see the plan and\n"
        "its projection, chart the session about to be done with the planned settings\n"
        "pre-filled, score a follow-up, re-plan, print the report, export the calendar, see\n"
        "who is due. Pages work without JavaScript; a JSON API under /api/v1/ answers with\n"
        "the JSON of the matching commands. docs/serve.md lists the pages, roles and the\n"
        "security model.\n"
        "\n"
        "  --demo              the fastest way to look around: a demonstration database of\n"
        "                      the example clients (at --db FILE, which must not exist, else\n"
        "                      in a temporary folder removed at exit) and a one-time password\n"
        "                      for the user 'admin', printed with the address\n"
        "  --add-user NAME     add a user to --db with --role (admin, practitioner, read-only)\n"
        "                      and the password read from standard input (one line), then exit\n"
        "\n"
        "It listens on 127.0.0.1 (this computer only) unless --bind says otherwise; give a\n"
        "certificate (--tls-cert, --tls-key, PEM) before listening on a network: cookies are\n"
        "then Secure with the __Host- prefix, and browsers told to keep to HTTPS\n"
        "(Strict-Transport-Security). Another address without TLS is refused unless\n"
        "--insecure-network says so. It answers only to the names it is reached by: on\n"
        "loopback 127.0.0.1, localhost and [::1] with its port, else its --bind address, and\n"
        "each --allow-host NAME; a request for any other name (a page of another site whose\n"
        "name resolves to this computer) is refused with 421. Once listening it prints one\n"
        "line, 'mneedle: serving on http://ADDRESS:PORT/' (--port 0 picks a free port). SIGINT\n"
        "(Ctrl-C) or SIGTERM stops it after the requests in flight.\n"
        "\n"
        "Roles: read-only reads records; practitioner also adds and edits clients, saves plans,\n"
        "charts sessions, records scores and re-plans; admin also adds users. Every change,\n"
        "and every read of one client's record (its page, plan, report, exports, forms), is\n"
        "in the audit log under the signed-in user's name.\n",
    .about_more = limits_help,
    .footer = "Example:\n"
              "  mneedle serve --demo\n"
              "  mneedle db init --db clinic.db\n"
              "  mneedle serve --db clinic.db --add-user alice --role admin < password.txt\n"
              "  mneedle serve --db clinic.db --port 8443 --tls-cert cert.pem --tls-key key.pem\n",
};

/* The names of --allow-host, in the order given. */
typedef struct {
    const char *names[MN_SERVER_MAX_HOSTS];
    int n;
} host_list;

static int parse_host(const char *arg, void *value)
{
    host_list *l = value;
    if (l->n == MN_SERVER_MAX_HOSTS || !mn_server_host_name_ok(arg))
        return 0;
    l->names[l->n++] = arg;
    return 1;
}

/* Writes a line of the server's (a refused Host) on standard error. */
static void log_line(void *userdata, const char *line)
{
    (void)userdata;
    fprintf(stderr, "mneedle serve: %s\n", line);
}

static int parse_role(const char *arg, void *value)
{
    return mn_store_role_parse(arg, value);
}

/* Reads one line (the password) from standard input, without its line end, byte by byte so
 * that a NUL byte in it is seen (a C string would end there, and the user would be added with
 * the password's first part). 1 when read; 0 when there is no line or it is longer than the
 * buffer; -1 when it holds a NUL byte. */
static int read_password(char *buf, size_t size)
{
    size_t n = 0;
    int c, nul = 0;
    while ((c = getchar()) != EOF && c != '\n') {
        if (n + 1 >= size)
            return 0; /* longer than the buffer */
        nul |= c == '\0';
        buf[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return 0;
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return nul ? -1 : 1;
}

static int add_user(mn_ctx *ctx, const char *db, const char *actor, const char *name,
                    mn_store_role role)
{
    char password[MN_STORE_PASSWORD_MAX + 2];
    int got = read_password(password, sizeof password);
    if (got <= 0) {
        memset(password, 0, sizeof password);
        if (got < 0)
            fprintf(stderr, "mneedle serve: error: --add-user: the password on standard input "
                            "holds a NUL byte, which no sign-in form can send; nothing was "
                            "added\n");
        else
            fprintf(stderr,
                    "mneedle serve: error: --add-user: expected the password on standard "
                    "input (one line of %d to %d bytes)\n",
                    MN_STORE_PASSWORD_MIN, MN_STORE_PASSWORD_MAX);
        return CLI_EXIT_INPUT;
    }
    int code = CLI_EXIT_OK;
    mn_store *store = cli_store_open("serve", ctx, db, actor, 0, &code);
    if (!store)
        return code;
    mn_status st = mn_store_user_add(ctx, store, name, role, password);
    memset(password, 0, sizeof password);
    mn_store_close(store);
    if (st && mn_status_is_input_error(st)) {
        /* The name and the password line are the input: say which user, and that the
         * database is as it was (the store adds a user in one transaction, or nothing). */
        fprintf(stderr, "mneedle serve: error: --add-user %s: %s; nothing was added\n", name,
                mn_ctx_errmsg(ctx));
        return CLI_EXIT_INPUT;
    }
    if (st)
        return cli_fail("serve", ctx, st);
    printf("added user %s (%s)\n", name, mn_store_role_name(role));
    return CLI_EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *add = NULL, *actor = NULL;
    int demo = 0, role_given = 0, insecure_network = 0;
    host_list hosts = {.n = 0};
    mn_store_role role = MN_ROLE_READONLY;
    mn_serve_options sopts;
    mn_serve_options_init(&sopts);
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    int idle_min = cfg.idle_timeout_s / 60;
    char idle_help[80];
    snprintf(idle_help, sizeof idle_help, "sign out a session unused this long (default %d)",
             idle_min);
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_PATH("bind", 0, &sopts.bind, "ADDR",
                 "the address to listen on (default 127.0.0.1: this computer only)"),
        CLI_INT("port", &sopts.port, "N", 0, 65535, "the port (default 8080; 0: a free one)"),
        CLI_PATH("tls-cert", 0, &sopts.tls_cert, "FILE", "serve HTTPS with this certificate (PEM)"),
        CLI_PATH("tls-key", 0, &sopts.tls_key, "FILE", "...and this private key (PEM)"),
        CLI_CHOICE("allow-host", &hosts, "NAME", parse_host,
                   "a host name or an IP address without a port, 16 at most",
                   "answer to this name too (a name in the clinic's DNS or hosts file); may be "
                   "repeated"),
        CLI_FLAG("insecure-network", &insecure_network,
                 "listen on an address other than this computer's without TLS (passwords and "
                 "records then cross the network readable)"),
        CLI_FLAG("demo", &demo, "a demonstration database and a one-time admin password"),
        CLI_PATH("add-user", 0, &add, "NAME", "add a user (password from standard input) and exit"),
        CLI_CHOICE("role", &role, "ROLE", parse_role, "admin, practitioner or read-only",
                   "with --add-user: the user's role (default read-only)"),
        CLI_PATH("actor", 0, &actor, "NAME",
                 "with --add-user: who the audit log names (default $MNEEDLE_ACTOR, else the "
                 "login name)"),
        CLI_INT("threads", &sopts.threads, "N", 1, 64, "threads serving requests (default 32)"),
        CLI_INT("max-connections", &sopts.max_connections, "N", 1, 100000,
                "connections at once (default 256)"),
        CLI_INT("timeout", &sopts.timeout_s, "S", 1, 3600,
                "close a connection idle this many seconds (default 30)"),
        CLI_INT("idle-minutes", &idle_min, "M", 1, 24 * 60, idle_help),
        CLI_DATA(&o, "read catalogues from DIR instead of the built-in copies"),
        CLI_END,
    };
    for (int i = 1; i < argc; i++)
        role_given |= !strncmp(argv[i], "--role", 6);
    int code = cli_parse_none(&command, opts, argc, argv, stdout);
    if (code != CLI_PARSED)
        return code;
    if (role_given && !add)
        return cli_usage_error("serve", "--role goes with --add-user");
    if (actor && !add)
        return cli_usage_error("serve", "--actor goes with --add-user");
    if (add && demo)
        return cli_usage_error("serve", "--add-user and --demo do not go together");
    if (!sopts.tls_cert != !sopts.tls_key)
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");
    if (sopts.bind && !sopts.tls_cert && !insecure_network && !add &&
        !mn_server_address_is_loopback(sopts.bind))
        return cli_usage_error("serve",
                               "--bind %s is reachable from the network, and without TLS the "
                               "passwords and records would cross it readable: give --tls-cert "
                               "and --tls-key, or --insecure-network to do so anyway",
                               sopts.bind);
    if (sopts.bind && !add && !hosts.n && mn_server_address_is_any(sopts.bind))
        return cli_usage_error("serve",
                               "--bind %s listens on every address of this computer: name the ones "
                               "its users reach it by with --allow-host NAME (the server answers "
                               "only to its own names)",
                               sopts.bind);
    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("serve", o.data, &code);
    if (!ctx)
        return code;
    if (add) {
        code = add_user(ctx, db, actor, add, role);
        mn_ctx_free(ctx);
        return code;
    }

    char tmpdir[512] = "", tmpdb[600] = "", password[64] = "";
    const char *path = cli_db_path(db);
    mn_status st = MN_OK;
    if (demo) {
        if (!db) {
            const char *t = getenv("TMPDIR");
            snprintf(tmpdir, sizeof tmpdir, "%s/mneedle-demo.XXXXXX", t && t[0] ? t : "/tmp");
            if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "mneedle serve: error: cannot make a temporary folder: %s\n",
                        strerror(errno));
                mn_ctx_free(ctx);
                return CLI_EXIT_RUNTIME;
            }
            snprintf(tmpdb, sizeof tmpdb, "%s/demo.db", tmpdir);
            path = tmpdb;
        }
        st = mn_server_demo_create(ctx, path, password, sizeof password);
        if (st) {
            code = cli_fail("serve", ctx, st);
            goto out;
        }
    }
    cfg.db_path = path;
    cfg.data_dir = o.data;
    cfg.tls = sopts.tls_cert != NULL;
    cfg.workers = sopts.threads;
    cfg.allow_hosts = hosts.names;
    cfg.n_allow_hosts = hosts.n;
    cfg.log = log_line;
    cfg.idle_timeout_s = idle_min * 60;
    if (cfg.absolute_timeout_s < cfg.idle_timeout_s)
        cfg.absolute_timeout_s = cfg.idle_timeout_s;

    /* SIGINT and SIGTERM are taken by sigwait below: blocked before any thread starts, so
     * every thread inherits the mask and none is interrupted. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    mn_server *srv = NULL;
    mn_serve_daemon *d = NULL;
    int port = 0;
    if ((st = mn_server_create(ctx, &cfg, &srv)) ||
        (st = mn_serve_start(ctx, srv, &sopts, &d, &port))) {
        code = cli_fail("serve", ctx, st);
        mn_server_free(srv);
        goto out;
    }
    int users = 0;
    mn_store *probe = NULL;
    if (!demo && mn_store_open(ctx, path, MN_STORE_READONLY, 0, &probe) == MN_OK &&
        mn_store_user_count(ctx, probe, &users) == MN_OK && users == 0)
        fprintf(stderr,
                "mneedle serve: no users yet: add one with 'mneedle serve --db %s "
                "--add-user NAME --role admin' (password on standard input)\n",
                path);
    mn_store_close(probe);
    const char *bind = sopts.bind ? sopts.bind : "127.0.0.1";
    int v6 = strchr(bind, ':') != NULL;
    printf("mneedle: serving on %s://%s%s%s:%d/\n", cfg.tls ? "https" : "http", v6 ? "[" : "", bind,
           v6 ? "]" : "", port);
    if (demo)
        printf("mneedle: demo database %s; sign in as admin with the one-time password %s\n", path,
               password);
    fflush(stdout);
    memset(password, 0, sizeof password);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "mneedle serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    mn_serve_stop(d);
    mn_server_free(srv);
    mn_plot_global_cleanup(); /* the projection charts' font caches, for leak checkers */
out:
    if (tmpdb[0]) {
        char side[640];
        unlink(tmpdb);
        snprintf(side, sizeof side, "%s-wal", tmpdb);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", tmpdb);
        unlink(side);
        rmdir(tmpdir);
    }
    mn_ctx_free(ctx);
    return code;
}
