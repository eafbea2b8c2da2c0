// Step 4: packing — register_tile.cpp, with the blocks of A and B copied into the order the tile reads them.
//
// register_tile.cpp reads its tile of B as kc pieces of NR floats, ldb
// floats apart, and its tile of A as MR floats from rows lda apart. Those
// strides cost: when ld is a multiple of 1024 floats (4 KiB), the kc rows of
// B's sliver all fall into the same few sets of the L1 cache and evict each
// other; a transposed B is read one float per row; and every row is another
// page for the TLB. Packing pays the stride once per block, not once per
// tile: each block is copied, once, into contiguous micro-panels,
//
//   A[ic:+mc, pc:+kc]  into MR-row panels, each stored column by column:
//                      element (i, k) of a panel at [k * MR + i];
//   B[pc:+kc, jc:+nc]  into NR-column panels, each stored row by row:
//                      element (k, j) of a panel at [k * NR + j];
//
// so the tile loop reads both panels from start to end, whatever the layout,
// transpose or leading dimension of A and B. The copies are cheap beside
// the arithmetic: A's block (mc x kc) serves nc / NR tiles, one move per nc
// = 256 multiply-adds; B's block (kc x nc) serves all M rows, one move per
// M multiply-adds.
//
// The panels are padded with zeros to whole tiles, so every tile runs the
// same constant-trip-count k loop, and a transposed B no longer takes a
// slow copy; only the load and store of C know the tile's real size.
//
// Same bits as tiled.cpp: a copy moves values and changes no sum.
//
// What is left for blocked (goto.cpp): these loops, with the tile split out
// as a micro-kernel behind a descriptor (microkernel.hpp), block sizes from
// the caches, threads, and the micro-kernel compiled twice (baseline and
// AVX2 + FMA) and chosen at run time.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "gemm/problem.hpp"
#include "gemm/teaching_blocks.hpp"

namespace gemmlab::detail {

using teaching::KC, teaching::NC, teaching::MC, teaching::MR, teaching::NR;  // the block sizes (teaching_blocks.hpp)

namespace {

// Copies lanes [0, lanes) x steps [0, kc) of src into panels of W lanes,
// lane w of step k at out[k * W + w] within its panel, panels W * kc floats
// apart, lanes past `lanes` zero. A's block is src as it lies (lanes: its
// rows); B's is read transposed (lanes: its columns), so one routine packs
// both, and a transposed or column-major operand changes only src's strides.
void pack(Operand src, index lanes, index kc, int W, float* out) {
  for (index q = 0; q < lanes; q += W)  // one panel of W lanes
    for (index k = 0; k < kc; ++k)
      for (index w = q; w < q + W; ++w) *out++ = w < lanes ? src(w, k) : 0.0f;
}

// One tile over one k-block: C[0:m, 0:n] += alpha * A_panel * B_panel, where
// a and b are whole packed panels (zero-padded), read with unit stride. The
// k loop has constant trip counts for every tile, so the compiler unrolls
// the i and j loops, keeps every acc[i][j] in a register and vectorises
// along j. Two copies still: `whole` (a whole MR x NR tile) also loads and
// stores C at constant bounds; the other copy, at the edges of C, loads and
// stores only the m x n corner of the tile.
template <bool whole>
void update_tile(const float* a, const float* b, index kc, float alpha, float* c, index ldc, int m, int n) {
  const int rows = whole ? MR : m, cols = whole ? NR : n;
  float acc[MR][NR] = {};
  for (int i = 0; i < rows; ++i)  // the tile of C into registers, once per k-block
    for (int j = 0; j < cols; ++j) acc[i][j] = c[i * ldc + j];
  const float* a_col = a;  // column k of A's panel: MR floats, contiguous
  const float* b_row = b;  // row k of B's panel: NR floats, contiguous
  // kc rank-1 updates: acc += A(:, k) * B(k, :)
  for (index k = 0; k < kc; ++k, a_col += MR, b_row += NR) {
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const float a_ik = alpha * a_col[i];
#pragma GCC unroll 16
      for (int j = 0; j < NR; ++j) acc[i][j] += a_ik * b_row[j];
    }
  }
  for (int i = 0; i < rows; ++i)  // and back to C, once
    for (int j = 0; j < cols; ++j) c[i * ldc + j] = acc[i][j];
}

}  // namespace

void sgemm_packed(const GemmProblem& p) {
  // In locals: C's floats could alias p.alpha and p.beta as far as the
  // compiler knows (see naive.cpp).
  const index M = p.M, N = p.N, K = p.K, ldc = p.ldc;
  const float alpha = p.alpha, beta = p.beta;
  // C := beta * C once, up front; the blocks below only add to it.
  for (index i = 0; i < M; ++i) {
    float* c_row = p.C + i * ldc;
    for (index j = 0; j < N; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];  // beta == 0 never reads C
  }
  // The packed blocks, sized for the largest block of this product (at most
  // MC x KC and KC x NC floats: 32 KiB and 128 KiB), in whole tiles.
  const index kc_max = std::min<index>(KC, K);
  std::vector<float> packed_a(static_cast<std::size_t>((std::min<index>(MC, M) + MR - 1) / MR * MR * kc_max));
  std::vector<float> packed_b(static_cast<std::size_t>((std::min<index>(NC, N) + NR - 1) / NR * NR * kc_max));
  for (index jc = 0; jc < N; jc += NC) {  // a block of NC columns of B and C
    const index nc = std::min<index>(NC, N - jc);
    for (index pc = 0; pc < K; pc += KC) {  // a KC-deep slice of the sum: B block KC x NC stays in L2
      const index kc = std::min<index>(KC, K - pc);
      const Operand b_block{p.B.at(pc, jc), p.B.row_stride, p.B.col_stride};
      // B's block into NR-column panels: its lanes are B's columns, so it is read transposed.
      pack(b_block.transposed(), nc, kc, NR, packed_b.data());
      for (index ic = 0; ic < M; ic += MC) {  // a block of MC rows of A and C
        const index mc = std::min<index>(MC, M - ic);
        const Operand a_block{p.A.at(ic, pc), p.A.row_stride, p.A.col_stride};
        pack(a_block, mc, kc, MR, packed_a.data());  // A's block into MR-row panels: its lanes are A's rows
        // The tiles of the block, a column of tiles at a time: B's kc x NR
        // panel (8 KiB) stays in L1 while the MC / MR tiles beside it use it.
        for (index jr = 0; jr < nc; jr += NR) {  // NR columns of B and C ...
          const int n = static_cast<int>(std::min<index>(NR, nc - jr));
          for (index ir = 0; ir < mc; ir += MR) {  // ... times MR rows of A and C: one tile
            const int m = static_cast<int>(std::min<index>(MR, mc - ir));
            const float* a = packed_a.data() + ir * kc;  // panel ir / MR: MR * kc floats each
            const float* b = packed_b.data() + jr * kc;  // panel jr / NR: NR * kc floats each
            float* c = p.C + (ic + ir) * ldc + (jc + jr);
            if (m == MR && n == NR)
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
