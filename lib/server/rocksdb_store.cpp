// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/error.hpp>
#include <swim/server/store.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <memory>

#include "store_format.hpp"

namespace swim::server {

namespace {

namespace format = detail::store_format;

rocksdb::Slice slice(std::string_view s) noexcept
{
    return {s.data(), s.size()};
}

/// The key after every key starting with `prefix` (empty: none is; all 0xff).
std::string prefix_end(std::string prefix)
{
    while (!prefix.empty()) {
        auto& last = prefix.back();
        if (static_cast<unsigned char>(last) != 0xff) {
            last = static_cast<char>(static_cast<unsigned char>(last) + 1);
            return prefix;
        }
        prefix.pop_back();
    }
    return prefix;
}

class rocksdb_store final : public store {
public:
    explicit rocksdb_store(std::unique_ptr<rocksdb::DB> db)
        : db_(std::move(db))
    {}
    ~rocksdb_store() override
    {
        db_->FlushWAL(true);
        db_->Close();
    }

    bool durable() const noexcept override { return true; }

    boost::system::error_code write(std::span<store_write const> writes, bool sync) override
    {
        rocksdb::WriteBatch batch;
        for (auto const& w : writes) {
            rocksdb::Status s;
            switch (w.what) {
                case store_write::op::put: s = batch.Put(slice(w.key), slice(w.value)); break;
                case store_write::op::erase: s = batch.Delete(slice(w.key)); break;
                case store_write::op::erase_prefix: {
                    auto const end = prefix_end(w.key);
                    if (end.empty())
                        return error::store_write;  // (no key of ours is all 0xff)
                    s = batch.DeleteRange(slice(w.key), slice(end));
                    break;
                }
            }
            if (!s.ok())
                return error::store_write;
        }
        rocksdb::WriteOptions wo;
        wo.sync = sync;
        return db_->Write(wo, &batch).ok() ? boost::system::error_code()
                                           : boost::system::error_code(error::store_write);
    }

    boost::system::error_code scan(
        std::string_view prefix,
        std::function<void(std::string_view, std::string_view)> const& f) override
    {
        rocksdb::ReadOptions ro;
        ro.fill_cache = false;
        auto const end = prefix_end(std::string(prefix));
        rocksdb::Slice upper(end);
        if (!end.empty())
            ro.iterate_upper_bound = &upper;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
        for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
            auto const k = it->key();
            auto const v = it->value();
            f({k.data(), k.size()}, {v.data(), v.size()});
        }
        return it->status().ok() ? boost::system::error_code()
                                 : boost::system::error_code(error::store_read);
    }

    boost::system::error_code flush() override
    {
        return db_->FlushWAL(true).ok() ? boost::system::error_code()
                                        : boost::system::error_code(error::store_write);
    }

private:
    std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::shared_ptr<store> open_rocksdb_store(
    std::string const& dir,
    boost::system::error_code& ec,
    std::string& why,
    rocksdb_options const& opts)
{
    ec = {};
    why.clear();
    rocksdb::Options o;
    o.create_if_missing = opts.create;
    o.IncreaseParallelism(2);
    // Memtables within memtable_bytes: RocksDB's default budget (512 MiB, up to 6 buffers of
    // 128 MiB) is far more than a server of agents should take by default.
    o.OptimizeLevelStyleCompaction(opts.memtable_bytes);
    o.max_write_buffer_number = 3;
    // (Our writes are few and large: batches of many agents' changes, one per group commit.)
    o.enable_pipelined_write = true;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(opts.cache_bytes);
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (opts.create) {
        std::error_code made;
        std::filesystem::create_directories(dir, made);
        if (made) {
            ec = error::store_open;
            why = "the store in " + dir + " could not be made: " + made.message();
            return nullptr;
        }
    }
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(o, dir, &raw);
    if (!s.ok()) {
        ec = error::store_open;
        why = "the store in " + dir + " could not be opened: " + s.ToString();
        return nullptr;
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string found;
    s = db->Get(rocksdb::ReadOptions(), slice(format::format_key), &found);
    if (!s.ok() && !s.IsNotFound()) {
        ec = error::store_open;
        why = "the store in " + dir + " could not be read: " + s.ToString();
        return nullptr;
    }
    bool empty = true;
    if (s.IsNotFound()) {
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
        it->SeekToFirst();
        empty = !it->Valid();
    }
    auto const problem = format::check_format(
        s.ok() ? std::optional<std::string_view>(found) : std::nullopt,
        empty);
    if (!problem.empty()) {
        ec = error::store_format;
        why = "the store in " + dir + " is refused: " + problem;
        return nullptr;
    }
    if (s.IsNotFound()) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        if (!db->Put(wo, slice(format::format_key), slice(format::format_version)).ok()) {
            ec = error::store_open;
            why = "the store in " + dir + " could not be written";
            return nullptr;
        }
    }
    return std::make_shared<rocksdb_store>(std::move(db));
}

}  // namespace swim::server
