// `gemmlab kernels`: what this binary carries and what this CPU can run.
#include <cstdio>
#include <iostream>

#include "cli/cli.hpp"
#include "gemmlab/cpu.hpp"

namespace gemmlab::cli {
namespace {

// kernel_from_name, its error reported as a mistake in the --kernel option.
Kernel kernel_option(std::string_view name) {
  try {
    return kernel_from_name(name);
  } catch (const std::invalid_argument& e) {
    throw usage_error(std::string("--kernel: ") + e.what());
  }
}

}  // namespace

std::vector<Kernel> parse_kernel_list(std::string_view text) {
  if (text == "all") return available_kernels();
  std::vector<Kernel> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view name = text.substr(start, end - start);
    const Kernel k = kernel_option(name);
    if (!kernel_available(k))
      throw usage_error("--kernel: '" + std::string(name) + "' cannot run here: " + kernel_status(k));
    out.push_back(k);
    start = end + 1;
  }
  return out;
}

int run_kernels(std::span<const std::string> args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << "usage: gemmlab kernels\n  Lists every kernel, whether this CPU can run it, and the CPU features.\n";
      return 0;
    }
    throw usage_error("kernels: unknown option '" + a + "'");
  }
  check_settings();  // before any output: a bad GEMMLAB_* variable prints nothing but the error
  const CpuFeatures& cpu = cpu_features();
  std::cout << "cpu:      " << (cpu.brand.empty() ? "(unknown)" : cpu.brand) << " (" << cpu.arch << ", "
            << cpu.logical_cores << " logical cores)\n";
  std::cout << "features: " << cpu.summary() << '\n';
  if (!cpu.disabled.empty()) std::cout << "hidden by GEMMLAB_DISABLE_ISA: " << cpu.disabled << '\n';
  std::cout << "threads:  " << num_threads() << " per call (GEMMLAB_NUM_THREADS)\n\n";
  std::printf("%-12s %-14s %-58s %s\n", "kernel", "isa", "available", "what it is");
  for (Kernel k : all_kernels()) {
    const std::string status = kernel_status(k);
    std::printf("%-12s %-14s %-58s %s\n", std::string(kernel_name(k)).c_str(), std::string(kernel_isa(k)).c_str(),
                status.c_str(), std::string(kernel_description(k)).c_str());
  }
  return 0;
}

}  // namespace gemmlab::cli
