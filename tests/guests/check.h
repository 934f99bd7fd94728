/* Tiny assertion helpers shared by the C test guests.
 *
 * Each check prints one line, "ok <what>" or "FAIL <what>: ...", so a failing Rust test shows
 * exactly which guest-side expectation broke. `finish()` exits 1 if any check failed. Guests
 * call the raw preview 1 functions from <wasi/api.h> (`__wasi_*`, which return the errno) when
 * they test a call's errno, and wasi-libc's POSIX layer when they test what programs see. */
#ifndef CAPWASI_CHECK_H
#define CAPWASI_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int check_failures;

/* Expect a raw WASI call to return `want` (an __WASI_ERRNO_* value). */
#define CHECK_ERRNO(call, want)                                                          \
    do {                                                                                  \
        __wasi_errno_t got_ = (call);                                                     \
        if (got_ == (want)) {                                                             \
            printf("ok %s\n", #call);                                                     \
        } else {                                                                          \
            printf("FAIL %s: errno %d, want %d (line %d)\n", #call, got_, (int)(want),      \
                   __LINE__);                                                             \
            check_failures++;                                                             \
        }                                                                                 \
    } while (0)

#define CHECK_OK(call) CHECK_ERRNO(call, __WASI_ERRNO_SUCCESS)

/* Expect a condition to hold. */
#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (cond) {                                                                       \
            printf("ok %s\n", #cond);                                                     \
        } else {                                                                          \
            printf("FAIL %s (line %d)\n", #cond, __LINE__);                               \
            check_failures++;                                                             \
        }                                                                                 \
    } while (0)

static inline int finish(void) {
    fflush(stdout);
    return check_failures ? 1 : 0;
}

#endif
