#include "llama_gguf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

namespace wasmgpu::gguf {

using nn::GgmlType;
using nn::MakeError;
using nn::StrCat;

namespace {

const LlamaConfig kShapes[] = {
    // name             dim  layers heads kv  ffn   vocab   ctx    eps   theta     tied
    {"stories15m", 288, 6, 6, 6, 768, 32000, 256, 1e-5f, 10000.0f, true},
    {"stories110m", 768, 12, 12, 12, 2048, 32000, 1024, 1e-5f, 10000.0f, true},
    {"tinyllama-1.1b", 2048, 22, 32, 4, 5632, 32000, 2048, 1e-5f, 10000.0f, false},
    {"llama3.2-1b", 2048, 16, 32, 8, 8192, 128256, 131072, 1e-5f, 500000.0f, true, "gpt2"},
};

// llama.cpp's general.file_type (LLAMA_FTYPE_*) for the weight type of a whole model.
uint32_t FileType(GgmlType type) {
  switch (type) {
    case GgmlType::kF32: return 0;
    case GgmlType::kF16: return 1;
    case GgmlType::kQ4_0: return 2;
    case GgmlType::kQ8_0: return 7;
    default: return 0;
  }
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Fills `out` with N(mean, std) by Box-Muller from a per-row stream.
void GaussianRow(uint64_t seed, float mean, float std, float* out, uint64_t n) {
  uint64_t state = seed;
  for (uint64_t i = 0; i < n; i += 2) {
    const uint64_t r = SplitMix64(state);
    const float u1 = (static_cast<float>(r >> 40) + 1.0f) * (1.0f / 16777217.0f);  // (0, 1]
    const float u2 = static_cast<float>((r >> 16) & 0xFFFFFF) * (1.0f / 16777216.0f);
    const float radius = std * std::sqrt(-2.0f * std::log(u1));
    const float angle = 6.28318530718f * u2;
    out[i] = mean + radius * std::cos(angle);
    if (i + 1 < n) out[i + 1] = mean + radius * std::sin(angle);
  }
}

// Produces a tensor's rows as floats, `RowFn(row, out)`, quantizes them in parallel and streams
// them to the writer in chunks; the write of one chunk overlaps the making of the next.
using RowFn = std::function<void(uint64_t row, float* out)>;
Status WriteRows(GgufWriter& w, Sink& sink, const nn::GgufTensorInfo& t, const RowFn& make_row,
                 unsigned threads, std::vector<uint8_t> (&buffers)[2], std::future<Status>& pending) {
  const uint64_t rows = t.n_elements / t.ne[0];
  const uint64_t row_bytes = nn::RowBytes(t.type, t.ne[0]);
  const uint64_t chunk_rows = std::max<uint64_t>(1, (32ull << 20) / row_bytes);
  for (uint64_t first = 0; first < rows; first += chunk_rows) {
    const uint64_t count = std::min(chunk_rows, rows - first);
    std::vector<uint8_t>& buf = buffers[0];
    buf.resize(count * row_bytes);
    auto work = [&](unsigned tid) {
      std::vector<float> row(t.ne[0]);
      for (uint64_t r = tid; r < count; r += threads) {
        make_row(first + r, row.data());
        nn::QuantizeRow(t.type, row.data(), buf.data() + r * row_bytes,
                        static_cast<int64_t>(t.ne[0]));
      }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work, i);
    work(0);
    for (std::thread& th : pool) th.join();
    if (pending.valid()) NN_TRY(pending.get());
    std::swap(buffers[0], buffers[1]);
    pending = std::async(std::launch::async, [&w, &sink, &buffers] {
      return w.WriteTensorData(sink, buffers[1]);
    });
  }
  return {};
}

unsigned ThreadCount(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

std::optional<LlamaConfig> FindShape(const std::string& name) {
  for (const LlamaConfig& c : kShapes) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

std::vector<std::string> ShapeNames() {
  std::vector<std::string> names;
  for (const LlamaConfig& c : kShapes) names.push_back(c.name);
  return names;
}

nn::Vocab SyntheticVocab(uint32_t size) {
  nn::Vocab v;
  v.model = "llama";
  auto add = [&](std::string piece, float score, nn::TokenType type) {
    if (v.tokens.size() >= size) return;
    v.tokens.push_back(std::move(piece));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0.0f, nn::TokenType::kUnknown);
  add("<s>", 0.0f, nn::TokenType::kControl);
  add("</s>", 0.0f, nn::TokenType::kControl);
  for (int b = 0; b < 256; ++b) {
    static const char* kHex = "0123456789ABCDEF";
    add(StrCat("<0x", kHex[b >> 4], kHex[b & 15], ">"), 0.0f, nn::TokenType::kByte);
  }
  const std::string mark = "\xE2\x96\x81";
  float rank = 0.0f;
  add(mark, 0.0f, nn::TokenType::kNormal);
  for (char c = 0x21; c < 0x7F; ++c) add(std::string(1, c), 0.0f, nn::TokenType::kNormal);
  // Letter strings by length: each s and '▁'+s, so s[:-1]+s[-1] are both pieces already.
  for (int len = 1; v.tokens.size() < size; ++len) {
    std::string s(static_cast<size_t>(len), 'a');
    while (v.tokens.size() < size) {
      if (len > 1) add(s, -(rank += 1.0f), nn::TokenType::kNormal);
      add(mark + s, -(rank += 1.0f), nn::TokenType::kNormal);
      int i = len - 1;  // next string in lexicographic order
      while (i >= 0 && s[static_cast<size_t>(i)] == 'z') s[static_cast<size_t>(i--)] = 'a';
      if (i < 0) break;
      ++s[static_cast<size_t>(i)];
    }
  }
  v.bos_id = 1;
  v.eos_id = 2;
  v.unk_id = 0;
  v.add_bos = true;
  return v;
}

nn::Vocab SynthVocab(const LlamaConfig& c) {
  return c.tokenizer == "gpt2" ? SyntheticBpeVocab(c.vocab_size) : SyntheticVocab(c.vocab_size);
}

void DeclareTokenizer(GgufWriter& w, const nn::Vocab& vocab) {
  w.SetString("tokenizer.ggml.model", vocab.model);
  if (!vocab.pre.empty()) w.SetString("tokenizer.ggml.pre", vocab.pre);
  w.SetStringArray("tokenizer.ggml.tokens", vocab.tokens);
  // Byte-level vocabularies have no scores (llama.cpp's converter writes none).
  if (!vocab.scores.empty()) w.SetF32Array("tokenizer.ggml.scores", vocab.scores);
  std::vector<int32_t> types;
  for (nn::TokenType t : vocab.types) types.push_back(static_cast<int32_t>(t));
  w.SetI32Array("tokenizer.ggml.token_type", types);
  if (!vocab.merges.empty()) w.SetStringArray("tokenizer.ggml.merges", vocab.merges);
  if (vocab.bos_id >= 0) {
    w.SetU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(vocab.bos_id));
  }
  if (vocab.eos_id >= 0) {
    w.SetU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(vocab.eos_id));
  }
  if (vocab.eot_id >= 0) {
    w.SetU32("tokenizer.ggml.eot_token_id", static_cast<uint32_t>(vocab.eot_id));
  }
  if (vocab.unk_id >= 0) {
    w.SetU32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(vocab.unk_id));
  }
  w.SetBool("tokenizer.ggml.add_bos_token", vocab.add_bos);
  w.SetBool("tokenizer.ggml.add_eos_token", vocab.add_eos);
}

void DeclareLlama(GgufWriter& w, const LlamaConfig& c, const nn::Vocab& vocab, GgmlType type) {
  const uint32_t head_dim = c.dim / c.n_heads;
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", c.name);
  w.SetU32("general.file_type", FileType(type));
  w.SetU32("llama.context_length", c.max_seq_len);
  w.SetU32("llama.embedding_length", c.dim);
  w.SetU32("llama.block_count", c.n_layers);
  w.SetU32("llama.feed_forward_length", c.ffn_dim);
  w.SetU32("llama.attention.head_count", c.n_heads);
  w.SetU32("llama.attention.head_count_kv", c.n_kv_heads);
  w.SetF32("llama.attention.layer_norm_rms_epsilon", c.norm_eps);
  w.SetF32("llama.rope.freq_base", c.rope_theta);
  w.SetU32("llama.rope.dimension_count", head_dim);
  w.SetU32("llama.vocab_size", c.vocab_size);
  DeclareTokenizer(w, vocab);

  const uint64_t q_dim = static_cast<uint64_t>(c.n_heads) * head_dim;
  const uint64_t kv_dim = static_cast<uint64_t>(c.n_kv_heads) * head_dim;
  w.AddTensor("token_embd.weight", type, {c.dim, c.vocab_size});
  for (uint32_t l = 0; l < c.n_layers; ++l) {
    const std::string p = StrCat("blk.", l, ".");
    w.AddTensor(p + "attn_norm.weight", GgmlType::kF32, {c.dim});
    w.AddTensor(p + "attn_q.weight", type, {c.dim, q_dim});
    w.AddTensor(p + "attn_k.weight", type, {c.dim, kv_dim});
    w.AddTensor(p + "attn_v.weight", type, {c.dim, kv_dim});
    w.AddTensor(p + "attn_output.weight", type, {q_dim, c.dim});
    w.AddTensor(p + "ffn_norm.weight", GgmlType::kF32, {c.dim});
    w.AddTensor(p + "ffn_gate.weight", type, {c.dim, c.ffn_dim});
    w.AddTensor(p + "ffn_up.weight", type, {c.dim, c.ffn_dim});
    w.AddTensor(p + "ffn_down.weight", type, {c.ffn_dim, c.dim});
  }
  w.AddTensor("output_norm.weight", GgmlType::kF32, {c.dim});
  if (!c.tied_embeddings) w.AddTensor("output.weight", type, {c.dim, c.vocab_size});
}

namespace {
Status CheckConfig(const LlamaConfig& c, GgmlType type) {
  if (c.dim == 0 || c.n_layers == 0 || c.n_heads == 0 || c.n_kv_heads == 0 || c.ffn_dim == 0 ||
      c.vocab_size == 0 || c.max_seq_len == 0) {
    return MakeError("Model config '", c.name, "' has a zero dimension.");
  }
  if (c.dim % c.n_heads != 0 || c.n_heads % c.n_kv_heads != 0) {
    return MakeError("Model dim (", c.dim, ") must be a multiple of n_heads (", c.n_heads,
                     ") and n_heads of n_kv_heads (", c.n_kv_heads, ").");
  }
  const uint32_t block = nn::GetGgmlType(type).block_size;
  if (c.dim % block != 0 || c.ffn_dim % block != 0) {
    return MakeError("dim (", c.dim, ") and ffn_dim (", c.ffn_dim, ") must be multiples of the ",
                     nn::GgmlTypeName(type), " block size (", block, ").");
  }
  if (!nn::GetGgmlType(type).computable) {
    return MakeError("Type ", nn::GgmlTypeName(type), " cannot be written yet.");
  }
  return {};
}
}  // namespace

Status WriteSyntheticLlama(const SynthOptions& o, Sink& sink) {
  NN_TRY(CheckConfig(o.config, o.type));
  GgufWriter w;
  DeclareLlama(w, o.config, SynthVocab(o.config), o.type);
  NN_TRY(w.WriteHeader(sink));
  const unsigned threads = ThreadCount(o.threads);
  std::vector<uint8_t> buffers[2];
  std::future<Status> pending;
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    const nn::GgufTensorInfo& t = w.tensor(i);
    const bool is_norm = t.n_dims == 1;
    uint64_t base = o.seed * 0x100000001B3ull + i;
    const uint64_t tensor_seed = SplitMix64(base);
    RowFn row = [&](uint64_t r, float* out) {
      GaussianRow(tensor_seed ^ (r * 0xD1B54A32D192ED03ull), is_norm ? 1.0f : 0.0f, 0.02f, out,
                  t.ne[0]);
    };
    Status s = WriteRows(w, sink, t, row, threads, buffers, pending);
    if (!s.ok()) {
      if (pending.valid()) (void)pending.get();
      return s;
    }
  }
  if (pending.valid()) NN_TRY(pending.get());
  return w.Finish();
}

// --- convert ---------------------------------------------------------------------------------

namespace {

using nlohmann::json;

nn::Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError("Cannot open '", path, "'.");
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return MakeError("'", path, "' is not valid JSON.");
  return j;
}

template <typename T>
Status Field(const json& j, const char* key, const std::string& file, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return MakeError("'", file, "' has no field \"", key, "\".");
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return MakeError("'", file, "' field \"", key, "\" is not a boolean.");
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer() || it->template get<int64_t>() < 0 ||
        it->template get<uint64_t>() > std::numeric_limits<T>::max()) {
      return MakeError("'", file, "' field \"", key, "\" is not a non-negative integer in range.");
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) return MakeError("'", file, "' field \"", key, "\" is not a number.");
  } else {
    if (!it->is_string()) return MakeError("'", file, "' field \"", key, "\" is not a string.");
  }
  *out = it->template get<T>();
  return {};
}

}  // namespace

Status ConvertExport(const std::string& dir, GgmlType type, Sink& sink, unsigned threads_req) {
  const std::string config_path = dir + "/config.json";
  NN_TRY_ASSIGN(json cj, ReadJson(config_path));
  LlamaConfig c;
  c.name = "trained";
  NN_TRY(Field(cj, "dim", config_path, &c.dim));
  NN_TRY(Field(cj, "n_layers", config_path, &c.n_layers));
  NN_TRY(Field(cj, "n_heads", config_path, &c.n_heads));
  NN_TRY(Field(cj, "n_kv_heads", config_path, &c.n_kv_heads));
  NN_TRY(Field(cj, "ffn_dim", config_path, &c.ffn_dim));
  NN_TRY(Field(cj, "vocab_size", config_path, &c.vocab_size));
  NN_TRY(Field(cj, "max_seq_len", config_path, &c.max_seq_len));
  NN_TRY(Field(cj, "norm_eps", config_path, &c.norm_eps));
  NN_TRY(Field(cj, "rope_theta", config_path, &c.rope_theta));
  NN_TRY(Field(cj, "tied_embeddings", config_path, &c.tied_embeddings));
  if (cj.contains("name") && cj["name"].is_string()) c.name = cj["name"].get<std::string>();
  NN_TRY(CheckConfig(c, type));

  const std::string tok_path = dir + "/tokenizer.json";
  NN_TRY_ASSIGN(json tj, ReadJson(tok_path));
  nn::Vocab vocab;
  NN_TRY(Field(tj, "model", tok_path, &vocab.model));
  if (!tj.contains("tokens") || !tj["tokens"].is_array() || !tj.contains("scores") ||
      !tj["scores"].is_array() || !tj.contains("token_types") || !tj["token_types"].is_array()) {
    return MakeError("'", tok_path, "' needs arrays \"tokens\", \"scores\" and \"token_types\".");
  }
  for (const json& t : tj["tokens"]) {
    if (!t.is_string()) return MakeError("'", tok_path, "' has a token that is not a string.");
    vocab.tokens.push_back(t.get<std::string>());
  }
  for (const json& s : tj["scores"]) {
    if (!s.is_number()) return MakeError("'", tok_path, "' has a score that is not a number.");
    vocab.scores.push_back(s.get<float>());
  }
  for (const json& t : tj["token_types"]) {
    if (!t.is_number_integer() || t.get<int>() < 0 || t.get<int>() > 6) {
      return MakeError("'", tok_path, "' has a token type that is not an integer 0..6.");
    }
    vocab.types.push_back(static_cast<nn::TokenType>(t.get<int>()));
  }
  if (vocab.tokens.size() != c.vocab_size || vocab.scores.size() != c.vocab_size ||
      vocab.types.size() != c.vocab_size) {
    return MakeError("'", tok_path, "' has ", vocab.tokens.size(), " tokens, ",
                     vocab.scores.size(), " scores and ", vocab.types.size(),
                     " token types; config.json says vocab_size ", c.vocab_size, ".");
  }
  uint32_t bos = 0, eos = 0, unk = 0;
  NN_TRY(Field(tj, "bos_id", tok_path, &bos));
  NN_TRY(Field(tj, "eos_id", tok_path, &eos));
  NN_TRY(Field(tj, "unk_id", tok_path, &unk));
  if (bos >= c.vocab_size || eos >= c.vocab_size || unk >= c.vocab_size) {
    return MakeError("'", tok_path, "' token ids (bos ", bos, ", eos ", eos, ", unk ", unk,
                     ") must be below vocab_size (", c.vocab_size, ").");
  }
  vocab.bos_id = static_cast<int32_t>(bos);
  vocab.eos_id = static_cast<int32_t>(eos);
  vocab.unk_id = static_cast<int32_t>(unk);
  if (tj.contains("add_bos")) NN_TRY(Field(tj, "add_bos", tok_path, &vocab.add_bos));

  // tensors.json: where each tensor lies in tensors.bin.
  const std::string list_path = dir + "/tensors.json";
  NN_TRY_ASSIGN(json lj, ReadJson(list_path));
  if (!lj.is_array()) return MakeError("'", list_path, "' is not an array.");
  struct Entry {
    std::vector<uint64_t> shape;
    uint64_t offset = 0;
  };
  std::map<std::string, Entry> entries;
  for (const json& e : lj) {
    std::string name, dtype;
    Entry entry;
    NN_TRY(Field(e, "name", list_path, &name));
    NN_TRY(Field(e, "dtype", list_path, &dtype));
    NN_TRY(Field(e, "offset", list_path, &entry.offset));
    if (dtype != "f32") {
      return MakeError("Tensor '", name, "' in '", list_path, "' has dtype '", dtype,
                       "'; only f32 is read.");
    }
    if (!e.contains("shape") || !e["shape"].is_array()) {
      return MakeError("Tensor '", name, "' in '", list_path, "' has no shape array.");
    }
    for (const json& d : e["shape"]) {
      if (!d.is_number_unsigned()) return MakeError("Tensor '", name, "' has a bad dimension.");
      entry.shape.push_back(d.get<uint64_t>());
    }
    entries[name] = std::move(entry);
  }
  const std::string bin_path = dir + "/tensors.bin";
  std::ifstream bin(bin_path, std::ios::binary | std::ios::ate);
  if (!bin) return MakeError("Cannot open '", bin_path, "'.");
  const uint64_t bin_size = static_cast<uint64_t>(bin.tellg());

  GgufWriter w;
  DeclareLlama(w, c, vocab, type);
  // Check everything before writing a byte.
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    const nn::GgufTensorInfo& t = w.tensor(i);
    auto it = entries.find(t.name);
    if (it == entries.end()) return MakeError("Tensor '", t.name, "' is missing from '", list_path, "'.");
    const std::vector<uint64_t>& s = it->second.shape;
    bool same = s.size() == t.n_dims;
    for (size_t d = 0; same && d < s.size(); ++d) same = s[d] == t.ne[d];
    if (!same) {
      std::string got = "[";
      for (size_t d = 0; d < s.size(); ++d) got += StrCat(d ? ", " : "", s[d]);
      return MakeError("Tensor '", t.name, "' has shape ", got, "]; expected ", t.ShapeString(),
                       " (GGUF order, ne0 first).");
    }
    if (it->second.offset > bin_size || t.n_elements * 4 > bin_size - it->second.offset) {
      return MakeError("Tensor '", t.name, "' [", it->second.offset, ", +", t.n_elements * 4,
                       ") lies outside '", bin_path, "' (", bin_size, " bytes).");
    }
  }
  NN_TRY(w.WriteHeader(sink));
  const unsigned threads = ThreadCount(threads_req);
  std::vector<uint8_t> buffers[2];
  std::future<Status> pending;
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    const nn::GgufTensorInfo& t = w.tensor(i);
    std::vector<float> values(t.n_elements);
    bin.seekg(static_cast<std::streamoff>(entries[t.name].offset));
    bin.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(t.n_elements * 4));
    if (!bin) return MakeError("Reading tensor '", t.name, "' from '", bin_path, "' failed.");
    RowFn row = [&](uint64_t r, float* out) {
      std::memcpy(out, &values[r * t.ne[0]], t.ne[0] * 4);
    };
    Status s = WriteRows(w, sink, t, row, threads, buffers, pending);
    // `values` dies at the end of this iteration: finish the pending write first.
    if (pending.valid()) {
      Status ws = pending.get();
      if (!ws.ok()) return ws;
    }
    if (!s.ok()) return s;
  }
  return w.Finish();
}

}  // namespace wasmgpu::gguf
