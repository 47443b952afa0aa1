use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = oneprotect::cli::Cli::parse();
    match oneprotect::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
