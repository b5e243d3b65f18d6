package dev.tokenproxy.application.port.in;

import java.util.List;

/** Lists the models a client may ask for: every allow-listed model and every concrete mapping key. */
public interface ListModelsUseCase {
    List<String> listModels();
}
