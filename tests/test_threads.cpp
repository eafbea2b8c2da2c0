// The thread pool's behaviour at the edges: the range set_num_threads
// accepts, fork() (the child must get working threads of its own, whatever
// the parent's pool was doing), and a system that refuses to create threads
// (the job must still complete, with every part run exactly once).
//
// Fork tests run their checks in the child and report through a pipe; the
// child arms alarm() first, so a hang becomes SIGALRM instead of a stuck
// test run. Nothing in the child uses GoogleTest.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "gemm/threads.hpp"
#include "gemmlab/gemm.hpp"
#include "gemmlab/random.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

using testing::ThreadCountGuard;

// Which thread ran each part of one run_parallel job, and how many times.
struct PartLog {
  explicit PartLog(int parts) : runs(static_cast<std::size_t>(parts)), ran_on(static_cast<std::size_t>(parts)) {}
  std::vector<std::atomic<int>> runs;
  std::vector<std::thread::id> ran_on;  // each written by the one thread that runs that part
};

PartLog run_logged(int parts) {
  PartLog log(parts);
  auto task = [&log](int part) {
    const auto p = static_cast<std::size_t>(part);
    log.ran_on[p] = std::this_thread::get_id();
    log.runs[p].fetch_add(1);
  };
  detail::run_parallel(parts, detail::TaskRef(task));
  return log;
}

bool each_part_ran_once(const PartLog& log) {
  for (const auto& r : log.runs)
    if (r.load() != 1) return false;
  return true;
}

// A product big enough to be split between two threads by the packed path
// (2 * 256^3 flops is above its threshold, and N = 256 is many column tiles).
constexpr int kSize = 256;

struct Product {
  std::vector<float> a, b;
  Product() {
    SplitMix64 rng(17);
    const auto count = static_cast<std::size_t>(kSize) * kSize;
    a.resize(count);
    b.resize(count);
    for (float& x : a) x = static_cast<float>(rng.uniform(-1, 1));
    for (float& x : b) x = static_cast<float>(rng.uniform(-1, 1));
  }
  std::vector<float> multiply(Kernel k) const {
    std::vector<float> c(a.size());
    sgemm(k, kSize, kSize, kSize, 1.0f, a.data(), kSize, b.data(), kSize, 0.0f, c.data(), kSize);
    return c;
  }
};

// What a child reports, so the parent can say what went wrong.
enum ChildStatus {
  child_ok = 0,
  child_wrong_result = 2,
  child_part_on_caller = 3,  // a part that should have had a worker ran on the calling thread
  child_part_not_once = 4,
  child_part_on_other_thread = 7,  // a part that had no worker ran somewhere but on the calling thread
  child_threw = 5,
  child_setup_failed = 6,
};

// What a child reported through its pipe (one of ChildStatus, or -1 if it
// wrote nothing: it hung, crashed or could not be started) and how it ended.
// The report travels through a pipe, not the exit status, because a tool
// may replace the exit status: valgrind exits 1 in a forked child for the
// parent's thread states, which only the parent's threads pointed to.
struct ChildResult {
  int report = -1;
  int wait_status = -1;  // from waitpid, or -1 if fork or waitpid failed
  bool ok() const { return report == child_ok; }
};

std::string describe(const ChildResult& r) {
  switch (r.report) {
    case child_ok:
      return "ok";
    case child_wrong_result:
      return "the child's product differs from the parent's";
    case child_part_on_caller:
      return "a part ran on the calling thread instead of a worker";
    case child_part_not_once:
      return "a part ran other than exactly once";
    case child_threw:
      return "the child caught an exception";
    case child_setup_failed:
      return "the child's test setup failed";
    case child_part_on_other_thread:
      return "a part without a worker ran on another thread than the caller";
    default:
      break;
  }
  const int status = r.wait_status;
  if (status == -1) return "fork or waitpid failed";
  if (WIFSIGNALED(status))
    return WTERMSIG(status) == SIGALRM ? "the child hung (killed by its alarm)"
                                       : "the child died of signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "the child exited with status " + std::to_string(WEXITSTATUS(status)) + ", no report";
  return "the child stopped abnormally";
}

// Forks; the child runs `body` under a 30 s alarm and writes what it
// returns (a ChildStatus) to a pipe before it exits.
template <class Body>
ChildResult run_in_child(Body&& body) {
  ChildResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(30);
    int status = child_threw;
    try {
      status = body();
    } catch (...) {
      status = child_threw;
    }
    const auto byte = static_cast<unsigned char>(status);
    const bool written = write(fds[1], &byte, 1) == 1;
    std::_Exit(written ? 0 : 1);
  }
  close(fds[1]);
  if (pid > 0) {
    unsigned char byte = 0;
    ssize_t got = 0;
    while ((got = read(fds[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (got == 1) r.report = byte;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.wait_status = status;
  }
  close(fds[0]);
  return r;
}

// ---- set_num_threads ------------------------------------------------------------------

TEST(SetNumThreads, AcceptsOneToTheCapAndNothingElse) {
  ThreadCountGuard guard;
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(max_num_threads);
  EXPECT_EQ(num_threads(), 1024);
  for (const int bad : {0, -1, 1025, 100000, INT_MAX, INT_MIN}) {
    set_num_threads(2);
    try {
      set_num_threads(bad);
      ADD_FAILURE() << "set_num_threads(" << bad << ") was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()),
                "set_num_threads: n=" + std::to_string(bad) + " is out of range: expected 1 to 1024");
    }
    EXPECT_EQ(num_threads(), 2) << "a refused value changed the setting";
  }
}

// Whether a thread can be started in the forked child of a multi-threaded
// process here at all. glibc on Linux can; qemu-user 7.2 aborts such a child
// in its own plugin code (make test-arm64), and GCC 12's ThreadSanitizer
// dies there ("dup thread with used id"); then the fork tests could tell
// nothing about the library.
bool threads_start_after_fork() {
  static const bool can = [] {
    std::atomic<bool> release{false};
    std::thread other([&] {
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    const ChildResult r = run_in_child([] {
      std::thread t([] {});
      t.join();
      return child_ok;
    });
    release.store(true);
    other.join();
    return r.ok();
  }();
  return can;
}

#define SKIP_UNLESS_THREADS_START_AFTER_FORK()                                                                    \
  do {                                                                                                            \
    if (!threads_start_after_fork())                                                                              \
      GTEST_SKIP() << "cannot start a thread in the forked child of a multi-threaded process here (qemu 7.2 and " \
                      "GCC 12's ThreadSanitizer cannot)";                                                         \
  } while (0)

// ---- fork -------------------------------------------------------------------------------

TEST(ForkSafety, ChildsThreadedCallsFinishOnANewPoolAndTheParentStillWorks) {
  SKIP_UNLESS_THREADS_START_AFTER_FORK();
  ThreadCountGuard guard;
  set_num_threads(2);
  const Product product;
  // The parent's pool exists and has a worker before the fork.
  const PartLog before = run_logged(2);
  ASSERT_TRUE(each_part_ran_once(before));
  ASSERT_NE(before.ran_on[1], std::this_thread::get_id()) << "the parent's pool has no worker";
  const std::vector<float> blocked = product.multiply(Kernel::blocked);
  const std::vector<float> simd = product.multiply(Kernel::simd);

  const ChildResult child = run_in_child([&] {
    const PartLog log = run_logged(2);
    if (!each_part_ran_once(log)) return child_part_not_once;
    if (log.ran_on[1] == std::this_thread::get_id()) return child_part_on_caller;
    // Threaded products, equal bit for bit to the parent's (the split does
    // not change any element's arithmetic).
    if (product.multiply(Kernel::blocked) != blocked || product.multiply(Kernel::simd) != simd)
      return child_wrong_result;
    return child_ok;
  });
  EXPECT_TRUE(child.ok()) << describe(child);

  const PartLog after = run_logged(2);
  EXPECT_TRUE(each_part_ran_once(after));
  EXPECT_NE(after.ran_on[1], std::this_thread::get_id()) << "the parent lost its worker";
  EXPECT_EQ(product.multiply(Kernel::blocked), blocked);
}

TEST(ForkSafety, ForkWhileAnotherThreadOwnsThePool) {
  SKIP_UNLESS_THREADS_START_AFTER_FORK();
  // Another thread of the parent is inside a threaded job when fork() runs,
  // so the child inherits the pool's mutexes locked by a thread that does
  // not exist there. The child must still get a worker for its own job
  // (not merely finish on its calling thread).
  std::atomic<bool> inside{false}, forked{false};
  auto slow = [&](int part) {
    if (part != 0) return;
    inside.store(true);
    while (!forked.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  std::thread other([&] { detail::run_parallel(2, detail::TaskRef(slow)); });
  while (!inside.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const ChildResult child = run_in_child([] {
    const PartLog log = run_logged(2);
    if (!each_part_ran_once(log)) return child_part_not_once;
    if (log.ran_on[1] == std::this_thread::get_id()) return child_part_on_caller;
    return child_ok;
  });
  forked.store(true);
  other.join();
  EXPECT_TRUE(child.ok()) << describe(child);
}

// ---- threads the system refuses ----------------------------------------------------------

// In the child: from now on every new thread asks for a stack larger than
// the address space, so pthread_create fails (EAGAIN) and std::thread throws
// std::system_error, as it does at a real thread or memory limit.
bool refuse_new_threads() {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  const bool ok = pthread_attr_setstacksize(&attr, std::size_t{1} << 50) == 0 && pthread_setattr_default_np(&attr) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

TEST(ThreadPoolFallback, PartsWithoutAWorkerRunOnTheCaller) {
  SKIP_UNLESS_THREADS_START_AFTER_FORK();
  ThreadCountGuard guard;
  set_num_threads(3);
  const Product product;
  const std::vector<float> blocked = product.multiply(Kernel::blocked);
  const ChildResult child = run_in_child([&] {
    // One worker is created normally; then the system refuses the rest.
    const PartLog first = run_logged(2);
    if (!each_part_ran_once(first)) return child_part_not_once;
    if (first.ran_on[1] == std::this_thread::get_id()) return child_setup_failed;
    if (!refuse_new_threads()) return child_setup_failed;
    // Four parts, one worker: part 1 on the worker, 0, 2 and 3 on the caller.
    const PartLog log = run_logged(4);
    if (!each_part_ran_once(log)) return child_part_not_once;
    const std::thread::id me = std::this_thread::get_id();
    if (log.ran_on[1] == me) return child_part_on_caller;
    if (log.ran_on[0] != me || log.ran_on[2] != me || log.ran_on[3] != me) return child_part_on_other_thread;
    // A threaded product asking for 3 threads completes with the same bits.
    if (product.multiply(Kernel::blocked) != blocked) return child_wrong_result;
    return child_ok;
  });
  EXPECT_TRUE(child.ok()) << describe(child);
}

TEST(ThreadPoolFallback, NoWorkerAtAllStillCompletes) {
  // A fresh pool (the child's first threaded call) that cannot create a
  // single worker: every part runs on the caller, exactly once.
  const ChildResult child = run_in_child([] {
    if (!refuse_new_threads()) return child_setup_failed;
    const PartLog log = run_logged(3);
    if (!each_part_ran_once(log)) return child_part_not_once;
    for (const std::thread::id& id : log.ran_on)
      if (id != std::this_thread::get_id()) return child_part_on_other_thread;
    return child_ok;
  });
  EXPECT_TRUE(child.ok()) << describe(child);
}

}  // namespace
}  // namespace gemmlab
