//! Word forms as lexicons write them: `*` globs and the regular inflections of `family` mode.
//! Below both the lexicon (which checks exclusions against forms) and the matcher.

/// Whether a case-folded glob word (with `*` = any run, possibly empty, of letters and digits)
/// matches a whole case-folded token.
pub fn glob_matches(pattern: &str, token: &str) -> bool {
    match pattern.find('*') {
        None => pattern == token,
        Some(k) => {
            let Some(rest_of_token) = token.strip_prefix(&pattern[..k]) else {
                return false;
            };
            let rest = &pattern[k + 1..];
            let mut idx = 0;
            loop {
                if glob_matches(rest, &rest_of_token[idx..]) {
                    return true;
                }
                match rest_of_token[idx..].chars().next() {
                    Some(c) if c.is_alphanumeric() => idx += c.len_utf8(),
                    _ => return false,
                }
            }
        }
    }
}

/// The regular inflections of a case-folded word, for `family` mode: -s/-es, possessive -'s
/// (the plural possessive "advisers'" is the token "advisers"), -ed/-d, -ing, with
/// silent-e drop, consonant + y to -ies/-ied, and final-consonant doubling. Doubling depends on
/// stress, which spelling does not show ("admitted" but "visited"; British "travelled"), so after
/// a single vowel + consonant both spellings are generated; the one English does not use never
/// occurs in text. Words not ending in a letter are not inflected.
pub fn inflections(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < 2 || !chars[n - 1].is_alphabetic() {
        return Vec::new();
    }
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    let last = chars[n - 1];
    let before = chars[n - 2];
    let stem_without_last: String = chars[..n - 1].iter().collect();
    let mut out: Vec<String> = Vec::new();
    // -s / -es
    if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with('z')
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        out.push(format!("{word}es"));
    } else if last == 'y' && !is_vowel(before) {
        out.push(format!("{stem_without_last}ies"));
    } else {
        out.push(format!("{word}s"));
    }
    out.push(format!("{word}'s"));
    // -ed / -d and -ing
    if last == 'e' {
        out.push(format!("{word}d"));
        if let Some(stem) = word.strip_suffix("ie") {
            out.push(format!("{stem}ying"));
        } else if matches!(before, 'e' | 'o' | 'y') {
            // agree -> agreeing, hoe -> hoeing, dye -> dyeing: the e stays
            out.push(format!("{word}ing"));
        } else {
            out.push(format!("{stem_without_last}ing"));
        }
    } else if last == 'y' && !is_vowel(before) {
        out.push(format!("{stem_without_last}ied"));
        out.push(format!("{word}ing"));
    } else {
        out.push(format!("{word}ed"));
        out.push(format!("{word}ing"));
        // Single vowel + single consonant (not w, x, y): plan -> planned, travel -> travelled.
        let third = if n >= 3 { Some(chars[n - 3]) } else { None };
        let single_vowel_before = is_vowel(before) && third.is_none_or(|c| !is_vowel(c));
        if single_vowel_before && !is_vowel(last) && !matches!(last, 'w' | 'x' | 'y') {
            out.push(format!("{word}{last}ed"));
            out.push(format!("{word}{last}ing"));
        }
    }
    out.retain(|v| v != word);
    out
}
