package dev.panllama.cli;

import dev.panllama.gguf.GgufFile;
import dev.panllama.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code panllama tokenize}: text to token ids with a model's tokenizer (vocab-only files too). */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Splits text into token ids with a model's tokenizer (vocab-only files too).",
            "Like llama.cpp's llama-tokenize; no weights are read.",
            "",
            "Examples:",
            "  panllama tokenize -m model.gguf 'Hello world'      one line per token: 15043 -> ' Hello'",
            "  panllama tokenize --ids 'Hello world'              [1, 15043, 3186]",
            "  cat notes.txt | panllama tokenize --ids -"})
final class TokenizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--ids", description = "Print only the ids, as one list: [1, 15043, 3186].")
    boolean ids;

    @Option(names = "--no-bos", description = "Do not add the BOS (or EOS) token the model asks for.")
    boolean noBos;

    @Option(names = "--no-parse-special",
            description = "Treat special-token text such as <|im_start|> as plain text.")
    boolean noParseSpecial;

    @Parameters(index = "0", paramLabel = "TEXT", arity = "0..1",
            description = "The text; '-' or nothing reads standard input.")
    String text;

    @Override
    public Integer call() throws IOException {
        common.validate(spec.commandLine());
        String input = text == null || text.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : text;
        int[] tokens;
        Tokenizer tokenizer;
        try (GgufFile f = GgufFile.open(ModelLocator.resolve(common.model, spec.commandLine().getErr()))) {
            tokenizer = Tokenizer.fromMetadata(f.metadata());
        }
        tokens = tokenizer.encode(input, !noBos, !noParseSpecial);
        PrintWriter out = spec.commandLine().getOut();
        if (ids) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < tokens.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(tokens[i]);
            }
            out.println(sb.append(']'));
        } else {
            for (int id : tokens) {
                out.println(id + " -> '" + printable(tokenizer.tokenBytes(id)) + "'");
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The piece as text when it is valid UTF-8, else its bytes as \xNN escapes (a byte token, half a character). */
    static String printable(byte[] piece) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(piece))
                    .toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte b : piece) sb.append(String.format(Locale.ROOT, "\\x%02x", b & 0xff));
            return sb.toString();
        }
    }
}
