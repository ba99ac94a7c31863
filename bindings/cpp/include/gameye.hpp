// gameye.hpp: a header-only C++17 wrapper over libgameye's C ABI (gameye.h).
//
// Model: wasmtime's wasmtime.hh. Owning classes are move-only RAII handles;
// calls return gameye::Result<T> (a value or a gameye::Error), so exceptions
// are never required and the wrapper never throws. Functions are noexcept
// where they cannot fail; an allocation failure inside a noexcept function
// terminates the process, as everywhere in noexcept C++.
//
// Ownership rules (see also bindings/cpp/README.md):
// - Client, Queue, LogStream, Operation<T>, Error and the result types
//   (Session, SessionList, SessionDetails, Players, Logs, LogLine, Locations)
//   each own one C object and free it exactly once. They are move-only; a
//   moved-from object is empty: every accessor on it returns an empty value
//   and destroying it does nothing.
// - Views (std::string_view, gameye::Span<T>, Port, SessionInfo, Location,
//   Violation, Label) point into the memory of the result they came from and
//   must not outlive it. Copy into std::string to keep a value longer.
// - String arguments are gameye::CStr: a const char* or a const std::string&,
//   borrowed only for the call. A std::string_view is not accepted, because
//   the C ABI needs NUL-terminated strings.
// - No C++ standard-library type crosses the C boundary: the C callbacks
//   receive plain pointers to contexts that this header allocates and frees.
//
// Build: c++ -std=c++17 -I include -I bindings/cpp/include app.cpp -lgameye

#ifndef GAMEYE_HPP
#define GAMEYE_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "gameye.h"

/// 1 when the compiler has C++ exceptions enabled (__cpp_exceptions,
/// __EXCEPTIONS or _CPPUNWIND), else 0, as under -fno-exceptions. With 1 the
/// wrapper catches any exception a user callback throws (a download's
/// `write`, a completion callback, the logger) so it never unwinds through
/// libgameye's C frames: a download then stops with Status::Cancelled and
/// other callbacks' exceptions are dropped. With 0 nothing is caught, as
/// nothing can be thrown. Usable in `#if`, as the tests do. Detected, not
/// a switch: this header always defines it, so defining it first with another
/// value is a macro redefinition (a warning, an error under -Werror) and this
/// header's value wins; the compiler's exception flag decides.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define GAMEYE_HPP_EXCEPTIONS 1
#else
#define GAMEYE_HPP_EXCEPTIONS 0
#endif

namespace gameye {

// ---------------------------------------------------------------------------
// Versions and enums
// ---------------------------------------------------------------------------

/// The header's major version (GAMEYE_VERSION_MAJOR); version_matches()
/// compares the three with the loaded library's version().
inline constexpr int kVersionMajor = GAMEYE_VERSION_MAJOR;
/// The header's minor version (GAMEYE_VERSION_MINOR).
inline constexpr int kVersionMinor = GAMEYE_VERSION_MINOR;
/// The header's patch version (GAMEYE_VERSION_PATCH).
inline constexpr int kVersionPatch = GAMEYE_VERSION_PATCH;

/// The loaded library's version, such as "0.1.0". Static memory.
inline std::string_view version() noexcept {
    const char *v = gameye_version();
    return v != nullptr ? std::string_view(v) : std::string_view();
}

/// Whether the loaded library has the version this header was generated for.
inline bool version_matches() noexcept {
    const std::string expected = std::to_string(kVersionMajor) + "." +
                                 std::to_string(kVersionMinor) + "." +
                                 std::to_string(kVersionPatch);
    return version() == expected;
}

/// The outcome of a call; numbers equal the C GAMEYE_STATUS_* values.
enum class Status : std::uint32_t {
    Ok = GAMEYE_STATUS_OK,  ///< Success.
    /// Failed client-side validation and was not sent (see Error::violations()); the
    /// wrapper also gives it for a result already taken or a second callback registration.
    InvalidRequest = GAMEYE_STATUS_INVALID_REQUEST,
    /// The client configuration is invalid; the message names the option.
    InvalidConfig = GAMEYE_STATUS_INVALID_CONFIG,
    /// A required argument was NULL (the message names it); the wrapper also gives
    /// it for an empty handle.
    NullArgument = GAMEYE_STATUS_NULL_ARGUMENT,
    InvalidUtf8 = GAMEYE_STATUS_INVALID_UTF8,        ///< A string argument was not UTF-8; the message names it.
    Unauthorized = GAMEYE_STATUS_UNAUTHORIZED,       ///< HTTP 401: the token is missing or wrong.
    QuotaExhausted = GAMEYE_STATUS_QUOTA_EXHAUSTED,  ///< HTTP 402: quota exhausted.
    Forbidden = GAMEYE_STATUS_FORBIDDEN,             ///< HTTP 403: the token lacks the scope for this endpoint.
    NotFound = GAMEYE_STATUS_NOT_FOUND,  ///< HTTP 404: location, image, tag, organization or session not found.
    Conflict = GAMEYE_STATUS_CONFLICT,   ///< HTTP 409: the id is taken, or the session already stopped.
    /// HTTP 420: no capacity, or too many sessions in a short time; retry later.
    NoCapacity = GAMEYE_STATUS_NO_CAPACITY,
    /// HTTP 422: the server rejected the syntax; see Error::violations().
    InvalidSyntax = GAMEYE_STATUS_INVALID_SYNTAX,
    ClientError = GAMEYE_STATUS_CLIENT_ERROR,  ///< Any other HTTP 4xx; see Error::http_status().
    ServerError = GAMEYE_STATUS_SERVER_ERROR,  ///< Any HTTP 5xx; see Error::http_status().
    Connect = GAMEYE_STATUS_CONNECT,           ///< The connection could not be established.
    Tls = GAMEYE_STATUS_TLS,                   ///< The TLS handshake failed.
    /// The connect or request timeout ran out; also Operation::get() when the
    /// operation is still pending after its wait.
    Timeout = GAMEYE_STATUS_TIMEOUT,
    Transport = GAMEYE_STATUS_TRANSPORT,  ///< Another transport failure (connection reset, broken body).
    Decode = GAMEYE_STATUS_DECODE,        ///< The response did not match the API spec; Error::body() holds it.
    Io = GAMEYE_STATUS_IO,                ///< Writing a download to the caller's file or callback failed.
    /// Cancelled by the caller: Operation::cancel(), or a download whose `write`
    /// returned false or threw.
    Cancelled = GAMEYE_STATUS_CANCELLED,
    /// The OS lets this process send no ICMP echo; message() names the cause and the fix.
    PingNotPermitted = GAMEYE_STATUS_PING_NOT_PERMITTED,
    /// A bug in libgameye panicked: the call failed but the process is intact. The
    /// wrapper also gives it when libgameye returned no result at all.
    Panic = GAMEYE_STATUS_PANIC,
};

/// The static name of a status, such as "GAMEYE_STATUS_NOT_FOUND".
inline const char *status_name(Status s) noexcept {
    return gameye_status_name(static_cast<std::uint32_t>(s));
}

/// A session's state; `SessionInfo::status()` carries the exact text.
enum class SessionState : std::uint32_t {
    Unknown = GAMEYE_SESSION_STATE_UNKNOWN,                      ///< The server did not say.
    Created = GAMEYE_SESSION_STATE_CREATED,                      ///< "created"
    Running = GAMEYE_SESSION_STATE_RUNNING,                      ///< "running"
    Restarting = GAMEYE_SESSION_STATE_RESTARTING,                ///< "restarting"
    Exited = GAMEYE_SESSION_STATE_EXITED,                        ///< "exited"
    Dead = GAMEYE_SESSION_STATE_DEAD,                            ///< "dead"
    Draining = GAMEYE_SESSION_STATE_DRAINING,                    ///< "draining"
    ShuttingDown = GAMEYE_SESSION_STATE_SHUTTING_DOWN,           ///< "shuttingdown"
    ServerUnreachable = GAMEYE_SESSION_STATE_SERVER_UNREACHABLE, ///< "server_unreachable"
    Other = GAMEYE_SESSION_STATE_OTHER,  ///< A status newer than this library; read SessionInfo::status().
};

/// What a stop did.
enum class StopOutcome : std::uint32_t {
    None = GAMEYE_STOP_OUTCOME_NONE,        ///< Not a stop call, or the stop failed.
    Stopped = GAMEYE_STOP_OUTCOME_STOPPED,  ///< The session was running and is now terminated.
    /// With StopFlags::Idempotent: it had already terminated (409).
    AlreadyStopped = GAMEYE_STOP_OUTCOME_ALREADY_STOPPED,
    /// With StopFlags::Idempotent: no such session (404).
    NotFound = GAMEYE_STOP_OUTCOME_NOT_FOUND,
};

/// Flags of `Client::stop_session`.
enum class StopFlags : std::uint32_t {
    None = 0,  ///< No flags: an unknown session is Status::NotFound, an already stopped one Status::Conflict.
    /// Count "no such session" and "already terminated" as stopped.
    Idempotent = GAMEYE_STOP_IDEMPOTENT,
};

/// Log levels; a logger set at one level gets it and every more severe one
/// (lower number): Info also gets Warn and Error.
enum class LogLevel : std::uint32_t {
    Off = GAMEYE_LOG_LEVEL_OFF,      ///< Logging off.
    Error = GAMEYE_LOG_LEVEL_ERROR,  ///< A call failed.
    Warn = GAMEYE_LOG_LEVEL_WARN,    ///< Something unusual the library handled (a retry).
    Info = GAMEYE_LOG_LEVEL_INFO,    ///< One line per request: method, path, status, duration.
    Debug = GAMEYE_LOG_LEVEL_DEBUG,  ///< Request starts and more.
    Trace = GAMEYE_LOG_LEVEL_TRACE,  ///< Everything.
};

// ---------------------------------------------------------------------------
// String arguments
// ---------------------------------------------------------------------------

/// A borrowed NUL-terminated string argument: a `const char *` (NULL allowed:
/// the call then fails with Status::NullArgument, or means "none" where the C
/// function allows NULL) or a `const std::string &`. Only valid for the call.
class CStr {
public:
    /// No string: the C function gets NULL.
    CStr(std::nullptr_t) noexcept : p_(nullptr) {}
    /// Borrows `s`, which may be NULL.
    CStr(const char *s) noexcept : p_(s) {}
    /// Borrows `s.c_str()`; `s` must not change or go away during the call.
    CStr(const std::string &s) noexcept : p_(s.c_str()) {}
    // A temporary std::string would dangle when the CStr is stored; it is
    // fine as a direct argument, which is the only use.
    /// The borrowed pointer handed to the C function; may be NULL.
    const char *c_str() const noexcept { return p_; }

private:
    const char *p_;
};

// ---------------------------------------------------------------------------
// Views and Span
// ---------------------------------------------------------------------------

namespace detail {
inline std::string_view sv(const char *s) noexcept {
    return s != nullptr ? std::string_view(s) : std::string_view();
}

/// Maps a view type to the C element it views. The primary template is the
/// identity (plain values such as bytes); views specialize it below.
template <class V>
struct Adapt {
    using Raw = V;
    static V view(const Raw &r) noexcept { return r; }
};

template <>
struct Adapt<std::string_view> {
    using Raw = const char *;
    static std::string_view view(const Raw &r) noexcept { return sv(r); }
};
}  // namespace detail

class Port;
class Violation;
class Label;
class Location;
class SessionInfo;

namespace detail {
// The view classes below, over their C structs (view() is defined after them).
template <>
struct Adapt<Port> {
    using Raw = GameyePort;
    static Port view(const Raw &r) noexcept;
};
template <>
struct Adapt<Violation> {
    using Raw = GameyeViolation;
    static Violation view(const Raw &r) noexcept;
};
template <>
struct Adapt<Label> {
    using Raw = GameyeKeyValue;
    static Label view(const Raw &r) noexcept;
};
template <>
struct Adapt<Location> {
    using Raw = GameyeLocation;
    static Location view(const Raw &r) noexcept;
};
template <>
struct Adapt<SessionInfo> {
    using Raw = GameyeSessionInfo;
    static SessionInfo view(const Raw &r) noexcept;
};
}  // namespace detail

/// A read-only view of `size()` elements of a C array, seen as `T` (C++17 has
/// no std::span). Elements are produced by value (cheap views). A Span points
/// into the result it came from: it must not outlive that result.
template <class T>
class Span {
public:
    /// The C element type of the array, such as GameyePort for Span<Port>
    /// (`const char *` for std::string_view; T itself for plain values).
    using Raw = typename detail::Adapt<T>::Raw;
    using value_type = T;           ///< The element type, made by value from a Raw.
    using size_type = std::size_t;  ///< The type of size() and indexes.

    /// An input iterator over a Span: dereferencing makes a `T` from the C
    /// element. Valid as long as the Span's memory is.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;  ///< Input: elements are values, not references.
        using value_type = T;                              ///< The element type.
        using difference_type = std::ptrdiff_t;            ///< The type of operator-().
        using pointer = void;                              ///< None: elements are made on demand.
        using reference = T;                               ///< `T` by value, not a reference.

        /// A null iterator; an empty Span's begin() and end() are null too.
        iterator() noexcept = default;
        /// An iterator at the C element `p`.
        explicit iterator(const Raw *p) noexcept : p_(p) {}
        /// The current element, made as a `T` view; the iterator must not be at the end.
        T operator*() const noexcept { return detail::Adapt<T>::view(*p_); }
        /// Moves to the next element.
        iterator &operator++() noexcept {
            ++p_;
            return *this;
        }
        /// Moves to the next element; returns the iterator as it was before.
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++p_;
            return old;
        }
        /// Whether both are at the same element.
        friend bool operator==(iterator a, iterator b) noexcept { return a.p_ == b.p_; }
        /// Whether they are at different elements.
        friend bool operator!=(iterator a, iterator b) noexcept { return a.p_ != b.p_; }
        /// The number of elements from `b` to `a` (both of the same Span).
        friend difference_type operator-(iterator a, iterator b) noexcept { return a.p_ - b.p_; }

    private:
        const Raw *p_ = nullptr;
    };

    /// An empty span.
    constexpr Span() noexcept = default;
    /// `size` elements at `data`; a NULL `data` gives an empty span.
    constexpr Span(const Raw *data, std::size_t size) noexcept
        : data_(size != 0 ? data : nullptr), size_(data != nullptr ? size : 0) {}

    /// The number of elements.
    constexpr std::size_t size() const noexcept { return size_; }
    /// Whether size() is 0.
    constexpr bool empty() const noexcept { return size_ == 0; }
    /// The C array; NULL when the span is empty.
    constexpr const Raw *data() const noexcept { return data_; }
    /// Element `i`; `i` must be below size().
    T operator[](std::size_t i) const noexcept { return detail::Adapt<T>::view(data_[i]); }
    /// The first element; the span must not be empty.
    T front() const noexcept { return (*this)[0]; }
    /// The last element; the span must not be empty.
    T back() const noexcept { return (*this)[size_ - 1]; }
    /// An iterator at the first element.
    iterator begin() const noexcept { return iterator(data_); }
    /// An iterator past the last element.
    iterator end() const noexcept { return iterator(data_ + size_); }

private:
    const Raw *data_ = nullptr;
    std::size_t size_ = 0;
};

namespace detail {
/// The base of the view classes below: a pointer into a result, valid while
/// the result lives.
template <class Raw>
class View {
public:
    explicit View(const Raw &raw) noexcept : p_(&raw) {}
    /// The C struct this views.
    const Raw &raw() const noexcept { return *p_; }

protected:
    const Raw *p_;
};
}  // namespace detail

/// One mapped port of a session (a view).
class Port : public detail::View<GameyePort> {
public:
    using View::View;
    /// "tcp", "udp", or a newer name.
    std::string_view protocol() const noexcept { return detail::sv(p_->protocol); }
    /// The port inside the container.
    std::uint16_t container() const noexcept { return p_->container; }
    /// The port on the host that players connect to.
    std::uint16_t host() const noexcept { return p_->host; }
};

/// One problem with one field (a view).
class Violation : public detail::View<GameyeViolation> {
public:
    using View::View;
    /// Such as "location", "env.PORT" or "args[2]".
    std::string_view field() const noexcept { return detail::sv(p_->field); }
    /// What is wrong with the field.
    std::string_view description() const noexcept { return detail::sv(p_->description); }
};

/// A label: key and value (a view).
class Label : public detail::View<GameyeKeyValue> {
public:
    using View::View;
    /// The label's key.
    std::string_view key() const noexcept { return detail::sv(p_->key); }
    /// The label's value.
    std::string_view value() const noexcept { return detail::sv(p_->value); }
};

/// A location that can host an image (a view).
class Location : public detail::View<GameyeLocation> {
public:
    using View::View;
    /// The location's id, such as "europe".
    std::string_view id() const noexcept { return detail::sv(p_->id); }
    /// IPv4 addresses to ping.
    Span<std::string_view> ips() const noexcept { return {p_->ips, p_->ips_len}; }
};

/// A listed or described session (a view).
class SessionInfo : public detail::View<GameyeSessionInfo> {
public:
    using View::View;
    /// The session id.
    std::string_view id() const noexcept { return detail::sv(p_->id); }
    /// The image name.
    std::string_view image() const noexcept { return detail::sv(p_->image); }
    /// The image tag; empty when the server did not say.
    std::string_view tag() const noexcept { return detail::sv(p_->tag); }
    /// The location the session runs in.
    std::string_view location() const noexcept { return detail::sv(p_->location); }
    /// The host's IP address.
    std::string_view host() const noexcept { return detail::sv(p_->host); }
    /// Creation time in milliseconds since the Unix epoch.
    std::int64_t created_ms() const noexcept { return p_->created_ms; }
    /// created_ms() as a std::chrono::system_clock time point.
    std::chrono::system_clock::time_point created() const noexcept {
        return std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::milliseconds(p_->created_ms)));
    }
    /// The mapped ports.
    Span<Port> ports() const noexcept { return {p_->ports, p_->ports_len}; }
    /// The status as the API spells it; empty when the server did not say.
    std::string_view status() const noexcept { return detail::sv(p_->status); }
    /// The status as a number; SessionState::Other for a status newer than this library.
    SessionState state() const noexcept { return static_cast<SessionState>(p_->state); }
    /// The session's labels.
    Span<Label> labels() const noexcept { return {p_->labels, p_->labels_len}; }
    /// The number of players, or -1 when the server did not say.
    std::int64_t player_count() const noexcept { return p_->player_count; }
    /// The ids of the players who joined (described sessions only).
    Span<std::string_view> joined() const noexcept { return {p_->joined, p_->joined_len}; }
};

namespace detail {
inline Port Adapt<Port>::view(const GameyePort &r) noexcept { return Port(r); }
inline Violation Adapt<Violation>::view(const GameyeViolation &r) noexcept { return Violation(r); }
inline Label Adapt<Label>::view(const GameyeKeyValue &r) noexcept { return Label(r); }
inline Location Adapt<Location>::view(const GameyeLocation &r) noexcept { return Location(r); }
inline SessionInfo Adapt<SessionInfo>::view(const GameyeSessionInfo &r) noexcept {
    return SessionInfo(r);
}

/// Owns one C object and frees it with `Free` exactly once (the C free
/// functions accept NULL). Move-only; empty (NULL) once moved from.
template <class C, void (*Free)(C *)>
class Owned {
public:
    Owned() noexcept = default;
    explicit Owned(C *owned) noexcept : p_(owned) {}
    Owned(Owned &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Owned &operator=(Owned &&o) noexcept {
        if (this != &o) {
            Free(p_);
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    Owned(const Owned &) = delete;
    Owned &operator=(const Owned &) = delete;
    ~Owned() { Free(p_); }
    C *get() const noexcept { return p_; }
    C *release() noexcept { return std::exchange(p_, nullptr); }

private:
    C *p_ = nullptr;
};

using OwnedResult = Owned<GameyeResult, gameye_result_free>;
}  // namespace detail

// ---------------------------------------------------------------------------
// Error and Result
// ---------------------------------------------------------------------------

/// A failed call: status, HTTP status, message, the API's code / details /
/// identifier, field violations and the raw body. It owns the C result, so
/// its string views stay valid as long as the Error lives. Move-only.
class Error {
public:
    /// Takes ownership of a failed C result (NULL gives a Panic error).
    explicit Error(GameyeResult *owned) noexcept
        : r_(owned),
          status_(owned != nullptr ? static_cast<Status>(owned->status) : Status::Panic),
          message_(owned != nullptr ? nullptr : "libgameye returned no result") {}
    /// An error made by the wrapper itself; `static_message` must be static.
    Error(Status status, const char *static_message) noexcept
        : status_(status), message_(static_message) {}
    /// Takes `o`'s result; `o` is left empty (Status::Ok, no message).
    Error(Error &&o) noexcept
        : r_(std::move(o.r_)),
          status_(std::exchange(o.status_, Status::Ok)),
          message_(std::exchange(o.message_, nullptr)) {}
    /// Frees this error's result and takes `o`'s; `o` is left empty.
    Error &operator=(Error &&o) noexcept {
        r_ = std::move(o.r_);
        status_ = std::exchange(o.status_, Status::Ok);
        message_ = std::exchange(o.message_, nullptr);
        return *this;
    }

    /// What went wrong (Status::Ok once moved from).
    Status status() const noexcept { return status_; }
    /// "GAMEYE_STATUS_…"
    const char *status_name() const noexcept { return gameye::status_name(status_); }
    /// The HTTP status of the response, 0 when none arrived.
    std::uint16_t http_status() const noexcept { return raw() ? raw()->http_status : 0; }
    /// A readable description (never contains the token).
    std::string_view message() const noexcept {
        return raw() ? detail::sv(raw()->message) : detail::sv(message_);
    }
    /// The API's error code; empty when absent.
    std::string_view code() const noexcept { return raw() ? detail::sv(raw()->code) : std::string_view(); }
    /// The API's error details; empty when absent.
    std::string_view details() const noexcept {
        return raw() ? detail::sv(raw()->details) : std::string_view();
    }
    /// The API's request identifier (quote it to support); empty when absent.
    std::string_view identifier() const noexcept {
        return raw() ? detail::sv(raw()->identifier) : std::string_view();
    }
    /// Field violations (Status::InvalidRequest, InvalidConfig, InvalidSyntax).
    Span<Violation> violations() const noexcept {
        return raw() ? Span<Violation>(raw()->violations, raw()->violations_len) : Span<Violation>();
    }
    /// The response body as received (bytes; may not be UTF-8); empty when none.
    std::string_view body() const noexcept {
        return raw() && raw()->body ? std::string_view(raw()->body, raw()->body_len) : std::string_view();
    }
    /// "GAMEYE_STATUS_NOT_FOUND (HTTP 404): message"
    std::string to_string() const {
        std::string s = status_name();
        if (http_status() != 0) s += " (HTTP " + std::to_string(http_status()) + ")";
        s += ": ";
        s += message();
        return s;
    }
    /// The C result, or NULL for an error made by the wrapper.
    const GameyeResult *raw() const noexcept { return r_.get(); }

private:
    detail::OwnedResult r_;
    Status status_ = Status::Ok;
    const char *message_ = nullptr;
};

/// A value or an Error; test it with ok() or `if (result)`.
///
/// value() and error() must only be called on the matching state: the wrong
/// one prints a message and aborts (like wasmtime's unwrap), never throws.
template <class T>
class [[nodiscard]] Result {
public:
    /// A success holding `value`.
    Result(T value) noexcept : v_(std::in_place_index<0>, std::move(value)) {}
    /// A failure holding `error`.
    Result(Error error) noexcept : v_(std::in_place_index<1>, std::move(error)) {}

    /// Whether it holds a value.
    bool ok() const noexcept { return v_.index() == 0; }
    /// Same as ok().
    explicit operator bool() const noexcept { return ok(); }
    /// Status::Ok, or the error's status.
    Status status() const noexcept { return ok() ? Status::Ok : std::get_if<1>(&v_)->status(); }

    /// The value; aborts when this holds an error.
    T &value() & noexcept { return *check_value(); }
    /// The value; aborts when this holds an error.
    const T &value() const & noexcept { return *check_value(); }
    /// The value, to move out of a temporary Result; aborts when this holds an error.
    T &&value() && noexcept { return std::move(*check_value()); }
    /// Member access to the value; aborts when this holds an error.
    T *operator->() noexcept { return check_value(); }
    /// Member access to the value; aborts when this holds an error.
    const T *operator->() const noexcept { return check_value(); }
    /// The value; aborts when this holds an error.
    T &operator*() & noexcept { return *check_value(); }
    /// The value; aborts when this holds an error.
    const T &operator*() const & noexcept { return *check_value(); }

    /// The error; aborts when this holds a value.
    Error &error() & noexcept { return *check_error(); }
    /// The error; aborts when this holds a value.
    const Error &error() const & noexcept { return *check_error(); }
    /// The error, to move out of a temporary Result; aborts when this holds a value.
    Error &&error() && noexcept { return std::move(*check_error()); }

    /// The value, or `fallback` on error (for copyable values).
    template <class U>
    T value_or(U &&fallback) const & {
        return ok() ? *std::get_if<0>(&v_) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    T *check_value() const noexcept {
        auto *p = std::get_if<0>(&v_);
        if (p == nullptr) die("gameye::Result::value() called on an error");
        return const_cast<T *>(p);
    }
    Error *check_error() const noexcept {
        auto *p = std::get_if<1>(&v_);
        if (p == nullptr) die("gameye::Result::error() called on a value");
        return const_cast<Error *>(p);
    }
    [[noreturn]] void die(const char *what) const noexcept {
        const Error *e = std::get_if<1>(&v_);
        std::string_view m = e ? e->message() : std::string_view();
        std::fprintf(stderr, "%s (%s: %.*s)\n", what, e ? e->status_name() : "ok",
                     static_cast<int>(m.size()), m.data());
        std::abort();
    }

    std::variant<T, Error> v_;
};

// ---------------------------------------------------------------------------
// Result types (own the C result)
// ---------------------------------------------------------------------------

/// The base of the successful result types: owns the C result, move-only.
class Response {
public:
    /// An empty response: has_value() is false.
    Response() noexcept = default;
    /// Takes ownership of a C result (freed with gameye_result_free()).
    explicit Response(GameyeResult *owned) noexcept : r_(owned) {}
    /// The HTTP status of the response (0 when none arrived).
    std::uint16_t http_status() const noexcept { return raw() ? raw()->http_status : 0; }
    /// The response body as received (bytes); empty when none was kept.
    std::string_view body() const noexcept {
        return raw() && raw()->body ? std::string_view(raw()->body, raw()->body_len) : std::string_view();
    }
    /// Whether this object holds a result (false once moved from).
    bool has_value() const noexcept { return raw() != nullptr; }
    /// The C result; NULL when moved from. Owned by this object.
    const GameyeResult *raw() const noexcept { return r_.get(); }
    /// Gives up ownership: the caller frees it with gameye_result_free().
    GameyeResult *release() noexcept { return r_.release(); }

private:
    detail::OwnedResult r_;
};

/// A started session (Client::create_session).
class Session : public Response {
public:
    using Response::Response;
    /// The session id (the server's, or the one sent when it gave none).
    std::string_view id() const noexcept { return s() ? detail::sv(s()->id) : std::string_view(); }
    /// The IP address players connect to.
    std::string_view host() const noexcept { return s() ? detail::sv(s()->host) : std::string_view(); }
    /// The mapped ports.
    Span<Port> ports() const noexcept { return s() ? Span<Port>(s()->ports, s()->ports_len) : Span<Port>(); }

private:
    const GameyeSession *s() const noexcept { return raw() ? raw()->session : nullptr; }
};

namespace detail {
/// A result whose value is one array of the C result (`Data`, `Len`
/// elements), used as a container of T views: size, [], iteration.
template <class T, const typename Adapt<T>::Raw *GameyeResult::*Data, std::size_t GameyeResult::*Len>
class ListResponse : public Response {
public:
    using Response::Response;
    std::size_t size() const noexcept { return items().size(); }
    bool empty() const noexcept { return items().empty(); }
    T operator[](std::size_t i) const noexcept { return items()[i]; }
    typename Span<T>::iterator begin() const noexcept { return items().begin(); }
    typename Span<T>::iterator end() const noexcept { return items().end(); }

protected:
    Span<T> items() const noexcept { return raw() ? Span<T>(raw()->*Data, raw()->*Len) : Span<T>(); }
};
}  // namespace detail

/// Listed sessions (Client::list_sessions); iterate it for SessionInfo views.
class SessionList
    : public detail::ListResponse<SessionInfo, &GameyeResult::sessions, &GameyeResult::sessions_len> {
public:
    using ListResponse::ListResponse;
    /// The sessions as a Span (the list also iterates and indexes them directly).
    Span<SessionInfo> sessions() const noexcept { return items(); }
};

/// A described session (Client::get_session).
class SessionDetails : public Response {
public:
    using Response::Response;
    /// Whether a session is held (false once moved from).
    bool has_info() const noexcept { return raw() != nullptr && raw()->session_info != nullptr; }
    /// The session; an empty one (no strings, player count -1) when moved from.
    SessionInfo info() const noexcept {
        static const GameyeSessionInfo empty = make_empty();
        return SessionInfo(has_info() ? *raw()->session_info : empty);
    }

private:
    static GameyeSessionInfo make_empty() noexcept {
        GameyeSessionInfo e{};
        e.player_count = -1;
        return e;
    }
};

/// Players joined or removed (Client::join_players / leave_players).
class Players : public Response {
public:
    using Response::Response;
    /// The session's player count after the call; -1 when unknown or moved from.
    std::int64_t player_count() const noexcept { return raw() ? raw()->player_count : -1; }
    /// The player ids affected.
    Span<std::string_view> players() const noexcept {
        return raw() ? Span<std::string_view>(raw()->players, raw()->players_len) : Span<std::string_view>();
    }
};

/// A session's logs so far (Client::get_logs).
class Logs : public Response {
public:
    using Response::Response;
    /// The log text (UTF-8).
    std::string_view text() const noexcept {
        return raw() && raw()->text ? std::string_view(raw()->text, raw()->text_len) : std::string_view();
    }
};

/// One line of a followed log, or its end (LogStream::next).
class LogLine : public Response {
public:
    using Response::Response;
    /// Whether the log has ended (the session stopped); text() is then empty.
    bool end() const noexcept { return raw() == nullptr || raw()->text == nullptr; }
    /// The line without its line ending.
    std::string_view text() const noexcept {
        return raw() && raw()->text ? std::string_view(raw()->text, raw()->text_len) : std::string_view();
    }
};

/// Available locations (Client::available_locations).
class Locations
    : public detail::ListResponse<Location, &GameyeResult::locations, &GameyeResult::locations_len> {
public:
    using ListResponse::ListResponse;
    /// The locations as a Span (the list also iterates and indexes them directly).
    Span<Location> locations() const noexcept { return items(); }
};

/// A JSON document the library produced (ping reports, placements): the
/// result's text, valid as long as this object lives.
class JsonText : public Response {
public:
    using Response::Response;
    /// The JSON document (UTF-8).
    std::string_view json() const noexcept {
        return raw() && raw()->text ? std::string_view(raw()->text, raw()->text_len) : std::string_view();
    }
};

/// A ping report (ping_locations): {"method":…,"locations":[{"id","min_ms",
/// "median_ms","p90_ms","loss","sent","received","ips":[…]}]}, best first.
class PingReport : public JsonText {
public:
    using JsonText::JsonText;
};

/// Ranked and excluded locations (choose_location):
/// {"ranked":[{"id","worst_ms","mean_ms","players_measured"}],"excluded":[…]}.
class Placement : public JsonText {
public:
    using JsonText::JsonText;
};

/// A session started near its players (Client::create_session_near): the
/// session, plus report_json() = {"location":…,"tried":[{"location",
/// "session_id","outcome","message"?}],"placement":{…}}.
class PlacedSession : public Session {
public:
    using Session::Session;
    /// The location used, each location tried and the ranking, as JSON.
    std::string_view report_json() const noexcept {
        return raw() && raw()->text ? std::string_view(raw()->text, raw()->text_len) : std::string_view();
    }
};

namespace detail {
/// Turns an owned C result into Result<T>; T picks the field. Specialized
/// for the scalar results (tag exists, bytes written, stop outcome).
template <class T>
struct Convert {
    static_assert(std::is_base_of<Response, T>::value, "unsupported result type");
    static Result<T> from(GameyeResult *r) noexcept { return T(r); }
};
template <>
struct Convert<bool> {  // tag_exists
    static Result<bool> from(GameyeResult *r) noexcept {
        bool v = r->tag_exists != 0;
        gameye_result_free(r);
        return v;
    }
};
template <>
struct Convert<std::uint64_t> {  // bytes_written
    static Result<std::uint64_t> from(GameyeResult *r) noexcept {
        std::uint64_t v = r->bytes_written;
        gameye_result_free(r);
        return v;
    }
};
template <>
struct Convert<StopOutcome> {
    static Result<StopOutcome> from(GameyeResult *r) noexcept {
        StopOutcome v = static_cast<StopOutcome>(r->stop_outcome);
        gameye_result_free(r);
        return v;
    }
};

template <class T>
Result<T> make_result(GameyeResult *r) noexcept {
    if (r == nullptr || r->status != GAMEYE_STATUS_OK) return Error(r);
    return Convert<T>::from(r);
}

/// The result of a completed operation, for its callback.
template <class T>
Result<T> take_for_callback(GameyeOperation *op) noexcept {
    GameyeResult *r = gameye_operation_take_result(op);
    if (r == nullptr) return Error(Status::InvalidRequest, "the operation's result was already taken");
    return make_result<T>(r);
}

/// Calls a user callback from a C callback: an exception must not unwind
/// through libgameye's frames, so one is caught and reported as failure.
template <class F>
bool call_guarded(F &&f) noexcept {
#if GAMEYE_HPP_EXCEPTIONS
    try {
        std::forward<F>(f)();
        return true;
    } catch (...) {
        return false;
    }
#else
    std::forward<F>(f)();
    return true;
#endif
}
}  // namespace detail

// ---------------------------------------------------------------------------
// Queue and operation plumbing
// ---------------------------------------------------------------------------

class Queue;
template <class T>
class Operation;
class Client;
class LogStream;

namespace detail {

struct QueueState;

/// A completion callback's heap context: passed to the C ABI as userdata.
/// Freed exactly once: by the Operation handle that owns it (retained
/// registrations), by its own trampoline (detached ones), or by the Queue's
/// destructor (detached ones that never ran).
struct Registration {
    virtual ~Registration() = default;
    Registration *prev = nullptr;
    Registration *next = nullptr;
    std::shared_ptr<QueueState> queue;  // set when registered with a queue
    bool linked = false;                // in queue->head's list (under its mutex)
    bool detached = false;              // owns `op`
    bool suppressed = false;            // its queue went: never run (under the mutex)
    GameyeOperation *op = nullptr;      // the operation (owned when detached)
    struct WriterBase *writer = nullptr;  // a download's writer (owned when detached)
};

/// The write callback of a non-blocking download, called on a library I/O
/// thread. libgameye never calls it again once gameye_operation_cancel() or
/// gameye_operation_free() returned (they wait for a call in progress), so
/// it is deleted right after the operation is freed.
struct WriterBase {
    virtual ~WriterBase() = default;
    virtual int32_t write(const std::uint8_t *data, std::size_t len) noexcept = 0;

    static int32_t trampoline(void *userdata, const std::uint8_t *data, std::size_t len) {
        return static_cast<WriterBase *>(userdata)->write(data, len);
    }
};

/// Calls a write callable with one chunk: 0 to continue, 1 to stop (the
/// callable returned false, or threw).
template <class F>
int32_t invoke_writer(F &fn, const std::uint8_t *data, std::size_t len) noexcept {
    int32_t out = 1;
    bool ok = call_guarded([&] {
        Span<std::uint8_t> chunk(data, len);
        using R = decltype(fn(chunk));
        if constexpr (std::is_void<R>::value) {
            fn(chunk);
            out = 0;
        } else {
            out = static_cast<bool>(fn(chunk)) ? 0 : 1;
        }
    });
    return ok ? out : 1;
}

template <class F>
struct Writer final : WriterBase {
    explicit Writer(F &&f) : fn(std::move(f)) {}
    F fn;
    int32_t write(const std::uint8_t *data, std::size_t len) noexcept override {
        return invoke_writer(fn, data, len);
    }
};

/// Heap state of a Queue: the registrations made with it, so the Queue's
/// destructor can free what would otherwise never run.
struct QueueState {
    std::mutex mu;
    Registration *head = nullptr;

    void link(Registration *r) noexcept {  // mu held
        r->prev = nullptr;
        r->next = head;
        if (head != nullptr) head->prev = r;
        head = r;
        r->linked = true;
    }
    void unlink(Registration *r) noexcept {  // mu held
        if (!r->linked) return;
        if (r->prev != nullptr) r->prev->next = r->next;
        else head = r->next;
        if (r->next != nullptr) r->next->prev = r->prev;
        r->prev = r->next = nullptr;
        r->linked = false;
    }
};

/// Called first by a trampoline: unlinks the registration, and says whether
/// it may run (false once its Queue's destructor suppressed it).
inline bool claim_registration(Registration *r) noexcept {
    if (!r->queue) return true;
    std::lock_guard<std::mutex> lock(r->queue->mu);
    r->queue->unlink(r);
    return !r->suppressed;
}

inline void noop_completion(void *, GameyeOperation *) {}

template <class T, class F>
struct Callback final : Registration {
    explicit Callback(F &&f) : fn(std::move(f)) {}
    F fn;

    /// Retained mode: the Operation handle owns this context and the
    /// operation. The callable is moved to the stack first, so the callback
    /// may destroy its own handle (which frees this context).
    static void run_retained(void *userdata, GameyeOperation *op) {
        auto *self = static_cast<Callback *>(userdata);
        if (!claim_registration(self)) return;  // its queue is being destroyed
        Result<T> result = take_for_callback<T>(op);
        F fn = std::move(self->fn);
        call_guarded([&] { fn(std::move(result)); });
    }

    /// Detached mode: this context owns the operation; both are freed here,
    /// before the user's callable runs from the stack.
    static void run_detached(void *userdata, GameyeOperation *op) {
        auto *self = static_cast<Callback *>(userdata);
        claim_registration(self);  // a detached one is never suppressed, but freed
        Result<T> result = take_for_callback<T>(op);
        gameye_operation_free(op);
        delete self->writer;  // no write can come once the operation is freed
        F fn = std::move(self->fn);
        delete self;
        call_guarded([&] { fn(std::move(result)); });
    }
};

}  // namespace detail

/// A completion queue: callbacks registered with it run only inside drain(),
/// on the thread that calls it (a game loop, once per frame). Move-only.
///
/// Drain a queue from one thread at a time, and destroy it (and the
/// operations registered with it) on that thread, never during a drain.
/// Destroying a queue frees the detached operations still registered with it
/// (cancelling them; their callbacks never run) and detaches retained ones
/// (their callbacks never run; the handles stay usable for take()).
class Queue {
public:
    /// A new queue.
    Queue() noexcept : raw_(gameye_queue_new()), state_(std::make_shared<detail::QueueState>()) {}
    /// An empty queue (no C queue).
    explicit Queue(std::nullptr_t) noexcept {}
    /// Takes `o`'s queue and registrations; `o` is left empty.
    Queue(Queue &&o) noexcept : raw_(std::exchange(o.raw_, nullptr)), state_(std::move(o.state_)) {}
    /// Destroys this queue, as the destructor does, then takes `o`'s.
    Queue &operator=(Queue &&o) noexcept {
        if (this != &o) {
            reset();
            raw_ = std::exchange(o.raw_, nullptr);
            state_ = std::move(o.state_);
        }
        return *this;
    }
    Queue(const Queue &) = delete;
    Queue &operator=(const Queue &) = delete;
    /// Frees the queue and what is registered with it, as the class notes say.
    ~Queue() { reset(); }

    /// Runs up to `max` ready callbacks (0: all ready) on this thread; returns
    /// how many ran. Never blocks on I/O. Inside a callback it returns 0.
    std::size_t drain(std::size_t max = 0) const noexcept { return gameye_queue_drain(raw_, max); }

    /// Whether it holds a C queue (false for Queue(nullptr) and once moved from).
    bool valid() const noexcept { return raw_ != nullptr; }
    /// Same as valid().
    explicit operator bool() const noexcept { return valid(); }
    /// The C queue, owned by this object; NULL when empty.
    const GameyeQueue *raw() const noexcept { return raw_; }

private:
    template <class T>
    friend class Operation;

    void reset() noexcept {
        if (raw_ == nullptr) return;
        detail::Registration *orphans = nullptr;  // a list through `next`
        {
            std::lock_guard<std::mutex> lock(state_->mu);
            while (state_->head != nullptr) {
                detail::Registration *r = state_->head;
                state_->unlink(r);
                if (r->detached) {
                    gameye_operation_free(r->op);  // cancels; its callback never runs
                    delete r->writer;
                    r->next = orphans;
                    orphans = r;
                } else {
                    // Point the operation away from the queue about to go;
                    // a completion already queued for it is suppressed.
                    r->suppressed = true;
                    gameye_operation_set_callback(r->op, nullptr, detail::noop_completion, nullptr);
                }
            }
        }
        // Empty the queue before freeing it, so every queued registration is
        // seen and released here: freed operations are skipped and
        // suppressed ones return at once, so no user callback runs.
        gameye_queue_drain(raw_, 0);
        while (orphans != nullptr) {
            delete std::exchange(orphans, orphans->next);
        }
        gameye_queue_free(raw_);
        raw_ = nullptr;
        state_.reset();
    }

    GameyeQueue *raw_ = nullptr;
    std::shared_ptr<detail::QueueState> state_;
};

/// An operation in flight or done, whose result is a Result<T>. Move-only;
/// destroying it frees the operation at any time: a pending one is
/// cancelled and its callback never runs.
///
/// Three ways to get the result:
/// - poll: done() / wait(timeout), then take();
/// - retained callback: on_complete(queue, fn) runs fn(Result<T>) inside
///   queue.drain(); the handle stays the owner, and can cancel() or be
///   destroyed at any time (its callback then never runs);
/// - detached callback: std::move(op).then(queue, fn) hands the operation
///   to the queue, or std::move(op).then(fn) to a library I/O thread (fn
///   must then be thread-safe and quick). Fire and forget.
template <class T>
class [[nodiscard]] Operation {
public:
    /// An empty handle: valid() is false.
    Operation() noexcept = default;
    /// Takes ownership of a C operation.
    explicit Operation(GameyeOperation *owned) noexcept : raw_(owned) {}
    /// Takes `o`'s operation, callback registration and download writer; `o`
    /// is left empty.
    Operation(Operation &&o) noexcept
        : raw_(std::exchange(o.raw_, nullptr)),
          reg_(std::exchange(o.reg_, nullptr)),
          writer_(std::exchange(o.writer_, nullptr)) {}
    /// Frees this handle's operation, as the destructor does, then takes `o`'s.
    Operation &operator=(Operation &&o) noexcept {
        if (this != &o) {
            reset();
            raw_ = std::exchange(o.raw_, nullptr);
            reg_ = std::exchange(o.reg_, nullptr);
            writer_ = std::exchange(o.writer_, nullptr);
        }
        return *this;
    }
    Operation(const Operation &) = delete;
    Operation &operator=(const Operation &) = delete;
    /// Frees the operation: a pending one is cancelled and its callback never
    /// runs. Waits for a callback running on another thread.
    ~Operation() { reset(); }

    /// Whether it holds an operation (false when empty, moved from, or handed
    /// off by then()).
    bool valid() const noexcept { return raw_ != nullptr; }
    /// Same as valid().
    explicit operator bool() const noexcept { return valid(); }

    /// Whether it is done. Never blocks.
    bool done() const noexcept { return gameye_operation_poll(raw_) == 1; }

    /// Waits until done or `timeout` passes; true when done. Blocks: do not
    /// call it on a game thread with a long timeout.
    bool wait(std::chrono::milliseconds timeout) const noexcept {
        auto ms = timeout.count() < 0 ? 0 : static_cast<std::uint64_t>(timeout.count());
        return gameye_operation_wait(raw_, ms) == 1;
    }

    /// The result of a done operation; empty while pending, once taken
    /// (also by a callback), or for an empty handle. Never blocks.
    std::optional<Result<T>> take() noexcept {
        GameyeResult *r = gameye_operation_take_result(raw_);
        if (r == nullptr) return std::nullopt;
        return detail::make_result<T>(r);
    }

    /// Waits up to `timeout`, then takes the result: an error with
    /// Status::Timeout when still pending, Status::InvalidRequest when the
    /// result was already taken.
    Result<T> get(std::chrono::milliseconds timeout = std::chrono::hours(1)) noexcept {
        if (raw_ == nullptr) return Error(Status::NullArgument, "empty gameye::Operation");
        if (!wait(timeout)) return Error(Status::Timeout, "the operation is still pending");
        std::optional<Result<T>> r = take();
        if (!r) return Error(Status::InvalidRequest, "the operation's result was already taken");
        return std::move(*r);
    }

    /// Cancels a pending operation: it completes with Status::Cancelled (and
    /// its callback is delivered as for any completion). Never blocks.
    void cancel() noexcept { gameye_operation_cancel(raw_); }

    /// Retained callback: `fn(gameye::Result<T>)` runs once inside
    /// `queue.drain()` when the operation completes (at the next drain if it
    /// already has). The callback takes the result. It may destroy this
    /// handle. One registration per operation: a second gives
    /// Status::InvalidRequest; an empty handle or queue Status::NullArgument.
    template <class F>
    Status on_complete(const Queue &queue, F &&fn) noexcept {
        return register_callback(&queue, std::forward<F>(fn), false);
    }

    /// Detached callback on a queue: the queue takes the operation, and
    /// `fn(gameye::Result<T>)` runs inside `queue.drain()`. This handle is
    /// empty afterwards. Fails (dropping fn) for an empty handle or queue,
    /// or an operation that already has a callback.
    template <class F>
    Status then(const Queue &queue, F &&fn) && noexcept {
        return register_callback(&queue, std::forward<F>(fn), true);
    }

    /// Detached callback on a library I/O thread (opt-in): `fn` runs there as
    /// soon as the operation completes (or here, if it already has), so it
    /// must be thread-safe and quick, and must not block on libgameye.
    template <class F>
    Status then(F &&fn) && noexcept {
        return register_callback(nullptr, std::forward<F>(fn), true);
    }

    /// The C operation (owned by this handle); NULL when empty.
    GameyeOperation *raw() const noexcept { return raw_; }

private:
    friend class Client;

    /// The three registrations above: `fn` runs on `queue`'s drain, or on a
    /// library I/O thread when `queue` is NULL. Retained, this handle owns
    /// the registration; detached, the registration takes the operation and
    /// a download's writer, and this handle is left empty.
    template <class F>
    Status register_callback(const Queue *queue, F &&fn, bool detached) noexcept {
        static_assert(std::is_invocable<std::decay_t<F> &, Result<T>>::value,
                      "the callback must be callable as fn(gameye::Result<T>)");
        if (raw_ == nullptr || (queue != nullptr && queue->raw_ == nullptr)) return Status::NullArgument;
        if (reg_ != nullptr) return Status::InvalidRequest;
        using Cb = detail::Callback<T, std::decay_t<F>>;
        auto *reg = new Cb(std::decay_t<F>(std::forward<F>(fn)));
        GameyeOperation *op = raw_;
        reg->op = op;
        reg->detached = detached;
        if (detached) {
            raw_ = nullptr;
            reg->writer = std::exchange(writer_, nullptr);
        } else {
            reg_ = reg;
        }
        GameyeQueue *c_queue = nullptr;
        if (queue != nullptr) {
            c_queue = queue->raw_;
            reg->queue = queue->state_;
            std::lock_guard<std::mutex> lock(queue->state_->mu);
            queue->state_->link(reg);
        }
        // From here on a detached `reg` may already have run and been freed.
        gameye_operation_set_callback(op, c_queue, detached ? &Cb::run_detached : &Cb::run_retained, reg);
        return Status::Ok;
    }

    void reset() noexcept {
        if (raw_ == nullptr) return;
        if (reg_ != nullptr && reg_->queue) {
            // Under the queue's lock, so a Queue destructor on another thread
            // never touches this operation while it is freed.
            std::lock_guard<std::mutex> lock(reg_->queue->mu);
            reg_->queue->unlink(reg_);
            gameye_operation_free(raw_);
        } else {
            gameye_operation_free(raw_);
        }
        raw_ = nullptr;
        delete reg_;
        reg_ = nullptr;
        delete writer_;  // no write can come once the operation is freed
        writer_ = nullptr;
    }

    GameyeOperation *raw_ = nullptr;
    detail::Registration *reg_ = nullptr;
    detail::WriterBase *writer_ = nullptr;
};

// ---------------------------------------------------------------------------
// LogStream
// ---------------------------------------------------------------------------

/// A followed log (Client::follow_logs). Move-only; destroying it stops
/// following (also while a read is pending).
class LogStream {
public:
    /// An empty stream: valid() is false.
    LogStream() noexcept = default;
    /// Takes ownership of a C stream (freed with gameye_log_stream_free()).
    explicit LogStream(GameyeLogStream *owned) noexcept : s_(owned) {}

    /// The next line, blocking until one arrives; LogLine::end() at the end.
    /// One read at a time per stream. Not from a library-thread callback.
    Result<LogLine> next() noexcept { return detail::make_result<LogLine>(gameye_log_stream_next(raw())); }

    /// Non-blocking next(). Cancelling or freeing the operation mid-read ends
    /// the stream.
    Operation<LogLine> next_async() noexcept { return Operation<LogLine>(gameye_log_stream_next_async(raw())); }

    /// Ends following without freeing (gameye_log_stream_close()): a next()
    /// blocked on another thread returns Status::Cancelled within 100 ms, a
    /// pending next_async() completes with it, and every later read returns
    /// it at once. Any thread, also while another thread reads; closing
    /// twice, or an empty stream, is fine.
    void close() noexcept { gameye_log_stream_close(raw()); }

    /// Whether it holds a C stream (false when empty or moved from).
    bool valid() const noexcept { return raw() != nullptr; }
    /// Same as valid().
    explicit operator bool() const noexcept { return valid(); }
    /// The C stream, owned by this object; NULL when empty.
    GameyeLogStream *raw() const noexcept { return s_.get(); }

private:
    detail::Owned<GameyeLogStream, gameye_log_stream_free> s_;
};

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/// Writes `s` as a JSON string literal (quotes included) to `out`.
inline void append_json_string(std::string &out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (u < 0x20) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 0xf];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

/// A client configuration; to_json() gives what gameye_client_new() reads.
/// Zero / empty fields are left out (the library's defaults apply).
struct Config {
    std::string token;        ///< required
    std::string base_url;     ///< or `environment`
    std::string environment;  ///< "sandbox" or "production"
    std::uint64_t connect_timeout_ms = 0;  ///< bound on establishing a connection
    std::uint64_t request_timeout_ms = 0;  ///< bound on each attempt (see gameye_client_new)
    bool allow_insecure_http = false;  ///< plain http is allowed to loopback hosts only
    std::uint64_t max_response_bytes = 0;  ///< cap on a JSON response body
    std::uint64_t max_log_bytes = 0;       ///< cap on get_logs' text
    /// Retries of 420, 5xx and lost responses (max_attempts 1: none).
    struct Retry {
        std::uint32_t max_attempts = 0;        ///< attempts per call, the first included
        std::uint64_t initial_backoff_ms = 0;  ///< the first backoff; later ones grow exponentially
        std::uint64_t max_backoff_ms = 0;      ///< cap on one backoff
        std::uint64_t deadline_ms = 0;         ///< bound on the whole call, retries included
    } retry;  ///< left out entirely when all its fields are 0
    /// Requests in flight at once; more calls wait for a slot.
    std::uint64_t max_concurrent_requests = 0;
    std::string ca_bundle_path;  ///< extra trusted roots (PEM)
    /// A proxy every request goes through ("http://host:port" or "https://host:port";
    /// plain http only to a loopback proxy unless allow_insecure_http).
    std::string proxy;
    bool proxy_from_env = false;  ///< use HTTPS_PROXY / HTTP_PROXY / NO_PROXY (off by default)
    /// How long a kept connection may idle and still be reused (30000 by
    /// default); keep it under the idle timeout of any load balancer in front.
    std::uint64_t idle_timeout_ms = 0;

    /// The JSON object gameye_client_new() reads. `token` is always written,
    /// the other fields only when set; the text holds the token, so keep it
    /// out of logs. Not noexcept: it allocates.
    std::string to_json() const {
        // Starts `"key":` in the object being written to `out`.
        auto key = [](std::string &out, const char *name) {
            if (out.back() != '{') out += ',';
            out += '"';
            out += name;
            out += "\":";
        };
        auto str = [&key](std::string &out, const char *name, const std::string &v) {
            if (v.empty()) return;
            key(out, name);
            append_json_string(out, v);
        };
        auto num = [&key](std::string &out, const char *name, std::uint64_t v) {
            if (v == 0) return;
            key(out, name);
            out += std::to_string(v);
        };
        auto flag = [&key](std::string &out, const char *name, bool v) {
            if (!v) return;
            key(out, name);
            out += "true";
        };
        std::string j = "{";
        key(j, "token");
        append_json_string(j, token);
        str(j, "base_url", base_url);
        str(j, "environment", environment);
        num(j, "connect_timeout_ms", connect_timeout_ms);
        num(j, "request_timeout_ms", request_timeout_ms);
        flag(j, "allow_insecure_http", allow_insecure_http);
        num(j, "max_response_bytes", max_response_bytes);
        num(j, "max_log_bytes", max_log_bytes);
        std::string r = "{";
        num(r, "max_attempts", retry.max_attempts);
        num(r, "initial_backoff_ms", retry.initial_backoff_ms);
        num(r, "max_backoff_ms", retry.max_backoff_ms);
        num(r, "deadline_ms", retry.deadline_ms);
        if (r.size() > 1) {
            key(j, "retry");
            j += r + "}";
        }
        num(j, "max_concurrent_requests", max_concurrent_requests);
        str(j, "ca_bundle_path", ca_bundle_path);
        str(j, "proxy", proxy);
        flag(j, "proxy_from_env", proxy_from_env);
        num(j, "idle_timeout_ms", idle_timeout_ms);
        j += '}';
        return j;
    }
};

/// Declares one call of Client in both forms: the blocking `name` (returns
/// Result<T>) and the non-blocking `name##_async` (returns Operation<T>), over
/// the C pair `c_fn` / `c_fn##_async`. PARAMS is the parameter list with its
/// defaults, ARGS the C call's arguments; the pair cannot drift apart, and
/// a C function without its `_async` twin fails to compile. QUALS is
/// `const noexcept`, or `const` where converting the arguments allocates.
/// Private to this header (`#undef` after Client).
#define GAMEYE_HPP_CALL_Q(T, name, PARAMS, QUALS, c_fn, ARGS)                 \
    Result<T> name PARAMS QUALS { return detail::make_result<T>(c_fn ARGS); } \
    Operation<T> name##_async PARAMS QUALS { return Operation<T>(c_fn##_async ARGS); }
/// GAMEYE_HPP_CALL_Q with QUALS `const noexcept`: the usual case, where the
/// arguments reach the C call without allocating. Private to this header too.
#define GAMEYE_HPP_CALL(T, name, PARAMS, c_fn, ARGS) \
    GAMEYE_HPP_CALL_Q(T, name, PARAMS, const noexcept, c_fn, ARGS)

/// A Gameye API client: thread-safe, share one per process. Move-only.
/// Destroy it only once no call using it runs on another thread; operations
/// started from it complete even after it is destroyed.
///
/// Every call has a blocking form (returns Result<T>) and a non-blocking
/// `_async` form (returns Operation<T> at once; bad arguments give an
/// operation that is already done with the error).
class Client {
public:
    /// An empty client: valid() is false.
    Client() noexcept = default;
    /// Takes ownership of a C client (freed with gameye_client_free()).
    explicit Client(GameyeClient *owned) noexcept : c_(owned) {}

    /// A client from a JSON configuration (see gameye_client_new); on error
    /// the message names the bad option (never the token).
    static Result<Client> create(CStr config_json) noexcept {
        GameyeClient *c = nullptr;
        GameyeResult *r = gameye_client_new(config_json.c_str(), &c);
        if (r == nullptr || r->status != GAMEYE_STATUS_OK) {
            gameye_client_free(c);
            return Error(r);
        }
        gameye_result_free(r);
        return Client(c);
    }
    /// A client from a Config, through Config::to_json(); not noexcept, as
    /// building the JSON allocates.
    static Result<Client> create(const Config &config) { return create(config.to_json()); }

    /// Whether it holds a C client (false when empty or moved from).
    bool valid() const noexcept { return raw() != nullptr; }
    /// Same as valid().
    explicit operator bool() const noexcept { return valid(); }
    /// The C client, owned by this object; NULL when empty.
    const GameyeClient *raw() const noexcept { return c_.get(); }

    // ---- sessions ----

    /// POST /session. `request_json` is the spec's SessionRun body, such as
    /// {"location":"europe","image":"nginx"}; validated before sending.
    GAMEYE_HPP_CALL(Session, create_session, (CStr request_json),
                    gameye_session_create, (raw(), request_json.c_str()))
    /// \fn Client::create_session_async(CStr request_json) const
    /// Non-blocking create_session(); the argument is copied before it returns.

    /// GET /session. `filter_json` is nullptr (running sessions) or
    /// {"all":true,"location":…,"image":…,"tag":…,"host":…,
    ///  "player_count_lt":8,"player_count_gt":0,"labels":{…}}.
    GAMEYE_HPP_CALL(SessionList, list_sessions, (CStr filter_json = nullptr),
                    gameye_session_list, (raw(), filter_json.c_str()))
    /// \fn Client::list_sessions_async(CStr filter_json) const
    /// Non-blocking list_sessions().

    /// GET /session/{id}.
    GAMEYE_HPP_CALL(SessionDetails, get_session, (CStr id),
                    gameye_session_get, (raw(), id.c_str()))
    /// \fn Client::get_session_async(CStr id) const
    /// Non-blocking get_session().

    /// DELETE /session/{id}. With StopFlags::Idempotent an unknown or already
    /// stopped session is a success; the outcome says which case it was.
    GAMEYE_HPP_CALL(StopOutcome, stop_session, (CStr id, StopFlags flags = StopFlags::None),
                    gameye_session_stop, (raw(), id.c_str(), static_cast<std::uint32_t>(flags)))
    /// \fn Client::stop_session_async(CStr id, StopFlags flags) const
    /// Non-blocking stop_session().

    // ---- players ----
    // Each takes the ids as a pointer and a count, an initializer list of
    // C strings, or a vector of strings (its C array is a temporary that
    // lives until the C call returns).

    /// PUT /session/player/join: at least one player id, none empty.
    GAMEYE_HPP_CALL(Players, join_players, (CStr session, const char *const *players, std::size_t n),
                    gameye_players_join, (raw(), session.c_str(), players, n))
    /// \fn Client::join_players_async(CStr session, const char *const *players, std::size_t n) const
    /// Non-blocking join_players(); the ids are copied before it returns.

    /// join_players() with the ids as a list of C strings.
    GAMEYE_HPP_CALL(Players, join_players, (CStr session, std::initializer_list<const char *> players),
                    gameye_players_join, (raw(), session.c_str(), players.begin(), players.size()))
    /// \fn Client::join_players_async(CStr session, std::initializer_list<const char *> players) const
    /// Non-blocking join_players() with a list of C strings.

    /// join_players() with the ids as strings; not noexcept (it allocates their array).
    GAMEYE_HPP_CALL_Q(Players, join_players, (CStr session, const std::vector<std::string> &players), const,
                      gameye_players_join, (raw(), session.c_str(), c_strs(players).data(), players.size()))
    /// \fn Client::join_players_async(CStr session, const std::vector<std::string> &players) const
    /// Non-blocking join_players() with strings; not noexcept (it allocates their array).

    /// DELETE /session/player/leave.
    GAMEYE_HPP_CALL(Players, leave_players, (const char *const *players, std::size_t n),
                    gameye_players_leave, (raw(), players, n))
    /// \fn Client::leave_players_async(const char *const *players, std::size_t n) const
    /// Non-blocking leave_players(); the ids are copied before it returns.

    /// leave_players() with the ids as a list of C strings.
    GAMEYE_HPP_CALL(Players, leave_players, (std::initializer_list<const char *> players),
                    gameye_players_leave, (raw(), players.begin(), players.size()))
    /// \fn Client::leave_players_async(std::initializer_list<const char *> players) const
    /// Non-blocking leave_players() with a list of C strings.

    /// leave_players() with the ids as strings; not noexcept (it allocates their array).
    GAMEYE_HPP_CALL_Q(Players, leave_players, (const std::vector<std::string> &players), const,
                      gameye_players_leave, (raw(), c_strs(players).data(), players.size()))
    /// \fn Client::leave_players_async(const std::vector<std::string> &players) const
    /// Non-blocking leave_players() with strings; not noexcept (it allocates their array).

    // ---- logs ----

    /// GET /logs?id=…: the logs so far.
    GAMEYE_HPP_CALL(Logs, get_logs, (CStr id), gameye_logs_get, (raw(), id.c_str()))
    /// \fn Client::get_logs_async(CStr id) const
    /// Non-blocking get_logs().

    /// GET /logs?id=…&follow=true: blocks until the response starts.
    Result<LogStream> follow_logs(CStr id) const noexcept {
        GameyeLogStream *s = nullptr;
        GameyeResult *r = gameye_logs_follow(raw(), id.c_str(), &s);
        if (r == nullptr || r->status != GAMEYE_STATUS_OK) {
            gameye_log_stream_free(s);
            return Error(r);
        }
        gameye_result_free(r);
        return LogStream(s);
    }
    /// Non-blocking follow: a stream at once, without I/O; the first read
    /// (LogStream::next_async) opens the log and carries its errors.
    Result<LogStream> follow_logs_async(CStr id) const noexcept {
        GameyeLogStream *s = gameye_logs_follow_async(raw(), id.c_str());
        if (s == nullptr) return Error(Status::NullArgument, "NULL client, or a NULL or non-UTF-8 id");
        return LogStream(s);
    }

    // ---- artifacts ----

    /// GET /artifacts: the tar.gz of `path` in the terminated session's
    /// container, written to the file `dest_path` (which appears only when
    /// complete). The value is the number of bytes written.
    GAMEYE_HPP_CALL(std::uint64_t, save_artifact, (CStr session, CStr path, CStr dest_path),
                    gameye_artifacts_save, (raw(), session.c_str(), path.c_str(), dest_path.c_str()))
    /// \fn Client::save_artifact_async(CStr session, CStr path, CStr dest_path) const
    /// Non-blocking save_artifact().

    /// GET /artifacts, handing the tar.gz to `write(gameye::Span<uint8_t>)`
    /// chunk by chunk on this thread. `write` returns void, or bool: false
    /// stops the download (Status::Cancelled). An exception from `write`
    /// also stops it. The value is the number of bytes handed to `write`.
    template <class F>
    Result<std::uint64_t> download_artifact(CStr session, CStr path, F &&write) const noexcept {
        static_assert(std::is_invocable<std::decay_t<F> &, Span<std::uint8_t>>::value,
                      "the callback must be callable as write(gameye::Span<std::uint8_t>)");
        struct Local {
            std::remove_reference_t<F> *fn;
            static int32_t call(void *userdata, const std::uint8_t *data, std::size_t len) {
                return detail::invoke_writer(*static_cast<Local *>(userdata)->fn, data, len);
            }
        };
        Local local{&write};  // called in place, never copied
        return detail::make_result<std::uint64_t>(
            gameye_artifacts_download(raw(), session.c_str(), path.c_str(), &Local::call, &local));
    }

    /// Non-blocking download_artifact: `write` is called on a library I/O
    /// thread as chunks arrive (thread-safe and quick, such as appending to a
    /// buffer). The operation owns `write` and destroys it with itself: no
    /// call comes after cancel() or the operation's destruction (they wait
    /// for a call in progress, so `write` must not cancel or destroy its own
    /// operation, nor wait for a thread that does).
    template <class F>
    Operation<std::uint64_t> download_artifact_async(CStr session, CStr path, F &&write) const noexcept {
        auto *w = new detail::Writer<std::decay_t<F>>(std::decay_t<F>(std::forward<F>(write)));
        Operation<std::uint64_t> op(gameye_artifacts_download_async(
            raw(), session.c_str(), path.c_str(), &detail::WriterBase::trampoline, w));
        op.writer_ = w;
        return op;
    }

    // ---- locations and tags ----

    /// GET /available-location/{image}: where `image` can run now (do not cache).
    GAMEYE_HPP_CALL(Locations, available_locations, (CStr image),
                    gameye_locations_available, (raw(), image.c_str()))
    /// \fn Client::available_locations_async(CStr image) const
    /// Non-blocking available_locations().

    /// GET /tag/{region}/{image}/{version}: whether the tag exists.
    GAMEYE_HPP_CALL(bool, tag_exists, (CStr region, CStr image, CStr version),
                    gameye_tag_exists, (raw(), region.c_str(), image.c_str(), version.c_str()))
    /// \fn Client::tag_exists_async(CStr region, CStr image, CStr version) const
    /// Non-blocking tag_exists().

    // ---- placing sessions near players ----

    /// Starts a session near its players (gameye_session_create_near):
    /// ranks the locations in `players_json` under `policy_json` (nullptr for
    /// defaults), creates in the best and moves on after a 420, at most the
    /// policy's max_locations. `request_json` is a SessionRun body whose
    /// "location" may be left out. Any thread.
    GAMEYE_HPP_CALL(PlacedSession, create_session_near,
                    (CStr request_json, CStr players_json, CStr policy_json = nullptr),
                    gameye_session_create_near,
                    (raw(), request_json.c_str(), players_json.c_str(), policy_json.c_str()))
    /// \fn Client::create_session_near_async(CStr request_json, CStr players_json, CStr policy_json) const
    /// Non-blocking create_session_near(); cancelling it stops the create in progress.

private:
    static std::vector<const char *> c_strs(const std::vector<std::string> &v) {
        std::vector<const char *> out;
        out.reserve(v.size());
        for (const std::string &s : v) out.push_back(s.c_str());
        return out;
    }

    detail::Owned<GameyeClient, gameye_client_free> c_;
};

#undef GAMEYE_HPP_CALL
#undef GAMEYE_HPP_CALL_Q

// ---------------------------------------------------------------------------
// Checking a request offline (no client needed)
// ---------------------------------------------------------------------------

/// Checks a create request (the spec's SessionRun JSON) exactly as
/// Client::create_session would, without sending anything
/// (gameye_session_validate): no client, no network. On success the value
/// is an empty Response; otherwise Status::InvalidRequest with one
/// violation per bad field (or Status::NullArgument, InvalidUtf8). Any thread.
inline Result<Response> validate_session(CStr request_json) noexcept {
    return detail::make_result<Response>(gameye_session_validate(request_json.c_str()));
}

// ---------------------------------------------------------------------------
// Placing sessions near players (no client needed)
// ---------------------------------------------------------------------------

/// Pings every IP of every location with ICMP echo (gameye_locations_ping);
/// needs no client and no token: for game clients. `locations_json` is the
/// body Client::available_locations returned ({"locations":[…]}) or the
/// array; `options_json` is nullptr or {"probes":5,"interval_ms":200,
/// "timeout_ms":2000}. Blocks for at most about the timeout. Any thread.
/// Status::PingNotPermitted when the OS refuses ICMP (message() says why and the fix).
inline Result<PingReport> ping_locations(CStr locations_json, CStr options_json = nullptr) noexcept {
    return detail::make_result<PingReport>(gameye_locations_ping(locations_json.c_str(), options_json.c_str()));
}

/// Non-blocking ping_locations: runs on a thread of its own; destroying or
/// cancelling the operation stops it.
inline Operation<PingReport> ping_locations_async(CStr locations_json, CStr options_json = nullptr) noexcept {
    return Operation<PingReport>(gameye_locations_ping_async(locations_json.c_str(), options_json.c_str()));
}

/// Ranks candidate locations by players' latencies (gameye_locations_choose).
/// Pure: no network. `policy_json` is nullptr or {"max_loss":0.2,
/// "max_rtt_ms":150,"allow_missing":false}. Any thread.
inline Result<Placement> choose_location(CStr candidates_json, CStr players_json,
                                         CStr policy_json = nullptr) noexcept {
    return detail::make_result<Placement>(
        gameye_locations_choose(candidates_json.c_str(), players_json.c_str(), policy_json.c_str()));
}

// ---------------------------------------------------------------------------
// Logging hook
// ---------------------------------------------------------------------------

/// Receives one log event; called on any thread, possibly concurrently: it
/// must be thread-safe and quick, and must not call into libgameye.
using LogFunction = std::function<void(LogLevel, std::string_view)>;

namespace detail {
struct LoggerState {
    std::mutex mu;
    std::shared_ptr<const LogFunction> fn;

    static LoggerState &get() noexcept {
        // Never destroyed: a library thread may log during process exit.
        static LoggerState *s = new LoggerState();
        return *s;
    }

    static void trampoline(void *userdata, GameyeLogLevel level, const char *message) {
        auto *self = static_cast<LoggerState *>(userdata);
        std::shared_ptr<const LogFunction> fn;
        {
            std::lock_guard<std::mutex> lock(self->mu);
            fn = self->fn;  // keeps it alive while it runs, even if replaced
        }
        if (fn && *fn) {
            call_guarded([&] { (*fn)(static_cast<LogLevel>(level), sv(message)); });
        }
    }
};
}  // namespace detail

/// Routes the library's log events at `level` and above to `fn`, replacing
/// any earlier logger; LogLevel::Off or an empty `fn` turns logging off.
/// The wrapper keeps `fn` alive while it is set, and a replaced function
/// until its last running call returns. Messages never contain the token or
/// `env` values. Process-wide; any thread. Returns Status::Ok, or
/// Status::InvalidConfig for an unknown level (the old logger then stays).
inline Status set_logger(LogLevel level, LogFunction fn) {
    detail::LoggerState &st = detail::LoggerState::get();
    if (level == LogLevel::Off || !fn) {
        Status s = static_cast<Status>(gameye_set_logger(GAMEYE_LOG_LEVEL_OFF, nullptr, nullptr));
        std::shared_ptr<const LogFunction> old;
        {
            std::lock_guard<std::mutex> lock(st.mu);
            old = std::move(st.fn);
        }
        return s;  // `old` is released here, or by its last running call
    }
    auto next = std::make_shared<const LogFunction>(std::move(fn));
    std::shared_ptr<const LogFunction> old;
    {
        std::lock_guard<std::mutex> lock(st.mu);
        old = std::exchange(st.fn, next);
    }
    Status s = static_cast<Status>(
        gameye_set_logger(static_cast<std::uint32_t>(level), &detail::LoggerState::trampoline, &st));
    if (s != Status::Ok) {
        std::lock_guard<std::mutex> lock(st.mu);
        st.fn = std::move(old);
    }
    return s;
}

/// Turns logging off and releases the logger function.
inline Status clear_logger() { return set_logger(LogLevel::Off, nullptr); }

}  // namespace gameye

#endif  // GAMEYE_HPP
