// The record cache's protocol (native/src/store/record_cache.h) step by step: each interleaving
// of a reader's miss-read-fill and a writer's note-write-report that threads can produce, run
// in one order here. Built and run by test/unit/native-cc.test.ts.
#include "record_cache.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using marekvs::EntryTable;
using marekvs::RecordCache;

static int failures = 0;

static void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    failures++;
  }
}

using Found = RecordCache::Found;

// One key's lookup as mkv_get_many makes it: its hash from prepare, then get. True on a hit
// (a value or a pinned delete).
static bool lookup(RecordCache& cache, std::string_view key, std::string& out, uint64_t& version) {
  const char* data = key.data();
  size_t len = key.size();
  uint64_t hash;
  cache.prepare(&data, &len, 1, &hash);
  return cache.get(key, hash, out, version) != Found::NO;
}

// The cached value of key (or its head, where `heads` will do), "<deleted>" for a pinned
// delete, or "<miss>".
static std::string cached(RecordCache& cache, const std::string& key, bool heads = false) {
  const char* data = key.data();
  size_t len = key.size();
  uint64_t hash, version;
  cache.prepare(&data, &len, 1, &hash);
  std::string out;
  Found found = cache.get(key, hash, out, version, heads);
  return found == Found::VALUE || found == Found::HEAD ? out : found == Found::TOMBSTONE ? "<deleted>" : "<miss>";
}

// EntryTable::evict_one's `above` for an eviction that never cuts.
static constexpr size_t NO_CUT = SIZE_MAX;

// A record of `size` bytes whose envelope is distinct: flags (a string's), then its bytes.
static std::string record(size_t size, char fill) {
  std::string r(size, fill);
  r[0] = 0x10;
  for (size_t i = 1; i < RecordCache::HEAD_BYTES; i++) r[i] = static_cast<char>('a' + i);
  return r;
}

// The head a read that heads will do gets of `r`: its envelope, flagged.
static std::string head_of(const std::string& r) {
  std::string head = r.substr(0, RecordCache::HEAD_BYTES);
  head[0] = static_cast<char>(head[0] | RecordCache::FLAG_HEAD);
  return head;
}

// One write of `keys` to one shard, as rocks.cc makes it, with its values (nullptr: delete).
struct Write {
  RecordCache& cache;
  std::vector<std::string_view> keys;
  std::vector<std::string_view> values;
  std::vector<const std::string_view*> value_ptrs;
  uint64_t note = 0;

  Write(RecordCache& c, std::vector<std::pair<std::string_view, const char*>> ops) : cache(c) {
    for (auto& [k, v] : ops) {
      keys.push_back(k);
      values.push_back(v ? std::string_view(v) : std::string_view());
    }
    for (size_t i = 0; i < ops.size(); i++) value_ptrs.push_back(ops[i].second ? &values[i] : nullptr);
  }
  size_t shard() const { return RecordCache::shard_index(keys[0]); }
  void begin() { note = cache.begin_write(shard(), keys.data(), keys.size()); }
  void end(bool landed = true) { cache.end_write(shard(), note, landed, keys.data(), value_ptrs.data(), keys.size()); }
  // The same write queued instead: pinned when queued, unpinned when it lands.
  void queue() { cache.pin_write(shard(), keys.data(), value_ptrs.data(), keys.size()); }
  void land(bool landed = true) { cache.unpin_write(shard(), landed, keys.data(), keys.size()); }
};

// A fill of `key` whose only job is to pass the doorkeeper: a key's first fill is only noted.
static void seen(RecordCache& cache, const std::string& key) {
  std::string out;
  uint64_t version;
  if (!lookup(cache, key, out, version)) cache.fill(key, "first", version);
  expect(cached(cache, key) == "<miss>", "a key's first fill is only noted");
}

// A key of the same cache shard as `key`, other than it.
static std::string same_shard(const std::string& key) {
  for (int i = 0;; i++) {
    std::string other = "s" + std::to_string(i);
    if (RecordCache::shard_index(other) == RecordCache::shard_index(key)) return other;
  }
}

int main() {
  const std::string k = "key";
  {
    // A reader misses; a write begins; the reader's fill (old or new, it cannot know) is refused.
    RecordCache cache(1 << 20);
    std::string out;
    uint64_t version;
    expect(!lookup(cache, k, out, version), "an empty cache misses");
    seen(cache, k);
    Write w(cache, {{k, "new"}});
    w.begin();
    cache.fill(k, "old", version);
    expect(cached(cache, k) == "<miss>", "a fill from before a write began is refused");
    w.end();
    expect(cached(cache, k) == "new", "a lone write is cached when it ends");
  }
  {
    // A reader misses while a write is in flight: its fill is refused though the version is the same.
    RecordCache cache(1 << 20);
    seen(cache, k);
    Write w(cache, {{k, "new"}});
    w.begin();
    std::string out;
    uint64_t version;
    lookup(cache, k, out, version);
    cache.fill(k, "old", version);
    expect(cached(cache, k) == "<miss>", "a fill while a write is in flight is refused");
    w.end();
    expect(cached(cache, k) == "new", "the write's value is cached when it ends");
  }
  {
    // With no write, a key's second fill is kept; a write that begins drops it at once.
    RecordCache cache(1 << 20);
    std::string out;
    uint64_t version;
    lookup(cache, k, out, version);
    cache.fill(k, "old", version);
    expect(cached(cache, k) == "<miss>", "a key's first fill is only noted");
    lookup(cache, k, out, version);
    cache.fill(k, "old", version);
    expect(cached(cache, k) == "old", "a second fill with no write since is kept");
    Write w(cache, {{k, "new"}});
    w.begin();
    expect(cached(cache, k) == "<miss>", "a write drops the key before it goes to RocksDB");
    w.end();
  }
  {
    // Two writes in flight in one shard, to one key or two, ending in either order: neither is
    // cached, since the cache cannot know which landed last.
    for (int first = 0; first < 2; first++) {
      for (int same_key = 0; same_key < 2; same_key++) {
        RecordCache cache(1 << 20);
        std::string k2 = same_key ? k : same_shard(k);
        Write a(cache, {{k, "a"}}), b(cache, {{k2, "b"}});
        a.begin();
        b.begin();
        if (first == 0) {
          a.end();
          b.end();
        } else {
          b.end();
          a.end();
        }
        expect(cached(cache, k) == "<miss>" && cached(cache, k2) == "<miss>", "overlapping writes leave their keys uncached");
      }
    }
  }
  {
    // A write that begins and ends while another is in flight, then the other: neither cached.
    RecordCache cache(1 << 20);
    std::string k2 = same_shard(k);
    Write a(cache, {{k, "a"}}), b(cache, {{k2, "b"}});
    a.begin();
    b.begin();
    b.end();
    expect(cached(cache, k2) == "<miss>", "a write that ends while another is in flight is not cached");
    a.end();
    expect(cached(cache, k) == "<miss>", "nor is the other, which overlapped it");
  }
  {
    // One write with a key twice and another key of the shard: the last value of each is cached.
    // A failed write caches nothing; a delete leaves the key uncached.
    RecordCache cache(1 << 20);
    std::string k2 = same_shard(k);
    Write w(cache, {{k, "x"}, {k2, "y"}, {k, "z"}});
    w.begin();
    w.end();
    expect(cached(cache, k) == "z" && cached(cache, k2) == "y", "a batch's last value of each key is cached");
    Write failed(cache, {{k, "q"}});
    failed.begin();
    failed.end(false);
    expect(cached(cache, k) == "<miss>", "a failed write caches nothing");
    Write del(cache, {{k2, nullptr}});
    del.begin();
    del.end();
    expect(cached(cache, k2) == "<miss>", "a delete leaves the key uncached");
  }
  {
    // A range delete drops everything and refuses fills until it ends.
    RecordCache cache(1 << 20);
    Write w(cache, {{k, "v"}});
    w.begin();
    w.end();
    std::string out;
    uint64_t version;
    seen(cache, "other");
    seen(cache, "third");
    lookup(cache, "other", out, version);
    cache.begin_clear();
    expect(cached(cache, k) == "<miss>", "a range delete drops what is cached");
    cache.fill("other", "old", version);
    lookup(cache, "third", out, version);
    cache.fill("third", "old", version);
    cache.end_clear();
    expect(cached(cache, "other") == "<miss>" && cached(cache, "third") == "<miss>", "no fill lands during a range delete");
  }
  {
    // Large values are not cached; the budget holds under many inserts.
    RecordCache cache(64 * 1024);
    std::string big(5000, 'x');
    Write w(cache, {{k, big.c_str()}});
    w.begin();
    w.end();
    expect(cached(cache, k) == "<miss>", "a value over 4 KiB is not cached");
    size_t kept = 0;
    for (int i = 0; i < 10000; i++) {
      std::string key = "k" + std::to_string(i);
      Write v(cache, {{key, "value"}});
      v.begin();
      v.end();
    }
    for (int i = 0; i < 10000; i++) kept += cached(cache, "k" + std::to_string(i)) == "value";
    expect(kept > 0 && kept <= 64 * 1024 / EntryTable::OVERHEAD, "the cache keeps within its budget");
  }
  {
    // The doorkeeper forgets: keys noted once, then a flood of other keys read once each (a
    // random read over far more keys than fit); a noted key's next fill is mostly only noted
    // again, where a doorkeeper that never cleared would admit every one.
    RecordCache cache(64 * 1024);
    const int probes = 200;
    for (int i = 0; i < probes; i++) seen(cache, "probe" + std::to_string(i));
    std::string out;
    uint64_t version;
    for (int i = 0; i < 200000; i++) {
      std::string key = "flood" + std::to_string(i);
      if (!lookup(cache, key, out, version)) cache.fill(key, "v", version);
    }
    int admitted = 0;
    for (int i = 0; i < probes; i++) {
      std::string key = "probe" + std::to_string(i);
      if (!lookup(cache, key, out, version)) cache.fill(key, "v", version);
      admitted += cached(cache, key) == "v";
    }
    expect(admitted < probes / 2, "a doorkeeper clears: keys noted long ago are noted again");
    int kept = 0;
    for (int i = 0; i < probes; i++) {
      std::string key = "probe" + std::to_string(i);
      if (!lookup(cache, key, out, version)) cache.fill(key, "v", version);
      kept += cached(cache, key) == "v";
    }
    expect(kept > probes * 3 / 4, "keys read twice in a row are cached (within the budget)");
  }
  {
    // A batch large enough to be prefetched reads as its keys one by one do: hits, misses (their
    // empty home slots prefetched as null), a key named twice.
    RecordCache cache(1 << 20);
    std::vector<std::string> names;
    for (int i = 0; i < 40; i++) names.push_back("batch" + std::to_string(i));
    for (int i = 0; i < 40; i += 2) {
      Write w(cache, {{names[i], names[i].c_str()}});
      w.begin();
      w.end();
    }
    std::string again = names[2];
    names.push_back(again);
    std::vector<const char*> keys;
    std::vector<size_t> lens;
    for (const std::string& name : names) {
      keys.push_back(name.data());
      lens.push_back(name.size());
    }
    std::vector<uint64_t> hashes(keys.size());
    cache.prepare(keys.data(), lens.data(), keys.size(), hashes.data());
    bool all = true;
    for (size_t i = 0; i < keys.size(); i++) {
      std::string out;
      uint64_t version;
      bool hit = cache.get(names[i], hashes[i], out, version) == Found::VALUE;
      uint64_t hash;
      cache.prepare(&keys[i], &lens[i], 1, &hash);
      all = all && hash == hashes[i] && hit == (i % 2 == 0 || i == 40) && (!hit || out == names[i]);
    }
    expect(all, "a prefetched batch reads every key's cached value, and misses the others");
  }
  {
    // EntryTable against std::unordered_map: random puts, erases and evictions over few keys
    // whose hashes collide in the low bits (long probe runs, so erasing moves entries back),
    // through several growths; after every step each key reads as the reference says.
    std::mt19937_64 rng(42);
    for (int round = 0; round < 20; round++) {
      EntryTable table;
      std::unordered_map<std::string, std::string> reference;
      auto hash_of = [round](const std::string& key) { return std::hash<std::string>{}(key) << (round % 8); };
      for (int step = 0; step < 3000; step++) {
        std::string key = "k" + std::to_string(rng() % 300);
        int op = static_cast<int>(rng() % 10);
        if (op < 6) {
          std::string value(rng() % 40, static_cast<char>('a' + rng() % 26));
          table.put(hash_of(key), key, value);
          reference[key] = value;
        } else if (op < 9) {
          table.erase(hash_of(key), key);
          reference.erase(key);
        } else if (table.size() > 0) {
          size_t before = table.size();
          table.evict_one(NO_CUT, 0);
          for (auto it = reference.begin(); it != reference.end();) {
            std::string_view v;
            it = table.find(hash_of(it->first), it->first, v) == EntryTable::Found::VALUE ? std::next(it) : reference.erase(it);
          }
          expect(table.size() == before - 1, "evict_one drops one entry");
        }
        expect(table.size() == reference.size(), "the table holds as many entries as the reference");
        size_t bytes = 0;
        for (auto& [k, v] : reference) {
          std::string_view got;
          bool found = table.find(hash_of(k), k, got) == EntryTable::Found::VALUE;
          expect(found && got == v, "each key reads its last value");
          bytes += k.size() + v.size() + EntryTable::OVERHEAD;
        }
        expect(table.bytes() == bytes, "the table counts its bytes");
        if (failures > 0) return 1;
      }
    }
  }
  {
    // A queued write's values are read from the cache until it lands and after; its delete reads
    // as deleted until it lands, then misses (RocksDB has it).
    RecordCache cache(1 << 20);
    std::string k2 = same_shard(k);
    Write w(cache, {{k, "queued"}, {k2, nullptr}});
    w.queue();
    expect(cached(cache, k) == "queued" && cached(cache, k2) == "<deleted>", "a queued write's values and deletes are read before it lands");
    w.land();
    expect(cached(cache, k) == "queued" && cached(cache, k2) == "<miss>", "once landed, its values stay and its deletes go");
  }
  {
    // A reader that missed before a write was queued, filling after: refused, landed or not.
    for (int landed = 0; landed < 2; landed++) {
      RecordCache cache(1 << 20);
      seen(cache, k);
      std::string out;
      uint64_t version;
      expect(!lookup(cache, k, out, version), "a miss");
      Write w(cache, {{k, "new"}});
      w.queue();
      if (landed) w.land();
      cache.fill(k, "old", version);
      expect(cached(cache, k) == "new", "a fill read before a write was queued never replaces its value");
    }
  }
  {
    // Two queued writes of one key: the later one's value is read throughout, and stays pinned
    // until it lands too.
    RecordCache cache(64 * 1024);
    Write a(cache, {{k, "a"}}), b(cache, {{k, "b"}});
    a.queue();
    b.queue();
    expect(cached(cache, k) == "b", "the last queued value is read");
    a.land();
    expect(cached(cache, k) == "b", "the earlier write's landing leaves the later value");
    for (int i = 0; i < 5000; i++) {
      std::string key = "p" + std::to_string(i);
      Write v(cache, {{key, "value"}});
      v.begin();
      v.end();
    }
    expect(cached(cache, k) == "b", "a pinned value is not evicted");
    b.land();
    for (int i = 5000; i < 10000; i++) {
      std::string key = "p" + std::to_string(i);
      Write v(cache, {{key, "value"}});
      v.begin();
      v.end();
    }
    expect(cached(cache, k) == "<miss>", "once landed it is evictable again");
  }
  {
    // A write that waits for its landing, applied while a later queued write has pinned its key:
    // the later value stays (it is newer), the waited write's other keys follow the protocol.
    RecordCache cache(1 << 20);
    std::string k2 = same_shard(k);
    Write waited(cache, {{k, "older"}, {k2, "other"}});
    Write later(cache, {{k, "newer"}});
    later.queue();
    waited.begin();
    expect(cached(cache, k) == "newer", "a write in flight leaves a later queued value");
    waited.end();
    expect(cached(cache, k) == "newer", "and its landing does not replace it");
    later.land();
    expect(cached(cache, k) == "newer", "the later value stays once it lands");
  }
  {
    // A failed queued write drops its keys; a range delete keeps what later writes pinned.
    RecordCache cache(1 << 20);
    Write failed(cache, {{k, "lost"}});
    failed.queue();
    failed.land(false);
    expect(cached(cache, k) == "<miss>", "a failed queued write leaves its keys to RocksDB");
    Write done(cache, {{"done", "v"}});
    done.begin();
    done.end();
    Write pinned(cache, {{k, "pinned"}});
    pinned.queue();
    cache.begin_clear();
    expect(cached(cache, "done") == "<miss>" && cached(cache, k) == "pinned", "a range delete drops all but pinned values");
    cache.end_clear();
    expect(cached(cache, k) == "pinned", "which outlive it");
    pinned.land();
  }
  {
    // Heads: a large record, once its write landed, is a miss for a read that needs its value
    // and its flagged envelope for one that a head will do; a small one stays whole.
    RecordCache cache(1 << 20);
    std::string big = record(RecordCache::HEAD_ABOVE + 1, 'b');
    std::string small = record(RecordCache::HEAD_ABOVE, 's');
    std::string k2 = same_shard(k);
    Write queued(cache, {{k, big.c_str()}, {k2, small.c_str()}});
    queued.queue();
    expect(cached(cache, k) == big, "a queued large record is pinned whole");
    queued.land();
    expect(cached(cache, k) == "<miss>", "landed, a large record is a miss for a read that needs it");
    expect(cached(cache, k, true) == head_of(big), "and its flagged head for a read that a head will do");
    expect(cached(cache, k2) == small, "a record of HEAD_ABOVE bytes stays whole");
    // A write that waits for its landing leaves a head too.
    std::string bigger = record(2 * RecordCache::HEAD_ABOVE, 'c');
    Write waited(cache, {{k2, bigger.c_str()}});
    waited.begin();
    waited.end();
    expect(cached(cache, k2) == "<miss>" && cached(cache, k2, true) == head_of(bigger), "a landed waiting write of a large record leaves its head");
    // A read of a head's whole record fills it whole (on its second sight).
    std::string out;
    uint64_t version;
    for (int i = 0; i < 2; i++) {
      expect(!lookup(cache, k2, out, version), "a head is a miss for a read that needs the value");
      cache.fill(k2, bigger, version);
    }
    expect(cached(cache, k2) == bigger, "a record read whole replaces its head");
    // Records too large to cache whole are filled as heads.
    std::string huge = record(4 * 4096, 'h');
    for (int i = 0; i < 2; i++) {
      lookup(cache, "huge", out, version);
      cache.fill("huge", huge, version);
    }
    expect(cached(cache, "huge") == "<miss>" && cached(cache, "huge", true) == head_of(huge), "a record too large to cache whole is filled as its head");
  }
  {
    // Over budget, eviction cuts large records to their heads before it drops anything.
    RecordCache cache(RecordCache::SHARDS * 4096);
    std::vector<std::string> keys = {k, same_shard(k)};
    for (int i = 0; keys.size() < 4; i++) {
      std::string other = "t" + std::to_string(i);
      if (RecordCache::shard_index(other) == RecordCache::shard_index(k)) keys.push_back(other);
    }
    std::string big = record(1500, 'e');
    for (const std::string& key : keys) {
      std::string out;
      uint64_t version;
      for (int i = 0; i < 2; i++) {
        lookup(cache, key, out, version);
        cache.fill(key, big, version);
      }
    }
    int heads = 0;
    for (const std::string& key : keys) {
      std::string got = cached(cache, key, true);
      expect(got == big || got == head_of(big), "no record is dropped while another can be cut");
      heads += got == head_of(big);
    }
    expect(heads >= 2, "four 1.5 KB records in a 4 KiB shard: at least two are heads");
  }
  {
    // EntryTable: eviction passes over pinned entries, and says when all are.
    EntryTable table;
    std::string_view v = "v";
    table.pin(1, "a", &v);
    table.pin(2, "b", nullptr);
    expect(!table.evict_one(NO_CUT, 0) && table.size() == 2, "nothing pinned is evicted");
    table.put(3, "c", v);
    expect(table.evict_one(NO_CUT, 0) && table.size() == 2 && !table.pinned(3, "c"), "an unpinned entry is");
    table.unpin(2, "b");
    std::string_view got;
    expect(table.find(2, "b", got) == EntryTable::Found::NO, "a tombstone goes with its last pin");
    table.unpin(1, "a");
    expect(table.find(1, "a", got) == EntryTable::Found::VALUE && got == "v" && table.evict_one(NO_CUT, 0), "a value stays unpinned, evictable");
    // A value of the entry's size replaces it in place: the new value, pins and tombstone flag,
    // the same bytes counted.
    table.put(4, "d", "old");
    size_t bytes = table.bytes();
    std::string_view same = "new";
    table.pin(4, "d", &same);
    expect(table.find(4, "d", got) == EntryTable::Found::VALUE && got == "new" && table.pinned(4, "d") && table.bytes() == bytes, "a same-size value is written in place, pinned");
    table.put(5, "e", "");
    table.pin(5, "e", nullptr);
    expect(table.find(5, "e", got) == EntryTable::Found::TOMBSTONE, "an empty value's entry becomes a pinned tombstone");
    table.unpin(5, "e");
    expect(table.find(5, "e", got) == EntryTable::Found::NO, "which goes with its pin");
  }
  if (failures == 0) std::puts("record cache: all interleavings hold");
  return failures == 0 ? 0 : 1;
}
