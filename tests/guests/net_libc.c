/* An ordinary wasi-libc program using the sockets the host preopened (wasirun --listen and
 * --dial) with plain POSIX calls, next to a preopened directory:
 *
 *   net_libc LISTEN_FD DIAL_FD FILE
 *
 * - reads FILE (inside a --dir preopen) with stdio;
 * - on DIAL_FD (a connected socket): send()s "hello from the guest\n", recv()s one line back;
 * - on LISTEN_FD: accept()s one client, read()s one line, write()s "you said: LINE" followed
 *   by FILE's contents, shuts down and closes.
 * Prints what it saw; exits 1 on any failure (with strerror). wasi-libc's start-up scan of
 * preopens must have skipped both sockets for main to run at all. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what) {
    printf("FAIL %s: %s\n", what, strerror(errno));
    return 1;
}

/* Reads up to and including the first '\n' (or until EOF / the buffer is full). */
static ssize_t read_line(int fd, char *buf, size_t cap, int use_recv) {
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = use_recv ? recv(fd, buf + len, 1, 0) : read(fd, buf + len, 1);
        if (n < 0) return -1;
        if (n == 0) break;
        len += (size_t)n;
        if (buf[len - 1] == '\n') break;
    }
    buf[len] = 0;
    return (ssize_t)len;
}

static int write_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        printf("usage: net_libc LISTEN_FD DIAL_FD FILE\n");
        return 2;
    }
    int lfd = atoi(argv[1]), dfd = atoi(argv[2]);

    char file[256];
    FILE *f = fopen(argv[3], "r");
    if (!f) return fail("fopen");
    size_t flen = fread(file, 1, sizeof file - 1, f);
    file[flen] = 0;
    fclose(f);
    printf("file: %zu bytes\n", flen);

    struct stat st;
    if (fstat(lfd, &st) || fstat(dfd, &st)) return fail("fstat");
    if (!S_ISSOCK(st.st_mode)) {
        printf("FAIL the dialed fd is not a socket\n");
        return 1;
    }

    const char *hello = "hello from the guest\n";
    if (send(dfd, hello, strlen(hello), 0) != (ssize_t)strlen(hello)) return fail("send");
    char line[128];
    if (read_line(dfd, line, sizeof line, 1) < 0) return fail("recv");
    printf("dial reply: %s", line);

    int c = accept(lfd, NULL, NULL);
    if (c < 0) return fail("accept");
    if (read_line(c, line, sizeof line, 0) < 0) return fail("read");
    printf("client said: %s", line);
    char reply[512];
    int n = snprintf(reply, sizeof reply, "you said: %s%s", line, file);
    if (write_all(c, reply, (size_t)n)) return fail("write");
    if (shutdown(c, SHUT_WR)) return fail("shutdown");
    if (close(c)) return fail("close");
    /* accept on the dialed (not listening) socket is refused, not a crash. */
    if (accept(dfd, NULL, NULL) >= 0) {
        printf("FAIL accept on the dialed socket succeeded\n");
        return 1;
    }
    printf("accept on the dialed socket: %s\n", strerror(errno));
    printf("done\n");
    return 0;
}
