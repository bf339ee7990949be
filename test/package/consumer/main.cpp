// SPDX-License-Identifier: BSL-1.0
// Uses the installed headers and libraries: Recon, WARP and a client.
#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>
#include <swim/version.hpp>
#include <swim/warp/envelope.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <string>

int main()
{
    boost::asio::io_context ioc;
    swim::client::client client(ioc.get_executor());
    std::string frame;
    swim::warp::write_envelope(
        swim::warp::envelope_kind::command,
        "/hotel/room/1",
        "light",
        swim::recon::parse("@hello{a:1}"),
        frame);
    static_assert(SWIM_VERSION >= 100, "the installed version header is read");
    std::cout << frame << '\n';
}
