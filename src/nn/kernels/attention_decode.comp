#version 450
// Decode attention for one new token with RoPE and the KV-cache store folded in (one dispatch per
// layer instead of rope_store + attention). One workgroup per query head h (GQA: KV head
// h / (n_head / n_head_kv)):
//   1. rotates its q head and this position's k head into shared memory (RoPE as in
//      rope_store.comp: normal or NeoX pairs, dims past n_rot pass through); the first query head
//      of each KV group also writes k (rotated) and v at `pos` into the caches;
//   2. walks positions 0..pos in chunks of CHUNK with an online softmax: a chunk's scores
//      (q.k * scale, one position per thread, k read as vec4) go to shared memory, the running
//      max and sum are rescaled, and the chunk's values are added, positions split over slices
//      of threads (thread (slice, i) reads v[s][4i .. 4i + 3] as a vec4, neighbouring threads
//      neighbouring vec4s, four positions' loads in flight at a time: this loop is
//      latency-bound, at one position per iteration it took ~40 us per layer on the H100);
//   3. the slices' sums meet in shared memory.
// Position `pos` is never read back from the caches in this dispatch (its k comes from shared
// memory, its v from qkv): other workgroups of the group write it concurrently.
//
// Split over positions (flash-decoding, n_split > 1): the dispatch is n_head x n_split
// workgroups; workgroup (h, sp) takes positions [sp L, (sp + 1) L) of 0..pos with
// L = ceil((pos + 1) / n_split) (none past pos: then it writes m = -3e38, l = 0, o = 0) and writes,
// unnormalized, o_sp = sum exp(score - m_sp) v to out_x[sp][h] and (m_sp, l_sp = sum exp(score -
// m_sp)) to ml[sp][h]. Nothing here combines them (workgroups of one dispatch are not ordered): the
// wo product reads x as sum_sp exp(m_sp - M) o_sp / sum_sp exp(m_sp - M) l_sp (matvec*.glsl,
// COMBINE). Every workgroup rotates q and k itself; only sp = 0 of the group's first head stores
// k and v at pos, and the workgroup whose slice holds pos takes them from shared memory and qkv
// as above. n_split = 1 is the unsplit kernel: out_x holds the normalized output.
// Needs head_dim a multiple of 4 and at most 256.
layout(local_size_x = 256) in;
#define CHUNK 1024

layout(std430, binding = 0) readonly buffer Qkv { float qkv[]; };  // [q | k | v] of this token
layout(std430, binding = 1) buffer KCache { vec4 k4[]; };          // [max_seq][kv_dim]
layout(std430, binding = 2) buffer VCache { vec4 v4[]; };          // [max_seq][kv_dim]
layout(std430, binding = 3) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]
layout(std430, binding = 4) writeonly buffer Out { float out_x[]; };  // [n_split][q_dim]
layout(std430, binding = 5) writeonly buffer Ml { vec2 ml[]; };  // [n_split][n_head] (max, sum)

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_rot;
  uint pos;      // this token's position; positions 0..pos are attended
  uint max_seq;
  uint neox;
  float scale;   // 1 / sqrt(head_dim)
  uint n_split;  // workgroups per head (gl_NumWorkGroups.y)
} p;

shared vec4 qs[64];   // rotated q
shared vec4 ks[64];   // rotated k at pos
shared float sc[CHUNK];
shared float red[256];
shared vec4 part[256];

float ReduceMax(float v) {
  const uint t = gl_LocalInvocationID.x;
  red[t] = v;
  barrier();
  for (uint s = 128; s > 0; s >>= 1) {
    if (t < s) red[t] = max(red[t], red[t + s]);
    barrier();
  }
  const float r = red[0];
  barrier();
  return r;
}

float ReduceSum(float v) {
  const uint t = gl_LocalInvocationID.x;
  red[t] = v;
  barrier();
  for (uint s = 128; s > 0; s >>= 1) {
    if (t < s) red[t] += red[t + s];
    barrier();
  }
  const float r = red[0];
  barrier();
  return r;
}

void main() {
  const uint h = gl_WorkGroupID.x, sp = gl_WorkGroupID.y;
  const uint t = gl_LocalInvocationID.x;
  const uint hd = p.head_dim, hd4 = hd / 4;
  const uint group = p.n_head / p.n_head_kv;
  const uint kv_head = h / group;
  const uint kv_dim = p.n_head_kv * hd;
  const uint q_dim = p.n_head * hd;
  const uint kq = q_dim + kv_head * hd;           // this KV head's k in qkv
  const uint vq = q_dim + kv_dim + kv_head * hd;  // and its v
  const uint head_off = kv_head * hd;             // of this KV head within a cache row
  const bool writer = h % group == 0 && sp == 0;

  // 1. RoPE.
  if (t < hd / 2) {
    const uint half_rot = p.n_rot / 2;
    uint a, b;
    if (t >= half_rot) {  // pass-through dims
      a = p.neox != 0 ? p.n_rot + 2 * (t - half_rot) : 2 * t;
      b = a + 1;
    } else {
      a = p.neox != 0 ? t : 2 * t;
      b = p.neox != 0 ? t + half_rot : 2 * t + 1;
    }
    float c = 1.0, s = 0.0;
    if (t < half_rot) {
      const float theta = float(p.pos) * inv_freq[t];
      c = cos(theta);
      s = sin(theta);
    }
    const float q0 = qkv[h * hd + a], q1 = qkv[h * hd + b];
    qs[a >> 2][a & 3u] = q0 * c - q1 * s;
    qs[b >> 2][b & 3u] = q0 * s + q1 * c;
    const float k0 = qkv[kq + a], k1 = qkv[kq + b];
    const float y0 = k0 * c - k1 * s, y1 = k0 * s + k1 * c;
    ks[a >> 2][a & 3u] = y0;
    ks[b >> 2][b & 3u] = y1;
    if (writer) {
      const uint kb = p.pos * kv_dim + head_off;
      k4[(kb + a) >> 2][(kb + a) & 3u] = y0;
      k4[(kb + b) >> 2][(kb + b) & 3u] = y1;
    }
  }
  if (writer && t < hd4) {
    v4[(p.pos * kv_dim + head_off) / 4 + t] =
        vec4(qkv[vq + 4 * t], qkv[vq + 4 * t + 1], qkv[vq + 4 * t + 2], qkv[vq + 4 * t + 3]);
  }
  barrier();

  // 2. Chunks of positions, online softmax.
  const uint n_pos = p.pos + 1;
  const uint span = (n_pos + p.n_split - 1) / p.n_split;
  const uint begin = min(sp * span, n_pos), end = min(begin + span, n_pos);
  const uint slices = 256 / hd4;
  const uint i4 = t % hd4, slice = t / hd4;
  // This position's v (in the cache only after this dispatch).
  const vec4 v_new = vec4(qkv[vq + 4 * i4], qkv[vq + 4 * i4 + 1], qkv[vq + 4 * i4 + 2],
                          qkv[vq + 4 * i4 + 3]);
  float m = -3.0e38;   // running max (the same in every thread)
  float lsum = 0.0;    // this thread's share of the running sum of exp(score - m)
  vec4 acc = vec4(0.0);  // thread (slice, i4): its positions' sum of p * v[4 i4 .. 4 i4 + 3]
  for (uint c0 = begin; c0 < end; c0 += CHUNK) {
    const uint n = min(uint(CHUNK), end - c0);
    float cmax = -3.0e38;
    for (uint j = t; j < n; j += 256) {
      const uint s = c0 + j;
      vec4 d = vec4(0.0);
      if (s == p.pos) {
        for (uint k = 0; k < hd4; ++k) d += qs[k] * ks[k];
      } else {
        const uint kb = (s * kv_dim + head_off) >> 2;
        for (uint k = 0; k < hd4; ++k) d += qs[k] * k4[kb + k];
      }
      const float score = ((d.x + d.y) + (d.z + d.w)) * p.scale;
      sc[j] = score;
      cmax = max(cmax, score);
    }
    const float m_new = max(m, ReduceMax(cmax));  // the reduction's barriers publish sc[]
    const float corr = exp(m - m_new);
    lsum *= corr;
    for (uint j = t; j < n; j += 256) {
      const float e = exp(sc[j] - m_new);
      sc[j] = e;
      lsum += e;
    }
    barrier();
    acc *= corr;
    if (slice < slices) {
      const uint vb = head_off / 4 + i4, row4 = kv_dim / 4;
      vec4 a0 = vec4(0.0), a1 = vec4(0.0), a2 = vec4(0.0), a3 = vec4(0.0);
      uint j = slice;
      // Four positions per iteration: their loads are in flight together.
      for (; j + 3 * slices < n; j += 4 * slices) {
        const uint s0 = c0 + j;
        const vec4 v0 = v4[s0 * row4 + vb], v1 = v4[(s0 + slices) * row4 + vb],
                   v2 = v4[(s0 + 2 * slices) * row4 + vb], v3 = v4[(s0 + 3 * slices) * row4 + vb];
        a0 += sc[j] * (s0 == p.pos ? v_new : v0);
        a1 += sc[j + slices] * (s0 + slices == p.pos ? v_new : v1);
        a2 += sc[j + 2 * slices] * (s0 + 2 * slices == p.pos ? v_new : v2);
        a3 += sc[j + 3 * slices] * (s0 + 3 * slices == p.pos ? v_new : v3);
      }
      for (; j < n; j += slices) {
        const uint s0 = c0 + j;
        a0 += sc[j] * (s0 == p.pos ? v_new : v4[s0 * row4 + vb]);
      }
      acc += (a0 + a1) + (a2 + a3);
    }
    m = m_new;
    barrier();  // everyone is done with sc[] before the next chunk overwrites it
  }
  const float l = ReduceSum(lsum);

  // 3. Sum the slices.
  part[t] = acc;
  barrier();
  if (t < hd4) {
    vec4 sum = vec4(0.0);
    for (uint sl = 0; sl < slices; ++sl) sum += part[sl * hd4 + t];
    if (p.n_split == 1) sum *= 1.0 / l;
    const uint o = (sp * p.n_head + h) * hd + 4 * t;
    for (uint k = 0; k < 4; ++k) out_x[o + k] = sum[k];
  }
  if (p.n_split > 1 && t == 0) ml[sp * p.n_head + h] = vec2(m, l);
}
