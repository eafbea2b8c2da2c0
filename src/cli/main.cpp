// gemmlab — command-line entry point.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace {

const char* const usage_text =
    "usage: gemmlab <command> [options]\n"
    "\n"
    "commands:\n"
    "  rnn       run the seed's RNN (or your own weights and inputs) with one or every kernel\n"
    "  kernels   list every kernel, whether this CPU can run it, and the CPU features detected\n"
    "\n"
    "`gemmlab <command> --help` describes a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage_text;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  const std::span<const std::string> rest(args.data() + 1, args.size() - 1);
  try {
    if (command == "rnn") return gemmlab::cli::run_rnn(rest);
    if (command == "kernels") return gemmlab::cli::run_kernels(rest);
    throw gemmlab::cli::usage_error("unknown command '" + command + "' (commands: rnn, kernels; see gemmlab --help)");
  } catch (const gemmlab::cli::usage_error& e) {
    std::cerr << "gemmlab: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gemmlab: " << e.what() << '\n';
    return 1;
  }
}
