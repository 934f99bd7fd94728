/* ls: list directory trees with sizes and show the text files in them.
 *
 * The example guest for `wasirun`. Usage: ls [DIR...] (default ".").
 *
 *   wasirun --dir examples/data::/data examples/ls.wasm /data
 *
 * It sees only what wasirun preopens: try a path outside /data and the open fails.
 * Build (scripts/build-guests.sh does this for every guest, with these flags):
 *   clang --target=wasm32-wasi -O2 -Wall -Werror examples/ls.c -o examples/ls.wasm */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Show at most this much of each text file. */
#define SHOW_BYTES 4096

static int failed;

static void complain(const char *path) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
    failed = 1;
}

static void indent(int depth) {
    for (int i = 0; i < depth; i++) fputs("  ", stdout);
}

/* Text if it has no NUL bytes and no control characters other than tab, newline, CR. */
static int is_text(const unsigned char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return 0;
        if (c == 0x7f) return 0;
    }
    return 1;
}

static void show_file(const char *path, off_t size, int depth) {
    static unsigned char buf[SHOW_BYTES];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        indent(depth);
        printf("(cannot open: %s)\n", strerror(errno));
        failed = 1;
        return;
    }
    size_t len = 0;
    while (len < sizeof buf) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0) {
            complain(path);
            break;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    if (len == 0 || !is_text(buf, len)) return;
    /* One "| " prefixed line per line of the file. */
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\n') {
            if (i == len && i == start) break; /* no empty line after a final newline */
            indent(depth);
            if (i == start)
                puts("|"); /* no trailing space on an empty line */
            else
                printf("| %.*s\n", (int)(i - start), (const char *)buf + start);
            start = i + 1;
        }
    }
    if ((off_t)len < size) {
        indent(depth);
        printf("| ... (%lld more bytes)\n", (long long)(size - (off_t)len));
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path, int depth);

static void list_dir(const char *path, int depth) {
    DIR *dir = opendir(path);
    if (!dir) {
        complain(path);
        return;
    }
    /* Read all names first so the listing is sorted (readdir order is the filesystem's). */
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                complain(path);
                break;
            }
            names = grown;
        }
        names[count] = strdup(entry->d_name);
        if (!names[count]) {
            complain(path);
            break;
        }
        count++;
    }
    closedir(dir);
    qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(path) + 1 + strlen(names[i]) + 1;
        char *child = malloc(len);
        if (child) {
            snprintf(child, len, "%s/%s", path, names[i]);
            list(child, depth);
            free(child);
        } else {
            complain(path);
        }
        free(names[i]);
    }
    free(names);
}

/* One line for `path`, then its contents: a directory's entries or a text file's lines. */
static void list(const char *path, int depth) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        complain(path);
        return;
    }
    const char *name = depth == 0 ? path : strrchr(path, '/') + 1;
    indent(depth);
    if (S_ISDIR(st.st_mode)) {
        printf("%s/\n", name);
        list_dir(path, depth + 1);
    } else if (S_ISLNK(st.st_mode)) {
        char target[1024];
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = '\0';
        printf("%s -> %s\n", name, target);
    } else if (S_ISREG(st.st_mode)) {
        printf("%s (%lld bytes)\n", name, (long long)st.st_size);
        show_file(path, st.st_size, depth + 1);
    } else {
        printf("%s (special file)\n", name);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        list(".", 0);
    } else {
        for (int i = 1; i < argc; i++) list(argv[i], 0);
    }
    return failed;
}
