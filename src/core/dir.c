/* Directories the user names (dir.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/dir.h"

mn_status mn__dir_open(mn_ctx *ctx, const char *dir, const char *what, const char *expected,
                       DIR **out)
{
    struct stat sb;
    *out = NULL;
    if (!*dir) /* stat("") says "No such file or directory" after an empty name: say what it is */
        return mn__error(ctx, MN_EINVAL,
                         "%s: the name is empty; expected the path of a directory of %s", what,
                         expected);
    if (stat(dir, &sb) != 0)
        return mn__error(ctx, MN_EINVAL, "%s %s: %s", what, dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return mn__error(ctx, MN_EINVAL, "%s %s: not a directory; expected a directory of %s", what,
                         dir, expected);
    if (!(*out = opendir(dir)))
        return mn__error(ctx, MN_EINVAL, "%s %s: %s", what, dir, strerror(errno));
    return MN_OK;
}
