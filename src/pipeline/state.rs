//! The task table in SQLite, with seed 000's lifecycle: a task (stage x partition)
//! and one status row per attempt (RUNNING, then COMPLETED or FAILED) carrying the
//! host, pid, start and end times, the input fingerprint and the error. Incremental
//! stages also record, per completed attempt, the digest of the stage's definition
//! and how far its input had been read (the high-water mark and the rows up to it).

use datafusion::common::{exec_datafusion_err, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tasks (
    task_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    stage      TEXT NOT NULL,
    partition  TEXT NOT NULL,
    added_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (stage, partition)
);
CREATE TABLE IF NOT EXISTS task_status (
    status_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       INTEGER NOT NULL REFERENCES tasks (task_id),
    status        TEXT NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
    attempt       INTEGER NOT NULL,
    start_time    TEXT,
    end_time      TEXT,
    hostname      TEXT,
    pid           INTEGER,
    heartbeat     TEXT,
    fingerprint   TEXT,
    rows          INTEGER,
    error_message TEXT,
    definition    TEXT,
    high_water    TEXT,
    history_rows  INTEGER
);
CREATE VIEW IF NOT EXISTS latest_status AS
    SELECT t.stage, t.partition, s.*
    FROM tasks t JOIN task_status s
      ON s.status_id = (SELECT max(status_id) FROM task_status WHERE task_id = t.task_id);
CREATE VIEW IF NOT EXISTS pending_tasks AS
    SELECT * FROM latest_status WHERE status IN ('PENDING', 'RUNNING', 'FAILED');
CREATE VIEW IF NOT EXISTS completed_tasks AS
    SELECT *, round((julianday(end_time) - julianday(start_time)) * 86400, 3) AS seconds
    FROM latest_status WHERE status = 'COMPLETED';
";

/// A RUNNING attempt whose heartbeat is older than this is taken over (its owner
/// beats every [`HEARTBEAT_INTERVAL`]).
pub const HEARTBEAT_EXPIRY_S: f64 = 120.0;
pub const HEARTBEAT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

pub struct State {
    db: Connection,
}

/// How far a completed attempt of an incremental stage read its task's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Digest of the stage's SQL and settings: another definition means a full rerun.
    pub definition: String,
    /// The largest `order_by` value read, as text.
    pub high_water: String,
    /// Input rows at or before the high-water mark.
    pub rows: u64,
}

/// A task's latest attempt, as an incremental run needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastAttempt {
    pub completed: bool,
    pub mark: Option<Mark>,
}

/// A task's latest status, for `quantfusion status`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStatus {
    pub stage: String,
    pub partition: String,
    pub status: String,
    pub attempt: i64,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub hostname: Option<String>,
    pub rows: Option<i64>,
    pub error: Option<String>,
    /// Seconds from start to end (or to now while RUNNING).
    pub seconds: Option<f64>,
    /// RUNNING, but its process is gone or its heartbeat expired: the next run takes
    /// it over.
    pub stuck: bool,
}

fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

fn sql_err(e: rusqlite::Error) -> datafusion::error::DataFusionError {
    exec_datafusion_err!("pipeline state: {e}")
}

impl State {
    pub fn open(path: &Path) -> Result<State> {
        let db = Connection::open(path).map_err(|e| {
            exec_datafusion_err!("cannot open the state file '{}': {e}", path.display())
        })?;
        // Two runs of one pipeline wait for each other's writes instead of failing.
        db.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql_err)?;
        // WAL: `status` reads while a run writes; NORMAL syncs at checkpoints, so a
        // killed process loses nothing (only a power cut can lose the last updates,
        // which the next run then redoes).
        // Switching a new file to WAL takes an exclusive lock without consulting the
        // busy handler, so two runs creating one state file at once retry it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            match db
                .pragma_update(None, "journal_mode", "WAL")
                .and_then(|_| db.pragma_update(None, "synchronous", "NORMAL"))
            {
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.map_err(sql_err)?,
            }
        }
        db.execute_batch(SCHEMA).map_err(sql_err)?;
        add_missing_columns(&db)?;
        Ok(State { db })
    }

    /// The task's latest attempt, if it ever ran.
    pub fn last_attempt(&self, stage: &str, partition: &str) -> Result<Option<LastAttempt>> {
        self.db
            .query_row(
                "SELECT s.status, s.definition, s.high_water, s.history_rows
                 FROM task_status s JOIN tasks t USING (task_id)
                 WHERE t.stage = ?1 AND t.partition = ?2
                 ORDER BY s.status_id DESC LIMIT 1",
                params![stage, partition],
                |r| {
                    let status: String = r.get(0)?;
                    let definition: Option<String> = r.get(1)?;
                    let high_water: Option<String> = r.get(2)?;
                    let rows: Option<i64> = r.get(3)?;
                    let mark = match (definition, high_water, rows) {
                        (Some(definition), Some(high_water), Some(rows)) => Some(Mark {
                            definition,
                            high_water,
                            rows: rows as u64,
                        }),
                        _ => None,
                    };
                    Ok(LastAttempt {
                        completed: status == "COMPLETED",
                        mark,
                    })
                },
            )
            .optional()
            .map_err(sql_err)
    }

    /// The fingerprint of the task's last completed attempt.
    pub fn completed_fingerprint(&self, stage: &str, partition: &str) -> Result<Option<String>> {
        self.db
            .query_row(
                "SELECT s.fingerprint FROM task_status s JOIN tasks t USING (task_id)
                 WHERE t.stage = ?1 AND t.partition = ?2 AND s.status = 'COMPLETED'
                 ORDER BY s.status_id DESC LIMIT 1",
                params![stage, partition],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err)
    }

    /// Records an attempt as RUNNING and returns its status row, unless another live
    /// process is running the task (then `Err(owner)`). A RUNNING attempt whose owner
    /// died (its pid is gone on this host, or its heartbeat is older than
    /// [`HEARTBEAT_EXPIRY_S`]) is marked FAILED and taken over. The check and the
    /// claim are one write transaction, so two runs cannot both claim a task.
    pub fn claim(
        &mut self,
        stage: &str,
        partition: &str,
        attempt: u32,
        fingerprint: &str,
    ) -> Result<std::result::Result<i64, String>> {
        let host = hostname();
        let tx = self
            .db
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        tx.execute(
            "INSERT OR IGNORE INTO tasks (stage, partition) VALUES (?1, ?2)",
            params![stage, partition],
        )
        .map_err(sql_err)?;
        let task: i64 = tx
            .query_row(
                "SELECT task_id FROM tasks WHERE stage = ?1 AND partition = ?2",
                params![stage, partition],
                |r| r.get(0),
            )
            .map_err(sql_err)?;
        let running: Option<(i64, String, i64, f64)> = tx
            .query_row(
                "SELECT status_id, hostname, pid, (julianday('now') - julianday(heartbeat)) * 86400
                 FROM task_status WHERE task_id = ?1 AND status = 'RUNNING'
                 ORDER BY status_id DESC LIMIT 1",
                params![task],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(sql_err)?;
        if let Some((status_id, owner_host, pid, age)) = running {
            let dead = (owner_host == host && !process_alive(pid)) || age > HEARTBEAT_EXPIRY_S;
            if !dead {
                return Ok(Err(format!("pid {pid} on {owner_host}")));
            }
            tx.execute(
                &format!(
                    "UPDATE task_status SET status = 'FAILED', end_time = {NOW},
                     error_message = 'abandoned: its process (pid ' || pid || ' on ' || hostname || ') stopped'
                     WHERE status_id = ?1"
                ),
                params![status_id],
            )
            .map_err(sql_err)?;
        }
        tx.execute(
            &format!(
                "INSERT INTO task_status (task_id, status, attempt, start_time, hostname, pid, heartbeat, fingerprint)
                 VALUES (?1, 'RUNNING', ?2, {NOW}, ?3, ?4, {NOW}, ?5)"
            ),
            params![task, attempt, host, std::process::id(), fingerprint],
        )
        .map_err(sql_err)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(sql_err)?;
        Ok(Ok(id))
    }

    /// Marks a RUNNING attempt as alive.
    pub fn beat(&self, status_id: i64) -> Result<()> {
        self.db
            .execute(
                &format!("UPDATE task_status SET heartbeat = {NOW} WHERE status_id = ?1"),
                params![status_id],
            )
            .map_err(sql_err)?;
        Ok(())
    }

    pub fn complete(&self, status_id: i64, rows: u64) -> Result<()> {
        self.finish(status_id, "COMPLETED", Some(rows as i64), None)
    }

    /// Completes an attempt of an incremental stage, recording how far it read.
    pub fn complete_at(&self, status_id: i64, rows: u64, mark: &Mark) -> Result<()> {
        self.complete(status_id, rows)?;
        self.db
            .execute(
                "UPDATE task_status SET definition = ?2, high_water = ?3, history_rows = ?4
                 WHERE status_id = ?1",
                params![
                    status_id,
                    mark.definition,
                    mark.high_water,
                    mark.rows as i64
                ],
            )
            .map_err(sql_err)?;
        Ok(())
    }

    pub fn fail(&self, status_id: i64, error: &str) -> Result<()> {
        self.finish(status_id, "FAILED", None, Some(error))
    }

    fn finish(
        &self,
        status_id: i64,
        status: &str,
        rows: Option<i64>,
        error: Option<&str>,
    ) -> Result<()> {
        self.db
            .execute(
                &format!(
                    "UPDATE task_status SET status = ?2, end_time = {NOW}, rows = ?3, error_message = ?4
                     WHERE status_id = ?1"
                ),
                params![status_id, status, rows, error],
            )
            .map_err(sql_err)?;
        Ok(())
    }

    /// Every task's latest status, by stage and partition.
    pub fn latest(&self) -> Result<Vec<TaskStatus>> {
        let mut query = self
            .db
            .prepare(
                "SELECT stage, partition, status, attempt, start_time, end_time, hostname, rows, error_message,
                        (julianday(coalesce(end_time, 'now')) - julianday(start_time)) * 86400,
                        pid, (julianday('now') - julianday(heartbeat)) * 86400
                 FROM latest_status ORDER BY stage, partition",
            )
            .map_err(sql_err)?;
        let host = hostname();
        let rows = query
            .query_map([], |r| {
                let status: String = r.get(2)?;
                let owner: Option<String> = r.get(6)?;
                let pid: Option<i64> = r.get(10)?;
                let age: Option<f64> = r.get(11)?;
                let stuck = status == "RUNNING"
                    && ((owner.as_deref() == Some(host.as_str())
                        && !pid.is_some_and(process_alive))
                        || age.is_some_and(|a| a > HEARTBEAT_EXPIRY_S));
                Ok(TaskStatus {
                    stage: r.get(0)?,
                    partition: r.get(1)?,
                    status,
                    attempt: r.get(3)?,
                    start_time: r.get(4)?,
                    end_time: r.get(5)?,
                    hostname: r.get(6)?,
                    rows: r.get(7)?,
                    error: r.get(8)?,
                    seconds: r.get(9)?,
                    stuck,
                })
            })
            .map_err(sql_err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql_err)
    }
}

/// Adds the columns later versions use to a state file an earlier version created.
fn add_missing_columns(db: &Connection) -> Result<()> {
    let existing: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info('task_status')")
        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
        .map_err(sql_err)?;
    for (column, sql_type) in [
        ("definition", "TEXT"),
        ("high_water", "TEXT"),
        ("history_rows", "INTEGER"),
    ] {
        if existing.iter().any(|c| c == column) {
            continue;
        }
        let added = db.execute_batch(&format!(
            "ALTER TABLE task_status ADD COLUMN {column} {sql_type}"
        ));
        match added {
            // Another run opening the same file added it first.
            Err(e) if e.to_string().contains("duplicate column") => {}
            other => other.map_err(sql_err)?,
        }
    }
    Ok(())
}

/// Whether a process of this host is alive (Linux `/proc`; elsewhere the heartbeat
/// alone decides).
fn process_alive(pid: i64) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new(&format!("/proc/{pid}")).exists()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_of_an_earlier_version_gains_the_new_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let old = SCHEMA.replace(
            ",\n    definition    TEXT,\n    high_water    TEXT,\n    history_rows  INTEGER",
            "",
        );
        assert!(!old.contains("high_water"));
        Connection::open(&path)
            .unwrap()
            .execute_batch(&old)
            .unwrap();
        let mut state = State::open(&path).unwrap();
        let status = state.claim("s", "*", 1, "f").unwrap().unwrap();
        let mark = Mark {
            definition: "d".into(),
            high_water: "42".into(),
            rows: 7,
        };
        state.complete_at(status, 3, &mark).unwrap();
        let last = state.last_attempt("s", "*").unwrap().unwrap();
        assert_eq!(
            last,
            LastAttempt {
                completed: true,
                mark: Some(mark)
            }
        );
        // Opening it again (as a second run would) changes nothing.
        State::open(&path).unwrap();
    }
}
