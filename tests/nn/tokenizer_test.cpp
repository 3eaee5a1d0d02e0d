#include "nn/tokenizer.h"

#include <gtest/gtest.h>

#include <random>

#include "llama_gguf.h"

namespace wasmgpu::nn {
namespace {

const std::string kMark = "\xE2\x96\x81";  // '▁'

// The trained-model layout: <unk>, <s>, </s>, 256 byte tokens, then pieces.
Vocab SmallVocab() {
  Vocab v;
  v.model = "llama";
  auto add = [&](const std::string& p, float score, TokenType t) {
    v.tokens.push_back(p);
    v.scores.push_back(score);
    v.types.push_back(t);
  };
  add("<unk>", 0, TokenType::kUnknown);
  add("<s>", 0, TokenType::kControl);
  add("</s>", 0, TokenType::kControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
    add(buf, 0, TokenType::kByte);
  }
  for (const char* p : {"\xE2\x96\x81", "h", "e", "l", "o", "a", "s", "\xC3\xBC"}) {  // 259.. (ü)
    add(p, 0, TokenType::kNormal);
  }
  add("ll", -1, TokenType::kNormal);                      // 267
  add(kMark + "h", -2, TokenType::kNormal);               // 268
  add("el", -3, TokenType::kNormal);                      // 269
  add(kMark + "he", -4, TokenType::kNormal);              // 270
  add("llo", -5, TokenType::kNormal);                     // 271
  add(kMark + "hello", -6, TokenType::kNormal);           // 272
  add("aa", -7, TokenType::kNormal);                      // 273
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  return v;
}

std::unique_ptr<Tokenizer> Make(Vocab v) {
  auto t = Tokenizer::FromVocab(std::move(v));
  EXPECT_TRUE(t.ok());
  return std::move(*t);
}

constexpr int32_t kSpace = 259, kH = 260, kE = 261, kL = 262, kO = 263, kA = 264, kS = 265;
constexpr int32_t kU = 266, kLl = 267, kHello = 272, kAa = 273;
int32_t Byte(int b) { return 3 + b; }

TEST(Tokenizer, MergesHighestScoreFirst) {
  auto t = Make(SmallVocab());
  // ▁ h e l l o: ll (-1), then ▁h (-2), ▁he (-4), llo (-5), ▁hello (-6); el never wins.
  EXPECT_EQ(t->Encode("hello", true), (std::vector<int32_t>{1, kHello}));
  EXPECT_EQ(t->Encode("hello", false, true), (std::vector<int32_t>{kHello, 2}));
}

TEST(Tokenizer, TiesMergeTheLeftmostPair) {
  auto t = Make(SmallVocab());
  EXPECT_EQ(t->Encode("aaa", false), (std::vector<int32_t>{kSpace, kAa, kA}));
}

TEST(Tokenizer, SpacesBecomeTheMarkPiece) {
  auto t = Make(SmallVocab());
  // "he lo": ▁he, ▁, l, o  ("lo" is not a piece).
  EXPECT_EQ(t->Encode("he lo", false), (std::vector<int32_t>{270, kSpace, kL, kO}));
}

TEST(Tokenizer, UnknownCharactersFallBackToBytes) {
  auto t = Make(SmallVocab());
  // 'é' is C3 A9 and no piece; 'ü' is a piece; the emoji U+1F600 is F0 9F 98 80.
  EXPECT_EQ(t->Encode("\xC3\xA9\xC3\xBC\xF0\x9F\x98\x80", false),
            (std::vector<int32_t>{kSpace, Byte(0xC3), Byte(0xA9), kU, Byte(0xF0), Byte(0x9F),
                                  Byte(0x98), Byte(0x80)}));
}

TEST(Tokenizer, InvalidUtf8FallsBackByteByByte) {
  auto t = Make(SmallVocab());
  EXPECT_EQ(t->Encode("\xC3h\xFF", false),
            (std::vector<int32_t>{kSpace, Byte(0xC3), kH, Byte(0xFF)}));
}

TEST(Tokenizer, SpecialTokenTextIsNotSpecial) {
  auto t = Make(SmallVocab());
  const std::vector<int32_t> ids = t->Encode("<s>", true);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, kSpace, Byte('<'), kS, Byte('>')}));
  EXPECT_EQ(t->Decode(ids), "<s>");
}

TEST(Tokenizer, EmptyTextHasNoDummyPrefix) {
  auto t = Make(SmallVocab());
  EXPECT_EQ(t->Encode("", true), (std::vector<int32_t>{1}));
  EXPECT_TRUE(t->Encode("", false).empty());
}

TEST(Tokenizer, DecodeStripsTheDummyPrefixOnlyAtTheStart) {
  auto t = Make(SmallVocab());
  EXPECT_EQ(t->DecodeToken(1, kHello), "hello");
  EXPECT_EQ(t->DecodeToken(-1, kHello), "hello");
  EXPECT_EQ(t->DecodeToken(kO, kHello), " hello");
  EXPECT_EQ(t->DecodeToken(kO, 1), "");   // control tokens print nothing
  EXPECT_EQ(t->DecodeToken(kO, Byte(0x41)), "A");
  EXPECT_EQ(t->Decode({1, kHello, kSpace, kLl, 2}), "hello ll");
}

TEST(Tokenizer, RoundTripsArbitraryBytes) {
  auto t = Make(SmallVocab());
  std::mt19937 rng(3);
  const std::string alphabet = std::string("helo as") + "\xC3\xBC" + "\xE2\x96\x81";
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      if (rng() % 5 == 0) s += static_cast<char>(rng() % 256);  // any byte, UTF-8 or not
      else s += alphabet[rng() % alphabet.size()];
    }
    EXPECT_EQ(t->Decode(t->Encode(s, true)), s) << "text: " << s;
  }
}

// Straightforward O(n^2) statement of the algorithm, to check the queue-based encoder against.
std::vector<int32_t> NaiveEncode(const Vocab& v, const std::string& text) {
  std::map<std::string, int32_t> ids;
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    if (v.types[i] == TokenType::kNormal && !ids.count(v.tokens[i])) ids[v.tokens[i]] = int32_t(i);
  }
  std::string norm = kMark;
  for (char c : text) norm += c == ' ' ? kMark : std::string(1, c);
  struct Sym { std::string s; int32_t byte; };
  std::vector<Sym> syms;
  for (size_t i = 0; i < norm.size();) {
    const unsigned char c = static_cast<unsigned char>(norm[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + n > norm.size()) n = 1;
    for (size_t k = 1; k < n; ++k) if ((norm[i + k] & 0xC0) != 0x80) n = 1;
    const std::string cp = norm.substr(i, n);
    if (ids.count(cp)) syms.push_back({cp, -1});
    else for (char b : cp) syms.push_back({"", 3 + static_cast<unsigned char>(b)});
    i += n;
  }
  while (true) {
    int best = -1;
    float best_score = 0;
    for (size_t i = 0; i + 1 < syms.size(); ++i) {
      if (syms[i].byte >= 0 || syms[i + 1].byte >= 0) continue;
      auto it = ids.find(syms[i].s + syms[i + 1].s);
      if (it == ids.end()) continue;
      if (best < 0 || v.scores[it->second] > best_score) {
        best = static_cast<int>(i);
        best_score = v.scores[it->second];
      }
    }
    if (best < 0) break;
    syms[best].s += syms[best + 1].s;
    syms.erase(syms.begin() + best + 1);
  }
  std::vector<int32_t> out;
  for (const Sym& s : syms) out.push_back(s.byte >= 0 ? s.byte : ids[s.s]);
  return out;
}

TEST(Tokenizer, AgreesWithTheNaiveAlgorithmOnASyntheticVocab) {
  const Vocab v = gguf::SyntheticVocab(4000);
  auto t = Make(v);
  std::mt19937 rng(11);
  const std::string alphabet = "abcdefgh  xyz.,!\xC3\xA9";
  for (int i = 0; i < 200; ++i) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    ASSERT_EQ(t->Encode(s, false), NaiveEncode(v, s)) << "text: " << s;
  }
}

TEST(Tokenizer, FromVocabRefusesOtherModelsByName) {
  Vocab v = SmallVocab();
  v.model = "bert";
  auto t = Tokenizer::FromVocab(v);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, "Tokenizer model 'bert' is not supported (supported: llama, gpt2).");
}

TEST(Tokenizer, NoBosWhenTheModelAddsNone) {
  Vocab v = SmallVocab();
  v.add_bos = false;  // tokenizer.ggml.add_bos_token = false
  EXPECT_EQ(Make(v)->Encode("hello", true), (std::vector<int32_t>{kHello}));
}

}  // namespace
}  // namespace wasmgpu::nn
