// src/gemm/dispatch.hpp — internal: one call of an entry point, checked and
// run. The C++ API (sgemm.cpp) and the C ABI (src/capi/) share it, so both
// check the same rules in the same order and run the same code.
#pragma once

#include <string>

#include "gemm/kernels.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab::detail {

// The arguments of one call, as the caller gave them.
struct SgemmCall {
  const char* entry;  // "sgemm", "gemm", "cblas_sgemm", "sgemm_": for messages and GEMMLAB_VERBOSE
  Layout layout;
  Transpose trans_a, trans_b;
  int M, N, K;
  float alpha;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float beta;
  float* C;
  int ldc;
};

// The first argument that is wrong, in the order the reference BLAS checks
// them (layout first, as CBLAS does; then the null pointers, which the
// reference does not check but which would crash here).
enum class BadArgument { none, layout, trans_a, trans_b, m, n, k, lda, ldb, ldc, a, b, c };

BadArgument first_bad_argument(const SgemmCall& call);
// Says what is wrong with that argument and what was expected.
std::string bad_argument_message(BadArgument bad, const SgemmCall& call);

// Runs a call whose arguments have passed first_bad_argument with the
// given kernel (which must be runnable), printing the GEMMLAB_VERBOSE line.
void run_checked(const ResolvedKernel& kernel, const SgemmCall& call);

// Whether a Transpose value from outside (a C caller's int) is one of the three.
inline bool valid(Transpose t) {
  return t == Transpose::no_trans || t == Transpose::trans || t == Transpose::conj_trans;
}
inline bool valid(Layout l) { return l == Layout::row_major || l == Layout::col_major; }

}  // namespace gemmlab::detail
