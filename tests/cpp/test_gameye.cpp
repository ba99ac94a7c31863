// Tests of the C++ wrapper bindings/cpp/include/gameye.hpp against a running
// emulator (GAMEYE_TEST_BASE_URL, started by tests/cpp/run.sh with
// tests/emulator-config.json), under valgrind. Prints "N passed, N failed".

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gameye.hpp"
// The endpoint sweep, generated from api/ENDPOINTS.md (scripts/gen_endpoints.py).
#include "../c/endpoints.g.h"

using namespace std::chrono_literals;

namespace {

int passed = 0;
int failed = 0;
std::string base_url;
std::string run_id;
// The https emulator (start_tls_emulator in tests/lib/common.sh) and its CA.
std::string tls_base_url;
std::string tls_ca;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                                  \
            std::fprintf(stderr, "\n");                                         \
        }                                                                       \
    } while (0)

std::string str(std::string_view v) { return std::string(v); }

// Checks a result's status, printing its error when it differs.
template <class T>
bool expect(const gameye::Result<T> &r, gameye::Status want, const char *what) {
    bool ok = r.status() == want;
    if (r.ok()) {
        CHECK(ok, "%s: want %s, got a value", what, gameye::status_name(want));
    } else {
        CHECK(ok, "%s: want %s, got %s", what, gameye::status_name(want), r.error().to_string().c_str());
    }
    return ok;
}

bool has_violation(const gameye::Error &e, std::string_view field) {
    for (gameye::Violation v : e.violations()) {
        if (v.field() == field && !v.description().empty()) return true;
    }
    return false;
}

std::string sid(const char *name) { return run_id + "-" + name; }

// Arms one fault rule on the emulator (it runs with --control): a raw
// HTTP/1.1 POST to /_emulator/faults on base_url's loopback port.
bool emulator_fault(const std::string &rule) {
    auto colon = base_url.rfind(':');
    if (colon == std::string::npos) return false;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(base_url.c_str() + colon + 1)));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string req = "POST /_emulator/faults HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                      "content-length: " + std::to_string(rule.size()) + "\r\nconnection: close\r\n\r\n" + rule;
    char resp[64] = {0};
    bool ok = connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
              send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()) &&
              recv(fd, resp, sizeof resp - 1, 0) > 12 && std::strncmp(resp, "HTTP/1.1 201", 12) == 0;
    close(fd);
    return ok;
}

gameye::Client new_client(const char *token, std::uint64_t timeout_ms = 20000) {
    gameye::Config config;
    config.token = token;
    config.base_url = base_url;
    config.request_timeout_ms = timeout_ms;
    auto r = gameye::Client::create(config);
    expect(r, gameye::Status::Ok, "Client::create");
    return r.ok() ? std::move(r).value() : gameye::Client();
}

std::string create_json(const std::string &id, const char *image = "nginx", const char *location = "europe") {
    std::string j = "{";
    if (!id.empty()) j += "\"id\":\"" + id + "\",";
    j += "\"location\":\"" + std::string(location) + "\",\"image\":\"" + image + "\",\"labels\":{\"run\":\"" +
         run_id + "\"}}";
    return j;
}

// Waits (bounded) for an operation and takes its result.
template <class T>
gameye::Result<T> finish(gameye::Operation<T> op) {
    CHECK(op.wait(20s), "operation completes in time");
    auto r = op.take();
    CHECK(r.has_value(), "result available once done");
    CHECK(!op.take().has_value(), "result taken only once");
    if (!r) return gameye::Error(gameye::Status::Timeout, "no result");
    return std::move(*r);
}

// ---------------------------------------------------------------------------

// Every endpoint the table api/ENDPOINTS.md sweeps, through gameye::Client,
// blocking and `_async` (tests/c/endpoints.g.h; a new endpoint needs no edit
// here): the examples get the table's status; each argument nullptr gives
// NullArgument and empty InvalidRequest, naming it (and `.`, `..`, a TAB in
// a path parameter InvalidRequest); an empty Client gives
// NullArgument; a wrong token Unauthorized; the read-only token Forbidden
// where its scope is too small.
void test_sweep(const gameye::Client &client) {
    gameye::Client wrong = new_client("wrong-token");
    gameye::Client read_only = new_client("read-only-token");
    const gameye::Client none;
    CHECK(std::size(SWEEP_CPP_ENDPOINTS) == SWEEP_COUNT && SWEEP_COUNT > 0, "one C++ row per C row");
    for (const SweepCppEndpoint &ep : SWEEP_CPP_ENDPOINTS) {
        for (SweepCppCall call : {ep.call, ep.call_async}) {
            std::string name = std::string(ep.name) + (call == ep.call_async ? "_async" : "");
            auto expect_outcome = [&](const SweepOutcome &o, GameyeStatus want, const std::string &what,
                                      const char *field) {
                CHECK(o.status == want, "%s: %s: want %s, got %s (%s)", name.c_str(), what.c_str(),
                      gameye_status_name(want), gameye_status_name(o.status), o.message.c_str());
                if (field != nullptr) {
                    CHECK(o.message.find(field) != std::string::npos, "%s: %s: names `%s`: %s", name.c_str(),
                          what.c_str(), field, o.message.c_str());
                }
            };
            expect_outcome(call(client, SWEEP_EXAMPLES, nullptr), ep.expect, "the examples", nullptr);
            for (std::size_t i = 0; i < ep.nargs; i++) {
                expect_outcome(call(client, static_cast<int>(i), nullptr), GAMEYE_STATUS_NULL_ARGUMENT,
                               std::string("nullptr ") + ep.args[i], ep.args[i]);
                expect_outcome(call(client, static_cast<int>(i), ""), GAMEYE_STATUS_INVALID_REQUEST,
                               std::string("empty ") + ep.args[i], ep.args[i]);
                for (const char *bad : {".", "..", "a\tb"}) {
                    if (!ep.path[i]) break;
                    expect_outcome(call(client, static_cast<int>(i), bad), GAMEYE_STATUS_INVALID_REQUEST,
                                   std::string("path parameter ") + ep.args[i] + " = " + bad, ep.args[i]);
                }
            }
            expect_outcome(call(none, SWEEP_EXAMPLES, nullptr), GAMEYE_STATUS_NULL_ARGUMENT, "an empty Client",
                           "client");
            expect_outcome(call(wrong, SWEEP_EXAMPLES, nullptr), GAMEYE_STATUS_UNAUTHORIZED, "a wrong token",
                           nullptr);
            expect_outcome(call(read_only, SWEEP_EXAMPLES, nullptr),
                           ep.read_only_forbidden ? GAMEYE_STATUS_FORBIDDEN : ep.expect, "the read-only token",
                           nullptr);
        }
    }
}

void test_version_and_basics() {
    CHECK(gameye::version_matches(), "header %d.%d.%d, library %s", gameye::kVersionMajor,
          gameye::kVersionMinor, gameye::kVersionPatch, str(gameye::version()).c_str());
    CHECK(std::strcmp(gameye::status_name(gameye::Status::NotFound), "GAMEYE_STATUS_NOT_FOUND") == 0,
          "status name");
    CHECK(static_cast<std::uint32_t>(gameye::Status::Cancelled) == GAMEYE_STATUS_CANCELLED, "same numbers");

    gameye::Config c;
    c.token = "a\"b\\c\n\x01";
    c.environment = "sandbox";
    c.connect_timeout_ms = 5;
    c.allow_insecure_http = true;
    c.retry.max_attempts = 2;
    c.retry.deadline_ms = 900;
    CHECK(c.to_json() ==
              "{\"token\":\"a\\\"b\\\\c\\n\\u0001\",\"environment\":\"sandbox\",\"connect_timeout_ms\":5,"
              "\"allow_insecure_http\":true,\"retry\":{\"max_attempts\":2,\"deadline_ms\":900}}",
          "config json: %s", c.to_json().c_str());
    gameye::Config every;
    every.token = "t";
    every.base_url = base_url;
    every.connect_timeout_ms = 1000;
    every.request_timeout_ms = 2000;
    every.max_response_bytes = 1 << 20;
    every.max_log_bytes = 1 << 20;
    every.retry = {3, 10, 100, 5000};
    every.proxy = "http://127.0.0.1:9";
    every.proxy_from_env = true;
    CHECK(every.to_json().find("\"proxy\":\"http://127.0.0.1:9\",\"proxy_from_env\":true}") != std::string::npos,
          "proxy json: %s", every.to_json().c_str());
    auto accepted = gameye::Client::create(every);
    CHECK(accepted.ok(), "every option accepted: %s", accepted.ok() ? "" : accepted.error().to_string().c_str());
    every.proxy = "http://10.1.2.3:3128";
    auto remote_proxy = gameye::Client::create(every);
    CHECK(!remote_proxy.ok() && remote_proxy.error().status() == gameye::Status::InvalidConfig,
          "a plain-http proxy that is not loopback is refused");

    gameye::Span<int> empty(nullptr, 5);
    CHECK(empty.empty() && empty.size() == 0 && empty.begin() == empty.end(), "NULL span is empty");
    const char *names[] = {"a", "bc"};
    gameye::Span<std::string_view> s(names, 2);
    std::string joined;
    for (std::string_view n : s) joined += n;
    CHECK(joined == "abc" && s[1] == "bc" && s.front() == "a" && s.back() == "bc", "string span");
}

void test_client_config_errors() {
    auto r = gameye::Client::create(nullptr);
    if (expect(r, gameye::Status::NullArgument, "NULL config")) {
        CHECK(r.error().message().find("config_json") != std::string_view::npos, "names the argument");
    }

    struct {
        const char *json;
        const char *field;
    } bad[] = {
        {"{}", "token"},
        {"not json", "(config)"},
        {"{\"token\":\"t\",\"base_url\":\"http://example.com\"}", "base_url"},
        {"{\"token\":\"t\",\"request_timeout_ms\":0}", "request_timeout"},
    };
    for (const auto &b : bad) {
        auto c = gameye::Client::create(b.json);
        if (expect(c, gameye::Status::InvalidConfig, b.json)) {
            CHECK(has_violation(c.error(), b.field), "%s names %s", b.json, b.field);
        }
    }

    gameye::Config secret;
    secret.token = "s3cr3t tok";
    auto t = gameye::Client::create(secret);
    if (expect(t, gameye::Status::InvalidConfig, "token with space")) {
        CHECK(t.error().message().find("s3cr3t") == std::string_view::npos, "token not in message");
        CHECK(t.error().to_string().find("GAMEYE_STATUS_INVALID_CONFIG") == 0, "to_string: %s",
              t.error().to_string().c_str());
    }
}

// Every key of gameye_client_new's configuration is a field of gameye::Config
// and reaches the library: the library refuses unknown keys, so a client made
// with every field set proves each key's name, and bad values name the key.
void test_config_keys() {
    gameye::Config every;
    every.token = "t";
    every.base_url = base_url;
    every.connect_timeout_ms = 1001;
    every.request_timeout_ms = 1002;
    every.allow_insecure_http = true;
    every.max_response_bytes = 1003;
    every.max_log_bytes = 1004;
    every.retry = {5, 1005, 1006, 1007};
    every.max_concurrent_requests = 7;
    every.ca_bundle_path = "/no/such/bundle.pem";
    every.proxy = "http://127.0.0.1:9";
    every.proxy_from_env = true;
    every.idle_timeout_ms = 1008;
    std::string j = every.to_json();
    for (const char *kv : {"\"connect_timeout_ms\":1001", "\"request_timeout_ms\":1002",
                           "\"allow_insecure_http\":true", "\"max_response_bytes\":1003",
                           "\"max_log_bytes\":1004",
                           "\"retry\":{\"max_attempts\":5,\"initial_backoff_ms\":1005,"
                           "\"max_backoff_ms\":1006,\"deadline_ms\":1007}",
                           "\"max_concurrent_requests\":7", "\"ca_bundle_path\":\"/no/such/bundle.pem\"",
                           "\"proxy\":\"http://127.0.0.1:9\"", "\"proxy_from_env\":true",
                           "\"idle_timeout_ms\":1008"}) {
        CHECK(j.find(kv) != std::string::npos, "config json has %s: %s", kv, j.c_str());
    }
    // The bundle is read when the client is made: a missing file names the key.
    auto missing_bundle = gameye::Client::create(every);
    if (expect(missing_bundle, gameye::Status::InvalidConfig, "missing ca bundle")) {
        CHECK(has_violation(missing_bundle.error(), "ca_bundle_path"), "%s",
              missing_bundle.error().to_string().c_str());
    }
    every.ca_bundle_path.clear();
    auto accepted = gameye::Client::create(every);
    CHECK(accepted.ok(), "every key accepted: %s", accepted.ok() ? "" : accepted.error().to_string().c_str());

    gameye::Config many;
    many.token = "t";
    many.base_url = base_url;
    many.max_concurrent_requests = (1u << 20) + 1;
    auto too_many = gameye::Client::create(many);
    if (expect(too_many, gameye::Status::InvalidConfig, "max_concurrent_requests over the cap")) {
        CHECK(has_violation(too_many.error(), "max_concurrent_requests"), "names max_concurrent_requests");
    }

    // A tiny response cap makes a real answer too large.
    gameye::Config tiny;
    tiny.token = "gameye-emulator-token";
    tiny.base_url = base_url;
    tiny.request_timeout_ms = 20000;
    tiny.max_response_bytes = 16;
    auto small = gameye::Client::create(tiny);
    if (expect(small, gameye::Status::Ok, "tiny response cap")) {
        expect(small->available_locations("nginx"), gameye::Status::Decode, "answer over max_response_bytes");
    }
    // A short idle timeout still serves calls (a fresh connection after idling).
    gameye::Config idle;
    idle.token = "gameye-emulator-token";
    idle.base_url = base_url;
    idle.request_timeout_ms = 20000;
    idle.idle_timeout_ms = 50;
    auto brief = gameye::Client::create(idle);
    if (expect(brief, gameye::Status::Ok, "short idle timeout")) {
        expect(brief->available_locations("nginx"), gameye::Status::Ok, "first call");
        std::this_thread::sleep_for(150ms);
        expect(brief->available_locations("nginx"), gameye::Status::Ok, "call after the idle timeout");
    }
}

// Every operation once over https, trusting the emulator's test CA through
// ca_bundle_path; test_create and the others check each answer in detail over
// plain http. Without the CA the certificate is refused.
void test_https_every_operation() {
    gameye::Config config;
    config.token = "gameye-emulator-token";
    config.base_url = tls_base_url;
    config.request_timeout_ms = 30000;
    config.ca_bundle_path = tls_ca;
    auto made = gameye::Client::create(config);
    if (!expect(made, gameye::Status::Ok, "https client")) return;
    const gameye::Client &c = made.value();
    std::string id = sid("https");

    auto created = c.create_session(create_json(id));
    if (expect(created, gameye::Status::Ok, "https create")) CHECK(created->http_status() == 201, "201");
    auto list = c.list_sessions("{\"labels\":{\"run\":\"" + run_id + "\"}}");
    if (expect(list, gameye::Status::Ok, "https list")) {
        bool seen = false;
        for (gameye::SessionInfo s : *list) seen |= s.id() == id;
        CHECK(seen, "listed over https");
    }
    auto join = c.join_players(id, {"p1", "p2"});
    if (expect(join, gameye::Status::Ok, "https join")) CHECK(join->player_count() == 2, "joined two");
    auto left = c.leave_players({"p1"});
    if (expect(left, gameye::Status::Ok, "https leave")) CHECK(left->player_count() == 1, "left one");
    auto got = finish(c.get_session_async(id));
    if (expect(got, gameye::Status::Ok, "https get (async)")) {
        CHECK(got->has_info() && got->info().player_count() == 1 && got->info().joined().size() == 1 &&
                  got->info().joined()[0] == "p2",
              "described over https");
    }
    auto logs = c.get_logs(id);
    if (expect(logs, gameye::Status::Ok, "https logs")) CHECK(!logs->text().empty(), "log text");
    auto stop = c.stop_session(id);
    if (expect(stop, gameye::Status::Ok, "https stop")) CHECK(*stop == gameye::StopOutcome::Stopped, "stopped");
    auto follow = c.follow_logs(id);
    if (expect(follow, gameye::Status::Ok, "https follow")) {
        gameye::LogStream stream = std::move(follow).value();
        int lines = 0;
        bool ended = false;
        for (int i = 0; i < 10000 && !ended; i++) {
            auto l = stream.next();
            if (!expect(l, gameye::Status::Ok, "https next line")) break;
            if (l->end()) ended = true;
            else lines++;
        }
        CHECK(lines > 0 && ended, "followed %d lines, ended %d", lines, ended);
    }
    std::string data;
    auto artifact = c.download_artifact(id, "/", [&](gameye::Span<std::uint8_t> chunk) {
        data.append(reinterpret_cast<const char *>(chunk.data()), chunk.size());
    });
    if (expect(artifact, gameye::Status::Ok, "https artifact")) {
        CHECK(*artifact == data.size() && data.size() > 20, "bytes %zu", data.size());
        CHECK(static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b, "gzip");
    }
    auto locs = c.available_locations("nginx");
    if (expect(locs, gameye::Status::Ok, "https locations")) CHECK(locs->size() > 0, "locations");
    auto tag = c.tag_exists("europe", "nginx", "1.25");
    if (expect(tag, gameye::Status::Ok, "https tag")) CHECK(*tag, "tag exists");

    gameye::Config strict = config;
    strict.ca_bundle_path.clear();
    strict.retry.max_attempts = 1;
    auto untrusting = gameye::Client::create(strict);
    if (expect(untrusting, gameye::Status::Ok, "client without the CA")) {
        expect(untrusting->get_session(id), gameye::Status::Tls, "without ca_bundle_path: refused");
    }
}

// ---------------------------------------------------------------------------

void test_create(const gameye::Client &client) {
    auto r = client.create_session(
        "{\"location\":\"europe\",\"image\":\"nginx\",\"env\":{\"MODE\":\"duel\"},\"ttl\":\"2h30m\"}");
    if (expect(r, gameye::Status::Ok, "create")) {
        const gameye::Session &s = r.value();
        CHECK(s.http_status() == 201, "http %u", s.http_status());
        CHECK(s.id().size() == 36 && s.id()[14] == '4', "uuid v4 id: %s", str(s.id()).c_str());
        CHECK(s.host() == "127.0.0.1", "host");
        CHECK(s.ports().size() == 1 && s.ports()[0].protocol() == "tcp" && s.ports()[0].container() == 80 &&
                  s.ports()[0].host() > 0,
              "ports");
        CHECK(s.body().find(s.id()) != std::string_view::npos, "raw body holds the id");
    }

    std::string id = sid("given");
    std::string json = "{\"id\":\"" + id + "\",\"location\":\"europe\",\"image\":\"my-game\"}";
    auto g = client.create_session(json);
    if (expect(g, gameye::Status::Ok, "create with id")) {
        CHECK(g->id() == id, "id kept");
        int udp = 0;
        for (gameye::Port p : g->ports()) udp += p.protocol() == "udp";
        CHECK(g->ports().size() == 2 && udp == 1, "two ports, one udp");
    }
    auto dup = client.create_session(json);
    if (expect(dup, gameye::Status::Conflict, "duplicate id")) {
        const gameye::Error &e = dup.error();
        CHECK(e.http_status() == 409 && !e.code().empty() && !e.identifier().empty() && !e.details().empty(),
              "API error fields");
        CHECK(!e.body().empty() && !e.message().empty(), "body and message");
    }

    auto noid = client.create_session("{\"id\":\"" + sid("noid") + "\",\"location\":\"europe\",\"image\":\"fault-no-id\"}");
    if (expect(noid, gameye::Status::Ok, "201 without id")) CHECK(noid->id() == sid("noid"), "sent id used");

    struct {
        const char *image;
        const char *location;
        gameye::Status status;
        unsigned http;
    } cases[] = {
        {"nginx", "atlantis", gameye::Status::NotFound, 404},
        {"no-such-image", "europe", gameye::Status::NotFound, 404},
        {"nginx", "full", gameye::Status::NoCapacity, 420},
        {"fault-500", "europe", gameye::Status::ServerError, 503},
        {"fault-html", "europe", gameye::Status::ServerError, 502},
        {"fault-malformed", "europe", gameye::Status::Decode, 201},
    };
    for (const auto &c : cases) {
        auto e = client.create_session(create_json("", c.image, c.location));
        if (expect(e, c.status, c.image)) {
            CHECK(e.error().http_status() == c.http, "%s: http %u", c.image, e.error().http_status());
            CHECK(!e.error().message().empty() && !e.error().body().empty(), "%s: message and body", c.image);
        }
    }

    auto ttl = client.create_session("{\"location\":\"europe\",\"image\":\"nginx\",\"ttl\":\"25h\"}");
    if (expect(ttl, gameye::Status::InvalidSyntax, "server 422")) CHECK(has_violation(ttl.error(), "ttl"), "ttl");

    auto bad = client.create_session("{\"location\":\"\",\"ttl\":\"90s\",\"args\":[\"\"]}");
    if (expect(bad, gameye::Status::InvalidRequest, "client-side validation")) {
        CHECK(has_violation(bad.error(), "location") && has_violation(bad.error(), "image") &&
                  has_violation(bad.error(), "args[0]"),
              "names every field");
        CHECK(bad.error().http_status() == 0 && bad.error().body().empty(), "nothing sent");
    }
    const char bad_utf8[] = {'{', '"', 'l', '"', ':', '"', static_cast<char>(0xc3), '(', '"', '}', 0};
    expect(client.create_session(bad_utf8), gameye::Status::InvalidUtf8, "invalid UTF-8");
    expect(client.create_session(nullptr), gameye::Status::NullArgument, "NULL request");

    struct {
        const char *token;
        gameye::Status status;
    } tokens[] = {
        {"wrong-token", gameye::Status::Unauthorized},
        {"quota-token", gameye::Status::QuotaExhausted},
        {"read-only-token", gameye::Status::Forbidden},
    };
    for (const auto &t : tokens) {
        gameye::Client c = new_client(t.token);
        auto e = c.create_session(create_json(""));
        if (expect(e, t.status, t.token)) {
            CHECK(e.error().message().find(t.token) == std::string_view::npos, "token not in message");
        }
    }

    gameye::Client hasty = new_client("gameye-emulator-token", 300);
    auto stall = hasty.create_session(create_json("", "fault-stall"));
    if (expect(stall, gameye::Status::Timeout, "stalled server")) CHECK(stall.error().http_status() == 0, "no response");

    auto closed = gameye::Client::create("{\"token\":\"t\",\"base_url\":\"http://127.0.0.1:1\"}");
    if (expect(closed, gameye::Status::Ok, "client to a closed port")) {
        expect(closed->create_session(create_json("")), gameye::Status::Connect, "closed port");
    }
}

// Four threads share one client.
void test_shared_client_threads(const gameye::Client &client) {
    std::mutex mu;
    std::set<std::string> ids;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; i++) {
                auto r = client.create_session(create_json(""));
                if (r.ok()) {
                    std::lock_guard<std::mutex> lock(mu);
                    ids.insert(str(r->id()));
                }
            }
        });
    }
    for (auto &t : threads) t.join();
    CHECK(ids.size() == 20, "20 unique ids from 4 threads: %zu", ids.size());
}

// ---------------------------------------------------------------------------

void test_list_get_stop_players(const gameye::Client &c) {
    std::string a = sid("a"), b = sid("b"), x = sid("missing");
    expect(c.create_session(create_json(a, "nginx", "europe")), gameye::Status::Ok, "start a");
    expect(c.create_session(create_json(b, "nginx", "north-america")), gameye::Status::Ok, "start b");

    std::string filter = "{\"labels\":{\"run\":\"" + run_id + "\"}}";
    auto list = c.list_sessions(filter);
    std::size_t mine = 0;
    if (expect(list, gameye::Status::Ok, "list")) {
        CHECK(list->http_status() == 200, "http");
        for (gameye::SessionInfo s : *list) {
            if (s.id() != a && s.id() != b) continue;
            mine++;
            CHECK(s.image() == "nginx" && s.tag() == "latest", "image and tag");
            CHECK(s.created_ms() > 1600000000000LL, "created in ms");
            CHECK(s.created() > std::chrono::system_clock::time_point(), "created time point");
            CHECK(s.ports().size() == 1 && s.ports()[0].container() == 80, "ports");
            CHECK(s.state() == gameye::SessionState::Running && s.status() == "running", "running");
            bool run_label = false;
            for (gameye::Label l : s.labels()) run_label |= l.key() == "run" && l.value() == run_id;
            CHECK(run_label, "labels");
            CHECK(s.location() == (s.id() == a ? "europe" : "north-america"), "location");
            CHECK(!s.host().empty(), "host");
        }
    }
    CHECK(mine == 2, "both listed: %zu", mine);
    auto eu = c.list_sessions("{\"location\":\"north-america\",\"labels\":{\"run\":\"" + run_id + "\"}}");
    if (expect(eu, gameye::Status::Ok, "filtered list")) CHECK(eu->size() == 1 && (*eu)[0].id() == b, "filter");
    expect(c.list_sessions("{\"colour\":1}"), gameye::Status::InvalidRequest, "bad filter");
    expect(c.list_sessions(), gameye::Status::Ok, "list without filter");

    auto join = c.join_players(a, {"p1", "p2"});
    if (expect(join, gameye::Status::Ok, "join")) {
        CHECK(join->player_count() == 2 && join->players().size() == 2 && join->players()[1] == "p2", "joined");
    }
    std::vector<std::string> more = {"p3"};
    auto join3 = c.join_players(a, more);
    if (expect(join3, gameye::Status::Ok, "join from a vector")) CHECK(join3->player_count() == 3, "three");

    auto got = c.get_session(a);
    if (expect(got, gameye::Status::Ok, "get")) {
        CHECK(got->has_info(), "described");
        gameye::SessionInfo s = got->info();
        CHECK(s.id() == a && s.player_count() == 3, "id and player count");
        CHECK(s.joined().size() == 3 && s.joined()[0] == "p1", "joined players");
    }

    auto left = c.leave_players({"p1", "p3"});
    if (expect(left, gameye::Status::Ok, "leave")) CHECK(left->player_count() == 1 && left->players().size() == 2, "left");
    expect(c.leave_players(std::vector<std::string>{}), gameye::Status::InvalidRequest, "no players");
    const char *with_null[] = {"ok", nullptr};
    auto nul = c.join_players(a, with_null, 2);
    if (expect(nul, gameye::Status::NullArgument, "NULL player")) {
        CHECK(nul.error().message().find("players[1]") != std::string_view::npos, "names players[1]");
    }
    expect(c.join_players(x, {"p"}), gameye::Status::NotFound, "join unknown session");

    auto stop = c.stop_session(a);
    if (expect(stop, gameye::Status::Ok, "stop")) CHECK(*stop == gameye::StopOutcome::Stopped, "stopped");
    auto exited = c.get_session(a);
    if (expect(exited, gameye::Status::Ok, "get stopped")) CHECK(exited->info().state() == gameye::SessionState::Exited, "exited");
    expect(c.stop_session(a), gameye::Status::Conflict, "stop twice");
    expect(c.stop_session(x), gameye::Status::NotFound, "stop unknown");
    auto again = c.stop_session(a, gameye::StopFlags::Idempotent);
    if (expect(again, gameye::Status::Ok, "idempotent stop twice")) {
        CHECK(again.value() == gameye::StopOutcome::AlreadyStopped, "already stopped");
    }
    auto unknown = c.stop_session(x, gameye::StopFlags::Idempotent);
    if (expect(unknown, gameye::Status::Ok, "idempotent stop unknown")) {
        CHECK(unknown.value_or(gameye::StopOutcome::None) == gameye::StopOutcome::NotFound, "not found");
    }
    auto all = c.list_sessions("{\"all\":true,\"labels\":{\"run\":\"" + run_id + "\"}}");
    auto running = c.list_sessions(filter);
    if (all.ok() && running.ok()) CHECK(all->size() == running->size() + 1 || all->size() > running->size(), "all=true");

    auto missing = c.get_session(x);
    if (expect(missing, gameye::Status::NotFound, "get unknown")) {
        CHECK(!missing.error().code().empty() && !missing.error().identifier().empty(), "API error fields");
    }
    expect(c.get_session(""), gameye::Status::InvalidRequest, "empty id");
    expect(c.stop_session(b, gameye::StopFlags::Idempotent), gameye::Status::Ok, "cleanup");
}

void test_logs(const gameye::Client &c) {
    std::string id = sid("logs"), missing = sid("missing");
    expect(c.create_session(create_json(id)), gameye::Status::Ok, "start");
    auto logs = c.get_logs(id);
    if (expect(logs, gameye::Status::Ok, "logs")) CHECK(!logs->text().empty(), "log text");
    expect(c.get_logs(missing), gameye::Status::NotFound, "logs of unknown session");

    // A live log: read one line, then stop following.
    auto live = c.follow_logs(id);
    if (expect(live, gameye::Status::Ok, "follow running")) {
        auto line = live->next();
        if (expect(line, gameye::Status::Ok, "first line")) CHECK(!line->end() && !line->text().empty(), "a line");
    }
    live = gameye::Error(gameye::Status::Ok, "");  // drops the stream early

    c.stop_session(id).ok();
    auto follow = c.follow_logs(id);
    if (expect(follow, gameye::Status::Ok, "follow")) {
        gameye::LogStream stream = std::move(follow).value();
        int lines = 0;
        bool ended = false;
        for (int i = 0; i < 10000; i++) {
            auto l = stream.next();
            if (!expect(l, gameye::Status::Ok, "next line")) break;
            if (l->end()) {
                ended = true;
                break;
            }
            CHECK(l->text().find('\n') == std::string_view::npos, "no line ending");
            lines++;
        }
        CHECK(lines > 0 && ended, "lines %d, ended %d", lines, ended);
        auto after = stream.next();
        CHECK(after.ok() && after->end(), "the end stays the end");

        gameye::LogStream moved = std::move(stream);
        CHECK(!stream.valid() && moved.valid(), "moved stream");
        expect(stream.next(), gameye::Status::NullArgument, "next on a moved-from stream");
    }
    expect(c.follow_logs(missing), gameye::Status::NotFound, "follow unknown");
}

// close() from another thread ends a next() blocked there, and every later
// read; closing twice, or an empty stream, is fine.
void test_log_stream_close(const gameye::Client &c) {
    std::string id = sid("close");
    expect(c.create_session(create_json(id)), gameye::Status::Ok, "start");
    // The followed log's first byte comes after a minute: a read blocks.
    CHECK(emulator_fault(R"({"method":"GET","path":"/logs","times":1,)"
                         R"("action":{"kind":"slow_drip","chunk_bytes":1,"interval_ms":60000}})"),
          "arm the stalled log");
    auto follow = c.follow_logs(id);
    if (expect(follow, gameye::Status::Ok, "follow, to close it")) {
        gameye::LogStream stream = std::move(follow).value();
        std::atomic<bool> done{false};
        gameye::Status last = gameye::Status::Ok;
        int lines = 0;
        std::thread reader([&] {
            for (int i = 0; i < 100000; i++) {
                auto l = stream.next();
                if (!l.ok()) {
                    last = l.status();
                    break;
                }
                if (l->end()) break;
                lines++;
            }
            done = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(!done && lines == 0, "the reader is blocked (%d lines) before close()", lines);
        stream.close();
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!done) {  // the read would block for minutes more: fail now rather than hang
            std::fprintf(stderr, "FAIL close() did not end the read blocked on another thread\n");
            std::_Exit(1);
        }
        reader.join();
        CHECK(last == gameye::Status::Cancelled, "the blocked read: want Cancelled, got %s",
              gameye::status_name(last));
        expect(stream.next(), gameye::Status::Cancelled, "a read after close()");
        stream.close();
        CHECK(stream.valid(), "close() twice keeps the handle");
    }
    gameye::LogStream().close();
    expect(c.stop_session(id), gameye::Status::Ok, "stop");
}

void test_validate_session() {
    expect(gameye::validate_session(R"({"location":"europe","image":"nginx","ttl":"1h"})"), gameye::Status::Ok,
           "validate a good request");
    auto bad = gameye::validate_session(R"({"location":"","image":"nginx","ttl":"soon"})");
    if (expect(bad, gameye::Status::InvalidRequest, "validate a bad request")) {
        CHECK(has_violation(bad.error(), "location") && has_violation(bad.error(), "ttl"),
              "a violation per bad field: %s", bad.error().to_string().c_str());
    }
    expect(gameye::validate_session(R"({"location":"europe","image":"nginx","colour":1})"),
           gameye::Status::InvalidRequest, "validate an unknown field");
    expect(gameye::validate_session("{"), gameye::Status::InvalidRequest, "validate malformed JSON");
    expect(gameye::validate_session(nullptr), gameye::Status::NullArgument, "validate NULL");
    expect(gameye::validate_session("{\"image\":\"\xff\"}"), gameye::Status::InvalidUtf8, "validate invalid UTF-8");
}

void test_artifacts(const gameye::Client &c) {
    std::string id = sid("artifact"), missing = sid("missing");
    expect(c.create_session(create_json(id)), gameye::Status::Ok, "start");
    c.stop_session(id).ok();

    std::string data;
    auto r = c.download_artifact(id, "/", [&](gameye::Span<std::uint8_t> chunk) {
        data.append(reinterpret_cast<const char *>(chunk.data()), chunk.size());
    });
    if (expect(r, gameye::Status::Ok, "download to a callback")) {
        CHECK(*r == data.size() && data.size() > 20, "bytes %zu", data.size());
        CHECK(static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b, "gzip");
    }
    int calls = 0;
    auto stopped = c.download_artifact(id, "/", [&](gameye::Span<std::uint8_t>) { return ++calls < 1; });
    expect(stopped, gameye::Status::Cancelled, "returning false stops the download");
#if GAMEYE_HPP_EXCEPTIONS
    auto threw = c.download_artifact(id, "/", [](gameye::Span<std::uint8_t>) -> bool { throw 42; });
    expect(threw, gameye::Status::Cancelled, "an exception stops the download, never unwinds through C");
#endif

    std::string path = "target/cpp-tests/" + id + ".tar.gz";
    auto saved = c.save_artifact(id, "/", path);
    if (expect(saved, gameye::Status::Ok, "save to a file")) {
        std::FILE *f = std::fopen(path.c_str(), "rb");
        CHECK(f != nullptr, "file written");
        if (f) {
            std::fseek(f, 0, SEEK_END);
            CHECK(static_cast<std::uint64_t>(std::ftell(f)) == *saved, "size");
            std::fclose(f);
        }
        std::remove(path.c_str());
    }
    expect(c.save_artifact(missing, "/", path), gameye::Status::NotFound, "unknown session");
    expect(c.save_artifact(id, "/", "/nonexistent-dir/x.tar.gz"), gameye::Status::Io, "unwritable");
}

void test_locations_tags(const gameye::Client &c) {
    auto locs = c.available_locations("nginx");
    if (expect(locs, gameye::Status::Ok, "locations")) {
        bool europe = false;
        for (gameye::Location l : *locs) {
            europe |= l.id() == "europe";
            CHECK(!l.ips().empty() && l.ips()[0] == "127.0.0.1", "ping ips");
        }
        CHECK(europe, "europe listed");
    }
    expect(c.available_locations("no-such-image"), gameye::Status::NotFound, "unknown image");
    auto yes = c.tag_exists("europe", "nginx", "1.25");
    if (expect(yes, gameye::Status::Ok, "tag")) CHECK(*yes, "exists");
    auto no = c.tag_exists("europe", "nginx", "9.9");
    if (expect(no, gameye::Status::Ok, "missing tag")) CHECK(!*no, "does not exist");
    expect(c.tag_exists("europe", nullptr, "1"), gameye::Status::NullArgument, "NULL image");
}

void test_auth_errors() {
    gameye::Client wrong = new_client("wrong-token");
    gameye::Client ro = new_client("read-only-token");
    expect(wrong.list_sessions(), gameye::Status::Unauthorized, "list 401");
    expect(wrong.get_session("x"), gameye::Status::Unauthorized, "get 401");
    expect(wrong.stop_session("x"), gameye::Status::Unauthorized, "stop 401");
    expect(wrong.join_players("x", {"p"}), gameye::Status::Unauthorized, "join 401");
    expect(wrong.leave_players({"p"}), gameye::Status::Unauthorized, "leave 401");
    expect(wrong.get_logs("x"), gameye::Status::Unauthorized, "logs 401");
    expect(wrong.follow_logs("x"), gameye::Status::Unauthorized, "follow 401");
    expect(wrong.save_artifact("x", "/", "target/cpp-tests/never.tar.gz"), gameye::Status::Unauthorized, "save 401");
    expect(wrong.download_artifact("x", "/", [](gameye::Span<std::uint8_t>) {}), gameye::Status::Unauthorized,
           "download 401");
    expect(wrong.available_locations("nginx"), gameye::Status::Unauthorized, "locations 401");
    expect(wrong.tag_exists("europe", "nginx", "1"), gameye::Status::Unauthorized, "tag 401");
    expect(ro.stop_session("x"), gameye::Status::Forbidden, "stop 403");
    expect(ro.get_logs("x"), gameye::Status::Forbidden, "logs 403");
}

// ---------------------------------------------------------------------------

void test_move_semantics(const gameye::Client &c) {
    gameye::Client a = new_client("gameye-emulator-token");
    gameye::Client b = std::move(a);
    CHECK(!a.valid() && b.valid(), "moved client");
    expect(a.create_session(create_json("")), gameye::Status::NullArgument, "moved-from client call");
    expect(a.create_session_async(create_json("")).get(), gameye::Status::NullArgument, "moved-from client async");
    CHECK(!a.follow_logs_async("x").ok(), "moved-from client follow_async");
    a = std::move(b);
    CHECK(a.valid() && !b.valid(), "move-assigned back");

    auto r = c.create_session(create_json(""));
    if (expect(r, gameye::Status::Ok, "create")) {
        gameye::Session s = std::move(r).value();
        std::string id = str(s.id());
        CHECK(!r->has_value() && r->id().empty() && r->ports().empty() && r->http_status() == 0,
              "moved-from session is empty");
        gameye::Session t;
        t = std::move(s);
        CHECK(t.id() == id && s.id().empty() && s.body().empty(), "move assignment");
        GameyeResult *raw = t.release();
        CHECK(raw != nullptr && !t.has_value(), "release");
        gameye_result_free(raw);
    }
    auto details = c.get_session("no-such");
    CHECK(!details.ok(), "error");
    gameye::Error e = std::move(details).error();
    CHECK(e.status() == gameye::Status::NotFound && !e.message().empty(), "moved error");
    gameye::Error e2 = std::move(e);
    CHECK(e.status() == gameye::Status::Ok && e.message().empty() && e.violations().empty() && e.raw() == nullptr,
          "moved-from error is empty");
    CHECK(e2.http_status() == 404, "moved-to error");

    gameye::SessionDetails empty_details;
    CHECK(!empty_details.has_info() && empty_details.info().id().empty() && empty_details.info().player_count() == -1,
          "empty details");
    gameye::LogLine line;
    CHECK(line.end() && line.text().empty(), "empty log line");

    gameye::Operation<gameye::Session> op = c.create_session_async(create_json(""));
    gameye::Operation<gameye::Session> op2 = std::move(op);
    CHECK(!op.valid() && !op.done() && !op.take().has_value() && !op.wait(1ms), "moved-from operation");
    op.cancel();
    gameye::Queue q;
    CHECK(op.on_complete(q, [](gameye::Result<gameye::Session>) {}) == gameye::Status::NullArgument,
          "callback on a moved-from operation");
    expect(op.get(1ms), gameye::Status::NullArgument, "get on a moved-from operation");
    expect(op2.get(), gameye::Status::Ok, "moved-to operation");
    expect(op2.get(), gameye::Status::InvalidRequest, "result already taken");

    gameye::Queue q2 = std::move(q);
    CHECK(!q.valid() && q.drain() == 0 && q2.valid(), "moved queue");
    gameye::Operation<gameye::Session> op3 = c.create_session_async(create_json(""));
    CHECK(op3.on_complete(q, [](gameye::Result<gameye::Session>) {}) == gameye::Status::NullArgument,
          "moved-from queue refused");
    op3 = c.create_session_async(create_json(""));  // move-assign frees the first
    CHECK(op3.valid(), "reassigned");
}

// ---------------------------------------------------------------------------

// 50 creates completed by a game-loop thread draining the queue: half with
// retained handles, half detached.
void test_drain_loop(const gameye::Client &client) {
    constexpr int kCreates = 50;
    gameye::Queue queue;
    std::atomic<bool> stop{false};
    std::atomic<int> completed{0};
    std::thread::id loop_id;
    std::mutex id_mu;
    std::vector<std::string> ids;  // touched only by the loop thread
    int wrong_thread = 0;          // loop thread only
    int nested_drains = 0;         // loop thread only
    auto token = std::make_shared<int>(0);

    std::promise<void> started;
    std::thread loop([&] {
        {
            std::lock_guard<std::mutex> lock(id_mu);
            loop_id = std::this_thread::get_id();
        }
        started.set_value();
        for (int frame = 0; frame < 60000 && !stop.load(); frame++) {
            queue.drain();
            std::this_thread::sleep_for(1ms);
        }
    });
    started.get_future().wait();

    auto on_done = [&, token](gameye::Result<gameye::Session> r) {
        if (std::this_thread::get_id() != loop_id) wrong_thread++;
        if (r.ok()) ids.push_back(str(r->id()));
        else std::fprintf(stderr, "create failed: %s\n", r.error().to_string().c_str());
        if (queue.drain() != 0) nested_drains++;
        completed.fetch_add(1);
    };

    std::vector<gameye::Operation<gameye::Session>> retained;
    for (int i = 0; i < kCreates; i++) {
        auto op = client.create_session_async(create_json(""));
        if (i % 2 == 0) {
            CHECK(op.on_complete(queue, on_done) == gameye::Status::Ok, "registered");
            CHECK(op.on_complete(queue, on_done) == gameye::Status::InvalidRequest, "one registration only");
            retained.push_back(std::move(op));
        } else {
            CHECK(std::move(op).then(queue, on_done) == gameye::Status::Ok, "detached");
            CHECK(!op.valid(), "handed over");
        }
    }
    for (int i = 0; i < 30000 && completed.load() < kCreates; i++) std::this_thread::sleep_for(1ms);
    stop = true;
    loop.join();
    CHECK(completed.load() == kCreates, "%d of %d completed", completed.load(), kCreates);
    CHECK(ids.size() == static_cast<std::size_t>(kCreates), "%zu succeeded", ids.size());
    CHECK(wrong_thread == 0, "callbacks ran only on the loop thread");
    CHECK(nested_drains == 0, "drain inside a callback runs nothing");
    std::sort(ids.begin(), ids.end());
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "unique ids");
    for (auto &op : retained) CHECK(op.done() && !op.take().has_value(), "the callback took the result");
    retained.clear();
    // Only `on_done` itself still holds the token: every context was freed.
    CHECK(token.use_count() == 2, "every callback context freed (%ld refs)", token.use_count());
    CHECK(queue.drain() == 0, "nothing left");
}

void test_cancel_and_free_while_pending(const gameye::Client &client) {
    const std::string stall = create_json("", "fault-stall");
    gameye::Queue queue;

    // Cancel with take().
    auto op = client.create_session_async(stall);
    std::this_thread::sleep_for(50ms);
    CHECK(!op.done(), "stalled create pending");
    op.cancel();
    CHECK(op.done(), "cancel completes at once");
    expect(finish(std::move(op)), gameye::Status::Cancelled, "cancelled create");

    // Cancel with a retained callback: delivered with Cancelled.
    auto token = std::make_shared<int>(0);
    int cancelled_calls = 0;
    op = client.create_session_async(stall);
    op.on_complete(queue, [&cancelled_calls, token](gameye::Result<gameye::Session> r) {
        cancelled_calls += r.status() == gameye::Status::Cancelled;
    });
    op.cancel();
    CHECK(queue.drain() == 1 && cancelled_calls == 1, "cancelled callback delivered once");
    CHECK(token.use_count() == 1, "the callable is released once it ran");
    op = {};
    CHECK(token.use_count() == 1, "context freed with the handle");

    // Freed while pending: the callback never runs, the context is freed.
    int never = 0;
    op = client.create_session_async(stall);
    op.on_complete(queue, [&never, token](gameye::Result<gameye::Session>) { never++; });
    std::this_thread::sleep_for(50ms);
    op = {};
    std::this_thread::sleep_for(50ms);
    CHECK(queue.drain() == 0 && never == 0, "freed operation's callback never runs");
    CHECK(token.use_count() == 1, "context freed once");

    // Freed after completion but before draining: the queued callback is dropped.
    op = client.create_session_async(create_json(""));
    op.on_complete(queue, [&never, token](gameye::Result<gameye::Session>) { never++; });
    CHECK(op.wait(20s), "done");
    op = {};
    CHECK(queue.drain() == 0 && never == 0, "queued callback dropped");
    CHECK(token.use_count() == 1, "context freed once");

    // The result taken before the callback ran: the callback says so.
    int taken_first = 0;
    op = client.create_session_async(create_json(""));
    op.on_complete(queue, [&taken_first](gameye::Result<gameye::Session> r) {
        taken_first += r.status() == gameye::Status::InvalidRequest;
    });
    CHECK(op.wait(20s), "done");
    auto early = op.take();
    CHECK(early.has_value() && early->ok(), "taken by the handle");
    // (wait() returns once the operation is done; its completion reaches the
    // queue a moment later, from the I/O thread.)
    std::size_t ran = 0;
    for (int i = 0; i < 20000 && ran == 0; i++) {
        ran = queue.drain();
        if (ran == 0) std::this_thread::sleep_for(1ms);
    }
    CHECK(ran == 1 && taken_first == 1, "the callback gets 'already taken'");
    op = {};

    // A callback that destroys its own handle.
    std::map<int, gameye::Operation<gameye::Session>> ops;
    int self_freed = 0;
    for (int i = 0; i < 3; i++) {
        ops[i] = client.create_session_async(create_json(""));
        ops[i].on_complete(queue, [&ops, &self_freed, i, token](gameye::Result<gameye::Session> r) {
            self_freed += r.ok();
            ops.erase(i);  // destroys this callback's own handle and context
        });
    }
    for (int i = 0; i < 20000 && !ops.empty(); i++) {
        queue.drain();
        std::this_thread::sleep_for(1ms);
    }
    CHECK(ops.empty() && self_freed == 3, "callbacks freed their own handles (%d)", self_freed);
    CHECK(token.use_count() == 1, "contexts freed once");

    // A queue destroyed with registrations pending or queued.
    gameye::Operation<gameye::Session> done_retained;
    {
        gameye::Queue doomed;
        auto detached = client.create_session_async(stall);
        std::move(detached).then(doomed, [&never, token](gameye::Result<gameye::Session>) { never++; });
        auto done_detached = client.create_session_async(create_json(""));
        CHECK(done_detached.wait(20s), "done");
        std::move(done_detached).then(doomed, [&never, token](gameye::Result<gameye::Session>) { never++; });
        op = client.create_session_async(stall);
        op.on_complete(doomed, [&never, token](gameye::Result<gameye::Session>) { never++; });
        done_retained = client.create_session_async(create_json(""));
        CHECK(done_retained.wait(20s), "done");
        done_retained.on_complete(doomed, [&never, token](gameye::Result<gameye::Session>) { never++; });
        CHECK(token.use_count() == 5, "four contexts");
    }
    CHECK(token.use_count() == 3 && never == 0, "detached contexts freed with their queue, no callback ran");
    auto kept = done_retained.take();
    CHECK(kept.has_value() && kept->ok(), "a completed retained operation keeps its result");
    done_retained = {};
    CHECK(!op.done(), "the retained operation is still pending");
    op.cancel();
    expect(finish(std::move(op)), gameye::Status::Cancelled, "retained handle usable after its queue went");
    CHECK(token.use_count() == 1, "retained context freed with its handle");

    // Timeout through an operation; a client freed while its operation runs.
    gameye::Client hasty = new_client("gameye-emulator-token", 300);
    auto r = finish(hasty.create_session_async(stall));
    if (expect(r, gameye::Status::Timeout, "request timeout")) CHECK(r.error().http_status() == 0, "no response");
    gameye::Client brief = new_client("gameye-emulator-token");
    op = brief.create_session_async(create_json("", "fault-slow"));
    brief = gameye::Client();
    expect(finish(std::move(op)), gameye::Status::Ok, "completes after its client was freed");

    // Poll only.
    op = client.create_session_async(create_json("", "fault-slow"));
    CHECK(!op.done() && !op.take().has_value(), "pending: no result");
    int polls = 0;
    while (!op.done() && polls < 20000) {
        polls++;
        std::this_thread::sleep_for(1ms);
    }
    auto polled = op.take();
    CHECK(polls > 0 && polled.has_value() && polled->ok() && (*polled)->http_status() == 201, "poll-only create");
}

void test_library_thread_callbacks(const gameye::Client &client) {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool on_caller = true;
    auto caller = std::this_thread::get_id();
    auto op = client.create_session_async(create_json("", "fault-slow"));
    CHECK(std::move(op).then([&](gameye::Result<gameye::Session> r) {
        std::lock_guard<std::mutex> lock(mu);
        on_caller = std::this_thread::get_id() == caller;
        done = r.ok();
        cv.notify_all();
    }) == gameye::Status::Ok,
          "registered");
    {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait_for(lock, 20s, [&] { return done; });
        CHECK(done && !on_caller, "ran on a library thread");
    }
    // Already done: runs at once on this thread.
    auto ready = client.tag_exists_async("europe", "nginx", "1.25");
    CHECK(ready.wait(20s), "done");
    bool ran_here = false;
    std::move(ready).then([&](gameye::Result<bool> r) { ran_here = r.ok() && *r; });
    CHECK(ran_here, "an already-done operation's callback runs at once");
}

void test_every_endpoint_async(const gameye::Client &c) {
    std::string id = sid("async");
    auto created = finish(c.create_session_async(create_json(id)));
    if (expect(created, gameye::Status::Ok, "create_async")) CHECK(created->id() == id, "id");
    auto list = finish(c.list_sessions_async("{\"location\":\"europe\"}"));
    if (expect(list, gameye::Status::Ok, "list_async")) CHECK(!list->empty(), "listed");
    expect(finish(c.list_sessions_async()), gameye::Status::Ok, "list_async without a filter");
    auto got = finish(c.get_session_async(id));
    if (expect(got, gameye::Status::Ok, "get_async")) CHECK(got->info().id() == id, "described");
    auto join = finish(c.join_players_async(id, {"p1", "p2"}));
    if (expect(join, gameye::Status::Ok, "join_async")) CHECK(join->player_count() == 2, "joined");
    auto join_v = finish(c.join_players_async(id, std::vector<std::string>{"p3"}));
    if (expect(join_v, gameye::Status::Ok, "join_async vector")) CHECK(join_v->player_count() == 3, "joined");
    auto leave = finish(c.leave_players_async({"p1"}));
    if (expect(leave, gameye::Status::Ok, "leave_async")) CHECK(leave->player_count() == 2, "left");
    auto leave_v = finish(c.leave_players_async(std::vector<std::string>{"p2", "p3"}));
    if (expect(leave_v, gameye::Status::Ok, "leave_async vector")) CHECK(leave_v->player_count() == 0, "left");
    auto logs = finish(c.get_logs_async(id));
    if (expect(logs, gameye::Status::Ok, "logs_async")) CHECK(!logs->text().empty(), "text");

    auto follow = c.follow_logs_async(id);
    if (expect(follow, gameye::Status::Ok, "follow_async")) {
        auto first = finish(follow->next_async());
        if (expect(first, gameye::Status::Ok, "first line async")) CHECK(!first->end(), "a line");
        expect(finish(c.stop_session_async(id)), gameye::Status::Ok, "stop_async");
        bool ended = false;
        for (int i = 0; i < 1000 && !ended; i++) {
            auto l = finish(follow->next_async());
            if (!expect(l, gameye::Status::Ok, "next line async")) break;
            ended = l->end();
        }
        CHECK(ended, "async follow ends when the session stops");
    }
    auto unknown = c.follow_logs_async("no-such-session");
    if (expect(unknown, gameye::Status::Ok, "follow_async of unknown session")) {
        expect(finish(unknown->next_async()), gameye::Status::NotFound, "its first read fails");
        auto pending = unknown->next_async();
        unknown = gameye::Error(gameye::Status::Ok, "");  // stream freed while a read is pending
    }

    std::string path = "target/cpp-tests/" + id + ".tar.gz";
    auto saved = finish(c.save_artifact_async(id, "/", path));
    if (expect(saved, gameye::Status::Ok, "save_artifact_async")) CHECK(*saved > 0, "saved");
    std::remove(path.c_str());

    auto bytes = std::make_shared<std::atomic<std::uint64_t>>(0);
    auto dl = finish(c.download_artifact_async(id, "/", [bytes](gameye::Span<std::uint8_t> chunk) {
        bytes->fetch_add(chunk.size());
    }));
    if (expect(dl, gameye::Status::Ok, "download_artifact_async")) CHECK(*dl == bytes->load(), "every byte");
    CHECK(bytes.use_count() == 1, "writer freed once the download ended");

    // The callable is destroyed when the operation goes, finished or not.
    auto pending = c.download_artifact_async(id, "/", [bytes](gameye::Span<std::uint8_t>) { return true; });
    pending = {};
    CHECK(bytes.use_count() == 1, "writer callable released on free while pending");
    auto cancelled = c.download_artifact_async(id, "/", [bytes](gameye::Span<std::uint8_t>) { return true; });
    cancelled.cancel();
    auto cr = finish(std::move(cancelled));
    CHECK(cr.status() == gameye::Status::Cancelled || cr.ok(), "cancelled download");
    CHECK(bytes.use_count() == 1, "writer callable released after cancel");
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto racing = c.download_artifact_async(id, "/", [calls](gameye::Span<std::uint8_t>) {
        calls->fetch_add(1);
        std::this_thread::sleep_for(1ms);
    });
    std::this_thread::sleep_for(2ms);
    racing.cancel();
    int at_cancel = calls->load();
    std::this_thread::sleep_for(100ms);
    CHECK(calls->load() == at_cancel, "no write after cancel() returned");
    racing = {};
    CHECK(calls.use_count() == 1, "writer destroyed with its operation");
    auto stopped = finish(c.download_artifact_async(id, "/", [](gameye::Span<std::uint8_t>) { return false; }));
    expect(stopped, gameye::Status::Cancelled, "write returning false stops an async download");

    gameye::Queue q;
    std::uint64_t via_queue = 0;
    auto dq = c.download_artifact_async(id, "/", [](gameye::Span<std::uint8_t>) {});
    std::move(dq).then(q, [&](gameye::Result<std::uint64_t> r) { via_queue = r.ok() ? *r : 0; });
    for (int i = 0; i < 20000 && via_queue == 0; i++) {
        q.drain();
        std::this_thread::sleep_for(1ms);
    }
    CHECK(via_queue == *dl, "detached download through a queue");

    auto locs = finish(c.available_locations_async("nginx"));
    if (expect(locs, gameye::Status::Ok, "locations_async")) CHECK(!locs->empty(), "locations");
    auto tag = finish(c.tag_exists_async("europe", "nginx", "1.25"));
    if (expect(tag, gameye::Status::Ok, "tag_exists_async")) CHECK(*tag, "exists");
    auto stop = finish(c.stop_session_async(id, gameye::StopFlags::Idempotent));
    if (expect(stop, gameye::Status::Ok, "idempotent stop_async")) CHECK(*stop == gameye::StopOutcome::AlreadyStopped, "already");

    auto invalid = c.create_session_async("{\"location\":\"\"}");
    CHECK(invalid.done(), "bad arguments: done at once");
    expect(finish(std::move(invalid)), gameye::Status::InvalidRequest, "validated before start");
    expect(finish(c.get_session_async(nullptr)), gameye::Status::NullArgument, "NULL id");
}

// ---------------------------------------------------------------------------

struct LogSink {
    std::mutex mu;
    std::string text;
    int info_debug = 0;
};

void test_logging() {
    auto sink = std::make_shared<LogSink>();
    auto logger = [sink](gameye::LogLevel level, std::string_view message) {
        std::lock_guard<std::mutex> lock(sink->mu);
        sink->text += std::to_string(static_cast<unsigned>(level)) + " " + std::string(message) + "\n";
        if (level == gameye::LogLevel::Info || level == gameye::LogLevel::Debug) sink->info_debug++;
    };
    auto text = [&] {
        std::lock_guard<std::mutex> lock(sink->mu);
        return sink->text;
    };
    auto create = [](const char *token) {
        gameye::Client c = new_client(token);
        auto r = c.create_session("{\"location\":\"europe\",\"image\":\"nginx\",\"env\":{\"PASSWORD\":\"hunter2-env\"}}");
        (void)r.ok();
    };

    CHECK(gameye::set_logger(gameye::LogLevel::Trace, logger) == gameye::Status::Ok, "set");
    CHECK(sink.use_count() == 3, "the wrapper keeps the function alive (%ld)", sink.use_count());
    create("gameye-emulator-token");
    {
        gameye::Client wrong_client = [] {
            gameye::Config cfg;
            cfg.token = "s3cr3t-wrong-token";
            cfg.base_url = base_url;
            auto r = gameye::Client::create(cfg);
            return r.ok() ? std::move(r).value() : gameye::Client();
        }();
        (void)wrong_client.create_session(create_json("")).ok();
    }
    std::string t = text();
    CHECK(t.find("4 request start: POST /session") != std::string::npos, "debug start: %s", t.c_str());
    CHECK(t.find("3 request end: POST /session -> 201") != std::string::npos, "info end");
    CHECK(t.find("-> 401") != std::string::npos, "401 logged");
    CHECK(t.find("s3cr3t") == std::string::npos && t.find("gameye-emulator-token") == std::string::npos,
          "token not logged");
    CHECK(t.find("hunter2") == std::string::npos, "env values not logged");

    int before;
    {
        std::lock_guard<std::mutex> lock(sink->mu);
        before = sink->info_debug;
    }
    CHECK(gameye::set_logger(gameye::LogLevel::Error, logger) == gameye::Status::Ok, "raise the level");
    create("gameye-emulator-token");
    {
        std::lock_guard<std::mutex> lock(sink->mu);
        CHECK(sink->info_debug == before, "info and debug filtered out");
    }
    CHECK(gameye::set_logger(static_cast<gameye::LogLevel>(42), [](gameye::LogLevel, std::string_view) {}) ==
              gameye::Status::InvalidConfig,
          "unknown level");
    CHECK(sink.use_count() == 3, "the old logger stays after a refused one");

    CHECK(gameye::clear_logger() == gameye::Status::Ok, "off");
    CHECK(sink.use_count() == 2, "the function is released when cleared");
    std::size_t len = text().size();
    create("s3cr3t-wrong-token");
    CHECK(text().size() == len, "nothing logged when off");

    // An empty function turns logging off too.
    CHECK(gameye::set_logger(gameye::LogLevel::Trace, logger) == gameye::Status::Ok, "set again");
    CHECK(gameye::set_logger(gameye::LogLevel::Trace, nullptr) == gameye::Status::Ok, "empty function");
    CHECK(sink.use_count() == 2, "released");
}

}  // namespace

int main() {
    const char *url = std::getenv("GAMEYE_TEST_BASE_URL");
    if (url == nullptr) {
        std::fprintf(stderr, "GAMEYE_TEST_BASE_URL is not set\n");
        return 2;
    }
    base_url = url;
    const char *tls_url = std::getenv("GAMEYE_TEST_TLS_BASE_URL");
    const char *ca = std::getenv("GAMEYE_TEST_CA");
    if (tls_url == nullptr || ca == nullptr) {
        std::fprintf(stderr, "GAMEYE_TEST_TLS_BASE_URL and GAMEYE_TEST_CA are not set (run tests/cpp/run.sh)\n");
        return 2;
    }
    tls_base_url = tls_url;
    tls_ca = ca;
    run_id = "cpp" + std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));

    test_version_and_basics();
    test_validate_session();
    test_client_config_errors();
    test_config_keys();
    test_https_every_operation();
    {
        gameye::Client client = new_client("gameye-emulator-token");
        test_create(client);
        test_shared_client_threads(client);
        test_list_get_stop_players(client);
        test_logs(client);
        test_log_stream_close(client);
        test_artifacts(client);
        test_locations_tags(client);
        test_auth_errors();
        test_move_semantics(client);
        test_drain_loop(client);
        test_cancel_and_free_while_pending(client);
        test_library_thread_callbacks(client);
        test_every_endpoint_async(client);
        test_sweep(client);
    }
    test_logging();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
