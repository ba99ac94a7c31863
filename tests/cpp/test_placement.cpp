// Tests of the C++ wrapper's placement API (bindings/cpp/include/gameye.hpp):
// gameye::ping_locations (real ICMP echo to loopback), choose_location and
// Client::create_session_near against the emulator (tests/cpp/run.sh starts
// it with tests/emulator-config.json, whose "full" location answers 420),
// under valgrind. Prints "N passed, N failed". Every wait is bounded.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>

#include <unistd.h>

#include "gameye.hpp"

using namespace std::chrono_literals;

namespace {

int passed = 0;
int failed = 0;

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

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

const char *kLocations =
    R"({"locations":[{"id":"one","ips":["127.0.0.1"]},{"id":"two","ips":["127.0.0.2","127.0.0.3"]}]})";
const char *kFast = R"({"probes":3,"interval_ms":20,"timeout_ms":1000})";

void check_report(const gameye::Result<gameye::PingReport> &r, const char *what) {
    if (!expect(r, gameye::Status::Ok, what)) return;
    std::string_view j = r->json();
    CHECK(contains(j, R"("method":"raw")") || contains(j, R"("method":"datagram")"), "%s: method", what);
    CHECK(contains(j, R"("sent":6,"received":6)"), "%s: all probes answered: %.*s", what, (int)j.size(), j.data());
}

void test_ping() {
    // Valgrind translates code on its first run, which makes a first call
    // slow; the bound is checked on a warm call.
    check_report(gameye::ping_locations(kLocations, kFast), "first ping_locations");
    auto started = std::chrono::steady_clock::now();
    auto r = gameye::ping_locations(kLocations, kFast);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    CHECK(took < 1500ms, "bounded by timeout_ms: took %lld ms", (long long)took.count());
    check_report(r, "ping_locations");

    auto op = gameye::ping_locations_async(kLocations, kFast);
    CHECK(op.wait(5s), "async ping completes");
    auto taken = op.take();
    CHECK(taken.has_value(), "result");
    if (taken) check_report(*taken, "ping_locations_async");

    // Destroying a pending operation stops the ping.
    { auto pending = gameye::ping_locations_async(kLocations, R"({"probes":100,"timeout_ms":20000})"); }

    auto bad = gameye::ping_locations(kLocations, R"({"probes":0})");
    if (expect(bad, gameye::Status::InvalidRequest, "bad options")) {
        CHECK(bad.error().violations().size() == 1 && bad.error().violations()[0].field() == "probes",
              "names the field");
    }
    expect(gameye::ping_locations(nullptr), gameye::Status::NullArgument, "NULL locations");
    CHECK(static_cast<std::uint32_t>(gameye::Status::PingNotPermitted) == GAMEYE_STATUS_PING_NOT_PERMITTED,
          "same numbers");
}

void test_choose() {
    const char *players =
        R"([{"player":"a","locations":[{"id":"eu","median_ms":10},{"id":"us","median_ms":40}]},)"
        R"({"player":"b","locations":[{"id":"eu","median_ms":90},{"id":"us","median_ms":50}]}])";
    auto p = gameye::choose_location(R"(["eu","us","mars"])", players);
    if (expect(p, gameye::Status::Ok, "choose_location")) {
        std::string_view j = p->json();
        CHECK(j.find(R"({"id":"us")") < j.find(R"({"id":"eu")"), "worst player decides: %.*s", (int)j.size(),
              j.data());
        CHECK(contains(j, R"("id":"mars","reason":"no_sample")"), "exclusion reason");
    }
    expect(gameye::choose_location(R"(["eu"])", "{}"), gameye::Status::InvalidRequest, "players not a list");
}

void test_create_near(const std::string &base_url) {
    std::string config = R"({"token":"gameye-emulator-token","base_url":")" + base_url +
                         R"(","request_timeout_ms":20000,"retry":{"max_attempts":1}})";
    auto client = gameye::Client::create(config);
    if (!expect(client, gameye::Status::Ok, "client")) return;
    std::string label = "cpp-near-" + std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));
    std::string request = R"({"image":"nginx","labels":{"run":")" + label + R"("}})";
    const char *players =
        R"([{"player":"a","locations":[{"id":"full","median_ms":5},{"id":"europe","median_ms":20}]}])";

    auto placed = client->create_session_near(request, players);
    if (expect(placed, gameye::Status::Ok, "create_session_near")) {
        CHECK(!placed->id().empty(), "session id");
        std::string_view j = placed->report_json();
        CHECK(contains(j, R"({"location":"europe")"), "landed in europe: %.*s", (int)j.size(), j.data());
        CHECK(contains(j, R"("location":"full",)") && contains(j, R"("outcome":"no_capacity")"), "full tried");
    }
    auto list = client->list_sessions(std::string(R"({"labels":{"run":")") + label + R"("}})");
    if (expect(list, gameye::Status::Ok, "list")) CHECK(list->size() == 1, "exactly one session");

    auto op = client->create_session_near_async(request, players, R"({"max_locations":1})");
    CHECK(op.wait(20s), "async completes");
    auto r = op.take();
    CHECK(r.has_value(), "result");
    if (r) expect(*r, gameye::Status::NoCapacity, "only full tried");
    list = client->list_sessions(std::string(R"({"labels":{"run":")") + label + R"("}})");
    if (expect(list, gameye::Status::Ok, "list")) CHECK(list->size() == 1, "no second session");
}

}  // namespace

int main() {
    const char *url = std::getenv("GAMEYE_TEST_BASE_URL");
    if (url == nullptr) {
        std::fprintf(stderr, "GAMEYE_TEST_BASE_URL is not set\n");
        return 2;
    }
    test_ping();
    test_choose();
    test_create_near(url);
    // Let the ping thread of the destroyed operation end (within ~20 ms).
    std::this_thread::sleep_for(200ms);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
