// SPDX-License-Identifier: BSL-1.0
// Uses swim-cpp's headers and libraries: Recon, WARP, a client and a server.
#include <swim/client/client.hpp>
#include <swim/recon/writer.hpp>
#include <swim/server/server.hpp>
#include <swim/version.hpp>
#include <swim/warp/envelope.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <string>

struct room : swim::server::agent {
    using agent::agent;
    swim::server::value_lane<bool> light{*this, "light"};
};

int main()
{
    boost::asio::io_context ioc;
    swim::client::client client(ioc.get_executor());
    swim::server::server server(ioc.get_executor());
    if (server.route<room>("/hotel/room/:id"))
        return 1;
    std::string frame;
    swim::warp::write_envelope(
        swim::warp::envelope_kind::command,
        "/hotel/room/1",
        "light",
        swim::recon::parse("@hello{a:1}"),
        frame);
    static_assert(SWIM_VERSION >= 100, "the version header is read");
    std::cout << frame << '\n';
}
