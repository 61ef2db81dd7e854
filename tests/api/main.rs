//! The integration tests: one binary, one module per feature, over the shared helpers.

mod helpers;

mod abuse;
mod admin;
mod admin_transfer;
mod architecture;
mod assets;
mod bad_input;
mod binary;
mod cache_scope;
mod connections;
mod durability;
mod feeds;
mod i18n;
mod import;
mod live;
mod login_abuse;
mod long_threads;
mod mail;
mod mail_links;
mod metrics;
mod moderation_modes;
mod no_js;
mod notify_delivery;
mod outbox;
mod outbox_admin;
mod own_comments;
mod paths;
mod posting_guards;
mod privacy;
mod site_reload;
mod spam_filter;
mod thread_features;
mod threads;
mod webhooks;
