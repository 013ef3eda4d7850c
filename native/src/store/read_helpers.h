// Threads that read parts of a batch beside the thread that asked (mkv_get_many), when its
// reads go to the disk.
//
// A shard reads its batch with one MultiGet, and RocksDB reads the blocks of one batch one
// after another: with two shards, two reads are in flight whatever the batch. On a disk whose
// reads wait (a virtual disk, a network volume), that bounds cold GETs at two reads' latency,
// while the disk serves several at once (docs/performance.md, eleventh round). Splitting the
// batch across helpers keeps a few reads in flight per shard. A warm read costs a few µs,
// less than a hand-off, so only reads that were cold lately are split (ColdReads). Where io_uring
// is to be had, cold reads are submitted together instead (batched_reads.h), and these threads
// are never started.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace marekvs {

class ReadHelpers {
 public:
  // Started on first use, shared by every reading thread of the process, never stopped: they
  // wait on a condition variable and hold nothing when the process exits.
  static ReadHelpers& shared() {
    static ReadHelpers* helpers = new ReadHelpers(THREADS);
    return *helpers;
  }

  static constexpr size_t THREADS = 4;

  // Run parts[1..] on the helpers and parts[0] here; return when all have run.
  void run_all(std::vector<std::function<void()>>& parts) {
    struct Latch {
      std::mutex m;
      std::condition_variable cv;
      size_t left;
    } latch{{}, {}, parts.size() - 1};
    {
      std::lock_guard<std::mutex> guard(mutex_);
      for (size_t i = 1; i < parts.size(); i++) {
        queue_.emplace_back([&latch, part = &parts[i]] {
          (*part)();
          std::lock_guard<std::mutex> done(latch.m);
          if (--latch.left == 0) latch.cv.notify_one();
        });
      }
    }
    if (parts.size() > 2) ready_.notify_all();
    else ready_.notify_one();
    parts[0]();
    std::unique_lock<std::mutex> wait(latch.m);
    latch.cv.wait(wait, [&latch] { return latch.left == 0; });
  }

 private:
  explicit ReadHelpers(size_t threads) {
    for (size_t i = 0; i < threads; i++) std::thread([this] { loop(); }).detach();
  }

  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> wait(mutex_);
        ready_.wait(wait, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

// Whether this thread's reads went to the disk lately: a running average of what a key read
// by MultiGet cost, summed over the parts of split reads (not their wall time, or splitting
// would hide the cold reads that made it split).
class ColdReads {
 public:
  // A read from memory costs ~1-2.5 µs a key, one from this VM's disk 40-70 (docs/performance.md).
  static constexpr double COLD_NS_PER_KEY = 15000;
  static constexpr double WEIGHT = 1.0 / 8;

  bool cold() const { return ns_per_key_ > COLD_NS_PER_KEY; }

  void note(size_t keys, double ns) {
    if (keys == 0) return;
    ns_per_key_ += (ns / static_cast<double>(keys) - ns_per_key_) * WEIGHT;
  }

 private:
  double ns_per_key_ = 0;
};

}  // namespace marekvs
