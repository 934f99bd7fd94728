/* TCP (or unix stream) echo over the WasmEdge extension, one role per instance:
 *
 *   net_echo server FAMILY FORM [PATH]       bind loopback port 0 (or the unix PATH), listen,
 *                                            print "port N", accept one client, echo until it
 *                                            closes, print "served N bytes"
 *   net_echo client FAMILY FORM PORT COUNT [PATH]
 *                                            connect, send COUNT messages of growing sizes,
 *                                            check each echo, print "echoed COUNT messages"
 *
 * FAMILY is inet4, inet6 or unix; FORM is v1 (raw 4/16-byte input addresses) or v2 (the
 * 128-byte family-tagged form; unix always uses it). Plain names use their V2 signatures here
 * (sock_accept is preview 1's, sock_getlocaladdr/getpeeraddr write 128-byte addresses). */
#define WS_PLAIN_V2
#include "wasmedge_sock.h"

static int family_arg(const char *s) {
    if (!strcmp(s, "inet4")) return WS_INET4;
    if (!strcmp(s, "inet6")) return WS_INET6;
    if (!strcmp(s, "unix")) return WS_UNIX;
    printf("FAIL unknown family %s\n", s);
    exit(2);
}

static int server(int family, int v2, const char *path) {
    ws_sockaddr_t a;
    int32_t l = -1;
    CHECK_OK(ws_sock_open(family, WS_STREAM, &l));
    CHECK_OK(ws_set_timeouts(l, 10));
    if (family != WS_UNIX) CHECK_OK(ws_set_int(l, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1));
    CHECK_OK(ws_sock_bind(l, ws_loopback(&a, family, v2, path), 0));
    CHECK_OK(ws_sock_listen(l, 4));
    int32_t accepting = -1;
    CHECK_OK(ws_get_int(l, WS_SOL_SOCKET, WS_SO_ACCEPTCONN, &accepting));
    CHECK(accepting == 1);

    ws_sockaddr_t local;
    uint32_t port = 0xdeadbeef;
    CHECK_OK(ws_sock_getlocaladdr_p2(l, ws_out_addr(&local, 128), &port));
    CHECK(ws_v2_family(&local) == family);
    if (family == WS_UNIX) {
        CHECK(port == 0);
        CHECK(strcmp((const char *)local.bytes + 2, path) == 0);
    } else {
        CHECK(port > 0 && port < 65536);
        CHECK(memcmp(local.bytes + 2, family == WS_INET4 ? WS_LOOPBACK4 : WS_LOOPBACK6,
                     family == WS_INET4 ? 4 : 16) == 0);
    }
    /* The test reads this line while we run, to start the client. */
    printf("port %u\n", (unsigned)port);
    fflush(stdout);

    int32_t c = -1;
    CHECK_OK(__wasi_sock_accept(l, 0, &c));
    CHECK_OK(ws_set_timeouts(c, 10));
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(c, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
    ws_sockaddr_t peer;
    uint32_t peer_port = 0xdeadbeef;
    CHECK_OK(ws_sock_getpeeraddr_p2(c, ws_out_addr(&peer, 128), &peer_port));
    CHECK(ws_v2_family(&peer) == family);
    if (family != WS_UNIX) CHECK(peer_port > 0 && peer_port < 65536 && peer_port != port);

    static uint8_t buf[70000];
    uint64_t served = 0;
    for (;;) {
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n = 0;
        __wasi_roflags_t ro = 0;
        __wasi_errno_t e = __wasi_sock_recv(c, &iov, 1, 0, &n, &ro);
        if (e) {
            printf("FAIL sock_recv: errno %d\n", e);
            check_failures++;
            break;
        }
        if (n == 0) break;
        if (ws_send_all(c, buf, n)) {
            printf("FAIL echo send\n");
            check_failures++;
            break;
        }
        served += n;
    }
    printf("served %llu bytes\n", (unsigned long long)served);
    CHECK_OK(__wasi_fd_close(c));
    CHECK_OK(__wasi_fd_close(l));
    return finish();
}

static int client(int family, int v2, uint32_t port, int count, const char *path) {
    ws_sockaddr_t a;
    int32_t s = -1;
    CHECK_OK(ws_sock_open(family, WS_STREAM, &s));
    CHECK_OK(ws_set_timeouts(s, 10));
    CHECK_OK(ws_sock_connect(s, ws_loopback(&a, family, v2, path), (int32_t)port));
    ws_sockaddr_t peer;
    uint32_t peer_port = 0;
    CHECK_OK(ws_sock_getpeeraddr_p2(s, ws_out_addr(&peer, 128), &peer_port));
    CHECK(ws_v2_family(&peer) == family);
    if (family != WS_UNIX) CHECK(peer_port == port);

    static uint8_t out[65536], in[65536];
    int ok = 0;
    uint64_t total = 0;
    for (int i = 0; i < count; i++) {
        /* 1, 7, 49, ... bytes, wrapping under 64 KiB, each with its own pattern. */
        uint32_t len = 1;
        for (int k = 0; k < i % 6; k++) len *= 7;
        len = len % sizeof out + 1;
        for (uint32_t k = 0; k < len; k++) out[k] = (uint8_t)(i * 31 + k);
        if (ws_send_all(s, out, len)) break;
        uint32_t got = 0;
        if (ws_recv_exact(s, in, len, &got) || got != len || memcmp(in, out, len)) {
            printf("FAIL message %d of %u bytes: got %u\n", i, len, got);
            check_failures++;
            break;
        }
        ok++;
        total += len;
    }
    printf("echoed %d messages, %llu bytes\n", ok, (unsigned long long)total);
    CHECK(ok == count);
    /* Half-close: the server sees end of stream, echoes nothing more and closes. */
    CHECK_OK(__wasi_sock_shutdown(s, __WASI_SDFLAGS_WR));
    uint32_t rest = 0;
    CHECK_OK(ws_recv_exact(s, in, 1, &rest));
    CHECK(rest == 0);
    CHECK_OK(__wasi_fd_close(s));
    return finish();
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "server"))
        return server(family_arg(argv[2]), !strcmp(argv[3], "v2"), argc > 4 ? argv[4] : "");
    if (argc >= 6 && !strcmp(argv[1], "client"))
        return client(family_arg(argv[2]), !strcmp(argv[3], "v2"), (uint32_t)atoi(argv[4]),
                      atoi(argv[5]), argc > 6 ? argv[6] : "");
    printf("FAIL usage\n");
    return 2;
}
