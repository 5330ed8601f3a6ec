/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput over files and directories given on the
 * command line, without libFuzzer: the regression half of fuzzing, run by CTest in every
 * build (and so under ASan + UBSan in the asan preset). A crash or a violated property
 * aborts, which fails the test.
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "mneedle/plot.h"

static long n_inputs;

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap) {
            unsigned char *bigger = realloc(data, cap * 2);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!data) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    n_inputs++;
    return 0;
}

static int replay_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: %s does not exist\n", path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode))
        return replay_file(path);
    DIR *dir = opendir(path);
    if (!dir)
        return 1;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        bad |= replay_path(child);
    }
    closedir(dir);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= replay_path(argv[i]);
    mn_plot_global_cleanup(); /* fontconfig's caches, so LeakSanitizer sees only real leaks */
    printf("replayed %ld inputs, none crashed\n", n_inputs);
    return bad || n_inputs == 0;
}
