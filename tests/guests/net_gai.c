/* sock_getaddrinfo of "localhost" with hints, into a chain of result nodes the guest
 * pre-allocated (SOCKETS.md "getaddrinfo layout"): family and socket-type filters, the
 * service's port big-endian in the sockaddr data, max_res honoured (nodes past it untouched),
 * the count written, CANONNAME, a trailing NUL on node and service (a known guest quirk). */
#include "wasmedge_sock.h"

typedef struct {
    uint16_t flags;
    uint8_t family;
    uint8_t socktype;
    uint32_t protocol;
    uint32_t addrlen;
    uint32_t addr;
    uint32_t canonname;
    uint32_t canonname_len;
    uint32_t next;
} ws_addrinfo_t;
_Static_assert(sizeof(ws_addrinfo_t) == 28, "SOCKETS.md node size");

typedef struct {
    uint8_t family;
    uint8_t pad[3];
    uint32_t data_len;
    uint32_t data;
} ws_gai_sockaddr_t;
_Static_assert(sizeof(ws_gai_sockaddr_t) == 12, "SOCKETS.md sockaddr size");

#define NODES 8
static ws_addrinfo_t nodes[NODES];
static ws_gai_sockaddr_t addrs[NODES];
static uint8_t data[NODES][26];
static char canon[NODES][64];

/* Links the chain afresh and poisons every field the host should fill. */
static uint32_t *reset(void) {
    static uint32_t head;
    for (int i = 0; i < NODES; i++) {
        memset(&nodes[i], 0xee, sizeof nodes[i]);
        memset(data[i], 0xee, sizeof data[i]);
        memset(canon[i], 0, sizeof canon[i]);
        addrs[i].family = 0xee;
        addrs[i].data_len = sizeof data[i];
        addrs[i].data = (uint32_t)(uintptr_t)data[i];
        nodes[i].addr = (uint32_t)(uintptr_t)&addrs[i];
        nodes[i].addrlen = sizeof addrs[i];
        nodes[i].canonname = (uint32_t)(uintptr_t)canon[i];
        nodes[i].canonname_len = sizeof canon[i];
        nodes[i].next = i + 1 < NODES ? (uint32_t)(uintptr_t)&nodes[i + 1] : 0;
    }
    head = (uint32_t)(uintptr_t)&nodes[0];
    return &head;
}

static ws_addrinfo_t hints(uint16_t flags, uint8_t family, uint8_t socktype, uint32_t proto) {
    ws_addrinfo_t h;
    memset(&h, 0, sizeof h);
    h.flags = flags;
    h.family = family;
    h.socktype = socktype;
    h.protocol = proto;
    return h;
}

static uint16_t port_of(int i) { return (uint16_t)(data[i][0] << 8 | data[i][1]); }

static int gai(const char *node, int node_len, const char *svc, int svc_len,
               const ws_addrinfo_t *h, int max, uint32_t *count) {
    *count = 0xdeadbeef;
    return ws_sock_getaddrinfo(node, node_len, svc, svc_len, h, reset(), max, count);
}

int main(void) {
    uint32_t count;

    /* IPv4 stream on port 80: only 127.x.x.x entries for TCP. */
    ws_addrinfo_t h = hints(0, WS_INET4, WS_STREAM, 0);
    CHECK_OK(gai("localhost", 9, "80", 2, &h, NODES, &count));
    CHECK(count >= 1 && count <= NODES);
    int good = 0;
    for (uint32_t i = 0; i < count && i < NODES; i++) {
        good += nodes[i].family == WS_INET4 && nodes[i].socktype == WS_STREAM &&
                nodes[i].protocol == 1 && addrs[i].family == WS_INET4 && port_of(i) == 80 &&
                data[i][2] == 127;
    }
    CHECK(good == (int)count);
    printf("localhost inet4 stream: %u result(s), first %u.%u.%u.%u port %u\n", count,
           data[0][2], data[0][3], data[0][4], data[0][5], port_of(0));

    /* Any socket type: both a datagram (UDP) and a stream (TCP) entry. */
    h = hints(0, WS_INET4, 0, 0);
    CHECK_OK(gai("localhost", 9, "53", 2, &h, NODES, &count));
    int dgram = 0, stream = 0;
    for (uint32_t i = 0; i < count && i < NODES; i++) {
        dgram += nodes[i].socktype == WS_DGRAM && nodes[i].protocol == 2;
        stream += nodes[i].socktype == WS_STREAM && nodes[i].protocol == 1;
    }
    CHECK(dgram >= 1 && stream >= 1);
    uint32_t all = count;

    /* max_res 1: one node filled, the rest of the chain untouched. */
    CHECK_OK(gai("localhost", 9, "53", 2, &h, 1, &count));
    CHECK(count == 1 && all > 1);
    CHECK(nodes[0].family == WS_INET4);
    CHECK(nodes[1].family == 0xee && addrs[1].family == 0xee && data[1][0] == 0xee);

    /* Datagram only, by protocol (UDP) alone. */
    h = hints(0, WS_INET4, 0, 2);
    CHECK_OK(gai("localhost", 9, "53", 2, &h, NODES, &count));
    int udp_only = count >= 1;
    for (uint32_t i = 0; i < count && i < NODES; i++) udp_only &= nodes[i].socktype == WS_DGRAM;
    CHECK(udp_only);

    /* The guest quirk: node and service lengths that count a trailing NUL. */
    h = hints(2 /* CANONNAME */, WS_INET4, WS_STREAM, 0);
    CHECK_OK(gai("localhost\0", 10, "8080\0", 5, &h, NODES, &count));
    CHECK(count >= 1 && port_of(0) == 8080);
    /* CANONNAME fills the first node's name. */
    CHECK(strcmp(canon[0], "localhost") == 0);

    /* The guest quirk: sockaddr data declared 14 bytes (26 allocated). An IPv4 result (6
     * bytes) fits; nothing is written past what was declared. */
    h = hints(0, WS_INET4, WS_STREAM, 0);
    reset();
    for (int i = 0; i < NODES; i++) addrs[i].data_len = 14;
    {
        uint32_t head = (uint32_t)(uintptr_t)&nodes[0];
        count = 0;
        CHECK_OK(ws_sock_getaddrinfo("localhost", 9, "443", 3, &h, &head, NODES, &count));
    }
    CHECK(count >= 1 && port_of(0) == 443 && data[0][2] == 127);
    CHECK(data[0][14] == 0xee && data[0][25] == 0xee);

    /* IPv6: if this host resolves localhost to ::1 at all, every result is inet6. */
    h = hints(0, WS_INET6, WS_STREAM, 0);
    int e = gai("localhost", 9, "80", 2, &h, NODES, &count);
    if (e == 0) {
        int v6 = count >= 1;
        for (uint32_t i = 0; i < count && i < NODES; i++)
            v6 &= nodes[i].family == WS_INET6 && addrs[i].family == WS_INET6;
        CHECK(v6);
        printf("localhost inet6: %u result(s)\n", count);
    } else {
        printf("localhost inet6: errno %d (no ::1 entry for localhost on this host)\n", e);
        CHECK(e == __WASI_ERRNO_NOENT || e == __WASI_ERRNO_AFNOSUPPORT);
    }

    /* Numeric host and service need no lookup; a named service is refused. */
    h = hints(4 /* NUMERICHOST */, WS_INET4, WS_STREAM, 0);
    CHECK_OK(gai("127.0.0.1", 9, "7", 1, &h, NODES, &count));
    CHECK(count == 1 && port_of(0) == 7 && data[0][2] == 127 && data[0][5] == 1);
    CHECK_ERRNO(gai("localhost", 9, "80", 2, &h, NODES, &count), __WASI_ERRNO_INVAL);
    /* Bad hints. */
    h = hints(0, 9, 0, 0);
    CHECK_ERRNO(gai("localhost", 9, "80", 2, &h, NODES, &count), __WASI_ERRNO_AFNOSUPPORT);
    h = hints(0, WS_INET4, WS_DGRAM, 1);
    CHECK_ERRNO(gai("localhost", 9, "80", 2, &h, NODES, &count), __WASI_ERRNO_PROTONOSUPPORT);
    return finish();
}
