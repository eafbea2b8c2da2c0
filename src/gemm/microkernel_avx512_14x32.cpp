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
// Measured, step by step (1 thread, GFLOP/s, median of 14 runs timed by
// thread CPU time, square N, 2026-11-27, scratch harness of the issue-5
// report; two runs, the machine was shared):
//   step                                         N=256    512   1024   2048
//   no packing (small path on big N)              146-153 147-153  59-61  33-35
//   1 packed, plain k loop (commit a42f615)       128     137-138 124-130 101-115
//   2 + k unrolled by 4, A and C prefetch         125-127 133-140 113-126 123-130
//   3 + AVX-512 gather pack_a                     138-141 124-146 133-134 132-135
//   4 + MC 336 -> 112, C prefetch spread out      138-145 131-149 132-141 138-140
//   OpenBLAS 0.3.21 (SkylakeX kernels), same runs 141-149 144-150 138-143 149-153
//   5 + KC 256 -> 512, MC 112 -> 84 (blocking.cpp): gemmlab-bench, wall
//   clock, quiet machine (load < 1.2), 3 runs, 2026-11-27 12:30 UTC
//   (N = 256 runs the small path):    before 152-163 155-157 143-154 148-155
//                                     after  156-159 156     151-153 152-155
//   6 + pack_a by 16 x 16 transposes instead of gathers (below): gemmlab-bench,
//   7 interleaved rounds, medians, 2026-11-27 15:50 UTC
//                                     before  -      156     155     158
//                                     after   -      159     156     159.5
// The kernel alone, on panels in L1, runs at 171-175 (the FMA peak probe
// gives 173-177): what is left is memory traffic around it.
#include <immintrin.h>

#include <cstddef>

#include "gemm/microkernel.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 14;
constexpr int NR = 32;

// Masks for the columns [0, 16) and [16, 32) of a tile n columns wide.
__mmask16 low_mask(int n) { return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u); }
__mmask16 high_mask(int n) {
  return n >= 32 ? __mmask16(0xFFFF) : n <= 16 ? __mmask16(0) : __mmask16((1u << (n - 16)) - 1u);
}

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

}  // namespace

void microkernel_avx512_14x32(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                              int n) {
  __m512 acc[MR][2];
  for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();

  // The k loop, unrolled by 4 (fewer loop branches and pointer updates per
  // FMA). The A micro-panel streams in from L2, so it is prefetched into L1
  // kPrefetchA steps ahead. With the table's KC = 512 the B micro-panel
  // (64 KiB) does not fit L1 either (blocking.cpp), and in a large
  // multiplication the first call on each B panel finds it in L3: the packed
  // B block, 2 MiB at N = 1024, is as large as L2. So B is prefetched into
  // L2 (T1) kPrefetchB steps ahead, one prefetch per 128-byte row of the
  // panel (the L2's adjacent-line prefetcher usually brings the other half).
  // Measured (goto_sgemm_serial, the two kernels interleaved in one process,
  // 21 rounds, thread CPU time, 2026-11-27, medians): N = 1024 155.4 -> 157.2
  // and 154.2 -> 155.6, N = 2048 152.9 -> 155.6 and 159.0 -> 162.0, N = 512
  // 158.6 -> 159.2 GFLOP/s. Small, but the same sign every time the machine
  // was quiet enough to tell.
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

  // Write the m x n corner of the tile: masked stores never touch memory
  // past column n, and rows past m are not stored at all.
  const __mmask16 k0 = low_mask(n), k1 = high_mask(n);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {  // never read C
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<long>(i) * ldc;
      _mm512_mask_storeu_ps(row, k0, _mm512_mul_ps(va, acc[i][0]));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_mul_ps(va, acc[i][1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<long>(i) * ldc;
      const __m512 c0 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k0, row));
      const __m512 c1 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k1, row + 16));
      _mm512_mask_storeu_ps(row, k0, _mm512_fmadd_ps(va, acc[i][0], c0));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_fmadd_ps(va, acc[i][1], c1));
    }
  }
}

// Packing A for this kernel (the layout of pack_a in goto.hpp, MR = 14):
// panel[p * 14 + i] = A[i][p]. Each 16-column slice of a 14-row panel is a
// small transpose: load 16 floats from each of the 14 rows (each load one
// cache line when A is 64-byte aligned), transpose the 16 x 16 block in
// registers (rows 14 and 15 are zero), and store each of its 16 columns, 14
// floats, to its place in the panel. Rows past mc are never loaded (they stay
// zero); columns past kc are masked off in the loads and never stored.
//
// Why not one AVX-512 gather per panel column (what this function did until
// 2026-11-27): a gather of 14 elements costs about as much as 14 loads, and
// when lda is a multiple of 1024 floats the 14 rows' cache lines all map to
// the same set of the 12-way L1, so every gather goes to L2. The transpose
// touches each line once. Measured (84 x 512 block, lda = 1024, scratch
// harness, median of 9): 9.1 -> 5.6 us with A in L2, 12.3 -> 9.5 us from L3;
// packing A went from 3.2% to 2.4% of a 1024^3 multiplication (perf record).
// The portable pack_a, one scalar copy per element, is slower than either.
namespace {

// Transposes the 16 x 16 block held in r (r[i] = row i) in place, so that
// r[j] holds column j. Four rounds of shuffles, each interleaving larger
// pieces than the one before (single floats, pairs, then 4-float quads):
//   1. unpack{lo,hi}_ps of rows 2q, 2q+1: pairs of floats from two rows;
//   2. unpack{lo,hi}_pd: quads from four rows, so that r[4q + c] holds, in
//      its 128-bit lane L, column 4L + c of rows 4q..4q+3;
//   3-4. shuffle_f32x4 moves those 4-float quads between the 128-bit lanes
//      until each vector holds one whole column.
// 64 shuffles for 256 floats; they all run on one port (port 5).
//
// The pragma: GCC 12's headers implement these intrinsics with an
// "undefined" vector that initialises itself (`__m512 __Y = __Y;`), which
// -Wmaybe-uninitialized then reports in the caller (other projects hit it
// too, e.g. google/highway issue 710). Nothing here is uninitialised.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
[[gnu::always_inline]] inline void transpose_16x16(__m512 (&r)[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {  // round 1
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {  // round 2
    const __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
    const __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  // Round 3: imm 0x88 takes 128-bit lanes 0 and 2 of each source, 0xDD lanes 1 and 3.
  for (int half = 0; half < 16; half += 8)
    for (int c = 0; c < 4; ++c) {
      t[half + c] = _mm512_shuffle_f32x4(r[half + c], r[half + 4 + c], 0x88);
      t[half + 4 + c] = _mm512_shuffle_f32x4(r[half + c], r[half + 4 + c], 0xDD);
    }
  for (int c = 0; c < 4; ++c) {  // round 4
    r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    r[4 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(t[4 + c], t[12 + c], 0xDD);
  }
}

}  // namespace

void pack_a_avx512_14(int mc, int kc, const float* A, int lda, float* packed) {
  const std::size_t panel_floats = panel_stride(MR, kc);
  const __mmask16 panel_rows = static_cast<__mmask16>((1u << MR) - 1u);
  for (int i0 = 0; i0 < mc; i0 += MR, packed += panel_floats) {
    const int rows = mc - i0 < MR ? mc - i0 : MR;
    const float* a = A + static_cast<long>(i0) * lda;
    for (int p0 = 0; p0 < kc; p0 += 16) {
      const int cols = kc - p0 < 16 ? kc - p0 : 16;
      const __mmask16 real_cols = static_cast<__mmask16>((1u << cols) - 1u);
      __m512 block[16];
      for (int i = 0; i < 16; ++i)
        block[i] =
            i < rows ? _mm512_maskz_loadu_ps(real_cols, a + static_cast<long>(i) * lda + p0) : _mm512_setzero_ps();
      transpose_16x16(block);
      float* dst = packed + static_cast<long>(p0) * MR;
      for (int j = 0; j < cols; ++j) _mm512_mask_storeu_ps(dst + static_cast<long>(j) * MR, panel_rows, block[j]);
    }
  }
}
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop  // (pushed above transpose_16x16: the warning is reported where it is inlined)
#endif

// Packing B for this kernel (the layout of pack_b in goto.hpp, NR = 32).
// The portable pack_b copies each row's NR floats with a loop whose count
// is known only at run time: GCC 12 makes it 16-byte moves behind alias
// checks, and it moved about 13.5 GB/s even with B in cache (2 MiB block,
// 155 us; pk harness, 2026-11-27). Here a row of a panel is two 64-byte
// loads and two aligned 64-byte stores (the panels start on 64 bytes and a
// row is 128 bytes); the last, narrower panel loads with a mask, which reads
// nothing past column nc and leaves the padding zero.
void pack_b_avx512_32(int kc, int nc, const float* B, int ldb, float* packed) {
  const std::size_t panel_floats = panel_stride(NR, kc);
  const int full_panels = nc / NR, edge_cols = nc % NR;
  const __mmask16 edge_low = low_mask(edge_cols), edge_high = high_mask(edge_cols);
  for (int p = 0; p < kc; ++p) {  // row by row, as the portable pack_b (prefetcher-friendly)
    const float* b_row = B + static_cast<long>(p) * ldb;
    float* dst = packed + static_cast<long>(p) * NR;
    for (int panel = 0; panel < full_panels; ++panel, b_row += NR, dst += panel_floats) {
      _mm512_store_ps(dst, _mm512_loadu_ps(b_row));
      _mm512_store_ps(dst + 16, _mm512_loadu_ps(b_row + 16));
    }
    if (edge_cols > 0) {
      _mm512_store_ps(dst, _mm512_maskz_loadu_ps(edge_low, b_row));
      _mm512_store_ps(dst + 16, _mm512_maskz_loadu_ps(edge_high, b_row + 16));
    }
  }
}

}  // namespace gemmlab::detail
