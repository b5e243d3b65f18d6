package dev.tokenproxy.application.port.out;

import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;

/**
 * Sends one attempt to an upstream of one provider kind and classifies what came back. The outcome is decided
 * after post-processing (emptiness check, stream pre-read up to the first output), and upstream failures are
 * outcomes, never exceptions.
 */
public interface SendAttemptPort {

    /** The provider kind this adapter speaks ({@code openai}, ...) and the inbound formats it serves. */
    ProviderDescriptor descriptor();

    AttemptOutcome<UpstreamReply> send(AttemptRequest request);
}
