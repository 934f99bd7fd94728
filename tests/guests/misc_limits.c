/* Limits: with max_open_files set, opening files in a loop stops with ENFILE after exactly
 * argv[1] opens; closing one lets the next open succeed. fd 3 = a preopen with file `f`. */
#include "check.h"

int main(int argc, char **argv) {
    int want = argc > 1 ? atoi(argv[1]) : -1;
    __wasi_fd_t fds[64];
    int opened = 0;
    __wasi_errno_t last = 0;
    while (opened < 64) {
        last = __wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fds[opened]);
        if (last != 0) break;
        opened++;
    }
    printf("opened %d then errno %d\n", opened, last);
    CHECK(opened == want);
    CHECK(last == __WASI_ERRNO_NFILE);
    /* Still full: a directory open and a second attempt fail the same way. */
    __wasi_fd_t extra;
    CHECK_ERRNO(__wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0,
                                 &extra),
                __WASI_ERRNO_NFILE);
    CHECK(opened > 0);
    if (opened > 0) {
        CHECK_OK(__wasi_fd_close(fds[opened - 1]));
        CHECK_OK(__wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &extra));
        CHECK(extra == fds[opened - 1]); /* the lowest free number is reused */
        CHECK_ERRNO(__wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &extra),
                    __WASI_ERRNO_NFILE);
    }
    return finish();
}
