//! Moments in UTC, as the services write them: the signing time (`X-Sdk-Date`), a token's
//! expiry (RFC 3339), a `Retry-After` date (HTTP date). Always passed in by the caller;
//! never read from a clock here.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A moment in UTC, to the second: when a request is signed (`X-Sdk-Date`,
/// `YYYYMMDDTHHMMSSZ`), when a token expires, when `Retry-After` says to try again.
/// (Also `otc_jobs_core::auth::SigningTime`, its earlier name.)
///
/// ```
/// use otc_jobs_core::UtcTime;
/// let t = UtcTime::from_unix(1_716_286_830);
/// assert_eq!(t.sdk_date(), "20240521T102030Z");
/// assert_eq!(UtcTime::parse_sdk_date("20240521T102030Z"), Some(t));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    unix: u64,
}

impl UtcTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn from_unix(seconds: u64) -> UtcTime {
        UtcTime { unix: seconds }
    }

    /// Converts a `SystemTime` (times before 1970 read as 1970).
    pub fn from_system_time(time: SystemTime) -> UtcTime {
        let unix = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        UtcTime { unix }
    }

    /// Seconds since the epoch.
    pub const fn unix(self) -> u64 {
        self.unix
    }

    /// This time as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.unix)
    }

    /// `YYYYMMDDTHHMMSSZ`.
    pub fn sdk_date(self) -> String {
        let bytes = self.sdk_date_bytes();
        bytes.iter().map(|b| char::from(*b)).collect()
    }

    /// `YYYYMMDDTHHMMSSZ` as ASCII bytes, without allocating (the signer's form).
    pub(crate) fn sdk_date_bytes(self) -> [u8; 16] {
        let (y, mo, d, h, mi, s) = self.civil();
        // Years are 1970..=9999 for any u64 time a request can carry; wider ones are
        // written modulo 10000 rather than panicking.
        let year = y.rem_euclid(10_000) as u64;
        // Two digits at a time from a table (every request is dated).
        let [c0, c1] = two_digits(year / 100);
        let [y0, y1] = two_digits(year);
        let [mo0, mo1] = two_digits(mo);
        let [d0, d1] = two_digits(d);
        let [h0, h1] = two_digits(h);
        let [mi0, mi1] = two_digits(mi);
        let [s0, s1] = two_digits(s);
        [
            c0, c1, y0, y1, mo0, mo1, d0, d1, b'T', h0, h1, mi0, mi1, s0, s1, b'Z',
        ]
    }

    /// `YYYYMMDD`, the date of the derived-key signing scope.
    pub fn short_date(self) -> String {
        let (y, mo, d, ..) = self.civil();
        format!("{y:04}{mo:02}{d:02}")
    }

    /// Reads `YYYYMMDDTHHMMSSZ`; `None` when it is not a valid time in that form.
    pub fn parse_sdk_date(text: &str) -> Option<UtcTime> {
        let b = text.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let num = |range| digits(text, range);
        UtcTime::from_civil(
            num(0..4)?,
            num(4..6)?,
            num(6..8)?,
            num(9..11)?,
            num(11..13)?,
            num(13..15)?,
        )
    }

    /// Reads an RFC 3339 UTC time as IAM writes it (`2024-05-21T10:20:30.123000Z`,
    /// fractions dropped; an offset `+HH:MM` is applied).
    ///
    /// ```
    /// use otc_jobs_core::UtcTime;
    /// let t = UtcTime::parse_rfc3339("2024-05-21T10:20:30.123000Z");
    /// assert_eq!(t.map(|t| t.sdk_date()).as_deref(), Some("20240521T102030Z"));
    /// ```
    pub fn parse_rfc3339(text: &str) -> Option<UtcTime> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |range| digits(text, range);
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let base = UtcTime::from_civil(
            num(0..4)?,
            num(5..7)?,
            num(8..10)?,
            num(11..13)?,
            num(14..16)?,
            num(17..19)?,
        )?;
        let mut rest = &text[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            rest = &frac[digits..];
        }
        match rest {
            "Z" | "z" => Some(base),
            _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
                let sign = rest.as_bytes()[0];
                let offset = num(text.len() - 5..text.len() - 3)? * 3600
                    + num(text.len() - 2..text.len())? * 60;
                match sign {
                    b'+' => base.unix.checked_sub(offset).map(UtcTime::from_unix),
                    b'-' => Some(UtcTime::from_unix(base.unix + offset)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// This time as an HTTP date (IMF-fixdate): `Tue, 21 May 2024 10:20:30 GMT`.
    ///
    /// ```
    /// use otc_jobs_core::UtcTime;
    /// let t = UtcTime::from_unix(1_716_286_830);
    /// assert_eq!(t.http_date(), "Tue, 21 May 2024 10:20:30 GMT");
    /// assert_eq!(UtcTime::parse_http_date(&t.http_date()), Some(t));
    /// ```
    pub fn http_date(self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let (y, mo, d, h, mi, s) = self.civil();
        // 1970-01-01 was a Thursday.
        let weekday = DAYS[((self.unix / 86_400) % 7) as usize];
        let month = MONTHS[(mo.clamp(1, 12) - 1) as usize];
        format!("{weekday}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT")
    }

    /// Reads an HTTP date in its preferred form (IMF-fixdate, RFC 9110):
    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// ```
    /// use otc_jobs_core::UtcTime;
    /// let t = UtcTime::parse_http_date("Tue, 21 May 2024 10:20:30 GMT");
    /// assert_eq!(t.map(|t| t.sdk_date()).as_deref(), Some("20240521T102030Z"));
    /// ```
    pub fn parse_http_date(text: &str) -> Option<UtcTime> {
        let b = text.as_bytes();
        // `get`, not indexing: a multi-byte character may straddle a field (found by
        // fuzzing).
        if b.len() != 29 || text.get(3..5) != Some(", ") || !text.ends_with(" GMT") {
            return None;
        }
        let num = |range| digits(text, range);
        let name = text.get(8..11)?;
        let month = MONTHS.iter().position(|m| *m == name)? as u64 + 1;
        if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
            return None;
        }
        UtcTime::from_civil(
            num(12..16)?,
            month,
            num(5..7)?,
            num(17..19)?,
            num(20..22)?,
            num(23..25)?,
        )
    }

    fn from_civil(y: u64, mo: u64, d: u64, h: u64, mi: u64, s: u64) -> Option<UtcTime> {
        if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days_in_month = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if d == 0 || d > days_in_month[(mo - 1) as usize] {
            return None;
        }
        let days = days_from_civil(y as i64, mo as i64, d as i64);
        let unix = u64::try_from(days).ok()? * 86_400 + h * 3600 + mi * 60 + s;
        Some(UtcTime { unix })
    }

    fn civil(self) -> (i64, u64, u64, u64, u64, u64) {
        let days = (self.unix / 86_400) as i64;
        let secs = self.unix % 86_400;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

/// The two decimal digits of `value % 100`.
fn two_digits(value: u64) -> [u8; 2] {
    const PAIRS: [[u8; 2]; 100] = {
        let mut pairs = [[0u8; 2]; 100];
        let mut i = 0;
        while i < 100 {
            pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
            i += 1;
        }
        pairs
    };
    PAIRS[(value % 100) as usize]
}

/// Month names of HTTP dates.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The decimal number at `range` of `text`, if it is all ASCII digits.
fn digits(text: &str, range: std::ops::Range<usize>) -> Option<u64> {
    let part = text.get(range)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())?
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sdk_date())
    }
}

// Howard Hinnant's days-from-civil algorithms (public domain), proleptic Gregorian.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_date_digits_equal_formatted_fields() {
        // Every second of a day, and a day every 37 days up to 2100 and beyond 9999.
        let days = (0..1_200u64).map(|i| i * 37 * 86_400);
        let seconds = (0..86_400u64).step_by(7).chain([86_399]);
        for unix in days
            .chain(seconds)
            .chain([253_402_300_799, 253_402_300_800])
        {
            let (y, mo, d, h, mi, s) = UtcTime::from_unix(unix).civil();
            let y = y.rem_euclid(10_000);
            let formatted = format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z");
            assert_eq!(UtcTime::from_unix(unix).sdk_date(), formatted, "{unix}");
        }
    }

    #[test]
    fn formats_and_parses_round_trip() {
        for unix in [0, 951_782_400, 1_709_164_800, 1_716_286_830, 4_102_444_799] {
            let t = UtcTime::from_unix(unix);
            assert_eq!(UtcTime::parse_sdk_date(&t.sdk_date()), Some(t), "{unix}");
        }
        assert_eq!(
            UtcTime::from_unix(1_709_164_800).sdk_date(),
            "20240229T000000Z"
        );
        assert_eq!(UtcTime::from_unix(0).short_date(), "19700101");
    }

    #[test]
    fn refuses_bad_dates() {
        for bad in [
            "20240230T000000Z",
            "20230229T000000Z",
            "20240521T246030Z",
            "20240521 102030Z",
            "2024052T102030Z",
            "+0240521T102030Z",
        ] {
            assert_eq!(UtcTime::parse_sdk_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn writes_http_dates_that_read_back() {
        for unix in [0, 784_111_777, 1_709_251_199, 1_716_286_830, 4_102_444_799] {
            let t = UtcTime::from_unix(unix);
            assert_eq!(UtcTime::parse_http_date(&t.http_date()), Some(t), "{unix}");
        }
        assert_eq!(
            UtcTime::from_unix(784_111_777).http_date(),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            UtcTime::from_unix(0).http_date(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }

    #[test]
    fn reads_http_dates() {
        let at = |s| UtcTime::parse_http_date(s).map(UtcTime::sdk_date);
        assert_eq!(
            at("Sun, 06 Nov 1994 08:49:37 GMT").as_deref(),
            Some("19941106T084937Z")
        );
        assert_eq!(
            at("Thu, 29 Feb 2024 23:59:59 GMT").as_deref(),
            Some("20240229T235959Z")
        );
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:3x GMT",
            "",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_rfc3339_with_fractions_and_offsets() {
        let at = |s| UtcTime::parse_rfc3339(s).map(UtcTime::sdk_date);
        assert_eq!(
            at("2024-05-21T10:20:30Z").as_deref(),
            Some("20240521T102030Z")
        );
        assert_eq!(
            at("2024-05-21T10:20:30.5Z").as_deref(),
            Some("20240521T102030Z")
        );
        assert_eq!(
            at("2024-05-21T12:20:30+02:00").as_deref(),
            Some("20240521T102030Z")
        );
        assert_eq!(
            at("2024-05-21T08:20:30-02:00").as_deref(),
            Some("20240521T102030Z")
        );
        assert_eq!(at("2024-05-21T10:20:30"), None);
        assert_eq!(at("not a date at all!!"), None);
    }
}
