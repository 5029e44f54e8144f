package dev.panllama.chat;

import java.time.LocalDateTime;
import java.util.Set;

/**
 * The state of the render running on this thread: its budget, its clock, and the first error that must abort it.
 * Jinjava records most errors and carries on rendering, so our hooks note the failure here; every later hook call
 * then fails at once, and {@link ChatTemplate} reports the noted error when the render returns.
 */
final class RenderState {

    private static final ThreadLocal<RenderState> CURRENT = new ThreadLocal<>();

    private final RenderLimits limits;
    private final long deadlineNanos;
    private final LocalDateTime now;
    private final Set<String> noneNames;
    private long loopIterations;
    private long nodes;
    private ChatTemplateException failure;

    private RenderState(RenderLimits limits, LocalDateTime now, Set<String> noneNames) {
        this.limits = limits;
        this.noneNames = noneNames;
        this.deadlineNanos = System.nanoTime() + limits.timeout().toNanos();
        this.now = now;
    }

    static RenderState begin(RenderLimits limits, LocalDateTime now, Set<String> noneNames) {
        RenderState state = new RenderState(limits, now, noneNames);
        CURRENT.set(state);
        return state;
    }

    void end() {
        CURRENT.remove();
    }

    /** The render on this thread; rendering outside {@link ChatTemplate} is a bug. */
    static RenderState current() {
        RenderState state = CURRENT.get();
        if (state == null) {
            throw new IllegalStateException("no chat template render in progress on this thread");
        }
        return state;
    }

    /**
     * Whether a top-level variable was passed as None. Jinjava cannot tell None from undefined, and jinja2
     * treats them differently ({@code is defined}, iterating None raises).
     */
    boolean isNone(String name) {
        return noneNames.contains(name);
    }

    long maxStringLength() {
        return limits.maxOutputChars();
    }

    LocalDateTime now() {
        return now;
    }

    ChatTemplateException failure() {
        return failure;
    }

    /** Notes the first error that must abort the render, and throws it. */
    RuntimeException fail(ChatTemplateException e) {
        if (failure == null) {
            failure = e;
        }
        throw failure;
    }

    void onLoopIteration() {
        if (++loopIterations > limits.maxLoopIterations()) {
            fail(new ChatTemplateException("chat template exceeded " + limits.maxLoopIterations() + " loop iterations"));
        }
        checkDeadline();
    }

    void onNode() {
        if (failure != null) {
            throw failure;
        }
        if (++nodes > limits.maxNodes()) {
            fail(new ChatTemplateException("chat template exceeded " + limits.maxNodes() + " rendered nodes"));
        }
        checkDeadline();
    }

    private void checkDeadline() {
        if (System.nanoTime() - deadlineNanos > 0) {
            fail(new ChatTemplateException("chat template render exceeded " + limits.timeout().toMillis() + " ms"));
        }
    }
}
