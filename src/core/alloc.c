/*
 * Allocation through installable hooks, so tests can make the Nth allocation fail and check
 * that every public entry point returns MN_ENOMEM instead of crashing. The hooks also route
 * jansson's allocations (json_set_alloc_funcs), which is why they are process-wide.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/internal.h"

static mn_allocator hooks = {malloc, realloc, free};

/*
 * jansson 2.14 is not safe when an allocation fails while it parses: lex_save() ignores a
 * failed growth of the token buffer and drops the byte, so a string can lose its closing
 * quote, and lex_scan_string() then copies past the end of the buffer (a heap overflow);
 * with less luck a number or a name just comes back truncated and the parse "succeeds".
 * So while mn__json_parse runs (mn__json_parse_begin/end), a request the installed
 * allocator refuses is counted and served by the C library instead, jansson never sees
 * NULL, and the parse is then reported as MN_ENOMEM and its tree thrown away. Each jansson
 * block carries a small header saying which allocator to give it back to. The state is
 * thread-local, so contexts on different threads stay independent.
 */
typedef union {
    max_align_t align;
    unsigned char from_libc;
} json_header;

static _Thread_local int json_parsing;
static _Thread_local unsigned long json_failures;

static void *json_malloc(size_t size)
{
    if (size > (size_t)-1 - sizeof(json_header))
        return NULL;
    json_header *h = hooks.malloc_fn(sizeof *h + size);
    unsigned char from_libc = 0;
    if (!h) {
        json_failures++;
        if (!json_parsing)
            return NULL; /* building output: jansson checks, and so do its callers */
        h = malloc(sizeof *h + size);
        if (!h)
            return NULL;
        from_libc = 1;
    }
    h->from_libc = from_libc;
    return h + 1;
}

static void json_free(void *ptr)
{
    if (!ptr)
        return;
    json_header *h = (json_header *)ptr - 1;
    assert(h->from_libc <= 1);
    if (h->from_libc)
        free(h);
    else
        hooks.free_fn(h);
}

/* jansson goes through the wrappers from the start, so no block it holds was allocated
 * without the header, whenever mn_set_allocator() is called. */
__attribute__((constructor)) static void json_hooks_init(void)
{
    json_set_alloc_funcs(json_malloc, json_free);
}

unsigned long mn__json_parse_begin(void)
{
    assert(!json_parsing); /* parses do not nest */
    json_parsing = 1;
    return json_failures;
}

int mn__json_parse_end(unsigned long failures_before)
{
    assert(json_parsing);
    json_parsing = 0;
    return json_failures != failures_before;
}

void mn_set_allocator(const mn_allocator *allocator)
{
    if (allocator == NULL) {
        hooks.malloc_fn = malloc;
        hooks.realloc_fn = realloc;
        hooks.free_fn = free;
    } else {
        hooks = *allocator;
    }
    json_set_alloc_funcs(json_malloc, json_free);
}

void *mn__malloc(size_t size)
{
    return hooks.malloc_fn(size ? size : 1);
}

void *mn__calloc(size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size)
        return NULL;
    void *p = mn__malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *mn__realloc(void *ptr, size_t size)
{
    return hooks.realloc_fn(ptr, size ? size : 1);
}

void mn__free(void *ptr)
{
    if (ptr)
        hooks.free_fn(ptr);
}

char *mn__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mn__malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
