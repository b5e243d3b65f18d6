package dev.tokenproxy.adapter.in.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenproxy.application.model.RecordQuery;
import dev.tokenproxy.application.model.RecordsUnavailableException;
import dev.tokenproxy.application.model.UsageGrouping;
import dev.tokenproxy.application.port.in.CredentialStatusUseCase;
import dev.tokenproxy.application.port.in.RequestRecordsUseCase;
import dev.tokenproxy.domain.account.UsageWindow;
import dev.tokenproxy.domain.attempt.TokenUsage;
import dev.tokenproxy.domain.cooldown.CredentialKey;
import dev.tokenproxy.domain.record.AttemptRecord;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The operator's API under {@code /admin} (docs/admin-api.md): records, usage totals, upstreams, accounts and
 * cooldowns. Labels only: no body it writes holds a token or key, because the views it is given hold none.
 */
final class AdminEndpoints implements HttpService {

    private static final System.Logger LOG = System.getLogger(AdminEndpoints.class.getName());

    private final RequestRecordsUseCase records;
    private final CredentialStatusUseCase credentials;
    private final AdminAccess access;

    AdminEndpoints(RequestRecordsUseCase records, CredentialStatusUseCase credentials, LocalApiKeys keys) {
        this.records = records;
        this.credentials = credentials;
        this.access = new AdminAccess(keys);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/requests", guarded(this::requests))
                .get("/admin/requests/{id}", guarded(this::request))
                .get("/admin/usage", guarded(this::usage))
                .get("/admin/upstreams", guarded(this::upstreams))
                .get("/admin/accounts", guarded(this::accounts))
                .get("/admin/cooldowns", guarded(this::cooldowns))
                .delete("/admin/cooldowns/{upstream}/{credential}", guarded(this::clearCooldown));
    }

    private Handler guarded(Handler handler) {
        return (req, res) -> {
            var refusal = access.refusal(req);
            if (refusal.isPresent()) {
                refusal.get().send(res);
                return;
            }
            try {
                handler.handle(req, res);
            } catch (BadParameter e) {
                GatewayError.invalidRequest(400, "invalid_parameter", e.getMessage()).withParam(e.name).send(res);
            } catch (RecordsUnavailableException e) {
                // The store's trouble, not a bug: one line, and an answer the operator can act on.
                LOG.log(Level.WARNING, "admin " + req.path().path() + ": " + e.getMessage());
                GatewayError.gateway(503, "records_unavailable", "The record store cannot answer: " + e.getMessage())
                        .send(res);
            }
        };
    }

    private void requests(ServerRequest req, ServerResponse res) {
        var query = query(req);
        var list = HttpJson.mapper().createObjectNode();
        var data = list.putArray("data");
        records.requests(query).forEach(record -> data.add(record(record)));
        list.put("limit", query.limit()).put("offset", query.offset());
        send(res, list);
    }

    private void request(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        var attempts = records.request(id);
        if (attempts.isEmpty()) {
            GatewayError.invalidRequest(404, "request_not_found", "No record of request '" + id + "'.").send(res);
            return;
        }
        var root = HttpJson.mapper().createObjectNode().put("request_id", id);
        var list = root.putArray("attempts");
        attempts.forEach(record -> list.add(record(record)));
        send(res, root);
    }

    private void usage(ServerRequest req, ServerResponse res) {
        String by = parameter(req, "by").orElse("day");
        UsageGrouping grouping;
        try {
            grouping = UsageGrouping.valueOf(by.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadParameter("by", "by must be one of day, upstream, account, model");
        }
        var root = HttpJson.mapper().createObjectNode().put("by", grouping.name().toLowerCase(Locale.ROOT));
        var data = root.putArray("data");
        for (var total : records.usage(grouping, query(req))) {
            var row = data.addObject().put("group", total.group()).put("requests", total.requests());
            usage(row, total.usage());
        }
        send(res, root);
    }

    private void upstreams(ServerRequest req, ServerResponse res) {
        var root = HttpJson.mapper().createObjectNode();
        var data = root.putArray("data");
        for (var upstream : credentials.upstreams()) {
            var row = data.addObject().put("id", upstream.id()).put("provider", upstream.provider())
                    .put("endpoint", upstream.endpoint()).put("priority", upstream.priority())
                    .put("enabled", upstream.enabled());
            var models = row.putArray("models");
            upstream.models().stream().sorted().forEach(models::add);
            var list = row.putArray("credentials");
            upstream.credentials().forEach(c -> credential(list.addObject(), c));
        }
        send(res, root);
    }

    private void accounts(ServerRequest req, ServerResponse res) {
        var root = HttpJson.mapper().createObjectNode();
        var data = root.putArray("data");
        for (var account : credentials.accounts()) {
            var row = data.addObject().put("id", account.id()).put("provider", account.provider())
                    .put("status", account.status()).put("needs_login", account.needsLogin());
            row.put("expires_at", account.expiresAt().map(Instant::toString).orElse(null));
            var uses = row.putArray("upstreams");
            for (var use : account.usedBy()) {
                var item = uses.addObject().put("upstream", use.upstreamId());
                credential(item, use.credential());
                use.usage().ifPresent(snapshot -> {
                    var windows = item.putObject("usage_windows");
                    windows.put("observed_at", snapshot.observedAt().toString());
                    snapshot.primary().ifPresent(w -> window(windows.putObject("primary"), w));
                    snapshot.secondary().ifPresent(w -> window(windows.putObject("secondary"), w));
                });
            }
        }
        send(res, root);
    }

    private void cooldowns(ServerRequest req, ServerResponse res) {
        var root = HttpJson.mapper().createObjectNode();
        var data = root.putArray("data");
        for (var cooldown : credentials.cooldowns()) {
            data.addObject().put("key", cooldown.key().toString()).put("upstream", cooldown.key().upstreamId())
                    .put("credential", cooldown.key().credentialId()).put("until", cooldown.until().toString())
                    .put("seconds_left", cooldown.secondsLeft());
        }
        send(res, root);
    }

    private void clearCooldown(ServerRequest req, ServerResponse res) {
        var params = req.path().pathParameters();
        var key = new CredentialKey(params.get("upstream"), params.get("credential"));
        boolean wasCooling = credentials.clearCooldown(key);
        send(res, HttpJson.mapper().createObjectNode().put("key", key.toString()).put("cleared", wasCooling));
    }

    private static ObjectNode record(AttemptRecord record) {
        var node = HttpJson.mapper().createObjectNode()
                .put("request_id", record.requestId())
                .put("attempt", record.attempt())
                .put("at", record.at().toString())
                .put("format", record.format().name().toLowerCase(Locale.ROOT))
                .put("requested_model", record.requestedModel())
                .put("served_model", record.servedModel().orElse(null))
                .put("upstream", record.credential().map(CredentialKey::upstreamId).orElse(null))
                .put("account", record.credential().map(CredentialKey::credentialId).orElse(null))
                .put("status", record.status())
                .put("outcome", record.outcome().wireName())
                .put("reason", record.reason().orElse(null))
                .put("billable", record.billable());
        node.put("first_output_ms", record.firstOutput().map(java.time.Duration::toMillis).orElse(null));
        node.put("total_ms", record.total().toMillis());
        usage(node.putObject("usage"), record.usage());
        return node;
    }

    private static void usage(ObjectNode node, TokenUsage usage) {
        node.put("input_tokens", usage.input()).put("cached_input_tokens", usage.cachedInput())
                .put("cache_write_tokens", usage.cacheWrite()).put("output_tokens", usage.output())
                .put("reasoning_tokens", usage.reasoning());
    }

    private static void credential(ObjectNode node, CredentialStatusUseCase.CredentialView view) {
        node.put("credential", view.credentialId()).put("state", view.state())
                .put("cooling_until", view.coolingUntil().map(Instant::toString).orElse(null))
                .put("cooldown_seconds_left", view.coolingSecondsLeft());
    }

    private static void window(ObjectNode node, UsageWindow window) {
        node.put("used_percent", window.usedPercent());
        node.put("window_seconds", window.length().map(java.time.Duration::toSeconds).orElse(null));
        node.put("resets_at", window.resetsAt().map(Instant::toString).orElse(null));
    }

    private static RecordQuery query(ServerRequest req) {
        return new RecordQuery(instant(req, "from"), instant(req, "to"), parameter(req, "upstream"),
                parameter(req, "account"), parameter(req, "model"), number(req, "status", 100, 599),
                number(req, "limit", 1, RecordQuery.MAX_LIMIT).orElse(50),
                number(req, "offset", 0, Integer.MAX_VALUE).orElse(0));
    }

    private static Optional<String> parameter(ServerRequest req, String name) {
        return req.query().contains(name) ? Optional.of(req.query().get(name)).filter(v -> !v.isBlank())
                : Optional.empty();
    }

    private static Optional<Instant> instant(ServerRequest req, String name) {
        try {
            var value = parameter(req, name).map(Instant::parse);
            // Records keep milliseconds since 1970 in a long: an instant beyond that range (year -999999999) is no
            // time a record can have, and the store could not compare it.
            value.ifPresent(Instant::toEpochMilli);
            return value;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new BadParameter(name, name + " must be an ISO-8601 instant such as 2025-01-31T00:00:00Z");
        }
    }

    private static Optional<Integer> number(ServerRequest req, String name, int min, int max) {
        try {
            var value = parameter(req, name).map(Integer::parseInt);
            if (value.isPresent() && (value.get() < min || value.get() > max)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new BadParameter(name, name + " must be a whole number from " + min + " to " + max);
        }
    }

    private static void send(ServerResponse res, ObjectNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A query parameter the operator got wrong: a 400 naming it. */
    private static final class BadParameter extends RuntimeException {
        private final String name;

        BadParameter(String name, String message) {
            super(message, null, false, false);
            this.name = name;
        }
    }
}
