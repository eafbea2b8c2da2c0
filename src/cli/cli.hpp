// src/cli/cli.hpp — the `gemmlab` command's subcommands.
//
// Exit codes: 0 success, 1 bad data (a file, a shape), 2 bad usage (an
// unknown option, kernel or subcommand). Errors are one line on stderr, and
// a run that fails prints nothing on stdout.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gemmlab/gemm.hpp"

namespace gemmlab::cli {

// Thrown for bad usage: the message is printed and the exit code is 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "NAME" or "all" -> the kernels to run; "all" means every available kernel.
std::vector<Kernel> parse_kernel_list(std::string_view text);

int run_rnn(std::span<const std::string> args);
int run_kernels(std::span<const std::string> args);

}  // namespace gemmlab::cli
