// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// HTTP on the WARP port: HTTP lanes and files. What goes where is decided in
// warp::route_http (sans-io); this reads the request, asks the agent or the file system, and
// writes the answer.

#include "http_serve.hpp"

#include <swim/recon/json.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/server/http_lane.hpp>
#include <swim/warp/http_route.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>

#include "../net/text.hpp"
#include "server_impl.hpp"

namespace swim::server::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using request = http::request<http::string_body>;

/// A place among the HTTP requests in flight (server_config::max_http_requests).
class http_slot {
public:
    explicit http_slot(server_impl& srv) noexcept
        : srv_(srv)
        , ok_(srv.http_started())
    {}
    http_slot(http_slot const&) = delete;
    http_slot& operator=(http_slot const&) = delete;
    ~http_slot() { srv_.http_ended(); }
    bool ok() const noexcept { return ok_; }

private:
    server_impl& srv_;
    bool ok_;
};

/// A response with a body of text (sent without it for HEAD).
struct text_answer {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

text_answer plain(unsigned status, std::string text)
{
    return {status, "text/plain; charset=utf-8", std::move(text) + "\n", {}};
}

template <class Stream>
asio::awaitable<bool> write_text(Stream& stream, request const& req, text_answer a, bool keep)
{
    http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
    res.set(http::field::server, "swim-cpp");
    res.set(http::field::content_type, a.content_type);
    for (auto& [name, value] : a.headers)
        res.set(name, value);
    res.keep_alive(keep);
    res.content_length(a.body.size());
    if (req.method() != http::verb::head && a.status != 304)
        res.body() = std::move(a.body);
    auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
    co_return !ec && keep;
}

/// The request's body as a value, read as its Content-Type says; an answer when it cannot be.
std::optional<text_answer> read_body(request const& req, recon::value& out)
{
    if (req.body().empty())
        return std::nullopt;
    auto const format = warp::request_format(req[http::field::content_type]);
    if (format == warp::http_format::unsupported)
        return plain(415, "The body is neither Recon (text/plain) nor JSON (application/json).");
    if (format == warp::http_format::json) {
        error_code ec;
        auto j = boost::json::parse(req.body(), ec);
        if (ec)
            return plain(400, "The body is not JSON: " + ec.message());
        out = recon::from_json(j);
        return std::nullopt;
    }
    recon::parse_error err;
    out = recon::parse(req.body(), err);
    if (err)
        return plain(400, "The body is not Recon: " + err.message());
    return std::nullopt;
}

/// `v` in the format the request's Accept asks for.
text_answer encode(unsigned status, recon::value const& v, request const& req)
{
    auto const format = warp::response_format(req[http::field::accept]);
    text_answer a;
    a.status = status;
    a.content_type = std::string(warp::content_type_of(format));
    if (v.is_absent())
        return a;
    error_code ec;
    if (format == warp::http_format::json) {
        auto j = recon::to_json(v, ec);
        if (!ec)
            a.body = boost::json::serialize(j);
    } else {
        recon::write(v, a.body, ec);
    }
    if (ec)
        return plain(
            500,
            "The answer has no " +
                std::string(format == warp::http_format::json ? "JSON" : "Recon") +
                " form: " + ec.message());
    return a;
}

/// Asks the agent of `route` to answer `req`: its answer, or 408 after http_request_timeout.
asio::awaitable<http_response> ask_agent(
    server_impl& srv,
    lane_route route,
    std::shared_ptr<http_request const> req)
{
    auto ex = co_await asio::this_coro::executor;
    struct state {
        std::optional<http_response> answer;
        asio::steady_timer timer;
    };
    auto st = std::make_shared<state>(
        state{std::nullopt, asio::steady_timer(ex, srv.config().http_request_timeout)});
    auto rt = route.agent;
    asio::post(rt->strand(), [rt, index = route.lane, req, st, ex] {
        rt->http(index, req, [st, ex](http_response r) {
            asio::post(ex, [st, r = std::move(r)]() mutable {
                if (st->answer)
                    return;  // (too late: 408 went)
                st->answer = std::move(r);
                st->timer.cancel();
            });
        });
    });
    // The server's stop answers at once.
    auto const watch = srv.watch_stop([st, ex] {
        asio::post(ex, [st] {
            if (st->answer)
                return;
            st->answer = http_response::with_status(503, recon::value("The server is stopping."));
            st->timer.cancel();
        });
    });
    // Ends when the answer came (the timer cancelled) or when the time is up.
    auto [ignored] = co_await st->timer.async_wait(use_tuple);
    (void)ignored;
    srv.unwatch_stop(watch);
    if (!st->answer)
        st->answer = http_response::with_status(
            408,
            recon::value("The agent did not answer within http_request_timeout."));
    co_return std::move(*st->answer);
}

/// An HTTP lane's answer to `req`.
asio::awaitable<text_answer> answer_lane(
    server_impl& srv,
    warp::http_route const& where,
    request const& req)
{
    if (srv.stopping())
        co_return plain(503, "The server is stopping.");
    auto r = std::make_shared<http_request>();
    if (auto refused = read_body(req, r->body))
        co_return *refused;
    r->method = std::string(req.method_string());
    r->target = std::string(req.target());
    for (auto const& field : req)
        r->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    // The auth policy first: a refused request makes no agent.
    lane_request const asked_for{
        lane_request::kind::http,
        where.node,
        where.lane,
        r->method,
        r->headers};
    if (!srv.allow(asked_for, std::nullopt))
        co_return plain(403, "Refused by the server's auth policy.");
    auto route = srv.route_lane(where.node, where.lane, true);
    switch (route.what) {
        case warp::route_result::ok: break;
        case warp::route_result::node_not_found:
            co_return plain(
                404,
                "No agent serves " + net::detail::escape_untrusted(where.node) + ".");
        case warp::route_result::lane_not_found:
            co_return plain(
                404,
                "The agent has no HTTP lane " + net::detail::escape_untrusted(where.lane) + ".");
        case warp::route_result::unavailable: co_return plain(503, route.reason);
    }
    auto asked = ask_agent(srv, std::move(route), std::move(r));
    auto answer = co_await std::move(asked);
    auto out = encode(answer.status, answer.body, req);
    for (auto& h : answer.headers)
        out.headers.push_back(std::move(h));
    co_return out;
}

/// Seconds since the epoch of a file time.
std::int64_t unix_seconds(fs::file_time_type t)
{
    auto const sys = std::chrono::file_clock::to_sys(t);
    return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

/// The file `file` under the root: its headers and status, and its path to send (empty:
/// no body to send, the answer's text goes).
struct file_answer {
    text_answer head;
    fs::path path;
    std::uint64_t size = 0;
};

file_answer find_file(server_impl& srv, std::string const& file, request const& req)
{
    file_answer out;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        out.head = plain(405, "Files take GET and HEAD.");
        out.head.headers.emplace_back("Allow", "GET, HEAD");
        return out;
    }
    auto const& root = srv.http_root();
    std::error_code fec;
    fs::path path = root / file;
    if (fs::is_directory(path, fec))
        path /= "index.html";
    auto real = fs::canonical(path, fec);
    // Under the root, symlinks resolved: nothing outside it is served.
    auto const& base = root.native();
    bool const inside = !fec && real.native().size() > base.size() &&
                        real.native().compare(0, base.size(), base) == 0 &&
                        real.native()[base.size()] == '/';
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
    if (inside && fs::is_regular_file(real, fec)) {
        size = fs::file_size(real, fec);
        if (!fec)
            mtime = unix_seconds(fs::last_write_time(real, fec));
    }
    if (!inside || fec || !fs::is_regular_file(real, fec)) {
        out.head = plain(404, "No such file.");
        return out;
    }
    auto const etag = warp::file_etag(size, mtime);
    auto const inm = req[http::field::if_none_match];
    bool fresh = false;
    if (!inm.empty())
        fresh = warp::etag_matches(inm, etag);
    else if (auto since = warp::parse_http_date(req[http::field::if_modified_since]))
        fresh = mtime <= *since;
    out.head.status = fresh ? 304 : 200;
    out.head.content_type = std::string(warp::file_content_type(real.native()));
    out.head.headers.emplace_back("ETag", etag);
    out.head.headers.emplace_back("Last-Modified", warp::http_date(mtime));
    out.size = size;
    if (!fresh)
        out.path = std::move(real);
    return out;
}

/// Writes a file's answer: its headers, and the file unless it is HEAD or 304.
template <class Stream>
asio::awaitable<bool> write_file(Stream& stream, request const& req, file_answer a, bool keep)
{
    if (a.path.empty() || req.method() == http::verb::head) {
        http::response<http::empty_body> res{
            static_cast<http::status>(a.head.status),
            req.version()};
        res.set(http::field::server, "swim-cpp");
        res.set(http::field::content_type, a.head.content_type);
        for (auto& [name, value] : a.head.headers)
            res.set(name, value);
        if (a.head.status == 200)
            res.content_length(a.size);  // (HEAD: the length a GET gets)
        else if (a.head.status != 304)
            res.content_length(0);
        res.keep_alive(keep);
        auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
        co_return !ec && keep;
    }
    http::file_body::value_type body;
    beast::error_code oec;
    body.open(a.path.c_str(), beast::file_mode::scan, oec);
    if (oec) {
        auto written = write_text(stream, req, plain(404, "No such file."), keep);
        co_return co_await std::move(written);
    }
    http::response<http::file_body> res{http::status::ok, req.version(), std::move(body)};
    res.set(http::field::server, "swim-cpp");
    res.set(http::field::content_type, a.head.content_type);
    for (auto& [name, value] : a.head.headers)
        res.set(name, value);
    res.keep_alive(keep);
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
    co_return !ec && keep;
}

}  // namespace

bool is_websocket_upgrade(http::request<http::empty_body> const& req)
{
    auto const upgrade = req[http::field::upgrade];
    for (std::size_t i = 0; i + 9 <= upgrade.size(); ++i)
        if (beast::iequals(upgrade.substr(i, 9), "websocket"))
            return true;
    return false;
}

template <class Stream>
asio::awaitable<bool> serve_http(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request_parser<http::empty_body>& header,
    server_impl& srv)
{
    auto const& cfg = srv.config();
    http_slot slot(srv);
    // A body over the limit, by its Content-Length or as it is read (chunked): 413, closed.
    bool too_large = false;
    auto const version = header.get().version();
    http::request_parser<http::string_body> parser(std::move(header));
    parser.body_limit(cfg.max_http_body);
    if (auto length = parser.content_length(); length && *length > cfg.max_http_body) {
        too_large = true;
    } else if (!parser.is_done()) {
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (ec == http::error::body_limit) {
            too_large = true;
        } else if (ec) {
            srv.log(client::log_level::debug, "HTTP request not read: " + ec.message());
            co_return false;
        }
    }
    if (too_large) {
        request req;
        req.version(version);
        auto written = write_text(
            stream,
            req,
            plain(413, "The body is over " + std::to_string(cfg.max_http_body) + " bytes."),
            false);
        co_return co_await std::move(written);
    }
    request req = parser.release();
    bool const keep = req.keep_alive() && !srv.stopping();
    auto const where = warp::route_http(req.target(), !srv.http_root().empty());
    text_answer answer;
    bool close = false;
    if (!slot.ok()) {
        answer = plain(503, "Too many HTTP requests at once (max_http_requests).");
        close = true;
    } else if (where.what == warp::http_route::kind::bad_request) {
        answer = plain(400, where.why);
        close = true;
    } else if (where.what == warp::http_route::kind::not_found) {
        answer = plain(404, where.why);
    } else if (where.what == warp::http_route::kind::file) {
        auto found = find_file(srv, where.file, req);
        auto written = write_file(stream, req, std::move(found), keep);
        co_return co_await std::move(written);
    } else {
        auto asked = answer_lane(srv, where, req);
        answer = co_await std::move(asked);
    }
    auto written = write_text(stream, req, std::move(answer), keep && !close);
    co_return co_await std::move(written);
}

template asio::awaitable<bool> serve_http(
    beast::tcp_stream&,
    beast::flat_buffer&,
    http::request_parser<http::empty_body>&,
    server_impl&);
template asio::awaitable<bool> serve_http(
    asio::ssl::stream<beast::tcp_stream>&,
    beast::flat_buffer&,
    http::request_parser<http::empty_body>&,
    server_impl&);

}  // namespace swim::server::detail
