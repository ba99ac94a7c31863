//! The panic boundary: no Rust panic ever unwinds into C.
//!
//! Every exported function's body is one [`ffi_panic_boundary!`]
//! invocation, so the rule holds by construction: a panic becomes the
//! return type's [`PanicFallback`] (`GAMEYE_STATUS_PANIC` in a result or
//! status, or the documented NULL/zero value), never an abort or an unwind
//! into C. The test below fails when an exported function is not wrapped.
//! The signature stays outside the macro, where cbindgen reads it.

/// Runs an exported function's body, turning a panic into the fallback of
/// the function's return type ([`PanicFallback`]).
///
/// ```ignore
/// pub unsafe extern "C" fn gameye_x(client: *const GameyeClient) -> *mut GameyeResult {
///     ffi_panic_boundary!({
///         let client = try_arg!(arg_ref(client, "client"));
///         ...
///     })
/// }
/// ```
///
/// `return` inside the body returns from the body, so argument checks
/// (`try_arg!`) work as in a plain function.
macro_rules! ffi_panic_boundary {
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => {
                $crate::panic::PanicFallback::fallback($crate::panic::describe(&*payload))
            }
        }
    }};
}

pub(crate) use ffi_panic_boundary;

/// What an exported function returns when its body panicked: one value per
/// return type, so no export chooses its own (or forgets to).
pub(crate) trait PanicFallback {
    /// The value for a caught panic; `message` describes it.
    fn fallback(message: String) -> Self;
}

impl PanicFallback for () {
    fn fallback(_: String) {}
}

/// Counts and flags (`gameye_operation_poll`, `gameye_operation_wait`): 0.
impl PanicFallback for i32 {
    fn fallback(_: String) -> Self {
        0
    }
}

/// Counts (`gameye_queue_drain`): 0.
impl PanicFallback for usize {
    fn fallback(_: String) -> Self {
        0
    }
}

/// Static strings (`gameye_version`, `gameye_status_name`): an empty static
/// string rather than NULL, since callers print them without checking.
impl PanicFallback for *const std::ffi::c_char {
    fn fallback(_: String) -> Self {
        c"".as_ptr()
    }
}

/// The message of a panic payload, for the result's `message`.
pub(crate) fn describe(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic payload");
    format!("internal error (panic) in libgameye: {what}")
}

#[cfg(test)]
mod tests {
    use crate::result::gameye_result_free;
    use crate::status::GameyeStatus;

    /// A hidden test hook, compiled only for tests: an exported function
    /// whose body panics, to show the boundary turns it into a status.
    #[no_mangle]
    pub extern "C" fn gameye_test_hook_panic() -> *mut crate::GameyeResult {
        ffi_panic_boundary!({
            if std::hint::black_box(true) {
                panic!("deliberate panic in a test hook");
            }
            crate::result::ok()
        })
    }

    #[test]
    fn a_panic_in_an_exported_function_becomes_the_panic_status() {
        let r = gameye_test_hook_panic();
        // SAFETY: a fresh result from the boundary, freed once below.
        let result = unsafe { &*r };
        assert_eq!(result.status, GameyeStatus::Panic);
        // SAFETY: the message is a NUL-terminated string owned by the result.
        let msg = unsafe { std::ffi::CStr::from_ptr(result.message) };
        assert!(msg.to_str().unwrap().contains("deliberate panic"));
        // SAFETY: freed once.
        unsafe { gameye_result_free(r) };
        // The process lives on and the library keeps working.
        let json = c"{\"location\":\"europe\",\"image\":\"nginx\"}";
        // SAFETY: a NUL-terminated string; the result is freed once.
        unsafe {
            let ok = crate::gameye_session_validate(json.as_ptr());
            assert_eq!((*ok).status, GameyeStatus::Ok);
            gameye_result_free(ok);
        }
    }

    #[test]
    fn each_return_type_has_its_fallback() {
        fn caught<T: super::PanicFallback>() -> T {
            ffi_panic_boundary!({
                if std::hint::black_box(true) {
                    panic!("deliberate");
                }
                unreachable!()
            })
        }
        assert_eq!(caught::<GameyeStatus>(), GameyeStatus::Panic);
        assert_eq!(caught::<i32>(), 0);
        assert_eq!(caught::<usize>(), 0);
        assert!(caught::<*mut crate::GameyeQueue>().is_null());
        // SAFETY: the fallback string is static and NUL-terminated.
        let s = unsafe { std::ffi::CStr::from_ptr(caught::<*const std::ffi::c_char>()) };
        assert_eq!(s.to_bytes(), b"");
        let op = caught::<*mut crate::GameyeOperation>();
        // SAFETY: a live operation, freed once; its result is freed once.
        unsafe {
            let r = crate::gameye_operation_take_result(op);
            assert_eq!((*r).status, GameyeStatus::Panic);
            gameye_result_free(r);
            crate::gameye_operation_free(op);
        }
    }

    #[test]
    fn every_export_goes_through_the_boundary() {
        let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let mut exports = Vec::new();
        let mut unwrapped = Vec::new();
        // Every source file, in subfolders too (`operation/queue.rs`).
        let mut dirs = vec![src.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension() != Some(std::ffi::OsStr::new("rs")) {
                    continue;
                }
                let file = path.strip_prefix(src).unwrap().display().to_string();
                let source = std::fs::read_to_string(&path).unwrap();
                for export in scan::exports(&source) {
                    if export.wrapper.as_deref() != Some("ffi_panic_boundary") {
                        unwrapped.push(format!("{file}: {}", export.name));
                    }
                    exports.push(export.name);
                }
            }
        }
        assert!(
            unwrapped.is_empty(),
            "exported functions whose body is not one `ffi_panic_boundary!` call: {unwrapped:?}"
        );
        // The scan sees every function of the header (and the test hook),
        // so it cannot pass by missing some.
        let header =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/gameye.h"))
                .unwrap();
        let declared = scan::header_functions(&header);
        assert!(declared.len() >= 40, "{declared:?}");
        let mut missing: Vec<_> = declared.iter().filter(|f| !exports.contains(f)).collect();
        missing.sort();
        assert!(missing.is_empty(), "not found by the scan: {missing:?}");
        exports.retain(|e| !declared.contains(e));
        assert_eq!(exports, ["gameye_test_hook_panic"]);
    }

    #[test]
    fn the_scan_finds_an_unwrapped_export() {
        let source = r##"
            /// Doc with a { brace and "extern "C" fn fake() {}" in it.
            #[no_mangle]
            pub extern "C" fn wrapped(f: Option<unsafe extern "C" fn(u8)>) -> i32 {
                ffi_panic_boundary!({ let c = '{'; let s = r#"}"#; 0 })
            }
            #[no_mangle]
            pub unsafe extern "C" fn bare() -> i32 { 0 }
            #[no_mangle]
            pub unsafe extern "C" fn partly() -> i32 { let x = 1; ffi_panic_boundary!({ x }) }
            #[export_name = "other"]
            pub extern "C" fn other<'a>() { some_macro!({}) }
            // A callback that Rust passes to C is not an export.
            unsafe extern "C" fn callback(u: *mut c_void) {}
        "##;
        let found: Vec<_> = scan::exports(source)
            .into_iter()
            .map(|e| (e.name, e.wrapper))
            .collect();
        let name = |s: &str| s.to_owned();
        assert_eq!(
            found,
            [
                (name("wrapped"), Some(name("ffi_panic_boundary"))),
                (name("bare"), None),
                (name("partly"), None),
                (name("other"), Some(name("some_macro"))),
            ]
        );
    }

    /// A small lexer over Rust (and C) source: enough to find exported
    /// functions and their bodies with comments, strings and character
    /// literals out of the way.
    mod scan {
        #[derive(Debug, PartialEq)]
        pub(super) enum Token {
            Ident(String),
            Str(String),
            Punct(char),
        }

        pub(super) struct Export {
            pub(super) name: String,
            /// The macro whose one invocation is the whole body, if so.
            pub(super) wrapper: Option<String>,
        }

        pub(super) fn lex(src: &str) -> Vec<Token> {
            let c: Vec<char> = src.chars().collect();
            let mut out = Vec::new();
            let mut i = 0;
            let string_end = |mut j: usize| {
                // `j` is just past the opening quote.
                while j < c.len() && c[j] != '"' {
                    j += if c[j] == '\\' { 2 } else { 1 };
                }
                j
            };
            while i < c.len() {
                let ch = c[i];
                if ch.is_whitespace() {
                    i += 1;
                } else if c[i..].starts_with(&['/', '/']) {
                    while i < c.len() && c[i] != '\n' {
                        i += 1;
                    }
                } else if c[i..].starts_with(&['/', '*']) {
                    let mut depth = 0;
                    while i < c.len() {
                        if c[i..].starts_with(&['/', '*']) {
                            depth += 1;
                            i += 2;
                        } else if c[i..].starts_with(&['*', '/']) {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                } else if ch == '"' {
                    let end = string_end(i + 1);
                    out.push(Token::Str(c[i + 1..end.min(c.len())].iter().collect()));
                    i = end + 1;
                } else if ch == '\'' {
                    if c.get(i + 1) == Some(&'\\') {
                        // An escaped character literal.
                        i += 2;
                        while i < c.len() && c[i] != '\'' {
                            i += 1;
                        }
                        i += 1;
                    } else if c.get(i + 2) == Some(&'\'') {
                        i += 3;
                    } else {
                        // A lifetime: skip the quote, the name follows.
                        i += 1;
                    }
                } else if ch.is_alphanumeric() || ch == '_' {
                    let start = i;
                    while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                        i += 1;
                    }
                    let word: String = c[start..i].iter().collect();
                    let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                    let raw = matches!(word.as_str(), "r" | "br" | "cr");
                    if raw && c.get(i + hashes) == Some(&'"') {
                        // A raw string: ends at a quote and as many hashes.
                        let mut j = i + hashes + 1;
                        while j < c.len()
                            && !(c[j] == '"'
                                && c[j + 1..]
                                    .iter()
                                    .take(hashes)
                                    .filter(|&&h| h == '#')
                                    .count()
                                    == hashes)
                        {
                            j += 1;
                        }
                        out.push(Token::Str(
                            c[i + hashes + 1..j.min(c.len())].iter().collect(),
                        ));
                        i = j + 1 + hashes;
                    } else {
                        out.push(Token::Ident(word));
                    }
                } else {
                    out.push(Token::Punct(ch));
                    i += 1;
                }
            }
            out
        }

        /// The index of the token closing the group opened at `open`.
        fn close_of(t: &[Token], open: usize) -> Option<usize> {
            let mut depth = 0i32;
            for (k, tok) in t.iter().enumerate().skip(open) {
                match tok {
                    Token::Punct('{' | '(' | '[') => depth += 1,
                    Token::Punct('}' | ')' | ']') => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(k);
                        }
                    }
                    _ => {}
                }
            }
            None
        }

        /// Every exported function (`#[no_mangle]` or `#[export_name]`
        /// `extern "C" fn NAME`) defined in `src`, with the macro that makes
        /// up its whole body, if one does.
        pub(super) fn exports(src: &str) -> Vec<Export> {
            let t = lex(src);
            let mut found = Vec::new();
            for k in 0..t.len().saturating_sub(3) {
                let (Token::Ident(ext), Token::Str(abi), Token::Ident(f), Token::Ident(name)) =
                    (&t[k], &t[k + 1], &t[k + 2], &t[k + 3])
                else {
                    continue;
                };
                if ext != "extern" || abi != "C" || f != "fn" {
                    continue;
                }
                // The attribute comes just before `pub unsafe`.
                let exported = t[k.saturating_sub(8)..k].iter().any(
                    |tok| matches!(tok, Token::Ident(a) if a == "no_mangle" || a == "export_name"),
                );
                if !exported {
                    continue;
                }
                let Some(open) = (k + 4..t.len()).find(|&j| t[j] == Token::Punct('{')) else {
                    continue;
                };
                let close = close_of(&t, open).expect("a body closes");
                let body = &t[open + 1..close];
                let wrapper = match body {
                    [Token::Ident(m), Token::Punct('!'), Token::Punct('(' | '{'), ..]
                        if close_of(body, 2) == Some(body.len() - 1) =>
                    {
                        Some(m.clone())
                    }
                    _ => None,
                };
                found.push(Export {
                    name: name.clone(),
                    wrapper,
                });
            }
            found
        }

        /// The functions a C header declares: `gameye_*` names followed by `(`.
        pub(super) fn header_functions(header: &str) -> Vec<String> {
            let t = lex(header);
            t.windows(2)
                .filter_map(|w| match w {
                    [Token::Ident(n), Token::Punct('(')] if n.starts_with("gameye_") => {
                        Some(n.clone())
                    }
                    _ => None,
                })
                .collect()
        }
    }
}
