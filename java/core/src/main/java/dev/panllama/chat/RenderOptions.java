package dev.panllama.chat;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chat template sees besides the messages, as Hugging Face transformers passes it.
 *
 * @param bosToken  {@code bos_token} (the model's BOS text, e.g. {@code <|begin_of_text|>}); "" when the model has none
 * @param eosToken  {@code eos_token}
 * @param tools     {@code tools}: JSON-like tool schemas (Maps, Lists, Strings, numbers, booleans), or null for none
 *                  (templates then see {@code tools = None}, as with transformers)
 * @param now       what {@code strftime_now(...)} formats; null means the current local time
 * @param variables further template variables (e.g. {@code enable_thinking}, {@code documents}); they override
 *                  the ones above
 * @param limits    render bounds
 */
public record RenderOptions(String bosToken, String eosToken, List<?> tools, LocalDateTime now,
                            Map<String, ?> variables, RenderLimits limits) {

    public static final RenderOptions DEFAULT = new RenderOptions("", "", null, null, Map.of(), RenderLimits.DEFAULT);

    public RenderOptions {
        Objects.requireNonNull(bosToken, "bosToken");
        Objects.requireNonNull(eosToken, "eosToken");
        variables = variables == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        Objects.requireNonNull(limits, "limits");
    }

    public RenderOptions withSpecialTokens(String bos, String eos) {
        return new RenderOptions(bos, eos, tools, now, variables, limits);
    }

    public RenderOptions withTools(List<?> newTools) {
        return new RenderOptions(bosToken, eosToken, newTools, now, variables, limits);
    }

    public RenderOptions withNow(LocalDateTime frozenNow) {
        return new RenderOptions(bosToken, eosToken, tools, frozenNow, variables, limits);
    }

    public RenderOptions withVariables(Map<String, ?> extra) {
        return new RenderOptions(bosToken, eosToken, tools, now, extra, limits);
    }

    public RenderOptions withLimits(RenderLimits newLimits) {
        return new RenderOptions(bosToken, eosToken, tools, now, variables, newLimits);
    }
}
