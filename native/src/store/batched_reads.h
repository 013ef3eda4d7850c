// A file system whose asynchronous reads leave together: RocksDB's MultiGet with `async_io`
// asks each SST file of a level for its blocks (ReadAsync), then waits for all of them (Poll).
// RocksDB's own POSIX file system submits every read by itself, one io_uring_enter and one
// doorbell to the disk each; here ReadAsync only queues the read on the thread's ring, and Poll
// submits every queued read in one io_uring_enter that also waits for them. The block layer
// then dispatches them as one plugged batch, one notification to a virtual disk for all of them,
// and the thread sleeps once (docs/performance.md, twelfth round).
//
// A ring is the calling thread's (MultiGet reads and polls on one thread). Where io_uring is not
// to be had (an old kernel, a seccomp profile that forbids it), ReadAsync reads synchronously and
// Poll has nothing to wait for: `available()` tells the caller, which then reads another way.
#pragma once

#include <fcntl.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace marekvs {

class Ring;

// One read in flight: what ReadAsync was asked, until Poll hands it back.
struct PendingRead {
  Ring* ring;
  int fd;
  uint64_t offset;
  size_t len;
  char* scratch;
  std::function<void(rocksdb::FSReadRequest&, void*)> cb;
  void* cb_arg;
  bool submitted = false;  // taken into the submission queue
  bool done = false;       // its outcome is in `result`
  bool closed = false;     // handed back (its callback ran) or aborted: nothing more to do
  int result = 0;          // bytes read, or -errno
};

// A minimal io_uring (the kernel's interface, no liburing): a submission queue filled by
// ReadAsync and flushed by Poll, and the completions it reaps.
class Ring {
 public:
  static constexpr unsigned DEPTH = 256;

  // Reads submitted through any ring of the process (tests check that batched reads happened).
  static inline std::atomic<uint64_t> submitted_total{0};

  // This thread's ring, or null where io_uring cannot be set up.
  static Ring* mine() {
    thread_local std::unique_ptr<Ring> ring = make();
    return ring.get();
  }

  // Whether this process can use io_uring (checked once, by setting up a ring).
  static bool available() {
    static const bool ok = make() != nullptr;
    return ok;
  }

  ~Ring() {
    if (sq_ != MAP_FAILED) munmap(sq_, sq_bytes_);
    if (cq_ != MAP_FAILED && cq_ != sq_) munmap(cq_, cq_bytes_);
    if (sqes_ != MAP_FAILED) munmap(sqes_, sqes_bytes_);
    if (fd_ >= 0) close(fd_);
  }

  void queue(PendingRead* read) { queued_.push_back(read); }

  // A read RocksDB lets go of: if the kernel holds it, wait it out (its buffer is about to be
  // freed); if it is still queued, unqueue it.
  void forget(PendingRead* read) {
    if (read->submitted) {
      if (!read->done) complete(read);
      return;
    }
    for (size_t i = next_; i < queued_.size(); i++) {
      if (queued_[i] == read) queued_[i] = nullptr;
    }
  }

  // Submit what is queued and wait for everything in flight (all of it the caller's: a ring is
  // one thread's, and Poll wants every read of its MultiGet), then reap; until `read` is done.
  void complete(PendingRead* read) {
    while (!read->done) {
      unsigned to_submit = fill();
      unsigned wanted = in_flight_ + to_submit;
      long r = syscall(__NR_io_uring_enter, fd_, to_submit, wanted, IORING_ENTER_GETEVENTS, nullptr, 0);
      if (r >= 0) {
        unsubmitted_ -= static_cast<unsigned>(r);
        in_flight_ += static_cast<unsigned>(r);
      } else if (errno != EINTR && errno != EAGAIN && errno != EBUSY) {
        // Only a broken ring fails so (EBADF, EFAULT): the kernel may still write into the reads'
        // buffers, which their owners would free. RocksDB's own io_uring code aborts here too.
        std::fprintf(stderr, "marekvs: io_uring_enter failed: %s\n", std::strerror(errno));
        std::abort();
      }
      reap();
    }
  }

 private:
  static std::unique_ptr<Ring> make() {
    auto ring = std::unique_ptr<Ring>(new Ring());
    return ring->setup() ? std::move(ring) : nullptr;
  }

  Ring() = default;

  bool setup() {
    io_uring_params p;
    std::memset(&p, 0, sizeof p);
    fd_ = static_cast<int>(syscall(__NR_io_uring_setup, DEPTH, &p));
    if (fd_ < 0) return false;
    sq_bytes_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    cq_bytes_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
    bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single) sq_bytes_ = cq_bytes_ = std::max(sq_bytes_, cq_bytes_);
    sq_ = mmap(nullptr, sq_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
    if (sq_ == MAP_FAILED) return false;
    cq_ = single ? sq_ : mmap(nullptr, cq_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_CQ_RING);
    if (cq_ == MAP_FAILED) return false;
    sqes_bytes_ = p.sq_entries * sizeof(io_uring_sqe);
    sqes_ = mmap(nullptr, sqes_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
    if (sqes_ == MAP_FAILED) return false;
    auto* sq = static_cast<char*>(sq_);
    auto* cq = static_cast<char*>(cq_);
    sq_tail_ = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
    sq_mask_ = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
    sq_entries_ = p.sq_entries;
    sq_array_ = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
    cq_head_ = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
    cq_tail_ = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
    cq_mask_ = *reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
    cqes_ = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
    cq_entries_ = p.cq_entries;
    return true;
  }

  // Move queued reads into the submission queue, as many as the rings have room for; how many
  // wait there for the kernel.
  unsigned fill() {
    unsigned room = std::min(sq_entries_ - unsubmitted_, cq_entries_ - in_flight_ - unsubmitted_);
    unsigned n = 0;
    unsigned tail = *sq_tail_;
    while (n < room && next_ < queued_.size()) {
      PendingRead* read = queued_[next_++];
      if (read == nullptr || read->closed) continue;
      unsigned index = tail & sq_mask_;
      io_uring_sqe* sqe = static_cast<io_uring_sqe*>(sqes_) + index;
      std::memset(sqe, 0, sizeof *sqe);
      sqe->opcode = IORING_OP_READ;
      sqe->fd = read->fd;
      sqe->off = read->offset;
      sqe->addr = reinterpret_cast<uint64_t>(read->scratch);
      sqe->len = static_cast<uint32_t>(read->len);
      sqe->user_data = reinterpret_cast<uint64_t>(read);
      sq_array_[index] = index;
      read->submitted = true;
      submitted_total.fetch_add(1, std::memory_order_relaxed);
      tail++;
      n++;
    }
    if (next_ == queued_.size()) {
      queued_.clear();
      next_ = 0;
    }
    __atomic_store_n(sq_tail_, tail, __ATOMIC_RELEASE);
    unsubmitted_ += n;
    return unsubmitted_;
  }

  void reap() {
    unsigned head = *cq_head_;
    unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    for (; head != tail; head++) {
      io_uring_cqe* cqe = cqes_ + (head & cq_mask_);
      finish(reinterpret_cast<PendingRead*>(cqe->user_data), cqe->res);
      in_flight_--;
    }
    __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
  }

  // A read's outcome. One the kernel did not finish (short of the end of the file, or refused:
  // EAGAIN, or EINVAL from a kernel older than IORING_OP_READ's 5.6) is finished here by pread,
  // whose error, if it fails too, is the read's.
  static void finish(PendingRead* read, int res) {
    read->done = true;
    if (res == 0 || (res > 0 && static_cast<size_t>(res) == read->len)) {
      read->result = res;
      return;
    }
    size_t got = res > 0 ? static_cast<size_t>(res) : 0;
    int error = 0;
    while (got < read->len) {
      ssize_t r = pread(read->fd, read->scratch + got, read->len - got, static_cast<off_t>(read->offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        error = errno;
        break;
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    read->result = error != 0 ? -error : static_cast<int>(got);
  }

  int fd_ = -1;
  void* sq_ = MAP_FAILED;
  void* cq_ = MAP_FAILED;
  void* sqes_ = MAP_FAILED;
  size_t sq_bytes_ = 0, cq_bytes_ = 0, sqes_bytes_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned sq_mask_ = 0, sq_entries_ = 0;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0, cq_entries_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  std::vector<PendingRead*> queued_;
  size_t next_ = 0;
  unsigned unsubmitted_ = 0;  // in the submission queue, not yet taken by the kernel
  unsigned in_flight_ = 0;    // taken by the kernel, not yet reaped
};

// An SST file: RocksDB's own file for everything, and a descriptor of ours for queued reads.
class BatchedReadFile : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  BatchedReadFile(std::unique_ptr<rocksdb::FSRandomAccessFile>&& file, int fd) : FSRandomAccessFileOwnerWrapper(std::move(file)), fd_(fd) {}
  ~BatchedReadFile() override { close(fd_); }

  rocksdb::IOStatus ReadAsync(rocksdb::FSReadRequest& req, const rocksdb::IOOptions& opts, std::function<void(rocksdb::FSReadRequest&, void*)> cb,
                              void* cb_arg, void** io_handle, rocksdb::IOHandleDeleter* del_fn, rocksdb::IODebugContext* dbg) override {
    Ring* ring = Ring::mine();
    if (ring == nullptr || req.scratch == nullptr) {
      // No ring on this thread: read now (RocksDB's own file would refuse, its io_uring being off).
      req.status = Read(req.offset, req.len, opts, &req.result, req.scratch, dbg);
      cb(req, cb_arg);
      return rocksdb::IOStatus::OK();
    }
    auto* read = new PendingRead{ring, fd_, req.offset, req.len, req.scratch, std::move(cb), cb_arg};
    ring->queue(read);
    *io_handle = read;
    *del_fn = [](void* handle) {
      auto* read = static_cast<PendingRead*>(handle);
      read->ring->forget(read);
      delete read;
    };
    return rocksdb::IOStatus::OK();
  }

 private:
  int fd_;
};

class BatchedReadFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit BatchedReadFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target) : FileSystemWrapper(target) {}

  const char* Name() const override { return "MarekvsBatchedReads"; }

  rocksdb::IOStatus NewRandomAccessFile(const std::string& name, const rocksdb::FileOptions& options, std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewRandomAccessFile(name, options, result, dbg);
    if (!s.ok() || options.use_direct_reads || options.use_mmap_reads || !Ring::available()) return s;
    int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return s;  // its reads stay RocksDB's own
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    *result = std::make_unique<BatchedReadFile>(std::move(*result), fd);
    return s;
  }

  // Every handle's read is done, and its callback called, when this returns.
  rocksdb::IOStatus Poll(std::vector<void*>& handles, size_t /*min_completions*/) override {
    for (void* handle : handles) {
      auto* read = static_cast<PendingRead*>(handle);
      if (read->closed) continue;
      read->ring->complete(read);
      rocksdb::FSReadRequest req;
      req.offset = read->offset;
      req.len = read->len;
      req.scratch = read->scratch;
      if (read->result < 0) {
        req.status = rocksdb::IOStatus::IOError("read", std::strerror(-read->result));
        req.result = rocksdb::Slice(req.scratch, 0);
      } else {
        req.status = rocksdb::IOStatus::OK();
        req.result = rocksdb::Slice(req.scratch, static_cast<size_t>(read->result));
      }
      read->closed = true;
      read->cb(req, read->cb_arg);
    }
    return rocksdb::IOStatus::OK();
  }

  // No callback for these; a read the kernel holds is waited out, as its buffer is the caller's.
  rocksdb::IOStatus AbortIO(std::vector<void*>& handles) override {
    for (void* handle : handles) {
      auto* read = static_cast<PendingRead*>(handle);
      if (read->submitted && !read->done) read->ring->complete(read);
      read->closed = true;
    }
    return rocksdb::IOStatus::OK();
  }

  void SupportedOps(int64_t& supported) override {
    target()->SupportedOps(supported);
    if (Ring::available()) supported |= (1 << rocksdb::FSSupportedOps::kAsyncIO);
  }
};

// The Env every database of this process opens with (it outlives them all).
inline rocksdb::Env* batched_read_env() {
  static std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(std::make_shared<BatchedReadFileSystem>(rocksdb::FileSystem::Default()));
  return env.get();
}

}  // namespace marekvs
