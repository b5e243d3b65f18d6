package dev.tokenproxy.adapter.out.upstream.usage;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;

/**
 * Any provider's port, with the token usage of what it delivers: a whole answer's on its {@code Success}, a stream's
 * when it ends. One place for every provider, because the answer is already in the client's format by then; a
 * provider whose check of a whole answer read its usage already has put it on the {@code Success}, which is kept.
 */
public final class UsageReadingPort implements SendAttemptPort {

    private final SendAttemptPort provider;

    private UsageReadingPort(SendAttemptPort provider) {
        this.provider = provider;
    }

    public static SendAttemptPort around(SendAttemptPort provider) {
        return provider instanceof UsageReadingPort ? provider : new UsageReadingPort(provider);
    }

    @Override
    public ProviderDescriptor descriptor() {
        return provider.descriptor();
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        var outcome = provider.send(request);
        if (!(outcome instanceof AttemptOutcome.Success<UpstreamReply> success) || !success.is2xx()) {
            return outcome;
        }
        return switch (success.response()) {
            // A provider that read the usage while it checked the answer passes it on: no second pass over the body.
            case UpstreamReply.Buffered whole when !success.usage().isNone() -> success;
            case UpstreamReply.Buffered whole -> success.withUsage(ReportedUsage.ofBody(whole.body()));
            case UpstreamReply.Streaming stream -> new AttemptOutcome.Success<>(success.status(),
                    new UpstreamReply.Streaming(stream.status(), stream.headers(),
                            new UsageCountingStream(stream.stream())));
        };
    }
}
