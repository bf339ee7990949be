// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#include <swim/server/agent.hpp>

#include <boost/asio/co_spawn.hpp>

#include "server_impl.hpp"

namespace swim::server::detail {

namespace asio = boost::asio;

// ---- the handler queue ----------------------------------------------------------------------

bool agent_idle(agent_runtime& rt) noexcept
{
    return rt.idle();
}

void agent_run_now(agent_runtime& rt, std::function<void()> const& f)
{
    rt.run_outer(f);
}

void agent_enter(agent_runtime& rt) noexcept
{
    rt.enter();
}

void agent_leave(agent_runtime& rt)
{
    rt.leave();
}

void agent_enqueue(agent_runtime& rt, std::function<void()> f)
{
    rt.enqueue(std::move(f));
}

void agent_enqueue_coro(agent_runtime& rt, std::function<asio::awaitable<void>()> f)
{
    rt.enqueue(std::move(f));
}

void agent_runtime::run_now(std::function<void()> const& f)
{
    touch();
    try {
        f();
    } catch (std::exception const& e) {
        log(client::log_level::error, std::string("a handler threw: ") + e.what());
    }
}

// A handler run at once on an idle agent: handlers it triggers wait until it returns.
void agent_runtime::run_outer(std::function<void()> const& f)
{
    draining_ = true;
    run_now(f);
    draining_ = false;
    drain();
}

void agent_runtime::enqueue(std::function<void()> f)
{
    if (!handlers_)
        handlers_ = std::make_unique<handler_queue>();
    handlers_->items.emplace_back(std::move(f));
    drain();
}

void agent_runtime::enqueue(std::function<asio::awaitable<void>()> f)
{
    if (!handlers_)
        handlers_ = std::make_unique<handler_queue>();
    handlers_->items.emplace_back(std::move(f));
    drain();
}

// Runs what is queued, in order, until a coroutine handler suspends; that handler's
// completion drains the rest. Never re-entered: a handler that triggers another queues it.
void agent_runtime::drain()
{
    if (draining_ || busy_)
        return;
    draining_ = true;
    while (!busy_ && handlers_) {
        auto item = std::move(handlers_->items[handlers_->head++]);
        if (handlers_->head == handlers_->items.size())
            handlers_.reset();
        if (auto* plain = std::get_if<std::function<void()>>(&item)) {
            run_now(*plain);
            continue;
        }
        busy_ = true;
        server().task_started();
        auto self = shared_from_this();
        asio::co_spawn(
            *strand_,
            [self, f = std::move(std::get<1>(item))]() -> asio::awaitable<void> {
                try {
                    co_await f();
                } catch (std::exception const& e) {
                    self->log(
                        client::log_level::error,
                        std::string("a handler threw: ") + e.what());
                }
            },
            [self](std::exception_ptr) {
                self->busy_ = false;
                self->touch();
                self->drain();
                self->server().task_done();
            });
    }
    draining_ = false;
    if (phase_ == phase::stopping && can_finish_stop())
        finish_stop();
}

}  // namespace swim::server::detail
