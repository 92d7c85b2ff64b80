//! Who is using the console: a cadre token exchanged for a session cookie, the CSRF token
//! every form carries, and the language the visitor chose.
//!
//! Sessions live in memory (a restart signs everyone out) and keep the token's hash, not
//! the token: every request asks the tokens again, so a revoked token ends its sessions
//! at once. Every visitor has a session, signed in or not, so that the sign-in form
//! carries a CSRF token too. On loopback with no tokens configured, every visitor is the
//! clerk `local`, as on the API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Form, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use rand::Rng;
use serde::Deserialize;

use super::layout::{self, Problem};
use crate::domain::vocab::Lang;
use crate::http::AppState;
use crate::http::auth::{Caller, Role, hash};

const SESSION_COOKIE: &str = "cadre_session";
const LANG_COOKIE: &str = "cadre_lang";
/// A signed-in session lasts a working day; a visitor's unsigned one, two hours.
const SIGNED_FOR: Duration = Duration::from_secs(8 * 3600);
const UNSIGNED_FOR: Duration = Duration::from_secs(2 * 3600);
/// Sessions kept at most: past it, the one closest to expiry goes first.
const MAX_SESSIONS: usize = 10_000;

/// The console's sessions, by their cookie's random id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

#[derive(Clone)]
struct Session {
    csrf: String,
    /// The BLAKE3 hash of the token signed in with.
    holder: Option<String>,
    expires: Instant,
}

/// A new random id or CSRF token: 32 random bytes in hex.
fn secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    /// The live session `id` names, or a new unsigned one (`true`: its cookie is to be set).
    fn find_or_start(&self, id: Option<&str>) -> (String, Session, bool) {
        let mut sessions = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(id) = id
            && let Some(found) = sessions.get(id).filter(|s| s.expires > now)
        {
            return (id.to_string(), found.clone(), false);
        }
        let session = Session {
            csrf: secret(),
            holder: None,
            expires: now + UNSIGNED_FOR,
        };
        let id = secret();
        insert(&mut sessions, id.clone(), session.clone(), now);
        (id, session, true)
    }

    /// Signs in: the old session ends and a new one, with a new id and CSRF token, holds
    /// the token (a session id known before sign-in is worth nothing after it).
    fn sign_in(&self, old: &str, holder: String) -> String {
        let mut sessions = self.0.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(old);
        let now = Instant::now();
        let id = secret();
        let session = Session {
            csrf: secret(),
            holder: Some(holder),
            expires: now + SIGNED_FOR,
        };
        insert(&mut sessions, id.clone(), session, now);
        id
    }

    fn end(&self, id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// Inserts, first dropping expired sessions and, when full, the one nearest its expiry.
fn insert(sessions: &mut HashMap<String, Session>, id: String, session: Session, now: Instant) {
    if sessions.len() >= MAX_SESSIONS {
        sessions.retain(|_, s| s.expires > now);
    }
    if sessions.len() >= MAX_SESSIONS
        && let Some(oldest) = sessions
            .iter()
            .min_by_key(|(_, s)| s.expires)
            .map(|(id, _)| id.clone())
    {
        sessions.remove(&oldest);
    }
    sessions.insert(id, session);
}

/// What a page knows of the request's visitor; every console handler extracts it.
#[derive(Clone)]
pub(crate) struct Visit {
    /// Signed in (or the console runs open): who, with which role.
    pub caller: Option<Caller>,
    /// The token every form of this session carries.
    pub csrf: String,
    pub lang: Lang,
    /// No token is configured: every visitor is the clerk `local`.
    pub open: bool,
    /// The path and query asked for, to come back to after signing in or switching language.
    pub path: String,
    session: String,
    /// Cookies are `Secure` (the request did not come to a loopback name).
    secure: bool,
}

impl Visit {
    /// `vi` or `en`, in the visitor's language.
    pub fn say<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    /// The signed-in visitor; else the sign-in page, coming back here afterwards.
    pub fn signed(&self) -> Result<&Caller, Problem> {
        self.caller.as_ref().ok_or(Problem::SignIn)
    }

    /// A clerk (records and corrects).
    pub fn clerk(&self) -> Result<&Caller, Problem> {
        let caller = self.signed()?;
        caller
            .may_write()
            .map_err(|_| Problem::Forbidden(Role::Clerk))?;
        Ok(caller)
    }

    /// A clerk or an auditor (personal histories, the feed, verify).
    pub fn auditor(&self) -> Result<&Caller, Problem> {
        let caller = self.signed()?;
        caller
            .may_audit()
            .map_err(|_| Problem::Forbidden(Role::Auditor))?;
        Ok(caller)
    }

    pub fn may_write(&self) -> bool {
        self.caller.as_ref().is_some_and(|c| c.may_write().is_ok())
    }

    pub fn may_audit(&self) -> bool {
        self.caller.as_ref().is_some_and(|c| c.may_audit().is_ok())
    }

    /// A form's CSRF token must be this session's: a form from another site, or from a
    /// session since ended, changes nothing.
    pub fn check(&self, sent: &str) -> Result<(), Problem> {
        let same = blake3::hash(sent.as_bytes()) == blake3::hash(self.csrf.as_bytes());
        if same { Ok(()) } else { Err(Problem::Expired) }
    }

    /// The hidden field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Problem> {
        // Put there by `visit`, the layer every console route is behind.
        parts
            .extensions
            .get::<Visit>()
            .cloned()
            .ok_or(Problem::SignIn)
    }
}

/// The value of cookie `name` in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Whether the request came to a loopback name (then a cookie cannot be `Secure`: the
/// console is served over plain HTTP there).
fn on_loopback(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    matches!(name, "localhost" | "[::1]" | "") || name.starts_with("127.")
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Secure off loopback.
fn set_cookie(name: &str, value: &str, max_age: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        max_age.as_secs()
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The layer in front of every console route: finds or starts the visitor's session,
/// hands the handler its [`Visit`], renders a [`Problem`] the handler answered with as a
/// page in the visitor's language, and adds the headers every page carries (with
/// `Server-Timing`: the time the page took in the server).
pub(super) async fn visit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let lang = match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    };
    let secure = !on_loopback(headers);
    let (session, found, fresh) = state.console.find_or_start(cookie(headers, SESSION_COOKIE));
    let open = state.tokens.is_open();
    let caller = if open {
        Some(Caller {
            name: "local".into(),
            role: Role::Clerk,
        })
    } else {
        found
            .holder
            .as_deref()
            .and_then(|digest| state.tokens.holder_of(digest))
            .map(|(name, role)| Caller { name, role })
    };
    let visit = Visit {
        caller,
        csrf: found.csrf,
        lang,
        open,
        path: request
            .uri()
            .path_and_query()
            .map_or("/".into(), |p| p.as_str().to_string()),
        session: session.clone(),
        secure,
    };
    request.extensions_mut().insert(visit.clone());
    let began = Instant::now();
    let mut response = next.run(request).await;
    let took = began.elapsed();
    if let Some(problem) = response.extensions_mut().remove::<layout::Shown>() {
        response = layout::problem_page(&visit, problem);
    }
    let headers = response.headers_mut();
    // The page's own time, for the benchmark and the browser's developer tools.
    if let Ok(timing) = HeaderValue::from_str(&format!("page;dur={:.3}", took.as_secs_f64() * 1e3))
    {
        headers.insert("server-timing", timing);
    }
    if fresh && !headers.contains_key(header::SET_COOKIE) {
        headers.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, &session, UNSIGNED_FOR, secure),
        );
    }
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/language", post(language))
}

#[derive(Deserialize)]
struct Back {
    next: Option<String>,
}

/// Where to go after a form: a path of this site only (never `//elsewhere`).
fn local_path(next: Option<&str>) -> &str {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/")
}

async fn sign_in_page(visit: Visit, Query(q): Query<Back>) -> Markup {
    sign_in_form(&visit, local_path(q.next.as_deref()), None)
}

fn sign_in_form(visit: &Visit, next: &str, refused: Option<&str>) -> Markup {
    let body = html! {
        @if visit.open {
            p.notice { (visit.say(
                "Bảng điều khiển đang chạy ở chế độ mở: chưa cấu hình mã truy cập nào, nên mọi người dùng trên máy này là cán bộ nghiệp vụ “local”. Không cần đăng nhập.",
                "The console runs open: no token is configured, so everyone on this machine is the clerk “local”. No sign-in is needed.")) }
            p { a href="/" { (visit.say("Về trang tổng quan", "Go to the dashboard")) } }
        } @else {
            form.card.narrow method="post" action="/console/sign-in" {
                (visit.csrf_field())
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="token" { (visit.say("Mã truy cập", "Access token")) }
                    input #token type="password" name="token" required autocomplete="off"
                        aria-describedby="token-help" aria-invalid=[refused.map(|_| "true")];
                    p #token-help .help { (visit.say(
                        "Mã do quản trị viên cấp bằng lệnh “cadre token add”.",
                        "The token an administrator issued with “cadre token add”.")) }
                    @if let Some(why) = refused { p.refusal role="alert" { (why) } }
                }
                button type="submit" { (visit.say("Đăng nhập", "Sign in")) }
            }
        }
    };
    layout::page(
        visit,
        visit.say("Đăng nhập", "Sign in"),
        layout::Nav::None,
        body,
    )
}

#[derive(Deserialize)]
struct SignIn {
    csrf: String,
    token: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<SignIn>,
) -> Response {
    if let Err(problem) = visit.check(&form.csrf) {
        return problem.into_response();
    }
    let next = local_path(form.next.as_deref());
    let token = form.token.trim();
    if state.tokens.is_open() || state.tokens.check(token).is_none() {
        let why = visit.say(
            "Mã truy cập không đúng hoặc đã bị thu hồi.",
            "This token is not valid or has been revoked.",
        );
        return (
            StatusCode::UNAUTHORIZED,
            sign_in_form(&visit, next, Some(why)),
        )
            .into_response();
    }
    let id = state.console.sign_in(&visit.session, hash(token));
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, SIGNED_FOR, visit.secure),
    );
    response
}

#[derive(Deserialize)]
struct Csrf {
    csrf: String,
}

async fn sign_out(State(state): State<AppState>, visit: Visit, Form(form): Form<Csrf>) -> Response {
    if let Err(problem) = visit.check(&form.csrf) {
        return problem.into_response();
    }
    state.console.end(&visit.session);
    let mut response = Redirect::to("/console/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Duration::ZERO, visit.secure),
    );
    response
}

#[derive(Deserialize)]
struct Language {
    csrf: String,
    lang: String,
    back: Option<String>,
}

/// Switches the language, remembered for a year in its own cookie (it outlives sessions).
async fn language(visit: Visit, Form(form): Form<Language>) -> Response {
    if let Err(problem) = visit.check(&form.csrf) {
        return problem.into_response();
    }
    let lang = if form.lang == "en" { "en" } else { "vi" };
    let mut response = Redirect::to(local_path(form.back.as_deref())).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang,
            Duration::from_secs(365 * 86400),
            visit.secure,
        ),
    );
    response
}
