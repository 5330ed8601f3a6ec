/*
 * A needle setting as text (core/internal.h): the one format every output uses for a depth.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

const char *mn__depth_str(char *buf, size_t n, double mm)
{
    /* Settings lie on grids of 0.05 mm or coarser, so two decimals are exact; trailing zeros
     * go ("1.5", "0.25", "1"), so text, report and JSON show the same value. ("%.2g" would
     * print 1.25 as "1.2", a setting no pen has.) */
    int k = snprintf(buf, n, "%.2f", mm);
    if (k > 0 && (size_t)k < n && strchr(buf, '.')) {
        char *e = buf + k - 1;
        while (*e == '0')
            *e-- = '\0';
        if (*e == '.')
            *e = '\0';
    }
    return buf;
}
