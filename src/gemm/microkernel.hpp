// src/gemm/microkernel.hpp — internal: the micro-kernel contract.
//
// The blocked and SIMD kernels share one Goto/BLIS-style driver (goto.cpp):
// five loops that cut C, A and B into cache-sized blocks, pack A and B into
// contiguous panels, and hand MR x NR tiles of C to a micro-kernel. Only the
// micro-kernel (and its block sizes, blocking.hpp) differs between kernels;
// each one lives in its own file, compiled with its own ISA flags, named by
// ISA and tile (microkernel_avx512_14x32.cpp, microkernel_avx2_6x16.cpp, ...).
// The idea and the contract follow BLIS (docs/KernelsHowTo.md, "gemm
// micro-kernel") and Goto & van de Geijn, "Anatomy of High-Performance Matrix
// Multiplication", ACM TOMS 34(3), 2008; written here in our own words.
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
//          Both panels start on a 64-byte boundary, and the kernel may read
//          exactly MR * kc floats of a and NR * kc floats of b (no further:
//          prefetches are hints and may point anywhere).
//   c      row-major, element (i, j) at c[i * ldc + j]; no alignment promised.
//   m, n   the real size of this tile: 1 <= m <= MR, 1 <= n <= NR. At the
//          bottom and right edges of C they are smaller than MR, NR; the
//          kernel computes the whole padded tile in registers but reads and
//          writes only the m x n elements of C (masked or scalar stores), so
//          no memory outside C is ever touched.
//   alpha  any value (the dispatcher has already handled alpha == 0).
//   beta   beta == 0 never reads C (C may hold NaN). The driver passes the
//          caller's beta for the first KC block and 1 for the others.
//
// Because the panels are zero-padded, the arithmetic is the same for every
// tile; only the loads and stores of C know about m and n.
//
// Numerics: each element is a sum of kc products in the order p = 0..kc-1
// (possibly split into a few interleaved partial sums, then added), scaled by
// alpha, plus beta * C: within the bound of gemmlab/numerics.hpp.
//
// The signature below is stable: micro-kernels for other ISAs are written
// against it (tests/test_gemm_paths.cpp checks every one through it).
#pragma once

#include <cstddef>

namespace gemmlab::detail {

using MicroKernelFn = void (*)(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                               int m, int n);

// Floats between the starts of two consecutive packed micro-panels of
// `tile` x kc elements: rounded up to a multiple of 16 floats (64 bytes), so
// every micro-panel starts on a 64-byte boundary whatever kc is. Defined in
// goto.cpp (baseline code), and used by every packing function, portable or
// ISA-specific, so that they all agree on it.
std::size_t panel_stride(int tile, int kc);

// Optional, per micro-kernel: an ISA-specific packing of A with exactly the
// layout of the portable pack_a (goto.hpp) for this kernel's MR: the mc x kc
// block of A (row-major, lda) into MR-row panels, column by column, zero rows
// past mc, panels panel_stride(MR, kc) floats apart.
using PackAFn = void (*)(int mc, int kc, const float* A, int lda, float* packed);

// The same for B: the kc x nc block of B (row-major, ldb) into NR-column
// panels, row by row, zero columns past nc, panels panel_stride(NR, kc)
// floats apart: exactly the layout of the portable pack_b.
using PackBFn = void (*)(int kc, int nc, const float* B, int ldb, float* packed);

// The micro-kernels, each defined in the file of the same name. The ISA ones
// are declared only when the build compiles that ISA's files (Makefile:
// GEMMLAB_HAVE_*). The portable one of Kernel::blocked is one C++ source
// compiled twice, for the baseline and with AVX2 + FMA (microkernel_portable.hpp).
void microkernel_portable_4x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                               int m, int n);
#if defined(GEMMLAB_HAVE_AVX2)
void microkernel_portable_avx2_4x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                                    int m, int n);
void microkernel_avx2_6x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                           int n);
#endif
#if defined(GEMMLAB_HAVE_AVX512)
void microkernel_avx512_14x32(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                              int n);
void pack_a_avx512_14(int mc, int kc, const float* A, int lda, float* packed);
void pack_b_avx512_32(int kc, int nc, const float* B, int ldb, float* packed);
#endif
#if defined(GEMMLAB_HAVE_NEON)
void microkernel_neon_8x12(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                           int n);
#endif

}  // namespace gemmlab::detail
