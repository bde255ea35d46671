//! GraphQL over HTTP: [`Gql`] answers, calls as a token or anonymous, uploads, sign-in,
//! and the documents several feature modules send.

use serde_json::{Value, json};

use super::app::{ADMIN_PASSWORD, TestApp};

/// A GraphQL response.
#[derive(Debug)]
pub struct Gql {
    /// HTTP status.
    pub status: u16,
    /// The whole JSON body.
    pub body: Value,
}

impl Gql {
    /// `data` of a response that must have no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// `extensions.code` of the first error.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {}", self.body))
    }

    /// `extensions.field` of the first error.
    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }
}

impl TestApp {
    /// POSTs a GraphQL request, signed in with `token` when given.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        graphql_at(&self.client, &self.address, token, query, variables)
            .await
            .expect("request is sent")
    }

    /// POSTs a GraphQL multipart request (the GraphQL multipart request spec) whose
    /// variable at `file_path` (e.g. `variables.input.file`) is the file `bytes`.
    pub async fn graphql_upload(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        file_path: &str,
        bytes: Vec<u8>,
    ) -> Gql {
        let operations = json!({ "query": query, "variables": variables });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": [file_path] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("roster.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        let request = self
            .client
            .post(format!("{}/graphql", self.address))
            .multipart(form);
        send(request, token).await.expect("request is sent")
    }

    /// POSTs an anonymous GraphQL request.
    pub async fn graphql(&self, query: &str, variables: Value) -> Gql {
        self.graphql_as(None, query, variables).await
    }

    /// Signs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { token } }",
                json!({ "input": { "username": username, "password": password } }),
            )
            .await;
        response.data()["login"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// A token of the bootstrap CITY_ADMIN.
    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }
}

/// POSTs a GraphQL request to the server at `address`; `Err` when it cannot be sent or
/// the answer is cut off (a server that stopped).
pub async fn graphql_at(
    client: &reqwest::Client,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> reqwest::Result<Gql> {
    let request = client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    send(request, token).await
}

/// Sends a request, signed in with `token` when given; the body must be JSON.
async fn send(mut request: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::Result<Gql> {
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("response is JSON, got {status}: {text}"));
    Ok(Gql { status, body })
}

/// The `registerTrainee` mutation selecting everything a test may assert on.
pub const REGISTER: &str = "mutation($input: RegisterTraineeInput!) {
  registerTrainee(input: $input) {
    created activationCode
    trainee { id name nameMasked idNumberMasked idType phoneMasked district }
  }
}";
/// `createInstitution`, selecting every field.
pub const CREATE_INSTITUTION: &str = "mutation($input: CreateInstitutionInput!) {
  createInstitution(input: $input) { id name creditCode district kind }
}";
/// `createCourse`, selecting the validated fields.
pub const CREATE_COURSE: &str = "mutation($input: CreateCourseInput!) {
  createCourse(input: $input) { id title track level hours capacity startsOn endsOn }
}";
/// `createUser`, selecting role and institution.
pub const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { id role institution { id } } }";
/// `createProgramme`, selecting every field.
pub const CREATE_PROGRAMME: &str = "mutation($input: CreateProgrammeInput!) {
  createProgramme(input: $input) { id name startsOn endsOn targets { track target } }
}";
/// `setTarget`, selecting the targets.
pub const SET_TARGET: &str = "mutation($input: SetTargetInput!) {
  setTarget(input: $input) { id targets { track target } }
}";
/// `activateTraineeAccount`, selecting the token and the account.
pub const ACTIVATE: &str = "mutation($input: ActivateTraineeInput!) {
  activateTraineeAccount(input: $input) { token user { username role } }
}";

/// The `id` of a response object.
pub fn id_at(object: &Value) -> String {
    object["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {object}"))
        .to_owned()
}
