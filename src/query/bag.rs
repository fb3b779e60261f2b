//! A bag of raw `name=value` parameters, shared by the CLI (flags) and HTTP (query strings),
//! so both go through exactly the same checks.

use super::ParamError;

/// Most parameters one request may carry (query strings and flags alike).
pub const MAX_PARAMS: usize = 256;
/// Longest value accepted for one parameter, bytes.
pub const MAX_VALUE_LEN: usize = 4096;

/// Raw parameters; each is consumed once by the request type that knows it, and whatever is
/// left at the end is an unknown parameter.
#[derive(Debug, Clone, Default)]
pub struct ParamBag {
    pairs: Vec<(String, Option<String>)>,
}

impl ParamBag {
    /// A bag from `(name, value)` pairs (names without leading dashes).
    pub fn new<I, K, V>(pairs: I) -> Result<ParamBag, ParamError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut out = Vec::new();
        for (k, v) in pairs {
            let (k, v) = (k.into(), v.into());
            if out.len() == MAX_PARAMS {
                return Err(ParamError::new(
                    &k,
                    format!("more than {MAX_PARAMS} parameters"),
                ));
            }
            if v.len() > MAX_VALUE_LEN {
                return Err(ParamError::new(
                    &k,
                    format!("value longer than {MAX_VALUE_LEN} bytes"),
                ));
            }
            out.push((k, Some(v)));
        }
        Ok(ParamBag { pairs: out })
    }

    /// Takes every value of `name` (repeatable parameters).
    pub fn all(&mut self, name: &str) -> Vec<String> {
        self.pairs
            .iter_mut()
            .filter(|(k, v)| k == name && v.is_some())
            .filter_map(|(_, v)| v.take())
            .collect()
    }

    /// Takes the single value of `name`; giving it twice is an error.
    pub fn one(&mut self, name: &str) -> Result<Option<String>, ParamError> {
        let mut values = self.all(name);
        match values.len() {
            0 => Ok(None),
            1 => Ok(values.pop()),
            n => Err(ParamError::new(
                name,
                format!("given {n} times; give it once"),
            )),
        }
    }

    /// Errors on the first parameter nobody took; `known` lists the accepted names.
    pub fn finish(self, known: &[&str]) -> Result<(), ParamError> {
        match self.pairs.into_iter().find(|(_, v)| v.is_some()) {
            None => Ok(()),
            Some((k, _)) => Err(ParamError::new(
                &k,
                format!("unknown parameter; accepted here: {}", known.join(", ")),
            )),
        }
    }
}
