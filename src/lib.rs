//! Halle: the online market hall of a territory (directory, click-and-collect, local currency,
//! mutual aid), as one server-rendered web application with a JSON API.

pub mod accounts;
pub mod admin;
pub mod aid;
pub mod api;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod jobs;
pub mod ledger;
pub mod mail;
pub mod orders;
pub mod tabular;
pub mod territory;
pub mod web;
