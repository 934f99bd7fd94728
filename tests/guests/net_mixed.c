/* One module mixing plain names with V1 signatures and the explicit *_v2 names, as current
 * guest libraries link: the host must pick the layout per function (by its signature and
 * name), not per module. Each pair of calls below asks the same question through both and
 * checks the answers agree. */
#define WS_PLAIN_V1
#include "wasmedge_sock.h"

int main(void) {
    ws_sockaddr_t a, out1, out2;

    /* --- TCP: listener made through *_v2 names, client through plain V1 names --- */
    int32_t l = -1;
    CHECK_OK(ws_sock_open_v2(WS_INET4, WS_STREAM, &l));
    CHECK_OK(ws_sock_bind_v2(l, ws_v2_addr(&a, WS_INET4, WS_LOOPBACK4, 4), 0));
    CHECK_OK(ws_sock_listen_v2(l, 4));

    uint32_t type = 0, port1 = 0, port2 = 0;
    CHECK_OK(ws_sock_getlocaladdr_v1(l, ws_out_addr(&out1, 16), &type, &port1));
    CHECK_OK(ws_sock_getlocaladdr_v2(l, ws_out_addr(&out2, 128), &port2));
    CHECK(type == 4 && memcmp(out1.bytes, WS_LOOPBACK4, 4) == 0);
    CHECK(ws_v2_family(&out2) == WS_INET4 && memcmp(out2.bytes + 2, WS_LOOPBACK4, 4) == 0);
    CHECK(port1 == port2 && port1 > 0);

    int32_t c1 = -1, c2 = -1, s1 = -1, s2 = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_STREAM, &c1));
    CHECK_OK(ws_set_timeouts(c1, 10));
    CHECK_OK(ws_sock_connect(c1, ws_v1_addr(&a, WS_LOOPBACK4, 4), (int32_t)port1));
    CHECK_OK(ws_sock_open_v2(WS_INET4, WS_STREAM, &c2));
    CHECK_OK(ws_set_timeouts(c2, 10));
    CHECK_OK(ws_sock_connect_v2(c2, ws_v2_addr(&a, WS_INET4, WS_LOOPBACK4, 4), (int32_t)port1));

    /* Plain sock_accept is V1's (fd, ret_fd); sock_accept_v2 takes fdflags. */
    CHECK_OK(ws_sock_accept_v1(l, &s1));
    CHECK_OK(ws_sock_accept_v2(l, __WASI_FDFLAGS_NONBLOCK, &s2));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(s1, &st));
    CHECK((st.fs_flags & __WASI_FDFLAGS_NONBLOCK) == 0);
    CHECK_OK(__wasi_fd_fdstat_get(s2, &st));
    CHECK((st.fs_flags & __WASI_FDFLAGS_NONBLOCK) != 0);

    /* Peers: the two accepted sockets face c1 and c2, whichever order they arrived in. */
    uint32_t c1port = 0, c2port = 0, p1 = 0, p2 = 0, t = 0;
    CHECK_OK(ws_sock_getlocaladdr_v1(c1, ws_out_addr(&out1, 16), &t, &c1port));
    CHECK_OK(ws_sock_getlocaladdr_v2(c2, ws_out_addr(&out2, 128), &c2port));
    CHECK_OK(ws_sock_getpeeraddr_v1(s1, ws_out_addr(&out1, 16), &t, &p1));
    CHECK_OK(ws_sock_getpeeraddr_v2(s2, ws_out_addr(&out2, 128), &p2));
    CHECK(t == 4 && ws_v2_family(&out2) == WS_INET4);
    CHECK((p1 == c1port && p2 == c2port) || (p1 == c2port && p2 == c1port));
    int32_t to_s1 = p1 == c1port ? c1 : c2;

    /* sock_send_v2 / sock_recv_v2 are preview 1's send/recv under another name. */
    __wasi_ciovec_t ci = {(const uint8_t *)"mixed", 5};
    uint32_t n = 0;
    CHECK_OK(ws_sock_send_v2(to_s1, &ci, 1, 0, &n));
    CHECK(n == 5);
    uint8_t buf[16] = {0};
    __wasi_iovec_t io = {buf, sizeof buf};
    uint16_t ro = 0xffff;
    CHECK_OK(ws_set_timeouts(s1, 10));
    __wasi_iovec_t io5 = {buf, 5};
    CHECK_OK(ws_sock_recv_v2(s1, &io5, 1, WS_WAITALL, &n, &ro));
    CHECK(n == 5 && memcmp(buf, "mixed", 5) == 0 && ro == 0);

    /* --- UDP: recv_from through both layouts --- */
    int32_t x = -1, y = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_DGRAM, &x));
    CHECK_OK(ws_sock_open_v2(WS_INET4, WS_DGRAM, &y));
    CHECK_OK(ws_set_timeouts(y, 10));
    CHECK_OK(ws_sock_bind(x, ws_v1_addr(&a, WS_LOOPBACK4, 4), 0));
    CHECK_OK(ws_sock_bind_v2(y, ws_v2_addr(&a, WS_INET4, WS_LOOPBACK4, 4), 0));
    uint32_t xport = 0, yport = 0;
    CHECK_OK(ws_sock_getlocaladdr_v1(x, ws_out_addr(&out1, 16), &t, &xport));
    CHECK_OK(ws_sock_getlocaladdr_v2(y, ws_out_addr(&out2, 128), &yport));

    __wasi_ciovec_t d1 = {(const uint8_t *)"one", 3}, d2 = {(const uint8_t *)"two!", 4};
    CHECK_OK(ws_sock_send_to(x, &d1, 1, ws_v1_addr(&a, WS_LOOPBACK4, 4), (int32_t)yport, 0, &n));
    CHECK_OK(ws_sock_send_to_v2(x, &d2, 1, ws_v2_addr(&a, WS_INET4, WS_LOOPBACK4, 4),
                                (int32_t)yport, 0, &n));

    /* V1: raw IP bytes, no port. */
    CHECK_OK(ws_sock_recv_from_v1(y, &io, 1, ws_out_addr(&out1, 16), 0, &n, &ro));
    CHECK(n == 3 && memcmp(buf, "one", 3) == 0);
    CHECK(memcmp(out1.bytes, WS_LOOPBACK4, 4) == 0);
    /* V2: family-tagged address and a u16 port. */
    uint16_t from_port = 0;
    CHECK_OK(ws_sock_recv_from_v2(y, &io, 1, ws_out_addr(&out2, 128), 0, &from_port, &n, &ro));
    CHECK(n == 4 && memcmp(buf, "two!", 4) == 0);
    CHECK(ws_v2_family(&out2) == WS_INET4 && memcmp(out2.bytes + 2, WS_LOOPBACK4, 4) == 0);
    CHECK(from_port == xport);

    int32_t fds[] = {x, y, s1, s2, c1, c2, l};
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++) CHECK_OK(__wasi_fd_close(fds[i]));
    return finish();
}
