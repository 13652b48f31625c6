//! The browser's clock (the shared crate has none).

use time::Date;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today's date in the device's time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    let month = time::Month::try_from(now.get_month() as u8 + 1).unwrap_or(time::Month::January);
    Date::from_calendar_date(now.get_full_year() as i32, month, now.get_date() as u8).unwrap_or(Date::MIN)
}
