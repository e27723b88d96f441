//! Tests of identity-number parsing: the glossary's examples, every refusal, and properties over generated numbers.

use proptest::prelude::*;
use time::macros::date;
use time::Date;

use super::*;

const TODAY: Date = date!(2026 - 11 - 25);

#[test]
fn the_glossary_personnummer_parses_with_its_century_and_sex() {
    let number = IdentityNumber::parse("640823-3234", TODAY).unwrap();
    assert_eq!(number.stored(), "196408233234");
    assert_eq!(number.long(), "19640823-3234");
    assert_eq!(number.kind(), IdentityNumberKind::Personnummer);
    assert_eq!(number.sex(), Sex::Male);
    assert_eq!(number.date_part(), date!(1964 - 08 - 23));
}

#[test]
fn the_glossary_samordningsnummer_parses_with_day_minus_sixty() {
    let number = IdentityNumber::parse("701063-2391", TODAY).unwrap();
    assert_eq!(number.kind(), IdentityNumberKind::Samordningsnummer);
    assert_eq!(number.date_part(), date!(1970 - 10 - 03));
    assert_eq!(number.stored(), "197010632391");
}

#[test]
fn all_written_forms_of_one_number_are_equal() {
    let forms = ["640823-3234", "6408233234", "19640823-3234", "196408233234", " 640823-3234 "];
    let parsed: Vec<_> = forms.iter().map(|form| IdentityNumber::parse(form, TODAY).unwrap()).collect();
    assert!(parsed.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn a_ten_digit_number_takes_the_latest_century_not_in_the_future() {
    let child = IdentityNumber::from_parts(date!(2012 - 03 - 04), 123, IdentityNumberKind::Personnummer).unwrap();
    let short = child.short(TODAY);
    assert_eq!(IdentityNumber::parse(&short, TODAY).unwrap().date_part().year(), 2012);
    // Read in 2011, the same ten digits are someone born in 1912, aged 99 by year.
    assert_eq!(IdentityNumber::parse(&short, date!(2011 - 01 - 01)).unwrap().date_part().year(), 1912);
    // Read two days before the birth, they would be a child not yet born, or someone born in 1912 whose number
    // would by then be written with '+': refused.
    assert_eq!(IdentityNumber::parse(&short, date!(2012 - 03 - 02)), Err(IdentityNumberError::DateAfterReferenceDate));
}

#[test]
fn plus_moves_the_century_back_from_the_hundredth_year() {
    let old = IdentityNumber::from_parts(date!(1926 - 12 - 30), 456, IdentityNumberKind::Personnummer).unwrap();
    assert_eq!(old.short(TODAY), format!("261230+{}", &old.stored()[8..]));
    assert_eq!(IdentityNumber::parse(&old.short(TODAY), TODAY), Ok(old));
    let young = IdentityNumber::from_parts(date!(1990 - 01 - 01), 456, IdentityNumberKind::Personnummer).unwrap();
    assert_eq!(
        IdentityNumber::parse(&young.long().replace('-', "+"), TODAY),
        Err(IdentityNumberError::PlusBeforeHundredthYear)
    );
}

#[test]
fn each_malformed_input_is_refused_with_its_reason() {
    use IdentityNumberError::*;
    let cases = [
        ("", Empty),
        ("   ", Empty),
        ("640823_3234", UnexpectedCharacter { position: 6 }),
        ("640823-32-34", UnexpectedCharacter { position: 9 }),
        ("64082-33234", MisplacedSeparator),
        ("640823-323", BadLength { digits: 9 }),
        ("640823-32345", BadLength { digits: 11 }),
        ("641323-3234", BadDate),
        ("640230-3234", BadDate),
        ("640800-3234", BadDate),
        ("640892-3234", BadDate),
        ("640823-0000", SerialZero),
        ("640823-3235", BadCheckDigit),
        ("20640823-3234", DateAfterReferenceDate),
    ];
    for (input, expected) in cases {
        assert_eq!(IdentityNumber::parse(input, TODAY), Err(expected), "input {input:?}");
    }
}

#[test]
fn the_stored_form_is_checked_when_read_back() {
    assert_eq!(IdentityNumber::from_stored("196408233235"), Err(IdentityNumberError::BadCheckDigit));
    assert_eq!(IdentityNumber::from_stored("1964082332"), Err(IdentityNumberError::BadLength { digits: 10 }));
    assert!(IdentityNumber::from_stored("196408233234").is_ok());
}

#[test]
fn debug_output_never_shows_the_digits() {
    let number = IdentityNumber::parse("640823-3234", TODAY).unwrap();
    let shown = format!("{number:?}");
    assert!(!shown.contains("3234") && !shown.contains("640823"), "{shown}");
}

fn any_number() -> impl Strategy<Value = IdentityNumber> {
    (1900i32..=2026, 1u8..=12, 1u8..=31, 1u16..=999, any::<bool>()).prop_filter_map(
        "a real date up to today",
        |(year, month, day, serial, coordination)| {
            let birth = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
            let kind =
                if coordination { IdentityNumberKind::Samordningsnummer } else { IdentityNumberKind::Personnummer };
            (birth <= TODAY).then(|| IdentityNumber::from_parts(birth, serial, kind).ok()).flatten()
        },
    )
}

proptest! {
    #[test]
    fn every_valid_number_formats_and_parses_back_to_itself(number in any_number()) {
        prop_assert_eq!(IdentityNumber::parse(&number.long(), TODAY), Ok(number));
        prop_assert_eq!(IdentityNumber::parse(&number.short(TODAY), TODAY), Ok(number));
        prop_assert_eq!(IdentityNumber::parse(&number.stored(), TODAY), Ok(number));
        prop_assert_eq!(IdentityNumber::from_stored(&number.stored()), Ok(number));
        let json = serde_json::to_string(&number).unwrap();
        prop_assert_eq!(serde_json::from_str::<IdentityNumber>(&json).unwrap(), number);
    }

    /// Every one of the ten digits that the check digit covers (the date part, the birth number and the check
    /// digit itself) is protected: changing any one of them is refused. The two century digits of the long form
    /// are outside the Luhn sum, which is why Lots stores the century it resolved rather than asking again.
    #[test]
    fn changing_any_single_checked_digit_is_refused(number in any_number(), position in 0usize..10, delta in 1u8..=9) {
        let mut digits: Vec<u8> = number.short(TODAY).bytes().collect();
        let index = if position < 6 { position } else { position + 1 };
        digits[index] = b'0' + (digits[index] - b'0' + delta) % 10;
        let changed = String::from_utf8(digits).unwrap();
        prop_assert!(IdentityNumber::parse(&changed, TODAY).is_err(), "{} was accepted", changed);
    }
}
