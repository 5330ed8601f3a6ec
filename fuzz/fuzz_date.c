/*
 * Fuzz target: the date parser and the calendar arithmetic built on it.
 * Properties: a string the parser accepts is exactly YYYY-MM-DD of a real date in
 * 1900-2999, formats back to the same text and splits into the same parts; adding months
 * stays on a real date whose day never grows; weekdays are 0-6 and advance by one a day.
 */
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[40];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    mn_date d;
    if (mn_date_parse(text, &d) != MN_OK)
        return 0;
    fuzz_check(strlen(text) == 10);
    char back[11];
    fuzz_check(strcmp(mn_date_format(d, back), text) == 0);
    int y, m, day;
    mn_date_to_ymd(d, &y, &m, &day);
    fuzz_check(y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && day >= 1 && day <= 31);
    mn_date again;
    fuzz_check(mn_date_from_ymd(y, m, day, &again) == MN_OK && again == d);
    int w = mn_date_weekday(d);
    fuzz_check(w >= 0 && w <= 6 && mn_date_weekday(d + 1) == (w + 1) % 7);
    /* Bytes after the date choose a month offset within +-100 years. */
    int months = 0;
    if (size >= 12)
        months = (int)((data[10] | data[11] << 8) % 2401) - 1200;
    mn_date later = mn_date_add_months(d, months);
    int y2, m2, d2;
    mn_date_to_ymd(later, &y2, &m2, &d2);
    fuzz_check((y2 * 12 + m2) - (y * 12 + m) == months);
    fuzz_check(d2 <= day && d2 >= 1);
    char buf[11];
    if (y2 >= 1900 && y2 <= 2999) {
        mn_date round;
        fuzz_check(mn_date_parse(mn_date_format(later, buf), &round) == MN_OK && round == later);
    }
    return 0;
}
