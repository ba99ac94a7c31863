//! The `.tar.gz` archives that `GET /artifacts` serves.
//!
//! For a session that ran a process: a file or folder of the session's
//! working directory, which plays the container's `/`. The archive is written
//! to an anonymous temporary file by a blocking task and then streamed, so a
//! large artifact is never held in memory.
//!
//! For other sessions: one small generated file ([`tar_one_file`],
//! [`gzip_stored`]).

use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

/// Why no archive could be made.
#[derive(Debug)]
pub(crate) enum ArchiveError {
    /// The path leaves the session's directory (`..` past the root, or a
    /// symbolic link pointing outside).
    Escapes,
    /// Nothing exists at the path.
    NotFound,
    /// Reading the files or writing the archive failed.
    Io(io::Error),
}

impl From<io::Error> for ArchiveError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::NotFound {
            ArchiveError::NotFound
        } else {
            ArchiveError::Io(e)
        }
    }
}

/// The request path (`/`, `/crash.log`, `logs/`) as a path relative to the
/// session's root, with `.` and `..` resolved lexically; `None` if `..`
/// climbs above the root.
pub(crate) fn relative_path(path: &str) -> Option<PathBuf> {
    let mut rel = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(part) => rel.push(part),
            Component::ParentDir => {
                if !rel.pop() {
                    return None;
                }
            }
            Component::Prefix(_) => return None,
        }
    }
    Some(rel)
}

/// Writes a gzip-compressed tar of `root/rel` to an anonymous temporary
/// file and returns it rewound, with its length. For the root itself the
/// archive holds its contents (`crash.log`, `logs/a.txt`); for anything
/// else, the file or folder under its own name (`crash.log`, `logs/`).
/// Symbolic links are stored as links, never followed; sockets, pipes and
/// devices are left out.
pub(crate) fn build(root: &Path, rel: &Path) -> Result<(File, u64), ArchiveError> {
    let canon_root = root.canonicalize()?;
    let target = root.join(rel);
    // Whatever the path goes through (a symlink to /etc, say), it must end up
    // inside the session's directory.
    let canon = target.canonicalize()?;
    if !canon.starts_with(&canon_root) {
        return Err(ArchiveError::Escapes);
    }

    let file = tempfile::tempfile()?;
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
    tar.follow_symlinks(false);
    match rel.file_name() {
        None => {
            for (path, name) in sorted_children(&canon)? {
                add(&mut tar, &path, Path::new(&name))?;
            }
        }
        Some(name) => add(&mut tar, &canon, Path::new(name))?,
    }
    let mut file = tar.into_inner()?.finish()?;
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, len))
}

fn sorted_children(dir: &Path) -> io::Result<Vec<(PathBuf, std::ffi::OsString)>> {
    let mut children: Vec<_> = fs::read_dir(dir)?
        .map(|e| e.map(|e| (e.path(), e.file_name())))
        .collect::<io::Result<_>>()?;
    children.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(children)
}

fn add<W: io::Write>(tar: &mut tar::Builder<W>, path: &Path, name: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    let ty = meta.file_type();
    if ty.is_dir() {
        tar.append_dir(name, path)?;
        for (child, child_name) in sorted_children(path)? {
            add(tar, &child, &name.join(child_name))?;
        }
        Ok(())
    } else if ty.is_file() || ty.is_symlink() {
        tar.append_path_with_name(path, name)
    } else {
        Ok(())
    }
}

/// A ustar archive with one regular file. Names longer than the 100-byte
/// field keep their tail, which holds the file name.
pub(crate) fn tar_one_file(name: &str, data: &[u8], mtime: i64) -> Vec<u8> {
    let mut h = [0u8; 512];
    let name = name.as_bytes();
    let name = &name[name.len().saturating_sub(99)..];
    h[..name.len()].copy_from_slice(name);
    let mut field = |at: usize, len: usize, value: u64| {
        let s = format!("{value:0width$o}\0", width = len - 1);
        h[at..at + len].copy_from_slice(s.as_bytes());
    };
    field(100, 8, 0o644); // mode
    field(108, 8, 0); // uid
    field(116, 8, 0); // gid
    field(124, 12, data.len() as u64); // size
    field(136, 12, mtime.max(0) as u64); // mtime
    h[156] = b'0'; // regular file
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    // The checksum is computed with its own field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());

    let mut out = Vec::with_capacity(512 + data.len() + 512 + 1024);
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.resize(out.len() + 1024, 0); // end-of-archive marker
    out
}

/// Gzip with uncompressed ("stored") deflate blocks: valid for every gunzip,
/// and it spares a compression dependency for a test fixture.
pub(crate) fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path("/"), Some(PathBuf::new()));
        assert_eq!(relative_path(""), Some(PathBuf::new()));
        assert_eq!(
            relative_path("/logs/./crash.log"),
            Some(PathBuf::from("logs/crash.log"))
        );
        assert_eq!(relative_path("a/../b"), Some(PathBuf::from("b")));
        assert_eq!(relative_path("/.."), None);
        assert_eq!(relative_path("/a/../../etc/passwd"), None);
    }

    fn entries(file: File) -> Vec<(String, Vec<u8>)> {
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        ar.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = e.path().unwrap().to_string_lossy().into_owned();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                (name, data)
            })
            .collect()
    }

    #[test]
    fn archives_files_folders_and_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("crash.log"), b"boom\n").unwrap();
        fs::create_dir(root.join("logs")).unwrap();
        fs::write(root.join("logs/a.txt"), b"a").unwrap();

        let (f, len) = build(root, Path::new("crash.log")).unwrap();
        assert!(len > 0);
        assert_eq!(entries(f), [("crash.log".to_string(), b"boom\n".to_vec())]);

        let (f, _) = build(root, Path::new("logs")).unwrap();
        let names: Vec<String> = entries(f).into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["logs", "logs/a.txt"]);

        let (f, _) = build(root, Path::new("")).unwrap();
        let names: Vec<String> = entries(f).into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["crash.log", "logs", "logs/a.txt"]);

        assert!(matches!(
            build(root, Path::new("nope")),
            Err(ArchiveError::NotFound)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_are_refused_and_links_inside_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), b"s").unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        assert!(matches!(
            build(root, Path::new("out/secret")),
            Err(ArchiveError::Escapes)
        ));
        // Archiving the root stores the link itself, not what it points to.
        let (f, _) = build(root, Path::new("")).unwrap();
        let all = entries(f);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, "out");
        assert!(all[0].1.is_empty());
    }

    #[test]
    fn crc() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archive_unpacks_with_system_tar() {
        let tgz = gzip_stored(&tar_one_file("logs/crash.log", b"hello\n", 0));
        let dir = std::env::temp_dir().join(format!("gameye-emu-tar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.tar.gz");
        std::fs::write(&file, &tgz).unwrap();
        let status = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(&dir)
            .status();
        if let Ok(status) = status {
            assert!(status.success());
            assert_eq!(
                std::fs::read(dir.join("logs/crash.log")).unwrap(),
                b"hello\n"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
