package dev.panllama.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named pre-tokenizers, with the regexes llama.cpp (src/llama-vocab.cpp) uses for each
 * {@code tokenizer.ggml.pre} value. The GPT-2 and Llama 3 regexes run as hand-written splitters, as in
 * llama.cpp; the rest through {@link RegexSplit}.
 */
final class PreTokenizers {
    static final String DEFAULT = "default";

    private static final String QWEN2_REGEX =
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String CASED_WORDS =
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+%1$s"
            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*%1$s";
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    /** llama.cpp's deepseek-llm word class (cased letters), as code points: editors fold some of these characters. */
    static final String CASED_LETTERS_WORD = "\\s?["
            + "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
            + "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
            + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}"
            + "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
            + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
            + "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
            + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
            + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
            + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
            + "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
            + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
            + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
            + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
            + "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
            + "\\x{1E900}-\\x{1E943}"
            + "]+";
    static final String DEEPSEEK_PUNCTUATION = "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+";
    static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";

    private static final Map<String, PreTokenizer> BY_NAME = new LinkedHashMap<>();
    /** Names for which llama.cpp turns off clean_up_tokenization_spaces when detokenizing. */
    private static final Set<String> KEEP_SPACES = Set.of("deepseek-llm", "deepseek-coder", "deepseek-v3", "command-r",
            "qwen2", "deepseek-r1-qwen", "hunyuan", "smollm", "tekken", "gpt-4o", "llama4");

    static {
        SplitRule gpt2 = new Gpt2Split();
        SplitRule llama3 = new Llama3Split();

        register(List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"),
                List.of(llama3), true, true);
        register(List.of("dbrx", "smaug-bpe"), List.of(llama3), false, false);
        register(List.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
                "mellum", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling"), List.of(gpt2), false, false);
        register(List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"),
                List.of(RegexSplit.of("\\p{N}"), gpt2), false, false);
        register(List.of("falcon"),
                List.of(RegexSplit.of("[\\p{P}\\$\\+<=>\\^~\\|`]+"), gpt2, RegexSplit.of("[0-9][0-9][0-9]")), false, false);
        register(List.of("qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan"),
                List.of(RegexSplit.of(QWEN2_REGEX)), false, false);
        register(List.of("deepseek-llm"), List.of(
                RegexSplit.of("[\r\n]"),
                RegexSplit.of(CASED_LETTERS_WORD),
                RegexSplit.of(DEEPSEEK_PUNCTUATION),
                RegexSplit.of("\\s+$"),
                RegexSplit.of(CJK),
                RegexSplit.of("\\p{N}+")), false, false);
        register(List.of("deepseek-coder"), List.of(
                RegexSplit.of("[\r\n]"),
                RegexSplit.of("\\s?\\p{L}+"),
                RegexSplit.of("\\s?\\p{P}+"),
                RegexSplit.of(CJK),
                RegexSplit.of("\\p{N}")), false, false);
        register(List.of("deepseek-v3"), List.of(
                RegexSplit.of("\\p{N}{1,3}"),
                RegexSplit.of("[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+"),
                RegexSplit.of("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                        + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+")), false, false);
        register(List.of("gpt-4o", "llama4"), List.of(RegexSplit.of(String.format(CASED_WORDS, CONTRACTIONS + "?")
                + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")), false, false);
        register(List.of("tekken"), List.of(RegexSplit.of(String.format(CASED_WORDS, "")
                + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")), true, true);
        register(List.of(DEFAULT), List.of(
                RegexSplit.of("[\\p{P}\\$\\+<=>\\^~\\|]+"),
                gpt2,
                RegexSplit.of("\\p{N}+"),
                RegexSplit.of("[0-9][0-9][0-9]")), false, false);
    }

    private PreTokenizers() {}

    private static void register(List<String> names, List<SplitRule> rules, boolean ignoreMerges, boolean addBos) {
        for (String n : names) {
            BY_NAME.put(n, new PreTokenizer(n, rules, ignoreMerges, addBos, !KEEP_SPACES.contains(n)));
        }
    }

    static Optional<PreTokenizer> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Every name this runtime accepts for {@code tokenizer.ggml.pre}. */
    static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
