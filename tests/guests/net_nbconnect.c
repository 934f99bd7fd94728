/* Non-blocking connect: EINPROGRESS (or immediate success on loopback), poll_oneoff for
 * writability, then SO_ERROR says how it ended, as a WASI errno.
 *
 *   net_nbconnect OPEN_PORT CLOSED_PORT
 *
 * OPEN_PORT has a test-owned listener on 127.0.0.1 that keeps the connection open and expects
 * "nonblocking hello"; nothing listens on CLOSED_PORT. */
#include "wasmedge_sock.h"

#define SEC 1000000000ull

/* Waits for `fd` to be writable, with a 10 s clock as a watchdog; returns the fd event's
 * error, or -1 if the watchdog fired. */
static int wait_writable(int32_t fd) {
    __wasi_subscription_t subs[2];
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[0].u.u.fd_write.file_descriptor = fd;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 10 * SEC;
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
    CHECK(n >= 1);
    for (__wasi_size_t i = 0; i < n; i++)
        if (ev[i].userdata == 1) {
            CHECK(ev[i].type == __WASI_EVENTTYPE_FD_WRITE);
            return ev[i].error;
        }
    return -1;
}

static int32_t nonblocking_socket(void) {
    int32_t s = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_STREAM, &s));
    CHECK_OK(__wasi_fd_fdstat_set_flags(s, __WASI_FDFLAGS_NONBLOCK));
    return s;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int32_t open_port = atoi(argv[1]), closed_port = atoi(argv[2]);
    ws_sockaddr_t a;

    /* To the listener. */
    int32_t s = nonblocking_socket();
    int32_t e = ws_sock_connect(s, ws_v1_addr(&a, WS_LOOPBACK4, 4), open_port);
    printf("connect to the listener: errno %d\n", e);
    CHECK(e == __WASI_ERRNO_INPROGRESS || e == 0);
    CHECK(wait_writable(s) == 0);
    int32_t so_error = -1;
    CHECK_OK(ws_get_int(s, WS_SOL_SOCKET, WS_SO_ERROR, &so_error));
    CHECK(so_error == 0);
    /* Connected: the peer address is the listener's. */
    ws_sockaddr_t peer;
    uint32_t port = 0;
    CHECK_OK(ws_sock_getpeeraddr_v2(s, ws_out_addr(&peer, 128), &port));
    CHECK((int32_t)port == open_port);
    /* Nothing to read yet on a non-blocking socket: EAGAIN. */
    uint8_t b[4];
    __wasi_iovec_t io = {b, sizeof b};
    __wasi_size_t n = 0;
    __wasi_roflags_t ro = 0;
    CHECK_ERRNO(__wasi_sock_recv(s, &io, 1, 0, &n, &ro), __WASI_ERRNO_AGAIN);
    CHECK_OK(ws_send_all(s, "nonblocking hello", 17));

    /* To a closed port: refused, either at once or through SO_ERROR after the poll. */
    int32_t r = nonblocking_socket();
    e = ws_sock_connect(r, ws_v1_addr(&a, WS_LOOPBACK4, 4), closed_port);
    printf("connect to the closed port: errno %d\n", e);
    if (e == __WASI_ERRNO_INPROGRESS) {
        CHECK(wait_writable(r) == 0);
        CHECK_OK(ws_get_int(r, WS_SOL_SOCKET, WS_SO_ERROR, &so_error));
        printf("SO_ERROR %d\n", so_error);
        CHECK(so_error == __WASI_ERRNO_CONNREFUSED);
        /* Reading SO_ERROR clears it. */
        CHECK_OK(ws_get_int(r, WS_SOL_SOCKET, WS_SO_ERROR, &so_error));
        CHECK(so_error == 0);
    } else {
        CHECK(e == __WASI_ERRNO_CONNREFUSED);
    }
    CHECK_OK(__wasi_fd_close(r));
    CHECK_OK(__wasi_fd_close(s));
    return finish();
}
