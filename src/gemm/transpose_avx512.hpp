// src/gemm/transpose_avx512.hpp — internal: a 16 x 16 float transpose in
// AVX-512 registers, shared by the packing of the AVX-512 micro-kernel and
// the small path's copy of a transposed B. Included only by files compiled
// with the AVX-512 flags (their names contain "avx512"), so every copy of
// these inline functions is AVX-512 code.
#pragma once

#include <immintrin.h>

#include "gemm/problem.hpp"

namespace gemmlab::detail {

// The first `count` lanes of a 16-lane mask (16 or more: all of them).
inline __mmask16 first_lanes(index count) {
  return count >= 16 ? __mmask16(0xFFFF) : count <= 0 ? __mmask16(0) : static_cast<__mmask16>((1u << count) - 1u);
}

// Transposes the 16 x 16 block held in r (r[i] = row i) in place, so that
// r[j] holds column j. Four rounds of shuffles, each interleaving larger
// pieces than the one before (single floats, pairs, then 4-float quads):
//   1. unpack{lo,hi}_ps of rows 2q, 2q+1: pairs of floats from two rows;
//   2. unpack{lo,hi}_pd: quads from four rows, so that r[4q + c] holds, in
//      its 128-bit lane L, column 4L + c of rows 4q..4q+3;
//   3-4. shuffle_f32x4 moves those 4-float quads between the 128-bit lanes
//      until each vector holds one whole column.
// 64 shuffles for 256 floats.
//
// The pragma: GCC 12's headers implement these intrinsics with an
// "undefined" vector that initialises itself (`__m512 __Y = __Y;`), which
// -Wmaybe-uninitialized then reports in the caller (other projects report
// the same, e.g. google/highway #710). Nothing here is uninitialised.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
[[gnu::always_inline]] inline void transpose_16x16(__m512 (&r)[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {  // round 1
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {  // round 2
    const __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
    const __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  // Round 3: imm 0x88 takes 128-bit lanes 0 and 2 of each source, 0xDD lanes 1 and 3.
  for (int half = 0; half < 16; half += 8)
    for (int c = 0; c < 4; ++c) {
      t[half + c] = _mm512_shuffle_f32x4(r[half + c], r[half + 4 + c], 0x88);
      t[half + 4 + c] = _mm512_shuffle_f32x4(r[half + c], r[half + 4 + c], 0xDD);
    }
  for (int c = 0; c < 4; ++c) {  // round 4
    r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xDD);
  }
}

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop
#endif

}  // namespace gemmlab::detail
