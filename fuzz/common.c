/* Helpers shared by the fuzz targets (see fuzz.h). */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"

static int fuzz_is_word(const char *buf, size_t len, size_t at, size_t n)
{
    int before = at == 0 || !isalnum((unsigned char)buf[at - 1]);
    int after = at + n >= len || !isalnum((unsigned char)buf[at + n]);
    return before && after;
}

int fuzz_sink_write(void *userdata, const char *buf, size_t len)
{
    fuzz_sink *s = userdata;
    s->bytes += len;
    for (size_t i = 0; i < len; i++) {
        s->lt += buf[i] == '<';
        s->gt += buf[i] == '>';
    }
    for (size_t i = 0; i + 3 <= len; i++) {
        char a = (char)tolower((unsigned char)buf[i]), b = (char)tolower((unsigned char)buf[i + 1]),
             c = (char)tolower((unsigned char)buf[i + 2]);
        if (((a == 'n' && b == 'a' && c == 'n') || (a == 'i' && b == 'n' && c == 'f')) &&
            fuzz_is_word(buf, len, i, 3))
            s->nan_seen = 1;
    }
    return 0;
}

mn_ctx *fuzz_ctx(void)
{
    static mn_ctx *ctx;
    if (!ctx && mn_ctx_create(&ctx) != MN_OK)
        abort();
    return ctx;
}

int fuzz_input_says_nan(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 3 <= size; i++) {
        char a = (char)tolower(data[i]), b = (char)tolower(data[i + 1]),
             c = (char)tolower(data[i + 2]);
        if ((a == 'n' && b == 'a' && c == 'n') || (a == 'i' && b == 'n' && c == 'f'))
            return 1;
    }
    return 0;
}
