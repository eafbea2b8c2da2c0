// The table of micro-kernels and block sizes, one row per micro-kernel.
//
// How the block sizes follow from the caches (Goto & van de Geijn 2008, §6;
// Low et al., "Analytical modeling is enough for high-performance BLIS",
// TOMS 2016). In the loops of goto.cpp:
//   * the 1st loop runs the micro-kernel over every A micro-panel with the
//     SAME B micro-panel (KC x NR), so that panel should stay in L1 with room
//     left for the A micro-panel (MR x KC) streaming past it:
//         KC * NR * 4  +  KC * MR * 4  <=  L1;
//   * the 2nd loop reuses the whole packed A block (MC x KC) for every B
//     micro-panel, so it should stay in L2:  MC * KC * 4  <=  about half of L2
//     (the other half holds B panels and C tiles passing through);
//   * the 4th loop reuses the packed B block (KC x NC) for every A block, so it
//     lives in L3 (or memory): NC only has to be large enough that packing A
//     is amortised over many columns.
// The machine these were tuned on (the benchmark host of issue 5):
// Intel Xeon (Sapphire/Emerald Rapids), L1d 48 KiB and L2 2 MiB per core,
// L3 260 MiB shared.
#include "gemm/blocking.hpp"

#include <stdexcept>
#include <string>

#include "gemmlab/cpu.hpp"

namespace gemmlab::detail {
namespace {

bool always() { return true; }
[[maybe_unused]] bool has_avx2_fma() { return cpu_features().avx2 && cpu_features().fma; }
[[maybe_unused]] bool has_avx512() { return cpu_features().avx512_f_vl_bw_dq(); }
[[maybe_unused]] bool has_neon() { return cpu_features().neon; }

const MicroKernelConfig table[] = {
    // portable_4x16 (Kernel::blocked): MR = 4, NR = 16 (see microkernel_portable.hpp).
    //   KC = 512: B micro-panel 512 * 16 * 4 = 32 KiB, A micro-panel
    //             512 * 4 * 4 = 8 KiB: 40 KiB of the 48 KiB L1.
    //   MC = 128 (32 * MR): packed A block 128 * 512 * 4 = 256 KiB of the 2 MiB L2.
    //   NC = 4096 (256 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
    // Why KC = 512 (as for avx2 and avx512, not 256): this kernel prefetches nothing (no
    // intrinsics), so every micro-kernel call stalls on the first touch of its
    // 4 x 16 tile of C, which for N >= 1024 comes from L3; the fewer KC blocks,
    // the fewer times each tile of C is fetched. Measured (CPU time, AVX2 copy,
    // busy machine): KC = 256 lost 23% from N = 256 to 2048, KC = 512 loses 13%.
    // (On a CPU with a 32 KiB L1 a KC of 384 or 256 would be the right choice.)
    // Two rows, one source: the baseline copy, and the same C++ compiled with
    // AVX2 + FMA (blocked.cpp picks the second when the CPU can run it).
    {"portable_4x16", 4, 16, 128, 512, 4096, microkernel_portable_4x16, always},
#if defined(GEMMLAB_HAVE_AVX2)
    {"portable_avx2_4x16", 4, 16, 128, 512, 4096, microkernel_portable_avx2_4x16, has_avx2_fma},
    // avx2_6x16: MR = 6, NR = 16 (12 ymm accumulators, see its file).
    //   KC = 512: B micro-panel 512 * 16 * 4 = 32 KiB, A micro-panel
    //             512 * 6 * 4 = 12 KiB: 44 KiB of the 48 KiB L1.
    //   MC = 120 (20 * MR): packed A block 120 * 512 * 4 = 240 KiB of the 2 MiB L2.
    //   NC = 4096 (256 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
    // KC = 512 rather than 256: each call amortises its fixed cost (zeroing,
    // the C tile) over twice the FMAs. Measured at N = 1024, quiet machine,
    // median of 9: KC 256 / MC 240: 77.0 GFLOP/s; 384 / 240: 78.3; 512 / 120: 80.2.
    {"avx2_6x16", 6, 16, 120, 512, 4096, microkernel_avx2_6x16, has_avx2_fma},
#endif
#if defined(GEMMLAB_HAVE_AVX512)
    // avx512_14x32: MR = 14, NR = 32 (28 zmm accumulators, see its file).
    //   KC = 512: B micro-panel 512 * 32 * 4 = 64 KiB, A micro-panel
    //             512 * 14 * 4 = 28 KiB: together twice the 48 KiB L1, so
    //             (against the rule above) the B micro-panel does NOT stay in
    //             L1: every micro-kernel call streams both panels from L2,
    //             92 KiB per 7168 FMAs (~3600 cycles), about 26 bytes a
    //             cycle, which the L2 sustains. What the deeper KC buys: the
    //             14 x 32 tile of C is read and written once per KC block, and
    //             for N >= 1024 C does not fit L2, so each pass over C comes
    //             from L3; KC = 512 halves those passes.
    //   MC = 84 (6 * MR): packed A block 84 * 512 * 4 = 168 KiB of the 2 MiB L2.
    //   NC = 4096 (128 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
    //   Measured (goto_sgemm_serial, 1 thread, GFLOP/s, median of 14 runs
    //   timed by thread CPU time, 2026-11-27, a shared and noisy machine:
    //   differences under ~5% are noise):
    //     KC (MC = 336), N = 1024 / 2048:  128: 109 / 106   192: 116 / 117
    //                                      256: 121-134 / 121-130   384: 118-135 / 128-135
    //     MC (KC = 256), N = 1024 / 2048:  112: 126-134 / 125-134
    //                                      336: 123-132 / 117-128   1008: 109-129 / 118
    //   Second pass (same harness, the configurations interleaved round by
    //   round so the noise hits them alike; medians of 5-21 rounds):
    //     (MC, KC)            N = 512     1024       2048
    //     (112, 256)          148        136-139    135-141
    //     (112, 512)          151        140-141    139-144
    //     (84, 512)           151        145        141-148
    //     (56, 512)           151        141-143    142-147
    //     (112, 1024)          -         141         -
    //   KC = 128 loses: C is read and written once per KC block. KC = 512
    //   wins 3-5% over 256 for the same reason, although its B micro-panel
    //   no longer fits L1. (In gemmlab-bench on the quiet machine, 3 runs
    //   each, 12:30 UTC: N = 1024 143-154 -> 151-153, N = 2048 148-155 ->
    //   152-155: smaller than the harness shows, within the bench's noise.)
    //   MC: smaller is better once the B block no longer fits L2 (its
    //   panels streaming in from L3 evict a large A block).
    //   NC = 1024 or 1536 (so that a KC = 256 B block fits L2) measured no
    //   better than 4096 at N = 2048 (131 and 130 against 136).
    {"avx512_14x32", 14, 32, 84, 512, 4096, microkernel_avx512_14x32, has_avx512, pack_a_avx512_14, pack_b_avx512_32},
#endif
#if defined(GEMMLAB_HAVE_NEON)
    // neon_8x12: MR = 8, NR = 12 (24 q-register accumulators, see its file).
    // Not tuned on hardware (the lab machine is x86; the kernel is tested
    // under qemu): sized for the smallest common ARM64 caches, the 32 KiB L1d
    // and 512 KiB-1 MiB L2 of a Cortex-A72 (Raspberry Pi 4); Apple and
    // Neoverse cores have 64-128 KiB L1d and would take a larger KC.
    //   KC = 256: B micro-panel 256 * 12 * 4 = 12 KiB, A micro-panel
    //             256 * 8 * 4 = 8 KiB: 20 KiB of a 32 KiB L1.
    //   MC = 192 (24 * MR): packed A block 192 * 256 * 4 = 192 KiB of L2.
    //   NC = 3072 (256 * NR): packed B block 256 * 3072 * 4 = 3 MiB, in L3 or memory.
    {"neon_8x12", 8, 12, 192, 256, 3072, microkernel_neon_8x12, has_neon},
#endif
    // (a placeholder row keeps the array non-empty when no ISA file is built)
    {nullptr, 0, 0, 0, 0, 0, nullptr, nullptr},
};

}  // namespace

std::span<const MicroKernelConfig> micro_kernel_configs() {
  return std::span<const MicroKernelConfig>(table, std::size(table) - 1);  // without the placeholder
}

const MicroKernelConfig& micro_kernel_config(std::string_view name) {
  for (const MicroKernelConfig& cfg : micro_kernel_configs())
    if (name == cfg.name) return cfg;
  throw std::logic_error(std::string("gemmlab: no micro-kernel named '").append(name).append("' in this build"));
}

}  // namespace gemmlab::detail
