//! A scripted HTTP/1.1 server on 127.0.0.1 for agent tests. It records every request
//! and answers the n-th connection with the n-th scripted reply (the last one repeats).
//! Every reply closes its connection, so one connection carries one request.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    pub method: String,
    pub path: String,
    /// Header names in lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// Returns the first value of a header, by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Parses the body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server sends back for one connection.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response with a `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A response without a length: the pieces are written with `pause` between them,
    /// then the connection is closed, which ends the body.
    Streamed {
        status: u16,
        headers: Vec<(String, String)>,
        pieces: Vec<String>,
        pause: Duration,
    },
    /// The reply, sent after waiting.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    /// Builds a JSON response.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        Reply::Full {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// Builds a response with an arbitrary body.
    pub fn text(status: u16, body: &str) -> Reply {
        let headers = vec![("content-type".to_string(), "text/plain".to_string())];
        Reply::Full {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// Builds a response whose body is written in pieces and ended by closing the
    /// connection.
    pub fn in_pieces(content_type: &str, pieces: &[&str]) -> Reply {
        let headers = vec![("content-type".to_string(), content_type.to_string())];
        let pieces = pieces.iter().map(|piece| piece.to_string()).collect();
        Reply::Streamed {
            status: 200,
            headers,
            pieces,
            pause: Duration::from_millis(5),
        }
    }

    /// Adds a header to a full or streamed reply.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        match &mut self {
            Reply::Full { headers, .. } | Reply::Streamed { headers, .. } => {
                headers.push((name.to_string(), value.to_string()));
            }
            Reply::Delayed(_, inner) => {
                let updated = inner.as_ref().clone().with_header(name, value);
                **inner = updated;
            }
        }
        self
    }
}

/// A running mock server; it stops when dropped.
pub struct MockServer {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub async fn start(replies: Vec<Reply>) -> MockServer {
        assert!(
            !replies.is_empty(),
            "a mock server needs at least one reply"
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(serve(listener, replies, Arc::clone(&requests)));
        MockServer {
            address,
            requests,
            task,
        }
    }

    /// Returns `http://127.0.0.1:<port>` followed by `path`, such as `/v1`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Returns the requests received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// Returns the only request received, failing the test if there was not exactly one.
    pub fn single_request(&self) -> CapturedRequest {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request");
        requests.into_iter().next().unwrap()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    listener: TcpListener,
    replies: Vec<Reply>,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
) {
    let mut count = 0;
    while let Ok((stream, _)) = listener.accept().await {
        let reply = replies[count.min(replies.len() - 1)].clone();
        count += 1;
        let requests = Arc::clone(&requests);
        tokio::spawn(handle_connection(stream, reply, requests));
    }
}

/// Reads one request, records it, writes the reply and closes the connection.
async fn handle_connection(
    mut stream: TcpStream,
    reply: Reply,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
) {
    let Some(request) = read_http_request(&mut stream).await else {
        return;
    };
    requests.lock().unwrap().push(request);
    write_reply(&mut stream, reply).await;
    let _ = stream.shutdown().await;
}

async fn read_http_request(stream: &mut TcpStream) -> Option<CapturedRequest> {
    let mut buffer = Vec::new();
    let header_end = loop {
        if let Some(position) = find(&buffer, b"\r\n\r\n") {
            break position;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };

    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();

    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(CapturedRequest {
        method,
        path,
        headers,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) {
    match reply {
        Reply::Delayed(wait, inner) => {
            tokio::time::sleep(wait).await;
            Box::pin(write_reply(stream, *inner)).await;
        }
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = status_line_and_headers(status, &headers);
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Reply::Streamed {
            status,
            headers,
            pieces,
            pause,
        } => {
            let mut head = status_line_and_headers(status, &headers);
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            for piece in pieces {
                let _ = stream.write_all(piece.as_bytes()).await;
                let _ = stream.flush().await;
                tokio::time::sleep(pause).await;
            }
        }
    }
}

fn status_line_and_headers(status: u16, headers: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} Mock\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head
}

/// Returns a 127.0.0.1 address on which nothing listens: bound, then released.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{address}/v1")
}
