/*
 * Mathematical and calendar constants, named once for the whole library.
 *
 * MN__DAYS_PER_YEAR is the mean Julian year (365.25 d); MN__DAYS_PER_MONTH is one twelfth of
 * it rounded to two decimals (30.4375 -> 30.44). They turn day counts into the months and years
 * a reader expects; calendar dates go through date.c instead. MN__DAYS_PER_COMMON_YEAR (365)
 * counts whole days for "a year later" on a day grid (report days, search windows), where a
 * fractional day has no meaning.
 *
 * MN__JSON_WHOLE_MAX is 2^53 - 1, the largest whole number a JSON number (an IEEE double) holds
 * exactly: the top of every seed's range. Messages write it as MN__JSON_WHOLE_MAX_NAME, as the
 * command line's --seed does.
 */
#ifndef MN_CORE_CONSTS_H
#define MN_CORE_CONSTS_H

#define MN__PI                   3.14159265358979323846
#define MN__LN2                  0.69314718055994530942
#define MN__DAYS_PER_YEAR        365.25
#define MN__DAYS_PER_MONTH       30.44
#define MN__DAYS_PER_COMMON_YEAR 365
#define MN__JSON_WHOLE_MAX       9007199254740991.0
#define MN__JSON_WHOLE_MAX_NAME  "2^53-1"

#endif
