// Interval analysis of a wasm function (bounds_analysis.h says what it proves and why).
//
// An abstract interpreter over wabt's structured IR, modelling the C that codegen.cpp emits for
// a proven function: every i32 variable is a u64, and an i32 constant c is written as the
// sign-extension of c (so clang's loops that count from a negative constant up to 0 stay
// affine). Each i32 value is tracked as an interval [lo, hi] of the exact integer X that its
// 64-bit variable holds (X mod 2^64), or, past +-2^61, "modular" (only X's congruence known); X
// is congruent to the wasm value modulo 2^32. Add, sub, mul and shl keep that congruence on u64
// whatever they overflow. Where the C reads more
// than the low 32 bits (addresses, unsigned compares and shifts, `if (x)`, `x != y`,
// conversions without an (s32) cast) the proof requires X to be the wasm value itself
// ("canonical", in [0, 2^32)) or the test to give the same answer (zero tests and equality on
// ranges narrower than 2^32); C forms with explicit (u32)/(s32) casts read only the low 32
// bits and need nothing. Values of other types are not tracked. Loops are not iterated to a
// fixpoint: a loop's header state is summarized once, soundly, before its body is interpreted:
//   - locals the loop does not assign keep their entry intervals;
//   - a local assigned exactly once in the loop, at the body's top level, by
//     `local.get X; i32.const s; i32.add; local.set/tee X` is an induction variable;
//   - when the body ends with `br_if` back to the loop on `X' != C`, `X' != 0`, `X' < C` or,
//     counting down, `X' > C` (signed or unsigned; X' the incremented induction variable, C a
//     constant) and that is the loop's only back edge, the loop runs at most N times (computed
//     from X's entry interval, s and C), and each induction variable's header interval is its
//     entry interval widened by step * (N - 1);
//   - every other assigned local is "any u32" (parameters, u32 in the C) or modular.
// Branches other than that one back edge to a loop with induction variables fail the proof.
#include "wasm/bounds_analysis.h"

#include <fmt/format.h>
#include <wabt/ir.h>

#include <algorithm>
#include <cstddef>
#include <map>

namespace wasmgpu::wasm {
namespace {

using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Opcode;

constexpr int64_t kU32Max = 0xffffffffll;
constexpr int64_t kTwo32 = 0x100000000ll;
// Intervals reaching +-2^61 are "modular": X is then only known congruent to the wasm value
// (u64 add, sub, mul and shl keep that whatever they overflow), and no check that needs X
// itself passes for it.
constexpr int64_t kLimit = int64_t{1} << 61;

struct Interval {
  int64_t lo = 0;
  int64_t hi = kU32Max;
};

Interval Any() { return {0, kU32Max}; }
Interval Exact(int64_t v) { return {v, v}; }
Interval Hull(Interval a, Interval b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }
Interval Modular() { return {-kLimit, kLimit}; }
Interval Normal(__int128 lo, __int128 hi) {
  if (lo <= -kLimit || hi >= kLimit) return Modular();
  return {static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}
bool Canonical(Interval a) { return a.lo >= 0 && a.hi <= kU32Max; }
// `x` (as a C truth value of the u64) is zero exactly when the wasm value is.
bool ZeroTestSafe(Interval a) { return a.lo > -kTwo32 && a.hi < kTwo32; }
// `x != y` on the u64s answers as on the wasm values.
bool EqualitySafe(Interval a, Interval b) { return a.hi - b.lo < kTwo32 && b.hi - a.lo < kTwo32; }
// The exact integer the C holds for the i32 constant c: its sign extension.
int64_t ConstValue(uint32_t c) { return static_cast<int64_t>(static_cast<int32_t>(c)); }

// A stack value: an interval for i32 values; nothing for other types.
struct Value {
  bool i32 = false;
  Interval range;
};

struct State {
  bool reachable = true;
  std::vector<Interval> locals;  // by local index; entries of non-i32 locals are unused
  std::vector<Value> stack;
};

// `into` becomes a state that holds whenever either did. Stacks must have the same shape.
void Join(State* into, const State& other) {
  if (!other.reachable) return;
  if (!into->reachable) {
    *into = other;
    return;
  }
  for (size_t i = 0; i < into->locals.size(); ++i) {
    into->locals[i] = Hull(into->locals[i], other.locals[i]);
  }
  for (size_t i = 0; i < into->stack.size() && i < other.stack.size(); ++i) {
    into->stack[i].range = Hull(into->stack[i].range, other.stack[i].range);
  }
}

struct Label {
  bool loop = false;
  std::string name;
  size_t arity = 0;   // values a branch to it carries (results; loops have no params here)
  size_t height = 0;  // stack height at entry
  State exit;         // blocks and ifs: join of the states of branches to the end
  bool has_exit = false;
  const Expr* only_back_edge = nullptr;  // loops with induction variables
};

uint64_t BigPow2Minus1(int64_t v) {
  uint64_t m = 0;
  while (m < static_cast<uint64_t>(v)) m = (m << 1) | 1;
  return m;
}

class Prover {
 public:
  Prover(const wabt::Module& module, const wabt::Func& func, uint64_t memory_bytes)
      : module_(module), func_(func), memory_bytes_(memory_bytes) {}

  FunctionProof Run() {
    FunctionProof proof;
    State st;
    st.locals.assign(func_.GetNumParamsAndLocals(), Exact(0));
    for (wabt::Index i = 0; i < func_.GetNumParams(); ++i) st.locals[i] = Any();
    labels_.push_back(Label{false, "", func_.GetNumResults(), 0, {}, false, nullptr});
    if (!List(func_.exprs, st)) {
      proof.reason = reason_;
      return proof;
    }
    proof.in_bounds = true;
    if (calls_) {
      proof.reason = "The function calls others, whose accesses the analysis does not see.";
      return proof;
    }
    for (const auto& s : stores_) {
      for (const auto& l : loads_) {
        if (s.first < l.second && l.first < s.second) {
          proof.reason = fmt::format(
              "Bytes [{}, {}) may be both stored and loaded (a store's range [{}, {}) meets a "
              "load's [{}, {})).",
              std::max(s.first, l.first), std::min(s.second, l.second), s.first, s.second, l.first,
              l.second);
          return proof;
        }
      }
    }
    proof.disjoint = true;
    return proof;
  }

 private:
  bool Fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
    return false;
  }

  bool IsI32Local(wabt::Index i) const { return func_.GetLocalType(i) == wabt::Type::I32; }

  bool Pop(State& st, Value* v) {
    if (st.stack.empty()) return Fail("The value stack underflowed (unexpected IR).");
    *v = st.stack.back();
    st.stack.pop_back();
    return true;
  }

  bool NeedCanonical(Interval a, const char* what) {
    if (Canonical(a)) return true;
    return Fail(fmt::format("{} may not be in [0, 2^32) as an exact integer (range [{}, {}]).",
                            what, a.lo, a.hi));
  }

  bool NeedZeroTest(Interval a, const char* what) {
    if (ZeroTestSafe(a)) return true;
    return Fail(
        fmt::format("{} has a range [{}, {}] too wide to test for zero.", what, a.lo, a.hi));
  }

  bool Push(State& st, bool i32, Interval r = Any()) {
    st.stack.push_back(Value{i32, i32 ? Normal(r.lo, r.hi) : r});
    return true;
  }

  // Index into labels_ of the branch target `var`, or -1.
  int Resolve(const wabt::Var& var) const {
    if (var.is_index()) {
      int64_t at = static_cast<int64_t>(labels_.size()) - 1 - var.index();
      return at >= 0 ? static_cast<int>(at) : -1;
    }
    for (size_t i = labels_.size(); i-- > 1;) {
      if (labels_[i].name == var.name()) return static_cast<int>(i);
    }
    return -1;
  }

  bool Branch(const Expr& e, const wabt::Var& var, const State& st) {
    int at = Resolve(var);
    if (at < 0) return Fail("A branch target could not be resolved.");
    Label& l = labels_[at];
    if (at == 0) return true;  // to the function's end: a return
    if (l.loop) {
      if (l.only_back_edge != nullptr && l.only_back_edge != &e) {
        return Fail("A loop with induction variables has a second back edge.");
      }
      return true;  // the header summary covers every back edge
    }
    State s;
    s.locals = st.locals;
    if (st.stack.size() < l.arity) return Fail("The value stack underflowed (unexpected IR).");
    s.stack.assign(st.stack.end() - static_cast<std::ptrdiff_t>(l.arity), st.stack.end());
    if (!l.has_exit) {
      l.exit = std::move(s);
      l.has_exit = true;
    } else {
      Join(&l.exit, s);
    }
    return true;
  }

  bool Access(const Expr& e, State& st, bool store) {
    Opcode op = store ? static_cast<const wabt::StoreExpr&>(e).opcode
                      : static_cast<const wabt::LoadExpr&>(e).opcode;
    uint64_t offset = store ? static_cast<const wabt::StoreExpr&>(e).offset
                            : static_cast<const wabt::LoadExpr&>(e).offset;
    Value value, addr;
    if (store && !Pop(st, &value)) return false;
    if (!Pop(st, &addr)) return false;
    if (!addr.i32) return Fail("A memory address is not an i32 (memory64).");
    if (!NeedCanonical(addr.range, "A memory address")) return false;
    uint64_t size = op.GetMemorySize();
    uint64_t begin = static_cast<uint64_t>(addr.range.lo) + offset;
    uint64_t end = static_cast<uint64_t>(addr.range.hi) + offset + size;
    if (end > memory_bytes_) {
      return Fail(
          fmt::format("An access to bytes [{}, {}) may fall outside the initial memory ({} bytes).",
                      begin, end, memory_bytes_));
    }
    (store ? stores_ : loads_).emplace_back(begin, end);
    if (store) return true;
    wabt::Type result = op.GetResultType();
    if (result != wabt::Type::I32) return Push(st, false);
    if (op == Opcode::I32Load8U) return Push(st, true, {0, 0xff});
    if (op == Opcode::I32Load16U) return Push(st, true, {0, 0xffff});
    return Push(st, true, Any());
  }

  // Exact result range of an i32-producing numeric operation, as the C wasm2c writes for it
  // computes it on u64 variables. False for operations left out.
  bool I32Result(Opcode op, const Value* a, const Value* b, Interval* out) {
    using I = __int128;
    auto fits = [&](I lo, I hi) {
      *out = Normal(lo, hi);
      return true;
    };
    switch (op) {
      case Opcode::I32Add:
        return fits(I{a->range.lo} + b->range.lo, I{a->range.hi} + b->range.hi);
      case Opcode::I32Sub:
        return fits(I{a->range.lo} - b->range.hi, I{a->range.hi} - b->range.lo);
      case Opcode::I32Mul: {
        I c[4] = {I{a->range.lo} * b->range.lo, I{a->range.lo} * b->range.hi,
                  I{a->range.hi} * b->range.lo, I{a->range.hi} * b->range.hi};
        return fits(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
      }
      case Opcode::I32And:
        // With one operand canonical the u64 result is in [0, its max]: the other's high bits
        // are cleared, its low 32 bits are its wasm value.
        if (Canonical(b->range)) {
          *out = {0, Canonical(a->range) ? std::min(a->range.hi, b->range.hi) : b->range.hi};
          return true;
        }
        if (Canonical(a->range)) {
          *out = {0, a->range.hi};
          return true;
        }
        return Fail("An i32.and has no operand known to be in [0, 2^32).");
      case Opcode::I32Or:
      case Opcode::I32Xor:
        if (!NeedCanonical(a->range, "An i32.or/xor operand") ||
            !NeedCanonical(b->range, "An i32.or/xor operand")) {
          return false;
        }
        *out = {op == Opcode::I32Or ? std::max(a->range.lo, b->range.lo) : 0,
                static_cast<int64_t>(BigPow2Minus1(std::max(a->range.hi, b->range.hi)))};
        return true;
      case Opcode::I32Shl: {
        // `x <<= (y & 31)`: x * 2^k on u64, congruent to the wasm result.
        if (b->range.lo != b->range.hi) return Fail("An i32 shift count is not a constant.");
        int k = static_cast<int>(b->range.lo & 31);
        return fits(I{a->range.lo} * (I{1} << k), I{a->range.hi} * (I{1} << k));
      }
      case Opcode::I32ShrU:
        if (!NeedCanonical(a->range, "An i32.shr_u operand")) return false;
        if (b->range.lo == b->range.hi) {
          int k = static_cast<int>(b->range.lo & 31);
          *out = {a->range.lo >> k, a->range.hi >> k};
        } else {
          *out = {0, a->range.hi};
        }
        return true;
      case Opcode::I32ShrS:  // (u32)((s32)x >> (y & 31)): reads the low 32 bits only
      case Opcode::I32WrapI64:
      case Opcode::I32ReinterpretF32:
      case Opcode::I32Extend8S:
      case Opcode::I32Extend16S:
        *out = Any();
        return true;
      case Opcode::I32Clz:
      case Opcode::I32Ctz:
      case Opcode::I32Popcnt:
        if (!NeedZeroTest(a->range, "A clz/ctz/popcnt operand")) return false;
        *out = {0, 32};
        return true;
      case Opcode::I32Eqz:
        if (!NeedZeroTest(a->range, "An i32.eqz operand")) return false;
        *out = {0, 1};
        return true;
      case Opcode::I32Eq:
      case Opcode::I32Ne:
        if (!EqualitySafe(a->range, b->range)) {
          return Fail(
              fmt::format("An i32 equality compares ranges [{}, {}] and [{}, {}] that "
                          "may differ by 2^32 or more.",
                          a->range.lo, a->range.hi, b->range.lo, b->range.hi));
        }
        *out = {0, 1};
        return true;
      case Opcode::I32LtU:
      case Opcode::I32GtU:
      case Opcode::I32LeU:
      case Opcode::I32GeU:
        if (!NeedCanonical(a->range, "An unsigned i32 comparison operand") ||
            !NeedCanonical(b->range, "An unsigned i32 comparison operand")) {
          return false;
        }
        *out = {0, 1};
        return true;
      case Opcode::I32LtS:
      case Opcode::I32GtS:
      case Opcode::I32LeS:  // (s32) casts
      case Opcode::I32GeS:
      case Opcode::I64Eqz:
      case Opcode::I64Eq:
      case Opcode::I64Ne:
      case Opcode::I64LtS:
      case Opcode::I64LtU:
      case Opcode::I64GtS:
      case Opcode::I64GtU:
      case Opcode::I64LeS:
      case Opcode::I64LeU:
      case Opcode::I64GeS:
      case Opcode::I64GeU:
      case Opcode::F32Eq:
      case Opcode::F32Ne:
      case Opcode::F32Lt:
      case Opcode::F32Gt:
      case Opcode::F32Le:
      case Opcode::F32Ge:
      case Opcode::F64Eq:
      case Opcode::F64Ne:
      case Opcode::F64Lt:
      case Opcode::F64Gt:
      case Opcode::F64Le:
      case Opcode::F64Ge:
        *out = {0, 1};
        return true;
      default:
        return Fail(fmt::format("The i32 operation {} is not analyzed.", op.GetName()));
    }
  }

  // Numeric operations with a result other than i32: allowed unless they may trap.
  bool OtherAllowed(Opcode op) {
    switch (op) {
      case Opcode::I64DivS:
      case Opcode::I64DivU:
      case Opcode::I64RemS:
      case Opcode::I64RemU:
      case Opcode::I64TruncF32S:
      case Opcode::I64TruncF32U:
      case Opcode::I64TruncF64S:
      case Opcode::I64TruncF64U:
        return Fail(fmt::format("The operation {} may trap.", op.GetName()));
      default:
        return true;
    }
  }

  bool Numeric(Opcode op, State& st) {
    wabt::Type result = op.GetResultType();
    bool binary = op.GetParamType2() != wabt::Type::Void;
    Value a, b;
    if (binary && !Pop(st, &b)) return false;
    if (!Pop(st, &a)) return false;
    if (result != wabt::Type::I32) {
      if (!OtherAllowed(op)) return false;
      // Conversions from i32 read the u64 whole unless they cast to (s32)/(u32) first.
      bool casts = op == Opcode::I64ExtendI32S || op == Opcode::F32ConvertI32S ||
                   op == Opcode::F64ConvertI32S || op == Opcode::F32ReinterpretI32;
      if (a.i32 && !casts && !NeedCanonical(a.range, "An i32 converted to another type")) {
        return false;
      }
      return Push(st, false);
    }
    Interval r;
    if (!I32Result(op, &a, binary ? &b : nullptr, &r)) return false;
    return Push(st, true, r);
  }

  // Locals assigned anywhere in `list`: index -> number of assignments.
  static void CollectAssigned(const ExprList& list, std::map<wabt::Index, int>* out,
                              const wabt::Func& func) {
    for (const Expr& e : list) {
      switch (e.type()) {
        case ExprType::LocalSet:
          ++(*out)[func.GetLocalIndex(static_cast<const wabt::LocalSetExpr&>(e).var)];
          break;
        case ExprType::LocalTee:
          ++(*out)[func.GetLocalIndex(static_cast<const wabt::LocalTeeExpr&>(e).var)];
          break;
        case ExprType::Block:
          CollectAssigned(static_cast<const wabt::BlockExpr&>(e).block.exprs, out, func);
          break;
        case ExprType::Loop:
          CollectAssigned(static_cast<const wabt::LoopExpr&>(e).block.exprs, out, func);
          break;
        case ExprType::If: {
          const auto& ife = static_cast<const wabt::IfExpr&>(e);
          CollectAssigned(ife.true_.exprs, out, func);
          CollectAssigned(ife.false_, out, func);
          break;
        }
        default:
          break;
      }
    }
  }

  bool IsLocalOp(const Expr* e, ExprType t, wabt::Index x) const {
    if (e->type() != t) return false;
    const wabt::Var& v = t == ExprType::LocalGet   ? static_cast<const wabt::LocalGetExpr*>(e)->var
                         : t == ExprType::LocalSet ? static_cast<const wabt::LocalSetExpr*>(e)->var
                                                   : static_cast<const wabt::LocalTeeExpr*>(e)->var;
    return func_.GetLocalIndex(v) == x;
  }

  static bool IsI32Const(const Expr* e, int64_t* v) {
    if (e->type() != ExprType::Const) return false;
    const wabt::Const& c = static_cast<const wabt::ConstExpr*>(e)->const_;
    if (c.type() != wabt::Type::I32) return false;
    *v = ConstValue(c.u32());
    return true;
  }

  static bool IsOp(const Expr* e, Opcode op) {
    if (e->type() == ExprType::Binary) return static_cast<const wabt::BinaryExpr*>(e)->opcode == op;
    if (e->type() == ExprType::Compare)
      return static_cast<const wabt::CompareExpr*>(e)->opcode == op;
    return false;
  }

  bool Loop(const wabt::LoopExpr& loop, State& st) {
    const wabt::Block& block = loop.block;
    if (block.decl.has_func_type || !block.decl.sig.param_types.empty()) {
      return Fail("A loop has parameters.");
    }
    std::vector<const Expr*> top;
    for (const Expr& e : block.exprs) top.push_back(&e);
    std::map<wabt::Index, int> assigned;
    CollectAssigned(block.exprs, &assigned, func_);

    // Induction variables: local -> (step, index in `top` of its increment's set/tee).
    std::map<wabt::Index, std::pair<int64_t, size_t>> ivs;
    for (size_t p = 3; p < top.size(); ++p) {
      ExprType t = top[p]->type();
      if (t != ExprType::LocalSet && t != ExprType::LocalTee) continue;
      wabt::Index x = func_.GetLocalIndex(
          t == ExprType::LocalSet ? static_cast<const wabt::LocalSetExpr*>(top[p])->var
                                  : static_cast<const wabt::LocalTeeExpr*>(top[p])->var);
      int64_t step = 0;
      // Parameters are u32 in the C, so they cannot hold a negative form: not induction
      // variables.
      if (!IsI32Local(x) || x < func_.GetNumParams() || assigned[x] != 1) continue;
      if (!IsLocalOp(top[p - 3], ExprType::LocalGet, x) || !IsI32Const(top[p - 2], &step) ||
          !IsOp(top[p - 1], Opcode::I32Add) || step == 0) {
        continue;
      }
      ivs[x] = {step, p};
    }

    Label label;
    label.loop = true;
    label.name = block.label;
    label.height = st.stack.size();
    State header = st;
    for (const auto& [x, count] : assigned) {
      // Parameters hold u32 values; other i32 locals any 64-bit form Push allowed.
      if (IsI32Local(x)) header.locals[x] = x < func_.GetNumParams() ? Any() : Modular();
    }

    // The controlling induction variable and the trip bound: the body ends with
    //   [local.tee X | local.get X] i32.const C (i32.ne | i32.lt_u | i32.lt_s) br_if <this loop>
    // or [local.tee X | local.get X] br_if <this loop> (X' != 0), X' the incremented X.
    size_t n = top.size();
    int64_t trips = -1;  // bound on the number of iterations, or -1 when unknown
    wabt::Index control = 0;
    int64_t bound = 0;
    Opcode cmp = Opcode::Nop;
    size_t x_at = 0;  // index in `top` of the local.get/tee X the condition reads
    if (n >= 2 && top[n - 1]->type() == ExprType::BrIf) {
      const wabt::Var& target = static_cast<const wabt::BrIfExpr*>(top[n - 1])->var;
      bool to_self = target.is_index() ? target.index() == 0 : target.name() == block.label;
      for (Opcode c :
           {Opcode::I32Ne, Opcode::I32LtU, Opcode::I32LtS, Opcode::I32GtU, Opcode::I32GtS}) {
        if (n >= 4 && IsOp(top[n - 2], c) && IsI32Const(top[n - 3], &bound)) {
          cmp = c;
          x_at = n - 4;
        }
      }
      if (cmp == Opcode::Nop) {
        cmp = Opcode::I32Ne;
        bound = 0;
        x_at = n - 2;
      }
      for (const auto& [x, iv] : ivs) {
        if (!to_self) break;
        const auto [step, at] = iv;
        bool uses_new = (IsLocalOp(top[x_at], ExprType::LocalTee, x) && at == x_at) ||
                        (IsLocalOp(top[x_at], ExprType::LocalGet, x) && at < x_at);
        if (!uses_new) continue;
        Interval x0 = st.locals[x];
        if (cmp == Opcode::I32Ne) {
          // X' = x0 + step * t (exact); the loop exits at the first t with X' == bound.
          int64_t d = bound - x0.lo;
          if (x0.lo == x0.hi && d % step == 0 && d / step >= 1) trips = d / step;
        } else if (step < 0 && (cmp == Opcode::I32GtU || cmp == Opcode::I32GtS)) {
          // Counting down while X' > bound, the mirror image of the `<` case below.
          int64_t bottom = std::min(x0.lo, bound + 1);
          bool ok =
              cmp == Opcode::I32GtU || (x0.hi <= 0x7fffffff && bound >= -0x80000000ll &&
                                        bound <= 0x7fffffff && bottom + step >= -0x80000000ll);
          if (ok) {
            trips = bound < x0.hi ? std::max<int64_t>(1, (x0.hi - bound - step - 1) / -step) : 1;
          }
        } else if (step > 0 && (cmp == Opcode::I32LtU || cmp == Opcode::I32LtS)) {
          // Continues while X' < bound, compared as exact integers: lt_u's operands must be
          // canonical (checked when the body is interpreted); lt_s's in [-2^31, 2^31).
          int64_t top_value = std::max(x0.hi, bound - 1);
          bool ok =
              cmp == Opcode::I32LtU || (x0.lo >= -0x80000000ll && bound >= -0x80000000ll &&
                                        bound <= 0x7fffffff && top_value + step <= 0x7fffffff);
          if (ok) {
            trips = bound > x0.lo ? std::max<int64_t>(1, (bound - x0.lo + step - 1) / step) : 1;
          }
        }
        if (trips >= 1) {
          control = x;
          break;
        }
      }
    }
    if (trips >= 1) {
      label.only_back_edge = top[n - 1];
      for (const auto& [x, iv] : ivs) {
        Interval x0 = st.locals[x];
        __int128 span = static_cast<__int128>(iv.first) * (trips - 1);
        __int128 lo = static_cast<__int128>(x0.lo) + std::min<__int128>(0, span);
        __int128 hi = static_cast<__int128>(x0.hi) + std::max<__int128>(0, span);
        // The controlling variable of a `<` loop is below the bound after the first iteration.
        if (x == control && (cmp == Opcode::I32LtU || cmp == Opcode::I32LtS)) {
          hi = std::min<__int128>(hi, std::max(x0.hi, bound - 1));
        }
        if (x == control && (cmp == Opcode::I32GtU || cmp == Opcode::I32GtS)) {
          lo = std::max<__int128>(lo, std::min(x0.lo, bound + 1));
        }
        header.locals[x] = Normal(lo, hi);
      }
    }
    labels_.push_back(std::move(label));
    bool ok = List(block.exprs, header);
    labels_.pop_back();
    if (!ok) return false;
    st = std::move(header);
    return true;
  }

  bool BlockLike(const wabt::Block& block, State& st, const ExprList* else_list, bool is_if) {
    if (block.decl.has_func_type || !block.decl.sig.param_types.empty()) {
      return Fail("A block has parameters.");
    }
    size_t arity = block.decl.sig.result_types.size();
    size_t height = st.stack.size();
    labels_.push_back(Label{false, block.label, arity, height, {}, false, nullptr});
    // Every state reaching the end is reduced to its locals and the block's results.
    auto results_only = [&](State* s) {
      if (!s->reachable) return true;
      if (s->stack.size() < height + arity)
        return Fail("The value stack underflowed (unexpected IR).");
      s->stack.erase(s->stack.begin(), s->stack.end() - static_cast<std::ptrdiff_t>(arity));
      return true;
    };
    State end = st;
    bool ok = List(block.exprs, end) && results_only(&end);
    if (ok && is_if) {
      State else_state = st;
      ok = (else_list == nullptr || List(*else_list, else_state)) && results_only(&else_state);
      Join(&end, else_state);
    }
    Label label = std::move(labels_.back());
    labels_.pop_back();
    if (!ok) return false;
    if (label.has_exit) Join(&end, label.exit);
    if (!end.reachable) {
      st.reachable = false;
      return true;
    }
    st.locals = std::move(end.locals);
    st.stack.resize(height);
    for (const Value& v : end.stack) st.stack.push_back(v);
    st.reachable = true;
    return true;
  }

  bool List(const ExprList& list, State& st) {
    for (const Expr& e : list) {
      if (!st.reachable) return true;  // dead code: never runs
      if (!One(e, st)) return false;
    }
    return true;
  }

  bool One(const Expr& e, State& st) {
    Value a, b, c;
    switch (e.type()) {
      case ExprType::Nop:
        return true;
      case ExprType::Const: {
        const wabt::Const& k = static_cast<const wabt::ConstExpr&>(e).const_;
        if (k.type() == wabt::Type::I32) return Push(st, true, Exact(ConstValue(k.u32())));
        return Push(st, false);
      }
      case ExprType::LocalGet: {
        wabt::Index i = func_.GetLocalIndex(static_cast<const wabt::LocalGetExpr&>(e).var);
        return Push(st, IsI32Local(i), st.locals[i]);
      }
      case ExprType::LocalSet:
      case ExprType::LocalTee: {
        const wabt::Var& v = e.type() == ExprType::LocalSet
                                 ? static_cast<const wabt::LocalSetExpr&>(e).var
                                 : static_cast<const wabt::LocalTeeExpr&>(e).var;
        wabt::Index i = func_.GetLocalIndex(v);
        if (!Pop(st, &a)) return false;
        // Parameters stay u32 in the C: they hold the wasm value.
        if (a.i32) st.locals[i] = i < func_.GetNumParams() && !Canonical(a.range) ? Any() : a.range;
        if (e.type() == ExprType::LocalTee) st.stack.push_back(a);
        return true;
      }
      case ExprType::GlobalGet: {
        const wabt::Global* g = module_.GetGlobal(static_cast<const wabt::GlobalGetExpr&>(e).var);
        return Push(st, g != nullptr && g->type == wabt::Type::I32, Any());
      }
      case ExprType::GlobalSet:
      case ExprType::Drop:
        return Pop(st, &a);
      case ExprType::Select:
        if (!Pop(st, &c) || !Pop(st, &b) || !Pop(st, &a)) return false;
        if (!NeedZeroTest(c.range, "A select condition")) return false;
        return Push(st, a.i32, Hull(a.range, b.range));
      case ExprType::Binary:
        return Numeric(static_cast<const wabt::BinaryExpr&>(e).opcode, st);
      case ExprType::Compare:
        return Numeric(static_cast<const wabt::CompareExpr&>(e).opcode, st);
      case ExprType::Unary:
        return Numeric(static_cast<const wabt::UnaryExpr&>(e).opcode, st);
      case ExprType::Convert: {
        Opcode op = static_cast<const wabt::ConvertExpr&>(e).opcode;
        switch (op) {
          case Opcode::I32TruncF32S:
          case Opcode::I32TruncF32U:
          case Opcode::I32TruncF64S:
          case Opcode::I32TruncF64U:
            return Fail(fmt::format("The operation {} may trap.", op.GetName()));
          default:
            return Numeric(op, st);
        }
      }
      case ExprType::Load:
        return Access(e, st, false);
      case ExprType::Store:
        return Access(e, st, true);
      case ExprType::Block:
        return BlockLike(static_cast<const wabt::BlockExpr&>(e).block, st, nullptr, false);
      case ExprType::If: {
        if (!Pop(st, &a) || !NeedZeroTest(a.range, "An if condition")) return false;
        const auto& ife = static_cast<const wabt::IfExpr&>(e);
        return BlockLike(ife.true_, st, &ife.false_, true);
      }
      case ExprType::Loop:
        return Loop(static_cast<const wabt::LoopExpr&>(e), st);
      case ExprType::Br:
        if (!Branch(e, static_cast<const wabt::BrExpr&>(e).var, st)) return false;
        st.reachable = false;
        return true;
      case ExprType::BrIf:
        if (!Pop(st, &a) || !NeedZeroTest(a.range, "A br_if condition")) return false;
        return Branch(e, static_cast<const wabt::BrIfExpr&>(e).var, st);
      case ExprType::BrTable: {
        if (!Pop(st, &a) || !NeedCanonical(a.range, "A br_table index")) return false;
        const auto& bt = static_cast<const wabt::BrTableExpr&>(e);
        for (const wabt::Var& v : bt.targets) {
          if (!Branch(e, v, st)) return false;
        }
        if (!Branch(e, bt.default_target, st)) return false;
        st.reachable = false;
        return true;
      }
      case ExprType::Return:
        st.reachable = false;
        return true;
      case ExprType::Call: {
        // The callee is compiled on its own (proven or not); its arguments are passed as the
        // C parameters' u32/u64 types, which read i32 values modulo 2^32. Its memory accesses
        // are not seen here, so a function that calls gets no restrict (see Run).
        const wabt::Func* callee = module_.GetFunc(static_cast<const wabt::CallExpr&>(e).var);
        if (callee == nullptr) return Fail("A call target could not be resolved.");
        for (size_t i = 0; i < callee->GetNumParams(); ++i) {
          if (!Pop(st, &a)) return false;
        }
        for (size_t i = 0; i < callee->GetNumResults(); ++i) {
          if (!Push(st, callee->GetResultType(static_cast<wabt::Index>(i)) == wabt::Type::I32)) {
            return false;
          }
        }
        calls_ = true;
        return true;
      }
      default:
        return Fail(
            fmt::format("The function uses {}, which is not analyzed.", wabt::GetExprTypeName(e)));
    }
  }

 private:
  const wabt::Module& module_;
  const wabt::Func& func_;
  uint64_t memory_bytes_;
  std::vector<Label> labels_;
  std::vector<std::pair<uint64_t, uint64_t>> loads_, stores_;  // byte ranges [begin, end)
  std::string reason_;
  bool calls_ = false;
};

}  // namespace

FunctionProof ProveFunction(const wabt::Module& module, const wabt::Func& func,
                            uint64_t memory_bytes) {
  return Prover(module, func, memory_bytes).Run();
}

std::vector<FunctionProof> ProveFunctions(const wabt::Module& module) {
  std::vector<FunctionProof> out;
  uint64_t memory_bytes = 0;
  bool usable = module.memories.size() <= 1 && module.num_memory_imports == 0;
  if (!module.memories.empty() && usable) {
    const wabt::Limits& limits = module.memories[0]->page_limits;
    usable = !limits.is_64 && !limits.is_shared;
    memory_bytes = limits.initial * 65536ull;
  }
  for (size_t i = module.num_func_imports; i < module.funcs.size(); ++i) {
    if (!usable) {
      FunctionProof p;
      p.reason = "The module's memory is imported, shared, 64-bit or not the only one.";
      out.push_back(std::move(p));
      continue;
    }
    out.push_back(ProveFunction(module, *module.funcs[i], memory_bytes));
  }
  return out;
}

}  // namespace wasmgpu::wasm
