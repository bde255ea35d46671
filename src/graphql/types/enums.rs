//! GraphQL enums, mirrored one to one from the domain vocabulary.

use crate::domain;

macro_rules! mirror {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<domain::$name> for $name {
            fn from(value: domain::$name) -> Self {
                match value {
                    $(domain::$name::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for domain::$name {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}

mirror!(
    /// The two counted kinds of talent.
    Track {
        /// Livestreaming hosts (主播).
        Host,
        /// Livestreaming e-commerce professionals (operations, selection, editing, ...).
        Professional,
    }
);

mirror!(
    /// What an account may do; see the permission table.
    Role {
        /// Runs the programme: targets, institutions, city users.
        CityAdmin,
        /// Reads the city's numbers.
        CityAnalyst,
        /// Runs one institution: its courses, staff, trainees.
        InstitutionAdmin,
        /// Registers and enrols trainees of one institution.
        InstitutionStaff,
        /// A trainee reading their own certificates.
        Trainee,
    }
);

mirror!(
    /// Kind of organisation running courses.
    InstitutionKind {
        /// A training institution.
        TrainingInstitution,
        /// A livestreaming base.
        LivestreamingBase,
        /// An industrial park.
        IndustrialPark,
        /// An enterprise.
        Enterprise,
        /// A livestreaming e-commerce service institution (agency, MCN, operator).
        ServiceInstitution,
    }
);

mirror!(
    /// A goal of the action plan; the first two are the track targets.
    GoalKind {
        /// Certified livestreaming hosts (the HOST target), in persons.
        CertifiedHosts,
        /// Certified livestreaming e-commerce professionals (the PROFESSIONAL target), in
        /// persons.
        CertifiedProfessionals,
        /// Leading service institutions cultivated or introduced, in organisations.
        ServiceInstitutions,
        /// Livestreaming bases and industrial parks, in organisations.
        BasesAndParks,
        /// Enterprises launching livestreaming business, in organisations.
        EnterprisesLaunched,
        /// Influential hosts supported, in persons.
        InfluentialHosts,
        /// Livestreaming e-commerce sales, in CNY (yuan).
        SalesCny,
    }
);

mirror!(
    /// Progress of one enrolment.
    EnrolmentStatus {
        /// Attending.
        Enrolled,
        /// Passed; a certificate was issued.
        Completed,
        /// Did not pass.
        Failed,
        /// Left the course.
        Withdrawn,
    }
);

mirror!(
    /// Type of identity document.
    IdType {
        /// Resident identity card of the PRC (18 characters).
        ResidentId,
        /// Passport.
        Passport,
        /// Mainland travel permit for Hong Kong and Macao residents.
        HkMacaoPermit,
        /// Mainland travel permit for Taiwan residents.
        TaiwanPermit,
        /// Foreign permanent resident ID card.
        ForeignPermanentResidentId,
    }
);

mirror!(
    /// Whether a certificate currently stands.
    CertificateStatus {
        /// Issued, not revoked, not expired.
        Valid,
        /// Past its expiry date.
        Expired,
        /// Revoked by the issuer or the city; never counted.
        Revoked,
    }
);

mirror!(
    /// The three credentials, kept apart.
    CredentialKind {
        /// Training completion certificate (结业证书), issued by `completeEnrolment`.
        TrainingCompletion,
        /// Vocational skill-level certificate (职业技能等级证书) of an evaluation organisation.
        SkillLevel,
        /// Special vocational-ability certificate (专项职业能力证书).
        SpecialAbility,
    }
);

mirror!(
    /// The sub-types (工种) of occupation 互联网营销师 (4-01-02-07).
    SkillSubtype {
        /// 选品员, levels 5 to 1; counts on PROFESSIONAL.
        ProductSelector,
        /// 直播销售员, levels 5 to 1; counts on HOST.
        LivestreamSeller,
        /// 视频创推员, levels 5 to 1; counts on PROFESSIONAL.
        VideoPromoter,
        /// 平台管理员, levels 5 to 3 only; counts on PROFESSIONAL.
        PlatformManager,
    }
);

impl SkillSubtype {
    /// The sub-type of a stored, optional spelling.
    pub fn stored(raw: Option<&str>) -> async_graphql::Result<Option<Self>> {
        raw.map(|s| super::stored::<domain::SkillSubtype>(s).map(Into::into))
            .transpose()
    }
}
