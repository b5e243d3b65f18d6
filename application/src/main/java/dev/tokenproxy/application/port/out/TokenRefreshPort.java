package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.StoredAccount;
import java.util.Objects;

/** Exchanges an account's refresh token for new tokens at its provider's OAuth endpoint. */
public interface TokenRefreshPort {

    /** The provider kind whose accounts this refreshes, e.g. {@code codex}. */
    String provider();

    /**
     * One refresh. Never throws for what the endpoint or the network did: every failure is a result. Does not
     * touch the store: the caller persists a {@link Result.Refreshed} account.
     */
    Result refresh(StoredAccount account);

    sealed interface Result {

        /** New tokens; the account as it is now (rotated refresh token, new expiry, attributes from the id token). */
        record Refreshed(StoredAccount account) implements Result {
            public Refreshed {
                Objects.requireNonNull(account, "account");
            }
        }

        /**
         * The endpoint refused the refresh token for good ({@code invalid_grant}, {@code refresh_token_expired},
         * {@code refresh_token_reused}, ...): only a new login helps.
         *
         * @param reason short, safe to log: the endpoint's error code, never a token
         */
        record Rejected(String reason) implements Result {
            public Rejected {
                Objects.requireNonNull(reason, "reason");
            }
        }

        /** The refresh did not happen for a reason that may pass: unreachable endpoint, 5xx, timeout. */
        record Failed(String reason) implements Result {
            public Failed {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
