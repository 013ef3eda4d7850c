// The write queue's thread (native/src/store/write_queue.h): order, waits, the weight cap, stop.
// It lingers a minute here, so every step that must wake it (a push to a sleeping thread, stop)
// hangs the test if it does not, and so does a wait or a full queue whose thread does not apply
// the jobs it needs itself; the test's runner bounds its time.
// Built and run by test/unit/native-cc.test.ts.
#include "write_queue.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

static int failures = 0;

static void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    failures++;
  }
}

struct Job {
  int producer = 0;
  int seq = 0;
  size_t weight = 1;
};

// What the queue's thread applied, in order; while `gate_open` is false it holds each job first.
struct Log {
  std::mutex lock;
  std::vector<std::pair<int, int>> applied;
  std::vector<std::thread::id> appliers;
  std::atomic<bool> gate_open{true}, entered{false};

  void apply(Job& job) {
    entered = true;
    while (!gate_open.load()) std::this_thread::sleep_for(100us);
    std::lock_guard guard(lock);
    applied.emplace_back(job.producer, job.seq);
    appliers.push_back(std::this_thread::get_id());
  }
  size_t count() {
    std::lock_guard guard(lock);
    return applied.size();
  }
};

using Queue = marekvs::WriteQueue<Job>;

static Queue* make(Log& log, size_t max_weight, std::chrono::microseconds linger = 60s) {
  Queue* queue = new Queue([&log](Job& job) { log.apply(job); }, [](const Job& job) { return job.weight; }, max_weight, linger);
  // Let its thread start and find the queue empty: one that starts late applies what was pushed
  // meanwhile, where the tests want the jobs to wait for a waiter, a full queue or a wake-up.
  std::this_thread::sleep_for(200ms);
  return queue;
}

static uint64_t push(Queue& queue, int producer, int seq, size_t weight = 1) {
  std::unique_ptr<Job> job = queue.take();
  job->producer = producer;
  job->seq = seq;
  job->weight = weight;
  return queue.push(std::move(job), [](uint64_t) {});
}

int main() {
  {
    // Jobs pushed while it lingers land when someone waits, in order.
    Log log;
    Queue* queue = make(log, 1 << 20);
    for (int i = 0; i < 10000; i++) push(*queue, 0, i);
    queue->drain();
    expect(queue->idle(), "idle once drained");
    expect(log.count() == 10000, "a drain lands every job");
    bool ordered = true;
    for (int i = 0; i < 10000; i++) ordered = ordered && log.applied[i].second == i;
    expect(ordered, "jobs land in the order they were pushed");
    bool here = true;
    for (std::thread::id id : log.appliers) here = here && id == std::this_thread::get_id();
    expect(here, "the thread that waits applies the jobs it waits for, without waking the lingering one");
    delete queue;
  }
  {
    // Stopped while a waiting thread applies a job: the queue's thread lands the rest after it.
    Log log;
    Queue* queue = make(log, 1 << 20);
    log.gate_open = false;
    uint64_t first = push(*queue, 0, 0);
    std::thread waiter([&] { queue->wait(first); });
    while (!log.entered) std::this_thread::sleep_for(100us);
    push(*queue, 0, 1);
    std::thread stopper([&] { queue->stop(); });
    std::this_thread::sleep_for(20ms);
    log.gate_open = true;
    waiter.join();
    stopper.join();
    expect(log.count() == 2, "stop lands the job queued behind one a waiting thread applies");
    expect(log.applied[1].second == 1, "and in order");
    delete queue;
  }
  {
    // Producers that each wait for their own job, applying the jobs before it (theirs and others').
    Log log;
    Queue* queue = make(log, 1 << 20);
    std::vector<std::thread> producers;
    for (int p = 0; p < 4; p++) {
      producers.emplace_back([&, p] {
        for (int i = 0; i < 2000; i++) {
          queue->wait(push(*queue, p, i));
          if (i % 500 == 0) std::this_thread::sleep_for(2ms);
        }
      });
    }
    for (std::thread& t : producers) t.join();
    expect(log.count() == 8000, "every waited job lands");
    std::vector<int> next(4, 0);
    bool ordered = true;
    for (auto [p, seq] : log.applied) ordered = ordered && seq == next[p]++;
    expect(ordered, "each producer's jobs land in its order");
    delete queue;
  }
  {
    // A full queue holds the pusher until the thread makes room.
    Log log;
    Queue* queue = make(log, 10);
    log.gate_open = false;
    push(*queue, 0, 0, 5);  // half the cap: the push wakes the thread, which waits at the gate
    while (!log.entered) std::this_thread::sleep_for(100us);
    push(*queue, 0, 1, 4);
    std::atomic<bool> pushed{false};
    std::thread pusher([&] {
      push(*queue, 0, 2, 4);
      pushed = true;
    });
    std::this_thread::sleep_for(20ms);
    expect(!pushed, "a push waits while the queue is full");
    log.gate_open = true;
    pusher.join();
    queue->drain();
    expect(log.count() == 3, "the held push lands");
    // Heavier than the cap, behind a light job the lingering thread was not woken for: the push
    // that does not fit applies that job itself, then goes in alone.
    push(*queue, 0, 3, 1);
    queue->wait(push(*queue, 0, 4, 100));
    expect(log.count() == 5, "a job over the cap lands");
    delete queue;
  }
  {
    // A push to a thread that lingered idle and went to sleep wakes it: nobody waits here.
    Log log;
    Queue* queue = make(log, 1 << 20, 1ms);
    queue->wait(push(*queue, 0, 0));
    std::this_thread::sleep_for(20ms);
    push(*queue, 0, 1);
    while (log.count() < 2) std::this_thread::sleep_for(100us);
    delete queue;
  }
  {
    // Stop lands what is queued; pushes after it are refused.
    Log log;
    Queue* queue = make(log, 1 << 20);
    for (int i = 0; i < 100; i++) push(*queue, 0, i);
    queue->stop();
    expect(log.count() == 100, "stop lands the queued jobs");
    expect(push(*queue, 0, 100) == 0, "a push after stop is refused");
    delete queue;
  }
  if (failures > 0) return 1;
  std::printf("write queue holds\n");
  return 0;
}
