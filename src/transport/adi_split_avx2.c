/*
 * The split step (adi_split.c) compiled for AVX2 (CMakeLists.txt adds -mavx2 to this file
 * alone): wider registers for the same arithmetic, element by element, so its results equal
 * the baseline's. adi.c calls it only where the processor has AVX2.
 */
#define MN__SPLIT_STEP mn__adi_split_avx2
#include "adi_split.c"
