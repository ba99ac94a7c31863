// arena-server: a dedicated game server as Gameye runs it, one process per
// session. It serves a tiny dice game over UDP, logs to stdout (the session's
// log) and writes results/match.json (the session's artifact).
//
// What Gameye gives the process (the emulator gives the same):
//   GAMEYE_SESSION_ID     the session's id
//   GAMEYE_HOST           the address players connect to
//   GAMEYE_PORT_UDP_7777  the host port mapped to container port 7777; in a
//                         container the server listens on 7777 itself, under
//                         the emulator (no container) it binds this port
// Arguments (the session's args): --players N --rounds R.
// ARENA_BIND: the address to bind (default 0.0.0.0, as in a container; the
// example's emulator config sets 127.0.0.1 so nothing listens beyond loopback).
//
// Protocol, one text datagram per message, each answered:
//   JOIN <player>                -> WELCOME <player> <rounds> | FULL
//   PLAY <player> <round> <roll> -> OK <round>   (roll 1..6; resending is harmless)
//   STATUS <player>              -> WAIT | OVER <winner>
// A round is scored when every player has rolled: the highest roll wins it,
// a tie scores nothing. After the last round the winner is the player with
// most rounds won ("draw" on a tie); the server then keeps answering until
// the matchmaker stops the session (SIGTERM).

#include <gameye.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

// Every line goes out at once: the matchmaker follows the log live.
__attribute__((format(printf, 1, 2))) void log(const char *fmt, ...) {
    std::va_list args;
    va_start(args, fmt);
    std::printf("[arena] ");
    std::vprintf(fmt, args);
    std::printf("\n");
    std::fflush(stdout);
    va_end(args);
}

std::string env_or(const char *name, const char *fallback) {
    const char *v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : fallback;
}

struct Game {
    int players_wanted = 2;
    int rounds = 3;
    std::vector<std::string> players;                  // in join order
    std::map<int, std::map<std::string, int>> rolls;   // round -> player -> roll
    std::map<std::string, int> wins;                   // rounds won
    int scored = 0;                                    // rounds scored so far
    std::string winner;                                // set when the match is over

    bool joined(const std::string &p) const {
        for (const auto &q : players)
            if (q == p) return true;
        return false;
    }

    // Scores every complete round in order; ends the match after the last.
    void score() {
        while (scored < rounds && rolls[scored + 1].size() == players.size() &&
               static_cast<int>(players.size()) == players_wanted) {
            int round = ++scored;
            std::string best;
            int high = 0;
            bool tie = false;
            for (const auto &[player, roll] : rolls[round]) {
                if (roll > high) { high = roll; best = player; tie = false; }
                else if (roll == high) { tie = true; }
            }
            if (tie) {
                log("round %d: tie at %d", round, high);
            } else {
                wins[best]++;
                log("round %d: %s wins with %d", round, best.c_str(), high);
            }
        }
        if (scored == rounds && winner.empty()) {
            int most = -1;
            for (const auto &p : players) {
                int w = wins[p];
                if (w > most) { most = w; winner = p; }
                else if (w == most) { winner = "draw"; }
            }
        }
    }

    // Handles one datagram; returns the answer.
    std::string handle(const std::string &msg) {
        std::istringstream in(msg);
        std::string verb, player;
        in >> verb >> player;
        if (player.empty()) return "ERROR no player";
        if (verb == "JOIN") {
            if (!joined(player)) {
                if (static_cast<int>(players.size()) >= players_wanted) return "FULL";
                players.push_back(player);
                log("%s joined (%zu/%d)", player.c_str(), players.size(), players_wanted);
            }
            return "WELCOME " + player + " " + std::to_string(rounds);
        }
        if (!joined(player)) return "ERROR not joined";
        if (verb == "PLAY") {
            int round = 0, roll = 0;
            if (!(in >> round >> roll) || round < 1 || round > rounds || roll < 1 || roll > 6)
                return "ERROR bad play";
            if (round > scored && rolls[round].emplace(player, roll).second) {
                log("%s rolls %d in round %d", player.c_str(), roll, round);
                score();
            }
            return "OK " + std::to_string(round);
        }
        if (verb == "STATUS") return winner.empty() ? "WAIT" : "OVER " + winner;
        return "ERROR unknown verb";
    }
};

// The artifact: written under the working directory, which is the
// container's "/" (so the matchmaker downloads "/results/match.json").
bool write_result(const Game &g, const std::string &session) {
    mkdir("results", 0755);
    std::ofstream out("results/match.json.tmp");
    out << "{\"session\": \"" << session << "\", \"rounds\": " << g.rounds
        << ", \"winner\": \"" << g.winner << "\", \"wins\": {";
    for (size_t i = 0; i < g.players.size(); i++) {
        const auto &p = g.players[i];
        out << (i ? ", " : "") << "\"" << p << "\": " << (g.wins.count(p) ? g.wins.at(p) : 0);
    }
    out << "}, \"rolls\": {";
    for (size_t i = 0; i < g.players.size(); i++) {
        const auto &p = g.players[i];
        out << (i ? ", " : "") << "\"" << p << "\": [";
        for (int r = 1; r <= g.rounds; r++)
            out << (r > 1 ? ", " : "") << g.rolls.at(r).at(p);
        out << "]";
    }
    out << "}}\n";
    out.close();
    // Renamed into place, so a reader never sees half a file.
    return out.good() && std::rename("results/match.json.tmp", "results/match.json") == 0;
}

}  // namespace

int main(int argc, char **argv) {
    Game game;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--players") game.players_wanted = std::atoi(argv[i + 1]);
        else if (a == "--rounds") game.rounds = std::atoi(argv[i + 1]);
    }
    if (game.players_wanted < 1 || game.rounds < 1) {
        log("bad arguments: --players N --rounds R");
        return 2;
    }
    const std::string session = env_or("GAMEYE_SESSION_ID", "local");
    const std::string host = env_or("GAMEYE_HOST", "127.0.0.1");
    const int port = std::atoi(env_or("GAMEYE_PORT_UDP_7777", "7777").c_str());
    const std::string bind_addr = env_or("ARENA_BIND", "0.0.0.0");
    log("session %s: %d players, %d rounds (libgameye %s)", session.c_str(),
        game.players_wanted, game.rounds, std::string(gameye::version()).c_str());

    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd < 0 || inet_pton(AF_INET, bind_addr.c_str(), &addr.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        log("cannot bind udp %s:%d", bind_addr.c_str(), port);
        return 1;
    }
    log("listening on udp %s:%d; players connect to %s:%d", bind_addr.c_str(), port,
        host.c_str(), port);

    bool written = false;
    while (!g_stop) {
        // A short poll, so SIGTERM is seen within 200 ms.
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char buf[512];
        sockaddr_in from{};
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf - 1, 0, reinterpret_cast<sockaddr *>(&from),
                             &from_len);
        if (n <= 0) continue;
        buf[n] = '\0';
        std::string reply = game.handle(buf);
        sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr *>(&from), from_len);
        if (!game.winner.empty() && !written) {
            written = write_result(game, session);
            if (!written) {
                log("cannot write results/match.json");
                return 1;
            }
            log("match over: winner %s; wrote /results/match.json", game.winner.c_str());
        }
    }
    close(fd);
    log("stopping (SIGTERM)");
    return 0;
}
