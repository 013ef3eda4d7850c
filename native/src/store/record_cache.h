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
#include <unordered_map>

namespace marekvs {

class RecordCache {
 public:
  explicit RecordCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / SHARDS) {}

  // The shard version to pass to `fill` or `wrote` later.
  uint64_t version(std::string_view key) {
    Shard& s = shard(key);
    std::lock_guard guard(s.lock);
    return s.version;
  }

  // Append key's cached value to `out` and return true, or return false and set `version`.
  bool get(std::string_view key, std::string& out, uint64_t& version) {
    Shard& s = shard(key);
    std::lock_guard guard(s.lock);
    auto it = s.map.find(lookup(key));
    if (it == s.map.end()) {
      version = s.version;
      return false;
    }
    out.append(it->second);
    return true;
  }

  // Cache a value read from RocksDB, unless a write to the shard landed since `version`.
  void fill(std::string_view key, std::string_view value, uint64_t version) {
    if (!cacheable(value)) return;
    Shard& s = shard(key);
    std::lock_guard guard(s.lock);
    if (s.version == version) put(s, key, value);
  }

  // After a write of key landed in RocksDB: cache the value written (nullptr: deleted), if no
  // other write to the shard landed since `version`, besides the `own` reports of the same
  // batch made since (a batch reports its keys in its order, so the last write of a key wins,
  // as in RocksDB); otherwise drop the key.
  void wrote(std::string_view key, const std::string_view* value, uint64_t version, uint64_t own = 0) {
    Shard& s = shard(key);
    std::lock_guard guard(s.lock);
    bool alone = s.version++ == version + own;
    if (alone && value && cacheable(*value)) put(s, key, *value);
    else erase(s, key);
  }

  // After a write that failed: RocksDB applied none of it, but drop the key anyway.
  void drop(std::string_view key) {
    Shard& s = shard(key);
    std::lock_guard guard(s.lock);
    ++s.version;
    erase(s, key);
  }

  static constexpr size_t SHARDS = 64;

  size_t shard_index(std::string_view key) const { return std::hash<std::string_view>{}(key) % SHARDS; }

  void clear() {
    for (Shard& s : shards_) {
      std::lock_guard guard(s.lock);
      ++s.version;
      s.map.clear();
      s.bytes = 0;
    }
  }

 private:
  // Values above this stay in RocksDB only: a few would crowd out many small records.
  static constexpr size_t MAX_VALUE = 4096;
  // What an entry costs besides its bytes: the node, two strings, the bucket.
  static constexpr size_t ENTRY_OVERHEAD = 96;

  struct Shard {
    std::mutex lock;
    std::unordered_map<std::string, std::string> map;
    uint64_t version = 0;
    size_t bytes = 0;
  };

  static bool cacheable(std::string_view value) { return value.size() <= MAX_VALUE; }

  static size_t cost(std::string_view key, std::string_view value) { return key.size() + value.size() + ENTRY_OVERHEAD; }

  Shard& shard(std::string_view key) { return shards_[shard_index(key)]; }

  // The key as a std::string without an allocation per lookup (this thread's buffer).
  static const std::string& lookup(std::string_view key) {
    thread_local std::string buffer;
    buffer.assign(key);
    return buffer;
  }

  void put(Shard& s, std::string_view key, std::string_view value) {
    auto [it, inserted] = s.map.try_emplace(lookup(key));
    if (!inserted) s.bytes -= cost(key, it->second);
    it->second.assign(value);
    s.bytes += cost(key, value);
    // Over budget: drop entries from the front of the table, which hashing makes arbitrary ones.
    while (s.bytes > shard_capacity_ && !s.map.empty()) {
      auto victim = s.map.begin();
      s.bytes -= cost(victim->first, victim->second);
      s.map.erase(victim);
    }
  }

  void erase(Shard& s, std::string_view key) {
    auto it = s.map.find(lookup(key));
    if (it == s.map.end()) return;
    s.bytes -= cost(it->first, it->second);
    s.map.erase(it);
  }

  const size_t shard_capacity_;
  Shard shards_[SHARDS];
};

}  // namespace marekvs
