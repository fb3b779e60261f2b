//! Windows, aoristic weights, month-only rows and the bank-holiday calendar.

mod common;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use hotspot::domain::{Month, london_to_utc, utc_to_london};
use hotspot::time::{
    EventCalendar, MonthInclusion, Window, WindowError, WindowParams, bank_holidays,
    is_bank_holiday, local_minutes,
};
use proptest::prelude::*;

fn params(pairs: &[(&str, &str)]) -> WindowParams {
    let mut p = WindowParams::default();
    for (k, v) in pairs {
        let slot = match *k {
            "from" => &mut p.from,
            "to" => &mut p.to,
            "days" => &mut p.days,
            "hours" => &mut p.hours,
            "preset" => &mut p.preset,
            "calendar" => &mut p.calendar,
            other => panic!("no parameter {other}"),
        };
        *slot = Some((*v).to_owned());
    }
    p
}

fn window(pairs: &[(&str, &str)]) -> Window {
    Window::try_from(params(pairs)).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn naive(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    local_minutes(naive(y, m, d, h, min))
}

#[test]
fn hours_across_midnight_belong_to_the_evening_before() {
    let w = window(&[("days", "fri"), ("hours", "20:00-04:00")]);
    // 2017-06-09 is a Friday, 2017-06-10 a Saturday.
    assert!(
        w.contains(at(2017, 6, 10, 1, 30)),
        "Saturday 01:30 is Friday night"
    );
    assert!(
        !w.contains(at(2017, 6, 9, 1, 30)),
        "Friday 01:30 is Thursday night"
    );
    assert!(w.contains(at(2017, 6, 9, 20, 0)));
    assert!(!w.contains(at(2017, 6, 10, 4, 0)), "end is exclusive");
    assert!(
        !w.contains(at(2017, 6, 10, 20, 0)),
        "Saturday evening is not Friday"
    );
    assert_eq!(w.night_date(at(2017, 6, 10, 1, 30)), Some(date(2017, 6, 9)));
    assert_eq!(w.night_date(at(2017, 6, 9, 23, 0)), Some(date(2017, 6, 9)));
    assert_eq!(
        w.weight(at(2017, 6, 10, 1, 30), at(2017, 6, 10, 1, 30)),
        1.0
    );
    assert_eq!(w.weight(at(2017, 6, 9, 1, 30), at(2017, 6, 9, 1, 30)), 0.0);
}

#[test]
fn to_is_inclusive_and_months_expand() {
    let w = window(&[("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(
        (w.from(), w.to()),
        (Some(date(2017, 2, 1)), Some(date(2017, 7, 31)))
    );
    assert!(w.contains(at(2017, 7, 31, 23, 59)));
    assert!(!w.contains(at(2017, 8, 1, 0, 0)));
    assert!(w.contains(at(2017, 2, 1, 0, 0)));
    assert!(!w.contains(at(2017, 1, 31, 23, 59)));
    let included: Vec<Month> = (0..24)
        .map(|i| Month::new(2016, 9).unwrap().plus(i).unwrap())
        .filter(|m| w.month_inclusion(*m) == MonthInclusion::Included)
        .collect();
    assert_eq!(included.len(), 6, "{included:?}");
    let d = window(&[("from", "2017-02-10"), ("to", "2017-02-10")]);
    assert!(d.contains(at(2017, 2, 10, 23, 59)) && !d.contains(at(2017, 2, 11, 0, 0)));
    // With hours crossing midnight the range is on night dates: the last night runs into
    // the morning after `to`.
    let n = window(&[("preset", "nte"), ("to", "2017-06-30")]);
    assert!(n.contains(at(2017, 7, 1, 2, 0)), "Friday 30 June's night");
    assert!(!n.contains(at(2017, 7, 1, 22, 0)));
}

#[test]
fn presets_and_overrides() {
    // Friday 9 June 2017 .. Thursday 15 June 2017.
    let check = |w: &Window, yes: &[i64], no: &[i64]| {
        for &m in yes {
            assert!(
                w.contains(m),
                "{:?} should be in",
                hotspot::time::naive_of_minutes(m)
            );
        }
        for &m in no {
            assert!(
                !w.contains(m),
                "{:?} should be out",
                hotspot::time::naive_of_minutes(m)
            );
        }
    };
    let nte = window(&[("preset", "nte")]);
    check(
        &nte,
        &[at(2017, 6, 9, 20, 0), at(2017, 6, 11, 3, 59)],
        &[
            at(2017, 6, 9, 19, 59),
            at(2017, 6, 11, 20, 0),
            at(2017, 6, 9, 3, 0),
        ],
    );
    let evening = window(&[("preset", "evening")]);
    check(
        &evening,
        &[at(2017, 6, 12, 17, 0), at(2017, 6, 13, 4, 59)],
        &[at(2017, 6, 12, 16, 59), at(2017, 6, 13, 5, 0)],
    );
    let weekend = window(&[("preset", "weekend-evening")]);
    check(
        &weekend,
        &[at(2017, 6, 9, 17, 0), at(2017, 6, 11, 4, 59)],
        &[at(2017, 6, 11, 17, 0), at(2017, 6, 9, 4, 0)],
    );
    let day = window(&[("preset", "daytime")]);
    check(
        &day,
        &[at(2017, 6, 14, 7, 0), at(2017, 6, 14, 18, 59)],
        &[at(2017, 6, 14, 19, 0), at(2017, 6, 14, 6, 59)],
    );
    // Explicit days override the preset's days and keep its hours.
    let sun = window(&[("preset", "nte"), ("days", "sun")]);
    check(
        &sun,
        &[at(2017, 6, 11, 20, 0), at(2017, 6, 12, 3, 0)],
        &[at(2017, 6, 9, 22, 0)],
    );
    assert_eq!(sun.hours().unwrap().to_string(), "20:00-04:00");
    // Explicit hours override the preset's hours and keep its days.
    let early = window(&[("preset", "nte"), ("hours", "18:00-22:00")]);
    check(
        &early,
        &[at(2017, 6, 9, 18, 0), at(2017, 6, 10, 21, 59)],
        &[
            at(2017, 6, 9, 22, 0),
            at(2017, 6, 10, 1, 0),
            at(2017, 6, 12, 19, 0),
        ],
    );
    assert_eq!(early.days().to_string(), "fri,sat");
}

#[test]
fn errors_name_the_parameter() {
    let err = |pairs: &[(&str, &str)]| Window::try_from(params(pairs)).unwrap_err();
    let e = err(&[("hours", "25:00-04:00")]);
    assert_eq!(e.to_string(), r#"hours: "25:00-04:00" is not HH:MM-HH:MM"#);
    assert_eq!(e.parameter(), "hours");
    let e = err(&[("hours", "20:00-20:00")]);
    assert!(matches!(e, WindowError::EmptyHours { .. }) && e.parameter() == "hours");
    let e = err(&[("from", "2017-13")]);
    assert_eq!(
        e.to_string(),
        r#"from: "2017-13" is not a month (YYYY-MM) or a date (YYYY-MM-DD)"#
    );
    assert_eq!(err(&[("to", "2017-02-30")]).parameter(), "to");
    let e = err(&[("from", "2017-07"), ("to", "2017-02")]);
    assert_eq!(e.to_string(), "to: 2017-02-28 is before from: 2017-07-01");
    assert_eq!(e.parameter(), "to");
    let e = err(&[("days", "fri,fry")]);
    assert_eq!(
        e.to_string(),
        r#"days: "fry" in "fri,fry" is not a day; write a comma list of mon,tue,wed,thu,fri,sat,sun"#
    );
    assert_eq!(err(&[("preset", "late")]).parameter(), "preset");
    assert_eq!(err(&[("calendar", "xmas")]).parameter(), "calendar");
    assert_eq!(err(&[("calendar", "events")]), WindowError::NoEventCalendar);
    let long = "fri,".repeat(40);
    assert!(matches!(
        err(&[("days", &long)]),
        WindowError::TooLong {
            parameter: "days",
            chars: 160,
            max: 100
        }
    ));
    // Empty values count as left out.
    assert_eq!(window(&[("days", ""), ("hours", " ")]), Window::default());
}

#[test]
fn aoristic_weight_of_a_friday_night_span() {
    let nte = window(&[("preset", "nte")]);
    // Friday 9 June 2017 22:00 → Saturday 07:00: 22:00–04:00 of 9 hours is inside.
    assert_eq!(
        nte.weight(at(2017, 6, 9, 22, 0), at(2017, 6, 10, 7, 0)),
        6.0 / 9.0
    );
    // Thursday 22:00 → Friday 07:00: nothing.
    assert_eq!(nte.weight(at(2017, 6, 8, 22, 0), at(2017, 6, 9, 7, 0)), 0.0);
    // Friday 12:00 → Sunday 12:00 (48 h): two nights of 8 h.
    assert_eq!(
        nte.weight(at(2017, 6, 9, 12, 0), at(2017, 6, 11, 12, 0)),
        16.0 / 48.0
    );
    // Without hours a span counts whole by its start.
    let fri = window(&[("days", "fri")]);
    assert_eq!(
        fri.weight(at(2017, 6, 9, 22, 0), at(2017, 6, 10, 7, 0)),
        1.0
    );
    assert_eq!(fri.weight(at(2017, 6, 8, 22, 0), at(2017, 6, 9, 7, 0)), 0.0);
    // A span starting before the range and ending in it is weighted by its share in range.
    let r = window(&[("from", "2017-06-10"), ("hours", "00:00-12:00")]);
    assert_eq!(
        r.weight(at(2017, 6, 9, 0, 0), at(2017, 6, 11, 0, 0)),
        12.0 / 48.0
    );
}

#[test]
fn spans_across_the_clocks_change_night_use_elapsed_time() {
    let nte = window(&[("preset", "nte")]);
    // Saturday 25 March 2017 22:00 GMT → Sunday 07:00 BST: 8 elapsed hours (01:00–02:00
    // never happened), of which 22:00–04:00 is 5.
    assert_eq!(
        nte.weight(at(2017, 3, 25, 22, 0), at(2017, 3, 26, 7, 0)),
        5.0 / 8.0
    );
    // Saturday 28 October 2017 22:00 BST → Sunday 07:00 GMT: 10 elapsed hours (01:00–02:00
    // twice), of which 22:00–04:00 is 7.
    assert_eq!(
        nte.weight(at(2017, 10, 28, 22, 0), at(2017, 10, 29, 7, 0)),
        7.0 / 10.0
    );
    // A span from 01:30 (the first, BST pass) to 03:00 GMT lasts 2 h 30 min, all inside.
    assert_eq!(
        nte.weight(at(2017, 10, 29, 1, 30), at(2017, 10, 29, 3, 0)),
        1.0
    );
    let small = window(&[("days", "sun"), ("hours", "02:00-06:00")]);
    // From 01:30 on Sunday 29 October (first pass, 00:30 UTC) to 04:00 GMT (04:00 UTC):
    // 3 h 30 min, of which 02:00–04:00 GMT, 2 h, is inside.
    assert_eq!(
        small.weight(at(2017, 10, 29, 1, 30), at(2017, 10, 29, 4, 0)),
        120.0 / 210.0
    );
}

#[test]
fn month_only_rows() {
    let m = |y, mo| Month::new(y, mo).unwrap();
    let range = window(&[("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(range.month_inclusion(m(2017, 2)), MonthInclusion::Included);
    assert_eq!(range.month_inclusion(m(2017, 7)), MonthInclusion::Included);
    assert_eq!(range.month_inclusion(m(2017, 8)), MonthInclusion::Excluded);
    assert_eq!(range.month_inclusion(m(2017, 1)), MonthInclusion::Excluded);
    let cut = window(&[("from", "2017-02-15"), ("to", "2017-07")]);
    assert_eq!(
        cut.month_inclusion(m(2017, 2)),
        MonthInclusion::LeftOutNeedsTime
    );
    assert_eq!(cut.month_inclusion(m(2017, 3)), MonthInclusion::Included);
    let nte = window(&[("preset", "nte"), ("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(
        nte.month_inclusion(m(2017, 3)),
        MonthInclusion::LeftOutNeedsTime
    );
    assert_eq!(nte.month_inclusion(m(2017, 9)), MonthInclusion::Excluded);
    let days = window(&[("days", "sat")]);
    assert_eq!(
        days.month_inclusion(m(2017, 3)),
        MonthInclusion::LeftOutNeedsTime
    );
    let all = Window::default();
    assert_eq!(all.month_inclusion(m(1990, 1)), MonthInclusion::Included);
}

/// The real police.uk rows (month only): a date range keeps whole months, an hour window
/// leaves every row out, and the counts match the published monthly totals.
#[test]
fn real_police_uk_months() {
    let dir = common::shared("realdata/police-uk/hampshire");
    let mut months = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let mut csv = csv::Reader::from_path(entry.unwrap().path()).unwrap();
        let header = csv.headers().unwrap().clone();
        let month_col = header.iter().position(|h| h == "Month").unwrap();
        let lsoa_col = header.iter().position(|h| h == "LSOA name").unwrap();
        for row in csv.records() {
            let row = row.unwrap();
            if row[lsoa_col].starts_with("Portsmouth ") {
                months.push(row[month_col].parse::<Month>().unwrap());
            }
        }
    }
    let tally = |w: &Window| {
        let mut t = [0usize; 3];
        for m in &months {
            t[match w.month_inclusion(*m) {
                MonthInclusion::Included => 0,
                MonthInclusion::Excluded => 1,
                MonthInclusion::LeftOutNeedsTime => 2,
            }] += 1;
        }
        t
    };
    assert_eq!(months.len(), 26_388);
    // February–July 2017: 2577 + 3181 + 2859 + 3107 + 3119 + 3107 rows.
    let range = window(&[("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(tally(&range), [17_950, 26_388 - 17_950, 0]);
    let nte = window(&[("preset", "nte"), ("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(tally(&nte), [0, 26_388 - 17_950, 17_950]);
    let cut = window(&[("from", "2017-02-15"), ("to", "2017-07")]);
    assert_eq!(tally(&cut), [17_950 - 2577, 26_388 - 17_950, 2577]);
}

#[test]
fn bank_holidays_2017_to_2026_as_published() {
    // GOV.UK, England and Wales.
    let published: [(i32, &[(u32, u32)]); 10] = [
        (
            2017,
            &[
                (1, 2),
                (4, 14),
                (4, 17),
                (5, 1),
                (5, 29),
                (8, 28),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2018,
            &[
                (1, 1),
                (3, 30),
                (4, 2),
                (5, 7),
                (5, 28),
                (8, 27),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2019,
            &[
                (1, 1),
                (4, 19),
                (4, 22),
                (5, 6),
                (5, 27),
                (8, 26),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2020,
            &[
                (1, 1),
                (4, 10),
                (4, 13),
                (5, 8),
                (5, 25),
                (8, 31),
                (12, 25),
                (12, 28),
            ],
        ),
        (
            2021,
            &[
                (1, 1),
                (4, 2),
                (4, 5),
                (5, 3),
                (5, 31),
                (8, 30),
                (12, 27),
                (12, 28),
            ],
        ),
        (
            2022,
            &[
                (1, 3),
                (4, 15),
                (4, 18),
                (5, 2),
                (6, 2),
                (6, 3),
                (8, 29),
                (9, 19),
                (12, 26),
                (12, 27),
            ],
        ),
        (
            2023,
            &[
                (1, 2),
                (4, 7),
                (4, 10),
                (5, 1),
                (5, 8),
                (5, 29),
                (8, 28),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2024,
            &[
                (1, 1),
                (3, 29),
                (4, 1),
                (5, 6),
                (5, 27),
                (8, 26),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2025,
            &[
                (1, 1),
                (4, 18),
                (4, 21),
                (5, 5),
                (5, 26),
                (8, 25),
                (12, 25),
                (12, 26),
            ],
        ),
        (
            2026,
            &[
                (1, 1),
                (4, 3),
                (4, 6),
                (5, 4),
                (5, 25),
                (8, 31),
                (12, 25),
                (12, 28),
            ],
        ),
    ];
    for (year, days) in published {
        let expected: Vec<NaiveDate> = days.iter().map(|&(m, d)| date(year, m, d)).collect();
        let got: Vec<NaiveDate> = bank_holidays(year)
            .unwrap()
            .iter()
            .map(|h| h.date)
            .collect();
        assert_eq!(got, expected, "{year}");
        for d in expected {
            assert!(is_bank_holiday(d));
        }
    }
    let names: Vec<&str> = bank_holidays(2021)
        .unwrap()
        .iter()
        .map(|h| h.name)
        .collect();
    assert_eq!(names[6], "Christmas Day (substitute day)");
    assert_eq!(names[7], "Boxing Day (substitute day)");
}

#[test]
fn bank_holiday_weekends() {
    // Easter 2017: Good Friday 14 April, Easter Monday 17 April. Kept nights: Thu 13, Fri 14,
    // Sun 16, Mon 17; with fri,sat only Friday 14.
    let bh = window(&[("calendar", "bank-holidays"), ("hours", "20:00-04:00")]);
    for d in [13, 14, 16, 17] {
        assert!(bh.contains(at(2017, 4, d, 23, 0)), "13–17 April: {d}");
        assert!(
            bh.contains(at(2017, 4, d + 1, 2, 0)),
            "small hours after {d}"
        );
    }
    assert!(
        !bh.contains(at(2017, 4, 15, 23, 0)),
        "Easter Saturday is no bank holiday"
    );
    assert!(!bh.contains(at(2017, 4, 12, 23, 0)));
    let weekend = window(&[("calendar", "bank-holidays"), ("preset", "nte")]);
    assert!(weekend.contains(at(2017, 4, 14, 23, 0)));
    assert!(!weekend.contains(at(2017, 4, 13, 23, 0)) && !weekend.contains(at(2017, 4, 16, 23, 0)));
    // Over 2017 the only Friday or Saturday night on or before a bank holiday is Good
    // Friday's (the others fall on Sunday and Monday nights): one 8-hour night in the year.
    let year_weight = weekend.weight(at(2017, 1, 1, 12, 0), at(2017, 12, 31, 12, 0));
    let fri_sat_bh_nights = (0..365)
        .map(|i| date(2017, 1, 1) + Duration::days(i))
        .filter(|d| {
            d.weekday().num_days_from_monday() >= 4 && d.weekday().num_days_from_monday() <= 5
        })
        .filter(|d| is_bank_holiday(*d) || is_bank_holiday(*d + Duration::days(1)))
        .count();
    assert_eq!(fri_sat_bh_nights, 1);
    let elapsed_min = (london_to_utc(naive(2017, 12, 31, 12, 0)).unwrap()
        - london_to_utc(naive(2017, 1, 1, 12, 0)).unwrap())
    .num_minutes();
    assert_eq!(year_weight, 480.0 / elapsed_min as f64);
}

#[test]
fn event_nights() {
    let events = EventCalendar::from_reader(
        "date,name\n2017-08-12,Portsmouth v Rochdale\n2017-08-26,Portsmouth v Bristol Rovers\n"
            .as_bytes(),
    )
    .unwrap();
    let p = params(&[("calendar", "events"), ("preset", "evening")]);
    let w = Window::parse(&p, Some(&events)).unwrap();
    assert!(w.contains(at(2017, 8, 12, 17, 0)));
    assert!(
        w.contains(at(2017, 8, 13, 4, 59)),
        "the match night runs to 05:00"
    );
    assert!(
        !w.contains(at(2017, 8, 12, 4, 0)),
        "the night before the match day"
    );
    assert!(!w.contains(at(2017, 8, 13, 17, 0)));
    assert!(w.contains(at(2017, 8, 26, 23, 0)));
    assert_eq!(
        w.describe(),
        "Every day, 17:00 to 05:00 the next morning (preset evening: evening and night-time \
         economy), all dates, only nights that fall on an event day (2 in the calendar)."
    );
    // A whole August: two 12-hour nights out of 31 days.
    assert_eq!(
        w.weight(at(2017, 8, 1, 0, 0), at(2017, 9, 1, 0, 0)),
        (2.0 * 12.0) / (31.0 * 24.0)
    );
    assert_eq!(Window::parse(&w.to_params(), Some(&events)).unwrap(), w);
}

#[test]
fn parameters_and_description() {
    let w = window(&[("preset", "nte"), ("from", "2017-02"), ("to", "2017-07")]);
    assert_eq!(
        serde_json::to_string(&w).unwrap(),
        r#"{"from":"2017-02-01","to":"2017-07-31","days":"fri,sat","hours":"20:00-04:00","preset":"nte","calendar":null}"#
    );
    assert_eq!(
        w.describe(),
        "Fridays and Saturdays, 20:00 to 04:00 the next morning (preset nte: night-time \
         economy), 1 February 2017 to 31 July 2017."
    );
    let d = window(&[
        ("days", "mon,wed"),
        ("calendar", "bank-holidays"),
        ("from", "2020-05-01"),
    ]);
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({"from": "2020-05-01", "to": null, "days": "mon,wed", "hours": null,
                           "preset": null, "calendar": "bank-holidays"})
    );
    assert_eq!(
        d.describe(),
        "Mondays and Wednesdays, all day, from 1 May 2020, only days that fall on a bank \
         holiday or the day before one."
    );
    assert_eq!(
        Window::default().describe(),
        "All days and times, all dates."
    );
    let extent = Window::default().with_data_extent(date(2017, 2, 1), date(2017, 9, 30));
    assert_eq!(extent.to_params().to.as_deref(), Some("2017-09-30"));
    assert!(!extent.contains(at(2017, 10, 1, 0, 0)));
    // Round trips, including a preset overridden to every day.
    for w in [
        w,
        d,
        window(&[("preset", "nte"), ("days", "mon,tue,wed,thu,fri,sat,sun")]),
        window(&[("hours", "07:00-09:30"), ("days", "sat,sun")]),
    ] {
        assert_eq!(Window::try_from(w.to_params()).unwrap(), w);
    }
}

/// An independent oracle: the in-window test written with chrono dates and times, per the
/// definition (night date, day, hours, range, bank holidays).
#[derive(Debug)]
struct Spec {
    days: [bool; 7],
    hours: Option<(u32, u32)>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    bank_holidays: bool,
}

impl Spec {
    fn params(&self) -> WindowParams {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let days: Vec<&str> = (0..7).filter(|&i| self.days[i]).map(|i| names[i]).collect();
        WindowParams {
            from: self.from.map(|d| d.to_string()),
            to: self.to.map(|d| d.to_string()),
            days: Some(days.join(",")),
            hours: self
                .hours
                .map(|(a, b)| format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)),
            preset: None,
            calendar: self.bank_holidays.then(|| "bank-holidays".to_owned()),
        }
    }

    fn contains(&self, t: NaiveDateTime) -> bool {
        let minute = t.time().signed_duration_since(NaiveTime::MIN).num_minutes() as u32;
        let (night, in_hours) = match self.hours {
            None => (t.date(), true),
            Some((a, b)) if a < b => (t.date(), a <= minute && minute < b),
            Some((_, b)) if minute < b => (t.date().pred_opt().unwrap(), true),
            Some((a, _)) => (t.date(), minute >= a),
        };
        in_hours
            && self.days[night.weekday().num_days_from_monday() as usize]
            && self.from.is_none_or(|f| night >= f)
            && self.to.is_none_or(|l| night <= l)
            && (!self.bank_holidays
                || is_bank_holiday(night)
                || is_bank_holiday(night.succ_opt().unwrap()))
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::array::uniform7(any::<bool>()),
        prop::option::weighted(0.9, (0u32..1440, 0u32..1440)),
        prop::option::of(0i64..1500),
        prop::option::of(0i64..400),
        prop::bool::weighted(0.2),
    )
        .prop_filter_map(
            "a window needs a day and non-empty hours",
            |(days, hours, from, len, bh)| {
                if !days.contains(&true) || hours.is_some_and(|(a, b)| a == b) {
                    return None;
                }
                let from = from.map(|d| date(2016, 1, 1) + Duration::days(d));
                let to = match (from, len) {
                    (Some(f), Some(l)) => Some(f + Duration::days(l)),
                    (None, Some(l)) => Some(date(2017, 1, 1) + Duration::days(l * 3)),
                    (_, None) => None,
                };
                Some(Spec {
                    days,
                    hours,
                    from,
                    to,
                    bank_holidays: bh,
                })
            },
        )
}

/// Starts near clock changes half the time, anywhere in 2016–2019 otherwise.
fn span() -> impl Strategy<Value = (NaiveDateTime, i64)> {
    let changes = [
        date(2017, 3, 26),
        date(2017, 10, 29),
        date(2018, 3, 25),
        date(2019, 10, 27),
    ];
    (
        prop_oneof![
            prop::sample::select(changes.to_vec()),
            (0i64..1460).prop_map(|d| date(2016, 1, 1) + Duration::days(d)),
        ],
        -1440i64..1440,
        prop_oneof![Just(0i64), 1i64..600, 1i64..4320, 4320i64..30_000],
    )
        .prop_map(|(day, offset, len)| {
            (
                day.and_time(NaiveTime::MIN) + Duration::minutes(offset),
                len,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The weight is the share of elapsed minutes (walked in UTC, read on the Europe/London
    /// clock) that the oracle puts in the window; an instant weighs 1 or 0.
    #[test]
    fn weight_is_the_brute_force_share(spec in spec(), (start, len) in span()) {
        let end = start + Duration::minutes(len);
        let (Ok(s_utc), Ok(e_utc)) = (london_to_utc(start), london_to_utc(end)) else {
            return Ok(()); // a wall time the clocks skip cannot be an incident's
        };
        let w = Window::try_from(spec.params()).unwrap();
        let got = w.weight(local_minutes(start), local_minutes(end));
        prop_assert!((0.0..=1.0).contains(&got));
        let expected = if len == 0 || spec.hours.is_none() {
            f64::from(u8::from(spec.contains(start)))
        } else {
            let total = (e_utc - s_utc).num_minutes();
            let inside = (0..total)
                .filter(|i| spec.contains(utc_to_london(s_utc + Duration::minutes(*i))))
                .count();
            inside as f64 / total as f64
        };
        prop_assert!((got - expected).abs() < 1e-12, "got {got}, expected {expected}");
    }

    /// Any minutes, however absurd, give a weight in [0, 1] and no panic.
    #[test]
    fn weight_is_bounded(spec in spec(), s in any::<i64>(), e in any::<i64>()) {
        let w = Window::try_from(spec.params()).unwrap();
        let x = w.weight(s, e);
        prop_assert!((0.0..=1.0).contains(&x), "{x}");
        let _ = w.night_date(s);
    }
}
