/*
 * Internals shared across the library's modules (mn__ prefix): the context's layout,
 * allocation through the installable hooks, and error reporting.
 */
#ifndef MN_CORE_INTERNAL_H
#define MN_CORE_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>

#include "mneedle/core.h"

/*
 * Invariants. Public functions check their arguments and return an mn_status; a condition
 * that only a bug inside the library could break (a NULL internal pointer, an index out of
 * its array, a grid that is not monotonic, a probability outside [0, 1]) is stated with
 * assert(), which the dev and asan presets keep and the release preset (CMAKE_BUILD_TYPE
 * Release adds -DNDEBUG) compiles away. So an assert costs nothing where speed counts, and
 * none sits inside a solver's innermost loop even in debug builds.
 *
 * Where the code also handles the impossible case defensively (returns an error rather than
 * crash), the test is written `if (NEVER(cond))` or `if (!ALWAYS(cond))`, as SQLite does:
 * in a debug build the assertion fires, so tests notice the bug; in a release build the
 * condition is evaluated as written and the defensive branch runs.
 */
#ifndef NDEBUG
#define ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define NEVER(x)  ((x) ? (assert(0), 1) : 0)
#else
#define ALWAYS(x) (x)
#define NEVER(x)  (x)
#endif

struct mn_catalog;

/* Appends a warning about @p path in @p src (printf-style message) to @p w; past
 * MN_MAX_WARNINGS counts it in w->dropped. NULL @p w is ignored. */
void mn__warn(mn_warnings *w, const char *code, const char *src, const char *path, const char *fmt,
              ...) __attribute__((format(printf, 5, 6)));

struct mn_ctx {
    mn_status errcode;
    char errmsg[1024];
    struct mn_catalog *catalog; /* owned */
    struct mn__outbatch *batch; /* outputs held for mn_outfile_batch_commit (outfile.c); owned */
    int private_outputs;        /* 1: files written get mode 0600 (mn_ctx_set_private_outputs) */
};

void *mn__malloc(size_t size);
void *mn__calloc(size_t n, size_t size);
void *mn__realloc(void *ptr, size_t size);
void mn__free(void *ptr);
char *mn__strdup(const char *s);
/* Bracket a jansson parse: begin returns a token, end returns 1 when an allocation was
 * refused in between (the parse's result must then be discarded as MN_ENOMEM; alloc.c
 * explains why). */
unsigned long mn__json_parse_begin(void);
int mn__json_parse_end(unsigned long token);

/* Records a failure on the context and returns @p status, so callers can write
 * `return mn__error(ctx, MN_ERANGE, "...")`. A NULL context is allowed. */
mn_status mn__error(mn_ctx *ctx, mn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Growable text buffer used to build output; all appends are no-ops after a failure,
 * which is reported once by mn__buf_status(). */
typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} mn__buf;

void mn__buf_init(mn__buf *b);
void mn__buf_release(mn__buf *b);
void mn__buf_append(mn__buf *b, const char *s, size_t n);
void mn__buf_printf(mn__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mn__buf_vprintf(mn__buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Text output for a reader (a terminal, a text file): printf, except that every %s argument
 * is shown as mn__escape(MN__ESC_TEXT) shows it, so a name from the input cannot forge a
 * line, hide one or move the cursor ("<U+000A>", "<U+001B>"). Width and precision count bytes
 * as printf does (precision: of the string before escaping). Every text writer prints through
 * it; the format's own "\n" are output as they are. */
void mn__buf_textf(mn__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
mn_status mn__buf_status(const mn__buf *b);

/* A needle length in mm as text, at most two decimals without trailing zeros ("1.25", "1.5",
 * "1"): the value the JSON carries, and the one format every output uses for a setting
 * (depth_str.c). Returns @p buf. */
const char *mn__depth_str(char *buf, size_t n, double mm);

/* Showing user text safely (escape.c). MN__ESC_TEXT names controls, line separators,
 * bidirectional overrides and bytes that are not UTF-8 ("<U+001B>", "<byte 0xA0>");
 * MN__ESC_ERROR also names characters that print as nothing or as a plain space ("<U+FEFF>",
 * "<U+00A0>"); MN__ESC_BYTES names only the bytes that are not UTF-8, every character kept
 * (a CSV cell: exact text, in a file that stays UTF-8). */
enum { MN__ESC_TEXT = 0, MN__ESC_ERROR = 1, MN__ESC_BYTES = 2 };

/* Writes the escaped form of src[0..len) to dst (at most cap bytes with the NUL, cut at a
 * whole character or name); returns the length the whole of it needs, as snprintf does. */
size_t mn__escape(char *dst, size_t cap, const char *src, size_t len, int mode);

/* A name from the input (a CSV column, a JSON key) in a message: at most MN__NAME_SHOWN_MAX
 * bytes of it, cut at a whole character and marked "..." when longer, so the message keeps
 * the file, the place and what was expected. 64 bytes: well beyond the names mneedle reads
 * (history's filler_or_threads_weeks_ago, 27 bytes, is among the longest), and, every byte of
 * it named as "<U+XXXX>" (8 bytes) at worst, 512 bytes: half a context's message (mn_ctx
 * errmsg, 1024 bytes), the rest left for the file, the place and what was expected. */
#define MN__NAME_SHOWN_MAX  64
#define MN__NAME_SHOWN_SIZE (MN__NAME_SHOWN_MAX + sizeof "...")

/* Writes @p name as a message shows it (above) to @p dst, which holds MN__NAME_SHOWN_SIZE
 * bytes; returns @p dst. */
const char *mn__name_shown(char *dst, const char *name);

/* 1 when src[0..len) is valid UTF-8 (shortest forms, no surrogates: RFC 3629), else 0. */
int mn__utf8_valid(const char *src, size_t len);
/* How many bytes of src[0..len) are valid UTF-8 before the first byte that is not (len when
 * all are). */
size_t mn__utf8_valid_prefix(const char *src, size_t len);

/* Passes JSON text (as the encoder writes it: C0 controls already escaped) to @p write, with
 * every other character mn__escape names in text mode (DEL, C1 controls, line and paragraph
 * separators, bidirectional overrides) written as a \uXXXX escape: the same string to a
 * parser, nothing hidden in a terminal. Returns what @p write returned (0, or nonzero on the
 * first failure). */
int mn__write_json_safe(mn_writer write, void *userdata, const char *text, size_t len);

/* Temporary files removed by the signal handler of mn_outfile_cleanup_on_signals (outfile.c).
 * mn__temp_create: mkstemp(name_template) and, on success, registers the name (the buffer
 * must stay valid until forgotten or removed); returns the descriptor or -1 with errno.
 * mn__temp_forget: unregisters (after a rename moved the file away). mn__temp_remove: unlinks
 * and unregisters. */
int mn__temp_create(char *name_template);
void mn__temp_forget(const char *name);
void mn__temp_remove(const char *name);
/* Gives the temporary file @p fd the permissions a plain fopen() would (0666 less the umask)
 * before it is renamed into place: mkstemp creates 0600, and every output (plans, reports,
 * PDFs) is meant to be handed out; with @p private_output, 0600 (a client's record,
 * mn_ctx_set_private_outputs). Returns 0, or -1 with errno. */
int mn__temp_publish_mode(int fd, int private_output);
/* Puts the complete temporary file @p tmp (registered by mn__temp_create, flushed and synced)
 * in place as @p path: renamed now, or, while a batch is open on @p ctx
 * (mn_outfile_batch_begin), held until the batch is committed (the names are copied). On
 * failure the temporary file is removed and the context names @p path. */
mn_status mn__temp_publish(mn_ctx *ctx, char *tmp, const char *path);
/* Removes every file an open batch holds and closes the batch (mn_ctx_free calls it). */
void mn__outbatch_free(mn_ctx *ctx);
/* For tests only: the link() and rename() that mn_outfile_batch_commit calls, so a test can
 * make the second name of an old file, or the rename putting it back, fail; NULL restores
 * the system's. Not thread-safe. */
void mn__outfile_test_calls(int (*link_call)(const char *, const char *),
                            int (*rename_call)(const char *, const char *));

/* True when x is a finite double. */
int mn__finite(double x);

/* A duration the model extrapolates beyond the evidence's longest follow-up, rounded to the
 * nearest half-year in @p buf ("2 years", "1.5 years", "half a year", "under half a year")
 * [judgement, docs/models/healing.md]. MN__EXTRAPOLATED_STEP_DAYS is that half-year. */
#define MN__EXTRAPOLATED_STEP_DAYS (365.25 / 2)
void mn__extrapolated_duration(int days, char *buf, size_t n);
/* Whether a figure @p after_course_days after the last course session lies beyond
 * @p followup_days, the evidence's longest follow-up (0 or less: not known, so not beyond). */
int mn__beyond_followup(int after_course_days, int followup_days);

#endif
