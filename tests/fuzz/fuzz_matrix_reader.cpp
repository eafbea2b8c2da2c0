// libFuzzer target for the text matrix reader (gemmlab/matrix_io.hpp).
//
//   make fuzz-matrix-reader            builds build-fuzz/fuzz_matrix_reader (clang++ only)
//   build-fuzz/fuzz_matrix_reader -max_total_time=60 tests/data/rnn_torch
//
// Every input must either parse into a non-empty matrix of finite floats or
// throw matrix_read_error, the reader's documented exception; anything else
// (another exception, a crash, an AddressSanitizer or UBSan report) is a bug.
// Not part of `make test`: the deterministic fuzz test in
// tests/test_matrix_io.cpp covers the same contract there.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gemmlab/matrix_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const gemmlab::Matrix m = gemmlab::parse_matrix(text, "fuzz");
    if (m.rows() < 1 || m.cols() < 1) std::abort();
    for (int i = 0; i < m.rows(); ++i)
      for (int j = 0; j < m.cols(); ++j)
        if (!std::isfinite(m(i, j))) std::abort();
  } catch (const gemmlab::matrix_read_error&) {
    // the documented outcome for malformed input
  }
  return 0;
}
