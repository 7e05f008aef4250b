//! Timestamps from logs → RFC 3339 UTC strings, without a date library.
//!
//! Observed flows keep `first_seen`/`last_seen` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds),
//! so they sort as text and compare across log formats.

/// Seconds since the Unix epoch for a civil UTC date-time (proleptic Gregorian).
pub fn epoch_from_civil(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `epoch` seconds.
pub fn format_epoch(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `+0200` / `-05:30` / `Z` → seconds east of UTC.
fn offset(s: &str) -> Option<i64> {
    if s == "Z" || s == "z" {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 {
        return None;
    }
    let h = i64::from(num(&digits[..2])?);
    let m = i64::from(num(&digits[2..])?);
    Some(sign * (h * 3600 + m * 60))
}

/// NGINX `$time_local`: `25/Oct/2016:14:49:33 +0200`.
pub fn parse_nginx(s: &str) -> Option<i64> {
    let (dt, off) = s.split_once(' ')?;
    let mut it = dt.splitn(4, [':', '/']);
    let d = num(it.next()?)?;
    let mon = it.next()?;
    let y = num(it.next()?)?;
    let rest = it.next()?;
    let m = match mon {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let mut t = rest.split(':');
    let hh = num(t.next()?)?;
    let mm = num(t.next()?)?;
    let ss = num(t.next()?)?;
    if !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(epoch_from_civil(i64::from(y), m, d, hh, mm, ss) - offset(off)?)
}

/// RFC 3339: `2021-10-04T14:28:38.735173594Z`, `2021-10-04T14:28:38+02:00`.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    if s.len() < 20 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let b = s.as_bytes();
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let y = num(&s[0..4])?;
    let m = num(&s[5..7])?;
    let d = num(&s[8..10])?;
    let hh = num(&s[11..13])?;
    let mm = num(&s[14..16])?;
    let ss = num(&s[17..19])?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[n..];
    }
    Some(epoch_from_civil(i64::from(y), m, d, hh, mm, ss) - offset(rest)?)
}

/// Zeek `ts`: seconds since the epoch with a fraction.
pub fn parse_epoch_float(s: &str) -> Option<i64> {
    let whole = s.split('.').next()?;
    let v: i64 = whole.parse().ok()?;
    (0..=253_402_300_799).contains(&v).then_some(v)
}

/// Any of the above, for CSV columns.
pub fn parse_any(s: &str) -> Option<i64> {
    parse_rfc3339(s)
        .or_else(|| parse_nginx(s))
        .or_else(|| parse_epoch_float(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            parse_nginx("25/Oct/2016:14:49:33 +0200").map(format_epoch),
            Some("2016-10-25T12:49:33Z".into())
        );
        assert_eq!(
            parse_rfc3339("2021-10-04T14:28:38.735173594Z").map(format_epoch),
            Some("2021-10-04T14:28:38Z".into())
        );
        assert_eq!(
            parse_rfc3339("2021-10-04T14:28:38-01:30").map(format_epoch),
            Some("2021-10-04T15:58:38Z".into())
        );
        assert_eq!(
            parse_epoch_float("1320279554.496300").map(format_epoch),
            Some("2011-11-03T00:19:14Z".into())
        );
        assert_eq!(parse_nginx("99/Foo/2016:14:49:33 +0200"), None);
        assert_eq!(parse_rfc3339("2021-1é-04T14:28:38Z"), None);
    }
}
