package dev.tokenproxy.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** One accepted connection of {@link ScriptedHttpServer}: reads requests and plays their scripts until it closes. */
final class Connection implements Runnable {

    /** Where requests go and what becomes of them; implemented by the server. */
    interface Host {
        /** Records the request and picks the script to play. */
        Script accept(RecordedRequest request);

        /** The client went away while a script was still playing. */
        void abandoned();

        boolean closing();
    }

    private final Socket tcp;
    private final SSLContext tls;
    private final Host host;

    /** @param tls the server context for HTTPS, or null for plain HTTP */
    Connection(Socket tcp, SSLContext tls, Host host) {
        this.tcp = tcp;
        this.tls = tls;
        this.host = host;
    }

    @Override
    public void run() {
        // Closing the TLS socket first sends close_notify, so a client sees a clean end rather than a truncation.
        try (tcp; Socket socket = tls == null ? tcp : overTls(tcp)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            var requests = new HttpRequestReader(in, out);
            for (RecordedRequest request = requests.next(); request != null; request = requests.next()) {
                if (!answer(request, new ResponseWriter(tcp, socket, in, out))) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client left between requests, failed the TLS handshake, or the server closed: nobody to answer.
        }
    }

    /** Plays the script; whether the connection can carry another request. */
    private boolean answer(RecordedRequest request, ResponseWriter out) {
        Script script = host.accept(request);
        if ("close".equalsIgnoreCase(request.header("connection"))) {
            out.closeAfterReply();
        }
        try {
            script.play(out);
            return out.keepAlive();
        } catch (IOException e) {
            // A failure while the server closes is its own doing; any other means the client left mid-reply.
            if (!host.closing()) {
                host.abandoned();
            }
            return false;
        }
    }

    /**
     * Layers TLS over the accepted socket rather than accepting on an SSLServerSocket, so that resets and
     * {@link ScriptedHttpServer#close()} act on the TCP socket directly, without a TLS close to negotiate.
     */
    private SSLSocket overTls(Socket tcp) throws IOException {
        var socket = (SSLSocket) tls.getSocketFactory().createSocket(tcp, null, true);
        SSLParameters parameters = socket.getSSLParameters();
        // The server speaks HTTP/1.1 only; naming it in ALPN stops clients from expecting HTTP/2.
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        return socket;
    }
}
