//! Shell completions and the man pages, generated from the clap definitions, and `--version`.

use crate::{fails, ipplan, ok};

const SUBCOMMANDS: &[&str] = &[
    "check",
    "compare",
    "terraform",
    "max-pods",
    "instances",
    "simulate",
    "map",
    "schema",
    "completions",
    "man",
];

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = ok(&["completions", shell]);
        assert!(!script.is_empty(), "{shell}: empty");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no '{sub}'");
        }
        // flags too, the global ones and the `--output` alias included (fish writes `-l quiet`)
        for flag in ["format", "output", "quiet", "instance-data"] {
            assert!(script.contains(flag), "{shell}: no '{flag}'");
        }
    }
    // an unknown shell is a usage error
    ipplan().args(["completions", "tcsh"]).assert().code(2);
}

/// The first request of a roff page after clap_mangen's two-line `Aq` string definition (`.ie`/`.el`, which
/// the page's apostrophes use).
fn first_request(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or_default()
}

#[test]
fn man_page_is_roff_naming_the_subcommands() {
    let page = ok(&["man"]);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page:.80}");
    assert!(
        first_request(&page).starts_with(".TH ipplan 1 "),
        "{page:.200}"
    );
    let text = page.replace("\\-", "-");
    assert!(text.contains(".SH SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        assert!(text.contains(&format!("ipplan-{sub}(1)")), "no '{sub}'");
    }
    // the pages it refers to
    for sub in SUBCOMMANDS {
        let sub_page = ok(&["man", sub]);
        assert!(
            first_request(&sub_page).starts_with(&format!(".TH ipplan-{sub} 1 ")),
            "{sub_page:.200}"
        );
        assert!(
            sub_page
                .replace("\\-", "-")
                .contains(&format!("ipplan {sub}")),
            "{sub}"
        );
    }
    let e = fails(&["man", "chekc"]);
    assert!(
        e.contains("'chekc' is not an ipplan command; use one of check,"),
        "{e}"
    );
}

#[test]
fn version_names_the_instance_data_in_every_subcommand() {
    // `ipplan --version` itself: max_pods::version_names_crate_and_data_versions
    let v = ok(&["--version"]);
    assert!(v.contains(ipplan_core::DATA_VERSION), "{v}");
    for sub in ["check", "simulate", "schema"] {
        assert_eq!(
            ok(&[sub, "--version"]),
            v.replacen("ipplan", &format!("ipplan-{sub}"), 1)
        );
    }
}
