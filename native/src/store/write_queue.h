// Jobs run in the order they were queued, on a thread of their own: rocks.cc's writes, so that
// the thread that asked (the event loop, mostly) does not wait for RocksDB's memtable insert and
// WAL write, the largest part of a SET (docs/performance.md, fifteenth round). A job may be
// waited for; `drain` waits for all of them. Jobs are recycled, so a queued write allocates
// nothing once warm.
//
// Having applied what was queued, the thread lingers: it sleeps for a while that pushes do not
// cut short, then applies what came meanwhile. Waking a sleeping thread costs the pusher a
// futex call and the kernel a cross-core wake-up, ~11 % of the event loop in unpipelined SET;
// this way a busy queue is woken by its timer alone. A half-full queue or a push to a queue
// that has lingered idle wakes it at once (docs/performance.md, sixteenth round). A thread that
// waits for a job (or for room) does not wake it: it applies the jobs before it itself, one
// thread at a time, so jobs still land in order (twentieth round).
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace marekvs {

template <class Job>
class WriteQueue {
 public:
  // `apply` runs each job, on the queue's thread or on one that waits; `weight` is what a job
  // holds while queued (bytes, say): pushes wait while the queued jobs weigh more than
  // `max_weight`. `linger` is how long the thread sleeps after applying before it looks for more.
  WriteQueue(std::function<void(Job&)> apply, std::function<size_t(const Job&)> weight, size_t max_weight,
             std::chrono::microseconds linger)
      : apply_(std::move(apply)), weight_(std::move(weight)), max_weight_(max_weight), linger_(linger), thread_([this] { run(); }) {
    pthread_setname_np(thread_.native_handle(), "mkv-writer");
  }
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  ~WriteQueue() { stop(); }

  // A job to fill and push: a recycled one when there is one.
  std::unique_ptr<Job> take() {
    std::lock_guard guard(lock_);
    if (spare_.empty()) return std::make_unique<Job>();
    std::unique_ptr<Job> job = std::move(spare_.back());
    spare_.pop_back();
    return job;
  }

  // Queue `job`. `before` runs under the queue's lock just before, with the job's number, so that
  // what it does (pin the job's values) happens in queue order. Returns the job's number for
  // `wait`, or 0 once stopped (`before` does not run then).
  template <class Before>
  uint64_t push(std::unique_ptr<Job> job, Before&& before) {
    size_t weight = weight_(*job);
    std::unique_lock guard(lock_);
    auto fits = [&] { return stopped_ || queued_weight_ == 0 || queued_weight_ + weight <= max_weight_; };
    while (!fits()) help(guard);
    if (stopped_) return 0;
    uint64_t number = pushed_.load(std::memory_order_relaxed) + 1;
    before(number);
    queued_weight_ += weight;
    jobs_.push_back({std::move(job), weight});
    pushed_.store(number, std::memory_order_release);
    // Half full: wake it from its linger too, so that pushers seldom have to apply jobs themselves.
    if (sleeping_ || queued_weight_ >= max_weight_ / 2) work_cv_.notify_one();
    return number;
  }

  // Until job `number` has been applied: the caller applies what is queued before it itself.
  void wait(uint64_t number) {
    if (landed_.load(std::memory_order_acquire) >= number) return;
    std::unique_lock guard(lock_);
    while (landed_.load(std::memory_order_relaxed) < number) help(guard);
  }

  // Until every job queued before this call has been applied.
  void drain() { wait(pushed_.load(std::memory_order_acquire)); }

  // Whether job `number` has been applied: what it wrote is then in RocksDB.
  bool landed(uint64_t number) const { return landed_.load(std::memory_order_acquire) >= number; }

  // Whether every job queued so far has been applied.
  bool idle() const { return landed_.load(std::memory_order_acquire) == pushed_.load(std::memory_order_acquire); }

  // Apply what is queued, then end the thread; later pushes return 0.
  void stop() {
    {
      std::unique_lock guard(lock_);
      if (stopping_) {
        // Another thread stops it, or did: wait for that.
        landed_cv_.wait(guard, [&] { return stopped_; });
        return;
      }
      stopping_ = true;
      work_cv_.notify_one();
    }
    thread_.join();
  }

 private:
  struct Queued {
    std::unique_ptr<Job> job;
    size_t weight;
  };

  // The next job is free to apply: queued, and no thread applies one.
  bool ready() const { return !jobs_.empty() && !applying_; }

  // Apply the next job, on whichever thread calls (under the lock, released meanwhile). One
  // thread applies at a time, so jobs land in order.
  void apply_next(std::unique_lock<std::mutex>& guard) {
    Queued next = std::move(jobs_.front());
    jobs_.pop_front();
    applying_ = true;
    guard.unlock();
    apply_(*next.job);
    guard.lock();
    applying_ = false;
    queued_weight_ -= next.weight;
    spare_.push_back(std::move(next.job));
    landed_.store(landed_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    if (waiters_ > 0) landed_cv_.notify_all();
  }

  // For a thread that waits on the queue: apply the next job, or wait for the one being applied
  // to land. Waking the queue's thread instead cost a futex call, and the wait for it to get a
  // core, which its scheduling policy delays (run()).
  void help(std::unique_lock<std::mutex>& guard) {
    if (ready()) {
      apply_next(guard);
      // Jobs left behind the one taken, for a thread that went to sleep meanwhile.
      if (ready() && sleeping_) work_cv_.notify_one();
      return;
    }
    waiters_++;
    landed_cv_.wait(guard);
    waiters_--;
  }

  void run() {
    // SCHED_BATCH: a wake-up of this thread (its linger ends) does not preempt the thread that
    // runs, the event loop mostly, which otherwise lost ~2 µs a SET waiting for its core while
    // the writer ran on it; threads that need a job landed apply it themselves (help). Fails
    // harmlessly where the policy is refused.
    sched_param param{};
    pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
    std::unique_lock guard(lock_);
    for (;;) {
      while (ready()) apply_next(guard);
      if (stopping_) {
        if (!applying_) break;
        // A waiting thread applies a job: what comes after it is still this thread's to land.
        help(guard);
        continue;
      }
      work_cv_.wait_for(guard, linger_);
      if (ready() || stopping_) continue;
      sleeping_ = true;
      work_cv_.wait(guard, [&] { return ready() || stopping_; });
      sleeping_ = false;
    }
    stopped_ = true;
    landed_cv_.notify_all();
  }

  std::function<void(Job&)> apply_;
  std::function<size_t(const Job&)> weight_;
  const size_t max_weight_;
  const std::chrono::microseconds linger_;
  std::mutex lock_;
  std::condition_variable work_cv_, landed_cv_;
  std::deque<Queued> jobs_;
  std::vector<std::unique_ptr<Job>> spare_;
  size_t queued_weight_ = 0;
  uint32_t waiters_ = 0;
  bool sleeping_ = false, applying_ = false, stopping_ = false, stopped_ = false;
  std::atomic<uint64_t> pushed_{0}, landed_{0};
  std::thread thread_;
};

}  // namespace marekvs
