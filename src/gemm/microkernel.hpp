// src/gemm/microkernel.hpp — internal: the micro-kernel contract, and the
// descriptor that says everything the driver needs to know about one.
//
// The blocked and SIMD kernels share one Goto/BLIS-style driver (goto.cpp):
// five loops that cut C, A and B into cache-sized blocks, pack A and B into
// contiguous panels, and hand MR x NR tiles of C to a micro-kernel. Only the
// micro-kernel, its packing and its block sizes differ between kernels; each
// micro-kernel lives in its own file, compiled with its own ISA flags, named
// by ISA and tile (microkernel_avx512_14x32.cpp, microkernel_avx2_6x16.cpp,
// ...), and that file also defines its MicroKernel descriptor (below), with
// the cache arithmetic that chose its block sizes.
// The idea and the contract follow BLIS (the BLIS repository's docs/KernelsHowTo.md, "gemm
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
// PACKING, and why it makes every transpose free. Both panels have the same
// shape once A's are read sideways: a panel is W "lanes" wide (W = MR for A,
// NR for B) and kc steps deep, step p holding W consecutive values. For A the
// lanes are rows i and the steps columns p; for B the lanes are columns j and
// the steps rows p. So one packing routine serves both, given a strided
// source whose element (w, p) is lane w at step p (problem.hpp's Operand):
//   A block:  src = A[ic:, pc:]                 (w, p) = A(ic + w, pc + p)
//   B block:  src = B[pc:, jc:] transposed      (w, p) = B(pc + p, jc + w)
// Whether the caller's A or B was transposed, or column-major, only changes
// the two strides of src; the panels, and the micro-kernel, are the same.
// A source whose lanes are contiguous (row_stride == 1) is copied row by
// row; one whose steps are contiguous (col_stride == 1) is transposed in
// small blocks; any other is gathered element by element.
#pragma once

#include <cstddef>

#include "core/isa.hpp"
#include "gemm/problem.hpp"

namespace gemmlab::detail {

using MicroKernelFn = void (*)(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                               int m, int n);

// Packs lanes [0, lanes) x steps [0, kc) of src into ceil(lanes / W) panels
// of W lanes (W fixed by the function), element (w, p) of panel q at
// [p * W + w - q * W], lanes past `lanes` zero, panels panel_stride(W, kc)
// floats apart.
using PackFn = void (*)(index lanes, int kc, Operand src, float* packed);

// The element type of packed panels, and how many consecutive k values a
// panel stores together for one lane: 1 for float. (A bf16 tile instruction
// multiplies pairs of k values, so its panels group k by 2.)
enum class PanelElement { f32 };

// Cache blocks: MC rows of A, KC of the K dimension, NC columns of B.
struct Blocking {
  int mc = 0, kc = 0, nc = 0;
};

// One micro-kernel and everything the driver needs with it.
// Invariants (checked by the tests): mc % mr == 0, nc % nr == 0, all > 0.
struct MicroKernel {
  const char* name = nullptr;  // ISA and tile, e.g. "avx512_14x32"
  Isa isa = Isa::baseline;     // what fn (and the packing) needs from the CPU
  int mr = 0, nr = 0;          // register tile: MR rows x NR columns of C
  Blocking blocking;           // the cache blocks (see the defining file for the arithmetic)
  MicroKernelFn fn = nullptr;  // the micro-kernel (contract above)
  PackFn pack_a = nullptr;     // packs A into MR-lane panels; nullptr: the portable pack_panels
  PackFn pack_b = nullptr;     // packs B into NR-lane panels; nullptr: the portable pack_panels
  PanelElement element = PanelElement::f32;
  int k_group = 1;  // k values stored together per lane (see PanelElement)
  // The micro-kernel is written to stream both its panels from L2 (its
  // loads per FMA are few enough for L2's bandwidth), so the blocking model
  // sizes KC by L2 instead of keeping the B micro-panel in L1
  // (src/gemm/blocking.cpp; the kernel's file says why it can).
  bool streams_panels_from_l2 = false;
};

// Floats between the starts of two consecutive packed micro-panels of
// `tile` x kc elements: rounded up to a multiple of 16 floats (64 bytes), so
// every micro-panel starts on a 64-byte boundary whatever kc is. Defined in
// goto.cpp (baseline code), and used by every packing function, portable or
// ISA-specific, so that they all agree on it.
std::size_t panel_stride(int tile, int kc);

// The portable packing (goto.cpp): the PackFn contract for any W = tile.
void pack_panels(int tile, index lanes, int kc, Operand src, float* packed);

}  // namespace gemmlab::detail
