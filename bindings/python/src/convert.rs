//! Python values → core request types: the JSON form of the core's
//! `SessionRun`.
//!
//! The keyword arguments of `Client.create_session` are converted into a JSON
//! object as they are, and `SessionRun::from_value` in the core does every
//! check: types, required fields, non-empty strings, `ttl` syntax. The
//! `ValidSessionRun` it gives is sent without a second check. A value with
//! no JSON form at all (an arbitrary object, a `bytes`, a non-string key)
//! cannot be handed over; it becomes a violation naming the field, in the same
//! form the core uses, so every bad argument raises `InvalidRequestError`.

use gameye_core::{Error, SessionRun, ValidSessionRun, Violation};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::error::GameyeResult;

/// The keyword arguments of `create_session` and `create_session_near`
/// after `location` and `image`, in the order the methods take them: the
/// core's fields after the two required ones.
fn run_keywords() -> &'static [&'static str] {
    &SessionRun::FIELDS[2..]
}

/// Stops the build (`client_methods!` calls it in a constant) unless
/// `names`, the keywords `endpoints.rs` declares, are [`run_keywords`] in
/// order: their values are matched to the fields by position.
pub(crate) const fn assert_run_keywords(names: &[&str]) {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let fields = &SessionRun::FIELDS;
    assert!(
        names.len() + 2 == fields.len(),
        "session_run: one keyword per SessionRun field"
    );
    let mut i = 0;
    while i < names.len() {
        assert!(
            same(names[i], fields[i + 2]),
            "session_run: the keywords are SessionRun::FIELDS after location and image, in order"
        );
        i += 1;
    }
}

/// Those keywords' values (`None` when not given), in [`run_keywords`] order.
pub(crate) type RunKeywords<'a, 'py> =
    [Option<&'a Bound<'py, PyAny>>; SessionRun::FIELDS.len() - 2];

/// Builds a validated `SessionRun` from `location`, `image` and the other
/// keywords. Errors are the core's `InvalidRequest` errors.
pub(crate) fn session_run(
    location: &Bound<'_, PyAny>,
    image: &Bound<'_, PyAny>,
    keywords: RunKeywords<'_, '_>,
) -> GameyeResult<ValidSessionRun> {
    let mut object = Map::new();
    let mut violations = Vec::new();
    let named = run_keywords().iter().copied().zip(keywords);
    let required = [
        (SessionRun::FIELDS[0], Some(location)),
        (SessionRun::FIELDS[1], Some(image)),
    ];
    for (name, value) in required.into_iter().chain(named) {
        let json = match value {
            Some(v) => to_json(v, name, &mut violations),
            None => Value::Null,
        };
        object.insert(name.to_owned(), json);
    }
    if !violations.is_empty() {
        return Err(Error::invalid_request(violations).into());
    }
    Ok(SessionRun::from_value(Value::Object(object))?)
}

/// The JSON form of `value`; a value without one is recorded as a violation
/// of `path` (`env.KEY`, `args[2]`, as the core names fields) and becomes null.
fn to_json(value: &Bound<'_, PyAny>, path: &str, violations: &mut Vec<Violation>) -> Value {
    if value.is_none() {
        return Value::Null;
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Value::Bool(b.is_true());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return match s.to_cow() {
            Ok(s) => Value::String(s.into_owned()),
            Err(_) => unsupported(
                path,
                "must be valid Unicode (no lone surrogates)",
                violations,
            ),
        };
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Value::Number(i.into());
        }
        if let Ok(u) = value.extract::<u64>() {
            return Value::Number(u.into());
        }
        return unsupported(path, "is an integer out of range", violations);
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return match Number::from_f64(f.value()) {
            Some(n) => Value::Number(n),
            None => unsupported(path, "must be a finite number", violations),
        };
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        match value.try_iter() {
            Ok(iter) => {
                for (i, item) in iter.enumerate() {
                    match item {
                        Ok(item) => items.push(to_json(&item, &format!("{path}[{i}]"), violations)),
                        Err(_) => return unsupported(path, "could not be iterated", violations),
                    }
                }
            }
            Err(_) => return unsupported(path, "could not be iterated", violations),
        }
        return Value::Array(items);
    }
    if value.is_instance_of::<PyDict>() || value.cast::<PyMapping>().is_ok() {
        return mapping(value, path, violations);
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    unsupported(
        path,
        &format!("has unsupported type {type_name}"),
        violations,
    )
}

/// The JSON object of a mapping with string keys.
fn mapping(value: &Bound<'_, PyAny>, path: &str, violations: &mut Vec<Violation>) -> Value {
    let items = match value
        .call_method0("items")
        .and_then(|items| items.try_iter())
    {
        Ok(items) => items,
        Err(_) => return unsupported(path, "could not be iterated", violations),
    };
    let mut object = Map::new();
    for item in items {
        let Ok((key, val)) = item.and_then(|i| i.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
        else {
            return unsupported(path, "could not be iterated", violations);
        };
        match key
            .cast::<PyString>()
            .ok()
            .and_then(|k| k.to_cow().ok().map(|k| k.into_owned()))
        {
            Some(key) => {
                let json = to_json(&val, &format!("{path}.{key}"), violations);
                object.insert(key, json);
            }
            None => {
                violations.push(Violation::new(path, "keys must be strings"));
            }
        }
    }
    Value::Object(object)
}

/// Records that the value at `path` has no JSON form; the caller puts null.
fn unsupported(path: &str, why: &str, violations: &mut Vec<Violation>) -> Value {
    violations.push(Violation::new(path, why));
    Value::Null
}
