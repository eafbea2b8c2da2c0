// src/gemm/small.hpp — internal: the small-matrix paths, which multiply the
// caller's A and B directly, without packing (see small_avx512.cpp).
// Same argument rules as a kernel function (kernels.hpp).
#pragma once

namespace gemmlab::detail {

#if defined(GEMMLAB_HAVE_AVX512)
void sgemm_small_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                        float* C, int ldc);
// Whether sgemm_avx512 takes the small path for this shape (simd.cpp).
bool use_small_path_avx512(int M, int N, int K);
#endif

}  // namespace gemmlab::detail
