/* Every function of wasi:filesystem/types@0.2.12, called directly through the canonical ABI
 * (imports declared in wasi_p2_abi.h), each with a success case checked by value and its
 * error cases, plus the sandbox: escapes by `..`, absolute paths and symlinks pointing out are
 * `not-permitted`, every change through a read-only preopen is `read-only`.
 *
 * A preview 1 module whose extra imports are the 0.2 interfaces: tests/component_direct.rs
 * embeds the WIT world for them and wraps it with the preview 1 adapter (which serves
 * printf), then runs it with two preopens from get-directories, "/rw" (writable) and "/ro"
 * (read-only). Host tree (made by the test):
 *   rw/  f = "hello", ln -> f, sub/g = "g", full/x = "x", bin/<name 0xff, not UTF-8>,
 *        bin/badlink -> <target 0xff>,
 *        out -> ../outside, abs -> <absolute path of outside>
 *   ro/  r = "readonly", rln -> r, rsub/k = "k"
 *   outside/secret = "SECRET"
 * The test checks the host tree afterwards: outside/ and ro/ unchanged, rw/ as this leaves it.
 *
 * Each check prints one line: "ok <call> == <value>" (the value it expected and got) or
 * "FAIL <call> == <got>, want <want> (line N)"; the exit status is 1 if any check failed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_p2_abi.h"

/* The host allocates returned strings and lists here (CanonicalABI.md, "realloc"): a fresh
 * block for old_size 0, else a resize. malloc's 16-byte alignment covers every align the ABI
 * asks for (at most 8). An empty list gets a real 1-byte block too, so the guest can free
 * every pointer it is handed. */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *ptr, size_t old_size,
                                                                size_t align, size_t new_size) {
    (void)old_size;
    (void)align;
    void *p = realloc(ptr, new_size ? new_size : 1);
    if (!p)
        abort();
    return p;
}

/* wasm-ld wraps every export of a command module (one with _start) in a function that runs
 * the constructors before and the destructors after it, unless the program calls
 * __wasm_call_ctors itself. For cabi_realloc that would be fatal: the host calls it while
 * lowering a result, and the destructors flush stdout through the adapter, i.e. leave the
 * component instance in the middle of a call into it (a trap). So main runs the constructors
 * itself, which turns the wrapping off, and flushes stdout before it returns. */
extern void __wasm_call_ctors(void);

/* ---- checks ---- */

static int failures;

/* "ok" as a code: success of a call returning result<_, error-code>. */
#define OK (-1)

static const char *const CODE_NAMES[E_COUNT] = {
    "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota",
    "exist", "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted",
    "invalid", "io", "is-directory", "loop", "too-many-links", "message-size",
    "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory",
    "insufficient-space", "not-directory", "not-empty", "not-recoverable", "unsupported",
    "no-tty", "no-such-device", "overflow", "not-permitted", "pipe", "read-only",
    "invalid-seek", "text-file-busy", "cross-device",
};

static const char *code_name(int c) {
    if (c == OK)
        return "ok";
    if (c >= 0 && c < E_COUNT)
        return CODE_NAMES[c];
    return "<out of range>";
}

static const char *const TYPE_NAMES[] = {
    "unknown", "block-device", "character-device", "directory",
    "fifo",    "symbolic-link", "regular-file",    "socket",
};

static const char *type_name(int t) {
    return t >= 0 && t < 8 ? TYPE_NAMES[t] : "<out of range>";
}

/* descriptor-flags as "read|write|...", "none" for no flag. */
static const char *flags_name(int f) {
    static const char *const NAMES[] = {
        "read", "write", "file-integrity-sync", "data-integrity-sync",
        "requested-write-sync", "mutate-directory",
    };
    static char out[2][128];
    static int which;
    char *s = out[which ^= 1];
    if (f < 0) {
        snprintf(s, 128, "<%s>", code_name(-100 - f));
        return s;
    }
    s[0] = 0;
    for (int i = 0; i < 6; i++)
        if (f & (1 << i)) {
            if (s[0])
                strcat(s, "|");
            strcat(s, NAMES[i]);
        }
    if (f >> 6)
        strcat(s, "|<unknown bits>");
    return s[0] ? s : "none";
}

static void report(bool pass, const char *what, const char *got, const char *want, int line) {
    if (pass) {
        printf("ok %s == %s\n", what, want);
    } else {
        printf("FAIL %s == %s, want %s (line %d)\n", what, got, want, line);
        failures++;
    }
}

/* A call returning OK or an error-code. */
#define EXPECT_CODE(call, want)                                                            \
    do {                                                                                   \
        int got_ = (call);                                                                 \
        report(got_ == (want), #call, code_name(got_), code_name(want), __LINE__);         \
    } while (0)

/* A number. */
#define EXPECT_U64(expr, want)                                                             \
    do {                                                                                   \
        unsigned long long got_ = (expr), want_ = (want);                                  \
        char g_[24], w_[24];                                                               \
        snprintf(g_, sizeof g_, "%llu", got_);                                             \
        snprintf(w_, sizeof w_, "%llu", want_);                                            \
        report(got_ == want_, #expr, g_, w_, __LINE__);                                    \
    } while (0)

/* A descriptor-flags value. */
#define EXPECT_FLAGS(expr, want)                                                           \
    do {                                                                                   \
        int got_ = (expr);                                                                 \
        report(got_ == (want), #expr, flags_name(got_), flags_name(want), __LINE__);       \
    } while (0)

/* A descriptor-type. */
#define EXPECT_TYPE(expr, want)                                                            \
    do {                                                                                   \
        int got_ = (expr);                                                                 \
        report(got_ == (want), #expr, type_name(got_), type_name(want), __LINE__);         \
    } while (0)

/* A string (contents read back, names, link targets). */
#define EXPECT_STR(expr, want)                                                             \
    do {                                                                                   \
        const char *got_ = (expr);                                                         \
        report(strcmp(got_, (want)) == 0, #expr, got_, (want), __LINE__);                  \
    } while (0)

/* A condition. */
#define EXPECT_TRUE(cond) report((cond), #cond, "false", "true", __LINE__)

/* ---- calls: each returns OK or the error-code, and its value through `out` ---- */

static int d_open_at(handle_t dir, int pf, const char *path, int of, int df, handle_t *out) {
    result_handle_t r;
    fs_open_at(dir, pf, path, strlen(path), of, df, &r);
    *out = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

/* open-at whose descriptor is dropped straight away: for the error cases. */
static int try_open(handle_t dir, int pf, const char *path, int of, int df) {
    handle_t h;
    int c = d_open_at(dir, pf, path, of, df, &h);
    if (c == OK)
        fs_drop_descriptor(h);
    return c;
}

static int d_stat(handle_t d, descriptor_stat_t *out) {
    result_stat_t r;
    fs_stat(d, &r);
    if (r.is_err)
        return r.val.err;
    *out = r.val.ok;
    return OK;
}

static descriptor_stat_t no_stat; /* all zero: what a failed stat leaves */

static int d_stat_at(handle_t d, int pf, const char *path, descriptor_stat_t *out) {
    result_stat_t r;
    fs_stat_at(d, pf, path, strlen(path), &r);
    *out = no_stat;
    if (r.is_err)
        return r.val.err;
    *out = r.val.ok;
    return OK;
}

static int try_stat_at(handle_t d, int pf, const char *path) {
    descriptor_stat_t st;
    return d_stat_at(d, pf, path, &st);
}

/* stat-at's type, size, ... for value checks; a failed call gives the zero stat (a type of
 * `unknown`), which fails the check. */
static descriptor_stat_t stat_at(handle_t d, int pf, const char *path) {
    descriptor_stat_t st;
    d_stat_at(d, pf, path, &st);
    return st;
}

static descriptor_stat_t stat_of(handle_t d) {
    descriptor_stat_t st = no_stat;
    d_stat(d, &st);
    return st;
}

static int d_get_type(handle_t d) {
    result_u8_t r;
    fs_get_type(d, &r);
    return r.is_err ? -100 - r.val : r.val;
}

static int d_get_flags(handle_t d) {
    result_u8_t r;
    fs_get_flags(d, &r);
    return r.is_err ? -100 - r.val : r.val;
}

static char text[4096];

/* `read(length, offset)`: the bytes (NUL-terminated in `text`, at most sizeof text - 1) and
 * whether the end was reached. */
static int d_read(handle_t d, uint64_t length, uint64_t offset, bool *end) {
    result_read_t r;
    fs_read(d, length, offset, &r);
    text[0] = 0;
    if (r.is_err)
        return r.val.err;
    size_t n = r.val.ok.data.len < sizeof text - 1 ? r.val.ok.data.len : sizeof text - 1;
    memcpy(text, r.val.ok.data.ptr, n);
    text[n] = 0;
    *end = r.val.ok.end;
    free(r.val.ok.data.ptr);
    return OK;
}

static int try_read(handle_t d) {
    bool end;
    return d_read(d, 16, 0, &end);
}

/* Bytes the host returned, into `text` with each NUL shown as the two characters \0, and
 * freed. */
static const char *show(bytes_t b) {
    size_t o = 0;
    for (size_t i = 0; i < b.len && o + 3 < sizeof text; i++) {
        if (b.ptr[i] == 0) {
            text[o++] = '\\';
            text[o++] = '0';
        } else {
            text[o++] = (char)b.ptr[i];
        }
    }
    text[o] = 0;
    free(b.ptr);
    return text;
}

/* The whole file (up to 4 KiB) as `show` prints it, or "<code>". */
static const char *contents(handle_t d) {
    result_read_t r;
    fs_read(d, sizeof text / 2, 0, &r);
    if (r.is_err) {
        snprintf(text, sizeof text, "<%s>", code_name(r.val.err));
        return text;
    }
    return show(r.val.ok.data);
}

static int d_write(handle_t d, const char *s, uint64_t offset, uint64_t *written) {
    result_u64_t r;
    fs_write(d, s, strlen(s), offset, &r);
    *written = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

static int try_write(handle_t d) {
    uint64_t n;
    return d_write(d, "x", 0, &n);
}

static int d_set_size(handle_t d, uint64_t size) {
    result_void_t r;
    fs_set_size(d, size, &r);
    return r.is_err ? r.err : OK;
}

static int d_sync(handle_t d) {
    result_void_t r;
    fs_sync(d, &r);
    return r.is_err ? r.err : OK;
}

static int d_sync_data(handle_t d) {
    result_void_t r;
    fs_sync_data(d, &r);
    return r.is_err ? r.err : OK;
}

static int d_advise(handle_t d, uint64_t offset, uint64_t length, int advice) {
    result_void_t r;
    fs_advise(d, offset, length, advice, &r);
    return r.is_err ? r.err : OK;
}

/* new-timestamp as the three flat values */
typedef struct {
    int32_t tag;
    int64_t seconds;
    int32_t nanoseconds;
} ts_t;
static const ts_t NO_CHANGE = {TS_NO_CHANGE, 0, 0};
static const ts_t NOW = {TS_NOW, 0, 0};
static ts_t at(int64_t s, int32_t ns) {
    ts_t t = {TS_TIMESTAMP, s, ns};
    return t;
}

static int d_set_times(handle_t d, ts_t a, ts_t m) {
    result_void_t r;
    fs_set_times(d, a.tag, a.seconds, a.nanoseconds, m.tag, m.seconds, m.nanoseconds, &r);
    return r.is_err ? r.err : OK;
}

static int d_set_times_at(handle_t d, int pf, const char *path, ts_t a, ts_t m) {
    result_void_t r;
    fs_set_times_at(d, pf, path, strlen(path), a.tag, a.seconds, a.nanoseconds, m.tag,
                    m.seconds, m.nanoseconds, &r);
    return r.is_err ? r.err : OK;
}

static int d_create_directory_at(handle_t d, const char *path) {
    result_void_t r;
    fs_create_directory_at(d, path, strlen(path), &r);
    return r.is_err ? r.err : OK;
}

static int d_remove_directory_at(handle_t d, const char *path) {
    result_void_t r;
    fs_remove_directory_at(d, path, strlen(path), &r);
    return r.is_err ? r.err : OK;
}

static int d_unlink_file_at(handle_t d, const char *path) {
    result_void_t r;
    fs_unlink_file_at(d, path, strlen(path), &r);
    return r.is_err ? r.err : OK;
}

static int d_link_at(handle_t d, int pf, const char *old, handle_t nd, const char *new_path) {
    result_void_t r;
    fs_link_at(d, pf, old, strlen(old), nd, new_path, strlen(new_path), &r);
    return r.is_err ? r.err : OK;
}

static int d_rename_at(handle_t d, const char *old, handle_t nd, const char *new_path) {
    result_void_t r;
    fs_rename_at(d, old, strlen(old), nd, new_path, strlen(new_path), &r);
    return r.is_err ? r.err : OK;
}

static int d_symlink_at(handle_t d, const char *target, const char *new_path) {
    result_void_t r;
    fs_symlink_at(d, target, strlen(target), new_path, strlen(new_path), &r);
    return r.is_err ? r.err : OK;
}

static int d_readlink_at(handle_t d, const char *path) {
    result_string_t r;
    fs_readlink_at(d, path, strlen(path), &r);
    text[0] = 0;
    if (r.is_err)
        return r.val.err;
    size_t n = r.val.ok.len < sizeof text - 1 ? r.val.ok.len : sizeof text - 1;
    memcpy(text, r.val.ok.ptr, n);
    text[n] = 0;
    free(r.val.ok.ptr);
    return OK;
}

/* readlink-at's target, or "<code>". */
static const char *link_target(handle_t d, const char *path) {
    int c = d_readlink_at(d, path);
    if (c != OK)
        snprintf(text, sizeof text, "<%s>", code_name(c));
    return text;
}

static int d_metadata_hash(handle_t d, hash_t *out) {
    result_hash_t r;
    fs_metadata_hash(d, &r);
    out->lower = out->upper = 0;
    if (r.is_err)
        return r.val.err;
    *out = r.val.ok;
    return OK;
}

static int d_metadata_hash_at(handle_t d, int pf, const char *path, hash_t *out) {
    result_hash_t r;
    fs_metadata_hash_at(d, pf, path, strlen(path), &r);
    out->lower = out->upper = 0;
    if (r.is_err)
        return r.val.err;
    *out = r.val.ok;
    return OK;
}

static int try_hash_at(handle_t d, int pf, const char *path) {
    hash_t h;
    return d_metadata_hash_at(d, pf, path, &h);
}

static bool hash_eq(hash_t a, hash_t b) {
    return a.lower == b.lower && a.upper == b.upper;
}

static int d_read_via_stream(handle_t d, uint64_t offset, handle_t *out) {
    result_handle_t r;
    fs_read_via_stream(d, offset, &r);
    *out = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

static int d_write_via_stream(handle_t d, uint64_t offset, handle_t *out) {
    result_handle_t r;
    fs_write_via_stream(d, offset, &r);
    *out = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

static int d_append_via_stream(handle_t d, handle_t *out) {
    result_handle_t r;
    fs_append_via_stream(d, &r);
    *out = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

static int d_read_directory(handle_t d, handle_t *out) {
    result_handle_t r;
    fs_read_directory(d, &r);
    *out = r.is_err ? 0 : r.val.ok;
    return r.is_err ? r.val.err : OK;
}

/* Drops a stream or listing made by a call that was expected to fail but did not. */
static int try_read_stream(handle_t d, uint64_t offset) {
    handle_t s;
    int c = d_read_via_stream(d, offset, &s);
    if (c == OK)
        io_drop_input_stream(s);
    return c;
}

static int try_write_stream(handle_t d, uint64_t offset) {
    handle_t s;
    int c = d_write_via_stream(d, offset, &s);
    if (c == OK)
        io_drop_output_stream(s);
    return c;
}

static int try_append_stream(handle_t d) {
    handle_t s;
    int c = d_append_via_stream(d, &s);
    if (c == OK)
        io_drop_output_stream(s);
    return c;
}

static int try_read_directory(handle_t d) {
    handle_t s;
    int c = d_read_directory(d, &s);
    if (c == OK)
        fs_drop_directory_entry_stream(s);
    return c;
}

/* One blocking-read of up to `len` bytes into `text`: "closed", "error:<code>" (the
 * stream error's filesystem-error-code), or the bytes as `show` prints them. */
static const char *stream_read(handle_t s, uint64_t len) {
    result_bytes_stream_t r;
    io_blocking_read(s, len, &r);
    if (!r.is_err) {
        show(r.val.ok);
    } else if (r.val.err.tag == STREAM_CLOSED) {
        strcpy(text, "closed");
    } else {
        option_code_t code;
        fs_filesystem_error_code(r.val.err.error, &code);
        snprintf(text, sizeof text, "error:%s", code.is_some ? code_name(code.val) : "none");
        io_drop_error(r.val.err.error);
    }
    return text;
}

/* blocking-write-and-flush of `s`: "ok", "closed", or "error:<code>" as above. */
static const char *stream_write(handle_t out, const char *s) {
    result_void_stream_t r;
    io_blocking_write_and_flush(out, s, strlen(s), &r);
    if (!r.is_err) {
        strcpy(text, "ok");
    } else if (r.err.tag == STREAM_CLOSED) {
        strcpy(text, "closed");
    } else {
        option_code_t code;
        fs_filesystem_error_code(r.err.error, &code);
        snprintf(text, sizeof text, "error:%s", code.is_some ? code_name(code.val) : "none");
        io_drop_error(r.err.error);
    }
    return text;
}

/* Every entry of a listing as "name:type" in name order, space-separated; "<code>" on the
 * first error after the entries before it (an entry whose name is not UTF-8 is an error). */
static const char *listing(handle_t dir) {
    static char joined[1024];
    char *names[32];
    int n = 0;
    handle_t s;
    int c = d_read_directory(dir, &s);
    if (c != OK) {
        snprintf(joined, sizeof joined, "<%s>", code_name(c));
        return joined;
    }
    const char *tail = "";
    /* Bounded, so a stream that never ends fails the check instead of hanging. */
    for (int step = 0; step < 64; step++) {
        result_entry_t r;
        fs_read_directory_entry(s, &r);
        if (r.is_err) {
            tail = code_name(r.val.err);
            /* The stream goes on after a bad entry: the rest must still come. */
            continue;
        }
        if (!r.val.ok.is_some)
            break;
        directory_entry_t *e = &r.val.ok.val;
        char *item = malloc(e->name.len + 24);
        memcpy(item, e->name.ptr, e->name.len);
        snprintf(item + e->name.len, 24, ":%s", type_name(e->type));
        free(e->name.ptr);
        if (n < 32)
            names[n++] = item;
        else
            free(item);
    }
    /* And after the end it stays at the end. */
    result_entry_t again;
    fs_read_directory_entry(s, &again);
    bool ended = !again.is_err && !again.val.ok.is_some;
    fs_drop_directory_entry_stream(s);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    joined[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(joined, " ");
        strcat(joined, names[i]);
        free(names[i]);
    }
    if (*tail) {
        strcat(joined, n ? " <" : "<");
        strcat(joined, tail);
        strcat(joined, ">");
    }
    if (!ended)
        strcat(joined, " <not ended>");
    return joined;
}

/* ---- the checks ---- */

static handle_t rw, ro;

static void preopens(void) {
    preopen_list_t list;
    fs_get_directories(&list);
    EXPECT_U64(list.len, 2);
    rw = ro = 0;
    for (size_t i = 0; i < list.len; i++) {
        bytes_t name = list.ptr[i].name;
        if (name.len == 3 && memcmp(name.ptr, "/rw", 3) == 0)
            rw = list.ptr[i].descriptor;
        else if (name.len == 3 && memcmp(name.ptr, "/ro", 3) == 0)
            ro = list.ptr[i].descriptor;
        free(name.ptr);
    }
    free(list.ptr);
    EXPECT_TRUE(rw != 0 && ro != 0);
    if (!rw || !ro) {
        printf("FAIL no /rw or /ro preopen\n");
        exit(1);
    }
}

static void types_and_flags(handle_t f, handle_t sub) {
    EXPECT_TYPE(d_get_type(rw), DT_DIRECTORY);
    EXPECT_TYPE(d_get_type(ro), DT_DIRECTORY);
    EXPECT_TYPE(d_get_type(f), DT_REGULAR_FILE);
    EXPECT_TYPE(d_get_type(sub), DT_DIRECTORY);
    EXPECT_FLAGS(d_get_flags(rw), DF_READ | DF_MUTATE_DIRECTORY);
    EXPECT_FLAGS(d_get_flags(ro), DF_READ);
    EXPECT_FLAGS(d_get_flags(f), DF_READ);
    /* A directory opened from a writable one can change its entries whatever the flags (see
     * src/p2/filesystem/convert.rs open_rights); one opened from a read-only one cannot. */
    EXPECT_FLAGS(d_get_flags(sub), DF_READ | DF_MUTATE_DIRECTORY);
    handle_t h;
    EXPECT_CODE(d_open_at(rw, FOLLOW, "f", 0, DF_WRITE, &h), OK);
    EXPECT_FLAGS(d_get_flags(h), DF_WRITE);
    fs_drop_descriptor(h);
    EXPECT_CODE(d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_WRITE, &h), OK);
    EXPECT_FLAGS(d_get_flags(h), DF_READ | DF_WRITE);
    fs_drop_descriptor(h);
    EXPECT_CODE(d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_FILE_INTEGRITY_SYNC, &h), OK);
    EXPECT_FLAGS(d_get_flags(h), DF_READ | DF_FILE_INTEGRITY_SYNC);
    fs_drop_descriptor(h);
    /* cap-std opens data-integrity-sync as O_SYNC (stronger), which reads back as
     * file-integrity-sync (src/host/fd.rs); either way the descriptor syncs. */
    EXPECT_CODE(d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_DATA_INTEGRITY_SYNC, &h), OK);
    EXPECT_TRUE((d_get_flags(h) & (DF_FILE_INTEGRITY_SYNC | DF_DATA_INTEGRITY_SYNC)) != 0);
    fs_drop_descriptor(h);
    EXPECT_CODE(d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &h), OK);
    EXPECT_FLAGS(d_get_flags(h), DF_READ);
    fs_drop_descriptor(h);
}

static void open_at(handle_t f) {
    handle_t h;
    /* Follow the link to f; not following it is `loop` (O_NOFOLLOW on a symlink). */
    EXPECT_CODE(d_open_at(rw, FOLLOW, "ln", 0, DF_READ, &h), OK);
    EXPECT_STR(contents(h), "hello");
    EXPECT_TRUE(fs_is_same_object(h, f));
    fs_drop_descriptor(h);
    EXPECT_CODE(try_open(rw, NOFOLLOW, "ln", 0, DF_READ), E_LOOP);
    /* `..` that stays inside is fine. */
    EXPECT_CODE(d_open_at(rw, FOLLOW, "sub/..", OF_DIRECTORY, DF_READ, &h), OK);
    EXPECT_TRUE(fs_is_same_object(h, rw));
    fs_drop_descriptor(h);
    EXPECT_CODE(d_open_at(rw, FOLLOW, "sub/../f", 0, DF_READ, &h), OK);
    EXPECT_STR(contents(h), "hello");
    fs_drop_descriptor(h);
    /* Errors. */
    EXPECT_CODE(try_open(rw, FOLLOW, "missing", 0, DF_READ), E_NO_ENTRY);
    EXPECT_CODE(try_open(rw, FOLLOW, "f", OF_DIRECTORY, DF_READ), E_NOT_DIRECTORY);
    EXPECT_CODE(try_open(rw, FOLLOW, "f/x", 0, DF_READ), E_NOT_DIRECTORY);
    EXPECT_CODE(try_open(rw, FOLLOW, "f", OF_CREATE | OF_EXCLUSIVE, DF_READ), E_EXIST);
    EXPECT_CODE(try_open(rw, FOLLOW, "sub", OF_CREATE | OF_EXCLUSIVE, DF_READ), E_EXIST);
    /* Flags that contradict each other: a directory cannot be truncated or created. */
    EXPECT_CODE(try_open(rw, FOLLOW, "sub", OF_DIRECTORY | OF_TRUNCATE, DF_READ), E_INVALID);
    EXPECT_CODE(try_open(rw, FOLLOW, "newdir", OF_DIRECTORY | OF_CREATE, DF_READ), E_INVALID);
    EXPECT_CODE(try_open(rw, FOLLOW, "sub", 0, DF_READ | DF_WRITE), E_IS_DIRECTORY);
    EXPECT_CODE(try_open(rw, FOLLOW, "new/", OF_CREATE, DF_WRITE), E_IS_DIRECTORY);
    EXPECT_CODE(try_open(f, FOLLOW, "x", 0, DF_READ), E_NOT_DIRECTORY);
    /* Escapes. */
    EXPECT_CODE(try_open(rw, FOLLOW, "..", OF_DIRECTORY, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "../outside/secret", 0, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "sub/../../outside/secret", 0, DF_READ),
                E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "/etc/passwd", 0, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "out/secret", 0, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "abs/secret", 0, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "out", OF_DIRECTORY, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "../outside/new", OF_CREATE, DF_WRITE), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "out/new", OF_CREATE, DF_WRITE), E_NOT_PERMITTED);
    /* Read-only preopen: reading is fine, anything that could change it is `read-only`. */
    EXPECT_CODE(d_open_at(ro, FOLLOW, "r", 0, DF_READ, &h), OK);
    EXPECT_STR(contents(h), "readonly");
    fs_drop_descriptor(h);
    EXPECT_CODE(d_open_at(ro, FOLLOW, "rln", 0, DF_READ, &h), OK);
    EXPECT_STR(contents(h), "readonly");
    fs_drop_descriptor(h);
    EXPECT_CODE(try_open(ro, FOLLOW, "r", 0, DF_WRITE), E_READ_ONLY);
    EXPECT_CODE(try_open(ro, FOLLOW, "r", 0, DF_READ | DF_WRITE), E_READ_ONLY);
    EXPECT_CODE(try_open(ro, FOLLOW, "r", OF_TRUNCATE, DF_READ), E_READ_ONLY);
    EXPECT_CODE(try_open(ro, FOLLOW, "new", OF_CREATE, DF_READ), E_READ_ONLY);
    EXPECT_CODE(try_open(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ | DF_MUTATE_DIRECTORY),
                E_READ_ONLY);
    EXPECT_CODE(try_open(ro, FOLLOW, "../outside/secret", 0, DF_READ), E_NOT_PERMITTED);
    handle_t rsub;
    EXPECT_CODE(d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &rsub), OK);
    EXPECT_CODE(try_open(rsub, FOLLOW, "k", 0, DF_WRITE), E_READ_ONLY);
    EXPECT_CODE(try_open(rsub, FOLLOW, "new", OF_CREATE, DF_READ), E_READ_ONLY);
    EXPECT_CODE(try_open(rsub, FOLLOW, "../r", 0, DF_READ), E_NOT_PERMITTED);
    fs_drop_descriptor(rsub);
}

/* read, write, set-size, stat, set-times, sync, sync-data, advise and the three streams on a
 * new file "w"; returns its descriptor. */
static handle_t bytes(handle_t f) {
    handle_t w;
    uint64_t n;
    bool end = false;
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "w", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE, &w),
                OK);
    EXPECT_CODE(try_open(rw, NOFOLLOW, "w", OF_CREATE | OF_EXCLUSIVE, DF_READ), E_EXIST);
    EXPECT_U64(stat_of(w).size, 0);

    /* write (positioned) and read (positioned, with the end flag). */
    EXPECT_CODE(d_write(w, "0123456789", 0, &n), OK);
    EXPECT_U64(n, 10);
    EXPECT_CODE(d_write(w, "AB", 4, &n), OK);
    EXPECT_U64(n, 2);
    EXPECT_STR(contents(w), "0123AB6789");
    EXPECT_CODE(d_read(w, 3, 1, &end), OK);
    EXPECT_STR(text, "123");
    EXPECT_TRUE(!end);
    EXPECT_CODE(d_read(w, 100, 8, &end), OK);
    EXPECT_STR(text, "89");
    EXPECT_TRUE(end);
    EXPECT_CODE(d_read(w, 10, 100, &end), OK);
    EXPECT_STR(text, "");
    EXPECT_TRUE(end);

    /* write-via-stream at an offset, append-via-stream at the end. */
    handle_t out;
    EXPECT_CODE(d_write_via_stream(w, 8, &out), OK);
    EXPECT_STR(stream_write(out, "XYZ"), "ok");
    EXPECT_STR(stream_write(out, "!"), "ok"); /* the stream's offset moved on: 11 */
    io_drop_output_stream(out);
    EXPECT_STR(contents(w), "0123AB67XYZ!");
    EXPECT_CODE(d_append_via_stream(w, &out), OK);
    EXPECT_STR(stream_write(out, "++"), "ok");
    EXPECT_STR(stream_write(out, "--"), "ok");
    io_drop_output_stream(out);
    EXPECT_STR(contents(w), "0123AB67XYZ!++--");
    /* A stream past the end leaves a hole of zeros. */
    EXPECT_CODE(d_write_via_stream(w, 18, &out), OK);
    EXPECT_STR(stream_write(out, "$"), "ok");
    io_drop_output_stream(out);
    EXPECT_STR(contents(w), "0123AB67XYZ!++--\\0\\0$");
    /* A write the system refuses is a stream error whose filesystem-error-code says why:
     * at offset 2^63 - 1 the end would pass the largest offset Linux has (EINVAL); the
     * stream is closed after it. */
    EXPECT_CODE(d_write_via_stream(w, 0x7fffffffffffffffull, &out), OK);
    EXPECT_STR(stream_write(out, "x"), "error:invalid");
    EXPECT_STR(stream_write(out, "x"), "closed");
    io_drop_output_stream(out);

    /* read-via-stream from 0, from an offset, and past the end. */
    handle_t in;
    EXPECT_CODE(d_read_via_stream(w, 0, &in), OK);
    EXPECT_STR(stream_read(in, 4), "0123");
    EXPECT_STR(stream_read(in, 8), "AB67XYZ!");
    EXPECT_STR(stream_read(in, 4), "++--");
    EXPECT_STR(stream_read(in, 100), "\\0\\0$");
    EXPECT_STR(stream_read(in, 100), "closed");
    io_drop_input_stream(in);
    EXPECT_CODE(d_read_via_stream(w, 12, &in), OK);
    EXPECT_STR(stream_read(in, 4), "++--");
    io_drop_input_stream(in);
    EXPECT_CODE(d_read_via_stream(w, 18, &in), OK);
    EXPECT_STR(stream_read(in, 100), "$");
    EXPECT_STR(stream_read(in, 100), "closed");
    io_drop_input_stream(in);
    EXPECT_CODE(d_read_via_stream(w, 1000, &in), OK);
    EXPECT_STR(stream_read(in, 100), "closed");
    io_drop_input_stream(in);

    /* set-size: shrink, then grow with zeros. */
    EXPECT_CODE(d_set_size(w, 4), OK);
    EXPECT_U64(stat_of(w).size, 4);
    EXPECT_STR(contents(w), "0123");
    EXPECT_CODE(d_set_size(w, 6), OK);
    EXPECT_STR(contents(w), "0123\\0\\0");

    /* stat */
    descriptor_stat_t st = stat_of(w);
    EXPECT_TYPE(st.type, DT_REGULAR_FILE);
    EXPECT_U64(st.link_count, 1);
    EXPECT_U64(st.size, 6);
    EXPECT_TRUE(st.data_access_timestamp.is_some && st.data_modification_timestamp.is_some &&
                st.status_change_timestamp.is_some);
    EXPECT_TYPE(stat_of(rw).type, DT_DIRECTORY);
    EXPECT_TYPE(stat_of(ro).type, DT_DIRECTORY);

    /* set-times: explicit times, no-change, now. */
    EXPECT_CODE(d_set_times(w, at(1000000000, 5), at(1100000000, 7)), OK);
    st = stat_of(w);
    EXPECT_U64(st.data_access_timestamp.val.seconds, 1000000000);
    EXPECT_U64(st.data_access_timestamp.val.nanoseconds, 5);
    EXPECT_U64(st.data_modification_timestamp.val.seconds, 1100000000);
    EXPECT_U64(st.data_modification_timestamp.val.nanoseconds, 7);
    EXPECT_CODE(d_set_times(w, at(1200000000, 0), NO_CHANGE), OK);
    st = stat_of(w);
    EXPECT_U64(st.data_access_timestamp.val.seconds, 1200000000);
    EXPECT_U64(st.data_modification_timestamp.val.seconds, 1100000000);
    EXPECT_U64(st.data_modification_timestamp.val.nanoseconds, 7);
    EXPECT_CODE(d_set_times(w, NO_CHANGE, NOW), OK);
    st = stat_of(w);
    EXPECT_U64(st.data_access_timestamp.val.seconds, 1200000000);
    /* "now" is after 2023-11 (the seconds read 1.7e9 then), whatever the clock says. */
    EXPECT_TRUE(st.data_modification_timestamp.val.seconds > 1700000000);
    EXPECT_CODE(d_set_times(w, at(0, 1000000000), NO_CHANGE), E_INVALID);
    /* Seconds 2^64 - 1 (-1 as the flat i64): more nanoseconds than preview 1 timestamps hold. */
    EXPECT_CODE(d_set_times(w, at(-1, 0), NO_CHANGE), E_OVERFLOW);
    EXPECT_CODE(d_set_times(rw, NOW, NOW), OK);

    /* sync, sync-data, advise (every advice). */
    EXPECT_CODE(d_sync(w), OK);
    EXPECT_CODE(d_sync_data(w), OK);
    EXPECT_CODE(d_sync(rw), OK);
    EXPECT_CODE(d_sync_data(rw), OK);
    EXPECT_CODE(d_sync(f), OK);
    EXPECT_CODE(d_advise(w, 0, 6, ADVICE_NORMAL), OK);
    EXPECT_CODE(d_advise(w, 0, 6, ADVICE_SEQUENTIAL), OK);
    EXPECT_CODE(d_advise(w, 0, 6, ADVICE_RANDOM), OK);
    EXPECT_CODE(d_advise(w, 0, 6, ADVICE_WILL_NEED), OK);
    EXPECT_CODE(d_advise(w, 0, 6, ADVICE_DONT_NEED), OK);
    EXPECT_CODE(d_advise(w, 0, 0, ADVICE_NO_REUSE), OK);
    EXPECT_CODE(d_advise(f, 0, 5, ADVICE_SEQUENTIAL), OK);

    /* Offsets and sizes past what Linux can address (2^63 and up). */
    EXPECT_CODE(d_set_size(w, 0x8000000000000000ull), E_FILE_TOO_LARGE);
    EXPECT_CODE(d_read(w, 10, 0x8000000000000000ull, &end), E_INVALID);
    EXPECT_CODE(d_read(w, 0xffffffffffffffffull, 0, &end), OK);
    EXPECT_STR(text, "0123");
    EXPECT_CODE(d_write(w, "x", 0x8000000000000000ull, &n), E_INVALID);
    EXPECT_CODE(d_read_via_stream(w, 0x8000000000000000ull, &in), OK);
    EXPECT_STR(stream_read(in, 10), "error:invalid");
    io_drop_input_stream(in);
    EXPECT_U64(stat_of(w).size, 6);

    /* Errors: a file opened for reading only, one for writing only, a directory. */
    EXPECT_CODE(try_write(f), E_BAD_DESCRIPTOR);
    EXPECT_CODE(d_set_size(f, 0), E_BAD_DESCRIPTOR);
    EXPECT_CODE(try_write_stream(f, 0), E_BAD_DESCRIPTOR);
    EXPECT_CODE(try_append_stream(f), E_BAD_DESCRIPTOR);
    handle_t wo;
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "w", 0, DF_WRITE, &wo), OK);
    EXPECT_CODE(try_read(wo), E_BAD_DESCRIPTOR);
    EXPECT_CODE(try_read_stream(wo, 0), E_BAD_DESCRIPTOR);
    fs_drop_descriptor(wo);
    EXPECT_CODE(try_read(rw), E_IS_DIRECTORY);
    EXPECT_CODE(try_write(rw), E_IS_DIRECTORY);
    EXPECT_CODE(d_set_size(rw, 0), E_IS_DIRECTORY);
    EXPECT_CODE(try_read_stream(rw, 0), E_IS_DIRECTORY);
    EXPECT_CODE(try_write_stream(rw, 0), E_IS_DIRECTORY);
    EXPECT_CODE(try_append_stream(rw), E_IS_DIRECTORY);
    EXPECT_CODE(d_advise(rw, 0, 0, ADVICE_NORMAL), OK); /* Linux takes advice on a directory */
    EXPECT_CODE(d_advise(w, 0, 0x8000000000000000ull, ADVICE_NORMAL), E_INVALID);

    /* Read-only preopen: its file reads, but nothing about it changes. */
    handle_t r;
    EXPECT_CODE(d_open_at(ro, FOLLOW, "r", 0, DF_READ, &r), OK);
    EXPECT_CODE(d_read(r, 4, 4, &end), OK);
    EXPECT_STR(text, "only");
    EXPECT_U64(stat_of(r).size, 8);
    EXPECT_CODE(try_write(r), E_BAD_DESCRIPTOR);
    EXPECT_CODE(d_set_size(r, 0), E_BAD_DESCRIPTOR);
    EXPECT_CODE(try_write_stream(r, 0), E_BAD_DESCRIPTOR);
    EXPECT_CODE(try_append_stream(r), E_BAD_DESCRIPTOR);
    EXPECT_CODE(d_set_times(r, NOW, NOW), E_READ_ONLY);
    EXPECT_CODE(d_set_times(r, at(1, 0), NO_CHANGE), E_READ_ONLY);
    EXPECT_CODE(d_set_times(ro, NOW, NOW), E_READ_ONLY);
    /* Syncing counts as a change (preview 1's FD_SYNC/FD_DATASYNC are mutating rights, which
     * a read-only preopen does not hand down). */
    EXPECT_CODE(d_sync(r), E_READ_ONLY);
    EXPECT_CODE(d_sync_data(r), E_READ_ONLY);
    EXPECT_CODE(d_sync(ro), E_READ_ONLY);
    EXPECT_CODE(d_sync_data(ro), E_READ_ONLY);
    EXPECT_CODE(d_advise(r, 0, 8, ADVICE_RANDOM), OK);
    fs_drop_descriptor(r);
    return w;
}

static void directories(handle_t f, handle_t sub) {
    EXPECT_STR(listing(rw), "abs:symbolic-link bin:directory f:regular-file full:directory "
                            "ln:symbolic-link out:symbolic-link sub:directory w:regular-file");
    EXPECT_STR(listing(sub), "g:regular-file");
    EXPECT_STR(listing(ro), "r:regular-file rln:symbolic-link rsub:directory");
    handle_t bin;
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "bin", OF_DIRECTORY, DF_READ, &bin), OK);
    /* The entry after the one whose name is not UTF-8 still comes. */
    EXPECT_STR(listing(bin), "badlink:symbolic-link <illegal-byte-sequence>");
    fs_drop_descriptor(bin);
    EXPECT_CODE(try_read_directory(f), E_NOT_DIRECTORY);

    /* create-directory-at */
    EXPECT_CODE(d_create_directory_at(rw, "d"), OK);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "d").type, DT_DIRECTORY);
    EXPECT_CODE(d_create_directory_at(sub, "e"), OK);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "sub/e").type, DT_DIRECTORY);
    EXPECT_STR(listing(sub), "e:directory g:regular-file");
    EXPECT_CODE(d_create_directory_at(rw, "d"), E_EXIST);
    EXPECT_CODE(d_create_directory_at(rw, "f"), E_EXIST);
    EXPECT_CODE(d_create_directory_at(rw, "nope/x"), E_NO_ENTRY);
    EXPECT_CODE(d_create_directory_at(rw, "f/x"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_create_directory_at(f, "x"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_create_directory_at(rw, "../evil"), E_NOT_PERMITTED);
    EXPECT_CODE(d_create_directory_at(rw, "/evil"), E_NOT_PERMITTED);
    EXPECT_CODE(d_create_directory_at(rw, "out/evil"), E_NOT_PERMITTED);
    EXPECT_CODE(d_create_directory_at(rw, "abs/evil"), E_NOT_PERMITTED);
    EXPECT_CODE(d_create_directory_at(ro, "d"), E_READ_ONLY);
    handle_t rsub;
    EXPECT_CODE(d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &rsub), OK);
    EXPECT_CODE(d_create_directory_at(rsub, "d"), E_READ_ONLY);
    EXPECT_STR(listing(rsub), "k:regular-file");

    /* remove-directory-at */
    EXPECT_CODE(d_remove_directory_at(rw, "d"), OK);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "d"), E_NO_ENTRY);
    EXPECT_CODE(d_remove_directory_at(sub, "e"), OK);
    EXPECT_CODE(d_remove_directory_at(rw, "d"), E_NO_ENTRY);
    EXPECT_CODE(d_remove_directory_at(rw, "full"), E_NOT_EMPTY);
    EXPECT_CODE(d_remove_directory_at(rw, "f"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_remove_directory_at(f, "x"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_remove_directory_at(rw, "../outside"), E_NOT_PERMITTED);
    EXPECT_CODE(d_remove_directory_at(rw, "/tmp"), E_NOT_PERMITTED);
    EXPECT_CODE(d_remove_directory_at(rw, "out/sub"), E_NOT_PERMITTED);
    EXPECT_CODE(d_remove_directory_at(ro, "rsub"), E_READ_ONLY);
    EXPECT_CODE(d_remove_directory_at(rsub, "x"), E_READ_ONLY);
    fs_drop_descriptor(rsub);
}

static void stats_and_times(handle_t f) {
    /* Paths that name nothing: empty, or with a NUL inside (no Linux path holds one). */
    result_stat_t r;
    fs_stat_at(rw, NOFOLLOW, "f\0x", 3, &r);
    EXPECT_CODE(r.is_err ? r.val.err : OK, E_INVALID);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, ""), E_NO_ENTRY);
    EXPECT_CODE(try_open(rw, NOFOLLOW, "", 0, DF_READ), E_NO_ENTRY);
    EXPECT_CODE(d_create_directory_at(rw, ""), E_NO_ENTRY);
    /* A link target that is not UTF-8 cannot be a `string`. */
    EXPECT_STR(link_target(rw, "bin/badlink"), "<illegal-byte-sequence>");
    descriptor_stat_t st = stat_of(f);
    EXPECT_TYPE(st.type, DT_REGULAR_FILE);
    EXPECT_U64(st.size, 5);
    EXPECT_U64(st.link_count, 1);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "f").type, DT_REGULAR_FILE);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "f").size, 5);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "ln").type, DT_SYMBOLIC_LINK);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "ln").size, 1); /* the target "f" */
    EXPECT_TYPE(stat_at(rw, FOLLOW, "ln").type, DT_REGULAR_FILE);
    EXPECT_U64(stat_at(rw, FOLLOW, "ln").size, 5);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "sub").type, DT_DIRECTORY);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "out").type, DT_SYMBOLIC_LINK);
    EXPECT_U64(stat_at(ro, NOFOLLOW, "r").size, 8);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "missing"), E_NO_ENTRY);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "f/x"), E_NOT_DIRECTORY);
    EXPECT_CODE(try_stat_at(f, NOFOLLOW, "x"), E_NOT_DIRECTORY);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, ".."), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "../outside/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "/etc/passwd"), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, FOLLOW, "out"), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "out/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, FOLLOW, "abs/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(ro, FOLLOW, "../outside"), E_NOT_PERMITTED);

    /* set-times-at: through the link (changes f), on the link itself (not f). */
    EXPECT_CODE(d_set_times_at(rw, FOLLOW, "ln", at(1300000000, 0), at(1400000000, 9)), OK);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds,
               1400000000);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.nanoseconds, 9);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "f").data_access_timestamp.val.seconds, 1300000000);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "ln", NO_CHANGE, at(1500000000, 0)), OK);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "ln").data_modification_timestamp.val.seconds,
               1500000000);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds,
               1400000000);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "f", NO_CHANGE, NOW), OK);
    EXPECT_TRUE(stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds >
                1700000000);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "missing", NOW, NOW), E_NO_ENTRY);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "f", at(0, 2000000000), NOW), E_INVALID);
    EXPECT_CODE(d_set_times_at(f, NOFOLLOW, "x", NOW, NOW), E_NOT_DIRECTORY);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "../outside/secret", NOW, NOW), E_NOT_PERMITTED);
    EXPECT_CODE(d_set_times_at(rw, NOFOLLOW, "/tmp", NOW, NOW), E_NOT_PERMITTED);
    EXPECT_CODE(d_set_times_at(rw, FOLLOW, "out/secret", NOW, NOW), E_NOT_PERMITTED);
    EXPECT_CODE(d_set_times_at(rw, FOLLOW, "out", NOW, NOW), E_NOT_PERMITTED);
    EXPECT_CODE(d_set_times_at(ro, NOFOLLOW, "r", NOW, NOW), E_READ_ONLY);
    EXPECT_CODE(d_set_times_at(ro, FOLLOW, "rln", at(1, 0), NO_CHANGE), E_READ_ONLY);
}

static void links(handle_t f, handle_t sub) {
    /* link-at: a second name for f, in another directory descriptor. */
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", sub, "h"), OK);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "sub/h").size, 5);
    EXPECT_U64(stat_of(f).link_count, 2);
    EXPECT_U64(stat_at(sub, NOFOLLOW, "h").link_count, 2);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", sub, "h"), E_EXIST);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "missing", rw, "x"), E_NO_ENTRY);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", rw, "nope/x"), E_NO_ENTRY);
    EXPECT_CODE(d_link_at(f, NOFOLLOW, "x", rw, "y"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "../outside/secret", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "/etc/passwd", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "out/secret", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "abs/secret", rw, "stolen"), E_NOT_PERMITTED);
    /* Following a source symlink would resolve it outside the sandboxed lookup: refused, as
     * wasmtime does (src/host/path.rs). */
    EXPECT_CODE(d_link_at(rw, FOLLOW, "ln", rw, "x"), E_INVALID);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", rw, "../planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", rw, "/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", rw, "out/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_link_at(ro, NOFOLLOW, "r", rw, "r2"), E_READ_ONLY);
    EXPECT_CODE(d_link_at(rw, NOFOLLOW, "f", ro, "f2"), E_READ_ONLY);
    EXPECT_CODE(d_link_at(ro, NOFOLLOW, "r", ro, "r2"), E_READ_ONLY);

    /* readlink-at */
    EXPECT_STR(link_target(rw, "ln"), "f");
    EXPECT_STR(link_target(rw, "out"), "../outside");
    EXPECT_STR(link_target(ro, "rln"), "r");
    EXPECT_STR(link_target(rw, "f"), "<invalid>");
    EXPECT_STR(link_target(rw, "missing"), "<no-entry>");
    EXPECT_STR(link_target(f, "x"), "<not-directory>");
    EXPECT_STR(link_target(rw, "../outside/secret"), "<not-permitted>");
    EXPECT_STR(link_target(rw, "/etc/passwd"), "<not-permitted>");
    EXPECT_STR(link_target(rw, "out/x"), "<not-permitted>");

    /* symlink-at: a relative target is stored as given (even one leading out: following it
     * is what the sandbox refuses); an absolute target, or a new path outside, is refused. */
    EXPECT_CODE(d_symlink_at(rw, "f", "s"), OK);
    EXPECT_STR(link_target(rw, "s"), "f");
    EXPECT_U64(stat_at(rw, FOLLOW, "s").size, 5);
    EXPECT_CODE(d_symlink_at(sub, "g", "s2"), OK);
    EXPECT_STR(link_target(rw, "sub/s2"), "g");
    EXPECT_CODE(d_symlink_at(rw, "f", "s"), E_EXIST);
    EXPECT_CODE(d_symlink_at(rw, "f", "nope/s"), E_NO_ENTRY);
    EXPECT_CODE(d_symlink_at(f, "f", "s"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_symlink_at(rw, "/etc/passwd", "s3"), E_NOT_PERMITTED);
    EXPECT_CODE(d_symlink_at(rw, "f", "../planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_symlink_at(rw, "f", "/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_symlink_at(rw, "f", "out/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_symlink_at(rw, "../outside/secret", "esc"), OK);
    EXPECT_STR(link_target(rw, "esc"), "../outside/secret");
    EXPECT_CODE(try_open(rw, FOLLOW, "esc", 0, DF_READ), E_NOT_PERMITTED);
    EXPECT_CODE(try_stat_at(rw, FOLLOW, "esc"), E_NOT_PERMITTED);
    EXPECT_CODE(try_open(rw, FOLLOW, "esc", OF_TRUNCATE, DF_WRITE), E_NOT_PERMITTED);
    EXPECT_CODE(d_symlink_at(ro, "r", "s"), E_READ_ONLY);

    /* rename-at: a file into another directory descriptor, and back under a new name. */
    EXPECT_CODE(d_rename_at(rw, "w", sub, "w2"), OK);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "w"), E_NO_ENTRY);
    EXPECT_U64(stat_at(rw, NOFOLLOW, "sub/w2").size, 6);
    EXPECT_CODE(d_rename_at(sub, "s2", rw, "s4"), OK);
    EXPECT_STR(link_target(rw, "s4"), "g");
    EXPECT_CODE(d_create_directory_at(rw, "d2"), OK);
    EXPECT_CODE(d_rename_at(rw, "d2", rw, "d3"), OK);
    EXPECT_TYPE(stat_at(rw, NOFOLLOW, "d3").type, DT_DIRECTORY);
    EXPECT_CODE(d_rename_at(rw, "missing", rw, "x"), E_NO_ENTRY);
    EXPECT_CODE(d_rename_at(rw, "d3", rw, "full"), E_NOT_EMPTY);
    EXPECT_CODE(d_rename_at(rw, "f", rw, "sub"), E_IS_DIRECTORY);
    EXPECT_CODE(d_rename_at(rw, "d3", rw, "f"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_rename_at(f, "x", rw, "y"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_rename_at(rw, "../outside/secret", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(rw, "/etc/passwd", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(rw, "out/secret", rw, "stolen"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(rw, "f", rw, "../planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(rw, "f", rw, "/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(rw, "f", rw, "out/planted"), E_NOT_PERMITTED);
    EXPECT_CODE(d_rename_at(ro, "r", rw, "r2"), E_READ_ONLY);
    EXPECT_CODE(d_rename_at(rw, "f", ro, "f2"), E_READ_ONLY);
    EXPECT_CODE(d_rename_at(ro, "r", ro, "r2"), E_READ_ONLY);

    /* unlink-file-at: files and symlinks, never a directory. */
    EXPECT_CODE(d_unlink_file_at(rw, "s"), OK);
    EXPECT_CODE(try_stat_at(rw, NOFOLLOW, "s"), E_NO_ENTRY);
    EXPECT_CODE(d_unlink_file_at(rw, "s4"), OK);
    EXPECT_CODE(d_unlink_file_at(rw, "esc"), OK);
    EXPECT_CODE(d_unlink_file_at(rw, "s"), E_NO_ENTRY);
    EXPECT_CODE(d_unlink_file_at(rw, "sub"), E_IS_DIRECTORY);
    EXPECT_CODE(d_unlink_file_at(rw, "f/x"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_unlink_file_at(f, "x"), E_NOT_DIRECTORY);
    EXPECT_CODE(d_unlink_file_at(rw, "../outside/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(d_unlink_file_at(rw, "/etc/passwd"), E_NOT_PERMITTED);
    EXPECT_CODE(d_unlink_file_at(rw, "out/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(d_unlink_file_at(ro, "r"), E_READ_ONLY);
    EXPECT_CODE(d_unlink_file_at(ro, "rln"), E_READ_ONLY);
    EXPECT_CODE(d_remove_directory_at(rw, "d3"), OK);
}

static void identity(handle_t f, handle_t sub, handle_t w) {
    handle_t again, dot, g;
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "f", 0, DF_READ, &again), OK);
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, ".", OF_DIRECTORY, DF_READ, &dot), OK);
    EXPECT_CODE(d_open_at(sub, NOFOLLOW, "h", 0, DF_READ, &g), OK);

    /* is-same-object: the same file or directory through different descriptors and names. */
    EXPECT_U64(fs_is_same_object(f, f), 1);
    EXPECT_U64(fs_is_same_object(f, again), 1);
    EXPECT_U64(fs_is_same_object(f, g), 1); /* sub/h is a hard link to f */
    EXPECT_U64(fs_is_same_object(rw, dot), 1);
    EXPECT_U64(fs_is_same_object(f, w), 0);
    EXPECT_U64(fs_is_same_object(rw, ro), 0);
    EXPECT_U64(fs_is_same_object(rw, sub), 0);
    EXPECT_U64(fs_is_same_object(f, rw), 0);

    /* metadata-hash and metadata-hash-at: equal for one object, different otherwise. */
    hash_t hf, h;
    EXPECT_CODE(d_metadata_hash(f, &hf), OK);
    EXPECT_TRUE(hf.lower != 0 || hf.upper != 0);
    EXPECT_CODE(d_metadata_hash(again, &h), OK);
    EXPECT_TRUE(hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash_at(rw, NOFOLLOW, "f", &h), OK);
    EXPECT_TRUE(hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash_at(rw, FOLLOW, "ln", &h), OK);
    EXPECT_TRUE(hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash_at(sub, NOFOLLOW, "h", &h), OK);
    EXPECT_TRUE(hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash_at(rw, NOFOLLOW, "ln", &h), OK);
    EXPECT_TRUE(!hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash(w, &h), OK);
    EXPECT_TRUE(!hash_eq(h, hf));
    hash_t hrw, hdot;
    EXPECT_CODE(d_metadata_hash(rw, &hrw), OK);
    EXPECT_CODE(d_metadata_hash(dot, &hdot), OK);
    EXPECT_TRUE(hash_eq(hrw, hdot));
    EXPECT_CODE(d_metadata_hash_at(rw, NOFOLLOW, "sub/..", &h), OK);
    EXPECT_TRUE(hash_eq(h, hrw));
    EXPECT_CODE(d_metadata_hash(ro, &h), OK);
    EXPECT_TRUE(!hash_eq(h, hrw));
    EXPECT_CODE(d_metadata_hash(sub, &h), OK);
    EXPECT_TRUE(!hash_eq(h, hrw) && !hash_eq(h, hf));
    EXPECT_CODE(d_metadata_hash_at(ro, NOFOLLOW, "r", &h), OK);
    EXPECT_TRUE(!hash_eq(h, hf));
    EXPECT_CODE(try_hash_at(rw, NOFOLLOW, "missing"), E_NO_ENTRY);
    EXPECT_CODE(try_hash_at(f, NOFOLLOW, "x"), E_NOT_DIRECTORY);
    EXPECT_CODE(try_hash_at(rw, NOFOLLOW, ".."), E_NOT_PERMITTED);
    EXPECT_CODE(try_hash_at(rw, NOFOLLOW, "../outside/secret"), E_NOT_PERMITTED);
    EXPECT_CODE(try_hash_at(rw, NOFOLLOW, "/etc/passwd"), E_NOT_PERMITTED);
    EXPECT_CODE(try_hash_at(rw, FOLLOW, "out"), E_NOT_PERMITTED);
    EXPECT_CODE(try_hash_at(rw, FOLLOW, "abs/secret"), E_NOT_PERMITTED);
    fs_drop_descriptor(again);
    fs_drop_descriptor(dot);
    fs_drop_descriptor(g);
}

int main(void) {
    __wasm_call_ctors();
    /* A line at a time, so a trap still shows every check before it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    preopens();
    handle_t f, sub;
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "f", 0, DF_READ, &f), OK);
    EXPECT_STR(contents(f), "hello");
    EXPECT_CODE(d_open_at(rw, NOFOLLOW, "sub", OF_DIRECTORY, DF_READ, &sub), OK);
    if (!f || !sub) {
        printf("FAIL cannot open f and sub\n");
        return 1;
    }
    types_and_flags(f, sub);
    open_at(f);
    handle_t w = bytes(f);
    directories(f, sub);
    stats_and_times(f);
    links(f, sub);
    identity(f, sub, w);
    fs_drop_descriptor(w);
    fs_drop_descriptor(sub);
    fs_drop_descriptor(f);
    fs_drop_descriptor(rw);
    fs_drop_descriptor(ro);
    printf("%s\n", failures ? "some checks FAILED" : "all checks passed");
    fflush(stdout);
    return failures ? 1 : 0;
}
