// A cache of the newest value of keys of one column family, in front of RocksDB's memtable,
// whose point lookup is a skiplist search: ~17 dependent cache misses at 100k keys, the largest
// single cost of a read (docs/performance.md, eighth round). Every write and read of the column
// goes through rocks.cc, in this process, so the cache can stay exact: whatever it holds is what
// RocksDB holds, at every instant a reader can look.
//
// The protocol, per shard (a version, and a count of writes in flight):
// - A write announces itself before it goes to RocksDB (`begin_write`): the shard's version
//   moves, its keys leave the cache, and it is in flight. While it is, readers of its keys miss
//   and read RocksDB, which is consistent by itself.
// - When it has landed (`end_write`), its values are cached only if it was the shard's only
//   write in flight and none began meanwhile; otherwise its keys are dropped. Either way the
//   version moves again.
// - A reader that missed notes the version, reads RocksDB, and caches what it read only if the
//   version has not moved and no write is in flight (`fill`): then no write can have landed
//   between its read and its fill, and any write that lands later drops the key first.
//
// A queued write (rocks.cc's write queue: most writes return before RocksDB has them) pins its
// values instead (`pin_write`): each key's newest queued value, or a tombstone for a delete, is
// in the cache, unevictable, from before the write returns until it has landed (`unpin_write`).
// A reader finds it there and never reads RocksDB for a key with a write still queued; the
// version moves, so a fill read before the pin is refused. A write that waits for its own
// landing (a synced one, or one with a value too large to pin) takes the protocol above on the
// queue's thread, and leaves keys pinned by writes queued after it alone: those are newer.
//
// Admission: a value read from RocksDB is cached on its key's second fill, not its first (a
// doorkeeper, as in TinyLFU). Random reads over many more keys than fit (larger than memory)
// would otherwise replace an entry on every read, a malloc and a free each, for hits that
// never come. Writes are cached as before: a key just written is likely read next.
//
// Heads: of a record over HEAD_ABOVE bytes, a landed write leaves only its head (its 19-byte
// envelope, DESIGN.md §5) in the cache, and so does eviction before it drops the record. A SET
// needs no more of the record it replaces (its type, its clock, its expiry), and a 1 KiB value
// cost its read a RocksDB block each time: 100k such keys fill the cache as records, ~8 MB as
// heads (docs/performance.md, twenty-fifth round). A read says whether a head will do: the
// head then comes back with FLAG_HEAD set in its flags byte; a read that needs the value misses.
// Records read from RocksDB are still cached whole up to MAX_VALUE, for reads of hot values.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "entry_table.h"

namespace marekvs {

// One bit per hash slot for keys seen once; cleared whenever a quarter of the bits have been
// set, so it forgets keys not seen again for a while (false positives stay under 25 %).
class Doorkeeper {
 public:
  Doorkeeper() = default;
  // Bits: a power of two, at least 512.
  explicit Doorkeeper(size_t bits) : words_(bits / 64), shift_(64 - log2(bits)), limit_(bits / 4) {}

  // Whether h was noted since the last clearing; notes it if not.
  bool seen_before(uint64_t h) {
    size_t i = static_cast<size_t>((h * 0x9E3779B97F4A7C15ull) >> shift_);
    uint64_t bit = 1ull << (i % 64);
    uint64_t& word = words_[i / 64];
    if (word & bit) return true;
    word |= bit;
    if (++noted_ > limit_) {
      std::fill(words_.begin(), words_.end(), 0);
      noted_ = 0;
    }
    return false;
  }

 private:
  static unsigned log2(size_t n) {
    unsigned b = 0;
    while ((size_t{1} << b) < n) b++;
    return b;
  }

  std::vector<uint64_t> words_;
  unsigned shift_ = 0;
  size_t limit_ = 0;
  size_t noted_ = 0;
};

class RecordCache {
 public:
  explicit RecordCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / SHARDS) {
    for (Shard& s : shards_) s.doorkeeper = Doorkeeper(doorkeeper_bits(shard_capacity_));
  }

  // Hashes of keys[0..count) (key_lens[i] bytes each) into `hashes`, for `get`. For a batch of
  // more than a few keys, what looking them up reads first is loaded for all of them, then what
  // it reads next: a hit is two dependent cache misses (a slot, then its entry), which lookups
  // one after another paid in turn. That takes each key's shard lock twice more, which a batch
  // of one or two keys does not win back (bench/tools/store-read.js: 32 random keys of 100k,
  // 20.0 against 18.3 µs a call; 2 keys lost ~50 ns).
  void prepare(const char* const* keys, const size_t* key_lens, size_t count, uint64_t* hashes) {
    for (size_t i = 0; i < count; i++) hashes[i] = hash(std::string_view(keys[i], key_lens[i]));
    if (count < PREFETCH_MIN_KEYS) return;
    for (size_t i = 0; i < count; i++) {
      Shard& s = shards_[hashes[i] >> SHARD_SHIFT];
      std::lock_guard guard(s.lock);
      s.table.prefetch_slot(hashes[i]);
    }
    for (size_t i = 0; i < count; i++) {
      Shard& s = shards_[hashes[i] >> SHARD_SHIFT];
      std::lock_guard guard(s.lock);
      s.table.prefetch_entry(hashes[i]);
    }
  }

  using Found = EntryTable::Found;

  // VALUE: key's cached value is appended to `out`; HEAD (only when `heads` will do): its head,
  // flagged FLAG_HEAD; TOMBSTONE: key's queued delete is pinned (it has no value); NO: a miss,
  // with `version` set for `fill`. `h`: the key's hash, as `prepare` gave it.
  Found get(std::string_view key, uint64_t h, std::string& out, uint64_t& version, bool heads = false) {
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    std::string_view value;
    Found found = s.table.find(h, key, value);
    if (found == Found::HEAD && !heads) found = Found::NO;
    if (found == Found::NO) {
      version = s.version;
    } else if (found != Found::TOMBSTONE) {
      size_t at = out.size();
      out.append(value);
      if (found == Found::HEAD) out[at] = static_cast<char>(out[at] | FLAG_HEAD);
    }
    return found;
  }

  // Cache a value read from RocksDB after `get` missed with `version`, unless a write began since
  // or is still in flight: whole, or its head when larger than MAX_VALUE.
  void fill(std::string_view key, std::string_view value, uint64_t version) {
    bool whole = cacheable(value);
    uint64_t h = hash(key);
    Shard& s = shards_[h >> SHARD_SHIFT];
    std::lock_guard guard(s.lock);
    if (s.version == version && s.in_flight == 0 && s.doorkeeper.seen_before(h)) put(s, h, key, whole ? value : value.substr(0, HEAD_BYTES), !whole);
  }

  // Before a write of `keys` (all of shard `shard`) goes to RocksDB. Returns the note for `end_write`.
  uint64_t begin_write(size_t shard, const std::string_view* keys, size_t count) {
    Shard& s = shards_[shard];
    std::lock_guard guard(s.lock);
    s.in_flight++;
    for (size_t i = 0; i < count; i++) {
      uint64_t h = hash(keys[i]);
      if (!s.table.pinned(h, keys[i])) s.table.erase(h, keys[i]);
    }
    return ++s.version;
  }

  // After that write returned: `landed` when RocksDB applied it. values[i] is keys[i]'s value
  // (nullptr: deleted); a key written twice takes its last value, as in RocksDB.
  void end_write(size_t shard, uint64_t note, bool landed, const std::string_view* keys, const std::string_view* const* values, size_t count) {
    Shard& s = shards_[shard];
    std::lock_guard guard(s.lock);
    s.in_flight--;
    bool alone = landed && s.version == note && s.in_flight == 0;
    s.version++;
    for (size_t i = 0; i < count; i++) {
      uint64_t h = hash(keys[i]);
      if (s.table.pinned(h, keys[i])) continue;
      if (!alone || !values[i]) s.table.erase(h, keys[i]);
      else if (values[i]->size() > HEAD_ABOVE) put(s, h, keys[i], values[i]->substr(0, HEAD_BYTES), true);
      else put(s, h, keys[i], *values[i]);
    }
  }

  // Whether a queued write of this value can pin it.
  static bool cacheable(std::string_view value) { return value.size() <= MAX_VALUE; }

  // When a write of `keys` (all of shard `shard`) is queued: each key's value (nullptr: a
  // delete; cacheable, or the write waits for its landing instead) pinned, in batch order.
  void pin_write(size_t shard, const std::string_view* keys, const std::string_view* const* values, size_t count) {
    Shard& s = shards_[shard];
    std::lock_guard guard(s.lock);
    s.version++;
    for (size_t i = 0; i < count; i++) s.table.pin(hash(keys[i]), keys[i], values[i]);
    while (s.table.bytes() > shard_capacity_ && s.table.evict_one(HEAD_ABOVE, HEAD_BYTES)) {
    }
  }

  // When that write returned from RocksDB: `landed` when it applied it. If not, its keys are
  // dropped, pinned or not: RocksDB holds the truth.
  void unpin_write(size_t shard, bool landed, const std::string_view* keys, size_t count) {
    Shard& s = shards_[shard];
    std::lock_guard guard(s.lock);
    if (!landed) s.version++;
    for (size_t i = 0; i < count; i++) {
      uint64_t h = hash(keys[i]);
      if (landed) {
        s.table.unpin(h, keys[i]);
        s.table.cut(h, keys[i], HEAD_ABOVE, HEAD_BYTES);
      } else {
        s.table.erase(h, keys[i]);
      }
    }
  }

  // Around a write no key list describes (a range delete): every shard as in begin_write and
  // end_write, with nothing cached afterwards but what later queued writes pinned.
  void begin_clear() {
    for (Shard& s : shards_) {
      std::lock_guard guard(s.lock);
      s.in_flight++;
      s.version++;
      s.table.clear_unpinned();
    }
  }

  void end_clear() {
    for (Shard& s : shards_) {
      std::lock_guard guard(s.lock);
      s.in_flight--;
      s.version++;
      s.table.clear_unpinned();
    }
  }

  static constexpr size_t SHARDS = 64;
  // A head: a meta record's envelope (lib/storage/envelope.ts), of records over HEAD_ABOVE bytes.
  static constexpr size_t HEAD_BYTES = 19;
  static constexpr size_t HEAD_ABOVE = 512;
  // Set in a head's flags byte as `get` returns it (lib/storage/layout.ts FLAG_HEAD); never stored.
  static constexpr uint8_t FLAG_HEAD = 0x08;

  // Shards by the hash's top bits; a shard's table probes by its low bits.
  static size_t shard_index(std::string_view key) { return hash(key) >> SHARD_SHIFT; }

 private:
  static constexpr unsigned SHARD_SHIFT = 58;  // 64 shards
  static constexpr size_t PREFETCH_MIN_KEYS = 4;
  // Values above this stay in RocksDB only: a few would crowd out many small records.
  static constexpr size_t MAX_VALUE = 4096;

  struct Shard {
    std::mutex lock;
    EntryTable table;
    uint64_t version = 0;
    uint32_t in_flight = 0;
    Doorkeeper doorkeeper;
  };

  // Four bits per entry the shard can hold at the smallest (OVERHEAD bytes and a short key and
  // value): 16 MiB of cache, 2 KiB of bits per shard.
  static size_t doorkeeper_bits(size_t shard_capacity) {
    size_t bits = 512;
    while (bits < shard_capacity / 64 * 4) bits *= 2;
    return bits;
  }

  static uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  void put(Shard& s, uint64_t h, std::string_view key, std::string_view value, bool head = false) {
    s.table.put(h, key, value, head);
    // Over budget: cut or drop entries, arbitrary unpinned ones (EntryTable::evict_one).
    while (s.table.bytes() > shard_capacity_ && s.table.evict_one(HEAD_ABOVE, HEAD_BYTES)) {
    }
  }

  const size_t shard_capacity_;
  Shard shards_[SHARDS];
};

}  // namespace marekvs
