// The blocking model on cache descriptions of real CPUs (given as data, so
// the tests do not depend on the machine they run on), against values
// derived by hand in the comments; GEMMLAB_BLOCKING's reader; the sysfs
// reader of cache descriptions.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/caches.hpp"
#include "gemm/blocking.hpp"

namespace gemmlab::detail {
namespace {

CacheLevel level(std::size_t kib, int ways, int shared_by) {
  CacheLevel c;
  c.bytes = kib * 1024;
  c.ways = ways;
  c.line_bytes = 64;
  c.sets = static_cast<int>(c.bytes / (static_cast<std::size_t>(ways) * 64));
  c.shared_by = shared_by;
  return c;
}

// AMD EPYC, Zen 5 class (the KVM guest these docs were measured on):
// L1d 48 KiB 12-way (a way = 64 sets x 64 B = 4 KiB), L2 1 MiB 16-way
// (64 KiB ways), L3 32 MiB shared by the guest's 2 logical CPUs.
CacheInfo zen5_guest() { return {level(48, 12, 1), level(1024, 16, 1), level(std::size_t{32} * 1024, 16, 2), "test"}; }

// The L1 rule, on a tile as wide as the AVX-512 one if it kept its B
// micro-panel in L1:
TEST(BlockingModel, L1RuleForAWideTileOnZen5Guest) {
  // KC: 224 x 32 floats = 28 KiB = 7 ways, 14 x 224 = 12.25 KiB -> 4 ways:
  // 11 = 12 - 1. At 232: 29 KiB -> 8 ways + 4 = 12 > 11.
  // MC: (16 - 1) / 2 = 7 ways = 448 KiB = 458752 B over 224 * 4 B a row =
  // 512 rows, down to a multiple of 14: 504.
  // NC: 32 MiB / 2 = 16 MiB, half = 8388608 B over 896 B a column = 9362,
  // down to a multiple of 32: 9344.
  const BlockingChoice c = model_blocking(14, 32, zen5_guest(), {84, 512, 4096});
  EXPECT_EQ(c.blocking.kc, 224);
  EXPECT_EQ(c.blocking.mc, 504);
  EXPECT_EQ(c.blocking.nc, 9344);
  EXPECT_NE(c.reasoning.find("KC = 224"), std::string::npos) << c.reasoning;
}

// The L2 rule of a micro-kernel that streams both panels from L2 (the
// 14 x 32 AVX-512 one).
TEST(BlockingModel, StreamingAvx512TileOnZen5Guest) {
  // L2: (16 - 1) / 2 = 7 ways of 1024 sets x 64 B = 64 KiB. MC = 6 * 14 = 84.
  // KC: at 584, A block 84 * 584 * 4 = 196224 B -> 3 ways (2.99), a B
  // micro-panel 584 * 32 * 4 = 74752 B -> 2 ways, twice: 3 + 4 = 7. At 592:
  // A 198912 B -> 4 ways, 4 + 4 = 8 > 7.
  // NC: 8388608 B (half of the 16 MiB share) over 584 * 4 B a column = 3591,
  // down to a multiple of 32: 3584.
  const BlockingChoice c = model_blocking(14, 32, zen5_guest(), {84, 512, 4096}, true);
  EXPECT_EQ(c.blocking.kc, 584);
  EXPECT_EQ(c.blocking.mc, 84);
  EXPECT_EQ(c.blocking.nc, 3584);
  EXPECT_NE(c.reasoning.find("the panels stream from L2"), std::string::npos) << c.reasoning;
}

TEST(BlockingModel, StreamingRuleWithoutAnL2KeepsTheL1Rule) {
  CacheInfo c = zen5_guest();
  c.l2 = CacheLevel{};
  EXPECT_EQ(model_blocking(14, 32, c, {84, 512, 4096}, true).blocking.kc, 224) << "the L1 rule's KC";
}

TEST(BlockingModel, Avx2TileOnSkylakeSp) {
  // Xeon Platinum 8180 (Skylake-SP): L1d 32 KiB 8-way (4 KiB ways), L2 1 MiB
  // 16-way, L3 38.5 MiB 11-way shared by 56 logical CPUs.
  const CacheInfo skx{level(32, 8, 2), level(1024, 16, 2), level(std::size_t{38} * 1024 + 512, 11, 56), "test"};
  // KC for 6 x 16: at 320, B 320 * 64 B = 20 KiB = 5 ways, A 320 * 24 B =
  // 7.5 KiB -> 2: 7 = 8 - 1. At 328: B 20.5 KiB -> 6 ways + 2 = 8 > 7.
  // MC: 7 ways = 458752 B over 1280 B a row = 358, down to a multiple of 6: 354.
  // NC: 40370176 B / 56 = 720896 B, half = 360448 over 1280 = 281, down to a
  // multiple of 16: 272.
  const BlockingChoice c = model_blocking(6, 16, skx, {120, 512, 4096});
  EXPECT_EQ(c.blocking.kc, 320);
  EXPECT_EQ(c.blocking.mc, 354);
  EXPECT_EQ(c.blocking.nc, 272);
}

TEST(BlockingModel, NeonTileOnNeoverseN1WithoutL3) {
  // Neoverse N1: L1d 64 KiB 4-way (16 KiB ways), L2 1 MiB 8-way (128 KiB
  // ways); no L3 described (as on boards whose firmware omits it).
  const CacheInfo n1{level(64, 4, 1), level(1024, 8, 1), CacheLevel{}, "test"};
  // KC for 8 x 12: at 512, B 512 * 48 B = 24 KiB -> 2 ways, A 512 * 32 B =
  // 16 KiB = 1 way: 3 = 4 - 1. At 520: A 16.25 KiB -> 2 ways + 2 = 4 > 3.
  // MC: (8 - 1) / 2 = 3 ways = 393216 B over 2048 B a row = 192 (a multiple of 8).
  // NC: no L3, so the constant.
  const BlockingChoice c = model_blocking(8, 12, n1, {192, 256, 3072});
  EXPECT_EQ(c.blocking.kc, 512);
  EXPECT_EQ(c.blocking.mc, 192);
  EXPECT_EQ(c.blocking.nc, 3072);
  EXPECT_NE(c.reasoning.find("NC = 3072: the constant"), std::string::npos) << c.reasoning;
}

TEST(BlockingModel, NothingDescribedKeepsTheConstants) {
  const BlockingChoice c = model_blocking(14, 32, CacheInfo{}, {84, 512, 4096});
  EXPECT_EQ(c.blocking.kc, 512);
  EXPECT_EQ(c.blocking.mc, 84);
  EXPECT_EQ(c.blocking.nc, 4096);
}

TEST(BlockingModel, ATwoWayL1KeepsTheConstantKc) {
  // One way for both panels and none left over: the rule has nothing to give.
  CacheInfo c = zen5_guest();
  c.l1d = level(32, 2, 1);
  EXPECT_EQ(model_blocking(14, 32, c, {84, 512, 4096}).blocking.kc, 512);
}

TEST(BlockingModel, ChoicesKeepTheDriverInvariants) {
  for (const CacheInfo& c : {zen5_guest(), CacheInfo{level(32, 8, 1), level(256, 4, 1), level(8192, 16, 8), "t"}})
    for (const auto& [mr, nr] : {std::pair{14, 32}, {6, 16}, {4, 16}, {8, 12}}) {
      const Blocking b = model_blocking(mr, nr, c, {mr * 4, 256, nr * 8}).blocking;
      EXPECT_GT(b.kc, 0);
      EXPECT_EQ(b.mc % mr, 0) << mr << "x" << nr;
      EXPECT_EQ(b.nc % nr, 0) << mr << "x" << nr;
      EXPECT_GE(b.mc, mr);
      EXPECT_GE(b.nc, nr);
    }
}

// ---- GEMMLAB_BLOCKING ---------------------------------------------------------------

TEST(BlockingOverride, ReadsEveryEntryInAnyOrder) {
  const BlockingOverride o = parse_blocking_override("nc=4096,kc=256,mc=96");
  EXPECT_FALSE(o.model);
  EXPECT_EQ(o.kc, 256);
  EXPECT_EQ(o.mc, 96);
  EXPECT_EQ(o.nc, 4096);
  const BlockingOverride m = parse_blocking_override("model,kc=300");
  EXPECT_TRUE(m.model);
  EXPECT_FALSE(m.constants);
  EXPECT_EQ(m.kc, 300);
  EXPECT_EQ(m.mc, 0) << "not given";
  const BlockingOverride k = parse_blocking_override("mc=96,constants");
  EXPECT_TRUE(k.constants);
  EXPECT_EQ(k.mc, 96);
}

TEST(BlockingOverride, RejectsMalformedTextNamingTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "entry 1 is empty"},
      {",", "entry 1 is empty"},
      {"kc=256,", "entry 2 is empty"},
      {"kc", "unknown entry 'kc'"},
      {"xc=4", "unknown entry 'xc=4'"},
      {"KC=4", "unknown entry 'KC=4'"},
      {"kc=", "kc = '' is not a decimal number"},
      {"kc=-4", "is not a decimal number"},
      {"kc=+4", "is not a decimal number"},
      {"kc=4.5", "is not a decimal number"},
      {"kc= 4", "is not a decimal number"},
      {"kc=0", "kc = 0 is outside 1..16384"},
      {"mc=65537", "outside 1..65536"},
      {"nc=99999999999999999999", "is not a decimal number"},
      {"kc=4,kc=8", "kc is given twice"},
      {"model,model", "give one of them, once"},
      {"model,constants", "give one of them, once"},
      {"kc=16384,nc=65536", "over 1 GiB"},
  };
  for (const auto& [text, expected] : cases) {
    try {
      parse_blocking_override(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("GEMMLAB_BLOCKING='") + text + "'"), std::string::npos) << what;
      EXPECT_NE(what.find(expected), std::string::npos) << "for '" << text << "': " << what;
    }
  }
}

TEST(BlockingOverride, RoundsUpToTheTile) {
  const Blocking b = apply_override({84, 512, 4096}, parse_blocking_override("mc=15,nc=33"), 14, 32);
  EXPECT_EQ(b.kc, 512) << "not given: kept";
  EXPECT_EQ(b.mc, 28);
  EXPECT_EQ(b.nc, 64);
}

TEST(BlockingOverride, AMicroKernelOutsideTheTableKeepsItsOwnBlocks) {
  MicroKernel copy;
  copy.mr = 4;
  copy.nr = 16;
  copy.blocking = {8, 8, 32};
  EXPECT_EQ(&blocking_for(copy), &copy.blocking);
}

// ---- the sysfs reader -----------------------------------------------------------------

TEST(CacheDescription, ReadsSysfsText) {
  const CacheLevel l1 = cache_level_from_sysfs("48K\n", "12\n", "64\n", "64\n", "0\n");
  EXPECT_TRUE(l1.known());
  EXPECT_EQ(l1.bytes, 48u * 1024);
  EXPECT_EQ(l1.ways, 12);
  EXPECT_EQ(l1.sets, 64);
  EXPECT_EQ(l1.shared_by, 1);
  EXPECT_EQ(cache_level_from_sysfs("32M", "16", "64", "32768", "0-1,4,6-7").shared_by, 5);
  EXPECT_EQ(cache_level_from_sysfs("1024K", "16", "64", "1024", "").shared_by, 0) << "sharing not described";
}

TEST(CacheDescription, MalformedSysfsTextIsUnknown) {
  EXPECT_FALSE(cache_level_from_sysfs("48Q", "12", "64", "64", "0").known());
  EXPECT_FALSE(cache_level_from_sysfs("", "12", "64", "64", "0").known());
  EXPECT_FALSE(cache_level_from_sysfs("48K", "0", "64", "64", "0").known());
  EXPECT_FALSE(cache_level_from_sysfs("48K", "12", "x", "64", "0").known());
  EXPECT_FALSE(cache_level_from_sysfs("99999999999K", "12", "64", "64", "0").known());
  EXPECT_EQ(cache_level_from_sysfs("48K", "12", "64", "64", "3-1").shared_by, 0) << "a backwards range";
}

}  // namespace
}  // namespace gemmlab::detail
