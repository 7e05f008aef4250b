//! Detecting the kinds of sensitive data an API touches from its field names and formats.
//!
//! Names are split into lower-case words (`dateOfBirth`, `date_of_birth` and `date-of-birth` all
//! give `date of birth`), then matched against word rules. Rules err towards precision: a
//! detection becomes a claim about the estate, so `ip_address`, `next_page_token`,
//! `health_check` or `token_type` are deliberately *not* personal data or secrets.

use bulkhead_core::model::{DataClass, Sensitivity};

/// A data class Bulkhead can detect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detected {
    Email,
    Phone,
    Address,
    DateOfBirth,
    NationalId,
    PaymentCard,
    Iban,
    Password,
    Secret,
    Health,
}

impl Detected {
    pub const ALL: [Detected; 10] = [
        Detected::Email,
        Detected::Phone,
        Detected::Address,
        Detected::DateOfBirth,
        Detected::NationalId,
        Detected::PaymentCard,
        Detected::Iban,
        Detected::Password,
        Detected::Secret,
        Detected::Health,
    ];

    /// The data class id used in designs.
    pub fn id(self) -> &'static str {
        match self {
            Detected::Email => "email",
            Detected::Phone => "phone",
            Detected::Address => "postal-address",
            Detected::DateOfBirth => "date-of-birth",
            Detected::NationalId => "national-id",
            Detected::PaymentCard => "payment-card",
            Detected::Iban => "bank-account",
            Detected::Password => "password",
            Detected::Secret => "secret-token",
            Detected::Health => "health",
        }
    }

    /// The catalogue entry added to a design that uses this class.
    pub fn data_class(self) -> DataClass {
        let (name, sensitivity, crown_jewel) = match self {
            Detected::Email => ("Email address (PII)", Sensitivity::Confidential, false),
            Detected::Phone => ("Phone number (PII)", Sensitivity::Confidential, false),
            Detected::Address => ("Postal address (PII)", Sensitivity::Confidential, false),
            Detected::DateOfBirth => ("Date of birth (PII)", Sensitivity::Confidential, false),
            Detected::NationalId => (
                "National id, SSN, passport or tax id",
                Sensitivity::Restricted,
                true,
            ),
            Detected::PaymentCard => (
                "Payment card number (PAN, CVV)",
                Sensitivity::Restricted,
                true,
            ),
            Detected::Iban => ("Bank account number or IBAN", Sensitivity::Restricted, true),
            Detected::Password => ("Passwords", Sensitivity::Restricted, true),
            Detected::Secret => (
                "Tokens, API keys and secrets",
                Sensitivity::Restricted,
                true,
            ),
            Detected::Health => ("Health and medical data", Sensitivity::Restricted, true),
        };
        DataClass {
            id: self.id().to_string(),
            name: name.to_string(),
            sensitivity,
            crown_jewel,
            description: Some("detected by `bulkhead import` from field names and formats".into()),
        }
    }

    pub fn from_id(id: &str) -> Option<Detected> {
        Detected::ALL.into_iter().find(|d| d.id() == id)
    }
}

/// Split a field name into lower-case words: camelCase, snake_case, kebab-case, dots.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// [`classify`], knowing the field's JSON Schema `type`: flags (`boolean`) hold no data, and
/// numbers are never health records (`health_percentage`).
pub fn classify_typed(name: &str, format: Option<&str>, kind: Option<&str>) -> Option<Detected> {
    match (classify(name, format)?, kind) {
        (_, Some("boolean")) => None,
        (Detected::Health, Some("number" | "integer")) => None,
        (class, _) => Some(class),
    }
}

/// What a field named `name` with schema `format` holds, if anything sensitive.
pub fn classify(name: &str, format: Option<&str>) -> Option<Detected> {
    if let Some(f) = format {
        match f.to_ascii_lowercase().as_str() {
            "email" | "idn-email" => return Some(Detected::Email),
            "password" => return Some(Detected::Password),
            "phone" | "tel" | "phone-number" => return Some(Detected::Phone),
            "iban" => return Some(Detected::Iban),
            "credit-card" | "creditcard" | "card-number" => return Some(Detected::PaymentCard),
            "ssn" => return Some(Detected::NationalId),
            _ => {}
        }
    }
    let w = words(name);
    if w.is_empty() {
        return None;
    }
    let has = |x: &str| w.iter().any(|v| v == x);
    let any = |xs: &[&str]| w.iter().any(|v| xs.contains(&v.as_str()));
    let joined = w.concat();

    // Order matters: the most specific classes first (`card_holder_address` is an address,
    // `password_reset_token` is a secret, `email_verification_token` is a secret).
    if any(&["iban"]) || (has("bank") && any(&["account", "acct"])) {
        return Some(Detected::Iban);
    }
    if any(&[
        "pan",
        "cvv",
        "cvc",
        "cvv2",
        "cvc2",
        "creditcard",
        "cardnumber",
        "ccnumber",
    ]) || (has("card") && any(&["number", "num", "no"]))
        || (has("credit") && has("card"))
        || joined == "ccnum"
    {
        return Some(Detected::PaymentCard);
    }
    if any(&["ssn", "passport", "taxpayer", "nino", "itin"])
        || (has("national") && any(&["id", "identifier", "number", "identity"]))
        || (has("social") && has("security"))
        || (has("tax") && any(&["id", "number", "identifier"]))
        || (any(&["driver", "drivers", "driving"]) && any(&["license", "licence"]))
    {
        return Some(Detected::NationalId);
    }
    if any(&["password", "passwd", "pwd", "passphrase"]) {
        return Some(Detected::Password);
    }
    if is_secret(&w, &joined) {
        return Some(Detected::Secret);
    }
    if any(&["dob", "birthdate", "birthday"]) || has("birth") {
        return Some(Detected::DateOfBirth);
    }
    if any(&["email", "emails", "mail"])
        && !any(&[
            "enabled", "count", "verified", "sent", "template", "subject", "body", "type",
        ])
        || joined == "emailaddress"
    {
        return Some(Detected::Email);
    }
    if any(&[
        "phone",
        "phones",
        "msisdn",
        "telephone",
        "mobile",
        "fax",
        "cellphone",
    ]) && !any(&["app", "os", "model", "platform", "verified"])
    {
        return Some(Detected::Phone);
    }
    if is_address(&w) {
        return Some(Detected::Address);
    }
    if any(&[
        "diagnosis",
        "diagnoses",
        "medical",
        "medication",
        "medications",
        "prescription",
        "allergy",
        "allergies",
        "patient",
        "icd10",
        "disability",
        "pregnancy",
    ]) || (has("health")
        && !any(&[
            "check", "checks", "status", "probe", "endpoint", "url", "path", "port", "state",
            "score", "interval",
        ]))
        || (has("blood") && has("type"))
    {
        return Some(Detected::Health);
    }
    None
}

fn is_secret(w: &[String], joined: &str) -> bool {
    let has = |x: &str| w.iter().any(|v| v == x);
    let any = |xs: &[&str]| w.iter().any(|v| xs.contains(&v.as_str()));
    // Not secrets: metadata about tokens and keys, and pagination cursors.
    let metadata = any(&[
        "type",
        "types",
        "count",
        "expires",
        "expiry",
        "expiration",
        "expired",
        "ttl",
        "url",
        "uri",
        "endpoint",
        "page",
        "next",
        "prev",
        "previous",
        "continuation",
        "cursor",
        "sync",
        "limit",
        "hint",
        "length",
        "name",
        "names",
        "id",
        "ids",
        "last",
        "fingerprint",
        "scopes",
        "scope",
        "prefix",
        "format",
        "algorithm",
        "alg",
        "usage",
        "location",
        "path",
        "header",
        "policy",
        "version",
        "status",
        "enabled",
        "required",
        "rotation",
        "created",
        "updated",
        "at",
        "public",
        "level",
        "method",
        "methods",
        "mode",
    ]);
    if metadata {
        return false;
    }
    any(&[
        "secret",
        "secrets",
        "token",
        "tokens",
        "apikey",
        "credential",
        "credentials",
        "jwt",
        "otp",
        "totp",
        "privatekey",
        "accesskey",
    ]) || (has("private") && has("key"))
        || (any(&[
            "api",
            "access",
            "signing",
            "encryption",
            "secret",
            "master",
            "client",
        ]) && any(&["key", "keys"]))
        || joined == "authorization"
        || (has("client") && has("secret"))
}

fn is_address(w: &[String]) -> bool {
    let has = |x: &str| w.iter().any(|v| v == x);
    let any = |xs: &[&str]| w.iter().any(|v| xs.contains(&v.as_str()));
    if any(&[
        "street",
        "postcode",
        "postalcode",
        "zipcode",
        "zip",
        "postal",
    ]) {
        return true;
    }
    let address = any(&["address", "addresses", "addr"]);
    // Network and email addresses are not postal addresses.
    let not_postal = any(&[
        "ip",
        "ipv4",
        "ipv6",
        "mac",
        "email",
        "mail",
        "remote",
        "host",
        "server",
        "network",
        "bind",
        "listen",
        "url",
        "web",
        "hardware",
        "wallet",
        "contract",
        "memory",
        "local",
        "public",
        "private",
        "node",
        "pod",
        "cluster",
        "external",
        "internal",
        "gateway",
        "proxy",
        "source",
        "destination",
        "dst",
        "src",
        "peer",
        "advertise",
        "broadcast",
        "multicast",
        "cidr",
        "subnet",
        "dns",
        "sender",
        "recipient",
        "reply",
        "from",
        "to",
        "cc",
        "bcc",
        "forwarding",
        "bitcoin",
        "ethereum",
        "crypto",
    ]);
    (address && !not_postal) || (has("city") && !has("id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_every_naming_style() {
        assert_eq!(words("dateOfBirth"), ["date", "of", "birth"]);
        assert_eq!(words("IBANNumber"), ["iban", "number"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("card_number2"), ["card", "number2"]);
    }

    #[test]
    fn positives() {
        let cases = [
            ("email", None, Detected::Email),
            ("contact", Some("email"), Detected::Email),
            ("phoneNumber", None, Detected::Phone),
            ("shipping_address", None, Detected::Address),
            ("street_address", None, Detected::Address),
            ("zip_code", None, Detected::Address),
            ("date_of_birth", None, Detected::DateOfBirth),
            ("dob", None, Detected::DateOfBirth),
            ("ssn", None, Detected::NationalId),
            ("nationalId", None, Detected::NationalId),
            ("credit_card_number", None, Detected::PaymentCard),
            ("pan", None, Detected::PaymentCard),
            ("cvv", None, Detected::PaymentCard),
            ("iban", None, Detected::Iban),
            ("bank_account_number", None, Detected::Iban),
            ("password", None, Detected::Password),
            ("pin", Some("password"), Detected::Password),
            ("access_token", None, Detected::Secret),
            ("client_secret", None, Detected::Secret),
            ("api_key", None, Detected::Secret),
            ("private_key", None, Detected::Secret),
            ("diagnosis", None, Detected::Health),
            ("health_record", None, Detected::Health),
        ];
        for (name, format, want) in cases {
            assert_eq!(classify(name, format), Some(want), "{name}");
        }
    }

    #[test]
    fn negatives() {
        for name in [
            "ip_address",
            "remote_address",
            "next_page_token",
            "token_type",
            "expires_at",
            "health_check",
            "healthStatus",
            "email_verified",
            "key",
            "id",
            "name",
            "company",
            "addressable",
            "public_key",
            "token_url",
            "mfa_level",
            "mfa_enabled",
        ] {
            assert_eq!(classify(name, None), None, "{name}");
        }
    }
}
