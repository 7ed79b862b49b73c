//! The gateway's Prometheus metrics (`GET /metrics`, OpenMetrics text): requests by
//! outcome, latency, actions, per-material hits, errors by kind, fallbacks, the
//! versions in service, shadow comparisons and deploys. Every metric is an atomic
//! updated on the request path; encoding happens only when scraped.

use prescreen_core::{Action, Verdict};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::deploy::Version;

/// How a `/v1/screen` request ended (label `outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A verdict.
    Verdict,
    /// The component's typed error (HTTP 422).
    ScreenError,
    /// Timeout, memory limit, trap or host failure: the fallback action answered.
    Fault,
    /// The request itself was wrong: malformed JSON, body too large (HTTP 4xx).
    Rejected,
    /// No worker could take the request in time (HTTP 503).
    Overloaded,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Verdict => "verdict",
            Outcome::ScreenError => "screen_error",
            Outcome::Fault => "fault",
            Outcome::Rejected => "rejected",
            Outcome::Overloaded => "overloaded",
        }
    }
}

/// Which slot answered a request (label `route`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Active,
    Canary,
}

impl Route {
    pub fn label(self) -> &'static str {
        match self {
            Route::Active => "active",
            Route::Canary => "canary",
        }
    }
}

/// Result of running the shadow candidate on a request (label `result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShadowResult {
    /// Same action and same hit ids as the version that answered.
    Agree,
    /// Another action or other hit ids.
    Disagree,
    /// The candidate (or the answering version) gave no verdict.
    Error,
    /// Not run: the shadow worker was busy (shadow traffic never queues up).
    Skipped,
}

impl ShadowResult {
    pub const ALL: [ShadowResult; 4] =
        [ShadowResult::Agree, ShadowResult::Disagree, ShadowResult::Error, ShadowResult::Skipped];

    pub fn label(self) -> &'static str {
        match self {
            ShadowResult::Agree => "agree",
            ShadowResult::Disagree => "disagree",
            ShadowResult::Error => "error",
            ShadowResult::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HitLabels {
    material_id: String,
    category: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FallbackLabels {
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    slot: &'static str,
    name: String,
    version: String,
    digest: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InstanceLabels {
    instance: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeployLabels {
    operation: &'static str,
    result: &'static str,
}

/// All metrics of one server, registered under the `prescreen_` prefix.
pub struct Metrics {
    registry: Registry,
    requests: Family<OutcomeLabels, Counter>,
    latency: Histogram,
    actions: Family<ActionLabels, Counter>,
    hits: Family<HitLabels, Counter>,
    errors: Family<KindLabels, Counter>,
    fallbacks: Family<FallbackLabels, Counter>,
    versions: Family<VersionLabels, Gauge>,
    shadow: Family<ShadowLabels, Counter>,
    admin: Family<DeployLabels, Counter>,
    instances: Family<InstanceLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("prescreen");
        let requests = Family::<OutcomeLabels, Counter>::default();
        // 25 us to ~1.6 s, doubling: a fresh-instance request is ~100 us on the sample
        // package; the top buckets catch image decoding and timeouts.
        let latency = Histogram::new(exponential_buckets(25e-6, 2.0, 17));
        let actions = Family::<ActionLabels, Counter>::default();
        let hits = Family::<HitLabels, Counter>::default();
        let errors = Family::<KindLabels, Counter>::default();
        let fallbacks = Family::<FallbackLabels, Counter>::default();
        let versions = Family::<VersionLabels, Gauge>::default();
        let shadow = Family::<ShadowLabels, Counter>::default();
        let admin = Family::<DeployLabels, Counter>::default();
        let instances = Family::<InstanceLabels, Counter>::default();
        registry.register(
            "requests",
            "Screen requests by outcome and by the slot that answered",
            requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time from the request body received to the response ready (queueing, parsing and screening)",
            latency.clone(),
        );
        registry.register("actions", "Verdict actions by the slot that answered", actions.clone());
        registry.register(
            "material_hits",
            "Hits per material (acting and detection-only)",
            hits.clone(),
        );
        registry.register(
            "errors",
            "Errors by kind: the component's typed errors (too_large, invalid_input, unsupported, not_loaded), faults (timeout, memory, trap, host) and rejected requests (bad_request, body_too_large, overloaded)",
            errors.clone(),
        );
        registry.register(
            "fallbacks",
            "Answers given with the configured fallback action instead of a verdict",
            fallbacks.clone(),
        );
        registry.register(
            "version_info",
            "Versions in service (1) by slot: active, previous, canary, shadow",
            versions.clone(),
        );
        registry.register(
            "shadow_comparisons",
            "Shadow candidate runs compared with the answering version",
            shadow.clone(),
        );
        registry.register(
            "admin_operations",
            "Deploys, promotions and rollbacks by result",
            admin.clone(),
        );
        registry.register(
            "screen_instances",
            "Component instances that screened a request: fresh (instantiated for it) or reused (--reuse-instances)",
            instances.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            actions,
            hits,
            errors,
            fallbacks,
            versions,
            shadow,
            admin,
            instances,
        }
    }

    /// Records a finished screen request.
    pub fn request(&self, outcome: Outcome, route: Route, seconds: f64) {
        self.requests
            .get_or_create(&OutcomeLabels { outcome: outcome.label(), route: route.label() })
            .inc();
        self.latency.observe(seconds);
    }

    /// Records which kind of instance screened a request.
    pub fn instance(&self, instance: super::reuse::Instance) {
        let label = match instance {
            super::reuse::Instance::Fresh => "fresh",
            super::reuse::Instance::Reused => "reused",
        };
        self.instances.get_or_create(&InstanceLabels { instance: label }).inc();
    }

    /// How many requests ended with `outcome` (all routes).
    pub fn requests(&self, outcome: Outcome) -> u64 {
        [Route::Active, Route::Canary]
            .iter()
            .filter_map(|r| {
                self.requests
                    .get(&OutcomeLabels { outcome: outcome.label(), route: r.label() })
                    .map(|c| c.get())
            })
            .sum()
    }

    /// Records a verdict: its action and every hit.
    pub fn verdict(&self, verdict: &Verdict, route: Route) {
        self.actions
            .get_or_create(&ActionLabels { action: verdict.action.as_str(), route: route.label() })
            .inc();
        for hit in &verdict.hits {
            let labels = HitLabels {
                material_id: label_value(&hit.material_id),
                category: label_value(&hit.category),
            };
            self.hits.get_or_create(&labels).inc();
        }
    }

    pub fn error(&self, kind: &str) {
        self.errors.get_or_create(&KindLabels { kind: label_value(kind) }).inc();
    }

    pub fn fallback(&self, action: Action) {
        self.fallbacks.get_or_create(&FallbackLabels { action: action.as_str() }).inc();
    }

    pub fn shadow(&self, result: ShadowResult) {
        self.shadow.get_or_create(&ShadowLabels { result: result.label() }).inc();
    }

    pub fn shadow_count(&self, result: ShadowResult) -> u64 {
        self.shadow.get(&ShadowLabels { result: result.label() }).map_or(0, |c| c.get())
    }

    /// Records an admin operation (`deploy`, `promote`, `rollback`) and its result.
    pub fn admin(&self, operation: &'static str, ok: bool) {
        self.admin
            .get_or_create(&DeployLabels { operation, result: if ok { "ok" } else { "rejected" } })
            .inc();
    }

    pub fn admin_count(&self, operation: &'static str, ok: bool) -> u64 {
        self.admin
            .get(&DeployLabels { operation, result: if ok { "ok" } else { "rejected" } })
            .map_or(0, |c| c.get())
    }

    /// Replaces the version gauges with the versions now in service.
    pub fn set_versions<'a>(&self, slots: impl IntoIterator<Item = (&'static str, &'a Version)>) {
        // Cleared first so a version that left service stops being reported.
        self.versions.clear();
        for (slot, v) in slots {
            let labels = VersionLabels {
                slot,
                name: label_value(&v.info.name),
                version: label_value(&v.info.version),
                digest: label_value(&v.info.digest),
            };
            self.versions.get_or_create(&labels).set(1);
        }
    }

    /// Exposes the decision log's count of records it could not queue
    /// (`prescreen_decision_log_dropped_total`): a non-zero rate means the disk is
    /// slower than the traffic, and reviewers' reports will miss those verdicts.
    pub fn track_decision_log(&mut self, dropped: Counter) {
        self.registry.register(
            "decision_log_dropped",
            "Verdicts not recorded in the decision log because its queue was full or it was closed",
            dropped,
        );
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// A label value as the text exposition format needs it: backslash, double quote and
/// line feed escaped (prometheus-client writes label values as given), so a package
/// named `x"} 1\n# EOF` cannot forge series or end the exposition early (issue #15).
fn label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}
