// The C ABI (gemmlab/cblas.h): cblas_sgemm and sgemm_ translate their
// arguments, check them with the C++ API's rules (gemm/dispatch.hpp) and
// report an illegal one through xerbla_ with the reference numbering, then
// run the kernel chosen by GEMMLAB_KERNEL. Nothing may escape as a C++
// exception: any failure is reported on standard error and the call returns.
#include "gemmlab/cblas.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "gemm/dispatch.hpp"
#include "gemm/threads.hpp"

namespace gemmlab::detail {
namespace {

// GEMMLAB_KERNEL, read on the first call. An unknown or unavailable name is
// reported once, and the default is used: a BLAS has no way to fail a
// program for its environment, and refusing every call would be worse.
const ResolvedKernel& abi_kernel() {
  static const ResolvedKernel& kernel = []() -> const ResolvedKernel& {
    const char* name = std::getenv("GEMMLAB_KERNEL");
    if (name == nullptr || *name == '\0') return resolved(Kernel::simd);
    try {
      const Kernel k = kernel_from_name(name);
      if (!kernel_computes(k, Precision::f32)) {
        std::fprintf(stderr, "gemmlab: GEMMLAB_KERNEL='%s' multiplies bf16, not float; using simd\n", name);
        return resolved(Kernel::simd);
      }
      if (kernel_available(k)) return resolved(k);
      std::fprintf(stderr, "gemmlab: GEMMLAB_KERNEL='%s' cannot run here (%s); using simd\n", name,
                   kernel_status(k).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gemmlab: GEMMLAB_KERNEL: %s; using simd\n", e.what());
    }
    return resolved(Kernel::simd);
  }();
  return kernel;
}

// The reference's argument positions for each BadArgument.
int fortran_position(BadArgument bad) {
  switch (bad) {
    case BadArgument::trans_a:
      return 1;
    case BadArgument::trans_b:
      return 2;
    case BadArgument::m:
      return 3;
    case BadArgument::n:
      return 4;
    case BadArgument::k:
      return 5;
    case BadArgument::a:
      return 7;
    case BadArgument::lda:
      return 8;
    case BadArgument::b:
      return 9;
    case BadArgument::ldb:
      return 10;
    case BadArgument::c:
      return 12;
    case BadArgument::ldc:
      return 13;
    case BadArgument::layout:  // sgemm_ has no layout argument
    case BadArgument::none:
      break;
  }
  return 0;
}

int cblas_position(BadArgument bad) {
  switch (bad) {
    case BadArgument::layout:
      return 1;
    case BadArgument::trans_a:
      return 2;
    case BadArgument::trans_b:
      return 3;
    case BadArgument::m:
      return 4;
    case BadArgument::n:
      return 5;
    case BadArgument::k:
      return 6;
    case BadArgument::a:
      return 8;
    case BadArgument::lda:
      return 9;
    case BadArgument::b:
      return 10;
    case BadArgument::ldb:
      return 11;
    case BadArgument::c:
      return 13;
    case BadArgument::ldc:
      return 14;
    case BadArgument::none:
      break;
  }
  return 0;
}

// 'N', 'T', 'C' in either case; anything else is an invalid value.
Transpose transpose_from_char(const char* c) {
  if (c == nullptr) return static_cast<Transpose>(0);
  switch (*c) {
    case 'N':
    case 'n':
      return Transpose::no_trans;
    case 'T':
    case 't':
      return Transpose::trans;
    case 'C':
    case 'c':
      return Transpose::conj_trans;
    default:
      return static_cast<Transpose>(0);
  }
}

void report(const char* name, int name_length, int position) { xerbla_(name, &position, name_length); }

// Runs a checked call; a failure inside (an allocation) cannot be thrown to C.
void run_from_c(const SgemmCall& call) {
  try {
    require_valid_settings();  // a bad GEMMLAB_NUM_THREADS or GEMMLAB_DISABLE_ISA: reported, C untouched
    run_checked(abi_kernel(), call);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemmlab: %s failed: %s\n", call.entry, e.what());
  }
}

}  // namespace
}  // namespace gemmlab::detail

using gemmlab::Layout;
using gemmlab::Transpose;
namespace detail = gemmlab::detail;

// The library is built with hidden visibility (Makefile: PIC_FLAGS); the
// entry points of gemmlab/cblas.h are the exceptions, and the version
// script exports exactly these.
#pragma GCC visibility push(default)

extern "C" void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int m, int n, int k,
                            float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c,
                            int ldc) {
  const detail::SgemmCall call{"cblas_sgemm",
                               static_cast<Layout>(order),
                               static_cast<Transpose>(trans_a),
                               static_cast<Transpose>(trans_b),
                               m,
                               n,
                               k,
                               alpha,
                               a,
                               lda,
                               b,
                               ldb,
                               beta,
                               c,
                               ldc};
  const detail::BadArgument bad = detail::first_bad_argument(call);
  if (bad != detail::BadArgument::none) {
    detail::report("cblas_sgemm", 11, detail::cblas_position(bad));
    return;
  }
  detail::run_from_c(call);
}

extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                       const float* beta, float* c, const int* ldc) {
  // Every scalar is passed by reference; a null one is the caller's bug, but
  // reported rather than dereferenced (as the argument it stands for).
  const int* sizes[] = {m, n, k, lda, ldb, ldc};
  const int positions[] = {3, 4, 5, 8, 10, 13};
  for (int i = 0; i < 6; ++i)
    if (sizes[i] == nullptr) return detail::report("SGEMM ", 6, positions[i]);
  if (alpha == nullptr) return detail::report("SGEMM ", 6, 6);
  if (beta == nullptr) return detail::report("SGEMM ", 6, 11);
  const detail::SgemmCall call{"sgemm_",
                               Layout::col_major,
                               detail::transpose_from_char(transa),
                               detail::transpose_from_char(transb),
                               *m,
                               *n,
                               *k,
                               *alpha,
                               a,
                               *lda,
                               b,
                               *ldb,
                               *beta,
                               c,
                               *ldc};
  const detail::BadArgument bad = detail::first_bad_argument(call);
  if (bad != detail::BadArgument::none) {
    detail::report("SGEMM ", 6, detail::fortran_position(bad));
    return;
  }
  detail::run_from_c(call);
}

#pragma GCC visibility pop
