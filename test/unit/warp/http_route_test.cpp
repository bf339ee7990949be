// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

// HTTP on the WARP port, its decisions (sans-io): routing a request-target to an HTTP lane or
// a file (and refusing paths that could leave the file root), body formats, content types,
// validators and HTTP dates.

#include <swim/warp/http_route.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace swim::warp;
using kind = http_route::kind;

namespace {

struct route_case {
    char const* target;
    bool files;
    kind what;
    char const* node_or_file;
    char const* lane;
};

std::string name(kind k)
{
    switch (k) {
        case kind::lane: return "lane";
        case kind::file: return "file";
        case kind::not_found: return "not_found";
        case kind::bad_request: return "bad_request";
    }
    return "?";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_route_suite)

BOOST_AUTO_TEST_CASE(targets_route_to_lanes_files_or_nothing)
{
    std::vector<route_case> const cases{
        // HTTP lanes: the decoded path is the node, ?lane= the lane.
        {"/hotel/room/7?lane=state", false, kind::lane, "/hotel/room/7", "state"},
        {"/hotel/room/7?x=1&lane=state&lane=other", true, kind::lane, "/hotel/room/7", "state"},
        {"/a%20b/c?lane=st%61te", false, kind::lane, "/a b/c", "state"},
        {"/hotel/room/7?lane=", false, kind::not_found, "", ""},
        {"/hotel/room/7", false, kind::not_found, "", ""},
        {"/bad%zz?lane=state", false, kind::bad_request, "", ""},
        {"/node?lane=%", false, kind::bad_request, "", ""},
        {"/nul%00?lane=state", false, kind::bad_request, "", ""},
        {"hotel?lane=state", false, kind::bad_request, "", ""},
        {"http://host/hotel?lane=state", false, kind::bad_request, "", ""},
        // Files, when there is a root.
        {"/", true, kind::file, "", ""},
        {"/index.html", true, kind::file, "index.html", ""},
        {"/app/main.js?v=3", true, kind::file, "app/main.js", ""},
        {"/app/", true, kind::file, "app/", ""},
        {"/my%20page.html", true, kind::file, "my page.html", ""},
        // Paths that could leave the root: not found, however they are written.
        {"/../etc/passwd", true, kind::not_found, "", ""},
        {"/app/../../etc/passwd", true, kind::not_found, "", ""},
        {"/%2e%2e/etc/passwd", true, kind::not_found, "", ""},
        {"/%2E%2E%2Fetc%2Fpasswd", true, kind::not_found, "", ""},
        {"/app/..", true, kind::not_found, "", ""},
        {"/./index.html", true, kind::not_found, "", ""},
        {"/..%5c..%5cwindows", true, kind::not_found, "", ""},
        {"/a%00.html", true, kind::bad_request, "", ""},
    };
    for (auto const& c : cases) {
        BOOST_TEST_CONTEXT("target " << c.target << " files " << c.files)
        {
            auto r = route_http(c.target, c.files);
            BOOST_TEST(name(r.what) == name(c.what));
            if (c.what == kind::lane) {
                BOOST_TEST(r.node == c.node_or_file);
                BOOST_TEST(r.lane == c.lane);
            }
            if (c.what == kind::file)
                BOOST_TEST(r.file == c.node_or_file);
            if (c.what == kind::not_found || c.what == kind::bad_request)
                BOOST_TEST(!r.why.empty());
        }
    }
    BOOST_TEST(route_http("/x", false).why == "No lane name was specified.");
}

BOOST_AUTO_TEST_CASE(body_formats_follow_content_type_and_accept)
{
    BOOST_TEST((request_format("") == http_format::recon));
    BOOST_TEST((request_format("text/plain; charset=utf-8") == http_format::recon));
    BOOST_TEST((request_format("application/recon") == http_format::recon));
    BOOST_TEST((request_format("Application/JSON ; charset=utf-8") == http_format::json));
    BOOST_TEST((request_format("application/xml") == http_format::unsupported));
    BOOST_TEST((request_format("multipart/form-data; boundary=x") == http_format::unsupported));
    BOOST_TEST((response_format("") == http_format::recon));
    BOOST_TEST((response_format("*/*") == http_format::recon));
    BOOST_TEST((response_format("text/html, application/json;q=0.9") == http_format::json));
    BOOST_TEST(content_type_of(http_format::json) == "application/json");
    BOOST_TEST(content_type_of(http_format::recon) == "text/plain; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(files_have_content_types_by_extension)
{
    BOOST_TEST(file_content_type("index.html") == "text/html; charset=utf-8");
    BOOST_TEST(file_content_type("app/MAIN.JS") == "text/javascript; charset=utf-8");
    BOOST_TEST(file_content_type("a/b.css") == "text/css; charset=utf-8");
    BOOST_TEST(file_content_type("logo.svg") == "image/svg+xml");
    BOOST_TEST(file_content_type("x.wasm") == "application/wasm");
    BOOST_TEST(file_content_type("README") == "application/octet-stream");
    BOOST_TEST(file_content_type("dir.d/file") == "application/octet-stream");
    BOOST_TEST(file_content_type("archive.tar.gz") == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(etags_and_dates_validate_caches)
{
    auto const tag = file_etag(1234, 1700000000);
    BOOST_TEST(tag.front() == '"');
    BOOST_TEST(etag_matches(tag, tag));
    BOOST_TEST(etag_matches("\"other\", " + tag, tag));
    BOOST_TEST(etag_matches("W/" + tag, tag));
    BOOST_TEST(etag_matches("*", tag));
    BOOST_TEST(!etag_matches("\"other\"", tag));
    BOOST_TEST(!etag_matches("", tag));
    BOOST_TEST(file_etag(1234, 1700000001) != tag);
    BOOST_TEST(file_etag(1235, 1700000000) != tag);

    BOOST_TEST(http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    BOOST_TEST(http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    BOOST_TEST(http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    for (std::int64_t t : {0LL, 784111777LL, 951782400LL, 1700000000LL, 4102444799LL})
        BOOST_TEST(parse_http_date(http_date(t)).value_or(-1) == t);
    BOOST_TEST(!parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
    BOOST_TEST(!parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
    BOOST_TEST(!parse_http_date("Sun, 06 Xyz 1994 08:49:37 GMT"));
    BOOST_TEST(!parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    BOOST_TEST(!parse_http_date(""));
}

BOOST_AUTO_TEST_SUITE_END()
