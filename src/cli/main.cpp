// gemmlab — command-line entry point (the work is in run_main, dispatch.cpp).
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return gemmlab::cli::run_main(args, std::cout, std::cerr);  // flushes std::cout and checks it was written
}
