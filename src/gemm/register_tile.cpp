// Step 3: a register tile — the blocks of tiled.cpp, with a tile of C kept in registers.
//
// tiled.cpp updates C(i, j) in memory once per multiply-add: load C(i, j),
// add a * B(k, j), store it back. Two memory accesses of C for every two
// flops are more than the core's load and store ports sustain, and that,
// not the cache, is what bounds it. Here the inner loops work on one MR x NR
// tile of C at a time: the tile is loaded into local accumulators, which the
// compiler keeps in registers, takes all kc rank-1 updates of the k-block,
//
//     acc[0:MR, 0:NR] += A(0:MR, k) * B(k, 0:NR),   k = pc ... pc + kc - 1,
//
// and is stored back once. Per step of k that is MR + NR loads (4 + 16) for
// MR * NR multiply-adds (64), where tiled.cpp does two loads and a store for
// every one.
//
// A and B are still read where they lie, by their strides (problem.hpp):
// row k of B's tile is NR consecutive floats when B's rows are contiguous
// (a strided walk when B is transposed), and A's MR values of column k are
// MR rows of A apart. The next step (packed.cpp) copies both into the order
// this loop reads them.
//
// Each accumulator starts from C(i, j) and adds the products of the k-block
// in the order k = pc, pc + 1, ..., exactly as C(i, j) does in tiled.cpp, so
// this kernel gives the SAME bits as tiled.cpp: what changed is where the
// partial sums live (registers, not memory), not the arithmetic.
#include <algorithm>

#include "gemm/problem.hpp"
#include "gemm/teaching_blocks.hpp"

namespace gemmlab::detail {

using teaching::KC, teaching::NC, teaching::MC, teaching::MR, teaching::NR;  // the block sizes (teaching_blocks.hpp)

namespace {

// One tile over one k-block: C[0:m, 0:n] += alpha * A_tile * B_tile, where
// a is A's m x kc tile and b is B's kc x n tile, each read by its strides.
// Two copies: `whole` (a whole MR x NR tile, B's rows contiguous: the common
// case) has constant trip counts and unit stride along j, so the compiler
// unrolls the i and j loops, keeps every acc[i][j] in a register and
// vectorises along j; the other copy serves the edges of C and a transposed
// B with the same sums in the same order, at run-time bounds and strides.
//
// GCC 12 left to itself vectorises the k loop instead: when A's rows are
// contiguous it multiplies four steps of k at once and builds each vector
// of B from four scalar loads, about three times slower than tiled.cpp.
// Turning its loop vectoriser off for this function leaves its basic-block
// vectoriser, which packs the unrolled j loop into vectors, as Clang does
// on its own. packed.cpp does not need this: there the MR values of A are
// contiguous too.
template <bool whole>
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::optimize("no-tree-loop-vectorize")]]
#endif
void update_tile(Operand a, Operand b, index kc, float alpha, float* c, index ldc, int m, int n) {
  const int rows = whole ? MR : m, cols = whole ? NR : n;
  const index b_cols = whole ? 1 : b.col_stride;  // along a row of B
  float acc[MR][NR] = {};
  for (int i = 0; i < rows; ++i)  // the tile of C into registers, once per k-block
    for (int j = 0; j < cols; ++j) acc[i][j] = c[i * ldc + j];
  const float* a_col = a.data;  // column k of A's tile: MR floats, a.row_stride apart
  const float* b_row = b.data;  // row k of B's tile: NR floats, b_cols apart
  // kc rank-1 updates: acc += A(:, k) * B(k, :)
  for (index k = 0; k < kc; ++k, a_col += a.col_stride, b_row += b.row_stride) {
#pragma GCC unroll 4
    for (int i = 0; i < rows; ++i) {
      const float a_ik = alpha * a_col[i * a.row_stride];
#pragma GCC unroll 16
      for (int j = 0; j < cols; ++j) acc[i][j] += a_ik * b_row[j * b_cols];
    }
  }
  for (int i = 0; i < rows; ++i)  // and back to C, once
    for (int j = 0; j < cols; ++j) c[i * ldc + j] = acc[i][j];
}

}  // namespace

void sgemm_register_tile(const GemmProblem& p) {
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
        // The tiles of the block, a column of tiles at a time: B's kc x NR
        // sliver (8 KiB) stays in L1 while the MC / MR tiles beside it use it.
        for (index jr = 0; jr < nc; jr += NR) {  // NR columns of B and C ...
          const int n = static_cast<int>(std::min<index>(NR, nc - jr));
          for (index ir = 0; ir < mc; ir += MR) {  // ... times MR rows of A and C: one tile
            const int m = static_cast<int>(std::min<index>(MR, mc - ir));
            const Operand a{p.A.at(ic + ir, pc), p.A.row_stride, p.A.col_stride};
            const Operand b{p.B.at(pc, jc + jr), p.B.row_stride, p.B.col_stride};
            float* c = p.C + (ic + ir) * ldc + (jc + jr);
            if (m == MR && n == NR && b_step == 1)
              update_tile<true>(a, b, kc, alpha, c, ldc, m, n);
            else
              update_tile<false>(a, b, kc, alpha, c, ldc, m, n);
          }
        }
      }
    }
  }
}

}  // namespace gemmlab::detail
