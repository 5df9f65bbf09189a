//! Building the query strings of the pages' GET links.

/// Percent-encodes a query value (everything but unreserved characters).
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::urlencode;

    #[test]
    fn encodes_all_but_unreserved_characters() {
        assert_eq!(urlencode("East 100%&x=é"), "East%20100%25%26x%3D%C3%A9");
        assert_eq!(urlencode("a-b_c.d~"), "a-b_c.d~");
    }
}
