#version 450
// Rotary position embedding, in place, on the query heads and on this position's key heads in
// the KV cache. Pair i of a head turns by pos * inv_freq[i]; GGML's layouts: normal rotates
// (x[2i], x[2i+1]) (arch llama), NeoX rotates (x[i], x[i + n_rot/2]).
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Q { float q[]; };
layout(std430, binding = 1) buffer KCache { float k_cache[]; };
layout(std430, binding = 2) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_rot;
  uint pos;
  uint k_offset;  // element offset of this position's keys in k_cache
  uint neox;
} p;

void Rotate(inout float a, inout float b, float c, float s) {
  const float x0 = a, x1 = b;
  a = x0 * c - x1 * s;
  b = x0 * s + x1 * c;
}

void main() {
  const uint half_rot = p.n_rot / 2;
  const uint id = gl_GlobalInvocationID.x;  // (head, pair), query heads then key heads
  const uint head = id / half_rot;
  const uint i = id % half_rot;
  if (head >= p.n_head + p.n_head_kv) return;
  const float theta = float(p.pos) * inv_freq[i];
  const float c = cos(theta), s = sin(theta);
  const uint a = p.neox != 0 ? i : 2 * i;
  const uint b = p.neox != 0 ? i + half_rot : 2 * i + 1;
  if (head < p.n_head) {
    const uint base = head * p.head_dim;
    Rotate(q[base + a], q[base + b], c, s);
  } else {
    const uint base = p.k_offset + (head - p.n_head) * p.head_dim;
    Rotate(k_cache[base + a], k_cache[base + b], c, s);
  }
}
