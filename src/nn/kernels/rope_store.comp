#version 450
// After the fused QKV product: rotates the query heads in place in `qkv`, and writes this
// position's keys (rotated) and values into the KV cache. Pair i of a head turns by
// pos * inv_freq[i] for i < n_rot / 2; GGML's layouts: normal rotates (x[2i], x[2i+1]) (arch
// llama), NeoX rotates (x[i], x[i + n_rot/2]); dims past n_rot pass through.
//
// One invocation per (head, pair) for the n_head + n_head_kv query and key heads, then one per
// value element.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Qkv { float qkv[]; };  // [q | k | v] of this token
layout(std430, binding = 1) writeonly buffer KCache { float k_cache[]; };
layout(std430, binding = 2) writeonly buffer VCache { float v_cache[]; };
layout(std430, binding = 3) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_rot;
  uint pos;
  uint cache_offset;  // element offset of this position in the caches: pos * kv_dim
  uint neox;
} p;

void main() {
  const uint id = gl_GlobalInvocationID.x;
  const uint half_dim = p.head_dim / 2;
  const uint pairs = (p.n_head + p.n_head_kv) * half_dim;
  const uint kv_dim = p.n_head_kv * p.head_dim;
  const uint q_dim = p.n_head * p.head_dim;
  if (id >= pairs) {
    const uint i = id - pairs;  // a value element
    if (i < kv_dim) v_cache[p.cache_offset + i] = qkv[q_dim + kv_dim + i];
    return;
  }
  const uint head = id / half_dim;
  const uint i = id % half_dim;
  const uint half_rot = p.n_rot / 2;
  uint a, b;
  if (i >= half_rot) {  // pass-through dims
    a = p.neox != 0 ? p.n_rot + 2 * (i - half_rot) : 2 * i;
    b = a + 1;
  } else {
    a = p.neox != 0 ? i : 2 * i;
    b = p.neox != 0 ? i + half_rot : 2 * i + 1;
  }
  const uint base = head * p.head_dim;  // q heads then k heads, contiguous in qkv
  const float x0 = qkv[base + a], x1 = qkv[base + b];
  float y0 = x0, y1 = x1;
  if (i < half_rot) {
    const float theta = float(p.pos) * inv_freq[i];
    const float c = cos(theta), s = sin(theta);
    y0 = x0 * c - x1 * s;
    y1 = x0 * s + x1 * c;
  }
  if (head < p.n_head) {
    qkv[base + a] = y0;
    qkv[base + b] = y1;
  } else {
    const uint k = p.cache_offset + (head - p.n_head) * p.head_dim;
    k_cache[k + a] = y0;
    k_cache[k + b] = y1;
  }
}
