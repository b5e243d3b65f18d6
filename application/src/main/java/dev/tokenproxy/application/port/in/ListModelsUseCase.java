package dev.tokenproxy.application.port.in;

import java.util.List;

/**
 * Lists the model ids a client may ask for, sorted and without duplicates: allow-listed names, concrete mapping
 * keys and mapping targets, and what upstreams that accept every model say they serve. Never a glob.
 */
public interface ListModelsUseCase {
    List<String> listModels();
}
