//! Time windows and the calendar.
//!
//! A [`Window`] is a date range intersected with an optional weekly pattern of days and hours
//! (presets `nte`, `evening`, `weekend-evening`, `daytime`) and an optional calendar filter
//! (bank-holiday nights, event nights). Every analysis filters incidents through one.
//!
//! - [`local`]: incident times as local (Europe/London wall-clock) minutes, the snapshot's
//!   representation, so matching does no time-zone work.
//! - [`pattern`]: days, hours (crossing midnight) and presets.
//! - [`window`]: parameters → checked [`Window`]; [`Window::contains`] for instants,
//!   [`Window::weight`] for aoristic spans, [`Window::month_inclusion`] for month-only rows,
//!   [`Window::night_date`], `parameters` serialisation and [`Window::describe`].
//! - [`calendar`]: England & Wales bank holidays 1990–2100 by rule, and [`EventCalendar`]
//!   (CSV `date,name`).
//! - `dst`: the Europe/London clock changes as wall-clock intervals (from `chrono-tz`).

pub mod calendar;
mod dst;
pub mod local;
pub mod pattern;
pub mod window;

pub use calendar::{
    BANK_HOLIDAY_YEARS, BankHoliday, EventCalendar, EventError, YearOutOfRange, bank_holidays,
    is_bank_holiday,
};
pub use local::{incident_minutes, local_minutes, local_minutes_of_utc, naive_of_minutes};
pub use pattern::{Days, Hours, Preset};
pub use window::{
    CalendarFilter, MAX_SPREAD_MIN, MonthInclusion, Window, WindowError, WindowParams,
};
