// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// The serial handler runner every downlink uses, client or agent side.

#include <swim/client/detail/note_runner.hpp>

#include <exception>

namespace swim::client::detail {

namespace asio = boost::asio;

asio::awaitable<void> run_steps(std::vector<std::function<asio::awaitable<void>()>> steps)
{
    for (auto& step : steps) {
        auto run = step();
        co_await std::move(run);
    }
}

asio::awaitable<void> fail_step(note_owner* owner, recon::conversion_error err, std::string why)
{
    owner->fail_conversion(err, why);
    co_return;
}

note_runner::note_runner(handler_site& site, bool shared)
    : site_(&site)
    , mutex_(shared ? std::make_unique<std::mutex>() : nullptr)
{}

namespace {
// Locks a shared runner's mutex; nothing for a runner on one strand.
struct maybe_lock {
    std::mutex* m;
    explicit maybe_lock(std::unique_ptr<std::mutex> const& p) noexcept
        : m(p.get())
    {
        if (m)
            m->lock();
    }
    ~maybe_lock()
    {
        if (m)
            m->unlock();
    }
    maybe_lock(maybe_lock const&) = delete;
    maybe_lock& operator=(maybe_lock const&) = delete;
};
}  // namespace

warp::pending_notes::outcome note_runner::push(warp::view_note&& note)
{
    using outcome = warp::pending_notes::outcome;
    if (mutex_) {
        bool post = false;
        {
            maybe_lock lock(mutex_);
            if (stopped_)
                return outcome::queued;  // nothing runs any more: dropped
            if (!queue_)
                queue_ = std::make_unique<warp::pending_notes>();
            if (queue_->push(std::move(note), limit_) == outcome::overrun)
                return outcome::overrun;
            post = !scheduled_;
            scheduled_ = true;
        }
        if (post)
            schedule_turn();
        return outcome::queued;
    }
    if (stopped_)
        return outcome::queued;
    if (!armed_) {
        // Made this turn: its handlers are not set yet.
        site_->freeze(note);
        if (!queue_)
            queue_ = std::make_unique<warp::pending_notes>();
        queue_->push_back(std::move(note));
        return outcome::queued;
    }
    if (!dispatch_)
        return outcome::queued;  // no handlers: nothing to run
    if (!busy_ && empty() && !dispatch_->coroutine()) {
        // Nothing waits: it runs now, without the queue (most downlinks never allocate one).
        // (A runner that is not shared is its site's only one: no enter() or leave().)
        busy_ = true;
        run_now(note);
        busy_ = false;
        if (!empty())
            drain();  // what its handlers caused
        return outcome::queued;
    }
    site_->freeze(note);
    if (!queue_)
        queue_ = std::make_unique<warp::pending_notes>();
    if (queue_->push(std::move(note), limit_) == outcome::overrun)
        return outcome::overrun;
    drain();
    return outcome::queued;
}

void note_runner::push_last(warp::view_note note)
{
    {
        maybe_lock lock(mutex_);
        if (stopped_)
            return;
        if (!queue_)
            queue_ = std::make_unique<warp::pending_notes>();
        queue_->push_back(std::move(note));
        if (mutex_) {
            if (scheduled_)
                return;
            scheduled_ = true;
        }
    }
    if (mutex_)
        schedule_turn();
    else
        drain();
}

void note_runner::schedule_turn()
{
    site_->post([keep = site_->keep_alive(), this] { turn(); });
}

// A posted turn of a shared runner. scheduled_ stays set until a take() finds the queue empty:
// while a notification is handled (busy_), pushes post nothing, and the handling ends by
// taking the next one.
void note_runner::turn()
{
    drain();
}

void note_runner::stop() noexcept
{
    maybe_lock lock(mutex_);
    stopped_ = true;
    queue_.reset();
}

void note_runner::arm()
{
    armed_ = true;
    if (dispatch_)
        drain();
    // What came before has run (or there are no handlers): the queue goes until needed.
    maybe_lock lock(mutex_);
    if (!busy_ && queue_ && (queue_->empty() || !dispatch_))
        queue_.reset();
}

bool note_runner::take(warp::view_note& out)
{
    maybe_lock lock(mutex_);
    if (!queue_ || queue_->empty()) {
        scheduled_ = false;  // the next push posts a turn
        return false;
    }
    out = queue_->take();
    return true;
}

bool note_runner::empty() const
{
    maybe_lock lock(mutex_);
    return !queue_ || queue_->empty();
}

void note_runner::run_now(warp::view_note& note)
{
    try {
        dispatch_->run_now(*site_, note.note);
    } catch (std::exception const& e) {
        site_->handler_threw(e.what());
    }
}

// Runs what waits, one notification at a time: plain handlers in place while the site is
// free, else in the site's next turn; coroutine handlers in a coroutine that takes over.
void note_runner::drain()
{
    if (busy_ || !armed_ || !dispatch_)
        return;
    busy_ = true;
    warp::view_note note;
    while (!stopped_ && take(note)) {
        if (dispatch_->coroutine()) {
            site_->spawn([this, keep = site_->keep_alive(), n = std::move(note)]() mutable {
                return run_coroutines(this, std::move(keep), std::move(n));
            });
            return;  // busy_ until the coroutine ends
        }
        if (mutex_ && site_->site_busy()) {
            // Another handler of the agent runs: this one waits its turn in the agent's queue
            // (which counts as busy while it runs it: no enter() or leave() here).
            site_->later([this, keep = site_->keep_alive(), n = std::move(note)]() mutable {
                if (!stopped_)
                    run_now(n);
                busy_ = false;
                drain();
            });
            return;
        }
        if (mutex_)
            site_->enter();
        run_now(note);
        if (mutex_)
            site_->leave();
    }
    busy_ = false;
}

asio::awaitable<void> note_runner::run_coroutines(
    note_runner* self,
    std::shared_ptr<void> keep,
    warp::view_note first)
{
    warp::view_note note = std::move(first);
    for (;;) {
        if (self->stopped_)
            break;
        try {
            auto steps = self->dispatch_->record(*self->site_, note.note);
            auto run = run_steps(std::move(steps));
            co_await std::move(run);
        } catch (std::exception const& e) {
            self->site_->handler_threw(e.what());
        }
        // An agent gives its other handlers a turn; a client downlink goes on while its
        // handlers are coroutines.
        if (self->site_->one_note_per_turn() || !self->dispatch_->coroutine() || !self->take(note))
            break;
    }
    self->busy_ = false;
    if (self->site_->one_note_per_turn())
        self->site_->later([self, keep] { self->drain(); });
    else
        self->drain();
    (void)keep;
}

}  // namespace swim::client::detail
