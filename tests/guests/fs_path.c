/* The path_* calls, one scenario per argv[1] (see tests/p1_path.rs for the host-side setup and
 * checks of each). Where POSIX leaves the errno to the system, the expectation is what Linux
 * answers and wasmtime 48 passes through. */
#include "fs_util.h"

#define SEC 1000000000ull

static void t_mkdir(void) {
    CHECK_OK(__wasi_path_create_directory(DATA, "d"));
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "d"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_create_directory(DATA, "d/e"));
    CHECK_OK(__wasi_path_create_directory(DATA, "t/"));
    CHECK(stat_at(DATA, NOFOLLOW, "d/e").filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "f"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "."), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "d/"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "missing/x"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "f/x"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_create_directory(BAD_FD, "x"), __WASI_ERRNO_BADF);
    /* Relative to a directory opened by path_open. */
    __wasi_fd_t d = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "d", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS,
                              0, &d));
    CHECK_OK(__wasi_path_create_directory(d, "inner"));
}

static void t_filestat(void) {
    __wasi_filestat_t f = stat_at(DATA, NOFOLLOW, "f");
    CHECK(f.filetype == __WASI_FILETYPE_REGULAR_FILE && f.size == 5 && f.nlink == 1);
    CHECK(stat_at(DATA, NOFOLLOW, "sub").filetype == __WASI_FILETYPE_DIRECTORY);
    /* Following a symlink stats its target; not following stats the link itself. */
    __wasi_filestat_t lf = stat_at(DATA, FOLLOW, "ln");
    CHECK(lf.filetype == __WASI_FILETYPE_REGULAR_FILE && lf.size == 5 && lf.ino == f.ino);
    __wasi_filestat_t ln = stat_at(DATA, NOFOLLOW, "ln");
    CHECK(ln.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && ln.size == 1 && ln.ino != f.ino);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "dang", &st), __WASI_ERRNO_NOENT);
    CHECK(stat_at(DATA, NOFOLLOW, "dang").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "missing", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, NOFOLLOW, "missing", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "f/x", &st), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "f/", &st), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_filestat_get(BAD_FD, FOLLOW, "f", &st), __WASI_ERRNO_BADF);
    /* "." is the directory itself. */
    CHECK(stat_at(DATA, FOLLOW, ".").ino == fstat_of(DATA).ino);
}

#define T_ATIM (1000 * SEC + 123456789)
#define T_MTIM (2000 * SEC + 987654321)

static void t_set_times(void) {
    CHECK_OK(__wasi_path_filestat_set_times(DATA, FOLLOW, "f", T_ATIM, T_MTIM,
                                            __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_filestat_t f = stat_at(DATA, FOLLOW, "f");
    CHECK(f.atim == T_ATIM && f.mtim == T_MTIM);
    /* NOFOLLOW changes the link, not its target. */
    CHECK_OK(__wasi_path_filestat_set_times(DATA, NOFOLLOW, "ln", 0, 5000 * SEC,
                                            __WASI_FSTFLAGS_MTIM));
    CHECK(stat_at(DATA, NOFOLLOW, "ln").mtim == 5000 * SEC);
    CHECK(stat_at(DATA, FOLLOW, "f").mtim == T_MTIM);
    /* FOLLOW changes the target; only the named field. */
    CHECK_OK(__wasi_path_filestat_set_times(DATA, FOLLOW, "ln", 7000 * SEC, 0,
                                            __WASI_FSTFLAGS_ATIM));
    f = stat_at(DATA, FOLLOW, "f");
    CHECK(f.atim == 7000 * SEC && f.mtim == T_MTIM);
    CHECK(stat_at(DATA, NOFOLLOW, "ln").mtim == 5000 * SEC);

    __wasi_timestamp_t before = 0, after = 0;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before));
    CHECK_OK(__wasi_path_filestat_set_times(DATA, FOLLOW, "sub", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &after));
    __wasi_filestat_t s = stat_at(DATA, FOLLOW, "sub");
    CHECK(s.mtim + SEC >= before && s.mtim <= after);

    CHECK_ERRNO(__wasi_path_filestat_set_times(DATA, FOLLOW, "f", 0, 0,
                                               __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_filestat_set_times(DATA, FOLLOW, "missing", 0, 0,
                                               __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_filestat_set_times(BAD_FD, FOLLOW, "f", 0, 0,
                                               __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_BADF);
}

static void t_link(void) {
    CHECK_OK(__wasi_path_link(DATA, NOFOLLOW, "f", DATA, "h"));
    __wasi_filestat_t f = stat_at(DATA, NOFOLLOW, "f");
    __wasi_filestat_t h = stat_at(DATA, NOFOLLOW, "h");
    CHECK(f.nlink == 2 && h.nlink == 2 && f.ino == h.ino);
    CHECK_OK(__wasi_path_link(DATA, NOFOLLOW, "f", DATA, "sub/h2"));
    CHECK(stat_at(DATA, NOFOLLOW, "f").nlink == 3);
    /* Writing through one name is visible through the other (checked on the host). */
    __wasi_fd_t fd = open_at(DATA, "h", 0, R_RW, 0);
    CHECK(put(fd, "DATA") == 4);

    CHECK_ERRNO(__wasi_path_link(DATA, NOFOLLOW, "f", DATA, "g"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_link(DATA, NOFOLLOW, "missing", DATA, "x"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_link(DATA, NOFOLLOW, "f", DATA, "nodir/x"), __WASI_ERRNO_NOENT);
    /* Linux refuses hard links to directories with EPERM. */
    CHECK_ERRNO(__wasi_path_link(DATA, NOFOLLOW, "sub", DATA, "subl"), __WASI_ERRNO_PERM);
    /* Without FOLLOW a symlink is linked itself. */
    CHECK_OK(__wasi_path_link(DATA, NOFOLLOW, "ln", DATA, "ln2"));
    CHECK(stat_at(DATA, NOFOLLOW, "ln2").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    /* Following a source symlink would let the kernel resolve it outside cap-std's sandboxed
     * lookup; wasmtime 48 refuses it with EINVAL (filesystem.rs, link_at). */
    CHECK_ERRNO(__wasi_path_link(DATA, FOLLOW, "ln", DATA, "ln3"), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_link(BAD_FD, NOFOLLOW, "f", DATA, "y"), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_path_link(DATA, NOFOLLOW, "f", BAD_FD, "y"), __WASI_ERRNO_BADF);
    /* Between two directory fds. */
    __wasi_fd_t sub = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &sub));
    CHECK_OK(__wasi_path_link(sub, NOFOLLOW, "h2", DATA, "h3"));
    CHECK(stat_at(DATA, NOFOLLOW, "h3").ino == f.ino);
}

static void t_open(void) {
    __wasi_fd_t fd = BAD_FD;
    char buf[32];
    /* CREAT makes a new empty file; on an existing file it just opens it. */
    __wasi_rights_t rws = R_RW | __WASI_RIGHTS_FD_FILESTAT_GET;
    __wasi_fd_t n = open_at(DATA, "new", __WASI_OFLAGS_CREAT, rws, 0);
    CHECK(fstat_of(n).size == 0);
    CHECK(put(n, "n") == 1);
    __wasi_fd_t f = open_at(DATA, "f", __WASI_OFLAGS_CREAT, R_RW, 0);
    CHECK(get(f, buf, sizeof buf) == 10);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                                 R_RW, 0, 0, &fd),
                __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "new2", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                              R_RW, 0, 0, &fd));
    /* TRUNC empties an existing file. */
    __wasi_fd_t t = open_at(DATA, "t", __WASI_OFLAGS_TRUNC, rws, 0);
    CHECK(fstat_of(t).size == 0);

    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f", __WASI_OFLAGS_DIRECTORY, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f/", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f/x", 0, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTDIR);
    /* A directory cannot be opened for writing. */
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "sub", 0, R_RW, 0, 0, &fd), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "missing", 0, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "missing/x", __WASI_OFLAGS_CREAT, R_RW, 0, 0, &fd),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_NOENT);
    /* As wasmtime: DIRECTORY cannot be combined with creating or truncating. */
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "d2", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT,
                                 R_READ, 0, 0, &fd),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f", 0x10, R_READ, 0, 0, &fd), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_open(BAD_FD, FOLLOW, "f", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_BADF);
    /* A file is not a directory to open things under. */
    CHECK_ERRNO(__wasi_path_open(f, FOLLOW, "x", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_NOTDIR);

    /* Directories: with or without a trailing slash, and opens relative to them. */
    __wasi_fd_t sub = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub/", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &sub));
    CHECK(fdstat_of(sub).fs_filetype == __WASI_FILETYPE_DIRECTORY);
    __wasi_fd_t g = open_at(sub, "g", 0, R_READ, 0);
    CHECK(get(g, buf, sizeof buf) == 1 && strcmp(buf, "g") == 0);
    /* ".." may move within the directory fd but never above it, even inside the preopen: each
     * directory fd is its own sandbox root (cap-std; wasmtime answers the same). */
    __wasi_fd_t up = open_at(DATA, "sub/../f", 0, R_READ, 0);
    CHECK(get(up, buf, sizeof buf) == 10);
    CHECK_ERRNO(__wasi_path_open(sub, FOLLOW, "../f", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_PERM);
    __wasi_fd_t self = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS,
                              0, &self));
    CHECK(fstat_of(self).ino == fstat_of(DATA).ino);
}

static void t_open_symlinks(void) {
    __wasi_fd_t fd = BAD_FD;
    char buf[32];
    __wasi_fd_t l = open_at(DATA, "ln", 0, R_READ, 0);
    CHECK(get(l, buf, sizeof buf) == 6 && strcmp(buf, "target") == 0);
    /* Not following a final symlink is ELOOP (O_NOFOLLOW). */
    CHECK_ERRNO(__wasi_path_open(DATA, NOFOLLOW, "ln", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_LOOP);
    /* Intermediate symlinks are always followed. */
    __wasi_fd_t g = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, NOFOLLOW, "dirln/g", 0, R_READ, 0, 0, &g));
    CHECK(get(g, buf, sizeof buf) == 1 && strcmp(buf, "g") == 0);
    __wasi_fd_t d = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "dirln", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &d));
    CHECK(fdstat_of(d).fs_filetype == __WASI_FILETYPE_DIRECTORY);

    /* A dangling symlink: EXCL never follows it; without CREAT it is ENOENT; with CREAT the
     * target is created inside the preopen, as Linux's open(O_CREAT) does. */
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "dang", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                                 R_RW, 0, 0, &fd),
                __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "dang", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_NOENT);
    __wasi_fd_t c = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "dang", __WASI_OFLAGS_CREAT, R_RW, 0, 0, &c));
    CHECK(put(c, "made") == 4);
    CHECK(stat_at(DATA, NOFOLLOW, "created").filetype == __WASI_FILETYPE_REGULAR_FILE);

    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "loop1", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "self", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "loop1/x", 0, R_READ, 0, 0, &fd),
                __WASI_ERRNO_LOOP);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "loop1", __WASI_OFLAGS_CREAT, R_RW, 0, 0, &fd),
                __WASI_ERRNO_LOOP);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "loop2", &st), __WASI_ERRNO_LOOP);
}

/* Everything but FD_WRITE: asking for write access a directory cannot hand down is an error,
 * while other extra rights are dropped silently (wasi-libc asks for generous masks). */
#define R_READ_MOST (ALL_RIGHTS & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE)

static void t_open_rights(void) {
    __wasi_fdstat_t data = fdstat_of(DATA);
    __wasi_fd_t fd = BAD_FD;
    /* Read-only opens cannot write. */
    __wasi_fd_t ro = open_at(DATA, "f", 0, R_READ, 0);
    __wasi_ciovec_t x = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    CHECK_ERRNO(__wasi_fd_write(ro, &x, 1, &n), __WASI_ERRNO_NOTCAPABLE);

    /* Children never exceed the directory's inheriting rights. */
    __wasi_fd_t all = open_at(DATA, "f", 0, ALL_RIGHTS, 0);
    __wasi_fdstat_t a = fdstat_of(all);
    CHECK((a.fs_rights_base & ~data.fs_rights_inheriting) == 0);
    CHECK((a.fs_rights_inheriting & ~data.fs_rights_inheriting) == 0);
    __wasi_fd_t sub = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              R_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0, &sub));
    __wasi_fdstat_t s = fdstat_of(sub);
    CHECK((s.fs_rights_base & ~data.fs_rights_inheriting) == 0);
    CHECK(s.fs_rights_inheriting == (R_READ | __WASI_RIGHTS_FD_FILESTAT_GET));

    /* sub hands down only read rights: asking for write is ENOTCAPABLE, other extra rights are
     * silently dropped (runtimes ask for generous masks). */
    CHECK_ERRNO(__wasi_path_open(sub, FOLLOW, "g", 0, R_RW, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
    __wasi_fd_t g = BAD_FD;
    CHECK_OK(__wasi_path_open(sub, FOLLOW, "g", 0, R_READ | __WASI_RIGHTS_FD_ALLOCATE, ALL_RIGHTS,
                              0, &g));
    __wasi_fdstat_t gs = fdstat_of(g);
    CHECK(gs.fs_rights_base == R_READ);
    CHECK((gs.fs_rights_inheriting & ~s.fs_rights_inheriting) == 0);
    /* A grandchild directory cannot regain what sub lost. */
    __wasi_fd_t again = BAD_FD;
    CHECK_OK(__wasi_path_open(sub, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, R_READ_MOST, ALL_RIGHTS,
                              0, &again));
    __wasi_fdstat_t ag = fdstat_of(again);
    CHECK((ag.fs_rights_base & ~s.fs_rights_inheriting) == 0);
    CHECK((ag.fs_rights_inheriting & ~s.fs_rights_inheriting) == 0);
    CHECK((ag.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) == 0);
    CHECK_ERRNO(__wasi_path_open(again, FOLLOW, "g", 0, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);

    /* The directory's own base rights gate the open flags. */
    __wasi_fd_t d = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &d));
    __wasi_fdstat_t ds = fdstat_of(d);
    CHECK_OK(__wasi_fd_fdstat_set_rights(
        d, ds.fs_rights_base & ~(__WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE),
        ds.fs_rights_inheriting));
    CHECK_ERRNO(__wasi_path_open(d, FOLLOW, "new", __WASI_OFLAGS_CREAT, R_RW, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(d, FOLLOW, "g", __WASI_OFLAGS_TRUNC, R_RW, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_path_open(d, FOLLOW, "g", 0, R_RW, 0, 0, &fd));
    ds = fdstat_of(d);
    CHECK_OK(__wasi_fd_fdstat_set_rights(d, ds.fs_rights_base & ~__WASI_RIGHTS_PATH_OPEN,
                                         ds.fs_rights_inheriting));
    CHECK_ERRNO(__wasi_path_open(d, FOLLOW, "g", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);

    /* A read-only preopen (fd 4) hands out no write access at all. */
    __wasi_fd_t rodir = 4;
    CHECK_ERRNO(__wasi_path_open(rodir, FOLLOW, "r", 0, R_RW, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(rodir, FOLLOW, "r", __WASI_OFLAGS_CREAT, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(rodir, FOLLOW, "r", __WASI_OFLAGS_TRUNC, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(rodir, FOLLOW, "r", 0, ALL_RIGHTS, ALL_RIGHTS, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    __wasi_fd_t r = BAD_FD;
    CHECK_OK(__wasi_path_open(rodir, FOLLOW, "r", 0, R_READ_MOST, ALL_RIGHTS, 0, &r));
    __wasi_rights_t mutating = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                               __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |
                               __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
    CHECK((fdstat_of(r).fs_rights_base & mutating) == 0);
    CHECK((fdstat_of(r).fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
    CHECK_ERRNO(__wasi_fd_write(r, &x, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_size(r, 0), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_allocate(r, 0, 100), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(r, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_NOTCAPABLE);
    char buf[8];
    CHECK(get(r, buf, sizeof buf) == 2 && strcmp(buf, "ro") == 0);
}

static void t_readlink(void) {
    char buf[64];
    __wasi_size_t n = 0;
    memset(buf, '#', sizeof buf);
    CHECK_OK(__wasi_path_readlink(DATA, "ln", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 11 && memcmp(buf, "target-file#", 12) == 0);
    /* A short buffer gets a truncated target and no NUL; the rest is untouched. */
    memset(buf, '#', sizeof buf);
    CHECK_OK(__wasi_path_readlink(DATA, "ln", (uint8_t *)buf, 4, &n));
    CHECK(n == 4 && memcmp(buf, "targ#", 5) == 0);
    CHECK_OK(__wasi_path_readlink(DATA, "ln", (uint8_t *)buf, 0, &n));
    CHECK(n == 0);
    CHECK_OK(__wasi_path_readlink(DATA, "sub/up", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 4 && memcmp(buf, "../f", 4) == 0);
    CHECK_ERRNO(__wasi_path_readlink(DATA, "f", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_readlink(DATA, "sub", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_readlink(DATA, "missing", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_readlink(BAD_FD, "ln", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_BADF);
}

static void t_rmdir(void) {
    CHECK_OK(__wasi_path_remove_directory(DATA, "empty"));
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "empty"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_remove_directory(DATA, "empty2/"));
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "full"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "f"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "f/"), __WASI_ERRNO_NOTDIR);
    /* rmdir does not follow a symlink to a directory. */
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "dl"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "missing"), __WASI_ERRNO_NOENT);
    /* POSIX: rmdir of "." is EINVAL. */
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "."), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_remove_directory(BAD_FD, "full"), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_path_remove_directory(DATA, "full/inner"));
}

static void t_rename(void) {
    /* A file over an existing file replaces it. */
    CHECK_OK(__wasi_path_rename(DATA, "a", DATA, "b"));
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, NOFOLLOW, "a", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_rename(DATA, "missing", DATA, "z"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_rename(DATA, "b", DATA, "nodir/z"), __WASI_ERRNO_NOENT);
    /* A directory onto a non-empty directory: Linux answers ENOTEMPTY. */
    CHECK_ERRNO(__wasi_path_rename(DATA, "d1", DATA, "d2"), __WASI_ERRNO_NOTEMPTY);
    /* Onto an empty directory it replaces it. */
    CHECK_OK(__wasi_path_rename(DATA, "d1", DATA, "d3"));
    CHECK(stat_at(DATA, NOFOLLOW, "d3/x").filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK_ERRNO(__wasi_path_rename(DATA, "b", DATA, "e"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_rename(DATA, "d3", DATA, "b"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(DATA, "d3", DATA, "d3/inner"), __WASI_ERRNO_INVAL);
    /* A trailing slash says "directory": fine on directories, ENOTDIR on files. */
    CHECK_ERRNO(__wasi_path_rename(DATA, "b/", DATA, "b2"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_rename(DATA, "b", DATA, "b2/"), __WASI_ERRNO_NOTDIR);
    CHECK_OK(__wasi_path_rename(DATA, "d3/", DATA, "d4/"));
    /* Across directories and directory fds. */
    CHECK_OK(__wasi_path_rename(DATA, "b", DATA, "sub/b2"));
    __wasi_fd_t sub = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &sub));
    CHECK_OK(__wasi_path_rename(sub, "b2", DATA, "c"));
    /* Renaming onto itself is a no-op. */
    CHECK_OK(__wasi_path_rename(DATA, "c", DATA, "c"));
    CHECK_ERRNO(__wasi_path_rename(BAD_FD, "c", DATA, "z"), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_path_rename(DATA, "c", BAD_FD, "z"), __WASI_ERRNO_BADF);
}

static void t_symlink(void) {
    CHECK_OK(__wasi_path_symlink("f", DATA, "s"));
    char buf[16];
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_path_readlink(DATA, "s", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 1 && buf[0] == 'f');
    CHECK(stat_at(DATA, FOLLOW, "s").size == 1);
    CHECK_ERRNO(__wasi_path_symlink("f", DATA, "s"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_symlink("x", DATA, "f"), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_symlink("x", DATA, "sub"), __WASI_ERRNO_EXIST);
    /* Dangling targets are fine to create. */
    CHECK_OK(__wasi_path_symlink("nowhere", DATA, "dang"));
    CHECK(stat_at(DATA, NOFOLLOW, "dang").filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_OK(__wasi_path_symlink("../f", DATA, "sub/up"));
    CHECK(stat_at(DATA, FOLLOW, "sub/up").size == 1);
    CHECK_ERRNO(__wasi_path_symlink("f", DATA, "missing/s"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_symlink("f", BAD_FD, "s2"), __WASI_ERRNO_BADF);
}

static void t_unlink(void) {
    CHECK_OK(__wasi_path_unlink_file(DATA, "f"));
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "f"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "sub"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "g/"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "sub/"), __WASI_ERRNO_ISDIR);
    /* Unlinking a symlink removes the link, never its target. */
    CHECK_OK(__wasi_path_unlink_file(DATA, "ln"));
    CHECK(stat_at(DATA, NOFOLLOW, "g").filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK_OK(__wasi_path_unlink_file(DATA, "dang"));
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "missing"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "nodir/x"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_unlink_file(DATA, "sub/h"));
    CHECK_ERRNO(__wasi_path_unlink_file(BAD_FD, "g"), __WASI_ERRNO_BADF);
    /* An open file stays readable after its name is gone. */
    __wasi_fd_t fd = open_at(DATA, "g", 0, R_READ, 0);
    CHECK_OK(__wasi_path_unlink_file(DATA, "g"));
    char buf[8];
    CHECK(get(fd, buf, sizeof buf) == 1 && strcmp(buf, "G") == 0);
}

static const struct scenario scenarios[] = {
    {"mkdir", t_mkdir},       {"filestat", t_filestat},
    {"set_times", t_set_times}, {"link", t_link},
    {"open", t_open},         {"open_symlinks", t_open_symlinks},
    {"open_rights", t_open_rights}, {"readlink", t_readlink},
    {"rmdir", t_rmdir},       {"rename", t_rename},
    {"symlink", t_symlink},   {"unlink", t_unlink},
};

int main(int argc, char **argv) {
    return run_scenario(scenarios, sizeof scenarios / sizeof scenarios[0], argc, argv);
}
