// The record cache's protocol (native/src/store/record_cache.h) step by step: each interleaving
// of a reader's miss-read-fill and a writer's note-write-report that threads can produce, run
// in one order here. Built and run by test/unit/record-cache.test.ts.
#include "record_cache.h"

#include <cstdio>
#include <cstdlib>
#include <string>

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
    int kept = 0;
    for (int i = 0; i < 10000; i++) {
      std::string key = "k" + std::to_string(i);
      std::string_view v = "value";
      cache.wrote(key, &v, cache.version(key));
    }
    for (int i = 0; i < 10000; i++) kept += cached(cache, "k" + std::to_string(i)) == "value";
    // Each entry costs at least its 96 bytes of overhead: 64 KiB holds at most ~650.
    expect(kept > 0 && kept <= 64 * 1024 / 96, "the cache keeps within its budget");
  }
  if (failures == 0) std::puts("record cache: all interleavings hold");
  return failures == 0 ? 0 : 1;
}
