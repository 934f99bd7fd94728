/* sock_setsockopt / sock_getsockopt round trips for every option of SOCKETS.md, on a TCP and
 * a UDP socket: set then get back, or the documented refusal (ENOTSUP for SO_DONTROUTE,
 * SO_RCVLOWAT and SO_BINDTODEVICE; ENOPROTOOPT for setting the read-only SO_TYPE, SO_ERROR
 * and SO_ACCEPTCONN). getsockopt's length is a u32 *pointer*: the host reads the buffer size
 * from it and writes the value size back. */
#include "wasmedge_sock.h"

static const char *NAMES[] = {
    "SO_REUSEADDR", "SO_TYPE",   "SO_ERROR",    "SO_DONTROUTE", "SO_BROADCAST", "SO_SNDBUF",
    "SO_RCVBUF",    "SO_KEEPALIVE", "SO_OOBINLINE", "SO_LINGER", "SO_RCVLOWAT", "SO_RCVTIMEO",
    "SO_SNDTIMEO",  "SO_ACCEPTCONN", "SO_BINDTODEVICE",
};

static int level_of(int name) { return name == WS_TCP_NODELAY ? WS_IPPROTO_TCP : WS_SOL_SOCKET; }

static const char *name_of(int name) {
    return name == WS_TCP_NODELAY ? "TCP_NODELAY" : NAMES[name];
}

static void expect(int cond, const char *what, int name) {
    if (cond) {
        printf("ok %s %s\n", what, name_of(name));
    } else {
        printf("FAIL %s %s\n", what, name_of(name));
        check_failures++;
    }
}

static void bool_opt(int32_t fd, int name) {
    for (int32_t v = 1; v >= 0; v--) {
        int32_t got = -1;
        expect(ws_set_int(fd, level_of(name), name, v) == 0, "set", name);
        expect(ws_get_int(fd, level_of(name), name, &got) == 0 && got == v, "get", name);
    }
}

int main(void) {
    int32_t s = -1, d = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_STREAM, &s));
    CHECK_OK(ws_sock_open(WS_INET4, WS_DGRAM, &d));

    int bools[] = {WS_SO_REUSEADDR, WS_SO_BROADCAST, WS_SO_KEEPALIVE, WS_SO_OOBINLINE,
                   WS_TCP_NODELAY};
    for (unsigned i = 0; i < sizeof bools / sizeof bools[0]; i++) bool_opt(s, bools[i]);

    /* Buffer sizes: Linux doubles the request; at least what was asked comes back. */
    int sizes[] = {WS_SO_SNDBUF, WS_SO_RCVBUF};
    for (unsigned i = 0; i < 2; i++) {
        int32_t got = 0;
        expect(ws_set_int(s, WS_SOL_SOCKET, sizes[i], 65536) == 0, "set", sizes[i]);
        expect(ws_get_int(s, WS_SOL_SOCKET, sizes[i], &got) == 0 && got >= 65536, "get",
               sizes[i]);
        expect(ws_set_int(s, WS_SOL_SOCKET, sizes[i], -1) == __WASI_ERRNO_INVAL, "negative",
               sizes[i]);
    }

    /* SO_LINGER: struct linger { int l_onoff; int l_linger; } */
    int32_t linger[2] = {1, 3}, lget[2] = {-1, -1};
    uint32_t len = 64; /* bigger than the value: the host writes back 8 */
    CHECK_OK(ws_sock_setsockopt(s, WS_SOL_SOCKET, WS_SO_LINGER, linger, sizeof linger));
    CHECK_OK(ws_sock_getsockopt(s, WS_SOL_SOCKET, WS_SO_LINGER, lget, &len));
    CHECK(len == 8 && lget[0] == 1 && lget[1] == 3);
    linger[0] = 0;
    CHECK_OK(ws_sock_setsockopt(s, WS_SOL_SOCKET, WS_SO_LINGER, linger, sizeof linger));
    len = 8;
    CHECK_OK(ws_sock_getsockopt(s, WS_SOL_SOCKET, WS_SO_LINGER, lget, &len));
    CHECK(len == 8 && lget[0] == 0);

    /* Timeouts: struct timeval { i64 sec; i64 usec; }; zero means none. */
    int timeouts[] = {WS_SO_RCVTIMEO, WS_SO_SNDTIMEO};
    for (unsigned i = 0; i < 2; i++) {
        ws_timeout_t t = {1, 500000}, got = {-1, -1};
        len = sizeof got;
        expect(ws_sock_setsockopt(s, WS_SOL_SOCKET, timeouts[i], &t, sizeof t) == 0, "set",
               timeouts[i]);
        expect(ws_sock_getsockopt(s, WS_SOL_SOCKET, timeouts[i], &got, &len) == 0 &&
                   len == 16 && got.sec == 1 && got.usec == 500000,
               "get", timeouts[i]);
        ws_timeout_t none = {0, 0};
        got.sec = got.usec = -1;
        len = sizeof got;
        expect(ws_sock_setsockopt(s, WS_SOL_SOCKET, timeouts[i], &none, sizeof none) == 0,
               "clear", timeouts[i]);
        expect(ws_sock_getsockopt(s, WS_SOL_SOCKET, timeouts[i], &got, &len) == 0 &&
                   got.sec == 0 && got.usec == 0,
               "get cleared", timeouts[i]);
        ws_timeout_t bad = {0, 1000000};
        expect(ws_sock_setsockopt(s, WS_SOL_SOCKET, timeouts[i], &bad, sizeof bad) ==
                   __WASI_ERRNO_INVAL,
               "usec out of range", timeouts[i]);
    }

    /* Read-only answers: SO_TYPE is the WASI socket type, SO_ERROR a WASI errno. */
    int32_t v = -1;
    CHECK_OK(ws_get_int(s, WS_SOL_SOCKET, WS_SO_TYPE, &v));
    CHECK(v == WS_STREAM);
    CHECK_OK(ws_get_int(d, WS_SOL_SOCKET, WS_SO_TYPE, &v));
    CHECK(v == WS_DGRAM);
    CHECK_OK(ws_get_int(s, WS_SOL_SOCKET, WS_SO_ERROR, &v));
    CHECK(v == 0);
    CHECK_OK(ws_get_int(s, WS_SOL_SOCKET, WS_SO_ACCEPTCONN, &v));
    CHECK(v == 0);
    int ro[] = {WS_SO_TYPE, WS_SO_ERROR, WS_SO_ACCEPTCONN};
    for (unsigned i = 0; i < 3; i++)
        expect(ws_set_int(s, WS_SOL_SOCKET, ro[i], 1) == __WASI_ERRNO_NOPROTOOPT,
               "read-only", ro[i]);

    /* Documented unsupported. */
    int unsupported[] = {WS_SO_DONTROUTE, WS_SO_RCVLOWAT, WS_SO_BINDTODEVICE};
    for (unsigned i = 0; i < 3; i++) {
        expect(ws_get_int(s, WS_SOL_SOCKET, unsupported[i], &v) == __WASI_ERRNO_NOTSUP,
               "get unsupported", unsupported[i]);
        expect(ws_set_int(s, WS_SOL_SOCKET, unsupported[i], 1) == __WASI_ERRNO_NOTSUP,
               "set unsupported", unsupported[i]);
    }

    /* Unknown (level, name) pairs. */
    CHECK_ERRNO(ws_set_int(s, WS_SOL_SOCKET, 15, 1), __WASI_ERRNO_NOPROTOOPT);
    CHECK_ERRNO(ws_set_int(s, WS_IPPROTO_TCP, 0, 1), __WASI_ERRNO_NOPROTOOPT);
    CHECK_ERRNO(ws_get_int(s, 1, 0, &v), __WASI_ERRNO_NOPROTOOPT);
    /* A value shorter than the option's layout. */
    CHECK_ERRNO(ws_sock_setsockopt(s, WS_SOL_SOCKET, WS_SO_LINGER, linger, 4),
                __WASI_ERRNO_INVAL);
    /* Not a socket: stdout. */
    CHECK_ERRNO(ws_get_int(1, WS_SOL_SOCKET, WS_SO_TYPE, &v), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(ws_get_int(77, WS_SOL_SOCKET, WS_SO_TYPE, &v), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(s));
    CHECK_OK(__wasi_fd_close(d));
    return finish();
}
