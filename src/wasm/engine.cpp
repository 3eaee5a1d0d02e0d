#include "wasm/engine.h"

#include "wasm/wasm_rt_header.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <wabt/config.h>

#include "wasm/codegen.h"
#include "wasm/runtime_hash.h"
#include "wasm/runtime.h"
#include "wasm/subprocess.h"

extern char** environ;

namespace wasmgpu::wasm {
namespace {

namespace fs = std::filesystem;

// Part of the cache key: bump when the runtime or the generated code changes meaning.
constexpr char kRuntimeVersion[] = "wasmgpu-wasm-runtime-1";

// The flags every module is compiled with. -fvisibility=hidden keeps every generated symbol
// local except the ABI entry point; -z now resolves the runtime's symbols at dlopen, so a
// missing one is a load error rather than a crash mid-run, and so no lazy-binding resolver ever
// runs (the timeout handler only interrupts code inside the object). -ffp-contract=off: wasm
// forbids fusing a*b+c into one FMA (a different rounding); GCC fuses by default where the
// target has FMA (aarch64, -march=native). -g1: line tables with inlining records (no types or
// variables; the code is the same as without it), so that a trap inside a function the C
// compiler inlined into its caller still names the function (FunctionNameAt).
const std::vector<std::string>& CompileFlags() {
  static const std::vector<std::string> flags = {
      "-O2", "-g1", "-shared", "-fPIC", "-fvisibility=hidden", "-ffp-contract=off", "-DNDEBUG",
      "-w", "-Wl,-z,now", "-Wl,-z,noexecstack"};
  return flags;
}

// The flags for a compiler, from its identity ("resolved path:size:mtime"). GCC also gets
// -fvect-cost-model=cheap: at -O2 GCC 12 uses the "very cheap" model, which never versions a
// loop on a run-time alias check. Natively distinct arrays need no such check; in a guest,
// whose arrays share one linear memory, a loop proven in bounds by bounds_analysis.h (no
// load barrier) but loading and storing the same array needs one to vectorize (an i-k-j
// matmul: 3.3x faster; src/nn inference and compile times unchanged). Other compilers (clang
// refuses the flag) get the plain flags.
std::vector<std::string> FlagsFor(const std::string& compiler_identity) {
  std::vector<std::string> flags = CompileFlags();
  std::string path = compiler_identity.substr(0, compiler_identity.find(':'));
  std::string base = path.substr(path.rfind('/') + 1);
  if (base.find("gcc") != std::string::npos && base.find("clang") == std::string::npos) {
    flags.insert(flags.begin() + 1, "-fvect-cost-model=cheap");
  }
  return flags;
}

std::string Hex128(XXH128_hash_t h) { return fmt::format("{:016x}{:016x}", h.high64, h.low64); }

std::string ErrnoText(int err) { return std::strerror(err); }

// Resolves `program` through PATH like execvp would; returns "" if not found.
std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return access(program.c_str(), X_OK) == 0 ? program : "";
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    // (An empty PATH entry means the current directory.)
    std::string candidate =
        (end == start ? std::string(".") : dirs.substr(start, end - start)) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

Status WriteFile(const std::string& path, std::string_view data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return MakeError(ErrorKind::kOther, "Could not create {}: {}.", path, ErrnoText(errno));
  }
  size_t n = std::fwrite(data.data(), 1, data.size(), f);
  int close_rc = std::fclose(f);
  if (n != data.size() || close_rc != 0) {
    return MakeError(ErrorKind::kOther, "Could not write {} ({} bytes).", path, data.size());
  }
  return {};
}

std::string ReadTextPrefix(const std::string& path, size_t max) {
  std::ifstream in(path);
  std::string out(max, '\0');
  in.read(out.data(), static_cast<std::streamsize>(max));
  out.resize(static_cast<size_t>(in.gcount()));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Runs argv with stderr (and stdout) redirected to `log`; returns the exit status or -1.
int Spawn(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The innermost wasm function at `offset` in `object`, read from its debug info (-g1) with
// binutils' addr2line, which follows the records of inlined calls: when the C compiler inlined
// the trapping function into its caller, the symbol table only knows the caller. "" when
// addr2line is missing or finds no wasm function (the caller then falls back to the symbols).
std::string InlinedWasmFunctionAt(const std::string& object, uint64_t offset) {
  static const std::string addr2line = FindProgram("addr2line");
  if (addr2line.empty()) return "";
  Result<std::string> run =
      RunCapture({addr2line, "-f", "-i", "-e", object, fmt::format("{:#x}", offset)}, true);
  if (!run.ok()) return "";
  std::string out = std::move(*run);
  // Pairs of lines, innermost frame first: "function\nfile:line\n". Frames of wasm2c's own
  // inline helpers (i32_load, ...) are skipped; wasm functions are the "w2c_" ones.
  size_t at = 0;
  for (int line = 0; at < out.size(); ++line) {
    size_t end = out.find('\n', at);
    if (end == std::string::npos) end = out.size();
    std::string_view text(out.data() + at, end - at);
    at = end + 1;
    if (line % 2 == 0 && text.rfind("w2c_", 0) == 0) return WasmNameOfSymbol(text);
  }
  return "";
}

struct PhdrQuery {
  uintptr_t bias;
  uintptr_t begin = UINTPTR_MAX;
  uintptr_t end = 0;
};

int FindCodeRange(dl_phdr_info* info, size_t, void* data) {
  auto* q = static_cast<PhdrQuery*>(data);
  if (info->dlpi_addr != q->bias) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    uintptr_t b = info->dlpi_addr + ph.p_vaddr;
    q->begin = std::min(q->begin, b);
    q->end = std::max(q->end, b + ph.p_memsz);
  }
  return q->end != 0 ? 1 : 0;
}

// A compile killed halfway leaves its tmp.XXXXXX folder behind; remove those older than a day
// (a live compile is minutes old at most). Runs on cache misses only.
void RemoveStaleTemporaries(const std::string& cache_dir) {
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(cache_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind("tmp.", 0) != 0) continue;
    std::error_code time_ec;
    auto written = fs::last_write_time(it->path(), time_ec);
    if (!time_ec && now - written > std::chrono::hours(24)) fs::remove_all(it->path(), time_ec);
  }
}

class Progress {
 public:
  Progress(bool on, std::string name) : on_(on), name_(std::move(name)) {}
  void Stage(const char* what) {
    if (!on_) return;
    auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "wasmgpu: %s: %s (%.1f s)\n", name_.c_str(), what, s);
  }

 private:
  bool on_;
  std::string name_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorKind::kOther, "Could not open {}: {}.", path, ErrnoText(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return MakeError(ErrorKind::kOther, "{} is not a regular file.", path);
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      return MakeError(ErrorKind::kOther, "Could not read {}: {}.", path,
                       n == 0 ? "unexpected end of file" : ErrnoText(err));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return bytes;
}

// ---- Module -----------------------------------------------------------------------------------

Module::~Module() {
  if (handle_ != nullptr) dlclose(handle_);
}

const abi::ExportDesc* Module::FindExport(std::string_view name) const {
  for (uint32_t i = 0; i < desc_->num_exports; ++i) {
    if (name == desc_->exports[i].name) return &desc_->exports[i];
  }
  return nullptr;
}

std::string Module::FunctionNameAt(uintptr_t pc) const {
  if (pc < code_begin_ || pc >= code_end_) return "";
  auto bytes = ReadFileBytes(object_path_);
  if (!bytes.ok()) return "";
  const std::vector<uint8_t>& f = *bytes;
  if (f.size() < sizeof(Elf64_Ehdr)) return "";
  Elf64_Ehdr eh;
  std::memcpy(&eh, f.data(), sizeof(eh));
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) {
    return "";
  }
  auto section = [&](size_t i, Elf64_Shdr* out) {
    uint64_t off = eh.e_shoff + i * uint64_t{eh.e_shentsize};
    if (eh.e_shentsize < sizeof(Elf64_Shdr) || off + sizeof(Elf64_Shdr) > f.size()) return false;
    std::memcpy(out, f.data() + off, sizeof(*out));
    return true;
  };
  uint64_t target = pc - load_bias_;
  if (std::string inlined = InlinedWasmFunctionAt(object_path_, target); !inlined.empty()) {
    return inlined;
  }
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    if (!section(i, &sh) || sh.sh_type != SHT_SYMTAB) continue;
    Elf64_Shdr strtab;
    if (!section(sh.sh_link, &strtab)) return "";
    if (sh.sh_offset + sh.sh_size > f.size() || strtab.sh_offset + strtab.sh_size > f.size()) {
      return "";
    }
    for (uint64_t off = sh.sh_offset; off + sizeof(Elf64_Sym) <= sh.sh_offset + sh.sh_size;
         off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, f.data() + off, sizeof(sym));
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_name >= strtab.sh_size) continue;
      if (target < sym.st_value || target >= sym.st_value + std::max<uint64_t>(sym.st_size, 1)) {
        continue;
      }
      // When the C compiler inlined the function into its export wrapper, the symbol is the
      // wrapper: name the export.
      for (uint32_t e = 0; e < desc_->num_exports; ++e) {
        if (reinterpret_cast<uintptr_t>(desc_->exports[e].fn) == sym.st_value + load_bias_) {
          return desc_->exports[e].name;
        }
      }
      const char* start = reinterpret_cast<const char*>(f.data() + strtab.sh_offset + sym.st_name);
      return WasmNameOfSymbol(std::string_view(start, strnlen(start, strtab.sh_size - sym.st_name)));
    }
  }
  return "";
}

// ---- Engine -----------------------------------------------------------------------------------

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  cache_dir_ = options_.cache_dir;
  if (cache_dir_.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (xdg != nullptr && xdg[0] == '/') {
      cache_dir_ = std::string(xdg) + "/wasmgpu";
    } else if (home != nullptr && home[0] != '\0') {
      cache_dir_ = std::string(home) + "/.cache/wasmgpu";
    } else {
      cache_dir_ = "/tmp/wasmgpu-cache-" + std::to_string(getuid());
    }
  }
  if (const char* keep = std::getenv("WASMGPU_KEEP_C"); keep != nullptr && keep[0] == '1') {
    options_.keep_c = true;  // debugging: leave the generated C in the cache's tmp.* folder
  }
  cache_max_bytes_ = options_.cache_max_bytes;
  if (cache_max_bytes_ == 0) {
    const char* max_mb = std::getenv("WASMGPU_CACHE_MAX_MB");
    char* end = nullptr;
    unsigned long long mb = max_mb != nullptr ? std::strtoull(max_mb, &end, 10) : 0;
    cache_max_bytes_ = max_mb != nullptr && end != max_mb && *end == '\0' && mb > 0
                           ? std::min<unsigned long long>(mb, 1ull << 40) << 20
                           : kDefaultCacheMaxBytes;
  }
  compiler_ = options_.compiler;
  if (compiler_.empty()) {
    const char* cc = std::getenv("WASMGPU_CC");
    compiler_ = cc != nullptr && cc[0] != '\0' ? cc : "cc";
  }
  // The compiler's identity without running it (a cache hit must stay in the low milliseconds):
  // the resolved binary, its size and modification time.
  std::string resolved = FindProgram(compiler_);
  std::error_code ec;
  std::string real = resolved.empty() ? compiler_ : fs::canonical(resolved, ec).string();
  if (ec) real = resolved;
  struct stat st {};
  if (!real.empty() && stat(real.c_str(), &st) == 0) {
    compiler_identity_ = fmt::format("{}:{}:{}", real, st.st_size, st.st_mtim.tv_sec);
  } else {
    compiler_identity_ = compiler_;
  }
}

Result<std::string> Engine::CacheKey(std::span<const uint8_t> bytes) const {
  std::string module_hash = Hex128(XXH3_128bits(bytes.data(), bytes.size()));
  std::string material =
      fmt::format("{}|{}|{}|abi{}|wasm2c {}|{}|{}{}", module_hash, kRuntimeVersion,
                  WASMGPU_RUNTIME_SOURCE_HASH, abi::kAbiVersion, WABT_VERSION_STRING,
                  compiler_identity_, fmt::join(FlagsFor(compiler_identity_), " "),
                  ProofsEnabled() ? "" : "|no-proofs");
  return module_hash.substr(0, 16) + "-" +
         Hex128(XXH3_128bits(material.data(), material.size())).substr(0, 16);
}

Status Engine::Compile(std::span<const uint8_t> bytes, const std::string& name,
                       const HostRegistry& registry, const std::string& object_path) {
  Progress progress(options_.progress, name);
  progress.Stage("validating");
  TRY_ASSIGN(ParsedModule parsed, ParseModule(bytes.data(), bytes.size()));
  // Our linker: every import must exist in the host with the same signature before we spend
  // any time compiling.
  for (const ImportDecl& imp : parsed.imports()) {
    TRY(ResolveImport(registry, imp.module, imp.name, imp.type));
  }
  progress.Stage("translating to C (wasm2c)");
  TRY_ASSIGN(GeneratedC c, GenerateC(parsed));

  std::error_code ec;
  fs::create_directories(cache_dir_, ec);
  RemoveStaleTemporaries(cache_dir_);
  std::string dir_template = cache_dir_ + "/tmp.XXXXXX";
  if (mkdtemp(dir_template.data()) == nullptr) {
    return MakeError(ErrorKind::kOther, "Could not create a temporary directory in {}: {}.",
                     cache_dir_, ErrnoText(errno));
  }
  const std::string tmp = dir_template;
  auto cleanup = [&] {
    if (!options_.keep_c) fs::remove_all(tmp, ec);
  };
  // module.h includes "wasm-rt.h": the copy beside it wins, so no wabt headers are needed here.
  Status written = WriteFile(tmp + "/wasm-rt.h", kWasmRtHeader);
  if (written.ok()) written = WriteFile(tmp + "/" + kGeneratedHeaderName, c.header);
  if (written.ok()) written = WriteFile(tmp + "/module.c", c.source);
  if (!written.ok()) {
    cleanup();
    return written;
  }
  progress.Stage(fmt::format("compiling {} KiB of C with {} -O2", c.source.size() / 1024,
                             compiler_).c_str());
  std::vector<std::string> argv = {compiler_};
  for (const std::string& flag : FlagsFor(compiler_identity_)) argv.push_back(flag);
  argv.push_back("-o");
  argv.push_back(tmp + "/module.so");
  argv.push_back(tmp + "/module.c");
  int rc = Spawn(argv, tmp + "/cc.log");
  if (rc != 0) {
    std::string log = ReadTextPrefix(tmp + "/cc.log", 2000);
    cleanup();
    return MakeError(ErrorKind::kInternal,
                     "Compiling the translated module with '{}' failed (exit status {}):\n{}",
                     compiler_, rc, log);
  }
  fs::path parent = fs::path(object_path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  // rename(2) is atomic within a file system; across file systems (an -o elsewhere) copy to a
  // temporary name beside the target first.
  std::string staged = tmp + "/module.so";
  if (std::rename(staged.c_str(), object_path.c_str()) != 0) {
    std::string beside = object_path + ".tmp" + std::to_string(getpid());
    fs::copy_file(staged, beside, fs::copy_options::overwrite_existing, ec);
    if (ec || std::rename(beside.c_str(), object_path.c_str()) != 0) {
      cleanup();
      return MakeError(ErrorKind::kOther, "Could not write the compiled module to {}.",
                       object_path);
    }
  }
  cleanup();
  ++compilations_;
  progress.Stage("compiled");
  return {};
}

Result<std::string> Engine::EnsureCompiled(std::span<const uint8_t> bytes, const std::string& name,
                                           const HostRegistry& registry,
                                           const std::string& output, bool* compiled) {
  *compiled = false;
  TRY_ASSIGN(std::string key, CacheKey(bytes));
  std::string path = output.empty() ? cache_dir_ + "/" + key + ".so" : output;
  if (output.empty() && access(path.c_str(), R_OK) == 0) {
    // A hit marks the object recently used for eviction (mtime, since atime is often not
    // kept); a read-only cache simply keeps its old times.
    utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
    return path;
  }
  TRY(Compile(bytes, name, registry, path));
  *compiled = true;
  if (output.empty()) EvictCache(path);
  return path;
}

namespace {

struct CachedObject {
  std::string path;
  uint64_t bytes;
  fs::file_time_type used;
};

// The compiled objects in `dir`: "<key>.so", regular files (temporaries are "*.so.tmp<pid>" or
// in tmp.* folders, and are left alone).
std::vector<CachedObject> ListCachedObjects(const std::string& dir) {
  std::vector<CachedObject> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".so") continue;
    std::error_code e1, e2, e3;
    if (!it->is_regular_file(e1) || e1) continue;
    uint64_t size = it->file_size(e2);
    fs::file_time_type used = fs::last_write_time(p, e3);
    if (e2 || e3) continue;  // deleted meanwhile by another process's eviction
    out.push_back({p.string(), size, used});
  }
  return out;
}

}  // namespace

CacheInfo Engine::GetCacheInfo() const {
  CacheInfo info{cache_dir_, 0, 0, cache_max_bytes_};
  for (const CachedObject& o : ListCachedObjects(cache_dir_)) {
    ++info.entries;
    info.bytes += o.bytes;
  }
  return info;
}

Result<CacheInfo> Engine::ClearCache() {
  CacheInfo before = GetCacheInfo();
  for (const CachedObject& o : ListCachedObjects(cache_dir_)) {
    if (std::remove(o.path.c_str()) != 0 && errno != ENOENT) {
      return MakeError(ErrorKind::kOther, "Could not delete {}: {}.", o.path, ErrnoText(errno));
    }
  }
  return before;
}

void Engine::EvictCache(const std::string& keep) {
  std::vector<CachedObject> objects = ListCachedObjects(cache_dir_);
  uint64_t total = 0;
  for (const CachedObject& o : objects) total += o.bytes;
  if (total <= cache_max_bytes_) return;
  std::sort(objects.begin(), objects.end(),
            [](const CachedObject& a, const CachedObject& b) { return a.used < b.used; });
  std::error_code ec;
  fs::path kept = fs::weakly_canonical(keep, ec);
  for (const CachedObject& o : objects) {
    if (total <= cache_max_bytes_) break;
    std::error_code same_ec;
    if (o.path == keep || (!ec && fs::weakly_canonical(o.path, same_ec) == kept)) continue;
    // Another process may be between its access() and dlopen() of this object: its dlopen
    // then fails and it compiles the module again (LoadBytes), so deleting is safe.
    if (std::remove(o.path.c_str()) == 0 || errno == ENOENT) total -= o.bytes;
  }
}

Result<std::string> Engine::CompileFile(const std::string& path, const HostRegistry& registry,
                                        const std::string& output) {
  TRY_ASSIGN(std::vector<uint8_t> bytes, ReadFileBytes(path));
  bool compiled = false;
  return EnsureCompiled(bytes, path, registry, output, &compiled);
}

Result<std::shared_ptr<Module>> Engine::LoadFile(const std::string& path,
                                                 const HostRegistry& registry) {
  TRY_ASSIGN(std::vector<uint8_t> bytes, ReadFileBytes(path));
  return LoadBytes(bytes, path, registry);
}

Result<std::shared_ptr<Module>> Engine::LoadBytes(std::span<const uint8_t> bytes, std::string name,
                                                  const HostRegistry& registry) {
  internal::EnsureRuntime();
  bool compiled = false;
  TRY_ASSIGN(std::string object, EnsureCompiled(bytes, name, registry, "", &compiled));
  void* handle = dlopen(object.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr && !compiled) {
    // A damaged cache entry (truncated by a full disk, say): compile it again once.
    std::remove(object.c_str());
    TRY_ASSIGN(object, EnsureCompiled(bytes, name, registry, "", &compiled));
    handle = dlopen(object.c_str(), RTLD_NOW | RTLD_LOCAL);
  }
  if (handle == nullptr) {
    const char* err = dlerror();
    return MakeError(ErrorKind::kInternal, "Could not load the compiled module {}: {}.", object,
                     err != nullptr ? err : "unknown error");
  }
  std::shared_ptr<Module> module(new Module());
  module->handle_ = handle;
  module->name_ = std::move(name);
  module->object_path_ = object;
  module->from_cache_ = !compiled;
  auto entry = reinterpret_cast<abi::EntryFn>(dlsym(handle, abi::kEntrySymbol));
  if (entry == nullptr || entry()->abi_version != abi::kAbiVersion) {
    return MakeError(ErrorKind::kInternal,
                     "The compiled module {} was not made by this version of wasmgpu (no {} "
                     "entry with ABI version {}).",
                     object, abi::kEntrySymbol, abi::kAbiVersion);
  }
  module->desc_ = entry();
  const abi::ModuleDesc& d = *module->desc_;
  for (uint32_t i = 0; i < d.num_imports; ++i) {
    ImportDecl imp{d.imports[i].module, d.imports[i].name, {}};
    if (!FuncType::ParseCode(d.imports[i].type, &imp.type)) {
      return MakeError(ErrorKind::kInternal, "The compiled module {} has a malformed import table.",
                       object);
    }
    // Checked again here because a cache hit skipped the check made before compiling.
    TRY(ResolveImport(registry, imp.module, imp.name, imp.type));
    module->imports_.push_back(std::move(imp));
  }
  for (uint32_t i = 0; i < d.num_exports; ++i) {
    ExportDecl e{d.exports[i].name, {}};
    if (!FuncType::ParseCode(d.exports[i].type, &e.type)) {
      return MakeError(ErrorKind::kInternal, "The compiled module {} has a malformed export table.",
                       object);
    }
    module->exports_.push_back(std::move(e));
  }
  link_map* lm = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm != nullptr) {
    module->load_bias_ = lm->l_addr;
    PhdrQuery q{lm->l_addr};
    dl_iterate_phdr(FindCodeRange, &q);
    if (q.end != 0) {
      module->code_begin_ = q.begin;
      module->code_end_ = q.end;
    }
  }
  d.init_module();
  return module;
}

}  // namespace wasmgpu::wasm
