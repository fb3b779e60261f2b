//! CCTV cameras, fixed and mobile.

use serde::{Deserialize, Serialize};

use super::Wgs84;

/// Whether a camera is fixed or can be moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CameraKind {
    /// Permanently installed.
    Fixed,
    /// Redeployable.
    Mobile,
}

impl CameraKind {
    /// The name used in files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            CameraKind::Fixed => "fixed",
            CameraKind::Mobile => "mobile",
        }
    }

    /// The kind with this name (ASCII case-insensitive).
    pub fn lookup(name: &str) -> Option<CameraKind> {
        [CameraKind::Fixed, CameraKind::Mobile]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Default reach of a camera, metres (interface.md: `--radius-m 100`).
pub const DEFAULT_CAMERA_RADIUS_M: f64 = 100.0;

/// A CCTV camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// Camera id.
    pub id: String,
    /// Position.
    pub location: Wgs84,
    /// Radius it watches, metres.
    pub radius_m: f64,
    /// Fixed or mobile.
    pub kind: CameraKind,
}
