/* Sandbox escapes: every path call, every way out, from the preopen and from a subdirectory fd.
 *
 * Run by tests/sandbox.rs with fd 3 = the preopen `root/` of this layout (host side):
 *   outside/secret            "OUTSIDE-SECRET"      outside/odir/f
 *   root/file "inside"        root/victim "victim"  root/sub/inner "inner"
 *   root/abs_link  -> <abs>/outside/secret          root/rel_link -> ../outside/secret
 *   root/sub_up    -> sub/../../outside             root/escdir   -> ../outside
 *   root/abs_dir   -> <abs>/outside                 root/dangle   -> ../outside/created
 *   root/chain1 -> chain2 -> sub/chain3 -> ../../outside/secret
 *   root/chain_d -> sub/chain_d2 -> ../../outside
 *   root/loop1 <-> root/loop2
 *   root/good_link -> sub/../file   root/good_dir -> sub   root/sub/up_file -> ../file
 *
 * Every escape must fail with EPERM (absolute paths, `..` above the fd, symlinks leading
 * out — one errno for all, DESIGN.md §4) or ELOOP (loops); the innocent paths must work. The
 * host side then proves with snapshots that nothing outside changed. */
#include "check.h"

#define ROOT 3

static const __wasi_rights_t R_FILE_READ =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
    __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t R_FILE_WRITE = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                            __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET |
                                            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
#define R_ALL ((__wasi_rights_t)-1)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define NOFOLLOW 0

/* One labelled errno expectation (the CHECK_ERRNO text would be identical inside loops). */
static void expect(const char *what, int dirfd, const char *path, __wasi_errno_t got,
                   __wasi_errno_t want) {
    if (got == want) {
        printf("ok %s fd=%d %s\n", what, dirfd, path);
    } else {
        printf("FAIL %s fd=%d \"%s\": errno %d, want %d\n", what, dirfd, path, got, want);
        check_failures++;
    }
}

/* Reads up to 63 bytes of `fd` from offset 0 into a NUL-terminated buffer. */
static const char *slurp(__wasi_fd_t fd) {
    static char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (__wasi_fd_pread(fd, &iov, 1, 0, &n) != 0) n = 0;
    buf[n] = 0;
    return buf;
}

/* path_open that closes what it opened (reporting what it could read: an escape that opened
 * something shows the outside content in the FAIL line). */
static __wasi_errno_t try_open(int dirfd, __wasi_lookupflags_t lf, const char *path,
                               __wasi_oflags_t of, __wasi_rights_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t e = __wasi_path_open(dirfd, lf, path, of, rights, R_ALL, 0, &fd);
    if (e == 0) {
        printf("   opened %s -> \"%s\"\n", path, slurp(fd));
        (void)__wasi_fd_close(fd);
    }
    return e;
}

/* Every path call against a path whose *resolution itself* leaves the fd's tree (absolute,
 * `..` above the fd, or an escaping symlink as an intermediate component or with a trailing
 * slash): the same errno whether the last component is followed or not. */
static void all_calls_refuse(int dirfd, const char *p, __wasi_errno_t want) {
    __wasi_filestat_t st;
    char buf[64];
    __wasi_size_t n;
    expect("open", dirfd, p, try_open(dirfd, FOLLOW, p, 0, R_FILE_READ), want);
    expect("open-nofollow", dirfd, p, try_open(dirfd, NOFOLLOW, p, 0, R_FILE_READ), want);
    expect("open-dir", dirfd, p,
           try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE),
           want);
    expect("open-creat", dirfd, p, try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_CREAT, R_FILE_WRITE),
           want);
    expect("open-creat-trunc", dirfd, p,
           try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_FILE_WRITE),
           want);
    expect("open-trunc", dirfd, p, try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_TRUNC, R_FILE_WRITE),
           want);
    expect("filestat", dirfd, p, __wasi_path_filestat_get(dirfd, FOLLOW, p, &st), want);
    expect("filestat-nofollow", dirfd, p, __wasi_path_filestat_get(dirfd, NOFOLLOW, p, &st),
           want);
    expect("set-times", dirfd, p,
           __wasi_path_filestat_set_times(dirfd, FOLLOW, p, 1, 1,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
           want);
    expect("set-times-nofollow", dirfd, p,
           __wasi_path_filestat_set_times(dirfd, NOFOLLOW, p, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
           want);
    expect("mkdir", dirfd, p, __wasi_path_create_directory(dirfd, p), want);
    expect("unlink", dirfd, p, __wasi_path_unlink_file(dirfd, p), want);
    expect("rmdir", dirfd, p, __wasi_path_remove_directory(dirfd, p), want);
    expect("rename-from", dirfd, p, __wasi_path_rename(dirfd, p, ROOT, "stolen"), want);
    expect("rename-to", dirfd, p, __wasi_path_rename(ROOT, "victim", dirfd, p), want);
    expect("link-from", dirfd, p, __wasi_path_link(dirfd, 0, p, ROOT, "hardlink"), want);
    expect("link-to", dirfd, p, __wasi_path_link(ROOT, 0, "victim", dirfd, p), want);
    expect("symlink-at", dirfd, p, __wasi_path_symlink("file", dirfd, p), want);
    expect("readlink", dirfd, p, __wasi_path_readlink(dirfd, p, (uint8_t *)buf, sizeof buf, &n),
           want);
}

/* A path whose last component is a symlink leading out: every call that *follows* it must
 * refuse; calls that act on the link itself (lstat, readlink of a relative target) may not. */
static void following_refuses(int dirfd, const char *p, int is_dir) {
    __wasi_filestat_t st;
    if (is_dir) {
        expect("open-dir", dirfd, p,
               try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE),
               __WASI_ERRNO_PERM);
    } else {
        expect("open", dirfd, p, try_open(dirfd, FOLLOW, p, 0, R_FILE_READ), __WASI_ERRNO_PERM);
        expect("open-creat-trunc", dirfd, p,
               try_open(dirfd, FOLLOW, p, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_FILE_WRITE),
               __WASI_ERRNO_PERM);
        /* O_NOFOLLOW on a symlink: ELOOP, as POSIX says; nothing is opened either way. */
        expect("open-nofollow", dirfd, p, try_open(dirfd, NOFOLLOW, p, 0, R_FILE_READ),
               __WASI_ERRNO_LOOP);
    }
    expect("filestat", dirfd, p, __wasi_path_filestat_get(dirfd, FOLLOW, p, &st),
           __WASI_ERRNO_PERM);
    expect("set-times", dirfd, p,
           __wasi_path_filestat_set_times(dirfd, FOLLOW, p, 1, 1,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
           __WASI_ERRNO_PERM);
    /* lstat of the link itself is inside the sandbox and fine. */
    CHECK(__wasi_path_filestat_get(dirfd, NOFOLLOW, p, &st) == 0 &&
          st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
}

static int read_is(int dirfd, const char *path, const char *want) {
    __wasi_fd_t fd;
    if (__wasi_path_open(dirfd, FOLLOW, path, 0, R_FILE_READ, 0, 0, &fd) != 0) return 0;
    int same = strcmp(slurp(fd), want) == 0;
    (void)__wasi_fd_close(fd);
    return same;
}

/* Escapes that resolve out of the preopen no matter whether the last component is followed. */
static const char *const ROOT_ESCAPES[] = {
    "/etc/passwd",
    "/",
    "/tmp",
    "..",
    "../",
    "./..",
    "../outside",
    "../outside/secret",
    "../outside/odir/",
    "sub/../..",
    "sub/../../",
    "sub/../../outside/secret",
    "sub/../../outside/odir/f",
    "sub/../sub/../sub/../..", /* inside at every step until the last */
    "good_dir/../..",          /* an innocent symlink, then `..` twice */
    "good_dir/../../outside/secret",
    "escdir/secret",       /* escaping symlink to a directory as an intermediate component */
    "escdir/odir/",        /* ... and with a trailing slash after it */
    "escdir/odir/f",
    "escdir/../root/file", /* out and back in is still out */
    "abs_dir/secret",
    "abs_dir/odir/",
    "sub_up/secret",
    "chain_d/secret",
    "chain_d/odir/f",
    "g_up/secret", /* guest-made escaping symlinks as intermediates */
    "sub/g_up2/secret",
    "sub/g_up2/odir/",
};

/* Escapes from a subdirectory fd: its own tree is the sandbox, even though `..` from it would
 * still be inside the preopen. */
static const char *const SUB_ESCAPES[] = {
    "..",
    "../",
    "../file",
    "./../sub/inner",
    "../../outside/secret",
    "/etc/passwd",
    "g_up2/secret",
};

int main(void) {
    char buf[64];
    __wasi_size_t n;
    __wasi_filestat_t st;

    /* Guest-made symlinks: relative targets may be created (following them is what the
     * sandbox checks), absolute ones are refused outright, and so is a link *path* outside. */
    CHECK_OK(__wasi_path_symlink("../outside", ROOT, "g_up"));
    CHECK_OK(__wasi_path_symlink("../../outside", ROOT, "sub/g_up2"));
    CHECK_OK(__wasi_path_symlink("../outside/secret", ROOT, "g_rel"));
    CHECK_OK(__wasi_path_symlink("sub/../file", ROOT, "g_good"));
    CHECK_ERRNO(__wasi_path_symlink("/etc/passwd", ROOT, "g_abs"), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_symlink("/", ROOT, "g_abs"), __WASI_ERRNO_PERM);
    CHECK_ERRNO(__wasi_path_filestat_get(ROOT, NOFOLLOW, "g_abs", &st), __WASI_ERRNO_NOENT);

    __wasi_fd_t sub;
    CHECK_OK(__wasi_path_open(ROOT, 0, "sub", __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE,
                              R_ALL, 0, &sub));

    for (size_t i = 0; i < sizeof ROOT_ESCAPES / sizeof *ROOT_ESCAPES; i++)
        all_calls_refuse(ROOT, ROOT_ESCAPES[i], __WASI_ERRNO_PERM);
    for (size_t i = 0; i < sizeof SUB_ESCAPES / sizeof *SUB_ESCAPES; i++)
        all_calls_refuse(sub, SUB_ESCAPES[i], __WASI_ERRNO_PERM);

    /* Trailing slash on an escaping directory symlink: the slash forces following it. */
    const char *const slash_links[] = {"escdir/", "abs_dir/", "sub_up/", "chain_d/", "g_up/"};
    for (size_t i = 0; i < sizeof slash_links / sizeof *slash_links; i++) {
        const char *p = slash_links[i];
        expect("open-dir", ROOT, p,
               try_open(ROOT, FOLLOW, p, __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE),
               __WASI_ERRNO_PERM);
        expect("open-dir-nofollow", ROOT, p,
               try_open(ROOT, NOFOLLOW, p, __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE),
               __WASI_ERRNO_PERM);
        expect("filestat", ROOT, p, __wasi_path_filestat_get(ROOT, FOLLOW, p, &st),
               __WASI_ERRNO_PERM);
        /* POSIX: a trailing slash makes even lstat follow the link, so this leads out too. */
        memset(&st, 0, sizeof st);
        __wasi_errno_t e = __wasi_path_filestat_get(ROOT, NOFOLLOW, p, &st);
        expect("filestat-nofollow", ROOT, p, e, __WASI_ERRNO_PERM);
        if (e == 0) printf("   got filetype %d ino %llu\n", st.filetype, (unsigned long long)st.ino);
        expect("set-times-nofollow", ROOT, p,
               __wasi_path_filestat_set_times(ROOT, NOFOLLOW, p, 1, 1,
                                              __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
               __WASI_ERRNO_PERM);
    }

    /* Last component an escaping symlink. */
    following_refuses(ROOT, "abs_link", 0);
    following_refuses(ROOT, "rel_link", 0);
    following_refuses(ROOT, "chain1", 0);
    following_refuses(ROOT, "g_rel", 0);
    following_refuses(ROOT, "dangle", 0); /* CREAT through it must not create outside/created */
    following_refuses(ROOT, "escdir", 1);
    following_refuses(ROOT, "abs_dir", 1);
    following_refuses(ROOT, "sub_up", 1);
    following_refuses(ROOT, "chain_d", 1);
    following_refuses(ROOT, "g_up", 1);
    following_refuses(sub, "up_file", 0); /* innocent from the root, an escape from sub */
    following_refuses(sub, "g_up2", 1);
    expect("open-creat", ROOT, "dangle",
           try_open(ROOT, FOLLOW, "dangle", __WASI_OFLAGS_CREAT, R_FILE_WRITE), __WASI_ERRNO_PERM);
    expect("open-creat-excl", ROOT, "dangle",
           try_open(ROOT, FOLLOW, "dangle", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_FILE_WRITE),
           __WASI_ERRNO_EXIST);

    /* path_link never follows a source symlink (the kernel's AT_SYMLINK_FOLLOW would resolve
     * it outside the sandboxed lookup): EINVAL, as wasmtime, for escaping and innocent links
     * alike. The host checks that outside/secret gained no link. */
    CHECK_ERRNO(__wasi_path_link(ROOT, FOLLOW, "rel_link", ROOT, "hl_follow"), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_link(ROOT, FOLLOW, "abs_link", ROOT, "hl_follow"), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_path_link(ROOT, FOLLOW, "good_link", ROOT, "hl_follow"), __WASI_ERRNO_INVAL);

    /* Symlink loops: ELOOP wherever they are followed. */
    const char *const loops[] = {"loop1", "loop2/x", "sub/../loop1"};
    for (size_t i = 0; i < 3; i++) {
        expect("open", ROOT, loops[i], try_open(ROOT, FOLLOW, loops[i], 0, R_FILE_READ),
               __WASI_ERRNO_LOOP);
        expect("filestat", ROOT, loops[i], __wasi_path_filestat_get(ROOT, FOLLOW, loops[i], &st),
               __WASI_ERRNO_LOOP);
    }
    expect("open-nofollow", ROOT, "loop1", try_open(ROOT, NOFOLLOW, "loop1", 0, R_FILE_READ),
           __WASI_ERRNO_LOOP);
    expect("mkdir", ROOT, "loop1/d", __wasi_path_create_directory(ROOT, "loop1/d"),
           __WASI_ERRNO_LOOP);

    /* readlink never follows, but an absolute target is not revealed (host paths stay
     * private; cap-std's read_link, as wasmtime). A relative target is just a string. */
    n = 0;
    CHECK_ERRNO(__wasi_path_readlink(ROOT, "abs_link", (uint8_t *)buf, sizeof buf, &n),
                __WASI_ERRNO_PERM);
    CHECK_OK(__wasi_path_readlink(ROOT, "rel_link", (uint8_t *)buf, sizeof buf, &n));
    CHECK(n == strlen("../outside/secret") && memcmp(buf, "../outside/secret", n) == 0);

    /* Innocent paths keep working. */
    CHECK(read_is(ROOT, "file", "inside"));
    CHECK(read_is(ROOT, "./file", "inside"));
    CHECK(read_is(ROOT, "sub/../file", "inside"));
    CHECK(read_is(ROOT, "sub/./../sub/inner", "inner"));
    CHECK(read_is(ROOT, "good_link", "inside"));
    CHECK(read_is(ROOT, "g_good", "inside"));
    CHECK(read_is(ROOT, "sub/up_file", "inside"));
    CHECK(read_is(ROOT, "good_dir/inner", "inner"));
    CHECK(read_is(ROOT, "good_dir/../file", "inside"));
    CHECK(read_is(sub, "inner", "inner"));
    CHECK(read_is(sub, "./inner", "inner"));
    CHECK_OK(try_open(ROOT, FOLLOW, "good_dir/", __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE));
    CHECK_OK(try_open(ROOT, FOLLOW, "sub/..", __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE));
    CHECK_OK(try_open(ROOT, FOLLOW, ".", __WASI_OFLAGS_DIRECTORY, R_ALL & ~__WASI_RIGHTS_FD_WRITE));
    CHECK(__wasi_path_filestat_get(ROOT, FOLLOW, "good_link", &st) == 0 &&
          st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6);
    CHECK_OK(__wasi_path_create_directory(ROOT, "sub/../newdir"));
    CHECK_OK(__wasi_path_remove_directory(ROOT, "sub/../newdir"));
    CHECK_OK(try_open(ROOT, FOLLOW, "sub/../created", __WASI_OFLAGS_CREAT, R_FILE_WRITE));
    CHECK_OK(__wasi_path_unlink_file(ROOT, "good_dir/../created"));
    CHECK_OK(__wasi_path_rename(ROOT, "victim", sub, "victim2"));
    CHECK_OK(__wasi_path_rename(sub, "victim2", ROOT, "sub/../victim"));
    CHECK_OK(__wasi_path_link(ROOT, 0, "sub/../victim", sub, "hl"));
    CHECK_OK(__wasi_path_unlink_file(sub, "hl"));
    CHECK_OK(__wasi_path_filestat_set_times(ROOT, FOLLOW, "good_link", 0, 0,
                                            __WASI_FSTFLAGS_MTIM_NOW));
    CHECK(read_is(ROOT, "victim", "victim"));
    /* Removing an escaping symlink removes the link, not its target. */
    CHECK_OK(__wasi_path_unlink_file(ROOT, "g_rel"));
    CHECK_OK(__wasi_path_unlink_file(ROOT, "g_up"));
    CHECK_OK(__wasi_fd_close(sub));
    return finish();
}
