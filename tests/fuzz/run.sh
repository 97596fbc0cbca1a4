#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the libFuzzer targets in a build directory of their own, with
# clang, and runs each for SECONDS (default 60) from its seed corpus.
# Installs nothing: see README.md for the Debian packages it needs.
#
#   tests/fuzz/run.sh [SECONDS]
#
# FUZZ_BUILDDIR    the build directory (default $TMPDIR/libdgateway-fuzz)
# FUZZ_ARGS        more libFuzzer options for every target, e.g. "-jobs=4"
#
# New inputs go to FUZZ_BUILDDIR/tests/fuzz/corpus-*, crashes to
# FUZZ_BUILDDIR/tests/fuzz/artifacts-*/; the seed corpora stay as they are.
# Exits non-zero if a target finds a crash, a leak or undefined behaviour.

set -euo pipefail

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build_dir=${FUZZ_BUILDDIR:-${TMPDIR:-/tmp}/libdgateway-fuzz}
targets=(document inflater etf)

for tool in clang meson ninja; do
  if ! command -v "$tool" > /dev/null; then
    echo "run.sh: $tool is missing (Debian: clang libclang-rt-14-dev meson ninja-build)" >&2
    exit 2
  fi
done

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang meson setup "$build_dir" "$source_dir" \
    -Dfuzzing=true -Dintrospection=false -Dexamples=false -Ddocumentation=disabled
fi
ninja -C "$build_dir" "${targets[@]/#/tests/fuzz/fuzz-}"

# GLib 2.74 still has its own slice allocator: ASan sees more without it.
export G_SLICE=always-malloc
# Symbolised stack traces need llvm-symbolizer (Debian: llvm-14).
for symbolizer in "$(command -v llvm-symbolizer || true)" /usr/lib/llvm-14/bin/llvm-symbolizer; do
  if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x "$symbolizer" ]; then
    export ASAN_SYMBOLIZER_PATH=$symbolizer
  fi
done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for target in "${targets[@]}"; do
  work="$build_dir/tests/fuzz/corpus-$target"
  # fuzz-etf starts from the ETF conformance fixtures themselves.
  seeds="$here/corpus-$target"
  if [ "$target" = etf ]; then
    seeds="$here/../etf"
  fi
  artifacts="$build_dir/tests/fuzz/artifacts-$target/"
  dict=()
  if [ -f "$here/$target.dict" ]; then
    dict=(-dict="$here/$target.dict")
  fi
  mkdir -p "$work" "$artifacts"

  echo "run.sh: fuzz-$target for $seconds s"
  # shellcheck disable=SC2086
  if ! "$build_dir/tests/fuzz/fuzz-$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}" ${FUZZ_ARGS:-} \
      "$work" "$seeds"; then
    echo "run.sh: fuzz-$target failed; the input is in $artifacts" >&2
    status=1
  fi
done

exit $status
