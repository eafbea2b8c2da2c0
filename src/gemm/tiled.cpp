// Step 2: cache blocking — the loops of loop_order.cpp, cut into tiles.
//
// loop_order.cpp streams all of B (K x N floats) once for every row of A.
// When B is larger than the caches, every row of A reloads it from memory:
// at N = 2048 that is 16 MiB per row. Tiling fixes the reuse distance: the
// three outer loops pick a KC x NC block of B small enough to stay in L2
// (128 KiB here, see teaching_blocks.hpp) and a block of MC rows of A and
// C; the inner (i, p, j) loops are exactly those of loop_order.cpp,
// restricted to the block.
// Every element of B's block is loaded from memory once and then reused
// from L2 by every row of A.
//
// Each element of C still sums its products in the order p = 0, 1, ..., K-1
// (the p blocks are visited in order), so this kernel gives the SAME bits as
// loop_order.cpp: blocking changes when memory is touched, not the arithmetic.
//
// What it does not do yet: registers. Each update of C(i, j) is a load, a
// multiply-add and a store; the next steps keep a tile of C in registers
// (register_tile.cpp) and copy the blocks into contiguous panels (packed.cpp).
#include <algorithm>

#include "gemm/problem.hpp"
#include "gemm/teaching_blocks.hpp"

namespace gemmlab::detail {

using teaching::KC, teaching::NC, teaching::MC;  // the block sizes (teaching_blocks.hpp)

void sgemm_tiled(const GemmProblem& p) {
  // In locals: C's floats could alias p.alpha and p.beta as far as the
  // compiler knows (see naive.cpp).
  const index M = p.M, N = p.N, K = p.K, ldc = p.ldc;
  const float alpha = p.alpha, beta = p.beta;
  // C := beta * C once, up front; the blocks below only add to it.
  for (index i = 0; i < M; ++i) {
    float* c_row = p.C + i * ldc;
    for (index j = 0; j < N; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];  // beta == 0 never reads C
  }
  const index b_step = p.B.col_stride;    // 1 unless B is transposed (see loop_order.cpp)
  for (index jc = 0; jc < N; jc += NC) {  // a block of NC columns of B and C
    const index nc = std::min<index>(NC, N - jc);
    for (index pc = 0; pc < K; pc += KC) {  // a KC-deep slice of the sum: B block KC x NC stays in L2
      const index kc = std::min<index>(KC, K - pc);
      for (index ic = 0; ic < M; ic += MC) {  // a block of MC rows of A and C
        const index mc = std::min<index>(MC, M - ic);
        for (index i = ic; i < ic + mc; ++i) {  // the loops of loop_order.cpp, inside the block
          float* c_row = p.C + i * ldc + jc;
          for (index k = pc; k < pc + kc; ++k) {
            const float a = alpha * p.A(i, k);
            const float* b_row = p.B.at(k, jc);
            if (b_step == 1)  // the common case, written out so the compiler vectorises it
              for (index j = 0; j < nc; ++j) c_row[j] += a * b_row[j];
            else
              for (index j = 0; j < nc; ++j) c_row[j] += a * b_row[j * b_step];
          }
        }
      }
    }
  }
}

}  // namespace gemmlab::detail
