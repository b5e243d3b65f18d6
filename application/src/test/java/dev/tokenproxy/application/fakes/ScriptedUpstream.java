package dev.tokenproxy.application.fakes;

import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An upstream adapter that answers each (upstream id, credential id) from a queue of scripted outcomes and records
 * every attempt it was sent. An attempt nobody scripted fails the test, so an unexpected send cannot go unnoticed.
 */
public final class ScriptedUpstream implements SendAttemptPort {

    /** What the loop sent, without the secret. */
    public record Sent(String upstreamId, String credentialId, String upstreamModel, Instant deadline) {
        public String target() {
            return upstreamId + "/" + credentialId;
        }
    }

    private final ProviderDescriptor descriptor;
    private final Map<String, Queue<AttemptOutcome<UpstreamReply>>> queued = new HashMap<>();
    private final Map<String, AttemptOutcome<UpstreamReply>> always = new HashMap<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<AttemptRequest> requests = new ArrayList<>();
    private Consumer<AttemptRequest> onSend = r -> { };

    /** An adapter of {@code provider} that serves {@code formats} natively. */
    public ScriptedUpstream(String provider, Set<InboundFormat> formats) {
        this(new ProviderDescriptor(provider, formats, Set.of()));
    }

    public ScriptedUpstream(ProviderDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    /** An {@code openai} adapter serving every inbound format. */
    public static ScriptedUpstream openai() {
        return new ScriptedUpstream("openai", Set.of(InboundFormat.values()));
    }

    /** Queues outcomes for the credential {@code credentialId} (e.g. {@code key-1}) of {@code upstreamId}. */
    @SafeVarargs
    public final ScriptedUpstream willReturn(String upstreamId, String credentialId,
                                             AttemptOutcome<UpstreamReply>... outcomes) {
        queued.computeIfAbsent(upstreamId + "/" + credentialId, k -> new ArrayDeque<>())
                .addAll(Arrays.asList(outcomes));
        return this;
    }

    /** Answers every attempt to this credential with {@code outcome}, once its queue is empty. */
    public ScriptedUpstream willAlwaysReturn(String upstreamId, String credentialId,
                                             AttemptOutcome<UpstreamReply> outcome) {
        always.put(upstreamId + "/" + credentialId, outcome);
        return this;
    }

    /** Runs before each answer, e.g. to move the clock as if the attempt took time. */
    public ScriptedUpstream onSend(Consumer<AttemptRequest> action) {
        this.onSend = action;
        return this;
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** "upstream/credential" of every attempt, in order. */
    public List<String> targets() {
        return sent.stream().map(Sent::target).toList();
    }

    public List<AttemptRequest> requests() {
        return List.copyOf(requests);
    }

    public void forgetSent() {
        sent.clear();
        requests.clear();
    }

    @Override
    public ProviderDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        var key = request.upstream().id() + "/" + request.credential().key().credentialId();
        sent.add(new Sent(request.upstream().id(), request.credential().key().credentialId(),
                request.upstreamModel(), request.deadline()));
        requests.add(request);
        onSend.accept(request);
        var queue = queued.get(key);
        if (queue != null && !queue.isEmpty()) {
            return queue.poll();
        }
        var fallback = always.get(key);
        if (fallback != null) {
            return fallback;
        }
        throw new AssertionError("unscripted attempt to " + key + "; attempts so far: " + targets());
    }
}
