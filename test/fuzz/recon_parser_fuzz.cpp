// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// Fuzzes recon::parse, and checks that every value the writer can represent survives
// write -> parse unchanged and that the written text is a fixed point of write(parse(.)).

#include <swim/recon/parser.hpp>
#include <swim/recon/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "round_trip.hpp"

namespace recon = swim::recon;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<char const*>(data), size);

    recon::parse_options opts;
    opts.max_depth = 64;
    opts.max_size = 1 << 20;
    recon::parse_error err;
    recon::value v = recon::parse(text, err, opts);
    if (err) {
        // Failure gives absent, at an offset inside (or just past) the input.
        if (!v.is_absent() || err.offset > size)
            __builtin_trap();
        (void)err.message();
        return 0;
    }

    if (!swim::fuzz::round_trips(v))
        return 0;

    std::string written;
    boost::system::error_code ec;
    recon::write(v, written, ec);
    if (ec)
        __builtin_trap();  // round_trips() excluded every non-finite float

    // The written form may nest a little deeper than the input did (braced attribute
    // arguments), so re-read it with more room.
    recon::parse_options reread_opts;
    reread_opts.max_depth = 4 * opts.max_depth;
    recon::parse_error err2;
    recon::value v2 = recon::parse(written, err2, reread_opts);
    if (err2)
        __builtin_trap();  // the writer produced text its own parser rejects
    if (!(v2 == v))
        __builtin_trap();  // write -> parse changed the value
    if ((v2 <=> v) != 0 || (v <=> v) != 0)
        __builtin_trap();  // the key order disagrees with ==

    std::string rewritten;
    recon::write(v2, rewritten, ec);
    if (ec || rewritten != written)
        __builtin_trap();  // the canonical form is not a fixed point
    return 0;
}
