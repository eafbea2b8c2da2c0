// SSE2 peak probe (x86-64 baseline): 12 chains of 128-bit multiply + add.
// SSE2 is part of every x86-64 CPU, so this file needs no extra flags; it is
// the ceiling of portable C++ that the compiler vectorises for the baseline
// target (4 floats a vector, no fused multiply-add instruction).
#if defined(__SSE2__)
#include <emmintrin.h>

#include "peak_loops.hpp"

namespace gemmlab::bench {

float peak_loop_sse2(std::int64_t iterations, float multiplier, float addend) {
  const __m128 m = _mm_set1_ps(multiplier);
  const __m128 c = _mm_set1_ps(addend);
  // Distinct starting values, so the compiler cannot merge identical chains.
  __m128 a0 = _mm_set1_ps(0.00f), a1 = _mm_set1_ps(0.01f), a2 = _mm_set1_ps(0.02f);
  __m128 a3 = _mm_set1_ps(0.03f), a4 = _mm_set1_ps(0.04f), a5 = _mm_set1_ps(0.05f);
  __m128 a6 = _mm_set1_ps(0.06f), a7 = _mm_set1_ps(0.07f), a8 = _mm_set1_ps(0.08f);
  __m128 a9 = _mm_set1_ps(0.09f), a10 = _mm_set1_ps(0.10f), a11 = _mm_set1_ps(0.11f);
  for (std::int64_t i = 0; i < iterations; ++i) {
    a0 = _mm_add_ps(_mm_mul_ps(a0, m), c);
    a1 = _mm_add_ps(_mm_mul_ps(a1, m), c);
    a2 = _mm_add_ps(_mm_mul_ps(a2, m), c);
    a3 = _mm_add_ps(_mm_mul_ps(a3, m), c);
    a4 = _mm_add_ps(_mm_mul_ps(a4, m), c);
    a5 = _mm_add_ps(_mm_mul_ps(a5, m), c);
    a6 = _mm_add_ps(_mm_mul_ps(a6, m), c);
    a7 = _mm_add_ps(_mm_mul_ps(a7, m), c);
    a8 = _mm_add_ps(_mm_mul_ps(a8, m), c);
    a9 = _mm_add_ps(_mm_mul_ps(a9, m), c);
    a10 = _mm_add_ps(_mm_mul_ps(a10, m), c);
    a11 = _mm_add_ps(_mm_mul_ps(a11, m), c);
  }
  const __m128 sum = _mm_add_ps(_mm_add_ps(_mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)),
                                           _mm_add_ps(_mm_add_ps(a4, a5), _mm_add_ps(a6, a7))),
                                _mm_add_ps(_mm_add_ps(a8, a9), _mm_add_ps(a10, a11)));
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, sum);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

}  // namespace gemmlab::bench
#endif
