// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes the HTTP decisions of the WARP port (warp::route_http and its helpers): any
// request-target is routed without a crash, a file path never holds a `.` or `..` segment,
// a backslash or a NUL, and a lane's node and name decode from the target; the header helpers
// (formats, ETag matching, HTTP dates) take anything.

#include <swim/warp/http_route.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace warp = swim::warp;

namespace {

void require(bool ok)
{
    if (!ok)
        std::abort();
}

/// Whether `path` has a `.` or `..` segment.
bool has_dot_segment(std::string_view path)
{
    while (true) {
        auto const slash = path.find('/');
        auto const seg = path.substr(0, slash);
        if (seg == "." || seg == "..")
            return true;
        if (slash == std::string_view::npos)
            return false;
        path.remove_prefix(slash + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const in(reinterpret_cast<char const*>(data), size);
    for (bool files : {false, true}) {
        auto const r = warp::route_http(in, files);
        using kind = warp::http_route::kind;
        switch (r.what) {
            case kind::file:
                require(files);
                require(!has_dot_segment(r.file));
                require(r.file.find('\\') == std::string::npos);
                require(r.file.find('\0') == std::string::npos);
                break;
            case kind::lane:
                require(!r.node.empty() && r.node.front() == '/');
                require(!r.lane.empty());
                require(r.node.find('\0') == std::string::npos);
                break;
            case kind::not_found:
            case kind::bad_request: require(!r.why.empty()); break;
        }
    }
    std::string decoded;
    if (warp::percent_decode(in, decoded))
        require(decoded.size() <= in.size() && decoded.find('\0') == std::string::npos);
    (void)warp::request_format(in);
    (void)warp::response_format(in);
    (void)warp::file_content_type(in);
    auto const tag = warp::file_etag(size, static_cast<std::int64_t>(size) * 7);
    (void)warp::etag_matches(in, tag);
    require(warp::etag_matches(tag, tag));
    if (auto t = warp::parse_http_date(in))
        require(warp::parse_http_date(warp::http_date(*t)) == t);
    return 0;
}
