// The array conversions between float and bf16 for AVX-512 (16 values a
// step, then one masked step for the tail). Called only when the CPU reports
// AVX-512 F, VL, BW and DQ (bf16_convert.hpp).
//
// Narrowing is the scalar rounding of bf16.cpp, lane for lane, in 32-bit
// integer arithmetic: add 0x7FFF plus the last kept bit, keep the upper 16
// bits, and in NaN lanes keep the upper 16 bits with the quiet bit set
// instead. So every input gives exactly the scalar result.
//
// Why not vcvtneps2bf16, the one instruction that converts 16 floats to
// bf16: it belongs to AVX512-BF16, which the build flags of this file do not
// enable and isa_supported(Isa::avx512) does not check (Skylake-X and Ice Lake
// have F/VL/BW/DQ without it); and it treats subnormal inputs as zero whatever
// MXCSR says, so the 2^24 - 2 subnormal patterns would come out as signed zeros
// where the definition rounds them (0x007FFFFF to 0x0080, for one).
//
// Helpers live in an anonymous namespace (the ODR note of
// microkernel_portable.hpp), and nothing here uses bf16's inline operator==:
// only its layout (a 2-byte standard-layout struct holding the bit pattern),
// which the loads and stores below read and write as 16-bit integers.
#include <immintrin.h>

#include "core/bf16_convert.hpp"

namespace gemmlab::detail {
namespace {

constexpr __mmask16 all_lanes = 0xFFFF;

// The mask of the first `count` lanes, count < 16.
__mmask16 first_lanes(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

// 16 float bit patterns to 16 bf16.
// The shifts and the narrowing move use their masked forms with every lane
// selected: GCC 12's plain forms pass an undefined vector to the builtin,
// which -Wmaybe-uninitialized may report (a false positive).
__m256i narrow16(__m512i u) {
  const __m512i lsb = _mm512_and_si512(_mm512_maskz_srli_epi32(all_lanes, u, 16), _mm512_set1_epi32(1));
  const __m512i rounded = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb);
  const __m512i magnitude = _mm512_and_si512(u, _mm512_set1_epi32(0x7FFF'FFFF));
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(magnitude, _mm512_set1_epi32(0x7F80'0000));
  const __m512i quiet = _mm512_or_si512(u, _mm512_set1_epi32(0x0040'0000));
  const __m512i result = _mm512_mask_mov_epi32(rounded, nan, quiet);
  return _mm512_maskz_cvtepi32_epi16(all_lanes, _mm512_maskz_srli_epi32(all_lanes, result, 16));
}

// 16 bf16 to 16 floats: each one the upper half of a 32-bit lane.
__m512 widen16(__m256i h) {
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(all_lanes, _mm512_maskz_cvtepu16_epi32(all_lanes, h), 16));
}

}  // namespace

void to_bf16_avx512(const float* in, bf16* out, std::size_t count) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512i u = _mm512_loadu_si512(in + i);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), narrow16(u));
  }
  // Masked-off lanes are neither loaded (no fault past the end) nor stored.
  if (i < count) {
    const __mmask16 tail = first_lanes(count - i);
    const __m512i u = _mm512_maskz_loadu_epi32(tail, in + i);
    _mm256_mask_storeu_epi16(out + i, tail, narrow16(u));
  }
}

void to_float_avx512(const bf16* in, float* out, std::size_t count) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    _mm512_storeu_ps(out + i, widen16(h));
  }
  if (i < count) {
    const __mmask16 tail = first_lanes(count - i);
    const __m256i h = _mm256_maskz_loadu_epi16(tail, in + i);
    _mm512_mask_storeu_ps(out + i, tail, widen16(h));
  }
}

}  // namespace gemmlab::detail
