package dev.panllama.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One configurable step of the sampler chain. The chain always starts with the logit bias and
 * always ends by drawing a token from the softmax of what is left ("dist"); the stages in between
 * run in the order given by {@link SamplingOptions#order()}.
 *
 * <p>The default order is llama.cpp's ({@code common/common.h}, without the samplers panllama
 * does not implement: DRY, typical-p, XTC): {@code penalties; top_k; top_p; min_p; temperature}.
 */
public enum SamplerStage {
    /** Repetition, frequency and presence penalties over the last N accepted tokens. */
    PENALTIES("penalties"),
    /** Keep the K most likely tokens. */
    TOP_K("top_k"),
    /** Keep the smallest set of most likely tokens whose probabilities sum to at least P. */
    TOP_P("top_p"),
    /** Keep tokens whose probability is at least P times that of the most likely one. */
    MIN_P("min_p"),
    /** Divide the logits by the temperature (a temperature of 0 or less keeps only the most likely token). */
    TEMPERATURE("temperature");

    /** llama.cpp's default order (penalties, top-k, top-p, min-p, temperature). */
    public static final List<SamplerStage> DEFAULT_ORDER = List.of(PENALTIES, TOP_K, TOP_P, MIN_P, TEMPERATURE);

    private final String cliName;

    SamplerStage(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in {@link #parseOrder}, e.g. {@code top_k}. */
    public String cliName() {
        return cliName;
    }

    /**
     * Parses an order written like llama.cpp's {@code --samplers}: names separated by {@code ;} or
     * {@code ,}, e.g. {@code "penalties;top_k;temperature"} (case-insensitive, {@code -} accepted for {@code _}).
     *
     * @throws IllegalArgumentException on an unknown or repeated name
     */
    public static List<SamplerStage> parseOrder(String text) {
        List<SamplerStage> order = new ArrayList<>();
        for (String part : text.split("[;,]")) {
            String name = part.strip().toLowerCase(Locale.ROOT).replace('-', '_');
            if (name.isEmpty()) continue;
            SamplerStage stage = null;
            for (SamplerStage s : values()) {
                if (s.cliName.equals(name)) stage = s;
            }
            if (stage == null) throw new IllegalArgumentException("unknown sampler '" + part.strip()
                    + "' (known: penalties, top_k, top_p, min_p, temperature)");
            if (order.contains(stage)) throw new IllegalArgumentException("sampler '" + name + "' given twice");
            order.add(stage);
        }
        return List.copyOf(order);
    }
}
