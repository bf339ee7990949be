// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <boost/system/system_error.hpp>

#include "../recon/detail/parse_attr.hpp"
#include "../recon/detail/sink.hpp"
#include "envelope_head.hpp"
#include "map_update_reader.hpp"

namespace swim::warp {

namespace {

// Java's `body()`: the items after the first, flattened (none: absent; one plain value:
// that value; else a record of them).
recon::value rest_of(recon::record& r)
{
    std::size_t n = r.size() - 1;
    if (n == 0)
        return {};
    if (n == 1 && r[1].is_value())
        return std::move(r[1].val);
    recon::record rest;
    rest.reserve(n);
    for (std::size_t i = 1; i < r.size(); ++i)
        rest.push_back(std::move(r[i]));
    return recon::value(std::move(rest));
}

// The key of `@update(key:K)` / `@remove(key:K)`; a lone positional value is taken too.
bool key_of(recon::value& header, recon::value& out)
{
    if (auto r = header.if_record()) {
        for (auto& i : *r) {
            if (i.is_slot() && i.key.text_or_empty() == "key") {
                out = std::move(i.val);
                return true;
            }
        }
        return false;
    }
    if (header.is_empty())
        return false;
    out = std::move(header);
    return true;
}

}  // namespace

boost::system::error_code to_map_event(recon::value body, map_event& out)
{
    auto r = body.if_record();
    if (!r || r->empty() || !(*r)[0].is_attr())
        return error::invalid_map_event;
    std::string_view tag = (*r)[0].name();
    recon::value& header = (*r)[0].val;
    if (tag == "update") {
        out.kind = map_event::op::update;
        out.n = 0;
        if (!key_of(header, out.key))
            return error::invalid_map_event;
        out.value = rest_of(*r);
        return {};
    }
    if (tag == "remove") {
        out.kind = map_event::op::remove;
        out.value = {};
        out.n = 0;
        if (!key_of(header, out.key) || r->size() != 1)
            return error::invalid_map_event;
        return {};
    }
    if (tag == "clear") {
        out = map_event::clear();
        return r->size() == 1 ? boost::system::error_code() : error::invalid_map_event;
    }
    if (tag == "take" || tag == "drop") {
        std::uint64_t n = 0;
        if (r->size() != 1 || !header.flattened().to_uint64(n))
            return error::invalid_map_event;
        out = tag == "take" ? map_event::take(n) : map_event::drop(n);
        return {};
    }
    return error::invalid_map_event;
}

recon::value to_value(map_event const& e)
{
    recon::record r;
    switch (e.kind) {
        case map_event::op::update: {
            r.add_attr("update", recon::make_record(recon::item::slot("key", e.key)));
            auto v = e.value.if_record();
            bool lone_value = v && v->size() == 1 && (*v)[0].is_value();
            if (v && !v->empty() && !lone_value) {
                // A record value joins the envelope record (Java `concat`), so it is written
                // `@update(key:k){a:1}` or `@update(key:k)@tag{a:1}`. One holding a single
                // plain value stays nested (`@update(key:k){{3}}`): spliced, it would read
                // back as that value.
                for (auto const& i : *v)
                    r.push_back(i);
            } else if (!e.value.is_empty()) {
                r.add_value(e.value);
            }
            break;
        }
        case map_event::op::remove:
            r.add_attr("remove", recon::make_record(recon::item::slot("key", e.key)));
            break;
        case map_event::op::clear: r.add_attr("clear", recon::value(recon::extant)); break;
        case map_event::op::take: r.add_attr("take", recon::value(e.n)); break;
        case map_event::op::drop: r.add_attr("drop", recon::value(e.n)); break;
    }
    return recon::value(std::move(r));
}

void write_map_event(map_event const& e, std::string& out)
{
    recon::write(to_value(e), out);
}

namespace {

// Kinds the writer writes as one token, the same inside an attribute and after it.
bool scalar(recon::value const& v) noexcept
{
    switch (v.kind()) {
        case recon::kind::boolean:
        case recon::kind::int64:
        case recon::kind::uint64:
        case recon::kind::float64:
        case recon::kind::text: return true;
        default: return false;
    }
}

}  // namespace

void write_map_update_envelope(
    std::string_view node,
    std::string_view lane,
    recon::value const& key,
    recon::value const& value,
    std::string& out)
{
    if (!scalar(key) || !scalar(value)) {
        write_envelope(
            envelope_kind::event,
            node,
            lane,
            to_value(map_event::update(key, value)),
            out);
        return;
    }
    // What the generic writer makes of `[@update({key:K}), V]` with scalars K and V (the
    // tests hold the two to the same text): `@update(key:K) V`, by the writer's own rules.
    boost::system::error_code ec;
    {
        recon::detail::sink k(out);
        detail::put_envelope_head(envelope_kind::event, node, lane, k);
        k.put(std::string_view("@update(key:"));
        recon::detail::write_value_to(key, k, ec);
        k.put(')');
        recon::detail::write_after_attrs_to(value, k, ec);
    }
    if (ec)
        throw boost::system::system_error(ec, "swim::recon::write");
}

void write_map_event_envelope(
    std::string_view node,
    std::string_view lane,
    map_event const& e,
    std::string& out)
{
    if (e.kind == map_event::op::update)
        write_map_update_envelope(node, lane, e.key, e.value, out);
    else
        write_envelope(envelope_kind::event, node, lane, to_value(e), out);
}

namespace detail {

namespace {

bool token_char(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/// The length of the plain token at the start of `s`: a quoted text without escapes (quotes
/// included) or a run of identifier and number characters; 0 when there is none.
std::size_t plain_token(std::string_view s) noexcept
{
    if (s.empty())
        return 0;
    if (s[0] == '"') {
        for (std::size_t i = 1; i < s.size(); ++i) {
            if (s[i] == '"')
                return i + 1;
            if (s[i] == '\\')
                return 0;
        }
        return 0;
    }
    std::size_t n = 0;
    while (n < s.size() && token_char(s[n]))
        ++n;
    return n;
}

/// Space between the header and the value (a newline is not: it would end an item).
bool blank(char c) noexcept
{
    return c == ' ' || c == '\t';
}

/// `text` parsed as one scalar (a text, a number, a boolean), or false.
bool scalar_of(std::string_view text, recon::value& out, recon::parse_options const& opts)
{
    if (recon::detail::parse_simple_scalar(text, out))
        return true;  // (the common case: no record built)
    recon::parse_error err;
    out = recon::parse(text, err, opts);
    return !err && (out.is_text() || out.is_number() || out.is_bool());
}

/// The common update, a simple scalar key right before `)` and a simple scalar value (or none)
/// after it, read in one pass (no token scan first): what scalar_of would read of each.
bool read_simple_update(std::string_view body, map_event& out)
{
    char const* p = body.data();
    char const* end = p + body.size();
    out.key = recon::value();
    p = recon::detail::read_simple_scalar(p, end, out.key);
    if (!p || p == end || *p != ')')
        return false;
    ++p;
    while (p < end && blank(*p))
        ++p;
    while (p < end && blank(end[-1]))
        --end;
    out.value = recon::value();
    if (p != end && recon::detail::read_simple_scalar(p, end, out.value) != end)
        return false;
    out.kind = map_event::op::update;
    out.n = 0;
    return true;
}

}  // namespace

bool read_map_update(std::string_view body, map_event& out, recon::parse_options const& opts)
{
    constexpr std::string_view head = "@update(key:";
    if (!body.starts_with(head))
        return false;
    // Near a limit, the parser decides (the whole body counts, not its two tokens; the record
    // it builds costs under 1 KiB more than its text).
    if ((opts.max_size != 0 && body.size() > opts.max_size) ||
        (opts.max_memory != 0 && body.size() + 1024 > opts.max_memory) || opts.max_depth == 0)
        return false;
    body.remove_prefix(head.size());
    if (read_simple_update(body, out))
        return true;
    std::size_t const k = plain_token(body);
    if (k == 0 || k >= body.size() || body[k] != ')')
        return false;
    std::string_view const key = body.substr(0, k);
    body.remove_prefix(k + 1);
    while (!body.empty() && blank(body.front()))
        body.remove_prefix(1);
    while (!body.empty() && blank(body.back()))
        body.remove_suffix(1);
    std::size_t const v = plain_token(body);
    if (v != body.size())
        return false;  // (something else follows, or a value that is no plain token)
    if (!scalar_of(key, out.key, opts))
        return false;
    if (body.empty())
        out.value = recon::value();
    else if (!scalar_of(body, out.value, opts))
        return false;
    out.kind = map_event::op::update;
    out.n = 0;
    return true;
}

}  // namespace detail

}  // namespace swim::warp
