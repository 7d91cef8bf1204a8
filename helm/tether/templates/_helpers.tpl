{{/* The chart name, or nameOverride. */}}
{{- define "tether.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource-name prefix: fullnameOverride, else <release>-<name> (just the release name when it
already contains the chart name). Kept short enough for the "-operator-leader-election" suffix.
*/}}
{{- define "tether.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 38 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 38 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 38 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version for the helm.sh/chart label. */}}
{{- define "tether.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one role. Call with (dict "root" $ "role" "operator"). */}}
{{- define "tether.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tether.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{/* All labels of one role's resources. Call with (dict "root" $ "role" "operator"). */}}
{{- define "tether.labels" -}}
helm.sh/chart: {{ include "tether.chart" .root }}
{{ include "tether.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: tether
{{- end }}

{{/* The ServiceAccount name of one role. Call with (dict "root" $ "role" "operator"). */}}
{{- define "tether.serviceAccountName" -}}
{{- $sa := (index .root.Values .role).serviceAccount }}
{{- if $sa.create }}
{{- default (printf "%s-%s" (include "tether.fullname" .root) .role) $sa.name }}
{{- else }}
{{- required (printf "%s.serviceAccount.name is required when %s.serviceAccount.create is false" .role .role) $sa.name }}
{{- end }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "tether.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* "true" when the operator elects a leader: asked for, or needed because replicas > 1. */}}
{{- define "tether.leaderElection" -}}
{{- if or .Values.operator.leaderElection (gt (int .Values.operator.replicas) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{/* Where a bare workspace name resolves: defaultNamespace, else the first watched namespace, else "default". */}}
{{- define "tether.defaultNamespace" -}}
{{- if .Values.defaultNamespace }}{{ .Values.defaultNamespace }}
{{- else if .Values.watchNamespaces }}{{ first .Values.watchNamespaces }}
{{- else }}default{{ end }}
{{- end }}

{{/* The one base URL runtimes use (PLATFORM_URL): platformUrl, else the proxy Service, which relays /registry/*. */}}
{{- define "tether.platformUrl" -}}
{{- if .Values.platformUrl }}{{ .Values.platformUrl }}
{{- else }}http://{{ include "tether.fullname" . }}-proxy.{{ .Release.Namespace }}.svc:{{ .Values.proxy.port }}{{ end }}
{{- end }}

{{/* The operator Service, where the proxy relays /registry/*. */}}
{{- define "tether.registryUrl" -}}
http://{{ include "tether.fullname" . }}-operator.{{ .Release.Namespace }}.svc:{{ .Values.operator.port }}
{{- end }}

{{/* The newest HorizontalPodAutoscaler API the cluster serves (autoscaling/v2 from Kubernetes 1.23). */}}
{{- define "tether.hpaApiVersion" -}}
{{- if .Capabilities.APIVersions.Has "autoscaling/v2" }}autoscaling/v2{{ else }}autoscaling/v2beta2{{ end }}
{{- end }}

{{/* The newest PodDisruptionBudget API the cluster serves (policy/v1 from Kubernetes 1.21). */}}
{{- define "tether.pdbApiVersion" -}}
{{- if .Capabilities.APIVersions.Has "policy/v1" }}policy/v1{{ else }}policy/v1beta1{{ end }}
{{- end }}

{{/* Values that must hold whatever else is set; fail early with a message naming the value. */}}
{{- define "tether.validate" -}}
{{- $duration := "^[0-9]{1,9}(ms|s|m|h)$" }}
{{- range $key, $value := dict "policy.defaultIdleTimeout" .Values.policy.defaultIdleTimeout "policy.minIdleTimeout" .Values.policy.minIdleTimeout "policy.maxIdleTimeout" .Values.policy.maxIdleTimeout "policy.defaultMaxDuration" .Values.policy.defaultMaxDuration "operator.offlineAfter" .Values.operator.offlineAfter "operator.heartbeatStatusInterval" .Values.operator.heartbeatStatusInterval "proxy.sseKeepalive" .Values.proxy.sseKeepalive }}
{{- if not (regexMatch $duration (toString $value)) }}
{{- fail (printf "%s: %q is not a duration; use a whole number with a unit, e.g. 300s, 5m or 2h" $key (toString $value)) }}
{{- end }}
{{- end }}
{{- if not (has .Values.logging.format (list "text" "json")) }}
{{- fail (printf "logging.format: %q is neither text nor json" .Values.logging.format) }}
{{- end }}
{{- end }}

{{/* Environment shared by both roles. Call with (dict "root" $ "role" "operator"). */}}
{{- define "tether.commonEnv" -}}
{{- $values := index .root.Values .role -}}
- name: TETHER_PORT
  value: {{ $values.port | quote }}
- name: TETHER_NAMESPACES
  value: {{ join "," .root.Values.watchNamespaces | quote }}
- name: TETHER_DEFAULT_NAMESPACE
  value: {{ include "tether.defaultNamespace" .root | quote }}
- name: TETHER_DEFAULT_IDLE_TIMEOUT
  value: {{ .root.Values.policy.defaultIdleTimeout | quote }}
# Proxies write their activity Leases here and the operator reads them before it hibernates a workspace.
- name: TETHER_ACTIVITY_NAMESPACE
  value: {{ .root.Release.Namespace | quote }}
- name: TETHER_LOG_LEVEL
  value: {{ .root.Values.logging.level | quote }}
- name: TETHER_LOG_FORMAT
  value: {{ .root.Values.logging.format | quote }}
- name: JDK_JAVA_OPTIONS
  value: {{ $values.javaOptions | quote }}
{{- end }}

{{/*
RBAC for one role: a ClusterRole and ClusterRoleBinding when watchNamespaces is empty, else a Role
and RoleBinding in each watched namespace. Call with (dict "root" $ "role" "operator" "rules" list).
*/}}
{{- define "tether.rbac" -}}
{{- $root := .root }}
{{- $name := printf "%s-%s" (include "tether.fullname" $root) .role }}
{{- $labels := include "tether.labels" (dict "root" $root "role" .role) }}
{{- $sa := include "tether.serviceAccountName" (dict "root" $root "role" .role) }}
{{- $scopes := $root.Values.watchNamespaces | default (list "") }}
{{- range $namespace := $scopes }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ if $namespace }}Role{{ else }}ClusterRole{{ end }}
metadata:
  name: {{ $name }}
  {{- with $namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- $labels | nindent 4 }}
rules:
  {{- toYaml $.rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ if $namespace }}RoleBinding{{ else }}ClusterRoleBinding{{ end }}
metadata:
  name: {{ $name }}
  {{- with $namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ if $namespace }}Role{{ else }}ClusterRole{{ end }}
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ $sa }}
    namespace: {{ $root.Release.Namespace }}
{{- end }}
{{- end }}
