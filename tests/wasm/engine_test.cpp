// Engine tests: validation and feature refusal, the import linker, every trap kind, memory,
// instances, the cache, timeouts, host functions and guest callbacks.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "test_util.h"
#include "wasm/codegen.h"
#include "wasm/module_reader.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"
#include "wasm/instance.h"

namespace wasmgpu::wasm {
namespace {

using testing::GuestPath;
using testing::Wat;

// The module most trap tests use. Function names become the names in trap messages.
const char kTrapsWat[] = R"((module
  (memory (export "memory") 1 3)
  (type $to_i32 (func (result i32)))
  (type $void (func))
  (type $i32_to_i32 (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $seven $recurse)
  (func $seven (type $to_i32) i32.const 7)
  (func $divide (export "divide") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func $remainder (export "remainder") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.rem_u)
  (func $load (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func $store (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func $hit_unreachable (export "hit_unreachable") unreachable)
  (func $truncate (export "truncate") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func $call_table (export "call_table") (param i32) (result i32)
    local.get 0 call_indirect (type $to_i32))
  (func $call_table_void (export "call_table_void") (param i32)
    local.get 0 call_indirect (type $void))
  ;; Recurses through the table so no C compiler can turn it into a loop.
  (func $recurse (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add i32.const 1 call_indirect (type $i32_to_i32)
    i32.const 1 i32.add)
  (func $grow (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func $size (export "size") (result i32) memory.size)
  (func $spin (export "spin") (loop br 0))
  ;; Called once each, so the C compiler inlines them into their callers: the trap message must
  ;; still name the inner function (debug info), not the export it ended up in.
  (func $inner_divide (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
  (func $outer_divide (export "outer_divide") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $inner_divide i32.const 1 i32.add)
  ;; A load whose value is dropped must still trap out of bounds.
  (func $dead_load (export "dead_load") (param i32) local.get 0 i32.load drop)
  ;; Grows memory and uses the new page in the same function: the base the function read at
  ;; entry must still be the base.
  (func $grow_and_touch (export "grow_and_touch") (result i32)
    i32.const 1 memory.grow drop
    i32.const 65536 i32.const 99 i32.store
    i32.const 65536 i32.load)
  (func $inner_load (param i32) (result i32) local.get 0 i32.load offset=4)
  (func $outer_load (export "outer_load") (param i32) (result i32)
    local.get 0 call $inner_load i32.const 3 i32.mul)
))";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wasi::RegisterWasi(registry_);
    EngineOptions options;
    options.cache_dir = WASM_TEST_CACHE_DIR;
    engine_ = std::make_unique<Engine>(options);
  }

  std::shared_ptr<Module> Load(const std::vector<uint8_t>& bytes) {
    Result<std::shared_ptr<Module>> m = engine_->LoadBytes(bytes, "test.wasm", registry_);
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? *m : nullptr;
  }

  Error LoadError(const std::vector<uint8_t>& bytes) {
    Result<std::shared_ptr<Module>> m = engine_->LoadBytes(bytes, "test.wasm", registry_);
    EXPECT_FALSE(m.ok());
    return m.ok() ? Error{} : m.error();
  }

  std::unique_ptr<Instance> Instantiate(std::shared_ptr<Module> module,
                                        InstanceOptions options = {}) {
    Result<std::unique_ptr<Instance>> inst = Instance::Create(module, registry_, options);
    EXPECT_TRUE(inst.ok()) << inst.error().message;
    if (!inst.ok()) return nullptr;
    Status s = (*inst)->Instantiate();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(inst).value();
  }

  std::unique_ptr<Instance> TrapsInstance(InstanceOptions options = {}) {
    auto module = Load(Wat(kTrapsWat));
    return module ? Instantiate(module, options) : nullptr;
  }

  HostRegistry registry_;
  std::unique_ptr<Engine> engine_;
};

// ---- validation and refused features --------------------------------------------------------

TEST_F(EngineTest, GarbageIsRefused) {
  std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  EXPECT_EQ(LoadError(junk).message,
            "The file is not a WebAssembly module: it is 11 bytes long and does not start with "
            "the magic number \\0asm.");
}

TEST_F(EngineTest, TruncatedModuleIsRefused) {
  std::vector<uint8_t> bytes = Wat(kTrapsWat);
  bytes.resize(bytes.size() / 2);
  Error e = LoadError(bytes);
  EXPECT_EQ(e.kind, ErrorKind::kValidation);
  EXPECT_EQ(e.message.rfind("The module is not valid WebAssembly: ", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("(at byte offset 0x"), std::string::npos) << e.message;
}

TEST_F(EngineTest, InvalidModuleIsRefused) {
  // Type error: i32.add on an f32.
  Error e = LoadError(Wat(R"((module (func (result i32) f32.const 1 i32.const 1 i32.add)))"));
  EXPECT_EQ(e.message.rfind("The module is not valid WebAssembly: ", 0), 0u) << e.message;
  EXPECT_NE(e.message.find("type mismatch"), std::string::npos) << e.message;
}

TEST_F(EngineTest, SimdIsRefusedByName) {
  Error e = LoadError(Wat(R"((module (func (export "f") (param i32)
      local.get 0 i32x4.splat local.get 0 i32x4.splat i32x4.add drop)))"));
  EXPECT_EQ(e.kind, ErrorKind::kValidation);
  EXPECT_EQ(e.message,
            "The module uses SIMD (opcode i32x4.splat at byte offset 0x21), which wasmgpu does "
            "not support (its wasm2c translator lacks it).");
  EXPECT_EQ(engine_->compilations(), 0);
}

TEST_F(EngineTest, SimdTypeIsRefusedByName) {
  Error e = LoadError(Wat(R"((module (func (param v128))))"));
  EXPECT_EQ(e.message,
            "The module uses SIMD (type v128 in a function type), which wasmgpu does not support "
            "(its wasm2c translator lacks it).");
}

TEST_F(EngineTest, SharedMemoryIsRefusedAsThreads) {
  Error e = LoadError(Wat(R"((module (memory 1 1 shared)))"));
  EXPECT_EQ(e.message,
            "The module uses threads (a shared memory), which wasmgpu does not support (its "
            "wasm2c translator lacks it).");
}

TEST_F(EngineTest, AtomicsAreRefusedAsThreads) {
  Error e = LoadError(Wat(R"((module (memory 1) (func (result i32) i32.const 0 i32.atomic.load)))"));
  EXPECT_NE(e.message.find("The module uses threads (atomics) (opcode i32.atomic.load at byte "
                           "offset 0x"),
            std::string::npos)
      << e.message;
}

TEST_F(EngineTest, Memory64AndMultiMemoryAreRefused) {
  EXPECT_EQ(LoadError(Wat(R"((module (memory i64 1)))")).message,
            "The module uses memory64 (a 64-bit memory), which wasmgpu does not support (its "
            "wasm2c translator lacks it).");
  EXPECT_EQ(LoadError(Wat(R"((module (memory 1) (memory 1)))")).message,
            "The module uses multi-memory (more than one memory), which wasmgpu does not "
            "support (its wasm2c translator lacks it).");
}

TEST_F(EngineTest, ExceptionsAreRefused) {
  Error e = LoadError(Wat(R"((module (tag $e) (func throw $e)))"));
  EXPECT_EQ(e.message,
            "The module uses exceptions (a tag section), which wasmgpu does not support (its "
            "wasm2c translator lacks it).");
}

// ---- our linker -------------------------------------------------------------------------------

TEST_F(EngineTest, UnknownImportIsRefusedBeforeCompiling) {
  Error e = LoadError(Wat(R"((module (import "env" "nope" (func (param i32 i64) (result f32)))))"));
  EXPECT_EQ(e.kind, ErrorKind::kValidation);
  EXPECT_EQ(e.message,
            "The module imports 'env'.'nope' with type (i32, i64) -> f32, which the host does "
            "not provide.");
  EXPECT_EQ(engine_->compilations(), 0);
}

TEST_F(EngineTest, WrongImportSignatureIsRefusedWithBothSignatures) {
  Error e = LoadError(Wat(
      R"((module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))))"));
  EXPECT_EQ(e.message,
            "Incompatible import type for 'wasi_snapshot_preview1'.'fd_write': the module "
            "expects (i32) -> i32 but the host provides (i32, i32, i32, i32) -> i32.");
  EXPECT_EQ(engine_->compilations(), 0);
}

TEST_F(EngineTest, NonFunctionImportIsRefused) {
  EXPECT_EQ(LoadError(Wat(R"((module (import "env" "memory" (memory 1))))")).message,
            "The module imports a memory 'env'.'memory'; wasmgpu only provides function imports.");
}

TEST_F(EngineTest, CacheHitChecksImportsAgainstTheRegistry) {
  // Compiled once with the import available, then loaded where the host lacks it.
  registry_.Add("env", "extra", +[](Instance*, uint32_t x) -> uint32_t { return x; });
  auto bytes = Wat(R"((module (import "env" "extra" (func (param i32) (result i32)))))");
  ASSERT_NE(Load(bytes), nullptr);
  HostRegistry bare;
  Result<std::shared_ptr<Module>> m = engine_->LoadBytes(bytes, "test.wasm", bare);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "The module imports 'env'.'extra' with type (i32) -> i32, which the host does not "
            "provide.");
}

// ---- traps ------------------------------------------------------------------------------------

struct TrapCase {
  const char* export_name;
  TrapKind kind;
  const char* message;
};

TEST_F(EngineTest, EveryTrapKindEndsTheCallWithItsMessage) {
  auto module = Load(Wat(kTrapsWat));
  ASSERT_NE(module, nullptr);
  auto expect = [&](auto call, TrapKind kind, const std::string& message) {
    auto inst = Instantiate(module);
    ASSERT_NE(inst, nullptr);
    Status s = call(*inst);
    ASSERT_FALSE(s.ok()) << "expected: " << message;
    EXPECT_EQ(s.error().message, message);
    EXPECT_EQ(inst->trap_kind(), kind);
  };
  auto status = [](auto r) -> Status { return r.ok() ? Status{} : Status(std::move(r).error()); };
  expect([&](Instance& i) { return status(i.Call<uint32_t>("divide", 1u, 0u)); },
         TrapKind::kDivideByZero, "The guest trapped: integer divide by zero in function 'divide'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("remainder", 1u, 0u)); },
         TrapKind::kDivideByZero,
         "The guest trapped: integer divide by zero in function 'remainder'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("divide", 0x80000000u, 0xffffffffu)); },
         TrapKind::kIntegerOverflow, "The guest trapped: integer overflow in function 'divide'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("load", 65534u)); },
         TrapKind::kOutOfBounds,
         "The guest trapped: out of bounds memory access in function 'load'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("load", 0xfffffffcu)); },
         TrapKind::kOutOfBounds,
         "The guest trapped: out of bounds memory access in function 'load'.");
  expect([&](Instance& i) { return i.Call<void>("hit_unreachable"); }, TrapKind::kUnreachable,
         "The guest trapped: unreachable executed in function 'hit_unreachable'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("truncate", __builtin_nanf(""))); },
         TrapKind::kInvalidConversion,
         "The guest trapped: invalid conversion to integer in function 'truncate'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("truncate", 1e10f)); },
         TrapKind::kIntegerOverflow, "The guest trapped: integer overflow in function 'truncate'.");
  const std::string indirect =
      "The guest trapped: indirect call type mismatch (or a null or out-of-range table entry)";
  expect([&](Instance& i) { return i.Call<void>("call_table_void", 0u); }, TrapKind::kIndirectCall,
         indirect + " in function 'call_table_void'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("call_table", 5u)); },
         TrapKind::kIndirectCall, indirect + " in function 'call_table'.");
  expect([&](Instance& i) { return status(i.Call<uint32_t>("recurse", 0u)); },
         TrapKind::kStackExhausted, "The guest trapped: call stack exhausted in function 'recurse'.");
}

TEST_F(EngineTest, GeneratedCodeReadsTheMemoryBaseOncePerFunction) {
  std::vector<uint8_t> bytes = Wat(kTrapsWat);
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  Result<GeneratedC> c = GenerateC(*parsed);
  ASSERT_TRUE(c.ok()) << c.error().message;
  // Every load and store goes through the local base; none reads it from the struct.
  EXPECT_NE(c->source.find("i32_load_b(wasmgpu_mem, "), std::string::npos);
  EXPECT_NE(c->source.find("i32_store_b(wasmgpu_mem, "), std::string::npos);
  EXPECT_EQ(c->source.find("i32_load(&instance->"), std::string::npos);
  EXPECT_EQ(c->source.find("i32_store(&instance->"), std::string::npos);
  EXPECT_NE(c->source.find("  FUNC_PROLOGUE;\n  u8* const wasmgpu_mem = instance->"),
            std::string::npos);
}

TEST_F(EngineTest, DeadLoadsTrapAndGrowthKeepsTheFunctionsBase) {
  auto module = Load(Wat(kTrapsWat));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  EXPECT_TRUE(inst->Call<void>("dead_load", 65532u).ok());
  EXPECT_EQ(*inst->Call<uint32_t>("grow_and_touch"), 99u);
  EXPECT_EQ(inst->memory_size(), 2u * 65536);
  Status s = inst->Call<void>("dead_load", 2u * 65536 - 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "The guest trapped: out of bounds memory access in function 'dead_load'.");
}

TEST_F(EngineTest, TrapInAnInlinedFunctionNamesTheInnerFunction) {
  auto module = Load(Wat(kTrapsWat));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(*inst->Call<uint32_t>("outer_divide", 7u, 2u), 4u);
  Result<uint32_t> r = inst->Call<uint32_t>("outer_divide", 7u, 0u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The guest trapped: integer divide by zero in function 'inner_divide'.");
  auto other = Instantiate(module);
  ASSERT_NE(other, nullptr);
  r = other->Call<uint32_t>("outer_load", 65532u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "The guest trapped: out of bounds memory access in function 'inner_load'.");
}

TEST_F(EngineTest, ProcessStaysSoundAfterTraps) {
  auto a = TrapsInstance();
  ASSERT_NE(a, nullptr);
  ASSERT_FALSE(a->Call<uint32_t>("recurse", 0u).ok());
  ASSERT_FALSE(a->Call<uint32_t>("load", 0xfffffffcu).ok());  // refused: already trapped
  EXPECT_EQ(a->Call<uint32_t>("load", 0u).error().message,
            "The instance trapped earlier (call stack exhausted); it cannot run again.");
  auto b = TrapsInstance();
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->Call<void>("store", 16u, 1234u).ok());
  Result<uint32_t> r = b->Call<uint32_t>("load", 16u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 1234u);
  Result<uint32_t> seven = b->Call<uint32_t>("call_table", 0u);
  ASSERT_TRUE(seven.ok());
  EXPECT_EQ(*seven, 7u);
}

TEST_F(EngineTest, ExportTypeMustMatchTheCall) {
  auto inst = TrapsInstance();
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->Call<uint64_t>("divide", 1u, 2u).error().message,
            "The export 'divide' has type (i32, i32) -> i32, not (i32, i32) -> i64.");
  EXPECT_EQ(inst->Call<void>("nothing").error().message,
            "The module test.wasm exports no function named 'nothing'.");
}

TEST_F(EngineTest, FloatConversionsQuietSignallingNans) {
  // The generated code relies on cvtss2sd/cvtsd2ss (fcvt) to quiet NaNs (codegen.cpp).
  auto module = Load(Wat(R"((module
    (func (export "demote") (param f64) (result i32) local.get 0 f32.demote_f64 i32.reinterpret_f32)
    (func (export "promote") (param i32) (result i64)
      local.get 0 f32.reinterpret_i32 f64.promote_f32 i64.reinterpret_f64)))"));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  double snan64;
  uint64_t snan64_bits = 0x7ff0000000000001ull;
  std::memcpy(&snan64, &snan64_bits, 8);
  uint32_t demoted = *inst->Call<uint32_t>("demote", snan64);
  EXPECT_EQ(demoted & 0x7fc00000u, 0x7fc00000u) << std::hex << demoted;  // NaN, quiet bit set
  uint64_t promoted = *inst->Call<uint64_t>("promote", 0x7f800001u);     // f32 signalling NaN
  EXPECT_EQ(promoted & 0x7ff8000000000000ull, 0x7ff8000000000000ull) << std::hex << promoted;
  EXPECT_EQ(*inst->Call<uint64_t>("promote", 0x3fc00000u), 0x3ff8000000000000ull);  // 1.5
}

// ---- memory -----------------------------------------------------------------------------------

class GrowWatcher : public HostState {
 public:
  explicit GrowWatcher(std::vector<std::pair<uint64_t, uint64_t>>* log) : log_(log) {}
  void OnMemoryGrow(uint64_t old_bytes, uint64_t new_bytes) override {
    log_->emplace_back(old_bytes, new_bytes);
  }

 private:
  std::vector<std::pair<uint64_t, uint64_t>>* log_;
};

TEST_F(EngineTest, MemoryGrowthKeepsTheBaseAddressAndStopsAtTheMaximum) {
  auto inst = TrapsInstance();
  ASSERT_NE(inst, nullptr);
  std::vector<std::pair<uint64_t, uint64_t>> log;
  inst->SetHostState(kUserStateSlot, std::make_unique<GrowWatcher>(&log));
  uint8_t* base = inst->memory_base();
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(base) % 65536, 0u);
  EXPECT_EQ(inst->memory_size(), 65536u);
  ASSERT_TRUE(inst->Call<void>("store", 100u, 0xabcdu).ok());

  EXPECT_EQ(*inst->Call<uint32_t>("grow", 1u), 1u);   // old size in pages
  EXPECT_EQ(inst->memory_base(), base);
  EXPECT_EQ(inst->memory_size(), 2u * 65536);
  EXPECT_EQ(*inst->Call<uint32_t>("load", 100u), 0xabcdu);
  ASSERT_TRUE(inst->Call<void>("store", 65536u + 8, 42u).ok());  // the new page is usable

  EXPECT_EQ(*inst->Call<uint32_t>("grow", 2u), 0xffffffffu);  // 4 pages > maximum 3
  EXPECT_EQ(*inst->Call<uint32_t>("grow", 1u), 2u);
  EXPECT_EQ(*inst->Call<uint32_t>("grow", 1u), 0xffffffffu);
  EXPECT_EQ(*inst->Call<uint32_t>("size"), 3u);
  EXPECT_EQ(inst->memory_base(), base);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], std::make_pair(uint64_t{65536}, uint64_t{131072}));
  EXPECT_EQ(log[1], std::make_pair(uint64_t{131072}, uint64_t{196608}));

  // The host-side view checks bounds on the current size, overflow-safe.
  EXPECT_TRUE(inst->InBounds(3 * 65536 - 4, 4));
  EXPECT_FALSE(inst->InBounds(3 * 65536 - 4, 5));
  EXPECT_FALSE(inst->InBounds(8, UINT64_MAX - 4));
  EXPECT_EQ(inst->Span(UINT32_MAX, 2), nullptr);
}

TEST_F(EngineTest, MaxMemoryOptionCapsGrowth) {
  InstanceOptions options;
  options.max_memory_pages = 2;
  auto inst = TrapsInstance(options);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(*inst->Call<uint32_t>("grow", 1u), 1u);
  EXPECT_EQ(*inst->Call<uint32_t>("grow", 1u), 0xffffffffu);
}

TEST_F(EngineTest, TwoInstancesHaveTheirOwnMemory) {
  auto module = Load(Wat(kTrapsWat));
  ASSERT_NE(module, nullptr);
  auto a = Instantiate(module);
  auto b = Instantiate(module);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->memory_base(), b->memory_base());
  ASSERT_TRUE(a->Call<void>("store", 0u, 111u).ok());
  ASSERT_TRUE(b->Call<void>("store", 0u, 222u).ok());
  EXPECT_EQ(*a->Call<uint32_t>("load", 0u), 111u);
  EXPECT_EQ(*b->Call<uint32_t>("load", 0u), 222u);
  ASSERT_TRUE(a->Call<uint32_t>("grow", 1u).ok());
  EXPECT_EQ(b->memory_size(), 65536u);
  // A trap in one leaves the other running.
  EXPECT_FALSE(a->Call<uint32_t>("divide", 1u, 0u).ok());
  EXPECT_EQ(*b->Call<uint32_t>("divide", 9u, 3u), 3u);
}

TEST_F(EngineTest, InstancesOnTwoThreadsTrapIndependently) {
  auto module = Load(Wat(kTrapsWat));
  ASSERT_NE(module, nullptr);
  auto a = Instantiate(module);
  auto b = Instantiate(module);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::atomic<int> a_traps{0};
  std::atomic<int> b_sum{0};
  std::thread ta([&] {
    for (int i = 0; i < 50; ++i) {
      auto inst = Instantiate(module);
      if (inst && !inst->Call<uint32_t>("load", 0xfffffff0u).ok()) ++a_traps;
    }
  });
  std::thread tb([&] {
    for (uint32_t i = 0; i < 50; ++i) {
      Result<uint32_t> r = b->Call<uint32_t>("divide", 100u, 10u);
      if (r.ok()) b_sum += static_cast<int>(*r);
    }
  });
  ta.join();
  tb.join();
  EXPECT_EQ(a_traps.load(), 50);
  EXPECT_EQ(b_sum.load(), 500);
}

// ---- cache ------------------------------------------------------------------------------------

TEST_F(EngineTest, CacheHitSkipsCompilation) {
  std::string dir = testing::MakeTempDir("wasmgpu-cache");
  // A module no other test uses, so the first load must compile.
  auto bytes = Wat(R"((module (func (export "answer") (result i32) i32.const 4242)))");
  EngineOptions options;
  options.cache_dir = dir;
  std::string object;
  {
    Engine first(options);
    Result<std::shared_ptr<Module>> m1 = first.LoadBytes(bytes, "answer.wasm", registry_);
    ASSERT_TRUE(m1.ok()) << m1.error().message;
    EXPECT_EQ(first.compilations(), 1);
    EXPECT_FALSE((*m1)->from_cache());
    object = (*m1)->object_path();
  }
  {
    Engine second(options);
    Result<std::shared_ptr<Module>> m2 = second.LoadBytes(bytes, "answer.wasm", registry_);
    ASSERT_TRUE(m2.ok()) << m2.error().message;
    EXPECT_EQ(second.compilations(), 0);
    EXPECT_TRUE((*m2)->from_cache());
    EXPECT_EQ((*m2)->object_path(), object);
    auto inst = Instantiate(*m2);
    ASSERT_NE(inst, nullptr);
    EXPECT_EQ(*inst->Call<uint32_t>("answer"), 4242u);
  }
  // A damaged entry is compiled again rather than trusted. (A new file, as a concurrent
  // writer's rename would make; the module above is unloaded, so dlopen reads the file.)
  std::filesystem::remove(object);
  { std::ofstream(object) << "garbage"; }
  Engine third(options);
  Result<std::shared_ptr<Module>> m3 = third.LoadBytes(bytes, "answer.wasm", registry_);
  ASSERT_TRUE(m3.ok()) << m3.error().message;
  EXPECT_EQ(third.compilations(), 1);
  auto inst = Instantiate(*m3);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(*inst->Call<uint32_t>("answer"), 4242u);
  std::filesystem::remove_all(dir);
}

TEST_F(EngineTest, CacheMissRemovesStaleTemporaryFolders) {
  std::string dir = testing::MakeTempDir("wasmgpu-cache");
  namespace fs = std::filesystem;
  fs::create_directories(dir + "/tmp.killed");
  fs::last_write_time(dir + "/tmp.killed", fs::file_time_type::clock::now() - std::chrono::hours(48));
  fs::create_directories(dir + "/tmp.running");
  EngineOptions options;
  options.cache_dir = dir;
  Engine engine(options);
  auto bytes = Wat(R"((module (func (export "stale") (result i32) i32.const 1)))");
  ASSERT_TRUE(engine.LoadBytes(bytes, "stale.wasm", registry_).ok());
  EXPECT_FALSE(fs::exists(dir + "/tmp.killed"));
  EXPECT_TRUE(fs::exists(dir + "/tmp.running"));
  fs::remove_all(dir);
}

TEST_F(EngineTest, CacheEvictsTheLeastRecentlyUsedObjectsBeyondItsCap) {
  namespace fs = std::filesystem;
  std::string dir = testing::MakeTempDir("wasmgpu-cache");
  auto module = [](int n) {
    return Wat(fmt::format(R"((module (func (export "lru{}") (result i32) i32.const {})))", n, n));
  };
  EngineOptions options;
  options.cache_dir = dir;
  std::map<int, std::string> objects;
  {
    Engine engine(options);  // default cap: nothing evicted
    for (int n : {1, 2, 3}) {
      Result<std::shared_ptr<Module>> m = engine.LoadBytes(module(n), "lru.wasm", registry_);
      ASSERT_TRUE(m.ok()) << m.error().message;
      objects[n] = (*m)->object_path();
    }
    EXPECT_EQ(engine.GetCacheInfo().entries, 3u);
    // Last used: 1 long ago, 2 and 3 less long ago; then a cache hit makes 1 the most recent.
    auto now = fs::file_time_type::clock::now();
    fs::last_write_time(objects[1], now - std::chrono::hours(3));
    fs::last_write_time(objects[2], now - std::chrono::hours(2));
    fs::last_write_time(objects[3], now - std::chrono::hours(1));
    ASSERT_TRUE(engine.LoadBytes(module(1), "lru.wasm", registry_).ok());
    EXPECT_EQ(engine.compilations(), 3);
  }
  uint64_t largest = 0;
  for (const auto& [n, path] : objects) largest = std::max<uint64_t>(largest, fs::file_size(path));
  // Room for two objects: compiling a fourth keeps it and the most recently used one (1).
  options.cache_max_bytes = largest * 2 + largest / 2;
  Engine engine(options);
  EXPECT_EQ(engine.cache_max_bytes(), options.cache_max_bytes);
  Result<std::shared_ptr<Module>> m4 = engine.LoadBytes(module(4), "lru.wasm", registry_);
  ASSERT_TRUE(m4.ok()) << m4.error().message;
  EXPECT_TRUE(fs::exists((*m4)->object_path()));
  EXPECT_TRUE(fs::exists(objects[1]));
  EXPECT_FALSE(fs::exists(objects[2]));
  EXPECT_FALSE(fs::exists(objects[3]));
  CacheInfo info = engine.GetCacheInfo();
  EXPECT_EQ(info.entries, 2u);
  EXPECT_LE(info.bytes, options.cache_max_bytes);
  // An object larger than the cap alone is still kept (it is the one just compiled).
  options.cache_max_bytes = 1;
  Engine tiny(options);
  Result<std::shared_ptr<Module>> m5 = tiny.LoadBytes(module(5), "lru.wasm", registry_);
  ASSERT_TRUE(m5.ok()) << m5.error().message;
  EXPECT_EQ(tiny.GetCacheInfo().entries, 1u);
  EXPECT_TRUE(fs::exists((*m5)->object_path()));
  // Clearing deletes every object and says what was there.
  Result<CacheInfo> cleared = tiny.ClearCache();
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->entries, 1u);
  EXPECT_EQ(tiny.GetCacheInfo().entries, 0u);
  fs::remove_all(dir);
}

// ---- timeout ----------------------------------------------------------------------------------

TEST_F(EngineTest, TimeoutStopsASpinningGuest) {
  InstanceOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto inst = TrapsInstance(options);
  ASSERT_NE(inst, nullptr);
  auto start = std::chrono::steady_clock::now();
  Status s = inst->Call<void>("spin");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "The guest ran longer than the timeout (0.2 s) and was stopped in function 'spin'.");
  EXPECT_EQ(inst->trap_kind(), TrapKind::kTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(200));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  // A call that finishes in time is unaffected, and the process stays usable.
  auto other = TrapsInstance(options);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(*other->Call<uint32_t>("divide", 8u, 2u), 4u);
}

// ---- host functions and guest callbacks -------------------------------------------------------

std::vector<std::string>* g_reports = nullptr;

void Report(Instance* inst, uint32_t ptr, uint32_t len) {
  const uint8_t* p = inst->Span(ptr, len);
  if (p == nullptr) inst->Trapf("report: string [{}, +{}) is out of bounds.", ptr, len);
  g_reports->emplace_back(reinterpret_cast<const char*>(p), len);
}

int32_t CallBack(Instance* inst, int32_t fn, int32_t arg) {
  Result<int32_t> r = inst->CallIndirect<int32_t>(static_cast<uint32_t>(fn), arg);
  if (!r.ok()) {
    g_reports->push_back(r.error().message);
    return -1;
  }
  return *r + 1;
}

class HostFunctionTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    g_reports = &reports_;
    registry_.Add("test", "report", &Report);
    registry_.Add("test", "call_back", &CallBack);
  }
  void TearDown() override { g_reports = nullptr; }
  std::vector<std::string> reports_;
};

TEST_F(HostFunctionTest, GuestCallsHostAndHostCallsGuestFunctionPointer) {
  ASSERT_TRUE(testing::GuestsBuilt()) << "the test guests were not built (WASMGPU_BUILD_GUESTS)";
  auto module = engine_->LoadFile(GuestPath("report"), registry_);
  ASSERT_TRUE(module.ok()) << module.error().message;
  auto inst = Instantiate(*module);
  ASSERT_NE(inst, nullptr);
  ASSERT_TRUE(inst->Call<void>("say").ok());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0], "hello from the guest");
  Result<int32_t> r = inst->Call<int32_t>("run_callback", 20);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 41);  // Twice(20) + 1
}

TEST_F(HostFunctionTest, CallIndirectChecksTheSignature) {
  // Table entry 0 is () -> i32; the host calls it as (i32) -> i32.
  registry_.Add("test", "call_back", &CallBack);
  auto module = Load(Wat(R"((module
    (import "test" "call_back" (func $cb (param i32 i32) (result i32)))
    (type $to_i32 (func (result i32)))
    (table 2 funcref) (elem (i32.const 0) $seven)
    (func $seven (type $to_i32) i32.const 7)
    (func (export "go") (param i32) (result i32) local.get 0 i32.const 5 call $cb)))"));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(*inst->Call<int32_t>("go", 0), -1);
  EXPECT_EQ(*inst->Call<int32_t>("go", 1), -1);
  EXPECT_EQ(*inst->Call<int32_t>("go", 9), -1);
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_EQ(reports_[0], "Function pointer 0 has type () -> i32, but the host calls it as (i32) -> i32.");
  EXPECT_EQ(reports_[1], "Function pointer 1 is null.");
  EXPECT_EQ(reports_[2], "Function pointer 9 is out of range (the table has 2 entries).");
}

TEST_F(HostFunctionTest, HostTrapEndsTheRunWithItsMessage) {
  auto module = Load(Wat(R"((module
    (import "test" "report" (func $report (param i32 i32)))
    (memory 1)
    (func (export "bad") i32.const 65530 i32.const 100 call $report)))"));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  Status s = inst->Call<void>("bad");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "report: string [65530, +100) is out of bounds.");
  EXPECT_EQ(inst->trap_kind(), TrapKind::kHost);
  EXPECT_TRUE(reports_.empty());
}

// Two imports of the same (module, name) are valid wasm. wasm2c 1.0.32 gives both one C symbol
// and prints "warning: duplicate import declaration" on stderr while translating; the engine
// names every import on its own, so the compile prints nothing and each import calls its host
// function. The third import is named as the second's alias would be ("report#1"), so the
// alias must step around it.
TEST_F(HostFunctionTest, DuplicateImportsCompileWithoutStderrNoise) {
  registry_.Add("test", "report#1", +[](Instance* inst, uint32_t ptr, uint32_t len) {
    Report(inst, ptr, len);
    g_reports->back().insert(0, "other: ");
  });
  std::string dir = testing::MakeTempDir("wasmgpu-cache");  // a cache miss: this compiles
  EngineOptions options;
  options.cache_dir = dir;
  Engine engine(options);
  testing::StderrCapture stderr_capture;
  Result<std::shared_ptr<Module>> module = engine.LoadBytes(Wat(R"((module
    (import "test" "report" (func $a (param i32 i32)))
    (import "test" "report" (func $b (param i32 i32)))
    (import "test" "report#1" (func $c (param i32 i32)))
    (import "test" "report" (func $d (param i32 i32)))
    (memory 1) (data (i32.const 0) "abcd")
    (func (export "go")
      i32.const 0 i32.const 1 call $a
      i32.const 1 i32.const 1 call $b
      i32.const 2 i32.const 1 call $c
      i32.const 3 i32.const 1 call $d)))"), "dup.wasm", registry_);
  std::string printed = stderr_capture.Finish();
  ASSERT_TRUE(module.ok()) << module.error().message;
  EXPECT_EQ(engine.compilations(), 1);
  EXPECT_EQ(printed, "");
  auto inst = Instantiate(*module);
  ASSERT_NE(inst, nullptr);
  ASSERT_TRUE(inst->Call<void>("go").ok());
  EXPECT_EQ(reports_, (std::vector<std::string>{"a", "b", "other: c", "d"}));
  std::filesystem::remove_all(dir);
}

// The C compiler's own diagnostics are kept, not discarded: a failed compile shows them.
TEST_F(EngineTest, CompilerErrorsAreReportedWithTheCompilersOutput) {
  std::string dir = testing::MakeTempDir("wasmgpu-cache");
  std::string compiler = dir + "/failing-cc";
  {
    std::ofstream script(compiler);
    script << "#!/bin/sh\necho 'module.c:1:1: error: this compiler refuses everything' >&2\n"
              "exit 3\n";
  }
  ASSERT_EQ(chmod(compiler.c_str(), 0755), 0);
  EngineOptions options;
  options.cache_dir = dir + "/cache";
  options.compiler = compiler;
  Engine engine(options);
  Result<std::shared_ptr<Module>> m = engine.LoadBytes(
      Wat(R"((module (func (export "refused") (result i32) i32.const 31337)))"), "cc.wasm",
      registry_);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(m.error().message,
            "Compiling the translated module with '" + compiler +
                "' failed (exit status 3):\nmodule.c:1:1: error: this compiler refuses everything");
  std::filesystem::remove_all(dir);
}

TEST_F(HostFunctionTest, StartFunctionRunsAtInstantiation) {
  auto module = Load(Wat(R"((module
    (import "test" "report" (func $report (param i32 i32)))
    (memory 1) (data (i32.const 8) "started")
    (func $init i32.const 8 i32.const 7 call $report)
    (start $init)))"));
  ASSERT_NE(module, nullptr);
  auto inst = Instantiate(module);
  ASSERT_NE(inst, nullptr);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0], "started");
}

}  // namespace
}  // namespace wasmgpu::wasm
