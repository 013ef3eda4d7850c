// The record cache's protocol (native/src/store/record_cache.h) step by step: each interleaving
// of a reader's miss-read-fill and a writer's note-write-report that threads can produce, run
// in one order here. Built and run by test/unit/record-cache.test.ts.
#include "record_cache.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <unordered_map>

using marekvs::EntryTable;
using marekvs::RecordCache;

static int failures = 0;

static void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    failures++;
  }
}

// The cached value of key, or "<miss>".
static std::string cached(RecordCache& cache, const std::string& key) {
  std::string out;
  uint64_t version;
  return cache.get(key, out, version) ? out : "<miss>";
}

int main() {
  const std::string k = "key", old_value = "old", new_value = "new";
  {
    // A reader misses and reads the old value; a write lands and is reported; then the fill.
    RecordCache cache(1 << 20);
    std::string out;
    uint64_t read_version;
    expect(!cache.get(k, out, read_version), "an empty cache misses");
    uint64_t write_version = cache.version(k);
    std::string_view written = new_value;
    cache.wrote(k, &written, write_version);
    cache.fill(k, old_value, read_version);
    expect(cached(cache, k) == new_value, "a fill from before a write is refused");
  }
  {
    // The reader read the old value before a write landed, and fills before the write is reported.
    RecordCache cache(1 << 20);
    std::string out;
    uint64_t read_version;
    cache.get(k, out, read_version);
    uint64_t write_version = cache.version(k);
    cache.fill(k, old_value, read_version);
    expect(cached(cache, k) == old_value, "a fill with no write since is kept");
    std::string_view written = new_value;
    cache.wrote(k, &written, write_version);
    expect(cached(cache, k) == new_value, "the write's report replaces the filled value");
  }
  {
    // Two writers note the same version; their writes land in some order, their reports in
    // either: the cache must not keep either value, since it cannot know which landed last.
    for (int first = 0; first < 2; first++) {
      RecordCache cache(1 << 20);
      uint64_t v1 = cache.version(k), v2 = cache.version(k);
      std::string_view a = "a", b = "b";
      if (first == 0) {
        cache.wrote(k, &a, v1);
        cache.wrote(k, &b, v2);
      } else {
        cache.wrote(k, &b, v2);
        cache.wrote(k, &a, v1);
      }
      expect(cached(cache, k) == "<miss>", "racing writers leave the key uncached");
    }
  }
  {
    // One batch writes two keys of one shard, and one of them twice: its own bumps are no race,
    // so both keys are cached, the twice-written one with its last value.
    RecordCache cache(1 << 20);
    std::string a = "a", b;
    for (int i = 0; b.empty() || cache.shard_index(b) != cache.shard_index(a); i++) b = "b" + std::to_string(i);
    uint64_t va1 = cache.version(a), vb = cache.version(b), va2 = cache.version(a);
    std::string_view x = "x", y = "y", z = "z";
    cache.wrote(a, &x, va1, 0);
    cache.wrote(b, &y, vb, 1);
    cache.wrote(a, &z, va2, 2);
    expect(cached(cache, a) == "z" && cached(cache, b) == "y", "a batch's own writes to one shard are cached");
    // The same batch, with another writer's report between its note and its reports: dropped.
    std::string other;
    for (int i = 0; other.empty() || cache.shard_index(other) != cache.shard_index(a); i++) other = "o" + std::to_string(i);
    uint64_t w1 = cache.version(a), w2 = cache.version(b);
    cache.wrote(other, &x, cache.version(other));
    cache.wrote(a, &x, w1, 0);
    cache.wrote(b, &y, w2, 1);
    expect(cached(cache, a) == "<miss>" && cached(cache, b) == "<miss>", "another writer's report drops a batch's keys");
  }
  {
    // A writer alone caches what it wrote; a delete drops it; a failed write drops it.
    RecordCache cache(1 << 20);
    std::string_view v = new_value;
    cache.wrote(k, &v, cache.version(k));
    expect(cached(cache, k) == new_value, "a lone write is cached");
    cache.wrote(k, nullptr, cache.version(k));
    expect(cached(cache, k) == "<miss>", "a delete drops the key");
    cache.wrote(k, &v, cache.version(k));
    cache.drop(k);
    expect(cached(cache, k) == "<miss>", "a failed write drops the key");
  }
  {
    // A range delete (clear) refuses fills begun before it.
    RecordCache cache(1 << 20);
    std::string out;
    uint64_t read_version;
    cache.get(k, out, read_version);
    cache.clear();
    cache.fill(k, old_value, read_version);
    expect(cached(cache, k) == "<miss>", "a fill from before a clear is refused");
  }
  {
    // Large values are not cached; the budget holds under many inserts.
    RecordCache cache(64 * 1024);
    std::string big(5000, 'x');
    std::string_view b = big;
    cache.wrote(k, &b, cache.version(k));
    expect(cached(cache, k) == "<miss>", "a value over 4 KiB is not cached");
    size_t kept = 0;
    for (int i = 0; i < 10000; i++) {
      std::string key = "k" + std::to_string(i);
      std::string_view v = "value";
      cache.wrote(key, &v, cache.version(key));
    }
    for (int i = 0; i < 10000; i++) kept += cached(cache, "k" + std::to_string(i)) == "value";
    expect(kept > 0 && kept <= 64 * 1024 / EntryTable::OVERHEAD, "the cache keeps within its budget");
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
          table.evict_one();
          for (auto it = reference.begin(); it != reference.end();) {
            std::string_view v;
            it = table.find(hash_of(it->first), it->first, v) ? std::next(it) : reference.erase(it);
          }
          expect(table.size() == before - 1, "evict_one drops one entry");
        }
        expect(table.size() == reference.size(), "the table holds as many entries as the reference");
        size_t bytes = 0;
        for (auto& [k, v] : reference) {
          std::string_view got;
          bool found = table.find(hash_of(k), k, got);
          expect(found && got == v, "each key reads its last value");
          bytes += k.size() + v.size() + EntryTable::OVERHEAD;
        }
        expect(table.bytes() == bytes, "the table counts its bytes");
        if (failures > 0) return 1;
      }
    }
  }
  if (failures == 0) std::puts("record cache: all interleavings hold");
  return failures == 0 ? 0 : 1;
}
