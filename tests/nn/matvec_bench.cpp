// Decode matrix-vector kernels side by side on one matrix shape, compiled from their GLSL at run
// time so that variants (defines) can be compared without a rebuild (a benchmark for kernel work,
// not a test: it asserts nothing; docs/decode-matvec.md). Each timing is one submit of `reps`
// dependent dispatches, cycling through `copies` copies of the weights so that the L2 cache holds
// none of them (set copies to 1 to measure the cache-resident case), median of 5 submits. Each
// variant's output is checked against a CPU product first and marked "ok" or "WRONG".
//
//   nn_matvec_bench KERNELS_DIR TYPE ROWS N_IN KIND COPIES VARIANT...
//     TYPE f32|f16|q8_0|q4_0; ROWS weight rows; KIND plain|norm|ffn (ffn: ROWS/2 outputs);
//     VARIANT  FILE.glsl:WEIGHT_ROWS_PER_WORKGROUP[:DEFINE[=VALUE],...[:PAIRS]]  (PAIRS: the
//              `pairs` push constant of matvec_wide/matvec_pipe, default 1)
//   e.g. nn_matvec_bench src/nn/kernels q4_0 32000 2048 norm 4
//          matvec_wide.glsl:8:W_Q4_0,Q4_SCALED_X,USE_SUBGROUPS,NORM
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "nn/gpu/gpu_context.h"
#include "nn/gpu/weight_layout.h"
#include "nn/reference/llama_cpu.h"
#include "nn/tensor_types.h"
#include "storage_kernel.h"

namespace wasmgpu::nn {
namespace {

struct Params {
  uint32_t rows, n_in, qoff, out_offset, accumulate, norm_offset;
  float eps;
  uint32_t pairs;
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

// `file` with its #include "x" lines replaced by the files (from `dir`) and `defines` after #version.
bool Expand(const std::string& dir, const std::string& file, std::string* out, int depth = 0) {
  std::string text;
  if (depth > 8 || !ReadFile(dir + "/" + file, &text)) {
    std::fprintf(stderr, "cannot read %s/%s\n", dir.c_str(), file.c_str());
    return false;
  }
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t q = line.find('"');
    if (line.rfind("#include", 0) == 0 && q != std::string::npos) {
      const size_t e = line.find('"', q + 1);
      if (!Expand(dir, line.substr(q + 1, e - q - 1), out, depth + 1)) return false;
    } else if (line.find("GL_GOOGLE_include_directive") == std::string::npos) {
      *out += line + "\n";
    }
  }
  return true;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  return parts;
}

WGPUBuffer Buffer(GpuContext& c, uint64_t bytes, const void* data = nullptr) {
  WGPUBuffer b = c.CreateBuffer(std::max<uint64_t>(bytes, 16),
                                WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst |
                                    WGPUBufferUsage_CopySrc,
                                "bench");
  if (data != nullptr) wgpuQueueWriteBuffer(c.queue(), b, 0, data, bytes);
  return b;
}

int Main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: nn_matvec_bench KERNELS_DIR TYPE ROWS N_IN plain|norm|ffn COPIES "
                         "FILE.glsl:ROWS_PER_WORKGROUP[:DEFINES]...\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto type = ParseGgmlType(argv[2]);
  const uint32_t rows = static_cast<uint32_t>(std::atoi(argv[3]));
  const uint32_t n_in = static_cast<uint32_t>(std::atoi(argv[4]));
  const std::string kind = argv[5];
  const uint32_t copies = std::max(1, std::atoi(argv[6]));
  if (!type || rows == 0 || n_in % 32 != 0 || (kind == "ffn" && rows % 2 != 0)) {
    std::fprintf(stderr, "bad type, rows or n_in\n");
    return 2;
  }
  auto ctx = GpuContext::Create();
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s\n", ctx.error().message.c_str());
    return 1;
  }
  GpuContext& c = *ctx;
  const bool norm = kind != "plain", ffn = kind == "ffn";
  const uint32_t outputs = ffn ? rows / 2 : rows;

  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> wf(uint64_t{rows} * n_in), x(n_in), nw(n_in);
  for (float& v : wf) v = 0.02f * nd(rng);
  for (float& v : x) v = nd(rng);
  for (float& v : nw) v = 1.0f + 0.1f * nd(rng);
  const uint64_t row_bytes = RowBytes(*type, n_in);
  std::vector<uint8_t> bytes(row_bytes * rows);
  for (uint32_t r = 0; r < rows; ++r) {
    QuantizeRow(*type, &wf[uint64_t{r} * n_in], bytes.data() + r * row_bytes, n_in);
  }
  TensorView view;
  view.name = "w";
  view.type = *type;
  view.n_dims = 2;
  view.ne[0] = n_in;
  view.ne[1] = rows;
  view.data = bytes.data();
  view.n_bytes = bytes.size();
  // The CPU product of the quantized weights, with x as floats (want[0]) and quantized to 8 bits
  // as matvec_dot8.glsl does (want[1]).
  std::vector<double> want[2];
  {
    double ss = 0;
    for (float v : x) ss += double(v) * v;
    const double inv = norm ? 1.0 / std::sqrt(ss / n_in + 1e-5) : 1.0;
    std::vector<float> xn(n_in), dots(rows), qdots(rows);
    for (uint32_t j = 0; j < n_in; ++j) xn[j] = x[j] * (norm ? nw[j] : 1.0f);
    MatVec(view, xn.data(), dots.data());
    MatVecQuantizedX(view, xn.data(), qdots.data());
    for (const std::vector<float>* d : {&dots, &qdots}) {
      std::vector<double>& w = want[d == &qdots];
      w.resize(outputs);
      for (uint32_t o = 0; o < outputs; ++o) {
        const double a = (*d)[ffn ? 2 * o : o] * inv, b = ffn ? (*d)[2 * o + 1] * inv : 0.0;
        w[o] = ffn ? a / (1.0 + std::exp(-a)) * b : a;
      }
    }
  }
  const WeightChunk chunk = PackRows(view, 0, rows);
  const uint64_t wbytes = chunk.words.size() * 4;
  std::vector<WGPUBuffer> wbufs;
  for (uint32_t i = 0; i < copies; ++i) wbufs.push_back(Buffer(c, wbytes, chunk.words.data()));
  WGPUBuffer xb = Buffer(c, n_in * 4, x.data()), nb = Buffer(c, n_in * 4, nw.data());
  WGPUBuffer yb = Buffer(c, outputs * 4);
  WGPUBuffer rb = c.CreateBuffer(outputs * 4, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst,
                                 "readback");
  std::printf("adapter %s | %s %s %u x %u, %.2f MB, %u copies\n", c.adapter_name().c_str(),
              argv[2], kind.c_str(), rows, n_in, wbytes / 1e6, copies);

  for (int a = 7; a < argc; ++a) {
    const std::vector<std::string> parts = Split(argv[a], ':');
    if (parts.size() < 2) {
      std::fprintf(stderr, "bad variant %s\n", argv[a]);
      return 2;
    }
    const uint32_t per_group = static_cast<uint32_t>(std::atoi(parts[1].c_str()));
    std::string defines;
    if (parts.size() > 2 && !parts[2].empty()) {
      for (std::string d : Split(parts[2], ',')) {
        const size_t eq = d.find('=');
        if (eq != std::string::npos) d[eq] = ' ';
        defines += "#define " + d + "\n";
      }
    }
    std::string src = "#version 450\n" + defines;
    if (!Expand(dir, parts[0], &src)) return 1;
    WGPUShaderSourceGLSL glsl{};
    glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
    glsl.code = WGPUStringView{src.data(), src.size()};
    WGPUShaderModuleDescriptor md{};
    md.nextInChain = &glsl.chain;
    WGPUShaderModule module = wgpuDeviceCreateShaderModule(c.device(), &md);
    std::vector<std::vector<WGPUBuffer>> sets;
    for (WGPUBuffer w : wbufs) {
      sets.push_back({w, xb, yb});
      if (norm) sets.back().push_back(nb);
    }
    std::vector<bool> writable = {false, false, true};
    if (norm) writable.push_back(false);
    const test::StorageKernel k =
        test::MakeStorageKernel(c, module, writable, sizeof(Params), sets);
    wgpuShaderModuleRelease(module);
    if (Status s = c.TakeErrors("Making the kernel"); !s.ok()) {
      std::printf("%-60s FAILED: %s\n", argv[a], s.error().message.c_str());
      continue;
    }
    const uint32_t pairs = parts.size() > 3 ? static_cast<uint32_t>(std::atoi(parts[3].c_str())) : 1;
    const Params p{outputs, n_in, chunk.qoff, 0, 0, 0, 1e-5f, pairs};
    const uint32_t groups = (rows + per_group - 1) / per_group;
    const uint32_t gx = std::min<uint32_t>(groups, 65535), gy = (groups + gx - 1) / gx;
    // Correctness: one dispatch, read back.
    double err = 0, scale = 0;
    {
      test::StorageKernel one = k;
      one.groups = {k.groups[0]};
      (void)test::MedianDispatchMicros(c, one, &p, sizeof(p), gx, gy, 1);
      WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(c.device(), nullptr);
      wgpuCommandEncoderCopyBufferToBuffer(enc, yb, 0, rb, 0, outputs * 4);
      WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
      wgpuQueueSubmit(c.queue(), 1, &cmd);
      wgpuCommandBufferRelease(cmd);
      wgpuCommandEncoderRelease(enc);
      WGPUBufferMapCallbackInfo cb{};
      cb.mode = WGPUCallbackMode_WaitAnyOnly;
      cb.callback = [](WGPUMapAsyncStatus, WGPUStringView, void*, void*) {};
      if (!c.Wait(wgpuBufferMapAsync(rb, WGPUMapMode_Read, 0, outputs * 4, cb), "read").ok()) {
        return 1;
      }
      std::vector<float> got(outputs);
      std::memcpy(got.data(), wgpuBufferGetConstMappedRange(rb, 0, outputs * 4), outputs * 4);
      wgpuBufferUnmap(rb);
      const std::vector<double>& w = want[parts[0].find("dot8") != std::string::npos];
      for (uint32_t o = 0; o < outputs; ++o) {
        err = std::max(err, std::fabs(got[o] - w[o]));
        scale = std::max(scale, std::fabs(w[o]));
      }
    }
    const int reps = std::max<int>(20, static_cast<int>(std::min<uint64_t>(400, 4e9 / wbytes)));
    const double us = test::MedianDispatchMicros(c, k, &p, sizeof(p), gx, gy, reps);
    std::printf("%-72s %8.2f us %7.0f GB/s %u groups  %s (max err %.2g of %.2g)\n", argv[a], us,
                wbytes / us * 1e-3, groups, err <= 1e-4 * scale ? "ok" : "WRONG", err, scale);
    std::fflush(stdout);
    k.Release();
  }
  return 0;
}

}  // namespace
}  // namespace wasmgpu::nn

int main(int argc, char** argv) { return wasmgpu::nn::Main(argc, argv); }
