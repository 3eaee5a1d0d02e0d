// Byte-level BPE ("gpt2"): pre-tokenizers, merges by rank, the byte mapping, special tokens,
// malformed metadata, and the vocabulary `wasmgpu-gguf synth` writes for llama3.2-1b.
#include "nn/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>

#include "gguf_writer.h"
#include "llama_gguf.h"
#include "nn/byte_source.h"
#include "nn/gguf.h"
#include "nn/unicode_tables.h"

namespace wasmgpu::nn {
namespace {

using Pieces = std::vector<std::string>;

Pieces Split(BpePre pre, std::string_view text) {
  Pieces out;
  std::string joined;
  for (std::string_view p : PreTokenize(pre, text)) {
    out.emplace_back(p);
    joined += p;
  }
  EXPECT_EQ(joined, text) << "pieces must cover the text";
  return out;
}

TEST(UnicodeTables, ClassesOfKnownCodePoints) {
  EXPECT_EQ(ClassOf('a'), CodepointClass::kLetter);
  EXPECT_EQ(ClassOf(0xE9), CodepointClass::kLetter);    // é, Ll
  EXPECT_EQ(ClassOf(0x65E5), CodepointClass::kLetter);  // 日, Lo
  EXPECT_EQ(ClassOf(0x02B0), CodepointClass::kLetter);  // ʰ, Lm
  EXPECT_EQ(ClassOf('7'), CodepointClass::kNumber);
  EXPECT_EQ(ClassOf(0x0663), CodepointClass::kNumber);  // ٣ ARABIC-INDIC DIGIT THREE, Nd
  EXPECT_EQ(ClassOf(0x216B), CodepointClass::kNumber);  // Ⅻ, Nl
  EXPECT_EQ(ClassOf(0xB2), CodepointClass::kNumber);    // ², No
  EXPECT_EQ(ClassOf(' '), CodepointClass::kSpace);
  EXPECT_EQ(ClassOf(0xA0), CodepointClass::kSpace);    // NO-BREAK SPACE
  EXPECT_EQ(ClassOf(0x3000), CodepointClass::kSpace);  // IDEOGRAPHIC SPACE
  EXPECT_EQ(ClassOf(0x85), CodepointClass::kSpace);    // NEL
  EXPECT_EQ(ClassOf(0x200B), CodepointClass::kOther);  // ZERO WIDTH SPACE is not White_Space
  EXPECT_EQ(ClassOf('!'), CodepointClass::kOther);
  EXPECT_EQ(ClassOf(0x0301), CodepointClass::kOther);   // combining acute, Mn
  EXPECT_EQ(ClassOf(0x1F999), CodepointClass::kOther);  // 🦙, So
  EXPECT_EQ(ClassOf(0x0378), CodepointClass::kOther);   // unassigned
  EXPECT_EQ(ClassOf(0x10FFFF), CodepointClass::kOther);
  EXPECT_EQ(ClassOf(0x110000), CodepointClass::kOther);
  EXPECT_EQ(std::string(kUnicodeVersion), "14.0.0");
}

TEST(PreTokenize, Contractions) {
  EXPECT_EQ(Split(BpePre::kGpt2, "they're here, it's Bob's"),
            (Pieces{"they", "'re", " here", ",", " it", "'s", " Bob", "'s"}));
  // GPT-2's contractions are case-sensitive: "'M" is punctuation then a word.
  EXPECT_EQ(Split(BpePre::kGpt2, "I'M"), (Pieces{"I", "'", "M"}));
  // Llama 3's fold ASCII case.
  EXPECT_EQ(Split(BpePre::kLlama3, "I'M WE'LL we'Ve"),
            (Pieces{"I", "'M", " WE", "'LL", " we", "'Ve"}));
  // Not a contraction: the apostrophe prefixes the word (Llama 3) or stands alone (GPT-2).
  EXPECT_EQ(Split(BpePre::kLlama3, "'quote'"), (Pieces{"'quote", "'"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "'quote'"), (Pieces{"'", "quote", "'"}));
}

TEST(PreTokenize, Digits) {
  EXPECT_EQ(Split(BpePre::kLlama3, "12345 678"), (Pieces{"123", "45", " ", "678"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "12345 678"), (Pieces{"12345", " 678"}));
  EXPECT_EQ(Split(BpePre::kQwen2, "123 45"), (Pieces{"1", "2", "3", " ", "4", "5"}));
  EXPECT_EQ(Split(BpePre::kSmolLm, "a 12b"), (Pieces{"a", " ", "1", "2", "b"}));
  // Any \p{N}: Arabic-Indic digits group by three as well.
  EXPECT_EQ(Split(BpePre::kLlama3, "\xD9\xA3\xD9\xA4\xD9\xA5\xD9\xA6"),
            (Pieces{"\xD9\xA3\xD9\xA4\xD9\xA5", "\xD9\xA6"}));
}

TEST(PreTokenize, SmolLmStretchesEndAtDigits) {
  // Between the digits each stretch is its own text for the GPT-2 pattern, so "  " before the
  // digit is a whole whitespace run ending its text (GPT-2 alone would give " ", " 1").
  EXPECT_EQ(Split(BpePre::kSmolLm, "a  1"), (Pieces{"a", "  ", "1"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "a  1"), (Pieces{"a", " ", " 1"}));
}

TEST(PreTokenize, WhitespaceRuns) {
  // \s+(?!\S): a run before a word leaves its last space to the word.
  EXPECT_EQ(Split(BpePre::kGpt2, "a   b  "), (Pieces{"a", "  ", " b", "  "}));
  EXPECT_EQ(Split(BpePre::kLlama3, "a   b  "), (Pieces{"a", "  ", " b", "  "}));
  // Llama 3: any non-letter, non-digit, non-newline character may prefix a word, a tab too.
  EXPECT_EQ(Split(BpePre::kLlama3, "\t\tx"), (Pieces{"\t", "\tx"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "\t\tx"), (Pieces{"\t", "\t", "x"}));
}

TEST(PreTokenize, Newlines) {
  // Llama 3: \s*[\r\n]+ ends at the last newline of a whitespace run.
  EXPECT_EQ(Split(BpePre::kLlama3, "a  \n  b"), (Pieces{"a", "  \n", " ", " b"}));
  EXPECT_EQ(Split(BpePre::kLlama3, "a\r\n\r\nb"), (Pieces{"a", "\r\n\r\n", "b"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "a  \n  b"), (Pieces{"a", "  \n ", " b"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "a\n\nb"), (Pieces{"a", "\n", "\n", "b"}));
}

TEST(PreTokenize, Punctuation) {
  // Llama 3 keeps newlines after punctuation ([\r\n]*); GPT-2 splits them off.
  EXPECT_EQ(Split(BpePre::kLlama3, "Hello, world!!\n\nBye"),
            (Pieces{"Hello", ",", " world", "!!\n\n", "Bye"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "Hello, world!!\n\nBye"),
            (Pieces{"Hello", ",", " world", "!!", "\n", "\n", "Bye"}));
  EXPECT_EQ(Split(BpePre::kLlama3, "x = (y+1);"), (Pieces{"x", " =", " (", "y", "+", "1", ");"}));
  EXPECT_EQ(Split(BpePre::kLlama3, "a.b"), (Pieces{"a", ".b"}));
}

TEST(PreTokenize, NonAsciiLettersCjkAndEmoji) {
  EXPECT_EQ(Split(BpePre::kLlama3, "h\xC3\xA9llo w\xC3\xB6rld"),
            (Pieces{"h\xC3\xA9llo", " w\xC3\xB6rld"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "h\xC3\xA9llo w\xC3\xB6rld"),
            (Pieces{"h\xC3\xA9llo", " w\xC3\xB6rld"}));
  // 你好，世界: the fullwidth comma (Po) prefixes the next word in Llama 3.
  const std::string ni_hao = "\xE4\xBD\xA0\xE5\xA5\xBD", comma = "\xEF\xBC\x8C",
                    shi_jie = "\xE4\xB8\x96\xE7\x95\x8C";
  EXPECT_EQ(Split(BpePre::kLlama3, ni_hao + comma + shi_jie), (Pieces{ni_hao, comma + shi_jie}));
  EXPECT_EQ(Split(BpePre::kGpt2, ni_hao + comma + shi_jie), (Pieces{ni_hao, comma, shi_jie}));
  // Emoji are symbols: a run of them takes the space before it, and the '!' after.
  const std::string llama = "\xF0\x9F\xA6\x99";
  EXPECT_EQ(Split(BpePre::kLlama3, "hi " + llama + llama + "!"),
            (Pieces{"hi", " " + llama + llama + "!"}));
  // A combining mark (Mn) is not a letter: decomposed "é" splits.
  EXPECT_EQ(Split(BpePre::kGpt2, "cafe\xCC\x81s"), (Pieces{"cafe", "\xCC\x81", "s"}));
}

TEST(PreTokenize, InvalidUtf8BytesAreOtherCharacters) {
  EXPECT_EQ(Split(BpePre::kLlama3,
                  "a\xFF"
                  "b"),
            (Pieces{"a",
                    "\xFF"
                    "b"}));
  EXPECT_EQ(Split(BpePre::kGpt2,
                  "a\xFF"
                  "b"),
            (Pieces{"a", "\xFF", "b"}));
  // Truncated, overlong and surrogate sequences: each byte alone.
  EXPECT_EQ(Split(BpePre::kGpt2, "\xE2\x82"), (Pieces{"\xE2\x82"}));
  EXPECT_EQ(Split(BpePre::kGpt2, " \xC0\xAF"), (Pieces{" \xC0\xAF"}));
  EXPECT_EQ(Split(BpePre::kGpt2, "\xED\xA0\x80x"), (Pieces{"\xED\xA0\x80", "x"}));
  EXPECT_TRUE(Split(BpePre::kLlama3, "").empty());
}

TEST(ByteMapping, Gpt2Characters) {
  EXPECT_EQ(ByteToCharacter('A'), "A");
  EXPECT_EQ(ByteToCharacter(' '), "\xC4\xA0");   // Ġ U+0120: the 33rd remapped byte
  EXPECT_EQ(ByteToCharacter('\n'), "\xC4\x8A");  // Ċ U+010A
  EXPECT_EQ(ByteToCharacter(0), "\xC4\x80");     // U+0100
  EXPECT_EQ(ByteToCharacter(0xE9), "\xC3\xA9");  // é stands for itself
  EXPECT_EQ(ByteToCharacter(0xAD), "\xC5\x83");  // soft hyphen is remapped: U+0143
  for (int b = 0; b < 256; ++b) {
    const std::string ch = ByteToCharacter(static_cast<uint8_t>(b));
    uint32_t cp = static_cast<unsigned char>(ch[0]);
    if (ch.size() == 2) cp = (cp & 0x1F) << 6 | (static_cast<unsigned char>(ch[1]) & 0x3F);
    EXPECT_EQ(CharacterToByte(cp), b);
  }
  EXPECT_EQ(CharacterToByte(' '), -1);
  EXPECT_EQ(CharacterToByte(0x144), -1);  // one past the 68 remapped bytes
}

// 256 byte tokens, token b = byte b, then `extra` pieces (byte characters) with ids 256, 257...
Vocab HandVocab(const std::string& pre, const std::vector<std::string>& extra,
                const std::vector<std::string>& merges) {
  Vocab v;
  v.model = "gpt2";
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(ByteToCharacter(static_cast<uint8_t>(b)));
  for (const std::string& p : extra) v.tokens.push_back(p);
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  v.merges = merges;
  v.add_bos = false;
  return v;
}

std::unique_ptr<Tokenizer> Make(Vocab v) {
  auto t = Tokenizer::FromVocab(std::move(v));
  EXPECT_TRUE(t.ok()) << t.error().message;
  return t.ok() ? std::move(*t) : nullptr;
}

const std::string kG = ByteToCharacter(' ');  // Ġ

// Ids: ll 256, he 257, el 258, hell 259, hello 260, hlo 261 (no merge makes it), Ġw 262.
Vocab HelloVocab(const std::string& pre) {
  return HandVocab(pre, {"ll", "he", "el", "hell", "hello", "hlo", kG + "w"},
                   {"l l", "h e", "e l", "he ll", "hell o", kG + " w"});
}
constexpr int32_t kLl = 256, kHe = 257, kHell = 259, kHello = 260, kHlo = 261, kGw = 262;

TEST(BpeTokenizer, MergesLowestRankFirst) {
  auto t = Make(HelloVocab("gpt-2"));
  // h e l l o: "l l" (rank 0) first, then "h e" (1); "e l" (2) no longer applies (its 'e' is in
  // "he"); "he ll" (3), then "hell o" (4).
  EXPECT_EQ(t->Encode("hello", false), (std::vector<int32_t>{kHello}));
  // e l l: "e l" is leftmost but "l l" has the lower rank.
  EXPECT_EQ(t->Encode("ell", false), (std::vector<int32_t>{'e', kLl}));
  // h e l: "h e" (1) beats "e l" (2), and "he l" has no merge.
  EXPECT_EQ(t->Encode("hel", false), (std::vector<int32_t>{kHe, 'l'}));
  // l l l: two equal-rank candidates, the leftmost merges.
  EXPECT_EQ(t->Encode("lll", false), (std::vector<int32_t>{kLl, 'l'}));
  EXPECT_EQ(t->Encode("hell", false), (std::vector<int32_t>{kHell}));
  // Pieces merge separately: " hello" is Ġ + hello ("Ġ h" has no merge); " w" is Ġw.
  EXPECT_EQ(t->Encode("hello hello w", false), (std::vector<int32_t>{kHello, ' ', kHello, kGw}));
}

TEST(BpeTokenizer, LlamaBpeTakesAWholePieceThatIsAToken) {
  // "hlo" is a token no merge reaches: byte by byte under gpt-2, one token under llama-bpe.
  EXPECT_EQ(Make(HelloVocab("gpt-2"))->Encode("hlo", false), (std::vector<int32_t>{'h', 'l', 'o'}));
  EXPECT_EQ(Make(HelloVocab("llama-bpe"))->Encode("hlo", false), (std::vector<int32_t>{kHlo}));
  EXPECT_EQ(Make(HelloVocab("llama-bpe"))->Encode("hello", false), (std::vector<int32_t>{kHello}));
}

TEST(BpeTokenizer, BytesAndInvalidUtf8) {
  auto t = Make(HelloVocab("llama-bpe"));
  EXPECT_EQ(t->Encode("\xC3\xA9", false), (std::vector<int32_t>{0xC3, 0xA9}));
  EXPECT_EQ(t->Encode("\xFF\n\x01", false), (std::vector<int32_t>{0xFF, '\n', 0x01}));
  // A token may end inside a character: each DecodeToken returns its bytes as they are.
  EXPECT_EQ(t->DecodeToken(-1, 0xC3), "\xC3");
  EXPECT_EQ(t->DecodeToken(0xC3, 0xA9), "\xA9");
  EXPECT_EQ(t->DecodeToken(-1, kGw), " w");
  EXPECT_EQ(t->DecodeToken(-1, 99999), "");
}

TEST(BpeTokenizer, SpecialTokensAreNeverMadeFromText) {
  // Ids: <|> 256 (control, BOS), </s> 257 (control, EOS), <| 258, <tool> 259 (user-defined).
  Vocab v = HandVocab("llama-bpe", {"<|>", "</s>", "<|", "<tool>"}, {"< |"});
  v.types[256] = v.types[257] = TokenType::kControl;
  v.types[259] = TokenType::kUserDefined;
  v.bos_id = 256;
  v.eos_id = 257;
  v.add_bos = true;
  auto t = Make(v);
  // "<|>" is one pre-token and a control token's spelling, which llama-bpe's whole-piece lookup
  // skips: the merges make "<|" and ">".
  const std::vector<int32_t> ids = t->Encode("<|>", true, true);
  EXPECT_EQ(ids, (std::vector<int32_t>{256, 258, '>', 257}));
  EXPECT_EQ(t->Decode(ids), "<|>");
  EXPECT_EQ(t->DecodeToken(-1, 256), "");  // control tokens print nothing
  EXPECT_EQ(t->DecodeToken(-1, 259), "<tool>");
  // A model that adds no BOS (add_bos_token false) gets none even when asked.
  v.add_bos = false;
  EXPECT_EQ(Make(v)->Encode("x", true, true), (std::vector<int32_t>{'x', 257}));
}

// The plain statement of the algorithm: pre-tokenize, take a whole-piece token (llama-bpe), else
// repeatedly merge the lowest-ranked adjacent pair (leftmost on ties).
struct NaiveEncoder {
  explicit NaiveEncoder(const Vocab& vocab) : v(vocab) {
    for (size_t i = 0; i < v.tokens.size(); ++i) {
      if (v.types[i] != TokenType::kControl) ids.emplace(v.tokens[i], static_cast<int32_t>(i));
    }
    for (size_t r = 0; r < v.merges.size(); ++r) {
      const size_t sp = v.merges[r].find(' ');
      ranks.emplace(std::make_pair(v.merges[r].substr(0, sp), v.merges[r].substr(sp + 1)), r);
    }
  }
  std::vector<int32_t> Encode(const std::string& text);

  const Vocab& v;
  std::map<std::string, int32_t> ids;
  std::map<std::pair<std::string, std::string>, size_t> ranks;
};

std::vector<int32_t> NaiveEncoder::Encode(const std::string& text) {
  std::vector<int32_t> out;
  for (std::string_view piece : PreTokenize(*ParseBpePre(v.pre), text)) {
    std::vector<std::string> syms;
    std::string whole;
    for (char c : piece) {
      syms.push_back(ByteToCharacter(static_cast<uint8_t>(c)));
      whole += syms.back();
    }
    if (v.pre == "llama-bpe" && ids.count(whole)) {
      out.push_back(ids[whole]);
      continue;
    }
    while (true) {
      size_t best = 0, best_rank = SIZE_MAX;
      for (size_t i = 0; i + 1 < syms.size(); ++i) {
        auto it = ranks.find({syms[i], syms[i + 1]});
        if (it != ranks.end() && it->second < best_rank) {
          best = i;
          best_rank = it->second;
        }
      }
      if (best_rank == SIZE_MAX) break;
      syms[best] += syms[best + 1];
      syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    for (const std::string& s : syms) out.push_back(ids.at(s));
  }
  return out;
}

std::string RandomText(std::mt19937& rng, size_t n) {
  static const std::vector<std::string> kAlphabet = {"the",
                                                     " the",
                                                     "a",
                                                     "b",
                                                     "e",
                                                     "t",
                                                     "h",
                                                     "s",
                                                     " ",
                                                     " ",
                                                     "  ",
                                                     "\n",
                                                     "\r\n",
                                                     "\t",
                                                     "'s",
                                                     "'T",
                                                     "1",
                                                     "23",
                                                     "4567",
                                                     ".",
                                                     ",",
                                                     "!",
                                                     "\xC3\xA9",
                                                     "\xE6\x97\xA5",
                                                     "\xF0\x9F\xA6\x99",
                                                     "\xCC\x81",
                                                     "\x01",
                                                     "\x7F",
                                                     "\xFF",
                                                     "\xC3",
                                                     "<|begin_of_text|>",
                                                     "robot",
                                                     " cat"};
  std::string s;
  for (size_t k = 0; k < n; ++k) s += kAlphabet[rng() % kAlphabet.size()];
  return s;
}

TEST(BpeTokenizer, AgreesWithTheNaiveAlgorithmAndRoundTrips) {
  const Vocab v = gguf::SyntheticBpeVocab(6000);
  for (const char* pre : {"llama-bpe", "gpt-2", "qwen2", "smollm"}) {
    Vocab vp = v;
    vp.pre = pre;
    auto t = Make(vp);
    NaiveEncoder naive(vp);
    std::mt19937 rng(7);
    for (int i = 0; i < 150; ++i) {
      const std::string s = RandomText(rng, rng() % 30);
      const std::vector<int32_t> ids = t->Encode(s, false);
      ASSERT_EQ(ids, naive.Encode(s)) << pre << " text: " << s;
      EXPECT_EQ(t->Decode(ids), s) << pre;
    }
  }
}

TEST(BpeTokenizer, RoundTripsArbitraryBytes) {
  auto t = Make(gguf::SyntheticBpeVocab(2000));
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    EXPECT_EQ(t->Decode(t->Encode(s, true)), s);
  }
}

// --- Malformed metadata ----------------------------------------------------------------------

std::string Refusal(const Vocab& v) {
  auto t = Tokenizer::FromVocab(v);
  return t.ok() ? "(accepted)" : t.error().message;
}

TEST(BpeTokenizer, RefusesMalformedVocabularies) {
  EXPECT_EQ(Refusal(HandVocab("gpt-2", {"hx"}, {"hx y"})),
            "tokenizer.ggml.merges[0] (\"hx y\") names 'hxy', the merged token, which is not "
            "in the vocabulary.");
  EXPECT_EQ(Refusal(HandVocab("gpt-2", {"ab"}, {"a b", "ab zz"})),
            "tokenizer.ggml.merges[1] (\"ab zz\") names 'zz', which is not in the vocabulary.");
  EXPECT_EQ(Refusal(HandVocab("gpt-2", {"ab"}, {"ab"})),
            "tokenizer.ggml.merges[0] (\"ab\") is not two tokens separated by one space.");
  EXPECT_EQ(Refusal(HandVocab("gpt-2", {"ab"}, {"a  b"})),
            "tokenizer.ggml.merges[0] (\"a  b\") is not two tokens separated by one space.");
  EXPECT_EQ(Refusal(HandVocab("gpt-2", {}, {})),
            "Tokenizer model 'gpt2' needs merges (tokenizer.ggml.merges), and the file has none.");
  EXPECT_EQ(Refusal(HandVocab("", {"ab"}, {"a b"})),
            "Tokenizer model 'gpt2' needs tokenizer.ggml.pre to split text, and the file has "
            "none (supported: gpt-2, llama-bpe, qwen2, smollm).");
  EXPECT_EQ(Refusal(HandVocab("deepseek-coder", {"ab"}, {"a b"})),
            "Pre-tokenizer 'deepseek-coder' (tokenizer.ggml.pre) is not supported (supported: "
            "gpt-2, llama-bpe, qwen2, smollm).");
  Vocab no_newline = HandVocab("gpt-2", {"ab"}, {"a b"});
  no_newline.tokens['\n'] = "x\n";
  EXPECT_EQ(Refusal(no_newline),
            "Byte 0x0A (character U+010A) has no token; a byte-level vocabulary needs all 256.");
  Vocab control_byte = HandVocab("gpt-2", {"ab"}, {"a b"});
  control_byte.types['a'] = TokenType::kControl;
  EXPECT_EQ(Refusal(control_byte),
            "Byte 0x61 (character U+0061) has no token; a byte-level vocabulary needs all 256.");
  Vocab bad_types = HandVocab("gpt-2", {"ab"}, {"a b"});
  bad_types.types.pop_back();
  EXPECT_EQ(Refusal(bad_types), "Vocabulary has 257 tokens but 256 token types.");
  Vocab bad_bos = HandVocab("gpt-2", {"ab"}, {"a b"});
  bad_bos.bos_id = 257;
  EXPECT_EQ(Refusal(bad_bos), "BOS token id (257) is not below the vocabulary size (257).");
}

// --- Through GGUF ----------------------------------------------------------------------------

Result<GgufFile> ParseTokenizerGguf(const std::function<void(gguf::GgufWriter&)>& declare) {
  gguf::GgufWriter w;
  declare(w);
  gguf::VectorSink sink;
  EXPECT_TRUE(w.WriteHeader(sink).ok());
  EXPECT_TRUE(w.Finish().ok());
  return GgufFile::Parse(MakeMemorySource(std::move(sink.bytes())));
}

std::string GgufRefusal(const std::function<void(gguf::GgufWriter&)>& declare) {
  auto f = ParseTokenizerGguf(declare);
  if (!f.ok()) return "(parse failed) " + f.error().message;
  auto t = Tokenizer::FromGguf(*f);
  return t.ok() ? "(accepted)" : t.error().message;
}

TEST(BpeTokenizer, GgufKeysOfTheWrongTypeOrMissing) {
  const Vocab v = HelloVocab("gpt-2");
  EXPECT_EQ(GgufRefusal([&](gguf::GgufWriter& w) {
              gguf::DeclareTokenizer(w, v);
              w.SetI32Array("tokenizer.ggml.merges", {1, 2});
            }),
            "Metadata key 'tokenizer.ggml.merges' is array of INT32; expected an array of STRING.");
  EXPECT_EQ(GgufRefusal([&](gguf::GgufWriter& w) {
              gguf::DeclareTokenizer(w, v);
              w.SetU32("tokenizer.ggml.pre", 3);
            }),
            "Metadata key 'tokenizer.ggml.pre' is UINT32; expected STRING.");
  EXPECT_EQ(GgufRefusal([&](gguf::GgufWriter& w) {
              gguf::DeclareTokenizer(w, v);
              w.SetString("tokenizer.ggml.add_bos_token", "yes");
            }),
            "Metadata key 'tokenizer.ggml.add_bos_token' is STRING; expected BOOL.");
  Vocab no_merges = v;
  no_merges.merges.clear();
  EXPECT_EQ(GgufRefusal([&](gguf::GgufWriter& w) { gguf::DeclareTokenizer(w, no_merges); }),
            "Tokenizer model 'gpt2' needs merges (tokenizer.ggml.merges), and the file has none.");
}

TEST(BpeTokenizer, AddBosDefaultsFollowThePreTokenizer) {
  // Files converted without tokenizer.ggml.add_bos_token: llama.cpp's default per pre-tokenizer.
  for (const auto& [pre, bos] : {std::pair<std::string, bool>{"llama-bpe", true},
                                 {"gpt-2", false},
                                 {"qwen2", false},
                                 {"smollm", false}}) {
    Vocab v = HelloVocab(pre);
    v.tokens.push_back("<|endoftext|>");
    v.types.push_back(TokenType::kControl);
    auto f = ParseTokenizerGguf([&](gguf::GgufWriter& w) {
      w.SetString("tokenizer.ggml.model", "gpt2");
      w.SetString("tokenizer.ggml.pre", pre);
      w.SetStringArray("tokenizer.ggml.tokens", v.tokens);
      std::vector<int32_t> types;
      for (TokenType type : v.types) types.push_back(static_cast<int32_t>(type));
      w.SetI32Array("tokenizer.ggml.token_type", types);
      w.SetStringArray("tokenizer.ggml.merges", v.merges);
      w.SetU32("tokenizer.ggml.bos_token_id", 263);
    });
    ASSERT_TRUE(f.ok()) << f.error().message;
    auto t = Tokenizer::FromGguf(*f);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ((*t)->vocab().add_bos, bos) << pre;
    const std::vector<int32_t> want =
        bos ? std::vector<int32_t>{263, kHello} : std::vector<int32_t>{kHello};
    EXPECT_EQ((*t)->Encode("hello", true), want) << pre;
  }
}

// The vocabulary `wasmgpu-gguf synth --shape llama3.2-1b` writes, through a GGUF holding only
// its tokenizer metadata (no weights).
TEST(BpeTokenizer, SynthLlama32VocabularyThroughGguf) {
  const auto shape = gguf::FindShape("llama3.2-1b");
  ASSERT_TRUE(shape.has_value());
  const Vocab v = gguf::SynthVocab(*shape);
  ASSERT_EQ(v.tokens.size(), 128256u);
  auto f = ParseTokenizerGguf([&](gguf::GgufWriter& w) { gguf::DeclareTokenizer(w, v); });
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto t = Tokenizer::FromGguf(*f);
  ASSERT_TRUE(t.ok()) << t.error().message;
  const Tokenizer& tok = **t;
  EXPECT_EQ(tok.n_vocab(), 128256);
  EXPECT_EQ(tok.bos(), 128000);
  EXPECT_EQ(tok.eos(), 128001);
  EXPECT_EQ(tok.vocab().tokens[128000], "<|begin_of_text|>");
  EXPECT_EQ(tok.vocab().tokens[128009], "<|eot_id|>");
  EXPECT_EQ(tok.vocab().pre, "llama-bpe");
  EXPECT_EQ(tok.vocab().merges, v.merges);
  // Words of the built-in sample text are single tokens; the prompt starts with BOS.
  const std::vector<int32_t> ids = tok.Encode("The robot and the cat", true);
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(ids[0], 128000);
  EXPECT_EQ(tok.Decode(ids), "The robot and the cat");
  for (const std::string& s :
       std::vector<std::string>{"", "Hello, World! 12345\n\n\tdone.", "h\xC3\xA9llo w\xC3\xB6rld",
                                "\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\xA6\x99\xF0\x9F\xA6\x99",
                                "\xFF\xFE\x01\x7F <|eot_id|>", std::string("nul\0inside", 10)}) {
    EXPECT_EQ(tok.Decode(tok.Encode(s, true)), s);
  }
  const std::vector<int32_t> special = tok.Encode("<|eot_id|>", false);
  for (int32_t id : special) EXPECT_LT(id, 128000) << "a control token made from text";
}

}  // namespace
}  // namespace wasmgpu::nn
