// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
// Library-internal: the writer's output buffer, shared by the Recon writer and the WARP
// envelope writer so that a whole envelope is written through one.

#ifndef SWIM_LIB_RECON_DETAIL_SINK_HPP
#define SWIM_LIB_RECON_DETAIL_SINK_HPP

#include <swim/recon/value.hpp>

#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace swim::recon::detail {

// Writes through a pointer into the output string's own buffer, growing it in chunks, instead
// of a checked append a token: most tokens of a record are a few bytes.
class sink {
public:
    explicit sink(std::string& out)
        : out_(out)
        , base_(out.size())
    {
        out_.resize(base_ + 128);
        cur_ = out_.data() + base_;
        end_ = out_.data() + out_.size();
    }
    sink(sink const&) = delete;
    sink& operator=(sink const&) = delete;
    ~sink() { out_.resize(size()); }

    std::size_t size() const noexcept { return static_cast<std::size_t>(cur_ - out_.data()); }
    char& at(std::size_t i) noexcept { return out_[i]; }

    char* room(std::size_t n)
    {
        if (static_cast<std::size_t>(end_ - cur_) < n)
            grow(n);
        return cur_;
    }
    void advance(std::size_t n) noexcept { cur_ += n; }
    /// The write position and the end of the room, for a caller that keeps them in locals
    /// (a store through a `char*` may alias the sink's members, so the compiler reloads
    /// them after every byte written through put()); set_cur() hands the position back.
    char* cur() const noexcept { return cur_; }
    char* end() const noexcept { return end_; }
    void set_cur(char* p) noexcept { cur_ = p; }
    /// Drops what was written after the first `n` bytes of the string.
    void truncate(std::size_t n) noexcept { cur_ = out_.data() + n; }
    void put(char c)
    {
        room(1);
        *cur_++ = c;
    }
    void put(std::string_view s)
    {
        room(s.size());
        std::memcpy(cur_, s.data(), s.size());
        cur_ += s.size();
    }

private:
    [[gnu::noinline]] void grow(std::size_t n)
    {
        std::size_t used = size();
        // Double what this sink wrote (amortised growth, without touching more of a reused
        // string's capacity than it needs).
        out_.resize(used + std::max(n, used - base_) + 256);
        cur_ = out_.data() + used;
        end_ = out_.data() + out_.size();
    }

    std::string& out_;
    std::size_t base_;
    char* cur_;
    char* end_;
};

/// Appends `s` as Recon text: bare when it is an identifier, else quoted.
void write_text_to(std::string_view s, sink& out);

/// Appends the canonical text of `v` (as recon::write); sets `ec` on a non-finite float.
void write_value_to(value const& v, sink& out, boost::system::error_code& ec);

/// Appends `v` as the one value after a record's attributes, as the writer lays it out there:
/// ` V`, or `{V}` for a negative number. `v` is neither a record nor empty.
void write_after_attrs_to(value const& v, sink& out, boost::system::error_code& ec);

}  // namespace swim::recon::detail

#endif
