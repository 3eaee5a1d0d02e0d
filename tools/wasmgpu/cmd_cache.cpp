// `wasmgpu cache [info|clear] [--json]`: what the compile cache ($XDG_CACHE_HOME/wasmgpu) holds,
// and emptying it. Eviction itself is automatic (src/wasm/engine.h, EngineOptions).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.h"
#include "wasm/engine.h"

namespace wasmgpu::cli {
namespace {

struct CacheOptions {
  bool json = false;
};

void PrintInfo(const wasm::CacheInfo& info, bool json, const char* verb) {
  if (json) {
    nlohmann::json j = {{"dir", info.dir},
                        {"entries", info.entries},
                        {"bytes", info.bytes},
                        {"max_bytes", info.max_bytes}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{}: {} {} compiled module{}, {:.1f} MiB (cap {:.0f} MiB, least recently used "
             "evicted first; WASMGPU_CACHE_MAX_MB sets it)\n",
             info.dir, verb, info.entries, info.entries == 1 ? "" : "s",
             static_cast<double>(info.bytes) / (1 << 20),
             static_cast<double>(info.max_bytes) / (1 << 20));
}

CommandRunner SetupCache(CLI::App& app) {
  auto o = std::make_shared<CacheOptions>();
  app.add_flag("--json", o->json, "JSON on stdout");
  CLI::App* info = app.add_subcommand("info", "Show the cache folder, its size and its cap");
  CLI::App* clear = app.add_subcommand("clear", "Delete every compiled module in the cache");
  app.require_subcommand(0, 1);
  for (CLI::App* sub : {info, clear}) sub->add_flag("--json", o->json, "JSON on stdout");
  return [o, clear] {
    wasm::Engine engine;
    if (clear->parsed()) {
      Result<wasm::CacheInfo> before = engine.ClearCache();
      if (!before.ok()) {
        fmt::print(stderr, "wasmgpu cache clear: {}\n", before.error().message);
        return 1;
      }
      PrintInfo(*before, o->json, "deleted");
      return 0;
    }
    PrintInfo(engine.GetCacheInfo(), o->json, "holds");
    return 0;
  };
}

WASMGPU_COMMAND(cache, "Show (info) or empty (clear) the compile cache", SetupCache);

}  // namespace
}  // namespace wasmgpu::cli
