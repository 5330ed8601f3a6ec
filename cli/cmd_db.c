/* mneedle db init|check|backup|restore|migrate|keygen [FILE] [--db FILE] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_command command = {
    .name = "db",
    .operand = "ACTION [FILE]",
    .operand_error = "expected an action: init, check, backup FILE, restore FILE, migrate or "
                     "keygen FILE",
    .about =
        "Manages the clinic record: one SQLite database file (WAL journal, synchronous=FULL,\n"
        "foreign keys on), created with mode 0600. docs/records.md describes what it holds.\n"
        "\n"
        "  init           create a new database with the current schema\n"
        "  check          PRAGMA integrity_check, foreign_key_check and the audit chain (each\n"
        "                 entry's hash, and every record row against its last audit entry);\n"
        "                 exit 1 when anything fails\n"
        "  backup FILE    a consistent copy while others write (SQLite's online backup API);\n"
        "                 with --encrypt, sealed with libsodium's secretstream under the key;\n"
        "                 each client copied is logged in the audit log as read ('backup')\n"
        "  restore FILE   the backup FILE into a new database at --db (a wrong key, a damaged\n"
        "                 or truncated backup is refused and nothing is written)\n"
        "  migrate        bring an older schema to this version, in one transaction\n"
        "  keygen FILE    write a new random backup key (64 hex digits) to FILE, mode 0600\n"
        "\n"
        "The database is --db FILE, else $MNEEDLE_DB, else mneedle.db in the current folder.\n"
        "The key is --key-file FILE, else $MNEEDLE_KEY (64 hexadecimal digits).\n",
    .footer = "Example:\n"
              "  mneedle db init --db clinic.db\n"
              "  mneedle db keygen backup.key\n"
              "  mneedle db backup --db clinic.db --encrypt --key-file backup.key clinic.bak\n"
              "  mneedle db restore --db restored.db --key-file backup.key clinic.bak\n",
};

static int keygen(const char *path)
{
    unsigned char key[MN_STORE_KEY_BYTES];
    FILE *rnd = fopen("/dev/urandom", "rb");
    if (!rnd || fread(key, 1, sizeof key, rnd) != sizeof key) {
        if (rnd)
            fclose(rnd);
        fprintf(stderr, "mneedle db: error: cannot read /dev/urandom\n");
        return CLI_EXIT_RUNTIME;
    }
    fclose(rnd);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        fprintf(stderr, "mneedle db: error: %s: cannot create: %s\n", path, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    char hex[2 * MN_STORE_KEY_BYTES + 2];
    for (size_t i = 0; i < sizeof key; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    hex[2 * MN_STORE_KEY_BYTES] = '\n';
    ssize_t w = write(fd, hex, 2 * MN_STORE_KEY_BYTES + 1);
    int synced = fsync(fd) == 0;
    close(fd);
    memset(key, 0, sizeof key);
    memset(hex, 0, sizeof hex);
    if (w != 2 * MN_STORE_KEY_BYTES + 1 || !synced) {
        unlink(path);
        fprintf(stderr, "mneedle db: error: %s: cannot write the key\n", path);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
    cli_common o = {0};
    const char *db = NULL, *key_file = NULL, *actor = NULL;
    int encrypt = 0, schema = 0;
    const cli_option opts[] = {
        CLI_DB(&db),
        CLI_JSON(&o, "check: one JSON object (ok, integrity_ok, foreign_keys_ok, audit_ok, ...)"),
        CLI_FLAG("encrypt", &encrypt, "backup: encrypt with the key (--key-file or MNEEDLE_KEY)"),
        CLI_PATH("key-file", 0, &key_file, "FILE",
                 "the backup key: 64 hex digits (default $MNEEDLE_KEY)"),
        CLI_PATH("actor", 0, &actor, "NAME", "who the audit log names (default $MNEEDLE_ACTOR)"),
        CLI_INT("schema", &schema, "N", 1, MN_STORE_SCHEMA_VERSION,
                "init: create this older schema version (to test migrations)"),
        CLI_END,
    };
    char **ops;
    int n_ops;
    int code = cli_parse_list(&command, opts, argc, argv, stdout, &ops, &n_ops);
    if (code != CLI_PARSED)
        return code;
    const char *action = ops[0];
    int wants_file =
        !strcmp(action, "backup") || !strcmp(action, "restore") || !strcmp(action, "keygen");
    int known = wants_file || !strcmp(action, "init") || !strcmp(action, "check") ||
                !strcmp(action, "migrate");
    if (!known)
        return cli_usage_error("db",
                               "'%s' is not an action: init, check, backup, restore, "
                               "migrate or keygen",
                               action);
    if (n_ops != 1 + wants_file)
        return cli_usage_error("db", wants_file ? "%s takes one FILE" : "%s takes no FILE", action);
    if (!strcmp(action, "keygen"))
        return keygen(ops[1]);

    code = CLI_EXIT_OK;
    mn_ctx *ctx = cli_open("db", NULL, &code);
    if (!ctx)
        return code;
    mn_store *store = NULL;
    mn_status st = MN_OK;
    unsigned char key[MN_STORE_KEY_BYTES];
    int have_key = 0;
    if ((!strcmp(action, "backup") && (encrypt || key_file)) ||
        (!strcmp(action, "restore") && (key_file || getenv("MNEEDLE_KEY")))) {
        if ((st = mn_store_key_load(ctx, key_file, key))) {
            code = cli_fail("db", ctx, st == MN_ENOTFOUND ? MN_EINVAL : st);
            goto done;
        }
        have_key = 1;
    }
    if (!strcmp(action, "restore")) {
        st = mn_store_restore(ctx, ops[1], cli_db_path(db), have_key ? key : NULL);
        code = st ? cli_fail("db", ctx, st) : CLI_EXIT_OK;
        goto done;
    }
    if (!strcmp(action, "init")) {
        if ((st = mn_store_open(ctx, cli_db_path(db), MN_STORE_CREATE, schema, &store))) {
            code = cli_fail("db", ctx, st);
        } else {
            printf("created %s (schema version %d)\n", cli_db_path(db),
                   mn_store_schema_version(store));
        }
        goto done;
    }
    int flags = !strcmp(action, "migrate") || !strcmp(action, "check") ? MN_STORE_ANY_SCHEMA : 0;
    store = cli_store_open("db", ctx, db, actor, flags, &code);
    if (!store)
        goto done;
    if (!strcmp(action, "migrate")) {
        int from = 0;
        if ((st = mn_store_migrate(ctx, store, &from)))
            code = cli_fail("db", ctx, st);
        else
            printf("%s: schema version %d -> %d\n", cli_db_path(db), from,
                   mn_store_schema_version(store));
    } else if (!strcmp(action, "backup")) {
        /* Each client copied is logged as read, before the copy, so the backup holds its
         * own entries (mn_store_backup). */
        if ((st = mn_store_backup(ctx, store, ops[1], have_key ? key : NULL)))
            code = cli_fail("db", ctx, st);
    } else {
        mn_store_check_result r;
        if ((st = mn_store_check(ctx, store, &r))) {
            code = cli_fail("db", ctx, st);
        } else {
            mn_outfile *out = cli_output("db", ctx, o.output, &code);
            if (out) {
                st = mn_store_check_write(ctx, &r, o.json, mn_outfile_writer, out);
                code = st ? cli_fail("db", ctx, mn_outfile_fail(ctx, out, st))
                          : cli_commit("db", ctx, out);
                if (code == CLI_EXIT_OK && !(r.integrity_ok && r.foreign_keys_ok && r.audit_ok))
                    code = CLI_EXIT_RUNTIME;
            }
        }
    }
done:
    memset(key, 0, sizeof key);
    mn_store_close(store);
    mn_ctx_free(ctx);
    return code;
}
