//! A real S3-compatible server on 127.0.0.1 for the storage tests: s3s-fs serving a
//! temporary directory (one sub-directory per bucket), with signature checking on,
//! a log of the requests it answered, and optional fault injection.

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use object_store::aws::AmazonS3Builder;
use object_store::ObjectStore;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

pub const ACCESS_KEY: &str = "qf-test-access";
pub const SECRET_KEY: &str = "qf-test-secret-do-not-print";

#[derive(Default)]
struct State {
    requests: Mutex<Vec<(Method, String)>>,
    served: AtomicU64,
    /// Every n-th request fails with 503 (0: none).
    fail_every: AtomicU64,
    /// Every n-th request has its connection dropped without a response (0: none).
    reset_every: AtomicU64,
    faults: AtomicU64,
}

pub struct S3Server {
    pub endpoint: String,
    root: tempfile::TempDir,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl S3Server {
    /// Starts a server with one empty bucket per name, on its own thread and runtime
    /// (so a test may block, e.g. waiting on a child process, while it serves).
    pub fn start(buckets: &[&str]) -> S3Server {
        let root = tempfile::tempdir().unwrap();
        for b in buckets {
            std::fs::create_dir(root.path().join(b)).unwrap();
        }
        let state = Arc::new(State::default());
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let dir = root.path().to_path_buf();
        let served = Arc::clone(&state);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let s3 = {
                    let fs = s3s_fs::FileSystem::new(&dir).unwrap();
                    let mut builder = S3ServiceBuilder::new(fs);
                    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
                    builder.build()
                };
                loop {
                    let socket = tokio::select! {
                        accepted = listener.accept() => match accepted {
                            Ok((socket, _)) => socket,
                            Err(_) => continue,
                        },
                        _ = &mut stop => break,
                    };
                    // Without it, Nagle's algorithm holds each response's last segment
                    // for the client's delayed ACK (measured: 7.5 ms per request).
                    let _ = socket.set_nodelay(true);
                    let s3 = s3.clone();
                    let state = Arc::clone(&served);
                    let service = service_fn(move |req: Request<Incoming>| {
                        let s3 = s3.clone();
                        let state = Arc::clone(&state);
                        async move { state.answer(&s3, req).await }
                    });
                    tokio::spawn(async move {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(socket), service)
                            .await;
                    });
                }
            });
        });
        let addr = addr_rx.recv().unwrap();
        S3Server {
            endpoint: format!("http://{addr}"),
            root,
            state,
            shutdown: Some(shutdown),
        }
    }

    /// A store for `bucket` configured explicitly (no environment).
    pub fn store(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        Arc::new(
            AmazonS3Builder::new()
                .with_endpoint(&self.endpoint)
                .with_allow_http(true)
                .with_region("us-east-1")
                .with_bucket_name(bucket)
                .with_access_key_id(ACCESS_KEY)
                .with_secret_access_key(SECRET_KEY)
                .build()
                .unwrap(),
        )
    }

    /// Makes `s3://bucket` readable and writable in `ctx`.
    pub fn register(&self, ctx: &datafusion::prelude::SessionContext, bucket: &str) {
        let url = url::Url::parse(&format!("s3://{bucket}")).unwrap();
        ctx.register_object_store(&url, self.store(bucket));
    }

    /// The environment a quantfusion process needs to reach this server as S3.
    pub fn s3_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ALLOW_HTTP", "true".to_string()),
        ]
    }

    /// The environment a quantfusion process needs to reach this server as R2.
    pub fn r2_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("R2_ENDPOINT", self.endpoint.clone()),
            ("R2_ACCESS_KEY", ACCESS_KEY.to_string()),
            ("R2_SECRET_KEY", SECRET_KEY.to_string()),
        ]
    }

    /// The directory holding `bucket`'s objects.
    pub fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.path().join(bucket)
    }

    /// GET requests answered for keys containing `fragment`.
    pub fn gets_of(&self, fragment: &str) -> usize {
        self.state
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| *m == Method::GET && p.contains(fragment) && !p.contains("list-type"))
            .count()
    }

    pub fn clear_log(&self) {
        self.state.requests.lock().unwrap().clear();
    }

    /// Fails every `fail_every`-th request with 503 and drops the connection of every
    /// `reset_every`-th (0 turns either off).
    pub fn inject_faults(&self, fail_every: u64, reset_every: u64) {
        self.state.fail_every.store(fail_every, Ordering::SeqCst);
        self.state.reset_every.store(reset_every, Ordering::SeqCst);
    }

    /// Faults injected so far.
    pub fn faults(&self) -> u64 {
        self.state.faults.load(Ordering::SeqCst)
    }
}

impl State {
    async fn answer(
        &self,
        s3: &s3s::service::S3Service,
        req: Request<Incoming>,
    ) -> Result<Response<s3s::Body>, std::io::Error> {
        let n = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        let every = |setting: &AtomicU64| {
            let k = setting.load(Ordering::SeqCst);
            k > 0 && n.is_multiple_of(k)
        };
        if every(&self.reset_every) {
            self.faults.fetch_add(1, Ordering::SeqCst);
            return Err(std::io::Error::other("injected connection reset"));
        }
        if every(&self.fail_every) {
            self.faults.fetch_add(1, Ordering::SeqCst);
            let body = "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>";
            return Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .body(s3s::Body::from(body.to_string()))
                .map_err(std::io::Error::other);
        }
        let path = match req.uri().query() {
            Some(q) => format!("{}?{q}", req.uri().path()),
            None => req.uri().path().to_string(),
        };
        let mut path = path.replace("%3D", "=").replace("%3d", "=");
        if let Some(range) = req.headers().get("range").and_then(|r| r.to_str().ok()) {
            path.push_str(&format!(" [{range}]"));
        }
        self.requests
            .lock()
            .unwrap()
            .push((req.method().clone(), path));
        Service::call(s3, req)
            .await
            .map_err(|e| std::io::Error::other(format!("{e:?}")))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
    }
}

/// All files under `dir`, relative, sorted (what the server holds).
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = vec![];
    walk(dir, dir, &mut out);
    out.sort();
    out
}
