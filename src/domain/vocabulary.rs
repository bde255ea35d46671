//! Closed vocabularies shared by the database, the services and the GraphQL schema.

use std::fmt;
use std::str::FromStr;

use super::ValidationError;

/// Declares a closed enum with its UPPER_SNAKE spelling, `ALL`, `FromStr` and `Display`,
/// so the spelling is written once for SQL, Rust and GraphQL.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $(#[$first_meta:meta])* $first:ident => $first_text:literal
            $(, $(#[$variant_meta:meta])* $variant:ident => $text:literal)* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(#[$first_meta])*
            $first,
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            /// Every value in declaration order, for listings and exhaustive tests.
            pub const ALL: [Self; [$first_text $(, $text)*].len()] =
                [Self::$first $(, Self::$variant)*];

            /// The accepted spellings, as shown in validation messages.
            const ALLOWED: &'static str = concat!($first_text $(, ", ", $text)*);

            /// The stable UPPER_SNAKE spelling used in storage and the API.
            pub fn as_str(&self) -> &'static str {
                match self {
                    Self::$first => $first_text,
                    $(Self::$variant => $text,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == raw)
                    .ok_or(ValidationError::UnknownValue {
                        allowed: Self::ALLOWED,
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The two talent tracks counted separately against programme targets.
    Track {
        /// Livestream hosts.
        Host => "HOST",
        /// Professional roles behind the stream (operations, editing, supply chain).
        Professional => "PROFESSIONAL",
    }
}

vocabulary! {
    /// A user's role; access is denied by default and granted per role.
    Role {
        /// Administers the city-wide registry.
        CityAdmin => "CITY_ADMIN",
        /// Reads city-wide statistics.
        CityAnalyst => "CITY_ANALYST",
        /// Administers one institution.
        InstitutionAdmin => "INSTITUTION_ADMIN",
        /// Records courses, enrolments and certificates of one institution.
        InstitutionStaff => "INSTITUTION_STAFF",
        /// A trainee reading their own records.
        Trainee => "TRAINEE",
    }
}

impl Role {
    /// City roles see every institution.
    pub fn is_city(&self) -> bool {
        matches!(self, Self::CityAdmin | Self::CityAnalyst)
    }

    /// Institution roles are scoped to their own institution.
    pub fn is_institution(&self) -> bool {
        matches!(self, Self::InstitutionAdmin | Self::InstitutionStaff)
    }
}

vocabulary! {
    /// The kinds of institution that may train and certify, per the programme.
    InstitutionKind {
        /// A vocational training institution.
        TrainingInstitution => "TRAINING_INSTITUTION",
        /// A livestreaming e-commerce base.
        LivestreamingBase => "LIVESTREAMING_BASE",
        /// An industrial park.
        IndustrialPark => "INDUSTRIAL_PARK",
        /// An enterprise training its own staff.
        Enterprise => "ENTERPRISE",
        /// A livestreaming e-commerce service institution (agency, MCN, operator).
        ServiceInstitution => "SERVICE_INSTITUTION",
    }
}

vocabulary! {
    /// A goal of the action plan (DESIGN.md §2.3); the first two are the track targets.
    GoalKind {
        /// Certified livestreaming hosts: the HOST track target.
        CertifiedHosts => "CERTIFIED_HOSTS",
        /// Certified livestreaming e-commerce professionals: the PROFESSIONAL track target.
        CertifiedProfessionals => "CERTIFIED_PROFESSIONALS",
        /// Leading service institutions cultivated or introduced.
        ServiceInstitutions => "SERVICE_INSTITUTIONS",
        /// Livestreaming bases and industrial parks.
        BasesAndParks => "BASES_AND_PARKS",
        /// Enterprises launching livestreaming business.
        EnterprisesLaunched => "ENTERPRISES_LAUNCHED",
        /// Influential hosts supported.
        InfluentialHosts => "INFLUENTIAL_HOSTS",
        /// Livestreaming e-commerce sales in yuan.
        SalesCny => "SALES_CNY",
    }
}

vocabulary! {
    /// Enrolment life cycle: `ENROLLED` moves once to one of the final states.
    EnrolmentStatus {
        /// In training.
        Enrolled => "ENROLLED",
        /// Completed and passed; a certificate is issued.
        Completed => "COMPLETED",
        /// Completed and failed.
        Failed => "FAILED",
        /// Left before completion.
        Withdrawn => "WITHDRAWN",
    }
}

vocabulary! {
    /// Whether a certificate stands at a given moment: revocation wins over expiry.
    CertificateStatus {
        /// Issued, not revoked, not expired.
        Valid => "VALID",
        /// Past its expiry date.
        Expired => "EXPIRED",
        /// Revoked by the issuer or the city.
        Revoked => "REVOKED",
    }
}

vocabulary! {
    /// Identity document types accepted to identify a person.
    IdType {
        /// Resident identity card of the People's Republic of China (GB 11643).
        ResidentId => "RESIDENT_ID",
        /// Passport of any country.
        Passport => "PASSPORT",
        /// Mainland travel permit for Hong Kong and Macao residents.
        HkMacaoPermit => "HK_MACAO_PERMIT",
        /// Mainland travel permit for Taiwan residents.
        TaiwanPermit => "TAIWAN_PERMIT",
        /// Foreign permanent resident ID card (2017 or 2023 format).
        ForeignPermanentResidentId => "FOREIGN_PERMANENT_RESIDENT_ID",
    }
}

vocabulary! {
    /// The three credentials kept apart (DESIGN.md §2.4).
    CredentialKind {
        /// Training completion certificate (结业证书), issued by `completeEnrolment`.
        TrainingCompletion => "TRAINING_COMPLETION",
        /// Vocational skill-level certificate (职业技能等级证书) of an evaluation organisation.
        SkillLevel => "SKILL_LEVEL",
        /// Special vocational-ability certificate (专项职业能力证书).
        SpecialAbility => "SPECIAL_ABILITY",
    }
}

vocabulary! {
    /// The four sub-types (工种) of occupation 互联网营销师 (4-01-02-07).
    SkillSubtype {
        /// 选品员: selects the products to sell.
        ProductSelector => "PRODUCT_SELECTOR",
        /// 直播销售员: sells on a live stream (the host).
        LivestreamSeller => "LIVESTREAM_SELLER",
        /// 视频创推员: creates and promotes short videos.
        VideoPromoter => "VIDEO_PROMOTER",
        /// 平台管理员: runs the platform accounts (levels 5 to 3 only).
        PlatformManager => "PLATFORM_MANAGER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(all: &[T])
    where
        T: FromStr<Err = ValidationError> + PartialEq + fmt::Debug + fmt::Display,
    {
        for value in all {
            let parsed = value.to_string().parse::<T>();
            assert_eq!(parsed.as_ref(), Ok(value), "round trip of {value:?}");
        }
    }

    #[test]
    fn every_value_round_trips_through_its_spelling() {
        round_trips(&Track::ALL);
        round_trips(&Role::ALL);
        round_trips(&InstitutionKind::ALL);
        round_trips(&GoalKind::ALL);
        round_trips(&EnrolmentStatus::ALL);
        round_trips(&IdType::ALL);
        round_trips(&CredentialKind::ALL);
        round_trips(&SkillSubtype::ALL);
    }

    #[test]
    fn spellings_are_upper_snake_as_in_the_contract() {
        assert_eq!(Track::Professional.as_str(), "PROFESSIONAL");
        assert_eq!(Role::InstitutionStaff.as_str(), "INSTITUTION_STAFF");
        assert_eq!(
            InstitutionKind::LivestreamingBase.as_str(),
            "LIVESTREAMING_BASE"
        );
        assert_eq!(EnrolmentStatus::Withdrawn.as_str(), "WITHDRAWN");
        assert_eq!(IdType::HkMacaoPermit.as_str(), "HK_MACAO_PERMIT");
        assert_eq!(
            IdType::ForeignPermanentResidentId.as_str(),
            "FOREIGN_PERMANENT_RESIDENT_ID"
        );
    }

    #[test]
    fn an_unknown_spelling_is_rejected_listing_the_allowed_values() {
        assert_eq!(
            "host".parse::<Track>(),
            Err(ValidationError::UnknownValue {
                allowed: "HOST, PROFESSIONAL"
            })
        );
        assert_eq!(
            "".parse::<EnrolmentStatus>(),
            Err(ValidationError::UnknownValue {
                allowed: "ENROLLED, COMPLETED, FAILED, WITHDRAWN"
            })
        );
    }

    #[test]
    fn all_lists_every_value_once() {
        assert_eq!(Role::ALL.len(), 5);
        assert_eq!(IdType::ALL.len(), 5);
        assert_eq!(InstitutionKind::ALL.len(), 5);
        assert_eq!(GoalKind::ALL.len(), 7);
    }

    #[test]
    fn only_city_roles_are_city_and_only_institution_roles_are_institution() {
        let cases = [
            (Role::CityAdmin, true, false),
            (Role::CityAnalyst, true, false),
            (Role::InstitutionAdmin, false, true),
            (Role::InstitutionStaff, false, true),
            (Role::Trainee, false, false),
        ];
        for (role, city, institution) in cases {
            assert_eq!(role.is_city(), city, "is_city of {role:?}");
            assert_eq!(
                role.is_institution(),
                institution,
                "is_institution of {role:?}"
            );
        }
    }
}
