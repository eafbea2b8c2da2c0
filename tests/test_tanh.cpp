// gemmlab's tanh and the fused bias + activation passes, every ISA variant
// this CPU runs, against double-precision std::tanh (an independent
// reference) and the special values a tanh must get right.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gemmlab/numerics.hpp"
#include "gemmlab/rnn.hpp"
#include "rnn/activation.hpp"

namespace gemmlab {
namespace detail {
// GoogleTest prints a test parameter with this (otherwise: its raw bytes).
void PrintTo(const ActivationVariant& v, std::ostream* os) { *os << v.name; }
}  // namespace detail
namespace {

using detail::ActivationVariant;

std::string variant_name(const ::testing::TestParamInfo<ActivationVariant>& info) {
  return std::string(info.param.name);
}

class EveryVariant : public ::testing::TestWithParam<ActivationVariant> {
 protected:
  void SetUp() override {
    if (!detail::isa_supported(GetParam().isa))
      GTEST_SKIP() << "this CPU cannot run the " << GetParam().name << " variant";
  }
  // The variant's tanh on a copy of `in`.
  std::vector<float> tanh_of(std::vector<float> in) const {
    GetParam().tanh(in.data(), in.size());
    return in;
  }
};
INSTANTIATE_TEST_SUITE_P(Tanh, EveryVariant,
                         ::testing::ValuesIn(detail::activation_variants().begin(),
                                             detail::activation_variants().end()),
                         variant_name);

float from_bits(std::uint32_t bits) { return std::bit_cast<float>(bits); }

bool same_bits(float a, float b) { return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b); }

TEST(TanhBound, IsAFewUnitsInTheLastPlace) {
  // The documented bound is 8 u; a much larger one would make the RNN tests
  // meaningless, a smaller one than the measured 6.2 u would be false.
  EXPECT_EQ(tanh_max_abs_error, 8 * unit_roundoff);
}

TEST_P(EveryVariant, WithinTheBoundOnADenseSweep) {
  // Every 257th float from 0 up to 10 (about 4.2 million, every binade from
  // the subnormals up), and their negatives. The exhaustive sweep of every
  // float that set the bound is too slow for a unit test (minutes).
  const std::uint32_t stop = 0x41200000u;  // 10.0f
  std::vector<float> xs;
  for (std::uint32_t bits = 0; bits <= stop; bits += 257) {
    xs.push_back(from_bits(bits));
    xs.push_back(-from_bits(bits));
  }
  const std::vector<float> ys = tanh_of(xs);
  double worst = 0.0;
  float worst_x = 0.0f;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double err = std::fabs(double(ys[i]) - std::tanh(double(xs[i])));
    if (!(err <= tanh_max_abs_error)) ++failures;
    if (err > worst) {
      worst = err;
      worst_x = xs[i];
    }
  }
  EXPECT_EQ(failures, 0u) << "worst |error| " << worst << " at x = " << worst_x << " (bound " << tanh_max_abs_error
                          << ")";
  // Odd, bit for bit: the formula only sees x² and multiplies by x.
  for (std::size_t i = 0; i + 1 < xs.size(); i += 2) ASSERT_TRUE(same_bits(ys[i + 1], -ys[i])) << "x = " << xs[i];
}

TEST_P(EveryVariant, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float denormal = std::numeric_limits<float>::denorm_min();
  const std::vector<float> xs = {0.0f,  -0.0f,  1e-30f, -1e-30f, denormal, -denormal,
                                 1e-5f, inf,    -inf,   nan,     9.01f,    -9.01f,
                                 20.0f, -20.0f, 1e19f,  1e20f,   -1e38f,   std::numeric_limits<float>::max()};
  const std::vector<float> ys = tanh_of(xs);
  EXPECT_TRUE(same_bits(ys[0], 0.0f)) << "tanh(+0) must be +0";
  EXPECT_TRUE(same_bits(ys[1], -0.0f)) << "tanh(-0) must be -0";
  for (int i = 2; i <= 5; ++i) EXPECT_EQ(ys[i], xs[i]) << "tanh(x) = x for tiny x = " << xs[i];
  // tanh(1e-5) = 1e-5 - 3.3e-16: the float nearest is 1e-5 itself.
  EXPECT_EQ(ys[6], static_cast<float>(std::tanh(double(xs[6]))));
  EXPECT_EQ(ys[7], 1.0f) << "tanh(+inf)";
  EXPECT_EQ(ys[8], -1.0f) << "tanh(-inf)";
  EXPECT_TRUE(std::isnan(ys[9])) << "tanh(NaN) must be NaN";
  // Large |x|: saturated to ±1 exactly from 9.01 on (at 9 itself a variant
  // may give 1 - 2^-24, within the bound); x² overflows to inf beyond 1.8e19.
  for (std::size_t i = 10; i < xs.size(); ++i) EXPECT_EQ(ys[i], xs[i] > 0 ? 1.0f : -1.0f) << "x = " << xs[i];
}

TEST_P(EveryVariant, NeverLeavesMinusOneToOne) {
  std::vector<float> xs;
  // Every float from 7 to 12, where the result approaches and reaches 1.
  for (std::uint32_t bits = std::bit_cast<std::uint32_t>(7.0f); bits < std::bit_cast<std::uint32_t>(12.0f); ++bits)
    xs.push_back(from_bits(bits));
  const std::vector<float> ys = tanh_of(xs);
  for (std::size_t i = 0; i < xs.size(); ++i) ASSERT_LE(ys[i], 1.0f) << "x = " << xs[i];
}

TEST_P(EveryVariant, AgreesWithTheScalarTanhWithinTwiceTheBound) {
  // tanh_float (scalar, baseline flags) and a vector variant may round
  // differently (FMA), but both are within the bound of the exact value.
  std::vector<float> xs;
  for (int i = -4000; i <= 4000; ++i) xs.push_back(float(i) / 400.0f);
  const std::vector<float> ys = tanh_of(xs);
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_LE(std::fabs(double(ys[i]) - tanh_float(xs[i])), 2 * tanh_max_abs_error) << "x = " << xs[i];
}

TEST_P(EveryVariant, BiasTanhAddsTheBiasThenAppliesTanh) {
  // Lengths 0..40 cover the vector body and every remainder.
  for (std::size_t n = 0; n <= 40; ++n) {
    std::vector<float> values(n), bias(n);
    for (std::size_t i = 0; i < n; ++i) {
      values[i] = float(int(i % 7) - 3) * 0.4f;
      bias[i] = float(int(i % 5) - 2) * 0.3f;
    }
    std::vector<float> out = values;
    GetParam().bias_tanh(out.data(), bias.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const float sum = values[i] + bias[i];  // one float rounding, as in the pass
      EXPECT_LE(std::fabs(out[i] - std::tanh(double(sum))), tanh_max_abs_error) << "n = " << n << ", i = " << i;
    }
  }
}

TEST_P(EveryVariant, BiasReluIsExact) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values = {-2.0f, -0.0f, 0.0f, 0.5f, 3.0f, nan, -1e30f, 7.0f, 1.0f, -1.0f, 2.5f};
  const std::vector<float> bias = {1.0f, -0.0f, 0.0f, 0.25f, -4.0f, 0.0f, 0.0f, -7.0f, -0.5f, 0.75f, 0.0f};
  const std::vector<float> in = values;
  GetParam().bias_relu(values.data(), bias.data(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float sum = in[i] + bias[i];
    if (std::isnan(sum)) {
      EXPECT_TRUE(std::isnan(values[i])) << "relu(NaN) must be NaN";
    } else {
      EXPECT_EQ(values[i], sum > 0 ? sum : 0.0f) << "i = " << i;
    }
  }
  EXPECT_TRUE(same_bits(values[1], -0.0f)) << "relu(-0 + -0) keeps the sign, as max(0, x) does";
}

TEST(TanhInPlace, UsesAVariantWithinTheBound) {
  std::vector<float> xs = {-3.0f, -0.5f, 0.0f, 0.25f, 1.0f, 4.0f, 8.5f};
  const std::vector<float> in = xs;
  tanh_in_place(xs);
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_LE(std::fabs(xs[i] - std::tanh(double(in[i]))), tanh_max_abs_error);
}

}  // namespace
}  // namespace gemmlab
