// The AMX micro-kernel: a 32 x 32 tile of C held in four 16 x 16 float tile
// registers, fed by tdpbf16ps (bf16_microkernel.hpp has the contract).
//
// AMX in four facts (Intel's Architecture Instruction Set Extensions
// Programming Reference, chapter 3, and the Optimization Reference Manual's
// AMX chapter):
//   * eight tile registers tmm0..tmm7, each up to 16 rows of 64 bytes (1 KiB);
//     their shapes are set by a 64-byte tile configuration (ldtilecfg);
//   * tileloadd / tilestored move a tile from / to memory, row by row, with
//     any stride between rows;
//   * tdpbf16ps C, A, B: C (16 x 16 float) += A (16 x 32 bf16) * B, where B's
//     16 rows each hold 16 columns of k PAIRS: B row q, column j holds
//     (B[2q][j], B[2q+1][j]). For each element of C:
//         C[i][j] += sum over q of A[i][2q] * B'[q][2j] + A[i][2q+1] * B'[q][2j+1]
//     16 x 16 x 32 multiply-adds, 16384 flops, in one instruction;
//   * like vdpbf16ps it ignores MXCSR: round to nearest even, bf16 subnormal
//     inputs as zero, subnormal results flushed to zero.
//
// The register blocking: 2 x 2 C tiles (tmm0-3) = 32 x 32 floats, fed by two
// A tiles (tmm4-5: rows 0-15 and 16-31, 32 k values each) and two B tiles
// (tmm6-7: columns 0-15 and 16-31, 16 k pairs each). Each A tile is used
// twice and each B tile twice, so four loads feed four multiplies; with one
// C tile (1 x 1) every multiply would need two fresh loads, and a tile
// multiply is bound by its loads (docs/08-bf16-amx.md).
//
// The panels (bf16_microkernel.hpp): A in groups of 32 (a 32-row k block
// of the panel is two 16 x 64-byte tiles, rows 64 bytes apart), B in pairs
// (a 16-pair k block is two tiles side by side, rows 128 bytes apart), both
// of depth D a multiple of 32 (zero padded).
//
// Tile configuration: loaded once per thread, before its first call
// (prepare_thread, which the driver calls at the start of each thread's
// part, checks it is still loaded), and released when the thread exits.
//
// Rounding: with alpha = beta = 1 every tile, whole or edge, accumulates
// onto C inside the tiles (tileloadd C, then tdpbf16ps; an edge tile's C
// through a buffer), so a row's bits do not depend on where the tile edges
// fall. Any other alpha and beta: the products from zero, then alpha * acc +
// beta * C with an AVX-512 FMA, as the AVX-512 kernels do.
//
// This file is compiled on every x86-64 build (-mamx-tile -mamx-bf16) and
// its code runs only when isa_supported(Isa::amx_bf16): CPUID, XCR0 and the
// OS's permission (core/cpu.cpp).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gemm/bf16_microkernel.hpp"
#include "gemm/bf16_pack.hpp"
#include "gemm/tile_store_avx512.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 32;
constexpr int NR = 32;

// The 64-byte operand of ldtilecfg (palette 1): every tile 16 rows of 64
// bytes (C 16 x 16 float, A 16 x 32 bf16, B 16 pair rows of 16 columns).
struct alignas(64) TileConfig {
  std::uint8_t palette;
  std::uint8_t start_row;
  std::uint8_t reserved[14];
  std::uint16_t bytes_per_row[16];
  std::uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64);
static_assert(offsetof(TileConfig, bytes_per_row) == 16 && offsetof(TileConfig, rows) == 48);

constexpr TileConfig kTileConfig = {
    1, 0, {}, {64, 64, 64, 64, 64, 64, 64, 64}, {16, 16, 16, 16, 16, 16, 16, 16},
};

// ldtilecfg and sttilecfg with the whole 64-byte object as their operand.
// Not GCC 12's _tile_loadconfig / _tile_storeconfig: their asm names only
// the first 8 bytes of the object, so at -O3 GCC dropped the stores that
// filled in the rows and widths of a configuration built on the stack (the
// tiles would have been loaded as 0 x 0), and would not know that
// sttilecfg writes the object.
void load_tile_config(const TileConfig& config) { __asm__ volatile("ldtilecfg %0" : : "m"(config)); }
void store_tile_config(TileConfig& config) { __asm__ volatile("sttilecfg %0" : "=m"(config)); }

// Whether this thread has used the tiles, so that it releases them when it
// exits: tilerelease returns the tile state to its init state, and a thread
// that no longer multiplies does not keep 8 KiB of registers for the OS to
// save at every switch.
struct ThreadTiles {
  bool used = false;
  ThreadTiles() = default;
  ThreadTiles(const ThreadTiles&) = delete;
  ThreadTiles& operator=(const ThreadTiles&) = delete;
  ThreadTiles(ThreadTiles&&) = delete;
  ThreadTiles& operator=(ThreadTiles&&) = delete;
  ~ThreadTiles() {
    if (used) _tile_release();
  }
};
thread_local ThreadTiles thread_tiles;

// The configuration is loaded once per thread: the first call finds none
// (sttilecfg stores zeros in the init state) and loads it; later calls find
// it still there and load nothing. Comparing first, instead of trusting a
// flag, keeps the kernel right when something else on the thread released
// the tiles or loaded another configuration (another AMX library, or the
// bench's peak probe): the ABI does not preserve tile state across calls.
void prepare_amx_thread() {
  TileConfig current{};
  store_tile_config(current);
  if (std::memcmp(&current, &kTileConfig, sizeof current) != 0) load_tile_config(kTileConfig);
  thread_tiles.used = true;
}

void microkernel_amx_32x32(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc, int m,
                           int n) {
  // A whole tile with alpha = 1 and beta 0 or 1 (every KC block after the
  // first, in the common call) goes straight between C and the tiles; any
  // other goes through a float buffer and the alpha / beta update below.
  const bool straight = m == MR && n == NR && alpha == 1.0f && (beta == 0.0f || beta == 1.0f);
  const std::size_t c_row_bytes = static_cast<std::size_t>(ldc) * sizeof(float);
  // An edge tile with alpha = beta = 1 accumulates onto C inside the tiles
  // too, through a buffer that holds its m x n part of C (zeros around it):
  // C + the products in the tile's own order is not the same sum, rounded,
  // as the products from zero and then + C, and a row must get the same bits
  // whether it falls in a whole tile or an edge one (the RNN's slices on
  // several threads put rows in edge tiles that one thread runs whole).
  const bool edge_onto_c = !straight && alpha == 1.0f && beta == 1.0f;
  alignas(64) __m512 tile[MR][2];
  constexpr std::size_t tile_row_bytes = 2 * sizeof(__m512);
  if (straight && beta == 1.0f) {
    const float* c_low = c + static_cast<index>(16) * ldc;  // rows 16..31 (m == 32 here)
    _tile_loadd(0, c, c_row_bytes);
    _tile_loadd(1, c + 16, c_row_bytes);
    _tile_loadd(2, c_low, c_row_bytes);
    _tile_loadd(3, c_low + 16, c_row_bytes);
  } else if (edge_onto_c) {
    const __mmask16 k0 = first_lanes(n), k1 = first_lanes(n - 16);
    for (int i = 0; i < MR; ++i) {
      const float* row = c + static_cast<index>(i) * ldc;
      tile[i][0] = i < m ? _mm512_maskz_loadu_ps(k0, row) : _mm512_setzero_ps();
      tile[i][1] = i < m ? _mm512_maskz_loadu_ps(k1, row + 16) : _mm512_setzero_ps();
    }
    _tile_loadd(0, &tile[0][0], tile_row_bytes);
    _tile_loadd(1, &tile[0][1], tile_row_bytes);
    _tile_loadd(2, &tile[16][0], tile_row_bytes);
    _tile_loadd(3, &tile[16][1], tile_row_bytes);
  } else {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
  constexpr std::size_t a_row_bytes = 32 * sizeof(bf16);      // one row of an A tile: 32 k values
  constexpr std::size_t b_row_bytes = 2 * sizeof(bf16) * NR;  // one pair row of the B panel: 32 columns x 2
  for (int k0 = 0; k0 < depth; k0 += 32) {
    const bf16* a_block = a + static_cast<index>(k0) * MR;  // 32 rows x 32 k values
    const bf16* b_block = b + static_cast<index>(k0) * NR;  // 16 pair rows x 32 columns x 2
    _tile_loadd(4, a_block, a_row_bytes);
    _tile_loadd(5, a_block + static_cast<index>(16) * 32, a_row_bytes);
    _tile_loadd(6, b_block, b_row_bytes);
    _tile_loadd(7, b_block + 32, b_row_bytes);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  if (straight) {
    float* c_low = c + static_cast<index>(16) * ldc;
    _tile_stored(0, c, c_row_bytes);
    _tile_stored(1, c + 16, c_row_bytes);
    _tile_stored(2, c_low, c_row_bytes);
    _tile_stored(3, c_low + 16, c_row_bytes);
    return;
  }
  // The four C tiles into a buffer laid out as a register tile (row i:
  // columns 0-15 in [i][0], 16-31 in [i][1], 128 bytes a row), then the
  // alpha / beta update of the AVX-512 kernels.
  _tile_stored(0, &tile[0][0], tile_row_bytes);
  _tile_stored(1, &tile[0][1], tile_row_bytes);
  _tile_stored(2, &tile[16][0], tile_row_bytes);
  _tile_stored(3, &tile[16][1], tile_row_bytes);
  if (edge_onto_c)
    store_tile_32(tile, 1.0f, 0.0f, c, ldc, m, n);  // C is in the sums already: a plain store (times 1: exact)
  else
    store_tile_32(tile, alpha, beta, c, ldc, m, n);
}

}  // namespace

// Blocks, in bf16 elements. KC = 512 (16 tile steps per call): A panel
// 32 x 512 x 2 = 32 KiB and B panel 32 KiB, streamed from L2 into the tile
// loads; MC = 128: A block 128 x 512 x 2 = 128 KiB of the 2 MiB L2;
// NC = 2048: B block 512 x 2048 x 2 = 2 MiB, in L3. These follow the float
// kernel's reasoning; they have not been tuned on an AMX machine.
extern const Bf16MicroKernel amx_32x32{
    .name = "amx_32x32",
    .isa = Isa::amx_bf16,
    .mr = MR,
    .nr = NR,
    .a_group = 32,  // an A tile row: 32 consecutive k
    .b_group = 2,   // a B tile row: k in pairs
    .depth_multiple = 32,
    .blocking = {128, 512, 2048},
    .fn = microkernel_amx_32x32,
    .pack_a = pack_bf16_rows32_avx512_32,
    .pack_b = pack_bf16_pairs_avx512_32,
    .prepare_thread = prepare_amx_thread,
};

}  // namespace gemmlab::detail
