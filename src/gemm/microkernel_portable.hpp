// src/gemm/microkernel_portable.hpp — internal: the body of the portable
// micro-kernel (Kernel::blocked). Plain C++: no intrinsics, no vector types.
//
// ONE SOURCE, COMPILED TWICE. This header is included by exactly two files:
//   microkernel_portable_4x16.cpp       compiled for the target's baseline
//                                       (x86-64: SSE2, 128-bit, no FMA;
//                                        aarch64: NEON, 128-bit, with FMA);
//   microkernel_portable_avx2_4x16.cpp  compiled with -mavx2 -mfma (the
//                                       Makefile gives those flags to every
//                                       file with "avx2" in its name).
// The compiler vectorises the loops below for whatever instruction set it is
// told about: the same 16-float row of the tile becomes four 128-bit
// registers in the first file and two 256-bit registers in the second, and
// `acc += a * b` becomes a multiply and an add, or one fused multiply-add.
// The kernel table (registry.cpp) picks the AVX2 copy at run time when the CPU has AVX2 and FMA,
// so one binary still runs on every x86-64. The lesson: "portable" code is
// only as fast as the instruction set the compiler may assume, and a baseline
// build leaves half to three quarters of a modern core unused.
//
// Why the body is in an anonymous namespace: each including file gets its own
// private copy, compiled with that file's flags. Were it an ordinary inline
// function, the two copies would share one name, and the linker would keep
// just one of them (perhaps the AVX2 one) for both callers: a baseline CPU
// would then die on an illegal instruction. For the same reason the body uses
// no std:: templates (std::min, std::array...), whose instantiations are
// shared between files in the same way.
//
// THE TILE: MR x NR = 4 x 16, in row-major terms. Each of the 4 rows of the
// tile is 16 floats: 2 ymm registers with AVX2 (8 accumulators in all), 4 xmm
// with SSE2 or NEON (16). Per step of k the kernel loads one row of the B
// panel (16 floats) and broadcasts 4 elements of A, then does 4 x 16
// multiply-adds. With AVX2 that is 8 accumulators + 2 B registers + 4
// broadcasts = 14 of the 16 ymm registers; and 8 independent FMA chains are
// just what the core needs to hide the FMA latency (2 FMA units x 4 cycles).
// Larger tiles were measured and lost: 6 x 16 (the tile of the AVX2
// intrinsics kernel) needs 12 + 2 + 1 registers, which only hand-scheduled
// code achieves; both GCC 12 and Clang 14 load all six broadcasts first,
// run out of registers and spill accumulators to the stack every step
// (the measurements: docs/tuning-notes.md, "SIMD micro-kernel").
//
// Numerics: each element of the tile is a sum over p = 0..kc-1 in order, as
// in the contract (microkernel.hpp). The multiply-add `acc += a * b` is one
// expression, so a compiler that contracts (GCC's default for C++ is
// -ffp-contract=fast, Clang 14's is -ffp-contract=on; both fuse a multiply
// and an add written in one expression) turns it into one FMA when the
// target has FMA, and into a multiply then an add when it does not (SSE2).
// The project keeps those defaults and adds no -ffp-contract flag: an FMA
// rounds once instead of twice, so both copies are within the bound of
// gemmlab/numerics.hpp, and they may differ from each other in the last
// bits (the tests compare each one with the bound, never bit for bit).
#pragma once

#include <cstddef>

namespace gemmlab::detail {
namespace {

// clang-tidy's misc-definitions-in-headers objects to definitions in a header
// and suggests `inline`, which is exactly the bug described above (one shared
// copy for both ISAs). A private copy per including file is the point here.
// NOLINTBEGIN(misc-definitions-in-headers)
constexpr int kPortableMR = 4;
constexpr int kPortableNR = 16;

// Block sizes of both copies (MR = 4, NR = 16), for an L1d of 48 KiB and an
// L2 of 2 MiB per core:
//   KC = 512: B micro-panel 512 * 16 * 4 = 32 KiB, A micro-panel
//             512 * 4 * 4 = 8 KiB: 40 KiB of the 48 KiB L1.
//   MC = 128 (32 * MR): packed A block 128 * 512 * 4 = 256 KiB of the 2 MiB L2.
//   NC = 4096 (256 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
// Why KC = 512 (not 256): this kernel prefetches nothing (no intrinsics),
// so every micro-kernel call stalls on the first touch of its 4 x 16 tile
// of C, which for N >= 1024 comes from L3; the fewer KC blocks, the fewer
// times each tile of C is fetched (measured: docs/tuning-notes.md, "Packing"). On
// a CPU with a 32 KiB L1 a KC of 384 or 256 would be the right choice.
constexpr Blocking kPortableBlocking{128, 512, 4096};

// The contract of microkernel.hpp with MR = kPortableMR, NR = kPortableNR.
//
// `#pragma GCC unroll` unrolls the i and j loops completely. That matters
// more than it looks: GCC keeps the accumulator array in registers only when
// every index into it is a constant, i.e. when these loops are gone. Without
// the pragma, GCC 12 keeps `acc` in memory and runs about ten times slower
// (docs/tuning-notes.md, "SIMD micro-kernel"). Clang unrolls them on its own
// and honours the pragma too.
void portable_microkernel(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                          int n) {
  constexpr int MR = kPortableMR, NR = kPortableNR;
  float acc[MR][NR] = {};

  // The k loop: one rank-1 update of the tile per step, acc += a(:, p) * b(p, :).
  for (int p = 0; p < kc; ++p, a += MR, b += NR) {
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 16
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
    }
  }

  // Only the m x n corner of the tile exists in C: scalar loops, so nothing
  // outside C is read or written. (Once per kc steps: its cost is small.)
  for (int i = 0; i < m; ++i) {
    float* c_row = c + static_cast<std::ptrdiff_t>(i) * ldc;
    if (beta == 0.0f) {  // never read C: it may hold NaN
      for (int j = 0; j < n; ++j) c_row[j] = alpha * acc[i][j];
    } else {
      for (int j = 0; j < n; ++j) c_row[j] = alpha * acc[i][j] + beta * c_row[j];
    }
  }
}
// NOLINTEND(misc-definitions-in-headers)

}  // namespace
}  // namespace gemmlab::detail
