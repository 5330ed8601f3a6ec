/*
 * The columns of the per-patient CSV ('mneedle cohort --csv', 'mneedle merge --csv'), in
 * order, with what each cell holds: the header is written from them (mn_cohort_csv_header) and
 * a part's rows are checked against them when it is loaded (mn_cohort_part_load), so that a
 * changed part cannot put anything else into the merged CSV.
 */
#ifndef MN_COHORT_CSV_COLUMNS_H
#define MN_COHORT_CSV_COLUMNS_H

typedef enum {
    MN__CSV_NUMBER,          /* a finite number, as printf writes it */
    MN__CSV_NUMBER_OR_EMPTY, /* the same, or empty (the untreated arm's, when not asked for) */
    MN__CSV_SEX,             /* mn_sex_name(): female, male */
    MN__CSV_SUN              /* mn_sun_name(): low, moderate, high */
} mn__csv_cell;

typedef struct {
    const char *name;
    mn__csv_cell cell;
} mn__csv_column;

#define MN__COHORT_CSV_COLUMNS 29
extern const mn__csv_column mn__cohort_csv_columns[MN__COHORT_CSV_COLUMNS];

#endif
