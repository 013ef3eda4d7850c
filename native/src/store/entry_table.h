// One record cache shard's table (record_cache.h): key → value, each entry one allocation
// holding both, found by open addressing (linear probing on the key's hash, kept beside the
// entry's pointer). A hit costs a slot and an entry, two cache lines where std::unordered_map
// with string keys and values cost four or five (docs/performance.md, eighth round).
// An entry may be pinned: a queued write's value (or its delete, a tombstone), which stays until
// the write lands (rocks.cc's write queue). An unpinned value may be cut to its head, its first
// bytes only (record_cache.h: a large record's envelope). Not thread-safe: the shard's lock
// guards it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

namespace marekvs {

class EntryTable {
 public:
  EntryTable() : slots_(MIN_SLOTS) {}
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;
  ~EntryTable() { clear(); }

  // What an entry costs besides its key and value: a slot at 3/4 load (21 bytes), its header
  // (12), malloc's own (~16).
  static constexpr size_t OVERHEAD = 48;

  size_t size() const { return count_; }

  enum class Found { NO, VALUE, HEAD, TOMBSTONE };

  // Whether key (hash: its hash) is here, and as what; for VALUE and HEAD, `value` views it (the
  // whole value, or its head) until the next change.
  Found find(uint64_t hash, std::string_view key, std::string_view& value) const {
    size_t i = index_of(hash, key);
    if (i == NONE) return Found::NO;
    const Entry* e = slots_[i].entry;
    if (e->tombstone) return Found::TOMBSTONE;
    value = value_of(e);
    return e->head ? Found::HEAD : Found::VALUE;
  }

  // Whether key is here pinned.
  bool pinned(uint64_t hash, std::string_view key) const {
    size_t i = index_of(hash, key);
    return i != NONE && slots_[i].entry->pins > 0;
  }

  // Start loading what a find of `hash` reads first: its home slot.
  void prefetch_slot(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask()]); }

  // Start loading what it reads next: the entry the home slot points to (a prefetch of null, for
  // an empty slot, loads nothing and never faults).
  void prefetch_entry(uint64_t hash) const { __builtin_prefetch(slots_[hash & mask()].entry); }

  // `head`: value is only the first bytes of the key's value.
  void put(uint64_t hash, std::string_view key, std::string_view value, bool head = false) { store(index_of(hash, key), hash, key, &value, 0, head); }

  // Put a queued write's value (nullptr: its delete), pinned once more than the entry it replaces.
  void pin(uint64_t hash, std::string_view key, const std::string_view* value) {
    size_t i = index_of(hash, key);
    store(i, hash, key, value, i == NONE ? 1 : slots_[i].entry->pins + 1);
  }

  // The write that pinned key's entry landed: one pin fewer. A tombstone goes with its last pin
  // (RocksDB has the delete now); a value stays, unpinned.
  void unpin(uint64_t hash, std::string_view key) {
    size_t i = index_of(hash, key);
    if (i == NONE || slots_[i].entry->pins == 0) return;
    Entry* e = slots_[i].entry;
    if (--e->pins == 0 && e->tombstone) remove(i);
  }

  void erase(uint64_t hash, std::string_view key) {
    size_t i = index_of(hash, key);
    if (i != NONE) remove(i);
  }

  // Key's value, if here unpinned and longer than `above` bytes, becomes its first `head_bytes`.
  void cut(uint64_t hash, std::string_view key, size_t above, size_t head_bytes) {
    size_t i = index_of(hash, key);
    if (i != NONE && cuttable(slots_[i].entry, above)) cut_at(i, head_bytes);
  }

  // Free room from one unpinned entry, the next one after the last (a clock hand without
  // reference bits: which entry that is depends only on hashes, so it is an arbitrary one): a
  // value longer than `above` bytes is cut to its first `head_bytes`, any other entry dropped.
  // False when every entry is pinned.
  bool evict_one(size_t above, size_t head_bytes) {
    for (size_t n = 0; n < slots_.size(); n++, hand_++) {
      size_t i = hand_ & mask();
      Entry* e = slots_[i].entry;
      if (!e || e->pins > 0) continue;
      if (cuttable(e, above)) {
        cut_at(i, head_bytes);
        hand_++;
      } else {
        remove(i);  // the hand stays: an entry of the probe run may have moved into slot i
      }
      return true;
    }
    return false;
  }

  // Bytes held: the entries' keys and values, plus a fixed cost per entry for its slot, its
  // header and the allocator's own.
  size_t bytes() const { return bytes_; }

  // Drop every entry but the pinned ones.
  void clear_unpinned() {
    std::vector<Slot> kept;
    for (Slot& slot : slots_) {
      if (slot.entry && slot.entry->pins > 0) kept.push_back(slot);
      else std::free(slot.entry);
      slot = {};
    }
    count_ = 0;
    bytes_ = 0;
    for (const Slot& slot : kept) {
      size_t i = slot.hash & mask();
      while (slots_[i].entry) i = (i + 1) & mask();
      slots_[i] = slot;
      count_++;
      bytes_ += cost(slot.entry);
    }
  }

  void clear() {
    for (Slot& slot : slots_) {
      std::free(slot.entry);
      slot = {};
    }
    count_ = 0;
    bytes_ = 0;
  }

 private:
  struct Entry {
    uint32_t key_len;
    uint32_t value_len : 30;
    uint32_t tombstone : 1;
    uint32_t head : 1;
    uint32_t pins;
    char data[];  // key, then value
  };
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;
  };

  // Key's entry at slot i (NONE: a new one). value nullptr: a tombstone. A value of the size the
  // key's entry has takes its place there: a key rewritten with a value of the same size (a
  // SET, an INCR) costs no malloc and free.
  void store(size_t i, uint64_t hash, std::string_view key, const std::string_view* value, uint32_t pins, bool head = false) {
    std::string_view bytes = value ? *value : std::string_view();
    if (i != NONE && slots_[i].entry->value_len == bytes.size()) {
      Entry* e = slots_[i].entry;
      if (!bytes.empty()) std::memcpy(e->data + e->key_len, bytes.data(), bytes.size());
      e->tombstone = value == nullptr;
      e->head = head;
      e->pins = pins;
      return;
    }
    Entry* entry = make(key, bytes, value == nullptr, pins);
    entry->head = head;
    if (i != NONE) {
      bytes_ -= cost(slots_[i].entry);
      std::free(slots_[i].entry);
      slots_[i].entry = entry;
    } else {
      if ((count_ + 1) * 4 > slots_.size() * 3) grow();
      i = hash & mask();
      while (slots_[i].entry) i = (i + 1) & mask();
      slots_[i] = {hash, entry};
      count_++;
    }
    bytes_ += cost(entry);
  }

  static constexpr size_t NONE = SIZE_MAX;
  static constexpr size_t MIN_SLOTS = 16;

  static size_t cost(const Entry* e) { return e->key_len + e->value_len + OVERHEAD; }
  static bool cuttable(const Entry* e, size_t above) { return e->pins == 0 && !e->tombstone && !e->head && e->value_len > above; }

  // Slot i's value becomes its first head_bytes, in a smaller allocation.
  void cut_at(size_t i, size_t head_bytes) {
    Entry* e = slots_[i].entry;
    bytes_ -= cost(e);
    Entry* cut = static_cast<Entry*>(std::realloc(e, sizeof(Entry) + e->key_len + head_bytes));
    if (cut) e = slots_[i].entry = cut;  // else the larger block stays, as valid
    e->value_len = static_cast<uint32_t>(head_bytes);
    e->head = 1;
    bytes_ += cost(e);
  }
  static std::string_view key_of(const Entry* e) { return {e->data, e->key_len}; }
  static std::string_view value_of(const Entry* e) { return {e->data + e->key_len, e->value_len}; }

  static Entry* make(std::string_view key, std::string_view value, bool tombstone, uint32_t pins) {
    auto* e = static_cast<Entry*>(std::malloc(sizeof(Entry) + key.size() + value.size()));
    if (!e) throw std::bad_alloc();
    e->key_len = static_cast<uint32_t>(key.size());
    e->value_len = static_cast<uint32_t>(value.size());
    e->tombstone = tombstone;
    e->head = 0;
    e->pins = pins;
    std::memcpy(e->data, key.data(), key.size());
    if (!value.empty()) std::memcpy(e->data + key.size(), value.data(), value.size());
    return e;
  }

  size_t mask() const { return slots_.size() - 1; }

  size_t index_of(uint64_t hash, std::string_view key) const {
    for (size_t i = hash & mask();; i = (i + 1) & mask()) {
      const Slot& slot = slots_[i];
      if (!slot.entry) return NONE;
      if (slot.hash == hash && key_of(slot.entry) == key) return i;
    }
  }

  // Empty slot i and close the gap: later entries of its probe run move back (no tombstones).
  void remove(size_t i) {
    bytes_ -= cost(slots_[i].entry);
    std::free(slots_[i].entry);
    count_--;
    for (size_t j = (i + 1) & mask(); slots_[j].entry; j = (j + 1) & mask()) {
      size_t home = slots_[j].hash & mask();
      // Move j back to i unless its home lies cyclically in (i, j].
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = {};
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (!slot.entry) continue;
      size_t i = slot.hash & mask();
      while (slots_[i].entry) i = (i + 1) & mask();
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t count_ = 0;
  size_t bytes_ = 0;
  size_t hand_ = 0;
};

}  // namespace marekvs
