// src/rnn/tanh_avx512.hpp — internal: tanh and relu on one AVX-512 register,
// shared by the bias + activation passes (activation_avx512.cpp) and the
// small path's fused write-back (src/gemm/small_avx512.cpp), so that both
// compute the same bits. Included only by files compiled with the AVX-512
// flags (their names contain "avx512"), so every copy of these inline
// functions is AVX-512 code.
//
// The same formula as tanh_rational (tanh_formula.hpp), operation for
// operation except the division (a reciprocal estimate and a Newton step,
// see tanh16).
#pragma once

#include <immintrin.h>

#include "rnn/tanh_formula.hpp"

namespace gemmlab::detail {

// min, max and rcp14 through their masked forms with every lane selected:
// GCC 12's plain _mm512_min_ps/_mm512_max_ps/_mm512_rcp14_ps pass
// _mm512_undefined_ps() to the builtin, which -Wmaybe-uninitialized reports
// at -O3 (a false positive).
inline constexpr __mmask16 all_lanes16 = 0xFFFF;
inline __m512 min16(__m512 a, __m512 b) { return _mm512_mask_min_ps(b, all_lanes16, a, b); }
inline __m512 max16(__m512 a, __m512 b) { return _mm512_mask_max_ps(b, all_lanes16, a, b); }
inline __m512 rcp14_16(__m512 a) { return _mm512_mask_rcp14_ps(a, all_lanes16, a); }

// tanh_rational on 16 floats. min16(a, b) (vminps) returns b when either is
// NaN, so min16(limit, v) keeps a NaN v, as `limit < v ? limit : v` does.
[[gnu::always_inline]] inline __m512 tanh16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 x_squared = _mm512_mul_ps(x, x);
  const __m512 s = min16(_mm512_set1_ps(tanh_clamp * tanh_clamp), x_squared);
  // Estrin's scheme, term for term as in tanh_rational.
  const __m512 s2 = _mm512_mul_ps(s, s);
  const __m512 s4 = _mm512_mul_ps(s2, s2);
  const __m512 p_low = _mm512_fmadd_ps(_mm512_set1_ps(tanh_p1), s, one);
  const __m512 p_mid = _mm512_fmadd_ps(_mm512_set1_ps(tanh_p3), s, _mm512_set1_ps(tanh_p2));
  const __m512 p_high = _mm512_fmadd_ps(_mm512_set1_ps(tanh_p6), s2,
                                        _mm512_fmadd_ps(_mm512_set1_ps(tanh_p5), s, _mm512_set1_ps(tanh_p4)));
  const __m512 p = _mm512_fmadd_ps(s4, p_high, _mm512_fmadd_ps(s2, p_mid, p_low));
  const __m512 q = _mm512_fmadd_ps(s2, _mm512_fmadd_ps(_mm512_set1_ps(tanh_q3), s, _mm512_set1_ps(tanh_q2)),
                                   _mm512_fmadd_ps(_mm512_set1_ps(tanh_q1), s, one));
  // x p / q without vdivps (latency about 18 cycles here, at the end of the
  // chain): r0 = vrcp14ps(q) (relative error < 2^-14), refined by one Newton
  // step, r = r0 + r0 (1 - q r0), then y = (x p) r. q is ready before x p
  // (its Estrin chain is one level shorter), so the refinement runs while
  // x p is still being formed and the chain after x p is one multiply. For
  // tiny x, q = 1 = r, so tanh(x) = x still holds. r is finite and positive
  // for every x (q >= 1), so when x p overflows (x = +-inf, or |x| > ~1e37)
  // y is +-inf and the clamp below gives +-1; NaN passes (min16/max16).
  // Measured exhaustively (docs/numerics.md's sweep): see rnn.hpp's
  // tanh_max_abs_error for the figure, within the bound of 8u.
  const __m512 r0 = rcp14_16(q);
  const __m512 residual = _mm512_fnmadd_ps(q, r0, one);
  const __m512 r = _mm512_fmadd_ps(r0, residual, r0);
  const __m512 y = _mm512_mul_ps(_mm512_mul_ps(x, p), r);
  const __m512 y_below = min16(one, y);
  return max16(_mm512_set1_ps(-1.0f), y_below);
}

// relu on 16 floats: max(0, v) returns its second operand v when v is NaN or
// when both are zeros (so -0 stays -0), exactly as `v < 0 ? 0 : v` does.
[[gnu::always_inline]] inline __m512 relu16(__m512 v) { return max16(_mm512_setzero_ps(), v); }

}  // namespace gemmlab::detail
