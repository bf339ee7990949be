// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors
//
// TLS end to end: the server serves warps:// from a certificate and key made at test time
// (self-signed, for localhost); a client that does not trust it is refused, one given the
// certificate as its CA links and syncs, and one that turns verification off links too.

#include <swim/client/client.hpp>
#include <swim/server/demo_plan.hpp>
#include <swim/server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/scripted_peer.hpp"
#include "test_util.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace swim;
using swim::test::eventually;

namespace {

/// A self-signed certificate for localhost (only: not for 127.0.0.1), and its key, as PEM files in
/// a fresh directory (removed with the object).
struct self_signed {
    fs::path dir;
    fs::path cert;
    fs::path key;

    self_signed()
    {
        dir = fs::temp_directory_path() / ("swim-tls-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        cert = dir / "cert.pem";
        key = dir / "key.pem";

        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
            EVP_EC_gen("P-256"),
            &EVP_PKEY_free);
        BOOST_REQUIRE(pkey);
        std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), &X509_free);
        BOOST_REQUIRE(x509);
        X509_set_version(x509.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
        X509_gmtime_adj(X509_getm_notBefore(x509.get()), -60);
        X509_gmtime_adj(X509_getm_notAfter(x509.get()), 24 * 3600);
        X509_set_pubkey(x509.get(), pkey.get());
        X509_NAME* name = X509_get_subject_name(x509.get());
        X509_NAME_add_entry_by_txt(
            name,
            "CN",
            MBSTRING_ASC,
            reinterpret_cast<unsigned char const*>("localhost"),
            -1,
            -1,
            0);
        X509_set_issuer_name(x509.get(), name);
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x509.get(), x509.get(), nullptr, nullptr, 0);
        for (auto const& [nid, value] : std::vector<std::pair<int, char const*>>{
                 {NID_subject_alt_name, "DNS:localhost"},
                 {NID_basic_constraints, "critical,CA:TRUE"}}) {
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
            BOOST_REQUIRE(ext);
            X509_add_ext(x509.get(), ext, -1);
            X509_EXTENSION_free(ext);
        }
        BOOST_REQUIRE(X509_sign(x509.get(), pkey.get(), EVP_sha256()) > 0);

        FILE* f = std::fopen(cert.c_str(), "w");
        BOOST_REQUIRE(f);
        PEM_write_X509(f, x509.get());
        std::fclose(f);
        f = std::fopen(key.c_str(), "w");
        BOOST_REQUIRE(f);
        PEM_write_PrivateKey(f, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
        std::fclose(f);
    }
    ~self_signed()
    {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

client::client_config client_config(std::vector<std::string>* log)
{
    auto cfg = swim::test::fast_client_config();
    cfg.log.level = client::log_level::warning;
    cfg.log.sink = [log](client::log_level, std::string_view line) {
        log->emplace_back(line);
    };
    return cfg;
}

bool any_contains(std::vector<std::string> const& lines, std::string_view what)
{
    for (auto const& l : lines)
        if (l.find(what) != std::string::npos)
            return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(the_server_is_trusted_only_when_its_certificate_is)
{
    self_signed certs;
    asio::io_context ioc;
    auto cfg = swim::test::loopback_server_config();
    cfg.tls.cert_file = certs.cert.string();
    cfg.tls.key_file = certs.key.string();
    server::server srv(ioc.get_executor(), cfg);
    BOOST_REQUIRE(!server::demo::add_demo_plan(srv, {.bench_agents = true}));
    BOOST_REQUIRE(!srv.start());
    BOOST_TEST(srv.local_url().starts_with("warps://"));
    std::string host = "warps://localhost:" + std::to_string(srv.port());

    swim::test::run_test(ioc, [&]() -> asio::awaitable<void> {
        // Not trusted: every handshake fails on the certificate; the downlink never links.
        std::vector<std::string> refused_log;
        client::client refused(ioc.get_executor(), client_config(&refused_log));
        auto r = refused.value_downlink<>(host, "/hotel/room/1", "light");
        BOOST_TEST(co_await eventually(
            [&] { return any_contains(refused_log, "certificate verify failed"); }));
        BOOST_TEST(!r.is_linked());

        // Trusted through ca_file: links and syncs; a set comes back.
        std::vector<std::string> trusted_log;
        auto tcfg = client_config(&trusted_log);
        tcfg.ca_file = certs.cert.string();
        client::client trusted(ioc.get_executor(), tcfg);
        auto t = trusted.value_downlink<std::optional<bool>>(host, "/hotel/room/1", "light");
        BOOST_TEST(!(co_await t.get()).has_value());
        BOOST_TEST(!t.set(true));
        BOOST_TEST((co_await t.next_event() == std::optional<bool>(true)));

        // The right certificate for the wrong name: refused.
        std::vector<std::string> wrong_log;
        auto wcfg = client_config(&wrong_log);
        wcfg.ca_file = certs.cert.string();
        client::client wrong(ioc.get_executor(), wcfg);
        auto w = wrong.value_downlink<>(
            "warps://127.0.0.1:" + std::to_string(srv.port()),
            "/hotel/room/1",
            "light");
        BOOST_TEST(co_await eventually(
            [&] { return any_contains(wrong_log, "certificate verify failed"); }));
        BOOST_TEST(!w.is_linked());

        // Verification off: links.
        std::vector<std::string> off_log;
        auto ocfg = client_config(&off_log);
        ocfg.verify_peer = false;
        client::client off(ioc.get_executor(), ocfg);
        auto o = off.value_downlink<std::optional<bool>>(host, "/hotel/room/1", "light");
        BOOST_TEST((co_await o.get() == std::optional<bool>(true)));

        co_await refused.async_close();
        co_await trusted.async_close();
        co_await wrong.async_close();
        co_await off.async_close();
        co_await srv.async_stop();
    });
}

BOOST_AUTO_TEST_CASE(a_missing_certificate_fails_start_with_a_clear_error)
{
    asio::io_context ioc;
    auto cfg = swim::test::loopback_server_config();
    cfg.tls.cert_file = "/nonexistent/cert.pem";
    cfg.tls.key_file = "/nonexistent/key.pem";
    server::server srv(ioc.get_executor(), cfg);
    BOOST_TEST((srv.start() == server::error::tls_setup));
    ioc.run();
}

BOOST_AUTO_TEST_SUITE_END()
