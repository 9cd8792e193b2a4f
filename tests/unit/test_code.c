/* test_code: unit tests for lambda/code: unpacking zip archives (built here with libzip in
 * memory) safely, CodeSha256, and removing code directories without following links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "sqsemu/codec.h"

#include "../../src/lambda/code.h"

/* ------------------------------------------------------------------ zip building */

typedef enum { Z_FILE, Z_DIR, Z_LINK } ztype;

typedef struct zentry {
    const char *name;
    const char *data; /* file contents or link target */
    unsigned mode;    /* Unix st_mode permission bits; 0 = no Unix attributes (DOS) */
    ztype type;
} zentry;

/* Builds a zip archive in memory. */
static unsigned char *make_zip(const zentry *entries, size_t n, size_t *len)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
    assert_non_null(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    assert_non_null(za);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        const zentry *e = &entries[i];
        zip_int64_t idx;
        if (e->type == Z_DIR) {
            idx = zip_dir_add(za, e->name, ZIP_FL_ENC_UTF_8);
        } else {
            zip_source_t *s = zip_source_buffer(za, e->data, strlen(e->data), 0);
            assert_non_null(s);
            idx = zip_file_add(za, e->name, s, ZIP_FL_ENC_UTF_8);
            if (idx < 0)
                zip_source_free(s);
        }
        if (idx < 0)
            print_error("cannot add %s: %s\n", e->name, zip_strerror(za));
        assert_true(idx >= 0);
        unsigned type = e->type == Z_DIR ? S_IFDIR : e->type == Z_LINK ? S_IFLNK : S_IFREG;
        int rc;
        if (e->mode || e->type == Z_LINK)
            rc = zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                                  (zip_uint32_t)((type | e->mode) << 16));
        else
            rc = zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_DOS,
                                                  e->type == Z_DIR ? 0x10 : 0);
        assert_int_equal(rc, 0);
    }
    assert_int_equal(zip_close(za), 0);

    zip_stat_t st;
    assert_int_equal(zip_source_stat(src, &st), 0);
    assert_int_equal(zip_source_open(src), 0);
    unsigned char *data = malloc(st.size ? st.size : 1);
    assert_non_null(data);
    assert_int_equal(zip_source_read(src, data, st.size), (zip_int64_t)st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);
    *len = st.size;
    return data;
}

/* ------------------------------------------------------------------ fixture */

typedef struct fixture {
    char root[64];      /* private temporary directory */
    char dest[128];     /* root/code (not created) */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->root, "/tmp/sqsemu-test-code-XXXXXX");
    if (!mkdtemp(fx->root)) {
        free(fx);
        return -1;
    }
    snprintf(fx->dest, sizeof fx->dest, "%s/code", fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    int rc = code_remove_dir(fx->root) ? 0 : -1;
    free(fx);
    return rc;
}

/* dir/rel in one of 8 rotating static buffers. */
static char *path_in(const char *dir, const char *rel)
{
    static char buf[8][PATH_MAX];
    static int next;
    char *p = buf[next++ % 8];
    size_t a = strlen(dir), b = strlen(rel);
    assert_true(a + 1 + b < PATH_MAX);
    memmove(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, rel, b + 1);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static unsigned perm_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

static void assert_file_content(const char *path, const char *expected)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        print_error("cannot open %s\n", path);
    assert_non_null(f);
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, expected);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* With SQSEMU_TEST_VERBOSE set, prints the error of a refused archive. */
static void show(const char *error)
{
    if (getenv("SQSEMU_TEST_VERBOSE"))
        print_message("refused: %s\n", error);
}

/* Unpacking entries fails, leaves nothing at dest and nothing escaped to root/escape. */
static void assert_rejected(fixture *fx, const zentry *entries, size_t n)
{
    size_t len;
    unsigned char *zip = make_zip(entries, n, &len);
    char error[256] = "";
    bool ok = code_unpack_zip(zip, len, fx->dest, error, sizeof error);
    free(zip);
    if (ok)
        print_error("archive with %s unexpectedly accepted\n", entries[n - 1].name);
    assert_false(ok);
    assert_true(error[0] != '\0');
    show(error);
    assert_false(exists(fx->dest));
    assert_false(exists(path_in(fx->root, "escape")));
    assert_false(exists("/tmp/sqsemu-test-code-escape"));
}

/* ------------------------------------------------------------------ digest */

static void test_sha256_base64(void **state)
{
    (void)state;
    char out[CODE_SHA256_B64_LEN];
    code_sha256_base64("", 0, out);
    assert_string_equal(out, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    code_sha256_base64(NULL, 0, out);
    assert_string_equal(out, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    code_sha256_base64("abc", 3, out);
    assert_string_equal(out, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    assert_int_equal(strlen(out), 44);
}

/* A 163-byte zip (the one boto3's test makes) and the CodeSha256 AWS reported for it. */
static const char REFERENCE_ZIP_B64[] =
    "UEsDBBQAAAAAAAAAwVqsKm9YNQAAADUAAAAGAAAAYXBwLnB5ZGVmIGhhbmRsZXIoZXZlbnQsIGNvbnRleHQpOgogICAgcmV0dXJu"
    "IHsib2siOiBUcnVlfQpQSwECFAMUAAAAAAAAAMFarCpvWDUAAAA1AAAABgAAAAAAAAAAAAAApAEAAAAAYXBwLnB5UEsFBgAAAAAB"
    "AAEANAAAAFkAAAAAAA==";

static void test_reference_zip(void **state)
{
    fixture *fx = *state;
    size_t len;
    unsigned char *zip = base64_decode(REFERENCE_ZIP_B64, strlen(REFERENCE_ZIP_B64), &len);
    assert_non_null(zip);
    assert_int_equal(len, 163);
    char sha[CODE_SHA256_B64_LEN];
    code_sha256_base64(zip, len, sha);
    assert_string_equal(sha, "0IFkNfe+sdRafTodDP/hR6w4P5AyqbhjmOxr66EH5W4=");
    char error[256];
    assert_true(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    assert_file_content(path_in(fx->dest, "app.py"), "def handler(event, context):\n    return {\"ok\": True}\n");
    assert_int_equal(perm_of(path_in(fx->dest, "app.py")), 0644);
    free(zip);
}

/* ------------------------------------------------------------------ unpacking */

static void test_unpack_tree(void **state)
{
    fixture *fx = *state;
    const zentry entries[] = {
        {"bootstrap", "#!/bin/sh\necho hi\n", 0755, Z_FILE},
        {"app.py", "print(1)\n", 0644, Z_FILE},
        {"lib/util/helper.py", "x = 1\n", 0644, Z_FILE}, /* parents without entries */
        {"data/", NULL, 0750, Z_DIR},
        {"data/plain.txt", "dos\n", 0, Z_FILE},     /* no Unix attributes */
        {"dosdir/", NULL, 0, Z_DIR},
        {"./dot/./file.txt", "dot\n", 0600, Z_FILE}, /* "." components dropped */
        {"ro/", NULL, 0555, Z_DIR},
        {"ro/inside.txt", "in\n", 0444, Z_FILE},    /* a read-only dir stays writable for us */
        {"suid", "s\n", 04755, Z_FILE},
        {"world", "w\n", 0666, Z_FILE},
        {"empty.txt", "", 0644, Z_FILE},
    };
    size_t len;
    unsigned char *zip = make_zip(entries, sizeof entries / sizeof entries[0], &len);
    char error[256] = "x";
    assert_true(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    assert_string_equal(error, "");
    free(zip);

    assert_file_content(path_in(fx->dest, "bootstrap"), "#!/bin/sh\necho hi\n");
    assert_int_equal(perm_of(path_in(fx->dest, "bootstrap")), 0755);
    assert_int_equal(access(path_in(fx->dest, "bootstrap"), X_OK), 0);
    assert_int_equal(perm_of(path_in(fx->dest, "app.py")), 0644);
    assert_file_content(path_in(fx->dest, "lib/util/helper.py"), "x = 1\n");
    assert_int_equal(perm_of(path_in(fx->dest, "lib")), 0755);
    assert_int_equal(perm_of(path_in(fx->dest, "lib/util")), 0755);
    assert_int_equal(perm_of(path_in(fx->dest, "data")), 0750);
    assert_int_equal(perm_of(path_in(fx->dest, "data/plain.txt")), 0644);
    assert_int_equal(perm_of(path_in(fx->dest, "dosdir")), 0755);
    assert_file_content(path_in(fx->dest, "dot/file.txt"), "dot\n");
    assert_int_equal(perm_of(path_in(fx->dest, "dot/file.txt")), 0600);
    assert_int_equal(perm_of(path_in(fx->dest, "ro")), 0755);
    assert_int_equal(perm_of(path_in(fx->dest, "ro/inside.txt")), 0444);
    assert_int_equal(perm_of(path_in(fx->dest, "suid")), 0755);
    assert_int_equal(perm_of(path_in(fx->dest, "world")), 0644);
    assert_file_content(path_in(fx->dest, "empty.txt"), "");

    assert_true(code_remove_dir(fx->dest));
    assert_false(exists(fx->dest));
}

static void test_unpack_large_file(void **state)
{
    fixture *fx = *state;
    size_t size = 3 * 1024 * 1024 + 17;
    char *data = malloc(size + 1);
    assert_non_null(data);
    uint32_t x = 12345;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (char)('a' + (x >> 16) % 26);
    }
    data[size] = '\0';
    const zentry entries[] = {{"big.bin", data, 0644, Z_FILE}};
    size_t len;
    unsigned char *zip = make_zip(entries, 1, &len);
    assert_true(code_unpack_zip(zip, len, fx->dest, NULL, 0));
    free(zip);
    FILE *f = fopen(path_in(fx->dest, "big.bin"), "rb");
    assert_non_null(f);
    char *back = malloc(size + 1);
    assert_non_null(back);
    assert_int_equal(fread(back, 1, size + 1, f), size);
    fclose(f);
    assert_memory_equal(back, data, size);
    free(back);
    free(data);
}

static void test_dest_handling(void **state)
{
    fixture *fx = *state;
    const zentry entries[] = {{"a.txt", "a\n", 0644, Z_FILE}};
    size_t len;
    unsigned char *zip = make_zip(entries, 1, &len);
    char error[256];

    /* missing parents are created */
    char deep[128];
    snprintf(deep, sizeof deep, "%s/x/y/z", fx->root);
    assert_true(code_unpack_zip(zip, len, deep, error, sizeof error));
    assert_file_content(path_in(deep, "a.txt"), "a\n");

    /* an existing non-empty directory is refused and left alone */
    assert_false(code_unpack_zip(zip, len, deep, error, sizeof error));
    assert_true(error[0] != '\0');
    assert_file_content(path_in(deep, "a.txt"), "a\n");

    /* an existing empty directory is used; trailing slashes are fine */
    assert_int_equal(mkdir(fx->dest, 0700), 0);
    char with_slash[PATH_MAX];
    snprintf(with_slash, sizeof with_slash, "%s//", fx->dest);
    assert_true(code_unpack_zip(zip, len, with_slash, error, sizeof error));
    assert_file_content(path_in(fx->dest, "a.txt"), "a\n");
    assert_true(code_remove_dir(fx->dest));

    /* a failure in an existing empty directory empties it again but keeps it */
    assert_int_equal(mkdir(fx->dest, 0700), 0);
    const zentry bad[] = {{"good.txt", "g\n", 0644, Z_FILE}, {"d/", NULL, 0755, Z_DIR}, {"sub/ln", "/etc", 0, Z_LINK}};
    size_t bad_len;
    unsigned char *badzip = make_zip(bad, 3, &bad_len);
    assert_false(code_unpack_zip(badzip, bad_len, fx->dest, error, sizeof error));
    free(badzip);
    assert_true(exists(fx->dest));
    assert_false(exists(path_in(fx->dest, "good.txt")));
    assert_false(exists(path_in(fx->dest, "d")));
    assert_false(exists(path_in(fx->dest, "sub")));
    assert_true(code_remove_dir(fx->dest));

    /* a regular file in the way */
    write_file(fx->dest, "file");
    assert_false(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    assert_int_equal(unlink(fx->dest), 0);

    /* bad destinations */
    assert_false(code_unpack_zip(zip, len, "", error, sizeof error));
    assert_false(code_unpack_zip(zip, len, "/", error, sizeof error));
    assert_false(code_unpack_zip(zip, len, NULL, error, sizeof error));
    free(zip);
}

static void test_reject_traversal(void **state)
{
    fixture *fx = *state;
    const zentry dotdot[] = {{"ok.txt", "ok\n", 0644, Z_FILE}, {"../escape", "evil\n", 0644, Z_FILE}};
    assert_rejected(fx, dotdot, 2);
    const zentry nested[] = {{"ok.txt", "ok\n", 0644, Z_FILE}, {"a/../../escape", "evil\n", 0644, Z_FILE}};
    assert_rejected(fx, nested, 2);
    const zentry inner[] = {{"a/../b.txt", "b\n", 0644, Z_FILE}}; /* any ".." component */
    assert_rejected(fx, inner, 1);
    const zentry dir[] = {{"../escape/", NULL, 0755, Z_DIR}};
    assert_rejected(fx, dir, 1);
    const zentry abs[] = {{"ok.txt", "ok\n", 0644, Z_FILE}, {"/tmp/sqsemu-test-code-escape", "evil\n", 0644, Z_FILE}};
    assert_rejected(fx, abs, 2);
    const zentry dot_only[] = {{".", "x", 0644, Z_FILE}};
    assert_rejected(fx, dot_only, 1);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const zentry too_long[] = {{longname, "x", 0644, Z_FILE}};
    assert_rejected(fx, too_long, 1);
    const zentry fifo[] = {{"pipe", "", S_IFIFO | 0644, Z_FILE}};
    assert_rejected(fx, fifo, 1);
    /* a file and a directory of the same name */
    const zentry clash[] = {{"x", "file\n", 0644, Z_FILE}, {"x/y", "y\n", 0644, Z_FILE}};
    assert_rejected(fx, clash, 2);
}

static void test_symlinks(void **state)
{
    fixture *fx = *state;
    /* links that leave the tree */
    const zentry abs[] = {{"ok.txt", "ok\n", 0644, Z_FILE}, {"link", "/etc/passwd", 0777, Z_LINK}};
    assert_rejected(fx, abs, 2);
    const zentry up[] = {{"sub/link", "../../escape", 0777, Z_LINK}};
    assert_rejected(fx, up, 1);
    const zentry top_up[] = {{"link", "..", 0777, Z_LINK}};
    assert_rejected(fx, top_up, 1);
    const zentry mid_up[] = {{"link", "sub/../..", 0777, Z_LINK}};
    assert_rejected(fx, mid_up, 1);
    const zentry hidden_up[] = {{"sub/y", "..", 0777, Z_LINK}, {"sub/x", "y/../..", 0777, Z_LINK}};
    assert_rejected(fx, hidden_up, 2);
    const zentry empty[] = {{"link", "", 0777, Z_LINK}};
    assert_rejected(fx, empty, 1);
    /* writing through a link (even one that stays inside) */
    const zentry through[] = {{"real/", NULL, 0755, Z_DIR}, {"d", "real", 0777, Z_LINK}, {"d/f.txt", "f\n", 0644, Z_FILE}};
    assert_rejected(fx, through, 3);

    /* links that stay inside are created */
    const zentry ok[] = {
        {"app.py", "print(2)\n", 0644, Z_FILE},
        {"sub/deeper/up", "../../app.py", 0777, Z_LINK},
        {"sub/sibling", "deeper", 0777, Z_LINK},
        {"alias", "./sub/./deeper/", 0777, Z_LINK},
        {"dangling", "missing/file", 0777, Z_LINK},
        {"node_modules/.bin/tool", "../tool/cli.js", 0777, Z_LINK},
        {"node_modules/tool/cli.js", "#!/usr/bin/env node\n", 0755, Z_FILE},
    };
    size_t len;
    unsigned char *zip = make_zip(ok, sizeof ok / sizeof ok[0], &len);
    char error[256] = "";
    bool unpacked = code_unpack_zip(zip, len, fx->dest, error, sizeof error);
    if (!unpacked)
        print_error("%s\n", error);
    assert_true(unpacked);
    free(zip);
    char target[PATH_MAX];
    ssize_t n = readlink(path_in(fx->dest, "sub/deeper/up"), target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, "../../app.py");
    assert_file_content(path_in(fx->dest, "sub/deeper/up"), "print(2)\n");
    assert_file_content(path_in(fx->dest, "node_modules/.bin/tool"), "#!/usr/bin/env node\n");
    struct stat st;
    assert_int_equal(lstat(path_in(fx->dest, "dangling"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
}

static void test_not_a_zip(void **state)
{
    fixture *fx = *state;
    char error[256];
    const char text[] = "this is certainly not a zip archive, just some bytes of text";
    assert_false(code_unpack_zip(text, sizeof text, fx->dest, error, sizeof error));
    show(error);
    assert_true(error[0] != '\0');
    assert_false(exists(fx->dest));
    assert_false(code_unpack_zip("", 0, fx->dest, error, sizeof error));
    assert_false(code_unpack_zip(NULL, 0, fx->dest, NULL, 0));
    assert_false(exists(fx->dest));

    /* a truncated archive */
    const zentry entries[] = {{"a.txt", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0644, Z_FILE}};
    size_t len;
    unsigned char *zip = make_zip(entries, 1, &len);
    assert_false(code_unpack_zip(zip, len / 2, fx->dest, error, sizeof error));
    show(error);
    assert_false(exists(fx->dest));
    /* corrupted file data (CRC mismatch): detected while extracting, nothing left */
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, zip, len);
    assert_memory_equal(bad, "PK\3\4", 4); /* the local header of the only entry */
    size_t data_at = 30 + (size_t)(bad[26] | bad[27] << 8) + (size_t)(bad[28] | bad[29] << 8);
    assert_true(data_at + 2 < len);
    bad[data_at + 1] ^= 0x55;
    assert_false(code_unpack_zip(bad, len, fx->dest, error, sizeof error));
    show(error);
    assert_false(exists(fx->dest));
    /* a wrong CRC in the central directory */
    memcpy(bad, zip, len);
    bool patched = false;
    for (size_t i = 0; i + 46 <= len; i++) {
        if (memcmp(bad + i, "PK\1\2", 4) == 0) {
            bad[i + 16] ^= 0xFF;
            patched = true;
            break;
        }
    }
    assert_true(patched);
    assert_false(code_unpack_zip(bad, len, fx->dest, error, sizeof error));
    show(error);
    assert_false(exists(fx->dest));
    free(bad);
    free(zip);
}

static void test_empty_zip(void **state)
{
    fixture *fx = *state;
    /* just an end-of-central-directory record: a valid archive with no entries */
    unsigned char eocd[22] = {'P', 'K', 5, 6};
    char error[256];
    assert_true(code_unpack_zip(eocd, sizeof eocd, fx->dest, error, sizeof error));
    assert_true(exists(fx->dest));
    assert_true(code_remove_dir(fx->dest));
}

/* Finds the central directory header of the only entry and patches its uncompressed size. */
static void patch_central_size(unsigned char *zip, size_t len, uint32_t size)
{
    for (size_t i = 0; i + 46 <= len; i++) {
        if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
            zip[i + 24] = (unsigned char)size;
            zip[i + 25] = (unsigned char)(size >> 8);
            zip[i + 26] = (unsigned char)(size >> 16);
            zip[i + 27] = (unsigned char)(size >> 24);
            return;
        }
    }
    fail_msg("no central directory header");
}

static void test_size_limits(void **state)
{
    fixture *fx = *state;
    char error[256];
    /* declared total above 262144000 bytes: refused before anything is written */
    size_t mib = 1024 * 1024;
    char *zeros = malloc(mib + 1);
    assert_non_null(zeros);
    memset(zeros, '0', mib);
    zeros[mib] = '\0';
    enum { N = 251 };
    zentry big[N];
    char names[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "f%03d", i);
        big[i] = (zentry){names[i], zeros, 0644, Z_FILE};
    }
    size_t len;
    unsigned char *zip = make_zip(big, N, &len);
    assert_true(len < 10 * mib);
    assert_false(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    assert_non_null(strstr(error, "262144000"));
    assert_false(exists(fx->dest));
    free(zip);
    /* one entry declaring more than the limit */
    const zentry one[] = {{"one.txt", "small\n", 0644, Z_FILE}};
    zip = make_zip(one, 1, &len);
    patch_central_size(zip, len, 262144001u);
    assert_false(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    assert_non_null(strstr(error, "262144000"));
    assert_false(exists(fx->dest));
    free(zip);

    /* an entry that inflates to more than its declared size */
    const zentry liar[] = {{"liar.txt", zeros, 0644, Z_FILE}};
    zip = make_zip(liar, 1, &len);
    patch_central_size(zip, len, 1000);
    assert_false(code_unpack_zip(zip, len, fx->dest, error, sizeof error));
    show(error);
    assert_false(exists(fx->dest));
    free(zip);
    free(zeros);
}

static void test_entry_limit(void **state)
{
    fixture *fx = *state;
    enum { N = 100001 };
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    assert_non_null(za);
    zip_source_keep(src);
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "%d", i);
        zip_source_t *s = zip_source_buffer(za, "", 0, 0);
        assert_true(zip_file_add(za, name, s, 0) >= 0);
        zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
    }
    assert_int_equal(zip_close(za), 0);
    zip_stat_t st;
    assert_int_equal(zip_source_stat(src, &st), 0);
    assert_int_equal(zip_source_open(src), 0);
    unsigned char *data = malloc(st.size);
    assert_non_null(data);
    assert_int_equal(zip_source_read(src, data, st.size), (zip_int64_t)st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);

    char error[256];
    assert_false(code_unpack_zip(data, st.size, fx->dest, error, sizeof error));
    assert_non_null(strstr(error, "100000"));
    assert_false(exists(fx->dest));
    free(data);
}

/* ------------------------------------------------------------------ removal */

static void test_remove_dir_symlinks(void **state)
{
    fixture *fx = *state;
    /* outside: a directory with a file, and a lone file */
    char outside[128];
    snprintf(outside, sizeof outside, "%s/outside", fx->root);
    assert_int_equal(mkdir(outside, 0755), 0);
    write_file(path_in(outside, "keep.txt"), "keep\n");
    char *lone = path_in(fx->root, "lone.txt");
    write_file(lone, "lone\n");

    /* tree: links to both, a read-only directory, nested files */
    assert_int_equal(mkdir(fx->dest, 0755), 0);
    assert_int_equal(symlink(outside, path_in(fx->dest, "to-dir")), 0);
    assert_int_equal(symlink(path_in(fx->root, "lone.txt"), path_in(fx->dest, "to-file")), 0);
    assert_int_equal(mkdir(path_in(fx->dest, "a"), 0755), 0);
    assert_int_equal(mkdir(path_in(fx->dest, "a/b"), 0755), 0);
    write_file(path_in(fx->dest, "a/b/f.txt"), "f\n");
    assert_int_equal(symlink("../../../outside", path_in(fx->dest, "a/b/rel")), 0);
    assert_int_equal(mkdir(path_in(fx->dest, "ro"), 0755), 0);
    write_file(path_in(fx->dest, "ro/g.txt"), "g\n");
    assert_int_equal(chmod(path_in(fx->dest, "ro"), 0500), 0);

    assert_true(code_remove_dir(fx->dest));
    assert_false(exists(fx->dest));
    assert_file_content(path_in(fx->root, "outside/keep.txt"), "keep\n");
    assert_file_content(path_in(fx->root, "lone.txt"), "lone\n");

    /* removing a link to a directory removes only the link */
    char link[128];
    snprintf(link, sizeof link, "%s/link", fx->root);
    assert_int_equal(symlink(outside, link), 0);
    assert_true(code_remove_dir(link));
    assert_false(exists(link));
    assert_file_content(path_in(fx->root, "outside/keep.txt"), "keep\n");
    /* ... also when written with a trailing slash */
    assert_int_equal(symlink(outside, link), 0);
    char with_slash[PATH_MAX];
    snprintf(with_slash, sizeof with_slash, "%s/", link);
    assert_true(code_remove_dir(with_slash));
    assert_false(exists(link));
    assert_file_content(path_in(fx->root, "outside/keep.txt"), "keep\n");

    /* missing is fine; refusals */
    assert_true(code_remove_dir(path_in(fx->root, "missing")));
    assert_false(code_remove_dir(""));
    assert_false(code_remove_dir("/"));
    assert_false(code_remove_dir(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_base64),
        cmocka_unit_test_setup_teardown(test_reference_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpack_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpack_large_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dest_handling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_traversal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_dir_symlinks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
