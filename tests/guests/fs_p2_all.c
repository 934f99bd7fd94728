/* Every wasi:filesystem `descriptor` method the preview 1 adapter can reach, through the
 * preview 1 call it maps onto, with results and error cases that read the same whether the
 * guest runs as a core module or, wrapped by the adapter, as a WASI 0.2 component (so
 * tests/component_descriptor.rs can require identical output). Which 0.2 method each call reaches
 * is noted beside it; tests/component_descriptor.rs checks from the component's import list that
 * the wrapped guest imports every method except the ones it names as unreachable.
 *
 * Host tree (made by the test): f = "hello", sub/ with sub/g = "g", ln -> f. Preopen /data is
 * fd 3 (wasi:filesystem/preopens get-directories). */
#include "fs_util.h"

/* Files and directories are opened with every right (the host trims them to the file type),
 * so the module's rights never refuse what the adapter, which has none, would allow. */

static char buf[256];

int main(void) {
    /* get-directories: the preopen and its name. */
    __wasi_prestat_t pre;
    CHECK_OK(__wasi_fd_prestat_get(DATA, &pre));
    CHECK(pre.u.dir.pr_name_len == 5);

    /* open-at (create + exclusive, write) -> write-via-stream, write, stat, set-size. */
    __wasi_fd_t w = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, 0, "new", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                              ALL_RIGHTS, 0, 0, &w));
    CHECK_ERRNO(__wasi_path_open(DATA, 0, "new", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_RW,
                                 0, 0, &w),
                __WASI_ERRNO_EXIST);
    CHECK(put(w, "0123456789") == 10); /* write-via-stream */
    __wasi_ciovec_t pw = {(const uint8_t *)"AB", 2};
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_fd_pwrite(w, &pw, 1, 4, &n)); /* write */
    CHECK(n == 2);
    __wasi_filestat_t st = fstat_of(w); /* stat + metadata-hash (ino) */
    CHECK(st.size == 10 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 1);
    CHECK_OK(__wasi_fd_filestat_set_size(w, 6)); /* set-size */
    CHECK(fstat_of(w).size == 6);
    /* set-times: explicit times, and now. */
    CHECK_OK(__wasi_fd_filestat_set_times(w, 5000000000ull, 6000000000ull,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK(fstat_of(w).mtim == 6000000000ull && fstat_of(w).atim == 5000000000ull);
    CHECK_OK(__wasi_fd_datasync(w)); /* sync-data */
    CHECK_OK(__wasi_fd_sync(w));     /* sync */
    CHECK_OK(__wasi_fd_advise(w, 0, 6, __WASI_ADVICE_SEQUENTIAL)); /* advise */
    /* get-type + get-flags. */
    __wasi_fdstat_t fs = fdstat_of(w);
    CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && fs.fs_flags == 0);
    CHECK_OK(__wasi_fd_close(w)); /* drop */

    /* open-at (read) -> read-via-stream, read. */
    __wasi_fd_t r = open_at(DATA, "new", 0, R_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0);
    CHECK(get(r, buf, sizeof buf) == 6 && strcmp(buf, "0123AB") == 0); /* read-via-stream */
    __wasi_iovec_t pr = {(uint8_t *)buf, 3};
    CHECK_OK(__wasi_fd_pread(r, &pr, 1, 1, &n)); /* read */
    CHECK(n == 3 && memcmp(buf, "123", 3) == 0);
    CHECK_OK(__wasi_fd_pread(r, &pr, 1, 100, &n)); /* read past the end: nothing */
    CHECK(n == 0);
    CHECK_OK(__wasi_fd_close(r));

    /* open-at with APPEND -> append-via-stream, get-flags. */
    __wasi_fd_t a = open_at(DATA, "new", 0, ALL_RIGHTS, __WASI_FDFLAGS_APPEND);
    CHECK(fdstat_of(a).fs_flags == __WASI_FDFLAGS_APPEND);
    CHECK(put(a, "!") == 1);
    CHECK(stat_at(DATA, NOFOLLOW, "new").size == 7);
    CHECK_OK(__wasi_fd_close(a));

    /* open-at with TRUNC, and the open errors. */
    __wasi_fd_t t = open_at(DATA, "new", __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
    CHECK(fstat_of(t).size == 0);
    CHECK_OK(__wasi_fd_close(t));
    __wasi_fd_t bad = BAD_FD;
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "missing", 0, R_READ, 0, 0, &bad),
                __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "f", __WASI_OFLAGS_DIRECTORY, R_READ, 0, 0, &bad),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "../outside", 0, R_READ, 0, 0, &bad),
                __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_open(DATA, FOLLOW, "/etc/passwd", 0, R_READ, 0, 0, &bad),
                __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_open(DATA, NOFOLLOW, "ln", 0, R_READ, 0, 0, &bad),
                __WASI_ERRNO_LOOP);

    /* stat-at and metadata-hash-at: following and not following a symlink. */
    __wasi_filestat_t f = stat_at(DATA, FOLLOW, "f");
    __wasi_filestat_t via = stat_at(DATA, FOLLOW, "ln");
    __wasi_filestat_t l = stat_at(DATA, NOFOLLOW, "ln");
    CHECK(f.size == 5 && via.size == 5 && via.ino == f.ino);
    CHECK(l.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && l.ino != f.ino);
    __wasi_filestat_t out;
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, FOLLOW, "missing", &out), __WASI_ERRNO_NOENT);

    /* set-times-at, on the link itself and through it. */
    CHECK_OK(__wasi_path_filestat_set_times(DATA, FOLLOW, "ln", 0, 7000000000ull,
                                            __WASI_FSTFLAGS_MTIM));
    CHECK(stat_at(DATA, NOFOLLOW, "f").mtim == 7000000000ull);
    CHECK_OK(__wasi_path_filestat_set_times(DATA, NOFOLLOW, "ln", 0, 8000000000ull,
                                            __WASI_FSTFLAGS_MTIM));
    CHECK(stat_at(DATA, NOFOLLOW, "ln").mtim == 8000000000ull);

    /* create-directory-at, read-directory + read-directory-entry, remove-directory-at. */
    CHECK_OK(__wasi_path_create_directory(DATA, "d"));
    CHECK_ERRNO(__wasi_path_create_directory(DATA, "d"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_create_directory(DATA, "d/e"));
    CHECK_ERRNO(__wasi_path_remove_directory(DATA, "d"), __WASI_ERRNO_NOTEMPTY);
    CHECK_OK(__wasi_path_remove_directory(DATA, "d/e"));
    __wasi_fd_t sub = BAD_FD;
    CHECK_OK(__wasi_path_open(DATA, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS,
                              ALL_RIGHTS, 0, &sub));
    CHECK(fdstat_of(sub).fs_filetype == __WASI_FILETYPE_DIRECTORY); /* get-type */
    __wasi_size_t used = 0;
    CHECK_OK(__wasi_fd_readdir(sub, (uint8_t *)buf, sizeof buf, 0, &used));
    /* ".", ".." and "g": the names are in the buffer after their 24-byte headers. */
    int found_g = 0;
    for (size_t off = 0; off + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof d);
        off += sizeof d;
        if (d.d_namlen == 1 && off < used && buf[off] == 'g')
            found_g = d.d_type == __WASI_FILETYPE_REGULAR_FILE;
        off += d.d_namlen;
    }
    CHECK(found_g);
    /* open-at relative to a directory descriptor. */
    __wasi_fd_t g = open_at(sub, "g", 0, R_READ, 0);
    CHECK(get(g, buf, sizeof buf) == 1 && strcmp(buf, "g") == 0);
    CHECK_OK(__wasi_fd_close(g));
    CHECK_ERRNO(__wasi_path_open(sub, FOLLOW, "../../x", 0, R_READ, 0, 0, &bad),
                __WASI_ERRNO_PERM);

    /* symlink-at, readlink-at. */
    CHECK_OK(__wasi_path_symlink("sub/g", DATA, "s"));
    CHECK_ERRNO(__wasi_path_symlink("f", DATA, "s"), __WASI_ERRNO_EXIST);
    CHECK_OK(__wasi_path_readlink(DATA, "s", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == 5 && memcmp(buf, "sub/g", 5) == 0);
    CHECK_ERRNO(__wasi_path_readlink(DATA, "f", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_INVAL);

    /* link-at (hard link; the same object), rename-at, unlink-file-at. */
    CHECK_OK(__wasi_path_link(DATA, 0, "f", sub, "h"));
    CHECK(stat_at(sub, NOFOLLOW, "h").ino == stat_at(DATA, NOFOLLOW, "f").ino);
    CHECK(stat_at(DATA, NOFOLLOW, "f").nlink == 2);
    CHECK_ERRNO(__wasi_path_link(DATA, 0, "missing", DATA, "x"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_rename(DATA, "new", sub, "moved"));
    CHECK_ERRNO(__wasi_path_filestat_get(DATA, NOFOLLOW, "new", &out), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_rename(DATA, "missing", DATA, "x"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_unlink_file(sub, "moved"));
    CHECK_ERRNO(__wasi_path_unlink_file(DATA, "missing"), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_unlink_file(DATA, "s"));
    CHECK_OK(__wasi_fd_close(sub));
    CHECK_ERRNO(__wasi_fd_close(sub), __WASI_ERRNO_BADF);
    return finish();
}
