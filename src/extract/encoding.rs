//! Unicode encodings that are not ASCII-compatible (UTF-16, UTF-32), turned into UTF-8 before
//! the format is sniffed, so a UTF-16 page or Act is recognised as HTML or legislation XML and
//! every reader gets UTF-8.
//!
//! A byte-order mark decides (UTF-32 is tested before UTF-16: `FF FE 00 00` is also a UTF-16 LE
//! mark); without one, `--encoding utf-16le` / `utf-16be` is honoured. encoding_rs follows the
//! WHATWG Encoding Standard, which has no UTF-32, so UTF-32 is decoded here.

use crate::extract::ExtractError;

/// The Unicode encodings a byte-order mark can announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unicode {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Unicode {
    pub fn name(self) -> &'static str {
        match self {
            Unicode::Utf8 => "UTF-8",
            Unicode::Utf16Le => "UTF-16LE",
            Unicode::Utf16Be => "UTF-16BE",
            Unicode::Utf32Le => "UTF-32LE",
            Unicode::Utf32Be => "UTF-32BE",
        }
    }
}

/// The encoding a byte-order mark at the start of `bytes` announces, and the mark's length.
pub fn unicode_bom(bytes: &[u8]) -> Option<(Unicode, usize)> {
    if bytes.starts_with(b"\xFF\xFE\x00\x00") {
        Some((Unicode::Utf32Le, 4))
    } else if bytes.starts_with(b"\x00\x00\xFE\xFF") {
        Some((Unicode::Utf32Be, 4))
    } else if bytes.starts_with(b"\xEF\xBB\xBF") {
        Some((Unicode::Utf8, 3))
    } else if bytes.starts_with(b"\xFF\xFE") {
        Some((Unicode::Utf16Le, 2))
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some((Unicode::Utf16Be, 2))
    } else {
        None
    }
}

/// `bytes` as UTF-8 text when they are UTF-16 or UTF-32 (by their byte-order mark, or by the
/// user's `--encoding` naming UTF-16 when they have none); `None` when they are left as they are
/// (UTF-8, or an ASCII-compatible encoding that the format's reader decodes).
pub fn transcode(
    bytes: &[u8],
    user_encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Option<String>, ExtractError> {
    let (unicode, body) = match unicode_bom(bytes) {
        Some((Unicode::Utf8, _)) => return Ok(None),
        Some((unicode, len)) => (unicode, &bytes[len..]),
        None => match user_encoding {
            Some(e) if e == encoding_rs::UTF_16LE => (Unicode::Utf16Le, bytes),
            Some(e) if e == encoding_rs::UTF_16BE => (Unicode::Utf16Be, bytes),
            _ => return Ok(None),
        },
    };
    let invalid = || {
        ExtractError::Encoding(format!(
            "not valid {} text (its byte-order mark or --encoding says it is)",
            unicode.name()
        ))
    };
    match unicode {
        Unicode::Utf16Le | Unicode::Utf16Be => {
            let encoding = if unicode == Unicode::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            if had_errors {
                return Err(invalid());
            }
            Ok(Some(text.into_owned()))
        }
        Unicode::Utf32Le | Unicode::Utf32Be => {
            if body.len() % 4 != 0 {
                return Err(invalid());
            }
            let mut text = String::with_capacity(body.len() / 4);
            for unit in body.chunks_exact(4) {
                let unit = [unit[0], unit[1], unit[2], unit[3]];
                let value = if unicode == Unicode::Utf32Le {
                    u32::from_le_bytes(unit)
                } else {
                    u32::from_be_bytes(unit)
                };
                text.push(char::from_u32(value).ok_or_else(invalid)?);
            }
            Ok(Some(text))
        }
        Unicode::Utf8 => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf32(text: &str, little: bool) -> Vec<u8> {
        let mut bytes = if little {
            b"\xFF\xFE\x00\x00".to_vec()
        } else {
            b"\x00\x00\xFE\xFF".to_vec()
        };
        for c in text.chars() {
            let v = c as u32;
            bytes.extend(if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            });
        }
        bytes
    }

    #[test]
    fn utf32_is_not_taken_for_utf16() {
        for little in [true, false] {
            let bytes = utf32("inform – café ½", little);
            assert_eq!(
                transcode(&bytes, None).unwrap().as_deref(),
                Some("inform – café ½")
            );
        }
        assert!(transcode(b"\xFF\xFE\x00\x00\x00\xD8\x00\x00", None).is_err());
    }

    #[test]
    fn utf16_without_a_bom_needs_the_encoding() {
        let bytes: Vec<u8> = "inform".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(transcode(&bytes, None).unwrap(), None);
        assert_eq!(
            transcode(&bytes, Some(encoding_rs::UTF_16LE))
                .unwrap()
                .as_deref(),
            Some("inform")
        );
        // UTF-8 and legacy encodings are left to the readers.
        assert_eq!(transcode(b"\xEF\xBB\xBFinform", None).unwrap(), None);
        assert_eq!(
            transcode(b"caf\xE9", Some(encoding_rs::WINDOWS_1252)).unwrap(),
            None
        );
    }
}
