//! Spatial statistics on cells, counts and neighbour lists: no snapshot, no window, no I/O.
//!
//! | file | analysis | the tool analysts know |
//! |---|---|---|
//! | [`weights`] | binary k-ring / distance-band neighbours (CSR, self included) | libpysal `W`, ArcGIS `.swm` |
//! | [`gi_star`] | Getis-Ord Gi* z, p, pseudo p, 7 bins | ArcGIS Hot Spot Analysis; esda `G_Local(star=True)` |
//! | [`fdr`] | Benjamini–Hochberg (three-level and single cutoff) | Esri `fdrTransform`; `esda.fdr` |
//! | [`permutation`] | conditional randomisation, shared seeded table | esda `crand` |
//! | [`mann_kendall`] | Mann–Kendall trend test | `pymannkendall.original_test`, `Kendall::MannKendall` |
//! | [`emerging`] | space-time Gi* and the 17 pattern categories | ArcGIS Emerging Hot Spot Analysis |
//! | [`kde`] | quartic kernel density per km² | ArcGIS Kernel Density |
//! | [`local_moran`] | Local Moran's I with HH/LL/HL/LH | esda `Moran_Local`; ArcGIS Cluster and Outlier Analysis |
//! | [`coverage`] | maximal covering location (lazy greedy, exact for small instances) | Church & ReVelle's MCLP; `spopt.locate.MCLP` |

pub mod coverage;
pub mod emerging;
pub mod fdr;
pub mod gi_star;
pub mod kde;
pub mod local_moran;
pub mod mann_kendall;
pub mod permutation;
pub mod weights;
