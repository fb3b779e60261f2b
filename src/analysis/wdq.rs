//! The Weighted Displacement Quotient: did an intervention move crime next door, or spread its
//! benefit?
//!
//! Citation: Bowers, K. J. & Johnson, S. D. (2003), "Measuring the geographical displacement and
//! diffusion of benefit effects of crime prevention activity", *Journal of Quantitative
//! Criminology* 19(3):275–301.
//!
//! Parameters (incident counts, before `b` and after `a` the intervention, over periods of equal
//! standing): target (response) area `R`, buffer (displacement) area `D` around it, control
//! area `C`.
//!
//! Returns:
//! - success measure `SM = Ra/Ca − Rb/Cb` (negative = the target improved relative to control);
//! - buffer displacement measure `BDM = Da/Ca − Db/Cb`;
//! - `WDQ = BDM / SM`, defined only when `SM < 0` (the target improved): above 0 a diffusion of
//!   benefit into the buffer (above 1 larger than the direct effect), 0 neither, between −1 and
//!   0 displacement smaller than the direct benefit, below −1 displacement larger than it;
//! - total net effect `TNE = [Rb·Ca/Cb − Ra] + [Db·Ca/Cb − Da]` (incidents prevented, positive
//!   = net benefit; Bowers & Johnson 2003, eq. 4).
//!
//! Algorithm:
//! 1. Undefined (`None`) where a control count is 0 (a ratio to control cannot be formed).
//! 2. SM, BDM as above; WDQ = BDM / SM when SM < 0, else `None` with the reason.
//! 3. The reading follows Bowers & Johnson's Table 1.
//!
//! Notes: O(1). The WDQ says nothing about chance: small counts give unstable quotients; report
//! the counts with it.
//!
//! Example:
//! ```
//! use hotspot::analysis::wdq::{Counts, wdq};
//! let r = wdq(Counts { before: 100, after: 60 }, Counts { before: 50, after: 45 }, Counts { before: 1000, after: 1000 });
//! assert!((r.success_measure.unwrap() - (-0.04)).abs() < 1e-12);
//! assert!((r.wdq.unwrap() - 0.125).abs() < 1e-12);
//! ```

use serde::Serialize;

/// Incidents in one area before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Before the intervention.
    pub before: u64,
    /// After it.
    pub after: u64,
}

/// What the quotient says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// A control count is 0: nothing can be said.
    NoControl,
    /// SM ≥ 0: the target did not improve relative to the control; the WDQ is undefined.
    TargetNotImproved,
    /// WDQ > 1: the buffer improved even more than the target.
    DiffusionGreaterThanDirect,
    /// 0 < WDQ ≤ 1: diffusion of benefit into the buffer.
    Diffusion,
    /// WDQ = 0: no displacement and no diffusion.
    Neither,
    /// −1 ≤ WDQ < 0: some displacement, smaller than the direct benefit (a net benefit).
    DisplacementLessThanDirect,
    /// WDQ < −1: displacement larger than the direct benefit (counter-productive).
    DisplacementGreaterThanDirect,
}

impl Reading {
    /// Plain-language sentence.
    pub fn text(self) -> &'static str {
        match self {
            Reading::NoControl => {
                "The control area had no incidents in one period, so no ratio to control and no WDQ can be formed."
            }
            Reading::TargetNotImproved => {
                "The target area did not improve relative to the control area (success measure ≥ 0), so the WDQ is undefined: there is no benefit to displace or diffuse."
            }
            Reading::DiffusionGreaterThanDirect => {
                "The target improved and the buffer improved even more, relative to the control: a diffusion of benefit larger than the direct effect."
            }
            Reading::Diffusion => {
                "The target improved and the buffer improved too, relative to the control: a diffusion of benefit, no sign of displacement."
            }
            Reading::Neither => {
                "The target improved; the buffer changed as the control did: neither displacement nor diffusion."
            }
            Reading::DisplacementLessThanDirect => {
                "The target improved but the buffer worsened relative to the control: some displacement, smaller than the benefit in the target (a net benefit)."
            }
            Reading::DisplacementGreaterThanDirect => {
                "The target improved but the buffer worsened by more than the target gained, relative to the control: displacement larger than the direct benefit (counter-productive overall)."
            }
        }
    }
}

/// The measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WdqResult {
    /// `Ra/Ca − Rb/Cb`; `None` when a control count is 0.
    pub success_measure: Option<f64>,
    /// `Da/Ca − Db/Cb`; `None` when a control count is 0.
    pub buffer_displacement_measure: Option<f64>,
    /// `BDM / SM` when `SM < 0`.
    pub wdq: Option<f64>,
    /// `[Rb·Ca/Cb − Ra] + [Db·Ca/Cb − Da]`; `None` when `Cb` is 0.
    pub total_net_effect: Option<f64>,
    /// The reading.
    pub reading: Reading,
}

/// Computes the measures (see the module doc).
pub fn wdq(target: Counts, buffer: Counts, control: Counts) -> WdqResult {
    let f = |n: u64| n as f64;
    if control.before == 0 || control.after == 0 {
        return WdqResult {
            success_measure: None,
            buffer_displacement_measure: None,
            wdq: None,
            total_net_effect: (control.before > 0).then(|| {
                let k = f(control.after) / f(control.before);
                (f(target.before) * k - f(target.after)) + (f(buffer.before) * k - f(buffer.after))
            }),
            reading: Reading::NoControl,
        };
    }
    let (ca, cb) = (f(control.after), f(control.before));
    let sm = f(target.after) / ca - f(target.before) / cb;
    let bdm = f(buffer.after) / ca - f(buffer.before) / cb;
    let k = ca / cb;
    let tne = (f(target.before) * k - f(target.after)) + (f(buffer.before) * k - f(buffer.after));
    let (wdq, reading) = if sm < 0.0 {
        let q = bdm / sm;
        let reading = if q > 1.0 {
            Reading::DiffusionGreaterThanDirect
        } else if q > 0.0 {
            Reading::Diffusion
        } else if q == 0.0 {
            Reading::Neither
        } else if q >= -1.0 {
            Reading::DisplacementLessThanDirect
        } else {
            Reading::DisplacementGreaterThanDirect
        };
        (Some(q), reading)
    } else {
        (None, Reading::TargetNotImproved)
    };
    WdqResult {
        success_measure: Some(sm),
        buffer_displacement_measure: Some(bdm),
        wdq,
        total_net_effect: Some(tne),
        reading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(before: u64, after: u64) -> Counts {
        Counts { before, after }
    }

    #[test]
    fn readings() {
        // Target 100 → 60, buffer 50 → 60, control 1000 → 1000.
        // SM = 0.06 − 0.1 = −0.04; BDM = 0.06 − 0.05 = 0.01; WDQ = −0.25.
        let r = wdq(c(100, 60), c(50, 60), c(1000, 1000));
        assert!((r.wdq.unwrap() + 0.25).abs() < 1e-12);
        assert_eq!(r.reading, Reading::DisplacementLessThanDirect);
        // TNE = (100 − 60) + (50 − 60) = 30.
        assert!((r.total_net_effect.unwrap() - 30.0).abs() < 1e-12);
        assert_eq!(
            wdq(c(60, 100), c(50, 60), c(1000, 1000)).reading,
            Reading::TargetNotImproved
        );
        assert_eq!(
            wdq(c(60, 100), c(50, 60), c(0, 10)).reading,
            Reading::NoControl
        );
    }
}
