/* Status codes and their messages, from the one list in core.h. */
#include "mneedle/core.h"

const char *mn_strerror(mn_status status)
{
    switch (status) {
#define MN__STATUS_MSG(name, value, msg)                                                           \
    case name:                                                                                     \
        return msg;
        MN_STATUS_LIST(MN__STATUS_MSG)
#undef MN__STATUS_MSG
    }
    return "unknown status";
}

const char *mn_status_name(mn_status status)
{
    switch (status) {
#define MN__STATUS_NAME(name, value, msg)                                                          \
    case name:                                                                                     \
        return #name;
        MN_STATUS_LIST(MN__STATUS_NAME)
#undef MN__STATUS_NAME
    }
    return "MN_UNKNOWN";
}

int mn_status_is_input_error(mn_status status)
{
    switch (status) {
    case MN_EINVAL:
    case MN_EPARSE:
    case MN_ETYPE:
    case MN_ERANGE:
    case MN_ENOTFOUND:
    case MN_ELIMIT:
        return 1;
    default:
        return 0;
    }
}

const char *mn_version(void)
{
#ifdef MN_VERSION_STRING
    return MN_VERSION_STRING;
#else
    return "0.0.0";
#endif
}
