// NEON peak probe (aarch64): 12 chains of 128-bit FMAs (4 floats each).
// Compiled only for aarch64, where NEON is part of the baseline.
// Intrinsics and plain code only (see peak_loops.hpp).
#include <arm_neon.h>

#include "peak_loops.hpp"

namespace gemmlab::bench {

float peak_loop_neon(std::int64_t iterations, float multiplier, float addend) {
  const float32x4_t m = vdupq_n_f32(multiplier);
  const float32x4_t c = vdupq_n_f32(addend);
  // Distinct starting values, so the compiler cannot merge identical chains.
  float32x4_t a0 = vdupq_n_f32(0.00f), a1 = vdupq_n_f32(0.01f), a2 = vdupq_n_f32(0.02f);
  float32x4_t a3 = vdupq_n_f32(0.03f), a4 = vdupq_n_f32(0.04f), a5 = vdupq_n_f32(0.05f);
  float32x4_t a6 = vdupq_n_f32(0.06f), a7 = vdupq_n_f32(0.07f), a8 = vdupq_n_f32(0.08f);
  float32x4_t a9 = vdupq_n_f32(0.09f), a10 = vdupq_n_f32(0.10f), a11 = vdupq_n_f32(0.11f);
  for (std::int64_t i = 0; i < iterations; ++i) {
    // vfmaq_f32(acc, x, y) = acc + x * y, fused: here acc * m + c.
    a0 = vfmaq_f32(c, a0, m);
    a1 = vfmaq_f32(c, a1, m);
    a2 = vfmaq_f32(c, a2, m);
    a3 = vfmaq_f32(c, a3, m);
    a4 = vfmaq_f32(c, a4, m);
    a5 = vfmaq_f32(c, a5, m);
    a6 = vfmaq_f32(c, a6, m);
    a7 = vfmaq_f32(c, a7, m);
    a8 = vfmaq_f32(c, a8, m);
    a9 = vfmaq_f32(c, a9, m);
    a10 = vfmaq_f32(c, a10, m);
    a11 = vfmaq_f32(c, a11, m);
  }
  const float32x4_t sum = vaddq_f32(
      vaddq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)), vaddq_f32(vaddq_f32(a4, a5), vaddq_f32(a6, a7))),
      vaddq_f32(vaddq_f32(a8, a9), vaddq_f32(a10, a11)));
  return vaddvq_f32(sum);
}

float latency_loop_neon(std::int64_t iterations, float multiplier, float addend) {
  const float32x4_t m = vdupq_n_f32(multiplier);
  const float32x4_t c = vdupq_n_f32(addend);
  float32x4_t a = vdupq_n_f32(0.0f);
  for (std::int64_t i = 0; i < iterations; ++i) a = vfmaq_f32(c, a, m);
  return vgetq_lane_f32(a, 0);
}

}  // namespace gemmlab::bench
