#version 450
// The greedy pick on the GPU (LlamaGpu::ForwardGreedy): the index of the largest of n logits,
// written where the next decode step's embedding reads its token id and into a host-visible slot.
// Picks what Sampler::Argmax picks: the lowest index among equal maxima, NaNs never chosen, and 0
// when logits[0] is NaN or every logit is NaN. One workgroup, shared memory only (no subgroups),
// so the same kernel runs on every adapter; the logits are n_vocab floats just written by the
// classifier (in the GPU's cache), so one workgroup reading them costs a few microseconds.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) buffer Token { uint token[]; };  // [0]: the next step's token id
layout(std430, binding = 2) buffer Picks { uint picks[]; };  // [slot]: read by the host

layout(push_constant) uniform Params {
  uint n;     // logits
  uint slot;  // which entry of picks (the step's position parity)
} p;

const uint kNone = 0xFFFFFFFFu;
shared float s_value[256];
shared uint s_index[256];

// (v, i) beats (bv, bi): larger, or equal with a lower index. False for a NaN v.
bool Better(float v, uint i, float bv, uint bi) { return v > bv || (v == bv && i < bi); }

void main() {
  const uint t = gl_LocalInvocationID.x;
  float best = uintBitsToFloat(0xFF800000u);  // -inf: any non-NaN logit ties or beats it
  uint best_i = kNone;
  // Eight independent loads per round keep several memory requests in flight per thread.
  uint i = t;
  for (; i + 7 * 256 < p.n; i += 8 * 256) {
    float v[8];
    for (uint k = 0; k < 8; ++k) v[k] = logits[i + k * 256];
    for (uint k = 0; k < 8; ++k) {
      if (Better(v[k], i + k * 256, best, best_i)) {
        best = v[k];
        best_i = i + k * 256;
      }
    }
  }
  for (; i < p.n; i += 256) {
    const float v = logits[i];
    if (Better(v, i, best, best_i)) {
      best = v;
      best_i = i;
    }
  }
  s_value[t] = best;
  s_index[t] = best_i;
  barrier();
  for (uint s = 128; s > 0; s >>= 1) {
    if (t < s && Better(s_value[t + s], s_index[t + s], s_value[t], s_index[t])) {
      s_value[t] = s_value[t + s];
      s_index[t] = s_index[t + s];
    }
    barrier();
  }
  if (t == 0) {
    const uint id = (s_index[0] == kNone || isnan(logits[0])) ? 0u : s_index[0];
    token[0] = id;
    picks[p.slot] = id;
  }
}
