//! The form of the page without JavaScript: what the visitor typed, why it came back, and the view the
//! template draws (fields with their labels, hints, errors and focus).

use super::Here;
use super::words::Words;
use crate::domain::time::now_ms;
use crate::state::AppState;

/// What the visitor typed, kept when the form comes back.
#[derive(Default)]
pub struct Input {
    pub text: String,
    pub author: String,
    pub email: String,
    pub website: String,
}

/// Why a post came back: the field at fault (the widget's field names), or the form as a whole.
pub struct Problem {
    pub field: Option<&'static str>,
    pub message: String,
}

/// The form as shown: the input (empty, or kept), the problem, and its token.
pub struct Form {
    pub input: Input,
    pub parent: Option<i64>,
    pub problem: Option<Problem>,
    pub token: String,
}

impl Form {
    /// An empty form for a reply to `parent` (or a top-level comment), with a fresh token.
    pub fn fresh(state: &AppState, here: &Here, parent: Option<i64>) -> Self {
        Self {
            input: Input::default(),
            parent,
            problem: None,
            token: state.keys.form_token(&here.site, &here.uri, now_ms()),
        }
    }
}

pub struct FormView {
    pub action: String,
    pub uri: String,
    pub parent: Option<i64>,
    pub token: String,
    pub lang: Option<&'static str>,
    pub error: Option<String>,
    pub text: FieldView,
    pub fields: Vec<FieldView>,
    pub cancel: Option<String>,
}

pub struct FieldView {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub maxlength: u32,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub invalid: bool,
    pub describedby: Option<String>,
    pub focus: bool,
}

pub fn form_view(t: &Words, here: &Here, form: Form, parent: Option<String>, cancel: Option<String>) -> FormView {
    let Form {
        input,
        parent: parent_id,
        problem,
        token,
    } = form;
    let (at, message) = match problem {
        Some(Problem { field, message }) => (field, Some(message)),
        None => (None, None),
    };
    // A field's own problem is told beside it; any other above the form, and the text field gets the focus.
    let field_problem = at.filter(|f| ["text", "author", "email", "website"].contains(f));
    let form_error = if field_problem.is_none() { message.clone() } else { None };
    let field =
        |name: &'static str, label: String, kind, autocomplete, maxlength, value: String, hint: Option<String>| {
            let id = format!("riposte-f-{name}");
            let error = message.clone().filter(|_| field_problem == Some(name));
            let mut describedby: Vec<String> = Vec::new();
            if hint.is_some() {
                describedby.push(format!("{id}-hint"));
            }
            if error.is_some() {
                describedby.push(format!("{id}-error"));
            }
            if name == "text" && form_error.is_some() {
                describedby.push("riposte-form-error".into());
            }
            FieldView {
                name,
                label,
                kind,
                autocomplete,
                maxlength,
                value,
                hint,
                invalid: error.is_some(),
                focus: error.is_some() || (name == "text" && form_error.is_some()),
                error,
                describedby: (!describedby.is_empty()).then(|| describedby.join(" ")),
                id,
            }
        };
    let text_label = match &parent {
        Some(name) => t.fill("replyTo", &[("name", name)]),
        None => t.s("text").to_owned(),
    };
    FormView {
        action: format!("/t/{}", here.site),
        uri: here.uri.clone(),
        parent: parent_id,
        token,
        lang: here.lang,
        text: field(
            "text",
            text_label,
            "textarea",
            "off",
            10_000,
            input.text,
            Some(t.s("textHint").to_owned()),
        ),
        fields: vec![
            field(
                "author",
                t.s("name").to_owned(),
                "text",
                "name",
                100,
                input.author,
                None,
            ),
            field(
                "email",
                t.s("email").to_owned(),
                "email",
                "email",
                254,
                input.email,
                Some(t.s("emailHint").to_owned()),
            ),
            field(
                "website",
                t.s("website").to_owned(),
                "url",
                "url",
                500,
                input.website,
                None,
            ),
        ],
        error: form_error,
        cancel,
    }
}
