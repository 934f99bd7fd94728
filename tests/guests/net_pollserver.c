/* A single-threaded, poll_oneoff-driven echo server: one non-blocking listener and every
 * accepted connection in one subscription set; echoes what each client sends until it closes.
 *
 *   net_pollserver CLIENTS
 *
 * Binds 127.0.0.1 port 0, prints "port N", serves CLIENTS connections (the test connects them
 * all at once), prints "served C clients, B bytes, max M open at once" and exits. A 10 s clock
 * subscription is a watchdog: if nothing happens for that long the guest fails. */
#include "wasmedge_sock.h"

#define MAX_CLIENTS 256
#define SEC 1000000000ull

static int32_t conns[MAX_CLIENTS];
static int nconns;
static __wasi_subscription_t subs[MAX_CLIENTS + 2];
static __wasi_event_t events[MAX_CLIENTS + 2];
static uint8_t buf[4096];

/* Sends all of buf[..len] on a non-blocking socket, polling for writability on EAGAIN. */
static int send_all_nb(int32_t fd, const uint8_t *p, uint32_t len) {
    while (len) {
        __wasi_ciovec_t iov = {p, len};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_sock_send(fd, &iov, 1, 0, &n);
        if (e == __WASI_ERRNO_AGAIN) {
            __wasi_subscription_t w;
            __wasi_event_t ev;
            __wasi_size_t ne = 0;
            memset(&w, 0, sizeof w);
            w.u.tag = __WASI_EVENTTYPE_FD_WRITE;
            w.u.u.fd_write.file_descriptor = fd;
            if (__wasi_poll_oneoff(&w, &ev, 1, &ne)) return -1;
            continue;
        }
        if (e) return e;
        p += n;
        len -= n;
    }
    return 0;
}

int main(int argc, char **argv) {
    int want = argc > 1 ? atoi(argv[1]) : 1;
    if (want < 1 || want > MAX_CLIENTS) return 2;
    ws_sockaddr_t a;
    int32_t l = -1;
    CHECK_OK(ws_sock_open(WS_INET4, WS_STREAM, &l));
    CHECK_OK(ws_sock_bind(l, ws_v1_addr(&a, WS_LOOPBACK4, 4), 0));
    CHECK_OK(ws_sock_listen(l, MAX_CLIENTS));
    CHECK_OK(__wasi_fd_fdstat_set_flags(l, __WASI_FDFLAGS_NONBLOCK));
    ws_sockaddr_t out;
    uint32_t port = 0;
    CHECK_OK(ws_sock_getlocaladdr_v2(l, ws_out_addr(&out, 128), &port));
    printf("port %u\n", (unsigned)port);
    fflush(stdout);

    int served = 0, accepted = 0, max_open = 0, polls = 0;
    uint64_t bytes = 0;
    while (served < want) {
        /* userdata: 0 = the listener, 1 = the watchdog, 2 + i = conns[i]. */
        int ns = 0;
        memset(subs, 0, sizeof subs);
        if (accepted < want) {
            subs[ns].userdata = 0;
            subs[ns].u.tag = __WASI_EVENTTYPE_FD_READ;
            subs[ns].u.u.fd_read.file_descriptor = l;
            ns++;
        }
        subs[ns].userdata = 1;
        subs[ns].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[ns].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[ns].u.u.clock.timeout = 10 * SEC;
        ns++;
        for (int i = 0; i < nconns; i++) {
            subs[ns].userdata = 2 + (uint64_t)i;
            subs[ns].u.tag = __WASI_EVENTTYPE_FD_READ;
            subs[ns].u.u.fd_read.file_descriptor = conns[i];
            ns++;
        }
        __wasi_size_t nev = 0;
        __wasi_errno_t e = __wasi_poll_oneoff(subs, events, ns, &nev);
        polls++;
        if (e) {
            printf("FAIL poll_oneoff: errno %d\n", e);
            check_failures++;
            break;
        }
        int timed_out = 0;
        /* Closed connections are marked -1 and compacted after the events are handled, so
         * the indexes in userdata stay valid for this round. */
        for (__wasi_size_t k = 0; k < nev; k++) {
            __wasi_event_t *ev = &events[k];
            if (ev->userdata == 1) {
                timed_out = 1;
            } else if (ev->userdata == 0) {
                /* Accept everything pending. */
                for (;;) {
                    int32_t c = -1;
                    e = __wasi_sock_accept(l, __WASI_FDFLAGS_NONBLOCK, &c);
                    if (e == __WASI_ERRNO_AGAIN) break;
                    if (e) {
                        printf("FAIL sock_accept: errno %d\n", e);
                        check_failures++;
                        break;
                    }
                    conns[nconns++] = c;
                    accepted++;
                    if (nconns > max_open) max_open = nconns;
                }
            } else {
                int i = (int)(ev->userdata - 2);
                int32_t c = conns[i];
                if (ev->error) {
                    printf("FAIL event on fd %d: errno %d\n", c, ev->error);
                    check_failures++;
                }
                __wasi_iovec_t io = {buf, sizeof buf};
                __wasi_size_t n = 0;
                __wasi_roflags_t ro = 0;
                e = __wasi_sock_recv(c, &io, 1, 0, &n, &ro);
                if (e == __WASI_ERRNO_AGAIN) continue;
                if (e == 0 && n > 0 && send_all_nb(c, buf, n) == 0) {
                    bytes += n;
                    continue;
                }
                if (e || n > 0) {
                    printf("FAIL recv/echo on fd %d: errno %d\n", c, e);
                    check_failures++;
                }
                CHECK_OK(__wasi_fd_close(c));
                conns[i] = -1;
                served++;
            }
        }
        int j = 0;
        for (int i = 0; i < nconns; i++)
            if (conns[i] >= 0) conns[j++] = conns[i];
        nconns = j;
        if (timed_out && nev == 1) {
            printf("FAIL watchdog: nothing happened for 10 s\n");
            check_failures++;
            break;
        }
    }
    printf("served %d clients, %llu bytes, max %d open at once\n", served,
           (unsigned long long)bytes, max_open);
    CHECK(served == want);
    CHECK(polls > 1);
    CHECK_OK(__wasi_fd_close(l));
    return finish();
}
