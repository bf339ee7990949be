// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/writer.hpp>
#include <swim/warp/envelope.hpp>

#include <boost/system/system_error.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "../net/text.hpp"
#include "../recon/detail/chars.hpp"
#include "../recon/detail/parse_attr.hpp"
#include "../recon/detail/sink.hpp"
#include "envelope_head.hpp"

namespace swim::warp {

namespace {

constexpr std::array<std::string_view, 12> tags = {
    "event",
    "command",
    "link",
    "linked",
    "sync",
    "synced",
    "unlink",
    "unlinked",
    "auth",
    "authed",
    "deauth",
    "deauthed",
};

bool tag_kind(std::string_view tag, envelope_kind& out) noexcept
{
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (tags[i] == tag) {
            out = static_cast<envelope_kind>(i);
            return true;
        }
    }
    return false;
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The header fields as found, before they are checked.
struct header_fields {
    recon::value const* node_value = nullptr;  // slow path only
    recon::value const* lane_value = nullptr;
    std::string_view node;
    std::string_view lane;
    bool has_node = false;
    bool has_lane = false;
    bool node_is_text = true;
    bool lane_is_text = true;
};

// The fast path: `(key:value,...)` with identifier or plain-string values and numbers.
// Returns false (without an error) when the header needs the full Recon parser: positional
// items, escapes, nested values, comments, non-ASCII identifiers.
class fast_header {
public:
    fast_header(char const* p, char const* end)
        : p_(p)
        , end_(end)
    {}

    char const* p_;
    char const* end_;
    boost::system::error_code ec;

    // (The scans work on a local pointer and store p_ once.)
    void skip() noexcept
    {
        char const* p = p_;
        while (p < end_ && (*p == ' ' || *p == '\t'))
            ++p;
        p_ = p;
    }

    bool ident(std::string_view& out) noexcept
    {
        char const* s = p_;
        char const* p = p_;
        char const* const end = end_;
        if (p >= end || !recon::detail::is_ascii_ident_start(static_cast<unsigned char>(*p)))
            return false;
        p = recon::detail::skip_ident_chars(p + 1, end);
        p_ = p;
        if (p < end && static_cast<unsigned char>(*p) >= 0x80)
            return false;
        out = {s, static_cast<std::size_t>(p - s)};
        return true;
    }

    bool string(std::string_view& out) noexcept
    {
        char const* p = p_;
        char const* const end = end_;
        char q = *p;
        char const* s = ++p;
        // Escapes and non-ASCII text (to be checked as UTF-8) take the full parser.
        p = recon::detail::skip_plain_string_chars(p, end, q);
        p_ = p;
        if (p >= end || *p != q)
            return false;
        out = {s, static_cast<std::size_t>(p - s)};
        p_ = p + 1;
        return true;
    }

    // A text value (identifier or string); `is_text` false for a number, true/false, etc.
    bool text(std::string_view& out, bool& is_text) noexcept
    {
        if (p_ >= end_)
            return false;
        if (*p_ == '"' || *p_ == '\'') {
            is_text = true;
            return string(out);
        }
        if (!ident(out))
            return false;
        is_text = out != "true" && out != "false";
        return true;
    }

    bool number(double& out) noexcept
    {
        char const* s = p_;
        while (p_ < end_ && (std::isdigit(static_cast<unsigned char>(*p_)) || *p_ == '-' ||
                             *p_ == '+' || *p_ == '.' || *p_ == 'e' || *p_ == 'E'))
            ++p_;
        if (s == p_)
            return false;
        auto r = std::from_chars(s, p_, out);
        return r.ec == std::errc() && r.ptr == p_;
    }

    // Parses after '(' up to and including ')'.
    bool run(header_fields& h, envelope_view& out) noexcept
    {
        for (;;) {
            skip();
            if (p_ >= end_)
                return false;
            if (*p_ == ')') {
                ++p_;
                return true;
            }
            std::string_view key;
            bool key_is_text = true;
            if (!text(key, key_is_text) || !key_is_text)
                return false;
            skip();
            if (p_ >= end_ || *p_ != ':')
                return false;  // positional
            ++p_;
            skip();
            if (key == "node") {
                if (!text(h.node, h.node_is_text))
                    return false;
                h.has_node = true;
            } else if (key == "lane") {
                if (!text(h.lane, h.lane_is_text))
                    return false;
                h.has_lane = true;
            } else if (key == "prio" || key == "rate") {
                double d = 0;
                if (!number(d))
                    return false;
                (key == "prio" ? out.prio : out.rate) = d;
            } else {
                return false;  // unknown slot: let the full parser skip its value
            }
            skip();
            if (p_ >= end_)
                return false;
            if (*p_ == ',' || *p_ == ';')
                ++p_;
            else if (*p_ != ')')
                return false;
        }
    }
};

bool number_of(recon::value const& v, double& out) noexcept
{
    return v.to_double(out);
}

}  // namespace

std::string_view to_string(envelope_kind k) noexcept
{
    return tags[static_cast<std::size_t>(k)];
}

std::string envelope_error::message() const
{
    std::string m = code.message();
    if (recon.code)
        m += ": " + recon.message();
    if (!detail.empty())
        m += ": " + detail;
    return m;
}

recon::value envelope_view::parse_body(recon::parse_error& err, recon::parse_options const& opts)
    const
{
    return recon::parse(body, err, opts);
}

namespace {

/// The last header read by the fast path on this thread, as its bytes (from the frame's
/// start to its `)`) and what they read as: a lane's events come one after another, and the
/// same bytes always read the same (the fast path reads nothing but them).
struct header_memo {
    static constexpr std::size_t max_size = 256;
    std::string text;
    envelope_kind kind = envelope_kind::event;
    std::size_t node_at = 0, node_size = 0, lane_at = 0, lane_size = 0;
    double prio = 0, rate = 0;

    bool starts(std::string_view frame) const noexcept
    {
        return !text.empty() && frame.size() >= text.size() &&
               std::memcmp(frame.data(), text.data(), text.size()) == 0;
    }
};

thread_local header_memo last_header;

// The body after a header that ends at `p`.
void set_body(char const* p, char const* end, envelope_view& out) noexcept
{
    while (p < end && is_space(*p))
        ++p;
    out.body = {p, static_cast<std::size_t>(end - p)};
    // prio and rate mean something on link, linked and sync only (Rust keeps them there only).
    if (!has_link_params(out.kind))
        out.prio = out.rate = 0;
}

}  // namespace

envelope_error read_envelope(std::string_view frame, envelope_view& out, std::string& scratch)
{
    envelope_error result;
    out = envelope_view{};
    char const* p = frame.data();
    char const* end = p + frame.size();
    if (auto const& m = last_header; m.starts(frame)) {
        out.kind = m.kind;
        out.node = frame.substr(m.node_at, m.node_size);
        out.lane = frame.substr(m.lane_at, m.lane_size);
        out.prio = m.prio;
        out.rate = m.rate;
        set_body(p + m.text.size(), end, out);
        return result;
    }
    while (p < end && is_space(*p))
        ++p;
    if (p >= end || *p != '@') {
        result.code = error::not_an_envelope;
        result.detail = std::string(net::detail::utf8_prefix(frame, 32));
        return result;
    }
    char const* at = p++;

    // The tag: an identifier or a quoted string.
    std::string_view tag;
    std::string unescaped_tag;
    if (p < end && (*p == '"' || *p == '\'')) {
        recon::item a;
        std::size_t used = 0;
        recon::parse_error perr;
        if (!recon::detail::parse_leading_attr(
                {at, static_cast<std::size_t>(end - at)},
                a,
                used,
                perr,
                {})) {
            result.code = error::malformed_header;
            result.recon = perr;
            result.recon.offset += static_cast<std::size_t>(at - frame.data());
            return result;
        }
        unescaped_tag = std::string(a.name());
        tag = unescaped_tag;
        // Re-read from after the name so the header takes the common path below.
        p = at + 1;
        char q = *p++;
        while (p < end && *p != q)
            p += (*p == '\\') ? 2 : 1;
        ++p;
    } else {
        char const* s = p;
        while (p < end && recon::detail::is_ascii_ident_char(static_cast<unsigned char>(*p)))
            ++p;
        tag = {s, static_cast<std::size_t>(p - s)};
    }
    if (!tag_kind(tag, out.kind)) {
        result.code = error::unknown_envelope;
        result.detail = std::string(net::detail::utf8_prefix(tag, 64));
        return result;
    }

    if (!is_lane_addressed(out.kind)) {
        while (p < end && is_space(*p))
            ++p;
        out.body = {p, static_cast<std::size_t>(end - p)};
        return result;
    }

    header_fields h;
    recon::item header;  // the slow path's parse, kept alive for h's pointers
    if (p < end && *p == '(') {
        fast_header fast(p + 1, end);
        if (fast.run(h, out)) {
            p = fast.p_;
        } else {
            // The full Recon parser: positional headers, escapes, unknown slots, comments.
            h = header_fields{};
            out.prio = out.rate = 0;
            std::size_t used = 0;
            recon::parse_error perr;
            if (!recon::detail::parse_leading_attr(
                    {at, static_cast<std::size_t>(end - at)},
                    header,
                    used,
                    perr,
                    {})) {
                result.code = error::malformed_header;
                result.recon = perr;
                result.recon.offset += static_cast<std::size_t>(at - frame.data());
                return result;
            }
            p = at + used;
            recon::value const& args = header.val;
            recon::value const* positional[2] = {nullptr, nullptr};
            std::size_t npos = 0;
            auto take = [&](recon::item const& i) -> bool {
                if (i.is_slot()) {
                    std::string_view k = i.key.text_or_empty();
                    if (k == "node") {
                        h.node_value = &i.val;
                    } else if (k == "lane") {
                        h.lane_value = &i.val;
                    } else if (k == "prio" && !number_of(i.val, out.prio)) {
                        result.code = error::invalid_prio;
                        return false;
                    } else if (k == "rate" && !number_of(i.val, out.rate)) {
                        result.code = error::invalid_rate;
                        return false;
                    }
                } else if (i.is_value() && npos < 2) {
                    positional[npos++] = &i.val;
                }
                return true;
            };
            if (auto r = args.if_record()) {
                for (auto const& i : *r)
                    if (!take(i))
                        return result;
            } else if (!args.is_empty()) {
                positional[npos++] = &args;
            }
            if (!h.node_value)
                h.node_value = positional[0];
            if (!h.lane_value)
                h.lane_value = positional[1];
            h.has_node = h.node_value != nullptr;
            h.has_lane = h.lane_value != nullptr;
            h.node_is_text = h.has_node && h.node_value->is_text();
            h.lane_is_text = h.has_lane && h.lane_value->is_text();
        }
    }
    if (!h.has_node) {
        result.code = error::missing_node;
        return result;
    }
    if (!h.has_lane) {
        result.code = error::missing_lane;
        return result;
    }
    if (!h.node_is_text) {
        result.code = error::invalid_node;
        return result;
    }
    if (!h.lane_is_text) {
        result.code = error::invalid_lane;
        return result;
    }
    if (h.node_value) {
        // Slow path: the texts live in `header`, which dies here; copy them to scratch.
        std::string_view n = h.node_value->as_text();
        std::string_view l = h.lane_value->as_text();
        scratch.assign(n);
        scratch.append(l);
        out.node = std::string_view(scratch).substr(0, n.size());
        out.lane = std::string_view(scratch).substr(n.size());
    } else {
        out.node = h.node;
        out.lane = h.lane;
        // Read from the frame's own bytes: kept for the next frame with the same head.
        if (auto const size = static_cast<std::size_t>(p - frame.data());
            size <= header_memo::max_size) {
            auto& m = last_header;
            m.text.assign(frame.data(), size);
            m.kind = out.kind;
            m.node_at = static_cast<std::size_t>(out.node.data() - frame.data());
            m.node_size = out.node.size();
            m.lane_at = static_cast<std::size_t>(out.lane.data() - frame.data());
            m.lane_size = out.lane.size();
            m.prio = out.prio;
            m.rate = out.rate;
        }
    }
    set_body(p, end, out);
    return result;
}

namespace {

// prio and rate: an integral number as an integer (`rate:1`, as Java writes it), else the
// shortest float.
void append_number(double d, std::string& out)
{
    if (std::trunc(d) == d && std::fabs(d) < 1e15) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
        out.append(buf, r.ptr);
        return;
    }
    recon::write(recon::value(d), out);
}

void append_body(std::string_view body_text, std::string& out)
{
    if (body_text.empty())
        return;
    if (body_text.front() != '@')
        out.push_back(' ');
    out.append(body_text);
}

void write_head(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    std::string& out,
    link_params params)
{
    out.push_back('@');
    out.append(to_string(kind));
    out.append("(node:");
    recon::write_text(node, out);
    out.append(",lane:");
    recon::write_text(lane, out);
    if (has_link_params(kind) && params.prio != 0 && std::isfinite(params.prio)) {
        out.append(",prio:");
        append_number(params.prio, out);
    }
    if (has_link_params(kind) && params.rate != 0 && std::isfinite(params.rate)) {
        out.append(",rate:");
        append_number(params.rate, out);
    }
    out.push_back(')');
}

}  // namespace

void detail::put_envelope_head(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    recon::detail::sink& k)
{
    struct memo {
        envelope_kind kind = envelope_kind::event;
        std::string node, lane, head;
    };
    thread_local memo last;
    if (kind == last.kind && node == last.node && lane == last.lane && !last.head.empty()) {
        k.put(std::string_view(last.head));
        return;
    }
    std::size_t const start = k.size();
    std::string_view tag = to_string(kind);
    char* p = k.room(tag.size() + 8);
    *p++ = '@';
    std::memcpy(p, tag.data(), tag.size());
    p += tag.size();
    std::memcpy(p, "(node:", 6);
    k.advance(tag.size() + 7);
    recon::detail::write_text_to(node, k);
    k.put(std::string_view(",lane:"));
    recon::detail::write_text_to(lane, k);
    k.put(')');
    if (node.size() + lane.size() > 256)
        return;
    last.kind = kind;
    last.node.assign(node);
    last.lane.assign(lane);
    last.head.assign(&k.at(start), k.size() - start);
}

void write_envelope_text(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    std::string_view body_text,
    std::string& out,
    link_params params)
{
    write_head(kind, node, lane, out, params);
    append_body(body_text, out);
}

void write_envelope(
    envelope_kind kind,
    std::string_view node,
    std::string_view lane,
    recon::value const& body,
    std::string& out,
    link_params params)
{
    if (has_link_params(kind) && (params.prio != 0 || params.rate != 0)) {
        // prio and rate: the plain path.
        write_head(kind, node, lane, out, params);
        if (body.is_empty())
            return;
        if (!recon::writes_leading_attr(body))
            out.push_back(' ');
        recon::write(body, out);
        return;
    }
    // The common envelope, head and body through one buffer.
    boost::system::error_code ec;
    {
        recon::detail::sink k(out);
        detail::put_envelope_head(kind, node, lane, k);
        if (!body.is_empty()) {
            // A space first unless the body starts with '@' (the Rust layout).
            if (!recon::writes_leading_attr(body))
                k.put(' ');
            recon::detail::write_value_to(body, k, ec);
        }
    }
    if (ec)
        throw boost::system::system_error(ec, "swim::recon::write");
}

void write_host_envelope(envelope_kind kind, std::string_view body_text, std::string& out)
{
    out.push_back('@');
    out.append(to_string(kind));
    append_body(body_text, out);
}

envelope_error parse_envelope(std::string_view frame, envelope& out)
{
    envelope_view view;
    std::string scratch;
    envelope_error err = read_envelope(frame, view, scratch);
    if (err)
        return err;
    recon::parse_error perr;
    recon::value body = view.parse_body(perr);
    if (perr) {
        err.code = error::malformed_body;
        err.recon = perr;
        // Offsets are reported relative to the frame.
        err.recon.offset += static_cast<std::size_t>(view.body.data() - frame.data());
        return err;
    }
    out.kind = view.kind;
    out.node.assign(view.node);
    out.lane.assign(view.lane);
    out.prio = view.prio;
    out.rate = view.rate;
    out.body = std::move(body);
    return err;
}

std::string to_string(envelope const& e)
{
    std::string out;
    if (is_lane_addressed(e.kind)) {
        write_envelope(e.kind, e.node, e.lane, e.body, out, {e.prio, e.rate});
    } else {
        std::string body;
        recon::write(e.body, body);
        write_host_envelope(e.kind, body, out);
    }
    return out;
}

}  // namespace swim::warp
