/* fd_readdir: complete listings through buffers of every size, cookies resumed across calls,
 * and the error cases. One scenario per argv[1]; see tests/p1_readdir.rs for the host trees.
 *
 * The guest reassembles entries the way wasi-libc's readdir does: an entry counts only when
 * its 24-byte header and its whole name are in the buffer; a partial last entry is dropped and
 * asked for again from the cookie of the last complete one. */
#include "fs_util.h"

#define DIRENT_SIZE ((size_t)sizeof(__wasi_dirent_t))
#define MAX_ENTRIES 512
#define MAX_NAME 256

struct entry {
    char name[MAX_NAME];
    __wasi_filetype_t type;
    __wasi_inode_t ino;
    /* The cookie that resumes the listing right after this entry. */
    __wasi_dircookie_t next;
    /* The cookie this entry was read from (resuming there yields it first). */
    __wasi_dircookie_t from;
};

struct listing {
    struct entry e[MAX_ENTRIES];
    size_t n;
    size_t calls;
};

static struct listing reference, other;
static uint8_t buf[8192];

/* Lists `fd` from `cookie` to the end with `size`-byte buffers into `out` (appending). Returns
 * 0, or the errno of the first failing call. Fails the check (and stops) if a buffer cannot
 * hold a single complete entry, which would loop forever. */
static __wasi_errno_t list_from(__wasi_fd_t fd, size_t size, __wasi_dircookie_t cookie,
                                struct listing *out) {
    for (;;) {
        __wasi_size_t used = 0;
        __wasi_errno_t e = __wasi_fd_readdir(fd, buf, size, cookie, &used);
        out->calls++;
        if (e != __WASI_ERRNO_SUCCESS) return e;
        if (used > size) {
            printf("FAIL readdir used %zu > size %zu\n", (size_t)used, size);
            check_failures++;
            return __WASI_ERRNO_SUCCESS;
        }
        size_t off = 0;
        while (used - off >= DIRENT_SIZE) {
            __wasi_dirent_t d;
            memcpy(&d, buf + off, DIRENT_SIZE);
            if (used - off - DIRENT_SIZE < d.d_namlen) break;
            if (d.d_namlen >= MAX_NAME || out->n == MAX_ENTRIES) {
                printf("FAIL readdir entry too long or too many (namlen %u)\n", d.d_namlen);
                check_failures++;
                return __WASI_ERRNO_SUCCESS;
            }
            struct entry *en = &out->e[out->n++];
            memcpy(en->name, buf + off + DIRENT_SIZE, d.d_namlen);
            en->name[d.d_namlen] = 0;
            en->type = d.d_type;
            en->ino = d.d_ino;
            en->next = d.d_next;
            en->from = cookie;
            cookie = d.d_next;
            off += DIRENT_SIZE + d.d_namlen;
        }
        /* A short buffer means the directory ended inside it. */
        if (used < size) return __WASI_ERRNO_SUCCESS;
        if (off == 0) {
            printf("FAIL readdir: %zu-byte buffer holds no complete entry\n", size);
            check_failures++;
            return __WASI_ERRNO_SUCCESS;
        }
    }
}

static __wasi_errno_t list(__wasi_fd_t fd, size_t size, struct listing *out) {
    out->n = 0;
    out->calls = 0;
    return list_from(fd, size, 0, out);
}

/* Whether `a` and `b` hold the same entries in the same order. */
static int same(const struct listing *a, const struct listing *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->e[i].name, b->e[i].name) != 0 || a->e[i].type != b->e[i].type ||
            a->e[i].ino != b->e[i].ino)
            return 0;
    }
    return 1;
}

static int unique(const struct listing *l) {
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = i + 1; j < l->n; j++)
            if (strcmp(l->e[i].name, l->e[j].name) == 0) return 0;
    return 1;
}

static const struct entry *find(const struct listing *l, const char *name) {
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].name, name) == 0) return &l->e[i];
    return NULL;
}

/* e00..e39, sub/, ln -> e00: every name fits a 30-byte buffer (24-byte header + up to 6). */
static void t_tiny(void) {
    CHECK_OK(list(DATA, 30, &reference));
    CHECK(reference.n == 44);
    CHECK(unique(&reference));
    /* 30 bytes hold one complete entry (and the start of the next) at a time, so one call per
     * entry; the last entry comes back alone in a short buffer, which ends the listing. */
    CHECK(reference.calls == reference.n);
    const struct entry *dot = find(&reference, ".");
    const struct entry *dotdot = find(&reference, "..");
    const struct entry *sub = find(&reference, "sub");
    const struct entry *ln = find(&reference, "ln");
    const struct entry *e07 = find(&reference, "e07");
    CHECK(dot && dot->type == __WASI_FILETYPE_DIRECTORY && dot->ino == fstat_of(DATA).ino);
    CHECK(dotdot && dotdot->type == __WASI_FILETYPE_DIRECTORY);
    CHECK(sub && sub->type == __WASI_FILETYPE_DIRECTORY &&
          sub->ino == stat_at(DATA, NOFOLLOW, "sub").ino);
    CHECK(ln && ln->type == __WASI_FILETYPE_SYMBOLIC_LINK &&
          ln->ino == stat_at(DATA, NOFOLLOW, "ln").ino);
    CHECK(e07 && e07->type == __WASI_FILETYPE_REGULAR_FILE &&
          e07->ino == stat_at(DATA, NOFOLLOW, "e07").ino);
    /* The Rust side compares this listing with the host's. */
    for (size_t i = 0; i < reference.n; i++)
        printf("entry %s %u\n", reference.e[i].name, reference.e[i].type);

    /* Any size gives the same listing in the same order. */
    CHECK_OK(list(DATA, sizeof buf, &other));
    CHECK(same(&reference, &other));
    CHECK(other.calls == 1);
    int all_same = 1;
    for (size_t size = 30; size <= 200; size++) {
        if (list(DATA, size, &other) != 0 || !same(&reference, &other)) {
            printf("FAIL listing with %zu-byte buffers differs (%zu entries)\n", size, other.n);
            all_same = 0;
        }
    }
    CHECK(all_same);

    /* Cookies are stable: resuming from any entry's cookie continues exactly there, and from
     * the last one there is nothing left. */
    int resumed = 1;
    for (size_t i = 0; i < reference.n; i += 5) {
        other.n = 0;
        if (list_from(DATA, 64, reference.e[i].from, &other) != 0 ||
            other.n != reference.n - i || strcmp(other.e[0].name, reference.e[i].name) != 0) {
            printf("FAIL resuming at entry %zu (%s)\n", i, reference.e[i].name);
            resumed = 0;
        }
    }
    CHECK(resumed);
    __wasi_size_t used = 99;
    CHECK_OK(__wasi_fd_readdir(DATA, buf, sizeof buf, reference.e[reference.n - 1].next, &used));
    CHECK(used == 0);

    /* A zero-length buffer gets nothing; a header-sized one gets a header and no name. */
    used = 99;
    CHECK_OK(__wasi_fd_readdir(DATA, buf, 0, 0, &used));
    CHECK(used == 0);
    CHECK_OK(__wasi_fd_readdir(DATA, buf, DIRENT_SIZE, 0, &used));
    CHECK(used == DIRENT_SIZE);

    /* Two fds on the same directory list independently. */
    __wasi_fd_t again = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS,
                              0, &again));
    other.n = 0;
    other.calls = 0;
    CHECK_OK(list_from(again, 30, 0, &other));
    CHECK(same(&reference, &other));
}

/* 150 entries with names of 1 to 100 bytes; every buffer size from the smallest that fits the
 * longest entry up to a few entries' worth. */
static void t_sweep(void) {
    CHECK_OK(list(DATA, sizeof buf, &reference));
    CHECK(reference.n == 152);
    CHECK(unique(&reference));
    printf("info entries=%zu\n", reference.n);
    int all_same = 1;
    for (size_t size = DIRENT_SIZE + 100; size <= 400; size++) {
        if (list(DATA, size, &other) != 0 || !same(&reference, &other)) {
            printf("FAIL listing with %zu-byte buffers differs (%zu entries)\n", size, other.n);
            all_same = 0;
        }
    }
    CHECK(all_same);
}

static void t_empty(void) {
    CHECK_OK(list(DATA, 30, &reference));
    CHECK(reference.n == 2 && find(&reference, ".") && find(&reference, ".."));
}

static void t_errors(void) {
    __wasi_size_t used = 0;
    CHECK_ERRNO(__wasi_fd_readdir(BAD_FD, buf, sizeof buf, 0, &used), __WASI_ERRNO_BADF);
    /* On a file: not a directory (POSIX getdents answers ENOTDIR). */
    __wasi_fd_t f = open_at(DATA, "f", 0, R_READ | __WASI_RIGHTS_FD_READDIR, 0);
    CHECK_ERRNO(__wasi_fd_readdir(f, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
    /* A directory opened without FD_READDIR, or that dropped it, may not be listed. */
    __wasi_fd_t d = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY,
                              __WASI_RIGHTS_PATH_OPEN, 0, 0, &d));
    CHECK_ERRNO(__wasi_fd_readdir(d, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTCAPABLE);
    __wasi_fdstat_t st = fdstat_of(DATA);
    CHECK_OK(__wasi_fd_fdstat_set_rights(DATA, st.fs_rights_base & ~__WASI_RIGHTS_FD_READDIR,
                                         st.fs_rights_inheriting));
    CHECK_ERRNO(__wasi_fd_readdir(DATA, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTCAPABLE);
}

static const struct scenario scenarios[] = {
    {"tiny", t_tiny},
    {"sweep", t_sweep},
    {"empty", t_empty},
    {"errors", t_errors},
};

int main(int argc, char **argv) {
    return run_scenario(scenarios, sizeof scenarios / sizeof scenarios[0], argc, argv);
}
