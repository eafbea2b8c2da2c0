// AVX2 peak probe: 12 chains of 256-bit FMAs (8 floats each).
// Compiled with the AVX2 flags; called only when cpu_features() reports
// AVX2 and FMA. Intrinsics and plain code only (see peak_loops.hpp).
#include <immintrin.h>

#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

// The sum of the 8 lanes (only to return something the compiler must compute).
float horizontal_sum(__m256 v) {
  const __m128 halves = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, halves);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

}  // namespace

float peak_loop_avx2(std::int64_t iterations, float multiplier, float addend) {
  const __m256 m = _mm256_set1_ps(multiplier);
  const __m256 c = _mm256_set1_ps(addend);
  // Distinct starting values, so the compiler cannot merge identical chains.
  __m256 a0 = _mm256_set1_ps(0.00f), a1 = _mm256_set1_ps(0.01f), a2 = _mm256_set1_ps(0.02f);
  __m256 a3 = _mm256_set1_ps(0.03f), a4 = _mm256_set1_ps(0.04f), a5 = _mm256_set1_ps(0.05f);
  __m256 a6 = _mm256_set1_ps(0.06f), a7 = _mm256_set1_ps(0.07f), a8 = _mm256_set1_ps(0.08f);
  __m256 a9 = _mm256_set1_ps(0.09f), a10 = _mm256_set1_ps(0.10f), a11 = _mm256_set1_ps(0.11f);
  for (std::int64_t i = 0; i < iterations; ++i) {
    a0 = _mm256_fmadd_ps(a0, m, c);
    a1 = _mm256_fmadd_ps(a1, m, c);
    a2 = _mm256_fmadd_ps(a2, m, c);
    a3 = _mm256_fmadd_ps(a3, m, c);
    a4 = _mm256_fmadd_ps(a4, m, c);
    a5 = _mm256_fmadd_ps(a5, m, c);
    a6 = _mm256_fmadd_ps(a6, m, c);
    a7 = _mm256_fmadd_ps(a7, m, c);
    a8 = _mm256_fmadd_ps(a8, m, c);
    a9 = _mm256_fmadd_ps(a9, m, c);
    a10 = _mm256_fmadd_ps(a10, m, c);
    a11 = _mm256_fmadd_ps(a11, m, c);
  }
  const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                                                 _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7))),
                                   _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  return horizontal_sum(sum);
}

float latency_loop_avx2(std::int64_t iterations, float multiplier, float addend) {
  const __m256 m = _mm256_set1_ps(multiplier);
  const __m256 c = _mm256_set1_ps(addend);
  __m256 a = _mm256_set1_ps(0.0f);
  for (std::int64_t i = 0; i < iterations; ++i) a = _mm256_fmadd_ps(a, m, c);
  return _mm256_cvtss_f32(a);
}

}  // namespace gemmlab::bench
