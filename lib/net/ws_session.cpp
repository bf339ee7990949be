// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include "ws_session.hpp"

#include <cstring>

namespace swim::net::detail {

ws_session::ws_session(
    ws_role role,
    ws_session_options opts,
    std::uint64_t now_ms,
    std::uint64_t seed)
    : role_(role)
    , opts_(opts)
    , decoder_(opts.max_message, role == ws_role::server)
    , rng_(seed)
    , last_input_(now_ms)
{}

ws_event ws_session::next(std::span<char> in, std::size_t& used)
{
    used = 0;
    ws_event none;
    for (;;) {
        if (reading_done()) {
            // Nothing after the peer's close frame or a violation is looked at.
            used = in.size();
            none.want = 1;
            return none;
        }
        std::size_t n = 0;
        ws_event e = decoder_.next(in.subspan(used), n);
        used += n;
        switch (e.what) {
            case ws_event::type::need_more:
            case ws_event::type::text:
            case ws_event::type::binary: return e;
            case ws_event::type::ping:
                // Only the latest ping is answered.
                pong_.assign(e.payload);
                pong_pending_ = !close_queued_;
                continue;
            case ws_event::type::pong: continue;
            case ws_event::type::close:
                peer_closed_ = true;
                if (!close_queued_) {
                    // The answer echoes the code (none when the peer gave none).
                    close_queued_ = true;
                    if (e.code == ws_close::no_status)
                        append_ws_frame(close_frame_, ws_opcode::close, {}, mask());
                    else
                        append_ws_close(close_frame_, e.code, {}, mask());
                }
                return e;
            case ws_event::type::error:
                failed_ = true;
                close(e.code, e.payload);
                return e;
        }
    }
}

void ws_session::append_text(std::string& out, std::string_view payload)
{
    append_ws_frame(out, ws_opcode::text, payload, mask());
}

void ws_session::take_control(std::string& out)
{
    if (close_taken_)
        return;
    if (pong_pending_) {
        append_ws_frame(out, ws_opcode::pong, pong_, mask());
        pong_pending_ = false;
        std::string().swap(pong_);
    }
    if (ping_pending_) {
        append_ws_frame(out, ws_opcode::ping, {}, mask());
        ping_pending_ = false;
    }
    if (close_queued_) {
        out += close_frame_;
        std::string().swap(close_frame_);
        close_taken_ = true;
    }
}

void ws_session::close(std::uint16_t code, std::string_view reason)
{
    if (close_queued_)
        return;
    close_queued_ = true;
    append_ws_close(close_frame_, code, reason, mask());
}

std::uint64_t ws_session::deadline() const noexcept
{
    if (opts_.idle_timeout_ms == 0 || close_queued_)
        return never;
    std::uint64_t const wait = pinged_ ? opts_.idle_timeout_ms : opts_.idle_timeout_ms / 2;
    return last_input_ + wait;
}

ws_session::timer_result ws_session::on_timer(std::uint64_t now_ms)
{
    if (opts_.idle_timeout_ms == 0 || close_queued_ || now_ms < last_input_)
        return timer_result::none;
    std::uint64_t const silent = now_ms - last_input_;
    if (silent >= opts_.idle_timeout_ms)
        return timer_result::lost;
    if (!pinged_ && silent >= opts_.idle_timeout_ms / 2) {
        pinged_ = true;
        ping_pending_ = true;
        return timer_result::ping;
    }
    return timer_result::none;
}

}  // namespace swim::net::detail
