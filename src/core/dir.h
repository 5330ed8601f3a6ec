/* Directories the user names (--data DIR, --evidence DIR): opened with one set of checks and
 * messages, so every such option refuses a bad directory the same way. */
#ifndef MN_CORE_DIR_H
#define MN_CORE_DIR_H

#include <dirent.h>

#include "core/internal.h"

/* Opens @p dir, which the user gave as the @p what ("data directory"). MN_EINVAL, with the
 * name and the system's reason, when it does not exist or cannot be read, and with @p expected
 * (what it should hold) when it is not a directory. On success *out is open: closedir() it. */
mn_status mn__dir_open(mn_ctx *ctx, const char *dir, const char *what, const char *expected,
                       DIR **out);

#endif
