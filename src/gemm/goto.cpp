// The Goto/BLIS driver: five loops around a micro-kernel, packing, and the
// split of C between threads. See goto.hpp for the loop structure and
// microkernel.hpp for what the micro-kernel promises.
//
// Compiled without ISA flags: packing is plain copying (the compiler
// vectorises it with the baseline SSE2), and the micro-kernel, the only
// arithmetic, is called through cfg.fn.
#include "gemm/goto.hpp"

#include <algorithm>
#include <cstdint>

#include "core/memory.hpp"
#include "gemm/threads.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab::detail {

using index = std::ptrdiff_t;  // row * ld can exceed the range of int

float* AlignedBuffer::reserve(std::size_t count) {
  if (count > capacity_) {
    data_.reset(allocate_floats(count));  // 64-byte aligned; 1 MiB and more on 2 MiB pages (core/memory.hpp)
    capacity_ = count;
  }
  return data_.get();
}

std::size_t panel_stride(int tile, int kc) {
  const std::size_t floats = static_cast<std::size_t>(tile) * static_cast<std::size_t>(kc);
  return (floats + 15) / 16 * 16;  // 16 floats = 64 bytes
}

void pack_a(int mc, int kc, const float* A, int lda, int mr, float* packed) {
  const std::size_t stride = panel_stride(mr, kc);
  for (int i0 = 0; i0 < mc; i0 += mr, packed += stride) {
    const int rows = std::min(mr, mc - i0);
    // Read A along its rows (contiguous) and scatter into the panel, whose
    // columns are MR floats apart: the panel (MR * KC floats, 28 KiB for
    // 14 x 512) stays in L1 while it is written.
    for (int i = 0; i < rows; ++i) {
      const float* a_row = A + index(i0 + i) * lda;
      for (int p = 0; p < kc; ++p) packed[index(p) * mr + i] = a_row[p];
    }
    for (int i = rows; i < mr; ++i)  // zero padding below the last row of A
      for (int p = 0; p < kc; ++p) packed[index(p) * mr + i] = 0.0f;
  }
}

void pack_b(int kc, int nc, const float* B, int ldb, int nr, float* packed) {
  const std::size_t stride = panel_stride(nr, kc);
  const int full_panels = nc / nr, edge_cols = nc % nr;
  // Row by row: each row of B[0:kc, 0:nc] is read once from start to end and
  // dealt out to the panels, NR floats to each. Reading panel by panel
  // instead (NR floats of every row, then the next NR) jumps ldb floats at
  // every step: a new page each time for a large B, which the hardware
  // prefetcher does not follow. Measured (simd-avx512, 1 thread, N = 1024,
  // perf record, 2026-11-27): packing B took 4.3% of the time panel by panel
  // (memcpy of NR floats per row), 3.7% row by row.
  for (int p = 0; p < kc; ++p) {
    const float* b_row = B + index(p) * ldb;
    float* dst = packed + index(p) * nr;
    for (int panel = 0; panel < full_panels; ++panel, b_row += nr, dst += stride)
      for (int j = 0; j < nr; ++j) dst[j] = b_row[j];
    if (edge_cols > 0) {
      for (int j = 0; j < edge_cols; ++j) dst[j] = b_row[j];
      for (int j = edge_cols; j < nr; ++j) dst[j] = 0.0f;  // zero padding right of the last column of B
    }
  }
}

namespace {

// The packing buffers of one thread. thread_local, because
//  * allocating per call is not free: a few MiB from malloc is a fresh mmap
//    whose pages fault in on first touch, tens of microseconds per call;
//  * one buffer per thread (user threads and pool workers alike) means two
//    concurrent sgemm calls never share packing memory, without any lock.
// The buffers only grow, and are freed when their thread exits.
struct PackingBuffers {
  AlignedBuffer a, b;
};
PackingBuffers& packing_buffers() {
  thread_local PackingBuffers buffers;
  return buffers;
}

int round_up(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }

}  // namespace

void goto_sgemm_serial(const MicroKernelConfig& cfg, int M, int N, int K, float alpha, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc) {
  const int MR = cfg.mr, NR = cfg.nr;
  PackingBuffers& buffers = packing_buffers();
  const int kc_max = std::min(cfg.kc, K);
  float* packed_b =
      buffers.b.reserve(panel_stride(NR, kc_max) * static_cast<std::size_t>(round_up(std::min(cfg.nc, N), NR) / NR));
  float* packed_a =
      buffers.a.reserve(panel_stride(MR, kc_max) * static_cast<std::size_t>(round_up(std::min(cfg.mc, M), MR) / MR));

  // 5th loop around the micro-kernel (jc, NC): a block of NC columns of B and C.
  for (int jc = 0; jc < N; jc += cfg.nc) {
    const int nc = std::min(cfg.nc, N - jc);

    // 4th loop around the micro-kernel (pc, KC): a KC-deep slice of the sum.
    // Only the first slice applies the caller's beta; the others add to C.
    for (int pc = 0; pc < K; pc += cfg.kc) {
      const int kc = std::min(cfg.kc, K - pc);
      const float beta_here = pc == 0 ? beta : 1.0f;
      const std::size_t a_stride = panel_stride(MR, kc), b_stride = panel_stride(NR, kc);
      // B[pc:+kc, jc:+nc] -> NR-column micro-panels, reused by every ic below.
      if (cfg.pack_b != nullptr)
        cfg.pack_b(kc, nc, B + index(pc) * ldb + jc, ldb, packed_b);
      else
        pack_b(kc, nc, B + index(pc) * ldb + jc, ldb, NR, packed_b);

      // 3rd loop around the micro-kernel (ic, MC): a block of MC rows of A and C.
      for (int ic = 0; ic < M; ic += cfg.mc) {
        const int mc = std::min(cfg.mc, M - ic);
        // A[ic:+mc, pc:+kc] -> MR-row micro-panels, reused by every jr below.
        if (cfg.pack_a != nullptr)
          cfg.pack_a(mc, kc, A + index(ic) * lda + pc, lda, packed_a);
        else
          pack_a(mc, kc, A + index(ic) * lda + pc, lda, MR, packed_a);

        // 2nd loop around the micro-kernel (jr, NR): one B micro-panel, kept in L1.
        for (int jr = 0; jr < nc; jr += NR) {
          const int n = std::min(NR, nc - jr);
          const float* b_panel = packed_b + static_cast<std::size_t>(jr / NR) * b_stride;

          // 1st loop around the micro-kernel (ir, MR): one A micro-panel from L2.
          for (int ir = 0; ir < mc; ir += MR) {
            const int m = std::min(MR, mc - ir);
            const float* a_panel = packed_a + static_cast<std::size_t>(ir / MR) * a_stride;
            float* c_tile = C + index(ic + ir) * ldc + (jc + jr);
            cfg.fn(kc, alpha, a_panel, b_panel, beta_here, c_tile, ldc, m, n);
          }
        }
      }
    }
  }
}

int requested_threads() { return num_threads(); }

// Below kMinParallelFlops (2 * 160^3) a call runs on the calling thread alone:
// it is too short to pay for waking a worker and for each thread packing its
// own copy of the shared operand. Waking a sleeping worker on this virtual
// machine costs tens of microseconds, not the few a bare-metal condition
// variable takes. Measured in `make bench` (2026-11-27 14:22 UTC, GFLOP/s,
// 1 thread -> 2 threads) with the earlier threshold 2 * 64^3:
//   blocked     64^3 45.8 -> 8.1   128^3 55.0 -> 38.7   192^3 60.1 -> 79.3
//   simd-avx2   64^3 55.8 -> 8.3   128^3 68.3 -> 46.3   192^3 75.8 -> 90.6
// so two threads lose up to 128^3 and win from 192^3. The split costs each
// thread its own copy of the packed A blocks (column split) or B blocks (row
// split): for N >= 512 that is under 1% of the arithmetic.
namespace {
constexpr double kMinParallelFlops = 2.0 * 160 * 160 * 160;
}

void goto_sgemm(const MicroKernelConfig& cfg, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                int ldb, float beta, float* C, int ldc) {
  split_between_threads(M, N, K, cfg.mr, cfg.nr, kMinParallelFlops, [&](int row0, int rows, int col0, int cols) {
    goto_sgemm_serial(cfg, rows, cols, K, alpha, A + index(row0) * lda, lda, B + col0, ldb, beta,
                      C + index(row0) * ldc + col0, ldc);
  });
}

}  // namespace gemmlab::detail
