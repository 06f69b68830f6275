// Package store is edigate's durable state: one SQL implementation over database/sql with a
// small dialect layer, so the embedded SQLite database (modernc.org/sqlite, DATA/edigate.db)
// and PostgreSQL (pgx, from a postgres:// URL) run the same statements and pass the same
// conformance suite (package storetest).
//
// # Dialects
//
// Statements are written once with "?" placeholders; the PostgreSQL dialect rewrites them to
// $1, $2, .... Both engines accept INSERT ... ON CONFLICT ... DO UPDATE/NOTHING and RETURNING,
// so upserts need no per-dialect text. The only per-dialect piece of schema is {{serial}}
// (the auto-increment primary key) in migration files.
//
// SQLite runs with WAL, busy_timeout, foreign keys, synchronous=FULL and immediate write
// transactions. FULL rather than NORMAL because intake moves an inbox file to archive/ right
// after its records commit: under NORMAL a power cut could lose that last commit while the
// rename survives, and the sessions would be gone with their source file archived.
// temp_store=MEMORY keeps statement journals (multi-row statements) off temp files.
//
// # Batches
//
// A Batch keeps some writes in memory until its commit or until another statement needs
// them: inserts of new sessions (written as multi-row INSERTs, OR FAIL on SQLite so that no
// statement journal is kept; the whole batch rolls back on failure) and authorization units
// consumed (written once per authorization with the conditional UPDATE). Counting units in
// memory is safe because the batch's transaction holds SQLite's write lock from BEGIN, and
// on PostgreSQL the authorizations are read FOR UPDATE. Batch.exec, query and queryRow write
// the pending rows first, so code in other files sees a consistent database; the intake path
// uses the *Raw forms where it knows a statement does not depend on them.
//
// What a session or an authorization does on arrival is decided in package claims
// (AuthRules.Admit, AuthChange, PlanRelease) from what the batch read; the batch applies
// the plan with statements that name the state they expect (a release only WHERE the
// session is still held for the reason the plan saw, units only while they remain), so a
// plan made on a view another writer has since changed takes nothing twice.
//
// # Migrations
//
// migrations/NNNN_name.sql files are embedded and applied in version order at Open, each in
// one transaction together with its row in schema_migrations. Version ranges are reserved
// per concern so engineers add files without clashing:
//
//	0001-0099  core: sessions, clients, authorizations, unit consumption, events,
//	           control-number sequences, inbox file records, holds, alerts
//	0100-0199  claims / 837P
//	0200-0299  remittance, queues, appeals
//	0300-0399  SFTP exchange ledger
//	0400-0499  eligibility
//
// Never edit an applied migration; add the next version.
//
// # Interfaces
//
// Domain packages declare the narrow interface they need (intake.Store, x12.ControlNumbers,
// ...) and *DB implements it. Every state change is written in the same transaction as an
// append-only row in events, which is how `sessions show` prints a session's history.
package store
