package analytics

// This is the one file that imports the DuckDB driver.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"

	duckdb "github.com/marcboeker/go-duckdb/v2"
)

// openDB opens the DuckDB database at path ("" for an in-memory database).
// Every connection works in UTC so that date_trunc and friends agree with
// the ISO dates the API speaks.
func openDB(path string) (*sql.DB, error) {
	conn, err := duckdb.NewConnector(path, func(ex driver.ExecerContext) error {
		_, err := ex.ExecContext(context.Background(), `SET TimeZone = 'UTC'`, nil)
		return err
	})
	if err != nil {
		if holder, ok := lockHolder(err); ok {
			return nil, &LockedError{Path: path, Holder: holder, Err: err}
		}
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

// appendRows bulk-loads rows into a temporary table of conn through DuckDB's
// Appender, which is an order of magnitude faster than INSERT statements.
func appendRows(conn *sql.Conn, table string, rows [][]driver.Value) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("appender: unexpected driver connection %T", dc)
		}
		a, err := duckdb.NewAppender(c, "temp", "main", table)
		if err != nil {
			return fmt.Errorf("appender for %s: %w", table, err)
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				_ = a.Close()
				return fmt.Errorf("append to %s: %w", table, err)
			}
		}
		return a.Close()
	})
}

// LockedError reports that another process holds the database file.
type LockedError struct {
	Path   string
	Holder string // what DuckDB said about the holder, e.g. "PID 1234"
	Err    error
}

func (e *LockedError) Error() string {
	if e.Holder != "" {
		return fmt.Sprintf("%s is in use by another process (%s)", e.Path, e.Holder)
	}
	return fmt.Sprintf("%s is in use by another process", e.Path)
}

func (e *LockedError) Unwrap() error { return e.Err }

var lockPID = regexp.MustCompile(`\(PID (\d+)\)`)

func lockHolder(err error) (string, bool) {
	var de *duckdb.Error
	if !errors.As(err, &de) && !strings.Contains(err.Error(), "lock") {
		return "", false
	}
	msg := err.Error()
	if !strings.Contains(msg, "Could not set lock") && !strings.Contains(msg, "Conflicting lock") {
		return "", false
	}
	if m := lockPID.FindStringSubmatch(msg); m != nil {
		return "PID " + m[1], true
	}
	return "", true
}
