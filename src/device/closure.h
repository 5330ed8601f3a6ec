/*
 * Internal: what the closure law (channel.c, docs/models/device.md) says about a measured
 * closure time, and which studies set it (docs/models/observation.md reads both).
 */
#ifndef MN_DEVICE_CLOSURE_H
#define MN_DEVICE_CLOSURE_H

/* Micropore closure time at the volar forearm by impedance, the mean of n = 35 (F56b,
 * data/evidence/delivery/brogden2021sites.json), measured in the same people as the occluded
 * half-life MN_CLOSURE_OCCLUDED_H. */
#define MN__CLOSURE_TIME_FOREARM_H 58.29

/* How many half-lives of the open channel area pass before a barrier measurement (impedance,
 * TEWL) reads a site as closed: F56b's closure time over its half-life (58.29 / 20.2 = 2.89),
 * the ratio the open-to-air half-life was itself derived with (channel.c). A site reads
 * closed when 2^-2.89 (13 %) of the open area is left. */
double mn__closure_half_lives_to_closed(void);

/* Whether study @p id (an evidence id) set the closure law: its base half-lives, site, age or
 * phototype factors (channel.c names each; every one is `calibration` in
 * data/evidence/delivery/SPLIT). Its closure times cannot test the law. */
int mn__closure_law_source(const char *id);

#endif
