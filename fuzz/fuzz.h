/*
 * Shared pieces of the libFuzzer targets (fuzz_*.c). Each target defines
 * LLVMFuzzerTestOneInput; with the "fuzz" preset it links against libFuzzer, and in the
 * ordinary builds against replay.c, which feeds it the seed corpus and the regression inputs
 * as a CTest test (so every build checks that no input once found to crash crashes again).
 *
 * A target calls fuzz_check() for every property it asserts; a violated property aborts,
 * which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef MN_FUZZ_H
#define MN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mneedle/mneedle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A writer that throws output away but counts it, and fails on demand. */
typedef struct {
    size_t bytes;
    int nan_seen;  /* 1 if the output contains "nan" or "inf" as a word */
    size_t lt, gt; /* '<' and '>' seen: markup, in HTML */
} fuzz_sink;

int fuzz_sink_write(void *userdata, const char *buf, size_t len);

/* 1 if the input holds "nan" or "inf" (any case) anywhere: its own words may then reach the
 * output, so the output's check for printed non-finite numbers is skipped. */
int fuzz_input_says_nan(const uint8_t *data, size_t size);

/* The context with the embedded catalogues, created on first use and kept (reachable, so not
 * a leak) for the life of the process. Aborts if it cannot be created. */
mn_ctx *fuzz_ctx(void);

#endif
