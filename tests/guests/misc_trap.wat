;; Opens a file from preopen fd 3 (path "f"), leaves it open and traps: the host must still
;; close every fd the guest held (DESIGN.md §2.7).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "f")
  (func (export "_start")
    ;; fd 3, follow symlinks, path "f" (1 byte), no oflags, FD_READ, no inheriting rights,
    ;; no fdflags, new fd stored at 32. Trap unless it opened.
    (if (call $path_open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0)
          (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 32))
      (then (return)))
    unreachable))
