// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The WebSocket protocol without I/O, in both roles: a server's session reads masked frames,
// a client's unmasked ones; text must be UTF-8; one pong at most waits; the close handshake;
// keepalive and idle deadlines; the opening handshake; text from the network made safe.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../../lib/net/text.hpp"
#include "../../../lib/net/ws_handshake.hpp"
#include "../../../lib/net/ws_session.hpp"

namespace {

using namespace swim::net::detail;
using type = ws_event::type;

// A frame as a client (masked) or a server (unmasked) writes it.
std::string frame(ws_opcode op, std::string_view payload, bool masked, bool fin = true)
{
    std::string out;
    if (masked)
        append_ws_frame(out, op, payload, 0xA1B2C3D4u);
    else
        append_ws_frame(out, op, payload, std::nullopt);
    if (!fin)
        out[0] = static_cast<char>(out[0] & 0x7F);
    return out;
}

std::string close_frame(std::uint16_t code, std::string_view reason, bool masked)
{
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xFF);
    payload += reason;
    return frame(ws_opcode::close, payload, masked);
}

struct decoded {
    std::vector<ws_event::type> what;
    std::vector<std::string> payload;
    std::vector<std::uint16_t> code;
};

// Feeds `bytes` to `s` in steps of `step` bytes, as reads would.
decoded feed(ws_session& s, std::string const& bytes, std::size_t step = 1 << 20)
{
    decoded out;
    std::string buf;
    std::size_t fed = 0;
    for (;;) {
        std::size_t used = 0;
        ws_event e = s.next(buf, used);
        if (e.what != type::need_more) {
            out.what.push_back(e.what);
            out.payload.emplace_back(e.payload);
            out.code.push_back(e.code);
        }
        buf.erase(0, used);
        if (e.what == type::need_more) {
            if (fed == bytes.size())
                return out;
            std::size_t n = std::min(step, bytes.size() - fed);
            buf.append(bytes, fed, n);
            fed += n;
        }
    }
}

// Decodes what a session wrote, as its peer would (one event per frame).
std::vector<ws_event::type> frames_of(
    std::string bytes,
    bool masked,
    std::vector<std::string>* payloads = nullptr)
{
    ws_decoder d(1 << 20, masked);
    std::vector<ws_event::type> out;
    std::size_t off = 0;
    for (;;) {
        std::size_t used = 0;
        ws_event e = d.next(std::span<char>(bytes).subspan(off), used);
        off += used;
        if (e.what == type::need_more)
            return out;
        out.push_back(e.what);
        if (payloads)
            payloads->emplace_back(e.payload);
        if (e.what == type::error)
            return out;
    }
}

ws_session server(std::uint64_t idle_ms = 0)
{
    return ws_session(ws_role::server, ws_session_options{1 << 20, idle_ms}, 1000, 7);
}

ws_session client(std::uint64_t idle_ms = 0)
{
    return ws_session(ws_role::client, ws_session_options{1 << 20, idle_ms}, 1000, 7);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ws_session_roles)

BOOST_AUTO_TEST_CASE(a_server_reads_masked_frames_split_anywhere)
{
    std::string const big(70000, 'b');
    std::string const bytes = frame(ws_opcode::text, "@sync(node:a,lane:b)", true) +
                              frame(ws_opcode::text, big, true) +
                              frame(ws_opcode::text, "h\xC3\xA9", true, false) +
                              frame(ws_opcode::continuation, "llo", true);
    for (std::size_t step : {std::size_t(1), std::size_t(13), bytes.size()}) {
        auto s = server();
        auto d = feed(s, bytes, step);
        BOOST_TEST_REQUIRE(d.what.size() == 3u);
        BOOST_TEST(d.payload[0] == "@sync(node:a,lane:b)");
        BOOST_TEST(d.payload[1] == big);
        BOOST_TEST(d.payload[2] == "h\xC3\xA9llo");
    }
}

BOOST_AUTO_TEST_CASE(each_role_refuses_the_other_roles_masking)
{
    auto s = server();
    auto d = feed(s, frame(ws_opcode::text, "x", false));
    BOOST_TEST_REQUIRE(d.what.size() == 1u);
    BOOST_TEST((d.what[0] == type::error));
    BOOST_TEST(d.code[0] == ws_close::protocol_error);
    BOOST_TEST(d.payload[0].find("unmasked frame from the client") != std::string::npos);
    auto c = client();
    d = feed(c, frame(ws_opcode::text, "x", true));
    BOOST_TEST_REQUIRE(d.what.size() == 1u);
    BOOST_TEST(d.payload[0].find("masked frame from the server") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_refused_with_1007)
{
    std::vector<std::string> bad = {
        frame(ws_opcode::text, "ab\xFF", false),
        frame(ws_opcode::text, "\xC0\xAF", false),          // overlong '/'
        frame(ws_opcode::text, "\xED\xA0\x80", false),      // a surrogate
        frame(ws_opcode::text, "\xF4\x90\x80\x80", false),  // above U+10FFFF
        frame(ws_opcode::text, "ab\xE2\x82", false, false) +
            frame(ws_opcode::continuation, "", false),
        close_frame(1000, "\xFE", false),
    };
    for (auto const& b : bad) {
        auto c = client();
        auto d = feed(c, b);
        BOOST_TEST_REQUIRE(d.what.size() == 1u);
        BOOST_TEST((d.what[0] == type::error));
        BOOST_TEST(d.code[0] == ws_close::invalid_payload);
        // The answer is a close frame with 1007, and nothing more is read.
        std::string out;
        c.take_control(out);
        std::vector<std::string> payloads;
        auto f = frames_of(out, true, &payloads);
        BOOST_TEST_REQUIRE(f.size() == 1u);
        BOOST_TEST((f[0] == type::close));
        BOOST_TEST(c.reading_done());
        auto more = feed(c, frame(ws_opcode::text, "after", false));
        BOOST_TEST(more.what.empty());
    }
    // A character split between two fragments is fine.
    auto c = client();
    auto d = feed(
        c,
        frame(ws_opcode::text, "\xE2\x82", false, false) +
            frame(ws_opcode::continuation, "\xAC", false));
    BOOST_TEST_REQUIRE(d.what.size() == 1u);
    BOOST_TEST(d.payload[0] == "\xE2\x82\xAC");
}

BOOST_AUTO_TEST_CASE(close_codes_that_may_not_be_sent_are_a_protocol_error)
{
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
        auto s = server();
        auto d = feed(s, close_frame(code, "", true));
        BOOST_TEST_REQUIRE(d.what.size() == 1u, code);
        BOOST_TEST((d.what[0] == type::error), code);
        BOOST_TEST(d.code[0] == ws_close::protocol_error);
    }
    for (std::uint16_t code : {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999}) {
        auto s = server();
        auto d = feed(s, close_frame(code, "bye", true));
        BOOST_TEST_REQUIRE(d.what.size() == 1u, code);
        BOOST_TEST((d.what[0] == type::close), code);
    }
}

BOOST_AUTO_TEST_CASE(only_the_latest_ping_is_answered)
{
    // A peer that streams pings and never reads: one pong waits, whatever the count.
    for (auto role : {ws_role::client, ws_role::server}) {
        ws_session s(role, {}, 0, 1);
        bool const masked = role == ws_role::server;
        std::string pings;
        for (int i = 0; i < 10000; ++i)
            pings += frame(ws_opcode::ping, "p" + std::to_string(i), masked);
        auto d = feed(s, pings, 4096);
        BOOST_TEST(d.what.empty());
        BOOST_TEST(s.has_control());
        std::string out;
        s.take_control(out);
        std::vector<std::string> payloads;
        auto f = frames_of(out, role == ws_role::client, &payloads);
        BOOST_TEST_REQUIRE(f.size() == 1u);
        BOOST_TEST((f[0] == type::pong));
        BOOST_TEST(payloads[0] == "p9999");
        BOOST_TEST(!s.has_control());
    }
}

BOOST_AUTO_TEST_CASE(the_peers_close_is_answered_and_ends_the_connection)
{
    auto s = server();
    auto d = feed(s, frame(ws_opcode::text, "a", true) + close_frame(1001, "going", true));
    BOOST_TEST_REQUIRE(d.what.size() == 2u);
    BOOST_TEST((d.what[1] == type::close));
    BOOST_TEST(d.code[1] == 1001);
    BOOST_TEST(d.payload[1] == "going");
    BOOST_TEST(!s.can_send());
    BOOST_TEST(!s.finished());
    std::string out;
    s.take_control(out);
    std::vector<std::string> payloads;
    auto f = frames_of(out, false, &payloads);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST((f[0] == type::close));
    BOOST_TEST(s.finished());
    // Nothing is sent after the close frame, not even a pong.
    feed(s, frame(ws_opcode::ping, "late", true));
    BOOST_TEST(!s.has_control());
}

BOOST_AUTO_TEST_CASE(our_close_waits_for_the_peers_answer)
{
    auto c = client();
    c.close(1000, "done");
    BOOST_TEST(!c.can_send());
    std::string out;
    c.take_control(out);
    BOOST_TEST(c.close_sent());
    BOOST_TEST(!c.finished());
    // Messages that cross our close are still read.
    auto d = feed(c, frame(ws_opcode::text, "crossing", false) + close_frame(1000, "", false));
    BOOST_TEST_REQUIRE(d.what.size() == 2u);
    BOOST_TEST(d.payload[0] == "crossing");
    BOOST_TEST(c.finished());
}

BOOST_AUTO_TEST_CASE(close_reasons_are_utf8_and_at_most_123_bytes)
{
    // A two-byte character straddling byte 123, and a reason with bytes that are not UTF-8.
    std::string const straddle = std::string(122, 'r') + "\xC3\xA9" + "tail";
    std::string const invalid = "bad frame: \xFF\xFE\n" + std::string(200, 'x');
    for (auto const& reason : {straddle, invalid}) {
        auto s = server();
        s.close(1002, reason);
        std::string out;
        s.take_control(out);
        ws_decoder d(1 << 20, false);
        std::size_t used = 0;
        ws_event e = d.next(out, used);
        BOOST_TEST_REQUIRE((e.what == type::close));
        BOOST_TEST(e.payload.size() <= 123u);
        BOOST_TEST(valid_utf8(e.payload));
    }
}

BOOST_AUTO_TEST_CASE(a_client_masks_every_frame_a_server_none)
{
    auto c = client();
    std::string out;
    c.append_text(out, "@link(node:a,lane:b)");
    std::vector<std::string> payloads;
    auto f = frames_of(out, true, &payloads);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST(payloads[0] == "@link(node:a,lane:b)");
    auto s = server();
    out.clear();
    s.append_text(out, "@linked(node:a,lane:b)");
    payloads.clear();
    f = frames_of(out, false, &payloads);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST(payloads[0] == "@linked(node:a,lane:b)");
}

BOOST_AUTO_TEST_CASE(a_silent_peer_is_pinged_after_half_the_idle_timeout_and_lost_after_all)
{
    auto s = server(10000);  // made at t = 1000
    BOOST_TEST(s.deadline() == 6000u);
    BOOST_TEST((s.on_timer(5999) == ws_session::timer_result::none));
    BOOST_TEST((s.on_timer(6000) == ws_session::timer_result::ping));
    std::string out;
    s.take_control(out);
    auto f = frames_of(out, false);
    BOOST_TEST_REQUIRE(f.size() == 1u);
    BOOST_TEST((f[0] == type::ping));
    BOOST_TEST(s.deadline() == 11000u);
    // A pong (any byte) keeps it.
    s.on_input(9000);
    BOOST_TEST(s.deadline() == 14000u);
    BOOST_TEST((s.on_timer(14000) == ws_session::timer_result::ping));
    BOOST_TEST((s.on_timer(18999) == ws_session::timer_result::none));
    BOOST_TEST((s.on_timer(19000) == ws_session::timer_result::lost));
    // Without an idle timeout there is no deadline.
    auto quiet = server(0);
    BOOST_TEST(quiet.deadline() == ws_session::never);
    BOOST_TEST((quiet.on_timer(1u << 30) == ws_session::timer_result::none));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ws_opening_handshake)

BOOST_AUTO_TEST_CASE(the_accept_value_is_the_rfcs)
{
    // RFC 6455 §1.3.
    BOOST_TEST(ws_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    std::array<unsigned char, 16> random{};
    BOOST_TEST(ws_key(random) == "AAAAAAAAAAAAAAAAAAAAAA==");
}

BOOST_AUTO_TEST_CASE(upgrade_requests_are_checked)
{
    ws_upgrade_request ok;
    ok.method = "GET";
    ok.upgrade = "WebSocket";
    ok.connection = "keep-alive, Upgrade";
    ok.key = "dGhlIHNhbXBsZSBub25jZQ==";
    ok.ws_version = "13";
    ok.protocols = "chat, warp0";
    auto a = check_upgrade_request(ok);
    BOOST_TEST(a.status == 101u);
    BOOST_TEST(a.warp0);
    std::string res = upgrade_response(a, ok.key);
    BOOST_TEST(
        res.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
    BOOST_TEST(res.find("Sec-WebSocket-Protocol: warp0\r\n") != std::string::npos);

    struct bad {
        ws_upgrade_request req;
        unsigned status;
        std::string_view says;
    };
    std::vector<bad> cases;
    auto with = [&](auto change, unsigned status, std::string_view says) {
        ws_upgrade_request r = ok;
        change(r);
        cases.push_back({r, status, says});
    };
    with([](auto& r) { r.method = "POST"; }, 400, "GET");
    with([](auto& r) { r.version = 10; }, 400, "HTTP/1.1");
    with([](auto& r) { r.upgrade = ""; }, 400, "Upgrade");
    with([](auto& r) { r.connection = "close"; }, 400, "Connection");
    with([](auto& r) { r.key = "short"; }, 400, "Key");
    with([](auto& r) { r.key = "dGhlIHNhbXBsZSBub25jZQ=!"; }, 400, "Key");
    with([](auto& r) { r.ws_version = "8"; }, 426, "version 13");
    for (auto const& c : cases) {
        auto v = check_upgrade_request(c.req);
        BOOST_TEST(v.status == c.status);
        BOOST_TEST(v.why.find(c.says) != std::string::npos, v.why);
        auto text = upgrade_response(v, c.req.key);
        BOOST_TEST(text.find("HTTP/1.1 " + std::to_string(c.status)) == 0u);
    }
    ok.protocols = "";
    BOOST_TEST(!check_upgrade_request(ok).warp0);
    BOOST_TEST(
        upgrade_response(check_upgrade_request(ok), ok.key).find("Sec-WebSocket-Protocol") ==
        std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_servers_answer_is_checked)
{
    std::string const key = "dGhlIHNhbXBsZSBub25jZQ==";
    ws_upgrade_response ok{
        101,
        "Switching Protocols",
        "websocket",
        "Upgrade",
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="};
    BOOST_TEST(check_upgrade_response(ok, key).empty());
    auto r = ok;
    r.status = 404;
    r.reason = "Not\nFound";
    BOOST_TEST(check_upgrade_response(r, key) == "the server answered HTTP 404 Not\\nFound");
    r = ok;
    r.accept = "AAAA";
    BOOST_TEST(check_upgrade_response(r, key).find("Accept") != std::string::npos);
    r = ok;
    r.upgrade = "h2c";
    BOOST_TEST(check_upgrade_response(r, key).find("Upgrade") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(network_text)

BOOST_AUTO_TEST_CASE(utf8_is_validated_as_rfc_3629_says)
{
    BOOST_TEST(valid_utf8(""));
    BOOST_TEST(valid_utf8("plain ascii, longer than eight bytes"));
    BOOST_TEST(valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    BOOST_TEST(!valid_utf8("\x80"));
    BOOST_TEST(!valid_utf8("abcdefgh\xC3"));
    BOOST_TEST(!valid_utf8("\xE0\x80\x80"));
    BOOST_TEST(!valid_utf8("\xF5\x80\x80\x80"));
    // Each byte of a long text is checked, whatever block of 32 or 8 it falls in.
    std::string const ascii(75, 'a');
    for (std::size_t at = 0; at < ascii.size(); ++at) {
        std::string bad = ascii;
        bad[at] = '\x80';
        BOOST_TEST(!valid_utf8(bad), at);
        std::string good = ascii;
        good.replace(at, 2, "\xC3\xA9");
        BOOST_TEST(valid_utf8(good.substr(0, std::max<std::size_t>(at + 2, 40))), at);
    }
}

BOOST_AUTO_TEST_CASE(log_text_is_escaped_and_capped)
{
    BOOST_TEST(escape_untrusted("/unit/1\n2026 ERROR forged") == "/unit/1\\n2026 ERROR forged");
    BOOST_TEST(
        escape_untrusted("a\\b\t\x01\x7F\xFF\xC3\xA9") == "a\\\\b\\t\\x01\\x7f\\xff\xC3\xA9");
    std::string const long_text(10000, 'z');
    auto capped = escape_untrusted(long_text, 100);
    BOOST_TEST(capped.size() <= 100u);
    BOOST_TEST(capped.substr(capped.size() - 3) == "...");
    // A cut never splits a character or an escape.
    std::string mixed;
    for (int i = 0; i < 100; ++i)
        mixed += "\xE2\x82\xAC\n";
    for (std::size_t max = 16; max < 60; ++max) {
        auto out = escape_untrusted(mixed, max);
        BOOST_TEST(out.size() <= max);
        BOOST_TEST(valid_utf8(out));
        BOOST_TEST(out.find('\n') == std::string::npos);
    }
    BOOST_TEST(utf8_prefix("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9");
}

BOOST_AUTO_TEST_SUITE_END()
