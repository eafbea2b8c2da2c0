// src/core/bf16_round_avx512.hpp — internal: 16 floats to 16 bf16 in
// AVX-512 registers, exactly as the scalar round_to_bf16 (bf16_round.hpp).
// Included only by files compiled with the AVX-512 flags (their names
// contain "avx512"), so every copy of this inline function is AVX-512 code.
//
// The scalar rounding, lane for lane, in 32-bit integer arithmetic: add
// 0x7FFF plus the last kept bit, keep the upper 16 bits, and in NaN lanes
// keep the upper 16 bits with the quiet bit set instead.
#pragma once

#include <immintrin.h>

namespace gemmlab::detail {

// 16 float bit patterns to 16 bf16.
// The shifts and the narrowing move use their masked forms with every lane
// selected: GCC 12's plain forms pass an undefined vector to the builtin,
// which -Wmaybe-uninitialized may report (a false positive).
[[gnu::always_inline]] inline __m256i narrow16(__m512i u) {
  constexpr __mmask16 all_lanes = 0xFFFF;
  const __m512i lsb = _mm512_and_si512(_mm512_maskz_srli_epi32(all_lanes, u, 16), _mm512_set1_epi32(1));
  const __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb);
  const __m512i magnitude = _mm512_and_si512(u, _mm512_set1_epi32(0x7FFF'FFFF));
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(magnitude, _mm512_set1_epi32(0x7F80'0000));
  const __m512i quiet = _mm512_or_si512(u, _mm512_set1_epi32(0x0040'0000));
  const __m512i result = _mm512_mask_mov_epi32(rounded, nan, quiet);
  return _mm512_maskz_cvtepi32_epi16(all_lanes, _mm512_maskz_srli_epi32(all_lanes, result, 16));
}

}  // namespace gemmlab::detail
