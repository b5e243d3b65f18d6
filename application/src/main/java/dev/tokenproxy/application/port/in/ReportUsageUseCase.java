package dev.tokenproxy.application.port.in;

import dev.tokenproxy.domain.account.UsageSnapshot;
import dev.tokenproxy.domain.cooldown.CredentialKey;

/**
 * An upstream adapter tells the gateway how much of a subscription account's usage windows its latest answer
 * reported (Codex {@code x-codex-*} headers). The gateway keeps the latest snapshot per credential for the operator,
 * and treats an account whose window is used up as cooling until the window resets.
 */
public interface ReportUsageUseCase {

    /** A recorder that keeps nothing, for adapters used without a gateway around them (tests, tools). */
    ReportUsageUseCase IGNORE = (key, snapshot) -> { };

    void report(CredentialKey credential, UsageSnapshot snapshot);
}
