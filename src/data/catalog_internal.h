/* The catalogue's layout, private to src/data (the catalogue and the context that owns it). */
#ifndef MN_DATA_CATALOG_INTERNAL_H
#define MN_DATA_CATALOG_INTERNAL_H

#include <jansson.h>

#include "core/internal.h"
#include "mneedle/catalog.h"

struct mn_catalog {
    json_t *roots[7]; /* parsed files; strings in the entries point into them */
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
    /* defer_days per rule (flag rules that know their re-screen date), parallel to rules */
    int *rule_defer_days;
};

/* Loads all catalogues; data_dir may be NULL for the embedded copies only. */
mn_status mn__catalog_load(mn_ctx *ctx, const char *data_dir, struct mn_catalog **out);
void mn__catalog_free(struct mn_catalog *cat);

/* Days of deferral for a flag rule with a known wait (0 if none). */
int mn__rule_defer_days(const mn_catalog *cat, const mn_rule *rule);

#endif
