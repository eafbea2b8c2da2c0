// The thread count setting (GEMMLAB_NUM_THREADS, set_num_threads), the check
// of every setting that sgemm makes, and the persistent thread pool that runs
// the threaded kernels (threads.hpp).
#include "gemm/threads.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "core/setting_text.hpp"
#include "gemm/blocking.hpp"
#include "gemmlab/cpu.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab {
namespace {

// ---- the thread count ------------------------------------------------------------
//
// One rule for both ways of setting it: a count from 1 to max_num_threads.
// GEMMLAB_NUM_THREADS must spell it with decimal digits only: no sign, no
// spaces (leading or trailing), no other base, no fraction. That is the
// narrowest spelling, the one every shell and launcher writes the same way,
// and it has no odd corners (strtol-style reading, for one, takes " 2" and
// "+2" but refuses "2 "). Leading zeros are still digits: "02" is 2. Unset
// or empty means the default, 1.

const char* const kThreadsVariable = "GEMMLAB_NUM_THREADS";

std::string thread_rule() {
  return "expected a whole number from 1 to " + std::to_string(max_num_threads) +
         " written with decimal digits only (no sign, no spaces), or unset for 1";
}

// The count `text` spells, or 0 if it breaks the rule.
int parse_thread_count(std::string_view text) {
  if (text.empty()) return 0;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + (c - '0');
    if (value > max_num_threads) return 0;  // also keeps the sum far from INT_MAX
  }
  return value;  // 0 for "0", "00", ...: below the range
}

// GEMMLAB_NUM_THREADS as read on first use: the count, or the error message.
struct EnvironmentThreads {
  int count = 1;
  std::string error;  // empty when the value is valid (or unset)
};

EnvironmentThreads read_environment_threads() {
  EnvironmentThreads out;
  const char* text = std::getenv(kThreadsVariable);
  if (text == nullptr || *text == '\0') return out;
  out.count = parse_thread_count(text);
  if (out.count == 0) out.error = detail::setting_text(kThreadsVariable, text) + ": " + thread_rule();
  return out;
}

const EnvironmentThreads& environment_threads() {
  static const EnvironmentThreads read = read_environment_threads();  // read once
  return read;
}

// What set_num_threads stored; 0 until it is first called.
constinit std::atomic<int> explicit_threads{0};

int current_threads() {
  const int n = explicit_threads.load(std::memory_order_relaxed);
  if (n > 0) return n;  // set_num_threads replaces the environment, even an invalid value
  const EnvironmentThreads& env = environment_threads();
  if (!env.error.empty()) throw std::invalid_argument(env.error);
  return env.count;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1 || n > max_num_threads)
    throw std::invalid_argument("set_num_threads: n=" + std::to_string(n) + " is out of range: expected 1 to " +
                                std::to_string(max_num_threads));
  explicit_threads.store(n, std::memory_order_relaxed);
}

int num_threads() { return current_threads(); }

void check_settings() { detail::check_settings_slowly(); }

}  // namespace gemmlab

namespace gemmlab::detail {

constinit std::atomic<bool> settings_valid{false};

void check_settings_slowly() {
  static_cast<void>(current_threads());  // throws for an invalid GEMMLAB_NUM_THREADS
  static_cast<void>(cpu_features());     // throws for an invalid GEMMLAB_DISABLE_ISA
  check_blocking_setting();              // throws for an invalid GEMMLAB_BLOCKING
  settings_valid.store(true, std::memory_order_release);
}

namespace {

// ---- fork ------------------------------------------------------------------------
//
// A child made by fork() has one thread, the one that called fork. The
// pool's workers stayed in the parent, and its mutexes are copied in
// whatever state they were in: possibly locked by a thread that does not
// exist here. A child that used the parent's pool would wait forever for
// workers that never answer.
//
// The choice: the child gets a new pool of its own on its first threaded
// call, rather than running single-threaded for the rest of its life. A
// process forked after a threaded call (a pre-forking server, Python's
// multiprocessing, a test runner) then keeps the thread count it asked for,
// as OpenBLAS does. glibc supports creating threads in the child of a
// multi-threaded process; if it cannot, the fallback to fewer threads below
// applies. The parent's pool is never touched in the child again: no lock,
// no join, no destructor (its std::thread objects name threads that do not
// exist here); it is only kept reachable, so leak checkers stay quiet.
//
// How the child knows it is one: a pthread_atfork child handler counts
// forks, and each pool records the count it was created under. That is exact
// and costs no system call, where a getpid() check would cost one per
// threaded call and could be fooled by a recycled pid.
constinit std::atomic<unsigned> forks_seen{0};
void count_fork_in_child() { forks_seen.fetch_add(1, std::memory_order_relaxed); }

// Registered when the library is loaded. If that ever fails (out of memory
// at start-up), a fork could not be detected, so every job runs on its
// caller instead of risking a child that hangs. A job started before this
// initialiser has run (from another file's static initialiser) also runs on
// its caller.
const bool fork_detection = pthread_atfork(nullptr, nullptr, count_fork_in_child) == 0;

class ThreadPool {
 public:
  ThreadPool(unsigned forks, ThreadPool* inherited) : forks_(forks), inherited_(inherited) {}
  ThreadPool(const ThreadPool&) = delete;  // one pool per process, owned by the library
  ThreadPool& operator=(const ThreadPool&) = delete;
  ThreadPool(ThreadPool&&) = delete;
  ThreadPool& operator=(ThreadPool&&) = delete;
  ~ThreadPool() {
    {
      std::lock_guard lock(state_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

  unsigned forks() const { return forks_; }
  // The pool this one replaced after a fork, or null. Never used: the link
  // only keeps every abandoned pool reachable.
  const ThreadPool* inherited() const { return inherited_; }

  void run(int parts, TaskRef task) {
    // One caller at a time owns the workers. A second caller (another user
    // thread, or a task that itself calls sgemm) does not wait for them: it
    // runs every part itself, so there is no deadlock and no shared state.
    std::unique_lock owner(owner_mutex_, std::try_to_lock);
    if (!owner.owns_lock()) {
      for (int t = 0; t < parts; ++t) task(t);
      return;
    }
    int helpers = 0;  // workers taking part in this job: parts 1 .. helpers
    {
      std::lock_guard lock(state_mutex_);
      add_workers(parts - 1);
      helpers = std::min(parts - 1, static_cast<int>(workers_.size()));
      task_ = &task;
      active_parts_ = helpers + 1;
      unfinished_ = helpers;
      ++generation_;  // the signal: a new job
    }
    wake_.notify_all();
    task(0);                                            // the caller does its share instead of idling
    for (int t = helpers + 1; t < parts; ++t) task(t);  // parts no worker could be created for
    std::unique_lock lock(state_mutex_);
    done_.wait(lock, [this] { return unfinished_ == 0; });
    task_ = nullptr;
  }

 private:
  // Creates workers until there are `wanted` (state_mutex_ held); worker w
  // runs part w + 1. When the system refuses a thread (std::thread throws
  // std::system_error, e.g. EAGAIN at a thread or memory limit) or the list
  // cannot grow, the pool keeps the workers it has and run() gives the
  // parts without a worker to the caller: the same result on fewer threads,
  // instead of an exception out of sgemm that names no cause a user can
  // act on. Later calls try again (a failed attempt costs microseconds).
  void add_workers(int wanted) {
    while (static_cast<int>(workers_.size()) < wanted) {
      const int part = static_cast<int>(workers_.size()) + 1;
      try {
        workers_.emplace_back([this, part, seen = generation_] { worker_loop(part, seen); });
      } catch (const std::system_error&) {
        return;
      } catch (const std::bad_alloc&) {
        return;
      }
    }
  }

  void worker_loop(int part, std::uint64_t seen) {
    std::unique_lock lock(state_mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (part >= active_parts_) continue;  // this job needs fewer threads
      const TaskRef* task = task_;
      lock.unlock();
      (*task)(part);
      lock.lock();
      if (--unfinished_ == 0) done_.notify_one();
    }
  }

  const unsigned forks_;         // forks_seen when this pool was created
  ThreadPool* const inherited_;  // see inherited()
  std::mutex owner_mutex_;       // held by the caller whose job the workers run
  std::mutex state_mutex_;       // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::uint64_t generation_ = 0;  // incremented once per job
  const TaskRef* task_ = nullptr;
  int active_parts_ = 0;  // parts of the current job run by the caller (0) and workers (1 ..)
  int unfinished_ = 0;    // parts still running on workers
  bool stopping_ = false;
};

// The pool of this process, created on first use. Lock-free, so that no
// mutex of its own can be copied locked into a forked child.
class CurrentPool {
 public:
  constexpr CurrentPool() = default;
  CurrentPool(const CurrentPool&) = delete;
  CurrentPool& operator=(const CurrentPool&) = delete;
  CurrentPool(CurrentPool&&) = delete;
  CurrentPool& operator=(CurrentPool&&) = delete;
  // At exit: stop and join this process's own workers. An inherited pool
  // (and what it inherited) is left alone.
  ~CurrentPool() {
    ThreadPool* p = pool_.load(std::memory_order_acquire);
    if (p != nullptr && p->forks() == forks_seen.load(std::memory_order_acquire)) delete p;
  }

  // This process's pool; null if one cannot be allocated (the caller then
  // runs the job alone).
  ThreadPool* get() {
    const unsigned forks = forks_seen.load(std::memory_order_acquire);
    ThreadPool* p = pool_.load(std::memory_order_acquire);
    if (p != nullptr && p->forks() == forks) return p;
    // None yet, or the parent's (we are a forked child): make ours.
    auto* fresh = new (std::nothrow) ThreadPool(forks, p);
    if (fresh == nullptr) return nullptr;
    if (pool_.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) {
      if (p != nullptr) abandoned_.store(p, std::memory_order_relaxed);
      return fresh;
    }
    delete fresh;  // another thread installed one first; p is now that one
    return p;
  }

 private:
  std::atomic<ThreadPool*> pool_{nullptr};
  // The pool replaced at the last fork (which links to the one before):
  // reachable after ~CurrentPool deletes this process's own.
  std::atomic<ThreadPool*> abandoned_{nullptr};
};

constinit CurrentPool current_pool;

}  // namespace

void run_parallel(int parts, TaskRef task) {
  ThreadPool* pool = parts > 1 && fork_detection ? current_pool.get() : nullptr;
  if (pool == nullptr) {
    for (int t = 0; t < parts; ++t) task(t);
    return;
  }
  pool->run(parts, task);
}

}  // namespace gemmlab::detail
