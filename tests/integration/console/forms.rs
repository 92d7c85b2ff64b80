//! The console's forms pages in the browser.
