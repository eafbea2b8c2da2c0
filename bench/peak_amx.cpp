// AMX peak probe: tdpbf16ps on six independent 16 x 16 float C tiles, with
// one A and one B tile loaded once: registers only, no memory traffic in the
// loop. Each instruction is 16 x 16 x 32 multiply-adds (16384 flops). Six
// chains, because one tdpbf16ps waits for the previous one on the same C
// tile (its latency is several times its issue interval).
// Compiled with the AMX flags; called only when cpu_features() says the
// CPU, XCR0 and the OS's permission all allow AMX (amx_usable). The tiles
// are configured here and released at the end, so the probe leaves the
// thread as it found it (the pool's threads configure their own).
#include <immintrin.h>

#include <cstdint>

#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

struct alignas(64) TileConfig {
  std::uint8_t palette = 0;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t bytes_per_row[16] = {};
  std::uint8_t rows[16] = {};
};

}  // namespace

float peak_loop_amx(std::int64_t iterations, float multiplier, float addend) {
  TileConfig config;
  config.palette = 1;
  for (int t = 0; t < 8; ++t) {
    config.rows[t] = 16;
    config.bytes_per_row[t] = 64;
  }
  _tile_loadconfig(&config);
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
