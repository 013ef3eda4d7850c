// A cache of the newest value of keys of one column family, in front of RocksDB's memtable,
// whose point lookup is a skiplist search: ~17 dependent cache misses at 100k keys, the largest
// single cost of a read (docs/performance.md, eighth round). Every write and read of the column
// goes through rocks.cc, in this process, so the cache can stay exact:
//
// Each shard has a version, bumped under its lock after every write to one of its keys lands in
// RocksDB. A reader notes the version before it reads RocksDB and caches what it read only if
// the version has not moved since; a writer notes it before its write and caches the value it
// wrote only if no other write moved it meanwhile, and otherwise drops the key. A value read or
// written before a write that landed later can therefore never be left in the cache: that
// write's bump comes after it, and either rejects the fill or drops the key. A batch that
// writes several keys of one shard counts its own bumps (`wrote`'s `own`), which are no race.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "entry_table.h"

namespace marekvs {

class RecordCache {
 public:
  explicit RecordCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / SHARDS) {}

  // The shard version to pass to `fill` or `wrote` later.
  uint64_t version(std::string_view key) {
    Shard& s = shards_[shard_index(key)];
    std::lock_guard guard(s.lock);
    return s.version;
  }

  // Append key's cached value to `out` and return true, or return false and set `version`.
  bool get(std::string_view key, std::string& out, uint64_t& version) {
    uint64_t h = hash(key);
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    std::string_view value;
    if (!s.table.find(h, key, value)) {
      version = s.version;
      return false;
    }
    out.append(value);
    return true;
  }

  // Cache a value read from RocksDB, unless a write to the shard landed since `version`.
  void fill(std::string_view key, std::string_view value, uint64_t version) {
    if (!cacheable(value)) return;
    uint64_t h = hash(key);
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    if (s.version == version) put(s, h, key, value);
  }

  // After a write of key landed in RocksDB: cache the value written (nullptr: deleted), if no
  // other write to the shard landed since `version`, besides the `own` reports of the same
  // batch made since (a batch reports its keys in its order, so the last write of a key wins,
  // as in RocksDB); otherwise drop the key.
  void wrote(std::string_view key, const std::string_view* value, uint64_t version, uint64_t own = 0) {
    uint64_t h = hash(key);
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    bool alone = s.version++ == version + own;
    if (alone && value && cacheable(*value)) put(s, h, key, *value);
    else s.table.erase(h, key);
  }

  // After a write that failed: RocksDB applied none of it, but drop the key anyway.
  void drop(std::string_view key) {
    uint64_t h = hash(key);
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    ++s.version;
    s.table.erase(h, key);
  }

  static constexpr size_t SHARDS = 64;

  // Shards by the hash's top bits; a shard's table probes by its low bits.
  static size_t shard_index(std::string_view key) { return hash(key) >> SHARD_SHIFT; }

  void clear() {
    for (Shard& s : shards_) {
      std::lock_guard guard(s.lock);
      ++s.version;
      s.table.clear();
    }
  }

 private:
  static constexpr unsigned SHARD_SHIFT = 58;  // 64 shards
  // Values above this stay in RocksDB only: a few would crowd out many small records.
  static constexpr size_t MAX_VALUE = 4096;

  struct Shard {
    std::mutex lock;
    EntryTable table;
    uint64_t version = 0;
  };

  static uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  static bool cacheable(std::string_view value) { return value.size() <= MAX_VALUE; }

  void put(Shard& s, uint64_t h, std::string_view key, std::string_view value) {
    s.table.put(h, key, value);
    // Over budget: drop entries, arbitrary ones (EntryTable::evict_one).
    while (s.table.bytes() > shard_capacity_ && s.table.size() > 0) s.table.evict_one();
  }

  const size_t shard_capacity_;
  Shard shards_[SHARDS];
};

}  // namespace marekvs
