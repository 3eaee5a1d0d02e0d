#version 450
// Decode attention for one new token with RoPE and the KV-cache store folded in (one dispatch per
// layer instead of rope_store + attention). One workgroup per query head h (GQA: KV head
// h / (n_head / n_head_kv)):
//   1. rotates its q head and this position's k head into shared memory (RoPE as in
//      rope_store.comp: normal or NeoX pairs, dims past n_rot pass through); the first query head
//      of each KV group also writes k (rotated) and v at `pos` into the caches;
//   2. scores q.k * scale for positions 0..pos, softmax;
//   3. out = sum_s p_s v_s, positions split over slices of threads, summed in shared memory.
// Position `pos` is never read back from the caches in this dispatch (its k comes from shared
// memory, its v from qkv): other workgroups of the group write it concurrently.
// Needs head_dim <= 256 and even.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Qkv { float qkv[]; };  // [q | k | v] of this token
layout(std430, binding = 1) buffer KCache { float k_cache[]; };    // [max_seq][kv_dim]
layout(std430, binding = 2) buffer VCache { float v_cache[]; };
layout(std430, binding = 3) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]
layout(std430, binding = 4) coherent buffer Att { float att[]; };  // [n_head][max_seq] scratch
layout(std430, binding = 5) writeonly buffer Out { float out_x[]; };  // [n_head * head_dim]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_rot;
  uint pos;      // this token's position; positions 0..pos are attended
  uint max_seq;
  uint neox;
  float scale;   // 1 / sqrt(head_dim)
} p;

shared float qs[256];
shared float ks[256];
shared float red[256];

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
  const uint h = gl_WorkGroupID.x;
  const uint t = gl_LocalInvocationID.x;
  const uint hd = p.head_dim;
  const uint group = p.n_head / p.n_head_kv;
  const uint kv_head = h / group;
  const uint kv_dim = p.n_head_kv * hd;
  const uint q_dim = p.n_head * hd;
  const uint kq = q_dim + kv_head * hd;           // this KV head's k in qkv
  const uint vq = q_dim + kv_dim + kv_head * hd;  // and its v
  const uint cache_pos = p.pos * kv_dim + kv_head * hd;
  const bool writer = h % group == 0;

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
    qs[a] = q0 * c - q1 * s;
    qs[b] = q0 * s + q1 * c;
    const float k0 = qkv[kq + a], k1 = qkv[kq + b];
    const float y0 = k0 * c - k1 * s, y1 = k0 * s + k1 * c;
    ks[a] = y0;
    ks[b] = y1;
    if (writer) {
      k_cache[cache_pos + a] = y0;
      k_cache[cache_pos + b] = y1;
    }
  }
  if (writer && t < hd) v_cache[cache_pos + t] = qkv[vq + t];
  barrier();

  // 2. Scores and softmax.
  const uint n_pos = p.pos + 1;
  const uint ab = h * p.max_seq;
  float local_max = -3.0e38;
  for (uint s = t; s < n_pos; s += 256) {
    float dot = 0.0;
    if (s == p.pos) {
      for (uint i = 0; i < hd; ++i) dot += qs[i] * ks[i];
    } else {
      const uint kb = s * kv_dim + kv_head * hd;
      for (uint i = 0; i < hd; ++i) dot += qs[i] * k_cache[kb + i];
    }
    dot *= p.scale;
    att[ab + s] = dot;
    local_max = max(local_max, dot);
  }
  const float m = ReduceMax(local_max);
  float local_sum = 0.0;
  for (uint s = t; s < n_pos; s += 256) {
    const float e = exp(att[ab + s] - m);
    att[ab + s] = e;
    local_sum += e;
  }
  const float inv = 1.0 / ReduceSum(local_sum);
  memoryBarrierBuffer();  // publish this thread's att[] to the others before they read it
  barrier();

  // 3. Weighted sum of the values: thread (slice, i) sums positions slice, slice + slices, ...
  const uint slices = 256 / hd;
  const uint i = t % hd, slice = t / hd;
  float acc = 0.0;
  if (slice < slices) {
    for (uint s = slice; s < n_pos; s += slices) {
      const float v = s == p.pos ? qkv[vq + i] : v_cache[s * kv_dim + kv_head * hd + i];
      acc += att[ab + s] * v;
    }
  }
  red[t] = acc;
  barrier();
  if (t < hd) {
    float sum = 0.0;
    for (uint sl = 0; sl < slices; ++sl) sum += red[sl * hd + t];
    out_x[h * hd + t] = sum * inv;
  }
}
