//! The console's dashboard pages in the browser.
