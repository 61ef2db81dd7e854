//! The integration tests: one binary, one module per feature, over the shared helpers.

mod helpers;

mod abuse;
mod admin;
mod admin_transfer;
mod architecture;
mod assets;
mod bad_input;
mod binary;
mod durability;
mod import;
mod long_threads;
mod moderation_modes;
mod own_comments;
mod paths;
mod posting_guards;
mod privacy;
mod spam_filter;
mod threads;
