package dev.tokenproxy.application.port.in;

/** Serves one client request from the upstream pool, failing over between credentials and upstreams. */
public interface ForwardRequestUseCase {
    ForwardResult forward(ForwardRequestCommand command);
}
