#include "test_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

namespace wasmgpu::wasm::testing {

std::vector<uint8_t> Wat(const std::string& text) {
  wabt::Errors errors;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", text.data(), text.size(), &errors);
  wabt::Features features;
  features.EnableAll();
  wabt::WastParseOptions parse_options(features);
  std::unique_ptr<wabt::Module> module;
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options))) {
    ADD_FAILURE() << "WAT does not parse: "
                  << wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
    return {};
  }
  wabt::MemoryStream stream;
  // Canonical LEBs, as wat2wasm writes them, so byte offsets in messages match its output.
  wabt::WriteBinaryOptions write_options(features, /*canonicalize_lebs=*/true,
                                         /*relocatable=*/false, /*write_debug_names=*/true);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options))) {
    ADD_FAILURE() << "WAT does not assemble";
    return {};
  }
  return stream.output_buffer().data;
}

std::string GuestPath(const std::string& name) {
  return std::string(WASM_TEST_GUEST_DIR) + "/" + name + ".wasm";
}

bool GuestsBuilt() { return access(GuestPath("wasi_basics").c_str(), R_OK) == 0; }

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

StderrCapture::StderrCapture() {
  path_ = MakeTempDir("wasmgpu-stderr") + "/stderr";
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0) << path_;
  if (fd < 0) return;
  std::fflush(stderr);
  saved_fd_ = dup(2);
  dup2(fd, 2);
  close(fd);
}

StderrCapture::~StderrCapture() { Finish(); }

std::string StderrCapture::Finish() {
  if (saved_fd_ < 0) return "";
  std::fflush(stderr);
  dup2(saved_fd_, 2);
  close(saved_fd_);
  saved_fd_ = -1;
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path_.c_str());
  rmdir(path_.substr(0, path_.rfind('/')).c_str());
  return text.str();
}

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

CliResult RunCli(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::string dir = MakeTempDir("wasmgpu-cli");
  std::string out = dir + "/out";
  std::string err = dir + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_s = {WASMGPU_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = {std::string("XDG_CACHE_HOME=") + WASM_TEST_CACHE_DIR,
                                    "PATH=/usr/local/bin:/usr/bin:/bin"};
  // A caller's KEY=... replaces the default of the same key (getenv would see the first).
  for (const std::string& e : env) {
    std::string key = e.substr(0, e.find('=') + 1);
    std::erase_if(env_s, [&](const std::string& d) { return d.rfind(key, 0) == 0; });
    env_s.push_back(e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  CliResult result;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    ADD_FAILURE() << "could not start " << WASMGPU_CLI;
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out);
  result.err = Slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  rmdir(dir.c_str());
  return result;
}

}  // namespace wasmgpu::wasm::testing
