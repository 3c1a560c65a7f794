//! Integration tests: each test starts the real server on a free port with a fresh database
//! (SQLite by default, PostgreSQL with HALLE_TEST_BACKEND=postgres) and talks HTTP to it.

mod helpers;

mod accounts;
mod accounts_api;
mod admin;
mod aid;
mod aid_alerts;
mod api_contract;
mod authz;
mod catalog;
mod directory;
mod group_commit;
mod ledger;
mod mail;
mod market;
mod orders;
mod orders_checkout;
mod parsers;
mod platform;
mod structure;
mod territory;
