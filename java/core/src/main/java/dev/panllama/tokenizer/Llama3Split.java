package dev.panllama.tokenizer;

import static dev.panllama.tokenizer.CodepointFlags.LETTER;
import static dev.panllama.tokenizer.CodepointFlags.NUMBER;
import static dev.panllama.tokenizer.CodepointFlags.WHITESPACE;
import static dev.panllama.tokenizer.Gpt2Split.emit;
import static dev.panllama.tokenizer.Gpt2Split.isOther;

/**
 * Llama 3's pre-tokenizer, hand-written the way llama.cpp runs it instead of its regex:
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
 */
record Llama3Split() implements SplitRule {

    @Override
    public void split(SplitText t, IntList chunks, IntList out) {
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int from = start, to = start + chunks.get(c);
            start = to;
            int prevEnd = from;
            int pos = from;
            while (pos < to) {
                int cp = t.cps[pos];
                int flags = CodepointFlags.of(cp);

                if (cp == '\'' && pos + 1 < to) { // case-insensitive contractions
                    int next = lower(t.cps[pos + 1]);
                    if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                        pos += 2;
                        prevEnd = emit(out, prevEnd, pos);
                        continue;
                    }
                    if (pos + 2 < to) {
                        int next2 = lower(t.cps[pos + 2]);
                        if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                            pos += 3;
                            prevEnd = emit(out, prevEnd, pos);
                            continue;
                        }
                    }
                }

                // [^\r\n\p{L}\p{N}]?\p{L}+
                if (!(cp == '\r' || cp == '\n' || (flags & NUMBER) != 0)) {
                    if ((flags & LETTER) != 0 || (t.flagsAt(pos + 1, from, to) & LETTER) != 0) {
                        pos++;
                        while ((t.flagsAt(pos, from, to) & LETTER) != 0) pos++;
                        prevEnd = emit(out, prevEnd, pos);
                        continue;
                    }
                }

                if ((flags & NUMBER) != 0) { // \p{N}{1,3}
                    int groupStart = pos;
                    while ((t.flagsAt(pos, from, to) & NUMBER) != 0) {
                        if (++pos - groupStart >= 3) {
                            prevEnd = emit(out, prevEnd, pos);
                            groupStart = pos;
                        }
                    }
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }

                //  ?[^\s\p{L}\p{N}]+[\r\n]*
                int flags2 = cp == ' ' ? t.flagsAt(pos + 1, from, to) : flags;
                if ((flags2 & (WHITESPACE | LETTER | NUMBER)) == 0 && flags != 0) {
                    if (cp == ' ') pos++;
                    while (isOther(flags2)) flags2 = t.flagsAt(++pos, from, to);
                    int c2 = t.cpAt(pos, from, to);
                    while (c2 == '\r' || c2 == '\n') c2 = t.cpAt(++pos, from, to);
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }

                int spaces = 0;
                int lastNewlineEnd = 0;
                while ((t.flagsAt(pos + spaces, from, to) & WHITESPACE) != 0) {
                    int c2 = t.cps[pos + spaces];
                    if (c2 == '\r' || c2 == '\n') lastNewlineEnd = pos + spaces + 1;
                    spaces++;
                }
                if (lastNewlineEnd > 0) { // \s*[\r\n]+
                    pos = lastNewlineEnd;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (spaces > 1 && pos + spaces < to) { // \s+(?!\S)
                    pos += spaces - 1;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (spaces > 0) { // \s+
                    pos += spaces;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                prevEnd = emit(out, prevEnd, ++pos);
            }
        }
    }

    private static int lower(int cp) {
        return Character.toLowerCase(cp);
    }
}
