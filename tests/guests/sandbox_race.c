/* Race: while the host keeps exchanging `swap/` between a real directory and a symlink to a
 * directory outside the preopen (and `swapf` between a file and a symlink to the outside file),
 * open `swap/secret` and `swapf` over and over and report what was read.
 * The sandbox must never open the outside file (DESIGN.md §2.2; the host's openat2
 * RESOLVE_BENEATH resolution makes the check and the open one atomic step).
 *
 * fd 3 = the preopen; argv[1] = iterations. Prints "race inside=N outside=N failed=N". */
#include "check.h"

int main(int argc, char **argv) {
    int iterations = argc > 1 ? atoi(argv[1]) : 1000;
    int inside = 0, outside = 0, failed = 0, other = 0;
    const __wasi_rights_t rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK;
    for (int i = 0; i < iterations; i++) {
        __wasi_fd_t fd;
        /* An intermediate directory swapped for a link, and a final file swapped for one. */
        static const char *const paths[] = {"swap/secret", "swap/./secret", "swapf"};
        const char *path = paths[i % 3];
        if (__wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, rights, 0, 0, &fd) !=
            0) {
            failed++;
            continue;
        }
        char buf[32] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        if (__wasi_fd_pread(fd, &iov, 1, 0, &n) != 0) n = 0;
        buf[n] = 0;
        if (strcmp(buf, "INSIDE") == 0)
            inside++;
        else if (strcmp(buf, "OUTSIDE-SECRET") == 0)
            outside++;
        else
            other++;
        if (__wasi_fd_close(fd) != 0) other++;
    }
    printf("race inside=%d outside=%d failed=%d other=%d\n", inside, outside, failed, other);
    return outside == 0 && other == 0 ? 0 : 1;
}
