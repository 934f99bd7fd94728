/* Tries socket calls the test's policy may or may not allow and prints one line per attempt,
 * "OP ARG: open=E call=E" (the errno of sock_open, then of the call itself; -1 when the call
 * was not reached), for tests/net_policy.rs to compare with what the policy says.
 *
 *   net_policy OP:ARG...
 *
 * OP is one of
 *   connect4 PORT / connect6 PORT   TCP connect to 127.0.0.1 / ::1
 *   bind4 PORT                      bind a TCP socket to 127.0.0.1
 *   listen4 -                       listen without bind (the kernel would bind 0.0.0.0)
 *   sendto4 PORT                    a UDP datagram "x" to 127.0.0.1
 *   gai NAME                        getaddrinfo(NAME, "80")
 *   uconnect PATH / ubind PATH      unix stream connect / bind (128-byte form)
 *   open4 -                         just sock_open(inet4, stream) */
#include "wasmedge_sock.h"

static void attempt(const char *op, const char *arg) {
    ws_sockaddr_t a;
    int32_t s = -1, oe = -1, ce = -1;
    int port = atoi(arg);
    if (!strcmp(op, "gai")) {
        static uint8_t nodes[4][28], addrs[4][12], data[4][26];
        for (int i = 0; i < 4; i++) {
            uint32_t *n = (uint32_t *)nodes[i], *sa = (uint32_t *)addrs[i];
            memset(nodes[i], 0, 28);
            n[3] = (uint32_t)(uintptr_t)addrs[i];
            n[6] = i + 1 < 4 ? (uint32_t)(uintptr_t)nodes[i + 1] : 0;
            sa[1] = sizeof data[i];
            sa[2] = (uint32_t)(uintptr_t)data[i];
        }
        uint8_t hints[28] = {0};
        hints[2] = WS_INET4;
        uint32_t head = (uint32_t)(uintptr_t)nodes[0], count = 0;
        ce = ws_sock_getaddrinfo(arg, (int32_t)strlen(arg), "80", 2, hints, &head, 4, &count);
        oe = 0;
    } else if (!strcmp(op, "open4")) {
        oe = ws_sock_open(WS_INET4, WS_STREAM, &s);
    } else if (!strcmp(op, "connect4") || !strcmp(op, "connect6")) {
        int fam = op[7] == '4' ? WS_INET4 : WS_INET6;
        oe = ws_sock_open(fam, WS_STREAM, &s);
        if (!oe) ce = ws_sock_connect(s, ws_loopback(&a, fam, 0, ""), port);
    } else if (!strcmp(op, "bind4")) {
        oe = ws_sock_open(WS_INET4, WS_STREAM, &s);
        if (!oe) ce = ws_sock_bind(s, ws_loopback(&a, WS_INET4, 0, ""), port);
    } else if (!strcmp(op, "listen4")) {
        oe = ws_sock_open(WS_INET4, WS_STREAM, &s);
        if (!oe) ce = ws_sock_listen(s, 1);
    } else if (!strcmp(op, "sendto4")) {
        oe = ws_sock_open(WS_INET4, WS_DGRAM, &s);
        __wasi_ciovec_t ci = {(const uint8_t *)"x", 1};
        uint32_t n = 0;
        if (!oe) ce = ws_sock_send_to(s, &ci, 1, ws_loopback(&a, WS_INET4, 0, ""), port, 0, &n);
    } else if (!strcmp(op, "uconnect") || !strcmp(op, "ubind")) {
        oe = ws_sock_open(WS_UNIX, WS_STREAM, &s);
        if (!oe)
            ce = op[1] == 'c' ? ws_sock_connect(s, ws_v2_unix(&a, arg), 0)
                              : ws_sock_bind(s, ws_v2_unix(&a, arg), 0);
    } else {
        printf("FAIL unknown op %s\n", op);
        check_failures++;
        return;
    }
    printf("%s %s: open=%d call=%d\n", op, arg, oe, ce);
    if (s >= 0 && __wasi_fd_close(s)) check_failures++;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char op[32];
        const char *colon = strchr(argv[i], ':');
        size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
        if (len >= sizeof op) len = sizeof op - 1;
        memcpy(op, argv[i], len);
        op[len] = 0;
        attempt(op, colon ? colon + 1 : "-");
    }
    return finish();
}
