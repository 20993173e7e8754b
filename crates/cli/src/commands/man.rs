//! `otc-jobs man [COMMAND]`: prints a manual page (roff), made from the same clap
//! definitions as `--help`: the tool's page, or one command's (`otc-jobs-clean`), as git
//! has `git-commit`.

use std::io::Write;

use clap::CommandFactory;

use crate::args::Cli;
use crate::exit::CliError;

/// Prints the page of `command` (the tool's without one) to stdout.
pub(crate) fn run(command: Option<&str>) -> Result<u8, CliError> {
    let roff = page(command)?;
    // A failed write (a closed pipe) leaves nothing to report.
    let _ = std::io::stdout().write_all(&roff);
    Ok(crate::exit::OK)
}

/// The page of `command`, or of the tool.
pub(crate) fn page(command: Option<&str>) -> Result<Vec<u8>, CliError> {
    let mut tool = Cli::command();
    // Subcommands see the global flags only once the command is built.
    tool.build();
    let page = match command {
        None => tool,
        Some(name) => {
            let names: Vec<String> = tool
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            let sub = tool.find_subcommand(name).cloned().ok_or_else(|| {
                CliError::usage(
                    format!("no command {name:?}"),
                    format!("the commands are {}", names.join(", ")),
                )
            })?;
            sub.display_name(format!("otc-jobs-{name}"))
                .bin_name(format!("otc-jobs {name}"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| CliError::failed(format!("cannot render the manual page: {e}"), ""))?;
    Ok(roff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tool_page_lists_the_commands_and_each_command_has_its_own() {
        let text = String::from_utf8(page(None).unwrap()).unwrap();
        assert!(text.contains(".TH otc-jobs 1"), "{text}");
        for command in ["list", "delete", "wait", "clean", "completions", "man"] {
            assert!(
                text.contains(&format!("otc\\-jobs\\-{command}(1)")),
                "{command}: {text}"
            );
        }
        let clean = String::from_utf8(page(Some("clean")).unwrap()).unwrap();
        assert!(clean.contains(".TH otc-jobs-clean 1"), "{clean}");
        // Its own flags and the global ones.
        for flag in [
            "\\-\\-max\\-wait",
            "\\-\\-journal",
            "\\-\\-endpoint",
            "\\-\\-older\\-than",
        ] {
            assert!(clean.contains(flag), "{flag}: {clean}");
        }
        let err = page(Some("nuke")).unwrap_err();
        assert_eq!(err.code, crate::exit::USAGE);
        assert!(err.hint.unwrap().contains("clean"));
    }
}
