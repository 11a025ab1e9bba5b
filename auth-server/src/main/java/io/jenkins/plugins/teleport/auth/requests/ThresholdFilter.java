package io.jenkins.plugins.teleport.auth.requests;

import java.util.ArrayList;
import java.util.List;

/**
 * A threshold's filter: the predicate that decides which reviews count toward the threshold, in the subset of
 * Teleport's threshold filter language (its {@code newThresholdFilterParser}) that Teleport's docs use:
 * {@code contains(list, "x")}, {@code equals(a, b)}, {@code &&}, {@code ||}, {@code !}, parentheses and
 * double-quoted string literals, over {@code reviewer.roles}, {@code reviewer.name}, {@code request.roles},
 * {@code request.reason}, {@code request.bot}, and (this project's additions) {@code request.jenkins_job} and
 * {@code request.jenkins_branch}. Types are checked when the filter is parsed, so a role with a filter that could
 * fail at review time is refused when it is created. An empty filter matches every review. The same language, without
 * the {@code reviewer.*} names, is the condition of automatic review rules ({@link #parseCondition}).
 */
public final class ThresholdFilter {

    /** The longest filter accepted, in characters. */
    public static final int MAX_LENGTH = 1024;
    private static final int MAX_DEPTH = 32;

    /** What a filter sees of a review: its reviewer and the request. */
    public record Context(String reviewerName, List<String> reviewerRoles, List<String> requestRoles, String requestReason,
                          String requestBot, String jenkinsJob, String jenkinsBranch) {
        public Context {
            reviewerRoles = List.copyOf(reviewerRoles);
            requestRoles = List.copyOf(requestRoles);
        }

        /** A context of a request that is not restricted to a Jenkins job. */
        public Context(String reviewerName, List<String> reviewerRoles, List<String> requestRoles, String requestReason,
                       String requestBot) {
            this(reviewerName, reviewerRoles, requestRoles, requestReason, requestBot, "", "");
        }
    }

    /** A filter that cannot be parsed; the message names the position (1-based) and what was expected. */
    public static final class InvalidFilterException extends IllegalArgumentException {
        private final int position;

        InvalidFilterException(int position, String message) {
            this(position, message, "");
        }

        InvalidFilterException(int position, String message, String hint) {
            super(message + " at position " + position + (hint.isEmpty() ? "" : " (" + hint + ")"));
            this.position = position;
        }

        public int position() {
            return position;
        }
    }

    private static final ThresholdFilter MATCH_ALL = new ThresholdFilter(ctx -> true);

    private final Predicate predicate;

    private ThresholdFilter(Predicate predicate) {
        this.predicate = predicate;
    }

    /** Parses a filter; blank means "every review". */
    public static ThresholdFilter parse(String expression) {
        return parse(expression, true);
    }

    /** Parses an automatic review rule's condition: the filter language over the request only (no reviewer.*). */
    public static ThresholdFilter parseCondition(String expression) {
        return parse(expression, false);
    }

    private static ThresholdFilter parse(String expression, boolean reviewerNames) {
        if (expression.isBlank()) {
            return MATCH_ALL;
        }
        if (expression.length() > MAX_LENGTH) {
            throw new InvalidFilterException(MAX_LENGTH + 1, "the filter is longer than " + MAX_LENGTH + " characters");
        }
        Parser parser = new Parser(tokens(expression), reviewerNames);
        Predicate p = parser.or(0);
        parser.expectEnd();
        return new ThresholdFilter(p);
    }

    /** Whether a review in {@code context} counts toward the threshold. */
    public boolean matches(Context context) {
        return predicate.test(context);
    }

    // ---- the language ------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Predicate {
        boolean test(Context ctx);
    }

    /** A value's type: the language has strings and lists of strings. */
    private enum Type {
        STRING, LIST;

        String describe() {
            return this == STRING ? "a string" : "a list";
        }
    }

    /** An operand of {@code contains} or {@code equals}: a literal or one of the names. */
    private record Operand(Type type, java.util.function.Function<Context, Object> value) {}

    private static Operand variable(String name, int position, boolean reviewerNames) {
        if (!reviewerNames && name.startsWith("reviewer.")) {
            throw new InvalidFilterException(position, "unknown name '" + name + "'", "a rule's condition sees the request "
                    + "only: request.roles, request.reason, request.bot, request.jenkins_job or request.jenkins_branch");
        }
        return switch (name) {
            case "reviewer.roles" -> new Operand(Type.LIST, Context::reviewerRoles);
            case "reviewer.name" -> new Operand(Type.STRING, Context::reviewerName);
            case "request.roles" -> new Operand(Type.LIST, Context::requestRoles);
            case "request.reason" -> new Operand(Type.STRING, Context::requestReason);
            case "request.bot" -> new Operand(Type.STRING, Context::requestBot);
            case "request.jenkins_job" -> new Operand(Type.STRING, Context::jenkinsJob);
            case "request.jenkins_branch" -> new Operand(Type.STRING, Context::jenkinsBranch);
            default -> throw new InvalidFilterException(position, "unknown name '" + name + "'", "use reviewer.roles, "
                    + "reviewer.name, request.roles, request.reason, request.bot, request.jenkins_job or request.jenkins_branch");
        };
    }

    private enum Kind { NAME, STRING, LPAREN, RPAREN, COMMA, AND, OR, NOT, END }

    private record Token(Kind kind, String text, int position) {
        String shown() {
            return kind == Kind.END ? "end of the filter" : "'" + text + "'";
        }
    }

    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int at = i + 1;
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',' || c == '!') {
                out.add(new Token(c == '(' ? Kind.LPAREN : c == ')' ? Kind.RPAREN : c == ',' ? Kind.COMMA : Kind.NOT,
                        String.valueOf(c), at));
                i++;
            } else if (c == '&' || c == '|') {
                if (i + 1 >= s.length() || s.charAt(i + 1) != c) {
                    throw new InvalidFilterException(at, "'" + c + "' must be doubled ('" + c + c + "')");
                }
                out.add(new Token(c == '&' ? Kind.AND : Kind.OR, "" + c + c, at));
                i += 2;
            } else if (c == '"') {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != '"'; j++) {
                    char d = s.charAt(j);
                    if (d == '\\') {
                        if (j + 1 >= s.length() || (s.charAt(j + 1) != '"' && s.charAt(j + 1) != '\\')) {
                            throw new InvalidFilterException(j + 1, "only \\\" and \\\\ may be escaped in a string");
                        }
                        d = s.charAt(++j);
                    }
                    text.append(d);
                }
                if (j >= s.length()) {
                    throw new InvalidFilterException(at, "unterminated string");
                }
                out.add(new Token(Kind.STRING, text.toString(), at));
                i = j + 1;
            } else if (Character.isLetter(c)) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.' || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Token(Kind.NAME, s.substring(i, j), at));
                i = j;
            } else {
                throw new InvalidFilterException(at, "unexpected '" + c + "'");
            }
        }
        out.add(new Token(Kind.END, "", s.length() + 1));
        return out;
    }

    /** Recursive descent: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | '(' or ')' | call. */
    private static final class Parser {
        private final List<Token> tokens;
        private final boolean reviewerNames;
        private int next;

        Parser(List<Token> tokens, boolean reviewerNames) {
            this.tokens = tokens;
            this.reviewerNames = reviewerNames;
        }

        Predicate or(int depth) {
            Predicate left = and(depth);
            while (peek().kind() == Kind.OR) {
                next++;
                Predicate l = left;
                Predicate r = and(depth);
                left = ctx -> l.test(ctx) || r.test(ctx);
            }
            return left;
        }

        private Predicate and(int depth) {
            Predicate left = unary(depth);
            while (peek().kind() == Kind.AND) {
                next++;
                Predicate l = left;
                Predicate r = unary(depth);
                left = ctx -> l.test(ctx) && r.test(ctx);
            }
            return left;
        }

        private Predicate unary(int depth) {
            Token t = peek();
            if (depth > MAX_DEPTH) {
                throw new InvalidFilterException(t.position(), "the filter nests more than " + MAX_DEPTH + " levels deep");
            }
            switch (t.kind()) {
                case NOT -> {
                    next++;
                    Predicate inner = unary(depth + 1);
                    return ctx -> !inner.test(ctx);
                }
                case LPAREN -> {
                    next++;
                    Predicate inner = or(depth + 1);
                    expect(Kind.RPAREN, "')'");
                    return inner;
                }
                case NAME -> {
                    return call();
                }
                default -> throw new InvalidFilterException(t.position(), "unexpected " + t.shown()
                        + ": expected contains(...), equals(...), '!' or '('");
            }
        }

        private Predicate call() {
            Token name = tokens.get(next++);
            if (!name.text().equals("contains") && !name.text().equals("equals")) {
                throw new InvalidFilterException(name.position(), "unknown function '" + name.text()
                        + "' (use contains or equals)");
            }
            expect(Kind.LPAREN, "'(' after " + name.text());
            Token firstAt = peek();
            Operand first = operand();
            expect(Kind.COMMA, "','");
            Token secondAt = peek();
            Operand second = operand();
            expect(Kind.RPAREN, "')'");
            if (name.text().equals("contains")) {
                if (first.type() != Type.LIST) {
                    throw new InvalidFilterException(firstAt.position(), "contains needs a list first (reviewer.roles or "
                            + "request.roles), not " + first.type().describe());
                }
                if (second.type() != Type.STRING) {
                    throw new InvalidFilterException(secondAt.position(), "contains needs a string second, not "
                            + second.type().describe());
                }
                return ctx -> ((List<?>) first.value().apply(ctx)).contains(second.value().apply(ctx));
            }
            if (first.type() != second.type()) {
                throw new InvalidFilterException(secondAt.position(), "equals compares values of one type: "
                        + first.type().describe() + " and " + second.type().describe());
            }
            return ctx -> first.value().apply(ctx).equals(second.value().apply(ctx));
        }

        private Operand operand() {
            Token t = tokens.get(next);
            if (t.kind() == Kind.STRING) {
                next++;
                String literal = t.text();
                return new Operand(Type.STRING, ctx -> literal);
            }
            if (t.kind() == Kind.NAME) {
                next++;
                return variable(t.text(), t.position(), reviewerNames);
            }
            throw new InvalidFilterException(t.position(), "unexpected " + t.shown() + ": expected a string such as \"cab\" "
                    + "or a name such as reviewer.roles");
        }

        private void expect(Kind kind, String what) {
            Token t = peek();
            if (t.kind() != kind) {
                throw new InvalidFilterException(t.position(), "unexpected " + t.shown() + ": expected " + what);
            }
            next++;
        }

        void expectEnd() {
            Token t = peek();
            if (t.kind() != Kind.END) {
                throw new InvalidFilterException(t.position(), "unexpected " + t.shown() + ": expected '&&', '||' or the end");
            }
        }

        private Token peek() {
            return tokens.get(next);
        }
    }
}
