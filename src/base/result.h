// Errors are values (DESIGN.md decision 6): no exceptions cross a module boundary, because wasm2c
// traps longjmp through host frames. Functions that can fail return `Result<T>`; callers
// propagate with TRY / TRY_ASSIGN and add context lines with `Error::With`.
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>
#include <variant>

namespace wasmgpu {

// The kinds follow WebGPU's error kinds; the runtime's own errors (bad files, traps) use kOther.
enum class ErrorKind { kValidation, kOutOfMemory, kInternal, kDeviceLost, kOther };

struct [[nodiscard]] Error {
  ErrorKind kind = ErrorKind::kOther;
  std::string message;  // A sentence, with the offending value and the limit.

  // Appends a context line: "- While validating bindings[2]".
  Error&& With(std::string_view context) && {
    message += "\n - ";
    message += context;
    return std::move(*this);
  }
};

template <typename... Args>
Error MakeError(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  return Error{kind, fmt::format(format, std::forward<Args>(args)...)};
}
template <typename... Args>
Error ValidationError(fmt::format_string<Args...> format, Args&&... args) {
  return Error{ErrorKind::kValidation, fmt::format(format, std::forward<Args>(args)...)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT
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

}  // namespace wasmgpu

#define WASMGPU_CONCAT_INNER(a, b) a##b
#define WASMGPU_CONCAT(a, b) WASMGPU_CONCAT_INNER(a, b)

// TRY(expr): returns the error of a failed Result/Status from the enclosing function.
#define TRY(expr)                                            \
  do {                                                       \
    auto&& try_result_ = (expr);                             \
    if (!try_result_.ok()) return std::move(try_result_).error(); \
  } while (0)

// TRY_ASSIGN(lhs, expr): lhs = value of expr, or returns its error.
#define TRY_ASSIGN(lhs, expr) TRY_ASSIGN_IMPL(WASMGPU_CONCAT(try_tmp_, __LINE__), lhs, expr)
#define TRY_ASSIGN_IMPL(tmp, lhs, expr)           \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).error();   \
  lhs = std::move(tmp).value()
