//! The console's people pages in the browser.
