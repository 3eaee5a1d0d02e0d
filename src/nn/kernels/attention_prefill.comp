#version 450
// Causal attention for the T queries of a prefill batch over the resident KV cache (GQA: query
// head h reads KV head h / (n_head / n_head_kv)). Query t sits at position pos0 + t and attends
// to positions 0 .. pos0 + t, which the cache holds once rope_store_batch has run: earlier
// batches' keys and this batch's.
//
// A workgroup takes `bq` queries of one head and walks the keys in tiles of `bkv` (online
// softmax, as in FlashAttention): the tile's keys go to shared memory, the bq x bkv scores are
// computed, each query's running max and sum are updated and its output rescaled, then the same
// shared memory takes the tile's values. No score ever goes to global memory. Sizes (host:
// bq = min(16, 1024 / head_dim), bkv = min(32, 2112 / (head_dim + 1))) keep the arrays below
// within 16 KiB; rows of the tiles are padded to head_dim + 1 floats so that threads reading
// the same dim of consecutive keys hit different banks.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Qkv { float qkv[]; };  // [T][q | k | v], q rotated
layout(std430, binding = 1) readonly buffer KCache { float k_cache[]; };
layout(std430, binding = 2) readonly buffer VCache { float v_cache[]; };
layout(std430, binding = 3) writeonly buffer Out { float out_x[]; };  // [T][n_head * head_dim]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_q;    // queries in the batch
  uint pos0;   // position of the first
  uint bq;     // queries per workgroup
  uint bkv;    // keys per tile
  float scale; // 1 / sqrt(head_dim)
} p;

#define OUT_PER_THREAD 4  // bq * head_dim <= 1024 outputs over 256 threads
shared float qs[1024];       // [bq][head_dim]
shared float kv[2112];       // [bkv][head_dim + 1]: the tile's keys, then its values
shared float ps[16 * 33];    // [bq][bkv + 1]: scores, then probabilities
shared float row_max[16], row_sum[16], row_rescale[16];

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint h = gl_WorkGroupID.y;
  const uint q0 = gl_WorkGroupID.x * p.bq;
  const uint nq = min(p.bq, p.n_q - q0);
  const uint hd = p.head_dim, ks = hd + 1, ps_stride = p.bkv + 1;
  const uint kv_dim = p.n_head_kv * hd;
  const uint q_dim = p.n_head * hd;
  const uint kv_off = (h / (p.n_head / p.n_head_kv)) * hd;

  for (uint e = t; e < p.bq * hd; e += 256) {
    const uint qi = e / hd;
    qs[e] = qi < nq ? qkv[(q0 + qi) * (q_dim + 2 * kv_dim) + h * hd + e % hd] : 0.0;
  }
  if (t < p.bq) {
    row_max[t] = -3.0e38;
    row_sum[t] = 0.0;
  }
  float o[OUT_PER_THREAD];
  for (uint r = 0; r < OUT_PER_THREAD; ++r) o[r] = 0.0;

  const uint last = p.pos0 + q0 + nq - 1;  // the last key any query here sees
  for (uint k0 = 0; k0 <= last; k0 += p.bkv) {
    const uint nk = min(p.bkv, last + 1 - k0);
    barrier();  // the previous tile's values and probabilities are no longer read
    for (uint e = t; e < nk * hd; e += 256) {
      const uint kk = e / hd, d = e % hd;
      kv[kk * ks + d] = k_cache[(k0 + kk) * kv_dim + kv_off + d];
    }
    barrier();
    for (uint e = t; e < p.bq * p.bkv; e += 256) {
      const uint qi = e / p.bkv, kk = e % p.bkv;
      float s = -3.0e38;  // masked: past the query's position, the tile or the batch
      if (qi < nq && kk < nk && k0 + kk <= p.pos0 + q0 + qi) {
        float dot = 0.0;
        for (uint d = 0; d < hd; ++d) dot += qs[qi * hd + d] * kv[kk * ks + d];
        s = dot * p.scale;
      }
      ps[qi * ps_stride + kk] = s;
    }
    barrier();
    // Values into the tile while the first bq threads update the softmax of their query.
    for (uint e = t; e < nk * hd; e += 256) {
      const uint kk = e / hd, d = e % hd;
      kv[kk * ks + d] = v_cache[(k0 + kk) * kv_dim + kv_off + d];
    }
    if (t < p.bq) {
      float m = row_max[t];
      for (uint kk = 0; kk < nk; ++kk) m = max(m, ps[t * ps_stride + kk]);
      float sum = 0.0;
      for (uint kk = 0; kk < nk; ++kk) {
        const float s = ps[t * ps_stride + kk];
        const float e = s <= -3.0e38 ? 0.0 : exp(s - m);
        ps[t * ps_stride + kk] = e;
        sum += e;
      }
      const float c = exp(row_max[t] - m);  // 0 on the first tile (row_max was -3e38)
      row_rescale[t] = c;
      row_sum[t] = row_sum[t] * c + sum;
      row_max[t] = m;
    }
    barrier();
    for (uint r = 0; r < OUT_PER_THREAD; ++r) {
      const uint e = t + 256 * r;
      if (e >= p.bq * hd) break;
      const uint qi = e / hd, d = e % hd;
      float acc = o[r] * row_rescale[qi];
      for (uint kk = 0; kk < nk; ++kk) acc += ps[qi * ps_stride + kk] * kv[kk * ks + d];
      o[r] = acc;
    }
  }
  for (uint r = 0; r < OUT_PER_THREAD; ++r) {
    const uint e = t + 256 * r;
    if (e >= p.bq * hd) break;
    const uint qi = e / hd, d = e % hd;
    if (qi < nq) out_x[(q0 + qi) * q_dim + h * hd + d] = o[r] / row_sum[qi];
  }
}
