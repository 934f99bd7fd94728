/* The V2 address layouts through plain names with V2 signatures (what current
 * wasmedge_wasi_socket links when it does not use the *_v2 names): 128-byte family-tagged
 * input and output addresses, sock_recv_from writing a u16 port, sock_getlocaladdr writing a
 * u32 port and no address type; and UDP send_to/recv_from with truncation and PEEK.
 *
 *   net_v2 [inet6]   with "inet6", also run the UDP part over ::1
 */
#define WS_PLAIN_V2
#include "wasmedge_sock.h"

/* Canaries around the u16 port: a host writing 4 bytes there would clobber `after`. */
typedef struct {
    uint16_t before;
    uint16_t value;
    uint16_t after;
    uint16_t pad;
} guarded_u16;

static void udp(int family) {
    const uint8_t *ip = family == WS_INET4 ? WS_LOOPBACK4 : WS_LOOPBACK6;
    uint32_t iplen = family == WS_INET4 ? 4 : 16;
    printf("-- udp over %s\n", family == WS_INET4 ? "127.0.0.1" : "::1");

    ws_sockaddr_t a, out;
    int32_t x = -1, y = -1;
    CHECK_OK(ws_sock_open(family, WS_DGRAM, &x));
    CHECK_OK(ws_sock_open(family, WS_DGRAM, &y));
    CHECK_OK(ws_set_timeouts(y, 10));
    CHECK_OK(ws_sock_bind(x, ws_v2_addr(&a, (uint16_t)family, ip, iplen), 0));
    CHECK_OK(ws_sock_bind(y, ws_v2_addr(&a, (uint16_t)family, ip, iplen), 0));
    int32_t type = -1;
    CHECK_OK(ws_get_int(x, WS_SOL_SOCKET, WS_SO_TYPE, &type));
    CHECK(type == WS_DGRAM);

    uint32_t xport = 0, yport = 0;
    CHECK_OK(ws_sock_getlocaladdr_p2(x, ws_out_addr(&out, 128), &xport));
    CHECK(ws_v2_family(&out) == family && memcmp(out.bytes + 2, ip, iplen) == 0);
    /* The bytes after the address are zeroed, not left as they were. */
    CHECK(out.bytes[2 + iplen] == 0 && out.bytes[127] == 0);
    CHECK_OK(ws_sock_getlocaladdr_p2(y, ws_out_addr(&out, 128), &yport));
    CHECK(xport > 0 && yport > 0 && xport != yport);

    /* Two iovecs gathered into one datagram. */
    __wasi_ciovec_t ci[2] = {{(const uint8_t *)"0123", 4}, {(const uint8_t *)"456789", 6}};
    uint32_t sent = 0;
    CHECK_OK(ws_sock_send_to(x, ci, 2, ws_v2_addr(&a, (uint16_t)family, ip, iplen),
                             (int32_t)yport, 0, &sent));
    CHECK(sent == 10);

    /* PEEK leaves it queued and still tells the sender. */
    uint8_t buf[32];
    __wasi_iovec_t io = {buf, sizeof buf};
    uint32_t n = 0;
    uint16_t ro = 0xffff;
    guarded_u16 port = {0xaaaa, 0, 0xbbbb, 0};
    CHECK_OK(ws_sock_recv_from_p2(y, &io, 1, ws_out_addr(&out, 128), WS_PEEK, &port.value, &n,
                                  &ro));
    CHECK(n == 10 && memcmp(buf, "0123456789", 10) == 0 && ro == 0);
    CHECK(port.value == xport);
    CHECK(port.before == 0xaaaa && port.after == 0xbbbb);
    CHECK(ws_v2_family(&out) == family && memcmp(out.bytes + 2, ip, iplen) == 0);

    /* A 4-byte buffer (scattered over 3 + 1): the rest of the datagram is dropped and
     * reported with RECV_DATA_TRUNCATED. */
    uint8_t small[4] = {0};
    __wasi_iovec_t ios[2] = {{small, 3}, {small + 3, 1}};
    n = 0;
    ro = 0;
    port.value = 0;
    CHECK_OK(ws_sock_recv_from_p2(y, ios, 2, ws_out_addr(&out, 128), 0, &port.value, &n, &ro));
    CHECK(n == 4 && memcmp(small, "0123", 4) == 0);
    CHECK(ro == WS_TRUNCATED);
    CHECK(port.value == xport);

    /* The next datagram is whole again; nothing of the truncated one is left. */
    __wasi_ciovec_t one = {(const uint8_t *)"second", 6};
    CHECK_OK(ws_sock_send_to(x, &one, 1, ws_v2_addr(&a, (uint16_t)family, ip, iplen),
                             (int32_t)yport, 0, &sent));
    n = 0;
    ro = 0xffff;
    CHECK_OK(ws_sock_recv_from_p2(y, &io, 1, ws_out_addr(&out, 128), 0, &port.value, &n, &ro));
    CHECK(n == 6 && memcmp(buf, "second", 6) == 0 && ro == 0);

    /* Preview 1 sock_recv on a datagram socket reports truncation the same way. */
    CHECK_OK(ws_sock_send_to(x, ci, 2, ws_v2_addr(&a, (uint16_t)family, ip, iplen),
                             (int32_t)yport, 0, &sent));
    __wasi_iovec_t three = {small, 3};
    __wasi_size_t rn = 0;
    __wasi_roflags_t rro = 0;
    CHECK_OK(__wasi_sock_recv(y, &three, 1, 0, &rn, &rro));
    CHECK(rn == 3 && rro == __WASI_ROFLAGS_RECV_DATA_TRUNCATED);

    /* Nothing queued on a non-blocking socket: EAGAIN, not a hang. */
    CHECK_OK(__wasi_fd_fdstat_set_flags(y, __WASI_FDFLAGS_NONBLOCK));
    CHECK_ERRNO(ws_sock_recv_from_p2(y, &io, 1, ws_out_addr(&out, 128), 0, &port.value, &n, &ro),
                __WASI_ERRNO_AGAIN);

    /* More than 1024 iovecs is EINVAL (the array need not even be readable). */
    CHECK_ERRNO(ws_sock_recv_from_p2(y, &io, 1025, ws_out_addr(&out, 128), 0, &port.value, &n,
                                     &ro),
                __WASI_ERRNO_INVAL);
    CHECK_ERRNO(ws_sock_send_to(x, ci, 1025, ws_v2_addr(&a, (uint16_t)family, ip, iplen),
                                (int32_t)yport, 0, &sent),
                __WASI_ERRNO_INVAL);
    /* Unknown families and socket types. */
    int32_t bad = -1;
    CHECK_ERRNO(ws_sock_open(9, WS_STREAM, &bad), __WASI_ERRNO_AFNOSUPPORT);
    CHECK_ERRNO(ws_sock_open(family, 3, &bad), __WASI_ERRNO_INVAL);
    CHECK(bad == -1);
    /* An unknown family in the V2 form. */
    CHECK_ERRNO(ws_sock_send_to(x, ci, 2, ws_v2_addr(&a, 9, ip, iplen), (int32_t)yport, 0,
                                &sent),
                __WASI_ERRNO_AFNOSUPPORT);
    CHECK_OK(__wasi_fd_close(x));
    CHECK_OK(__wasi_fd_close(y));
}

/* A unix stream pair inside the preopen "/sock": the local address is the guest's path. */
static void unix_stream(void) {
    printf("-- unix stream in /sock\n");
    ws_sockaddr_t a, out;
    int32_t l = -1, c = -1, s = -1;
    CHECK_OK(ws_sock_open(WS_UNIX, WS_STREAM, &l));
    CHECK_OK(ws_sock_bind(l, ws_v2_unix(&a, "/sock/v2.sock"), 0));
    CHECK_OK(ws_sock_listen(l, 2));
    uint32_t port = 0xdeadbeef;
    CHECK_OK(ws_sock_getlocaladdr_p2(l, ws_out_addr(&out, 128), &port));
    CHECK(ws_v2_family(&out) == WS_UNIX && port == 0);
    CHECK(strcmp((const char *)out.bytes + 2, "/sock/v2.sock") == 0);
    CHECK_OK(ws_sock_open(WS_UNIX, WS_STREAM, &c));
    CHECK_OK(ws_set_timeouts(c, 10));
    CHECK_OK(ws_sock_connect(c, ws_v2_unix(&a, "/sock/v2.sock"), 0));
    CHECK_OK(__wasi_sock_accept(l, 0, &s));
    CHECK_OK(ws_send_all(s, "over unix", 9));
    char buf[9];
    uint32_t got = 0;
    CHECK_OK(ws_recv_exact(c, buf, 9, &got));
    CHECK(got == 9 && memcmp(buf, "over unix", 9) == 0);
    /* A 16-byte (V1-sized) buffer cannot hold a unix address: refused, nothing written. */
    int32_t e = ws_sock_getlocaladdr_p2(l, ws_out_addr(&out, 16), &port);
    CHECK(e == __WASI_ERRNO_INVAL || e == __WASI_ERRNO_AFNOSUPPORT);
    CHECK(out.bytes[0] == 0xee);
    CHECK_OK(__wasi_fd_close(s));
    CHECK_OK(__wasi_fd_close(c));
    CHECK_OK(__wasi_fd_close(l));
}

int main(int argc, char **argv) {
    udp(WS_INET4);
    if (argc > 1 && !strcmp(argv[1], "inet6")) udp(WS_INET6);
    unix_stream();
    return finish();
}
