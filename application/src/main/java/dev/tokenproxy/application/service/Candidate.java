package dev.tokenproxy.application.service;

import dev.tokenproxy.application.model.Upstream;
import dev.tokenproxy.application.port.out.SendAttemptPort;

/** An upstream chosen for a request, with the client that speaks to it and the model name to send it. */
record Candidate(Upstream upstream, SendAttemptPort client, String upstreamModel) {
}
