//! Rows of any table read and written as plain cells, for `riposte migrate-db` ([`crate::store::copy`]).

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Transaction, params_from_iter};

use crate::store::copy::{Cell, Rows, TABLES, has_id};
use crate::store::{Result, StoreError};

/// The table's name when it is one of ours: only those reach SQL text.
fn known(table: &str) -> Result<&str> {
    TABLES
        .iter()
        .find(|t| **t == table)
        .copied()
        .ok_or_else(|| StoreError::Failed(anyhow::anyhow!("no table {table} to copy")))
}

pub fn count(conn: &Connection, table: &str) -> Result<i64> {
    let table = known(table)?;
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

pub fn read(conn: &Connection, table: &str, after: i64, limit: i64) -> Result<Rows> {
    let table = known(table)?;
    let sql = match has_id(table) {
        true => format!("SELECT * FROM {table} WHERE id > ?1 ORDER BY id LIMIT ?2"),
        false => format!("SELECT * FROM {table} WHERE ?1 = ?1 AND ?2 = ?2"),
    };
    let mut stmt = conn.prepare(&sql)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let width = columns.len();
    let rows = stmt
        .query_map([after, limit], |r| {
            (0..width)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(n) => Cell::Int(n),
                        ValueRef::Real(x) => Cell::Real(x),
                        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                    })
                })
                .collect::<rusqlite::Result<Vec<Cell>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Rows { columns, rows })
}

pub fn write(tx: &Transaction<'_>, table: &str, rows: &Rows, first: bool) -> Result<()> {
    let table = known(table)?;
    if table == "thread_events" && first {
        // The copied comments' triggers wrote events of their own: the source's events replace them.
        tx.execute("DELETE FROM thread_events", [])?;
    }
    let names: Vec<String> = rows
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "")))
        .collect();
    let marks: Vec<String> = (1..=rows.columns.len()).map(|i| format!("?{i}")).collect();
    let mut insert = tx.prepare(&format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    ))?;
    for row in &rows.rows {
        insert.execute(params_from_iter(row.iter().map(|c| match c {
            Cell::Null => Value::Null,
            Cell::Int(n) => Value::Integer(*n),
            Cell::Real(x) => Value::Real(*x),
            Cell::Text(t) => Value::Text(t.clone()),
            Cell::Blob(b) => Value::Blob(b.clone()),
        })))?;
    }
    Ok(())
}
