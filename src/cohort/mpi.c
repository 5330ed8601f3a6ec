/*
 * MPI start and stop for cohort runs. MPI is initialised only when a launcher started the
 * process (its environment says so), so the same binary runs alone without mpirun and without
 * the cost or the failure modes of a singleton MPI_Init.
 */
#include <stdlib.h>

#if MN_HAVE_MPI
#include <mpi.h>
#endif

#include "cohort/cohort_internal.h"

/* Variables the common launchers set in every rank's environment: Open MPI (mpirun), PMIx,
 * MPICH/Hydra and Slurm's PMI. */
static int mn__started_by_launcher(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE",
                                       "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

long mn_cohort_launcher_tasks(const char **var)
{
    /* Open MPI's mpirun, PMI launchers (MPICH's Hydra, srun --mpi=pmi2), srun's step, then
     * the job's task count (srun sets it for the step it runs). */
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS",
                                       "SLURM_NTASKS"};
    if (var)
        *var = NULL;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        char *end;
        if (!v || !*v)
            continue;
        long n = strtol(v, &end, 10);
        if (*end || n < 1)
            continue;
        if (n > 1 && var)
            *var = vars[i];
        return n > 1 ? n : 1;
    }
    return 1;
}

int mn_cohort_mpi_built(void)
{
    return MN_HAVE_MPI;
}

mn_status mn_cohort_mpi_begin(int *argc, char ***argv, int *rank, int *size)
{
    if (rank)
        *rank = 0;
    if (size)
        *size = 1;
    if (!mn__started_by_launcher())
        return MN_OK;
#if MN_HAVE_MPI
    int init = 0;
    MPI_Initialized(&init);
    if (!init) {
        int provided = 0;
        /* Only the main thread calls MPI; OpenMP threads never do. */
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return MN_EIO;
    }
    if (rank)
        MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (size)
        MPI_Comm_size(MPI_COMM_WORLD, size);
    return MN_OK;
#else
    (void)argc;
    (void)argv;
    return MN_EUNSUPPORTED;
#endif
}

void mn_cohort_mpi_end(void)
{
#if MN_HAVE_MPI
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin)
        MPI_Finalize();
#endif
}
