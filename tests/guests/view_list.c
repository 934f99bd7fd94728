/* Lists a tree the way the read-only view's walk does, for tests/fs_view.rs to compare: every
 * entry below argv[1] (default "/data"), recursively, one "path type size" line each, path
 * relative to the root, sorted bytewise. Types come from lstat (symlinks are not followed,
 * as the view's walk does not); a directory that cannot be listed prints "path ERROR errno". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINES 4096

static char *lines[MAX_LINES];
static size_t n_lines;

static void add(const char *s) {
    if (n_lines == MAX_LINES) {
        fprintf(stderr, "too many entries\n");
        exit(2);
    }
    lines[n_lines] = strdup(s);
    if (!lines[n_lines]) {
        exit(2);
    }
    n_lines++;
}

static const char *type_of(mode_t m) {
    if (S_ISDIR(m)) return "dir";
    if (S_ISREG(m)) return "file";
    if (S_ISLNK(m)) return "symlink";
    return "other";
}

/* root: the preopen; rel: the path below it ("" for the root itself). */
static void walk(const char *root, const char *rel) {
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir_path);
    char line[4400];
    if (!d) {
        snprintf(line, sizeof line, "%s ERROR %d", rel, errno);
        add(line);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[4096], full[4096];
        snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, child);
        struct stat st;
        if (lstat(full, &st) != 0) {
            snprintf(line, sizeof line, "%s ERROR %d", child, errno);
            add(line);
            continue;
        }
        snprintf(line, sizeof line, "%s %s %lld", child, type_of(st.st_mode),
                 (long long)st.st_size);
        add(line);
        if (S_ISDIR(st.st_mode)) walk(root, child);
    }
    closedir(d);
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "/data";
    walk(root, "");
    qsort(lines, n_lines, sizeof lines[0], cmp);
    for (size_t i = 0; i < n_lines; i++) puts(lines[i]);
    return 0;
}
