// src/gemm/small.hpp — internal: the small-matrix paths, which multiply the
// caller's A and B directly, without packing (see small_avx512.cpp).
// Same argument rules as a kernel function (problem.hpp).
#pragma once

#include "gemm/problem.hpp"

namespace gemmlab::detail {

#if defined(GEMMLAB_HAVE_AVX512)
// A in any layout; a B whose rows are not contiguous is first copied to
// row-major (small_avx512.cpp says why and what it costs).
void sgemm_small_avx512(const GemmProblem& p);
#endif

}  // namespace gemmlab::detail
