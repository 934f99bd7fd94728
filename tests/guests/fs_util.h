/* Helpers shared by the filesystem test guests (fs_*.c): opening, reading and writing with the
 * raw preview 1 calls, so that every errno a test looks at comes straight from the host and
 * not from wasi-libc's translation layer.
 *
 * Each guest is run with one preopen, "/data", which is fd 3 (stdio is 0-2), and takes the
 * scenario to run as argv[1]; the Rust test prepares the host directory for that scenario and
 * checks the host-side effects afterwards. */
#ifndef CAPWASI_FS_UTIL_H
#define CAPWASI_FS_UTIL_H

#include "check.h"

#define DATA ((__wasi_fd_t)3)
#define BAD_FD ((__wasi_fd_t)77)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW ((__wasi_lookupflags_t)0)

/* Every right preview 1 defines (bits 0..29). Hosts trim what a file type cannot use. */
#define ALL_RIGHTS ((__wasi_rights_t)((1ull << 30) - 1))
#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)
#define R_RW (R_READ | __WASI_RIGHTS_FD_WRITE)

/* Opens `path` under `dir` (following symlinks) and returns the new fd; on failure records a
 * FAIL line and returns BAD_FD, so later checks fail loudly instead of hitting a random fd. */
static inline __wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                                  __wasi_rights_t base, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = BAD_FD;
    __wasi_errno_t e =
        __wasi_path_open(dir, FOLLOW, path, oflags, base, ALL_RIGHTS, fdflags, &fd);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL open %s: errno %d\n", path, e);
        check_failures++;
        return BAD_FD;
    }
    return fd;
}

/* Writes a C string with one fd_write; returns bytes written or -1 with the errno printed. */
static inline long put(__wasi_fd_t fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL put(%u, \"%s\"): errno %d\n", fd, s, e);
        check_failures++;
        return -1;
    }
    return (long)n;
}

/* Reads up to `cap - 1` bytes with one fd_read into `buf`, NUL-terminated; returns the count
 * or -1 with the errno printed. */
static inline long get(__wasi_fd_t fd, char *buf, size_t cap) {
    __wasi_iovec_t iov = {(uint8_t *)buf, cap - 1};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL get(%u): errno %d\n", fd, e);
        check_failures++;
        buf[0] = 0;
        return -1;
    }
    buf[n] = 0;
    return (long)n;
}

/* fd_tell, or UINT64_MAX (printed) on error. */
static inline uint64_t tell(__wasi_fd_t fd) {
    __wasi_filesize_t pos = 0;
    __wasi_errno_t e = __wasi_fd_tell(fd, &pos);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL tell(%u): errno %d\n", fd, e);
        check_failures++;
        return UINT64_MAX;
    }
    return pos;
}

/* fd_filestat_get; a zeroed stat (printed) on error. */
static inline __wasi_filestat_t fstat_of(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    memset(&st, 0, sizeof st);
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL fstat(%u): errno %d\n", fd, e);
        check_failures++;
    }
    return st;
}

/* path_filestat_get; a zeroed stat (printed) on error. */
static inline __wasi_filestat_t stat_at(__wasi_fd_t dir, __wasi_lookupflags_t flags,
                                        const char *path) {
    __wasi_filestat_t st;
    memset(&st, 0, sizeof st);
    __wasi_errno_t e = __wasi_path_filestat_get(dir, flags, path, &st);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL stat(%s): errno %d\n", path, e);
        check_failures++;
    }
    return st;
}

/* fd_fdstat_get; a zeroed fdstat (printed) on error. */
static inline __wasi_fdstat_t fdstat_of(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    memset(&st, 0, sizeof st);
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e != __WASI_ERRNO_SUCCESS) {
        printf("FAIL fdstat(%u): errno %d\n", fd, e);
        check_failures++;
    }
    return st;
}

/* Scenario dispatch: `{"name", fn}` rows; main runs the one named by argv[1]. */
struct scenario {
    const char *name;
    void (*run)(void);
};

static inline int run_scenario(const struct scenario *s, size_t n, int argc, char **argv) {
    if (argc != 2) {
        printf("FAIL usage: %s SCENARIO\n", argc > 0 ? argv[0] : "guest");
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].name, argv[1]) == 0) {
            s[i].run();
            return finish();
        }
    }
    printf("FAIL unknown scenario %s\n", argv[1]);
    return 2;
}

#endif
