import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the gateway's stack costs with none of the gateway in it: a floor to read the gateway's figures against
 * (docs/benchmark.md, twenty-third pass). Run by {@code benchmarks/scripts/floors.sh}, with the gateway's jar on the
 * class path for Helidon: {@code java -cp token-proxy.jar benchmarks/scripts/ProxyFloor.java MODE PORT [UPSTREAM_PORT]}.
 * <ul>
 *   <li>{@code answer}: Helidon SE reads a POST's body and answers the bench mock's fixed completion. One hop.</li>
 *   <li>{@code forward}: Helidon SE reads the body and sends it to the mock on a kept-alive socket of the inbound
 *       connection's own (a blocking JDK socket on the connection's virtual thread), then answers with the mock's
 *       body: a proxy with nothing a gateway does (no JSON check, no failover, no records, metrics or logs).</li>
 * </ul>
 * Answers with a {@code Content-Length} only, which the bench mock always sends; anything else is a failed request.
 */
public class ProxyFloor {

    private static final byte[] ANSWER = ("{\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion\",\"created\":"
            + "1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
            + "\"assistant\",\"content\":\"Hello! This is a fixed answer from the benchmark mock upstream, about as long"
            + " as a short real reply.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":"
            + "{\"prompt_tokens\":24,\"completion_tokens\":22,\"total_tokens\":46},\"system_fingerprint\":\"fp_bench\"}")
            .getBytes(StandardCharsets.UTF_8);
    /** One upstream socket per inbound connection: Helidon serves each connection on a virtual thread of its own. */
    private static final ThreadLocal<Socket> UPSTREAM = new ThreadLocal<>();

    public static void main(String[] args) {
        if (args.length < 2 || !(args[0].equals("answer") || args[0].equals("forward") && args.length == 3)) {
            System.err.println("usage: java ProxyFloor.java answer PORT | forward PORT UPSTREAM_PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        int upstreamPort = args[0].equals("forward") ? Integer.parseInt(args[2]) : 0;
        WebServer server = WebServer.builder().host("127.0.0.1").port(port)
                .routing(routing -> routing.post("/v1/chat/completions", (req, res) -> {
                    if (upstreamPort == 0) {
                        req.content().as(byte[].class);
                        answer(res, ANSWER);
                    } else {
                        forward(req, res, upstreamPort);
                    }
                }))
                .build().start();
        System.out.println("listening on " + server.port() + " (" + args[0] + ")");
    }

    private static void answer(ServerResponse res, byte[] body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    private static void forward(ServerRequest req, ServerResponse res, int upstreamPort) throws IOException {
        byte[] body = req.content().as(byte[].class);
        Socket upstream = UPSTREAM.get();
        if (upstream == null) {
            upstream = new Socket("127.0.0.1", upstreamPort);
            upstream.setTcpNoDelay(true);
            UPSTREAM.set(upstream);
        }
        byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + upstreamPort
                + "\r\nAuthorization: Bearer sk-bench-key\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        upstream.getOutputStream().write(request);
        answer(res, readAnswerBody(upstream.getInputStream()));
    }

    /** The body of one answer with a {@code Content-Length}, read to its end so that the socket can be used again. */
    private static byte[] readAnswerBody(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        int have = 0;
        int headEnd = -1;
        while (headEnd < 0) {
            if (have == buffer.length) {
                buffer = Arrays.copyOf(buffer, 2 * buffer.length);
            }
            int read = in.read(buffer, have, buffer.length - have);
            if (read < 0) {
                throw new EOFException("the upstream closed before its answer's head ended");
            }
            int scanFrom = Math.max(3, have - 3);
            have += read;
            headEnd = headEnd(buffer, scanFrom, have);
        }
        String head = new String(buffer, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase();
        int at = head.indexOf("\ncontent-length:");
        if (at < 0) {
            throw new IOException("no Content-Length in the upstream's answer");
        }
        at += "\ncontent-length:".length();
        int length = Integer.parseInt(head.substring(at, head.indexOf('\r', at)).trim());
        byte[] answer = Arrays.copyOfRange(buffer, headEnd, headEnd + length);
        for (int got = Math.min(length, have - headEnd); got < length; ) {
            int read = in.read(answer, got, length - got);
            if (read < 0) {
                throw new EOFException("the upstream closed before its answer's body ended");
            }
            got += read;
        }
        return answer;
    }

    /** Where the head's blank line ends, looking at bytes {@code from} (at least 3) to {@code to}; -1 if not there. */
    private static int headEnd(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }
}
