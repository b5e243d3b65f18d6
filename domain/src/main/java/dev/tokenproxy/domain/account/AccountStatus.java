package dev.tokenproxy.domain.account;

import java.util.Locale;
import java.util.Optional;

/**
 * What the operator (or the gateway, after a refresh token died) decided about an account; stored with it.
 * The account store's {@code status} field holds the lower-case name.
 */
public enum AccountStatus {
    /** May serve requests. */
    ACTIVE,
    /** Switched off by the operator: never used, never refreshed. */
    DISABLED,
    /** Its refresh token was rejected for good: a person has to log in again. */
    NEEDS_LOGIN;

    /** The name the account store and the admin API use: {@code needs_login}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status whose {@link #wireName()} is {@code text}, or empty for anything else. */
    public static Optional<AccountStatus> fromWire(String text) {
        for (var status : values()) {
            if (status.wireName().equals(text)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
