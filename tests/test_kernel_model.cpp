// The performance model's one number per kernel: its arithmetic intensity
// (gemmlab::kernel_flops_per_byte), the x of the roofline the bench draws.
//
// The expected values are derived by hand from each kernel's inner loop
// (docs/performance-model.md), not from the library's formula: a step of an
// MR x NR micro-kernel loads MR elements of A and NR of B and does MR x NR
// multiply-adds, so 2 MR NR / (bytes per element x (MR + NR)) flops per byte;
// a teaching step's loads are counted in its source. A kernel added without
// its intensity fails here until its value is derived and written below.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gemmlab/gemm.hpp"

namespace {

using gemmlab::Kernel;
using gemmlab::Precision;

const std::map<std::string, double>& hand_derived() {
  static const std::map<std::string, double> values = {
      {"naive", 2.0 / 8.0},             // a(i,p), b(p,j): 8 bytes per multiply-add
      {"loop-order", 2.0 / 8.0},        // b(p,j), c(i,j): 8 bytes (the store of c is not a load)
      {"tiled", 2.0 / 8.0},             // the same loop inside blocks
      {"register-tile", 128.0 / 80.0},  // 4 x 16 tile: 64 multiply-adds per 4 + 16 floats
      {"packed", 128.0 / 80.0},         // the same tile on packed panels
      {"blocked", 128.0 / 80.0},        // 4 x 16 tile: 64 multiply-adds per 4 + 16 floats
      {"simd-avx2", 192.0 / 88.0},      // 6 x 16: 96 per 22 floats
      {"simd-avx512", 896.0 / 184.0},   // 14 x 32: 448 per 46 floats
      {"simd-neon", 192.0 / 80.0},      // 8 x 12: 96 per 20 floats
      {"bf16-naive", 2.0 / 4.0},        // two bf16 (2 bytes each) per multiply-add
      // bf16, per k: MR + NR elements of 2 bytes for MR x NR multiply-adds.
      {"bf16-blocked", 128.0 / 40.0},  // 4 x 16: 64 per 20 elements
      {"bf16-avx512", 896.0 / 92.0},   // 14 x 32: 448 per 46
      {"bf16-amx", 2048.0 / 128.0},    // 32 x 32 (2 x 2 tiles of C): 1024 per 64
  };
  return values;
}

void expect_intensities(Precision precision) {
  const std::vector<Kernel> runnable = gemmlab::available_kernels(precision);
  for (Kernel k : gemmlab::all_kernels(precision)) {
    if (k == Kernel::simd) continue;  // a name for another row
    const std::string name(gemmlab::kernel_name(k));
    SCOPED_TRACE(name);
    const bool runs = std::find(runnable.begin(), runnable.end(), k) != runnable.end();
    if (!runs) {
      EXPECT_EQ(gemmlab::kernel_flops_per_byte(k), 0.0) << "a kernel that does not run here has no intensity";
      continue;
    }
    const auto it = hand_derived().find(name);
    ASSERT_NE(it, hand_derived().end()) << "no hand-derived intensity for this kernel: derive it and add it here";
    EXPECT_NEAR(gemmlab::kernel_flops_per_byte(k), it->second, 1e-12);
  }
}

TEST(KernelModel, FloatKernelsHaveTheirHandDerivedIntensity) { expect_intensities(Precision::f32); }
TEST(KernelModel, Bf16KernelsHaveTheirHandDerivedIntensity) { expect_intensities(Precision::bf16); }

}  // namespace
