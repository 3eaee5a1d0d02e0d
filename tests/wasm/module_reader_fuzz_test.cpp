// Regressions from fuzzing the Wasm front end (tests/fuzz/wasm_fuzzer.cpp, docs/fuzzing.md): each
// module here aborted the host process inside wabt 1.0.32 before module_reader.cpp screened it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "wasm/module_reader.h"

namespace wasmgpu::wasm {
namespace {

// "\0asm", version 1, then `sections`.
std::vector<uint8_t> Module(std::initializer_list<uint8_t> sections) {
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  bytes.reserve(bytes.size() + sections.size());
  for (uint8_t b : sections) bytes.push_back(b);
  return bytes;
}

// A "name" section naming local 4 of a function that has one local. wabt bound the name to index
// 4 and GenerateNames wrote it into an array of one (an assertion abort; a heap overflow without
// assertions). The name is debug information: the module loads without it.
TEST(ModuleReaderFuzz, LocalNameBeyondTheLocalsIsIgnored) {
  const std::vector<uint8_t> bytes = Module({
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type 0: () -> ()
      0x03, 0x02, 0x01, 0x00,                          // function 0: type 0
      0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00,        // export "f" = function 0
      0x0a, 0x06, 0x01, 0x04, 0x01, 0x01, 0x7f, 0x0b,  // code: one i32 local; end
      0x00, 0x0d, 0x04, 'n',  'a',  'm',  'e',         // custom section "name"
      0x02, 0x06, 0x01, 0x00, 0x01, 0x04, 0x01, 'p',   // local names: function 0, local 4 "p"
  });
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->exports().size(), 1u);
  EXPECT_EQ(parsed->exports()[0].name, "f");
  EXPECT_EQ(parsed->exports()[0].type.ToString(), "() -> ()");
}

// A global initializer holding `if` and cut off by the end of its section: wabt's IR reader kept
// the `if` on its label stack and aborted on the next constant expression (the element offset).
TEST(ModuleReaderFuzz, BlockInConstantExpressionIsRefused) {
  const std::vector<uint8_t> bytes = Module({
      0x06, 0x05, 0x01, 0x7f, 0x00, 0x04, 0x40,        // global i32 = if (no end)
      0x09, 0x06, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00,  // elem: table 0 at i32.const 0, no funcs
  });
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(parsed.error().message,
            "The module is not valid WebAssembly: the instruction if at byte offset 0xd is not "
            "allowed in a constant expression.");
}

TEST(ModuleReaderFuzz, UnterminatedConstantExpressionIsRefused) {
  const std::vector<uint8_t> bytes = Module({
      0x06, 0x05, 0x01, 0x7f, 0x00, 0x41, 0x00,        // global i32 = i32.const 0 (no end)
      0x09, 0x06, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00,  // elem: table 0 at i32.const 0, no funcs
  });
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(parsed.error().message,
            "The module is not valid WebAssembly: the constant expression at byte offset 0xd has "
            "no end (its section ends first).");
}

// A table whose element type is 0x6b, a typed function reference: wabt decodes and validates it
// without that proposal enabled, and wasm2c's writer aborted the process on it
// (wasm_codegen_fuzzer).
TEST(ModuleReaderFuzz, TypedReferenceTableIsRefused) {
  const std::vector<uint8_t> bytes = Module({
      0x04, 0x04, 0x01, 0x6b, 0x00, 0x01,  // table 0: element type 0x6b, at least 1 element
  });
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(parsed.error().message,
            "The module uses typed function references (table 0 has element type 0x6b), which "
            "wasmgpu does not support (its wasm2c translator lacks it).");
}

// Still accepted: constants, global.get and a terminated expression.
TEST(ModuleReaderFuzz, ConstantExpressionsStillParse) {
  const std::vector<uint8_t> bytes = Module({
      0x06, 0x0b, 0x02,              // two globals
      0x7f, 0x00, 0x41, 0x2a, 0x0b,  // i32 = i32.const 42
      0x7f, 0x00, 0x23, 0x00, 0x0b,  // i32 = global.get 0
  });
  Result<ParsedModule> parsed = ParseModule(bytes.data(), bytes.size());
  // global.get of a non-imported global is refused by the MVP validator, with its own message.
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("The module is not valid WebAssembly: "),
            std::string::npos);
  EXPECT_EQ(parsed.error().message.find("constant expression at byte offset"), std::string::npos);

  const std::vector<uint8_t> ok = Module({0x06, 0x06, 0x01, 0x7f, 0x00, 0x41, 0x2a, 0x0b});
  Result<ParsedModule> parsed_ok = ParseModule(ok.data(), ok.size());
  EXPECT_TRUE(parsed_ok.ok()) << parsed_ok.error().message;
}

}  // namespace
}  // namespace wasmgpu::wasm
