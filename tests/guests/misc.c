/* The non-filesystem calls: clocks, random_get, sched_yield, proc_raise, the sock_* calls on
 * fds that are not sockets, and stdio as the harness sets it up (three regular temp files).
 *
 * Prints "realtime <ns>" for the host to compare with its own clock, and "stdin <text>". */
#include <unistd.h>
#include "check.h"

/* This wasi-libc no longer declares proc_raise (and the signal constants); import it directly. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int
raw_proc_raise(int signal);
#define SIGNAL_ABRT 6
#define SIGNAL_TERM 15

static const __wasi_rights_t MUTATING_PATH =
    __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_FD_READDIR;

int main(void) {
    /* Clocks. */
    __wasi_timestamp_t res, t, prev;
    for (__wasi_clockid_t id = 0; id < 4; id++) {
        CHECK_OK(__wasi_clock_res_get(id, &res));
        CHECK(res > 0 && res <= 1000000000ull);
        CHECK_OK(__wasi_clock_time_get(id, 1, &t));
    }
    CHECK_ERRNO(__wasi_clock_res_get(4, &res), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(0xffffffff, 0, &t), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
    printf("realtime %llu\n", (unsigned long long)t);
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &prev));
    int monotonic_ok = 1;
    for (int i = 0; i < 10000; i++) {
        if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t) != 0 || t < prev)
            monotonic_ok = 0;
        prev = t;
    }
    CHECK(monotonic_ok);
    /* The process CPU clock moves while we burn CPU. */
    __wasi_timestamp_t cpu0, cpu1;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 0, &cpu0));
    volatile unsigned spin = 0;
    for (unsigned i = 0; i < 20000000; i++) spin += i;
    (void)spin;
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 0, &cpu1));
    CHECK(cpu1 > cpu0);

    /* random_get: fills, differs between calls, zero length is fine. */
    uint8_t a[32], b[32], zero[32] = {0};
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_OK(__wasi_random_get(a, sizeof a));
    CHECK_OK(__wasi_random_get(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(memcmp(a, zero, sizeof a) != 0 && memcmp(b, zero, sizeof b) != 0);
    CHECK_OK(__wasi_random_get(a, 0));
    CHECK_OK(__wasi_random_get(NULL, 0));
    static uint8_t big[1 << 20]; /* larger than one getrandom() call may return */
    CHECK_OK(__wasi_random_get(big, sizeof big));
    CHECK(memcmp(big + sizeof big - 32, zero, 32) != 0);

    CHECK_OK(__wasi_sched_yield());
    CHECK_ERRNO(raw_proc_raise(SIGNAL_TERM), __WASI_ERRNO_NOSYS);
    CHECK_ERRNO(raw_proc_raise(SIGNAL_ABRT), __WASI_ERRNO_NOSYS);

    /* sock_* on fds that are not sockets: ENOTSOCK; on fds that are not open: EBADF. */
    uint8_t sbuf[8];
    __wasi_iovec_t riov = {sbuf, sizeof sbuf};
    __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    __wasi_roflags_t roflags;
    __wasi_fd_t accepted;
    const __wasi_fd_t not_sockets[] = {0, 1, 3};
    for (int i = 0; i < 3; i++) {
        __wasi_fd_t fd = not_sockets[i];
        printf("sock calls on fd %u\n", (unsigned)fd);
        CHECK_ERRNO(__wasi_sock_accept(fd, 0, &accepted), __WASI_ERRNO_NOTSOCK);
        CHECK_ERRNO(__wasi_sock_recv(fd, &riov, 1, 0, &n, &roflags), __WASI_ERRNO_NOTSOCK);
        CHECK_ERRNO(__wasi_sock_send(fd, &siov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
        CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR),
                    __WASI_ERRNO_NOTSOCK);
    }
    const __wasi_fd_t bad_fds[] = {77, 0x7fffffff, 0xffffffff};
    for (int i = 0; i < 3; i++) {
        __wasi_fd_t fd = bad_fds[i];
        printf("sock calls on fd %u\n", (unsigned)fd);
        CHECK_ERRNO(__wasi_sock_accept(fd, 0, &accepted), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_sock_recv(fd, &riov, 1, 0, &n, &roflags), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_sock_send(fd, &siov, 1, 0, &n), __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);
    }

    /* Stdio: the harness passes regular files, so they are REGULAR_FILE with file rights and
     * isatty() is false; none of them is a preopen. */
    __wasi_fdstat_t st;
    for (__wasi_fd_t fd = 0; fd < 3; fd++) {
        printf("stdio fd %u\n", (unsigned)fd);
        CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
        CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
        CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0);
        CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0);
        CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_SEEK) != 0);
        CHECK((st.fs_rights_base & MUTATING_PATH) == 0);
        CHECK(!isatty(fd));
        __wasi_prestat_t pre;
        CHECK_ERRNO(__wasi_fd_prestat_get(fd, &pre), __WASI_ERRNO_BADF);
    }
    /* The preopen is one, with its guest name. */
    __wasi_prestat_t pre;
    char name[16] = {0};
    CHECK_OK(__wasi_fd_prestat_get(3, &pre));
    CHECK(pre.tag == __WASI_PREOPENTYPE_DIR && pre.u.dir.pr_name_len == 5);
    CHECK_OK(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, sizeof name - 1));
    CHECK(strcmp(name, "/data") == 0);
    CHECK_ERRNO(__wasi_fd_prestat_get(4, &pre), __WASI_ERRNO_BADF);

    /* stdin: read it all with the raw call. */
    char in[256];
    size_t total = 0;
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)in + total, sizeof in - 1 - total};
        CHECK_OK(__wasi_fd_read(0, &iov, 1, &n));
        if (n == 0 || total + n >= sizeof in - 1) {
            total += n;
            break;
        }
        total += n;
    }
    in[total] = 0;
    printf("stdin %s\n", in);

    /* stdout/stderr writes, raw and through libc. */
    __wasi_ciovec_t parts[2] = {{(const uint8_t *)"raw ", 4}, {(const uint8_t *)"stdout\n", 7}};
    fflush(stdout);
    CHECK_OK(__wasi_fd_write(1, parts, 2, &n));
    CHECK(n == 11);
    __wasi_ciovec_t err = {(const uint8_t *)"to stderr\n", 10};
    CHECK_OK(__wasi_fd_write(2, &err, 1, &n));
    fprintf(stderr, "libc stderr\n");
    return finish();
}
