// bf16 (gemmlab/bf16.hpp): every float through the scalar rounding against a
// reference written here from the definition, every float through the array
// path (AVX-512 where the CPU has it) against the scalar rounding, every bf16
// through the widening, the masked tails, and the special cases by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/bf16_convert.hpp"
#include "core/isa.hpp"
#include "gemmlab/bf16.hpp"

namespace gemmlab {
namespace {

bool avx512_loops_here() {
#if defined(GEMMLAB_HAVE_AVX512)
  return detail::isa_supported(detail::Isa::avx512);
#else
  return false;
#endif
}

std::string hex(std::uint32_t v) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string s = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const unsigned d = (v >> shift) & 0xFu;
    started = started || d != 0 || shift < 16;
    if (started) s += digits[d];
  }
  return s;
}

// ---- the reference ------------------------------------------------------------
//
// Rounding to nearest, ties to even, stated on values: take the nearer of the
// two bf16 values around |x|, the one with an even last bit on a tie; a
// result beyond the largest finite bf16 is infinity (IEEE's overflow rule).
//
// The bf16 values are exactly the floats whose lower 16 bits are zero, and
// the patterns of non-negative floats are ordered as their values. So a
// finite |x| lies in [lo, hi), lo the float of its upper half (lower 16 bits
// cleared) and hi the float of the next upper half; above the largest finite
// bf16 0x7F7F, hi is 2^128, out of range. |x| is nearer to lo when it lies
// below the midpoint (lo + hi) / 2, nearer to hi above it, and a tie on it.
// In double all of this is exact: |x|, lo and hi are doubles, and so is the
// midpoint lo + s/2 (s = hi - lo is a power of two; the midpoint has at most
// 10 significant bits). The 2^16 patterns with the same upper half share lo, hi and the
// midpoint, so they are worked out once per upper half (the sweeps visit
// patterns in order, and so this costs one comparison per pattern).
class ReferenceRounding {
 public:
  std::uint16_t operator()(std::uint32_t pattern) {
    const float x = std::bit_cast<float>(pattern);
    // A NaN gives a quiet NaN of the same sign, keeping the upper payload bits
    // (the header's rule: the upper 16 bits with the quiet bit set).
    if (std::isnan(x)) return static_cast<std::uint16_t>((pattern >> 16) | 0x0040u);
    if (std::isinf(x)) return static_cast<std::uint16_t>(pattern >> 16);
    if ((pattern >> 16) != upper_half_) set_interval(pattern >> 16);
    const double a = std::fabs(static_cast<double>(x));
    return a < midpoint_ ? round_down_ : midpoint_ < a ? round_up_ : tie_;
  }

 private:
  void set_interval(std::uint32_t upper_half) {
    upper_half_ = upper_half;
    const std::uint32_t sign = upper_half & 0x8000u;
    const std::uint32_t magnitude = upper_half & 0x7FFFu;  // below 0x7F80: x is finite
    const bool top = magnitude == 0x7F7Fu;                 // lo is the largest finite bf16
    const double lo = std::bit_cast<float>(magnitude << 16);
    const double hi = top ? 0x1.0p128 : static_cast<double>(std::bit_cast<float>((magnitude + 1) << 16));
    midpoint_ = (lo + hi) / 2;
    round_down_ = static_cast<std::uint16_t>(sign | magnitude);
    round_up_ = static_cast<std::uint16_t>(sign | (top ? 0x7F80u : magnitude + 1));  // 2^128 overflows to infinity
    tie_ = (magnitude & 1u) == 0 ? round_down_ : round_up_;
  }

  std::uint32_t upper_half_ = 0x1'0000;  // none yet (not a 16-bit value)
  double midpoint_ = 0;
  std::uint16_t round_down_ = 0, round_up_ = 0, tie_ = 0;
};

std::uint16_t reference_bf16(std::uint32_t pattern) { return ReferenceRounding()(pattern); }

// ---- which float patterns the sweeps visit -----------------------------------
//
// All 2^32, in chunks of 2^20; or, under emulation (GEMMLAB_TEST_EMULATED set
// to anything but empty or "0": `make test-arm64` runs the tests under qemu,
// `make valgrind` under valgrind), a sample. Emulators run this code 10-50x
// slower, so the two full sweeps (about 14 s of CPU natively) would take
// minutes there, for little: the code under test is a few integer operations
// (no AVX-512 runs there: qemu-aarch64 has none, valgrind's is switched off),
// and the sample still reaches every case the rounding distinguishes. It is
// every 4099th pattern (4099 is odd, so the lower 16 bits, which decide the
// rounding, run through all 2^16 values), plus, above each of the 65536 upper
// halves, the lower halves that matter: 0 (the bf16 value itself), 1, 0x7FFF,
// 0x8000 (the tie), 0x8001 and 0xFFFF. So every upper half is visited (every
// sign, exponent, infinity, zero, subnormal, upper NaN payload and the
// overflow boundary), with both neighbours of every tie.
bool emulated() {
  const char* e = std::getenv("GEMMLAB_TEST_EMULATED");
  return e != nullptr && *e != '\0' && std::string(e) != "0";
}

constexpr std::size_t kChunk = std::size_t{1} << 20;

// Calls visit(patterns) for successive chunks of float bit patterns.
template <class Visit>
void for_each_chunk(Visit&& visit) {
  std::vector<std::uint32_t> chunk;
  if (!emulated()) {
    chunk.resize(kChunk);
    for (std::uint64_t first = 0; first <= 0xFFFF'FFFFu; first += kChunk) {
      for (std::size_t i = 0; i < kChunk; ++i) chunk[i] = static_cast<std::uint32_t>(first + i);
      visit(std::span<const std::uint32_t>(chunk));
    }
    return;
  }
  chunk.reserve(kChunk);
  auto add = [&](std::uint32_t pattern) {
    chunk.push_back(pattern);
    if (chunk.size() == kChunk) {
      visit(std::span<const std::uint32_t>(chunk));
      chunk.clear();
    }
  };
  for (std::uint64_t p = 0; p <= 0xFFFF'FFFFu; p += 4099) add(static_cast<std::uint32_t>(p));
  for (std::uint32_t upper = 0; upper <= 0xFFFFu; ++upper)
    for (std::uint32_t lower : {0x0000u, 0x0001u, 0x7FFFu, 0x8000u, 0x8001u, 0xFFFFu}) add((upper << 16) | lower);
  if (!chunk.empty()) visit(std::span<const std::uint32_t>(chunk));
}

// Reports the first few mismatches of a sweep, and counts all of them.
class Mismatches {
 public:
  void add(std::uint32_t input, std::uint32_t got, std::uint32_t want, const char* what) {
    if (++count_ <= 8)
      ADD_FAILURE() << what << ": input " << hex(input) << " gave " << hex(got) << ", expected " << hex(want);
  }
  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t count_ = 0;
};

// ---- the type --------------------------------------------------------------------

TEST(Bf16Type, IsTwoTrivialBytesComparedByTheirBits) {
  static_assert(sizeof(bf16) == 2);
  static_assert(alignof(bf16) == alignof(std::uint16_t));
  static_assert(std::is_trivial_v<bf16> && std::is_standard_layout_v<bf16>);
  const bf16 one{0x3F80}, also_one{0x3F80};
  EXPECT_EQ(one, also_one);
  EXPECT_NE(bf16{0x0000}, bf16{0x8000});  // +0 and -0: equal as numbers, not as encodings
  EXPECT_EQ(bf16{0x7FC0}, bf16{0x7FC0});  // a NaN equals itself
  EXPECT_NE(bf16{0x7FC0}, bf16{0x7FC1});
}

// ---- every float, scalar ----------------------------------------------------------

TEST(Bf16Exhaustive, ScalarRoundingMatchesTheReferenceForEveryFloat) {
  std::vector<std::uint16_t> got(kChunk), want(kChunk);
  ReferenceRounding reference;
  Mismatches bad;
  std::uint64_t visited = 0;
  for_each_chunk([&](std::span<const std::uint32_t> patterns) {
    const std::size_t n = patterns.size();
    visited += n;
    for (std::size_t i = 0; i < n; ++i) got[i] = to_bf16(std::bit_cast<float>(patterns[i])).bits;
    for (std::size_t i = 0; i < n; ++i) want[i] = reference(patterns[i]);
    if (std::equal(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(n), want.begin())) return;
    for (std::size_t i = 0; i < n; ++i)
      if (got[i] != want[i]) bad.add(patterns[i], got[i], want[i], "to_bf16(float)");
  });
  EXPECT_EQ(bad.count(), 0u);
  if (!emulated()) {
    EXPECT_EQ(visited, std::uint64_t{1} << 32);
  }
  RecordProperty("patterns", std::to_string(visited));
}

// ---- every float, array path ------------------------------------------------------

// The first n elements of a and b have the same bits (bf16 has no padding).
bool same_bits(const std::vector<bf16>& a, const std::vector<bf16>& b, std::size_t n) {
  return std::memcmp(a.data(), b.data(), n * sizeof(bf16)) == 0;
}

TEST(Bf16Exhaustive, ArrayPathMatchesTheScalarRoundingForEveryFloat) {
  // The public array function runs whichever loops were chosen here; the
  // AVX-512 loops are also called directly, so that they are checked even
  // when the choice was the scalar loop (GEMMLAB_DISABLE_ISA aside, which
  // makes isa_supported false and so skips them).
  const bool avx512 = avx512_loops_here();
  std::vector<float> in(kChunk);
  std::vector<bf16> scalar(kChunk), via_api(kChunk), via_avx512(kChunk);
  Mismatches bad;
  for_each_chunk([&](std::span<const std::uint32_t> patterns) {
    const std::size_t n = patterns.size();
    for (std::size_t i = 0; i < n; ++i) {
      in[i] = std::bit_cast<float>(patterns[i]);
      scalar[i] = to_bf16(in[i]);
    }
    to_bf16(std::span<const float>(in.data(), n), std::span<bf16>(via_api.data(), n));
#if defined(GEMMLAB_HAVE_AVX512)
    if (avx512) detail::to_bf16_avx512(in.data(), via_avx512.data(), n);
#endif
    if (same_bits(via_api, scalar, n) && (!avx512 || same_bits(via_avx512, scalar, n))) return;
    for (std::size_t i = 0; i < n; ++i) {
      if (via_api[i] != scalar[i]) bad.add(patterns[i], via_api[i].bits, scalar[i].bits, "to_bf16(span)");
      if (avx512 && via_avx512[i] != scalar[i])
        bad.add(patterns[i], via_avx512[i].bits, scalar[i].bits, "to_bf16_avx512");
    }
  });
  EXPECT_EQ(bad.count(), 0u);
  RecordProperty("avx512_loops", avx512 ? "checked" : "not available here");
}

TEST(Bf16Array, RunsTheAvx512LoopsExactlyWhenTheCpuHasThem) {
  EXPECT_EQ(detail::bf16_convert_isa(), avx512_loops_here() ? detail::Isa::avx512 : detail::Isa::baseline);
}

// ---- widening and the round trip ---------------------------------------------------

TEST(Bf16Widening, IsTheSixteenBitShiftForEveryBf16) {
  std::vector<bf16> all(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) all[b] = bf16{static_cast<std::uint16_t>(b)};
  std::vector<float> via_api(all.size()), via_avx512(all.size());
  to_float(all, via_api);
#if defined(GEMMLAB_HAVE_AVX512)
  if (avx512_loops_here()) detail::to_float_avx512(all.data(), via_avx512.data(), all.size());
#endif
  Mismatches bad;
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const std::uint32_t want = b << 16;  // the definition: the upper half of a float
    const std::uint32_t got = std::bit_cast<std::uint32_t>(to_float(all[b]));
    if (got != want) bad.add(b, got, want, "to_float(bf16)");
    if (std::bit_cast<std::uint32_t>(via_api[b]) != want)
      bad.add(b, std::bit_cast<std::uint32_t>(via_api[b]), want, "to_float(span)");
    if (avx512_loops_here() && std::bit_cast<std::uint32_t>(via_avx512[b]) != want)
      bad.add(b, std::bit_cast<std::uint32_t>(via_avx512[b]), want, "to_float_avx512");
  }
  EXPECT_EQ(bad.count(), 0u);
}

TEST(Bf16RoundTrip, IsTheIdentityOnEveryBf16RepresentableFloat) {
  // Every float with zero lower 16 bits is a bf16 value; rounding it changes
  // nothing, and widening gives it back, sign of zero and infinities included.
  // NaNs come back quiet: a signalling bf16 NaN gains the quiet bit.
  std::vector<float> floats(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) floats[b] = to_float(bf16{static_cast<std::uint16_t>(b)});
  std::vector<bf16> narrowed(floats.size());
  to_bf16(floats, narrowed);
  Mismatches bad;
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const bool nan = std::isnan(floats[b]);
    const std::uint16_t want = static_cast<std::uint16_t>(nan ? (b | 0x0040u) : b);
    const bf16 scalar = to_bf16(floats[b]);
    if (scalar.bits != want) bad.add(b, scalar.bits, want, "to_bf16(to_float(b))");
    if (narrowed[b].bits != want) bad.add(b, narrowed[b].bits, want, "to_bf16(span) of to_float(b)");
    if (!nan && std::bit_cast<std::uint32_t>(to_float(scalar)) != std::bit_cast<std::uint32_t>(floats[b]))
      bad.add(b << 16, std::bit_cast<std::uint32_t>(to_float(scalar)), b << 16, "to_float(to_bf16(x))");
  }
  EXPECT_EQ(bad.count(), 0u);
}

// ---- named cases -------------------------------------------------------------------

struct NamedCase {
  const char* name;
  std::uint32_t input;  // a float's bit pattern
  std::uint16_t expected;
};

// Worked out by hand from the rule: the upper 16 bits, plus one when the
// lower 16 bits exceed 0x8000 or equal it under an odd upper half; a NaN's
// upper 16 bits with the quiet bit 0x0040 set.
constexpr NamedCase kNamedCases[] = {
    {"+0", 0x0000'0000, 0x0000},
    {"-0", 0x8000'0000, 0x8000},
    {"+inf", 0x7F80'0000, 0x7F80},
    {"-inf", 0xFF80'0000, 0xFF80},
    {"1", 0x3F80'0000, 0x3F80},
    {"-1", 0xBF80'0000, 0xBF80},
    {"1 + 2^-8 (tie, even below)", 0x3F80'8000, 0x3F80},
    {"1 + 3 * 2^-8 (tie, even above)", 0x3F81'8000, 0x3F82},
    {"1 + 2^-8 + 2^-23 (just above the tie)", 0x3F80'8001, 0x3F81},
    {"2 - 2^-23 (carries into the next binade)", 0x3FFF'FFFF, 0x4000},
    {"pi", 0x4049'0FDB, 0x4049},
    {"smallest subnormal 2^-149 (rounds to zero)", 0x0000'0001, 0x0000},
    {"-2^-149 (rounds to -0)", 0x8000'0001, 0x8000},
    {"2^-134 (tie with zero, even below)", 0x0000'8000, 0x0000},
    {"2^-134 + 2^-149 (smallest bf16 subnormal)", 0x0000'8001, 0x0001},
    {"smallest bf16 subnormal 2^-133", 0x0001'0000, 0x0001},
    {"largest subnormal (rounds to the smallest normal)", 0x007F'FFFF, 0x0080},
    {"smallest normal 2^-126", 0x0080'0000, 0x0080},
    {"largest finite bf16", 0x7F7F'0000, 0x7F7F},
    {"just below the overflow midpoint", 0x7F7F'7FFF, 0x7F7F},
    {"overflow midpoint (tie, even is infinity)", 0x7F7F'8000, 0x7F80},
    // 0x7F7FFFFF: upper half 0x7F7F, lower 0xFFFF > 0x8000, so it rounds up,
    // and up from the largest finite bf16 is infinity.
    {"largest finite float (overflows)", 0x7F7F'FFFF, 0x7F80},
    {"-largest finite float", 0xFF7F'FFFF, 0xFF80},
    {"quiet NaN", 0x7FC0'0000, 0x7FC0},
    {"-quiet NaN", 0xFFC0'0000, 0xFFC0},
    {"quiet NaN, payload in both halves", 0x7FC1'2345, 0x7FC1},
    {"signalling NaN, lowest payload (not infinity)", 0x7F80'0001, 0x7FC0},
    {"-signalling NaN, lowest payload", 0xFF80'0001, 0xFFC0},
    {"signalling NaN, payload below the tie", 0x7F80'7FFF, 0x7FC0},
    {"signalling NaN, largest payload", 0x7FBF'FFFF, 0x7FFF},
    {"all ones (a negative quiet NaN)", 0xFFFF'FFFF, 0xFFFF},
};

TEST(Bf16Rounding, NamedCases) {
  for (const NamedCase& c : kNamedCases) {
    const float x = std::bit_cast<float>(c.input);
    EXPECT_EQ(to_bf16(x).bits, c.expected) << c.name << ": " << hex(c.input) << " gave " << hex(to_bf16(x).bits);
    EXPECT_EQ(reference_bf16(c.input), c.expected) << "the test's reference, " << c.name;
    std::array<bf16, 1> out{};
    to_bf16(std::span<const float>(&x, 1), out);
    EXPECT_EQ(out[0].bits, c.expected) << "to_bf16(span), " << c.name;
  }
}

TEST(Bf16Rounding, LibraryNaNsStayNaNsQuietWithTheirSign) {
  for (const float nan : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::signaling_NaN()}) {
    for (const float x : {nan, -nan}) {
      const bf16 b = to_bf16(x);
      EXPECT_TRUE(std::isnan(to_float(b))) << hex(std::bit_cast<std::uint32_t>(x));
      EXPECT_NE(b.bits & 0x0040u, 0u) << "quiet bit, " << hex(std::bit_cast<std::uint32_t>(x));
      EXPECT_EQ(std::signbit(to_float(b)), std::signbit(x)) << hex(std::bit_cast<std::uint32_t>(x));
    }
  }
}

// ---- the array functions' contract ---------------------------------------------------

TEST(Bf16Array, DifferentSizesThrowNamingBoth) {
  std::vector<float> floats(5, 1.0f);
  std::vector<bf16> halves(7, bf16{0x1234});
  auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(nothing thrown)";
  };
  const std::string narrow = message([&] { to_bf16(floats, halves); });
  EXPECT_NE(narrow.find('5'), std::string::npos) << narrow;
  EXPECT_NE(narrow.find('7'), std::string::npos) << narrow;
  for (bf16 h : halves) EXPECT_EQ(h.bits, 0x1234) << "written before the check";
  const std::string widen = message([&] { to_float(halves, floats); });
  EXPECT_NE(widen.find('5'), std::string::npos) << widen;
  EXPECT_NE(widen.find('7'), std::string::npos) << widen;
  for (float f : floats) EXPECT_EQ(f, 1.0f) << "written before the check";
  // Empty spans are equal sizes: nothing to do, nothing thrown.
  EXPECT_NO_THROW(to_bf16(std::span<const float>(), std::span<bf16>()));
  EXPECT_NO_THROW(to_float(std::span<const bf16>(), std::span<float>()));
}

// Inputs for the tail tests: every class of rounding, in a cycle.
constexpr std::uint32_t kTailPatterns[] = {
    0x3F80'0000, 0x3F80'8000, 0x3F81'8000, 0x3F80'8001, 0x7F7F'FFFF, 0x8000'0001, 0x007F'FFFF,
    0x7F80'0001, 0xFFC0'0000, 0x7F80'0000, 0x4049'0FDB, 0xC2F6'E979, 0x0000'0000, 0x8000'0000,
};

TEST(Bf16Array, EveryTailLengthUpTo40WritesExactlyItsElements) {
  // 0..40: the masked tail alone (below 16), one or two whole steps and every
  // tail after them. Each length starts at offsets 0..3 (unaligned vectors),
  // and the elements around the output span are guards that must survive.
  constexpr std::size_t kGuard = 20;
  constexpr std::uint16_t kGuardHalf = 0xDEAD;
  constexpr std::uint32_t kGuardFloat = 0xDEAD'BEEF;
  const bool avx512 = avx512_loops_here();
  for (std::size_t n = 0; n <= 40; ++n)
    for (std::size_t offset = 0; offset < 4; ++offset) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", offset = " + std::to_string(offset));
      std::vector<float> in(offset + n + kGuard);
      std::vector<bf16> halves_in(in.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        in[i] = std::bit_cast<float>(kTailPatterns[(i + n) % std::size(kTailPatterns)]);
        halves_in[i] = bf16{static_cast<std::uint16_t>(0x3F80u + 7u * i + n)};
      }
      for (int variant = 0; variant < 2; ++variant) {
        if (variant == 1 && !avx512) continue;
        const char* name = variant == 0 ? "public" : "avx512";
        std::vector<bf16> out(in.size() + kGuard, bf16{kGuardHalf});
        std::vector<float> widened(in.size() + kGuard, std::bit_cast<float>(kGuardFloat));
        if (variant == 0) {
          to_bf16(std::span<const float>(in.data() + offset, n), std::span<bf16>(out.data() + offset, n));
          to_float(std::span<const bf16>(halves_in.data() + offset, n), std::span<float>(widened.data() + offset, n));
        } else {
#if defined(GEMMLAB_HAVE_AVX512)
          detail::to_bf16_avx512(in.data() + offset, out.data() + offset, n);
          detail::to_float_avx512(halves_in.data() + offset, widened.data() + offset, n);
#endif
        }
        for (std::size_t i = 0; i < out.size(); ++i) {
          const bool inside = i >= offset && i < offset + n;
          const std::uint16_t want = inside ? to_bf16(in[i]).bits : kGuardHalf;
          EXPECT_EQ(out[i].bits, want) << name << " to_bf16, element " << i << (inside ? "" : " (guard)");
          const std::uint32_t want_float = inside ? std::uint32_t{halves_in[i].bits} << 16 : kGuardFloat;
          EXPECT_EQ(std::bit_cast<std::uint32_t>(widened[i]), want_float)
              << name << " to_float, element " << i << (inside ? "" : " (guard)");
        }
      }
    }
}

}  // namespace
}  // namespace gemmlab
