// `wasmgpu-gguf`: makes and inspects GGUF models.
//   wasmgpu-gguf synth --shape stories15m --type q8_0 [--seed N] -o out.gguf
//   wasmgpu-gguf convert EXPORT_DIR --type f16 -o out.gguf
//   wasmgpu-gguf info model.gguf
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "llama_gguf.h"
#include "nn/gguf.h"

namespace {

using namespace wasmgpu;

int Fail(const nn::Error& e) {
  fmt::print(stderr, "wasmgpu-gguf: {}\n", e.message);
  return 1;
}

std::string ShapeList() {
  std::string s;
  for (const std::string& n : gguf::ShapeNames()) s += (s.empty() ? "" : "|") + n;
  return s;
}

int WriteFile(const std::string& path,
              const std::function<nn::Status(gguf::Sink&)>& write) {
  auto sink = gguf::FileSink::Create(path);
  if (!sink.ok()) return Fail(sink.error());
  const auto start = std::chrono::steady_clock::now();
  nn::Status s = write(**sink);
  if (!s.ok()) return Fail(s.error());
  s = (*sink)->Close();
  if (!s.ok()) return Fail(s.error());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(stderr, "wrote {} in {:.2f} s\n", path, secs);
  return 0;
}

int Info(const std::string& path, bool all) {
  auto file = nn::GgufFile::Open(path);
  if (!file.ok()) return Fail(file.error());
  fmt::print("GGUF v{}, {} bytes, alignment {}, {} metadata keys, {} tensors, data at {}\n",
             file->version(), file->file_size(), file->alignment(), file->metadata().size(),
             file->tensors().size(), file->data_offset());
  for (const nn::GgufKeyValue& kv : file->metadata()) {
    const nn::GgufValue& v = kv.value;
    std::string text;
    if (v.type == nn::GgufValueType::kString) {
      text = "\"" + v.strings[0] + "\"";
    } else if (v.is_array()) {
      text = fmt::format("[{} values]", v.count);
    } else if (v.type == nn::GgufValueType::kFloat32) {
      auto f = file->GetFloat(kv.key);
      text = fmt::format("{}", *f);
    } else if (v.type == nn::GgufValueType::kBool) {
      text = v.bytes[0] ? "true" : "false";
    } else {
      auto u = file->GetUint(kv.key, UINT64_MAX);
      text = u.ok() ? fmt::format("{}", *u) : v.TypeName();
    }
    fmt::print("  {:<45} {:<8} {}\n", kv.key, v.TypeName(), text);
  }
  size_t shown = 0;
  for (const nn::GgufTensorInfo& t : file->tensors()) {
    if (!all && shown++ >= 12) {
      fmt::print("  ... {} more tensors (--all)\n", file->tensors().size() - 12);
      break;
    }
    fmt::print("  {:<32} {:<5} {:<16} offset {}\n", t.name, nn::GgmlTypeName(t.type),
               t.ShapeString(), t.offset);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Makes and inspects GGUF models."};
  app.require_subcommand(1);

  std::string shape, type_name = "f16", out, dir, path;
  uint64_t seed = 1;
  unsigned threads = 0;
  bool all = false;
  auto type_check = [](const std::string& s) -> std::string {
    auto t = nn::ParseGgmlType(s);
    if (!t || !nn::GetGgmlType(*t).computable) return "type must be f32, f16, q8_0 or q4_0";
    return {};
  };

  CLI::App* synth = app.add_subcommand("synth", "Write a random-weight llama model");
  synth->add_option("--shape", shape, ShapeList())->required();
  synth->add_option("--type", type_name, "f32|f16|q8_0|q4_0")->check(type_check);
  synth->add_option("--seed", seed, "random seed");
  synth->add_option("--threads", threads, "worker threads (0: all)");
  synth->add_option("-o,--output", out, "output .gguf")->required();

  CLI::App* convert = app.add_subcommand("convert", "Convert a training export to GGUF");
  convert->add_option("dir", dir, "export directory")->required();
  convert->add_option("--type", type_name, "f32|f16|q8_0|q4_0")->check(type_check);
  convert->add_option("--threads", threads, "worker threads (0: all)");
  convert->add_option("-o,--output", out, "output .gguf")->required();

  CLI::App* info = app.add_subcommand("info", "Print a GGUF file's metadata and tensors");
  info->add_option("file", path, "model.gguf")->required();
  info->add_flag("--all", all, "list every tensor");

  CLI11_PARSE(app, argc, argv);
  const nn::GgmlType type = *nn::ParseGgmlType(type_name);

  if (synth->parsed()) {
    auto config = gguf::FindShape(shape);
    if (!config) {
      fmt::print(stderr, "wasmgpu-gguf: unknown shape '{}' (shapes: {})\n", shape, ShapeList());
      return 1;
    }
    gguf::SynthOptions options{*config, type, seed, threads};
    return WriteFile(out, [&](gguf::Sink& sink) { return gguf::WriteSyntheticLlama(options, sink); });
  }
  if (convert->parsed()) {
    return WriteFile(out, [&](gguf::Sink& sink) {
      return gguf::ConvertExport(dir, type, sink, threads);
    });
  }
  return Info(path, all);
}
