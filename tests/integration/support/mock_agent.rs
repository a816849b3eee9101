//! A mock agent server on 127.0.0.1 that speaks the OpenAI chat-completions and the
//! Anthropic Messages wire formats, plain and streamed, answers from the built-in
//! recordings, and injects faults on request: latency, HTTP 500 and 503, 429 with
//! `Retry-After`, connection resets, stalls past a client's timeout, malformed JSON and
//! truncated bodies or streams.
//!
//! It runs on its own tokio runtime in a background thread, so synchronous tests and
//! benchmarks can start it and then run the `skilleval` binary against it. Connections
//! are kept alive between requests, as real servers do. The benchmark includes this
//! file by path, so it must not depend on the other support modules.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A fault injected in place of a normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// An HTTP error status with an OpenAI-style error body, such as 500 or 503.
    Status(u16),
    /// HTTP 429 with `Retry-After` in whole seconds.
    RateLimited { retry_after_secs: u64 },
    /// The connection is reset (RST) before any response.
    Reset,
    /// Nothing is sent for this long, then the connection closes.
    Stall(Duration),
    /// HTTP 200 with a body that is not JSON.
    MalformedJson,
    /// A response cut off mid-body: half a JSON body, or a stream without its end.
    Truncated,
}

/// Which requests get which faults.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    /// Faults for the first requests, in arrival order; request `i` gets `scripted[i]`.
    pub scripted: Vec<Fault>,
    /// For every later request, each fault's probability, drawn in order from a
    /// generator seeded by `seed`.
    pub random: Vec<(Fault, f64)>,
    pub seed: u64,
    /// Send faults at once instead of after the configured latency, so that a fault
    /// reaches the client well before the answers to requests sent beside it.
    pub immediate: bool,
}

/// How the mock behaves.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// Time before each answer or fault is sent.
    pub latency: Duration,
    pub faults: FaultPlan,
}

/// What the mock saw.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    answers: AtomicU64,
    faults: Mutex<HashMap<String, u64>>,
    arrivals: Mutex<Vec<Instant>>,
    authorization: Mutex<Vec<String>>,
}

/// A running mock agent; it stops when dropped.
pub struct MockAgent {
    address: SocketAddr,
    counters: Arc<Counters>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockAgent {
    /// Starts the mock on an ephemeral port of 127.0.0.1.
    pub fn start(config: MockConfig) -> MockAgent {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let address = listener.local_addr().expect("local address");
        let counters = Arc::new(Counters::default());
        let (shutdown, shutdown_received) = tokio::sync::oneshot::channel();
        let server = Server { config, answers: Arc::new(Answers::load()), counters: Arc::clone(&counters) };
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("mock runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    () = server.serve(listener) => {}
                    _ = shutdown_received => {}
                }
            });
        });
        MockAgent { address, counters, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// Returns the OpenAI-style base URL, `http://127.0.0.1:<port>/v1`.
    pub fn openai_url(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// Returns the Anthropic-style base URL, `http://127.0.0.1:<port>`.
    pub fn anthropic_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns how many requests arrived.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// Returns how many requests got a normal, complete answer.
    pub fn answers(&self) -> u64 {
        self.counters.answers.load(Ordering::SeqCst)
    }

    /// Returns how many times each fault was injected, by its debug name.
    pub fn faults(&self) -> HashMap<String, u64> {
        self.counters.faults.lock().unwrap().clone()
    }

    /// Returns the arrival time of every request, in order.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.counters.arrivals.lock().unwrap().clone()
    }

    /// Returns the `authorization` or `x-api-key` header of every request that had one.
    pub fn credentials_seen(&self) -> Vec<String> {
        self.counters.authorization.lock().unwrap().clone()
    }
}

impl Drop for MockAgent {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Recorded answers by scenario query and arm.
struct Answers {
    /// Query of a scenario or one of its variants → (scenario id, variant id).
    scenarios: HashMap<String, (String, String)>,
    /// ((scenario id, variant id), with skill) → sample 0's recorded answer.
    responses: HashMap<((String, String), bool), String>,
}

impl Answers {
    fn load() -> Answers {
        let suite = skilleval::suite::load_builtin().expect("the built-in suite loads");
        let mut scenarios = HashMap::new();
        for scenario in &suite.scenarios {
            scenarios.insert(scenario.query.clone(), (scenario.id.clone(), "base".to_string()));
            for variant in &scenario.variants {
                scenarios.insert(variant.query.clone(), (scenario.id.clone(), variant.id.clone()));
            }
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/replay/default.jsonl");
        let text = std::fs::read_to_string(path).expect("the built-in recordings exist");
        let mut responses = HashMap::new();
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line).expect("a recording line is JSON");
            if value["sample"] != 0 {
                continue;
            }
            let variant = value["variant"].as_str().unwrap_or("base").to_string();
            let key = ((value["scenario"].as_str().unwrap().to_string(), variant), value["arm"] == "with-skill");
            responses.insert(key, value["response"].as_str().unwrap().to_string());
        }
        Answers { scenarios, responses }
    }

    /// Picks the answer for a system and a user message. The skill is appended to the
    /// system prompt after a blank line, so a blank line marks the with-skill arm.
    fn answer(&self, system: &str, user: &str) -> String {
        let with_skill = system.contains("\n\n");
        let scenario = self.scenarios.get(user.trim()).cloned().unwrap_or_default();
        self.responses
            .get(&(scenario, with_skill))
            .cloned()
            .unwrap_or_else(|| "Use a batch size of 32 and scale the learning rate linearly.".to_string())
    }
}

/// The server's shared state.
#[derive(Clone)]
struct Server {
    config: MockConfig,
    answers: Arc<Answers>,
    counters: Arc<Counters>,
}

/// One parsed request.
struct Request {
    path: String,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

/// The wire format a request used.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wire {
    OpenAi,
    Anthropic,
}

impl Server {
    async fn serve(self, listener: TcpListener) {
        while let Ok((stream, _)) = listener.accept().await {
            let server = self.clone();
            tokio::spawn(async move { server.connection(stream).await });
        }
    }

    /// Serves requests on one connection until the client closes it or a fault ends it.
    async fn connection(self, mut stream: TcpStream) {
        // Responses go out in one write, and without Nagle's delay, so that the latency a
        // client sees is the configured one.
        let _ = stream.set_nodelay(true);
        let mut buffer = Vec::new();
        while let Some(request) = read_request(&mut stream, &mut buffer).await {
            let number = self.counters.requests.fetch_add(1, Ordering::SeqCst);
            self.counters.arrivals.lock().unwrap().push(Instant::now());
            if let Some((_, value)) = request.headers.iter().find(|(name, _)| name == "authorization" || name == "x-api-key") {
                self.counters.authorization.lock().unwrap().push(value.clone());
            }
            let fault = self.fault_for(number);
            if fault.is_none() || !self.config.faults.immediate {
                tokio::time::sleep(self.config.latency).await;
            }
            let keep_open = match fault {
                Some(fault) => {
                    *self.counters.faults.lock().unwrap().entry(format!("{fault:?}")).or_default() += 1;
                    self.send_fault(&mut stream, &request, fault).await
                }
                None => self.send_answer(&mut stream, &request).await,
            };
            if !keep_open {
                return;
            }
        }
    }

    fn fault_for(&self, number: u64) -> Option<Fault> {
        let plan = &self.config.faults;
        if let Some(fault) = plan.scripted.get(number as usize) {
            return Some(fault.clone());
        }
        let mut draw = split_mix(plan.seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for (fault, probability) in &plan.random {
            let fraction = (draw >> 11) as f64 / (1u64 << 53) as f64;
            if fraction < *probability {
                return Some(fault.clone());
            }
            draw = split_mix(draw);
        }
        None
    }

    /// Sends a normal answer; returns whether the connection stays open.
    async fn send_answer(&self, stream: &mut TcpStream, request: &Request) -> bool {
        let Some(wire) = wire_of(&request.path) else {
            return write_response(stream, 404, &[], r#"{"error": {"message": "no such endpoint"}}"#).await;
        };
        let (system, user) = messages(wire, &request.body);
        let text = self.answers.answer(&system, &user);
        let input_tokens = ((system.len() + user.len()) / 4) as u64;
        let output_tokens = (text.len() / 4) as u64;
        let open = if request.body["stream"] == true {
            let events = stream_events(wire, &text, input_tokens, output_tokens);
            write_stream(stream, &events, events.len()).await
        } else {
            write_response(stream, 200, &[], &json_body(wire, &text, input_tokens, output_tokens)).await
        };
        self.counters.answers.fetch_add(1, Ordering::SeqCst);
        open
    }

    /// Sends a fault; returns whether the connection stays open.
    async fn send_fault(&self, stream: &mut TcpStream, request: &Request, fault: Fault) -> bool {
        match fault {
            Fault::Status(status) => {
                let body = format!(r#"{{"error": {{"message": "mock fault {status}", "type": "server_error"}}}}"#);
                write_response(stream, status, &[], &body).await
            }
            Fault::RateLimited { retry_after_secs } => {
                let body = r#"{"error": {"message": "rate limited by the mock", "type": "rate_limit_error"}}"#;
                write_response(stream, 429, &[("retry-after", retry_after_secs.to_string())], body).await
            }
            Fault::Reset => {
                let _ = stream.set_zero_linger();
                false
            }
            Fault::Stall(duration) => {
                tokio::time::sleep(duration).await;
                false
            }
            Fault::MalformedJson => write_response(stream, 200, &[], "{\"choices\": [{\"message\": oops").await,
            Fault::Truncated => {
                let wire = wire_of(&request.path).unwrap_or(Wire::OpenAi);
                let text = "Use a batch size of";
                if request.body["stream"] == true {
                    let events = stream_events(wire, text, 10, 5);
                    write_stream(stream, &events, 2).await;
                } else {
                    let body = json_body(wire, text, 10, 5);
                    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body.as_bytes()[..body.len() / 2]).await;
                }
                false
            }
        }
    }
}

fn wire_of(path: &str) -> Option<Wire> {
    if path.ends_with("/chat/completions") {
        Some(Wire::OpenAi)
    } else if path.ends_with("/v1/messages") {
        Some(Wire::Anthropic)
    } else {
        None
    }
}

/// Extracts the system and the user message from a request body.
fn messages(wire: Wire, body: &serde_json::Value) -> (String, String) {
    let text_of = |role: &str| {
        body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|message| message["role"] == role)
            .and_then(|message| message["content"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let system = match wire {
        Wire::OpenAi => text_of("system"),
        Wire::Anthropic => body["system"].as_str().unwrap_or_default().to_string(),
    };
    (system, text_of("user"))
}

fn json_body(wire: Wire, text: &str, input_tokens: u64, output_tokens: u64) -> String {
    let body = match wire {
        Wire::OpenAi => serde_json::json!({
            "id": "chatcmpl-mock",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens, "total_tokens": input_tokens + output_tokens},
        }),
        Wire::Anthropic => serde_json::json!({
            "id": "msg_mock",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }),
    };
    body.to_string()
}

/// Builds the server-sent events of a streamed answer, split into two text pieces.
fn stream_events(wire: Wire, text: &str, input_tokens: u64, output_tokens: u64) -> Vec<String> {
    let middle = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(index, _)| index);
    let (first, second) = text.split_at(middle);
    match wire {
        Wire::OpenAi => {
            let chunk = |delta: serde_json::Value, finish: Option<&str>| {
                serde_json::json!({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).to_string()
            };
            let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens}});
            [
                chunk(serde_json::json!({"role": "assistant", "content": first}), None),
                chunk(serde_json::json!({"content": second}), None),
                chunk(serde_json::json!({}), Some("stop")),
                usage.to_string(),
                "[DONE]".to_string(),
            ]
            .iter()
            .map(|data| format!("data: {data}\n\n"))
            .collect()
        }
        Wire::Anthropic => {
            let event = |name: &str, data: serde_json::Value| format!("event: {name}\ndata: {data}\n\n");
            vec![
                event("message_start", serde_json::json!({"type": "message_start", "message": {"usage": {"input_tokens": input_tokens, "output_tokens": 1}}})),
                event("content_block_start", serde_json::json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})),
                event("content_block_delta", serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": first}})),
                event("content_block_delta", serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": second}})),
                event("content_block_stop", serde_json::json!({"type": "content_block_stop", "index": 0})),
                event("message_delta", serde_json::json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": output_tokens}})),
                event("message_stop", serde_json::json!({"type": "message_stop"})),
            ]
        }
    }
}

/// Writes a complete response with a length; returns true, since the connection stays open.
async fn write_response(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &str) -> bool {
    let mut head = format!("HTTP/1.1 {status} Mock\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    stream.write_all(head.as_bytes()).await.is_ok()
}

/// Writes the first `count` events of a stream and closes it; a stream ends with the
/// connection, so it never stays open.
async fn write_stream(stream: &mut TcpStream, events: &[String], count: usize) -> bool {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
    let _ = stream.write_all(head.as_bytes()).await;
    for event in events.iter().take(count) {
        let _ = stream.write_all(event.as_bytes()).await;
        let _ = stream.flush().await;
    }
    let _ = stream.shutdown().await;
    false
}

/// Reads one request from a kept-alive connection; `None` when the client closed it.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let header_end = loop {
        if let Some(position) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break position;
        }
        read_more(stream, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers.iter().find(|(name, _)| name == "content-length").and_then(|(_, value)| value.parse().ok()).unwrap_or(0);

    let body_start = header_end + 4;
    while buffer.len() < body_start + length {
        read_more(stream, buffer).await?;
    }
    let body = serde_json::from_slice(&buffer[body_start..body_start + length]).unwrap_or(serde_json::Value::Null);
    buffer.drain(..body_start + length);
    Some(Request { path, headers, body })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 16 * 1024];
    let read = stream.read(&mut chunk).await.ok()?;
    if read == 0 {
        return None;
    }
    buffer.extend_from_slice(&chunk[..read]);
    Some(())
}

/// One step of the SplitMix64 generator: fast, seedable, good enough for fault draws.
fn split_mix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
