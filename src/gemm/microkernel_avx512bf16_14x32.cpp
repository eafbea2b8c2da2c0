// The AVX512-BF16 micro-kernel: a 14 x 32 tile of C in 28 zmm registers,
// fed by vdpbf16ps (bf16_microkernel.hpp has the contract and the layout).
//
// vdpbf16ps acc, a, b treats each 32-bit lane of a and b as a pair of bf16
// and adds both products of the pair to that lane of acc:
//     acc[j] += a[2j] * b[2j] + a[2j + 1] * b[2j + 1]      j = 0..15
// So the B panel holds k in pairs (group 2): one 64-byte row of the panel
// is the pairs (2q, 2q+1) of 16 columns, and two rows cover the tile's 32
// columns. A's pair (2q, 2q+1) for one row of the tile is broadcast to all
// 16 lanes (a 32-bit broadcast), so each instruction is 16 columns x one
// row x two k steps: twice the work of a float FMA (the same tile, the same
// register count as microkernel_avx512_14x32.cpp, half the loop trips).
//
// Intel documents (SDM, VDPBF16PS) that the instruction ignores MXCSR: it
// rounds to nearest even, treats bf16 subnormal inputs as zero and flushes
// subnormal results to zero. The products of two bf16 are exact in float,
// so each lane makes at most two roundings per pair (the order of the two
// additions is not specified), within the bound of docs/08-bf16-amx.md.
//
// Whether the instruction is as fast as a float FMA per instruction is the
// CPU's business: on Intel's Sapphire Rapids it was measured at about half
// the float FMA's flop rate (so slower than float), on this project's AMD
// host at about twice it; the bench's avx512bf16 probe measures it.
#include <immintrin.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "gemm/bf16_microkernel.hpp"
#include "gemm/bf16_pack.hpp"
#include "gemm/tile_store_avx512.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 14;
constexpr int NR = 32;

// One k pair: acc += A(:, 2q..2q+1) * B(2q..2q+1, :).
[[gnu::always_inline]] inline void pair_update(__m512 (&acc)[MR][2], const bf16* a, const bf16* b) {
  const __m512bh b0 = std::bit_cast<__m512bh>(_mm512_load_si512(b));
  const __m512bh b1 = std::bit_cast<__m512bh>(_mm512_load_si512(b + 32));
  for (int i = 0; i < MR; ++i) {
    std::int32_t pair = 0;
    std::memcpy(&pair, a + 2 * static_cast<index>(i), sizeof pair);  // the two bf16 of row i, as one 32-bit lane
    const __m512bh ai = std::bit_cast<__m512bh>(_mm512_set1_epi32(pair));
    acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
    acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
  }
}

void microkernel_avx512bf16_14x32(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc,
                                  int m, int n) {
  __m512 acc[MR][2];
  for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();
  constexpr index a_step = 2 * index{MR}, b_step = 2 * index{NR};  // bf16 per k pair in each panel
  // As in the float kernel: the A panel streams from L2 and is prefetched
  // a few pairs ahead; the B panel (32 x 512 x 2 = 32 KiB at KC = 512) is
  // read from L1 after its first tile.
  constexpr index kPrefetchA = 8;
  const int pairs = depth / 2;
  int q = 0;
  for (; q + 2 <= pairs; q += 2) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step + 2 * a_step - 1), _MM_HINT_T0);
    pair_update(acc, a, b);
    pair_update(acc, a + a_step, b + b_step);
    a += 2 * a_step;
    b += 2 * b_step;
  }
  for (; q < pairs; ++q, a += a_step, b += b_step) pair_update(acc, a, b);

  store_tile_32(acc, alpha, beta, c, ldc, m, n);
}

}  // namespace

// Blocks, in bf16 elements (half the bytes of float's for the same counts):
//   KC = 512: B panel 32 x 512 x 2 = 32 KiB, A panel 14 x 512 x 2 = 14 KiB:
//             together within a 48 KiB L1 (Intel) and near a 32-48 KiB one (AMD);
//   MC = 168 (12 * MR): A block 168 x 512 x 2 = 168 KiB of L2;
//   NC = 4096: B block 512 x 4096 x 2 = 4 MiB, in L3.
extern const Bf16MicroKernel avx512bf16_14x32{
    .name = "avx512bf16_14x32",
    .isa = Isa::avx512_bf16,
    .mr = MR,
    .nr = NR,
    .a_group = 2,
    .b_group = 2,
    .depth_multiple = 2,
    .blocking = {168, 512, 4096},
    .fn = microkernel_avx512bf16_14x32,
    .pack_a = pack_bf16_pairs_avx512_14,
    .pack_b = pack_bf16_pairs_avx512_32,
};

}  // namespace gemmlab::detail
