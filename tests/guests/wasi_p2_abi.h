/* WASI 0.2 (`@0.2.12`) filesystem, preopens and streams imports, declared by hand at the
 * canonical ABI level, for a preview 1 C guest that calls the 0.2 interfaces directly (the
 * preview 1 adapter still serves wasi-libc's printf and main).
 *
 * Lowering follows the Component Model's CanonicalABI.md (design/mvp):
 * - flattening: a handle, enum, `bool` or `flags` (<= 32 bits) is one i32, `u64` one i64, a
 *   `string`/`list<u8>` two i32 (pointer, length), a variant the i32 discriminant followed by
 *   the joined flattening of its cases (`new-timestamp` = i32 tag, i64 seconds, i32 nanos);
 * - more than one flat result (every `result<..>`, `option<..>`, `list<..>` here) is returned
 *   through a pointer the caller passes as the last parameter, to a buffer laid out as the
 *   type is in memory: fields at their natural alignment, a variant's payload after its
 *   discriminant at the payload's largest alignment, and the whole padded to its alignment;
 * - no signature here has more than 16 flat parameters (`set-times-at` has 10);
 * - strings and lists the host returns are allocated through the module's exported
 *   `cabi_realloc` (defined in p2_direct.c), so the guest frees them.
 * wasm32's C layout of these structs is exactly that layout; the _Static_asserts below check
 * every offset and size the guest relies on. */
#ifndef CAPWASI_WASI_P2_ABI_H
#define CAPWASI_WASI_P2_ABI_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t handle_t;

/* --- wasi:filesystem/types enums and flags, in declaration order --- */

enum descriptor_type {
    DT_UNKNOWN,
    DT_BLOCK_DEVICE,
    DT_CHARACTER_DEVICE,
    DT_DIRECTORY,
    DT_FIFO,
    DT_SYMBOLIC_LINK,
    DT_REGULAR_FILE,
    DT_SOCKET,
};

/* descriptor-flags: bit i is the i-th flag. */
#define DF_READ 0x01
#define DF_WRITE 0x02
#define DF_FILE_INTEGRITY_SYNC 0x04
#define DF_DATA_INTEGRITY_SYNC 0x08
#define DF_REQUESTED_WRITE_SYNC 0x10
#define DF_MUTATE_DIRECTORY 0x20

/* path-flags */
#define NOFOLLOW 0
#define FOLLOW 0x01

/* open-flags */
#define OF_CREATE 0x01
#define OF_DIRECTORY 0x02
#define OF_EXCLUSIVE 0x04
#define OF_TRUNCATE 0x08

enum error_code {
    E_ACCESS,
    E_WOULD_BLOCK,
    E_ALREADY,
    E_BAD_DESCRIPTOR,
    E_BUSY,
    E_DEADLOCK,
    E_QUOTA,
    E_EXIST,
    E_FILE_TOO_LARGE,
    E_ILLEGAL_BYTE_SEQUENCE,
    E_IN_PROGRESS,
    E_INTERRUPTED,
    E_INVALID,
    E_IO,
    E_IS_DIRECTORY,
    E_LOOP,
    E_TOO_MANY_LINKS,
    E_MESSAGE_SIZE,
    E_NAME_TOO_LONG,
    E_NO_DEVICE,
    E_NO_ENTRY,
    E_NO_LOCK,
    E_INSUFFICIENT_MEMORY,
    E_INSUFFICIENT_SPACE,
    E_NOT_DIRECTORY,
    E_NOT_EMPTY,
    E_NOT_RECOVERABLE,
    E_UNSUPPORTED,
    E_NO_TTY,
    E_NO_SUCH_DEVICE,
    E_OVERFLOW,
    E_NOT_PERMITTED,
    E_PIPE,
    E_READ_ONLY,
    E_INVALID_SEEK,
    E_TEXT_FILE_BUSY,
    E_CROSS_DEVICE,
    E_COUNT, /* not a case: the number of cases */
};

enum advice {
    ADVICE_NORMAL,
    ADVICE_SEQUENTIAL,
    ADVICE_RANDOM,
    ADVICE_WILL_NEED,
    ADVICE_DONT_NEED,
    ADVICE_NO_REUSE,
};

/* new-timestamp discriminants */
#define TS_NO_CHANGE 0
#define TS_NOW 1
#define TS_TIMESTAMP 2

/* --- memory layouts --- */

/* string / list<u8> */
typedef struct {
    uint8_t *ptr;
    size_t len;
} bytes_t;
_Static_assert(sizeof(bytes_t) == 8 && alignof(bytes_t) == 4, "list<u8>");

/* wasi:clocks/wall-clock datetime: record { seconds: u64, nanoseconds: u32 } */
typedef struct {
    uint64_t seconds;
    uint32_t nanoseconds;
} datetime_t;
_Static_assert(sizeof(datetime_t) == 16 && alignof(datetime_t) == 8, "datetime");
_Static_assert(offsetof(datetime_t, nanoseconds) == 8, "datetime.nanoseconds");

/* option<datetime> */
typedef struct {
    uint8_t is_some;
    datetime_t val;
} option_datetime_t;
_Static_assert(sizeof(option_datetime_t) == 24 && offsetof(option_datetime_t, val) == 8,
               "option<datetime>");

/* descriptor-stat */
typedef struct {
    uint8_t type;
    uint64_t link_count;
    uint64_t size;
    option_datetime_t data_access_timestamp;
    option_datetime_t data_modification_timestamp;
    option_datetime_t status_change_timestamp;
} descriptor_stat_t;
_Static_assert(offsetof(descriptor_stat_t, link_count) == 8, "stat.link-count");
_Static_assert(offsetof(descriptor_stat_t, size) == 16, "stat.size");
_Static_assert(offsetof(descriptor_stat_t, data_access_timestamp) == 24, "stat.atim");
_Static_assert(offsetof(descriptor_stat_t, data_modification_timestamp) == 48, "stat.mtim");
_Static_assert(offsetof(descriptor_stat_t, status_change_timestamp) == 72, "stat.ctim");
_Static_assert(sizeof(descriptor_stat_t) == 96 && alignof(descriptor_stat_t) == 8, "stat");

/* result<_, error-code>: discriminant, then the error-code (an enum of 37 cases: u8). */
typedef struct {
    uint8_t is_err;
    uint8_t err;
} result_void_t;
_Static_assert(sizeof(result_void_t) == 2 && offsetof(result_void_t, err) == 1, "result<_,e>");

/* result<descriptor-type, error-code> and result<descriptor-flags, error-code>: both cases u8 */
typedef struct {
    uint8_t is_err;
    uint8_t val; /* the type/flags, or the error-code */
} result_u8_t;
_Static_assert(sizeof(result_u8_t) == 2 && offsetof(result_u8_t, val) == 1, "result<u8,e>");

/* result<own<T>, error-code> for descriptor, input-stream, output-stream,
 * directory-entry-stream */
typedef struct {
    uint8_t is_err;
    union {
        handle_t ok;
        uint8_t err;
    } val;
} result_handle_t;
_Static_assert(sizeof(result_handle_t) == 8 && offsetof(result_handle_t, val) == 4,
               "result<handle,e>");

/* result<tuple<list<u8>, bool>, error-code> */
typedef struct {
    uint8_t is_err;
    union {
        struct {
            bytes_t data;
            uint8_t end;
        } ok;
        uint8_t err;
    } val;
} result_read_t;
_Static_assert(offsetof(result_read_t, val) == 4, "result<tuple,e> payload");
_Static_assert(offsetof(result_read_t, val.ok.end) == 12, "tuple.1");
_Static_assert(sizeof(result_read_t) == 16, "result<tuple<list<u8>,bool>,e>");

/* result<filesize, error-code> */
typedef struct {
    uint8_t is_err;
    union {
        uint64_t ok;
        uint8_t err;
    } val;
} result_u64_t;
_Static_assert(sizeof(result_u64_t) == 16 && offsetof(result_u64_t, val) == 8, "result<u64,e>");

/* result<descriptor-stat, error-code> */
typedef struct {
    uint8_t is_err;
    union {
        descriptor_stat_t ok;
        uint8_t err;
    } val;
} result_stat_t;
_Static_assert(sizeof(result_stat_t) == 104 && offsetof(result_stat_t, val) == 8,
               "result<descriptor-stat,e>");

/* result<string, error-code> */
typedef struct {
    uint8_t is_err;
    union {
        bytes_t ok;
        uint8_t err;
    } val;
} result_string_t;
_Static_assert(sizeof(result_string_t) == 12 && offsetof(result_string_t, val) == 4,
               "result<string,e>");

/* metadata-hash-value and result<metadata-hash-value, error-code> */
typedef struct {
    uint64_t lower;
    uint64_t upper;
} hash_t;
typedef struct {
    uint8_t is_err;
    union {
        hash_t ok;
        uint8_t err;
    } val;
} result_hash_t;
_Static_assert(sizeof(hash_t) == 16 && offsetof(hash_t, upper) == 8, "metadata-hash-value");
_Static_assert(sizeof(result_hash_t) == 24 && offsetof(result_hash_t, val) == 8,
               "result<metadata-hash-value,e>");

/* directory-entry, option<directory-entry>, result<option<directory-entry>, error-code> */
typedef struct {
    uint8_t type;
    bytes_t name;
} directory_entry_t;
typedef struct {
    uint8_t is_some;
    directory_entry_t val;
} option_entry_t;
typedef struct {
    uint8_t is_err;
    union {
        option_entry_t ok;
        uint8_t err;
    } val;
} result_entry_t;
_Static_assert(sizeof(directory_entry_t) == 12 && offsetof(directory_entry_t, name) == 4,
               "directory-entry");
_Static_assert(sizeof(option_entry_t) == 16 && offsetof(option_entry_t, val) == 4,
               "option<directory-entry>");
_Static_assert(sizeof(result_entry_t) == 20 && offsetof(result_entry_t, val) == 4,
               "result<option<directory-entry>,e>");

/* option<error-code> */
typedef struct {
    uint8_t is_some;
    uint8_t val;
} option_code_t;
_Static_assert(sizeof(option_code_t) == 2 && offsetof(option_code_t, val) == 1,
               "option<error-code>");

/* list<tuple<descriptor, string>> (get-directories) */
typedef struct {
    handle_t descriptor;
    bytes_t name;
} preopen_t;
typedef struct {
    preopen_t *ptr;
    size_t len;
} preopen_list_t;
_Static_assert(sizeof(preopen_t) == 12 && offsetof(preopen_t, name) == 4,
               "tuple<descriptor,string>");

/* wasi:io/streams stream-error: variant { last-operation-failed(own<error>), closed } */
#define STREAM_LAST_OPERATION_FAILED 0
#define STREAM_CLOSED 1
typedef struct {
    uint8_t tag;
    handle_t error;
} stream_error_t;
_Static_assert(sizeof(stream_error_t) == 8 && offsetof(stream_error_t, error) == 4,
               "stream-error");

/* result<list<u8>, stream-error> */
typedef struct {
    uint8_t is_err;
    union {
        bytes_t ok;
        stream_error_t err;
    } val;
} result_bytes_stream_t;
_Static_assert(sizeof(result_bytes_stream_t) == 12 && offsetof(result_bytes_stream_t, val) == 4,
               "result<list<u8>,stream-error>");

/* result<_, stream-error> */
typedef struct {
    uint8_t is_err;
    stream_error_t err;
} result_void_stream_t;
_Static_assert(sizeof(result_void_stream_t) == 12 && offsetof(result_void_stream_t, err) == 4,
               "result<_,stream-error>");

/* --- imports --- */

#define FS_TYPES(name) \
    __attribute__((import_module("wasi:filesystem/types@0.2.12"), import_name(name)))
#define FS_PREOPENS(name) \
    __attribute__((import_module("wasi:filesystem/preopens@0.2.12"), import_name(name)))
#define IO_STREAMS(name) \
    __attribute__((import_module("wasi:io/streams@0.2.12"), import_name(name)))
#define IO_ERROR(name) __attribute__((import_module("wasi:io/error@0.2.12"), import_name(name)))

/* new-timestamp flattened: tag, seconds, nanoseconds */
#define TS_PARAMS(p) int32_t p##_tag, int64_t p##_seconds, int32_t p##_nanoseconds

FS_TYPES("[method]descriptor.read-via-stream")
void fs_read_via_stream(handle_t self, uint64_t offset, result_handle_t *ret);
FS_TYPES("[method]descriptor.write-via-stream")
void fs_write_via_stream(handle_t self, uint64_t offset, result_handle_t *ret);
FS_TYPES("[method]descriptor.append-via-stream")
void fs_append_via_stream(handle_t self, result_handle_t *ret);
FS_TYPES("[method]descriptor.advise")
void fs_advise(handle_t self, uint64_t offset, uint64_t length, int32_t advice,
               result_void_t *ret);
FS_TYPES("[method]descriptor.sync-data")
void fs_sync_data(handle_t self, result_void_t *ret);
FS_TYPES("[method]descriptor.get-flags")
void fs_get_flags(handle_t self, result_u8_t *ret);
FS_TYPES("[method]descriptor.get-type")
void fs_get_type(handle_t self, result_u8_t *ret);
FS_TYPES("[method]descriptor.set-size")
void fs_set_size(handle_t self, uint64_t size, result_void_t *ret);
FS_TYPES("[method]descriptor.set-times")
void fs_set_times(handle_t self, TS_PARAMS(atim), TS_PARAMS(mtim), result_void_t *ret);
FS_TYPES("[method]descriptor.read")
void fs_read(handle_t self, uint64_t length, uint64_t offset, result_read_t *ret);
FS_TYPES("[method]descriptor.write")
void fs_write(handle_t self, const void *buf, size_t len, uint64_t offset, result_u64_t *ret);
FS_TYPES("[method]descriptor.read-directory")
void fs_read_directory(handle_t self, result_handle_t *ret);
FS_TYPES("[method]descriptor.sync")
void fs_sync(handle_t self, result_void_t *ret);
FS_TYPES("[method]descriptor.create-directory-at")
void fs_create_directory_at(handle_t self, const char *path, size_t path_len,
                            result_void_t *ret);
FS_TYPES("[method]descriptor.stat")
void fs_stat(handle_t self, result_stat_t *ret);
FS_TYPES("[method]descriptor.stat-at")
void fs_stat_at(handle_t self, int32_t path_flags, const char *path, size_t path_len,
                result_stat_t *ret);
FS_TYPES("[method]descriptor.set-times-at")
void fs_set_times_at(handle_t self, int32_t path_flags, const char *path, size_t path_len,
                     TS_PARAMS(atim), TS_PARAMS(mtim), result_void_t *ret);
FS_TYPES("[method]descriptor.link-at")
void fs_link_at(handle_t self, int32_t old_path_flags, const char *old_path, size_t old_len,
                handle_t new_descriptor, const char *new_path, size_t new_len,
                result_void_t *ret);
FS_TYPES("[method]descriptor.open-at")
void fs_open_at(handle_t self, int32_t path_flags, const char *path, size_t path_len,
                int32_t open_flags, int32_t flags, result_handle_t *ret);
FS_TYPES("[method]descriptor.readlink-at")
void fs_readlink_at(handle_t self, const char *path, size_t path_len, result_string_t *ret);
FS_TYPES("[method]descriptor.remove-directory-at")
void fs_remove_directory_at(handle_t self, const char *path, size_t path_len,
                            result_void_t *ret);
FS_TYPES("[method]descriptor.rename-at")
void fs_rename_at(handle_t self, const char *old_path, size_t old_len, handle_t new_descriptor,
                  const char *new_path, size_t new_len, result_void_t *ret);
FS_TYPES("[method]descriptor.symlink-at")
void fs_symlink_at(handle_t self, const char *old_path, size_t old_len, const char *new_path,
                   size_t new_len, result_void_t *ret);
FS_TYPES("[method]descriptor.unlink-file-at")
void fs_unlink_file_at(handle_t self, const char *path, size_t path_len, result_void_t *ret);
FS_TYPES("[method]descriptor.is-same-object")
int32_t fs_is_same_object(handle_t self, handle_t other);
FS_TYPES("[method]descriptor.metadata-hash")
void fs_metadata_hash(handle_t self, result_hash_t *ret);
FS_TYPES("[method]descriptor.metadata-hash-at")
void fs_metadata_hash_at(handle_t self, int32_t path_flags, const char *path, size_t path_len,
                         result_hash_t *ret);
FS_TYPES("[method]directory-entry-stream.read-directory-entry")
void fs_read_directory_entry(handle_t self, result_entry_t *ret);
FS_TYPES("filesystem-error-code")
void fs_filesystem_error_code(handle_t err, option_code_t *ret);
FS_TYPES("[resource-drop]descriptor")
void fs_drop_descriptor(handle_t self);
FS_TYPES("[resource-drop]directory-entry-stream")
void fs_drop_directory_entry_stream(handle_t self);

FS_PREOPENS("get-directories")
void fs_get_directories(preopen_list_t *ret);

IO_STREAMS("[method]input-stream.blocking-read")
void io_blocking_read(handle_t self, uint64_t len, result_bytes_stream_t *ret);
IO_STREAMS("[method]output-stream.blocking-write-and-flush")
void io_blocking_write_and_flush(handle_t self, const void *buf, size_t len,
                                 result_void_stream_t *ret);
IO_STREAMS("[resource-drop]input-stream")
void io_drop_input_stream(handle_t self);
IO_STREAMS("[resource-drop]output-stream")
void io_drop_output_stream(handle_t self);
IO_ERROR("[resource-drop]error")
void io_drop_error(handle_t self);

#endif
