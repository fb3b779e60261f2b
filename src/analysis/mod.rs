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
//! | [`evaluation`] | hit rate, PAI, PEI, Levine's RRI at a coverage; Gini and generalised Gini | Chainey et al. 2008; Hunt 2016; Levine 2008; ptools `pai()`; Bernasco & Steenbeek 2017 `lorenzgini` |
//! | [`route`] | walking route: nearest neighbour + 2-opt (open path from a start) | OR-Tools routing local search; QGIS/ORS "optimise waypoints" |
//! | [`dbscan`] | DBSCAN clusters of points in metres (cumulative impact zones) | Ester et al. 1996; scikit-learn `DBSCAN` |
//! | [`knox`] | Knox near-repeat test, Monte Carlo, max-T global test | Ratcliffe's Near Repeat Calculator; `NearRepeat` (R) |
//! | [`wdq`] | Weighted Displacement Quotient | Bowers & Johnson 2003 |
//! | [`coverage`] | maximal covering location (lazy greedy, exact for small instances) | Church & ReVelle's MCLP; `spopt.locate.MCLP` |

pub mod coverage;
pub mod dbscan;
pub mod emerging;
pub mod evaluation;
pub mod fdr;
pub mod gi_star;
pub mod kde;
pub mod knox;
pub mod local_moran;
pub mod mann_kendall;
pub mod permutation;
pub mod route;
pub mod wdq;
pub mod weights;
