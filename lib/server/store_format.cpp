// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "store_format.hpp"

#include <cstdint>

#include "../net/text.hpp"

namespace swim::server::detail::store_format {

namespace {

constexpr char agent_byte = '\x01';

void put_varint(std::string& out, std::size_t n)
{
    while (n >= 0x80) {
        out += static_cast<char>((n & 0x7f) | 0x80);
        n >>= 7;
    }
    out += static_cast<char>(n);
}

/// Reads a varint-prefixed string from the front of `in`; false when cut short.
bool take_string(std::string_view& in, std::string_view& out)
{
    std::uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
        if (in.empty() || shift > 56)
            return false;
        auto const b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        n |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    if (n > in.size())
        return false;
    out = in.substr(0, n);
    in.remove_prefix(n);
    return true;
}

}  // namespace

std::string agent_prefix(std::string_view node)
{
    std::string out;
    out.reserve(node.size() + 4);
    out += agent_byte;
    put_varint(out, node.size());
    out += node;
    return out;
}

std::string lane_key(std::string_view node, std::string_view lane, char tag)
{
    std::string out = agent_prefix(node);
    put_varint(out, lane.size());
    out += lane;
    out += tag;
    return out;
}

std::optional<agent_key> split_key(std::string_view key)
{
    if (key.empty() || key.front() != agent_byte)
        return std::nullopt;
    key.remove_prefix(1);
    agent_key k;
    if (!take_string(key, k.node) || !take_string(key, k.lane) || key.empty())
        return std::nullopt;
    k.tag = key.front();
    k.rest = key.substr(1);
    return k;
}

std::string check_format(std::optional<std::string_view> found, bool empty)
{
    if (!found)
        return empty ? std::string()
                     : "it holds data but no format version (not a swim-cpp store?)";
    if (*found == format_version)
        return {};
    return "it is in format version \"" + net::detail::escape_untrusted(*found, 64) +
           "\"; this build reads \"" + std::string(format_version) +
           "\" (move the directory aside, or run the build that wrote it)";
}

}  // namespace swim::server::detail::store_format
