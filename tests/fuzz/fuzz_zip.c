/* fuzz_zip: unpacking function code archives (code_unpack_zip, src/lambda/code.c) and
 * removing the unpacked tree again (code_remove_dir). Input: the zip archive bytes.
 *
 * Once per process a scratch tree is made under $TMPDIR:
 *     <base>/sentinel/            an empty sibling directory
 *     <base>/w1/w2/w3/code        the destination of every input (it does not exist before)
 * Invariants beyond "no crash":
 *  - nothing is written outside the destination: <base> holds only sentinel and w1, each
 *    wN only its one child, sentinel stays empty (an entry or link that escapes by up to
 *    four levels shows up here);
 *  - a failed unpack leaves no destination behind;
 *  - an unpacked tree holds only directories, regular files and symbolic links; no mode has
 *    setuid/setgid/sticky or group/other write bits; every link target is relative and
 *    every link that resolves resolves inside the destination;
 *  - code_remove_dir removes the tree (without following links). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "../../src/lambda/code.h"

static char base[PATH_MAX];
static char dest[PATH_MAX];
static char dest_real[PATH_MAX];

static void make_dir(const char *path)
{
    FUZZ_CHECK(mkdir(path, 0755) == 0, "cannot create %s: %s", path, strerror(errno));
}

static void remove_scratch(void)
{
    code_remove_dir(base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/sqsemu-fuzz-zip-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(base) != NULL, "mkdtemp: %s", strerror(errno));
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/sentinel", base);
    make_dir(path);
    snprintf(path, sizeof path, "%s/w1", base);
    make_dir(path);
    snprintf(path, sizeof path, "%s/w1/w2", base);
    make_dir(path);
    snprintf(path, sizeof path, "%s/w1/w2/w3", base);
    make_dir(path);
    snprintf(dest, sizeof dest, "%s/w1/w2/w3/code", base);
    FUZZ_CHECK(realpath(base, path) != NULL, "realpath");
    snprintf(dest_real, sizeof dest_real, "%s/w1/w2/w3/code", path);
    /* A zip bomb may legitimately expand to Lambda's 250 MB: keep single files small here
     * (a write beyond the limit fails with EFBIG instead of killing the process). */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {.rlim_cur = 16 << 20, .rlim_max = 16 << 20};
    setrlimit(RLIMIT_FSIZE, &limit);
    atexit(remove_scratch);
    return 0;
}

/* The names in dir (at most 8), sorted into one "a,b" string. */
static void list_dir(const char *dir, char *out, size_t size)
{
    out[0] = '\0';
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    FUZZ_CHECK(n >= 0, "cannot list %s: %s", dir, strerror(errno));
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
            used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s", used ? "," : "", name);
        free(names[i]);
    }
    free(names);
}

static void check_outside(bool dest_may_exist)
{
    char names[512], path[PATH_MAX];
    list_dir(base, names, sizeof names);
    FUZZ_CHECK(strcmp(names, "sentinel,w1") == 0, "%s holds %s", base, names);
    snprintf(path, sizeof path, "%s/sentinel", base);
    list_dir(path, names, sizeof names);
    FUZZ_CHECK(names[0] == '\0', "the sentinel directory holds %s", names);
    snprintf(path, sizeof path, "%s/w1", base);
    list_dir(path, names, sizeof names);
    FUZZ_CHECK(strcmp(names, "w2") == 0, "w1 holds %s", names);
    snprintf(path, sizeof path, "%s/w1/w2", base);
    list_dir(path, names, sizeof names);
    FUZZ_CHECK(strcmp(names, "w3") == 0, "w2 holds %s", names);
    snprintf(path, sizeof path, "%s/w1/w2/w3", base);
    list_dir(path, names, sizeof names);
    FUZZ_CHECK(strcmp(names, dest_may_exist ? "code" : "") == 0, "w3 holds %s", names);
}

static int check_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)flag;
    (void)ftw;
    mode_t type = st->st_mode & S_IFMT;
    FUZZ_CHECK(type == S_IFDIR || type == S_IFREG || type == S_IFLNK, "%s has type %o", path, (unsigned)type);
    if (type != S_IFLNK)
        FUZZ_CHECK((st->st_mode & 07022) == 0, "%s has mode %o", path, (unsigned)(st->st_mode & 07777));
    if (type == S_IFLNK) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof target - 1);
        FUZZ_CHECK(n > 0, "unreadable link %s", path);
        target[n] = '\0';
        FUZZ_CHECK(target[0] != '/', "link %s has the absolute target %s", path, target);
        char resolved[PATH_MAX];
        if (realpath(path, resolved)) {
            size_t n_dest = strlen(dest_real);
            FUZZ_CHECK(strncmp(resolved, dest_real, n_dest) == 0 && (resolved[n_dest] == '\0' || resolved[n_dest] == '/'),
                       "link %s -> %s resolves to %s, outside the destination", path, target, resolved);
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char error[512];
    bool ok = code_unpack_zip(data, size, dest, error, sizeof error);
    check_outside(ok);
    if (!ok) {
        FUZZ_CHECK(error[0] != '\0', "an unpack failed without a message");
        return 0;
    }
    FUZZ_CHECK(nftw(dest, check_entry, 16, FTW_PHYS) == 0, "cannot walk %s", dest);
    /* Entries may drop the owner's permissions on directories: code_remove_dir copes. */
    FUZZ_CHECK(code_remove_dir(dest), "cannot remove the unpacked tree");
    check_outside(false);
    return 0;
}
