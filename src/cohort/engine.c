/*
 * The cohort engine: spreads patients over MPI ranks and OpenMP threads and reduces their
 * outcomes so the result does not depend on how they were spread.
 *
 * Patients are taken in blocks of MN__BLOCK. In round r, rank k simulates block
 * r * ranks + k, its threads sharing the block (static schedule); each patient's outcome lands
 * in its slot of the block buffer, and the block is then added to the rank's accumulators in
 * patient order. Every accumulator is exact (integer counts and fixed-point sums, stats.c),
 * so the final merge over ranks gives identical numbers for any decomposition. When
 * per-patient results are wanted, each round's blocks are gathered on rank 0 and handed to the
 * callback in patient order; memory stays at ranks x MN__BLOCK patients.
 */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#if MN_HAVE_MPI
#include <mpi.h>
#endif

#include "cohort/cohort_internal.h"
#include "mneedle/evidence.h" /* MN_GAIS_IMPROVED_PCT: the least peak worth maintaining */

#define MN__BLOCK 1024 /* patients per block: ~20 ms of work, so fork/join cost is noise */

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

mn_status mn__cohort_plan_init(mn__cohort_plan *plan, const mn_cohort_trial *trial)
{
    assert(trial->n_endpoints >= 1 && trial->horizon_days >= 0);
    memset(plan, 0, sizeof *plan);
    plan->trial = trial;
    int step = trial->maintenance_check_days > 0 ? trial->maintenance_check_days : 7;
    int n_max = trial->horizon_days / step + 2 + trial->n_endpoints;
    plan->grid_days = mn__malloc((size_t)n_max * sizeof *plan->grid_days);
    plan->endpoint_index = mn__malloc((size_t)trial->n_endpoints * sizeof(int) + 1);
    if (!plan->grid_days || !plan->endpoint_index) {
        mn__cohort_plan_release(plan);
        return MN_ENOMEM;
    }
    int n = 0;
    for (int d = 0; d <= trial->horizon_days; d += step)
        plan->grid_days[n++] = d;
    for (int e = 0; e < trial->n_endpoints; e++)
        plan->grid_days[n++] = trial->endpoint_days[e];
    assert(n <= n_max);
    qsort(plan->grid_days, (size_t)n, sizeof(int), int_cmp);
    int u = 0;
    for (int i = 0; i < n; i++)
        if (u == 0 || plan->grid_days[u - 1] != plan->grid_days[i])
            plan->grid_days[u++] = plan->grid_days[i];
    plan->n_grid = u;
    for (int e = 0, g = 0; e < trial->n_endpoints; e++) {
        while (plan->grid_days[g] != trial->endpoint_days[e])
            g++;
        assert(g < plan->n_grid); /* endpoints are sorted and on the grid */
        plan->endpoint_index[e] = g;
    }
    plan->last_session_day = trial->n_sessions ? trial->sessions[trial->n_sessions - 1].day : 0;
    return MN_OK;
}

void mn__cohort_plan_release(mn__cohort_plan *plan)
{
    mn__free(plan->grid_days);
    mn__free(plan->endpoint_index);
    memset(plan, 0, sizeof *plan);
}

void mn__cohort_finish_patient(const mn__cohort_plan *plan, const double *improvement_pct,
                               const double *collagen_pct, const double *epidermis_pct,
                               mn_cohort_patient_result *res, mn_cohort_outcome *outcomes)
{
    const mn_cohort_trial *t = plan->trial;
    /* Maintenance is judged after the course, as the planner does (DESIGN 3.5): from the
     * last session on, the first grid day on which improvement is below the fraction of the
     * best improvement seen so far. A patient whose peak never reached the improvement a
     * rater would call "improved" (MN_GAIS_IMPROVED_PCT, evidence.h) has nothing to maintain:
     * a fall from a peak of a fraction of a point is noise, not lost improvement. */
    assert(plan->n_grid > 0 && improvement_pct != NULL);
    double peak = -HUGE_VAL;
    int peak_day = 0;
    res->maintenance_day = -1;
    for (int g = 0; g < plan->n_grid; g++) {
        double v = improvement_pct[g];
        if (v > peak) {
            peak = v;
            peak_day = plan->grid_days[g];
        }
        if (res->maintenance_day < 0 && plan->grid_days[g] >= plan->last_session_day &&
            peak >= MN_GAIS_IMPROVED_PCT && v < t->maintenance_fraction * peak)
            res->maintenance_day = plan->grid_days[g];
    }
    res->peak_improvement_pct = peak;
    res->peak_day = peak_day;
    /* Intention to treat by last observation carried forward: a patient who has left is
     * counted at the last endpoint he or she attended, or at baseline (0 %) before any. */
    double last_observed = 0;
    for (int e = 0; e < t->n_endpoints; e++) {
        int g = plan->endpoint_index[e], day = t->endpoint_days[e];
        assert(g >= 0 && g < plan->n_grid && plan->grid_days[g] == day);
        mn_cohort_outcome *o = &outcomes[e];
        o->improvement_pct = improvement_pct[g];
        o->collagen_change_pct = collagen_pct ? collagen_pct[g] : 0;
        o->epidermis_change_pct = epidermis_pct ? epidermis_pct[g] : 0;
        o->pih = res->pih_day >= 0 && res->pih_day <= day;
        o->maintenance_due = res->maintenance_day >= 0 && res->maintenance_day <= day;
        o->untreated_improvement_pct = 0; /* the model fills it (model.c) */
        o->observed = !res->dropped_out || day < res->dropout_day;
        if (o->observed)
            last_observed = o->improvement_pct;
        o->itt_improvement_pct = last_observed;
    }
}

/* The MPI side: rank, size, and collective helpers that degrade to no-ops alone. */
typedef struct {
    int rank, size;
#if MN_HAVE_MPI
    MPI_Comm comm;
#endif
} mpi_team;

static void team_init(mpi_team *team, int use_mpi)
{
    team->rank = 0;
    team->size = 1;
#if MN_HAVE_MPI
    int init = 0, fin = 0;
    team->comm = MPI_COMM_WORLD;
    if (use_mpi && MPI_Initialized(&init) == MPI_SUCCESS && init &&
        MPI_Finalized(&fin) == MPI_SUCCESS && !fin) {
        MPI_Comm_rank(team->comm, &team->rank);
        MPI_Comm_size(team->comm, &team->size);
    }
#else
    (void)use_mpi;
#endif
}

/* Threads per process when the caller leaves it to us: under MPI, the cores of the node
 * shared by the ranks on it, so `mpirun -np 2` on 2 cores does not run 4 threads. */
static int default_threads(const mpi_team *team)
{
    int nt = omp_get_max_threads();
#if MN_HAVE_MPI
    if (team->size > 1) {
        MPI_Comm node;
        int local = 1;
        if (MPI_Comm_split_type(team->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
            MPI_SUCCESS) {
            MPI_Comm_size(node, &local);
            MPI_Comm_free(&node);
        }
        nt = omp_get_num_procs() / (local > 0 ? local : 1);
    }
#else
    (void)team;
#endif
    return nt < 1 ? 1 : nt;
}

/* Agrees on the first failing patient over all ranks (LONG_MAX when none). */
static long team_min_long(const mpi_team *team, long v)
{
#if MN_HAVE_MPI
    if (team->size > 1) {
        long r = v;
        MPI_Allreduce(&v, &r, 1, MPI_LONG, MPI_MIN, team->comm);
        return r;
    }
#else
    (void)team;
#endif
    return v;
}

static int team_reduce_stats(const mpi_team *team, mn__cohort_stats *st)
{
#if MN_HAVE_MPI
    if (team->size > 1) {
        int ok = 1;
        void *send_counts = team->rank == 0 ? MPI_IN_PLACE : (void *)st->counts;
        ok &= MPI_Reduce(send_counts, st->counts, (int)st->n_counts, MPI_UINT64_T, MPI_SUM, 0,
                         team->comm) == MPI_SUCCESS;
        void *send_sums = team->rank == 0 ? MPI_IN_PLACE : (void *)st->sums;
        ok &= MPI_Reduce(send_sums, st->sums, (int)(2 * st->n_sums), MPI_INT64_T, MPI_SUM, 0,
                         team->comm) == MPI_SUCCESS;
        void *send_min = team->rank == 0 ? MPI_IN_PLACE : (void *)st->mins;
        ok &= MPI_Reduce(send_min, st->mins, (int)st->n_extrema, MPI_DOUBLE, MPI_MIN, 0,
                         team->comm) == MPI_SUCCESS;
        void *send_max = team->rank == 0 ? MPI_IN_PLACE : (void *)st->maxs;
        ok &= MPI_Reduce(send_max, st->maxs, (int)st->n_extrema, MPI_DOUBLE, MPI_MAX, 0,
                         team->comm) == MPI_SUCCESS;
        uint64_t n = st->n, total = 0;
        ok &= MPI_Reduce(&n, &total, 1, MPI_UINT64_T, MPI_SUM, 0, team->comm) == MPI_SUCCESS;
        if (team->rank == 0)
            st->n = total;
        for (size_t i = 0; i < st->n_sums; i++)
            mn__xsum_canonical(&st->sums[i]);
        return ok;
    }
#else
    (void)team;
#endif
    for (size_t i = 0; i < st->n_sums; i++)
        mn__xsum_canonical(&st->sums[i]);
    return 1;
}

/* A block of patients: results, their outcomes, and each patient's status. */
typedef struct {
    mn_cohort_patient_result *res; /* MN__BLOCK */
    mn_cohort_outcome *outcomes;   /* MN__BLOCK * n_endpoints */
    mn_status *status;             /* MN__BLOCK */
} patient_block;

mn_status mn__cohort_engine_slice(mn_ctx *ctx, const mn_cohort_trial *trial,
                                  const mn_cohort_options *opts, const mn__cohort_model *model,
                                  long first_patient, long n_patients, mn__cohort_stats *stats,
                                  mn__cohort_run_info *info)
{
    mn_cohort_options defaults;
    mn__cohort_plan plan;
    mpi_team team;
    patient_block blk = {NULL, NULL, NULL};
    patient_block gathered = {NULL, NULL, NULL};
    unsigned char *scratch = NULL;
    mn_status st = MN_OK;
    int have_plan = 0;

    if (!trial || !model || !stats || !info)
        return mn__error(ctx, MN_EINVAL, "cohort: NULL trial, model or result");
    if (!opts) {
        mn_cohort_options_init(&defaults);
        opts = &defaults;
    }
    if (trial->population.n < 1 || trial->population.n > MN_COHORT_MAX_N ||
        trial->n_endpoints < 1 || trial->n_endpoints > MN_COHORT_MAX_ENDPOINTS ||
        trial->n_sessions < 0 || trial->n_sessions > MN_COHORT_MAX_SESSIONS ||
        !(trial->maintenance_fraction > 0 && trial->maintenance_fraction <= 1) ||
        trial->horizon_days < trial->endpoint_days[trial->n_endpoints - 1])
        return mn__error(ctx, MN_EINVAL,
                         "cohort: the trial is not valid (n %ld, %d endpoints, %d sessions); "
                         "load it with mn_cohort_trial_load()",
                         trial->population.n, trial->n_endpoints, trial->n_sessions);
    if (opts->threads < 0 || opts->threads > 4096)
        return mn__error(ctx, MN_EINVAL, "cohort: threads must be 0 (default) to 4096, got %d",
                         opts->threads);
    if (first_patient < 0 || n_patients < 0 || first_patient > trial->population.n - n_patients)
        return mn__error(ctx, MN_EINVAL,
                         "cohort: patients %ld to %ld are not within the trial's %ld",
                         first_patient, first_patient + n_patients - 1, trial->population.n);
    assert(stats->n_endpoints == trial->n_endpoints && stats->n == 0);
    team_init(&team, opts->use_mpi);
    int nt = opts->threads > 0 ? opts->threads : default_threads(&team);
    assert(nt >= 1 && model->run != NULL);
    int ne = trial->n_endpoints;
    long n = n_patients, base = first_patient;
    info->rank = team.rank;
    info->size = team.size;
    info->threads = nt;
    int want_patients = team.rank == 0 && opts->on_patient != NULL;
#if MN_HAVE_MPI
    if (team.size > 1)
        MPI_Bcast(&want_patients, 1, MPI_INT, 0, team.comm);
#endif

    if ((st = mn__cohort_plan_init(&plan, trial)))
        goto fail_nomem;
    have_plan = 1;
    size_t scratch_stride = (model->scratch_per_grid_day * (size_t)plan.n_grid + 63) / 64 * 64 + 64;
    size_t n_slots = want_patients ? (size_t)MN__BLOCK * (size_t)team.size : 0;
    blk.res = mn__calloc(MN__BLOCK, sizeof *blk.res);
    blk.outcomes = mn__calloc((size_t)MN__BLOCK * (size_t)ne, sizeof *blk.outcomes);
    blk.status = mn__calloc(MN__BLOCK, sizeof *blk.status);
    scratch = mn__malloc(scratch_stride * (size_t)nt);
    if (!blk.res || !blk.outcomes || !blk.status || !scratch)
        goto fail_nomem;
    if (n_slots && team.size > 1) {
        gathered.res = mn__calloc(n_slots, sizeof *gathered.res);
        gathered.outcomes = mn__calloc(n_slots * (size_t)ne, sizeof *gathered.outcomes);
        if (!gathered.res || !gathered.outcomes)
            goto fail_nomem;
    }

    long n_blocks = (n + MN__BLOCK - 1) / MN__BLOCK;
    long n_rounds = (n_blocks + team.size - 1) / team.size;
    for (long round = 0; round < n_rounds; round++) {
        long b = round * team.size + team.rank;
        long first = b * MN__BLOCK; /* within the slice; patient base + first */
        long count = first < n ? (n - first < MN__BLOCK ? n - first : MN__BLOCK) : 0;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (long i = 0; i < count; i++) {
            void *mine = scratch + scratch_stride * (size_t)omp_get_thread_num();
            blk.res[i].index = base + first + i;
            blk.status[i] = model->run(&plan, base + first + i, mine, &blk.res[i],
                                       blk.outcomes + (size_t)i * ne);
        }
        /* The first failing patient, agreed over ranks, so every rank stops together. */
        long bad = LONG_MAX;
        mn_status bad_status = MN_OK;
        for (long i = 0; i < count && bad == LONG_MAX; i++)
            if (blk.status[i]) {
                bad = base + first + i;
                bad_status = blk.status[i];
            }
        long first_bad = team_min_long(&team, bad);
        if (first_bad != LONG_MAX) {
            if (bad == first_bad)
                mn__error(ctx, bad_status,
                          "cohort: patient %ld (rng stream %ld of seed %llu): the %s model "
                          "failed: %s",
                          bad, bad, (unsigned long long)trial->seed, model->name,
                          mn_strerror(bad_status));
            else
                mn__error(ctx, MN_ENUMERIC, "cohort: patient %ld failed on another MPI rank",
                          first_bad);
            st = bad == first_bad ? bad_status : MN_ENUMERIC;
            goto done;
        }
        for (long i = 0; i < count; i++)
            mn__cohort_stats_add(stats, &blk.res[i], blk.outcomes + (size_t)i * ne);

        if (want_patients) {
            const patient_block *src = &blk;
            long round_first = round * team.size * MN__BLOCK;
            long round_count = n - round_first < (long)team.size * MN__BLOCK
                                   ? n - round_first
                                   : (long)team.size * MN__BLOCK;
#if MN_HAVE_MPI
            if (team.size > 1) {
                int rb = (int)(MN__BLOCK * sizeof *blk.res);
                int ob = (int)((size_t)MN__BLOCK * (size_t)ne * sizeof *blk.outcomes);
                MPI_Gather(blk.res, rb, MPI_BYTE, gathered.res, rb, MPI_BYTE, 0, team.comm);
                MPI_Gather(blk.outcomes, ob, MPI_BYTE, gathered.outcomes, ob, MPI_BYTE, 0,
                           team.comm);
                src = &gathered;
            }
#endif
            long stopped_at = -1; /* the patient whose callback asked to stop */
            if (team.rank == 0) {
                for (long i = 0; i < round_count && stopped_at < 0; i++) {
                    mn_cohort_patient_result r = src->res[i];
                    r.outcomes = src->outcomes + (size_t)i * ne;
                    if (opts->on_patient(opts->patient_userdata, trial, &r) != 0)
                        stopped_at = r.index;
                }
            }
#if MN_HAVE_MPI
            if (team.size > 1)
                MPI_Bcast(&stopped_at, 1, MPI_LONG, 0, team.comm);
#endif
            if (stopped_at >= 0) {
                /* The caller's stop (its own failure, or a cancel): not an I/O error. */
                st = mn__error(ctx, MN_ESTOPPED,
                               "cohort: stopped by the per-patient callback at patient %ld of %ld",
                               stopped_at, trial->population.n);
                goto done;
            }
        }
        if (team.rank == 0 && opts->on_progress) {
            long done_n = (round + 1) * team.size * MN__BLOCK;
            opts->on_progress(opts->progress_userdata, done_n < n ? done_n : n, n);
        }
    }
    if (!team_reduce_stats(&team, stats)) {
        st = mn__error(ctx, MN_EIO, "cohort: the MPI reduction of the results failed");
        goto done;
    }
    /* every patient of the slice counted once, over all ranks */
    assert(team.rank != 0 || stats->n == (uint64_t)n);
    goto done;

fail_nomem:
    st = mn__error(ctx, MN_ENOMEM, "cohort: out of memory for %d endpoints", ne);
done:
    mn__free(blk.res);
    mn__free(blk.outcomes);
    mn__free(blk.status);
    mn__free(gathered.res);
    mn__free(gathered.outcomes);
    mn__free(scratch);
    if (have_plan)
        mn__cohort_plan_release(&plan);
    return st;
}

mn_status mn__cohort_check_means(mn_ctx *ctx, const mn_cohort_result *out)
{
    mn_status st = MN_OK;
    for (int e = 0; e < out->n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &out->endpoints[e];
        if (!mn__finite(ep->improvement_pct.mean) || !mn__finite(ep->collagen_change_pct.mean))
            st = mn__error(ctx, MN_ENUMERIC, "cohort: day %d: a mean is not finite", ep->day);
    }
    return st;
}

mn_status mn__cohort_engine(mn_ctx *ctx, const mn_cohort_trial *trial,
                            const mn_cohort_options *opts, const mn__cohort_model *model,
                            mn_cohort_result *out)
{
    mn__cohort_stats stats;
    mn__cohort_run_info info = {0, 1, 1};
    double t0 = omp_get_wtime();
    if (!trial || !model || !out)
        return mn__error(ctx, MN_EINVAL, "cohort: NULL trial, model or result");
    if (trial->n_endpoints < 1 || trial->n_endpoints > MN_COHORT_MAX_ENDPOINTS)
        return mn__error(ctx, MN_EINVAL,
                         "cohort: the trial is not valid (%d endpoints); load it "
                         "with mn_cohort_trial_load()",
                         trial->n_endpoints);
    memset(out, 0, sizeof *out);
    if (mn__cohort_stats_init(&stats, trial->n_endpoints))
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for %d endpoints",
                         trial->n_endpoints);
    mn_status st =
        mn__cohort_engine_slice(ctx, trial, opts, model, 0, trial->population.n, &stats, &info);
    if (!st && info.rank == 0) {
        mn__cohort_stats_finish(&stats, trial, out);
        st = mn__cohort_check_means(ctx, out);
    } else if (!st) {
        out->n = trial->population.n;
        out->seed = trial->seed;
        out->n_endpoints = trial->n_endpoints;
        for (int e = 0; e < trial->n_endpoints; e++)
            out->endpoints[e].day = trial->endpoint_days[e];
    }
    mn__cohort_stats_release(&stats);
    out->ranks = info.size;
    out->threads = info.threads;
    out->wall_s = omp_get_wtime() - t0;
    return st;
}
