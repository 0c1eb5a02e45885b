//! The file flags of `simulate` and `map` (`--timeline`, `--plot`, `--out`): `-` is stdout, a picture is an
//! `.svg`, and an output never overwrites an input (the plan file, `--instance-data`). Each check fails before the
//! run with one line naming the flag and the fix.

use std::path::Path;

use anyhow::bail;

use crate::args::Context;

/// Whether `path` is `-`: stdout.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuse `path` for `flag` when it is an input of this run: the plan or the `--instance-data` file.
pub fn not_an_input(
    ctx: &Context,
    flag: &str,
    path: &Path,
    plan: &Path,
    example: &str,
) -> anyhow::Result<()> {
    if is_stdout(path) {
        return Ok(());
    }
    let inputs = [
        (Some(plan), "the plan file"),
        (
            ctx.instance_data_path.as_deref(),
            "the --instance-data file",
        ),
    ];
    for (input, what) in inputs {
        if input.is_some_and(|i| same_file(path, i)) {
            bail!(
                "{flag} '{}' is {what}, which would be overwritten; write to another file, e.g. {flag} {example}",
                path.display()
            );
        }
    }
    Ok(())
}

/// Refuse a picture file that does not end in `.svg` (ipplan draws SVG only); `-` is fine.
pub fn svg_only(flag: &str, path: &Path, example: &str) -> anyhow::Result<()> {
    let svg = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if svg || is_stdout(path) {
        return Ok(());
    }
    bail!(
        "{flag} '{}' does not end in .svg: ipplan draws SVG only; name it e.g. {flag} {example}, or {flag} - for stdout",
        path.display()
    )
}

/// Whether two paths name one existing file (through symlinks, `..`, or a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false; // an output that does not exist yet is no input
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{is_stdout, same_file, svg_only};

    #[test]
    fn stdout_and_svg_names() {
        assert!(is_stdout(Path::new("-")));
        assert!(!is_stdout(Path::new("./-")));
        for ok in ["a.svg", "dir/A.SVG", "-"] {
            assert!(
                svg_only("--plot", Path::new(ok), "plot.svg").is_ok(),
                "{ok}"
            );
        }
        for bad in ["a.png", "a", "a.svg.txt", ".svg"] {
            let e = svg_only("--plot", Path::new(bad), "plot.svg")
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("--plot '{bad}' does not end in .svg")),
                "{e}"
            );
        }
    }

    #[test]
    fn same_file_sees_through_dots() {
        let dir = std::env::temp_dir().join(format!("ipplan-outfile-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let f = dir.join("plan.yaml");
        std::fs::write(&f, "x").unwrap();
        assert!(same_file(&f, &dir.join("sub").join("..").join("plan.yaml")));
        assert!(!same_file(&f, &dir.join("other.yaml")));
        assert!(!same_file(&f, &dir.join("sub")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
