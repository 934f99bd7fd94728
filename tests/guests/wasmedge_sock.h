/* The WasmEdge socket extension as guests import it (the ABI is /work/shared/SOCKETS.md's):
 * raw imports from "wasi_snapshot_preview1", every parameter and result an i32 (the result is a
 * WASI errno), plus small helpers for address descriptors shared by the net_* test guests.
 *
 * WasmEdge picks V1 or V2 of a plain name *per function, by its signature*, and also exports
 * the V2 variants under `*_v2` names. One wasm module cannot import one name with two
 * signatures, so the plain names whose V1 and V2 signatures differ (`sock_accept`,
 * `sock_recv_from`, `sock_getlocaladdr`, `sock_getpeeraddr`) are declared only when the
 * including guest picks a layout first:
 *
 *   #define WS_PLAIN_V1   plain names with V1 signatures (ws_accept_v1, ws_recv_from_v1, ...)
 *   #define WS_PLAIN_V2   plain names with V2 signatures (ws_recv_from_p2, ...)
 *
 * The explicit `*_v2` names are always declared (ws_*_v2); a guest that defines WS_PLAIN_V1
 * and uses them mixes V1 and V2 functions in one module, as current guest libraries do.
 * Nothing is imported unless it is called: clang drops unused declarations. */
#ifndef CAPWASI_WASMEDGE_SOCK_H
#define CAPWASI_WASMEDGE_SOCK_H

#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#include "check.h"

#define WS_IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

/* Constants (SOCKETS.md "Constants"). */
enum { WS_INET4 = 1, WS_INET6 = 2, WS_UNIX = 3 };
enum { WS_DGRAM = 1, WS_STREAM = 2 };
enum { WS_SOL_SOCKET = 0, WS_IPPROTO_TCP = 6 };
enum {
    WS_SO_REUSEADDR = 0,
    WS_SO_TYPE = 1,
    WS_SO_ERROR = 2,
    WS_SO_DONTROUTE = 3,
    WS_SO_BROADCAST = 4,
    WS_SO_SNDBUF = 5,
    WS_SO_RCVBUF = 6,
    WS_SO_KEEPALIVE = 7,
    WS_SO_OOBINLINE = 8,
    WS_SO_LINGER = 9,
    WS_SO_RCVLOWAT = 10,
    WS_SO_RCVTIMEO = 11,
    WS_SO_SNDTIMEO = 12,
    WS_SO_ACCEPTCONN = 13,
    WS_SO_BINDTODEVICE = 14,
    WS_TCP_NODELAY = 15,
};
enum { WS_PEEK = 1, WS_WAITALL = 2 };
enum { WS_TRUNCATED = 1 };

/* The 8-byte address descriptor: a guest pointer and a length (SOCKETS.md "Address
 * descriptor"); the port travels separately. */
typedef struct {
    uint32_t buf;
    uint32_t buf_len;
} ws_addr_t;

/* --- Names whose V1 and V2 signatures are the same --- */
int32_t ws_sock_open(int32_t family, int32_t socktype, int32_t *ret_fd) WS_IMPORT("sock_open");
int32_t ws_sock_bind(int32_t fd, const ws_addr_t *addr, int32_t port) WS_IMPORT("sock_bind");
int32_t ws_sock_connect(int32_t fd, const ws_addr_t *addr, int32_t port)
    WS_IMPORT("sock_connect");
int32_t ws_sock_listen(int32_t fd, int32_t backlog) WS_IMPORT("sock_listen");
int32_t ws_sock_send_to(int32_t fd, const __wasi_ciovec_t *iovs, int32_t iovs_len,
                        const ws_addr_t *addr, int32_t port, int32_t siflags,
                        uint32_t *ret_nwritten) WS_IMPORT("sock_send_to");
int32_t ws_sock_getsockopt(int32_t fd, int32_t level, int32_t name, void *ret_val,
                           uint32_t *ret_len) WS_IMPORT("sock_getsockopt");
int32_t ws_sock_setsockopt(int32_t fd, int32_t level, int32_t name, const void *val,
                           int32_t val_len) WS_IMPORT("sock_setsockopt");
int32_t ws_sock_getaddrinfo(const char *node, int32_t node_len, const char *svc,
                            int32_t svc_len, const void *hints, uint32_t *res_ptrptr,
                            int32_t max_res, uint32_t *ret_count) WS_IMPORT("sock_getaddrinfo");

/* --- The explicit V2 names --- */
int32_t ws_sock_open_v2(int32_t family, int32_t socktype, int32_t *ret_fd)
    WS_IMPORT("sock_open_v2");
int32_t ws_sock_bind_v2(int32_t fd, const ws_addr_t *addr, int32_t port)
    WS_IMPORT("sock_bind_v2");
int32_t ws_sock_connect_v2(int32_t fd, const ws_addr_t *addr, int32_t port)
    WS_IMPORT("sock_connect_v2");
int32_t ws_sock_listen_v2(int32_t fd, int32_t backlog) WS_IMPORT("sock_listen_v2");
int32_t ws_sock_accept_v2(int32_t fd, int32_t fdflags, int32_t *ret_fd)
    WS_IMPORT("sock_accept_v2");
int32_t ws_sock_recv_v2(int32_t fd, const __wasi_iovec_t *iovs, int32_t iovs_len,
                        int32_t riflags, uint32_t *ret_nread, uint16_t *ret_roflags)
    WS_IMPORT("sock_recv_v2");
int32_t ws_sock_send_v2(int32_t fd, const __wasi_ciovec_t *iovs, int32_t iovs_len,
                        int32_t siflags, uint32_t *ret_nwritten) WS_IMPORT("sock_send_v2");
int32_t ws_sock_recv_from_v2(int32_t fd, const __wasi_iovec_t *iovs, int32_t iovs_len,
                             const ws_addr_t *addr, int32_t riflags, uint16_t *ret_port,
                             uint32_t *ret_nread, uint16_t *ret_roflags)
    WS_IMPORT("sock_recv_from_v2");
int32_t ws_sock_send_to_v2(int32_t fd, const __wasi_ciovec_t *iovs, int32_t iovs_len,
                           const ws_addr_t *addr, int32_t port, int32_t siflags,
                           uint32_t *ret_nwritten) WS_IMPORT("sock_send_to_v2");
int32_t ws_sock_getlocaladdr_v2(int32_t fd, const ws_addr_t *addr, uint32_t *ret_port)
    WS_IMPORT("sock_getlocaladdr_v2");
int32_t ws_sock_getpeeraddr_v2(int32_t fd, const ws_addr_t *addr, uint32_t *ret_port)
    WS_IMPORT("sock_getpeeraddr_v2");

/* --- Plain names, V1 signatures --- */
#ifdef WS_PLAIN_V1
int32_t ws_sock_accept_v1(int32_t fd, int32_t *ret_fd) WS_IMPORT("sock_accept");
int32_t ws_sock_recv_from_v1(int32_t fd, const __wasi_iovec_t *iovs, int32_t iovs_len,
                             const ws_addr_t *addr, int32_t riflags, uint32_t *ret_nread,
                             uint16_t *ret_roflags) WS_IMPORT("sock_recv_from");
int32_t ws_sock_getlocaladdr_v1(int32_t fd, const ws_addr_t *addr, uint32_t *ret_addrtype,
                                uint32_t *ret_port) WS_IMPORT("sock_getlocaladdr");
int32_t ws_sock_getpeeraddr_v1(int32_t fd, const ws_addr_t *addr, uint32_t *ret_addrtype,
                               uint32_t *ret_port) WS_IMPORT("sock_getpeeraddr");
#endif

/* --- Plain names, V2 signatures (sock_accept's is preview 1's own: __wasi_sock_accept) --- */
#ifdef WS_PLAIN_V2
int32_t ws_sock_recv_from_p2(int32_t fd, const __wasi_iovec_t *iovs, int32_t iovs_len,
                             const ws_addr_t *addr, int32_t riflags, uint16_t *ret_port,
                             uint32_t *ret_nread, uint16_t *ret_roflags)
    WS_IMPORT("sock_recv_from");
int32_t ws_sock_getlocaladdr_p2(int32_t fd, const ws_addr_t *addr, uint32_t *ret_port)
    WS_IMPORT("sock_getlocaladdr");
int32_t ws_sock_getpeeraddr_p2(int32_t fd, const ws_addr_t *addr, uint32_t *ret_port)
    WS_IMPORT("sock_getpeeraddr");
#endif

/* --- Helpers --- */

/* An input or output address buffer big enough for every layout, with its descriptor. */
typedef struct {
    uint8_t bytes[128];
    ws_addr_t desc;
} ws_sockaddr_t;

/* The V1 input form: 4 raw IPv4 or 16 raw IPv6 bytes. */
static inline ws_addr_t *ws_v1_addr(ws_sockaddr_t *a, const uint8_t *ip, uint32_t len) {
    memset(a, 0, sizeof *a);
    memcpy(a->bytes, ip, len);
    a->desc.buf = (uint32_t)(uintptr_t)a->bytes;
    a->desc.buf_len = len;
    return &a->desc;
}

/* The 128-byte V2 form: u16 LE family at 0, then the address bytes (or a unix path + NUL). */
static inline ws_addr_t *ws_v2_addr(ws_sockaddr_t *a, uint16_t family, const void *data,
                                    uint32_t len) {
    memset(a, 0, sizeof *a);
    a->bytes[0] = (uint8_t)family;
    a->bytes[1] = (uint8_t)(family >> 8);
    if (len > sizeof a->bytes - 3) len = sizeof a->bytes - 3;
    memcpy(a->bytes + 2, data, len);
    a->desc.buf = (uint32_t)(uintptr_t)a->bytes;
    a->desc.buf_len = 128;
    return &a->desc;
}

static inline ws_addr_t *ws_v2_unix(ws_sockaddr_t *a, const char *path) {
    return ws_v2_addr(a, WS_UNIX, path, (uint32_t)strlen(path));
}

/* An empty output buffer of `len` bytes (16 for V1, 128 for V2). */
static inline ws_addr_t *ws_out_addr(ws_sockaddr_t *a, uint32_t len) {
    memset(a, 0xee, sizeof a->bytes);
    a->desc.buf = (uint32_t)(uintptr_t)a->bytes;
    a->desc.buf_len = len;
    return &a->desc;
}

/* The family a V2 output buffer holds. */
static inline uint16_t ws_v2_family(const ws_sockaddr_t *a) {
    return (uint16_t)(a->bytes[0] | (a->bytes[1] << 8));
}

static const uint8_t WS_LOOPBACK4[4] = {127, 0, 0, 1};
static const uint8_t WS_LOOPBACK6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* An input address for `family` on loopback (inet) or at `path` (unix), in the V2 form when
 * `v2` or for unix, else V1's raw bytes. */
static inline ws_addr_t *ws_loopback(ws_sockaddr_t *a, int family, int v2, const char *path) {
    if (family == WS_UNIX) return ws_v2_unix(a, path);
    const uint8_t *ip = family == WS_INET4 ? WS_LOOPBACK4 : WS_LOOPBACK6;
    uint32_t len = family == WS_INET4 ? 4 : 16;
    return v2 ? ws_v2_addr(a, (uint16_t)family, ip, len) : ws_v1_addr(a, ip, len);
}

/* A 32-bit option value set then read back. */
static inline int32_t ws_set_int(int32_t fd, int32_t level, int32_t name, int32_t v) {
    return ws_sock_setsockopt(fd, level, name, &v, sizeof v);
}

static inline int32_t ws_get_int(int32_t fd, int32_t level, int32_t name, int32_t *v) {
    uint32_t len = sizeof *v;
    int32_t e = ws_sock_getsockopt(fd, level, name, v, &len);
    if (e == 0 && len != sizeof *v) return -1;
    return e;
}

/* SO_RCVTIMEO/SO_SNDTIMEO values: wasi-libc's `struct timeval` (i64 seconds, i64
 * microseconds, 16 bytes LE). Test guests set both on every blocking socket so a broken host
 * fails a test instead of hanging it. */
typedef struct {
    int64_t sec;
    int64_t usec;
} ws_timeout_t;

static inline int32_t ws_set_timeouts(int32_t fd, int64_t sec) {
    ws_timeout_t t = {sec, 0};
    int32_t e = ws_sock_setsockopt(fd, WS_SOL_SOCKET, WS_SO_RCVTIMEO, &t, sizeof t);
    if (e) return e;
    return ws_sock_setsockopt(fd, WS_SOL_SOCKET, WS_SO_SNDTIMEO, &t, sizeof t);
}

/* Whole-buffer send and receive on a connected stream (preview 1 sock_send/sock_recv). */
static inline int32_t ws_send_all(int32_t fd, const void *data, uint32_t len) {
    const uint8_t *p = data;
    while (len) {
        __wasi_ciovec_t iov = {p, len};
        __wasi_size_t n = 0;
        int32_t e = __wasi_sock_send(fd, &iov, 1, 0, &n);
        if (e) return e;
        if (n == 0) return __WASI_ERRNO_IO;
        p += n;
        len -= n;
    }
    return 0;
}

/* Receives exactly `len` bytes unless the peer closes first; *got says how many arrived. */
static inline int32_t ws_recv_exact(int32_t fd, void *data, uint32_t len, uint32_t *got) {
    uint8_t *p = data;
    *got = 0;
    while (*got < len) {
        __wasi_iovec_t iov = {p + *got, len - *got};
        __wasi_size_t n = 0;
        __wasi_roflags_t ro = 0;
        int32_t e = __wasi_sock_recv(fd, &iov, 1, 0, &n, &ro);
        if (e) return e;
        if (n == 0) break;
        *got += n;
    }
    return 0;
}

#endif
