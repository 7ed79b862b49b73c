//! `prescreen`: compile risk packages into filter components and screen uploads
//! through them.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use prescreen_core::{Compiler, Image, ImageData, TextField, Upload, Video};
use prescreen_host::{
    HttpRuntime, Runtime, WasiHttp, compile, diff, eval, feedback, hash, lint, serve, synth,
};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Upload JSON files larger than this are refused before parsing: the component's
/// own limits are far smaller, and base64 images are the only large part.
const MAX_UPLOAD_FILE_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Parser)]
#[command(
    name = "prescreen",
    version,
    about = "Compile risk packages into WebAssembly filters and screen ad uploads"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a package directory and compile it into a pre-initialized component.
    ///
    /// By default the component is the WIT filter (`wit/filter.wit`) that a gateway
    /// calls; with `--http` it is a wasi:http service that Spin or `wasmtime serve`
    /// runs directly (README, "Spin and wasi:http").
    Build {
        /// Package directory (holds package.toml).
        package: PathBuf,
        /// Output component file.
        #[arg(short, long)]
        output: PathBuf,
        /// Build time as Unix seconds (default: $SOURCE_DATE_EPOCH, else now). Fix it
        /// for reproducible builds: same inputs and time give the same bytes.
        #[arg(long)]
        built_at: Option<i64>,
        /// Build the HTTP component (`POST /v1/screen`, `GET /v1/info`, `GET /healthz`)
        /// instead of the WIT filter; same package, same digest. `p3` (the default):
        /// `wasi:http/handler@0.3.0`; `p2`: `wasi:http/incoming-handler@0.2`, for
        /// hosts without WASI 0.3 (e.g. Spin 3.x).
        #[arg(long, value_name = "WASI", num_args = 0..=1, require_equals = true, default_missing_value = "p3", value_parser = ["p3", "p2"])]
        http: Option<String>,
    },
    /// Validate a package directory without building; lists every problem found.
    Check { package: PathBuf },
    /// Find what is valid but probably wrong in a package: duplicates, conflicts and
    /// shadowing after normalization, materials that never match, terms that hit clean
    /// text, stale rows. Exit 0: nothing fails; 1: errors (or warnings with `--deny
    /// warnings`); 2: the package or corpus cannot be read.
    Lint(lint::LintArgs),
    /// Screen an upload through a component and print the verdict as JSON.
    ///
    /// Either `--upload` (a JSON upload), or an upload made of `--text`, `--image`
    /// and `--video` given on the command line.
    Screen {
        component: PathBuf,
        /// Upload JSON file (`-` for stdin).
        #[arg(long, conflicts_with_all = ["text", "image", "video"], required_unless_present_any = ["text", "image", "video"])]
        upload: Option<PathBuf>,
        /// Screen this text as the `body` field.
        #[arg(long)]
        text: Option<String>,
        /// Screen this image file (sent to the component as its encoded bytes). Repeatable.
        #[arg(long)]
        image: Vec<PathBuf>,
        /// Screen this video: a vPDQ frame-hash file, or a video file hashed first
        /// like `prescreen hash` does (needs ffmpeg). Repeatable.
        #[arg(long)]
        video: Vec<PathBuf>,
        /// Market of the command-line upload.
        #[arg(long, default_value = "US")]
        market: String,
    },
    /// Print PDQ hashes of images (`hash,quality,path`, the reference tools' form)
    /// or vPDQ frame hashes of videos (`frame,quality,hash,timestamp`, needs ffmpeg).
    Hash {
        /// Image (JPEG, PNG, WebP, GIF) or video files; videos are told by extension.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Video frames hashed per second.
        #[arg(long, default_value_t = 1.0)]
        fps: f64,
        /// For images: print the hashes of the eight rotations and flips of each file
        /// (`hash,quality,path,transform`, rotations clockwise).
        #[arg(long)]
        dihedral: bool,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print what a component holds (package name, version, digest, counts, limits):
    /// a filter, or an HTTP component from `build --http` (asked `GET /v1/info`).
    Info {
        component: PathBuf,
        /// Print every material instead (id, revision, kind, category, action, mode,
        /// markets, detection-only), one JSON object per line. Filter components only.
        #[arg(long)]
        materials: bool,
    },
    /// Compile a component to native code for this machine (`.cwasm`). Loading it
    /// skips compilation and backs the memory image by the file: a fresh instance
    /// per request is ~2.6x faster (benches/README.md). `screen` and `info` take it
    /// like a `.wasm`; only use `.cwasm` files you made, like any native binary.
    Precompile {
        component: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        /// For `prescreen serve` instead: its engine bounds each request's CPU time
        /// (epoch interruption), which compiled code must be built for; such a file
        /// is for `serve` and its deploys only.
        #[arg(long)]
        serve: bool,
    },
    /// Serve a component over HTTP: `POST /v1/screen`, `GET /healthz`, `GET /metrics`,
    /// and admin routes (deploy, canary, shadow, promote, rollback) on a separate
    /// listener. See host/SERVE.md.
    Serve {
        /// The component to start with: a `.wasm` from `prescreen build` (compiled and
        /// mapped natively at load).
        component: PathBuf,
        /// Public address (screening, health, metrics).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Admin address; must be loopback unless an admin token is set.
        #[arg(long, default_value = "127.0.0.1:8081")]
        admin: std::net::SocketAddr,
        /// Bearer token the admin routes require.
        #[arg(long, env = "PRESCREEN_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Ed25519 public key (64 hex digits, base64, or a file holding either or the
        /// 32 raw bytes): deploys must then be signed.
        #[arg(long)]
        public_key: Option<String>,
        /// Action to tell the gateway to apply when there is no verdict.
        #[arg(long, default_value = "review", value_parser = ["pass", "review", "block"])]
        fallback: String,
        /// Wall-clock limit per request, in milliseconds (1 ms resolution).
        #[arg(long, default_value_t = serve::limits::DEFAULT_TIMEOUT.as_millis() as u64)]
        timeout_ms: u64,
        /// Linear-memory limit per instance, in MiB (the package's memory image included).
        #[arg(long, default_value_t = 512)]
        max_memory_mib: usize,
        /// Largest request body, in bytes (default 24 MiB: a 16 MiB image in base64).
        #[arg(long, default_value_t = serve::limits::DEFAULT_MAX_BODY_BYTES)]
        max_body_bytes: usize,
        /// Screening threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Requests that may wait for a worker; beyond it new requests get HTTP 503.
        #[arg(long, default_value_t = 1024)]
        queue: usize,
        /// MiB of each instance's memory kept mapped between requests, reset with the
        /// kernel's PAGEMAP_SCAN (Linux 6.7+, else 0): fewer page faults per request.
        #[arg(long, default_value_t = serve::DEFAULT_KEEP_RESIDENT_BYTES >> 20)]
        keep_resident_mib: usize,
        /// Wasm call-stack bound per request, in KiB: a guest recursing past it traps
        /// and the request gets the fallback.
        #[arg(long, default_value_t = prescreen_host::DEFAULT_MAX_WASM_STACK >> 10)]
        max_stack_kib: usize,
        /// Async threads that move bytes (parse HTTP, write answers); default: one per
        /// two cores.
        #[arg(long)]
        io_threads: Option<usize>,
        /// Record every answer (upload id, outcome, action, hits, version, latency) in
        /// this SQLite database, written off the request path and flushed on shutdown.
        #[arg(long)]
        decision_log: Option<PathBuf>,
        /// Requests one component instance may screen before it is replaced. 1 (the
        /// default): a fresh instance per request, as Spin does. More: each worker
        /// keeps a warm instance per version, retired after N requests, any fault, or
        /// 64 MiB of growth; several times faster for large packages, at the cost of
        /// uploads no longer starting from a pristine instance (host/SERVE.md).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        reuse_instances: u32,
    },
    /// Reviewer feedback: record human review outcomes next to the decision log.
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
    },
    /// Per-material precision over time and per revision, from reviewer feedback;
    /// flags materials whose overkill or hit rate jumped (candidates to disable).
    Report {
        /// The database holding the feedback (and the decision log).
        #[arg(long)]
        db: PathBuf,
        /// Leave out reviews before this date (YYYY-MM-DD, UTC) or RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// Time buckets precision is tallied in and flags compare.
        #[arg(long, value_enum, default_value = "week")]
        bucket: feedback::report::Bucket,
        #[arg(long, value_enum, default_value = "table")]
        format: feedback::cli::Format,
    },
    /// Measure a component against a labeled corpus: precision, recall, leakage and
    /// overkill overall, per category, market and material (README: "Evaluating a package").
    Eval(eval::Args),
    /// Compare two builds: materials added, removed and changed; with a corpus, changed
    /// verdicts and leakage/overkill, failing (exit 3) past the allowed increase.
    Diff(diff::Args),
    /// Write a synthetic package directory for benchmarks.
    Synth {
        /// Number of distinct terms.
        #[arg(long)]
        terms: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum FeedbackCommand {
    /// Import review outcomes (JSON Lines, or CSV by extension) into a database,
    /// created if absent; all or nothing, every bad line named.
    Import {
        /// Feedback file: JSON Lines, or CSV when its name ends in `.csv` (README).
        file: PathBuf,
        /// The database (the gateway's decision log, or a file of its own).
        #[arg(long)]
        db: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build { package, output, built_at, http } => {
            build(&package, &output, built_at, http)
        }
        Command::Check { package } => {
            let p = Compiler::new().compile_dir(&package)?;
            println!(
                "{}: ok, {} materials ({} disabled)",
                package.display(),
                p.materials.len(),
                p.disabled
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Lint(args) => Ok(lint::run(&args)),
        Command::Screen { component, upload, text, image, video, market } => {
            let upload = match upload {
                Some(path) => read_upload(&path)?,
                None => command_line_upload(&market, text, &image, &video)?,
            };
            let filter = Runtime::new()?.load_file(&component)?;
            match filter.screen(&upload)? {
                Ok(verdict) => {
                    println!("{}", serde_json::to_string_pretty(&verdict)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("{}", serde_json::to_string_pretty(&e)?);
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Info { component, materials: true } => {
            let filter = Runtime::new()?.load_file(&component)?;
            let mut out = std::io::stdout().lock();
            for m in filter.materials()? {
                serde_json::to_writer(&mut out, &m)?;
                writeln!(out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Info { component, materials: false } => {
            println!("{}", serde_json::to_string_pretty(&info(&component)?)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Precompile { component, output, serve } => {
            let bytes = std::fs::read(&component)
                .with_context(|| format!("cannot read {}", component.display()))?;
            let runtime = if serve { Runtime::interruptible(0)? } else { Runtime::new()? };
            runtime
                .load(&bytes)
                .with_context(|| format!("{} is not a filter component", component.display()))?;
            std::fs::write(&output, runtime.precompile(&bytes)?)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!("precompiled {} -> {}", component.display(), output.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Hash { files, fps, dihedral, output } => {
            let mut out = String::new();
            for path in &files {
                if hash::is_video(path) {
                    out.push_str(&prescreen_core::format_vpdq(&hash::video(path, fps)?));
                } else if dihedral {
                    // What was done to the file to give each variant (clockwise rotations).
                    let names = [
                        "none",
                        "rotate270",
                        "rotate180",
                        "rotate90",
                        "flip_vertical",
                        "flip_horizontal",
                        "transpose",
                        "transverse",
                    ];
                    for (p, name) in hash::image_dihedral(path)?.iter().zip(names) {
                        out.push_str(&format!(
                            "{},{},{},{name}\n",
                            prescreen_core::Pdq::to_hex(&p.hash),
                            p.quality,
                            path.display()
                        ));
                    }
                } else {
                    let p = hash::image(path)?;
                    out.push_str(&format!(
                        "{},{},{}\n",
                        prescreen_core::Pdq::to_hex(&p.hash),
                        p.quality,
                        path.display()
                    ));
                }
            }
            match output {
                Some(o) => std::fs::write(&o, out)
                    .with_context(|| format!("cannot write {}", o.display()))?,
                None => print!("{out}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            component,
            listen,
            admin,
            admin_token,
            public_key,
            fallback,
            timeout_ms,
            max_memory_mib,
            max_body_bytes,
            workers,
            queue,
            keep_resident_mib,
            max_stack_kib,
            io_threads,
            decision_log,
            reuse_instances,
        } => {
            let mut config = serve::ServeConfig::new(component);
            config.reuse_instances = reuse_instances;
            config.decision_log = decision_log;
            config.listen = listen;
            config.admin = admin;
            config.admin_token = admin_token.filter(|t| !t.is_empty());
            config.public_key =
                public_key.as_deref().map(serve::signing::parse_public_key).transpose()?;
            config.limits = serve::limits::RequestLimits {
                timeout: std::time::Duration::from_millis(timeout_ms),
                max_memory_bytes: max_memory_mib
                    .checked_mul(1024 * 1024)
                    .context("--max-memory-mib is too large")?,
                max_body_bytes,
                fallback: serve::limits::parse_action(&fallback)?,
            };
            if let Some(w) = workers {
                config.workers = w.max(1);
            }
            config.queue = queue.max(1);
            if let Some(n) = io_threads {
                config.io_threads = n.max(1);
            }
            config.max_wasm_stack_bytes =
                max_stack_kib.checked_mul(1 << 10).context("--max-stack-kib is too large")?;
            config.keep_resident_bytes = keep_resident_mib
                .checked_mul(1 << 20)
                .context("--keep-resident-mib is too large")?;
            serve::run(config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Feedback { command: FeedbackCommand::Import { file, db } } => {
            feedback::cli::import(&file, &db)
        }
        Command::Report { db, since, bucket, format } => {
            feedback::cli::report(&db, since.as_deref(), bucket, format)
        }
        Command::Eval(args) => eval::command(args),
        Command::Diff(args) => diff::command(args),
        Command::Synth { terms, seed, output } => {
            let (manifest, table) = synth::package(terms, seed);
            std::fs::create_dir_all(&output)?;
            std::fs::write(output.join("package.toml"), manifest)?;
            std::fs::write(output.join("materials.tsv"), table)?;
            println!("wrote {} ({terms} terms)", output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn build(
    dir: &Path,
    output: &Path,
    built_at: Option<i64>,
    http: Option<String>,
) -> Result<ExitCode> {
    let http = http.map(|wasi| if wasi == "p2" { WasiHttp::P2 } else { WasiHttp::P3 });
    let built_at = match built_at {
        Some(t) => Some(t),
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(s) => Some(s.trim().parse().context("SOURCE_DATE_EPOCH is not an integer")?),
            Err(_) => None,
        },
    };
    let mut compiler = Compiler::new();
    if let Some(t) = built_at {
        compiler = compiler.built_at(t)?;
    }
    let package = compiler.compile_dir(dir)?;
    let built = match http {
        Some(wasi) => compile::compile_http(&HttpRuntime::new()?, &package, wasi)?,
        None => compile::compile(&Runtime::new()?, &package)?,
    };
    std::fs::write(output, &built.component)
        .with_context(|| format!("cannot write {}", output.display()))?;
    let i = &built.info;
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    println!("built {} -> {}", dir.display(), output.display());
    println!(
        "  package    {} {} ({} text, {} image, {} video materials; {} disabled)",
        i.name,
        i.version,
        i.text_materials,
        i.image_materials,
        i.video_materials,
        i.disabled_materials
    );
    println!("  built at   {}", i.built_at);
    println!("  digest     sha256:{}", i.digest);
    println!("  compiled   {:.2} MiB package", mib(built.package_bytes));
    println!("  matcher    {:.2} MiB in memory", mib(built.matcher_bytes));
    println!(
        "  component  {:.2} MiB, sha256:{}",
        mib(built.component.len()),
        built.component_digest
    );
    if let Some(wasi) = http {
        println!("  serves     {}: POST /v1/screen, GET /v1/info, GET /healthz", wasi.export());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a filter or an HTTP component holds. The filter is tried first; an HTTP
/// component fails to link as one, and is then asked `GET /v1/info`.
fn info(path: &Path) -> Result<prescreen_core::PackageInfo> {
    let filter_error = match Runtime::new()?.load_file(path) {
        Ok(filter) => return Ok(filter.info().expect("load reads info").clone()),
        Err(e) => e,
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match HttpRuntime::new()?.load(&bytes) {
        Ok(service) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(service.info()),
        // Neither: the filter's reason is the one to show (the common case).
        Err(_) => Err(filter_error),
    }
}

fn read_upload(path: &Path) -> Result<Upload> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().take(MAX_UPLOAD_FILE_BYTES + 1).read_to_string(&mut s)?;
        s
    } else {
        let len = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        if len > MAX_UPLOAD_FILE_BYTES {
            bail!(
                "{}: {len} bytes is over the {MAX_UPLOAD_FILE_BYTES}-byte upload file limit",
                path.display()
            );
        }
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    if text.len() as u64 > MAX_UPLOAD_FILE_BYTES {
        bail!("{}: over the {MAX_UPLOAD_FILE_BYTES}-byte upload file limit", path.display());
    }
    serde_json::from_str(&text).with_context(|| format!("{}: invalid upload JSON", path.display()))
}

/// An upload from `screen`'s command-line parts: images as encoded bytes, videos as
/// vPDQ files (or video files hashed here).
fn command_line_upload(
    market: &str,
    text: Option<String>,
    images: &[PathBuf],
    videos: &[PathBuf],
) -> Result<Upload> {
    let name = |p: &Path| {
        p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
    };
    let mut upload = Upload::text("cli", market, "");
    upload.fields = text.into_iter().map(|text| TextField { name: "body".into(), text }).collect();
    for path in images {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        upload.images.push(Image { name: name(path), data: ImageData::Encoded(bytes) });
    }
    for path in videos {
        let frames = if hash::is_video(path) {
            hash::video(path, 1.0)?
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {} as a vPDQ file", path.display()))?;
            prescreen_core::parse_vpdq(&path.display().to_string(), &text)?
        };
        upload.videos.push(Video { name: name(path), frames });
    }
    Ok(upload)
}
