//! Character references: named (the HTML 4 set, with the legacy names browsers accept without `;`), decimal and
//! hex, repaired as browsers repair them.

/// Decodes character references; `attr` applies the attribute-value rule for legacy names without `;`.
pub(super) fn decode_entities(s: &str, attr: bool) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match decode_reference(after, attr) {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference after `&` stands for, and how many bytes of `s` it used.
fn decode_reference(s: &str, attr: bool) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let hex = matches!(b.get(1), Some(b'x' | b'X'));
        let digits_start = if hex { 2 } else { 1 };
        let radix = if hex { 16 } else { 10 };
        let digits = b[digits_start..]
            .iter()
            .take_while(|c| (**c as char).is_digit(radix))
            .count();
        if digits == 0 {
            return None;
        }
        let mut value: u32 = 0;
        for &d in &b[digits_start..digits_start + digits] {
            let v = (d as char).to_digit(radix).unwrap_or(0);
            value = value.saturating_mul(radix).saturating_add(v).min(0x11_0000);
        }
        let mut used = digits_start + digits;
        if b.get(used) == Some(&b';') {
            used += 1;
        }
        return Some((numeric_char(value), used));
    }
    let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 {
        return None;
    }
    let name = &s[..name_len];
    if b.get(name_len) == Some(&b';')
        && let Some((c, _)) = lookup_entity(name)
    {
        return Some((c, name_len + 1));
    }
    // Legacy names are recognised without the semicolon, longest first (`&copy2024` is "©2024" in a browser).
    for k in (2..=name_len.min(6)).rev() {
        if let Some((c, true)) = lookup_entity(&name[..k]) {
            let next = b.get(k).copied();
            if attr && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'=') {
                return None;
            }
            return Some((c, k));
        }
    }
    None
}

fn numeric_char(value: u32) -> char {
    const CP1252: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let value = match value {
        0 => 0xFFFD,
        0x80..=0x9F => CP1252[(value - 0x80) as usize],
        v => v,
    };
    char::from_u32(value).unwrap_or('\u{FFFD}')
}

fn lookup_entity(name: &str) -> Option<(char, bool)> {
    ENTITIES
        .binary_search_by(|(n, _, _)| (*n).cmp(name))
        .ok()
        .map(|i| (ENTITIES[i].1, ENTITIES[i].2))
}

/// The HTML 4 character references (plus `apos` and the upper-case aliases HTML 5 keeps), sorted by name; the
/// flag marks the legacy ones browsers also accept without a semicolon.
const ENTITIES: [(&str, char, bool); 259] = [
    ("AElig", '\u{00C6}', true),
    ("AMP", '\u{0026}', true),
    ("Aacute", '\u{00C1}', true),
    ("Acirc", '\u{00C2}', true),
    ("Agrave", '\u{00C0}', true),
    ("Alpha", '\u{0391}', false),
    ("Aring", '\u{00C5}', true),
    ("Atilde", '\u{00C3}', true),
    ("Auml", '\u{00C4}', true),
    ("Beta", '\u{0392}', false),
    ("COPY", '\u{00A9}', true),
    ("Ccedil", '\u{00C7}', true),
    ("Chi", '\u{03A7}', false),
    ("Dagger", '\u{2021}', false),
    ("Delta", '\u{0394}', false),
    ("ETH", '\u{00D0}', true),
    ("Eacute", '\u{00C9}', true),
    ("Ecirc", '\u{00CA}', true),
    ("Egrave", '\u{00C8}', true),
    ("Epsilon", '\u{0395}', false),
    ("Eta", '\u{0397}', false),
    ("Euml", '\u{00CB}', true),
    ("GT", '\u{003E}', true),
    ("Gamma", '\u{0393}', false),
    ("Iacute", '\u{00CD}', true),
    ("Icirc", '\u{00CE}', true),
    ("Igrave", '\u{00CC}', true),
    ("Iota", '\u{0399}', false),
    ("Iuml", '\u{00CF}', true),
    ("Kappa", '\u{039A}', false),
    ("LT", '\u{003C}', true),
    ("Lambda", '\u{039B}', false),
    ("Mu", '\u{039C}', false),
    ("Ntilde", '\u{00D1}', true),
    ("Nu", '\u{039D}', false),
    ("OElig", '\u{0152}', false),
    ("Oacute", '\u{00D3}', true),
    ("Ocirc", '\u{00D4}', true),
    ("Ograve", '\u{00D2}', true),
    ("Omega", '\u{03A9}', false),
    ("Omicron", '\u{039F}', false),
    ("Oslash", '\u{00D8}', true),
    ("Otilde", '\u{00D5}', true),
    ("Ouml", '\u{00D6}', true),
    ("Phi", '\u{03A6}', false),
    ("Pi", '\u{03A0}', false),
    ("Prime", '\u{2033}', false),
    ("Psi", '\u{03A8}', false),
    ("QUOT", '\u{0022}', true),
    ("REG", '\u{00AE}', true),
    ("Rho", '\u{03A1}', false),
    ("Scaron", '\u{0160}', false),
    ("Sigma", '\u{03A3}', false),
    ("THORN", '\u{00DE}', true),
    ("Tau", '\u{03A4}', false),
    ("Theta", '\u{0398}', false),
    ("Uacute", '\u{00DA}', true),
    ("Ucirc", '\u{00DB}', true),
    ("Ugrave", '\u{00D9}', true),
    ("Upsilon", '\u{03A5}', false),
    ("Uuml", '\u{00DC}', true),
    ("Xi", '\u{039E}', false),
    ("Yacute", '\u{00DD}', true),
    ("Yuml", '\u{0178}', false),
    ("Zeta", '\u{0396}', false),
    ("aacute", '\u{00E1}', true),
    ("acirc", '\u{00E2}', true),
    ("acute", '\u{00B4}', true),
    ("aelig", '\u{00E6}', true),
    ("agrave", '\u{00E0}', true),
    ("alefsym", '\u{2135}', false),
    ("alpha", '\u{03B1}', false),
    ("amp", '\u{0026}', true),
    ("and", '\u{2227}', false),
    ("ang", '\u{2220}', false),
    ("apos", '\u{0027}', false),
    ("aring", '\u{00E5}', true),
    ("asymp", '\u{2248}', false),
    ("atilde", '\u{00E3}', true),
    ("auml", '\u{00E4}', true),
    ("bdquo", '\u{201E}', false),
    ("beta", '\u{03B2}', false),
    ("brvbar", '\u{00A6}', true),
    ("bull", '\u{2022}', false),
    ("cap", '\u{2229}', false),
    ("ccedil", '\u{00E7}', true),
    ("cedil", '\u{00B8}', true),
    ("cent", '\u{00A2}', true),
    ("chi", '\u{03C7}', false),
    ("circ", '\u{02C6}', false),
    ("clubs", '\u{2663}', false),
    ("cong", '\u{2245}', false),
    ("copy", '\u{00A9}', true),
    ("crarr", '\u{21B5}', false),
    ("cup", '\u{222A}', false),
    ("curren", '\u{00A4}', true),
    ("dArr", '\u{21D3}', false),
    ("dagger", '\u{2020}', false),
    ("darr", '\u{2193}', false),
    ("deg", '\u{00B0}', true),
    ("delta", '\u{03B4}', false),
    ("diams", '\u{2666}', false),
    ("divide", '\u{00F7}', true),
    ("eacute", '\u{00E9}', true),
    ("ecirc", '\u{00EA}', true),
    ("egrave", '\u{00E8}', true),
    ("empty", '\u{2205}', false),
    ("emsp", '\u{2003}', false),
    ("ensp", '\u{2002}', false),
    ("epsilon", '\u{03B5}', false),
    ("equiv", '\u{2261}', false),
    ("eta", '\u{03B7}', false),
    ("eth", '\u{00F0}', true),
    ("euml", '\u{00EB}', true),
    ("euro", '\u{20AC}', false),
    ("exist", '\u{2203}', false),
    ("fnof", '\u{0192}', false),
    ("forall", '\u{2200}', false),
    ("frac12", '\u{00BD}', true),
    ("frac14", '\u{00BC}', true),
    ("frac34", '\u{00BE}', true),
    ("frasl", '\u{2044}', false),
    ("gamma", '\u{03B3}', false),
    ("ge", '\u{2265}', false),
    ("gt", '\u{003E}', true),
    ("hArr", '\u{21D4}', false),
    ("harr", '\u{2194}', false),
    ("hearts", '\u{2665}', false),
    ("hellip", '\u{2026}', false),
    ("iacute", '\u{00ED}', true),
    ("icirc", '\u{00EE}', true),
    ("iexcl", '\u{00A1}', true),
    ("igrave", '\u{00EC}', true),
    ("image", '\u{2111}', false),
    ("infin", '\u{221E}', false),
    ("int", '\u{222B}', false),
    ("iota", '\u{03B9}', false),
    ("iquest", '\u{00BF}', true),
    ("isin", '\u{2208}', false),
    ("iuml", '\u{00EF}', true),
    ("kappa", '\u{03BA}', false),
    ("lArr", '\u{21D0}', false),
    ("lambda", '\u{03BB}', false),
    ("lang", '\u{27E8}', false),
    ("laquo", '\u{00AB}', true),
    ("larr", '\u{2190}', false),
    ("lceil", '\u{2308}', false),
    ("ldquo", '\u{201C}', false),
    ("le", '\u{2264}', false),
    ("lfloor", '\u{230A}', false),
    ("lowast", '\u{2217}', false),
    ("loz", '\u{25CA}', false),
    ("lrm", '\u{200E}', false),
    ("lsaquo", '\u{2039}', false),
    ("lsquo", '\u{2018}', false),
    ("lt", '\u{003C}', true),
    ("macr", '\u{00AF}', true),
    ("mdash", '\u{2014}', false),
    ("micro", '\u{00B5}', true),
    ("middot", '\u{00B7}', true),
    ("minus", '\u{2212}', false),
    ("mu", '\u{03BC}', false),
    ("nabla", '\u{2207}', false),
    ("nbsp", '\u{00A0}', true),
    ("ndash", '\u{2013}', false),
    ("ne", '\u{2260}', false),
    ("ni", '\u{220B}', false),
    ("not", '\u{00AC}', true),
    ("notin", '\u{2209}', false),
    ("nsub", '\u{2284}', false),
    ("ntilde", '\u{00F1}', true),
    ("nu", '\u{03BD}', false),
    ("oacute", '\u{00F3}', true),
    ("ocirc", '\u{00F4}', true),
    ("oelig", '\u{0153}', false),
    ("ograve", '\u{00F2}', true),
    ("oline", '\u{203E}', false),
    ("omega", '\u{03C9}', false),
    ("omicron", '\u{03BF}', false),
    ("oplus", '\u{2295}', false),
    ("or", '\u{2228}', false),
    ("ordf", '\u{00AA}', true),
    ("ordm", '\u{00BA}', true),
    ("oslash", '\u{00F8}', true),
    ("otilde", '\u{00F5}', true),
    ("otimes", '\u{2297}', false),
    ("ouml", '\u{00F6}', true),
    ("para", '\u{00B6}', true),
    ("part", '\u{2202}', false),
    ("permil", '\u{2030}', false),
    ("perp", '\u{22A5}', false),
    ("phi", '\u{03C6}', false),
    ("pi", '\u{03C0}', false),
    ("piv", '\u{03D6}', false),
    ("plusmn", '\u{00B1}', true),
    ("pound", '\u{00A3}', true),
    ("prime", '\u{2032}', false),
    ("prod", '\u{220F}', false),
    ("prop", '\u{221D}', false),
    ("psi", '\u{03C8}', false),
    ("quot", '\u{0022}', true),
    ("rArr", '\u{21D2}', false),
    ("radic", '\u{221A}', false),
    ("rang", '\u{27E9}', false),
    ("raquo", '\u{00BB}', true),
    ("rarr", '\u{2192}', false),
    ("rceil", '\u{2309}', false),
    ("rdquo", '\u{201D}', false),
    ("real", '\u{211C}', false),
    ("reg", '\u{00AE}', true),
    ("rfloor", '\u{230B}', false),
    ("rho", '\u{03C1}', false),
    ("rlm", '\u{200F}', false),
    ("rsaquo", '\u{203A}', false),
    ("rsquo", '\u{2019}', false),
    ("sbquo", '\u{201A}', false),
    ("scaron", '\u{0161}', false),
    ("sdot", '\u{22C5}', false),
    ("sect", '\u{00A7}', true),
    ("shy", '\u{00AD}', true),
    ("sigma", '\u{03C3}', false),
    ("sigmaf", '\u{03C2}', false),
    ("sim", '\u{223C}', false),
    ("spades", '\u{2660}', false),
    ("sub", '\u{2282}', false),
    ("sube", '\u{2286}', false),
    ("sum", '\u{2211}', false),
    ("sup", '\u{2283}', false),
    ("sup1", '\u{00B9}', true),
    ("sup2", '\u{00B2}', true),
    ("sup3", '\u{00B3}', true),
    ("supe", '\u{2287}', false),
    ("szlig", '\u{00DF}', true),
    ("tau", '\u{03C4}', false),
    ("there4", '\u{2234}', false),
    ("theta", '\u{03B8}', false),
    ("thetasym", '\u{03D1}', false),
    ("thinsp", '\u{2009}', false),
    ("thorn", '\u{00FE}', true),
    ("tilde", '\u{02DC}', false),
    ("times", '\u{00D7}', true),
    ("trade", '\u{2122}', false),
    ("uArr", '\u{21D1}', false),
    ("uacute", '\u{00FA}', true),
    ("uarr", '\u{2191}', false),
    ("ucirc", '\u{00FB}', true),
    ("ugrave", '\u{00F9}', true),
    ("uml", '\u{00A8}', true),
    ("upsih", '\u{03D2}', false),
    ("upsilon", '\u{03C5}', false),
    ("uuml", '\u{00FC}', true),
    ("weierp", '\u{2118}', false),
    ("xi", '\u{03BE}', false),
    ("yacute", '\u{00FD}', true),
    ("yen", '\u{00A5}', true),
    ("yuml", '\u{00FF}', true),
    ("zeta", '\u{03B6}', false),
    ("zwj", '\u{200D}', false),
    ("zwnj", '\u{200C}', false),
];
