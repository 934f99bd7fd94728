;; A module that exports no memory (expectations in tests/hostile.rs). Calls that need no guest
;; memory work; calls that must read or write memory see an empty one and answer EFAULT — the
;; host never panics or traps for want of a memory.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (func (export "_start"))
  (func (export "sched_yield") (result i32) (call $sched_yield))
  (func (export "fd_close_minus_1") (result i32) (call $fd_close (i32.const -1)))
  (func (export "fd_sync_stdout") (result i32) (call $fd_sync (i32.const 1)))
  (func (export "fd_renumber_2_to_2") (result i32) (call $fd_renumber (i32.const 2) (i32.const 2)))
  (func (export "fd_write_no_memory") (result i32)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "clock_time_get_no_memory") (result i32)
    (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0)))
  (func (export "args_sizes_get_no_memory") (result i32)
    (call $args_sizes_get (i32.const 0) (i32.const 0)))
  (func (export "random_get_empty") (result i32) (call $random_get (i32.const 0) (i32.const 0)))
  (func (export "random_get_no_memory") (result i32)
    (call $random_get (i32.const 0) (i32.const 1)))
  (func (export "path_create_directory_no_memory") (result i32)
    (call $path_create_directory (i32.const 3) (i32.const 0) (i32.const 1)))
  (func (export "poll_oneoff_no_memory") (result i32)
    (call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))))
