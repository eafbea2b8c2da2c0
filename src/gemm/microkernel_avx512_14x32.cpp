// The AVX-512 micro-kernel: a 14 x 32 tile of C in 28 zmm registers.
//
// Contract: microkernel.hpp. Compiled with the AVX-512 flags (the Makefile
// recognises "avx512" in the file name); called only when the CPU has
// AVX-512 (F, VL, BW, DQ: CpuFeatures::avx512_f_vl_bw_dq).
//
// Why 14 x 32: each row of the tile is 32 floats = 2 zmm, so 14 rows hold
// 28 accumulators; with the 2 zmm of the current B row that is 30 of the 32
// zmm registers; each element of A is broadcast into the one spare zmm
// (GCC 12 emits vbroadcastss from memory, not the FMA's {1to16} form), used
// by two FMAs, then overwritten: 31 of the 32 registers.
// Per k step: 2 loads of B + 14 broadcasts of A feed 28 FMAs. This CPU
// (Sapphire/Emerald Rapids server core) issues 2 zmm FMAs per cycle with a
// latency of 4 cycles, so at least 2 x 4 = 8 independent accumulators are
// needed to hide the latency; 28 leave room to spare, and 16 loads per 28 FMAs
// (14 cycles) fit easily in the 2-3 loads per cycle the core can do.
// (BLIS's skx kernel is 32 x 12 in column-major terms, the same idea
// transposed; OpenBLAS's is 16 x 4 x 2.)
//
// The gain of each step (packing, unrolling, prefetch, block sizes, the
// transposing pack) is measured in docs/tuning-notes.md, "SIMD micro-kernel".
// The kernel alone, with its panels in cache, runs at about the FMA peak
// probe's speed: what is left is memory traffic around it (docs/05-packing.md,
// "What is left at N = 1024").
#include <immintrin.h>

#include <cstddef>

#include "gemm/microkernel.hpp"
#include "gemm/tile_store_avx512.hpp"
#include "gemm/transpose_avx512.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 14;
constexpr int NR = 32;

// One step of the k loop: the rank-1 update acc += a(:, p) * b(p, :), with
// the 14 elements of A broadcast from memory and the 32 of B in two zmm.
[[gnu::always_inline]] inline void rank1_update(__m512 (&acc)[MR][2], const float* a, const float* b) {
  const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
  for (int i = 0; i < MR; ++i) {
    const __m512 ai = _mm512_set1_ps(a[i]);
    acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
  }
}

void microkernel_avx512_14x32(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                              int n) {
  __m512 acc[MR][2];
  for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();

  // The k loop, unrolled by 4 (fewer loop branches and pointer updates per
  // FMA). The A micro-panel streams in from L2, so it is prefetched into L1
  // kPrefetchA steps ahead. With the table's KC = 512 the B micro-panel
  // (64 KiB) does not fit L1 either (the descriptor below), and in a large
  // multiplication the first call on each B panel finds it in L3: the packed
  // B block, 2 MiB at N = 1024, is as large as L2. So B is prefetched into
  // L2 (T1) kPrefetchB steps ahead, one prefetch per 128-byte row of the
  // panel (the L2's adjacent-line prefetcher usually brings the other half).
  // The B prefetch gained 1-2% at N = 512..2048 (docs/tuning-notes.md).
  constexpr std::ptrdiff_t kPrefetchA = 16;           // 16 steps x 56 bytes = 896 bytes ahead
  constexpr std::ptrdiff_t kPrefetchB = 32;           // 32 steps x 128 bytes = 4 KiB ahead
  constexpr std::ptrdiff_t a_step = MR, b_step = NR;  // floats per k step in each panel
  // The tile of C is needed only after the k loop: ask for one of its rows
  // (two cache lines) per unrolled step, so the likely misses overlap with
  // the FMAs without a burst of 28 prefetches filling the miss buffers.
  int c_row_to_prefetch = 0;
  int p = 0;
  for (; p + 4 <= kc; p += 4) {
    if (c_row_to_prefetch < m) {
      const float* row = c + static_cast<long>(c_row_to_prefetch) * ldc;
      _mm_prefetch(reinterpret_cast<const char*>(row), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(row + 31), _MM_HINT_T0);
      ++c_row_to_prefetch;
    }
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step + 2 * a_step), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step + 4 * a_step - 1), _MM_HINT_T0);
    for (std::ptrdiff_t step = 0; step < 4; ++step)
      _mm_prefetch(reinterpret_cast<const char*>(b + (kPrefetchB + step) * b_step), _MM_HINT_T1);
    rank1_update(acc, a, b);
    rank1_update(acc, a + a_step, b + b_step);
    rank1_update(acc, a + 2 * a_step, b + 2 * b_step);
    rank1_update(acc, a + 3 * a_step, b + 3 * b_step);
    a += 4 * a_step;
    b += 4 * b_step;
  }
  for (; p < kc; ++p) {
    rank1_update(acc, a, b);
    a += MR;
    b += NR;
  }

  // Write the m x n corner of the tile (masked: nothing outside C is touched).
  store_tile_32(acc, alpha, beta, c, ldc, m, n);
}

// Packing for this kernel (the PackFn contract of microkernel.hpp), for
// both panel widths it uses: W = 14 (A) and W = 32 (B). Of the three kinds
// of source (microkernel.hpp, "PACKING"):
//   * lanes contiguous (B untransposed, A transposed): each step of a panel
//     is W floats of one source row, moved with one or two 64-byte loads and
//     stores. The portable loop, whose count is known only at run time,
//     became 16-byte moves behind alias checks (GCC 12): about 13.5 GB/s
//     even with B in cache.
//   * steps contiguous (A untransposed, B transposed): 16 lanes x 16 steps
//     are loaded (one cache line per lane when the source is aligned),
//     transposed in registers, and stored as 16 steps of the panel. Lanes
//     past the end are never loaded (they stay zero), steps past kc are
//     masked off in the loads and never stored.
//   * anything else (neither stride 1): the portable gather.
// A transposing pack replaces what was one AVX-512 gather per panel
// column: a gather of 14 elements costs about 14 loads, and when the row
// stride is a multiple of 1024 floats the 14 rows' lines all fall in one set
// of the L1, so every gather went to L2; the transpose touches each line
// once (docs/05-packing.md explains, docs/tuning-notes.md has the measurements).

// Lanes contiguous: step p of every panel is W consecutive floats of the source.
template <int W>
void pack_copy(index lanes, int kc, Operand src, float* packed) {
  const std::size_t panel_floats = panel_stride(W, kc);
  const index panels = (lanes + W - 1) / W;
  for (index p = 0; p < kc; ++p) {  // step by step: the source is read along its rows
    const float* from = src.at(0, p);
    float* to = packed + p * W;
    for (index q = 0; q < panels; ++q, from += W, to += panel_floats) {
      const index width = lanes - q * W;  // >= 1; W or more for every panel but the last
      for (int c = 0; c < W; c += 16) {
        const __mmask16 stored = first_lanes(W - c), real = stored & first_lanes(width - c);
        _mm512_mask_storeu_ps(to + c, stored, _mm512_maskz_loadu_ps(real, from + c));
      }
    }
  }
}

// Steps contiguous: 16 x 16 blocks transposed in registers.
template <int W>
void pack_transpose(index lanes, int kc, Operand src, float* packed) {
  const std::size_t panel_floats = panel_stride(W, kc);
  for (index w0 = 0; w0 < lanes; w0 += W, packed += panel_floats) {
    const index width = lanes - w0 < W ? lanes - w0 : W;
    for (int c = 0; c < W; c += 16) {  // 16 lanes of the panel at a time
      const __mmask16 stored = first_lanes(W - c);
      const index rows = width - c;  // real lanes in this group (may be <= 0: all padding)
      for (int p0 = 0; p0 < kc; p0 += 16) {
        const int steps = kc - p0 < 16 ? kc - p0 : 16;
        const __mmask16 real_steps = first_lanes(steps);
        __m512 block[16];
        for (int i = 0; i < 16; ++i)
          block[i] = i < rows ? _mm512_maskz_loadu_ps(real_steps, src.at(w0 + c + i, p0)) : _mm512_setzero_ps();
        transpose_16x16(block);
        float* dst = packed + static_cast<index>(p0) * W + c;
        for (int j = 0; j < steps; ++j) _mm512_mask_storeu_ps(dst + static_cast<index>(j) * W, stored, block[j]);
      }
    }
  }
}

template <int W>
void pack_avx512(index lanes, int kc, Operand src, float* packed) {
  if (src.row_stride == 1)
    pack_copy<W>(lanes, kc, src, packed);
  else if (src.col_stride == 1)
    pack_transpose<W>(lanes, kc, src, packed);
  else
    pack_panels(W, lanes, kc, src, packed);
}

}  // namespace

// The descriptor (microkernel.hpp), and how its block sizes follow from the
// caches of the machine it was tuned on (Intel Xeon, Sapphire/Emerald
// Rapids: L1d 48 KiB, L2 2 MiB per core, L3 shared; the arithmetic of
// Goto & van de Geijn 2008, section 6, and Low et al., TOMS 2016):
//   KC = 512: B micro-panel 512 * 32 * 4 = 64 KiB, A micro-panel
//             512 * 14 * 4 = 28 KiB: together twice the 48 KiB L1, so the
//             B micro-panel does NOT stay in L1 (against the textbook rule):
//             every micro-kernel call streams both panels from L2, 92 KiB
//             per 512 * 28 = 14336 vector FMAs (7168 cycles at 2 FMAs a
//             cycle), about 13 bytes a cycle. What the deeper KC buys: the 14 x 32 tile of C
//             is read and written once per KC block, and for N >= 1024 C
//             does not fit L2, so each pass over C comes from L3; KC = 512
//             halves those passes against KC = 256.
//   MC = 84 (6 * MR): packed A block 84 * 512 * 4 = 168 KiB of the 2 MiB L2;
//             smaller is better once the B block no longer fits L2 (its
//             panels streaming in from L3 evict a large A block).
//   NC = 4096 (128 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
// Why each choice: docs/05-packing.md; the measurements: docs/tuning-notes.md.
extern const MicroKernel avx512_14x32{
    .name = "avx512_14x32",
    .isa = Isa::avx512,
    .mr = MR,
    .nr = NR,
    .blocking = {84, 512, 4096},
    .fn = microkernel_avx512_14x32,
    .pack_a = pack_avx512<MR>,
    .pack_b = pack_avx512<NR>,
    .streams_panels_from_l2 = true,  // KC = 512 above: both panels come from L2
};

}  // namespace gemmlab::detail
