// AMX peak probe: tdpbf16ps on six independent 16 x 16 float C tiles, with
// one A and one B tile loaded once: registers only, no memory traffic in the
// loop. Each instruction is 16 x 16 x 32 multiply-adds (16384 flops). Six
// chains, because one tdpbf16ps waits for the previous one on the same C
// tile (its latency is several times its issue interval).
// Compiled with the AMX flags; called only when cpu_features() says the
// CPU, XCR0 and the OS's permission all allow AMX (amx_usable()). The tiles
// are configured here and released at the end; the AMX kernel checks its
// configuration before it runs, so it does not matter what the probe left.
#include <immintrin.h>

#include <cstdint>

#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

struct alignas(64) TileConfig {
  std::uint8_t palette;
  std::uint8_t start_row;
  std::uint8_t reserved[14];
  std::uint16_t bytes_per_row[16];
  std::uint8_t rows[16];
};

constexpr TileConfig kTileConfig = {
    1, 0, {}, {64, 64, 64, 64, 64, 64, 64, 64}, {16, 16, 16, 16, 16, 16, 16, 16},
};

}  // namespace

float peak_loop_amx(std::int64_t iterations, float multiplier, float addend) {
  // The whole object as the operand (GCC 12's _tile_loadconfig names only 8
  // bytes of it: src/gemm/microkernel_amx_32x32.cpp).
  __asm__ volatile("ldtilecfg %0" : : "m"(kTileConfig));
  // A and B: every bf16 the same small number (the upper half of its
  // float's bits), so each C element grows by 32 * multiplier * addend.
  alignas(64) std::uint16_t a[16 * 32], b[16 * 32];
  alignas(64) float c[16 * 16] = {};
  std::uint32_t ma = 0, mb = 0;
  __builtin_memcpy(&ma, &multiplier, 4);
  __builtin_memcpy(&mb, &addend, 4);
  for (int i = 0; i < 16 * 32; ++i) {
    a[i] = static_cast<std::uint16_t>(ma >> 16);
    b[i] = static_cast<std::uint16_t>(mb >> 16);
  }
  // GCC 12's _tile_loadd does not tell the compiler it reads memory: make
  // the stores above happen first.
  __asm__ volatile("" : : : "memory");
  _tile_loadd(6, a, 64);
  _tile_loadd(7, b, 64);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_zero(4);
  _tile_zero(5);
  for (std::int64_t i = 0; i < iterations; ++i) {
    _tile_dpbf16ps(0, 6, 7);
    _tile_dpbf16ps(1, 6, 7);
    _tile_dpbf16ps(2, 6, 7);
    _tile_dpbf16ps(3, 6, 7);
    _tile_dpbf16ps(4, 6, 7);
    _tile_dpbf16ps(5, 6, 7);
  }
  float total = 0.0f;
  _tile_stored(0, c, 64);
  for (float x : c) total += x;
  _tile_stored(5, c, 64);
  for (float x : c) total += x;
  _tile_release();
  return total;
}

}  // namespace gemmlab::bench
