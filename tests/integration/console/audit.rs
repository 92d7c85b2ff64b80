//! The console's audit pages in the browser.
