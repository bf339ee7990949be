// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_SERVER_STORE_HPP
#define SWIM_SERVER_STORE_HPP

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

/** @file
 * Where the agents' state is kept: a store of byte keys and values. The server writes the
 * state of value and map lanes and stores (unless marked transient) and the links of join
 * lanes there, and reads an agent's back before its on_start.
 *
 * - make_memory_store() (the library default): in memory. An agent stopped for idleness
 *   keeps its state there and gets it back when it starts again; nothing survives the process.
 * - open_rocksdb_store(): durable, in a directory on disk (RocksDB). Every change is written
 *   through, with the durability of server_config::store.
 *
 * The keys are the server's (they name the node and the lane, see lib/server/store_format);
 * a store only keeps them. A directory written in another format version is refused.
 *
 * @par Thread safety
 * A store is called from the server's writer thread and from the agents' strands at once: an
 * implementation is thread safe.
 */

namespace swim::server {

/// One change of a store.
struct store_write {
    enum class op : std::uint8_t {
        put,
        /// The entry at `key`.
        erase,
        /// Every entry whose key starts with `key`.
        erase_prefix
    };
    op what = op::put;
    std::string key;
    /// put: the value.
    std::string value;
};

/// A store of the agents' state (see the file comment).
class store {
public:
    virtual ~store() = default;

    /// Whether changes are written through as they are made (a durable store), rather than
    /// only when an agent stops (a store in memory).
    virtual bool durable() const noexcept = 0;
    /// Applies `writes` in order, all or none; when `sync`, durable once it returns.
    virtual boost::system::error_code write(std::span<store_write const> writes, bool sync) = 0;
    /// Calls `f(key, value)` for each entry whose key starts with `prefix`, in key order.
    virtual boost::system::error_code scan(
        std::string_view prefix,
        std::function<void(std::string_view key, std::string_view value)> const& f) = 0;
    /// Makes every write so far durable.
    virtual boost::system::error_code flush() = 0;
};

/// A store in memory.
std::shared_ptr<store> make_memory_store();

/// The durable store's engine settings.
struct rocksdb_options {
    /// Creates the directory (and the store in it) when it does not exist.
    bool create = true;
    /// The block cache, in bytes.
    std::size_t cache_bytes = 64 * 1024 * 1024;
    /// The memtables' budget: each write buffer is a quarter of it, at most three of them
    /// (about 0.75 of it in memory at worst), the rest of the writes wait for a flush.
    std::size_t memtable_bytes = 64 * 1024 * 1024;
};

/** Opens the durable store in `dir` (RocksDB). On failure returns null and sets `ec`
 * (error::store_open, error::store_format) and `why`, which names the directory and what
 * was wrong (a directory in another format version says which).
 */
std::shared_ptr<store> open_rocksdb_store(
    std::string const& dir,
    boost::system::error_code& ec,
    std::string& why,
    rocksdb_options const& opts = {});

/// When a durable store's writes reach the disk (server_config::store).
enum class durability : std::uint8_t {
    /// Before any client sees the change (an fsync, shared by the changes made meanwhile:
    /// group commit).
    synced,
    /// Written at once, made durable every store_config::batch_interval: a crash loses at
    /// most that much.
    batched,
    /// Written at once, made durable when the system writes them back (and at stop).
    none
};

/** Where a server keeps its agents' state. With a durable store, a change of a persisted
 * lane is written through before any client sees it; a write that fails is not applied (the
 * lanes it touched are read back from the store), not sent, logged and counted
 * (server::get_stats()), and the next write tries again.
 */
struct store_config {
    /// Null: a store in memory (make_memory_store()).
    std::shared_ptr<store> engine;
    durability mode = durability::synced;
    /// batched: how often the writes are made durable.
    std::chrono::milliseconds batch_interval{100};
};

}  // namespace swim::server

#endif
