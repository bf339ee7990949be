// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/warp/http_route.hpp>

#include <array>
#include <cctype>
#include <cstdio>

namespace swim::warp {

namespace {

int hex_digit(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char lower(char c) noexcept
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// Whether `s` starts with `prefix`, ignoring case.
bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != lower(prefix[i]))
            return false;
    return true;
}

/// Whether `s` contains `what`, ignoring case.
bool contains_nocase(std::string_view s, std::string_view what) noexcept
{
    for (std::size_t i = 0; i + what.size() <= s.size(); ++i)
        if (starts_with_nocase(s.substr(i), what))
            return true;
    return false;
}

/// The media type of a Content-Type, without parameters and spaces.
std::string_view media_type(std::string_view content_type) noexcept
{
    auto const semi = content_type.find(';');
    auto type = content_type.substr(0, semi);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
        type.remove_prefix(1);
    return type;
}

bool equal_nocase(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && starts_with_nocase(a, b);
}

/// The value of the first `name=` parameter of a query, raw (not decoded).
std::optional<std::string_view> query_param(std::string_view query, std::string_view name) noexcept
{
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const pair = query.substr(0, amp);
        auto const eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

/// Whether a decoded file path is safe under a root: no `.` or `..` segment, no backslash.
bool safe_file_path(std::string_view path) noexcept
{
    if (path.find('\\') != std::string_view::npos)
        return false;
    while (!path.empty()) {
        auto const slash = path.find('/');
        auto const seg = path.substr(0, slash);
        if (seg == "." || seg == "..")
            return false;
        if (slash == std::string_view::npos)
            break;
        path.remove_prefix(slash + 1);
    }
    return true;
}

constexpr std::array<char const*, 7> day_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<char const*, 12>
    month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept
{
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    auto const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out)
{
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            int const hi = hex_digit(in[i + 1]);
            int const lo = hex_digit(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return false;
        out.push_back(c);
    }
    return true;
}

http_route route_http(std::string_view target, bool files)
{
    using kind = http_route::kind;
    http_route r;
    if (target.empty() || target.front() != '/') {
        r.what = kind::bad_request;
        r.why = "the request-target is not a path";
        return r;
    }
    auto const q = target.find('?');
    auto const path = target.substr(0, q);
    auto const query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    std::string decoded;
    if (!percent_decode(path, decoded)) {
        r.what = kind::bad_request;
        r.why = "the path does not percent-decode";
        return r;
    }
    if (auto lane = query_param(query, "lane"); lane && !lane->empty()) {
        if (!percent_decode(*lane, r.lane)) {
            r.what = kind::bad_request;
            r.why = "the lane name does not percent-decode";
            return r;
        }
        r.what = kind::lane;
        r.node = std::move(decoded);
        return r;
    }
    if (!files) {
        r.why = "No lane name was specified.";
        return r;
    }
    if (!safe_file_path(decoded)) {
        r.why = "no such file";
        return r;
    }
    r.what = kind::file;
    r.file = decoded.substr(1);
    return r;
}

http_format request_format(std::string_view content_type) noexcept
{
    auto const type = media_type(content_type);
    if (type.empty() || equal_nocase(type, "text/plain") || equal_nocase(type, "text/recon") ||
        equal_nocase(type, "application/recon"))
        return http_format::recon;
    if (equal_nocase(type, "application/json"))
        return http_format::json;
    return http_format::unsupported;
}

http_format response_format(std::string_view accept) noexcept
{
    return contains_nocase(accept, "application/json") ? http_format::json : http_format::recon;
}

std::string_view content_type_of(http_format f) noexcept
{
    return f == http_format::json ? "application/json" : "text/plain; charset=utf-8";
}

std::string_view file_content_type(std::string_view path) noexcept
{
    struct entry {
        std::string_view ext;
        std::string_view type;
    };
    static constexpr entry types[] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".recon", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".wasm", "application/wasm"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".pdf", "application/pdf"},
    };
    auto const slash = path.rfind('/');
    auto const name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto const dot = name.rfind('.');
    if (dot == std::string_view::npos)
        return "application/octet-stream";
    auto const ext = name.substr(dot);
    for (auto const& e : types)
        if (equal_nocase(ext, e.ext))
            return e.type;
    return "application/octet-stream";
}

std::string file_etag(std::uint64_t size, std::int64_t mtime)
{
    char buf[64];
    std::snprintf(
        buf,
        sizeof buf,
        "\"%llx-%llx\"",
        static_cast<unsigned long long>(size),
        static_cast<unsigned long long>(mtime));
    return buf;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) noexcept
{
    while (!if_none_match.empty()) {
        auto const comma = if_none_match.find(',');
        auto tag = media_type(if_none_match.substr(0, comma));  // (trims spaces)
        if (tag == "*")
            return true;
        if (starts_with_nocase(tag, "W/"))
            tag.remove_prefix(2);  // weak comparison, as If-None-Match asks
        if (tag == etag)
            return true;
        if (comma == std::string_view::npos)
            break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

std::string http_date(std::int64_t unix_seconds)
{
    std::int64_t days = unix_seconds / 86400;
    std::int64_t secs = unix_seconds % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    // Civil from days (Howard Hinnant's algorithm).
    std::int64_t const z = days + 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    auto const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const d = doy - (153 * mp + 2) / 5 + 1;
    unsigned const m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    auto const weekday = static_cast<std::size_t>(((days % 7) + 11) % 7);  // 1970-01-01: Thu
    char buf[40];
    std::snprintf(
        buf,
        sizeof buf,
        "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT",
        day_names[weekday],
        d,
        month_names[m - 1],
        static_cast<long long>(y),
        static_cast<long long>(secs / 3600),
        static_cast<long long>(secs / 60 % 60),
        static_cast<long long>(secs % 60));
    return buf;
}

std::optional<std::int64_t> parse_http_date(std::string_view s) noexcept
{
    // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters, fixed positions.
    if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT")
        return std::nullopt;
    auto number = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
        unsigned v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return std::nullopt;
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
        }
        return v;
    };
    auto const day = number(5, 2);
    auto const year = number(12, 4);
    auto const hour = number(17, 2);
    auto const minute = number(20, 2);
    auto const second = number(23, 2);
    unsigned month = 0;
    for (unsigned i = 0; i < month_names.size(); ++i)
        if (s.substr(8, 3) == month_names[i])
            month = i + 1;
    if (!day || !year || !hour || !minute || !second || month == 0 || *day < 1 || *day > 31 ||
        *hour > 23 || *minute > 59 || *second > 60)
        return std::nullopt;
    return days_from_civil(*year, month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
}

}  // namespace swim::warp
