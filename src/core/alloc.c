/*
 * Allocation through installable hooks, so tests can make the Nth allocation fail and check
 * that every public entry point returns MN_ENOMEM instead of crashing. The hooks also route
 * jansson's allocations (json_set_alloc_funcs), which is why they are process-wide.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/internal.h"

static mn_allocator mn_alloc = {malloc, realloc, free};

static void *mn__json_malloc(size_t size)
{
    return mn_alloc.malloc_fn(size);
}

static void mn__json_free(void *ptr)
{
    mn_alloc.free_fn(ptr);
}

void mn_set_allocator(const mn_allocator *allocator)
{
    if (allocator == NULL) {
        mn_alloc.malloc_fn = malloc;
        mn_alloc.realloc_fn = realloc;
        mn_alloc.free_fn = free;
        json_set_alloc_funcs(malloc, free);
        return;
    }
    mn_alloc = *allocator;
    json_set_alloc_funcs(mn__json_malloc, mn__json_free);
}

void *mn__malloc(size_t size)
{
    return mn_alloc.malloc_fn(size ? size : 1);
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
    return mn_alloc.realloc_fn(ptr, size ? size : 1);
}

void mn__free(void *ptr)
{
    if (ptr)
        mn_alloc.free_fn(ptr);
}

char *mn__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mn__malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
