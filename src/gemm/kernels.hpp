// src/gemm/kernels.hpp — internal: the kernel table and the kernel functions.
//
// Every kernel has the signature of sgemm without the Kernel argument, and is
// called by the dispatcher (sgemm.cpp) only after the arguments are checked.
// A kernel function may therefore assume:
//   * M >= 1, N >= 1, K >= 1 and alpha != 0 (the dispatcher handles the
//     trivial cases, where C := beta * C);
//   * lda >= K, ldb >= N, ldc >= N, and the pointers address the whole operand;
//   * beta == 0 means C must not be read (it may hold NaN).
// It must write only the M x N elements of C.
//
// Adding a kernel: declare its function here, define it in its own file, and
// add one row to the table in registry.cpp. The tests, the benchmark and the
// CLI iterate over that table.
#pragma once

#include <span>
#include <string_view>

#include "gemmlab/gemm.hpp"

namespace gemmlab::detail {

using KernelFn = void (*)(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                          float beta, float* C, int ldc);

struct KernelEntry {
  Kernel id;
  // Rows of C that are a multiple of this many floats wide are written with
  // whole, unmasked vector stores (a masked store delays the next load of the
  // same memory: docs/rnn-performance.md, "Whole vectors"). 1: the kernel
  // has no such preference. (Declared next to id: two 4-byte fields side by
  // side leave no padding in the struct.)
  int whole_vector_floats;
  std::string_view name;         // what kernel_name() returns
  std::string_view isa;          // the instruction set it needs, for people
  std::string_view description;  // one line for `gemmlab kernels`
  KernelFn fn;                   // nullptr when not compiled into this binary
  bool (*cpu_supports)();        // does this CPU have what the kernel needs?
};

std::span<const KernelEntry> kernel_table();
const KernelEntry& kernel_entry(Kernel k);

void sgemm_naive(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                 float* C, int ldc);
void sgemm_loop_order(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                      float* C, int ldc);
void sgemm_tiled(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                 float* C, int ldc);
void sgemm_blocked(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                   float* C, int ldc);
// Which copy of the portable micro-kernel Kernel::blocked runs on this CPU
// ("portable_4x16", or "portable_avx2_4x16": the same source compiled for AVX2 + FMA).
const char* blocked_micro_kernel_name();
#if defined(GEMMLAB_HAVE_AVX2)
void sgemm_avx2(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                float* C, int ldc);
#endif
#if defined(GEMMLAB_HAVE_AVX512)
void sgemm_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                  float* C, int ldc);
#endif
#if defined(GEMMLAB_HAVE_NEON)
void sgemm_neon(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                float* C, int ldc);
#endif

}  // namespace gemmlab::detail
