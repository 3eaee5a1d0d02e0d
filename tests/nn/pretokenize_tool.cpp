// Runs PreTokenize for pretokenize_vs_regex.py. Reads lines "PRE<TAB>HEX" (the text as hex
// bytes) and writes, per line, the pieces as hex separated by ','.
#include <cstdio>
#include <iostream>
#include <string>

#include "nn/bpe_tokenizer.h"

int main() {
  using namespace wasmgpu::nn;
  std::string line;
  while (std::getline(std::cin, line)) {
    const size_t tab = line.find('\t');
    auto pre = ParseBpePre(line.substr(0, tab));
    if (tab == std::string::npos || !pre.ok()) {
      std::fprintf(stderr, "bad line: %s\n", line.c_str());
      return 1;
    }
    std::string text;
    for (size_t i = tab + 1; i + 1 < line.size(); i += 2) {
      text += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
    }
    std::string out;
    for (std::string_view piece : PreTokenize(*pre, text)) {
      if (!out.empty()) out += ',';
      for (unsigned char c : piece) {
        char hex[3];
        std::snprintf(hex, sizeof(hex), "%02x", c);
        out += hex;
      }
    }
    std::cout << out << '\n';
  }
  return 0;
}
