package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** Parsed values are reused, unparseable input stays unparseable, and invented inputs cannot grow the memo. */
class ParseMemoTest {

    @Test
    void aValueIsParsedOnceAndReused() {
        AtomicInteger parses = new AtomicInteger();
        ParseMemo<HttpUrl> memo = new ParseMemo<>(text -> {
            parses.incrementAndGet();
            return HttpUrl.parse(text);
        }, 10);
        HttpUrl first = memo.parse("http://agent:8080/a2a").orElseThrow();
        assertThat(memo.parse("http://agent:8080/a2a")).containsSame(first);
        assertThat(parses).hasValue(1);
    }

    @Test
    void inputTheParserRejectsIsEmptyEveryTime() {
        ParseMemo<HttpUrl> memo = new ParseMemo<>(HttpUrl::parse, 10);
        assertThat(memo.parse("ftp://agent/a2a")).isEmpty();
        assertThat(memo.parse("ftp://agent/a2a")).isEmpty();
    }

    @Test
    void pastTheBoundEverythingIsForgottenAndParsedAgain() {
        AtomicInteger parses = new AtomicInteger();
        ParseMemo<String> memo = new ParseMemo<>(text -> {
            parses.incrementAndGet();
            return text.toUpperCase();
        }, 3);
        for (String s : new String[] {"a", "b", "c", "d"}) {
            memo.parse(s);
        }
        assertThat(parses).hasValue(4);
        memo.parse("d"); // remembered: it arrived after the others were forgotten
        assertThat(parses).hasValue(4);
        memo.parse("a"); // forgotten when "d" arrived at the bound
        assertThat(parses).hasValue(5);
    }
}
