#!/usr/bin/env bash
# Runs cpu_generate natively and as a wasm32-wasi module under Node's WASI on the same model and
# checks both print the same tokens, greedy and sampled. Usage: wasm32_parity.sh NATIVE WASM GGUF
set -euo pipefail
native=$1 wasm=$2 model=$3
dir=$(cd "$(dirname "$model")" && pwd)
name=$(basename "$model")
run_wasm() {
  node --no-warnings -e '
    const { WASI } = require("node:wasi");
    const fs = require("fs");
    const [wasm, dir, ...args] = process.argv.slice(1);
    const wasi = new WASI({ version: "preview1", args: ["cpu_generate", ...args],
                            preopens: { "/models": dir } });
    WebAssembly.instantiate(fs.readFileSync(wasm), wasi.getImportObject())
      .then(({ instance }) => process.exit(wasi.start(instance)));
  ' "$wasm" "$dir" "/models/$name" "$@"
}
status=0
for args in "0 0" "0.9 42"; do
  set -- "once upon a time" 8 $args
  want=$("$native" "$model" "$@")
  got=$(run_wasm "$@")
  if [ "$want" != "$got" ]; then
    echo "MISMATCH for temperature/seed $args:"; echo "native: $want"; echo "wasm32: $got"; status=1
  else
    echo "same for temperature/seed $args: $want"
  fi
done
exit $status
