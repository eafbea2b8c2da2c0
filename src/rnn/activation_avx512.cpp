// The fused bias + activation passes for AVX-512 (16 floats a register).
//
// The formula itself, on one register, is in tanh_avx512.hpp (shared with the
// small path's fused write-back). This file adds the loops around it, for
// one reason: the tail. The seed's
// pass is 20 floats (B 4 x H 5); compiled from plain C++ it is a 16-float
// vector plus a scalar remainder loop, and the RNN waits for the slowest of
// them. Here the tail is one masked vector (AVX-512 mask registers let a
// load, a store and the arithmetic skip lanes), so a pass of up to 16 floats
// is a single chain of dependent instructions, and one of 20 two chains that
// run side by side. Called only when the CPU reports AVX-512F, VL, BW and DQ.
#include <immintrin.h>

#include "rnn/activation.hpp"
#include "rnn/tanh_avx512.hpp"

namespace gemmlab::detail {
namespace {

// The lanes 0 .. count-1 of a register (count < 16).
__mmask16 first_lanes(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

}  // namespace

void bias_tanh_avx512(float* values, const float* bias, std::size_t count) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512 v = _mm512_add_ps(_mm512_loadu_ps(values + i), _mm512_loadu_ps(bias + i));
    _mm512_storeu_ps(values + i, tanh16(v));
  }
  if (i < count) {  // the last 1..15: masked lanes are neither read nor written
    const __mmask16 m = first_lanes(count - i);
    const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, values + i), _mm512_maskz_loadu_ps(m, bias + i));
    _mm512_mask_storeu_ps(values + i, m, tanh16(v));
  }
}

void bias_relu_avx512(float* values, const float* bias, std::size_t count) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512 v = _mm512_add_ps(_mm512_loadu_ps(values + i), _mm512_loadu_ps(bias + i));
    _mm512_storeu_ps(values + i, relu16(v));
  }
  if (i < count) {
    const __mmask16 m = first_lanes(count - i);
    const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, values + i), _mm512_maskz_loadu_ps(m, bias + i));
    _mm512_mask_storeu_ps(values + i, m, relu16(v));
  }
}

void tanh_avx512(float* values, std::size_t count) {
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16) _mm512_storeu_ps(values + i, tanh16(_mm512_loadu_ps(values + i)));
  if (i < count) {
    const __mmask16 m = first_lanes(count - i);
    _mm512_mask_storeu_ps(values + i, m, tanh16(_mm512_maskz_loadu_ps(m, values + i)));
  }
}

}  // namespace gemmlab::detail
