#include "nn/tokenizer.h"

#include <array>
#include <limits>
#include <queue>

#include "nn/bpe_tokenizer.h"

namespace wasmgpu::nn {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 '▁'

// Length of the UTF-8 sequence starting at s[i], or 1 for an invalid or truncated one (that byte
// then stands alone and falls back to a byte token).
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// Parses "<0xAB>" -> 0xAB; -1 when the piece is not a byte token spelling.
int ParseBytePiece(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  int v = 0;
  for (size_t i = 3; i < 5; ++i) {
    const char c = piece[i];
    const int d = c >= '0' && c <= '9' ? c - '0'
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

class SpmTokenizer final : public Tokenizer {
 public:
  explicit SpmTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
    byte_ids_.fill(-1);
    for (size_t id = 0; id < vocab_.tokens.size(); ++id) {
      const TokenType type = vocab_.types[id];
      if (type == TokenType::kByte) {
        const int b = ParseBytePiece(vocab_.tokens[id]);
        if (b >= 0 && byte_ids_[static_cast<size_t>(b)] < 0) {
          byte_ids_[static_cast<size_t>(b)] = static_cast<int32_t>(id);
        }
      } else if (type != TokenType::kControl && type != TokenType::kUnknown) {
        // The first id of a duplicated piece wins, as in SentencePiece.
        piece_ids_.emplace(vocab_.tokens[id], static_cast<int32_t>(id));
      }
    }
  }

  std::vector<int32_t> Encode(std::string_view text, bool add_bos, bool add_eos) const override {
    std::vector<int32_t> out;
    if (add_bos && vocab_.add_bos && vocab_.bos_id >= 0) out.push_back(vocab_.bos_id);
    if (!text.empty()) EncodePieces(text, &out);
    if (add_eos && vocab_.eos_id >= 0) out.push_back(vocab_.eos_id);
    return out;
  }

  std::string DecodeToken(int32_t prev, int32_t token) const override {
    if (token < 0 || token >= n_vocab()) return {};
    const std::string& piece = vocab_.tokens[static_cast<size_t>(token)];
    switch (vocab_.types[static_cast<size_t>(token)]) {
      case TokenType::kControl: return {};
      case TokenType::kUnknown: return "\xE2\x81\x87";  // '⁇', as the training scripts print <unk>
      case TokenType::kByte: {
        const int b = ParseBytePiece(piece);
        if (b >= 0) return std::string(1, static_cast<char>(b));
        break;
      }
      default: break;
    }
    std::string text;
    text.reserve(piece.size());
    for (size_t i = 0; i < piece.size();) {
      if (piece.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
        text += ' ';
        i += kSpaceMark.size();
      } else {
        text += piece[i++];
      }
    }
    // The dummy prefix added by Encode: the first word's space is not part of the text.
    if ((prev < 0 || prev == vocab_.bos_id) && !text.empty() && text[0] == ' ') text.erase(0, 1);
    return text;
  }

 private:
  struct Symbol {
    int prev, next;     // neighbours in the current segmentation, -1 at the ends
    size_t start, len;  // bytes of the normalized text; len 0 once merged away
    int32_t byte_id;    // >= 0: a byte-fallback token, which never merges
  };
  struct Candidate {
    float score;
    int left, right;
    size_t left_len, right_len;
    size_t left_start;
    int32_t id;
    // Highest score first; on ties the leftmost pair.
    bool operator<(const Candidate& o) const {
      if (score != o.score) return score < o.score;
      return left_start > o.left_start;
    }
  };

  int32_t Lookup(std::string_view piece) const {
    auto it = piece_ids_.find(std::string(piece));
    return it == piece_ids_.end() ? -1 : it->second;
  }

  void EncodePieces(std::string_view text, std::vector<int32_t>* out) const {
    // 1. Normalize.
    std::string norm(kSpaceMark);
    for (char c : text) {
      if (c == ' ') norm += kSpaceMark; else norm += c;
    }
    // 2. Code points: a piece, or its bytes as byte tokens.
    std::vector<Symbol> sym;
    for (size_t i = 0; i < norm.size();) {
      const size_t n = Utf8Length(norm, i);
      if (Lookup(std::string_view(norm).substr(i, n)) >= 0) {
        sym.push_back({0, 0, i, n, -1});
      } else {
        for (size_t k = 0; k < n; ++k) {
          const int32_t b = byte_ids_[static_cast<unsigned char>(norm[i + k])];
          sym.push_back({0, 0, i + k, 1, b >= 0 ? b : vocab_.unk_id < 0 ? 0 : vocab_.unk_id});
        }
      }
      i += n;
    }
    const int count = static_cast<int>(sym.size());
    for (int i = 0; i < count; ++i) {
      sym[i].prev = i - 1;
      sym[i].next = i + 1 < count ? i + 1 : -1;
    }
    // 3. Merge best-scoring pairs. The queue holds every pair ever adjacent; a popped pair is
    // stale when either side changed since it was pushed.
    std::priority_queue<Candidate> queue;
    auto try_push = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      const Symbol& a = sym[left];
      const Symbol& b = sym[right];
      if (a.byte_id >= 0 || b.byte_id >= 0) return;
      const int32_t id = Lookup(std::string_view(norm).substr(a.start, a.len + b.len));
      if (id < 0) return;
      queue.push({vocab_.scores[static_cast<size_t>(id)], left, right, a.len, b.len, a.start, id});
    };
    for (int i = 0; i + 1 < count; ++i) try_push(i, i + 1);
    while (!queue.empty()) {
      const Candidate c = queue.top();
      queue.pop();
      Symbol& a = sym[c.left];
      Symbol& b = sym[c.right];
      if (a.len != c.left_len || b.len != c.right_len || a.next != c.right) continue;
      a.len += b.len;
      b.len = 0;
      a.next = b.next;
      if (b.next >= 0) sym[b.next].prev = c.left;
      try_push(a.prev, c.left);
      try_push(c.left, a.next);
    }
    for (int i = count > 0 ? 0 : -1; i >= 0; i = sym[i].next) {
      const Symbol& s = sym[i];
      out->push_back(s.byte_id >= 0 ? s.byte_id
                                    : Lookup(std::string_view(norm).substr(s.start, s.len)));
    }
  }

  std::unordered_map<std::string, int32_t> piece_ids_;
  std::array<int32_t, 256> byte_ids_;
};

}  // namespace

std::string Tokenizer::Decode(const std::vector<int32_t>& tokens) const {
  std::string text;
  int32_t prev = -1;
  for (int32_t t : tokens) {
    text += DecodeToken(prev, t);
    prev = t;
  }
  return text;
}

Result<Vocab> ReadVocab(const GgufFile& f) {
  Vocab v;
  NN_TRY_ASSIGN(v.model, f.GetString("tokenizer.ggml.model"));
  NN_TRY_ASSIGN(v.tokens, f.GetStringArray("tokenizer.ggml.tokens"));
  const size_t n = v.tokens.size();
  if (n == 0 || n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return MakeError("Vocabulary size (", n, ") must be between 1 and 2^31 - 1.");
  }
  if (f.FindValue("tokenizer.ggml.scores") != nullptr) {
    NN_TRY_ASSIGN(v.scores, f.GetFloatArray("tokenizer.ggml.scores"));
    if (v.scores.size() != n) {
      return MakeError("tokenizer.ggml.scores has ", v.scores.size(), " entries; expected ", n,
                       " (one per token).");
    }
  } else {
    v.scores.assign(n, 0.0f);
  }
  v.types.assign(n, TokenType::kNormal);
  if (f.FindValue("tokenizer.ggml.token_type") != nullptr) {
    NN_TRY_ASSIGN(std::vector<int32_t> types, f.GetIntArray("tokenizer.ggml.token_type"));
    if (types.size() != n) {
      return MakeError("tokenizer.ggml.token_type has ", types.size(), " entries; expected ", n,
                       " (one per token).");
    }
    for (size_t i = 0; i < n; ++i) {
      if (types[i] < 0 || types[i] > 6) {
        return MakeError("tokenizer.ggml.token_type[", i, "] is ", types[i],
                         "; token types are 0 to 6.");
      }
      v.types[i] = static_cast<TokenType>(types[i]);
    }
  }
  auto id = [&](const char* key, int32_t* out) -> Status {
    if (f.FindValue(key) == nullptr) return {};
    NN_TRY_ASSIGN(uint64_t value, f.GetUint(key, n - 1));
    *out = static_cast<int32_t>(value);
    return {};
  };
  NN_TRY(id("tokenizer.ggml.bos_token_id", &v.bos_id));
  NN_TRY(id("tokenizer.ggml.eos_token_id", &v.eos_id));
  NN_TRY(id("tokenizer.ggml.eot_token_id", &v.eot_id));
  NN_TRY(id("tokenizer.ggml.unknown_token_id", &v.unk_id));
  if (v.model == "gpt2") {
    // Byte-level BPE: merges are required (checked when the tokenizer is built, so that
    // FromVocab checks the same); pre names the pre-tokenizer.
    if (f.FindValue("tokenizer.ggml.merges") != nullptr) {
      NN_TRY_ASSIGN(v.merges, f.GetStringArray("tokenizer.ggml.merges"));
    }
    if (f.FindValue("tokenizer.ggml.pre") != nullptr) {
      NN_TRY_ASSIGN(v.pre, f.GetString("tokenizer.ggml.pre"));
    }
    auto pre = ParseBpePre(v.pre);
    v.add_bos = pre.ok() && BpePreAddsBos(*pre);
  }
  if (f.FindValue("tokenizer.ggml.add_bos_token") != nullptr) {
    NN_TRY_ASSIGN(v.add_bos, f.GetBool("tokenizer.ggml.add_bos_token"));
  }
  if (f.FindValue("tokenizer.ggml.add_eos_token") != nullptr) {
    NN_TRY_ASSIGN(v.add_eos, f.GetBool("tokenizer.ggml.add_eos_token"));
  }
  return v;
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromVocab(Vocab vocab) {
  if (vocab.model == "llama") {
    if (vocab.scores.size() != vocab.tokens.size() || vocab.types.size() != vocab.tokens.size()) {
      return MakeError("Vocabulary has ", vocab.tokens.size(), " tokens but ",
                       vocab.scores.size(), " scores and ", vocab.types.size(), " types.");
    }
    return std::unique_ptr<Tokenizer>(new SpmTokenizer(std::move(vocab)));
  }
  if (vocab.model == "gpt2") return MakeBpeTokenizer(std::move(vocab));
  return MakeError("Tokenizer model '", vocab.model,
                   "' is not supported (supported: llama, gpt2).");
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const GgufFile& file) {
  NN_TRY_ASSIGN(Vocab vocab, ReadVocab(file));
  return FromVocab(std::move(vocab));
}

}  // namespace wasmgpu::nn
