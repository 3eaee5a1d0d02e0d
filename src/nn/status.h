// Errors are values in src/nn too (DESIGN.md decision 6), but this library also builds for
// wasm32-wasi with nothing but the C++ standard library, so it cannot use src/base/result.h (fmt).
// nn::Result<T> has the same shape as wasmgpu::Result<T>; tools convert with `.error().message`.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace wasmgpu::nn {

struct [[nodiscard]] Error {
  std::string message;  // A sentence, with the offending value and the limit.

  // Appends a context line: "- While reading tensor 'blk.0.attn_q.weight'".
  Error&& With(std::string_view context) && {
    message += "\n - ";
    message += context;
    return std::move(*this);
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

namespace internal {
inline void AppendPiece(std::string& out, std::string_view s) { out += s; }
inline void AppendPiece(std::string& out, const char* s) { out += s; }
inline void AppendPiece(std::string& out, const std::string& s) { out += s; }
inline void AppendPiece(std::string& out, char c) { out += c; }
template <typename T>
void AppendPiece(std::string& out, T v) {
  if constexpr (std::is_pointer_v<T>) {
    out += v;  // char* (strerror)
  } else if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<std::conditional_t<
        std::is_enum_v<T>, long long, T>>(v));
    out.append(buf, r.ptr);
  } else {
    static_assert(std::is_floating_point_v<T>, "StrCat takes strings, integers and floats");
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
    out += buf;
  }
}
}  // namespace internal

// StrCat("Tensor count (", n, ") is too large.") — the message builder of this library (no fmt).
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (internal::AppendPiece(out, args), ...);
  return out;
}

template <typename... Args>
Error MakeError(const Args&... args) {
  return Error{StrCat(args...)};
}

}  // namespace wasmgpu::nn

#define NN_CONCAT_INNER(a, b) a##b
#define NN_CONCAT(a, b) NN_CONCAT_INNER(a, b)

// NN_TRY(expr): returns the error of a failed Result/Status from the enclosing function.
#define NN_TRY(expr)                                                  \
  do {                                                                \
    auto&& nn_try_result_ = (expr);                                   \
    if (!nn_try_result_.ok()) return std::move(nn_try_result_).error(); \
  } while (0)

// NN_TRY_ASSIGN(lhs, expr): lhs = value of expr, or returns its error.
#define NN_TRY_ASSIGN(lhs, expr) NN_TRY_ASSIGN_IMPL(NN_CONCAT(nn_try_tmp_, __LINE__), lhs, expr)
#define NN_TRY_ASSIGN_IMPL(tmp, lhs, expr)      \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
