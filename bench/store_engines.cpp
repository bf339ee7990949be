// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// swim-store-engines: the storage engines the durable store could use (issue 17), on the
// store's own workload, in one run: RocksDB (through swim::server::open_rocksdb_store, as the
// server uses it), LMDB and SQLite (WAL). Built when liblmdb-dev and libsqlite3-dev are there.
//
//   swim-store-engines [--dir DIR] [--seconds 2] [--entries 1000000]
//
// For each engine, in a fresh directory:
// - commits/s and puts/s of batches of 1 and of 100 puts, each batch made durable (fsync)
//   before the next (the server's group commit writes one batch per fsync);
// - the time to write --entries entries of one map lane in batches of 10,000 (no fsync), and
//   to read them back by prefix, in key order (what reloading an agent does).
// Keys are the server's (node, lane, tag, Recon key), values short Recon text.

#include <swim/server/store.hpp>

#include <lmdb.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../lib/server/store_format.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
namespace format = swim::server::detail::store_format;

double since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// One engine, as the benchmark drives it.
struct engine {
    virtual ~engine() = default;
    /// Writes `kv` in one transaction; durable when `sync`.
    virtual void write(std::vector<std::pair<std::string, std::string>> const& kv, bool sync) = 0;
    /// Reads every entry under `prefix` in key order; returns how many.
    virtual std::size_t scan(std::string const& prefix) = 0;
};

struct rocksdb_engine final : engine {
    std::shared_ptr<swim::server::store> s;
    explicit rocksdb_engine(std::string const& dir)
    {
        boost::system::error_code ec;
        std::string why;
        s = swim::server::open_rocksdb_store(dir, ec, why);
        if (!s)
            throw std::runtime_error(why);
    }
    void write(std::vector<std::pair<std::string, std::string>> const& kv, bool sync) override
    {
        std::vector<swim::server::store_write> w;
        w.reserve(kv.size());
        for (auto const& [k, v] : kv)
            w.push_back({swim::server::store_write::op::put, k, v});
        if (s->write(w, sync))
            throw std::runtime_error("rocksdb write failed");
    }
    std::size_t scan(std::string const& prefix) override
    {
        std::size_t n = 0;
        s->scan(prefix, [&](std::string_view, std::string_view) { ++n; });
        return n;
    }
};

struct lmdb_engine final : engine {
    MDB_env* env = nullptr;
    MDB_dbi dbi = 0;
    explicit lmdb_engine(std::string const& dir)
    {
        std::filesystem::create_directories(dir);
        if (mdb_env_create(&env) || mdb_env_set_mapsize(env, std::size_t(8) << 30) ||
            mdb_env_open(env, dir.c_str(), 0, 0644))
            throw std::runtime_error("lmdb open failed");
        MDB_txn* txn = nullptr;
        mdb_txn_begin(env, nullptr, 0, &txn);
        mdb_dbi_open(txn, nullptr, 0, &dbi);
        mdb_txn_commit(txn);
    }
    ~lmdb_engine() override { mdb_env_close(env); }
    void write(std::vector<std::pair<std::string, std::string>> const& kv, bool sync) override
    {
        MDB_txn* txn = nullptr;
        mdb_env_set_flags(env, MDB_NOSYNC, sync ? 0 : 1);
        if (mdb_txn_begin(env, nullptr, 0, &txn))
            throw std::runtime_error("lmdb txn failed");
        for (auto const& [k, v] : kv) {
            MDB_val key{k.size(), const_cast<char*>(k.data())};
            MDB_val val{v.size(), const_cast<char*>(v.data())};
            if (mdb_put(txn, dbi, &key, &val, 0))
                throw std::runtime_error("lmdb put failed");
        }
        if (mdb_txn_commit(txn))
            throw std::runtime_error("lmdb commit failed");
    }
    std::size_t scan(std::string const& prefix) override
    {
        MDB_txn* txn = nullptr;
        MDB_cursor* cur = nullptr;
        mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
        mdb_cursor_open(txn, dbi, &cur);
        MDB_val key{prefix.size(), const_cast<char*>(prefix.data())}, val{};
        std::size_t n = 0;
        for (int rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
             rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
            std::string_view k(static_cast<char const*>(key.mv_data), key.mv_size);
            if (!k.starts_with(prefix))
                break;
            ++n;
        }
        mdb_cursor_close(cur);
        mdb_txn_abort(txn);
        return n;
    }
};

struct sqlite_engine final : engine {
    sqlite3* db = nullptr;
    sqlite3_stmt* put = nullptr;
    sqlite3_stmt* get = nullptr;
    explicit sqlite_engine(std::string const& dir)
    {
        std::filesystem::create_directories(dir);
        if (sqlite3_open((dir + "/store.db").c_str(), &db) != SQLITE_OK)
            throw std::runtime_error("sqlite open failed");
        exec("PRAGMA journal_mode=WAL");
        exec("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", -1, &put, nullptr);
        sqlite3_prepare_v2(db, "SELECT k, v FROM kv WHERE k >= ? ORDER BY k", -1, &get, nullptr);
    }
    ~sqlite_engine() override
    {
        sqlite3_finalize(put);
        sqlite3_finalize(get);
        sqlite3_close(db);
    }
    void exec(char const* sql)
    {
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
    }
    void write(std::vector<std::pair<std::string, std::string>> const& kv, bool sync) override
    {
        exec(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
        exec("BEGIN");
        for (auto const& [k, v] : kv) {
            sqlite3_bind_blob(put, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
            sqlite3_bind_blob(put, 2, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
            if (sqlite3_step(put) != SQLITE_DONE)
                throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
            sqlite3_reset(put);
        }
        exec("COMMIT");
    }
    std::size_t scan(std::string const& prefix) override
    {
        sqlite3_bind_blob(get, 1, prefix.data(), static_cast<int>(prefix.size()), SQLITE_STATIC);
        std::size_t n = 0;
        while (sqlite3_step(get) == SQLITE_ROW) {
            std::string_view k(
                static_cast<char const*>(sqlite3_column_blob(get, 0)),
                static_cast<std::size_t>(sqlite3_column_bytes(get, 0)));
            if (!k.starts_with(prefix))
                break;
            ++n;
        }
        sqlite3_reset(get);
        return n;
    }
};

std::string entry_key(std::string const& node, long i)
{
    char k[32];
    std::snprintf(k, sizeof k, "k%07ld", i);
    return format::lane_key(node, "entries", format::entry_tag) + k;
}

}  // namespace

int main(int argc, char** argv)
{
    std::string base;
    double secs = 2;
    long entries = 1000000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string const a = argv[i];
        if (a == "--dir")
            base = argv[i + 1];
        else if (a == "--seconds")
            secs = std::stod(argv[i + 1]);
        else if (a == "--entries")
            entries = std::stol(argv[i + 1]);
    }
    if (base.empty()) {
        std::random_device rd;
        base = (std::filesystem::temp_directory_path() / ("swim-engines-" + std::to_string(rd())))
                   .string();
    }
    std::vector<std::pair<std::string, std::function<std::unique_ptr<engine>(std::string const&)>>>
        engines{
            {"RocksDB",
             [](auto const& d) {
                 return std::make_unique<rocksdb_engine>(d);
             }},
            {"LMDB",
             [](auto const& d) {
                 return std::make_unique<lmdb_engine>(d);
             }},
            {"SQLite (WAL)", [](auto const& d) {
                 return std::make_unique<sqlite_engine>(d);
             }}};
    std::printf(
        "| engine | fsynced batches of 1: commits/s | of 100: puts/s | write %ld entries | read "
        "them back |\n"
        "|---|--:|--:|--:|--:|\n",
        entries);
    for (auto const& [name, make] : engines) {
        auto const dir = base + "/" + std::to_string(&name - &engines[0].first);
        std::filesystem::remove_all(dir);
        auto e = make(dir);
        double rates[2] = {0, 0};
        int const sizes[2] = {1, 100};
        long next = 0;
        for (int s = 0; s < 2; ++s) {
            std::vector<std::pair<std::string, std::string>> batch;
            std::size_t puts = 0;
            auto const t0 = clock_type::now();
            while (since(t0) < secs) {
                batch.clear();
                for (int i = 0; i < sizes[s]; ++i, ++next)
                    batch.emplace_back(
                        entry_key("/bench/" + std::to_string(next % 100), next),
                        std::to_string(next));
                e->write(batch, true);
                puts += batch.size();
            }
            rates[s] = puts / since(t0);
        }
        std::vector<std::pair<std::string, std::string>> batch;
        auto const w0 = clock_type::now();
        for (long i = 0; i < entries;) {
            batch.clear();
            for (int j = 0; j < 10000 && i < entries; ++j, ++i)
                batch.emplace_back(entry_key("/fill/1", i), std::to_string(i));
            e->write(batch, false);
        }
        double const write_s = since(w0);
        auto const r0 = clock_type::now();
        auto const n = e->scan(format::agent_prefix("/fill/1"));
        double const read_s = since(r0);
        std::printf(
            "| %s | %.0f | %.0f | %.2f s | %.3f s (%zu) |\n",
            name.c_str(),
            rates[0],
            rates[1],
            write_s,
            read_s,
            n);
        std::fflush(stdout);
        e.reset();
        std::filesystem::remove_all(dir);
    }
    std::filesystem::remove_all(base);
    return 0;
}
