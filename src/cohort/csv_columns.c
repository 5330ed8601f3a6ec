/*
 * The per-patient CSV's columns (csv_columns.h). The contract grows at the end: columns are
 * added after the last, never moved.
 */
#include "cohort/csv_columns.h"

const mn__csv_column mn__cohort_csv_columns[MN__COHORT_CSV_COLUMNS] = {
    {"patient", MN__CSV_NUMBER},
    {"day", MN__CSV_NUMBER},
    {"age_years", MN__CSV_NUMBER},
    {"sex", MN__CSV_SEX},
    {"fitzpatrick", MN__CSV_NUMBER},
    {"smoker", MN__CSV_NUMBER},
    {"sun", MN__CSV_SUN},
    {"response_gain", MN__CSV_NUMBER},
    {"depth_fraction_scale", MN__CSV_NUMBER},
    {"closure_scale", MN__CSV_NUMBER},
    {"ageing_rate", MN__CSV_NUMBER},
    {"inflammation_scale", MN__CSV_NUMBER},
    {"pih_probability_per_session", MN__CSV_NUMBER},
    {"pih_day", MN__CSV_NUMBER},
    {"peak_improvement_pct", MN__CSV_NUMBER},
    {"peak_day", MN__CSV_NUMBER},
    {"maintenance_day", MN__CSV_NUMBER},
    {"improvement_pct", MN__CSV_NUMBER},
    {"collagen_change_pct", MN__CSV_NUMBER},
    {"epidermis_change_pct", MN__CSV_NUMBER},
    {"responder_50pct", MN__CSV_NUMBER},
    {"pih", MN__CSV_NUMBER},
    {"maintenance_due", MN__CSV_NUMBER},
    {"untreated_improvement_pct", MN__CSV_NUMBER_OR_EMPTY},
    {"difference_improvement_pct", MN__CSV_NUMBER_OR_EMPTY},
    {"dropped_out", MN__CSV_NUMBER},
    {"dropout_day", MN__CSV_NUMBER},
    {"observed", MN__CSV_NUMBER},
    {"severity_scale", MN__CSV_NUMBER},
};
