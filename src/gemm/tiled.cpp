// Step 2: cache blocking — the loops of loop_order.cpp, cut into tiles.
//
// loop_order.cpp streams all of B (K x N floats) once for every row of A.
// When B is larger than the caches, every row of A reloads it from memory:
// at N = 2048 that is 16 MiB per row. Tiling fixes the reuse distance: the
// three outer loops pick a KC x NC block of B small enough to stay in L2
// (128 KiB here, see below) and a block of MC rows of A and C; the inner
// (i, p, j) loops are exactly those of loop_order.cpp, restricted to the block.
// Every element of B's block is loaded from memory once and then reused MC
// times from L2.
//
// Each element of C still sums its products in the order p = 0, 1, ..., K-1
// (the p blocks are visited in order), so this kernel gives the SAME bits as
// loop_order.cpp: blocking changes when memory is touched, not the arithmetic.
//
// What it does not do yet: registers. Each update of C(i, j) is a load, a
// multiply-add and a store; the next steps keep a tile of C in registers
// (blocked.cpp) and copy the blocks into contiguous panels (packing, goto.cpp).
#include <algorithm>
#include <cstddef>

#include "gemm/kernels.hpp"

namespace gemmlab::detail {
namespace {

// B block: KC x NC floats = 128 x 256 x 4 bytes = 128 KiB, well inside the
// 2 MiB L2 of this machine's cores (and most L2s); a row piece of B (1 KiB)
// and of C (1 KiB) sit in L1 while the j loop runs. MC rows share each block.
constexpr int KC = 128;
constexpr int NC = 256;
constexpr int MC = 64;

}  // namespace

void sgemm_tiled(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                 float* C, int ldc) {
  using index = std::ptrdiff_t;  // row * ld can exceed the range of int
  // C := beta * C once, up front; the blocks below only add to it.
  for (int i = 0; i < M; ++i) {
    float* c_row = C + index(i) * ldc;
    for (int j = 0; j < N; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];  // beta == 0 never reads C
  }
  for (int jc = 0; jc < N; jc += NC) {  // a block of NC columns of B and C
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {  // a KC-deep slice of the sum: B block KC x NC stays in L2
      const int kc = std::min(KC, K - pc);
      for (int ic = 0; ic < M; ic += MC) {  // a block of MC rows of A and C
        const int mc = std::min(MC, M - ic);
        for (int i = ic; i < ic + mc; ++i) {  // the loops of loop_order.cpp, inside the block
          float* c_row = C + index(i) * ldc + jc;
          for (int p = pc; p < pc + kc; ++p) {
            const float a = alpha * A[index(i) * lda + p];
            const float* b_row = B + index(p) * ldb + jc;
            for (int j = 0; j < nc; ++j) c_row[j] += a * b_row[j];
          }
        }
      }
    }
  }
}

}  // namespace gemmlab::detail
