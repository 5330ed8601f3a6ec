/*
 * The Sobol' sequence (I. M. Sobol', USSR Comput. Math. Math. Phys. 7 (1967) 86-112) from the
 * direction numbers of S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
 * two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654: the first
 * MN_SOBOL_MAX_DIMS rows of their file new-joe-kuo-6.21201
 * (https://web.maths.unsw.edu.au/~fkuo/sobol/), the table SciPy's qmc.Sobol also ships.
 *
 * Dimension 1 is the van der Corput sequence (every m_k = 1). Dimension d >= 2 has a primitive
 * polynomial x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 over GF(2), its coefficients a_1..a_(s-1)
 * packed in `a` (a_1 the highest bit), and initial direction numbers m_1..m_s (odd, m_k < 2^k).
 * Further ones follow the recurrence (Bratley and Fox, ACM TOMS 14 (1988) 88-100)
 *   m_k = 2 a_1 m_(k-1) ^ 2^2 a_2 m_(k-2) ^ ... ^ 2^(s-1) a_(s-1) m_(k-s+1) ^ 2^s m_(k-s) ^ m_(k-s)
 * and v_k = m_k 2^(32-k). Point n is the XOR of v_k over the bits k of the Gray code
 * n ^ (n >> 1), so any point is computed alone (Antonov and Saleev's order, as Joe and Kuo's
 * own generator gives the points).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "mneedle/sensitivity.h"

#define BITS 32 /* direction numbers of 32 bits: up to 2^32 points */

typedef struct {
    int s;          /* degree of the polynomial */
    unsigned a;     /* its inner coefficients */
    unsigned m[18]; /* initial direction numbers m_1..m_s (Joe and Kuo go up to s = 18) */
} joe_kuo_row;

/* Rows d = 2..MN_SOBOL_MAX_DIMS of new-joe-kuo-6.21201: {s, a, {m_1 .. m_s}}. */
static const joe_kuo_row ROWS[MN_SOBOL_MAX_DIMS - 1] = {
    {1, 0, {1}},                                  /* d = 2 */
    {2, 1, {1, 3}},                               /* d = 3 */
    {3, 1, {1, 3, 1}},                            /* d = 4 */
    {3, 2, {1, 1, 1}},                            /* d = 5 */
    {4, 1, {1, 1, 3, 3}},                         /* d = 6 */
    {4, 4, {1, 3, 5, 13}},                        /* d = 7 */
    {5, 2, {1, 1, 5, 5, 17}},                     /* d = 8 */
    {5, 4, {1, 1, 5, 5, 5}},                      /* d = 9 */
    {5, 7, {1, 1, 7, 11, 19}},                    /* d = 10 */
    {5, 11, {1, 1, 5, 1, 1}},                     /* d = 11 */
    {5, 13, {1, 1, 1, 3, 11}},                    /* d = 12 */
    {5, 14, {1, 3, 5, 5, 31}},                    /* d = 13 */
    {6, 1, {1, 3, 3, 9, 7, 49}},                  /* d = 14 */
    {6, 13, {1, 1, 1, 15, 21, 21}},               /* d = 15 */
    {6, 16, {1, 3, 1, 13, 27, 49}},               /* d = 16 */
    {6, 19, {1, 1, 1, 15, 7, 5}},                 /* d = 17 */
    {6, 22, {1, 3, 1, 15, 13, 25}},               /* d = 18 */
    {6, 25, {1, 1, 5, 5, 19, 61}},                /* d = 19 */
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},           /* d = 20 */
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},            /* d = 21 */
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},             /* d = 22 */
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},              /* d = 23 */
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},           /* d = 24 */
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},            /* d = 25 */
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},           /* d = 26 */
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},             /* d = 27 */
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},             /* d = 28 */
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},            /* d = 29 */
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},            /* d = 30 */
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},            /* d = 31 */
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},            /* d = 32 */
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},             /* d = 33 */
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},            /* d = 34 */
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},            /* d = 35 */
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},            /* d = 36 */
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},             /* d = 37 */
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},      /* d = 38 */
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},       /* d = 39 */
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},      /* d = 40 */
    {8, 38, {1, 3, 1, 11, 27, 43, 71, 9}},        /* d = 41 */
    {8, 47, {1, 1, 7, 15, 21, 11, 81, 45}},       /* d = 42 */
    {8, 49, {1, 3, 7, 3, 25, 31, 65, 79}},        /* d = 43 */
    {8, 50, {1, 3, 1, 1, 19, 11, 3, 205}},        /* d = 44 */
    {8, 52, {1, 1, 5, 9, 19, 21, 29, 157}},       /* d = 45 */
    {8, 56, {1, 3, 7, 11, 1, 33, 89, 185}},       /* d = 46 */
    {8, 67, {1, 3, 3, 3, 15, 9, 79, 71}},         /* d = 47 */
    {8, 70, {1, 3, 7, 11, 15, 39, 119, 27}},      /* d = 48 */
    {8, 84, {1, 1, 3, 1, 11, 31, 97, 225}},       /* d = 49 */
    {8, 97, {1, 1, 1, 3, 23, 43, 57, 177}},       /* d = 50 */
    {8, 103, {1, 3, 7, 7, 17, 17, 37, 71}},       /* d = 51 */
    {8, 115, {1, 3, 1, 5, 27, 63, 123, 213}},     /* d = 52 */
    {8, 122, {1, 1, 3, 5, 11, 43, 53, 133}},      /* d = 53 */
    {9, 8, {1, 3, 5, 5, 29, 17, 47, 173, 479}},   /* d = 54 */
    {9, 13, {1, 3, 3, 11, 3, 1, 109, 9, 69}},     /* d = 55 */
    {9, 16, {1, 1, 1, 5, 17, 39, 23, 5, 343}},    /* d = 56 */
    {9, 22, {1, 3, 1, 5, 25, 15, 31, 103, 499}},  /* d = 57 */
    {9, 25, {1, 1, 1, 11, 11, 17, 63, 105, 183}}, /* d = 58 */
    {9, 44, {1, 1, 5, 11, 9, 29, 97, 231, 363}},  /* d = 59 */
    {9, 47, {1, 1, 5, 15, 19, 45, 41, 7, 383}},   /* d = 60 */
    {9, 52, {1, 3, 7, 7, 31, 19, 83, 137, 221}},  /* d = 61 */
    {9, 55, {1, 1, 1, 3, 23, 15, 111, 223, 83}},  /* d = 62 */
    {9, 59, {1, 1, 5, 13, 31, 15, 55, 25, 161}},  /* d = 63 */
    {9, 62, {1, 1, 3, 13, 25, 47, 39, 87, 257}},  /* d = 64 */
};

/* The direction numbers v_1..v_32 of dimension d (0-based), from the table. */
static void directions(int d, uint32_t v[BITS])
{
    if (d == 0) {
        for (int k = 0; k < BITS; k++)
            v[k] = (uint32_t)1u << (BITS - 1 - k);
        return;
    }
    const joe_kuo_row *r = &ROWS[d - 1];
    int s = r->s;
    uint32_t m[BITS];
    for (int k = 0; k < s && k < BITS; k++)
        m[k] = r->m[k];
    for (int k = s; k < BITS; k++) {
        uint32_t x = m[k - s] ^ (m[k - s] << s);
        for (int j = 1; j < s; j++)
            if ((r->a >> (s - 1 - j)) & 1u)
                x ^= m[k - j] << j;
        m[k] = x;
    }
    for (int k = 0; k < BITS; k++)
        v[k] = m[k] << (BITS - 1 - k);
}

mn_status mn_sobol_point(int dims, uint64_t index, double *out)
{
    if (dims < 1 || dims > MN_SOBOL_MAX_DIMS || index >> BITS || !out)
        return MN_EINVAL;
    uint64_t gray = index ^ (index >> 1);
    for (int d = 0; d < dims; d++) {
        uint32_t v[BITS], x = 0;
        directions(d, v);
        for (int k = 0; k < BITS; k++)
            if ((gray >> k) & 1u)
                x ^= v[k];
        out[d] = (double)x / 4294967296.0; /* 2^32 */
    }
    return MN_OK;
}
