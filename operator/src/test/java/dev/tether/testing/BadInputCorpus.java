package dev.tether.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The bad-input corpus as data: one row per malformed request, with its category and the one status
 * it must get. {@link #registry()} is aimed at the operator's registry endpoints (heartbeat, register,
 * update-card), {@link #proxy()} at a dispatch; each request is built at run time from a {@link Target}
 * (the path, a valid token, the workspace id). Sent with {@link RawHttp}, so framing can be wrong too.
 */
public final class BadInputCorpus {
    /** Where a case is aimed, known only once the system is running. */
    public record Target(String heartbeat, String register, String updateCard, String a2a, String token, String workspaceId) {
    }

    /** One malformed request and the status it must get. */
    public record Case(String category, String name, int expected, Function<Target, RawHttp> request) {
        @Override
        public String toString() {
            return category + ": " + name + " -> " + expected;
        }
    }

    public static final int HEARTBEAT_CAP = 64 * 1024;
    public static final int REGISTER_CAP = 256 * 1024;
    public static final int PROXY_CAP = 1 << 20;

    private BadInputCorpus() {
    }

    /** Counts per category, for the report and docs/reliability.md. */
    public static String summary(List<Case> cases) {
        return cases.stream().collect(Collectors.groupingBy(Case::category, java.util.TreeMap::new, Collectors.counting())).toString();
    }

    private static final class Table {
        final List<Case> cases = new ArrayList<>();
        String category;

        Table category(String value) {
            category = value;
            return this;
        }

        Table add(String name, int expected, Function<Target, RawHttp> request) {
            cases.add(new Case(category, name, expected, request));
            return this;
        }

        /** A heartbeat for the test workspace with {@code members} appended after workspace_id. */
        Table beat(String name, int expected, String members) {
            return add(name, expected, t -> RawHttp.postJson(t.heartbeat(), t.token(),
                    "{\"workspace_id\":\"" + t.workspaceId() + "\"," + members + "}"));
        }

        /** A whole heartbeat body, sent as given. */
        Table body(String name, int expected, String json) {
            return add(name, expected, t -> RawHttp.postJson(t.heartbeat(), t.token(), json.replace("$WS", t.workspaceId())));
        }

        Table bytes(String name, int expected, byte[] body) {
            return add(name, expected, t -> RawHttp.postJson(t.heartbeat(), t.token(), body));
        }

        Table register(String name, int expected, String json) {
            return add(name, expected, t -> RawHttp.postJson(t.register(), t.token(), json.replace("$WS", t.workspaceId())));
        }

        Table updateCard(String name, int expected, String json) {
            return add(name, expected, t -> RawHttp.postJson(t.updateCard(), t.token(), json.replace("$WS", t.workspaceId())));
        }

    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object of {@code total} bytes exactly: a member padded with spaces-free filler. */
    static String padded(String prefix, int total) {
        String head = prefix + ",\"pad\":\"";
        return head + "a".repeat(Math.max(0, total - head.length() - 2)) + "\"}";
    }

    public static List<Case> registry() {
        Table t = new Table();
        wrongTypes(t);
        sizes(t);
        encodings(t, Table::bytes, "{\"workspace_id\":\"researcher\",\"current_task\":\"", "\"}");
        unicode(t);
        numbers(t);
        t.category("nan-infinity")
                .beat("error_rate NaN", 400, "\"error_rate\":NaN")
                .beat("error_rate Infinity", 400, "\"error_rate\":Infinity")
                .beat("error_rate -Infinity", 400, "\"error_rate\":-Infinity")
                .beat("error_rate \"NaN\"", 400, "\"error_rate\":\"NaN\"")
                .beat("active_tasks NaN", 400, "\"active_tasks\":NaN")
                .beat("uptime_seconds +Infinity", 400, "\"uptime_seconds\":+Infinity")
                .beat("idle_timeout_seconds NaN", 400, "\"runtime_metadata\":{\"idle_timeout_seconds\":NaN}");
        t.category("duplicate-keys")
                .body("workspace_id twice", 400, "{\"workspace_id\":\"$WS\",\"workspace_id\":\"$WS\"}")
                .beat("error_rate twice", 400, "\"error_rate\":0.1,\"error_rate\":0.2")
                .beat("runtime_metadata twice", 400, "\"runtime_metadata\":{},\"runtime_metadata\":{}")
                .beat("capability twice", 400, "\"runtime_metadata\":{\"capabilities\":{\"a\":true,\"a\":false}}")
                .beat("duplicate deep in an unknown member", 400, "\"x\":{\"y\":[{\"z\":1,\"z\":2}]}")
                .register("register: id twice", 400, "{\"id\":\"$WS\",\"id\":\"$WS\",\"url\":\"http://a.example\"}")
                .register("register: url twice", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example\",\"url\":\"http://b.example\"}")
                .updateCard("update-card: duplicate inside the card", 400, "{\"workspace_id\":\"$WS\",\"agent_card\":{\"name\":\"a\",\"name\":\"b\"}}");
        t.category("deep-nesting")
                .beat("33 levels in an unknown member", 400, "\"x\":" + "[".repeat(33) + "]".repeat(33))
                .beat("1000 levels", 400, "\"x\":" + "[".repeat(1000) + "]".repeat(1000))
                .beat("60000 open brackets", 400, "\"x\":" + "[".repeat(60_000))
                .beat("objects 40 deep", 400, "\"x\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40))
                .updateCard("agent card 40 deep", 400, "{\"workspace_id\":\"$WS\",\"agent_card\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}")
                .register("register: 40 deep", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}");
        truncated(t);
        framing(t, Target::heartbeat, "{\"workspace_id\":\"researcher\"}", true);
        headers(t, Target::heartbeat, "{\"workspace_id\":\"researcher\"}", true);
        t.category("register-update-card")
                .register("register: id missing", 400, "{\"url\":\"http://a.example\"}")
                .register("register: url missing", 400, "{\"id\":\"$WS\"}")
                .register("register: url not http", 400, "{\"id\":\"$WS\",\"url\":\"file:///etc/passwd\"}")
                .register("register: url javascript", 400, "{\"id\":\"$WS\",\"url\":\"javascript:alert(1)\"}")
                .register("register: url with CRLF", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example/\\r\\nX-Injected: 1\"}")
                .register("register: url a number", 400, "{\"id\":\"$WS\",\"url\":80}")
                .register("register: agent_card a string", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example\",\"agent_card\":\"card\"}")
                .register("register: agent_card an array", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example\",\"agent_card\":[]}")
                .register("register: workspace_id instead of id", 400, "{\"workspace_id\":\"$WS\",\"url\":\"http://a.example\"}")
                .register("register: not an object", 400, "[\"$WS\"]")
                .updateCard("update-card: agent_card missing", 400, "{\"workspace_id\":\"$WS\"}")
                .updateCard("update-card: agent_card null", 400, "{\"workspace_id\":\"$WS\",\"agent_card\":null}")
                .updateCard("update-card: agent_card a number", 400, "{\"workspace_id\":\"$WS\",\"agent_card\":1}")
                .updateCard("update-card: id instead of workspace_id", 400, "{\"id\":\"$WS\",\"agent_card\":{}}")
                .updateCard("update-card: workspace_id upper case", 400, "{\"workspace_id\":\"Team-A/Researcher\",\"agent_card\":{}}")
                .updateCard("update-card: lone surrogate in the card", 400, "{\"workspace_id\":\"$WS\",\"agent_card\":{\"name\":\"\\ud800\"}}")
                .add("update-card: no token", 401, x -> RawHttp.postJson(x.updateCard(), null, "{\"workspace_id\":\"" + x.workspaceId() + "\",\"agent_card\":{}}"))
                .add("register: wrong token", 401, x -> RawHttp.postJson(x.register(), "not-the-token",
                        "{\"id\":\"" + x.workspaceId() + "\",\"url\":\"http://a.example\"}"))
                .add("register: GET", 405, x -> RawHttp.postJson(x.register(), x.token(), "{}").method("GET"));
        return t.cases;
    }

    private static void wrongTypes(Table t) {
        t.category("wrong-types");
        String[][] fields = {
                {"workspace_id", "1", "true", "[]", "{}", "\"\"", "null"},
                {"error_rate", "\"0.5\"", "true", "[]", "{}", "-0.1", "1.0001"},
                {"active_tasks", "\"1\"", "1.5", "true", "[]", "-1", "1000001"},
                {"uptime_seconds", "\"1\"", "1.5", "false", "{}", "-1", "100000000001"},
                {"monthly_spend", "\"100\"", "1.5", "true", "{}", "[1]", "1e2"},
                {"sample_error", "1", "true", "[]", "{}", "0.5"},
                {"current_task", "1", "false", "[\"a\"]", "{\"a\":1}", "-1"},
                {"runtime_state", "1", "true", "[]", "{}", "\"" + "x".repeat(65) + "\""},
                {"runtime_metadata", "1", "\"x\"", "[]", "true"},
        };
        for (String[] f : fields) {
            for (int i = 1; i < f.length; i++) {
                String value = f[i].length() > 40 ? f[i].substring(0, 8) + "... (" + f[i].length() + " chars)" : f[i];
                if (f[0].equals("workspace_id")) {
                    t.body("workspace_id " + value, 400, "{\"workspace_id\":" + f[i] + "}");
                } else {
                    t.beat(f[0] + " " + value, 400, "\"" + f[0] + "\":" + f[i]);
                }
            }
        }
        String[] metadata = {
                "\"capabilities\":[]", "\"capabilities\":\"session\"", "\"capabilities\":1", "\"capabilities\":{\"a\":1}",
                "\"capabilities\":{\"a\":\"true\"}", "\"capabilities\":{\"a\":null}", "\"capabilities\":{\"-bad\":true}",
                "\"capabilities\":{\"\":true}", "\"capabilities\":{\"a b\":true}", "\"capabilities\":{\"" + "c".repeat(64) + "\":true}",
                "\"capabilities\":{" + IntStream.range(0, 65).mapToObj(i -> "\"c" + i + "\":true").collect(Collectors.joining(",")) + "}",
                "\"idle_timeout_seconds\":\"600\"", "\"idle_timeout_seconds\":1.5", "\"idle_timeout_seconds\":true",
                "\"idle_timeout_seconds\":2147483648", "\"idle_timeout_seconds\":[600]",
        };
        for (String m : metadata) {
            t.beat("runtime_metadata " + (m.length() > 50 ? m.substring(0, 30) + "..." : m), 400, "\"runtime_metadata\":{" + m + "}");
        }
        String[] ids = {"\"UPPER/researcher\"", "\"a/b/c\"", "\"team-a/\"", "\"/researcher\"", "\"-team/researcher\"",
                "\"team_a/researcher\"", "\"team-a/" + "r".repeat(254) + "\"", "\"" + "n".repeat(64) + "/researcher\"",
                "\"team-a/researcher \"", "\"team-a/../researcher\""};
        for (String id : ids) {
            t.body("workspace_id " + (id.length() > 40 ? id.substring(0, 20) + "..." : id), 400, "{\"workspace_id\":" + id + "}");
        }
        t.body("no workspace_id", 400, "{\"active_tasks\":1}")
                .body("empty object", 400, "{}")
                .body("array", 400, "[{\"workspace_id\":\"$WS\"}]")
                .body("string", 400, "\"$WS\"")
                .body("number", 400, "42")
                .body("null", 400, "null")
                .body("true", 400, "true");
    }

    private static void sizes(Table t) {
        t.category("sizes")
                .add("heartbeat cap + 1 byte", 413, x -> RawHttp.postJson(x.heartbeat(), x.token(),
                        padded("{\"workspace_id\":\"" + x.workspaceId() + "\"", HEARTBEAT_CAP + 1)))
                .add("heartbeat cap + 1 byte, chunked (no Content-Length)", 413, x -> chunked(x.heartbeat(), x.token(),
                        utf8(padded("{\"workspace_id\":\"" + x.workspaceId() + "\"", HEARTBEAT_CAP + 1)), 4096))
                .add("heartbeat declares 10 MiB, sends 10 bytes", 413, x -> RawHttp.postJson(x.heartbeat(), x.token(), "{\"a\":\"b\"}  ")
                        .manualLength().header("Content-Length: " + (10 << 20)).halfClose())
                .add("heartbeat declares 2^63-1", 413, x -> RawHttp.postJson(x.heartbeat(), x.token(), "{}")
                        .manualLength().header("Content-Length: 9223372036854775807").halfClose())
                .add("register cap + 1 byte", 413, x -> RawHttp.postJson(x.register(), x.token(),
                        padded("{\"id\":\"" + x.workspaceId() + "\",\"url\":\"http://a.example\"", REGISTER_CAP + 1)))
                .add("update-card cap + 1 byte", 413, x -> RawHttp.postJson(x.updateCard(), x.token(),
                        padded("{\"workspace_id\":\"" + x.workspaceId() + "\",\"agent_card\":{}", REGISTER_CAP + 1)))
                .beat("runtime_state 65 characters", 400, "\"runtime_state\":\"" + "s".repeat(65) + "\"")
                .beat("a string over Jackson's 64 KiB limit is cut by the body cap first", 413, "\"x\":\"" + "s".repeat(70_000) + "\"")
                .register("register: url over the URL limit", 400, "{\"id\":\"$WS\",\"url\":\"http://a.example/" + "p".repeat(4096) + "\"}");
    }

    /** Chunked transfer of {@code body} in chunks of {@code size}. */
    static RawHttp chunked(String target, String token, byte[] body, int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += size) {
            int n = Math.min(size, body.length - i);
            out.writeBytes(utf8(Integer.toHexString(n) + "\r\n"));
            out.write(body, i, n);
            out.writeBytes(utf8("\r\n"));
        }
        out.writeBytes(utf8("0\r\n\r\n"));
        return RawHttp.postJson(target, token, out.toByteArray()).manualLength().header("Transfer-Encoding: chunked");
    }

    /** Bodies that are not UTF-8 JSON; {@code add} puts {@code prefix + bad + suffix} (or a whole re-encoded body) where it belongs. */
    static void encodings(Table t, TriConsumer add, String prefix, String suffix) {
        t.category("encodings");
        badEncodings(prefix, suffix).forEach(b -> add.accept(t, b.name(), 400, b.bytes()));
    }

    /** A named body of raw bytes. */
    public record Body(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** JSON text around one misencoded string, or a whole text in another encoding than UTF-8. */
    static List<Body> badEncodings(String prefix, String suffix) {
        byte[] p = utf8(prefix);
        byte[] s = utf8(suffix);
        Object[][] bad = {
                {"invalid UTF-8 byte 0xFF in a string", new byte[] {(byte) 0xFF}},
                {"Latin-1 é (0xE9) in a string", new byte[] {(byte) 0xE9}},
                {"overlong '/' (C0 AF)", new byte[] {(byte) 0xC0, (byte) 0xAF}},
                {"overlong NUL (C0 80)", new byte[] {(byte) 0xC0, (byte) 0x80}},
                {"overlong 3-byte '/' (E0 80 AF)", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}},
                {"CESU-8 surrogate (ED A0 80)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}},
                {"truncated 3-byte sequence (E2 82)", new byte[] {(byte) 0xE2, (byte) 0x82}},
                {"lone continuation byte (0x80)", new byte[] {(byte) 0x80}},
                {"code point above U+10FFFF (F4 90 80 80)", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}},
                {"5-byte form (F8 88 80 80 80)", new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}},
        };
        List<Body> bodies = new java.util.ArrayList<>();
        for (Object[] b : bad) {
            bodies.add(new Body(String.valueOf(b[0]), concat(p, (byte[]) b[1], s)));
        }
        String whole = prefix + "x" + suffix;
        bodies.add(new Body("UTF-16 BE with BOM", whole.getBytes(StandardCharsets.UTF_16)));
        bodies.add(new Body("UTF-16 LE with BOM", concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, whole.getBytes(StandardCharsets.UTF_16LE))));
        bodies.add(new Body("UTF-16 BE without BOM", whole.getBytes(StandardCharsets.UTF_16BE)));
        bodies.add(new Body("UTF-16 LE without BOM", whole.getBytes(StandardCharsets.UTF_16LE)));
        bodies.add(new Body("UTF-32 BE", whole.getBytes(java.nio.charset.Charset.forName("UTF-32BE"))));
        bodies.add(new Body("raw NUL byte before the object", concat(new byte[] {0}, utf8(whole))));
        bodies.add(new Body("raw control byte 0x01 inside a string", concat(p, new byte[] {1}, s)));
        return bodies;
    }

    /** {@code (table, name, status, body)}. */
    @FunctionalInterface
    interface TriConsumer {
        void accept(Table t, String name, int expected, byte[] body);
    }

    private static void unicode(Table t) {
        t.category("unicode")
                .body("RTL override in workspace_id", 400, "{\"workspace_id\":\"team-a/\u202Eresearcher\"}")
                .body("escaped RTL override in workspace_id", 400, "{\"workspace_id\":\"team-a/\\u202Eresearcher\"}")
                .body("NUL escape in workspace_id", 400, "{\"workspace_id\":\"team-a/research\\u0000er\"}")
                .body("zero-width space in workspace_id", 400, "{\"workspace_id\":\"team-a/re\u200Bsearcher\"}")
                .body("Cyrillic homoglyph in workspace_id", 400, "{\"workspace_id\":\"team-a/r\u0435searcher\"}")
                .body("fullwidth letters in workspace_id", 400, "{\"workspace_id\":\"team-a/\uFF52esearcher\"}")
                .body("lone high surrogate in workspace_id", 400, "{\"workspace_id\":\"team-a/\\ud800\"}")
                .beat("lone high surrogate in current_task", 400, "\"current_task\":\"\\ud800\"")
                .beat("lone low surrogate in sample_error", 400, "\"sample_error\":\"\\udc00 boom\"")
                .beat("reversed pair in runtime_state", 400, "\"runtime_state\":\"\\udc00\\ud800\"")
                .beat("high surrogate at the end of current_task", 400, "\"current_task\":\"task \\udbff\"")
                .beat("lone surrogate in a capability name", 400, "\"runtime_metadata\":{\"capabilities\":{\"\\ud800\":true}}")
                .beat("RTL override in a capability name", 400, "\"runtime_metadata\":{\"capabilities\":{\"a\u202Eb\":true}}")
                .beat("NUL in a capability name", 400, "\"runtime_metadata\":{\"capabilities\":{\"a\\u0000\":true}}")
                .beat("emoji capability name", 400, "\"runtime_metadata\":{\"capabilities\":{\"\uD83D\uDE80\":true}}")
                .beat("lone surrogate key with a wrong value", 400, "\"runtime_metadata\":{\"capabilities\":{\"\\udfff\":1}}");
    }

    private static void numbers(Table t) {
        t.category("huge-numbers")
                .beat("active_tasks 1e400", 400, "\"active_tasks\":1e400")
                .beat("active_tasks 2^63", 400, "\"active_tasks\":9223372036854775808")
                .beat("active_tasks -2^63-1", 400, "\"active_tasks\":-9223372036854775809")
                .beat("active_tasks -0.0", 400, "\"active_tasks\":-0.0")
                .beat("active_tasks 2^31", 400, "\"active_tasks\":2147483648")
                .beat("uptime_seconds 2^63", 400, "\"uptime_seconds\":9223372036854775808")
                .beat("uptime_seconds 2^64", 400, "\"uptime_seconds\":18446744073709551616")
                .beat("uptime_seconds 1e1000000", 400, "\"uptime_seconds\":1e1000000")
                .beat("monthly_spend 1e400", 400, "\"monthly_spend\":1e400")
                .beat("monthly_spend -0.0", 400, "\"monthly_spend\":-0.0")
                .beat("monthly_spend 1.0", 400, "\"monthly_spend\":1.0")
                .beat("error_rate 1e400", 400, "\"error_rate\":1e400")
                .beat("error_rate -1e400", 400, "\"error_rate\":-1e400")
                .beat("error_rate 2^63", 400, "\"error_rate\":9223372036854775808")
                .beat("idle_timeout_seconds 2^63", 400, "\"runtime_metadata\":{\"idle_timeout_seconds\":9223372036854775808}")
                .beat("idle_timeout_seconds -2^63-1", 400, "\"runtime_metadata\":{\"idle_timeout_seconds\":-9223372036854775809}")
                .beat("a 2000-digit number", 400, "\"active_tasks\":" + "9".repeat(2000))
                .beat("leading zeros", 400, "\"active_tasks\":007")
                .beat("hex literal", 400, "\"active_tasks\":0x10")
                .beat("plus sign", 400, "\"active_tasks\":+1")
                .beat("trailing dot", 400, "\"error_rate\":1.")
                .beat("bare dot", 400, "\"error_rate\":.5");
    }

    private static void truncated(Table t) {
        String full = "{\"workspace_id\":\"$WS\",\"active_tasks\":1}";
        t.category("truncated-bodies")
                .body("empty body", 400, "")
                .body("whitespace only", 400, "   \n")
                .body("only '{'", 400, "{")
                .body("key without value", 400, "{\"workspace_id\"")
                .body("key and colon", 400, "{\"workspace_id\":")
                .body("string cut", 400, "{\"workspace_id\":\"team-a/res")
                .body("object not closed", 400, "{\"workspace_id\":\"$WS\"")
                .body("cut after comma", 400, "{\"workspace_id\":\"$WS\",")
                .body("cut in a number", 400, "{\"workspace_id\":\"$WS\",\"active_tasks\":1")
                .body("cut in an escape", 400, "{\"workspace_id\":\"$WS\",\"current_task\":\"\\u00")
                .body("trailing garbage", 400, full + "x")
                .body("two objects", 400, full + full)
                .body("trailing comma", 400, "{\"workspace_id\":\"$WS\",}")
                .body("single quotes", 400, "{'workspace_id':'$WS'}")
                .body("unquoted key", 400, "{workspace_id:\"$WS\"}")
                .body("comment", 400, "{/* hi */\"workspace_id\":\"$WS\"}");
    }

    /** Framing abuse: Content-Length and chunking that lie or contradict. {@code body} is a valid body for the endpoint. */
    /**
     * Broken message framing. {@code judgesJson}: the endpoint parses the body, so a body cut short by its framing is
     * refused too; the proxy passes whatever body the framing delimits to the agent, whose answer it is.
     */
    static void framing(Table t, Function<Target, String> path, String body, boolean judgesJson) {
        t.category("content-length")
                .add("Content-Length larger than the body, then EOF", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body)
                        .manualLength().header("Content-Length: " + (body.length() + 50)).halfClose())
                .add("Content-Length -1", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength().header("Content-Length: -1"))
                .add("Content-Length not a number", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength().header("Content-Length: ten"))
                .add("two different Content-Lengths", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength()
                        .header("Content-Length: " + body.length()).header("Content-Length: " + (body.length() + 1)))
                .add("Content-Length with a plus sign", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength()
                        .header("Content-Length: +" + body.length()));
        t.category("chunked")
                .add("chunk size not hex", 400, x -> RawHttp.postJson(path.apply(x), x.token(), utf8("zz\r\n" + body + "\r\n0\r\n\r\n"))
                        .manualLength().header("Transfer-Encoding: chunked"))
                .add("chunk size overflows a long", 400, x -> RawHttp.postJson(path.apply(x), x.token(), utf8("FFFFFFFFFFFFFFFFFF\r\n" + body + "\r\n0\r\n\r\n"))
                        .manualLength().header("Transfer-Encoding: chunked"))
                .add("chunk shorter than declared, then EOF", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length() + 20) + "\r\n" + body)).manualLength().header("Transfer-Encoding: chunked").halfClose())
                .add("no final chunk, then EOF", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n")).manualLength().header("Transfer-Encoding: chunked").halfClose())
                .add("chunked and Content-Length both", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n")).manualLength()
                        .header("Transfer-Encoding: chunked").header("Content-Length: " + body.length()))
                .add("Transfer-Encoding gzip, chunked", 501, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n")).manualLength().header("Transfer-Encoding: gzip, chunked"))
                .add("Transfer-Encoding chunked on HTTP/1.0", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n")).manualLength()
                        .header("Transfer-Encoding: chunked").version("HTTP/1.0"))
                .add("chunk extension 10 KiB long", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                        utf8(Integer.toHexString(body.length()) + ";ext=" + "e".repeat(10_240) + "\r\n" + body + "\r\n0\r\n\r\n"))
                        .manualLength().header("Transfer-Encoding: chunked"));
        if (judgesJson) {
            t.category("framed-json")
                    .add("Content-Length shorter than the body", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body)
                            .manualLength().header("Content-Length: " + (body.length() - 5)))
                    .add("Content-Length 0 with a body", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength()
                            .header("Content-Length: 0"))
                    .add("no Content-Length and no chunking", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).manualLength())
                    .add("chunked body valid but JSON cut", 400, x -> RawHttp.postJson(path.apply(x), x.token(),
                            utf8("3\r\n{\"a\r\n0\r\n\r\n")).manualLength().header("Transfer-Encoding: chunked"));
        }
    }

    /**
     * Header and request-line abuse. {@code registry}: the endpoint takes only application/json and a bearer
     * token (the proxy forwards any content type the agent may understand, and has no caller tokens here).
     */
    static void headers(Table t, Function<Target, String> path, String body, boolean registry) {
        t.category("headers")
                .add("one 9 KiB header", 431, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("X-Big: " + "h".repeat(9 * 1024)))
                .add("1000 small headers (about 16 KiB)", 431, x -> {
                    RawHttp r = RawHttp.postJson(path.apply(x), x.token(), body);
                    IntStream.range(0, 1000).forEach(i -> r.header("X-H" + i + ": value"));
                    return r;
                })
                .add("9 KiB request target", 414, x -> RawHttp.postJson(path.apply(x) + "?q=" + "q".repeat(9 * 1024), x.token(), body))
                .add("two Content-Types, JSON first", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("Content-Type: text/plain"))
                .add("header with NUL in its value", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("X-Nul: a\u0000b"))
                .add("header name with a space", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("X Bad: a"))
                .add("header without a colon", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("NoColonHere"))
                .add("missing Host on HTTP/1.1", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).noHost())
                .add("HTTP/9.9", 505, x -> RawHttp.postJson(path.apply(x), x.token(), body).version("HTTP/9.9"))
                .add("garbage request line", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).method("\u0001\u0002"))
                .add("PUT", 405, x -> RawHttp.postJson(path.apply(x), x.token(), body).method("PUT"))
                .add("DELETE", 405, x -> RawHttp.postJson(path.apply(x), x.token(), body).method("DELETE"))
                .add("made-up method", 405, x -> RawHttp.postJson(path.apply(x), x.token(), body).method("BREW"));
        if (!registry) {
            return;
        }
        t.add("obsolete line folding", 400, x -> RawHttp.postJson(path.apply(x), x.token(), body).header("X-Fold: a").header(" folded"));
        t.add("no Content-Type", 415, x -> RawHttp.postJson(path.apply(x), x.token(), body).without("Content-Type"))
                .add("Content-Type text/plain", 415, x -> RawHttp.postJson(path.apply(x), x.token(), body).without("Content-Type")
                        .header("Content-Type: text/plain"))
                .add("Content-Type application/jsonx", 415, x -> RawHttp.postJson(path.apply(x), x.token(), body).without("Content-Type")
                        .header("Content-Type: application/jsonx"))
                .add("Content-Type multipart/form-data", 415, x -> RawHttp.postJson(path.apply(x), x.token(), body).without("Content-Type")
                        .header("Content-Type: multipart/form-data; boundary=x"));
        t.category("authorization")
                .add("no Authorization", 401, x -> RawHttp.postJson(path.apply(x), null, body))
                .add("Basic credentials", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Authorization: Basic dXNlcjpwYXNz"))
                .add("Bearer without a token", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Authorization: Bearer"))
                .add("Bearer and spaces", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Authorization: Bearer     "))
                .add("token of 513 characters", 401, x -> RawHttp.postJson(path.apply(x), "t".repeat(513), body))
                .add("wrong token", 401, x -> RawHttp.postJson(path.apply(x), "not-the-token", body))
                .add("token with a suffix", 401, x -> RawHttp.postJson(path.apply(x), x.token() + "x", body))
                .add("token prefix", 401, x -> RawHttp.postJson(path.apply(x), x.token().substring(0, x.token().length() - 1), body))
                .add("token after 'Token '", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Authorization: Token " + x.token()))
                .add("token with no scheme", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Authorization: " + x.token()))
                .add("wrong token, then the right one", 401, x -> RawHttp.postJson(path.apply(x), "not-the-token", body)
                        .header("Authorization: Bearer " + x.token()))
                .add("right token, then a wrong one", 401, x -> RawHttp.postJson(path.apply(x), x.token(), body)
                        .header("Authorization: Bearer not-the-token"))
                .add("CRLF in the token smuggling a header", 401, x -> RawHttp.postJson(path.apply(x), null, body)
                        .header("Authorization: Bearer x\r\nX-Injected: 1"))
                .add("token in the query string", 401, x -> RawHttp.postJson(path.apply(x) + "?access_token=" + x.token(), null, body))
                .add("token in a cookie", 401, x -> RawHttp.postJson(path.apply(x), null, body).header("Cookie: token=" + x.token()));
    }

    /**
     * Bodies the proxy must pass to the agent byte for byte although they are not valid A2A requests: none is the
     * legacy canvas shape, so judging them is the agent's (its own JSON-RPC errors, parse errors included, reach the
     * caller as a direct call would get them). JSON that breaks JSON-RPC, text that is not JSON, bytes that are not UTF-8.
     */
    public static List<Body> proxyForwardedAsSent() {
        List<Body> bodies = new java.util.ArrayList<>();
        java.util.stream.Stream.of(
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\"}]",
                "[]",
                "\"message/send\"",
                "1",
                "null",
                "{\"jsonrpc\":\"1.0\",\"method\":\"message/send\"}",
                "{\"jsonrpc\":2,\"method\":\"message/send\"}",
                "{\"jsonrpc\":null,\"method\":\"message/send\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"   \"}",
                "{\"jsonrpc\":\"2.0\",\"method\":7}",
                "{\"method\":{\"name\":\"message/send\"}}",
                "{\"params\":{\"message\":{}}}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"method\":7}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":[11E" + "1".repeat(50) + "]}",
                "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"m\",\"params\":[-0,1e-99999999999]}",
                "{\"jsonrpc\":\"2.0\",\"id\":\"t\",\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\"}}}",
                "",
                "  \n ",
                "{\"jsonrpc\":\"2.0\",\"method\":\"message/send\",\"params\":{",
                "{\"jsonrpc\":\"2.0\",\"method\":\"m\"} x",
                "{\"method\":\"m\"}{\"method\":\"m\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":NaN,\"method\":\"m\"}",
                "{\"method\":\"m\",\"params\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
                "{\"jsonrpc\":\"2.0\",\"id\":" + "9".repeat(2000) + ",\"method\":\"m\"}",
                "{'jsonrpc':'2.0','method':'m'}",
                "{\"method\":\"m\",\"params\":[11E" + "1".repeat(50) + "]}")
                .forEach(text -> bodies.add(new Body(text.length() > 60 ? text.substring(0, 60) + "..." : text.isBlank() ? "(blank, " + text.length() + " characters)" : text,
                        utf8(text))));
        bodies.addAll(badEncodings("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"text\":\"", "\"}}"));
        return bodies;
    }

    /** The workspace's HTTP+JSON send route, next to its JSON-RPC endpoint. */
    private static String rest(Target x) {
        return x.a2a().replace("/a2a", "/rest/v1/message:send");
    }

    public static List<Case> proxy() {
        Table t = new Table();
        t.category("sizes")
                .add("proxy cap + 1 byte", 413, x -> RawHttp.postJson(x.a2a(), null, padded("{\"jsonrpc\":\"2.0\",\"method\":\"m\"", PROXY_CAP + 1)))
                .add("declares 100 MiB", 413, x -> RawHttp.postJson(x.a2a(), null, "{}").manualLength()
                        .header("Content-Length: " + (100 << 20)).halfClose())
                .add("proxy cap + 1 byte, chunked", 413, x -> chunked(x.a2a(), null,
                        utf8(padded("{\"jsonrpc\":\"2.0\",\"method\":\"m\"", PROXY_CAP + 1)), 16 * 1024));
        String ok = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\"}";
        framing(t, Target::a2a, ok, false);
        headers(t, Target::a2a, ok, false);
        t.category("proxy-headers")
                .add("X-Timeout not a number", 400, x -> RawHttp.postJson(x.a2a(), null, ok).header("X-Timeout: soon"))
                .add("X-Timeout negative", 400, x -> RawHttp.postJson(x.a2a(), null, ok).header("X-Timeout: -1"))
                .add("X-Timeout 2^63", 400, x -> RawHttp.postJson(x.a2a(), null, ok).header("X-Timeout: 9223372036854775808"))
                .add("X-Timeout fractional", 400, x -> RawHttp.postJson(x.a2a(), null, ok).header("X-Timeout: 1.5"))
                .add("GET on /a2a", 405, x -> RawHttp.postJson(x.a2a(), null, ok).method("GET"))
                .add("unknown workspace", 404, x -> RawHttp.postJson(x.a2a().replace("/alpha/", "/nobody/"), null, ok))
                .add("path traversal", 404, x -> RawHttp.postJson(x.a2a().replace("/alpha/a2a", "/../../registry/heartbeat"), null, ok))
                .add("encoded slash in the name (ambiguous path)", 400, x -> RawHttp.postJson(x.a2a().replace("/alpha/", "/al%2Fpha/"), null, ok))
                .add("upper-case workspace", 404, x -> RawHttp.postJson(x.a2a().replace("/alpha/", "/ALPHA/"), null, ok))
                .add("OPTIONS on a REST route", 405, x -> RawHttp.postJson(rest(x), null, ok).method("OPTIONS"))
                .add("REST route of an unknown workspace", 404, x -> RawHttp.postJson(rest(x).replace("/alpha/", "/nobody/"), null, ok))
                .add("REST route without a namespace", 404, x -> RawHttp.postJson(rest(x).replace("/" + x.a2a().split("/")[2] + "/", "/"), null, ok))
                .add("encoded slash in a REST route", 400, x -> RawHttp.postJson(rest(x).replace("message:send", "a%2Fb"), null, ok));
        return t.cases;
    }
}
