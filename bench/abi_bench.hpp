// bench/abi_bench.hpp — what the C ABI costs: the same tiny product through
// the C++ sgemm and through cblas_sgemm, timed in alternation.
#pragma once

#include <cstdio>
#include <vector>

#include "options.hpp"

namespace gemmlab::bench {

struct AbiRow {
  Shape shape;
  double cpp_ns = 0;    // median over the rounds of gemmlab::sgemm (Kernel::simd)
  double cblas_ns = 0;  // the same for cblas_sgemm (GEMMLAB_KERNEL's kernel, simd by default)
  int rounds = 0;
};

// Each round times both calls, one after the other (so a busy moment hits
// both), and the medians over the rounds are reported.
std::vector<AbiRow> run_abi_bench(const Options& options);
void print_abi_table(std::FILE* out, const std::vector<AbiRow>& rows);

}  // namespace gemmlab::bench
