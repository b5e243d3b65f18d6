package dev.tokenproxy.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tokenproxy.application.spi.InvalidOptionsException;
import dev.tokenproxy.application.spi.OptionsNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of the configuration tree that knows its own field path, so that every validation error can name it
 * ({@code upstreams[1].base_url: ...}). Strings get {@code ${ENV_VAR}} substitution as they are read; the loader has
 * checked every reference with {@link EnvironmentReferences} before.
 */
final class ConfigNode implements OptionsNode {

    /** A short word, as choices and provider names are; an API key is longer or has other characters. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.-]{0,24}");

    private final JsonNode node;
    private final String path;
    private final Map<String, String> env;

    ConfigNode(JsonNode node, String path, Map<String, String> env) {
        this.node = node == null ? MissingNode.getInstance() : node;
        this.path = path;
        this.env = env;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean isPresent() {
        return !node.isMissingNode() && !node.isNull();
    }

    boolean isString() {
        return node != null && node.isTextual();
    }

    @Override
    public ConfigNode field(String name) {
        return new ConfigNode(node.get(name), path.isEmpty() ? name : path + "." + name, env);
    }

    /** Rejects keys this object does not know, so a typo is an error instead of a silently ignored setting. */
    @Override
    public ConfigNode requireObject(Set<String> knownKeys) {
        if (!isPresent()) {
            return this;
        }
        if (!node.isObject()) {
            throw ConfigException.at(path, "must be a mapping");
        }
        var unknown = new ArrayList<String>();
        node.fieldNames().forEachRemaining(k -> {
            if (!knownKeys.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw ConfigException.at(path.isEmpty() ? unknown.get(0) : path + "." + unknown.get(0),
                    "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(knownKeys)) + ")");
        }
        return this;
    }

    @Override
    public String string(String fallback) {
        if (!isPresent()) {
            return fallback;
        }
        if (!node.isValueNode() || node.isBoolean()) {
            throw ConfigException.at(path, "must be a string");
        }
        return substitute(node.asText());
    }

    @Override
    public String requiredString() {
        String value = string(null);
        if (value == null || value.isBlank()) {
            throw ConfigException.at(path, "is required");
        }
        return value;
    }

    @Override
    public long integer(long fallback, long min, long max) {
        if (!isPresent()) {
            return fallback;
        }
        long value;
        if (node.isIntegralNumber()) {
            value = node.asLong();
        } else if (node.isTextual()) {
            try {
                value = Long.parseLong(substitute(node.asText()).trim());
            } catch (NumberFormatException e) {
                throw ConfigException.at(path, "must be an integer");
            }
        } else {
            throw ConfigException.at(path, "must be an integer");
        }
        if (value < min || value > max) {
            throw ConfigException.at(path, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    @Override
    public boolean bool(boolean fallback) {
        if (!isPresent()) {
            return fallback;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        String text = node.isTextual() ? substitute(node.asText()).trim() : "";
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigException.at(path, "must be true or false");
        };
    }

    <T> T choice(T fallback, Function<String, Optional<T>> parse, String allowed) {
        if (!isPresent()) {
            return fallback;
        }
        String text = string(null);
        return parse.apply(text).orElseThrow(() -> ConfigException.at(path,
                "must be one of " + allowed + ", got " + quoted(text)));
    }

    /**
     * How an error message may show a value it refuses: quoted only when it was written in the file, not taken from
     * the environment (where users are told to keep secrets), and looks like a short word rather than a key;
     * otherwise by its length. Error messages end up on stderr and in service logs.
     */
    @Override
    public String quoted(String value) {
        boolean fromEnvironment = node.isTextual() && EnvironmentReferences.BRACED.matcher(node.asText()).find();
        if (!fromEnvironment && WORD.matcher(value).matches()) {
            return "'" + value + "'";
        }
        return "a value of " + value.length() + " characters (not shown, it may be a secret)";
    }

    @Override
    public List<ConfigNode> list() {
        if (!isPresent()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ConfigException.at(path, "must be a list");
        }
        var items = new ArrayList<ConfigNode>(node.size());
        for (int i = 0; i < node.size(); i++) {
            items.add(new ConfigNode(node.get(i), path + "[" + i + "]", env));
        }
        return items;
    }

    List<String> stringList() {
        return list().stream().map(ConfigNode::requiredString).toList();
    }

    Set<String> stringSet() {
        var seen = new HashSet<String>();
        for (var item : list()) {
            if (!seen.add(item.requiredString())) {
                throw ConfigException.at(item.path(), "duplicate entry '" + item.requiredString() + "'");
            }
        }
        return seen;
    }

    Map<String, String> stringMap() {
        if (!isPresent()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ConfigException.at(path, "must be a mapping");
        }
        var map = new LinkedHashMap<String, String>();
        node.fieldNames().forEachRemaining(k -> map.put(k, field(k).requiredString()));
        return map;
    }

    @Override
    public InvalidOptionsException invalid(String problem) {
        return new InvalidOptionsException(path.isEmpty() ? "config" : path, problem);
    }

    private String substitute(String text) {
        Matcher m = EnvironmentReferences.BRACED.matcher(text);
        if (!m.find()) {
            return text;
        }
        var out = new StringBuilder();
        m.reset();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                throw ConfigException.at(path, "environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
