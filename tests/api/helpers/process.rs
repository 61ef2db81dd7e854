//! The real binary as a child process, and a minimal HTTP/1.1 client over a raw socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_riposte");

/// What the binary prints on stdout once its socket is bound.
const LISTENING: &str = "riposte listening on http://";

/// How long a start may take until the binary reports its address.
const START_WITHIN: Duration = Duration::from_secs(20);

/// One HTTP/1.1 request over a fresh connection; returns the status code and the body.
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    http_with(port, method, path, &[], body)
}

/// As [`http`], with extra request headers.
pub fn http_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let out = http_raw(port, method, path, headers, body)?;
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// As [`http_with`], the whole answer as it came: status line, head and body.
pub fn http_raw(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    // One write, as a browser or curl sends a small request: `write!` on a bare socket would send each
    // piece of the format string as a segment of its own.
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

/// A blocking connection to the server on `port` from the loopback address `from` (all of 127.0.0.0/8
/// reaches this host, so tests can be several clients), with a read timeout far above any answer's time.
pub async fn connect_from(from: &str, port: u16) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from.parse().map_err(std::io::Error::other)?, 0))?;
    let conn = socket
        .connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await?
        .into_std()?;
    conn.set_nonblocking(false)?;
    conn.set_read_timeout(Some(Duration::from_secs(20)))?;
    Ok(conn)
}

/// A running `riposte`, killed when dropped.
pub struct Server {
    pub child: Child,
    /// The port it bound (it was started on port 0).
    pub port: u16,
    /// Drains stderr (the log) until the child exits, so that logging never blocks the server.
    stderr: Option<JoinHandle<String>>,
    /// The database [`start`] made (a PostgreSQL one is dropped after the server stops).
    pub db: Option<super::database::TestDb>,
}

impl Server {
    /// Everything the server wrote to stderr. Waits for the end of its output: call it once the child
    /// has exited.
    pub fn log(&mut self) -> String {
        self.stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port (`--listen 127.0.0.1:0`) with `dir/riposte.db` or, when the suite
/// runs against PostgreSQL, a new database there (and `dir/riposte.toml` when present), and waits,
/// bounded, until it reports the address it bound.
pub fn start(dir: &Path) -> Server {
    let db = super::database::TestDb::new(dir);
    let mut server = start_with(dir, &db.path);
    server.db = Some(db);
    server
}

pub fn start_with(dir: &Path, database: &Path) -> Server {
    start_env(dir, database, &[])
}

/// As [`start_with`], with these environment variables set for the server.
pub fn start_env(dir: &Path, database: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.envs(env.iter().copied());
    launch(cmd, dir, database)
}

/// As [`start_with`], the server started by a shell that first ran `ulimit` with these arguments (`-n
/// 300`: at most 300 open files; `-Sn 256`: a soft limit of 256, the hard one left as it is).
pub fn start_with_ulimit(dir: &Path, database: &Path, ulimit: &str) -> Server {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("ulimit {ulimit} && exec \"$0\" \"$@\""), BIN]);
    launch(cmd, dir, database)
}

/// Starts `cmd` (the binary, or what execs it) as a server on a free port of `database`, with the
/// directory's `riposte.toml` when there is one.
fn launch(mut cmd: Command, dir: &Path, database: &Path) -> Server {
    cmd.args(["--listen", "127.0.0.1:0"])
        .arg("--database")
        .arg(database)
        .current_dir(dir);
    let config = dir.join("riposte.toml");
    if config.exists() {
        cmd.arg("--config").arg(config);
    }
    let mut child = cmd
        .env_remove("RIPOSTE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut log = Vec::new();
        let _ = stderr.read_to_end(&mut log);
        String::from_utf8_lossy(&log).into_owned()
    });
    // Stdout carries the one line with the address; it is read to its end so that the pipe stays open.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.strip_prefix(LISTENING) {
                let _ = tx.send(addr.trim().to_owned());
            }
        }
    });
    let mut server = Server {
        child,
        port: 0,
        stderr: Some(stderr),
        db: None,
    };
    let addr = match rx.recv_timeout(START_WITHIN) {
        Ok(addr) => addr,
        Err(e) => {
            let why = match e {
                mpsc::RecvTimeoutError::Timeout => format!("did not report its address within {START_WITHIN:?}"),
                mpsc::RecvTimeoutError::Disconnected => "closed its stdout without reporting its address".into(),
            };
            let _ = server.child.kill();
            let status = server.child.wait();
            let log = server.log();
            panic!("riposte {why} (exit: {status:?}); stderr:\n{log}");
        }
    };
    server.port = addr
        .parse::<SocketAddr>()
        .unwrap_or_else(|e| panic!("riposte reported {addr:?}, not an address: {e}"))
        .port();
    server
}
