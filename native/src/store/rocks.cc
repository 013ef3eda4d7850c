// The RocksDB side of lib/storage/store.ts: a C ABI over RocksDB's C++ API for mod.rs.
//
// There is no RocksDB build here: the headers are those @nxtedition/rocksdb ships in
// deps/rocksdb, and the symbols resolve at load time against that package's prebuilt addon,
// which lib/native.ts loads with RTLD_GLOBAL first (docs/native.md, "RocksDB"). The headers
// and the library come from one package version, so they always match.
//
// One database is shared by every thread of the process: the main thread opens it, the shard
// workers attach by handle. A call holds the handle's lock shared; close takes it exclusive,
// so a call never runs on a closed database, and fails with "database is closed" after it.
//
// Writes go through one queue per database, applied by a thread of its own (write_queue.h).
// Most return once queued, their values pinned in the record cache; the rest wait for their
// landing (mkv_write). A read that would miss a queued write waits for the queue first
// (`settle`), so every read sees every write that returned before it. A database opened without
// the queue (MAREKVS_FSYNC=always, whose replies wait for a sync anyway) writes on the caller's
// thread, every write as a waited one.
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "batched_reads.h"
#include "read_helpers.h"
#include "record_cache.h"
#include "write_queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Iter;
struct QueuedWrite;

constexpr size_t MAX_COLUMNS = 16;

// Keys of queued writes that return before they land, in the columns without a record cache: per
// slot of a hash of (column, key), the number of the last queued write to such a key. A read by
// key of such a column waits for the queue only while one of its keys' slots names a write not
// yet landed (settle_keys); before, any queued write to the column made it wait, so every HSET's
// read of its field applied the queue on the reading thread (docs/performance.md, twenty-first
// round). Only pushes write a slot, under the queue's lock, so the writer never takes a slot's
// cache line from the event loop. Slots are shared, so a read may wait for a write of another
// key, but never reads past one of its own.
class PendingKeys {
 public:
  static uint32_t slot(uint32_t cf, std::string_view key) {
    uint64_t h = std::hash<std::string_view>{}(key) ^ (uint64_t{cf} * 0x9E3779B97F4A7C15ull);
    return static_cast<uint32_t>((h ^ (h >> 29)) & (SLOTS - 1));
  }
  // Under the queue's lock, before write `number` is queued: numbers only grow in a slot.
  void note(uint32_t slot, uint64_t number) { last_[slot].store(number, std::memory_order_relaxed); }
  // The last write queued to the slot's keys (0: none); it has landed once the queue says so.
  uint64_t last(uint32_t slot) const { return last_[slot].load(std::memory_order_relaxed); }

 private:
  static constexpr uint32_t SLOTS = 1 << 16;
  std::array<std::atomic<uint64_t>, SLOTS> last_{};
};

struct Db {
  std::atomic<int> refs{1};
  std::shared_mutex lock;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> columns;
  // Per column, its record cache, or null (record_cache.h).
  std::vector<std::unique_ptr<marekvs::RecordCache>> caches;
  std::set<Iter*> iters;
  // Queued writes not yet applied, per column they write: a read of a range of the column waits
  // for the queue; a read by key of a column without a record cache, while `pending` names a
  // write of one of its keys not yet landed.
  std::atomic<uint32_t> queued[MAX_COLUMNS] = {};
  // Of those, the keys of the ones that returned before landing, where no record cache holds them.
  PendingKeys pending;
  // The first error of a write nobody waited for; later writes fail with it.
  std::mutex failure_lock;
  std::string failure;
  std::unique_ptr<marekvs::WriteQueue<QueuedWrite>> queue;  // null: writes on the caller's thread
};

struct Iter {
  Db* owner;
  rocksdb::Iterator* it;
  std::string gte, lt;
  // The iterator's bounds: RocksDB keeps pointers to these, so they live as long as it does.
  rocksdb::Slice lower, upper;
  bool reverse;
};

// The last call's output on this thread: values (or key/value rows) back to back, their
// lengths, and the error text. Valid until the thread's next call.
thread_local std::string out_bytes;
thread_local std::vector<int64_t> out_lens;
thread_local std::string out_error;

// Clear the last output; one that grew past 1 MiB (a large value or page) gives its memory back.
void reset_output() {
  out_bytes.clear();
  out_lens.clear();
  if (out_bytes.capacity() > (1 << 20)) out_bytes.shrink_to_fit();
  if (out_lens.capacity() > (1 << 16)) out_lens.shrink_to_fit();
}

int fail(const std::string& message) {
  out_error = message;
  return -1;
}

int fail(const rocksdb::Status& status) { return fail(status.ToString()); }

const char* const CLOSED = "database is closed";

rocksdb::ColumnFamilyHandle* column(Db* db, uint32_t index) {
  return index < db->columns.size() ? db->columns[index] : nullptr;
}

// Column `index` of an open database, or null with the error set (closed, or no such column).
rocksdb::ColumnFamilyHandle* open_column(Db* db, uint32_t index) {
  if (!db->db) {
    fail(CLOSED);
    return nullptr;
  }
  rocksdb::ColumnFamilyHandle* c = column(db, index);
  if (!c) fail("no such column");
  return c;
}

marekvs::RecordCache* cache_of(Db* db, uint32_t index) { return index < db->caches.size() ? db->caches[index].get() : nullptr; }

// How a column is read (mkv_column::reads; lib/storage/store.ts names them).
constexpr int READS_RANGE = 0, READS_KEY = 1, READS_KEY_EVERY_COMMAND = 2;

// Level compaction sized from a memtable budget, no compression on L0 and L1 (with dynamic level
// sizes, RocksDB's default, "L1" is the level L0 is compacted into; flushes spend no CPU on ZSTD),
// ZSTD below unless `compress` is off (MAREKVS_COMPRESSION=none: a cold read then decompresses
// nothing, for more disk); the table options of the binding this replaced, so existing databases
// keep their layout. Either way, files already written keep theirs.
rocksdb::ColumnFamilyOptions column_options(uint64_t cache_bytes, uint64_t memtable_budget, int reads, bool compress) {
  rocksdb::ColumnFamilyOptions o;
  // Each flush writes half the budget to L0, merged from `merged` memtables. A column read by key
  // has sixteen of 2 MiB (at a 64 MiB budget) and a memtable bloom filter: inserting into a
  // skiplist that stays in the CPU's caches costs the writer ~30 % less a SET than into a 16 MiB
  // one, and reading from one (HSET's read of the field it sets) less than searching two of 16
  // MiB, while the filter spares its reads the memtables that lack the key (docs/performance.md,
  // nineteenth and twenty-first rounds). A column read by range only keeps two, as its reads
  // search every memtable. The budget caps all of them at 1.5× either way.
  bool by_key = reads >= READS_KEY;
  int merged = by_key ? 16 : 2;
  o.write_buffer_size = static_cast<size_t>(memtable_budget / 2 / merged);
  o.min_write_buffer_number_to_merge = merged;
  o.max_write_buffer_number = merged * 3;
  o.level0_file_num_compaction_trigger = 2;
  o.target_file_size_base = memtable_budget / 8;
  o.max_bytes_for_level_base = memtable_budget;
  // One insert hint for the whole memtable: mkv_write adds a batch in key order, so each key is
  // found from where the one before it went in, not from the skiplist's top (docs/performance.md).
  o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  o.compaction_style = rocksdb::kCompactionStyleLevel;
  rocksdb::CompressionType below_l1 = compress ? rocksdb::kZSTD : rocksdb::kNoCompression;
  o.compression = below_l1;
  o.compression_opts.max_dict_bytes = 16 * 1024;
  o.compression_opts.zstd_max_train_bytes = 16 * 1024 * 100;
  o.compression_per_level.resize(o.num_levels);
  for (int i = 0; i < o.num_levels; ++i) o.compression_per_level[i] = i < 2 ? rocksdb::kNoCompression : below_l1;

  rocksdb::BlockBasedTableOptions t;
  if (cache_bytes > 0) {
    t.block_cache = rocksdb::HyperClockCacheOptions(cache_bytes, 0).MakeSharedCache();
  } else {
    t.no_block_cache = true;
  }
  if (by_key) {
    o.memtable_prefix_bloom_size_ratio = 0.02;
    o.memtable_whole_key_filtering = true;
  }
  if (reads == READS_KEY_EVERY_COMMAND) {
    // A read by key decompresses and checksums its whole block: 2 KiB blocks took ~6 % off a
    // cold GET's CPU against the default 4 KiB, for a twice larger index (~18 MB more with 20M
    // keys) and the same disk (docs/performance.md, thirteenth round).
    t.block_size = 2 * 1024;
    t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
    t.data_block_hash_table_util_ratio = 0.75;
    t.filter_policy.reset(rocksdb::NewRibbonFilterPolicy(10, 1));
  } else {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  t.checksum = rocksdb::kXXH3;
  t.decouple_partitioned_filters = true;
  t.optimize_filters_for_memory = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

void append_row(const rocksdb::Slice& key, const rocksdb::Slice& value) {
  out_bytes.append(key.data(), key.size());
  out_bytes.append(value.data(), value.size());
  out_lens.push_back(static_cast<int64_t>(key.size()));
  out_lens.push_back(static_cast<int64_t>(value.size()));
}

// Up to `limit` rows of `it` from where it stands (its bounds keep it in range); true when it ran out.
bool read_rows(rocksdb::Iterator* it, bool reverse, uint32_t limit) {
  for (uint32_t n = 0; n < limit && it->Valid(); n++) {
    append_row(it->key(), it->value());
    if (reverse) it->Prev();
    else it->Next();
  }
  return !it->Valid();
}

// A write's ops on cached columns, grouped by column and cache shard (in batch order within a
// group), for the record caches' begin_write and end_write (record_cache.h).
struct CachedWrites {
  struct Group {
    uint32_t column;
    uint32_t shard;
    size_t first, count;  // into keys/values/value_ptrs
    uint64_t note;
  };
  std::vector<std::pair<uint64_t, uint32_t>> order;  // (column × SHARDS + shard, op index)
  std::vector<std::string_view> keys, values;
  std::vector<const std::string_view*> value_ptrs;
  std::vector<Group> groups;

  void begin(Db* db) {
    for (Group& g : groups) g.note = db->caches[g.column]->begin_write(g.shard, &keys[g.first], g.count);
  }

  void end(Db* db, bool landed) {
    for (Group& g : groups) db->caches[g.column]->end_write(g.shard, g.note, landed, &keys[g.first], &value_ptrs[g.first], g.count);
  }
};

// Sort (group, op index) pairs by group, keeping batch order within one: a counting sort for a
// large batch (a sort by comparison was ~2 % of the main thread under SET -P 16).
void sort_groups(std::vector<std::pair<uint64_t, uint32_t>>& order) {
  constexpr size_t GROUPS = MAX_COLUMNS * marekvs::RecordCache::SHARDS;
  if (order.size() <= 64) {
    std::sort(order.begin(), order.end());
    return;
  }
  thread_local std::vector<uint32_t> starts(GROUPS + 1);
  thread_local std::vector<std::pair<uint64_t, uint32_t>> sorted;
  std::fill(starts.begin(), starts.end(), 0);
  for (const auto& [group, i] : order) starts[group + 1]++;
  for (size_t g = 0; g < GROUPS; g++) starts[g + 1] += starts[g];
  sorted.resize(order.size());
  for (const auto& entry : order) sorted[starts[entry.first]++] = entry;
  order.swap(sorted);
}

CachedWrites& cached_writes(Db* db, size_t count, const uint8_t* cfs, const char* const* keys, const size_t* key_lens,
                            const char* const* values, const size_t* value_lens) {
  thread_local CachedWrites w;
  constexpr uint64_t SHARDS = marekvs::RecordCache::SHARDS;
  w.order.clear();
  w.keys.clear();
  w.values.clear();
  w.value_ptrs.clear();
  w.groups.clear();
  for (size_t i = 0; i < count; i++) {
    marekvs::RecordCache* cache = cache_of(db, cfs[i]);
    if (cache) w.order.emplace_back(cfs[i] * SHARDS + cache->shard_index(std::string_view(keys[i], key_lens[i])), static_cast<uint32_t>(i));
  }
  sort_groups(w.order);
  // values is filled before value_ptrs point into it, so the pointers stay valid.
  for (auto [group, i] : w.order) {
    w.keys.emplace_back(keys[i], key_lens[i]);
    w.values.emplace_back(values[i] ? std::string_view(values[i], value_lens[i]) : std::string_view());
  }
  for (size_t n = 0; n < w.order.size(); n++) {
    uint32_t i = w.order[n].second;
    w.value_ptrs.push_back(values[i] ? &w.values[n] : nullptr);
    uint64_t group = w.order[n].first;
    if (n == 0 || group != w.order[n - 1].first) w.groups.push_back({static_cast<uint32_t>(group / SHARDS), static_cast<uint32_t>(group % SHARDS), n, 0, 0});
    w.groups.back().count++;
  }
  return w;
}

// A write on the queue. One returned once queued (`status` null) owns copies of its cached
// keys, whose values it pinned; one whose caller waits points into the caller's CachedWrites
// and reports into `status`.
struct QueuedWrite {
  rocksdb::WriteBatch batch;
  bool sync = false;
  std::vector<CachedWrites::Group> groups;
  std::vector<std::string_view> keys;
  const std::string_view* const* values = nullptr;
  std::string key_bytes;
  uint32_t columns = 0;  // a bit per column it writes
  marekvs::RecordCache* clears = nullptr;  // a range delete's column's cache
  rocksdb::Status* status = nullptr;
};

// Make `job` own its cached keys: views into one buffer of copies.
void own_keys(QueuedWrite& job, const CachedWrites& cached) {
  job.key_bytes.clear();
  for (const std::string_view& key : cached.keys) job.key_bytes.append(key);
  job.keys.clear();
  size_t at = 0;
  for (const std::string_view& key : cached.keys) {
    job.keys.emplace_back(job.key_bytes.data() + at, key.size());
    at += key.size();
  }
}

// Tests hold each queued write this long (mkv_write_delay_for_testing).
std::atomic<uint32_t> write_delay_us{0};

// RocksDB's verdict on a batch, with a C++ exception from it as an error: where a queued write
// is applied (the queue's thread, or one that waits on the queue) nothing may escape (it would
// end the process, or leave the queue applying forever), and the record cache must hear how it ended.
rocksdb::Status write_batch(Db* db, const rocksdb::WriteOptions& options, rocksdb::WriteBatch& batch) {
  try {
    return db->db->Write(options, &batch);
  } catch (const std::exception& e) {
    return rocksdb::Status::Aborted(e.what());
  }
}

void apply(Db* db, QueuedWrite& job) {
  if (uint32_t delay = write_delay_us.load(std::memory_order_relaxed)) std::this_thread::sleep_for(std::chrono::microseconds(delay));
  rocksdb::WriteOptions options;
  options.sync = job.sync;
  rocksdb::Status s;
  if (job.status) {
    // The protocol of a write in flight (record_cache.h): its keys leave the cache until it lands.
    if (job.clears) job.clears->begin_clear();
    for (CachedWrites::Group& g : job.groups) g.note = db->caches[g.column]->begin_write(g.shard, &job.keys[g.first], g.count);
    s = write_batch(db, options, job.batch);
    for (CachedWrites::Group& g : job.groups) db->caches[g.column]->end_write(g.shard, g.note, s.ok(), &job.keys[g.first], &job.values[g.first], g.count);
    if (job.clears) job.clears->end_clear();
    *job.status = s;
  } else {
    s = write_batch(db, options, job.batch);
    for (const CachedWrites::Group& g : job.groups) db->caches[g.column]->unpin_write(g.shard, s.ok(), &job.keys[g.first], g.count);
    if (!s.ok()) {
      std::lock_guard guard(db->failure_lock);
      if (db->failure.empty()) db->failure = "a queued write failed: " + s.ToString();
    }
  }
  for (size_t c = 0; c < MAX_COLUMNS; c++) {
    if (job.columns & (1u << c)) db->queued[c].fetch_sub(1, std::memory_order_release);
  }
  job.batch.Clear();
  // A large batch (a big MSET) would otherwise keep its memory as long as the job is recycled.
  if (job.batch.Data().capacity() > (1 << 20)) job.batch = rocksdb::WriteBatch();
  job.key_bytes.clear();
  if (job.key_bytes.capacity() > (1 << 20)) job.key_bytes = std::string();
  job.status = nullptr;
  job.clears = nullptr;
  job.values = nullptr;
}

// What a queued write holds: its batch, its key copies. Writes wait while the queue holds more
// than this: it bounds the record cache's pins, and how long a read that waits for the queue
// can wait (tens of ms of memtable inserts). A turn's batch at -P 16 is ~50 KB.
constexpr size_t QUEUE_MAX_BYTES = 2 << 20;
// How long the writer sleeps after applying before it looks for more (write_queue.h): 250 µs
// and 1 ms gave the same unpipelined SET (~12 µs of CPU against 13.2 with a wake-up per push);
// the shorter keeps what a process crash can lose under a millisecond.
constexpr std::chrono::microseconds WRITER_LINGER{250};

// Count a write queued for the columns it writes (`settle`).
void count_queued(Db* db, uint32_t columns) {
  for (size_t c = 0; c < MAX_COLUMNS; c++) {
    if (columns & (1u << c)) db->queued[c].fetch_add(1, std::memory_order_acq_rel);
  }
}

// Push `job` and wait for it to land (or apply it here, without a queue): its result.
rocksdb::Status push_and_wait(Db* db, QueuedWrite* job) {
  rocksdb::Status s;
  job->status = &s;
  if (!db->queue) {
    job->columns = 0;  // counted only when queued
    apply(db, *job);
    return s;
  }
  uint32_t columns = job->columns;
  uint64_t number = db->queue->push(std::unique_ptr<QueuedWrite>(job), [&](uint64_t) { count_queued(db, columns); });
  if (number == 0) return rocksdb::Status::Aborted(CLOSED);
  db->queue->wait(number);
  return s;
}

// Before a read of column `cf` that would not see its queued writes: wait for the queue.
void settle(Db* db, uint32_t cf) {
  if (db->queue && cf < MAX_COLUMNS && db->queued[cf].load(std::memory_order_acquire) > 0) db->queue->drain();
}

// Before a read of `keys` in column `cf`, which has no record cache: wait for the queue if a
// queued write that returned may write one of them. Writes that wait for their landing note no
// slot: a read that starts after one returned finds it landed.
void settle_keys(Db* db, uint32_t cf, size_t count, const char* const* keys, const size_t* key_lens) {
  if (!db->queue || cf >= MAX_COLUMNS || db->queued[cf].load(std::memory_order_acquire) == 0) return;
  for (size_t i = 0; i < count; i++) {
    if (!db->queue->landed(db->pending.last(PendingKeys::slot(cf, std::string_view(keys[i], key_lens[i]))))) {
      db->queue->drain();
      return;
    }
  }
}

// Before anything else that reads outside the queue (properties, flushes).
void settle_all(Db* db) {
  if (db->queue && !db->queue->idle()) db->queue->drain();
}

}  // namespace

extern "C" {

struct mkv_column {
  const char* name;
  uint64_t cache_bytes;
  uint64_t memtable_budget;
  int reads;  // READS_RANGE, READS_KEY or READS_KEY_EVERY_COMMAND
  // Bytes of its record cache (record_cache.h); 0 for none.
  uint64_t record_cache_bytes;
};

const char* mkv_error() { return out_error.c_str(); }
const char* mkv_out_bytes() { return out_bytes.data(); }
size_t mkv_out_size() { return out_bytes.size(); }
const int64_t* mkv_out_lens() { return out_lens.data(); }
size_t mkv_out_count() { return out_lens.size(); }

void* mkv_open(const char* path, const mkv_column* columns, size_t count, int compress, int queue_writes) try {
  if (count > MAX_COLUMNS) {
    fail("too many columns");
    return nullptr;
  }
  rocksdb::DBOptions o;
  o.IncreaseParallelism(std::max<int>(1, std::thread::hardware_concurrency() / 2));
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.avoid_unnecessary_blocking_io = true;
  o.write_dbid_to_manifest = true;
  o.fail_if_options_file_error = true;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Cold MultiGets submit a level's reads together (batched_reads.h).
  o.env = marekvs::batched_read_env();
  // WAL files live seconds: compressing each record is CPU for nothing.
  o.wal_compression = rocksdb::kNoCompression;
  // A WAL file is freed once every column has flushed what it holds, and a column written
  // seldom (`sys`'s one mark a batch, a `members` touched once) flushes late: RocksDB's default
  // cap, four times the memtables' capacity (~890 MiB), let 6M SETs and one HSET keep 408 MiB
  // of WAL for a crash to replay. Past the memtables' budget, the columns that hold the oldest
  // file flush instead (docs/performance.md, twentieth round).
  o.max_total_wal_size = 0;
  for (size_t i = 0; i < count; i++) o.max_total_wal_size += columns[i].memtable_budget;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < count; i++) {
    descriptors.emplace_back(columns[i].name, column_options(columns[i].cache_bytes, columns[i].memtable_budget, columns[i].reads, compress != 0));
  }
  auto db = std::make_unique<Db>();
  rocksdb::Status s = rocksdb::DB::Open(o, path, descriptors, &db->columns, &db->db);
  if (!s.ok()) {
    fail(s);
    return nullptr;
  }
  for (size_t i = 0; i < count; i++) {
    uint64_t bytes = columns[i].record_cache_bytes;
    db->caches.emplace_back(bytes > 0 ? std::make_unique<marekvs::RecordCache>(bytes) : nullptr);
  }
  Db* raw = db.get();
  if (queue_writes) db->queue = std::make_unique<marekvs::WriteQueue<QueuedWrite>>([raw](QueuedWrite& job) { apply(raw, job); },
                                                                [](const QueuedWrite& job) { return job.batch.GetDataSize() + job.key_bytes.size(); },
                                                                QUEUE_MAX_BYTES, WRITER_LINGER);
  return db.release();
} catch (const std::exception& e) {
  fail(e.what());
  return nullptr;
}

void mkv_retain(void* handle) { static_cast<Db*>(handle)->refs.fetch_add(1); }

// Close the database: iterators still open are dropped first. Later calls fail.
int mkv_close(void* handle) try {
  Db* db = static_cast<Db*>(handle);
  // What is queued lands first; writes after this fail as closed.
  if (db->queue) db->queue->stop();
  std::unique_lock guard(db->lock);
  if (!db->db) return 0;
  for (Iter* iter : db->iters) {
    delete iter->it;
    iter->it = nullptr;
  }
  db->iters.clear();
  for (auto* c : db->columns) db->db->DestroyColumnFamilyHandle(c);
  db->columns.clear();
  db->caches.clear();
  rocksdb::Status s = db->db->Close();
  delete db->db;
  db->db = nullptr;
  return s.ok() ? 0 : fail(s);
} catch (const std::exception& e) {
  return fail(e.what());
}

void mkv_release(void* handle) {
  Db* db = static_cast<Db*>(handle);
  if (db->refs.fetch_sub(1) == 1) {
    mkv_close(db);
    delete db;
  }
}

}  // extern "C"

namespace {

// The batch's keys to read from RocksDB, their values and statuses (mkv_get_many's, reused).
thread_local std::vector<rocksdb::Slice> slices;
thread_local std::vector<rocksdb::PinnableSlice> values;
thread_local std::vector<rocksdb::Status> statuses;

// What read_misses last cost, summed over its parts (mkv_last_read_ns).
thread_local double last_read_ns = 0;

// Keys a split read gives each part at least, and the parts at most (the caller's among them).
constexpr size_t PART_MIN_KEYS = 4;
constexpr size_t PARTS_MAX = 4;

// How a batch whose reads went to the disk lately reads: its reads submitted together
// (batched_reads.h) where io_uring is to be had, split across the read helpers where not.
enum class ColdMode { Auto, Batched, Split };
// Tests read every batch as a cold one, the way they name (mkv_cold_reads_for_testing).
std::atomic<int> cold_reads_forced{0};

// Read the n keys in parts beside each other, the calling thread's one of them (read_helpers.h);
// what the parts cost, summed, so that splitting cannot hide the cost that made it split.
double read_split(Db* db, rocksdb::ColumnFamilyHandle* c, size_t n) {
  static const rocksdb::ReadOptions read_options;
  using clock = std::chrono::steady_clock;
  size_t parts = std::min(PARTS_MAX, n / PART_MIN_KEYS);
  if (parts <= 1) {
    auto start = clock::now();
    db->db->MultiGet(read_options, c, n, slices.data(), values.data(), statuses.data());
    return std::chrono::duration<double, std::nano>(clock::now() - start).count();
  }
  // The parts write disjoint ranges of this thread's vectors; the helpers reach them by pointer.
  std::vector<double> part_ns(parts);
  std::vector<std::function<void()>> work;
  work.reserve(parts);
  auto* slice_base = slices.data();
  auto* value_base = values.data();
  auto* status_base = statuses.data();
  for (size_t p = 0; p < parts; p++) {
    size_t from = n * p / parts, to = n * (p + 1) / parts;
    work.emplace_back([=, &part_ns] {
      auto start = clock::now();
      db->db->MultiGet(read_options, c, to - from, slice_base + from, value_base + from, status_base + from);
      part_ns[p] = std::chrono::duration<double, std::nano>(clock::now() - start).count();
    });
  }
  marekvs::ReadHelpers::shared().run_all(work);
  double total = 0;
  for (double ns : part_ns) total += ns;
  return total;
}

// Read the n keys in `slices`: one key (most batches) by Get, which skips MultiGet's sorting;
// a batch whose reads went to the disk lately with its reads in flight together.
void read_misses(Db* db, rocksdb::ColumnFamilyHandle* c, size_t n) {
  static const rocksdb::ReadOptions read_options;
  static const rocksdb::ReadOptions async_read_options = [] {
    rocksdb::ReadOptions r;
    r.async_io = true;
    return r;
  }();
  thread_local marekvs::ColdReads cold_reads;
  using clock = std::chrono::steady_clock;
  last_read_ns = 0;
  if (n == 0) return;
  auto forced = static_cast<ColdMode>(cold_reads_forced.load(std::memory_order_relaxed));
  bool cold = n > 1 && (forced != ColdMode::Auto || cold_reads.cold());
  if (cold && (forced == ColdMode::Split || !marekvs::Ring::available())) {
    last_read_ns = read_split(db, c, n);
  } else {
    // Cold: RocksDB reads each level's blocks through ReadAsync and waits for them in one Poll.
    auto start = clock::now();
    if (n == 1) statuses[0] = db->db->Get(read_options, c, slices[0], &values[0]);
    else db->db->MultiGet(cold ? async_read_options : read_options, c, n, slices.data(), values.data(), statuses.data());
    last_read_ns = std::chrono::duration<double, std::nano>(clock::now() - start).count();
  }
  cold_reads.note(n, last_read_ns);
}

}  // namespace

extern "C" {

// 0: reads are cold when they were lately; 1: every batch is, read as cold batches are here;
// 2: every batch is, split across the read helpers (as where io_uring is not to be had).
void mkv_cold_reads_for_testing(int mode) { cold_reads_forced.store(mode); }

void mkv_write_delay_for_testing(uint32_t micros) { write_delay_us.store(micros); }

// Whether cold batches submit their reads together here, and how many reads were so far.
int mkv_batched_reads_available() { return marekvs::Ring::available() ? 1 : 0; }
uint64_t mkv_batched_reads_submitted() { return marekvs::Ring::submitted_total.load(std::memory_order_relaxed); }

// Flush a column's memtables and compact it to the last level: tests read from SST files.
int mkv_compact_for_testing(void* handle, uint32_t cf) try {
  Db* db = static_cast<Db*>(handle);
  settle_all(db);
  std::shared_lock guard(db->lock);
  rocksdb::ColumnFamilyHandle* c = open_column(db, cf);
  if (!c) return -1;
  rocksdb::Status s = db->db->Flush(rocksdb::FlushOptions(), c);
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (s.ok()) s = db->db->CompactRange(options, c, nullptr, nullptr);
  return s.ok() ? 0 : fail(s);
} catch (const std::exception& e) {
  return fail(e.what());
}

// What this thread's last mkv_get_many cost RocksDB, in ns of reading summed over its parts.
double mkv_last_read_ns() { return last_read_ns; }

// Values of `keys` in one column: out_bytes back to back, out_lens[i] their lengths, -1 when missing.
// `heads`: a cached record's head will do for a large one (record_cache.h), flagged FLAG_HEAD.
int mkv_get_many(void* handle, uint32_t cf, size_t count, const char* const* keys, const size_t* key_lens, int heads) try {
  Db* db = static_cast<Db*>(handle);
  // A cached column's queued writes are pinned in its cache; another's are not.
  if (!cache_of(db, cf)) settle_keys(db, cf, count, keys, key_lens);
  std::shared_lock guard(db->lock);
  reset_output();
  rocksdb::ColumnFamilyHandle* c = open_column(db, cf);
  if (!c) return -1;
  marekvs::RecordCache* cache = cache_of(db, cf);
  // Cached values first, in key order, into `hits` (-2 in out_lens marks a key to read).
  thread_local std::string hits;
  thread_local std::vector<size_t> misses;
  thread_local std::vector<uint64_t> versions;
  thread_local std::vector<uint64_t> hashes;
  hits.clear();
  misses.clear();
  versions.clear();
  if (cache) {
    hashes.resize(count);
    cache->prepare(keys, key_lens, count, hashes.data());
  }
  for (size_t i = 0; i < count; i++) {
    uint64_t version = 0;
    size_t before = hits.size();
    auto found = cache ? cache->get(std::string_view(keys[i], key_lens[i]), hashes[i], hits, version, heads != 0) : marekvs::RecordCache::Found::NO;
    if (found == marekvs::RecordCache::Found::VALUE || found == marekvs::RecordCache::Found::HEAD) {
      out_lens.push_back(static_cast<int64_t>(hits.size() - before));
    } else if (found == marekvs::RecordCache::Found::TOMBSTONE) {
      out_lens.push_back(-1);
    } else {
      out_lens.push_back(-2);
      misses.push_back(i);
      versions.push_back(version);
    }
  }
  // The rest from RocksDB (read_misses). The vectors are this thread's, reused: a read
  // allocates nothing once warm. Each value is reset on the way out, so no pinned block or
  // memtable outlives the call.
  size_t n = misses.size();
  slices.resize(n);
  values.resize(n);
  statuses.resize(n);
  struct Unpin {
    size_t n;
    ~Unpin() {
      for (size_t m = 0; m < n; m++) values[m].Reset();
    }
  } unpin{n};
  for (size_t m = 0; m < n; m++) slices[m] = rocksdb::Slice(keys[misses[m]], key_lens[misses[m]]);
  read_misses(db, c, n);
  for (size_t m = 0; m < n; m++) {
    if (!statuses[m].ok() && !statuses[m].IsNotFound()) return fail(statuses[m]);
  }
  size_t hit_at = 0, m = 0;
  for (size_t i = 0; i < count; i++) {
    if (out_lens[i] == -1) continue;  // a queued delete, pinned
    if (out_lens[i] != -2) {
      out_bytes.append(hits, hit_at, static_cast<size_t>(out_lens[i]));
      hit_at += static_cast<size_t>(out_lens[i]);
      continue;
    }
    if (statuses[m].IsNotFound()) {
      out_lens[i] = -1;
    } else {
      out_bytes.append(values[m].data(), values[m].size());
      out_lens[i] = static_cast<int64_t>(values[m].size());
      if (cache) cache->fill(slices[m].ToStringView(), values[m].ToStringView(), versions[m]);
    }
    m++;
  }
  return 0;
} catch (const std::exception& e) {
  return fail(e.what());
}

// One atomic batch: op i puts values[i] at keys[i] in column cfs[i], or deletes when values[i] is null.
// Queued (the WAL and memtable writes happen on the queue's thread, or on a thread that waits for
// them), and returned from at once with its values pinned in the record cache, unless `sync` or
// a value too large to pin: then it returns when it has landed, with RocksDB's verdict.
int mkv_write(void* handle, size_t count, const uint8_t* cfs, const char* const* keys, const size_t* key_lens,
              const char* const* values, const size_t* value_lens, int sync) try {
  Db* db = static_cast<Db*>(handle);
  std::shared_lock guard(db->lock);
  if (!db->db) return fail(CLOSED);
  {
    std::lock_guard failure_guard(db->failure_lock);
    if (!db->failure.empty()) return fail(db->failure);
  }
  // Without a queue, the job is this thread's, applied here.
  thread_local QueuedWrite here;
  std::unique_ptr<QueuedWrite> queued = db->queue ? db->queue->take() : nullptr;
  QueuedWrite* job = queued ? queued.get() : &here;
  job->sync = sync != 0;
  job->columns = 0;
  rocksdb::WriteBatch& batch = job->batch;
  // In key order per column (the memtable's insert hint); writes to one key keep their order,
  // so the last still wins. The index breaks ties: std::stable_sort would allocate a buffer
  // per batch.
  thread_local std::vector<uint32_t> order;
  order.resize(count);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (cfs[a] != cfs[b]) return cfs[a] < cfs[b];
    int c = rocksdb::Slice(keys[a], key_lens[a]).compare(rocksdb::Slice(keys[b], key_lens[b]));
    return c != 0 ? c < 0 : a < b;
  });
  for (uint32_t i : order) {
    rocksdb::ColumnFamilyHandle* c = column(db, cfs[i]);
    if (!c) return fail("no such column");
    job->columns |= 1u << cfs[i];
    rocksdb::Slice key(keys[i], key_lens[i]);
    rocksdb::Status s = values[i] ? batch.Put(c, key, rocksdb::Slice(values[i], value_lens[i])) : batch.Delete(c, key);
    if (!s.ok()) return fail(s);
  }
  if (order.capacity() > (1 << 16)) order = std::vector<uint32_t>();
  CachedWrites& cached = cached_writes(db, count, cfs, keys, key_lens, values, value_lens);
  job->groups = cached.groups;
  bool pinnable = queued && !job->sync;
  for (const std::string_view* value : cached.value_ptrs) pinnable = pinnable && (!value || marekvs::RecordCache::cacheable(*value));
  if (!pinnable) {
    job->keys = cached.keys;
    job->values = cached.value_ptrs.data();
    rocksdb::Status s = push_and_wait(db, queued ? queued.release() : job);
    return s.ok() ? 0 : fail(s);
  }
  own_keys(*job, cached);
  thread_local std::vector<uint32_t> slots;
  slots.clear();
  for (size_t i = 0; i < count; i++) {
    if (!cache_of(db, cfs[i])) slots.push_back(PendingKeys::slot(cfs[i], std::string_view(keys[i], key_lens[i])));
  }
  uint32_t columns = job->columns;
  uint64_t number = db->queue->push(std::move(queued), [&](uint64_t queued_as) {
    count_queued(db, columns);
    for (uint32_t slot : slots) db->pending.note(slot, queued_as);
    for (const CachedWrites::Group& g : cached.groups) db->caches[g.column]->pin_write(g.shard, &cached.keys[g.first], &cached.value_ptrs[g.first], g.count);
  });
  return number == 0 ? fail(CLOSED) : 0;
} catch (const std::exception& e) {
  return fail(e.what());
}

// Up to `limit` rows of [gte, lt), from `lt` down when reversed, as out_bytes/out_lens key/value pairs.
int mkv_query(void* handle, uint32_t cf, const char* gte, size_t gte_len, const char* lt, size_t lt_len, int reverse, uint32_t limit) try {
  Db* db = static_cast<Db*>(handle);
  settle(db, cf);
  std::shared_lock guard(db->lock);
  reset_output();
  rocksdb::ColumnFamilyHandle* c = open_column(db, cf);
  if (!c) return -1;
  rocksdb::Slice lower(gte, gte_len), upper(lt, lt_len);
  rocksdb::ReadOptions r;
  r.iterate_lower_bound = &lower;
  r.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->db->NewIterator(r, c));
  if (reverse) it->SeekToLast();
  else it->SeekToFirst();
  read_rows(it.get(), reverse != 0, limit);
  return it->status().ok() ? 0 : fail(it->status());
} catch (const std::exception& e) {
  return fail(e.what());
}

void* mkv_iter_open(void* handle, uint32_t cf, const char* gte, size_t gte_len, const char* lt, size_t lt_len, int reverse) try {
  Db* db = static_cast<Db*>(handle);
  settle(db, cf);
  std::unique_lock guard(db->lock);
  rocksdb::ColumnFamilyHandle* c = open_column(db, cf);
  if (!c) return nullptr;
  auto iter = std::make_unique<Iter>();
  iter->owner = db;
  iter->gte.assign(gte, gte_len);
  iter->lt.assign(lt, lt_len);
  iter->reverse = reverse != 0;
  iter->lower = rocksdb::Slice(iter->gte);
  iter->upper = rocksdb::Slice(iter->lt);
  rocksdb::ReadOptions r;
  r.iterate_lower_bound = &iter->lower;
  r.iterate_upper_bound = &iter->upper;
  iter->it = db->db->NewIterator(r, c);
  db->refs.fetch_add(1);
  db->iters.insert(iter.get());
  return iter.release();
} catch (const std::exception& e) {
  fail(e.what());
  return nullptr;
}

// Seek to `target` (reversed: the last key before it, or the range's last when it is at or past
// the range's end), then read up to `limit` rows; with no target, read on from where the last
// read stopped. Returns 1 when the range ended, 0 when rows may remain, -1 on error.
int mkv_iter_read(void* handle, const char* target, size_t target_len, uint32_t limit) try {
  Iter* iter = static_cast<Iter*>(handle);
  std::shared_lock guard(iter->owner->lock);
  reset_output();
  if (!iter->it) return fail(CLOSED);
  if (target) {
    rocksdb::Slice t(target, target_len);
    if (!iter->reverse) iter->it->Seek(t);
    else if (t.compare(iter->upper) >= 0) iter->it->SeekToLast();
    else {
      // SeekForPrev lands on `t` itself when present; the rows wanted are below it.
      iter->it->SeekForPrev(t);
      if (iter->it->Valid() && iter->it->key().compare(t) == 0) iter->it->Prev();
    }
  }
  bool ended = read_rows(iter->it, iter->reverse, limit);
  if (!iter->it->status().ok()) return fail(iter->it->status());
  return ended ? 1 : 0;
} catch (const std::exception& e) {
  return fail(e.what());
}

void mkv_iter_close(void* handle) {
  Iter* iter = static_cast<Iter*>(handle);
  Db* db = iter->owner;
  {
    std::unique_lock guard(db->lock);
    if (db->iters.erase(iter)) delete iter->it;
  }
  delete iter;
  mkv_release(db);
}

size_t mkv_open_iterators(void* handle) {
  Db* db = static_cast<Db*>(handle);
  std::shared_lock guard(db->lock);
  return db->iters.size();
}

// Delete [gte, lt) of a column as one range tombstone, in queue order, and wait for it.
int mkv_delete_range(void* handle, uint32_t cf, const char* gte, size_t gte_len, const char* lt, size_t lt_len) try {
  Db* db = static_cast<Db*>(handle);
  std::shared_lock guard(db->lock);
  rocksdb::ColumnFamilyHandle* c = open_column(db, cf);
  if (!c) return -1;
  std::unique_ptr<QueuedWrite> job = db->queue ? db->queue->take() : std::make_unique<QueuedWrite>();
  job->sync = false;
  job->groups.clear();
  job->keys.clear();
  job->clears = cache_of(db, cf);
  job->columns = 1u << cf;
  rocksdb::Status s = job->batch.DeleteRange(c, rocksdb::Slice(gte, gte_len), rocksdb::Slice(lt, lt_len));
  if (s.ok()) s = push_and_wait(db, db->queue ? job.release() : job.get());
  return s.ok() ? 0 : fail(s);
} catch (const std::exception& e) {
  return fail(e.what());
}

// Make every write that returned before this call durable: 0, or -1 with the error (also that of
// a queued write nobody waited for). What is queued lands first; then RocksDB syncs its live WAL
// files, and their directory when one is new, outside its write queue: writes from other threads
// go on meanwhile (lib/storage/wal-sync.ts).
int mkv_sync_wal(void* handle) try {
  Db* db = static_cast<Db*>(handle);
  settle_all(db);
  {
    std::lock_guard guard(db->failure_lock);
    if (!db->failure.empty()) return fail(db->failure);
  }
  std::shared_lock guard(db->lock);
  if (!db->db) return fail(CLOSED);
  rocksdb::Status s = db->db->SyncWAL();
  return s.ok() ? 0 : fail(s);
} catch (const std::exception& e) {
  return fail(e.what());
}

// An integer property into *value: 1, or 0 when RocksDB has none by that name. With
// `all_columns`, summed over the column families (a cache they share counted once); without,
// the default column's, which is the whole database's for DB-wide properties.
int mkv_int_property(void* handle, const char* name, int all_columns, uint64_t* value) try {
  Db* db = static_cast<Db*>(handle);
  settle_all(db);
  std::shared_lock guard(db->lock);
  if (!db->db) return fail(CLOSED);
  rocksdb::Slice property(name);
  return (all_columns ? db->db->GetAggregatedIntProperty(property, value) : db->db->GetIntProperty(property, value)) ? 1 : 0;
} catch (const std::exception& e) {
  return fail(e.what());
}

}  // extern "C"
