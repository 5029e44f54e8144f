package dev.panllama;

import java.util.List;

/**
 * Stop-string search over the text a generation has not released yet. Text that could still be
 * the start of a stop string is held back, so a stop string split across tokens is caught and
 * never shown.
 */
final class StopStrings {
    private final List<String> stops;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    boolean isEmpty() {
        return stops.isEmpty();
    }

    /** Index of the earliest stop string in {@code text}, or -1; {@link #matched} tells which. */
    int find(CharSequence text, String[] matched) {
        int best = -1;
        String s = text.toString();
        for (String stop : stops) {
            int at = s.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best || (at == best && stop.length() > matched[0].length()))) {
                best = at;
                matched[0] = stop;
            }
        }
        return best;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of some stop string. */
    int heldSuffix(CharSequence text) {
        int n = text.length();
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, n); k > held; k--) {
                if (endsWith(text, n, stop, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private static boolean endsWith(CharSequence text, int n, String stop, int k) {
        for (int i = 0; i < k; i++) {
            if (text.charAt(n - k + i) != stop.charAt(i)) return false;
        }
        return true;
    }
}
