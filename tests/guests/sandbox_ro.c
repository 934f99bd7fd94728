/* A read-only preopen refuses every mutation, reads still work, and nothing crosses between a
 * read-write and a read-only preopen (DESIGN.md §2.4).
 *
 * Run by tests/sandbox.rs with fd 3 = read-write `rw/` (file `rwfile` "rw-data") and fd 4 =
 * read-only `ro/` (file `f` "ro-data", empty dir `d`, dir `full/` with `x` "x-data",
 * symlink `l` -> f, symlink `esc` -> ../rw/rwfile). The missing rights make every mutation
 * ENOTCAPABLE. */
#include "check.h"

#define RW 3
#define RO 4
#define R_ALL ((__wasi_rights_t)-1)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static const __wasi_rights_t R_READ = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                      __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t R_DIR_READ =
    __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_FILESTAT_GET |
    __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_FD_FILESTAT_GET;

static const __wasi_rights_t MUTATING =
    __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
    __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |
    __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |
    __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |
    __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES |
    __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |
    __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |
    __WASI_RIGHTS_PATH_UNLINK_FILE;

static const char *slurp(__wasi_fd_t fd) {
    static char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (__wasi_fd_pread(fd, &iov, 1, 0, &n) != 0) n = 0;
    buf[n] = 0;
    return buf;
}

/* The directory-level mutations through a read-only directory fd `d` (a preopen or a child). */
static void dir_refuses(__wasi_fd_t d, const char *file, const char *dir) {
    __wasi_fd_t fd;
    CHECK_ERRNO(__wasi_path_open(d, 0, "new", __WASI_OFLAGS_CREAT, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(d, 0, file, __WASI_OFLAGS_TRUNC, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(d, 0, file, 0, R_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(d, 0, file, 0, R_ALL, R_ALL, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_create_directory(d, "nd"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_unlink_file(d, file), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_remove_directory(d, dir), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_rename(d, file, d, "renamed"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_link(d, 0, file, d, "hl"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_symlink(file, d, "sl"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_filestat_set_times(d, FOLLOW, file, 1, 1,
                                               __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_filestat_set_times(d, 0, file, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(d, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                __WASI_ERRNO_NOTCAPABLE);
}

int main(void) {
    __wasi_fdstat_t fs;
    __wasi_filestat_t st;
    __wasi_fd_t fd;
    char buf[256];
    __wasi_size_t n;

    /* The preopen's rights hold nothing mutating, base or inheriting. */
    CHECK_OK(__wasi_fd_fdstat_get(RO, &fs));
    CHECK((fs.fs_rights_base & MUTATING) == 0);
    CHECK((fs.fs_rights_inheriting & MUTATING) == 0);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(RO, fs.fs_rights_base | __WASI_RIGHTS_PATH_CREATE_FILE,
                                            fs.fs_rights_inheriting),
                __WASI_ERRNO_NOTCAPABLE);

    dir_refuses(RO, "f", "d");

    /* A subdirectory opened with every right asked for still cannot mutate: children never gain
     * rights their parent lacks. */
    __wasi_fd_t full;
    CHECK_OK(__wasi_path_open(RO, 0, "full", __WASI_OFLAGS_DIRECTORY,
                              R_ALL & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE, R_ALL, 0, &full));
    CHECK_OK(__wasi_fd_fdstat_get(full, &fs));
    CHECK((fs.fs_rights_base & MUTATING) == 0);
    CHECK((fs.fs_rights_inheriting & MUTATING) == 0);
    dir_refuses(full, "x", "x");

    /* A file opened for reading cannot be written, truncated, extended, allocated, retimed or
     * synced, nor given back the rights. */
    CHECK_OK(__wasi_path_open(RO, FOLLOW, "f", 0, R_ALL & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE, 0,
                              0, &fd));
    CHECK(strcmp(slurp(fd), "ro-data") == 0);
    __wasi_ciovec_t ciov = {(const uint8_t *)"X", 1};
    CHECK_ERRNO(__wasi_fd_write(fd, &ciov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_pwrite(fd, &ciov, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_size(fd, 4096), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_allocate(fd, 0, 4096), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_fdstat_get(fd, &fs));
    CHECK((fs.fs_rights_base & MUTATING) == 0);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights(fd, fs.fs_rights_base | __WASI_RIGHTS_FD_WRITE, 0),
                __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_write(fd, &ciov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK(strcmp(slurp(fd), "ro-data") == 0);
    CHECK_OK(__wasi_fd_close(fd));

    /* Reads work. */
    CHECK_OK(__wasi_path_filestat_get(RO, FOLLOW, "l", &st));
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 7);
    CHECK_OK(__wasi_path_readlink(RO, "l", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 1 && buf[0] == 'f');
    CHECK_OK(__wasi_fd_readdir(RO, (uint8_t *)buf, sizeof buf, 0, &n));
    CHECK(n > 0);
    CHECK_OK(__wasi_path_open(RO, FOLLOW, "full/x", 0, R_READ, 0, 0, &fd));
    CHECK(strcmp(slurp(fd), "x-data") == 0);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(__wasi_path_open(RO, FOLLOW, "d", __WASI_OFLAGS_DIRECTORY, R_DIR_READ, R_READ, 0, &fd));
    CHECK_OK(__wasi_fd_close(fd));

    /* Escapes from the read-only preopen fail as from any other, even into the sibling
     * writable preopen: `..` out of /ro is out, whatever lies there. */
    CHECK_ERRNO(__wasi_path_open(RO, FOLLOW, "../rw/rwfile", 0, R_READ, 0, 0, &fd),
                __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(RO, FOLLOW, "../rw", &st), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_open(RO, FOLLOW, "esc", 0, R_READ, 0, 0, &fd), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(RO, FOLLOW, "full/../../rw/rwfile", &st),
                __WASI_ERRNO_PERM);
    /* A mutation that would also escape is refused for the missing right first. */
    CHECK_ERRNO(__wasi_path_open(RO, FOLLOW, "../rw/new", __WASI_OFLAGS_CREAT, R_READ, 0, 0, &fd),
                __WASI_ERRNO_NOTCAPABLE);

    /* Nothing crosses between preopens of different modes: a hard link from the read-only
     * tree into the writable one would make its file writable, and a rename would remove it
     * from the read-only tree. Both directions, both calls. */
    CHECK_ERRNO(__wasi_path_link(RO, 0, "f", RW, "f_link"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_link(RW, 0, "rwfile", RO, "rw_link"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_rename(RO, "f", RW, "f_moved"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_rename(RW, "rwfile", RO, "rw_moved"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_rename(RO, "full", RW, "full_moved"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_link(full, 0, "x", RW, "x_link"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_OK(__wasi_fd_close(full));

    /* The writable preopen itself is unaffected. */
    CHECK_OK(__wasi_path_link(RW, 0, "rwfile", RW, "rw_link"));
    CHECK_OK(__wasi_path_unlink_file(RW, "rw_link"));
    return finish();
}
