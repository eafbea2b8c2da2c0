// AVX-512 peak probe: 12 chains of 512-bit FMAs (16 floats each).
// Compiled with the AVX-512 flags; called only when cpu_features() reports
// AVX-512F. Intrinsics and plain code only (see peak_loops.hpp).
#include <immintrin.h>

#include "peak_loops.hpp"

namespace gemmlab::bench {

float peak_loop_avx512(std::int64_t iterations, float multiplier, float addend) {
  const __m512 m = _mm512_set1_ps(multiplier);
  const __m512 c = _mm512_set1_ps(addend);
  // Distinct starting values, so the compiler cannot merge identical chains.
  __m512 a0 = _mm512_set1_ps(0.00f), a1 = _mm512_set1_ps(0.01f), a2 = _mm512_set1_ps(0.02f);
  __m512 a3 = _mm512_set1_ps(0.03f), a4 = _mm512_set1_ps(0.04f), a5 = _mm512_set1_ps(0.05f);
  __m512 a6 = _mm512_set1_ps(0.06f), a7 = _mm512_set1_ps(0.07f), a8 = _mm512_set1_ps(0.08f);
  __m512 a9 = _mm512_set1_ps(0.09f), a10 = _mm512_set1_ps(0.10f), a11 = _mm512_set1_ps(0.11f);
  for (std::int64_t i = 0; i < iterations; ++i) {
    a0 = _mm512_fmadd_ps(a0, m, c);
    a1 = _mm512_fmadd_ps(a1, m, c);
    a2 = _mm512_fmadd_ps(a2, m, c);
    a3 = _mm512_fmadd_ps(a3, m, c);
    a4 = _mm512_fmadd_ps(a4, m, c);
    a5 = _mm512_fmadd_ps(a5, m, c);
    a6 = _mm512_fmadd_ps(a6, m, c);
    a7 = _mm512_fmadd_ps(a7, m, c);
    a8 = _mm512_fmadd_ps(a8, m, c);
    a9 = _mm512_fmadd_ps(a9, m, c);
    a10 = _mm512_fmadd_ps(a10, m, c);
    a11 = _mm512_fmadd_ps(a11, m, c);
  }
  const __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))),
                                   _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  // (Not _mm512_reduce_add_ps: GCC 12's header trips -Wuninitialized on it.)
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0.0f;
  for (float lane : lanes) total += lane;
  return total;
}

float latency_loop_avx512(std::int64_t iterations, float multiplier, float addend) {
  const __m512 m = _mm512_set1_ps(multiplier);
  const __m512 c = _mm512_set1_ps(addend);
  __m512 a = _mm512_set1_ps(0.0f);
  for (std::int64_t i = 0; i < iterations; ++i) a = _mm512_fmadd_ps(a, m, c);
  return _mm512_cvtss_f32(a);
}

}  // namespace gemmlab::bench
