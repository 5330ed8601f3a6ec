/*
 * mneedle: models and plans microneedling (collagen induction therapy).
 * This umbrella header includes the whole public API.
 *
 * Thread safety, in one line: one mn_ctx per thread; catalogues are read-only once a context
 * exists; mn_cohort_run() and the 3D absorb solver use OpenMP threads of their own. Each
 * header says the rest.
 */
#ifndef MNEEDLE_H
#define MNEEDLE_H

#include "mneedle/core.h"
#include "mneedle/catalog.h"
#include "mneedle/skin.h"
#include "mneedle/device.h"
#include "mneedle/clinic.h"
#include "mneedle/report.h"
#include "mneedle/rng.h"
#include "mneedle/healing.h"
#include "mneedle/posterior.h"
#include "mneedle/plot.h"
#include "mneedle/transport.h"
#include "mneedle/sensitivity.h"
#include "mneedle/cohort.h"
#include "mneedle/evidence.h"
#include "mneedle/store.h"
#include "mneedle/server.h"

#endif
