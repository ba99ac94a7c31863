//! Artifacts of sessions that ran a process: a `.tar.gz` of a file or folder
//! of the session's working directory, which plays the container's `/`.
//!
//! The archive is written to an anonymous temporary file by a blocking task
//! and then streamed, so a large artifact is never held in memory.

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
}
