// The bounds/alias analysis (src/wasm/bounds_analysis.h) and the C it lets codegen emit: what
// is proven and why not, and that proven and unproven functions alike compute exactly what the
// wasm semantics say (overlapping in-place loops, shifted copies, aliasing outputs, traps out of
// bounds, wrapping address arithmetic).
#include <gtest/gtest.h>
#include <wabt/ir.h>

#include <cstring>
#include <map>

#include "test_util.h"
#include "wasi/wasi.h"
#include "wasm/bounds_analysis.h"
#include "wasm/codegen.h"
#include "wasm/engine.h"
#include "wasm/instance.h"
#include "wasm/module_reader.h"

namespace wasmgpu::wasm {
namespace {

using testing::Wat;

// Loops in the shape clang emits at -O2 (rotated, `local.tee i; i32.const N; i32.ne; br_if`).
// One page of memory: 65536 bytes.
const char kLoopsWat[] = R"((module
  (memory (export "memory") 1)
  ;; 8x8 float matmul, i-j-k: c (at 512) = a (at 0) x b (at 256). Loads and stores disjoint.
  (func $mm (export "mm") (local $i i32) (local $j i32) (local $k i32) (local $s f32)
    loop $li
      i32.const 0 local.set $j
      loop $lj
        f32.const 0 local.set $s
        i32.const 0 local.set $k
        loop $lk
          local.get $s
          local.get $i i32.const 5 i32.shl local.get $k i32.const 2 i32.shl i32.add f32.load
          local.get $k i32.const 5 i32.shl local.get $j i32.const 2 i32.shl i32.add
          f32.load offset=256
          f32.mul f32.add local.set $s
          local.get $k i32.const 1 i32.add local.tee $k i32.const 8 i32.ne br_if $lk
        end
        local.get $i i32.const 5 i32.shl local.get $j i32.const 2 i32.shl i32.add
        local.get $s f32.store offset=512
        local.get $j i32.const 1 i32.add local.tee $j i32.const 8 i32.ne br_if $lj
      end
      local.get $i i32.const 1 i32.add local.tee $i i32.const 8 i32.ne br_if $li
    end)
  ;; The same product written over a (at 0) while a is still being read: the output aliases an
  ;; input, so each row's later sums read the row's earlier results.
  (func $mm_alias (export "mm_alias") (local $i i32) (local $j i32) (local $k i32) (local $s f32)
    loop $li
      i32.const 0 local.set $j
      loop $lj
        f32.const 0 local.set $s
        i32.const 0 local.set $k
        loop $lk
          local.get $s
          local.get $i i32.const 5 i32.shl local.get $k i32.const 2 i32.shl i32.add f32.load
          local.get $k i32.const 5 i32.shl local.get $j i32.const 2 i32.shl i32.add
          f32.load offset=256
          f32.mul f32.add local.set $s
          local.get $k i32.const 1 i32.add local.tee $k i32.const 8 i32.ne br_if $lk
        end
        local.get $i i32.const 5 i32.shl local.get $j i32.const 2 i32.shl i32.add
        local.get $s f32.store
        local.get $j i32.const 1 i32.add local.tee $j i32.const 8 i32.ne br_if $lj
      end
      local.get $i i32.const 1 i32.add local.tee $i i32.const 8 i32.ne br_if $li
    end)
  ;; In place: x[i] = x[i] * 2 + 1 for 64 floats at 1024.
  (func $inplace (export "inplace") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl
      local.get $i i32.const 2 i32.shl f32.load offset=1024 f32.const 2 f32.mul f32.const 1 f32.add
      f32.store offset=1024
      local.get $i i32.const 1 i32.add local.tee $i i32.const 64 i32.ne br_if $l
    end)
  ;; Shifted copy forward: y[i + 1] = y[i] + 1 for i < 63 (y at 2048), so y[k] = y[0] + k.
  (func $shift_fwd (export "shift_fwd") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl
      local.get $i i32.const 2 i32.shl f32.load offset=2048 f32.const 1 f32.add
      f32.store offset=2052
      local.get $i i32.const 1 i32.add local.tee $i i32.const 63 i32.lt_u br_if $l
    end)
  ;; Shifted copy backward: z[i] = z[i + 1] * 3 for i < 63 (z at 4096).
  (func $shift_back (export "shift_back") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl
      local.get $i i32.const 2 i32.shl f32.load offset=4100 f32.const 3 f32.mul
      f32.store offset=4096
      local.get $i i32.const 1 i32.add local.tee $i i32.const 63 i32.lt_s br_if $l
    end)
  ;; Reads 16385 floats from 0: the last one lies past the page, and the loads are dead.
  (func $oob (export "oob") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl f32.load drop
      local.get $i i32.const 1 i32.add local.tee $i i32.const 16385 i32.ne br_if $l
    end)
  ;; Sums floats at i * 4 + 0xffffff00 for 64 <= i < 128: 32-bit addresses wrap to [0, 256).
  ;; Proven: the constant's 64-bit form is -256, so the exact address is in [0, 256).
  (func $wraps (export "wraps") (result f32) (local $i i32) (local $s f32)
    i32.const 64 local.set $i
    loop $l
      local.get $s
      local.get $i i32.const 2 i32.shl i32.const 0xffffff00 i32.add f32.load
      f32.add local.set $s
      local.get $i i32.const 1 i32.add local.tee $i i32.const 128 i32.ne br_if $l
    end
    local.get $s)
  ;; The same with `i' <u 16385` (the last iteration is the one out of bounds) and counting
  ;; down with `i' >s -1` from 100 at 65536 - 4 i (again the last iteration, i = 0).
  (func $oob_lt (export "oob_lt") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl f32.load drop
      local.get $i i32.const 1 i32.add local.tee $i i32.const 16385 i32.lt_u br_if $l
    end)
  (func $oob_down (export "oob_down") (local $i i32)
    i32.const 100 local.set $i
    loop $l
      i32.const 65536 local.get $i i32.const 2 i32.shl i32.sub f32.load drop
      local.get $i i32.const -1 i32.add local.tee $i i32.const -1 i32.gt_s br_if $l
    end)
  ;; A loop with a second back edge (inside the if): its induction variable is not bounded.
  (func $two_edges (export "two_edges") (local $i i32)
    loop $l
      local.get $i i32.const 4 i32.shl f32.load drop
      local.get $i i32.const 1 i32.add local.tee $i
      i32.const 100 i32.lt_u
      if br $l end
      local.get $i i32.const 200 i32.ne br_if $l
    end)
  ;; Through a pointer parameter: the address is unknown.
  (func $through_param (export "through_param") (param $p i32) (result f32)
    local.get $p f32.load)
  ;; Loads at p + 0xffffff00: in bounds for 256 <= p only by wrapping; not provable.
  (func $wraps_param (export "wraps_param") (param $p i32) (result f32)
    local.get $p i32.const 0xffffff00 i32.add f32.load)
  ;; clang's loop form counting a negative index up to 0: d[k] = s[k] * 2 for 64 floats,
  ;; s at 6144, d at 8192, i from -256 in steps of 4 while i' != 0.
  (func $neg_iv (export "neg_iv") (local $i i32)
    i32.const -256 local.set $i
    loop $l
      local.get $i i32.const 8448 i32.add
      local.get $i i32.const 6400 i32.add f32.load f32.const 2 f32.mul
      f32.store
      local.get $i i32.const 4 i32.add local.tee $i br_if $l
    end)
  ;; v[i] = through_param(12288 + 4 i) + 1 for 64 floats (v at 12544): the load is the callee's.
  (func $with_call (export "with_call") (local $i i32)
    loop $l
      local.get $i i32.const 2 i32.shl
      local.get $i i32.const 2 i32.shl i32.const 12288 i32.add call $through_param
      f32.const 1 f32.add
      f32.store offset=12544
      local.get $i i32.const 1 i32.add local.tee $i i32.const 64 i32.ne br_if $l
    end)
  ;; Ten parameters: wasm2c breaks the signature over two lines. Disjoint, so it gets a wrapper
  ;; that must pass every parameter on.
  (func $many (export "many")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 f32) (result f32)
    i32.const 14000 local.get 9 f32.store
    i32.const 14100 f32.load local.get 9 f32.add
    local.get 8 f32.convert_i32_u f32.add)
  ;; Counting down: w[n] = w[n - 1] + 1 for n = 64 .. 1 (w at 10240); overlapping.
  (func $countdown (export "countdown") (local $n i32)
    i32.const 64 local.set $n
    loop $l
      local.get $n i32.const 2 i32.shl
      local.get $n i32.const 2 i32.shl f32.load offset=10236 f32.const 1 f32.add
      f32.store offset=10240
      local.get $n i32.const -1 i32.add local.tee $n br_if $l
    end)
))";

ParsedModule Parse(const std::vector<uint8_t>& bytes) {
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return std::move(parsed).value();
}

// Proofs by function name ("$mm" -> "mm").
std::map<std::string, FunctionProof> ProofsByName(ParsedModule& parsed) {
  const wabt::Module& m = parsed.ir();
  std::vector<FunctionProof> proofs = ProveFunctions(m);
  std::map<std::string, FunctionProof> out;
  for (size_t i = 0; i < proofs.size(); ++i) {
    std::string name = m.funcs[m.num_func_imports + i]->name;
    if (!name.empty() && name[0] == '$') name = name.substr(1);
    out[name] = proofs[i];
  }
  return out;
}

TEST(BoundsAnalysis, ProvesWhatHoldsAndSaysWhyNot) {
  ParsedModule parsed = Parse(Wat(kLoopsWat));
  auto proofs = ProofsByName(parsed);
  ASSERT_EQ(proofs.size(), 16u);
  EXPECT_TRUE(proofs["mm"].in_bounds);
  EXPECT_TRUE(proofs["mm"].disjoint) << proofs["mm"].reason;
  EXPECT_TRUE(proofs["wraps"].disjoint) << proofs["wraps"].reason;
  EXPECT_TRUE(proofs["neg_iv"].disjoint) << proofs["neg_iv"].reason;
  EXPECT_TRUE(proofs["many"].disjoint) << proofs["many"].reason;
  for (const char* overlapping : {"mm_alias", "inplace", "shift_fwd", "shift_back", "countdown"}) {
    EXPECT_TRUE(proofs[overlapping].in_bounds) << overlapping << ": " << proofs[overlapping].reason;
    EXPECT_FALSE(proofs[overlapping].disjoint) << overlapping;
  }
  EXPECT_EQ(proofs["inplace"].reason,
            "Bytes [1024, 1280) may be both stored and loaded (a store's range [1024, 1280) "
            "meets a load's [1024, 1280)).");
  EXPECT_EQ(proofs["shift_fwd"].reason,
            "Bytes [2052, 2300) may be both stored and loaded (a store's range [2052, 2304) "
            "meets a load's [2048, 2300)).");
  EXPECT_FALSE(proofs["oob"].in_bounds);
  EXPECT_EQ(proofs["oob"].reason,
            "An access to bytes [0, 65540) may fall outside the initial memory (65536 bytes).");
  EXPECT_EQ(proofs["countdown"].reason,
            "Bytes [10244, 10496) may be both stored and loaded (a store's range [10244, 10500) "
            "meets a load's [10240, 10496)).");
  EXPECT_TRUE(proofs["with_call"].in_bounds) << proofs["with_call"].reason;
  EXPECT_FALSE(proofs["with_call"].disjoint);
  EXPECT_EQ(proofs["with_call"].reason,
            "The function calls others, whose accesses the analysis does not see.");
  EXPECT_EQ(proofs["oob_lt"].reason, proofs["oob"].reason);
  EXPECT_EQ(proofs["oob_down"].reason,
            "An access to bytes [65136, 65540) may fall outside the initial memory (65536 bytes).");
  EXPECT_FALSE(proofs["wraps_param"].in_bounds);
  EXPECT_EQ(proofs["wraps_param"].reason,
            "A memory address may not be in [0, 2^32) as an exact integer (range [-256, "
            "4294967039]).");
  EXPECT_FALSE(proofs["two_edges"].in_bounds);
  EXPECT_EQ(proofs["two_edges"].reason, "A loop with induction variables has a second back edge.");
  EXPECT_FALSE(proofs["through_param"].in_bounds);
  EXPECT_EQ(proofs["through_param"].reason,
            "An access to bytes [0, 4294967299) may fall outside the initial memory (65536 "
            "bytes).");
}

// The rewrite's own check fails closed: an i32 variable left u32, or an i32 constant of 2^31 or
// more left as "<digits>u" (which the proofs model sign-extended), keeps the function exact.
TEST(BoundsAnalysis, RewriteCheckFailsClosed) {
  EXPECT_TRUE(ProvenRewriteIsComplete(
      "  u64 w2c_l0 = 0, w2c_i0;\n  w2c_i0 = 2147483647u;\n  w2c_i0 = 18446744073709551615ull;\n"
      "  w2c_i0 = (u32)w2c_i0 + 7u;\n}\n"));
  EXPECT_FALSE(ProvenRewriteIsComplete("  u64 w2c_l0;\n  u32 w2c_i0;\n}\n"));
  EXPECT_FALSE(ProvenRewriteIsComplete("  u64 w2c_i0;\n  w2c_i0 = w2c_i0 + 2147483648u;\n}\n"));
  EXPECT_FALSE(ProvenRewriteIsComplete("  u64 w2c_i0;\n  w2c_i0 = 99999999999u;\n}\n"));
}

TEST(BoundsAnalysis, GeneratedCodeChangesOnlyProvenFunctions) {
  ParsedModule parsed = Parse(Wat(kLoopsWat));
  Result<GeneratedC> c = GenerateC(parsed);
  ASSERT_TRUE(c.ok()) << c.error().message;
  const std::string& s = c->source;
  auto body = [&](const std::string& head) {
    size_t at = s.find(head);
    EXPECT_NE(at, std::string::npos) << head;
    return at == std::string::npos ? std::string() : s.substr(at, s.find("\n}\n", at) - at);
  };
  // Disjoint: the body takes two restrict bases, loads without barrier, 64-bit i32 variables.
  std::string mm = body(
      "static inline void wasmgpu_fast_w2c_mm(u8* restrict wasmgpu_ld, "
      "u8* restrict wasmgpu_st, Z_m_instance_t* instance) {");
  EXPECT_NE(mm.find("f32_load_nb(wasmgpu_ld, "), std::string::npos);
  EXPECT_NE(mm.find("f32_store_b(wasmgpu_st, "), std::string::npos);
  EXPECT_NE(mm.find("\n  u64 w2c_i0"), std::string::npos);
  EXPECT_EQ(mm.find("u32 "), std::string::npos);
  EXPECT_NE(body("static void w2c_mm(Z_m_instance_t* instance) {")
                .find("wasmgpu_fast_w2c_mm(wasmgpu_mem, wasmgpu_mem, instance);"),
            std::string::npos);
  // A signature over several lines: the wrapper passes every parameter.
  EXPECT_NE(s.find("wasmgpu_fast_w2c_many(wasmgpu_mem, wasmgpu_mem, instance, w2c_p0, w2c_p1, "
                   "w2c_p2, w2c_p3, w2c_p4, w2c_p5, w2c_p6, w2c_p7, w2c_p8, w2c_p9);"),
            std::string::npos);
  // In bounds but overlapping: no restrict, loads without barrier.
  // An i32 constant >= 2^31 is written as its 64-bit sign extension (-256 here).
  std::string neg = body("static inline void wasmgpu_fast_w2c_neg_iv(");
  EXPECT_NE(neg.find(" = 18446744073709551360ull;\n"), std::string::npos);
  EXPECT_EQ(neg.find("4294967040u"), std::string::npos);
  std::string inplace = body("static void w2c_inplace(Z_m_instance_t* instance) {");
  EXPECT_NE(inplace.find("f32_load_nb(wasmgpu_mem, "), std::string::npos);
  EXPECT_EQ(s.find("wasmgpu_fast_w2c_inplace"), std::string::npos);
  // Unproven: wasm2c's exact C.
  for (const char* name : {"oob", "wraps_param", "two_edges"}) {
    std::string f = body(std::string("static ") + (name[0] == 'w' ? "f32" : "void") + " w2c_" +
                         name + "(Z_m_instance_t* instance");
    EXPECT_NE(f.find("f32_load_b(wasmgpu_mem, "), std::string::npos) << name;
    EXPECT_EQ(f.find("_nb("), std::string::npos) << name;
    EXPECT_NE(f.find("\n  u32 w2c_"), std::string::npos) << name;
  }
}

class BoundsRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wasi::RegisterWasi(registry_);
    EngineOptions options;
    options.cache_dir = WASM_TEST_CACHE_DIR;
    engine_ = std::make_unique<Engine>(options);
    Result<std::shared_ptr<Module>> m = engine_->LoadBytes(Wat(kLoopsWat), "loops.wasm", registry_);
    ASSERT_TRUE(m.ok()) << m.error().message;
    module_ = *m;
    inst_ = NewInstance();
  }

  std::unique_ptr<Instance> NewInstance() {
    Result<std::unique_ptr<Instance>> inst = Instance::Create(module_, registry_, {});
    EXPECT_TRUE(inst.ok()) << inst.error().message;
    if (!inst.ok()) return nullptr;
    Status s = (*inst)->Instantiate();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(inst).value();
  }

  float* F(uint64_t byte_offset, uint64_t count) {
    return reinterpret_cast<float*>(inst_->Span(byte_offset, count * 4));
  }

  void Fill(uint64_t byte_offset, uint64_t count, float seed) {
    float* p = F(byte_offset, count);
    for (uint64_t i = 0; i < count; ++i) p[i] = seed + static_cast<float>((i * 37) % 11) * 0.25f;
  }

  HostRegistry registry_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Module> module_;
  std::unique_ptr<Instance> inst_;
};

// Scalar reference of mm / mm_alias over a copy of memory, in the wasm's operation order.
void ReferenceMatmul(float* mem, int out_float_offset) {
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 8; ++k) {
        volatile float prod = mem[i * 8 + k] * mem[64 + k * 8 + j];
        s = s + prod;
      }
      mem[out_float_offset + i * 8 + j] = s;
    }
  }
}

TEST_F(BoundsRunTest, DisjointAndAliasingMatmulsGiveTheScalarResults) {
  Fill(0, 64, -1.5f);
  Fill(256, 64, 0.75f);
  std::vector<float> ref(F(0, 192), F(0, 192) + 192);
  ReferenceMatmul(ref.data(), 128);
  ASSERT_TRUE(inst_->Call<void>("mm").ok());
  EXPECT_EQ(0, std::memcmp(F(0, 192), ref.data(), 192 * 4));

  std::vector<float> alias(F(0, 128), F(0, 128) + 128);
  ReferenceMatmul(alias.data(), 0);
  ASSERT_TRUE(inst_->Call<void>("mm_alias").ok());
  EXPECT_EQ(0, std::memcmp(F(0, 128), alias.data(), 128 * 4));
  // The aliasing really changes the result (so the test could tell a reordered version).
  EXPECT_NE(0, std::memcmp(alias.data(), ref.data() + 128, 64 * 4));
}

TEST_F(BoundsRunTest, OverlappingLoopsGiveTheScalarResults) {
  Fill(1024, 64, 3.0f);
  std::vector<float> x(F(1024, 64), F(1024, 64) + 64);
  for (float& v : x) v = v * 2.0f + 1.0f;
  ASSERT_TRUE(inst_->Call<void>("inplace").ok());
  EXPECT_EQ(0, std::memcmp(F(1024, 64), x.data(), 64 * 4));

  Fill(2048, 64, 10.0f);
  float y0 = F(2048, 1)[0];
  ASSERT_TRUE(inst_->Call<void>("shift_fwd").ok());
  for (int k = 0; k < 64; ++k) {
    float expect = y0;
    for (int t = 0; t < k; ++t) expect = expect + 1.0f;
    ASSERT_EQ(F(2048, 64)[k], expect) << "y[" << k << "]";
  }

  Fill(4096, 64, 0.5f);
  std::vector<float> z(F(4096, 64), F(4096, 64) + 64);
  for (int i = 0; i < 63; ++i) z[i] = z[i + 1] * 3.0f;
  ASSERT_TRUE(inst_->Call<void>("shift_back").ok());
  EXPECT_EQ(0, std::memcmp(F(4096, 64), z.data(), 64 * 4));
}

TEST_F(BoundsRunTest, OutOfBoundsInAnAnalyzedLoopStillTraps) {
  for (const char* name : {"oob", "oob_lt", "oob_down"}) {
    inst_ = NewInstance();  // a trapped instance cannot run again
    ASSERT_NE(inst_, nullptr);
    Status s = inst_->Call<void>(name);
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().message, std::string("The guest trapped: out of bounds memory access in "
                                             "function '") +
                                     name + "'.");
    EXPECT_EQ(inst_->trap_kind(), TrapKind::kOutOfBounds);
  }
}

TEST_F(BoundsRunTest, WrappingAddressesStillWrap) {
  Fill(0, 64, 1.0f);
  float expect = 0.0f;
  for (int i = 0; i < 64; ++i) expect = expect + F(0, 64)[i];
  Result<float> r = inst_->Call<float>("wraps");  // proven, 64-bit arithmetic
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, expect);
  Result<float> p = inst_->Call<float>("wraps_param", 256u + 12u);  // unproven: wasm2c's C
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p, F(12, 1)[0]);
  Result<float> t = inst_->Call<float>("wraps_param", 255u);  // wraps to 2^32 - 1: traps
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message,
            "The guest trapped: out of bounds memory access in function 'wraps_param'.");
}

TEST_F(BoundsRunTest, NegativeAndDescendingCountersAndCallsGiveTheScalarResults) {
  Fill(6144, 64, -2.0f);
  Fill(8192, 64, 99.0f);
  ASSERT_TRUE(inst_->Call<void>("neg_iv").ok());
  for (int k = 0; k < 64; ++k) ASSERT_EQ(F(8192, 64)[k], F(6144, 64)[k] * 2.0f) << k;

  F(14100, 1)[0] = 1.25f;
  Result<float> many = inst_->Call<float>("many", 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 2.5f);
  ASSERT_TRUE(many.ok()) << many.error().message;
  EXPECT_EQ(*many, 1.25f + 2.5f + 9.0f);
  EXPECT_EQ(F(14000, 1)[0], 2.5f);

  Fill(12288, 64, 5.0f);
  ASSERT_TRUE(inst_->Call<void>("with_call").ok());
  for (int k = 0; k < 64; ++k) ASSERT_EQ(F(12544, 64)[k], F(12288, 64)[k] + 1.0f) << k;

  Fill(10240, 65, 7.0f);
  std::vector<float> w(F(10240, 65), F(10240, 65) + 65);
  for (int n = 64; n >= 1; --n) w[n] = w[n - 1] + 1.0f;
  ASSERT_TRUE(inst_->Call<void>("countdown").ok());
  EXPECT_EQ(0, std::memcmp(F(10240, 65), w.data(), 65 * 4));
}

// tests/wasm/guests/proven_loops.c: loops in the shapes clang emits, proven, each compared bit
// for bit in the guest with the same computation the analysis cannot prove.
TEST(BoundsGuest, ClangLoopsAreProvenAndGiveTheExactResults) {
  ASSERT_TRUE(testing::GuestsBuilt()) << "the test guests were not built (WASMGPU_BUILD_GUESTS)";
  // A fresh cache, so the module is compiled and the proof log printed.
  std::string cache = testing::MakeTempDir("proven_loops_cache");
  testing::CliResult r = testing::RunCli({"run", testing::GuestPath("proven_loops")},
                                         {"XDG_CACHE_HOME=" + cache, "WASMGPU_PROOF_LOG=1"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "MatmulIjk ok\nMatmulIntoA ok\nShiftForward ok\nShiftBackward ok\nReverse ok\n"
            "Stencil ok\nIntRecurrence ok\n");
  for (const char* disjoint : {"MatmulIjk", "ShiftForward", "Stencil"}) {
    EXPECT_NE(r.err.find(std::string("wasmgpu: proof: $") + disjoint +
                         ": in bounds, loads and stores disjoint\n"),
              std::string::npos)
        << disjoint << "\n"
        << r.err;
  }
  for (const char* overlapping : {"MatmulIntoA", "ShiftBackward", "Reverse", "IntRecurrence"}) {
    EXPECT_NE(r.err.find(std::string("wasmgpu: proof: $") + overlapping +
                         ": in bounds; not disjoint: Bytes ["),
              std::string::npos)
        << overlapping << "\n"
        << r.err;
  }
}

}  // namespace
}  // namespace wasmgpu::wasm
