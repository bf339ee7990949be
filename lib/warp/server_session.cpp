// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>
#include <swim/warp/server_session.hpp>

#include <functional>

namespace swim::warp {

namespace {

recon::value tag(char const* name)
{
    recon::record r;
    r.add_attr(name, recon::value(recon::extant));
    return recon::value(std::move(r));
}

std::string command_note(uplink_request const& r, std::string_view why)
{
    std::string s = "a command to ";
    s.append(r.node).append(" ").append(r.lane).append(" was dropped: ").append(why);
    return s;
}

}  // namespace

std::size_t server_session::key_hash::operator()(key k) const noexcept
{
    std::size_t const h = std::hash<std::string_view>{}(k.node);
    return h ^
           (std::hash<std::string_view>{}(k.lane) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

std::size_t server_session::key_hash::operator()(std::shared_ptr<uplink> const& u) const noexcept
{
    return (*this)(key{u->node(), u->lane()});
}

bool server_session::key_equal::operator()(key a, std::shared_ptr<uplink> const& b) const noexcept
{
    return a.node == b->node() && a.lane == b->lane();
}

bool server_session::key_equal::operator()(std::shared_ptr<uplink> const& a, key b) const noexcept
{
    return (*this)(b, a);
}

bool server_session::key_equal::operator()(
    std::shared_ptr<uplink> const& a,
    std::shared_ptr<uplink> const& b) const noexcept
{
    return a->node() == b->node() && a->lane() == b->lane();
}

envelope_error server_session::on_frame(std::string_view frame, uplink_directory& dir)
{
    envelope_view env;
    envelope_error err = read_envelope(frame, env, scratch_);
    if (err)
        return err;
    uplink_request r;
    using type = uplink_request::type;
    switch (env.kind) {
        case envelope_kind::link: r.what = type::link; break;
        case envelope_kind::sync: r.what = type::sync; break;
        case envelope_kind::unlink: r.what = type::unlink; break;
        case envelope_kind::command: r.what = type::command; break;
        case envelope_kind::auth: r.what = type::auth; break;
        case envelope_kind::deauth: r.what = type::deauth; break;
        default: return err;  // what a server sends, from a client: ignored (as Java does)
    }
    if (env.kind == envelope_kind::command || !is_lane_addressed(env.kind)) {
        recon::parse_error perr;
        recon::parse_options po;
        if (opts_.max_value_memory != 0)
            po.max_memory = opts_.max_value_memory > identity_memory_
                                ? opts_.max_value_memory - identity_memory_
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
    r.node = env.node;
    r.lane = env.lane;
    r.params = {env.prio, env.rate};
    switch (r.what) {
        case type::link:
        case type::sync: on_open(r, dir); break;
        case type::unlink:
            if (auto it = links_.find(key{r.node, r.lane}); it != links_.end()) {
                auto link = std::move(links_.extract(it).value());
                dir.unlink(std::move(link));
            }
            break;
        case type::command:
            if (opts_.check_policy && !dir.allow(r, identity_))
                dir.note(command_note(r, "the auth policy refused it"));
            else if (auto res = dir.command(r); res != route_result::ok)
                dir.note(command_note(
                    r,
                    res == route_result::unavailable ? "its agent cannot start now"
                                                     : "no such lane"));
            break;
        case type::auth:
        case type::deauth: on_auth(r, dir); break;
    }
    return err;
}

void server_session::refuse(
    uplink_request const& r,
    recon::value const& reason,
    uplink_directory& dir)
{
    std::string frame;
    write_envelope(envelope_kind::unlinked, r.node, r.lane, reason, frame);
    dir.reply(std::move(frame));
}

void server_session::on_open(uplink_request& r, uplink_directory& dir)
{
    if (opts_.check_policy && !dir.allow(r, identity_)) {
        // As Java's RemoteHost: @unlinked without a body, and no @linked before it.
        refuse(r, {}, dir);
        return;
    }
    if (auto it = links_.find(key{r.node, r.lane}); it != links_.end()) {
        if (dir.reopen(r, *it))
            return;  // answered @linked again, as Java does
        links_.erase(it);
    }
    if (opts_.max_links != 0 && links_.size() >= opts_.max_links) {
        refuse(r, tag("tooManyLinks"), dir);
        dir.note("a link was refused: the connection holds max_links_per_connection links");
        return;
    }
    open_result res = dir.open(r);
    switch (res.what) {
        case route_result::ok: links_.insert(std::move(res.link)); return;
        case route_result::node_not_found: refuse(r, tag("nodeNotFound"), dir); return;
        case route_result::lane_not_found: refuse(r, tag("laneNotFound"), dir); return;
        case route_result::unavailable: refuse(r, recon::value(std::move(res.reason)), dir); return;
    }
}

void server_session::on_auth(uplink_request& r, uplink_directory& dir)
{
    auth_answer answer{auth_answer::kind::deauthed, {}};
    if (r.what == uplink_request::type::auth)
        answer = opts_.check_policy ? dir.authenticate(r.body)
                                    : auth_answer{auth_answer::kind::authed, {}};
    std::string text;
    std::string frame;
    if (answer.what == auth_answer::kind::authed) {
        identity_ = std::move(r.body);
        identity_memory_ = r.body_memory;
        if (!answer.session.is_empty())
            recon::write(answer.session, text);
        write_host_envelope(envelope_kind::authed, text, frame);
        dir.reply(std::move(frame));
        return;
    }
    identity_.reset();
    identity_memory_ = 0;
    write_host_envelope(envelope_kind::deauthed, text, frame);
    dir.reply(std::move(frame));
    if (answer.what == auth_answer::kind::forbidden)
        dir.close_connection(1008, "Unauthorized");
}

std::shared_ptr<uplink> server_session::end(uplink const& link)
{
    auto it = links_.find(key{link.node(), link.lane()});
    if (it == links_.end() || it->get() != &link)
        return nullptr;
    return std::move(links_.extract(it).value());
}

std::vector<std::shared_ptr<uplink>> server_session::take_links()
{
    std::vector<std::shared_ptr<uplink>> out;
    out.reserve(links_.size());
    while (!links_.empty())
        out.push_back(std::move(links_.extract(links_.begin()).value()));
    return out;
}

std::shared_ptr<uplink> server_session::find(std::string_view node, std::string_view lane) const
{
    auto it = links_.find(key{node, lane});
    return it == links_.end() ? nullptr : *it;
}

}  // namespace swim::warp
