// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_LIB_SERVER_STORE_FORMAT_HPP
#define SWIM_LIB_SERVER_STORE_FORMAT_HPP

#include <optional>
#include <string>
#include <string_view>

/** @file
 * The keys the server writes to a store (sans-io: no Asio, no clock, no file).
 *
 * An agent's key: `0x01`, the node URI, the lane name (each as a varint length and its
 * bytes), a tag, then for an entry the entry's key as Recon text:
 * - `v`: the state of a value lane or value store (the value: Recon text);
 * - `m` + key: an entry of a map lane or map store (the value: Recon text);
 * - `j` + key: a link of a join lane (the value: `{node:..,lane:..}` or with `host:`).
 * The lengths make every node's keys one prefix and every lane's one prefix within it.
 *
 * Keys starting `0x00` are the store's own: `0x00 "format"` holds format_version, written
 * when the store is made; a store with another version (or data and none) is refused.
 */

namespace swim::server::detail::store_format {

/// The version of this layout; a store written with another one is refused.
inline constexpr std::string_view format_version = "swim-cpp-store 1";
/// The key holding the version.
inline constexpr std::string_view format_key{"\0format", 7};

inline constexpr char value_tag = 'v';
inline constexpr char entry_tag = 'm';
inline constexpr char link_tag = 'j';

/// The prefix of every key of the agent at `node`.
std::string agent_prefix(std::string_view node);
/// The prefix of every key of lane `lane` of the agent at `node`, with `tag` (value_tag: the
/// whole key of a value's state).
std::string lane_key(std::string_view node, std::string_view lane, char tag);

/// A key read back from a store, split.
struct agent_key {
    std::string_view node;
    std::string_view lane;
    char tag = 0;
    /// What follows the tag (an entry's key as Recon text).
    std::string_view rest;
};
/// `key` split, or nullopt when it is not an agent's key (or is cut short).
std::optional<agent_key> split_key(std::string_view key);

/** Whether a store may be used: `found` is the value at format_key (nullopt: none),
 * `empty` whether it holds no other key. @returns an empty string when it may (a new store:
 * then write format_version), else why not.
 */
std::string check_format(std::optional<std::string_view> found, bool empty);

}  // namespace swim::server::detail::store_format

#endif
