package dev.tokenproxy.adapter.out.upstream.kiro;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Anthropic model names → Kiro model ids, by the defaults of protocols.md §4: version digits joined by a dash become
 * dotted, a date suffix, a {@code kiro-}/{@code amazonq-} prefix and an {@code -agentic}/{@code -chat} suffix go.
 * {@code claude-sonnet-4-5-20250929} → {@code claude-sonnet-4.5}; {@code auto} stays {@code auto}. Upstream model
 * mappings still apply before this; this is only the spelling Kiro accepts.
 */
final class KiroModelIds {

    private static final Pattern PREFIX = Pattern.compile("^(kiro-|amazonq-)");
    private static final Pattern DATE = Pattern.compile("-\\d{8}$");
    private static final Pattern VARIANT = Pattern.compile("-(agentic|chat)$");
    /** One digit, a dash, one digit, not part of a longer number: {@code 4-5} in {@code claude-sonnet-4-5}. */
    private static final Pattern DASHED_VERSION = Pattern.compile("(?<!\\d)(\\d)-(\\d)(?!\\d)");

    private KiroModelIds() {
    }

    static String kiroModelId(String model) {
        String id = model.trim().toLowerCase(Locale.ROOT);
        id = PREFIX.matcher(id).replaceFirst("");
        // A variant may stand before or after the date (claude-sonnet-4-5-agentic-20250929 is seen both ways).
        id = VARIANT.matcher(DATE.matcher(id).replaceFirst("")).replaceFirst("");
        id = DATE.matcher(id).replaceFirst("");
        return DASHED_VERSION.matcher(id).replaceAll("$1.$2");
    }
}
