// The array conversions between float and bf16 for AVX-512 (16 values a
// step, then one masked step for the tail). Called only when the CPU reports
// AVX-512 F, VL, BW and DQ (bf16_convert.hpp).
//
// Narrowing is narrow16 (core/bf16_round_avx512.hpp): the scalar rounding,
// lane for lane, so every input gives exactly the scalar result.
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
#include "core/bf16_round_avx512.hpp"

namespace gemmlab::detail {
namespace {

constexpr __mmask16 all_lanes = 0xFFFF;

// The mask of the first `count` lanes, count < 16.
__mmask16 first_lanes(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

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
