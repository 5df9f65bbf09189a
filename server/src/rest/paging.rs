//! Cursor paging of every list: `limit` (1 to 500, 100 when absent) and the previous page's `next`
//! cursor; a page is `{"data": […], "next": "…" | null}`. Cursors are opaque to clients (base64url of
//! the position after the page's last row), and lists are in a stable order with the id last, so a page
//! never repeats or skips a row that was there when paging began.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::error::ApiError;

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 500;

/// The paging parameters of every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page, 1 to 500 (100 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// The limit asked for, or 400 naming `limit`.
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT as usize),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n as usize),
            Some(_) => Err(ApiError::invalid("limit", "Give a limit from 1 to 500.")),
        }
    }

    /// The position the cursor names, or `None` on the first page; 400 naming `cursor` for one this
    /// API did not give.
    pub fn after<T: DeserializeOwned>(&self) -> Result<Option<T>, ApiError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(raw) => decode(raw).map(Some),
        }
    }
}

/// One page of a list (each list's answer is a named page type of `types.rs` with these fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// The cursor of the next page; `null` on the last one.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page with its rows converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Declares the named page type of a list: `{"data": [ITEM…], "next": cursor | null}`.
macro_rules! page_type {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub struct $name {
            pub data: Vec<$item>,
            /// The cursor of the next page (`cursor=`); `null` on the last one.
            pub next: Option<String>,
        }

        impl From<$crate::rest::paging::Page<$item>> for $name {
            fn from(p: $crate::rest::paging::Page<$item>) -> Self {
                $name {
                    data: p.data,
                    next: p.next,
                }
            }
        }
    };
}
pub(crate) use page_type;

pub fn encode<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

pub fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::invalid("cursor", "This cursor was not given by this list."))
}

/// A page of rows already in the list's order: those after `after` (by `key`), `limit` of them, and
/// the cursor of the next page when more follow.
pub fn page_of<T, K>(
    rows: Vec<T>,
    params: &PageParams,
    key: impl Fn(&T) -> K,
) -> Result<Page<T>, ApiError>
where
    K: Serialize + DeserializeOwned + PartialOrd,
{
    let limit = params.limit()?;
    let after: Option<K> = params.after()?;
    let mut rest: Vec<T> = rows
        .into_iter()
        .filter(|r| after.as_ref().is_none_or(|a| key(r) > *a))
        .collect();
    let next = if rest.len() > limit {
        rest.truncate(limit);
        rest.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Ok(Page { data: rest, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: Option<u64>, cursor: Option<String>) -> PageParams {
        PageParams { limit, cursor }
    }

    #[test]
    fn pages_walk_every_row_once_even_when_rows_come_in_between() {
        let rows: Vec<i64> = (1..=7).collect();
        let first = page_of(rows.clone(), &params(Some(3), None), |r| *r).unwrap();
        assert_eq!(first.data, [1, 2, 3]);
        // A row inserted before the cursor is not seen; nothing after it repeats or goes missing.
        let mut more = rows;
        more.insert(0, 0);
        let second = page_of(more.clone(), &params(Some(3), first.next), |r| *r).unwrap();
        assert_eq!(second.data, [4, 5, 6]);
        let last = page_of(more, &params(Some(3), second.next), |r| *r).unwrap();
        assert_eq!((last.data, last.next), (vec![7], None));
    }

    #[test]
    fn bad_limits_and_cursors_name_their_parameter() {
        assert_eq!(
            params(Some(0), None).limit().unwrap_err().field.as_deref(),
            Some("limit")
        );
        assert_eq!(
            params(Some(501), None)
                .limit()
                .unwrap_err()
                .field
                .as_deref(),
            Some("limit")
        );
        assert_eq!(params(None, None).limit().unwrap(), 100);
        let err = params(None, Some("not-ours".into()))
            .after::<i64>()
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("cursor"));
    }
}
