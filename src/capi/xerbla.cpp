// gemmlab's default xerbla_, the reference BLAS's error handler
// (gemmlab/cblas.h). In a file of its own, so that a program that defines
// its own xerbla_ and links the static library does not also pull in this
// one; in the shared library it is an exported, interposable symbol, so the
// program's definition wins there as well. Weak, for linkers that see both.
#include <cstdio>

#include "gemmlab/cblas.h"

#pragma GCC visibility push(default)  // exported (the rest of the library is hidden)
extern "C" __attribute__((weak)) void xerbla_(const char* srname, const int* info, int srname_len) {
  // The reference's message, word for word in shape: the routine name as
  // given (padded, e.g. "SGEMM "), then the argument's position.
  std::fprintf(stderr, "** On entry to %.*s parameter number %d had an illegal value\n", srname_len, srname, *info);
}
#pragma GCC visibility pop
