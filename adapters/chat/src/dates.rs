//! Dates as ISO `YYYY-MM-DD` text in JSON, the form the documented interface uses.
#![allow(missing_docs)] // the macro below generates the serde functions

time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");
