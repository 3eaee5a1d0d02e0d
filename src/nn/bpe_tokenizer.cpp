#include "nn/bpe_tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "nn/unicode_tables.h"

namespace wasmgpu::nn {
namespace {

// --- UTF-8 and the byte mapping ---------------------------------------------------------------

// One character of the text: a valid UTF-8 sequence, or one byte of an invalid one.
struct Char {
  uint32_t offset;  // in bytes
  uint32_t cp;      // U+FFFD for an invalid byte
  uint8_t len;      // bytes
  CodepointClass cls;
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Returns the
// length of the sequence at s[i] and its code point, or 0 when s[i] does not start a valid one.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = byte(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  uint32_t v = c & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (byte(i + k) & 0x3Fu);
  }
  *cp = v;
  return n;
}

std::vector<Char> SplitChars(std::string_view text) {
  std::vector<Char> chars;
  chars.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0xFFFD;
    size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) {
      n = 1;
      cp = 0xFFFD;
    }
    chars.push_back({static_cast<uint32_t>(i), cp, static_cast<uint8_t>(n),
                     n == 1 && cp == 0xFFFD ? CodepointClass::kOther : ClassOf(cp)});
    i += n;
  }
  return chars;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// GPT-2's choice: '!'..'~', '¡'..'¬' and '®'..'ÿ' (188 bytes) are their own character; the other
// 68 bytes, in increasing order, take U+0100, U+0101, ...
bool IsSelfMapped(uint32_t b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct ByteMap {
  std::array<uint32_t, 256> to_cp;
  std::array<int16_t, 0x100 + 68> to_byte;  // indexed by code point
  ByteMap() {
    to_byte.fill(-1);
    uint32_t next = 0x100;
    for (uint32_t b = 0; b < 256; ++b) {
      to_cp[b] = IsSelfMapped(b) ? b : next++;
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteMap& Bytes() {
  static const ByteMap map;
  return map;
}

// --- Pre-tokenizers ---------------------------------------------------------------------------

// Matches one alternative-ordered pattern at chars[i] within [i, end): the stretch's end is the
// end of the text for the pattern (lookahead included). Returns the match length in characters
// (always >= 1).
class Matcher {
 public:
  Matcher(const std::vector<Char>& chars, size_t end) : c_(chars), end_(end) {}

  size_t Gpt2(size_t i) const {
    if (size_t n = Contraction(i, /*fold_case=*/false)) return n;
    if (Is(i, ' ') && Letter(i + 1)) return Run(i + 1, &Matcher::Letter) - i;
    if (Letter(i)) return Run(i, &Matcher::Letter) - i;
    if (Is(i, ' ') && Number(i + 1)) return Run(i + 1, &Matcher::Number) - i;
    if (Number(i)) return Run(i, &Matcher::Number) - i;
    if (Is(i, ' ') && Other(i + 1)) return Run(i + 1, &Matcher::Other) - i;
    if (Other(i)) return Run(i, &Matcher::Other) - i;
    return Spaces(i);
  }

  // Llama 3 with max_digits 3, Qwen2 with 1.
  size_t Llama3(size_t i, size_t max_digits) const {
    if (size_t n = Contraction(i, /*fold_case=*/true)) return n;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (i < end_ && !Letter(i) && !Number(i) && !Newline(i) && Letter(i + 1)) {
      return Run(i + 1, &Matcher::Letter) - i;
    }
    if (Letter(i)) return Run(i, &Matcher::Letter) - i;
    // \p{N}{1,3}
    if (Number(i)) return std::min(Run(i, &Matcher::Number) - i, max_digits);
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    if (Is(i, ' ') && Other(i + 1)) return Run(Run(i + 1, &Matcher::Other), &Matcher::Newline) - i;
    if (Other(i)) return Run(Run(i, &Matcher::Other), &Matcher::Newline) - i;
    // \s*[\r\n]+: greedy \s* backs off to the last CR/LF of the whitespace run, and [\r\n]+
    // then takes just that one.
    const size_t run_end = Run(i, &Matcher::Space);
    for (size_t k = run_end; k > i; --k) {
      if (Newline(k - 1)) return k - i;
    }
    return Spaces(i);
  }

 private:
  bool Is(size_t k, uint32_t cp) const { return k < end_ && c_[k].cp == cp; }
  bool Letter(size_t k) const { return k < end_ && c_[k].cls == CodepointClass::kLetter; }
  bool Number(size_t k) const { return k < end_ && c_[k].cls == CodepointClass::kNumber; }
  bool Space(size_t k) const { return k < end_ && c_[k].cls == CodepointClass::kSpace; }
  bool Other(size_t k) const { return k < end_ && c_[k].cls == CodepointClass::kOther; }
  bool Newline(size_t k) const { return Is(k, '\r') || Is(k, '\n'); }

  size_t Run(size_t k, bool (Matcher::*pred)(size_t) const) const {
    while ((this->*pred)(k)) ++k;
    return k;
  }

  // 's 't 're 've 'm 'll 'd; 0 when none matches at i.
  size_t Contraction(size_t i, bool fold_case) const {
    if (!Is(i, '\'') || i + 1 >= end_) return 0;
    auto ch = [&](size_t k) -> uint32_t {
      if (k >= end_) return 0;
      const uint32_t cp = c_[k].cp;
      return fold_case && cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    };
    const uint32_t a = ch(i + 1), b = ch(i + 2);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
  }

  // \s+(?!\S)|\s+ at a whitespace character: the whole run when it ends the text, else the run
  // but its last character (which then prefixes the next word), but at least one.
  size_t Spaces(size_t i) const {
    const size_t run_end = Run(i, &Matcher::Space);
    const size_t n = run_end - i;
    if (run_end == end_ || n <= 1) return std::max<size_t>(n, 1);
    return n - 1;
  }

  const std::vector<Char>& c_;
  size_t end_;
};

}  // namespace

Result<BpePre> ParseBpePre(std::string_view name) {
  if (name == "gpt-2") return BpePre::kGpt2;
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3") return BpePre::kLlama3;
  if (name == "qwen2") return BpePre::kQwen2;
  if (name == "smollm") return BpePre::kSmolLm;
  return MakeError("Pre-tokenizer '", name, "' (tokenizer.ggml.pre) is not supported ",
                   "(supported: gpt-2, llama-bpe, qwen2, smollm).");
}

const char* BpePreName(BpePre pre) {
  switch (pre) {
    case BpePre::kGpt2:
      return "gpt-2";
    case BpePre::kLlama3:
      return "llama-bpe";
    case BpePre::kQwen2:
      return "qwen2";
    case BpePre::kSmolLm:
      return "smollm";
  }
  return "?";
}

bool BpePreAddsBos(BpePre pre) { return pre == BpePre::kLlama3; }

std::vector<std::string_view> PreTokenize(BpePre pre, std::string_view text) {
  const std::vector<Char> chars = SplitChars(text);
  std::vector<std::string_view> pieces;
  auto emit = [&](size_t first, size_t last) {  // characters [first, last)
    const uint32_t begin = chars[first].offset;
    const uint32_t end =
        last < chars.size() ? chars[last].offset : static_cast<uint32_t>(text.size());
    pieces.push_back(text.substr(begin, end - begin));
  };
  auto split = [&](size_t first, size_t last) {
    const Matcher m(chars, last);
    for (size_t i = first; i < last;) {
      size_t n = 1;
      switch (pre) {
        case BpePre::kGpt2:
        case BpePre::kSmolLm:
          n = m.Gpt2(i);
          break;
        case BpePre::kLlama3:
          n = m.Llama3(i, 3);
          break;
        case BpePre::kQwen2:
          n = m.Llama3(i, 1);
          break;
      }
      emit(i, i + n);
      i += n;
    }
  };
  if (pre != BpePre::kSmolLm) {
    split(0, chars.size());
    return pieces;
  }
  // SmolLM: digits alone, the stretches between them by the GPT-2 pattern.
  size_t start = 0;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (chars[i].cls != CodepointClass::kNumber) continue;
    split(start, i);
    emit(i, i + 1);
    start = i + 1;
  }
  split(start, chars.size());
  return pieces;
}

std::string ByteToCharacter(uint8_t b) {
  std::string s;
  AppendUtf8(Bytes().to_cp[b], &s);
  return s;
}

int CharacterToByte(uint32_t cp) { return cp < Bytes().to_byte.size() ? Bytes().to_byte[cp] : -1; }

namespace {

class BpeTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> Create(Vocab vocab) {
    const size_t n = vocab.tokens.size();
    if (vocab.types.size() != n) {
      return MakeError("Vocabulary has ", n, " tokens but ", vocab.types.size(), " token types.");
    }
    for (const auto& [name, id] :
         {std::pair<const char*, int32_t>{"BOS", vocab.bos_id}, {"EOS", vocab.eos_id}}) {
      if (id < -1 || id >= static_cast<int64_t>(n)) {
        return MakeError(name, " token id (", id, ") is not below the vocabulary size (", n, ").");
      }
    }
    if (vocab.pre.empty()) {
      return MakeError("Tokenizer model 'gpt2' needs tokenizer.ggml.pre to split text, and the ",
                       "file has none (supported: gpt-2, llama-bpe, qwen2, smollm).");
    }
    NN_TRY_ASSIGN(BpePre pre, ParseBpePre(vocab.pre));
    if (vocab.merges.empty()) {
      return MakeError("Tokenizer model 'gpt2' needs merges (tokenizer.ggml.merges), and the ",
                       "file has none.");
    }
    std::unique_ptr<BpeTokenizer> t(new BpeTokenizer(std::move(vocab), pre));
    NN_TRY(t->Index());
    return std::unique_ptr<Tokenizer>(std::move(t));
  }

  std::vector<int32_t> Encode(std::string_view text, bool add_bos, bool add_eos) const override {
    std::vector<int32_t> out;
    if (add_bos && vocab_.add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
    Scratch scratch;
    for (std::string_view piece : PreTokenize(pre_, text)) EncodePiece(piece, &scratch, &out);
    if (add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
    return out;
  }

  std::string DecodeToken(int32_t /*prev*/, int32_t token) const override {
    if (token < 0 || token >= n_vocab()) return {};
    const std::string& piece = vocab_.tokens[static_cast<size_t>(token)];
    switch (vocab_.types[static_cast<size_t>(token)]) {
      case TokenType::kControl:
      case TokenType::kUnknown:
        return {};
      case TokenType::kUserDefined:
        return piece;  // written as text, not byte characters
      default:
        break;
    }
    std::string bytes;
    bytes.reserve(piece.size());
    for (size_t i = 0; i < piece.size();) {
      uint32_t cp = 0;
      const size_t len = DecodeUtf8(piece, i, &cp);
      const int b = len == 0 ? -1 : CharacterToByte(cp);
      if (b >= 0) {
        bytes += static_cast<char>(b);
      } else {
        // Not a byte character (a malformed vocabulary): keep what the piece says.
        bytes.append(piece, i, len == 0 ? 1 : len);
      }
      i += len == 0 ? 1 : len;
    }
    return bytes;
  }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  struct Symbol {
    int32_t id;  // -1 once merged into its left neighbour
    int32_t prev, next;
  };
  struct Candidate {
    int32_t rank;
    int32_t left;  // symbol index: also the position order, as merges keep the left index
    int32_t left_id, right_id;
    // std::priority_queue pops the greatest: lowest rank first, then the leftmost.
    bool operator<(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : left > o.left;
    }
  };
  struct Scratch {
    std::string spelling;
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
  };

  BpeTokenizer(Vocab vocab, BpePre pre) : Tokenizer(std::move(vocab)), pre_(pre) {
    ignore_merges_ = pre == BpePre::kLlama3;
  }

  static uint64_t Key(int32_t left, int32_t right) {
    return static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32 | static_cast<uint32_t>(right);
  }

  Status Index() {
    const size_t n = vocab_.tokens.size();
    ids_.reserve(n);
    for (size_t id = 0; id < n; ++id) {
      const TokenType type = vocab_.types[id];
      // Control and unknown tokens are never made from text; the first of duplicates wins.
      if (type == TokenType::kControl || type == TokenType::kUnknown) continue;
      ids_.emplace(vocab_.tokens[id], static_cast<int32_t>(id));
    }
    for (int b = 0; b < 256; ++b) {
      const std::string ch = ByteToCharacter(static_cast<uint8_t>(b));
      auto it = ids_.find(ch);
      if (it == ids_.end()) {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "0x%02X", b);
        return MakeError("Byte ", hex, " (character U+", HexCp(Bytes().to_cp[b]),
                         ") has no token; a byte-level vocabulary needs all 256.");
      }
      byte_ids_[static_cast<size_t>(b)] = it->second;
    }
    merges_.reserve(vocab_.merges.size());
    for (size_t rank = 0; rank < vocab_.merges.size(); ++rank) {
      const std::string& m = vocab_.merges[rank];
      const size_t space = m.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 == m.size() ||
          m.find(' ', space + 1) != std::string::npos) {
        return MakeError("tokenizer.ggml.merges[", rank, "] (\"", m,
                         "\") is not two tokens separated by one space.");
      }
      const std::string left = m.substr(0, space), right = m.substr(space + 1);
      int32_t ids[3];
      const std::string parts[3] = {left, right, left + right};
      for (int k = 0; k < 3; ++k) {
        auto it = ids_.find(parts[k]);
        if (it == ids_.end()) {
          return MakeError("tokenizer.ggml.merges[", rank, "] (\"", m, "\") names '", parts[k],
                           k == 2 ? "', the merged token, which" : "', which",
                           " is not in the vocabulary.");
        }
        ids[k] = it->second;
      }
      // A repeated pair keeps its first (lowest) rank.
      merges_.emplace(Key(ids[0], ids[1]), Merge{static_cast<int32_t>(rank), ids[2]});
    }
    return {};
  }

  static std::string HexCp(uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%04X", cp);
    return buf;
  }

  void EncodePiece(std::string_view piece, Scratch* s, std::vector<int32_t>* out) const {
    if (piece.size() == 1) {
      out->push_back(byte_ids_[static_cast<uint8_t>(piece[0])]);
      return;
    }
    if (ignore_merges_) {
      s->spelling.clear();
      for (char c : piece) AppendUtf8(Bytes().to_cp[static_cast<uint8_t>(c)], &s->spelling);
      auto it = ids_.find(s->spelling);
      if (it != ids_.end()) {
        out->push_back(it->second);
        return;
      }
    }
    std::vector<Symbol>& sym = s->symbols;
    const int32_t count = static_cast<int32_t>(piece.size());
    sym.resize(piece.size());
    for (int32_t i = 0; i < count; ++i) {
      sym[i] = {byte_ids_[static_cast<uint8_t>(piece[static_cast<size_t>(i)])], i - 1,
                i + 1 < count ? i + 1 : -1};
    }
    std::vector<Candidate>& heap = s->heap;
    heap.clear();
    auto push = [&](int32_t left) {
      if (left < 0 || sym[left].next < 0) return;
      const int32_t l = sym[left].id, r = sym[sym[left].next].id;
      auto it = merges_.find(Key(l, r));
      if (it == merges_.end()) return;
      heap.push_back({it->second.rank, left, l, r});
      std::push_heap(heap.begin(), heap.end());
    };
    for (int32_t i = 0; i + 1 < count; ++i) push(i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end());
      const Candidate c = heap.back();
      heap.pop_back();
      Symbol& a = sym[c.left];
      // Stale when either side has merged since: ids only grow into longer tokens.
      if (a.id != c.left_id || a.next < 0 || sym[a.next].id != c.right_id) continue;
      Symbol& b = sym[a.next];
      a.id = merges_.find(Key(c.left_id, c.right_id))->second.result;
      b.id = -1;
      a.next = b.next;
      if (b.next >= 0) sym[b.next].prev = c.left;
      push(a.prev);
      push(c.left);
    }
    for (int32_t i = 0; i >= 0; i = sym[i].next) out->push_back(sym[i].id);
  }

  BpePre pre_;
  bool ignore_merges_ = false;
  std::unordered_map<std::string, int32_t> ids_;  // byte-character spelling -> first id
  std::array<int32_t, 256> byte_ids_{};
  std::unordered_map<uint64_t, Merge> merges_;  // (left id, right id) -> rank and result
};

}  // namespace

Result<std::unique_ptr<Tokenizer>> MakeBpeTokenizer(Vocab vocab) {
  return BpeTokenizer::Create(std::move(vocab));
}

}  // namespace wasmgpu::nn
