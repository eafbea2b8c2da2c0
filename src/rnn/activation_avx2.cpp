// The fused bias + activation passes for AVX2 + FMA (8 floats a register).
//
// Why intrinsics here when the AVX-512 file is plain C++: the clamp in
// tanh_rational() is a select. GCC (with its default -ftrapping-math) cannot
// turn it into a blend on an ISA without mask registers, so it leaves the loop
// scalar on SSE2 and AVX2; with AVX-512 it uses masked instructions instead.
// (Clang vectorises all three.) So this file spells out the same formula,
// operation for operation, with AVX2 intrinsics: min/max for the clamps
// (whose NaN rule is what tanh_rational's comparisons express), FMA for each
// multiply-add. Called only when the CPU reports AVX2 and FMA.
#include <immintrin.h>

#include "rnn/activation.hpp"
#include "rnn/tanh_formula.hpp"

namespace gemmlab::detail {
namespace {

// tanh_rational on 8 floats. _mm256_min_ps(a, b) returns b when either is
// NaN, so min(limit, v) keeps a NaN v, as `limit < v ? limit : v` does.
__m256 tanh8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 x_squared = _mm256_mul_ps(x, x);
  const __m256 s = _mm256_min_ps(_mm256_set1_ps(tanh_clamp * tanh_clamp), x_squared);
  // Estrin's scheme, term for term as in tanh_rational.
  const __m256 s2 = _mm256_mul_ps(s, s);
  const __m256 s4 = _mm256_mul_ps(s2, s2);
  const __m256 p_low = _mm256_fmadd_ps(_mm256_set1_ps(tanh_p1), s, one);
  const __m256 p_mid = _mm256_fmadd_ps(_mm256_set1_ps(tanh_p3), s, _mm256_set1_ps(tanh_p2));
  const __m256 p_high = _mm256_fmadd_ps(_mm256_set1_ps(tanh_p6), s2,
                                        _mm256_fmadd_ps(_mm256_set1_ps(tanh_p5), s, _mm256_set1_ps(tanh_p4)));
  const __m256 p = _mm256_fmadd_ps(s4, p_high, _mm256_fmadd_ps(s2, p_mid, p_low));
  const __m256 q = _mm256_fmadd_ps(s2, _mm256_fmadd_ps(_mm256_set1_ps(tanh_q3), s, _mm256_set1_ps(tanh_q2)),
                                   _mm256_fmadd_ps(_mm256_set1_ps(tanh_q1), s, one));
  const __m256 y = _mm256_mul_ps(p, _mm256_div_ps(x, q));
  const __m256 y_below = _mm256_min_ps(one, y);
  return _mm256_max_ps(_mm256_set1_ps(-1.0f), y_below);
}

// relu on 8 floats: max(0, v) returns its second operand v when v is NaN or
// when both are zeros (so -0 stays -0), exactly as `v < 0 ? 0 : v` does.
__m256 relu8(__m256 v) { return _mm256_max_ps(_mm256_setzero_ps(), v); }

}  // namespace

void bias_tanh_avx2(float* values, const float* bias, std::size_t count) {
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_add_ps(_mm256_loadu_ps(values + i), _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(values + i, tanh8(v));
  }
  for (; i < count; ++i) values[i] = tanh_rational(values[i] + bias[i]);  // the last 0..7, scalar
}

void bias_relu_avx2(float* values, const float* bias, std::size_t count) {
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_add_ps(_mm256_loadu_ps(values + i), _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(values + i, relu8(v));
  }
  for (; i < count; ++i) values[i] = relu(values[i] + bias[i]);
}

void tanh_avx2(float* values, std::size_t count) {
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) _mm256_storeu_ps(values + i, tanh8(_mm256_loadu_ps(values + i)));
  for (; i < count; ++i) values[i] = tanh_rational(values[i]);
}

}  // namespace gemmlab::detail
