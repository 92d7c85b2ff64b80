//! The console's catalogue pages in the browser.
