//! Writes `subnets.json` and `enis.json` (200 subnets, 50,000 ENIs; or `SUBNETS ENIS` from the arguments) into
//! the directory given, for timing `ipplan import --aws-subnets --aws-enis` and `ipplan check` as whole processes.

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".to_string()));
    let subnets = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let enis = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let (s, e) = ipplan_benches::aws_vpc(subnets, enis);
    std::fs::write(dir.join("subnets.json"), s)?;
    std::fs::write(dir.join("enis.json"), e)?;
    Ok(())
}
