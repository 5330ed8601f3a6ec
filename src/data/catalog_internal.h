/* The catalogue's layout, private to src/data (the catalogue and the context that owns it). */
#ifndef MN_DATA_CATALOG_INTERNAL_H
#define MN_DATA_CATALOG_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "core/internal.h"
#include "mneedle/catalog.h"

/* The files a catalogue is read from (devices.json ... references.json, then scales.json and
 * adverse_events.json); a plan is made from the first MN__CATALOG_PLAN_FILES and
 * adverse_events.json (its lasting-effects risk line). */
#define MN__CATALOG_FILES      9
#define MN__CATALOG_PLAN_FILES 7

/* The catalogue hash a stored plan records (src/store/db.c), by definition. A stored hash keeps
 * the meaning it was made with, so a definition is never changed; a new one takes the next
 * number, and a plan records its number with its hash.
 *   1  the first MN__CATALOG_PLAN_FILES files (plans stored before adverse_events.json was
 *      hashed: an edit to that file changed their risk line and not their hash);
 *   2  those, then adverse_events.json. */
#define MN__CATALOG_HASH_VERSION 2 /* the one new plans record */

/* 1 when file number @p file (catalogue order, 0 to MN__CATALOG_FILES - 1) is hashed by
 * definition @p version, else 0 (also for a version that does not exist). */
int mn__catalog_hash_covers(int version, int file);

struct mn_catalog {
    json_t *roots[MN__CATALOG_FILES]; /* parsed files; strings in the entries point into them */
    char sources[MN__CATALOG_FILES][4200]; /* each file's name in messages (its path, or
                                              "(embedded) data/NAME") */
    mn_device *devices;
    size_t n_devices;
    mn_site *sites;
    size_t n_sites;
    mn_concern *concerns;
    size_t n_concerns;
    mn_product *products;
    size_t n_products;
    mn_rule *rules;
    size_t n_rules;
    mn_aftercare *aftercare;
    size_t n_aftercare;
    mn_reference *references;
    size_t n_references;
    mn_pretreatment *pretreatment; /* the pretreatment list of aftercare.json */
    size_t n_pretreatment;
    mn_adverse_event_kind *adverse_events;
    size_t n_adverse_events;
    /* defer_days per rule (flag rules that know their re-screen date), parallel to rules */
    int *rule_defer_days;
    /* The catalogue hash under each definition, kept once made (src/store/db.c): making one
     * costs milliseconds, and a timeline, read per client by an export or a page, needs one.
     * "" until made; hash_lock guards them (the catalogue is read by many threads). */
    pthread_mutex_t hash_lock;
    char hashes[MN__CATALOG_HASH_VERSION + 1][65];
};

/* Loads all catalogues; data_dir may be NULL for the embedded copies only. */
mn_status mn__catalog_load(mn_ctx *ctx, const char *data_dir, struct mn_catalog **out);
void mn__catalog_free(struct mn_catalog *cat);

/* The parsed file @p name ("scales.json") and, in @p src, its name for messages; NULL when the
 * catalogue has no such file. Owned by the catalogue. */
json_t *mn__catalog_file(const mn_catalog *cat, const char *name, const char **src);

/* Days of deferral for a flag rule with a known wait (0 if none). */
int mn__rule_defer_days(const mn_catalog *cat, const mn_rule *rule);

#endif
