// The C++ consumer of an extracted SDK archive (tests/dist/consumer): links
// gameye::cpp (gameye.hpp over the shared library), creates a session on the
// emulator at GAMEYE_TEST_BASE_URL and stops it. Exits non-zero on failure.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gameye.hpp>

int main() {
    if (!gameye::version_matches()) {
        std::fprintf(stderr, "app_cpp: library version differs from gameye.hpp\n");
        return 1;
    }
    const char *base_url = std::getenv("GAMEYE_TEST_BASE_URL");
    if (base_url == nullptr) {
        std::fprintf(stderr, "app_cpp: GAMEYE_TEST_BASE_URL is not set\n");
        return 1;
    }
    auto client = gameye::Client::create(std::string("{\"token\":\"gameye-emulator-token\",\"base_url\":\"") +
                                         base_url + "\"}");
    if (!client) {
        std::fprintf(stderr, "app_cpp: client: %s\n", std::string(client.error().message()).c_str());
        return 1;
    }
    auto session = client->create_session(R"({"location":"europe","image":"nginx"})");
    if (!session) {
        std::fprintf(stderr, "app_cpp: create: %s\n", std::string(session.error().message()).c_str());
        return 1;
    }
    std::string id(session->id());
    std::printf("libgameye (C++): session %s at %s\n", id.c_str(), std::string(session->host()).c_str());
    auto stopped = client->stop_session(id);
    if (!stopped) {
        std::fprintf(stderr, "app_cpp: stop: %s\n", std::string(stopped.error().message()).c_str());
        return 1;
    }
    return 0;
}
