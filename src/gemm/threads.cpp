// Thread count for one sgemm call. (A persistent pool lands with the threaded
// kernels; for now this only stores the setting.)
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "gemmlab/gemm.hpp"

namespace gemmlab {
namespace {

int threads_from_environment() {
  const char* text = std::getenv("GEMMLAB_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 1 || n > 1024)
    throw std::invalid_argument(std::string("GEMMLAB_NUM_THREADS='") + text + "': expected a whole number from 1 to 1024");
  return static_cast<int>(n);
}

std::atomic<int>& thread_setting() {
  static std::atomic<int> setting{threads_from_environment()};
  return setting;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: n=" + std::to_string(n) + " must be at least 1");
  thread_setting().store(n);
}

int num_threads() { return thread_setting().load(); }

}  // namespace gemmlab
