//! `prescreen build`: validate a package, compile it, bake it into a component.

use anyhow::{Context, Result};
use prescreen_core::Compiler;
use prescreen_runtime::{Runtime, compile};
use std::path::PathBuf;
use std::process::ExitCode;

/// Validate a package directory and compile it into a pre-initialized component.
///
/// By default the component is the WIT filter (`crates/wit/wit/filter.wit`) that a
/// gateway calls; with `--http` it is a wasi:http service that Spin or `wasmtime
/// serve` runs directly (README, "Spin and wasi:http").
#[derive(clap::Args)]
pub struct BuildCommand {
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
    #[arg(long, value_name = "WASI", num_args = 0..=1, require_equals = true, default_missing_value = "p3")]
    http: Option<Http>,
}

/// Which wasi:http world `--http` builds for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Http {
    /// `wasi:http/handler@0.3.0` (WASI 0.3).
    P3,
    /// `wasi:http/incoming-handler@0.2` (WASI 0.2).
    P2,
}

impl BuildCommand {
    pub fn execute(self) -> Result<ExitCode> {
        // Refused before any work when this build has no HTTP components.
        let http = self.http.map(wasi_http::world).transpose()?;
        let built_at = match self.built_at {
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
        // The filter guest compiles while the package is read: neither needs the other.
        let target = match http {
            Some(wasi) => Target::Http(wasi),
            None => {
                let runtime = Runtime::new()?;
                let guest = compile::PreparedGuest::start(&runtime);
                Target::Filter(Box::new((runtime, guest)))
            }
        };
        let package = compiler.compile_dir(&self.package)?;
        let built = match target {
            Target::Http(wasi) => wasi_http::compile(&package, wasi)?,
            Target::Filter(filter) => {
                let (runtime, guest) = *filter;
                compile::compile_prepared(&runtime, &package, guest)?
            }
        };
        let output = &self.output;
        std::fs::write(output, &built.component)
            .with_context(|| format!("cannot write {}", output.display()))?;
        let i = &built.info;
        let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
        println!("built {} -> {}", self.package.display(), output.display());
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
            let export = wasi_http::export(wasi);
            println!("  serves     {export}: POST /v1/screen, GET /v1/info, GET /healthz");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What `build` makes: the WIT filter (its guest already compiling) or an HTTP
/// component of the wasi:http world `W`.
enum Target<W> {
    Filter(Box<(Runtime, compile::PreparedGuest)>),
    Http(W),
}

/// `--http` with the `http` feature: the wasi:http components.
#[cfg(feature = "http")]
mod wasi_http {
    use super::Http;
    use anyhow::Result;
    use prescreen_core::Package;
    use prescreen_runtime::compile::{self, Built};
    use prescreen_runtime::{HttpRuntime, WasiHttp};

    pub(super) fn world(http: Http) -> Result<WasiHttp> {
        Ok(match http {
            Http::P3 => WasiHttp::P3,
            Http::P2 => WasiHttp::P2,
        })
    }

    pub(super) fn compile(package: &Package, wasi: WasiHttp) -> Result<Built> {
        compile::compile_http(&HttpRuntime::new()?, package, wasi)
    }

    pub(super) fn export(wasi: WasiHttp) -> &'static str {
        wasi.export()
    }
}

/// `--http` without the `http` feature: refused, saying what to build.
#[cfg(not(feature = "http"))]
mod wasi_http {
    use super::Http;
    use anyhow::Result;
    use prescreen_core::Package;
    use prescreen_runtime::compile::Built;
    use std::convert::Infallible;

    pub(super) fn world(_: Http) -> Result<Infallible> {
        Err(super::super::not_built("http", "`prescreen build --http`"))
    }

    pub(super) fn compile(_: &Package, wasi: Infallible) -> Result<Built> {
        match wasi {}
    }

    pub(super) fn export(wasi: Infallible) -> &'static str {
        match wasi {}
    }
}
