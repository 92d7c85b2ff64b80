//! The demo district's fixed material: units, programmes and Vietnamese names.

use crate::domain::vocab::{
    PoliticalTheoryLevel as P, ProfessionalLevel as Pr, ProgrammeCategory as C,
    QualificationLevel as Q, StateManagementLevel as S, UnitLevel,
};

/// What kind of staff a district body employs, for sizing and categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Party boards and mass organisations: mostly cadres.
    Party,
    /// Departments of the People's Committee: civil servants.
    Department,
    /// The armed forces' district commands: civil servants in the demo.
    Armed,
    /// Health centre and schools: public employees.
    Service,
}

/// The posts of a unit. Whether a post leads is read from its title
/// (`domain::post::is_leading`), as for a rotation, so flags and posts agree.
pub struct Staffing {
    /// Posts held by one person each, filled in order by the unit's first staff: its head
    /// and deputies first.
    pub posts: &'static [&'static str],
    /// Everyone else's post, picked by weight.
    pub staff: &'static [(u32, &'static str)],
}

impl Staffing {
    /// The post a promotion gives: the first deputy's.
    pub fn deputy(&self) -> &'static str {
        self.posts
            .get(1)
            .or(self.posts.first())
            .copied()
            .unwrap_or_default()
    }
}

pub struct UnitSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub level: UnitLevel,
    pub kind: BodyKind,
    pub staffing: &'static Staffing,
    /// Approximate head count.
    pub size: usize,
}

const fn district(
    code: &'static str,
    name: &'static str,
    kind: BodyKind,
    staffing: &'static Staffing,
    size: usize,
) -> UnitSpec {
    UnitSpec {
        code,
        name,
        level: UnitLevel::District,
        kind,
        staffing,
        size,
    }
}

const BOARD: Staffing = Staffing {
    posts: &["Trưởng ban", "Phó Trưởng ban", "Phó Trưởng ban"],
    staff: &[(80, "Chuyên viên"), (20, "Cán sự")],
};

const FRONT: Staffing = Staffing {
    posts: &[
        "Chủ tịch Ủy ban MTTQ huyện",
        "Phó Chủ tịch Ủy ban MTTQ huyện",
        "Phó Chủ tịch Ủy ban MTTQ huyện",
    ],
    staff: &[(80, "Chuyên viên"), (20, "Cán sự")],
};

const OFFICE: Staffing = Staffing {
    posts: &[
        "Chánh Văn phòng",
        "Phó Chánh Văn phòng",
        "Phó Chánh Văn phòng",
    ],
    staff: &[
        (60, "Chuyên viên"),
        (15, "Cán sự"),
        (15, "Văn thư"),
        (10, "Kế toán"),
    ],
};

const DEPARTMENT: Staffing = Staffing {
    posts: &["Trưởng phòng", "Phó Trưởng phòng", "Phó Trưởng phòng"],
    staff: &[(75, "Chuyên viên"), (15, "Cán sự"), (10, "Kế toán")],
};

const MILITARY: Staffing = Staffing {
    posts: &["Chỉ huy trưởng", "Chính trị viên", "Phó Chỉ huy trưởng"],
    staff: &[(55, "Trợ lý"), (45, "Nhân viên")],
};

const POLICE: Staffing = Staffing {
    posts: &[
        "Trưởng Công an huyện",
        "Phó Trưởng Công an huyện",
        "Phó Trưởng Công an huyện",
    ],
    staff: &[
        (10, "Đội trưởng"),
        (15, "Điều tra viên"),
        (30, "Cán bộ Cảnh sát khu vực"),
        (45, "Cán bộ"),
    ],
};

const HEALTH: Staffing = Staffing {
    posts: &["Giám đốc", "Phó Giám đốc", "Phó Giám đốc", "Phó Giám đốc"],
    staff: &[
        (3, "Trưởng khoa"),
        (25, "Bác sĩ"),
        (15, "Y sĩ"),
        (35, "Điều dưỡng"),
        (8, "Hộ sinh"),
        (6, "Dược sĩ"),
        (5, "Kỹ thuật viên"),
        (3, "Kế toán"),
    ],
};

/// The district's schools as one body: a principal and a deputy or two in each school.
const SCHOOLS: Staffing = Staffing {
    posts: &["Hiệu trưởng", "Phó Hiệu trưởng"],
    staff: &[
        (3, "Hiệu trưởng"),
        (4, "Phó Hiệu trưởng"),
        (82, "Giáo viên"),
        (3, "Tổng phụ trách Đội"),
        (4, "Kế toán"),
        (2, "Nhân viên Thư viện"),
        (2, "Nhân viên Y tế trường học"),
    ],
};

pub const DISTRICT_BODIES: &[UnitSpec] = &[
    district(
        "ban-to-chuc",
        "Ban Tổ chức Huyện ủy",
        BodyKind::Party,
        &BOARD,
        14,
    ),
    district(
        "ban-tuyen-giao",
        "Ban Tuyên giáo Huyện ủy",
        BodyKind::Party,
        &BOARD,
        12,
    ),
    district(
        "van-phong-hdnd-ubnd",
        "Văn phòng HĐND và UBND huyện",
        BodyKind::Department,
        &OFFICE,
        40,
    ),
    district(
        "phong-noi-vu",
        "Phòng Nội vụ",
        BodyKind::Department,
        &DEPARTMENT,
        14,
    ),
    district(
        "phong-tai-chinh",
        "Phòng Tài chính - Kế hoạch",
        BodyKind::Department,
        &DEPARTMENT,
        16,
    ),
    district(
        "phong-giao-duc",
        "Phòng Giáo dục và Đào tạo",
        BodyKind::Department,
        &DEPARTMENT,
        22,
    ),
    district(
        "phong-nong-nghiep",
        "Phòng Nông nghiệp và Phát triển nông thôn",
        BodyKind::Department,
        &DEPARTMENT,
        20,
    ),
    district(
        "phong-tai-nguyen",
        "Phòng Tài nguyên và Môi trường",
        BodyKind::Department,
        &DEPARTMENT,
        14,
    ),
    district(
        "phong-van-hoa",
        "Phòng Văn hóa và Thông tin",
        BodyKind::Department,
        &DEPARTMENT,
        12,
    ),
    district(
        "ban-chi-huy-quan-su",
        "Ban Chỉ huy Quân sự huyện",
        BodyKind::Armed,
        &MILITARY,
        60,
    ),
    district(
        "cong-an-huyen",
        "Công an huyện",
        BodyKind::Armed,
        &POLICE,
        90,
    ),
    district(
        "uy-ban-mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam huyện",
        BodyKind::Party,
        &FRONT,
        40,
    ),
    district(
        "trung-tam-y-te",
        "Trung tâm Y tế huyện",
        BodyKind::Service,
        &HEALTH,
        380,
    ),
    district(
        "khoi-truong-hoc",
        "Các trường học trên địa bàn huyện",
        BodyKind::Service,
        &SCHOOLS,
        1960,
    ),
];

pub const COMMUNES: &[&str] = &[
    "Thanh Xương",
    "Thanh An",
    "Thanh Hưng",
    "Pom Lót",
    "Thanh Chăn",
    "Thanh Luông",
    "Thanh Nưa",
    "Thanh Yên",
    "Noong Luống",
    "Noong Hẹt",
    "Sam Mứn",
    "Núa Ngam",
    "Hẹ Muông",
    "Na Ư",
    "Mường Pồn",
    "Mường Nhà",
    "Mường Lói",
    "Phu Luông",
    "Na Tông",
    "Hua Thanh",
];

/// Head count of each commune's cadres and civil servants.
pub const COMMUNE_SIZE: usize = 21;

/// Commune key posts, the targets of rotations (the party committee's and the people's
/// committee's heads and deputies).
pub const COMMUNE_KEY_POSTS: &[&str] = &[
    "Bí thư Đảng ủy xã",
    "Phó Bí thư Đảng ủy xã",
    "Chủ tịch UBND xã",
    "Phó Chủ tịch UBND xã",
];

/// A commune: its cadres, each heading a body (the key posts first), then its civil
/// servants, each of a field (two of most in a commune of 21).
pub const COMMUNE: Staffing = Staffing {
    posts: &[
        "Bí thư Đảng ủy xã",
        "Chủ tịch UBND xã",
        "Phó Bí thư Đảng ủy xã",
        "Phó Chủ tịch UBND xã",
        "Chủ tịch HĐND xã",
        "Phó Chủ tịch HĐND xã",
        "Chủ tịch Ủy ban MTTQ xã",
        "Bí thư Đoàn Thanh niên xã",
        "Chủ tịch Hội Liên hiệp Phụ nữ xã",
        "Chủ tịch Hội Nông dân xã",
        "Chủ tịch Hội Cựu chiến binh xã",
        "Chỉ huy trưởng Quân sự xã",
        "Trưởng Công an xã",
    ],
    staff: &[
        (25, "Công chức Văn phòng - Thống kê"),
        (25, "Công chức Địa chính - Xây dựng"),
        (20, "Công chức Tư pháp - Hộ tịch"),
        (15, "Công chức Tài chính - Kế toán"),
        (15, "Công chức Văn hóa - Xã hội"),
    ],
};

pub struct ProgrammeSpec {
    pub name: &'static str,
    pub category: C,
    pub confers: Option<Q>,
    pub provider: &'static str,
    pub in_province: bool,
    pub days: u32,
}

const fn programme(
    name: &'static str,
    category: C,
    confers: Option<Q>,
    provider: &'static str,
    in_province: bool,
    days: u32,
) -> ProgrammeSpec {
    ProgrammeSpec {
        name,
        category,
        confers,
        provider,
        in_province,
        days,
    }
}

const TRUONG_CHINH_TRI: &str = "Trường Chính trị tỉnh Điện Biên";

pub const PROGRAMMES: &[ProgrammeSpec] = &[
    programme(
        "Sơ cấp lý luận chính trị",
        C::PoliticalTheory,
        Some(Q::PoliticalTheory(P::Elementary)),
        "Trung tâm Bồi dưỡng chính trị huyện Điện Biên",
        true,
        30,
    ),
    programme(
        "Trung cấp lý luận chính trị - hành chính",
        C::PoliticalTheory,
        Some(Q::PoliticalTheory(P::Intermediate)),
        TRUONG_CHINH_TRI,
        true,
        120,
    ),
    programme(
        "Cao cấp lý luận chính trị",
        C::PoliticalTheory,
        Some(Q::PoliticalTheory(P::Advanced)),
        "Học viện Chính trị khu vực I",
        false,
        240,
    ),
    programme(
        "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
        C::StateManagement,
        Some(Q::StateManagement(S::Specialist)),
        TRUONG_CHINH_TRI,
        true,
        60,
    ),
    programme(
        "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên chính",
        C::StateManagement,
        Some(Q::StateManagement(S::PrincipalSpecialist)),
        "Học viện Hành chính Quốc gia",
        false,
        90,
    ),
    programme(
        "Trung cấp chuyên nghiệp Nông lâm",
        C::Professional,
        Some(Q::Professional(Pr::Intermediate)),
        "Trường Trung cấp Kinh tế - Kỹ thuật Điện Biên",
        true,
        150,
    ),
    programme(
        "Cao đẳng Sư phạm (vừa làm vừa học)",
        C::Professional,
        Some(Q::Professional(Pr::College)),
        "Trường Cao đẳng Sư phạm Điện Biên",
        true,
        180,
    ),
    programme(
        "Đại học Luật (vừa làm vừa học)",
        C::Professional,
        Some(Q::Professional(Pr::University)),
        "Trường Đại học Luật Hà Nội",
        false,
        200,
    ),
    programme(
        "Bồi dưỡng nghiệp vụ chuyên môn cấp xã",
        C::Professional,
        None,
        "Trường Chính trị tỉnh Điện Biên",
        true,
        10,
    ),
    programme(
        "Tin học văn phòng",
        C::InformationTechnology,
        None,
        "Trường Cao đẳng Nghề Điện Biên",
        true,
        20,
    ),
    programme(
        "Tiếng Anh trình độ B",
        C::ForeignLanguage,
        None,
        "Trường Đại học Tây Bắc",
        false,
        40,
    ),
    programme(
        "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3",
        C::DefenceSecurity,
        None,
        "Ban Chỉ huy Quân sự tỉnh Điện Biên",
        true,
        12,
    ),
];

/// Surnames with their ethnic group, most common first within each group.
pub const SURNAMES: &[(&str, &str)] = &[
    ("Nguyễn", "Kinh"),
    ("Trần", "Kinh"),
    ("Lê", "Kinh"),
    ("Phạm", "Kinh"),
    ("Hoàng", "Kinh"),
    ("Vũ", "Kinh"),
    ("Đặng", "Kinh"),
    ("Bùi", "Kinh"),
    ("Đỗ", "Kinh"),
    ("Ngô", "Kinh"),
    ("Lò", "Thái"),
    ("Quàng", "Thái"),
    ("Lường", "Thái"),
    ("Cà", "Thái"),
    ("Vì", "Thái"),
    ("Tòng", "Thái"),
    ("Lò", "Thái"),
    ("Quàng", "Thái"),
    ("Giàng", "H'Mông"),
    ("Sùng", "H'Mông"),
    ("Mùa", "H'Mông"),
    ("Vàng", "H'Mông"),
    ("Thào", "H'Mông"),
    ("Lầu", "Khơ Mú"),
];

pub const MALE_MIDDLE: &[&str] = &["Văn", "Đức", "Minh", "Hữu", "Xuân", "Quang"];
pub const FEMALE_MIDDLE: &[&str] = &["Thị", "Thị", "Ngọc", "Thanh", "Thu"];
pub const MALE_GIVEN: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Sơn", "Thắng", "Cường", "Long", "Phúc", "Khánh", "Tiến",
    "Bình", "Chiến", "Duy", "Thành", "Trung", "Việt", "Kiên", "Toàn",
];
pub const FEMALE_GIVEN: &[&str] = &[
    "Hoa", "Lan", "Hương", "Mai", "Thảo", "Hạnh", "Nga", "Yến", "Linh", "Phương", "Trang", "Hà",
    "Thu", "Dung", "Huyền", "Xuân", "Oanh", "Loan",
];

/// Institutions named on qualifications recorded at registration.
pub const INSTITUTIONS: &[&str] = &[
    "Trường Đại học Sư phạm Hà Nội",
    "Trường Đại học Tây Bắc",
    "Học viện Hành chính Quốc gia",
    "Trường Đại học Y Thái Bình",
    "Trường Cao đẳng Sư phạm Điện Biên",
    "Trường Đại học Nông Lâm Thái Nguyên",
    "Trường Trung cấp Y tế Điện Biên",
];
