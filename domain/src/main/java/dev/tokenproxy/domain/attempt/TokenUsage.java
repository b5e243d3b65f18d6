package dev.tokenproxy.domain.attempt;

/**
 * The tokens one answer cost, as the upstream reported them (behaviour §7). Counts the upstream did not report are
 * zero; {@link #NONE} is an answer that reported nothing (an error, a stream cut before its usage event).
 *
 * @param input       prompt tokens, cached ones included
 * @param cachedInput of {@code input}, those read from the provider's prompt cache
 * @param cacheWrite  prompt tokens written to the provider's cache, where reported (Anthropic)
 * @param output      completion tokens, reasoning included
 * @param reasoning   of {@code output}, those spent on reasoning
 */
public record TokenUsage(long input, long cachedInput, long cacheWrite, long output, long reasoning) {

    /** No tokens reported. */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    public TokenUsage {
        if (input < 0 || cachedInput < 0 || cacheWrite < 0 || output < 0 || reasoning < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }

    /** Both usages added up, count by count. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(input + other.input, cachedInput + other.cachedInput, cacheWrite + other.cacheWrite,
                output + other.output, reasoning + other.reasoning);
    }

    /** Whether nothing was reported: every count is zero. */
    public boolean isNone() {
        return equals(NONE);
    }
}
