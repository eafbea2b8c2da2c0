// The portable bf16 micro-kernel: a 4 x 16 tile of C, panels of k pairs
// (group 2, bf16_microkernel.hpp), every bf16 widened to float (exact: its
// 16 bits become the upper half of the float) and multiplied in plain C++.
//
// It is the bf16 kernel of every CPU without bf16 instructions, and of
// builds without ISA-specific files, so `simd` always has a bf16 kernel to
// run; and it shows in portable code what vdpbf16ps does in one instruction:
// for each float lane of C, a pair of products added to the accumulator.
// Pairs (and not single k values) so that it reads the same packed panels
// as the AVX512-BF16 kernel, and the two can be compared step for step.
#include "core/bf16_round.hpp"
#include "gemm/bf16_microkernel.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 4;
constexpr int NR = 16;

void microkernel_bf16_portable_4x16(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc,
                                    int m, int n) {
  float acc[MR][NR] = {};
  for (int q = 0; q < depth / 2; ++q, a += 2 * index{MR}, b += 2 * index{NR}) {
    float b0[NR], b1[NR];  // B's rows 2q and 2q + 1, widened once for the four rows of A
#pragma GCC unroll 16
    for (index j = 0; j < NR; ++j) {
      b0[j] = widen_bf16(b[2 * j]);
      b1[j] = widen_bf16(b[2 * j + 1]);
    }
    // Unrolled, as the float portable kernel is (microkernel_portable.hpp),
    // so that the compiler keeps the tile in registers and vectorises j.
#pragma GCC unroll 4
    for (index i = 0; i < MR; ++i) {
      const float a0 = widen_bf16(a[2 * i]), a1 = widen_bf16(a[2 * i + 1]);
#pragma GCC unroll 16
      for (index j = 0; j < NR; ++j) acc[i][j] += a0 * b0[j] + a1 * b1[j];  // both products exact in float
    }
  }
  for (int i = 0; i < m; ++i) {
    float* row = c + static_cast<index>(i) * ldc;
    for (int j = 0; j < n; ++j) row[j] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * row[j];
  }
}

}  // namespace

// Blocks as for the float portable kernel, in bf16 elements: the B panel
// 16 x 512 x 2 bytes = 16 KiB (L1), the A block 128 x 512 x 2 = 128 KiB (L2),
// the B block 512 x 4096 x 2 = 4 MiB (L3).
extern const Bf16MicroKernel bf16_portable_4x16{
    .name = "bf16_portable_4x16",
    .isa = Isa::baseline,
    .mr = MR,
    .nr = NR,
    .a_group = 2,
    .b_group = 2,
    .depth_multiple = 2,
    .blocking = {128, 512, 4096},
    .fn = microkernel_bf16_portable_4x16,
};

}  // namespace gemmlab::detail
