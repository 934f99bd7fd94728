/* An ordinary wasi-libc program: stdio streams, directories, stat, rename, unlink, mkdir and
 * symlinks under the directory named by argv[1] (a preopen). tests/libc_program.rs runs it with
 * the real `wasirun --dir HOST::/data` and compares its stdout exactly, so every line here is
 * deterministic: names are sorted, errno values are printed by name. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

/* root + "/" + rel, in a rotating set of buffers so a call can take two paths. */
static const char *at(const char *rel) {
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
    return b;
}

static const char *errname(int e) {
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    default: return "other";
    }
}

/* Prints "what: ok" or "what: ERRNO" for a call returning 0 / -1. */
static void report(const char *what, int rc) {
    printf("%s: %s\n", what, errname(rc == 0 ? 0 : errno));
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted names in `dir` (without "." and ".."), with a type letter each. */
static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("opendir: %s\n", errname(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *s = malloc(strlen(e->d_name) + 3);
        if (!s) break;
        char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_LNK ? 'l' : e->d_type == DT_REG ? 'f' : '?';
        sprintf(s, "%s:%c", e->d_name, t);
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("list:");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: libc_files DIR\n");
        return 2;
    }
    snprintf(root, sizeof root, "%s", argv[1]);

    /* Read what the host put there. */
    FILE *in = fopen(at("input.txt"), "r");
    char line[128];
    if (!in) {
        printf("open input: %s\n", errname(errno));
    } else {
        while (fgets(line, sizeof line, in)) printf("input: %s", line);
        fclose(in);
    }

    report("mkdir out", mkdir(at("out"), 0755));
    report("mkdir out again", mkdir(at("out"), 0755));

    FILE *f = fopen(at("out/notes.txt"), "w");
    if (!f) {
        printf("fopen w: %s\n", errname(errno));
        return 1;
    }
    fprintf(f, "line %d: %s\n", 1, "hello");
    fprintf(f, "line %d: %d\n", 2, 6 * 7);
    fclose(f);
    f = fopen(at("out/notes.txt"), "a");
    if (f) {
        fputs("line 3: appended\n", f);
        fclose(f);
    }

    f = fopen(at("out/notes.txt"), "r");
    if (f) {
        while (fgets(line, sizeof line, f)) printf("read: %s", line);
        fclose(f);
    }

    struct stat st;
    if (stat(at("out/notes.txt"), &st) == 0)
        printf("stat: size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);

    report("rename", rename(at("out/notes.txt"), at("out/renamed.txt")));
    report("stat old name", stat(at("out/notes.txt"), &st));
    report("symlink", symlink("renamed.txt", at("out/link")));
    char target[64] = {0};
    ssize_t n = readlink(at("out/link"), target, sizeof target - 1);
    printf("readlink: %s\n", n >= 0 ? target : errname(errno));
    if (stat(at("out/link"), &st) == 0) printf("stat via link: size=%lld\n", (long long)st.st_size);
    if (lstat(at("out/link"), &st) == 0) printf("lstat link: symlink=%d\n", S_ISLNK(st.st_mode) ? 1 : 0);
    report("mkdir out/sub", mkdir(at("out/sub"), 0755));
    list(at("out"));

    report("unlink dir", unlink(at("out/sub")));
    report("rmdir non-empty", rmdir(at("out")));
    report("unlink link", unlink(at("out/link")));
    report("rmdir sub", rmdir(at("out/sub")));
    report("unlink missing", unlink(at("out/missing")));
    list(at("out"));

    /* Nothing outside the preopen is reachable, by absolute path or by "..". */
    FILE *esc = fopen(at("../escape.txt"), "w");
    printf("escape via ..: %s\n", esc ? "OPENED" : "refused");
    FILE *abs = fopen("/etc/passwd", "r");
    printf("absolute outside: %s\n", abs ? "OPENED" : "refused");
    printf("done\n");
    return 0;
}
