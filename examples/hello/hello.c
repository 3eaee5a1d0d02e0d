// The smallest wasmgpu guest: an ordinary wasi-libc program.
//   wasmgpu run build/examples/hello.wasm world
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello, %s!\n", argc > 1 ? argv[1] : "wasmgpu");
  return 0;
}
