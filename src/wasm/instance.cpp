#include "wasm/instance.h"

#include <cstdlib>

#include "wasm/runtime.h"

namespace wasmgpu::wasm {
namespace {

TrapKind KindOf(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return TrapKind::kOutOfBounds;
    case WASM_RT_TRAP_INT_OVERFLOW: return TrapKind::kIntegerOverflow;
    case WASM_RT_TRAP_DIV_BY_ZERO: return TrapKind::kDivideByZero;
    case WASM_RT_TRAP_INVALID_CONVERSION: return TrapKind::kInvalidConversion;
    case WASM_RT_TRAP_UNREACHABLE: return TrapKind::kUnreachable;
    case WASM_RT_TRAP_CALL_INDIRECT: return TrapKind::kIndirectCall;
    case WASM_RT_TRAP_EXHAUSTION: return TrapKind::kStackExhausted;
    case internal::kTrapTimeout: return TrapKind::kTimeout;
    default: return TrapKind::kHost;
  }
}

}  // namespace

std::string_view TrapKindName(TrapKind kind) {
  switch (kind) {
    case TrapKind::kNone: return "no trap";
    case TrapKind::kOutOfBounds: return "out of bounds memory access";
    case TrapKind::kIntegerOverflow: return "integer overflow";
    case TrapKind::kDivideByZero: return "integer divide by zero";
    case TrapKind::kInvalidConversion: return "invalid conversion to integer";
    case TrapKind::kUnreachable: return "unreachable executed";
    case TrapKind::kIndirectCall:
      return "indirect call type mismatch (or a null or out-of-range table entry)";
    case TrapKind::kStackExhausted: return "call stack exhausted";
    case TrapKind::kTimeout: return "timeout";
    case TrapKind::kHost: return "host trap";
  }
  return "unknown trap";
}

Result<std::unique_ptr<Instance>> Instance::Create(std::shared_ptr<const Module> module,
                                                   const HostRegistry& registry,
                                                   InstanceOptions options) {
  std::unique_ptr<Instance> inst(new Instance());
  inst->module_ = std::move(module);
  inst->options_ = std::move(options);
  for (const ImportDecl& imp : inst->module_->imports()) {
    TRY_ASSIGN(const HostFunction* f, ResolveImport(registry, imp.module, imp.name, imp.type));
    inst->import_fns_.push_back(f->fn);
  }
  inst->import_ctx_ = {inst.get(), inst->import_fns_.data()};
  inst->rt_ = std::make_unique<internal::RuntimeState>();
  internal::RuntimeState& rt = *inst->rt_;
  rt.instance = inst.get();
  rt.code_begin = inst->module_->code_begin();
  rt.code_end = inst->module_->code_end();
  rt.max_pages = std::min(inst->options_.max_memory_pages, internal::kMaxPages);
  rt.on_grow = &Instance::OnGrow;
  size_t size = (inst->module_->desc().instance_size + 63) / 64 * 64;
  inst->module_instance_ = std::aligned_alloc(64, size == 0 ? 64 : size);
  if (inst->module_instance_ == nullptr) {
    return MakeError(ErrorKind::kOutOfMemory, "Could not allocate the instance ({} bytes).", size);
  }
  std::memset(inst->module_instance_, 0, size == 0 ? 64 : size);
  return inst;
}

Instance::~Instance() {
  // Host state first (highest slot first: the GPU layer may still need WASI's state), while
  // the guest's memory is still mapped.
  for (size_t i = kHostStateSlots; i-- > 0;) host_states_[i].reset();
  if (keep_memory_mapped_ && rt_->memory != nullptr) {
    rt_->memory->data = nullptr;  // wasm_rt_free_memory then unmaps nothing: leaked on purpose
  }
  if (module_instance_ != nullptr) {
    if (instantiated_) module_->desc().free(module_instance_);
    std::free(module_instance_);
  }
}

void Instance::SetHostState(size_t slot, std::unique_ptr<HostState> state) {
  host_states_.at(slot) = std::move(state);
}

uint8_t* Instance::memory_base() const {
  return rt_->memory != nullptr ? rt_->memory->data : nullptr;
}

uint64_t Instance::memory_size() const {
  return rt_->memory != nullptr ? rt_->memory->size : 0;
}

bool Instance::interrupt_requested() const { return rt_->timeout_requested.load(); }

void Instance::OnGrow(Instance* self, uint64_t old_bytes, uint64_t new_bytes) {
  for (auto& state : self->host_states_) {
    if (state) state->OnMemoryGrow(old_bytes, new_bytes);
  }
}

void Instance::SetTrapMessage(std::string message) { trap_message_ = std::move(message); }

void Instance::RaiseHostTrap() { internal::Unwind(internal::kTrapHost); }

void Instance::Trap(std::string_view message) {
  SetTrapMessage(std::string(message));
  RaiseHostTrap();
}

void Instance::Exit(uint32_t code) {
  exit_code_ = code;
  internal::Unwind(internal::kTrapExit);
}

void Instance::ResumeUnwind() {
  internal::Unwind(pending_code_ != 0 ? pending_code_ : internal::kTrapHost);
}

Status Instance::Guard(void (*body)(void*), void* arg, bool* exited, bool top_level) {
  *exited = false;
  if (top_level && trapped()) {
    return MakeError(ErrorKind::kOther, "The instance trapped earlier ({}); it cannot run again.",
                     TrapKindName(trap_kind_));
  }
  rt_->runtime_message[0] = '\0';
  rt_->trap_pc = 0;
  if (top_level) rt_->timeout_requested.store(false);
  int code = internal::RunGuarded(rt_.get(), body, arg,
                                  top_level ? options_.timeout : std::chrono::milliseconds(0));
  // The watchdog fired but the guest finished before a signal found it in its own code (it was
  // blocked in a host call that then failed with EINTR, say): it still ran past its time.
  if (top_level && (code == 0 || code == internal::kTrapExit) &&
      rt_->timeout_requested.load()) {
    code = internal::kTrapTimeout;
    rt_->trap_pc = 0;
  }
  if (code == 0) return {};
  pending_code_ = code;
  if (code == internal::kTrapExit) {
    *exited = true;
    return {};
  }
  trap_kind_ = KindOf(code);
  if (code == internal::kTrapHost && rt_->runtime_message[0] != '\0') {
    trap_message_ = rt_->runtime_message;
  }
  std::string where;
  std::string function = module_->FunctionNameAt(rt_->trap_pc);
  if (!function.empty()) where = fmt::format(" in function '{}'", function);
  switch (trap_kind_) {
    case TrapKind::kHost:
      return MakeError(ErrorKind::kOther, "{}", trap_message_);
    case TrapKind::kTimeout:
      return MakeError(ErrorKind::kOther,
                       "The guest ran longer than the timeout ({:.3g} s) and was stopped{}.",
                       static_cast<double>(options_.timeout.count()) / 1000.0, where);
    default:
      return MakeError(ErrorKind::kOther, "The guest trapped: {}{}.", TrapKindName(trap_kind_),
                       where);
  }
}

Status Instance::Instantiate() {
  if (instantiated_) {
    return MakeError(ErrorKind::kOther, "The instance of {} is already instantiated.",
                     module_->name());
  }
  instantiated_ = true;
  struct Args {
    const abi::ModuleDesc* desc;
    void* inst;
    abi::ImportContext* ctx;
  } args{&module_->desc(), module_instance_, &import_ctx_};
  bool exited = false;
  TRY(Guard(
      [](void* p) {
        auto* a = static_cast<Args*>(p);
        a->desc->instantiate(a->inst, a->ctx);
      },
      &args, &exited, /*top_level=*/true));
  if (exited) {
    return MakeError(ErrorKind::kOther, "The guest exited with code {} in its start function.",
                     exit_code_);
  }
  return {};
}

Result<int> Instance::RunStart() {
  if (!instantiated_) TRY(Instantiate());
  TRY_ASSIGN(const abi::ExportDesc* start, FindTypedExport("_start", FuncType{}));
  struct Args {
    abi::RawFn fn;
    void* inst;
  } args{start->fn, module_instance_};
  bool exited = false;
  TRY(Guard(
      [](void* p) {
        auto* a = static_cast<Args*>(p);
        reinterpret_cast<void (*)(void*)>(a->fn)(a->inst);
      },
      &args, &exited, /*top_level=*/true));
  return exited ? static_cast<int>(exit_code_) : 0;
}

Result<const abi::ExportDesc*> Instance::FindTypedExport(std::string_view name,
                                                         const FuncType& type) {
  if (!instantiated_) {
    return MakeError(ErrorKind::kOther, "Call Instantiate before calling '{}'.", name);
  }
  const abi::ExportDesc* e = module_->FindExport(name);
  if (e == nullptr) {
    return ValidationError("The module {} exports no function named '{}'.", module_->name(), name);
  }
  FuncType actual;
  if (!FuncType::ParseCode(e->type, &actual) || !(actual == type)) {
    return ValidationError("The export '{}' has type {}, not {}.", name, actual.ToString(),
                           type.ToString());
  }
  return e;
}

Result<void*> Instance::ResolveIndirect(uint32_t table_index, const FuncType& type,
                                        void** callee_instance) {
  auto table_fn = module_->desc().table;
  wasm_rt_funcref_table_t* table = table_fn != nullptr ? table_fn(module_instance_) : nullptr;
  if (table == nullptr) {
    return ValidationError("The module has no function table, so function pointer {} is invalid.",
                           table_index);
  }
  if (table_index >= table->size) {
    return ValidationError("Function pointer {} is out of range (the table has {} entries).",
                           table_index, table->size);
  }
  const wasm_rt_funcref_t& entry = table->data[table_index];
  if (entry.func == nullptr) {
    return ValidationError("Function pointer {} is null.", table_index);
  }
  uint32_t expected = internal::FuncTypeIndex(type);
  if (entry.func_type != expected) {
    return ValidationError("Function pointer {} has type {}, but the host calls it as {}.",
                           table_index, internal::FuncTypeIndexName(entry.func_type),
                           type.ToString());
  }
  *callee_instance = entry.module_instance;
  return reinterpret_cast<void*>(entry.func);
}

}  // namespace wasmgpu::wasm
