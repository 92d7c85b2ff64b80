//! Which posts lead: the titles of leaders and managers, as data.
//!
//! A registration or an assignment says in its own `leadership` flag whether the person
//! leads; a rotation, transfer or secondment names only the post it moves them to, so
//! whether that post leads is read from its title here (see `PersonView::leadership`).
//! Pure; labels of vocabulary values live in `vocab`.

use super::vocab::fold;

/// The titles that make a post a leading one when the post's name begins with them
/// (compared folded: without diacritics or case, whole words): heads and deputies of a
/// department, board, office, centre, command or school, and of a commune's party
/// committee, council and people's committee.
pub const LEADING_TITLES: &[&str] = &[
    "Bí thư",
    "Phó Bí thư",
    "Chủ tịch",
    "Phó Chủ tịch",
    "Trưởng",
    "Phó Trưởng",
    "Phó phòng",
    "Phó ban",
    "Giám đốc",
    "Phó Giám đốc",
    "Chánh",
    "Phó Chánh",
    "Chỉ huy trưởng",
    "Phó Chỉ huy trưởng",
    "Chính trị viên",
    "Hiệu trưởng",
    "Phó Hiệu trưởng",
];

/// Whether a post of this name leads: it begins with one of [`LEADING_TITLES`].
pub fn is_leading(post: &str) -> bool {
    let post = fold(post);
    LEADING_TITLES.iter().any(|title| {
        post.strip_prefix(&fold(title))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    })
}
