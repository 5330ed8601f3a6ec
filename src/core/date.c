/*
 * Civil dates as days since 1970-01-01 in the proleptic Gregorian calendar. The conversion
 * uses 400-year eras (146097 days each), which makes it exact for every date without tables.
 * Also the coarse form of a duration the model extrapolates past its evidence.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    assert(m >= 1 && m <= 12);
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static mn_date days_from_civil(int y, int m, int d)
{
    assert(m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m));
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;                                  /* [0, 399] */
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return (mn_date)(era * 146097 + doe - 719468);
}

void mn_date_to_ymd(mn_date date, int *year, int *month, int *day)
{
    int z = (int)date + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    if (year)
        *year = y + (m <= 2);
    if (month)
        *month = m;
    if (day)
        *day = d;
}

mn_status mn_date_from_ymd(int year, int month, int day, mn_date *out)
{
    if (year < MN_DATE_MIN_YEAR || year > MN_DATE_MAX_YEAR || month < 1 || month > 12 || day < 1 ||
        day > month_days(year, month))
        return MN_ERANGE;
    *out = days_from_civil(year, month, day);
    return MN_OK;
}

mn_status mn_date_parse(const char *text, mn_date *out)
{
    if (text == NULL || out == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return MN_EPARSE;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (text[i] < '0' || text[i] > '9')
            return MN_EPARSE;
    }
    int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + text[3] - '0';
    int m = (text[5] - '0') * 10 + text[6] - '0';
    int d = (text[8] - '0') * 10 + text[9] - '0';
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return MN_EPARSE; /* no such day in any year */
    return mn_date_from_ymd(y, m, d, out) == MN_OK ? MN_OK : MN_ERANGE;
}

char *mn_date_format(mn_date date, char *buf)
{
    int y, m, d;
    mn_date_to_ymd(date, &y, &m, &d);
    /* Dates are limited to years MN_DATE_MIN_YEAR-MN_DATE_MAX_YEAR by construction, so the
     * fields fit. */
    unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
    buf[0] = (char)('0' + yy / 1000);
    buf[1] = (char)('0' + yy / 100 % 10);
    buf[2] = (char)('0' + yy / 10 % 10);
    buf[3] = (char)('0' + yy % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + mm / 10);
    buf[6] = (char)('0' + mm % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + dd / 10);
    buf[9] = (char)('0' + dd % 10);
    buf[10] = '\0';
    return buf;
}

int mn_date_weekday(mn_date date)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = ((int)date + 3) % 7;
    return w < 0 ? w + 7 : w;
}

mn_date mn_date_add_months(mn_date date, int months)
{
    int y, m, d;
    mn_date_to_ymd(date, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int dim = month_days(y, m);
    if (d > dim)
        d = dim;
    return days_from_civil(y, m, d);
}

#define SECONDS_PER_DAY    86400
#define LAST_EPOCH_SECONDS 32503680000LL /* 3000-01-01T00:00:00Z */

mn_status mn_date_today(mn_ctx *ctx, mn_date *out)
{
    assert(out);
    const char *env = getenv("SOURCE_DATE_EPOCH");
    long long secs;
    if (env && env[0]) {
        char *end;
        errno = 0;
        secs = strtoll(env, &end, 10);
        if (errno || *end || secs < 0 || secs >= LAST_EPOCH_SECONDS)
            return mn__error(ctx, MN_EINVAL,
                             "SOURCE_DATE_EPOCH: \"%.40s\" is not a whole number of seconds "
                             "since 1970 (before the year 3000)",
                             env);
    } else {
        secs = (long long)time(NULL);
    }
    *out = (mn_date)(secs / SECONDS_PER_DAY);
    return MN_OK;
}

/* Why a half-year [judgement]: past the longest follow-up the figure rests on collagen
 * turnover rates the evidence does not pin down (its 10-90 % ranges over people span years), so
 * a month is a precision it does not have; half a year still tells 1, 1.5 and 2 years apart,
 * the steps in which a clinic plans maintenance. */
void mn__extrapolated_duration(int days, char *buf, size_t n)
{
    long halves = lround(days / MN__EXTRAPOLATED_STEP_DAYS);
    if (halves < 1)
        snprintf(buf, n, "under half a year");
    else if (halves == 1)
        snprintf(buf, n, "half a year");
    else if (halves == 2)
        snprintf(buf, n, "1 year");
    else if (halves % 2)
        snprintf(buf, n, "%ld.5 years", halves / 2);
    else
        snprintf(buf, n, "%ld years", halves / 2);
}

int mn__beyond_followup(int after_course_days, int followup_days)
{
    return followup_days > 0 && after_course_days > followup_days;
}
