/*
 * Backups: SQLite's online backup API copies a consistent state of the database while other
 * processes go on writing; the copy is written beside its destination under a temporary name,
 * synced and renamed, so a reader sees a whole backup or none.
 *
 * Encrypted backups are the SQLite copy sealed with libsodium's secretstream
 * (XChaCha20-Poly1305): the file is MAGIC, the stream header, then chunks of CHUNK bytes of
 * plaintext each with its 17-byte authentication tag, the last one tagged FINAL. Every chunk
 * is authenticated and the stream must end with FINAL, so a wrong key, a flipped bit or a
 * truncated file is refused before anything is written.
 *
 * A wrong key and a cut file both fail authentication, so the size tells them apart first: the
 * plaintext is an SQLite database, a whole number of pages of at least SQLITE_MIN_PAGE bytes,
 * so a whole sealed backup is MAGIC, the header and ceil(P / CHUNK) chunks for such a P, each
 * with its tag. A file of another size was cut (or padded) and is refused as truncated or
 * damaged without trying the key. A plain backup's own header gives its page size and count.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_internal.h"

static const char magic[16] = "MNEEDLE-BACKUP1\n";
static const char sqlite_magic[16] = "SQLite format 3";
/* Plaintext bytes per sealed chunk: a page-sized unit, small enough to stream. */
#define CHUNK 65536
/* The smallest page size SQLite writes (sqlite.org/fileformat2.html, 1.3.2: a power of two
 * from 512 to 65536): every database file, hence every backup's plaintext, is a multiple. */
#define SQLITE_MIN_PAGE 512

/* "DIR/.NAME.XXXXXX" beside path, created 0600 (mkstemp's mode). */
static int temp_beside(mn_ctx *ctx, const char *path, char *out, size_t size, int *fd)
{
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(out, size, "%.*s.%s.XXXXXX", dir_len, path, slash ? slash + 1 : path) >= (int)size)
        return mn__error(ctx, MN_EINVAL, "%s: path too long", path);
    *fd = mkstemp(out);
    if (*fd < 0)
        return mn__error(ctx, MN_EINVAL, "%s: cannot create a file there: %s", path,
                         strerror(errno));
    fchmod(*fd, 0600);
    return MN_OK;
}

static mn_status refuse_existing(mn_ctx *ctx, const char *dest)
{
    struct stat sb;
    if (lstat(dest, &sb) == 0)
        return mn__error(ctx, MN_EINVAL, "%s: exists already; give a new file name", dest);
    return MN_OK;
}

/* Renames tmp over dest after syncing it; unlinks tmp on failure. */
static mn_status publish(mn_ctx *ctx, int fd, const char *tmp, const char *dest)
{
    mn_status st = MN_OK;
    if (fsync(fd) != 0)
        st = mn__error(ctx, MN_EIO, "%s: cannot sync: %s", dest, strerror(errno));
    if (close(fd) != 0 && !st)
        st = mn__error(ctx, MN_EIO, "%s: cannot close: %s", dest, strerror(errno));
    /* link() refuses an existing dest, where rename() would replace it. */
    if (!st && link(tmp, dest) != 0)
        st = mn__error(ctx, MN_EINVAL, "%s: cannot create: %s", dest, strerror(errno));
    unlink(tmp);
    return st;
}

/* Copies database src (open handle) into a new file at path (0600) with the backup API. */
static mn_status sqlite_copy(mn_ctx *ctx, sqlite3 *src, const char *src_name, const char *path)
{
    sqlite3 *dst = NULL;
    mn_status st = MN_OK;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        st = mn__error(ctx, MN_EIO, "%s: cannot open: %s", path, sqlite3_errmsg(dst));
        goto done;
    }
    sqlite3_busy_timeout(dst, MN__STORE_BUSY_MS);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        st = mn__error(ctx, MN_EIO, "%s: cannot start the backup: %s", src_name,
                       sqlite3_errmsg(dst));
        goto done;
    }
    int rc;
    /* All pages in one step: the copy is one consistent state of the source. */
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED)
        sqlite3_sleep(10);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        st = mn__error(ctx, MN_EIO, "%s: backup failed: %s", src_name, sqlite3_errstr(rc));
    /* The copy stands alone: no -wal file beside it. */
    if (!st && sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        st = mn__error(ctx, MN_EIO, "%s: %s", path, sqlite3_errmsg(dst));
done:
    sqlite3_close_v2(dst);
    return st;
}

static mn_status write_all(mn_ctx *ctx, int fd, const void *buf, size_t n, const char *name)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return mn__error(ctx, MN_EIO, "%s: cannot write: %s", name, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return MN_OK;
}

/* Reads up to n bytes (fewer only at the end of the file). */
static ssize_t read_full(int fd, void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Seals the file plain_fd (from its start) into out_fd. */
static mn_status seal(mn_ctx *ctx, int plain_fd, int out_fd, const unsigned char *key,
                      const char *dest)
{
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state state;
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    mn_status st = write_all(ctx, out_fd, magic, sizeof magic, dest);
    if (!st)
        st = write_all(ctx, out_fd, header, sizeof header, dest);
    unsigned char *in = mn__malloc(CHUNK);
    unsigned char *out = mn__malloc(CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES);
    if (!in || !out)
        st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", dest);
    lseek(plain_fd, 0, SEEK_SET);
    ssize_t n = st ? -1 : read_full(plain_fd, in, CHUNK);
    while (!st) {
        if (n < 0) {
            st = mn__error(ctx, MN_EIO, "%s: cannot read the copy: %s", dest, strerror(errno));
            break;
        }
        /* Look ahead one chunk so the last one carries FINAL. */
        unsigned char *next = mn__malloc(CHUNK);
        if (!next) {
            st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", dest);
            break;
        }
        ssize_t m = n == CHUNK ? read_full(plain_fd, next, CHUNK) : 0;
        unsigned char tag = m == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        unsigned long long clen;
        crypto_secretstream_xchacha20poly1305_push(&state, out, &clen, in, (unsigned long long)n,
                                                   NULL, 0, tag);
        st = write_all(ctx, out_fd, out, (size_t)clen, dest);
        mn__free(in);
        in = next;
        if (tag)
            break;
        n = m;
    }
    sodium_memzero(&state, sizeof state);
    mn__free(in);
    mn__free(out);
    return st;
}

/* Logs every client as read ("backup", the handle's actor), in one transaction. Committed
 * before the copy is made, so the copy holds its own entries: SQLite's backup API refuses a
 * source connection in a write transaction (SQLITE_BUSY), so the entries cannot wait
 * uncommitted for the copy. */
static mn_status log_backup(mn_ctx *ctx, mn_store *s)
{
    mn_status st = mn__store_begin(ctx, s);
    if (st)
        return st;
    sqlite3_stmt *q;
    if (!(st = mn__store_prepare(ctx, s, "SELECT num FROM clients ORDER BY id", &q))) {
        int rc = SQLITE_DONE;
        while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW)
            st = mn__store_audit(ctx, s, "read", "clients", sqlite3_column_int64(q, 0), "backup");
        if (!st && rc != SQLITE_DONE)
            st = mn__store_fail(ctx, s, "cannot list the clients");
        mn__store_done(s, q);
    }
    return mn__store_end(ctx, s, st);
}

mn_status mn_store_backup(mn_ctx *ctx, mn_store *store, const char *dest, const unsigned char *key)
{
    if (!store || !dest || !dest[0])
        return mn__error(ctx, MN_EINVAL, "backup: no destination given");
    mn_status st = refuse_existing(ctx, dest);
    if (st)
        return st;
    char plain[1100], sealed[1100];
    int plain_fd = -1, sealed_fd = -1;
    if ((st = temp_beside(ctx, dest, plain, sizeof plain, &plain_fd)))
        return st;
    /* A backup refused above (its file exists, no room for it) logs nothing; one made holds
     * the entries of its own reads. */
    if ((st = log_backup(ctx, store))) {
        close(plain_fd);
        unlink(plain);
        return st;
    }
    st = sqlite_copy(ctx, store->db, store->path, plain);
    if (!st && key) {
        if (!(st = temp_beside(ctx, dest, sealed, sizeof sealed, &sealed_fd))) {
            st = seal(ctx, plain_fd, sealed_fd, key, dest);
            if (!st)
                st = publish(ctx, sealed_fd, sealed, dest);
            else {
                close(sealed_fd);
                unlink(sealed);
            }
        }
        close(plain_fd);
        unlink(plain);
    } else if (!st) {
        st = publish(ctx, plain_fd, plain, dest);
    } else {
        close(plain_fd);
        unlink(plain);
    }
    return st;
}

/* Opens the sealed backup (after its magic) and writes its plaintext to out_fd. */
static mn_status unseal(mn_ctx *ctx, int in_fd, int out_fd, const unsigned char *key,
                        const char *backup, const char *dest)
{
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    if (read_full(in_fd, header, sizeof header) != (ssize_t)sizeof header)
        return mn__error(ctx, MN_ERANGE, "%s: truncated backup", backup);
    crypto_secretstream_xchacha20poly1305_state state;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key) != 0)
        return mn__error(ctx, MN_ERANGE, "%s: damaged backup header", backup);
    size_t clen_max = CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;
    unsigned char *in = mn__malloc(clen_max), *out = mn__malloc(CHUNK);
    mn_status st = MN_OK;
    if (!in || !out)
        st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", backup);
    int final = 0, first = 1;
    while (!st && !final) {
        ssize_t n = read_full(in_fd, in, clen_max);
        if (n < 0) {
            st = mn__error(ctx, MN_EIO, "%s: cannot read: %s", backup, strerror(errno));
            break;
        }
        if (n < (ssize_t)crypto_secretstream_xchacha20poly1305_ABYTES) {
            st = mn__error(ctx, MN_ERANGE, "%s: truncated backup (no final chunk)", backup);
            break;
        }
        unsigned long long mlen;
        unsigned char tag;
        if (crypto_secretstream_xchacha20poly1305_pull(&state, out, &mlen, &tag, in,
                                                       (unsigned long long)n, NULL, 0) != 0) {
            st = mn__error(ctx, MN_ERANGE,
                           first ? "%s: wrong key, or not this backup's (authentication failed)"
                                 : "%s: damaged backup (a chunk failed authentication)",
                           backup);
            break;
        }
        first = 0;
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (!final && n != (ssize_t)clen_max) {
            st = mn__error(ctx, MN_ERANGE, "%s: truncated backup", backup);
            break;
        }
        st = write_all(ctx, out_fd, out, (size_t)mlen, dest);
    }
    if (!st && read_full(in_fd, in, 1) != 0)
        st = mn__error(ctx, MN_ERANGE, "%s: damaged backup (bytes after its end)", backup);
    sodium_memzero(&state, sizeof state);
    if (out)
        sodium_memzero(out, CHUNK);
    mn__free(in);
    mn__free(out);
    return st;
}

/* Whether a sealed backup of @p size bytes can be whole: after MAGIC and the header, chunks of
 * CHUNK + ABYTES bytes, the last one shorter or as long, holding P bytes of plaintext in all,
 * P a positive multiple of SQLITE_MIN_PAGE. Writes the reason it cannot to @p why. */
static int sealed_size_whole(long long size, char *why, size_t why_size)
{
    const long long tag = crypto_secretstream_xchacha20poly1305_ABYTES, sealed_chunk = CHUNK + tag;
    long long body = size - (long long)sizeof magic -
                     (long long)crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    if (body < 0) {
        snprintf(why, why_size, "it ends inside its header");
        return 0;
    }
    long long chunks = (body + sealed_chunk - 1) / sealed_chunk;
    long long last = body - (chunks - 1) * sealed_chunk; /* the last chunk, with its tag */
    long long plain = body - chunks * tag;
    if (chunks == 0 || last <= tag || plain % SQLITE_MIN_PAGE != 0) {
        snprintf(why, why_size,
                 "%lld bytes is not the size of a whole one (%lld bytes of header, then chunks "
                 "of %lld bytes holding whole database pages)",
                 size, size - body, sealed_chunk);
        return 0;
    }
    return 1;
}

/* Whether a plain backup (an SQLite file) of @p size bytes holds the pages its header says it
 * has (sqlite.org/fileformat2.html 1.3: page size at offset 16, big-endian, 1 meaning 65536;
 * page count at 28, valid when the change counter at 24 equals the one at 92 and it is not 0). */
static int plain_size_whole(int fd, long long size, char *why, size_t why_size)
{
    unsigned char h[100];
    if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
        snprintf(why, why_size, "it ends inside its header");
        return 0;
    }
    long long page = (long long)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    unsigned long pages =
        (unsigned long)h[28] << 24 | (unsigned long)h[29] << 16 | (unsigned long)h[30] << 8 | h[31];
    if (pages == 0 || memcmp(h + 24, h + 92, 4) != 0 || page < SQLITE_MIN_PAGE)
        return 1; /* no page count to go by: SQLite itself will judge it */
    if (size < page * (long long)pages) {
        snprintf(why, why_size, "%lld bytes, where its header says %lu pages of %lld bytes", size,
                 pages, page);
        return 0;
    }
    return 1;
}

mn_status mn_store_restore(mn_ctx *ctx, const char *backup, const char *dest,
                           const unsigned char *key)
{
    if (!backup || !dest || !dest[0])
        return mn__error(ctx, MN_EINVAL, "restore: no backup or destination given");
    if (sodium_init() < 0)
        return mn__error(ctx, MN_EIO, "restore: libsodium cannot start");
    mn_status st = refuse_existing(ctx, dest);
    if (st)
        return st;
    int in_fd = open(backup, O_RDONLY);
    if (in_fd < 0)
        return mn__error(ctx, MN_EINVAL, "%s: cannot open: %s", backup, strerror(errno));
    char head[16];
    int encrypted;
    if (read_full(in_fd, head, sizeof head) != (ssize_t)sizeof head) {
        close(in_fd);
        return mn__error(ctx, MN_EINVAL, "%s: not an mneedle backup (too short)", backup);
    }
    if (!memcmp(head, magic, sizeof magic))
        encrypted = 1;
    else if (!memcmp(head, sqlite_magic, sizeof sqlite_magic))
        encrypted = 0;
    else {
        close(in_fd);
        return mn__error(ctx, MN_EINVAL, "%s: not an mneedle backup", backup);
    }
    /* A cut file first, whatever the key: it fails authentication as a wrong key would. */
    struct stat sb;
    char why[200];
    if (fstat(in_fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
        !(encrypted ? sealed_size_whole((long long)sb.st_size, why, sizeof why)
                    : plain_size_whole(in_fd, (long long)sb.st_size, why, sizeof why))) {
        close(in_fd);
        return mn__error(ctx, MN_ERANGE,
                         "%s: truncated or damaged backup: %s; nothing was restored (restore "
                         "from another copy)",
                         backup, why);
    }
    if (encrypted && !key) {
        close(in_fd);
        return mn__error(ctx, MN_EINVAL,
                         "%s: the backup is encrypted; give its key (--key-file FILE or "
                         "MNEEDLE_KEY)",
                         backup);
    }
    if (!encrypted && key) {
        close(in_fd);
        return mn__error(ctx, MN_EINVAL, "%s: the backup is not encrypted; give no key", backup);
    }
    char tmp[1100];
    int fd;
    if ((st = temp_beside(ctx, dest, tmp, sizeof tmp, &fd))) {
        close(in_fd);
        return st;
    }
    if (encrypted) {
        st = unseal(ctx, in_fd, fd, key, backup, dest);
    } else {
        /* A plain backup is a database: copy it with the backup API, which reads it as one. */
        sqlite3 *src = NULL;
        if (sqlite3_open_v2(backup, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            st = mn__error(ctx, MN_EINVAL, "%s: cannot open: %s", backup, sqlite3_errmsg(src));
        else
            st = sqlite_copy(ctx, src, backup, tmp);
        sqlite3_close_v2(src);
    }
    close(in_fd);
    if (st) {
        close(fd);
        unlink(tmp);
        return st;
    }
    return publish(ctx, fd, tmp, dest);
}

mn_status mn_store_key_load(mn_ctx *ctx, const char *key_file,
                            unsigned char key[MN_STORE_KEY_BYTES])
{
    char text[256] = "";
    const char *src;
    if (key_file) {
        src = key_file;
        int fd = open(key_file, O_RDONLY);
        if (fd < 0)
            return mn__error(ctx, MN_EINVAL, "%s: cannot open the key file: %s", key_file,
                             strerror(errno));
        ssize_t n = read_full(fd, text, sizeof text - 1);
        close(fd);
        if (n < 0)
            return mn__error(ctx, MN_EINVAL, "%s: cannot read the key file", key_file);
        text[n] = '\0';
    } else {
        src = "MNEEDLE_KEY";
        const char *env = getenv("MNEEDLE_KEY");
        if (!env || !env[0])
            return mn__error(ctx, MN_ENOTFOUND, "no key: give --key-file FILE or set MNEEDLE_KEY");
        snprintf(text, sizeof text, "%s", env);
    }
    size_t bin_len = 0;
    const char *end = NULL;
    int rc = sodium_hex2bin(key, MN_STORE_KEY_BYTES, text, strlen(text), " \t\r\n", &bin_len, &end);
    sodium_memzero(text, sizeof text);
    if (rc != 0 || bin_len != MN_STORE_KEY_BYTES || (end && *end))
        return mn__error(ctx, MN_EPARSE,
                         "%s: a key is 64 hexadecimal digits (32 bytes; make one with "
                         "'mneedle db keygen')",
                         src);
    return MN_OK;
}
