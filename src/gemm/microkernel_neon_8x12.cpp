// The ARM64 NEON micro-kernel: an 8 x 12 tile of C in 24 q registers.
//
// Contract: microkernel.hpp. Built only for aarch64 (the Makefile recognises
// "neon" in the file name), where Advanced SIMD is part of every core, so
// there are no extra flags and no run-time check beyond cpu_features().neon.
//
// Why 8 x 12: ARMv8-A has 32 vector registers of 128 bits (4 floats). Each
// row of the tile is 12 floats = 3 registers, so 8 rows hold 24
// accumulators; the current B row takes 3 more and the 8 elements of A's
// column 2 more (loaded as two vectors of 4): 29 of the 32 registers. FMLA
// "by element" (vfmaq_laneq_f32) multiplies a B vector by one lane of an A
// register, so A needs no broadcast at all: per k step, 5 loads feed 24
// FMAs. 24 independent accumulators cover the FMA latency of every current
// core (4 cycles x 2 to 4 FMA pipes = 8 to 16 in flight). This is the
// shape of BLIS's ARMv8 sgemm kernel (8 x 12, bli_sgemm_armv8a_asm_8x12)
// and OpenBLAS's Cortex-A57 one; the code is ours.
//
// Edges: NEON has no masked loads or stores. Whole rows (n == 12) are stored
// with vector stores; a partial row is computed into a small array on the
// stack and copied element by element, so nothing outside C is touched.
//
// Tested under qemu-aarch64 (make test-arm64): correct, but emulation says
// nothing about speed, and its block sizes (the descriptor below) are not tuned on
// real hardware.
#include <arm_neon.h>

#include <cstddef>

#include "gemm/microkernel.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 8;
constexpr int NR = 12;

// acc_row += b(p, 0:12) * a(i, p), where a(i, p) is lane `Lane` of `a`.
// (The lane of vfmaq_laneq_f32 must be a compile-time constant, hence the
// template parameter.)
template <int Lane>
[[gnu::always_inline]] inline void row_update(float32x4_t (&acc_row)[3], float32x4_t b0, float32x4_t b1, float32x4_t b2,
                                              float32x4_t a) {
  acc_row[0] = vfmaq_laneq_f32(acc_row[0], b0, a, Lane);
  acc_row[1] = vfmaq_laneq_f32(acc_row[1], b1, a, Lane);
  acc_row[2] = vfmaq_laneq_f32(acc_row[2], b2, a, Lane);
}

// One step of the k loop: the rank-1 update acc += a(:, p) * b(p, :).
[[gnu::always_inline]] inline void rank1_update(float32x4_t (&acc)[MR][3], const float* a, const float* b) {
  const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
  const float32x4_t a_top = vld1q_f32(a), a_bottom = vld1q_f32(a + 4);  // rows 0-3, 4-7
  row_update<0>(acc[0], b0, b1, b2, a_top);
  row_update<1>(acc[1], b0, b1, b2, a_top);
  row_update<2>(acc[2], b0, b1, b2, a_top);
  row_update<3>(acc[3], b0, b1, b2, a_top);
  row_update<0>(acc[4], b0, b1, b2, a_bottom);
  row_update<1>(acc[5], b0, b1, b2, a_bottom);
  row_update<2>(acc[6], b0, b1, b2, a_bottom);
  row_update<3>(acc[7], b0, b1, b2, a_bottom);
}

void microkernel_neon_8x12(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                           int n) {
  // As in the AVX2 kernel, every loop over the rows of the tile is unrolled
  // (`#pragma GCC unroll`) so that acc is indexed only by constants and
  // stays in registers.
  float32x4_t acc[MR][3] = {};  // all zero

  // The k loop: the B micro-panel stays in L1 across the driver's 1st loop,
  // the A micro-panel streams in order from L2.
  for (int p = 0; p < kc; ++p, a += MR, b += NR) rank1_update(acc, a, b);

    // C := alpha * acc + beta * C on the m x n corner of the tile.
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    if (i >= m) continue;
    float* row = c + static_cast<std::ptrdiff_t>(i) * ldc;
    float32x4_t r0 = vmulq_n_f32(acc[i][0], alpha), r1 = vmulq_n_f32(acc[i][1], alpha),
                r2 = vmulq_n_f32(acc[i][2], alpha);
    if (n == NR) {         // a whole row: vector loads and stores
      if (beta != 0.0f) {  // beta == 0 never reads C (it may hold NaN)
        r0 = vfmaq_n_f32(r0, vld1q_f32(row), beta);
        r1 = vfmaq_n_f32(r1, vld1q_f32(row + 4), beta);
        r2 = vfmaq_n_f32(r2, vld1q_f32(row + 8), beta);
      }
      vst1q_f32(row, r0);
      vst1q_f32(row + 4, r1);
      vst1q_f32(row + 8, r2);
    } else {  // the right edge: only n < 12 elements of this row exist
      float scaled[NR];
      vst1q_f32(scaled, r0);
      vst1q_f32(scaled + 4, r1);
      vst1q_f32(scaled + 8, r2);
      if (beta == 0.0f) {
        for (int j = 0; j < n; ++j) row[j] = scaled[j];
      } else {
        for (int j = 0; j < n; ++j) row[j] = scaled[j] + beta * row[j];
      }
    }
  }
}

}  // namespace

// The descriptor (microkernel.hpp). Not tuned on hardware (the lab machine
// is x86; the kernel is tested under qemu): sized for the smallest common
// ARM64 caches, the 32 KiB L1d and 512 KiB-1 MiB L2 of a Cortex-A72
// (Raspberry Pi 4); Apple and Neoverse cores have 64-128 KiB L1d and would
// take a larger KC.
//   KC = 256: B micro-panel 256 * 12 * 4 = 12 KiB, A micro-panel
//             256 * 8 * 4 = 8 KiB: 20 KiB of a 32 KiB L1.
//   MC = 192 (24 * MR): packed A block 192 * 256 * 4 = 192 KiB of L2.
//   NC = 3072 (256 * NR): packed B block 256 * 3072 * 4 = 3 MiB, in L3 or memory.
extern const MicroKernel neon_8x12{"neon_8x12", Isa::neon, MR, NR, {192, 256, 3072}, microkernel_neon_8x12};

}  // namespace gemmlab::detail
