//! The frame of every console page — head, navigation by role, language switch, the
//! open-mode banner; a bare frame for printable pages — and [`Problem`], what a page
//! answers with when it cannot show what was asked, rendered as a page in the visitor's
//! language by the session layer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

use super::session::Visit;
use crate::domain::vocab::Lang;
use crate::http::auth::Role;
use crate::http::error::ApiError;

/// The navigation entry a page belongs to (highlighted), or none (sign-in, errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    None,
    Dashboard,
    People,
    Units,
    Training,
    Imports,
    Audit,
}

/// The navigation: (entry, path, Vietnamese, English, shown to whom).
const ENTRIES: [(Nav, &str, &str, &str, Audience); 6] = [
    (
        Nav::Dashboard,
        "/",
        "Tổng quan",
        "Dashboard",
        Audience::Everyone,
    ),
    (
        Nav::People,
        "/console/people",
        "Cán bộ",
        "People",
        Audience::Everyone,
    ),
    (
        Nav::Units,
        "/console/units",
        "Đơn vị",
        "Units",
        Audience::Everyone,
    ),
    (
        Nav::Training,
        "/console/programmes",
        "Đào tạo, bồi dưỡng",
        "Training",
        Audience::Everyone,
    ),
    (
        Nav::Imports,
        "/console/imports",
        "Nhập tệp",
        "Imports",
        Audience::Clerks,
    ),
    (
        Nav::Audit,
        "/console/audit",
        "Kiểm tra",
        "Audit",
        Audience::Auditors,
    ),
];

/// Who sees a navigation entry (the page itself checks again).
#[derive(Debug, Clone, Copy)]
enum Audience {
    Everyone,
    Clerks,
    Auditors,
}

/// A role as the console names it.
pub(crate) fn role_label(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Clerk => lang.pick("cán bộ nghiệp vụ", "clerk"),
        Role::Auditor => lang.pick("kiểm tra viên", "auditor"),
        Role::Viewer => lang.pick("người xem", "viewer"),
    }
}

/// A whole page: `title` as its heading, `body` inside the frame.
pub(crate) fn page(visit: &Visit, title: &str, nav: Nav, body: Markup) -> Markup {
    page_with_scripts(visit, title, nav, body, &[])
}

/// [`page`] loading `scripts` (files of `assets/`) besides `console.js`.
pub(crate) fn page_with_scripts(
    visit: &Visit,
    title: &str,
    nav: Nav,
    body: Markup,
    scripts: &[&str],
) -> Markup {
    let lang = visit.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.pick("vi", "en")) {
            (head(title, scripts))
            body {
                a.skip href="#main" { (visit.say("Bỏ qua, đến nội dung", "Skip to content")) }
                (header(visit, nav))
                @if visit.open {
                    p.banner role="note" { (visit.say(
                        "Chế độ mở: chưa cấu hình mã truy cập, mọi người dùng trên máy này là cán bộ nghiệp vụ “local” (chỉ nghe trên địa chỉ nội bộ).",
                        "Open mode: no token is configured, so everyone on this machine is the clerk “local” (loopback only).")) }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
                footer.bottom {
                    (visit.say("cadre — sổ theo dõi đào tạo, bồi dưỡng, luân chuyển và đánh giá cán bộ", "cadre — a ledger of the training, rotations and appraisals of public servants"))
                }
            }
        }
    }
}

/// A page to print: the document alone, without navigation, language switch or footer.
pub(crate) fn printable(visit: &Visit, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(visit.lang.pick("vi", "en")) {
            (head(title, &[]))
            body.printable {
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

fn head(title: &str, scripts: &[&str]) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · cadre" }
            link rel="stylesheet" href="/console/assets/style.css";
            script src="/console/assets/console.js" defer {}
            @for script in scripts {
                script src={ "/console/assets/" (script) } defer {}
            }
        }
    }
}

fn header(visit: &Visit, current: Nav) -> Markup {
    let lang = visit.lang;
    html! {
        header.top {
            a.brand href="/" { "cadre" }
            @if visit.caller.is_some() {
                nav aria-label=(visit.say("Chính", "Main")) {
                    ul {
                        @for (nav, path, vi, en, shown) in ENTRIES {
                            @if match shown { Audience::Everyone => true, Audience::Clerks => visit.may_write(), Audience::Auditors => visit.may_audit() } {
                                li { a href=(path) aria-current=[(nav == current).then_some("page")] { (lang.pick(vi, en)) } }
                            }
                        }
                    }
                }
            }
            div.who {
                @if let Some(caller) = &visit.caller {
                    span.badge { (caller.name) " · " (role_label(caller.role, lang)) }
                }
                form.inline method="post" action="/console/language" {
                    (visit.csrf_field())
                    input type="hidden" name="back" value=(visit.path);
                    @let other = lang.pick("en", "vi");
                    button.link type="submit" name="lang" value=(other) lang=(other) {
                        (lang.pick("English", "Tiếng Việt"))
                    }
                }
                @if visit.caller.is_some() && !visit.open {
                    form.inline method="post" action="/console/sign-out" {
                        (visit.csrf_field())
                        button.link type="submit" { (visit.say("Đăng xuất", "Sign out")) }
                    }
                }
            }
        }
    }
}

/// Why a page cannot be shown. A handler answers with it (`?` on the library's errors
/// works); the session layer renders it in the visitor's language.
#[derive(Debug)]
pub(crate) enum Problem {
    /// Not signed in: the sign-in page, coming back afterwards.
    SignIn,
    /// The visitor's role may not do this; the role needed.
    Forbidden(Role),
    /// The form's CSRF token is not the session's (an old page, or another site's form).
    Expired,
    NotFound,
    /// The library refused or failed: its status and safe detail.
    Failed(ApiError),
}

impl<E> From<E> for Problem
where
    ApiError: From<E>,
{
    fn from(error: E) -> Problem {
        Problem::Failed(ApiError::from(error))
    }
}

/// A [`Problem`] as the layer gets it (responses carry only cloneable extensions).
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    status: StatusCode,
    vi: String,
    en: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (status, vi, en) = match self {
            Problem::SignIn => (StatusCode::SEE_OTHER, String::new(), String::new()),
            Problem::Forbidden(role) => (
                StatusCode::FORBIDDEN,
                format!("Việc này cần vai trò {}.", role_label(role, Lang::Vi)),
                format!("This needs the {} role.", role_label(role, Lang::En)),
            ),
            Problem::Expired => (
                StatusCode::FORBIDDEN,
                "Biểu mẫu này đã cũ (phiên làm việc đã thay đổi). Hãy tải lại trang rồi gửi lại.".into(),
                "This form is out of date (the session changed). Reload the page and send it again.".into(),
            ),
            Problem::NotFound => (
                StatusCode::NOT_FOUND,
                "Không có trang này.".into(),
                "There is no such page.".into(),
            ),
            Problem::Failed(error) => {
                error.log();
                let (status, _, detail) = error.parts();
                match &error {
                    ApiError::Domain(refusal) => {
                        (status, refusal.say(Lang::Vi), refusal.say(Lang::En))
                    }
                    _ => (
                        status,
                        format!("Không thực hiện được ({}): {detail}", status.as_u16()),
                        detail,
                    ),
                }
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(Shown { status, vi, en });
        response
    }
}

/// The page a [`Problem`] becomes; sign-in is a redirect that comes back to `visit.path`.
pub(super) fn problem_page(visit: &Visit, shown: Shown) -> Response {
    if shown.status == StatusCode::SEE_OTHER {
        let next: String = form_urlencoded::byte_serialize(visit.path.as_bytes()).collect();
        return Redirect::to(&format!("/console/sign-in?next={next}")).into_response();
    }
    let title = visit.say("Không thực hiện được", "Cannot do this");
    let body = html! {
        p.refusal role="alert" { (visit.lang.pick(&shown.vi, &shown.en)) }
        p { a href=(visit.path) { (visit.say("Tải lại trang", "Reload the page")) } " · " a href="/" { (visit.say("Về trang tổng quan", "Go to the dashboard")) } }
    };
    (shown.status, page(visit, title, Nav::None, body)).into_response()
}

/// Any `/console/…` path that is no page.
pub(super) async fn not_found() -> Problem {
    Problem::NotFound
}
