//! Vietnamese name order: the key staff lists are sorted by.
//!
//! Letters compare in the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q
//! r s t u ư v x y; the foreign f j w z at their Latin places), so "Đặng" comes after
//! every "D…". Tone marks (none, huyền, hỏi, ngã, sắc, nặng) only break ties between
//! names whose letters are the same ("Anh" before "Ánh"). A name sorts by its given name
//! — the last word — then by the family and middle names in order, as Vietnamese staff
//! lists are. Pure.

use unicode_normalization::UnicodeNormalization;

/// The alphabet, in order; the foreign letters sit where Latin puts them.
const ALPHABET: [char; 33] = [
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];

/// The tone marks (combining), in dictionary order after the level tone (ngang).
const TONES: [char; 5] = [
    '\u{300}', // huyền
    '\u{309}', // hỏi
    '\u{303}', // ngã
    '\u{301}', // sắc
    '\u{323}', // nặng
];

/// Where `name` sorts in a Vietnamese list: compare keys, not names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameKey {
    /// The letters of the given name, then of the other names, each word ended by 0.
    letters: Vec<u16>,
    /// The tone of each letter, in the same order (0: none).
    tones: Vec<u8>,
    /// The name itself, last: keys of different names never compare equal.
    text: String,
}

/// The sort key of a full name ("Nguyễn Văn An": An, then Nguyễn Văn).
pub fn sort_key(full_name: &str) -> NameKey {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let mut key = NameKey {
        letters: Vec::new(),
        tones: Vec::new(),
        text: full_name.to_string(),
    };
    if let Some((given, others)) = words.split_last() {
        for word in std::iter::once(given).chain(others) {
            add_word(&mut key, word);
        }
    }
    key
}

/// The sort key of a name read in its own word order (a unit's: "Xã Pom Lót").
pub fn text_key(name: &str) -> NameKey {
    let mut key = NameKey {
        letters: Vec::new(),
        tones: Vec::new(),
        text: name.to_string(),
    };
    for word in name.split_whitespace() {
        add_word(&mut key, word);
    }
    key
}

/// Adds one word's letters and tones, then the word's end.
fn add_word(key: &mut NameKey, word: &str) {
    // Composed first: a letter typed as base + marks is one letter.
    for c in word.nfc() {
        let (letter, tone) = letter_and_tone(c);
        if let Some(rank) = letter {
            key.letters.push(rank);
            key.tones.push(tone);
        }
    }
    key.letters.push(0);
    key.tones.push(0);
}

/// A character's rank (digits before letters, anything else after them; punctuation
/// such as the apostrophe of "H'Mông" left out) and its tone.
fn letter_and_tone(c: char) -> (Option<u16>, u8) {
    let mut decomposed = c.to_lowercase().nfd();
    let Some(base) = decomposed.next() else {
        return (None, 0);
    };
    let mut modifier = None;
    let mut tone = 0;
    for mark in decomposed {
        match TONES.iter().position(|t| *t == mark) {
            Some(i) => tone = i as u8 + 1,
            None => modifier = Some(mark),
        }
    }
    let letter = match (base, modifier) {
        ('a', Some('\u{306}')) => 'ă',
        ('a', Some('\u{302}')) => 'â',
        ('e', Some('\u{302}')) => 'ê',
        ('o', Some('\u{302}')) => 'ô',
        ('o', Some('\u{31b}')) => 'ơ',
        ('u', Some('\u{31b}')) => 'ư',
        (base, _) => base,
    };
    let rank = if let Some(i) = ALPHABET.iter().position(|a| *a == letter) {
        Some(100 + i as u16)
    } else if let Some(digit) = letter.to_digit(10) {
        Some(1 + digit as u16)
    } else if letter.is_alphabetic() {
        Some(200 + (u32::from(letter) % 60_000) as u16)
    } else {
        None
    };
    (rank, tone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_sorts_by_its_words_in_their_order() {
        assert!(text_key("Xã Pom Lót") < text_key("Xã Thanh Nưa"));
        assert!(text_key("Phòng Nội vụ") < text_key("Phòng Tài chính - Kế hoạch"));
        assert!(text_key("Đội Quản lý thị trường") > text_key("Dân số"));
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        names.sort_by_cached_key(|n| sort_key(n));
        names
    }

    #[test]
    fn d_with_stroke_comes_after_every_d() {
        assert!(sort_key("Đặng") > sort_key("Dương"));
        assert!(sort_key("Đa") > sort_key("Dy"));
        assert_eq!(sorted(&["Đào", "Dung", "Duy"]), ["Dung", "Duy", "Đào"]);
    }

    #[test]
    fn tones_only_break_ties_between_the_same_letters() {
        assert!(sort_key("Ánh") > sort_key("Anh"));
        assert_eq!(
            sorted(&["Ạn", "Án", "Ãn", "Ản", "Àn", "An"]),
            ["An", "Àn", "Ản", "Ãn", "Án", "Ạn"]
        );
        // Letters first: "Ánh" (a-n-h) comes before "Ao" whatever the tones.
        assert!(sort_key("Ánh") < sort_key("Ao"));
    }

    #[test]
    fn letters_follow_the_vietnamese_alphabet() {
        assert!(sort_key("Bình") < sort_key("Châu"));
        assert_eq!(
            sorted(&["Ân", "Ăn", "An", "Ơn", "Ôn", "On", "Ưng", "Ung", "Ên", "En"]),
            ["An", "Ăn", "Ân", "En", "Ên", "On", "Ôn", "Ơn", "Ung", "Ưng"]
        );
        assert!(sort_key("Yến") > sort_key("Xuân"));
        // A shorter word first: "An" before "Anh", "Hà" before "Hải".
        assert!(sort_key("An") < sort_key("Anh"));
        assert!(sort_key("Hà") < sort_key("Hải"));
    }

    #[test]
    fn names_sort_by_given_name_then_family_and_middle_names() {
        assert_eq!(
            sorted(&[
                "Nguyễn Văn Bình",
                "Trần Thị An",
                "Lò Văn An",
                "Đặng Thị Châu",
                "Dương Văn Châu",
            ]),
            [
                "Lò Văn An",
                "Trần Thị An",
                "Nguyễn Văn Bình",
                "Dương Văn Châu",
                "Đặng Thị Châu",
            ]
        );
        // The family name before the middle name.
        assert!(sort_key("Lò Văn An") < sort_key("Lò Xuân An"));
        assert!(sort_key("Cà Xuân An") < sort_key("Lò Văn An"));
    }

    #[test]
    fn case_precomposed_or_decomposed_and_extra_spaces_do_not_matter_but_keys_differ() {
        let composed = sort_key("Nguyễn Văn Ánh");
        let decomposed = sort_key(&"Nguyễn Văn Ánh".nfd().collect::<String>());
        assert_eq!(composed.letters, decomposed.letters);
        assert_eq!(composed.tones, decomposed.tones);
        assert_eq!(
            sort_key("LÒ  VĂN AN").letters,
            sort_key("lò văn an").letters
        );
        assert_ne!(sort_key("Lò Văn An"), sort_key("LÒ VĂN AN"));
        assert_eq!(sort_key("").letters, Vec::<u16>::new());
        // The apostrophe of an ethnic name is left out; a digit sorts before letters.
        assert_eq!(sort_key("H'Mông").letters, sort_key("HMông").letters);
        assert!(sort_key("An 2") < sort_key("An B"));
    }
}
