package dev.tokenproxy.testing;

import java.io.IOException;

/**
 * How a {@link ScriptedHttpServer} answers one request: steps played on a {@link ResponseWriter}, in order, on the
 * connection the request came in on. An {@link IOException} means the client went away mid-answer.
 */
@FunctionalInterface
public interface Script {

    void play(ResponseWriter out) throws IOException;
}
