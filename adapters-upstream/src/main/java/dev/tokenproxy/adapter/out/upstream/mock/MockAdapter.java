package dev.tokenproxy.adapter.out.upstream.mock;

import dev.tokenproxy.adapter.out.upstream.format.chat.ChatJson;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatOutput;
import dev.tokenproxy.adapter.out.upstream.format.chat.ChatStreamDialect;
import dev.tokenproxy.adapter.out.upstream.format.openai.OpenAiErrorBody;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesOutcomes;
import dev.tokenproxy.adapter.out.upstream.format.responses.ResponsesStreamDialect;
import dev.tokenproxy.adapter.out.upstream.http.RetryAfterHeader;
import dev.tokenproxy.adapter.out.upstream.http.TransportFailure;
import dev.tokenproxy.adapter.out.upstream.stream.PreOutputGate;
import dev.tokenproxy.application.model.UpstreamReply;
import dev.tokenproxy.application.port.out.AttemptRequest;
import dev.tokenproxy.application.port.out.ProviderDescriptor;
import dev.tokenproxy.application.port.out.ProviderDescriptor.CredentialKind;
import dev.tokenproxy.application.port.out.SendAttemptPort;
import dev.tokenproxy.domain.attempt.AttemptOutcome;
import dev.tokenproxy.domain.classify.AttemptSignal;
import dev.tokenproxy.domain.classify.ClassificationRule;
import dev.tokenproxy.domain.classify.ClassificationTable;
import dev.tokenproxy.domain.classify.Fault;
import dev.tokenproxy.domain.routing.InboundFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code mock} provider: an upstream served in-process, with no network, that answers Chat and Responses clients
 * as OpenAI would, and misbehaves on cue ({@link MockScript}). Its answers are written as wire bytes and read back
 * through the same format dialects, pre-output gate and classification table as a real provider's, so a scripted
 * failure comes out as exactly the outcome the real failure would: that is what makes it worth testing against.
 */
public final class MockAdapter implements SendAttemptPort {

    public static final String PROVIDER = "mock";

    /** Both OpenAI formats natively; no credential, since nothing leaves the process. */
    public static final ProviderDescriptor DESCRIPTOR = new ProviderDescriptor(PROVIDER,
            Set.of(InboundFormat.CHAT, InboundFormat.RESPONSES), Set.of(), CredentialKind.NONE);

    /** The rows every Responses upstream has, so a mock answers Responses clients under the same rules. */
    static final List<ClassificationRule> RULES = ResponsesOutcomes.failedCodeRules(PROVIDER);
    private static final ClassificationTable TABLE = ClassificationTable.withProviderRules(RULES);

    /** Post-processing found nothing deliverable in a 2xx (behaviour §2: "status 502"). */
    private static final int REJECTED_2XX_STATUS = 502;

    /** A stall waits longer than any configurable limit; the attempt's own limit ends it. */
    private static final Duration STALL = Duration.ofDays(36_500);

    private static final Map<String, String> JSON = Map.of("content-type", "application/json");
    private static final Map<String, String> EVENT_STREAM = Map.of("content-type", "text/event-stream");

    private final Clock clock;
    private final ResponsesOutcomes responses;
    /** Attempts per upstream id, from 1: what fault schedules count. */
    private final Map<String, AtomicLong> attempts = new ConcurrentHashMap<>();

    public MockAdapter(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.responses = new ResponsesOutcomes(PROVIDER, TABLE, clock);
    }

    @Override
    public ProviderDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
        Instant start = clock.instant();
        String upstreamId = request.upstream().id();
        long attempt = attempts.computeIfAbsent(upstreamId, id -> new AtomicLong()).incrementAndGet();
        MockFault fault = request.upstream().providerOptions() instanceof MockScript script
                ? script.faultFor(attempt).orElse(null) : null;
        var wait = new FirstOutputWait(request.timeouts().firstOutput(), request.deadline(), start);
        MockAnswer answer = MockAnswer.to(upstreamId, attempt, request.format(), request.body().bytes(),
                request.upstreamModel(), start.getEpochSecond());
        return switch (fault) {
            case null -> answer(request, answer, wait, Duration.ZERO, ScriptedFrameSource.NO_CUT);
            case MockFault.Status status -> rejected(upstreamId, status);
            case MockFault.Reset reset -> TABLE.outcome(AttemptSignal.fault(PROVIDER, Fault.CONNECTION_RESET), null);
            case MockFault.Stall stall -> answer(request, answer, wait, STALL, ScriptedFrameSource.NO_CUT);
            case MockFault.Cut cut -> answer(request, answer, wait, Duration.ZERO, cut.outputChunks());
            case MockFault.EmptyCompletion empty ->
                    answer(request, answer.empty(), wait, Duration.ZERO, ScriptedFrameSource.NO_CUT);
            case MockFault.SlowFirstToken slow ->
                    answer(request, answer, wait, slow.delay(), ScriptedFrameSource.NO_CUT);
        };
    }

    /**
     * A 200 answer: a stream gated like any other, or a body judged like any other.
     *
     * @param pause        the wait before the first output
     * @param cutAfterText how many text chunks come before the connection breaks; {@link ScriptedFrameSource#NO_CUT}
     *                     for none
     */
    private AttemptOutcome<UpstreamReply> answer(AttemptRequest request, MockAnswer answer, FirstOutputWait wait,
                                                 Duration pause, int cutAfterText) {
        boolean chat = request.format() == InboundFormat.CHAT;
        String echoModel = request.upstream().echoRequestedModel() ? request.requestedModel() : null;
        AttemptSignal answered = AttemptSignal.http(PROVIDER, 200);
        if (request.stream()) {
            MockEvents events = chat
                    ? MockChatWire.chunks(answer, ResponsesOutcomes.includeUsage(request.body()))
                    : MockResponsesWire.events(answer);
            int cutBefore = cutAfterText == ScriptedFrameSource.NO_CUT
                    ? ScriptedFrameSource.NO_CUT : events.firstOutput() + cutAfterText;
            var source = new ScriptedFrameSource(events, wait, pause, cutBefore);
            return chat ? chatStream(source, answered, echoModel)
                    : responses.stream(source, EVENT_STREAM, answered, new ResponsesStreamDialect(PROVIDER, echoModel));
        }
        try {
            wait.await(pause);
            if (cutAfterText != ScriptedFrameSource.NO_CUT) {
                // The body breaks while it is read, as a real one whose connection drops mid-body.
                throw new TransportFailure(Fault.CONNECTION_RESET, null);
            }
        } catch (TransportFailure failure) {
            return TABLE.outcome(AttemptSignal.fault(PROVIDER, failure.fault()), null);
        }
        return chat ? completion(MockChatWire.completion(answer), answered, echoModel)
                : responses.finished(MockResponsesWire.response(answer), answered, JSON, echoModel, false);
    }

    private AttemptOutcome<UpstreamReply> chatStream(ScriptedFrameSource source, AttemptSignal answered,
                                                     String echoModel) {
        return switch (new PreOutputGate<>(source, new ChatStreamDialect(PROVIDER, echoModel)).open()) {
            case PreOutputGate.Opening.Committed committed -> TABLE.outcome(answered,
                    new UpstreamReply.Streaming(200, EVENT_STREAM, committed.stream()));
            case PreOutputGate.Opening.Failed failed -> TABLE.outcome(failed.signal(), null);
        };
    }

    /** A chat completion, judged as the {@code openai} provider judges one. */
    private AttemptOutcome<UpstreamReply> completion(byte[] body, AttemptSignal answered, String echoModel) {
        var completion = ChatJson.object(body).orElseThrow();
        if (ChatOutput.isEmptyCompletion(completion)) {
            return TABLE.outcome(AttemptSignal.http(PROVIDER, REJECTED_2XX_STATUS)
                    .withFault(Fault.EMPTY_COMPLETION), null);
        }
        byte[] delivered = echoModel == null ? body : ChatJson.bytes(completion.put("model", echoModel));
        return TABLE.outcome(answered, new UpstreamReply.Buffered(200, JSON, delivered));
    }

    /** A scripted error status, read back like a real upstream's: its Retry-After, its error body. */
    private AttemptOutcome<UpstreamReply> rejected(String upstreamId, MockFault.Status fault) {
        byte[] body = MockErrorBody.of(upstreamId, fault.status());
        var headers = new java.util.LinkedHashMap<>(JSON);
        fault.retryAfterSeconds().ifPresent(seconds -> headers.put("retry-after", Integer.toString(seconds)));
        AttemptSignal signal = AttemptSignal.http(PROVIDER, fault.status()).withWaitHint(
                fault.retryAfterSeconds().flatMap(seconds -> RetryAfterHeader.parse(seconds.toString(),
                        clock.instant())));
        return TABLE.outcome(OpenAiErrorBody.describe(signal, body),
                new UpstreamReply.Buffered(fault.status(), headers, body));
    }
}
