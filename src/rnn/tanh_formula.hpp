// src/rnn/tanh_formula.hpp — internal: gemmlab's tanh and the fused
// bias + activation pass, in plain C++.
//
// The plain C++ here is the definition: tanh_float, and the baseline pass
// (activation.cpp; compilers vectorise the loop where they can). The AVX2 and
// AVX-512 passes (activation_avx2.cpp, activation_avx512.cpp) spell out the
// same operations with intrinsics and use these constants and functions for
// their scalar parts. Everything here is in an anonymous namespace, so each
// of those files gets its own copy compiled with its own flags: no inline
// function is shared between ISAs (the linker could otherwise keep the
// AVX-512 copy and call it on a CPU without AVX-512). It must use only plain
// arithmetic: no std:: templates.
//
// WHY NOT std::tanh: glibc's tanhf is a scalar call (about 17 ns here) with
// branches, so a loop over it cannot be vectorised; at the seed's size it
// costs more than both GEMMs together.
//
// THE FORMULA. tanh is odd, so write tanh(x) = x · R(x²) and approximate R by a
// rational function of s = x²:
//
//   tanh(x) ≈ x · P(s) / Q(s),  P(s) = 1 + p1 s + ... + p6 s^6,  Q(s) = 1 + q1 s + q2 s² + q3 s³
//
// on |x| <= 9, with s clamped at 81 beyond (tanh(9) = 1 - 3.0e-8 already
// rounds to 1 in float). P(0) = Q(0) = 1 makes tanh(x) = x exactly for tiny x and
// keeps the sign of ±0. The coefficients are our own fit (Sanathanan–Koerner
// linearised least squares, then Lawson reweighting toward the minimax
// absolute error, in 40-digit arithmetic with mpmath; the script is
// docs/tanh_fit.py): the rational function itself is within
// 6.5e-9 of tanh on [0, 9], far below float rounding, so the error that
// remains is the rounding of the float evaluation (Estrin's scheme, one
// division; the AVX-512 pass replaces the division by a reciprocal estimate
// refined by one Newton step), measured exhaustively: see
// gemmlab::tanh_max_abs_error.
// The result is finally clamped to [-1, 1], so |tanh_float(x)| <= 1 always.
//
// Special values fall out of the arithmetic: NaN compares false everywhere,
// passes both clamps and stays NaN; ±inf give ±inf · R(81) = ±inf, clamped to ±1.
// The same idea (odd rational, clamped) is what Eigen and XNNPACK use for a
// float tanh; the degrees and coefficients here are our own.
#pragma once

#include <cstddef>

namespace gemmlab::detail {
namespace {

inline constexpr float tanh_clamp = 9.0f;
inline constexpr float tanh_p1 = 1.3083425525810485759e-1f;
inline constexpr float tanh_p2 = 3.1033094245683921507e-3f;
inline constexpr float tanh_p3 = 1.1147775357136693018e-5f;
inline constexpr float tanh_p4 = -2.0200297463646907499e-8f;
inline constexpr float tanh_p5 = 5.26684739175736461e-11f;
inline constexpr float tanh_p6 = -8.4625271246897254592e-14f;
inline constexpr float tanh_q1 = 4.6416753167445660091e-1f;
inline constexpr float tanh_q2 = 2.4492583844415971766e-2f;
inline constexpr float tanh_q3 = 2.5452163318101528455e-4f;

inline float tanh_rational(float x) {
  // Clamp s = x² at 81 rather than x at ±9: for |x| > 9 the result is then
  // x · R(81), at least 9 · R(81) ≈ 1 in size, and the final clamp makes it ±1
  // (also for ±inf, and for |x| > 1.8e19 where x² overflows to inf).
  // The clamps are written `limit < v ? limit : v`, which is exactly what the
  // x86 min/max instructions compute (the second operand when either is NaN),
  // so NaN passes through. (Clamping x itself at ±9 looks more natural but
  // makes GCC thread the constant through the polynomial, and the loop then
  // no longer vectorises.)
  const float x_squared = x * x;
  const float s = tanh_clamp * tanh_clamp < x_squared ? tanh_clamp * tanh_clamp : x_squared;
  // Estrin's scheme rather than Horner's rule: the powers s², s⁴ and the
  // short terms are independent, so the longest chain of dependent
  // operations is 3 multiply-adds instead of 6. At the seed's size the
  // whole pass is one short vector whose latency is what the RNN waits for.
  // For the same reason the division x / q starts as soon as q is ready,
  // while p is still being summed.
  const float s2 = s * s;
  const float s4 = s2 * s2;
  const float p = (1.0f + tanh_p1 * s) + s2 * (tanh_p2 + tanh_p3 * s) + s4 * ((tanh_p4 + tanh_p5 * s) + tanh_p6 * s2);
  const float q = (1.0f + tanh_q1 * s) + s2 * (tanh_q2 + tanh_q3 * s);
  const float y = p * (x / q);
  const float y_below = 1.0f < y ? 1.0f : y;
  return y_below < -1.0f ? -1.0f : y_below;
}

// relu written so that NaN stays NaN (NaN < 0 is false) and -0 stays -0.
inline float relu(float x) { return x < 0.0f ? 0.0f : x; }  // = max(0, x) on x86

// The fused epilogue, over a flat array: values[i] := act(values[i] + bias[i]).
// The caller passes a bias array as long as values (the bias row repeated for
// every batch row), so the loop has no 2-D index arithmetic and vectorises
// even when a row is shorter than a register (the seed's H = 5).
inline void bias_tanh_loop(float* values, const float* bias, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) values[i] = tanh_rational(values[i] + bias[i]);
}
inline void bias_relu_loop(float* values, const float* bias, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) values[i] = relu(values[i] + bias[i]);
}
inline void tanh_loop(float* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) values[i] = tanh_rational(values[i]);
}

}  // namespace
}  // namespace gemmlab::detail
