// The five loops for bf16 (bf16_microkernel.hpp): the float driver of
// goto.cpp with bf16 panels in groups of k, and the packing that rounds a
// float input to bf16 as it copies it. Compiled without ISA flags, like
// goto.cpp: the arithmetic is all in the micro-kernel.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <type_traits>

#include "core/bf16_round.hpp"
#include "gemm/bf16_microkernel.hpp"
#include "gemm/goto.hpp"

namespace gemmlab::detail {
namespace {

template <class T>
[[gnu::always_inline]] inline bf16 read_bf16(const T* x) {
  if constexpr (std::is_same_v<T, float>)
    return round_to_bf16(*x);
  else
    return *x;
}

template <class T>
void pack_from(int W, int g, int depth, index lanes, int kc, const T* base, index row_stride, index col_stride,
               bf16* packed) {
  const std::size_t stride = bf16_panel_stride(W, depth);
  const index panels = (lanes + W - 1) / W;
  const index group_row = static_cast<index>(W) * g;  // elements from one k group to the next
  const bf16 zero{0};
  for (index q = 0; q < panels; ++q, packed += stride) {
    const index w0 = q * W, width = std::min<index>(W, lanes - w0);
    if (row_stride == 1) {
      // Lanes contiguous (B untransposed, A transposed): step p is one run
      // of the source, written to every g-th element of its group row.
      for (index p = 0; p < depth; ++p) {
        bf16* to = packed + (p / g) * group_row + p % g;
        index w = 0;
        if (p < kc) {
          const T* from = base + w0 + p * col_stride;
          for (; w < width; ++w) to[w * g] = read_bf16(from + w);
        }
        for (; w < W; ++w) to[w * g] = zero;
      }
      continue;
    }
    // Steps contiguous (A untransposed, B transposed), or neither: each lane
    // along its k, g consecutive values at a time.
    for (index w = 0; w < W; ++w) {
      bf16* to = packed + w * g;
      const T* from = base + (w0 + w) * row_stride;
      const index real_steps = w < width ? kc : 0;
      for (index p0 = 0; p0 < depth; p0 += g, to += group_row)
        for (index r = 0; r < g; ++r) {
          const index p = p0 + r;
          to[r] = p < real_steps ? read_bf16(from + p * col_stride) : zero;
        }
    }
  }
}

// The packing buffers of one thread (as in goto.cpp, and for the same
// reasons): they only grow, and are freed when the thread exits.
struct Bf16PackingBuffers {
  AlignedBuffer a, b;
};
Bf16PackingBuffers& bf16_packing_buffers() {
  thread_local Bf16PackingBuffers buffers;
  return buffers;
}

bf16* reserve_bf16(AlignedBuffer& buffer, std::size_t elements) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): float storage reused for 2-byte bf16 values
  return reinterpret_cast<bf16*>(buffer.reserve((elements + 1) / 2));
}

index round_up(index x, index multiple) { return (x + multiple - 1) / multiple * multiple; }

std::atomic<std::size_t> b_blocks_packed{0};

// The five loops. B's panels come from `pre` when it is given, else each
// KC x NC block is packed here. Column blocks are aligned to whole NC
// blocks of the caller's B (p.b_col0 is where p starts in it), so that a
// thread's part never straddles two of them: a prepacked block is found
// by its absolute column. (The sums do not depend on the column blocks, so
// the result is the same either way.)
void goto_sbgemm_serial(const Bf16MicroKernel& mk, const SbgemmProblem& p, const PrepackedB* pre) {
  if (mk.prepare_thread != nullptr) mk.prepare_thread();
  const int MR = mk.mr, NR = mk.nr;
  const Blocking& blk = mk.blocking;
  const index M = p.M, N = p.N, K = p.K;
  Bf16PackingBuffers& buffers = bf16_packing_buffers();
  const int depth_max = panel_depth(mk, static_cast<int>(std::min<index>(blk.kc, K)));
  bf16* packed_b =
      pre != nullptr
          ? nullptr
          : reserve_bf16(buffers.b, bf16_panel_stride(NR, depth_max) *
                                        static_cast<std::size_t>(round_up(std::min<index>(blk.nc, N), NR) / NR));
  bf16* packed_a = reserve_bf16(buffers.a, bf16_panel_stride(MR, depth_max) *
                                               static_cast<std::size_t>(round_up(std::min<index>(blk.mc, M), MR) / MR));

  for (index jc = 0; jc < N;) {  // 5th loop: NC columns of B and C (to the next whole NC block)
    const index col = p.b_col0 + jc;
    const index nc = std::min<index>(blk.nc - col % blk.nc, N - jc);
    for (index pc = 0; pc < K; pc += blk.kc) {  // 4th loop: a KC-deep slice of the sum
      const int kc = static_cast<int>(std::min<index>(blk.kc, K - pc));
      const int depth = panel_depth(mk, kc);
      const float beta_here = pc == 0 ? p.beta : 1.0f;
      const std::size_t a_stride = bf16_panel_stride(MR, depth), b_stride = bf16_panel_stride(NR, depth);
      const bf16* b_panels = packed_b;
      if (pre != nullptr) {
        b_panels = pre->panels(col, pc);
      } else {
        const Bf16Operand b_block = p.B.from(pc, jc).transposed();  // lanes: B's columns, steps: its rows
        if (mk.pack_b != nullptr)
          mk.pack_b(nc, kc, depth, b_block, packed_b);
        else
          pack_bf16_panels(NR, mk.b_group, depth, nc, kc, b_block, packed_b);
        b_blocks_packed.fetch_add(1, std::memory_order_relaxed);
      }
      for (index ic = 0; ic < M; ic += blk.mc) {  // 3rd loop: MC rows of A and C
        const index mc = std::min<index>(blk.mc, M - ic);
        if (mk.pack_a != nullptr)
          mk.pack_a(mc, kc, depth, p.A.from(ic, pc), packed_a);
        else
          pack_bf16_panels(MR, mk.a_group, depth, mc, kc, p.A.from(ic, pc), packed_a);
        for (index jr = 0; jr < nc; jr += NR) {  // 2nd loop: one B panel
          const int n = static_cast<int>(std::min<index>(NR, nc - jr));
          const bf16* b_panel = b_panels + static_cast<std::size_t>(jr / NR) * b_stride;
          for (index ir = 0; ir < mc; ir += MR) {  // 1st loop: one A panel, one tile of C
            const int m = static_cast<int>(std::min<index>(MR, mc - ir));
            const bf16* a_panel = packed_a + static_cast<std::size_t>(ir / MR) * a_stride;
            float* c_tile = p.C + (ic + ir) * p.ldc + (jc + jr);
            mk.fn(depth, p.alpha, a_panel, b_panel, beta_here, c_tile, static_cast<int>(p.ldc), m, n);
          }
        }
      }
    }
    jc += nc;
  }
}

// The float driver's threshold (goto.cpp: 2 * 160^3) is a time, the cost of
// waking a worker, expressed in float flops; the bf16 kernels do those
// flops two to six times faster, so the same time holds more of them.
constexpr double kMinParallelFlops = 2.0 * 256 * 256 * 256;

}  // namespace

void pack_bf16_panels(int W, int g, int depth, index lanes, int kc, Bf16Operand src, bf16* packed) {
  if (src.storage == Storage::bf16)
    pack_from(W, g, depth, lanes, kc, src.bf16_at(0, 0), src.row_stride, src.col_stride, packed);
  else
    pack_from(W, g, depth, lanes, kc, src.f32_at(0, 0), src.row_stride, src.col_stride, packed);
}

int goto_sbgemm(const Bf16MicroKernel& mk, const SbgemmProblem& p) {
  return split_between_threads(p, mk.mr, mk.nr, kMinParallelFlops,
                               [&](const SbgemmProblem& block) { goto_sbgemm_serial(mk, block, nullptr); });
}

int goto_sbgemm_prepacked(const Bf16MicroKernel& mk, const SbgemmProblem& p, const PrepackedB& b) {
  return split_between_threads(p, mk.mr, mk.nr, kMinParallelFlops,
                               [&](const SbgemmProblem& block) { goto_sbgemm_serial(mk, block, &b); });
}

std::size_t bf16_b_blocks_packed() { return b_blocks_packed.load(std::memory_order_relaxed); }

const bf16* PrepackedB::panels(index col, index pc) const {
  const Blocking& blk = mk->blocking;
  const index column_block = col / blk.nc, depth_block = pc / blk.kc;
  const int depth = panel_depth(*mk, static_cast<int>(std::min<index>(blk.kc, K - pc)));
  const std::size_t panel = static_cast<std::size_t>((col % blk.nc) / mk->nr);
  return data + offsets[static_cast<std::size_t>(column_block * depth_blocks + depth_block)] +
         panel * bf16_panel_stride(mk->nr, depth);
}

void prepack_b(const Bf16MicroKernel& mk, Bf16Operand B, index K, index N, PrepackedB& out) {
  const Blocking& blk = mk.blocking;
  out.mk = &mk;
  out.K = K;
  out.N = N;
  out.depth_blocks = (K + blk.kc - 1) / blk.kc;
  const std::size_t size = b_block_offsets(blk, K, N, out.offsets, [&](index nc, int kc) {
    return bf16_panel_stride(mk.nr, panel_depth(mk, kc)) * static_cast<std::size_t>((nc + mk.nr - 1) / mk.nr);
  });
  out.data = reserve_bf16(out.storage, size);
  std::size_t block = 0;
  for_each_b_block(blk, K, N, [&](index jc, index pc, index nc, int kc) {
    const int depth = panel_depth(mk, kc);
    const Bf16Operand b_block = B.from(pc, jc).transposed();
    bf16* to = out.data + out.offsets[block++];
    if (mk.pack_b != nullptr)
      mk.pack_b(nc, kc, depth, b_block, to);
    else
      pack_bf16_panels(mk.nr, mk.b_group, depth, nc, kc, b_block, to);
  });
}

}  // namespace gemmlab::detail
