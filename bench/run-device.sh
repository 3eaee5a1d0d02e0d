#!/bin/bash
# Device run for bench/results/zero-copy-h100.md (cts helper). Writes everything to $OUT.
cd "$(dirname "$0")"
export LD_LIBRARY_PATH=$PWD/lib
D=$OUT/diag.txt
(nvidia-smi; nvidia-smi -L; lscpu | head -20; uname -a; free -g) > $OUT/machine.txt 2>&1
ls -la /usr/local/nvidia/share/vulkan/icd.d/ /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ > $D 2>&1
ldconfig -p | grep -E 'libvulkan|GLdispatch|libX11' >> $D
try_info() { ./wasmgpu info --json > $OUT/info.json 2>&1; }
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if ! try_info; then
  echo "== attempt 1 failed (VK_DRIVER_FILES=$VK_DRIVER_FILES)" >> $D
  cat "$VK_DRIVER_FILES" >> $D 2>&1
  LIB=$(grep -o '"library_path"[^,]*' "$VK_DRIVER_FILES" | sed 's/.*: *"//;s/".*//')
  echo "library $LIB" >> $D; ldd "$(ldconfig -p | grep -m1 "$LIB" | sed 's/.*=> //')" >> $D 2>&1; ldd "$LIB" >> $D 2>&1
  VK_LOADER_DEBUG=error,warn,driver ./wasmgpu bench floor --iterations 3 >> $D 2>&1
  mkdir -p /tmp/xlibs && for f in xdebs/*.deb; do dpkg -x $f /tmp/xlibs; done
  export LD_LIBRARY_PATH=$PWD/lib:/tmp/xlibs/usr/lib/x86_64-linux-gnu:/tmp/xlibs/lib/x86_64-linux-gnu
  if ! try_info; then
    echo "== attempt 2 (x libs) failed" >> $D
    unset VK_DRIVER_FILES
    try_info || { echo "== attempt 3 (no VK_DRIVER_FILES) failed" >> $D; VK_LOADER_DEBUG=error,warn,driver ./wasmgpu bench floor --iterations 3 >> $D 2>&1; exit 1; }
  fi
fi
echo "== info ok; VK_DRIVER_FILES=$VK_DRIVER_FILES LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >> $D
./wasmgpu bench floor --iterations 2000 >> $D 2>&1
./wasmgpu bench zero-copy --json --iterations 50 > $OUT/zero-copy.json 2>> $D; echo "json rc=$?" >> $D
./wasmgpu bench zero-copy --iterations 50 > $OUT/zero-copy.txt 2>&1; echo "table rc=$?" >> $D
timeout 120 ./gpu_conformance_test --gtest_brief=1 > $OUT/cts.txt 2>&1; echo "cts rc=$?" >> $D
