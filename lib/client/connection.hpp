// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// One WebSocket to one WARP host, shared by every downlink to that host. Private.

#ifndef SWIM_LIB_CLIENT_CONNECTION_HPP
#define SWIM_LIB_CLIENT_CONNECTION_HPP

#include <swim/client/config.hpp>
#include <swim/warp/host_session.hpp>

#include <swim/client/detail/downlink_core.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "../net/ws_transport.hpp"

namespace swim::client::detail {

class foreign_writes;

/// A parsed host URI: `warp://host:port/path` and its kin.
struct host_url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target = "/";
};

/// The connection's source of jitter (backoff) and masks' seed: splitmix64, 8 bytes of state
/// (std::mt19937 would cost each connection 5 KB). A UniformRandomBitGenerator.
class jitter_rng {
public:
    using result_type = std::uint32_t;
    explicit jitter_rng(std::uint64_t seed) noexcept
        : state_(seed)
    {}
    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return 0xFFFFFFFFu; }
    result_type operator()() noexcept
    {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return static_cast<result_type>(z ^ (z >> 31));
    }

private:
    std::uint64_t state_;
};

/// The delay before reconnection (or relink) attempt `attempt` (1 for the first): jittered
/// exponential backoff.
std::chrono::milliseconds backoff_delay(
    reconnect_config const& rc,
    unsigned attempt,
    jitter_rng& rng);

/// Parses a host URI; an error names what is wrong.
boost::system::error_code parse_host_url(std::string_view url, host_url& out, std::string& why);

/// Where downlinks live: a host connection (remote) or the server's local host. Every
/// member runs on get_executor().
class link_host {
public:
    virtual boost::asio::any_io_executor get_executor() const noexcept = 0;
    virtual warp::host_session& session() noexcept = 0;
    virtual void attach(warp::view_id id, std::weak_ptr<view_sink> sink) = 0;
    virtual void detach(warp::view_id id) = 0;
    /// Starts connecting, once.
    virtual void start() = 0;
    /// After any call into the session: hands notifications out, acts on requests, wakes
    /// the writer.
    virtual void pump() = 0;
    /// Completes when the session has room for more writes (or the host closed).
    virtual boost::asio::awaitable<void> wait_for_room() = 0;

protected:
    ~link_host() = default;
};

class connection
    : public link_host
    , public std::enable_shared_from_this<connection>
    , private net::detail::ws_handler {
public:
    using auth_fn = std::function<void(bool authed, recon::value const& body)>;

    connection(
        boost::asio::strand<boost::asio::any_io_executor> ex,
        host_url url,
        std::string name,
        std::shared_ptr<client_config const> cfg,
        std::shared_ptr<boost::asio::ssl::context> ssl,
        std::shared_ptr<foreign_writes> foreign);
    ~connection();

    /// Where writes made off the strand go (the client's).
    foreign_writes& foreign() noexcept { return *foreign_; }

    boost::asio::any_io_executor get_executor() const noexcept override { return ex_; }
    warp::host_session& session() noexcept override { return session_; }
    std::string const& name() const noexcept { return name_; }
    client_config const& config() const noexcept { return *cfg_; }

    /// Starts the connect / read / write / reconnect loop (once).
    void start() override;

    void attach(warp::view_id id, std::weak_ptr<view_sink> sink) override;
    void detach(warp::view_id id) override;
    /// Arms `d` in the next turn, when its handle's handlers are set: one post for every
    /// downlink made in a turn (100,000 made at once cost no 100,000 posts).
    void arm_later(std::weak_ptr<downlink_core> d);

    /// After any call into the session: hands notifications to the downlinks, acts on
    /// requests, wakes the writer.
    void pump() override;

    /// Completes when the session has room for more writes (or the connection closed).
    boost::asio::awaitable<void> wait_for_room() override;
    /// Wakes every wait_for_room() (they look again).
    void wake_room()
    {
        if (room_)
            room_->cancel();
    }

    void on_auth(auth_fn f) { on_auth_ = std::move(f); }

    /// Closes every downlink (their queued writes first), the WebSocket, and waits for the
    /// connection's tasks to end.
    boost::asio::awaitable<void> async_close();

    void log(log_level level, std::string_view what) const;

    /// Attempts to reach the host that failed so far, and the last one's error and reason.
    std::uint64_t failed_attempts() const noexcept { return failed_attempts_; }
    boost::system::error_code last_failure() const noexcept { return last_failure_; }
    std::string const& last_failure_reason() const noexcept { return last_failure_why_; }

    /// Counts a task the connection's close waits for (a downlink's handler runner).
    void task_started() noexcept { ++tasks_; }
    void task_finished() { finished_task(); }

private:
    template <class Stream>
    boost::asio::awaitable<bool> upgrade(
        Stream& s,
        std::string const& host_header,
        std::string& initial);
    /// connect(), then start_serving(): whether the connection is up.
    boost::asio::awaitable<bool> connect_and_start();
    std::chrono::milliseconds reconnect_delay(bool was_up, unsigned& attempt);
    /// The upgraded connection: the transport made and started / gone.
    void start_serving(std::unique_ptr<net::detail::byte_stream> stream, std::string_view initial);
    void end_serving();

    // ws_handler: what the transport hands over and asks for.
    void on_text(std::string_view message) override;
    void on_binary(std::string_view message) override;
    void on_read() override;
    bool take_output(net::detail::ws_session& ws, std::string& out) override;
    void on_written(boost::system::error_code ec) override;
    void on_end(net::detail::ws_end why, std::string_view what) override;
    std::uint64_t deadline() const noexcept override;
    void on_deadline(std::uint64_t now_ms) override;
    std::uint64_t settle_period() const noexcept;
    void on_finished() override;
    static boost::asio::awaitable<void> run(std::shared_ptr<connection> self);
    /// Resolves, connects and upgrades: the stream, or nullptr when the attempt failed (it
    /// is reported).
    boost::asio::awaitable<std::unique_ptr<net::detail::byte_stream>> connect(std::string& initial);
    static boost::asio::awaitable<void> relink_after(
        std::shared_ptr<connection> self,
        std::string node,
        std::string lane,
        std::chrono::milliseconds delay);
    std::chrono::milliseconds backoff(unsigned attempt);
    void finished_task();
    /// An attempt to reach the host failed: logged, and told to every downlink.
    void failed_attempt(boost::system::error_code ec, std::string why);
    std::string connect_failure(boost::system::error_code ec) const;
    void deliver_notes();
    void serve_requests();

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    /// The strand as an any_io_executor, made once: its copies share one allocation (each
    /// conversion of strand_ would make another).
    boost::asio::any_io_executor ex_;
    host_url url_;
    std::string name_;
    std::shared_ptr<client_config const> cfg_;
    std::shared_ptr<boost::asio::ssl::context> ssl_;
    std::shared_ptr<foreign_writes> foreign_;
    warp::host_session session_;
    std::unordered_map<warp::view_id, std::weak_ptr<view_sink>> views_;
    /// Downlinks made this turn, armed in the next (arm_later()).
    std::vector<std::weak_ptr<downlink_core>> to_arm_;
    /// The WebSocket while the host is connected.
    std::unique_ptr<net::detail::ws_transport> transport_;
    std::unique_ptr<boost::asio::steady_timer> room_;
    /// The run loop's timer: the backoff between attempts, and while connected the wait for
    /// the transport's end.
    boost::asio::steady_timer sleep_;
    bool finished_ = false;
    /// async_close()'s wait for the tasks, while it waits.
    boost::asio::steady_timer* done_ = nullptr;
    /// The frames being written.
    std::vector<std::string> batch_;
    /// When unsettled links are looked at next (steady_ms; settle_timeout / 2 apart).
    std::uint64_t next_settle_ = net::detail::ws_session::never;
    std::vector<warp::view_note> notes_;
    jitter_rng rng_;
    auth_fn on_auth_;
    bool started_ = false;
    bool closing_ = false;
    bool up_ = false;
    /// pump() is running; a call from inside it (a handler's write) asks it to loop again.
    bool pumping_ = false;
    bool pump_again_ = false;
    /// Tasks spawned and not finished (the run loop, relink timers); close waits for 0.
    unsigned tasks_ = 0;
    std::function<void()> abort_;
    std::uint64_t failed_attempts_ = 0;
    boost::system::error_code last_failure_;
    std::string last_failure_why_;
};

}  // namespace swim::client::detail

#endif
