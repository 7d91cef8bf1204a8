package dev.tether.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Desired state, owned by the user or GitOps. Tether never writes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkspaceSpec {
    /** http(s) URL with a host; the API server rejects anything else before Tether sees it. */
    public static final String URL_PATTERN = "^https?://[^\\s/?#]+(/[^\\s]*)?$";
    public static final String DNS_1123_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    @JsonPropertyDescription("The agent's A2A JSON-RPC endpoint (http or https). When unset, the URL the runtime registered is used.")
    @Pattern(URL_PATTERN)
    @Size(max = 2048)
    private String url;

    @JsonPropertyDescription("The agent runtime (claude-code, langgraph, crewai, ...). Informational.")
    @Size(max = 63)
    private String runtime;

    @JsonPropertyDescription("What this workspace does in its team (e.g. researcher, reviewer). Informational; peers discovery shows it and filters by it.")
    @Size(max = 63)
    private String role;

    @JsonPropertyDescription("Name of the parent Workspace in the same namespace; forms the workspace hierarchy.")
    @Pattern(DNS_1123_NAME)
    @Size(max = 253)
    private String parentRef;

    @JsonPropertyDescription("Dispatch policy overrides and bounds set by the platform admin.")
    private DispatchSpec dispatch;

    @JsonPropertyDescription("How many tasks (message/send and message/stream calls, and work the runtime reports as active) the agent may run at once, across all proxy replicas; more wait in spec.dispatch.queue, or are answered busy when the runtime owns 'session'.")
    @Min(1)
    @Max(1000)
    @Default("1")
    private Integer maxConcurrentTasks;

    @JsonPropertyDescription("Monthly budget in cents; dispatch answers 402 once the runtime's reported monthly spend reaches it. Unset means no budget.")
    @Min(0)
    @Max(1_000_000_000_000L)
    private Long budgetLimitCents;

    @JsonPropertyDescription("The pod template Tether runs the runtime from: when set, Tether creates and owns a Deployment and a Service named "
            + "after the workspace, and dispatches go to the Deployment's ready pods. spec.url, when also set, still wins for routing.")
    private PodTemplate template;

    @JsonPropertyDescription("True scales a provisioned workspace's runtime to zero replicas; dispatches answer 503 (suspended) until it is false again.")
    private Boolean suspend;

    @JsonPropertyDescription("Scale a provisioned workspace's runtime to zero while idle and wake it on the next dispatch, which is held "
            + "(not refused) until the runtime is ready. Unset: the runtime is never hibernated on idle. spec.suspend stays the stop that does not wake.")
    private HibernationSpec hibernation;

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getRuntime() { return runtime; }
    public void setRuntime(String runtime) { this.runtime = runtime; }
    public String getRole() { return role; }
    public void setRole(String role) { this.role = role; }
    public String getParentRef() { return parentRef; }
    public void setParentRef(String parentRef) { this.parentRef = parentRef; }
    public DispatchSpec getDispatch() { return dispatch; }
    public void setDispatch(DispatchSpec dispatch) { this.dispatch = dispatch; }
    public Integer getMaxConcurrentTasks() { return maxConcurrentTasks; }
    public void setMaxConcurrentTasks(Integer maxConcurrentTasks) { this.maxConcurrentTasks = maxConcurrentTasks; }
    public PodTemplate getTemplate() { return template; }
    public void setTemplate(PodTemplate template) { this.template = template; }
    public Boolean getSuspend() { return suspend; }
    public void setSuspend(Boolean suspend) { this.suspend = suspend; }
    public HibernationSpec getHibernation() { return hibernation; }
    public void setHibernation(HibernationSpec hibernation) { this.hibernation = hibernation; }
    public Long getBudgetLimitCents() { return budgetLimitCents; }
    public void setBudgetLimitCents(Long budgetLimitCents) { this.budgetLimitCents = budgetLimitCents; }
}
