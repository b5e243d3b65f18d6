package dev.tokenproxy.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tokenproxy.adapter.out.account.FileAccountStore;
import dev.tokenproxy.adapter.out.upstream.codex.CodexTokenRefresher;
import dev.tokenproxy.adapter.out.upstream.kiro.KiroTokenRefresher;
import dev.tokenproxy.application.model.CredentialSource;
import dev.tokenproxy.application.port.in.ReportUsageUseCase;
import dev.tokenproxy.application.port.out.AccountStorePort;
import dev.tokenproxy.application.port.out.TokenRefreshPort;
import dev.tokenproxy.application.service.UsageBook;
import dev.tokenproxy.bootstrap.config.GatewayConfig;
import java.time.Clock;
import java.util.List;

/** The account store, the token endpoints that refresh accounts, and the book of their usage windows. */
final class AccountsModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(UsageBook.class).in(Singleton.class);
        bind(ReportUsageUseCase.class).to(UsageBook.class);
    }

    /**
     * The store file is read only when an upstream draws accounts (configuration checked it then); otherwise a
     * broken or foreign file at the default path must not stop a gateway that never uses it.
     */
    @Provides
    @Singleton
    AccountStorePort accountStore(GatewayConfig config) {
        boolean drawsAccounts = config.upstreams().upstreams().stream()
                .anyMatch(u -> u.credentialSource() instanceof CredentialSource.AccountPool
                        || u.credentialSource() instanceof CredentialSource.PinnedAccount);
        return drawsAccounts ? FileAccountStore.open(config.accountsFile()) : AccountStorePort.NONE;
    }

    @Provides
    @Singleton
    List<TokenRefreshPort> tokenRefreshers(GatewayConfig config, Clock clock) {
        return List.of(new CodexTokenRefresher(config.oauth().codexTokenUrl(), clock),
                new KiroTokenRefresher(config.oauth().kiroRefreshUrl(), KiroTokenRefresher.DEFAULT_OIDC_URL, clock));
    }
}
