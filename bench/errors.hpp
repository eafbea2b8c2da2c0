// bench/errors.hpp — the measured rounding error against K, for the float
// kernel and the bf16 ones, beside their bounds (gemmlab-bench --errors).
//
// For each K (1 to 8192, powers of two) and two kinds of data (zero-mean
// N(0, 1), and positive U(0, 1), where no sum cancels), one 32 x 32 x K
// product per kernel, and for every element the error normalised by the
// scale of its bound:
//     e = |C_hat - C_exact| / sum_p |A(i,p)||B(p,j)|,
// the largest over C. For the bf16 kernels twice: against the exact product
// of the bf16-rounded inputs (only the float sums err: below 2 gamma_{K+2})
// and against that of the original float inputs (the rounding of the inputs
// added: below 2 gamma_{K+2} (1 + v)^2 + 2v + v^2, v = 2^-8).
#pragma once

#include <string>
#include <vector>

#include "gemmlab/gemm.hpp"

namespace gemmlab::bench {

struct ErrorRow {
  std::string kernel;     // the kernel's name
  std::string data;       // "zero-mean" or "positive"
  std::string reference;  // "float inputs" or "bf16 inputs" (the rounded ones)
  int k = 0;
  double max_error = 0;  // the largest e over C
  double bound = 0;      // the bound on e for this kernel and reference
};

// Runs the study for the float `simd` kernel, bf16-naive and the best bf16
// kernel here (AMX where it runs), printing a progress dot per K on
// standard error when `progress`.
std::vector<ErrorRow> run_error_study(bool progress);

void print_error_table(std::FILE* out, const std::vector<ErrorRow>& rows);

// errors.csv and errors.svg (both kinds of data, side by side) in `dir`.
void write_error_files(const std::string& dir, const std::vector<ErrorRow>& rows, const std::string& subtitle);

}  // namespace gemmlab::bench
