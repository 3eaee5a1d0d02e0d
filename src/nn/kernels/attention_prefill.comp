#version 450
// Causal attention for the T queries of a prefill batch over the resident KV cache (GQA: query
// head h reads KV head h / (n_head / n_head_kv)). Query t sits at position pos0 + t and attends
// to positions 0 .. pos0 + t, which the cache holds once rope_store_batch has run: earlier
// batches' keys and this batch's.
//
// A workgroup takes 16 queries of one head and walks the keys in tiles of `bkv` <= 32 (online
// softmax, as in FlashAttention): the tile's keys go to shared memory, scores are computed, each
// query's running max is updated and its output rescaled, then the same shared memory takes the
// tile's values. No score goes to global memory. Each query row has 16 threads ("lanes") with
// one role in every phase: lane l scores keys l and l + 16 of the tile (held in registers), and
// owns output dims 4 (l + 16 i), so the row's max, rescale factor and partial sums stay in the
// registers of its own threads; lanes exchange only their tile max (and, at the end, their
// partial sums). Reads are vec4; key/value rows are padded by one vec4 so that lanes reading
// the same dims of consecutive keys hit different banks. Needs head_dim % 4 == 0 and
// head_dim <= 128 (host: bkv = min(32, (3264 - 16 head_dim) / (head_dim + 4))), which keeps
// shared memory within 16 KiB.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Qkv { vec4 qkv[]; };  // [T][q | k | v], q rotated
layout(std430, binding = 1) readonly buffer KCache { vec4 k_cache[]; };
layout(std430, binding = 2) readonly buffer VCache { vec4 v_cache[]; };
layout(std430, binding = 3) writeonly buffer Out { vec4 out_x[]; };  // [T][n_head * head_dim]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_q;    // queries in the batch
  uint pos0;   // position of the first
  uint bkv;    // keys per tile
  float scale; // 1 / sqrt(head_dim)
} p;

#define ROWS 16
#define MASKED -3.0e38
shared vec4 pool[816];        // queries [16][head_dim / 4], then the tile [bkv][head_dim / 4 + 1]
shared float ps[ROWS * 33];   // [row][key]: probabilities of the tile
shared float lane_max[ROWS * 16];  // [row][lane]: the lanes' tile maxima, at the end their sums

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint qi = t / 16, lane = t % 16;
  const uint h = gl_WorkGroupID.y;
  const uint q0 = gl_WorkGroupID.x * ROWS;
  const uint nq = min(ROWS, p.n_q - q0);
  const uint hd4 = p.head_dim / 4, ks4 = hd4 + 1, tile = ROWS * hd4;
  const uint kv_dim4 = p.n_head_kv * hd4;
  const uint row4 = p.n_head * hd4 + 2 * kv_dim4;  // QKV row in vec4
  const uint kv_off4 = (h / (p.n_head / p.n_head_kv)) * hd4;
  const uint pos = p.pos0 + q0 + qi;  // this row's position (rows >= nq are padding)

  for (uint e = t; e < ROWS * hd4; e += 256) {
    const uint r = e / hd4;
    pool[e] = r < nq ? qkv[(q0 + r) * row4 + h * hd4 + e % hd4] : vec4(0.0);
  }
  float m = MASKED, l = 0.0;
  vec4 o[2] = vec4[2](vec4(0.0), vec4(0.0));

  const uint last = p.pos0 + q0 + nq - 1;  // the last key any row here sees
  for (uint k0 = 0; k0 <= last; k0 += p.bkv) {
    const uint nk = min(p.bkv, last + 1 - k0);
    barrier();  // the previous tile's values and probabilities are no longer read
    for (uint e = t; e < nk * hd4; e += 256) {
      const uint kk = e / hd4;
      pool[tile + kk * ks4 + e % hd4] = k_cache[(k0 + kk) * kv_dim4 + kv_off4 + e % hd4];
    }
    barrier();
    float s[2];
    for (uint j = 0; j < 2; ++j) {
      const uint kk = lane + 16 * j;
      s[j] = MASKED;  // past the row's position, the tile or the batch
      if (qi < nq && kk < nk && k0 + kk <= pos) {
        float dot_qk = 0.0;
        for (uint d = 0; d < hd4; ++d) dot_qk += dot(pool[qi * hd4 + d], pool[tile + kk * ks4 + d]);
        s[j] = dot_qk * p.scale;
      }
    }
    lane_max[t] = max(s[0], s[1]);
    barrier();
    float m_new = m;
    for (uint i = 0; i < 16; ++i) m_new = max(m_new, lane_max[qi * 16 + i]);
    const float c = exp(m - m_new);  // 0 on the first tile (m was MASKED), else <= 1
    m = m_new;
    for (uint j = 0; j < 2; ++j) {
      const float e = s[j] <= MASKED ? 0.0 : exp(s[j] - m_new);
      if (lane + 16 * j < p.bkv) ps[qi * 33 + lane + 16 * j] = e;
      l = l * (j == 0 ? c : 1.0) + e;
    }
    // The tile's values replace its keys (every lane is past reading them).
    for (uint e = t; e < nk * hd4; e += 256) {
      const uint kk = e / hd4;
      pool[tile + kk * ks4 + e % hd4] = v_cache[(k0 + kk) * kv_dim4 + kv_off4 + e % hd4];
    }
    barrier();
    for (uint i = 0; i < 2; ++i) {
      const uint d = lane + 16 * i;
      if (d >= hd4) break;
      vec4 acc = o[i] * c;
      for (uint kk = 0; kk < nk; ++kk) acc += ps[qi * 33 + kk] * pool[tile + kk * ks4 + d];
      o[i] = acc;
    }
  }
  barrier();
  lane_max[t] = l;
  barrier();
  float sum = 0.0;
  for (uint i = 0; i < 16; ++i) sum += lane_max[qi * 16 + i];
  if (qi >= nq) return;
  for (uint i = 0; i < 2; ++i) {
    const uint d = lane + 16 * i;
    if (d >= hd4) break;
    out_x[(q0 + qi) * p.n_head * hd4 + h * hd4 + d] = o[i] / sum;
  }
}
