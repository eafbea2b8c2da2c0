// src/gemm/microkernel_bf16_portable.hpp — internal: the body of the
// portable bf16 micro-kernel (Kernel::bf16_blocked): a 4 x 16 tile of C,
// panels of k pairs (group 2, bf16_microkernel.hpp), every bf16 widened to
// float (exact: its 16 bits become the upper half of the float) and
// multiplied in plain C++.
//
// ONE SOURCE, COMPILED TWICE, as the float portable kernel is
// (microkernel_portable.hpp, which says why the body sits in an anonymous
// namespace and uses no std:: templates): microkernel_bf16_portable_4x16.cpp
// for the baseline, microkernel_bf16_portable_avx2_4x16.cpp with AVX2 + FMA.
// The widening is written here (memcpy, not std::bit_cast or the library's
// inline widen_bf16) for the same reason: each copy must be its own file's code.
//
// It is the bf16 kernel of every CPU without bf16 instructions (most AVX2
// machines), so `simd` always has a bf16 kernel to run; and it shows in
// portable code what vdpbf16ps does in one instruction: for each float lane
// of C, a pair of products added to the accumulator. Pairs (and not single
// k values) so that it reads the same packed panels as the AVX512-BF16
// kernel, and the two can be compared step for step.
#pragma once

#include <cstdint>
#include <cstring>

#include "gemm/bf16_microkernel.hpp"

namespace gemmlab::detail {
namespace {

// Definitions in a header on purpose: each including file must get its own
// copy, compiled with its own flags (the anonymous namespace makes them
// private to it, so there is no ODR issue).
// NOLINTBEGIN(misc-definitions-in-headers)
constexpr int kBf16PortableMR = 4;
constexpr int kBf16PortableNR = 16;

// Blocks as for the float portable kernel, in bf16 elements: the B panel
// 16 x 512 x 2 bytes = 16 KiB (L1), the A block 128 x 512 x 2 = 128 KiB (L2),
// the B block 512 x 4096 x 2 = 4 MiB (L3).
constexpr Blocking kBf16PortableBlocking{128, 512, 4096};

inline float widened(bf16 x) {
  const std::uint32_t bits = static_cast<std::uint32_t>(x.bits) << 16;
  float f = 0.0f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// (Reading each pair as one 32-bit word and widening it with a shift and a
// mask was measured too: faster with SSE2, but with AVX2 the compiler
// spilled the tile and it fell far behind; this form is the better of the
// two where it matters, on AVX2 machines. docs/tuning-notes.md has the
// figures.)
void bf16_portable_microkernel(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc,
                               int m, int n) {
  constexpr int MR = kBf16PortableMR, NR = kBf16PortableNR;
  float acc[MR][NR] = {};
  for (int q = 0; q < depth / 2; ++q, a += 2 * index{MR}, b += 2 * index{NR}) {
    float b0[NR], b1[NR];  // B's rows 2q and 2q + 1, widened once for the four rows of A
#pragma GCC unroll 16
    for (index j = 0; j < NR; ++j) {
      b0[j] = widened(b[2 * j]);
      b1[j] = widened(b[2 * j + 1]);
    }
    // Unrolled, as the float portable kernel is, so that the compiler keeps
    // the tile in registers and vectorises j.
#pragma GCC unroll 4
    for (index i = 0; i < MR; ++i) {
      const float a0 = widened(a[2 * i]), a1 = widened(a[2 * i + 1]);
#pragma GCC unroll 16
      for (index j = 0; j < NR; ++j) acc[i][j] += a0 * b0[j] + a1 * b1[j];  // both products exact in float
    }
  }
  for (index i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    for (index j = 0; j < n; ++j) row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * row[j];
  }
}

// NOLINTEND(misc-definitions-in-headers)

}  // namespace
}  // namespace gemmlab::detail
