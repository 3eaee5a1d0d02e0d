// Decode attention for one new token with RoPE and the KV-cache store folded in: one dispatch per
// layer. attention_decode.comp (shared-memory reductions), attention_decode_sg.comp (subgroup
// shuffles) and attention_decode_cpu.comp (64 threads, for CPU adapters) include this file.
//
// Workgroup (h, sp) takes query head h (GQA: KV head h / (n_head / n_head_kv)) over the positions
// [sp L, min((sp + 1) L, pos + 1)) with L = ceil((pos + 1) / n_split). The decode step is bound by
// latency, not bandwidth (a layer's whole KV cache is ~1 MB at 600 positions), so the kernel is
// laid out to have as few dependent memory round trips and barriers as possible:
// - Threads form slices of head_dim / 4 threads; thread (slice, i) owns dims 4i .. 4i + 3. A pass
//   gives slice s the positions base + u SLICES + s, u < UNROLL: its threads load the k and v
//   vec4s of all UNROLL positions at once (neighbouring threads read neighbouring vec4s of a
//   cache row), the first pass's before RoPE, so one memory latency serves up to
//   SLICES x UNROLL positions (128 at head_dim 64); a pass's loads go out before the previous
//   pass's arithmetic.
// - RoPE needs no shared memory: each thread rotates its own 4 dims of q and of this position's k
//   (normal pairs (2j, 2j + 1) or NeoX pairs (j, j + n_rot / 2); dims past n_rot pass through),
//   reading the partner dims from qkv itself.
// - A score is the sum of a slice's partial dots: through subgroup shuffles (USE_SUBGROUPS, when
//   head_dim / 4 is a power of two no larger than the subgroup), which leaves it in every thread
//   of the slice, else through shared memory (two barriers per pass).
// - Each slice keeps its own online softmax (running max m, sum l, o = sum exp(score - m) v), so
//   no workgroup-wide max is needed per pass; the slices' (m, l, o) meet once at the end, in
//   shared memory, rescaled to their common max.
// Position `pos` is never read back from the caches in this dispatch (other workgroups of the
// group write it concurrently): its k and v come from qkv. Only workgroup sp = 0 of the first
// query head of each KV group stores them at pos.
//
// Output: the normalized attention of head h in out[0][h]. n_split > 1 (flash-decoding): each
// workgroup writes out[sp][h] = o_sp = sum exp(score - m_sp) v unnormalized and ml[sp][h] =
// (m_sp, l_sp) (a workgroup over no positions m = -3e38, l = 0, o = 0), and counts its arrival
// in arrivals[h]; the head's last workgroup combines them, sum_sp exp(m_sp - M) o_sp /
// sum_sp exp(m_sp - M) l_sp with M = max_sp m_sp, into out[0][h] and zeroes arrivals[h]. (On the
// H100 the wo product combining them as it loaded x, every one of its workgroups again, took
// ~3 us a layer more at 4 partials.)
// Needs head_dim a multiple of 4 and at most 4 THREADS.
#extension GL_EXT_control_flow_attributes : require
#if defined(USE_SUBGROUPS)
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
#ifndef THREADS
#define THREADS 256  // attention_decode_cpu.comp: 64
#endif
#define UNROLL 8
layout(local_size_x = THREADS) in;

layout(std430, binding = 0) readonly buffer Qkv { float qkv[]; };  // [q | k | v] of this token
layout(std430, binding = 1) buffer KCache { vec4 k4[]; };          // [max_seq][kv_dim]
layout(std430, binding = 2) buffer VCache { vec4 v4[]; };          // [max_seq][kv_dim]
layout(std430, binding = 3) readonly buffer InvFreq { float inv_freq[]; };  // [n_rot / 2]
// Coherent: a head's last workgroup reads the other workgroups' partials.
layout(std430, binding = 4) coherent buffer Out { vec4 out4[]; };  // [n_split][q_dim]
layout(std430, binding = 5) coherent buffer Ml { vec2 ml[]; };  // [n_split][n_head] (max, sum)
layout(std430, binding = 6) buffer Arrivals { uint arrivals[]; };  // [n_head], 0 between dispatches

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

shared float pd[UNROLL * THREADS];      // shared-memory path: partial dots of a pass
shared float scores[UNROLL * THREADS];  // and its scores, [u][slice]
shared vec4 part_o[THREADS];        // the slices' o at the end
shared vec2 part_ml[THREADS];       // and their (m, l), one per slice
shared bool last_arrival;           // split: this workgroup finished its head last

// The cached k and v vec4 of this thread for the UNROLL positions of the pass at `base`. Loads
// are unconditional, their rows clamped to pos - 1 (written by earlier steps, and not by this
// dispatch): positions past `end` or at pos are masked where the values are used. On the H100 a
// load under a condition (`c ? k4[i] : vec4(0.0)`) waited for the one before it: with the loads of
// a pass one after another, a pass over cold caches took ~7 us.
void LoadPass(uint base, uint slices, uint slice, uint row4, uint col4, out vec4 kr[UNROLL],
              out vec4 vr[UNROLL]) {
  [[unroll]] for (uint u = 0; u < UNROLL; ++u) {
    const uint row = min(base + u * slices + slice, p.pos - 1);
    kr[u] = k4[row * row4 + col4];
    vr[u] = v4[row * row4 + col4];
  }
}

void main() {
  const uint h = gl_WorkGroupID.x, sp = gl_WorkGroupID.y;
#if defined(USE_SUBGROUPS)
  // Slices must be runs of consecutive lanes of one subgroup, whatever the invocation mapping.
  const uint t = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
  const bool shuffles = (p.head_dim / 4 & (p.head_dim / 4 - 1)) == 0 &&
                        p.head_dim / 4 <= gl_SubgroupSize;
#else
  const uint t = gl_LocalInvocationIndex;
  const bool shuffles = false;
#endif
  const uint hd = p.head_dim, hd4 = hd / 4;
  const uint kv_head = h / (p.n_head / p.n_head_kv);
  const uint kv_dim = p.n_head_kv * hd, q_dim = p.n_head * hd;
  const uint slices = THREADS / hd4;  // threads past slices * hd4 only meet the barriers
  const uint slice = t / hd4, i4 = t % hd4;
  const bool in_slice = slice < slices;
  const uint row4 = kv_dim / 4, col4 = kv_head * hd4 + i4;  // vec4 i4 of this KV head in a row
  const uint n_pos = p.pos + 1;
  const uint span = (n_pos + p.n_split - 1) / p.n_split;
  const uint begin = min(sp * span, n_pos), end = min(begin + span, n_pos);
  const uint per_pass = slices * UNROLL;

  // The first pass's k and v, before anything else: their latency hides RoPE's. (At pos 0 the
  // cache holds nothing yet, and position 0 comes from qkv.)
  vec4 kr[UNROLL], vr[UNROLL];
  if (p.pos > 0) {
    LoadPass(begin, slices, slice, row4, col4, kr, vr);
  } else {  // masked, but 0 x v must not meet a NaN
    [[unroll]] for (uint u = 0; u < UNROLL; ++u) kr[u] = vr[u] = vec4(0.0);
  }

  // RoPE of this thread's dims of q and of this position's k (normal pairs (2j, 2j + 1), NeoX
  // pairs (j, j + n_rot / 2): a' = a cos - b sin, b' = a sin + b cos; dims past n_rot pass
  // through); v at pos as it is. Every load first, none under a condition (see LoadPass).
  const uint qb = h * hd, kb = q_dim + kv_head * hd, vb = q_dim + kv_dim + kv_head * hd;
  const uint half_rot = p.n_rot / 2;
  vec4 q, k_new, v_new, q_pair, k_pair, freq, sign;
  [[unroll]] for (uint c = 0; c < 4; ++c) {
    const uint d = 4 * i4 + c;
    const bool first = p.neox != 0 ? d < half_rot : (d & 1u) == 0;
    const uint partner = d >= p.n_rot ? d : p.neox != 0 ? (first ? d + half_rot : d - half_rot)
                                                        : d ^ 1u;
    const uint j = p.neox != 0 ? (first ? d : d - half_rot) : d >> 1;
    q[c] = qkv[qb + d];
    k_new[c] = qkv[kb + d];
    v_new[c] = qkv[vb + d];
    q_pair[c] = qkv[qb + partner];
    k_pair[c] = qkv[kb + partner];
    freq[c] = inv_freq[min(j, max(half_rot, 1u) - 1)];
    sign[c] = d >= p.n_rot ? 0.0 : first ? -1.0 : 1.0;
  }
  const vec4 theta = float(p.pos) * freq;
  const vec4 cs = mix(vec4(1.0), cos(theta), notEqual(sign, vec4(0.0)));
  const vec4 sn = sign * sin(theta);
  q = q * cs + q_pair * sn;
  k_new = k_new * cs + k_pair * sn;
  q *= p.scale;

  float m = -3.0e38, l = 0.0;  // this slice's running max and sum of exp(score - m)
  vec4 o = vec4(0.0);          // and sum of exp(score - m) v, dims 4 i4 .. 4 i4 + 3
  for (uint base = begin; base < end; base += per_pass) {
    // The next pass's loads go out before this pass's arithmetic (which then hides their latency).
    vec4 kn[UNROLL], vn[UNROLL];
    if (base + per_pass < end) LoadPass(base + per_pass, slices, slice, row4, col4, kn, vn);
    float sc[UNROLL];
    [[unroll]] for (uint u = 0; u < UNROLL; ++u) {
      sc[u] = dot(q, base + u * slices + slice == p.pos ? k_new : kr[u]);
    }
#if defined(USE_SUBGROUPS)
    if (shuffles) {
      // xor butterfly: every lane of the slice ends with the same sum, bit for bit
      for (uint x = 1; x < hd4; x <<= 1) {
        [[unroll]] for (uint u = 0; u < UNROLL; ++u) sc[u] += subgroupShuffleXor(sc[u], x);
      }
    } else
#endif
    {
      // Each score summed by one thread (not by all the slice's: on lavapipe, where this path
      // runs, 8 x head_dim / 4 shared loads per thread took 3x the whole old kernel's time).
      [[unroll]] for (uint u = 0; u < UNROLL; ++u) pd[u * THREADS + t] = sc[u];
      barrier();
      for (uint i = t; i < UNROLL * slices; i += THREADS) {
        const uint first = i / slices * THREADS + i % slices * hd4;
        float s = 0.0;
        for (uint j = 0; j < hd4; ++j) s += pd[first + j];
        scores[i] = s;
      }
      barrier();  // the next pass rewrites pd only after its first barrier, scores after its second
      if (in_slice) {
        [[unroll]] for (uint u = 0; u < UNROLL; ++u) sc[u] = scores[u * slices + slice];
      }
    }
    float pass_max = -3.0e38;
    [[unroll]] for (uint u = 0; u < UNROLL; ++u) {
      if (in_slice && base + u * slices + slice < end) pass_max = max(pass_max, sc[u]);
    }
    if (pass_max > -3.0e38) {  // this slice has positions in this pass
      const float m_new = max(m, pass_max);
      const float corr = exp(m - m_new);
      l *= corr;
      o *= corr;
      [[unroll]] for (uint u = 0; u < UNROLL; ++u) {
        const uint s = base + u * slices + slice;
        const float e = s < end ? exp(sc[u] - m_new) : 0.0;
        l += e;
        o += e * (s == p.pos ? v_new : vr[u]);
      }
      m = m_new;
    }
    kr = kn;
    vr = vn;
  }

  if (h % (p.n_head / p.n_head_kv) == 0 && sp == 0 && slice == 0) {
    k4[p.pos * row4 + col4] = k_new;
    v4[p.pos * row4 + col4] = v_new;
  }

  // The slices' partial softmaxes, rescaled to their common max.
  if (in_slice) {
    part_o[t] = o;
    if (i4 == 0) part_ml[slice] = vec2(m, l);
  }
  barrier();
  if (t < hd4) {
    float mx = -3.0e38;
    for (uint s = 0; s < slices; ++s) mx = max(mx, part_ml[s].x);
    float sum = 0.0;
    vec4 acc = vec4(0.0);
    for (uint s = 0; s < slices; ++s) {
      const float w = exp(part_ml[s].x - mx);  // 0 for a slice without positions
      sum += w * part_ml[s].y;
      acc += w * part_o[s * hd4 + t];
    }
    if (p.n_split == 1) acc *= 1.0 / sum;
    out4[(sp * p.n_head + h) * hd4 + t] = acc;
    if (p.n_split > 1 && t == 0) ml[sp * p.n_head + h] = vec2(mx, sum);
  }
  if (p.n_split == 1) return;

  // Split: the head's last workgroup to finish combines the partials into out[0][h]. Each
  // thread's partial is visible device-wide (memoryBarrierBuffer) before the workgroup counts
  // its arrival, and the last one reads them after it (the CUDA threadFenceReduction pattern).
  memoryBarrierBuffer();
  barrier();
  if (t == 0) last_arrival = atomicAdd(arrivals[h], 1u) == p.n_split - 1;
  barrier();
  if (!last_arrival) return;
  memoryBarrierBuffer();
  if (t < hd4) {
    float mx = -3.0e38;
    for (uint s = 0; s < p.n_split; ++s) mx = max(mx, ml[s * p.n_head + h].x);
    float sum = 0.0;
    vec4 acc = vec4(0.0);
    for (uint s = 0; s < p.n_split; ++s) {
      const vec2 a = ml[s * p.n_head + h];
      const float w = exp(a.x - mx);  // 0 for a partial over no positions
      sum += w * a.y;
      acc += w * out4[(s * p.n_head + h) * hd4 + t];
    }
    out4[h * hd4 + t] = acc * (1.0 / sum);
  }
  if (t == 0) arrivals[h] = 0;  // for the next dispatch
}
