/*
 * Helpers for the cmocka unit tests: tolerant comparison of doubles (GSL's gsl_test_rel) and
 * the fixture the test files share: one library context, output collected in memory, files
 * read whole, figures kept for a look and the property-test case count.
 */
#ifndef MN_TEST_H
#define MN_TEST_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mneedle/mneedle.h"

/* Fails unless |got - want| <= abs_tol + rel_tol * |want|, printing both values. */
#define assert_close(got, want, rel_tol, abs_tol)                                                  \
    do {                                                                                           \
        double mn_g_ = (got), mn_w_ = (want);                                                      \
        double mn_tol_ = (abs_tol) + (rel_tol)*fabs(mn_w_);                                        \
        if (!(fabs(mn_g_ - mn_w_) <= mn_tol_)) {                                                   \
            print_error("%s = %.10g, expected %.10g (tolerance %.3g)\n", #got, mn_g_, mn_w_,       \
                        mn_tol_);                                                                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* One library context shared by a file's tests: defines `ctx` and the group fixtures `setup` and
 * `teardown` that create and free it (and release the figures' font caches), for
 * cmocka_run_group_tests(tests, setup, teardown). */
#define MN_TEST_CONTEXT_FIXTURE                                                                    \
    static mn_ctx *ctx;                                                                            \
    static int setup(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        return mn_ctx_create(&ctx) == MN_OK ? 0 : -1;                                              \
    }                                                                                              \
    MN_TEST_TEARDOWN_

/* As MN_TEST_CONTEXT_FIXTURE, and `cat`, the context's catalogue, set by `setup`. */
#define MN_TEST_CATALOG_FIXTURE                                                                    \
    static mn_ctx *ctx;                                                                            \
    static const mn_catalog *cat;                                                                  \
    static int setup(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        if (mn_ctx_create(&ctx) != MN_OK)                                                          \
            return -1;                                                                             \
        cat = mn_ctx_catalog(ctx);                                                                 \
        return 0;                                                                                  \
    }                                                                                              \
    MN_TEST_TEARDOWN_

/* The fixtures' common `teardown`. */
#define MN_TEST_TEARDOWN_                                                                          \
    static int teardown(void **state)                                                              \
    {                                                                                              \
        (void)state;                                                                               \
        mn_ctx_free(ctx);                                                                          \
        mn_plot_global_cleanup(); /* font caches a report's figures filled: not leaks of ours */   \
        return 0;                                                                                  \
    }

/* Output collected in memory: pass mn_test_text_write and a zeroed mn_test_text as a writer.
 * data stays NUL-terminated; with fail_after > 0 the write that would take it past that many
 * bytes fails, as a full disk would. Free with mn_test_text_free(). */
typedef struct {
    char *data;
    size_t len, cap;
    size_t fail_after;
} mn_test_text;

static inline int mn_test_text_write(void *ud, const char *buf, size_t len)
{
    mn_test_text *t = ud;
    if (t->fail_after && t->len + len > t->fail_after)
        return -1;
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + len + 1)
            cap *= 2;
        t->data = realloc(t->data, cap);
        assert_non_null(t->data);
        t->cap = cap;
    }
    memcpy(t->data + t->len, buf, len);
    t->len += len;
    t->data[t->len] = 0;
    return 0;
}

/* Frees the text and zeroes it (fail_after included), ready for reuse. */
static inline void mn_test_text_free(mn_test_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* The whole file at @p path, NUL-terminated, its size in *len (if len is not NULL); NULL if
 * it cannot be opened. The caller frees it. */
static inline char *mn_test_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    mn_test_text t = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        assert_int_equal(mn_test_text_write(&t, chunk, n), 0);
    fclose(fp);
    if (!t.data)
        t.data = calloc(1, 1);
    assert_non_null(t.data);
    if (len)
        *len = t.len;
    return t.data;
}

/* With MN_PLOT_KEEP=DIR set, writes @p len bytes of @p data to DIR/@p name, so a person can look
 * at what a test drew; otherwise does nothing. */
static inline void mn_test_keep(const char *name, const void *data, size_t len)
{
    const char *dir = getenv("MN_PLOT_KEEP");
    if (!dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(data, 1, len, fp);
    fclose(fp);
}

/* For a main() that drew figures: frees the plotting library's font caches, so leak checks see
 * only ours, and passes on @p failed, the count cmocka_run_group_tests() returned. */
static inline int mn_test_plots_done(int failed)
{
    mn_plot_global_cleanup();
    return failed;
}

/* The number of generated cases a property test runs: MN_PROPERTY_CASES when it is a positive
 * number, else @p fallback. */
static inline int mn_test_property_cases(int fallback)
{
    const char *cases = getenv("MN_PROPERTY_CASES");
    return cases && atoi(cases) > 0 ? atoi(cases) : fallback;
}

#endif
