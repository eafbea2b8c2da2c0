// gemmlab/sbgemm.hpp — bf16 matrix multiplication with float sums.
//
//   C := alpha * op(A) * op(B) + beta * C,   A and B bf16, C float
//
// Every argument means what it means for sgemm (gemmlab/gemm.hpp): both
// layouts, every transpose, the same leading-dimension rules, the same
// checks in the same order (std::invalid_argument naming the argument; C
// untouched), M, N, K = 0 and alpha = 0 never reading A and B, beta = 0
// never reading C, GEMMLAB_NUM_THREADS and GEMMLAB_VERBOSE. Leading
// dimensions count elements (bf16 or float, as the inputs are stored).
//
// Each input is stored either as bf16, or as float: then each element is
// rounded to the nearest bf16 (gemmlab::to_bf16) as the kernel reads it. No
// rounded copy is made; the packed kernels round while they pack. The result
// is exactly that of the all-bf16 form on the rounded inputs. All four
// pairings exist: bf16 x bf16; float x float (a user with float data and a
// model to speed up); float A x bf16 B (activations times weights kept in
// bf16, as the bf16 RNN does); bf16 A x float B.
//
// The kernel must be a bf16 one (bf16-naive, bf16-blocked, bf16-avx512,
// bf16-amx) or `simd`, which runs the best this CPU and OS allow; a float
// kernel is refused (std::invalid_argument naming it).
//
// Numerics (docs/08-bf16-amx.md): products of two bf16 are exact in float and
// only the float sums round, so against the exact product of the bf16
// inputs Ā, B̄ (the rounded ones, for float inputs)
//     |C_hat - C| <= gamma_{K+2} * (|alpha| |Ā| |B̄| + |beta| |C|),   u = 2^-24,
// and against the float inputs A, B the rounding of each to bf16 (relative
// error at most 2^-8) adds up to (2 * 2^-8 + 2^-16) |alpha| |A| |B|,
// whatever K is. (Products or sums below 2^-126, where the bf16 instructions
// flush to zero, are outside both.)
#pragma once

#include <memory>

#include "gemmlab/bf16.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab {

void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const bf16* A, int lda, const bf16* B, int ldb, float beta, float* C, int ldc);
void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const float* A, int lda, const bf16* B, int ldb, float beta, float* C, int ldc);
void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const bf16* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

// The short forms: row-major, neither operand transposed.
void sbgemm(Kernel k, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb, float beta,
            float* C, int ldc);
void sbgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
            float* C, int ldc);
void sbgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const bf16* B, int ldb, float beta,
            float* C, int ldc);

// ---- a B packed once, for many products ------------------------------------------
//
// A layer's weights multiply a new A at every step with the same B: packing
// B into the kernel's panels (and rounding it to bf16) once, instead of at
// every call, is what MKL's cblas_sgemm_pack / cblas_sgemm_compute offer
// for float. PackedBf16Matrix is that for sbgemm: op(B), K x N, given in any
// layout and transpose (the same leading-dimension rules as sbgemm), packed
// for the micro-kernel of kernel k (bf16-blocked, bf16-avx512, bf16-amx, or
// simd for the best; bf16-naive has no panels and is refused). Its memory
// holds the panels only: the source may be freed after construction.
// Immutable, so one PackedBf16Matrix may be used from several threads at once.
class PackedBf16Matrix {
 public:
  PackedBf16Matrix(Kernel k, Layout layout, Transpose trans, int K, int N, const bf16* B, int ldb);
  PackedBf16Matrix(Kernel k, Layout layout, Transpose trans, int K, int N, const float* B, int ldb);

  int rows() const;       // K
  int cols() const;       // N
  Kernel kernel() const;  // the concrete kernel it is packed for (simd resolved)

  struct Packed;  // the panels (src/gemm/sbgemm.cpp)
  const Packed& packed() const { return *packed_; }

 private:
  std::shared_ptr<const Packed> packed_;
};

// C := alpha * A * B + beta * C with a packed B, row-major A (M x B.rows(),
// float rounded while it is packed, or bf16) and C (M x B.cols()), on the
// kernel B was packed for. Checked as sbgemm is (lda >= max(1, K), ldc >=
// max(1, N), ...).
void sbgemm(int M, float alpha, const float* A, int lda, const PackedBf16Matrix& B, float beta, float* C, int ldc);
void sbgemm(int M, float alpha, const bf16* A, int lda, const PackedBf16Matrix& B, float beta, float* C, int ldc);

}  // namespace gemmlab
