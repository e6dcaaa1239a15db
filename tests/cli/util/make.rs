//! Input files written byte by byte for the tests: PDFs with known text (standard Helvetica, no
//! embedded fonts), ZIP archives (Word documents), and DEFLATE streams that unpack to far more
//! than they hold.

use std::io::Write;

/// A PDF from its objects (numbered from 1; object 1 is the catalogue), with a correct xref.
pub fn pdf_from_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A PDF stream object: `dict_entries` (each followed by a space) and `content`.
pub fn pdf_stream(dict_entries: &str, content: &[u8]) -> Vec<u8> {
    let mut object =
        format!("<< /Length {} {dict_entries}>>\nstream\n", content.len()).into_bytes();
    object.extend_from_slice(content);
    object.extend_from_slice(b"\nendstream");
    object
}

/// A one-page PDF drawing `content` with Helvetica as /F1 and `resources` added to its
/// resource dictionary; `extra` objects follow as 6, 7, ...
pub fn one_page_pdf(content: &[u8], resources: &str, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> {resources} >> >>"
        )
        .into_bytes(),
        pdf_stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    objects.extend_from_slice(extra);
    pdf_from_objects(&objects)
}

/// A one-page PDF with the given lines of text.
pub fn text_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::new();
    for (i, line) in lines.iter().enumerate() {
        content.push_str(&format!(
            "BT /F1 11 Tf 72 {} Td ({line}) Tj ET\n",
            780 - 14 * i
        ));
    }
    one_page_pdf(content.as_bytes(), "", &[])
}

/// Builds a PDF whose pages hold the given lines, top to bottom, in 11 pt Helvetica. Each line is
/// placed on its own baseline; an empty line leaves a paragraph gap.
pub fn pages_pdf(pages: &[Vec<&str>]) -> Vec<u8> {
    let page_count = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {page_count} >>",
            (0..page_count)
                .map(|i| format!("{} 0 R", 4 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
    ];
    for (i, lines) in pages.iter().enumerate() {
        let mut stream = String::new();
        let mut y = 800.0;
        for line in lines {
            if !line.is_empty() {
                let escaped = line
                    .replace('\\', "\\\\")
                    .replace('(', "\\(")
                    .replace(')', "\\)");
                stream.push_str(&format!("BT /F1 11 Tf 72 {y} Td ({escaped}) Tj ET\n"));
            }
            y -= if line.is_empty() { 8.0 } else { 14.0 };
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}endstream",
            stream.len()
        ));
    }
    let objects: Vec<Vec<u8>> = objects.into_iter().map(String::into_bytes).collect();
    pdf_from_objects(&objects)
}

/// A ZIP archive as Word writes it (deflated entries), made with the `zip` crate.
pub fn zip_deflated(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).expect("start entry");
        zip.write_all(data).expect("write entry");
    }
    zip.finish().expect("finish zip").into_inner()
}

/// A raw DEFLATE stream (one block of fixed Huffman codes, RFC 1951) that unpacks to
/// `1 + 258 * repeats` copies of `byte`: one literal, then back-references of the maximum
/// length, about 13 bits per 258 bytes. A zip bomb without compressing anything.
pub fn deflate_bomb(byte: u8, repeats: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        /// Appends `count` bits of `value`, least significant first (header fields).
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes are packed most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let reversed = code.reverse_bits() >> (64 - count);
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: Vec::with_capacity(repeats * 13 / 8 + 16),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30 + u64::from(byte), 8); // literal (0..=143: 8-bit codes from 0x30)
    for _ in 0..repeats {
        bits.code(0xC0 + 5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
    }
    bits.code(0, 7); // end of block (256)
    bits.put(0, 7); // flush
    bits.out
}

/// A ZIP archive of already-compressed entries, each (name, method, data, CRC, declared
/// size): whatever sizes and checksums the test wants it to claim.
pub fn raw_zip(entries: &[(&str, u16, &[u8], u32, u32)]) -> Vec<u8> {
    let mut zip = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for &(name, method, data, crc, size) in entries {
        let offset = u32::try_from(zip.len()).expect("small zip");
        let compressed = u32::try_from(data.len()).expect("small entry");
        let name_len = u16::try_from(name.len()).expect("short name");
        le32(&mut zip, 0x0403_4b50);
        for v in [20, 0, method, 0, 0x21] {
            le16(&mut zip, v); // version, flags, method, time, date (1980-01-01)
        }
        for v in [crc, compressed, size] {
            le32(&mut zip, v);
        }
        le16(&mut zip, name_len);
        le16(&mut zip, 0);
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(data);

        le32(&mut central, 0x0201_4b50);
        for v in [20, 20, 0, method, 0, 0x21] {
            le16(&mut central, v);
        }
        for v in [crc, compressed, size] {
            le32(&mut central, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            le16(&mut central, v); // name, extra, comment lengths, disk, internal attributes
        }
        le32(&mut central, 0); // external attributes
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(zip.len()).expect("small zip");
    let central_len = u32::try_from(central.len()).expect("small directory");
    let count = u16::try_from(entries.len()).expect("few entries");
    zip.extend_from_slice(&central);
    le32(&mut zip, 0x0605_4b50);
    for v in [0, 0, count, count] {
        le16(&mut zip, v);
    }
    le32(&mut zip, central_len);
    le32(&mut zip, central_offset);
    le16(&mut zip, 0);
    zip
}

/// CRC-32 (IEEE), bit by bit: only for the few small entries written by the tests.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
