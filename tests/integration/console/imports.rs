//! The console's imports pages in the browser.
