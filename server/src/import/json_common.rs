//! What the JSON importers (Commento, Remark42) share: records that must be objects, loosely typed values,
//! gzip and the byte order mark, and error positions from serde_json's errors. Ids, dates and invalid UTF-8 are
//! mended as by every reader ([`super::common`], [`super::dates`]).

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};
use serde_json::Value;

use super::common;
use crate::domain::import::{ImportError, Position, Report};

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";
const GZIP: &[u8] = b"\x1f\x8b";

/// JSON has no byte order mark (RFC 8259), unlike XML, which allows one.
pub(crate) const REPAIR_BOM: &str = "byte order mark at the start, ignored";
pub(crate) const REPAIR_TYPE: &str = "field of an unexpected type, ignored";
pub(crate) const REPAIR_VERSION: &str = "unknown export version, read by its fields";

/// A `T` read from a JSON object only. Serde's derived structs also take arrays, filling the fields in order;
/// an array where a record belongs is no record.
pub(crate) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A gzip-compressed file is refused with a hint: both systems hand out their exports gzipped.
pub(crate) fn refuse_gzip(start: &[u8]) -> Result<(), ImportError> {
    if start.starts_with(GZIP) {
        return Err(ImportError::new(
            "the file is gzip-compressed: unpack it first (gunzip)",
            Some(Position::Text { line: 1, column: 1 }),
        ));
    }
    Ok(())
}

/// An error of serde_json as an [`ImportError`]: its message without serde's own "at line .. column ..", at the
/// 1-based line and column (in characters) of `text`, shifted by `first_line - 1` lines; `bom` adds the stripped
/// byte order mark back to the columns of the first line.
pub(crate) fn json_error(what: &str, e: &serde_json::Error, text: &str, first_line: u64, bom: bool) -> ImportError {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(at) if e.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    let line = e.line().max(1);
    // serde_json counts the column in bytes up to and including the offending one (for a value of the wrong type,
    // up to the one before it); count characters instead.
    let start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        .min(text.len());
    let rest = &text.as_bytes()[start..];
    let byte_column = e.column() + usize::from(e.is_data());
    let upto = &rest[..byte_column.min(rest.len())];
    let mut column = upto.iter().filter(|b| (**b & 0xC0) != 0x80).count().max(1) as u64;
    if bom && line == 1 {
        column += 1;
    }
    ImportError::new(
        format!("{what}: {message}"),
        Some(Position::Text {
            line: first_line - 1 + line as u64,
            column,
        }),
    )
}

/// A field as text: strings as they are, numbers in their JSON spelling; absent or null is None; any other type
/// is a repair.
pub(crate) fn text(v: Option<&Value>, report: &mut Report) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => {
            report.repair(REPAIR_TYPE);
            None
        }
    }
}

/// A field as a whole number: JSON numbers (fractions rounded) or numbers written as text.
pub(crate) fn int(v: Option<&Value>, report: &mut Report) -> Option<i64> {
    let n = match v? {
        Value::Null => return None,
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if n.is_none() {
        report.repair(REPAIR_TYPE);
    }
    n
}

/// A field as a flag: `true`/`false`, also written as text or as 0/1.
pub(crate) fn flag(v: Option<&Value>, report: &mut Report) -> Option<bool> {
    let b = match v? {
        Value::Null => return None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            "" => return None,
            _ => None,
        },
        _ => None,
    };
    if b.is_none() {
        report.repair(REPAIR_TYPE);
    }
    b
}

/// A field as trimmed text, `None` when blank.
pub(crate) fn trimmed(v: Option<&Value>, report: &mut Report) -> Option<String> {
    common::trimmed(text(v, report))
}

/// A field as an id: trimmed (a repair when it had whitespace around it), `None` when blank.
pub(crate) fn id(v: Option<&Value>, report: &mut Report) -> Option<String> {
    common::id(text(v, report).as_deref(), report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_values() {
        let mut report = Report::default();
        let v: Value = serde_json::json!({"n": 3, "f": -2.6, "s": " 7 ", "t": "TRUE", "b": [1], "o": {}});
        assert_eq!(int(v.get("n"), &mut report), Some(3));
        assert_eq!(int(v.get("f"), &mut report), Some(-3));
        assert_eq!(int(v.get("s"), &mut report), Some(7));
        assert_eq!(flag(v.get("t"), &mut report), Some(true));
        assert_eq!(flag(v.get("n"), &mut report), Some(true));
        assert_eq!(text(v.get("n"), &mut report).as_deref(), Some("3"));
        assert_eq!(text(v.get("missing"), &mut report), None);
        assert!(report.repairs.is_empty());
        assert_eq!(int(v.get("b"), &mut report), None);
        assert_eq!(flag(v.get("o"), &mut report), None);
        assert_eq!(text(v.get("o"), &mut report), None);
        assert_eq!(report.repairs.get(REPAIR_TYPE), Some(&3));
    }

    #[test]
    fn error_positions_count_characters() {
        let text = "{\n  \"a\": \"für\" x\n}";
        let e = serde_json::from_str::<Value>(text).unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 15));
        let err = json_error("not JSON", &e, text, 1, false);
        assert_eq!(err.position, Some(Position::Text { line: 2, column: 14 }));
        assert_eq!(err.message, "not JSON: expected `,` or `}`");
        let err = json_error("not JSON", &e, text, 10, true);
        assert_eq!(err.position, Some(Position::Text { line: 11, column: 14 }));
    }
}
