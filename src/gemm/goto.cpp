// The Goto/BLIS driver: five loops around a micro-kernel, packing, and the
// split of C between threads. See goto.hpp for the loop structure and
// microkernel.hpp for what the micro-kernel promises.
//
// Compiled without ISA flags: packing is plain copying (the compiler
// vectorises it with the baseline SSE2), and the micro-kernel, the only
// arithmetic, is called through mk.fn.
#include "gemm/goto.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "core/memory.hpp"
#include "gemm/blocking.hpp"
#include "gemm/threads.hpp"
#include "gemmlab/gemm.hpp"
#include "rnn/activation.hpp"

namespace gemmlab::detail {

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

void pack_panels(int tile, index lanes, int kc, Operand src, float* packed) {
  const std::size_t stride = panel_stride(tile, kc);
  const index panels = (lanes + tile - 1) / tile;
  if (src.row_stride == 1) {
    // Lanes contiguous (B untransposed, or A transposed): step p of every
    // panel is one run of the source, copied as it lies. Step by step, so
    // the source is read from start to end of each of its rows: reading
    // panel by panel instead jumps a whole row at every step, a new page
    // each time for a large operand, which the hardware prefetcher does not
    // follow (measured: docs/05-packing.md).
    for (index p = 0; p < kc; ++p) {
      const float* from = src.at(0, p);
      float* to = packed + p * tile;
      for (index q = 0; q < panels; ++q, from += tile, to += stride) {
        const index width = std::min<index>(tile, lanes - q * tile);
        for (index w = 0; w < width; ++w) to[w] = from[w];
        for (index w = width; w < tile; ++w) to[w] = 0.0f;  // zero padding past the last lane
      }
    }
    return;
  }
  // Steps contiguous (A untransposed, or B transposed), or neither: read
  // each lane along its steps and scatter into the panel, whose steps are
  // `tile` floats apart; the panel (tile * kc floats, 28 KiB for 14 x 512)
  // stays in L1 while it is written.
  for (index q = 0; q < panels; ++q, packed += stride) {
    const index w0 = q * tile, width = std::min<index>(tile, lanes - w0);
    for (index w = 0; w < width; ++w) {
      const float* from = src.at(w0 + w, 0);
      if (src.col_stride == 1)  // the common case, written out so the loads are plain
        for (index p = 0; p < kc; ++p) packed[p * tile + w] = from[p];
      else
        for (index p = 0; p < kc; ++p) packed[p * tile + w] = from[p * src.col_stride];
    }
    for (index w = width; w < tile; ++w)  // zero padding past the last lane
      for (index p = 0; p < kc; ++p) packed[p * tile + w] = 0.0f;
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

index round_up(index x, index multiple) { return (x + multiple - 1) / multiple * multiple; }

std::atomic<std::size_t> packed_matrices{0};
std::atomic<std::size_t> b_blocks_in_calls{0};

// The five loops. B's panels come from `pre` when it is given, else each
// KC x NC block is packed here. With `pre`, column blocks are aligned to
// whole NC blocks of the caller's B (p.b_col0 is where p starts in it), so
// that a thread's part never straddles two of them: a prepacked block is
// found by its absolute column. (The sums do not depend on the column
// blocks, so the result is the same either way.)
void five_loops(const MicroKernel& mk, const Blocking& blk, const GemmProblem& p, const PrepackedPanels* pre) {
  const int MR = mk.mr, NR = mk.nr;
  const index M = p.M, N = p.N, K = p.K;
  PackingBuffers& buffers = packing_buffers();
  const int kc_max = static_cast<int>(std::min<index>(blk.kc, K));
  float* packed_b = pre != nullptr
                        ? nullptr
                        : buffers.b.reserve(panel_stride(NR, kc_max) *
                                            static_cast<std::size_t>(round_up(std::min<index>(blk.nc, N), NR) / NR));
  float* packed_a = buffers.a.reserve(panel_stride(MR, kc_max) *
                                      static_cast<std::size_t>(round_up(std::min<index>(blk.mc, M), MR) / MR));
  const index col0 = pre != nullptr ? p.b_col0 : 0;

  // 5th loop around the micro-kernel (jc, NC): a block of NC columns of B and C.
  for (index jc = 0; jc < N;) {
    const index col = col0 + jc;
    const index nc = std::min<index>(blk.nc - col % blk.nc, N - jc);

    // 4th loop around the micro-kernel (pc, KC): a KC-deep slice of the sum.
    // Only the first slice applies the caller's beta; the others add to C.
    for (index pc = 0; pc < K; pc += blk.kc) {
      const int kc = static_cast<int>(std::min<index>(blk.kc, K - pc));
      const float beta_here = pc == 0 ? p.beta : 1.0f;
      // The last slice finishes C: each micro-tile gets the epilogue right after
      // its store, while it is still in L1 (m x n floats, 1.8 KiB for 14 x 32).
      const bool finishes = pc + kc == K && p.epilogue != nullptr;
      const std::size_t a_stride = panel_stride(MR, kc), b_stride = panel_stride(NR, kc);
      const float* b_panels = packed_b;
      if (pre != nullptr) {
        b_panels = pre->panels(col, pc);
      } else {
        // B[pc:+kc, jc:+nc] -> NR-column micro-panels, reused by every ic below.
        // Its lanes are B's columns, its steps B's rows: B's block, transposed.
        const Operand b_block = Operand{p.B.at(pc, jc), p.B.row_stride, p.B.col_stride}.transposed();
        if (mk.pack_b != nullptr)
          mk.pack_b(nc, kc, b_block, packed_b);
        else
          pack_panels(NR, nc, kc, b_block, packed_b);
        count_b_block_in_call();
      }

      // 3rd loop around the micro-kernel (ic, MC): a block of MC rows of A and C.
      for (index ic = 0; ic < M; ic += blk.mc) {
        const index mc = std::min<index>(blk.mc, M - ic);
        // A[ic:+mc, pc:+kc] -> MR-row micro-panels, reused by every jr below.
        const Operand a_block{p.A.at(ic, pc), p.A.row_stride, p.A.col_stride};
        if (mk.pack_a != nullptr)
          mk.pack_a(mc, kc, a_block, packed_a);
        else
          pack_panels(MR, mc, kc, a_block, packed_a);

        // 2nd loop around the micro-kernel (jr, NR): one B micro-panel.
        for (index jr = 0; jr < nc; jr += NR) {
          const int n = static_cast<int>(std::min<index>(NR, nc - jr));
          const float* b_panel = b_panels + static_cast<std::size_t>(jr / NR) * b_stride;

          // 1st loop around the micro-kernel (ir, MR): one A micro-panel from L2.
          for (index ir = 0; ir < mc; ir += MR) {
            const int m = static_cast<int>(std::min<index>(MR, mc - ir));
            const float* a_panel = packed_a + static_cast<std::size_t>(ir / MR) * a_stride;
            float* c_tile = p.C + (ic + ir) * p.ldc + (jc + jr);
            mk.fn(kc, p.alpha, a_panel, b_panel, beta_here, c_tile, static_cast<int>(p.ldc), m, n);
            if (finishes) apply_epilogue(*p.epilogue, c_tile, p.ldc, m, n, p.b_col0 + jc + jr);
          }
        }
      }
    }
    jc += nc;
  }
}

}  // namespace

void goto_sgemm_serial(const MicroKernel& mk, const GemmProblem& p) { five_loops(mk, blocking_for(mk), p, nullptr); }

void goto_sgemm_serial(const MicroKernel& mk, const Blocking& blk, const GemmProblem& p) {
  five_loops(mk, blk, p, nullptr);
}

int requested_threads() { return num_threads(); }

// Below packed_min_parallel_flops (2 * 160^3, goto.hpp) a call runs on the calling thread alone:
// it is too short to pay for waking a worker and for each thread packing its
// own copy of the shared operand. Waking a sleeping worker on a virtual
// machine costs tens of microseconds, not the few a bare-metal condition
// variable takes; two threads were measured to lose up to 128^3 and win
// from 192^3 (docs/07-threads.md). The split costs each thread its own copy
// of the packed A blocks (column split) or B blocks (row split): for
// N >= 512 that is under 1% of the arithmetic.

int goto_sgemm(const MicroKernel& mk, const GemmProblem& p) {
  return split_between_threads(p, mk.mr, mk.nr, packed_min_parallel_flops,
                               [&](const GemmProblem& block) { goto_sgemm_serial(mk, block); });
}

int goto_sgemm_prepacked(const MicroKernel& mk, const GemmProblem& p, const PrepackedPanels& b) {
  return split_between_threads(p, mk.mr, mk.nr, packed_min_parallel_flops,
                               [&](const GemmProblem& block) { five_loops(mk, b.blocking, block, &b); });
}

const float* PrepackedPanels::panels(index col, index pc) const {
  const index column_block = col / blocking.nc, depth_block = pc / blocking.kc;
  const int kc = static_cast<int>(std::min<index>(blocking.kc, K - pc));
  const std::size_t panel = static_cast<std::size_t>((col % blocking.nc) / mk->nr);
  return storage.data() + offsets[static_cast<std::size_t>(column_block * depth_blocks + depth_block)] +
         panel * panel_stride(mk->nr, kc);
}

void prepack_panels(const MicroKernel& mk, Operand B, index K, index N, PrepackedPanels& out) {
  const Blocking& blk = blocking_for(mk);
  out.mk = &mk;
  out.blocking = blk;
  out.K = K;
  out.N = N;
  out.depth_blocks = (K + blk.kc - 1) / blk.kc;
  const std::size_t size = b_block_offsets(blk, K, N, out.offsets, [&](index nc, int kc) {
    return panel_stride(mk.nr, kc) * static_cast<std::size_t>((nc + mk.nr - 1) / mk.nr);
  });
  float* data = out.storage.reserve(size);
  std::size_t block = 0;
  for_each_b_block(blk, K, N, [&](index jc, index pc, index nc, int kc) {
    const Operand b_block = Operand{B.at(pc, jc), B.row_stride, B.col_stride}.transposed();
    float* to = data + out.offsets[block++];
    if (mk.pack_b != nullptr)
      mk.pack_b(nc, kc, b_block, to);
    else
      pack_panels(mk.nr, nc, kc, b_block, to);
  });
}

FloatPackCounts float_pack_counts() {
  return {packed_matrices.load(std::memory_order_relaxed), b_blocks_in_calls.load(std::memory_order_relaxed)};
}
void count_packed_matrix() { packed_matrices.fetch_add(1, std::memory_order_relaxed); }
// A load and a store, not fetch_add: this runs on every call that packs B,
// and a locked read-modify-write costs tens of cycles on a 16 x 16 product.
// Two threads packing at the same moment may lose an increment, so the
// count is a lower bound; zero is exact, which is what the tests rely on.
void count_b_block_in_call() {
  b_blocks_in_calls.store(b_blocks_in_calls.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace gemmlab::detail
