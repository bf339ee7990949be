// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/error.hpp>
#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/host_session.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>

namespace swim::warp {

using view_list = boost::container::small_vector<view_id, 1>;

struct host_session::link {
    std::string node;
    std::string lane;
    downlink_model model;
    /// Its downlinks; almost always one, kept inline.
    view_list views;
    /// @unlink sent for the last downlink; the link goes when @unlinked arrives.
    bool closing = false;
    /// A downlink opened while closing: open again after @unlinked.
    bool reopen = false;
    /// Relinks in a row since the last @synced.
    unsigned relinks = 0;
    /// Order of creation: links are reopened in the order they were opened.
    std::uint64_t seq = 0;
    /// Listed in written_ (local writes in flight).
    bool written = false;
    /// An envelope arrived since the last verify_unsettled().
    bool heard = false;
    /// Unlinked to verify the state: reopened quietly at @unlinked.
    bool verifying = false;

    link(std::string n, std::string l, downlink_kind k, bool sync)
        : node(std::move(n))
        , lane(std::move(l))
        , model(k, sync)
    {}
};

host_session::host_session(session_options opts)
    : opts_(opts)
{}

host_session::~host_session() = default;

// ---- links ---------------------------------------------------------------------------------

host_session::link* host_session::find_link(std::string_view node, std::string_view lane) noexcept
{
    if (last_link_ && last_link_->node == node && last_link_->lane == lane)
        return last_link_;
    auto it = links_.find(link_key{node, lane});
    if (it == links_.end())
        return nullptr;
    return last_link_ = it->second.get();
}

std::string_view host_session::node_of(view_id id) const noexcept
{
    auto it = views_.find(id);
    return it == views_.end() ? std::string_view() : std::string_view(it->second.target->node);
}

std::string_view host_session::lane_of(view_id id) const noexcept
{
    auto it = views_.find(id);
    return it == views_.end() ? std::string_view() : std::string_view(it->second.target->lane);
}

void host_session::erase_link(link& l)
{
    if (l.written)
        std::erase(written_, &l);
    if (last_link_ == &l)
        last_link_ = nullptr;
    for (view_id id : l.views)
        views_.erase(id);
    auto it = links_.find(link_key{l.node, l.lane});
    if (it != links_.end())
        links_.erase(it);  // destroys l
}

void host_session::open_link(link& l, bool verifying)
{
    envelope_kind k = l.model.open(verifying);
    std::string& frame = fresh_frame();
    write_envelope_text(k, l.node, l.lane, {}, frame);
    enqueue(frame, false);
}

std::string& host_session::fresh_frame()
{
    write_buf_.clear();
    return write_buf_;
}

void host_session::enqueue(std::string const& frame, bool is_command)
{
    // Offline, only commands wait: link requests are made again on connect.
    if (!connected_ && !is_command)
        return;
    queued_bytes_ += frame.size();
    // A copy of exactly its size: the writer's buffer grows in chunks.
    out_frames_.emplace_back(std::string(frame), is_command);
}

namespace {

// A notification that ends the downlink receiving it: a failure, or @unlinked for a downlink
// that ends there.
bool ends(downlink_notification const& n, downlink_options const& opts) noexcept
{
    using type = downlink_notification::type;
    return n.what == type::failed || (n.what == type::unlinked && opts.terminate_on_unlinked);
}

}  // namespace

// Hands the link's notifications to its downlinks, each filtered by its options; those that
// end a downlink (`ends`) reach it whatever its options.
void host_session::dispatch(link& l, downlink_model::notifications& notes)
{
    if (l.views.size() == 1) {
        // One downlink on the link, the common case: each notification moves once.
        view_id const id = l.views.front();
        auto const& opts = views_.at(id).opts;
        for (auto& n : notes) {
            bool const terminal = ends(n, opts);
            if (terminal || n.wanted_by(opts)) {
                auto& v = notes_.emplace_back();
                v.view = id;
                v.note = std::move(n);
                v.terminal = terminal;
            }
        }
        notes.clear();
        return;
    }
    for (auto& n : notes) {
        // An entry for every downlink that gets it; the last one takes it, the others copies.
        std::size_t first = notes_.size();
        for (view_id id : l.views) {
            auto const& opts = views_.at(id).opts;
            bool const terminal = ends(n, opts);
            if (terminal || n.wanted_by(opts))
                notes_.push_back(view_note{id, {}, terminal});
        }
        for (std::size_t i = first; i + 1 < notes_.size(); ++i)
            notes_[i].note = n;
        if (notes_.size() > first)
            notes_.back().note = std::move(n);
    }
    notes.clear();
}

boost::system::error_code host_session::open_view(
    std::string_view node,
    std::string_view lane,
    downlink_kind kind,
    downlink_options const& opts,
    view_id& out)
{
    link* l = find_link(node, lane);
    bool wants_sync = opts.keep_synced && kind != downlink_kind::event;
    if (l) {
        if (l->model.kind() != kind)
            return error::kind_mismatch;
    } else {
        auto owned = std::make_unique<link>(std::string(node), std::string(lane), kind, wants_sync);
        owned->seq = next_link_seq_++;
        l = owned.get();
        links_.emplace(link_key{l->node, l->lane}, std::move(owned));
        l->closing = false;
        out = next_view_++;
        views_.emplace(out, view{l, kind, opts});
        l->views.push_back(out);
        if (connected_)
            open_link(*l);
        return {};
    }
    out = next_view_++;
    views_.emplace(out, view{l, kind, opts});
    l->views.push_back(out);
    if (l->closing && !l->verifying) {
        // @unlink is on its way: open again once the server has answered it.
        l->reopen = true;
        return {};
    }
    if (wants_sync && !l->model.wants_sync()) {
        // A downlink that wants the state joins a link that only listens: ask for it.
        l->model.request_sync();
        if (connected_)
            open_link(*l);
        return {};
    }
    // Bring the newcomer up to date from the shared state.
    l->model.replay(scratch_notes_);
    for (auto& n : scratch_notes_)
        notes_.push_back(view_note{out, std::move(n), false});
    scratch_notes_.clear();
    return {};
}

void host_session::close_view(view_id id)
{
    auto it = views_.find(id);
    if (it == views_.end())
        return;
    link* l = it->second.target;
    views_.erase(it);
    l->views.erase(std::remove(l->views.begin(), l->views.end(), id), l->views.end());
    if (!l->views.empty())
        return;
    l->reopen = false;
    if (l->closing)
        return;  // @unlink is on its way (a verification): the link goes at @unlinked
    if (connected_ && l->model.status() != link_status::unlinked) {
        // Queued after every write made before closing, so none is lost.
        std::string& frame = fresh_frame();
        write_envelope_text(envelope_kind::unlink, l->node, l->lane, {}, frame);
        enqueue(frame, false);
        l->closing = true;
        return;
    }
    erase_link(*l);
}

downlink_model const* host_session::model(view_id id) const noexcept
{
    auto it = views_.find(id);
    return it == views_.end() ? nullptr : &it->second.target->model;
}

// ---- writes --------------------------------------------------------------------------------

boost::system::error_code host_session::write_op(view_id id, downlink_kind kind, view*& v)
{
    auto it = views_.find(id);
    if (it == views_.end())
        return error::closed;
    if (it->second.kind != kind)
        return error::kind_mismatch;
    if (queued_bytes_ >= opts_.max_queued_bytes)
        return error::queue_full;
    v = &it->second;
    return {};
}

void host_session::queue_command(link& l, recon::value const& body)
{
    std::string& frame = fresh_frame();
    write_envelope(envelope_kind::command, l.node, l.lane, body, frame);
    enqueue(frame, true);
}

// A local write through a downlink: checked, applied to the shared state (notifying every
// downlink of the link), then queued as a @command with the body the model returns.
template <class Op>
boost::system::error_code host_session::local_write(view_id id, downlink_kind kind, Op op)
{
    view* w = nullptr;
    if (auto ec = write_op(id, kind, w))
        return ec;
    link& l = *w->target;
    recon::value body = op(l.model);
    dispatch(l, scratch_notes_);
    queue_command(l, body);
    if (!l.written && l.model.unsettled()) {
        l.written = true;
        l.heard = true;  // quiet is counted from the next verify_unsettled()
        written_.push_back(&l);
    }
    return {};
}

// Verifies a link's state: @unlink, then (at @unlinked) a fresh @sync. A @sync on the live
// link would not do: events the uplink queued before it arrive first and cannot be told from
// the state it sends.
void host_session::verify_link(link& l)
{
    l.model.verify_started();
    if (!connected_ || l.closing || !l.model.can_verify())
        return;
    std::string& frame = fresh_frame();
    write_envelope_text(envelope_kind::unlink, l.node, l.lane, {}, frame);
    enqueue(frame, false);
    l.closing = true;
    l.reopen = true;
    l.verifying = true;
}

void host_session::after_event(link& l)
{
    l.heard = true;
    if (l.model.wants_verify() && l.model.can_verify())
        verify_link(l);
}

bool host_session::unsettled() const noexcept
{
    return std::any_of(written_.begin(), written_.end(), [](link const* l) {
        return l->model.unsettled();
    });
}

void host_session::verify_unsettled()
{
    std::vector<link*> still;
    for (link* l : written_) {
        if (!l->model.unsettled()) {
            l->written = false;
            continue;
        }
        still.push_back(l);
        if (!std::exchange(l->heard, false))
            verify_link(*l);
    }
    written_.swap(still);
}

// NaN and infinities have no Recon form: a write holding one is refused before it changes
// anything (the local state would otherwise differ from the lane's).
boost::system::error_code host_session::set(view_id id, recon::value v)
{
    if (!recon::is_writable(v))
        return recon::error::non_finite_float;
    return local_write(id, downlink_kind::value, [&](downlink_model& m) {
        return m.set(std::move(v), scratch_notes_);
    });
}

boost::system::error_code host_session::update(view_id id, recon::value key, recon::value v)
{
    if (!recon::is_writable(key) || !recon::is_writable(v))
        return recon::error::non_finite_float;
    return local_write(id, downlink_kind::map, [&](downlink_model& m) {
        return m.update(std::move(key), std::move(v), scratch_notes_);
    });
}

boost::system::error_code host_session::remove(view_id id, recon::value const& key)
{
    if (!recon::is_writable(key))
        return recon::error::non_finite_float;
    return local_write(id, downlink_kind::map, [&](downlink_model& m) {
        return m.remove(key, scratch_notes_);
    });
}

boost::system::error_code host_session::clear(view_id id)
{
    return local_write(id, downlink_kind::map, [&](downlink_model& m) {
        return m.clear(scratch_notes_);
    });
}

boost::system::error_code host_session::take(view_id id, std::uint64_t n)
{
    return local_write(id, downlink_kind::map, [&](downlink_model& m) {
        return m.take(n, scratch_notes_);
    });
}

boost::system::error_code host_session::drop(view_id id, std::uint64_t n)
{
    return local_write(id, downlink_kind::map, [&](downlink_model& m) {
        return m.drop(n, scratch_notes_);
    });
}

boost::system::error_code host_session::command(
    std::string_view node,
    std::string_view lane,
    recon::value const& body)
{
    if (!recon::is_writable(body))
        return recon::error::non_finite_float;
    if (queued_bytes_ >= opts_.max_queued_bytes)
        return error::queue_full;
    std::string& frame = fresh_frame();
    write_envelope(envelope_kind::command, node, lane, body, frame);
    enqueue(frame, true);
    return {};
}

void host_session::authenticate(recon::value credentials)
{
    credentials_ = std::move(credentials);
    has_credentials_ = true;
    if (connected_) {
        std::string body;
        recon::write(credentials_, body);
        std::string& frame = fresh_frame();
        write_host_envelope(envelope_kind::auth, body, frame);
        enqueue(frame, false);
    }
}

// ---- the connection ------------------------------------------------------------------------

void host_session::on_connected()
{
    connected_ = true;
    if (has_credentials_) {
        // @auth goes first, before the commands that waited.
        std::string body;
        recon::write(credentials_, body);
        std::string& frame = fresh_frame();
        write_host_envelope(envelope_kind::auth, body, frame);
        queued_bytes_ += frame.size();
        out_frames_.emplace_front(std::string(frame), false);
    }
    // Commands that waited go before the link requests, so a resync already sees them and
    // reconciling does not undo them. Links reopen in the order they were first opened.
    std::vector<link*> reopen;
    for (auto& [key, l] : links_)
        if (!l->closing && !l->views.empty())
            reopen.push_back(l.get());
    std::sort(reopen.begin(), reopen.end(), [](link* a, link* b) { return a->seq < b->seq; });
    for (link* l : reopen)
        open_link(*l);
}

void host_session::on_disconnected()
{
    connected_ = false;
    // Frames handed to the socket and not confirmed are gone with it.
    queued_bytes_ -= taken_bytes_;
    taken_bytes_ = 0;
    // Link requests are made again on connect; commands wait.
    std::deque<std::pair<std::string, bool>> kept;
    for (auto& f : out_frames_) {
        if (f.second)
            kept.push_back(std::move(f));
        else
            queued_bytes_ -= f.first.size();
    }
    out_frames_.swap(kept);

    std::vector<link*> gone;
    for (auto& [key, l] : links_) {
        if (std::exchange(l->verifying, false)) {
            // Unlinked only to verify: the link stays, and resyncs on the next connection.
            l->closing = false;
            l->reopen = false;
        }
        bool was_up = l->model.status() == link_status::linked ||
                      l->model.status() == link_status::synced;
        l->model.on_disconnected();
        bool keep = !l->closing && std::any_of(l->views.begin(), l->views.end(), [&](view_id id) {
            return views_.at(id).opts.keep_linked;
        });
        if (keep) {
            // Downlinks that do not keep linked end here; the others are told the link is
            // down and wait for the connection to come back.
            view_list staying;
            for (view_id id : l->views) {
                if (views_.at(id).opts.keep_linked) {
                    if (was_up) {
                        downlink_notification n;
                        n.what = downlink_notification::type::unlinked;
                        n.reason = "connection lost";
                        notes_.push_back(view_note{id, std::move(n), false});
                    }
                    staying.push_back(id);
                    continue;
                }
                downlink_notification n;
                n.what = downlink_notification::type::unlinked;
                n.reason = "connection lost";
                notes_.push_back(view_note{id, std::move(n), true});
                views_.erase(id);
            }
            l->views = std::move(staying);
            continue;
        }
        for (view_id id : l->views) {
            downlink_notification n;
            n.what = downlink_notification::type::unlinked;
            n.reason = "connection lost";
            notes_.push_back(view_note{id, std::move(n), true});
        }
        gone.push_back(l.get());
    }
    for (link* l : gone)
        erase_link(*l);
}

void host_session::on_connect_failed(boost::system::error_code ec, std::string_view why)
{
    std::vector<link*> gone;
    for (auto& [key, l] : links_) {
        view_list staying;
        for (view_id id : l->views) {
            downlink_notification n;
            n.error = ec;
            n.reason = std::string(why);
            bool const keep = views_.at(id).opts.keep_linked;
            n.what = keep ? downlink_notification::type::unreachable
                          : downlink_notification::type::failed;
            notes_.push_back(view_note{id, std::move(n), !keep});
            if (keep)
                staying.push_back(id);
            else
                views_.erase(id);
        }
        l->views = std::move(staying);
        if (l->views.empty())
            gone.push_back(l.get());
    }
    for (link* l : gone)
        erase_link(*l);
}

void host_session::fail_link(link& l, boost::system::error_code, std::string)
{
    // The failed notification is already dispatched as terminal; close the link itself.
    for (view_id id : l.views)
        views_.erase(id);
    l.views.clear();
    if (connected_ && l.model.status() != link_status::unlinked) {
        std::string& frame = fresh_frame();
        write_envelope_text(envelope_kind::unlink, l.node, l.lane, {}, frame);
        enqueue(frame, false);
        l.closing = true;
        return;
    }
    erase_link(l);
}

boost::system::error_code host_session::on_frame(std::string_view frame)
{
    envelope_view env;
    envelope_error err = read_envelope(frame, env, scratch_);
    if (err)
        return err.code;
    switch (env.kind) {
        case envelope_kind::authed:
        case envelope_kind::deauthed: {
            session_request r;
            r.what = env.kind == envelope_kind::authed ? session_request::type::authed
                                                       : session_request::type::deauthed;
            recon::parse_error perr;
            r.body = env.parse_body(perr, parse_options());
            requests_.push_back(std::move(r));
            return {};
        }
        case envelope_kind::event:
        case envelope_kind::linked:
        case envelope_kind::synced:
        case envelope_kind::unlinked: break;
        default: return {};  // requests a client does not serve
    }
    link* l = find_link(env.node, env.lane);
    if (!l)
        return {};  // no such link (any more): nothing to do
    if (l->closing) {
        if (env.kind != envelope_kind::unlinked)
            return {};
        l->closing = false;
        bool const verifying = std::exchange(l->verifying, false);
        if (l->reopen && !l->views.empty()) {
            l->reopen = false;
            l->model.on_disconnected();
            open_link(*l, verifying);
        } else {
            erase_link(*l);
        }
        return {};
    }
    switch (env.kind) {
        case envelope_kind::event: {
            auto ec = l->model.on_event(env.body, scratch_notes_, parse_options());
            if (ec == recon::error::value_too_large)
                return ec;
            dispatch(*l, scratch_notes_);
            if (ec)
                fail_link(*l, ec, {});
            else
                after_event(*l);
            return ec;
        }
        case envelope_kind::linked:
            l->model.on_linked(scratch_notes_);
            dispatch(*l, scratch_notes_);
            return {};
        case envelope_kind::synced:
            l->model.on_synced(scratch_notes_);
            l->relinks = 0;
            synced_now_ = synced_now_ || !scratch_notes_.empty();
            dispatch(*l, scratch_notes_);
            after_event(*l);
            return {};
        case envelope_kind::unlinked: {
            recon::parse_error perr;
            recon::value body = env.parse_body(perr, parse_options());
            l->model.on_unlinked(body, scratch_notes_);
            dispatch(*l, scratch_notes_);
            // Downlinks that end on @unlinked are gone; the others relink after a backoff.
            view_list staying;
            for (view_id id : l->views) {
                if (views_.at(id).opts.terminate_on_unlinked)
                    views_.erase(id);
                else
                    staying.push_back(id);
            }
            l->views = std::move(staying);
            if (l->views.empty()) {
                erase_link(*l);
            } else {
                session_request r;
                r.what = session_request::type::relink;
                r.node = l->node;
                r.lane = l->lane;
                r.attempt = ++l->relinks;
                requests_.push_back(std::move(r));
            }
            return {};
        }
        default: return {};
    }
}

void host_session::relink(std::string_view node, std::string_view lane)
{
    link* l = find_link(node, lane);
    if (!l || l->views.empty() || l->closing || !connected_)
        return;
    if (l->model.status() == link_status::unlinked)
        open_link(*l);
}

// ---- output --------------------------------------------------------------------------------

void host_session::take_output(std::vector<std::string>& out)
{
    if (!connected_)
        return;
    for (auto& f : out_frames_) {
        taken_bytes_ += f.first.size();
        out.push_back(std::move(f.first));
    }
    out_frames_.clear();
}

void host_session::return_output(std::vector<std::string> frames)
{
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        taken_bytes_ -= std::min(taken_bytes_, it->size());
        if (it->starts_with("@command")) {
            out_frames_.emplace_front(std::move(*it), true);
        } else {
            queued_bytes_ -= std::min(queued_bytes_, it->size());
        }
    }
}

void host_session::on_written(std::size_t bytes) noexcept
{
    bytes = std::min(bytes, taken_bytes_);
    taken_bytes_ -= bytes;
    queued_bytes_ -= bytes;
}

}  // namespace swim::warp
