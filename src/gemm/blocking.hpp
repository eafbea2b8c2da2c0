// src/gemm/blocking.hpp — internal: the one table of micro-kernels and their
// block sizes (MR, NR, MC, KC, NC). The rows, and the cache arithmetic that
// chose each number, are in blocking.cpp.
#pragma once

#include <span>
#include <string_view>

#include "gemm/goto.hpp"

namespace gemmlab::detail {

// Every micro-kernel compiled into this binary (whether or not this CPU can
// run it: check cfg.cpu_supports()). The tests iterate over this list.
std::span<const MicroKernelConfig> micro_kernel_configs();

// The row named `name` ("avx512_14x32"); throws std::logic_error if absent
// (a build error in disguise: the glue asked for a kernel it did not compile).
const MicroKernelConfig& micro_kernel_config(std::string_view name);

}  // namespace gemmlab::detail
