#version 450
// rope_store.comp for the T tokens of a prefill batch (token t at position pos0 + t): rotates the
// query heads in place in QKV [T][q | k | v], writes the rotated keys and the values into the KV
// cache. Grid: (ceil(per-token invocations / 64), T); per token one invocation per (head, pair)
// of the n_head + n_head_kv query and key heads, then one per value element.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Qkv { float qkv[]; };
layout(std430, binding = 1) writeonly buffer KCache { float k_cache[]; };
layout(std430, binding = 2) writeonly buffer VCache { float v_cache[]; };
layout(std430, binding = 3) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_rot;
  uint pos0;  // position of the batch's first token
  uint neox;
} p;

void main() {
  const uint id = gl_GlobalInvocationID.x;
  const uint tok = gl_WorkGroupID.y;
  const uint pos = p.pos0 + tok;
  const uint half_dim = p.head_dim / 2;
  const uint pairs = (p.n_head + p.n_head_kv) * half_dim;
  const uint kv_dim = p.n_head_kv * p.head_dim;
  const uint q_dim = p.n_head * p.head_dim;
  const uint row = tok * (q_dim + 2 * kv_dim);
  const uint cache = pos * kv_dim;
  if (id >= pairs) {
    const uint i = id - pairs;  // a value element
    if (i < kv_dim) v_cache[cache + i] = qkv[row + q_dim + kv_dim + i];
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
  const uint base = row + head * p.head_dim;  // q heads then k heads, contiguous in the row
  const float x0 = qkv[base + a], x1 = qkv[base + b];
  float y0 = x0, y1 = x1;
  if (i < half_rot) {
    const float theta = float(pos) * inv_freq[i];
    const float c = cos(theta), s = sin(theta);
    y0 = x0 * c - x1 * s;
    y1 = x0 * s + x1 * c;
  }
  if (head < p.n_head) {
    qkv[base + a] = y0;
    qkv[base + b] = y1;
  } else {
    const uint k = cache + (head - p.n_head) * p.head_dim;
    k_cache[k + a] = y0;
    k_cache[k + b] = y1;
  }
}
