package dev.tether.proxy.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a registered agent URL may lead, judged on the resolved address. */
class AgentAddressRuleTest {
    static final InetSocketAddress API = new InetSocketAddress("10.96.0.1", 443);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            10.1.2.3          | 8000 |
            192.168.1.9       | 80   |
            2001:db8::1       | 80   |
            10.96.0.1         | 80   |
            127.0.0.1         | 8000 | loopback
            127.8.9.10        | 8000 | loopback
            ::1               | 8000 | loopback
            ::ffff:127.0.0.1  | 8000 | loopback
            169.254.169.254   | 80   | link-local
            fe80::1           | 80   | link-local
            0.0.0.0           | 80   | unspecified
            ::                | 80   | unspecified
            224.0.0.1         | 80   | multicast
            100.100.100.200   | 80   | metadata
            fd00:ec2::254     | 80   | metadata
            10.96.0.1         | 443  | API server
            """)
    void registeredUrlsMayLeadToPodsAndServicesButNotToTheNodeTheCloudOrTheApi(String ip, int port, String refusal) throws Exception {
        AgentAddressRule rule = new AgentAddressRule(List.of(), Set.of(API));

        String why = rule.refusal(new InetSocketAddress(InetAddress.getByName(ip), port));

        if (refusal == null) {
            assertThat(why).as(ip).isNull();
        } else {
            assertThat(why).as(ip).contains(refusal);
        }
    }

    @Test
    void anAllowedNetworkLiftsTheRefusalButNeverForTheApiServer() throws Exception {
        AgentAddressRule rule = new AgentAddressRule(List.of(AgentAddressRule.network("127.0.0.0/8"), AgentAddressRule.network("10.0.0.0/8")),
                Set.of(API, new InetSocketAddress("127.0.0.1", 6443)));

        assertThat(rule.refusal(new InetSocketAddress("127.0.0.1", 8000))).isNull();
        assertThat(rule.refusal(new InetSocketAddress("127.0.0.1", 6443))).contains("API server");
        assertThat(rule.refusal(API)).contains("API server");
        assertThat(rule.refusal(new InetSocketAddress("169.254.169.254", 80))).contains("link-local");
    }

    @Test
    void aNetworkThatIsNoCidrSaysWhy() {
        assertThatThrownBy(() -> AgentAddressRule.network("127.0.0.1")).hasMessageContaining("'127.0.0.1' is not a CIDR");
        assertThatThrownBy(() -> AgentAddressRule.network("10.0.0.0/x")).hasMessageContaining("'10.0.0.0/x'");
    }
}
