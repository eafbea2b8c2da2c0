// src/gemm/microkernel.hpp — internal: the micro-kernel contract.
//
// The blocked and SIMD kernels share one Goto/BLIS-style driver (goto.cpp):
// five loops that cut C, A and B into cache-sized blocks, pack A and B into
// contiguous panels, and hand MR x NR tiles of C to a micro-kernel. Only the
// micro-kernel (and its block sizes) differs between kernels; each one lives in
// its own file, compiled with its own ISA flags, named by ISA and tile
// (microkernel_avx512_12x32.cpp, microkernel_avx2_6x16.cpp, ...).
//
// THE CONTRACT. A micro-kernel computes, for one tile of C,
//
//     C[0:m, 0:n] := alpha * (A_panel · B_panel) + beta * C[0:m, 0:n]
//
//   kc     >= 1, the depth of the panels (one KC block of the K dimension).
//   a      packed A micro-panel, MR x kc, stored column by column: element
//          (i, p) at a[p * MR + i]. Rows m..MR-1 are zero (padding).
//   b      packed B micro-panel, kc x NR, stored row by row: element (p, j) at
//          b[p * NR + j]. Columns n..NR-1 are zero (padding).
//          Both panels start on a 64-byte boundary.
//   c      row-major, element (i, j) at c[i * ldc + j].
//   m, n   the real size of this tile: 1 <= m <= MR, 1 <= n <= NR. At the
//          bottom and right edges of C they are smaller than MR, NR; the
//          kernel computes the whole padded tile in registers but reads and
//          writes only the m x n elements of C (masked or scalar stores), so
//          no memory outside C is ever touched.
//   beta   beta == 0 never reads C (C may hold NaN). The driver passes the
//          caller's beta for the first KC block and 1 for the others.
//
// Because the panels are zero-padded, the arithmetic is the same for every
// tile; only the loads and stores of C know about m and n.
#pragma once

namespace gemmlab::detail {

using MicroKernelFn = void (*)(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                               int m, int n);

}  // namespace gemmlab::detail
