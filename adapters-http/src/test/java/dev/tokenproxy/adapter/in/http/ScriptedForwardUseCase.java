package dev.tokenproxy.adapter.in.http;

import dev.tokenproxy.application.port.in.ForwardRequestCommand;
import dev.tokenproxy.application.port.in.ForwardRequestUseCase;
import dev.tokenproxy.application.port.in.ForwardResult;
import dev.tokenproxy.application.port.in.GatewayFailure;
import dev.tokenproxy.application.model.UpstreamReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A hand-written fake of the use case: records every command and answers with whatever the test scripted. */
final class ScriptedForwardUseCase implements ForwardRequestUseCase {

    private final List<ForwardRequestCommand> received = new CopyOnWriteArrayList<>();
    private volatile Function<ForwardRequestCommand, ForwardResult> script =
            command -> buffered(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}");

    @Override
    public ForwardResult forward(ForwardRequestCommand command) {
        // The body is the request's only until this returns (BodyBytes): a keeper keeps a copy.
        received.add(new ForwardRequestCommand(command.format(), command.model(), command.stream(),
                command.body().copy(), command.allowedUpstreams(), command.requestId(), command.clientHeaders()));
        return script.apply(command);
    }

    /** Answers every following request with {@code result}. */
    void answer(ForwardResult result) {
        script = command -> result;
    }

    /** Answers every following request with what {@code answer} makes of it, given the command as it arrived. */
    void answerWith(Function<ForwardRequestCommand, ForwardResult> answer) {
        script = answer;
    }

    /** Fails every following request with {@code failure}, as a bug in the core would. */
    void blowUp(RuntimeException failure) {
        script = command -> {
            throw failure;
        };
    }

    /** Throws {@code error} (e.g. an OutOfMemoryError) from every following request. */
    void fail(Error error) {
        script = command -> {
            throw error;
        };
    }

    List<ForwardRequestCommand> received() {
        return List.copyOf(received);
    }

    ForwardRequestCommand onlyCommand() {
        if (received.size() != 1) {
            throw new AssertionError("expected exactly one forwarded command, got " + received.size());
        }
        return received.get(0);
    }

    static ForwardResult buffered(int status, String json) {
        return new ForwardResult.Delivered(new UpstreamReply.Buffered(status,
                Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8)));
    }

    static ForwardResult failed(GatewayFailure failure, String message) {
        return new ForwardResult.Failed(failure, message, Optional.empty());
    }
}
