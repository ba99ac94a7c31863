//! [`client_methods!`]: the methods of `gameye.Client` and
//! `gameye.AsyncClient`, each declared once (in `endpoints.rs`) and expanded
//! into both classes' `#[pymethods]` blocks. pyo3 takes one `#[pymethods]`
//! block per class, so the macro gathers every method first and writes the
//! two blocks at the end.
//!
//! A declaration is the Python signature, each parameter with its Rust
//! type, its Python type (`as "str"`, for the stub) and its default, `*,`
//! before the keyword-only ones; the Python return type (with `/ "Async"`
//! when the asyncio form returns something other than a future of it); the
//! docstrings (`///` for `Client`, `#[asyncio = "..."]` lines for
//! `AsyncClient`; or, so that the two share their `Args:`/`Raises:` text,
//! `#[blocking = "..."]` lines for `Client`'s own head, `#[asyncio = "..."]`
//! for `AsyncClient`'s, then the shared `///` text: each docstring is its
//! head, a blank line, and the shared text); and the body, one of:
//!
//! - `call <blocking call>, <async call>; map <conversion>`: a core
//!   endpoint. `Client` runs the blocking call with the GIL released;
//!   `AsyncClient` spawns the async call and returns an asyncio future
//!   ([`crate::aio::call`]). `map` turns the core's value into the Python
//!   one, in both.
//! - `sync { .. } async { .. }`: two bodies, each giving the value to
//!   return, for methods that are more than a call.
//!
//! Either may start with `let` statements that both forms run first (the
//! argument conversions, whose errors raise at the call). `with
//! session_run(name)` adds the `SessionRun` keywords of the `session_run(..)`
//! list after the others, and binds their values, in order, to `name` (the
//! list names the core's `SessionRun` fields in its order, or the build
//! stops). A declaration marked `#[new]` is the constructor: its keywords
//! are the fields of [`crate::client::Options`].
//!
//! The bodies name the `Python` token and the core client (`&Client`) as
//! `bind(py, core)` says: a macro cannot hand them names of its own.
//! `scripts/gen_pyi.py` reads the same declarations to write the stub.

/// See the module documentation.
macro_rules! client_methods {
    // Every method gathered: the two blocks.
    (@munch [$py:ident $core:ident $run:tt [$($shared:tt)*]
        [$($pymethods:tt)*]
        $sync_ty:ident [$($sync_extra:tt)*]
        $async_ty:ident [$($async_extra:tt)*]]
        [$($sync:tt)*] [$($async:tt)*]
    ) => {
        $($pymethods)*
        impl $sync_ty {
            $($shared)*
            $($sync_extra)*
            $($sync)*
        }

        $($pymethods)*
        impl $async_ty {
            $($shared)*
            $($async_extra)*
            $($async)*
        }
    };

    // `with session_run(name)` after positional parameters only: the
    // keywords become the keyword-only parameters.
    (@munch [$py:ident $core:ident
            [$($rk:ident : $rkt:ty as $rkpy:literal = $rkd:tt,)*] $($ctx:tt)*]
        $sync:tt $async:tt
        $(#[$($attr:tt)*])*
        fn $name:ident ($($p:ident : $pt:ty as $ppy:literal $(= $pd:tt)?),* $(,)?)
        with session_run($kw:ident)
        $($rest:tt)*
    ) => {
        $crate::client_methods::client_methods!(@munch
            [$py $core [$($rk : $rkt as $rkpy = $rkd,)*] $($ctx)*] $sync $async
            $(#[$($attr)*])*
            #[prelude(let $kw = [$($rk),*];)]
            fn $name($($p : $pt as $ppy $(= $pd)?,)* *, $($rk : $rkt as $rkpy = $rkd,)*)
            $($rest)*
        );
    };

    // `with session_run(name)` after keyword-only parameters: appended.
    (@munch [$py:ident $core:ident
            [$($rk:ident : $rkt:ty as $rkpy:literal = $rkd:tt,)*] $($ctx:tt)*]
        $sync:tt $async:tt
        $(#[$($attr:tt)*])*
        fn $name:ident (
            $($p:ident : $pt:ty as $ppy:literal $(= $pd:tt)?),* $(,)?
            *, $($k:ident : $kt:ty as $kpy:literal = $kd:tt),* $(,)?
        )
        with session_run($kw:ident)
        $($rest:tt)*
    ) => {
        $crate::client_methods::client_methods!(@munch
            [$py $core [$($rk : $rkt as $rkpy = $rkd,)*] $($ctx)*] $sync $async
            $(#[$($attr)*])*
            #[prelude(let $kw = [$($rk),*];)]
            fn $name(
                $($p : $pt as $ppy $(= $pd)?,)*
                *, $($k : $kt as $kpy = $kd,)* $($rk : $rkt as $rkpy = $rkd,)*
            )
            $($rest)*
        );
    };

    // `#[blocking]` and `#[asyncio]` heads over a shared `///` text: made
    // into the two docstrings of the arms below.
    (@munch $ctx:tt $sync:tt $async:tt
        $(#[blocking = $sdoc:tt])+
        $(#[asyncio = $adoc:tt])+
        $(#[doc = $doc:tt])+
        $(#[prelude $pre:tt])?
        fn $($rest:tt)*
    ) => {
        $crate::client_methods::client_methods!(@munch $ctx $sync $async
            $(#[doc = $sdoc])* #[doc = ""] $(#[doc = $doc])*
            $(#[asyncio = $adoc])* #[asyncio = ""] $(#[asyncio = $doc])*
            $(#[prelude $pre])?
            fn $($rest)*
        );
    };

    // The constructor.
    (@munch [$py:ident $core:ident $($ctx:tt)*] [$($sync:tt)*] [$($async:tt)*]
        $(#[doc = $doc:tt])*
        $(#[asyncio = $adoc:tt])*
        #[new]
        fn new(
            $($p:ident : $pt:ty as $ppy:literal $(= $pd:tt)?),* $(,)?
            $(*, $($k:ident : $kt:ty as $kpy:literal = $kd:tt),* $(,)?)?
        ) -> $ret:literal;
        $($rest:tt)*
    ) => {
        $crate::client_methods::client_methods!(@munch [$py $core $($ctx)*]
            [$($sync)*
                $(#[doc = $doc])*
                #[new]
                #[pyo3(signature = ($($p $(= $pd)?,)* $(*, $($k = $kd,)*)?))]
                #[allow(clippy::too_many_arguments)]
                fn new($($p: $pt,)* $($($k: $kt,)*)?) -> $crate::error::GameyeResult<Self> {
                    let options = $crate::client::Options { $($p,)* $($($k,)*)? };
                    Ok(Self { inner: $crate::client::build(options)? })
                }
            ]
            [$($async)*
                $(#[doc = $adoc])*
                #[new]
                #[pyo3(signature = ($($p $(= $pd)?,)* $(*, $($k = $kd,)*)?))]
                #[allow(clippy::too_many_arguments)]
                fn new($($p: $pt,)* $($($k: $kt,)*)?) -> $crate::error::GameyeResult<Self> {
                    let options = $crate::client::Options { $($p,)* $($($k,)*)? };
                    Ok(Self { inner: $crate::client::build(options)? })
                }
            ]
            $($rest)*
        );
    };

    // A method: the same signature in both classes, the body in its form.
    // The Python types (`as "..."`, `-> "..."`) are the stub's; Rust has
    // no use for them.
    (@munch [$py:ident $core:ident $($ctx:tt)*] [$($sync:tt)*] [$($async:tt)*]
        $(#[doc = $doc:tt])*
        $(#[asyncio = $adoc:tt])*
        $(#[prelude($($pre:tt)*)])?
        fn $name:ident (
            $($p:ident : $pt:ty as $ppy:literal $(= $pd:tt)?),* $(,)?
            $(*, $($k:ident : $kt:ty as $kpy:literal = $kd:tt),* $(,)?)?
        ) -> $ret:literal $(/ $aret:literal)?
        { $($body:tt)* }
        $($rest:tt)*
    ) => {
        $crate::client_methods::client_methods!(@munch [$py $core $($ctx)*]
            [$($sync)*
                $(#[doc = $doc])*
                #[pyo3(signature = ($($p $(= $pd)?,)* $(*, $($k = $kd,)*)?))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    $py: ::pyo3::Python<'_>,
                    $($p: $pt,)* $($($k: $kt,)*)?
                ) -> $crate::error::GameyeResult<::pyo3::Py<::pyo3::PyAny>> {
                    let $core = &self.inner;
                    $($($pre)*)?
                    $crate::client_methods::client_methods!(@blocking $py $core $($body)*)
                }
            ]
            [$($async)*
                $(#[doc = $adoc])*
                #[pyo3(signature = ($($p $(= $pd)?,)* $(*, $($k = $kd,)*)?))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    &self,
                    $py: ::pyo3::Python<'_>,
                    $($p: $pt,)* $($($k: $kt,)*)?
                ) -> $crate::error::GameyeResult<::pyo3::Py<::pyo3::PyAny>> {
                    let $core = &self.inner;
                    $($($pre)*)?
                    $crate::client_methods::client_methods!(@asyncio $py $core $($body)*)
                }
            ]
            $($rest)*
        );
    };

    // `Client`'s body of a core call: blocking, with the GIL released.
    (@blocking $py:ident $core:ident
        $(let $v:ident = $e:expr;)*
        call $blocking:expr, $async:expr; map $map:expr $(;)?
    ) => {{
        $(let $v = $e;)*
        let value = $crate::exit_gate::detach($py, || $blocking)?;
        Ok(::pyo3::IntoPyObjectExt::into_py_any(($map)(value.into_inner()), $py)?)
    }};

    // `AsyncClient`'s body of a core call: an asyncio future of its value.
    (@asyncio $py:ident $core:ident
        $(let $v:ident = $e:expr;)*
        call $blocking:expr, $async:expr; map $map:expr $(;)?
    ) => {{
        $(let $v = $e;)*
        let client = $core;
        let future = {
            let $core = client.clone();
            async move { $async.await }
        };
        Ok($crate::aio::call($py, client, future, $map)?.unbind())
    }};

    // The two bodies of a method that is more than a call.
    (@blocking $py:ident $core:ident
        $(let $v:ident = $e:expr;)*
        sync $blocking:block async $async:block
    ) => {{
        $(let $v = $e;)*
        Ok(::pyo3::IntoPyObjectExt::into_py_any($blocking, $py)?)
    }};
    (@asyncio $py:ident $core:ident
        $(let $v:ident = $e:expr;)*
        sync $blocking:block async $async:block
    ) => {{
        $(let $v = $e;)*
        Ok(::pyo3::IntoPyObjectExt::into_py_any($async, $py)?)
    }};

    // The invocation: the names, the `SessionRun` keywords, the methods both
    // classes share verbatim, each class's own, then the declarations. The
    // caller writes `#[pymethods]` (once per class, the first is used), so
    // that the code pyo3 generates has the caller's hygiene, as the methods
    // written there do: with the macro's, a method's `*args` is not found.
    (
        bind($py:ident, $core:ident);
        session_run($($rk:ident : $rkt:ty as $rkpy:literal = $rkd:tt),* $(,)?);
        shared { $($shared:tt)* }
        $hash:tt $pymethods:tt
        impl $sync_ty:ident { $($sync_extra:tt)* }
        $hash2:tt $pymethods2:tt
        impl $async_ty:ident { $($async_extra:tt)* }
        $($methods:tt)*
    ) => {
        const _: () = $crate::convert::assert_run_keywords(&[$(stringify!($rk)),*]);
        $crate::client_methods::client_methods!(@munch
            [$py $core [$($rk : $rkt as $rkpy = $rkd,)*] [$($shared)*]
                [$hash $pymethods] $sync_ty [$($sync_extra)*] $async_ty [$($async_extra)*]]
            [] []
            $($methods)*
        );
    };
}

pub(crate) use client_methods;
