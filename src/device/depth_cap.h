/*
 * The warning the commands give for a needle length beyond the planner's depth caps
 * (depth_cap.c), shared by the readers of absorb scenarios, healing scenarios and trials.
 */
#ifndef MN_DEVICE_DEPTH_CAP_H
#define MN_DEVICE_DEPTH_CAP_H

#include "mneedle/device.h"

enum { MN__CAP_ZONE = 1u, MN__CAP_ANATOMY = 2u };

/* Checks @p needle_mm on @p site against the caps (mn_device_depth_caps()) for each of the
 * @p n_patients people (a population passes its extremes: the thinnest skin decides) and
 * adds a warning naming @p src and @p path for each cap it is beyond, except the kinds in
 * @p skip (a mask of MN__CAP_*: a list of sessions warns once per kind). Returns the mask of
 * caps exceeded, warned or not. */
unsigned mn__depth_cap_warn(const mn_device *device, const mn_site *site,
                            const mn_patient *patients, int n_patients, const mn_concern *concern,
                            double needle_mm, const char *src, const char *path, unsigned skip,
                            mn_warnings *w);

#endif
