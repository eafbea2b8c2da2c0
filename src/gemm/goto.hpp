// src/gemm/goto.hpp — internal: the Goto/BLIS driver shared by the blocked
// and SIMD kernels.
//
// goto_sgemm computes C := alpha * A * B + beta * C (row-major, as sgemm) with
// five loops around a micro-kernel (Goto & van de Geijn 2008; the BLIS
// "five loops" of Van Zee & van de Geijn 2015):
//
//   5th loop  jc over N in steps of NC   a column block of B and C
//   4th loop  pc over K in steps of KC   pack B[pc:+KC, jc:+NC] into NR-column panels (L3)
//   3rd loop  ic over M in steps of MC   pack A[ic:+MC, pc:+KC] into MR-row panels (L2)
//   2nd loop  jr over NC in steps of NR  one B micro-panel (stays in L1)
//   1st loop  ir over MC in steps of MR  one A micro-panel: micro-kernel on an MR x NR tile
//
// The micro-kernel and the block sizes come from a MicroKernelConfig
// (blocking.hpp holds the table). This file is compiled without ISA flags:
// it only moves memory and calls the micro-kernel through a pointer, so the
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

#include "gemm/microkernel.hpp"
#include "gemm/threads.hpp"

namespace gemmlab::detail {

// One micro-kernel and the block sizes the driver uses with it.
// Invariants (checked by the tests): mc % mr == 0, nc % nr == 0, all > 0.
struct MicroKernelConfig {
  const char* name = nullptr;        // ISA and tile, e.g. "avx512_14x32"
  int mr = 0, nr = 0;                // register tile: MR rows x NR columns of C
  int mc = 0, kc = 0, nc = 0;        // cache blocks (see blocking.cpp for the arithmetic)
  MicroKernelFn fn = nullptr;        // the micro-kernel (microkernel.hpp contract)
  bool (*cpu_supports)() = nullptr;  // may this CPU run fn?
  PackAFn pack_a = nullptr;          // optional faster pack_a for this MR (same layout); nullptr: the portable one
  PackBFn pack_b = nullptr;          // the same for pack_b and NR
};

// C := alpha * A * B + beta * C with the given micro-kernel. Same argument
// rules as a kernel function (kernels.hpp): M, N, K >= 1, alpha != 0,
// beta == 0 never reads C. Threaded when num_threads() > 1 and the problem
// is large enough to pay for waking the pool (see goto.cpp).
void goto_sgemm(const MicroKernelConfig& cfg, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                int ldb, float beta, float* C, int ldc);

// How the threads share one call: C is cut into `parts` (at most
// num_threads()) blocks of whole columns (multiples of col_tile) or, when C
// has fewer column tiles than row tiles, of whole rows (multiples of
// row_tile), and serial(row0, rows, col0, cols) runs on each block in the
// pool. Each block is an independent sgemm on sub-matrices, so the threads
// never synchronise until the end. Below min_flops the call runs on the
// calling thread alone: too short to pay for waking a worker.
template <class Serial>
void split_between_threads(int M, int N, int K, int row_tile, int col_tile, double min_flops, Serial&& serial);

// The same on the calling thread only (the pool's tasks call this).
void goto_sgemm_serial(const MicroKernelConfig& cfg, int M, int N, int K, float alpha, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc);

// ---- packing (exposed for the tests) -------------------------------------------

// (panel_stride(tile, kc), the distance between packed micro-panels, is
// declared in microkernel.hpp, where the ISA packing functions see it too.)

// Packs the mc x kc block of A (row-major, lda) into ceil(mc / mr) micro-panels
// of mr rows, each stored column by column (element (i, p) of a panel at
// [p * mr + i]), panel_stride(mr, kc) floats apart; rows past mc are zero.
void pack_a(int mc, int kc, const float* A, int lda, int mr, float* packed);

// Packs the kc x nc block of B (row-major, ldb) into ceil(nc / nr) micro-panels
// of nr columns, each stored row by row (element (p, j) at [p * nr + j]),
// panel_stride(nr, kc) floats apart; columns past nc are zero.
void pack_b(int kc, int nc, const float* B, int ldb, int nr, float* packed);

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

// ---- split_between_threads (a template: defined here) -----------------------

int requested_threads();  // num_threads(), without including the public header here

template <class Serial>
void split_between_threads(int M, int N, int K, int row_tile, int col_tile, double min_flops, Serial&& serial) {
  // Small calls first, before the divisions and the call to read the thread
  // setting: the seed RNN's 8 x 5 x 3 product takes ~25 ns in all, and this
  // order saves ~1.5 of them (measured 26.3 -> 24.9 ns per call).
  if (2.0 * M * N * K < min_flops) {
    serial(0, M, 0, N);
    return;
  }
  const int column_tiles = (N + col_tile - 1) / col_tile, row_tiles = (M + row_tile - 1) / row_tile;
  const bool split_columns = column_tiles >= row_tiles;
  const int tiles = split_columns ? column_tiles : row_tiles;
  const int threads = requested_threads();
  const int parts = threads < tiles ? threads : tiles;
  if (parts <= 1) {
    serial(0, M, 0, N);
    return;
  }
  auto task = [&](int t) {  // whole tiles, as evenly as possible
    const int tile = split_columns ? col_tile : row_tile, size = split_columns ? N : M;
    const int begin = static_cast<int>(static_cast<long long>(tiles) * t / parts) * tile;
    int end = static_cast<int>(static_cast<long long>(tiles) * (t + 1) / parts) * tile;
    end = end < size ? end : size;
    if (begin >= end) return;
    if (split_columns)
      serial(0, M, begin, end - begin);
    else
      serial(begin, end - begin, 0, N);
  };
  run_parallel(parts, TaskRef(task));
}

}  // namespace gemmlab::detail
