// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// A model of a SwimOS server's lane as a client sees it, sans-io, for property tests and the
// host_session fuzzer: one value or map lane, one uplink to the client under test that
// coalesces as the Java and Rust servers do (an uplink sends a lane's latest value, or a key's
// latest entry, when its socket is ready), other clients' writes at any moment, commands
// dropped at will (a lane that cannot apply them), and a connection that can die with
// frames unread.

#ifndef SWIM_TEST_MODEL_SERVER_HPP
#define SWIM_TEST_MODEL_SERVER_HPP

#include <swim/recon/parser.hpp>
#include <swim/warp/downlink_model.hpp>
#include <swim/warp/envelope.hpp>
#include <swim/warp/map_event.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

namespace swim::test {

class model_server {
public:
    static constexpr std::string_view node = "/n";
    static constexpr std::string_view lane = "l";

    explicit model_server(warp::downlink_kind kind)
        : kind_(kind)
    {}

    recon::value const& value() const noexcept { return value_; }
    warp::map_state const& map() const noexcept { return map_; }
    bool linked() const noexcept { return linked_; }

    // ---- the connection ------------------------------------------------------------------

    /// A frame the client wrote; processed by process_one(), in order.
    void receive(std::string frame) { input_.push_back(std::move(frame)); }
    bool has_input() const noexcept { return !input_.empty(); }
    /// Processes the next frame; a @command is dropped (not applied) when `drop` is true.
    void process_one(bool drop)
    {
        std::string frame = std::move(input_.front());
        input_.pop_front();
        warp::envelope env;
        if (warp::parse_envelope(frame, env))
            return;  // the client writes only envelopes
        if (env.node != node || env.lane != lane)
            return;
        switch (env.kind) {
            case warp::envelope_kind::sync:
            case warp::envelope_kind::link:
                if (!linked_)
                    push_frame(warp::envelope_kind::linked, {});
                linked_ = true;
                if (env.kind == warp::envelope_kind::sync)
                    push_sync();
                break;
            case warp::envelope_kind::unlink:
                if (linked_)
                    push_frame(warp::envelope_kind::unlinked, {});
                linked_ = false;
                break;
            case warp::envelope_kind::command:
                if (!drop)
                    apply_command(std::move(env.body));
                break;
            default: break;
        }
    }

    /// True when the uplink has something for the client.
    bool has_output() const noexcept { return !out_.empty(); }
    /// The uplink's next frame: a coalesced item reads the lane as it is now.
    std::string flush_one()
    {
        item it = std::move(out_.front());
        out_.pop_front();
        if (!it.frozen) {
            if (it.what == item::type::value) {
                value_pending_ = false;
                it.text = event_text(value_);
            } else if (it.what == item::type::key) {
                pending_keys_.erase(it.key);
                it.text = key_text(it.key);
            }
        }
        return std::move(it.text);
    }

    /// The connection died: frames not processed are lost, the uplink is gone.
    void disconnect()
    {
        input_.clear();
        out_.clear();
        pending_keys_.clear();
        value_pending_ = false;
        linked_ = false;
    }

    // ---- other clients' writes (seen by our uplink like any change) ----------------------

    void foreign_set(recon::value v) { set_value(std::move(v)); }
    void foreign_update(recon::value k, recon::value v) { put(std::move(k), std::move(v)); }
    void foreign_remove(recon::value const& k) { erase(k); }
    void foreign_structural(warp::map_event e) { structural(e); }

private:
    struct item {
        enum class type : std::uint8_t {
            frame,  // text as written
            value,  // the value lane's latest value, read at flush
            key,    // a key's latest entry, read at flush
        };
        type what = type::frame;
        bool frozen = true;
        recon::value key;
        std::string text;
    };

    std::string event_text(recon::value const& body) const
    {
        std::string out;
        warp::write_envelope(warp::envelope_kind::event, node, lane, body, out);
        return out;
    }

    std::string key_text(recon::value const& key)
    {
        auto it = map_.find(key);
        if (it != map_.end())
            return event_text(warp::to_value(warp::map_event::update(key, it->second)));
        // A key removed since it was queued: the Java server then sends an update with no
        // value, other servers a remove.
        removed_as_update_ = !removed_as_update_;
        return event_text(warp::to_value(
            removed_as_update_ ? warp::map_event::update(key, recon::value())
                               : warp::map_event::remove(key)));
    }

    void push_frame(warp::envelope_kind k, recon::value const& body)
    {
        freeze();
        std::string text;
        warp::write_envelope(k, node, lane, body, text);
        out_.push_back(item{item::type::frame, true, {}, std::move(text)});
    }

    // A barrier (sync, structural change, link frames): coalesced items before it are taken
    // as they are now, and no later change joins them.
    void freeze()
    {
        for (auto& it : out_) {
            if (it.frozen)
                continue;
            it.text = it.what == item::type::value ? event_text(value_) : key_text(it.key);
            it.frozen = true;
        }
        pending_keys_.clear();
        value_pending_ = false;
    }

    void push_sync()
    {
        if (kind_ == warp::downlink_kind::value) {
            push_frame(warp::envelope_kind::event, value_);
        } else {
            for (auto const& [k, v] : map_)
                push_frame(
                    warp::envelope_kind::event,
                    warp::to_value(warp::map_event::update(k, v)));
        }
        push_frame(warp::envelope_kind::synced, {});
    }

    void changed_value()
    {
        if (!linked_ || value_pending_)
            return;
        value_pending_ = true;
        out_.push_back(item{item::type::value, false, {}, {}});
    }

    void changed_key(recon::value const& k)
    {
        if (!linked_ || pending_keys_.count(k))
            return;
        pending_keys_.emplace(k, true);
        out_.push_back(item{item::type::key, false, k, {}});
    }

    void set_value(recon::value v)
    {
        value_ = std::move(v);
        changed_value();
    }

    void put(recon::value k, recon::value v)
    {
        map_.insert_or_assign(k, std::move(v));
        changed_key(k);
    }

    void erase(recon::value const& k)
    {
        map_.erase(k);
        changed_key(k);
    }

    void structural(warp::map_event const& e)
    {
        if (linked_)
            freeze();  // before the change: the items before it are the state before it
        switch (e.kind) {
            case warp::map_event::op::clear: map_.clear(); break;
            case warp::map_event::op::take:
                if (e.n < map_.size())
                    map_.erase(
                        std::next(map_.begin(), static_cast<std::ptrdiff_t>(e.n)),
                        map_.end());
                break;
            case warp::map_event::op::drop:
                map_.erase(
                    map_.begin(),
                    std::next(
                        map_.begin(),
                        static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(e.n, map_.size()))));
                break;
            default: return;
        }
        if (linked_)
            push_frame(warp::envelope_kind::event, warp::to_value(e));
    }

    void apply_command(recon::value body)
    {
        if (kind_ == warp::downlink_kind::value) {
            set_value(std::move(body));
            return;
        }
        warp::map_event e;
        if (warp::to_map_event(std::move(body), e))
            return;  // not a map command: dropped
        switch (e.kind) {
            case warp::map_event::op::update: put(std::move(e.key), std::move(e.value)); break;
            case warp::map_event::op::remove: erase(e.key); break;
            default: structural(e); break;
        }
    }

    warp::downlink_kind kind_;
    bool linked_ = false;
    recon::value value_;
    warp::map_state map_;
    std::deque<std::string> input_;
    std::deque<item> out_;
    bool value_pending_ = false;
    std::map<recon::value, bool, std::less<>> pending_keys_;
    bool removed_as_update_ = false;
};

}  // namespace swim::test

#endif
