// The thread count setting (GEMMLAB_NUM_THREADS, set_num_threads) and the
// persistent thread pool that runs the threaded kernels (threads.hpp).
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
#include <system_error>
#include <thread>
#include <vector>

#include "gemmlab/gemm.hpp"

namespace gemmlab {
namespace {

int threads_from_environment() {
  const char* text = std::getenv("GEMMLAB_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 1 || n > 1024)
    throw std::invalid_argument(std::string("GEMMLAB_NUM_THREADS='") + text +
                                "': expected a whole number from 1 to 1024");
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

namespace gemmlab::detail {

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
