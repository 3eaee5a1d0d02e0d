#version 450
// Decode attention for one new token: per query head (one workgroup), scores against the keys of
// positions 0..pos of its KV head (GQA: query head h reads KV head h / (n_head / n_head_kv)),
// softmax, and the weighted sum of the values. Scores go through `att` [n_head][max_seq].
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KCache { float k_cache[]; };
layout(std430, binding = 2) readonly buffer VCache { float v_cache[]; };
layout(std430, binding = 3) buffer Att { float att[]; };
layout(std430, binding = 4) writeonly buffer Out { float out_x[]; };

layout(push_constant) uniform Params {
  uint n_head;
  uint n_head_kv;
  uint head_dim;
  uint n_pos;         // pos + 1
  uint max_seq;
  uint layer_offset;  // element offset of this layer in the caches: layer * max_seq * kv_dim
  float scale;        // 1 / sqrt(head_dim)
} p;

shared float red[64];

float ReduceMax(float v) {
  const uint t = gl_LocalInvocationID.x;
  red[t] = v;
  barrier();
  for (uint s = 32; s > 0; s >>= 1) {
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
  for (uint s = 32; s > 0; s >>= 1) {
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
  const uint kv_dim = p.n_head_kv * p.head_dim;
  const uint kv_head = h / (p.n_head / p.n_head_kv);
  const uint qb = h * p.head_dim;
  const uint ab = h * p.max_seq;

  float local_max = -3.0e38;
  for (uint s = t; s < p.n_pos; s += 64) {
    const uint kb = p.layer_offset + s * kv_dim + kv_head * p.head_dim;
    float dot = 0.0;
    for (uint i = 0; i < p.head_dim; ++i) dot += q[qb + i] * k_cache[kb + i];
    dot *= p.scale;
    att[ab + s] = dot;
    local_max = max(local_max, dot);
  }
  const float m = ReduceMax(local_max);
  float local_sum = 0.0;
  for (uint s = t; s < p.n_pos; s += 64) {
    const float e = exp(att[ab + s] - m);
    att[ab + s] = e;
    local_sum += e;
  }
  const float inv = 1.0 / ReduceSum(local_sum);
  memoryBarrierBuffer();  // publish this thread's att[] to the others before they read it
  barrier();
  for (uint i = t; i < p.head_dim; i += 64) {
    float acc = 0.0;
    for (uint s = 0; s < p.n_pos; ++s) {
      acc += att[ab + s] * v_cache[p.layer_offset + s * kv_dim + kv_head * p.head_dim + i];
    }
    out_x[qb + i] = acc * inv;
  }
}
