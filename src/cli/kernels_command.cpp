// `gemmlab kernels`: what this binary carries and what this CPU can run.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <new>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>

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

// One row of the kernel table, whatever the length of its cells.
std::string table_row(const std::string& kernel, const std::string& isa, const std::string& status,
                      const std::string& what) {
  const int length = std::snprintf(nullptr, 0, "%-*s %-14s %-58s %s\n", kernel_name_width(), kernel.c_str(),
                                   isa.c_str(), status.c_str(), what.c_str());
  if (length < 0) throw std::runtime_error("kernels: cannot format the kernel table");
  std::string row(static_cast<std::size_t>(length), '\0');
  std::snprintf(row.data(), row.size() + 1, "%-*s %-14s %-58s %s\n", kernel_name_width(), kernel.c_str(), isa.c_str(),
                status.c_str(), what.c_str());
  return row;
}

// "L1d 48 KiB, 12 ways x 64 sets x 64 B, private" for one cache level.
std::string cache_line(const char* name, const CacheLevel& c) {
  if (!c.known()) return std::string("  ") + name + ": not described\n";
  std::ostringstream line;
  line << "  " << name << ": " << c.bytes / 1024 << " KiB, " << c.ways << " ways x " << c.sets << " sets x "
       << c.line_bytes << " B lines, ";
  if (c.shared_by <= 0)
    line << "sharing not described\n";
  else if (c.shared_by == 1)
    line << "private to one logical CPU\n";
  else
    line << "shared by " << c.shared_by << " logical CPUs\n";
  return line.str();
}

// The caches, then each packed float kernel's block sizes and their reasons
// (each report's lines indented under its kernel). Built with an
// ostringstream: GCC 12 reports a false -Wrestrict on the std::string
// concatenations this took before.
std::string verbose_blocking(const CpuFeatures& cpu) {
  std::ostringstream text;
  text << "caches (" << (cpu.caches.source.empty() ? std::string("not described") : cpu.caches.source) << "):\n"
       << cache_line("L1d", cpu.caches.l1d) << cache_line("L2 ", cpu.caches.l2) << cache_line("L3 ", cpu.caches.l3);
  for (Kernel k : all_kernels()) {
    if (k == Kernel::simd) continue;  // the row it resolves to is listed
    const std::string report = blocking_report(k);
    if (report.empty()) continue;
    text << '\n' << kernel_name(k) << ":\n";
    std::size_t start = 0;
    while (start < report.size()) {
      const std::size_t end = report.find('\n', start);
      text << "  " << report.substr(start, end - start) << '\n';
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return text.str();
}

}  // namespace

int kernel_name_width() {
  static const int width = [] {  // the table cannot change while the program runs
    std::size_t longest = 0;
    for (Precision p : {Precision::f32, Precision::bf16})
      for (Kernel k : all_kernels(p)) longest = std::max(longest, kernel_name(k).size());
    return static_cast<int>(longest);
  }();
  return width;
}

std::vector<Kernel> parse_kernel_list(std::string_view text, Precision precision) {
  if (text == "all") return available_kernels(precision);
  std::vector<Kernel> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view name = text.substr(start, end - start);
    const Kernel k = kernel_option(name);
    if (!kernel_computes(k, precision))
      throw usage_error(
          "--kernel: '" + std::string(name) + "' does not compute " + std::string(precision_name(precision)) +
          (precision == Precision::bf16 ? " (with --precision bf16: bf16-naive, bf16-blocked, bf16-avx512, "
                                          "bf16-amx, simd or all)"
                                        : " (it is a bf16 kernel: add --precision bf16)"));
    if (!kernel_available(k))
      throw usage_error("--kernel: '" + std::string(name) + "' cannot run here: " + kernel_status(k));
    out.push_back(k);
    start = end + 1;
  }
  return out;
}

int run_kernels(std::span<const std::string> args, std::ostream& os) {
  bool verbose = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      os << "usage: gemmlab kernels [--verbose]\n  Lists every kernel (float, then bf16), whether this CPU and OS can "
            "run "
            "it and\n  why not, and the CPU features. --verbose adds the caches the CPU describes and, for\n"
            "  each packed float kernel, its cache blocks (KC, MC, NC) and how they were chosen.\n";
      return 0;
    }
    if (a == "--verbose" || a == "-v") {
      verbose = true;
      continue;
    }
    throw usage_error("kernels: unknown option '" + a + "'");
  }
  check_settings();  // before any output: a bad GEMMLAB_* variable prints nothing but the error
  // Everything is gathered first, then written at once.
  const CpuFeatures& cpu = cpu_features();
  std::ostringstream out;
  out << "cpu:      " << (cpu.brand.empty() ? "(unknown)" : cpu.brand) << " (" << cpu.arch << ", " << cpu.logical_cores
      << " logical cores)\n";
  out << "features: " << cpu.summary() << '\n';
  if (!cpu.disabled.empty()) out << "hidden by GEMMLAB_DISABLE_ISA: " << cpu.disabled << '\n';
  out << "threads:  " << num_threads() << " per call (GEMMLAB_NUM_THREADS)\n\n";
  out << table_row("kernel", "isa", "available", "what it is");
  for (Kernel k : all_kernels())
    out << table_row(std::string(kernel_name(k)), std::string(kernel_isa(k)), kernel_status(k),
                     std::string(kernel_description(k)));
  // The bf16 kernels (sbgemm, gemmlab rnn --precision bf16): bf16 inputs, float sums.
  out << "\nbf16 kernels (sbgemm; gemmlab rnn --precision bf16):\n";
  for (Kernel k : all_kernels(Precision::bf16)) {
    const bool simd = k == Kernel::simd;
    out << table_row(std::string(kernel_name(k)), std::string(kernel_isa(k)),
                     simd ? simd_status(Precision::bf16) : kernel_status(k),
                     simd ? "the best bf16 kernel this CPU and OS allow" : std::string(kernel_description(k)));
  }
  if (verbose) out << "\n" << verbose_blocking(cpu);
  if (!out) throw std::bad_alloc();  // a string stream fails only when its buffer cannot grow
  errno = 0;                         // so that a failed write reports its own reason (require_written)
  os << out.str();
  return 0;
}

}  // namespace gemmlab::cli
