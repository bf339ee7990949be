// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// The client's WebSocket framing without I/O: frames a server sends, split anywhere, in
// fragments, with control frames between, and every protocol violation the decoder refuses;
// the encoder's masking, lengths and close frames.

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../../../lib/net/ws_frames.hpp"

namespace {

using namespace swim::net::detail;
using type = ws_event::type;

// A frame as a server writes it: unmasked.
std::string frame(unsigned op, std::string_view payload, bool fin = true)
{
    std::string out;
    out += static_cast<char>((fin ? 0x80 : 0x00) | op);
    std::uint64_t n = payload.size();
    if (n < 126) {
        out += static_cast<char>(n);
    } else if (n <= 0xFFFF) {
        out += static_cast<char>(126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n);
    } else {
        out += static_cast<char>(127);
        for (int i = 7; i >= 0; --i)
            out += static_cast<char>(n >> (8 * i));
    }
    out += payload;
    return out;
}

struct seen {
    type what;
    std::string payload;
    std::uint16_t code;
};

// Feeds `bytes` to a decoder `step` bytes at a time, as reads would, and collects events.
std::vector<seen> decode(std::string const& bytes, std::size_t step, std::size_t max = 1 << 20)
{
    ws_decoder d(max, false);
    std::string buf;
    std::vector<seen> out;
    std::size_t fed = 0;
    for (;;) {
        std::size_t used = 0;
        ws_event e = d.next(buf, used);
        // The event's views point into buf: copy before consuming.
        seen s{e.what, std::string(e.payload), e.code};
        buf.erase(0, used);
        if (e.what == type::need_more) {
            if (fed == bytes.size())
                return out;
            std::size_t n = std::min(step, bytes.size() - fed);
            buf.append(bytes, fed, n);
            fed += n;
            continue;
        }
        out.push_back(std::move(s));
        if (e.what == type::error)
            return out;
    }
}

ws_event first(std::string const& bytes, std::size_t max = 1 << 20)
{
    static ws_decoder* d = nullptr;
    static std::string keep;
    delete d;
    d = new ws_decoder(max, false);
    keep = bytes;
    std::size_t used = 0;
    return d->next(keep, used);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ws_frames)

BOOST_AUTO_TEST_CASE(messages_of_every_length_split_anywhere)
{
    std::string const small = "@event(node:a,lane:b)1";
    std::string const medium(300, 'm');
    std::string const large(70000, 'l');
    std::string const bytes = frame(1, small) + frame(1, medium) + frame(1, large) + frame(1, "");
    for (std::size_t step :
         {std::size_t(1), std::size_t(3), std::size_t(7), std::size_t(4096), bytes.size()}) {
        auto ev = decode(bytes, step);
        BOOST_TEST_REQUIRE(ev.size() == 4u);
        BOOST_TEST((ev[0].what == type::text));
        BOOST_TEST(ev[0].payload == small);
        BOOST_TEST(ev[1].payload == medium);
        BOOST_TEST(ev[2].payload == large);
        BOOST_TEST(ev[3].payload.empty());
    }
}

BOOST_AUTO_TEST_CASE(need_more_says_how_much_the_frame_needs)
{
    std::string const f = frame(1, std::string(1000, 'x'));
    ws_decoder d(1 << 20, false);
    std::size_t used = 0;
    std::string part = f.substr(0, 1);
    ws_event e = d.next(part, used);
    BOOST_TEST((e.what == type::need_more));
    BOOST_TEST(e.want == 2u);
    part = f.substr(0, 10);
    e = d.next(part, used);
    BOOST_TEST((e.what == type::need_more));
    BOOST_TEST(e.want == 1004u);
    BOOST_TEST(used == 0u);
    std::string whole = f;
    e = d.next(whole, used);
    BOOST_TEST((e.what == type::text));
    BOOST_TEST(used == f.size());
}

BOOST_AUTO_TEST_CASE(fragments_are_reassembled_around_control_frames)
{
    std::string const bytes = frame(1, "@event(node:a,", false) + frame(9, "are you there") +
                              frame(0, "lane:b)", false) + frame(10, "") + frame(0, "42") +
                              frame(2, "\x01\x02");
    for (std::size_t step : {std::size_t(1), std::size_t(5), bytes.size()}) {
        auto ev = decode(bytes, step);
        BOOST_TEST_REQUIRE(ev.size() == 4u);
        BOOST_TEST((ev[0].what == type::ping));
        BOOST_TEST(ev[0].payload == "are you there");
        BOOST_TEST((ev[1].what == type::pong));
        BOOST_TEST((ev[2].what == type::text));
        BOOST_TEST(ev[2].payload == "@event(node:a,lane:b)42");
        BOOST_TEST((ev[3].what == type::binary));
        BOOST_TEST(ev[3].payload == "\x01\x02");
    }
}

BOOST_AUTO_TEST_CASE(close_frames_carry_code_and_reason)
{
    auto ev = decode(frame(8, std::string("\x03\xE9", 2) + "going away"), 1);
    BOOST_TEST_REQUIRE(ev.size() == 1u);
    BOOST_TEST((ev[0].what == type::close));
    BOOST_TEST(ev[0].code == 1001);
    BOOST_TEST(ev[0].payload == "going away");
    ev = decode(frame(8, ""), 1);
    BOOST_TEST_REQUIRE(ev.size() == 1u);
    BOOST_TEST(ev[0].code == ws_close::no_status);
}

BOOST_AUTO_TEST_CASE(protocol_violations_are_refused_with_a_reason)
{
    struct bad {
        std::string bytes;
        std::uint16_t code;
        std::string_view says;
    };
    std::string masked = frame(1, "x");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    std::string rsv = frame(1, "x");
    rsv[0] = static_cast<char>(rsv[0] | 0x40);
    std::vector<bad> cases = {
        {masked, 1002, "masked"},
        {rsv, 1002, "reserved"},
        {frame(3, "x"), 1002, "unknown data opcode 3"},
        {frame(11, "x"), 1002, "unknown control opcode 11"},
        {frame(9, std::string(126, 'p')), 1002, "over 125"},
        {frame(9, "p", false), 1002, "fragmented control"},
        {frame(0, "x"), 1002, "continuation"},
        {frame(1, "a", false) + frame(1, "b"), 1002, "inside a fragmented"},
        {frame(8, "\x03"), 1002, "one byte"},
    };
    for (auto const& c : cases) {
        auto ev = decode(c.bytes, c.bytes.size());
        BOOST_TEST_REQUIRE(!ev.empty());
        BOOST_TEST((ev.back().what == type::error));
        BOOST_TEST(ev.back().code == c.code);
        BOOST_TEST(ev.back().payload.find(c.says) != std::string::npos, ev.back().payload);
    }
}

BOOST_AUTO_TEST_CASE(a_message_over_the_limit_fails_before_its_payload_arrives)
{
    // Only the header of a 1 MB frame: refused at once with 1009.
    std::string const head = frame(1, std::string(1 << 20, 'x')).substr(0, 10);
    ws_event e = first(head, 1000);
    BOOST_TEST((e.what == type::error));
    BOOST_TEST(e.code == ws_close::too_big);
    BOOST_TEST(std::string(e.payload).find("limit is 1000") != std::string::npos);
    // Fragments count together.
    auto ev = decode(
        frame(1, std::string(600, 'a'), false) + frame(0, std::string(600, 'b')),
        1,
        1000);
    BOOST_TEST_REQUIRE(!ev.empty());
    BOOST_TEST(ev.back().code == ws_close::too_big);
    // At the limit is fine.
    ev = decode(frame(1, std::string(1000, 'a')), 64, 1000);
    BOOST_TEST_REQUIRE(ev.size() == 1u);
    BOOST_TEST((ev[0].what == type::text));
}

BOOST_AUTO_TEST_CASE(client_frames_are_masked_and_unmask_to_the_payload)
{
    for (std::size_t n :
         {std::size_t(0),
          std::size_t(5),
          std::size_t(125),
          std::size_t(126),
          std::size_t(65535),
          std::size_t(65536)}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i)
            payload[i] = static_cast<char>('a' + i % 26);
        std::string out = "prefix";
        append_ws_frame(out, ws_opcode::text, payload, 0x11223344u);
        std::string_view f = std::string_view(out).substr(6);
        BOOST_TEST(static_cast<unsigned char>(f[0]) == 0x81u);
        BOOST_TEST((static_cast<unsigned char>(f[1]) & 0x80u) == 0x80u);
        std::size_t h = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        BOOST_TEST(f.size() == h + 4 + n);
        BOOST_TEST(ws_frame_size(n, true) == f.size());
        std::string_view key = f.substr(h, 4);
        std::string unmasked(f.substr(h + 4));
        for (std::size_t i = 0; i < n; ++i)
            unmasked[i] = static_cast<char>(unmasked[i] ^ key[i & 3]);
        BOOST_TEST(unmasked == payload);
        // Unmasked (a server's frame), the decoder reads it back.
        std::string plain;
        append_ws_frame(plain, ws_opcode::text, payload, std::nullopt);
        BOOST_TEST(plain.size() == h + n);
        auto ev = decode(plain, plain.size());
        BOOST_TEST_REQUIRE(ev.size() == 1u);
        BOOST_TEST(ev[0].payload == payload);
    }
}

BOOST_AUTO_TEST_CASE(a_batch_framed_in_place_fills_the_room_its_sizes_make)
{
    // As a writer frames a batch: the buffer grown once by the frames' sizes, each frame
    // written in place where the last ended.
    std::vector<std::string> payloads;
    for (std::size_t n : std::initializer_list<std::size_t>{0, 5, 125, 126, 65535, 65536, 1})
        payloads.emplace_back(n, static_cast<char>('a' + n % 26));
    for (bool masked : {false, true}) {
        std::string out = "prefix";
        std::size_t bytes = 0;
        for (auto const& p : payloads)
            bytes += ws_frame_size(p.size(), masked);
        std::size_t sum = 0;
        for (auto const& p : payloads)
            sum += p.size() + (masked ? 4 : 0) + (p.size() < 126 ? 2 : p.size() <= 0xFFFF ? 4 : 10);
        BOOST_TEST(bytes == sum);
        out.resize(6 + bytes);
        char* at = out.data() + 6;
        std::uint32_t key = 0x01020304u;
        for (auto const& p : payloads)
            at = put_ws_frame(
                at,
                ws_opcode::text,
                p,
                masked ? std::optional<std::uint32_t>(key++) : std::nullopt);
        BOOST_TEST(at == out.data() + out.size());
        BOOST_TEST(out.substr(0, 6) == "prefix");
        // A server's decoder takes masked frames, a client's plain ones.
        ws_decoder d(1 << 20, masked);
        std::string buf = out.substr(6);
        std::size_t off = 0;
        for (auto const& p : payloads) {
            std::size_t used = 0;
            ws_event const e = d.next(std::span<char>(buf).subspan(off), used);
            off += used;
            BOOST_TEST_REQUIRE((e.what == type::text));
            BOOST_TEST(e.payload == p);
        }
        BOOST_TEST(off == buf.size());
    }
}

BOOST_AUTO_TEST_CASE(close_frames_keep_to_125_bytes)
{
    std::string out;
    append_ws_close(out, 1002, std::string(300, 'r'), std::nullopt);
    auto ev = decode(out, out.size());
    BOOST_TEST_REQUIRE(ev.size() == 1u);
    BOOST_TEST((ev[0].what == type::close));
    BOOST_TEST(ev[0].code == 1002);
    BOOST_TEST(ev[0].payload.size() == 123u);
}

BOOST_AUTO_TEST_SUITE_END()
