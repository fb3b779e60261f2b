//! police.uk crime types and the practitioner groups built on them (methods.md §10).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the 14 crime types police.uk publishes in its street-level files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CrimeType {
    /// `Anti-social behaviour`
    AntiSocialBehaviour,
    /// `Bicycle theft`
    BicycleTheft,
    /// `Burglary`
    Burglary,
    /// `Criminal damage and arson`
    CriminalDamageAndArson,
    /// `Drugs`
    Drugs,
    /// `Other crime`
    OtherCrime,
    /// `Other theft`
    OtherTheft,
    /// `Possession of weapons`
    PossessionOfWeapons,
    /// `Public order`
    PublicOrder,
    /// `Robbery`
    Robbery,
    /// `Shoplifting`
    Shoplifting,
    /// `Theft from the person`
    TheftFromThePerson,
    /// `Vehicle crime`
    VehicleCrime,
    /// `Violence and sexual offences`
    ViolenceAndSexualOffences,
}

impl CrimeType {
    /// Every crime type, in police.uk's alphabetical order.
    pub const ALL: [CrimeType; 14] = [
        CrimeType::AntiSocialBehaviour,
        CrimeType::BicycleTheft,
        CrimeType::Burglary,
        CrimeType::CriminalDamageAndArson,
        CrimeType::Drugs,
        CrimeType::OtherCrime,
        CrimeType::OtherTheft,
        CrimeType::PossessionOfWeapons,
        CrimeType::PublicOrder,
        CrimeType::Robbery,
        CrimeType::Shoplifting,
        CrimeType::TheftFromThePerson,
        CrimeType::VehicleCrime,
        CrimeType::ViolenceAndSexualOffences,
    ];

    /// The name as written in the `Crime type` column of police.uk CSVs.
    pub fn name(self) -> &'static str {
        match self {
            CrimeType::AntiSocialBehaviour => "Anti-social behaviour",
            CrimeType::BicycleTheft => "Bicycle theft",
            CrimeType::Burglary => "Burglary",
            CrimeType::CriminalDamageAndArson => "Criminal damage and arson",
            CrimeType::Drugs => "Drugs",
            CrimeType::OtherCrime => "Other crime",
            CrimeType::OtherTheft => "Other theft",
            CrimeType::PossessionOfWeapons => "Possession of weapons",
            CrimeType::PublicOrder => "Public order",
            CrimeType::Robbery => "Robbery",
            CrimeType::Shoplifting => "Shoplifting",
            CrimeType::TheftFromThePerson => "Theft from the person",
            CrimeType::VehicleCrime => "Vehicle crime",
            CrimeType::ViolenceAndSexualOffences => "Violence and sexual offences",
        }
    }

    /// The slug police.uk's API uses for this type (`/crime-categories`).
    pub fn slug(self) -> &'static str {
        match self {
            CrimeType::AntiSocialBehaviour => "anti-social-behaviour",
            CrimeType::BicycleTheft => "bicycle-theft",
            CrimeType::Burglary => "burglary",
            CrimeType::CriminalDamageAndArson => "criminal-damage-arson",
            CrimeType::Drugs => "drugs",
            CrimeType::OtherCrime => "other-crime",
            CrimeType::OtherTheft => "other-theft",
            CrimeType::PossessionOfWeapons => "possession-of-weapons",
            CrimeType::PublicOrder => "public-order",
            CrimeType::Robbery => "robbery",
            CrimeType::Shoplifting => "shoplifting",
            CrimeType::TheftFromThePerson => "theft-from-the-person",
            CrimeType::VehicleCrime => "vehicle-crime",
            CrimeType::ViolenceAndSexualOffences => "violent-crime",
        }
    }

    /// The practitioner group this type belongs to (methods.md §10).
    pub fn group(self) -> Group {
        match self {
            CrimeType::AntiSocialBehaviour => Group::Asb,
            CrimeType::ViolenceAndSexualOffences
            | CrimeType::Robbery
            | CrimeType::PossessionOfWeapons => Group::Violence,
            CrimeType::PublicOrder => Group::PublicOrder,
            CrimeType::CriminalDamageAndArson => Group::CriminalDamage,
            CrimeType::Drugs => Group::Drugs,
            CrimeType::Burglary
            | CrimeType::VehicleCrime
            | CrimeType::BicycleTheft
            | CrimeType::Shoplifting
            | CrimeType::TheftFromThePerson
            | CrimeType::OtherTheft => Group::Acquisitive,
            CrimeType::OtherCrime => Group::Other,
        }
    }

    /// Looks a type up by its police.uk name or API slug (ASCII case-insensitive).
    pub fn lookup(text: &str) -> Option<CrimeType> {
        let text = text.trim();
        CrimeType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(text) || t.slug().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for CrimeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A practitioners' group of crime types (methods.md §10); local categories map onto these too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Group {
    /// `asb`: anti-social behaviour.
    Asb,
    /// `violence`: violence and sexual offences, robbery, possession of weapons.
    Violence,
    /// `public-order`.
    PublicOrder,
    /// `criminal-damage`: criminal damage and arson.
    CriminalDamage,
    /// `drugs`.
    Drugs,
    /// `acquisitive`: burglary, vehicle crime, thefts, shoplifting.
    Acquisitive,
    /// `other`: other crime.
    Other,
}

impl Group {
    /// Every group, in the order of methods.md §10.
    pub const ALL: [Group; 7] = [
        Group::Asb,
        Group::Violence,
        Group::PublicOrder,
        Group::CriminalDamage,
        Group::Drugs,
        Group::Acquisitive,
        Group::Other,
    ];

    /// The night-time-economy set: violence, public order, ASB and criminal damage.
    pub const NTE: [Group; 4] = [
        Group::Violence,
        Group::PublicOrder,
        Group::Asb,
        Group::CriminalDamage,
    ];

    /// The slug used in `category=` values and outputs.
    pub fn slug(self) -> &'static str {
        match self {
            Group::Asb => "asb",
            Group::Violence => "violence",
            Group::PublicOrder => "public-order",
            Group::CriminalDamage => "criminal-damage",
            Group::Drugs => "drugs",
            Group::Acquisitive => "acquisitive",
            Group::Other => "other",
        }
    }

    /// The default weight of an incident of this group when siting mobile CCTV
    /// (methods.md §10: defaults to be overridden by the partnership, not findings).
    pub fn default_cctv_weight(self) -> f64 {
        match self {
            Group::Asb | Group::Drugs | Group::Acquisitive => 1.0,
            Group::Violence => 3.0,
            Group::PublicOrder => 2.0,
            Group::CriminalDamage => 1.5,
            Group::Other => 0.5,
        }
    }

    /// Whether the group belongs to the night-time-economy set.
    pub fn is_nte(self) -> bool {
        Group::NTE.contains(&self)
    }

    /// Looks a group up by its slug (ASCII case-insensitive).
    pub fn lookup(text: &str) -> Option<Group> {
        let text = text.trim();
        Group::ALL
            .into_iter()
            .find(|g| g.slug().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Group {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Group::lookup(s).ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

/// A category text that is neither a police.uk type, a police.uk slug nor a group slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown category {0:?}: use a group slug (asb, violence, public-order, criminal-damage, drugs, acquisitive, other, nte), a police.uk crime type or its API slug"
)]
pub struct UnknownCategory(pub String);

/// An incident's category: always a group; a police.uk type when the source says which;
/// the source's own label when it came from a local log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Category {
    /// The practitioner group.
    pub group: Group,
    /// The police.uk crime type, when known.
    pub crime_type: Option<CrimeType>,
    /// The local code or label as the source wrote it (incident logs only).
    pub local: Option<String>,
}

impl Category {
    /// A category for a police.uk crime type.
    pub fn of_type(crime_type: CrimeType) -> Category {
        Category {
            group: crime_type.group(),
            crime_type: Some(crime_type),
            local: None,
        }
    }
}

/// What a `category=` value selects: a whole group, one police.uk type, or a local label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum CategorySelector {
    /// Every incident of the group.
    Group(Group),
    /// Incidents of one police.uk type.
    Type(CrimeType),
    /// Incidents whose local label equals this text (case-insensitive).
    Local(String),
}

impl CategorySelector {
    /// Parses one `category` value. `nte` expands to the four night-time-economy groups.
    /// A text that is no group, type or slug is taken as a local category label.
    pub fn parse(text: &str) -> Vec<CategorySelector> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("nte") {
            return Group::NTE
                .into_iter()
                .map(CategorySelector::Group)
                .collect();
        }
        if let Some(g) = Group::lookup(text) {
            return vec![CategorySelector::Group(g)];
        }
        if let Some(t) = CrimeType::lookup(text) {
            return vec![CategorySelector::Type(t)];
        }
        vec![CategorySelector::Local(text.to_owned())]
    }

    /// Whether an incident of this category is selected.
    pub fn matches(&self, category: &Category) -> bool {
        match self {
            CategorySelector::Group(g) => category.group == *g,
            CategorySelector::Type(t) => category.crime_type == Some(*t),
            CategorySelector::Local(l) => category
                .local
                .as_deref()
                .is_some_and(|own| own.eq_ignore_ascii_case(l)),
        }
    }

    /// The text a user would write for this selector.
    pub fn label(&self) -> String {
        match self {
            CategorySelector::Group(g) => g.slug().to_owned(),
            CategorySelector::Type(t) => t.name().to_owned(),
            CategorySelector::Local(l) => l.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_slugs_round_trip() {
        for t in CrimeType::ALL {
            assert_eq!(CrimeType::lookup(t.name()), Some(t));
            assert_eq!(CrimeType::lookup(t.slug()), Some(t));
        }
        assert_eq!(
            CrimeType::lookup("violent-crime"),
            Some(CrimeType::ViolenceAndSexualOffences)
        );
        assert_eq!(CrimeType::lookup("no such"), None);
    }

    #[test]
    fn groups_follow_methods_table() {
        assert_eq!(CrimeType::Robbery.group(), Group::Violence);
        assert_eq!(CrimeType::TheftFromThePerson.group(), Group::Acquisitive);
        assert_eq!(
            CrimeType::CriminalDamageAndArson.group(),
            Group::CriminalDamage
        );
        assert_eq!(Group::Violence.default_cctv_weight(), 3.0);
        assert!(Group::Asb.is_nte() && !Group::Drugs.is_nte());
    }

    #[test]
    fn selectors_parse_groups_types_slugs_and_local_labels() {
        assert_eq!(CategorySelector::parse("nte").len(), 4);
        assert_eq!(
            CategorySelector::parse("ASB"),
            vec![CategorySelector::Group(Group::Asb)]
        );
        assert_eq!(
            CategorySelector::parse("criminal-damage-arson"),
            vec![CategorySelector::Type(CrimeType::CriminalDamageAndArson)]
        );
        let local = &CategorySelector::parse("ASB - Rowdy")[0];
        let mut cat = Category::of_type(CrimeType::AntiSocialBehaviour);
        assert!(!local.matches(&cat));
        cat.local = Some("asb - rowdy".into());
        assert!(local.matches(&cat));
    }
}
