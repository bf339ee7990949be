// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The state of a client: its strand, TLS context and host connections. Private; the server
// uses it for its agents' downlinks to other hosts.

#ifndef SWIM_LIB_CLIENT_CLIENT_IMPL_HPP
#define SWIM_LIB_CLIENT_CLIENT_IMPL_HPP

#include <swim/client/config.hpp>
#include <swim/client/error.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "connection.hpp"
#include "foreign_writes.hpp"

namespace swim::client::detail {

namespace asio = boost::asio;
using boost::system::error_code;

class client_impl {
public:
    client_impl(asio::any_io_executor ex, client_config cfg)
        : strand_(asio::make_strand(ex))
        , cfg_(std::make_shared<client_config const>(std::move(cfg)))
        , foreign_(std::make_shared<foreign_writes>(strand_))
    {}

    asio::strand<asio::any_io_executor> strand_;
    /// Shared with every connection (which may outlive the client while it closes).
    std::shared_ptr<client_config const> cfg_;
    /// Writes made off the strand, run on it in order.
    std::shared_ptr<foreign_writes> foreign_;
    std::shared_ptr<asio::ssl::context> ssl_;
    std::map<std::string, std::shared_ptr<connection>, std::less<>> hosts_;
    std::function<void(std::string_view, bool, recon::value const&)> on_auth_;
    bool closed_ = false;

    /// Wakes every write waiting for room (the client is closing: they look again).
    void wake_writers()
    {
        for (auto& [name, conn] : hosts_)
            conn->wake_room();
    }

    std::shared_ptr<asio::ssl::context> ssl()
    {
        if (!ssl_) {
            ssl_ = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
            if (cfg_->verify_peer) {
                ssl_->set_verify_mode(asio::ssl::verify_peer);
                ssl_->set_default_verify_paths();
                if (!cfg_->ca_file.empty())
                    ssl_->load_verify_file(cfg_->ca_file);
            } else {
                ssl_->set_verify_mode(asio::ssl::verify_none);
            }
        }
        return ssl_;
    }

    std::shared_ptr<connection> host(std::string_view url, error_code& ec, std::string& why)
    {
        if (closed_) {
            ec = error::client_closed;
            why = "the client is closed";
            return nullptr;
        }
        if (auto it = hosts_.find(url); it != hosts_.end())
            return it->second;
        host_url parsed;
        ec = parse_host_url(url, parsed, why);
        if (ec)
            return nullptr;
        auto ssl_ctx = parsed.tls ? ssl() : nullptr;
        auto conn = std::make_shared<connection>(
            strand_,
            std::move(parsed),
            std::string(url),
            cfg_,
            ssl_ctx,
            foreign_);
        std::string name(url);
        conn->on_auth([this, name](bool authed, recon::value const& body) {
            if (on_auth_)
                on_auth_(name, authed, body);
        });
        hosts_.emplace(std::string(url), conn);
        return conn;
    }
};

}  // namespace swim::client::detail

#endif
