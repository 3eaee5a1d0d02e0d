// The matvec kernels' COMBINE input (matvec.glsl, matvec_wide.glsl): x read as the combination of
// attention_decode's n_split partials of each head, x = sum_s exp(m_s - M) o_s / sum_s exp(m_s -
// M) l_s with M = max_s m_s, where partial s of head hh is o_s = x[s][hh], (m_s, l_s) =
// ml[s][hh]. A partial over no positions has m_s = -3e38, l_s = 0 and weighs exp(-3e38 - M) = 0.
// The caller defines X_TYPE (float or vec4), X_AT(i) (element or vec4 i of the [n_split][n_in]
// partials) and X_PER (elements per X_TYPE); a vec4 never straddles two heads (head_dim % 4 == 0).
X_TYPE CombinedX(uint i) {
  const uint n_head = p.n_in / p.head_dim, per = p.n_in / X_PER;
  const uint hh = i * X_PER / p.head_dim;
  float mx = -3.0e38;
  for (uint s = 0; s < p.n_split; ++s) mx = max(mx, ml[s * n_head + hh].x);
  float l = 0.0;
  X_TYPE o = X_TYPE(0.0);
  for (uint s = 0; s < p.n_split; ++s) {
    const vec2 a = ml[s * n_head + hh];
    const float w = exp(a.x - mx);
    l += w * a.y;
    o += w * X_AT(s * per + i);
  }
  return o / l;
}
