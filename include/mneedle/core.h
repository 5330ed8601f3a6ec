/*
 * mneedle core: status codes, the context, writers, dates and atomic file output.
 *
 * Every other module of the library builds on these. The library never prints and never
 * exits: functions return an mn_status, and the context keeps the detailed message of the
 * last failure with the place in the input that caused it.
 *
 * Thread safety: the library keeps no mutable global state of its own except the allocator
 * hooks (mn_set_allocator(), set once before any other call). A context (mn_ctx) records the
 * last error of every call made with it, so it belongs to one thread at a time; independent
 * contexts may be used on different threads at once. The catalogues a context loads are
 * read-only after mn_ctx_create*() returns. The functions here that take no context (status
 * names, dates, writers) touch only their arguments and may be called from any thread.
 */
#ifndef MNEEDLE_CORE_H
#define MNEEDLE_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/*
 * Status codes. 0 is success; every error is negative. The X-macro keeps the enum, the
 * names and the messages of mn_strerror() in one list.
 */
#define MN_STATUS_LIST(X)                                                                          \
    X(MN_OK, 0, "success")                                                                         \
    X(MN_ENOMEM, -1, "out of memory")                                                              \
    X(MN_EINVAL, -2, "invalid argument")                                                           \
    X(MN_EIO, -3, "input/output error")                                                            \
    X(MN_EPARSE, -4, "malformed input")                                                            \
    X(MN_ETYPE, -5, "wrong type in input")                                                         \
    X(MN_ERANGE, -6, "value out of range")                                                         \
    X(MN_ENOTFOUND, -7, "unknown name")                                                            \
    X(MN_ELIMIT, -8, "input exceeds a stated limit")                                               \
    X(MN_ENOCONV, -9, "solver did not converge")                                                   \
    X(MN_ENUMERIC, -10, "numerical failure")                                                       \
    X(MN_EUNSUPPORTED, -11, "not supported in this build")                                         \
    X(MN_ESTOPPED, -12, "stopped before the end (a time limit or the caller)")

typedef enum {
#define MN__STATUS_ENUM(name, value, msg) name = value,
    MN_STATUS_LIST(MN__STATUS_ENUM)
#undef MN__STATUS_ENUM
} mn_status;

/**
 * Returns a static, human-readable description of a status code.
 * Never returns NULL; unknown codes give "unknown status". Thread-safe.
 */
const char *mn_strerror(mn_status status);

/**
 * Returns the symbolic name of a status code ("MN_ERANGE"), or "MN_UNKNOWN". Thread-safe.
 */
const char *mn_status_name(mn_status status);

/**
 * Returns 1 when a status means the caller's input was at fault (malformed, wrong type, out
 * of range, unknown name, over a limit, invalid argument), 0 otherwise. The CLI maps the
 * first kind to exit code 2 and the second to exit code 1.
 */
int mn_status_is_input_error(mn_status status);

/**
 * A stop request, asked by a long run between two steps of its work (mn_absorb_run_until(),
 * mn_sens_run_until(); a cohort's per-patient callback, mn_cohort_patient_fn, stops its run the
 * same way): a nonzero answer ends the run with MN_ESTOPPED, its result left empty, and a
 * message saying how far it got. For a wall-clock limit or a cancel button (an interpreter's
 * Ctrl-C). Called on the thread that started the run.
 */
typedef int (*mn_stop_fn)(void *userdata);

/** Library version as "MAJOR.MINOR.PATCH". Static storage; thread-safe. */
const char *mn_version(void);

/*
 * Writers. Output goes through a callback the caller supplies (as Lua's lua_Writer), so the
 * library never touches stdout. A writer returns 0 on success, nonzero on failure.
 */
typedef int (*mn_writer)(void *userdata, const char *buf, size_t len);

/** A writer that appends to a FILE * passed as userdata (fwrite). */
int mn_writer_file(void *userdata, const char *buf, size_t len);

/*
 * The context. It owns the loaded catalogues and the last error message. One context per
 * thread: a context is not thread-safe, but independent contexts are. Its error state is
 * core's (src/core/ctx.c); creating and freeing it loads and frees the catalogues, so that is
 * defined in the data layer (src/data/context.c), though declared here.
 */
typedef struct mn_ctx mn_ctx;

/**
 * Creates a context with the catalogues embedded in the library.
 *
 * @param out  receives the new context; the caller frees it with mn_ctx_free().
 * @return MN_OK; MN_ENOMEM; MN_EPARSE if an embedded catalogue is malformed (a build defect).
 */
mn_status mn_ctx_create(mn_ctx **out);

/**
 * Creates a context whose catalogues are read from the directory @p data_dir, falling back to
 * the embedded copy for any file the directory does not contain (devices.json, sites.json,
 * concerns.json, products.json, rules.json, aftercare.json).
 *
 * @p data_dir must be a directory; a file in it named within two letters of a catalogue
 * ("device.json"), or a catalogue name that is a dangling link or not a regular file, is
 * refused rather than passed over. Ids and aliases must be unique under the lookup's
 * normalisation (case, '_', ' ' and '-' alike).
 *
 * @return MN_OK; MN_ENOMEM; MN_EINVAL if @p data_dir is not a directory or a catalogue name in
 *         it is not a readable regular file; MN_ENOTFOUND for a misspelt catalogue file name;
 *         MN_EIO if a file exists but cannot be read; MN_EPARSE, MN_ETYPE,
 *         MN_ERANGE if a file is not a valid catalogue (MN_ERANGE for a name collision). On failure
 * *out is NULL and, when
 *         @p errbuf is not NULL, the message is copied there (at most @p errbuf_len bytes).
 */
mn_status mn_ctx_create_with_data(mn_ctx **out, const char *data_dir, char *errbuf,
                                  size_t errbuf_len);

/** Frees a context. NULL-safe. */
void mn_ctx_free(mn_ctx *ctx);

/**
 * The detailed message of the last failure on this context, naming the input file and the
 * place (`client.json:12:7` or `client.json: $.concerns[0].zones[1]`) and what was expected.
 * Empty string when no failure happened. Owned by the context; valid until the next call.
 */
const char *mn_ctx_errmsg(const mn_ctx *ctx);

/** The status of the last failure on this context (MN_OK if none). */
mn_status mn_ctx_errcode(const mn_ctx *ctx);

/**
 * Writes @p src as the library writes input it quotes in a message: every control character,
 * line or paragraph separator, bidirectional override, character that prints as nothing or as
 * a plain space, and byte that is not UTF-8 is named ("<U+001B>", "<U+202E>", "<byte 0xA0>"),
 * so a value echoed to a terminal cannot forge a line or hide one. Writes at most @p cap
 * bytes with the NUL (cut at a whole character or name); returns the length the whole of it
 * needs, as snprintf does. For programs that echo their own input (the command's usage
 * errors). Thread-safe.
 */
size_t mn_escape_message(char *dst, size_t cap, const char *src);

/** Clears the last error. */
void mn_ctx_clear_error(mn_ctx *ctx);

/**
 * With @p on non-zero, every file this context writes from now on (mn_outfile_open,
 * mn_write_file_atomic, reports, figures) gets mode 0600, as the clinic record and its backups
 * do, instead of 0666 less the umask: for outputs that carry a client's record (exports, a
 * client's identity, history, the plan of a stored client). Not thread-safe with writes
 * through the same context.
 */
void mn_ctx_set_private_outputs(mn_ctx *ctx, int on);

/*
 * Dates: civil dates (proleptic Gregorian) as a count of days since 1970-01-01, so that
 * adding days and comparing dates is integer arithmetic.
 */
typedef int32_t mn_date;

/** The years a date may fall in, both included [judgement: four-digit years around any
 *  client's lifetime and plan; mn_date_format() writes four digits]. */
#define MN_DATE_MIN_YEAR 1900
#define MN_DATE_MAX_YEAR 2999

/**
 * Parses a strict "YYYY-MM-DD" date (years MN_DATE_MIN_YEAR to MN_DATE_MAX_YEAR, real month
 * lengths and leap years).
 * @return MN_OK; MN_ERANGE for a real calendar date outside those years ("1800-01-01");
 *         MN_EPARSE for anything else (including "2025-02-29").
 */
mn_status mn_date_parse(const char *text, mn_date *out);

/** Formats a date as "YYYY-MM-DD" into @p buf (at least 11 bytes). Returns buf. */
char *mn_date_format(mn_date date, char *buf);

/** Builds a date from its parts; returns MN_ERANGE if the parts are not a real date. */
mn_status mn_date_from_ymd(int year, int month, int day, mn_date *out);

/** Splits a date into year, month (1–12) and day (1–31). Any pointer may be NULL. */
void mn_date_to_ymd(mn_date date, int *year, int *month, int *day);

/**
 * Today's date (UTC) for dating an output, or the date of SOURCE_DATE_EPOCH (seconds since
 * 1970, the reproducible-builds convention) when that is set, so that the same input gives the
 * same output. The only place the library reads the clock or the environment for a date.
 * @return MN_OK; MN_EINVAL when SOURCE_DATE_EPOCH is set but is not a whole number of seconds
 *         from 0 up to the year 3000 (the message says so).
 */
mn_status mn_date_today(mn_ctx *ctx, mn_date *out);

/** Day of the week, 0 = Monday … 6 = Sunday. */
int mn_date_weekday(mn_date date);

/** Adds whole months, clamping the day to the target month's length (Jan 31 + 1 = Feb 28). */
mn_date mn_date_add_months(mn_date date, int months);

/*
 * Atomic file output: the content is written to a temporary file beside the target, flushed,
 * and renamed over the target only when complete, so a reader finds the old file or the new
 * one, never a partial one.
 */
typedef struct mn_outfile mn_outfile;

/**
 * Opens an output for @p path: its temporary file beside @p path is created at the first
 * write (or at commit, for an empty output), so nothing is left on disk by a run that fails
 * before writing. "-" means standard output, and a path that names a device, FIFO or socket
 * (/dev/null, a named pipe) is written directly; neither is atomic. Standard output opened
 * while a batch is open on @p ctx (mn_outfile_batch_begin) is held in memory instead, and
 * printed by mn_outfile_batch_commit once the batch's files are in place.
 * @return MN_OK; MN_EIO (with the reason in the context) if the directory is not writable or
 *         @p path is a directory.
 */
mn_status mn_outfile_open(mn_ctx *ctx, const char *path, mn_outfile **out);

/** A writer bound to an open outfile; pass the outfile as userdata. */
int mn_outfile_writer(void *userdata, const char *buf, size_t len);

/**
 * Flushes, syncs and renames the temporary file over the target, then frees @p f. While a
 * batch is open on @p ctx (mn_outfile_batch_begin), the complete temporary file is kept under
 * its name instead, and renamed by mn_outfile_batch_commit. Devices are flushed here in either
 * case, and so is standard output, unless it is held for the batch (mn_outfile_open).
 * @return MN_OK; MN_EIO if any write failed or the rename failed (the target is untouched and
 *         the temporary file removed); MN_ENOMEM if the batch cannot hold the file (removed).
 */
mn_status mn_outfile_commit(mn_ctx *ctx, mn_outfile *f);

/**
 * Makes the files a run writes through @p ctx one output: from now until
 * mn_outfile_batch_commit or mn_outfile_batch_abort, every file committed through @p ctx
 * (mn_outfile_commit, mn_write_file_atomic, figures, reports) waits, complete and synced,
 * under its temporary name beside its target. Not for a context used by several threads.
 * @return MN_OK; MN_EINVAL if a batch is already open; MN_ENOMEM.
 */
mn_status mn_outfile_batch_begin(mn_ctx *ctx);

/**
 * Renames every file of the batch over its target, in the order they were committed, then
 * prints what standard output holds for it (mn_outfile_open), and closes the batch: nothing
 * is printed unless every file is in place. If a rename, or the printing, fails, the targets
 * already replaced get their previous file back (or are removed, where there was none) and
 * every temporary file is removed: no file of the batch is left, and files that were there
 * before are as they were. Where the filesystem refused the hard link that keeps a previous
 * file, that target keeps its new file; where putting a previous file back failed, it is left
 * under its second name. SIGINT, SIGTERM and SIGHUP (and SIGPIPE, while printing) wait until
 * the renames, the printing and any undoing are done. No batch open: MN_OK.
 * @return MN_OK; MN_EIO naming the target whose rename failed (or standard output), and what
 *         the undoing left: each file that could not be rolled back, and any previous file's
 *         second name.
 */
mn_status mn_outfile_batch_commit(mn_ctx *ctx);

/** Removes every temporary file of the batch and closes it; targets are untouched. No batch
 *  open: nothing. mn_ctx_free() does the same with a batch left open. */
void mn_outfile_batch_abort(mn_ctx *ctx);

/** Removes the temporary file and frees @p f, leaving the target untouched. NULL-safe. */
void mn_outfile_abort(mn_outfile *f);

/**
 * Abandons @p f after a writer returned @p status, as mn_outfile_abort(). When the cause was
 * a failed write to @p f (a full disk, a file-size limit), the context's message becomes the
 * path and the system's reason ("out.json: cannot write: No space left on device") and the
 * result is MN_EIO; otherwise @p status is returned unchanged. NULL-safe.
 */
mn_status mn_outfile_fail(mn_ctx *ctx, mn_outfile *f, mn_status status);

/**
 * Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every temporary file an open
 * outfile (or the PDF report) holds, then let the signal take its default action, so an
 * interrupted program leaves its targets as they were and no temporary files. The handler
 * calls only unlink() and raise() (async-signal-safe). A signal already ignored (nohup) stays
 * ignored. For programs: a library never installs handlers on its own. Call once, early;
 * not thread-safe against other sigaction() calls.
 */
void mn_outfile_cleanup_on_signals(void);

/**
 * Writes @p len bytes to @p path atomically (open, write, commit).
 */
mn_status mn_write_file_atomic(mn_ctx *ctx, const char *path, const char *data, size_t len);

/*
 * Allocation. All library allocations go through these hooks so tests can inject failures
 * (the Nth allocation fails). The hooks are process-wide and set once before any context is
 * created; they also route jansson's allocations. Not thread-safe to change while in use.
 */
typedef struct {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
} mn_allocator;

/** Installs an allocator (NULL restores the C library's). */
void mn_set_allocator(const mn_allocator *allocator);

/**
 * Warnings: an input that is accepted and runs, but that the planner would not have chosen (a
 * needle length beyond a zone's depth cap). The loaders fill them; the command prints each on
 * standard error as "FILE: PATH: MESSAGE", and the `--json` outputs of absorb, simulate and
 * cohort list them under `warnings` as {code, path, message}. A src, path or message longer
 * than its field is cut after a whole UTF-8 character and ends with "...", as an error message
 * is (mn_ctx_errmsg).
 */
#define MN_MAX_WARNINGS 8
typedef struct {
    char code[40];     /* stable identifier, e.g. "depth_beyond_zone_cap" */
    char src[256];     /* the file it is about, as named in errors ("<stdin>" for -) */
    char path[96];     /* JSON path of the value in its file, e.g. "$.sessions[2].needle_mm" */
    char message[320]; /* what, the limit and where it comes from (without src and path, so
                          the same input gives the same message wherever it was read) */
} mn_warning;
typedef struct {
    int n;                             /* 0..MN_MAX_WARNINGS */
    int dropped;                       /* warnings past MN_MAX_WARNINGS, not kept */
    mn_warning items[MN_MAX_WARNINGS]; /* in the order found */
} mn_warnings;

/** Limits on inputs, refused with MN_ELIMIT before any work starts. */
#define MN_MAX_INPUT_BYTES (4u * 1024u * 1024u) /* 4 MiB: a client file is a few KiB */
#define MN_MAX_ARRAY_LEN   10000u               /* sessions, report days, zones, ... */

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
