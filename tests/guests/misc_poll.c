/* poll_oneoff: clocks (relative, absolute, in the past, several at once), fd_read on a regular
 * file and on stdin (ready at once, nbytes = bytes left), fd_write on stdout, a bad fd (an
 * EBADF *event*, the call succeeds), and nsubscriptions 0 (EINVAL).
 *
 * fd 3 = a preopen holding `data` (10 bytes, "0123456789"); stdin holds "poll-stdin". */
#include "check.h"

#define MS 1000000ull

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    if (__wasi_clock_time_get(id, 0, &t) != 0) return 0;
    return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, int abstime) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = abstime ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type,
                                    __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    if (type == __WASI_EVENTTYPE_FD_READ)
        s.u.u.fd_read.file_descriptor = fd;
    else
        s.u.u.fd_write.file_descriptor = fd;
    return s;
}

/* The event for `ud` among the first n, or NULL. */
static const __wasi_event_t *find(const __wasi_event_t *ev, __wasi_size_t n, __wasi_userdata_t ud) {
    for (__wasi_size_t i = 0; i < n; i++)
        if (ev[i].userdata == ud) return &ev[i];
    return NULL;
}

int main(void) {
    __wasi_subscription_t subs[4];
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0, dt;
    const __wasi_event_t *e;

    /* A relative 50 ms sleep lasts at least 50 ms. */
    subs[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 50 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("relative 50ms slept %llu ns\n", (unsigned long long)dt);
    CHECK(dt >= 50 * MS);
    CHECK(dt < 5000 * MS);
    CHECK(n == 1 && ev[0].userdata == 11 && ev[0].error == 0 &&
          ev[0].type == __WASI_EVENTTYPE_CLOCK);

    /* Realtime, relative. */
    subs[0] = clock_sub(12, __WASI_CLOCKID_REALTIME, 20 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
    CHECK(dt >= 20 * MS && dt < 5000 * MS);
    CHECK(n == 1 && ev[0].userdata == 12 && ev[0].error == 0);

    /* Absolute monotonic deadline 30 ms ahead: waits until then. */
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(13, __WASI_CLOCKID_MONOTONIC, t0 + 30 * MS, 1);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(now(__WASI_CLOCKID_MONOTONIC) >= t0 + 30 * MS);
    CHECK(n == 1 && ev[0].userdata == 13 && ev[0].error == 0);

    /* Absolute deadlines in the past return at once (no hang, no negative timeout). */
    const __wasi_timestamp_t past[] = {1, 0, now(__WASI_CLOCKID_MONOTONIC) - 1};
    for (int i = 0; i < 3; i++) {
        subs[0] = clock_sub(14, __WASI_CLOCKID_MONOTONIC, past[i], 1);
        t0 = now(__WASI_CLOCKID_MONOTONIC);
        CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
        dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
        printf("past deadline %d returned after %llu ns\n", i, (unsigned long long)dt);
        CHECK(dt < 500 * MS);
        CHECK(n == 1 && ev[0].userdata == 14 && ev[0].error == 0);
    }
    subs[0] = clock_sub(15, __WASI_CLOCKID_REALTIME, 1, 1);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(now(__WASI_CLOCKID_MONOTONIC) - t0 < 500 * MS);
    CHECK(n == 1 && ev[0].userdata == 15);
    /* A zero relative timeout is an immediate wake-up too. */
    subs[0] = clock_sub(16, __WASI_CLOCKID_MONOTONIC, 0, 0);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 16);

    /* Several clocks at once: wakes at the earliest; the 10 s one has not fired. */
    subs[0] = clock_sub(21, __WASI_CLOCKID_MONOTONIC, 40 * MS, 0);
    subs[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
    subs[2] = clock_sub(23, __WASI_CLOCKID_MONOTONIC, 10000 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 3, &n));
    dt = now(__WASI_CLOCKID_MONOTONIC) - t0;
    printf("three clocks: %u events after %llu ns\n", (unsigned)n, (unsigned long long)dt);
    CHECK(dt >= 10 * MS && dt < 5000 * MS);
    CHECK(n >= 1 && n <= 2);
    CHECK(find(ev, n, 22) != NULL);
    CHECK(find(ev, n, 23) == NULL);

    /* fd_read on a regular file: ready at once, nbytes = bytes left after the offset. */
    __wasi_fd_t f;
    CHECK_OK(__wasi_path_open(3, 0, "data", 0,
                              __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                  __WASI_RIGHTS_POLL_FD_READWRITE,
                              0, 0, &f));
    __wasi_filesize_t pos;
    CHECK_OK(__wasi_fd_seek(f, 3, __WASI_WHENCE_SET, &pos));
    subs[0] = fd_sub(31, __WASI_EVENTTYPE_FD_READ, f);
    subs[1] = clock_sub(32, __WASI_CLOCKID_MONOTONIC, 10000 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 2, &n));
    CHECK(now(__WASI_CLOCKID_MONOTONIC) - t0 < 1000 * MS);
    e = find(ev, n, 31);
    CHECK(n == 1 && e != NULL);
    if (e) {
        printf("file fd_read nbytes %llu\n", (unsigned long long)e->fd_readwrite.nbytes);
        CHECK(e->error == 0 && e->type == __WASI_EVENTTYPE_FD_READ);
        CHECK(e->fd_readwrite.nbytes == 7);
    }

    /* fd_read on stdin (a regular file under the harness): ready, nbytes = all of it. */
    subs[0] = fd_sub(41, __WASI_EVENTTYPE_FD_READ, 0);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 41 && ev[0].error == 0 &&
          ev[0].type == __WASI_EVENTTYPE_FD_READ);
    printf("stdin fd_read nbytes %llu\n", (unsigned long long)ev[0].fd_readwrite.nbytes);
    CHECK(ev[0].fd_readwrite.nbytes == 10);

    /* fd_write on stdout: ready. */
    subs[0] = fd_sub(51, __WASI_EVENTTYPE_FD_WRITE, 1);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 51 && ev[0].error == 0 &&
          ev[0].type == __WASI_EVENTTYPE_FD_WRITE);

    /* A bad fd is an error event; the call succeeds and does not wait for the clock. */
    subs[0] = fd_sub(61, __WASI_EVENTTYPE_FD_READ, 77);
    subs[1] = clock_sub(62, __WASI_CLOCKID_MONOTONIC, 10000 * MS, 0);
    subs[2] = fd_sub(63, __WASI_EVENTTYPE_FD_WRITE, 0x7fffffff);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 3, &n));
    CHECK(now(__WASI_CLOCKID_MONOTONIC) - t0 < 1000 * MS);
    e = find(ev, n, 61);
    CHECK(e != NULL && e->error == __WASI_ERRNO_BADF && e->type == __WASI_EVENTTYPE_FD_READ);
    e = find(ev, n, 63);
    CHECK(e != NULL && e->error == __WASI_ERRNO_BADF && e->type == __WASI_EVENTTYPE_FD_WRITE);
    CHECK(find(ev, n, 62) == NULL);

    /* An fd without the poll right: an ENOTCAPABLE event. */
    __wasi_fd_t g;
    CHECK_OK(__wasi_path_open(3, 0, "data", 0, __WASI_RIGHTS_FD_READ, 0, 0, &g));
    subs[0] = fd_sub(71, __WASI_EVENTTYPE_FD_READ, g);
    CHECK_OK(__wasi_poll_oneoff(subs, ev, 1, &n));
    CHECK(n == 1 && ev[0].userdata == 71 && ev[0].error == __WASI_ERRNO_NOTCAPABLE);

    /* No subscriptions: EINVAL, not a wait forever. */
    CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL);
    return finish();
}
