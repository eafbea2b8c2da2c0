// AVX512-BF16 peak probe: peak_bf16_chains chains of vdpbf16ps. Each instruction adds,
// in each of 16 float lanes, the two products of a bf16 pair: 64 flops.
// Compiled with the AVX512-BF16 flags; called only when cpu_features()
// reports it. The inputs are fixed small numbers, so each chain grows by
// about 2 * multiplier * addend per iteration: no overflow, no subnormals.
#include <immintrin.h>

#include "peak_loops.hpp"

namespace gemmlab::bench {

float peak_loop_avx512bf16(std::int64_t iterations, float multiplier, float addend) {
  // Both products of every pair: multiplier * addend (rounded to bf16).
  const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(multiplier), _mm512_set1_ps(multiplier));
  const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(addend), _mm512_set1_ps(addend));
  __m512 acc[peak_bf16_chains];
#pragma GCC unroll 24
  for (int c = 0; c < peak_bf16_chains; ++c) acc[c] = _mm512_set1_ps(0.01f * static_cast<float>(c));
  for (std::int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
    for (__m512& chain : acc) chain = _mm512_dpbf16_ps(chain, a, b);
  }
  __m512 sum = acc[0];
#pragma GCC unroll 24
  for (int c = 1; c < peak_bf16_chains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.0f;
  for (float lane : lanes) total += lane;
  return total;
}

}  // namespace gemmlab::bench
