// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_WARP_HTTP_ROUTE_HPP
#define SWIM_WARP_HTTP_ROUTE_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/** @file
 * HTTP on the WARP port, its decisions (sans-io): where a request that is not a WebSocket
 * upgrade goes, the body formats, files' content types and validators. The server's I/O
 * layer reads the request, asks here, and answers.
 *
 * A request-target `/<node URI>?lane=<lane>` goes to the HTTP lane `lane` of the agent at the
 * node (path and lane percent-decoded, as swim-rust's server does); one without `lane=` goes
 * to the file server when there is one (server_config::http_root), else it is not found.
 */

namespace swim::warp {

/// Where an HTTP request goes.
struct http_route {
    enum class kind : std::uint8_t {
        /// The HTTP lane `lane` of the agent at `node`.
        lane,
        /// The file `file` under the file server's root (relative, every segment checked;
        /// empty or ending in '/': a directory, whose index.html is meant).
        file,
        /// 404, `why` says why.
        not_found,
        /// 400, `why` says what was wrong.
        bad_request
    };
    kind what = kind::not_found;
    std::string node;
    std::string lane;
    std::string file;
    std::string why;
};

/** Routes `target` (the request-target, origin form: "/path?query"). `files`: whether a
 * file server is configured. A path or lane that does not percent-decode, or holds a NUL, is
 * a bad request; a file path with a `.` or `..` segment (encoded or not) or a backslash is
 * not found (it could leave the root).
 */
http_route route_http(std::string_view target, bool files);

/// Percent-decodes `in` into `out`; false for a `%` not followed by two hex digits or a
/// decoded NUL.
bool percent_decode(std::string_view in, std::string& out);

/// The body format of a request (by its Content-Type) or of a response (by the request's
/// Accept).
enum class http_format : std::uint8_t {
    recon,
    json,
    /// A request body of a type neither Recon nor JSON (415).
    unsupported
};
/// By Content-Type: none, text/plain or a Recon type: Recon; application/json: JSON.
http_format request_format(std::string_view content_type) noexcept;
/// By Accept: JSON when it names application/json, else Recon.
http_format response_format(std::string_view accept) noexcept;
/// The Content-Type of a body in `f` (Recon: text/plain; charset=utf-8).
std::string_view content_type_of(http_format f) noexcept;

/// A file's Content-Type by its extension (application/octet-stream when unknown).
std::string_view file_content_type(std::string_view path) noexcept;

/// A file's strong ETag, from its size and modification time (seconds).
std::string file_etag(std::uint64_t size, std::int64_t mtime);
/// Whether an If-None-Match header names `etag` (or is `*`).
bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept;

/// An HTTP-date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") of `unix_seconds`.
std::string http_date(std::int64_t unix_seconds);
/// The seconds of an IMF-fixdate; nullopt when it is not one.
std::optional<std::int64_t> parse_http_date(std::string_view date) noexcept;

}  // namespace swim::warp

#endif
