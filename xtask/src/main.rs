//! `xtask site <pkg-dir> <name>`: gives the browser bundle in `<pkg-dir>` (`<name>.js`, `<name>.wasm`,
//! `<name>.css`, as the Makefile leaves them) content-hashed names, `<name>.<hash>.<ext>`, with a
//! brotli and a gzip copy of each beside it, and writes the hash to `<pkg-dir>/hash.txt`. The server
//! reads that file at start, links the hashed names, and serves them (precompressed) as immutable.
//! Files of earlier hashes are removed. The hash covers the three files together, so that a page
//! never pairs a stylesheet of one build with the code of another.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// The bundle's files, by extension, in the order they are hashed.
const EXTENSIONS: [&str; 3] = ["js", "wasm", "css"];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, pkg, name] if cmd == "site" => site(Path::new(pkg), name),
        _ => bail!("usage: xtask site <pkg-dir> <name>"),
    }
}

fn site(pkg: &Path, name: &str) -> anyhow::Result<()> {
    let mut files = Vec::new();
    let mut hasher = Sha256::new();
    for ext in EXTENSIONS {
        let path = pkg.join(format!("{name}.{ext}"));
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        hasher.update(&bytes);
        files.push((ext, bytes));
    }
    let hash: String = hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    remove_stale(pkg, name, &hash)?;
    for (ext, bytes) in &files {
        let hashed = pkg.join(format!("{name}.{hash}.{ext}"));
        fs::write(&hashed, bytes)?;
        write_compressed(&hashed, bytes)?;
        let br = fs::metadata(with_suffix(&hashed, "br"))?.len();
        println!("{}: {} bytes, {} brotli", hashed.display(), bytes.len(), br);
    }
    fs::write(pkg.join("hash.txt"), format!("{hash}\n"))?;
    Ok(())
}

/// `<name>.<other hash>.<ext>[.br|.gz]` of earlier builds.
fn remove_stale(pkg: &Path, name: &str, hash: &str) -> anyhow::Result<()> {
    let prefix = format!("{name}.");
    for entry in fs::read_dir(pkg)? {
        let file = entry?.file_name();
        let Some(file) = file.to_str() else { continue };
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let mut parts = rest.split('.');
        let (Some(h), Some(ext)) = (parts.next(), parts.next()) else {
            continue;
        };
        let is_hash = h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hash && h != hash && EXTENSIONS.contains(&ext) {
            fs::remove_file(pkg.join(file))?;
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// `<path>.br` (brotli, best) and `<path>.gz` (gzip, best), as `ServeDir` looks for them.
fn write_compressed(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut br = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        let mut input = bytes;
        brotli::BrotliCompress(&mut input, &mut br, &params)?;
    }
    fs::write(with_suffix(path, "br"), br)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    fs::write(with_suffix(path, "gz"), gz.finish()?)?;
    Ok(())
}
