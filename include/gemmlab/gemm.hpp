// gemmlab/gemm.hpp — the BLAS-style entry point and the kernel registry.
//
//   C := alpha * A * B + beta * C
//
// Row-major throughout: A is M x K, B is K x N, C is M x N, and element (i, j)
// of X lives at X[i * ldx + j]; leading dimensions are in elements.
//
// Rules every kernel obeys (the dispatcher in src/gemm/sgemm.cpp enforces the
// first three before any kernel runs):
//   * M, N or K of 0 are valid. With K == 0 or alpha == 0, C := beta * C and
//     A and B are never read (as in the reference BLAS).
//   * beta == 0 never reads C: C may hold NaN or garbage on entry.
//   * Negative sizes, or a leading dimension smaller than a row, throw
//     std::invalid_argument naming the argument.
//   * Only the M x N elements of C are written: memory between rows (ldc > N)
//     is left untouched.
//
// Numerics: kernels do not agree bit for bit. They sum the K products in
// different orders, some fuse multiply and add (FMA, one rounding instead of
// two), so results differ in the last bits. Every kernel satisfies the
// componentwise bound |C_hat - C| <= c * gamma_{K+2} * (|alpha||A||B| + |beta||C|),
// gamma_n = n*u / (1 - n*u), u = 2^-24; see docs/numerics.md.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "gemmlab/matrix.hpp"

namespace gemmlab {

enum class Kernel {
  naive,        // the textbook triple loop
  loop_order,   // the same loops reordered (i, p, j): rows of B, vectorisable
  tiled,        // loop_order cut into cache-sized blocks (no packing, no register tile)
  blocked,      // portable C++ cache blocking, no intrinsics
  simd,         // the best SIMD kernel this CPU supports (falls back to blocked)
  simd_avx2,    // x86-64 AVX2 + FMA, 256-bit registers
  simd_avx512,  // x86-64 AVX-512 (F, VL, BW, DQ), 512-bit registers
  simd_neon,    // ARM64 NEON, 128-bit registers
};

void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc);

// The same on matrices and views: C := alpha * A * B + beta * C.
// Throws shape_error when A, B and C do not fit together.
void gemm(Kernel k, ConstMatrixView A, ConstMatrixView B, MatrixView C, float alpha = 1.0f, float beta = 0.0f);

// "naive", "loop-order", "tiled", "blocked", "simd", "simd-avx2", "simd-avx512", "simd-neon".
std::string_view kernel_name(Kernel k);
// Throws std::invalid_argument listing the valid names.
Kernel kernel_from_name(std::string_view name);
// Compiled into this binary and supported by this CPU. `simd` is always
// available: without a SIMD kernel it runs the best portable one.
bool kernel_available(Kernel k);
// The concrete kernel a call runs: `simd` becomes simd-avx512, simd-avx2,
// simd-neon or blocked; every other kernel is itself.
Kernel resolve_kernel(Kernel k);
// What a kernel is and the instruction set it needs, in words; and whether
// it can run here and why (for `gemmlab kernels`).
std::string_view kernel_description(Kernel k);
std::string_view kernel_isa(Kernel k);
std::string kernel_status(Kernel k);

// Every kernel, in the order of the enum; and those this machine can run.
std::span<const Kernel> all_kernels();
std::vector<Kernel> available_kernels();

// Threads used by one sgemm call. Threaded: blocked and the SIMD kernels
// (they split C into blocks of whole columns or rows between a persistent
// pool of worker threads); naive is not. Calls too small to pay for waking a
// worker run on the calling thread alone (below 2*160^3 flops on the packed
// path; the AVX-512 small-matrix path below 2*256^3). The default is 1.
//
// Two ways to set it, one rule: a count from 1 to max_num_threads.
//   * set_num_threads(n): n outside that range throws std::invalid_argument.
//     A valid call replaces the environment's value, even an invalid one.
//   * The environment variable GEMMLAB_NUM_THREADS, read once, on first use:
//     decimal digits only, nothing else (no sign, no spaces before or after,
//     no other base): "2" and "02" are 2; " 2", "2 ", "+2", "2.0", "0x2",
//     "0" and "1025" are invalid. Unset or empty means 1.
// While GEMMLAB_NUM_THREADS is invalid (and no set_num_threads call has
// replaced it), every sgemm and gemm call, whatever the kernel and size,
// num_threads() and check_settings() throw the same std::invalid_argument,
// naming the variable, its value and the rule. An invalid
// GEMMLAB_DISABLE_ISA (gemmlab/cpu.hpp) is reported the same way by every
// sgemm and gemm call, check_settings(), cpu_features() and what asks it
// (kernel_available, ...); nothing replaces it.
// check_settings() checks both variables and does nothing else: a program
// calls it first to stop before any work or output (`gemmlab kernels` does).
// If the system refuses to create a worker thread, the call still completes,
// with the same result: the calling thread runs the parts that have no
// worker. After fork(), the child's first threaded call starts a new pool
// (the parent's workers do not exist in the child).
// sgemm may be called from several user threads at once: one call at a time
// uses the pool, the others run on their own calling threads (same results).
inline constexpr int max_num_threads = 1024;
void set_num_threads(int n);
int num_threads();
void check_settings();

}  // namespace gemmlab
