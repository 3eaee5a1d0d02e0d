// Interval analysis of a wasm function (bounds_analysis.h says what it proves and why).
//
// An abstract interpreter over wabt's structured IR. Every i32 value is an interval of exact
// integers; any operation whose exact result may leave [0, 2^32) fails the proof, so every
// interval stays inside it and every i32 operation whose C form is the same on 32- and 64-bit
// unsigned operands (listed in I32Result) computes the same value in a 64-bit variable.
// Values of other types are not tracked. Loops are not iterated to a fixpoint: a loop's header
// state is summarized once, soundly, before its body is interpreted:
//   - locals the loop does not assign keep their entry intervals;
//   - a local assigned exactly once in the loop, at the body's top level, by
//     `local.get X; i32.const s; i32.add; local.set/tee X` is an induction variable;
//   - when the body ends with `br_if` back to the loop on `X' != C`, `X' <u C` or `X' <s C`
//     (X' the incremented induction variable, C a constant) and that is the loop's only back
//     edge, the loop runs at most N times (computed from X's entry interval, s and C), and each
//     induction variable's header interval is its entry interval widened by step * (N - 1);
//   - every other assigned local is "any u32".
// Branches other than that one back edge to a loop with induction variables fail the proof.
#include "wasm/bounds_analysis.h"

#include <wabt/ir.h>

#include <algorithm>
#include <cstddef>
#include <map>

#include <fmt/format.h>

namespace wasmgpu::wasm {
namespace {

using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Opcode;

constexpr int64_t kU32Max = 0xffffffffll;

struct Interval {
  int64_t lo = 0;
  int64_t hi = kU32Max;
};

Interval Any() { return {0, kU32Max}; }
Interval Exact(int64_t v) { return {v, v}; }
Interval Hull(Interval a, Interval b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

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
    for (const auto& s : stores_) {
      for (const auto& l : loads_) {
        if (s.first < l.second && l.first < s.second) {
          proof.reason = fmt::format(
              "Bytes [{}, {}) may be both stored and loaded (a store's range [{}, {}) meets a "
              "load's [{}, {})).",
              std::max(s.first, l.first), std::min(s.second, l.second), s.first, s.second,
              l.first, l.second);
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

  bool Push(State& st, bool i32, Interval r = Any()) {
    if (i32 && (r.lo < 0 || r.hi > kU32Max)) {
      return Fail(fmt::format("An i32 value may leave [0, 2^32) (exact range [{}, {}]).", r.lo,
                              r.hi));
    }
    st.stack.push_back(Value{i32, r});
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
    uint64_t size = op.GetMemorySize();
    uint64_t begin = static_cast<uint64_t>(addr.range.lo) + offset;
    uint64_t end = static_cast<uint64_t>(addr.range.hi) + offset + size;
    if (end > memory_bytes_) {
      return Fail(fmt::format(
          "An access to bytes [{}, {}) may fall outside the initial memory ({} bytes).", begin,
          end, memory_bytes_));
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
  // computes it on 64-bit operands in [0, 2^32). False for operations left out.
  bool I32Result(Opcode op, const Value* a, const Value* b, Interval* out) {
    using I = __int128;
    switch (op) {
      case Opcode::I32Add: *out = {a->range.lo + b->range.lo, a->range.hi + b->range.hi}; return true;
      case Opcode::I32Sub: *out = {a->range.lo - b->range.hi, a->range.hi - b->range.lo}; return true;
      case Opcode::I32Mul: {
        I hi = static_cast<I>(a->range.hi) * b->range.hi;
        if (hi > kU32Max) return Fail(fmt::format("An i32 product may leave [0, 2^32)."));
        *out = {a->range.lo * b->range.lo, static_cast<int64_t>(hi)};
        return true;
      }
      case Opcode::I32And: *out = {0, std::min(a->range.hi, b->range.hi)}; return true;
      case Opcode::I32Or:
        *out = {std::max(a->range.lo, b->range.lo),
                static_cast<int64_t>(BigPow2Minus1(std::max(a->range.hi, b->range.hi)))};
        return true;
      case Opcode::I32Xor:
        *out = {0, static_cast<int64_t>(BigPow2Minus1(std::max(a->range.hi, b->range.hi)))};
        return true;
      case Opcode::I32Shl: {
        // `x <<= (y & 31)`: exact when the shifted value stays below 2^32 (checked by Push).
        if (b->range.lo != b->range.hi) return Fail("An i32 shift count is not a constant.");
        int k = static_cast<int>(b->range.lo & 31);
        I hi = static_cast<I>(a->range.hi) << k;
        if (hi > kU32Max) return Fail("An i32 left shift may leave [0, 2^32).");
        *out = {a->range.lo << k, static_cast<int64_t>(hi)};
        return true;
      }
      case Opcode::I32ShrU:
        if (b->range.lo == b->range.hi) {
          int k = static_cast<int>(b->range.lo & 31);
          *out = {a->range.lo >> k, a->range.hi >> k};
        } else {
          *out = {0, a->range.hi};
        }
        return true;
      case Opcode::I32ShrS:  // (u32)((s32)x >> (y & 31)): any u32
      case Opcode::I32WrapI64:
      case Opcode::I32ReinterpretF32:
      case Opcode::I32Extend8S:
      case Opcode::I32Extend16S:
        *out = Any();
        return true;
      case Opcode::I32Clz:
      case Opcode::I32Ctz:
      case Opcode::I32Popcnt:
        *out = {0, 32};
        return true;
      case Opcode::I32Eqz: case Opcode::I64Eqz:
      case Opcode::I32Eq: case Opcode::I32Ne: case Opcode::I32LtS: case Opcode::I32LtU:
      case Opcode::I32GtS: case Opcode::I32GtU: case Opcode::I32LeS: case Opcode::I32LeU:
      case Opcode::I32GeS: case Opcode::I32GeU:
      case Opcode::I64Eq: case Opcode::I64Ne: case Opcode::I64LtS: case Opcode::I64LtU:
      case Opcode::I64GtS: case Opcode::I64GtU: case Opcode::I64LeS: case Opcode::I64LeU:
      case Opcode::I64GeS: case Opcode::I64GeU:
      case Opcode::F32Eq: case Opcode::F32Ne: case Opcode::F32Lt: case Opcode::F32Gt:
      case Opcode::F32Le: case Opcode::F32Ge:
      case Opcode::F64Eq: case Opcode::F64Ne: case Opcode::F64Lt: case Opcode::F64Gt:
      case Opcode::F64Le: case Opcode::F64Ge:
        *out = {0, 1};
        return true;
      default:
        return Fail(fmt::format("The i32 operation {} is not analyzed.", op.GetName()));
    }
  }

  // Numeric operations with a result other than i32: allowed unless they may trap.
  bool OtherAllowed(Opcode op) {
    switch (op) {
      case Opcode::I64DivS: case Opcode::I64DivU: case Opcode::I64RemS: case Opcode::I64RemU:
      case Opcode::I64TruncF32S: case Opcode::I64TruncF32U: case Opcode::I64TruncF64S:
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
    *v = c.u32();
    return true;
  }

  static bool IsOp(const Expr* e, Opcode op) {
    if (e->type() == ExprType::Binary) return static_cast<const wabt::BinaryExpr*>(e)->opcode == op;
    if (e->type() == ExprType::Compare) return static_cast<const wabt::CompareExpr*>(e)->opcode == op;
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
      if (!IsI32Local(x) || assigned[x] != 1) continue;
      if (!IsLocalOp(top[p - 3], ExprType::LocalGet, x) || !IsI32Const(top[p - 2], &step) ||
          !IsOp(top[p - 1], Opcode::I32Add) || step < 1 || step > 0x7fffffff) {
        continue;
      }
      ivs[x] = {step, p};
    }

    // The controlling induction variable and the trip bound.
    Label label;
    label.loop = true;
    label.name = block.label;
    label.height = st.stack.size();
    State header = st;
    for (const auto& [x, n] : assigned) {
      if (IsI32Local(x)) header.locals[x] = Any();
    }
    size_t n = top.size();
    int64_t trips = -1;  // bound on the number of iterations, or -1 when unknown
    wabt::Index control = 0;
    if (n >= 4 && top[n - 1]->type() == ExprType::BrIf) {
      const wabt::Var& target = static_cast<const wabt::BrIfExpr*>(top[n - 1])->var;
      bool to_self = target.is_index() ? target.index() == 0 : target.name() == block.label;
      int64_t bound = 0;
      Opcode cmp = Opcode::Nop;
      for (Opcode c : {Opcode::I32Ne, Opcode::I32LtU, Opcode::I32LtS}) {
        if (IsOp(top[n - 2], c)) cmp = c;
      }
      if (to_self && cmp != Opcode::Nop && IsI32Const(top[n - 3], &bound)) {
        for (const auto& [x, iv] : ivs) {
          const auto [step, at] = iv;
          bool uses_new = (IsLocalOp(top[n - 4], ExprType::LocalTee, x) && at == n - 4) ||
                          (IsLocalOp(top[n - 4], ExprType::LocalGet, x) && at < n - 4);
          if (!uses_new) continue;
          Interval x0 = st.locals[x];
          if (cmp == Opcode::I32Ne) {
            // X' = x0 + step * t; exits at the first t with X' == bound.
            if (x0.lo == x0.hi && bound > x0.lo && (bound - x0.lo) % step == 0) {
              trips = (bound - x0.lo) / step;
            }
          } else {
            // Continues while X' < bound; with lt_s all values must be below 2^31.
            int64_t top_value = std::max(x0.hi, bound - 1);
            bool ok = cmp == Opcode::I32LtU || (bound <= 0x7fffffff && top_value + step <= 0x7fffffff);
            if (ok) trips = bound > x0.lo ? std::max<int64_t>(1, (bound - x0.lo + step - 1) / step) : 1;
          }
          if (trips >= 0) {
            control = x;
            break;
          }
        }
      }
      if (trips >= 1) {
        label.only_back_edge = top[n - 1];
        for (const auto& [x, iv] : ivs) {
          Interval x0 = st.locals[x];
          __int128 hi = static_cast<__int128>(x0.hi) + static_cast<__int128>(iv.first) * (trips - 1);
          // The controlling variable of a `<` loop is below the bound after the first iteration.
          if (x == control && cmp != Opcode::I32Ne) {
            hi = std::min<__int128>(hi, std::max(x0.hi, bound - 1));
          }
          if (hi > kU32Max) {
            return Fail("An induction variable may leave [0, 2^32) within its loop's trip bound.");
          }
          header.locals[x] = {x0.lo, static_cast<int64_t>(hi)};
        }
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
      if (s->stack.size() < height + arity) return Fail("The value stack underflowed (unexpected IR).");
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
        if (k.type() == wabt::Type::I32) return Push(st, true, Exact(k.u32()));
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
        if (a.i32) st.locals[i] = a.range;
        if (e.type() == ExprType::LocalTee) st.stack.push_back(a);
        return true;
      }
      case ExprType::GlobalGet: {
        const wabt::Global* g =
            module_.GetGlobal(static_cast<const wabt::GlobalGetExpr&>(e).var);
        return Push(st, g != nullptr && g->type == wabt::Type::I32, Any());
      }
      case ExprType::GlobalSet:
      case ExprType::Drop:
        return Pop(st, &a);
      case ExprType::Select:
        if (!Pop(st, &c) || !Pop(st, &b) || !Pop(st, &a)) return false;
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
          case Opcode::I32TruncF32S: case Opcode::I32TruncF32U: case Opcode::I32TruncF64S:
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
        if (!Pop(st, &a)) return false;
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
        if (!Pop(st, &a)) return false;
        return Branch(e, static_cast<const wabt::BrIfExpr&>(e).var, st);
      case ExprType::BrTable: {
        if (!Pop(st, &a)) return false;
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
      default:
        return Fail(fmt::format("The function uses {}, which is not analyzed.",
                                wabt::GetExprTypeName(e)));
    }
  }

 private:
  const wabt::Module& module_;
  const wabt::Func& func_;
  uint64_t memory_bytes_;
  std::vector<Label> labels_;
  std::vector<std::pair<uint64_t, uint64_t>> loads_, stores_;  // byte ranges [begin, end)
  std::string reason_;
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
