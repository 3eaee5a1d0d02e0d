// The synthetic byte-level BPE vocabulary (Llama 3 layout) for shapes whose tokenizer is "gpt2".
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "llama_gguf.h"
#include "nn/bpe_tokenizer.h"

namespace wasmgpu::gguf {
namespace {

// Text the first merges are learned from, so that common English splits into plausible pieces
// (written for this file).
constexpr std::string_view kSampleText = R"(
The little robot woke up early in the morning and looked out of the window. It was raining, and
the street below was full of people with umbrellas. "Today I will learn something new," said the
robot to itself. It walked to the kitchen, where the old cat was sleeping next to the warm stove.
The cat opened one eye, looked at the robot, and went back to sleep.

There are 365 days in a year, 24 hours in a day and 60 minutes in an hour. The robot counted them
all, twice, and then it counted the drops of rain on the window: 1, 2, 3, 10, 100, 1000. When it
had finished counting, the rain had stopped and the sun was shining over the houses and the trees.

"Where are you going?" asked the cat. "I'm going to the library," answered the robot. "I've read
every book in this house, and I'd like to read some more." The cat thought about it for a while.
"Books are nice, but they don't have fish in them. Bring me back a fish, and we'll call it even."

So the robot went to the library, and it read about the stars, the sea, the mountains and the
history of the city. It read about machines that could think and machines that could only count.
It read until the library closed, and then it walked home through the quiet evening streets,
thinking about everything it had learned. At home the cat was waiting by the door.
"Did you bring the fish?" it asked. The robot had forgotten the fish. It sat down next to the cat
and told it a long story about the sea instead, and the cat listened until it fell asleep again.
)";

// The Llama 3 special tokens that have names; the rest of the 256 are reserved.
const std::map<uint32_t, std::string_view> kNamedSpecial = {
    {0, "<|begin_of_text|>"},   {1, "<|end_of_text|>"},   {4, "<|finetune_right_pad_id|>"},
    {6, "<|start_header_id|>"}, {7, "<|end_header_id|>"}, {8, "<|eom_id|>"},
    {9, "<|eot_id|>"},          {10, "<|python_tag|>"},
};
constexpr uint32_t kSpecialCount = 256;

}  // namespace

nn::Vocab SyntheticBpeVocab(uint32_t size) {
  nn::Vocab v;
  v.model = "gpt2";
  v.pre = "llama-bpe";
  const uint32_t n_normal = size > kSpecialCount + 256 ? size - kSpecialCount : 256;
  std::unordered_map<std::string, int32_t> ids;
  auto add = [&](const std::string& piece) -> int32_t {
    auto [it, added] = ids.emplace(piece, static_cast<int32_t>(v.tokens.size()));
    if (added) {
      v.tokens.push_back(piece);
      v.types.push_back(nn::TokenType::kNormal);
    }
    return it->second;
  };
  // Byte tokens first, in byte order: token b is byte b.
  for (int b = 0; b < 256; ++b) add(nn::ByteToCharacter(static_cast<uint8_t>(b)));

  // Learn merges on the sample text: the most frequent adjacent pair first (ties: the smallest
  // id pair), as BPE training does, until no pair occurs twice.
  std::map<std::vector<int32_t>, int> words;
  for (std::string_view piece : nn::PreTokenize(nn::BpePre::kLlama3, kSampleText)) {
    std::vector<int32_t> w;
    for (char c : piece) w.push_back(static_cast<int32_t>(static_cast<uint8_t>(c)));
    ++words[w];
  }
  while (v.tokens.size() < n_normal) {
    std::map<std::pair<int32_t, int32_t>, int> pairs;
    for (const auto& [w, count] : words) {
      for (size_t i = 0; i + 1 < w.size(); ++i) pairs[{w[i], w[i + 1]}] += count;
    }
    auto best = pairs.end();
    for (auto it = pairs.begin(); it != pairs.end(); ++it) {
      if (best == pairs.end() || it->second > best->second) best = it;
    }
    if (best == pairs.end() || best->second < 2) break;
    const auto [l, r] = best->first;
    v.merges.push_back(v.tokens[l] + " " + v.tokens[r]);
    const int32_t merged = add(v.tokens[l] + v.tokens[r]);
    std::map<std::vector<int32_t>, int> next;
    for (const auto& [w, count] : words) {
      std::vector<int32_t> m;
      for (size_t i = 0; i < w.size(); ++i) {
        if (i + 1 < w.size() && w[i] == l && w[i + 1] == r) {
          m.push_back(merged);
          ++i;
        } else {
          m.push_back(w[i]);
        }
      }
      next[m] += count;
    }
    words = std::move(next);
  }

  // Filler up to the size: every string of 2 and 3 digits (Llama 3 has them all: the pre-tokenizer
  // groups digits by three), then lowercase letter strings s and 'Ġ'+s by length. Each is the
  // merge of its prefix (a token already, being shorter) and its last character; learned tokens
  // are skipped.
  auto add_merged = [&](const std::string& word) {
    if (v.tokens.size() >= n_normal || ids.count(word) || word.size() < 2) return;
    v.merges.push_back(word.substr(0, word.size() - 1) + " " + word.substr(word.size() - 1));
    add(word);
  };
  for (int n = 0; n < 100; ++n) add_merged(nn::StrCat(n / 10, n % 10));
  for (int n = 0; n < 1000; ++n) add_merged(nn::StrCat(n / 100, n / 10 % 10, n % 10));
  const std::string space = nn::ByteToCharacter(' ');
  for (size_t len = 1; v.tokens.size() < n_normal; ++len) {
    std::string s(len, 'a');
    while (v.tokens.size() < n_normal) {
      add_merged(s);
      add_merged(space + s);
      size_t i = len;  // next string in lexicographic order
      while (i > 0 && s[i - 1] == 'z') s[--i] = 'a';
      if (i == 0) break;
      ++s[i - 1];
    }
  }

  const int32_t first_special = static_cast<int32_t>(v.tokens.size());
  for (uint32_t k = 0, reserved = 0; k < kSpecialCount && v.tokens.size() < size; ++k) {
    auto named = kNamedSpecial.find(k);
    v.tokens.push_back(named != kNamedSpecial.end()
                           ? std::string(named->second)
                           : nn::StrCat("<|reserved_special_token_", reserved++, "|>"));
    v.types.push_back(nn::TokenType::kControl);
  }
  v.bos_id = first_special;      // <|begin_of_text|>
  v.eos_id = first_special + 1;  // <|end_of_text|>
  if (v.tokens.size() > static_cast<size_t>(first_special) + 9) {
    v.eot_id = first_special + 9;  // <|eot_id|>
  }
  v.add_bos = true;
  return v;
}

}  // namespace wasmgpu::gguf
