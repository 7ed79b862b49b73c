//! `prescreen-validate-cwasm <file.cwasm>`: the gateway's `.cwasm` validator as a
//! program of its own, for embedders without the `prescreen` CLI (which runs the same
//! code as its hidden `validate-cwasm` subcommand) and for the gateway's tests.

use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args_os().nth(1) {
        Some(path) => prescreen_gateway::validate_main(path.as_ref()),
        None => {
            eprintln!("usage: prescreen-validate-cwasm <file.cwasm>");
            ExitCode::from(2)
        }
    }
}
