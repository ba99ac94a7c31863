//! What each listener does with a request. Every listener serves the same
//! small API surface (create, list, describe, stop) and misbehaves in one
//! way; the ones that misbehave only on `POST /session` answer everything
//! else like a good server.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::http::{self, Conn, Request};

/// One way of misbehaving. [`Behaviour::ALL`] lists those served over both
/// plain http and TLS; the bad-TLS listeners are in `lib.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Behaviour {
    /// A good keep-alive server: the baseline, and "the client works afterwards".
    Ok,
    /// Closes a kept connection after 20 ms idle; no `Connection` header.
    IdleClose,
    /// Answers (a valid 201 to a create), then closes without `Connection:
    /// close`: on every other connection 1 ms later, when the client's next
    /// request is already on its way.
    CloseAfterAnswer,
    /// Sends a 201 as soon as a request head arrives, then resets the
    /// connection (SO_LINGER 0) without reading the body.
    EarlyAnswerReset,
    /// 401 whose JSON `message` and `details` quote the request's token.
    Echo401Json,
    /// 502 HTML page quoting the token near its start.
    Echo502Html,
    /// 302 whose `Location` carries the token.
    Echo302Location,
    /// 201 whose JSON body starts with the token and is cut off mid-string
    /// (its `Content-Length` matches what is sent: the JSON is cut, not the
    /// message), so it is quoted as undecodable.
    EchoCut201,
    /// 201 declaring 4,096 bytes whose body starts with the token, closed
    /// after a few dozen.
    EchoCut201Eof,
    /// Per session id: the first create 503, the next 409; describing the id
    /// gives a session with a different id and host.
    ConflictOtherId,
    /// As `ConflictOtherId`, but the description names the same id: the
    /// recovery that must keep working.
    ConflictSameId,
    /// Per session id: the first create 420 with `Retry-After: 1`, then 201.
    RetryAfter,
    /// Every create 503 with `Retry-After: 3600`.
    RetryAfterHuge,
    /// Per session id: 503 with each of [`NONSENSE_RETRY_AFTER`] in turn, then 201.
    RetryAfterNonsense,
    /// Sends the status line, then one header byte every 50 ms (for a minute).
    SlowHeaders,
    /// A 201 with one 2 MiB header.
    HugeHeaders,
    /// A 201 head whose headers never end (until 256 MiB or the client leaves).
    EndlessHeaders,
    /// A chunked 201 whose second chunk size is not hex.
    BrokenChunked,
    /// A 201 with two different `Content-Length` headers.
    ConflictingContentLength,
    /// 20,000 `100 Continue` answers, then a valid one.
    ContinueFlood,
    /// An `HTTP/1.0` answer with no length, its body ended by the close
    /// (over TLS: by close_notify, then the close).
    Http10CloseDelimited,
    /// A 201 whose JSON nests 100,000 arrays deep.
    DeepJson,
    /// A chunked 201 whose JSON holds a 10 MiB string.
    HugeString,
    /// A valid 201 gzipped with `Content-Encoding: gzip`, which the client never asked for.
    UnaskedGzip,
    /// Never answers a create (holds it until the client closes); answers
    /// everything else, so a test can show the client works afterwards.
    NeverAnswers,
    /// Plays a TLS 1.1 server (TLS listener only).
    OldTls,
}

/// The `Retry-After` values [`Behaviour::RetryAfterNonsense`] sends, in turn.
pub const NONSENSE_RETRY_AFTER: [&str; 7] = [
    "soon",
    "-1",
    "1.5",
    "99999999999999999999999",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "",
    "0x10",
];

impl Behaviour {
    /// Every behaviour served over plain http and over TLS, by listener name.
    pub const ALL: [(&'static str, Behaviour); 25] = [
        ("ok", Behaviour::Ok),
        ("idle_close", Behaviour::IdleClose),
        ("close_after_answer", Behaviour::CloseAfterAnswer),
        ("early_answer_reset", Behaviour::EarlyAnswerReset),
        ("echo_401_json", Behaviour::Echo401Json),
        ("echo_502_html", Behaviour::Echo502Html),
        ("echo_302_location", Behaviour::Echo302Location),
        ("echo_cut_201", Behaviour::EchoCut201),
        ("echo_cut_201_eof", Behaviour::EchoCut201Eof),
        ("conflict_other_id", Behaviour::ConflictOtherId),
        ("conflict_same_id", Behaviour::ConflictSameId),
        ("retry_after", Behaviour::RetryAfter),
        ("retry_after_huge", Behaviour::RetryAfterHuge),
        ("retry_after_nonsense", Behaviour::RetryAfterNonsense),
        ("slow_headers", Behaviour::SlowHeaders),
        ("huge_headers", Behaviour::HugeHeaders),
        ("endless_headers", Behaviour::EndlessHeaders),
        ("broken_chunked", Behaviour::BrokenChunked),
        (
            "conflicting_content_length",
            Behaviour::ConflictingContentLength,
        ),
        ("continue_flood", Behaviour::ContinueFlood),
        ("http10_close_delimited", Behaviour::Http10CloseDelimited),
        ("deep_json", Behaviour::DeepJson),
        ("huge_string", Behaviour::HugeString),
        ("unasked_gzip", Behaviour::UnaskedGzip),
        ("never_answers", Behaviour::NeverAnswers),
    ];
}

/// A listener's counts: connections accepted, request heads received (over
/// TLS: after a completed handshake).
#[derive(Default)]
pub(crate) struct Counters {
    pub connections: AtomicU64,
    pub requests: AtomicU64,
}

/// What one listener serves, and what it remembers between requests.
pub(crate) struct Listener {
    pub behaviour: Behaviour,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub counters: Arc<Counters>,
    /// Per session id: creates seen, and the image and location of the first.
    ids: Mutex<HashMap<String, Created>>,
    /// Numbers ids for creates that sent none.
    seq: AtomicU64,
}

#[derive(Clone, Default)]
struct Created {
    posts: usize,
    image: String,
    location: String,
}

impl Listener {
    pub(crate) fn new(behaviour: Behaviour, tls: Option<Arc<rustls::ServerConfig>>) -> Listener {
        Listener {
            behaviour,
            tls,
            counters: Arc::default(),
            ids: Mutex::default(),
            seq: AtomicU64::new(1),
        }
    }

    /// Records a create; returns its id and how many creates of that id
    /// this listener has now seen (1 for the first).
    fn record_create(&self, req: &Request) -> (String, Created) {
        let id = req
            .field("id")
            .unwrap_or_else(|| format!("hostile-{}", self.seq.fetch_add(1, Ordering::Relaxed)));
        let mut ids = self.ids.lock().unwrap();
        let entry = ids.entry(id.clone()).or_insert_with(|| Created {
            posts: 0,
            image: req.field("image").unwrap_or_default(),
            location: req.field("location").unwrap_or_default(),
        });
        entry.posts += 1;
        (id, entry.clone())
    }

    fn created_before(&self, id: &str) -> Created {
        let ids = self.ids.lock().unwrap();
        ids.get(id).cloned().unwrap_or_else(|| Created {
            posts: 0,
            image: "nginx".into(),
            location: "europe".into(),
        })
    }
}

/// Serves one accepted (and, over TLS, handshaken) connection.
pub(crate) async fn serve(mut conn: Conn, l: Arc<Listener>) {
    let mut buf = Vec::new();
    let idle = if l.behaviour == Behaviour::IdleClose {
        Duration::from_millis(20)
    } else {
        Duration::from_secs(60)
    };
    loop {
        let Ok(Some(mut req)) = http::read_head(&mut conn, &mut buf, idle).await else {
            // Idle, closed by the client, or garbage: close (a FIN).
            return;
        };
        l.counters.requests.fetch_add(1, Ordering::SeqCst);
        if l.behaviour == Behaviour::EarlyAnswerReset {
            let created = http::json(201, &json!({"host": "127.0.0.1", "ports": []}));
            let _ = conn.send(&created).await;
            conn.reset();
            return;
        }
        if http::read_body(&mut conn, &mut buf, &mut req)
            .await
            .is_err()
        {
            return;
        }
        match reply(&l, &req) {
            Reply::KeepAlive(bytes) => {
                if conn.send(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::Close(bytes) => {
                let _ = conn.send(&bytes).await;
                if l.behaviour == Behaviour::CloseAfterAnswer && odd_connection(&l) {
                    // Every other connection closes 1 ms late: by then the
                    // client has written its next request to it, which the
                    // close answers with a reset (the race of issue 17).
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                return;
            }
            Reply::Shutdown(bytes) => {
                // Over TLS, close_notify first: a close-delimited body
                // without it is indistinguishable from a cut one.
                if conn.send(&bytes).await.is_ok() {
                    let _ = tokio::io::AsyncWriteExt::shutdown(&mut conn).await;
                }
                return;
            }
            Reply::Stream => return stream(l.behaviour, conn, &req).await,
        }
    }
}

/// Alternates between connections (by the listener's connection count).
fn odd_connection(l: &Listener) -> bool {
    l.counters.connections.load(Ordering::Relaxed) % 2 == 1
}

enum Reply {
    /// Send, then wait for the next request on the connection.
    KeepAlive(Vec<u8>),
    /// Send, then close (no `Connection: close` said, no TLS close_notify).
    Close(Vec<u8>),
    /// Send, then end the stream properly (TLS close_notify, then a FIN).
    Shutdown(Vec<u8>),
    /// The behaviour writes (or withholds) the answer itself: [`stream`].
    Stream,
}

fn reply(l: &Listener, req: &Request) -> Reply {
    let token = req.token();
    let create = req.method == "POST" && req.path == "/session";
    match l.behaviour {
        Behaviour::Ok | Behaviour::IdleClose => Reply::KeepAlive(valid(l, req)),
        Behaviour::CloseAfterAnswer => Reply::Close(valid(l, req)),
        Behaviour::Echo401Json => Reply::KeepAlive(http::json(
            401,
            &json!({
                "statusCode": 401,
                "code": "unauthorized",
                "message": format!("the token {token} is not valid"),
                "details": format!("you sent Authorization: Bearer {token}"),
            }),
        )),
        Behaviour::Echo502Html => Reply::KeepAlive(http::response(
            502,
            &[("content-type", "text/html")],
            format!(
                "<html><body><h1>502</h1>upstream refused Authorization: Bearer {token}</body></html>"
            )
            .as_bytes(),
        )),
        Behaviour::Echo302Location => Reply::KeepAlive(http::response(
            302,
            &[("location", &format!("https://login.example/?token={token}"))],
            b"",
        )),
        Behaviour::EchoCut201 => Reply::KeepAlive(http::response(
            201,
            &[("content-type", "application/json")],
            format!("{{\"id\":\"{token}\",\"host\":\"{token}").as_bytes(),
        )),
        Behaviour::EchoCut201Eof => Reply::Close(
            format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{{\"id\":\"{token}\",\"host\":\"{token}"
            )
            .into_bytes(),
        ),
        Behaviour::ConflictOtherId | Behaviour::ConflictSameId => Reply::KeepAlive(conflict(l, req)),
        Behaviour::RetryAfter | Behaviour::RetryAfterHuge | Behaviour::RetryAfterNonsense
            if create =>
        {
            Reply::KeepAlive(retry_after(l, req))
        }
        Behaviour::RetryAfter | Behaviour::RetryAfterHuge | Behaviour::RetryAfterNonsense => {
            Reply::KeepAlive(valid(l, req))
        }
        Behaviour::ConflictingContentLength => {
            let body = created_body(l, req).to_string();
            Reply::Close(
                format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len(),
                    body.len() - 5
                )
                .into_bytes(),
            )
        }
        Behaviour::Http10CloseDelimited => {
            let mut out =
                b"HTTP/1.0 201 Created\r\ncontent-type: application/json\r\n\r\n".to_vec();
            out.extend_from_slice(created_body(l, req).to_string().as_bytes());
            Reply::Shutdown(out)
        }
        Behaviour::DeepJson => {
            let depth = 100_000;
            let body = format!(
                "{{\"id\":{}{},\"host\":\"127.0.0.1\",\"ports\":[]}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            Reply::KeepAlive(http::response(
                201,
                &[("content-type", "application/json")],
                body.as_bytes(),
            ))
        }
        Behaviour::UnaskedGzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = gz.write_all(created_body(l, req).to_string().as_bytes());
            let body = gz.finish().unwrap_or_default();
            Reply::KeepAlive(http::response(
                201,
                &[
                    ("content-type", "application/json"),
                    ("content-encoding", "gzip"),
                ],
                &body,
            ))
        }
        Behaviour::NeverAnswers if !create => Reply::KeepAlive(valid(l, req)),
        Behaviour::EarlyAnswerReset // handled in `serve`
        | Behaviour::SlowHeaders
        | Behaviour::HugeHeaders
        | Behaviour::EndlessHeaders
        | Behaviour::BrokenChunked
        | Behaviour::ContinueFlood
        | Behaviour::HugeString
        | Behaviour::NeverAnswers
        | Behaviour::OldTls => Reply::Stream,
    }
}

/// What a good server answers.
fn valid(l: &Listener, req: &Request) -> Vec<u8> {
    let path = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), path) {
        ("POST", "/session") => http::json(201, &created_body(l, req)),
        ("GET", "/session") => http::json(200, &json!({"sessions": []})),
        ("GET", p) if p.starts_with("/session/") => {
            let id = &p["/session/".len()..];
            let c = l.created_before(id);
            http::json(200, &described(id, "127.0.0.1", &c))
        }
        ("DELETE", p) if p.starts_with("/session/") => http::response(204, &[], b""),
        _ => http::json(
            404,
            &json!({"statusCode": 404, "code": "not_found", "message": "no such route"}),
        ),
    }
}

/// Records the create and gives its 201 body (the spec's `SessionRunOk`).
fn created_body(l: &Listener, req: &Request) -> serde_json::Value {
    let (id, _) = l.record_create(req);
    json!({
        "id": id,
        "host": "127.0.0.1",
        "ports": [{"type": "udp", "container": 7777, "host": 49000}],
    })
}

/// The spec's `DescribedSession`.
fn described(id: &str, host: &str, c: &Created) -> serde_json::Value {
    json!({
        "id": id,
        "image": c.image,
        "tag": "latest",
        "location": c.location,
        "host": host,
        "created": 1_700_000_000_000u64,
        "port": {"7777/udp": 49000},
        "status": "running",
        "labels": {},
        "players": {"joined": [], "joinedCount": 0},
    })
}

fn conflict(l: &Listener, req: &Request) -> Vec<u8> {
    let path = req.path.split('?').next().unwrap_or("");
    if req.method == "POST" && path == "/session" {
        let (_, c) = l.record_create(req);
        return if c.posts == 1 {
            http::json(503, &json!({"statusCode": 503, "message": "try again"}))
        } else {
            http::json(
                409,
                &json!({"statusCode": 409, "code": "conflict", "message": "session id is taken"}),
            )
        };
    }
    match path.strip_prefix("/session/") {
        Some(id) if req.method == "GET" => {
            let c = l.created_before(id);
            let body = if l.behaviour == Behaviour::ConflictOtherId {
                described(&format!("other-{id}"), "10.9.8.7", &c)
            } else {
                described(id, "127.0.0.1", &c)
            };
            http::json(200, &body)
        }
        _ => valid(l, req),
    }
}

fn retry_after(l: &Listener, req: &Request) -> Vec<u8> {
    let (_, c) = l.record_create(req);
    let refuse = |status: u16, after: &str| {
        let body = json!({"statusCode": status, "message": "later"}).to_string();
        http::response(
            status,
            &[("content-type", "application/json"), ("retry-after", after)],
            body.as_bytes(),
        )
    };
    match l.behaviour {
        Behaviour::RetryAfter if c.posts == 1 => refuse(420, "1"),
        Behaviour::RetryAfterHuge => refuse(503, "3600"),
        Behaviour::RetryAfterNonsense if c.posts <= NONSENSE_RETRY_AFTER.len() => {
            refuse(503, NONSENSE_RETRY_AFTER[c.posts - 1])
        }
        _ => http::json(201, &created_body_again(req)),
    }
}

/// A 201 body for an id already recorded.
fn created_body_again(req: &Request) -> serde_json::Value {
    json!({
        "id": req.field("id"),
        "host": "127.0.0.1",
        "ports": [{"type": "udp", "container": 7777, "host": 49000}],
    })
}

/// The behaviours that write their answer over time, or never.
async fn stream(behaviour: Behaviour, mut conn: Conn, req: &Request) {
    let head = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n";
    match behaviour {
        Behaviour::SlowHeaders => {
            let _ = conn.send(head).await;
            for byte in b"x-slow: ".iter().chain([b'a'; 1200].iter()) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if conn.send(&[*byte]).await.is_err() {
                    return;
                }
            }
        }
        Behaviour::HugeHeaders => {
            let mut out = head.to_vec();
            out.extend_from_slice(b"x-huge: ");
            out.resize(out.len() + 2 * 1024 * 1024, b'h');
            out.extend_from_slice(b"\r\n");
            let body = created_body_again(req).to_string();
            out.extend_from_slice(
                format!("content-length: {}\r\n\r\n{body}", body.len()).as_bytes(),
            );
            let _ = conn.send(&out).await;
            http::until_closed(&mut conn, Duration::from_secs(30)).await;
        }
        Behaviour::EndlessHeaders => {
            if conn.send(head).await.is_err() {
                return;
            }
            let line = format!("x-pad: {}\r\n", "p".repeat(100));
            let block = line.repeat(100);
            for _ in 0..(256 * 1024 * 1024 / block.len()) {
                if conn.send(block.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Behaviour::BrokenChunked => {
            let mut out = head.to_vec();
            out.extend_from_slice(
                b"transfer-encoding: chunked\r\n\r\n5\r\n{\"id\"\r\nzz\r\nnot hex\r\n",
            );
            let _ = conn.send(&out).await;
            http::until_closed(&mut conn, Duration::from_secs(30)).await;
        }
        Behaviour::ContinueFlood => {
            let flood = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(20_000);
            if conn.send(&flood).await.is_ok() {
                let answer = http::json(201, &created_body_again(req));
                let _ = conn.send(&answer).await;
            }
            http::until_closed(&mut conn, Duration::from_secs(30)).await;
        }
        Behaviour::HugeString => huge_string(conn).await,
        Behaviour::NeverAnswers => http::until_closed(&mut conn, Duration::from_secs(120)).await,
        _ => {}
    }
}

/// A chunked 201 with a 10 MiB string: the client must stop reading at its cap.
async fn huge_string(mut conn: Conn) {
    let head = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if conn.send(head).await.is_err() {
        return;
    }
    let chunk = |data: &[u8]| {
        let mut out = format!("{:x}\r\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out
    };
    if conn
        .send(&chunk(b"{\"id\":\"big\",\"ports\":[],\"host\":\""))
        .await
        .is_err()
    {
        return;
    }
    let block = chunk(&[b's'; 64 * 1024]);
    for _ in 0..160 {
        if conn.send(&block).await.is_err() {
            return;
        }
    }
    let _ = conn.send(&chunk(b"\"}")).await;
    let _ = conn.send(b"0\r\n\r\n").await;
    http::until_closed(&mut conn, Duration::from_secs(30)).await;
}
