// The AVX-512 small-matrix path: C := alpha * A * B + beta * C straight from
// the caller's row-major A and B, without packing (the idea of BLIS's "sup",
// skinny/unpacked, kernels, written our own way).
//
// Why: packing copies A and B into panels so the micro-kernel streams
// contiguous, aligned memory. For a 32 x 32 problem the copy (2 x 1024 floats,
// plus the calls and loops of the five-loop driver) costs about as much as
// the 32768 FMAs themselves, and the operands fit in L1 anyway, so
// contiguity buys nothing. Here each tile reads B's rows directly (masked
// loads only at the right edge) and broadcasts A's elements from A's rows.
//
// Tiles: up to 14 rows x 32 columns (28 zmm accumulators), as the packed
// micro-kernel; or x 16 columns (one zmm per row) when at most 16 columns are
// left, so a 16-wide C does not pay for 32. The rows of C are split into
// tiles of nearly equal height (16 rows -> 8 + 8, 32 -> 11 + 11 + 10), so no
// tile is left with a row or two and too few accumulators to hide the FMA
// latency (4 cycles x 2 FMA ports = 8 independent accumulators needed).
// A C of at most 7 rows gets tiles 64 columns wide instead (4 zmm a row),
// except for its last 1..32 columns, which take the 16- or 32-wide tile.
//
// How it compares with the packed driver and OpenBLAS on the same shapes:
// docs/06-small-matrices.md.
//
// When the dispatcher takes this path instead of the packed one is decided
// in avx512_small below (its crossover), from measurements.
#include <immintrin.h>

#include <cstddef>

#include "gemm/goto.hpp"
#include "gemm/kernels.hpp"
#include "gemm/small.hpp"
#include "gemm/transpose_avx512.hpp"
#include "rnn/tanh_avx512.hpp"

namespace gemmlab::detail {
namespace {

constexpr std::ptrdiff_t kLanes = 16;  // floats in one zmm register
constexpr int kMaxRows = 14;
constexpr int kMaxWideRows = 7;  // 7 rows x 4 zmm = 28 accumulators

__mmask16 mask_for(int columns) {  // the first `columns` (0..16) lanes
  return columns >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << columns) - 1u);
}

// The k loop of a tile: acc += A[0:ROWS, 0:K] * B[0:K, 0:16 * VECS].
// MASKED: B's rows are loaded with the column masks (the right edge of C);
// a full-width tile uses plain loads, because a masked load costs an extra
// vector-ALU uop on the ports the FMAs need.
template <int ROWS, int VECS, bool MASKED>
[[gnu::always_inline]] inline void k_loop(__m512 (&acc)[ROWS][VECS], index K, const float* A, index a_row, index a_step,
                                          const float* B, index ldb, const __mmask16 (&mask)[VECS]) {
  // A's elements come from up to 14 rows, a_row apart, and step a_step
  // along k (1 for a row-major A, its leading dimension for a transposed
  // one: the broadcasts read A where it lies). Addressed as A + p * a_step +
  // i * a_row, that is 13 offsets in general registers besides the pointers
  // and the loop counter: more than x86-64 has, so GCC 12 kept some on the
  // stack (and in vector registers, whose moves take an FMA port) and
  // reloaded them every step. Split into a top and a bottom half that share
  // one set of offsets, the loop needs 2 pointers and ROWS / 2 offsets, all
  // in registers. The split gained 3-5%
  // (docs/06-small-matrices.md).
  // Unrolled by 2: two steps per iteration share the pointer updates and
  // the loop branch; by 4 was no better than by 2 (docs/tuning-notes.md,
  // "Small matrices").
  constexpr int kTop = (ROWS + 1) / 2;  // rows 0 .. kTop-1 from a_top, the rest from a_bottom
  std::ptrdiff_t row_offset[kTop];
#pragma GCC unroll 16
  for (int i = 0; i < kTop; ++i) row_offset[i] = i * a_row;
  const float* a_top = A;
  const float* a_bottom = ROWS > kTop ? A + kTop * a_row : A;  // row kTop exists
#pragma GCC unroll 2
  for (index p = 0; p < K; ++p, a_top += a_step, a_bottom += a_step) {
    const float* b_row = B + p * ldb;
    __m512 b[VECS];
#pragma GCC unroll 16
    for (int v = 0; v < VECS; ++v)
      b[v] = MASKED ? _mm512_maskz_loadu_ps(mask[v], b_row + kLanes * v) : _mm512_loadu_ps(b_row + kLanes * v);
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i) {
      const __m512 ai = _mm512_set1_ps(i < kTop ? a_top[row_offset[i]] : a_bottom[row_offset[i - kTop]]);
#pragma GCC unroll 16
      for (int v = 0; v < VECS; ++v) acc[i][v] = _mm512_fmadd_ps(ai, b[v], acc[i][v]);
    }
  }
}

// C := alpha * acc + beta * C for one tile, as alpha * acc rounded, then one
// fused multiply-add with beta * C (alpha = 1 skips the exact product; the
// RNN and most callers pass alpha = 1, and at K = 64 the 26 multiplies are
// 1.5% of a tile's work). MASKED as in k_loop.
template <int ROWS, int VECS, bool MASKED, Epilogue::Op OP>
[[gnu::always_inline]] inline void write_back(__m512 (&acc)[ROWS][VECS], float alpha, float beta, float* C, index ldc,
                                              const __mmask16 (&mask)[VECS], const float* bias, index prefetch_ahead) {
  if (alpha != 1.0f) {
    const __m512 va = _mm512_set1_ps(alpha);
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
      for (int v = 0; v < VECS; ++v) acc[i][v] = _mm512_mul_ps(va, acc[i][v]);
  }
  // Two passes: every row of C is read (beta != 0) before any is stored.
  // When C is narrower than a tile (the seed RNN's H = 5, ldc = 5) the masked
  // 64-byte window of row i + 1 overlaps the one just stored for row i; a
  // load overlapping a masked store cannot take its data from the store
  // buffer and waits until the store reaches the cache, so
  // load-store-load-store row by row serialises those waits (the seed's
  // 4 x 5 x 5 call took three times as long row by row: docs/tuning-notes.md).
  if (beta != 0.0f) {  // beta == 0 never reads C
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
      for (int v = 0; v < VECS; ++v) {
        const float* c = C + i * ldc + kLanes * v;
        const __m512 c_old = MASKED ? _mm512_maskz_loadu_ps(mask[v], c) : _mm512_loadu_ps(c);
        acc[i][v] = _mm512_fmadd_ps(vb, c_old, acc[i][v]);
      }
  }
  // The epilogue (problem.hpp) on the finished values, still in registers:
  // the same operations as the pass over stored C (activation_avx512.cpp),
  // so the same bits, without the store and the load back.
  if constexpr (OP != Epilogue::Op::none) {
    __m512 b[VECS];
#pragma GCC unroll 16
    for (int v = 0; v < VECS; ++v)
      b[v] = MASKED ? _mm512_maskz_loadu_ps(mask[v], bias + kLanes * v) : _mm512_loadu_ps(bias + kLanes * v);
    if constexpr (OP == Epilogue::Op::bias_tanh) {
#pragma GCC unroll 16
      for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
        for (int v = 0; v < VECS; ++v) acc[i][v] = tanh16(_mm512_add_ps(acc[i][v], b[v]));
    } else {
#pragma GCC unroll 16
      for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
        for (int v = 0; v < VECS; ++v) acc[i][v] = relu16(_mm512_add_ps(acc[i][v], b[v]));
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < VECS; ++v) {
      float* c = C + i * ldc + kLanes * v;
      if (MASKED)
        _mm512_mask_storeu_ps(c, mask[v], acc[i][v]);
      else
        _mm512_storeu_ps(c, acc[i][v]);
    }
  // The epilogue's prefetch hint (gemm.hpp, BiasActivation): the lines just
  // written, that far on, requested tile by tile through the product.
  if constexpr (OP != Epilogue::Op::none) {
    if (prefetch_ahead != 0)
#pragma GCC unroll 16
      for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
        for (int v = 0; v < VECS; ++v) __builtin_prefetch(C + i * ldc + kLanes * v + prefetch_ahead, 1, 3);
  }
}

// One ROWS x (16 * VECS) tile of C, n <= 16 * VECS columns of which are real.
template <int ROWS, int VECS, Epilogue::Op OP>
void small_tile(const GemmProblem& p, const float* A, const float* B, float* C, int n) {
  // Every loop over rows and vectors is unrolled completely (the pragmas), so
  // acc[][] lives in registers: GCC 12 otherwise keeps a copy of the array on
  // the stack and stores all accumulators to it on every k step.
  __mmask16 mask[VECS];
#pragma GCC unroll 16
  for (int v = 0; v < VECS; ++v) mask[v] = mask_for(n - 16 * v < 0 ? 0 : n - 16 * v);
  // The epilogue's bias for this tile's columns. B is row-major here and the
  // tile's B starts at its first column, j = B - p.B.data, so j costs no
  // argument: with one more, the tile calls pass one on the stack, which
  // cost a product without an epilogue a few nanoseconds.
  const float* bias = nullptr;
  index prefetch_ahead = 0;
  if constexpr (OP != Epilogue::Op::none) {
    bias = p.epilogue->bias + p.b_col0 + (B - p.B.data);
    prefetch_ahead = p.epilogue->prefetch_ahead;
  }
  __m512 acc[ROWS][VECS];
#pragma GCC unroll 16
  for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < VECS; ++v) acc[i][v] = _mm512_setzero_ps();

  // The k loop (one rank-1 update per step, B's row p loaded from B itself,
  // A's column p broadcast element by element from A's rows), then C :=
  // alpha * acc + beta * C. Full-width tiles use plain loads and stores; only
  // the tile at the right edge of C needs the column masks.
  if (n == 16 * VECS) {
    k_loop<ROWS, VECS, false>(acc, p.K, A, p.A.row_stride, p.A.col_stride, B, p.B.row_stride, mask);
    write_back<ROWS, VECS, false, OP>(acc, p.alpha, p.beta, C, p.ldc, mask, bias, prefetch_ahead);
  } else {
    k_loop<ROWS, VECS, true>(acc, p.K, A, p.A.row_stride, p.A.col_stride, B, p.B.row_stride, mask);
    write_back<ROWS, VECS, true, OP>(acc, p.alpha, p.beta, C, p.ldc, mask, bias, prefetch_ahead);
  }
}

// Calls small_tile<rows, VECS> for a tile of `rows` rows, 1 <= rows <=
// MAX_ROWS: every height has its own fully unrolled instantiation, and this
// tries them in turn (ROWS = 1, 2, ...), as a switch over the heights would.
template <int VECS, int MAX_ROWS, Epilogue::Op OP, int ROWS = 1>
void run_tile(index rows, const GemmProblem& p, const float* A, const float* B, float* C, int n) {
  if (rows == ROWS)
    small_tile<ROWS, VECS, OP>(p, A, B, C, n);
  else if constexpr (ROWS < MAX_ROWS)
    run_tile<VECS, MAX_ROWS, OP, ROWS + 1>(rows, p, A, B, C, n);
}

// (Inlined into its two callers in sgemm_small_avx512: the call costs
// a measurable part of a 4 x 4 x 4 product.)
template <Epilogue::Op OP>
[[gnu::always_inline]] inline void small_unpacked(const GemmProblem& p) {
  const index M = p.M, N = p.N;
  const float* A = p.A.data;
  const float* B = p.B.data;
  // Very short C (M <= 7 rows): tiles 64 columns wide (4 zmm per row), so a
  // tile still has 4 * M independent accumulators. With 32 columns a 4-row
  // tile has only 8, exactly the 4-cycle FMA latency x 2 ports, and any late
  // load stalls it (measured: docs/06-small-matrices.md, "The unpacked path").
  if (M <= kMaxWideRows) {
    for (index j = 0; j < N; j += 64) {
      const int n = static_cast<int>(N - j < 64 ? N - j : 64);
      // The last 1..32 columns take a tile 1 or 2 zmm wide: the same useful
      // accumulators, without FMAs, loads and stores on masked-off lanes.
      // (The seed RNN's 4 x 5 x 5 recurrence: docs/rnn-performance.md.)
      if (n > 32)
        run_tile<4, kMaxWideRows, OP>(M, p, A, B + j, p.C + j, n);
      else if (n > 16)
        run_tile<2, kMaxWideRows, OP>(M, p, A, B + j, p.C + j, n);
      else
        run_tile<1, kMaxWideRows, OP>(M, p, A, B + j, p.C + j, n);
    }
    return;
  }
  // Rows of C in near-equal tiles of at most kMaxRows.
  // The loops run rows outside, columns inside: a tile's rows of A (at most
  // 14 x K floats) stay in L1 while B streams past from L2, as the packed A
  // micro-panel does in the five loops. Faster than the other order (columns
  // outside) for both of the RNN's shapes (docs/tuning-notes.md).
  const index row_tiles = (M + kMaxRows - 1) / kMaxRows;
  // 2nd loop (rows of C, one tile at a time).
  for (index t = 0, i = 0; t < row_tiles; ++t) {
    const index rows = (M - i) / (row_tiles - t) + ((M - i) % (row_tiles - t) != 0 ? 1 : 0);
    const float* a_rows = A + i * p.A.row_stride;
    // 1st loop (columns of C, 32 at a time; the last 1..16 with the narrow tile).
    for (index j = 0; j < N; j += 32) {
      const int n = static_cast<int>(N - j < 32 ? N - j : 32);
      float* c_rows = p.C + i * p.ldc + j;
      if (n > 16)
        run_tile<2, kMaxRows, OP>(rows, p, a_rows, B + j, c_rows, n);
      else
        run_tile<1, kMaxRows, OP>(rows, p, a_rows, B + j, c_rows, n);
    }
    i += rows;
  }
}

// dst[p * ld + j] := B(p, j) for a B whose columns are contiguous
// (row_stride == 1), 16 x 16 blocks at a time: 16 columns of B, 16
// consecutive elements each, transposed in registers into 16 rows of dst.
// ld is a multiple of 16, so every store is a whole vector inside its row
// (lanes past N get zeros, which no tile reads).
// A whole block is addressed from one pointer and B's column stride (the
// 16 loads as pointer + i * stride): with one pointer per column GCC 12
// kept the 16 pointers on the stack and reloaded them for every block.
void transpose_to_rows(index K, index N, Operand B, float* dst, index ld) {
  const index stride = B.col_stride;
  for (index j0 = 0; j0 < N; j0 += 16) {
    const index cols = N - j0;  // real columns in this block (16 or more: all)
    const float* column = B.at(0, j0);
    for (index p0 = 0; p0 < K; p0 += 16) {
      const index steps = K - p0 < 16 ? K - p0 : 16;
      const float* block_start = column + p0;
      __m512 block[16];
      if (steps == 16 && cols >= 16) {  // a whole block: plain loads (a masked load costs an extra uop)
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) block[i] = _mm512_loadu_ps(block_start + i * stride);
      } else {
        const __mmask16 real_steps = first_lanes(steps);
        for (int i = 0; i < 16; ++i)
          block[i] = i < cols ? _mm512_maskz_loadu_ps(real_steps, block_start + i * stride) : _mm512_setzero_ps();
      }
      transpose_16x16(block);
      // dst is 64-byte aligned (AlignedBuffer) and ld a multiple of 16 floats: aligned stores.
      float* rows = dst + p0 * ld + j0;
#pragma GCC unroll 16
      for (index r = 0; r < steps; ++r) _mm512_store_ps(rows + r * ld, block[r]);
    }
  }
}

// The copy of a transposed (column-major) B that the small path reads
// instead: K x N row-major, rows 16 floats apart or more. This thread's,
// reused by every call (as the packing buffers of goto.cpp).
AlignedBuffer& b_copy_buffer() {
  thread_local AlignedBuffer buffer;
  return buffer;
}

// B transposed (or column-major): its rows are not contiguous, and the k
// loop loads 16 consecutive elements of a row of B per vector. The
// problem with B copied to row-major first.
[[gnu::noinline]] GemmProblem with_b_copied_to_rows(const GemmProblem& p) {
  // Copied by 16 x 16 register transposes (transpose_avx512.hpp):
  // K * N elements moved against M * N * K multiply-adds, so the copy's
  // share falls as 1 / M (measured: docs/06-small-matrices.md). A B with
  // neither stride 1 (a view no BLAS call produces) is copied element by element.
  const index ld = (p.N + 15) / 16 * 16;
  float* copy = b_copy_buffer().reserve(static_cast<std::size_t>(ld * p.K));
  count_b_block_in_call();
  if (p.B.row_stride == 1) {
    transpose_to_rows(p.K, p.N, p.B, copy, ld);
  } else {
    for (index r = 0; r < p.K; ++r)
      for (index j = 0; j < p.N; ++j) copy[r * ld + j] = p.B(r, j);
  }
  GemmProblem q = p;
  q.B = Operand{copy, ld, 1};
  return q;
}

// A product with a fused epilogue: the kind is a template argument, so a
// call without one runs exactly the tiles it ran before (no branch, no
// extra registers in them), and each kind is its own copy, out of line.
template <Epilogue::Op OP>
[[gnu::noinline]] void small_fused(const GemmProblem& p) {
  if (p.B.row_major())
    small_unpacked<OP>(p);
  else
    small_unpacked<OP>(with_b_copied_to_rows(p));
}

}  // namespace

void sgemm_small_avx512(const GemmProblem& p) {
  if (p.epilogue != nullptr) [[unlikely]] {
    if (p.epilogue->op == Epilogue::Op::bias_tanh)
      small_fused<Epilogue::Op::bias_tanh>(p);
    else
      small_fused<Epilogue::Op::bias_relu>(p);
    return;
  }
  if (p.B.row_major()) {
    small_unpacked<Epilogue::Op::none>(p);
    return;
  }
  small_unpacked<Epilogue::Op::none>(with_b_copied_to_rows(p));
}

// The path as the kernel table sees it (kernels.hpp), with its crossover:
// the shapes where it beats the packed driver, measured on the machine the
// kernel was tuned on (docs/06-small-matrices.md, "The crossover"). The
// unpacked tiles keep up with the packed ones up to 384^3 (a 32-column strip
// of B, K * 128 bytes, and a tile's rows of A stay in L1/L2), and at N = 1024
// fall far behind (B's strip is 128 KiB and its rows are 4 KiB apart, so
// they collide in the L1 sets). Packing
// costs O(M*K + K*N) copies that only pay off when many tiles reuse them:
// whenever C has few rows (or few columns) it is wasted. Shallow products
// (K <= 128, B at most 128 x 512 = 256 KiB, in L2) keep a tile's rows of A
// (14 x K floats, <= 7 KiB) in L1 while B streams from L2: the RNN's input
// projection, 3200 x 256 x 128, is one.
// Skinny problems can still be large (64 x 4096 x 512): threads split them
// like the packed path, in blocks of whole 14 x 32 tiles, from 2 * 256^3
// flops (about 200 us): below that one thread is used, so the small cases
// never touch the pool.
extern const SmallPath avx512_small{
    sgemm_small_avx512, {384.0 * 384 * 384, 384, 64, 512, 128, index{128} * 512}, kMaxRows, 32, 2.0 * 256 * 256 * 256,
};

}  // namespace gemmlab::detail
