//! The inference gateway over HTTP, against the OpenRouter fake on loopback (an
//! OpenAI-compatible upstream that answers at once): `POST /v1/chat/completions`,
//! non-streaming, model `openrouter/openai/gpt-4o`, a small user message.
//!
//! - **added latency at 1,000 requests/s**: an open-loop load generator (requests scheduled
//!   every 1 ms by a dedicated thread, whatever is still in flight, each run as a task on the
//!   benchmark's runtime over one `reqwest::Client`: a pool of keep-alive HTTP/1.1
//!   connections) for 2 s of warm-up then 10 s measured; each request's latency counts from
//!   its *scheduled* start, so a late start is charged to it. Run (a) straight at the fake's
//!   `POST /api/v1/chat/completions` with the same body (model `openai/gpt-4o`, Bearer key),
//!   (b) through the bare reverse proxy below (the cost of one more loopback hop), and (c)
//!   through the gateway (`/v1/chat/completions`, the aiproviders token), same client, one
//!   after the other, `GATEWAY_HTTP_ROUNDS` rounds (default 2). Added p50/p99 = gateway −
//!   direct of the same round (differences of percentiles, not percentiles of differences);
//! - **stages** of the added latency, same open loop (5 s measured each): the gateway's route
//!   answered where it stops early: 401 without a token (HTTP and middleware, no database),
//!   400 for a body that is not JSON (+ the token lookup), 404 for an unknown model (+ the
//!   versions query, the offers, the candidates), then the full 200; differences of p50s and
//!   of server CPU per request;
//! - **throughput at saturation**: closed loop, 32 workers (each sends its next request when
//!   the previous one is answered), 2 s warm-up then 10 s measured: requests/s straight at the
//!   fake (the ceiling), through a bare reverse proxy (a tiny axum server in this process, on
//!   its own 2-thread runtime, that forwards the body to the fake with the Bearer key and
//!   returns the answer: no authentication, no policy, no decryption, no JSON work), and
//!   through the gateway; proxy and gateway alternately, `GATEWAY_HTTP_ROUNDS` rounds;
//! - **resident memory** of the aiproviders process: `VmRSS` when idle after the setup, its
//!   largest value sampled every 100 ms during the gateway's saturation runs, after the run,
//!   and `VmHWM` (the peak over the process's life) at the end.
//!
//! CPU per request: the server's utime + stime (`/proc/PID/stat`) over each gateway phase,
//! and the bare proxy's (its runtime's threads, `/proc/self/task/*/stat`) over each proxy
//! phase, divided by the requests answered in the phase (warm-up included); and the
//! benchmark's own threads (client and fake).
//!
//! The client, the fake, the bare proxy and the server share the machine's cores (2 on the
//! development machine): compare within one run.
//!
//! Run: `cargo bench -p aiproviders --bench gateway_http` (SQLite; the harness's
//! `AIPROVIDERS_TEST_BACKEND=postgres` with `AIPROVIDERS_TEST_POSTGRES_URL` for PostgreSQL).
//! For profiling, `GATEWAY_HTTP_PROFILE=saturation` (or `rate`) skips the measurements,
//! prints the server's pid, waits 3 s (time to attach `perf record -p PID`; use
//! `--call-graph dwarf,65528`: the default 16 KB stack copies truncate these async stacks),
//! then drives the gateway for 20 s with 32 workers (or at 1,000 requests/s).
//! `GATEWAY_HTTP_PROFILE=proxy` does the same for the bare proxy and prints this process's
//! pid instead (the proxy's threads are named `bare-proxy`).

#[allow(dead_code)]
#[path = "../tests/it/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "common/session.rs"]
mod session;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aiproviders_fakes::FakeUpstreams;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use harness::{AppOptions, TestApp};
use serde_json::{Value, json};
use session::{Session, structured};

/// Any secret the fakes accept (not containing "revoked").
const SECRET: &str = "sk-or-v1-bench-gateway-0000000000000000000000000000000000000000";
const MESSAGE: &str = "Say hello in one short sentence.";
const INTERVAL: Duration = Duration::from_millis(1);
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
/// Measured time of each stage of the latency breakdown.
const STAGE_MEASURE: Duration = Duration::from_secs(5);
const WORKERS: usize = 32;
/// Linux's USER_HZ: the unit of utime/stime in `/proc/*/stat`.
const CLOCK_TICKS: f64 = 100.0;
/// The bare proxy's runtime threads (names are cut to 15 bytes in `/proc`).
const PROXY_THREADS: &str = "bare-proxy";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Where and how to send one chat completion.
struct Target {
    name: &'static str,
    url: String,
    authorization: Option<HeaderValue>,
    body: Bytes,
    /// The status every answer must have.
    expect: StatusCode,
}

impl Target {
    fn new(name: &'static str, url: String, bearer: &str, model: &str) -> Arc<Self> {
        let body = json!({"model": model, "messages": [{"role": "user", "content": MESSAGE}]});
        Self::raw(
            name,
            url,
            Some(bearer),
            serde_json::to_vec(&body).unwrap(),
            StatusCode::OK,
        )
    }

    fn raw(
        name: &'static str,
        url: String,
        bearer: Option<&str>,
        body: Vec<u8>,
        expect: StatusCode,
    ) -> Arc<Self> {
        Arc::new(Self {
            name,
            url,
            authorization: bearer.map(|b| HeaderValue::from_str(&format!("Bearer {b}")).unwrap()),
            body: Bytes::from(body),
            expect,
        })
    }

    fn request(&self, http: &reqwest::Client) -> reqwest::RequestBuilder {
        let mut request = http
            .post(&self.url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(self.body.clone());
        if let Some(authorization) = &self.authorization {
            request = request.header(header::AUTHORIZATION, authorization.clone());
        }
        request
    }

    /// One request, body read in full; whether it had the expected status.
    async fn send(&self, http: &reqwest::Client) -> bool {
        match self.request(http).send().await {
            Ok(response) => {
                let ok = response.status() == self.expect;
                response.bytes().await.is_ok() && ok
            }
            Err(_) => false,
        }
    }

    /// One request whose answer must be the fake's echo; returns the route header.
    async fn check(&self, http: &reqwest::Client) -> String {
        let response = self.request(http).send().await.unwrap();
        let status = response.status();
        let route = response
            .headers()
            .get("x-aiproviders-route")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{}: {status} {text}", self.name);
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            answer["choices"][0]["message"]["content"],
            json!(format!("echo: {MESSAGE}")),
            "{}: {text}",
            self.name
        );
        route
    }
}

/// utime + stime of a `/proc/…/stat` line, in seconds.
fn cpu_of_stat(stat: &str) -> f64 {
    let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `after_comm` starts at field 3.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / CLOCK_TICKS
}

/// CPU seconds used so far by a process.
fn process_cpu(pid: u32) -> f64 {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap())
}

/// CPU seconds used so far by this process's threads named `name` (or all but them).
fn threads_cpu(name: &str, matching: bool) -> f64 {
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let comm = &stat[stat.find('(').unwrap() + 1..stat.rfind(')').unwrap()];
        if (comm == name) == matching {
            total += cpu_of_stat(&stat);
        }
    }
    total
}

/// A `kB` field of `/proc/PID/status`, in MB.
fn status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"));
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

/// Samples the server's VmRSS every 100 ms until stopped; the largest value seen, in MB.
struct RssSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<f64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let stop = stop.clone();
            async move {
                let mut max: f64 = 0.0;
                while !stop.load(Ordering::Relaxed) {
                    max = max.max(status_mb(pid, "VmRSS:"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                max.max(status_mb(pid, "VmRSS:"))
            }
        });
        Self { stop, task }
    }

    async fn stop(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

/// CPU accounting of one phase: the component under test and this benchmark's other threads.
#[derive(Clone, Copy)]
enum Component {
    Server(u32),
    Proxy,
    None,
}

impl Component {
    fn cpu(self) -> f64 {
        match self {
            Component::Server(pid) => process_cpu(pid),
            Component::Proxy => threads_cpu(PROXY_THREADS, true),
            Component::None => 0.0,
        }
    }
}

struct CpuMeter {
    component: Component,
    component_start: f64,
    bench_start: f64,
}

impl CpuMeter {
    fn start(component: Component) -> Self {
        Self {
            component,
            component_start: component.cpu(),
            bench_start: threads_cpu(PROXY_THREADS, false),
        }
    }

    /// (component, benchmark's other threads) CPU seconds since the start.
    fn stop(self) -> (f64, f64) {
        (
            self.component.cpu() - self.component_start,
            threads_cpu(PROXY_THREADS, false) - self.bench_start,
        )
    }
}

/// The outcome of an open-loop run.
struct OpenLoop {
    /// Latencies from the scheduled start, measured part, sorted.
    latency: Vec<Duration>,
    /// How late each request started (scheduled → first poll of its task), sorted.
    lag: Vec<Duration>,
    errors: usize,
    sent: usize,
    /// (component, benchmark) CPU seconds over the whole run.
    cpu: (f64, f64),
}

/// Requests every `INTERVAL` for `WARMUP + duration`, whatever is in flight.
async fn open_loop(
    http: &reqwest::Client,
    target: &Arc<Target>,
    duration: Duration,
    component: Component,
) -> OpenLoop {
    let total = ((WARMUP + duration).as_nanos() / INTERVAL.as_nanos()) as u32;
    let warmup = (WARMUP.as_nanos() / INTERVAL.as_nanos()) as u32;
    let handle = tokio::runtime::Handle::current();
    let (http, target) = (http.clone(), target.clone());
    let meter = CpuMeter::start(component);
    // A thread, not a tokio timer: tokio's timers have a 1 ms resolution.
    let tasks = tokio::task::spawn_blocking(move || {
        let start = Instant::now() + Duration::from_millis(20);
        let mut tasks = Vec::with_capacity(total as usize);
        for i in 0..total {
            let scheduled = start + INTERVAL * i;
            let now = Instant::now();
            if scheduled > now {
                std::thread::sleep(scheduled - now);
            }
            let (http, target) = (http.clone(), target.clone());
            tasks.push(handle.spawn(async move {
                let lag = scheduled.elapsed();
                let ok = target.send(&http).await;
                (i, scheduled.elapsed(), lag, ok)
            }));
        }
        tasks
    })
    .await
    .unwrap();
    let mut result = OpenLoop {
        latency: Vec::with_capacity(tasks.len()),
        lag: Vec::with_capacity(tasks.len()),
        errors: 0,
        sent: tasks.len(),
        cpu: (0.0, 0.0),
    };
    for task in tasks {
        let (i, latency, lag, ok) = task.await.unwrap();
        if !ok {
            result.errors += 1;
        }
        if i >= warmup {
            result.latency.push(latency);
            result.lag.push(lag);
        }
    }
    result.cpu = meter.stop();
    result.latency.sort();
    result.lag.sort();
    result
}

/// The outcome of a closed-loop run.
struct ClosedLoop {
    per_second: f64,
    /// Latencies of the measured part, sorted.
    latency: Vec<Duration>,
    errors: usize,
    /// Requests answered over the whole run (warm-up included).
    answered: u64,
    cpu: (f64, f64),
}

/// `WORKERS` workers, each sending its next request when the previous one is answered,
/// for `WARMUP + duration`; counts the requests started and answered in the measured part.
async fn closed_loop(
    http: &reqwest::Client,
    target: &Arc<Target>,
    duration: Duration,
    component: Component,
) -> ClosedLoop {
    let started = Instant::now();
    let (measure_from, end) = (started + WARMUP, started + WARMUP + duration);
    let answered = Arc::new(AtomicU64::new(0));
    let meter = CpuMeter::start(component);
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (http, target, answered) = (http.clone(), target.clone(), answered.clone());
        workers.push(tokio::spawn(async move {
            let (mut latency, mut errors) = (Vec::new(), 0);
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let ok = target.send(&http).await;
                let done = Instant::now();
                answered.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    errors += 1;
                }
                if sent >= measure_from && done <= end {
                    latency.push(done - sent);
                }
            }
            (latency, errors)
        }));
    }
    let (mut latency, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (mut l, e) = worker.await.unwrap();
        latency.append(&mut l);
        errors += e;
    }
    let cpu = meter.stop();
    latency.sort();
    ClosedLoop {
        per_second: latency.len() as f64 / duration.as_secs_f64(),
        latency,
        errors,
        answered: answered.load(Ordering::Relaxed),
        cpu,
    }
}

/// The bare reverse proxy: `POST /v1/chat/completions` → the fake, with the key.
struct Proxy {
    http: reqwest::Client,
    upstream: String,
    authorization: HeaderValue,
}

async fn proxy(State(proxy): State<Arc<Proxy>>, body: Bytes) -> Response {
    let sent = proxy
        .http
        .post(&proxy.upstream)
        .header(header::AUTHORIZATION, proxy.authorization.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    let Ok(answer) = sent else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let Ok(body) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = (status, body).into_response();
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}

/// Starts the bare proxy on `runtime` (its own threads); returns its base URL.
fn start_proxy(runtime: &tokio::runtime::Handle, fake: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Proxy {
        http: reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .unwrap(),
        upstream: format!("{fake}/api/v1/chat/completions"),
        authorization: HeaderValue::from_str(&format!("Bearer {SECRET}")).unwrap(),
    });
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .unwrap()
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        let app = Router::new()
            .route("/v1/chat/completions", post(proxy))
            .with_state(state);
        axum::serve(listener, app).await.unwrap();
    });
    url
}

fn print_open(round: usize, target: &str, run: &OpenLoop, component: &str) {
    let per_request = |cpu: f64| cpu * 1e3 / run.sent as f64;
    let component = if component.is_empty() {
        String::new()
    } else {
        format!("{component} {:>5.3} ms, ", per_request(run.cpu.0))
    };
    println!(
        "  round {round} {target:<8} p50 {:>6.3} ms  p99 {:>6.3} ms  p99.9 {:>6.3} ms  max {:>7.2} ms | \
         start lag p50 {:>5.3} ms  p99 {:>5.3} ms | {} measured, {} errors | \
         CPU/request: {component}bench {:>5.3} ms",
        ms(percentile(&run.latency, 0.50)),
        ms(percentile(&run.latency, 0.99)),
        ms(percentile(&run.latency, 0.999)),
        ms(*run.latency.last().unwrap()),
        ms(percentile(&run.lag, 0.50)),
        ms(percentile(&run.lag, 0.99)),
        run.latency.len(),
        run.errors,
        per_request(run.cpu.1),
    );
}

fn print_closed(round: usize, target: &str, run: &ClosedLoop, component: &str) {
    let per_request = |cpu: f64| cpu * 1e3 / run.answered as f64;
    let component = if component.is_empty() {
        String::new()
    } else {
        format!("{component} {:>5.3} ms, ", per_request(run.cpu.0))
    };
    println!(
        "  round {round} {target:<8} {:>7.0} req/s | latency p50 {:>6.3} ms  p99 {:>6.3} ms | \
         {} errors | CPU/request: {component}bench {:>5.3} ms",
        run.per_second,
        ms(percentile(&run.latency, 0.50)),
        ms(percentile(&run.latency, 0.99)),
        run.errors,
        per_request(run.cpu.1),
    );
}

async fn bench(proxy_runtime: &tokio::runtime::Handle) {
    let rounds: usize = std::env::var("GATEWAY_HTTP_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2);
    let fakes = FakeUpstreams::start().await;
    for fake in fakes.all() {
        fake.set_recording(false);
    }
    // The harness waits for the `listening` line, logged at info by `aiproviders::serve`.
    let mut options = AppOptions::default().env("RUST_LOG", "warn,aiproviders::serve=info");
    for (var, value) in fakes.env() {
        options = options.env(&var, &value);
    }
    let app = TestApp::spawn_with(options).await;
    let pid = app.pid();
    let org = app.org();
    let mut owner = Session::open(&app.base_url, &org.owner).await;
    let created = owner
        .call(
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": "openrouter", "label": "bench", "apiKey": SECRET}),
        )
        .await;
    let key_id = structured(&created)["id"].as_str().unwrap().to_owned();
    // Let the background probe of the new key finish.
    for _ in 0..200 {
        let listed = structured(&owner.call("AI_PROVIDER_KEY_LIST", json!({})).await);
        if listed["keys"][0]["status"] != "unverified" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let http = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let fake = fakes.openrouter.url();
    let direct = Target::new(
        "direct",
        format!("{fake}/api/v1/chat/completions"),
        SECRET,
        "openai/gpt-4o",
    );
    let gateway = Target::new(
        "gateway",
        format!("{}/v1/chat/completions", app.base_url),
        &org.owner,
        "openrouter/openai/gpt-4o",
    );
    let proxy_url = start_proxy(proxy_runtime, &fake);
    let proxied = Target::new(
        "proxy",
        format!("{proxy_url}/v1/chat/completions"),
        "unused",
        "openai/gpt-4o",
    );
    direct.check(&http).await;
    proxied.check(&http).await;
    let route = gateway.check(&http).await;
    assert_eq!(route, format!("openrouter/openai/gpt-4o@{key_id}=ok"));
    let models = structured(
        &owner
            .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key_id}))
            .await,
    )["models"]
        .as_array()
        .unwrap()
        .len();
    let idle_rss = status_mb(pid, "VmRSS:");

    if let Ok(mode) = std::env::var("GATEWAY_HTTP_PROFILE") {
        if mode == "proxy" {
            let own = std::process::id();
            eprintln!(
                "benchmark pid {own}: saturation through the bare proxy (threads `{PROXY_THREADS}`) for 20 s in 3 s"
            );
            tokio::time::sleep(Duration::from_secs(3)).await;
            let run = closed_loop(
                &http,
                &proxied,
                Duration::from_secs(20) - WARMUP,
                Component::Proxy,
            )
            .await;
            print_closed(1, "proxy", &run, "proxy");
            return;
        }
        eprintln!("server pid {pid}: {mode} through the gateway for 20 s in 3 s");
        tokio::time::sleep(Duration::from_secs(3)).await;
        let duration = Duration::from_secs(20) - WARMUP;
        if mode == "rate" {
            let run = open_loop(&http, &gateway, duration, Component::Server(pid)).await;
            print_open(1, "gateway", &run, "server");
        } else {
            let run = closed_loop(&http, &gateway, duration, Component::Server(pid)).await;
            print_closed(1, "gateway", &run, "server");
        }
        return;
    }

    println!(
        "gateway_http: {} cores, backend {:?}, key {key_id} with {models} models (OpenRouter fake), \
         body {} B direct / {} B gateway",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        harness::backend(),
        direct.body.len(),
        gateway.body.len(),
    );
    println!(
        "open loop at {:.0} requests/s, {} s warm-up + {} s measured, latency from the scheduled start:",
        1.0 / INTERVAL.as_secs_f64(),
        WARMUP.as_secs(),
        MEASURE.as_secs()
    );
    let mut added = Vec::new();
    for round in 1..=rounds {
        let a = open_loop(&http, &direct, MEASURE, Component::None).await;
        print_open(round, "direct", &a, "");
        let c = open_loop(&http, &proxied, MEASURE, Component::Proxy).await;
        print_open(round, "proxy", &c, "proxy");
        let b = open_loop(&http, &gateway, MEASURE, Component::Server(pid)).await;
        print_open(round, "gateway", &b, "server");
        let p = |run: &OpenLoop| {
            (
                ms(percentile(&run.latency, 0.50)),
                ms(percentile(&run.latency, 0.99)),
            )
        };
        let (direct, proxy, gateway) = (p(&a), p(&c), p(&b));
        println!(
            "  round {round} added by the bare proxy: p50 {:>+6.3} ms  p99 {:>+6.3} ms",
            proxy.0 - direct.0,
            proxy.1 - direct.1,
        );
        let (p50, p99) = (gateway.0 - direct.0, gateway.1 - direct.1);
        println!(
            "  round {round} added by the gateway:    p50 {p50:>+6.3} ms  p99 {p99:>+6.3} ms \
             (targets <= 0.2 / <= 1 ms: {} / {})",
            if p50 <= 0.2 { "met" } else { "missed" },
            if p99 <= 1.0 { "met" } else { "missed" },
        );
        added.push((p50, p99));
    }
    // Where the added latency goes: the gateway's route stopped at each point it can stop at.
    let chat_url = format!("{}/v1/chat/completions", app.base_url);
    let no_such_model = json!({"model": "openrouter/openai/no-such-model",
                               "messages": [{"role": "user", "content": MESSAGE}]});
    let stages = [
        (
            "401",
            Target::raw(
                "no token",
                chat_url.clone(),
                None,
                gateway.body.to_vec(),
                StatusCode::UNAUTHORIZED,
            ),
        ),
        (
            "400",
            Target::raw(
                "bad JSON",
                chat_url.clone(),
                Some(&org.owner),
                b"{".to_vec(),
                StatusCode::BAD_REQUEST,
            ),
        ),
        (
            "404",
            Target::raw(
                "unknown model",
                chat_url,
                Some(&org.owner),
                serde_json::to_vec(&no_such_model).unwrap(),
                StatusCode::NOT_FOUND,
            ),
        ),
        ("200", gateway.clone()),
    ];
    println!(
        "stages, open loop at 1000 requests/s, {} s warm-up + {} s measured each: 401 no token \
         (HTTP and the front door), 400 bad JSON (+ token lookup, body parse), 404 unknown \
         model (+ versions, offers, candidates), 200 (+ the key's secret, upstream call, \
         translation, usage)",
        WARMUP.as_secs(),
        STAGE_MEASURE.as_secs()
    );
    let a = open_loop(&http, &direct, STAGE_MEASURE, Component::None).await;
    print_open(1, "direct", &a, "");
    let mut previous = ("direct", ms(percentile(&a.latency, 0.50)), 0.0);
    let mut steps = Vec::new();
    for (label, target) in &stages {
        assert!(target.send(&http).await, "{}", target.name);
        let run = open_loop(&http, target, STAGE_MEASURE, Component::Server(pid)).await;
        print_open(1, label, &run, "server");
        let now = (
            *label,
            ms(percentile(&run.latency, 0.50)),
            run.cpu.0 * 1e3 / run.sent as f64,
        );
        if previous.0 != "direct" {
            steps.push(format!(
                "{}-{}: p50 {:+.3} ms, server CPU {:+.3} ms",
                now.0,
                previous.0,
                now.1 - previous.1,
                now.2 - previous.2
            ));
        }
        previous = now;
    }
    println!("  stage differences: {}", steps.join("; "));
    let after_rate_rss = status_mb(pid, "VmRSS:");

    println!(
        "closed loop, {WORKERS} workers, {} s warm-up + {} s measured:",
        WARMUP.as_secs(),
        MEASURE.as_secs()
    );
    let ceiling = closed_loop(&http, &direct, MEASURE, Component::None).await;
    print_closed(0, "direct", &ceiling, "");
    let mut peak_rss: f64 = 0.0;
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let bare = closed_loop(&http, &proxied, MEASURE, Component::Proxy).await;
        print_closed(round, "proxy", &bare, "proxy");
        let sampler = RssSampler::start(pid);
        let through = closed_loop(&http, &gateway, MEASURE, Component::Server(pid)).await;
        peak_rss = peak_rss.max(sampler.stop().await);
        print_closed(round, "gateway", &through, "server");
        let ratio = through.per_second / bare.per_second;
        println!(
            "  round {round} gateway / bare proxy = {:.0}% (target >= 60%: {})",
            ratio * 100.0,
            if ratio >= 0.6 { "met" } else { "missed" }
        );
        ratios.push(ratio);
    }
    let after_rss = status_mb(pid, "VmRSS:");
    let hwm = status_mb(pid, "VmHWM:");
    println!(
        "server memory: VmRSS idle {idle_rss:.1} MB, after the rate runs {after_rate_rss:.1} MB, \
         max during saturation {peak_rss:.1} MB, after {after_rss:.1} MB; VmHWM {hwm:.1} MB (target <= 100 MB: {})",
        if hwm <= 100.0 { "met" } else { "missed" }
    );
    let range = |values: Vec<f64>| {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        (min, values.iter().copied().fold(min, f64::max))
    };
    let (p50s, p99s) = (
        range(added.iter().map(|a| a.0).collect()),
        range(added.iter().map(|a| a.1).collect()),
    );
    let shares = range(ratios.iter().map(|r| r * 100.0).collect());
    println!(
        "summary: added p50 {:.3}..{:.3} ms, added p99 {:.3}..{:.3} ms, gateway/proxy {:.0}..{:.0}%, VmHWM {hwm:.1} MB",
        p50s.0, p50s.1, p99s.0, p99s.1, shares.0, shares.1,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick run: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("gateway_http: run with `cargo bench` to measure");
        return;
    }
    // The bare proxy gets its own threads, as the server has its own process.
    let proxy_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(PROXY_THREADS)
        .enable_all()
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("bench")
        .enable_all()
        .build()
        .unwrap();
    let proxy_handle = proxy_runtime.handle().clone();
    runtime.block_on(bench(&proxy_handle));
    drop(runtime);
    drop(proxy_runtime);
}
