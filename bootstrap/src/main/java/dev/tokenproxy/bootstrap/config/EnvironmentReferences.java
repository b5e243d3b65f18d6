package dev.tokenproxy.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment references of a configuration file, checked all at once before any field is read: every
 * {@code ${VAR}} that is not set or is empty, and every {@code $VAR} written without braces, becomes one part of a
 * single error, so that a user fixes them all in one go rather than one per restart. Each part names the field and
 * the variable, never a value.
 */
final class EnvironmentReferences {

    /** What is substituted: {@code ${NAME}}. */
    static final Pattern BRACED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /**
     * {@code $NAME} without braces, where NAME is written as environment variables are (upper case, digits and
     * {@code _}) and ends there: the shell habit that would otherwise send the text "$TP_KEY" as a key. A {@code $}
     * followed by anything else ({@code pa$$word}, {@code $5}, {@code $lower}) is a literal and stays.
     */
    private static final Pattern UNBRACED = Pattern.compile("\\$([A-Z_][A-Z0-9_]*)(?![A-Za-z0-9_])");

    private EnvironmentReferences() {
    }

    /** @throws ConfigException naming every field whose references cannot be substituted, and why */
    static void requireUsable(JsonNode tree, Map<String, String> env) {
        var problems = new ArrayList<String>();
        collect(tree, "", env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
    }

    /** Field paths as {@link ConfigNode} writes them, so that both kinds of error read the same. */
    private static void collect(JsonNode node, String path, Map<String, String> env, List<String> problems) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                collect(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), env,
                        problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), path + "[" + i + "]", env, problems);
            }
        } else if (node.isTextual()) {
            check(node.asText(), path.isEmpty() ? "config" : path, env, problems);
        }
    }

    private static void check(String text, String path, Map<String, String> env, List<String> problems) {
        Matcher braced = BRACED.matcher(text);
        while (braced.find()) {
            String name = braced.group(1);
            String value = env.get(name);
            if (value == null) {
                problems.add(path + ": environment variable " + name + " is not set");
            } else if (value.isBlank()) {
                problems.add(path + ": environment variable " + name + " is set but empty");
            }
        }
        Matcher unbraced = UNBRACED.matcher(text);
        while (unbraced.find()) {
            String name = unbraced.group(1);
            problems.add(path + ": $" + name + " is not substituted without braces: write ${" + name + "} (a value "
                    + "that really holds '$" + name + "' can come from a variable)");
        }
    }
}
