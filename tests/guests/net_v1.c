/* The V1 address layouts, through plain names with V1 signatures only (an older
 * wasmedge_wasi_socket guest): 4- and 16-byte input addresses; 16-byte output buffers holding
 * raw IP bytes with the address type (the literal 4 or 6) and a u32 port written separately;
 * sock_accept(fd, ret_fd) without flags; sock_recv_from without a port.
 *
 *   net_v1 [inet6]    with "inet6", also run the TCP part over ::1
 *
 * Everything happens in one instance on loopback: a listener and a client connected to it,
 * and two UDP sockets talking to each other. */
#define WS_PLAIN_V1
#include "wasmedge_sock.h"

/* Canaries around each out-parameter catch a host writing the wrong width. */
typedef struct {
    uint32_t before;
    uint32_t value;
    uint32_t after;
} guarded_u32;

static void tcp(int family) {
    const uint8_t *ip = family == WS_INET4 ? WS_LOOPBACK4 : WS_LOOPBACK6;
    uint32_t iplen = family == WS_INET4 ? 4 : 16;
    uint32_t want_type = family == WS_INET4 ? 4 : 6;
    printf("-- tcp over %s\n", family == WS_INET4 ? "127.0.0.1" : "::1");

    ws_sockaddr_t a;
    int32_t l = -1, c = -1, s = -1;
    CHECK_OK(ws_sock_open(family, WS_STREAM, &l));
    CHECK_OK(ws_sock_bind(l, ws_v1_addr(&a, ip, iplen), 0));
    CHECK_OK(ws_sock_listen(l, 2));

    ws_sockaddr_t out;
    guarded_u32 type = {0x11111111, 0, 0x22222222}, port = {0x33333333, 0, 0x44444444};
    CHECK_OK(ws_sock_getlocaladdr_v1(l, ws_out_addr(&out, 16), &type.value, &port.value));
    CHECK(type.value == want_type);
    CHECK(port.value > 0 && port.value < 65536);
    CHECK(memcmp(out.bytes, ip, iplen) == 0);
    CHECK(type.before == 0x11111111 && type.after == 0x22222222);
    CHECK(port.before == 0x33333333 && port.after == 0x44444444);
    /* Nothing past the 16 bytes the guest offered. */
    CHECK(out.bytes[16] == 0xee);
    uint32_t listen_port = port.value;

    CHECK_OK(ws_sock_open(family, WS_STREAM, &c));
    CHECK_OK(ws_set_timeouts(c, 10));
    /* A listener with backlog completes the handshake before anyone accepts. */
    CHECK_OK(ws_sock_connect(c, ws_v1_addr(&a, ip, iplen), (int32_t)listen_port));
    CHECK_OK(ws_sock_accept_v1(l, &s));
    CHECK_OK(ws_set_timeouts(s, 10));

    uint32_t ptype = 0, pport = 0;
    CHECK_OK(ws_sock_getpeeraddr_v1(c, ws_out_addr(&out, 16), &ptype, &pport));
    CHECK(ptype == want_type && pport == listen_port);
    CHECK(memcmp(out.bytes, ip, iplen) == 0);
    uint32_t ctype = 0, cport = 0;
    CHECK_OK(ws_sock_getlocaladdr_v1(c, ws_out_addr(&out, 16), &ctype, &cport));
    CHECK(ctype == want_type && cport > 0);
    uint32_t stype = 0, sport = 0;
    CHECK_OK(ws_sock_getpeeraddr_v1(s, ws_out_addr(&out, 16), &stype, &sport));
    CHECK(stype == want_type && sport == cport);

    CHECK_OK(ws_send_all(c, "v1 hello", 8));
    char buf[16] = {0};
    uint32_t got = 0;
    CHECK_OK(ws_recv_exact(s, buf, 8, &got));
    CHECK(got == 8 && memcmp(buf, "v1 hello", 8) == 0);

    /* WasmEdge also accepts a 4-byte V1 output buffer for IPv4; nothing past it is written. */
    if (family == WS_INET4) {
        uint32_t t4 = 0, p4 = 0;
        CHECK_OK(ws_sock_getlocaladdr_v1(l, ws_out_addr(&out, 4), &t4, &p4));
        CHECK(t4 == 4 && p4 == listen_port && memcmp(out.bytes, ip, 4) == 0);
        CHECK(out.bytes[4] == 0xee);
    }
    /* A port that does not fit 16 bits. */
    int32_t y = -1;
    CHECK_OK(ws_sock_open(family, WS_STREAM, &y));
    CHECK_ERRNO(ws_sock_connect(y, ws_v1_addr(&a, ip, iplen), 65536 + (int32_t)listen_port),
                __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_close(y));
    /* An output buffer V1 cannot use: too short for the address. */
    if (family == WS_INET6)
        CHECK_ERRNO(ws_sock_getlocaladdr_v1(l, ws_out_addr(&out, 4), &type.value, &port.value),
                    __WASI_ERRNO_INVAL);
    /* Input lengths other than 4, 16 and 128 are refused. */
    int32_t x = -1;
    CHECK_OK(ws_sock_open(family, WS_STREAM, &x));
    ws_addr_t *bad = ws_v1_addr(&a, ip, iplen);
    bad->buf_len = 8;
    CHECK_ERRNO(ws_sock_connect(x, bad, (int32_t)listen_port), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_close(x));
    CHECK_OK(__wasi_fd_close(s));
    CHECK_OK(__wasi_fd_close(c));
    CHECK_OK(__wasi_fd_close(l));
}

static void udp(void) {
    printf("-- udp over 127.0.0.1\n");
    ws_sockaddr_t a;
    int32_t x = -1, y = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_DGRAM, &x));
    CHECK_OK(ws_sock_open(WS_INET4, WS_DGRAM, &y));
    CHECK_OK(ws_set_timeouts(y, 10));
    CHECK_OK(ws_sock_bind(x, ws_v1_addr(&a, WS_LOOPBACK4, 4), 0));
    CHECK_OK(ws_sock_bind(y, ws_v1_addr(&a, WS_LOOPBACK4, 4), 0));
    ws_sockaddr_t out;
    uint32_t t = 0, xport = 0, yport = 0;
    CHECK_OK(ws_sock_getlocaladdr_v1(x, ws_out_addr(&out, 16), &t, &xport));
    CHECK_OK(ws_sock_getlocaladdr_v1(y, ws_out_addr(&out, 16), &t, &yport));

    __wasi_ciovec_t ci = {(const uint8_t *)"datagram!", 9};
    uint32_t sent = 0;
    CHECK_OK(ws_sock_send_to(x, &ci, 1, ws_v1_addr(&a, WS_LOOPBACK4, 4), (int32_t)yport, 0,
                             &sent));
    CHECK(sent == 9);

    uint8_t buf[32];
    __wasi_iovec_t io = {buf, sizeof buf};
    uint32_t n = 0;
    uint16_t ro = 0xffff;
    CHECK_OK(ws_sock_recv_from_v1(y, &io, 1, ws_out_addr(&out, 16), 0, &n, &ro));
    CHECK(n == 9 && memcmp(buf, "datagram!", 9) == 0);
    CHECK(ro == 0);
    /* V1 recv_from reports the sender's IP bytes (its port has nowhere to go). */
    CHECK(memcmp(out.bytes, WS_LOOPBACK4, 4) == 0);
    CHECK_OK(__wasi_fd_close(x));
    CHECK_OK(__wasi_fd_close(y));
}

int main(int argc, char **argv) {
    tcp(WS_INET4);
    if (argc > 1 && !strcmp(argv[1], "inet6")) tcp(WS_INET6);
    udp();
    return finish();
}
