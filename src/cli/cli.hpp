// src/cli/cli.hpp — the `gemmlab` command's subcommands.
//
// Exit codes: 0 success, 1 bad data (a file, a shape, a value that would
// overflow), a failed write or too little memory, 2 bad usage (an unknown
// option, kernel or subcommand, a missing value). Errors are one line on
// stderr.
//
// All or error: a command reads and checks every input and computes every
// result before it prints anything, so a run that fails for any of those
// reasons prints nothing on stdout. What can still fail once printing has
// begun is the write itself (a full disk, a closed or broken stdout): the
// output is then incomplete, and the command says so on stderr and exits
// with 1. Every command, --help included, flushes its output and checks that
// it was written before it reports success.
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

// Thrown when the output could not be written: exit code 1.
struct write_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws write_error, naming the system's reason, if `os` has failed. Call
// it right after writing (errno still holds the failed write's reason);
// clear errno before the writes it checks.
void require_written(const std::ostream& os);

// "NAME" or "all" -> the kernels to run; "all" means every available kernel.
std::vector<Kernel> parse_kernel_list(std::string_view text, Precision precision = Precision::f32);

// The width of a column of kernel names: the longest name in the table, so
// that a new kernel with a longer name does not break the alignment.
int kernel_name_width();

// The whole command line after the program name: picks the subcommand,
// runs it, flushes `out` and checks it was written, and turns exceptions
// into one line on `err` and an exit code (usage_error: 2, any other
// exception: 1). main() is this with std::cout and std::cerr; the tests call
// it with string streams.
int run_main(std::span<const std::string> args, std::ostream& out, std::ostream& err);

int run_rnn(std::span<const std::string> args, std::ostream& os);
int run_kernels(std::span<const std::string> args, std::ostream& os);
int run_tune(std::span<const std::string> args, std::ostream& os);

// One set of block sizes `gemmlab tune` times, and what it is besides a
// grid point: "constants", "model", "in use" (joined by ", "), or empty.
struct TunePoint {
  BlockSizes blocks;
  std::string origin;
};
// The grid `gemmlab tune` times for a packed kernel (tune_command.cpp says
// how it is chosen): the constants', the model's and the sizes in use, each
// once, and the points around them (with `quick`, only the constants' and
// the model's KC and MC), sorted by KC, MC, NC.
std::vector<TunePoint> tune_grid(const KernelBlocking& kb, bool quick);

}  // namespace gemmlab::cli
