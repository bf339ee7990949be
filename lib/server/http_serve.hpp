// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// HTTP on the WARP port: requests that are not a WebSocket upgrade go to HTTP lanes or files.

#ifndef SWIM_LIB_SERVER_HTTP_SERVE_HPP
#define SWIM_LIB_SERVER_HTTP_SERVE_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace swim::server::detail {

class server_impl;

/// Whether a request asks for a WebSocket upgrade (its Upgrade header names websocket).
bool is_websocket_upgrade(boost::beast::http::request<boost::beast::http::empty_body> const& req);

/** Answers one HTTP request whose header `parser` has read (the rest of it, a body, is read
 * here from `stream` and `buffer`): an HTTP lane's, a file, or the error that says why not.
 * @returns whether the connection may carry another request.
 */
template <class Stream>
boost::asio::awaitable<bool> serve_http(
    Stream& stream,
    boost::beast::flat_buffer& buffer,
    boost::beast::http::request_parser<boost::beast::http::empty_body>& parser,
    server_impl& srv);

extern template boost::asio::awaitable<bool> serve_http(
    boost::beast::tcp_stream&,
    boost::beast::flat_buffer&,
    boost::beast::http::request_parser<boost::beast::http::empty_body>&,
    server_impl&);
extern template boost::asio::awaitable<bool> serve_http(
    boost::asio::ssl::stream<boost::beast::tcp_stream>&,
    boost::beast::flat_buffer&,
    boost::beast::http::request_parser<boost::beast::http::empty_body>&,
    server_impl&);

}  // namespace swim::server::detail

#endif
