// src/gemm/bf16_microkernel.hpp — internal: the bf16 micro-kernel contract,
// its packed-panel layout, and the descriptor the bf16 driver reads.
//
// The bf16 kernels use the same five loops as the float ones (goto.hpp,
// goto_bf16.cpp): only what a panel holds changes. The instructions multiply
// bf16 numbers in small groups along k and add each group's products into
// one float: vdpbf16ps two k values per float lane, tdpbf16ps a 16 x 32 tile of
// A (32 k values per row) by a 32 x 16 tile of B whose rows hold k in pairs.
// So a packed panel stores k in groups of g consecutive values per lane:
//
//   a panel of W lanes and depth D (D a multiple of g), element (w, p) at
//       (p / g) * (W * g)  +  w * g  +  p % g
//
//   g = 1:  step p holds lanes 0..W-1 (the float layout of microkernel.hpp);
//   g = 2:  "pair-interleaved" or VNNI: lane w's k pair (2q, 2q+1) side by
//           side, the pairs of all W lanes in a row, then the next pair;
//   g = 32: lane w's 32 consecutive k values side by side (64 bytes, one
//           row of an AMX A tile), the W lanes after each other.
//
// For A the lanes are rows, for B columns (the same symmetry as float
// packing, microkernel.hpp), so one packing routine serves both. Lanes past
// the operand's edge and k past kc up to D are zero: a zero pair adds
// nothing, so the kernel never needs an edge case in k, and D rounds kc up to
// what the instruction consumes at once (2 for vdpbf16ps, 32 for a tile).
//
// THE CONTRACT. fn computes, for one tile of C,
//     C[0:m, 0:n] := alpha * (A_panel · B_panel) + beta * C[0:m, 0:n]
// with a an MR-lane A panel of depth D in a_group layout, b an NR-lane B
// panel of depth D in b_group layout, both starting on a 64-byte boundary;
// c row-major with leading dimension ldc; 1 <= m <= MR, 1 <= n <= NR; beta
// == 0 never reads C; only the m x n elements of C are written. Products of
// bf16 numbers are exact in float; the sums are float.
#pragma once

#include <cstddef>
#include <vector>

#include "core/isa.hpp"
#include "gemm/goto.hpp"
#include "gemm/microkernel.hpp"
#include "gemm/sbgemm_problem.hpp"
#include "gemmlab/bf16.hpp"

namespace gemmlab::detail {

using Bf16MicroKernelFn = void (*)(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc,
                                   int m, int n);

// Packs lanes [0, lanes) x steps [0, kc) of src into panels of depth D in
// one micro-kernel's layout (W and g fixed by the function): the contract of
// pack_bf16_panels below.
using Bf16PackFn = void (*)(index lanes, int kc, int depth, Bf16Operand src, bf16* packed);

struct Bf16MicroKernel {
  const char* name = nullptr;  // e.g. "avx512bf16_14x32", "amx_32x32"
  Isa isa = Isa::baseline;     // what fn needs from the CPU
  int mr = 0, nr = 0;          // register (or tile) blocking: MR rows x NR columns of C
  int a_group = 1;             // g of the A panels
  int b_group = 1;             // g of the B panels
  int depth_multiple = 1;      // D is kc rounded up to this (a multiple of both groups)
  Blocking blocking;           // cache blocks, in elements (see the defining file)
  Bf16MicroKernelFn fn = nullptr;
  // ISA-specific packing of A (MR lanes, a_group) and B (NR lanes,
  // b_group); nullptr: the portable pack_bf16_panels.
  Bf16PackFn pack_a = nullptr;
  Bf16PackFn pack_b = nullptr;
  // Called by the driver on every thread before its first micro-kernel call
  // of a multiplication (AMX loads its tile configuration here, once per
  // thread); nullptr: nothing to prepare.
  void (*prepare_thread)() = nullptr;
};

// The depth D of panels for kc steps.
inline int panel_depth(const Bf16MicroKernel& mk, int kc) {
  return (kc + mk.depth_multiple - 1) / mk.depth_multiple * mk.depth_multiple;
}

// bf16 elements between the starts of consecutive panels of W lanes and
// depth D: W * D rounded up to 32 (64 bytes), so every panel is aligned.
inline std::size_t bf16_panel_stride(int lanes, int depth) {
  const std::size_t n = static_cast<std::size_t>(lanes) * static_cast<std::size_t>(depth);
  return (n + 31) / 32 * 32;
}

// Packs lanes [0, lanes) x steps [0, kc) of src into ceil(lanes / W) panels
// of W lanes, group g and depth D >= kc (a multiple of g), in the layout
// above, zeros past the edges; panels bf16_panel_stride(W, D) apart. A
// float source is rounded to nearest even as it is read (goto_bf16.cpp).
void pack_bf16_panels(int W, int g, int depth, index lanes, int kc, Bf16Operand src, bf16* packed);

// C := alpha * A * B + beta * C with the given micro-kernel, threaded as
// goto_sgemm is; returns the number of parts (goto_bf16.cpp).
int goto_sbgemm(const Bf16MicroKernel& mk, const SbgemmProblem& p);

// A B packed once, ahead of the products that use it (a layer's weights):
// every KC x NC block the driver would pack, in the order of the loops
// (column blocks, then depth blocks in each), with the panel layout of its
// micro-kernel. The driver then reads the panels instead of packing B.
struct PrepackedB {
  const Bf16MicroKernel* mk = nullptr;
  index K = 0, N = 0;
  index depth_blocks = 0;            // ceil(K / KC)
  std::vector<std::size_t> offsets;  // per (column block, depth block): where its panels start
  AlignedBuffer storage;             // the panels, 64-byte aligned as the micro-kernels need
  bf16* data = nullptr;              // = storage, as bf16

  // The panels of the block holding absolute column `col` (a multiple of NR)
  // and depth pc (a multiple of KC), from that column's panel on.
  const bf16* panels(index col, index pc) const;
};

// Packs op(B), K x N, for mk (B as problem.hpp describes operands).
void prepack_b(const Bf16MicroKernel& mk, Bf16Operand B, index K, index N, PrepackedB& out);

// The driver with B prepacked: p.B is unused, p.K and p.N must be b's, and
// p.b_col0 says where p's columns start in b.
int goto_sbgemm_prepacked(const Bf16MicroKernel& mk, const SbgemmProblem& p, const PrepackedB& b);

// How many KC x NC blocks of B the driver has packed during calls, in this
// process: the tests read it to see that a prepacked B is not packed again.
std::size_t bf16_b_blocks_packed();

}  // namespace gemmlab::detail
