;; Resource exhaustion: a guest that tries to make the host open, allocate or grow without
;; bound. Each export makes one kind of attempt and returns the errno that stopped it;
;; tests/exhaustion.rs runs them under a counting allocator and checks the host's heap stays
;; bounded. The number of successful opens is kept in the exported global "opened".
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  ;; 2 MiB: room for a 1 MiB path.
  (memory (export "memory") 32)
  (data (i32.const 1024) "f")
  (global $opened (export "opened") (mut i32) (i32.const 0))

  (func (export "_start"))

  ;; Open "f" (read-only, creating it once) until the host says no.
  (func (export "open_loop") (result i32)
    (local $errno i32)
    (loop $again
      (local.set $errno
        (call $path_open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 1)
          (i32.const 1) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16)))
      (if (i32.eqz (local.get $errno))
        (then
          (global.set $opened (i32.add (global.get $opened) (i32.const 1)))
          (br_if $again (i32.lt_u (global.get $opened) (i32.const 100000))))))
    (local.get $errno))

  ;; Renumber onto fds far beyond anything open.
  (func (export "renumber_huge") (result i32)
    (i32.or
      (i32.or
        (call $fd_renumber (i32.const 3) (i32.const 0x7fffffff))
        (call $fd_renumber (i32.const 3) (i32.const 0x100000)))
      (call $fd_renumber (i32.const 3) (i32.const -1))))

  ;; A readdir buffer larger than memory (EFAULT), then one as large as memory allows.
  (func (export "readdir_huge_oob") (result i32)
    (call $fd_readdir (i32.const 3) (i32.const 4096) (i32.const 0x7fffffff) (i64.const 0) (i32.const 8)))
  (func (export "readdir_huge_ok") (result i32)
    (call $fd_readdir (i32.const 3) (i32.const 4096) (i32.const 0x1ff000) (i64.const 0) (i32.const 8)))

  ;; 2^28 subscriptions: 12 GiB of subscription records that memory cannot hold.
  (func (export "poll_huge") (result i32)
    (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 0x10000000) (i32.const 8)))
  ;; Nearly as many as fit: 24576 subscriptions (1.125 MiB) + their events (0.75 MiB), garbage.
  (func (export "poll_fits") (result i32)
    (memory.fill (i32.const 0) (i32.const 0xff) (i32.const 0x200000))
    (call $poll_oneoff (i32.const 0) (i32.const 0x120000) (i32.const 0x6000) (i32.const 0x1f0000)))

  ;; A 1 MiB path of "a/a/a/…".
  (func (export "long_path") (result i32)
    (local $i i32)
    (loop $fill
      (i32.store16 (i32.add (i32.const 0x100000) (local.get $i)) (i32.const 0x2f61))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 0x100000))))
    (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x100000) (i32.const 0x100000)
      (i32.const 64)))

  ;; argv pointers written past the end of memory.
  (func (export "args_oob") (result i32)
    (call $args_get (i32.const 0x1ffffc) (i32.const 0)))

  ;; Still alive: write "alive\n" to stdout.
  (func (export "alive") (result i32)
    (i32.store (i32.const 2048) (i32.const 2056))
    (i32.store (i32.const 2052) (i32.const 6))
    (i64.store (i32.const 2056) (i64.const 0x0a6576696c61))
    (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2064)))
)
