package dev.tokenproxy.adapter.out.account;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.application.model.Secret;
import dev.tokenproxy.application.model.StoredAccount;
import dev.tokenproxy.domain.account.AccountStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The account store's JSON (configuration contract, {@code accounts_file}):
 * {@code {"accounts":[{"id","provider","status","access_token","refresh_token","expires_at", ...attributes}]}}.
 * Any other string field of an account is a provider attribute, kept so that a rewrite loses nothing a user wrote.
 *
 * <p>Problems are reported by field path ({@code accounts[2].expires_at}) and never quote a value: a value in the
 * wrong field may be a token.
 */
final class AccountsJson {

    static final String ID = "id";
    static final String PROVIDER = "provider";
    static final String STATUS = "status";
    static final String ACCESS_TOKEN = "access_token";
    static final String REFRESH_TOKEN = "refresh_token";
    static final String EXPIRES_AT = "expires_at";
    /** Field names with a meaning of their own; an attribute may not take one. */
    static final Set<String> RESERVED = Set.of(ID, PROVIDER, STATUS, ACCESS_TOKEN, REFRESH_TOKEN, EXPIRES_AT);

    private static final String STATUSES = Arrays.stream(AccountStatus.values())
            .map(AccountStatus::wireName).collect(Collectors.joining(", "));

    private AccountsJson() {
    }

    /** A problem with the file's content, described without quoting any value. */
    static final class InvalidAccounts extends Exception {
        InvalidAccounts(String problem) {
            super(problem, null, false, false);
        }
    }

    static List<StoredAccount> read(byte[] content) throws InvalidAccounts {
        JsonNode root;
        try {
            // A field written twice would silently keep the last value, perhaps an older token.
            root = ChatJson.mapper().reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(content);
        } catch (JsonProcessingException e) {
            throw new InvalidAccounts(syntaxProblem(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a byte array does no I/O
        }
        if (root == null || !root.isObject()) {
            throw new InvalidAccounts("must be a JSON object {\"accounts\": [...]}");
        }
        JsonNode list = root.path("accounts");
        if (!list.isArray()) {
            throw new InvalidAccounts("\"accounts\" must be a list");
        }
        var accounts = new ArrayList<StoredAccount>();
        var ids = new HashSet<String>();
        for (int i = 0; i < list.size(); i++) {
            StoredAccount account = account(list.get(i), "accounts[" + i + "]");
            if (!ids.add(account.id())) {
                throw new InvalidAccounts("accounts[" + i + "].id: duplicate account id '" + account.id() + "'");
            }
            accounts.add(account);
        }
        return List.copyOf(accounts);
    }

    /**
     * The store as JSON, accounts in store order. Attributes follow the fixed fields in name order, since a stored
     * account does not remember the order they were read in; sorting keeps rewrites stable.
     */
    static byte[] write(List<StoredAccount> accounts) {
        var out = new ByteArrayOutputStream();
        try (JsonGenerator json = ChatJson.TOKENS.createGenerator(out, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeArrayFieldStart("accounts");
            for (StoredAccount account : accounts) {
                writeAccount(json, account);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does no I/O
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeAccount(JsonGenerator json, StoredAccount account) throws IOException {
        json.writeStartObject();
        json.writeStringField(ID, account.id());
        json.writeStringField(PROVIDER, account.provider());
        json.writeStringField(STATUS, account.status().wireName());
        json.writeStringField(ACCESS_TOKEN, account.accessToken().reveal());
        if (account.refreshToken().isPresent()) {
            json.writeStringField(REFRESH_TOKEN, account.refreshToken().get().reveal());
        }
        if (account.expiresAt().isPresent()) {
            json.writeStringField(EXPIRES_AT, account.expiresAt().get().toString());
        }
        for (var attribute : new TreeMap<>(account.attributes()).entrySet()) {
            json.writeStringField(attribute.getKey(), attribute.getValue());
        }
        json.writeEndObject();
    }

    private static StoredAccount account(JsonNode node, String path) throws InvalidAccounts {
        if (!node.isObject()) {
            throw new InvalidAccounts(path + ": must be an object");
        }
        String id = requiredText(node, path, ID);
        // From here on the id names the account in messages: easier to find in the file than an index.
        String where = path + " (id '" + id + "')";
        String provider = requiredText(node, where, PROVIDER);
        AccountStatus status = status(node, where);
        var accessToken = new Secret(requiredText(node, where, ACCESS_TOKEN));
        Optional<Secret> refreshToken = optionalText(node, where, REFRESH_TOKEN).map(Secret::new);
        Optional<Instant> expiresAt = expiresAt(node, where);
        var attributes = new LinkedHashMap<String, String>();
        for (var field : node.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (RESERVED.contains(name) || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                throw new InvalidAccounts(where + "." + name + ": must be a string (extra fields of an account are "
                        + "kept as text attributes)");
            }
            attributes.put(name, value.textValue());
        }
        return new StoredAccount(id, provider, status, accessToken, refreshToken, expiresAt, attributes);
    }

    private static AccountStatus status(JsonNode node, String where) throws InvalidAccounts {
        Optional<String> text = optionalText(node, where, STATUS);
        if (text.isEmpty()) {
            return AccountStatus.ACTIVE;
        }
        return AccountStatus.fromWire(text.get()).orElseThrow(() -> new InvalidAccounts(
                where + ".status: must be one of " + STATUSES));
    }

    private static Optional<Instant> expiresAt(JsonNode node, String where) throws InvalidAccounts {
        Optional<String> text = optionalText(node, where, EXPIRES_AT);
        try {
            return text.map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new InvalidAccounts(where + ".expires_at: must be an ISO-8601 instant such as "
                    + "2026-12-01T10:00:00Z");
        }
    }

    private static String requiredText(JsonNode node, String where, String field) throws InvalidAccounts {
        return optionalText(node, where, field)
                .orElseThrow(() -> new InvalidAccounts(where + "." + field + ": is missing"));
    }

    /** The field's text; empty when absent or null; an error when not a string or blank. */
    private static Optional<String> optionalText(JsonNode node, String where, String field) throws InvalidAccounts {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new InvalidAccounts(where + "." + field + ": must be a string");
        }
        if (value.textValue().isBlank()) {
            throw new InvalidAccounts(where + "." + field + ": must not be blank");
        }
        return Optional.of(value.textValue());
    }

    /**
     * Where the syntax broke, but not Jackson's message: it quotes the text it choked on, which may be a token.
     * Only the duplicate-field message is safe to name (it quotes a field name).
     */
    private static String syntaxProblem(JsonProcessingException e) {
        var location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column "
                + location.getColumnNr();
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field '")) {
            int end = message.indexOf('\'', "Duplicate field '".length());
            return "a field is written twice in one object" + where
                    + (end > 0 ? " ('" + message.substring("Duplicate field '".length(), end) + "')" : "");
        }
        return "is not valid JSON" + where;
    }

    /** The attribute names of {@code account} that collide with a field of the store; empty when none do. */
    static List<String> reservedAttributeNames(StoredAccount account) {
        return account.attributes().keySet().stream().filter(RESERVED::contains).sorted().toList();
    }
}
