// Sizes near INT_MAX: the interface takes int sizes, and every kernel must
// compute them (gemmlab/gemm.hpp: index arithmetic inside the kernels is
// 64-bit). A dimension of INT_MAX floats is 8 GiB; the operands here are
// anonymous mappings that are never written except where a test says so,
// so reading them costs page-table walks over the kernel's zero page, not
// memory. C of 1 x INT_MAX (or INT_MAX x 1) is written in full: 8 GiB of
// resident memory for a few seconds.
//
// They take about a minute on two cores, so they run only when
// GEMMLAB_TEST_HUGE=1 (`make test-huge`, a stage of .ci/run), and never
// under emulation (GEMMLAB_TEST_EMULATED: qemu, valgrind), where reading
// 8 GiB element by element takes far longer.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "test_util.hpp"

namespace gemmlab {
namespace {

// An anonymous mapping of `count` floats, all zero until written.
class ZeroFloats {
 public:
  explicit ZeroFloats(std::size_t count) : bytes_(count * sizeof(float)) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<float*>(p);
    // Read faults on a huge-page region map the kernel's 2 MiB zero page,
    // 512 times fewer faults than 4 KiB pages (where Linux allows it).
    if (data_ != nullptr) madvise(data_, bytes_, MADV_HUGEPAGE);
  }
  ZeroFloats(const ZeroFloats&) = delete;
  ZeroFloats& operator=(const ZeroFloats&) = delete;
  ZeroFloats(ZeroFloats&&) = delete;
  ZeroFloats& operator=(ZeroFloats&&) = delete;
  ~ZeroFloats() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  float* data() const { return data_; }

 private:
  std::size_t bytes_;
  float* data_ = nullptr;
};

bool env_set(const char* name) {
  const char* e = std::getenv(name);
  return e != nullptr && *e != '\0' && *e != '0';
}

class HugeDimension : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
    if (!env_set("GEMMLAB_TEST_HUGE")) GTEST_SKIP() << "8 GiB operands: run with GEMMLAB_TEST_HUGE=1 (make test-huge)";
    if (env_set("GEMMLAB_TEST_EMULATED")) GTEST_SKIP() << "8 GiB operands take minutes under emulation";
    if (sizeof(void*) < 8) GTEST_SKIP() << "needs a 64-bit address space";
  }
};

// The kernels whose loops step by blocks (x += block), where a bound near
// INT_MAX can wrap: tiled, register-tile, packed, and the two packed
// drivers (blocked, and simd, which also takes its small path for the thin
// shapes of NIsIntMax and MIsIntMax). naive and loop-order step by one, as the reference loops do.
// Each case reads 8 or 16 GiB, a few seconds per kernel, so not every
// kernel is run on every shape.
INSTANTIATE_TEST_SUITE_P(Kernels, HugeDimension,
                         ::testing::Values(Kernel::tiled, Kernel::register_tile, Kernel::packed, Kernel::blocked,
                                           Kernel::simd),
                         testing::param_name);

TEST_P(HugeDimension, KIsIntMax) {
  // 1 x K times K x 1 with K = INT_MAX: two nonzero products, at p = 0 and
  // at the very last p, so a sum that stops early, wraps or skips the tail shows.
  const int K = INT_MAX;
  const ZeroFloats a(static_cast<std::size_t>(K)), b(static_cast<std::size_t>(K));
  ASSERT_NE(a.data(), nullptr);
  ASSERT_NE(b.data(), nullptr);
  a.data()[0] = 1.5f;
  b.data()[0] = 2.0f;
  a.data()[K - 1] = 2.0f;
  b.data()[K - 1] = 3.0f;
  float c = std::numeric_limits<float>::quiet_NaN();
  sgemm(GetParam(), 1, 1, K, 1.0f, a.data(), K, b.data(), 1, 0.0f, &c, 1);
  EXPECT_EQ(c, 9.0f);  // 1.5 * 2 + 2 * 3, exact in float
}

TEST_P(HugeDimension, NIsIntMax) {
  // 1 x 1 times 1 x N, N = INT_MAX: every element of C written, the last ones included.
  const int N = INT_MAX;
  const ZeroFloats b(static_cast<std::size_t>(N)), c(static_cast<std::size_t>(N));
  ASSERT_NE(b.data(), nullptr);
  ASSERT_NE(c.data(), nullptr);
  b.data()[N - 1] = 4.0f;
  b.data()[N / 2] = -1.0f;
  c.data()[N - 2] = std::numeric_limits<float>::quiet_NaN();  // beta = 0 must overwrite it
  const float a = 0.5f;
  sgemm(GetParam(), 1, N, 1, 1.0f, &a, 1, b.data(), N, 0.0f, c.data(), N);
  EXPECT_EQ(c.data()[N - 1], 2.0f);
  EXPECT_EQ(c.data()[N / 2], -0.5f);
  EXPECT_EQ(c.data()[N - 2], 0.0f);
  EXPECT_EQ(c.data()[0], 0.0f);
}

TEST_P(HugeDimension, MIsIntMax) {
  // M x 1 times 1 x 1, M = INT_MAX, C column-major-like (ldc = 1).
  const int M = INT_MAX;
  const ZeroFloats a(static_cast<std::size_t>(M)), c(static_cast<std::size_t>(M));
  ASSERT_NE(a.data(), nullptr);
  ASSERT_NE(c.data(), nullptr);
  a.data()[M - 1] = 3.0f;
  c.data()[M - 3] = std::numeric_limits<float>::quiet_NaN();
  const float b = -2.0f;
  sgemm(GetParam(), M, 1, 1, 1.0f, a.data(), 1, &b, 1, 0.0f, c.data(), 1);
  EXPECT_EQ(c.data()[M - 1], -6.0f);
  EXPECT_EQ(c.data()[M - 3], 0.0f);
}

}  // namespace
}  // namespace gemmlab
