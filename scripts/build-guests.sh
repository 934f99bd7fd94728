#!/bin/sh
# Builds the C and Rust test guests and examples into committed .wasm files.
#
#   scripts/build-guests.sh           rebuild tests/guests/*.{c,rs} and examples/*.c in place
#   scripts/build-guests.sh --check   rebuild into a temp dir; fail, listing the files, if any
#                                     committed .wasm is missing or differs from its source
#
# Every file gets the same flags so the output is a pure function of the source and the
# toolchain (Debian clang + lld + wasi-libc; Debian rustc + libstd-rust-dev-wasm32 for the
# single-file Rust guests); that is what makes --check meaningful in CI.
set -eu

CC=${CC:-clang}
CFLAGS="--target=wasm32-wasi -O2 -Wall -Werror"
# Debian's rustc, not rustup's: it is the one with a wasm32-wasi standard library installed.
RUSTC=${RUSTC:-/usr/bin/rustc}
RUSTFLAGS_GUEST="--target wasm32-wasi -O -C debuginfo=0 --deny warnings"

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

check=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

out_root=$root
if [ "$check" = 1 ]; then
    out_root=$(mktemp -d)
    trap 'rm -rf "$out_root"' EXIT
fi

bad=""
count=0
for src in tests/guests/*.c examples/*.c tests/guests/*.rs; do
    # An unmatched glob stays literal (e.g. no examples/ yet).
    [ -f "$src" ] || continue
    wasm=${src%.*}.wasm
    out=$out_root/$wasm
    mkdir -p "$(dirname "$out")"
    case "$src" in
    *.c) $CC $CFLAGS "$src" -o "$out" ;;
    *.rs) $RUSTC $RUSTFLAGS_GUEST "$src" -o "$out" ;;
    esac
    count=$((count + 1))
    if [ "$check" = 1 ]; then
        if [ ! -f "$wasm" ]; then
            bad="$bad $wasm(missing)"
        elif ! cmp -s "$out" "$wasm"; then
            bad="$bad $wasm(differs)"
        fi
    fi
done

if [ -n "$bad" ]; then
    echo "guest .wasm files out of date; run scripts/build-guests.sh:" >&2
    for f in $bad; do echo "  $f" >&2; done
    exit 1
fi
if [ "$check" = 1 ]; then
    echo "$count guest(s) up to date"
else
    echo "built $count guest(s)"
fi
