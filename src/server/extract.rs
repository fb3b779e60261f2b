//! Query strings, parsed then checked once (STYLE §6).
//!
//! [`Params<T>`] decodes the query string into a raw struct `R` whose fields are all
//! `Option<String>` (so decoding fails only on unknown or repeated parameters), then converts it
//! with `TryFrom<R>` into the checked `T` the handler sees. Every failure is an
//! [`ApiError::BadParameter`] naming the parameter.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Longest query string accepted, bytes.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// A raw query struct and its checked form.
pub trait CheckedQuery: Sized {
    /// The raw struct the query string decodes into (`#[serde(deny_unknown_fields)]`,
    /// every field `Option<String>`).
    type Raw: DeserializeOwned;

    /// Checks the raw values (usually `TryFrom<Self::Raw>`).
    fn check(raw: Self::Raw) -> Result<Self, ApiError>;
}

/// A checked query, as a handler argument.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

/// Decodes and checks a query string.
pub fn parse_query<T: CheckedQuery>(query: &str) -> Result<T, ApiError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::bad(
            "query",
            format!(
                "the query string is {} bytes; at most {MAX_QUERY_BYTES} are accepted",
                query.len()
            ),
        ));
    }
    let raw: T::Raw = serde_urlencoded::from_str(query).map_err(|e| {
        let message = e.to_string();
        // serde names the field between backticks: "unknown field `x`, expected ...",
        // "duplicate field `limit`".
        let parameter = message.split('`').nth(1).unwrap_or("query").to_owned();
        let description = if message.starts_with("unknown field") {
            format!("unknown query parameter {parameter:?}: {message}")
        } else if message.starts_with("duplicate field") {
            format!("query parameter {parameter:?} is given more than once")
        } else {
            format!("the query string cannot be decoded: {message}")
        };
        ApiError::BadParameter {
            parameter,
            description,
        }
    })?;
    T::check(raw)
}

impl<S, T> FromRequestParts<S> for Params<T>
where
    S: Send + Sync,
    T: CheckedQuery,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Params<T>, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(Params)
    }
}

/// Parses an integer parameter within `min..=max`.
pub fn integer_in(parameter: &str, text: &str, min: u64, max: u64) -> Result<u64, ApiError> {
    let out_of_range = || {
        ApiError::bad(
            parameter,
            format!("{parameter} must be a whole number from {min} to {max}; got {text:?}"),
        )
    };
    let value: u64 = text.trim().parse().map_err(|_| out_of_range())?;
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(out_of_range())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawN {
        n: Option<String>,
    }

    #[derive(Debug, PartialEq)]
    struct N(u64);

    impl CheckedQuery for N {
        type Raw = RawN;
        fn check(raw: RawN) -> Result<N, ApiError> {
            N::try_from(raw)
        }
    }

    impl TryFrom<RawN> for N {
        type Error = ApiError;
        fn try_from(raw: RawN) -> Result<N, ApiError> {
            raw.n.map_or(Ok(5), |t| integer_in("n", &t, 1, 9)).map(N)
        }
    }

    fn param(e: ApiError) -> String {
        e.parameter().unwrap_or_default().to_owned()
    }

    #[test]
    fn checks_and_names_parameters() {
        assert_eq!(parse_query::<N>("").unwrap(), N(5));
        assert_eq!(parse_query::<N>("n=9").unwrap(), N(9));
        assert_eq!(param(parse_query::<N>("n=10").unwrap_err()), "n");
        assert_eq!(param(parse_query::<N>("n=abc").unwrap_err()), "n");
        assert_eq!(param(parse_query::<N>("n=-1").unwrap_err()), "n");
        assert_eq!(param(parse_query::<N>("m=1").unwrap_err()), "m");
        assert_eq!(param(parse_query::<N>("n=1&n=2").unwrap_err()), "n");
        let long = format!("n={}", "1".repeat(MAX_QUERY_BYTES));
        assert_eq!(param(parse_query::<N>(&long).unwrap_err()), "query");
    }
}
