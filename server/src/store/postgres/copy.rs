//! Rows of any table read and written as plain cells, for `riposte migrate-db` ([`crate::store::copy`]).

use bytes::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{GenericClient, exec, one, rows};
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

pub async fn count(c: &impl GenericClient, table: &str) -> Result<i64> {
    let table = known(table)?;
    Ok(one(c, &format!("SELECT count(*) FROM {table}"), &[]).await?.get(0))
}

pub async fn read(c: &impl GenericClient, table: &str, after: i64, limit: i64) -> Result<Rows> {
    let table = known(table)?;
    let found = match has_id(table) {
        true => {
            rows(
                c,
                &format!("SELECT * FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"),
                &[&after, &limit],
            )
            .await?
        }
        false => rows(c, &format!("SELECT * FROM {table}"), &[]).await?,
    };
    let Some(first) = found.first() else {
        return Ok(Rows::default());
    };
    let columns = first.columns().iter().map(|c| c.name().to_owned()).collect();
    let mut out = Vec::with_capacity(found.len());
    for row in &found {
        let mut cells = Vec::with_capacity(row.len());
        for (i, column) in row.columns().iter().enumerate() {
            let ty = column.type_();
            let cell = if *ty == Type::INT8 {
                row.get::<_, Option<i64>>(i).map(Cell::Int)
            } else if *ty == Type::INT4 {
                row.get::<_, Option<i32>>(i).map(|n| Cell::Int(n.into()))
            } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
                row.get::<_, Option<String>>(i).map(Cell::Text)
            } else if *ty == Type::BYTEA {
                row.get::<_, Option<Vec<u8>>>(i).map(Cell::Blob)
            } else if *ty == Type::FLOAT8 {
                row.get::<_, Option<f64>>(i).map(Cell::Real)
            } else {
                return Err(StoreError::Failed(anyhow::anyhow!(
                    "{table}.{}: a column of type {ty} cannot be copied",
                    column.name()
                )));
            };
            cells.push(cell.unwrap_or(Cell::Null));
        }
        out.push(cells);
    }
    Ok(Rows { columns, rows: out })
}

pub async fn write(tx: &impl GenericClient, table: &str, rows: &Rows, first: bool) -> Result<()> {
    let table = known(table)?;
    if table == "thread_events" && first {
        // The copied comments' triggers wrote events of their own: the source's events replace them.
        exec(tx, "DELETE FROM thread_events", &[]).await?;
    }
    let names: Vec<String> = rows
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "")))
        .collect();
    let marks: Vec<String> = (1..=rows.columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    );
    for row in &rows.rows {
        let params: Vec<&(dyn ToSql + Sync)> = row.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
        exec(tx, &sql, &params).await?;
    }
    Ok(())
}

/// Moves every identity column's counter past the copied ids.
pub async fn copied(tx: &impl GenericClient) -> Result<()> {
    for table in TABLES.iter().filter(|t| has_id(t)) {
        one(
            tx,
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )
        .await?;
    }
    Ok(())
}

/// A cell binds to whatever type its column has: integers to BIGINT, text to TEXT, and NULL to anything.
impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Cell::Int(n) => n.to_sql(ty, out),
            Cell::Real(x) => x.to_sql(ty, out),
            Cell::Text(t) => t.to_sql(ty, out),
            Cell::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}
