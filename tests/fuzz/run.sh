#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, build-fuzz/) and runs each for a bounded time, one after
# another (one core each). Usage: tests/fuzz/run.sh [SECONDS_EACH] [FUZZER...]
#   tests/fuzz/run.sh 60                  every fuzzer, 60 s each (the default)
#   tests/fuzz/run.sh 600 gguf_fuzzer     one fuzzer for ten minutes
# Corpora grow in build-fuzz/corpus/<fuzzer>/; crashes, leaks and timeouts land in
# build-fuzz/artifacts/<fuzzer>/, and the script exits non-zero when any fuzzer found one.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
fuzzers=("$@")
if [ ${#fuzzers[@]} -eq 0 ]; then
  fuzzers=(gguf_fuzzer tokenizer_fuzzer wasm_fuzzer wasm_codegen_fuzzer wasi_path_fuzzer)
fi
build=${FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWASMGPU_FUZZ=ON -DWASMGPU_BUILD_GUESTS=OFF >/dev/null
fi
cmake --build "$build" -j "${JOBS:-2}" --target fuzzers

# Seeds: tiny models from the project's GGUF writer, a few texts, the hand-written modules.
seeds="$build/seeds"
mkdir -p "$seeds/gguf_fuzzer" "$seeds/tokenizer_fuzzer" "$seeds/wasm_fuzzer" "$seeds/wasi_path_fuzzer"
[ -n "$(ls -A "$seeds/gguf_fuzzer")" ] || "$build/fuzz/fuzz_seeds" "$seeds/gguf_fuzzer"
cp -n tests/fuzz/seeds/tokenizer/* "$seeds/tokenizer_fuzzer/"
cp -n tests/fuzz/seeds/wasm/*.wasm "$seeds/wasm_fuzzer/"
cp -n tests/fuzz/seeds/wasi/* "$seeds/wasi_path_fuzzer/"
# Guests the main build made, when there is one.
for w in build/examples/hello.wasm build/tests/wasm/guests/report.wasm \
         build/tests/gpu_unit/header_imports/all_imports.wasm; do
  [ -f "$w" ] && cp -n "$w" "$seeds/wasm_fuzzer/" || true
done

status=0
for f in "${fuzzers[@]}"; do
  mkdir -p "$build/corpus/$f" "$build/artifacts/$f"
  seed_dir="$seeds/$f"
  [ "$f" = wasm_codegen_fuzzer ] && seed_dir="$seeds/wasm_fuzzer"
  echo "== $f: ${seconds} s"
  max_len=4096
  extra=()
  [ "$f" = gguf_fuzzer ] && max_len=200000 && extra=(-dict=tests/fuzz/gguf.dict)
  case "$f" in wasm*) max_len=65536 ;; esac
  if ! "$build/fuzz/$f" "$build/corpus/$f" "$seed_dir" -max_total_time="$seconds" \
      -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -artifact_prefix="$build/artifacts/$f/" -print_final_stats=1 "${extra[@]}" 2>"$build/$f.log"; then
    echo "!! $f failed: see $build/$f.log and $build/artifacts/$f/"
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$build/$f.log" || true
done
exit $status
