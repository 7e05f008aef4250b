//! The design model: what a `*.bulkhead.json` file holds.
//!
//! Field order in these structs is the key order on disk, so a design saved twice is
//! byte-identical. Maps are `BTreeMap` for the same reason. Diagram positions live only in
//! [`Layout`], so moving a box never touches the semantics.
//!
//! Ids are free-form strings that must be unique within their kind (services, segments, data
//! classes, rules, flows). Rules and flows refer to services and segments by id.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format version this build writes. Older versions are migrated on read; newer ones are
/// refused.
pub const FORMAT: &str = "bulkhead/1";

/// The `$schema` reference written into designs so that editors can autocomplete.
pub const SCHEMA_REF: &str = "https://bulkhead.dev/schema/bulkhead.schema.json";

fn is_false(b: &bool) -> bool {
    !*b
}

/// A whole design: the estate, its segments, the rules between them and the observed world.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Editor hint; ignored by Bulkhead.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version, `bulkhead/1`.
    pub format: String,
    /// Human name of the design.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kinds of data the estate handles, with their sensitivity.
    #[serde(default)]
    pub data_classes: Vec<DataClass>,
    #[serde(default)]
    pub services: Vec<Service>,
    /// Trust boundaries. A segment's `parent` makes it nested.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// Access rules. A segment's inbound rules are the rules whose `to` is that segment.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Calls between services, declared (needed) or observed (seen in traffic).
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// Triage decisions on findings (accepted, mitigated, false positive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triage: Vec<Triage>,
    /// What the live Kubernetes NetworkPolicies allowed between these services when they were
    /// imported (`bulkhead import` records it; `bulkhead check` compares it with the design).
    /// A snapshot of the estate, not part of the design's intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::drift::LiveConnectivity>,
    /// Diagram positions only: never semantics.
    #[serde(default)]
    pub layout: Layout,
}

impl Design {
    /// An empty design in the current format.
    pub fn new(name: impl Into<String>) -> Self {
        Design {
            schema: Some(SCHEMA_REF.to_string()),
            format: FORMAT.to_string(),
            name: name.into(),
            ..Design::default()
        }
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    pub fn data_class(&self, id: &str) -> Option<&DataClass> {
        self.data_classes.iter().find(|d| d.id == id)
    }
}

/// Sensitivity of data, ordered: `public < internal < confidential < restricted`.
#[derive(
    Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Sensitivity {
    /// Weight used by the sensitivity-weighted blast radius.
    pub fn weight(self) -> u32 {
        match self {
            Sensitivity::Public => 1,
            Sensitivity::Internal => 2,
            Sensitivity::Confidential => 5,
            Sensitivity::Restricted => 10,
        }
    }
}

/// A kind of data, e.g. `pii`, `payment-card`, `credentials`.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataClass {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub sensitivity: Sensitivity,
    /// The data an attacker must never reach.
    #[serde(default, skip_serializing_if = "is_false")]
    pub crown_jewel: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a service is; decides its shape on the canvas and some findings.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    #[default]
    Api,
    Web,
    Gateway,
    Worker,
    Datastore,
    Queue,
    External,
    Client,
}

/// Whether the internet can reach the service at all.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    #[default]
    Internal,
    Internet,
}

/// A workload that serves or calls APIs, a datastore, an external system or a client.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub kind: ServiceKind,
    /// Kubernetes namespace, if it runs in a cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pod labels: how a pod selector finds this service.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Workload identity, e.g. a service account `ns/sa` or a SPIFFE id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
    /// Data classes (ids) this service stores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_held: Vec<String>,
    #[serde(default)]
    pub exposure: Exposure,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weaknesses: Vec<Weakness>,
    /// Credentials this service holds for calling others. An attacker who compromises the
    /// service steals them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
    /// Free-form tags for search and filtering.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where this service was imported from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Provenance>,
}

/// Transport protocol of a port.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub port: u32,
    #[serde(default)]
    pub protocol: Protocol,
    /// Named port (Kubernetes `containerPort` name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One API operation a service serves.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// HTTP method, upper case (`GET`), or `*` for any.
    pub method: String,
    /// Path template, e.g. `/accounts/{id}`. `{name}` matches one segment; a trailing `/**`
    /// matches any suffix.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Data classes (ids) this endpoint reads or writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_classes: Vec<String>,
    /// Auth the spec declares for this operation (informational; enforcement is the segment's
    /// and the rules' business).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_auth: Vec<String>,
    /// Where in the source the data classes were detected (property, schema).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A known weakness of a service.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Weakness {
    /// e.g. a CVE id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether an attacker who can call the service can take it over.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exploitable: bool,
    /// Probability of a successful exploit, 0..=1, for the probabilistic assumption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

/// A credential a service holds for calling others.
#[derive(
    Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Credential {
    /// An API key, by name (the secret itself never belongs in a design).
    ApiKey { key: String },
    /// A JWT issued by `issuer` carrying `scopes`.
    Jwt {
        issuer: String,
        #[serde(default)]
        scopes: Vec<String>,
    },
}

/// Where an element came from.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// File or URL.
    pub source: String,
    /// Element inside it, e.g. `Deployment shop/frontend` or a JSON pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
}

/// Level at which a segment draws its boundary.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SegmentLevel {
    Network,
    Identity,
    #[default]
    Application,
    Data,
}

/// How much a segment's members are trusted, ordered: `untrusted < low < medium < high`.
#[derive(
    Serialize,
    Deserialize,
    JsonSchema,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Hash,
)]
#[serde(rename_all = "snake_case")]
pub enum TrustLevel {
    Untrusted,
    Low,
    #[default]
    Medium,
    High,
}

/// A trust boundary: a closed, nestable group of services.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Enclosing segment, if nested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default)]
    pub level: SegmentLevel,
    /// Business function, e.g. `payments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The most sensitive data the segment is meant to hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    #[serde(default)]
    pub trust: TrustLevel,
    /// Services (ids) directly in this segment. A service is in at most one leaf segment.
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub policy: SegmentPolicy,
}

/// A segment's inbound policy. Inbound rules are the design's rules whose `to` is the segment.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SegmentPolicy {
    /// Authentication every inbound call must present.
    #[serde(default)]
    pub auth: Auth,
    /// Rate limit applied per caller to inbound calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Whether members may call each other without a rule.
    #[serde(default)]
    pub intra: IntraStance,
    /// Always `deny`: anything no rule allows is denied. Present so the file says so.
    #[serde(default)]
    pub default_action: DefaultAction,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum IntraStance {
    /// Members call each other freely (still subject to the segment's auth).
    #[default]
    Allow,
    /// Members need a rule like anyone else.
    Deny,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DefaultAction {
    #[default]
    Deny,
}

/// An authentication requirement.
// Read through `AuthRead`, not a derived `Deserialize` (see there); the attributes here serve
// writing and the schema.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq, Default, Hash)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auth {
    #[default]
    None,
    /// The caller must hold the named API key.
    ApiKey { key: String },
    /// The caller must hold a JWT from `issuer` with every one of `scopes`.
    Jwt {
        issuer: String,
        #[serde(default)]
        scopes: Vec<String>,
    },
    /// The caller's workload identity must be one of `identities` (`*` allows any identity).
    Mtls {
        #[serde(default)]
        identities: Vec<String>,
    },
}

/// How [`Auth`] is read. serde ignores the fields beside `type` of an internally tagged *unit*
/// variant, `deny_unknown_fields` or not, so `{"type": "none", "key": "k"}` read as `none` and
/// the next save dropped the user's `key`. Read as a struct variant with no fields, `none`
/// refuses them like every other variant ("unknown field `key`", located), on the typed read
/// and the value path alike; the schema already said so (`additionalProperties: false`).
/// `Credential`, the model's other internally tagged enum, has no unit variant.
// INVARIANT: the variants and fields of `Auth`, `None` aside.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum AuthRead {
    None {},
    ApiKey {
        key: String,
    },
    Jwt {
        issuer: String,
        #[serde(default)]
        scopes: Vec<String>,
    },
    Mtls {
        #[serde(default)]
        identities: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for Auth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match AuthRead::deserialize(d)? {
            AuthRead::None {} => Auth::None,
            AuthRead::ApiKey { key } => Auth::ApiKey { key },
            AuthRead::Jwt { issuer, scopes } => Auth::Jwt { issuer, scopes },
            AuthRead::Mtls { identities } => Auth::Mtls { identities },
        })
    }
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Second,
    Minute,
    Hour,
}

/// `requests` per `per`, with an optional burst.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests: u32,
    #[serde(default)]
    pub per: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
}

/// One side of a rule.
#[derive(
    Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Peer {
    /// Anyone outside the estate (only reaches internet-facing services).
    Internet,
    /// Any caller at all, inside or out.
    #[default]
    Any,
    /// Every service in the segment, including nested segments.
    Segment(String),
    /// One service.
    Service(String),
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    #[default]
    Allow,
    /// Overrides every allow.
    Deny,
}

/// An access rule. Empty `ports`, `methods` or `paths` match anything.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub from: Peer,
    pub to: Peer,
    #[serde(default)]
    pub action: Action,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Path templates, as in [`Endpoint::path`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Auth this rule requires, in addition to the target segment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Why the rule exists (required reading for auditors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// ISO date (`YYYY-MM-DD`) after which this exception no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// The application needs this call.
    #[default]
    Declared,
    /// The call was seen in traffic.
    Observed,
}

/// A call from one service to another. `from` may be `internet` for inbound traffic.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    /// Calling service id, or `internet`.
    pub from: String,
    /// Called service id.
    pub to: String,
    #[serde(default)]
    pub kind: FlowKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Number of calls observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Where this flow was declared or observed (file or URL, and the element or log line).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Provenance>,
}

/// The caller id used in flows for traffic from outside the estate.
pub const INTERNET: &str = "internet";

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    Accepted,
    Mitigated,
    FalsePositive,
}

/// A decision on one finding, keyed by the finding's stable key.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    /// The finding's stable key, e.g. `BH001:payments-api`.
    pub finding: String,
    pub status: TriageStatus,
    pub reason: String,
}

/// Diagram positions, keyed by service or segment id. Never semantics.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    #[serde(default)]
    pub positions: BTreeMap<String, Position>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}
