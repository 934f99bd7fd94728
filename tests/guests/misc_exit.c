/* proc_exit: exits with argv[1] as the code. Nothing after proc_exit may run. With argv[2] =
 * "open", first opens files and a directory from preopen fd 3 (and leaves them open) so the
 * host can check that exiting closed them. */
#include "check.h"

int main(int argc, char **argv) {
    unsigned code = argc > 1 ? (unsigned)atoi(argv[1]) : 7;
    if (argc > 2 && strcmp(argv[2], "open") == 0) {
        __wasi_fd_t fd;
        for (int i = 0; i < 5; i++)
            if (__wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd) != 0) return 2;
        if (__wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0,
                             &fd) != 0)
            return 2;
    }
    printf("before exit %u\n", code);
    fflush(stdout);
    __wasi_proc_exit(code);
    printf("after exit\n"); /* unreachable: proc_exit unwinds the guest */
    return 3;
}
