// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/server_session.hpp>

#include <algorithm>
#include <iterator>

namespace swim::warp {

out_frame shared_event_frame(std::string_view node, std::string_view lane, recon::value const& body)
{
    auto text = std::make_shared<std::string>();
    write_envelope(envelope_kind::event, node, lane, body, *text);
    return out_frame(std::shared_ptr<std::string const>(std::move(text)));
}

envelope_error server_session::on_frame(std::string_view frame, std::vector<uplink_request>& out)
{
    envelope_view env;
    envelope_error err = read_envelope(frame, env, scratch_);
    if (err)
        return err;
    uplink_request r;
    switch (env.kind) {
        case envelope_kind::link: r.what = uplink_request::type::link; break;
        case envelope_kind::sync: r.what = uplink_request::type::sync; break;
        case envelope_kind::unlink: r.what = uplink_request::type::unlink; break;
        case envelope_kind::command: r.what = uplink_request::type::command; break;
        case envelope_kind::auth: r.what = uplink_request::type::auth; break;
        case envelope_kind::deauth: r.what = uplink_request::type::deauth; break;
        default: return err;  // what a server sends, from a client: ignored (as Java does)
    }
    if (env.kind == envelope_kind::command || !is_lane_addressed(env.kind)) {
        recon::parse_error perr;
        recon::parse_options po;
        if (opts_.max_value_memory != 0)
            po.max_memory = opts_.max_value_memory > held_memory_
                                ? opts_.max_value_memory - held_memory_
                                : 1;
        r.body = env.parse_body(perr, po);
        r.body_memory = perr.memory;
        if (perr) {
            err.code = error::malformed_body;
            err.recon = perr;
            err.recon.offset += static_cast<std::size_t>(env.body.data() - frame.data());
            return err;
        }
    }
    r.node.assign(env.node);
    r.lane.assign(env.lane);
    r.params = {env.prio, env.rate};
    out.push_back(std::move(r));
    return err;
}

server_session::uplink_state& server_session::state(std::string_view node, std::string_view lane)
{
    // The last uplink written to first: a broadcast writes one uplink of each session in turn.
    if (last_ && last_->node == node && last_->lane == lane)
        return *last_->state;
    auto n = uplinks_.find(node);
    if (n == uplinks_.end())
        n = uplinks_.emplace(std::string(node), std::map<std::string, uplink_state, std::less<>>{})
                .first;
    auto l = n->second.find(lane);
    if (l == n->second.end())
        l = n->second.emplace(std::string(lane), uplink_state{}).first;
    last_ = last_uplink{n->first, l->first, &l->second};
    return l->second;
}

std::uint64_t server_session::push(out_frame frame)
{
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
    return first_ + queue_.size() - 1;
}

void server_session::replace(std::uint64_t index, out_frame frame)
{
    out_frame& slot = queue_[static_cast<std::size_t>(index - first_)];
    queued_bytes_ = queued_bytes_ - slot.size() + frame.size();
    slot = std::move(frame);
    ++coalesced_;
}

void server_session::linked(std::string_view node, std::string_view lane, link_params params)
{
    std::string frame;
    write_envelope_text(envelope_kind::linked, node, lane, {}, frame, params);
    auto& st = state(node, lane);
    st.last = push(out_frame(std::move(frame)));
    st.last_is_value = false;
}

void server_session::synced(std::string_view node, std::string_view lane)
{
    std::string frame;
    write_envelope_text(envelope_kind::synced, node, lane, {}, frame);
    auto& st = state(node, lane);
    st.last = push(out_frame(std::move(frame)));
    st.last_is_value = false;
    st.keys.clear();  // nothing after @synced replaces what the sync sent
}

void server_session::unlinked(
    std::string_view node,
    std::string_view lane,
    recon::value const& reason)
{
    std::string frame;
    write_envelope(envelope_kind::unlinked, node, lane, reason, frame);
    push(out_frame(std::move(frame)));
    // The uplink is gone: nothing queued later coalesces with what it had.
    last_.reset();
    if (auto n = uplinks_.find(node); n != uplinks_.end()) {
        if (auto l = n->second.find(lane); l != n->second.end()) {
            std::erase(keyed_, &l->second);  // (it may be listed more than once)
            n->second.erase(l);
        }
        if (n->second.empty())
            uplinks_.erase(n);
    }
}

void server_session::event(std::string_view node, std::string_view lane, recon::value const& body)
{
    std::string frame;
    write_envelope(envelope_kind::event, node, lane, body, frame);
    event(node, lane, out_frame(std::move(frame)));
}

void server_session::event(std::string_view node, std::string_view lane, out_frame frame)
{
    auto& st = state(node, lane);
    st.last = push(std::move(frame));
    st.last_is_value = false;
    // A later change of a key must not move before this (a sync's entry of that key).
    st.keys.clear();
}

void server_session::value_event(
    std::string_view node,
    std::string_view lane,
    recon::value const& body)
{
    std::string frame;
    write_envelope(envelope_kind::event, node, lane, body, frame);
    value_event(node, lane, out_frame(std::move(frame)));
}

void server_session::value_event(std::string_view node, std::string_view lane, out_frame frame)
{
    auto& st = state(node, lane);
    if (st.last_is_value && st.last != UINT64_MAX && st.last >= first_ &&
        queued_bytes_ >= opts_.coalesce_after_bytes) {
        // The previous value still waits and is the uplink's last frame: send only the latest.
        replace(st.last, std::move(frame));
        return;
    }
    st.last = push(std::move(frame));
    st.last_is_value = true;
}

void server_session::map_event(
    std::string_view node,
    std::string_view lane,
    warp::map_event const& e)
{
    std::string frame;
    write_envelope(envelope_kind::event, node, lane, to_value(e), frame);
    map_event(node, lane, e, out_frame(std::move(frame)));
}

void server_session::map_event(
    std::string_view node,
    std::string_view lane,
    warp::map_event const& e,
    out_frame frame)
{
    auto& st = state(node, lane);
    st.last_is_value = false;
    if (e.kind == map_event::op::update || e.kind == map_event::op::remove) {
        auto it = st.keys.find(e.key);
        if (it != st.keys.end() && it->second >= first_ &&
            queued_bytes_ >= opts_.coalesce_after_bytes) {
            // The key's last change still waits: send only the latest one, in its place.
            replace(it->second, std::move(frame));
            return;
        }
        st.last = push(std::move(frame));
        if (st.keys.empty())
            keyed_.push_back(&st);
        st.keys.insert_or_assign(e.key, st.last);
        return;
    }
    // clear, take, drop: changes before them must arrive before them.
    st.last = push(std::move(frame));
    st.keys.clear();
}

void server_session::auth_reply(envelope_kind kind, recon::value const& body)
{
    std::string text;
    if (!body.is_empty())
        recon::write(body, text);
    std::string frame;
    write_host_envelope(kind, text, frame);
    push(out_frame(std::move(frame)));
}

void server_session::taken(std::size_t n)
{
    first_ += n;
    queue_.clear();
    queued_bytes_ = 0;
    // Waiting keys are all written now: forget them, so the index stays as small as the queue
    // (only the uplinks that have any: a connection may hold many thousands of uplinks).
    for (auto* st : keyed_)
        st->keys.clear();
    keyed_.clear();
}

void server_session::take_output(std::vector<out_frame>& out)
{
    std::size_t n = queue_.size();
    if (out.empty())
        out.swap(queue_);  // (queue_ gets out's capacity: no allocation at the next push)
    else
        std::move(queue_.begin(), queue_.end(), std::back_inserter(out));
    taken(n);
}

void server_session::take_output(std::vector<std::string>& out)
{
    for (auto& f : queue_)
        out.push_back(f.take());
    taken(queue_.size());
}

}  // namespace swim::warp
