// src/gemm/goto.hpp — internal: the Goto/BLIS driver shared by the blocked
// and SIMD kernels.
//
// goto_sgemm computes C := alpha * A * B + beta * C (problem.hpp: A and B in
// any layout, C row-major) with five loops around a micro-kernel (Goto & van
// de Geijn 2008; the BLIS "five loops" of Van Zee & van de Geijn 2015):
//
//   5th loop  jc over N in steps of NC   a column block of B and C
//   4th loop  pc over K in steps of KC   pack B[pc:+KC, jc:+NC] into NR-column panels (L3)
//   3rd loop  ic over M in steps of MC   pack A[ic:+MC, pc:+KC] into MR-row panels (L2)
//   2nd loop  jr over NC in steps of NR  one B micro-panel (from L2; L1 when it fits)
//   1st loop  ir over MC in steps of MR  one A micro-panel: micro-kernel on an MR x NR tile
//
// The micro-kernel, its packing and its block sizes come from a MicroKernel
// descriptor (microkernel.hpp). This file is compiled without ISA flags: it
// only moves memory and calls the micro-kernel through a pointer, so the
// same driver serves every instruction set.
//
// Threads: goto_sgemm splits C into num_threads() independent blocks of
// columns (or of rows, when C is tall and narrow) and runs the five loops on
// each block in the persistent pool (threads.hpp). Each thread packs into its
// own buffers, so no thread waits for another until the end of the call.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <vector>

#include "gemm/microkernel.hpp"
#include "gemm/problem.hpp"
#include "gemm/threads.hpp"

namespace gemmlab::detail {

// C := alpha * A * B + beta * C with the given micro-kernel. Same argument
// rules as a kernel function (problem.hpp). Threaded when num_threads() > 1
// and the problem is large enough to pay for waking the pool (see goto.cpp).
// Returns the number of parts the call was split into.
int goto_sgemm(const MicroKernel& mk, const GemmProblem& p);
// The smallest call (in flops) goto_sgemm splits between threads (goto.cpp says why).
inline constexpr double packed_min_parallel_flops = 2.0 * 160 * 160 * 160;

// The same on the calling thread only (the pool's tasks call this).
void goto_sgemm_serial(const MicroKernel& mk, const GemmProblem& p);

// The five loops on the calling thread with the given block sizes instead
// of the ones mk runs with here (blocking_for): for sgemm_with_blocks and
// the tuner (gemmlab/gemm.hpp). blk must keep the driver's invariants: all
// sizes >= 1, mc a multiple of mk.mr, nc of mk.nr.
void goto_sgemm_serial(const MicroKernel& mk, const Blocking& blk, const GemmProblem& p);

// How the threads share one call: C is cut into `parts` (at most
// num_threads()) blocks of whole columns (multiples of col_tile) or, when C
// has fewer column tiles than row tiles, of whole rows (multiples of
// row_tile), and serial(block) runs on each block (a GemmProblem) in the
// pool. Each block is an independent multiplication on sub-matrices, so the
// threads never synchronise until the end. Below min_flops the call runs on
// the calling thread alone: too short to pay for waking a worker.
// Returns the number of parts the call was split into (1: not split).
// Problem is GemmProblem or SbgemmProblem (sbgemm_problem.hpp): anything
// with M, N, K and block().
template <class Problem, class Serial>
int split_between_threads(const Problem& p, index row_tile, index col_tile, double min_flops, Serial&& serial);

// A float buffer aligned to 64 bytes (a cache line, and one zmm register; 1 MiB
// and more on 2 MiB pages, see core/memory.hpp), so
// aligned vector loads of packed panels never split a cache line. It only
// grows: reserve(n) reallocates when n exceeds the capacity, else it is free.
class AlignedBuffer {
 public:
  float* reserve(std::size_t count);
  float* data() const { return data_.get(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }  // from allocate_floats (core/memory.hpp)
  };
  std::unique_ptr<float[], Free> data_;
  std::size_t capacity_ = 0;
};

// ---- a B packed once (gemmlab::PackedMatrix) ----------------------------------

// Every KC x NC block of B that the five loops would pack, packed ahead of
// the products that use it (a layer's weights), in the order of the loops
// (column blocks, then depth blocks in each), with the panel layout of mk
// and the block sizes it was packed with. The driver then reads the panels
// instead of packing B.
struct PrepackedPanels {
  const MicroKernel* mk = nullptr;
  Blocking blocking;  // KC and NC of the panels; the driver runs with these
  index K = 0, N = 0;
  index depth_blocks = 0;            // ceil(K / KC)
  std::vector<std::size_t> offsets;  // per (column block, depth block): where its panels start
  AlignedBuffer storage;             // the panels, 64-byte aligned as the micro-kernels need

  // The panels of the block holding absolute column `col` (a multiple of NR)
  // and depth pc (a multiple of KC), from that column's panel on.
  const float* panels(index col, index pc) const;
};

// Calls f(jc, pc, nc, kc) for every KC x NC block of a K x N B, in the
// order of the five loops (column blocks, then the depth blocks of each):
// the order in which a B packed ahead of time (PrepackedPanels, and the
// bf16 PrepackedB) stores its blocks.
template <class F>
void for_each_b_block(const Blocking& blk, index K, index N, F&& f) {
  for (index jc = 0; jc < N; jc += blk.nc)
    for (index pc = 0; pc < K; pc += blk.kc)
      f(jc, pc, N - jc < blk.nc ? N - jc : blk.nc, static_cast<int>(K - pc < blk.kc ? K - pc : blk.kc));
}

// Where each of those blocks starts (offsets, in for_each_b_block's order)
// when a block of nc columns and kc steps takes size_of(nc, kc) elements
// with its padding; returns the elements of all of them.
template <class SizeOf>
std::size_t b_block_offsets(const Blocking& blk, index K, index N, std::vector<std::size_t>& offsets,
                            SizeOf&& size_of) {
  offsets.clear();
  std::size_t size = 0;
  for_each_b_block(blk, K, N, [&](index, index, index nc, int kc) {
    offsets.push_back(size);
    size += size_of(nc, kc);
  });
  return size;
}

// Packs op(B), K x N >= 1 x 1 (an Operand as problem.hpp describes it), for mk
// with the blocks it runs with here (blocking_for).
void prepack_panels(const MicroKernel& mk, Operand B, index K, index N, PrepackedPanels& out);

// The five loops with B prepacked: p.B is unused, p.K and p.N must be
// b's, and p.b_col0 says where p's columns start in b. Threaded as
// goto_sgemm is; returns the number of parts.
int goto_sgemm_prepacked(const MicroKernel& mk, const GemmProblem& p, const PrepackedPanels& b);

// How often a float B has been packed in this process: PackedMatrix
// constructions, and the KC x NC blocks of B that the five loops (and the
// small path's copy of a transposed B) packed during calls. Relaxed atomic
// counts, one increment per packed matrix or block, never per element: the
// tests read them to see that a layer packs its weights once. The in-call
// count is a lower bound when threads pack at once (goto.cpp says why);
// a zero is exact.
struct FloatPackCounts {
  std::size_t packed_matrices = 0;
  std::size_t b_blocks_in_calls = 0;
};
FloatPackCounts float_pack_counts();
void count_packed_matrix();
void count_b_block_in_call();

// ---- split_between_threads (a template: defined here) -----------------------

int requested_threads();  // num_threads(), without including the public header here

// The split itself, out of line: only calls large enough to be split get here.
template <class Problem, class Serial>
[[gnu::noinline]] int split_into_parts(const Problem& p, index row_tile, index col_tile, Serial& serial) {
  const index M = p.M, N = p.N;
  const index column_tiles = (N - 1) / col_tile + 1, row_tiles = (M - 1) / row_tile + 1;
  const bool split_columns = column_tiles >= row_tiles;
  const index tiles = split_columns ? column_tiles : row_tiles;
  const index threads = requested_threads();
  const int parts = static_cast<int>(threads < tiles ? threads : tiles);
  if (parts <= 1) {
    serial(p);
    return 1;
  }
  auto task = [&](int t) {  // whole tiles, as evenly as possible
    const index tile = split_columns ? col_tile : row_tile, size = split_columns ? N : M;
    const index begin = tiles * t / parts * tile;
    index end = tiles * (t + 1) / parts * tile;
    end = end < size ? end : size;
    if (begin >= end) return;
    serial(split_columns ? p.block(0, M, begin, end - begin) : p.block(begin, end - begin, 0, N));
  };
  run_parallel(parts, TaskRef(task));
  return parts;
}

template <class Problem, class Serial>
[[gnu::always_inline]] inline int split_between_threads(const Problem& p, index row_tile, index col_tile,
                                                        double min_flops, Serial&& serial) {
  // Small calls first, before the divisions and the call to read the thread
  // setting, inline: the seed RNN's 8 x 5 x 3 product takes ~25 ns in all.
  if (2.0 * static_cast<double>(p.M) * static_cast<double>(p.N) * static_cast<double>(p.K) < min_flops) {
    serial(p);
    return 1;
  }
  return split_into_parts(p, row_tile, col_tile, serial);
}

}  // namespace gemmlab::detail
