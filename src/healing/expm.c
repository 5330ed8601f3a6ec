/*
 * The matrix exponential of the healing cascade's rate matrix, exp(A h), and the product of
 * two lower-triangular matrices it is built from.
 *
 * Method: scaling and squaring with a truncated Taylor series (methods 1 and 3 of C. Moler and
 * C. Van Loan, "Nineteen dubious ways to compute the exponential of a matrix, twenty-five years
 * later", SIAM Review 45(1):3-49, 2003). X = A h / 2^s with s the smallest power of two that
 * brings the infinity norm of X to 0.5 or below; exp(X) by the degree-12 Taylor polynomial in
 * Horner form, whose truncation error is below 0.5^13 / 13! = 2e-14; then s squarings.
 *
 * Why not Pade: A is lower triangular with real, non-positive diagonal entries (the
 * cascade's decay rates), so exp(A h) is lower triangular too and every product costs a sixth
 * of a full one; the Taylor form needs no linear solve and keeps that structure throughout.
 * The stiffness (rates from ~11/day, up to ~50/day for the fastest-closing person, to 1/8000
 * days) only raises s.
 */
#include <math.h>
#include <string.h>

#include "healing/healing_internal.h"

#define N MN__H_NSTATE

/* Taylor degree: 0.5^13 / 13! = 2e-14 at the scaled norm below. */
#define TAYLOR_DEGREE 12
/* The infinity norm the scaling brings X under, and a bound on the squarings. */
#define SCALED_NORM_MAX 0.5
#define MAX_SQUARINGS   60

void mn__healing_tri_mul(mn__healing_mat a, mn__healing_mat b, mn__healing_mat c)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = j; k <= i; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
        for (int j = i + 1; j < N; j++)
            c[i][j] = 0;
    }
}

void mn__healing_expm(mn__healing_mat A, double h, mn__healing_mat out)
{
    double norm = 0;
    for (int i = 0; i < N; i++) {
        double r = 0;
        for (int j = 0; j <= i; j++)
            r += fabs(A[i][j]) * h;
        if (r > norm)
            norm = r;
    }
    int s = 0;
    while (norm > SCALED_NORM_MAX && s < MAX_SQUARINGS) {
        norm *= 0.5;
        s++;
    }
    double scale = ldexp(h, -s);
    mn__healing_mat M, T, P;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            M[i][j] = A[i][j] * scale;
            T[i][j] = i == j ? 1.0 : 0.0;
        }
    for (int k = TAYLOR_DEGREE; k >= 1; k--) {
        mn__healing_tri_mul(M, T, P);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                T[i][j] = (i == j ? 1.0 : 0.0) + P[i][j] / k;
    }
    for (int q = 0; q < s; q++) {
        mn__healing_tri_mul(T, T, P);
        memcpy(T, P, sizeof T);
    }
    memcpy(out, T, sizeof T);
}
