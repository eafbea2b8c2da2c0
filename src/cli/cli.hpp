// src/cli/cli.hpp — the `gemmlab` command's subcommands.
//
// Exit codes: 0 success, 1 bad data (a file, a shape), 2 bad usage (an
// unknown option, kernel or subcommand, a missing value). Errors are one line
// on stderr, and a run that fails prints nothing on stdout: every command
// builds its output first and writes it only once everything has succeeded.
#pragma once

#include <iosfwd>
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

// The whole command line after the program name: picks the subcommand,
// runs it, and turns its exceptions into one line on `err` and an exit code
// (usage_error: 2, any other exception: 1). main() is this with std::cout and
// std::cerr; the tests call it with string streams.
int run_main(std::span<const std::string> args, std::ostream& out, std::ostream& err);

int run_rnn(std::span<const std::string> args, std::ostream& os);
int run_kernels(std::span<const std::string> args);

}  // namespace gemmlab::cli
