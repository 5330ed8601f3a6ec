/*
 * The reference integrator for the healing cascade: SUNDIALS CVODE (variable-order BDF with a
 * dense Newton solver and the exact Jacobian A), restarted at each session's jump. It is
 * slower than the exact propagator of model.c and allocates, so it serves as the check
 * (tests/unit/test_healing.c) and as `mneedle simulate --integrator cvode`.
 */
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "healing/healing_internal.h"

#define N MN__H_NSTATE

struct mn__healing_cvode {
    SUNContext sun;
    void *mem;
    N_Vector y;
    SUNMatrix J;
    SUNLinearSolver LS;
    mn__healing_matrix A;
    double t;
};

static int rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user)
{
    (void)t;
    const mn__healing_cvode *cv = user;
    const sunrealtype *x = N_VGetArrayPointer(y);
    sunrealtype *dx = N_VGetArrayPointer(ydot);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int k = 0; k <= i; k++)
            s += cv->A.a[i][k] * x[k];
        dx[i] = s;
    }
    return 0;
}

static int jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user, N_Vector t1,
               N_Vector t2, N_Vector t3)
{
    (void)t, (void)y, (void)fy, (void)t1, (void)t2, (void)t3;
    const mn__healing_cvode *cv = user;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++)
            SM_ELEMENT_D(J, i, k) = cv->A.a[i][k];
    return 0;
}

/* The library never prints: CVODE's messages are dropped and its status reported instead. */
static void silent(int code, const char *module, const char *function, char *msg, void *user)
{
    (void)code, (void)module, (void)function, (void)msg, (void)user;
}

mn_status mn__healing_cvode_create(mn_ctx *ctx, const mn__healing_matrix *m, double rtol,
                                   mn__healing_cvode **out)
{
    *out = NULL;
    if (!(rtol > 0 && rtol < 1))
        return mn__error(ctx, MN_EINVAL, "healing: CVODE relative tolerance %g outside (0, 1)",
                         rtol);
    mn__healing_cvode *cv = mn__calloc(1, sizeof *cv);
    if (!cv)
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory");
    cv->A = *m;
    if (SUNContext_Create(NULL, &cv->sun))
        goto fail;
    cv->y = N_VNew_Serial(N, cv->sun);
    if (!cv->y)
        goto fail;
    N_VConst(0.0, cv->y);
    cv->mem = CVodeCreate(CV_BDF, cv->sun);
    if (!cv->mem)
        goto fail;
    CVodeSetErrHandlerFn(cv->mem, silent, NULL);
    if (CVodeInit(cv->mem, rhs, 0.0, cv->y) != CV_SUCCESS)
        goto fail;
    /* States are fractions of order 0.01-1; the absolute floor keeps decayed states cheap. */
    if (CVodeSStolerances(cv->mem, rtol, rtol * 1e-4) != CV_SUCCESS)
        goto fail;
    cv->J = SUNDenseMatrix(N, N, cv->sun);
    cv->LS = cv->J ? SUNLinSol_Dense(cv->y, cv->J, cv->sun) : NULL;
    if (!cv->LS || CVodeSetLinearSolver(cv->mem, cv->LS, cv->J) != CV_SUCCESS ||
        CVodeSetJacFn(cv->mem, jac) != CV_SUCCESS || CVodeSetUserData(cv->mem, cv) != CV_SUCCESS ||
        CVodeSetMaxNumSteps(cv->mem, 1000000) != CV_SUCCESS)
        goto fail;
    *out = cv;
    return MN_OK;
fail:
    mn__healing_cvode_free(cv);
    return mn__error(ctx, MN_ENOMEM, "healing: cannot set up the CVODE integrator");
}

mn_status mn__healing_cvode_reset(mn__healing_cvode *cv, double t, const double *x)
{
    sunrealtype *y = N_VGetArrayPointer(cv->y);
    for (int i = 0; i < N; i++)
        y[i] = x[i];
    cv->t = t;
    return CVodeReInit(cv->mem, t, cv->y) == CV_SUCCESS ? MN_OK : MN_ENOCONV;
}

mn_status mn__healing_cvode_advance(mn_ctx *ctx, mn__healing_cvode *cv, double t1, double *x)
{
    sunrealtype tret = cv->t;
    if (CVodeSetStopTime(cv->mem, t1) != CV_SUCCESS)
        return mn__error(ctx, MN_ENOCONV, "healing: CVODE rejected the stop time %g", t1);
    int flag = CVode(cv->mem, t1, cv->y, &tret, CV_NORMAL);
    if (flag < 0)
        return mn__error(ctx, MN_ENOCONV, "healing: CVODE failed at t = %g days (flag %d)",
                         (double)tret, flag);
    cv->t = tret;
    const sunrealtype *y = N_VGetArrayPointer(cv->y);
    for (int i = 0; i < N; i++)
        x[i] = y[i];
    return MN_OK;
}

void mn__healing_cvode_free(mn__healing_cvode *cv)
{
    if (!cv)
        return;
    if (cv->mem)
        CVodeFree(&cv->mem);
    if (cv->LS)
        SUNLinSolFree(cv->LS);
    if (cv->J)
        SUNMatDestroy(cv->J);
    if (cv->y)
        N_VDestroy(cv->y);
    if (cv->sun)
        SUNContext_Free(&cv->sun);
    mn__free(cv);
}
