package io.jenkins.plugins.teleport.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the way Teleport's YAML writes them: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 14d}. */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private GoDuration() {}

    /** Parses a duration such as {@code 2h} or {@code 1h30m}; throws {@link IllegalArgumentException} naming the accepted form. */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration: write it like 90s, 30m, 2h or 1h30m");
        }
        Matcher m = PART.matcher(text.trim());
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            try {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("duration '" + text + "' is too large");
            }
            end = m.end();
        }
        if (end != text.trim().length()) {
            throw new IllegalArgumentException("invalid duration '" + text + "': write it like 90s, 30m, 2h or 1h30m");
        }
        return total;
    }

    /** Formats a duration in the shortest of the forms {@link #parse} reads, e.g. {@code 1h30m}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.toMillis() == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long hours = d.toHours();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (d.toMinutesPart() > 0) {
            out.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            out.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0) {
            out.append(d.toMillisPart()).append("ms");
        }
        return out.toString();
    }
}
