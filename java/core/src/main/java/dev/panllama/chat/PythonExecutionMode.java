package dev.panllama.chat;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.mode.ExecutionMode;

/** Jinjava's default execution, with expressions printed the Python way. */
final class PythonExecutionMode implements ExecutionMode {

    @Override
    public void prepareContext(Context context) {
        context.setExpressionStrategy(new PythonExpressionStrategy());
    }
}
